import ClusterModel
import Foundation
import SimKernel

// The `zookeeper` and `mesos` sections. Mesos flags are written exactly as on the Mesos command
// line (snake_case, without dashes); the simulator's own keys are camelCase. Reference:
// docs/mesos.md.

extension ScenarioSchema {
    /// Reads both sections from the top-level reader (absent sections give nil).
    static func decodeMesosSections(_ r: ObjectReader, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool,
                                    _ d: Diagnostics) -> (ZooKeeperSpec?, MesosSpec?) {
        let groups = hostGroups.map { (name: $0.name, count: $0.count) }
        let zkValue = r.value("zookeeper")
        // A `marathon` section without `mesos` runs on a Mesos with every default.
        let mesosValue = r.value("mesos") ?? (r.has("marathon") ? JSONValue(.object([])) : nil)
        var masterGroup: String? = nil
        var mesos: MesosSpec? = nil
        if let v = mesosValue {
            mesos = decodeMesos(v, path: "mesos", groups: groups, complete: hostGroupsComplete, d)
            if let m = mesos { masterGroup = m.masterHostGroup }
        }
        var zk: ZooKeeperSpec? = nil
        if let v = zkValue {
            zk = decodeZooKeeper(v, path: "zookeeper", groups: groups, complete: hostGroupsComplete, defaultGroup: masterGroup, d)
        } else if mesos != nil {
            zk = ZooKeeperSpec(hostGroup: masterGroup)
        }
        return (zk, mesos)
    }

    static func defaultMasterGroup(_ groups: [(name: String, count: Int)]) -> String? {
        groups.contains { $0.name == "master" } ? "master" : groups.first?.name
    }

    static func checkGroup(_ name: String, path: String, value: JSONValue?, groups: [(name: String, count: Int)],
                           complete: Bool, _ d: Diagnostics) -> (name: String, count: Int)? {
        if let g = groups.first(where: { $0.name == name }) { return g }
        if complete {
            let names = groups.map(\.name)
            d.error(path, at: value, "unknown host group \(JSONValue.quote(name))\(Suggest.didYouMean(name, among: names)); host groups: \(Suggest.listed(names))")
        }
        return nil
    }

    // MARK: zookeeper

