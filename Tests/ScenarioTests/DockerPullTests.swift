import Foundation
import XCTest
import ClusterModel
import Scenario

/// `docker pull` from `mesos.registry` on a storage host: the daemon's download slots
/// (`maxConcurrentDownloads`, dockerd's `--max-concurrent-downloads`) and the extraction after the
/// download (`layerExtractRate`). docs/heldout-storage.md.
final class DockerPullTests: XCTestCase {
    /// `apps` one-instance apps with distinct images of `size`, launched from one offer on one agent.
    static func scenario(apps: Int, size: String = "100MB", bandwidth: String = "100MB/s", storage: String = "", nic: String = "10Gbit") -> String {
        let list = (1...apps).map { i in
            #"{"id": "/a\#(i)", "instances": 1, "cpus": 0.1, "mem": 32, "container": {"type": "DOCKER", "docker": {"image": "r.test/a\#(i):1", "network": "HOST"}}}"#
        }.joined(separator: ",\n")
        return #"""
        {"name": "pulls", "seed": 1, "duration": "10m",
         "datacenters": [{"name": "dc01", "racks": ["r1"]}],
         "hostGroups": [{"name": "master", "count": 3, "racks": ["r1"], "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                        {"name": "slave", "count": 1, "racks": ["r1"], "cpus": 32, "memory": "64GiB", "disk": "2TB", "nic": "\#(nic)"}],
         "zookeeper": {"servers": 3}, "mesos": {"version": "1.5", "masters": {"count": 3}, "registry": {"bandwidth": "\#(bandwidth)"}},
         "storage": {"hostGroups": [{"hostGroup": "slave", "driver": "overlay2"\#(storage)}]},
         "marathon": {"flags": {"max_instances_per_offer": \#(max(apps, 5))}, "apps": [\#(list)],
                      "behaviour": {"default": {"startupTime": "1s", "image": {"size": "\#(size)"}}}}}
        """#
    }

    /// Pull time of every task (TASK_STAGING to TASK_STARTING, which Mesos sends from 1.5), in seconds, sorted.
    func pullTimes(_ text: String) throws -> [Double] {
        let (_, o) = try runToEnd(text)
        var staged: [String: Double] = [:]
        var out: [Double] = []
        for e in o.events {
            if e.event == "TASK_STAGING" { staged[e.subject] = e.time.seconds }
            if e.event == "TASK_STARTING", let s = staged[e.subject] { out.append(e.time.seconds - s) }
        }
        return out.sorted()
    }

    /// Ten pulls at once on one daemon: with dockerd's default 3 slots they run three at a time
    /// (1 s each: 3 end at 1 s, 3 at 2 s, 3 at 3 s, the last at 4 s); with 1024 slots all end at 1 s.
    func testDownloadsWaitForTheDaemonsSlots() throws {
        let limited = try pullTimes(Self.scenario(apps: 10))
        XCTAssertEqual(limited.map { ($0 * 1000).rounded() / 1000 }, [1, 1, 1, 2, 2, 2, 3, 3, 3, 4])
        let wide = try pullTimes(Self.scenario(apps: 10, storage: #", "maxConcurrentDownloads": 1024"#))
        XCTAssertEqual(wide.map { ($0 * 1000).rounded() / 1000 }, Array(repeating: 1, count: 10))
        let one = try pullTimes(Self.scenario(apps: 4, storage: #", "maxConcurrentDownloads": 1"#))
        XCTAssertEqual(one.map { ($0 * 1000).rounded() / 1000 }, [1, 2, 3, 4])
    }

    /// The extraction follows the download: 1.5 GB at 187.5 MB/s (8 s) then at 40 MB/s (37.5 s).
    func testExtractionFollowsTheDownload() throws {
        let plain = try pullTimes(Self.scenario(apps: 1, size: "1.5GB", bandwidth: "187.5MB/s"))
        XCTAssertEqual(plain.count, 1)
        XCTAssertEqual(plain[0], 8, accuracy: 1e-6)
        let extracted = try pullTimes(Self.scenario(apps: 1, size: "1.5GB", bandwidth: "187.5MB/s", storage: #", "layerExtractRate": "40MB/s""#))
        XCTAssertEqual(extracted[0], 45.5, accuracy: 1e-6)
        // the slot is held for the download only: two pulls with one slot end at 8+37.5 and 16+37.5
        let two = try pullTimes(Self.scenario(apps: 2, size: "1.5GB", bandwidth: "187.5MB/s",
                                              storage: #", "layerExtractRate": "40MB/s", "maxConcurrentDownloads": 1"#))
        XCTAssertEqual(two[0], 45.5, accuracy: 1e-6)
        XCTAssertEqual(two[1], 53.5, accuracy: 1e-6)
    }

    /// A download is one stream through the host's NIC: 100 MB at the registry's 100 MB/s takes 1 s
    /// on 10 GbE, 8 s on a 100 Mbit/s NIC (12.5 MB/s), whatever the registry could give.
    func testADownloadIsNoFasterThanTheHostsNIC() throws {
        XCTAssertEqual(try pullTimes(Self.scenario(apps: 1))[0], 1, accuracy: 1e-6)
        XCTAssertEqual(try pullTimes(Self.scenario(apps: 1, nic: "100Mbit"))[0], 8, accuracy: 1e-6)
        XCTAssertEqual(try pullTimes(Self.scenario(apps: 1, bandwidth: "10MB/s", nic: "100Mbit"))[0], 10, accuracy: 1e-6)
    }

    /// Downloads running at once share the host's NIC (max-min): two 100 MB/s streams on 1 Gbit/s
    /// get 62.5 MB/s each. 100 MB and 300 MB: both at 62.5 MB/s until the first ends at 1.6 s, then
    /// the second alone at its 100 MB/s for its last 200 MB: 3.6 s (4.8 s if it kept its share,
    /// 3 s with nothing shared).
    func testConcurrentDownloadsShareTheHostsNIC() throws {
        assertTimes(try pullTimes(Self.scenario(apps: 2, nic: "1Gbit")), [1.6, 1.6], accuracy: 1e-6)
        let mixed = try pullTimes(Self.mixedSizes(nic: "1Gbit"))
        assertTimes(mixed, [1.6, 3.6], accuracy: 1e-6)
    }

    /// Two apps of 100 MB and 300 MB images on one agent.
    static func mixedSizes(nic: String) -> String {
        scenario(apps: 2, nic: nic).replacingOccurrences(of: #""behaviour": {"default": {"startupTime": "1s", "image": {"size": "100MB"}}}"#,
            with: #""behaviour": {"default": {"startupTime": "1s", "image": {"size": "100MB"}}, "/a2": {"image": {"size": "300MB"}}}"#)
    }

    /// `mesos.registry.capacity`: one registry serving two hosts at once shares its rate. Two
    /// instances of a 300 MB image on two hosts (3 s each without the capacity), capacity 100 MB/s,
    /// the second staged δ after the first: the first runs alone for δ, then both at 50 MB/s, then
    /// the second alone for its last 100·δ MB, so each takes 6 − δ. When the second host crashes 1 s
    /// after the first staging, its download is gone and the first gets the whole 100 MB/s again:
    /// 100·δ + 50·(1 − δ) + 100·(T − 1) = 300 MB, T = 3.5 − δ/2.
    func testTheRegistryCapacityIsSharedByEveryHost() throws {
        func text(_ registry: String, faults: String = "") -> String {
            #"""
            {"name": "registry", "seed": 1, "duration": "10m",
             "datacenters": [{"name": "dc01", "racks": ["r1"]}],
             "hostGroups": [{"name": "master", "count": 3, "racks": ["r1"], "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                            {"name": "slave", "count": 2, "racks": ["r1"], "cpus": 32, "memory": "64GiB", "disk": "2TB", "nic": "10Gbit"}],
             "zookeeper": {"servers": 3}, "mesos": {"version": "1.5", "masters": {"count": 3}, "registry": \#(registry)}, \#(faults)
             "marathon": {"apps": [{"id": "/a", "instances": 2, "cpus": 0.1, "mem": 32, "constraints": [["hostname", "UNIQUE"]],
                                    "container": {"type": "DOCKER", "docker": {"image": "r.test/a:1", "network": "HOST"}}}],
                          "behaviour": {"default": {"startupTime": "1s", "image": {"size": "300MB"}}}}}
            """#
        }
        assertTimes(try pullTimes(text(#"{"bandwidth": "100MB/s"}"#)), [3, 3], accuracy: 1e-6)
        let shared = #"{"bandwidth": "100MB/s", "capacity": "100MB/s"}"#
        let (_, o) = try runToEnd(text(shared))
        let staged = o.events.filter { $0.event == "TASK_STAGING" }
        XCTAssertEqual(staged.count, 2)
        let delta = staged[1].time.seconds - staged[0].time.seconds
        XCTAssertGreaterThan(delta, 0.1)
        assertTimes(try pullTimes(text(shared)), [6 - delta, 6 - delta], accuracy: 1e-6)
        let crashAt = staged[0].time.seconds + 1
        let crashed = try pullTimes(text(shared, faults: #""faults": [{"at": "\#(crashAt)s", "kind": "hostCrash", "host": "\#(staged[1].detail)"}],"#))
        assertTimes(crashed, [3.5 - delta / 2], accuracy: 1e-6)
    }

    /// The two-level sharing (each host's max-min, then the registry's level over the host rates,
    /// MesosPulls.swift) against plain max-min over full routes (host NIC + registry, MaxMinSharing)
    /// in a fluid replay of the same downloads: hosts with 1 and 10 Gbit/s NICs, three image sizes,
    /// launches spread over the offers, a registry that binds part of the time. Every download must
    /// end at the same time in both.
    func testTwoLevelSharingIsMaxMinOverTheNICsAndTheRegistry() throws {
        let sizes = [100_000_000.0, 250_000_000, 400_000_000]
        let apps = sizes.indices.map { i in
            #"{"id": "/a\#(i)", "instances": 5, "cpus": 0.1, "mem": 32, "constraints": [["hostname", "UNIQUE"]], "container": {"type": "DOCKER", "docker": {"image": "r.test/a\#(i):1", "network": "HOST"}}}"#
        }.joined(separator: ", ")
        let behaviour = sizes.indices.map { #""/a\#($0)": {"image": {"size": "\#(Int(sizes[$0] / 1_000_000))MB"}}"# }.joined(separator: ", ")
        let text = #"""
        {"name": "maxmin", "seed": 3, "duration": "10m",
         "datacenters": [{"name": "dc01", "racks": ["r1"]}],
         "hostGroups": [{"name": "master", "count": 3, "racks": ["r1"], "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                        {"name": "slow", "count": 3, "racks": ["r1"], "cpus": 32, "memory": "64GiB", "disk": "2TB", "nic": "1Gbit"},
                        {"name": "fast", "count": 2, "racks": ["r1"], "cpus": 32, "memory": "64GiB", "disk": "2TB", "nic": "10Gbit"}],
         "zookeeper": {"servers": 3}, "mesos": {"version": "1.5", "masters": {"count": 3}, "registry": {"bandwidth": "100MB/s", "capacity": "4Gbit/s"}},
         "marathon": {"flags": {"max_instances_per_offer": 2}, "apps": [\#(apps)],
                      "behaviour": {"default": {"startupTime": "1s"}, \#(behaviour)}}}
        """#
        let (_, o) = try runToEnd(text)
        struct Download { var host: String; var image: Int; var start: Double; var end: Double }
        var list: [Download] = []
        for e in o.events where e.event == "imagePull" {
            let image = try XCTUnwrap(Int(e.detail.dropFirst("r.test/a".count).prefix(1)))
            list.append(Download(host: e.subject, image: image, start: e.time.seconds, end: .nan))
        }
        for e in o.events where e.event == "imagePulled" {
            let image = try XCTUnwrap(Int(e.detail.dropFirst("r.test/a".count).prefix(1)))
            let k = try XCTUnwrap(list.firstIndex { $0.host == e.subject && $0.image == image && $0.end.isNaN })
            list[k].end = e.time.seconds
        }
        XCTAssertEqual(list.count, 15)
        XCTAssertGreaterThan(Set(list.map(\.start)).count, 2, "launches spread over several offers")
        // the reference: plain max-min over [NIC, registry] routes, replayed from the same starts
        let m = MaxMinSharing()
        let registry = m.addResource(capacity: 4e9)
        var nic: [String: MaxMinSharing.ResourceID] = [:]
        var left = list.map { sizes[$0.image] * 8 }
        var flow = [MaxMinSharing.FlowID?](repeating: nil, count: list.count)
        var ended = [Double?](repeating: nil, count: list.count)
        var t = 0.0
        let order = list.indices.sorted { list[$0].start < list[$1].start }
        var next = 0
        var registryBound = false
        while ended.contains(where: { $0 == nil }) {
            // start every download due now
            while next < order.count && list[order[next]].start <= t + 1e-12 {
                let i = order[next]; next += 1
                let bits = list[i].host.hasPrefix("slow") ? 1e9 : 1e10
                let r = nic[list[i].host] ?? m.addResource(capacity: bits)
                nic[list[i].host] = r
                flow[i] = m.addFlow(route: [r, registry], coefficients: [1, 1], bound: min(8e8, bits))
                m.reshare(from: flow[i]!)
            }
            if m.load(registry) > 4e9 * (1 - 1e-9) { registryBound = true }
            // the next end or start
            var dt = next < order.count ? list[order[next]].start - t : Double.infinity
            for i in list.indices { if let f = flow[i] { dt = min(dt, left[i] / m.rate[Int(f)]) } }
            t += dt
            var done: [Int] = []
            for i in list.indices {
                guard let f = flow[i] else { continue }
                left[i] -= m.rate[Int(f)] * dt
                if left[i] <= 1e-3 { done.append(i) }
            }
            for i in done {
                ended[i] = t
                m.reshare(resources: m.removeFlow(flow[i]!))
                flow[i] = nil
            }
        }
        XCTAssertTrue(registryBound, "the registry's capacity binds at some point")
        for i in list.indices {
            XCTAssertEqual(list[i].end, ended[i]!, accuracy: 1e-6, "\(list[i].host) image \(list[i].image)")
        }
    }

    /// One agent, one app of `instances` instances of one 6 GB image pulled at 100 MB/s (60 s), the
    /// agents' `executor_registration_timeout`, and `actions`.
    static func oneImage(instances: Int, timeout: String, actions: String = "") -> String {
        #"""
        {"name": "pull-cancel", "seed": 1, "duration": "10m",
         "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                        {"name": "slave", "count": 1, "cpus": 32, "memory": "64GiB", "disk": "2TB"}],
         "mesos": {"masters": {"count": 1}, "registry": {"bandwidth": "100MB/s"},
                   "agents": {"flags": {"executor_registration_timeout": "\#(timeout)"}}},
         "marathon": {"apps": [{"id": "/big", "instances": \#(instances), "cpus": 0.1, "mem": 32,
                                "container": {"type": "DOCKER", "docker": {"image": "r.test/big:1", "network": "HOST"}}}],
                      "behaviour": {"default": {"startupTime": "1s", "image": {"size": "6GB"}}}},
         "actions": [\#(actions)]}
        """#
    }

    /// A launch destroyed while PULLING kills its `docker pull`, and dockerd cancels a download no
    /// other pull watches: at the 30 s timeout half of the 6 GB is lost, and every relaunch starts
    /// over and is cut at 30 s again, so the image never arrives. Before, the download went on and
    /// the relaunch found the image in at 60 s.
    func testALaunchEndedWhilePullingCancelsItsDownload() throws {
        let (_, o) = try runToEnd(Self.oneImage(instances: 1, timeout: "30secs"))
        let cancelled = o.events.filter { $0.event == "imagePullCancelled" }
        XCTAssertGreaterThan(cancelled.count, 2)
        let first = try XCTUnwrap(cancelled.first)
        XCTAssertTrue(first.detail.hasSuffix("dockerd cancels the pull, 3000000000 of 6000000000 bytes lost"), first.detail)
        let pulls = o.events.filter { $0.event == "imagePull" }
        XCTAssertEqual(pulls.count, cancelled.count + (pulls.count > cancelled.count ? 1 : 0))
        XCTAssertFalse(o.events.contains { $0.event == "imagePulled" })
        XCTAssertFalse(o.events.contains { $0.event == "TASK_RUNNING" })
        let failed = o.events.filter { $0.event == "TASK_FAILED" }
        XCTAssertEqual(failed.count, cancelled.count)
        XCTAssertTrue(failed.allSatisfy { $0.detail.hasSuffix("REASON_EXECUTOR_REGISTRATION_TIMEOUT") })
        for (f, c) in zip(failed, cancelled) { XCTAssertEqual(f.time, c.time) }
    }

    /// Two launches of the image on one agent: the daemon downloads it once for both, and killing
    /// one of them during the pull leaves the other's download going; it ends at 60 s, as it would
    /// without the kill.
    func testAnotherLaunchOfTheImageKeepsTheDownloadGoing() throws {
        let kill = #"{"at": "20s", "kind": "killTasks", "app": "/big", "count": 1, "scale": true}"#
        let (_, o) = try runToEnd(Self.oneImage(instances: 2, timeout: "5mins", actions: kill))
        XCTAssertEqual(o.events.filter { $0.event == "imagePull" }.count, 1)
        XCTAssertFalse(o.events.contains { $0.event == "imagePullCancelled" })
        XCTAssertTrue(o.events.contains { $0.event == "TASK_KILLED" && $0.time.seconds < 60 })
        let pulled = try XCTUnwrap(o.events.first { $0.event == "imagePulled" })
        XCTAssertTrue(pulled.detail.hasSuffix(" in 1m0s"), pulled.detail)
        XCTAssertEqual(o.events.filter { $0.event == "TASK_RUNNING" }.count, 1)
    }

    /// scenarios/mass-deploy.json as its description says: 40 agents pull a 1 GB image through a
    /// 2 Gbit/s registry (about 160 s each), so every launch fails at Mesos' default 1 minute
    /// executor_registration_timeout, its download is cancelled with it, and the relaunches start
    /// over: the app never comes up. With 5 minutes nothing fails. Without the registry's capacity
    /// the pulls take 10 s and nothing fails either.
    func testTheShippedMassDeployNeverComesUpThroughTheRegistry() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scenarios/mass-deploy.json").path
        func run(_ overrides: [String]) throws -> (failed: [LoggedEvent], pulls: [Double]) {
            let loaded = try ScenarioLoader.load(path: path, overrides: overrides)
            let obs = MemoryObserver()
            _ = ClusterSimulation(spec: loaded.spec, observer: obs).run()
            var started: [String: Double] = [:], pulls: [Double] = []
            for e in obs.events {
                if e.event == "imagePull" { started[e.subject] = e.time.seconds }
                if e.event == "imagePulled", let s = started[e.subject] { pulls.append(e.time.seconds - s) }
            }
            return (obs.events.filter { $0.event == "TASK_FAILED" }, pulls)
        }
        let shipped = try run([])
        XCTAssertEqual(shipped.pulls.count, 0)
        XCTAssertGreaterThanOrEqual(shipped.failed.count, 80)
        XCTAssertTrue(shipped.failed.allSatisfy { $0.detail.hasSuffix("REASON_EXECUTOR_REGISTRATION_TIMEOUT") })
        let patient = try run(["mesos.agents.flags.executor_registration_timeout=5m"])
        XCTAssertEqual(patient.failed.count, 0)
        XCTAssertEqual(patient.pulls.count, 40)
        XCTAssertGreaterThan(patient.pulls.min() ?? 0, 60)
        let unlimited = try run(["mesos.registry={\"bandwidth\": \"100MB/s\"}"])
        XCTAssertEqual(unlimited.failed.count, 0)
        XCTAssertEqual(unlimited.pulls.max() ?? 0, 10, accuracy: 1e-6)
    }

    func assertTimes(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssert(a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= accuracy }, "\(a) is not \(b)", file: file, line: line)
    }

    func testBadValuesNameThePath() {
        assertSingleError(Self.scenario(apps: 1, storage: #", "layerExtractRate": "0MB/s""#), path: "storage.hostGroups[0].layerExtractRate", ["greater than 0"])
        assertSingleError(Self.scenario(apps: 1, storage: #", "maxConcurrentDownloads": 0"#), path: "storage.hostGroups[0].maxConcurrentDownloads", ["1"])
        assertSingleError(Self.scenario(apps: 1, bandwidth: #"100MB/s", "capacity": "0MB/s"#), path: "mesos.registry.capacity", ["greater than 0"])
    }
    /// An app without an image (no `container`, or a MESOS container without `docker.image`) runs
    /// its command in the host's filesystem: the Mesos containerizer provisions nothing, so there
    /// is no pull and the task starts at once (before, the app's id was pulled as an image of the
    /// behaviour's size: 100 MB at 100 MB/s, a second, and an `imagePull` row naming "/plain").
    func testAnAppWithoutAnImagePullsNothing() throws {
        var text = Self.scenario(apps: 1)
        text = text.replacingOccurrences(of: #"{"id": "/a1", "instances": 1, "cpus": 0.1, "mem": 32, "container": {"type": "DOCKER", "docker": {"image": "r.test/a1:1", "network": "HOST"}}}"#,
                                         with: #"{"id": "/plain", "instances": 1, "cpus": 0.1, "mem": 32, "cmd": "sleep 3600"},"#
            + #"{"id": "/ucr", "instances": 1, "cpus": 0.1, "mem": 32, "cmd": "sleep 3600", "container": {"type": "MESOS"}},"#
            + #"{"id": "/img", "instances": 1, "cpus": 0.1, "mem": 32, "container": {"type": "DOCKER", "docker": {"image": "r.test/img:1", "network": "HOST"}}}"#)
        let (_, o) = try runToEnd(text)
        let pulls = o.events.filter { $0.event == "imagePull" }.map(\.detail)
        XCTAssertEqual(pulls.count, 1, "\(pulls)")
        XCTAssertTrue(pulls.first?.hasPrefix("r.test/img:1 ") ?? false, "\(pulls)")
        var staged: [String: Double] = [:], wait: [String: Double] = [:]
        for e in o.events {
            if e.event == "TASK_STAGING" { staged[e.subject] = e.time.seconds }
            if e.event == "TASK_STARTING", let s = staged[e.subject] { wait[String(e.subject.split(separator: ".")[0])] = e.time.seconds - s }
        }
        XCTAssertEqual(wait["plain"] ?? -1, 0, accuracy: 1e-9)
        XCTAssertEqual(wait["ucr"] ?? -1, 0, accuracy: 1e-9)
        XCTAssertEqual(wait["img"] ?? -1, 1, accuracy: 1e-6)
    }
}
