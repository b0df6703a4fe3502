import XCTest
@testable import ClusterModel

/// The scheduler's list of apps with launches queued, kept by `toLaunch`'s observer instead of a walk
/// over every app per change (issue 14). It must hold exactly the apps whose `toLaunch > 0`, in app order
/// (the order the walk gave, which the offer matching reads); debug builds also assert it at every read.
final class DemandTrackerTests: XCTestCase {
    func testHoldsTheAppsWithLaunchesQueuedInAppOrder() {
        let d = DemandTracker()
        var wanted = [Bool](repeating: false, count: 40)
        var x: UInt64 = 12345
        for _ in 0..<2000 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            let app = Int((x >> 33) % 40)
            let w = (x >> 20) & 1 == 1
            d.set(app, wanted: w)
            wanted[app] = w
            XCTAssertEqual(d.apps, wanted.indices.filter { wanted[$0] })
        }
    }

    func testToLaunchEntersAndLeavesItsApp() throws {
        let apps = ["/a", "/b", "/c"].map { MarathonRuntimeTests.app($0, instances: 2) }
        let version = MarathonVersion(1, 4, 9)
        let s = ClusterSpec(name: "t", seed: 1, duration: .minutes(1), sampleInterval: .minutes(1),
                            hostGroups: MarathonRuntimeTests.hostGroups(agents: 2), faults: [],
                            zookeeper: ZooKeeperSpec(servers: 1), mesos: MesosSpec(),
                            marathon: MarathonSpec(version: version, flags: MarathonFlags(version: version), apps: apps,
                                                   behaviour: apps.map { _ in AppBehaviour(task: TaskBehaviour(startup: .constant(1)), imageSizeBytes: 1) }))
        let m = ClusterSimulation(spec: s, observer: MemoryObserver())
        let mar = try XCTUnwrap(m.marathon)
        for a in mar.apps { a.toLaunch = 0 }
        XCTAssertEqual(mar.appsWithDemand, [])
        mar.apps[2].toLaunch = 3
        mar.apps[0].toLaunch = 1
        XCTAssertEqual(mar.appsWithDemand, [0, 2])
        mar.apps[2].toLaunch = 2          // still wanted: entered once
        XCTAssertEqual(mar.appsWithDemand, [0, 2])
        mar.apps[0].toLaunch = 0
        XCTAssertEqual(mar.appsWithDemand, [2])
    }
}
