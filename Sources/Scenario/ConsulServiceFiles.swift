import ClusterModel
import SimKernel

// Consul service definitions as Consul's agent config loader reads them (hashicorp/consul
// agent/config/config.go Parse, builder.go, agent/structs/check_type.go Validate):
// - keys match without case (`ID`, `Name`, `HTTP` are `id`, `name`, `http`), and five CamelCase
//   aliases are translated (TranslateKeys: DeregisterCriticalServiceAfter, DockerContainerID,
//   ScriptArgs, ServiceID, TLSSkipVerify); other spellings are unknown;
// - an unknown key is an error, with Consul's reason ("invalid config key ...");
// - a key Consul accepts but the model does not use (tags, meta, header, notes ...) loads with a
//   warning, listed once with its path;
// - durations are Go duration strings; a check's kind comes from args/script, http, tcp, grpc or
//   ttl and Validate()'s rules apply.

enum ConsulServiceFile {
    static let translate = ["deregistercriticalserviceafter": "deregister_critical_service_after", "dockercontainerid": "docker_container_id",
                            "scriptargs": "args", "serviceid": "service_id", "tlsskipverify": "tls_skip_verify"]
    static let serviceModelled = ["id", "name", "tags", "port", "check", "checks"]
    static let serviceAccepted = ["address", "meta", "token", "enable_tag_override", "weights", "kind", "proxy", "connect",
                                  "tagged_addresses", "socket_path", "namespace", "partition", "locality"]
    static let checkModelled = ["id", "name", "status", "args", "script", "http", "tcp", "grpc", "interval", "timeout", "ttl",
                                "deregister_critical_service_after", "success_before_passing", "failures_before_critical",
                                "docker_container_id"]
    static let checkAccepted = ["notes", "service_id", "token", "header", "method", "body", "udp", "shell", "tls_server_name", "tls_skip_verify",
                                "grpc_use_tls", "alias_node", "alias_service", "output_max_size", "failures_before_warning", "h2ping",
                                "h2ping_use_tls", "os_service", "disable_redirects", "check_id"]

    /// lib/decode/decode.go HookWeakDecodeFromSlice (in agent/config/config.go Parse's decode hooks):
    /// where Consul decodes a struct, a map or a single value, a list of exactly one element is read
    /// as that element (HCL writes a block as a list of one object; JSON files get the same reading),
    /// so `"check": [{...}]` is the check and `"port": [80]` the port. A list of another length is
    /// left as it is, and refused where a list is not wanted (mapstructure: "expected a map, got
    /// 'slice'"). Consul releases before 1.9 did the same through lib.PatchSliceOfMaps.
    static func unslice(_ v: JSONValue) -> JSONValue {
        if let a = v.arrayValue, a.count == 1 { return a[0] }
        return v
    }
    /// The keys whose Go type is a slice (`Tags []string`, `Checks []CheckDefinition`,
    /// `ScriptArgs []string`): a list stays a list there.
    static let sliceKeys = ["tags", "checks", "args"]

