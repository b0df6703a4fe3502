import ClusterModel
import SimKernel

// The scenario schema: JSON (after includes and overrides) -> ClusterSpec, strictly, collecting
// every error. Each section is one function over an ObjectReader; a later section is one more
// `r.optional("marathon", ...)` line in `decodeScenario` plus its own function.

public enum ScenarioSchema {
    /// Default host group datacenter when none is declared.
    public static let defaultDatacenter = "dc01"
    /// Default rack when neither the group nor its datacenter names racks.
    public static let defaultRack = "rack-01"
    /// Default NIC rate: 1 Gbit/s.
    public static let defaultNicBitsPerSecond: Int64 = 1_000_000_000
    /// Upper bound on a host group's count (a guard against typos such as 4000000).
    public static let maxHostGroupCount = 100_000

    // Limits on the work a scenario asks for (docs/scenarios.md, "Limits"): refused at validation
    // with the key and the limit, instead of running until killed.

    /// Hosts of all groups together.
    public static let maxTotalHosts = 100_000
    /// CPUs of one host. Mesos keeps scalars as llround(x * 1000) in a 64-bit integer
    /// (apache/mesos src/common/values.cpp), undefined past 9.2e15; a million cores per host keeps
    /// the sum over every host exact.
    public static let maxHostCpus = 1_000_000.0
    /// The shortest sampleInterval: 1ms (the timeline is for minutes to days; a finer clock shows nothing).
    public static let minSampleInterval = SimDuration.milliseconds(1)
    /// Timeline samples in a run (duration / sampleInterval): rows of timeline.csv.
    public static let maxSamples: Int64 = 10_000_000
    /// Hosts x samples: rows of hosts.csv (one row per host and sample, ~60 bytes each: ~6 GB).
    public static let maxHostSamples: Int64 = 100_000_000
    /// Hosts x simulated hours. The 1,000-agent platform benchmark (docs/benchmarks.md) costs
    /// ~2,000 events per agent-hour at ~300,000 events/s: a million host-hours is ~2e9 events,
    /// about two hours of wall time.
    public static let maxHostHours: Int64 = 1_000_000

