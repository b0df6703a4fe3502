@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// dockerd's layer downloads when the registry's host goes down under a pull (moby/moby
/// v17.03.0-ce distribution/xfer/download.go: 5 attempts, `attempt × 5` s apart; pull_v2.go
/// resumes after the bytes in the layer's temporary file). Before, the pull failed at once: the
/// task failed (TASK_FAILED, REASON_CONTAINER_LAUNCH_FAILED) and every relaunch was refused until
/// the registry was back, and the bytes already on the host were lost.
final class HarborPullRetryTests: XCTestCase {
    /// HarborPipelineTests' pull scenario with a 10 GB base layer, the image in both registries:
    /// s2-01 pulls 10.02 GB from dc02's registry from 4.2 s; dc02's host crashes at 8 s.
    func scenario(down: String, network: Bool = true) -> String {
        var t = HarborPipelineTests.pullScenario(presentIn: #"["dc01", "dc02"]"#,
                                                 faults: #", "faults": [{"at": "8s", "kind": "hostCrash", "host": "hub2-01", "recoverAfter": "\#(down)"}]"#)
        t = t.replacingOccurrences(of: #"{"digest": "sha256:a", "size": "100MB"}"#, with: #"{"digest": "sha256:a", "size": "10GB"}"#)
        if !network {
            t = t.replacingOccurrences(of: #""network": {"environment": "bare-metal", "datacenterLinks": [{"between": ["dc01", "dc02"], "latency": "20ms", "bandwidth": "100Mbit"}]},"#, with: "")
        }
        return t
    }

    func run(_ text: String) throws -> (ClusterSimulation, MemoryObserver, HarborRegistries) {
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: try XCTUnwrap(loadOK(text)).spec, observer: o)
        XCTAssertTrue(m.run())
        return (m, o, try XCTUnwrap(m.subsystem(HarborRegistries.self)))
    }

    func failedOnS2(_ o: MemoryObserver) -> [Double] {
        o.events.filter { $0.event == "TASK_FAILED" && $0.detail == "s2-01 REASON_CONTAINER_LAUNCH_FAILED" }.map(\.time.seconds)
    }

    /// The registry is back 20 s later: the attempts at 8 s (reset), 13 s and 23 s (no route to
    /// host) fail, the one at 38 s resumes after the 4.47 GB the host holds; the task that started
    /// the pull runs, no launch fails. (Mutations: failing the pull on the registry's host down as
    /// before gives five TASK_FAILED; restarting from the first byte runs the task after 46.9 s.)
    func testAPullRetriesItsDownloadsAndResumesWhenTheRegistryIsBack() throws {
        let (m, o, h) = try run(scenario(down: "20s"))
        let retries = o.events.filter { $0.event == "pullRetry" }
        XCTAssertEqual(retries.map(\.time.seconds), [8, 13, 23])
        guard retries.count == 3 else { return }
        XCTAssertTrue(retries[0].detail.contains("download attempt 1 of 5 failed (connection reset: hub2-01 went down); 4472034551 of 10020000000 bytes received; retrying in 5 seconds"), retries[0].detail)
        XCTAssertTrue(retries[2].detail.contains("attempt 3 of 5 failed (dial tcp hub2-01:443: connect: no route to host)"), retries[2].detail)
        XCTAssertEqual(failedOnS2(o), [])
        XCTAssertTrue(o.events.filter { $0.event == "pullFailed" || $0.event == "pullRefused" }.isEmpty)
        let marathon = try XCTUnwrap(m.marathon)
        let dc02 = marathon.apps[0].instances.filter { $0.state == .running && m.infrastructure.hosts[$0.host].datacenter == "dc02" }
        XCTAssertEqual(dc02.count, 1)
        let running = try XCTUnwrap(dc02.first?.runningSince).seconds
        // the rest, 5.55 GB at 10 Gbit/s, is 4.5 s of wire time; the whole 10.02 GB would be 8.2 s
        XCTAssertGreaterThan(running, 38 + 4.4)
        XCTAssertLessThan(running, 38 + 6.5)
        XCTAssertEqual(h.registries[1].pulledBytes, 10_020_000_000, "every byte once: the retry resumes")
        XCTAssertEqual(h.registries[1].pullsFailed, 0)
        XCTAssertTrue(h.pullFailures.isEmpty)
    }

    /// The registry stays down 2 minutes: the fifth attempt, 5 + 10 + 15 + 20 s after the crash,
    /// fails the pull with dockerd's error of the blob's GET, and the task fails then (not at 8 s);
    /// the relaunches are refused until the registry is back. (Mutation: 6 attempts moves the
    /// failure to 83 s.)
    func testAPullFailsAfterItsFifthDownloadAttempt() throws {
        let (m, o, h) = try run(scenario(down: "2m"))
        XCTAssertEqual(o.events.filter { $0.event == "pullRetry" }.map(\.time.seconds), [8, 13, 23, 38])
        let failed = try XCTUnwrap(o.events.first { $0.event == "pullFailed" })
        XCTAssertEqual(failed.time.seconds, 58)
        XCTAssertTrue(failed.detail.hasSuffix("download attempt 5 of 5 failed, 4472034551 of 10020000000 bytes received: Get https://hub.test/v2/web/app/blobs/sha256:a: dial tcp hub2-01:443: connect: no route to host"), failed.detail)
        XCTAssertEqual(failedOnS2(o).first, 58)
        XCTAssertTrue(o.events.filter { $0.event == "pullRefused" }.allSatisfy { $0.time.seconds > 58 && $0.time.seconds < 128 })
        XCTAssertTrue(h.pullFailures.isEmpty, "the failed task read its error")
        XCTAssertEqual(h.registries[1].pullsFailed, 1 + o.events.filter { $0.event == "pullRefused" }.count, "the failed pull counts")
        let marathon = try XCTUnwrap(m.marathon)
        let dc02 = marathon.apps[0].instances.filter { $0.state == .running && m.infrastructure.hosts[$0.host].datacenter == "dc02" }
        XCTAssertGreaterThan(try XCTUnwrap(dc02.first?.runningSince).seconds, 128, "a new pull once the registry is back")
    }

    /// Without the network model a transfer is a timer at the NIC rate: the bytes delivered before
    /// the failure are its rate times the time it ran, and the retry sends the rest.
    func testWithoutTheNetworkModelTheRetryResumesToo() throws {
        let (_, o, h) = try run(scenario(down: "20s", network: false))
        let retries = o.events.filter { $0.event == "pullRetry" }
        XCTAssertEqual(retries.map(\.time.seconds), [8, 13, 23])
        XCTAssertEqual(failedOnS2(o), [])
        XCTAssertEqual(h.registries[1].pulledBytes, 10_020_000_000)
        let received = try XCTUnwrap(retries.first?.detail.split(separator: ";").dropFirst().first).split(separator: " ").first.flatMap { Int64($0) }
        XCTAssertGreaterThan(try XCTUnwrap(received), 0)
        XCTAssertLessThan(try XCTUnwrap(received), 10_020_000_000)
    }

    /// An image the registry does not hold: dockerd 18.09's `manifest for <name> not found`
    /// (moby/moby v18.09.0 distribution/errors.go notFoundError; the storage model follows 18.09).
    func testManifestUnknownInDockerd1809sWords() throws {
        let (m, _, h) = try run(HarborPipelineTests.pullScenario(presentIn: #"["dc01"]"#))
        withExtendedLifetime(m) {
            XCTAssertEqual(h.pull(image: ImageRef(name: "hub.test/web/nope:1", sizeBytes: 1), host: 0, waiter: 1 << 40),
                           .failed("manifest for hub.test/web/nope:1 not found"))
        }
    }
}
