import ClusterModel
import SimKernel

// The `autoscale` section: marathon-lb-autoscale's command line as flags by their names, with
// autoscale.rb's OptionParser types (Integer, Float, strings) and defaults (docs/autoscale.md).
extension ScenarioSchema {
    static func decodeAutoscale(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool, marathon: MarathonSpec?, _ d: Diagnostics) -> AutoscaleSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: autoscaleKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        var spec = AutoscaleSpec()
        let directory = HostDirectory(groups: hostGroups.map { ($0.name, $0.count) }, complete: hostGroupsComplete)
        if let h = r.optional("host", .nonEmptyString) {
            if hostGroupsComplete, let p = directory.problem(with: h) { d.error(r.keyPath("host"), at: r.value["host"], p) } else { spec.host = h }
        }
        if let fv = r.value("flags") {
            decodeAutoscaleFlags(fv, path: r.keyPath("flags"), into: &spec, directory: directory, marathon: marathon, d)
        } else {
            d.error(r.keyPath("flags"), at: v, "missing required key \"flags\" (at least --marathon: autoscale.rb's default \"\" has no host, and every interval fails at line 277)")
        }
        r.finish()
        return d.errorCount == before ? spec : nil
    }

    static func decodeAutoscaleFlags(_ v: JSONValue, path: String, into spec: inout AutoscaleSpec, directory: HostDirectory, marathon: MarathonSpec?, _ d: Diagnostics) {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: autoscaleFlagKeys)
        guard r.isObject else { return }
                if let x = r.optional("--target-rps", optparseInteger("--target-rps").check { $0 >= 1 ? nil : "--target-rps \($0): autoscale.rb divides by it (line 302); 0 raises FloatDomainError every interval and a negative target is not modelled; at least 1" }) { spec.targetRPS = x }
        if let x = r.optional("--interval", optparseFloat("--interval").check { $0 >= 0.001 && $0 <= 1e7 ? nil : "--interval \(NumberFormat.decimal($0)): from 0.001 to 1e7 seconds here (0 or less makes autoscale.rb's loop spin without sleeping, line 193)" }) { spec.interval = x }
        if let x = r.optional("--samples", optparseInteger("--samples").check { $0 >= 0 ? nil : "--samples \($0): at least 0 here (a negative count is not modelled)" }) { spec.samples = x }
        if let x = r.optional("--cooldown", optparseInteger("--cooldown").check { $0 >= 0 ? nil : "--cooldown \($0): at least 0 here (a negative cooldown is not modelled)" }) { spec.cooldown = x }
        if let x = r.optional("--threshold-percent", optparseFloat("--threshold-percent")) { spec.thresholdPercent = x }
        if let x = r.optional("--threshold-instances", optparseInteger("--threshold-instances")) { spec.thresholdInstances = x }
        if let x = r.optional("--min-instances", optparseInteger("--min-instances")) { spec.minInstances = x }
        if let x = r.optional("--max-instances", optparseInteger("--max-instances", max: spec.maxInstances).check { $0 >= 0 ? nil : "--max-instances \($0): every PUT would ask Marathon for a negative count, which it refuses (422); at least 0" }) { spec.maxInstances = x }
        if spec.maxInstances < spec.minInstances {
            d.warning(r.keyPath("--max-instances"), at: r.value["--max-instances"], "--max-instances \(spec.maxInstances) is below --min-instances \(spec.minInstances): autoscale.rb clamps with max last (line 299), so every target is \(spec.maxInstances)")
        }
        if let s = r.optional("--apps", .string) {
            spec.apps = autoscaleApps(s, path: r.keyPath("--apps"), at: r.value["--apps"], marathon: marathon, d)
        }
        if let s = r.optional("--haproxy", .string) {
            spec.haproxyHosts = autoscaleHAProxyHosts(s, path: r.keyPath("--haproxy"), at: r.value["--haproxy"], directory: directory, d)
        }
        if let s = r.required("--marathon", .string, hint: "autoscale.rb's default \"\" has no host: every interval fails at line 277") {
            if AutoscaleSpec.urlHost(s) == nil { d.error(r.keyPath("--marathon"), at: r.value["--marathon"], "--marathon \(JSONValue.quote(s)) is not a URL with a host (autoscale.rb's URI option; line 277 needs its host)") } else { spec.marathon = s }
        }
        _ = r.optional("--marathonCredentials", .string)
        _ = r.optional("--haproxyCredentials", .string)
        for (m, suggestion) in r.takeUnread() {
            let reason = m.key == "-h" || m.key == "--help" ? "prints the usage and exits (autoscale.rb:115)" : "OptionParser: invalid option" + (suggestion.map { "; did you mean \($0)?" } ?? "")
            d.error(JSONPath.key(path, m.key), location: m.keyLocation ?? m.value.location, "unknown flag \(m.key): \(reason)")
        }
    }

    /// `--apps`: comma-separated `<app>_<service port>` (autoscale.rb:76-77); each must match
    /// `(.*)_\d+$` (line 290) and name a frontend marathon-lb generates for a Marathon app.
    static func autoscaleApps(_ s: String, path: String, at v: JSONValue?, marathon: MarathonSpec?, _ d: Diagnostics) -> [String] {
        var out: [String] = []
        var accepted = Set<String>()   // autoscale.rb keeps a Set too (line 30); membership only
        // autoscale.rb:285's key of every app, first app first: one lookup per entry instead of a
        // scan of every app (10,000 entries over 10,000 apps took minutes)
        var byKey: [String: Int] = [:]
        for (i, a) in (marathon?.apps ?? []).enumerated() { let key = AutoscaleSpec.currentKey(ofMarathonID: a.id); if byKey[key] == nil { byKey[key] = i } }
        for (k, e) in rubySplit(s).enumerated() where !accepted.contains(e) {
            guard let part = AutoscaleSpec.appPart(e) else {
                d.error(path, at: v, "--apps entry \(k + 1) \(JSONValue.quote(e)) is not <app>_<service port>: autoscale.rb:290 matches /(.*)_\\d+$/ and raises NoMethodError every interval")
                continue
            }
            if let m = marathon, let problem = frontendProblem(e, app: String(part), def: byKey[String(part)].map { m.apps[$0] }) {
                d.error(path, at: v, "--apps entry \(k + 1) \(JSONValue.quote(e)) names no frontend marathon-lb generates: \(problem)")
                continue
            }
            out.append(e)
            accepted.insert(e)
        }
        return out
    }

    /// nil when a Marathon app `/<app with _ as />`-like id (autoscale.rb:285's key) has an
    /// HAPROXY_GROUP label and a port whose service port (or HAPROXY_{n}_PORT) is the suffix.
    /// `def` is the first app whose key is the entry's app part, nil when there is none.
    static func frontendProblem(_ frontend: String, app: String, def: AppDefinition?) -> String? {
        let port = Int(frontend.split(separator: "_").last ?? "")
        guard let def else {
            return "no Marathon app whose id is \(JSONValue.quote(app)) with / as _ (autoscale.rb:285)"
        }
        guard def.label("HAPROXY_GROUP") != nil else { return "Marathon app \(def.id) has no HAPROXY_GROUP label, so marathon-lb gives it no frontend" }
        var binds: [String] = []
        for (n, p) in def.ports.enumerated() {
            let bind = def.label("HAPROXY_\(n)_PORT").flatMap { Int($0) } ?? p.servicePort
            if bind == port || p.servicePort == 0 { return nil }
            binds.append(String(bind))
        }
        // the frontends' ports, HAPROXY_{n}_PORT in place of the service port it overrides
        return "Marathon app \(def.id) has no frontend on port \(port.map(String.init) ?? "?") (its frontends' ports: \(binds.joined(separator: " ")); HAPROXY_{n}_PORT replaces port n's service port)"
    }

    /// `--haproxy`: comma-separated URLs (autoscale.rb:53); each host resolves to the marathon-lb
    /// instances on it. A host that is not in the scenario resolves to nothing (a warning).
    static func autoscaleHAProxyHosts(_ s: String, path: String, at v: JSONValue?, directory: HostDirectory, _ d: Diagnostics) -> [String] {
        var out: [String] = []
        for (k, u) in rubySplit(s).enumerated() {
            guard let h = AutoscaleSpec.urlHost(u) else {
                d.error(path, at: v, "--haproxy URL \(k + 1) \(JSONValue.quote(u)) has no host (URI(x) at autoscale.rb:53; line 166 resolves its host)")
                continue
            }
            if directory.complete, let p = directory.problem(with: h) {
                d.warning(path, at: v, "--haproxy URL \(k + 1): \(p); it resolves to no address, so nothing is polled there (autoscale.rb:166)")
            }
            out.append(h)
        }
        return out
    }

    /// Ruby's `split(/,/)`: trailing empty fields dropped.
    static func rubySplit(_ s: String) -> [String] {
        var parts = s.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        while parts.last == "" { parts.removeLast() }
        return parts
    }

    /// OptionParser's Integer: an integer (a JSON number or a decimal string); anything else is
    /// "invalid argument", as OptionParser says.
    static func optparseInteger(_ flag: String, max: Int = maxScenarioInteger) -> ValueDecoder<Int> {
        ValueDecoder { v, p, d in
            var text = v.numberValue?.text ?? v.stringValue ?? v.brief
            if let s = v.stringValue, s.utf8.count <= 20, s.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 43 }), let x = Int(s) { text = s; if abs(x) <= max { return x } }
            if let n = v.numberValue, let i = n.int64, let x = Int(exactly: i), abs(x) <= max { return x }
            d.error(p, at: v, "invalid argument: \(flag) \(text) (OptionParser's Integer; an integer of at most \(max) in size here)")
            return nil
        }
    }

    /// OptionParser's Float: a number (JSON number or decimal string).
    static func optparseFloat(_ flag: String) -> ValueDecoder<Double> {
        ValueDecoder { v, p, d in
            if let n = v.numberValue, n.double.isFinite, abs(n.double) <= maxScenarioNumber { return n.double }
            if let s = v.stringValue, s.utf8.count <= 40, s.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || [43, 45, 46, 69, 101].contains($0) }),
               let x = Double(s), x.isFinite, abs(x) <= maxScenarioNumber { return x }
            d.error(p, at: v, "invalid argument: \(flag) \(v.numberValue?.text ?? v.stringValue ?? v.brief) (OptionParser's Float; a number of at most 1e15 in size here)")
            return nil
        }
    }
}

