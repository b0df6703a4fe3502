import SimKernel

/// A container or host process on the network: the host it runs on and the datapath its traffic
/// takes (`.host` for a process in the host's network namespace).
public struct NetworkEndpoint: Equatable, Sendable {
    public var host: Int
    public var mode: ContainerNetworkMode
    public init(host: Int, mode: ContainerNetworkMode = .host) { self.host = host; self.mode = mode }
}

/// Receives the outcome of traffic started through `ClusterNetwork` (all methods optional).
public protocol NetworkClient: AnyObject {
    /// A bounded flow delivered its last byte.
    func flowCompleted(_ flow: ClusterNetwork.FlowHandle, token: Int64, bytes: Double)
    /// A request/response exchange finished: `roundTrip` from sending the request to receiving
    /// the whole response.
    func messageCompleted(token: Int64, roundTrip: SimDuration)
    /// A new TCP connection was established after `delay` (SYN retransmissions and proxy
    /// queueing included); `retransmissions` SYNs were lost to the NAT race.
    func connectionEstablished(token: Int64, delay: SimDuration, retransmissions: Int)
}

extension NetworkClient {
    public func flowCompleted(_ flow: ClusterNetwork.FlowHandle, token: Int64, bytes: Double) {}
    public func messageCompleted(token: Int64, roundTrip: SimDuration) {}
    public func connectionEstablished(token: Int64, delay: SimDuration, retransmissions: Int) {}
}

/// The cluster's network: topology (NICs, racks with top-of-rack uplinks, data-center links),
/// the datapath model of each container network mode, bulk flows sharing capacities by max-min
/// fairness, request/response messages, connection set-up (NAT conntrack race, docker-proxy
/// queue), the overlay's KV store, and the network CPU charged to each host.
public final class ClusterNetwork: EventHandler {
    public let spec: NetworkSpec
    public let env: EnvironmentParameters
    unowned let model: ClusterSimulation
    var target: Int32 = -1

    public struct FlowHandle: Equatable, Sendable {
        public let slot: Int32
        public let generation: UInt32
    }

    public enum TransportProtocol: Sendable { case tcp, udp }

    // MARK: topology
    let hostRack: [Int32]
    let hostDatacenter: [Int32]
    public let rackNames: [String]
    public let datacenterNames: [String]
    /// Resources of the sharing model.
    public let sharing = MaxMinSharing()
    var nicTx: [Int32] = [], nicRx: [Int32] = [], cpu: [Int32] = [], forwarder: [Int32] = []
    var rackUp: [Int32?] = [], rackDown: [Int32?] = []
    /// Directed DC links: (from dc, to dc, resource, latency).
    var dcLinks: [(from: Int32, to: Int32, resource: Int32, latency: SimDuration)] = []

    // MARK: flows
    struct Flow {
        var generation: UInt32 = 0
        var active = false
        var a = 0, b = 0
        var sharingID: Int32 = -1
        var remaining = Double.infinity
        var transferred = 0.0
        var lastUpdate: SimTime = .zero
        var rate = 0.0
        /// CPU seconds per byte charged to each end's host.
        var cpuA = 0.0, cpuB = 0.0
        /// Cores the sender's host spends whatever the flow's rate (a UDP sender running flat out:
        /// `Datapath.udpSenderUnpaced`), charged while the flow is active.
        var fixedCoresA = 0.0
        var finishNs: Int64 = .max
        var heapIndex = -1
        var client: NetworkClient?
        var token: Int64 = 0
    }
    var flows: [Flow] = []
    var freeFlowSlots: [Int32] = []
    /// Bounded flows ordered by finish time (slot indices).
    var finishHeap: [Int32] = []
    var armedWakeNs: Int64? = nil
    public private(set) var activeFlows = 0
    /// Per-host byte counters for the exporters (NetworkMetrics.swift).
    var exporterCounters = NetworkExporterCounters()

    // MARK: CPU accounting
    var cpuRateCores: [Double]
    var cpuSeconds: [Double]
    var cpuUpdated: [SimTime]
    var sampleCPU: [Double]
    var sampleTime: [SimTime]

    // MARK: messages and connections
    struct Pending { var client: NetworkClient?; var token: Int64; var start: SimTime; var a: NetworkEndpoint; var b: NetworkEndpoint; var attempts: Int; var core: Int }
    var pending: [Pending?] = []
    var freePending: [Int32] = []
    /// NAT allocations in flight per (source host, destination host): end of the race window and
    /// the core that allocated. Looked up only, never iterated.
    var natInFlight: [Int64: (endNs: Int64, core: Int)] = [:]
    /// When each host's docker-proxy finishes the connections queued on it.
    var proxyFreeAt: [SimTime]
    public private(set) var natRaceDrops = 0
    /// ZooKeeper serves (the overlay's KV store when `kvStore` is zookeeper), from `.zooKeeper` signals.
    var zooKeeperServing = false

    enum Kind: Int32 { case wake = 1, message = 2, connectAttempt = 3, connectDone = 4, reshare = 5 }

