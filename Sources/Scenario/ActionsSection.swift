import ClusterModel
import SimKernel

// `actions`: timed operator actions on Marathon (deploy, scale, restart, killTasks), as the REST
// API calls Jenkins or an SRE would make. A deploy's `changes` are a partial app definition merged
// into the app's JSON (objects key by key, anything else replaced) and decoded again, so the new
// version goes through the same strict rules as the original.
extension ScenarioSchema {
    static let actionKinds = ["deploy", "scale", "restart", "killTasks", "consulKV", "vaultWrite", "vaultUnseal", "consulCheckUpdate"]
    /// Actions on Marathon's API (the others act on Consul or Vault).
    static let marathonActionKinds = ["deploy", "scale", "restart", "killTasks"]
    /// Actions that do not act on Marathon.
    static let platformActionKinds = ["consulKV", "vaultWrite", "vaultUnseal"]

    static func decodeActions(_ v: JSONValue, path: String, marathon: MarathonSpec?, marathonGiven: Bool, marathonLB: MarathonLBActionLabels? = nil,
                              sources: [AppSource], duration: SimDuration?, mesosVersion: MesosVersion = .baseline, _ d: Diagnostics) -> [ActionSpec] {
        guard let list = v.arrayValue else {
            d.error(path, at: v, typeMismatch("an array of actions, like [{\"at\": \"1h\", \"kind\": \"restart\", \"app\": \"/web\"}]", v))
            return []
        }
        if !marathonGiven && list.contains(where: { !platformActionKinds.contains($0["kind"]?.stringValue ?? "") }) {
            d.error(path, at: v, "actions act on Marathon apps: the scenario needs a \"marathon\" section")
            return []
        }
        // Marathon's PUT is a partial update of the app *as it is then*: changes apply on top of
        // the earlier actions, so the actions are read in time order (file order for equal times)
        // with each app's current JSON carried along.
        var current: [String: JSONValue] = [:]
        for src in sources { current[src.id] = src.value }
        // each app's behaviour keys as its latest version has them (a deploy's `behaviour` overrides them)
        var behaviours: [String: MarathonBehaviours.Partial] = [:]
        for src in sources { behaviours[src.id] = src.behaviour }
        func at(_ e: JSONValue) -> SimDuration {
            e["at"].flatMap { ValueDecoder<SimDuration>.duration(.nonNegative).decode($0, "", Diagnostics()) } ?? .zero
        }
        let times = list.map(at)
        let order = list.indices.sorted { (times[$0], $0) < (times[$1], $1) }
        // the apps by id, once (an action looks its app up here, not by scanning every app)
        var appIndex: [String: Int] = [:]
        for (i, a) in (marathon?.apps ?? []).enumerated() where appIndex[a.id] == nil { appIndex[a.id] = i }
        let appIDs = marathon?.apps.map(\.id) ?? []
        var decoded: [Int: ActionSpec] = [:]
        for i in order {
            if let a = decodeAction(list[i], path: JSONPath.index(path, i), marathon: marathon, appIndex: appIndex, appIDs: appIDs, marathonLB: marathonLB, sources: sources,
                                    current: &current, behaviours: &behaviours, duration: duration, mesosVersion: mesosVersion, d) {
                decoded[i] = a
            }
        }
        return list.indices.compactMap { decoded[$0] }
    }

    static func decodeAction(_ v: JSONValue, path: String, marathon: MarathonSpec?, appIndex: [String: Int], appIDs: [String],
                             marathonLB: MarathonLBActionLabels? = nil, sources: [AppSource],
                             current: inout [String: JSONValue], behaviours: inout [String: MarathonBehaviours.Partial],
                             duration: SimDuration?, mesosVersion: MesosVersion = .baseline, _ d: Diagnostics) -> ActionSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: actionKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        func app(_ id: String) -> AppDefinition? { appIndex[id].map { marathon!.apps[$0] } }
        let (at, kind) = readTimedEntry(r, what: "action", kinds: actionKinds, duration: duration, d)
        let force = r.optional("force", .bool, default: false) ?? false
        var appID: String? = nil
        if !(kind.map(platformActionKinds.contains) ?? false), let raw = r.required("app", .nonEmptyString, hint: "the Marathon app id, like \"/courseware/web\"") {
            let id = MarathonPath.canonical(raw)
            if marathon != nil {
                if appIndex[id] != nil { appID = id } else {
                    let ids = appIDs
                    d.error(r.keyPath("app"), at: r.value["app"], "no Marathon app \(JSONValue.quote(id))\(Suggest.didYouMean(id, among: ids)); apps: \(Suggest.listed(ids))")
                }
            }
        }
        func only(_ key: String, for kinds: [String]) {
            if let k = kind, !kinds.contains(k), r.has(key) {
                r.reject(key, "\(JSONValue.quote(key)) is only allowed for kind\(kinds.count > 1 ? "s" : "") \(kinds.map { JSONValue.quote($0) }.joined(separator: ", "))")
            }
        }
        only("key", for: ["consulKV"]); only("value", for: ["consulKV"]); only("delete", for: ["consulKV", "vaultWrite"])
        only("force", for: marathonActionKinds)
        only("host", for: ["consulCheckUpdate"]); only("check", for: ["consulCheckUpdate"]); only("status", for: ["consulCheckUpdate"]); only("heartbeats", for: ["consulCheckUpdate"])
        only("app", for: actionKinds.filter { !platformActionKinds.contains($0) })
        only("path", for: ["vaultWrite"]); only("data", for: ["vaultWrite"])
        only("changes", for: ["deploy"]); only("behaviour", for: ["deploy"]); only("instances", for: ["scale"]); only("count", for: ["killTasks"]); only("scale", for: ["killTasks"])

