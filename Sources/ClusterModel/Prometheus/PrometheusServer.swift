import SimKernel

/// The Prometheus subsystem (issue 11): one server on `prometheus.host` that discovers targets
/// (static, file, Consul and Marathon SD), scrapes each at its phase (scrape/target.go `offset`),
/// keeps what its rules read in a trimmed store (PrometheusStore), evaluates its rule groups at
/// their phase (rules/group.go `EvalTimestamp`) and posts alerts to the Alertmanagers of its
/// configuration. A scrape is one event per target per interval (what the real server does); a
/// sample is computed only when a rule or the export reads it (`MetricWriter.wants`). Scraping
/// (PrometheusScrape.swift), discovery (PrometheusTargets.swift), rules and notifier
/// (PrometheusRules.swift), outputs (PrometheusOutputs.swift). See docs/monitoring.md.
public final class PrometheusServer: Subsystem, SignalSubscriber, EventHandler {
    public static let entry = entry(runners: PrometheusServer.standardRunner)

    /// The entry with another rule runner (tests use fakes while the rules engine is absent).
    public static func entry(runners: @escaping (RuleGroupSpec, LabelSet) -> PrometheusRuleRunner?) -> SubsystemEntry {
        SubsystemEntry(name: "prometheus", section: "prometheus", outputs: PrometheusServer.outputs) { model in
            guard let spec = model.spec.prometheus else { return nil }
            return PrometheusServer(spec: spec, model: model, runners: runners)
        }
    }

    public static func standardRunner(_ g: RuleGroupSpec, _ external: LabelSet) -> PrometheusRuleRunner? {
        try? RuleGroupRunner(spec: g, externalLabels: external)
    }

    public let spec: PrometheusSpec
    unowned let model: ClusterSimulation
    public let promTime: PromTime
    var target: Int32 = -1
    public var name: String { "prometheus" }
    /// The server's host index.
    public let host: Int
    let offsetSeed: UInt64
    public let store: PrometheusStore
    var config: PrometheusConfig { spec.config }

    enum Kind: Int32 { case scrape = 1, scrapeFinish, loopStale, evaluate, marathonRefresh, discoverySend, consulWatch }

    // collaborators, looked up once at build
    let contributors: [MetricsContributor]
    /// Per exporter kind, the contributors that write its families.
    var contributorsOfKind: [[MetricsContributor]]
    let catalog: ServiceCatalog?
    let marathonSource: MarathonTaskSource?
    let receiver: AlertReceiver?
    /// Placed exporter endpoints by `host << 16 | port`.
    var endpoints: [Int: MetricEndpoint] = [:]

    // process
    public internal(set) var running = false
    var processGen: Int32 = 0
    public internal(set) var restarts = 0
    /// The last ALERTS_FOR_STATE sample of each series the rules wrote (none after a staleness
    /// marker): what RestoreForState reads back from the TSDB, which outlives the process.
    var forStateSamples: [LabelSet: Sample] = [:]

