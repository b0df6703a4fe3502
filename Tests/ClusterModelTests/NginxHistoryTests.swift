@testable import ClusterModel
import SimKernel
import XCTest

/// `NginxProxies.keepHistory(textsAt:)` (what `clustersim run` and the bench call, issue 14 item
/// 4): nginx holds the generation it runs and the texts asked for, not every generation's text,
/// parsed configuration and upstreams, so memory does not grow with reloads; the run is the same.
final class NginxHistoryTests: XCTestCase {
    /// "web" alternates between all three instances and the first one every 20 s: a render and a
    /// reload per change.
    func run(changes n: Int, keep: [SimTime]?) -> (NginxProxies, [LoggedEvent]) {
        let rig = DiscoveryRig(duration: .seconds(Int64(20 * n + 60)))
        let changes = (1...n).map { k in
            FakeCatalog.Change(at: .seconds(Int64(20 * k)), service: 0, instances: k % 2 == 1 ? [rig.instances[0]] : rig.instances)
        }
        let (model, ev) = rig.run(initial: rig.instances, changes: changes, keepHistory: keep)
        return (model.subsystem(NginxProxies.self)!, ev)
    }

    func testRetainedGenerationsAndTextsDoNotGrowWithReloads() {
        let wanted = SimTime.zero + .seconds(150)
        let (all, a) = run(changes: 20, keep: nil)
        let (kept, k) = run(changes: 20, keep: [wanted])
        XCTAssertEqual(a.map(\.detail), k.map(\.detail), "the same run")
        XCTAssertEqual(kept.reloads(ofProxy: 0), 20, "a reload per change")
        XCTAssertEqual(kept.generation(ofProxy: 0), all.generation(ofProxy: 0))
        XCTAssertEqual(all.retained(proxy: 0).generations, 21, "without keepHistory: every generation")
        XCTAssertEqual(kept.retained(proxy: 0).generations, 1, "the running generation only")
        XCTAssertEqual(kept.retained(proxy: 0).texts, 2, "the latest text and the one current at 150 s")
        XCTAssertEqual(kept.includedText(proxy: 0, at: wanted), all.includedText(proxy: 0, at: wanted))
        XCTAssertEqual(kept.includedText(proxy: 0, at: SimTime.zero + .seconds(500)), all.includedText(proxy: 0, at: SimTime.zero + .seconds(500)))
        let g = kept.generation(ofProxy: 0)
        XCTAssertEqual(kept.upstreams(proxy: 0, generation: g), all.upstreams(proxy: 0, generation: g))
        for old in 0...g {
            XCTAssertEqual(kept.route(proxy: 0, generation: old, path: "/x"), all.route(proxy: 0, generation: old, path: "/x"),
                           "requests in flight on old workers keep their route")
        }
        // flat: ten more reloads hold the same bytes
        let (longer, _) = run(changes: 30, keep: [wanted])
        XCTAssertEqual(longer.retained(proxy: 0).generations, 1)
        XCTAssertEqual(longer.retained(proxy: 0).bytes, kept.retained(proxy: 0).bytes)
        XCTAssertGreaterThan(run(changes: 30, keep: nil).0.retained(proxy: 0).bytes, all.retained(proxy: 0).bytes)
    }
}