        var result: ActionSpec.Kind? = nil
        switch kind {
        case "deploy":
            guard let cv = r.value("changes") else {
                d.error(r.keyPath("changes"), at: v, "missing required key \"changes\" (the fields of the new app version, like {\"container\": {\"docker\": {\"image\": \"web:2.0\"}}})")
                break
            }
            guard cv.objectMembers != nil else { d.error(r.keyPath("changes"), at: cv, typeMismatch("an object with the changed app fields", cv)); break }
            if let idv = cv["id"], let s = idv.stringValue, let appID, MarathonPath.canonical(s) != appID {
                d.error(JSONPath.key(r.keyPath("changes"), "id"), at: idv, "a deploy cannot change the app id (\(JSONValue.quote(s)) is not \(JSONValue.quote(appID)))")
                break
            }
            // what the new version's processes do, over what the version before's did
            var newBehaviour: MarathonBehaviours.Partial? = nil
            if var bv = r.value("behaviour") {
                let bp = r.keyPath("behaviour")
                if let members = bv.objectMembers {
                    let appLevel: Set = ["logs", "cephMount"]
                    for m in members where appLevel.contains(m.key) {
                        d.error(JSONPath.key(bp, m.key), location: m.keyLocation ?? m.value.location,
                                "\(JSONValue.quote(m.key)) is set once per app, in marathon.behaviour; a deploy's behaviour takes \(behaviourKeys.names.filter { !appLevel.contains($0) }.map { JSONValue.quote($0) }.joined(separator: ", "))")
                    }
                    // one error for them, not a second one for what they hold
                    bv = JSONValue(.object(members.filter { !appLevel.contains($0.key) }), location: bv.location)
                    if !(cv.objectMembers ?? []).contains(where: { $0.key != "instances" && $0.key != "id" }) {
                        d.error(bp, at: bv, "a behaviour belongs to a new version: \"changes\" must change more than \"instances\" (a scale keeps the version and what its processes do)")
                    }
                }
                newBehaviour = MarathonBehaviourDecoder.decodeBlock(bv, path: bp, d)
            }
            guard let appID, let m = marathon, let base = current[appID], let old = m.app(appID) else { break }
            var merged = mergeJSON(base, cv)
            merged = setMember(merged, "id", JSONValue(.string(appID), location: cv.location))
            let tree = MarathonTree(version: m.version, diagnostics: d)
            if old.isPod { tree.decodePod(merged, path: r.keyPath("changes"), group: "/") }   // PUT /v2/pods/{id}, MarathonPods.swift
            else { tree.decodeApp(merged, path: r.keyPath("changes"), group: "/") }
            for w in tree.warnings(within: cv) { d.warning(w.path, at: w.value, w.message) }
            if var def = tree.apps.first?.app {
                // the new version's Mesos task ids, warned about as the scenario's apps are at load
                // (a pod's ids grow with its containers' names); said once per app and length
                if let message = mesosIDLengthWarning(def, version: m.version, mesos: mesosVersion),
                   m.version.mesosIDLength(of: def) != m.version.mesosIDLength(of: old) || mesosIDLengthWarning(old, version: m.version, mesos: mesosVersion) == nil {
                    d.warning(r.keyPath("changes"), at: cv, "the deployed version: " + message)
                }
                // marathon-lb reads the new version's labels as the first one's, by the scenario's
                // release: checked once `marathonLB` is decoded (MarathonLBActionLabels)
                marathonLB?.add(def, labels: cv["labels"], path: JSONPath.key(r.keyPath("changes"), "labels"))
                // a new version keeps the dynamic service ports of the old one (GroupManagerActor assignDynamicServicePorts)
                var taken = Set(m.apps.flatMap { $0.ports.map(\.servicePort) } + def.ports.map(\.servicePort))
                if let problem = MarathonServicePorts.assign(&def, previous: old, taken: &taken, range: m.flags.localPortMin..<m.flags.localPortMax) {
                    d.error(r.keyPath("changes"), at: cv, "app \(appID): \(problem)")
                    break
                }
                def.effectiveDependencies = old.effectiveDependencies
                def.dependencies = old.dependencies
                def.group = old.group
                if let nb = newBehaviour {
                    let layered = nb.over(behaviours[appID] ?? MarathonBehaviours.Partial())
                    result = .deploy(def, behaviour: MarathonBehaviours(defaults: layered).resolved(for: appID))
                    behaviours[appID] = layered
                } else {
                    result = .deploy(def)
                }
                current[appID] = merged
            }
        case "scale":
            if let n = r.required("instances", .int(min: 0, max: 100_000), hint: "the new number of instances") {
                if let appID {
                    result = .scale(app: appID, instances: n)
                    if let c = current[appID] { current[appID] = withInstances(c, n, pod: app(appID)?.isPod ?? false) }
                }
            }
        case "restart":
            if let appID { result = .restart(app: appID) }
        case "killTasks":
            let count = r.optional("count", .int(min: 1, max: 100_000), default: 1)
            let scale = r.optional("scale", .bool, default: false)
            if let appID, let count, let scale {
                result = .killTasks(app: appID, count: count, scale: scale)
                // scale=true lowers `instances` by what it kills (assumed: `count`, at most all)
                let pod = app(appID)?.isPod ?? false
                if scale, let c = current[appID], let n = (pod ? c["scaling"]?["instances"] : c["instances"])?.numberValue?.int64.map({ Int($0) }) ?? app(appID)?.instances {
                    current[appID] = withInstances(c, max(0, n - count), pod: pod)
                }
            }
        case "consulKV":
            // Consul's KV keys: what kvPath reads (one leading "/" dropped); a value, or a deletion
            let key = r.required("key", .nonEmptyString, hint: "the KV path, like \"service/nginx/max_fails\"").map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }
            let delete = r.optional("delete", .bool, default: false) ?? false
            let value = r.optional("value", .string)
            if delete && r.has("value") { r.reject("value", "a consulKV action sets \"value\" or has \"delete\": true, not both") }
            else if !delete && value == nil && !r.has("value") {
                d.error(r.keyPath("value"), at: v, "missing required key \"value\" (the key's new value, a string) or \"delete\": true")
            }
            if let key, key.isEmpty || key.contains("@") || key.contains("?") { r.reject("key", "a KV path of this data center (not empty, no @dc or ?query)") }
            if let key, delete || value != nil { result = .consulKV(key: key, value: delete ? nil : value) }
        case "vaultWrite":
            // `vault write PATH k=v ...` (KV v1: the write replaces the secret), or `vault delete PATH`
            var path: String? = nil
            if let p = r.required("path", .nonEmptyString, hint: "the secret's path, like \"secret/db\"") {
                if TemplateRenderer.trim(p, while: { $0 == "/" }) != p || p.isEmpty {
                    r.reject("path", "a secret's path has no leading or trailing \"/\", like \"secret/db\", got \(JSONValue.quote(p))")
                } else { path = p }
            }
            let delete = r.optional("delete", .bool, default: false) ?? false
            var data: (json: String, fields: VaultLeaseFields)? = nil
            if let dv = r.value("data") {
                if delete { r.reject("data", "a vaultWrite action has \"data\" or \"delete\": true, not both") }
                else if dv.objectMembers != nil { data = (dv.serialized(), vaultLeaseFields(dv)) }
                else { d.error(r.keyPath("data"), at: dv, typeMismatch("an object (the secret's new key/value data, like {\"password\": \"n3w\"})", dv)) }
            } else if !delete {
                d.error(r.keyPath("data"), at: v, "missing required key \"data\" (the secret's new key/value data, an object) or \"delete\": true")
            }
            if let path, delete || data != nil { result = .vaultWrite(path: path, dataJSON: data?.json, fields: data?.fields ?? .none) }
        case "vaultUnseal":
            // `vault operator unseal` with the threshold of key shares (no other key)
            result = .vaultUnseal
        case "consulCheckUpdate":
            // PUT /v1/agent/check/pass|warn|fail/<id>: the status of the app's TTL checks (the app
            // and its checks are checked against `consul` in ClusterSpecDecoder, read after actions)
            let host = r.optional("host", .nonEmptyString)
            let check = r.optional("check", .nonEmptyString)
            let status = r.optional("status", .oneOf(ConsulHealth.allCases.map(\.rawValue), what: "check status"))
            let heartbeats = r.optional("heartbeats", .bool)
            if !r.has("status") && !r.has("heartbeats") {
                d.error(r.keyPath("status"), at: v, "missing required key \"status\" (the status the update sets: \"passing\", \"warning\" or \"critical\") or \"heartbeats\": false (the process stops updating its TTL checks)")
            }
            if let appID, d.errorCount == before {
                result = .consulCheckUpdate(app: appID, host: host, check: check, status: status.flatMap(ConsulHealth.init(rawValue:)) ?? .passing,
                                            heartbeats: heartbeats ?? true)
            }
        default:
            break
        }
        r.finish()
        guard d.errorCount == before, let at, let result else { return nil }
        return ActionSpec(at: at, kind: result, force: force)
    }

    /// `patch` merged into `base`: objects key by key (recursively), anything else replaced.
    static func mergeJSON(_ base: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard let bm = base.objectMembers, let pm = patch.objectMembers else { return patch }
        var members = bm
        for p in pm {
            if let i = members.firstIndex(where: { $0.key == p.key }) {
                members[i].value = mergeJSON(members[i].value, p.value)
            } else {
                members.append(p)
            }
        }
        return JSONValue(.object(members), location: base.location)
    }

    static func setMember(_ obj: JSONValue, _ key: String, _ value: JSONValue) -> JSONValue {
        guard var members = obj.objectMembers else { return obj }
        if let i = members.firstIndex(where: { $0.key == key }) { members[i].value = value } else {
            members.append(JSONMember(key: key, keyLocation: value.location, value: value))
        }
        return JSONValue(.object(members), location: obj.location)
    }
}

