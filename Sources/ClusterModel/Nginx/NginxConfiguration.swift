import SimKernel

// What the request path needs from an nginx configuration, read from its text the way nginx's
// modules read their directives: ngx_http_upstream_module (`upstream`, `server` and its
// parameters, `least_conn`, `ip_hash`, `random`, `hash`), ngx_http_core_module (`server`,
// `listen`, `location`) and ngx_http_proxy_module (`proxy_pass`, `proxy_*_timeout`,
// `proxy_next_upstream*`). proxy_* directives at http and server level are inherited by the
// locations that do not set them (the merge functions of each module). Everything else is kept
// out of the model but must still be syntactically valid.

/// An upstream `server` line before its address is matched to a service instance.
public struct NginxUpstreamServer: Equatable, Sendable {
    public var address: String
    public var port: Int
    public var weight = 1
    public var maxFails = 1
    public var failTimeout = SimDuration.seconds(10)
    public var backup = false
    public var down = false
}

public struct NginxUpstreamBlock: Equatable, Sendable {
    public var name: String
    public var method: UpstreamMethod
    public var servers: [NginxUpstreamServer]
}

/// A `location` with `proxy_pass http://UPSTREAM`, with its settings after inheritance.
public struct NginxLocation: Equatable, Sendable {
    public var prefix: String
    public var upstream: String
    public var route: ProxyRoute
}

/// The parts of a configuration the simulator uses.
public struct NginxConfiguration: Equatable, Sendable {
    public var upstreams: [NginxUpstreamBlock] = []
    /// The default server's locations (the first `server` block, or the one with `default_server`).
    public var locations: [NginxLocation] = []
    public var servers = 0

    /// Parses the text of a whole nginx.conf (with an `http` block) or of a file included inside
    /// `http { }` (the usual /etc/nginx/conf.d/*.conf that consul-template writes).
    public static func parse(_ text: String) throws(NginxConfigError) -> NginxConfiguration {
        try build(NginxConfigText.parse(text))
    }

    /// The configuration of parsed directives. `known`, by index in `top` (used only without an
    /// `http` block): an upstream block already read from that very directive (`NginxParseCache`).
    static func build(_ top: [NginxDirective], known: [NginxUpstreamBlock?]? = nil) throws(NginxConfigError) -> NginxConfiguration {
        let http: [NginxDirective]
        var known = known
        if let h = top.first(where: { $0.name == "http" }) {
            guard let b = h.block else { throw NginxConfigError(line: h.line, "directive \"http\" has no opening \"{\"") }
            http = b
            known = nil
        } else {
            http = top
        }
        var c = NginxConfiguration()
        var inherited = ProxySettings()
        for d in http where d.name.hasPrefix("proxy_") { try inherited.apply(d) }
        // each upstream's index by name: duplicates and proxy_pass targets found without a scan
        var names: [String: Int] = [:]
        for (i, d) in http.enumerated() where d.name == "upstream" {
            if let u = known?[i], names[u.name] == nil {
                names[u.name] = c.upstreams.count
                c.upstreams.append(u)
            } else {
                try c.readUpstream(d, names: &names)
            }
        }
        var defaultServer: [NginxLocation]? = nil
        var firstServer: [NginxLocation]? = nil
        for d in http where d.name == "server" {
            guard let block = d.block else { throw NginxConfigError(line: d.line, "directive \"server\" has no opening \"{\"") }
            c.servers += 1
            var s = inherited
            for x in block where x.name.hasPrefix("proxy_") { try s.apply(x) }
            var locs: [NginxLocation] = []
            var prefixes: Set<String> = []
            var isDefault = false
            for x in block {
                if x.name == "listen" {
                    guard !x.args.isEmpty else { throw NginxConfigError(line: x.line, "invalid number of arguments in \"listen\" directive") }
                    if x.args.contains("default_server") || x.args.contains("default") { isDefault = true }
                } else if x.name == "location" {
                    try c.readLocation(x, settings: s, names: names, prefixes: &prefixes, into: &locs)
                }
            }
            if firstServer == nil { firstServer = locs }
            if isDefault && defaultServer == nil { defaultServer = locs }
        }
        // longest prefix first (nginx matches the longest); equal lengths keep file order
        c.locations = (defaultServer ?? firstServer ?? []).enumerated()
            .sorted { ($0.element.prefix.utf8.count, $1.offset) > ($1.element.prefix.utf8.count, $0.offset) }.map(\.element)
        return c
    }

