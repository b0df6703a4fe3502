// `clustersim-bench platform-full AGENTS HOURS SEED [ENTRY]` (issue 14): the benchmark platform
// (main.swift `platformSpec`: AGENTS agents, AGENTS/10 apps of 100 instances, so 10 tasks per
// agent) with the subsystems a production platform of the time ran beside Mesos and Marathon:
//
// - Consul: 3 servers on the masters, an agent on every Mesos agent host, every app registered
//   as a service with an HTTP check every 10 s (timeout 2 s), as a Marathon -> registrator ->
//   Consul setup does (ConsulBench.swift `addConsul`).
// - Traffic in fluid mode: a tenth of the apps called by users with a daily profile (100 req/s
//   at night, 400 at the peaks), processor sharing, 5 ms mean service time. ENTRY `marathon-lb`
//   (default): those apps carry HAPROXY_GROUP external and users come through marathon-lb on two
//   lb hosts (LBBench.swift `exposeThroughMarathonLB`). ENTRY `nginx`: two edge hosts run nginx,
//   with consul-template rendering one upstream per Consul service (the shipped
//   scenarios/templates/nginx-upstreams.ctmpl, wait 2s:10s) and reloading it; consul-template
//   renders the whole file, every service's instances, after each change of any service, so
//   that platform costs instances x changes (docs/benchmarks.md).
// - Prometheus on master-01, every 15 s: node_exporter and cAdvisor on every agent, the masters'
//   mesos_exporter and Marathon, consul_exporter (and the nginx exporters with ENTRY nginx); the
//   rule groups of the shipped monitoring scenario (scenarios/monitoring/rules/node.json,
//   mesos.json, marathon.json) evaluated every 15 s.
//
// Tables are formatted at every sample as `clustersim run` does (LBBench.swift
// `TableFormattingObserver`), so the subsystems drain their sample windows as in a real run.
// Prints wall and CPU seconds, engine events, Consul's events, Prometheus' scrapes and samples,
// the series and samples the store holds at half time and at the end (flat in simulated time),
// the requests served and the peak RSS.

import ClusterModel
import Glibc
import SimKernel

/// The shipped nginx upstreams template (scenarios/templates/nginx-upstreams.ctmpl), without its
/// comment line.
let benchUpstreamsTemplate = """
    {{range services}}{{$name := .Name}}
    upstream {{$name}} {
      least_conn;
    {{- range service $name}}
      server {{.Address}}:{{.Port}} max_fails=3 fail_timeout=60;
    {{- else}}
      server 127.0.0.1:65535; # force a 502
    {{- end}}
    }
    {{end}}
    server {
      listen 80 default_server;
      proxy_connect_timeout 5s;
      proxy_read_timeout 30s;
    {{- range services}}
      location /{{.Name}}/ {
        proxy_pass http://{{.Name}};
      }
    {{- end}}
    }

    """

