import SimKernel

/// User traffic (issue 10): the requests users send to each service and what nginx's workers (or
/// the clients themselves) do with them. Per-request mode makes every arrival and completion an
/// event (`TrafficRequests.swift`); fluid mode moves rates per tick through the same balancing
/// and passive-health rules and queueing formulas (`FluidTraffic.swift`). See docs/traffic.md.
public final class TrafficModel: Subsystem, EventHandler, SignalSubscriber {
    public static let entry = SubsystemEntry(name: "traffic", section: "traffic", outputs: outputs) { model in
        guard let spec = model.spec.traffic else { return nil }
        return TrafficModel(spec: spec, model: model, mesos: model.subsystem(MesosCluster.self),
                            proxies: model.subsystem(ProxyConfiguration.self), haproxy: model.subsystem(HAProxyControl.self))
    }

    public var name: String { "traffic" }
    public let spec: TrafficSpec
    unowned let model: ClusterSimulation
    let mesos: MesosCluster?
    let proxies: ProxyConfiguration?
    var target: Int32 = -1
    let table: BalancerTable?
    /// marathon-lb's HAProxy backends and stats (nil without marathon-lb).
    let haproxy: HAProxyTable?
    /// Which checked servers the observation walk looks at, and how (HAProxyWalk.swift).
    public var observationWalk = ObservationWalk.signalled
    /// Servers a walk over every server passed over through their watch (seen as before).
    public internal(set) var watchSkips = 0
    /// Servers the signalled walk did not look at.
    public internal(set) var walkPassed = 0
    /// Called with each change of how a server is seen (its name, failing or not, since when):
    /// what the exactness tests compare between walks.
    var onObserve: ((String, Bool, SimTime) -> Void)?
    /// Tasks signalled since the last walk (status updates, instance changes, container exits).
    var signalledTasks: [TaskID] = []
    /// The next walk looks at every server: a host went down or came up.
    var walkEverything = false
    /// Mesos' `probeEpoch` at the last walk.
    var walkProbeEpoch = 0
    /// The backend queue is being served (a freed slot met while serving it waits for the loop).
    var haproxyWaking = false
    /// Fluid mode: requests HAProxy answered 503 after `timeout queue` (expected count).
    var fluidQueueTimeouts = 0.0
    /// The largest 99th percentile of a service's response times in a closed sample window, ms.
    var peakP99: Double?
    /// Per service, in spec order.
    var fronts: [RequestFront] = []
    var direct: [DirectFront?] = []
    /// Per service: the Marathon app index whose tasks serve it (nil: unknown app, no instances).
    var appIndex: [Int?] = []
    var arrivalStreams: [RandomStream] = []
    var workStreams: [RandomStream] = []
    /// Per service: counters of the current sample window and of the whole run.
    var window: [TrafficCounters]
    var total: [TrafficCounters]
    var windowStart = SimTime.zero
    /// Per fired fault (FaultInjector.fired order): failures attributed to it and the last time
    /// a request was sent to a dead instance while it was the latest fault.
    var faultFailures: [Double] = []
    var faultDeadUntil: [SimTime?] = []
    // per-request state
    var requests: [TrafficRequest] = []
    var tried: [[Int]] = []
    var freeSlots: [Int32] = []
    var queues: [InstanceQueue] = []
    var queueOfTask: [TaskID: Int32] = [:]
    // fluid state
    var fluid: FluidTraffic?
    /// Fluid mode's work so far (service steps and the peers of full steps; 0 in request mode):
    /// work that is not engine events, for budgets such as the fuzzer's.
    public var fluidWork: Int { fluid?.work ?? 0 }
    /// What the apps' /metrics and cAdvisor read (TrafficMetrics.swift).
    var exporterCounters = TrafficExporterCounters()
    var proxyCounters = TrafficProxyCounters()
    /// Fluid mode reuses the results of its pure per-instance computations while their arguments
    /// repeat (exporter rates, the share of a sketch beyond the client's timeout); false: every
    /// one computed afresh (the reference `FluidMemoTests` compares with).
    public var fluidMemo = true
    var exporterRates: [Double] = []
    var exporterRatesKey: ExporterRatesKey?

    enum Kind: Int32 { case arrival = 0, connectTimeout, readTimeout, fifoDone, psDone, tick, clientTimeout, synRetransmit, queueTimeout, connectRetry }

