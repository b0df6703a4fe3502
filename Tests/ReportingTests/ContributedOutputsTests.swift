import XCTest
@testable import Reporting
import ClusterModel
import SimKernel
import Foundation

/// Columns and headline figures that one subsystem contributes to another's (or a core) table
/// (`ContributedColumns`, `ContributedFigures`): the same place whether the contributor is built or
/// not, its values when it is, the `absent` fillers when it is not.
final class ContributedOutputsTests: XCTestCase {
    var tmp: String!
    override func setUp() {
        tmp = NSTemporaryDirectory() + "/clustersim-contributed-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: tmp) }

    static let groups = [
        HostGroupSpec(name: "master", count: 3, datacenter: "dc01", racks: ["r1"], cpus: 4,
                      memoryBytes: 16 << 30, diskBytes: 200 << 30, nicBitsPerSecond: 10_000_000_000),
        HostGroupSpec(name: "slave", count: 3, datacenter: "dc01", racks: ["r1"], cpus: 8,
                      memoryBytes: 32 << 30, diskBytes: 500 << 30, nicBitsPerSecond: 10_000_000_000),
    ]

    func spec(marathon: Bool = false, network: Bool = false, storage: Bool = false, mesos: Bool = true) -> ClusterSpec {
        var s = ClusterSpec(name: "c", seed: 5, duration: .minutes(10), sampleInterval: .minutes(5), hostGroups: Self.groups)
        if mesos { s.zookeeper = ZooKeeperSpec(servers: 3); s.mesos = MesosSpec() }
        if marathon {
            let apps = [AppDefinition(id: "/web", instances: 3, cpus: 0.5, mem: 256, version: MarathonVersion(1, 4, 9))]
            s.marathon = MarathonSpec(version: MarathonVersion(1, 4, 9), apps: apps,
                                      behaviour: [AppBehaviour(task: TaskBehaviour(startup: .constant(5)), imageSizeBytes: 100_000_000)])
        }
        if network { s.network = NetworkSpec() }
        if storage {
            s.storage = StorageSpec(hostGroups: [HostStorageSpec(hostGroup: "slave", driver: .devicemapper, mode: .loopLVM,
                                                                 rootFilesystemBytes: 100 << 30)])
        }
        return s
    }

    /// Runs `spec` into a results folder; returns each CSV as header + rows of fields.
    func run(_ spec: ClusterSpec, _ name: String) throws -> [String: (header: [String], rows: [[String]])] {
        let folder = try ResultsFolder(finalPath: tmp + "/" + name)
        let model = ClusterSimulation(spec: spec, observer: NullObserver())
        let writer = try ResultsWriter(folder: folder, model: model)
        model.observer = writer
        XCTAssertTrue(model.run())
        try writer.finish(summary: model.summary())
        try folder.commit()
        var out: [String: (header: [String], rows: [[String]])] = [:]
        for f in try FileManager.default.contentsOfDirectory(atPath: tmp + "/" + name) where f.hasSuffix(".csv") && f != "events.csv" {
            let lines = try String(contentsOfFile: tmp + "/" + name + "/" + f, encoding: .utf8).split(separator: "\n")
            let split = { (l: Substring) in l.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            out[f] = (split(lines[0]), lines.dropFirst().map(split))
        }
        return out
    }

    func column(_ t: (header: [String], rows: [[String]]), _ c: String) -> [String] {
        guard let i = t.header.firstIndex(of: c) else { XCTFail("no column \(c) in \(t.header)"); return [] }
        return t.rows.map { $0[i] }
    }

    static let hostsTail = ["disk_free_gib", "downtime_s", "network_cpu_cores", "docker_pool_free_ratio", "docker_fs_used_gib"]
    static let mesosHeadline = ["tasks_launched", "tasks_failed", "tasks_killed", "tasks_lost", "apps_deployed", "slowest_deploy_s",
                                "apps_below_target_at_end", "apps_degraded_s", "master_failovers", "max_master_failover_s",
                                "marathon_failovers", "faults_detected", "max_detection_s", "max_recovery_s"]

    func testAbsentContributorsFillTheirColumnsAndFigures() throws {
        let r = try run(spec(), "bare")
        let hosts = r["hosts.csv"]!
        XCTAssertEqual(Array(hosts.header.suffix(5)), Self.hostsTail)
        XCTAssertEqual(hosts.rows.count, 3 * 6)
        XCTAssertEqual(Set(column(hosts, "network_cpu_cores")), ["0"])        // field(0, decimals: 4)
        XCTAssertEqual(Set(column(hosts, "docker_pool_free_ratio")), [""])
        XCTAssertEqual(Set(column(hosts, "docker_fs_used_gib")), [""])
        XCTAssertTrue(hosts.rows.allSatisfy { $0.count == hosts.header.count })

        let mesos = r["mesos.csv"]!
        let li = mesos.header.firstIndex(of: "leader_ready")!
        XCTAssertEqual(mesos.header[li + 1], "marathon_leader")
        XCTAssertEqual(Set(column(mesos, "marathon_leader")), ["none"])
        XCTAssertTrue(mesos.rows.allSatisfy { $0.count == mesos.header.count })

        let summary = r["summary.csv"]!
        XCTAssertEqual(Array(summary.header.suffix(Self.mesosHeadline.count)), Self.mesosHeadline)
        let values = Dictionary(uniqueKeysWithValues: zip(summary.header, summary.rows[0]))
        XCTAssertEqual(Self.mesosHeadline.map { values[$0]! },
                       ["0", "0", "0", "0", "0", "", "0", "0", "0", "", "0", "0", "", ""])
        XCTAssertEqual(values["master_failovers"], "0")
    }

    func testBuiltContributorsFillTheSamePlaces() throws {
        let bare = try run(spec(), "bare")
        let r = try run(spec(marathon: true, network: true, storage: true), "full")
        let hosts = r["hosts.csv"]!
        XCTAssertEqual(hosts.header, bare["hosts.csv"]!.header)
        XCTAssertTrue(hosts.rows.allSatisfy { $0.count == hosts.header.count })
        XCTAssertTrue(column(hosts, "network_cpu_cores").allSatisfy { Double($0) != nil }, "\(column(hosts, "network_cpu_cores"))")
        // Storage's columns: filled for the slaves (devicemapper), empty for the masters (no storage group)
        let groupOf = column(hosts, "group")
        for (g, (ratio, used)) in zip(groupOf, zip(column(hosts, "docker_pool_free_ratio"), column(hosts, "docker_fs_used_gib"))) {
            if g == "slave" {
                XCTAssertNotNil(Double(ratio), ratio); XCTAssertNotNil(Double(used), used)
            } else {
                XCTAssertEqual(ratio, ""); XCTAssertEqual(used, "")
            }
        }

        let mesos = r["mesos.csv"]!
        XCTAssertEqual(mesos.header, bare["mesos.csv"]!.header)
        let leaders = column(mesos, "marathon_leader")
        XCTAssertTrue(leaders.last!.hasPrefix("marathon"), "\(leaders)")

        let summary = r["summary.csv"]!
        XCTAssertEqual(summary.header.filter(Self.mesosHeadline.contains), Self.mesosHeadline)
        let values = Dictionary(uniqueKeysWithValues: zip(summary.header, summary.rows[0]))
        XCTAssertEqual(values["tasks_launched"], "3")
        XCTAssertEqual(values["apps_deployed"], "1")
        XCTAssertNotEqual(values["slowest_deploy_s"], "")
        XCTAssertEqual(values["apps_below_target_at_end"], "0")
    }

    func testFiguresGoWhereTheyAreDeclaredAndOnlyIntoABuiltTarget() throws {
        // without Mesos there is no platform headline, so Marathon's figures have nowhere to go
        let r = try run(spec(mesos: false), "nomesos")
        XCTAssertNil(r["mesos.csv"])
        XCTAssertTrue(Set(r["summary.csv"]!.header).isDisjoint(with: Self.mesosHeadline))
        XCTAssertEqual(Array(r["hosts.csv"]!.header.suffix(5)), Self.hostsTail)

        // the documented keys are the written keys, contributions spliced at their declared places
        let own = MesosCluster.outputs.headline
        let doc = ResultsWriter.headlineKeys(of: "mesos", own: own).map(\.key)
        XCTAssertEqual(doc, Self.mesosHeadline)
        XCTAssertEqual(doc.firstIndex(of: "marathon_failovers")! - 1, doc.firstIndex(of: "max_master_failover_s")!)
        XCTAssertEqual(doc.firstIndex(of: "max_recovery_s")! - 1, doc.firstIndex(of: "max_detection_s")!)
        XCTAssertEqual(doc.first, "tasks_launched")
        // and without Marathon in the list, only Mesos' own keys
        let noMarathon = ClusterSimulation.standardSubsystems.filter { $0.name != "marathon" }
        XCTAssertEqual(ResultsWriter.headlineKeys(of: "mesos", own: own, list: noMarathon).map(\.key), own.map(\.key))
        XCTAssertEqual(ResultsWriter.columns(of: "hosts.csv", own: CoreTables.hosts.columns, list: noMarathon).suffix(3).map(\.0),
                       Array(Self.hostsTail.suffix(3)))
        XCTAssertEqual(ResultsWriter.columns(of: "hosts.csv", own: CoreTables.hosts.columns, list: []).last?.0, "downtime_s")
    }

    /// Network's charts by message size are its plot contribution with their own script: the
    /// declaration is in Plotter's list, and its script names every image it declares.
    /// summary.json's `platform` object: Mesos' keys and each fault's detection, with Marathon's
    /// deploys, deployments, failovers and each fault's recovery at their places, or their `absent`
    /// values (empty lists, false, null) when Marathon is not built.
    func testPlatformDetailsAreMesosObjectWithMarathonFields() throws {
        func platform(marathon: Bool) -> [(String, JSONOut)] {
            var s = spec(marathon: marathon)
            s.faults = [FaultSpec(at: .minutes(2), kind: .agentCrash, target: .host("slave-01"), restartAfter: .seconds(30))]
            let model = ClusterSimulation(spec: s, observer: NullObserver())
            XCTAssertTrue(model.run())
            let d = ResultsWriter.details(subsystems: model.subsystems, list: model.subsystemList)
            XCTAssertEqual(d.map(\.0), ["platform"])
            guard case .object(let o)? = d.first?.1 else { XCTFail("platform is not an object"); return [] }
            return o
        }
        func faultKeys(_ o: [(String, JSONOut)]) -> [String] {
            guard case .array(let faults)? = o.first(where: { $0.0 == "faults" })?.1, case .object(let f)? = faults.first else { return [] }
            return f.map(\.0)
        }
        let keys = ["deploys", "deployments", "faults", "agent_detections", "master_failovers", "marathon_failovers"]
        let fields = ["fault", "kind", "at_s", "targets", "detected_after_s", "apps_degraded", "recovered_after_s"]
        let without = platform(marathon: false), with = platform(marathon: true)
        XCTAssertEqual(without.map(\.0), keys)
        XCTAssertEqual(with.map(\.0), keys)
        XCTAssertEqual(faultKeys(without), fields)
        XCTAssertEqual(faultKeys(with), fields)
        XCTAssertEqual(without[0].1.render(), "[]")
        XCTAssertNotEqual(with[0].1.render(), "[]", "Marathon's deploys when it is built")
        let absentFault = without[2].1.render()
        XCTAssertTrue(absentFault.contains("\"apps_degraded\": false") || absentFault.contains("\"apps_degraded\":false"), absentFault)
        // No Mesos, no platform object.
        let bare = ClusterSimulation(spec: spec(mesos: false), observer: NullObserver())
        XCTAssertTrue(ResultsWriter.details(subsystems: bare.subsystems, list: bare.subsystemList).isEmpty)
    }

    func testNetworkPlotsAreACustomPlotContribution() throws {
        let c = try XCTUnwrap(Plotter.charts.first { $0.custom != nil })
        XCTAssertEqual(c.file, "network"); XCTAssertEqual(c.source, "network.csv")
        let custom = c.custom!
        XCTAssertEqual(custom.images, ["network_throughput", "network_latency", "network_cpu", "network_transactions", "network_udp"])
        let csv = "mode,experiment,locality,message_size_bytes,throughput_mbit_s,one_way_latency_us,cpu_per_gbit_core_s\n"
            + "host,tcp,same-rack,1024,900,20,0.5\nhost,tcp,same-rack,65536,940,30,0.4\nbridge,tcp,same-rack,65536,800,40,0.9\n"
        try csv.write(toFile: tmp + "/network.csv", atomically: true, encoding: .utf8)
        let t = Plotter.Table(path: tmp + "/network.csv")!
        let (data, script) = try XCTUnwrap(custom.draw(PlotTable(header: t.header, rows: t.rows), ["png"]))
        XCTAssertEqual(data.map(\.file), ["network_throughput.dat", "network_latency.dat", "network_cpu.dat", "network_transactions.dat", "network_udp.dat"])
        XCTAssertEqual(data[0].text, "message_size_bytes,host,bridge\n1024,900,\n65536,940,800\n")
        XCTAssertEqual(data[2].text, "mode,cpu_per_gbit_core_s\nhost,0.4\nbridge,0.9\n")
        // every line series has its own colour and dash type
        XCTAssertTrue(script.contains("lc 1 dt 1") && script.contains("lc 2 dt 1"), script)
        for i in custom.images { XCTAssertTrue(script.contains("set output '\(i).png'"), i) }
        XCTAssertFalse(script.contains(".svg"))
        XCTAssertNil(custom.draw(PlotTable(header: t.header, rows: []), ["png"]))
        XCTAssertTrue(script.contains("set title \"TCP throughput by message size, one flow (qperf tcp_bw)\"\n"), "no hosts stated, no second line")
        // every title says which hosts the figures are for (network.csv's environment columns), on a second line
        let env = "environment,kernel,cpu_clock_ghz,nic_gbit_s,nic_tunnel_offload,"
        let withHosts = env + csv.split(separator: "\n").enumerated().map { i, l in (i == 0 ? "" : "bare-metal,5.10,3.1,25,false,") + l }.joined(separator: "\n")
        try withHosts.write(toFile: tmp + "/network.csv", atomically: true, encoding: .utf8)
        let h = Plotter.Table(path: tmp + "/network.csv")!
        let (_, titled) = try XCTUnwrap(custom.draw(PlotTable(header: h.header, rows: h.rows), ["png"]))
        let second = "\\nbare-metal, kernel 5.10, 3.1 GHz, 25 Gbit/s NIC, no tunnel offload\""
        XCTAssertEqual(titled.components(separatedBy: second).count - 1, custom.images.count, titled)
    }
}
