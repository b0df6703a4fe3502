@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// An execution whose remote registry is down when it starts (goharbor/harbor v2.9.0
/// src/controller/replication/flow/stage.go `initialize`: the remote end's adapter asks
/// `GET /api/version`, adapter/harbor/base/client.go `NewClient`): the flow fails in Harbor's core
/// before it creates any task, the execution is marked Error, and no job retries it (the job
/// service retries jobs, and there is none). Before, the simulator created the task at once and
/// the job service retried it with gocraft/work's backoff until the destination was back.
final class HarborExecutionStartTests: XCTestCase {
    /// dc02 is down from 59 s to 100 s; the policy copies dc01's image every minute. The firing
    /// at 60 s fails without a task; the one at 120 s copies. (Mutation: `executionStarts` always
    /// true gives a task at 60 s, two replicationRetry and the image before 120 s.)
    func testAScheduledExecutionFailsWithoutATaskWhenTheDestinationIsDown() throws {
        let text = HarborPipelineTests.twoDCs(images: #"{"name": "p/one:1", "layers": ["sha256:a"], "in": ["dc01"]}"#,
                                              policies: #"{"name": "dr", "source": "dc01", "destination": "dc02", "trigger": "scheduled", "period": "1m"}"#,
                                              duration: "5m")
        let withFault = text.dropLast(1) + #", "faults": [{"at": "59s", "kind": "hostCrash", "host": "hub2-01", "recoverAfter": "41s"}]}"#
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: try XCTUnwrap(loadOK(String(withFault))).spec, observer: o)
        XCTAssertTrue(m.run())
        let h = try XCTUnwrap(m.subsystem(HarborRegistries.self))
        let failed = o.events.filter { $0.event == "replicationExecutionFailed" }
        XCTAssertEqual(failed.map(\.time.seconds), [60])
        XCTAssertEqual(failed.first?.detail, #"scheduled execution: failed to create adapter for destination registry https://dc02.hub.test: Get "https://dc02.hub.test/api/version": dial tcp hub2-01:443: connect: no route to host"#)
        XCTAssertEqual(o.events.filter { $0.event == "replicationQueued" }.map(\.time.seconds), [120])
        XCTAssertTrue(o.events.filter { $0.event == "replicationRetry" }.isEmpty)
        let arrived = try XCTUnwrap(h.image("p/one:1").flatMap { h.arrival(image: $0, registry: 1) }).seconds
        XCTAssertGreaterThan(arrived, 120 + 8)
    }

    /// The release scenario with dc01's Harbor down from 670 s to 730 s: Jenkins' push reaches the
    /// office at 678 s, and the event-based execution office -> dc01 fails then. No task, no retry:
    /// build 41 never reaches dc01 or dc02 (until someone starts the policy again, which the
    /// scenario does not), and the deployments wait with their launches failing `manifest
    /// unknown`. (Mutation: as above; the job service's third run copies it at 811.9 s.)
    func testAnEventBasedExecutionFailsAndTheReleaseStaysInTheOffice() throws {
        let spec = try ScenarioLoader.load(path: DeliveryReplayTests.releasePath,
                                           overrides: [#"faults=[{"at": "670s", "kind": "hostCrash", "host": "hub-dc01-01", "recoverAfter": "60s"}]"#]).spec
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        XCTAssertTrue(m.run())
        let h = try XCTUnwrap(m.subsystem(HarborRegistries.self))
        let failed = try XCTUnwrap(o.events.first { $0.event == "replicationExecutionFailed" })
        XCTAssertEqual(failed.subject, "office-to-dc01")
        XCTAssertEqual(failed.time.seconds, 677.999758293, accuracy: 1e-6)
        XCTAssertTrue(failed.detail.hasPrefix("courseware/web:41: failed to create adapter for destination registry https://dc01.hub.example.com"), failed.detail)
        XCTAssertTrue(o.events.filter { $0.event == "replicationQueued" && $0.subject == "office-to-dc01" }.isEmpty)
        let image = try XCTUnwrap(h.image("courseware/web:41"))
        XCTAssertNil(h.arrival(image: image, registry: 1))
        XCTAssertNil(h.arrival(image: image, registry: 2))
        let j = try XCTUnwrap(m.subsystem(JenkinsPipeline.self))
        XCTAssertNil(j.releases[0].deployedAt)
        XCTAssertGreaterThan(h.launchesFailedByLag, 100)
    }
}
