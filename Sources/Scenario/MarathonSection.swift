import ClusterModel
import Foundation
import SimKernel

// The `marathon` section: version, flags, where Marathon runs, apps and groups in the JSON of
// Marathon's v2 REST API (strictly, with Marathon's defaults), and the simulator's `behaviour`
// block. See docs/marathon.md.

public enum MarathonSection {
    /// Whether a string at this JSON path names a file holding an app or group definition
    /// (`"marathon": {"apps": ["apps/web.json"]}`). The include resolver reads such strings like
    /// `{"$include": "apps/web.json"}`, with the same path-safety rules.
    public static func isFileReferenceSite(_ path: String) -> Bool {
        for prefix in ["marathon.apps[", "marathon.groups["] where path.hasPrefix(prefix) && path.hasSuffix("]") {
            let digits = path.dropFirst(prefix.count).dropLast()
            return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
        }
        return false
    }

    /// Keys of the `marathon` object.
    public static var sectionKeys: [String] { ScenarioSchema.marathonKeys.names }

    /// Instances of all Marathon apps together: ten times the 10,000 tasks of the platform
    /// benchmark (docs/benchmarks.md), which runs at ~2,000 events per agent-hour.
    public static let maxTotalInstances = 100_000

    /// Mesos agents' default port range (mesos-agent --resources default "ports:[31000-32000]").
    public static let defaultAgentPorts = PortSet([31000...32000])

    /// Agent resources of a host group as Mesos would offer them if nothing were reserved: all CPUs,
    /// memory and disk in MB (MiB), ports 31000-32000.
    public static func agentResources(_ g: HostGroupSpec) -> Resources {
        Resources(cpus: Scalar(g.cpus), memMB: Scalar(Double(g.memoryBytes) / 1_048_576),
                  diskMB: Scalar(Double(g.diskBytes) / 1_048_576), ports: defaultAgentPorts)
    }
}

extension ScenarioSchema {
    /// Decodes the `marathon` section. `hostGroups` are the decoded host groups (their capacity
    /// bounds the apps); `hostGroupsComplete` is false when some host group could not be read.
    /// An app's JSON as the scenario gives it (after includes and overrides), for actions that
    /// change it (a deploy's `changes` are merged into it and decoded again).
    struct AppSource {
        var id: String; var group: String; var value: JSONValue
        /// The app's `marathon.behaviour` keys (its block over the default one): what a deploy
        /// action's `behaviour` overrides, key by key.
        var behaviour = MarathonBehaviours.Partial()
    }

    static func decodeMarathon(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool = true,
                               mesosVersion: MesosVersion = .baseline, _ d: Diagnostics, sources: ((AppSource) -> Void)? = nil) -> MarathonSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: marathonKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount

        // version first: it switches defaults
        var version = MarathonVersion.baseline
        if let vv = r.value("version"),
           let x: MarathonVersion = decodeReleaseVersion(vv, path: r.keyPath("version"), system: "Marathon", examples: "\"1.4\", \"1.4.9\", \"1.5.1\", \"1.10\"", short: "\"1.4\", \"1.4.9\" or \"1.10\"", d) {
            version = x
        }

        let flags = marathonSectionFlags(r, version: version, d).flatMap { MarathonFlagsDecoder.decode($0, path: r.keyPath("flags"), version: version, d) }
            ?? MarathonFlags(version: version)

        var hostGroup: String? = nil
        if let hv = r.value("hostGroup") {
            if let s = ValueDecoder<String>.nonEmptyString.decode(hv, r.keyPath("hostGroup"), d) {
                let names = hostGroups.map(\.name)
                if names.contains(s) || !hostGroupsComplete { hostGroup = s } else {
                    d.error(r.keyPath("hostGroup"), at: hv, "unknown host group \(JSONValue.quote(s))\(Suggest.didYouMean(s, among: names)); host groups: \(Suggest.listed(names))")
                }
            }
        }
        let instances = r.optional("instances", .int(min: 1, max: 99), default: 3)
        let datacenters = r.value("datacenters").map { decodeMarathonDatacenters($0, path: r.keyPath("datacenters"), hostGroups: hostGroups,
                                                                                 hostGroupsComplete: hostGroupsComplete, d) } ?? []

