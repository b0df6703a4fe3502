import SimKernel

// Marathon's in-memory state: apps, their instances, their launch queue entries. The scheduler
// (MarathonScheduler.swift) and the deployment manager (Deployments.swift) act on it.

/// What Marathon wants an instance to do (Goal in Marathon 1.5+; "killing" before).
enum InstanceGoal { case running, decommissioned }

/// One instance (task) of an app, as Marathon's instance tracker holds it.
final class MarathonInstance {
    let task: TaskID
    // What every health-check tick and status update reads comes first, next to the object's
    // header (its reference count, which the tick's loop writes): stored properties are laid out
    // in declaration order, so these share the object's first cache line (issue 14, seventh step).
    // Read for every instance at every health-check tick: no dynamic exclusivity checks (nothing
    // holds them inout across a call into code that touches the instance; docs/engine.md).
    @exclusivity(unchecked) var state: TaskState = .staging {
        didSet {
            changed()
            if reconQuiet { reconQuiet = false; changes.recon?.dirtied(task, oldValue, reconAgent) }
        }
    }
    /// Marathon-level health per check of the app version. Not observed: what `changes` guards
    /// reads only `alive`, so `healthResult` calls `changed()` when `alive` changed; the routine
    /// passes of fidelity `fast` (`healthTick`, `HealthCheckStream.materialize`) move only
    /// `lastSuccess` of an instance that is alive and stays alive (HealthChangeTests).
    @exclusivity(unchecked) var health: [InstanceHealth]
    /// fidelity.healthChecks `fast`: per check, the routine-probe state (`SchedulerDriver.routineProbe`).
    @exclusivity(unchecked) var routineProbes: [RoutineProbe]
    let app: Int
    let name: String
    /// The app's config version this instance runs.
    let version: Int64
    let host: Int
    /// Its app's count of changes to what `refreshSatisfied` and a deployment's `evaluate` read:
    /// every field that `isActive`, `goal`, `replaced`, `ready` or `isHealthy` reads bumps
    /// it when set and recounts the instance in `changes.healthyReady` and `changes.towardsTarget`.
    let changes: ChangeCount
    /// Its last reconciliation answer repeated its state, which has not been set since
    /// (`ReconciliationTracker`); `reconAgent` is that answer's agent.
    var reconQuiet = false
    var reconAgent = 0
    var goal: InstanceGoal = .running { didSet { changed() } }
    let launchedAt: SimTime
    var runningSince: SimTime?
    var unreachableSince: SimTime? { didSet { changed() } }
    /// The expunge job's tick that will look at this unreachable, inactive instance, and the
    /// leader's job it belongs to (`MarathonScheduler.expungeJobGeneration`).
    var expungeTick: (at: SimTime, generation: Int)?
    /// Set when the unreachable instance was replaced (inactiveAfter passed).
    var replaced = false { didSet { changed() } }
    /// Mesos-level health from status updates (nil: not reported yet).
    var mesosHealthy: Bool? { didSet { changed() } }
    /// Readiness checks passed (true at once when the app has none).
    var ready: Bool { didSet { changed() } }
    /// Counted in `changes.healthyReady` (active, goal running, ready, healthy by the app's checks).
    var countedHealthy = false
    /// Counted in `changes.towardsTarget` (in its app's instances, active, goal running, not replaced).
    var countedTowards = false
    /// Removed from its app's instances: no longer counted.
    var detached = false
    /// Counted in its app's constraint counts (`ChangeCount.placement`): in its app's instances and
    /// active, what the list of placed instances of `Constraints.meets` holds.
    var countedPlaced = false
    /// Counted as healthy+ready by the running deployment (to report transitions once).
    var reportedHealthyReady = false
    /// A kill was sent (Marathon's kill service retries on its own; the model sends it once).
    var killRequested = false

