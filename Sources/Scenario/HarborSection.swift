import ClusterModel
import SimKernel

// The `harbor` section: registries on named hosts (one per data center), blobs and images,
// replication policies (docs/delivery.md). Our own keys: strict.
extension ScenarioSchema {
    static let harborSource = "goharbor/harbor"

    static func decodeHarbor(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool,
                             storage: StorageSpec?, duration: SimDuration?, _ d: Diagnostics) -> HarborSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: harborKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let directory = HostDirectory(groups: hostGroups.map { ($0.name, $0.count) }, complete: hostGroupsComplete)
        let domain = r.required("domain", ValueDecoder<String>.nonEmptyString.check { s in
            s.contains("/") || s.contains(" ") ? "\(JSONValue.quote(s)) is not a host name (the part of an image name before its first /)" : nil
        }, hint: "the registry host name in image names, like \"hub.example.com\"")
        var spec = HarborSpec(domain: domain ?? "", registries: [])
        var registryIndex: [String: Int] = [:]   // name -> index in spec.registries (looked up, never iterated)
        // registries
        if let a = r.required("registries", .array(of: .json, nonEmpty: true)) {
            for (i, e) in a.enumerated() {
                let p = JSONPath.index(r.keyPath("registries"), i)
                let rr = ObjectReader(e, path: p, diagnostics: d, keys: harborRegistryKeys)
                guard rr.isObject else { continue }
                let name = rr.required("name", .label)
                let host = rr.required("host", .nonEmptyString, hint: "the host running core, registry and jobservice")
                if let h = host, directory.complete, let problem = directory.problem(with: h) { d.error(rr.keyPath("host"), at: rr.value("host"), problem) }
                let workers = rr.optional("maxJobWorkers", .int(min: 1, max: 10_000), default: 10)
                let blobs = rr.optional("blobs", .oneOf(["filesystem", "ceph"], what: "blob storage"), default: "filesystem")
                if blobs == "ceph" && storage?.ceph?.registry != true {
                    d.error(rr.keyPath("blobs"), at: rr.value("blobs"), "blobs \"ceph\" needs `storage.ceph` with `registry: true` (the registry's storage on the Ceph cluster)")
                }
                rr.finish()
                if let n = name, registryIndex[n] != nil {
                    d.error(rr.keyPath("name"), at: rr.value("name"), "duplicate registry name \(JSONValue.quote(n))")
                } else if let n = name, let h = host, let w = workers, let b = blobs {
                    registryIndex[n] = spec.registries.count
                    spec.registries.append(HarborRegistrySpec(name: n, host: h, maxJobWorkers: w, blobsOnCeph: b == "ceph"))
                }
            }
        }
        let names = spec.registries.map(\.name)
        func registry(_ n: String, _ p: String, _ at: JSONValue?) -> Int? {
            if let i = registryIndex[n] { return i }
            d.error(p, at: at, "no registry \(JSONValue.quote(n))\(Suggest.didYouMean(n, among: names)); registries: \(Suggest.listed(names))")
            return nil
        }
        if let n = r.optional("pushRegistry", .label) {
            if let i = registry(n, r.keyPath("pushRegistry"), r.value("pushRegistry")) { spec.pushRegistry = i }
        }
        // layers
        var layerIndex: [String: Int] = [:]   // digest -> index in spec.layers (looked up, never iterated)
        if let a = r.optional("layers", .array(of: .json)) {
            for (i, e) in a.enumerated() {
                let lr = ObjectReader(e, path: JSONPath.index(r.keyPath("layers"), i), diagnostics: d, keys: harborLayerKeys)
                guard lr.isObject else { continue }
                let digest = lr.required("digest", .nonEmptyString)
                let size = lr.required("size", .size(.positive))
                lr.finish()
                if let g = digest, layerIndex[g] != nil {
                    d.error(lr.keyPath("digest"), at: lr.value("digest"), "duplicate layer digest \(JSONValue.quote(g))")
                } else if let g = digest, let s = size { layerIndex[g] = spec.layers.count; spec.layers.append(HarborLayer(digest: g, sizeBytes: s)) }
            }
        }
        // images
        var imageNames = Set<String>()   // references of spec.images (membership only)
        if let a = r.optional("images", .array(of: .json)) {
            for (i, e) in a.enumerated() {
                let ir = ObjectReader(e, path: JSONPath.index(r.keyPath("images"), i), diagnostics: d, keys: harborImageKeys)
                guard ir.isObject else { continue }
                let ref = ir.required("name", ValueDecoder<String>.nonEmptyString.check { s in
                    splitReference(s) == nil ? "\(JSONValue.quote(s)) is not project/repository:tag" : nil
                }, hint: "project/repository:tag, like \"courseware/web:40\"")
                var layers: [Int] = []
                if let ds = ir.required("layers", .array(of: .nonEmptyString, nonEmpty: true)) {
                    for (k, g) in ds.enumerated() {
                        if let li = layerIndex[g] { layers.append(li) } else {
                            d.error(JSONPath.index(ir.keyPath("layers"), k), at: ir.value("layers")?.arrayValue?[k],
                                    "no layer \(JSONValue.quote(g)) in harbor.layers\(Suggest.didYouMean(g, among: spec.layers.map(\.digest)))")
                        }
                    }
                }
                var present = Array(spec.registries.indices)
                if let ns = ir.optional("in", .array(of: .label)) {
                    present = []
                    for (k, n) in ns.enumerated() {
                        if let ri = registry(n, JSONPath.index(ir.keyPath("in"), k), ir.value("in")?.arrayValue?[k]) { present.append(ri) }
                    }
                }
                ir.finish()
                if let s = ref, let (repo, tag) = splitReference(s) {
                    if !imageNames.insert(s).inserted { d.error(ir.keyPath("name"), at: ir.value("name"), "duplicate image \(JSONValue.quote(s))") }
                    else { spec.images.append(HarborImageSpec(repository: repo, tag: tag, layers: layers, presentIn: present)) }
                }
            }
        }
        // policies
        var cronPolicies: [(path: String, at: JSONValue?, cron: HarborCron)] = []
        if let a = r.optional("policies", .array(of: .json)) {
            for (i, e) in a.enumerated() {
                let pr = ObjectReader(e, path: JSONPath.index(r.keyPath("policies"), i), diagnostics: d, keys: harborPolicyKeys)
                guard pr.isObject else { continue }
                let name = pr.required("name", .nonEmptyString)
                let src = pr.required("source", .label).flatMap { registry($0, pr.keyPath("source"), pr.value("source")) }
                let dst = pr.required("destination", .label).flatMap { registry($0, pr.keyPath("destination"), pr.value("destination")) }
                if let s = src, let t = dst, s == t {
                    d.error(pr.keyPath("destination"), at: pr.value("destination"), "a policy replicates to another registry; source and destination are both \(JSONValue.quote(names[s]))")
                }
                // `trigger`: a type name, or Harbor's own object {"type", "trigger_settings": {"cron"}}
                var trigger: String? = "event_based"
                var cron: HarborCron? = nil, cronGiven = false, scheduleMissing = false
                if let tv = pr.value("trigger"), tv.objectMembers != nil {
                    let tr = ObjectReader(tv, path: pr.keyPath("trigger"), diagnostics: d, keys: harborTriggerKeys)
                    trigger = tr.required("type", .oneOf(["event_based", "scheduled"], what: "trigger type"))
                    if let sv = tr.value("trigger_settings") {
                        let sr = ObjectReader(sv, path: tr.keyPath("trigger_settings"), diagnostics: d, keys: harborTriggerSettingsKeys)
                        if sr.isObject {
                            cronGiven = sr.has("cron")
                            cron = sr.optional("cron", ValueDecoder<String>.string.map { text, v, p, d -> HarborCron? in
                                switch HarborCron.replicationPolicyCron(text, refuseStarMinutes: false) {
                                case .success(let c): return c
                                case .failure(let e): d.error(p, at: v, "not a Harbor cron: \(e.message)"); return nil
                                }
                            })
                            sr.finish()
                        }
                    }
                    tr.finish()
                    if trigger == "scheduled" && !cronGiven && !pr.has("period") {
                        scheduleMissing = true
                        d.error(tr.keyPath("trigger_settings"), at: tv, "a scheduled trigger needs trigger_settings.cron (six fields, seconds first, like \"0 0 2 * * *\") or the policy's \"period\"")
                    }
                    if trigger != "scheduled" && cronGiven {
                        d.error(JSONPath.key(tr.keyPath("trigger_settings"), "cron"), at: tv, "trigger_settings.cron is only for type \"scheduled\"")
                    }
                } else {
                    trigger = pr.optional("trigger", .oneOf(["event_based", "scheduled"], what: "trigger"), default: "event_based")
                }
                var period: SimDuration? = nil
                if trigger == "scheduled" && cronGiven {
                    if pr.has("period") { pr.reject("period", "give either trigger.trigger_settings.cron or \"period\", not both") }
                } else if trigger == "scheduled" && !scheduleMissing {
                    period = pr.required("period", ValueDecoder<SimDuration>.duration(.positive).check { p in
                        if p < .seconds(1) { return "at least 1s (Harbor's cron has a resolution of one second), got \(p)" }
                        if let dur = duration, dur.nanoseconds / p.nanoseconds > 1_000_000 { return "\(p) makes more than 1000000 executions in \(dur); at most that many here" }
                        return nil
                    }, hint: "how often the scheduled trigger runs, like \"15m\"")
                } else if pr.has("period") {
                    pr.reject("period", "\"period\" is only for trigger \"scheduled\"")
                }
                var nameFilter = "**", tagFilter = "**"
                if let fv = pr.value("filters") {
                    let fr = ObjectReader(fv, path: pr.keyPath("filters"), diagnostics: d, keys: harborFilterKeys)
                    if fr.isObject {
                        let pattern = ValueDecoder<String>.nonEmptyString.check { $0.utf8.count > 1024 ? "a pattern of at most 1024 characters here" : nil }
                        nameFilter = fr.optional("name", pattern, default: "**") ?? "**"
                        tagFilter = fr.optional("tag", pattern, default: "**") ?? "**"
                        fr.finish()
                    }
                }
                let enabled = pr.optional("enabled", .bool, default: true)
                let override = pr.optional("override", .bool, default: true)
                // speed_kb · KBRATE (1024/8) is computed in int32 by Harbor: at most 16777215
                let speed = pr.optional("speed_kb", .int(min: 0, max: 16_777_215), default: 0)
                let chunked = pr.optional("copy_by_chunk", .bool, default: false)
                let deletion = pr.optional("replicate_deletion", .bool, default: false)
                if deletion == true && trigger != "event_based" {
                    d.error(pr.keyPath("replicate_deletion"), at: pr.value("replicate_deletion"), "deletions are replicated by event-based policies only (a scheduled execution copies, it never deletes); set trigger \"event_based\" or remove replicate_deletion")
                }
                pr.finish()
                if let c = cron, enabled != false { cronPolicies.append((JSONPath.key(JSONPath.key(pr.keyPath("trigger"), "trigger_settings"), "cron"), pr.value("trigger"), c)) }
                let trig: ReplicationPolicySpec.Trigger? = cron.map { .cron($0) } ?? period.map { .scheduled(period: $0) } ?? (trigger == "event_based" ? .eventBased : nil)
                if let n = name, let s = src, let t = dst, let tg = trig, let en = enabled, let ov = override, let sp = speed, let ch = chunked, let de = deletion {
                    var pol = ReplicationPolicySpec(name: n, source: s, destination: t, trigger: tg,
                                                    nameFilter: nameFilter, tagFilter: tagFilter, enabled: en, override: ov)
                    pol.speedKb = sp; pol.copyByChunk = ch; pol.replicateDeletion = de
                    spec.policies.append(pol)
                }
            }
        }
        if let pv = r.value("policiesFrom") {
            decodeHarborPoliciesFrom(pv, path: r.keyPath("policiesFrom"), spec: &spec, registry: registry, cronPolicies: &cronPolicies, d)
        }
        if let x = r.optional("blobRetries", .int(min: 1, max: 100), default: 5) { spec.blobRetries = x }
        if let x = r.optional("blobRetryBackoff", .duration(.positive).check { $0 > .hours(24) ? "at most 24h here" : nil }, default: .seconds(2)) { spec.blobRetryBackoff = x }
        if let x = r.optional("jobMaxFails", .int(min: 1, max: 100), default: 3) { spec.jobMaxFails = x }
        if let x = r.optional("blobFailureProbability", .number(atLeast: 0, atMost: 1), default: 0) { spec.blobFailureProbability = x }
        if let x = r.optional("chunkSize", .size(.positive), default: 10 * 1024 * 1024) { spec.chunkSize = x }
        if let x = r.optional("chunkRetries", .int(min: 1, max: 100), default: 5) { spec.chunkRetries = x }
        if let s = r.optional("startTime", .string) {
            if let ms = parseRFC3339(s) { spec.startMs = ms } else {
                d.error(r.keyPath("startTime"), at: r.value("startTime"), "expected an RFC 3339 UTC time like \"2017-01-01T00:00:00Z\" between 1970 and 2200, got \(JSONValue.quote(s))")
            }
        }
        // the cron triggers fire at most 1000000 times in the run, all policies together (as one
        // `period`), counted from the start: so counting them is bounded too, however many policies
        if let dur = duration {
            let first = spec.startMs / 1000, last = (spec.startMs + dur.nanoseconds / 1_000_000) / 1000
            var total = 0
            for c in cronPolicies {
                var t = first, n = 0
                while total + n <= 1_000_000, let u = c.cron.next(after: t), u <= last { n += 1; t = u }
                total += n
                if total > 1_000_000 {
                    d.error(c.path, at: c.at, n > 1_000_000 ? "\(JSONValue.quote(c.cron.text)) fires more than 1000000 times in \(dur); at most that many here"
                                                            : "with \(JSONValue.quote(c.cron.text)) the policies' cron triggers fire more than 1000000 times in all in \(dur); at most that many here")
                    break
                }
            }
        }
        // copy_by_chunk: at most 1000000 chunks per blob
        if spec.policies.contains(where: \.copyByChunk), let big = spec.layers.map(\.sizeBytes).max(), big / spec.chunkSize >= 1_000_000 {
            // at the chunk size when given, else at the layers (the default chunk size, a huge layer)
            d.error(r.keyPath("chunkSize"), at: r.value("chunkSize") ?? r.value("layers"), "\(spec.chunkSize) bytes makes more than 1000000 chunks of the largest layer (\(big) bytes) for copy_by_chunk; at most that many here")
        }
        // deletions
        if let a = r.optional("deletions", .array(of: .json)) {
            for (i, e) in a.enumerated() {
                let dr = ObjectReader(e, path: JSONPath.index(r.keyPath("deletions"), i), diagnostics: d, keys: harborDeletionKeys)
                guard dr.isObject else { continue }
                let at = dr.required("at", .duration(.nonNegative), hint: "when the image is deleted, like \"20m\"")
                if let t = at, let dur = duration, t > dur { d.error(dr.keyPath("at"), at: dr.value("at"), "\(t) is after the end of the run (\(dur)); it must be between 0s and \(dur)") }
                let reg = dr.required("registry", .label).flatMap { registry($0, dr.keyPath("registry"), dr.value("registry")) }
                let image = dr.required("image", ValueDecoder<String>.nonEmptyString.check { s in
                    splitReference(s) == nil ? "\(JSONValue.quote(s)) is not project/repository:tag" : nil
                }, hint: "project/repository:tag, like \"courseware/web:40\"")
                dr.finish()
                if let t = at, let g = reg, let im = image { spec.deletions.append(HarborDeletionSpec(at: t, registry: g, image: im)) }
            }
        }
        r.finish()
        return d.errorCount == before ? spec : nil
    }

    /// `project/repository:tag` -> (repository, tag); nil when it is not of that form.
    static func splitReference(_ s: String) -> (String, String)? {
        guard let colon = s.lastIndex(of: ":"), !s.hasPrefix("/") else { return nil }
        let repo = String(s[..<colon]), tag = String(s[s.index(after: colon)...])
        guard !repo.isEmpty, !tag.isEmpty, !tag.contains("/"), repo.contains("/") else { return nil }
        return (repo, tag)
    }

    /// Marathon apps whose image names the Harbor domain: the registry it names must exist, and
    /// the image must be in some registry or be built by a Jenkins job.
    static func checkHarborImages(harbor: HarborSpec, marathon: MarathonSpec?, jenkins: JenkinsSpec?, _ d: Diagnostics, at v: JSONValue?) {
        guard let m = marathon else { return }
        let names = harbor.registries.map(\.name)
        // membership only: one lookup per app instead of a scan of every registry, image and job
        let nameSet = Set(names), references = Set(harbor.images.map(\.reference)), built = Set(jenkins?.jobs.map(\.repository) ?? [])
        for app in m.apps {
            guard let image = app.image, let slash = image.firstIndex(of: "/") else { continue }
            let hostPart = String(image[..<slash])
            let rest = String(image[image.index(after: slash)...])
            if hostPart != harbor.domain && hostPart.hasSuffix("." + harbor.domain) {
                let n = String(hostPart.dropLast(harbor.domain.count + 1))
                if !nameSet.contains(n) {
                    d.error("marathon.apps", at: v, "app \(app.id): image \(JSONValue.quote(image)) is pulled from registry \(JSONValue.quote(hostPart)), which does not exist (harbor.registries: \(Suggest.listed(names))\(Suggest.didYouMean(n, among: names)))")
                    continue
                }
            } else if hostPart != harbor.domain { continue }
            let ref = rest.contains(":") ? rest : rest + ":latest"
            guard let (repo, _) = splitReference(ref) else { continue }
            if references.contains(ref) || built.contains(repo) { continue }
            d.error("marathon.apps", at: v, "app \(app.id): image \(JSONValue.quote(image)) is in no Harbor registry (harbor.images) and no Jenkins job builds \(JSONValue.quote(repo)): every launch would fail with manifest unknown")
        }
    }
}
