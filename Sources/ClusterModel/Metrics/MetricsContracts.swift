import Foundation
import SimKernel

// What the monitoring subsystems (issue 11) see of each other and of the platform, so that each
// lives in its own folder behind the subsystem contract:
//
//   subsystems' state --MetricsContributor.collect (at scrape time)--> Prometheus (targets,
//   scrapes, series store) --PromQL (PromQL/) over SeriesStore--> rule groups (Prometheus/Rules/)
//   --AlertPayload via AlertReceiver--> Alertmanager (routing, grouping, inhibition, notifications)
//
// Times inside the monitoring domain are Prometheus' own: Unix milliseconds (`PromTime`). A sample
// is computed when a scrape reads it; the store keeps only what a rule or an export needs.

// MARK: - time

/// Prometheus' clock: milliseconds since the Unix epoch. The run's time 0 is `PromTime.base`
/// (the `prometheus.startTime` of the scenario), so exported series open at a real date.
public struct PromTime: Sendable, Equatable {
    /// Unix milliseconds at simulated time 0.
    public var baseMs: Int64
    public init(baseMs: Int64) { self.baseMs = baseMs }
    /// 2017-06-01T00:00:00Z, the seed platform's era: the default `startTime`.
    public static let defaultBaseMs: Int64 = 1_496_275_200_000
    /// Unix ms of a simulated instant (truncated to the millisecond, as Prometheus stores it).
    @inlinable public func ms(_ t: SimTime) -> Int64 { baseMs + t.nanoseconds / 1_000_000 }
    /// The simulated instant of a Unix ms timestamp.
    @inlinable public func simTime(_ ms: Int64) -> SimTime { SimTime(nanoseconds: (ms - baseMs) * 1_000_000) }
}

// MARK: - labels

/// One label of a series.
public struct MetricLabel: Hashable, Sendable, Comparable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) { self.name = name; self.value = value }
    public static func < (a: MetricLabel, b: MetricLabel) -> Bool { a.name < b.name || (a.name == b.name && a.value < b.value) }
}

/// A series' identity: labels sorted by name, no empty values (Prometheus drops them), the metric
/// name under `__name__`.
public struct LabelSet: Hashable, Sendable, Comparable, CustomStringConvertible {
    public private(set) var labels: [MetricLabel]

    public init(_ labels: [MetricLabel] = []) {
        // a handful of labels: a linear scan for a repeated name is cheaper than a dictionary
        var out: [MetricLabel] = []
        out.reserveCapacity(labels.count)
        for l in labels where !l.value.isEmpty {
            if let i = out.firstIndex(where: { $0.name == l.name }) { out[i] = l } else { out.append(l) }
        }
        out.sort()
        self.labels = out
    }
    public init(_ pairs: KeyValuePairs<String, String>) { self.init(pairs.map { MetricLabel($0.key, $0.value) }) }
    public init(name: String, _ pairs: [(String, String)]) {
        self.init([MetricLabel("__name__", name)] + pairs.map { MetricLabel($0.0, $0.1) })
    }

    public subscript(name: String) -> String? {
        for l in labels where l.name == name { return l.value }
        return nil
    }
    public var metricName: String? { self["__name__"] }
    public var isEmpty: Bool { labels.isEmpty }

    /// A copy with `name` set to `value` (removed when `value` is empty).
    public func setting(_ name: String, _ value: String) -> LabelSet {
        LabelSet(labels.filter { $0.name != name } + [MetricLabel(name, value)])
    }
    public func removing(_ names: Set<String>) -> LabelSet { LabelSet(labels.filter { !names.contains($0.name) }) }
    public func keeping(_ names: Set<String>) -> LabelSet { LabelSet(labels.filter { names.contains($0.name) }) }
    public var withoutName: LabelSet { removing(["__name__"]) }

    public static func < (a: LabelSet, b: LabelSet) -> Bool { a.labels.lexicographicallyPrecedes(b.labels) }

    /// `name{a="x", b="y"}` as Prometheus prints a series (values escaped).
    public var description: String {
        let name = metricName ?? ""
        let rest = labels.filter { $0.name != "__name__" }
        if rest.isEmpty { return name.isEmpty ? "{}" : name }
        return name + "{" + rest.map { "\($0.name)=\"\(LabelSet.escape($0.value))\"" }.joined(separator: ", ") + "}"
    }
    public static func escape(_ v: String) -> String {
        var s = ""
        for c in v {
            switch c {
            case "\\": s += "\\\\"
            case "\"": s += "\\\""
            case "\n": s += "\\n"
            default: s.append(c)
            }
        }
        return s
    }
}

