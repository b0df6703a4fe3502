@testable import ClusterModel
import SimKernel
import XCTest

/// With `keepHistory`, the generations nginx no longer runs keep their `location` routes (requests
/// in flight on old workers read them); equal ones share one array, so reloads that do not change
/// the routes (an instance moved) add no array each (issue 14 item 4).
final class NginxLocationSharingTests: XCTestCase {
    func testEqualRoutesOfOldGenerationsShareOneArray() {
        let rig = DiscoveryRig(duration: .seconds(Int64(20 * 30 + 60)))
        let changes = (1...30).map { k in
            FakeCatalog.Change(at: .seconds(Int64(20 * k)), service: 0, instances: k % 2 == 1 ? [rig.instances[0]] : rig.instances)
        }
        let (kept, _) = rig.run(initial: rig.instances, changes: changes, keepHistory: [])
        let (all, _) = rig.run(initial: rig.instances, changes: changes)
        let nginx = kept.subsystem(NginxProxies.self)!, reference = all.subsystem(NginxProxies.self)!
        XCTAssertEqual(nginx.reloads(ofProxy: 0), 30)
        for g in 0...nginx.generation(ofProxy: 0) {
            XCTAssertEqual(nginx.configuration(proxy: 0, generation: g).locations, reference.configuration(proxy: 0, generation: g).locations)
        }
        XCTAssertLessThanOrEqual(nginx.locationArrays(proxy: 0), 2, "the running generation's and one shared by the older ones")
        XCTAssertGreaterThan(reference.locationArrays(proxy: 0), 20, "without keepHistory each generation has its own")
    }
}