    static func decodeZooKeeper(_ v: JSONValue, path: String, groups: [(name: String, count: Int)], complete: Bool,
                                defaultGroup: String?, _ d: Diagnostics) -> ZooKeeperSpec? {
        // zoo.cfg as deployed (ZooKeeperConfigFile.swift): its modelled entries under the section's
        // keys, which the section's own keys override
        var v = v
        var zoo = ZooKeeperConfigFile.Read()
        var serversFromFile = false
        if let cv = v["config"], !cv.isNull, let own = v.objectMembers {
            guard let z = readZooConfig(cv, path: JSONPath.key(path, "config"), d) else { return nil }
            zoo = z
            let ownKeys = Set(own.map(\.key))
            serversFromFile = !ownKeys.contains("servers")
            v = JSONValue(.object(z.members.filter { !ownKeys.contains($0.key) } + own.filter { $0.key != "config" }), location: v.location)
        }
        let r = ObjectReader(v, path: path, diagnostics: d, keys: zooKeeperKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let servers = r.optional("servers", ValueDecoder<Int>.int().check { n in
            [3, 5, 7].contains(n) ? nil : serversFromFile
                // ZooKeeper runs any number of participants: the limit is the simulator's
                ? "the simulator cannot run \(zoo.file): it has \(n) participants (server.N lines); ZooKeeper 3.4 runs an ensemble of any size, the simulator models 3, 5 or 7 (give \"servers\" beside \"config\" to run another size)"
                : "an ensemble has 3, 5 or 7 servers (a majority must survive failures), got \(n)"
        }, default: 3)
        var group = defaultGroup ?? defaultMasterGroup(groups)
        if let g = r.optional("hostGroup", .nonEmptyString) {
            group = g
            _ = checkGroup(g, path: r.keyPath("hostGroup"), value: r.value["hostGroup"], groups: groups, complete: complete, d)
        }
        let tick = r.optional("tickTime", .duration(.positive), default: ZooKeeperSpec.defaultTickTime)
        let initLimit = r.optional("initLimit", .int(min: 1), default: 10)
        let syncLimit = r.optional("syncLimit", .int(min: 1), default: 5)
        let finalizeWait = r.optional("finalizeWait", .duration(.nonNegative), default: .milliseconds(200))
        let notify = r.optional("notificationDelay", .duration(.nonNegative), default: .milliseconds(5))
        r.finish()
        guard d.errorCount == before, let servers, let tick, let initLimit, let syncLimit, let finalizeWait, let notify else { return nil }
        var spec = ZooKeeperSpec(servers: servers, hostGroup: group, tickTime: tick, initLimit: initLimit, syncLimit: syncLimit,
                                 finalizeWait: finalizeWait, notificationDelay: notify)
        spec.minSessionTimeout = zoo.minSessionTimeout
        spec.maxSessionTimeout = zoo.maxSessionTimeout
        return spec
    }

    // MARK: mesos

    static func decodeMesos(_ v: JSONValue, path: String, groups: [(name: String, count: Int)], complete: Bool,
                            _ d: Diagnostics) -> MesosSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: mesosKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        var spec = MesosSpec()
        spec.masterHostGroup = defaultMasterGroup(groups)
        // version first: the flags depend on it (MesosVersion.swift, docs/mesos.md "What the version switches")
        if let vv = r.value("version"),
           let x: MesosVersion = decodeReleaseVersion(vv, path: r.keyPath("version"), system: "Mesos", examples: "\"1.4\", \"1.4.3\", \"1.6.2\", \"1.11\"", short: "\"1.4\", \"1.4.3\" or \"1.11\"", d) {
            spec.version = x
        }
        spec.masterFlags.allocator = spec.version.defaultAllocator
        /// The master count (given as `count`, or the default) needs more hosts than the group has.
        func mastersDoNotFit(_ grp: (name: String, count: Int), count: JSONValue?, setBy: ValueSite, note: String? = nil) {
            let countPath = JSONPath.key(r.keyPath("masters"), "count")
            d.error(countPath, at: count, "\(spec.masters) masters need \(spec.masters) hosts, but host group \(JSONValue.quote(grp.name)) has \(grp.count); one master runs per host",
                    defaulted: AppliedDefault(key: countPath, value: "\(spec.masters)", setBy: setBy, note: note),
                    conflictsWith: d.site(in: "hostGroups", named: grp.name, key: "count", role: "the host group's count"))
        }
        if let mv = r.value("masters") {
            let m = ObjectReader(mv, path: r.keyPath("masters"), diagnostics: d, keys: mesosMasterKeys)
            if m.isObject {
                if let c = m.optional("count", .int(min: 1, max: 7)) { spec.masters = c }
                if let g = m.optional("hostGroup", .nonEmptyString) { spec.masterHostGroup = g }
                if let g = spec.masterHostGroup,
                   let grp = checkGroup(g, path: m.keyPath("hostGroup"), value: m.value["hostGroup"] ?? mv, groups: groups, complete: complete, d),
                   spec.masters > grp.count {
                    mastersDoNotFit(grp, count: m.value["count"], setBy: ValueSite(path: r.keyPath("masters"), value: mv))
                }
                if let x = m.optional("restartDelay", .duration(.nonNegative)) { spec.masterRestartDelay = x }
                if let x = m.optional("registryFetchTime", .duration(.nonNegative)) { spec.registryFetchTime = x }
                if let x = m.optional("registryStoreTime", .duration(.nonNegative)) { spec.registryStoreTime = x }
                if let fv = sectionFlags(m, program: .mesosMaster, version: spec.version, d) { if let f = decodeMasterFlags(fv, path: m.keyPath("flags"), masters: spec.masters, version: spec.version, d) { spec.masterFlags = f } }
                m.finish()
            }
        } else if let g = spec.masterHostGroup, let grp = groups.first(where: { $0.name == g }), spec.masters > grp.count {
            // No "masters": the default count must fit the default group. A "mesos" implied by
            // "marathon" is not in the document; the default then comes from "marathon".
            let implied = d.document != nil && d.site(path) == nil
            mastersDoNotFit(grp, count: nil, setBy: implied ? (d.site("marathon") ?? ValueSite(path: "marathon", value: nil)) : ValueSite(path: path, value: v),
                            note: implied ? "a \"marathon\" section without \"mesos\" runs on a Mesos with every default" : nil)
        }
        if let av = r.value("agents") {
            let a = ObjectReader(av, path: r.keyPath("agents"), diagnostics: d, keys: mesosAgentKeys)
            if a.isObject {
                if let gs = a.optional("hostGroups", .array(of: .nonEmptyString, nonEmpty: true)) {
                    for (i, g) in gs.enumerated() {
                        _ = checkGroup(g, path: JSONPath.index(a.keyPath("hostGroups"), i), value: a.value["hostGroups"]?.arrayValue?[i], groups: groups, complete: complete, d)
                    }
                    spec.agentHostGroups = gs
                }
                if let p = a.optional("ports", portsDecoder) { spec.agentFlags.ports = p }
                if let x = a.optional("containerStartTime", .distribution(.seconds)) { spec.containerStartTime = x }
                if let x = a.optional("restartDelay", .duration(.nonNegative)) { spec.agentRestartDelay = x }
                if let wv = a.value("workDir") {
                    let wr = ObjectReader(wv, path: a.keyPath("workDir"), diagnostics: d, keys: mesosWorkDirKeys)
                    if wr.isObject {
                        let cap = wr.required("capacity", .size(.positive), hint: "the size of the filesystem holding the agent's --work_dir, like \"20GB\"")
                        let used = wr.optional("used", .size(.nonNegative)) ?? 0
                        if let cap, used >= cap {
                            d.error(wr.keyPath("used"), at: wr.value["used"], "\"used\" (\(used) bytes) must be below \"capacity\" (\(cap) bytes)")
                        } else if let cap { spec.workDir = WorkDirSpec(capacityBytes: cap, usedBytes: used) }
                        wr.finish()
                    }
                }
                if let fv = sectionFlags(a, program: .mesosAgent, version: spec.version, d) {
                    if let f = decodeAgentFlags(fv, path: a.keyPath("flags"), base: spec.agentFlags, version: spec.version, d) {
                        spec.agentFlags = f
                        spec.agentFlags.attributes = agentAttributesFlag(fv, path: a.keyPath("flags"), d)
                    }
                }
                a.finish()
            }
        }
        if let rv = r.value("registry") {
            let g = ObjectReader(rv, path: r.keyPath("registry"), diagnostics: d, keys: mesosRegistryKeys)
            if let b = g.optional("bandwidth", .rate(.positive)) { spec.registryBandwidth = b }
            if let c = g.optional("capacity", .rate(.positive)) { spec.registryCapacity = c }
            g.finish()
        }
        // The scheduler driver takes any factor (apache/mesos src/sched/sched.cpp bounds the retries
        // by REGISTRATION_RETRY_INTERVAL_MAX, 1 min, and does not check the factor).
        if let x = r.optional("schedulerRegistrationBackoffFactor", ValueDecoder<SimDuration>.duration(.nonNegative).check {
            $0 == .zero ? "Mesos' scheduler driver accepts 0s, but then retries registration at the same instant forever, which cannot be simulated; give more than 0s (Mesos' default is 2s, src/sched/constants.hpp)" : nil }) { spec.frameworkRegistrationBackoffFactor = x }
        r.finish()
        return d.errorCount == before ? spec : nil
    }