    /// Decodes a whole scenario. Nil when anything is wrong (then `diagnostics` has errors).
    public static func decodeClusterSpec(_ root: JSONValue, diagnostics d: Diagnostics) -> ClusterSpec? {
        let before = d.errorCount
        let r = ObjectReader(root, path: "", diagnostics: d, keys: topLevelKeys)
        guard r.isObject else { return nil }

        let name = r.required("name", scenarioName, hint: "names the results folder; letters, digits, '.', '_' and '-'")
        let description = r.optional("description", .string, default: "")
        let seed = r.optional("seed", .uint64, default: 1)
        let duration = r.required("duration", .duration(.positive), hint: "how much time to simulate, a Go duration like \"2h\"")
        let sampleInterval = r.optional("sampleInterval", ValueDecoder<SimDuration>.duration(.positive).check {
            $0 < minSampleInterval ? "must be at least \(minSampleInterval) (the shortest sample interval the simulator writes), got \($0)" : nil }, default: .seconds(15))
        if let si = sampleInterval, let dur = duration, si > dur {
            let v = r.value["sampleInterval"]
            d.error("sampleInterval", at: v ?? r.value["duration"],
                    "sampleInterval \(si)\(v == nil ? " (the default)" : "") is longer than the scenario duration \(dur); it must be > 0 and <= duration")
        }

        // datacenters: nil when the section is wrong (then references to it are not checked)
        var datacenters: [DatacenterSpec]? = []
        if let v = r.value("datacenters") {
            datacenters = decodeDatacenters(v, path: "datacenters", d)
        }

        var groups: [HostGroupSpec] = []
        var groupsComplete = true   // false when some group's name or count is unknown
        var groupIndex: [(name: String, count: Int)] = []
        if let v = r.value("hostGroups") {
            if let a = v.arrayValue, a.isEmpty {
                d.error("hostGroups", at: v, "must not be empty; a scenario needs at least one host group, like {\"name\": \"slave\", \"count\": 10, \"cpus\": 8, \"memory\": \"32GiB\", \"disk\": \"500GB\"}")
                groupsComplete = false
            } else if let a = v.arrayValue {
                var seen: [String: String] = [:]   // name -> path of first use (looked up, never iterated)
                for (i, e) in a.enumerated() {
                    let p = JSONPath.index("hostGroups", i)
                    let g = decodeHostGroup(e, path: p, datacenters: datacenters, d)
                    if let n = g.name {
                        if let first = seen[n] {
                            d.error(JSONPath.key(p, "name"), at: e["name"], "duplicate host group name \(JSONValue.quote(n)) (also used by \(first)); host group names must be unique")
                        } else {
                            seen[n] = p
                            if let c = g.count { groupIndex.append((n, c)) } else { groupsComplete = false }
                        }
                    } else { groupsComplete = false }
                    if let s = g.spec { groups.append(s) }
                }
            } else {
                d.error("hostGroups", at: v, typeMismatch("an array of host groups", v))
                groupsComplete = false
            }
        } else {
            d.error("hostGroups", at: root, "missing required key \"hostGroups\" (an array of host groups, like [{\"name\": \"slave\", \"count\": 10, \"cpus\": 8, \"memory\": \"32GiB\", \"disk\": \"500GB\"}])")
            groupsComplete = false
        }

        let totalsOK = groupsComplete && checkTotals(groups, r.value["hostGroups"], d)
        checkWork(r, hosts: totalsOK ? groups.reduce(0) { $0 + $1.count } : nil, duration: duration, sampleInterval: sampleInterval, d)

        let (zookeeper, mesos) = decodeMesosSections(r, hostGroups: groups, hostGroupsComplete: groupsComplete, d)
        // The agents' --attributes (mesos.agents.flags or flagsFrom) describe the agents of every agent
        // group that gives no `attributes` of its own (a group's own attributes are its hosts' flags).
        if let attrs = mesos?.agentFlags.attributes {
            let masterGroup = mesos?.masterHostGroup ?? (groups.contains { $0.name == "master" } ? "master" : groups.first?.name)
            let agentGroups = mesos?.agentHostGroups ?? groups.map(\.name).filter { $0 != masterGroup }
            for i in groups.indices where agentGroups.contains(groups[i].name) && groups[i].attributes.isEmpty { groups[i].attributes = attrs }
        }
        var appSources: [AppSource] = []
        let marathon = r.value("marathon").flatMap { decodeMarathon($0, path: "marathon", hostGroups: groups, hostGroupsComplete: groupsComplete,
                                                                    mesosVersion: mesos?.version ?? .baseline, d,
                                                                    sources: { appSources.append($0) }) }
        checkMarathonDatacenters(marathon, value: r.value("marathon"), hostGroups: groups, hostGroupsComplete: groupsComplete,
                                 mesos: mesos, has: { r.has($0) }, d)
        // (`r.has` inside, after "actions" is read: the allowed keys are listed in the order they are read)
        let lbActionLabels = MarathonLBActionLabels()
        let actions = r.value("actions").map { decodeActions($0, path: "actions", marathon: marathon, marathonGiven: r.has("marathon"),
                                                               marathonLB: r.has("marathonLB") ? lbActionLabels : nil,
                                                               sources: appSources, duration: duration, mesosVersion: mesos?.version ?? .baseline, d) } ?? []
        // (the raw member: `r.has` would count "consul" as read here, out of the section order)
        if r.value["consul"] == nil, let v = r.value("actions"), let i = actions.firstIndex(where: { if case .consulKV = $0.kind { return true } else { return false } }) {
            d.error(JSONPath.index("actions", i), at: v, "a consulKV action changes Consul's KV store: the scenario needs a \"consul\" section")
        }
        if let v = r.value["actions"], let i = actions.firstIndex(where: {
            switch $0.kind { case .vaultWrite, .vaultUnseal: return true; default: return false }
        }), r.value["consulTemplate"]?["vaultServer"] == nil {
            let what = actions[i].kind.isVaultUnseal ? "a vaultUnseal action unseals the modelled Vault server" : "a vaultWrite action changes a secret of the modelled Vault server"
            d.error(JSONPath.key(JSONPath.index("actions", i), "kind"), at: v, what + ": the scenario needs \"consulTemplate.vaultServer\"")
        }
        let storage = r.value("storage").flatMap { decodeStorage($0, path: "storage", hostGroups: groups, hostGroupsComplete: groupsComplete, duration: duration, d) }
        var faults: [FaultSpec] = []
        if let v = r.value("faults") {
            if let a = v.arrayValue {
                var hosts = HostDirectory(groups: groupIndex, complete: groupsComplete)
                for rack in groups.flatMap(\.racks) where !hosts.racks.contains(rack) { hosts.racks.append(rack) }
                for (i, e) in a.enumerated() {
                    if let f = decodeFault(e, path: JSONPath.index("faults", i), hosts: hosts, duration: duration, mesos: mesos, zookeeper: zookeeper, mesosSectionGiven: r.has("mesos") || r.has("marathon"), hasSection: { r.has($0) }, d) {
                        faults.append(f)
                    }
                }
            } else {
                d.error("faults", at: v, typeMismatch("an array of faults", v))
            }
        }
        let network = r.value("network").flatMap { decodeNetwork($0, path: "network", root: root, hostGroups: groups, hostGroupsComplete: groupsComplete, datacenters: datacenters, hasZooKeeper: mesos != nil, d) }
        checkCephClients(root, storage: storage, networkGiven: r.has("network"), d)
        checkSandboxLogs(root, d)
        checkDockerLogParameters(root, storage: storage, d)

        let consul = r.value("consul").flatMap { decodeConsul($0, path: "consul", hostGroups: groups, hostGroupsComplete: groupsComplete, mesos: mesos, marathon: marathon, d) }
        checkConsulCheckUpdates(r.value["actions"], consul: consul, consulGiven: r.value["consul"] != nil, apps: marathon?.apps ?? [],
                                hosts: HostDirectory(groups: groupIndex, complete: groupsComplete), d)

        let nginx = r.value("nginx").flatMap { decodeNginx($0, path: "nginx", hostGroups: groups, hostGroupsComplete: groupsComplete, d) }

        let consulTemplate = r.value("consulTemplate").flatMap { decodeConsulTemplate($0, path: "consulTemplate", consul: consul, nginx: nginx, consulGiven: r.has("consul"), nginxGiven: r.has("nginx"), apps: marathon?.apps ?? [], hostGroups: groups, hostGroupsComplete: groupsComplete, d) }

        let marathonLB = r.value("marathonLB").flatMap { decodeMarathonLB($0, path: "marathonLB", hostGroups: groups, hostGroupsComplete: groupsComplete, marathon: marathon, duration: duration, d) }
        if let lb = marathonLB { lbActionLabels.check(release: lb.version, d) }

        let traffic = r.value("traffic").flatMap { decodeTraffic($0, path: "traffic", marathon: marathon, nginx: nginx, marathonLB: marathonLB, duration: duration, d) }

        let autoscale = r.value("autoscale").flatMap { decodeAutoscale($0, path: "autoscale", hostGroups: groups, hostGroupsComplete: groupsComplete, marathon: marathon, d) }

        let alertmanager = r.value("alertmanager").flatMap { decodeAlertmanager($0, path: "alertmanager", hostGroups: groups, hostGroupsComplete: groupsComplete, duration: duration, d) }

        let prometheus = r.value("prometheus").flatMap { decodePrometheus($0, path: "prometheus", hostGroups: groups, hostGroupsComplete: groupsComplete, alertmanager: alertmanager, d) }

        let fidelity = r.value("fidelity").flatMap { decodeFidelity($0, path: "fidelity", d) }

        let chronos = r.value("chronos").flatMap { decodeChronos($0, path: "chronos", hostGroups: groups, hostGroupsComplete: groupsComplete,
                                                                   mesos: mesos, mesosGiven: r.has("mesos") || r.has("marathon"), d) }
        let harbor = r.value("harbor").flatMap { decodeHarbor($0, path: "harbor", hostGroups: groups, hostGroupsComplete: groupsComplete, storage: storage, duration: duration, d) }
        let jenkins = r.value("jenkins").flatMap { decodeJenkins($0, path: "jenkins", hostGroups: groups, hostGroupsComplete: groupsComplete, harbor: harbor, harborGiven: r.has("harbor"),
                                                                  marathon: marathon, marathonGiven: r.has("marathon"), duration: duration, d) }
        if let h = harbor { checkHarborImages(harbor: h, marathon: marathon, jenkins: jenkins, d, at: r.value("marathon")) }

        r.finish()

        guard d.errorCount == before, let name, let description, let seed, let duration, let sampleInterval,
              let datacenters else { return nil }
        var spec = ClusterSpec(name: name, description: description, seed: seed, duration: duration,
                               sampleInterval: sampleInterval, datacenters: datacenters, hostGroups: groups, faults: faults,
                               zookeeper: zookeeper, mesos: mesos, marathon: marathon)
        spec.actions = actions
        spec.storage = storage
        spec.network = network
        spec.consul = consul
        spec.nginx = nginx
        spec.consulTemplate = consulTemplate
        spec.traffic = traffic
        spec.marathonLB = marathonLB
        spec.autoscale = autoscale
        spec.alertmanager = alertmanager
        spec.prometheus = prometheus
        spec.chronos = chronos
        if let fidelity { spec.fidelity = fidelity }
        spec.harbor = harbor
        spec.jenkins = jenkins
        return spec
    }

