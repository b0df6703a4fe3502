import SimKernel

// What registrator (gliderlabs/registrator at 6bfadbc, the master that the `latest` image is
// built from) registers in Consul for a Docker container, for a Marathon app that has no
// `consul.services` entry: bridge/bridge.go `add` (one service per published port) and
// `newService` (name, id, tags), bridge/util.go `serviceMetaData` (SERVICE_* from the container's
// environment and Docker labels) and `recParseEscapedComma`, consul/consul.go `buildCheck` (the
// check from SERVICE_CHECK_*). Written from reading those files; docs/consul.md "Registrator".
//
// How a Marathon task looks to registrator (model choices where Marathon and Docker leave it open):
// - the container's environment is the app's `env` (string values, in file order; secrets are
//   resolved by Mesos and their values are not known here: not read); its Docker labels are the
//   `container.docker.parameters` entries with key `label` (`"SERVICE_NAME=api"`; Marathon's app
//   `labels` go to the Mesos task, not to the container). The image's own ENV and LABEL lines are
//   not known to the simulator.
// - BRIDGE and container networks: every `portMappings` entry with a host port is a published port,
//   its container port the exposed port (`containerPort` 0: the host port, as Marathon sets it);
//   entries without a host port are not published and registrator skips them (no `-internal`).
// - HOST networking: Mesos passes no port to Docker, so registrator sees the image's EXPOSE lines
//   only. The model takes the image to expose the ports the app binds, the task's host ports
//   (`PORT0`...): exposed = published = the host port. A fixed port (requirePorts, or a
//   non-zero port) is known when the scenario loads; a dynamic one only when the task runs.
// - only Docker containers: an app run by the Mesos containerizer (no `container`, or type MESOS)
//   is invisible to registrator; the model keeps registering it by its app id (`consul.registerAll`).

/// How apps without a `consul.services` entry are named (`consul.serviceNaming`).
public enum ConsulServiceNaming: String, Equatable, Sendable, CaseIterable {
    /// The app id, slashes as dashes (`/shop/web` → `shop-web`), one registration on the task's
    /// lowest host port, unless the app carries SERVICE_* metadata.
    case appId
    /// Registrator's rules for every Docker app: the image's base name without its tag, one
    /// registration per published port.
    case registrator
}

/// One registration registrator makes for each task of an app (one published port).
public struct RegistratorService: Equatable, Sendable {
    /// Index of the port among the task's host ports (its host port is the task's `hostPortIndex`-th
    /// lowest port, as marathon-lb reads a task's ports in this model).
    public var hostPortIndex: Int
    /// The container's exposed port; nil: the task's host port (host networking, dynamic port).
    public var exposedPort: Int?
    public var udp: Bool
    /// Name, SERVICE_ID (nil: registrator's `host:container:port[:udp]`), tags and the check.
    public var definition: ConsulServiceDefinition
    /// `-internal`: the registration's port is the exposed (container) port, not the host port;
    /// `hostPortIndex` is -1 for a port that is not published on the host.
    public var registersExposedPort = false
    public init(hostPortIndex: Int, exposedPort: Int?, udp: Bool, definition: ConsulServiceDefinition) {
        self.hostPortIndex = hostPortIndex; self.exposedPort = exposedPort; self.udp = udp; self.definition = definition
    }
}

/// Registrator's view of one app: its registrations, and notes (what registrator or Consul
/// ignores or refuses, keyed by the SERVICE_* key or the part of the app concerned).
public struct RegistratorPlan: Equatable, Sendable {
    public var services: [RegistratorService]
    public var notes: [(key: String, message: String)]
    public static func == (a: RegistratorPlan, b: RegistratorPlan) -> Bool {
        a.services == b.services && a.notes.map(\.key) == b.notes.map(\.key) && a.notes.map(\.message) == b.notes.map(\.message)
    }
}

public enum Registrator {
    /// One SERVICE_* entry as registrator reads it: the environment, then the Docker labels.
    public struct MetaEntry: Equatable, Sendable {
        public var key: String
        public var value: String
        public var fromLabel: Bool
    }

