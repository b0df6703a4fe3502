import XCTest
@testable import ClusterModel
import SimKernel

/// What replaying the storage incidents with other parameters showed to differ from the real
/// systems (session 47), each checked against their code.
final class StorageReplayTests: XCTestCase {
    typealias Setup = CephRecoveryFlowTests.Setup
    typealias Run = CephRecoveryFlowTests.Run

    /// `mon_osd_down_out_interval = 0`: Ceph's monitors mark a down OSD out only while the interval
    /// is > 0 (OSDMonitor::tick), so a down host is never marked out: its PGs stay degraded, no
    /// backfill starts, and its copies count again when it boots. It was "out at once" here.
    func testDownOutIntervalZeroNeverMarksOut() {
        for network in [true, false] {
            var s = Setup()
            s.network = network
            s.faults = [FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("ceph-02"), recoverAfter: .hours(2))]
            s.configure = { $0.downOutInterval = .zero }
            s.duration = .minutes(90)
            let r = Run(s)
            r.run()
            XCTAssertEqual(r.all("osdDown").count, 1, "network \(network)")
            XCTAssertTrue(r.all("osdDown").first?.detail.contains("never marked out") == true, "\(r.all("osdDown"))")
            XCTAssertEqual(r.all("osdOut").count, 0, "never marked out (network \(network))")
            XCTAssertTrue(r.ceph.recoveries.isEmpty)
            XCTAssertEqual(r.ceph.metrics().osdsIn, 10, "the down OSDs stay in")
            XCTAssertEqual(r.ceph.metrics().degradedRatio, 0.2, accuracy: 0.03, "one host of five: a fifth of the copies missing")
            XCTAssertEqual(r.ceph.recoveryThroughput, 0)
            s.duration = .hours(3)
            let r2 = Run(s)
            r2.run()
            XCTAssertEqual(r2.all("osdUp").count, 1)
            XCTAssertEqual(r2.ceph.metrics().degradedRatio, 0, "its copies count again when it is back")
            XCTAssertEqual(r2.all("osdOut").count, 0)
        }
    }
}
