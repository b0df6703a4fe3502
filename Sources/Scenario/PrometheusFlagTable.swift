import ClusterModel

// Every flag the prometheus binary of v2.42.0 loads, read from prometheus/prometheus
// cmd/prometheus/main.go@v2.42.0 (`a.Flag`, `serverOnlyFlag`, `agentOnlyFlag`: name, type, Default,
// Hidden), prometheus/common promlog/flag/flag.go@v0.39.0 (`--log.level`, `--log.format`, the
// version go.mod requires) and kingpin's own `--help` (`-h`) and `--version` (a.Version). At 2.42.0
// `--web.config.file` is declared in main.go itself. docs/monitoring.md "Every flag".

extension ScenarioSchema {
    static let prometheusFlagTable: [KingpinFlagInfo] = [
        KingpinFlagInfo("help", .bool, "false"),
        KingpinFlagInfo("version", .bool, "false"),
        KingpinFlagInfo("config.file", .string, "prometheus.yml"),
        KingpinFlagInfo("web.listen-address", .string, "0.0.0.0:9090"),
        KingpinFlagInfo("web.config.file", .string, ""),
        KingpinFlagInfo("web.read-timeout", .modelDuration, "5m"),
        KingpinFlagInfo("web.max-connections", .int, "512"),
        KingpinFlagInfo("web.external-url", .string, ""),
        KingpinFlagInfo("web.route-prefix", .string, ""),
        KingpinFlagInfo("web.user-assets", .string, ""),
        KingpinFlagInfo("web.enable-lifecycle", .bool, "false"),
        KingpinFlagInfo("web.enable-admin-api", .bool, "false"),
        KingpinFlagInfo("web.enable-remote-write-receiver", .bool, "false"),
        KingpinFlagInfo("web.console.templates", .string, "consoles"),
        KingpinFlagInfo("web.console.libraries", .string, "console_libraries"),
        KingpinFlagInfo("web.page-title", .string, "Prometheus Time Series Collection and Processing Server"),
        KingpinFlagInfo("web.cors.origin", .string, ".*"),
        KingpinFlagInfo("storage.tsdb.path", .string, "data/", scope: .server),
        KingpinFlagInfo("storage.tsdb.min-block-duration", .modelDuration, "2h", hidden: true, scope: .server),
        KingpinFlagInfo("storage.tsdb.max-block-duration", .modelDuration, "", hidden: true, scope: .server),
        KingpinFlagInfo("storage.tsdb.max-block-chunk-segment-size", .bytes, "", hidden: true, scope: .server),
        KingpinFlagInfo("storage.tsdb.wal-segment-size", .bytes, "", hidden: true, scope: .server),
        KingpinFlagInfo("storage.tsdb.retention", .modelDuration, "", scope: .server),
        KingpinFlagInfo("storage.tsdb.retention.time", .modelDuration, "", scope: .server),
        KingpinFlagInfo("storage.tsdb.retention.size", .bytes, "", scope: .server),
        KingpinFlagInfo("storage.tsdb.no-lockfile", .bool, "false", scope: .server),
        KingpinFlagInfo("storage.tsdb.allow-overlapping-blocks", .bool, "true", hidden: true, scope: .server),
        KingpinFlagInfo("storage.tsdb.wal-compression", .bool, "true", hidden: true, scope: .server),
        KingpinFlagInfo("storage.tsdb.head-chunks-write-queue-size", .int, "0", scope: .server),
        KingpinFlagInfo("storage.agent.path", .string, "data-agent/", scope: .agent),
        KingpinFlagInfo("storage.agent.wal-segment-size", .bytes, "", hidden: true, scope: .agent),
        KingpinFlagInfo("storage.agent.wal-compression", .bool, "true", scope: .agent),
        KingpinFlagInfo("storage.agent.wal-truncate-frequency", .modelDuration, "", hidden: true, scope: .agent),
        KingpinFlagInfo("storage.agent.retention.min-time", .modelDuration, "", scope: .agent),
        KingpinFlagInfo("storage.agent.retention.max-time", .modelDuration, "", scope: .agent),
        KingpinFlagInfo("storage.agent.no-lockfile", .bool, "false", scope: .agent),
        KingpinFlagInfo("storage.remote.flush-deadline", .modelDuration, "1m"),
        KingpinFlagInfo("storage.remote.read-sample-limit", .int, "5e7", scope: .server),
        KingpinFlagInfo("storage.remote.read-concurrent-limit", .int, "10", scope: .server),
        KingpinFlagInfo("storage.remote.read-max-bytes-in-frame", .int, "1048576", scope: .server),
        KingpinFlagInfo("rules.alert.for-outage-tolerance", .modelDuration, "1h", scope: .server),
        KingpinFlagInfo("rules.alert.for-grace-period", .modelDuration, "10m", scope: .server),
        KingpinFlagInfo("rules.alert.resend-delay", .modelDuration, "1m", scope: .server),
        KingpinFlagInfo("scrape.adjust-timestamps", .bool, "true", hidden: true),
        KingpinFlagInfo("scrape.timestamp-tolerance", .goDuration, "2ms", hidden: true),
        KingpinFlagInfo("alertmanager.notification-queue-capacity", .int, "10000", scope: .server),
        KingpinFlagInfo("alertmanager.timeout", .string, "", hidden: true),
        KingpinFlagInfo("query.lookback-delta", .modelDuration, "5m", scope: .server),
        KingpinFlagInfo("query.timeout", .modelDuration, "2m", scope: .server),
        KingpinFlagInfo("query.max-concurrency", .int, "20", scope: .server),
        KingpinFlagInfo("query.max-samples", .int, "50000000", scope: .server),
        KingpinFlagInfo("scrape.discovery-reload-interval", .modelDuration, "5s", hidden: true),
        KingpinFlagInfo("enable-feature", .strings, ""),
        KingpinFlagInfo("log.level", .logLevel, "info"),
        KingpinFlagInfo("log.format", .logFormat, "logfmt"),
    ]