        // apps and groups
        let tree = MarathonTree(version: version, diagnostics: d)
        if let av = r.value("apps") {
            if let a = av.arrayValue {
                for (i, e) in a.enumerated() { tree.topLevelEntry(e, path: JSONPath.index(r.keyPath("apps"), i), inApps: true) }
            } else { d.error(r.keyPath("apps"), at: av, typeMismatch("an array of Marathon app definitions (objects or relative file paths)", av)) }
        }
        if let gv = r.value("groups") {
            if let a = gv.arrayValue {
                for (i, e) in a.enumerated() { tree.topLevelEntry(e, path: JSONPath.index(r.keyPath("groups"), i), inApps: false) }
            } else { d.error(r.keyPath("groups"), at: gv, typeMismatch("an array of Marathon group definitions (objects or relative file paths)", gv)) }
        }
        tree.finish()

        // Marathon accepts an id of any length; Mesos refuses task ids over 255 characters (from
        // 1.2.1; before, the agent aborts), so such an app loads and never runs (ClusterModel
        // Marathon/TaskIDs.swift, Mesos/MesosIDs.swift)
        for a in tree.apps {
            if let message = mesosIDLengthWarning(a.app, version: version, mesos: mesosVersion) {
                tree.warnings.append(MarathonTree.Note(path: JSONPath.key(a.path, "id"), value: a.value["id"], message: message))
            }
        }

        // work: the instances of every app together (see Limits in docs/scenarios.md)
        var totalInstances = 0
        for a in tree.apps {
            totalInstances += a.app.instances
            if totalInstances > MarathonSection.maxTotalInstances {
                d.error(JSONPath.key(a.path, "instances"), at: a.value["instances"] ?? a.value,
                        "the apps' instances add up to \(totalInstances) (app \(a.app.id) has \(a.app.instances)), more than the \(MarathonSection.maxTotalInstances) a scenario may run (see Limits in docs/scenarios.md)")
                break
            }
        }

        // capacity: an instance must fit some agent
        if hostGroupsComplete && !hostGroups.isEmpty {
            let agents = hostGroups.map(MarathonSection.agentResources)
            for a in tree.apps {
                let reasons = a.app.unplaceableReasons(agents: agents, checkFixedPorts: false)
                if !reasons.isEmpty {
                    d.error(a.path, at: a.value, "app \(a.app.id) can never be placed: " + reasons.joined(separator: "; ")
                            + " (each agent offers its whole host: the host group's cpus, memory and disk)")
                }
            }
        }

        let behaviour = r.value("behaviour").flatMap { MarathonBehaviourDecoder.decode($0, path: r.keyPath("behaviour"), apps: tree.apps.map(\.app.id), d) }
        r.finish()