    init(spec: TrafficSpec, model: ClusterSimulation, mesos: MesosCluster?, proxies: ProxyConfiguration?, haproxy: HAProxyControl? = nil) {
        self.spec = spec; self.model = model; self.mesos = mesos; self.proxies = proxies
        table = proxies.map(BalancerTable.init)
        let usesLB = spec.services.contains { if case .marathonLB = $0.entry { return true }; return false }
        self.haproxy = usesLB ? haproxy.map { HAProxyTable(control: $0, checkStream: model.stream(StreamName.of("traffic", "haproxy/checks"))) } : nil
        window = Array(repeating: TrafficCounters(), count: spec.services.count)
        total = window
        let apps = model.spec.marathon?.apps ?? []
        for s in spec.services {
            appIndex.append(apps.firstIndex { $0.id == s.app })
            arrivalStreams.append(model.stream(StreamName.of("traffic", s.name)))
            workStreams.append(model.stream(StreamName.of("traffic", s.name + "/serviceTime")))
            switch s.entry {
            case .direct:
                let d = DirectFront()
                fronts.append(d); direct.append(d)
            case .nginx(let proxy, let path):
                direct.append(nil)
                if let t = table {
                    fronts.append(NginxFront(table: t, path: path, proxy: proxy) { [unowned model] h in model.infrastructure.hosts[h].state.isUp })
                } else {
                    fronts.append(NoFront())
                }
            case .marathonLB(let frontend, let instance):
                direct.append(nil)
                fronts.append(makeHAProxyFront(frontend: frontend, instance: instance))
            }
        }
        if spec.mode == .fluid {
            let f = FluidTraffic(model: self)
            fluid = f
            // a released balancer's peers are never read again: their fluid state goes with it
            table?.onRelease = { [unowned f] b, peers in f.forget(balancer: b, peers: peers) }
        }
    }

    public func register(in sim: Simulation) { target = sim.register(self) }

    public func subscribe(to signals: PlatformSignals) {
        if haproxy != nil { signals.subscribe(self, to: .containerExits) }
        if fluid != nil {
            signals.subscribe(self, to: [.hosts, .taskStatus, .instances, .proxy])
        } else if haproxy != nil {
            // .proxy: a reload's accept queues (`haproxyListenReloaded`), nothing else
            signals.subscribe(self, to: [.hosts, .taskStatus, .instances, .proxy])
        } else if direct.contains(where: { $0 != nil }) {
            signals.subscribe(self, to: .instances)
        }
    }

    public func start() {
        if let f = fluid { f.start(); return }
        for i in spec.services.indices { scheduleArrival(i, after: .zero, first: true) }
    }

    var now: SimTime { model.sim.now }

    func schedule(_ k: Kind, at t: SimTime, _ arg: Int64) {
        model.sim.schedule(at: t, target: target, kind: k.rawValue, arg: arg)
    }

    public func handle(_ event: Event, in sim: Simulation) {
        switch Kind(rawValue: event.kind)! {
        case .arrival: arrival(Int(event.arg))
        case .connectTimeout: attemptFailed(event.arg, cause: .timeout, sent: false)
        case .readTimeout: attemptFailed(event.arg, cause: .timeout, sent: true)
        case .fifoDone: fifoDone(event.arg)
        case .psDone: psDone(event.arg)
        case .tick: fluid?.tick()
        case .clientTimeout: clientGaveUp(event.arg)
        case .synRetransmit: haproxyRetransmit(event.arg)
        case .queueTimeout: haproxyQueueTimeout(event.arg)
        case .connectRetry: haproxyRetry(event.arg)
        }
    }

    // MARK: instances

    /// `instance_changed_event`: a direct client's list of running tasks follows Marathon's view.
    public func receive(_ signal: PlatformSignal) {
        if case .containerExited(let task) = signal { signalledTasks.append(task); return }
        if fluid == nil, haproxy != nil {
            // per request: a reload only matters to the accept queues (no walk of the checks)
            if case .haproxyReloaded(let i, _) = signal { haproxyListenReloaded(i); return }
            if case .proxyReloaded = signal { return }
        }
        fluid?.signal(signal)
        if haproxy != nil { haproxySignal(signal) }
        guard case .instanceChanged(let app, let task, let condition) = signal else { return }
        for (i, a) in appIndex.enumerated() where a == app {
            guard let d = direct[i] else { continue }
            if condition == .running, let host = hostOf(task: task) {
                d.add(ServiceInstance(task: task, host: host, port: 0))
            } else if condition != .running {
                d.remove(task: task)
            }
            fluid?.invalidate(i)
        }
    }

    func hostOf(task: TaskID) -> Int? {
        guard let m = mesos, let t = m.task(task) else { return nil }
        return m.agents[t.agent].host.index
    }

