import SimKernel

// The objects of the Mesos model: masters, agents, tasks, frameworks. Their behaviour lives in
// MesosCluster (one event handler for the whole Mesos layer).

/// A Mesos master process on a host, contending for leadership through ZooKeeper.
public final class MesosMaster {
    public let index: Int
    public let host: Int
    public let name: String
    public internal(set) var running = false
    /// Bumped on every process start and stop (stale events compare it).
    var incarnation: Int32 = 0
    var session: Int?
    public internal(set) var znode: ZNode?
    /// The process believes it leads (elected by its detector).
    public internal(set) var leading = false
    public internal(set) var recovered = false
    public internal(set) var crashes = 0
    init(index: Int, host: Int, name: String) { self.index = index; self.host = host; self.name = name }
}

/// How the leading master sees an agent.
public enum AgentMasterState: String, Sendable {
    /// Never registered with any master (or a new agent id after a reboot).
    case none
    /// Registered with the current leader.
    case registered
    /// Known from the registry after a failover, waiting for it to re-register.
    case recovered
    /// Marked unreachable (ping timeouts or agent_reregister_timeout).
    case unreachable
}

/// A Mesos agent on one host, with its containerizer (image cache, container starts).
public final class MesosAgent {
    public let index: Int
    public let host: Host
    /// `host.index`, kept here: the allocator's passes read it for every agent they offer.
    let hostIndex: Int
    public var name: String { host.name }
    public let total: Resources
    public let attributes: [Attribute]
    let stream: RandomStream

    public internal(set) var processRunning = false
    var incarnation: Int32 = 0
    /// Boot-id epoch: a host reboot makes the agent register with a new agent id.
    public internal(set) var agentIdEpoch = 0
    public var agentID: String { "\(name)-S\(agentIdEpoch)" }

    // master view
    public internal(set) var masterState = AgentMasterState.none
    /// Tasks of a previous agent id (before a reboot) the master still holds.
    var oldIdTasks: [TaskID] = []
    var oldIdState = AgentMasterState.none

    // SlaveObserver
    var pingSentAt = SimTime.zero
    var pingTimeouts = 0
    var observerGen: Int32 = 0
    var markingUnreachable = false
    /// The observer loop is quiet (no pending `pingTimeout`: every ping would be answered and change
    /// nothing) while this equals `observerGen`; its pings are then at `pingSentAt` + k periods
    /// (MesosCluster `nextPing`, `wakeObserver`).
    var quietGen: Int32? = nil

    // registration loop
    var registrationGen: Int32 = 0
    var registrationBackoff = SimDuration.zero

    // reachability history (for pongs)
    public internal(set) var available = false
    var availableSince = SimTime.zero
    var unavailableSince = SimTime.zero

    // resources (master/allocator view)
    public internal(set) var allocated = Resources.empty
    public internal(set) var offered = Resources.empty
    /// Outstanding offers of this agent (usually none or one; the offer id names the agent).
    var offers: [OfferRecord] = []
    /// Registered with a ready leader and reachable in the master's books (counts in totals).
    var active = false
    var candidateSlot = -1
    /// `MesosCluster.layerClock` when the allocator last changed this agent's state itself (below
    /// `layerStamp`: the agent is described by the offer layer).
    var touch: UInt64 = 0
    /// Active, allocatable and of the framework's data center (valid with `offerableValid`).
    var offerable = false
    var offerableSlot = -1

    // containerizer
    var tasks: [TaskID] = []
    var imageCache: Set<String> = []
    var pulls: [String: AgentPull] = [:]
    /// The status update manager's streams, in the order they were created (MesosStatusUpdates.swift).
    var streams: [UpdateStream] = []
    var streamTimerSeq: Int32 = 0
    /// slave/tasks_failed ... since the agent process started (MesosMetrics.swift).
    var exitCounters = MesosExitCounters()
    /// The agent's `--work_dir` filesystem, its sandboxes and their GC (MesosSandboxes.swift);
    /// nil when `mesos.agents.workDir` is not given.
    public internal(set) var workDir: WorkDir?

