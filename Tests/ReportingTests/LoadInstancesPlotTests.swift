import XCTest
@testable import Reporting
import Foundation

/// The "load vs instances vs latency" chart per autoscaled frontend (Plotter.loadInstancesScript):
/// its series, units and title, each series told apart by colour and dash type, the latency on the
/// second axis from the frontend's traffic service; real gnuplot draws it.
final class LoadInstancesPlotTests: XCTestCase {
    var tmp: String!
    override func setUp() {
        tmp = NSTemporaryDirectory() + "/clustersim-loadplot-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: tmp) }

    static let autoscale = """
        time_s,app,service,sample,avg,target,current,running,counter,decision,why
        0,shop_web_10000,web,0,0,0,0,0,0,failed,Marathon has no leader
        60,shop_web_10000,web,600,300,3,2,2,1,past_threshold,1 of 3
        120,shop_web_10000,web,600,400,4,2,2,2,past_threshold,2 of 3
        180,shop_web_10000,web,600,450,5,5,2,3,scale,PUT /shop/web instances 5
        60,api_10001,,50,25,1,1,1,0,equal,target == current

        """
    static let traffic = """
        time_s,service,offered_rps,served_rps,errors_dead_upstream,errors_no_upstream,errors_timeout,errors_no_proxy,latency_p50_ms,latency_p95_ms,latency_p99_ms
        60,web,600,590,0,0,0,0,10,40,85.5
        60,other,10,10,0,0,0,0,1,2,3
        120,web,600,600,0,0,0,0,10,40,

        """

    func tables() throws -> (Plotter.Table, Plotter.Table) {
        try Self.autoscale.write(toFile: tmp + "/autoscale.csv", atomically: true, encoding: .utf8)
        try Self.traffic.write(toFile: tmp + "/traffic.csv", atomically: true, encoding: .utf8)
        return (try XCTUnwrap(Plotter.Table(path: tmp + "/autoscale.csv")), try XCTUnwrap(Plotter.Table(path: tmp + "/traffic.csv")))
    }

    func testOneChartPerFrontendWithSeriesUnitsAndTitle() throws {
        let (a, t) = try tables()
        let c = try XCTUnwrap(Plotter.loadInstancesScript(autoscale: a, traffic: t, durationSeconds: 240, formats: [.png, .svg]))
        XCTAssertEqual(c.images, ["autoscale_app_shop_web_10000", "autoscale_app_api_10001"])
        let gp = c.script
        XCTAssertTrue(gp.contains("set multiplot layout 2,1 title 'shop_web_10000: load vs instances vs latency'"), gp)
        for unit in ["set ylabel 'requests/s'", "set y2label 'p99 latency (ms)'", "set ylabel 'instances'", "set xlabel 'simulated time (s)'"] {
            XCTAssertTrue(gp.contains(unit), unit)
        }
        for title in ["requests/s read by the autoscaler", "moving average over --samples", "p99 latency of service web (ms, right axis)",
                      "'tasks running'", "'autoscaler target'", "'Marathon instances'"] {
            XCTAssertTrue(gp.contains(title), title)
        }
        XCTAssertTrue(gp.contains("'autoscale_app_shop_web_10000_p99.dat' using ($1/1):2 axes x1y2"), "latency on the second axis")
        // every series of a chart its own colour and its own dash type
        let chart = gp.components(separatedBy: "set output 'autoscale_app_shop_web_10000.png'")[1].components(separatedBy: "unset multiplot")[0]
        let styles = chart.components(separatedBy: "\n").filter { $0.contains(" with steps ") }.map { line -> String in
            let lc = line.components(separatedBy: "lc rgb ")[1].prefix(9), dt = line.components(separatedBy: " dt ")[1].prefix(2)
            return "\(lc)|\(dt)"
        }
        XCTAssertEqual(styles.count, 6)
        XCTAssertEqual(Set(styles.map { $0.split(separator: "|")[0] }).count, 6, "\(styles)")
        XCTAssertEqual(Set(styles.map { $0.split(separator: "|")[1] }).count, 6, "\(styles)")
        // data: failed iterations left out, the latency of the frontend's service only, empty p99 skipped
        let dat = try XCTUnwrap(c.data.first { $0.file == "autoscale_app_shop_web_10000.dat" }?.text)
        XCTAssertEqual(dat, "time_s,requests_per_s,moving_avg,running,target,marathon_instances\n60,600,300,2,3,2\n120,600,400,2,4,2\n180,600,450,2,5,5\n")
        XCTAssertEqual(c.data.first { $0.file == "autoscale_app_shop_web_10000_p99.dat" }?.text, "time_s,p99_latency_ms\n60,85.5\n")
        // a frontend without a traffic service: no latency series, no second axis
        let api = gp.components(separatedBy: "set output 'autoscale_app_api_10001.png'")[1].components(separatedBy: "unset multiplot")[0]
        XCTAssertFalse(api.components(separatedBy: "\n").contains { $0.hasPrefix("set y2") } || api.contains("x1y2"), api)
    }

    func testGnuplotDrawsIt() throws {
        guard let gnuplot = Plotter.gnuplotPath() else { throw XCTSkip("gnuplot is not installed") }
        let (a, t) = try tables()
        let c = try XCTUnwrap(Plotter.loadInstancesScript(autoscale: a, traffic: t, durationSeconds: 240, formats: [.svg]))
        for d in c.data { try d.text.write(toFile: tmp + "/" + d.file, atomically: true, encoding: .utf8) }
        try Plotter.runGnuplot(gnuplot, script: c.script, named: "autoscale_apps.gp", in: tmp)
        let svg = try String(contentsOfFile: tmp + "/autoscale_app_shop_web_10000.svg", encoding: .utf8)
        XCTAssertTrue(svg.contains("p99 latency (ms)") && svg.contains("load vs instances vs latency"))
    }
}