    /// Hosts, memory and disk summed over every host group, with overflow-checked arithmetic: the
    /// model keeps these totals (Infrastructure) and they must fit.
    /// False when the hosts are too many (then the work checks that count hosts are skipped).
    @discardableResult
    static func checkTotals(_ groups: [HostGroupSpec], _ v: JSONValue?, _ d: Diagnostics) -> Bool {
        var hosts = 0
        var memory: Int64 = 0, disk: Int64 = 0
        var memoryOK = true, diskOK = true
        for (i, g) in groups.enumerated() {
            let p = JSONPath.index("hostGroups", i)
            let e = v?.arrayValue?[i]
            hosts += g.count
            if hosts > maxTotalHosts {
                d.error(JSONPath.key(p, "count"), at: e?["count"], "the host groups add up to \(hosts) hosts, more than the \(maxTotalHosts) hosts a scenario may have (see Limits in docs/scenarios.md)")
                return false
            }
            let c = Int64(g.count)
            if memoryOK {
                let (m, o1) = g.memoryBytes.multipliedReportingOverflow(by: c)
                let (t, o2) = memory.addingReportingOverflow(m)
                if o1 || o2 {
                    memoryOK = false
                    d.error(JSONPath.key(p, "memory"), at: e?["memory"], "the memory of all hosts adds up to more than \(Int64.max) bytes (8 EiB), which the simulator cannot count; lower memory or count")
                } else { memory = t }
            }
            if diskOK {
                let (m, o1) = g.diskBytes.multipliedReportingOverflow(by: c)
                let (t, o2) = disk.addingReportingOverflow(m)
                if o1 || o2 {
                    diskOK = false
                    d.error(JSONPath.key(p, "disk"), at: e?["disk"], "the disks of all hosts add up to more than \(Int64.max) bytes (8 EiB), which the simulator cannot count; lower disk or count")
                } else { disk = t }
            }
        }
        return true
    }

