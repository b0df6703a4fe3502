import ClusterModel
import Foundation
import SimKernel

// Marathon app and group JSON (v2 REST API) under Marathon's own rule: every field of app.raml
// (1.4 ... 1.10) is known; the modelled ones are decoded with Marathon's defaults, the others are
// accepted and listed once per app in a warning. A field Marathon does not know is ignored with a
// warning naming its path (its JSON readers never forbid additional properties), never an error;
// what Marathon's validators reject is an error with Marathon's reason. `null` counts as absent, as
// in Marathon. Policy and sources: docs/marathon.md "What loads, what is rejected".

/// Keys of an app object: modelled ones, then accepted-but-not-modelled ones.
enum MarathonAppKeys {
    static let modelled = ["id", "instances", "cpus", "mem", "disk", "gpus", "cmd", "container", "networks", "ipAddress",
                           "portDefinitions", "ports", "requirePorts", "constraints", "healthChecks", "readinessChecks",
                           "upgradeStrategy", "unreachableStrategy", "killSelection", "backoffSeconds", "backoffFactor",
                           "maxLaunchDelaySeconds", "taskKillGracePeriodSeconds", "dependencies", "labels", "residency",
                           "acceptedResourceRoles", "role", "user", "env", "args"]
    /// Known to Marathon, not modelled (app.raml App and the read-only AppInfo fields of GET /v2/apps).
    static let accepted = ["executor", "executorResources", "fetch", "uris", "storeUrls", "secrets", "check",
                           "resourceLimits", "tty", "version", "versionInfo",
                           "tasksStaged", "tasksRunning", "tasksHealthy", "tasksUnhealthy", "deployments", "tasks",
                           "lastTaskFailure", "taskStats", "tasksStats", "readinessCheckResults"]
    /// Labels the simulator reads (marathon-lb).
    static let modelledLabels = ["HAPROXY_GROUP"]
    /// Per-port labels marathon-lb v1.11.0 reads that the simulator does not apply: the templates of
    /// `--haproxy-map` and of the HTTPS frontend (not written; docs/marathon-lb.md).
    static func isNotModelledPortLabel(_ label: Substring) -> Bool {
        label.hasPrefix("MAP_") || label.hasPrefix("HTTPS_")
    }
    /// Whether the simulator applies this label: HAPROXY_GROUP and the per-port labels marathon-lb
    /// reads (`HAPROXY_{n}_VHOST`, `HAPROXY_{n}_BACKEND_HEAD` ...), modelled by the marathon-lb subsystem.
    static func isModelled(label name: String) -> Bool {
        if modelledLabels.contains(name) { return true }
        let parts = name.split(separator: "_", maxSplits: 2)
        return parts.count == 3 && parts[0] == "HAPROXY" && Int(parts[1]) != nil && MarathonLBLabels.isKnown(name)
            && !isNotModelledPortLabel(parts[2])
    }
}

/// Marathon ignores fields it does not know: Play JSON `Reads` (1.4, `api/v2/json/Formats.scala`) and
/// the RAML-generated readers (1.5+, `raml/*.scala`, no `additionalProperties: false`) read the fields
/// they know and drop the rest. Consumes every key of `r` nobody read and returns one warning per key,
/// with its path (and a did-you-mean, since a typo is the likeliest cause); then finishes `r`.
func ignoredFields(_ r: ObjectReader) -> [MarathonTree.Note] {
    let notes = r.takeUnread().map { u in
        MarathonTree.Note(path: r.keyPath(u.member.key), value: u.member.value,
                          message: "unknown field \(JSONValue.quote(u.member.key)) ignored, as Marathon ignores fields it does not know"
                              + (u.suggestion.map { "; did you mean \(JSONValue.quote($0))?" } ?? ""))
    }
    r.finish()
    return notes
}

/// Collects apps and groups, then resolves ids, dependencies and cycles.
final class MarathonTree {
    struct DecodedApp { var app: AppDefinition; var path: String; var value: JSONValue; var standalone = false }
    struct DecodedGroup {
        var id: String; var path: String; var value: JSONValue
        var apps: [String] = []; var groups: [String] = []; var dependencies: [String] = []
        var dependencyPaths: [(String, JSONValue)] = []
    }
    struct Note { var path: String; var value: JSONValue?; var message: String }

    let version: MarathonVersion
    let d: Diagnostics
    var apps: [DecodedApp] = []
    private(set) var groups: [DecodedGroup] = []
    var warnings: [Note] = []
    /// (app index, dependency path, value) for every app dependency, to check existence.
    var appDependencyPaths: [[(String, JSONValue)]] = []

    init(version: MarathonVersion, diagnostics: Diagnostics) { self.version = version; self.d = diagnostics }

    func topLevelEntry(_ v: JSONValue, path: String, inApps: Bool) {
        if let s = v.stringValue {
            d.error(path, at: v, "\(JSONValue.quote(s)): a file reference is read when the scenario file is loaded (relative to the file that names it); a path given with --set is not read — set the app's JSON instead")
            return
        }
        // A JSON array of apps is the body of `PUT /v2/apps` (marathon AppsResource.replaceMultiple,
        // `Json.parse(body).as[Seq[AppUpdate]]`, 1.4 to 1.10; each needs its id) and what `GET /v2/pods`
        // answers (an array of pods): each element is read as one entry of `marathon.apps`.
        if inApps, let elements = v.arrayValue {
            for (i, e) in elements.enumerated() {
                let p = JSONPath.index(path, i)
                if e.objectMembers == nil {
                    d.error(p, at: e, typeMismatch("an app or pod definition (an object), as in the array `PUT /v2/apps` takes", e))
                } else {
                    topLevelEntry(e, path: p, inApps: true)
                }
            }
            return
        }
        guard let members = v.objectMembers else {
            d.error(path, at: v, typeMismatch(inApps ? "a Marathon app definition (an object) or a relative path to an app or group JSON file" : "a Marathon group definition (an object) or a relative path to a group JSON file", v))
            return
        }
        // `GET /v2/apps/{id}` answers `{"app": {AppInfo}}` (marathon AppsResource.index/show,
        // `ok(jsonObjString("app" -> appInfo))`, 1.4 to 1.10): a saved answer is read as the app it holds, the
        // way a `GET /v2/groups` export is read as its group (the AppInfo's status fields are warnings).
        if inApps, members.count == 1, members[0].key == "app", let inner = members[0].value.objectMembers,
           !inner.contains(where: { $0.key == "apps" || $0.key == "groups" || $0.key == "pods" }) {
            d.warning(path, at: v, "read as a `GET /v2/apps/{id}` answer: the app in its \"app\" member")
            topLevelEntry(members[0].value, path: JSONPath.key(path, "app"), inApps: true)
            return
        }
        let looksLikeGroup = members.contains { $0.key == "apps" || $0.key == "groups" || $0.key == "pods" }
        if inApps && members.contains(where: { $0.key == "containers" }) { decodePod(v, path: path, group: "/") }   // MarathonPods.swift
        else if inApps && !looksLikeGroup { decodeApp(v, path: path, group: "/", standalone: true) }
        else { decodeGroup(v, path: path, parent: "/", topLevel: true) }
    }

    // MARK: groups

