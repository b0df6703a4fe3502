import ClusterModel
import Foundation
import SimKernel

// `scrape_configs` entries of prometheus.yml (config/config.go ScrapeConfig.UnmarshalYAML,
// model/relabel Config.UnmarshalYAML, discovery/{file,consul,marathon} SDConfig), Prometheus 2.42.

extension PrometheusConfigFile {
    static func scrapeConfig(_ v: JSONValue, path: String, global: PrometheusConfig, dir: String, _ d: Diagnostics) -> ScrapeConfig? {
        guard let f = Fields(v, path: path, type: "config.ScrapeConfig", d) else { return nil }
        let before = d.errorCount
        let job = f.string("job_name") ?? ""
        if job.isEmpty { d.error(f.take("job_name") == nil ? path : f.p("job_name"), at: f.take("job_name") ?? v, "job_name is empty") }
        var s = ScrapeConfig(jobName: job, interval: global.scrapeInterval)
        if let x = f.duration("scrape_interval"), x > .zero { s.interval = x }
        let timeout = f.duration("scrape_timeout") ?? .zero
        s.timeout = timeout > .zero ? timeout : (global.scrapeTimeout > s.interval ? s.interval : global.scrapeTimeout)
        if s.timeout > s.interval {
            d.error(f.p("scrape_timeout"), at: f.take("scrape_timeout") ?? v, "scrape timeout greater than scrape interval for scrape config with job name \(JSONValue.quote(job))")
        }
        if let p = f.string("metrics_path") { s.metricsPath = p }
        if let x = f.string("scheme") {
            // config.go v2.42.0 does not check a scrape config's scheme: any string loads. Go's url.Parse
            // lowercases it (`HTTPS` scrapes as https); any other makes every scrape fail (net/http
            // Transport.roundTrip: `unsupported protocol scheme`), which the scrape loops model
            s.scheme = x
            let lower = x.lowercased()
            if lower != "http" && lower != "https" {
                d.warning(f.p("scheme"), at: f.take("scheme") ?? v, "accepted by Prometheus 2.42, which does not check the scheme; every scrape of job \(JSONValue.quote(job)) fails (up 0): Go's http client refuses it, unsupported protocol scheme \(JSONValue.quote(lower))")
            }
        }
        if let h = f.bool("honor_labels") { s.honorLabels = h }
        if let h = f.bool("honor_timestamps") { s.honorTimestamps = h }
        // uint in config.go, as yaml.v2 decodes one (promtool 2.42): a negative integer, a string or
        // a boolean is refused; a float is converted as Go converts it (1.5 is 1; a negative one wraps
        // to a huge limit, which Prometheus reads back as int -1: no limit), 1e30 overflows
        // target_limit (2.21+) is a uint too, read the same way; scrape.go compares it as an int
        func uintLimit(_ k: String) -> Int? {
            guard let m = f.take(k), !m.isNull else { return nil }
            let n = m.numberValue
            if let n, n.isIntegerLiteral, let x = n.uint64 { return Int(min(x, UInt64(Int.max))) }
            else if let n, !n.isIntegerLiteral, n.double.isFinite, n.double < 18_446_744_073_709_551_616 {
                return n.double < 0 ? 0 : Int(min(n.double.rounded(.towardZero), Double(Int.max / 2)))
            }
            d.error(f.p(k), at: m, RuleFileReader.unmarshal(m, into: "uint")); return nil
        }
        if let x = uintLimit("sample_limit") { s.sampleLimit = x }
        if let x = uintLimit("target_limit") { s.targetLimit = x }
        let checkAddresses = f.take("relabel_configs")?.arrayValue?.isEmpty ?? true
        for (x, p) in f.array("static_configs") { if let g = staticConfig(x, path: p, checkAddresses: checkAddresses, d) { s.staticGroups.append(g) } }
        for (x, p) in f.array("file_sd_configs") { s.staticGroups += fileSD(x, path: p, dir: dir, d) }
        for (x, p) in f.array("consul_sd_configs") { if let c = consulSD(x, path: p, d) { s.consulSD.append(c) } }
        for (x, p) in f.array("marathon_sd_configs") {
            // a simulator limit (the refresh timers carry the index in 8 bits); real configurations have one
            if s.marathonSD.count == 64 { d.error(p, at: x, "more than 64 marathon_sd_configs in one job (a simulator limit)"); break }
            if let m = marathonSD(x, path: p, d) { s.marathonSD.append(m) }
        }
        for (x, p) in f.array("relabel_configs") {
            if x.isNull { d.error(p, at: x, "empty or null target relabeling rule in scrape config") } else if let r = relabel(x, path: p, d) { s.relabel.append(r) }
        }
        for (x, p) in f.array("metric_relabel_configs") {
            if x.isNull { d.error(p, at: x, "empty or null metric relabeling rule in scrape config") } else if let r = relabel(x, path: p, d) { s.metricRelabel.append(r) }
        }
        checkHTTPClient(v, path: path, d)
        checkRelabeledTargets(s.staticGroups, s.relabel, defaults: [MetricLabel("job", job), MetricLabel("__metrics_path__", s.metricsPath),
                                                                     MetricLabel("__scheme__", s.scheme),
                                                                     MetricLabel("__scrape_interval__", PromHash.durationString(s.interval)),
                                                                     MetricLabel("__scrape_timeout__", PromHash.durationString(s.timeout))],
                              path: path, at: v, d)
        for k in otherSD {
            if let x = f.take(k) {
                d.warning(f.p(k), at: x, "accepted by Prometheus; this service discovery is not simulated: it gives no targets")
                checkOtherSD(k, x, path: f.p(k), d)
            }
        }
        checkBodySizeLimit(v, path: path, d)
        // `params` is url.Values (map[string][]string): `module: http_2xx` is yaml.v2's
        // "cannot unmarshal !!str `http_2xx` into []string"
        if let pv = given(v, "params") {
            if let members = pv.objectMembers {
                for m in members where !m.value.isNull {
                    let mp = JSONPath.key(f.p("params"), m.key)
                    guard let a = m.value.arrayValue else { d.error(mp, at: m.value, RuleFileReader.unmarshal(m.value, into: "[]string")); continue }
                    for (j, e) in a.enumerated() where RuleFileReader.scalar(e) == nil && !e.isNull {
                        d.error(JSONPath.index(mp, j), at: e, RuleFileReader.unmarshal(e, into: "string"))
                    }
                }
            } else if !pv.isNull {
                d.error(f.p("params"), at: pv, RuleFileReader.unmarshal(pv, into: "url.Values"))
            }
        }
        f.finish(accepted: httpClient + ["params", "label_limit", "label_name_length_limit",
                                         "label_value_length_limit", "body_size_limit"])   // 2.42's ScrapeConfig (native_histogram_bucket_limit: 2.45)
        return d.errorCount == before ? s : nil
    }

