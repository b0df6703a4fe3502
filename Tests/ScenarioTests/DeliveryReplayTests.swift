@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// Delivery incidents replayed to their end (session 47): what the replays of the shipped delivery
/// scenarios with changed parameters and faults showed to disagree with Jenkins, Harbor or dockerd.
final class DeliveryReplayTests: XCTestCase {
    static let releasePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../scenarios/release-pipeline.json").standardized.path

    func runRelease(_ overrides: [String]) throws -> (ClusterSimulation, MemoryObserver) {
        let spec = try ScenarioLoader.load(path: Self.releasePath, overrides: overrides).spec
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        XCTAssertTrue(m.run())
        return (m, o)
    }

    /// A freestyle job does not build concurrently (AbstractProject.concurrentBuild is false by
    /// default): with two free executors, a commit during a build queues the next build, which
    /// waits until the running one's post-build step (the Marathon PUTs) is done. A commit while
    /// that build waits joins it (Queue.scheduleInternal folds it into the item in the queue).
    /// Before, the second build started on the other executor after its quiet period, and its PUT
    /// met the first build's deployment with 409s.
    func testAJobDoesNotBuildConcurrentlyAndCommitsJoinTheBlockedBuild() throws {
        let commits = #"jenkins.commits=[{"at": "9m", "job": "courseware-web"}, {"at": "9m10s", "job": "courseware-web"}, {"at": "10m", "job": "courseware-web"}]"#
        let (m, o) = try runRelease([commits])
        let j = try XCTUnwrap(m.subsystem(JenkinsPipeline.self))
        XCTAssertEqual(j.spec.executors, 2)
        XCTAssertEqual(j.releases.map(\.build), [41, 42])
        XCTAssertEqual(j.releases[1].commits, 2, "the commit at 10 min joins the blocked build")
        let lastPut = try XCTUnwrap(o.events.last { $0.event == "deployRequested" && $0.subject.hasSuffix("#41") }).time
        XCTAssertEqual(try XCTUnwrap(j.releases[1].startedAt), lastPut, "waits for build 41 to be done")
        XCTAssertTrue(o.events.contains { $0.event == "buildBlocked" && $0.subject.hasSuffix("#42") })
        XCTAssertNil(j.releases[1].failure)
        XCTAssertFalse(o.events.contains { $0.event == "deployRetry" })
    }
}
