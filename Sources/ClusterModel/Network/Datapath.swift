import SimKernel

// The per-mode datapath model (docs/network.md lists every number with the reference rows it
// comes from). A mode is a chain of stages (veth + netns, Linux bridge, iptables NAT, Calico's
// policy chains, eBPF programs, OVS/OVN, IPIP/VXLAN/Geneve encapsulation, WireGuard/IPsec, a
// user-space forwarder). Each end of a stream pays, on one core at the host's clock:
//   - per payload byte: copies and checksums, and encryption;
//   - per wire packet: the driver, encryption, and every stage where the path loses TSO/GRO
//     aggregation (a tunnel the NIC cannot segment or merge runs its own stage per packet);
//   - per segment: one pass through the stack and each stage once per aggregated skb it sees (a
//     GSO segment of up to 64 KiB on the sending side; a GRO segment on the receiving side, whose
//     size the environment sets). Per-segment costs do not shrink with the MTU, so a mode's
//     overhead stays visible at MTU 9000;
//   - per write (message): a system call; without GSO each write leaves as its own packets.
// Whether a stage keeps aggregation depends on the mode, the NIC (UDP-tunnel offload) and the
// kernel (IPIP GSO and GRO). From these costs follow: a single flow's rate (one core per end),
// the CPU per bit when many flows share the NIC, UDP's packet-rate bound and loss, and the
// latency of a message as it grows with its size.

/// CPU and latency constants of one environment. Nanoseconds of one core at `referenceClockGHz`
/// unless stated.
public struct EnvironmentParameters: Equatable, Sendable {
    /// Per payload byte per end: copy to/from user space and per-byte stack work.
    public var nsPerByte: Double
    /// One pass through the IP/TCP stack (softirq, socket, routing): per GSO/GRO segment when
    /// the path keeps aggregation, else per wire packet.
    public var stackNsPerSegment: Double
    /// Driver/NIC work per wire packet (descriptors, interrupts, GRO merge), always per packet.
    public var driverNsPerPacket: Double
    /// GSO segment size on the sending side when aggregation works.
    public var gsoBytes: Double
    /// NIC offload of UDP tunnels (VXLAN/Geneve segmentation and checksums in hardware).
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
    // stage costs per skb the stage sees: a wire packet, or a GSO/GRO segment where the path keeps aggregation (`stageNs`, `aggregation`)
    public var vethNsPerPacket: Double
    public var bridgeNsPerPacket: Double
    public var natNsPerPacket: Double
    public var policyNsPerPacket: Double
    public var macvlanNsPerPacket: Double
    public var ipipNsPerPacket: Double
    public var vxlanNsPerPacket: Double
    /// One pass of an skb through the OVS kernel datapath (flow key extraction, megaflow lookup, the
    /// flow's actions): a recirculation is one more (`DatapathProfile.ovsWork` counts them per mode).
    public var ovsNsPerPacket: Double
    // user-space forwarders
    /// Per byte a user-space forwarder spends copying (read + write, each once).
    public var userNsPerByteCopy: Double
    /// CPU of one hand-off between threads: waking a thread blocked in poll/futex and switching
    /// to it (what `perf bench sched pipe` measures per half round trip, less its syscalls). A
    /// hardware figure, like `syscallNs`: a user-space forwarder's per-packet cost is its system
    /// calls and hand-offs (`Forwarder.crossings`), so no forwarder has a cost of its own.
    public var handoffNs: Double
    /// docker-proxy per new connection (accept, dial the container, two goroutines).
    public var dockerProxyNsPerConnection: Double
    /// Window between NAT port selection and conntrack confirmation: a second new connection to
    /// the same destination inside it gets the same source port and its SYN is dropped [L1].
    public var conntrackRaceWindowNs: Double
    // --- issue 15: the hosts' clock and kernel, receive-side aggregation, the newer datapaths
    /// The clock the costs above were fitted at; a host at another clock scales every CPU cost by
    /// reference / clock.
    public var referenceClockGHz: Double = 2.4
    /// The kernel the environment's reference rows ran (decides IPIP GSO/GRO, eBPF datapaths).
    public var kernel = KernelVersion(4, 15)
    /// GRO segment on the receiving side, bytes: how many wire packets one NAPI poll merges in
    /// practice (at most `gsoBytes`).
    public var groBytes: Double = 65536
    /// Per segment (one traversal of an aggregated skb) of the stages a mode adds: veth,
    /// netfilter hooks (bridge, NAT, policy), an eBPF program set, an OVS flow lookup.
    public var vethNsPerSegment: Double = 0
    public var netfilterNsPerSegment: Double = 0
    public var ebpfNsPerSegment: Double = 0
    /// An OVS ct() action's own work (`ovs_ct_execute`: key update, zone, helpers) beyond the conntrack
    /// lookup it shares with the netfilter hooks (`netfilterNsPerSegment`), per ct() the mode's
    /// pipeline runs on an skb (`DatapathProfile.ovsWork`).
    public var ovsNsPerSegment: Double = 0
    /// One eBPF tc program that classifies an skb (Cilium's bpf_lxc, bpf_overlay or bpf_host entry with its
    /// tail calls, endpoint, ipcache and policy lookups; Felix's from_wep or from_hep), per skb it sees, beyond
    /// its conntrack lookup (`netfilterNsPerSegment`): `Datapath.ebpfWork` counts them per end.
    public var ebpfNsPerPacket: Double = 0
    /// OVN's own work per skb beyond its counted passes and ct() actions (Kube-OVN; fitted, no other
    /// source sees it).
    public var ovnACLNsPerPacket: Double = 0
    /// SR-IOV virtual function: the host kernel is bypassed; per packet in the VF's driver.
    public var sriovNsPerPacket: Double = 0
    /// WireGuard (ChaCha20-Poly1305) and IPsec (AES-GCM with AES-NI): per byte and per packet.
    public var wireguardNsPerByte: Double = 0
    public var wireguardNsPerPacket: Double = 0
    public var ipsecNsPerByte: Double = 0
    public var ipsecNsPerPacket: Double = 0
    /// kube-proxy iptables: per rule of KUBE-SERVICES walked by a connection's first packet.
    public var iptablesNsPerServiceRule: Double = 0
    /// kube-proxy IPVS: per new connection (one hash lookup, scheduler pick).
    public var ipvsNsPerConnection: Double = 0
    /// Receiving a UDP datagram beyond the sender's work: skb allocation, socket lookup and queueing.
    public var udpReceiveNsPerDatagram: Double = 0
    /// The physical NIC's driver works per descriptor, not per wire packet (docs/network.md, "The
    /// model"): on receive a frame larger than one receive buffer of `rxBufferBytes` spans
    /// ceil(frame / rxBufferBytes) descriptors, each paying `driverNsPerPacket` (0: one per wire
    /// packet); with `driverPerGSOSkb` the sending driver maps a GSO skb once and the NIC segments it
    /// (TSO), so where the path keeps aggregation the driver runs per GSO segment.
    public var rxBufferBytes: Double = 0
    public var driverPerGSOSkb = false
    /// eBPF host routing where the kernel and the data plane have it (`Datapath.ebpfHostRouting`): Cilium's
    /// `bpf.hostLegacyRouting=false`, Calico's `BPFRedirectToPeer`; false: the legacy path through the veth's backlog.
    public var ebpfHostRouting = true
    /// Cilium's eBPF kube-proxy replacement (socket LB at connect()) where the kernel has it (`Datapath.socketLB`).
    public var kubeProxyReplacement = true

