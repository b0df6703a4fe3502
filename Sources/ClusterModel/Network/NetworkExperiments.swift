import SimKernel

/// One result of the network experiments (a row of network.csv).
public struct NetworkResultRow: Equatable, Sendable {
    public enum Experiment: String, Sendable {
        /// qperf `tcp_bw` + `tcp_lat` at one message size.
        case tcp
        /// Several TCP flows at once between the two hosts.
        case multiFlow = "multi_flow"
        /// One UDP stream of MTU-sized datagrams.
        case udp
        /// A burst of concurrent new connections.
        case connect
        /// `flows` concurrent request/response streams of 1-byte messages (netperf TCP_RR).
        case requestResponse = "rr"
        /// `flows` concurrent streams of connect, 1-byte request/response, close (netperf TCP_CRR).
        case connectRequestResponse = "crr"
    }
    public var mode: ContainerNetworkMode
    public var experiment: Experiment
    public var locality: ClusterNetwork.Locality
    public var messageSize: Int64?
    public var flows: Int
    public var mtu: Int
    /// Payload bits per second (nil for connect rows).
    public var throughputBitsPerSecond: Double?
    public var oneWayLatency: SimDuration?
    /// Network CPU seconds on both hosts per Gbit delivered.
    public var cpuSecondsPerGbit: Double?
    /// Mean cores busy with the network on the busier host during the test.
    public var busyCores: Double?
    public var connectMean: SimDuration?
    public var connectMax: SimDuration?
    public var connectionsDelayed: Int?
    /// Mean cores busy with the network on the client's and on the server's host.
    public var clientCores: Double?
    public var serverCores: Double?
    /// udp rows: share of the datagrams the sender offered that the receiver dropped.
    public var udpLoss: Double?
    /// rr and crr rows: transactions per second over all flows, and the mean time of one.
    public var transactionsPerSecond: Double?
    public var transactionLatency: SimDuration?
}

/// Runs the qperf-like experiments of `network.experiments` one after another, in simulated
/// time, through the same flow and message primitives as any other traffic: for each mode and
/// message size a `testTime` bandwidth flow (qperf tcp_bw) then one ping-pong exchange (tcp_lat,
/// one-way = round trip / 2); then a multi-flow run, a UDP run and, when asked, a burst of new
/// connections. The docker-proxy path is measured between a client on the server's own host and
/// a container behind a published port (the only case where the proxy is on the path), next to
/// host mode on the same host.
public final class NetworkExperimentRunner: EventHandler, NetworkClient {
    unowned let model: ClusterSimulation
    let network: ClusterNetwork
    let spec: NetworkExperimentsSpec
    var target: Int32 = -1
    public private(set) var rows: [NetworkResultRow] = []
    public private(set) var finished = false

    enum Step {
        case tcp(ContainerNetworkMode, Int, Int, Int64)       // mode, from, to, size
        case multi(ContainerNetworkMode, Int, Int)
        case udp(ContainerNetworkMode, Int, Int)
        case connect(ContainerNetworkMode, Int, Int)
        case transactions(ContainerNetworkMode, Int, Int, Bool)   // with a connection each (crr)
    }
    var steps: [Step] = []
    var next = 0
    // state of the running step
    var handles: [ClusterNetwork.FlowHandle] = []
    var cpuStart: (Double, Double) = (0, 0)
    var started: SimTime = .zero
    var pendingRow: NetworkResultRow?
    var connectDelays: [SimDuration] = []
    var connectRetrans = 0
    var connectExpected = 0

    enum Kind: Int32 { case step = 1, stopBandwidth = 2 }

    init(spec: NetworkExperimentsSpec, network: ClusterNetwork, model: ClusterSimulation) {
        self.spec = spec; self.network = network; self.model = model
        guard let a = model.infrastructure.host(named: spec.from)?.index,
              let b = model.infrastructure.host(named: spec.to)?.index else { return }
        var plan: [(ContainerNetworkMode, Int, Int)] = []
        for m in spec.modes {
            if m == .dockerProxy {
                if spec.modes.contains(.host) { plan.append((.host, b, b)) }
                plan.append((.dockerProxy, b, b))
            } else {
                plan.append((m, a, b))
            }
        }
        for (m, x, y) in plan {
            for s in spec.messageSizes { steps.append(.tcp(m, x, y, s)) }
            if spec.flows > 0 { steps.append(.multi(m, x, y)) }
            steps.append(.udp(m, x, y))
            if spec.flows > 0 { steps.append(.transactions(m, x, y, false)); steps.append(.transactions(m, x, y, true)) }
            if spec.connections > 0 { steps.append(.connect(m, x, y)) }
        }
    }

