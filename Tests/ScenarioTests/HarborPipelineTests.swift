@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// Harbor registries, replication over the data-center links of the network model, the Mesos
/// agents' pulls through them, and the Jenkins release pipeline (issue 16).
final class HarborPipelineTests: XCTestCase {
    /// Two data centers, a registry in each, a 100 Mbit/s link with 20 ms one way; `images`,
    /// `policies` and extra top-level keys are spliced in.
    static func twoDCs(images: String, policies: String, layers: String = #"{"digest": "sha256:a", "size": "100MB"}, {"digest": "sha256:b", "size": "100MB"}"#,
                       extra: String = "", harborExtra: String = "", duration: String = "30m") -> String {
        """
        {"name": "t", "duration": "\(duration)", "sampleInterval": "1m", "seed": 3,
         "datacenters": [{"name": "dc01", "racks": ["a1"]}, {"name": "dc02", "racks": ["b1"]}],
         "hostGroups": [{"name": "hub1", "count": 1, "datacenter": "dc01", "cpus": 8, "memory": "32GiB", "disk": "4TB", "nic": "10Gbit"},
                        {"name": "hub2", "count": 1, "datacenter": "dc02", "cpus": 8, "memory": "32GiB", "disk": "4TB", "nic": "10Gbit"}\(extra.isEmpty ? "" : ",")
                        \(extra)],
         "network": {"environment": "bare-metal", "datacenterLinks": [{"between": ["dc01", "dc02"], "latency": "20ms", "bandwidth": "100Mbit"}]},
         "harbor": {"domain": "hub.test", "registries": [{"name": "dc01", "host": "hub1-01"}, {"name": "dc02", "host": "hub2-01"}],
                    "layers": [\(layers)], "images": [\(images)], "policies": [\(policies)]\(harborExtra)}}
        """
    }

    static let framing = Datapath.wireBytesPerPayloadByte(.host, mtu: 1500)

    static let releasePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../scenarios/release-pipeline.json").standardized.path

    /// Runs the shipped release scenario (with `--set` overrides).
    func runRelease(overrides: [String] = []) throws -> (ClusterSimulation, MemoryObserver, HarborRegistries) {
        try run(spec: ScenarioLoader.load(path: Self.releasePath, overrides: overrides).spec)
    }

    func run(_ text: String) throws -> (ClusterSimulation, MemoryObserver, HarborRegistries) {
        try run(spec: try XCTUnwrap(loadOK(text)).spec)
    }

    func run(spec: ClusterSpec) throws -> (ClusterSimulation, MemoryObserver, HarborRegistries) {
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        XCTAssertTrue(m.run())
        return (m, o, try XCTUnwrap(m.subsystem(HarborRegistries.self)))
    }

    func arrival(_ h: HarborRegistries, _ ref: String, in registry: Int) -> Double? {
        h.image(ref).flatMap { h.arrival(image: $0, registry: registry) }?.seconds
    }

    // MARK: replication time over a link