    /// Sending a UDP datagram beyond the one-message stack pass: what runs on the sending CPU per
    /// datagram because no GSO batches it (the transmit softirq, the qdisc, and for a container the
    /// host's forwarding of it, which `veth_xmit` → `netif_rx` queues to the sending CPU's own backlog).
    public var udpSendNsPerDatagram: Double = 0

    /// Cloud VM without UDP-tunnel offload (the seed's reference test, [N1]).
    public static let cloudVM = EnvironmentParameters(
        nsPerByte: 1.9, stackNsPerSegment: 2500, driverNsPerPacket: 800, gsoBytes: 65536, tunnelOffload: false,
        softwareChecksumNsPerByte: 0.1, syscallNs: 700, deferralNs: 7500, wakeupNs: 10000, nicLatencyNs: 17850,
        vethNsPerPacket: 1100, bridgeNsPerPacket: 200, natNsPerPacket: 300, policyNsPerPacket: 600,
        macvlanNsPerPacket: 100, ipipNsPerPacket: 1500, vxlanNsPerPacket: 300, ovsNsPerPacket: 500,
        userNsPerByteCopy: 0.6, handoffNs: 10250, dockerProxyNsPerConnection: 60000, conntrackRaceWindowNs: 3000,
        referenceClockGHz: 2.4, kernel: KernelVersion(4, 9), groBytes: 65536,
        ebpfNsPerPacket: 400, ovnACLNsPerPacket: 900, sriovNsPerPacket: 100,
        wireguardNsPerByte: 2.0, wireguardNsPerPacket: 2500, ipsecNsPerByte: 1.2, ipsecNsPerPacket: 2000,
        iptablesNsPerServiceRule: 60, ipvsNsPerConnection: 2000, udpReceiveNsPerDatagram: 1500, udpSendNsPerDatagram: 0)

    /// Bare metal, 2017 Xeon, 10 GbE with TSO/GRO and VXLAN offload ([N2b], [N3], [L6]).
    public static let bareMetal = EnvironmentParameters(
        nsPerByte: 0.119, stackNsPerSegment: 1376, driverNsPerPacket: 54, gsoBytes: 65536, tunnelOffload: true,
        softwareChecksumNsPerByte: 0.05, syscallNs: 486, deferralNs: 789, wakeupNs: 5000, nicLatencyNs: 3100,
        vethNsPerPacket: 60, bridgeNsPerPacket: 20, natNsPerPacket: 40, policyNsPerPacket: 40,
        macvlanNsPerPacket: 10, ipipNsPerPacket: 100, vxlanNsPerPacket: 150, ovsNsPerPacket: 300,
        userNsPerByteCopy: 0.1, handoffNs: 3278, dockerProxyNsPerConnection: 20000, conntrackRaceWindowNs: 1000,
        referenceClockGHz: 2.4, kernel: KernelVersion(4, 15), groBytes: 16384,
        // the base costs above (nsPerByte, stackNsPerSegment, driverNsPerPacket, syscallNs, deferralNs) and the
        // UDP ones below refitted together by NetworkCalibration.fit(free: baseCosts) on scripts/network-reference.csv
        // within `NetworkCalibration.withinBounds` (one 40 Gbit flow bound by a core); handoffNs [N2c-redis]'s 4250 ns
        // per docker-proxy chunk less its two system calls; these fitted on [N3]
        vethNsPerSegment: 140, netfilterNsPerSegment: 85, ebpfNsPerSegment: 105, ovsNsPerSegment: 1200,
        // ovsNsPerSegment and ovnACLNsPerPacket refitted with the OVS work counted (`DatapathProfile.ovsWork`)
        // ebpfNsPerPacket: one program beyond its conntrack lookup, so that [N3]'s Cilium 1.8 (one program and one
        // ct_lookup4 per skb at each end, `Datapath.ebpfWork`) costs the 1510 ns per skb fitted on it before
        ebpfNsPerPacket: 1425, ovnACLNsPerPacket: 2700, sriovNsPerPacket: 0,
        wireguardNsPerByte: 0.9, wireguardNsPerPacket: 900, ipsecNsPerByte: 0.55, ipsecNsPerPacket: 700,
        // udpReceiveNsPerDatagram and udpSendNsPerDatagram (below): the 3080 ns once charged to the receiver,
        // fitted when it was taken for the bound, split between the ends and refitted with the base costs
        iptablesNsPerServiceRule: 30, ipvsNsPerConnection: 800, udpReceiveNsPerDatagram: 270,
        // ixgbe (torvalds/linux drivers/net/ethernet/intel/ixgbe, `ixgbe_set_rx_buffer_len`: 3 KiB receive
        // buffers once the MTU exceeds 1500; `ixgbe_tx_map`: one GSO skb, segmented by the NIC)
        rxBufferBytes: 3072, driverPerGSOSkb: true,
        udpSendNsPerDatagram: 3165)

    public static func of(_ e: NetworkEnvironment) -> EnvironmentParameters {
        switch e {
        case .cloudVM: return .cloudVM
        case .bareMetal: return .bareMetal
        }
    }