    init(task: TaskID, name: String, app: Int, version: Int64, host: Int, launchedAt: SimTime, checks: Int, hasReadiness: Bool,
         changes: ChangeCount) {
        self.task = task; self.name = name; self.app = app; self.version = version; self.host = host; self.changes = changes
        self.launchedAt = launchedAt
        health = Array(repeating: InstanceHealth(), count: checks)
        routineProbes = Array(repeating: RoutineProbe(), count: checks)
        ready = !hasReadiness
        changes.recon?.loud.append(task)   // a new task: loud until an answer repeats its state
    }

    var isActive: Bool { !state.isTerminal }
    var isUnreachable: Bool { unreachableSince != nil }
    /// Counted by Marathon's scale against the app's target: active, not UnreachableInactive, and
    /// goal Running (1.8+) or not in TASK_KILLING (1.4-1.7, `ChangeCount.countsKillPending`).
    var countsTowardsTarget: Bool {
        isActive && !replaced && (changes.countsKillPending ? state != .killing : goal == .running)
    }

    /// Something `refreshSatisfied` or a deployment step reads changed.
    func changed() {
        changes.bump()
        recount()
    }

    /// Brings `countedHealthy`, `countedTowards` and the app's `healthyReady`, `towardsTarget` up to date.
    func recount() {
        let p = !detached && isActive
        if p != countedPlaced {
            countedPlaced = p
            if let c = changes.placement { if p { c.add(host: host) } else { c.remove(host: host) } }
        }
        let t = !detached && countsTowardsTarget
        if t != countedTowards {
            countedTowards = t
            changes.towardsTarget += t ? 1 : -1
        }
        let h = !detached && isActive && goal == .running && ready && isHealthy(checks: changes.checks)
        if h != countedHealthy {
            countedHealthy = h
            changes.healthyReady += h ? 1 : -1
            if !h { changes.lastLostHost = host }
        }
    }
}

/// Instances by Mesos task id (ids given in launch order, never reused): a status update or a
/// health result finds its instance without hashing, and the storage follows the live instances,
/// not every task ever launched (`SlotTable`).
typealias InstanceTable = SlotTable<MarathonInstance>

/// Counts changes of the set of apps with launches queued, so the offer path rebuilds its list of
/// such apps only when it changed (not per offer).
/// The apps with launches queued, shared by the scheduler and its apps: `toLaunch`'s observer enters or
/// removes its app when it starts or stops having launches queued, so the list costs O(log apps) per
/// change instead of a walk over every app per change (issue 14: that walk ran per relaunch, so it
/// grew as apps x relaunches).
/// (Also a sorted set of app indexes in general: the apps waiting for the periodic scale check.)
final class DemandTracker {
    /// Indexes of the apps with `toLaunch > 0`, ascending (the scan's order).
    private(set) var apps: [Int] = []

    func set(_ app: Int, wanted: Bool) {
        var lo = 0, hi = apps.count
        while lo < hi { let mid = (lo + hi) / 2; if apps[mid] < app { lo = mid + 1 } else { hi = mid } }
        let present = lo < apps.count && apps[lo] == app
        if wanted && !present { apps.insert(app, at: lo) } else if !wanted && present { apps.remove(at: lo) }
    }
}

