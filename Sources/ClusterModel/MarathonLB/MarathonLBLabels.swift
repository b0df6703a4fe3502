import SimKernel

// marathon-lb's HAPROXY_* app labels (marathon-lb v1.5–1.11, marathon_lb.py get_apps / config.py
// label_keys): what each port of an app is served as. The decoder reports the errors with the
// label's path; the generator reads the parsed values.

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
                if v == "http" || v == "tcp" { port.mode = v } else {
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
            ports.append(port)
        }
        return (ports, problems)
    }

    /// marathon-lb's utils.py get_bool: "true", "t", "yes", "y", "1" (any case) are true.
    static func isTrue(_ v: String) -> Bool { ["true", "t", "yes", "y", "1"].contains(v.lowercased()) }

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
