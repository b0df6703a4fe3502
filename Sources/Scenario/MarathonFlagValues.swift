import ClusterModel
import Foundation

// How `marathon.flags` values are read as Marathon's command line reads them (Scallop), and the
// checks Marathon makes on the flags the simulator does not model (docs/marathon.md "Flags").
// Sources: scallop/scallop v1.0.0 and v3.1.2 / v3.3.2 (`DefaultConverters.scala`,
// `CliOptions.scala` ToggleOption, `Scallop.scala` verify, `Exceptions.scala`), and the
// Marathon files named at each check.

/// A JSON member of `marathon.flags` in command-line terms.
enum MarathonFlagArgument: Equatable {
    /// `--foo` alone: JSON `true`, `null`, and for a flag without a value also `""` / `"true"`.
    case noValue
    /// JSON `false` (and `"false"` for a flag without a value): a flag not given; for a toggle,
    /// its other form.
    case off
    /// `--foo value`: a JSON string, or a number's text.
    case value(String)
}

extension MarathonFlagsDecoder {
    /// The JSON value as the command line gives the flag; nil for an array or object.
    static func argument(_ v: JSONValue, takesValue: Bool) -> MarathonFlagArgument? {
        switch v.kind {
        case .null: return .noValue
        case .bool(let b): return b ? .noValue : .off
        case .number(let n): return .value(n.text)
        case .string(let s):
            if !takesValue {
                let t = s.trimmingCharacters(in: .whitespaces).lowercased()
                if t.isEmpty || t == "true" { return .noValue }
                if t == "false" { return .off }
            }
            return .value(s)
        default: return nil
        }
    }

    /// Whether `--name` takes a value on Marathon's command line: true for `opt[Long]`,
    /// `opt[Int]`, `opt[String]` and options with their own converters; false for a toggle, its
    /// `disable_` form and `opt[Boolean]` (Scallop's flag, given without a value); nil for a name
    /// no Marathon 1.4 to 1.10 knows. A flag of another release than `version` answers as in the
    /// releases that have it (the decoder then names them). A leading `--` is allowed.
    static func takesValue(_ name: String, version: MarathonVersion) -> Bool? {
        let key = name.hasPrefix("--") ? String(name.dropFirst(2)) : name
        guard let (e, negated) = MarathonFlagTable.lookup(key) else { return nil }
        if negated { return false }
        switch e.type {
        case .flag, .toggle: return false
        case .long, .int, .string: return true
        }
    }

    /// Scallop's error as Marathon prints it before it exits (ScallopConf `errorMessageHandler`,
    /// the default `printedName`; Marathon sets neither). Not in quotes: messages cut quoted
    /// strings longer than 100 characters (ErrorText).
    static func scallopSays(_ message: String) -> String { "Marathon refuses it: [scallop] Error: \(message)" }