    /// The master flags' deprecated names that name a modelled flag: `flags::DeprecatedName` in
    /// src/master/flags.cpp, the same at 1.1.0, 1.4.0 and 1.11.0 (the `slave_*` names renamed in
    /// Mesos 1.0; `user_sorter`, deprecated from 1.7, is a flag of its own here up to 1.6).
    static let deprecatedMasterFlags: [(old: String, new: String)] = [
        ("slave_reregister_timeout", "agent_reregister_timeout"),
        ("recovery_slave_removal_limit", "recovery_agent_removal_limit"),
        ("slave_removal_rate_limit", "agent_removal_rate_limit"),
        ("slave_ping_timeout", "agent_ping_timeout"),
        ("max_slave_ping_timeouts", "max_agent_ping_timeouts"),
    ]

    /// Deprecated names load as the flag they name, with stout's warning "Loaded deprecated flag
    /// '<name>'"; both names given is stout's error "Flag '<later>' is already loaded via name
    /// '<earlier>'" (3rdparty/stout/include/stout/flags/flags.hpp@1.4.0 `FlagsBase::load`, which the
    /// master calls without duplicates). Returns the object with the old names renamed, and the
    /// renames (new -> old) to put back into the paths of the messages about their values.
    static func renameDeprecatedFlags(_ v: JSONValue, path: String, _ table: [(old: String, new: String)], _ d: Diagnostics) -> (JSONValue, [(new: String, old: String)]) {
        guard let members = v.objectMembers, members.contains(where: { m in table.contains { $0.old == m.key } }) else { return (v, []) }
        var out: [JSONMember] = []
        var renames: [(new: String, old: String)] = []
        for m in members {
            guard let t = table.first(where: { $0.old == m.key || $0.new == m.key }) else { out.append(m); continue }
            if let earlier = out.first(where: { $0.key == t.new }) {
                let first = renames.first(where: { $0.new == t.new })?.old ?? earlier.key
                d.error(JSONPath.key(path, m.key), location: m.keyLocation ?? m.value.location,
                        "Flag '\(m.key)' is already loaded via name '\(first)' (Mesos refuses to start: \(t.old) is the deprecated name of \(t.new); give one of them)")
                continue
            }
            if m.key == t.old {
                d.warning(JSONPath.key(path, m.key), at: m.value, "Loaded deprecated flag '\(m.key)' (Mesos' warning: it acts as \(t.new), its name since Mesos 1.0)")
                renames.append((t.new, t.old))
                out.append(JSONMember(key: t.new, keyLocation: m.keyLocation, value: m.value))
            } else { out.append(m) }
        }
        return (JSONValue(.object(out), location: v.location), renames)
    }

    /// Decodes with the renamed object; the messages about a renamed flag name the key as written.
    static func withDeprecatedNames<T>(_ v: JSONValue, path: String, _ table: [(old: String, new: String)], _ d: Diagnostics,
                                       _ body: (JSONValue, Diagnostics) -> T?) -> T? {
        let (renamed, renames) = renameDeprecatedFlags(v, path: path, table, d)
        guard !renames.isEmpty else { return body(renamed, d) }
        let sub = Diagnostics()
        sub.document = d.document
        sub.baseDirectory = d.baseDirectory
        let result = body(renamed, sub)
        func fix(_ p: String) -> String {
            for r in renames {
                let n = JSONPath.key(path, r.new)
                if p == n || p.hasPrefix(n + ".") || p.hasPrefix(n + "[") { return JSONPath.key(path, r.old) + p.dropFirst(n.count) }
            }
            return p
        }
        for e in sub.errors { var x = e; x.path = fix(e.path); d.append(x) }
        for w in sub.warnings {
            let loc = w.line.map { SourceLocation(file: w.file, line: $0, column: w.column) }
            d.warning(fix(w.path), at: JSONValue(.null, location: loc), w.message)
        }
        return sub.hasErrors ? nil : result
    }

    /// The master flags the simulator knows: the declared ones (ScenarioKeys+MesosFlags.swift).
    static var masterFlagNames: [String] { mesosMasterFlagKeys.names }

    /// The flags some supported versions do not have: the first version that has each (the flag was
    /// added then: src/master/flags.cpp, src/slave/flags.cpp at the tags; docs/mesos.md).
    static let masterFlagsSince: [(name: String, since: MesosVersion, note: String)] = [
        ("max_unreachable_tasks_per_framework", MesosVersion(1, 2), ""),
    ]
    /// (`executor_reregistration_timeout`, backported to 1.1.3, 1.2.2 and 1.3.1, and the master's
    /// `role_sorter` and `min_allocatable_resources`, backported to 1.4.2, 1.5.2 and 1.6.1, are checked
    /// by the release table: MesosFlagTable.swift, `mesosFlagAbsenceNotes`.)
    static let agentFlagsSince: [(name: String, since: MesosVersion, note: String)] = []

    /// A flag `version` does not have is an error naming the versions that have it.
    static func rejectMissingFlags(_ r: ObjectReader, _ table: [(name: String, since: MesosVersion, note: String)], version: MesosVersion) {
        // `members`, not `has`: asking for a key declares it known (the order of "allowed keys here")
        for (name, since, note) in table where version < since && r.members.contains(where: { $0.key == name }) {
            _ = r.rejectUndeclared(name, "--\(name) exists from Mesos \(since.major).\(since.minor)\(note); mesos.version is \(version)")
        }
    }