/// A count of changes, shared by an app and its instances: `refreshSatisfied` re-counts the
/// healthy instances only when it moved since the last count (nothing it reads changed, so the
/// answer cannot have), and a deployment step re-evaluates only the actions of apps whose count
/// moved (`sink`: the step's list of changed apps, the app entered once until it is drained).
final class ChangeCount {
    var version = 0
    let app: Int
    /// The app's instances that are active with goal running, ready and healthy by `checks`: what
    /// `refreshSatisfied` compares with the target, kept by every change that `bump`s (issue 14,
    /// sixth step; before, each count walked the app's instances).
    var healthyReady = 0
    /// The host of the instance that last left `healthyReady` (-1: none yet): where the instance that
    /// took the app below target ran, even when it is gone by then (an unreachable instance expunged at
    /// once).
    var lastLostHost = -1
    /// The app's instances that count towards its target (`MarathonAppState.countedTowardsTarget`:
    /// active with goal running, not replaced), kept the same way as `healthyReady` from the moment
    /// `addInstance` enters an instance (issue 14, seventh step; before, every scale check walked
    /// the app's instances).
    var towardsTarget = 0
    /// Marathon 1.4-1.7's scale counts every active instance but those in TASK_KILLING
    /// (SchedulerActions.scale / ScalingProposition.propose at v1.4.9 ... v1.7.236: `condition.isActive`
    /// less `Condition.Killing`), so an instance whose kill was sent counts until its terminal
    /// update (TASK_KILLING comes only with `--enable_features task_killing`); from 1.8.180 it counts
    /// the instances with goal Running (`instancesGoalRunning`).
    var countsKillPending = false
    /// The app's current health checks (its definition's).
    var checks: [HealthCheck] = []
    /// The app's placed instances counted for its constraints (nil: it has none), kept by
    /// `MarathonInstance.recount` (PlacementIndex.swift).
    var placement: AppPlacement?
    /// The running deployment step that holds this app's action, if any.
    var sink: ChangedApps?
    var queued = false
    /// The scheduler's reconciliation tracker (set by the first reconciliation): told of quiet
    /// instances' state changes and, while answers are handled, of every move.
    var recon: ReconciliationTracker?
    init(app: Int) { self.app = app }
    func bump() {
        version &+= 1
        if !queued, let s = sink { queued = true; s.apps.append(app) }
        if let r = recon, r.watching { r.bumped.append(app) }
    }
}

/// Apps changed since a deployment step last evaluated them (`ChangeCount.sink`).
final class ChangedApps { var apps: [Int] = [] }

/// One app: its current definition, target, instances and launch queue entry.
final class MarathonAppState {
    let index: Int
    // What every status update, health tick and result reads comes first, ahead of the (large)
    // definition: stored properties are laid out in declaration order, so these share the
    // object's first cache lines.
    /// Health-check tick generation per version (stale ticks are ignored).
    var tickGeneration: Int64 = 0
    /// Has its target of healthy, ready instances (tracked once its first deployment finished).
    var satisfied = true
    /// Bumped by every change of what `refreshSatisfied` reads (its instances' fields included).
    let changes: ChangeCount
    /// `changes.version` when `refreshSatisfied` last counted (-1: never).
    var satisfiedCountedAt = -1
    /// When the step of the app's first deployment was done (see `firstDeployStarted`).
    var firstDeployFinished: SimTime? { didSet { changes.bump() } }
    /// Instances in launch order (active ones; terminal ones are removed).
    var instances: [MarathonInstance] = [] { didSet { changes.bump() } }
    var definition: AppDefinition {
        didSet {
            changes.bump(); revision &+= 1
            launchNeeds = LaunchNeeds(definition)
            launchKey = LaunchDelayKey(appID: definition.id, configVersion: configVersion)
            if definition.constraints != oldValue.constraints { rebuildPlacement() }
            if definition.healthChecks != changes.checks {
                changes.checks = definition.healthChecks
                for i in instances { i.recount() }
            }
        }
    }
    /// versionInfo.lastConfigChangeVersion: bumped by deployments that change the config.
    var configVersion: Int64 = 1 {
        didSet { launchKey = LaunchDelayKey(appID: definition.id, configVersion: configVersion) }
    }
    /// What `offerOutlook` reads of the definition for every offer it answers, kept apart: a
    /// computed field read through `definition` copies the whole definition (about 25 reference
    /// counts) per read, and a revive's pass asks for every agent it draws (clustersim-bench crashloop).
    private(set) var launchNeeds: LaunchNeeds
    /// The key of the app's launch delay (`LaunchDelayKey(appID:configVersion:)`), kept with both.
    private(set) var launchKey: LaunchDelayKey
    /// What the current version's processes do: the instances launched from now on get it (a
    /// deploy's new version may bring another; the running instances keep the one they started with).
    var behaviour: AppBehaviour
    /// Launch queue: instances of the current version still to launch.
    var toLaunch = 0 {
        didSet {
            if (oldValue > 0) != (toLaunch > 0) { demand.set(index, wanted: toLaunch > 0) }
            changes.bump()
        }
    }
    /// Shared with the scheduler: bumped whenever an app starts or stops having launches queued.
    let demand: DemandTracker
    /// The first deployment whose step for this app was done: when that deployment started and
    /// when the step was done (the appDeploymentStarted and appDeployed events of events.csv).
    var firstDeployStarted: SimTime?
    var firstDeployment: Int?
    /// The deployment currently changing this app (one at a time).
    var deployment: Int?
    var launchedTotal = 0
    var failedTotal = 0
    var killedTotal = 0
    var lostTotal = 0
    var nextInstanceNumber = 1
    /// The app could not be placed on any offer for a while (constraints, resources): logged once per episode.
    var unplacedSince: SimTime?
    var loggedUnplaced = false
    /// Why the offers matched against it since its last launch did not take an instance.
    var rejections = OfferRejections()