/// `=`, `!=`, `=~`, `!~` (promql/parser; regexes are fully anchored, RE2 syntax).
public enum LabelMatchType: String, Sendable {
    case equal = "=", notEqual = "!=", regexMatch = "=~", regexNoMatch = "!~"
}

/// One label matcher of a selector or an Alertmanager route/inhibition/silence.
public struct LabelMatcher: @unchecked Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let type: LabelMatchType
    public let value: String
    /// The regex anchored as Prometheus and Alertmanager compile it (`^(?:re)$`, RE2 semantics: GoRegexp),
    /// its results memoised per label value.
    private let regex: GoRegexpMemo?

    /// Throws `LabelMatcherError` when a regex does not compile (the reason in Go's words).
    public init(_ name: String, _ type: LabelMatchType, _ value: String) throws {
        self.name = name; self.type = type; self.value = value
        switch type {
        case .equal, .notEqual: regex = nil
        case .regexMatch, .regexNoMatch:
            do { regex = try GoRegexp.cached("^(?:" + value + ")$") }
            catch { throw LabelMatcherError(name: name, value: value, reason: error.description) }
        }
    }

    /// Whether a label value matches (an absent label is the empty value).
    public func matches(_ v: String) -> Bool {
        switch type {
        case .equal: return v == value
        case .notEqual: return v != value
        case .regexMatch: return regexMatches(v)
        case .regexNoMatch: return !regexMatches(v)
        }
    }
    public func matches(_ set: LabelSet) -> Bool { matches(set[name] ?? "") }

    private func regexMatches(_ v: String) -> Bool { regex?.matches(v) ?? false }

    public var description: String { "\(name)\(type.rawValue)\"\(LabelSet.escape(value))\"" }
    public static func == (a: LabelMatcher, b: LabelMatcher) -> Bool { a.name == b.name && a.type == b.type && a.value == b.value }
    public func hash(into h: inout Hasher) { h.combine(name); h.combine(type); h.combine(value) }
}

public struct LabelMatcherError: Error, Sendable, CustomStringConvertible {
    public var name: String
    public var value: String
    /// Go's error ("error parsing regexp: missing closing ): `^(?:(a)$`").
    public var reason: String
    public var description: String { "label \(name): regular expression \"\(value)\": \(reason)" }
}

// MARK: - samples and the series store

/// One sample: Unix ms and value.
public struct Sample: Sendable, Equatable {
    public var t: Int64
    public var v: Double
    public init(t: Int64, v: Double) { self.t = t; self.v = v }
    /// Prometheus' staleness marker: a NaN with this exact bit pattern (model/value.StaleNaN).
    public static let staleNaNBits: UInt64 = 0x7ff0_0000_0000_0002
    public static var staleNaN: Double { Double(bitPattern: staleNaNBits) }
    public var isStale: Bool { v.bitPattern == Sample.staleNaNBits }
}

/// Samples of one series, oldest first.
public struct SeriesSamples: Sendable {
    public var labels: LabelSet
    public var samples: [Sample]
    public init(labels: LabelSet, samples: [Sample]) { self.labels = labels; self.samples = samples }
}

/// What PromQL reads: Prometheus' storage as a querier sees it.
public protocol SeriesStore: AnyObject {
    /// The series whose labels satisfy every matcher, with their samples in `mint ... maxt`
    /// (inclusive, Unix ms, staleness markers included), in label order; series without a
    /// sample in the range are left out.
    func select(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64) -> [SeriesSamples]
    /// Per series `select` returns, its newest sample only (what an instant selector reads).
    func selectLatest(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64) -> [(labels: LabelSet, sample: Sample)]
}

extension SeriesStore {
    public func selectLatest(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64) -> [(labels: LabelSet, sample: Sample)] {
        select(matchers, mint: mint, maxt: maxt).compactMap { s in
            s.samples.last(where: { $0.t <= maxt }).flatMap { $0.t >= mint ? (s.labels, $0) : nil }
        }
    }
}