    // scraping (PrometheusScrape.swift)
    var loops: [ScrapeLoop] = []
    var freeLoops: [Int] = []
    /// Per job (scrape config index): its active loops, in discovery order.
    var jobLoops: [[Int]]
    var jobStats: [JobStats]
    /// Per job, Consul SD and service, the watch's last answer (kept while Consul cannot answer:
    /// Prometheus keeps its last targets). PrometheusConsulSD.swift.
    var consulLast: [[[[DiscoveredTarget]]]] = []
    /// Per job and Consul SD, the services its catalog watch last listed.
    var consulListed: [[[Bool]]] = []
    var consulWatches: [ConsulWatch] = []
    /// The jitter Consul's servers add to a blocking query's wait (agent/consul/rpc.go).
    lazy var consulJitter: RandomStream = model.stream("prometheus.consul-sd")
    /// Consul SD queries that failed (`prometheus_sd_consul_rpc_failures_total`).
    public internal(set) var consulRPCFailures = 0
    /// Marathon SD refreshes that failed (`prometheus_sd_refresh_failures_total{mechanism="marathon"}`).
    public internal(set) var marathonRefreshFailures = 0
    /// Which of several Marathon SD `servers` a refresh asks (marathon.go `randomAppsURL`).
    lazy var marathonServerPick: RandomStream = model.stream("prometheus.marathon-sd")
    var marathonLast: [[[DiscoveredTarget]]]
    /// Jobs whose discoverers produced targets that the discovery manager has not sent yet, and
    /// whether its next send is scheduled (`scheduleDiscoverySend`).
    var discoveryPending: [Bool] = []
    /// When each pending job's first unsent update was made.
    var discoveryPendingAt: [SimTime] = []
    var discoverySendScheduled = false
    /// When the process (its discovery manager) started: its send ticker counts from there.
    var processStartedAt = SimTime.zero
    let wantsAll: Bool
    let wantedNames: Set<String>
    var writerWants: (String) -> Bool = { _ in false }
    /// One writer per exporter kind, reused by every scrape of that kind (its memo of `wants`).
    var writers: [MetricWriter] = []
    /// Whether a scrape reuses the series of the same position of the last scrape (false: every
    /// sample's label set is built and looked up, the reference the tests compare with).
    var reuseSeries = true
    /// Label sets built from scraped samples (the scrape cache's misses; for the bench and tests).
    public internal(set) var labelSetsBuilt = 0
    var spareIds: [Int] = [], spareSets: [LabelSet] = [], spareCur: [Int] = []
    /// Per sample of a scrape that may exceed `sample_limit`: whether its series was new to the cache.
    var limitNew: [Bool] = []
    /// Whether loops whose scrapes keep only `up` take their ticks without events
    /// (PrometheusQuietLoops.swift; false: every tick is an event, the reference the tests compare with).
    public var lazyScrapes = true
    /// Whether a quiet loop's `up` samples are the store's implicit samples, computed when read
    /// (false: each is appended at the catch-up, the reference the tests compare with).
    public var implicitUp = true
    /// The loops ticking without events, and per host its quiet loops (indices in `loops`).
    var quietLoops: [QuietLoop] = []
    var quietOnHost: [[Int]] = []
    /// Ticks taken without an event, and ticks found at the very instant of a catch-up (see
    /// PrometheusQuietLoops.swift; for the bench and tests).
    public internal(set) var quietTicks = 0
    public internal(set) var quietTies = 0
    /// The instant of the last `catchUpQuietLoops`.
    var caughtUpAt = SimTime(nanoseconds: -1)
    public internal(set) var scrapesFailed = 0
    /// Scrapes failed because they exceeded their job's `sample_limit` (counted in `scrapesFailed` too).
    public internal(set) var sampleLimitFailures = 0
    /// Syncs that found a pool over its `target_limit` (`prometheus_target_scrape_pool_exceeded_target_limit_total`).
    public internal(set) var targetLimitExceeded = 0
    /// Per job, whether its pool is over its `target_limit` now (for the event log).
    var jobOverTargetLimit: [Bool] = []
    /// Scrapes started, the ticks taken without events included.
    public var scrapesStarted: Int { catchUpQuietLoops(); return scrapesCounted }
    var scrapesCounted = 0
    /// Families the exporters declared, in the order first seen (metrics.csv), with `record`.
    var families: [MetricFamily] = []
    var familyIndex: [String: Int] = [:]
    var familiesWritten = 0

    // rules (PrometheusRules.swift)
    let runnerFactory: (RuleGroupSpec, LabelSet) -> PrometheusRuleRunner?
    var groups: [RuleGroupState] = []
    var alertManagers: [(host: Int, port: Int)] = []
    var pendingTransitions: [AlertTransition] = []
    public internal(set) var alertsFired = 0
    /// Per fault of the scenario, the first transition to firing at or after it fired, and its alert.
    public internal(set) var firstFiringAfter: [SimTime?] = []
    public internal(set) var firstFiringAlert: [String?] = []
    public internal(set) var alertsFiringNow = 0
    public internal(set) var alertsPendingNow = 0
    var firings: [(time: SimTime, alert: String)] = []
    var firstRefusedLaunch: SimTime?
    public internal(set) var notificationsPosted = 0

