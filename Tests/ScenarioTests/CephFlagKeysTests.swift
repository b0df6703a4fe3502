@testable import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// The cluster-flag keys (`storage.ceph.<flag>Set` / `<flag>Unset`) and `clientWriteRate`: what
/// loads, and each bad value as one error naming its path.
final class CephFlagKeysTests: XCTestCase {
    func scenario(_ ceph: String, network: Bool = true, duration: String = "1h") -> String {
        CephClientTests.scenario(faults: "", ceph: ceph, network: network, duration: duration)
    }

    func testFlagKeysLoad() {
        guard let s = loadOK(scenario(#", "nodownSet": "5m", "nodownUnset": "10m", "noupSet": "1m", "noupUnset": "2m", "nobackfillSet": 60, "nobackfillUnset": "2h", "norebalanceSet": "0s", "norecoverSet": "3m", "norecoverUnset": "4m""#)) else { return }
        let c = s.spec.storage!.ceph!
        XCTAssertEqual(c.flagSetAt[.nodown], .minutes(5))
        XCTAssertEqual(c.flagUnsetAt[.nodown], .minutes(10))
        XCTAssertEqual(c.flagSetAt[.noup], .minutes(1))
        XCTAssertEqual(c.flagUnsetAt[.noup], .minutes(2))
        XCTAssertEqual(c.flagSetAt[.nobackfill], .minutes(1))
        XCTAssertEqual(c.flagUnsetAt[.nobackfill], .hours(2))
        XCTAssertEqual(c.flagSetAt[.norebalance], .zero)
        XCTAssertNil(c.flagUnsetAt[.norebalance])
        XCTAssertEqual(c.flagSetAt[.norecover], .minutes(3))
        XCTAssertEqual(c.flagUnsetAt[.norecover], .minutes(4))
        XCTAssertNil(c.nooutSet)
    }

    func testEachFlagKeyBadValueIsOneError() {
        for f in ["nodown", "noup", "nobackfill", "norebalance", "norecover"] {
            assertSingleError(scenario(#", "\#(f)Set": "-5m""#), path: "storage.ceph.\(f)Set", ["negative"])
            assertSingleError(scenario(#", "\#(f)Set": "soon""#), path: "storage.ceph.\(f)Set", [])
            assertSingleError(scenario(#", "\#(f)Unset": "-1s""#), path: "storage.ceph.\(f)Unset", ["negative"])
            assertSingleError(scenario(#", "\#(f)Unset": "20m""#), path: "storage.ceph.\(f)Unset", ["needs \"\(f)Set\""])
            assertSingleError(scenario(#", "\#(f)Set": "20m", "\#(f)Unset": "10m""#), path: "storage.ceph.\(f)Unset", ["not after \(f)Set"])
        }
        assertSingleError(scenario(#", "nodownSet": "5m", "noupUnset": "10m""#), path: "storage.ceph.noupUnset", ["needs \"noupSet\""])
        assertSingleError(scenario(#", "norecoverset": "5m""#), path: "storage.ceph.norecoverset", ["norecoverSet"])
    }

    func testClientWriteRateKey() {
        guard let s = loadOK(scenario(#", "clientWriteRate": "20MB/s""#)) else { return }
        XCTAssertEqual(s.spec.storage!.ceph!.clientWriteBytesPerSecond, 20e6)
        assertSingleError(scenario(#", "clientWriteRate": "fast""#), path: "storage.ceph.clientWriteRate", [])
        assertSingleError(scenario(#", "clientWriteRate": "-5MB/s""#), path: "storage.ceph.clientWriteRate", [])
        let noMount = { (t: String) in t.replacingOccurrences(of: #""/db": {"cephMount": {"pgs": 32}}"#, with: #""/web": {}"#) }
        assertSingleError(noMount(scenario(#", "clientWriteRate": "20MB/s""#, network: false)), path: "storage.ceph.clientWriteRate", ["network"])
        // 0 without a network is no write, no error
        _ = loadOK(noMount(scenario(#", "clientWriteRate": 0"#, network: false)))
    }

    /// A full OSD flags the pool full: the mounted app's writes pause (it hangs in I/O, the reason
    /// named), and they never resume while the pool stays full.
    func testAFullPoolHangsTheMountedApp() {
        guard let s = loadOK(scenario(#", "osdCapacity": "80GB", "clientWriteRate": "20MB/s""#)) else { return }
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: s.spec, observer: o)
        m.run()
        guard let full = o.events.first(where: { $0.event == "poolFull" }) else { return XCTFail("pool never full") }
        guard let hang = o.events.first(where: { $0.event == "clientIOBlocked" && $0.subject == "/db" && $0.time >= full.time }) else {
            return XCTFail("the mounted app does not hang when the pool is full")
        }
        XCTAssertEqual(hang.time, full.time)
        XCTAssertTrue(hang.detail.contains("the pool is full"), hang.detail)
        XCTAssertFalse(o.events.contains { $0.event == "clientIOResumed" && $0.time > full.time })
        XCTAssertGreaterThan(m.storage!.ceph!.clients!.appVolumesBlocked, 0)
    }
}