    init(spec: NetworkSpec, model: ClusterSimulation) {
        self.spec = spec
        self.env = spec.parameters
        self.model = model
        let hosts = model.infrastructure.hosts
        // A rack is a (data center, name) pair: two data centers may both have a "rack-01" (the default
        // rack of every host group), and those are different switches with their own uplinks.
        var racks: [String] = [], rackKeys: [String] = []
        var dcs: [String] = []
        var hr: [Int32] = [], hd: [Int32] = []
        for h in hosts {
            let key = h.datacenter + "\u{0}" + h.rack
            if !rackKeys.contains(key) { rackKeys.append(key); racks.append(h.rack) }
            if !dcs.contains(h.datacenter) { dcs.append(h.datacenter) }
            hr.append(Int32(rackKeys.firstIndex(of: key)!))
            hd.append(Int32(dcs.firstIndex(of: h.datacenter)!))
        }
        for l in spec.datacenterLinks {
            if !dcs.contains(l.a) { dcs.append(l.a) }
            if !dcs.contains(l.b) { dcs.append(l.b) }
        }
        rackNames = racks; datacenterNames = dcs; hostRack = hr; hostDatacenter = hd
        let ports = Double(spec.host.bonding == .lacp ? spec.host.bondLinks : 1)
        for h in hosts {
            // an 802.3ad bond carries `bondLinks` ports' worth; active-backup one port
            nicTx.append(sharing.addResource(capacity: ports * Double(h.nicBitsPerSecond) / 8))
            nicRx.append(sharing.addResource(capacity: ports * Double(h.nicBitsPerSecond) / 8))
            cpu.append(sharing.addResource(capacity: h.cpus))
            // a user-space forwarder (flanneld, the Weave router, docker-proxy) forwards on one core
            forwarder.append(sharing.addResource(capacity: min(1, h.cpus)))
        }
        for name in racks {
            if let up = spec.racks.first(where: { $0.name == name })?.uplinkBitsPerSecond {
                rackUp.append(sharing.addResource(capacity: Double(up) / 8))
                rackDown.append(sharing.addResource(capacity: Double(up) / 8))
            } else { rackUp.append(nil); rackDown.append(nil) }
        }
        for l in spec.datacenterLinks {
            let a = Int32(dcs.firstIndex(of: l.a)!), b = Int32(dcs.firstIndex(of: l.b)!)
            dcLinks.append((a, b, sharing.addResource(capacity: Double(l.bitsPerSecond) / 8), l.latency))
            dcLinks.append((b, a, sharing.addResource(capacity: Double(l.bitsPerSecond) / 8), l.latency))
        }
        let n = hosts.count
        cpuRateCores = Array(repeating: 0, count: n); cpuSeconds = Array(repeating: 0, count: n)
        cpuUpdated = Array(repeating: .zero, count: n); sampleCPU = Array(repeating: 0, count: n)
        sampleTime = Array(repeating: .zero, count: n); proxyFreeAt = Array(repeating: .zero, count: n)
    }

    /// The qperf-like experiments of `network.experiments`, when the scenario has them.
    public private(set) var experiments: NetworkExperimentRunner?

    public func register(in sim: Simulation) {
        target = sim.register(self)
        if let e = spec.experiments {
            let r = NetworkExperimentRunner(spec: e, network: self, model: model)
            r.register(in: sim)
            experiments = r
        }
    }

    public func start() {
        var detail = "environment \(spec.environment.rawValue); default mode \(spec.mode.rawValue); underlay MTU \(spec.underlayMTU)"
        if spec.kvStore != nil { detail += "; KV store \(kvStoreName)" }
        model.log("network", "started", spec.mode.rawValue, detail)
        experiments?.start()
    }

    var now: SimTime { model.sim.now }

    // MARK: - Paths

    public enum Locality: String, Sendable { case sameHost = "same-host", sameRack = "same-rack", sameDatacenter = "same-datacenter", crossDatacenter = "cross-datacenter" }

    public func locality(_ a: Int, _ b: Int) -> Locality {
        if a == b { return .sameHost }
        if hostDatacenter[a] != hostDatacenter[b] { return .crossDatacenter }
        return hostRack[a] == hostRack[b] ? .sameRack : .sameDatacenter
    }

    /// The DC link from one data center to another, if declared.
    func dcLink(_ from: Int32, _ to: Int32) -> (resource: Int32, latency: SimDuration)? {
        dcLinks.first(where: { $0.from == from && $0.to == to }).map { ($0.resource, $0.latency) }
    }

    /// Propagation and switching latency between two hosts, one way (no CPU, no serialisation).
    public func pathLatency(_ a: Int, _ b: Int) -> SimDuration {
        let sw = spec.switchLatency
        switch locality(a, b) {
        case .sameHost: return .zero
        case .sameRack: return sw
        case .sameDatacenter: return sw * 3
        case .crossDatacenter:
            return sw * 6 + (dcLink(hostDatacenter[a], hostDatacenter[b])?.latency ?? .zero)
        }
    }