    init(spec: PrometheusSpec, model: ClusterSimulation, runners: @escaping (RuleGroupSpec, LabelSet) -> PrometheusRuleRunner?) {
        self.spec = spec
        self.model = model
        self.runnerFactory = runners
        promTime = PromTime(baseMs: spec.startMs)
        let infra = model.infrastructure
        host = infra.host(named: spec.host)?.index ?? 0
        offsetSeed = PromHash.offsetSeed(hostname: infra.hosts[host].name, externalLabels: spec.config.externalLabels)
        // hosts are not a subsystem: node_exporter's and cAdvisor's machine families come from HostMetrics
        let cs = model.subsystems.compactMap { $0 as? MetricsContributor } + [HostMetrics(model: model, promTime: promTime)]
        contributors = cs
        contributorsOfKind = ExporterKind.allCases.map { k in cs.filter { !$0.metricFamilies(for: k).isEmpty } }
        catalog = model.subsystem(ServiceCatalog.self)
        marathonSource = model.subsystem(MarathonTaskSource.self)
        receiver = model.subsystem(AlertReceiver.self)
        jobLoops = spec.config.scrapeConfigs.map { _ in [] }
        jobStats = spec.config.scrapeConfigs.map { _ in JobStats() }
        jobOverTargetLimit = spec.config.scrapeConfigs.map { _ in false }
        marathonLast = spec.config.scrapeConfigs.map { $0.marathonSD.map { _ in [] } }
        // rule groups first: their selectors decide what the store keeps
        for g in spec.ruleGroups {
            // interval 0 (or none) is the global evaluation_interval, as rules/manager.go LoadGroups does
            groups.append(RuleGroupState(spec: g, interval: g.interval.flatMap { $0 > .zero ? $0 : nil } ?? spec.config.evaluationInterval,
                                         runner: runners(g, spec.config.externalLabels)))
        }
        var names = Set<String>()
        var all = spec.record == .all
        var longest: Int64 = 0
        for g in groups {
            for s in g.runner?.selectors ?? [] {
                longest = max(longest, s.rangeMs + s.offsetMs)
                if let n = s.metricName ?? s.matchers.first(where: { $0.name == "__name__" && $0.type == .equal })?.value {
                    names.insert(n)
                } else { all = true }
            }
            longest = max(longest, g.interval.nanoseconds / 1_000_000)
        }
        // metric relabeling may rename a family into a wanted one: then every family is computed
        if spec.config.scrapeConfigs.contains(where: { $0.metricRelabel.contains { $0.action == .replace && $0.targetLabel == "__name__" } }) { all = true }
        wantsAll = all
        wantedNames = names
        let retention = longest + spec.flags.lookbackDelta.nanoseconds / 1_000_000
        let record: ((LabelSet) -> Bool)? = spec.record == .none ? nil : { _ in true }
        store = PrometheusStore(retentionMs: retention, record: record)
        store.nowMs = { [promTime, sim = model.sim] in promTime.ms(sim.now) }
        store.beforeRead = { [unowned self] in self.catchUpQuietLoops() }
        store.baseMs = promTime.baseMs
        firstFiringAfter = model.spec.faults.map { _ in nil }
        firstFiringAlert = model.spec.faults.map { _ in nil }
        let wantsAll = all
        writerWants = { [names] n in wantsAll || names.contains(n) }
        writers = ExporterKind.allCases.map { MetricWriter(wants: writerWants, stampedFamilies: $0 == .cadvisor ? CadvisorTimestamps.stampedFamilies : []) }
        placeExporters()
    }

    /// Whether the store keeps a series of this name.
    func wants(_ name: String) -> Bool { wantsAll || wantedNames.contains(name) }

    public func register(in sim: Simulation) { target = sim.register(self) }

    public func subscribe(to signals: PlatformSignals) {
        signals.subscribe(self, to: [.hosts, .catalog, .taskStatus])
    }

    public func start() {
        if let r = receiver {
            let eps = r.alertmanagerEndpoints()
            for am in config.alertmanagers {
                for t in am.targets {
                    if let (h, p) = resolve(t), eps.contains(where: { $0.host == h && $0.port == p }) { alertManagers.append((h, p)) }
                }
            }
        }
        if model.infrastructure.hosts[host].state.isUp { startProcess() }
    }

    public func receive(_ signal: PlatformSignal) {
        switch signal {
        case .hostDown(let h, _):
            wakeHost(h)
            if h == host { stopProcess() }
        case .hostUp(let h) where h == host: restarts += 1; startProcess()
        case .hostPartitioned(let h, _):
            // the targets it can no longer reach (or reach again): those on that host, or, when it is
            // Prometheus' own host, those on the control hosts; quiet loops tick by events again
            if h == host { while let q = quietLoops.last { wake(q.loop) } } else { wakeHost(h) }
        case .statusUpdate(_, let state, let reason, let h, _):
            wakeHost(h)
            if state == .failed, reason == .containerLaunchFailed, firstRefusedLaunch == nil { firstRefusedLaunch = model.sim.now }
        case .catalogChanged(let s):
            // the Consul SD watches of the service: an open blocking query returns with the change,
            // else the next query (at a tick) answers; the answers wait for the discovery manager's next send
            guard running else { break }
            consulCatalogChanged(s)
        default: break
        }
    }

