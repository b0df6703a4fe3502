import XCTest
@testable import ClusterModel
import SimKernel

/// Scrapes every exporter of a run at each sample (what the Prometheus subsystem will do at its
/// scrape times), keeping the samples by series.
final class ExporterProbe: RunObserver {
    struct Scrape {
        var time: SimTime
        var endpoint: MetricEndpoint
        var values: [String: Double]
        var exposed: Int
    }
    private(set) var scrapes: [Scrape] = []
    private var contributors: [MetricsContributor] = []
    let kinds: Set<ExporterKind>
    var onSample: ((ClusterSimulation, SimTime) -> Void)?
    init(kinds: Set<ExporterKind>) { self.kinds = kinds }

    func record(_ event: LoggedEvent) {}

    func sample(_ model: ClusterSimulation, at time: SimTime) {
        if contributors.isEmpty { contributors = ExporterProbe.contributors(model) }
        for e in ExporterProbe.endpoints(contributors) where kinds.contains(e.kind) && model.infrastructure.hosts[e.host].state.isUp {
            let w = ExporterProbe.scrape(contributors, e, time)
            scrapes.append(Scrape(time: time, endpoint: e, values: w.values, exposed: w.exposed))
        }
        onSample?(model, time)
    }

    /// The subsystems that contribute, then the host exporters (as the Prometheus subsystem builds them).
    static func contributors(_ model: ClusterSimulation) -> [MetricsContributor] {
        model.subsystems.compactMap { $0 as? MetricsContributor } + [HostMetrics(model: model)]
    }

    static func endpoints(_ cs: [MetricsContributor]) -> [MetricEndpoint] { cs.flatMap { $0.metricEndpoints() } }

    static func scrape(_ cs: [MetricsContributor], _ e: MetricEndpoint, _ now: SimTime,
                       wants: @escaping (String) -> Bool = { _ in true }) -> (values: [String: Double], exposed: Int, writer: MetricWriter) {
        let w = MetricWriter(wants: wants)
        for c in cs { c.collect(e, now: now, into: w) }
        var v: [String: Double] = [:]
        for s in w.samples {
            XCTAssertNil(v[s.labels.description], "series written twice: \(s.labels)")
            v[s.labels.description] = s.value
        }
        return (v, w.exposed, w)
    }

    /// The scrapes of one endpoint kind on one host, in time order.
    func of(_ kind: ExporterKind, host: Int) -> [Scrape] { scrapes.filter { $0.endpoint.kind == kind && $0.endpoint.host == host } }
}

extension Dictionary where Key == String, Value == Double {
    /// Samples of one metric name: series description -> value.
    func named(_ name: String) -> [String: Double] { filter { $0.key == name || $0.key.hasPrefix(name + "{") } }
    func sum(_ name: String) -> Double { named(name).values.reduce(0, +) }
}

enum ExporterSpecs {
    /// Three masters and `agents` agents, Marathon running `/web` (one instance per agent), with
    /// the given storage, traffic and faults.
    static func platform(agents: Int = 2, instances: Int = 2, duration: SimDuration = .minutes(20), seed: UInt64 = 7,
                         writes: ContainerWrites? = nil, storage: Bool = false, faults: [FaultSpec] = [],
                         traffic: TrafficSpec? = nil) -> ClusterSpec {
        let unique = PlacementConstraint(field: "hostname", operator: .unique, rules: .legacy)
        let apps = [MarathonRuntimeTests.app("/web", instances: instances, cpus: 0.5, mem: 128, constraints: [unique])]
        var beh = AppBehaviour(task: TaskBehaviour(startup: .constant(5)), imageSizeBytes: 100_000_000)
        beh.storage = AppStorage(writes: writes)
        var s = ClusterSpec(name: "exporters", seed: seed, duration: duration, sampleInterval: .seconds(60),
                            hostGroups: MarathonRuntimeTests.hostGroups(agents: agents), faults: faults,
                            zookeeper: ZooKeeperSpec(servers: 3), mesos: MesosSpec(),
                            marathon: MarathonSpec(version: MarathonVersion(1, 4, 9), apps: apps, behaviour: [beh]))
        if storage {
            var o = DeviceMapperOptions()
            o.baseSize = 200 * GiB
            s.storage = StorageSpec(hostGroups: [HostStorageSpec(hostGroup: "slave", mode: .loopLVM, rootFilesystemBytes: 400_000_000_000, options: o)])
        }
        s.traffic = traffic
        return s
    }

    static func directService(rate: Double, work: Distribution = .exponential(mean: 0.02)) -> TrafficService {
        let arrivals = ArrivalProcess(profile: RateProfile(points: [.init(at: .zero, rate: 0), .init(at: .seconds(60), rate: 0),
                                                                    .init(at: .seconds(60), rate: rate)]), poisson: true)
        return TrafficService(name: "web", app: "/web", entry: .direct, arrivals: arrivals, serviceTime: work, discipline: .processorSharing)
    }
}