    /// A top-level group body without an `id` is the root group, as `PUT /v2/groups` takes it
    /// (`GroupsResource.updateRoot` = update("") in 1.4; what `GET /v2/groups` exports); a nested
    /// group needs one (1.4 `GroupUpdate.groupId`: "No group id was given!").
    func decodeGroup(_ v: JSONValue, path: String, parent: String, topLevel: Bool = false) {
        let r = ObjectReader(v, path: path, diagnostics: d, nullMeansAbsent: true)
        guard r.isObject else { return }
        var notModelled: [String] = []
        let rawIDOrNil: String?
        if topLevel && !r.has("id") { rawIDOrNil = "/" }
        else { rawIDOrNil = r.required("id", idDecoder, hint: "the group's path, like \"/courseware\" (Marathon: \"No group id was given!\"; only a top-level group body may leave it out, and is then the root group)") }
        guard let rawID = rawIDOrNil else {
            for k in ["apps", "groups", "dependencies", "version", "pods", "enforceRole", "scaleBy"] { _ = r.value(k) }
            warnings += ignoredFields(r); return
        }
        let id = MarathonPath.canonical(rawID, base: parent)
        if id == "/" && parent == "/" && rawID != "/" {
            d.error(r.keyPath("id"), at: r.value["id"], "group id \(JSONValue.quote(rawID)) resolves to the root group \"/\"")
        } else if parent != "/" || id != "/" {
            if !(MarathonPath.isInside(id, parent) && id != parent) {
                d.error(r.keyPath("id"), at: r.value["id"], "group \(id) is not inside its parent group \(parent); a nested group's id must be below the parent's (relative ids are resolved against it)")
            }
        }
        var g = DecodedGroup(id: id, path: path, value: v)
        if let deps = r.value("dependencies") {
            let p = r.keyPath("dependencies")
            if let a = deps.arrayValue {
                for (i, e) in a.enumerated() {
                    if let s = idDecoder.decode(e, JSONPath.index(p, i), d) {
                        let dep = MarathonPath.canonical(s, base: id)
                        g.dependencies.append(dep); g.dependencyPaths.append((JSONPath.index(p, i), e))
                    }
                }
            } else { d.error(p, at: deps, typeMismatch("an array of app or group ids", deps)) }
        }
        for k in ["version", "enforceRole", "scaleBy"] where r.value(k) != nil { notModelled.append(k) }
        let index = groups.count
        groups.append(g)
        if let av = r.value("apps") {
            if let a = av.arrayValue {
                for (i, e) in a.enumerated() {
                    let p = JSONPath.index(r.keyPath("apps"), i)
                    if let appID = decodeApp(e, path: p, group: id) { groups[index].apps.append(appID) }
                }
            } else { d.error(r.keyPath("apps"), at: av, typeMismatch("an array of app definitions", av)) }
        }
        if let pv = r.value("pods") { decodePods(pv, path: r.keyPath("pods"), group: id) }   // MarathonPods.swift
        if let gv = r.value("groups") {
            if let a = gv.arrayValue {
                for (i, e) in a.enumerated() {
                    let p = JSONPath.index(r.keyPath("groups"), i)
                    let before = groups.count
                    decodeGroup(e, path: p, parent: id)
                    if groups.count > before { groups[index].groups.append(groups[before].id) }
                }
            } else { d.error(r.keyPath("groups"), at: gv, typeMismatch("an array of group definitions", gv)) }
        }
        warnings += ignoredFields(r)
        if !notModelled.isEmpty {
            warnings.append(Note(path: path, value: v, message: "fields accepted but not modelled: " + notModelled.joined(separator: ", ")))
        }
    }

    // MARK: apps

    let idDecoder = ValueDecoder<String>.string.check { MarathonPath.problem($0) }

    /// `standalone`: an app given on its own (`POST /v2/apps`), not inside a group body; its
    /// relative dependencies resolve as the version does (see `AppDecoder.decode`).
    @discardableResult
    func decodeApp(_ v: JSONValue, path: String, group: String, standalone: Bool = false) -> String? {
        let r = ObjectReader(v, path: path, diagnostics: d, nullMeansAbsent: true)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let ad = AppDecoder(r: r, version: version, d: d)
        let result = ad.decode(group: group, standalone: standalone)
        ad.ignored += ignoredFields(r)
        guard let (app, depPaths) = result else { return nil }
        if d.errorCount != before { return app.id }
        apps.append(DecodedApp(app: app, path: path, value: v, standalone: standalone))
        appDependencyPaths.append(depPaths)
        warnings += ad.ignored
        if !ad.notModelled.isEmpty {
            warnings.append(Note(path: path, value: v, message: "fields accepted but not modelled: " + ad.notModelled.joined(separator: ", ")))
        }
        return app.id
    }

    // MARK: resolution

    /// Every group, explicit or implied by app and group ids, keyed by (parent, segment): an id
    /// of n segments costs O(n) here, not the O(n²) characters of its ancestors' full ids
    /// (MarathonGroupTree). `appParent[i]`: the node of app i's group.
    private var groupTree = MarathonGroupTree()
    private var appParent: [Int] = []

    func finish() {
        // duplicates
        var seenApps: [String: String] = [:]
        var keep: [Bool] = []
        for a in apps {
            if let first = seenApps[a.app.id] {
                d.error(JSONPath.key(a.path, "id"), at: a.value["id"], "duplicate app id \(a.app.id) (also defined at \(first)); app ids must be unique")
                keep.append(false)
            } else { seenApps[a.app.id] = a.path; keep.append(true) }
        }
        var seenGroups: [String: String] = [:]
        for g in groups {
            if let first = seenGroups[g.id], g.id != "/" {
                d.error(JSONPath.key(g.path, "id"), at: g.value["id"], "duplicate group id \(g.id) (also defined at \(first)); merge the two definitions")
            } else { seenGroups[g.id] = g.path }
        }
        var built = MarathonGroupTree()
        appParent = apps.map { built.insert(MarathonPath.parent($0.app.id)) }
        for g in groups { built.insert(g.id) }
        groupTree = built
        let tree = built
        let isGroup = { (id: String) in tree.lookup(id) != nil }
        for a in apps where isGroup(a.app.id) {
            d.error(JSONPath.key(a.path, "id"), at: a.value["id"], "\(a.app.id) is both an app and a group; an id names one or the other")
        }

        // dependencies exist
        let appIDs = apps.map(\.app.id)
        // A dependency on an id the root group does not hold adds no edge to Marathon's dependency
        // graph (state/RootGroup.scala `applicationDependencies`: `transitiveAppsById.get(id)
        // orElse transitiveGroupsById.get(id) getOrElse Set.empty`); only cycles are rejected
        // (`noCyclicDependencies`). So it is ignored, with a warning. `/` is the root group: it
        // holds every app, so depending on it is a cycle. The did-you-mean compares only ids
        // within 3 characters of the word's length (Suggest.closest), so the candidates (built
        // once) hold the app ids and only the group ids near the length of a missing dependency:
        // the same suggestions as all ids, without the O(n²) characters of a deep id's groups.
        let holds = { (dep: String) in seenApps[dep] != nil || isGroup(dep) }
        var missingLengths: [Int] = []
        for a in apps { for dep in a.app.dependencies where !holds(dep) { missingLengths.append(dep.unicodeScalars.count) } }
        for g in groups { for dep in g.dependencies where !holds(dep) { missingLengths.append(dep.unicodeScalars.count) } }
        let known = missingLengths.isEmpty ? [] : appIDs + tree.ids(withLengthNear: missingLengths, within: 3)
        func checkExists(_ dep: String, _ p: String, _ v: JSONValue, owner: String, standaloneApp: String? = nil) {
            if holds(dep) { return }
            var hint = Suggest.didYouMean(dep, among: known)
            if let app = standaloneApp, let raw = v.stringValue, !raw.hasPrefix("/") {
                let fromRoot = MarathonPath.canonical(raw, base: "/")
                hint = "; Marathon \(version) resolves a relative dependency of an app given on its own against the app's own id (\(app))"
                    + (seenApps[fromRoot] != nil || isGroup(fromRoot) ? ", so \(JSONValue.quote(raw)) is not \(fromRoot) before Marathon 1.5: write \(JSONValue.quote(fromRoot))" : "")
            }
            warnings.append(Note(path: p, value: v, message: "\(owner) depends on \(dep), which is neither an app nor a group here\(hint); ignored, as Marathon ignores a dependency on an id it does not hold"))
        }
        for (i, a) in apps.enumerated() {
            let standalone = a.standalone && version < MarathonVersion(1, 5) ? a.app.id : nil
            for ((p, v), dep) in zip(appDependencyPaths[i], a.app.dependencies) { checkExists(dep, p, v, owner: "app \(a.app.id)", standaloneApp: standalone) }
        }
        for g in groups {
            for ((p, v), dep) in zip(g.dependencyPaths, g.dependencies) { checkExists(dep, p, v, owner: "group \(g.id)") }
        }
        guard keep.allSatisfy({ $0 }) else { return }
        for i in apps.indices { apps[i].app.dependencies.removeAll { !holds($0) } }
        for i in groups.indices { groups[i].dependencies.removeAll { !holds($0) } }

        // effective dependencies: own + enclosing groups', groups expanded to their apps. The apps
        // of a group and the dependencies of an app's enclosing groups are looked up by group
        // node, walking each app's ancestors once (linear in apps × depth, not apps × groups, and
        // no full id of an ancestor is built)
        let nodeCount = tree.nodes.count
        var appsOfGroup = [[String]](repeating: [], count: nodeCount)
        for (i, id) in appIDs.enumerated() {
            var n = appParent[i]
            while n >= 0 { appsOfGroup[n].append(id); n = tree.nodes[n].parent }
        }
        var groupDependencies = [[String]](repeating: [], count: nodeCount)
        var anyGroupDependency = false
        for g in groups where g.id != "/" && !g.dependencies.isEmpty {
            guard let n = tree.lookup(g.id) else { continue }
            groupDependencies[n].append(contentsOf: g.dependencies)
            anyGroupDependency = true
        }
        func expand(_ dep: String) -> [String] {
            if seenApps[dep] != nil { return [dep] }
            return tree.lookup(dep).map { appsOfGroup[$0] } ?? []
        }
        for i in apps.indices {
            var deps = Set<String>()
            for dep in apps[i].app.dependencies { deps.formUnion(expand(dep)) }
            if anyGroupDependency {
                var n = appParent[i]
                while n > 0 {
                    for dep in groupDependencies[n] { deps.formUnion(expand(dep)) }
                    n = tree.nodes[n].parent
                }
            }
            apps[i].app.effectiveDependencies = deps.sorted()
        }

        // cycles (one error per cycle, named in order): a depth-first search with its own stack
        // (a chain of a hundred thousand dependencies would overflow the thread's stack as recursion)
        var state = [String: Int]()   // 1 = on stack, 2 = done
        var stack: [String] = []
        var position = [String: Int]()   // index in `stack` of an app on it
        var frames: [(app: Int, next: Int)] = []
        var reported = Set<[String]>()
        let byID = Dictionary(uniqueKeysWithValues: apps.enumerated().map { ($0.element.app.id, $0.offset) })
        func enter(_ id: String) {
            state[id] = 1; position[id] = stack.count; stack.append(id)
            frames.append((byID[id]!, 0))
        }
        for a in apps where state[a.app.id] == nil {
            enter(a.app.id)
            while let top = frames.last {
                let deps = apps[top.app].app.effectiveDependencies
                guard top.next < deps.count else {
                    frames.removeLast()
                    let id = stack.removeLast()
                    position[id] = nil; state[id] = 2
                    continue
                }
                frames[frames.count - 1].next += 1
                let dep = deps[top.next]
                if state[dep] == 1 {
                    let cycle = Array(stack[position[dep]!...])
                    let key = cycle.sorted()
                    if !reported.contains(key) {
                        reported.insert(key)
                        let a = apps[byID[cycle[0]]!]
                        let p = a.value["dependencies"] != nil ? JSONPath.key(a.path, "dependencies") : a.path
                        let via = cycle.count == 1 ? " (an app cannot depend on itself or on a group containing it)" : ""
                        d.error(p, at: a.value["dependencies"] ?? a.value, "dependency cycle: " + Suggest.cycle(cycle) + via + "; Marathon rejects cyclic dependencies")
                    }
                } else if state[dep] == nil { enter(dep) }
            }
        }
    }

