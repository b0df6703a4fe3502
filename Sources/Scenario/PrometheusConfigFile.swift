import ClusterModel
import Foundation
import SimKernel

// prometheus.yml written as JSON (a JSON document is a YAML document), read as Prometheus 2.42's
// config/config.go reads it: its defaults, its checks and its reasons. Prometheus decodes YAML
// strictly, so a field it does not know is an error ("field x not found in type config.T");
// a field it knows that the simulator does not use (tls_config, remote_write ...) loads with a
// warning. Errors name the JSON path inside the file and the file's line.

enum PrometheusConfigFile {
    /// The http client fields every scrape, SD and alertmanager config accepts (prometheus/common v0.39.0
    /// config/http_config.go, 2.42's: no_proxy and proxy_from_environment came with v0.40 / Prometheus 2.43).
    static let httpClient = ["basic_auth", "authorization", "oauth2", "bearer_token", "bearer_token_file", "tls_config", "proxy_url",
                             "proxy_connect_header", "follow_redirects", "enable_http2"]
    static let otherSD = ["azure_sd_configs", "digitalocean_sd_configs", "docker_sd_configs", "dockerswarm_sd_configs", "dns_sd_configs",
                          "ec2_sd_configs", "eureka_sd_configs", "gce_sd_configs", "hetzner_sd_configs", "http_sd_configs", "ionos_sd_configs",
                          "kubernetes_sd_configs", "kuma_sd_configs", "lightsail_sd_configs", "linode_sd_configs", "nerve_sd_configs",
                          "nomad_sd_configs", "openstack_sd_configs", "ovhcloud_sd_configs", "puppetdb_sd_configs", "scaleway_sd_configs",
                          "serverset_sd_configs", "triton_sd_configs", "uyuni_sd_configs", "vultr_sd_configs"]

    /// One YAML mapping read strictly: `take` the modelled keys, then `finish` reports the rest.
    final class Fields {
        let v: JSONValue, path: String, type: String, d: Diagnostics
        let members: [JSONMember]
        var taken: Set<String> = []
        init?(_ v: JSONValue, path: String, type: String, _ d: Diagnostics) {
            guard let m = v.objectMembers else { d.error(path, at: v, "cannot unmarshal \(v.typeName) into \(type) (a mapping)"); return nil }
            self.v = v; self.path = path; self.type = type; self.d = d; members = m
        }
        func take(_ k: String) -> JSONValue? {
            taken.insert(k)
            guard let m = members.first(where: { $0.key == k }), !m.value.isNull else { return nil }
            return m.value
        }
        func p(_ k: String) -> String { JSONPath.key(path, k) }
        func finish(accepted: [String]) {
            for m in members where !taken.contains(m.key) {
                if accepted.contains(m.key) {
                    d.warning(p(m.key), at: m.value, "accepted by Prometheus, not used by the simulator (ignored)")
                } else {
                    d.error(p(m.key), location: m.keyLocation ?? m.value.location, "field \(m.key) not found in type \(type) (Prometheus 2.42, the release the simulator reads prometheus.yml as, refuses fields it does not know, those of later releases among them)")
                }
            }
        }
        func string(_ k: String) -> String? {
            guard let x = take(k) else { return nil }
            // yaml.v2 decodes a scalar into a string field as written (`regex: 1` is "1")
            if let s = RuleFileReader.scalar(x) { return s }
            d.error(p(k), at: x, "cannot unmarshal \(x.typeName) \(x.brief) into string"); return nil
        }
        func bool(_ k: String) -> Bool? {
            guard let x = take(k) else { return nil }
            if let b = x.boolValue { return b }
            d.error(p(k), at: x, "cannot unmarshal \(x.typeName) \(x.brief) into bool"); return nil
        }
        func strings(_ k: String) -> [String]? {
            guard let x = take(k) else { return nil }
            if let a = x.arrayValue, a.allSatisfy({ RuleFileReader.scalar($0) != nil }) { return a.map { RuleFileReader.scalar($0) ?? "" } }
            d.error(p(k), at: x, "cannot unmarshal \(x.typeName) \(x.brief) into a sequence of strings"); return nil
        }
        func duration(_ k: String) -> SimDuration? {
            guard let s = string(k) else { return nil }
            switch PromDuration.parse(s) {
            case .success(let ms): return .milliseconds(ms)
            case .failure(let e): d.error(p(k), at: take(k), e.message); return nil
            }
        }
        func labels(_ k: String) -> [MetricLabel]? {
            guard let x = take(k) else { return nil }
            guard let ms = x.objectMembers else { d.error(p(k), at: x, "cannot unmarshal \(x.typeName) into model.LabelSet"); return nil }
            var out: [MetricLabel] = []
            for m in ms {
                guard let s = RuleFileReader.scalar(m.value) else { d.error(JSONPath.key(p(k), m.key), at: m.value, "cannot unmarshal \(m.value.typeName) into model.LabelValue"); continue }
                guard RelabelConfig.isValidLabelName(m.key) else { d.error(JSONPath.key(p(k), m.key), location: m.keyLocation, "\(JSONValue.quote(m.key)) is not a valid label name"); continue }
                out.append(MetricLabel(m.key, s))
            }
            return out
        }
        func array(_ k: String) -> [(JSONValue, String)] {
            guard let x = take(k) else { return [] }
            guard let a = x.arrayValue else { d.error(p(k), at: x, "cannot unmarshal \(x.typeName) into a sequence"); return [] }
            return a.enumerated().map { ($0.element, JSONPath.index(p(k), $0.offset)) }
        }
    }