    /// S = 100 MB over B = 100 Mbit/s: S/B = 8 s of wire time (more with TCP/IP framing), plus
    /// the round trips of a task (manifest check, HEAD, mount check + POST, the PUT's answer,
    /// manifest push: 5.5 × 40 ms). A scheduled execution at 60 s starts it.
    func testOneReplicationTakesAtLeastSizeOverBandwidthPlusRoundTrips() throws {
        let text = Self.twoDCs(images: #"{"name": "p/one:1", "layers": ["sha256:a"], "in": ["dc01"]}"#,
                               policies: #"{"name": "nightly", "source": "dc01", "destination": "dc02", "trigger": "scheduled", "period": "1m"}"#)
        let (_, _, h) = try run(text)
        let took = try XCTUnwrap(arrival(h, "p/one:1", in: 1)) - 60
        let wire = 100e6 / 12.5e6
        XCTAssertGreaterThanOrEqual(took, wire + 5.5 * 0.040)
        // the bytes on the wire carry TCP/IP and Ethernet framing (1538 bytes per 1448 of payload)
        XCTAssertEqual(took, wire * Self.framing + 5.5 * 0.040, accuracy: 0.001)
        XCTAssertEqual(h.registries[1].replicatedBytes, 100e6)
    }

    /// Two data centers may name their racks alike (every host group's default rack is "rack-01"):
    /// they are still different switches, and a copy between them crosses the link (before the
    /// network model keyed racks by name only, this copy took 80 ms at the NIC rate).
    func testDataCentersWithTheSameRackNamesStillCrossTheLink() throws {
        let text = Self.twoDCs(images: #"{"name": "p/one:1", "layers": ["sha256:a"], "in": ["dc01"]}"#,
                               policies: #"{"name": "nightly", "source": "dc01", "destination": "dc02", "trigger": "scheduled", "period": "1m"}"#)
            .replacingOccurrences(of: #""racks": ["a1"]"#, with: #""racks": ["r1"]"#)
            .replacingOccurrences(of: #""racks": ["b1"]"#, with: #""racks": ["r1"]"#)
        let (_, _, h) = try run(text)
        let took = try XCTUnwrap(arrival(h, "p/one:1", in: 1)) - 60
        XCTAssertEqual(took, 100e6 / 12.5e6 * Self.framing + 5.5 * 0.040, accuracy: 0.001)
    }

    /// Without a `network` section a transfer runs alone at the smaller NIC rate (10 Gbit/s here),
    /// with no latency: 100 MB in 80 ms.
    func testWithoutTheNetworkModelATransferRunsAtTheNICRate() throws {
        let text = Self.twoDCs(images: #"{"name": "p/one:1", "layers": ["sha256:a"], "in": ["dc01"]}"#,
                               policies: #"{"name": "nightly", "source": "dc01", "destination": "dc02", "trigger": "scheduled", "period": "1m"}"#)
            .replacingOccurrences(of: #""network": {"environment": "bare-metal", "datacenterLinks": [{"between": ["dc01", "dc02"], "latency": "20ms", "bandwidth": "100Mbit"}]},"#, with: "")
        let (m, _, h) = try run(text)
        XCTAssertNil(m.network)
        XCTAssertEqual(try XCTUnwrap(arrival(h, "p/one:1", in: 1)) - 60, 100e6 / 1.25e9, accuracy: 1e-9)
    }

    /// The same image while another 100 MB image crosses the link at the same time: max-min fair
    /// sharing gives each half, so each takes at least 2·S/B.
    func testTwoReplicationsShareTheLink() throws {
        let text = Self.twoDCs(images: #"{"name": "p/one:1", "layers": ["sha256:a"], "in": ["dc01"]}, {"name": "p/two:1", "layers": ["sha256:b"], "in": ["dc01"]}"#,
                               policies: #"{"name": "nightly", "source": "dc01", "destination": "dc02", "trigger": "scheduled", "period": "1m"}"#)
        let (_, _, h) = try run(text)
        let wire = 100e6 / 12.5e6
        for ref in ["p/one:1", "p/two:1"] {
            let took = try XCTUnwrap(arrival(h, ref, in: 1)) - 60
            XCTAssertGreaterThanOrEqual(took, 2 * wire + 5.5 * 0.040, ref)
            XCTAssertEqual(took, 2 * wire * Self.framing + 5.5 * 0.040, accuracy: 0.001, ref)
        }
    }

    /// With one job-service worker the second image waits for the first: serial, not shared.
    func testJobServiceWorkersLimitConcurrency() throws {
        let text = Self.twoDCs(images: #"{"name": "p/one:1", "layers": ["sha256:a"], "in": ["dc01"]}, {"name": "p/two:1", "layers": ["sha256:b"], "in": ["dc01"]}"#,
                               policies: #"{"name": "nightly", "source": "dc01", "destination": "dc02", "trigger": "scheduled", "period": "1m"}"#)
            .replacingOccurrences(of: #"{"name": "dc01", "host": "hub1-01"}"#, with: #"{"name": "dc01", "host": "hub1-01", "maxJobWorkers": 1}"#)
        let (_, _, h) = try run(text)
        let first = try XCTUnwrap(arrival(h, "p/one:1", in: 1)) - 60, second = try XCTUnwrap(arrival(h, "p/two:1", in: 1)) - 60
        XCTAssertEqual(first, 8 * Self.framing + 5.5 * 0.040, accuracy: 0.001)
        XCTAssertGreaterThanOrEqual(second, first + 8)
    }

    // MARK: retries

    /// The destination's host dies during the copy: each blob attempt fails (5 attempts, 2 s
    /// doubling), the job fails and the job service retries it; the image arrives after the host is back.
    func testReplicationFailsAndIsRetriedUntilTheDestinationIsBack() throws {
        let text = Self.twoDCs(images: #"{"name": "p/one:1", "layers": ["sha256:a"], "in": ["dc01"]}"#,
                               policies: #"{"name": "nightly", "source": "dc01", "destination": "dc02", "trigger": "scheduled", "period": "1h"}"#,
                               duration: "2h")
        let withFault = text.dropLast(1) + #", "faults": [{"at": "3604s", "kind": "hostCrash", "host": "hub2-01", "recoverAfter": "40s"}]}"#
        let (_, o, h) = try run(String(withFault))
        let retries = o.events.filter { $0.event == "blobRetry" }
        XCTAssertEqual(retries.count, 4, "attempts 1-4 are retried, the 5th fails the job: \(retries.map(\.detail))")
        XCTAssertEqual(retries.map { $0.detail.contains("retry in 2s") }.first, true)
        XCTAssertTrue(o.events.contains { $0.event == "replicationRetry" })
        let at = try XCTUnwrap(arrival(h, "p/one:1", in: 1))
        XCTAssertGreaterThan(at, 3644, "after the host is back")
        XCTAssertEqual(h.registries[1].tasksDead, 0)
    }

    /// Blob uploads reset part way (probability 0.9): retried until the image is whole.
    func testBlobFailuresAreRetried() throws {
        let text = Self.twoDCs(images: #"{"name": "p/one:1", "layers": ["sha256:a", "sha256:b"], "in": ["dc01"]}"#,
                               policies: #"{"name": "nightly", "source": "dc01", "destination": "dc02", "trigger": "scheduled", "period": "1m"}"#,
                               harborExtra: #", "blobFailureProbability": 0.9, "blobRetries": 50"#)
        let (_, o, h) = try run(text)
        XCTAssertGreaterThan(h.registries[1].blobFailures, 0)
        XCTAssertEqual(o.events.filter { $0.event == "blobRetry" }.count, h.registries[1].blobFailures)
        XCTAssertNotNil(arrival(h, "p/one:1", in: 1))
        XCTAssertEqual(h.registries[1].replicatedBytes, 200e6, "each blob counted once, when it is whole")
    }

    // MARK: pulls

    /// dc01 and dc02 agents, an app spread over both whose image is only in dc01 at first;
    /// a scheduled policy copies it at 2 minutes.
    static func pullScenario(image: String = "hub.test/web/app:2", presentIn: String = #"["dc01"]"#, faults: String = "", period: String = "2m",
                             actions: String = "", extraImage: String = "") -> String {
        let extra = #"""
        {"name": "master", "count": 1, "datacenter": "dc01", "cpus": 4, "memory": "16GiB", "disk": "200GB"},
        {"name": "s1", "count": 1, "datacenter": "dc01", "cpus": 8, "memory": "32GiB", "disk": "500GB", "nic": "10Gbit"},
        {"name": "s2", "count": 1, "datacenter": "dc02", "cpus": 8, "memory": "32GiB", "disk": "500GB", "nic": "10Gbit"}
        """#
        var t = twoDCs(images: #"{"name": "web/app:2", "layers": ["sha256:a", "sha256:b"], "in": \#(presentIn)}"# + extraImage,
                       policies: #"{"name": "copy", "source": "dc01", "destination": "dc02", "trigger": "scheduled", "period": "\#(period)"}"#,
                       layers: #"{"digest": "sha256:a", "size": "100MB"}, {"digest": "sha256:b", "size": "20MB"}, {"digest": "sha256:c", "size": "10MB"}"#,
                       extra: extra)
        t = String(t.dropLast(1)) + #"""
        ,
         "mesos": {"masters": {"count": 1, "hostGroup": "master"}, "agents": {"hostGroups": ["s1", "s2"]}},
         "marathon": {"hostGroup": "master", "apps": [{"id": "/web", "instances": 2, "cpus": 1, "mem": 256,
            "container": {"type": "DOCKER", "docker": {"image": "\#(image)", "network": "HOST"}},
            "constraints": [["datacenter", "GROUP_BY", "2"]]}]}\#(faults)\#(actions)}
        """#
        return t
    }

    /// `manifest unknown` in dc02 until the image is replicated: TASK_FAILED with the pull's
    /// message, Marathon's back-off, then the launch succeeds once the image is there.
    func testManifestUnknownFailsLaunchesUntilTheImageArrives() throws {
        let (m, o, h) = try run(Self.pullScenario())
        let arrived = try XCTUnwrap(arrival(h, "web/app:2", in: 1))
        XCTAssertGreaterThanOrEqual(arrived, 120)
        let failed = o.events.filter { $0.event == "TASK_FAILED" && $0.detail == "s2-01 REASON_CONTAINER_LAUNCH_FAILED" }
        let unknown = o.events.filter { $0.event == "pullFailedNotReplicated" }
        XCTAssertFalse(failed.isEmpty)
        XCTAssertEqual(failed.map(\.time), unknown.map(\.time), "each failed launch is a manifest-unknown pull")
        XCTAssertTrue(failed.allSatisfy { $0.time.seconds < arrived })
        XCTAssertEqual(h.registries[1].pullsManifestUnknown, h.launchesFailedByLag)
        XCTAssertEqual(unknown.count, h.launchesFailedByLag)
        XCTAssertGreaterThan(h.launchesFailedByLag, 1, "failed again after each back-off")
        XCTAssertEqual(h.registries[0].pullsFailed, 0)
        // both instances run at the end, the dc02 one started after the arrival
        let marathon = try XCTUnwrap(m.marathon)
        let insts = marathon.apps[0].instances.filter { $0.state == .running }
        XCTAssertEqual(insts.count, 2)
        let dc02 = try XCTUnwrap(insts.first { m.infrastructure.hosts[$0.host].datacenter == "dc02" })
        XCTAssertGreaterThan(try XCTUnwrap(dc02.runningSince).seconds, arrived)
    }

    /// An image name under a registry that does not exist is refused at validation.
    func testImageFromARegistryThatDoesNotExistIsAnError() {
        assertSingleError(Self.pullScenario(image: "dc03.hub.test/web/app:2"), path: "marathon.apps",
                          ["dc03.hub.test", "does not exist", "\"dc01\", \"dc02\""])
        assertSingleError(Self.pullScenario(image: "hub.test/web/other:9"), path: "marathon.apps",
                          ["hub.test/web/other:9", "no Jenkins job builds", "manifest unknown"])
    }

    /// dc02's registry host is down for its first 3 minutes: pulls there fail (no route to
    /// host), launches fail and back off, and succeed once it is back.
    func testRegistryHostDownFailsPullsUntilItIsBack() throws {
        let text = Self.pullScenario(presentIn: #"["dc01", "dc02"]"#,
                                     faults: #", "faults": [{"at": "0s", "kind": "hostCrash", "host": "hub2-01", "recoverAfter": "3m"}]"#)
        let (m, o, h) = try run(text)
        XCTAssertGreaterThan(h.registries[1].pullsFailed, 1)
        XCTAssertEqual(h.registries[1].pullsManifestUnknown, 0)
        XCTAssertEqual(h.launchesFailedByLag, 0)
        let refused = o.events.filter { $0.event == "TASK_FAILED" && $0.detail == "s2-01 REASON_CONTAINER_LAUNCH_FAILED" }
        XCTAssertFalse(refused.isEmpty)
        XCTAssertEqual(refused.map(\.time), o.events.filter { $0.event == "pullRefused" }.map(\.time))
        XCTAssertTrue(refused.allSatisfy { $0.time.seconds < 180 })
        let marathon = try XCTUnwrap(m.marathon)
        let dc02 = marathon.apps[0].instances.filter { $0.state == .running && m.infrastructure.hosts[$0.host].datacenter == "dc02" }
        XCTAssertEqual(dc02.count, 1)
        XCTAssertGreaterThan(try XCTUnwrap(dc02.first?.runningSince).seconds, 180)
    }

    /// Layers are shared by digest and cached per host: a new version that adds one 10 MB layer
    /// to the same base is pulled as 10 MB by hosts that ran the old one, and replicated as 10 MB.
    func testSharedLayersAreNotPulledOrReplicatedTwice() throws {
        let v3 = #", {"name": "web/app:3", "layers": ["sha256:a", "sha256:b", "sha256:c"], "in": ["dc01"]}"#
        let deploy = #", "actions": [{"at": "10m", "kind": "deploy", "app": "/web", "changes": {"container": {"docker": {"image": "hub.test/web/app:3"}}}}]"#
        let (_, _, h) = try run(Self.pullScenario(presentIn: #"["dc01", "dc02"]"#, period: "5m", actions: deploy, extraImage: v3))
        XCTAssertEqual(h.registries[1].replicatedBytes, 10e6, "only the new layer crosses the link")
        for r in 0..<2 { XCTAssertEqual(h.registries[r].pulledBytes, 120_000_000 + 10_000_000, h.registries[r].name) }
    }

    /// A registry whose blobs are on Ceph: pulls wait while the PGs holding them are below
    /// min_size (two of five OSD hosts down from 10 s until 10 min 10 s), as the plain registry on
    /// Ceph does. The hosts crash while the first pulls (from 4.2 s) transfer.
    func testPullsWaitForBlockedPGsWhenBlobsAreOnCeph() throws {
        let faults = #"{"at": "10s", "kind": "hostCrash", "host": "ceph-01"}, {"at": "10s", "kind": "hostCrash", "host": "ceph-02", "recoverAfter": "10m"}"#
        func scenario(blobs: String) -> String {
            CephClientTests.scenario(faults: faults, ceph: #", "registry": true, "clientReadRate": "10MB/s""#, behaviour: #""/web": {}"#, duration: "20m")
                .replacingOccurrences(of: #""image": "r/web:1""#, with: #""image": "hub.test/r/web:1""#)
                .replacingOccurrences(of: #""faults": ["#, with: #"""
                    "harbor": {"domain": "hub.test", "registries": [{"name": "dc01", "host": "master-01", "blobs": "\#(blobs)"}],
                               "layers": [{"digest": "sha256:w", "size": "300MB"}], "images": [{"name": "r/web:1", "layers": ["sha256:w"]}]},
                    "faults": [
                    """#)
        }
        let (_, o, h) = try run(scenario(blobs: "ceph"))
        let webRunning = o.events.filter { $0.event == "TASK_RUNNING" && $0.subject.hasPrefix("web") }
        XCTAssertFalse(webRunning.isEmpty)
        XCTAssertTrue(webRunning.allSatisfy { $0.time.seconds >= 600 }, "\(webRunning.map(\.time))")
        XCTAssertTrue(o.events.contains { $0.event == "registryReadResumed" && $0.time.seconds >= 600 })
        // the first pulls read at the Ceph client rate (10 MB/s: 30 s for 300 MB), their blobs were blocked
        // before the end (the hosts crashed at 10 s), so they are read again once the PGs are active
        XCTAssertTrue(o.events.contains { $0.event == "pullBlocked" && $0.time.seconds >= 30 && $0.time.seconds < 40 })
        XCTAssertEqual(h.registries[0].pulledBytes % 300_000_000, 0)
        XCTAssertGreaterThan(h.registries[0].pulledBytes, 300_000_000)
        let (_, o2, _) = try run(scenario(blobs: "filesystem"))
        XCTAssertTrue(o2.events.contains { $0.event == "TASK_RUNNING" && $0.subject.hasPrefix("web") && $0.time.seconds < 600 })
    }

    // MARK: the release pipeline

    func testReleaseCommitToProductionPerDataCenter() throws {
        let (m, _, h) = try runRelease()
        let j = try XCTUnwrap(m.subsystem(JenkinsPipeline.self))
        XCTAssertEqual(j.releases.count, 1)
        let r = j.releases[0]
        XCTAssertEqual(r.commitAt.seconds, 540)
        XCTAssertEqual(try XCTUnwrap(r.startedAt).seconds, 545, "the 5 s quiet period")
        let image = try XCTUnwrap(r.image)
        let pushed = try XCTUnwrap(r.pushedAt), dc01 = try XCTUnwrap(h.arrival(image: image, registry: 1)), dc02 = try XCTUnwrap(h.arrival(image: image, registry: 2))
        XCTAssertEqual(try XCTUnwrap(r.putAt), pushed, "the plugin PUTs right after the push; it does not wait for replication")
        // office -> dc01: 68 MB over an idle 100 Mbit/s link; dc01 -> dc02 shares its link with six analytics copies
        XCTAssertGreaterThanOrEqual((dc01 - pushed).seconds, 68e6 / 12.5e6)
        XCTAssertGreaterThanOrEqual((dc02 - dc01).seconds, 7 * 68e6 / 12.5e6 * 0.9)
        let d1 = try XCTUnwrap(r.deployedIn[1]), d2 = try XCTUnwrap(r.deployedIn[2])
        XCTAssertGreaterThan(d1, dc01); XCTAssertGreaterThan(d2, dc02)
        XCTAssertGreaterThan(d2, d1)
        XCTAssertEqual(try XCTUnwrap(r.deployedAt).seconds, max(d1, d2).seconds, accuracy: 10)
        XCTAssertGreaterThan(h.launchesFailedByLag, 0)
        XCTAssertNil(r.deployedIn[0], "no agents in the office")
    }

    /// A PUT while a deployment of the app runs gets 409: the plugin tries again 5 s later, 3 times at most.
    func testPluginRetriesA409ThreeTimesThenFailsTheBuild() throws {
        // a scale just before the release's PUT whose deployment cannot finish (not enough resources)
        let (m, o, _) = try runRelease(overrides: [#"actions=[{"at": "677s", "kind": "scale", "app": "/courseware/web", "instances": 1000}]"#])
        let j = try XCTUnwrap(m.subsystem(JenkinsPipeline.self))
        let retries = o.events.filter { $0.event == "deployRetry" }
        XCTAssertEqual(retries.count, 2)
        XCTAssertEqual((retries[1].time - retries[0].time).seconds, 5, accuracy: 1e-9)
        XCTAssertEqual(j.releases[0].putAttempts, 3)
        XCTAssertTrue(j.releases[0].failure?.contains("409") == true, "\(String(describing: j.releases[0].failure))")
    }

    /// Jenkins' queue: a commit inside the quiet period joins the queued build; with one
    /// executor the next build starts when the previous one's post-build PUT is done.
    func testQuietPeriodMergesCommitsAndOneExecutorQueuesBuilds() throws {
        let commits = #"jenkins.commits=[{"at": "9m", "job": "courseware-web"}, {"at": "9m2s", "job": "courseware-web"}, {"at": "9m30s", "job": "courseware-web"}]"#
        let (m, _, _) = try runRelease(overrides: ["jenkins.executors=1", commits])
        let j = try XCTUnwrap(m.subsystem(JenkinsPipeline.self))
        XCTAssertEqual(j.releases.map(\.build), [41, 42])
        XCTAssertEqual(j.releases[0].commits, 2)
        XCTAssertEqual(j.releases[1].commitAt.seconds, 570)
        XCTAssertEqual(try XCTUnwrap(j.releases[1].startedAt), try XCTUnwrap(j.releases[0].putAt), "waits for the only executor")
    }

    /// Filters (doublestar: `*` stops at `/`, `**` does not) and `enabled`.
    func testPolicyFiltersAndEnabled() throws {
        XCTAssertTrue(Glob.matches("courseware/**", "courseware/web"))
        XCTAssertTrue(Glob.matches("**", "a/b/c"))
        XCTAssertFalse(Glob.matches("*", "a/b"))
        XCTAssertTrue(Glob.matches("course*/w?b", "courseware/web"))
        XCTAssertFalse(Glob.matches("courseware/*", "search/indexer"))
        let images = #"{"name": "p/one:1", "layers": ["sha256:a"], "in": ["dc01"]}, {"name": "q/two:rc1", "layers": ["sha256:b"], "in": ["dc01"]}"#
        let (_, _, h) = try run(Self.twoDCs(images: images, policies: #"{"name": "p", "source": "dc01", "destination": "dc02", "trigger": "scheduled", "period": "1m", "filters": {"name": "p/**"}}, {"name": "q", "source": "dc01", "destination": "dc02", "trigger": "scheduled", "period": "1m", "filters": {"tag": "v*"}}"#))
        XCTAssertNotNil(arrival(h, "p/one:1", in: 1))
        XCTAssertNil(arrival(h, "q/two:rc1", in: 1), "no policy matches its tag")
        let (_, _, off) = try run(Self.twoDCs(images: images, policies: #"{"name": "p", "source": "dc01", "destination": "dc02", "trigger": "scheduled", "period": "1m", "enabled": false}"#))
        XCTAssertNil(arrival(off, "p/one:1", in: 1))
    }

    // MARK: bad input

    func testBadHarborAndJenkinsInputNamesThePath() throws {
        let base = Self.twoDCs(images: #"{"name": "p/one:1", "layers": ["sha256:a"]}"#,
                               policies: #"{"name": "x", "source": "dc01", "destination": "dc9"}"#)
        assertSingleError(base, path: "harbor.policies[0].destination", ["no registry \"dc9\"", "\"dc01\", \"dc02\""])
        let host = Self.twoDCs(images: "", policies: "").replacingOccurrences(of: "hub2-01", with: "hub3-01")
        assertSingleError(host, path: "harbor.registries[1].host", ["no host named \"hub3-01\""])
        let layer = Self.twoDCs(images: #"{"name": "p/one:1", "layers": ["sha256:zz"]}"#, policies: "")
        assertSingleError(layer, path: "harbor.images[0].layers[0]", ["no layer \"sha256:zz\""])
        let period = Self.twoDCs(images: "", policies: #"{"name": "x", "source": "dc01", "destination": "dc02", "trigger": "scheduled", "period": "0s"}"#)
        assertSingleError(period, path: "harbor.policies[0].period", [])
        assertSingleError(period.replacingOccurrences(of: #""0s""#, with: #""10ms""#), path: "harbor.policies[0].period", ["at least 1s"])
        assertSingleError(period.replacingOccurrences(of: #""0s""#, with: #""1s""#).replacingOccurrences(of: #""duration": "30m""#, with: #""duration": "100000h""#),
                          path: "harbor.policies[0].period", ["more than 1000000 executions"])
        let same = Self.twoDCs(images: "", policies: #"{"name": "x", "source": "dc01", "destination": "dc01"}"#)
        assertSingleError(same, path: "harbor.policies[0].destination", ["both \"dc01\""])
        let huge = Self.twoDCs(images: "", policies: "", harborExtra: #", "blobFailureProbability": 1e308"#)
        assertSingleError(huge, path: "harbor.blobFailureProbability", [])
        // the longest back-off the section allows does not overflow the clock: 100 attempts of 24h doubling
        let long = Self.twoDCs(images: #"{"name": "p/one:1", "layers": ["sha256:a"], "in": ["dc01"]}"#,
                               policies: #"{"name": "n", "source": "dc01", "destination": "dc02", "trigger": "scheduled", "period": "10000h"}"#,
                               harborExtra: #", "blobFailureProbability": 1, "blobRetries": 100, "blobRetryBackoff": "24h""#, duration: "400000h")
        let (_, _, h) = try run(long.replacingOccurrences(of: #""sampleInterval": "1m""#, with: #""sampleInterval": "10000h""#))
        XCTAssertGreaterThan(h.registries[1].blobFailures, 10, "24h, 48h, ... apart, without overflow")
    }

    func testBadJenkinsInputNamesThePath() throws {
        let path = Self.releasePath
        let text = try String(contentsOfFile: path, encoding: .utf8)
        func one(_ set: String, _ p: String, _ fragments: [String]) {
            assertSingleError(text, path: p, fragments, overrides: [set], baseDirectory: (path as NSString).deletingLastPathComponent)
        }
        one(#"jenkins.commits[0].job=web"#, "jenkins.commits[0].job", ["no job \"web\""])
        one(#"jenkins.jobs[0].app=/nope"#, "jenkins.jobs[0].app", ["no Marathon app \"/nope\""])
        one(#"jenkins.jobs[0].baseImage=library/java:7"#, "jenkins.jobs[0].baseImage", ["no image \"library/java:7\""])
        one(#"jenkins.host=ci-09"#, "jenkins.host", ["no host named \"ci-09\""])
        one(#"jenkins.executors=0"#, "jenkins.executors", [])
        one(#"jenkins.commits[0].at=2h"#, "jenkins.commits[0].at", ["after the end"])
    }
}
