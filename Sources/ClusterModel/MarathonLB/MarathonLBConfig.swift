import SimKernel

// haproxy.cfg as marathon-lb writes it (config.py templates, marathon_lb.py config()): the
// HAPROXY_HEAD (global, defaults, the stats listener), the vhost frontend on :80, then one
// frontend per app and service port, then the backends, apps sorted by (id, service port),
// servers by (host, port). Only services with at least one server are written (get_apps).

/// A task as marathon-lb reads it from /v2/apps?embed=apps.tasks: host and host ports.
public struct MarathonLBTask: Sendable {
    public var task: TaskID
    public var host: Int
    public var ports: [Int]
    public init(task: TaskID, host: Int, ports: [Int]) { self.task = task; self.host = host; self.ports = ports }
}

/// One service (an app's port) of an instance's file, its lines written (`MarathonLBConfig.service`).
struct MarathonLBService {
    let appId: String
    let servicePort: Int
    /// nil: no server, the service is not written.
    var backend: HAProxyBackend?
    /// Its `backend` index is set when the file is assembled.
    var frontend: HAProxyFrontend?
    /// config(): the userlist (HAPROXY_{n}_AUTH), the frontend and backend blocks, the lines of the
    /// `marathon_http_in` frontend (generateHttpVhostAcl) with their backend weight, and the
    /// `marathon_http_appid_in` lines (http mode; written for the app's first such service).
    var userlist = "", front = "", back = "", vhost = "", appIdACL = ""
    var weight = 0
    /// The first template override of this service that marathon-lb could not format.
    var problem: MarathonLBLabelProblem?
    /// The HTTP_FRONTEND_APPID_ACL override's failure when nothing failed before it: config()
    /// formats that template only for the app's first http service, so it counts only there.
    var appIdProblem: MarathonLBLabelProblem?
    init(appId: String, servicePort: Int) { self.appId = appId; self.servicePort = servicePort }
}

public enum MarathonLBConfig {

    /// The configuration of the instance serving `group` for these apps (index in Marathon's spec,
    /// definition, running tasks that pass the --health-check filter).
    /// Whether an instance of `group` serves this port of an app: in the group (`*`: every
    /// group) and enabled (HAPROXY_{n}_ENABLED; under --strict-mode only when set).
    /// Several groups (`--group a --group b`): a port listing any of them (marathon_lb.py
    /// `has_group`: '*' in the groups, or the intersection with the app's groups is not empty).
    static func selects(_ p: MarathonLBPort, groups: Set<String>, strictMode: Bool) -> Bool {
        (groups.contains("*") || p.groups.contains { groups.contains($0) }) && (p.enabled ?? !strictMode)
    }

    /// Whether an instance of `group` serves any port of `app` (generate ignores the others).
    static func serves(_ app: AppDefinition, group: String, strictMode: Bool) -> Bool {
        serves(app, groups: [group] as Set, strictMode: strictMode)
    }
    static func serves(_ app: AppDefinition, groups: Set<String>, strictMode: Bool) -> Bool {
        MarathonLBLabels.parse(app).ports.contains { selects($0, groups: groups, strictMode: strictMode) }
    }

    public static func generate(group: String, strictMode: Bool, apps: [(index: Int, app: AppDefinition, tasks: [MarathonLBTask])],
                                release: MarathonLBVersion = .baseline, hostName: (Int) -> String) -> HAProxyConfiguration {
        generate(groups: [group], strictMode: strictMode, apps: apps, release: release, hostName: hostName)
    }
    public static func generate(groups: [String], strictMode: Bool, apps: [(index: Int, app: AppDefinition, tasks: [MarathonLBTask])],
                                release: MarathonLBVersion = .baseline, hostName: (Int) -> String) -> HAProxyConfiguration {
        var services: [MarathonLBService] = []
        let groupSet = Set(groups)
        for a in apps {
            services += Self.services(of: a.app, index: a.index, tasks: a.tasks, groups: groupSet, strictMode: strictMode, release: release, hostName: hostName)
        }
        return assemble(services, release: release)
    }