    /// file_sd_configs: JSON target files (`[{"targets": [...], "labels": {...}}]`) read once,
    /// relative to the configuration's folder (the simulated files do not change during a run).
    static func fileSD(_ v: JSONValue, path: String, dir: String, _ d: Diagnostics) -> [TargetGroup] {
        guard let f = Fields(v, path: path, type: "file.SDConfig", d) else { return [] }
        var out: [TargetGroup] = []
        for (x, p) in f.array("files") {
            guard let name = x.stringValue else { d.error(p, at: x, "cannot unmarshal \(x.typeName) into string"); continue }
            let lower = name.lowercased()
            guard isGlobInLastComponent(name), lower.hasSuffix(".json") || lower.hasSuffix(".yml") || lower.hasSuffix(".yaml") else {
                d.error(p, at: x, "path name \(JSONValue.quote(name)) is not valid for file discovery"); continue
            }
            for file in expand(name, dir: dir, path: p, at: x, d) {
                guard let root = d.baseDirectory else { d.error(p, at: x, "file_sd files are read from a scenario file's folder"); continue }
                // Prometheus reads a file_sd file wherever it is (an absolute path is usual: /etc/prometheus/targets/*.yml);
                // the simulator reads none outside the scenario's folder: no targets from it, as from a missing file
                if file.hasPrefix("/") || !Paths.isInside(Paths.normalize(root + "/" + file), root) {
                    d.warning(p, at: x, "file \(JSONValue.quote(file)) for file_sd is outside the scenario's folder: the simulator does not read it, "
                              + "so it gives no targets (Prometheus loads the configuration and reads the file, or watches for it)")
                    continue
                }
                // Prometheus loads a configuration whose file_sd file does not exist (file discovery
                // watches for it; promtool warns): no targets from it here.
                if !file.split(separator: "/").contains(".."),
                   !FileManager.default.fileExists(atPath: root + "/" + file) {
                    d.warning(p, at: x, "file \(JSONValue.quote(file)) for file_sd does not exist: it gives no targets (Prometheus loads the configuration and watches for the file)")
                    continue
                }
                guard let text = ScenarioSchema.readSideFile(file, kind: "file_sd target file", base: root, maxBytes: 16 << 20, path: p, at: x, d) else { continue }
                let parsed = JSONParser.parse(text, file: file)
                if let e = parsed.errors.first { d.error(p, at: x, "\(file): \(e)"); continue }
                guard let doc = parsed.value, let groups = doc.arrayValue else { d.error(p, at: x, "\(file): expected a list of target groups"); continue }
                for (i, g) in groups.enumerated() {
                    if let tg = staticConfig(g, path: "\(file)[\(i)]", file: file, d) { out.append(tg) }
                }
            }
        }
        if let r = f.duration("refresh_interval"), r <= .zero { d.error(f.p("refresh_interval"), at: f.take("refresh_interval"), "file service discovery refresh interval must be positive") }
        f.finish(accepted: [])
        return out
    }