    /// Bumped by every change of the definition or of the instances' list, state, reachability or
    /// health: what apps.csv's counts (MarathonOutputs.swift) and marathon-lb's per-app cache
    /// (MarathonLBCache.swift) keep is current while it has not moved.
    var revision = 0
    /// apps.csv's counts of the instances and the revision they were counted at.
    var instanceCounts: (revision: Int, counts: InstanceCounts)?

    init(index: Int, definition: AppDefinition, behaviour: AppBehaviour, demand: DemandTracker) {
        self.index = index; self.definition = definition; self.behaviour = behaviour; self.demand = demand
        launchNeeds = LaunchNeeds(definition)
        launchKey = LaunchDelayKey(appID: definition.id, configVersion: 1)
        changes = ChangeCount(app: index)
        changes.checks = definition.healthChecks
    }

    var id: String { definition.id }

    /// Task-name prefix as Marathon builds task ids: the app id without the leading slash, '/' -> '_'.
    var taskPrefix: String {
        String(definition.id.drop(while: { $0 == "/" }).map { $0 == "/" ? "_" : $0 })
    }

    /// The agents' constraint values of the app's Marathon (set by the scheduler; nil: the app's
    /// constraints are not counted, only the list form can evaluate them).
    var placementValues: PlacementValues? { didSet { rebuildPlacement() } }

    /// Counts the placed instances afresh for the current constraints (a definition with other
    /// constraints: O(instances), once per change of the definition).
    func rebuildPlacement() {
        guard let values = placementValues, !definition.constraints.isEmpty else { changes.placement = nil; return }
        let p = AppPlacement(constraints: definition.constraints, values: values)
        for i in instances where i.countedPlaced { p.add(host: i.host) }
        changes.placement = p
    }

    /// Appends a new instance to `instances` and counts it.
    func addInstance(_ inst: MarathonInstance) {
        instances.append(inst)
        inst.recount()
    }

    /// Removes `inst` from `instances` (at most once there): a scan of the array's references
    /// by identity, which neither retains nor loads the instances it passes.
    func removeInstance(_ inst: MarathonInstance) {
        let target = ObjectIdentifier(inst)
        let at = instances.withUnsafeBufferPointer { b -> Int? in
            for k in b.indices where ObjectIdentifier(b[k]) == target { return k }
            return nil
        }
        if let at { instances.remove(at: at) } else { changes.bump() }   // as `removeAll(where:)`'s write did
        inst.detached = true
        inst.recount()
    }

    /// Instances counted against the target by Marathon's scale (`MarathonInstance.countsTowardsTarget`).
    /// Kept by every change of those fields (`MarathonInstance.recount`); debug builds
    /// check it against `countTowardsTarget`'s walk at every read.
    var countedTowardsTarget: Int {
        assert(changes.towardsTarget == countTowardsTarget,
               "towardsTarget \(changes.towardsTarget) for \(id), counted \(countTowardsTarget)")
        return changes.towardsTarget
    }