    /// Java's Long.parseLong / Integer.parseInt, as Scala's `toLong` / `toInt`: an optional sign,
    /// ASCII digits, within the type's range.
    static func javaInteger(_ s: String, bits: Int) -> Int64? {
        var digits = Substring(s)
        var negative = false
        if let c = digits.first, c == "+" || c == "-" { negative = c == "-"; digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 20 else { return nil }
        guard let magnitude = UInt64(digits) else { return nil }
        let limit: UInt64 = bits == 32 ? UInt64(Int32.max) : UInt64(Int64.max)
        if negative {
            guard magnitude <= limit + 1 else { return nil }
            return magnitude == limit + 1 ? (bits == 32 ? Int64(Int32.min) : Int64.min) : -Int64(magnitude)
        }
        guard magnitude <= limit else { return nil }
        return Int64(magnitude)
    }

    /// A number given to an integer option: the value Scallop reads, or its message.
    static func scallopInteger(_ name: String, _ text: String, _ type: MarathonFlagTable.ValueType, version: MarathonVersion) -> Result<Int64, UnitError> {
        if let x = javaInteger(text, bits: type == .int ? 32 : 64) { return .success(x) }
        let range = type == .int ? "Int, \(Int32.min) to \(Int32.max)" : "Long, \(Int64.min) to \(Int64.max)"
        return .failure(UnitError("--\(name) is a whole number (Scallop \(range)), got \(JSONValue.quote(text)); "
                                  + scallopSays("Bad arguments for option '\(name)': '\(text)' - \(MarathonFlagTable.scallopNumberMessage(type, version: version))")))
    }

    // MARK: Marathon's own checks of flags the simulator does not model

    /// `--enable_features`: the features a release knows (Features.scala at the tags: vips,
    /// task_killing, external_volumes, secrets, gpu_resources; maintenance_mode from 1.6.0 and
    /// before 1.8.0, where `if (BuildInfo.version < SemVer(1, 8, 0))` drops it).
    static func availableFeatures(_ v: MarathonVersion) -> [String] {
        var out = ["vips", "task_killing", "external_volumes", "secrets", "gpu_resources"]
        if v >= MarathonVersion(1, 6, 0) && v < MarathonVersion(1, 8, 0) { out.append("maintenance_mode") }
        return out
    }

    /// Marathon's comma-separated list (MarathonConf / FeaturesConf `parseFeatures`, `parseList`:
    /// split at ",", trimmed, empty items dropped).
    static func commaList(_ s: String) -> [String] {
        var out: [String] = []
        for p in s.split(separator: ",", omittingEmptySubsequences: false) {
            let t = p.trimmingCharacters(in: .whitespacesAndNewlines)
            if !t.isEmpty && !out.contains(t) { out.append(t) }
        }
        return out
    }

    /// Names a Scallop `validate = Set(...).contains` accepts, per release.
    static func choices(_ name: String, _ v: MarathonVersion) -> (names: [String], caseInsensitive: Bool, source: String)? {
        switch name {
        case "leader_election_backend":
            return (v < MarathonVersion(1, 5, 0) ? ["twitter_commons", "curator"] : ["curator"], false, "MarathonConf.scala")
        case "internal_store_backend":
            return (v < MarathonVersion(1, 5, 0) ? ["legacy_zk", "mesos_zk", "mem", "zk"] : ["mem", "zk"], false, "storage/StorageConf.scala")
        case "metrics_datadog_protocol": return (["udp", "api"], false, "metrics/MetricsConf.scala")
        default: return nil
        }
    }

    /// Names an option's own converter accepts (`Left("Setting x is invalid. Valid settings are ...")`).
    static func settings(_ name: String, _ v: MarathonVersion) -> [String]? {
        switch name {
        case "group_role_behavior", "new_group_enforce_role": return ["off", "top"]
        case "accepted_resource_roles_default_behavior": return ["any", "unreserved", "reserved"]
        case "gpu_scheduling_behavior" where v >= MarathonVersion(1, 8, 0): return ["undefined", "restricted", "unrestricted"]
        default: return nil
        }
    }

    /// Scallop `validate` predicates on numbers (the name, and whether the value passes).
    static func numberValid(_ name: String, _ x: Int64) -> Bool? {
        switch name {
        case "zk_compression_threshold", "zk_max_node_size": return x >= 0
        case "metrics_histogram_reservoir_significant_digits": return x >= 0 && x <= 5
        case "metrics_histogram_reservoir_resetting_interval_ms", "metrics_statsd_port", "metrics_datadog_port",
             "metrics_statsd_transmission_interval_ms", "metrics_datadog_transmission_interval_ms": return x > 0
        case "metrics_histogram_reservoir_resetting_chunks": return x == 0 || x >= 2
        case "metrics_histogram_reservoir_highest_trackable_value": return x > 1
        default: return nil
        }
    }

    /// ZookeeperConf `ZKUrlPattern` (1.4.0 ...) / `ZkUrlPattern` (1.5.12 ...): `zk://`, optional
    /// `user:password@`, hosts `host[:port]` separated by commas (host characters `[A-z0-9-.]`, as
    /// Java reads that class: A to z takes in `[\]^_` and the backquote), then one or more `/node`.
    static func isZkURL(_ s: String) -> Bool {
        let host = #"[A-z0-9\-.]+(?::\d+)?"#
        let pattern = #"^zk://(?:[^/:]+:[^@]+@)?"# + host + "(?:," + host + #")*(?:/[^/]+)+$"#
        guard let re = try? NSRegularExpression(pattern: pattern) else { return false }
        return re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }

    /// Checks a value Marathon reads for a flag the simulator does not model. The message of the
    /// first problem (with Marathon's words), or nil.
    static func unmodelledProblem(_ e: MarathonFlagTable.Entry, value s: String, version v: MarathonVersion, features: [String]) -> String? {
        let name = e.name
        switch e.type {
        case .long, .int:
            switch scallopInteger(name, s, e.type, version: v) {
            case .failure(let err): return err.message
            case .success(let x):
                if let ok = numberValid(name, x), !ok {
                    return scallopSays("Validation failure for '\(name)' option parameters: \(s)") + " (\(e.source))"
                }
                return nil
            }
        case .flag, .toggle: return nil
        case .string: break
        }
        if name == "enable_features" {
            let known = availableFeatures(v)
            let unknown = commaList(s).filter { !known.contains($0) }
            if !unknown.isEmpty {
                return "unknown feature\(unknown.count == 1 ? "" : "s") \(unknown.map(JSONValue.quote).joined(separator: ", ")) in Marathon \(v); Marathon refuses it: "
                    + "requirement failed: Unknown features specified: \(unknown.joined(separator: ", ")). Available features are: \(known.joined(separator: ", "))"
                    + " (MarathonConf.scala validateFeatures; FeaturesConf.scala from 1.5; Features.scala)"
            }
            return nil
        }
        if let c = choices(name, v) {
            if !c.names.contains(s) {
                return "--\(name) is one of \(c.names.map(JSONValue.quote).joined(separator: ", ")) in Marathon \(v)\(Suggest.didYouMean(s, among: c.names)); "
                    + scallopSays("Validation failure for '\(name)' option parameters: \(s)") + " (\(c.source))"
            }
            return nil
        }
        if let names = settings(name, v) {
            if name == "gpu_scheduling_behavior" && s == "undefined" && v >= MarathonVersion(1, 9, 0) {
                return "Marathon \(v) refuses it: '--gpu_scheduling_behavior undefined' has been removed. Please set either restricted or unrestricted. (MarathonConf.scala gpuSchedulingBehaviorConverter)"
            }
            let caseInsensitive = name != "gpu_scheduling_behavior"
            if !names.contains(caseInsensitive ? s.lowercased() : s) {
                return scallopSays("Bad arguments for option '\(name)': '\(s)' - Setting \(s) is invalid. Valid settings are \(names.joined(separator: ", "))") + " (MarathonConf.scala)"
            }
            return nil
        }
        if name == "gpu_scheduling_behavior" {
            // 1.5.7 ... 1.7.x: a String checked by validateGpuSchedulingBehavior (require)
            let names = ["undefined", "restricted", "unrestricted"]
            if !features.contains("gpu_resources") && s != "undefined" {
                return "Marathon \(v) refuses it: requirement failed: gpu_resources must be set in order to use gpu_scheduling_behavior (MarathonConf.scala validateGpuSchedulingBehavior); add gpu_resources to enable_features"
            }
            if !names.contains(s) {
                return "Marathon \(v) refuses it: requirement failed: Setting \(s) is invalid. Valid settings are \(names.joined(separator: ", ")) (MarathonConf.scala validateGpuSchedulingBehavior)"
            }
            return nil
        }
        if name == "zk" || (name == "master" && s.prefix(5).lowercased() == "zk://" && v >= MarathonVersion(1, 5, 12)) {
            if !isZkURL(s) {
                let detail = v >= MarathonVersion(1, 5, 12)
                    ? scallopSays("Bad arguments for option '\(name)': '\(s)' - \(s) is not a valid zk url; it should formatted like zk://user:pass@host1:port1,host2:port2/path, or zk://host1:port1,host2:port2/marathon")
                    : scallopSays("Validation failure for '\(name)' option parameters: \(s)")
                return "--\(name) is a ZooKeeper URL like \"zk://zk1:2181,zk2:2181/marathon\"; " + detail + " (ZookeeperConf.scala)"
            }
            return nil
        }
        return nil
    }

    /// Scallop's checks across options (MarathonConf.scala, PluginManagerConfiguration.scala at
    /// every tag): `dependsOnAll(mesosAuthentication, List(mesosAuthenticationPrincipal))`,
    /// `mutuallyExclusive(mesosAuthenticationSecret, mesosAuthenticationSecretFile)`,
    /// `codependent(pluginConf, pluginDir)`, and from 1.8.180 `validate(maxRunningDeployments,
    /// groupVersionsCacheSize)`: the cache must hold more than twice the deployments (defaults 100
    /// and 1000). Messages as scallop ScallopConfBase.scala words them. False when one fails.
    static func crossChecks(_ given: [(name: String, path: String, member: JSONMember, args: [String])], flags: MarathonFlags,
                            version v: MarathonVersion, _ d: Diagnostics) -> Bool {
        func first(_ n: String) -> (name: String, path: String, member: JSONMember, args: [String])? { given.first { $0.name == n } }
        var ok = true
        if let a = first("mesos_authentication"), first("mesos_authentication_principal") == nil {
            d.error(a.path, at: a.member.value, "--mesos_authentication needs --mesos_authentication_principal; "
                    + scallopSays("When specifying 'mesos_authentication', all of the following options must also be provided: mesos_authentication_principal"))
            ok = false
        }
        if first("mesos_authentication_secret") != nil, let b = first("mesos_authentication_secret_file") {
            d.error(b.path, at: b.member.value, scallopSays("There should be only one or zero of the following options: mesos_authentication_secret, mesos_authentication_secret_file"))
            ok = false
        }
        let conf = first("plugin_conf"), dir = first("plugin_dir")
        if let one = conf ?? dir, (conf == nil) != (dir == nil) {
            d.error(one.path, at: one.member.value, scallopSays("Either all or none of the following options should be supplied, because they are co-dependent: plugin_conf, plugin_dir"))
            ok = false
        }
        if v >= MarathonVersion(1, 8, 0), let deployments = flags.maxRunningDeployments {
            let cacheGiven = first("group_versions_cache_size")
            let cache = cacheGiven.flatMap { $0.args.first }.flatMap { javaInteger($0, bits: 32) } ?? 1000
            if cacheGiven != nil || first("max_running_deployments") != nil, !(cache > 2 * Int64(deployments)) {
                let at = cacheGiven ?? first("max_running_deployments")!
                d.error(at.path, at: at.member.value, "group_versions_cache_size \(cache) is not more than twice max_running_deployments \(deployments); "
                        + scallopSays("group_versions_cache_size must be more than 2 times higher than max_running_deployments") + " (MarathonConf.scala from 1.8.180)")
                ok = false
            }
        }
        return ok
    }

    /// What Marathon says of a deprecated flag given in release `v` (its `--help` text, or the
    /// warning it logs), or nil.
    static func deprecation(_ name: String, value: String?, _ v: MarathonVersion) -> String? {
        switch name {
        case "max_tasks_per_offer":
            return "--max_tasks_per_offer is deprecated (Marathon's help: \"(deprecated) Maximum tasks per offer\"); --max_instances_per_offer replaces it and wins when both are given (core/matcher/manager/OfferMatcherManagerConfig.scala@v1.4.0 maxInstancesPerOffer)"
        case "event_subscriber" where value == "http_callback":
            return "Marathon 1.4 logs: HttpCallbackEventSubscriber support is deprecated with Marathon 1.4 and will be removed in an upcoming version. Please use the event stream instead. (core/event/EventModule.scala@v1.4.0); the simulator has no event callbacks"
        case "metrics" where v >= MarathonVersion(1, 5, 0):
            return "--metrics / --disable_metrics are ignored from Marathon 1.5 (its help: \"(Deprecated) Ignored\", DebugConf.scala)"
        case "reporter_graphite", "reporter_datadog", "metrics_averaging_window" where v >= MarathonVersion(1, 7, 50):
            return "--\(name) is deprecated since Marathon 1.7 (its help: \"[deprecated since 1.7]\", metrics/MetricsConf.scala)"
        case "revive_offers_repetitions" where v >= MarathonVersion(1, 8, 218):
            return "--revive_offers_repetitions has no effect from Marathon 1.8.218 (its help: \"Deprecated parameter; no longer has any effect\", core/launchqueue/ReviveOffersConfig.scala)"
        case "revive_offers_for_new_apps" where v >= MarathonVersion(1, 9, 32):
            return "--revive_offers_for_new_apps has no effect from Marathon 1.9 (its help: \"Deprecated, has no effect\", core/launchqueue/ReviveOffersConfig.scala)"
        case "default_accepted_resource_roles" where v >= MarathonVersion(1, 9, 64):
            return "--default_accepted_resource_roles is deprecated from Marathon 1.9.64 (its help: \"This parameter is deprecated, please use --accepted_resource_roles_default_behavior\", MarathonConf.scala)"
        default: return nil
        }
    }
}
