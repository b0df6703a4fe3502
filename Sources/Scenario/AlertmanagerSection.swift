import ClusterModel
import SimKernel

// The `alertmanager` section (issue 11): the instances' hosts, the configuration (an
// alertmanager.yml written as JSON, in a file beside the scenario or inline; read by
// AlertmanagerConfigFile.swift with Alertmanager's rules), flags under their real names, and the
// silences created during the run (amtool's or the API's matcher syntax). See docs/alertmanager.md.

extension ScenarioSchema {
    static func decodeAlertmanager(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool,
                                   duration: SimDuration?, _ d: Diagnostics) -> AlertmanagerSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: alertmanagerKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let dir = HostDirectory(groups: hostGroups.map { ($0.name, $0.count) }, complete: hostGroupsComplete)
        let hosts = r.required("hosts", .array(of: .nonEmptyString, nonEmpty: true), hint: "the hosts Alertmanager runs on, like [\"mon-1\"]") ?? []
        var seen = Set<String>()
        for (i, h) in hosts.enumerated() {
            let p = JSONPath.index(r.keyPath("hosts"), i), at = r.value["hosts"]?.arrayValue?[i]
            if !seen.insert(h).inserted { d.error(p, at: at, "host \(JSONValue.quote(h)) is listed twice (one instance per host)") }
            else if let problem = dir.problem(with: h) { d.error(p, at: at, problem) }
        }
        var config: AlertmanagerConfig? = nil
        if let cv = r.value("config") {
            let cp = r.keyPath("config")
            if let rel = cv.stringValue {
                config = readAlertmanagerConfig(rel, path: cp, at: cv, d)
            } else if cv.objectMembers != nil {
                config = AlertmanagerConfigFile.decode(cv, base: cp, d)
            } else {
                d.error(cp, at: cv, typeMismatch("a path to an alertmanager.yml written as JSON (relative to the scenario) or the configuration itself (an object)", cv))
            }
        } else {
            d.error(path, at: v, "alertmanager needs \"config\": the path of its configuration (alertmanager.yml written as JSON) or the configuration object")
        }
        var peerTimeout = AlertmanagerSpec.defaultPeerTimeout
        var maintenance = AlertmanagerSpec.defaultMaintenanceInterval
        var retention = AlertmanagerSpec.defaultRetention
        if let given = kingpinSectionFlags(r, program: .alertmanager, d) {
            // every other flag of Alertmanager 0.25.0: parsed, warned as not modelled (KingpinFlags.swift)
            let fv = prepareKingpinFlags(given, path: r.keyPath("flags"), program: .alertmanager, modelled: alertmanagerFlagKeys, d)
            // an empty --cluster.listen-address disables HA mode (main.go: no cluster.Create): each
            // instance would notify on its own, which the model of several hosts (one gossiping
            // cluster, peer positions) does not describe
            if hosts.count > 1, let m = given.objectMembers?.last(where: { $0.key == "cluster.listen-address" }), m.value.stringValue == "" {
                d.error(JSONPath.key(r.keyPath("flags"), "cluster.listen-address"), at: m.value, "an empty --cluster.listen-address disables HA mode: \(hosts.count) instances would not gossip and each would send every notification; the simulator models several hosts as one HA cluster only: remove the flag, or list one host")
            }
            let f = ObjectReader(fv, path: r.keyPath("flags"), diagnostics: d, keys: alertmanagerFlagKeys)
            if let x = f.optional("cluster.peer-timeout", .duration(.nonNegative)) {
                if x > .minutes(10) { d.error(f.keyPath("cluster.peer-timeout"), at: fv["cluster.peer-timeout"], "at most 10m here (a peer waits its position times this within one group_interval), got \(x)") }
                else { peerTimeout = x }
            }
            if let x = f.optional("data.maintenance-interval", .duration(.positive)) {
                if x > .hours(24 * 365) { d.error(f.keyPath("data.maintenance-interval"), at: fv["data.maintenance-interval"], "at most 1y, got \(x)") }
                else { maintenance = x }
            }
            if let x = f.optional("data.retention", .duration(.positive)) {
                if x > .hours(24 * 365 * 10) { d.error(f.keyPath("data.retention"), at: fv["data.retention"], "at most 10y, got \(x)") }
                else { retention = x }
            }
            f.finish()
        }
        var silences: [AlertmanagerSilence] = []
        if let sv = r.value("silences") {
            guard let a = sv.arrayValue else { d.error(r.keyPath("silences"), at: sv, typeMismatch("an array of silences", sv)); r.finish(); return nil }
            for (i, e) in a.enumerated() {
                if let s = decodeSilence(e, path: JSONPath.index(r.keyPath("silences"), i), d) { silences.append(s) }
            }
        }
        r.finish()
        guard d.errorCount == before, let config else { return nil }
        var spec = AlertmanagerSpec(hosts: hosts, config: config, peerTimeout: peerTimeout, silences: silences)
        spec.maintenanceInterval = maintenance
        spec.retention = retention
        return spec
    }

    static func readAlertmanagerConfig(_ rel: String, path p: String, at v: JSONValue, _ d: Diagnostics) -> AlertmanagerConfig? {
        guard let root = d.baseDirectory else {
            d.error(p, at: v, "configuration files can only be read from a scenario file (its folder is where the path starts); give the configuration inline here")
            return nil
        }
        guard let text = readSideFile(rel, kind: "Alertmanager configuration", base: root, maxBytes: IncludeLimits.maxTotalBytes, path: p, at: v, d) else { return nil }
        let parsed = JSONParser.parse(text, file: rel)
        for e in parsed.errors { d.append(ScenarioError(path: "", file: rel, line: e.line, column: e.column, message: "\(e.message) (\(YAMLFiles.hint("alertmanager.yml")))")) }
        guard parsed.errors.isEmpty, let value = parsed.value else { return nil }
        return AlertmanagerConfigFile.decode(value, base: "", d)
    }

    /// One silence: amtool's matchers (`alertname="NodeDown"`, `instance=~"slave-.*"`) or the
    /// API's objects; silence/silence.go validateSilence's rules.
    static func decodeSilence(_ v: JSONValue, path: String, _ d: Diagnostics) -> AlertmanagerSilence? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: alertmanagerSilenceKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let at = r.required("at", .duration(.nonNegative), hint: "when the silence is created, like \"2h\"")
        let length = r.required("duration", .duration(.positive), hint: "how long it lasts, like \"1h\" (endsAt must be after startsAt)")
        var matchers: [LabelMatcher] = []
        let mp = r.keyPath("matchers")
        if let mv = r.value("matchers") {
            if let a = mv.arrayValue, !a.isEmpty {
                for (i, e) in a.enumerated() {
                    let p = JSONPath.index(mp, i)
                    if let s = e.stringValue {
                        do { matchers.append(try AlertmanagerMatcherSyntax.parse(s)) } catch { d.error(p, at: e, error.message) }
                    } else if let m = decodeAPIMatcher(e, path: p, d) { matchers.append(m) }
                }
            } else { d.error(mp, at: mv, "a silence needs at least one matcher: a non-empty array (\"alertname=\\\"NodeDown\\\"\" or {\"name\", \"value\", \"isRegex\", \"isEqual\"})") }
        } else if r.value("at") != nil { d.error(path, at: v, "at least one matcher required (\"matchers\")") }
        if !matchers.isEmpty && matchers.allSatisfy({ $0.matches("") }) {
            d.error(mp, at: r.value("matchers"), "at least one matcher must not match the empty string")
        }
        let createdBy = r.optional("createdBy", .string, default: "clustersim") ?? ""
        let comment = r.optional("comment", .string, default: "") ?? ""
        r.finish()
        guard d.errorCount == before, let at, let length else { return nil }
        return AlertmanagerSilence(at: SimTime.zero + at, duration: length, matchers: matchers, createdBy: createdBy, comment: comment)
    }

    static func decodeAPIMatcher(_ v: JSONValue, path: String, _ d: Diagnostics) -> LabelMatcher? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: alertmanagerAPIMatcherKeys)
        guard r.isObject else { return nil }
        let name = r.required("name", .nonEmptyString)
        let value = r.required("value", .string)
        let isRegex = r.required("isRegex", .bool)
        let isEqual = r.optional("isEqual", .bool, default: true)
        r.finish()
        guard let name, let value, let isRegex, let isEqual else { return nil }
        guard AlertmanagerMatcherSyntax.isLabelName(name) else { d.error(r.keyPath("name"), at: r.value["name"], "invalid label name \(JSONValue.quote(name))"); return nil }
        let type: LabelMatchType = isRegex ? (isEqual ? .regexMatch : .regexNoMatch) : (isEqual ? .equal : .notEqual)
        do { return try LabelMatcher(name, type, value) } catch {
            d.error(r.keyPath("value"), at: r.value["value"], "invalid regular expression \(JSONValue.quote(value)): \((error as? LabelMatcherError)?.reason ?? "")"); return nil
        }
    }

    static let alertmanagerKeys = SectionKeys("alertmanager", [
        KeySpec("hosts", "array of strings", default: "—", allowed: "Host names (`mon-01`), each at most once; required.",
                meaning: "One Alertmanager instance per host, listening on port 9093, in this order (an HA cluster when several: the order is the peer position).",
                source: "prometheus/alertmanager:cmd/alertmanager/main.go `--web.listen-address` default `:9093`"),
        KeySpec("config", "string or object", default: "—", allowed: "A path relative to the scenario (inside its folder) of an `alertmanager.yml` written as JSON, or the same content inline; required. Loaded with Alertmanager's rules: see below.",
                meaning: "The routing tree, receivers and inhibition rules."),
        KeySpec("flags", "object", default: "`{}`", allowed: "See `alertmanager.flags`.", meaning: "Command-line flags, under their real names."),
        KeySpec("flagsFrom", "array", default: "none", allowed: #"Deployed sources of flags: `{"commandLine": "/usr/bin/prometheus-alertmanager $ARGS --cluster.peer=mon-02:9094"}`, `{"environmentFile": "deploy/default/prometheus-alertmanager"}` (only for the command line's `$NAME`s; without a command line, its `ARGS` is the command line, as the Debian unit runs it). Paths relative to the scenario's folder. See [Flags as deployed](scenarios.md#flags-as-deployed)."#,
                meaning: "The flags as deployed, read as kingpin reads a command line; `flags` wins over them."),
        KeySpec("silences", "array of objects", default: "`[]`", allowed: "See `alertmanager.silences[i]`.",
                meaning: "Silences created during the run (as `amtool silence add` or the API would), gossiped to every instance running then; a restarted instance has those in its snapshot on disk and its peers'."),
    ])

    static let alertmanagerFlagKeys = SectionKeys("alertmanager.flags", [
        KeySpec("cluster.peer-timeout", "duration", default: "15s", allowed: "From 0 to 10m.",
                meaning: "HA: the instance at peer position n waits n × this before deduplicating and sending a flush's notification, so a peer that already sent it (its notification log entry gossiped) is not repeated.",
                source: "prometheus/alertmanager:cmd/alertmanager/main.go `cluster.peer-timeout` Default(\"15s\"); notify/notify.go WaitStage"),
        KeySpec("data.maintenance-interval", "duration", default: "15m", allowed: "> 0, at most 1y.",
                meaning: "The notification log is written to disk this often from the process' start, and at an orderly shutdown (a reboot); a restarted instance starts from that snapshot, so it does not repeat what it had notified (a crash loses what came after the last snapshot).",
                source: "prometheus/alertmanager:cmd/alertmanager/main.go@v0.25.0 `data.maintenance-interval` Default(\"15m\"); nflog/nflog.go run (snapshot on each tick and on stop), New (loadSnapshot)"),
        KeySpec("data.retention", "duration", default: "120h", allowed: "> 0, at most 10y.",
                meaning: "A notification log entry expires after the shorter of this and twice its route's repeat_interval; an expired entry no longer deduplicates, so the next flush notifies again.",
                source: "prometheus/alertmanager:cmd/alertmanager/main.go@v0.25.0 `data.retention` Default(\"120h\"); nflog/nflog.go Log; notify/notify.go SetNotifiesStage (expiry 2 × repeat)"),
    ])

    static let alertmanagerSilenceKeys = SectionKeys("alertmanager.silences[i]", [
        KeySpec("at", "duration", default: "—", allowed: ">= 0; required.", meaning: "When the silence is created and starts (its startsAt)."),
        KeySpec("duration", "duration", default: "—", allowed: "> 0; required.", meaning: "endsAt − startsAt: the silence mutes while startsAt <= now < endsAt.",
                source: "prometheus/alertmanager:silence/silence.go validateSilence (end time must not be before start time)"),
        KeySpec("matchers", "array", default: "—", allowed: "Non-empty; each a string in amtool's syntax (`alertname=\"NodeDown\"`, `instance=~\"slave-.*\"`, unquoted values allowed) or an API object {`name`, `value`, `isRegex`, `isEqual` (default true)}; at least one must not match the empty string.",
                meaning: "An alert is muted when it matches every matcher.", source: "prometheus/alertmanager:pkg/labels/parse.go; api/v2 openapi `matcher`; silence/silence.go validateSilence"),
        KeySpec("createdBy", "string", default: "`\"clustersim\"`", allowed: "Any string.", meaning: "Recorded with the silence (not used)."),
        KeySpec("comment", "string", default: "`\"\"`", allowed: "Any string.", meaning: "Recorded with the silence (not used)."),
    ])

    static let alertmanagerAPIMatcherKeys = SectionKeys("alertmanager.silences[i].matchers[j]", [
        KeySpec("name", "string", default: "—", allowed: "A label name; required.", meaning: "The label."),
        KeySpec("value", "string", default: "—", allowed: "Any string (a regular expression when `isRegex`); required.", meaning: "The value or pattern (anchored)."),
        KeySpec("isRegex", "boolean", default: "—", allowed: "true or false; required.", meaning: "`=~`/`!~` rather than `=`/`!=`."),
        KeySpec("isEqual", "boolean", default: "true", allowed: "true or false.", meaning: "false negates the matcher (`!=`, `!~`).",
                source: "prometheus/alertmanager:api/v2/openapi.yaml matcher `isEqual` default true"),
    ])
}
