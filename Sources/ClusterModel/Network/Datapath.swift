import SimKernel

// The per-mode datapath model (docs/network.md lists every number with the reference rows it
// comes from). A mode is a chain of stages (veth + netns, Linux bridge, iptables NAT, Calico's
// policy chains, IPIP/VXLAN/OVS encapsulation, a user-space forwarder); each stage costs CPU per
// packet and per byte at both ends. Whether a stage keeps TSO/GRO aggregation depends on the
// environment (NIC offloads), and that, with the container MTU, sets how many packets the stack
// handles per byte. From these costs follow: a single flow's rate (one core per end), the CPU per
// bit when many flows share the NIC, UDP's packet-rate bound, and the added latency per message.

/// CPU and latency constants of one environment. Nanoseconds of one core unless stated.
public struct EnvironmentParameters: Equatable, Sendable {
    /// Per payload byte per end: copy to/from user space and per-byte stack work.
    public var nsPerByte: Double
    /// One pass through the IP/TCP stack (softirq, socket, routing): per GSO/GRO segment when
    /// the path keeps aggregation, else per wire packet.
    public var stackNsPerSegment: Double
    /// Driver/NIC work per wire packet (descriptors, interrupts, GRO merge), always per packet.
    public var driverNsPerPacket: Double
    /// GSO/GRO segment size when aggregation works.
    public var gsoBytes: Double
    /// NIC offload of UDP tunnels (VXLAN segmentation and checksums in hardware).
    public var tunnelOffload: Bool
    /// Software checksum per byte when a tunnel is not offloaded.
    public var softwareChecksumNsPerByte: Double
    /// One send/recv system call.
    public var syscallNs: Double
    /// A packet handed from one network namespace to another through a veth pair is queued to the
    /// backlog and picked up by the next softirq run: latency per crossing (not CPU).
    public var deferralNs: Double
    /// Waking a user-space process blocked on a socket (scheduler latency).
    public var wakeupNs: Double
    /// One way, per end: NIC/virtual switch latency outside the kernel (hypervisor vSwitch,
    /// interrupt moderation).
    public var nicLatencyNs: Double
    // stage costs per packet
    public var vethNsPerPacket: Double
    public var bridgeNsPerPacket: Double
    public var natNsPerPacket: Double
    public var policyNsPerPacket: Double
    public var macvlanNsPerPacket: Double
    public var ipipNsPerPacket: Double
    public var vxlanNsPerPacket: Double
    public var ovsNsPerPacket: Double
    // user-space forwarders
    /// Per byte a user-space forwarder spends copying (read + write, each once).
    public var userNsPerByteCopy: Double
    /// flanneld (UDP backend) per packet: read from TUN, look up, sendto (and the reverse).
    public var flanneldNsPerPacket: Double
    /// Weave router (sleeve) per packet: pcap capture, sleeve framing, sendto.
    public var weaveSleeveNsPerPacket: Double
    /// docker-proxy per read+write of one chunk (two syscalls and a goroutine hand-off).
    public var dockerProxyNsPerChunk: Double
    /// docker-proxy per new connection (accept, dial the container, two goroutines).
    public var dockerProxyNsPerConnection: Double
    /// Window between NAT port selection and conntrack confirmation: a second new connection to
    /// the same destination inside it gets the same source port and its SYN is dropped [L1].
    public var conntrackRaceWindowNs: Double

    /// Cloud VM without UDP-tunnel offload (the seed's reference test, [N1]).
    public static let cloudVM = EnvironmentParameters(
        nsPerByte: 1.9, stackNsPerSegment: 2500, driverNsPerPacket: 800, gsoBytes: 65536, tunnelOffload: false,
        softwareChecksumNsPerByte: 0.1, syscallNs: 700, deferralNs: 7500, wakeupNs: 10000, nicLatencyNs: 17850,
        vethNsPerPacket: 1100, bridgeNsPerPacket: 200, natNsPerPacket: 300, policyNsPerPacket: 600,
        macvlanNsPerPacket: 100, ipipNsPerPacket: 60, vxlanNsPerPacket: 300, ovsNsPerPacket: 500,
        userNsPerByteCopy: 0.6, flanneldNsPerPacket: 12000, weaveSleeveNsPerPacket: 44000,
        dockerProxyNsPerChunk: 12000, dockerProxyNsPerConnection: 60000, conntrackRaceWindowNs: 3000)

