import ClusterModel
import Foundation
import SimKernel

// Marathon pods (Marathon 1.4+, types/pod.raml, podContainer.raml; validated as
// api/v2/validation/PodsValidation.scala does; converted as raml/PodConversion.scala and
// api/v2/PodNormalization.scala do). A pod is read where a platform's files hold one: in a group
// file's `pods` (what GET /v2/groups exports: PodStatus objects whose `spec` is the pod, or the pod
// itself) and in `marathon.apps` (a POST /v2/pods body, told from an app by its `containers`).
// Unknown fields are warnings (the RAML readers ignore them), fields read but not modelled are
// listed once per pod, as for apps; Marathon's refusals are errors with its reason. Each pod
// becomes the run spec `AppDefinition.pod` (ClusterModel/Marathon/PodDefinition.swift).
// docs/marathon.md "Pods".

enum MarathonPodKeys {
    /// Pod fields Marathon knows that the simulator does not model (pod.raml 1.4 ... 1.10).
    static let accepted = ["version", "user", "environment", "secrets", "volumes", "labels", "role", "linuxInfo", "legacySharedCgroups"]
    /// PodContainer fields known, not modelled (podContainer.raml).
    static let containerAccepted = ["exec", "resourceLimits", "linuxInfo", "environment", "user", "check", "volumeMounts", "artifacts",
                                    "labels", "lifecycle", "tty"]
    /// PodStatus (podStatus.raml), read-only status around the `spec` in a group export.
    static let status = ["status", "statusSince", "message", "instances", "terminationHistory", "lastUpdated", "lastChanged"]
    /// Container and endpoint names: strings.Name (stringTypes.raml).
    static func nameProblem(_ s: String) -> String? {
        func alnum(_ c: Character) -> Bool { (c >= "a" && c <= "z") || (c >= "0" && c <= "9") }
        guard let f = s.first, let l = s.last, alnum(f), alnum(l), s.allSatisfy({ alnum($0) || $0 == "-" }) else {
            return "\(JSONValue.quote(s)) is not a valid name: lowercase letters a-z, digits 0-9 and '-', starting and ending with a letter or digit (Marathon's strings.Name, ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$)"
        }
        if s.utf8.count > 63 { return "\(JSONValue.quote(s)) is \(s.utf8.count) characters long; at most 63 (Marathon's strings.Name)" }
        return nil
    }
    static let name = ValueDecoder<String>.string.check(nameProblem)

    /// A RAML enum as Marathon's generated readers take it: compared case-insensitively
    /// (project/RamlTypeGenerator.scala@v1.4.0, type-generator EnumVisitor: `s.toLowerCase match`),
    /// returned in its canonical spelling.
    static func ramlEnum(_ allowed: [String], what: String) -> ValueDecoder<String> {
        ValueDecoder<String>.string.map { s, v, p, d in
            if let x = allowed.first(where: { $0.lowercased() == s.lowercased() }) { return x }
            d.error(p, at: v, "unknown \(what) \(JSONValue.quote(s))\(Suggest.didYouMean(s, among: allowed)); allowed: \(allowed.map { JSONValue.quote($0) }.joined(separator: ", ")) (in any case: Marathon's RAML readers compare enums case-insensitively)")
            return nil
        }
    }

    /// `networks` with each `mode` in its canonical spelling (a RAML enum), for the app decoder's
    /// network reader.
    static func canonicalModes(_ v: JSONValue) -> JSONValue {
        guard let a = v.arrayValue else { return v }
        let modes = ["container", "container/bridge", "host"]
        return JSONValue(.array(a.map { e in
            guard let m = e["mode"]?.stringValue, let x = modes.first(where: { $0 == m.lowercased() }), x != m else { return e }
            return ScenarioSchema.setMember(e, "mode", JSONValue(.string(x), location: e["mode"]?.location))
        }), location: v.location)
    }
}

extension MarathonTree {
    /// A group's `pods`: an array of pods or of PodStatus objects (GET /v2/groups).
    func decodePods(_ v: JSONValue, path: String, group: String) {
        guard let a = v.arrayValue else { d.error(path, at: v, typeMismatch("an array of pod definitions", v)); return }
        for (i, e) in a.enumerated() { decodePodOrStatus(e, path: JSONPath.index(path, i), group: group) }
    }

