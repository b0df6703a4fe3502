import ClusterModel

// Declared keys of `network` (docs/network.md; see ScenarioKeys.swift): the top level of the section.
// Its sub-objects (networks[i], kvStore, racks[i], datacenterLinks[i], experiments) are declared in
// NetworkSection.swift.
extension ScenarioSchema {
    static let networkKeys = SectionKeys(#"network"#, [
        KeySpec(#"environment"#, #"string"#, default: #"`"cloud-vm"`"#, allowed: #"`"cloud-vm"` (a VM without UDP-tunnel offload, as in [N1]), `"bare-metal"` (TSO/GRO and VXLAN offload). `--set network.environment=bare-metal` switches a scenario."#,
                meaning: #"The hosts' datapath costs (Parameters, below)."#),
        KeySpec(#"mode"#, #"string"#, default: #"`"host"`"#, allowed: #"`host`, `bridge`, `overlay`, `macvlan`, `ipvlan`, `calico-bgp`, `calico-ipip`, `flannel-udp`, `flannel-vxlan`, `flannel-host-gw`, `weave-sleeve`, `weave-fastdp`."#,
                meaning: #"The mode of containers that do not choose one (Marathon `USER` networks without a name)."#),
        KeySpec(#"underlayMtu"#, #"integer"#, default: #"`1500`"#, allowed: #"576 to 65535."#, meaning: #"The NIC's (or VM NIC's) MTU."#, source: #"Ethernet's standard MTU"#),
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