    /// The whole file. `dir`: its folder relative to the scenario's (rule and target files are
    /// relative to it); `name`: how messages name it.
    static func decode(_ v: JSONValue, path: String, dir: String, _ d: Diagnostics) -> (PrometheusConfig, [RuleGroupSpec])? {
        guard let f = Fields(v, path: path, type: "config.plain", d) else { return nil }
        let before = d.errorCount
        var c = PrometheusConfig()
        if let g = f.take("global") { global(g, path: f.p("global"), &c, d) }
        var groups: [RuleGroupSpec] = []
        for (x, p) in f.array("rule_files") {
            guard let pattern = x.stringValue else { d.error(p, at: x, "cannot unmarshal \(x.typeName) into string"); continue }
            guard isGlobInLastComponent(pattern) else { d.error(p, at: x, "invalid rule file path \(JSONValue.quote(pattern))"); continue }
            c.ruleFiles.append(pattern)
            // an absolute path (a Docker setup's `/etc/prometheus/alerts.yml`): the simulator reads rule
            // files inside the scenario's folder only, so it names no file here; promtool, not finding it,
            // says "does not point to an existing file" (a pattern without `*`: cmd/promtool/main.go checkConfig) and
            // takes a `*` pattern that matches nothing
            if pattern.hasPrefix("/"), isGlobSyntaxValid(pattern) {
                if pattern.contains("*") {
                    d.warning(p, at: x, "an absolute pattern matches no file here: the simulator reads rule files inside the scenario's folder only (Prometheus reads what it matches on its own host)")
                } else {
                    d.error(p, at: x, "\(JSONValue.quote(pattern)) does not point to an existing file (an absolute path: the simulator reads rule files inside the scenario's folder only, relative to the configuration's folder)")
                }
                continue
            }
            let files = expand(pattern, dir: dir, path: p, at: x, d)
            // promtool check config 2.42 (cmd/promtool/main.go checkConfig): "If an explicit file was
            // given, error if it is not accessible": a pattern without `*` must match a file (`?` and
            // `[...]` are globs too); a `*` pattern may match none. Absolute and escaping paths are the
            // reader's errors (the simulator reads inside the scenario's folder only).
            if !pattern.contains("*"), !pattern.hasPrefix("/"), isGlobSyntaxValid(pattern), let root = d.baseDirectory {
                let missing = files.first.map { f in
                    !hasGlobMeta(pattern) && !f.split(separator: "/").contains("..") && !FileManager.default.fileExists(atPath: root + "/" + f)
                } ?? true
                if missing {
                    d.error(p, at: x, "\(JSONValue.quote(dir.isEmpty ? pattern : dir + "/" + pattern)) does not point to an existing file")
                    continue
                }
            }
            for file in files {
                groups += ScenarioSchema.decodeRuleFile(file, path: p, at: x, d) ?? []
            }
        }
        if let a = f.take("alerting") { alerting(a, path: f.p("alerting"), &c, d) }
        var jobs: [String] = []
        for (x, p) in f.array("scrape_configs") {
            guard let s = scrapeConfig(x, path: p, global: c, dir: dir, d) else { continue }
            if jobs.contains(s.jobName) { d.error(JSONPath.key(p, "job_name"), at: x["job_name"], "found multiple scrape configs with job name \(JSONValue.quote(s.jobName))"); continue }
            jobs.append(s.jobName)
            c.scrapeConfigs.append(s)
        }
        checkRemote(given(v, "remote_write"), kind: "write", path: f.p("remote_write"), d)
        checkRemote(given(v, "remote_read"), kind: "read", path: f.p("remote_read"), d)
        checkTracing(given(v, "tracing"), path: f.p("tracing"), d)
        checkStorage(given(v, "storage"), path: f.p("storage"), d)
        f.finish(accepted: ["remote_write", "remote_read", "storage", "tracing"])
        return d.errorCount == before ? (c, groups) : nil
    }

