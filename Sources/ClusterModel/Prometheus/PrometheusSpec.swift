import SimKernel

/// The `prometheus` section (issue 11): where Prometheus runs, its configuration (prometheus.yml,
/// decoded), the exporters on the hosts, its flags and what the run records for export. Defaults
/// and their sources: docs/monitoring.md (generated tables) and Sources/Scenario/PrometheusSection.swift.
public struct PrometheusSpec: Equatable, Sendable {
    /// The rule groups of every file in `rule_files`, in file order.
    public var ruleGroups: [RuleGroupSpec]
    /// Host name of the Prometheus server ("" : the first host of the first group).
    public var host: String
    /// Unix ms of simulated time 0.
    public var startMs: Int64
    public var config: PrometheusConfig
    /// Exporter placements, in `ExporterKind` order; kinds not listed run where their defaults say.
    public var exporters: [ExporterPlacement]
    public var flags: PrometheusFlags
    public var record: RecordMode

    public init(ruleGroups: [RuleGroupSpec] = [], host: String = "", startMs: Int64 = PromTime.defaultBaseMs,
                config: PrometheusConfig = PrometheusConfig(), exporters: [ExporterPlacement] = [],
                flags: PrometheusFlags = PrometheusFlags(), record: RecordMode = .none) {
        self.ruleGroups = ruleGroups; self.host = host; self.startMs = startMs; self.config = config
        self.exporters = exporters; self.flags = flags; self.record = record
    }

    /// What a run keeps for `clustersim export`.
    public enum RecordMode: String, Sendable, CaseIterable { case none, rules, all }
}

/// Where one kind of exporter runs: on the listed hosts, or every host of the listed groups, at
/// `port`; `enabled` false: nowhere.
public struct ExporterPlacement: Equatable, Sendable {
    public var kind: ExporterKind
    public var hosts: [String]?
    public var hostGroups: [String]?
    public var port: Int
    public var enabled: Bool
    public init(kind: ExporterKind, hosts: [String]? = nil, hostGroups: [String]? = nil, port: Int? = nil, enabled: Bool = true) {
        self.kind = kind; self.hosts = hosts; self.hostGroups = hostGroups; self.port = port ?? kind.defaultPort; self.enabled = enabled
    }
}

/// Prometheus' command-line flags the model uses (cmd/prometheus/main.go 2.42 defaults).
public struct PrometheusFlags: Equatable, Sendable {
    public var lookbackDelta: SimDuration = .minutes(5)
    public var resendDelay: SimDuration = .minutes(1)
    public var forGracePeriod: SimDuration = .minutes(10)
    public var forOutageTolerance: SimDuration = .hours(1)
    public init() {}
}

/// prometheus.yml, the subset the simulator reads (config/config.go 2.42).
public struct PrometheusConfig: Equatable, Sendable {
    public var scrapeInterval: SimDuration = .minutes(1)
    public var scrapeTimeout: SimDuration = .seconds(10)
    public var evaluationInterval: SimDuration = .minutes(1)
    public var externalLabels = LabelSet()
    /// `rule_files` as written.
    public var ruleFiles: [String] = []
    public var alertmanagers: [AlertmanagerTargets] = []
    public var scrapeConfigs: [ScrapeConfig] = []
    public init() {}
}

/// One `alerting.alertmanagers` entry.
public struct AlertmanagerTargets: Equatable, Sendable {
    public var targets: [String]
    public var timeout: SimDuration
    public var apiVersion: String
    public init(targets: [String], timeout: SimDuration = .seconds(10), apiVersion: String = "v2") {
        self.targets = targets; self.timeout = timeout; self.apiVersion = apiVersion
    }
}

/// A target group (static_configs, file_sd_configs): addresses and the labels they share.
public struct TargetGroup: Equatable, Sendable {
    public var targets: [String]
    public var labels: [MetricLabel]
    /// `__meta_filepath` for a file_sd group ("" for static).
    public var file: String
    public init(targets: [String], labels: [MetricLabel] = [], file: String = "") { self.targets = targets; self.labels = labels; self.file = file }
}

public struct ConsulSDConfig: Equatable, Sendable {
    public var server: String = "localhost:8500"
    public var datacenter: String = ""
    /// Services to watch (empty: all).
    public var services: [String] = []
    /// Tags every instance must have.
    public var tags: [String] = []
    /// The ticker that gates each watch's next blocking query (consul.go `Run`, default 30s).
    public var refreshInterval: SimDuration = .seconds(30)
    /// `allow_stale` (default true): any server answers; false: only with a leader.
    public var allowStale = true
    /// `tag_separator` (default ","): joins `__meta_consul_tags`, also before and after.
    public var tagSeparator = ","
    public init() {}
}

public struct MarathonSDConfig: Equatable, Sendable {
    public var servers: [String]
    public var refreshInterval: SimDuration = .seconds(30)
    public init(servers: [String]) { self.servers = servers }
}

/// One `scrape_configs` entry.
public struct ScrapeConfig: Equatable, Sendable {
    public var jobName: String
    public var interval: SimDuration
    public var timeout: SimDuration
    public var metricsPath = "/metrics"
    public var scheme = "http"
    public var honorLabels = false
    /// Keep the timestamps an exposition gives (config.go default true); a sample with one is not
    /// tracked for staleness (scrape.go `scrapeLoop.append`).
    public var honorTimestamps = true
    /// `sample_limit`: more samples than this left after metric relabeling fail the scrape (0: none).
    public var sampleLimit = 0
    /// `target_limit`: more targets than this in the job's pool after relabeling fail every scrape
    /// of the pool (scrape.go `refreshTargetLimitErr`; 0: none).
    public var targetLimit = 0
    public var staticGroups: [TargetGroup] = []
    public var consulSD: [ConsulSDConfig] = []
    public var marathonSD: [MarathonSDConfig] = []
    public var relabel: [RelabelConfig] = []
    public var metricRelabel: [RelabelConfig] = []
    public init(jobName: String, interval: SimDuration = .minutes(1), timeout: SimDuration = .seconds(10)) {
        self.jobName = jobName; self.interval = interval; self.timeout = timeout
    }
}