        // service ports left at 0: Marathon assigns them from --local_port_min up (MarathonServicePorts)
        var apps = tree.apps.map(\.app)
        var taken = Set(apps.flatMap { $0.ports.map(\.servicePort) })
        let f = flags
        for i in apps.indices {
            if let problem = MarathonServicePorts.assign(&apps[i], taken: &taken, range: f.localPortMin..<f.localPortMax) {
                d.error(tree.apps[i].path, at: tree.apps[i].value, "app \(apps[i].id): \(problem)")
                break
            }
        }
        guard d.errorCount == before, let instances else { return nil }
        for a in tree.apps {
            sources?(AppSource(id: a.app.id, group: a.app.group, value: a.value, behaviour: behaviour?.layered(for: a.app.id) ?? MarathonBehaviours.Partial()))
        }
        for (i, w) in tree.warnings.enumerated() where !w.message.isEmpty { _ = i; d.warning(w.path, at: w.value, w.message) }
        let perApp = apps.map { behaviour?.resolved(for: $0.id) ?? AppBehaviour() }
        var spec = MarathonSpec(version: version, flags: flags, hostGroup: hostGroup, instances: instances, apps: apps,
                                groupTree: tree.groupDefinitions(), behaviour: perApp,
                                warnings: tree.warnings.map { "\($0.path): \($0.message)" })
        spec.datacenters = datacenters
        return spec
    }

    /// `marathon.datacenters`: objects with a unique `name` and an optional `hostGroup` (a known
    /// group). Whether each names a data center with agents is checked with the `mesos` section
    /// (`checkMarathonDatacenters`).
    static func decodeMarathonDatacenters(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool,
                                          _ d: Diagnostics) -> [MarathonDatacenter] {
        guard let list = ValueDecoder<[JSONValue]>.array(of: .json, nonEmpty: true).decode(v, path, d) else { return [] }
        var out: [MarathonDatacenter] = []
        let names = hostGroups.map(\.name)
        for (i, e) in list.enumerated() {
            let r = ObjectReader(e, path: JSONPath.index(path, i), diagnostics: d, keys: marathonDatacenterKeys)
            guard r.isObject else { continue }
            let name = r.required("name", .label, hint: "the data center this Marathon serves, like \"dc01\"")
            var dc = MarathonDatacenter(name: name ?? "")
            if let g = r.optional("hostGroup", .nonEmptyString) {
                if names.contains(g) || !hostGroupsComplete { dc.hostGroup = g } else {
                    d.error(r.keyPath("hostGroup"), at: r.value("hostGroup"), "unknown host group \(JSONValue.quote(g))\(Suggest.didYouMean(g, among: names)); host groups: \(Suggest.listed(names))")
                }
            }
            r.finish()
            guard let n = name else { continue }
            if out.contains(where: { $0.name == n }) {
                d.error(r.keyPath("name"), at: r.value("name"), "duplicate data center \(JSONValue.quote(n)): one Marathon per data center")
            } else { out.append(dc) }
        }
        return out
    }

    /// One Marathon per data center: each names a data center of the scenario whose host groups
    /// run Mesos agents, and the sections that talk to one Marathon are refused.
    static func checkMarathonDatacenters(_ marathon: MarathonSpec?, value: JSONValue?, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool,
                                         mesos: MesosSpec?, has: (String) -> Bool, _ d: Diagnostics) {
        guard let m = marathon, !m.datacenters.isEmpty, let list = value?["datacenters"]?.arrayValue else { return }
        let path = JSONPath.key("marathon", "datacenters")
        if hostGroupsComplete, let mesos {
            let masterGroup = mesos.masterHostGroup ?? (hostGroups.contains { $0.name == "master" } ? "master" : hostGroups.first?.name ?? "")
            let agentGroups = mesos.agentHostGroups ?? hostGroups.map(\.name).filter { $0 != masterGroup }
            var known: [String] = []
            for g in hostGroups where !known.contains(g.datacenter) { known.append(g.datacenter) }
            var withAgents: [String] = []
            for g in hostGroups where agentGroups.contains(g.name) && g.count > 0 && !withAgents.contains(g.datacenter) { withAgents.append(g.datacenter) }
            for (i, dc) in m.datacenters.enumerated() where !withAgents.contains(dc.name) {
                let p = JSONPath.key(JSONPath.index(path, i), "name")
                let at = list.indices.contains(i) ? list[i]["name"] : nil
                if !known.contains(dc.name) {
                    d.error(p, at: at, "no data center \(JSONValue.quote(dc.name))\(Suggest.didYouMean(dc.name, among: known)) has hosts; data centers: \(Suggest.listed(known))")
                } else {
                    d.error(p, at: at, "data center \(JSONValue.quote(dc.name)) runs no Mesos agents (agent host groups: \(Suggest.listed(agentGroups))); its Marathon would have nothing to run on; data centers with agents: \(Suggest.listed(withAgents))")
                }
            }
        }
        // work: every data center's Marathon runs every app (see Limits in docs/scenarios.md)
        let perMarathon = m.apps.reduce(0) { $0 + $1.instances }
        if perMarathon > MarathonSection.maxTotalInstances / m.datacenters.count {
            d.error(path, at: value?["datacenters"], "\(m.datacenters.count) Marathons each running the apps' \(perMarathon) instances make \(perMarathon * m.datacenters.count), more than the \(MarathonSection.maxTotalInstances) a scenario may run (see Limits in docs/scenarios.md)")
        }
        for section in ["marathonLB", "autoscale", "traffic", "consul", "prometheus"] where has(section) {
            d.error(path, at: value?["datacenters"], "one Marathon per data center with a `\(section)` section is not modelled (it reads one Marathon); remove one of them")
        }
    }
}

// MARK: - Flags

