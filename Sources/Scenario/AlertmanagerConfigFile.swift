import ClusterModel
import SimKernel

// An `alertmanager.yml` written as JSON, loaded with Alertmanager's own rules (v0.25,
// prometheus/alertmanager config/config.go Load and the UnmarshalYAML methods, config/notifiers.go,
// pkg/labels/parse.go, prometheus/common model.ParseDuration):
// - yaml.UnmarshalStrict: an unknown field is an error ("field x not found in type config.plain");
// - what Alertmanager rejects is an error with its reason, at the JSON path inside the file;
// - what it accepts but the simulator does not model (templates, http_config, every
//   integration's message fields) loads silently; time intervals are modelled
//   (AlertmanagerTimeIntervals.swift).

enum AlertmanagerConfigFile {
    /// Reads the configuration: `base` is the path prefix of errors ("" inside a file, where the
    /// location names the file; `alertmanager.config` inline).
    static func decode(_ v: JSONValue, base: String, _ d: Diagnostics) -> AlertmanagerConfig? {
        let before = d.errorCount
        guard let f = fields(v, base, known: ["global", "route", "inhibit_rules", "receivers", "templates", "mute_time_intervals", "time_intervals"], d) else { return nil }
        var config = AlertmanagerConfig()
        if let g = f["global"] { config.resolveTimeout = global(g, f.path("global"), d) ?? config.resolveTimeout }
        var receivers: [AlertmanagerReceiver] = []
        var receiverNames = Set<String>()   // membership only (Alertmanager's config.go keeps a map of names too)
        var refused: [String] = []
        if let rv = f["receivers"] {
            for (i, e) in list(rv, f.path("receivers"), d).enumerated() {
                let p = JSONPath.index(f.path("receivers"), i)
                guard let r = AlertmanagerReceiverConfig.decode(e, p, global: f["global"], d) else {
                    // its error is reported; a route naming it is not "undefined" on top of that
                    if let n = e["name"]?.stringValue, !n.isEmpty { refused.append(n) }
                    continue
                }
                if !receiverNames.insert(r.name).inserted {
                    d.error(p, at: e, "notification config name \(JSONValue.quote(r.name)) is not unique")
                }
                receivers.append(r)
            }
        }
        config.receivers = receivers
        _ = strings(f["templates"], f.path("templates"), d)
        var timeIntervals: [AlertmanagerNamedTimeInterval] = []
        var intervalNames = Set<String>()
        for key in ["mute_time_intervals", "time_intervals"] {
            guard let tv = f[key] else { continue }
            let kind = key == "time_intervals" ? "time interval" : "mute time interval"
            for (i, e) in list(tv, f.path(key), d).enumerated() {
                let p = JSONPath.index(f.path(key), i)
                guard let ti = AlertmanagerTimeIntervalsFile.named(e, p, kind: kind, d) else { continue }
                if !intervalNames.insert(ti.name).inserted { d.error(p, at: e, "\(kind) \(JSONValue.quote(ti.name)) is not unique") }
                timeIntervals.append(ti)
            }
        }
        config.timeIntervals = timeIntervals
        if let rv = f["route"], !rv.isNull {
            let names = RouteNames(receivers: receivers.map(\.name) + refused, intervals: intervalNames)
            if let root = route(rv, f.path("route"), names: names, root: true, d) {
                if root.receiver?.isEmpty ?? true { d.error(f.path("route"), at: rv, "root route must specify a default receiver") }
                if !root.matchers.isEmpty { d.error(f.path("route"), at: rv, "root route must not have any matchers") }
                if root.continue { d.error(JSONPath.key(f.path("route"), "continue"), at: rv, "cannot have continue in root route") }
                config.route = root
            }
        } else {
            d.error(base, at: v, "no route provided in config")
        }
        if let iv = f["inhibit_rules"] {
            var rules: [AlertmanagerInhibitRule] = []
            for (i, e) in list(iv, f.path("inhibit_rules"), d).enumerated() {
                if let r = inhibitRule(e, JSONPath.index(f.path("inhibit_rules"), i), d) { rules.append(r) }
            }
            config.inhibitRules = rules
        }
        return d.errorCount == before ? config : nil
    }

    static let globalFields = ["resolve_timeout", "http_config", "smtp_from", "smtp_hello", "smtp_smarthost", "smtp_auth_username", "smtp_auth_password",
                               "smtp_auth_password_file", "smtp_auth_secret", "smtp_auth_identity", "smtp_require_tls", "slack_api_url", "slack_api_url_file",
                               "pagerduty_url", "opsgenie_api_url", "opsgenie_api_key", "opsgenie_api_key_file", "wechat_api_url", "wechat_api_secret",
                               "wechat_api_corp_id", "victorops_api_url", "victorops_api_key", "victorops_api_key_file", "telegram_api_url", "webex_api_url"]