    /// The warnings about values inside `v` (by source location): for a deploy action, whose app
    /// is decoded from the old definition merged with its `changes`, the ones its changes brought.
    func warnings(within v: JSONValue) -> [Note] {
        var locations: [SourceLocation] = []
        func walk(_ x: JSONValue) {
            if let l = x.location { locations.append(l) }
            if let m = x.objectMembers { for e in m { walk(e.value) } } else if let a = x.arrayValue { for e in a { walk(e) } }
        }
        walk(v)
        return warnings.filter { w in w.value.flatMap(\.location).map { l in locations.contains(l) } ?? false && w.message.hasPrefix("unknown field") }
    }

    /// Groups for the spec: explicit ones with their dependencies, plus implied ones, each with
    /// its own apps (after `finish`).
    func groupDefinitions() -> MarathonGroupTree {
        var t = groupTree
        for (i, a) in apps.enumerated() where i < appParent.count { t.addApp(a.app.id, to: appParent[i]) }
        for g in groups { t.markExplicit(t.insert(g.id), dependencies: g.dependencies) }
        return t
    }
}

// MARK: - One app

final class AppDecoder {
    let r: ObjectReader
    let version: MarathonVersion
    let d: Diagnostics
    var notModelled: [String] = []
    /// Fields Marathon does not know (warnings, see `ignoredFields`).
    var ignored: [MarathonTree.Note] = []

    init(r: ObjectReader, version: MarathonVersion, d: Diagnostics) { self.r = r; self.version = version; self.d = d }

    /// An enum field of the app. Marathon 1.5+ reads an app through its RAML-generated readers,
    /// which compare enum literals in any case (type-generator templates/enum.liquid: `s.toLowerCase
    /// match`); 1.4's Play JSON formats (api/v2/json/Formats.scala) take the literal as written.
    func enumField(_ allowed: [String], what: String) -> ValueDecoder<String> {
        version >= MarathonVersion(1, 5) ? MarathonPodKeys.ramlEnum(allowed, what: what) : .oneOf(allowed, what: what)
    }

    /// Finishes a nested reader the Marathon way: unknown keys are warnings.
    func finish(_ reader: ObjectReader) { ignored += ignoredFields(reader) }

    func p(_ k: String) -> String { r.keyPath(k) }

    /// Marks a key as accepted but not modelled when present (consumes it).
    func accept(_ key: String, prefix: String = "", in reader: ObjectReader? = nil) {
        if (reader ?? r).value(key) != nil { notModelled.append(prefix + key) }
    }

