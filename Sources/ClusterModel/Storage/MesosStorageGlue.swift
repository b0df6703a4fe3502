import SimKernel

// What container storage tells the Mesos agent: the Docker daemon stopped (its containers died),
// or I/O resumed on a host (kills that hung can complete).

extension MesosCluster {
    /// The container of `task` died with the Docker daemon: the executor reports the task over.
    func storageKilledContainer(task id: TaskID, reason: String) {
        guard let t = task(id), !t.state.isTerminal else { return }
        if t.killing {
            finishOnAgent(t, .killed, .none, message: reason)
        } else {
            finishOnAgent(t, .failed, .executorTerminated, message: reason)
        }
    }

    /// I/O resumed on the host (or the daemon answers again): kills that were stuck complete
    /// after the process' stop time.
    func storageReleased(host: Int) {
        guard let a = agent(onHost: host) else { return }
        for id in a.tasks {
            guard let t = tasks[id], t.killing, !t.state.isTerminal, !containerStorage.stopBlocked(task: id) else { continue }
            let grace = spec.agentFlags.executorShutdownGracePeriod
            var d = grace
            if let st = t.behaviour.stopTime { d = min(grace, SimDuration.fromSeconds(max(0, st.sample(t.stream)))) }
            schedule(.killDone, after: d, pack2(t))
        }
    }
}