    /// `global`: resolve_timeout is used; the integrations' settings are checked as Alertmanager
    /// checks them and otherwise ignored.
    static func global(_ v: JSONValue, _ path: String, _ d: Diagnostics) -> SimDuration? {
        guard !v.isNull, let f = fields(v, path, known: globalFields, d) else { return nil }
        httpConfig(f["http_config"], f.path("http_config"), d)
        for k in f.order where k.hasSuffix("_url") && !k.hasSuffix("_file") { if let x = f[k] { _ = url(x, f.path(k), d) } }
        if let s = f["smtp_smarthost"] { _ = hostPort(s, f.path("smtp_smarthost"), d) }
        if let b = f["smtp_require_tls"] { _ = bool(b, f.path("smtp_require_tls"), d) }
        for (a, b) in [("slack_api_url", "slack_api_url_file"), ("opsgenie_api_key", "opsgenie_api_key_file"),
                       ("victorops_api_key", "victorops_api_key_file"), ("smtp_auth_password", "smtp_auth_password_file")] where f[a] != nil && f[b] != nil {
            d.error(f.path(b), at: f[b], "at most one of \(a) & \(b) must be configured")
        }
        // a key written with no value (`slack_api_url:`) is null: yaml.v2 leaves the field unset
        for k in f.order where k != "resolve_timeout" && k != "http_config" && k != "smtp_require_tls" && !k.hasSuffix("_url") {
            if let x = f[k] { _ = string(x, f.path(k), d) }
        }
        return f["resolve_timeout"].flatMap { duration($0, f.path("resolve_timeout"), d) }
    }

    static let routeFields = ["receiver", "group_by", "match", "match_re", "matchers", "mute_time_intervals", "active_time_intervals",
                              "continue", "routes", "group_wait", "group_interval", "repeat_interval"]

    /// config.Route UnmarshalYAML and Config's checks (checkReceiver, checkTimeInterval).
    /// What a route may name: looked up in sets (a route tree of thousands of routes over thousands
    /// of receivers or time intervals was quadratic); the receivers' list in file order stays for
    /// the "did you mean" of an undefined one.
    struct RouteNames {
        let receivers: [String]
        let receiverSet: Set<String>
        let intervals: Set<String>
        init(receivers: [String], intervals: Set<String>) {
            self.receivers = receivers
            self.receiverSet = Set(receivers)
            self.intervals = intervals
        }
    }

    static func route(_ v: JSONValue, _ path: String, names: RouteNames, root: Bool, _ d: Diagnostics) -> AlertmanagerRoute? {
        guard let f = fields(v, path, known: routeFields, d) else { return nil }
        let before = d.errorCount
        var r = AlertmanagerRoute()
        if let x = f["receiver"], let name = string(x, f.path("receiver"), d), !name.isEmpty {
            r.receiver = name
            if !names.receiverSet.contains(name) { d.error(f.path("receiver"), at: x, "undefined receiver \(JSONValue.quote(name)) used in route\(Suggest.didYouMean(name, among: names.receivers))") }
        }
        if let gv = f["group_by"], !gv.isNull, let labels = strings(gv, f.path("group_by"), d) {
            var by: [String] = []
            var seen = Set<String>()
            for (i, n) in labels.enumerated() {
                let p = JSONPath.index(f.path("group_by"), i)
                if n == "..." { r.groupByAll = true; continue }
                if !AlertmanagerMatcherSyntax.isLabelName(n) { d.error(p, at: gv, "invalid label name \(JSONValue.quote(n)) in group_by list"); continue }
                if !seen.insert(n).inserted { d.error(p, at: gv, "duplicated label \(JSONValue.quote(n)) in group_by") }
                by.append(n)
            }
            if r.groupByAll && !by.isEmpty { d.error(f.path("group_by"), at: gv, "cannot have wildcard group_by (`...`) and other other labels at the same time") }
            if !r.groupByAll { r.groupBy = by }
        }
        r.matchers = matchers(f, eq: "match", re: "match_re", new: "matchers", d)
        for k in ["mute_time_intervals", "active_time_intervals"] {
            guard let tv = f[k], let listed = strings(tv, f.path(k), d), !listed.isEmpty else { continue }
            if root { d.error(f.path(k), at: tv, "root route must not have any \(k == "mute_time_intervals" ? "mute" : "active") time intervals"); continue }
            for n in listed where !names.intervals.contains(n) { d.error(f.path(k), at: tv, "undefined time interval \(JSONValue.quote(n)) used in route") }
            if k == "mute_time_intervals" { r.muteTimeIntervals = listed } else { r.activeTimeIntervals = listed }
        }
        if let c = f["continue"] { r.continue = bool(c, f.path("continue"), d) ?? false }
        r.groupWait = f["group_wait"].flatMap { duration($0, f.path("group_wait"), d) }
        r.groupInterval = f["group_interval"].flatMap { duration($0, f.path("group_interval"), d) }
        r.repeatInterval = f["repeat_interval"].flatMap { duration($0, f.path("repeat_interval"), d) }
        if r.groupInterval == .zero { d.error(f.path("group_interval"), at: f["group_interval"], "group_interval cannot be zero") }
        if r.repeatInterval == .zero { d.error(f.path("repeat_interval"), at: f["repeat_interval"], "repeat_interval cannot be zero") }
        if let rv = f["routes"] {
            for (i, e) in list(rv, f.path("routes"), d).enumerated() {
                if let c = route(e, JSONPath.index(f.path("routes"), i), names: names, root: false, d) { r.routes.append(c) }
            }
        }
        return d.errorCount == before ? r : nil
    }

