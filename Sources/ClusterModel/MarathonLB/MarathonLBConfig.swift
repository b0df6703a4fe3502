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
        struct Service { let app: Int; let appId: String; let def: AppDefinition; let port: MarathonLBPort; let tasks: [MarathonLBTask] }
        var services: [Service] = []
        for a in apps {
            let ports = MarathonLBLabels.parse(a.app).ports
            for p in ports where selects(p, group: group, strictMode: strictMode) {
                services.append(Service(app: a.index, appId: a.app.id, def: a.app, port: p, tasks: a.tasks))
            }
        }
        services.sort { $0.appId != $1.appId ? $0.appId < $1.appId : $0.port.servicePort < $1.port.servicePort }
        var cfg = HAProxyConfiguration()
        var text = head
        var fronts = "", backs = "", vhostACLs = "", vhostRoutes = ""
        for s in services {
            let check = healthCheck(s.def, port: s.port.index)
            let mode = s.port.mode ?? (check?.protocol.isHTTP == true ? "http" : "tcp")
            let haCheck = check.map { c in
                HAProxyCheck(inter: c.interval, fall: c.maxConsecutiveFailures + 1, timeout: c.protocol.isHTTP ? c.timeout : nil,
                             httpPath: c.protocol.isHTTP ? (c.path ?? "/") : nil)
            }
            var servers: [HAProxyServer] = []
            for t in s.tasks where s.port.index < t.ports.count {
                let port = t.ports[s.port.index]
                servers.append(HAProxyServer(name: serverName(hostName(t.host), port), address: Host.address(ofIndex: t.host), port: port,
                                             instance: ServiceInstance(task: t.task, host: t.host, port: port), check: haCheck))
            }
            guard !servers.isEmpty else { continue }
            servers.sort { $0.name < $1.name }
            let name = String(s.appId.drop { $0 == "/" }.map { $0 == "/" ? "_" : $0 }) + "_\(s.port.servicePort)"
            let b = cfg.backends.count
            cfg.backends.append(HAProxyBackend(name: name, app: s.app, portIndex: s.port.index, mode: mode, balance: s.port.balance, servers: servers))
            cfg.frontends.append(HAProxyFrontend(name: name, bindPort: s.port.servicePort, mode: mode, backend: b, vhosts: s.port.vhosts))
            fronts += "\nfrontend \(name)\n  bind *:\(s.port.servicePort)\n  mode \(mode)\n  use_backend \(name)\n"
            backs += "\nbackend \(name)\n  balance \(s.port.balance.rawValue)\n  mode \(mode)\n"
            if mode == "http" {
                backs += "  option forwardfor\n  http-request set-header X-Forwarded-Port %[dst_port]\n  http-request add-header X-Forwarded-Proto https if { ssl_fc }\n"
            }
            if let c = haCheck, let path = c.httpPath {
                backs += "  option  httpchk GET \(path)\n"
                if let t = c.timeout { backs += "  timeout check \(seconds(t))s\n" }
            }
            for sv in servers {
                backs += "  server \(sv.name) \(sv.address):\(sv.port)"
                if let c = sv.check { backs += " check inter \(seconds(c.inter))s fall \(c.fall)" }
                backs += "\n"
            }
            if mode == "http" {
                for v in s.port.vhosts {
                    let acl = "host_" + String(v.map { $0.isLetter || $0.isNumber ? $0 : "_" })
                    vhostACLs += "  acl \(acl) hdr(host) -i \(v)\n"
                    vhostRoutes += "  use_backend \(name) if \(acl)\n"
                }
            }
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