enum MarathonFlagsDecoder {
    /// `.period`: milliseconds of a timer that repeats itself; Marathon reads it without a check
    /// (Scallop `opt[Long]`, e.g. mesosphere/marathon src/main/scala/mesosphere/marathon/core/flow/
    /// LaunchTokenConfig.scala), but a zero period would fire at the same instant forever.
    enum Kind { case ms, period, seconds, count(min: Int), bool, string, port }

    struct Flag {
        var name: String
        var kind: Kind
        /// Versions that have the flag, and how to say so ("from Marathon 1.7").
        var availability: (has: @Sendable (MarathonVersion) -> Bool, text: String)? = nil
        var set: (inout MarathonFlags, FlagValue) -> Void
    }

    static func upTo(_ minor: Int) -> (has: @Sendable (MarathonVersion) -> Bool, text: String) {
        ({ $0 <= MarathonVersion(1, minor, 9999) }, "up to Marathon 1.\(minor)")
    }
    /// A flag the version predicate `has` says exists (backported flags: "from Marathon 1.5.11, 1.6.535 and 1.7").
    static func when(_ text: String, _ has: @escaping @Sendable (MarathonVersion) -> Bool) -> (has: @Sendable (MarathonVersion) -> Bool, text: String) {
        (has, text)
    }

    enum FlagValue { case duration(SimDuration), int(Int), bool(Bool), string(String) }

    static let flags: [Flag] = [
        Flag(name: "task_launch_timeout", kind: .ms) { if case .duration(let x) = $1 { $0.taskLaunchTimeout = x } },
        Flag(name: "task_launch_confirm_timeout", kind: .ms) { if case .duration(let x) = $1 { $0.taskLaunchConfirmTimeout = x } },
        Flag(name: "max_instances_per_offer", kind: .count(min: 1)) { if case .int(let x) = $1 { $0.maxInstancesPerOffer = x } },
        Flag(name: "max_tasks_per_offer", kind: .count(min: 1), availability: upTo(4)) { if case .int(let x) = $1 { $0.maxInstancesPerOffer = x } },
        Flag(name: "launch_tokens", kind: .count(min: 0)) { if case .int(let x) = $1 { $0.launchTokens = x } },
        Flag(name: "launch_token_refresh_interval", kind: .period) { if case .duration(let x) = $1 { $0.launchTokenRefreshInterval = x } },
        Flag(name: "offer_matching_timeout", kind: .ms) { if case .duration(let x) = $1 { $0.offerMatchingTimeout = x } },
        Flag(name: "decline_offer_duration", kind: .ms) { if case .duration(let x) = $1 { $0.declineOfferDuration = x } },
        Flag(name: "min_revive_offers_interval", kind: .ms) { if case .duration(let x) = $1 { $0.minReviveOffersInterval = x } },
        Flag(name: "revive_offers_repetitions", kind: .count(min: 1), availability: upTo(9)) { if case .int(let x) = $1 { $0.reviveOffersRepetitions = x } },
        Flag(name: "suppress_offers", kind: .bool, availability: when("from Marathon 1.5.11, 1.6.535 and 1.7", \.hasSuppressOffersFlag)) { if case .bool(let x) = $1 { $0.suppressOffers = x } },
        Flag(name: "reconciliation_initial_delay", kind: .ms) { if case .duration(let x) = $1 { $0.reconciliationInitialDelay = x } },
        Flag(name: "reconciliation_interval", kind: .period) { if case .duration(let x) = $1 { $0.reconciliationInterval = x } },
        Flag(name: "scale_apps_initial_delay", kind: .ms) { if case .duration(let x) = $1 { $0.scaleAppsInitialDelay = x } },
        Flag(name: "scale_apps_interval", kind: .period) { if case .duration(let x) = $1 { $0.scaleAppsInterval = x } },
        Flag(name: "failover_timeout", kind: .seconds) { if case .duration(let x) = $1 { $0.failoverTimeout = x } },
        Flag(name: "zk_session_timeout", kind: .ms) { if case .duration(let x) = $1 { $0.zkSessionTimeout = x } },
        Flag(name: "zk_timeout", kind: .ms) { if case .duration(let x) = $1 { $0.zkTimeout = x } },
        Flag(name: "zk_connection_timeout", kind: .ms, availability: when("from Marathon 1.4.9 and 1.5", \.hasZkConnectionTimeoutFlag)) { if case .duration(let x) = $1 { $0.zkConnectionTimeout = x } },
        Flag(name: "on_elected_prepare_timeout", kind: .ms) { if case .duration(let x) = $1 { $0.onElectedPrepareTimeout = x } },
        Flag(name: "mesos_heartbeat_interval", kind: .period) { if case .duration(let x) = $1 { $0.mesosHeartbeatInterval = x } },
        Flag(name: "mesos_heartbeat_failure_threshold", kind: .count(min: 1)) { if case .int(let x) = $1 { $0.mesosHeartbeatFailureThreshold = x } },
        Flag(name: "max_running_deployments", kind: .count(min: 1), availability: when("from Marathon 1.5.9, 1.6.486 and 1.7", \.hasMaxRunningDeploymentsFlag)) { if case .int(let x) = $1 { $0.maxRunningDeployments = x } },
        Flag(name: "local_port_min", kind: .port) { if case .int(let x) = $1 { $0.localPortMin = x } },
        Flag(name: "local_port_max", kind: .port) { if case .int(let x) = $1 { $0.localPortMax = x } },
        Flag(name: "task_lost_expunge_initial_delay", kind: .ms) { if case .duration(let x) = $1 { $0.taskLostExpungeInitialDelay = x } },
        Flag(name: "task_lost_expunge_interval", kind: .period) { if case .duration(let x) = $1 { $0.taskLostExpungeInterval = x } },
        Flag(name: "minimum_viable_task_execution_duration", kind: .ms, availability: when("only in Marathon 1.5.0", { $0 == MarathonVersion(1, 5, 0) })) { if case .duration(let x) = $1 { $0.minimumViableTaskExecutionDuration = x } },
        Flag(name: "mesos_role", kind: .string) { if case .string(let x) = $1 { $0.mesosRole = x } },
        Flag(name: "http_port", kind: .port) { if case .int(let x) = $1 { $0.httpPort = x } },
    ]

