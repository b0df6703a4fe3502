import ClusterModel
import SimKernel

// `marathon.behaviour`: the simulator's own description of what an app's processes do (not
// Marathon's JSON). Keys are "default" and app ids; every key inside is optional and an app's
// block overrides the default block key by key.

struct MarathonBehaviours {
    struct Partial {
        var startup: Distribution?
        var failAtStart: Double?
        var crash: Distribution??          // .some(nil) never happens; nil = not given
        var finish: Distribution?
        var health: HealthKind?
        var responseTime: Distribution?
        var imageSize: Int64?
        var logs: ContainerWrites?
        /// JSON path and value of `logs.hostVolume` (for conflict errors).
        var logsAt: (String, JSONValue?)?
        /// `cephMount`: placement groups of the app's ceph-fuse volume.
        var cephMountPGs: Int?

        /// Its own keys, and `base`'s for the keys it does not give.
        func over(_ base: Partial) -> Partial {
            var o = self
            o.startup = startup ?? base.startup
            o.failAtStart = failAtStart ?? base.failAtStart
            o.crash = crash ?? base.crash
            o.finish = finish ?? base.finish
            o.health = health ?? base.health
            o.responseTime = responseTime ?? base.responseTime
            o.imageSize = imageSize ?? base.imageSize
            if logs == nil { o.logs = base.logs; o.logsAt = base.logsAt }
            o.cephMountPGs = cephMountPGs ?? base.cephMountPGs
            return o
        }
    }
    enum HealthKind { case healthy, unhealthy, hangsAfter(Distribution) }

    var defaults = Partial()
    var perApp: [String: Partial] = [:]

    /// The app's block over the default block, key by key.
    func layered(for id: String) -> Partial { (perApp[id] ?? Partial()).over(defaults) }

    func resolved(for id: String) -> AppBehaviour {
        let a = perApp[id] ?? Partial()
        let startup = a.startup ?? defaults.startup ?? .constant(AppBehaviour.defaultStartupSeconds)
        let response = a.responseTime ?? defaults.responseTime ?? .constant(AppBehaviour.defaultResponseSeconds)
        let healthKind = a.health ?? defaults.health ?? .healthy
        let health: HealthBehaviour
        switch healthKind {
        case .healthy: health = .healthy(responseTime: response)
        case .unhealthy: health = .unhealthy
        case .hangsAfter(let x): health = .hangsAfter(x, responseTime: response)
        }
        let task = TaskBehaviour(startup: startup, failAtStartProbability: a.failAtStart ?? defaults.failAtStart ?? 0,
                                 timeToCrash: (a.crash ?? defaults.crash) ?? nil, timeToFinish: a.finish ?? defaults.finish,
                                 health: health)
        var b = AppBehaviour(task: task, imageSizeBytes: a.imageSize ?? defaults.imageSize ?? AppBehaviour.defaultImageSizeBytes)
        b.storage.writes = a.logs ?? defaults.logs
        if let w = b.storage.writes, w.toSandbox {   // stdout to the Mesos sandbox (MesosSandboxes.swift)
            b.task.sandboxWriteRate = w.rate
            b.storage.writes = nil
            b.storage.dockerStdout = DockerStdout(lineLength: w.lineLength)   // Docker's copy, for DOCKER apps
        }
        if let pgs = a.cephMountPGs ?? defaults.cephMountPGs { b.storage.cephMount = CephMountSpec(volume: id, pgs: pgs) }
        return b
    }
}

/// `cephMount` defaults: the volume's objects spread over 8 PGs (model choice: a small volume of
/// a few hundred 4 MiB objects hashed onto a pool of 1024 PGs touches most of them; 8 keeps an
/// app exposed to a small share of a double failure, docs/storage.md).
enum CephMountDefaults { static let pgs = 8 }

enum MarathonBehaviourDecoder {
    static let keys = ["startupTime", "failAtStartProbability", "meanTimeBetweenCrashes", "timeToCrash", "timeToFinish",
                       "health", "responseTime", "image", "logs", "cephMount"]

    static func decode(_ v: JSONValue, path: String, apps: [String], _ d: Diagnostics) -> MarathonBehaviours? {
        guard let members = v.objectMembers else {
            d.error(path, at: v, typeMismatch("an object of app ids (or \"default\") to behaviour blocks, like {\"default\": {\"startupTime\": \"20s\"}}", v))
            return nil
        }
        var out = MarathonBehaviours()
        var ok = true
        var seen = Set<String>()                 // membership only
        let appSet = Set(apps)                    // one lookup per key, not a scan of every app
        for m in members {
            let p = JSONPath.key(path, m.key)
            var target: String? = nil
            if m.key != "default" {
                if let problem = MarathonPath.problem(m.key) {
                    d.error(p, location: m.keyLocation ?? m.value.location, "behaviour key \(JSONValue.quote(m.key)) is neither \"default\" nor an app id: \(problem)")
                    ok = false; continue
                }
                let id = MarathonPath.canonical(m.key)
                guard appSet.contains(id) else {
                    d.error(p, location: m.keyLocation ?? m.value.location, "behaviour for \(JSONValue.quote(m.key)), but there is no app \(id)\(Suggest.didYouMean(id, among: apps)); keys are \"default\" or app ids: \(apps.prefix(12).joined(separator: ", "))\(apps.count > 12 ? ", ..." : "")")
                    ok = false; continue
                }
                target = id
            }
            let key = target ?? "default"
            if !seen.insert(key).inserted { d.error(p, location: m.keyLocation, "behaviour for \(key) is given twice"); ok = false; continue }
            guard let part = decodeBlock(m.value, path: p, d) else { ok = false; continue }
            if let t = target { out.perApp[t] = part } else { out.defaults = part }
        }
        // each app's log volume must be its own
        var mapped: [(app: String, path: String, jsonPath: String, value: JSONValue?)] = []
        for id in apps {
            let part = out.perApp[id]?.logs != nil ? out.perApp[id]! : out.defaults
            if let hv = part.logs?.hostVolume, let at = part.logsAt { mapped.append((id, hv, at.0, at.1)) }
        }
        let before = d.errorCount
        ScenarioSchema.checkVolumeConflicts(mapped, d)
        if d.errorCount != before { ok = false }
        return ok ? out : nil
    }

