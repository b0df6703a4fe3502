import SimKernel

// marathon-lb's HAPROXY_* app labels (marathon-lb v1.11.0, marathon_lb.py get_apps / config.py
// `labels`, `label_keys` and the set_* functions): what each port of an app is served as. get_apps
// applies the setters in the order of the label names (config.py sorts `labels` by name), so
// HAPROXY_{n}_PATH, read after HAPROXY_{n}_BACKEND_WEIGHT, raises a weight of 0 to 1. The decoder
// reports the errors with the label's path; the generator reads the parsed values.

/// One port of an app as marathon-lb serves it.
public struct MarathonLBPort: Equatable, Sendable {
    public var index: Int
    public var servicePort: Int
    /// HAPROXY_{n}_MODE; nil: http with an HTTP health check for the port, else tcp.
    public var mode: String?
    public var balance: HAProxyBalance
    public var vhosts: [String]
    /// HAPROXY_{n}_ENABLED; nil: served unless `--strict-mode` (MarathonService: enabled = not strict_mode).
    public var enabled: Bool?
    /// HAPROXY_{n}_GROUP, else the app's HAPROXY_GROUP (comma-separated).
    public var groups: [String]
    /// HAPROXY_{n}_PATH (set_path: `path_beg` patterns, only with a VHOST).
    public var path: String? = nil
    /// HAPROXY_{n}_STICKY, _REDIRECT_TO_HTTPS, _USE_HSTS (config.py string_to_bool).
    public var sticky = false
    public var redirectToHTTPS = false
    public var useHSTS = false
    public var sslCert: String? = nil
    public var bindOptions: String? = nil
    /// HAPROXY_{n}_BIND_ADDR; marathon-lb's default `*`.
    public var bindAddr = "*"
    /// HAPROXY_{n}_BACKEND_WEIGHT: order of the vhost ACLs (largest first); PATH raises 0 to 1.
    public var backendWeight = 0
    public var proxyPath: String? = nil
    public var revProxyPath: String? = nil
    public var redirPath: String? = nil
    /// HAPROXY_{n}_AUTH `realm:user:encrypted password`.
    public var auth: (realm: String, user: String, passwd: String)? = nil
    /// HAPROXY_{n}_BACKEND_NETWORK_ALLOWED_ACL: space-separated addresses or ranges.
    public var networkAllowed: String? = nil
    /// Per-app template overrides, `HAPROXY_{n}_<TEMPLATE>` by template name (config.py set_label).
    public var templates: [String: String] = [:]
    /// HAPROXY_{n}_BACKEND_HEALTHCHECK_PORT_INDEX: the health check (and the servers' check port)
    /// of another port of the app (get_apps, get_backend_port).
    public var healthCheckPortIndex: Int? = nil

    public static func == (a: MarathonLBPort, b: MarathonLBPort) -> Bool {
        a.index == b.index && a.servicePort == b.servicePort && a.mode == b.mode && a.balance == b.balance && a.vhosts == b.vhosts
            && a.enabled == b.enabled && a.groups == b.groups && a.path == b.path && a.sticky == b.sticky
            && a.redirectToHTTPS == b.redirectToHTTPS && a.useHSTS == b.useHSTS && a.sslCert == b.sslCert && a.bindOptions == b.bindOptions
            && a.bindAddr == b.bindAddr && a.backendWeight == b.backendWeight && a.proxyPath == b.proxyPath
            && a.revProxyPath == b.revProxyPath && a.redirPath == b.redirPath && a.auth?.realm == b.auth?.realm
            && a.auth?.user == b.auth?.user && a.auth?.passwd == b.auth?.passwd && a.networkAllowed == b.networkAllowed
            && a.templates == b.templates && a.healthCheckPortIndex == b.healthCheckPortIndex
    }
}

public struct MarathonLBLabelProblem: Equatable, Sendable {
    public var label: String
    public var message: String
}