    /// The flags the simulator knows: the declared ones (ScenarioKeys+Marathon.swift
    /// `marathonFlagKeys`, which the docs' flag table is generated from); `flags` gives each its
    /// unit and setter (ScenarioTests checks that both list the same names in the same order).
    static var names: [String] { ScenarioSchema.marathonFlagKeys.names }

    /// The reader of a declared flag.
    static func flag(_ name: String) -> Flag? {
        guard ScenarioSchema.marathonFlagKeys.declares(name) else { return nil }
        guard let f = flags.first(where: { $0.name == name }) else { preconditionFailure("Marathon flag \(name) is declared but has no reader") }
        return f
    }

    /// Marathon's default of a period flag, in milliseconds ("30000").
    static func defaultText(_ name: String) -> String {
        let f = MarathonFlags(version: .baseline)
        let periods: [(String, SimDuration)] = [
            ("launch_token_refresh_interval", f.launchTokenRefreshInterval), ("reconciliation_interval", f.reconciliationInterval),
            ("scale_apps_interval", f.scaleAppsInterval), ("task_lost_expunge_interval", f.taskLostExpungeInterval),
            ("mesos_heartbeat_interval", f.mesosHeartbeatInterval)]
        return periods.first { $0.0 == name }.map { "\($0.1.nanoseconds / 1_000_000)" } ?? "?"
    }

    static func available(_ f: Flag, _ v: MarathonVersion) -> Bool { f.availability.map { $0.has(v) } ?? true }

