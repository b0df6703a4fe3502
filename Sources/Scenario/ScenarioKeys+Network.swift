import ClusterModel

// Declared keys of `network` (docs/network.md; see ScenarioKeys.swift): the top level of the section.
// Its sub-objects (networks[i], kvStore, racks[i], datacenterLinks[i], experiments) are declared in
// NetworkSection.swift.
extension ScenarioSchema {
    /// The network modes, as the allowed values of a mode key.
    static let networkModeList = ContainerNetworkMode.networkModes.map { "`\($0.rawValue)`" }.joined(separator: ", ")

    static let networkKeys = SectionKeys(#"network"#, [
        KeySpec(#"environment"#, #"string"#, default: #"`"cloud-vm"`"#, allowed: #"`"cloud-vm"` (a VM without UDP-tunnel offload, as in [N1]), `"bare-metal"` (TSO/GRO and VXLAN offload). `--set network.environment=bare-metal` switches a scenario."#,
                meaning: #"The hosts' datapath costs (Parameters, below)."#),
        KeySpec(#"mode"#, #"string"#, default: #"`"host"`"#, allowed: networkModeList + #". A mode whose eBPF datapath the kernel lacks is an error (Cilium: 4.9); `calico-ebpf` below 5.3 runs Calico's iptables data plane, as Calico does."#,
                meaning: #"The mode of containers that do not choose one (Marathon `USER` networks without a name)."#),
        KeySpec(#"underlayMtu"#, #"integer"#, default: #"`1500`"#, allowed: #"576 to 65535."#, meaning: #"The NIC's (or VM NIC's) MTU."#, source: #"Ethernet's standard MTU"#),
        KeySpec(#"cpuClock"#, #"number"#, default: #"the environment's reference clock, 2.4"#, allowed: #"GHz, 0.5 to 6."#,
                meaning: #"The hosts' CPU clock: every CPU cost of the environment scales by 2.4 / cpuClock (NIC speed and cores are the host group's `nic` and `cpus`)."#,
                source: #"model choice: the reference rows' CPUs are mostly unstated; 2.4 GHz is a typical 2015-2018 Xeon E5 base clock"#),
        KeySpec(#"kernel"#, #"string"#, default: #"`"4.9"` (cloud-vm), `"4.15"` (bare-metal)"#, allowed: #"A release, `"major.minor"` or as `uname -r` prints it, 2.6 or later, as a string (a JSON number is refused: 5.10 would be 5.1; on the command line `--set 'network.kernel="5.10"'`)."#,
                meaning: #"The hosts' kernel: IPIP keeps GSO from 3.13, GRO after decapsulation from 3.10 and GRO at the NIC from 4.6 (a stage without aggregation runs per wire packet), Cilium needs 4.9, Calico's eBPF data plane 5.3."#,
                source: #"bare-metal: [N3] Ubuntu 18.04 (4.15); cloud-vm: model choice, the oldest kernel every mode runs on (Cilium); [N1] itself ran 3.16 to 4.3 (docs/network.md, Environment)"#),
        KeySpec(#"bonding"#, #"string"#, default: #"`"none"`"#, allowed: #"`"none"`, `"active-backup"`, `"802.3ad"`."#,
                meaning: #"How the hosts' NIC ports are bonded: 802.3ad gives the host `bondLinks` ports of capacity but keeps each flow (and each message) on one port; active-backup gives one port."#,
                source: #"Linux bonding driver, Documentation/networking/bonding.rst (xmit_hash_policy layer3+4)"#),
        KeySpec(#"bondLinks"#, #"integer"#, default: #"`1`"#, allowed: #"1 without bonding; 2 to 8 with it."#, meaning: #"Ports in the bond, each at the host group's `nic` rate."#),
        KeySpec(#"serviceProxy"#, #"string"#, default: #"`"none"`"#, allowed: #"`"none"`, `"iptables"`, `"ipvs"`."#,
                meaning: #"kube-proxy's mode for connections to a service address: iptables walks one rule per service with a connection's first packet, IPVS does one hash lookup (connect, crr rows)."#),
        KeySpec(#"services"#, #"integer"#, default: #"`100`"#, allowed: #"1 to 100000."#, meaning: #"Services in the cluster (rules iptables walks per new connection)."#,
                source: #"model choice: a mid-sized cluster"#),
        KeySpec(#"ebpfHostRouting"#, #"boolean"#, default: #"`true`"#, allowed: #"`true` or `false`."#,
                meaning: #"eBPF host routing where the kernel has `bpf_redirect_peer`/`bpf_redirect_neigh` (5.10): Cilium (with `kubeProxyReplacement`) and `calico-ebpf` enter the receiving pod directly, past its veth and the backlog queue (no veth stage, no deferral at the receiving end). `false`: the legacy path (Cilium `bpf.hostLegacyRouting=true`, Calico `BPFRedirectToPeer: Disabled`)."#,
                source: #"the real defaults: Cilium 1.9+ enables it when the kernel allows (Documentation/operations/performance/tuning.rst), Calico 3.29+ `BPFRedirectToPeer: Enabled`"#),
        KeySpec(#"kubeProxyReplacement"#, #"boolean"#, default: #"`true`"#, allowed: #"`true` or `false`."#,
                meaning: #"Cilium's eBPF kube-proxy replacement from kernel 5.2 (socket LB: a service is resolved at connect(), one map lookup like IPVS's, whatever `services`; eBPF host routing needs it). `false`: Cilium pods' connections go through `serviceProxy`. `calico-ebpf` always resolves services at connect()."#,
                source: #"Cilium 1.9's default `kubeProxyReplacement=probe` (1.10 turned it off in the Helm chart: set `false` for a stock 1.10+ install); socket LB needs 4.19.57, 5.1.16 or 5.2 (Documentation/network/kubernetes/kubeproxy-free.rst)"#),
        KeySpec(#"nicTunnelOffload"#, #"boolean"#, default: #"the environment's: `false` (cloud-vm), `true` (bare-metal)"#, allowed: #"`true` or `false`."#,
                meaning: #"Whether the hosts' NIC takes VXLAN/Geneve GSO skbs whole (`tx-udp_tnl-segmentation`) and validates the inner checksum of what it receives (so GRO merges at the NIC): with it the VXLAN and Geneve modes keep TSO/GRO aggregation at both ends (Weave fastdp at the sending end); without it they run the tunnel and the stack per wire packet with the inner checksum in software, and IPIP's own stage runs per packet at the sending end. Modes without a tunnel are unchanged."#,
                source: #"the NIC's driver (docs/network.md, Environment): Mellanox mlx5 (ConnectX-4 and later) and Intel X550 (ixgbe) have both; Intel 82599/X520 segments tunnels (GSO partial, kernel 4.7) but validates no inner checksum; virtio-net has neither"#),
        KeySpec(#"networks"#, #"array"#, default: #"`[]`"#, allowed: #"See `network.networks[i]`."#,
                meaning: #"Named container networks that Marathon apps name in `ipAddress.networkName`."#),
        KeySpec(#"kvStore"#, #"string or object"#, default: #"none"#, allowed: #"`"zookeeper"` (the scenario's ensemble; needs `mesos`) or an object, see `network.kvStore`. Required when any network, the default mode or the experiments use `overlay`."#,
                meaning: #"The overlay's KV store (a placeholder cluster, reachable while a majority of it is up)."#),
        KeySpec(#"racks"#, #"array"#, default: #"`[]`"#, allowed: #"See `network.racks[i]`. When given, every host group's racks must be declared."#,
                meaning: #"Top-of-rack switches and their uplinks to the spine."#),
        KeySpec(#"switchLatency"#, #"duration"#, default: #"`"1us"`"#, allowed: #">= 0."#, meaning: #"One switch, one way."#,
                source: #"model choice: a 10 GbE cut-through ToR is below 1 µs; store-and-forward of a 1500-byte frame at 10 Gbit/s is 1.2 µs"#),
        KeySpec(#"datacenterLinks"#, #"array"#, default: #"`[]`"#, allowed: #"See `network.datacenterLinks[i]`."#, meaning: #"Links between data centers."#),
        KeySpec(#"experiments"#, #"object"#, default: #"none"#, allowed: #"See `network.experiments`."#, meaning: #"The qperf-like runs (below)."#),
        KeySpec(#"requestSize"#, #"size"#, default: #"`"800B"`"#, allowed: #"> 0, at most 1GiB."#,
                meaning: #"One request of the platform's traffic, proxy to instance (the network cost of the traffic, below)."#,
                source: #"model choice: the 700-800 bytes of headers of a typical HTTP request (Chromium's SPDY whitepaper, www.chromium.org/spdy/spdy-whitepaper), no body"#),
        KeySpec(#"responseSize"#, #"size"#, default: #"`"8KiB"`"#, allowed: #"> 0, at most 1GiB."#,
                meaning: #"One response of the platform's traffic, instance to proxy."#,
                source: #"model choice: a small JSON or HTML document, six packets at MTU 1500"#),
    ])
}