    func decode(group: String, standalone: Bool = false) -> (AppDefinition, [(String, JSONValue)])? {
        let idDecoder = ValueDecoder<String>.string.check { MarathonPath.problem($0) }
        let rawID = r.required("id", idDecoder, hint: "the app's path, like \"/courseware/web\" (relative ids resolve against the enclosing group)")
        var id: String? = nil
        if let rawID {
            let x = MarathonPath.canonical(rawID, base: group)
            if x == "/" { d.error(p("id"), at: r.value["id"], "app id \(JSONValue.quote(rawID)) resolves to the root group \"/\"; an app needs a name") }
            else if group != "/" && MarathonPath.parent(x) != group {
                d.error(p("id"), at: r.value["id"], "app \(x) is not a child of its group \(group); an app inside a group must be named \(group)/<name> (or just <name>)")
            } else { id = x }
        }

        let instances = r.optional("instances", .int(min: 0, max: Int(Int32.max)), default: 1)
        let cpus = r.optional("cpus", resourceDecoder("cpus"), default: 1)
        let mem = r.optional("mem", resourceDecoder("mem"), default: 128)
        let disk = r.optional("disk", resourceDecoder("disk"), default: 0)
        let gpus = r.optional("gpus", .int(min: 0, max: Int(Int32.max)), default: 0)
        let cmd = r.optional("cmd", .nonEmptyString)
        let args = r.optional("args", .array(of: .string))
        if args != nil { notModelled.append("args") }
        if cmd != nil && args != nil { d.error(p("args"), at: r.value["args"], "give either \"cmd\" or \"args\", not both (Marathon rejects both)") }
        // The deprecated "uris" with "fetch", both non-empty, is refused: 1.4 api/v2/json/Formats.scala
        // AppDefinitionReads ("You cannot specify both uris and fetch fields"), 1.5+
        // AppValidation.validateOldAppAPI (uris "may not be set in conjunction with fetch"). A GET
        // /v2/apps answer of 1.4 has both (it writes "uris" from fetch), so it cannot be posted back.
        if let u = r.value["uris"]?.arrayValue, !u.isEmpty, let f = r.value["fetch"]?.arrayValue, !f.isEmpty {
            d.error(p("uris"), at: r.value["uris"], version < MarathonVersion(1, 5)
                    ? "You cannot specify both uris and fetch fields (Marathon \(version)); give the URIs as \"fetch\" only"
                    : "may not be set in conjunction with fetch (Marathon \(version), AppValidation.validateOldAppAPI); give the URIs as \"fetch\" only")
        }

        // container and networks
        let container = r.value("container").flatMap { decodeContainer($0, path: p("container")) }
        var networks: [(mode: String, name: String?)] = []
        // "networks" came with 1.5; Marathon 1.4's Play JSON reads do not know it and drop it (an
        // unknown-field warning, left unread here), as files written for both versions rely on.
        if version >= MarathonVersion(1, 5), let nv = r.value("networks") { networks = decodeNetworks(nv, path: p("networks")) ?? [] }
        var ipNetworkName: String? = nil
        var hasIPAddress = false
        if let iv = r.value("ipAddress") {
            hasIPAddress = true
            let ir = ObjectReader(iv, path: p("ipAddress"), diagnostics: d, nullMeansAbsent: true)
            ipNetworkName = ir.optional("networkName", .nonEmptyString)
            if let dv = ir.value("discovery") {
                notModelled.append("ipAddress.discovery")
                // 1.4: DiscoveryInfo.nonEmpty = it has ports (state/DiscoveryInfo.scala@v1.4.0);
                // 1.5+: the field is present (raml IpAddress.discovery: Option[IpDiscovery]).
                let nonEmpty = version < MarathonVersion(1, 5) ? !(dv["ports"]?.arrayValue?.isEmpty ?? true) : true
                let docker = container?.container.type == .docker
                if version < MarathonVersion(1, 5) {
                    // state/AppDefinition.scala@v1.4.0 complyWithIpAddressRules
                    if nonEmpty && docker, let n = container?.container.dockerNetwork, n == .bridge || n == .user {
                        d.error(JSONPath.key(ir.path, "discovery"), at: dv, "ipAddress/discovery is not allowed for Docker containers using BRIDGE or USER networks (Marathon \(version); declare the ports as container.docker.portMappings)")
                    }
                } else if nonEmpty && docker {
                    // api/v2/validation/AppValidation.scala@v1.5.0 validateOldAppAPI
                    d.error(JSONPath.key(ir.path, "discovery"), at: dv, "ipAddress/discovery is not allowed for Docker containers (Marathon \(version); declare the ports as portMappings)")
                }
            }
            for k in ["groups", "labels"] { accept(k, prefix: "ipAddress.", in: ir) }
            finish(ir)
            if !networks.isEmpty {
                d.error(p("ipAddress"), at: iv, "must not specify both networks and ipAddress (Marathon \(version), AppValidation.validateOldAppAPI)")
            }
        }
        if !networks.isEmpty, container?.container.dockerNetwork != nil {
            d.error(JSONPath.key(JSONPath.key(p("container"), "docker"), "network"), at: r.value["container"]?["docker"]?["network"],
                    "must not specify both container.docker.network and networks (Marathon \(version), AppValidation.validateOldAppAPI)")
        }
        let networkMode: NetworkMode
        if let nonHost = networks.first(where: { $0.mode != "host" }) {
            networkMode = nonHost.mode == "container/bridge" ? .bridge : .container(name: nonHost.name)
        } else if !networks.isEmpty {
            networkMode = .host
        } else if let dn = container?.container.dockerNetwork {
            switch dn {
            case .host: networkMode = .host
            case .bridge: networkMode = .bridge
            case .user: networkMode = .container(name: ipNetworkName)
            case .none: networkMode = .container(name: nil)
            }
        } else if hasIPAddress {
            networkMode = .container(name: ipNetworkName)
        } else { networkMode = .host }

        // ports
        let requirePorts = r.optional("requirePorts", .bool, default: false) ?? false
        var ports: [AppPort] = []
        let hasPD = r.has("portDefinitions"), hasPorts = r.has("ports")
        var hostPortValues: [Int]? = nil
        var portsPath = p("portDefinitions")
        if hasPD && hasPorts {
            // Marathon takes both when they list the same ports (a GET /v2/apps answer of Marathon 1.0-1.3 has
            // both) and uses portDefinitions: 1.4 api/v2/json/Formats.scala and 1.5+ AppValidation.validateOldAppAPI,
            // portDefinitions.map(_.map(_.port)) == ports, a missing port being 0 (raml PortDefinition's default)
            func ints(_ v: JSONValue?) -> [Int64]? {
                guard let a = v?.arrayValue else { return nil }
                let xs = a.compactMap { $0.numberValue?.int64 }
                return xs.count == a.count ? xs : nil
            }
            let listed = ints(r.value["ports"])
            let defined = r.value["portDefinitions"]?.arrayValue.flatMap { defs in
                ints(JSONValue.array(defs.map { d in d["port"].flatMap { $0.isNull ? nil : $0 } ?? JSONValue.number(0) }))
            }
            if let listed, listed == defined {
                _ = r.optional("ports", .array(of: .int(min: 0, max: 65535)))
            } else {
                r.reject("ports", "give either \"portDefinitions\" or the deprecated \"ports\", not both, unless they list the same ports (Marathon: \""
                         + (version < MarathonVersion(1, 5) ? "You cannot specify both ports and port definitions" : "cannot specify both ports and port definitions") + "\")")
            }
        }
        if hasPD {
            hostPortValues = nil
            if let defs = r.optional("portDefinitions", .array(of: portDefinitionDecoder)) {
                ports = defs.map { AppPort(name: $0.name, protocol: $0.protocol, containerPort: nil, hostPort: requirePorts ? $0.port : 0, servicePort: $0.port, labels: $0.labels) }
                hostPortValues = defs.map(\.port)
            }
        } else if hasPorts {
            portsPath = p("ports")
            if let ps = r.optional("ports", .array(of: .int(min: 0, max: 65535))) {
                ports = ps.map { AppPort(hostPort: requirePorts ? $0 : 0, servicePort: $0) }
                hostPortValues = ps
            }
        } else {
            ports = [AppPort(name: "default", hostPort: 0, servicePort: 0)]   // raml/Apps.scala DefaultPortDefinitions (state/AppDefinition.scala in 1.4)
        }
        if let hv = hostPortValues {
            for (i, _) in repeatedElements(hv.map { $0 == 0 ? nil : $0 }) where hv[i] != 0 {
                let x = hv[i]
                d.error(portsPath, at: r.value[hasPD ? "portDefinitions" : "ports"], "port \(x) is listed twice; non-zero ports must be unique (Marathon: \"Ports must be unique.\")")
            }
            if hasIPAddress && !hv.isEmpty {
                // 1.4: require(ipAddress.isEmpty || portDefinitions.isEmpty) in state/AppDefinition.scala;
                // 1.5+: AppValidation.validateOldAppAPI "cannot specify both an IP address and port"
                d.error(portsPath, at: r.value[hasPD ? "portDefinitions" : "ports"], version < MarathonVersion(1, 5)
                        ? "IP address and ports are not allowed at the same time (Marathon \(version)); with ipAddress, declare no portDefinitions"
                        : "cannot specify both an IP address and port (Marathon \(version)); with ipAddress, declare no portDefinitions")
            }
        }
        let portNames = hasPD ? ports.compactMap(\.name) : (container?.portMappings ?? []).compactMap(\.name)
        for (i, _) in repeatedElements(portNames) {
            let n = portNames[i]
            // state/PortDefinition.scala@v1.4.0, AppValidation.scala (1.5+): elementsAreUniqueByOptional(_.name)
            let where_ = hasPD ? p("portDefinitions") : (r.value["container"]?["docker"]?["portMappings"] != nil ? JSONPath.key(JSONPath.key(p("container"), "docker"), "portMappings") : JSONPath.key(p("container"), "portMappings"))
            d.error(where_, at: hasPD ? r.value["portDefinitions"] : r.value["container"], "port name \(JSONValue.quote(n)) is used twice (Marathon: \"Port names must be unique.\")")
            break
        }
        if networkMode != .host {
            if (hasPD || hasPorts), !(hostPortValues ?? []).isEmpty {
                notModelled.append(hasPD ? "portDefinitions (ignored: not host networking)" : "ports (ignored: not host networking)")
            }
            ports = (container?.portMappings ?? []).map { m in
                AppPort(name: m.name, protocol: m.protocol, containerPort: m.containerPort,
                        hostPort: m.hostPort ?? (networkMode == .bridge ? 0 : nil), servicePort: m.servicePort, labels: m.labels)
            }
        } else if let pm = container?.portMappings, !pm.isEmpty {
            notModelled.append("container portMappings (ignored: host networking)")
        }

        // constraints
        var constraints: [PlacementConstraint] = []
        if let cv = r.value("constraints") { constraints = decodeConstraints(cv, path: p("constraints")) }

        // health and readiness
        var healthChecks: [HealthCheck] = []
        if let hv = r.value("healthChecks") { healthChecks = decodeHealthChecks(hv, path: p("healthChecks"), ports: ports) }
        var readiness: [ReadinessCheck] = []
        if let rv = r.value("readinessChecks") { readiness = decodeReadinessChecks(rv, path: p("readinessChecks"), ports: ports) }

        // residency / strategies
        var isResident = container?.hasPersistentVolumes ?? false
        if r.value("residency") != nil { isResident = true; notModelled.append("residency") }
        let upgrade = r.value("upgradeStrategy").map { decodeUpgradeStrategy($0, path: p("upgradeStrategy"), resident: isResident) }
            ?? (isResident ? UpgradeStrategy.forResidentTasks : .default)
        let unreachable = r.value("unreachableStrategy").map { decodeUnreachable($0, path: p("unreachableStrategy"), resident: isResident) }
            ?? (isResident ? version.defaultResidentUnreachableStrategy : version.defaultUnreachableStrategy)
        let killSelection = r.optional("killSelection", enumField(KillSelection.allCases.map(\.rawValue), what: "killSelection"))
            .flatMap(KillSelection.init(rawValue:)) ?? .youngestFirst
        let backoffSeconds = r.optional("backoffSeconds", .int(min: 0, max: Int(Int32.max)), default: 1)
        let backoffFactor = r.optional("backoffFactor", .number(atLeast: 1.0), default: 1.15)
        let maxLaunchDelay = r.optional("maxLaunchDelaySeconds", .int(min: 0, max: Int(Int32.max)),
                                        default: Int(version.defaultMaxLaunchDelay.nanoseconds / 1_000_000_000))
        let grace = r.optional("taskKillGracePeriodSeconds", .int(min: 0, max: Int(Int32.max)))
        if let f = backoffFactor, let b = backoffSeconds, let m = maxLaunchDelay {
            // The delay grows as FiniteDuration((delay.toNanos * factor).toLong), capped at
            // maxLaunchDelay (core/launchqueue/impl/RateLimiter.scala); the JVM saturates the product
            // at Long.MaxValue, the simulator's 64-bit nanoseconds cannot hold it.
            let largest = Double(max(b, m)) * 1e9
            if largest * f >= 9.0e18 {
                let limit = 9.0e18 / largest
                d.error(p("backoffFactor"), at: r.value["backoffFactor"], "backoffFactor \(NumberFormat.decimal(f)) cannot be simulated with backoffSeconds \(b) and maxLaunchDelaySeconds \(m): a grown delay would not fit 64-bit nanoseconds (Marathon saturates it and caps it at maxLaunchDelaySeconds, so any factor above the limit behaves alike); use at most \(NumberFormat.decimal(limit.rounded(.down)))")
            }
        }

        // dependencies. Relative ones resolve against the enclosing group (1.4 GroupUpdate.toApp,
        // 1.5+ GroupConversion: canonicalPath(gid)); for an app given on its own, 1.4 resolves them
        // against the app's own id (state/AppDefinition.scala@v1.4.0 withCanonizedIds:
        // dependencies.map(_.canonicalPath(baseId)), baseId = the app's id), 1.5.0 and later
        // against `/` (api/v2/AppNormalization.scala@v1.5.0 withCanonizedIds(base = PathId.empty)).
        let dependencyBase = standalone && version < MarathonVersion(1, 5) ? (id ?? group) : group
        var dependencies: [String] = []
        var depPaths: [(String, JSONValue)] = []
        if let dv = r.value("dependencies") {
            if let a = dv.arrayValue {
                for (i, e) in a.enumerated() {
                    let ep = JSONPath.index(p("dependencies"), i)
                    if let s = idDecoder.decode(e, ep, d) {
                        let dep = MarathonPath.canonical(s, base: dependencyBase)
                        if dependencies.contains(dep) { d.error(ep, at: e, "dependency \(dep) is listed twice") }
                        else { dependencies.append(dep); depPaths.append((ep, e)) }
                    }
                }
            } else { d.error(p("dependencies"), at: dv, typeMismatch("an array of app or group ids", dv)) }
        }

        // labels, env, roles, user
        var labels: [Label] = []
        if let lv = r.value("labels") {
            if let members = lv.objectMembers {
                for m in members {
                    if let s = m.value.stringValue { labels.append(Label(name: m.key, value: s)) }
                    else { d.error(JSONPath.key(p("labels"), m.key), at: m.value, typeMismatch("a string (label values are strings)", m.value)) }
                }
                for l in labels where !MarathonAppKeys.isModelled(label: l.name) {
                    if MarathonLBLabels.isKnown(l.name) { notModelled.append("labels." + l.name); continue }
                    // an HAPROXY_ label marathon-lb does not read (a typo): it ignores it
                    let lp = JSONPath.key(p("labels"), l.name)
                    ignored.append(MarathonTree.Note(path: lp, value: lv[l.name], message: "marathon-lb (v1.11) reads no label \(JSONValue.quote(l.name)): ignored, as marathon-lb ignores it"
                                                     + Suggest.didYouMean(l.name, among: MarathonLBLabels.knownNames(like: l.name))))
                }
            } else { d.error(p("labels"), at: lv, typeMismatch("an object of label names to string values", lv)) }
        }
        var envNames: [String] = []
        var environment: [Label] = []
        if let ev = r.value("env") {
            if let members = ev.objectMembers {
                for m in members {
                    if let s = m.value.stringValue { envNames.append(m.key); environment.append(Label(name: m.key, value: s)) }
                    else if let o = m.value.objectMembers, o.count == 1, o[0].key == "secret", o[0].value.stringValue != nil { envNames.append(m.key) }
                    else { d.error(JSONPath.key(p("env"), m.key), at: m.value, typeMismatch("a string or {\"secret\": \"name\"}", m.value)) }
                }
                // registrator's SERVICE_* keys are read (for Consul); only the others are not modelled
                let registrator = members.filter { $0.key.hasPrefix("SERVICE_") }.count
                if registrator == members.count {
                } else if registrator > 0 {
                    notModelled.append("env (other than registrator's SERVICE_* keys, which are read for Consul: docs/consul.md)")
                } else { notModelled.append("env") }
            } else { d.error(p("env"), at: ev, typeMismatch("an object of environment variable names to values", ev)) }
        }
        let roles = r.optional("acceptedResourceRoles", .array(of: .nonEmptyString))
        if roles != nil { notModelled.append("acceptedResourceRoles") }
        let role = r.optional("role", .nonEmptyString)
        if role != nil { notModelled.append("role") }
        let user = r.optional("user", .string)
        if user != nil { notModelled.append("user") }
        for k in MarathonAppKeys.accepted { accept(k) }

        // cross-field rules (state/AppDefinition.scala validation)
        if cmd == nil && args == nil && container == nil {
            d.error(r.path, at: r.value, "an app needs \"cmd\", \"args\" or a \"container\" (Marathon: \"AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'\")")
        }
        if let g = gpus, g > 0, container?.container.type == .docker {
            d.error(p("gpus"), at: r.value["gpus"], "GPU resources only work with the Mesos containerizer (container.type \"MESOS\"), not DOCKER")
        }
        let mesosChecks = healthChecks.filter { $0.protocol.isMesosLevel && $0.protocol != .command }.count
        if mesosChecks > 1 {
            d.error(p("healthChecks"), at: r.value["healthChecks"], "an app can have at most one Mesos health check (MESOS_HTTP, MESOS_HTTPS, MESOS_TCP); found \(mesosChecks)")
        }
        if isResident && upgrade.maximumOverCapacity != 0 {
            d.error(p("upgradeStrategy"), at: r.value["upgradeStrategy"], "an app with persistent volumes (resident) needs upgradeStrategy.maximumOverCapacity 0")
        }

        guard let id, let instances, let cpus, let mem, let disk, let gpus, let backoffSeconds, let backoffFactor, let maxLaunchDelay else { return nil }
        var app = AppDefinition(
            id: id, group: MarathonPath.parent(id), instances: instances, cpus: cpus, mem: mem, disk: disk, gpus: gpus, cmd: cmd, args: args,
            container: container?.container, networkMode: networkMode, ports: ports, requirePorts: networkMode == .host ? requirePorts : false,
            constraints: constraints, healthChecks: healthChecks, readinessChecks: readiness, upgradeStrategy: upgrade,
            unreachableStrategy: unreachable, killSelection: killSelection,
            backoff: BackoffStrategy(backoff: .seconds(Int64(backoffSeconds)), factor: backoffFactor, maxLaunchDelay: .seconds(Int64(maxLaunchDelay))),
            taskKillGracePeriod: grace.map { .seconds(Int64($0)) }, dependencies: dependencies, labels: labels, envNames: envNames,
            acceptedResourceRoles: roles, role: role, user: user, isResident: isResident, version: version)
        app.environment = environment
        return (app, depPaths)
    }