    /// A pod, or a PodStatus whose `spec` is one (its status fields are read-only: not modelled).
    func decodePodOrStatus(_ v: JSONValue, path: String, group: String) {
        guard v["spec"] != nil && v["containers"] == nil else { decodePod(v, path: path, group: group); return }
        let r = ObjectReader(v, path: path, diagnostics: d, nullMeansAbsent: true)
        let statusID = r.optional("id", ValueDecoder<String>.string)
        let spec = r.value("spec")
        for k in MarathonPodKeys.status { _ = r.value(k) }
        warnings += ignoredFields(r)
        guard let spec else { return }
        let specPath = JSONPath.key(path, "spec")
        if let podID = decodePod(spec, path: specPath, group: group), let s = statusID, MarathonPath.canonical(s) != podID {
            d.error(JSONPath.key(path, "id"), at: v["id"], "the pod status's id \(JSONValue.quote(s)) is not its spec's id \(podID)")
        }
    }

    /// One pod (POST /v2/pods body). Returns its id when it has a valid one.
    @discardableResult
    func decodePod(_ v: JSONValue, path: String, group: String) -> String? {
        let r = ObjectReader(v, path: path, diagnostics: d, nullMeansAbsent: true)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let pd = PodDecoder(r: r, version: version, d: d)
        let pod = pd.decode(group: group)
        pd.ad.ignored += ignoredFields(r)
        guard let pod else { return nil }
        if d.errorCount != before { return pod.id }
        apps.append(DecodedApp(app: pod, path: path, value: v))
        appDependencyPaths.append([])
        warnings += pd.ad.ignored
        var seen = Set<String>()
        let notModelled = pd.ad.notModelled.filter { seen.insert($0).inserted }   // once, not once per container
        if !notModelled.isEmpty {
            warnings.append(Note(path: path, value: v, message: "fields accepted but not modelled: " + notModelled.joined(separator: ", ")))
        }
        return pod.id
    }
}

/// Decodes one pod object; reuses the app decoder's readers for what pods share with apps
/// (constraints, networks, upgrade and unreachable strategies, killSelection, unknown fields).
final class PodDecoder {
    let r: ObjectReader
    let version: MarathonVersion
    let d: Diagnostics
    let ad: AppDecoder

    init(r: ObjectReader, version: MarathonVersion, d: Diagnostics) {
        self.r = r; self.version = version; self.d = d; ad = AppDecoder(r: r, version: version, d: d)
    }

    func p(_ k: String) -> String { r.keyPath(k) }

