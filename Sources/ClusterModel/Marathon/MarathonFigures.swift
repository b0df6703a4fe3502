import SimKernel

// Marathon's own platform figures, computed from its state: task counts, each app's first deploy,
// apps below target, the time some app was degraded and, for each fault the injector fired,
// whether the apps fell below target after it and when they were whole again. The fault times are
// the fault injector's published facts (`FaultInjector.fired`); nothing here reads Mesos.

/// An app's first deployment, as events.csv logs it: `appDeploymentStarted` (the deployment was
/// created) and `appDeployed` (the deployment's step holding the app was done).
public struct AppDeploy: Sendable {
    public var app: String
    /// The deployment (deployment-N in events.csv) that first deployed the app; nil: none did.
    public var deployment: Int?
    /// `deployment` as outputs name it ("deployment-3", or "marathon-dc01/deployment-3").
    public var deploymentName: String?
    public var startedAt: SimTime?
    public var deployedAt: SimTime?
    /// deployedAt - startedAt; nil when no deployment of the app completed its step.
    public var seconds: Double? {
        guard let s = startedAt, let e = deployedAt else { return nil }
        return (e - s).seconds
    }
}

/// How the apps fared after one fired fault.
public struct FaultRecovery: Sendable {
    /// Index of the fault in the scenario's `faults`.
    public var index: Int
    /// Whether the fault took some app below target (`faultRecoveries`: its hosts held the instances the
    /// app was missing, or it was still in effect, or no master led after it).
    public var degradedApps: Bool
    /// Fault -> every app back at its target of healthy, ready instances, when the fault degraded
    /// the apps; nil when it did not or they never recovered.
    public var recoveredAfter: SimDuration?
}

/// Marathon's task and deploy figures at one instant.
public struct MarathonFigures: Sendable {
    public var tasksLaunched = 0
    public var tasksFailed = 0
    public var tasksKilled = 0
    public var tasksLost = 0
    public var deploys: [AppDeploy] = []
    public var appsBelowTargetAtEnd = 0
    /// Total time some app was below its target of healthy instances (after its first deployment).
    public var degraded: SimDuration = .zero
    public init() {}
}

extension MarathonScheduler {
    /// Task counts, first deploys, apps below target and degraded time, as of now: of every
    /// Marathon of the run (this one and its peers; counts add up, apps are counted per Marathon
    /// and labelled `appLabel`, degraded time is the union of their degraded periods).
    public func figures() -> MarathonFigures {
        var p = MarathonFigures()
        for m in all {
            for i in 0..<m.appCount {
                let s = m.snapshot(app: i)
                p.tasksLaunched += s.launchedTotal
                p.tasksFailed += s.failedTotal
                p.tasksKilled += s.killedTotal
                p.tasksLost += s.lostTotal
                let (dep, st, fin) = m.deployTime(app: i)
                p.deploys.append(AppDeploy(app: m.appLabel(s.id), deployment: dep, deploymentName: dep.map(m.deploymentLabel),
                                           startedAt: st, deployedAt: fin))
                if s.healthy < s.targetInstances { p.appsBelowTargetAtEnd += 1 }
            }
        }
        for d in degradedPeriods { p.degraded += (d.end ?? now) - d.start }
        return p
    }

    /// An app as outputs name it: its id, or with one Marathon per data center
    /// "marathon-dc01:/courseware/web" (each Marathon runs every app).
    public func appLabel(_ id: String) -> String { datacenter == nil ? id : instanceName + ":" + id }

    /// A deployment as outputs name it: "deployment-3", or "marathon-dc01/deployment-3".
    public func deploymentLabel(_ id: Int) -> String { datacenter == nil ? "deployment-\(id)" : "\(instanceName)/deployment-\(id)" }