    static func global(_ v: JSONValue, path: String, _ c: inout PrometheusConfig, _ d: Diagnostics) {
        guard let f = Fields(v, path: path, type: "config.plain", d) else { return }   // UnmarshalYAML's `type plain GlobalConfig`
        if let x = f.duration("scrape_interval"), x > .zero { c.scrapeInterval = x }
        let timeout = f.duration("scrape_timeout") ?? .zero
        if let x = f.duration("evaluation_interval"), x > .zero { c.evaluationInterval = x }
        // config.go GlobalConfig.UnmarshalYAML
        if timeout > c.scrapeInterval {
            d.error(f.p("scrape_timeout"), at: f.take("scrape_timeout"), "global scrape timeout greater than scrape interval")
        }
        c.scrapeTimeout = timeout > .zero ? timeout : min(.seconds(10), c.scrapeInterval)
        if let ls = f.labels("external_labels") { c.externalLabels = LabelSet(ls) }
        // 2.42's GlobalConfig has no scrape limits (body_size_limit, sample_limit, target_limit, label_*: 2.45+)
        f.finish(accepted: ["query_log_file"])
    }

    static func alerting(_ v: JSONValue, path: String, _ c: inout PrometheusConfig, _ d: Diagnostics) {
        guard let f = Fields(v, path: path, type: "config.AlertingConfig", d) else { return }
        for (x, p) in f.array("alertmanagers") {
            guard let a = Fields(x, path: p, type: "config.AlertmanagerConfig", d) else { continue }
            var targets: [String] = []
            // config.go AlertmanagerConfig.UnmarshalYAML: URLs in targets only refused without relabel_configs
            let relabels = given(x, "relabel_configs")
            let rules = checkRelabelRules(relabels, path: a.p("relabel_configs"), nullMessage: "empty or null Alertmanager target relabeling rule", d)
            let checkAddresses = relabels?.arrayValue?.isEmpty ?? true
            var groups: [TargetGroup] = []
            for (s, sp) in a.array("static_configs") { if let g = staticConfig(s, path: sp, checkAddresses: checkAddresses, d) { groups.append(g); targets += g.targets } }
            let scheme = x["scheme"]?.stringValue ?? "http", prefix = x["path_prefix"]?.stringValue ?? "/"
            checkRelabeledTargets(groups, rules, defaults: [MetricLabel("__scheme__", scheme), MetricLabel("__alerts_path__", prefix)], path: p, at: x, scrape: false, d)
            checkHTTPClient(x, path: p, d)
            var am = AlertmanagerTargets(targets: targets)
            if let t = a.duration("timeout") { am.timeout = t }
            if let api = a.string("api_version") {
                if api == "v1" || api == "v2" { am.apiVersion = api } else { d.error(a.p("api_version"), at: a.take("api_version"), "expected Alertmanager api version to be one of [v1 v2] but got \(api)") }
            }
            _ = a.string("path_prefix"); _ = a.string("scheme")
            // AlertmanagerConfig inlines every discovery, as ScrapeConfig does (none is used for alertmanagers here)
            for k in otherSD { if let sd = given(x, k) { checkOtherSD(k, sd, path: a.p(k), d) } }
            for (i, e) in (given(x, "consul_sd_configs")?.arrayValue ?? []).enumerated() { _ = consulSD(e, path: JSONPath.index(a.p("consul_sd_configs"), i), d) }
            for (i, e) in (given(x, "marathon_sd_configs")?.arrayValue ?? []).enumerated() { _ = marathonSD(e, path: JSONPath.index(a.p("marathon_sd_configs"), i), d) }
            a.finish(accepted: httpClient + ["relabel_configs", "file_sd_configs", "consul_sd_configs", "marathon_sd_configs"] + otherSD)
            c.alertmanagers.append(am)
        }
        checkRelabelRules(given(v, "alert_relabel_configs"), path: f.p("alert_relabel_configs"), nullMessage: "empty or null alert relabeling rule", d)
        f.finish(accepted: ["alert_relabel_configs"])
    }