    /// The narrowest line rate on the path, bytes per second.
    func pathBytesPerSecond(_ a: Int, _ b: Int) -> Double {
        let hosts = model.infrastructure.hosts
        if a == b { return .infinity }
        let ports = Double(spec.host.bonding == .lacp ? spec.host.bondLinks : 1)
        return ports * Double(min(hosts[a].nicBitsPerSecond, hosts[b].nicBitsPerSecond)) / 8
    }

    // MARK: - Per-flow costs

    /// Container MTU of a mode in this cluster.
    public func mtu(_ m: ContainerNetworkMode) -> Int { spec.mtu(of: m) }

    /// The MTU a connection between two endpoints uses (TCP takes the smaller MSS) and the mode
    /// whose encapsulation is on the wire.
    func wireMode(_ a: NetworkEndpoint, _ b: NetworkEndpoint) -> (mode: ContainerNetworkMode, mtu: Int) {
        let ma = a.mode == .dockerProxy ? ContainerNetworkMode.bridge : a.mode
        let mb = b.mode == .dockerProxy ? ContainerNetworkMode.bridge : b.mode
        let mtuv = min(mtu(ma), mtu(mb))
        let m = Datapath.profile(ma).encapBytes >= Datapath.profile(mb).encapBytes ? ma : mb
        return (m, mtuv)
    }

    /// CPU cost of each end of a stream between two endpoints: `a` writes (GSO), `b` reads (GRO).
    /// A docker-proxy runs at the end whose mode is `docker-proxy` (the published port), in both
    /// directions: a response crosses it too. `writeBytes`: the size of each write.
    public func endCosts(_ a: NetworkEndpoint, _ b: NetworkEndpoint, writeBytes: Int64? = nil) -> (a: Datapath.EndCost, b: Datapath.EndCost, mtu: Int) {
        let w = wireMode(a, b)
        let ca = Datapath.endCost(a.mode, mtu: w.mtu, env: env, serverSide: true, sending: true, writeBytes: writeBytes)
        let cb = Datapath.endCost(b.mode, mtu: w.mtu, env: env, serverSide: true, sending: false, writeBytes: writeBytes)
        return (ca, cb, w.mtu)
    }

    /// The rate one link of the host's NIC allows a single flow, bytes per second: with bonding a
    /// flow is hashed onto one port (802.3ad layer3+4) or runs on the active one.
    func perFlowLinkBytesPerSecond(_ a: Int, _ b: Int) -> Double {
        let hosts = model.infrastructure.hosts
        if a == b { return .infinity }
        return Double(min(hosts[a].nicBitsPerSecond, hosts[b].nicBitsPerSecond)) / 8
    }

    /// The payload rate a UDP sender's core pushes through its transmit path (`Datapath.udpSenderRate`):
    /// above its NIC's rate where no socket paces it, the surplus dropped at its own host. It is what
    /// iperf3's sender offers, of which it counts as lost what the receiver does not get (the sequence
    /// numbers' gaps, esnet/iperf src/iperf_udp.c `iperf_udp_recv`): that surplus, and what a receiver
    /// that cannot keep up does not take.
    public func udpSenderRate(from a: NetworkEndpoint, to b: NetworkEndpoint) -> Double {
        let w = wireMode(a, b)
        let m: ContainerNetworkMode = a.mode == .dockerProxy ? .host : a.mode
        let d = Datapath.udpDatagramNs(m, mtu: w.mtu, env: env, sending: true)
        let end = Datapath.EndCost(kernelNsPerByte: d.kernel / Double(d.payload), userNsPerByte: d.user / Double(d.payload),
                                   kernelNsPerMessage: 0, userNsPerMessage: 0, waitNsPerMessage: 0)
        let cores = model.infrastructure.hosts[a.host].cpus
        let wire = Double(w.mtu + Datapath.profile(w.mode).encapBytes + Datapath.ethernetFramingBytes) / Double(d.payload)
        let nic = perFlowLinkBytesPerSecond(a.host, b.host)
        return Datapath.udpSenderRate(m, env: env, sender: end, cores: cores, nicBytesPerSecond: nic, wire: wire)
    }

    // MARK: - Flows

