import SimKernel

/// marathon-lb-autoscale, exactly as mesosphere/marathon-lb-autoscale:autoscale.rb (line numbers
/// in docs/autoscale.md): every `--interval` it polls the FRONTEND rows of every HAProxy instance
/// (`HAProxyStatsSource`), keeps a moving average of `rate + qcur` per `--apps` frontend, reads
/// Marathon's `instances`, and PUTs a new count through Marathon's deployment path.
public final class Autoscaler: Subsystem, EventHandler, SignalSubscriber {
    public static let entry = SubsystemEntry(name: "autoscale", section: "autoscale", outputs: Autoscaler.outputs) { model in
        guard let spec = model.spec.autoscale, let marathon = model.subsystem(MarathonScheduler.self) else { return nil }
        return Autoscaler(spec: spec, model: model, marathon: marathon)
    }

    /// What one frontend of `--apps` keeps (autoscale.rb:149-157).
    struct FrontendState {
        let name: String
        /// Key into Marathon's apps (autoscale.rb:290) and the PUT's app id (autoscale.rb:313-314).
        let currentKey: String
        let putID: String
        /// The Marathon app the PUT reaches (nil: Marathon answers 404) and the one `current` reads.
        let putApp: Int?
        let currentApp: Int?
        /// `:rate`: the last `samples` samples, a ring buffer.
        var ring: [Int]
        var ringStart = 0
        var ringSum = 0
        var rateAvg = 0.0
        /// nil: never scaled (autoscale.rb starts at 0, the epoch: no cooldown applies at first).
        var lastScaled: SimTime? = nil
        var counter = 0
        var current = 0
        var target = 0
        /// The sample of the last iteration and the one this iteration's poll is adding up.
        var sample = 0
    }

    /// One row of autoscale.csv.
    struct Row {
        var time: SimTime
        var frontend: Int
        var sample: Int
        var avg: Double
        var target: Int
        var current: Int
        /// Running tasks of the app `current` reads (not read by autoscale.rb; for the chart).
        var running: Int
        var counter: Int
        var decision: Decision
        /// The decision's figures: deviation or seconds since scaled (x); |target - current|,
        /// total_samples, the other frontend's instances, the replacing frontend or the failed
        /// HAProxy instance (n).
        var x: Double
        var n: Int
    }

    enum Decision: String {
        case sampling, equal, withinThreshold = "within_threshold", pastThreshold = "past_threshold", coolingDown = "cooling_down"
        case outscaled, scale, failed
    }

    public let spec: AutoscaleSpec
    let interval: SimDuration
    let model: ClusterSimulation
    let marathon: MarathonScheduler
    var target: Int32 = 0
    var frontends: [FrontendState] = []
    /// Frontend name -> index into `frontends` (lookups only; never iterated).
    var frontendIndex: [String: Int] = [:]
    /// The HAProxy instances polled, in `--haproxy` order (an instance named twice is polled twice, as Resolv would).
    var polled: [Int] = []
    var stats: HAProxyStatsSource?
    var hostIndex: Int?
    /// The host the `--marathon` URL names, when it is a host of the scenario (nil: a name the
    /// scenario does not have, taken to reach the leader).
    var marathonHost: Int?
    /// The process's incarnation: a wake-up of an earlier one (before its host went down) is ignored.
    var epoch: Int64 = 0
    var totalSamples = 0
    /// Scratch per poll: the value each frontend has on the instance being read (-1: absent).
    var scratch: [Int] = []
    var pending: [Row] = []
    public internal(set) var scales = 0
    var conflicts = 0
    var firstScale: SimTime?
    /// Distinct Marathon apps the frontends read (`current`), for instance-hours, in frontend order.
    var trackedApps: [Int] = []
    /// Per frontend: its index in `trackedApps` (nil: no Marathon app).
    var trackedIndex: [Int?] = []
    var instanceSeconds = 0.0
    var oracleSeconds = 0.0
    var lastIteration: SimTime?
    var lastRunning: [Int] = []
    var runningFrom: [SimTime] = []
    /// Per Marathon app: its index in `trackedApps` (-1: not tracked).
    var trackedSlot: [Int] = []
    var lastOracle: [Int] = []
    /// Per frontend: the first `traffic` service sent through it ("" if none), for the chart's latency.
    var services: [String] = []

