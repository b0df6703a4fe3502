import ClusterModel

// Every flag the alertmanager binary of v0.25.0 loads, read from prometheus/alertmanager
// cmd/alertmanager/main.go@v0.25.0 (`kingpin.Flag`: name, type, Default; the cluster defaults are
// cluster/cluster.go@v0.25.0 `Default*`), prometheus/exporter-toolkit web/kingpinflag/flag.go@v0.8.2
// (`--web.listen-address`, repeatable, default ":9093"; `--web.config.file`; on Linux
// `--web.systemd-socket`), prometheus/common promlog/flag/flag.go@v0.38.0 (`--log.level`,
// `--log.format`) and kingpin's `--help` (`-h`) and `--version`. docs/alertmanager.md "Every flag".

extension ScenarioSchema {
    static let alertmanagerFlagTable: [KingpinFlagInfo] = [
        KingpinFlagInfo("help", .bool, "false"),
        KingpinFlagInfo("version", .bool, "false"),
        KingpinFlagInfo("config.file", .string, "alertmanager.yml"),
        KingpinFlagInfo("storage.path", .string, "data/"),
        KingpinFlagInfo("data.retention", .goDuration, "120h"),
        KingpinFlagInfo("data.maintenance-interval", .goDuration, "15m"),
        KingpinFlagInfo("alerts.gc-interval", .goDuration, "30m"),
        KingpinFlagInfo("web.systemd-socket", .bool, "false"),
        KingpinFlagInfo("web.listen-address", .strings, ":9093"),
        KingpinFlagInfo("web.config.file", .string, ""),
        KingpinFlagInfo("web.external-url", .string, ""),
        KingpinFlagInfo("web.route-prefix", .string, ""),
        KingpinFlagInfo("web.get-concurrency", .int, "0"),
        KingpinFlagInfo("web.timeout", .goDuration, "0"),
        KingpinFlagInfo("cluster.listen-address", .string, "0.0.0.0:9094"),
        KingpinFlagInfo("cluster.advertise-address", .string, ""),
        KingpinFlagInfo("cluster.peer", .strings, ""),
        KingpinFlagInfo("cluster.peer-timeout", .goDuration, "15s"),
        KingpinFlagInfo("cluster.gossip-interval", .goDuration, "200ms"),
        KingpinFlagInfo("cluster.pushpull-interval", .goDuration, "1m0s"),
        KingpinFlagInfo("cluster.tcp-timeout", .goDuration, "10s"),
        KingpinFlagInfo("cluster.probe-timeout", .goDuration, "500ms"),
        KingpinFlagInfo("cluster.probe-interval", .goDuration, "1s"),
        KingpinFlagInfo("cluster.settle-timeout", .goDuration, "1m0s"),
        KingpinFlagInfo("cluster.reconnect-interval", .goDuration, "10s"),
        KingpinFlagInfo("cluster.reconnect-timeout", .goDuration, "6h0m0s"),
        KingpinFlagInfo("cluster.tls-config", .string, ""),
        KingpinFlagInfo("cluster.allow-insecure-public-advertise-address-discovery", .bool, "false"),
        KingpinFlagInfo("log.level", .logLevel, "info"),
        KingpinFlagInfo("log.format", .logFormat, "logfmt"),
    ]

    /// What cmd/alertmanager/main.go@v0.25.0 `run` checks after kingpin's parse, where it is cheap
    /// and exact: the cluster's listen and advertise addresses (cluster.Create: host:port with a
    /// numeric port), the external URL (`extURL`: an http or https URL, or without it the first
    /// listen address' port). Each is an error the binary exits with (status 1).
    static func alertmanagerFlagChecks(_ given: [(info: KingpinFlagInfo, member: JSONMember)], path: String, at v: JSONValue, _ d: Diagnostics) {
        func member(_ name: String) -> JSONMember? { given.first { $0.info.name == name }?.member }
        func p(_ m: JSONMember) -> String { JSONPath.key(path, m.key) }
        for (flag, what) in [("cluster.listen-address", "invalid listen address"), ("cluster.advertise-address", "invalid advertise address")] {
            guard let m = member(flag), let s = m.value.stringValue, !s.isEmpty else { continue }
            switch KingpinParse.splitHostPort(s) {
            case .failure(let e):
                d.error(p(m), at: m.value, "unable to initialize gossip mesh: \(what): \(e.message) (alertmanager exits)")
            case .success(let hp):
                if Int(hp.port) == nil {
                    d.error(p(m), at: m.value, "unable to initialize gossip mesh: address \(s): invalid port: strconv.Atoi: parsing \(JSONValue.quote(hp.port)): invalid syntax (alertmanager exits)")
                }
            }
        }
        if let m = member("web.external-url"), let u = m.value.stringValue, !u.isEmpty {
            // url.Parse's scheme: letters, digits, + - . after a first letter, before the first ':'
            var scheme = ""
            if let colon = u.firstIndex(of: ":") {
                let s = u[..<colon]
                if let f = s.first, f.isASCII, f.isLetter, s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) { scheme = String(s) }
            }
            if scheme != "http" && scheme != "https" {
                d.error(p(m), at: m.value, "failed to determine external URL: \(JSONValue.quote(u)): invalid \(JSONValue.quote(scheme)) scheme, only 'http' and 'https' are supported (alertmanager exits)")
            }
        } else {
            let listen = member("web.listen-address")
            let address = listen.flatMap { kingpinStrings($0.value)?.first } ?? ":9093"
            if case .failure(let e) = KingpinParse.splitHostPort(address) {
                d.error(listen.map(p) ?? path, at: listen?.value ?? v, "failed to determine external URL: \(e.message) (alertmanager exits; without --web.external-url it is built from the first --web.listen-address' port)")
            }
        }
    }
}
