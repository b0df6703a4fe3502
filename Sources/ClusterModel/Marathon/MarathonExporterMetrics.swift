import SimKernel

// Marathon as Prometheus sees it (docs/metrics.md):
// - its /metrics endpoint (:8080). The seed platform's Marathon 1.4 serves Dropwizard metrics as
//   JSON only (Prometheus text came with 1.7); a Dropwizard-to-Prometheus bridge renames
//   `service.mesosphere.marathon.task.running.count` to `service_mesosphere_marathon_task_running_count`
//   (prometheus/client_java DropwizardExports: every character outside [a-zA-Z0-9_:] becomes `_`);
// - per-app instance counts as Factual/marathon-apps-exporter serves them from /v2/apps
//   (`marathon_app_tasksRunning{id}` ...), served on the same endpoint here;
// - the task list marathon_sd_configs reads (/v2/apps?embed=apps.tasks).

extension MarathonScheduler: MetricsContributor, MarathonTaskSource {
    static let families = [
        MetricFamily("service_mesosphere_marathon_leaderDuration", .gauge, "Dropwizard gauge service.mesosphere.marathon.leaderDuration (ms)"),
        MetricFamily("service_mesosphere_marathon_app_count", .gauge, "Dropwizard gauge service.mesosphere.marathon.app.count"),
        MetricFamily("service_mesosphere_marathon_task_running_count", .gauge, "Dropwizard gauge service.mesosphere.marathon.task.running.count"),
        MetricFamily("service_mesosphere_marathon_task_staged_count", .gauge, "Dropwizard gauge service.mesosphere.marathon.task.staged.count"),
        MetricFamily("marathon_app_instances", .gauge, "Target instances of the app (/v2/apps instances)"),
        MetricFamily("marathon_app_tasksRunning", .gauge, "Running tasks of the app (/v2/apps tasksRunning)"),
        MetricFamily("marathon_app_tasksStaged", .gauge, "Staged tasks of the app (/v2/apps tasksStaged)"),
        MetricFamily("marathon_app_tasksHealthy", .gauge, "Healthy tasks of the app (/v2/apps tasksHealthy)"),
        MetricFamily("marathon_app_tasksUnhealthy", .gauge, "Unhealthy tasks of the app (/v2/apps tasksUnhealthy)"),
    ]

    public func metricEndpoints() -> [MetricEndpoint] {
        processes.map { MetricEndpoint(kind: .marathon, host: $0.host, port: ExporterKind.marathon.defaultPort) }
    }

    public func metricFamilies(for kind: ExporterKind) -> [MetricFamily] { kind == .marathon ? MarathonScheduler.families : [] }

    /// Up while the Marathon process on that host runs.
    public func endpointUp(_ e: MetricEndpoint, now: SimTime) -> Bool? {
        guard e.kind == .marathon else { return nil }
        return processes.first { $0.host == e.host }?.alive ?? false
    }

    public func collect(_ e: MetricEndpoint, now: SimTime, into w: MetricWriter) {
        guard e.kind == .marathon, let i = processes.firstIndex(where: { $0.host == e.host }), processes[i].alive else { return }
        let f = MarathonScheduler.families
        // a standby answers with the task tracker's counts at 0 (reset when leadership is lost,
        // InstanceTrackerActor.resetMetrics) and no apps; leaderDuration is 0 unless it leads
        let leads = leader == i
        if w.begin(f[0], exposing: 1) {
            let since = leads ? leaderChanges.last(where: { $0.leader != nil })?.time : nil
            w.add(f[0].name, [], since.map { (now - $0).seconds * 1000 } ?? 0)
        }
        if w.begin(f[1], exposing: 1) { w.add(f[1].name, [], Double(apps.count)) }
        let snaps = (f[2...]).contains(where: w.needs) && leads ? apps.indices.map { snapshot(app: $0) } : []
        if w.begin(f[2], exposing: 1) { w.add(f[2].name, [], Double(snaps.reduce(0) { $0 + $1.running })) }
        if w.begin(f[3], exposing: 1) { w.add(f[3].name, [], Double(snaps.reduce(0) { $0 + $1.staged })) }
        let n = leads ? apps.count : 0
        let perApp: [(MetricFamily, (AppSnapshot) -> Int)] = [
            (f[4], { $0.targetInstances }), (f[5], { $0.running }), (f[6], { $0.staged }),
            (f[7], { $0.healthy }), (f[8], { $0.unhealthy }),
        ]
        for (fam, value) in perApp where w.begin(fam, exposing: n) {
            for s in snaps { w.add(fam.name, [("id", s.id)], Double(value(s))) }
        }
    }

    /// Every active instance with its host ports (the Mesos task's port resources, ascending),
    /// in app order then launch order.
    public func marathonSDTasks() -> [MarathonSDTask] {
        var out: [MarathonSDTask] = []
        // Prometheus' marathon_sd reads /v2/apps?embed=apps.tasks (discovery/marathon/marathon.go):
        // pods are not there
        for a in apps where a.definition.pod == nil {
            let appLabels = a.definition.labels.map { ($0.name, $0.value) }
            let portLabels = a.definition.ports.map { $0.labels.map { ($0.name, $0.value) } }
            for inst in a.instances where inst.isActive {
                let ports = mesos.task(inst.task).map { $0.resources.ports.ranges.flatMap { Array($0) } } ?? []
                out.append(MarathonSDTask(appId: a.id, task: inst.task, taskId: inst.name, host: inst.host, ports: ports,
                                          appLabels: appLabels, portLabels: portLabels, running: inst.state == .running))
            }
        }
        return out
    }
}