    static func decode(_ v: JSONValue, path: String, version: MarathonVersion, _ d: Diagnostics) -> MarathonFlags? {
        var out = MarathonFlags(version: version)
        guard let members = v.objectMembers else { d.error(path, at: v, typeMismatch("an object of Marathon command-line flags, like {\"task_launch_timeout\": 300000}", v)); return nil }
        var ok = true
        /// Each flag's occurrences as Scallop collects them (a toggle's two forms are one option).
        var given: [(name: String, path: String, member: JSONMember, args: [String])] = []
        var unmodelled: [String] = []
        var features: [String] = []
        var gpuCheck: (entry: MarathonFlagTable.Entry, value: String, path: String, member: JSONMember)? = nil
        let instancesGiven = members.contains { ($0.key.hasPrefix("--") ? String($0.key.dropFirst(2)) : $0.key) == "max_instances_per_offer" }
        for m in members {
            let p = JSONPath.key(path, m.key)
            let key = m.key.hasPrefix("--") ? String(m.key.dropFirst(2)) : m.key
            guard let (entry, negated) = MarathonFlagTable.lookup(key) else {
                d.error(p, location: m.keyLocation ?? m.value.location, "unknown Marathon flag \(JSONValue.quote(m.key)): no Marathon 1.4 to 1.10 has it; \(scallopSays("Unknown option '\(key)'"))"
                        + "\(Suggest.didYouMean(key, among: MarathonFlagTable.entries.map(\.name)))"
                        + "; modelled flags: \(names.joined(separator: ", "))")
                ok = false; continue
            }
            let takes = entry.type != .flag && entry.type != .toggle && !negated
            guard let arg = argument(m.value, takesValue: takes) else {
                d.error(p, at: m.value, typeMismatch(takes ? "the value of --\(entry.name) (a string as on Marathon's command line, or a number)" : "true (--\(key) given) or false", m.value))
                ok = false; continue
            }
            // the option's occurrences, for Scallop's "exactly one" rules
            switch arg {
            case .off where entry.type == .flag: break
            case .value(let s): given.append((entry.name, p, m, [s]))
            default: given.append((entry.name, p, m, []))
            }
            if let f = flag(entry.name) {
                if !available(f, version) {
                    d.error(p, location: m.keyLocation ?? m.value.location, "--\(f.name) exists \(f.availability?.text ?? ""); marathon.version is \(version)")
                    ok = false; continue
                }
                if let note = deprecation(entry.name, value: nil, version) { d.warning(p, at: m.value, note) }
                if entry.name == "max_tasks_per_offer" && instancesGiven { continue }
                if let value = modelledValue(f, entry: entry, negated: negated, arg: arg, member: m, path: p, version: version, d) { f.set(&out, value) } else { ok = false }
                continue
            }
            guard entry.exists(in: version) else {
                d.error(p, location: m.keyLocation ?? m.value.location, "--\(entry.name) exists in \(entry.versionsText); marathon.version is \(version), whose Marathon refuses it: [scallop] Error: Unknown option '\(key)'")
                ok = false; continue
            }
            if !unmodelled.contains(key) { unmodelled.append(key) }
            switch arg {
            case .value(let s) where takes:
                if entry.name == "gpu_scheduling_behavior" && version < MarathonVersion(1, 8, 0) { gpuCheck = (entry, s, p, m); break }
                if let problem = unmodelledProblem(entry, value: s, version: version, features: []) {
                    d.error(p, at: m.value, problem); ok = false
                } else if entry.name == "enable_features" { features = commaList(s) }
                if let note = deprecation(entry.name, value: s, version) { d.warning(p, at: m.value, note) }
            case .value(let s):
                d.error(p, at: m.value, "--\(key) takes no value (Scallop \(entry.type == .toggle ? "toggle" : "flag")); give true (or \"true\", \"\" or null) for --\(key)\(entry.type == .toggle ? ", false for the other form" : ", false for not given"), got \(JSONValue.quote(s)); " + scallopSays("Excess arguments provided: '\(s)'"))
                ok = false
            case .noValue, .off:
                if takes {
                    d.error(p, at: m.value, "--\(entry.name) takes one value; " + scallopSays("Bad arguments for option '\(entry.name)': '' - you should provide exactly one argument"))
                    ok = false
                } else if let note = deprecation(entry.name, value: nil, version) { d.warning(p, at: m.value, note) }
            }
        }
        // --enable_features: task_killing is modelled (the TASK_KILLING_STATE capability); the others
        // are accepted without effect
        out.taskKillingState = features.contains("task_killing")
        if !features.isEmpty && features.allSatisfy({ $0 == "task_killing" }) { unmodelled.removeAll { $0 == "enable_features" } }
        if let g = gpuCheck, let problem = unmodelledProblem(g.entry, value: g.value, version: version, features: features) {
            d.error(g.path, at: g.member.value, problem); ok = false
        }
        // an option given more than once (a toggle in both forms): Scallop's converters take one occurrence
        var seen: [String] = []
        for g in given where !seen.contains(g.name) {
            seen.append(g.name)
            let all = given.filter { $0.name == g.name }
            guard all.count > 1, let type = MarathonFlagTable.entry(g.name)?.type else { continue }
            let args = all.map { $0.args.joined(separator: " ") }.joined(separator: " ")
            let why = type == .toggle ? "wrong arguments format" : type == .flag ? "too many arguments for flag option" : "you should provide exactly one argument for this option"
            let keys = all.map { JSONValue.quote($0.member.key) }.joined(separator: " and ")
            d.error(all[1].path, at: all[1].member.value, "--\(g.name) is given \(all.count) times (\(keys))\(type == .toggle ? ", a toggle in both forms or twice" : ""); "
                    + scallopSays("Bad arguments for option '\(g.name)': '\(args)' - \(why)"))
            ok = false
        }
        if !crossChecks(given.map { ($0.name, $0.path, $0.member, $0.args) }, flags: out, version: version, d) { ok = false }
        if ok && out.localPortMin >= out.localPortMax {
            d.error(JSONPath.key(path, "local_port_min"), at: v["local_port_min"] ?? v, "local_port_min \(out.localPortMin) must be less than local_port_max \(out.localPortMax)")
            ok = false
        }
        if ok && !unmodelled.isEmpty {
            d.warning(path, at: v, "Marathon \(version) flags accepted but not modelled (checked as Marathon checks them, no effect here): \(unmodelled.joined(separator: ", "))")
        }
        return ok ? out : nil
    }