    static func decodeBlock(_ v: JSONValue, path: String, _ d: Diagnostics) -> MarathonBehaviours.Partial? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: ScenarioSchema.behaviourKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        var b = MarathonBehaviours.Partial()
        b.startup = r.optional("startupTime", .distribution(.seconds))
        b.failAtStart = r.optional("failAtStartProbability", .number(atLeast: 0, atMost: 1))
        let hasMTBC = r.has("meanTimeBetweenCrashes"), hasTTC = r.has("timeToCrash")
        if hasMTBC && hasTTC {
            r.reject("timeToCrash", "give either \"meanTimeBetweenCrashes\" (exponential) or \"timeToCrash\" (any distribution), not both")
            _ = r.value("meanTimeBetweenCrashes")
        } else if hasMTBC {
            if let m = r.optional("meanTimeBetweenCrashes", .duration(.positive)) { b.crash = .some(.exponential(mean: m.seconds)) }
        } else if hasTTC {
            if let x = r.optional("timeToCrash", .distribution(.seconds)) { b.crash = .some(x) }
        }
        b.finish = r.optional("timeToFinish", .distribution(.seconds))
        if let hv = r.value("health") {
            let hp = r.keyPath("health")
            if let s = hv.stringValue {
                switch s {
                case "healthy": b.health = .healthy
                case "unhealthy": b.health = .unhealthy
                default:
                    d.error(hp, at: hv, "unknown health \(JSONValue.quote(s))\(Suggest.didYouMean(s, among: ["healthy", "unhealthy"])); allowed: \"healthy\", \"unhealthy\" or {\"hangsAfter\": <duration distribution>}")
                }
            } else if hv.objectMembers != nil {
                let hr = ObjectReader(hv, path: hp, diagnostics: d)
                if let x = hr.required("hangsAfter", .distribution(.seconds), hint: "how long the process serves before it hangs") { b.health = .hangsAfter(x) }
                hr.finish()
            } else {
                d.error(hp, at: hv, typeMismatch("\"healthy\", \"unhealthy\" or {\"hangsAfter\": <duration distribution>}", hv))
            }
        }
        b.responseTime = r.optional("responseTime", .distribution(.seconds))
        if let lv = r.value("logs") {
            b.logs = ScenarioSchema.decodeLogs(lv, path: r.keyPath("logs"), d)
            b.logsAt = (JSONPath.key(r.keyPath("logs"), "hostVolume"), lv["hostVolume"])
        }
        if let cv = r.value("cephMount") {
            let cr = ObjectReader(cv, path: r.keyPath("cephMount"), diagnostics: d, keys: ScenarioSchema.cephMountKeys)
            if cr.isObject {
                b.cephMountPGs = cr.optional("pgs", .int(min: 1, max: 65536), default: CephMountDefaults.pgs)
                cr.finish()
            }
        }
        if let iv = r.value("image") {
            let ir = ObjectReader(iv, path: r.keyPath("image"), diagnostics: d)
            if ir.isObject {
                let hasBytes = ir.has("sizeBytes"), hasSize = ir.has("size")
                if hasBytes && hasSize {
                    ir.reject("size", "give either \"sizeBytes\" or \"size\" (the same thing), not both")
                    _ = ir.value("sizeBytes")
                } else if hasBytes {
                    b.imageSize = ir.optional("sizeBytes", .size(.positive))
                } else if hasSize {
                    b.imageSize = ir.optional("size", .size(.positive))
                } else {
                    d.error(JSONPath.key(ir.path, "size"), at: iv, "missing the image size: give \"size\" (like \"300MB\") or \"sizeBytes\"")
                }
                ir.finish()
            }
        }
        r.finish()
        if let s = b.startup, let lo = s.lowerBound, lo < 0 {
            d.error(r.keyPath("startupTime"), at: r.value["startupTime"], "startupTime can be negative (lower bound \(lo) s); use a distribution of non-negative durations")
        }
        return d.errorCount == before ? b : nil
    }
}

private extension Distribution {
    /// The smallest value the distribution can take, for distributions with a hard lower bound (constant, uniform, empirical).
    var lowerBound: Double? {
        switch self {
        case .constant(let v): return v
        case .uniform(let a, _): return a
        case .empirical(let xs): return xs.min()
        default: return nil
        }
    }
}
