import ClusterModel
import SimKernel

// The scenario's `network` section (docs/network.md): environment, default mode, underlay MTU,
// named container networks, the overlay's KV store, racks with top-of-rack uplinks, links between
// data centers and the qperf-like experiments.

extension ScenarioSchema {
    static let networkModeNames = ContainerNetworkMode.networkModes.map(\.rawValue)
    static let experimentModeNames = ContainerNetworkMode.allCases.map(\.rawValue)

    static func networkMode(_ names: [String]) -> ValueDecoder<ContainerNetworkMode> {
        ValueDecoder<String>.oneOf(names, what: "network mode").map { s, _, _, _ in ContainerNetworkMode(rawValue: s) }
    }

    static func decodeNetwork(_ v: JSONValue, path: String, root: JSONValue, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool,
                              datacenters: [DatacenterSpec]?, hasZooKeeper: Bool, _ d: Diagnostics) -> NetworkSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: networkKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let envNames = NetworkEnvironment.allCases.map(\.rawValue)
        let environment = r.optional("environment", ValueDecoder<String>.oneOf(envNames, what: "network environment")
                                        .map { s, _, _, _ in NetworkEnvironment(rawValue: s) }, default: .cloudVM)
        let mode = r.optional("mode", networkMode(networkModeNames), default: .host)
        let underlay = r.optional("underlayMtu", .int(min: 576, max: 65535), default: 1500)
        let host = decodeHostEnvironment(r, environment: environment, d)

        // named networks
        var networks: [NamedNetworkSpec] = []
        if let nv = r.value("networks") {
            if let a = nv.arrayValue {
                for (i, e) in a.enumerated() {
                    let p = JSONPath.index(JSONPath.key(path, "networks"), i)
                    let nr = ObjectReader(e, path: p, diagnostics: d, keys: namedNetworkKeys)
                    guard nr.isObject else { continue }
                    let name = nr.required("name", .nonEmptyString, hint: "the name Marathon apps give in ipAddress.networkName")
                    let m = nr.required("mode", networkMode(networkModeNames), hint: "one of \(networkModeNames.joined(separator: ", "))")
                    let mtu = nr.optional("mtu", .int(min: 576, max: 65535))
                    if let n = name, networks.contains(where: { $0.name == n }) {
                        d.error(nr.keyPath("name"), at: e["name"], "duplicate network name \(JSONValue.quote(n)); network names must be unique")
                    }
                    if let m, let mtu, let u = underlay { checkMTU(mtu, mode: m, underlay: u, path: nr.keyPath("mtu"), at: e["mtu"], d) }
                    nr.finish()
                    if let name, let m { networks.append(NamedNetworkSpec(name: name, mode: m, mtu: mtu)) }
                }
            } else {
                d.error(JSONPath.key(path, "networks"), at: nv, typeMismatch("an array of networks, like [{\"name\": \"overlay1\", \"mode\": \"overlay\"}]", nv))
            }
        }

        // KV store
        var kvStore: KVStoreSpec? = nil
        let kvPath = r.keyPath("kvStore")
        if let kv = r.value("kvStore") {
            if let s = kv.stringValue {
                if s == "zookeeper" {
                    if hasZooKeeper { kvStore = .zookeeper }
                    else { d.error(kvPath, at: kv, "\"zookeeper\" uses the scenario's ZooKeeper ensemble, but the scenario has no \"mesos\" section (the ensemble runs with Mesos); add one, or give {\"kind\": \"consul\", \"hostGroup\": ..., \"servers\": 3}") }
                } else {
                    d.error(kvPath, at: kv, "expected \"zookeeper\" or an object {\"kind\": \"consul\" | \"etcd\" | \"zookeeper\", \"hostGroup\": ..., \"servers\": 3}, got \(kv.brief)")
                }
            } else {
                let kr = ObjectReader(kv, path: kvPath, diagnostics: d, keys: kvStoreKeys)
                if kr.isObject {
                    let kind = kr.required("kind", .oneOf(["consul", "etcd", "zookeeper"], what: "KV store kind"))
                    let group = kr.required("hostGroup", .nonEmptyString, hint: "the host group its servers run on")
                    let servers = kr.optional("servers", .int(min: 1, max: 7), default: 3)
                    kr.finish()
                    if let kind, let group, let servers {
                        if let g = hostGroups.first(where: { $0.name == group }) {
                            if servers > g.count {
                                d.error(kr.keyPath("servers"), at: kv["servers"], "\(servers) servers but host group \(JSONValue.quote(group)) has \(g.count) host\(g.count == 1 ? "" : "s")",
                                        defaulted: AppliedDefault(key: kr.keyPath("servers"), value: "\(servers)", setBy: ValueSite(path: kvPath, value: kv)),
                                        conflictsWith: d.site(in: "hostGroups", named: group, key: "count", role: "the host group's count"))
                            } else {
                                kvStore = .servers(kind: kind, hosts: (0..<servers).map { g.hostName($0) })
                            }
                        } else if hostGroupsComplete {
                            let names = hostGroups.map(\.name)
                            d.error(kr.keyPath("hostGroup"), at: kv["hostGroup"], "unknown host group \(JSONValue.quote(group))\(Suggest.didYouMean(group, among: names)); host groups: \(Suggest.listed(names))")
                        }
                    }
                }
            }
        }

