import SimKernel

/// marathon-lb (issue 12): one HAProxy per instance host, its haproxy.cfg generated from
/// Marathon's app labels (MarathonLBConfig.swift), regenerated on Marathon's events as
/// marathon_lb.py's MarathonEventProcessor does (one regeneration at a time; events meanwhile set
/// a pending flag that yields one more; a full regeneration after 300 s without events), and
/// reloaded only when the text changed. See docs/marathon-lb.md.
public final class MarathonLB: Subsystem, HAProxyControl, EventHandler, SignalSubscriber {
    public static let entry = SubsystemEntry(name: "marathon-lb", section: "marathonLB", outputs: MarathonLB.outputs) { model in
        guard let spec = model.spec.marathonLB, let marathon = model.subsystem(MarathonScheduler.self) else { return nil }
        return MarathonLB(spec: spec, model: model, marathon: marathon)
    }

    /// The time a regeneration takes before the reload decision: marathon-lb's fetch of
    /// /v2/apps?embed=apps.tasks (~100 ms) and its `haproxy -c` of the candidate file (~50 ms).
    public static let regenerationTime = SimDuration.milliseconds(150)
    /// HAProxy < 1.8 (marathon-lb's reload script, mesosphere/marathon-lb service/haproxy/run at
    /// v1.5.0, the same at v1.7.0 and v1.11.0, `reload()`, all under `flock`): SYNs to HAProxy's
    /// ports dropped with iptables (`addFirewallRules`), `sleep 0.1`, the server state saved, the
    /// new HAProxy started with `-sf` through haproxy_wrapper.py (which returns once the new process
    /// has daemonized, its sockets bound), the rules removed (`removeFirewallRules`): SYNs pass
    /// again. Then `sleep 1` ("to prevent TCP SYN exponential backoff": a SYN dropped during the
    /// window is retransmitted 1 s later and must not meet the next reload's rules) before the
    /// lock is released. So SYNs are dropped for 0.1 s (the new process's own start is not
    /// modelled: it takes over at once), and the script runs 1.1 s.
    public static let synDropBeforeReload = SimDuration.milliseconds(100)
    /// The whole reload script: the 0.1 s SYN drop, the reload, the 1 s sleep under the lock.
    public static let reloadScriptTime = SimDuration.milliseconds(1100)
    /// MarathonEventProcessor.try_reset: `self.__condition.wait(300)`, then a full reset.
    public static let idleReset = SimDuration.seconds(300)

    public let spec: MarathonLBSpec
    unowned let model: ClusterSimulation
    let marathon: MarathonScheduler
    var target: Int32 = -1

    enum Kind: Int32 { case generated = 1, activate, reloadDone, idle, retry, streamAttempt, streamConnectTimeout, streamSilent, streamProxyTimeout }

    struct Instance {
        let host: Int
        let group: String
        /// Its group's cache in `caches`.
        var cache = 0
        var epoch: Int32 = 0
        var busy = false
        var pending = false
        /// Configurations by generation (index g − 1) and when each became active.
        var configs: [HAProxyConfiguration] = []
        var activatedAt: [SimTime] = []
        var candidate: HAProxyConfiguration?
        var gapFrom = SimTime.zero
        var gapUntil = SimTime.zero
        var regenerations = 0
        var reloads = 0
        /// The haproxy.cfg on disk, which the next regeneration compares against (nil: none yet).
        /// After a reload that gave up it is newer than what HAProxy runs.
        var diskText: String?
        /// The last generated configuration is not the one HAProxy runs (a reload failed or waits).
        var stale = false
        /// reloadConfig's loop: retries left (`--max-reload-retries` at the first attempt).
        var retriesLeft = 0
        var reloadRetries = 0
        var reloadFailures = 0
        var invalidConfigs = 0
        /// The armed 300 s reset (or poll), cancelled when events start a regeneration first.
        var idleTimer: EventID?
        /// Its connection to Marathon's event stream (MarathonLBEventStream.swift).
        var stream = EventStream()
    }
    var instances: [Instance] = []
    /// One per HAPROXY_GROUP served, in the order of first appearance.
    var caches: [MarathonLBCache] = []
    public private(set) var eventsHandled = 0
    /// nil: every generation's configuration is kept (`configurationText` at any time); else a
    /// generation HAProxy no longer runs keeps only its defaults, unless it ran at one of these
    /// instants (`run --haproxy-config-at`), so memory does not grow with reloads.
    private(set) var historyInstants: [SimTime]?
    /// Per `spec.reloadFailures` window: its host indices and its app's index.
    var failureHosts: [[Int]] = []
    var failureApps: [Int?] = []
    /// `--marathon`'s hosts, in order (nil: a name that is no host of the scenario).
    var marathonHosts: [Int?] = []
    /// Per instance, its event stream's reconnect draws (made on first use).
    var streamRandoms: [RandomStream?] = []