    /// Largest cpus, mem (MB) or disk (MB) of an app. Marathon has no upper limit (a double), but
    /// Mesos keeps scalar resources as fixed-point numbers with three decimals in a 64-bit integer
    /// (apache/mesos src/common/values.cpp `convertToFixed`: llround(value * 1000)), and so does the
    /// simulator (`Scalar`); 1e12 keeps a factor of 9000 of headroom for sums over agents.
    static let maxResource = 1e12

    /// cpus: >= 0 in 1.4 (state/AppDefinition.scala@v1.4.0 `cpus should be >= 0.0`), >= 0.001 from
    /// 1.5 (types/app.raml@v1.5.0 `minimum: 0.001`); mem, disk: >= 0 (app.raml; validBasicAppDefinition).
    func resourceDecoder(_ name: String) -> ValueDecoder<Double> {
        let min = name == "cpus" && version >= MarathonVersion(1, 5) ? 0.001 : 0
        let source = min > 0 ? "Marathon \(version) app.raml: minimum 0.001" : "Marathon: \(name) should be >= 0.0"
        return Self.resourceDecoder(name, min: min, source: source)
    }

    /// cpus, mem (MB) or disk (MB) of at least `min` (`source`: whose rule) and at most
    /// `maxResource` (an app's, a pod container's and its executor's, MarathonPods.swift).
    static func resourceDecoder(_ name: String, min: Double, source: String) -> ValueDecoder<Double> {
        let unit = name == "cpus" ? "" : " (MB)"
        return ValueDecoder { v, p, d in
            guard let n = v.numberValue else { d.error(p, at: v, typeMismatch("a number >= \(NumberFormat.decimal(min))", v)); return nil }
            let x = n.double
            if !(x >= min) { d.error(p, at: v, "expected a number >= \(NumberFormat.decimal(min))\(unit), got \(n.text) (\(source))"); return nil }
            if !(x <= Self.maxResource) {
                d.error(p, at: v, "\(name) \(n.text) is more than the simulator can represent: at most 1000000000000\(unit) (Marathon sets no upper limit, but Mesos, like the simulator, keeps scalar resources as 64-bit fixed-point numbers with 3 decimals)")
                return nil
            }
            return x
        }
    }