/// A plain in-memory store (tests, the agreement harness, small exports): every sample appended.
public final class MemorySeriesStore: SeriesStore {
    private var index: [LabelSet: Int] = [:]
    public private(set) var series: [SeriesSamples] = []
    public init() {}

    /// Appends a sample (times must not go backwards within a series).
    public func append(_ labels: LabelSet, _ s: Sample) {
        if let i = index[labels] { series[i].samples.append(s); return }
        index[labels] = series.count
        series.append(SeriesSamples(labels: labels, samples: [s]))
    }

    public func select(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64) -> [SeriesSamples] {
        var out: [SeriesSamples] = []
        for s in series where matchers.allSatisfy({ $0.matches(s.labels) }) {
            let lo = lowerBound(s.samples, mint)
            var hi = lo
            while hi < s.samples.count && s.samples[hi].t <= maxt { hi += 1 }
            if hi > lo { out.append(SeriesSamples(labels: s.labels, samples: Array(s.samples[lo..<hi]))) }
        }
        return out.sorted { $0.labels < $1.labels }
    }

    private func lowerBound(_ a: [Sample], _ t: Int64) -> Int {
        var lo = 0, hi = a.count
        while lo < hi { let m = (lo + hi) / 2; if a[m].t < t { lo = m + 1 } else { hi = m } }
        return lo
    }
}

// MARK: - exporters

/// How a metric family behaves (the `# TYPE` line).
public enum MetricType: String, Sendable {
    case counter, gauge, histogram, summary, untyped
}

/// One metric family an exporter serves: its name (for a histogram the base name; the series are
/// `_bucket`, `_sum`, `_count`), type and help text.
public struct MetricFamily: Sendable, Hashable {
    public var name: String
    public var type: MetricType
    public var help: String
    public init(_ name: String, _ type: MetricType, _ help: String) { self.name = name; self.type = type; self.help = help }
    /// The series names a scrape of this family yields.
    public var seriesNames: [String] {
        type == .histogram || type == .summary ? [name + "_bucket", name + "_sum", name + "_count"].filter { type == .histogram || $0 != name + "_bucket" } : [name]
    }
}

/// The exporter processes the seed platform runs, each with the port it listens on by default.
public enum ExporterKind: String, Sendable, CaseIterable {
    /// google/cadvisor on every host (`docker run ... -p 8080:8080 google/cadvisor`).
    case cadvisor
    /// prometheus/node_exporter on every host (:9100), with the textfile collector.
    case node
    /// mesos_exporter next to each Mesos master (:9105, `-master`).
    case mesosMaster = "mesos-master"
    /// mesos_exporter next to each Mesos agent (:9105, `-slave`; a host runs one or the other).
    case mesosAgent = "mesos-agent"
    /// Marathon's own metrics endpoint (:8080 `/metrics`).
    case marathon
    /// prometheus/consul_exporter (:9107).
    case consul
    /// nginx-prometheus-exporter next to each nginx (:9113, stub_status).
    case nginx
    /// haproxy_exporter next to each marathon-lb (:9101) (issue 12).
    case haproxy
    /// An app task's own `/metrics` on its host port (discovered by marathon_sd or consul_sd).
    case app
    /// The Prometheus server's own `/metrics` (:9090; `localhost:9090` in every example prometheus.yml).
    case prometheus
    /// Each Alertmanager instance's own `/metrics` (:9093).
    case alertmanager

    public var defaultPort: Int {
        switch self {
        case .cadvisor: return 8080
        case .node: return 9100
        case .mesosMaster, .mesosAgent: return 9105
        case .marathon: return 8080
        case .consul: return 9107
        case .nginx: return 9113
        case .haproxy: return 9101
        case .app: return 0
        case .prometheus: return 9090
        case .alertmanager: return 9093
        }
    }
}

/// One endpoint Prometheus can scrape: an exporter on a host at a port (an app task: its task and
/// host port). Its process is up when `isUp` says so (a host down, a task gone: connection refused).
public struct MetricEndpoint: Sendable, Hashable {
    public var kind: ExporterKind
    public var host: Int
    public var port: Int
    /// The task behind an `.app` endpoint.
    public var task: TaskID?
    public init(kind: ExporterKind, host: Int, port: Int, task: TaskID? = nil) {
        self.kind = kind; self.host = host; self.port = port; self.task = task
    }
}

