import ClusterModel
import SimKernel

// `harbor.policiesFrom`: replication policies as Harbor's API lists them (`GET
// /api/v2.0/replication/policies` of one Harbor: a JSON array of ReplicationPolicy, or one policy),
// read as Harbor reads a policy it is given (docs/delivery.md "Policies as Harbor's API lists
// them"): goharbor/harbor v2.9.0 to v2.14.0, src/server/v2.0/handler/replication.go CreateReplicationPolicy,
// src/controller/replication/model/model.go Policy.Validate, src/pkg/reg/model/policy.go
// Filter.Validate, src/pkg/reg/filter (what the filters keep), and
// src/controller/event/handler/replication/event/handler.go getRelatedPolicies (which policies an
// event starts). The fields go-swagger's JSON decoding ignores are warnings here.
extension ScenarioSchema {
    /// Fields of swagger's ReplicationPolicy (v2.0 API, Harbor 2.x; `creator` of the 1.x API).
    static let harborAPIPolicyFields: Set<String> = [
        "id", "name", "description", "creator", "src_registry", "dest_registry", "dest_namespace",
        "dest_namespace_replace_count", "trigger", "filters", "replicate_deletion", "deletion", "override",
        "enabled", "creation_time", "update_time", "speed", "copy_by_chunk", "single_active_replication",
    ]

    /// The policies of `policiesFrom`, appended to `spec.policies`.
    static func decodeHarborPoliciesFrom(_ v: JSONValue, path: String, spec: inout HarborSpec,
                                         registry: (String, String, JSONValue?) -> Int?,
                                         cronPolicies: inout [(path: String, at: JSONValue?, cron: HarborCron)], _ d: Diagnostics) {
        guard let entries = ValueDecoder<[JSONValue]>.array(of: .json).decode(v, path, d) else { return }
        for (k, e) in entries.enumerated() {
            let p = JSONPath.index(path, k)
            let er = ObjectReader(e, path: p, diagnostics: d, keys: harborPoliciesFromKeys)
            guard er.isObject else { continue }
            let local = er.required("registry", .label).flatMap { registry($0, er.keyPath("registry"), er.value("registry")) }
            let rel = er.required("file", .nonEmptyString, hint: "the JSON of GET /api/v2.0/replication/policies of that Harbor, relative to the scenario")
            er.finish()
            guard let local, let rel else { continue }
            let fp = er.keyPath("file")
            guard let base = d.baseDirectory else {
                d.error(fp, at: er.value("file"), "a policy file can only be read from a scenario file (its folder is where the path starts)"); continue
            }
            guard let text = readSideFile(rel, kind: "policy file", base: base, maxBytes: IncludeLimits.maxTotalBytes, path: fp, at: er.value("file"), d) else { continue }
            let parsed = JSONParser.parse(text, file: rel)
            for pe in parsed.errors { d.append(ScenarioError(path: "", file: rel, line: pe.line, column: pe.column, message: pe.message)) }
            guard parsed.errors.isEmpty, let doc = parsed.value else { continue }
            let policies: [JSONValue]
            switch doc.kind {
            case .array(let a): policies = a
            case .object: policies = [doc]
            default: d.error(fp, at: doc, typeMismatch("a ReplicationPolicy object or an array of them (the body of GET /api/v2.0/replication/policies)", doc)); continue
            }
            var seen: Set<String> = []
            for (i, pv) in policies.enumerated() {
                let pp = JSONPath.index(fp, i)
                guard let pol = decodeHarborAPIPolicy(pv, path: pp, local: local, spec: spec, registry: registry, cronPolicies: &cronPolicies, d) else { continue }
                if !seen.insert(pol.name).inserted {
                    d.error(JSONPath.key(pp, "name"), at: pv["name"], "policy \(pol.name) already exists (Harbor's policy names are unique)"); continue
                }
                spec.policies.append(pol)
            }
        }
    }