    // MARK: container

    struct Mapping { var containerPort: Int; var hostPort: Int?; var servicePort: Int; var `protocol`: String; var name: String?; var labels: [Label] }
    struct DecodedContainer { var container: AppContainer; var portMappings: [Mapping]?; var hasPersistentVolumes: Bool }

    static let protocols = ["tcp", "udp", "udp,tcp"]

    func decodeContainer(_ v: JSONValue, path: String) -> DecodedContainer? {
        let cr = ObjectReader(v, path: path, diagnostics: d, nullMeansAbsent: true)
        guard cr.isObject else { return nil }
        let typeName = cr.optional("type", enumField(ContainerType.allCases.map(\.rawValue), what: "container type"), default: "DOCKER")
        let type = typeName.flatMap(ContainerType.init(rawValue:)) ?? .docker
        var out = AppContainer(type: type)
        var dockerMappings: [Mapping]? = nil
        var dockerMappingsValue: JSONValue? = nil
        if let dv = cr.value("docker") {
            let dr = ObjectReader(dv, path: JSONPath.key(path, "docker"), diagnostics: d, nullMeansAbsent: true)
            if dr.isObject {
                out.image = dr.required("image", .nonEmptyString, hint: "the Docker image, like \"harbor.example.com/team/web:1.0\"")
                if let n = dr.optional("network", enumField(DockerNetwork.allCases.map(\.rawValue), what: "Docker network")) {
                    out.dockerNetwork = DockerNetwork(rawValue: n)
                    if type == .mesos { notModelled.append("container.docker.network (MESOS containers use \"networks\")") }
                }
                out.forcePullImage = dr.optional("forcePullImage", .bool, default: false) ?? false
                out.privileged = dr.optional("privileged", .bool, default: false) ?? false
                if let pv = dr.value("parameters") {
                    if let a = pv.arrayValue {
                        for (i, e) in a.enumerated() {
                            let pr = ObjectReader(e, path: JSONPath.index(JSONPath.key(dr.path, "parameters"), i), diagnostics: d, nullMeansAbsent: true)
                            if let k = pr.required("key", .nonEmptyString), let val = pr.optional("value", .string, default: "") {
                                out.parameters.append(Label(name: k, value: val))
                            }
                            finish(pr)
                        }
                        // Docker labels with registrator's SERVICE_* metadata are read (for Consul)
                        let registrator = out.parameters.filter { $0.name == "label" && $0.value.hasPrefix("SERVICE_") }.count
                        // log-driver / log-opt are read for Docker's copy of stdout (docs/storage.md)
                        let logging = out.parameters.filter { $0.name == "log-driver" || $0.name == "log-opt" }.count
                        if registrator + logging == a.count {
                        } else if registrator > 0 || logging > 0 {
                            notModelled.append("container.docker.parameters (other than \(registrator > 0 ? "the labels with registrator's SERVICE_* keys, which are read for Consul: docs/consul.md" : "")\(registrator > 0 && logging > 0 ? ", and " : "")\(logging > 0 ? "log-driver and log-opt, read for Docker's copy of stdout: docs/storage.md" : ""))")
                        } else if !a.isEmpty { notModelled.append("container.docker.parameters") }
                    } else { d.error(JSONPath.key(dr.path, "parameters"), at: pv, typeMismatch("an array of {\"key\": ..., \"value\": ...}", pv)) }
                }
                if let mv = dr.value("portMappings") {
                    dockerMappingsValue = mv
                    dockerMappings = decodePortMappings(mv, path: JSONPath.key(dr.path, "portMappings"))
                }
                for k in ["credential", "pullConfig"] { accept(k, prefix: "container.docker.", in: dr) }
                finish(dr)
            }
        } else if type == .docker {
            d.error(JSONPath.key(path, "docker"), at: v, "missing required key \"docker\": a DOCKER container needs {\"docker\": {\"image\": \"...\"}}")
        }
        var mappings = dockerMappings
        // container.portMappings is 1.5+ (1.4's container Reads know type, volumes, docker, appc only:
        // left unread, an unknown-field warning). 1.5+ AppNormalization.migrateDockerPortMappings
        // refuses both only when docker.portMappings is non-empty; an empty one yields to the other.
        if version >= MarathonVersion(1, 5), let mv = cr.value("portMappings") {
            if dockerMappingsValue != nil && !(dockerMappingsValue?.arrayValue?.isEmpty ?? false) {
                d.error(JSONPath.key(path, "portMappings"), at: mv, "cannot specify both portMappings and docker.portMappings (Marathon's AppNormalization)")
            } else { mappings = decodePortMappings(mv, path: JSONPath.key(path, "portMappings")) }
        }
        var persistent = false
        if let vv = cr.value("volumes") {
            if let a = vv.arrayValue {
                out.volumeCount = a.count
                persistent = a.contains { $0["persistent"] != nil }
                if !a.isEmpty { notModelled.append("container.volumes") }
            } else { d.error(JSONPath.key(path, "volumes"), at: vv, typeMismatch("an array of volumes", vv)) }
        }
        accept("linuxInfo", prefix: "container.", in: cr)
        finish(cr)
        return DecodedContainer(container: out, portMappings: mappings, hasPersistentVolumes: persistent)
    }

