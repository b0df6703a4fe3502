import Foundation

/// What every completed results folder satisfies, by the definitions of docs/outputs.md (the column
/// lists the writers use): `check(folder:)` reads the folder's files and returns every violated
/// invariant as `file:line: column: what is wrong` (line 1 is the header; summary.json's lines are
/// not counted: `summary.json:0`). Internal to the tests and to clustersim-fuzz, which checks every
/// run it completes; not a command of the CLI.
///
/// Each invariant below carries the sentence of docs/outputs.md (or the code line) it follows from.
/// Nothing here "usually" holds: a rule that is not a consequence of a definition is not checked.
/// One pass over each file: the cost is linear in the size of the folder (the cross-file checks keep
/// one value per entity or per sample time).
public enum OutputInvariants {
    /// A violation found in `folder`, or an empty list.
    public static func check(folder: String) -> [String] {
        var c = Checker(folder: folder)
        c.run()
        return c.out
    }

    /// docs/outputs.md's "Invariants every results folder satisfies" (written, not generated: the
    /// list follows the rules of this file).
    public static let docsSection = """
    ## Invariants every results folder satisfies

    These follow from the definitions above; `OutputInvariants.check(folder:)` (Sources/Reporting/OutputInvariants.swift)
    checks them and names each violation as `file:line: column: what is wrong`. It is internal (no command of the CLI):
    Tests/EndToEndTests/OutputInvariantsTests.swift runs it over every results folder under results/ and over a
    minimal hand-written folder broken one invariant at a time, and clustersim-fuzz runs it on every run a child
    completes (a violation is the failure kind `invariant`, saved and reproducible like the others).

    - Every CSV: the header is the documented one (the tables above, in order); every row has the header's field
      count; `\\n` line ends and a final line end; numbers parse as decimals and are finite (`nan`, `inf` are never
      written, except alerts.csv `value` and samples.csv `value`, documented to hold `NaN`, `+Inf`, `-Inf`,
      `stale`); a numeric cell is empty only where its meaning says so ("empty before ...", "empty without ...",
      the rows of network.csv that do not measure it, releases.csv's times not reached).
    - Time: `time_s` is never negative and never decreases within a file; in the tables with one row per entity and
      sample (timeline, hosts, mesos, workdir, apps, chronos, storage, ceph, consul, nginx, marathonlb, traffic,
      lb, scrapes, prometheus, registry) an entity has at most one row per instant, and every `time_s` is one of
      timeline.csv's samples; events.csv is in time order; timeline.csv starts at 0, ends at `simulated_s` (or less than one `sampleInterval` before it, when the interval does not divide the duration) and has
      `samples` rows.
    - Counters: every column documented as counting "since the start", "so far" or cumulative (`*_total`, `reloads`,
      `regenerations`, chronos.csv's counts, registry.csv's "since the start" columns, `downtime_s`, consul.csv's
      `raft_term`, `version`) never decreases for the same entity.
    - Ranges: counts are non-negative integers; 0/1 columns are 0 or 1; ratios (`*_ratio`, `work_dir_usage`,
      `degraded_ratio`, `pgs_blocked_ratio`, `docker_pool_free_ratio`) are within [0, 1]; `udp_loss_pct` within
      [0, 100]; states are one of the documented words.
    - Capacity: free <= total and free >= 0 for cpus, memory and disk in timeline.csv and hosts.csv; a host that is
      not up has zero usable capacity, `up` is 1 exactly when `state` is up, and `downtime_s` <= `time_s`;
      `hosts_up + hosts_down + hosts_rebooting = hosts_total`, `cpus_total_cores + cpus_lost_cores` the same at every sample; per sample, hosts.csv has `hosts_total` rows whose
      `up` and capacities sum to timeline.csv's (within the 3-decimal rounding of each cell).
    - Conservation: mesos.csv `offers_accepted_total + offers_declined_total + offers_rescinded_total +
      offers_outstanding <= offers_made_total`, allocated <= total; apps.csv `healthy + unhealthy + health_unknown
      = running`, `staged + running + unreachable <= launched_total - failed_total - killed_total - lost_total`;
      chronos.csv `running + succeeded + failed <= launched`; workdir.csv used <= size, `sandboxes_running <=
      sandboxes`, `sandboxes_size_gib <= work_dir_used_gib`; storage.csv used <= total for the
      pool's data and metadata and the host filesystem, `container_logs_gib <= host_fs_used_gib`, reclaimable <=
      containers' size; ceph.csv `osds_up`, `osds_in` <= `osds_total`; nginx.csv `servers_known <= servers`;
      lb.csv `failed <= requests`; scrapes.csv `up <= targets`; registry.csv `pulls_manifest_unknown <=
      pulls_failed`; traffic.csv p50 <= p95 <= p99; alerts.csv `from` != `to`; samples.csv `appended_ms >=
      timestamp_ms`; releases.csv `commit_to_production_s = deployed_s - commit_s`.
    - Summary: summary.csv has one data row whose keys are documented and unique, and summary.json's `headline`
      holds the same keys with the same values; `hosts`, `hosts_up_at_end`, `samples`, `simulated_s` agree with
      timeline.csv, `min_hosts_up` is at most its fewest hosts up, `host_downtime_s` is the sum of hosts.csv's last
      `downtime_s`; `host_crashes`, `host_reboots`, `tasks_launched`, `master_failovers`, `consul_detections`,
      `consul_leader_elections`, `nginx_reloads`, `nginx_reloads_failed`, `template_renders` are the counts of
      their events.csv rows; `alerts_fired` counts alerts.csv rows to firing, `scrapes_failed` sums scrapes.csv's
      `failed`, `notifications_sent` counts notifications.csv's rows, `peak_p99_latency_ms` is traffic.csv's largest
      `latency_p99_ms`; the `chronos_*` figures sum (or take the largest of) chronos.csv's last row per job; the
      marathon-lb figures sum marathonlb.csv's last row per instance, `replicated_bytes`, `pulls_failed` and
      `replications_dead` registry.csv's last row per registry; ratios of the headline within [0, 1].

    """

    // MARK: - column rules

    enum Kind: Equatable {
        case text
        /// a finite decimal number; `optional`: the cell may be empty
        case number(optional: Bool)
        /// one of these words
        case word([String])
        /// samples.csv / alerts.csv values: a number, or the words Prometheus prints
        case promValue([String])
    }

    struct Col {
        var name: String
        var kind: Kind = .number(optional: false)
        var min: Double? = nil
        var max: Double? = nil
        var integer = false
        var cumulative = false
    }