    init(spec: MarathonLBSpec, model: ClusterSimulation, marathon: MarathonScheduler) {
        self.spec = spec; self.model = model; self.marathon = marathon
        for inst in spec.instances {
            for name in inst.hosts {
                guard let h = model.infrastructure.host(named: name) else { continue }
                var instance = Instance(host: h.index, group: inst.group)
                if let c = caches.firstIndex(where: { $0.groups == inst.groups }) { instance.cache = c } else {
                    instance.cache = caches.count
                    caches.append(MarathonLBCache(groups: inst.groups, strictMode: spec.flags.strictMode, release: spec.version))
                }
                instances.append(instance)
            }
        }
        haproxyInstances = instances.map { ($0.host, $0.group) }
        marathonHosts = spec.flags.marathonHosts.map { model.infrastructure.host(named: $0)?.index }
        streamRandoms = Array(repeating: nil, count: instances.count)
        (failureHosts, failureApps) = MarathonLB.resolveFailures(spec, model: model, marathon: marathon)
    }

    public var name: String { "marathon-lb" }
    public func register(in sim: Simulation) { target = sim.register(self) }

    public func subscribe(to signals: PlatformSignals) {
        signals.subscribe(self, to: .hosts)
        if spec.mode == .sse { signals.subscribe(self, to: [.taskStatus, .health, .deployments, .scaling, .frameworks, .instances]) }
    }

    public func start() {
        for i in instances.indices where hostUp(i) {
            trigger(i)
            if spec.mode == .sse { startStream(i, atSimulationStart: true) }
        }
    }

    // MARK: HAProxyControl

    /// Built once in `init` (the instances never change): traffic reads it per instance and per
    /// request, and building it on every read cost O(instances) each time (800 instances: minutes).
    public private(set) var haproxyInstances: [(host: Int, group: String)] = []
    public func haproxyGeneration(_ i: Int) -> Int { instances[i].configs.count }
    public func haproxyConfiguration(_ i: Int, generation: Int) -> HAProxyConfiguration {
        generation >= 1 && generation <= instances[i].configs.count ? instances[i].configs[generation - 1] : HAProxyConfiguration()
    }
    /// Counted in `activate`, the only place a generation is added.
    private var generationsActivated = 0
    /// The tasks whose state the master recorded at `recordedAt` (the `statusUpdate` signals of
    /// this instant): Marathon's `status_update_event` for them is that record (see `receive`).
    private var recordedAt = SimTime(nanoseconds: -1)
    private var recordedTasks: Set<TaskID> = []
    public var haproxyGenerationsActivated: Int? { generationsActivated }
    /// marathon-lb 1.12.0+ with HAProxy 1.8+ (`haproxy -W -x`): the listening sockets pass to the new process.
    public func haproxySeamless(_ i: Int) -> Bool { spec.seamlessReload }
    public func haproxyAccepts(_ i: Int, now: SimTime) -> Bool {
        hostUp(i) && !(now >= instances[i].gapFrom && now < instances[i].gapUntil)
    }