    /// Starts a bulk flow of `bytes` (nil: until `stopFlow`) from `a` to `b`. It shares NICs,
    /// rack uplinks, DC links, host CPU and user-space forwarders with the other flows by max-min
    /// fairness, and is capped by what one core per end can process. `messageSize`: the size of
    /// each write (a syscall per message at both ends); nil for large writes. `limits`: resources
    /// of `sharing` the caller created (`addLimit`) that the flow also crosses, one unit per
    /// payload byte (an application-level throttle shared by several flows, e.g. a Ceph OSD's
    /// recovery budget).
    @discardableResult
    public func startFlow(from a: NetworkEndpoint, to b: NetworkEndpoint, bytes: Double? = nil, messageSize: Int64? = nil,
                          protocol proto: TransportProtocol = .tcp, limits: [MaxMinSharing.ResourceID] = [],
                          client: NetworkClient? = nil, token: Int64 = 0) -> FlowHandle {
        let hosts = model.infrastructure.hosts
        let costs = endCosts(a, b, writeBytes: proto == .udp ? nil : messageSize)
        var ka = costs.a.kernelNsPerByte, kb = costs.b.kernelNsPerByte
        var ua = costs.a.userNsPerByte, ub = costs.b.userNsPerByte
        var fixedCoresA = 0.0
        if proto == .udp {
            let w = wireMode(a, b)
            let da = Datapath.udpDatagramNs(a.mode == .dockerProxy ? .host : a.mode, mtu: w.mtu, env: env, sending: true)
            let db = Datapath.udpDatagramNs(b.mode, mtu: w.mtu, env: env, sending: false)
            ka = da.kernel / Double(da.payload); ua = da.user / Double(da.payload)
            kb = db.kernel / Double(db.payload); ub = db.user / Double(db.payload)
            // the sender runs flat out: its kernel path is paid for every datagram it offers, those
            // dropped downstream included; a forwarder's copies (the user part) for what is delivered
            fixedCoresA = udpSenderRate(from: a, to: b) * ka * 1e-9
        } else if let m = messageSize, m > 0 {
            let perByte = env.syscallNs / Double(m)
            ka += perByte; kb += perByte
        }
        let endA = Datapath.EndCost(kernelNsPerByte: ka, userNsPerByte: ua, kernelNsPerMessage: 0, userNsPerMessage: 0, waitNsPerMessage: 0)
        let endB = Datapath.EndCost(kernelNsPerByte: kb, userNsPerByte: ub, kernelNsPerMessage: 0, userNsPerMessage: 0, waitNsPerMessage: 0)
        let boundA = Datapath.singleFlowCPUBound(endA, cores: hosts[a.host].cpus)
        let boundB = Datapath.singleFlowCPUBound(endB, cores: hosts[b.host].cpus)
        var route: [Int32] = []
        var coef: [Double] = []
        func add(_ r: Int32, _ c: Double) {
            if let i = route.firstIndex(of: r) { coef[i] += c } else { route.append(r); coef.append(c) }
        }
        add(cpu[a.host], (ka + ua) * 1e-9)
        add(cpu[b.host], (kb + ub) * 1e-9)
        if ua > 0 { add(forwarder[a.host], ua * 1e-9) }
        if ub > 0 { add(forwarder[b.host], ub * 1e-9) }
        if a.host != b.host {
            let w = wireMode(a, b)
            let wire = proto == .udp
                ? Double(w.mtu + Datapath.profile(w.mode).encapBytes + Datapath.ethernetFramingBytes) / Double(w.mtu - Datapath.udpHeaderBytes)
                : Datapath.wireBytesPerPayloadByte(w.mode, mtu: w.mtu)
            add(nicTx[a.host], wire)
            add(nicRx[b.host], wire)
            let ra = Int(hostRack[a.host]), rb = Int(hostRack[b.host])
            if ra != rb {
                if let r = rackUp[ra] { add(r, wire) }
                if let r = rackDown[rb] { add(r, wire) }
            }
            if hostDatacenter[a.host] != hostDatacenter[b.host], let l = dcLink(hostDatacenter[a.host], hostDatacenter[b.host]) { add(l.resource, wire) }
        }
        for r in limits { add(r, 1) }
        var bound = min(boundA, boundB)
        if spec.host.bonding == .lacp && spec.host.bondLinks > 1 && a.host != b.host {
            // the bond's hash keeps one flow on one port
            let w = wireMode(a, b)
            bound = min(bound, perFlowLinkBytesPerSecond(a.host, b.host) / Datapath.wireBytesPerPayloadByte(w.mode, mtu: w.mtu))
        }
        let sid = sharing.addFlow(route: route, coefficients: coef, bound: bound)
        let slot: Int32
        if let s = freeFlowSlots.popLast() { slot = s } else { slot = Int32(flows.count); flows.append(Flow()) }
        var f = flows[Int(slot)]
        f.generation &+= 1
        f.active = true; f.a = a.host; f.b = b.host; f.sharingID = sid
        f.remaining = bytes ?? .infinity; f.transferred = 0; f.lastUpdate = now; f.rate = 0
        f.cpuA = (fixedCoresA > 0 ? ua : ka + ua) * 1e-9; f.cpuB = (kb + ub) * 1e-9
        f.fixedCoresA = fixedCoresA
        if fixedCoresA > 0 { chargeCPU(a.host, delta: fixedCoresA) }
        f.finishNs = .max; f.heapIndex = -1; f.client = client; f.token = token
        flows[Int(slot)] = f
        flowSlotBySharingID(sid, slot)
        activeFlows += 1
        requestReshare(sharing.route(sid))
        return FlowHandle(slot: slot, generation: f.generation)
    }

    /// A capacity (payload bytes per second) that flows started with it in `limits` share by
    /// max-min fairness with everything else they cross.
    public func addLimit(bytesPerSecond c: Double) -> MaxMinSharing.ResourceID { sharing.addResource(capacity: c) }

    var slotOfSharing: [Int32] = []
    func flowSlotBySharingID(_ sid: Int32, _ slot: Int32) {
        while slotOfSharing.count <= Int(sid) { slotOfSharing.append(-1) }
        slotOfSharing[Int(sid)] = slot
    }