    /// The `--enable-feature` options Prometheus 2.42.0 knows (main.go `setFeatureListOptions`).
    static let prometheusFeatures = ["agent", "auto-gomaxprocs", "exemplar-storage", "expand-external-labels", "extra-scrape-metrics",
                                     "memory-snapshot-on-shutdown", "native-histograms", "new-service-discovery-manager",
                                     "no-default-scrape-port", "promql-at-modifier", "promql-negative-offset",
                                     "promql-per-step-stats", "remote-write-receiver"]

    /// What cmd/prometheus/main.go@v2.42.0 checks and logs after kingpin's parse, where it is cheap
    /// and exact: `--enable-feature` options (its warnings; agent mode is refused: the simulator
    /// models a server), agent-only flags without agent mode (exit 3), the external URL
    /// (`computeExternalURL`: quotes, else the listen address' port), the CORS regex, the
    /// deprecated `--storage.tsdb.retention` and `--alertmanager.timeout` (their warnings).
    static func prometheusFlagChecks(_ given: [(info: KingpinFlagInfo, member: JSONMember)], path: String, at v: JSONValue, _ d: Diagnostics) {
        func member(_ name: String) -> JSONMember? { given.first { $0.info.name == name }?.member }
        func string(_ name: String) -> String? { member(name)?.value.stringValue }
        func p(_ m: JSONMember) -> String { JSONPath.key(path, m.key) }
        if let m = member("enable-feature"), let values = kingpinStrings(m.value) {
            var unknown: [String] = [], noop: [String] = []
            for o in values.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }) {
                switch o {
                case "": continue
                case "agent":
                    d.error(p(m), at: m.value, "--enable-feature=agent runs Prometheus in agent mode (no rules, no alerts, no local queries); the simulator models the server only: remove it")
                    return
                case "promql-at-modifier", "promql-negative-offset": noop.append(o)
                case "remote-write-receiver":
                    d.warning(p(m), at: m.value, "Remote write receiver enabled via feature flag remote-write-receiver. This is DEPRECATED. Use --web.enable-remote-write-receiver. (Prometheus' warning)")
                default: if !prometheusFeatures.contains(o) { unknown.append(o) }
                }
            }
            for o in noop { d.warning(p(m), at: m.value, "This option for --enable-feature is now permanently enabled and therefore a no-op: \(o) (Prometheus' warning)") }
            for o in unknown { d.warning(p(m), at: m.value, "Unknown option for --enable-feature: \(JSONValue.quote(o)) (Prometheus' warning; it starts without it)\(Suggest.didYouMean(o, among: prometheusFeatures))") }
        }
        let agentOnly = given.filter { $0.info.scope == .agent }
        if let first = agentOnly.first {
            d.error(p(first.member), location: first.member.keyLocation ?? first.member.value.location,
                    "The following flag(s) can only be used in agent mode: [\(agentOnly.map { JSONValue.quote("--" + $0.info.name) }.joined(separator: " "))] (prometheus exits with status 3; agent mode is --enable-feature=agent, which the simulator does not model)")
        }
        if let m = member("web.external-url"), let u = m.value.stringValue, !u.isEmpty {
            if u.hasPrefix("\"") || u.hasPrefix("'") || u.hasSuffix("\"") || u.hasSuffix("'") {
                d.error(p(m), at: m.value, "parse external URL \(JSONValue.quote(u)): URL must not begin or end with quotes (prometheus exits)")
            }
        } else {
            let listen = member("web.listen-address")
            let address = listen?.value.stringValue ?? "0.0.0.0:9090"
            if case .failure(let e) = KingpinParse.splitHostPort(address) {
                d.error(listen.map(p) ?? path, at: listen?.value ?? v, "parse external URL \"\": \(e.message) (prometheus exits; without --web.external-url it is built from the listen address' port)")
            }
        }
        if let m = member("web.cors.origin"), let s = m.value.stringValue {
            do { _ = try LabelMatcher("origin", .regexMatch, s) } catch {
                d.error(p(m), at: m.value, "could not compile CORS regex string \(JSONValue.quote(s)): \((error as? LabelMatcherError)?.reason ?? "") (prometheus exits)")
            }
        }
        if let m = member("storage.tsdb.retention"), let s = m.value.stringValue, case .success(let x) = KingpinParse.modelDuration(s), x > .zero {
            d.warning(p(m), at: m.value, "'storage.tsdb.retention' flag is deprecated use 'storage.tsdb.retention.time' instead. (Prometheus' warning)")
        }
        if let m = member("alertmanager.timeout"), let s = m.value.stringValue, !s.isEmpty {
            d.warning(p(m), at: m.value, "The flag --alertmanager.timeout has no effect and will be removed in the future. (Prometheus' warning)")
        }
    }
}
