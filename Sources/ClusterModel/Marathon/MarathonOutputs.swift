import SimKernel

// What the Marathon subsystem writes into a results folder: apps.csv and its per-app charts.

/// An app's instances by state and health, as apps.csv and Marathon's exporter count them
/// (`MarathonScheduler.snapshot(app:)`).
struct InstanceCounts: Equatable {
    var staged = 0, running = 0, healthy = 0, unhealthy = 0, healthUnknown = 0, unreachable = 0
}

extension MarathonAppState {
    /// Counts every active instance: unreachable ones apart, the others by state, running ones by
    /// health (`healthKnown`).
    func countInstances() -> InstanceCounts {
        var c = InstanceCounts()
        let def = definition
        for inst in instances where inst.isActive {
            if inst.isUnreachable { c.unreachable += 1; continue }
            switch inst.state {
            case .staging, .starting: c.staged += 1
            case .running:
                c.running += 1
                switch inst.healthKnown(def) {
                case true?: c.healthy += 1
                case false?: c.unhealthy += 1
                case nil: c.healthUnknown += 1
                }
            default: break
            }
        }
        return c
    }
}

extension MarathonScheduler {
    /// The app's `InstanceCounts`, counted again only after something they depend on changed
    /// (issue 14: apps.csv at every sample and the exporter at every scrape counted every instance
    /// of every app). They depend on the instances' list, state, reachability, Marathon-level
    /// health results, Mesos-level health and the definition's health checks; the scheduler bumps
    /// `MarathonAppState.revision` where those change (a launch, a status update, a health
    /// result, an expunged instance, a new definition). `InstanceCountsTests` compares them with
    /// `countInstances()` after every event of runs that go through each of those changes.
    func instanceCounts(_ a: MarathonAppState) -> InstanceCounts {
        if cacheByRevision, let c = a.instanceCounts, c.revision == a.revision { return c.counts }
        let c = a.countInstances()
        a.instanceCounts = (a.revision, c)
        return c
    }
}

extension MarathonScheduler {
    public static let outputs = SubsystemOutputs(
        tables: [appsTable],
        plots: [
            SubsystemPlot(file: "apps_healthy", title: "Healthy instances per Marathon app", ylabel: "healthy instances", source: "apps.csv",
                          perKey: ("app", "healthy")),
            SubsystemPlot(file: "apps_backoff", title: "Launch delay (back-off) per Marathon app", ylabel: "launch delay (s)", source: "apps.csv",
                          perKey: ("app", "backoff_delay_s")),
        ],
        columns: [leaderColumn],
        figures: headlineFigures,
        details: platformDetails)

