import SimKernel

// Plain values describing the cluster's network: environment, container network modes, topology
// (racks with top-of-rack switches, links between data centers), the overlay's KV store and the
// qperf-like experiments. Decoded from the scenario's `network` section (docs/network.md).

/// The datapath between two containers (or a container and a host process). Every mode a 2017
/// Mesos/Marathon operator weighed, plus `docker-proxy`, the userland proxy path of a published
/// port reached from the same host (Docker's default `--userland-proxy=true`).
public enum ContainerNetworkMode: String, CaseIterable, Sendable {
    case host
    case bridge
    case dockerProxy = "docker-proxy"
    case overlay
    case macvlan
    case ipvlan
    case calicoBGP = "calico-bgp"
    case calicoIPIP = "calico-ipip"
    case flannelUDP = "flannel-udp"
    case flannelVXLAN = "flannel-vxlan"
    case flannelHostGW = "flannel-host-gw"
    case weaveSleeve = "weave-sleeve"
    case weaveFastDP = "weave-fastdp"
    // the modes Kubernetes users compare today (issue 15; [N3] measured most of them)
    case ciliumVXLAN = "cilium-vxlan"
    case ciliumNative = "cilium-native"
    case calicoVXLAN = "calico-vxlan"
    case calicoEBPF = "calico-ebpf"
    case canal
    case kubeRouter = "kube-router"
    case antrea
    case kubeOVN = "kube-ovn"
    case sriov
    // encryption on top of a mode
    case calicoWireGuard = "calico-wireguard"
    case ciliumWireGuard = "cilium-wireguard"
    case antreaIPsec = "antrea-ipsec"

    /// Modes a cluster, a named network or an app can use (docker-proxy is a path, not a network).
    public static let networkModes: [ContainerNetworkMode] = allCases.filter { $0 != .dockerProxy }
}

/// Where the hosts run: the same mode costs very different amounts of CPU with and without NIC
/// offloads (reference, "A model that ties the numbers together").
public enum NetworkEnvironment: String, CaseIterable, Sendable {
    /// A cloud VM (virtio NIC) without UDP-tunnel offload, as in the seed's reference test [N1].
    case cloudVM = "cloud-vm"
    /// Bare metal with TSO/GRO and UDP-tunnel (VXLAN) offload [N2b, N3].
    case bareMetal = "bare-metal"
}

/// A Linux kernel release, major.minor: it decides which offloads and datapaths exist (IPIP
/// GSO 3.13, IPIP GRO 4.6, eBPF datapaths: Cilium 4.9, Calico 5.3; docs/network.md, "Kernels").
public struct KernelVersion: Comparable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public init(_ major: Int, _ minor: Int) { self.major = major; self.minor = minor }
    /// "4.15", "5.4.0-42-generic" (the release `uname -r` prints; the part after major.minor is ignored).
    public init?(_ text: String) {
        let parts = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, let a = Int(parts[0]), a >= 2, a <= 99 else { return nil }
        let digits = parts[1].prefix { $0.isNumber }
        guard !digits.isEmpty, digits.count <= 3, let b = Int(digits) else { return nil }
        if parts.count == 2 && digits.count != parts[1].count { return nil }
        major = a; minor = b
    }
    public static func < (x: KernelVersion, y: KernelVersion) -> Bool { (x.major, x.minor) < (y.major, y.minor) }
    public var description: String { "\(major).\(minor)" }
}

/// How a host's NIC ports are bonded (Linux bonding driver, Documentation/networking/bonding.rst).
public enum BondingMode: String, CaseIterable, Sendable {
    /// One port (the host group's `nic`).
    case none
    /// One active port, the others standby: the host's capacity is one port.
    case activeBackup = "active-backup"
    /// LACP with a layer3+4 hash: every flow stays on one port, many flows spread over all.
    case lacp = "802.3ad"
}

/// How a connection to a Kubernetes-style service address is translated (kube-proxy's mode).
public enum ServiceProxyMode: String, CaseIterable, Sendable {
    /// No service address on the path (connections go to the instance).
    case none
    /// kube-proxy iptables: the first packet of a connection walks the KUBE-SERVICES chain, one rule per service.
    case iptables
    /// kube-proxy IPVS: one hash lookup per new connection, whatever the number of services.
    case ipvs
}