        // racks
        var racks: [RackSpec] = []
        if let rv = r.value("racks") {
            if let a = rv.arrayValue {
                for (i, e) in a.enumerated() {
                    let p = JSONPath.index(JSONPath.key(path, "racks"), i)
                    let rr = ObjectReader(e, path: p, diagnostics: d, keys: rackKeys)
                    guard rr.isObject else { continue }
                    let name = rr.required("name", .nonEmptyString)
                    let uplink = rr.optional("uplink", .rate(.positive))
                    rr.finish()
                    if let n = name, racks.contains(where: { $0.name == n }) {
                        d.error(rr.keyPath("name"), at: e["name"], "duplicate rack \(JSONValue.quote(n))")
                    } else if let name { racks.append(RackSpec(name: name, uplinkBitsPerSecond: uplink)) }
                }
                // every host group's racks must be declared
                let names = racks.map(\.name)
                if !names.isEmpty {
                    for (gi, g) in hostGroups.enumerated() {
                        let gv = root["hostGroups"]?.arrayValue?.first(where: { $0["name"]?.stringValue == g.name })
                        for (ri, rack) in g.racks.enumerated() where !names.contains(rack) {
                            let gp = JSONPath.index("hostGroups", root["hostGroups"]?.arrayValue?.firstIndex(where: { $0["name"]?.stringValue == g.name }) ?? gi)
                            let (rp, at): (String, JSONValue?) = gv?["rack"] != nil ? (JSONPath.key(gp, "rack"), gv?["rack"])
                                : gv?["racks"] != nil ? (JSONPath.index(JSONPath.key(gp, "racks"), ri), gv?["racks"]?.arrayValue?[ri]) : (gp, gv)
                            d.error(rp, at: at, "rack \(JSONValue.quote(rack)) of host group \(JSONValue.quote(g.name)) does not exist: it is not declared in network.racks\(gv?["rack"] == nil && gv?["racks"] == nil ? " (it is the default rack: the group gives neither \"rack\" nor \"racks\")" : Suggest.didYouMean(rack, among: names)); declared racks: \(Suggest.listed(names))")
                        }
                    }
                }
            } else {
                d.error(JSONPath.key(path, "racks"), at: rv, typeMismatch("an array of racks, like [{\"name\": \"rack-01\", \"uplink\": \"40Gbit\"}]", rv))
            }
        }

        let switchLatency = r.optional("switchLatency", .duration(.nonNegative), default: SimDuration(nanoseconds: 1_000))
        func messageSize(_ key: String, default value: Int64) -> Int64? {
            guard let x = r.optional(key, .size(.positive), default: value) else { return nil }
            if x > NetworkSpec.maxMessageBytes {
                d.error(r.keyPath(key), at: r.value[key], "\(r.value[key]?.brief ?? String(x)) is too large: one message of the platform's traffic is at most 1GiB")
                return nil
            }
            return x
        }
        let requestBytes = messageSize("requestSize", default: NetworkSpec.defaultRequestBytes)
        let responseBytes = messageSize("responseSize", default: NetworkSpec.defaultResponseBytes)

        // data-center links
        var links: [DatacenterLinkSpec] = []
        var knownDCs: [String] = datacenters?.map(\.name) ?? []
        for g in hostGroups where !knownDCs.contains(g.datacenter) { knownDCs.append(g.datacenter) }
        if let lv = r.value("datacenterLinks") {
            if let a = lv.arrayValue {
                for (i, e) in a.enumerated() {
                    let p = JSONPath.index(JSONPath.key(path, "datacenterLinks"), i)
                    let lr = ObjectReader(e, path: p, diagnostics: d, keys: datacenterLinkKeys)
                    guard lr.isObject else { continue }
                    let between = lr.required("between", .array(of: .nonEmptyString), hint: "the two data centers, like [\"dc01\", \"dc02\"]")
                    let latency = lr.required("latency", .duration(.nonNegative), hint: "one-way latency, like \"1ms\"")
                    let bw = lr.required("bandwidth", .rate(.positive), hint: "like \"10Gbit\"")
                    lr.finish()
                    guard let between else { continue }
                    if between.count != 2 || between[0] == between[1] {
                        d.error(lr.keyPath("between"), at: e["between"], "expected two different data centers, got \(e["between"]?.brief ?? "")"); continue
                    }
                    var ok = true
                    for (j, dc) in between.enumerated() where !knownDCs.contains(dc) && (datacenters != nil || hostGroupsComplete) {
                        ok = false
                        d.error(JSONPath.index(lr.keyPath("between"), j), at: e["between"]?.arrayValue?[j], "data center \(JSONValue.quote(dc)) does not exist\(Suggest.didYouMean(dc, among: knownDCs)); data centers: \(Suggest.listed(knownDCs))")
                    }
                    if ok, let latency, let bw { links.append(DatacenterLinkSpec(a: between[0], b: between[1], latency: latency, bitsPerSecond: bw)) }
                }
            } else {
                d.error(JSONPath.key(path, "datacenterLinks"), at: lv, typeMismatch("an array of links", lv))
            }
        }

        // experiments
        let experiments = r.optional("experiments", ValueDecoder<NetworkExperimentsSpec>.object(keys: experimentsKeys) { er in
            let modes = er.optional("modes", .array(of: networkMode(experimentModeNames), nonEmpty: true), default: ContainerNetworkMode.allCases)
            let hosts = HostDirectory(groups: hostGroups.map { ($0.name, $0.count) }, complete: hostGroupsComplete)
            let hostName = ValueDecoder<String>.nonEmptyString.check { h in hostGroupsComplete ? hosts.problem(with: h) : nil }
            let from = er.required("from", hostName, hint: "the client host, like \"slave-01\"")
            let to = er.required("to", hostName, hint: "the server host, like \"slave-02\"")
            let sizes = er.optional("messageSizes", .array(of: .size(.positive), nonEmpty: true), default: NetworkExperimentsSpec.qperfSizes)
            let testTime = er.optional("testTime", .duration(.positive), default: .seconds(2))
            let flows = er.optional("flows", .int(min: 0, max: 10000), default: 8)
            let conns = er.optional("connections", .int(min: 0, max: 100000), default: 0)
            if let from, let to, from == to {
                d.error(er.keyPath("to"), at: er.value["to"], "\"from\" and \"to\" are the same host; the experiments measure between two hosts (docker-proxy is measured on \"to\" by itself)")
                return nil
            }
            guard let modes, let from, let to, let sizes, let testTime, let flows, let conns else { return nil }
            return NetworkExperimentsSpec(modes: modes, from: from, to: to, messageSizes: sizes, testTime: testTime, flows: flows, connections: conns)
        })
        r.finish()

        // overlay needs a KV store
        if kvStore == nil && !r.has("kvStore") {
            var users: [String] = []
            if mode == .overlay { users.append("network.mode") }
            for (i, n) in networks.enumerated() where n.mode == .overlay { users.append("network.networks[\(i)]") }
            if experiments?.modes.contains(.overlay) == true { users.append("network.experiments.modes") }
            if let first = users.first {
                d.error(kvPath, at: v, "the overlay mode (\(first)) needs a KV store, and \"kvStore\" is missing: Docker's overlay driver keeps its networks and endpoints in ZooKeeper, Consul or etcd (dockerd --cluster-store); give \"zookeeper\" (the scenario's ensemble) or {\"kind\": \"consul\", \"hostGroup\": ..., \"servers\": 3}")
            }
        }

        // modes the kernel cannot run (Cilium below 4.9; Calico eBPF falls back instead)
        if let environment, let host {
            let kernel = host.kernel ?? EnvironmentParameters.of(environment).kernel
            var uses: [(ContainerNetworkMode, String, JSONValue?)] = []
            if let mode { uses.append((mode, r.keyPath("mode"), v["mode"])) }
            for (i, n) in networks.enumerated() {
                uses.append((n.mode, JSONPath.key(JSONPath.index(JSONPath.key(path, "networks"), i), "mode"), v["networks"]?.arrayValue?[i]["mode"]))
            }
            for (i, m) in ((experiments ?? nil)?.modes ?? []).enumerated() {
                uses.append((m, JSONPath.index(JSONPath.key(JSONPath.key(path, "experiments"), "modes"), i), v["experiments"]?["modes"]?.arrayValue?[i]))
            }
            for (m, p, at) in uses {
                if let min = Datapath.minimumKernel(m), kernel < min, Datapath.effectiveMode(m, kernel: kernel) == m {
                    d.error(p, at: at, "mode \(JSONValue.quote(m.rawValue)) needs Linux \(min) or later (its eBPF datapath), but the hosts run \(kernel)\(host.kernel == nil ? " (the \(environment.rawValue) environment's kernel)" : " (network.kernel)"); raise network.kernel or choose another mode")
                }
            }
        }

        guard d.errorCount == before, let environment, let mode, let underlay, let switchLatency, let requestBytes,
              let responseBytes, let host else { return nil }
        return NetworkSpec(environment: environment, mode: mode, underlayMTU: underlay, networks: networks, kvStore: kvStore,
                           racks: racks, switchLatency: switchLatency, datacenterLinks: links, experiments: experiments ?? nil,
                           requestBytes: requestBytes, responseBytes: responseBytes, host: host)
    }

    /// The hosts' clock, kernel, bonding, service proxying and NIC tunnel offload (`network.cpuClock` ... `network.nicTunnelOffload`).
    static func decodeHostEnvironment(_ r: ObjectReader, environment: NetworkEnvironment?, _ d: Diagnostics) -> HostEnvironmentSpec? {
        let clock = r.optional("cpuClock", ValueDecoder<Double>.number(atLeast: 0.5, atMost: 6))
        // a release is a string: as a JSON number 5.10 would be 5.1 (and --set network.kernel=5.15 gives a number)
        let release = ValueDecoder<String> { v, p, d in
            if let s = v.stringValue { return s }
            if v.numberValue != nil {
                d.error(p, at: v, "expected a kernel release as a string like \"5.10\" (as a number 5.10 would be 5.1; on the command line --set 'network.kernel=\"5.10\"'), got \(v.brief)")
            } else {
                d.error(p, at: v, typeMismatch("a string", v))
            }
            return nil
        }
        let kernel = r.optional("kernel", release.map { s, v, p, d -> KernelVersion? in
            guard let k = KernelVersion(s), k >= KernelVersion(2, 6) else {
                d.error(p, at: v, "expected a kernel release like \"4.15\" or \"5.4.0-42-generic\" (major.minor, 2.6 or later), got \(v.brief)"); return nil
            }
            return k
        })
        let bonding = r.optional("bonding", ValueDecoder<String>.oneOf(BondingMode.allCases.map(\.rawValue), what: "bonding mode")
                                    .map { s, _, _, _ in BondingMode(rawValue: s) }, default: BondingMode.none)
        let links = r.optional("bondLinks", .int(min: 1, max: 8), default: 1)
        let proxy = r.optional("serviceProxy", ValueDecoder<String>.oneOf(ServiceProxyMode.allCases.map(\.rawValue), what: "service proxy")
                                  .map { s, _, _, _ in ServiceProxyMode(rawValue: s) }, default: ServiceProxyMode.none)
        let services = r.optional("services", .int(min: 1, max: 100000), default: 100)
        let hostRouting = r.optional("ebpfHostRouting", .bool, default: true)
        let kubeProxyReplacement = r.optional("kubeProxyReplacement", .bool, default: true)
        let tunnelOffload = r.optional("nicTunnelOffload", .bool)
        if let bonding, let links {
            if bonding == .none && links != 1 {
                d.error(r.keyPath("bondLinks"), at: r.value["bondLinks"], "\(links) bond links but network.bonding is \"none\"; give \"bonding\": \"802.3ad\" or \"active-backup\", or leave bondLinks at 1")
            } else if bonding != .none && links < 2 {
                d.error(r.keyPath("bondLinks"), at: r.value["bondLinks"] ?? r.value["bonding"], "a \(bonding.rawValue) bond needs 2 to 8 ports in \"bondLinks\", got \(links)")
            }
        }
        guard let bonding, let links, let proxy, let services, let hostRouting, let kubeProxyReplacement,
              r.value["kernel"] == nil || kernel != nil, r.value["nicTunnelOffload"] == nil || tunnelOffload != nil else { return nil }
        return HostEnvironmentSpec(cpuClockGHz: clock, kernel: kernel ?? nil, bonding: bonding, bondLinks: links, serviceProxy: proxy, services: services,
                                   ebpfHostRouting: hostRouting, kubeProxyReplacement: kubeProxyReplacement, nicTunnelOffload: tunnelOffload)
    }

    /// An MTU larger than the underlay can carry with the mode's encapsulation is an error (its
    /// packets would be dropped or fragmented: "small requests work, large hang" [L5]).
    static func checkMTU(_ mtu: Int, mode: ContainerNetworkMode, underlay: Int, path: String, at: JSONValue?, _ d: Diagnostics) {
        let maxMTU = Datapath.maxMTU(mode, underlay: underlay)
        guard mtu > maxMTU else { return }
        let enc = Datapath.profile(mode)
        d.error(path, at: at, "MTU \(mtu) is larger than the underlay MTU \(underlay) allows for mode \(JSONValue.quote(mode.rawValue)) with its \(enc.encapBytes)-byte \(enc.encapsulation.rawValue) encapsulation; it must be at most \(maxMTU) (packets above it would be dropped or fragmented)")
    }
}

// MARK: declared keys of the sub-objects (docs/network.md; the top level is in ScenarioKeys+Network.swift)

extension ScenarioSchema {
    static let namedNetworkKeys = SectionKeys("network.networks[i]", [
        KeySpec("name", "string", default: "required", allowed: "Non-empty, unique.", meaning: "The name Marathon apps give in `ipAddress.networkName` (or `networks[].name`)."),
        KeySpec("mode", "string", default: "required", allowed: networkModeList + ".",
                meaning: "The network's mode (table below)."),
        KeySpec("mtu", "integer", default: "the mode's default MTU (table below)", allowed: "576 to 65535, and at most the underlay MTU minus the mode's encapsulation (error otherwise).",
                meaning: "The containers' MTU on this network."),
    ])

    static let kvStoreKeys = SectionKeys("network.kvStore", [
        KeySpec("kind", "string", default: "required", allowed: "`\"consul\"`, `\"etcd\"` or `\"zookeeper\"`.",
                meaning: "The KV store Docker's overlay driver keeps its networks and endpoints in (dockerd `--cluster-store`). The string `\"zookeeper\"` instead of the object uses the scenario's ensemble (needs `mesos`)."),
        KeySpec("hostGroup", "string", default: "required", allowed: "An existing host group.", meaning: "Its servers run on the group's first hosts."),
        KeySpec("servers", "integer", default: "`3`", allowed: "1 to 7, at most the hosts of `hostGroup` (error otherwise).",
                meaning: "Servers of the placeholder cluster; it is reachable while a majority of them is up.", source: "model choice: the smallest cluster that survives a failure"),
    ])

    static let rackKeys = SectionKeys("network.racks[i]", [
        KeySpec("name", "string", default: "required", allowed: "Non-empty, unique; every host group's racks must be declared.", meaning: "The top-of-rack switch (host groups name it in `rack` / `racks`)."),
        KeySpec("uplink", "rate", default: "none (non-blocking)", allowed: "> 0.", meaning: "The rack's uplink rate to the spine."),
    ])

    static let datacenterLinkKeys = SectionKeys("network.datacenterLinks[i]", [
        KeySpec("between", "array of strings", default: "required", allowed: "Two different existing data centers.", meaning: "The data centers the link joins."),
        KeySpec("latency", "duration", default: "required", allowed: ">= 0.", meaning: "One-way latency."),
        KeySpec("bandwidth", "rate", default: "required", allowed: "> 0.", meaning: "The link's rate."),
    ])

    static let experimentsKeys = SectionKeys("network.experiments", [
        KeySpec("modes", "array of strings", default: "every mode, plus `docker-proxy`", allowed: "Non-empty; the modes of `network.networks[i].mode` and `docker-proxy`.",
                meaning: "The modes measured (`docker-proxy` is measured on `to` by itself)."),
        KeySpec("from", "string", default: "required", allowed: "An existing host, not `to`.", meaning: "The client host."),
        KeySpec("to", "string", default: "required", allowed: "An existing host, not `from`.", meaning: "The server host."),
        KeySpec("messageSizes", "array of sizes", default: "1 B to 64 KiB, doubling", allowed: "Non-empty; each > 0.", meaning: "Message sizes of the latency and bandwidth runs.",
                source: "qperf `-oo msg_size:1:64K:*2`"),
        KeySpec("testTime", "duration", default: "`\"2s\"`", allowed: "> 0.", meaning: "How long each bandwidth test runs.", source: "qperf's default `-t 2`"),
        KeySpec("flows", "integer", default: "`8`", allowed: "0 to 10000.", meaning: "Parallel flows of the multi-flow run and parallel streams of the rr and crr runs (0: none of them).", source: "model choice"),
        KeySpec("connections", "integer", default: "`0`", allowed: "0 to 100000.", meaning: "Concurrent new connections of the connection-burst run (0: none)."),
    ])
}
