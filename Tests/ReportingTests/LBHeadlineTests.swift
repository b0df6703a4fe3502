import XCTest
@testable import Reporting
import ClusterModel

/// Traffic's HAProxy figures sit among marathon-lb's headline figures, so summary.csv has them only
/// when marathon-lb is in the scenario; peak_p99_latency_ms follows the run's p99 in traffic's own.
final class LBHeadlineTests: XCTestCase {
    func testLBFiguresFollowMarathonLBsOwnAndOnlyThere() {
        let lb = ResultsWriter.headlineKeys(of: "marathon-lb", own: MarathonLB.outputs.headline).map(\.key)
        let last = MarathonLB.outputs.headline.last!.key
        XCTAssertEqual(Array(lb.drop { $0 != last }.prefix(3)), [last, "lb_requests_failed", "lb_queue_timeouts"])
        let traffic = ResultsWriter.headlineKeys(of: "traffic", own: TrafficModel.outputs.headline).map(\.key)
        XCTAssertFalse(traffic.contains("lb_requests_failed"))
        XCTAssertFalse(traffic.contains("lb_queue_timeouts"))
        XCTAssertEqual(traffic.firstIndex(of: "peak_p99_latency_ms"), traffic.firstIndex(of: "latency_p99_ms").map { $0 + 1 })
        // without traffic in the list marathon-lb has only its own
        let noTraffic = ClusterSimulation.standardSubsystems.filter { $0.name != "traffic" }
        XCTAssertEqual(ResultsWriter.headlineKeys(of: "marathon-lb", own: MarathonLB.outputs.headline, list: noTraffic).map(\.key),
                       MarathonLB.outputs.headline.map(\.key))
    }
}