    static func consulSD(_ v: JSONValue, path: String, _ d: Diagnostics) -> ConsulSDConfig? {
        guard let f = Fields(v, path: path, type: "consul.SDConfig", d) else { return nil }
        var c = ConsulSDConfig()
        if let s = f.string("server") {
            if s.trimmingCharacters(in: .whitespaces).isEmpty { d.error(f.p("server"), at: f.take("server"), "consul SD configuration requires a server address") } else { c.server = s }
        }
        if let x = f.string("datacenter") { c.datacenter = x }
        if let x = f.strings("services") { c.services = x }
        if let x = f.strings("tags") { c.tags = x }
        if let r = f.duration("refresh_interval") {
            // consul.go starts time.NewTicker(refresh_interval), which panics on a non-positive one
            if r > .zero { c.refreshInterval = r } else {
                d.error(f.p("refresh_interval"), at: f.take("refresh_interval"),
                        "consul_sd: refresh_interval must be positive (Prometheus 2.42 loads it and its Consul discoverer panics: non-positive interval for NewTicker)")
            }
        }
        if let b = f.bool("allow_stale") { c.allowStale = b }
        if let x = f.string("tag_separator") { c.tagSeparator = x }
        checkHTTPClient(v, path: path, d)
        // 2.42's consul SDConfig (path_prefix came with 2.45, filter with 3.0)
        f.finish(accepted: httpClient + ["scheme", "token", "allow_stale", "node_meta", "tag_separator", "namespace", "partition",
                                         "username", "password"])
        return c
    }

    static func marathonSD(_ v: JSONValue, path: String, _ d: Diagnostics) -> MarathonSDConfig? {
        guard let f = Fields(v, path: path, type: "marathon.SDConfig", d) else { return nil }
        let servers = f.strings("servers") ?? []
        if servers.isEmpty { d.error(f.take("servers") == nil ? path : f.p("servers"), at: f.take("servers") ?? v, "marathon_sd: must contain at least one Marathon server") }
        var m = MarathonSDConfig(servers: servers)
        if let r = f.duration("refresh_interval") {
            if r > .zero { m.refreshInterval = r } else { d.error(f.p("refresh_interval"), at: f.take("refresh_interval"), "marathon_sd: refresh_interval must be positive (the simulator refreshes on it)") }
        }
        checkMarathonSDAuth(v, path: path, d)
        f.finish(accepted: httpClient + ["auth_token", "auth_token_file"])
        return servers.isEmpty ? nil : m
    }

