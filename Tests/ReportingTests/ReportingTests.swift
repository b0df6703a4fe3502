import XCTest
@testable import Reporting
import ClusterModel
import SimKernel
import Foundation

final class ReportingTests: XCTestCase {
    var tmp: String!

    override func setUp() {
        tmp = NSTemporaryDirectory() + "/clustersim-reporting-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: tmp) }

    /// gnuplot single-quoted strings take a quote doubled: a title with an apostrophe draws as
    /// written (real gnuplot judges the script when `make results` draws the shipped plots).
    func testPlotTextKeepsApostrophes() {
        XCTAssertEqual(Plotter.quoteTitle("node's serfHealth"), "node''s serfHealth")
        XCTAssertEqual(Plotter.quoteTitle("plain"), "plain")
    }

    func testCSVQuotingAndNumbers() throws {
        let w = try CSVWriter(path: tmp + "/a.csv", columns: ["time_s", "detail", "x"])
        w.field(SimTime(nanoseconds: 1_500_000_000)); w.field("a, \"b\""); w.field(2.0 / 3.0, decimals: 3); w.endRow()
        w.field(SimTime.zero); w.field("plain"); w.field(-0.0001, decimals: 3); w.endRow()
        try w.close()
        let text = try String(contentsOfFile: tmp + "/a.csv", encoding: .utf8)
        XCTAssertEqual(text, "time_s,detail,x\n1.5,\"a, \"\"b\"\"\",0.667\n0,plain,0\n")
    }

    func testResultsFolderCommitReplacesAndDiscardLeavesNothing() throws {
        let target = tmp + "/results/run1"
        let f1 = try ResultsFolder(finalPath: target)
        try "one".write(toFile: f1.path("a.txt"), atomically: false, encoding: .utf8)
        XCTAssertFalse(FileManager.default.fileExists(atPath: target))
        try f1.commit()
        XCTAssertEqual(try String(contentsOfFile: target + "/a.txt", encoding: .utf8), "one")

        let f2 = try ResultsFolder(finalPath: target)
        try "two".write(toFile: f2.path("b.txt"), atomically: false, encoding: .utf8)
        try f2.commit()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: target), ["b.txt"])

        let f3 = try ResultsFolder(finalPath: tmp + "/results/run2")
        try "x".write(toFile: f3.path("c.txt"), atomically: false, encoding: .utf8)
        f3.discard()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp + "/results").sorted(), ["run1"])
    }

    func testWriterProducesDocumentedColumnsAndRows() throws {
        let folder = try ResultsFolder(finalPath: tmp + "/r")
        let g = HostGroupSpec(name: "slave", count: 2, datacenter: "dc01", racks: ["r1"], cpus: 4,
                              memoryBytes: 8 << 30, diskBytes: 100 << 30, nicBitsPerSecond: 1_000_000_000)
        let spec = ClusterSpec(name: "r", duration: .minutes(2), sampleInterval: .minutes(1), hostGroups: [g],
                               faults: [FaultSpec(at: .seconds(90), kind: .hostCrash, target: .host("slave-02"))])
        let model = ClusterSimulation(spec: spec, observer: NullObserver())
        let writer = try ResultsWriter(folder: folder, model: model)
        model.observer = writer
        XCTAssertTrue(model.run())
        try writer.finish(summary: model.summary())
        try folder.commit()
        let timeline = try String(contentsOfFile: tmp + "/r/timeline.csv", encoding: .utf8)
        XCTAssertEqual(timeline, """
            time_s,hosts_total,hosts_up,hosts_down,hosts_rebooting,cpus_total_cores,cpus_free_cores,cpus_lost_cores,memory_total_mib,memory_free_mib,disk_total_gib,disk_free_gib
            0,2,2,0,0,8,8,0,16384,16384,200,200
            60,2,2,0,0,8,8,0,16384,16384,200,200
            120,2,1,1,0,4,4,4,8192,8192,100,100

            """)
        let hosts = try String(contentsOfFile: tmp + "/r/hosts.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(hosts.count, 1 + 3 * 2)
        XCTAssertEqual(hosts.last, "120,slave-02,slave,dc01,r1,down,0,0,0,0,0,0,0,30,0,,")
        let events = try String(contentsOfFile: tmp + "/r/events.csv", encoding: .utf8)
        XCTAssertTrue(events.contains("\n90,host,crashed,slave-02,fault[0] hostCrash\n"), events)
        let summary = try String(contentsOfFile: tmp + "/r/summary.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(summary[0].split(separator: ",").map(String.init), ResultsWriter.headline(model.summary()).map(\.0))
        XCTAssertTrue(summary[1].hasSuffix(",30,30,0.875"), String(summary[1]))
        let json = try String(contentsOfFile: tmp + "/r/summary.json", encoding: .utf8)
        XCTAssertTrue(json.contains("\"headline\""), json)
        // nothing of the machine: the folder is byte-identical between runs
        XCTAssertFalse(json.contains("wall") || json.contains("\"run\""), json)
        XCTAssertFalse(summary.joined().contains("wall"))
    }

    func testSummaryKeysAreDocumented() {
        let spec = ClusterSpec(name: "x", duration: .minutes(1), hostGroups: [
            HostGroupSpec(name: "a", count: 1, datacenter: "d", racks: [], cpus: 1, memoryBytes: 1, diskBytes: 1, nicBitsPerSecond: 1)])
        let m = ClusterSimulation(spec: spec, observer: MemoryObserver())
        XCTAssertEqual(ResultsWriter.headline(m.summary()).map(\.0), OutputDocs.summaryMeanings.map(\.0))
        // every subsystem's figures are documented by its own declaration (SubsystemContractTests)
        XCTAssertEqual(ResultsWriter.headline(m.summary(), subsystems: m.subsystems).map(\.0), OutputDocs.summaryMeanings.map(\.0))
    }

    func testDocsOutputsIsUpToDate() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("docs/outputs.md"), encoding: .utf8)
        XCTAssertEqual(committed, OutputDocs.markdown(), "docs/outputs.md is stale: run `make docs`")
    }

    func testPlotScriptNamesEveryChartAndColumn() throws {
        let chart = Plotter.charts[0]
        let s = Plotter.script(plots: [(chart, "../../results/x/timeline.csv", [(3, "up")])], durationSeconds: 86400)
        XCTAssertTrue(s.contains("set output 'hosts.png'"))
        XCTAssertTrue(s.contains("set output 'hosts.svg'"))
        XCTAssertTrue(s.contains("'../../results/x/timeline.csv' using ($1/3600):3 with steps"))   // hours axis
        XCTAssertEqual(Plotter.relativePath(from: "/a/plots/x", to: "/a/results/x/timeline.csv"), "../../results/x/timeline.csv")
        try "time_s,app,healthy\n0,/a,0\n0,/b,1\n30,/a,2\n30,/b,3\n".write(toFile: tmp + "/apps.csv", atomically: true, encoding: .utf8)
        let (keys, text) = Plotter.pivot(Plotter.Table(path: tmp + "/apps.csv")!, key: "app", value: "healthy")!
        XCTAssertEqual(keys, ["/a", "/b"])
        XCTAssertEqual(text, "time_s,/a,/b\n0,0,1\n30,2,3\n")
    }
}