/// A subsystem whose state some exporter serves: it says where its endpoints are and writes their
/// samples when a scrape reads them. Several subsystems may contribute to one endpoint kind (cAdvisor
/// serves the containers Mesos runs and the filesystem usage Storage knows).
public protocol MetricsContributor: AnyObject {
    /// The endpoints it runs (only the owner of a kind lists its endpoints; the others return []).
    func metricEndpoints() -> [MetricEndpoint]
    /// The families it adds to endpoints of `kind` (for docs and for skipping).
    func metricFamilies(for kind: ExporterKind) -> [MetricFamily]
    /// Writes its samples for one endpoint, as of `now`.
    func collect(_ endpoint: MetricEndpoint, now: SimTime, into w: MetricWriter)
    /// Whether the endpoint's process answers now (nil: no opinion; the host being up decides).
    func endpointUp(_ endpoint: MetricEndpoint, now: SimTime) -> Bool?
}

extension MetricsContributor {
    public func metricEndpoints() -> [MetricEndpoint] { [] }
    public func endpointUp(_ endpoint: MetricEndpoint, now: SimTime) -> Bool? { nil }
}

/// Marathon as `marathon_sd_configs` sees it (/v2/apps?embed=apps.tasks): every task with a host
/// and ports, its app's id and labels.
public protocol MarathonTaskSource: AnyObject {
    func marathonSDTasks() -> [MarathonSDTask]
}

public struct MarathonSDTask: Sendable, Equatable {
    public var appId: String
    public var task: TaskID
    public var taskId: String
    public var host: Int
    /// Host ports in the order of the app's port definitions (portMappings' host ports).
    public var ports: [Int]
    /// The app's labels (`__meta_marathon_app_label_<name>`).
    public var appLabels: [(String, String)]
    /// Per port, its definition's labels (`__meta_marathon_port_definition_label_<name>`).
    public var portLabels: [[(String, String)]]
    public var running: Bool
    public init(appId: String, task: TaskID, taskId: String, host: Int, ports: [Int], appLabels: [(String, String)] = [],
                portLabels: [[(String, String)]] = [], running: Bool = true) {
        self.appId = appId; self.task = task; self.taskId = taskId; self.host = host; self.ports = ports
        self.appLabels = appLabels; self.portLabels = portLabels; self.running = running
    }
    public static func == (a: MarathonSDTask, b: MarathonSDTask) -> Bool {
        a.appId == b.appId && a.task == b.task && a.taskId == b.taskId && a.host == b.host && a.ports == b.ports
            && a.running == b.running && a.appLabels.map { $0.0 + "=" + $0.1 } == b.appLabels.map { $0.0 + "=" + $0.1 }
    }
}

// MARK: - alerts from Prometheus to Alertmanager

/// One alert as Prometheus' notifier posts it to `/api/v2/alerts` (notifier.Alert).
public struct AlertPayload: Sendable, Equatable {
    public var labels: LabelSet
    public var annotations: LabelSet
    /// Unix ms: the alert's `FiredAt` (firing) ...
    public var startsAt: Int64
    /// ... and `ResolvedAt` (resolved) or `ts + 4·max(evaluation interval, resend delay)` (firing).
    public var endsAt: Int64
    public var generatorURL: String
    public init(labels: LabelSet, annotations: LabelSet, startsAt: Int64, endsAt: Int64, generatorURL: String = "") {
        self.labels = labels; self.annotations = annotations; self.startsAt = startsAt; self.endsAt = endsAt; self.generatorURL = generatorURL
    }
    /// Resolved when `endsAt` is not after `now`.
    public func resolved(at now: Int64) -> Bool { endsAt <= now }
}

/// An Alertmanager cluster as Prometheus' notifier sees it.
public protocol AlertReceiver: AnyObject {
    /// The Alertmanager instances' addresses (host index and port), in configuration order.
    func alertmanagerEndpoints() -> [(host: Int, port: Int)]
    /// Whether the instance on `host` accepts a post now (process up).
    func accepts(host: Int) -> Bool
    /// Alerts posted to the instance on `host` at `now`.
    func receive(_ alerts: [AlertPayload], on host: Int, now: SimTime)
}
