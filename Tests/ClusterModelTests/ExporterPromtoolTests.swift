import XCTest
@testable import ClusterModel
import SimKernel

/// Every endpoint's exposition, written as Prometheus' text format, is judged by the real
/// `promtool check metrics` (Debian's prometheus package): it must parse, and its lint findings
/// must be only those the real exporters have too (their names are kept as they are).
final class ExporterPromtoolTests: XCTestCase {
    static func promtool() -> String? {
        ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The text format of one scrape: each family's HELP and TYPE, then its samples.
    static func exposition(_ w: MetricWriter) -> String {
        var out = ""
        var seen = Set<String>()
        for f in w.families where seen.insert(f.name).inserted {
            out += "# HELP \(f.name) \(f.help)\n# TYPE \(f.name) \(f.type.rawValue)\n"
            let names = Set(f.seriesNames)
            for s in w.samples where names.contains(s.labels.metricName ?? "") {
                let labels = s.labels.labels.filter { $0.name != "__name__" }
                let body = labels.isEmpty ? "" : "{" + labels.map { "\($0.name)=\"\(LabelSet.escape($0.value))\"" }.joined(separator: ",") + "}"
                out += (s.labels.metricName ?? "") + body + " " + String(s.value) + "\n"
            }
        }
        return out
    }

    static func check(_ text: String) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try XCTUnwrap(promtool()))
        p.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input; p.standardOutput = output; p.standardError = output
        try p.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self))
    }

    /// Lint findings the real exporters produce too: mesos_exporter types its current task counts
    /// as counters without `_total`; Marathon's Dropwizard names and the apps exporter's, and
    /// node_exporter's meminfo fields, are camelCase; mesos_exporter's `mem` and `disk` are MB;
    /// Marathon's Dropwizard gauges end in `.count`.
    static func expected(_ line: String) -> Bool {
        (line.contains("task_states_current") && line.contains("_total\" suffix"))
            || (line.hasPrefix("service_mesosphere_marathon_") && line.contains("_count\" suffix"))
            || line.contains("camelCase")
            || (line.hasPrefix("mesos_") && line.contains("abbreviated units"))
    }

    func testPromtoolAcceptsEveryEndpoint() throws {
        guard Self.promtool() != nil else { throw XCTSkip("promtool is not installed (Debian package prometheus)") }
        var spec = ExporterSpecs.platform(duration: .minutes(6), writes: ContainerWrites(rate: .constant(100_000)), storage: true,
                                          traffic: TrafficSpec(services: [ExporterSpecs.directService(rate: 20)]))
        spec.network = NetworkSpec(mode: .host)
        let model = ClusterSimulation(spec: spec, observer: NullObserver())
        model.run()
        let cs = ExporterProbe.contributors(model)
        var endpoints = ExporterProbe.endpoints(cs)
        endpoints += model.marathon!.marathonSDTasks().map { MetricEndpoint(kind: .app, host: $0.host, port: $0.ports[0], task: $0.task) }
        var kinds = Set<String>()
        for e in endpoints {
            let w = ExporterProbe.scrape(cs, e, model.sim.now).writer
            let text = Self.exposition(w)
            XCTAssertFalse(text.isEmpty, "\(e)")
            let (status, out) = try Self.check(text)
            XCTAssertNotEqual(status, 1, "promtool cannot parse \(e.kind):\n\(out)")
            let unexpected = out.split(separator: "\n").map(String.init).filter { !$0.isEmpty && !Self.expected($0) }
            XCTAssertEqual(unexpected, [], "\(e.kind)")
            kinds.insert(e.kind.rawValue)
        }
        XCTAssertEqual(kinds, ["node", "cadvisor", "mesos-master", "mesos-agent", "marathon", "app"])
    }

    /// The server's own /metrics and an Alertmanager instance's: promtool parses them and finds
    /// nothing to lint.
    func testPromtoolAcceptsPrometheusAndAlertmanagerOwnMetrics() throws {
        guard Self.promtool() != nil else { throw XCTSkip("promtool is not installed (Debian package prometheus)") }
        let (m, p) = PrometheusTestRig.model(duration: .minutes(2))
        m.run()
        let pw = MetricWriter(wants: { _ in true })
        p.collectSelf(into: pw)
        XCTAssertEqual(Set(pw.samples.compactMap { $0.labels.metricName }), Set(PrometheusServer.selfFamilies.map(\.name)))
        let group = MesosTestHelpersGroup.group("mon", 1)
        var spec = ClusterSpec(name: "t", seed: 1, duration: .minutes(2), sampleInterval: .minutes(1), hostGroups: [group])
        spec.alertmanager = AlertmanagerSpec(hosts: [group.hostName(0)], config: AlertmanagerConfig(
            route: AlertmanagerRoute(receiver: "hook", groupBy: ["alertname"]), receivers: [AlertmanagerTests.webhook]))
        let post = ClusterSimulation(spec: spec, observer: NullObserver())
        let am = try XCTUnwrap(post.subsystem(AlertmanagerCluster.self))
        AlertPoster(am).post(post, at: .zero, [AlertmanagerTests.alert("A")])
        post.run()
        let aw = MetricWriter(wants: { _ in true })
        am.collect(MetricEndpoint(kind: .alertmanager, host: 0, port: 9093), now: post.sim.now, into: aw)
        XCTAssertEqual(aw.samples.first { $0.labels["integration"] == "webhook" }?.value, 1, "the one notification, through the webhook")
        for (name, w) in [("prometheus", pw), ("alertmanager", aw)] {
            let (status, out) = try Self.check(Self.exposition(w))
            XCTAssertEqual(status, 0, "\(name):\n\(out)")
        }
    }
}