    /// model/relabel Config: defaults and Validate(), with Prometheus' messages.
    static func relabel(_ v: JSONValue, path: String, _ d: Diagnostics) -> RelabelConfig? {
        guard let f = Fields(v, path: path, type: "relabel.Config", d) else { return nil }
        let before = d.errorCount
        var r = RelabelConfig()
        if let s = f.strings("source_labels") {
            for (i, n) in s.enumerated() where !RelabelConfig.isValidLabelName(n) {
                d.error(JSONPath.index(f.p("source_labels"), i), at: f.take("source_labels"), "\(JSONValue.quote(n)) is not a valid label name")
            }
            r.sourceLabels = s
        }
        let sepGiven = f.take("separator") != nil, replGiven = f.take("replacement") != nil, regexGiven = f.take("regex") != nil
        let modulusGiven = f.take("modulus") != nil
        if let s = f.string("separator") { r.separator = s }
        if let s = f.string("target_label") { r.targetLabel = s }
        if let s = f.string("replacement") { r.replacement = s }
        if let s = f.string("regex") {
            do { try r.setRegex(s) } catch { d.error(f.p("regex"), at: f.take("regex"), error.description) }
        }
        if let m = f.take("modulus") {
            if let n = m.numberValue?.int64, n >= 0 { r.modulus = UInt64(n) } else { d.error(f.p("modulus"), at: m, "cannot unmarshal \(m.typeName) \(m.brief) into uint64") }
        }
        if let a = f.string("action") {
            if a.isEmpty { d.error(f.p("action"), at: f.take("action"), "relabel action cannot be empty") }
            else if let x = RelabelConfig.Action(rawValue: a.lowercased()) { r.action = x }
            else { d.error(f.p("action"), at: f.take("action"), "unknown relabel action \(JSONValue.quote(a))") }
        }
        f.finish(accepted: [])
        guard d.errorCount == before else { return nil }
        let action = r.action.rawValue
        if r.modulus == 0 && r.action == .hashmod { d.error(path, at: v, "relabel configuration for hashmod requires non-zero modulus") }
        if [.replace, .hashmod, .lowercase, .uppercase, .keepequal, .dropequal].contains(r.action) && r.targetLabel.isEmpty {
            d.error(path, at: v, "relabel configuration for \(action) action requires 'target_label' value")
        }
        if [.replace, .lowercase, .uppercase, .keepequal, .dropequal].contains(r.action) && !r.targetLabel.isEmpty && !isValidTargetTemplate(r.targetLabel) {
            d.error(f.p("target_label"), at: f.take("target_label"), "\(JSONValue.quote(r.targetLabel)) is invalid 'target_label' for \(action) action")
        }
        if r.action == .hashmod && !r.targetLabel.isEmpty && !RelabelConfig.isValidLabelName(r.targetLabel) {
            d.error(f.p("target_label"), at: f.take("target_label"), "\(JSONValue.quote(r.targetLabel)) is invalid 'target_label' for \(action) action")
        }
        if [.lowercase, .uppercase, .keepequal, .dropequal].contains(r.action) && r.replacement != "$1" {
            d.error(f.p("replacement"), at: f.take("replacement"), "'replacement' can not be set for \(action) action")
        }
        if r.action == .labelmap && !isValidTargetTemplate(r.replacement) {
            d.error(f.p("replacement"), at: f.take("replacement"), "\(JSONValue.quote(r.replacement)) is invalid 'replacement' for \(action) action")
        }
        // a given regex is a new Regexp, never the default one (relabel.go compares the pointers)
        if [.keepequal, .dropequal].contains(r.action) && (regexGiven || modulusGiven && r.modulus != 0 || sepGiven && r.separator != ";" || replGiven && r.replacement != "$1") {
            d.error(path, at: v, "\(action) action requires only 'source_labels' and `target_label`, and no other fields")
        }
        if [.labeldrop, .labelkeep].contains(r.action) && (!r.sourceLabels.isEmpty || !r.targetLabel.isEmpty || r.modulus != 0 || sepGiven && r.separator != ";" || replGiven && r.replacement != "$1") {
            d.error(path, at: v, "\(action) action requires only 'regex', and no other fields")
        }
        return d.errorCount == before ? r : nil
    }

    /// relabelTarget: `^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$` — a label name with `$1` / `${1}` references.
    static func isValidTargetTemplate(_ s: String) -> Bool {
        let u = Array(s.unicodeScalars)
        func word(_ c: Unicode.Scalar) -> Bool { c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_") }
        guard !u.isEmpty else { return false }
        var i = 0, first = true
        while i < u.count {
            if u[i] == "$" {
                i += 1
                if i < u.count, u[i] == "{" {
                    let start = i + 1
                    i = start
                    while i < u.count, word(u[i]) { i += 1 }
                    guard i < u.count, u[i] == "}", i > start else { return false }
                    i += 1
                } else {
                    let start = i
                    while i < u.count, word(u[i]) { i += 1 }
                    guard i > start else { return false }
                }
            } else if word(u[i]) {
                if first && ("0"..."9").contains(u[i]) { return false }
                i += 1
            } else { return false }
            first = false
        }
        return true
    }
}
