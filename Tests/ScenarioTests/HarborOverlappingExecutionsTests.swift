@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// A scheduled policy whose executions take longer than its period: Harbor creates an execution
/// for every firing and a task for every matching image (goharbor/harbor v2.9.0
/// src/controller/replication/execution.go `Start`, flow/copy.go `Run`), without looking for a
/// task of the same image that is still copying (`single_active_replication`, v2.14.0, is the
/// option that skips such executions). Before, the simulator folded the second trigger into the
/// task in progress.
final class HarborOverlappingExecutionsTests: XCTestCase {
    /// One image of two 100 MB blobs, dc01 -> dc02 every 10 s over a 100 Mbit/s link: alone its
    /// copy takes 16.6 s plus 5.5 round trips, so the firing at 20 s finds it still copying blob b.
    /// (Mutation: the old fold, a trigger ignored while a task of the image is pending, gives one
    /// task, 200 MB sent and the image at 26.8 s.)
    func testAnExecutionWhileTheLastOneCopiesCopiesAgain() throws {
        let text = HarborPipelineTests.twoDCs(images: #"{"name": "p/one:1", "layers": ["sha256:a", "sha256:b"], "in": ["dc01"]}"#,
                                              policies: #"{"name": "dr", "source": "dc01", "destination": "dc02", "trigger": "scheduled", "period": "10s"}"#,
                                              duration: "2m")
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: try XCTUnwrap(loadOK(text)).spec, observer: o)
        XCTAssertTrue(m.run())
        let h = try XCTUnwrap(m.subsystem(HarborRegistries.self))
        let queued = o.events.filter { $0.event == "replicationQueued" }.map(\.time.seconds)
        XCTAssertEqual(Array(queued.prefix(2)), [10, 20], "the firing at 20 s makes a second task")
        let replicated = o.events.filter { $0.event == "imageReplicated" }
        XCTAssertEqual(replicated.count, queued.count, "every task PUTs the manifest")
        XCTAssertEqual(h.registries[1].tasksDone, queued.count)
        // blob a was committed before the second task's HEAD; blob b went once per task
        XCTAssertEqual(h.registries[1].sentBytes, 100e6 + Double(queued.count) * 100e6)
        let arrived = try XCTUnwrap(h.image("p/one:1").flatMap { h.arrival(image: $0, registry: 1) }).seconds
        XCTAssertEqual(arrived, replicated[0].time.seconds, "the image keeps its first arrival")
        let alone = 200e6 / 12.5e6 * HarborPipelineTests.framing + 5.5 * 0.040
        XCTAssertGreaterThan(arrived, 10 + alone + 1, "blob b shares the link with the second task's copy of it")
        XCTAssertTrue(replicated.dropFirst().allSatisfy { $0.detail.contains("it was there since") })
    }
}