    /// Bare metal, 2017 Xeon, 10 GbE with TSO/GRO and VXLAN offload ([N2b], [N3], [L6]).
    public static let bareMetal = EnvironmentParameters(
        nsPerByte: 0.13, stackNsPerSegment: 1500, driverNsPerPacket: 150, gsoBytes: 65536, tunnelOffload: true,
        softwareChecksumNsPerByte: 0.05, syscallNs: 2000, deferralNs: 1000, wakeupNs: 5000, nicLatencyNs: 3100,
        vethNsPerPacket: 60, bridgeNsPerPacket: 20, natNsPerPacket: 40, policyNsPerPacket: 40,
        macvlanNsPerPacket: 10, ipipNsPerPacket: 100, vxlanNsPerPacket: 150, ovsNsPerPacket: 300,
        userNsPerByteCopy: 0.1, flanneldNsPerPacket: 4000, weaveSleeveNsPerPacket: 15000,
        dockerProxyNsPerChunk: 4250, dockerProxyNsPerConnection: 20000, conntrackRaceWindowNs: 1000)

    public static func of(_ e: NetworkEnvironment) -> EnvironmentParameters {
        switch e {
        case .cloudVM: return .cloudVM
        case .bareMetal: return .bareMetal
        }
    }
}

/// How a mode moves packets: its stages and its encapsulation.
public struct DatapathProfile: Equatable, Sendable {
    public enum Encapsulation: String, Sendable {
        case none, ipip, vxlan, flannelUDP, weaveSleeve, weaveFastDP
    }
    public enum Forwarder: String, Sendable { case flanneld, weaveRouter, dockerProxy }
    public var encapsulation: Encapsulation
    /// Bytes the encapsulation adds to every packet on the underlay.
    public var encapBytes: Int
    /// Bytes below the underlay MTU the mode's default container MTU leaves (encapsulation plus
    /// any margin the project's default keeps: Weave's 1376).
    public var defaultMTUReserve: Int
    public var veth: Bool
    public var bridge: Bool
    public var nat: Bool
    public var policy: Bool
    public var macvlan: Bool
    /// A user-space process on the path at each end (docker-proxy: at the server's end only).
    public var forwarder: Forwarder?

    init(_ enc: Encapsulation = .none, bytes: Int = 0, reserve: Int? = nil, veth: Bool = true, bridge: Bool = false,
         nat: Bool = false, policy: Bool = false, macvlan: Bool = false, forwarder: Forwarder? = nil) {
        encapsulation = enc; encapBytes = bytes; defaultMTUReserve = reserve ?? bytes; self.veth = veth; self.bridge = bridge
        self.nat = nat; self.policy = policy; self.macvlan = macvlan; self.forwarder = forwarder
    }
}

/// Pure functions of the datapath model: MTU, costs, bounds, latencies.
public enum Datapath {
    /// IPv4 20 + TCP 20 + timestamp option 12.
    public static let tcpHeaderBytes = 52
    /// IPv4 20 + UDP 8.
    public static let udpHeaderBytes = 28
    /// Ethernet on the wire around an IP packet: header 14 + FCS 4 + preamble 8 + inter-frame gap 12.
    public static let ethernetFramingBytes = 38

