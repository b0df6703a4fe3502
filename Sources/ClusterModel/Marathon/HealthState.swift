import SimKernel

// Health of instances: Marathon-level checks (HTTP/HTTPS/TCP run by the leader:
// core/health/Health.scala, core/health/impl/HealthCheckActor.scala) and the kill rule of
// Mesos-level checks (MESOS_HTTP/HTTPS/TCP, COMMAND: run by the executor; docs/docs/health-checks.md).

/// Health of one instance for one Marathon-level check (core/health/Health.scala).
public struct InstanceHealth: Equatable, Sendable {
    public var firstSuccess: SimTime?
    public var lastSuccess: SimTime?
    public var lastFailure: SimTime?
    public var consecutiveFailures: Int = 0

    public init() {}

    /// Health.alive: a success that is later than the last failure.
    public var alive: Bool {
        guard let s = lastSuccess else { return false }
        guard let f = lastFailure else { return true }
        return s > f
    }

    /// Health.update: success -> consecutiveFailures = 0; failure -> +1.
    public mutating func update(passed: Bool, at now: SimTime) {
        if passed {
            if firstSuccess == nil { firstSuccess = now }
            lastSuccess = now
            consecutiveFailures = 0
        } else {
            lastFailure = now
            consecutiveFailures += 1
        }
    }
}

/// What one health-check result did to an instance.
public struct HealthCheckOutcome: Equatable, Sendable {
    /// The result counted (false: a failure ignored during the grace period or while not running).
    public var applied: Bool
    /// `alive` changed (Marathon publishes health_status_changed_event).
    public var aliveChanged: Bool
    /// Kill the instance (KillReason.FailedHealthChecks).
    public var kill: Bool
    /// The instance was due for a kill but is unreachable, so it is not killed.
    public var killSkippedUnreachable: Bool
}

public enum MarathonHealth {
    /// HealthCheckActor: the first tick of a check's actor (one per app version and check) comes
    /// min(interval, 5 s) after the actor starts, then every interval; each tick probes every
    /// running instance of that version.
    public static let firstHealthCheckAfter = SimDuration.seconds(5)

    public static func firstTick(actorStart: SimTime, interval: SimDuration) -> SimTime {
        actorStart + min(interval, firstHealthCheckAfter)
    }

    /// The n-th tick (0-based) of the stream.
    public static func tick(_ n: Int, actorStart: SimTime, interval: SimDuration) -> SimTime {
        firstTick(actorStart: actorStart, interval: interval) + interval * Int64(n)
    }

    /// HealthCheckActor.handleHealthResult for one result at `now`:
    /// - a success always counts;
    /// - a failure is ignored when the instance is not running, or when it has had no success yet
    ///   and now < runningSince + gracePeriod (ignoreFailures);
    /// - otherwise, *before* counting the failure, the instance is killed when its
    ///   consecutiveFailures already reached maxConsecutiveFailures (> 0): the kill comes with
    ///   the (max+1)-th consecutive failure; max 0 never kills; an unreachable instance is not killed.
    public static func handleResult(_ health: inout InstanceHealth, passed: Bool, now: SimTime, isRunning: Bool,
                                    runningSince: SimTime, isUnreachable: Bool = false,
                                    check: HealthCheck) -> HealthCheckOutcome {
        let wasAlive = health.alive
        if passed {
            health.update(passed: true, at: now)
            return HealthCheckOutcome(applied: true, aliveChanged: wasAlive != health.alive, kill: false, killSkippedUnreachable: false)
        }
        let ignore = !isRunning || (health.firstSuccess == nil && runningSince + check.gracePeriod > now)
        if ignore { return HealthCheckOutcome(applied: false, aliveChanged: false, kill: false, killSkippedUnreachable: false) }
        let due = health.consecutiveFailures >= check.maxConsecutiveFailures && check.maxConsecutiveFailures > 0
        health.update(passed: false, at: now)
        return HealthCheckOutcome(applied: true, aliveChanged: wasAlive != health.alive, kill: due && !isUnreachable,
                                  killSkippedUnreachable: due && isUnreachable)
    }

    /// Mesos-level checks (executor): failures during the grace period are ignored until the first
    /// success; the task is killed once consecutive failures reach maxConsecutiveFailures (>=),
    /// so maxConsecutiveFailures 0 kills at the first counted failure.
    public static func mesosShouldKill(consecutiveFailures: Int, maxConsecutiveFailures: Int) -> Bool {
        consecutiveFailures >= maxConsecutiveFailures
    }
}