    static func decodeMasterFlags(_ v: JSONValue, path: String, masters: Int, version: MesosVersion = .baseline, _ d: Diagnostics) -> MesosMasterFlags? {
        withDeprecatedNames(v, path: path, deprecatedMasterFlags, d) { v, d in
            decodeMasterFlagsAsNamed(v, path: path, masters: masters, version: version, d)
        }
    }

    static func decodeMasterFlagsAsNamed(_ v: JSONValue, path: String, masters: Int, version: MesosVersion, _ d: Diagnostics) -> MesosMasterFlags? {
        // every other flag of the release: parsed, warned as not modelled (MesosFlagValues.swift)
        let v = prepareMesosFlags(v, path: path, role: .master, version: version, modelled: mesosMasterFlagKeys,
                                  legacyReleaseChecks: masterFlagsSince.map(\.name), d)
        let r = ObjectReader(v, path: path, diagnostics: d, keys: mesosMasterFlagKeys)
        guard r.isObject else { return nil }
        rejectMissingFlags(r, masterFlagsSince, version: version)
        let before = d.errorCount
        var f = MesosMasterFlags()
        f.allocator = version.defaultAllocator
        if let x = r.optional("agent_ping_timeout", ValueDecoder<SimDuration>.duration(.positive).check {
            $0 < .seconds(1) || $0 > .minutes(15) ? "must be between 1s and 15m (Mesos refuses other values), got \($0)" : nil }) { f.agentPingTimeout = x }
        if let x = r.optional("max_agent_ping_timeouts", .int(min: 1)) { f.maxAgentPingTimeouts = x }
        if let x = r.optional("agent_reregister_timeout", ValueDecoder<SimDuration>.duration(.positive).check {
            $0 < MesosMasterFlags.minAgentReregisterTimeout ? "must be at least 10m (Mesos' MIN_AGENT_REREGISTER_TIMEOUT), got \($0)" : nil }) { f.agentReregisterTimeout = x }
        if let rv = r.value("agent_removal_rate_limit"), !rv.isNull {
            if let s = ValueDecoder<String>.string.decode(rv, r.keyPath("agent_removal_rate_limit"), d) {
                let parts = s.split(separator: "/", omittingEmptySubsequences: false)
                if parts.count == 2, let n = Int(parts[0]), n > 0, n <= maxScenarioInteger, let per = mesosRatePeriod(String(parts[1])), per > .zero, per <= ScenarioUnits.maxDuration {
                    f.agentRemovalRateLimit = (n, per)
                } else {
                    d.error(r.keyPath("agent_removal_rate_limit"), at: rv, "expected \"N/duration\" like \"1/10mins\" (a stout duration; a Go duration like \"1/10m\" also loads), got \(JSONValue.quote(s))")
                }
            }
        }
        if let rv = r.value("recovery_agent_removal_limit") {
            let p = r.keyPath("recovery_agent_removal_limit")
            if let s = rv.stringValue, s.hasSuffix("%"), let x = Double(s.dropLast()), x >= 0, x <= 100 { f.recoveryAgentRemovalLimit = x / 100 }
            else { d.error(p, at: rv, "expected a percentage from \"0%\" to \"100%\", got \(rv.brief)") }
        }
        if let x = r.optional("allocation_interval", .duration(.positive)) { f.allocationInterval = x }
        // master/allocator.cpp `Allocator::create`: the built-in allocator's name, else a module
        // (none here); 1.7 (and 1.4.2, 1.5.2, 1.6.1) renamed it "hierarchical" and still take the old name
        if let x = r.optional("allocator", .oneOf(version.sortersConfigurable ? ["hierarchical", "HierarchicalDRF"] : ["HierarchicalDRF"],
                                                  what: "allocator (Mesos \(version)'s built-in one; allocator modules are not modelled)")) { f.allocator = x }
        // Sorters: `--user_sorter` is `--role_sorter`'s name before 1.7 and its deprecated name from
        // 1.7 and the backports (flags.cpp@1.7.0, @1.4.2 `DeprecatedName("user_sorter")`); giving both
        // is stout's duplicate-flag error.
        if r.has("role_sorter") && r.has("user_sorter") {
            _ = r.rejectUndeclared("user_sorter", "--user_sorter is --role_sorter's old name; give only one of them")
        }
        var sorterSet = false
        for name in ["role_sorter", "user_sorter"] {
            if let x = r.optional(name, .oneOf(["drf", "random"], what: "sorter")) { f.roleSorter = x; sorterSet = true }
        }
        if let x = r.optional("framework_sorter", .oneOf(["drf", "random"], what: "sorter")) { f.frameworkSorter = x; sorterSet = true }
        if sorterSet {
            if !version.sortersConfigurable {
                // parsed, read by nothing: the allocator sorts by DRF (MesosVersion.sortersConfigurable)
                if f.roleSorter != "drf" || f.frameworkSorter != "drf" {
                    let k = r.has("framework_sorter") && f.frameworkSorter != "drf" ? "framework_sorter" : (r.has("role_sorter") ? "role_sorter" : "user_sorter")
                    d.warning(r.keyPath(k), at: r.value[k],
                              "Mesos \(version) accepts the sorter flags but nothing reads them: its HierarchicalDRF allocator sorts roles and frameworks by DRF (sorters are chosen from Mesos 1.7, 1.6.1, 1.5.2 and 1.4.2); the simulation uses DRF")
                }
                f.roleSorter = "drf"; f.frameworkSorter = "drf"
            } else if f.roleSorter != f.frameworkSorter {
                // master/allocator/allocator.cpp@1.7.0 `Allocator::create`
                let k = r.has("framework_sorter") ? "framework_sorter" : (r.has("role_sorter") ? "role_sorter" : "user_sorter")
                d.error(r.keyPath(k), at: r.value[k],
                        "Unsupported combination of 'role_sorter' and 'framework_sorter': must be equal (for now) (Mesos \(version) refuses to start); got \(JSONValue.quote(f.roleSorter)) and \(JSONValue.quote(f.frameworkSorter))")
            }
        }
        if let x = r.optional("min_allocatable_resources", minAllocatableDecoder) { f.minAllocatableResources = x }
        if let ov = r.value("offer_timeout"), !ov.isNull {
            f.offerTimeout = ValueDecoder<SimDuration>.duration(.positive).decode(ov, r.keyPath("offer_timeout"), d)
        }
        if let x = r.optional("zk_session_timeout", .duration(.positive)) { f.zkSessionTimeout = x }
        if let x = r.optional("registry", .oneOf(["replicated_log", "in_memory"], what: "registry")) { f.registry = x }
        if let qv = r.value("quorum"), !qv.isNull {
            if let q = ValueDecoder<Int>.int(min: 1, max: masters).decode(qv, r.keyPath("quorum"), d) {
                if q <= masters / 2 { d.error(r.keyPath("quorum"), at: qv, "quorum must be a majority of the \(masters) masters (> \(masters / 2)), got \(q)") } else { f.quorum = q }
            }
        }
        if let x = r.optional("registry_fetch_timeout", .duration(.positive)) { f.registryFetchTimeout = x }
        if let x = r.optional("registry_store_timeout", .duration(.positive)) { f.registryStoreTimeout = x }
        if let x = r.optional("registry_gc_interval", .duration(.positive)) { f.registryGcInterval = x }
        if let x = r.optional("registry_max_agent_age", .duration(.positive)) { f.registryMaxAgentAge = x }
        if let x = r.optional("registry_max_agent_count", .int(min: 1)) { f.registryMaxAgentCount = x }
        if let x = r.optional("max_completed_frameworks", .int(min: 0)) { f.maxCompletedFrameworks = x }
        if let x = r.optional("max_completed_tasks_per_framework", .int(min: 0)) { f.maxCompletedTasksPerFramework = x }
        if let x = r.optional("max_unreachable_tasks_per_framework", .int(min: 0)) { f.maxUnreachableTasksPerFramework = x }
        if let x = r.optional("weights", weightsDecoder) { f.weights = x }
        if let x = r.optional("port", .int(min: 1, max: 65535)) { f.port = x }
        r.finish()
        return d.errorCount == before ? f : nil
    }