    /// What one app adds to the file of an instance of `group`: one service per port it serves,
    /// in port order (marathon-lb's MarathonService per port), with its frontend, backend and
    /// vhost lines already written. A per-app cache of these (MarathonLBCache.swift) rebuilds only
    /// the apps that changed; `assemble` makes the file from them.
    static func services(of app: AppDefinition, index: Int, tasks: [MarathonLBTask], groups: Set<String>, strictMode: Bool,
                         release: MarathonLBVersion = .baseline, hostName: (Int) -> String) -> [MarathonLBService] {
        var out: [MarathonLBService] = []
        for p in MarathonLBLabels.parse(app).ports where selects(p, groups: groups, strictMode: strictMode) {
            out.append(service(app, index: index, port: p, tasks: tasks, release: release, hostName: hostName))
        }
        return out
    }

    /// The template overrides (`HAPROXY_{n}_<TEMPLATE>`) of `app` that marathon-lb could not
    /// format: config() is run on the app as every instance would (one task, every port it does not
    /// disable), the first failure of each port kept. marathon-lb raises it at every regeneration of
    /// an instance serving the app (its file is never written), so the scenario refuses it at load.
    public static func templateProblems(_ app: AppDefinition, release: MarathonLBVersion = .baseline) -> [MarathonLBLabelProblem] {
        let parsed = MarathonLBLabels.parse(app)
        guard parsed.ports.contains(where: { !$0.templates.isEmpty || $0.healthCheckPortIndex != nil }) else { return [] }
        let task = MarathonLBTask(task: TaskID(0), host: 0, ports: app.ports.indices.map { 31000 + $0 })
        let services = parsed.ports.filter { $0.enabled != false }.map {
            service(app, index: 0, port: $0, tasks: [task], release: release, hostName: { _ in "agent" })
        }
        // config(): HTTP_FRONTEND_APPID_ACL is formatted for the app's first http service in
        // (app id, service port) order only (apps_with_http_appid_backend)
        let firstHTTP = services.indices.filter { services[$0].backend?.mode == "http" }
            .min { services[$0].servicePort < services[$1].servicePort }
        return services.indices.compactMap { k in
            k == firstHTTP ? services[k].appIdProblem ?? services[k].problem : services[k].problem
        }
    }

    static func service(_ app: AppDefinition, index: Int, port p0: MarathonLBPort, tasks: [MarathonLBTask],
                        release: MarathonLBVersion = .baseline, hostName: (Int) -> String) -> MarathonLBService {
        let s = MarathonLBService(appId: app.id, servicePort: p0.servicePort)
        var p = p0
        // set_label from 1.13.0: normalize_line_endings (CRLF to LF) of a template label
        if release.normalizesLineEndings, p.templates.values.contains(where: { $0.utf8.contains(13) }) {
            p.templates = p.templates.mapValues(crlfToLF)
        }
        var check = healthCheck(app, port: p.index)
        // MarathonService.__init__: http for a check whose protocol is 'HTTP' (only that one);
        // then the labels: HAPROXY_{n}_MODE (set_mode) over it
        var chosen: String? = check?.protocol == .http ? "http" : nil
        if let m = p.mode { chosen = m }
        // get_apps: without a check of its own, HAPROXY_{n}_BACKEND_HEALTHCHECK_PORT_INDEX takes that
        // port's, and an HTTP/HTTPS/MESOS_HTTP(S) one makes the port http (over HAPROXY_{n}_MODE)
        if check == nil, let k = p.healthCheckPortIndex, let c = healthCheck(app, port: k) {
            check = c
            if c.protocol.isHTTP { chosen = "http" }
        }
        // set_hostname: the VHOST label lower-cased; None without one
        let vhostLabel = app.label("HAPROXY_\(p.index)_VHOST")?.lowercased()
        // config(): a mode still None is http when a VHOST is set (a non-empty one), else tcp
        let mode = chosen ?? (nonEmpty(vhostLabel) != nil ? "http" : "tcp")
        // config(): the TCP health-check templates for tcp mode or a TCP check (from 1.11.4 also a
        // MESOS_TCP one), else the HTTP ones
        let tcpTemplates = mode == "tcp" || check?.protocol == .tcp || (release.mesosTCPChecksAsTCP && check?.protocol == .mesosTCP)
        let haCheck = check.map { c in
            // the HTTP templates write `option httpchk GET {healthCheckPath}` whatever the protocol
            let http = !tcpTemplates
            return HAProxyCheck(inter: c.interval, fall: c.maxConsecutiveFailures + 1, timeout: http ? c.timeout : nil,
                                httpPath: http ? (c.path ?? "/") : nil)
        }
        var servers: [(host: String, server: HAProxyServer)] = []
        for t in tasks where p.index < t.ports.count {
            let port = t.ports[p.index], host = hostName(t.host), address = Host.address(ofIndex: t.host)
            servers.append((host, HAProxyServer(name: serverName(host, address, port), address: address, port: port,
                                                instance: ServiceInstance(task: t.task, host: t.host, port: port), check: haCheck)))
        }
        // get_apps: a service without a server is not written
        guard !servers.isEmpty else { return s }
        return finish(s, app, index: index, port: p, mode: mode, check: check, tcpTemplates: tcpTemplates, vhostLabel: vhostLabel,
                      servers: sortedByHostAndPort(servers), tasks: tasks, release: release, hostName: hostName)
    }

