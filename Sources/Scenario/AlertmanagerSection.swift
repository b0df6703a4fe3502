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
        var settleWait = AlertmanagerSpec().settleWait
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
            var gossip = SimDuration.milliseconds(200), settle = SimDuration.minutes(1)
            if let x = f.optional("cluster.gossip-interval", .duration(.nonNegative)) {
                if x > .hours(1) { d.error(f.keyPath("cluster.gossip-interval"), at: fv["cluster.gossip-interval"], "at most 1h here, got \(x)") }
                else { gossip = x }
            }
            if let x = f.optional("cluster.settle-timeout", .duration(.nonNegative)) { settle = x }
            settleWait = AlertmanagerSpec.settleWait(gossipInterval: gossip, settleTimeout: settle)
            // main.go: no peer (and no GossipSettleStage wait) when clustering is off
            if f.optional("cluster.listen-address", .string) == "" { settleWait = nil }
            f.finish()
        }
        var silences: [AlertmanagerSilence] = []
        if let sv = r.value("silences") {
            guard let a = sv.arrayValue else { d.error(r.keyPath("silences"), at: sv, typeMismatch("an array of silences", sv)); r.finish(); return nil }
            for (i, e) in a.enumerated() {
                if let s = decodeSilence(e, path: JSONPath.index(r.keyPath("silences"), i), d) { silences.append(s) }
            }
        }
        var outages: [AlertmanagerReceiverOutage] = []
        if let ov = r.value("receiverOutages") {
            guard let a = ov.arrayValue else { d.error(r.keyPath("receiverOutages"), at: ov, typeMismatch("an array of receiver outages", ov)); r.finish(); return nil }
            for (i, e) in a.enumerated() {
                if let o = decodeReceiverOutage(e, path: JSONPath.index(r.keyPath("receiverOutages"), i), receivers: config?.receivers, d) { outages.append(o) }
            }
        }
        r.finish()
        guard d.errorCount == before, let config else { return nil }
        var spec = AlertmanagerSpec(hosts: hosts, config: config, peerTimeout: peerTimeout, silences: silences)
        spec.receiverOutages = outages
        spec.maintenanceInterval = maintenance
        spec.retention = retention
        spec.settleWait = settleWait
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

    /// One receiver outage: the receiver (and integration) must be in the configuration.
    static func decodeReceiverOutage(_ v: JSONValue, path: String, receivers: [AlertmanagerReceiver]?, _ d: Diagnostics) -> AlertmanagerReceiverOutage? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: alertmanagerOutageKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let receiver = r.required("receiver", .nonEmptyString, hint: "the receiver's name in the configuration")
        let integration = r.optional("integration", .nonEmptyString)
        let at = r.required("at", .duration(.nonNegative), hint: "when its endpoint starts failing, like \"20m\"")
        let length = r.required("duration", .duration(.positive), hint: "how long it fails, like \"10m\"")
        let status = r.optional("status", .int(min: 300, max: 599), default: 503)
        if let receiver, let receivers {
            if let rc = receivers.first(where: { $0.name == receiver }) {
                if let integration, !rc.integrations.contains(where: { $0.name == integration }) {
                    let names = rc.integrations.map(\.name)
                    d.error(r.keyPath("integration"), at: r.value["integration"], "receiver \(JSONValue.quote(receiver)) has no integration \(JSONValue.quote(integration)); "
                            + (names.isEmpty ? "it has none (a black hole: nothing is sent to fail)" : "its integrations: \(names.joined(separator: ", "))"))
                }
            } else {
                d.error(r.keyPath("receiver"), at: r.value["receiver"], "no receiver \(JSONValue.quote(receiver)) in the configuration; its receivers: \(receivers.map(\.name).joined(separator: ", "))")
            }
        }
        r.finish()
        guard d.errorCount == before, let receiver, let at, let length, let status else { return nil }
        return AlertmanagerReceiverOutage(receiver: receiver, integration: integration, at: SimTime.zero + at, duration: length, status: status)
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
        KeySpec("receiverOutages", "array of objects", default: "`[]`", allowed: "See `alertmanager.receiverOutages[i]`.",
                meaning: "Receivers' endpoints failing for a while (a webhook answering 5xx, a mail relay refusing): Alertmanager retries, then gives the notification up until the group's next flush."),
    ])

    static let alertmanagerFlagKeys = SectionKeys("alertmanager.flags", [
        KeySpec("cluster.peer-timeout", "duration", default: "15s", allowed: "From 0 to 10m.",
                meaning: "HA: the instance at peer position n waits n × this before deduplicating and sending a flush's notification, so a peer that already sent it (its notification log entry gossiped) is not repeated.",
                source: "prometheus/alertmanager:cmd/alertmanager/main.go `cluster.peer-timeout` Default(\"15s\"); notify/notify.go WaitStage"),
        KeySpec("cluster.listen-address", "string", default: "`\"0.0.0.0:9094\"`", allowed: "`host:port`, or empty (one host only).",
                meaning: "Empty turns clustering off: no peer, so no gossip settle wait before the first notifications after a start.",
                source: "prometheus/alertmanager:cmd/alertmanager/main.go@v0.25.0 `cluster.listen-address`; cluster.Create"),
        KeySpec("cluster.gossip-interval", "duration", default: "200ms", allowed: ">= 0, at most 1h.",
                meaning: "Settle (below) polls the membership every 10 × this.",
                source: "prometheus/alertmanager:cluster/cluster.go DefaultGossipInterval; cmd/alertmanager/main.go (peer.Settle(ctx, *gossipInterval*10))"),
        KeySpec("cluster.settle-timeout", "duration", default: "1m0s", allowed: ">= 0.",
                meaning: "After a start, every notification waits until the gossip has settled (GossipSettleStage): Settle is ready when the member count has been the same at three polls after the first, the fifth poll (10 s with the defaults, the membership not changing), or at this timeout if that comes first.",
                source: "prometheus/alertmanager:cmd/alertmanager/main.go@v0.25.0 `cluster.settle-timeout` Default(DefaultPushPullInterval); cluster/cluster.go Settle; notify/notify.go GossipSettleStage"),
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

    static let alertmanagerOutageKeys = SectionKeys("alertmanager.receiverOutages[i]", [
        KeySpec("receiver", "string", default: "—", allowed: "A receiver of the configuration; required.", meaning: "Whose endpoint fails."),
        KeySpec("integration", "string", default: "every integration of the receiver", allowed: "One of the receiver's integrations, named by type and index: `webhook[0]`, `email[1]`.",
                meaning: "Only this integration's endpoint fails."),
        KeySpec("at", "duration", default: "—", allowed: ">= 0; required.", meaning: "When the endpoint starts failing."),
        KeySpec("duration", "duration", default: "—", allowed: "> 0; required.", meaning: "How long every request to it fails."),
        KeySpec("status", "integer", default: "503", allowed: "300 to 599.",
                meaning: "The HTTP status it answers. 5xx is retried with exponential back-off (500 ms × 1.5 up to 60 s, ± 50 %) until the flush's context ends (group_interval, at least 10 s, after the peer's wait); OpsGenie and PagerDuty also retry 429; anything else fails the notification at once. A failed notification is not logged, so the group's next flush tries again, and the flush deletes no resolved alert.",
                source: "prometheus/alertmanager:notify/notify.go@v0.25.0 RetryStage.exec; notify/util.go Retrier.Check; cenkalti/backoff v4 NewExponentialBackOff; dispatch/dispatch.go aggrGroup.run (context timeout), notify.MinTimeout"),
    ])

    static let alertmanagerAPIMatcherKeys = SectionKeys("alertmanager.silences[i].matchers[j]", [
        KeySpec("name", "string", default: "—", allowed: "A label name; required.", meaning: "The label."),
        KeySpec("value", "string", default: "—", allowed: "Any string (a regular expression when `isRegex`); required.", meaning: "The value or pattern (anchored)."),
        KeySpec("isRegex", "boolean", default: "—", allowed: "true or false; required.", meaning: "`=~`/`!~` rather than `=`/`!=`."),
        KeySpec("isEqual", "boolean", default: "true", allowed: "true or false.", meaning: "false negates the matcher (`!=`, `!~`).",
                source: "prometheus/alertmanager:api/v2/openapi.yaml matcher `isEqual` default true"),
    ])
}
