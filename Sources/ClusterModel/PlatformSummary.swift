import SimKernel

/// The details of the Mesos/Marathon layer in one value, for code that wants them together (the
/// fuzzer, tests). summary.json's `platform` object (`Subsystem.details()`, `ContributedDetails`),
/// the headline and the CLI's closing summary do not read it. An assembly of what each subsystem
/// computes from its own state (Mesos: `MesosCluster.faultDetections()`, `failovers`, `detections`; Marathon: `MarathonScheduler
/// .figures()`, `faultRecoveries()`, `failovers`, `deploymentRecords`) with the fault injector's
/// facts (`FaultInjector.fired`). It computes nothing itself.
public struct PlatformSummary: Sendable {
    public typealias AppDeploy = ClusterModel.AppDeploy
    /// One fired fault: the injector's facts, Mesos' detection, Marathon's recovery.
    public struct FaultOutcome: Sendable {
        public var index: Int
        public var kind: String
        public var at: SimTime
        public var targets: [String]
        /// From Mesos (`FaultDetection.detectedAfter`).
        public var detectedAfter: SimDuration?
        /// From Marathon (`FaultRecovery.recoveredAfter`); nil without Marathon.
        public var recoveredAfter: SimDuration?
        /// From Marathon (`FaultRecovery.degradedApps`); false without Marathon.
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
        var p = PlatformSummary()
        p.masterFailovers = mesos.failovers
        p.agentDetections = mesos.detections
        let detections = mesos.faultDetections()
        let recoveries = marathon?.faultRecoveries()
        if let m = marathon {
            let f = m.figures()
            p.marathonFailovers = m.failovers
            p.deployments = m.deploymentRecords
            p.tasksLaunched = f.tasksLaunched; p.tasksFailed = f.tasksFailed
            p.tasksKilled = f.tasksKilled; p.tasksLost = f.tasksLost
            p.deploys = f.deploys
            p.appsBelowTargetAtEnd = f.appsBelowTargetAtEnd
            p.degraded = f.degraded
        }
        for (k, f) in faultInjector.fired.enumerated() {
            let d = detections[k], r = recoveries?[k]
            p.faults.append(.init(index: f.index, kind: faultInjector.faults[f.index].kind.rawValue, at: f.time, targets: d.targets,
                                  detectedAfter: d.detectedAfter, recoveredAfter: r?.recoveredAfter, degradedApps: r?.degradedApps ?? false))
        }
        return p
    }
}
