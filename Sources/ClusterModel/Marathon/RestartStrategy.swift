import SimKernel

// Rolling restart of an app (a deployment's restart step): TaskReplaceActor and its
// computeRestartStrategy (mesosphere/marathon: src/main/scala/mesosphere/marathon/upgrade/
// TaskReplaceActor.scala @v1.4.x, core/deployment/impl/TaskReplaceActor.scala @v1.5-v1.10), and
// the kill order of a scale-down (ScalingProposition.scala, state/KillSelection.scala).

public enum RestartRules: Equatable, Sendable {
    /// 1.4-1.9: the strategy counts every active instance (old and new); old instances are
    /// killed in the instance tracker's order; a new instance that fails is re-queued by the actor.
    case legacy
    /// 1.10: counts instances with goal Running that are considered healthy; unhealthy old
    /// instances are killed first; extra instances (instances < current) are killed at once; a
    /// failed new instance keeps goal Running and the launch queue relaunches it.
    case v1_10
}

/// computeRestartStrategy's result.
public struct RestartStrategy: Equatable, Sendable {
    public var nrToKillImmediately: Int
    public var maxCapacity: Int

    public init(nrToKillImmediately: Int, maxCapacity: Int) {
        self.nrToKillImmediately = nrToKillImmediately; self.maxCapacity = maxCapacity
    }

    /// minHealthy = ceil(instances × minimumHealthCapacity).
    public static func minHealthy(instances: Int, _ u: UpgradeStrategy) -> Int {
        Int((Double(instances) * u.minimumHealthCapacity).rounded(.up))
    }

    /// floor(instances × (1 + maximumOverCapacity)) (Scala's Double.toInt truncates).
    public static func maxCapacity(instances: Int, _ u: UpgradeStrategy) -> Int {
        Int(Double(instances) * (1 + u.maximumOverCapacity))
    }

    /// computeRestartStrategy.
    /// - `currentInstanceCount`: every instance of the app now (old and new, active).
    /// - `consideredHealthyCount`: of those, the ones with goal Running that are healthy (1.10 only;
    ///   legacy rules use `currentInstanceCount`).
    /// killNow = max(0, count − minHealthy); when minHealthy == maxCapacity ≤ count, a non-resident
    /// app may go one over capacity (maxCapacity + 1) and a resident one kills one more instead;
    /// 1.10 also kills the surplus when instances < currentInstanceCount. `instances` 0 (not a
    /// restart in Marathon: the app is stopped) gives "kill everything, launch nothing".
    public static func compute(instances: Int, upgrade: UpgradeStrategy, isResident: Bool, currentInstanceCount: Int,
                               consideredHealthyCount: Int? = nil, rules: RestartRules) -> RestartStrategy {
        guard instances > 0 else { return RestartStrategy(nrToKillImmediately: currentInstanceCount, maxCapacity: 0) }
        let count = rules == .legacy ? currentInstanceCount : (consideredHealthyCount ?? currentInstanceCount)
        let minH = minHealthy(instances: instances, upgrade)
        var maxC = maxCapacity(instances: instances, upgrade)
        var kill = max(0, count - minH)
        if minH == maxC && maxC <= count {
            if isResident { kill = count - minH + 1 } else { maxC += 1 }
        }
        if rules == .v1_10 && instances < currentInstanceCount {
            kill = max(currentInstanceCount - instances, kill)
        }
        return RestartStrategy(nrToKillImmediately: kill, maxCapacity: maxC)
    }
}

/// What the runtime must do after an event of a restart.
public struct ReplaceStep: Equatable, Sendable {
    /// Old instances to kill now, in order (a kill of an instance that is already gone is a no-op,
    /// as in Marathon, and still uses up its turn).
    public var kill: [Int] = []
    /// New instances to add to the launch queue.
    public var launch: Int = 0
    /// The restart is complete: `instances` new instances are healthy and ready and no old one is left.
    public var finished: Bool = false
    public init(kill: [Int] = [], launch: Int = 0, finished: Bool = false) { self.kill = kill; self.launch = launch; self.finished = finished }
}

/// TaskReplaceActor as a pure state machine over instance ids (any stable integers the runtime
/// uses). Call `start()` once, then the event functions; each returns what to do.
public struct TaskReplacePlan: Sendable {
    public struct OldInstance: Equatable, Sendable {
        public var id: Int
        /// Considered healthy now (health checks alive, or running when the app has none).
        public var healthy: Bool
        public init(id: Int, healthy: Bool) { self.id = id; self.healthy = healthy }
    }

    public let instances: Int
    public let rules: RestartRules
    public let strategy: RestartStrategy
    /// Old instances still to be killed, in kill order.
    public private(set) var toKill: [Int]
    private var nextKill = 0
    /// Old instances not yet terminated.
    public private(set) var oldActive: Set<Int>
    /// New instances started or queued (initially the ones already running the new version).
    public private(set) var instancesStarted: Int
    /// New instances that are healthy and ready.
    public private(set) var healthyReadyNew: Set<Int>