/// fidelity.healthChecks `fast`, issue 14: the instances one health-check stream (app, check, tick
/// generation) does not visit at its ticks. An instance whose routine probe passed at a tick is
/// *parked*: its next ticks are passes that change nothing but `lastSuccess` and the count of passes
/// left (`RoutineProbe.passesLeft`), until the tick of its failing probe (`passesLeft` + 1 ticks on) or
/// the first tick at or after its hang (`RoutineProbe.until`). The stream visits the instances it
/// did not park (`active`, in task-id order = the app's instance order) and those whose tick is due.
/// A status update that changes an instance's state brings that instance up to date and lists it
/// in `active` (`instanceChanged`: it is visited, or dropped if it no longer runs, at the next
/// tick); any other change that could end the routine regime of instances (a new probe epoch or
/// prober, a result for a parked instance) makes the next tick visit every instance as before.
/// A parked instance is brought up to date (`materialize`) before anything reads or changes its
/// state, so draws, results and their order are those of a tick that visits everyone.
final class HealthCheckStream {
    struct Parked { var instance: MarathonInstance; var tick: Int }
    let generation: Int64
    /// Ticks run so far and the time of the last one.
    var ticks = 0
    var lastTickTime = SimTime.zero
    /// What the parked instances' passes relied on at the last tick (-1: nothing parked yet).
    var epoch = -1
    var from = -1
    var stamp = -1
    var active: [MarathonInstance] = []
    var parked: [TaskID: Parked] = [:]
    /// (due tick, task id), smallest first; an entry whose park record changed since is stale.
    private var heap: [(due: Int, task: TaskID, parkedAt: Int)] = []

    init(generation: Int64) { self.generation = generation }

    /// Parks `inst` after its routine pass at tick number `tick` (time `now`): the following ticks
    /// are passes while `passesLeft` > 0 and the tick is before `until` (`RoutineProbe.passes`).
    /// Without such a state (or with a zero interval) it stays among the visited ones.
    func park(_ inst: MarathonInstance, check: Int, tick: Int, now: SimTime, interval: SimDuration) {
        let s = inst.routineProbes[check]
        let i = interval.nanoseconds
        guard i > 0, s.passesLeft >= 0, s.until > now else { active.append(inst); return }
        var due: Int? = s.passesLeft == Int.max ? nil : tick + s.passesLeft + 1
        if s.until != .distantFuture {
            let d = s.until.nanoseconds - now.nanoseconds
            let j = Int(d / i + (d % i != 0 ? 1 : 0))
            due = min(due ?? Int.max, tick + j)
        }
        parked[inst.task] = Parked(instance: inst, tick: tick)
        if let due { push((due, inst.task, tick)) }
    }

    /// Applies the passes of the ticks a parked instance skipped (those after it was parked up to
    /// the last tick run) and unparks it.
    func materialize(_ task: TaskID, check: Int) {
        guard let p = parked.removeValue(forKey: task) else { return }
        let skipped = ticks - p.tick
        guard skipped > 0 else { return }
        let inst = p.instance
        if inst.routineProbes[check].passesLeft != Int.max { inst.routineProbes[check].passesLeft -= skipped }
        inst.health[check].lastSuccess = lastTickTime
    }

    func materializeAll(check: Int) {
        // each instance is brought up to date on its own: the order does not matter
        for task in Array(parked.keys) { materialize(task, check: check) }
        heap.removeAll(keepingCapacity: true)
    }

    /// `inst` changed state (a status update): brought up to date if parked, and visited at the
    /// next tick (`active`, kept in task-id order; a tick drops it again if it is not running).
    func instanceChanged(_ inst: MarathonInstance, check: Int) {
        materialize(inst.task, check: check)
        // first position whose task is >= inst.task
        var lo = 0, hi = active.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if active[mid].task < inst.task { lo = mid + 1 } else { hi = mid }
        }
        if lo < active.count && active[lo] === inst { return }
        active.insert(inst, at: lo)
    }

    /// The parked instances due at tick `tick` (task-id order), unparked and brought up to date.
    /// Every live entry popped is due at `tick` exactly (one is pushed at least a tick after its
    /// park, and each tick pops everything due by then), so the heap's (due, task) order is the
    /// task-id order: no sort.
    func due(at tick: Int, check: Int) -> [MarathonInstance] {
        var out: [MarathonInstance] = []
        while let top = heap.first, top.due <= tick {
            popTop()
            guard let p = parked[top.task], p.tick == top.parkedAt else { continue }
            assert(top.due == tick && (out.last.map { $0.task < top.task } ?? true), "HealthCheckStream: due entries out of order")
            out.append(p.instance)
            materialize(top.task, check: check)
        }
        return out
    }

    private func push(_ e: (due: Int, task: TaskID, parkedAt: Int)) {
        heap.append(e)
        var c = heap.count - 1
        while c > 0 {
            let p = (c - 1) / 2
            guard less(heap[c], heap[p]) else { break }
            heap.swapAt(c, p); c = p
        }
    }

    private func popTop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var p = 0
        while true {
            let l = 2 * p + 1, r = l + 1
            var m = p
            if l < heap.count && less(heap[l], heap[m]) { m = l }
            if r < heap.count && less(heap[r], heap[m]) { m = r }
            if m == p { break }
            heap.swapAt(p, m); p = m
        }
    }

    private func less(_ a: (due: Int, task: TaskID, parkedAt: Int), _ b: (due: Int, task: TaskID, parkedAt: Int)) -> Bool {
        a.due != b.due ? a.due < b.due : a.task < b.task
    }
}