    /// inhibit_rules[]: the three matcher syntaxes on each side, `equal` label names.
    static func inhibitRule(_ v: JSONValue, _ path: String, _ d: Diagnostics) -> AlertmanagerInhibitRule? {
        guard let f = fields(v, path, known: ["source_match", "source_match_re", "source_matchers", "target_match", "target_match_re", "target_matchers", "equal"], d) else { return nil }
        let before = d.errorCount
        let source = matchers(f, eq: "source_match", re: "source_match_re", new: "source_matchers", d)
        let target = matchers(f, eq: "target_match", re: "target_match_re", new: "target_matchers", d)
        var equal: [String] = []
        if let ev = f["equal"], let names = strings(ev, f.path("equal"), d) {
            for (i, n) in names.enumerated() {
                if AlertmanagerMatcherSyntax.isLabelName(n) { equal.append(n) } else { d.error(JSONPath.index(f.path("equal"), i), at: ev, "invalid label name \(JSONValue.quote(n))") }
            }
        }
        return d.errorCount == before ? AlertmanagerInhibitRule(source: source, target: target, equal: equal) : nil
    }

    /// `match` (label → value), `match_re` (label → regex, anchored) and `matchers` (strings in
    /// the matcher syntax), together.
    static func matchers(_ f: Fields, eq: String, re: String, new: String, _ d: Diagnostics) -> [LabelMatcher] {
        var out: [LabelMatcher] = []
        for (key, type) in [(eq, LabelMatchType.equal), (re, .regexMatch)] {
            guard let mv = f[key], !mv.isNull else { continue }
            guard let members = mv.objectMembers else { d.error(f.path(key), at: mv, RuleFileReader.unmarshal(mv, into: "map[string]string")); continue }
            for m in members {
                let p = JSONPath.key(f.path(key), m.key)
                guard AlertmanagerMatcherSyntax.isLabelName(m.key) else { d.error(p, location: m.keyLocation, "invalid label name \(JSONValue.quote(m.key))"); continue }
                guard let s = string(m.value, p, d) else { continue }
                do { out.append(try LabelMatcher(m.key, type, s)) } catch { d.error(p, at: m.value, (error as? LabelMatcherError)?.reason ?? "error parsing regexp: \(JSONValue.quote(s))") }
            }
        }
        if let nv = f[new], let texts = strings(nv, f.path(new), d) {
            for (i, t) in texts.enumerated() {
                do { out += try AlertmanagerMatcherSyntax.parseList(t) } catch { d.error(JSONPath.index(f.path(new), i), at: nv.arrayValue?[i], error.message) }
            }
        }
        return out
    }

    // MARK: values, with YAML's and Alertmanager's decoding rules

    /// An object's members: unknown ones are errors, as yaml.UnmarshalStrict reports them.
    struct Fields {
        var values: [String: (JSONValue, String)] = [:]
        var order: [String] = []
        subscript(_ k: String) -> JSONValue? { values[k].flatMap { $0.0.isNull ? nil : $0.0 } }
        func path(_ k: String) -> String { values[k]?.1 ?? k }
    }

    /// `http_config`: prometheus/common's HTTPClientConfig fields and Validate, as Prometheus 2.42's are
    /// checked (Debian's amtool 0.25 is built with the same prometheus/common: proxy_connect_header loads,
    /// no_proxy and proxy_from_environment do not).
    static let httpConfigFields = PrometheusConfigFile.httpClient
    static func httpConfig(_ v: JSONValue?, _ path: String, _ d: Diagnostics) {
        guard let v, !v.isNull else { return }
        let before = d.errorCount
        guard fields(v, path, known: httpConfigFields, d) != nil, d.errorCount == before else { return }
        PrometheusConfigFile.checkHTTPClient(v, path: path, d)
    }