    /// config.py `normalize_line_endings` (1.13.0+): `v.replace("\r\n", "\n")`, on scalars (in a
    /// Swift String "\r\n" is one Character).
    static func crlfToLF(_ v: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingCR = false
        for u in v.unicodeScalars {
            if pendingCR { if u != "\n" { out.append("\r") }; pendingCR = false }
            if u == "\r" { pendingCR = true } else { out.append(u) }
        }
        if pendingCR { out.append("\r") }
        return String(out)
    }

    /// config(): the backend's servers by (host, port) (`attrgetter('host', 'port')`: Python compares
    /// str by code point, as UTF-8 bytes order them).
    static func sortedByHostAndPort(_ s: [(host: String, server: HAProxyServer)]) -> [HAProxyServer] {
        s.sorted { a, b in
            a.host != b.host ? a.host.utf8.lexicographicallyPrecedes(b.host.utf8) : a.server.port < b.server.port
        }.map(\.server)
    }

    private static func finish(_ s0: MarathonLBService, _ app: AppDefinition, index: Int, port p: MarathonLBPort, mode: String,
                               check: HealthCheck?, tcpTemplates: Bool, vhostLabel: String?, servers: [HAProxyServer],
                               tasks: [MarathonLBTask], release: MarathonLBVersion, hostName: (Int) -> String) -> MarathonLBService {
        var s = s0
        let name = String(app.id.drop { $0 == "/" }.map { $0 == "/" ? "_" : $0 }) + "_\(p.servicePort)"
        s.backend = HAProxyBackend(name: name, app: index, portIndex: p.index, mode: mode, balance: p.balance, servers: servers)
        s.frontend = HAProxyFrontend(name: name, bindPort: p.servicePort, mode: mode, backend: -1, vhosts: p.vhosts)

        var problem: MarathonLBLabelProblem? = nil
        func template(_ t: String) -> String { p.templates[t] ?? MarathonLBTemplates.defaults[t]! }
        let releaseText: [String: String] = MarathonLBTemplates.changed(in: release)
        func fmt(_ t: String, _ fields: KeyValuePairs<String, PyValue>, _ text: String? = nil) -> String {
            guard p.templates[t] != nil else {
                // a default template with its own fields always formats
                if text == nil { return MarathonLBTemplates.render(t, fields) }
                if case .success(let x) = PyFormat.format(text!, fields) { return x }
                return ""
            }
            switch PyFormat.format(text ?? template(t), fields) {
            case .success(let x): return x
            case .failure(let e):
                if problem == nil {
                    problem = .init(label: "HAPROXY_\(p.index)_\(t)", message: "marathon-lb cannot format this template: str.format raises \(e.message) (the fields config() gives it here: \(fields.map(\.key).joined(separator: ", ")))")
                }
                return ""
            }
        }
        let backendField = PyValue.str(name)
        let hostname = vhostLabel.map(PyValue.str) ?? .none
        if let a = p.auth, !a.user.isEmpty {
            s.userlist = fmt("USERLIST_HEAD", ["backend": backendField, "user": .str(a.user), "passwd": .str(a.passwd)])
        }
        s.front = fmt("FRONTEND_HEAD", ["bindAddr": .str(p.bindAddr), "backend": backendField, "servicePort": .int(p.servicePort), "mode": .str(mode),
                                        "sslCert": .str(nonEmpty(p.sslCert).map { " ssl crt " + $0 } ?? ""),
                                        "bindOptions": .str(nonEmpty(p.bindOptions).map { " " + $0 } ?? "")])
        var back = fmt("BACKEND_HEAD", ["backend": backendField, "balance": .str(p.balance.rawValue), "mode": .str(mode)])
        if mode == "http", !p.vhosts.isEmpty, let host = vhostLabel {
            (s.weight, s.vhost) = vhostACL(app: app, port: p, hostname: host, backend: name, release: release, fmt)
        }
        if mode == "http" {
            let cleanedAppId = cleaned(app.id)
            let before = problem
            s.appIdACL = fmt("HTTP_FRONTEND_APPID_ACL", ["cleanedUpAppId": .str(cleanedAppId), "hostname": hostname, "appId": .str(app.id), "backend": backendField])
            // formatted only for the app's first http service (templateProblems decides)
            if before == nil { s.appIdProblem = problem; problem = nil }
            if p.useHSTS { back += template("BACKEND_HSTS_OPTIONS") }
            back += template("BACKEND_HTTP_OPTIONS")
            if let v = nonEmpty(p.proxyPath) { back += fmt("HTTP_BACKEND_PROXYPASS_GLUE", ["hostname": hostname, "proxypath": .str(v)]) }
            if let v = nonEmpty(p.revProxyPath) {
                back += fmt("HTTP_BACKEND_REVPROXY_GLUE", ["hostname": hostname, "rootpath": .str(v)], p.templates["HTTP_BACKEND_REVPROXY_GLUE"] == nil ? releaseText["HTTP_BACKEND_REVPROXY_GLUE"] : nil)
            }
            if let v = nonEmpty(p.redirPath) { back += fmt("HTTP_BACKEND_REDIR", ["hostname": hostname, "redirpath": .str(v)]) }
        }
        if let allowed = nonEmpty(p.networkAllowed) {
            let http = mode == "http"
            for network in allowed.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) {
                back += fmt(http ? "HTTP_BACKEND_NETWORK_ALLOWED_ACL" : "TCP_BACKEND_NETWORK_ALLOWED_ACL", ["network_allowed": .str(String(network))])
            }
            back += http ? MarathonLBTemplates.httpBackendACLAllowDeny : MarathonLBTemplates.tcpBackendACLAllowDeny
        }
        if p.sticky { back += template("BACKEND_STICKY_OPTIONS") }
        s.front += fmt("FRONTEND_BACKEND_GLUE", ["backend": backendField])
        // the health check's options, once before the servers (its port: the first server's), then per server
        var serverChecks: [String] = []
        if let c = check {
            let t = tcpTemplates ? "BACKEND_TCP_HEALTHCHECK_OPTIONS" : "BACKEND_HTTP_HEALTHCHECK_OPTIONS"
            if !template(t).isEmpty {
                let port = backendPort(app, p, tasks: tasks, servers: servers, 0, hostName: hostName)
                if port == nil { problem = problem ?? indexError(p) }
                back += fmt(t, healthCheckFields(c, port: port ?? 0))
            }
            let st = tcpTemplates ? "BACKEND_SERVER_TCP_HEALTHCHECK_OPTIONS" : "BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS"
            // ConfigTemplater: ' ' + the template stripped, or ''
            if p.templates[st] == nil, p.healthCheckPortIndex == nil {
                // the default, the same for every server (the check's own port)
                serverChecks = Array(repeating: MarathonLBTemplates.render(st, healthCheckFields(c, port: c.port), serverCheck: true), count: servers.count)
            } else if case let stripped = pyStrip(template(st)), !stripped.isEmpty {
                serverChecks = servers.indices.map { k in
                    // the check's own port, or with BACKEND_HEALTHCHECK_PORT_INDEX the k-th server of that port
                    var port = c.port
                    if p.healthCheckPortIndex != nil {
                        port = backendPort(app, p, tasks: tasks, servers: servers, k, hostName: hostName)
                        if port == nil { problem = problem ?? indexError(p) }
                    }
                    return fmt(st, healthCheckFields(c, port: port), " " + stripped)
                }
            }
        }
        let serverTemplate = p.templates["BACKEND_SERVER_OPTIONS"]
        // calculate_server_id (1.12.2+): per backend, in the servers' order
        var takenIDs = Set<Int>()
        for (k, sv) in servers.enumerated() {
            let cookie = p.sticky ? " check cookie " + String(SHA1.hex(sv.name).prefix(10)) : ""
            let serverCheck = serverChecks.isEmpty ? "" : serverChecks[k]
            let id = release.serverIDs ? serverID(sv.name, taken: &takenIDs) : nil
            if serverTemplate != nil, let task = sv.instance {
                if let id {
                    back += fmt("BACKEND_SERVER_OPTIONS", ["host": .str(hostName(task.host)), "host_ipv4": .str(sv.address), "port": .int(sv.port),
                                                           "serverName": .str(sv.name), "serverId": .int(id), "cookieOptions": .str(cookie),
                                                           "healthCheckOptions": .str(serverCheck), "otherOptions": .str("")])
                } else {
                    back += fmt("BACKEND_SERVER_OPTIONS", ["host": .str(hostName(task.host)), "host_ipv4": .str(sv.address), "port": .int(sv.port),
                                                           "serverName": .str(sv.name), "cookieOptions": .str(cookie),
                                                           "healthCheckOptions": .str(serverCheck), "otherOptions": .str("")])
                }
            } else if let id {
                back += "  server \(sv.name) \(sv.address):\(sv.port) id \(id)\(cookie)\(serverCheck)\n"
            } else {
                back += "  server \(sv.name) \(sv.address):\(sv.port)\(cookie)\(serverCheck)\n"
            }
        }
        s.back = back
        s.problem = problem
        return s
    }

    typealias Formatter = (String, KeyValuePairs<String, PyValue>, String?) -> String

    /// get_backend_port(apps, app, idx): the port of the idx-th server (by host, then port) of this
    /// service, or with HAPROXY_{n}_BACKEND_HEALTHCHECK_PORT_INDEX (|index| at most the number of
    /// the app's ports with servers: all of them here) of the index-th of the app's services sorted
    /// by service port (a Python index: negative from the end). nil: marathon-lb's IndexError (the
    /// index equals that number).
    static func backendPort(_ app: AppDefinition, _ p: MarathonLBPort, tasks: [MarathonLBTask], servers: [HAProxyServer], _ idx: Int,
                            hostName: (Int) -> String) -> Int? {
        let parsed = MarathonLBLabels.parse(app).ports
        let count = parsed.count
        guard let k = p.healthCheckPortIndex, abs(k) <= count else { return servers[idx].port }
        guard k < count else { return nil }
        let target = parsed.sorted { $0.servicePort < $1.servicePort }[k < 0 ? k + count : k]
        let ports = tasks.filter { target.index < $0.ports.count }
            .map { (host: hostName($0.host), port: $0.ports[target.index]) }
            .sorted { a, b in a.host != b.host ? a.host.utf8.lexicographicallyPrecedes(b.host.utf8) : a.port < b.port }
        return idx < ports.count ? ports[idx].port : nil
    }

    static func indexError(_ p: MarathonLBPort) -> MarathonLBLabelProblem {
        .init(label: "HAPROXY_\(p.index)_BACKEND_HEALTHCHECK_PORT_INDEX",
              message: "marathon-lb's get_backend_port raises IndexError: list index out of range (index \(p.healthCheckPortIndex ?? 0) of the app's ports sorted by service port)")
    }

    /// generateHttpVhostAcl (marathon_lb.py, haproxy_map off): the lines of `marathon_http_in` for
    /// a service with a VHOST, and its backend weight. The `marathon_https_in` lines are formatted
    /// too (a template override that cannot be formatted fails there as well) but not written: the
    /// HTTPS frontend is not written (docs/marathon-lb.md).
    static func vhostACL(app: AppDefinition, port p: MarathonLBPort, hostname: String, backend: String,
                         release: MarathonLBVersion = .baseline, _ fmt: Formatter) -> (Int, String) {
        var http = "", https = ""
        let appPart = String(app.id.dropFirst().map { $0 == "/" ? "_" : $0 })
        let path = nonEmpty(p.path).map(PyValue.str)
        let realm = p.auth.flatMap { nonEmpty($0.realm) }.map(PyValue.str)
        let b = PyValue.str(backend), appId = PyValue.str(app.id)
        if hostname.contains(",") {
            let vhosts = hostname.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let acl = PyValue.str(cleaned(vhosts[0]) + "_" + appPart)
            if let path {
                if let realm {
                    http += fmt("HTTP_FRONTEND_ACL_ONLY_WITH_PATH_AND_AUTH", ["path": path, "cleanedUpHostname": acl, "hostname": .str(vhosts[0]), "realm": realm, "backend": b], nil)
                    https += fmt("HTTPS_FRONTEND_ACL_ONLY_WITH_PATH", ["path": path, "cleanedUpHostname": acl, "hostname": .str(vhosts[0]), "realm": realm, "backend": b], nil)
                } else {
                    http += fmt("HTTP_FRONTEND_ACL_ONLY_WITH_PATH", ["path": path, "backend": b], nil)
                    https += fmt("HTTPS_FRONTEND_ACL_ONLY_WITH_PATH", ["path": path, "backend": b], nil)
                }
            }
            for v in vhosts {
                http += fmt("HTTP_FRONTEND_ACL_ONLY", ["cleanedUpHostname": acl, "hostname": .str(v)], nil)
                if path != nil {
                    if let realm {
                        https += fmt("HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH", ["cleanedUpHostname": acl, "hostname": .str(v), "appId": appId, "realm": realm, "backend": b], nil)
                    } else {
                        https += fmt("HTTPS_FRONTEND_ACL_WITH_PATH", ["cleanedUpHostname": acl, "hostname": .str(v), "appId": appId, "backend": b], nil)
                    }
                } else if let realm {
                    https += fmt("HTTPS_FRONTEND_ACL_WITH_AUTH", ["cleanedUpHostname": acl, "hostname": .str(v), "appId": appId, "realm": realm, "backend": b], nil)
                } else {
                    https += fmt("HTTPS_FRONTEND_ACL", ["cleanedUpHostname": acl, "hostname": .str(v), "appId": appId, "backend": b], nil)
                }
            }
            if p.redirectToHTTPS {
                if path != nil {
                    http += fmt("BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH", ["bindAddr": .str(p.bindAddr), "cleanedUpHostname": acl, "backend": b], nil)
                } else {
                    http += fmt("BACKEND_REDIRECT_HTTP_TO_HTTPS", ["bindAddr": .str(p.bindAddr), "cleanedUpHostname": acl], nil)
                }
            } else if path != nil {
                if let realm {
                    http += fmt("HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH", ["cleanedUpHostname": acl, "realm": realm, "backend": b], nil)
                } else {
                    http += fmt("HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH", ["cleanedUpHostname": acl, "backend": b], nil)
                }
            } else if let realm {
                http += fmt("HTTP_FRONTEND_ROUTING_ONLY_WITH_AUTH", ["cleanedUpHostname": acl, "realm": realm, "backend": b], nil)
            } else {
                http += fmt("HTTP_FRONTEND_ROUTING_ONLY", ["cleanedUpHostname": acl, "backend": b], nil)
            }
        } else {
            let acl = PyValue.str(cleaned(hostname) + "_" + appPart)
            let host = PyValue.str(hostname)
            if let path {
                if p.redirectToHTTPS {
                    http += fmt("HTTP_FRONTEND_ACL_ONLY", ["cleanedUpHostname": acl, "hostname": host], nil)
                    http += fmt("HTTP_FRONTEND_ACL_ONLY_WITH_PATH", ["cleanedUpHostname": acl, "hostname": host, "path": path, "backend": b], nil)
                    http += fmt("BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH", ["bindAddr": .str(p.bindAddr), "cleanedUpHostname": acl, "backend": b], nil)
                } else if let realm {
                    http += fmt("HTTP_FRONTEND_ACL_WITH_AUTH_AND_PATH", ["cleanedUpHostname": acl, "hostname": host, "path": path, "appId": appId, "realm": realm, "backend": b], nil)
                } else {
                    http += fmt("HTTP_FRONTEND_ACL_WITH_PATH", ["cleanedUpHostname": acl, "hostname": host, "path": path, "appId": appId, "backend": b], nil)
                }
                https += fmt("HTTPS_FRONTEND_ACL_ONLY_WITH_PATH", ["path": path, "backend": b], nil)
                if let realm {
                    https += fmt("HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH", ["cleanedUpHostname": acl, "hostname": host, "path": path, "appId": appId, "realm": realm, "backend": b], nil)
                } else {
                    https += fmt("HTTPS_FRONTEND_ACL_WITH_PATH", ["cleanedUpHostname": acl, "hostname": host, "appId": appId, "backend": b], nil)
                }
            } else {
                if p.redirectToHTTPS {
                    // generateHttpVhostAcl from 1.13.0: HTTP_FRONTEND_ACL (its use_backend too), before: _ACL_ONLY
                    if release.vhostRedirectWritesUseBackend {
                        http += fmt("HTTP_FRONTEND_ACL", ["cleanedUpHostname": acl, "hostname": host, "backend": b], nil)
                    } else {
                        http += fmt("HTTP_FRONTEND_ACL_ONLY", ["cleanedUpHostname": acl, "hostname": host], nil)
                    }
                    http += fmt("BACKEND_REDIRECT_HTTP_TO_HTTPS", ["bindAddr": .str(p.bindAddr), "cleanedUpHostname": acl], nil)
                } else if let realm {
                    http += fmt("HTTP_FRONTEND_ACL_WITH_AUTH", ["cleanedUpHostname": acl, "hostname": host, "appId": appId, "realm": realm, "backend": b], nil)
                } else {
                    http += fmt("HTTP_FRONTEND_ACL", ["cleanedUpHostname": acl, "hostname": host, "appId": appId, "backend": b], nil)
                }
                if let realm {
                    https += fmt("HTTPS_FRONTEND_ACL_WITH_AUTH", ["cleanedUpHostname": acl, "hostname": host, "appId": appId, "realm": realm, "backend": b], nil)
                } else {
                    https += fmt("HTTPS_FRONTEND_ACL", ["cleanedUpHostname": acl, "hostname": host, "appId": appId, "backend": b], nil)
                }
            }
        }
        _ = https
        return (p.backendWeight, http)
    }

    /// `_get_health_check_options`: the fields of the health-check templates.
    static func healthCheckFields(_ c: HealthCheck, port: Int?) -> KeyValuePairs<String, PyValue> {
        [
            // the dict of Marathon's JSON: Python 3.5 (marathon-lb v1.11's Debian stretch image) prints a
            // dict in the order of its keys' hashes, randomized per process (PYTHONHASHSEED unset)
            "healthCheck": .unsupported("marathon-lb v1.11 passes Marathon's health check as a dict, which its Python 3.5 prints in an order set by the process's random string hashes (the text changes from one marathon-lb start to the next); use the healthCheck* fields"),
            "healthCheckPortIndex": c.portIndex.map(PyValue.int) ?? .none,
            "healthCheckPort": port.map(PyValue.int) ?? .none,
            "healthCheckProtocol": .str(c.protocol.rawValue),
            "healthCheckPath": .str(c.path ?? "/"),
            "healthCheckTimeoutSeconds": .int(Int(seconds(c.timeout))!),
            "healthCheckIntervalSeconds": .int(Int(seconds(c.interval))!),
            "healthCheckGracePeriodSeconds": .int(Int(seconds(c.gracePeriod))!),
            "healthCheckMaxConsecutiveFailures": .int(c.maxConsecutiveFailures),
            "healthCheckFalls": .int(c.maxConsecutiveFailures + 1),
            "healthCheckPortOptions": .str(port.map { $0 != 0 ? " port \($0)" : "" } ?? ""),
        ]
    }

    /// Python's truthiness of an optional str: nil for None and "".
    static func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }

    /// `re.sub(r'[^a-zA-Z0-9\-]', '_', s)`.
    static func cleaned(_ s: String) -> String {
        String(s.map { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" ? $0 : "_" })
    }

    /// Python's `str.strip()` (whitespace both ends).
    static func pyStrip(_ s: String) -> String {
        let ws: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" }
        return String(String(s.drop(while: ws).reversed()).drop(while: ws).reversed())
    }

    /// The file from the services of every app, in the order given (apps, then ports): sorted by
    /// (app id, service port); config()'s order: the head, the userlists, `marathon_http_in` with
    /// the vhost lines (by backend weight, largest first, stable), `marathon_http_appid_in` (one
    /// entry per app, its first http service), the frontends, then the backends.
    static func assemble(_ services: [MarathonLBService], release: MarathonLBVersion = .baseline) -> HAProxyConfiguration {
        // the same comparison over the same sequence as one pass over the apps: the same order
        let sorted = services.sorted { $0.appId != $1.appId ? $0.appId < $1.appId : $0.servicePort < $1.servicePort }
        var cfg = HAProxyConfiguration()
        var text = release == .baseline ? head : Self.head(release)
        var userlists = "", fronts = "", backs = "", appIds = ""
        var vhosts: [(weight: Int, order: Int, text: String)] = []
        var lastAppIdACL: String? = nil
        for s in sorted {
            guard let backend = s.backend, var frontend = s.frontend else { continue }
            frontend.backend = cfg.backends.count
            cfg.backends.append(backend)
            cfg.frontends.append(frontend)
            userlists += s.userlist; fronts += s.front; backs += s.back
            if !s.vhost.isEmpty { vhosts.append((s.weight, vhosts.count, s.vhost)) }
            // apps_with_http_appid_backend: services of an app are adjacent in this order
            if !s.appIdACL.isEmpty, lastAppIdACL != s.appId { appIds += s.appIdACL; lastAppIdACL = s.appId }
        }
        vhosts.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.order < $1.order }
        text += userlists + "\nfrontend marathon_http_in\n  bind *:80\n  mode http\n"
        for v in vhosts { text += v.text }
        text += MarathonLBTemplates.httpFrontendAppIdHead + appIds
        text += fronts + backs
        cfg.text = text
        return cfg
    }

    /// marathon-lb's get_health_check: the app's first health check that has a `port` (for every
    /// port index) or this `portIndex` (Marathon gives a check without portIndex or port portIndex
    /// 0, Formats.addHealthCheckPortIndexIfNecessary; COMMAND checks have neither).
    static func healthCheck(_ app: AppDefinition, port i: Int) -> HealthCheck? {
        app.healthChecks.first { c in
            if let fixed = c.port, fixed != 0 { return true }   // `if check.get('port'): return check`
            return (c.portIndex ?? (c.port == nil && c.protocol.usesPort ? 0 : nil)) == i
        }
    }

    /// config(): `re.sub(r'[^a-zA-Z0-9\-]', '_', host + '_' + ip + '_' + port)`, or without the
    /// host when it is the address (the task's IP: the host's address, resolve_ip).
    static func serverName(_ host: String, _ address: String, _ port: Int) -> String {
        let raw = host == address ? address + "_\(port)" : host + "_" + address + "_\(port)"
        // printable ASCII (one byte per character): the same substitution on bytes, without
        // Unicode property lookups (a regeneration names every server of every app)
        if raw.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return String(decoding: raw.utf8.map { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D ? b : 0x5F
            }, as: UTF8.self)
        }
        return String(raw.map { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" ? $0 : "_" })
    }

    static func seconds(_ d: SimDuration) -> String { String(max(0, d.nanoseconds / 1_000_000_000)) }

    /// marathon-lb's HAPROXY_HEAD (config.py), without what needs marathon-lb's container
    /// (lua-load of its scripts, the ssl-default-* lines, `stats socket`, server-state files),
    /// so that the written file is valid for `haproxy -c` on its own.
    /// marathon_lb.py `calculate_server_id` (1.12.2+): `int(sha256(name).hexdigest(), 16) % 32767`;
    /// taken or 0: again with `name + " " + hexdigest`.
    static func serverID(_ name: String, taken: inout Set<Int>) -> Int {
        var n = name
        while true {
            let digest = SHA256.digest(Array(n.utf8))
            var id = 0
            for b in digest { id = (id * 256 + Int(b)) % 32767 }
            if id > 0, taken.insert(id).inserted { return id }
            n = n + " " + digest.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        }
    }

    /// HAPROXY_HEAD of `release` (see `head`): from 1.12.0 without `daemon`, from 1.15.0 with the
    /// prometheus exporter in `listen stats`.
    static func head(_ release: MarathonLBVersion) -> String {
        release.headHasPrometheusExporter ? head115 : release.headHasDaemon ? head : head112
    }
    static let head112 = headLines(daemon: false, prometheus: false)
    static let head115 = headLines(daemon: false, prometheus: true)
    private static func headLines(daemon: Bool, prometheus: Bool) -> String {
        var out = ""
        for line in head.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line == "  daemon" && !daemon { continue }
            out += line + "\n"
            if line == "  stats enable" && prometheus { out += "  http-request use-service prometheus-exporter if { path /metrics }\n" }
        }
        return out
    }

    static let head = """
    global
      daemon
      log /dev/log local0
      log /dev/log local1 notice
      spread-checks 5
      max-spread-checks 15000
      maxconn 50000
    defaults
      log               global
      retries                   3
      backlog               10000
      maxconn               10000
      timeout connect          3s
      timeout client          30s
      timeout server          30s
      timeout tunnel        3600s
      timeout http-keep-alive  1s
      timeout http-request    15s
      timeout queue           30s
      timeout tarpit          60s
      option            dontlognull
      option            http-server-close
      option            redispatch
    listen stats
      bind 0.0.0.0:9090
      mode http
      stats enable
      monitor-uri /_haproxy_health_check

    """
}

extension HealthCheckProtocol {
    /// marathon-lb switches a port to http mode for these (HTTP, HTTPS, MESOS_HTTP, MESOS_HTTPS).
    var isHTTP: Bool { self == .http || self == .https || self == .mesosHTTP || self == .mesosHTTPS }
}