    /// Work far beyond the machine is refused here, naming the key and the limit.
    static func checkWork(_ r: ObjectReader, hosts: Int?, duration: SimDuration?, sampleInterval: SimDuration?, _ d: Diagnostics) {
        guard let duration else { return }
        let durationValue = r.value["duration"]
        if let si = sampleInterval, si > .zero {
            let samples = duration.nanoseconds / si.nanoseconds
            let at = r.value["sampleInterval"] ?? durationValue
            if samples > maxSamples {
                d.error(r.value["sampleInterval"] != nil ? "sampleInterval" : "duration", at: at,
                        "duration \(duration) / sampleInterval \(si) is \(samples) samples, more than the \(maxSamples) a run may write (see Limits in docs/scenarios.md); use a longer sampleInterval")
                return
            }
            if let hosts, samples * Int64(hosts) > maxHostSamples {
                d.error(r.value["sampleInterval"] != nil ? "sampleInterval" : "duration", at: at,
                        "\(hosts) hosts x \(samples) samples (duration \(duration) / sampleInterval \(si)) is \(samples * Int64(hosts)) rows of hosts.csv, more than \(maxHostSamples) (see Limits in docs/scenarios.md); use a longer sampleInterval")
                return
            }
        }
        if let hosts {
            let hours = (duration.nanoseconds + SimDuration.hour.nanoseconds - 1) / SimDuration.hour.nanoseconds
            let (hh, o) = hours.multipliedReportingOverflow(by: Int64(hosts))
            if o || hh > maxHostHours {
                d.error("duration", at: durationValue,
                        "\(hosts) hosts for \(duration) is \(o ? "too many" : String(hh)) host-hours, more than the \(maxHostHours) a run may simulate (about 2e9 events; see Limits in docs/scenarios.md); shorten duration or use fewer hosts")
            }
        }
    }

    /// Ceph clients need a Ceph cluster and its PG placement, which comes with the flow model (a
    /// `network` section): a `cephMount` without `storage.ceph`, or a mount or `storage.ceph.registry`
    /// without `network`, is an error.
    static func checkCephClients(_ root: JSONValue, storage: StorageSpec?, networkGiven: Bool, _ d: Diagnostics) {
        let cephGiven = root["storage"]?["ceph"] != nil
        if let members = root["marathon"]?["behaviour"]?.objectMembers {
            for m in members {
                guard let cm = m.value["cephMount"] else { continue }
                let p = JSONPath.key(JSONPath.key(JSONPath.key("marathon", "behaviour"), m.key), "cephMount")
                if !cephGiven {
                    d.error(p, at: cm, "a Ceph mount needs a Ceph cluster: add a \"storage.ceph\" section (like {\"osdHostGroup\": \"ceph\"})")
                } else if !networkGiven {
                    d.error(p, at: cm, "a Ceph mount needs the placement of PGs, which comes with the network model: add a \"network\" section (like {\"environment\": \"bare-metal\", \"mode\": \"host\"})")
                }
            }
        }
        if let wv = root["storage"]?["ceph"]?["clientWriteRate"], !networkGiven, (storage?.ceph?.clientWriteBytesPerSecond ?? 0) > 0 {
            d.error(JSONPath.key(JSONPath.key("storage", "ceph"), "clientWriteRate"), at: wv,
                    "client writes fill the OSDs that hold their PGs, whose placement comes with the network model: add a \"network\" section (like {\"environment\": \"bare-metal\", \"mode\": \"host\"})")
        }
        if let rv = root["storage"]?["ceph"]?["registry"], rv.boolValue == true, !networkGiven, storage?.ceph?.registry == true {
            d.error(JSONPath.key(JSONPath.key("storage", "ceph"), "registry"), at: rv,
                    "the registry on Ceph needs the placement of PGs, which comes with the network model: add a \"network\" section (like {\"environment\": \"bare-metal\", \"mode\": \"host\"})")
        }
    }

    /// The scenario name names a results folder: [A-Za-z0-9._-], not starting with '.' or '-'.
    /// At most 255 characters: the longest file name (NAME_MAX) a results folder can have.
    static let scenarioName: ValueDecoder<String> = ValueDecoder<String>.name(extra: "._-", maxLength: 255).check { s in
        if s.hasPrefix(".") || s.hasPrefix("-") {
            return "\(JSONValue.quote(s)) must not start with '.' or '-' (it names a results folder)"
        }
        return nil
    }

    /// At most 56 characters: host names are `<name>-<nn>` with up to 6 digits, and a host name is a
    /// DNS label of at most 63 characters (RFC 1035 section 2.3.4).
    static let groupName = ValueDecoder<String>.name(extra: "_-", maxLength: 56)