    /// Keep only the running configurations and those running at `instants` (the texts
    /// `configurationText` will be asked for); the data plane keeps its own copies of what it reads.
    public func keepHistory(textsAt instants: [SimTime]) { historyInstants = instants.sorted() }

    /// The haproxy.cfg text instance `i` ran at `t` (`run --haproxy-config-at`); empty before its first reload.
    public func configurationText(_ i: Int, at t: SimTime) -> String {
        var g = 0
        for (k, a) in instances[i].activatedAt.enumerated() where a <= t { g = k + 1 }
        return g == 0 ? "" : instances[i].configs[g - 1].text
    }
    public func hostName(ofInstance i: Int) -> String { model.infrastructure.hosts[instances[i].host].name }
    public var instanceCount: Int { instances.count }

    // MARK: signals

    public func receive(_ signal: PlatformSignal) {
        switch signal {
        case .hostDown(let h, let rebooting):
            for i in instances.indices where instances[i].host == h {
                instances[i].epoch &+= 1
                if let t = instances[i].idleTimer { model.sim.cancel(t); instances[i].idleTimer = nil }
                instances[i].busy = false; instances[i].pending = false; instances[i].candidate = nil
                // a restarted marathon-lb compares its first candidate with what HAProxy runs
                instances[i].diskText = instances[i].configs.last?.text
            }
            // the Marathon processes of that host stop: the streams they carry end or go silent
            if spec.mode == .sse {
                for (p, c) in marathon.processes.enumerated() where c.host == h { marathonWent(process: p, host: h, leadershipLost: false, crashed: !rebooting) }
            }
        case .hostUp(let h):
            for i in instances.indices where instances[i].host == h {
                trigger(i)   // MarathonEventProcessor.__init__: reset_from_tasks
                if spec.mode == .sse { startStream(i, atSimulationStart: false) }
            }
        case .marathonLeadershipLost(let p, let h, let exits):
            marathonWent(process: p, host: h, leadershipLost: true, exits: exits)
        case .statusUpdate(let task, _, _, _, _) where marathon.mesos.frameworkName(ofTask: task).map({ $0 != marathon.frameworkName }) ?? false:
            break   // another framework's task (Chronos): not in Marathon's event stream
        case .instanceChanged(_, let task, _):
            // Marathon publishes `status_update_event` when it processes an update. That is the
            // instant the master records it, unless Marathon learns the state later: from a
            // reconciliation answer, or from an agent's resend after a Marathon failover lost the
            // first send (docs/marathon-lb.md "The event stream"). Then its instance change is the event.
            if recordedAt == model.sim.now && recordedTasks.contains(task) { break }
            if marathon.mesos.frameworkName(ofTask: task).map({ $0 != marathon.frameworkName }) ?? false { break }
            for i in instances.indices where hostUp(i) && instances[i].stream.connected {
                if instances[i].stream.leader == nil { instances[i].stream.leader = marathon.leader }
                trigger(i)
            }
        case .statusUpdate(let task, _, _, _, _):
            if recordedAt != model.sim.now { recordedAt = model.sim.now; recordedTasks.removeAll(keepingCapacity: true) }
            recordedTasks.insert(task)
            fallthrough
        case .healthStatusChanged, .deploymentInfo, .deploymentSuccess, .deploymentFailed, .appScaled:
            // api_post_event, health_status_changed_event, status_update_event: reset_from_tasks,
            // for the instances whose event stream is connected (the leader's stream)
            for i in instances.indices where hostUp(i) && (spec.mode == .poll || instances[i].stream.connected) {
                if instances[i].stream.leader == nil { instances[i].stream.leader = marathon.leader }
                trigger(i)
            }
        default: break
        }
    }

    func hostUp(_ i: Int) -> Bool { model.infrastructure.hosts[instances[i].host].state.isUp }