extension ScenarioSchema {
    static let autoscaleSource = "mesosphere/marathon-lb-autoscale:autoscale.rb"

    static let autoscaleKeys = SectionKeys("autoscale", [
        KeySpec("flags", "object", default: "(required: at least `--marathon`)", allowed: "autoscale.rb's flags by their command-line names: see `autoscale.flags`.",
                meaning: "The autoscaler's command line."),
        KeySpec("host", "string", default: "absent (never stops)", allowed: "A host of `hostGroups`.",
                meaning: "The host it runs on: while that host is down no interval runs; back up, the process starts from scratch (empty samples)."),
    ])

    static let autoscaleFlagKeys = SectionKeys("autoscale.flags", [
        KeySpec("--marathon", "string (URL)", default: "(required)", allowed: "A URL with a host. A host of the scenario answers while it is up and runs a Marathon instance (one that does not lead proxies to the leader); down or without Marathon, every iteration fails at line 277. A name the scenario does not have is taken to reach the leader.",
                meaning: "Marathon's REST API (GET /v2/apps, PUT /v2/apps/{id}).", source: "\(autoscaleSource) line 24 `options.marathon = \"\"` (no host: every interval fails at line 277)"),
        KeySpec("--haproxy", "string", default: "\"\" (none polled)", allowed: "Comma-separated URLs; each host names a host of the scenario (others: a warning, nothing polled).",
                meaning: "The HAProxy stats pages polled; every marathon-lb instance on a named host is polled.", source: "\(autoscaleSource) line 25 `options.haproxy = []`, 53, 166"),
        KeySpec("--interval", "number (seconds, OptionParser Float)", default: "60", allowed: "0.001 to 1e7 (0 makes the real loop spin).",
                meaning: "Seconds between iterations.", source: "\(autoscaleSource) line 26 `options.interval = 60`"),
        KeySpec("--samples", "integer (OptionParser Integer)", default: "10", allowed: ">= 0; a fraction is \"invalid argument\".",
                meaning: "Samples in the moving average; no scaling before this many iterations.", source: "\(autoscaleSource) line 27 `options.samples = 10`"),
        KeySpec("--cooldown", "integer (OptionParser Integer)", default: "5", allowed: ">= 0.",
                meaning: "Intervals to wait after scaling, on top of `samples` intervals.", source: "\(autoscaleSource) line 28 `options.cooldown = 5`"),
        KeySpec("--target-rps", "integer (OptionParser Integer)", default: "1000", allowed: ">= 1 (0 raises FloatDomainError every interval).",
                meaning: "Requests per second each instance should take.", source: "\(autoscaleSource) line 29 `options.target_rps = 1000`"),
        KeySpec("--apps", "string", default: "\"\" (none)", allowed: "Comma-separated `<app>_<service port>` frontends of Marathon apps with HAPROXY_GROUP.",
                meaning: "The frontends watched.", source: "\(autoscaleSource) line 30 `options.apps = Set.new`, 77, 290"),
        KeySpec("--threshold-percent", "number (OptionParser Float)", default: "0.5", allowed: "Any number.",
                meaning: "Relative deviation of requests per instance from the target below which (with `--threshold-instances`) nothing scales.", source: "\(autoscaleSource) line 31 `options.threshold_percent = 0.5`"),
        KeySpec("--threshold-instances", "integer (OptionParser Integer)", default: "3", allowed: "Any integer up to 2147483647 in size.",
                meaning: "Difference of target and current instances below which (with `--threshold-percent`) nothing scales.", source: "\(autoscaleSource) line 32 `options.threshold_instances = 3`"),
        KeySpec("--max-instances", "integer (OptionParser Integer)", default: "4611686018427387903", allowed: "0 to 2^62 - 1.",
                meaning: "Upper clamp of the target.", source: "\(autoscaleSource) lines 14-19, 36 `options.max_instances = Integer::MAX` (2**62 - 1)"),
        KeySpec("--min-instances", "integer (OptionParser Integer)", default: "1", allowed: "Any integer up to 2147483647 in size.",
                meaning: "Lower clamp of the target.", source: "\(autoscaleSource) line 37 `options.min_instances = 1`"),
        KeySpec("--marathonCredentials", "string", default: "\"\"", allowed: "`user:password`; accepted, no effect in the model.",
                meaning: "Basic auth for Marathon.", source: "\(autoscaleSource) line 34"),
        KeySpec("--haproxyCredentials", "string", default: "\"\"", allowed: "`user:password`; accepted, no effect in the model.",
                meaning: "Basic auth for the stats page.", source: "\(autoscaleSource) line 35"),
    ])
}