    /// What a connection from `host` (-1: a client outside the cluster) to the instance meets now:
    /// read from Mesos' task state as `MesosCluster.probe(task:from:timeout:)` does, without drawing
    /// from the task's stream. A partition cuts only the paths `MesosCluster.cut` names (a
    /// partitioned host and the masters' and ZooKeeper's hosts: docs/scenarios.md, `faults`).
    func reach(_ inst: ServiceInstance?, from host: Int) -> Reach {
        guard let inst, let m = mesos, let t = m.task(inst.task) else { return .refused }
        let h = m.agents[t.agent].host.index
        if !model.infrastructure.hosts[h].state.isUp { return .noAnswer }
        if host >= 0 && m.cut(host, h) { return .noAnswer }
        return Self.process(t, now: now, storage: m.containerStorage)
    }

    /// What the task's process does with a connection that reached its host (`storage` nil: storage
    /// that never hangs a container, `NoContainerStorage`).
    @inline(__always)
    static func process(_ t: MesosTask, now: SimTime, storage: ContainerStorage?) -> Reach {
        guard t.containerAlive, !t.state.isTerminal, let serving = t.servingAt, now >= serving else { return .refused }
        if let hang = t.hangAt, now >= hang { return .hung }
        if let st = storage, case .timedOut? = st.probeOutcome(task: t.id) { return .hung }
        return .accept
    }

    // MARK: counting

    /// Attributes a failure (or a dead routing) to the latest fault that fired.
    func faultIndex() -> Int? {
        let n = model.faultInjector.fired.count
        guard n > 0 else { return nil }
        while faultFailures.count < n { faultFailures.append(0); faultDeadUntil.append(nil) }
        return n - 1
    }

    func countFailure(_ service: Int, _ cause: TrafficOutcome, weight: Double = 1) {
        switch cause {
        case .ok: return
        case .deadUpstream: window[service].errorsDeadUpstream += weight
        case .noUpstream: window[service].errorsNoUpstream += weight
        case .timeout: window[service].errorsTimeout += weight
        case .noProxy: window[service].errorsNoProxy += weight
        }
        if let f = faultIndex() { faultFailures[f] += weight }
    }

    /// events.csv: nginx's "upstream server temporarily disabled" (a peer reached max_fails).
    func logDisabled(_ server: UpstreamServer, proxy: Int, generation: Int) {
        model.log("traffic", "upstreamDisabled", "\(server.address):\(server.port)",
                  "nginx \(proxy) generation \(generation): max_fails \(server.maxFails) reached; out for fail_timeout \(server.failTimeout)")
    }

    /// A request was sent (or, in fluid mode, routed until `t`) to an instance on `host` that was
    /// dead, hung or not listening: it counts for the latest fault only when that fault hit the
    /// instance's host (a rolling upgrade's killed tasks are not the fault's doing).
    func deadRouting(at t: SimTime, host: Int) {
        guard let f = faultIndex() else { return }
        let name = model.infrastructure.hosts[host].name
        guard model.faultInjector.fired[f].hosts.contains(name) else { return }
        faultDeadUntil[f] = max(faultDeadUntil[f] ?? t, t)
    }

    /// Closes the sample window: its counters go into the totals.
    func closeWindow() {
        for i in window.indices {
            window[i].materialize()
            if let p = window[i].latency.quantile(0.99) { peakP99 = max(peakP99 ?? p, p) }
            total[i].add(window[i]); window[i] = TrafficCounters()
        }
        windowStart = now
    }
}

/// What a connection attempt meets.
enum Reach { case accept, refused, noAnswer, hung }

/// How a request ended.
enum TrafficOutcome { case ok, deadUpstream, noUpstream, timeout, noProxy }

/// Requests and errors of a sample window (fluid mode adds fractions of requests).
struct TrafficCounters {
    var offered = 0.0
    var served = 0.0
    var errorsDeadUpstream = 0.0
    var errorsNoUpstream = 0.0
    var errorsTimeout = 0.0
    var errorsNoProxy = 0.0
    /// Response times of the requests served, milliseconds (fluid mode: call `materialize()` first).
    var latency = LogLinearHistogram()
    /// Sum of the response times of the requests served, milliseconds (for the mean).
    var latencySumMs = 0.0
    /// Fluid mode: requests served with a latency sketch (quantile points, ms) shifted by
    /// `shiftMs`, added to `latency` only when the window is read (`materialize`), so a tick
    /// costs an addition, not a hundred histogram updates.
    private(set) var sketches: [SketchCount] = []
    /// Where each (sketch, shift) is in `sketches` (a window gathers one per tick and backlog age),
    /// kept once there are more than `scanLimit` (fewer are searched: a tick's counters hold one).
    private var sketchAt: [SketchKey: Int] = [:]
    static let scanLimit = 8
    var failed: Double { errorsDeadUpstream + errorsNoUpstream + errorsTimeout + errorsNoProxy }

