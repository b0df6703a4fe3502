import SimKernel

/// Headline figures of the Mesos/Marathon layer: deployments, task losses, and for each fault how
/// long the platform took to notice it and to be whole again.
public struct PlatformSummary: Sendable {
    /// An app's first deployment, as events.csv logs it: `appDeploymentStarted` (the deployment was
    /// created) and `appDeployed` (the deployment's step holding the app was done).
    public struct AppDeploy: Sendable {
        public var app: String
        /// The deployment (deployment-N in events.csv) that first deployed the app; nil: none did.
        public var deployment: Int?
        public var startedAt: SimTime?
        public var deployedAt: SimTime?
        /// deployedAt - startedAt; nil when no deployment of the app completed its step.
        public var seconds: Double? {
            guard let s = startedAt, let e = deployedAt else { return nil }
            return (e - s).seconds
        }
    }
    public struct FaultOutcome: Sendable {
        public var index: Int
        public var kind: String
        public var at: SimTime
        public var targets: [String]
        /// Fault -> the platform noticed (agent marked unreachable, new leading master ready); nil: not noticed.
        public var detectedAfter: SimDuration?
        /// Fault -> every app back at its target of healthy, ready instances, when the fault
        /// degraded the apps; nil when it did not (see `degradedApps`) or they never recovered.
        public var recoveredAfter: SimDuration?
        /// Whether the fault was followed by a period in which some app was below target.
        public var degradedApps: Bool
    }
    public var tasksLaunched = 0
    public var tasksFailed = 0
    public var tasksKilled = 0
    public var tasksLost = 0
    public var deploys: [AppDeploy] = []
    /// Every Marathon deployment (the initial one, operator deploys, scales and restarts).
    public var deployments: [DeploymentRecord] = []
    public var appsBelowTargetAtEnd = 0
    /// Total time some app was below its target of healthy instances (after its first deployment).
    public var degraded: SimDuration = .zero
    public var masterFailovers: [MasterFailover] = []
    public var marathonFailovers: [(lostAt: SimTime, readyAt: SimTime?)] = []
    public var agentDetections: [AgentDetection] = []
    public var faults: [FaultOutcome] = []
    public init() {}
}

extension ClusterSimulation {
    /// nil when the scenario has no Mesos section.
    public func platformSummary() -> PlatformSummary? {
        guard let mesos else { return nil }
        let now = sim.now
        var p = PlatformSummary()
        p.masterFailovers = mesos.failovers
        p.agentDetections = mesos.detections
        var periods: [(start: SimTime, end: SimTime?)] = []
        if let m = marathon {
            p.marathonFailovers = m.failovers
            p.deployments = m.deploymentRecords
            periods = m.degradedPeriods
            for i in 0..<m.appCount {
                let s = m.snapshot(app: i)
                p.tasksLaunched += s.launchedTotal
                p.tasksFailed += s.failedTotal
                p.tasksKilled += s.killedTotal
                p.tasksLost += s.lostTotal
                let (dep, st, fin) = m.deployTime(app: i)
                p.deploys.append(.init(app: s.id, deployment: dep, startedAt: st, deployedAt: fin))
                if s.healthy < s.targetInstances { p.appsBelowTargetAtEnd += 1 }
            }
            for d in periods { p.degraded += (d.end ?? now) - d.start }
        }
        let fired = faultInjector.fired
        for (k, f) in fired.enumerated() {
            let spec = faultInjector.faults[f.index]
            let nextFault = k + 1 < fired.count ? fired[k + 1].time : SimTime.distantFuture
            var out = PlatformSummary.FaultOutcome(index: f.index, kind: spec.kind.rawValue, at: f.time, targets: f.hosts,
                                                   detectedAfter: nil, recoveredAfter: nil, degradedApps: false)
            switch spec.kind {
            case .hostCrash, .hostReboot, .agentCrash, .networkPartition:
                var worst: SimDuration? = nil
                for h in f.hosts {
                    if let d = mesos.detections.first(where: { $0.agent == h && $0.unreachableAt >= f.time }) {
                        worst = max(worst ?? .zero, d.unreachableAt - f.time)
                    }
                }
                out.detectedAfter = worst
            case .masterCrash:
                if let fo = mesos.failovers.first(where: { $0.lostAt >= f.time }), let r = fo.readyAt { out.detectedAfter = r - f.time }
                out.targets = [mesos.failovers.first(where: { $0.lostAt >= f.time })?.from ?? "leader"]
            case .hostRecover, .zookeeperCrash:
                break
            }
            if let period = periods.first(where: { $0.start >= f.time && $0.start < nextFault }) {
                out.degradedApps = true
                out.recoveredAfter = period.end.map { $0 - f.time }
            }
            p.faults.append(out)
        }
        return p
    }
}
