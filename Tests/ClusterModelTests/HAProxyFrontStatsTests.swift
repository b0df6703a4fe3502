import XCTest
@testable import ClusterModel
import SimKernel

/// The stats page the autoscaler polls (`HAProxyStatsSource`) and lb.csv's figures.
final class HAProxyFrontStatsTests: XCTestCase {
    func at(_ s: Double) -> SimTime { SimTime.zero + .fromSeconds(s) }

    /// read_freq_ctr (haproxy 1.7 src/freq_ctr.c) against hand-worked counts.
    func testRateCounterFollowsFreqCtr() {
        var c = HAProxyFreqCounter()
        for k in 0..<5 { c.add(at: at(10.1 + 0.1 * Double(k))) }
        XCTAssertEqual(c.read(at: at(10.9)), 5, "this second: 5, nothing before")
        for k in 0..<3 { c.add(at: at(11.1 + 0.05 * Double(k))) }
        // curr 3 + past 5 x (999 - 250) x 4294971 >> 32 = 3 + 3
        XCTAssertEqual(c.read(at: at(11.25)), 6)
        // a second later: curr 0, past 3 x (999 - 500) x 4294971 >> 32 = 1
        XCTAssertEqual(c.read(at: at(12.5)), 1)
        XCTAssertEqual(c.read(at: at(13.0)), 0, "idle for more than a second")
        var low = HAProxyFreqCounter()
        low.add(at: at(20.5))
        XCTAssertEqual(low.read(at: at(21.9)), 1, "a rate of at most 1 reads as is (no flapping)")
        var gap = HAProxyFreqCounter()
        gap.add(at: at(30.2)); gap.add(at: at(30.3)); gap.add(at: at(32.1))
        XCTAssertEqual(gap.read(at: at(32.5)), 1, "a skipped second drops the previous count")
    }

    /// Per-request: the FRONTEND row of each instance reads its share of the arrivals, stot
    /// counts every session, qcur is 0; fluid mode gives rows of the same shape.
    func testStatsRowsPerInstanceInBothModes() {
        let s = HAProxyHarness.service(HAProxyFrontTests.fromMinute(20), work: .constant(0.01))
        for mode in TrafficSpec.Mode.allCases {
            var spec = HAProxyFrontTests.spec(instances: 3, s)
            spec.traffic!.mode = mode
            let (m, t, _) = HAProxyHarness.run(spec) { f in f.reloadAt = [HAProxyFrontTests.at60]; f.instanceHosts = [0, 1] }
            withExtendedLifetime(m) {
            for i in 0..<2 {
                guard let rows = t.haproxyFrontendStats(i, now: m.sim.now) else { return XCTFail("instance \(i) answers") }
                XCTAssertEqual(rows.map(\.name), ["web_10000"], "\(mode)")
                XCTAssertEqual(Double(rows[0].rate), 10, accuracy: 1, "\(mode): half of 20/s")
                XCTAssertEqual(rows[0].qcur, 0)
                XCTAssertEqual(Double(rows[0].stot), 1790, accuracy: 20, "\(mode)")
            }
            }
        }
    }

    /// A reload starts a new HAProxy process, whose stats page counts from zero at once: read
    /// between the reload and the next request, the row is the new process's (rate, scur and stot
    /// 0), not the old one's (which drains unseen). One request a second from 61 s; reloads at 60 s
    /// (and, in the second run, 150.5 s); the page read at 150.7 s (the next request is at 151 s).
    func testTheNewProcessesCountersStartAtTheReload() {
        let s = HAProxyHarness.service(HAProxyFrontTests.fromMinute(1), work: .constant(0.01))
        let spec = HAProxyFrontTests.spec(instances: 1, duration: .milliseconds(150_700), s)
        for second in [false, true] {
            let reloads = [HAProxyFrontTests.at60] + (second ? [SimTime.zero + .milliseconds(150_500)] : [])
            let (m, t, _) = HAProxyHarness.run(spec) { f in f.reloadAt = reloads }
            withExtendedLifetime(m) {
                guard let rows = t.haproxyFrontendStats(0, now: SimTime.zero + .milliseconds(150_700)) else { return XCTFail("instance 0 answers") }
                XCTAssertEqual(rows.map(\.name), ["web_10000"])
                XCTAssertEqual(rows[0].rate, second ? 0 : 1, "a fresh counter after the reload")
                XCTAssertEqual(rows[0].stot, second ? 0 : 90)
                XCTAssertEqual(rows[0].scur, 0)
            }
        }
    }
}
