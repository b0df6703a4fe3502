import SimKernel

// The contract between Mesos (masters, agents, allocator) and the frameworks that run on it
// (Marathon now, Chronos later), in Mesos' own terms (include/mesos/mesos.proto, scheduler.hpp).

/// A Mesos scalar: fixed point with three decimals, as Mesos compares and adds scalars
/// (src/common/values.cpp rounds to 0.001). Stored as an integer count of thousandths.
public struct Scalar: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var milli: Int64
    @inlinable public init(milli: Int64) { self.milli = milli }
    /// Mesos' fixed point (llround(x * 1000), apache/mesos src/common/values.cpp). Scenario
    /// decoders keep values within +-`maxValue`; beyond it (or NaN, which counts as 0) the value is
    /// clamped rather than trapping, leaving room to add ~1,000 of them without overflow.
    @inlinable public init(_ value: Double) {
        let x = (value * 1000).rounded(.toNearestOrEven)
        milli = x.isNaN ? 0 : Int64(Swift.min(Swift.max(x, -Scalar.maxMilli), Scalar.maxMilli))
    }
    /// 2^53 milli (9.0e12 units): the largest integer a Double holds exactly.
    @usableFromInline static let maxMilli = 9_007_199_254_740_992.0
    public static var maxValue: Double { maxMilli / 1000 }
    @inlinable public var value: Double { Double(milli) / 1000 }
    public static let zero = Scalar(milli: 0)
    @inlinable public static func < (a: Scalar, b: Scalar) -> Bool { a.milli < b.milli }
    @inlinable public static func + (a: Scalar, b: Scalar) -> Scalar { Scalar(milli: a.milli + b.milli) }
    @inlinable public static func - (a: Scalar, b: Scalar) -> Scalar { Scalar(milli: a.milli - b.milli) }
    @inlinable public static func += (a: inout Scalar, b: Scalar) { a.milli += b.milli }
    @inlinable public static func -= (a: inout Scalar, b: Scalar) { a.milli -= b.milli }
    public var description: String { NumberFormat.decimal(value, 3) }
}

/// A set of ports as sorted, disjoint, non-adjacent closed ranges (Mesos `ports:[31000-32000]`).
public struct PortSet: Hashable, Sendable, CustomStringConvertible {
    public private(set) var ranges: [ClosedRange<Int>]
    public init(_ ranges: [ClosedRange<Int>] = []) {
        self.ranges = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) { insert(r) }
    }
    public var count: Int { ranges.reduce(0) { $0 + $1.count } }
    public var isEmpty: Bool { ranges.isEmpty }
    public func contains(_ p: Int) -> Bool { ranges.contains { $0.contains(p) } }
    public mutating func insert(_ r: ClosedRange<Int>) {
        var lo = r.lowerBound, hi = r.upperBound
        var out: [ClosedRange<Int>] = []
        var placed = false
        for x in ranges {
            if x.upperBound + 1 < lo { out.append(x) }
            else if hi + 1 < x.lowerBound {
                if !placed { out.append(lo...hi); placed = true }
                out.append(x)
            } else { lo = min(lo, x.lowerBound); hi = max(hi, x.upperBound) }
        }
        if !placed { out.append(lo...hi) }
        ranges = out
    }
    public mutating func remove(_ p: Int) {
        guard let i = ranges.firstIndex(where: { $0.contains(p) }) else { return }
        let r = ranges[i]
        var repl: [ClosedRange<Int>] = []
        if r.lowerBound < p { repl.append(r.lowerBound...(p - 1)) }
        if p < r.upperBound { repl.append((p + 1)...r.upperBound) }
        ranges.replaceSubrange(i...i, with: repl)
    }
    /// The lowest `n` ports, or nil if there are fewer.
    public func lowest(_ n: Int) -> [Int]? {
        var out: [Int] = []
        out.reserveCapacity(n)
        for r in ranges {
            for p in r { if out.count == n { return out }; out.append(p) }
        }
        return out.count == n ? out : nil
    }
    public var description: String { "[" + ranges.map { "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ",") + "]" }
}