    /// A modelled flag's value: JSON as before (numbers in the flag's unit, Go durations), or the
    /// command-line string Marathon reads ("300000", "true"); a toggle's `disable_` form.
    static func modelledValue(_ f: Flag, entry: MarathonFlagTable.Entry, negated: Bool, arg: MarathonFlagArgument,
                              member m: JSONMember, path p: String, version: MarathonVersion, _ d: Diagnostics) -> FlagValue? {
        if case .bool = f.kind {
            switch arg {
            case .noValue: return .bool(!negated)
            case .off: return .bool(negated)
            case .value(let s):
                d.error(p, at: m.value, "--\(m.key) is a toggle: true (or \"true\", \"\" or null) gives --\(entry.name)\(negated ? "'s disable_ form" : ""), false the other form; got \(JSONValue.quote(s)); " + scallopSays("Excess arguments provided: '\(s)'"))
                return nil
            }
        }
        if negated {
            d.error(p, location: m.keyLocation ?? m.value.location, "--\(entry.name) is not a toggle; there is no --disable_\(entry.name)")
            return nil
        }
        var value = m.value
        if case .value(let s) = arg, m.value.stringValue != nil {
            if let x = javaInteger(s, bits: entry.type == .int ? 32 : 64), entry.type != .string {
                value = JSONValue(.number(JSONNumber(text: String(x), double: Double(x))), location: m.value.location)
            } else if entry.type == .long || entry.type == .int {
                let duration: Bool = { switch f.kind { case .ms, .period, .seconds: return true; default: return false } }()
                if !duration || GoDuration.parse(s.trimmingSpaces) == nil {
                    if case .failure(let e) = scallopInteger(entry.name, s, entry.type, version: version) {
                        let unit: String
                        switch f.kind {
                        case .ms, .period: unit = "whole milliseconds (Marathon's unit for --\(entry.name), as on its command line: \"300000\") or a Go duration string like \"5s\""
                        case .seconds: unit = "whole seconds (Marathon's unit for --\(entry.name), as on its command line: \"604800\") or a Go duration string like \"168h\""
                        default: unit = "a whole number"
                        }
                        d.error(p, at: m.value, "expected \(unit), got \(JSONValue.quote(s)); " + e.message.components(separatedBy: "; ").dropFirst().joined(separator: "; "))
                        return nil
                    }
                }
            }
        } else if case .value = arg, let n = m.value.numberValue, entry.type == .int, let i = n.int64, i > Int64(Int32.max) || i < Int64(Int32.min) {
            if case .failure(let e) = scallopInteger(entry.name, n.text, .int, version: version) { d.error(p, at: m.value, e.message); return nil }
        }
        switch arg {
        case .noValue, .off:
            d.error(p, at: m.value, "--\(entry.name) takes one value; " + scallopSays("Bad arguments for option '\(entry.name)': '' - you should provide exactly one argument"))
            return nil
        case .value: break
        }
        if entry.type == .string, let n = value.numberValue { value = JSONValue(.string(n.text), location: value.location) }
        return decodeModelled(f, value, path: p, d)
    }

    static func decodeModelled(_ f: Flag, _ mv: JSONValue, path p: String, _ d: Diagnostics) -> FlagValue? {
        let value: FlagValue?
        switch f.kind {
        case .ms, .period:
            let period: Bool = { if case .period = f.kind { return true } else { return false } }()
            let least = period ? 1 : 0
            let maxMs = ScenarioUnits.maxDuration.nanoseconds / 1_000_000
            if let n = mv.numberValue {
                if let i = n.int64, i >= least, i <= maxMs { value = .duration(.milliseconds(i)) }
                else if period, n.int64 == 0 {
                    d.error(p, at: mv, "--\(f.name) is the period of a timer that repeats itself: Marathon accepts 0, but a zero period would fire at the same instant forever and cannot be simulated; give at least 1 (ms), Marathon's default is \(MarathonFlagsDecoder.defaultText(f.name))"); value = nil
                }
                else { d.error(p, at: mv, "expected a whole number of milliseconds from \(least) to \(maxMs) (Marathon's unit for --\(f.name); at most \(ScenarioUnits.maxDurationText)) or a Go duration string like \"5s\", got \(n.text)"); value = nil }
            } else if mv.stringValue != nil {
                value = ValueDecoder<SimDuration>.duration(period ? .positive : .nonNegative).decode(mv, p, d).map { .duration($0) }
            } else { d.error(p, at: mv, typeMismatch("a number of milliseconds (Marathon's unit for --\(f.name)) or a Go duration string", mv)); value = nil }
        case .seconds:
            let maxS = ScenarioUnits.maxDuration.nanoseconds / 1_000_000_000
            if let n = mv.numberValue {
                if let i = n.int64, i >= 0, i <= maxS { value = .duration(.seconds(i)) }
                else { d.error(p, at: mv, "expected a whole number of seconds from 0 to \(maxS) (Marathon's unit for --\(f.name); at most \(ScenarioUnits.maxDurationText)), got \(n.text)"); value = nil }
            } else {
                value = ValueDecoder<SimDuration>.duration(.nonNegative).decode(mv, p, d).map { .duration($0) }
            }
        case .count(let minimum): value = ValueDecoder<Int>.int(min: minimum).decode(mv, p, d).map { .int($0) }
        case .port: value = ValueDecoder<Int>.int(min: 1, max: 65535).decode(mv, p, d).map { .int($0) }
        case .bool: value = ValueDecoder<Bool>.bool.decode(mv, p, d).map { .bool($0) }
        case .string: value = ValueDecoder<String>.nonEmptyString.decode(mv, p, d).map { .string($0) }
        }
        return value
    }
}

extension ScenarioSchema {
    /// A release key (`mesos.version`, `marathon.version`): a string "major.minor" or
    /// "major.minor.patch" in the supported range. `system` names the product in the messages;
    /// `examples` are the unsupported-version hint's, `short` the malformed-version hint's. Nil
    /// (with one error) when it cannot be used; a number that names a supported release is an
    /// error and is still returned.
    static func decodeReleaseVersion<V: ReleaseVersion>(_ vv: JSONValue, path p: String, system: String, examples: String, short: String,
                                                        _ d: Diagnostics) -> V? {
        guard let s = vv.stringValue ?? vv.numberValue?.text else {
            d.error(p, at: vv, typeMismatch("a version string like \"1.4\"", vv))
            return nil
        }
        guard let x = V(parsing: s) else {
            d.error(p, at: vv, "expected a \(system) version like \(short) (major.minor or major.minor.patch), got \(vv.brief); supported: \(V.supportedRange)")
            return nil
        }
        guard x.isSupported else {
            d.error(p, at: vv, "\(system) \(JSONValue.quote(s)) is not supported; supported versions: \(V.supportedRange) (like \(examples))")
            return nil
        }
        if vv.numberValue != nil {
            // an error, but the release it names is used for the rest of the section (its flags)
            d.error(p, at: vv, "write the version as a string, like \"\(s)\" (as a number, 1.10 would read as 1.1)")
        }
        return x
    }
}