    func decode(group: String) -> AppDefinition? {
        // PodsValidation: PathId(pod.id) is valid and absolute and not the root
        let rawID = r.required("id", ValueDecoder<String>.string.check { MarathonPath.problem($0) }, hint: "the pod's absolute path, like \"/courseware/sidecar-web\"")
        var id: String? = nil
        if let rawID {
            let x = MarathonPath.canonical(rawID)
            if !rawID.hasPrefix("/") {
                d.error(p("id"), at: r.value["id"], "pod id \(JSONValue.quote(rawID)) is relative; a pod's id must be absolute, like \"/\(rawID)\" (Marathon: \"Path needs to be absolute\")")
            } else if x == "/" {
                d.error(p("id"), at: r.value["id"], "pod id \(JSONValue.quote(rawID)) is the root group; a pod needs a name (Marathon: \"Path must contain at least one path element\")")
            } else if group != "/" && MarathonPath.parent(x) != group {
                d.error(p("id"), at: r.value["id"], "pod \(x) is not a child of its group \(group); a pod inside a group must be named \(group)/<name>")
            } else { id = x }
        }

        // networks (pod-level: every container shares one network namespace)
        var networkMode = NetworkMode.host
        var networks: [(mode: String, name: String?)] = []
        if let nv = r.value("networks") {
            networks = ad.decodeNetworks(MarathonPodKeys.canonicalModes(nv), path: p("networks")) ?? []
            let hosts = networks.filter { $0.mode == "host" }.count, bridges = networks.filter { $0.mode == "container/bridge" }.count
            let containers = networks.count - hosts - bridges
            if (hosts > 0 && networks.count > 1) || (bridges > 0 && networks.count > 1) {
                // NetworkValidation.ramlNetworksValidator
                d.error(p("networks"), at: nv, "must specify either a single host network, single bridge network, or else 1-to-n container networks (Marathon's NetworkValidation)")
            } else if containers > 1, Set(networks.map { $0.name ?? "" }).count != networks.count {
                d.error(p("networks"), at: nv, "duplicate networks are not allowed (Marathon's NetworkValidation)")
            }
            if let c = networks.first(where: { $0.mode == "container" }) { networkMode = .container(name: c.name) }
            else if bridges > 0 { networkMode = .bridge }
            if containers > 1 { ad.notModelled.append("networks (a pod on \(containers) container networks runs on the first)") }
        }
        let isContainerMode = networks.contains { $0.mode == "container" }
        let isHostMode = networks.isEmpty || networks.contains { $0.mode == "host" }

        // containers
        var containers: [PodInfo.Container] = []
        var endpoints: [(port: AppPort, path: String, value: JSONValue)] = []
        if let cv = r.value("containers") {
            if let a = cv.arrayValue {
                if a.isEmpty { d.error(p("containers"), at: cv, "a pod needs at least one container (Marathon: containers \"must not be empty\")") }
                var containerIndex: [String: Int] = [:]   // name -> its first container's index
                for (i, e) in a.enumerated() {
                    let cp = JSONPath.index(p("containers"), i)
                    if let c = decodeContainer(e, path: cp, containerMode: isContainerMode, hostMode: isHostMode,
                                                networks: networks.filter { $0.mode == "container" }.compactMap(\.name), endpoints: &endpoints) {
                        if let first = containerIndex[c.name] {
                            d.error(JSONPath.key(cp, "name"), at: e["name"], "container name \(JSONValue.quote(c.name)) is also containers[\(first)]'s (Marathon: \"container names must be unique\")")
                        }
                        if containerIndex[c.name] == nil { containerIndex[c.name] = containers.count }
                        containers.append(c)
                    }
                }
            } else { d.error(p("containers"), at: cv, typeMismatch("an array of containers", cv)) }
        } else {
            d.error(r.path, at: r.value, "missing required key \"containers\": a pod needs at least one container, like [{\"name\": \"web\", \"resources\": {\"cpus\": 0.5, \"mem\": 256}}]")
        }
        // PodsValidation endpointNamesUnique / endpointContainerPortsUnique / endpointHostPortsUnique
        var names = Set<String>(), containerPorts = Set<Int>(), hostPorts = Set<Int>()
        for e in endpoints {
            if let n = e.port.name, !names.insert(n).inserted {
                d.error(JSONPath.key(e.path, "name"), at: e.value["name"], "endpoint name \(JSONValue.quote(n)) is used twice (Marathon: \"endpoint names nust be unique across all containers\")")
            }
            if let cp = e.port.containerPort, cp != 0, !containerPorts.insert(cp).inserted {
                d.error(JSONPath.key(e.path, "containerPort"), at: e.value["containerPort"], "container port \(cp) is used twice (Marathon: \"container ports must be unique across all containers\")")
            }
            if let hp = e.port.hostPort, hp != 0, e.value["hostPort"] != nil, !hostPorts.insert(hp).inserted {
                d.error(JSONPath.key(e.path, "hostPort"), at: e.value["hostPort"], "host port \(hp) is used twice (Marathon: \"host ports must be unique across all containers\")")
            }
        }

        // scaling
        var instances: Int? = 1
        if let sv = r.value("scaling") {
            let sr = ObjectReader(sv, path: p("scaling"), diagnostics: d, nullMeansAbsent: true)
            if sr.isObject {
                _ = sr.required("kind", MarathonPodKeys.ramlEnum(["fixed"], what: "scaling kind"), hint: "\"fixed\" (Marathon's only PodScalingPolicy)")
                instances = sr.optional("instances", .int(min: 0, max: Int(Int32.max)), default: 1)
                ad.finish(sr)
            }
        }

        // scheduling
        var constraints: [PlacementConstraint] = []
        var upgrade = UpgradeStrategy.default
        var unreachable = version.defaultUnreachableStrategy
        var killSelection = KillSelection.youngestFirst
        var backoff: BackoffStrategy? = BackoffStrategy(version: version)
        var roles: [String]? = nil
        if let sv = r.value("scheduling") {
            let sr = ObjectReader(sv, path: p("scheduling"), diagnostics: d, nullMeansAbsent: true)
            if sr.isObject {
                if let bv = sr.value("backoff") { backoff = decodeBackoff(bv, path: sr.keyPath("backoff")) }
                if let uv = sr.value("upgrade") { upgrade = ad.decodeUpgradeStrategy(uv, path: sr.keyPath("upgrade"), resident: false) }
                if let pv = sr.value("placement") {
                    let pr = ObjectReader(pv, path: sr.keyPath("placement"), diagnostics: d, nullMeansAbsent: true)
                    if pr.isObject {
                        if let cv = pr.value("constraints") { constraints = decodeConstraints(cv, path: pr.keyPath("constraints")) }
                        roles = pr.optional("acceptedResourceRoles", .array(of: .nonEmptyString))
                        if roles != nil { ad.notModelled.append("scheduling.placement.acceptedResourceRoles") }
                        ad.finish(pr)
                    }
                }
                killSelection = sr.optional("killSelection", MarathonPodKeys.ramlEnum(KillSelection.allCases.map(\.rawValue), what: "killSelection"))
                    .flatMap(KillSelection.init(rawValue:)) ?? .youngestFirst
                if let uv = sr.value("unreachableStrategy") { unreachable = ad.decodeUnreachable(uv, path: sr.keyPath("unreachableStrategy"), resident: false) }
                ad.finish(sr)
            }
        }

        // executor resources (resources.raml ExecutorResources: minimum and default cpus 0.1, mem 32, disk 10)
        var executor = PodInfo.ExecutorResources.default
        if let ev = r.value("executorResources") {
            let er = ObjectReader(ev, path: p("executorResources"), diagnostics: d, nullMeansAbsent: true)
            if er.isObject {
                executor.cpus = er.optional("cpus", resource("cpus", min: 0.1, source: "ExecutorResources"), default: 0.1) ?? 0.1
                executor.mem = er.optional("mem", resource("mem", min: 32, source: "ExecutorResources"), default: 32) ?? 32
                executor.disk = er.optional("disk", resource("disk", min: 10, source: "ExecutorResources"), default: 10) ?? 10
                ad.finish(er)
            }
        }

        checkVolumes()
        for k in MarathonPodKeys.accepted { ad.accept(k) }

        guard let id, let instances, let backoff else { return nil }
        let info = PodInfo(containers: containers, executor: executor, endpoints: endpoints.map(\.port))
        return AppDefinition.pod(id: id, instances: instances, pod: info, networkMode: networkMode, constraints: constraints,
                                 upgradeStrategy: upgrade, unreachableStrategy: unreachable, killSelection: killSelection,
                                 backoff: backoff, acceptedResourceRoles: roles, version: version)
    }