    init(index: Int, host: Host, total: Resources, stream: RandomStream) {
        self.index = index; self.host = host; self.hostIndex = host.index; self.total = total; self.attributes = host.attributes; self.stream = stream
        self.freePorts = total.ports
    }

    /// Ports neither used by tasks nor in outstanding offers.
    var freePorts: PortSet

    /// Resources neither used by tasks nor offered (scalars; ports kept in `freePorts`).
    public var free: Resources {
        Resources(cpus: total.cpus - allocated.cpus - offered.cpus, memMB: total.memMB - allocated.memMB - offered.memMB,
                  diskMB: total.diskMB - allocated.diskMB - offered.diskMB, ports: freePorts)
    }

    /// Mesos' auto-detection (src/slave/containerizer/containerizer.cpp Containerizer::resources):
    /// cpus = all cores; mem = total - 1 GiB when total >= 2 GiB, else half; disk = total - 5 GiB
    /// when total >= 10 GiB, else half; ports [31000-32000]. MB = 2^20 bytes, as Mesos counts.
    public static func detectResources(host: Host, flags: MesosAgentFlags) -> Resources {
        let gib: Int64 = 1 << 30
        let mem = host.memoryBytes >= 2 * gib ? host.memoryBytes - gib : host.memoryBytes / 2
        let disk = host.diskBytes >= 10 * gib ? host.diskBytes - 5 * gib : host.diskBytes / 2
        return Resources(cpus: Scalar(flags.cpus ?? host.cpus),
                         memMB: Scalar(flags.memMB ?? Double(mem >> 20)),
                         diskMB: Scalar(flags.diskMB ?? Double(disk >> 20)),
                         ports: flags.ports)
    }
}

/// A task as the master and its agent know it.
public final class MesosTask {
    public let id: TaskID
    public let name: String
    let framework: Int
    public let agent: Int
    let agentIdEpoch: Int
    public let resources: Resources
    let image: ImageRef?
    /// `TaskLaunch.source`, for the containerizer's plugins.
    let source: String?
    let behaviour: TaskBehaviour
    let healthCheck: MesosHealthCheck?
    let stream: RandomStream
    /// State on the agent (the truth).
    public internal(set) var state = TaskState.staging
    /// Last state the master knows / forwarded to the framework.
    public internal(set) var reported = TaskState.staging
    /// The agent received the launch.
    var atAgent = false
    var containerAlive = false
    var gen: Int32 = 0
    var charged = false
    var killing = false
    /// Killed by the executor after its health check's consecutive failures (TASK_KILLED then carries healthy=false).
    var killedByHealthCheck = false
    /// The executor's max completion timer is what ends the process (MesosExecution `containerStarted`).
    var killedByMaxCompletionTime = false
    public internal(set) var launchedAt: SimTime
    public internal(set) var runningAt: SimTime?
    public internal(set) var servingAt: SimTime?
    var hangAt: SimTime?
    // Mesos health check
    var hcFailures = 0
    var hcInitializing = true
    /// P(response time > tailTimeout), cached for fidelity.healthChecks `fast` (`routineProbe`).
    var tailTimeout = SimDuration(nanoseconds: -1)
    var tailProbability = 0.0
    public internal(set) var healthy: Bool?
    var agentSlot = -1
    var frameworkSlot = -1

    /// The container network the task joins when its container starts.
    let network: TaskNetwork?
    /// `TaskLaunch.mesosContainerizer`.
    let mesosContainerizer: Bool
    /// `TaskLaunch.idLength`: the longest id the framework set (nil: not modelled).
    let idLength: Int?
    /// cAdvisor's labels of its container, made on its first scrape (MesosMetrics.swift).
    var cadvisorLabels: [(String, String)]? = nil

