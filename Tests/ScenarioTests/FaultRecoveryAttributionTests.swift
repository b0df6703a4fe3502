@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// Which fault degraded the apps (summary.json `platform.faults[].apps_degraded`, `recovered_after_s`;
/// docs/outputs.md): the one whose hosts held the instances the app was missing when it fell below
/// target, or one still in effect then. /web runs on slave-01 and slave-02 only.
final class FaultRecoveryAttributionTests: XCTestCase {
    func run(faults: String, actions: String = "[]", app: String = "") throws -> (ClusterSimulation, MemoryObserver) {
        let json = """
        {"name": "t", "duration": "40m",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 4, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "marathon": {"apps": [{"id": "/web", "cmd": "run", "instances": 2, "mem": 256,
                                "constraints": [["hostname", "LIKE", "slave-0[12]"], ["hostname", "UNIQUE"]]\(app)}]},
         "faults": \(faults), "actions": \(actions)}
        """
        let s = try XCTUnwrap(loadOK(json))
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: s.spec, observer: o)
        m.run()
        return (m, o)
    }

    /// A host without instances dies for good; later the app is scaled up (below target until the new
    /// instance runs): that is not the fault's doing.
    func testAnAppBelowTargetForItsOwnReasonIsNotTheFaults() throws {
        let (m, o) = try run(faults: #"[{"at": "5m", "kind": "hostCrash", "host": "slave-04"}]"#,
                             actions: #"[{"at": "20m", "kind": "scale", "app": "/web", "instances": 3}]"#)
        XCTAssertEqual(o.events.filter { $0.event == "appBelowTarget" }.count, 1)
        let r = try XCTUnwrap(m.marathon?.faultRecoveries().first)
        XCTAssertFalse(r.degradedApps)
        XCTAssertNil(r.recoveredAfter)
    }

    /// The host of an instance dies (and is back after 5 minutes: the only other host /web may use):
    /// the app falls below target missing that instance, and is back when its replacement runs; the
    /// row names the host.
    func testTheHostOfAnInstanceDegradesTheApp() throws {
        let (m, o) = try run(faults: #"[{"at": "5m", "kind": "hostCrash", "host": "slave-02", "recoverAfter": "5m"}]"#)
        let below = try XCTUnwrap(o.events.first { $0.event == "appBelowTarget" })
        XCTAssertTrue(below.detail.hasSuffix("; not on slave-02 (a fault hit it)"), below.detail)
        let r = try XCTUnwrap(m.marathon?.faultRecoveries().first)
        XCTAssertTrue(r.degradedApps)
        let back = try XCTUnwrap(o.events.first { $0.event == "appAtTarget" && $0.time > below.time })
        XCTAssertEqual(r.recoveredAfter, back.time - (SimTime.zero + .minutes(5)))
    }

    /// The same with an instance Marathon forgets as soon as it is unreachable (expunged at once): the
    /// app is below target without it, and the fault that took it is still named.
    func testAnInstanceExpungedAtOnceStillNamesItsHost() throws {
        let (m, o) = try run(faults: #"[{"at": "5m", "kind": "hostCrash", "host": "slave-02", "recoverAfter": "5m"}]"#,
                             app: #", "unreachableStrategy": {"inactiveAfterSeconds": 0, "expungeAfterSeconds": 0}"#)
        XCTAssertEqual(o.events.first { $0.event == "expungeUnreachable" }.map { $0.time < SimTime.zero + .minutes(7) }, true)
        let below = try XCTUnwrap(o.events.first { $0.event == "appBelowTarget" })
        XCTAssertTrue(below.detail.hasSuffix("; not on slave-02 (a fault hit it)"), below.detail)
        XCTAssertEqual(m.marathon?.faultRecoveries().first?.degradedApps, true)
    }

    /// While a fault is in effect (a host down until its `recoverAfter`), any app falling below target
    /// counts as its doing (it may act through other hosts: Ceph, a registry); after, only the host rule.
    func testWhileAFaultLastsEveryDegradationIsItsAfterwardsOnlyItsHosts() throws {
        let lasting = try run(faults: #"[{"at": "5m", "kind": "hostCrash", "host": "slave-04", "recoverAfter": "20m"}]"#,
                              actions: #"[{"at": "20m", "kind": "scale", "app": "/web", "instances": 3}]"#)
        XCTAssertEqual(lasting.0.marathon?.faultRecoveries().first?.degradedApps, true)
        let over = try run(faults: #"[{"at": "5m", "kind": "hostCrash", "host": "slave-04", "recoverAfter": "10m"}]"#,
                           actions: #"[{"at": "20m", "kind": "scale", "app": "/web", "instances": 3}]"#)
        XCTAssertEqual(over.0.marathon?.faultRecoveries().first?.degradedApps, false)
    }
}