    /// placement.constraints: objects (constraint.raml Constraint: fieldName, operator, value?),
    /// checked as an app's constraints are.
    func decodeConstraints(_ v: JSONValue, path: String) -> [PlacementConstraint] {
        guard let a = v.arrayValue else {
            d.error(path, at: v, typeMismatch("an array of constraints, like [{\"fieldName\": \"hostname\", \"operator\": \"UNIQUE\"}]", v)); return []
        }
        var out: [PlacementConstraint] = []
        for (i, e) in a.enumerated() {
            let cp = JSONPath.index(path, i)
            if e.arrayValue != nil {
                d.error(cp, at: e, "a pod's constraint is an object, like {\"fieldName\": \"hostname\", \"operator\": \"UNIQUE\"} (constraint.raml Constraint; the [field, operator, value] arrays are an app's)")
                continue
            }
            let cr = ObjectReader(e, path: cp, diagnostics: d, nullMeansAbsent: true)
            guard cr.isObject else { continue }
            let field = cr.required("fieldName", .string, hint: "the agent field, like \"hostname\" or an attribute name")
            let op = cr.required("operator", .string, hint: "UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER (IS from 1.6)")
            _ = cr.optional("value", .string)
            ad.finish(cr)
            guard let field, let opText = op, let opValue = e["operator"] else { continue }
            // a RAML enum: any case (ConstraintOperator, constraint.raml)
            let canonical = JSONValue(.string(opText.uppercased()), location: opValue.location)
            if let c = ad.decodeConstraint(field: field, op: (cr.keyPath("operator"), canonical),
                                           value: e["value"].flatMap { $0.isNull ? nil : (cr.keyPath("value"), $0) }, whole: (cp, e)) {
                out.append(c)
            }
        }
        return out
    }