    // MARK: datacenters

    static func decodeDatacenters(_ v: JSONValue, path: String, _ d: Diagnostics) -> [DatacenterSpec]? {
        guard let a = v.arrayValue else { d.error(path, at: v, typeMismatch("an array of datacenters, like [{\"name\": \"dc01\"}]", v)); return nil }
        var out: [DatacenterSpec] = []
        var ok = true
        for (i, e) in a.enumerated() {
            let p = JSONPath.index(path, i)
            let r = ObjectReader(e, path: p, diagnostics: d, keys: datacenterKeys)
            guard r.isObject else { ok = false; continue }
            let before = d.errorCount
            let name = r.required("name", .name(extra: "._-"))
            let racks = r.optional("racks", .array(of: .label), default: [])
            if let racks { checkUnique(racks, path: r.keyPath("racks"), value: r.value["racks"], what: "rack", d) }
            r.finish()
            if let n = name, out.contains(where: { $0.name == n }) {
                d.error(r.keyPath("name"), at: e["name"], "duplicate datacenter name \(JSONValue.quote(n)); datacenter names must be unique")
            }
            if d.errorCount == before, let name, let racks { out.append(DatacenterSpec(name: name, racks: racks)) } else { ok = false }
        }
        return ok ? out : nil
    }

    static func checkUnique(_ items: [String], path: String, value: JSONValue?, what: String, _ d: Diagnostics) {
        for (i, _) in repeatedElements(items) {
            let x = items[i]
            d.error(JSONPath.index(path, i), at: value?.arrayValue?[i], "duplicate \(what) \(JSONValue.quote(x))")
        }
    }

    // MARK: host groups

    struct DecodedGroup { var spec: HostGroupSpec?; var name: String?; var count: Int? }

    static func decodeHostGroup(_ v: JSONValue, path: String, datacenters: [DatacenterSpec]?, _ d: Diagnostics) -> DecodedGroup {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: hostGroupKeys)
        guard r.isObject else { return DecodedGroup() }
        let before = d.errorCount
        let name = r.required("name", groupName, hint: "hosts are named <name>-01, <name>-02, ...")
        let count = r.required("count", .int(min: 1, max: maxHostGroupCount), hint: "the number of hosts")

        // datacenter
        var datacenter: String? = nil
        var dcSpec: DatacenterSpec? = nil
        let dcValue = r.value("datacenter")
        if let dcs = datacenters {
            let names = dcs.map(\.name)
            if let v = dcValue {
                if let s = ValueDecoder<String>.label.decode(v, r.keyPath("datacenter"), d) {
                    if dcs.isEmpty {
                        datacenter = s   // no datacenters declared: any name stands for an implicit one
                    } else if let spec = dcs.first(where: { $0.name == s }) {
                        datacenter = s; dcSpec = spec
                    } else {
                        d.error(r.keyPath("datacenter"), at: v, "unknown datacenter \(JSONValue.quote(s))\(Suggest.didYouMean(s, among: names)); declared datacenters: \(Suggest.listed(names))")
                    }
                }
            } else if dcs.count == 1 {
                datacenter = dcs[0].name; dcSpec = dcs[0]
            } else if dcs.isEmpty {
                datacenter = defaultDatacenter
            } else {
                d.error(r.keyPath("datacenter"), at: v, "missing required key \"datacenter\": \(dcs.count) datacenters are declared, so each host group must name one of \(Suggest.listed(names))")
            }
        } else if let v = dcValue {
            datacenter = ValueDecoder<String>.label.decode(v, r.keyPath("datacenter"), d)
        }

        // racks
        var racks: [String]? = nil
        var racksValue: JSONValue? = nil
        var racksPath = r.keyPath("racks")
        let hasRack = r.has("rack"), hasRacks = r.has("racks")
        if hasRack && hasRacks {
            r.reject("racks", "give either \"rack\" (one rack) or \"racks\" (hosts spread round-robin over them), not both")
            _ = r.value("rack")
        } else if hasRack {
            racksValue = r.value["rack"]; racksPath = r.keyPath("rack")
            racks = r.required("rack", .label).map { [$0] }
        } else if hasRacks {
            racksValue = r.value["racks"]
            racks = r.required("racks", .array(of: .label, nonEmpty: true))
            if let rs = racks {
                let before = d.errorCount
                checkUnique(rs, path: racksPath, value: racksValue, what: "rack", d)
                if d.errorCount != before { racks = nil }
            }
        } else {
            // Default: the datacenter's declared racks, else one rack "rack-01".
            if let spec = dcSpec, !spec.racks.isEmpty { racks = spec.racks } else { racks = [defaultRack] }
        }
        if let rs = racks, let spec = dcSpec, !spec.racks.isEmpty, racksValue != nil {
            for (i, rack) in rs.enumerated() where !spec.racks.contains(rack) {
                let p = hasRack ? racksPath : JSONPath.index(racksPath, i)
                let at = hasRack ? racksValue : racksValue?.arrayValue?[i]
                d.error(p, at: at, "rack \(JSONValue.quote(rack)) is not a rack of datacenter \(JSONValue.quote(spec.name))\(Suggest.didYouMean(rack, among: spec.racks)); its racks are \(Suggest.listed(spec.racks))")
            }
        }