    /// The SERVICE_* candidates of an app: `env` (string values, file order), then the Docker
    /// labels (`label` parameters, `KEY=VALUE`, a key alone has value ""; a later label of the same
    /// key replaces an earlier one, as Docker's label map keeps the last).
    public static func metaEntries(of app: AppDefinition) -> [MetaEntry] {
        var out = app.environment.map { MetaEntry(key: $0.name, value: $0.value, fromLabel: false) }
        var labels: [MetaEntry] = []
        for p in app.container?.parameters ?? [] where p.name == "label" {
            let kv = p.value.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let e = MetaEntry(key: String(kv[0]), value: kv.count > 1 ? String(kv[1]) : "", fromLabel: true)
            if let i = labels.firstIndex(where: { $0.key == e.key }) { labels[i] = e } else { labels.append(e) }
        }
        out += labels
        return out
    }

    /// Whether the app carries registrator metadata (any key with the SERVICE_ prefix).
    public static func hasMetadata(_ app: AppDefinition) -> Bool {
        metaEntries(of: app).contains { $0.key.hasPrefix("SERVICE_") }
    }

    /// Whether registrator sees the app's tasks: Docker containers only.
    public static func seesContainers(of app: AppDefinition) -> Bool {
        !app.isPod && app.container?.type == .docker && app.container?.image != nil
    }

    /// bridge/util.go `serviceMetaData`: keys lowercased without `SERVICE_`; `SERVICE_<port>_X`
    /// counts only for that exposed port and wins over `SERVICE_X` whatever their order; later
    /// entries (labels after the environment) replace earlier ones. Entries without a value
    /// (`len(kvp) > 1`) are skipped. `port` nil: a port not known in advance, whose port keys
    /// cannot be written.
    public static func metadata(_ entries: [MetaEntry], port: Int?) -> (values: [String: String], fromPort: Set<String>) {
        var values: [String: String] = [:]
        var fromPort = Set<String>()
        for e in entries where e.key.hasPrefix("SERVICE_") {
            let key = String(e.key.dropFirst("SERVICE_".count)).lowercased()
            if fromPort.contains(key) { continue }
            let parts = key.split(separator: "_", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count > 1, isGoAtoi(parts[0]) {
                guard let p = port, String(parts[0]) == String(p) else { continue }     // `portkey[0] != port`: compared as text
                values[String(parts[1])] = e.value
                fromPort.insert(String(parts[1]))
            } else {
                values[key] = e.value
            }
        }
        return (values, fromPort)
    }

    /// Go's strconv.Atoi succeeds: an optional sign and decimal digits that fit an int64.
    static func isGoAtoi(_ s: Substring) -> Bool {
        var t = s
        if let c = t.first, c == "+" || c == "-" { t = t.dropFirst() }
        return !t.isEmpty && t.allSatisfy { $0.isASCII && $0.isNumber } && Int64(s) != nil
    }

    /// `mapDefault(metadata, key, "")`: a missing or empty value is absent.
    static func value(_ m: [String: String], _ k: String) -> String? {
        guard let v = m[k], !v.isEmpty else { return nil }
        return v
    }

    /// Registrator's default name (bridge.go `newService`): `strings.Split(path.Base(image), ":")[0]`.
    public static func defaultName(image: String) -> String {
        var s = Substring(image)
        while s.count > 1, s.last == "/" { s = s.dropLast() }
        // path.Base: trailing slashes dropped, "/" for only slashes, the last element otherwise
        let base = s == "/" ? "/" : (s.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? String(s))
        return String(base.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0])
    }

    /// bridge/util.go `recParseEscapedComma` as combineTags uses it: split at commas not preceded
    /// by a backslash (the backslash dropped), empty parts skipped; the recursion appends the
    /// first part after the rest, so the tags come out in reverse order ("http,prod" → prod, http).
    public static func tags(_ s: String) -> [String] {
        var parts: [String] = []
        var cur = ""
        var prev: Character? = nil
        for c in s {
            if c == ",", prev != "\\" {
                if !cur.isEmpty { parts.append(cur) }
                cur = ""; prev = c; continue
            }
            if c == ",", prev == "\\" { cur.removeLast() }
            cur.append(c); prev = c
        }
        if !cur.isEmpty { parts.append(cur) }
        return parts.reversed()
    }

    /// A published port as registrator's `ports` map holds it.
    struct Published { let hostPortIndex: Int; let exposed: Int?; let udp: Bool }