    /// PodsValidation: volume names unique ("volume names must be unique"), every volume mounted by
    /// a container ("volume must be referenced by at least one container"), every mount naming a
    /// volume ("Referenced Volume in VolumeMount should exist"). The volumes themselves are not
    /// modelled (listed as such).
    func checkVolumes() {
        let volumes = r.value["volumes"]?.arrayValue ?? []
        let names = volumes.map { $0["name"]?.stringValue }
        var mounted = Set<String>()
        for (ci, c) in (r.value["containers"]?.arrayValue ?? []).enumerated() {
            for (mi, m) in (c["volumeMounts"]?.arrayValue ?? []).enumerated() {
                guard let n = m["name"]?.stringValue else { continue }
                mounted.insert(n)
                if !names.contains(n) {
                    d.error(JSONPath.key(JSONPath.index(JSONPath.key(JSONPath.index(p("containers"), ci), "volumeMounts"), mi), "name"), at: m["name"],
                            "volume \(JSONValue.quote(n)) is not one of the pod's volumes\(Suggest.didYouMean(n, among: names.compactMap { $0 })) (Marathon: \"Referenced Volume in VolumeMount should exist\")")
                }
            }
        }
        var seenNames = Set<String>()
        for (k, n) in names.enumerated() {
            guard let n else { continue }
            let vp = JSONPath.index(p("volumes"), k)
            if !seenNames.insert(n).inserted {
                d.error(JSONPath.key(vp, "name"), at: volumes[k]["name"], "volume name \(JSONValue.quote(n)) is used twice (Marathon: \"volume names must be unique\")")
            } else if !mounted.contains(n) {
                d.error(vp, at: volumes[k], "volume \(JSONValue.quote(n)) is mounted by no container (Marathon: \"volume must be referenced by at least one container\")")
            }
        }
    }

    /// resources.raml: a number of at least `min` (Marathon's RAML readers enforce the minimum),
    /// at most what Mesos' fixed-point scalars hold (`AppDecoder.maxResource`).
    func resource(_ name: String, min: Double, source: String) -> ValueDecoder<Double> {
        AppDecoder.resourceDecoder(name, min: min, source: "Marathon's \(source) in resources.raml: minimum \(NumberFormat.decimal(min))")
    }

    /// scheduling.backoff (PodSchedulingBackoffStrategy: seconds as numbers, minimum 0; the
    /// version's app defaults, PodDefinition.DefaultBackoffStrategy).
    func decodeBackoff(_ v: JSONValue, path: String) -> BackoffStrategy? {
        let br = ObjectReader(v, path: path, diagnostics: d, nullMeansAbsent: true)
        guard br.isObject else { return nil }
        let secs = ValueDecoder<Double>.number(atLeast: 0, atMost: 1e9)
        let def = BackoffStrategy(version: version)
        let b = br.optional("backoff", secs, default: 1)
        let f = br.optional("backoffFactor", .number(atLeast: 0, atMost: 1e6), default: def.factor)
        let m = br.optional("maxLaunchDelay", secs, default: Double(def.maxLaunchDelay.nanoseconds) / 1e9)
        ad.finish(br)
        guard let b, let f, let m else { return nil }
        // as for apps (AppDecoder): a grown delay must fit 64-bit nanoseconds
        if max(b, m) * 1e9 * f >= 9.0e18 {
            d.error(JSONPath.key(path, "backoffFactor"), at: v["backoffFactor"], "backoffFactor \(NumberFormat.decimal(f)) cannot be simulated with backoff \(NumberFormat.decimal(b)) and maxLaunchDelay \(NumberFormat.decimal(m)): a grown delay would not fit 64-bit nanoseconds; use at most \(NumberFormat.decimal((9.0e18 / (max(b, m) * 1e9)).rounded(.down)))")
            return nil
        }
        func dur(_ s: Double) -> SimDuration { SimDuration(nanoseconds: Int64((s * 1e9).rounded())) }
        return BackoffStrategy(backoff: dur(b), factor: f, maxLaunchDelay: dur(m))
    }