    func decodePortMappings(_ v: JSONValue, path: String) -> [Mapping]? {
        guard let a = v.arrayValue else { d.error(path, at: v, typeMismatch("an array of port mappings", v)); return nil }
        var out: [Mapping] = []
        for (i, e) in a.enumerated() {
            let mr = ObjectReader(e, path: JSONPath.index(path, i), diagnostics: d, nullMeansAbsent: true)
            guard mr.isObject else { continue }
            let cp = mr.optional("containerPort", .int(min: 0, max: 65535), default: 0) ?? 0
            let hp = mr.optional("hostPort", .int(min: 0, max: 65535))
            let sp = mr.optional("servicePort", .int(min: 0, max: 65535), default: 0) ?? 0
            let proto = mr.optional("protocol", .oneOf(Self.protocols, what: "protocol"), default: "tcp") ?? "tcp"
            let name = mr.optional("name", .nonEmptyString)
            let labels = mr.optional("labels", labelsDecoder, default: []) ?? []
            accept("networkNames", prefix: "portMappings.", in: mr)
            finish(mr)
            out.append(Mapping(containerPort: cp, hostPort: hp, servicePort: sp, protocol: proto, name: name, labels: labels))
        }
        return out
    }

    let labelsDecoder = ValueDecoder<[Label]> { v, p, d in
        guard let m = v.objectMembers else { d.error(p, at: v, typeMismatch("an object of label names to string values", v)); return nil }
        var out: [Label] = []
        for x in m {
            guard let s = x.value.stringValue else { d.error(JSONPath.key(p, x.key), at: x.value, typeMismatch("a string", x.value)); return nil }
            out.append(Label(name: x.key, value: s))
        }
        return out
    }

    struct PortDef { var port: Int; var `protocol`: String; var name: String?; var labels: [Label] }

    var portDefinitionDecoder: ValueDecoder<PortDef> {
        ValueDecoder<PortDef>.object { pr in
            pr.nullMeansAbsent = true
            let port = pr.optional("port", .int(min: 0, max: 65535), default: 0)
            let proto = pr.optional("protocol", .oneOf(Self.protocols, what: "protocol"), default: "tcp")
            let name = pr.optional("name", .nonEmptyString)
            let labels = pr.optional("labels", self.labelsDecoder, default: [])
            self.finish(pr)
            guard let port, let proto, let labels else { return nil }
            return PortDef(port: port, protocol: proto, name: name, labels: labels)
        }
    }

    func decodeNetworks(_ v: JSONValue, path: String) -> [(mode: String, name: String?)]? {
        guard let a = v.arrayValue else { d.error(path, at: v, typeMismatch("an array of networks, like [{\"mode\": \"container/bridge\"}]", v)); return nil }
        var out: [(String, String?)] = []
        for (i, e) in a.enumerated() {
            let nr = ObjectReader(e, path: JSONPath.index(path, i), diagnostics: d, nullMeansAbsent: true)
            guard nr.isObject else { continue }
            let mode = nr.optional("mode", enumField(["container", "container/bridge", "host"], what: "network mode"), default: "container") ?? "container"
            let name = nr.optional("name", .nonEmptyString)
            accept("labels", prefix: "networks.", in: nr)
            finish(nr)
            if mode != "container" && name != nil { d.error(JSONPath.key(nr.path, "name"), at: e["name"], "only \"container\" networks have a name") }
            out.append((mode, name))
        }
        return out
    }

    // MARK: constraints