/// The alerting and recording rules of scenarios/monitoring/rules/{node,mesos,marathon}.json.
func benchRuleGroups() -> [RuleGroupSpec] {
    func alert(_ name: String, _ expr: String, for d: SimDuration, _ severity: String) -> RuleSpec {
        RuleSpec(kind: .alerting(alert: name, forDuration: d, keepFiringFor: .zero, annotations: [("summary", "{{ $labels.instance }}: \(name)")]),
                 expr: expr, labels: [("severity", severity)])
    }
    func record(_ name: String, _ expr: String) -> RuleSpec { RuleSpec(kind: .recording(record: name), expr: expr) }
    let node = [
        alert("HostDown", #"up{job="node"} == 0"#, for: .minutes(1), "page"),
        record("instance:node_filesystem_avail:ratio",
               #"node_filesystem_avail_bytes{fstype!~"tmpfs|overlay"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay"}"#),
        alert("NodeFilesystemAlmostFull", "instance:node_filesystem_avail:ratio < 0.10", for: .minutes(5), "warning"),
    ]
    let mesos = [
        alert("MesosAgentDown", #"up{job="mesos-agent"} == 0"#, for: .minutes(2), "page"),
        alert("MesosAgentsDisconnected", #"sum(mesos_master_slaves_state{connection_state="disconnected"} and on (instance) mesos_master_elected == 1) > 0"#,
              for: .minutes(1), "page"),
        alert("MesosNoLeadingMaster", "max(mesos_master_elected) < 1 or absent(mesos_master_elected)", for: .minutes(1), "page"),
        record("mesos:task_exits:rate5m",
               #"sum by (state) (rate(mesos_master_task_states_exit_total{state=~"failed|lost|errored"}[5m]) and on (instance) mesos_master_elected == 1)"#),
        alert("MesosTasksFailing", "mesos:task_exits:rate5m > 0.05", for: .minutes(5), "warning"),
    ]
    let marathon = [
        alert("MarathonAppBelowTarget", "marathon_app_tasksRunning < on (id) group_left marathon_app_instances", for: .minutes(5), "warning"),
        alert("MarathonAppNoTasks", "marathon_app_tasksRunning == 0 and on (id) marathon_app_instances > 0", for: .minutes(1), "page"),
    ]
    return [RuleGroupSpec(name: "node", file: "rules/node.json", rules: node),
            RuleGroupSpec(name: "mesos", file: "rules/mesos.json", rules: mesos),
            RuleGroupSpec(name: "marathon", file: "rules/marathon.json", rules: marathon)]
}

/// How users reach the apps with traffic: marathon-lb (HAProxy from the apps' labels) or nginx
/// with consul-template rendering the upstreams of every Consul service.
enum FullPlatformEntry: String { case marathonLB = "marathon-lb", nginx }

func fullPlatformSpec(agents: Int, hours: Int, seed: UInt64, entry: FullPlatformEntry) -> ClusterSpec {
    var spec = platformSpec(agents: agents, apps: max(1, agents / 10), perApp: 100, hours: hours, seed: seed)
    spec.sampleInterval = .minutes(1)
    let apps = spec.marathon!.apps
    let called = Array(stride(from: 0, to: apps.count, by: 10))
    let day: [(Int64, Double)] = [(0, 100), (7, 150), (10, 400), (14, 250), (20, 400), (23, 150)]
    var proxies: [String]
    switch entry {
    case .marathonLB:
        _ = exposeThroughMarathonLB(&spec, apps: called, day: day, timeout: .seconds(30))
        addConsul(to: &spec, checks: [benchHTTPCheck])
        proxies = []
    case .nginx:
        let racks = spec.datacenters[0].racks
        spec.hostGroups.append(HostGroupSpec(name: "edge", count: 2, datacenter: "dc01", racks: Array(racks.prefix(2)), cpus: 8,
                                             memoryBytes: 16 << 30, diskBytes: 200 << 30, nicBitsPerSecond: 10_000_000_000))
        addConsul(to: &spec, checks: [benchHTTPCheck], extraAgentGroups: ["edge"])
        proxies = ["edge-01", "edge-02"]
        spec.nginx = NginxSpec(hosts: proxies)
        var ct = ConsulTemplateSpec()
        ct.wait = ConsulTemplateWait(min: .seconds(2), max: .seconds(10))
        ct.templates = [TemplateStanza(name: "nginx-upstreams.ctmpl", text: benchUpstreamsTemplate, parsed: try! TemplateParser.parse(benchUpstreamsTemplate),
                                       destination: "/etc/nginx/conf.d/upstreams.conf", command: "nginx -s reload")]
        spec.consulTemplate = ct
        let profile = RateProfile(points: day.map { .init(at: .hours($0.0), rate: $0.1) }, period: .hours(24))
        spec.traffic = TrafficSpec(mode: .fluid, tick: .seconds(1), services: called.map { i in
            let service = ConsulCluster.serviceName(ofApp: apps[i].id)
            return TrafficService(name: service, app: apps[i].id, entry: .nginx(proxy: nil, path: "/\(service)/"),
                                  arrivals: ArrivalProcess(profile: profile, poisson: true), serviceTime: .exponential(mean: 0.005),
                                  discipline: .processorSharing, timeout: .seconds(30))
        })
    }
    var c = PrometheusConfig()
    c.scrapeInterval = .seconds(15); c.evaluationInterval = .seconds(15)
    let slaves = (0..<agents).map { spec.hostGroups[2].hostName($0) }
    let masters = (0..<3).map { spec.hostGroups[0].hostName($0) }
    func job(_ name: String, _ targets: [String]) -> ScrapeConfig {
        var j = ScrapeConfig(jobName: name, interval: .seconds(15), timeout: .seconds(10))
        j.staticGroups = [TargetGroup(targets: targets)]
        return j
    }
    c.scrapeConfigs = [job("node", slaves.map { $0 + ":9100" }), job("cadvisor", slaves.map { $0 + ":8080" }),
                       job("mesos-master", masters.map { $0 + ":9105" }), job("marathon", masters.map { $0 + ":8080" }),
                       job("consul", [masters[0] + ":9107"])]
    if !proxies.isEmpty { c.scrapeConfigs.append(job("nginx", proxies.map { $0 + ":9113" })) }
    c.ruleFiles = ["rules/node.json", "rules/mesos.json", "rules/marathon.json"]
    spec.prometheus = PrometheusSpec(ruleGroups: benchRuleGroups(), host: masters[0], config: c,
                                     exporters: [ExporterPlacement(kind: .consul, hosts: [masters[0]])])
    return spec
}

func runFullPlatform(agents: Int, hours: Int, seed: UInt64, entry: String) {
    guard agents >= 10, hours >= 1, let e = FullPlatformEntry(rawValue: entry.isEmpty ? "marathon-lb" : entry) else {
        fail("platform-full: AGENTS >= 10, HOURS >= 1, ENTRY marathon-lb (default) or nginx")
    }
    let t0 = monotonicSeconds()
    let spec = fullPlatformSpec(agents: agents, hours: hours, seed: seed, entry: e)
    let observer = TableFormattingObserver()
    let model = ClusterSimulation(spec: spec, observer: observer)
    // as `clustersim run` without --haproxy-config-at / --nginx-config-at: no configuration history kept
    // (BENCH_NGINX_HISTORY=all: nginx keeps every generation, the reference of issue 14's fifth step)
    model.subsystem(MarathonLB.self)?.keepHistory(textsAt: [])
    if getenv("BENCH_NGINX_HISTORY").map({ String(cString: $0) }) != "all" { model.subsystem(NginxProxies.self)?.keepHistory(textsAt: []) }
    // BENCH_TEMPLATE_CACHE=0: consul-template executes every range body (the reference of issue 14's cache)
    if let v = getenv("BENCH_TEMPLATE_CACHE"), String(cString: v) == "0" { model.subsystem(ConsulTemplateRunner.self)?.cacheBodies = false }
    // BENCH_TRAFFIC_WATCH=0: traffic's observation walk reads every server through `reach` (the
    // reference); =1: every server through its watch (issue 14's third step); unset: the signalled walk
    if let v = getenv("BENCH_TRAFFIC_WATCH"), let t = model.subsystem(TrafficModel.self) {
        switch String(cString: v) {
        case "0": t.observationWalk = .reach
        case "1": t.observationWalk = .watched
        default: break
        }
    }
    // BENCH_OUTPUT_CACHE=0: apps.csv and the exporter count every instance, marathon-lb checks every app, consul.csv
    // counts every catalog entry, at every read (the reference of issue 14's per-app revisions)
    if let v = getenv("BENCH_OUTPUT_CACHE"), String(cString: v) == "0" {
        for m in model.subsystem(MarathonScheduler.self)?.all ?? [] { m.cacheByRevision = false }
        model.subsystem(ConsulCluster.self)?.cacheStatusCounts = false
    }
    // BENCH_PROM_LAZY=0: every scrape tick is an event (the reference of issue 14's quiet loops)
    if let v = getenv("BENCH_PROM_LAZY"), String(cString: v) == "0" { model.subsystem(PrometheusServer.self)?.lazyScrapes = false }
    // BENCH_PROM_IMPLICIT=0: quiet loops append each `up` sample at the catch-up (the reference of the implicit samples)
    if let v = getenv("BENCH_PROM_IMPLICIT"), String(cString: v) == "0" { model.subsystem(PrometheusServer.self)?.implicitUp = false }
    // BENCH_PROM_MATCH_CACHE=0: every selection matches every series of its name (the reference of the selection cache)
    if let v = getenv("BENCH_PROM_MATCH_CACHE"), String(cString: v) == "0" { model.subsystem(PrometheusServer.self)?.store.cacheMatching = false }
    let t1 = monotonicSeconds(), c1 = processCPUSeconds()
    // retained structures at half time and at the end: flat in simulated time
    let half = SimTime.zero + SimDuration(nanoseconds: spec.duration.nanoseconds / 2)
    _ = model.run(shouldStop: { model.sim.now >= half })
    let p = model.subsystem(PrometheusServer.self)
    let heldHalf = p?.store.samplesHeld ?? 0, seriesHalf = p?.store.seriesCount ?? 0
    model.run()
    let secs = monotonicSeconds() - t1, cpu = processCPUSeconds() - c1
    let events = Int(model.sim.eventsProcessed)
    let consul = model.subsystem(ConsulCluster.self)
    let traffic = model.subsystems.first { $0.name == "traffic" }?.headline() ?? []
    let requests: String
    switch traffic.first(where: { $0.key == "requests_total" })?.value {
    case .int(let i)?: requests = String(i)
    default: requests = "none"
    }
    let perDay = secs * 24 / Double(hours)
    print("name=platform_full_a\(agents)_t\(max(1, agents / 10) * 100) impl=swift_clustersim entry=\(e.rawValue) events=\(events)"
          + " seconds=\(NumberFormat.fixed(secs, decimals: 3)) cpu_s=\(NumberFormat.fixed(cpu, decimals: 3))"
          + " events_per_s=\(rate(events, secs)) sim_hours=\(hours) wall_per_sim_day_s=\(NumberFormat.fixed(perDay, decimals: 2))"
          + " peak_rss_mb=\(NumberFormat.fixed(peakRSSMiB(), decimals: 1)) agents=\(agents)"
          + " consul_events=\(consul?.eventsHandled ?? 0) scrapes=\(p?.scrapesStarted ?? 0) scrapes_without_event=\(p?.quietTicks ?? 0) quiet_ties=\(p?.quietTies ?? 0) samples_appended=\(p?.store.appended ?? 0)"
          + " series_half=\(seriesHalf) samples_held_half=\(heldHalf) series_end=\(p?.store.seriesCount ?? 0) samples_held_end=\(p?.store.samplesHeld ?? 0)"
          + " requests=\(requests) logged=\(observer.logged) tasks_running=\(model.mesos?.tasksRunning ?? 0)"
          + " setup_s=\(NumberFormat.fixed(t1 - t0, decimals: 3))")
}