    // MARK: containers

    func decodeContainer(_ v: JSONValue, path: String, containerMode: Bool, hostMode: Bool, networks: [String],
                         endpoints: inout [(port: AppPort, path: String, value: JSONValue)]) -> PodInfo.Container? {
        let cr = ObjectReader(v, path: path, diagnostics: d, nullMeansAbsent: true)
        guard cr.isObject else { return nil }
        let before = d.errorCount
        let name = cr.required("name", MarathonPodKeys.name, hint: "the container's name, like \"web\"")
        var c = PodInfo.Container(name: name ?? "")
        if let rv = cr.value("resources") {
            let rr = ObjectReader(rv, path: JSONPath.key(path, "resources"), diagnostics: d, nullMeansAbsent: true)
            if rr.isObject {
                c.cpus = rr.optional("cpus", resource("cpus", min: 0.001, source: "Resources"), default: 1) ?? 1
                c.mem = rr.optional("mem", resource("mem", min: 0.001, source: "Resources"), default: 128) ?? 128
                c.disk = rr.optional("disk", resource("disk", min: 0, source: "Resources"), default: 0) ?? 0
                c.gpus = rr.optional("gpus", .int(min: 0, max: Int(Int32.max)), default: 0) ?? 0
                ad.finish(rr)
            }
        } else {
            d.error(JSONPath.key(path, "resources"), at: v, "missing required key \"resources\": a pod container needs its resources, like {\"cpus\": 0.5, \"mem\": 256}")
        }
        if let iv = cr.value("image") {
            let ir = ObjectReader(iv, path: JSONPath.key(path, "image"), diagnostics: d, nullMeansAbsent: true)
            if ir.isObject {
                _ = ir.required("kind", MarathonPodKeys.ramlEnum(["DOCKER"], what: "image kind"), hint: "\"DOCKER\"")
                c.image = ir.required("id", .nonEmptyString, hint: "the image, like \"nginx:1.13\"")
                for k in ["forcePull", "pullConfig", "labels"] { ad.accept(k, prefix: "containers.image.", in: ir) }
                ad.finish(ir)
            }
        }
        var own: [(port: AppPort, path: String, value: JSONValue)] = []
        if let ev = cr.value("endpoints") {
            let ep = JSONPath.key(path, "endpoints")
            if let a = ev.arrayValue {
                for (i, e) in a.enumerated() {
                    if let x = decodeEndpoint(e, path: JSONPath.index(ep, i), containerMode: containerMode, hostMode: hostMode, networks: networks) {
                        own.append((x, JSONPath.index(ep, i), e))
                    }
                }
            } else { d.error(ep, at: ev, typeMismatch("an array of endpoints", ev)) }
        }
        if let hv = cr.value("healthCheck") {
            c.healthCheck = decodeHealthCheck(hv, path: JSONPath.key(path, "healthCheck"), endpoints: own.compactMap(\.port.name))
        }
        for k in MarathonPodKeys.containerAccepted { ad.accept(k, prefix: "containers.", in: cr) }
        ad.finish(cr)
        endpoints += own
        return d.errorCount == before && name != nil ? c : nil
    }