    init(id: TaskID, launch: TaskLaunch, framework: Int, agent: Int, agentIdEpoch: Int, stream: RandomStream, now: SimTime) {
        self.id = id; self.name = launch.name; self.framework = framework; self.agent = agent
        self.agentIdEpoch = agentIdEpoch; self.resources = launch.resources; self.image = launch.image
        self.behaviour = launch.behaviour; self.healthCheck = launch.mesosHealthCheck; self.stream = stream
        self.launchedAt = now; self.network = launch.network; self.source = launch.source
        self.mesosContainerizer = launch.mesosContainerizer; self.idLength = launch.idLength
    }
}

/// A decline filter (hierarchical allocator RefusedOfferFilter): this framework is not offered
/// the agent's resources while they fit in what it refused, until `expires`.
struct OfferFilter {
    var refused: Resources
    var expires: SimTime
    var gen: Int32
}

/// Decline filters of one framework installed one after the other (nothing else scheduled in
/// between) with one expiry: one timer for all of them, doing at that instant, in the order
/// installed, what the allocator's per-filter timers would.
struct FilterBatch {
    var framework: Int
    var created: SimTime
    var expires: SimTime
    var gen: Int32 = 0
    /// `Simulation.scheduledCount` after its last filter: a filter joins only when nothing was
    /// scheduled since, so the batch's one timer stands exactly where the filters' own would.
    var nextSequence: UInt64 = 0
    /// (agent, filter generation), in the order the filters were installed.
    var filters: [(agent: Int, gen: Int32)] = []
}

/// A framework as the master knows it.
final class FrameworkState {
    let index: Int
    let framework: MesosFramework
    let name: String
    let role: String
    let partitionAware: Bool
    let checkpoint: Bool
    let taskKillingState: Bool
    /// `MesosFramework.agentDatacenter`: offered only this data center's agents; nil: every agent.
    let datacenter: String?
    var registered = false
    var everRegistered = false
    var suppressed = false
    var registrationGen: Int32 = 0
    var registrationBackoff = SimDuration.zero
    var filters = AgentFilters()
    /// Tasks (charged) plus outstanding offers, for DRF.
    var allocated = Resources.empty
    var offerCount = 0
    var liveTasks: [TaskID] = []
    /// `reconciliation`: the answers of one explicit reconciliation (`MesosCluster.reconcile`), which
    /// were one `status` each, in their order.
    /// `status`: an update the master made itself (no acknowledgement goes back to an agent);
    /// `agentStatus`: one from an agent's status update manager, acknowledged when delivered.
    enum Message { case registered(Bool), disconnected, offers([Offer]), rescind(Int64), status(TaskStatusUpdate),
                        agentStatus(TaskStatusUpdate, agent: Int, serial: Int),
                        reconciliation([ReconciliationAnswer]), reconciliationDelta(ReconciliationDelta) }
    /// `MesosCluster.reconcileChanges`: tasks whose answer may have changed since the last one
    /// (while `reconTracking`), and `reconciliationEpoch` at the last one.
    var reconChanged: [TaskID] = []
    var reconTracking = false
    var reconStamp = -1
    var outbox: [Message] = []
    var flushScheduled = false
    let stream: RandomStream
    var driver: MesosSchedulerDriver!
    init(index: Int, framework: MesosFramework, stream: RandomStream) {
        self.index = index; self.framework = framework; self.name = framework.frameworkName
        self.role = framework.role; self.partitionAware = framework.partitionAware
        self.checkpoint = framework.checkpoint; self.stream = stream
        self.taskKillingState = framework.taskKillingState
        datacenter = framework.agentDatacenter
    }
}

/// A table by task id (ids given in launch order and never reused): what a `[Int: Element]`
/// dictionary gives on the hot paths, without hashing or a node per entry, holding only the ids
/// present. Open addressing on `id & mask` with linear probing: live ids are mostly consecutive, so
/// they rarely share a home slot. The storage follows the entries, not the ids ever set: it doubles
/// when more than half full and halves when less than an eighth full (at least `minimumCapacity`),
/// so it stays within 8 x `count` + `minimumCapacity` slots however many tasks were ever launched
/// (issue 14: a slot per id ever set grew with every relaunch). Deletion shifts the entries of the
/// probe run back (no tombstones). Reading an id never set, or negative, gives nil.
struct SlotTable<Element> {
    private struct Entry { var key: Int; var value: Element? }
    private static var empty: Entry { Entry(key: -1, value: nil) }
    static var minimumCapacity: Int { 16 }
    private var entries: [Entry] = []
    private var mask = -1
    /// Filled slots.
    private(set) var count = 0
    /// Slots held (what the table costs in memory; tests check it follows `count`).
    var capacity: Int { entries.count }