    /// Key paths of every CPU cost (scaled by the clock; the fitted table of `NetworkCalibration`).
    public static let cpuCosts: [(name: String, path: WritableKeyPath<EnvironmentParameters, Double>)] = [
        ("nsPerByte", \.nsPerByte), ("stackNsPerSegment", \.stackNsPerSegment), ("driverNsPerPacket", \.driverNsPerPacket),
        ("softwareChecksumNsPerByte", \.softwareChecksumNsPerByte), ("syscallNs", \.syscallNs),
        ("vethNsPerPacket", \.vethNsPerPacket), ("bridgeNsPerPacket", \.bridgeNsPerPacket), ("natNsPerPacket", \.natNsPerPacket),
        ("policyNsPerPacket", \.policyNsPerPacket), ("macvlanNsPerPacket", \.macvlanNsPerPacket), ("ipipNsPerPacket", \.ipipNsPerPacket),
        ("vxlanNsPerPacket", \.vxlanNsPerPacket), ("ovsNsPerPacket", \.ovsNsPerPacket), ("userNsPerByteCopy", \.userNsPerByteCopy),
        ("handoffNs", \.handoffNs), ("dockerProxyNsPerConnection", \.dockerProxyNsPerConnection),
        ("conntrackRaceWindowNs", \.conntrackRaceWindowNs), ("vethNsPerSegment", \.vethNsPerSegment),
        ("netfilterNsPerSegment", \.netfilterNsPerSegment), ("ebpfNsPerSegment", \.ebpfNsPerSegment), ("ovsNsPerSegment", \.ovsNsPerSegment),
        ("ebpfNsPerPacket", \.ebpfNsPerPacket), ("ovnACLNsPerPacket", \.ovnACLNsPerPacket), ("sriovNsPerPacket", \.sriovNsPerPacket),
        ("wireguardNsPerByte", \.wireguardNsPerByte), ("wireguardNsPerPacket", \.wireguardNsPerPacket),
        ("ipsecNsPerByte", \.ipsecNsPerByte), ("ipsecNsPerPacket", \.ipsecNsPerPacket),
        ("iptablesNsPerServiceRule", \.iptablesNsPerServiceRule), ("ipvsNsPerConnection", \.ipvsNsPerConnection),
        ("udpReceiveNsPerDatagram", \.udpReceiveNsPerDatagram), ("udpSendNsPerDatagram", \.udpSendNsPerDatagram),
    ]

    /// The same environment on hosts at `clockGHz` (every CPU cost × reference / clock; latencies
    /// outside the CPU unchanged) with `kernel`, and with a NIC that has (or lacks) UDP-tunnel offload
    /// (`tunnelOffload`; nil: the environment's).
    public func adapted(clockGHz: Double?, kernel k: KernelVersion?, tunnelOffload offload: Bool? = nil) -> EnvironmentParameters {
        var e = self
        if let c = clockGHz, c > 0, c != referenceClockGHz {
            let f = referenceClockGHz / c
            for (_, p) in Self.cpuCosts { e[keyPath: p] *= f }
            e.referenceClockGHz = c
        }
        if let k { e.kernel = k }
        if let offload { e.tunnelOffload = offload }
        return e
    }
}

/// What an eBPF data plane runs on each skb at one end, counted in its code (`Datapath.ebpfWork`;
/// docs/network-calibration-log.md, "eBPF work counted per end").
public struct EBPFWork: Equatable, Sendable {
    /// tc programs that classify the skb (the endpoint, ipcache and policy lookups), their tail calls included.
    public var programs: Double
    /// Lookups in the programs' own connection-tracking map (Cilium's `ct_lookup4`, Felix's `calico_ct_lookup`).
    public var conntrack: Double
    /// Passes through the host's IP forwarding (`ip_rcv` → `ip_route_input` → `ip_forward`) and its netfilter hooks.
    public var hostForward: Double

    public static let none = EBPFWork(programs: 0, conntrack: 0, hostForward: 0)
}

/// How a mode moves packets: its stages and its encapsulation.
public struct DatapathProfile: Equatable, Sendable {
    public enum Encapsulation: String, Sendable {
        case none, ipip, vxlan, geneve, wireguard, flannelUDP, weaveSleeve, weaveFastDP
    }
    public enum Forwarder: String, Sendable {
        case flanneld, weaveRouter, dockerProxy

        /// What the forwarder does per packet (docker-proxy: per chunk it copies), counted in its
        /// code: system calls and hand-offs between threads, each at the hardware's cost.
        /// - flanneld (flannel-io/flannel backend/udp/proxy_amd64.c @1b1461a5, `run_proxy`): read
        ///   from the TUN device (or recv from the UDP socket), sendto (or write to TUN), and the
        ///   other direction's non-blocking read that finds nothing in the same do-while loop: 3
        ///   system calls; one poll() wake-up when the queue drains (every packet on a busy core).
        /// - Weave router, sleeve (weaveworks/weave router/pcap.go @06101d13, router/sleeve.go @006262ed):
        ///   libpcap capture or inject through cgo and a UDP write or read: 2 system calls; the
        ///   capturing thread's wake-up, the frame's hand-off to the forwarder goroutine over
        ///   `aggregatorChan`, and the P hand-offs of the blocking cgo calls: 4 hand-offs.
        /// - docker-proxy (moby/libnetwork cmd/proxy/tcp_proxy.go `clientLoop`: io.Copy with a 32 KiB buffer,
        ///   one goroutine per direction): a read and a write per chunk, one goroutine wake-up.
        public var crossings: (syscalls: Double, handoffs: Double) {
            switch self {
            case .flanneld: return (3, 1)
            case .weaveRouter: return (2, 4)
            case .dockerProxy: return (2, 1)
            }
        }

        /// CPU per packet (per chunk for docker-proxy) in environment `e`.
        public func nsPerPacket(_ e: EnvironmentParameters) -> Double {
            let c = crossings
            return c.syscalls * e.syscallNs + c.handoffs * e.handoffNs
        }
    }
    public enum Encryption: String, Sendable { case wireguard, ipsec }
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
    /// eBPF programs on the veth/tunnel instead of iptables (Cilium, Calico eBPF).
    public var ebpf: Bool = false
    /// What the eBPF programs and the host run on each skb at one end (`endCost` sets it from `Datapath.ebpfWork`,
    /// per kernel and configuration; the profile's own: one program and one conntrack lookup, Cilium's VXLAN path).
    public var ebpfWork = EBPFWork.none
    /// Open vSwitch kernel datapath (Antrea, Kube-OVN; Weave fastdp has it in its encapsulation).
    public var ovs: Bool = false
    /// OVN stateful ACLs (Kube-OVN).
    public var ovnACL: Bool = false
    /// A virtual function of the NIC handed to the container (SR-IOV): no host stack on the path.
    public var sriov: Bool = false
    public var encryption: Encryption? = nil
    /// A user-space process on the path at each end (docker-proxy: at the server's end only).
    public var forwarder: Forwarder?

    init(_ enc: Encapsulation = .none, bytes: Int = 0, reserve: Int? = nil, veth: Bool = true, bridge: Bool = false,
         nat: Bool = false, policy: Bool = false, macvlan: Bool = false, ebpf: Bool = false, ovs: Bool = false,
         ovnACL: Bool = false, sriov: Bool = false, encryption: Encryption? = nil, forwarder: Forwarder? = nil) {
        encapsulation = enc; encapBytes = bytes; defaultMTUReserve = reserve ?? bytes; self.veth = veth; self.bridge = bridge
        self.nat = nat; self.policy = policy; self.macvlan = macvlan; self.ebpf = ebpf; self.ovs = ovs; self.ovnACL = ovnACL
        if ebpf { ebpfWork = EBPFWork(programs: 1, conntrack: 1, hostForward: 0) }
        self.sriov = sriov; self.encryption = encryption; self.forwarder = forwarder
    }