    func register(in sim: Simulation) { target = sim.register(self) }

    func start() {
        guard !steps.isEmpty else { finished = true; return }
        model.sim.schedule(at: .zero, target: target, kind: Kind.step.rawValue)
    }

    func endpoints(_ m: ContainerNetworkMode, _ x: Int, _ y: Int) -> (NetworkEndpoint, NetworkEndpoint) {
        (NetworkEndpoint(host: x, mode: m == .dockerProxy ? .host : m), NetworkEndpoint(host: y, mode: m))
    }

    func cpuNow(_ x: Int, _ y: Int) -> (Double, Double) {
        (network.cpuSeconds(host: x), x == y ? 0 : network.cpuSeconds(host: y))
    }

    public func handle(_ event: Event, in sim: Simulation) {
        switch Kind(rawValue: event.kind) {
        case .step: runStep()
        case .stopBandwidth: stopBandwidth()
        case nil: preconditionFailure("unknown experiment event")
        }
    }

    private func runStep() {
        guard next < steps.count else {
            finished = true
            model.log("network", "experimentsFinished", "", "\(rows.count) results")
            return
        }
        let step = steps[next]
        started = model.sim.now
        handles = []
        switch step {
        case .tcp(let m, let x, let y, let size):
            let (a, b) = endpoints(m, x, y)
            if m == .overlay && !network.attachContainer(host: y, mode: m, name: "qperf-\(m.rawValue)") { return skip() }
            cpuStart = cpuNow(x, y)
            handles = [network.startFlow(from: a, to: b, messageSize: size)]
            pendingRow = NetworkResultRow(mode: m, experiment: .tcp, locality: network.locality(x, y), messageSize: size, flows: 1, mtu: network.endCosts(a, b).mtu)
        case .multi(let m, let x, let y):
            let (a, b) = endpoints(m, x, y)
            cpuStart = cpuNow(x, y)
            for _ in 0..<spec.flows { handles.append(network.startFlow(from: a, to: b, messageSize: 65536)) }
            pendingRow = NetworkResultRow(mode: m, experiment: .multiFlow, locality: network.locality(x, y), messageSize: 65536, flows: spec.flows, mtu: network.endCosts(a, b).mtu)
        case .udp(let m, let x, let y):
            let (a, b) = endpoints(m, x, y)
            cpuStart = cpuNow(x, y)
            handles = [network.startFlow(from: a, to: b, protocol: .udp)]
            let mtu = network.endCosts(a, b).mtu
            pendingRow = NetworkResultRow(mode: m, experiment: .udp, locality: network.locality(x, y), messageSize: Int64(mtu - Datapath.udpHeaderBytes), flows: 1, mtu: mtu)
        case .transactions(let m, let x, let y, let withConnect):
            let (a, b) = endpoints(m, x, y)
            let t = network.transactionRate(from: a, to: b, flows: spec.flows, connect: withConnect)
            var row = NetworkResultRow(mode: m, experiment: withConnect ? .connectRequestResponse : .requestResponse, locality: network.locality(x, y),
                                       messageSize: 1, flows: spec.flows, mtu: network.endCosts(a, b).mtu)
            row.transactionsPerSecond = t.perSecond
            row.transactionLatency = SimDuration(nanoseconds: Int64((Double(spec.flows) / t.perSecond * 1e9).rounded()))
            row.clientCores = t.clientCores; row.serverCores = t.serverCores
            row.busyCores = x == y ? t.clientCores + t.serverCores : max(t.clientCores, t.serverCores)
            return finishStep(row)
        case .connect(let m, let x, let y):
            let (a, b) = endpoints(m, x, y)
            connectDelays = []; connectRetrans = 0; connectExpected = spec.connections
            pendingRow = NetworkResultRow(mode: m, experiment: .connect, locality: network.locality(x, y), messageSize: nil, flows: spec.connections, mtu: network.endCosts(a, b).mtu)
            // the client's threads, one per core, each issue connect() one after another as fast as
            // the stack allows, with a random gap of 0-2x that (seeded stream network/experiments)
            let cores = max(1, Int(model.infrastructure.hosts[x].cpus))
            let spacing = network.env.syscallNs + network.env.stackNsPerSegment
            let rng = model.stream("network/experiments")
            var clock = [Double](repeating: 0, count: cores)
            for i in 0..<spec.connections {
                let c = i % cores
                clock[c] += spacing * 2 * rng.uniform()
                connectAt.append((model.sim.now + SimDuration(nanoseconds: Int64(clock[c])), a, b, c, Int64(i)))
            }
            scheduleConnects()
            return
        }
        model.sim.schedule(after: spec.testTime, target: target, kind: Kind.stopBandwidth.rawValue)
    }