    /// The position of `id`, or nil.
    @inline(__always) private func find(_ id: Int) -> Int? {
        guard id >= 0, count > 0 else { return nil }
        var i = id & mask
        while true {
            let k = entries[i].key
            if k == id { return i }
            if k < 0 { return nil }
            i = (i &+ 1) & mask
        }
    }

    subscript(index: Int) -> Element? {
        get {
            // the hot path (every status update, probe result and marathon-lb check): one probe
            // run over the storage, unchecked (`mask` keeps `i` within it while `count` > 0)
            guard index >= 0, count > 0 else { return nil }
            return entries.withUnsafeBufferPointer { b -> Element? in
                var i = index & mask
                while true {
                    let k = b[i].key
                    if k == index { return b[i].value }
                    if k < 0 { return nil }
                    i = (i &+ 1) & mask
                }
            }
        }
        set {
            guard index >= 0 else { return }
            if let i = find(index) {
                if newValue != nil { entries[i].value = newValue } else { remove(at: i) }
                return
            }
            guard newValue != nil else { return }
            if (count + 1) * 2 > entries.count { rehash(capacity: max(Self.minimumCapacity, entries.count * 2)) }
            var i = index & mask
            while entries[i].key >= 0 { i = (i &+ 1) & mask }
            entries[i] = Entry(key: index, value: newValue)
            count += 1
        }
    }

    /// Empties slot `i` and moves back the entries after it in its probe run whose home slot
    /// does not lie (cyclically) between `i` and their own position.
    private mutating func remove(at slot: Int) {
        var i = slot
        entries[i] = Self.empty
        count -= 1
        var j = i
        while true {
            j = (j &+ 1) & mask
            let k = entries[j].key
            if k < 0 { break }
            let home = k & mask
            let stays = i <= j ? (i < home && home <= j) : (i < home || home <= j)
            if stays { continue }
            entries[i] = entries[j]
            entries[j] = Self.empty
            i = j
        }
        if entries.count > Self.minimumCapacity && count * 8 < entries.count { rehash(capacity: entries.count / 2) }
    }

    private mutating func rehash(capacity: Int) {
        let old = entries
        entries = Array(repeating: Self.empty, count: capacity)
        mask = capacity - 1
        for e in old where e.key >= 0 {
            var i = e.key & mask
            while entries[i].key >= 0 { i = (i &+ 1) & mask }
            entries[i] = e
        }
    }

    /// Empties every slot (the storage is let go).
    mutating func removeAll() {
        entries = []; mask = -1; count = 0
    }

    /// The filled indices, ascending.
    var indices: [Int] {
        var out: [Int] = []
        out.reserveCapacity(count)
        for e in entries where e.key >= 0 { out.append(e.key) }
        out.sort()
        return out
    }
}

