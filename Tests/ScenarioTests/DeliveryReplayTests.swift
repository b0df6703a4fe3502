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

    /// The office Harbor's host crashes 18 ms into `docker push` (the build's 68 MB take 58 ms):
    /// dockerd tries a failed layer upload again 5, 10, 15 and 20 s later, 5 attempts in all
    /// (moby/moby v17.03.0-ce distribution/xfer/upload.go). Down 20 s, the fourth attempt finds it
    /// up and the release goes on; down 2 min, the push fails after the fifth attempt, 50 s after
    /// the crash. Before, the upload ran on to its end as if the host were up and the build failed
    /// at the manifest PUT, 40 ms after the crash, however short the outage.
    func testDockerPushRetriesItsUploadsWhileThePushRegistryIsDown() throws {
        let crash = { (down: String) in #"faults=[{"at": "677.96s", "kind": "hostCrash", "host": "ci-02", "recoverAfter": "\#(down)"}]"# }
        let (m, o) = try runRelease([crash("20s")])
        let j = try XCTUnwrap(m.subsystem(JenkinsPipeline.self))
        let retries = o.events.filter { $0.event == "pushRetry" }
        XCTAssertEqual(retries.map { ($0.time.seconds * 100).rounded() / 100 }, [677.96, 682.96, 692.96])
        XCTAssertNil(j.releases[0].failure)
        let pushed = try XCTUnwrap(j.releases[0].pushedAt).seconds
        XCTAssertGreaterThan(pushed, 707.96, "the fourth attempt, 5 + 10 + 15 s after the crash, sends the layers")
        XCTAssertLessThan(pushed, 708.1)
        XCTAssertNotNil(j.releases[0].deployedAt)

        let (m2, o2) = try runRelease([crash("2m")])
        let j2 = try XCTUnwrap(m2.subsystem(JenkinsPipeline.self))
        XCTAssertEqual(o2.events.filter { $0.event == "pushRetry" }.count, 4)
        let failed = try XCTUnwrap(o2.events.first { $0.event == "buildFailed" })
        XCTAssertEqual(failed.time.seconds, 727.96, accuracy: 1e-6)
        XCTAssertTrue(j2.releases[0].failure?.contains("upload attempt 5 of 5") == true, "\(String(describing: j2.releases[0].failure))")
        XCTAssertNil(j2.releases[0].pushedAt)
    }

    /// Two data centers; dc01 holds one image of two 100 MB blobs, a policy copies it to dc02
    /// every minute on dc01's job service; dc01's host crashes 10 ms into the first task's
    /// manifest check (a 40 ms round trip) and is back 30 s later.
    static let jobServiceCrash = """
        {"name": "t", "duration": "10m", "sampleInterval": "1m", "seed": 3,
         "datacenters": [{"name": "dc01", "racks": ["a1"]}, {"name": "dc02", "racks": ["b1"]}],
         "hostGroups": [{"name": "hub1", "count": 1, "datacenter": "dc01", "cpus": 8, "memory": "32GiB", "disk": "4TB", "nic": "10Gbit"},
                        {"name": "hub2", "count": 1, "datacenter": "dc02", "cpus": 8, "memory": "32GiB", "disk": "4TB", "nic": "10Gbit"}],
         "network": {"environment": "bare-metal", "datacenterLinks": [{"between": ["dc01", "dc02"], "latency": "20ms", "bandwidth": "100Mbit"}]},
         "harbor": {"domain": "hub.test", "registries": [{"name": "dc01", "host": "hub1-01"}, {"name": "dc02", "host": "hub2-01"}],
                    "layers": [{"digest": "sha256:a", "size": "100MB"}, {"digest": "sha256:b", "size": "100MB"}],
                    "images": [{"name": "p/one:1", "layers": ["sha256:a", "sha256:b"], "in": ["dc01"]}],
                    "policies": [{"name": "dr", "source": "dc01", "destination": "dc02", "trigger": "scheduled", "period": "1m"}]},
         "faults": [{"at": "60.01s", "kind": "hostCrash", "host": "hub1-01", "recoverAfter": "30s"}]}
        """

    /// The job service's host goes down: every job on its workers dies with it at that moment,
    /// whatever step it is at (a failed run, retried after gocraft/work's backoff once the host is
    /// back). Before, only a job sending blob bytes failed then; this one, between the two ends
    /// of its manifest check, failed 30 ms later as "manifest check at dc02: its host is
    /// unreachable" (dc02 was up), and a job waiting for a blob retry went on retrying on a dead
    /// job service.
    func testAJobDiesWithItsJobServicesHost() throws {
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: try XCTUnwrap(loadOK(Self.jobServiceCrash)).spec, observer: o)
        XCTAssertTrue(m.run())
        let h = try XCTUnwrap(m.subsystem(HarborRegistries.self))
        let failed = o.events.filter { $0.event == "replicationRetry" }
        XCTAssertEqual(failed.count, 1)
        XCTAssertEqual(failed[0].time.seconds, 60.01, accuracy: 1e-9)
        XCTAssertTrue(failed[0].detail.contains("the job service's host hub1-01 went down"), failed[0].detail)
        let arrived = try XCTUnwrap(h.image("p/one:1").flatMap { h.arrival(image: $0, registry: 1) }).seconds
        // "retry in 52s": the next run starts after that backoff (the step the dead job had under
        // way must not start it early when the host is back), and sends the 200 MB (16 s)
        let backoff = try XCTUnwrap(Double(try XCTUnwrap(failed[0].detail.split(separator: " ").last).dropLast()))
        XCTAssertGreaterThan(60.01 + backoff, 90.01)
        XCTAssertGreaterThan(arrived, 60.01 + backoff + 16, "the next run, after the host is back and the backoff")
        // the execution at 120 s finds the image not there yet and makes a task of its own
        // (HarborOverlappingExecutionsTests): both copy the two blobs
        XCTAssertEqual(o.events.filter { $0.event == "replicationQueued" }.map(\.time.seconds), [60, 120])
        XCTAssertEqual(h.registries[1].tasksDone, 2)
        XCTAssertEqual(h.registries[1].replicatedBytes, 400e6)
    }
}