    public static func profile(_ m: ContainerNetworkMode) -> DatapathProfile {
        switch m {
        case .host: return DatapathProfile(veth: false)
        case .bridge: return DatapathProfile(bridge: true, nat: true)
        case .dockerProxy: return DatapathProfile(bridge: true, forwarder: .dockerProxy)
        case .overlay: return DatapathProfile(.vxlan, bytes: 50, bridge: true)
        case .macvlan, .ipvlan: return DatapathProfile(veth: false, macvlan: true)
        case .calicoBGP: return DatapathProfile(policy: true)
        case .calicoIPIP: return DatapathProfile(.ipip, bytes: 20, policy: true)
        case .flannelUDP: return DatapathProfile(.flannelUDP, bytes: 28, bridge: true, forwarder: .flanneld)
        case .flannelVXLAN: return DatapathProfile(.vxlan, bytes: 50, bridge: true)
        case .flannelHostGW: return DatapathProfile(bridge: true)
        case .weaveSleeve: return DatapathProfile(.weaveSleeve, bytes: 87, reserve: 124, bridge: true, forwarder: .weaveRouter)
        case .weaveFastDP: return DatapathProfile(.weaveFastDP, bytes: 87, reserve: 124, bridge: true)
        }
    }

    /// The largest container MTU the underlay can carry with the mode's encapsulation.
    public static func maxMTU(_ m: ContainerNetworkMode, underlay: Int) -> Int { underlay - profile(m).encapBytes }

    /// The mode's default container MTU: 1450 for VXLAN, 1480 for IPIP, 1472 for Flannel UDP and
    /// 1376 for Weave on a 1500 underlay [N10]. Flannel and Calico (auto-MTU) follow the underlay;
    /// Weave (WEAVE_MTU 1376), Docker's overlay (1450) and Docker's bridge (1500) keep their fixed
    /// defaults on a larger underlay, which is what costs them on jumbo frames [N3-weave].
    public static func defaultMTU(_ m: ContainerNetworkMode, underlay: Int) -> Int {
        let auto = underlay - profile(m).defaultMTUReserve
        switch m {
        case .weaveSleeve, .weaveFastDP: return min(auto, 1376)
        case .overlay: return min(auto, 1450)
        case .bridge, .dockerProxy: return min(auto, 1500)
        default: return auto
        }
    }

    /// Whether the stack keeps TSO/GRO segments through this mode's datapath in the environment.
    public static func keepsAggregation(_ m: ContainerNetworkMode, _ e: EnvironmentParameters) -> Bool {
        switch profile(m).encapsulation {
        case .none, .ipip: return true
        case .vxlan: return e.tunnelOffload
        case .flannelUDP, .weaveSleeve, .weaveFastDP: return false
        }
    }

    /// CPU per payload byte and per packet of one end of a TCP stream, and of the user-space
    /// forwarder at that end.
    public struct EndCost: Equatable, Sendable {
        /// Kernel nanoseconds per payload byte (softirq, stack, copies).
        public var kernelNsPerByte: Double
        /// User-space forwarder nanoseconds per payload byte (0 without one).
        public var userNsPerByte: Double
        /// Kernel nanoseconds for one lone packet (a small message), stack not amortised.
        public var kernelNsPerMessage: Double
        /// Forwarder nanoseconds for one lone packet.
        public var userNsPerMessage: Double
        /// Latency per message beyond CPU: veth deferrals and forwarder wake-ups.
        public var waitNsPerMessage: Double
        public var totalNsPerByte: Double { kernelNsPerByte + userNsPerByte }
    }

    /// Kernel cost of the mode's stages for one packet (not the base stack).
    static func stageNs(_ p: DatapathProfile, _ e: EnvironmentParameters) -> Double {
        var x = 0.0
        if p.veth { x += e.vethNsPerPacket }
        if p.bridge { x += e.bridgeNsPerPacket }
        if p.nat { x += e.natNsPerPacket }
        if p.policy { x += e.policyNsPerPacket }
        if p.macvlan { x += e.macvlanNsPerPacket }
        switch p.encapsulation {
        case .ipip: x += e.ipipNsPerPacket
        case .vxlan: x += e.vxlanNsPerPacket
        case .weaveFastDP: x += e.ovsNsPerPacket
        case .none, .flannelUDP, .weaveSleeve: break
        }
        return x
    }

