import SimKernel

/// What apps.csv and the summary read of Marathon.
public struct AppSnapshot: Sendable {
    public var id: String
    public var configVersion: Int64
    public var targetInstances: Int
    /// TASK_STAGING or TASK_STARTING.
    public var staged: Int
    public var running: Int
    public var healthy: Int
    public var unhealthy: Int
    /// Running, not yet checked.
    public var healthUnknown: Int
    public var unreachable: Int
    public var launchQueue: Int
    public var inBackoff: Bool
    /// Current launch delay (0 when none).
    public var backoffDelay: SimDuration
    public var deploymentInProgress: Bool
    public var launchedTotal: Int
    public var failedTotal: Int
    public var killedTotal: Int
    public var lostTotal: Int
}

/// One Marathon deployment as the summary reports it.
public struct DeploymentRecord: Sendable {
    public var id: Int
    public var name: String
    public var apps: [String]
    public var startedAt: SimTime
    public var finishedAt: SimTime?
    public var cancelledAt: SimTime?
    /// Of a deployment still running: its current step (0-based) and the apps of that step whose
    /// actions are not done, in the step's order (what `GET /v2/deployments` shows as
    /// `currentStep` and `currentActions`); empty once it finished or was cancelled.
    public var step = 0
    public var steps = 0
    public var waitingFor: [String] = []
}

extension MarathonScheduler {
    public var appCount: Int { apps.count }

    /// The leading Marathon instance ("marathon1@master-01"), nil while none leads.
    public var leaderName: String? { leader.map(processName) }

    public func snapshot(app i: Int) -> AppSnapshot {
        let a = apps[i]
        let c = instanceCounts(a)
        var s = AppSnapshot(id: a.id, configVersion: a.configVersion, targetInstances: a.definition.instances, staged: c.staged,
                            running: c.running, healthy: c.healthy, unhealthy: c.unhealthy, healthUnknown: c.healthUnknown,
                            unreachable: c.unreachable, launchQueue: a.toLaunch,
                            inBackoff: false, backoffDelay: .zero, deploymentInProgress: deployments.deployment(of: i) != nil,
                            launchedTotal: a.launchedTotal, failedTotal: a.failedTotal, killedTotal: a.killedTotal,
                            lostTotal: a.lostTotal)
        if let d = rateLimiter.delay(a.launchKey), d.deadline > now {
            s.inBackoff = true
            s.backoffDelay = d.currentDelay
        }
        return s
    }

    /// The app's first completed deployment: its id, when it started (appDeploymentStarted) and
    /// when its step for the app was done (appDeployed); nils while the app was never deployed.
    public func deployTime(app i: Int) -> (deployment: Int?, started: SimTime?, finished: SimTime?) {
        (apps[i].firstDeployment, apps[i].firstDeployStarted, apps[i].firstDeployFinished)
    }

    /// An app's healthy instances and its target now (nil: no such app), as apps.csv counts them.
    public func healthyOfTarget(_ id: String) -> (healthy: Int, target: Int)? {
        guard let i = appIndex[id] else { return nil }
        let c = instanceCounts(apps[i])
        return (c.healthy, apps[i].definition.instances)
    }

    /// Every deployment so far, in order: deploymentStarted, then deploymentFinished or
    /// deploymentCancelled in events.csv (neither while it runs).
    public var deploymentRecords: [DeploymentRecord] {
        deployments.all.map { d in
            var r = DeploymentRecord(id: d.id, name: d.name, apps: d.apps.map { apps[$0].id },
                                     startedAt: d.startedAt, finishedAt: d.finishedAt, cancelledAt: d.cancelledAt)
            r.step = d.step; r.steps = d.steps.count
            if d.finishedAt == nil, !d.cancelled, d.step < d.steps.count {
                r.waitingFor = d.steps[d.step].filter { !$0.done }.map { apps[$0.app].id }
            }
            return r
        }
    }

    /// Whether deployment `id` of this Marathon reported deployment_success at `t` (deployment
    /// ids are per Marathon: a listener of the signal tells which Marathon's deployment ended).
    public func deploymentFinished(_ id: Int, at t: SimTime) -> Bool {
        deployments.all.contains { $0.id == id && $0.finishedAt == t }
    }

    /// Periods during which at least one app had fewer healthy, ready instances than its target
    /// (after its first deployment finished): the platform was degraded as users saw it. With one
    /// Marathon per data center: the union over every Marathon (some app of some data center).
    public var degradedPeriods: [(start: SimTime, end: SimTime?)] {
        guard !peers.isEmpty else { return degraded }
        var out: [(start: SimTime, end: SimTime?)] = []
        for p in all.flatMap(\.degraded).sorted(by: { $0.start < $1.start }) {
            if let last = out.last, last.end.map({ $0 >= p.start }) ?? true {
                if let e = last.end { out[out.count - 1].end = p.end.map { max($0, e) } }
            } else {
                out.append(p)
            }
        }
        return out
    }
}