    /// The ports registrator registers: the published ones (bridge.go `add`: a port whose
    /// HostPort is "" is skipped unless `-internal`); with `includeUnpublished` (`-internal`) also
    /// the container ports of mappings without a host port, `hostPortIndex` -1.
    static func publishedPorts(of app: AppDefinition, includeUnpublished: Bool = false) -> [Published] {
        var out: [Published] = []
        var k = 0
        for p in app.ports {
            let index: Int
            let exposed: Int?
            if let host = p.hostPort {
                index = k; k += 1
                switch app.networkMode {
                case .host: exposed = host > 0 ? host : nil
                case .bridge, .container: exposed = (p.containerPort ?? 0) > 0 ? p.containerPort : (host > 0 ? host : nil)
                }
            } else {
                // not published on the host: exposed only (container networks)
                guard includeUnpublished, app.networkMode != .host, let c = p.containerPort, c > 0 else { continue }
                index = -1; exposed = c
            }
            let protocols = p.protocol.split(separator: ",").map { String($0.filter { $0 != " " }) }
            if protocols.contains("tcp") || protocols.isEmpty { out.append(Published(hostPortIndex: index, exposed: exposed, udp: false)) }
            if protocols.contains("udp") { out.append(Published(hostPortIndex: index, exposed: exposed, udp: true)) }
        }
        return out
    }

    /// The registrations of an app without a `consul.services` entry, or nil when the model's
    /// app-id registration applies (not a Docker container, or `appId` naming and no SERVICE_*).
    /// With `flags` (registrator's command line given), every Docker app is registered by
    /// registrator's rules, and `-internal`, `-explicit` and `-tags` apply.
    public static func plan(_ app: AppDefinition, naming: ConsulServiceNaming, scriptChecksEnabled: Bool,
                            flags: RegistratorFlags? = nil) -> RegistratorPlan? {
        guard seesContainers(of: app) else { return nil }
        let entries = metaEntries(of: app)
        guard naming == .registrator || flags != nil || entries.contains(where: { $0.key.hasPrefix("SERVICE_") }) else { return nil }
        let defaultName = naming == .registrator ? Registrator.defaultName(image: app.image ?? "") : ConsulCluster.serviceName(ofApp: app.id)
        let internalPorts = flags?.internal ?? false
        var plan = RegistratorPlan(services: [], notes: [])
        let ports = publishedPorts(of: app, includeUnpublished: internalPorts)
        if ports.isEmpty { plan.notes.append(("ports", "no published port: registrator ignores the container (\"no published ports\")")) }
        let isGroup = ports.count > 1
        // `-tags`: a Go template executed on the container; text without an action is itself
        let forced: [String]
        if let f = flags?.tags, f.contains("{{") {
            forced = []     // not evaluated (a warning when the scenario loads)
        } else {
            forced = tags(flags?.tags ?? "")
        }
        for port in ports {
            let (meta, fromPort) = metadata(entries, port: port.exposed)
            if value(meta, "ignore") != nil { continue }
            if flags?.explicit == true && value(meta, "name") == nil {
                // bridge.go newService: no SERVICE_NAME and -explicit: not registered
                plan.notes.append(("-explicit", "\(port.exposed.map { "port \($0)" } ?? "port \(port.hostPortIndex)"): no SERVICE_NAME, so registrator with -explicit does not register it"))
                continue
            }
            var name = value(meta, "name") ?? defaultName
            if isGroup && !fromPort.contains("name") {
                guard let e = port.exposed else {
                    plan.notes.append(("ports", "registrator names the service of each of several ports \(name)-<exposed port>; port \(port.hostPortIndex) is a dynamic host port (host networking), so its name changes with every task: not registered here (give the port a fixed number)"))
                    continue
                }
                name += "-\(e)"
            }
            // combineTags(SERVICE_TAGS, -tags[, "udp"])
            var tagList = tags(meta["tags"] ?? "") + forced
            if port.udp { tagList.append("udp") }
            var def = ConsulServiceDefinition(name: name, id: value(meta, "id"), tags: tagList)
            let label = port.exposed.map { "port \($0)" + (port.udp ? "/udp" : "") } ?? "port \(port.hostPortIndex)"
            switch check(meta, service: name, scriptChecksEnabled: scriptChecksEnabled) {
            case .none: break
            case .check(let c, let notes):
                def.checks = [c]
                plan.notes += notes.map { ($0.key, "\(label): \($0.message)") }
            case .refused(let key, let reason):
                plan.notes.append((key, "\(label): Consul refuses the registration (\(reason)); registrator logs \"register failed\" and the service \(name) is not registered"))
                continue
            }
            var r = RegistratorService(hostPortIndex: port.hostPortIndex, exposedPort: port.exposed, udp: port.udp, definition: def)
            r.registersExposedPort = internalPorts
            plan.services.append(r)
        }
        return plan
    }