    public func isActive(_ h: FlowHandle) -> Bool {
        Int(h.slot) < flows.count && flows[Int(h.slot)].active && flows[Int(h.slot)].generation == h.generation
    }

    /// Current rate of a flow, payload bytes per second (0 when it has ended).
    public func rate(of h: FlowHandle) -> Double { isActive(h) ? flows[Int(h.slot)].rate : 0 }

    /// Payload bytes a flow has delivered so far.
    public func transferred(_ h: FlowHandle) -> Double {
        guard isActive(h) else { return 0 }
        let f = flows[Int(h.slot)]
        return f.transferred + f.rate * (now - f.lastUpdate).seconds
    }

    /// Ends a flow now (no completion callback). Returns the bytes it delivered.
    @discardableResult
    public func stopFlow(_ h: FlowHandle) -> Double {
        guard isActive(h) else { return 0 }
        return end(Int(h.slot), notify: false)
    }

    private func end(_ slot: Int, notify: Bool) -> Double {
        settle(slot)
        var f = flows[slot]
        chargeCPU(f.a, delta: -f.rate * f.cpuA - f.fixedCoresA)
        chargeCPU(f.b, delta: -f.rate * f.cpuB)
        f.fixedCoresA = 0
        exporterFlowRate(from: f.a, to: f.b, delta: -f.rate)
        f.rate = 0
        f.active = false
        if f.heapIndex >= 0 { heapRemove(f.heapIndex) }
        f.heapIndex = -1
        let client = f.client, token = f.token, bytes = f.transferred
        f.client = nil
        flows[slot] = f
        freeFlowSlots.append(Int32(slot))
        activeFlows -= 1
        requestReshare(sharing.removeFlow(f.sharingID))
        if notify, let c = client { c.flowCompleted(FlowHandle(slot: Int32(slot), generation: f.generation), token: token, bytes: bytes) }
        return bytes
    }

    /// Brings a flow's delivered bytes up to now at its current rate.
    private func settle(_ slot: Int) {
        let t = now
        let dt = (t - flows[slot].lastUpdate).seconds
        if dt > 0 {
            let moved = flows[slot].rate * dt
            flows[slot].transferred += moved
            flows[slot].remaining -= moved
        }
        flows[slot].lastUpdate = t
    }

    /// Flows that start or end share again once per instant, after everything else of that
    /// instant (as SimGrid solves its system once per step): a burst of starts costs one re-share.
    /// Until then a new flow's rate is 0 (no time passes).
    var reshareSeeds: [Int32] = []
    var reshareScheduled = false
    static let resharePriority: Int16 = .max - 1

    private func requestReshare(_ resources: [Int32]) {
        reshareSeeds.append(contentsOf: resources)
        if !reshareScheduled {
            reshareScheduled = true
            model.sim.schedule(at: now, target: target, kind: Kind.reshare.rawValue, priority: ClusterNetwork.resharePriority)
        }
    }

    /// Re-shares now what starts and ends have left pending (the scheduled event does it too).
    public func reshareNow() {
        guard !reshareSeeds.isEmpty else { return }
        sharing.reshare(resources: reshareSeeds)
        reshareSeeds.removeAll(keepingCapacity: true)
        applyRates()
    }

    /// After a re-share: new rates for the flows of the component, their CPU and finish times.
    private func applyRates() {
        for sid in sharing.lastComponent {
            let slot = Int(slotOfSharing[Int(sid)])
            let newRate = sharing.rate[Int(sid)]
            settle(slot)
            let old = flows[slot].rate
            if old != newRate {
                chargeCPU(flows[slot].a, delta: (newRate - old) * flows[slot].cpuA)
                chargeCPU(flows[slot].b, delta: (newRate - old) * flows[slot].cpuB)
                exporterFlowRate(from: flows[slot].a, to: flows[slot].b, delta: newRate - old)
                flows[slot].rate = newRate
            }
            if flows[slot].remaining.isFinite {
                let rem = max(0, flows[slot].remaining)
                let ns: Int64 = newRate > 0 ? (now + SimDuration(nanoseconds: Int64(min((rem / newRate * 1e9).rounded(.up), 9e18)))).nanoseconds : .max
                flows[slot].finishNs = ns
                if flows[slot].heapIndex >= 0 { heapUpdate(flows[slot].heapIndex) } else { heapInsert(Int32(slot)) }
            }
        }
        arm()
    }

    private func arm() {
        guard let first = finishHeap.first else { return }
        let t = flows[Int(first)].finishNs
        guard t != .max else { return }
        if armedWakeNs == nil || t < armedWakeNs! {
            armedWakeNs = t
            model.sim.schedule(at: SimTime(nanoseconds: max(t, now.nanoseconds)), target: target, kind: Kind.wake.rawValue)
        }
    }

    // MARK: - CPU accounting

    private func chargeCPU(_ h: Int, delta: Double) {
        settleCPU(h)
        exporterSettle(h)
        cpuRateCores[h] += delta
        if abs(cpuRateCores[h]) < 1e-12 { cpuRateCores[h] = 0 }
    }