    mutating func readUpstream(_ d: NginxDirective, names: inout [String: Int]) throws(NginxConfigError) {
        guard d.args.count == 1 else { throw NginxConfigError(line: d.line, "invalid number of arguments in \"upstream\" directive") }
        guard let block = d.block else { throw NginxConfigError(line: d.line, "directive \"upstream\" has no opening \"{\"") }
        let name = d.args[0]
        if names[name] != nil { throw NginxConfigError(line: d.line, "duplicate upstream \"\(name)\"") }
        var u = NginxUpstreamBlock(name: name, method: .roundRobin, servers: [])
        for x in block {
            switch x.name {
            case "server": u.servers.append(try Self.readServer(x))
            case "least_conn": u.method = .leastConn
            case "ip_hash": u.method = .ipHash
            // `hash KEY [consistent]` picks a server from a key of the request as ip_hash does from
            // the client address: the simulator models both as a stable choice per client.
            case "hash": u.method = .ipHash
            case "random": u.method = .random
            default: break  // keepalive, zone, ...: not modelled
            }
        }
        guard !u.servers.isEmpty else { throw NginxConfigError(line: d.line, "no servers are inside upstream") }
        if u.method != .roundRobin && u.method != .leastConn, let b = block.first(where: { $0.name == "server" && $0.args.contains("backup") }) {
            throw NginxConfigError(line: b.line, "invalid parameter \"backup\": the balancing method \(u.method.rawValue) does not support it")
        }
        names[name] = upstreams.count
        upstreams.append(u)
    }

    static func readServer(_ x: NginxDirective) throws(NginxConfigError) -> NginxUpstreamServer {
        guard let a = x.args.first else { throw NginxConfigError(line: x.line, "invalid number of arguments in \"server\" directive") }
        guard let (host, port) = hostPort(a, defaultPort: 80) else { throw NginxConfigError(line: x.line, "invalid port in upstream \"\(a)\"") }
        var s = NginxUpstreamServer(address: host, port: port)
        for p in x.args.dropFirst() {
            func value(_ key: String) -> String? { p.hasPrefix(key + "=") ? String(p.dropFirst(key.count + 1)) : nil }
            if let v = value("weight") {
                guard let n = Int(v), n >= 1 else { throw NginxConfigError(line: x.line, "invalid parameter \"\(p)\"") }
                s.weight = n
            } else if let v = value("max_fails") {
                guard let n = Int(v), n >= 0 else { throw NginxConfigError(line: x.line, "invalid parameter \"\(p)\"") }
                s.maxFails = n
            } else if let v = value("fail_timeout") {
                guard let t = NginxConfigText.time(v, seconds: true) else { throw NginxConfigError(line: x.line, "invalid parameter \"\(p)\"") }
                s.failTimeout = t
            } else if p == "backup" {
                s.backup = true
            } else if p == "down" {
                s.down = true
            } else if let v = value("max_conns") {
                guard Int(v).map({ $0 >= 0 }) == true else { throw NginxConfigError(line: x.line, "invalid parameter \"\(p)\"") }
            } else {
                throw NginxConfigError(line: x.line, "invalid parameter \"\(p)\"")
            }
        }
        return s
    }

    /// "10.0.0.3:31000" -> ("10.0.0.3", 31000); no port: `defaultPort`; nil: bad port.
    static func hostPort(_ a: String, defaultPort: Int) -> (String, Int)? {
        if a.hasPrefix("unix:") { return (a, 0) }
        guard let colon = a.lastIndex(of: ":") else { return a.isEmpty ? nil : (a, defaultPort) }
        let host = String(a[..<colon])
        guard !host.isEmpty, let p = Int(a[a.index(after: colon)...]), p >= 1, p <= 65535 else { return nil }
        return (host, p)
    }