    /// agent/config/builder.go: the datacenter is lower-cased, then must match `^[a-z0-9_-]+$`
    /// (Consul refuses to start otherwise; builder_test "datacenter invalid").
    static func datacenterProblem(_ s: String) -> String? {
        if s.isEmpty { return "datacenter cannot be empty" }
        return s.lowercased().utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 || $0 == 45 }) ? nil
            : "datacenter cannot be \(JSONValue.quote(s.lowercased())). Please use only [a-z0-9-_]."
    }

    /// The nested objects of a service that Consul decodes into structs (agent/config/config.go
    /// ServiceWeights, ServiceAddress, ServiceConnect, ServiceProxy, Upstream, ExposeConfig ...):
    /// the simulator does not use them, but Consul refuses a key they do not have
    /// (`invalid config key service.weights.critical`), so the file would not load there.
    indirect enum Shape {
        case leaf
        case object([String: Shape])
        case mapOf(Shape)   // map[string]X: any key, each value an X
        case arrayOf(Shape)
        case service        // a nested service definition (connect.sidecar_service)
    }

    static let meshGateway = Shape.object(["mode": .leaf])
    static let upstream = Shape.object(Dictionary(uniqueKeysWithValues:
        ["destination_type", "destination_namespace", "destination_partition", "destination_peer", "destination_name", "datacenter",
         "local_bind_address", "local_bind_port", "local_bind_socket_path", "local_bind_socket_mode", "config"].map { ($0, Shape.leaf) }
        + [("mesh_gateway", meshGateway)]))
    static let nestedShapes: [String: Shape] = [
        "weights": .object(["passing": .leaf, "warning": .leaf]),
        "tagged_addresses": .mapOf(.object(["address": .leaf, "port": .leaf])),
        "connect": .object(["native": .leaf, "sidecar_service": .service]),
        "proxy": .object(["destination_service_name": .leaf, "destination_service_id": .leaf, "local_service_address": .leaf,
                          "local_service_port": .leaf, "local_service_socket_path": .leaf, "mode": .leaf, "config": .leaf,
                          "transparent_proxy": .object(["outbound_listener_port": .leaf, "dialed_directly": .leaf]),
                          "upstreams": .arrayOf(upstream), "mesh_gateway": meshGateway,
                          "expose": .object(["checks": .leaf, "port": .leaf, "paths": .arrayOf(.object(
                              ["listener_port": .leaf, "path": .leaf, "protocol": .leaf, "local_path_port": .leaf]))])]),
    ]

    /// Refuses, as Consul does, a key a nested struct does not have; `dotted` is Consul's name of
    /// the value (`service.connect`).
    static func checkShape(_ v0: JSONValue, _ shape: Shape, path: String, dotted: String, _ d: Diagnostics,
                           reason: String = "Consul refuses unknown keys") {
        let v: JSONValue
        if case .arrayOf = shape { v = v0 } else { v = unslice(v0) }
        switch shape {
        case .leaf: return
        case .arrayOf(let e):
            for (i, x) in (v.arrayValue ?? []).enumerated() { checkShape(x, e, path: JSONPath.index(path, i), dotted: dotted, d, reason: reason) }
        case .mapOf(let e):
            for m in v.objectMembers ?? [] { checkShape(m.value, e, path: JSONPath.key(path, m.key), dotted: dotted + "." + m.key, d, reason: reason) }
        case .service:
            let keys = serviceModelled + serviceAccepted
            var shapes = nestedShapes
            for k in keys where shapes[k] == nil { shapes[k] = .leaf }
            checkShape(v, .object(shapes), path: path, dotted: dotted, d)
            // its checks have the check keys
            for m in v.objectMembers ?? [] {
                let k = m.key.lowercased()
                let p = JSONPath.key(path, m.key)
                let checks = k == "check" ? [unslice(m.value)] : k == "checks" ? (m.value.arrayValue ?? []) : []
                for (i, c) in checks.enumerated() {
                    let cp = k == "check" ? p : JSONPath.index(p, i)
                    checkShape(c, .object(Dictionary(uniqueKeysWithValues: (checkModelled + checkAccepted).map { ($0, Shape.leaf) })),
                               path: cp, dotted: dotted + "." + k, d)
                }
            }
        case .object(let members):
            for m in v.objectMembers ?? [] {
                let lower = m.key.lowercased()
                let name = translate[lower] ?? lower
                let p = JSONPath.key(path, m.key)
                if let sub = members[name] { checkShape(m.value, sub, path: p, dotted: dotted + "." + name, d, reason: reason); continue }
                d.error(p, location: m.keyLocation ?? m.value.location,
                        "invalid config key \(dotted).\(m.key) (\(reason))\(Suggest.didYouMean(name, among: members.keys.sorted()))")
            }
        }
    }

    /// An object's members by Consul's (lower-case, translated) key names.
    struct Fields {
        var values: [String: (JSONValue, String)] = [:]
        var order: [String] = []
        subscript(_ k: String) -> JSONValue? { values[k]?.0 }
        func path(_ k: String) -> String { values[k]?.1 ?? k }
    }

    /// Reads an object's members: unknown keys are errors (Consul's reason), accepted but unused
    /// keys warnings; returns the modelled ones.
    static func fields(_ v0: JSONValue, path: String, dotted: String, modelled: [String], accepted: [String], _ d: Diagnostics) -> Fields? {
        let v = unslice(v0)
        guard let members = v.objectMembers else { d.error(path, at: v, typeMismatch("an object", v)); return nil }
        var f = Fields()
        for m in members {
            let lower = m.key.lowercased()
            let name = translate[lower] ?? lower
            let p = JSONPath.key(path, m.key)
            if modelled.contains(name) {
                if f.values[name] == nil { f.values[name] = (sliceKeys.contains(name) ? m.value : unslice(m.value), p); f.order.append(name) }
            } else if accepted.contains(name) {
                d.warning(p, at: m.value, "accepted by Consul, not used by the simulator (ignored)")
            } else {
                let known = modelled + accepted
                d.error(p, location: m.keyLocation ?? m.value.location,
                        "invalid config key \(dotted.isEmpty ? "" : dotted + ".")\(m.key) (Consul refuses unknown keys)\(Suggest.didYouMean(name, among: known))")
            }
        }
        return f
    }

    static func decode(_ v: JSONValue, path: String, _ d: Diagnostics) -> [ConsulServiceDefinition]? {
        guard let members = v.objectMembers else {
            d.error(path, at: v, typeMismatch("a Consul service definition: {\"service\": {...}} or {\"services\": [...]}", v)); return nil
        }
        let before = d.errorCount
        var out: [ConsulServiceDefinition] = []
        var found = false
        for m in members {
            let p = JSONPath.key(path, m.key)
            switch m.key.lowercased() {
            case "service":
                found = true
                if let s = service(unslice(m.value), path: p, dotted: "service", d) { out.append(s) }
            case "services":
                found = true
                guard let a = m.value.arrayValue else { d.error(p, at: m.value, typeMismatch("an array of service definitions", m.value)); continue }
                for (i, e) in a.enumerated() {
                    if let s = service(e, path: JSONPath.index(p, i), dotted: "services", d) { out.append(s) }
                }
            case "datacenter":
                // agent configuration, but one Consul refuses to start with when it is not a datacenter name
                if let s = unslice(m.value).stringValue, let problem = datacenterProblem(s) {
                    d.error(p, at: m.value, problem + " (Consul refuses the agent configuration this file is part of)")
                } else {
                    d.warning(p, at: m.value, "not a service definition key: Consul reads it as agent configuration; ignored here")
                }
            default:
                d.warning(p, at: m.value, "not a service definition key: Consul reads it as agent configuration; ignored here")
            }
        }
        if !found { d.error(path, at: v, "a Consul service definition needs \"service\" (an object) or \"services\" (an array)") }
        var ids: [String] = []
        for s in out {
            let id = s.id ?? s.name
            if ids.contains(id) { d.error(path, at: v, "service id \(JSONValue.quote(id)) is defined twice") }
            ids.append(id)
        }
        return d.errorCount == before ? out : nil
    }

    static func service(_ v0: JSONValue, path: String, dotted: String, _ d: Diagnostics) -> ConsulServiceDefinition? {
        let v = unslice(v0)
        guard let f = fields(v, path: path, dotted: dotted, modelled: serviceModelled, accepted: serviceAccepted, d) else { return nil }
        let before = d.errorCount
        for m in v.objectMembers ?? [] {
            if let shape = nestedShapes[m.key.lowercased()] {
                checkShape(m.value, shape, path: JSONPath.key(path, m.key), dotted: dotted + "." + m.key.lowercased(), d)
            }
        }
        let name = string(f, "name", d)
        if name == nil || name!.isEmpty, d.errorCount == before { d.error(f["name"] == nil ? path : f.path("name"), at: f["name"] ?? v, "Service name missing (Consul refuses a service without a name)") }
        let id = string(f, "id", d)
        var tags: [String] = []
        if let t = f["tags"] {
            if let a = t.arrayValue, a.allSatisfy({ $0.stringValue != nil }) { tags = a.map { $0.stringValue! } } else {
                d.error(f.path("tags"), at: t, typeMismatch("an array of strings", t))
            }
        }
        var port: Int? = nil
        if let pv = f["port"] {
            if let n = pv.numberValue?.int64, n >= 0, n <= 65535 { port = Int(n) } else {
                d.error(f.path("port"), at: pv, "port must be an integer from 0 to 65535, got \(pv.brief)")
            }
        }
        var checks: [ConsulCheckDefinition] = []
        let svc = name ?? ""
        if let c = f["check"] {
            if let x = check(c, path: f.path("check"), dotted: dotted + ".check", service: svc, d) { checks.append(x) }
        }
        if let cs = f["checks"] {
            if let a = cs.arrayValue {
                for (i, c) in a.enumerated() {
                    if let x = check(c, path: JSONPath.index(f.path("checks"), i), dotted: dotted + ".checks", service: svc, d) { checks.append(x) }
                }
            } else { d.error(f.path("checks"), at: cs, typeMismatch("an array of checks", cs)) }
        }
        guard d.errorCount == before, let name else { return nil }
        return ConsulServiceDefinition(name: name, id: id, tags: tags, port: port, checks: checks)
    }

    static func check(_ v: JSONValue, path: String, dotted: String, service: String, _ d: Diagnostics) -> ConsulCheckDefinition? {
        guard let f = fields(v, path: path, dotted: dotted, modelled: checkModelled, accepted: checkAccepted, d) else { return nil }
        let before = d.errorCount
        var interval = duration(f, "interval", d) ?? .zero
        if interval > .zero && interval < .seconds(1) {
            // agent/checks/check.go MinInterval: the agent raises shorter intervals to 1s
            d.warning(f.path("interval"), at: f["interval"], "\(interval) is below Consul's minimum check interval: raised to 1s (MinInterval)")
            interval = .seconds(1)
        }
        let timeout = duration(f, "timeout", d)
        let ttl = duration(f, "ttl", d) ?? .zero
        var deregister = duration(f, "deregister_critical_service_after", d)
        let hasArgs = f["args"].map { ($0.arrayValue?.isEmpty == false) } ?? false
        if let a = f["args"], !(a.arrayValue?.allSatisfy { $0.stringValue != nil } ?? false) {
            d.error(f.path("args"), at: a, typeMismatch("an array of strings (the script and its arguments)", a))
        }
        if let s = f["script"] { d.warning(f.path("script"), at: s, "\"script\" is deprecated in Consul (use \"args\"); read as a script check") }
        let script = hasArgs || f["script"] != nil
        let http = nonEmpty(f, "http", d), tcp = nonEmpty(f, "tcp", d), grpc = nonEmpty(f, "grpc", d)
        let intervalCheck = script || http || tcp || grpc
        if d.errorCount == before { validate(f, path: path, v, interval: interval, ttl: ttl, intervalCheck: intervalCheck, d) }
        if let t = timeout, t < .zero { d.error(f.path("timeout"), at: f["timeout"], "timeout must not be negative, got \(t)") }
        if let x = deregister {
            if x < .zero { d.error(f.path("deregister_critical_service_after"), at: f["deregister_critical_service_after"], "must not be negative, got \(x)") }
            else if x < .minutes(1) {
                d.warning(f.path("deregister_critical_service_after"), at: f["deregister_critical_service_after"], "\(x) is below Consul's 1m minimum: raised to 1m (check_deregister_interval_min)")
                deregister = .minutes(1)
            }
        }
        var status = ConsulHealth.critical
        if let s = string(f, "status", d) {
            if let h = ConsulHealth(rawValue: s) { status = h } else {
                d.error(f.path("status"), at: f["status"], "Status for checks must 'passing', 'warning', 'critical' (Consul's reason), got \(JSONValue.quote(s))")
            }
        }
        let sbp = count(f, "success_before_passing", d), fbc = count(f, "failures_before_critical", d)
        let name = string(f, "name", d) ?? "Service '\(service)' check"
        let id = string(f, "id", d)
        guard d.errorCount == before else { return nil }
        let kind: ConsulCheckDefinition.Kind = script ? .script : (http || grpc) ? .http : tcp ? .tcp : .ttl
        return ConsulCheckDefinition(kind: kind, name: name, id: id, interval: interval, timeout: timeout.flatMap { $0 > .zero ? $0 : nil },
                                     ttl: ttl, successBeforePassing: sbp, failuresBeforeCritical: fbc,
                                     deregisterCriticalServiceAfter: deregister, initialStatus: status)
    }

    /// agent/structs/check_type.go Validate(), on values that decoded.
    static func validate(_ f: Fields, path: String, _ v: JSONValue, interval: SimDuration, ttl: SimDuration, intervalCheck: Bool, _ d: Diagnostics) {
        if interval > .zero && ttl > .zero {
            d.error(f.path("ttl"), at: f["ttl"], "Interval and TTL cannot both be specified")
        } else if intervalCheck && interval <= .zero {
            d.error(f["interval"] == nil ? path : f.path("interval"), at: f["interval"] ?? v, "Interval must be > 0 for Script, HTTP, or TCP checks")
        } else if !intervalCheck && ttl <= .zero {
            d.error(f["ttl"] == nil ? path : f.path("ttl"), at: f["ttl"] ?? v, "TTL must be > 0 for TTL checks (a check needs args, http, tcp, grpc or ttl)")
        }
    }

    // MARK: values, with Consul's decoding rules

    /// Consul accepts any Go duration; longer ones are read as 10 years (no run is that long).
    static let longest = SimDuration.hours(87600)

    static func string(_ f: Fields, _ k: String, _ d: Diagnostics) -> String? {
        guard let v = f[k] else { return nil }
        guard let s = v.stringValue else { d.error(f.path(k), at: v, "'\(k)' expected type 'string', got \(v.typeName)"); return nil }
        return s
    }

    static func nonEmpty(_ f: Fields, _ k: String, _ d: Diagnostics) -> Bool {
        guard let s = string(f, k, d) else { return false }
        return !s.isEmpty
    }

    static func duration(_ f: Fields, _ k: String, _ d: Diagnostics) -> SimDuration? {
        guard let s = string(f, k, d) else { return nil }
        guard let x = GoDuration.parse(s) else {
            d.error(f.path(k), at: f[k], "\(k): invalid duration: \(JSONValue.quote(s)) (a Go duration like \"10s\" or \"1m30s\")"); return nil
        }
        if x > longest {
            d.warning(f.path(k), at: f[k], "\(x) is longer than the simulator runs: read as \(longest)")
            return longest
        }
        return x
    }

    static func count(_ f: Fields, _ k: String, _ d: Diagnostics) -> Int {
        guard let v = f[k] else { return 0 }
        guard let n = v.numberValue?.int64, n >= 0, n <= 1_000_000 else {
            d.error(f.path(k), at: v, "\(k) must be a whole number from 0 to 1000000, got \(v.brief)"); return 0
        }
        return Int(n)
    }
}