    private func settleCPU(_ h: Int) {
        let t = now
        let dt = (t - cpuUpdated[h]).seconds
        if dt > 0 { cpuSeconds[h] += cpuRateCores[h] * dt }
        cpuUpdated[h] = t
    }

    /// Adds a burst of CPU work (a message) to a host.
    func chargeCPUSeconds(_ h: Int, _ s: Double) { exporterSettle(h); cpuSeconds[h] += s }

    /// CPU seconds the network has used on a host since the start.
    public func cpuSeconds(host h: Int) -> Double {
        settleCPU(h)
        return cpuSeconds[h]
    }

    /// Cores the network is using on a host right now (flows only).
    public func cpuCores(host h: Int) -> Double { cpuRateCores[h] }

    /// Mean network cores on a host since the previous call for that host (the hosts.csv
    /// column: one call per host and sample).
    public func cpuCoresSinceLastSample(host h: Int) -> Double {
        let total = cpuSeconds(host: h)
        let dt = (now - sampleTime[h]).seconds
        let v = dt > 0 ? (total - sampleCPU[h]) / dt : cpuRateCores[h]
        sampleCPU[h] = total; sampleTime[h] = now
        return max(0, v)
    }

    // MARK: - Messages

    /// One-way latency of a message of `bytes` from `a` to `b`: NIC/virtual switch latency,
    /// switches and DC links, each end's per-message CPU (syscall, stack, the mode's stages, a
    /// user-space forwarder) and waits (veth deferral, process wake-ups), then the bytes: the
    /// sender's and receiver's processing of one message do not overlap (a TSO/GRO segment is
    /// the whole message), the wire overlaps with them.
    public func oneWayLatency(from a: NetworkEndpoint, to b: NetworkEndpoint, bytes: Int64) -> SimDuration {
        let c = endCosts(a, b, writeBytes: bytes)
        let w = wireMode(a, b)
        let ns = Datapath.messageLatencyNs(env: env, sender: c.a, receiver: c.b, wireMode: w.mode, mtu: w.mtu, bytes: Double(max(0, bytes)),
                                           pathNs: pathLatency(a.host, b.host).seconds * 1e9,
                                           linkBytesPerSecond: a.host == b.host ? nil : perFlowLinkBytesPerSecond(a.host, b.host))
        return SimDuration(nanoseconds: Int64(ns.rounded()))
    }

    /// CPU seconds one message costs at each end.
    func messageCPU(_ a: NetworkEndpoint, _ b: NetworkEndpoint, bytes: Int64) -> (a: Double, b: Double) {
        let c = endCosts(a, b, writeBytes: bytes)
        let s = Double(max(0, bytes))
        return ((env.syscallNs + c.a.kernelNsPerMessage + c.a.userNsPerMessage + s * c.a.totalNsPerByte) * 1e-9,
                (env.syscallNs + c.b.kernelNsPerMessage + c.b.userNsPerMessage + s * c.b.totalNsPerByte) * 1e-9)
    }

    /// `flows` concurrent streams of 1-byte request/response transactions (netperf TCP_RR), or of
    /// connect + request/response + close (TCP_CRR): each stream waits for its round trip (and
    /// its handshake), each transaction costs both hosts CPU (syscalls, per-message stack work, the
    /// mode's stages; with a connection three handshake and four close messages, the service
    /// proxy, the docker-proxy's accept on one core): the rate is the smaller of flows / time and
    /// what the cores allow. A pure function of the model (no events).
    public func transactionRate(from a: NetworkEndpoint, to b: NetworkEndpoint, flows: Int, connect: Bool)
        -> (perSecond: Double, clientCores: Double, serverCores: Double) {
        let hosts = model.infrastructure.hosts
        var timeNs = Double((oneWayLatency(from: a, to: b, bytes: 1) + oneWayLatency(from: b, to: a, bytes: 1)).nanoseconds)
        let q = messageCPU(a, b, bytes: 1), r = messageCPU(b, a, bytes: 1)
        var cpuA = q.a + r.b, cpuB = q.b + r.a
        var serial = 0.0
        if connect {
            timeNs += Double((oneWayLatency(from: a, to: b, bytes: 0) + oneWayLatency(from: b, to: a, bytes: 0)).nanoseconds) + serviceProxyNsPerConnection(from: a)
            let h = messageCPU(a, b, bytes: 0), back = messageCPU(b, a, bytes: 0)
            // SYN, SYN-ACK, ACK; FIN, ACK each way
            cpuA += 2 * h.a + back.b + 2 * h.a + 2 * back.b + serviceProxyNsPerConnection(from: a) * 1e-9
            cpuB += 2 * h.b + back.a + 2 * h.b + 2 * back.a
            if b.mode == .dockerProxy {
                serial = env.dockerProxyNsPerConnection * 1e-9
                cpuB += serial
            }
        }
        let coresA = max(hosts[a.host].cpus, 1e-9), coresB = max(hosts[b.host].cpus, 1e-9)
        var rate = Double(max(flows, 1)) / (timeNs * 1e-9)
        if a.host == b.host { rate = min(rate, coresA / (cpuA + cpuB)) } else { rate = min(rate, coresA / cpuA, coresB / cpuB) }
        if serial > 0 { rate = min(rate, 1 / serial) }
        return (rate, rate * cpuA, rate * cpuB)
    }

