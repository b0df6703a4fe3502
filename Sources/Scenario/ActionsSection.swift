import ClusterModel
import SimKernel

// `actions`: timed operator actions on Marathon (deploy, scale, restart, killTasks), as the REST
// API calls Jenkins or an SRE would make. A deploy's `changes` are a partial app definition merged
// into the app's JSON (objects key by key, anything else replaced) and decoded again, so the new
// version goes through the same strict rules as the original.
extension ScenarioSchema {
    static let actionKinds = ["deploy", "scale", "restart", "killTasks"]

    static func decodeActions(_ v: JSONValue, path: String, marathon: MarathonSpec?, marathonGiven: Bool,
                              sources: [AppSource], duration: SimDuration?, _ d: Diagnostics) -> [ActionSpec] {
        guard let list = v.arrayValue else {
            d.error(path, at: v, typeMismatch("an array of actions, like [{\"at\": \"1h\", \"kind\": \"restart\", \"app\": \"/web\"}]", v))
            return []
        }
        if !marathonGiven && !list.isEmpty {
            d.error(path, at: v, "actions act on Marathon apps: the scenario needs a \"marathon\" section")
            return []
        }
        var out: [ActionSpec] = []
        for (i, e) in list.enumerated() {
            if let a = decodeAction(e, path: JSONPath.index(path, i), marathon: marathon, sources: sources, duration: duration, d) {
                out.append(a)
            }
        }
        return out
    }

    static func decodeAction(_ v: JSONValue, path: String, marathon: MarathonSpec?, sources: [AppSource],
                             duration: SimDuration?, _ d: Diagnostics) -> ActionSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let at = r.required("at", .duration(.nonNegative), hint: "when the action happens, a Go duration from the start like \"90m\"")
        if let at, let duration, at > duration {
            d.error(r.keyPath("at"), at: r.value["at"], "action at \(at) is after the end of the run (duration \(duration)); it must be between 0s and \(duration)")
        }
        let kind = r.required("kind", .oneOf(actionKinds, what: "action kind"), hint: "one of \(actionKinds.map { JSONValue.quote($0) }.joined(separator: ", "))")
        let force = r.optional("force", .bool, default: false) ?? false
        var appID: String? = nil
        if let raw = r.required("app", .nonEmptyString, hint: "the Marathon app id, like \"/courseware/web\"") {
            let id = MarathonPath.canonical(raw)
            if let m = marathon {
                if m.app(id) != nil { appID = id } else {
                    let ids = m.apps.map(\.id)
                    d.error(r.keyPath("app"), at: r.value["app"], "no Marathon app \(JSONValue.quote(id))\(Suggest.didYouMean(id, among: ids)); apps: \(ids.map { JSONValue.quote($0) }.joined(separator: ", "))")
                }
            }
        }
        func only(_ key: String, for kinds: [String]) {
            if let k = kind, !kinds.contains(k), r.has(key) {
                r.reject(key, "\(JSONValue.quote(key)) is only allowed for kind\(kinds.count > 1 ? "s" : "") \(kinds.map { JSONValue.quote($0) }.joined(separator: ", "))")
            }
        }
        only("changes", for: ["deploy"]); only("instances", for: ["scale"]); only("count", for: ["killTasks"]); only("scale", for: ["killTasks"])

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
            guard let appID, let m = marathon, let src = sources.first(where: { $0.id == appID }), let old = m.app(appID) else { break }
            var merged = mergeJSON(src.value, cv)
            merged = setMember(merged, "id", JSONValue(.string(appID), location: cv.location))
            let tree = MarathonTree(version: m.version, diagnostics: d)
            tree.decodeApp(merged, path: r.keyPath("changes"), group: "/")
            if var def = tree.apps.first?.app {
                def.effectiveDependencies = old.effectiveDependencies
                def.dependencies = old.dependencies
                def.group = old.group
                result = .deploy(def)
            }
        case "scale":
            if let n = r.required("instances", .int(min: 0, max: 100_000), hint: "the new number of instances") {
                if let appID { result = .scale(app: appID, instances: n) }
            }
        case "restart":
            if let appID { result = .restart(app: appID) }
        case "killTasks":
            let count = r.optional("count", .int(min: 1, max: 100_000), default: 1)
            let scale = r.optional("scale", .bool, default: false)
            if let appID, let count, let scale { result = .killTasks(app: appID, count: count, scale: scale) }
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