    static func fields(_ v: JSONValue, _ path: String, known: [String], _ d: Diagnostics) -> Fields? {
        guard let members = v.objectMembers else { d.error(path, at: v, "cannot unmarshal \(v.typeName) into an object (config.plain)"); return nil }
        var f = Fields()
        for m in members {
            let p = JSONPath.key(path, m.key)
            guard known.contains(m.key) else {
                d.error(p, location: m.keyLocation ?? m.value.location, "field \(m.key) not found in type config.plain (Alertmanager 0.25, the release the simulator reads alertmanager.yml as, refuses fields it does not know, those of later releases among them)\(Suggest.didYouMean(m.key, among: known))")
                continue
            }
            f.values[m.key] = (m.value, p); f.order.append(m.key)
        }
        return f
    }

    static func list(_ v: JSONValue, _ path: String, _ d: Diagnostics) -> [JSONValue] {
        if v.isNull { return [] }
        guard let a = v.arrayValue else { d.error(path, at: v, "cannot unmarshal \(v.typeName) into a list"); return [] }
        return a
    }

    static func string(_ v: JSONValue, _ path: String, _ d: Diagnostics) -> String? {
        if let s = v.stringValue { return s }
        // YAML reads a number or a boolean as a string where one is expected
        if let n = v.numberValue { return n.text }
        if let b = v.boolValue { return b ? "true" : "false" }
        d.error(path, at: v, RuleFileReader.unmarshal(v, into: "string")); return nil
    }

    static func strings(_ v: JSONValue?, _ path: String, _ d: Diagnostics) -> [String]? {
        guard let v, !v.isNull else { return nil }
        guard let a = v.arrayValue else { d.error(path, at: v, RuleFileReader.unmarshal(v, into: "[]string")); return nil }
        var out: [String] = []
        for (i, e) in a.enumerated() { if let s = string(e, JSONPath.index(path, i), d) { out.append(s) } else { return nil } }
        return out
    }

    static func bool(_ v: JSONValue, _ path: String, _ d: Diagnostics) -> Bool? {
        if let b = v.boolValue { return b }
        d.error(path, at: v, RuleFileReader.unmarshal(v, into: "bool")); return nil
    }

    /// model.Duration (prometheus/common model.ParseDuration: `30s`, `5m`, `1h30m`, `1d`, no
    /// fractions), with Alertmanager's error text; longer than a scenario may run is refused.
    static func duration(_ v: JSONValue, _ path: String, _ d: Diagnostics) -> SimDuration? {
        guard let s = string(v, path, d) else { return nil }
        switch PromDuration.parse(s) {
        case .failure(let e): d.error(path, at: v, "\(e)"); return nil
        case .success(let ms):
            guard ms <= ScenarioUnits.maxDuration.nanoseconds / 1_000_000 else {
                d.error(path, at: v, "\(JSONValue.quote(s)) is longer than a scenario may run (at most \(ScenarioUnits.maxDurationText))"); return nil
            }
            return PromDuration.simDuration(ms)
        }
    }

    /// config.URL: http or https with a host (a SecretURL may be `<secret>`).
    static func url(_ v: JSONValue, _ path: String, _ d: Diagnostics) -> Bool {
        guard let s = string(v, path, d) else { return false }
        if s == "<secret>" { return true }
        guard let colon = s.firstIndex(of: ":") else { d.error(path, at: v, "unsupported scheme \"\" for URL"); return false }
        let scheme = String(s[..<colon])
        guard scheme == "http" || scheme == "https" else { d.error(path, at: v, "unsupported scheme \(JSONValue.quote(scheme)) for URL"); return false }
        let afterSlashes = s[s.index(after: colon)...].hasPrefix("//") ? s[s.index(colon, offsetBy: 3)...] : ""
        let host = afterSlashes.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !host.isEmpty else { d.error(path, at: v, "missing host for URL"); return false }
        return true
    }

    /// config.HostPort: `host:port` with a port.
    static func hostPort(_ v: JSONValue, _ path: String, _ d: Diagnostics) -> Bool {
        guard let s = string(v, path, d) else { return false }
        if s.isEmpty { return true }
        guard let colon = s.lastIndex(of: ":") else { d.error(path, at: v, "address \(s): missing port in address"); return false }
        if s[s.index(after: colon)...].isEmpty { d.error(path, at: v, "address \(JSONValue.quote(s)): port cannot be empty"); return false }
        return true
    }
}