    func decodeConstraints(_ v: JSONValue, path: String) -> [PlacementConstraint] {
        guard let a = v.arrayValue else {
            d.error(path, at: v, typeMismatch("an array of constraints, like [[\"hostname\", \"UNIQUE\"]]", v)); return []
        }
        var out: [PlacementConstraint] = []
        for (i, e) in a.enumerated() {
            let cp = JSONPath.index(path, i)
            guard let parts = e.arrayValue, parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0.stringValue != nil }) else {
                d.error(cp, at: e, "a constraint is an array of 2 or 3 strings, [field, operator] or [field, operator, value], like [\"hostname\", \"UNIQUE\"] or [\"rack_id\", \"GROUP_BY\", \"3\"]; got \(e.brief)")
                continue
            }
            if let c = decodeConstraint(field: parts[0].stringValue!, op: (JSONPath.index(cp, 1), parts[1]),
                                        value: parts.count == 3 ? (JSONPath.index(cp, 2), parts[2]) : nil, whole: (cp, e)) {
                out.append(c)
            }
        }
        return out
    }

    /// One constraint, its operator and value at their JSON paths (an app's array form or a
    /// pod's object form, MarathonPods.swift).
    func decodeConstraint(field: String, op: (path: String, value: JSONValue), value: (path: String, value: JSONValue)?,
                          whole: (path: String, value: JSONValue)) -> PlacementConstraint? {
        let rules = version.constraintRules
        let opText = op.value.stringValue ?? ""
        let value_ = value?.value.stringValue
        let valid = rules.operators.map(\.rawValue)
        // 1.6+ upper-cases the operator (SchedulingValidation: ConstraintOperator.fromString(op.toUpperCase))
        let opName = rules == .current ? opText.uppercased() : opText
        guard let o = ConstraintOperator(rawValue: opName), rules.operators.contains(o) else {
            let extra = ConstraintOperator(rawValue: opName) != nil ? " (\(opName) needs Marathon 1.6 or later; marathon.version is \(version))" : ""
            d.error(op.path, at: op.value, "unknown constraint operator \(JSONValue.quote(opText))\(extra)\(Suggest.didYouMean(opText, among: valid)); valid operators: \(valid.joined(separator: ", "))")
            return nil
        }
        if let m = PlacementConstraint.problem(field: field, operator: o, value: value_, rules: rules) {
            d.error(value?.path ?? whole.path, at: value?.value ?? whole.value, m)
            return nil
        }
        if o == .like || o == .unlike, let pattern = value_, let at = value {
            if (try? NSRegularExpression(pattern: pattern)) == nil {
                d.error(at.path, at: at.value, "\(JSONValue.quote(pattern)) is not a valid regular expression")
                return nil
            }
            if let why = ConstraintRegex.problem(pattern) {
                d.error(at.path, at: at.value, "\(JSONValue.quote(pattern)) \(why)")
                return nil
            }
        }
        var c = PlacementConstraint(field: field, operator: o, value: value_, rules: rules)
        c.maxPerByHostname = version.maxPerLooksUpHostname
        return c
    }

    // MARK: health checks

    func decodeHealthChecks(_ v: JSONValue, path: String, ports: [AppPort]) -> [HealthCheck] {
        guard let a = v.arrayValue else { d.error(path, at: v, typeMismatch("an array of health checks", v)); return [] }
        var out: [HealthCheck] = []
        for (i, e) in a.enumerated() {
            let hr = ObjectReader(e, path: JSONPath.index(path, i), diagnostics: d, nullMeansAbsent: true)
            guard hr.isObject else { continue }
            let before = d.errorCount
            let protoName = hr.optional("protocol", enumField(HealthCheckProtocol.allCases.map(\.rawValue), what: "health check protocol"), default: "HTTP")
            let proto = protoName.flatMap(HealthCheckProtocol.init(rawValue:)) ?? .http
            var hc = HealthCheck(protocol: proto)
            hc.path = hr.optional("path", .string)
            hc.portIndex = hr.optional("portIndex", .int(min: 0, max: 65535))
            hc.port = hr.optional("port", .int(min: 0, max: 65535))
            if let cv = hr.value("command") {
                let cr = ObjectReader(cv, path: JSONPath.key(hr.path, "command"), diagnostics: d, nullMeansAbsent: true)
                hc.command = cr.required("value", .nonEmptyString, hint: "the shell command to run")
                finish(cr)
            }
            func secs(_ k: String, _ def: SimDuration, min: Int = 0) -> SimDuration {
                let x = hr.optional(k, .int(min: min, max: Int(Int32.max)), default: Int(def.nanoseconds / 1_000_000_000))
                return .seconds(Int64(x ?? 0))
            }
            hc.gracePeriod = secs("gracePeriodSeconds", HealthCheck.defaultGracePeriod)
            hc.interval = secs("intervalSeconds", HealthCheck.defaultInterval)
            if hc.interval == .zero, let iv = e["intervalSeconds"] {
                // healthCheck.raml: intervalSeconds minimum 0 (1.4 reads any Int)
                d.error(JSONPath.key(hr.path, "intervalSeconds"), at: iv, "intervalSeconds 0: Marathon accepts it, but a health check every 0 seconds cannot be simulated (the checks would repeat at the same instant forever); use 1 or more")
            }
            hc.timeout = secs("timeoutSeconds", HealthCheck.defaultTimeout)
            hc.maxConsecutiveFailures = hr.optional("maxConsecutiveFailures", .int(min: 0, max: Int(Int32.max)), default: HealthCheck.defaultMaxConsecutiveFailures) ?? 3
            hc.delay = secs("delaySeconds", HealthCheck.defaultDelay)
            hc.ignoreHttp1xx = hr.optional("ignoreHttp1xx", .bool, default: false) ?? false
            _ = hr.optional("ipProtocol", enumField(["IPv4", "IPv6"], what: "ipProtocol"))
            finish(hr)
            if hc.portIndex != nil && hc.port != nil {
                // core/health/HealthCheck.scala@v1.4.0: portIndex.isDefined ^ port.isDefined
                d.error(JSONPath.key(hr.path, "port"), at: e["port"], "give either \"portIndex\" or \"port\", not both (Marathon: \"HealthCheck must specify either a port or a portIndex\")")
            }
            if proto == .command {
                if hc.command == nil { d.error(JSONPath.key(hr.path, "command"), at: e, "a COMMAND health check needs {\"command\": {\"value\": \"...\"}}") }
            } else {
                if hc.command != nil { d.error(JSONPath.key(hr.path, "command"), at: e["command"], "\"command\" goes with protocol \"COMMAND\", not \(proto.rawValue)") }
                if hc.portIndex == nil && hc.port == nil {
                    if ports.isEmpty {
                        d.error(hr.path, at: e, "the \(proto.rawValue) health check needs \"port\" or \"portIndex\", and the app has no ports")
                    } else { hc.portIndex = 0 }   // Formats.addHealthCheckPortIndexIfNecessary
                } else if let pi = hc.portIndex, pi >= ports.count {
                    d.error(JSONPath.key(hr.path, "portIndex"), at: e["portIndex"], ports.isEmpty
                            ? "portIndex \(pi) addresses no port: the app has no ports"
                            : "portIndex \(pi) is beyond the app's \(ports.count) port\(ports.count == 1 ? "" : "s"); it must be from 0 to \(ports.count - 1) (health check port indices address portDefinitions or portMappings)")
                }
            }
            if d.errorCount == before { out.append(hc) }
        }
        return out
    }

    func decodeReadinessChecks(_ v: JSONValue, path: String, ports: [AppPort]) -> [ReadinessCheck] {
        guard let a = v.arrayValue else { d.error(path, at: v, typeMismatch("an array of readiness checks", v)); return [] }
        if a.count > 1 { d.error(path, at: v, "an app can have at most one readiness check (Marathon: readinessChecks.size <= 1)") }
        var out: [ReadinessCheck] = []
        for (i, e) in a.enumerated() {
            let rr = ObjectReader(e, path: JSONPath.index(path, i), diagnostics: d, nullMeansAbsent: true)
            guard rr.isObject else { continue }
            var rc = ReadinessCheck()
            rc.name = rr.optional("name", .nonEmptyString, default: rc.name) ?? rc.name
            rc.protocol = rr.optional("protocol", enumField(["HTTP", "HTTPS"], what: "readiness check protocol"), default: "HTTP") ?? "HTTP"
            rc.path = rr.optional("path", .nonEmptyString, default: "/") ?? "/"
            rc.portName = rr.optional("portName", .nonEmptyString, default: rc.portName) ?? rc.portName
            rc.interval = .seconds(Int64(rr.optional("intervalSeconds", .int(min: 0, max: Int(Int32.max)), default: 30) ?? 30))
            rc.timeout = .seconds(Int64(rr.optional("timeoutSeconds", .int(min: 1, max: Int(Int32.max)), default: 10) ?? 10))
            rc.httpStatusCodesForReady = rr.optional("httpStatusCodesForReady", .array(of: .int(min: 100, max: 599), nonEmpty: true), default: [200]) ?? [200]
            rc.preserveLastResponse = rr.optional("preserveLastResponse", .bool, default: false) ?? false
            finish(rr)
            if rc.timeout >= rc.interval {
                // core/readiness/ReadinessCheck.scala@v1.4.0 `rc.timeout.toSeconds should be < rc.interval.toSeconds`
                // (AppValidation.readinessCheckValidator in 1.5+)
                d.error(JSONPath.key(rr.path, "timeoutSeconds"), at: e["timeoutSeconds"] ?? e["intervalSeconds"] ?? e,
                        "timeoutSeconds (\(rc.timeout.nanoseconds / 1_000_000_000)) must be less than intervalSeconds (\(rc.interval.nanoseconds / 1_000_000_000)) (Marathon: timeout should be < interval)")
            }
            let names = ports.compactMap(\.name)
            if !names.contains(rc.portName) {
                d.error(JSONPath.key(rr.path, "portName"), at: e["portName"] ?? e,
                        "readiness check portName \(JSONValue.quote(rc.portName))\(e["portName"] == nil ? " (the default)" : "") names no port of the app\(Suggest.didYouMean(rc.portName, among: names)); " + (names.isEmpty ? "the app has no named ports (give portDefinitions or portMappings a \"name\")" : "port names: " + Suggest.listed(names)))
            }
            out.append(rc)
        }
        return out
    }

    // MARK: strategies

    func decodeUpgradeStrategy(_ v: JSONValue, path: String, resident: Bool) -> UpgradeStrategy {
        let ur = ObjectReader(v, path: path, diagnostics: d, nullMeansAbsent: true)
        let base = resident ? UpgradeStrategy.forResidentTasks : .default
        let unit = ValueDecoder<Double>.number(atLeast: 0, atMost: 1)
        let mhc = ur.optional("minimumHealthCapacity", unit, default: base.minimumHealthCapacity) ?? base.minimumHealthCapacity
        let moc = ur.optional("maximumOverCapacity", unit, default: base.maximumOverCapacity) ?? base.maximumOverCapacity
        finish(ur)
        return UpgradeStrategy(minimumHealthCapacity: mhc, maximumOverCapacity: moc)
    }

    func decodeUnreachable(_ v: JSONValue, path: String, resident: Bool) -> UnreachableStrategy {
        let fallback = resident ? version.defaultResidentUnreachableStrategy : version.defaultUnreachableStrategy
        if let s = v.stringValue {
            if s == "disabled" && version.supportsUnreachableDisabled { return .disabled }
            d.error(path, at: v, s == "disabled"
                    ? "\"disabled\" needs Marathon 1.4.2 or later; marathon.version is \(version) (give {\"inactiveAfterSeconds\": ..., \"expungeAfterSeconds\": ...})"
                    : "expected \"disabled\" or {\"inactiveAfterSeconds\": ..., \"expungeAfterSeconds\": ...}, got \(v.brief)")
            return fallback
        }
        let ur = ObjectReader(v, path: path, diagnostics: d, nullMeansAbsent: true)
        guard ur.isObject else { return fallback }
        var defIn: SimDuration = .zero, defEx: SimDuration = .zero
        if case .enabled(let i, let e) = version.defaultUnreachableStrategy { defIn = i; defEx = e }
        // unreachableStrategy.raml: int64 seconds, minimum 0; the simulator counts time in 64-bit
        // nanoseconds, so a billion seconds (31 years) is its limit
        let secs = ValueDecoder<Int>.int(min: 0).check { $0 > 1_000_000_000 ? "\($0) seconds cannot be simulated (Marathon takes any int64; the simulator counts time in 64-bit nanoseconds): at most 1000000000 (31 years)" : nil }
        let inactiveRead = ur.optional("inactiveAfterSeconds", secs, default: Int(defIn.nanoseconds / 1_000_000_000))
        let expungeRead = ur.optional("expungeAfterSeconds", secs, default: Int(defEx.nanoseconds / 1_000_000_000))
        finish(ur)
        guard let inactive = inactiveRead, let expunge = expungeRead else { return fallback }
        if inactive > expunge {
            d.error(JSONPath.key(path, "inactiveAfterSeconds"), at: v["inactiveAfterSeconds"] ?? v,
                    "inactiveAfterSeconds (\(inactive)) must be less than or equal to expungeAfterSeconds (\(expunge))")
        }
        return .enabled(inactiveAfter: .seconds(Int64(inactive)), expungeAfter: .seconds(Int64(expunge)))
    }
}
