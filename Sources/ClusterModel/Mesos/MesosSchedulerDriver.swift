import SimKernel

/// The scheduler driver a framework calls (through the leading master).
public final class MesosSchedulerDriver: SchedulerDriver {
    /// unowned(unsafe): the cluster keeps its frameworks' drivers; a plain `unowned` reference costs
    /// a strong retain and release per call (`probeEpoch` and `routineProbe` run per health probe).
    unowned(unsafe) let cluster: MesosCluster
    let framework: Int
    init(cluster: MesosCluster, framework: Int) { self.cluster = cluster; self.framework = framework }

    public func launch(offer: Int64, tasks: [TaskLaunch], refuseSeconds: Double) -> [TaskID]? {
        cluster.launch(framework, offer: offer, tasks, refuseSeconds: refuseSeconds)
    }
    public func decline(offer: Int64, refuseSeconds: Double) { cluster.decline(framework, offer: offer, refuseSeconds: refuseSeconds) }
    public func suppressOffers() { cluster.suppress(framework) }
    public func reviveOffers() { cluster.revive(framework) }
    public func kill(task: TaskID) { cluster.kill(framework, task: task) }
    public func reconcile(tasks: [TaskID]) { cluster.reconcile(framework, tasks: tasks) }
    public func reconcileChanges(loud: [TaskID], quiet: Int, all: () -> [TaskID], known: (TaskID) -> Bool) {
        cluster.reconcileChanges(framework, loud: loud, quiet: quiet, all: all, known: known)
    }
    public func probe(task: TaskID, from host: Int, timeout: SimDuration) -> ProbeOutcome {
        cluster.probe(task: task, from: host, timeout: timeout)
    }
    public func routineProbe(task: TaskID, from host: Int, timeout: SimDuration, state: inout RoutineProbe) -> ProbeOutcome? {
        cluster.routineProbe(task: task, from: host, timeout: timeout, state: &state)
    }
    public var probeEpoch: Int { cluster.probeEpoch }
}