/// What a user states about the hosts' hardware and kernel beyond `environment` (docs/network.md,
/// "Environment"): nil fields keep the environment's reference value.
public struct HostEnvironmentSpec: Equatable, Sendable {
    /// CPU clock, GHz: every CPU cost scales with reference clock / clock.
    public var cpuClockGHz: Double?
    /// Kernel release: offloads and eBPF availability.
    public var kernel: KernelVersion?
    public var bonding: BondingMode
    /// Ports in the bond (1 without bonding).
    public var bondLinks: Int
    public var serviceProxy: ServiceProxyMode
    /// Services in the cluster (iptables rules walked per new connection).
    public var services: Int
    /// eBPF host routing where the kernel and the mode have it (`Datapath.ebpfHostRouting`); false: legacy.
    public var ebpfHostRouting: Bool
    /// Cilium's eBPF kube-proxy replacement where the kernel has it (`Datapath.socketLB`); false: kube-proxy.
    public var kubeProxyReplacement: Bool
    /// Whether the NIC segments and checksums UDP tunnels (VXLAN/Geneve TSO, inner checksums on receive:
    /// `EnvironmentParameters.tunnelOffload`); nil: the environment's (cloud-vm no, bare-metal yes).
    public var nicTunnelOffload: Bool?
    public init(cpuClockGHz: Double? = nil, kernel: KernelVersion? = nil, bonding: BondingMode = .none, bondLinks: Int = 1,
                serviceProxy: ServiceProxyMode = .none, services: Int = 100, ebpfHostRouting: Bool = true, kubeProxyReplacement: Bool = true,
                nicTunnelOffload: Bool? = nil) {
        self.cpuClockGHz = cpuClockGHz; self.kernel = kernel; self.bonding = bonding; self.bondLinks = bondLinks
        self.serviceProxy = serviceProxy; self.services = services
        self.ebpfHostRouting = ebpfHostRouting; self.kubeProxyReplacement = kubeProxyReplacement
        self.nicTunnelOffload = nicTunnelOffload
    }
}

/// A user-defined container network (Docker USER network / CNI network) that Marathon apps name in
/// `ipAddress.networkName` or `container.docker.network: USER`.
public struct NamedNetworkSpec: Equatable, Sendable {
    public var name: String
    public var mode: ContainerNetworkMode
    /// Container MTU; nil = the mode's default for the underlay (underlay MTU minus encapsulation).
    public var mtu: Int?
    public init(name: String, mode: ContainerNetworkMode, mtu: Int? = nil) { self.name = name; self.mode = mode; self.mtu = mtu }
}

/// The KV store the Docker overlay driver needs (libnetwork `--cluster-store`).
public enum KVStoreSpec: Equatable, Sendable {
    /// The scenario's ZooKeeper ensemble (`zk://...`): reachable while it has a quorum.
    case zookeeper
    /// A Consul or etcd cluster on these hosts (a placeholder for the later discovery issue):
    /// reachable while a majority of its servers' hosts are up.
    case servers(kind: String, hosts: [String])
}

/// A rack's top-of-rack switch: its uplink to the data center's spine (nil: non-blocking).
public struct RackSpec: Equatable, Sendable {
    public var name: String
    public var uplinkBitsPerSecond: Int64?
    public init(name: String, uplinkBitsPerSecond: Int64? = nil) { self.name = name; self.uplinkBitsPerSecond = uplinkBitsPerSecond }
}

/// A link between two data centers (both directions, each with this bandwidth).
public struct DatacenterLinkSpec: Equatable, Sendable {
    public var a: String
    public var b: String
    public var latency: SimDuration
    public var bitsPerSecond: Int64
    public init(a: String, b: String, latency: SimDuration, bitsPerSecond: Int64) {
        self.a = a; self.b = b; self.latency = latency; self.bitsPerSecond = bitsPerSecond
    }
}

/// What `network-modes.json` runs: qperf's `tcp_bw tcp_lat` over message sizes for each mode,
/// between two hosts, then a multi-flow run and a UDP run; optionally a burst of new connections.
public struct NetworkExperimentsSpec: Equatable, Sendable {
    public var modes: [ContainerNetworkMode]
    public var from: String
    public var to: String
    /// Message sizes in bytes (qperf `-oo msg_size:1:64K:*2`).
    public var messageSizes: [Int64]
    /// How long each bandwidth test runs (qperf's default `-t 2`).
    public var testTime: SimDuration
    /// Parallel flows of the multi-flow run (0: none).
    public var flows: Int
    /// Concurrent new connections of the connection-burst run (0: none).
    public var connections: Int
    public init(modes: [ContainerNetworkMode] = ContainerNetworkMode.allCases, from: String, to: String,
                messageSizes: [Int64] = NetworkExperimentsSpec.qperfSizes, testTime: SimDuration = .seconds(2),
                flows: Int = 8, connections: Int = 0) {
        self.modes = modes; self.from = from; self.to = to; self.messageSizes = messageSizes
        self.testTime = testTime; self.flows = flows; self.connections = connections
    }
    /// 1 B to 64 KiB, doubling.
    public static let qperfSizes: [Int64] = (0...16).map { Int64(1) << Int64($0) }
}

