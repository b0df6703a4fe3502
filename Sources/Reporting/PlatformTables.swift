import ClusterModel
import SimKernel

/// apps.csv and mesos.csv: the Marathon apps and the Mesos layer, sampled.
enum PlatformTables {
    static let apps = SampledTable(
        file: "apps.csv", when: "when the scenario has a `marathon` section (long format: one row per app and sample)",
        columns: [
            ("time_s", "simulated time of the sample, seconds"),
            ("app", "Marathon app id"),
            ("version", "the app's config version (1 at start; +1 per deploy that changes the config or restart)"),
            ("target_instances", "instances the app should have"),
            ("staged", "instances in TASK_STAGING or TASK_STARTING"),
            ("running", "instances in TASK_RUNNING (reachable)"),
            ("healthy", "running instances whose health checks pass (all running ones when the app has none)"),
            ("unhealthy", "running instances with a failing health check"),
            ("health_unknown", "running instances not checked yet (in the first interval or the grace period)"),
            ("unreachable", "instances on agents Mesos marked unreachable"),
            ("launch_queue", "instances waiting to be launched (for an offer, or for the back-off)"),
            ("in_backoff", "1 while launches of the app wait for its launch delay, else 0"),
            ("backoff_delay_s", "current launch delay of the app, seconds (0 without one)"),
            ("deployment", "1 while a deployment is changing the app, else 0"),
            ("launched_total", "instances launched since the start"),
            ("failed_total", "instances ended TASK_FAILED or TASK_ERROR since the start"),
            ("killed_total", "instances ended TASK_KILLED since the start"),
            ("lost_total", "instances ended TASK_LOST, TASK_GONE or TASK_DROPPED since the start"),
        ],
        applies: { $0.marathon != nil },
        write: { model, time, w in
            guard let m = model.marathon else { return }
            for i in 0..<m.appCount {
                let s = m.snapshot(app: i)
                w.field(time); w.field(s.id); w.field(s.configVersion); w.field(s.targetInstances)
                w.field(s.staged); w.field(s.running); w.field(s.healthy); w.field(s.unhealthy); w.field(s.healthUnknown)
                w.field(s.unreachable); w.field(s.launchQueue); w.field(s.inBackoff ? 1 : 0)
                w.field(NumberFormat.seconds(s.backoffDelay.nanoseconds)); w.field(s.deploymentInProgress ? 1 : 0)
                w.field(s.launchedTotal); w.field(s.failedTotal); w.field(s.killedTotal); w.field(s.lostTotal)
                w.endRow()
            }
        })

    static let mesos = SampledTable(
        file: "mesos.csv", when: "when the scenario has a `mesos` section (one row per sample)",
        columns: [
            ("time_s", "simulated time of the sample, seconds"),
            ("leader", "leading Mesos master (host name), or none while no master leads"),
            ("leader_ready", "1 when the leading master has recovered and makes offers, else 0"),
            ("marathon_leader", "Marathon instance that leads (marathonN@host), or none"),
            ("zookeeper_serving", "1 while the ZooKeeper ensemble has a quorum, else 0"),
            ("agents_registered", "agents registered with the leading master"),
            ("agents_unreachable", "agents the master marked unreachable"),
            ("frameworks", "frameworks registered"),
            ("offers_made_total", "offers sent since the start"),
            ("offers_accepted_total", "offers accepted (used to launch tasks) since the start"),
            ("offers_declined_total", "offers declined since the start"),
            ("offers_rescinded_total", "offers rescinded since the start"),
            ("offers_outstanding", "offers sent and not yet answered"),
            ("filters_active", "decline filters in force ((framework, agent) pairs)"),
            ("cpus_total", "cpus of the registered, reachable agents"),
            ("cpus_allocated", "cpus of those allocated to tasks and outstanding offers"),
            ("mem_total_mb", "memory of the registered, reachable agents, MB"),
            ("mem_allocated_mb", "memory allocated, MB"),
            ("tasks_running", "tasks in TASK_RUNNING"),
        ],
        applies: { $0.mesos != nil },
        write: { model, time, w in
            guard let mesos = model.mesos else { return }
            let m = mesos.metrics()
            w.field(time); w.field(m.leaderMaster >= 0 ? m.leaderName : "none"); w.field(m.leaderReady ? 1 : 0)
            w.field(model.marathon?.leaderName ?? "none"); w.field(m.zooKeeperServing ? 1 : 0)
            w.field(m.agentsRegistered); w.field(m.agentsUnreachable); w.field(m.frameworksRegistered)
            w.field(m.offersMade); w.field(m.offersAccepted); w.field(m.offersDeclined); w.field(m.offersRescinded)
            w.field(m.outstandingOffers); w.field(m.filtersActive)
            w.field(m.cpusTotal, decimals: 3); w.field(m.cpusAllocated, decimals: 3)
            w.field(m.memTotalMB, decimals: 3); w.field(m.memAllocatedMB, decimals: 3)
            w.field(m.tasksRunning)
            w.endRow()
        })
}