    func startProcess() {
        running = true
        processGen &+= 1
        processStartedAt = model.sim.now
        discoverySendScheduled = false
        discoveryPending = config.scrapeConfigs.map { _ in true }
        discoveryPendingAt = config.scrapeConfigs.map { _ in model.sim.now }
        // every discoverer answers at once (static and file groups, Consul's first blocking query,
        // Marathon SD's initial refresh); the discovery manager sends them at its first tick
        marathonLast = config.scrapeConfigs.map { $0.marathonSD.map { _ in [] } }
        startConsulWatches()
        for j in config.scrapeConfigs.indices {
            for k in config.scrapeConfigs[j].marathonSD.indices { refreshMarathon(j, k) }
            for (k, sd) in config.scrapeConfigs[j].marathonSD.enumerated() {
                _ = model.sim.schedule(after: sd.refreshInterval, target: target, kind: Kind.marathonRefresh.rawValue,
                                       arg: IndexGeneration.pack(j << 8 | k, processGen))
            }
        }
        scheduleDiscoverySend()
        startGroups()
    }

    /// The process stops: loops and groups end without staleness markers (a restart resumes from
    /// the TSDB on disk, as Prometheus does after a crash).
    func stopProcess() {
        guard running else { return }
        while let q = quietLoops.last { leaveQuiet(q.loop) }
        running = false
        processGen &+= 1
        for j in jobLoops.indices {
            for l in jobLoops[j] { loops[l].gen &+= 1; loops[l].active = false; freeLoops.append(l) }
            jobLoops[j] = []
            jobOverTargetLimit[j] = false
        }
        stopGroups()
    }

    public func handle(_ event: Event, in sim: Simulation) {
        guard let kind = Kind(rawValue: event.kind) else { return }
        let (i, gen) = IndexGeneration.unpack(event.arg)
        switch kind {
        case .scrape: if i < loops.count, loops[i].gen == gen, loops[i].active { scrape(i) }
        case .scrapeFinish: if i < loops.count, loops[i].gen == gen { finishTimedOut(i) }
        case .loopStale: if i < loops.count, loops[i].gen == gen { endOfRunStaleness(i) }
        case .evaluate: if gen == processGen, running { evaluate(group: i) }
        case .marathonRefresh:
            guard gen == processGen, running else { return }
            let j = i >> 8, k = i & 255
            refreshMarathon(j, k)
            markDiscoveryPending(j)
            _ = sim.schedule(after: config.scrapeConfigs[j].marathonSD[k].refreshInterval, target: target,
                             kind: Kind.marathonRefresh.rawValue, arg: event.arg)
        case .consulWatch:
            guard gen == processGen, running else { return }
            consulWake(i)
        case .discoverySend:
            guard gen == processGen, running else { return }
            discoverySendScheduled = false
            // an update made at this very instant (a Marathon SD refresh: its ticker and the send
            // ticker both count from the start) reaches the manager after the tick: the next one sends it
            var later = false
            for j in discoveryPending.indices where discoveryPending[j] {
                if discoveryPendingAt[j] == sim.now { later = true; continue }
                discoveryPending[j] = false; syncJob(j)
            }
            if later { scheduleDiscoverySend() }
        }
    }

    /// The discovery manager's send ticker (discovery/manager.go `sender`@v2.42.0, `updatert` 5 s from
    /// its start): at each tick it sends the targets updated since the last send, if any, and the
    /// scrape manager's reloader (scrape/manager.go, also every 5 s) applies them at once. So a
    /// discoverer's answer reaches the scrape pools at the first tick after it: the initial targets
    /// 5 s after the start, a Marathon SD refresh (every `refresh_interval` from the start, on a
    /// tick) 5 s after it, a Consul change within 5 s.
    static let discoverySendInterval = SimDuration.seconds(5)

    /// A discoverer of job `j` produced targets now: the discovery manager sends them at its next tick.
    func markDiscoveryPending(_ j: Int) {
        if !discoveryPending[j] { discoveryPendingAt[j] = model.sim.now }
        discoveryPending[j] = true
        scheduleDiscoverySend()
    }

    func scheduleDiscoverySend() {
        guard running, !discoverySendScheduled else { return }
        discoverySendScheduled = true
        let step = PrometheusServer.discoverySendInterval.nanoseconds
        let since = model.sim.now.nanoseconds - processStartedAt.nanoseconds
        let tick = processStartedAt + SimDuration(nanoseconds: (since / step + 1) * step)
        _ = model.sim.schedule(at: tick, target: target, kind: Kind.discoverySend.rawValue, arg: IndexGeneration.pack(0, processGen))
    }

    var nowMs: Int64 { promTime.ms(model.sim.now) }
    func hostName(_ h: Int) -> String { model.infrastructure.hosts[h].name }
}