/// The scenario's `network` section.
public struct NetworkSpec: Equatable, Sendable {
    public var environment: NetworkEnvironment
    /// The mode of containers that do not choose one (Marathon USER networks without a name).
    public var mode: ContainerNetworkMode
    /// Underlay (physical or VM NIC) MTU, bytes.
    public var underlayMTU: Int
    public var networks: [NamedNetworkSpec]
    public var kvStore: KVStoreSpec?
    /// Racks with their top-of-rack uplinks; empty: every rack non-blocking.
    public var racks: [RackSpec]
    /// Latency of one switch (ToR or spine), one way.
    public var switchLatency: SimDuration
    public var datacenterLinks: [DatacenterLinkSpec]
    public var experiments: NetworkExperimentsSpec?
    /// Bytes of one request and of one response of the platform's traffic between the proxy and
    /// an instance (NetworkTrafficCost).
    public var requestBytes: Int64
    public var responseBytes: Int64
    /// Clock, kernel, bonding and service proxying of the hosts.
    public var host: HostEnvironmentSpec
    /// The defaults of `requestSize` / `responseSize` and the largest accepted.
    public static let defaultRequestBytes: Int64 = 800
    public static let defaultResponseBytes: Int64 = 8192
    public static let maxMessageBytes: Int64 = 1 << 30

    public init(environment: NetworkEnvironment = .cloudVM, mode: ContainerNetworkMode = .host, underlayMTU: Int = 1500,
                networks: [NamedNetworkSpec] = [], kvStore: KVStoreSpec? = nil, racks: [RackSpec] = [],
                switchLatency: SimDuration = SimDuration(nanoseconds: 1_000), datacenterLinks: [DatacenterLinkSpec] = [],
                experiments: NetworkExperimentsSpec? = nil, requestBytes: Int64 = NetworkSpec.defaultRequestBytes,
                responseBytes: Int64 = NetworkSpec.defaultResponseBytes, host: HostEnvironmentSpec = HostEnvironmentSpec()) {
        self.host = host
        self.environment = environment; self.mode = mode; self.underlayMTU = underlayMTU; self.networks = networks
        self.kvStore = kvStore; self.racks = racks; self.switchLatency = switchLatency
        self.datacenterLinks = datacenterLinks; self.experiments = experiments
        self.requestBytes = requestBytes; self.responseBytes = responseBytes
    }

    /// The mode of a task's container network (Marathon's networks, in Mesos' terms): HOST -> host,
    /// BRIDGE -> bridge, USER/container network -> the named network's mode (or `mode` when unnamed
    /// or unknown). See docs/network.md.
    public func mode(for networkMode: TaskNetwork) -> ContainerNetworkMode {
        switch networkMode {
        case .host: return .host
        case .bridge: return .bridge
        case .container(let name):
            if let n = name, let net = networks.first(where: { $0.name == n }) { return net.mode }
            return mode
        }
    }

    /// The environment's costs with the hosts' clock, kernel and NIC tunnel offload applied.
    public var parameters: EnvironmentParameters {
        var e = EnvironmentParameters.of(environment).adapted(clockGHz: host.cpuClockGHz, kernel: host.kernel, tunnelOffload: host.nicTunnelOffload)
        e.ebpfHostRouting = host.ebpfHostRouting; e.kubeProxyReplacement = host.kubeProxyReplacement
        return e
    }

    /// Container MTU of a mode: a named network's MTU when one of that mode sets it, else the
    /// underlay MTU minus the mode's encapsulation.
    public func mtu(of mode: ContainerNetworkMode) -> Int {
        if let m = networks.first(where: { $0.mode == mode && $0.mtu != nil })?.mtu { return m }
        return Datapath.defaultMTU(mode, underlay: underlayMTU)
    }
}