    /// The agent flags the simulator knows: the declared ones (ScenarioKeys+MesosFlags.swift).
    static var agentFlagNames: [String] { mesosAgentFlagKeys.names }

    static func decodeAgentFlags(_ v: JSONValue, path: String, base: MesosAgentFlags, version: MesosVersion = .baseline, _ d: Diagnostics) -> MesosAgentFlags? {
        let v = prepareMesosFlags(v, path: path, role: .agent, version: version, modelled: mesosAgentFlagKeys,
                                  legacyReleaseChecks: agentFlagsSince.map(\.name), d)
        let r = ObjectReader(v, path: path, diagnostics: d, keys: mesosAgentFlagKeys)
        guard r.isObject else { return nil }
        rejectMissingFlags(r, agentFlagsSince, version: version)
        let before = d.errorCount
        var f = base
        // Mesos refuses more than REGISTER_RETRY_INTERVAL_MAX (apache/mesos src/slave/slave.cpp,
        // Slave::initialize) and accepts 0s, which retries at once forever.
        if let x = r.optional("registration_backoff_factor", ValueDecoder<SimDuration>.duration(.nonNegative).check {
            $0 > MesosAgentFlags.registerRetryIntervalMax ? "must be at most 1m (REGISTER_RETRY_INTERVAL_MAX), got \($0)"
                : $0 == .zero ? "Mesos accepts 0s, but the agent then retries registration at the same instant forever, which cannot be simulated; give more than 0s and at most 1m (Mesos' default is 1s)" : nil }) { f.registrationBackoffFactor = x }
        if let x = r.optional("recovery_timeout", .duration(.positive)) { f.recoveryTimeout = x }
        if let x = r.optional("executor_registration_timeout", .duration(.positive)) { f.executorRegistrationTimeout = x }
        if let x = r.optional("executor_shutdown_grace_period", .duration(.nonNegative)) { f.executorShutdownGracePeriod = x }
        if let x = r.optional("executor_reregistration_timeout", ValueDecoder<SimDuration>.duration(.nonNegative).check {
            $0 > .seconds(15) ? "must be at most 15s (MAX_EXECUTOR_REREGISTRATION_TIMEOUT), got \($0)" : nil }) { f.executorReregistrationTimeout = x }
        // slave.cpp@1.4.0 (and to 1.11) checks neither gc_delay nor disk_watch_interval: 0secs
        // loads (a sandbox is removed as its executor ends; the disk checks run back to back,
        // `delay(0, checkDiskUsage)`, here one per nanosecond). gc_disk_headroom outside [0, 1]
        // makes `Slave::initialize` exit with its message.
        if let x = r.optional("gc_delay", .duration(.nonNegative)) { f.gcDelay = x }
        if let x = r.optional("gc_disk_headroom", ValueDecoder<Double>.number().check {
            $0 < 0 || $0 > 1 ? "Invalid value '\(Self.ostreamDouble($0))' for --gc_disk_headroom. Must be between 0.0 and 1.0 (mesos-agent exits at its start: slave.cpp Slave::initialize)" : nil }) { f.gcDiskHeadroom = x }
        if let x = r.optional("disk_watch_interval", .duration(.nonNegative)) { f.diskWatchInterval = x }
        if let x = r.optional("docker_remove_delay", .duration(.nonNegative)) { f.dockerRemoveDelay = x }
        if let x = r.optional("docker_stop_timeout", .duration(.nonNegative)) { f.dockerStopTimeout = x }
        // containerizer.cpp@1.4.0 `MesosContainerizer::create`: both names at once is an error
        if let x = r.optional("isolation", ValueDecoder<String>.string.check {
            let names = $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if names.contains(where: { $0.isEmpty }) { return "a comma-separated list of isolator names without empty names, e.g. \"posix/cpu,posix/mem,disk/du\", got \"\($0)\"" }
            return names.contains("disk/du") && names.contains("posix/disk")
                ? "Using 'posix/disk' and 'disk/du' simultaneously is disallowed (Mesos: 'posix/disk' has been renamed as 'disk/du')" : nil }) { f.isolation = x }
        if let x = r.optional("container_disk_watch_interval", .duration(.positive)) { f.containerDiskWatchInterval = x }
        if let x = r.optional("enforce_container_disk_quota", .bool) { f.enforceContainerDiskQuota = x }
        if let x = r.optional("oversubscribed_resources_interval", .duration(.positive)) { f.oversubscribedResourcesInterval = x }
        decodeContainerLogger(r, into: &f, d)
        if let x = r.optional("port", .int(min: 1, max: 65535)) { f.port = x }
        if let x = r.optional("resources", agentResourcesDecoder) {
            f.cpus = x.cpus ?? f.cpus; f.memMB = x.mem ?? f.memMB; f.diskMB = x.disk ?? f.diskMB
            if let p = x.ports { f.ports = p }
        }
        r.finish()
        return d.errorCount == before ? f : nil
    }