    struct SketchCount {
        var id: Int
        var points: [Double]
        var shiftMs: Double
        var count: Double
    }

    /// The shift as `==` compares it (-0 is 0; NaN, equal to nothing, has no key).
    struct SketchKey: Hashable {
        var id: Int
        var shift: UInt64
        init?(id: Int, shiftMs: Double) {
            guard !shiftMs.isNaN else { return nil }
            self.id = id; shift = shiftMs == 0 ? 0 : shiftMs.bitPattern
        }
    }

    /// Fluid mode: requests served with a latency sketch shifted by `shiftMs` (one access to the
    /// counters: `served`, the latency sum and the sketch, as three separate additions would).
    mutating func addServed(_ ok: Double, meanMs: Double, shiftMs: Double, sketch: Int, points: [Double]) {
        served += ok
        latencySumMs += ok * (meanMs + shiftMs)
        addSketch(id: sketch, points: points, shiftMs: shiftMs, count: ok)
    }

    mutating func addSketch(id: Int, points: [Double], shiftMs: Double, count: Double) {
        let key = SketchKey(id: id, shiftMs: shiftMs)
        if let k = key, let i = index(of: k) {
            sketches[i].count += count
            return
        }
        sketches.append(SketchCount(id: id, points: points, shiftMs: shiftMs, count: count))
        if sketches.count == Self.scanLimit + 1 {
            for (i, sk) in sketches.enumerated() {
                if let k = SketchKey(id: sk.id, shiftMs: sk.shiftMs), sketchAt[k] == nil { sketchAt[k] = i }
            }
        } else if sketches.count > Self.scanLimit + 1, let k = key {
            sketchAt[k] = sketches.count - 1
        }
    }

    /// The entry with key `k` (keys are unique among the entries).
    private func index(of k: SketchKey) -> Int? {
        guard sketches.count <= Self.scanLimit else { return sketchAt[k] }
        return sketches.indices.first { SketchKey(id: sketches[$0].id, shiftMs: sketches[$0].shiftMs) == k }
    }

    /// Records the pending sketches into `latency` (each point carries count / points of the requests).
    mutating func materialize() {
        for sk in sketches {
            let per = sk.count / Double(sk.points.count)
            let n = UInt64((per * 1000).rounded())
            guard n > 0 else { continue }
            for x in sk.points { latency.record(x + sk.shiftMs, count: n) }
        }
        sketches.removeAll(keepingCapacity: true)
        if !sketchAt.isEmpty { sketchAt.removeAll(keepingCapacity: true) }
    }

    /// Empties the counters, keeping the sketch list's storage (the histogram stays empty: fluid
    /// mode fills it only in `materialize`).
    mutating func clear() {
        offered = 0; served = 0; errorsDeadUpstream = 0; errorsNoUpstream = 0; errorsTimeout = 0; errorsNoProxy = 0
        latencySumMs = 0
        sketches.removeAll(keepingCapacity: true)
        if !sketchAt.isEmpty { sketchAt.removeAll(keepingCapacity: true) }
        if latency.count > 0 { latency = LogLinearHistogram() }
    }

    mutating func add(_ o: TrafficCounters) {
        offered += o.offered; served += o.served; errorsDeadUpstream += o.errorsDeadUpstream
        errorsNoUpstream += o.errorsNoUpstream; errorsTimeout += o.errorsTimeout; errorsNoProxy += o.errorsNoProxy
        if o.latency.count > 0 { latency.merge(o.latency) }
        latencySumMs += o.latencySumMs
        for sk in o.sketches { addSketch(id: sk.id, points: sk.points, shiftMs: sk.shiftMs, count: sk.count) }
    }
}

/// A service whose requests cannot enter: `via: nginx` without an nginx section.
final class NoFront: RequestFront {
    func open(now: SimTime) -> FrontOpen { .refused(.noProxy) }
    func route(_ h: FrontHandle) -> ProxyRoute { DirectFront.route }
    func tries(_ h: FrontHandle) -> Int { 0 }
    func pick(_ h: FrontHandle, now: SimTime, tried: [Int]) -> FrontPeer? { nil }
    func free(_ h: FrontHandle, peer: Int, failed: Bool, now: SimTime) -> UpstreamServer? { nil }
    func close(_ h: FrontHandle) {}
}