    init(spec: AutoscaleSpec, model: ClusterSimulation, marathon: MarathonScheduler) {
        self.spec = spec; self.model = model; self.marathon = marathon
        interval = SimDuration.fromSeconds(spec.interval)
        var seen: [String: Int] = [:]
        // autoscale.rb:286 keeps the last app of /v2/apps with a key, an order Marathon 1.4 leaves to a
        // hash Set (Group.transitiveApps): the model takes the first in file order, the app the
        // `--apps` check looked at (AutoscaleSection.autoscaleApps)
        for a in marathon.spec.apps.indices {
            let key = AutoscaleSpec.currentKey(ofMarathonID: marathon.spec.apps[a].id)
            if seen[key] == nil { seen[key] = a }
        }
        for name in spec.apps {
            let key = AutoscaleSpec.appPart(name).map(String.init) ?? ""
            let put = AutoscaleSpec.putAppID(name) ?? "/"
            let cur = seen[key]
            frontendIndex[name] = frontends.count
            frontends.append(FrontendState(name: name, currentKey: key, putID: put, putApp: marathon.appIndex[put], currentApp: cur,
                                           ring: [], ringStart: 0))
            if let c = cur, !trackedApps.contains(c) { trackedApps.append(c) }
            trackedIndex.append(cur.flatMap { trackedApps.firstIndex(of: $0) })
        }
        scratch = Array(repeating: -1, count: frontends.count)
        services = spec.apps.map { name in
            model.spec.traffic?.services.first { if case .marathonLB(name, _) = $0.entry { return true } else { return false } }?.name ?? ""
        }
        lastRunning = Array(repeating: 0, count: trackedApps.count)
        lastOracle = lastRunning
        runningFrom = Array(repeating: .zero, count: trackedApps.count)
        trackedSlot = Array(repeating: -1, count: marathon.spec.apps.count)
        for (i, a) in trackedApps.enumerated() { trackedSlot[a] = i }
    }

    public var name: String { "autoscale" }
    public func register(in sim: Simulation) { target = sim.register(self) }
    public func subscribe(to signals: PlatformSignals) { signals.subscribe(self, to: [.instances, .hosts], stage: .observers) }

    public func start() {
        stats = model.subsystem(HAProxyStatsSource.self)
        let hostNames = model.infrastructure.hosts.map(\.name)
        polled = Self.resolve(spec.haproxyHosts, instances: model.subsystem(HAProxyControl.self)?.haproxyInstances.map(\.host) ?? [],
                              hostNames: hostNames)
        hostIndex = spec.host.flatMap { n in model.infrastructure.hosts.firstIndex { $0.name == n } }
        marathonHost = AutoscaleSpec.urlHost(spec.marathon).flatMap { n in model.infrastructure.hosts.firstIndex { $0.name == n } }
        model.sim.schedule(at: model.sim.now, target: target, kind: 0, arg: epoch)
    }

    /// Every `--haproxy` host, in order, to the instances on it (in instance order). A host of the
    /// scenario without a marathon-lb instance refuses the connection (-1: the iteration fails,
    /// as Net::HTTP raises); a name that is no host resolves to nothing (line 166).
    static func resolve(_ hosts: [String], instances: [Int], hostNames: [String]) -> [Int] {
        var out: [Int] = []
        for h in hosts {
            let before = out.count
            for (i, host) in instances.enumerated() where hostNames[host] == h { out.append(i) }
            if out.count == before && hostNames.contains(h) { out.append(-1) }
        }
        return out
    }

    public func handle(_ event: Event, in sim: Simulation) {
        guard event.arg == epoch else { return }
        let now = sim.now
        // the process is down with its host: no iteration, no wake-up until it is back
        if let h = hostIndex, !model.infrastructure.hosts[h].state.isUp { return }
        iterate(now: now)
        // autoscale.rb:193: sleep max(0, start + interval - now); an iteration takes no time here.
        sim.schedule(at: now + interval, target: target, kind: 0, arg: epoch)
    }

    /// Whether the `--marathon` host takes the connection: it is up and a Marathon instance runs on
    /// it (its process lives and dies with the host; one that does not lead proxies to the leader:
    /// marathon v1.4.9 LeaderProxyFilter.scala).
    func marathonReachable() -> Bool {
        guard let h = marathonHost else { return true }
        return model.infrastructure.hosts[h].state.isUp && marathon.processes.contains { $0.host == h }
    }

    /// The host it runs on went down: the process dies with it (its pending sleep with it).
    func stopped() {
        epoch &+= 1
        model.log("autoscale", "autoscaleStopped", model.infrastructure.hosts[hostIndex ?? 0].name, "its host is down: no polls, no PUTs")
    }

    /// The host is back and the process starts again: `run` from its first line (autoscale.rb:142-161),
    /// so every frontend's samples, `last_scaled`, counter and `total_samples` start from nothing
    /// (they live in the process's memory), and the first iteration runs at once.
    func restarted() {
        epoch &+= 1
        for k in frontends.indices {
            frontends[k] = FrontendState(name: frontends[k].name, currentKey: frontends[k].currentKey, putID: frontends[k].putID,
                                         putApp: frontends[k].putApp, currentApp: frontends[k].currentApp, ring: [])
        }
        totalSamples = 0
        model.log("autoscale", "autoscaleStarted", model.infrastructure.hosts[hostIndex ?? 0].name, "restarted: samples, counters and last_scaled start empty")
        model.sim.schedule(at: model.sim.now, target: target, kind: 0, arg: epoch)
    }
}