public enum MarathonLBLabels {
    /// The ports of `app` with their label settings, and the labels marathon-lb or HAProxy refuse.
    public static func parse(_ app: AppDefinition) -> (ports: [MarathonLBPort], problems: [MarathonLBLabelProblem]) {
        var problems: [MarathonLBLabelProblem] = []
        let appGroups = app.label("HAPROXY_GROUP").map(splitList) ?? []
        var ports: [MarathonLBPort] = []
        for (n, p) in app.ports.enumerated() {
            var port = MarathonLBPort(index: n, servicePort: p.servicePort, mode: nil, balance: .roundRobin, vhosts: [], enabled: nil, groups: appGroups)
            if let v = app.label("HAPROXY_\(n)_PORT") {
                // marathon-lb: int(value); HAProxy binds 1..65535
                if let x = parseInt(v), (1...65535).contains(x) { port.servicePort = x } else {
                    problems.append(.init(label: "HAPROXY_\(n)_PORT", message: "expected a port number 1..65535 (marathon-lb reads it with int()), got \(quote(v))"))
                }
            }
            if let v = app.label("HAPROXY_\(n)_MODE") {
                // set_mode: v.lower()
                if v.lowercased() == "http" || v.lowercased() == "tcp" { port.mode = v.lowercased() } else {
                    problems.append(.init(label: "HAPROXY_\(n)_MODE", message: "expected http or tcp (HAProxy's `mode` of a frontend and backend; haproxy -c refuses others), got \(quote(v))"))
                }
            }
            if let v = app.label("HAPROXY_\(n)_BALANCE") {
                if let b = HAProxyBalance(rawValue: v) { port.balance = b } else {
                    problems.append(.init(label: "HAPROXY_\(n)_BALANCE", message: "expected roundrobin, leastconn, source or first (HAProxy's `balance` algorithms modelled here), got \(quote(v))"))
                }
            }
            if let v = app.label("HAPROXY_\(n)_VHOST") {
                let hosts = splitList(v)
                if let bad = hosts.first(where: { !isHostName($0) }) {
                    problems.append(.init(label: "HAPROXY_\(n)_VHOST", message: "expected comma-separated host names (letters, digits, '-', '.', '*'), got \(quote(bad))"))
                } else { port.vhosts = hosts }
            }
            if let v = app.label("HAPROXY_\(n)_ENABLED") { port.enabled = isTrue(v) }
            if let v = app.label("HAPROXY_\(n)_GROUP") { port.groups = splitList(v) }
            // the labels of config.py's table that change the text (set_* in name order)
            if let v = app.label("HAPROXY_\(n)_AUTH") {
                // set_auth: x.authRealm, x.authUser, x.authPasswd = v.split(':')
                let parts = v.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                if parts.count == 3 { port.auth = (parts[0], parts[1], parts[2]) } else {
                    problems.append(.init(label: "HAPROXY_\(n)_AUTH", message: "expected realm:user:encrypted-password (marathon-lb's set_auth splits it on ':' into three and raises ValueError: "
                                          + (parts.count < 3 ? "not enough values to unpack (expected 3, got \(parts.count))" : "too many values to unpack (expected 3)") + "), got \(quote(v))"))
                }
            }
            if let v = app.label("HAPROXY_\(n)_BACKEND_NETWORK_ALLOWED_ACL") { port.networkAllowed = v }
            if let v = app.label("HAPROXY_\(n)_BACKEND_HEALTHCHECK_PORT_INDEX") {
                // set_healthcheck_port_index: int(v)
                if let x = parseInt(v), abs(x) <= 1_000_000 { port.healthCheckPortIndex = x } else {
                    problems.append(.init(label: "HAPROXY_\(n)_BACKEND_HEALTHCHECK_PORT_INDEX", message: "expected an integer -1000000..1000000 (marathon-lb reads it with int(): ValueError: invalid literal for int() with base 10), got \(quote(v))"))
                }
            }
            if let v = app.label("HAPROXY_\(n)_BACKEND_WEIGHT") {
                // set_backend_weight: int(v)
                if let x = parseInt(v), abs(x) <= 1_000_000_000 { port.backendWeight = x } else {
                    problems.append(.init(label: "HAPROXY_\(n)_BACKEND_WEIGHT", message: "expected an integer -1000000000..1000000000 (marathon-lb reads it with int(): ValueError: invalid literal for int() with base 10), got \(quote(v))"))
                }
            }
            if let v = app.label("HAPROXY_\(n)_BIND_ADDR") { port.bindAddr = v }
            if let v = app.label("HAPROXY_\(n)_BIND_OPTIONS") { port.bindOptions = v }
            if let v = app.label("HAPROXY_\(n)_HTTP_BACKEND_PROXYPASS_PATH") { port.proxyPath = v }
            if let v = app.label("HAPROXY_\(n)_HTTP_BACKEND_REDIR") { port.redirPath = v }
            if let v = app.label("HAPROXY_\(n)_HTTP_BACKEND_REVPROXY_PATH") { port.revProxyPath = v }
            if let v = app.label("HAPROXY_\(n)_PATH") {
                port.path = v
                if port.backendWeight == 0 { port.backendWeight = 1 }
            }
            if let v = app.label("HAPROXY_\(n)_REDIRECT_TO_HTTPS") { port.redirectToHTTPS = isTrue(v) }
            if let v = app.label("HAPROXY_\(n)_SSL_CERT") { port.sslCert = v }
            if let v = app.label("HAPROXY_\(n)_STICKY") { port.sticky = isTrue(v) }
            if let v = app.label("HAPROXY_\(n)_USE_HSTS") { port.useHSTS = isTrue(v) }
            let prefix = "HAPROXY_\(n)_"
            for l in app.labels where l.name.hasPrefix(prefix) {
                let name = String(l.name.dropFirst(prefix.count))
                // HTTP_BACKEND_REDIR is a value label (set_redirpath), not an override of that template
                if MarathonLBTemplates.defaults[name] != nil, !MarathonLBTemplates.valueLabels.contains(name) { port.templates[name] = l.value }
            }
            ports.append(port)
        }
        return (ports, problems)
    }

