import ClusterModel

// Declared keys of `network` (docs/network.md; see ScenarioKeys.swift): the top level of the section;
// its sub-objects (networks[i], kvStore, racks[i], datacenterLinks[i], experiments) are described in the table.
extension ScenarioSchema {
    static let networkKeys = SectionKeys(#"network"#, [
        KeySpec(#"environment"#, #"string"#, default: #"`"cloud-vm"`"#, allowed: #"`"cloud-vm"` (a VM without UDP-tunnel offload, as in [N1]), `"bare-metal"` (TSO/GRO and VXLAN offload). `--set network.environment=bare-metal` switches a scenario."#),
        KeySpec(#"mode"#, #"string"#, default: #"`"host"`"#, allowed: #"The mode of containers that do not choose one (Marathon `USER` networks without a name): `host`, `bridge`, `overlay`, `macvlan`, `ipvlan`, `calico-bgp`, `calico-ipip`, `flannel-udp`, `flannel-vxlan`, `flannel-host-gw`, `weave-sleeve`, `weave-fastdp`."#),
        KeySpec(#"underlayMtu"#, #"integer"#, default: #"`1500`"#, allowed: #"576 to 65535: the NIC's (or VM NIC's) MTU."#),
        KeySpec(#"networks"#, #"array"#, default: #"`[]`"#, allowed: #"Named container networks `{"name", "mode", "mtu"}` that Marathon apps name in `ipAddress.networkName`. `mtu` (default: the mode's default below) must fit the underlay with the mode's encapsulation."#),
        KeySpec(#"kvStore"#, #"string or object"#, default: #"none"#, allowed: #"`"zookeeper"` (the scenario's ensemble; needs `mesos`) or `{"kind": "consul" \| "etcd" \| "zookeeper", "hostGroup", "servers": 3}` (a placeholder cluster on the group's first hosts, reachable while a majority of them is up). Required when any network, the default mode or the experiments use `overlay`."#),
        KeySpec(#"racks"#, #"array"#, default: #"`[]`"#, allowed: #"`{"name", "uplink"}`: a top-of-rack switch and its uplink rate to the spine (absent: non-blocking). When given, every host group's racks must be declared."#),
        KeySpec(#"switchLatency"#, #"duration"#, default: #"`"1us"`"#, allowed: #"One switch, one way (a 10 GbE cut-through ToR is below 1 µs; store-and-forward of a 1500-byte frame at 10 Gbit/s is 1.2 µs)."#),
        KeySpec(#"datacenterLinks"#, #"array"#, default: #"`[]`"#, allowed: #"`{"between": [dc, dc], "latency", "bandwidth"}`; the data centers must exist."#),
        KeySpec(#"experiments"#, #"object"#, default: #"none"#, allowed: #"The qperf-like runs (below): `modes` (default all, plus `docker-proxy`), `from`, `to` (host names), `messageSizes` (default 1 B to 64 KiB, doubling), `testTime` (`"2s"`, qperf's default), `flows` (8), `connections` (0)."#),
    ])
}