    static func text(_ n: String) -> Col { Col(name: n, kind: .text) }
    static func word(_ n: String, _ w: [String]) -> Col { Col(name: n, kind: .word(w)) }
    /// a non-negative number (a quantity, a duration, a rate)
    static func qty(_ n: String, optional: Bool = false) -> Col { Col(name: n, kind: .number(optional: optional), min: 0) }
    /// any finite number
    static func num(_ n: String, optional: Bool = false) -> Col { Col(name: n, kind: .number(optional: optional)) }
    /// a count: a non-negative integer
    static func count(_ n: String) -> Col { Col(name: n, min: 0, integer: true) }
    /// a count since the start: never decreases for the same entity
    static func total(_ n: String) -> Col { Col(name: n, min: 0, integer: true, cumulative: true) }
    static func flag(_ n: String) -> Col { Col(name: n, min: 0, max: 1, integer: true) }
    static func ratio(_ n: String, optional: Bool = false) -> Col { Col(name: n, kind: .number(optional: optional), min: 0, max: 1) }
    static func time(_ n: String = "time_s") -> Col { Col(name: n, min: 0) }

    /// A cross-column rule of one row: nil when it holds, else (column, what is wrong).
    typealias RowRule = (Row) -> (String, String)?

    struct Spec {
        var file: String
        /// columns naming the entity a row is about (empty: one row per instant, or a log)
        var entity: [String] = []
        /// one row per entity and sample, at sample times (timeline.csv's)
        var sampled = false
        var cols: [Col]
        var rules: [RowRule] = []
    }

    /// free <= total and free >= 0 (the free part of a capacity is a part of it).
    static func within(_ free: String, _ total: String, _ slack: Double = 0) -> RowRule {
        { r in
            guard let f = r[free], let t = r[total] else { return nil }
            return f <= t + slack ? nil : (free, "\(r.raw(free)) > \(total) \(r.raw(total))")
        }
    }