    /// marathon-lb's config.py string_to_bool: "true", "t", "yes", "y" (any case) are true.
    static func isTrue(_ v: String) -> Bool { ["true", "t", "yes", "y"].contains(v.lowercased()) }

    /// Whether marathon-lb v1.11.0 reads a label of this name (config.py's `labels` table, with
    /// `HAPROXY_{n}_` for the per-port ones; `HAPROXY_GROUP` and the blue/green deployment labels per
    /// app). An `HAPROXY_` label it does not read is ignored by it: the scenario warns.
    public static func isKnown(_ name: String) -> Bool {
        guard name.hasPrefix("HAPROXY_") else { return true }
        let rest = name.dropFirst("HAPROXY_".count)
        if MarathonLBTemplates.appLabels.contains(String(rest)) { return true }
        guard let u = rest.firstIndex(of: "_"), !rest[..<u].isEmpty, rest[..<u].allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        let label = String(rest[rest.index(after: u)...])
        return MarathonLBTemplates.valueLabels.contains(label) || MarathonLBTemplates.defaults[label] != nil
    }

    /// The names marathon-lb reads with the prefix of `name` (`HAPROXY_{n}_` or `HAPROXY_`), for a did-you-mean.
    public static func knownNames(like name: String) -> [String] {
        let rest = name.dropFirst("HAPROXY_".count)
        if let u = rest.firstIndex(of: "_"), !rest[..<u].isEmpty, rest[..<u].allSatisfy({ $0.isASCII && $0.isNumber }) {
            let prefix = "HAPROXY_" + rest[...u]
            return (MarathonLBTemplates.valueLabels.sorted() + MarathonLBTemplates.defaults.keys.sorted()).map { prefix + $0 }
        }
        return MarathonLBTemplates.appLabels.sorted().map { "HAPROXY_" + $0 }
    }

    static func splitList(_ v: String) -> [String] {
        v.split(separator: ",").map { trim(Substring($0)) }.filter { !$0.isEmpty }
    }

    /// Python's int() of a short decimal string (surrounding blanks and a sign allowed).
    static func parseInt(_ v: String) -> Int? {
        let t = trim(Substring(v))
        guard t.count <= 12 else { return nil }
        return Int(t)
    }

    static func isHostName(_ s: String) -> Bool {
        s.count <= 253 && s.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "." || $0 == "*" }
    }

    static func trim(_ v: Substring) -> String {
        var s = v
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }

    static func quote(_ s: String) -> String { "\"" + String(s.prefix(80)) + "\"" }
}