extension ScenarioSchema {
    /// The warning for an app or pod whose Mesos task ids are longer than Mesos takes (nil when
    /// they fit). Marathon accepts an id of any length; Mesos refuses task ids over 255 characters
    /// from 1.2.1, and before that the agent aborts on the sandbox's mkdir (ClusterModel
    /// Marathon/TaskIDs.swift, Mesos/MesosIDs.swift, MesosVersion.masterRefusesLongIDs), so such an
    /// app loads and never runs. Said at load (MarathonSection) and for a deploy's new version.
    static func mesosIDLengthWarning(_ app: AppDefinition, version: MarathonVersion, mesos: MesosVersion) -> String? {
        let n = version.mesosIDLength(of: app)
        guard n > MesosIDRules.maxLength else { return nil }
        let format = app.pod != nil ? "<id>.instance-<uuid>.<container>" + (version >= MarathonVersion(1, 8) ? ".1" : "")
            : version >= MarathonVersion(1, 8) ? "<id>.instance-<uuid>._app.1" : "<id>.<uuid>"
        let fix = app.pod != nil ? "shorten the pod id or its longest container name"
            : "keep the app id within \(version.longestLaunchableAppID) characters"
        let what = mesos.masterRefusesLongIDs
            ? "\(longMesosIDConsequence(mesos)), so every launch fails and it never runs"
            : "\(longMesosIDConsequence(mesos)), so every launch takes an agent down, is lost and is launched again after the back-off"
        return "Marathon \(version) gives this \(app.pod != nil ? "pod" : "app")'s tasks Mesos ids of \(n) characters (\(format), <id> the id without its leading '/' and '/' as '_'); "
            + "\(what); Marathon sets no limit on an id's length: \(fix)"
    }

    /// What the chosen Mesos release does with a task id over 255 characters, for the warnings of
    /// Marathon's apps and Chronos' jobs (MesosVersion.masterRefusesLongIDs).
    static func longMesosIDConsequence(_ mesos: MesosVersion) -> String {
        mesos.masterRefusesLongIDs
            ? "Mesos \(mesos) refuses ids over \(MesosIDRules.maxLength) characters (TASK_ERROR, REASON_TASK_INVALID: \"ID must not be greater than \(MesosIDRules.maxLength) characters\")"
            : "Mesos \(mesos) lets the id through and the agent aborts when it cannot create the sandbox directory named by it (\"File name too long\"; Mesos refuses such ids from 1.2.1)"
    }
}