    // MARK: the container logger

    static let logrotateModule = "org_apache_mesos_LogrotateContainerLogger"
    /// lib_logrotate.hpp@1.4.0 `LoggerFlags` and `Flags`.
    static let logrotateParameters = ["max_stdout_size", "logrotate_stdout_options", "max_stderr_size", "logrotate_stderr_options",
                                      "environment_variable_prefix", "launcher_dir", "logrotate_path", "libprocess_num_worker_threads"]

    /// `--container_logger` and `--modules` (the Modules JSON: libraries with a `file` or `name`,
    /// their modules with `name` and `parameters` [{key, value}]). The agent does not start when the
    /// logger is not a loaded module or the logrotate module refuses its parameters (src/slave/
    /// container_logger.cpp, src/module/manager.hpp `create`, lib_logrotate.cpp `flags.load`).
    static func decodeContainerLogger(_ r: ObjectReader, into f: inout MesosAgentFlags, _ d: Diagnostics) {
        let loggerName = r.optional("container_logger", .nonEmptyString)
        var modules: [(name: String, params: [(key: String, value: String, path: String, at: JSONValue)], path: String, at: JSONValue)] = []
        if let mv = r.value("modules") {
            let mr = ObjectReader(mv, path: r.keyPath("modules"), diagnostics: d)
            if mr.isObject, let lv = mr.value("libraries") {
                if let libs = lv.arrayValue {
                    for (i, l) in libs.enumerated() {
                        let lr = ObjectReader(l, path: JSONPath.index(mr.keyPath("libraries"), i), diagnostics: d)
                        guard lr.isObject else { continue }
                        let file = lr.optional("file", .string), name = lr.optional("name", .string)
                        if file == nil && name == nil { d.error(lr.path, at: l, "the agent does not start: Library name or path not provided (give \"file\": \"/usr/lib/mesos/modules/liblogrotate_container_logger.so\" or \"name\")") }
                        if let ms = lr.value("modules") {
                            if let arr = ms.arrayValue {
                                for (j, m) in arr.enumerated() {
                                    let ir = ObjectReader(m, path: JSONPath.index(lr.keyPath("modules"), j), diagnostics: d)
                                    guard ir.isObject, let n = ir.required("name", .nonEmptyString, hint: "the module's name, like \"\(logrotateModule)\"") else { ir.finish(); continue }
                                    var params: [(key: String, value: String, path: String, at: JSONValue)] = []
                                    if let pv = ir.value("parameters") {
                                        if let pa = pv.arrayValue {
                                            for (k, pe) in pa.enumerated() {
                                                let pp = JSONPath.index(ir.keyPath("parameters"), k)
                                                let pr = ObjectReader(pe, path: pp, diagnostics: d)
                                                if pr.isObject, let key = pr.required("key", .nonEmptyString), let val = pr.required("value", .string) { params.append((key, val, pp, pe)) }
                                                pr.finish()
                                            }
                                        } else { d.error(ir.keyPath("parameters"), at: pv, typeMismatch("an array of {\"key\": ..., \"value\": ...}", pv)) }
                                    }
                                    ir.finish()
                                    if modules.contains(where: { $0.name == n }) { d.error(ir.keyPath("name"), at: m["name"], "the agent does not start: Error loading duplicate module '\(n)'") }
                                    modules.append((n, params, ir.path, m))
                                }
                            } else { d.error(lr.keyPath("modules"), at: ms, typeMismatch("an array of modules, like [{\"name\": \"\(logrotateModule)\"}]", ms)) }
                        }
                        lr.finish()
                    }
                } else { d.error(mr.keyPath("libraries"), at: lv, typeMismatch("an array of libraries", lv)) }
            }
            mr.finish()
        }
        guard let logger = loggerName else {
            for m in modules { d.warning(m.path, at: m.at, "module \(JSONValue.quote(m.name)) is loaded but not modelled\(m.name == logrotateModule ? " unless --container_logger names it" : "")") }
            return
        }
        let prefix = "the agent does not start: Failed to create container logger: Failed to create container logger module '\(logger)'"
        guard let m = modules.first(where: { $0.name == logger }) else {
            d.error(r.keyPath("container_logger"), at: r.value["container_logger"], "\(prefix): Module '\(logger)' unknown (load it in \"modules\": {\"libraries\": [{\"file\": ..., \"modules\": [{\"name\": \"\(logger)\"}]}]})")
            return
        }
        guard logger == logrotateModule else {
            d.warning(r.keyPath("container_logger"), at: r.value["container_logger"], "container logger module \(JSONValue.quote(logger)) is not modelled: the sandbox logger's behaviour is used")
            return
        }
        // stout flags.load(values) with unknowns refused, then each flag's validation (lib_logrotate.cpp)
        let fail = "\(prefix): Error creating Module instance for '\(logger)' (Failed to parse parameters: "
        var sizes = ["max_stdout_size": Int64(10 * MiB), "max_stderr_size": Int64(10 * MiB)]
        var options: [String: String] = [:]
        for p in m.params {
            guard logrotateParameters.contains(p.key) else {
                d.error(p.path, at: p.at, "\(fail)Failed to load unknown flag '\(p.key)')\(Suggest.didYouMean(p.key, among: logrotateParameters))"); return
            }
            switch p.key {
            case "max_stdout_size", "max_stderr_size":
                switch stoutBytes(p.value) {
                case .failure(let e): d.error(p.path, at: p.at, "\(fail)Failed to load flag '\(p.key)': Failed to load value '\(p.value)': \(e.message))"); return
                case .success(let b):
                    if b < 4096 { d.error(p.path, at: p.at, "\(fail)Expected --max_stdout_size and --max_stderr_size of at least 4096 bytes)"); return }
                    sizes[p.key] = b
                }
            case "logrotate_stdout_options", "logrotate_stderr_options": options[p.key] = p.value
            case "libprocess_num_worker_threads":
                guard let n = UInt64(p.value) else { d.error(p.path, at: p.at, "\(fail)Failed to load flag '\(p.key)': Failed to load value '\(p.value)': Failed to convert into required type)"); return }
                if n < 1 { d.error(p.path, at: p.at, "\(fail)Expected --libprocess_num_worker_threads of at least 1)"); return }
            default: break   // launcher_dir, logrotate_path, environment_variable_prefix: paths on the agent, not checked
            }
        }
        var rotates: [String: Int?] = [:]
        for stream in ["stdout", "stderr"] {
            let key = "logrotate_\(stream)_options"
            let (keep, problem) = logrotateRotateCount(options[key] ?? "")
            rotates[stream] = keep
            if let problem, let p = m.params.last(where: { $0.key == key }) {
                d.warning(p.path, at: p.at, "logrotate refuses this configuration (\(problem)): every rotation of \(stream) fails and the module goes on appending to the file (logrotate.cpp ignores logrotate's failure), so it is not bounded")
            }
        }
        f.containerLogger = .logrotate(maxStdoutSize: sizes["max_stdout_size"]!, stdoutRotate: rotates["stdout"]!,
                                       maxStderrSize: sizes["max_stderr_size"]!, stderrRotate: rotates["stderr"]!)
    }