    /// reset_from_tasks: start a regeneration, or note one is pending while one runs.
    func trigger(_ i: Int) {
        if instances[i].busy { instances[i].pending = true; return }
        instances[i].busy = true
        if let t = instances[i].idleTimer { model.sim.cancel(t); instances[i].idleTimer = nil }
        instances[i].regenerations += 1
        schedule(.generated, i, after: MarathonLB.regenerationTime)
    }

    @discardableResult
    func schedule(_ k: Kind, _ i: Int, after d: SimDuration) -> EventID {
        model.sim.schedule(at: model.sim.now + d, target: target, kind: k.rawValue, arg: IndexGeneration.pack(i, instances[i].epoch))
    }

    public func handle(_ event: Event, in sim: Simulation) {
        eventsHandled += 1
        let (i, g) = IndexGeneration.unpack(event.arg)
        guard i < instances.count, instances[i].epoch == g, let k = Kind(rawValue: event.kind) else { return }
        switch k {
        case .generated: generated(i)
        case .activate: activate(i)
        case .reloadDone: finished(i)
        case .idle: instances[i].idleTimer = nil; trigger(i)
        case .retry: retry(i)
        case .streamAttempt: attemptStream(i)
        case .streamConnectTimeout, .streamSilent, .streamProxyTimeout: streamTimerFired(i, k)
        }
    }

    /// compareWriteAndReloadConfig: a reload only when the candidate differs from the file on
    /// disk; the file is replaced only when `haproxy -c` accepts it (writeConfigAndValidate).
    func generated(_ i: Int) {
        // get_apps: /v2/apps from `--marathon` (the regeneration at the start stands for the
        // image's haproxy.cfg: HAProxy starts on it before Marathon has a leader)
        if !marathon.leaderChanges.isEmpty, !marathonAnswers(i) {
            model.log("marathon-lb", "marathonUnreachable", hostName(ofInstance: i), "GET /v2/apps failed (no leading Marathon reached through --marathon): nothing regenerated")
            finished(i)
            return
        }
        var cfg = configuration(for: i)
        instances[i].stale = cfg.text != (instances[i].configs.last?.text ?? "")
        if cfg.text == instances[i].diskText { finished(i); return }
        if !spec.flags.skipValidation && failing(i, .validation, candidate: cfg) {
            instances[i].invalidConfigs += 1
            // make_config_valid_and_regenerate (1.11.2+, unless --skip-config-cleanup): the file
            // rebuilt app by app without the apps that make it invalid, then compared and reloaded
            guard spec.version.cleansUpInvalidConfig, !spec.flags.skipConfigCleanup, let valid = cleanedUp(i, cfg) else {
                model.log("marathon-lb", "haproxyConfigInvalid", hostName(ofInstance: i), "haproxy -c refused the new configuration: skipping reload, HAProxy keeps generation \(instances[i].configs.count)")
                finished(i)
                return
            }
            model.log("marathon-lb", "haproxyConfigInvalid", hostName(ofInstance: i), "haproxy -c refused the new configuration: reloading it without the apps that break it (\(valid.excluded))")
            cfg = valid.config
            instances[i].stale = cfg.text != (instances[i].configs.last?.text ?? "")
            if cfg.text == instances[i].diskText { finished(i); return }
        }
        instances[i].diskText = cfg.text
        instances[i].candidate = cfg
        instances[i].retriesLeft = spec.flags.maxReloadRetries
        attemptReload(i)
    }