    /// One end of a TCP stream in mode `m` with container MTU `mtu`. `serverSide`: the docker-proxy
    /// runs only at the end that publishes the port.
    public static func endCost(_ m: ContainerNetworkMode, mtu: Int, env e: EnvironmentParameters, serverSide: Bool = true) -> EndCost {
        var p = profile(m)
        if p.forwarder == .dockerProxy && !serverSide { p = profile(.host) }
        let mss = Double(max(1, mtu - tcpHeaderBytes))
        let aggregated = keepsAggregation(m, e)
        let passes: Double = p.forwarder == nil ? 1 : 2   // a forwarder sends the packet through the stack twice
        let stage = stageNs(p, e)
        let stackPerPacket = e.stackNsPerSegment * (aggregated ? mss / e.gsoBytes : 1) * passes
        var k = e.nsPerByte + (e.driverNsPerPacket + stackPerPacket + stage) / mss
        if !aggregated && !e.tunnelOffload && p.encapsulation != .none && p.encapsulation != .ipip { k += e.softwareChecksumNsPerByte }
        var u = 0.0, uMsg = 0.0, wait = 0.0
        if p.veth { wait += e.deferralNs }
        switch p.forwarder {
        case .flanneld?: u = 2 * e.userNsPerByteCopy + e.flanneldNsPerPacket / mss; uMsg = e.flanneldNsPerPacket; wait += e.wakeupNs
        case .weaveRouter?: u = 2 * e.userNsPerByteCopy + e.weaveSleeveNsPerPacket / mss; uMsg = e.weaveSleeveNsPerPacket; wait += e.wakeupNs
        case .dockerProxy?:
            // io.Copy with a 32 KiB buffer: one read + one write per chunk
            u = 2 * e.userNsPerByteCopy + e.dockerProxyNsPerChunk / min(32768, mss * 22); uMsg = e.dockerProxyNsPerChunk; wait += e.wakeupNs
        case nil: break
        }
        let kMsg = e.driverNsPerPacket + e.stackNsPerSegment * passes + stage
        return EndCost(kernelNsPerByte: k, userNsPerByte: u, kernelNsPerMessage: kMsg, userNsPerMessage: uMsg, waitNsPerMessage: wait)
    }

    /// Bytes on the wire per payload byte of a full-sized TCP packet (headers, encapsulation,
    /// Ethernet framing): what a flow uses of a NIC or link per byte it delivers.
    public static func wireBytesPerPayloadByte(_ m: ContainerNetworkMode, mtu: Int) -> Double {
        let mss = Double(max(1, mtu - tcpHeaderBytes))
        return (Double(mtu + profile(m).encapBytes + ethernetFramingBytes)) / mss
    }

    /// Bytes per second one end can sustain for one flow, given `cores` at that host: the kernel
    /// part runs on one core (one RX queue), a forwarder on another, both within `cores`.
    public static func singleFlowCPUBound(_ c: EndCost, cores: Double, extraKernelNsPerByte: Double = 0) -> Double {
        let k = c.kernelNsPerByte + extraKernelNsPerByte
        var r = 1e9 / k
        if c.userNsPerByte > 0 {
            r = min(r, 1e9 / c.userNsPerByte, max(cores, 1) * 1e9 / (k + c.userNsPerByte))
            if cores < 2 { r = min(r, cores * 1e9 / (k + c.userNsPerByte)) }
        } else if cores < 1 {
            r = cores * 1e9 / k
        }
        return r
    }

    /// Datagrams per second one end can handle for UDP (no GSO for UDP in these kernels): each
    /// datagram pays a syscall, a full stack pass, the driver and every stage [L6].
    public static func udpDatagramNs(_ m: ContainerNetworkMode, mtu: Int, env e: EnvironmentParameters) -> (kernel: Double, user: Double, payload: Int) {
        let c = endCost(m, mtu: mtu, env: e)
        let payload = mtu - udpHeaderBytes
        return (e.syscallNs + c.kernelNsPerMessage + e.nsPerByte * Double(payload), c.userNsPerMessage + 2 * e.userNsPerByteCopy * Double(payload), payload)
    }
}
