import SimKernel

// What the Mesos subsystem writes into a results folder: mesos.csv, its charts, and the
// platform's headline figures (tasks, deploys, failovers, fault detection and recovery).

extension MesosCluster {
    public static let outputs = SubsystemOutputs(
        tables: [mesosTable, workDirTable],
        plots: [
            SubsystemPlot(file: "mesos_agents", title: "Mesos agents: registered with the leading master, marked unreachable", ylabel: "agents",
                          source: "mesos.csv",
                          columns: [("agents_registered", "agents registered"), ("agents_unreachable", "agents unreachable")]),
            SubsystemPlot(file: "mesos_leader", title: "Mesos leading master ready, ZooKeeper quorum (1 = yes, 0 = no)", ylabel: "1 = yes, 0 = no",
                          source: "mesos.csv",
                          columns: [("leader_ready", "leading master ready"), ("zookeeper_serving", "ZooKeeper quorum")]),
            SubsystemPlot(file: "mesos_allocation", title: "Mesos allocation: cpus of the reachable agents and cpus allocated to tasks and offers",
                          ylabel: "cores", source: "mesos.csv",
                          columns: [("cpus_total", "cpus of reachable agents"), ("cpus_allocated", "cpus allocated")]),
            SubsystemPlot(file: "mesos_workdir", title: "Mesos agents' work_dir filesystem used (sandboxes and other files), per agent",
                          ylabel: "GiB", source: "workdir.csv", perKey: ("host", "work_dir_used_gib")),
            SubsystemPlot(file: "mesos_sandboxes", title: "Sandboxes on each agent's work_dir (running and waiting for GC)",
                          ylabel: "sandboxes", source: "workdir.csv", perKey: ("host", "sandboxes")),
        ],
        headline: platformHeadlineMeanings,
        headlineIntro: "With a `mesos` section the headline goes on with the platform's figures, and summary.json gets a "
            + "`platform` object with the details: each app's deploy time, each fault's detection and recovery, each "
            + "agent detection, master and Marathon failover. A figure that does not apply is empty in the CSV and `null` "
            + "in the JSON.",
        headlineNotes: platformFromEvents,
        detailsKey: "platform")

    static let mesosTable = SubsystemTable(
        of: MesosCluster.self, file: "mesos.csv", when: "when the scenario has a `mesos` section (one row per sample)",
        columns: [
            ("time_s", "simulated time of the sample, seconds"),
            ("leader", "leading Mesos master (host name), or none while no master leads"),
            ("leader_ready", "1 when the leading master has recovered and makes offers, else 0"),
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
        ]) { mesos, time, w in
            let m = mesos.metrics()
            w.field(time); w.field(m.leaderMaster >= 0 ? m.leaderName : "none"); w.field(m.leaderReady ? 1 : 0)
            // (Marathon adds `marathon_leader` here: MarathonScheduler.leaderColumn)
            w.field(m.zooKeeperServing ? 1 : 0)
            w.field(m.agentsRegistered); w.field(m.agentsUnreachable); w.field(m.frameworksRegistered)
            w.field(m.offersMade); w.field(m.offersAccepted); w.field(m.offersDeclined); w.field(m.offersRescinded)
            w.field(m.outstandingOffers); w.field(m.filtersActive)
            w.field(m.cpusTotal, decimals: 3); w.field(m.cpusAllocated, decimals: 3)
            w.field(m.memTotalMB, decimals: 3); w.field(m.memAllocatedMB, decimals: 3)
            w.field(m.tasksRunning)
            w.endRow()
        }