    /// make_config_valid_and_regenerate: the apps taken one by one in Marathon's order, each kept
    /// only when the file with it passes `haproxy -c`. A validation window scoped to an app refuses
    /// exactly the files with that app's backend, so the valid file is the candidate without those
    /// apps; a window for every candidate leaves no valid file (nil: "skipping reload").
    func cleanedUp(_ i: Int, _ cfg: HAProxyConfiguration) -> (config: HAProxyConfiguration, excluded: String)? {
        let now = model.sim.now - SimTime.zero
        var excluded = Set<Int>()
        for (k, f) in spec.reloadFailures.enumerated() where f.kind == .validation && f.active(at: now) {
            guard f.hosts.isEmpty || failureHosts[k].contains(instances[i].host) else { continue }
            guard let a = failureApps[k] else { return nil }
            excluded.insert(a)
        }
        // `if len(valid_apps) > 0`: some app of Marathon's list is left
        guard marathon.apps.count > excluded.count else { return nil }
        let valid = caches[instances[i].cache].configuration(excluding: excluded)
        let ids = excluded.sorted().compactMap { a in spec.reloadFailures.first { f in f.app.map { marathon.appIndex[$0] == a } ?? false }?.app }
        return (valid, ids.joined(separator: ", "))
    }

    func activate(_ i: Int) {
        guard var c = instances[i].candidate else { return }
        instances[i].candidate = nil
        letGoOfRunning(i)
        // the host's kernel bounds the listening sockets' accept queues (not in haproxy.cfg)
        c.defaults.somaxconn = spec.somaxconn
        instances[i].configs.append(c)
        generationsActivated += 1
        instances[i].activatedAt.append(model.sim.now)
        instances[i].reloads += 1
        instances[i].stale = false
        let g = instances[i].configs.count
        model.log("marathon-lb", "haproxyReloaded", hostName(ofInstance: i), "generation \(g), \(c.frontends.count) frontends")
        model.signals.publish(.haproxyReloaded(instance: i, generation: g))
    }

    /// With `keepHistory`: the configuration instance `i` runs is about to be replaced; it keeps
    /// only its defaults unless it ran at an instant whose text is wanted.
    func letGoOfRunning(_ i: Int) {
        guard let wanted = historyInstants, let from = instances[i].activatedAt.last, let old = instances[i].configs.last else { return }
        let now = model.sim.now
        guard !wanted.contains(where: { $0 >= from && $0 < now }) else { return }
        instances[i].configs[instances[i].configs.count - 1] = HAProxyConfiguration(defaults: old.defaults)
    }

    /// The regeneration (and its reload) is over: the pending one, or wait for events.
    func finished(_ i: Int) {
        instances[i].busy = false
        // before 1.11.2, between streams the event processor is stopped: no 300 s reset
        if instances[i].stream.processorStopped { instances[i].pending = false; return }
        if instances[i].pending {
            instances[i].pending = false
            trigger(i)
        } else {
            instances[i].idleTimer = schedule(.idle, i, after: spec.mode == .poll ? spec.pollInterval : MarathonLB.idleReset)
        }
    }

    /// What marathon-lb generates now for instance `i` from Marathon's apps and tasks (from the
    /// cache of its group: MarathonLBCache.swift; the same text as generating it afresh).
    func configuration(for i: Int) -> HAProxyConfiguration {
        let infra = model.infrastructure
        return caches[instances[i].cache].configuration(marathon: marathon, healthCheck: spec.flags.healthCheck,
                                                          hostName: { infra.hosts[$0].name })
    }

    // MARK: figures

    public var totalReloads: Int { instances.reduce(0) { $0 + $1.reloads } }
    public var totalRegenerations: Int { instances.reduce(0) { $0 + $1.regenerations } }
    /// Reloads given up (or never to be retried) plus candidates `haproxy -c` refused.
    public var totalReloadFailures: Int { instances.reduce(0) { $0 + $1.reloadFailures + $1.invalidConfigs } }

    public func headline() -> [HeadlineFigure] {
        [HeadlineFigure("haproxy_reloads", .int(Int64(totalReloads))),
         HeadlineFigure("haproxy_reload_failures", .int(Int64(totalReloadFailures))),
         HeadlineFigure("marathonlb_regenerations", .int(Int64(totalRegenerations)))]
    }
}