    /// - old: the instances of older versions, in the instance tracker's order (the simulator:
    ///   a seeded random permutation, Deployments.begin); 1.10 moves the unhealthy ones to the front.
    /// - alreadyStartedNew / newHealthyReady: instances of the new version that already exist
    ///   (a restart resumed after a leader failover), and those of them already healthy and ready.
    public init(instances: Int, upgrade: UpgradeStrategy, isResident: Bool, old: [OldInstance], alreadyStartedNew: Int = 0,
                newHealthyReady: [Int] = [], newHealthyCount: Int = 0, rules: RestartRules) {
        self.instances = instances; self.rules = rules
        let healthyOld = old.reduce(0) { $0 + ($1.healthy ? 1 : 0) }
        strategy = RestartStrategy.compute(instances: instances, upgrade: upgrade, isResident: isResident,
                                           currentInstanceCount: old.count + alreadyStartedNew,
                                           consideredHealthyCount: healthyOld + newHealthyCount, rules: rules)
        let ordered = rules == .legacy ? old : old.filter { !$0.healthy } + old.filter(\.healthy)
        toKill = ordered.map(\.id)
        oldActive = Set(old.map(\.id))
        instancesStarted = alreadyStartedNew
        healthyReadyNew = Set(newHealthyReady)
    }

    public var isFinished: Bool { healthyReadyNew.count >= instances && oldActive.isEmpty }

    private mutating func killNext() -> [Int] {
        guard nextKill < toKill.count else { return [] }
        defer { nextKill += 1 }
        return [toKill[nextKill]]
    }

    /// launchInstances: min(instances − started, maxCapacity − oldActive − started), at least 0.
    private mutating func launchInstances() -> Int {
        let leftCapacity = max(0, strategy.maxCapacity - oldActive.count - instancesStarted)
        let notStartedYet = max(0, instances - instancesStarted)
        let n = min(notStartedYet, leftCapacity)
        instancesStarted += n
        return n
    }

    /// preStart: kill nrToKillImmediately old instances, launch what capacity allows (the runtime
    /// also resets the app's launch delay: RateLimiter.resetDelay).
    public mutating func start() -> ReplaceStep {
        var step = ReplaceStep()
        for _ in 0..<strategy.nrToKillImmediately { step.kill += killNext() }
        step.launch = launchInstances()
        step.finished = isFinished
        return step
    }

    /// A new instance became healthy and ready (health checks alive — or TASK_RUNNING when the app
    /// has none — and every readiness check ready): kill the next old instance. Call once per
    /// transition into healthy-and-ready.
    public mutating func newInstanceHealthyAndReady(_ id: Int) -> ReplaceStep {
        healthyReadyNew.insert(id)
        return ReplaceStep(kill: killNext(), launch: 0, finished: isFinished)
    }

    /// A new instance is no longer healthy or ready (it still counts as started).
    public mutating func newInstanceNoLongerHealthyOrReady(_ id: Int) { healthyReadyNew.remove(id) }

    /// A new instance terminated (failed, lost ...). Legacy: it is forgotten and re-queued through
    /// launchInstances. 1.10: its goal stays Running and the launch queue relaunches it (subject to
    /// back-off), so nothing is queued here.
    public mutating func newInstanceTerminated(_ id: Int) -> ReplaceStep {
        healthyReadyNew.remove(id)
        guard rules == .legacy else { return ReplaceStep(finished: isFinished) }
        instancesStarted = max(0, instancesStarted - 1)
        return ReplaceStep(kill: [], launch: launchInstances(), finished: isFinished)
    }

    /// An old instance terminated (killed by the restart or on its own): capacity is freed.
    public mutating func oldInstanceTerminated(_ id: Int) -> ReplaceStep {
        guard oldActive.remove(id) != nil else { return ReplaceStep(finished: isFinished) }
        return ReplaceStep(kill: [], launch: launchInstances(), finished: isFinished)
    }
}

// MARK: - Scale-down order

/// An instance that a scale-down may kill.
public struct ScaleDownCandidate: Equatable, Sendable {
    public var id: Int
    public var condition: InstanceCondition
    /// Staging: when it was staged; Starting: since when; otherwise when it became active (running).
    public var since: SimTime?
    public init(id: Int, condition: InstanceCondition, since: SimTime?) { self.id = id; self.condition = condition; self.since = since }
}

public enum ScalingProposition {
    /// Kill order of a scale-down (ScalingProposition.sortByConditionAndDate): Unreachable,
    /// then Staging, Starting, Running, then anything else; within a condition YOUNGEST_FIRST
    /// kills the latest `since` first, OLDEST_FIRST the earliest; an instance without a time goes
    /// first. Ties keep the given order.
    public static func killOrder(_ candidates: [ScaleDownCandidate], killSelection: KillSelection) -> [Int] {
        func weight(_ c: InstanceCondition) -> Int {
            switch c { case .unreachable: return 1; case .staging: return 2; case .starting: return 3; case .running: return 4; default: return 5 }
        }
        let indexed = candidates.enumerated().map { ($0.offset, $0.element) }
        let sorted = indexed.sorted { x, y in
            let (a, b) = (x.1, y.1)
            let wa = weight(a.condition), wb = weight(b.condition)
            if wa != wb { return wa < wb }
            switch (a.since, b.since) {
            case (nil, nil): return x.0 < y.0
            case (nil, _): return true
            case (_, nil): return false
            case (let s?, let t?):
                if s == t { return x.0 < y.0 }
                return killSelection == .youngestFirst ? s > t : s < t
            }
        }
        return sorted.map(\.1.id)
    }

    /// How many instances a scale to `scaleTo` kills and starts, ignoring instances already being killed.
    public static func counts(running: Int, killing: Int, scaleTo: Int) -> (kill: Int, start: Int) {
        let kill = max(running - killing - scaleTo, 0)
        return (kill, max(0, scaleTo - running + kill))
    }
}