    /// stout `Bytes::parse`: digits then B, KB, MB, GB or TB (powers of 1024, any case).
    static func stoutBytes(_ s: String) -> Result<Int64, LogOptError> {
        let digits = s.prefix { $0.isASCII && $0.isNumber }
        let rest = s.dropFirst(digits.count)
        if rest.first == "." { return .failure(LogOptError("Fractional bytes '\(s)'")) }
        if rest.isEmpty { return .failure(LogOptError("Invalid bytes '\(s)'")) }
        guard let v = UInt64(digits) else { return .failure(LogOptError("Failed to convert '\(digits)' to number")) }
        let units: [String: Double] = ["B": 1, "KB": 1024, "MB": 1024 * 1024, "GB": 1024 * 1024 * 1024, "TB": 1024 * 1024 * 1024 * 1024]
        guard let mul = units[rest.uppercased()] else { return .failure(LogOptError("Unknown bytes unit '\(rest.uppercased())'")) }
        let b = Double(v) * mul
        guard b <= 1e18 else { return .failure(LogOptError("more than the simulator takes (at most 1e18 bytes)")) }
        return .success(Int64(b))
    }

    /// The `rotate N` directive of the logrotate options the module puts in its configuration file
    /// (one directive per line): logrotate's default is 0 (old versions removed). A count that is not
    /// a number makes logrotate refuse the file: (nil, the problem).
    static func logrotateRotateCount(_ options: String) -> (Int?, String?) {
        var keep = 0
        for line in options.split(whereSeparator: { $0 == "\n" || $0 == ";" }) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.first == "rotate" else { continue }
            guard words.count == 2, let n = Int(words[1]), n >= 0, n <= 100_000 else { return (nil, "bad rotation count '\(words.dropFirst().joined(separator: " "))'") }
            keep = n
        }
        return (keep, nil)
    }

    // MARK: value syntaxes

    /// The largest value of an agent resource (`--resources`, `--min_allocatable_resources`): a host's
    /// cpus limit, and 1e10 MB (10 PB) of mem or disk, so that Mesos' fixed-point sums
    /// (llround(x * 1000), apache/mesos src/common/values.cpp) over every agent fit 64 bits.
    static func maxAgentResource(_ name: String) -> Double { name == "cpus" ? maxHostCpus : 1e10 }

    /// "[31000-32000]" or "[31000-32000,33000-33100]".
    static func parsePorts(_ s: String) -> PortSet? {
        var t = Substring(s.filter { $0 != " " })
        guard t.hasPrefix("["), t.hasSuffix("]") else { return nil }
        t = t.dropFirst().dropLast()
        var ranges: [ClosedRange<Int>] = []
        for part in t.split(separator: ",") {
            let b = part.split(separator: "-")
            guard b.count == 2, let lo = Int(b[0]), let hi = Int(b[1]),
                  lo >= 0, hi <= 65535, lo <= hi else { return nil }
            ranges.append(lo...hi)
        }
        return ranges.isEmpty ? nil : PortSet(ranges)
    }

    static let portsDecoder: ValueDecoder<PortSet> = ValueDecoder<String>.string.map { s, v, p, d in
        if let x = parsePorts(s) { return x }
        d.error(p, at: v, "expected port ranges like \"[31000-32000]\" or \"[31000-31999,33000-33999]\", got \(JSONValue.quote(s))")
        return nil
    }

    /// "cpus:0.01|mem:32": alternatives separated by '|', each "name:value" pairs separated by ';'.
    static let minAllocatableDecoder: ValueDecoder<[Resources]> = ValueDecoder<String>.string.map { s, v, p, d in
        var out: [Resources] = []
        for alt in s.split(separator: "|", omittingEmptySubsequences: false) {
            var r = Resources()
            for pair in alt.split(separator: ";", omittingEmptySubsequences: false) {
                let kv = pair.split(separator: ":")
                guard kv.count == 2, let x = Double(kv[1]), x >= 0, x <= maxAgentResource(String(kv[0])) else {
                    d.error(p, at: v, "expected alternatives like \"cpus:0.01|mem:32\" (name:value pairs joined by ';', alternatives by '|'), got \(JSONValue.quote(s))"); return nil
                }
                switch kv[0] {
                case "cpus": r.cpus = Scalar(x)
                case "mem": r.memMB = Scalar(x)
                case "disk": r.diskMB = Scalar(x)
                default:
                    d.error(p, at: v, "unknown resource \(JSONValue.quote(String(kv[0])))\(Suggest.didYouMean(String(kv[0]), among: ["cpus", "mem", "disk"])); the simulator knows cpus, mem and disk"); return nil
                }
            }
            out.append(r)
        }
        return out
    }

    /// Mesos `--resources` "cpus:4;mem:8192;disk:100000;ports:[31000-32000]".
    static let agentResourcesDecoder: ValueDecoder<(cpus: Double?, mem: Double?, disk: Double?, ports: PortSet?)> = ValueDecoder<String>.string.map { s, v, p, d in
        var out: (cpus: Double?, mem: Double?, disk: Double?, ports: PortSet?) = (nil, nil, nil, nil)
        for pair in s.split(separator: ";") {
            guard let c = pair.firstIndex(of: ":") else { d.error(p, at: v, "expected \"name:value\" pairs joined by ';' like \"cpus:4;mem:8192\", got \(JSONValue.quote(s))"); return nil }
            // Resources::fromSimpleString trims the name; values::parse removes every space, and a
            // range's tokens split at line breaks too (src/common/resources.cpp, values.cpp@1.4.0)
            let name = pair[..<c].trimmingCharacters(in: .whitespacesAndNewlines), value = String(pair[pair.index(after: c)...]).filter { $0 != " " }
            if name == "ports" {
                guard let ps = parsePorts(value.filter { $0 != "\n" }) else { d.error(p, at: v, "bad ports \(JSONValue.quote(value)); like \"ports:[31000-32000]\""); return nil }
                out.ports = ps; continue
            }
            let most = maxAgentResource(String(name))
            guard let x = Double(value), x >= 0, x <= most else {
                // "8192\n" (a file's final newline) is no number for Mesos either: a TEXT value
                let text = Double(value.trimmingCharacters(in: .whitespacesAndNewlines)) != nil
                    ? " (the agent does not start: Bad type for resource \(name) value \(value) type TEXT; a file read by file:// keeps its final newline: write the file without one)" : ""
                d.error(p, at: v, "bad value \(JSONValue.quote(value)) for \(name); expected a number from 0 to \(NumberFormat.decimal(most))\(text)"); return nil
            }
            switch name {
            case "cpus": out.cpus = x
            case "mem": out.mem = x
            case "disk": out.disk = x
            default: d.error(p, at: v, "unknown resource \(JSONValue.quote(String(name)))\(Suggest.didYouMean(String(name), among: ["cpus", "mem", "disk", "ports"]))"); return nil
            }
        }
        return out
    }

    /// Mesos `--weights` "role1=2.0,role2=1".
    static let weightsDecoder: ValueDecoder<[RoleWeight]> = ValueDecoder<String>.string.map { s, v, p, d in
        var out: [RoleWeight] = []
        for pair in s.split(separator: ",") {
            let kv = pair.split(separator: "=")
            guard kv.count == 2, let w = Double(kv[1]), w > 0, w <= maxScenarioNumber else {
                d.error(p, at: v, "expected \"role=weight\" pairs joined by ',' like \"prod=2,dev=1\", got \(JSONValue.quote(s))"); return nil
            }
            out.append(RoleWeight(role: String(kv[0]), weight: w))
        }
        return out
    }
}

extension ScenarioSchema {
    /// A double as C++'s `operator<<` writes it by default (precision 6, `%g`): 1.5, -0.1, 2, 1e+06.
    static func ostreamDouble(_ x: Double) -> String { String(format: "%g", x) }
}