    /// `countedTowardsTarget` counted one by one over the instances.
    var countTowardsTarget: Int {
        instances.reduce(0) { $0 + ($1.countsTowardsTarget ? 1 : 0) }
    }
}

extension MarathonInstance {
    /// Considered healthy (Marathon): every Marathon-level check alive, the Mesos-level check (if
    /// any) reported healthy; an app without health checks: TASK_RUNNING.
    func isHealthy(_ def: AppDefinition) -> Bool { isHealthy(checks: def.healthChecks) }

    /// `isHealthy` from the app's health checks alone (a loop over instances reads them once,
    /// not a copy of the whole definition per instance).
    func isHealthy(checks: [HealthCheck]) -> Bool {
        guard state == .running, !isUnreachable else { return false }
        if checks.isEmpty { return true }
        var i = 0
        for hc in checks {
            if hc.protocol.isMesosLevel {
                if mesosHealthy != true { return false }
            } else {
                if i < health.count, !health[i].alive { return false }
            }
            i += 1
        }
        return true
    }

    /// Health as apps.csv counts it: nil while unknown (no result yet).
    func healthKnown(_ def: AppDefinition) -> Bool? {
        guard state == .running else { return nil }
        if def.healthChecks.isEmpty { return true }
        var i = 0
        var anyKnown = false
        for hc in def.healthChecks {
            if hc.protocol.isMesosLevel {
                if let h = mesosHealthy { anyKnown = true; if !h { return false } }
            } else if i < health.count {
                let h = health[i]
                if h.lastSuccess != nil || h.lastFailure != nil { anyKnown = true; if !h.alive { return false } }
            }
            i += 1
        }
        return anyKnown ? true : nil
    }
}

/// The fields of an app definition an offer is matched on without drawing (`offerOutlook`).
struct LaunchNeeds {
    var constrained: Bool
    var ports: [AppPort]
    var resources: Resources
    init(_ d: AppDefinition) { constrained = !d.constraints.isEmpty; ports = d.launchPorts; resources = d.resources }
}

/// Why offers did not take an instance of an app, counted per offer by the first unmet need in the
/// order the matcher checks them (ports, cpus, memory, disk, constraints), under the names of
/// Marathon's NoOfferMatchReason (1.5+: `GET /v2/queue` `processedOffersSummary`,
/// marathon:src/main/scala/mesosphere/mesos/NoOfferMatchReason.scala). Marathon counts every
/// unmet need of an offer; here an offer counts once (model choice: the first need the matcher
/// meets unmet ends its look at the app).
struct OfferRejections: Equatable {
    enum Reason: Int, CaseIterable {
        case ports, cpus, memory, disk, constraint
        var name: String {
            switch self {
            case .ports: return "InsufficientPorts"
            case .cpus: return "InsufficientCpus"
            case .memory: return "InsufficientMemory"
            case .disk: return "InsufficientDisk"
            case .constraint: return "UnfulfilledConstraint"
            }
        }
    }
    var counts = [Int](repeating: 0, count: Reason.allCases.count)
    mutating func note(_ r: Reason) { counts[r.rawValue] += 1 }
    var isEmpty: Bool { !counts.contains { $0 > 0 } }
    /// "6 offers UnfulfilledConstraint, 2 InsufficientMemory" (the reasons seen, most first, then in order).
    var summary: String {
        let seen = Reason.allCases.filter { counts[$0.rawValue] > 0 }.sorted { (-counts[$0.rawValue], $0.rawValue) < (-counts[$1.rawValue], $1.rawValue) }
        return seen.enumerated().map { k, r in "\(counts[r.rawValue])\(k == 0 ? (counts[r.rawValue] == 1 ? " offer" : " offers") : "") \(r.name)" }.joined(separator: ", ")
    }
}