    /// Sends a request of `requestBytes` from `a` to `b` and a response of `responseBytes` back;
    /// the client hears `messageCompleted` after the round trip. CPU is charged at both ends.
    public func exchange(from a: NetworkEndpoint, to b: NetworkEndpoint, requestBytes: Int64, responseBytes: Int64,
                         client: NetworkClient?, token: Int64) {
        let rtt = oneWayLatency(from: a, to: b, bytes: requestBytes) + oneWayLatency(from: b, to: a, bytes: responseBytes)
        let q = messageCPU(a, b, bytes: requestBytes), r = messageCPU(b, a, bytes: responseBytes)
        chargeCPUSeconds(a.host, q.a + r.b); chargeCPUSeconds(b.host, q.b + r.a)
        let slot = allocPending(Pending(client: client, token: token, start: now, a: a, b: b, attempts: 0, core: 0))
        model.sim.schedule(after: rtt, target: target, kind: Kind.message.rawValue, arg: Int64(slot))
    }

    private func allocPending(_ p: Pending) -> Int32 {
        if let s = freePending.popLast() { pending[Int(s)] = p; return s }
        pending.append(p); return Int32(pending.count - 1)
    }

    // MARK: - Connections

    /// Whether new connections between these endpoints go through iptables NAT (Docker bridge:
    /// MASQUERADE leaving the host, DNAT to a published port) and so can hit the conntrack race.
    public func natOnPath(_ a: NetworkEndpoint, _ b: NetworkEndpoint) -> Bool {
        a.host != b.host && (Datapath.profile(a.mode).nat || Datapath.profile(b.mode).nat)
    }

    /// Opens a TCP connection from `a` to `b`, its connect() issued by CPU `core` of a's host.
    /// It takes one round trip, plus 1 s, 2 s, 4 s ... for each SYN dropped by the conntrack race
    /// (a second connection to the same destination allocated by another CPU inside the race
    /// window gets the same source port [L1]), plus the docker-proxy's queue when the
    /// destination is a published port reached from its own host [L3].
    public func connect(from a: NetworkEndpoint, to b: NetworkEndpoint, core: Int = 0, client: NetworkClient?, token: Int64) {
        let slot = allocPending(Pending(client: client, token: token, start: now, a: a, b: b, attempts: 0, core: core))
        attemptConnect(slot)
    }

    private func attemptConnect(_ slot: Int32) {
        guard var p = pending[Int(slot)] else { return }
        p.attempts += 1
        pending[Int(slot)] = p
        let t = now.nanoseconds
        if natOnPath(p.a, p.b) {
            let key = Int64(p.a.host) << 32 | Int64(p.b.host)
            let window = Int64(env.conntrackRaceWindowNs)
            if let f = natInFlight[key], t < f.endNs, f.core != p.core {
                natRaceDrops += 1
                // the SYN is dropped; TCP retransmits after the initial RTO (1 s), doubling
                let rto = SimDuration.seconds(1) * Int64(1 << min(p.attempts - 1, 6))
                model.sim.schedule(after: rto, target: target, kind: Kind.connectAttempt.rawValue, arg: Int64(slot))
                return
            }
            natInFlight[key] = (t + window, p.core)
        }
        var delay = oneWayLatency(from: p.a, to: p.b, bytes: 0) + oneWayLatency(from: p.b, to: p.a, bytes: 0)
        let cost = messageCPU(p.a, p.b, bytes: 0)
        let proxyNs = serviceProxyNsPerConnection(from: p.a)
        chargeCPUSeconds(p.a.host, cost.a + proxyNs * 1e-9); chargeCPUSeconds(p.b.host, cost.b)
        delay = delay + SimDuration(nanoseconds: Int64(proxyNs.rounded()))
        if p.b.mode == .dockerProxy {
            // accept + dial the container + two goroutines, one connection after another
            let service = SimDuration(nanoseconds: Int64(env.dockerProxyNsPerConnection))
            let startAt = max(now, proxyFreeAt[p.b.host])
            proxyFreeAt[p.b.host] = startAt + service
            chargeCPUSeconds(p.b.host, service.seconds)
            delay = delay + (proxyFreeAt[p.b.host] - now)
        }
        model.sim.schedule(after: delay, target: target, kind: Kind.connectDone.rawValue, arg: Int64(slot))
    }

