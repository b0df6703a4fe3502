@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// `"via": "marathon-lb"` in the traffic section, and a run through the real marathon-lb.
final class HAProxyFrontSectionTests: XCTestCase {
    static func scenario(_ extra: String = "", lb: Bool = true, mode: String = "request") -> String {
        let base = MarathonLBTests.scenario()
        let traffic = #", "traffic": {"mode": "\#(mode)", "services": [{"name": "web", "app": "/shop/web", "via": "marathon-lb", "frontend": "shop_web_10080", "arrivals": {"step": {"from": 0, "to": 20, "at": "3m"}}, "serviceTime": "10ms"\#(extra)}]}}"#
        var s = String(base.dropLast(base.hasSuffix("\n") ? 2 : 1)) + traffic
        if !lb { s = s.replacingOccurrences(of: #""marathonLB": {"instances": [{"hostGroup": "lb", "group": "external"}]},"#, with: "") }
        return s
    }

    func testDecodesTheWayIn() throws {
        let t = try XCTUnwrap(loadOK(Self.scenario())?.spec.traffic)
        XCTAssertEqual(t.services[0].entry, .marathonLB(frontend: "shop_web_10080", instance: nil))
        let one = try XCTUnwrap(loadOK(Self.scenario(#", "instance": 1"#))?.spec.traffic)
        XCTAssertEqual(one.services[0].entry, .marathonLB(frontend: "shop_web_10080", instance: 1))
    }

    func testBadInputNamesThePath() {
        let svc = "traffic.services[0]"
        assertSingleError(Self.scenario(lb: false), path: svc + ".via", ["needs a `marathonLB` section"])
        assertSingleError(Self.scenario(#", "instance": -1"#), path: svc + ".instance", ["0 to 99999"])
        assertSingleError(Self.scenario(#", "path": "/x""#), path: svc + ".path", ["\"via\": \"nginx\""])
        assertSingleError(Self.scenario(#", "proxy": 0"#), path: svc + ".proxy", ["\"instance\""])
        assertSingleError(Self.scenario().replacingOccurrences(of: #""shop_web_10080""#, with: #""web 10080""#), path: svc + ".frontend", ["letters, digits", "\"web 10080\""])
        assertSingleError(Self.scenario().replacingOccurrences(of: #", "frontend": "shop_web_10080""#, with: ""), path: svc + ".frontend", ["missing"])
        assertSingleError(Self.scenario().replacingOccurrences(of: #""via": "marathon-lb", "frontend": "shop_web_10080""#, with: #""via": "direct", "frontend": "x""#),
                          path: svc + ".frontend", ["\"via\": \"marathon-lb\""])
    }

    /// Through the real marathon-lb: every request after its first reload is served, by both
    /// instances in turn; the stats page reads the arrival rate split over the two.
    func testRequestsFlowThroughMarathonLB() throws {
        for mode in ["request", "fluid"] {
            let s = try XCTUnwrap(loadOK(Self.scenario(mode: mode)))
            let m = ClusterSimulation(spec: s.spec, observer: NullObserver())
            m.run()
            let t = try XCTUnwrap(m.subsystem(TrafficModel.self))
            let c = t.runTotals()
            XCTAssertEqual(c.offered, 20 * 420, accuracy: 400, mode)   // Poisson arrivals
            XCTAssertEqual(c.failed, 0, mode)
            for i in 0..<2 {
                let rows = try XCTUnwrap(t.haproxyFrontendStats(i, now: m.sim.now))
                XCTAssertEqual(rows.map(\.name), ["shop_web_10080"], mode)
                XCTAssertEqual(Double(rows[0].rate), 10, accuracy: 1, mode)
            }
        }
    }
}