    /// network.raml Endpoint; PodsValidation endpointValidator; PodNormalization (hostPort 0
    /// unless on a container network).
    func decodeEndpoint(_ v: JSONValue, path: String, containerMode: Bool, hostMode: Bool, networks: [String]) -> AppPort? {
        let er = ObjectReader(v, path: path, diagnostics: d, nullMeansAbsent: true)
        guard er.isObject else { return nil }
        let name = er.required("name", MarathonPodKeys.name, hint: "the endpoint's name, like \"http\"")
        let cp = er.optional("containerPort", .int(min: 1, max: 65535))
        let hp = er.optional("hostPort", .int(min: 0, max: 65535))
        // items are strings.Name in network.raml, but the generated reader checks only the array's
        // minItems: RamlTypeGenerator.buildConstraints gives an ArrayTypeDeclaration MinItems/MaxItems and
        // no constraint of its items (mesosphere/marathon@90619da type-generator/.../RamlTypeGenerator.scala),
        // and PodsValidation checks only that no protocol is listed twice; so "HTTP" (the DC/OS 2.2 docs'
        // complete pod example) loads. The protocol is advertised in the task's DiscoveryInfo only.
        let protocols = er.optional("protocol", .array(of: .string, nonEmpty: true)) ?? ["tcp"]
        let labels = er.optional("labels", ad.labelsDecoder, default: []) ?? []
        let networkNames = er.optional("networkNames", .array(of: .string))
        if networkNames != nil { ad.notModelled.append("containers.endpoints.networkNames") }
        ad.finish(er)
        for (i, n) in (networkNames ?? []).enumerated() where !networks.contains(n) {
            d.error(JSONPath.index(JSONPath.key(path, "networkNames"), i), at: v["networkNames"]?.arrayValue?[i],
                    "\(JSONValue.quote(n)) is not one of the pod's container networks\(Suggest.didYouMean(n, among: networks))"
                        + (networks.isEmpty ? " (it has none)" : ": " + Suggest.listed(networks)) + " (Marathon's PodsValidation: networkNames is every(oneOf(...)))")
        }
        if networks.count > 1 && hp != nil && (networkNames ?? []).count != 1 {
            d.error(JSONPath.key(path, "hostPort"), at: v["hostPort"], "networkNames must be a single item list when hostPort is specified and more than 1 container network is defined (Marathon's PodsValidation)")
        }
        if cp != nil && hostMode {
            d.error(JSONPath.key(path, "containerPort"), at: v["containerPort"], "containerPort is not allowed when using host-mode networking (Marathon's PodsValidation)")
        }
        if cp == nil && containerMode {
            d.error(path, at: v, "containerPort is required when using container-mode networking (Marathon's PodsValidation)")
        }
        for (i, _) in repeatedElements(protocols) {
            let x = protocols[i]
            d.error(JSONPath.key(path, "protocol"), at: v["protocol"], "protocol \(JSONValue.quote(x)) is listed twice (Marathon: \"Duplicate protocols within the same endpoint are not allowed\")")
        }
        guard let name else { return nil }
        return AppPort(name: name, protocol: protocols.joined(separator: ","), containerPort: cp,
                       hostPort: hp ?? (containerMode ? nil : 0), servicePort: 0, labels: labels)
    }