    static let specs: [Spec] = [
        // timeline.csv: "hosts_up: hosts up", "hosts_down: hosts crashed ... not yet recovered",
        // "hosts_rebooting: hosts in an orderly reboot"; hosts.csv `state` is "up, down or rebooting":
        // the three partition the hosts. "cpus_free_cores: cpus of up hosts not allocated" is a part of
        // "cpus of the hosts that are up" (and the same for memory and disk).
        Spec(file: "timeline.csv", sampled: true,
             cols: [time(), count("hosts_total"), count("hosts_up"), count("hosts_down"), count("hosts_rebooting"),
                    qty("cpus_total_cores"), qty("cpus_free_cores"), qty("cpus_lost_cores"), qty("memory_total_mib"),
                    qty("memory_free_mib"), qty("disk_total_gib"), qty("disk_free_gib")],
             rules: [
                { r in
                    guard let t = r["hosts_total"], let u = r["hosts_up"], let d = r["hosts_down"], let b = r["hosts_rebooting"] else { return nil }
                    return u + d + b == t ? nil : ("hosts_total", "hosts_up + hosts_down + hosts_rebooting = \(Int(u + d + b)), not \(r.raw("hosts_total"))")
                },
                within("cpus_free_cores", "cpus_total_cores"), within("memory_free_mib", "memory_total_mib"),
                within("disk_free_gib", "disk_total_gib"),
             ]),
        // hosts.csv: "state: up, down or rebooting", "up: 1 when up, else 0", "cpus_total_cores: usable cpus
        // (0 when not up)", free "not allocated" of usable; "downtime_s: time this host has spent not up
        // since the start" (cumulative, at most the time since the start); "docker_pool_free_ratio: free
        // data blocks / total; empty without devicemapper"; "docker_fs_used_gib ... empty without a storage
        // section for the host".
        Spec(file: "hosts.csv", entity: ["host"], sampled: true,
             cols: [time(), text("host"), text("group"), text("datacenter"), text("rack"), word("state", ["up", "down", "rebooting"]),
                    flag("up"), qty("cpus_total_cores"), qty("cpus_free_cores"), qty("memory_total_mib"), qty("memory_free_mib"),
                    qty("disk_total_gib"), qty("disk_free_gib"), Col(name: "downtime_s", min: 0, cumulative: true),
                    qty("network_cpu_cores"), ratio("docker_pool_free_ratio", optional: true), qty("docker_fs_used_gib", optional: true)],
             rules: [
                { r in
                    guard let u = r["up"] else { return nil }
                    return (u == 1) == (r.raw("state") == "up") ? nil : ("up", "\(r.raw("up")) with state \(r.raw("state"))")
                },
                { r in
                    guard r.raw("state") != "up" else { return nil }
                    for c in ["cpus_total_cores", "memory_total_mib", "disk_total_gib"] where (r[c] ?? 0) != 0 {
                        return (c, "\(r.raw(c)) on a host that is \(r.raw("state")) (0 when not up)")
                    }
                    return nil
                },
                within("cpus_free_cores", "cpus_total_cores"), within("memory_free_mib", "memory_total_mib"),
                within("disk_free_gib", "disk_total_gib"), within("downtime_s", "time_s"),
             ]),
        // mesos.csv: offers made are answered at most once: accepted, declined, rescinded, or still
        // outstanding ("offers sent and not yet answered"; a failover drops the outstanding ones:
        // MesosAllocator `offersOutstanding = 0`). "cpus_allocated: cpus of those [registered, reachable
        // agents] allocated".
        Spec(file: "mesos.csv", sampled: true,
             cols: [time(), text("leader"), flag("leader_ready"), text("marathon_leader"), flag("zookeeper_serving"),
                    count("agents_registered"), count("agents_unreachable"), count("frameworks"),
                    total("offers_made_total"), total("offers_accepted_total"), total("offers_declined_total"),
                    total("offers_rescinded_total"), count("offers_outstanding"), count("filters_active"),
                    qty("cpus_total"), qty("cpus_allocated"), qty("mem_total_mb"), qty("mem_allocated_mb"), count("tasks_running")],
             rules: [
                { r in
                    guard let m = r["offers_made_total"], let a = r["offers_accepted_total"], let d = r["offers_declined_total"],
                          let x = r["offers_rescinded_total"], let o = r["offers_outstanding"] else { return nil }
                    return a + d + x + o <= m ? nil
                        : ("offers_made_total", "\(r.raw("offers_made_total")) < accepted + declined + rescinded + outstanding = \(Int(a + d + x + o))")
                },
                within("cpus_allocated", "cpus_total", 0.001), within("mem_allocated_mb", "mem_total_mb", 0.001),
                { r in
                    r.raw("leader") == "none" && r["leader_ready"] == 1 ? ("leader_ready", "1 while no master leads") : nil
                },
             ]),
        // workdir.csv: "work_dir_usage: used / size ... (0 to 1)"; "full: 1 while no byte is free";
        // "sandboxes_running: sandboxes whose executor still runs" are sandboxes; "*_total ... since the
        // start"; "max_allowed_age_s ... empty before the first check that pruned".
        Spec(file: "workdir.csv", entity: ["host"], sampled: true,
             cols: [time(), text("host"), qty("work_dir_used_gib"), qty("work_dir_total_gib"), ratio("work_dir_usage"), flag("full"),
                    count("sandboxes"), count("sandboxes_running"), qty("sandboxes_size_gib"), total("sandboxes_removed_total"),
                    total("sandboxes_pruned_total"), total("sandbox_create_failures_total"), qty("max_allowed_age_s", optional: true)],
             rules: [within("work_dir_used_gib", "work_dir_total_gib", 0.001), within("sandboxes_running", "sandboxes"),
                     // "work_dir_used_gib: used on the work_dir's filesystem (sandboxes and `used`)"
                     within("sandboxes_size_gib", "work_dir_used_gib", 0.001)]),
        // apps.csv: healthy, unhealthy and health_unknown are "running instances" whose checks pass, fail,
        // or are not checked yet (MarathonAppState.countInstances counts each running instance in one of
        // the three); "*_total ... since the start"; "version: 1 at start; +1 per deploy".
        Spec(file: "apps.csv", entity: ["app"], sampled: true,
             cols: [time(), text("app"), Col(name: "version", min: 1, integer: true, cumulative: true), count("target_instances"),
                    count("staged"), count("running"), count("healthy"), count("unhealthy"), count("health_unknown"), count("unreachable"),
                    count("launch_queue"), flag("in_backoff"), qty("backoff_delay_s"), flag("deployment"), total("launched_total"),
                    total("failed_total"), total("killed_total"), total("lost_total")],
             rules: [
                { r in
                    guard let run = r["running"], let h = r["healthy"], let u = r["unhealthy"], let k = r["health_unknown"] else { return nil }
                    return h + u + k == run ? nil : ("running", "\(r.raw("running")) != healthy + unhealthy + health_unknown = \(Int(h + u + k))")
                },
                // "launched_total: instances launched since the start"; failed, killed and lost_total count
                // instances that ended; staged, running and unreachable ones have not ended (Marathon enters an
                // instance only at a launch, MarathonScheduler `a.addInstance`, and counts it once when it ends,
                // `instanceTerminated`; an expunged one is in neither)
                { r in
                    guard let l = r["launched_total"], let f = r["failed_total"], let k = r["killed_total"], let x = r["lost_total"],
                          let s = r["staged"], let run = r["running"], let u = r["unreachable"] else { return nil }
                    return s + run + u <= l - f - k - x ? nil
                        : ("launched_total", "\(r.raw("launched_total")) - failed - killed - lost = \(Int(l - f - k - x)) < staged + running + unreachable = \(Int(s + run + u))")
                },
             ]),
        // chronos.csv: "counts are cumulative"; "disabled: 1 when the job is disabled, else 0";
        // lateness "empty before the first launch"; the mean of first attempts' lateness is at most their largest.
        Spec(file: "chronos.csv", entity: ["job"], sampled: true,
             cols: [time(), text("job"), total("due"), total("launched"), total("succeeded"), total("failed"), total("retries"),
                    total("skipped"), total("skipped_forward"), total("dropped"), count("running"),
                    num("max_lateness_s", optional: true), num("mean_lateness_s", optional: true), flag("disabled")],
             rules: [within("mean_lateness_s", "max_lateness_s", 0.001),
                     // "running: tasks of the job launched and not finished"; succeeded and failed count tasks
                     // that ended: the three are tasks launched
                     { r in
                        guard let l = r["launched"], let s = r["succeeded"], let f = r["failed"], let run = r["running"] else { return nil }
                        return run + s + f <= l ? nil : ("launched", "\(r.raw("launched")) < running + succeeded + failed = \(Int(run + s + f))")
                     }]),
        // network.csv (written at the last sample): the rows of one experiment leave the columns of the
        // others empty ("tcp rows:", "connect rows:", "udp rows:", "rr and crr rows:", "empty for connect").
        // `cores` is the client host group's `cpus`, which may be a fraction ("as Mesos offers them";
        // clustersim-fuzz seed 106 input 48 ran one of 0.5)
        Spec(file: "network.csv",
             cols: [text("environment"), text("kernel"), qty("cpu_clock_ghz"), qty("nic_gbit_s"), qty("cores"),
                    word("nic_tunnel_offload", ["true", "false"]), text("mode"),
                    word("experiment", ["tcp", "multi_flow", "udp", "rr", "crr", "connect"]),
                    word("locality", ["same-host", "same-rack", "same-datacenter", "cross-datacenter"]),
                    qty("message_size_bytes", optional: true), count("flows"), qty("mtu_bytes"), qty("throughput_mbit_s", optional: true),
                    qty("throughput_ratio_to_host", optional: true), qty("one_way_latency_us", optional: true),
                    num("added_latency_us", optional: true), qty("cpu_per_gbit_core_s", optional: true),
                    qty("cpu_busy_cores", optional: true), qty("connect_mean_ms", optional: true), qty("connect_max_ms", optional: true),
                    qty("connections_syn_retransmitted", optional: true), qty("cpu_client_cores", optional: true),
                    qty("cpu_server_cores", optional: true), Col(name: "udp_loss_pct", kind: .number(optional: true), min: 0, max: 100),
                    qty("transactions_per_s", optional: true), qty("transaction_latency_us", optional: true)],
             rules: [within("connect_mean_ms", "connect_max_ms", 0.001)]),
        // storage.csv: used parts of a space are at most its size; "pool_data_free_ratio: free data
        // blocks / total"; "container_logs_gib ... part of host_fs_used_gib"; "containers_reclaimable_gib:
        // writable layers of exited containers" are among "containers_size_gib: writable layers of all".
        Spec(file: "storage.csv", entity: ["host"], sampled: true,
             cols: [time(), text("host"), word("driver", ["devicemapper-loop-lvm", "devicemapper-direct-lvm", "overlay2"]),
                    qty("pool_data_used_gib"), qty("pool_data_total_gib"), ratio("pool_data_free_ratio"), qty("pool_metadata_used_mib"),
                    qty("pool_metadata_total_mib"), word("pool_state", ["ok", "full", "failing"]), flag("below_min_free"),
                    word("docker_daemon", ["running", "hung", "stopped"]), qty("host_fs_used_gib"), qty("host_fs_total_gib"),
                    count("images"), qty("images_size_gib"), count("containers"), count("containers_running"), count("containers_hung"),
                    qty("containers_size_gib"), qty("containers_reclaimable_gib"), qty("max_container_layer_gib"),
                    qty("local_volumes_size_gib"), qty("container_logs_gib")],
             rules: [within("pool_data_used_gib", "pool_data_total_gib", 0.001), within("pool_metadata_used_mib", "pool_metadata_total_mib", 0.001),
                     within("host_fs_used_gib", "host_fs_total_gib", 0.001), within("container_logs_gib", "host_fs_used_gib", 0.001),
                     within("containers_reclaimable_gib", "containers_size_gib", 0.001),
                     within("max_container_layer_gib", "containers_size_gib", 0.001)]),
        // containers.csv: "one row per running or hung container and sample"; "at_basesize: 1 once ... else 0".
        Spec(file: "containers.csv", sampled: true,
             cols: [time(), text("host"), text("container"), word("state", ["running", "hung"]), qty("layer_gib"), flag("at_basesize")]),
        // ceph.csv: OSDs up and in are OSDs of the cluster; "degraded_ratio: replica copies missing / all",
        // "pgs_blocked_ratio: fraction of placement groups".
        Spec(file: "ceph.csv", sampled: true,
             cols: [time(), count("osds_total"), count("osds_up"), count("osds_in"), ratio("degraded_ratio"), qty("recovery_mb_s"),
                    ratio("pgs_blocked_ratio"), qty("client_latency_ms"), count("app_volumes_blocked")],
             rules: [within("osds_up", "osds_total"), within("osds_in", "osds_total")]),
        // consul.csv: "raft_term: Raft term of the last elected leader" (Raft's terms only grow);
        // "leader ... empty while there is none".
        Spec(file: "consul.csv", sampled: true,
             cols: [time(), count("members_alive"), count("members_suspect"), count("members_failed"), count("services_passing"),
                    count("services_warning"), count("services_critical"), text("leader"),
                    Col(name: "raft_term", min: 0, integer: true, cumulative: true)]),
        // nginx.csv: "servers_known: server lines whose address:port ..." are server lines; "reloads: reloads so far".
        Spec(file: "nginx.csv", entity: ["proxy"], sampled: true,
             cols: [time(), text("proxy"), count("generation"), count("upstreams"), count("servers"), count("servers_known"), total("reloads")],
             rules: [within("servers_known", "servers")]),
        // marathonlb.csv: "one row per instance and sample"; the "so far" columns are cumulative.
        Spec(file: "marathonlb.csv", entity: ["host", "group"], sampled: true,
             cols: [time(), text("host"), text("group"), count("generation"), total("reloads"), total("regenerations"), count("frontends"),
                    count("servers"), flag("accepting"), total("reload_retries"), total("reload_failures"), total("invalid_configs"), flag("stale")]),
        // traffic.csv: rates and counts are non-negative; latency percentiles "empty without any" and
        // ordered (a 50th percentile is at most the 95th, at most the 99th).
        Spec(file: "traffic.csv", entity: ["service"], sampled: true,
             cols: [time(), text("service"), qty("offered_rps"), qty("served_rps"), qty("errors_dead_upstream"), qty("errors_no_upstream"),
                    qty("errors_timeout"), qty("errors_no_proxy"), qty("latency_p50_ms", optional: true),
                    qty("latency_p95_ms", optional: true), qty("latency_p99_ms", optional: true)],
             rules: [within("latency_p50_ms", "latency_p95_ms", 0.001), within("latency_p95_ms", "latency_p99_ms", 0.001)]),
        // lb.csv: "failed: of those [requests], requests that ended in an error".
        Spec(file: "lb.csv", entity: ["instance", "frontend"], sampled: true,
             cols: [time(), count("instance"), text("frontend"), qty("rate"), count("scur"), count("qcur"), count("servers_up"),
                    count("requests"), count("failed")],
             rules: [within("failed", "requests")]),
        // autoscale.csv: "decision: sampling, equal, within_threshold, past_threshold, cooling_down,
        // outscaled, scale or failed"; iterations every --interval (not sample times).
        Spec(file: "autoscale.csv",
             cols: [time(), text("app"), text("service"), qty("sample"), qty("avg"), count("target"), count("current"), count("running"),
                    count("counter"),
                    word("decision", ["sampling", "equal", "within_threshold", "past_threshold", "cooling_down", "outscaled", "scale", "failed"]),
                    text("why")]),
        // notifications.csv: one row per notification, at the time it was sent.
        Spec(file: "notifications.csv",
             cols: [time(), text("instance"), text("receiver"), text("integration"), text("group_key"), count("firing"), count("resolved"),
                    text("alerts")]),
        // scrapes.csv: "up: targets whose last scrape succeeded" are targets.
        Spec(file: "scrapes.csv", entity: ["job"], sampled: true,
             cols: [time(), text("job"), count("targets"), count("up"), count("scrapes"), count("failed"), count("stale_markers")],
             rules: [within("up", "targets")]),
        // alerts.csv: a row is "the evaluation that changed the alert": from and to differ; "value ...
        // (NaN when it left the result)".
        Spec(file: "alerts.csv",
             cols: [time(), Col(name: "timestamp_ms", integer: true), text("group"), text("alertname"), text("labels"),
                    word("from", ["inactive", "pending", "firing"]), word("to", ["inactive", "pending", "firing"]),
                    Col(name: "value", kind: .promValue(["NaN", "+Inf", "-Inf"]))],
             rules: [{ r in r.raw("from") == r.raw("to") ? ("to", "the alert did not change (\(r.raw("from")) to \(r.raw("to")))") : nil }]),
        Spec(file: "prometheus.csv", sampled: true,
             cols: [time(), flag("running"), count("alerts_firing"), count("alerts_pending"), count("series"), count("samples_held")]),
        // samples.csv: "appended_ms: ... the timestamp, or for a scrape that timed out, its start +
        // scrape_timeout": never before the timestamp. "value (shortest decimal text, NaN, +Inf, -Inf),
        // or stale".
        Spec(file: "samples.csv",
             cols: [text("series"), Col(name: "timestamp_ms", integer: true), Col(name: "value", kind: .promValue(["NaN", "+Inf", "-Inf", "stale"])),
                    Col(name: "appended_ms", integer: true)],
             rules: [within("timestamp_ms", "appended_ms")]),
        Spec(file: "metrics.csv",
             cols: [text("family"), word("type", ["counter", "gauge", "histogram", "summary", "untyped"]), text("help")]),
        // registry.csv: "since the start" columns are cumulative; "pulls_manifest_unknown: Of those [pulls_failed]".
        Spec(file: "registry.csv", entity: ["registry"], sampled: true,
             cols: [time(), text("registry"), text("datacenter"), flag("up"), count("images"), count("replication_queued"),
                    count("replication_running"), total("replicated_bytes"), total("blob_failures"), total("replications_done"),
                    total("replications_dead"), total("pulls_served"), total("pulls_failed"), total("pulls_manifest_unknown"), total("pulled_bytes")],
             rules: [within("pulls_manifest_unknown", "pulls_failed")]),
        // releases.csv: "commit_to_production_s: deployed_s - commit_s"; the times of steps not reached are empty.
        Spec(file: "releases.csv",
             cols: [text("job"), count("build"), count("commits"), qty("commit_s"), qty("build_started_s", optional: true),
                    qty("built_s", optional: true), qty("pushed_s", optional: true), qty("deploy_put_s", optional: true), text("datacenter"),
                    qty("replicated_s", optional: true), qty("deployed_s", optional: true), num("commit_to_production_s", optional: true),
                    qty("deployment_done_s", optional: true), text("result")],
             rules: [{ r in
                guard let d = r["deployed_s"], let c = r["commit_s"] else {
                    return r.raw("deployed_s").isEmpty != r.raw("commit_to_production_s").isEmpty
                        ? ("commit_to_production_s", "'\(r.raw("commit_to_production_s"))' with deployed_s '\(r.raw("deployed_s"))'") : nil
                }
                guard let p = r["commit_to_production_s"] else { return ("commit_to_production_s", "empty with deployed_s \(r.raw("deployed_s"))") }
                return abs(p - (d - c)) <= 0.002 ? nil : ("commit_to_production_s", "\(r.raw("commit_to_production_s")) != deployed_s - commit_s = \(d - c)")
             }]),
        // events.csv: "one row per event, in simulation order".
        Spec(file: "events.csv", cols: [time(), text("component"), text("event"), text("subject"), text("detail")]),
    ]

