import ClusterModel
import Foundation
import SimKernel

// The `prometheus` section: where the server runs, its configuration (prometheus.yml written as
// JSON, beside the scenario or inline: PrometheusConfigFile.swift), the exporters on the hosts,
// its flags and what the run records for export. Defaults and their sources: docs/monitoring.md.
extension ScenarioSchema {
    static func decodePrometheus(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool,
                                 alertmanager: AlertmanagerSpec?, _ d: Diagnostics) -> PrometheusSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: prometheusKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        var spec = PrometheusSpec()
        let hosts = HostDirectory(groups: hostGroups.map { ($0.name, $0.count) }, complete: hostGroupsComplete)
        if let h = r.optional("host", .nonEmptyString) {
            if hostGroupsComplete, let m = hosts.problem(with: h) { d.error(r.keyPath("host"), at: r.value["host"], m) }
            spec.host = h
        } else if let g = hostGroups.first {
            spec.host = g.hostName(0)
        }
        if let cv = r.value("config") {
            if let s = cv.stringValue {
                if let root = d.baseDirectory, let text = readSideFile(s, kind: "Prometheus configuration", base: root, maxBytes: 16 << 20, path: r.keyPath("config"), at: cv, d) {
                    let parsed = JSONParser.parse(text, file: s)
                    if let e = parsed.errors.first {
                        d.error(r.keyPath("config"), at: cv, "\(s): \(e) (\(YAMLFiles.hint("prometheus.yml")))")
                    } else if let doc = parsed.value {
                        let dir = s.contains("/") ? String(s[..<(s.lastIndex(of: "/") ?? s.endIndex)]) : ""
                        if let (c, g) = PrometheusConfigFile.decode(doc, path: "", dir: dir, d) { spec.config = c; spec.ruleGroups = g }
                    }
                } else if d.baseDirectory == nil {
                    d.error(r.keyPath("config"), at: cv, "a configuration file can only be read from a scenario file (its folder is where the path starts); give the configuration inline as an object")
                }
            } else if cv.objectMembers != nil {
                if let (c, g) = PrometheusConfigFile.decode(cv, path: r.keyPath("config"), dir: "", d) { spec.config = c; spec.ruleGroups = g }
            } else {
                d.error(r.keyPath("config"), at: cv, typeMismatch("a path to prometheus.yml written as JSON, or the configuration as an object", cv))
            }
        }
        if let s = r.optional("startTime", .string) {
            if let ms = parseRFC3339(s) { spec.startMs = ms } else {
                d.error(r.keyPath("startTime"), at: r.value["startTime"], "expected an RFC 3339 UTC time like \"2017-06-01T00:00:00Z\" between 1970 and 2200, got \(JSONValue.quote(s))")
            }
        }
        if let ev = r.value("exporters") { spec.exporters = decodeExporters(ev, path: r.keyPath("exporters"), hostGroups: hostGroups, hosts: hosts, d) }
        if let fv = kingpinSectionFlags(r, program: .prometheus, d) { spec.flags = decodePrometheusFlags(fv, path: r.keyPath("flags"), d) }
        if let m = r.optional("record", .oneOf(PrometheusSpec.RecordMode.allCases.map(\.rawValue), what: "record mode")) {
            spec.record = PrometheusSpec.RecordMode(rawValue: m) ?? .none
        }
        r.finish()
        return d.errorCount == before ? spec : nil
    }

    /// `2017-06-01T00:00:00Z` (optionally with milliseconds) to Unix ms.
    static func parseRFC3339(_ s: String) -> Int64? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        let g = ISO8601DateFormatter()
        g.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard s.utf8.count <= 40, let date = f.date(from: s) ?? g.date(from: s) else { return nil }
        let ms = (date.timeIntervalSince1970 * 1000).rounded()
        guard ms >= 0, ms < 7_258_118_400_000 else { return nil }
        return Int64(ms)
    }

    static func decodeExporters(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hosts: HostDirectory, _ d: Diagnostics) -> [ExporterPlacement] {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: prometheusExportersKeys)
        guard r.isObject else { return [] }
        var out: [ExporterPlacement] = []
        for kind in ExporterKind.allCases where kind != .app && kind != .haproxy {
            guard let ev = r.value(kind.rawValue) else { continue }
            let p = JSONPath.key(path, kind.rawValue)
            if let b = ev.boolValue { out.append(ExporterPlacement(kind: kind, enabled: b)); continue }
            let e = ObjectReader(ev, path: p, diagnostics: d, keys: prometheusExporterKeys)
            guard e.isObject else { continue }
            var place = ExporterPlacement(kind: kind)
            if let hs = e.optional("hosts", .array(of: .nonEmptyString)) {
                for (i, h) in hs.enumerated() where hosts.complete {
                    if let m = hosts.problem(with: h) { d.error(JSONPath.index(e.keyPath("hosts"), i), at: e.value["hosts"]?.arrayValue?[i], m) }
                }
                place.hosts = hs
            }
            if let gs = e.optional("hostGroups", .array(of: .nonEmptyString)) {
                for (i, g) in gs.enumerated() {
                    _ = checkGroup(g, path: JSONPath.index(e.keyPath("hostGroups"), i), value: e.value["hostGroups"]?.arrayValue?[i],
                                   groups: hostGroups.map { ($0.name, $0.count) }, complete: hosts.complete, d)
                }
                place.hostGroups = gs
            }
            if place.hosts != nil && place.hostGroups != nil { d.error(p, at: ev, "give \"hosts\" or \"hostGroups\", not both") }
            if let port = e.optional("port", .int(min: 1, max: 65535)) { place.port = port }
            e.finish()
            out.append(place)
        }
        r.finish()
        return out
    }

    static func decodePrometheusFlags(_ v: JSONValue, path: String, _ d: Diagnostics) -> PrometheusFlags {
        // every other flag of Prometheus 2.42.0: parsed, warned as not modelled (KingpinFlags.swift)
        let v = prepareKingpinFlags(v, path: path, program: .prometheus, modelled: prometheusFlagsKeys, d)
        let r = ObjectReader(v, path: path, diagnostics: d, keys: prometheusFlagsKeys)
        var f = PrometheusFlags()
        guard r.isObject else { return f }
        let dur = ValueDecoder<String>.string.map { s, v, p, d -> SimDuration? in
            guard let x = PromHash.parseDuration(s) else { d.error(p, at: v, "not a valid duration string: \(JSONValue.quote(s)) (Prometheus durations: 5m, 1h30m, 10s)"); return nil }
            return x
        }
        let positive = dur.check { $0 > .zero && $0 <= .hours(24 * 365) ? nil : "must be more than 0s and at most 1y, got \(PromHash.durationString($0))" }
        if let x = r.optional("query.lookback-delta", positive) { f.lookbackDelta = x }
        if let x = r.optional("rules.alert.resend-delay", positive) { f.resendDelay = x }
        if let x = r.optional("rules.alert.for-grace-period", positive) { f.forGracePeriod = x }
        if let x = r.optional("rules.alert.for-outage-tolerance", positive) { f.forOutageTolerance = x }
        r.finish()
        return f
    }
}