    enum CheckResult {
        case none
        case check(ConsulCheckDefinition, notes: [(key: String, message: String)])
        case refused(key: String, reason: String)
    }

    /// consul/consul.go `buildCheck`: the first of http, https, cmd, script, ttl, tcp, grpc that is
    /// set makes the check; interval `check_interval` or 10s (DefaultInterval) for all but TTL;
    /// `check_timeout`, `check_initial_status`, `check_deregister_after`. Consul then validates it
    /// as for any registration (agent/structs/check_type.go Validate, the agent's minimums).
    static func check(_ meta: [String: String], service: String, scriptChecksEnabled: Bool) -> CheckResult {
        var notes: [(key: String, message: String)] = []
        func key(_ attr: String) -> String { "SERVICE_" + attr.uppercased() }
        func duration(_ attr: String) -> Result<SimDuration?, CheckError> {
            guard let s = value(meta, attr) else { return .success(nil) }
            guard let d = GoDuration.parse(s) else { return .failure(CheckError(key: key(attr), reason: "\(attr.replacingOccurrences(of: "check_", with: "")): invalid duration \"\(s)\"")) }
            return .success(d)
        }
        let kind: ConsulCheckDefinition.Kind
        var usesTimeout = false
        if value(meta, "check_http") != nil || value(meta, "check_https") != nil { kind = .http; usesTimeout = true }
        else if value(meta, "check_cmd") != nil || value(meta, "check_script") != nil { kind = .script }
        else if value(meta, "check_ttl") != nil { kind = .ttl }
        else if value(meta, "check_tcp") != nil { kind = .tcp; usesTimeout = true }
        else if value(meta, "check_grpc") != nil {
            // the model runs gRPC checks as HTTP ones (ConsulServiceFiles.swift does the same)
            kind = .http; usesTimeout = true
        } else { return .none }
        if kind == .script && !scriptChecksEnabled {
            let k = value(meta, "check_cmd") != nil ? "check_cmd" : "check_script"
            return .refused(key: key(k), reason: "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' to true")
        }
        var status = ConsulHealth.critical
        if let s = value(meta, "check_initial_status") {
            guard let h = ConsulHealth(rawValue: s) else {
                return .refused(key: key("check_initial_status"), reason: "Status for checks must 'passing', 'warning', 'critical', got \"\(s)\"")
            }
            status = h
        }
        var interval = SimDuration.zero, ttl = SimDuration.zero
        var timeout: SimDuration? = nil
        do {
            if kind == .ttl {
                ttl = try duration("check_ttl").get() ?? .zero
                if ttl <= .zero { return .refused(key: key("check_ttl"), reason: "TTL must be > 0 for TTL checks") }
            } else {
                interval = try duration("check_interval").get() ?? .seconds(10)
                if interval <= .zero { return .refused(key: key("check_interval"), reason: "Interval must be > 0 for Script, HTTP, or TCP checks") }
                if interval < .seconds(1) {
                    notes.append((key("check_interval"), "\(interval) is below Consul's minimum check interval: raised to 1s (MinInterval)"))
                    interval = .seconds(1)
                }
            }
            if usesTimeout, let t = try duration("check_timeout").get() {
                if t < .zero { return .refused(key: key("check_timeout"), reason: "timeout must not be negative") }
                timeout = t > .zero ? t : nil
            } else if !usesTimeout, value(meta, "check_timeout") != nil {
                notes.append((key("check_timeout"), "registrator passes SERVICE_CHECK_TIMEOUT only with an HTTP, HTTPS, TCP or gRPC check: ignored"))
            }
            var deregister = try duration("check_deregister_after").get()
            if let d = deregister {
                if d < .zero { return .refused(key: key("check_deregister_after"), reason: "deregister_critical_service_after must not be negative") }
                if d < .minutes(1) {
                    notes.append((key("check_deregister_after"), "\(d) is below Consul's 1m minimum: raised to 1m"))
                    deregister = .minutes(1)
                }
            }
            let c = ConsulCheckDefinition(kind: kind, name: "Service '\(service)' check", interval: interval, timeout: timeout, ttl: ttl,
                                          deregisterCriticalServiceAfter: deregister, initialStatus: status)
            return .check(c, notes: notes)
        } catch let e {
            return .refused(key: e.key, reason: e.reason)
        }
    }

    struct CheckError: Error { let key: String; let reason: String }
}