    mutating func readLocation(_ x: NginxDirective, settings: ProxySettings, names: [String: Int], prefixes: inout Set<String>,
                               into out: inout [NginxLocation]) throws(NginxConfigError) {
        guard let block = x.block else { throw NginxConfigError(line: x.line, "directive \"location\" has no opening \"{\"") }
        guard let prefix = x.args.last, x.args.count == 1 || (x.args.count == 2 && ["=", "^~"].contains(x.args[0])) else {
            // regex locations (~, ~*) are valid nginx but not matched by the model: ignored.
            if x.args.count == 2 { return }
            throw NginxConfigError(line: x.line, "invalid number of arguments in \"location\" directive")
        }
        var s = settings
        for d in block where d.name.hasPrefix("proxy_") { try s.apply(d) }
        guard let pass = block.first(where: { $0.name == "proxy_pass" }) else { return }
        guard pass.args.count == 1 else { throw NginxConfigError(line: pass.line, "invalid number of arguments in \"proxy_pass\" directive") }
        var target = pass.args[0]
        guard target.hasPrefix("http://") || target.hasPrefix("https://") else { throw NginxConfigError(line: pass.line, "invalid URL prefix in \"\(target)\"") }
        target = String(target.drop { $0 != "/" }.dropFirst(2))
        if let slash = target.firstIndex(of: "/") { target = String(target[..<slash]) }
        guard let up = names[target] else {
            // a fixed address, localhost or a variable (resolved per request): not a balanced upstream
            if target.contains(":") || target.contains(".") || target.contains("$") || target == "localhost" { return }
            throw NginxConfigError(line: pass.line, "host not found in upstream \"\(target)\"")
        }
        if !prefixes.insert(prefix).inserted { throw NginxConfigError(line: x.line, "duplicate location \"\(prefix)\"") }
        var r = s.route
        r.location = prefix
        r.upstream = up
        out.append(NginxLocation(prefix: prefix, upstream: target, route: r))
    }
}

/// The proxy_* settings in force at a level (http, server, location).
struct ProxySettings {
    var route = ProxyRoute(location: "/", upstream: 0)

    mutating func apply(_ d: NginxDirective) throws(NginxConfigError) {
        func one() throws(NginxConfigError) -> String {
            guard d.args.count == 1 else { throw NginxConfigError(line: d.line, "invalid number of arguments in \"\(d.name)\" directive") }
            return d.args[0]
        }
        func time() throws(NginxConfigError) -> SimDuration {
            let v = try one()
            guard let t = NginxConfigText.time(v) else { throw NginxConfigError(line: d.line, "\"\(d.name)\" directive invalid value") }
            return t
        }
        switch d.name {
        case "proxy_connect_timeout": route.connectTimeout = try time()
        case "proxy_read_timeout": route.readTimeout = try time()
        case "proxy_send_timeout": route.sendTimeout = try time()
        case "proxy_next_upstream_timeout": route.nextUpstreamTimeout = try time()
        case "proxy_next_upstream_tries":
            guard let n = Int(try one()), n >= 0 else { throw NginxConfigError(line: d.line, "\"\(d.name)\" directive invalid value") }
            route.nextUpstreamTries = n
        case "proxy_next_upstream":
            guard !d.args.isEmpty else { throw NginxConfigError(line: d.line, "invalid number of arguments in \"proxy_next_upstream\" directive") }
            var set: NextUpstream = []
            for a in d.args {
                switch a {
                case "error": set.insert(.error)
                case "timeout": set.insert(.timeout)
                case "http_500": set.insert(.http500)
                case "http_502": set.insert(.http502)
                case "http_503": set.insert(.http503)
                case "http_504": set.insert(.http504)
                case "non_idempotent": set.insert(.nonIdempotent)
                case "off": set = []
                case "invalid_header", "http_403", "http_404", "http_429", "updating": break
                default: throw NginxConfigError(line: d.line, "invalid value \"\(a)\"")
                }
            }
            if d.args.contains("off") && d.args.count > 1 { throw NginxConfigError(line: d.line, "invalid value \"off\"") }
            route.nextUpstream = set
        default: break
        }
    }
}