    /// One ReplicationPolicy of Harbor's API, exported from the Harbor of registry `local`.
    static func decodeHarborAPIPolicy(_ v: JSONValue, path: String, local: Int, spec: HarborSpec,
                                      registry: (String, String, JSONValue?) -> Int?,
                                      cronPolicies: inout [(path: String, at: JSONValue?, cron: HarborCron)], _ d: Diagnostics) -> ReplicationPolicySpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, nullMeansAbsent: true)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let bool = ValueDecoder<Bool>.bool
        let name = r.optional("name", .string, default: "") ?? ""
        if name.isEmpty { d.error(r.keyPath("name"), at: r.value("name") ?? v, "empty name") }
        // the remote side: one of src_registry and dest_registry is this Harbor (absent, null or id 0)
        func endpoint(_ key: String) -> (remote: Bool, index: Int?) {
            guard let ev = r.value(key) else { return (false, nil) }
            let er = ObjectReader(ev, path: r.keyPath(key), diagnostics: d, nullMeansAbsent: true)
            guard er.isObject else { return (false, nil) }
            let id = er.optional("id", .int(), default: 0) ?? 0
            let ename = er.optional("name", .string)
            let url = er.optional("url", .string)
            _ = er.takeUnread()
            if id == 0 { return (false, nil) }
            let names = spec.registries.map(\.name)
            if let n = ename, let i = names.firstIndex(of: n) { return (true, i) }
            if let u = url {
                var host = Substring(u)
                if let s = host.range(of: "://") { host = host[s.upperBound...] }
                host = host.prefix { $0 != "/" && $0 != ":" }
                let h = host.lowercased()
                if let i = spec.registries.indices.first(where: { "\(spec.registries[$0].name).\(spec.domain)".lowercased() == h || spec.registries[$0].host.lowercased() == h }) { return (true, i) }
            }
            d.error(r.keyPath(key), at: ev, "registry endpoint \(ename.map(JSONValue.quote) ?? "id \(id)")\(url.map { " (\($0))" } ?? "") is none of harbor.registries (\(names.joined(separator: ", "))): its name must be a registry's name, or its url's host <registry>.\(spec.domain) or the registry's host")
            return (true, nil)
        }
        let src = endpoint("src_registry"), dst = endpoint("dest_registry")
        if src.remote == dst.remote {
            d.error(path, at: v, "either src_registry or dest_registry should be empty and the other one shouldn't be empty")
        }
        let pullBased = src.remote && !dst.remote
        let source = pullBased ? src.index : local, destination = pullBased ? local : dst.index
        if let s = source, let t = destination, s == t {
            d.error(r.keyPath(pullBased ? "src_registry" : "dest_registry"), at: r.value(pullBased ? "src_registry" : "dest_registry"),
                    "a policy replicates to another registry; the endpoint is \(JSONValue.quote(spec.registries[s].name)) itself")
        }
        // dest_namespace renames the image at the destination: not modelled
        if let ns = r.optional("dest_namespace", .string), !ns.isEmpty {
            d.error(r.keyPath("dest_namespace"), at: r.value("dest_namespace"), "dest_namespace \(JSONValue.quote(ns)) is not modelled: the simulator keeps an image's project and name at its destination (give \"\" or leave it out)")
        }
        _ = r.optional("dest_namespace_replace_count", .int(min: -128, max: 127))
        // trigger: absent or manual runs only by hand; event_based only for a push-based policy
        var trigger: ReplicationPolicySpec.Trigger = .manual
        var cronPath: String? = nil
        if let tv = r.value("trigger") {
            let tr = ObjectReader(tv, path: r.keyPath("trigger"), diagnostics: d, nullMeansAbsent: true)
            if tr.isObject {
                let type = tr.optional("type", .string, default: "") ?? ""
                var cronText = ""
                if let sv = tr.value("trigger_settings") {
                    let sr = ObjectReader(sv, path: tr.keyPath("trigger_settings"), diagnostics: d, nullMeansAbsent: true)
                    if sr.isObject { cronText = sr.optional("cron", .string, default: "") ?? ""; warnUnread(sr, d) }
                }
                warnUnread(tr, d)
                switch type {
                case "manual": break
                case "event_based":
                    if pullBased {
                        d.warning(tr.keyPath("type"), at: tr.value("type"), "an event_based trigger on a pull-based policy never fires: Harbor's events come from the local Harbor only (handler.go getRelatedPolicies); this policy does not run")
                    } else { trigger = .eventBased }
                case "scheduled":
                    let cp = JSONPath.key(tr.keyPath("trigger_settings"), "cron")
                    if cronText.isEmpty {
                        d.error(cp, at: tv, "the cron string cannot be empty when the trigger type is scheduled")
                    } else {
                        // Policy.Validate's order: parse, seconds "0", and since v2.9.0 (#18923) no `*` minutes
                        switch HarborCron.replicationPolicyCron(cronText, refuseStarMinutes: true) {
                        case .success(let c): trigger = .cron(c); cronPath = cp
                        case .failure(let e): d.error(cp, at: tv, e.message)
                        }
                    }
                default: d.error(tr.keyPath("type"), at: tr.value("type") ?? tv, "invalid trigger type")
                }
            }
        }
        if trigger == .manual, d.errorCount == before {
            d.warning(r.keyPath("trigger"), at: r.value("trigger") ?? v, "policy \(JSONValue.quote(name)) runs only when started by hand (its trigger is \(r.value("trigger") == nil ? "missing" : "manual")); it does not run in the simulation")
        }
        // filters, applied one after another
        var filters: [ReplicationPolicySpec.Filter] = []
        if let fa = r.optional("filters", .array(of: .json)) {
            for (i, fv) in fa.enumerated() {
                let fp = JSONPath.index(r.keyPath("filters"), i)
                let fr = ObjectReader(fv, path: fp, diagnostics: d, nullMeansAbsent: true)
                guard fr.isObject else { continue }
                let type = fr.optional("type", .string, default: "") ?? ""
                let value = fr.value("value")
                let decoration = fr.optional("decoration", .string, default: "") ?? ""
                warnUnread(fr, d)
                let at = value ?? fv
                func pattern() -> String? {
                    guard let s = value?.stringValue else { d.error(JSONPath.key(fp, "value"), at: at, "the type of filter value isn't string"); return nil }
                    if s.utf8.count > 1024 { d.error(JSONPath.key(fp, "value"), at: at, "a pattern of at most 1024 characters here"); return nil }
                    return s
                }
                switch type {
                case "name", "resource", "tag":
                    guard let s = pattern() else { continue }
                    if type == "resource" && s != "artifact" && s != "image" { d.error(JSONPath.key(fp, "value"), at: at, "invalid resource filter: \(s)"); continue }
                    if type != "tag" && !decoration.isEmpty { d.error(JSONPath.key(fp, "decoration"), at: fv, "only tag and label filter support decoration"); continue }
                    if !decoration.isEmpty && decoration != "matches" && decoration != "excludes" { d.error(JSONPath.key(fp, "decoration"), at: fv, "invalid filter decoration, :\(decoration)"); continue }
                    if type == "name" { filters.append(.name(s)) }
                    if type == "tag" { filters.append(.tag(s, excludes: decoration == "excludes")) }
                case "label":
                    guard let items = value?.arrayValue, let labels = Optional(items.compactMap(\.stringValue)), labels.count == items.count else {
                        d.error(JSONPath.key(fp, "value"), at: at, "the type of label filter value isn't string slice"); continue
                    }
                    if !decoration.isEmpty && decoration != "matches" && decoration != "excludes" { d.error(JSONPath.key(fp, "decoration"), at: fv, "invalid filter decoration, :\(decoration)"); continue }
                    if !labels.isEmpty {
                        d.warning(fp, at: fv, "images in the simulator carry no labels: this label filter keeps \(decoration == "excludes" ? "every image" : "no image")")
                    }
                    filters.append(.labels(labels, excludes: decoration == "excludes"))
                default: d.error(JSONPath.key(fp, "type"), at: fr.value("type") ?? fv, "invalid filter type")
                }
            }
        }
        // go-swagger's plain booleans: an absent one is false (replication.go takes them as given)
        let enabled = r.optional("enabled", bool, default: false) ?? false
        let override = r.optional("override", bool, default: false) ?? false
        let deletion = r.optional("deletion", bool, default: false) ?? false
        if let rd = r.optional("replicate_deletion", bool), rd != deletion {
            d.warning(r.keyPath("replicate_deletion"), at: r.value("replicate_deletion"), "Harbor reads the deprecated \"deletion\" when it is given a policy (replication.go CreateReplicationPolicy: ReplicateDeletion: params.Policy.Deletion), so replicate_deletion \(rd) is not what it keeps; deletion is \(deletion)")
        }
        // speed: negative is 0 (unlimited); Harbor computes speed·128 in int32
        var speed = r.optional("speed", .int(min: -maxScenarioInteger), default: 0) ?? 0
        if speed < 0 { speed = 0 }
        if speed > 16_777_215 { d.error(r.keyPath("speed"), at: r.value("speed"), "at most 16777215 (Harbor computes speed·128 Kibit/s in int32), got \(speed)") }
        let chunked = r.optional("copy_by_chunk", bool, default: false) ?? false
        if r.optional("single_active_replication", bool) == true {
            d.error(r.keyPath("single_active_replication"), at: r.value("single_active_replication"), "single_active_replication is not modelled: the simulator starts every execution (leave it out or false)")
        }
        for k in ["id", "description", "creator", "creation_time", "update_time"] { _ = r.value(k) }
        warnUnread(r, d)
        guard d.errorCount == before, let s = source, let t = destination else { return nil }
        if let cp = cronPath, case .cron(let c) = trigger, enabled { cronPolicies.append((cp, r.value("trigger"), c)) }
        var pol = ReplicationPolicySpec(name: name, source: s, destination: t, trigger: trigger, enabled: enabled, override: override)
        pol.filters = filters; pol.pullBased = pullBased
        pol.speedKb = speed; pol.copyByChunk = chunked; pol.replicateDeletion = deletion
        return pol
    }

    /// Fields Harbor's API does not read: a warning each.
    private static func warnUnread(_ r: ObjectReader, _ d: Diagnostics) {
        for (m, s) in r.takeUnread() {
            d.warning(r.keyPath(m.key), at: m.value, "unknown field \(JSONValue.quote(m.key)) ignored, as Harbor's API ignores fields it does not know" + (s.map { "; did you mean \(JSONValue.quote($0))?" } ?? ""))
        }
    }
}