    // MARK: - rows

    struct Row {
        let fields: [String]
        let index: [String: Int]
        let numbers: [Double?]
        subscript(_ c: String) -> Double? { index[c].flatMap { $0 < numbers.count ? numbers[$0] : nil } }
        func raw(_ c: String) -> String { index[c].map { $0 < fields.count ? fields[$0] : "" } ?? "" }
    }

    /// RFC 4180 records of `bytes`: (line of the record's start, fields). Also reports a missing final line end.
    static func records(_ bytes: [UInt8], _ body: (Int, [String]) -> Void) -> (endsWithNewline: Bool, carriageReturn: Int?) {
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, start = 1
        var quoted = false, afterQuote = false, inRecord = false
        var cr: Int? = nil
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if quoted {
                if b == 34 {
                    if i + 1 < n && bytes[i + 1] == 34 { field.append(34); i += 2; continue }
                    quoted = false; afterQuote = true
                } else {
                    if b == 10 { line += 1 }
                    field.append(b)
                }
                i += 1; continue
            }
            switch b {
            case 34 where field.isEmpty && !afterQuote: quoted = true; inRecord = true
            case 44: fields.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true); afterQuote = false; inRecord = true
            case 10:
                fields.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true); afterQuote = false
                body(start, fields); fields.removeAll(keepingCapacity: true)
                line += 1; start = line; inRecord = false
            default:
                if b == 13 && cr == nil { cr = line }
                field.append(b); inRecord = true
            }
            i += 1
        }
        if inRecord || !field.isEmpty || !fields.isEmpty { fields.append(String(decoding: field, as: UTF8.self)); body(start, fields) }
        return (n == 0 || bytes[n - 1] == 10, cr)
    }

    // MARK: - the checker

    struct Checker {
        let folder: String
        var out: [String] = []
        /// timeline.csv's sample times (text as written), in order
        var sampleTimes: [String] = []
        var sampleSet: Set<String> = []
        /// per sample time: timeline.csv's values of the columns hosts.csv sums
        var timelineRow: [String: [Double]] = [:]
        /// per sample time: hosts.csv's rows, and their sums of up and the capacities
        var hostSums: [String: (rows: Int, sums: [Double])] = [:]
        var timelineLine: [String: Int] = [:]
        /// last row per entity of the files the summary sums over
        var last: [String: [String: Row]] = [:]
        var eventCounts: [String: Int] = [:]
        var tasksLaunched = 0
        var launchedTasks = Set<String>()   // looked up only
        var alertsFiring = 0
        var scrapesFailed = 0.0
        var notifications = 0
        var peakP99: Double? = nil
        var minHostsUp: Double? = nil
        /// timeline.csv's cpus_total_cores + cpus_lost_cores at the first sample
        var installed: Double? = nil
        var present: Set<String> = []

        init(folder: String) { self.folder = folder }

        mutating func fail(_ file: String, _ line: Int, _ column: String, _ what: String) {
            out.append("\(file):\(line): \(column): \(what)")
        }

        static let summed = ["hosts_up", "cpus_total_cores", "cpus_free_cores", "memory_total_mib", "memory_free_mib", "disk_total_gib", "disk_free_gib"]
        static let hostsSummed = ["up", "cpus_total_cores", "cpus_free_cores", "memory_total_mib", "memory_free_mib", "disk_total_gib", "disk_free_gib"]

        mutating func run() {
            let fm = FileManager.default
            let names = ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).sorted()
            present = Set(names)
            for required in ["timeline.csv", "hosts.csv", "events.csv", "summary.csv", "summary.json"] where !present.contains(required) {
                fail(required, 0, "-", "missing (written always)")
            }
            // "Every file name a results folder can hold" (ResultsWriter.fileNames)
            for n in names where !ResultsWriter.fileNames.contains(n) { fail(n, 0, "-", "not a file the simulator writes") }
            let documented = OutputInvariants.documentedHeaders()
            // timeline first: the other sampled tables are checked against its sample times
            let order = OutputInvariants.specs.sorted { ($0.file == "timeline.csv" ? 0 : 1) < ($1.file == "timeline.csv" ? 0 : 1) }
            for spec in order where present.contains(spec.file) {
                guard let data = fm.contents(atPath: folder + "/" + spec.file) else { fail(spec.file, 0, "-", "cannot be read"); continue }
                check(spec, [UInt8](data), header: documented[spec.file] ?? spec.cols.map(\.name))
            }
            crossTables()
            summary()
        }

        mutating func check(_ spec: Spec, _ bytes: [UInt8], header want: [String]) {
            let file = spec.file
            var header: [String]? = nil
            var index: [String: Int] = [:]
            var cols: [Col?] = []
            var lastTime: Double? = nil
            var lastEntityTime: [String: (Double, Int)] = [:]
            var lastCumulative: [String: [Double?]] = [:]
            var lastRow: [String: Row] = [:]
            var rows = 0
            let cumulativeIdx: [Int] = want.indices.filter { i in spec.cols.first { $0.name == want[i] }?.cumulative == true }
            let ends = OutputInvariants.records(bytes) { line, fields in
                guard let h = header else {
                    header = fields
                    if fields != want { fail(file, line, "-", "header \(fields.joined(separator: ",")) is not the documented \(want.joined(separator: ","))") }
                    for (i, c) in fields.enumerated() where index[c] == nil { index[c] = i }
                    cols = fields.map { c in spec.cols.first { $0.name == c } }
                    return
                }
                if fields.count != h.count {
                    fail(file, line, "-", "\(fields.count) fields, the header has \(h.count)")
                    return
                }
                var numbers = [Double?](repeating: nil, count: fields.count)
                for (i, v) in fields.enumerated() {
                    guard let col = cols[i] else { continue }
                    numbers[i] = cell(file, line, col, v)
                }
                let row = Row(fields: fields, index: index, numbers: numbers)
                rows += 1
                for rule in spec.rules { if let (c, what) = rule(row) { fail(file, line, c, what) } }
                let key = spec.entity.map { row.raw($0) }.joined(separator: "\u{1F}")
                if let t = row["time_s"] {
                    if let p = lastTime, t < p { fail(file, line, "time_s", "\(row.raw("time_s")) before the previous row's \(p)") }
                    lastTime = t
                    if spec.sampled && file != "containers.csv" {
                        if let (p, pl) = lastEntityTime[key], t <= p {
                            fail(file, line, "time_s", "\(row.raw("time_s")): a second row of \(key.isEmpty ? "the sample" : key.replacingAll("\u{1F}", with: " ")) at or before line \(pl)'s \(NumberFormatForMessages.text(p))")
                        }
                        lastEntityTime[key] = (t, line)
                    }
                    if spec.sampled && file != "timeline.csv" && !sampleSet.isEmpty && !sampleSet.contains(row.raw("time_s")) {
                        fail(file, line, "time_s", "\(row.raw("time_s")) is not a sample time of timeline.csv")
                    }
                }
                if !cumulativeIdx.isEmpty {
                    let now = cumulativeIdx.map { numbers[$0] }
                    if let prev = lastCumulative[key] {
                        for (k, i) in cumulativeIdx.enumerated() {
                            if let a = prev[k], let b = now[k], b < a {
                                fail(file, line, h[i], "\(fields[i]) after \(NumberFormatForMessages.text(a))\(key.isEmpty ? "" : " for " + key.replacingAll("\u{1F}", with: " ")): a count since the start went down")
                            }
                        }
                    }
                    lastCumulative[key] = now
                }
                lastRow[key] = row
                collect(file, line, row)
            }
            if header == nil { fail(file, 1, "-", "no header row") }
            if !ends.endsWithNewline { fail(file, 0, "-", "the last line has no line end") }
            if let l = ends.carriageReturn { fail(file, l, "-", "a carriage return (line ends are \\n)") }
            last[file] = lastRow
            // "one row per sample" (mesos.csv, ceph.csv ...): as many rows as timeline.csv
            if spec.sampled && spec.entity.isEmpty && file != "timeline.csv" && file != "containers.csv"
                && present.contains("timeline.csv") && rows != sampleTimes.count {
                fail(file, rows + 1, "time_s", "\(rows) rows, timeline.csv has \(sampleTimes.count) samples")
            }
        }

        /// A cell by its column's rule; its number when it has one.
        mutating func cell(_ file: String, _ line: Int, _ col: Col, _ v: String) -> Double? {
            switch col.kind {
            case .text: return nil
            case .word(let words):
                if !words.contains(v) { fail(file, line, col.name, "'\(v)' is not one of \(words.joined(separator: ", "))") }
                return nil
            case .promValue(let words):
                if words.contains(v) { return nil }
                guard let x = Double(v), x.isFinite, OutputInvariants.plainNumber(v) else {
                    fail(file, line, col.name, "'\(v)' is neither a number nor one of \(words.joined(separator: ", "))"); return nil
                }
                return x
            case .number(let optional):
                if v.isEmpty {
                    if !optional { fail(file, line, col.name, "empty (a number is documented)") }
                    return nil
                }
                guard let x = Double(v), OutputInvariants.plainNumber(v) else { fail(file, line, col.name, "'\(v)' is not a number"); return nil }
                guard x.isFinite else { fail(file, line, col.name, "'\(v)' is not finite"); return nil }
                if let m = col.min, x < m { fail(file, line, col.name, "\(v) < \(NumberFormatForMessages.text(m))") }
                if let m = col.max, x > m { fail(file, line, col.name, "\(v) > \(NumberFormatForMessages.text(m))") }
                if col.integer && x.rounded() != x { fail(file, line, col.name, "\(v) is not a whole number") }
                return x
            }
        }

        /// What the summary and the cross-table checks need, in the same pass.
        mutating func collect(_ file: String, _ line: Int, _ row: Row) {
            switch file {
            case "timeline.csv":
                // "cpus_total_cores: cpus of the hosts that are up", "cpus_lost_cores: cpus of the hosts that are
                // not up": their sum is the installed cpus, the same at every sample
                if let a = row["cpus_total_cores"], let b = row["cpus_lost_cores"] {
                    if let i = installed, abs(a + b - i) > 0.002 {
                        fail(file, line, "cpus_lost_cores", "cpus_total_cores + cpus_lost_cores = \(NumberFormatForMessages.text(a + b)), \(NumberFormatForMessages.text(i)) at the first sample")
                    }
                    if installed == nil { installed = a + b }
                }
                let t = row.raw("time_s")
                sampleTimes.append(t); sampleSet.insert(t); timelineLine[t] = line
                timelineRow[t] = Checker.summed.map { row[$0] ?? 0 } + [row["hosts_total"] ?? 0]
                if let u = row["hosts_up"] { minHostsUp = Swift.min(minHostsUp ?? u, u) }
            case "hosts.csv":
                let t = row.raw("time_s")
                var s = hostSums[t] ?? (0, [Double](repeating: 0, count: Checker.hostsSummed.count))
                s.rows += 1
                for (k, c) in Checker.hostsSummed.enumerated() { s.sums[k] += row[c] ?? 0 }
                hostSums[t] = s
            case "events.csv":
                let ev = row.raw("component") + "," + row.raw("event")
                eventCounts[ev, default: 0] += 1
                // a launch is a task's TASK_STAGING, or its TASK_ERROR when the master refused it unstaged
                if (ev == "mesos,TASK_STAGING" || ev == "mesos,TASK_ERROR") && !row.raw("subject").hasPrefix("ct:"),
                   launchedTasks.insert(row.raw("subject")).inserted { tasksLaunched += 1 }
            case "alerts.csv": if row.raw("to") == "firing" { alertsFiring += 1 }
            case "scrapes.csv": scrapesFailed += row["failed"] ?? 0
            case "notifications.csv": notifications += 1
            case "traffic.csv": if let p = row["latency_p99_ms"] { peakP99 = Swift.max(peakP99 ?? p, p) }
            default: break
            }
        }

        /// hosts.csv against timeline.csv, sample by sample: "hosts_total: hosts in the scenario" rows of
        /// hosts.csv per sample; timeline's hosts_up and capacities are the sums over the hosts (each cell
        /// rounded to 3 decimals: the sums agree within half a thousandth per host).
        mutating func crossTables() {
            guard present.contains("timeline.csv"), present.contains("hosts.csv") else { return }
            for t in sampleTimes {
                let line = timelineLine[t] ?? 0
                guard let tl = timelineRow[t] else { continue }
                let h = hostSums[t] ?? (0, [Double](repeating: 0, count: Checker.hostsSummed.count))
                let total = tl[Checker.summed.count]
                if Double(h.rows) != total { fail("timeline.csv", line, "hosts_total", "\(NumberFormatForMessages.text(total)) but hosts.csv has \(h.rows) rows at \(t)") }
                let slack = 0.0005 * Double(h.rows + 1) + 1e-6
                for (k, c) in Checker.summed.enumerated() where abs(tl[k] - h.sums[k]) > (k == 0 ? 0 : slack) {
                    fail("timeline.csv", line, c, "\(NumberFormatForMessages.text(tl[k])) but hosts.csv sums to \(NumberFormatForMessages.text(h.sums[k])) at \(t)")
                }
            }
        }

        /// hosts in hosts.csv (its entities)
        var hostCount: Int? { last["hosts.csv"].map(\.count) }

        // MARK: summary

        mutating func summary() {
            guard present.contains("summary.csv"), let data = FileManager.default.contents(atPath: folder + "/summary.csv") else { return }
            var rows: [(Int, [String])] = []
            let ends = OutputInvariants.records([UInt8](data)) { l, f in rows.append((l, f)) }
            if !ends.endsWithNewline { fail("summary.csv", 0, "-", "the last line has no line end") }
            guard rows.count == 2 else { fail("summary.csv", rows.count, "-", "\(rows.count) rows: one header row and one data row are documented"); return }
            let keys = rows[0].1, values = rows[1].1
            guard keys.count == values.count else { fail("summary.csv", 2, "-", "\(values.count) fields, the header has \(keys.count)"); return }
            let documented = OutputInvariants.documentedSummaryKeys()
            var seen: Set<String> = []
            var v: [String: String] = [:]
            for (k, x) in zip(keys, values) {
                if !documented.contains(k) { fail("summary.csv", 1, k, "not a documented key") }
                if !seen.insert(k).inserted { fail("summary.csv", 1, k, "a second time") }
                v[k] = x
                // a figure is a number, or empty where it does not apply ("empty in the CSV and null in the JSON")
                if k != "scenario" && !x.isEmpty && (Double(x) == nil || !OutputInvariants.plainNumber(x) || !(Double(x)!.isFinite)) {
                    fail("summary.csv", 2, k, "'\(x)' is not a number")
                }
            }
            json(keys, v)
            func num(_ k: String) -> Double? { v[k].flatMap { Double($0) } }
            func same(_ k: String, _ want: Double, _ source: String, tolerance: Double = 0) {
                guard let s = num(k) else { return }
                if abs(s - want) > tolerance { fail("summary.csv", 2, k, "\(v[k]!) but \(source) gives \(NumberFormatForMessages.text(want))") }
            }
            for k in ["cpu_availability_ratio", "availability"] {
                if let x = num(k), x < 0 || x > 1 { fail("summary.csv", 2, k, "\(v[k]!) is not within [0, 1]") }
            }
            if present.contains("timeline.csv") {
                // "samples: timeline rows written"; "Samples are taken ... from time 0 to duration inclusive"
                same("samples", Double(sampleTimes.count), "timeline.csv's rows")
                if let first = sampleTimes.first, Double(first) != 0 { fail("timeline.csv", 2, "time_s", "\(first): the first sample is at 0") }
                // samples at k x sampleInterval up to the duration: the last one is at the end when the
                // interval divides the duration, else less than one interval before it (1h1ns in 6h: 5h+5ns)
                let times = sampleTimes.suffix(2).compactMap(Double.init)
                var atEnd = false
                if let lastT = times.last, let end = num("simulated_s") {
                    atEnd = abs(end - lastT) <= 1e-9
                    let interval = times.count == 2 ? times[1] - times[0] : nil
                    if lastT > end + 1e-9 || (!atEnd && interval.map { end - lastT >= $0 } ?? !atEnd) {
                        same("simulated_s", lastT, "timeline.csv's last time_s", tolerance: 1e-9)
                    }
                }
                if atEnd, let t = sampleTimes.last, let tl = timelineRow[t] { same("hosts_up_at_end", tl[0], "timeline.csv's last hosts_up") }
                // "min_hosts_up: fewest hosts up at any instant": at most the fewest of the samples
                if let m = num("min_hosts_up"), let s = minHostsUp, m > s { fail("summary.csv", 2, "min_hosts_up", "\(v["min_hosts_up"]!) but timeline.csv has \(Int(s)) hosts up at a sample") }
                if let n = num("hosts"), let h = hostCount, Double(h) != n { fail("summary.csv", 2, "hosts", "\(v["hosts"]!) but hosts.csv has \(h) hosts") }
            }
            if let hosts = last["hosts.csv"], !hosts.isEmpty, sampleTimes.last.flatMap(Double.init) == num("simulated_s") {
                // "host_downtime_s: sum over hosts of the time each was not up"; the last sample is at the end
                let sum = hosts.values.reduce(0.0) { $0 + ($1["downtime_s"] ?? 0) }
                same("host_downtime_s", sum, "the sum of hosts.csv's last downtime_s", tolerance: 1e-6 * Double(hosts.count + 1))
            }
            if present.contains("events.csv") {
                // "host_crashes counts host,crashed rows and host_reboots host,rebootStarted rows"
                same("host_crashes", Double(eventCounts["host,crashed", default: 0]), "events.csv's host,crashed rows")
                same("host_reboots", Double(eventCounts["host,rebootStarted", default: 0]), "events.csv's host,rebootStarted rows")
                // "tasks_launched: ... TASK_STAGING rows of events.csv, or TASK_ERROR of a task the master refused unstaged"
                same("tasks_launched", Double(tasksLaunched), "events.csv's tasks with TASK_STAGING or TASK_ERROR rows (not ct:)")
                // "master_failovers: times the leading Mesos master was lost (leaderLost rows)"
                same("master_failovers", Double(eventCounts["mesos,leaderLost", default: 0]), "events.csv's leaderLost rows")
                // "consul_detections counts the consulMemberFailed rows"; "consul_leader_elections counts the consulLeaderElected rows"
                same("consul_detections", Double(count(event: "consulMemberFailed")), "events.csv's consulMemberFailed rows")
                same("consul_leader_elections", Double(count(event: "consulLeaderElected")), "events.csv's consulLeaderElected rows")
                // "nginx_reloads ... (events.csv nginxReload rows)", "nginx_reloads_failed ... (nginxReloadFailed rows)"
                same("nginx_reloads", Double(count(event: "nginxReload")), "events.csv's nginxReload rows")
                same("nginx_reloads_failed", Double(count(event: "nginxReloadFailed")), "events.csv's nginxReloadFailed rows")
                // "template_renders ... (events.csv templateRendered rows)"
                same("template_renders", Double(count(event: "templateRendered")), "events.csv's templateRendered rows")
            }
            // "alerts_fired counts alerts.csv rows whose to is firing, scrapes_failed is the sum of scrapes.csv's failed"
            if present.contains("alerts.csv") { same("alerts_fired", Double(alertsFiring), "alerts.csv's rows to firing") }
            if present.contains("scrapes.csv") { same("scrapes_failed", scrapesFailed, "the sum of scrapes.csv's failed") }
            // notifications.csv: "one row per notification sent"; notifications_sent: "notifications sent"
            if present.contains("notifications.csv") { same("notifications_sent", Double(notifications), "notifications.csv's rows") }
            // "peak_p99_latency_ms: ... (traffic.csv's largest latency_p99_ms) ... (empty without any request served)"
            if present.contains("traffic.csv"), let k = v["peak_p99_latency_ms"] {
                if let p = peakP99 { same("peak_p99_latency_ms", p, "traffic.csv's largest latency_p99_ms") }
                else if !k.isEmpty { fail("summary.csv", 2, "peak_p99_latency_ms", "\(k) but traffic.csv has no latency_p99_ms") }
            }
            // "With a chronos section: Chronos' jobs, summed over the jobs of chronos.csv"
            if let jobs = last["chronos.csv"], present.contains("chronos.csv") {
                func sum(_ cs: [String]) -> Double { jobs.values.reduce(0.0) { a, r in a + cs.reduce(0.0) { $0 + (r[$1] ?? 0) } } }
                same("chronos_runs", sum(["launched"]), "the sum of chronos.csv's launched")
                same("chronos_failures", sum(["failed"]), "the sum of chronos.csv's failed")
                same("chronos_retries", sum(["retries"]), "the sum of chronos.csv's retries")
                same("chronos_runs_skipped", sum(["skipped", "skipped_forward"]), "the sum of chronos.csv's skipped and skipped_forward")
                same("chronos_jobs_disabled", sum(["disabled"]), "the sum of chronos.csv's disabled")
                let maxLate = jobs.values.compactMap { $0["max_lateness_s"] }.max()
                if let m = maxLate { same("chronos_max_lateness_s", m, "chronos.csv's largest max_lateness_s", tolerance: 0.001) }
            }
            // marathon-lb: "haproxy_reloads: HAProxy reloads by marathon-lb over all instances", and the
            // failures and regenerations likewise (marathonlb.csv: "reloads so far" per instance)
            if let inst = last["marathonlb.csv"], present.contains("marathonlb.csv") {
                func sum(_ c: String) -> Double { inst.values.reduce(0.0) { $0 + ($1[c] ?? 0) } }
                same("haproxy_reloads", sum("reloads"), "the sum of marathonlb.csv's reloads")
                same("haproxy_reload_failures", sum("reload_failures"), "the sum of marathonlb.csv's reload_failures")
                same("marathonlb_regenerations", sum("regenerations"), "the sum of marathonlb.csv's regenerations")
            }
            // Harbor: "replicated_bytes: Bytes of blobs replicated between registries over the run" and
            // registry.csv's "Bytes of blobs replicated into it since the start"; "pulls_failed: docker pulls
            // that failed on a Harbor registry" and "docker pulls that failed on it"; replications_dead likewise
            if let regs = last["registry.csv"], present.contains("registry.csv") {
                func sum(_ c: String) -> Double { regs.values.reduce(0.0) { $0 + ($1[c] ?? 0) } }
                for c in ["replicated_bytes", "pulls_failed", "replications_dead"] { same(c, sum(c), "the sum of registry.csv's \(c)") }
            }
        }

        func count(event: String) -> Int { eventCounts.reduce(0) { $0 + ($1.key.hasSuffix("," + event) ? $1.value : 0) } }

        /// summary.json's `headline` holds the figures of summary.csv ("summary.json holds the same figures under headline").
        mutating func json(_ keys: [String], _ csv: [String: String]) {
            guard let data = FileManager.default.contents(atPath: folder + "/summary.json") else { return }
            guard let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                fail("summary.json", 0, "-", "not a JSON object"); return
            }
            guard let head = top["headline"] as? [String: Any] else { fail("summary.json", 0, "headline", "missing"); return }
            for k in head.keys.sorted() where csv[k] == nil { fail("summary.json", 0, "headline." + k, "not in summary.csv") }
            for k in keys {
                guard let j = head[k] else { fail("summary.json", 0, "headline." + k, "missing (summary.csv has it)"); continue }
                let c = csv[k] ?? ""
                switch j {
                case is NSNull: if !c.isEmpty { fail("summary.json", 0, "headline." + k, "null but summary.csv has \(c)") }
                case let s as String: if s != c { fail("summary.json", 0, "headline." + k, "\"\(s)\" but summary.csv has \(c)") }
                case let n as NSNumber:
                    if Double(c) != n.doubleValue { fail("summary.json", 0, "headline." + k, "\(n) but summary.csv has '\(c)'") }
                default: fail("summary.json", 0, "headline." + k, "neither a number, a string nor null")
                }
            }
        }
    }

    // MARK: - documented names

    /// Each table's header as documented (and written): its own columns with the contributed ones spliced in.
    static func documentedHeaders() -> [String: [String]] {
        var h: [String: [String]] = [:]
        for t in ResultsWriter.tables { h[t.file] = ResultsWriter.columns(of: t.file, own: t.columns).map(\.0) }
        for (_, o) in ResultsWriter.subsystemOutputs {
            for t in o.tables { h[t.file] = ResultsWriter.columns(of: t.file, own: t.columns).map(\.0) }
        }
        h["events.csv"] = ResultsWriter.eventColumns.map(\.0)
        return h
    }

    /// summary.csv's documented keys: the core figures and every subsystem's.
    static func documentedSummaryKeys() -> Set<String> {
        var s = Set(OutputDocs.summaryMeanings.map(\.0))
        for (name, o) in ResultsWriter.subsystemOutputs {
            for k in ResultsWriter.headlineKeys(of: name, own: o.headline) { s.insert(k.key) }
        }
        return s
    }

    /// A number as the simulator's formatter writes it (NumberFormat.decimal, Int, Swift's shortest
    /// form from 1e15): digits with an optional sign, point and exponent; no spaces, no `nan`, `inf`,
    /// hex or `+` sign in front.
    static func plainNumber(_ s: String) -> Bool {
        var sawDigit = false
        for (i, b) in s.utf8.enumerated() {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true
            case UInt8(ascii: "-") where i == 0: break
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"): if i == 0 { return false }
            default: return false
            }
        }
        return sawDigit
    }
}

/// Numbers in messages: the shortest form, integers without a point.
enum NumberFormatForMessages {
    static func text(_ x: Double) -> String {
        if x.isFinite && x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }
}