    static let workDirTable = SubsystemTable(
        of: MesosCluster.self, file: "workdir.csv", when: "when the scenario has `mesos.agents.workDir` (long format: one row per agent and sample)",
        columns: [
            ("time_s", "simulated time of the sample, seconds"),
            ("host", "the agent's host"),
            ("work_dir_used_gib", "used on the work_dir's filesystem (sandboxes and `used`), GiB"),
            ("work_dir_total_gib", "the filesystem's size (`capacity`), GiB"),
            ("work_dir_usage", "used / size: what the agent's disk check reads (0 to 1)"),
            ("full", "1 while no byte is free (sandbox writes fail with ENOSPC, sandboxes cannot be created)"),
            ("sandboxes", "sandboxes on disk"),
            ("sandboxes_running", "sandboxes whose executor still runs (not scheduled for GC)"),
            ("sandboxes_size_gib", "bytes in the sandboxes, GiB"),
            ("sandboxes_removed_total", "sandboxes removed by the GC timer (gc_delay reached) since the start"),
            ("sandboxes_pruned_total", "sandboxes pruned by the disk check since the start"),
            ("sandbox_create_failures_total", "launches dropped because the sandbox could not be created"),
            ("max_allowed_age_s", "the last disk check's max allowed age (gc_delay * max(0, 1 - gc_disk_headroom - usage)), seconds; empty before the first check that pruned"),
        ],
        applies: { $0.spec.workDir != nil }) { mesos, time, w in
            for a in mesos.agents {
                guard let d = a.workDir else { continue }
                d.advance(to: mesos.model.sim.now)
                w.field(time); w.field(a.name)
                w.field(d.used / Double(GiB), decimals: 3); w.field(d.capacity / Double(GiB), decimals: 3)
                w.field(d.usage, decimals: 4); w.field(d.full ? 1 : 0)
                w.field(d.sandboxes.count); w.field(d.running)
                w.field(d.sandboxBytes / Double(GiB), decimals: 3)
                w.field(d.removedTotal); w.field(d.prunedTotal); w.field(d.createFailures)
                if let m = d.maxAllowedAge { w.field(m.seconds, decimals: 3) } else { w.field("") }
                w.endRow()
            }
        }

    public static let platformHeadlineMeanings: [(key: String, meaning: String)] = [
        ("master_failovers", "times the leading Mesos master was lost (`leaderLost` rows)"),
        ("max_master_failover_s", "longest time from losing the leading master to a new leader ready (a `leaderLost` row to the next `masterReady`), seconds"),
        ("faults_detected", "faults the platform noticed: a host fault when a host it hit is marked unreachable (`agentUnreachable` at or after the fault), a master crash when the next failover ends"),
        ("max_detection_s", "longest time from a fault (its first `fault[k]` row) to its detection (for a host fault, the last of its hosts' first `agentUnreachable`), seconds"),
    ]

    /// How the deployment and task figures are read from events.csv (written after the platform table).
    static let platformFromEvents = """
    The deployment and task figures are defined by rows of events.csv, so they can be recomputed from it
    (Tests/EndToEndTests/SummaryFromEventsTests.swift does, for every shipped scenario):

    - Marathon logs each deployment as `deploymentStarted` (subject `deployment-N`), one `deploymentStep` per
      step done and `deploymentFinished` (or `deploymentCancelled`), and, for each app of the deployment,
      `appDeploymentStarted` when the deployment is created and `appDeployed` when the step holding the app is
      done; both have the app id as subject and `deployment-N` at the start of the detail.
    - An app's deploy time (`platform.deploys[].deploy_s` in summary.json) is the time of its first
      `appDeployed` minus the time of the `appDeploymentStarted` of the same deployment (the app's latest one
      before it: an app is in one deployment at a time). `started_at_s`, `deployed_at_s` and `deployment` give
      the two rows. It includes the wait for the Marathon leader, for offers and for the steps of the apps it
      depends on; it is never negative. An app that no deployment reached has `null`; an app deployed at 0
      instances has the short time its deployment took to reach its step. The initial deployment of the
      scenario's apps starts at time 0 (the root group is posted when the run starts).
    - `platform.deployments` in summary.json lists every deployment: `started_at_s` is its `deploymentStarted`,
      `finished_at_s` its `deploymentFinished` (`duration_s` the difference) and `cancelled_at_s` its
      `deploymentCancelled`; both are `null` for a deployment still running at the end. `waiting_for` lists, for
      a deployment still running at the end, the apps of its current step that are not done (fewer healthy,
      ready instances of the new version than their target, or a restart not finished), in the step's order, as
      Marathon's `GET /v2/deployments` shows its `currentActions`; it is empty for every other deployment. The
      run's terminal summary names them with their healthy count. The apps of the other steps wait for these:
      an app of a later step has no `appDeployed` row, and neither has an app of this step that is done (its
      step is not).
    - Task counts: every task (subject of `TASK_STAGING`) is counted once, by its first terminal event:
      `TASK_FAILED`/`TASK_ERROR` (failed), `TASK_KILLED` (killed), `TASK_LOST`/`TASK_GONE`/
      `TASK_GONE_BY_OPERATOR`/`TASK_DROPPED` (lost). A task Marathon forgot first
      (`expungeUnreachable`) is not counted, nor is a status that arrives after the instance was counted.
    - `host_crashes` counts `host,crashed` rows and `host_reboots` `host,rebootStarted` rows.

    """
}