    /// One entry per fired fault, in firing order. A fault degraded the apps when, at or after it and
    /// before the next fault (faults of one instant share that window), an app fell below target with
    /// instances missing on a host it hit (`appBelowTarget ... not on <hosts>`); or some app fell below
    /// target while the fault was in effect (before its hosts or process were back: `recoverAfter`,
    /// `downFor`, `healAfter`, `restartAfter`), which covers what it did through other hosts (Ceph's
    /// placement groups, a registry); or while no Mesos master led after a leader was lost in that
    /// window (a master crash, the leader's host, ZooKeeper's quorum). The apps are back when that
    /// degraded period ends. An app that fails on its own after the fault is over is not the fault's.
    public func faultRecoveries() -> [FaultRecovery] {
        let injector = model.faultInjector
        let fired = injector.fired
        let periods = degradedPeriods
        let below = all.flatMap(\.belowOnHitHosts).sorted { $0.time < $1.time }
        let failovers = model.mesos?.failovers ?? []
        return fired.enumerated().map { k, f in
            var out = FaultRecovery(index: f.index, degradedApps: false, recoveredAfter: nil)
            guard injector.faults[f.index].kind != .hostRecover else { return out }
            let nextFault = fired[(k + 1)...].first { $0.time > f.time }?.time ?? SimTime.distantFuture
            let hosts = f.hosts.compactMap { model.infrastructure.host(named: $0)?.index }
            var from = below.first { $0.time >= f.time && $0.time < nextFault && $0.hosts.contains(where: hosts.contains) }?.time
            let spec = injector.faults[f.index]
            let undone: SimDuration?
            switch spec.kind {
            case .hostCrash: undone = spec.recoverAfter
            case .hostReboot: undone = spec.downFor
            case .agentCrash, .masterCrash, .zookeeperCrash: undone = spec.restartAfter
            case .networkPartition: undone = spec.healAfter
            case .hostRecover: undone = nil
            }
            if let u = undone, let p = periods.first(where: { $0.start >= f.time && $0.start < min(nextFault, f.time + u) }) {
                from = min(from ?? p.start, p.start)
            }
            for fo in failovers where fo.lostAt >= f.time && fo.lostAt < nextFault {
                if let p = periods.first(where: { $0.start >= fo.lostAt && $0.start <= (fo.readyAt ?? .distantFuture) }) {
                    from = min(from ?? p.start, p.start)
                }
            }
            if let t = from, let period = periods.first(where: { $0.start <= t && ($0.end.map { $0 >= t } ?? true) }) {
                out.degradedApps = true
                out.recoveredAfter = period.end.map { $0 - f.time }
            }
            return out
        }
    }
}

extension MarathonScheduler {
    /// What Marathon adds to Mesos' `platform` object in summary.json: each app's first deploy and
    /// every deployment before Mesos' keys, its failovers after the master's, and in each fault
    /// whether the apps fell below target and when they recovered, after Mesos' detection. Without
    /// Marathon they read as they always have (empty lists, false, null).
    static let platformDetails: [ContributedDetails] = [
        ContributedDetails(of: MarathonScheduler.self, into: "mesos", after: nil, keys: ["deploys", "deployments"],
                           absent: [.array([]), .array([])]) { m in
            let deploys = m.figures().deploys.map { d -> DetailValue in .object([
                ("app", .text(d.app)), ("deployment", d.deploymentName.map { .text($0) } ?? .none),
                ("started_at_s", .seconds(d.startedAt)), ("deployed_at_s", .seconds(d.deployedAt)),
                ("deploy_s", d.seconds.map { .number($0, decimals: 9) } ?? .none),
            ]) }
            // in order of start (one Marathon: its order; several: by start, then data center order)
            let records = m.all.flatMap { mm in mm.deploymentRecords.map { (mm, $0) } }.enumerated()
                .sorted { ($0.element.1.startedAt, $0.offset) < ($1.element.1.startedAt, $1.offset) }.map(\.element)
            let deployments = records.map { mm, d -> DetailValue in .object([
                ("deployment", .text(mm.deploymentLabel(d.id))), ("name", .text(d.name)),
                ("apps", .array(d.apps.map { .text($0) })), ("started_at_s", .seconds(d.startedAt)),
                ("finished_at_s", .seconds(d.finishedAt)), ("cancelled_at_s", .seconds(d.cancelledAt)),
                ("duration_s", .seconds(d.finishedAt.map { $0 - d.startedAt })),
                ("waiting_for", .array(d.waitingFor.map { .text($0) })),
            ]) }
            return [[.array(deploys), .array(deployments)]]
        },
        ContributedDetails(of: MarathonScheduler.self, into: "mesos", after: "master_failovers", keys: ["marathon_failovers"],
                           absent: [.array([])]) { m in
            [[.array(m.all.flatMap(\.failovers).map { f in .object([("lost_at_s", .seconds(f.lostAt)), ("ready_at_s", .seconds(f.readyAt))]) })]]
        },
        ContributedDetails(of: MarathonScheduler.self, into: "mesos", array: "faults", after: "detected_after_s",
                           keys: ["apps_degraded", "recovered_after_s"], absent: [.bool(false), .none]) { m in
            m.faultRecoveries().map { [.bool($0.degradedApps), .seconds($0.recoveredAfter)] }
        },
    ]
}