/// The decline filters of one framework, a slot per agent index. A revive drops them all: the
/// table's epoch moves on and every slot of an earlier epoch reads as empty, so dropping costs
/// nothing per agent (a revive per relaunch made it O(agents) each). Whether a slot is set is a
/// read of its stamp alone (a fast pass asks it for every agent after a revive): the filter, with
/// its counted port ranges, is copied only when it is there.
struct AgentFilters {
    /// Per agent index: the filter last set there (current only when its stamp is).
    private var slots: [OfferFilter] = []
    /// Per agent index: the epoch the slot was set in; 0 is empty (epochs start at 1).
    private var stamps: [UInt32] = []
    private var epoch: UInt32 = 1
    /// Filled slots of the current epoch.
    private(set) var count = 0
    func isSet(_ index: Int) -> Bool { index >= 0 && index < stamps.count && stamps[index] == epoch }
    subscript(index: Int) -> OfferFilter? {
        get { isSet(index) ? slots[index] : nil }
        set {
            guard index >= 0 else { return }
            let had = isSet(index)
            guard let v = newValue else {
                if had { stamps[index] = 0; count -= 1 }
                return
            }
            if index >= stamps.count {
                let n = index + 1 - stamps.count
                stamps.append(contentsOf: repeatElement(0, count: n))
                slots.append(contentsOf: repeatElement(v, count: n))
            }
            slots[index] = v
            stamps[index] = epoch
            if !had { count += 1 }
        }
    }
    /// Empties every slot in O(1).
    mutating func removeAll() {
        guard count > 0 else { return }
        epoch &+= 1
        if epoch == 0 {   // wrapped: no old slot may read as current
            epoch = 1
            for i in stamps.indices { stamps[i] = 0 }
        }
        count = 0
    }
}

/// fidelity.offers `fast` with one framework: what a revive and the decline of every agent after it
/// leave on each agent not changed since, kept as one record instead of a filter and a candidate slot
/// per agent (MesosAllocator.swift "the offer layer").
/// Work of the allocator, counted (MesosCluster.allocatorWork): what grows with the agents per
/// pass shows here, so tests can assert that a pass's cost does not (CrashLoopCostTests).
public struct AllocatorWork: Sendable {
    /// Allocation passes (`allocate` calls that reached a pass).
    public var passes = 0
    /// Agents drawn by the fast passes (`allocateFast`, `allocateFastShared`) and visited by `allocateExact`.
    public var draws = 0
    /// Agents of `offerableList` visited to dissolve an offer layer.
    public var dissolveVisits = 0
    /// Agents visited by `declineRest`.
    public var declineRestVisits = 0
    /// Agents visited to rebuild `offerableList` or refill the candidates.
    public var refillVisits = 0
    public init() {}
}

struct OfferLayer {
    /// Agents with `touch < stamp` are described by the layer.
    var stamp: UInt64
    /// false: each active agent of the layer is a candidate, with no filter (after a revive, or after
    /// the blanket filter expired); true: declined, each offerable agent of the layer filtered with
    /// its free resources refused until `expires` (the blanket filter).
    var declined = false
    /// Agents of the layer that are offerable (`MesosAgent.offerable`).
    var offerable: Int
    var expires = SimTime.zero
    /// The filter batch (packed slot and generation) whose timer ends the blanket filter, -1 if none.
    var batch: Int64 = -1
}

struct OfferRecord {
    var id: Int64
    var framework: Int
    var agent: Int
    var resources: Resources
}

/// What mesos.csv shows at a sample.
public struct MesosMetrics: Sendable {
    public var offersMade: Int
    public var offersAccepted: Int
    public var offersDeclined: Int
    public var offersRescinded: Int
    public var outstandingOffers: Int
    /// Active (framework, agent) decline filters.
    public var filtersActive: Int
    public var cpusTotal: Double
    public var cpusAllocated: Double
    public var memTotalMB: Double
    public var memAllocatedMB: Double
    /// Index of the leading master, -1 when none leads.
    public var leaderMaster: Int
    /// Name of the leading master ("master-01"), "none" when none leads.
    public var leaderName: String
    /// The leader has recovered the registry and makes offers.
    public var leaderReady: Bool
    public var agentsRegistered: Int
    public var agentsUnreachable: Int
    public var frameworksRegistered: Int
    public var tasksRunning: Int
    public var zooKeeperServing: Bool
}

/// An agent's failure detection: when it stopped answering and when the master marked it unreachable.
public struct AgentDetection: Sendable {
    public var agent: String
    public var downAt: SimTime
    public var unreachableAt: SimTime
    public var delay: SimDuration { unreachableAt - downAt }
}

/// A master failover: the ready leader was lost, and when the next one was ready.
public struct MasterFailover: Sendable {
    public var lostAt: SimTime
    public var from: String
    public var readyAt: SimTime?
    public var to: String?
}