        let cpus = r.required("cpus", ValueDecoder<Double>.number(greaterThan: 0).check {
            $0 > maxHostCpus ? "\(NumberFormat.decimal($0)) cores is more than the \(NumberFormat.decimal(maxHostCpus)) a host may have (see Limits in docs/scenarios.md)" : nil }, hint: "CPU cores per host, like 8")
        let memory = r.required("memory", .size(.positive), hint: "memory per host, like \"64GiB\"")
        let disk = r.required("disk", .size(.positive), hint: "disk per host, like \"500GB\"")
        let nic = r.optional("nic", .rate(.positive), default: defaultNicBitsPerSecond)
        let attributes = r.optional("attributes", attributesDecoder, default: [])
        r.finish()

        guard d.errorCount == before, let name, let count, let datacenter, let racks, let cpus, let memory, let disk,
              let nic, let attributes else {
            return DecodedGroup(spec: nil, name: name, count: count)
        }
        let spec = HostGroupSpec(name: name, count: count, datacenter: datacenter, racks: racks, cpus: cpus,
                                 memoryBytes: memory, diskBytes: disk, nicBitsPerSecond: nic, attributes: attributes)
        return DecodedGroup(spec: spec, name: name, count: count)
    }

    /// Mesos agent attributes: an object of string or number values, kept in file order. Numbers
    /// keep their literal text ("3", "1.5").
    static let attributesDecoder = ValueDecoder<[Attribute]> { v, p, d in
        guard let members = v.objectMembers else {
            d.error(p, at: v, typeMismatch("an object of attribute names to string or number values, like {\"rack_id\": \"r1\", \"cores\": 8}", v))
            return nil
        }
        var out: [Attribute] = []
        var ok = true
        for m in members {
            let mp = JSONPath.key(p, m.key)
            if m.key.isEmpty { d.error(mp, location: m.keyLocation, "attribute names must not be empty"); ok = false; continue }
            switch m.value.kind {
            case .string(let s): out.append(Attribute(name: m.key, value: s))
            case .number(let n): out.append(Attribute(name: m.key, value: n.text))
            default:
                d.error(mp, at: m.value, "attribute values are strings or numbers (Mesos text and scalar attributes), got \(m.value.described)")
                ok = false
            }
        }
        return ok ? out : nil
    }

    // MARK: faults

    /// Host names by group, for checking fault targets.
    struct HostDirectory {
        let groups: [(name: String, count: Int)]
        /// Group name -> its index in `groups` (the first group of that name), looked up per host
        /// name a section gives: a scan per lookup was quadratic in host groups.
        private let index: [String: Int]
        /// False when some group could not be read: then unknown names are not reported (they
        /// might belong to that group).
        var complete: Bool
        /// Every rack a host group names (a fault's `rack` must be one of them).
        var racks: [String] = []

        init(groups: [(name: String, count: Int)], complete: Bool) {
            self.groups = groups; self.complete = complete
            var index: [String: Int] = [:]
            for (i, g) in groups.enumerated() where index[g.name] == nil { index[g.name] = i }
            self.index = index
        }

        func group(_ name: String) -> (name: String, count: Int)? { index[name].map { groups[$0] } }

        func spec(_ g: (name: String, count: Int)) -> HostGroupSpec {
            HostGroupSpec(name: g.name, count: g.count, datacenter: "", racks: [], cpus: 1, memoryBytes: 1, diskBytes: 1, nicBitsPerSecond: 1)
        }

        func range(_ g: (name: String, count: Int)) -> String {
            let s = spec(g)
            return g.count == 1 ? s.hostName(0) : "\(s.hostName(0)) to \(s.hostName(g.count - 1))"
        }

        /// nil when `host` exists, else the message.
        func problem(with host: String) -> String? {
            if let dash = host.lastIndex(of: "-") {
                let gname = String(host[..<dash])
                let digits = host[host.index(after: dash)...]
                if let g = group(gname) {
                    let s = spec(g)
                    if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits) {
                        if n >= 1 && n <= g.count {
                            if s.hostName(n - 1) == host { return nil }
                            return "no host named \(JSONValue.quote(host)); did you mean \(JSONValue.quote(s.hostName(n - 1)))? (host numbers are zero-padded: \(range(g)))"
                        }
                    }
                    return "no host named \(JSONValue.quote(host)): host group \(JSONValue.quote(g.name)) has \(g.count) host\(g.count == 1 ? "" : "s"), \(range(g))"
                }
            }
            let shown = groups.prefix(6).map { "\(range($0)) (group \(JSONValue.quote($0.name)))" }
            return "no host named \(JSONValue.quote(host)); hosts are named <hostGroup>-<nn>: " + shown.joined(separator: ", ") + (groups.count > 6 ? ", ..." : "")
        }
    }

    static let faultKinds = FaultKind.allCases.map(\.rawValue)

    /// `at` (within the run) and `kind` (one of `kinds`) of a fault or an action.
    static func readTimedEntry(_ r: ObjectReader, what: String, kinds: [String], duration: SimDuration?,
                               _ d: Diagnostics) -> (SimDuration?, String?) {
        let at = r.required("at", .duration(.nonNegative), hint: "when the \(what) happens, a Go duration from the start like \"2h\"")
        if let at, let duration, at > duration {
            d.error(r.keyPath("at"), at: r.value["at"], "\(what) at \(at) is after the end of the run (duration \(duration)); it must be between 0s and \(duration)")
        }
        let kind = r.required("kind", .oneOf(kinds, what: "\(what) kind"), hint: "one of \(kinds.map { JSONValue.quote($0) }.joined(separator: ", "))")
        return (at, kind)
    }

    static func decodeFault(_ v: JSONValue, path: String, hosts: HostDirectory, duration: SimDuration?, mesos: MesosSpec? = nil,
                            zookeeper: ZooKeeperSpec? = nil, mesosSectionGiven: Bool = false,
                            hasSection: (String) -> Bool = { _ in false }, _ d: Diagnostics) -> FaultSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: faultKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let (at, kindName) = readTimedEntry(r, what: "fault", kinds: faultKinds, duration: duration, d)
        let kind = kindName.flatMap(FaultKind.init(rawValue:))

        if let kind, kind.needsMesos, !mesosSectionGiven {
            d.error(r.keyPath("kind"), at: r.value["kind"], "fault kind \(JSONValue.quote(kind.rawValue)) needs the scenario's \"mesos\" section (Mesos masters, agents and ZooKeeper)")
        }

        // target
        var target: FaultTarget? = nil
        let hasHost = r.has("host"), hasGroup = r.has("hostGroup")
        if let kind, !kind.targetsHosts {
            for k in ["host", "hostGroup", "count", "role", "rack"] where r.has(k) {
                r.reject(k, "\(JSONValue.quote(k)) is not used by kind \(JSONValue.quote(kind.rawValue)); " +
                         (kind == .masterCrash ? "name the master with \"master\" (\"leader\" or a number)" : "name the server with \"server\" (a number)"))
            }
            if kind == .masterCrash {
                let masters = mesos?.masters
                if let m = r.value("master") {
                    if m.stringValue == "leader" { target = .master(nil) }
                    else if let n = m.numberValue?.int64.map({ Int($0) }), n >= 1, masters == nil || n <= masters! { target = .master(n - 1) }
                    else {
                        d.error(r.keyPath("master"), at: m, "expected \"leader\" or a master number from 1 to \(masters.map(String.init) ?? "the number of masters"), got \(m.brief)")
                    }
                } else { target = .master(nil) }
                r.reject("server", "\"server\" goes with kind \"zookeeperCrash\"")
            } else {
                let servers = zookeeper?.servers ?? ZooKeeperSpec().servers
                if let z = r.value("server") {
                    if let n = z.numberValue?.int64.map({ Int($0) }), n >= 1, n <= servers { target = .zookeeperServer(n - 1) }
                    else { d.error(r.keyPath("server"), at: z, "expected a ZooKeeper server number from 1 to \(servers), got \(z.brief)") }
                } else {
                    d.error(r.keyPath("server"), at: v, "missing required key \"server\" (which ZooKeeper server, 1 to \(servers))")
                }
                r.reject("master", "\"master\" goes with kind \"masterCrash\"")
            }
        } else if r.has("rack") {
            for k in ["host", "hostGroup", "count", "role"] where r.has(k) {
                r.reject(k, "give either \"rack\" (every host of the rack) or \"\(k)\", not both")
            }
            if let rack = r.required("rack", .nonEmptyString) {
                if hosts.complete, !hosts.racks.contains(rack) {
                    d.error(r.keyPath("rack"), at: r.value["rack"], "no host group is in rack \(JSONValue.quote(rack))\(Suggest.didYouMean(rack, among: hosts.racks)); racks: \(Suggest.listed(hosts.racks))")
                } else { target = .rack(rack) }
            }
        } else if r.has("role") {
            for k in ["host", "hostGroup", "count"] where r.has(k) {
                r.reject(k, "give either \"role\" (the host holding it when the fault fires) or \"host\" / \"hostGroup\", not both")
            }
            let names = HostRole.allCases.map(\.rawValue)
            if let name = r.required("role", .oneOf(names, what: "role")), let role = HostRole(rawValue: name) {
                let given = role == .zookeeperLeader ? hasSection("zookeeper") || hasSection("mesos") || hasSection("marathon")
                    : role == .mesosLeader ? hasSection("mesos") || hasSection("marathon") : hasSection(role.section)
                if kind == .hostRecover {
                    d.error(r.keyPath("role"), at: r.value["role"], "a hostRecover brings back a crashed host, which holds no role: name it with \"host\" (or use \"recoverAfter\" on the crash)")
                } else if given { target = .role(role) }
                else { d.error(r.keyPath("role"), at: r.value["role"], "role \(JSONValue.quote(name)) needs the scenario's \(JSONValue.quote(role.section)) section") }
            }
        } else if hasHost && hasGroup {
            r.reject("hostGroup", "give either \"host\" (one host by name) or \"hostGroup\" with \"count\", not both")
            _ = r.value("host"); _ = r.value("count")
        } else if hasHost {
            if let h = r.required("host", .nonEmptyString) {
                if hosts.complete, let m = hosts.problem(with: h) { d.error(r.keyPath("host"), at: r.value["host"], m) }
                else { target = .host(h) }
            }
            r.reject("count", "\"count\" goes with \"hostGroup\"; a fault with \"host\" applies to that one host")
        } else if hasGroup {
            let gname = r.required("hostGroup", .nonEmptyString)
            let count = r.optional("count", .int(min: 1), default: 1)
            if let gname {
                if let g = hosts.group(gname) {
                    if let c = count, c > g.count {
                        d.error(r.keyPath("count"), at: r.value["count"], "count \(c) is more than the \(g.count) host\(g.count == 1 ? "" : "s") of host group \(JSONValue.quote(g.name)); it must be from 1 to \(g.count)")
                    } else if let c = count {
                        target = .group(gname, count: c)
                    }
                } else if hosts.complete {
                    let names = hosts.groups.map(\.name)
                    d.error(r.keyPath("hostGroup"), at: r.value["hostGroup"], "unknown host group \(JSONValue.quote(gname))\(Suggest.didYouMean(gname, among: names)); host groups: \(Suggest.listed(names))")
                }
            }
        } else if kind == nil && (r.has("master") || r.has("server")) {
            // an unknown kind (reported already) with the target of a masterCrash or zookeeperCrash:
            // not judged, as it cannot be without the kind (it was "missing the target" and
            // `unknown key "master"; did you mean "master"?`, found by clustersim-fuzz string-span)
            _ = r.value("master"); _ = r.value("server")
        } else {
            d.error(r.keyPath("host"), at: v, "missing the target: give \"host\" (a host name like \"slave-07\"), \"hostGroup\" with \"count\" (hosts picked at random when the fault fires) \"role\" (like \"consul-leader\": the host holding it when the fault fires) or \"rack\" (every host of the rack)")
            _ = r.value("count")
        }
        if let kind, kind.targetsHosts {
            for k in ["master", "server"] where r.has(k) {
                r.reject(k, "\(JSONValue.quote(k)) is not used by kind \(JSONValue.quote(kind.rawValue)); it applies to \"host\" or \"hostGroup\"")
            }
        }

        // kind-specific keys; a key of another kind's end (recoverAfter on a reboot, downFor on a
        // process crash) is answered with the key that ends this kind
        let endOfKind: String
        switch kind {
        case .hostCrash?: endOfKind = "; for a crash that ends, use \"recoverAfter\""
        case .hostReboot?: endOfKind = "; a hostReboot is down for \"downFor\""
        case .agentCrash?, .masterCrash?, .zookeeperCrash?: endOfKind = "; the supervisor restarts the process after \"restartAfter\""
        case .networkPartition?: endOfKind = "; a partition heals after \"healAfter\""
        case .hostRecover?, nil: endOfKind = "; a hostRecover brings a host back at \"at\""
        }
        var recoverAfter: SimDuration? = nil
        var downFor = FaultSpec.defaultRebootDownFor
        if kind == nil || kind == .hostCrash {
            recoverAfter = r.optional("recoverAfter", .duration(.positive))
        } else {
            r.reject("recoverAfter", "\"recoverAfter\" is only allowed for kind \"hostCrash\"" + endOfKind)
        }
        if kind == nil || kind == .hostReboot {
            if let x = r.optional("downFor", .duration(.positive)) { downFor = x }
        } else {
            r.reject("downFor", "\"downFor\" is only allowed for kind \"hostReboot\"" + endOfKind)
        }
        var restartAfter: SimDuration? = nil
        if kind == nil || kind == .agentCrash || kind == .masterCrash || kind == .zookeeperCrash {
            restartAfter = r.optional("restartAfter", .duration(.positive))
        } else {
            r.reject("restartAfter", "\"restartAfter\" is only allowed for kinds \"agentCrash\", \"masterCrash\" and \"zookeeperCrash\"")
        }
        var healAfter: SimDuration? = nil
        if kind == nil || kind == .networkPartition {
            healAfter = r.optional("healAfter", .duration(.positive))
        } else {
            r.reject("healAfter", "\"healAfter\" is only allowed for kind \"networkPartition\"")
        }
        r.finish()

        guard d.errorCount == before, let at, let kind, let target else { return nil }
        if let ra = recoverAfter, let duration, at + ra > duration {
            d.warning(r.keyPath("recoverAfter"), at: r.value["recoverAfter"], "the host would recover at \(at + ra), after the end of the run (\(duration)); it stays down until the end")
        }
        return FaultSpec(at: at, kind: kind, target: target, recoverAfter: recoverAfter, downFor: downFor,
                         restartAfter: restartAfter, healAfter: healAfter)
    }
}