    var connectAt: [(SimTime, NetworkEndpoint, NetworkEndpoint, Int, Int64)] = []
    /// Issues the burst's connects at their times (through a helper handler so each happens at its instant).
    private func scheduleConnects() {
        let issuer = ConnectIssuer(runner: self)
        issuer.target = model.sim.register(issuer)
        for (i, c) in connectAt.enumerated() { model.sim.schedule(at: c.0, target: issuer.target, kind: 1, arg: Int64(i)) }
    }

    fileprivate func issue(_ i: Int) {
        let c = connectAt[i]
        network.connect(from: c.1, to: c.2, core: c.3, client: self, token: c.4)
    }

    private func skip() {
        model.log("network", "experimentSkipped", "\(next)", "overlay container could not join (KV store unreachable)")
        next += 1
        model.sim.schedule(after: .zero, target: target, kind: Kind.step.rawValue)
    }

    private func stopBandwidth() {
        guard var row = pendingRow else { return }
        var bytes = 0.0
        for h in handles { bytes += network.stopFlow(h) }
        let dt = (model.sim.now - started).seconds
        let (x, y): (Int, Int)
        switch steps[next] {
        case .tcp(_, let a, let b, _), .multi(_, let a, let b), .udp(_, let a, let b), .connect(_, let a, let b),
             .transactions(_, let a, let b, _): (x, y) = (a, b)
        }
        let cpu = cpuNow(x, y)
        let cpuA = cpu.0 - cpuStart.0, cpuB = cpu.1 - cpuStart.1
        row.throughputBitsPerSecond = bytes * 8 / dt
        let gbit = bytes * 8 / 1e9
        row.cpuSecondsPerGbit = gbit > 0 ? (cpuA + cpuB) / gbit : nil
        row.busyCores = max(cpuA, cpuB) / dt
        row.clientCores = cpuA / dt
        row.serverCores = x == y ? 0 : cpuB / dt
        if case .udp(let m, _, _) = steps[next] {
            let (a, b) = endpoints(m, x, y)
            let offered = network.udpSenderRate(from: a, to: b)
            row.udpLoss = offered > 0 ? max(0, 1 - bytes / dt / offered) : 0
        }
        if case .tcp(let m, _, _, let size) = steps[next] {
            // qperf tcp_lat: ping-pong of `size` bytes each way; one-way = round trip / 2
            pendingRow = row
            let (a, b) = endpoints(m, x, y)
            network.exchange(from: a, to: b, requestBytes: size, responseBytes: size, client: self, token: Int64(next))
            return
        }
        finishStep(row)
    }

    private func finishStep(_ row: NetworkResultRow) {
        rows.append(row)
        pendingRow = nil
        next += 1
        model.sim.schedule(after: .zero, target: target, kind: Kind.step.rawValue)
    }

    public func messageCompleted(token: Int64, roundTrip: SimDuration) {
        guard var row = pendingRow else { return }
        row.oneWayLatency = SimDuration(nanoseconds: roundTrip.nanoseconds / 2)
        finishStep(row)
    }

    public func connectionEstablished(token: Int64, delay: SimDuration, retransmissions: Int) {
        connectDelays.append(delay)
        if retransmissions > 0 { connectRetrans += 1 }
        guard connectDelays.count == connectExpected, var row = pendingRow else { return }
        let total = connectDelays.reduce(Int64(0)) { $0 + $1.nanoseconds }
        row.connectMean = SimDuration(nanoseconds: total / Int64(connectDelays.count))
        row.connectMax = connectDelays.max()
        row.connectionsDelayed = connectRetrans
        connectAt = []
        finishStep(row)
    }
}

/// Issues one connect of a burst at its instant.
final class ConnectIssuer: EventHandler {
    unowned let runner: NetworkExperimentRunner
    var target: Int32 = -1
    init(runner: NetworkExperimentRunner) { self.runner = runner }
    func handle(_ event: Event, in sim: Simulation) { runner.issue(Int(event.arg)) }
}