    /// Netfilter hooks the mode's packets traverse (bridge, NAT, policy chains).
    var netfilter: Bool { bridge || nat || policy }

    /// What the mode's OVS kernel datapath does to each skb at one end, counted in the pipelines the
    /// projects install (docs/network.md, "OVS datapaths from shared primitives"): `passes`, flow-table
    /// passes (key extraction and megaflow lookup, `ovs_dp_process_packet`; every recirculation is one
    /// more), and `conntrack`, ct() actions (`ovs_ct_execute` → `nf_conntrack_in`, the lookup the
    /// netfilter hooks make).
    /// - Weave fastdp 2.7 (weaveworks/weave router/fastdp.go @30ce2197 `fastDatapathForwarder.Forward`,
    ///   `odpEthernetFlowKey`): one flow per in-port and MAC pair that sets the tunnel and outputs to the
    ///   vxlan vport (on receipt, from the vport to the bridge's): 1 pass, no ct.
    /// - Antrea 0.9 (antrea-io/antrea pkg/agent/openflow/pipeline.go @0622c0a9 `connectionTrackFlows`,
    ///   `podClassifierFlow`, `tunnelClassifierFlow`): every IP packet, from a pod or from the tunnel,
    ///   goes through ConntrackTable's ct(table=ConntrackState, zone) and is recirculated; only +new
    ///   packets are committed: 2 passes, 1 ct.
    /// - Kube-OVN 1.3 on OVN 20.06 (kubeovn/kube-ovn pkg/ovs/ovn-nbctl.go @45d30713 `CreateLogicalSwitch`:
    ///   an allow-related ACL and the cluster TCP/UDP load balancers on every pod switch; ovn-org/ovn
    ///   northd/ovn-northd.c @c4d0d513 `build_pre_acls`, `build_pre_lb`, `build_pre_stateful`,
    ///   `build_lb`, `build_stateful`): the sending node runs the logical switch's ingress pipeline,
    ///   the receiving node its egress pipeline, and each sends every IP packet through ct_next
    ///   (pre_stateful) and, established, through ct_lb (stateful): 3 passes, 2 ct.
    var ovsWork: (passes: Double, conntrack: Double) {
        if encapsulation == .weaveFastDP { return (1, 0) }
        guard ovs else { return (0, 0) }
        return ovnACL ? (3, 2) : (2, 1)
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

    /// The mode's stages and encapsulation (sources in docs/network.md, "Modes").
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
        // cilium/cilium pkg/mtu: TunnelOverhead 50, WireguardOverhead 80; eBPF on the veth and tunnel, no iptables
        case .ciliumVXLAN: return DatapathProfile(.vxlan, bytes: 50, ebpf: true)
        case .ciliumNative: return DatapathProfile(ebpf: true)
        case .ciliumWireGuard: return DatapathProfile(.wireguard, bytes: 80, ebpf: true, encryption: .wireguard)
        // projectcalico felix: vxlanMTUOverhead 50, wireguardMTUOverhead 60 [N10-vxlan, N10-wg]
        case .calicoVXLAN: return DatapathProfile(.vxlan, bytes: 50, policy: true)
        case .calicoEBPF: return DatapathProfile(ebpf: true)
        case .calicoWireGuard: return DatapathProfile(.wireguard, bytes: 60, policy: true, encryption: .wireguard)
        // Canal: Flannel's VXLAN with Calico's policy chains on the veth (no bridge) [N3-canal]
        case .canal: return DatapathProfile(.vxlan, bytes: 50, policy: true)
        // kube-router: routed, kube-bridge, iptables network policy; pod MTU 1500 [N3-kuberouter]
        case .kubeRouter: return DatapathProfile(bridge: true, policy: true)
        // antrea-io/antrea pkg/agent/config: GeneveOverhead 50, IPSecESPOverhead 38
        case .antrea: return DatapathProfile(.geneve, bytes: 50, ovs: true)
        case .antreaIPsec: return DatapathProfile(.geneve, bytes: 88, ovs: true, encryption: .ipsec)
        // Kube-OVN: Geneve through OVS with OVN's stateful ACLs; its pod MTU is 100 below the underlay [N10-geneve]
        case .kubeOVN: return DatapathProfile(.geneve, bytes: 50, reserve: 100, ovs: true, ovnACL: true)
        case .sriov: return DatapathProfile(veth: false, sriov: true)
        }
    }

    /// The datapath a mode really runs on a kernel: Calico's eBPF data plane needs 5.3 and falls
    /// back to its iptables data plane below (docs.tigera.io "Enable the eBPF dataplane": a
    /// warning, then the standard pipeline).
    public static func effectiveMode(_ m: ContainerNetworkMode, kernel: KernelVersion) -> ContainerNetworkMode {
        if m == .calicoEBPF && kernel < minimumKernel(.calicoEBPF)! { return .calicoBGP }
        return m
    }

    /// The kernel that has `bpf_redirect_peer` and `bpf_redirect_neigh` (torvalds/linux "bpf: Add redirect_peer
    /// helper", "bpf: Add redirect_neigh helper as redirect drop-in", both 5.10), which eBPF host routing needs.
    public static let hostRoutingKernel = KernelVersion(5, 10)
    /// The kernel from which every release has the cgroup connect hooks Cilium's socket LB needs (4.19.57,
    /// 5.1.16, 5.2: cilium/cilium Documentation/network/kubernetes/kubeproxy-free.rst; a kernel given as
    /// major.minor is taken at its first release, so 5.2).
    public static let socketLBKernel = KernelVersion(5, 2)

    /// Whether new connections of mode `m` to a service address are resolved at connect() by an eBPF socket
    /// load balancer (a service and backend map lookup, then the socket connects to the backend: no
    /// per-packet DNAT, no KUBE-SERVICES walk) instead of kube-proxy. Cilium's kube-proxy replacement from
    /// 5.2 unless `kubeProxyReplacement` is off (Cilium 1.9's default `kubeProxyReplacement=probe` turns it on
    /// where the kernel allows; cilium/cilium bpf/bpf_sock.c `cil_sock4_connect`); Calico's eBPF data plane
    /// always replaces kube-proxy (felix config_params.go `BPFConnectTimeLoadBalancing`, default TCP: the
    /// connect-time load balancer, felix/bpf-gpl/connect_balancer.c).
    public static func socketLB(_ m: ContainerNetworkMode, _ e: EnvironmentParameters) -> Bool {
        switch effectiveMode(m, kernel: e.kernel) {
        case .ciliumVXLAN, .ciliumNative, .ciliumWireGuard: return e.kubeProxyReplacement && e.kernel >= socketLBKernel
        case .calicoEBPF: return true
        default: return false
        }
    }

    /// Whether mode `m` runs eBPF host routing: a packet from the NIC (or the tunnel) enters the pod's
    /// namespace directly with `bpf_redirect_peer` (no veth_xmit, no `netif_rx` into the backlog), and a
    /// packet from the pod leaves by `bpf_redirect_neigh` past the host's upper stack and netfilter.
    /// Cilium from 1.9 when the kernel has the helpers (5.10), with its kube-proxy replacement and BPF
    /// masquerading, which it needs (cilium/cilium Documentation/operations/performance/tuning.rst
    /// @5a4bc625 "eBPF Host-Routing": "automatically enabled if your kernel supports it"; bpf/lib/l3.h
    /// @3c19de86 `l3_local_delivery` → `redirect_ep`: `ctx_redirect_peer` with ENABLE_HOST_ROUTING, else
    /// `ctx_redirect` through the backlog). Calico's eBPF data plane from 3.29 on the same kernels
    /// (projectcalico/calico felix/bpf-gpl/fib_co_re.h @87c15906 `try_redirect_to_peer`, used where
    /// `BPF_FUNC_redirect_peer` exists; felix config `BPFRedirectToPeer`, default Enabled).
    public static func ebpfHostRouting(_ m: ContainerNetworkMode, _ e: EnvironmentParameters) -> Bool {
        guard e.ebpfHostRouting, e.kernel >= hostRoutingKernel else { return false }
        switch effectiveMode(m, kernel: e.kernel) {
        case .ciliumVXLAN, .ciliumNative: return socketLB(m, e)
        // Cilium 1.12 turns host routing off with WireGuard (cilium/cilium daemon/cmd/kube_proxy_replacement.go of
        // the 1.10-1.12 releases: "BPF host routing is currently not compatible with Wireguard", then
        // EnableHostLegacyRouting = true); later releases dropped that case
        case .ciliumWireGuard: return false
        case .calicoEBPF: return true
        default: return false
        }
    }

    /// What mode `m`'s eBPF data plane runs on each skb at one end (both ends count alike), established TCP and no
    /// network policy, as its code runs it (docs/network-calibration-log.md, "eBPF work counted per end"):
    /// - Cilium, every mode: one program with one `ct_lookup4` at each end. Sending, bpf_lxc's from-container
    ///   (`handle_ipv4_from_lxc`: ct_lookup4 CT_EGRESS, `policy_can_egress4`); receiving, the program of the
    ///   device the packet enters by (bpf_overlay's from-overlay, bpf_host's from-host on cilium_host or
    ///   from-netdev on the NIC) tail-calls the endpoint's policy program (bpf/lib/l3.h `ipv4_local_delivery` →
    ///   `tail_call_dynamic(POLICY_CALL_MAP)`; bpf_lxc.c `ipv4_policy`: ct_lookup4 CT_INGRESS,
    ///   `policy_can_access_ingress`). cilium/cilium @5e5c6269 (v1.8) and @814ffce0 (v1.12.0-rc2).
    /// - Cilium VXLAN, legacy or not: no host forwarding. bpf_lxc redirects to the tunnel device
    ///   (lib/encap.h `encap_and_redirect_lxc` → `redirect(ENCAP_IFINDEX)`), from-overlay redirects into the
    ///   endpoint (1.8: `redirect_peer`, a plain `redirect` to the veth; from 1.10 `redirect_ep`).
    /// - Cilium native routing: the legacy path passes the packet to the host's stack at both ends (bpf_lxc
    ///   `pass_to_stack`: CTX_ACT_OK, then `ip_forward`; receiving, the NIC's packet is routed and forwarded to
    ///   cilium_host, whose from-host program delivers it): one forwarding pass per end. With host routing bpf_lxc
    ///   leaves by `redirect_direct_v4` (fib_lookup, `redirect_neigh`) and the NIC's from-netdev delivers: none.
    /// - Cilium WireGuard: the packet reaches the WireGuard device through the stack (bpf_lxc `pass_to_stack`
    ///   with `set_encrypt_mark`, an ip rule), so one forwarding pass per end whatever the routing (1.12 falls
    ///   back to legacy host routing with WireGuard: daemon/cmd/kube_proxy_replacement.go).
    /// - Calico eBPF: one program with one conntrack lookup per end (felix/bpf-gpl/tc.c @00157c19
    ///   `calico_tc_main` → `pre_policy_processing` → `calico_ct_lookup`; an established flow skips the policy
    ///   program), forwarded by a FIB lookup and redirect past `ip_forward` (fib_co_re.h @00d080d2 `forward_or_drop`);
    ///   the egress program on the NIC or the pod's veth returns at once for a packet with
    ///   `CALI_SKB_MARK_BYPASS` (not counted), and `bpf_redirect_peer` skips the pod's one.
    public static func ebpfWork(_ m: ContainerNetworkMode, _ e: EnvironmentParameters) -> EBPFWork {
        let mode = effectiveMode(m, kernel: e.kernel)
        guard profile(mode).ebpf else { return .none }
        let forward: Double
        switch mode {
        case .ciliumNative: forward = ebpfHostRouting(mode, e) ? 0 : 1
        case .ciliumWireGuard: forward = 1
        default: forward = 0
        }
        return EBPFWork(programs: 1, conntrack: 1, hostForward: forward)
    }

    /// The oldest kernel a mode runs on at all, nil: any. Cilium 1.8: 4.9.17
    /// (cilium/cilium Documentation/concepts/kubernetes/requirements.rst "Cilium requires a Linux
    /// kernel >= 4.9"); Calico eBPF: 5.3 (it falls back rather than refusing); WireGuard: in-tree
    /// since 5.6, a DKMS module before (any kernel).
    public static func minimumKernel(_ m: ContainerNetworkMode) -> KernelVersion? {
        switch m {
        case .ciliumVXLAN, .ciliumNative, .ciliumWireGuard: return KernelVersion(4, 9)
        case .calicoEBPF: return KernelVersion(5, 3)
        default: return nil
        }
    }

    /// The largest container MTU the underlay can carry with the mode's encapsulation.
    public static func maxMTU(_ m: ContainerNetworkMode, underlay: Int) -> Int { underlay - profile(m).encapBytes }

    /// The mode's default container MTU: 1450 for VXLAN, 1480 for IPIP, 1472 for Flannel UDP and
    /// 1376 for Weave on a 1500 underlay [N10]. Flannel, Calico (auto-MTU), Cilium, Antrea and
    /// Kube-OVN follow the underlay; Weave (WEAVE_MTU 1376), Docker's overlay (1450), Docker's
    /// bridge (1500) and kube-router (1500 [N3-kuberouter]) keep their fixed defaults on a
    /// larger underlay, which is what costs them on jumbo frames [N3-weave].
    public static func defaultMTU(_ m: ContainerNetworkMode, underlay: Int) -> Int {
        let auto = underlay - profile(m).defaultMTUReserve
        switch m {
        case .weaveSleeve, .weaveFastDP: return min(auto, 1376)
        case .overlay: return min(auto, 1450)
        case .bridge, .dockerProxy, .kubeRouter: return min(auto, 1500)
        default: return auto
        }
    }

    /// Whether the sending side keeps GSO segments through this mode's datapath: IPIP needs
    /// kernel 3.13 (torvalds/linux cb32f511a70b "ipip: add GSO/TSO support"); VXLAN and Geneve
    /// keep them with NIC UDP-tunnel offload; WireGuard takes GSO skbs and segments them itself
    /// (its per-packet work is charged per packet). Weave's fast datapath sends GSO skbs like any
    /// VXLAN device: it leaves TX checksum offload on (weaveworks/weave net/veth.go turns it off only
    /// when the bridge is not fastdp, net/bridge.go only in sleeve's `bridgeImpl.init`), and the OVS
    /// kernel datapath passes GSO skbs to its vxlan vport; sleeve turns it off for pcap.
    public static func sendAggregates(_ m: ContainerNetworkMode, _ e: EnvironmentParameters) -> Bool {
        switch profile(effectiveMode(m, kernel: e.kernel)).encapsulation {
        case .none: return true
        case .ipip: return e.kernel >= KernelVersion(3, 13)
        case .vxlan, .geneve, .weaveFastDP: return e.tunnelOffload
        case .wireguard: return true
        case .flannelUDP, .weaveSleeve: return false
        }
    }

    /// Whether the receiving side keeps GRO segments at the NIC: IPIP needs kernel 4.6 ("ipip: Add
    /// gro callbacks to ipip offload"; from 3.10 it merges after decapsulation instead, see
    /// `aggregation`); VXLAN and Geneve need the NIC's tunnel offload (as in [N3], lost without it
    /// [N1]); WireGuard decrypts packet by packet.
    public static func receiveAggregates(_ m: ContainerNetworkMode, _ e: EnvironmentParameters) -> Bool {
        switch profile(effectiveMode(m, kernel: e.kernel)).encapsulation {
        case .none: return true
        case .ipip: return e.kernel >= KernelVersion(4, 6)
        case .vxlan, .geneve: return e.tunnelOffload
        case .wireguard, .flannelUDP, .weaveSleeve, .weaveFastDP: return false
        }
    }

    /// Whether the stack keeps TSO/GRO segments through this mode's datapath in both directions.
    public static func keepsAggregation(_ m: ContainerNetworkMode, _ e: EnvironmentParameters) -> Bool {
        sendAggregates(m, e) && receiveAggregates(m, e)
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

    /// Kernel cost of the mode's stages (not the base stack), each charged once per skb it sees
    /// (`endCost` decides whether that is a GSO/GRO segment or a wire packet): `skb`, the stages
    /// before and after the tunnel (veth_xmit, the netfilter hooks, tc/eBPF, the OVS datapath run
    /// on the skb as it is; a GSO skb is split only at the physical device); `encap`, the
    /// encapsulation's own work (ipip_tunnel_xmit / ipip_rcv, vxlan_xmit_one / vxlan_rcv); `segment`,
    /// the per-segment extras; `wire`, work done per wire packet whatever the path (WireGuard and
    /// IPsec encrypt packet by packet).
    static func stageNs(_ p: DatapathProfile, _ e: EnvironmentParameters) -> (skb: Double, encap: Double, segment: Double, wire: Double) {
        var x = 0.0, s = 0.0, w = 0.0, t = 0.0
        if p.veth { x += e.vethNsPerPacket; s += e.vethNsPerSegment }
        if p.bridge { x += e.bridgeNsPerPacket }
        if p.nat { x += e.natNsPerPacket }
        if p.policy { x += e.policyNsPerPacket }
        if p.netfilter { s += e.netfilterNsPerSegment }
        if p.macvlan { x += e.macvlanNsPerPacket }
        // the eBPF programs, each conntrack lookup of their own CT map at the netfilter hooks' lookup cost, and a
        // pass through the host's IP forwarding at the routed modes' forwarding stages (the netfilter hooks and
        // an iptables chain walk, as calico-bgp's without its veth)
        if p.ebpf {
            let w = p.ebpfWork
            x += w.programs * e.ebpfNsPerPacket + w.conntrack * e.netfilterNsPerSegment
                + w.hostForward * (e.netfilterNsPerSegment + e.policyNsPerPacket)
            s += e.ebpfNsPerSegment
        }
        // the OVS datapath's flow-table passes and ct() actions, each ct() the conntrack lookup the
        // netfilter hooks make (`netfilterNsPerSegment`) plus the OVS action's own work (`ovsNsPerSegment`)
        let ovs = p.ovsWork
        if p.ovs { x += ovs.passes * e.ovsNsPerPacket + ovs.conntrack * (e.netfilterNsPerSegment + e.ovsNsPerSegment) }
        if p.ovnACL { x += e.ovnACLNsPerPacket }
        if p.sriov { x += e.sriovNsPerPacket }
        switch p.encryption {
        case .wireguard?: w += e.wireguardNsPerPacket
        case .ipsec?: w += e.ipsecNsPerPacket
        case nil: break
        }
        switch p.encapsulation {
        case .ipip: t = e.ipipNsPerPacket
        case .vxlan, .geneve: t = e.vxlanNsPerPacket
        case .weaveFastDP: t = ovs.passes * e.ovsNsPerPacket
        case .none, .wireguard, .flannelUDP, .weaveSleeve: break
        }
        return (x, t, s, w)
    }

    /// Where each stage of one end runs per wire packet rather than per aggregated skb.
    /// `inner`: the stack and the stages other than the tunnel see aggregated skbs (GSO on the
    /// sending end; on the receiving end GRO at the NIC, or, for IPIP from 3.10, GRO after
    /// decapsulation: `ip_tunnel_rcv` hands each inner packet to `gro_cells_receive` on the
    /// tunnel device, torvalds/linux net/ipv4/ip_tunnel.c, so the inner stack, netfilter and veth
    /// see merged skbs even where the NIC cannot merge IPIP). `encapPerPacket`: the tunnel's own
    /// work runs per wire packet: on the receiving end without tunnel GRO at the NIC; on the
    /// sending end where the NIC cannot segment the tunnel's GSO skbs (no `tunnelOffload`: a
    /// virtio NIC has no IPIP segmentation offload, so `validate_xmit_skb` at the device splits
    /// the GSO skb in software and the IPIP GSO callback rebuilds the outer header per packet).
    static func aggregation(_ mode: ContainerNetworkMode, _ p: DatapathProfile, _ e: EnvironmentParameters,
                            sending: Bool) -> (inner: Bool, encapPerPacket: Bool) {
        if sending {
            let agg = sendAggregates(mode, e)
            return (agg, !agg || (p.encapsulation == .ipip && !e.tunnelOffload))
        }
        let agg = receiveAggregates(mode, e)
        let afterDecap = p.encapsulation == .ipip && e.kernel >= KernelVersion(3, 10)
        return (agg || afterDecap, !agg)
    }

    /// One end of a TCP stream in mode `m` with container MTU `mtu`. `serverSide`: the docker-proxy
    /// runs only at the end that publishes the port. `sending`: the end that writes (GSO) rather
    /// than the one that reads (GRO). `writeBytes`: the size of each write: when the sender cannot
    /// aggregate, a write larger than one MSS leaves as its own packets, the last one short.
    public static func endCost(_ m: ContainerNetworkMode, mtu: Int, env e: EnvironmentParameters, serverSide: Bool = true,
                               sending: Bool = true, writeBytes: Int64? = nil) -> EndCost {
        let mode = effectiveMode(m, kernel: e.kernel)
        var p = profile(mode)
        if p.forwarder == .dockerProxy && !serverSide { p = profile(.host) }
        // eBPF host routing: the receiving end enters the pod by bpf_redirect_peer, past the veth and its backlog
        if !sending && ebpfHostRouting(mode, e) { p.veth = false }
        p.ebpfWork = ebpfWork(mode, e)
        let mss = Double(max(1, mtu - tcpHeaderBytes))
        let sendAgg = sendAggregates(mode, e)
        let aggregated = sending ? sendAgg : receiveAggregates(mode, e)
        let passes: Double = p.forwarder == nil ? 1 : 2   // a forwarder sends the packet through the stack twice
        let stage = stageNs(p, e)
        // payload bytes per wire packet: a full MSS, or fewer when writes leave one by one
        var perPacket = mss
        if !sendAgg, let w = writeBytes, Double(w) > mss {
            // a write of more than one MSS is pushed at its end: ceil(w / MSS) packets, the last
            // one short (smaller writes are coalesced by Nagle while data is in flight)
            let wb = Double(w)
            perPacket = wb / (wb / mss).rounded(.up)
        }
        // each stage once per skb it sees: per segment where aggregated, per wire packet where not
        let agg = aggregation(mode, p, e, sending: sending)
        let segment = agg.inner ? max(mss, sending ? e.gsoBytes : min(e.gsoBytes, e.groBytes)) : perPacket
        let encapPacket = agg.encapPerPacket ? stage.encap : 0
        // the driver per descriptor: per receive buffer of each wire packet; per GSO skb where the NIC
        // segments it (not where a tunnel or WireGuard splits it into packets in software first)
        var driverPacket = driverNs(p, mtu: mtu, env: e, sending: sending), driverSegment = 0.0
        if sending && e.driverPerGSOSkb && agg.inner && !agg.encapPerPacket && p.encryption == nil {
            driverSegment = driverPacket; driverPacket = 0
        }
        let perWirePacket = driverPacket + stage.wire + encapPacket + (agg.inner ? 0 : stage.skb)
        let perSegment = driverSegment + e.stackNsPerSegment * passes + stage.segment + (stage.encap - encapPacket) + (agg.inner ? stage.skb : 0)
        var k = e.nsPerByte + perWirePacket / perPacket + perSegment / segment
        if !aggregated && !e.tunnelOffload && (p.encapsulation == .vxlan || p.encapsulation == .geneve || p.encapsulation == .flannelUDP
                                               || p.encapsulation == .weaveSleeve || p.encapsulation == .weaveFastDP) {
            k += e.softwareChecksumNsPerByte
        }
        switch p.encryption {
        case .wireguard?: k += e.wireguardNsPerByte
        case .ipsec?: k += e.ipsecNsPerByte
        case nil: break
        }
        var u = 0.0, uMsg = 0.0, wait = 0.0
        if p.veth { wait += e.deferralNs }
        if let f = p.forwarder {
            // a packet at a time, except docker-proxy's io.Copy: one read + one write per 32 KiB chunk
            let unit = f == .dockerProxy ? min(32768, mss * 22) : mss
            uMsg = f.nsPerPacket(e)
            u = 2 * e.userNsPerByteCopy + uMsg / unit
            wait += e.wakeupNs
        }
        let kMsg = e.driverNsPerPacket + e.stackNsPerSegment * passes + stage.skb + stage.encap + stage.segment + stage.wire
        return EndCost(kernelNsPerByte: k, userNsPerByte: u, kernelNsPerMessage: kMsg, userNsPerMessage: uMsg, waitNsPerMessage: wait)
    }

    /// The driver's work for one wire packet of a full-sized frame at one end: one descriptor, or on
    /// receive one per buffer the frame spans (`rxBufferBytes`).
    static func driverNs(_ p: DatapathProfile, mtu: Int, env e: EnvironmentParameters, sending: Bool) -> Double {
        guard !sending, e.rxBufferBytes > 0 else { return e.driverNsPerPacket }
        let frame = Double(mtu + p.encapBytes + 18)   // Ethernet header 14 + FCS 4
        return e.driverNsPerPacket * (frame / e.rxBufferBytes).rounded(.up)
    }

    /// Bytes on the wire per payload byte of a full-sized TCP packet (headers, encapsulation,
    /// Ethernet framing): what a flow uses of a NIC or link per byte it delivers.
    public static func wireBytesPerPayloadByte(_ m: ContainerNetworkMode, mtu: Int) -> Double {
        let mss = Double(max(1, mtu - tcpHeaderBytes))
        return (Double(mtu + profile(m).encapBytes + ethernetFramingBytes)) / mss
    }

    /// Bytes on the wire of one message of `bytes` payload: its packets' headers, encapsulation and
    /// framing (a message smaller than one MSS still pays a whole packet's headers).
    public static func wireBytes(_ m: ContainerNetworkMode, mtu: Int, message bytes: Double) -> Double {
        let mss = Double(max(1, mtu - tcpHeaderBytes))
        let packets = max(1, (bytes / mss).rounded(.up))
        return bytes + packets * Double(tcpHeaderBytes + profile(m).encapBytes + ethernetFramingBytes)
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

    /// Nanoseconds per UDP datagram at one end (no GSO for UDP in these kernels): each datagram
    /// pays a syscall, a full stack pass, the driver and every stage [L6]. The sending end also pays
    /// `udpSendNsPerDatagram`: nothing batches its datagrams, and a container's datagram is forwarded
    /// by its host on the sending CPU (`veth_xmit` → `netif_rx` queues it to that CPU's own backlog:
    /// torvalds/linux net/core/dev.c `netif_rx_internal` → `enqueue_to_backlog(skb, get_cpu(), …)`
    /// without RPS); the receiving end, whose NAPI poll and backlog take datagrams in batches, pays
    /// `udpReceiveNsPerDatagram` for the skb and the socket queue. So a sender at full speed is the
    /// bound at a receiver of its own mode ([N3]: 0.5-2.8 % lost at MTU 1440-1500), and datagrams are
    /// lost only where the receiving end costs more (a dearer mode, a forwarder) or, from an unpaced
    /// sender faster than its NIC, at its own host (`udpSenderRate`).
    public static func udpDatagramNs(_ m: ContainerNetworkMode, mtu: Int, env e: EnvironmentParameters, sending: Bool = true) -> (kernel: Double, user: Double, payload: Int) {
        let c = endCost(m, mtu: mtu, env: e, sending: sending)
        let payload = mtu - udpHeaderBytes
        let p = profile(effectiveMode(m, kernel: e.kernel))
        var crypto = 0.0
        switch p.encryption {
        case .wireguard?: crypto = e.wireguardNsPerByte * Double(payload)
        case .ipsec?: crypto = e.ipsecNsPerByte * Double(payload)
        case nil: break
        }
        // a full-sized datagram's extra receive buffers (the one-packet message cost has one descriptor)
        let buffers = driverNs(p, mtu: mtu, env: e, sending: sending) - e.driverNsPerPacket
        // user time is a forwarder's only (its packet work and its two copies, as `endCost` charges TCP): the
        // application's own copy is the system call's, in `nsPerByte`; iperf3 touches only the 12- or 16-byte
        // header of its buffer (esnet/iperf src/iperf_udp.c @01f50bad, `iperf_udp_send` → `Nwrite`, `iperf_udp_recv`)
        let copies = c.userNsPerByte > 0 ? 2 * e.userNsPerByteCopy * Double(payload) : 0
        return (e.syscallNs + c.kernelNsPerMessage + buffers + e.nsPerByte * Double(payload) + crypto + (sending ? e.udpSendNsPerDatagram : e.udpReceiveNsPerDatagram),
                c.userNsPerMessage + copies, payload)
    }

    /// Whether a UDP sender of this mode runs at its core's full rate whatever its NIC and the
    /// receiver take (iperf3 -u -b 0): a datagram leaving a container crosses a veth into the host's
    /// namespace, where `__dev_forward_skb` scrubs it (`skb_scrub_packet(skb, true)`, which orphans
    /// it: torvalds/linux net/core/dev.c, net/core/skbuff.c) and so hands its memory back to the
    /// socket's send buffer at once. The sender never blocks; what its NIC or the receiver cannot
    /// take is dropped downstream, after its core paid the whole transmit path. Host networking,
    /// macvlan/ipvlan and SR-IOV keep the skb charged to the socket until the NIC has sent it, so the
    /// send buffer paces the sender at its NIC's rate.
    public static func udpSenderUnpaced(_ m: ContainerNetworkMode, _ e: EnvironmentParameters) -> Bool {
        profile(effectiveMode(m, kernel: e.kernel)).veth
    }

    /// Payload bytes per second a UDP sender pushes through its own transmit path: what its cores
    /// allow (`sender`: its per-byte costs), capped by what its NIC carries for one flow
    /// (`nicBytesPerSecond`, wire bytes) only where the socket paces it (`udpSenderUnpaced`).
    /// `wire`: wire bytes per payload byte. It is what iperf3 offers: every datagram it writes carries
    /// the next sequence number (esnet/iperf src/iperf_udp.c `iperf_udp_send`), and its
    /// receiver counts the gaps as lost (`iperf_udp_recv`), so what an unpaced sender's host drops
    /// beyond its NIC's rate (its qdisc: the skb was orphaned at the veth) is lost as well as what
    /// a slower receiver does not take ([N3] at MTU 8950: Antrea delivers 9.80 Gbit/s with 26.8 %
    /// lost, 13.4 Gbit/s written into a 10 GbE line).
    public static func udpSenderRate(_ m: ContainerNetworkMode, env e: EnvironmentParameters, sender: EndCost, cores: Double,
                                     nicBytesPerSecond: Double, wire: Double) -> Double {
        let cpu = singleFlowCPUBound(sender, cores: cores)
        return udpSenderUnpaced(m, e) ? cpu : min(cpu, nicBytesPerSecond / wire)
    }

    /// One-way latency of a message of `bytes`, nanoseconds: the path (switches, DC links) and,
    /// between hosts (`linkBytesPerSecond` given), both NICs; each end's per-message CPU (syscall,
    /// stack, the mode's stages, a user-space forwarder) and waits (veth deferral, wake-ups); then
    /// the bytes. The first packet's per-packet work is in the per-message costs: it adds only its
    /// copies, the rest of the message is processed at the streaming cost per byte (the two ends'
    /// kernels one after the other; forwarders at both ends pass packets on one by one, so only
    /// the slower one adds its time). On the wire the first packet is serialised before the next
    /// hop takes it (store and forward), the rest overlaps with the processing: latency grows with
    /// the size through copies, segmentation and serialisation at the NIC's speed.
    public static func messageLatencyNs(env e: EnvironmentParameters, sender a: EndCost, receiver b: EndCost, wireMode: ContainerNetworkMode,
                                        mtu: Int, bytes s: Double, pathNs: Double, linkBytesPerSecond link: Double?) -> Double {
        var ns = pathNs
        if link != nil { ns += 2 * e.nicLatencyNs }
        ns += e.syscallNs + a.kernelNsPerMessage + a.userNsPerMessage + a.waitNsPerMessage
        ns += b.kernelNsPerMessage + b.userNsPerMessage + b.waitNsPerMessage + e.wakeupNs
        let first = min(s, Double(mtu - tcpHeaderBytes)), rest = s - first
        let copies = 2 * e.nsPerByte + ((a.userNsPerByte > 0 || b.userNsPerByte > 0) ? 2 * e.userNsPerByteCopy : 0)
        let processing = first * copies + rest * (a.kernelNsPerByte + b.kernelNsPerByte + max(a.userNsPerByte, b.userNsPerByte))
        var wire = 0.0, firstWire = 0.0
        if let link {
            wire = wireBytes(wireMode, mtu: mtu, message: s) / link * 1e9
            firstWire = wireBytes(wireMode, mtu: mtu, message: first) / link * 1e9
        }
        return ns + firstWire + max(processing, wire - firstWire)
    }
}