    /// healthCheck.raml HealthCheck (http, tcp or exec; run by the default executor) and
    /// PodsValidation healthCheckValidator.
    func decodeHealthCheck(_ v: JSONValue, path: String, endpoints: [String]) -> HealthCheck? {
        let hr = ObjectReader(v, path: path, diagnostics: d, nullMeansAbsent: true)
        guard hr.isObject else { return nil }
        let before = d.errorCount
        var kinds: [(HealthCheckProtocol, String)] = []
        func endpoint(_ key: String, _ proto: HealthCheckProtocol) {
            guard let ev = hr.value(key) else { return }
            kinds.append((proto, key))
            let kr = ObjectReader(ev, path: hr.keyPath(key), diagnostics: d, nullMeansAbsent: true)
            guard kr.isObject else { return }
            if let e = kr.required("endpoint", MarathonPodKeys.name, hint: "the name of one of the container's endpoints"), !endpoints.contains(e) {
                d.error(kr.keyPath("endpoint"), at: ev["endpoint"], "endpoint \(JSONValue.quote(e)) is not one of the container's endpoints\(Suggest.didYouMean(e, among: endpoints)) (Marathon: \"contained in the container endpoints\")"
                        + (endpoints.isEmpty ? "; the container has none" : ""))
            }
            if key == "http" {
                _ = kr.optional("path", .string)
                _ = kr.optional("scheme", MarathonPodKeys.ramlEnum(["HTTP", "HTTPS"], what: "scheme"))
            }
            ad.finish(kr)
        }
        endpoint("http", .mesosHTTP)
        endpoint("tcp", .mesosTCP)
        if let xv = hr.value("exec") {
            kinds.append((.command, "exec"))
            let xr = ObjectReader(xv, path: hr.keyPath("exec"), diagnostics: d, nullMeansAbsent: true)
            if xr.isObject {
                if let cv = xr.required("command", .json, hint: "{\"shell\": \"...\"} or {\"argv\": [...]}") {
                    let cr = ObjectReader(cv, path: xr.keyPath("command"), diagnostics: d, nullMeansAbsent: true)
                    if cr.isObject {
                        let shell = cr.optional("shell", .nonEmptyString)
                        let argv = cr.optional("argv", .array(of: .string, nonEmpty: true))
                        if shell == nil && argv == nil && d.errorCount == before {
                            d.error(cr.path, at: cv, "a command is {\"shell\": \"...\"} or {\"argv\": [...]} (mesosCommand.raml)")
                        }
                        ad.finish(cr)
                    }
                }
                ad.finish(xr)
            }
        }
        let int32 = ValueDecoder<Int>.int(min: 0, max: Int(Int32.max))
        let grace = hr.optional("gracePeriodSeconds", int32, default: 300) ?? 300
        let interval = hr.optional("intervalSeconds", int32, default: 60) ?? 60
        let failures = hr.optional("maxConsecutiveFailures", int32, default: 3) ?? 3
        let timeout = hr.optional("timeoutSeconds", int32, default: 20) ?? 20
        let delay = hr.optional("delaySeconds", int32, default: 15) ?? 15
        ad.finish(hr)
        if kinds.count != 1 {
            d.error(path, at: v, kinds.isEmpty ? "a health check needs one of http, tcp or exec (Marathon: \"Only one of http, tcp, or command may be specified\")"
                                               : "give one of http, tcp or exec, not \(kinds.map(\.1).joined(separator: " and ")) (Marathon: \"Only one of http, tcp, or command may be specified\")")
        }
        if interval == 0, let iv = v["intervalSeconds"] {
            d.error(JSONPath.key(path, "intervalSeconds"), at: iv, "intervalSeconds 0: a health check every 0 seconds cannot be simulated (the checks would repeat at the same instant forever); use 1 or more")
        } else if timeout >= interval {
            d.error(JSONPath.key(path, "timeoutSeconds"), at: v["timeoutSeconds"] ?? v["intervalSeconds"] ?? v,
                    "timeoutSeconds (\(timeout)) must be less than intervalSeconds (\(interval)) (Marathon's PodsValidation: timeoutSeconds should be < intervalSeconds)")
        }
        guard d.errorCount == before, let kind = kinds.first else { return nil }
        return HealthCheck(protocol: kind.0, gracePeriod: .seconds(Int64(grace)), interval: .seconds(Int64(interval)),
                           timeout: .seconds(Int64(timeout)), maxConsecutiveFailures: failures, delay: .seconds(Int64(delay)))
    }
}

extension ScenarioSchema {
    /// `c` (an app's or a pod's current JSON, for later deploy actions) with `n` instances: an
    /// app's `instances`, a pod's `scaling` (`{"kind": "fixed", "instances": n}`).
    static func withInstances(_ c: JSONValue, _ n: Int, pod: Bool) -> JSONValue {
        let count = JSONValue(.number(JSONNumber(n)))
        guard pod else { return setMember(c, "instances", count) }
        let scaling = c["scaling"].flatMap { $0.objectMembers == nil ? nil : $0 } ?? JSONValue(.object([]), location: c.location)
        return setMember(c, "scaling", setMember(setMember(scaling, "kind", JSONValue(.string("fixed"))), "instances", count))
    }
}