/// Resources of an agent, an offer or a task. Memory and disk in MB as Mesos counts them.
public struct Resources: Hashable, Sendable {
    public var cpus: Scalar
    public var memMB: Scalar
    public var diskMB: Scalar
    public var ports: PortSet

    public init(cpus: Scalar = .zero, memMB: Scalar = .zero, diskMB: Scalar = .zero, ports: PortSet = PortSet()) {
        self.cpus = cpus; self.memMB = memMB; self.diskMB = diskMB; self.ports = ports
    }
    public static let empty = Resources()
    /// Scalars and port count fit within `other`.
    public func fits(in other: Resources) -> Bool {
        cpus <= other.cpus && memMB <= other.memMB && diskMB <= other.diskMB
    }
}

public enum TaskState: String, Sendable, CaseIterable {
    case staging = "TASK_STAGING", starting = "TASK_STARTING", running = "TASK_RUNNING"
    case killing = "TASK_KILLING", finished = "TASK_FINISHED", failed = "TASK_FAILED"
    case killed = "TASK_KILLED", error = "TASK_ERROR", lost = "TASK_LOST", dropped = "TASK_DROPPED"
    case unreachable = "TASK_UNREACHABLE", gone = "TASK_GONE", goneByOperator = "TASK_GONE_BY_OPERATOR"
    case unknown = "TASK_UNKNOWN"

    /// Terminal states: the task will never run again (mesos.proto).
    public var isTerminal: Bool {
        switch self {
        case .finished, .failed, .killed, .error, .lost, .dropped, .gone, .goneByOperator: return true
        default: return false
        }
    }
}

/// Why a status update was sent (a subset of mesos.proto TaskStatus.Reason).
public enum TaskReason: String, Sendable {
    case none = ""
    case commandExecutorFailed = "REASON_COMMAND_EXECUTOR_FAILED"
    case containerLaunchFailed = "REASON_CONTAINER_LAUNCH_FAILED"
    case executorTerminated = "REASON_EXECUTOR_TERMINATED"
    case agentRemoved = "REASON_SLAVE_REMOVED"
    case agentRestarted = "REASON_SLAVE_RESTARTED"
    case agentUnknown = "REASON_SLAVE_UNKNOWN"
    case agentDisconnected = "REASON_SLAVE_DISCONNECTED"
    case taskKilledDuringLaunch = "REASON_TASK_KILLED_DURING_LAUNCH"
    case healthCheckFailed = "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED"
    case reconciliation = "REASON_RECONCILIATION"
    case invalidOffers = "REASON_INVALID_OFFERS"
    /// The master's validation of a TaskInfo failed (master.cpp `_accept`: TASK_ERROR with the
    /// validation's message), e.g. a task id over 255 characters (MesosIDs.swift).
    case taskInvalid = "REASON_TASK_INVALID"
    /// An agent that had been marked unreachable (or was unknown) registered again; the update
    /// carries the task's current state (master.cpp __reregisterSlave).
    case agentReregistered = "REASON_SLAVE_REREGISTERED"
    /// The container did not start within the agent's --executor_registration_timeout.
    case executorRegistrationTimeout = "REASON_EXECUTOR_REGISTRATION_TIMEOUT"
    /// The disk/du isolator found the sandbox over the task's `disk` (MesosSandboxes.swift).
    case containerLimitationDisk = "REASON_CONTAINER_LIMITATION_DISK"
    /// The executor killed a task still running at TaskInfo.max_completion_time (Mesos 1.6+).
    case maxCompletionTimeReached = "REASON_MAX_COMPLETION_TIME_REACHED"
}

/// An offer: all of one agent's free resources, for one framework (hierarchical allocator). The
/// agent's hostname and attributes do not change during a run: a framework reads them once from the
/// host (`Host.name`, `Host.attributes`) rather than from a copy in every offer.
public struct Offer: Sendable {
    public var id: Int64
    public var agent: Int          // host index of the agent
    public var resources: Resources
    public init(id: Int64, agent: Int, resources: Resources) {
        self.id = id; self.agent = agent; self.resources = resources
    }
}