    /// CPU a new connection to a service address costs the client's host in the service proxy
    /// (kube-proxy): iptables walks KUBE-SERVICES, one rule per service, with its first packet
    /// (the rest of the connection follows conntrack); IPVS does one hash lookup. A client whose data
    /// plane replaces kube-proxy (`Datapath.socketLB`: Cilium, Calico eBPF) resolves the service at
    /// connect(): a service and backend map lookup and one backend pick, the work of IPVS's lookup,
    /// whatever the number of services, and no per-packet DNAT.
    public func serviceProxyNsPerConnection(from a: NetworkEndpoint) -> Double {
        switch spec.host.serviceProxy {
        case .none: return 0
        case _ where Datapath.socketLB(a.mode, env): return env.ipvsNsPerConnection
        case .iptables: return env.iptablesNsPerServiceRule * Double(spec.host.services)
        case .ipvs: return env.ipvsNsPerConnection
        }
    }

    // MARK: - KV store (Docker overlay)

    var kvStoreName: String {
        switch spec.kvStore {
        case .zookeeper?: return "zookeeper"
        case .servers(let kind, _)?: return kind
        case nil: return "none"
        }
    }

    /// Whether the overlay's KV store answers: ZooKeeper while it has a quorum, a Consul/etcd
    /// placeholder while a majority of its servers' hosts are up.
    public var kvStoreReachable: Bool {
        switch spec.kvStore {
        case nil: return false
        case .zookeeper?: return zooKeeperServing
        case .servers(_, let hosts)?:
            let up = hosts.filter { model.infrastructure.host(named: $0)?.state.isUp ?? false }.count
            return up * 2 > hosts.count
        }
    }

    /// A new container joins a network on `host`: an overlay container needs the KV store to
    /// allocate its address and publish its endpoint; running containers are not affected when
    /// the store is unreachable (their entries are in the kernel's FDB/ARP tables). Returns false
    /// (and logs `attachRefused`) when it cannot join.
    @discardableResult
    public func attachContainer(host: Int, mode: ContainerNetworkMode, name: String) -> Bool {
        if mode == .overlay && !kvStoreReachable {
            model.log("network", "attachRefused", name, "overlay on \(model.infrastructure.hosts[host].name): KV store \(kvStoreName) unreachable")
            return false
        }
        return true
    }

    // MARK: - Events

    public func handle(_ event: Event, in sim: Simulation) {
        switch Kind(rawValue: event.kind) {
        case .wake:
            if armedWakeNs == sim.now.nanoseconds { armedWakeNs = nil }
            while let first = finishHeap.first, flows[Int(first)].finishNs <= sim.now.nanoseconds {
                let slot = Int(first)
                settle(slot)
                flows[slot].transferred += max(0, flows[slot].remaining)
                flows[slot].remaining = 0
                _ = end(slot, notify: true)
            }
            if let a = armedWakeNs, a < sim.now.nanoseconds { armedWakeNs = nil }
            arm()
        case .reshare:
            reshareScheduled = false
            reshareNow()
        case .message:
            let slot = Int32(event.arg)
            guard let p = pending[Int(slot)] else { return }
            pending[Int(slot)] = nil; freePending.append(slot)
            p.client?.messageCompleted(token: p.token, roundTrip: sim.now - p.start)
        case .connectAttempt:
            attemptConnect(Int32(event.arg))
        case .connectDone:
            let slot = Int32(event.arg)
            guard let p = pending[Int(slot)] else { return }
            pending[Int(slot)] = nil; freePending.append(slot)
            p.client?.connectionEstablished(token: p.token, delay: sim.now - p.start, retransmissions: p.attempts - 1)
        case nil:
            preconditionFailure("unknown network event \(event.kind)")
        }
    }

    // MARK: - Finish-time heap (indexed)

    private func lessFinish(_ x: Int32, _ y: Int32) -> Bool {
        let a = flows[Int(x)].finishNs, b = flows[Int(y)].finishNs
        return a != b ? a < b : x < y
    }
    private func heapSwap(_ i: Int, _ j: Int) {
        finishHeap.swapAt(i, j)
        flows[Int(finishHeap[i])].heapIndex = i
        flows[Int(finishHeap[j])].heapIndex = j
    }
    private func siftUp(_ i0: Int) {
        var i = i0
        while i > 0 { let p = (i - 1) / 2; if lessFinish(finishHeap[i], finishHeap[p]) { heapSwap(i, p); i = p } else { break } }
    }
    private func siftDown(_ i0: Int) {
        var i = i0
        let n = finishHeap.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n && lessFinish(finishHeap[l], finishHeap[m]) { m = l }
            if r < n && lessFinish(finishHeap[r], finishHeap[m]) { m = r }
            if m == i { return }
            heapSwap(i, m); i = m
        }
    }
    private func heapInsert(_ slot: Int32) {
        finishHeap.append(slot)
        flows[Int(slot)].heapIndex = finishHeap.count - 1
        siftUp(finishHeap.count - 1)
    }
    private func heapUpdate(_ i: Int) { siftUp(i); siftDown(flows[Int(finishHeap[i])].heapIndex) }
    private func heapRemove(_ i: Int) {
        let last = finishHeap.count - 1
        if i != last { heapSwap(i, last) }
        flows[Int(finishHeap[last])].heapIndex = -1
        finishHeap.removeLast()
        if i < finishHeap.count { siftUp(i); siftDown(flows[Int(finishHeap[i])].heapIndex) }
    }
}
