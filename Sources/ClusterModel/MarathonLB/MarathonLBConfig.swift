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
    var front = "", back = "", vhostACLs = "", vhostRoutes = ""
    init(appId: String, servicePort: Int) { self.appId = appId; self.servicePort = servicePort }
}

public enum MarathonLBConfig {

    /// The configuration of the instance serving `group` for these apps (index in Marathon's spec,
    /// definition, running tasks that pass the --health-check filter).
    /// Whether an instance of `group` serves this port of an app: in the group (`*`: every
    /// group) and enabled (HAPROXY_{n}_ENABLED; under --strict-mode only when set).
    static func selects(_ p: MarathonLBPort, group: String, strictMode: Bool) -> Bool {
        (group == "*" || p.groups.contains(group)) && (p.enabled ?? !strictMode)
    }

    /// Whether an instance of `group` serves any port of `app` (generate ignores the others).
    static func serves(_ app: AppDefinition, group: String, strictMode: Bool) -> Bool {
        MarathonLBLabels.parse(app).ports.contains { selects($0, group: group, strictMode: strictMode) }
    }

    public static func generate(group: String, strictMode: Bool, apps: [(index: Int, app: AppDefinition, tasks: [MarathonLBTask])],
                                hostName: (Int) -> String) -> HAProxyConfiguration {
        var services: [MarathonLBService] = []
        for a in apps {
            services += Self.services(of: a.app, index: a.index, tasks: a.tasks, group: group, strictMode: strictMode, hostName: hostName)
        }
        return assemble(services)
    }

    /// What one app adds to the file of an instance of `group`: one service per port it serves,
    /// in port order (marathon-lb's MarathonService per port), with its frontend, backend and
    /// vhost lines already written. A per-app cache of these (MarathonLBCache.swift) rebuilds only
    /// the apps that changed; `assemble` makes the file from them.
    static func services(of app: AppDefinition, index: Int, tasks: [MarathonLBTask], group: String, strictMode: Bool,
                         hostName: (Int) -> String) -> [MarathonLBService] {
        var out: [MarathonLBService] = []
        for p in MarathonLBLabels.parse(app).ports where selects(p, group: group, strictMode: strictMode) {
            out.append(service(app, index: index, port: p, tasks: tasks, hostName: hostName))
        }
        return out
    }

    static func service(_ app: AppDefinition, index: Int, port p: MarathonLBPort, tasks: [MarathonLBTask],
                        hostName: (Int) -> String) -> MarathonLBService {
        var s = MarathonLBService(appId: app.id, servicePort: p.servicePort)
        let check = healthCheck(app, port: p.index)
        let mode = p.mode ?? (check?.protocol.isHTTP == true ? "http" : "tcp")
        let haCheck = check.map { c in
            HAProxyCheck(inter: c.interval, fall: c.maxConsecutiveFailures + 1, timeout: c.protocol.isHTTP ? c.timeout : nil,
                         httpPath: c.protocol.isHTTP ? (c.path ?? "/") : nil)
        }
        var servers: [HAProxyServer] = []
        for t in tasks where p.index < t.ports.count {
            let port = t.ports[p.index]
            servers.append(HAProxyServer(name: serverName(hostName(t.host), port), address: Host.address(ofIndex: t.host), port: port,
                                         instance: ServiceInstance(task: t.task, host: t.host, port: port), check: haCheck))
        }
        // get_apps: a service without a server is not written
        guard !servers.isEmpty else { return s }
        servers.sort { $0.name < $1.name }
        let name = String(app.id.drop { $0 == "/" }.map { $0 == "/" ? "_" : $0 }) + "_\(p.servicePort)"
        s.backend = HAProxyBackend(name: name, app: index, portIndex: p.index, mode: mode, balance: p.balance, servers: servers)
        s.frontend = HAProxyFrontend(name: name, bindPort: p.servicePort, mode: mode, backend: -1, vhosts: p.vhosts)
        s.front = "\nfrontend \(name)\n  bind *:\(p.servicePort)\n  mode \(mode)\n  use_backend \(name)\n"
        var back = "\nbackend \(name)\n  balance \(p.balance.rawValue)\n  mode \(mode)\n"
        if mode == "http" {
            back += "  option forwardfor\n  http-request set-header X-Forwarded-Port %[dst_port]\n  http-request add-header X-Forwarded-Proto https if { ssl_fc }\n"
        }
        if let c = haCheck, let path = c.httpPath {
            back += "  option  httpchk GET \(path)\n"
            if let t = c.timeout { back += "  timeout check \(seconds(t))s\n" }
        }
        for sv in servers {
            back += "  server \(sv.name) \(sv.address):\(sv.port)"
            if let c = sv.check { back += " check inter \(seconds(c.inter))s fall \(c.fall)" }
            back += "\n"
        }
        s.back = back
        if mode == "http" {
            for v in p.vhosts {
                let acl = "host_" + String(v.map { $0.isLetter || $0.isNumber ? $0 : "_" })
                s.vhostACLs += "  acl \(acl) hdr(host) -i \(v)\n"
                s.vhostRoutes += "  use_backend \(name) if \(acl)\n"
            }
        }
        return s
    }

    /// The file from the services of every app, in the order given (apps, then ports): sorted by
    /// (app id, service port), the head, the vhost frontend, the frontends, then the backends.
    static func assemble(_ services: [MarathonLBService]) -> HAProxyConfiguration {
        // the same comparison over the same sequence as one pass over the apps: the same order
        let sorted = services.sorted { $0.appId != $1.appId ? $0.appId < $1.appId : $0.servicePort < $1.servicePort }
        var cfg = HAProxyConfiguration()
        var text = head
        var fronts = "", backs = "", vhostACLs = "", vhostRoutes = ""
        for s in sorted {
            guard let backend = s.backend, var frontend = s.frontend else { continue }
            frontend.backend = cfg.backends.count
            cfg.backends.append(backend)
            cfg.frontends.append(frontend)
            fronts += s.front; backs += s.back; vhostACLs += s.vhostACLs; vhostRoutes += s.vhostRoutes
        }
        text += "\nfrontend marathon_http_in\n  bind *:80\n  mode http\n" + vhostACLs + vhostRoutes
        text += fronts + backs
        cfg.text = text
        return cfg
    }

    /// marathon-lb's get_health_check: the app's first health check for port index `i`
    /// (a check without portIndex or port is for port 0); COMMAND checks have no port.
    static func healthCheck(_ app: AppDefinition, port i: Int) -> HealthCheck? {
        app.healthChecks.first { $0.protocol.usesPort && ($0.portIndex ?? 0) == i }
    }

    /// marathon-lb: `re.sub(r'[^a-zA-Z0-9\-]', '_', host + '_' + port)`.
    static func serverName(_ host: String, _ port: Int) -> String {
        let raw = host + "_\(port)"
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