    /// Marathon's figures in the platform headline (Mesos' `headline()`): tasks and deploys before
    /// Mesos' figures, its failovers after the master's, recovery after detection. With Mesos and
    /// without Marathon they read as they always have (zeros, empty).
    static let headlineFigures: [ContributedFigures] = [
        ContributedFigures(
            of: MarathonScheduler.self, into: "mesos", after: nil,
            keys: [
                ("tasks_launched", "Marathon instances launched: the tasks of events.csv's `TASK_STAGING` rows, and of `TASK_ERROR` rows of tasks the master refused before staging them (an invalid task, e.g. an id too long for Mesos: Marathon launched it, Mesos never staged it); one per launch; Chronos' tasks, named `ct:...`, are not counted in the `tasks_*` figures"),
                ("tasks_failed", "instances whose first terminal event is `TASK_FAILED` or `TASK_ERROR`"),
                ("tasks_killed", "instances whose first terminal event is `TASK_KILLED` (health-check kills, scale-downs, restarts)"),
                ("tasks_lost", "instances whose first terminal event is `TASK_LOST`, `TASK_GONE`, `TASK_GONE_BY_OPERATOR`, `TASK_DROPPED`"),
                ("apps_deployed", "apps with an `appDeployed` row: a deployment's step holding the app was done"),
                ("slowest_deploy_s", "longest deploy time of an app (see below): its first `appDeployed` minus the `appDeploymentStarted` of the same deployment, seconds"),
                ("apps_below_target_at_end", "apps with fewer healthy instances than their target at the end"),
                ("apps_degraded_s", "time some app had fewer healthy, ready instances than its target (after its first `appDeployed`), seconds: in events.csv, the periods from an `appBelowTarget` while no app was below target to the `appAtTarget` that leaves none below"),
            ],
            absent: [.int(0), .int(0), .int(0), .int(0), .int(0), .none, .int(0), .number(0, decimals: 9)]) { m in
                let p = m.figures()
                func n(_ i: Int) -> HeadlineFigure.Value { .int(Int64(i)) }
                let deployed = p.deploys.compactMap(\.seconds)
                return [
                    HeadlineFigure("tasks_launched", n(p.tasksLaunched)),
                    HeadlineFigure("tasks_failed", n(p.tasksFailed)),
                    HeadlineFigure("tasks_killed", n(p.tasksKilled)),
                    HeadlineFigure("tasks_lost", n(p.tasksLost)),
                    HeadlineFigure("apps_deployed", n(deployed.count)),
                    HeadlineFigure("slowest_deploy_s", deployed.max().map { .number($0, decimals: 9) } ?? .none),
                    HeadlineFigure("apps_below_target_at_end", n(p.appsBelowTargetAtEnd)),
                    HeadlineFigure("apps_degraded_s", .number(p.degraded.seconds, decimals: 9)),
                ]
            },
        ContributedFigures(
            of: MarathonScheduler.self, into: "mesos", after: "max_master_failover_s",
            keys: [("marathon_failovers", "times the Marathon leader was lost (with one Marathon per data center: of any of them)")], absent: [.int(0)]) { m in
                [HeadlineFigure("marathon_failovers", .int(Int64(m.all.reduce(0) { $0 + $1.failovers.count })))]
            },
        ContributedFigures(
            of: MarathonScheduler.self, into: "mesos", after: "max_detection_s",
            keys: [("max_recovery_s", "longest time from a fault (the first events.csv row whose detail starts `fault[k]`) to the end of the degraded period (see `apps_degraded_s`) it caused, seconds: in the fault's window (to the next fault at a later instant), the first `appBelowTarget` whose detail names a host the fault hit (`; not on slave-02 (a fault hit it)`: the app's missing instances were there), or the first degraded period that began while the fault was in effect (before its `recoverAfter`, `downFor`, `healAfter` or `restartAfter`) or while no master led after a `leaderLost` in the window; a degradation after the fault is over, on other hosts, is not the fault's")],
            absent: [.none]) { m in
                let recovered = m.faultRecoveries().compactMap(\.recoveredAfter)
                return [HeadlineFigure("max_recovery_s", recovered.max().map { .number($0.seconds, decimals: 9) } ?? .none)]
            },
    ]

    /// mesos.csv's `marathon_leader`: Marathon says who leads it (Mesos does not know Marathon);
    /// "none" while no instance leads or without a `marathon` section.
    static let leaderColumn = ContributedColumns(
        of: MarathonScheduler.self, table: "mesos.csv", after: "leader_ready",
        columns: [("marathon_leader", "Marathon instance that leads (marathonN@host), or none; with one Marathon per data center, each one's (marathon-dc01-N@host or none) in `marathon.datacenters` order, separated by spaces")],
        absent: { w in w.field("none") }) { m, _, _, w in
            if m.peers.isEmpty { w.field(m.leaderName ?? "none") } else { w.field(m.all.map { $0.leaderName ?? "none" }.joined(separator: " ")) }
        }

    static let appsTable = SubsystemTable(
        of: MarathonScheduler.self, file: "apps.csv", when: "when the scenario has a `marathon` section (long format: one row per app and sample)",
        columns: [
            ("time_s", "simulated time of the sample, seconds"),
            ("app", "Marathon app id (with one Marathon per data center: marathon-<dc>:<app id>, rows in `marathon.datacenters` order)"),
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
        ]) { first, time, w in
            for m in first.all {
              for i in 0..<m.appCount {
                let s = m.snapshot(app: i)
                w.field(time); w.field(m.datacenter == nil ? s.id : m.appLabel(s.id)); w.field(s.configVersion); w.field(s.targetInstances)
                w.field(s.staged); w.field(s.running); w.field(s.healthy); w.field(s.unhealthy); w.field(s.healthUnknown)
                w.field(s.unreachable); w.field(s.launchQueue); w.field(s.inBackoff ? 1 : 0)
                w.field(NumberFormat.seconds(s.backoffDelay.nanoseconds)); w.field(s.deploymentInProgress ? 1 : 0)
                w.field(s.launchedTotal); w.field(s.failedTotal); w.field(s.killedTotal); w.field(s.lostTotal)
                w.endRow()
              }
            }
        }
}