    /// `checkAddresses`: config.go checkStaticTargets, which refuses a URL as a target only when
    /// the job has no relabel_configs (they may rewrite `__address__`).
    static func staticConfig(_ v: JSONValue, path: String, file: String = "", checkAddresses: Bool = true, _ d: Diagnostics) -> TargetGroup? {
        guard let f = Fields(v, path: path, type: "targetgroup.Group", d) else { return nil }
        let targets = f.strings("targets") ?? []
        for (i, t) in targets.enumerated() where checkAddresses && t.contains("/") {
            d.error(JSONPath.index(f.p("targets"), i), at: f.take("targets")?.arrayValue?[i], "\(JSONValue.quote(t)) is not a valid hostname")
        }
        let labels = f.labels("labels") ?? []
        f.finish(accepted: [])
        return TargetGroup(targets: targets, labels: labels, file: file)
    }

    /// `^[^*]*(\*[^/]*)?$`: a glob only in the last path component (config.go patRulePath).
    static func isGlobInLastComponent(_ s: String) -> Bool {
        guard let star = s.firstIndex(of: "*") else { return true }
        return !s[star...].contains("/") && !s[s.index(after: star)...].contains("*")
    }

    /// filepath.Glob's meta characters on Unix (path/filepath/match.go hasMeta: `*?[\\`).
    static func hasGlobMeta(_ s: String) -> Bool { s.contains { "*?[\\".contains($0) } }

    /// filepath.Match's syntax check, which Glob runs first (`Match(pattern, "")`, Go 1.19
    /// path/filepath/match.go): an escape needs a character after it; a class `[...]` (`^` negates)
    /// is closed, not empty, and neither end of a range is `-` or `]`. Its error is
    /// `syntax error in pattern` (ErrBadPattern).
    static func isGlobSyntaxValid(_ pattern: String) -> Bool {
        let c = Array(pattern.unicodeScalars)
        var i = 0
        func esc() -> Bool {  // getEsc
            guard i < c.count, c[i] != "-", c[i] != "]" else { return false }
            if c[i] == "\\" { i += 1; guard i < c.count else { return false } }
            i += 1
            return true
        }
        while i < c.count {
            switch c[i] {
            case "\\":
                i += 1
                guard i < c.count else { return false }
                i += 1
            case "[":
                i += 1
                if i < c.count, c[i] == "^" { i += 1 }
                var n = 0
                while true {
                    if i < c.count, c[i] == "]", n > 0 { i += 1; break }
                    guard esc() else { return false }
                    if i < c.count, c[i] == "-" { i += 1; guard esc() else { return false } }
                    n += 1
                }
            default: i += 1
            }
        }
        return true
    }

    /// The files a pattern names, relative to the scenario folder, sorted, as filepath.Glob gives
    /// them: `*`, `?`, `[...]` and `\\` are globs in the last component (config.go allows no `*`
    /// elsewhere), a name starting with `.` matches like any other (Go's Match has no dot-file rule;
    /// they were left out), a pattern without meta characters is itself, whether it exists or not
    /// (the caller or the reader then says), and a malformed pattern is `syntax error in pattern`.
    static func expand(_ pattern: String, dir: String, path: String, at v: JSONValue?, _ d: Diagnostics) -> [String] {
        let rel = pattern.hasPrefix("/") || dir.isEmpty ? pattern : dir + "/" + pattern
        guard hasGlobMeta(pattern) else { return [rel] }
        guard isGlobSyntaxValid(pattern) else { d.error(path, at: v, "syntax error in pattern"); return [] }
        guard let root = d.baseDirectory else { d.error(path, at: v, "globs are read from a scenario file's folder"); return [] }
        let slash = rel.lastIndex(of: "/")
        let folder = slash.map { String(rel[..<$0]) } ?? ""
        let last = slash.map { String(rel[rel.index(after: $0)...]) } ?? rel
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? root : root + "/" + folder)) ?? []
        return names.filter { fnmatch(last, $0, 0) == 0 }.sorted().map { folder.isEmpty ? $0 : folder + "/" + $0 }
    }
}
