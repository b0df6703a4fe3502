@testable import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// Ceph clients: apps' ceph-fuse volumes (`marathon.behaviour.<app>.cephMount`) and the registry's
/// blobs (`storage.ceph.registry`), run end to end from scenario text.
final class CephClientTests: XCTestCase {
    static let hc = #"[{"protocol": "HTTP", "path": "/health", "portIndex": 0, "intervalSeconds": 20, "timeoutSeconds": 10, "gracePeriodSeconds": 60, "maxConsecutiveFailures": 3}]"#

    static func scenario(faults: String, ceph: String = "", behaviour: String = #""/db": {"cephMount": {"pgs": 32}}"#,
                         image: String = "300MB", network: Bool = true, duration: String = "1h") -> String {
        """
        {"name": "t", "seed": 3, "duration": "\(duration)",
         "hostGroups": [{"name": "ceph", "count": 5, "cpus": 16, "memory": "64GiB", "disk": "16TB", "nic": "10Gbit"},
                        {"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                        {"name": "slave", "count": 2, "cpus": 16, "memory": "64GiB", "disk": "500GB"}],
         "mesos": {"masters": {"count": 1, "hostGroup": "master"}, "agents": {"hostGroups": ["slave"]}},
         "marathon": {"apps": [
            {"id": "/db", "instances": 1, "cpus": 1, "mem": 512, "container": {"type": "DOCKER", "docker": {"image": "r/db:1", "network": "HOST"}}, "healthChecks": \(hc)},
            {"id": "/web", "instances": 2, "cpus": 1, "mem": 512, "container": {"type": "DOCKER", "docker": {"image": "r/web:1", "network": "HOST"}}, "healthChecks": \(hc)}],
          "behaviour": {"default": {"startupTime": "5s", "responseTime": "10ms", "image": {"size": "\(image)"}}, \(behaviour)}},
         "storage": {"ceph": {"osdHostGroup": "ceph", "osdsPerHost": 2, "stored": "200GB"\(ceph)}},
         \(network ? #""network": {"environment": "bare-metal", "mode": "host"},"# : "")
         "faults": [\(faults)]}
        """
    }

    static let doubleFailure = #"{"at": "10m", "kind": "hostCrash", "host": "ceph-01"}, {"at": "10m", "kind": "hostCrash", "host": "ceph-02", "recoverAfter": "5m"}"#

    func run(_ text: String) -> (ClusterSimulation, MemoryObserver)? {
        guard let s = loadOK(text) else { return nil }
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: s.spec, observer: o)
        m.run()
        return (m, o)
    }

    /// The mounted app hangs while one of its PGs is below min_size: probes time out, Marathon
    /// kills it, the kill hangs (D state) and is retried, never expunged (issue 18: no
    /// kill_retry_max); the Killing instance stays active, so no replacement starts; when the PGs
    /// are active the stuck kill completes, the replacement starts and the app is healthy again.
    /// The app without a mount is never killed.
    func testMountedAppHangsWhileItsPGsAreBlockedAndRecovers() {
        guard let (m, o) = run(Self.scenario(faults: Self.doubleFailure)) else { return }
        let ev = o.events
        guard let blocked = ev.first(where: { $0.event == "clientIOBlocked" && $0.subject == "/db" }),
              let resumed = ev.first(where: { $0.event == "clientIOResumed" && $0.subject == "/db" }) else {
            return XCTFail("no block/resume of /db: \(ev.filter { $0.component == "ceph" }.map(\.event))")
        }
        // from the crashes (writes wait on the dead OSDs), not from the monitors' marking down
        XCTAssertEqual(blocked.time.seconds, 600, accuracy: 1e-9)
        XCTAssertEqual(resumed.time.seconds, 900, accuracy: 1e-6)   // ceph-02 back: two replicas up
        let dbKills = ev.filter { $0.event == "killBlocked" && $0.subject.hasPrefix("db") }
        XCTAssertFalse(dbKills.isEmpty, "the kill of the hung instance does not complete")
        for k in dbKills { XCTAssertTrue(k.time > blocked.time && k.time < resumed.time) }
        XCTAssertFalse(ev.contains { $0.event == "expungeInstance" })
        XCTAssertTrue(ev.contains { $0.event == "killRetry" && $0.subject.hasPrefix("db") && $0.time < resumed.time })
        // no replacement while the kill hangs
        XCTAssertFalse(ev.contains { $0.event == "TASK_STAGING" && $0.subject.hasPrefix("db") && $0.time > blocked.time && $0.time < resumed.time })
        XCTAssertTrue(ev.contains { $0.event == "TASK_KILLED" && $0.subject.hasPrefix("db") && $0.time > resumed.time })
        // nothing happens to /web
        XCTAssertFalse(ev.contains { $0.subject.hasPrefix("web") && ($0.event == "TASK_KILLING" || $0.event == "killInstance" || $0.event == "healthStatusChanged" && $0.detail.hasPrefix("unhealthy")) })
        // healthy again after the PGs are active
        XCTAssertTrue(ev.contains { $0.event == "healthStatusChanged" && $0.subject.hasPrefix("db") && $0.detail == "healthy" && $0.time > resumed.time })
        XCTAssertEqual(m.storage?.ceph?.clients?.appVolumesBlocked, 0)
        guard let v = m.storage?.ceph?.clients?.volumes.first(where: { $0.name == "/db" }) else { return XCTFail("no volume") }
        XCTAssertEqual(v.pgs.count, 32)
        XCTAssertEqual(v.blockedTotal.seconds, (resumed.time - blocked.time).seconds, accuracy: 1e-9)
    }

    /// One host crashes: until the monitors mark it down (osd_heartbeat_grace) the PGs keep its
    /// dead OSDs in their acting sets and writes wait for their commit, so the mounted app's I/O
    /// hangs from the crash, not from the map change; it resumes when the OSDs are marked down
    /// (two copies of three up, the PGs active again). A probe in that window times out. An
    /// orderly reboot of the same host marks its OSDs down at once (MOSDMarkMeDown): nothing hangs.
    func testMountedAppWaitsFromTheCrashUntilTheOSDsAreMarkedDown() {
        let crash = #"{"at": "10m", "kind": "hostCrash", "host": "ceph-01"}"#
        guard let (_, o) = run(Self.scenario(faults: crash, duration: "20m")) else { return }
        let ev = o.events
        guard let down = ev.first(where: { $0.event == "osdDown" }),
              let blocked = ev.first(where: { $0.event == "clientIOBlocked" && $0.subject == "/db" }),
              let resumed = ev.first(where: { $0.event == "clientIOResumed" && $0.subject == "/db" }) else {
            return XCTFail("no down/block/resume: \(ev.filter { $0.component == "ceph" }.map(\.event))")
        }
        XCTAssertEqual(blocked.time.seconds, 600, accuracy: 1e-9)
        XCTAssertTrue(blocked.detail.contains("with a copy on an OSD that died and is not marked down yet"), blocked.detail)
        XCTAssertFalse(blocked.detail.contains("below min_size"), blocked.detail)
        XCTAssertEqual(resumed.time, down.time)
        XCTAssertGreaterThan(down.time.seconds, 613)
        XCTAssertEqual(ev.filter { $0.event == "clientIOBlocked" }.count, 1)
        // /web has no mount: untouched
        XCTAssertFalse(ev.contains { $0.subject.hasPrefix("web") && $0.event == "healthStatusChanged" && $0.time.seconds > 600 })
        let reboot = #"{"at": "10m", "kind": "hostReboot", "host": "ceph-01", "downFor": "2m"}"#
        guard let (_, o2) = run(Self.scenario(faults: reboot, duration: "20m")) else { return }
        XCTAssertEqual(o2.events.first(where: { $0.event == "osdDown" })?.time.seconds ?? 0, 600, accuracy: 1e-9)
        XCTAssertFalse(o2.events.contains { $0.event == "clientIOBlocked" || $0.event == "killBlocked" })
    }

    /// Without a mount nothing hangs, and the same run is otherwise deterministic.
    func testAppWithoutMountIsUnaffected() {
        guard let (_, o) = run(Self.scenario(faults: Self.doubleFailure, behaviour: #""/web": {}"#)) else { return }
        XCTAssertFalse(o.events.contains { $0.event == "clientIOBlocked" || $0.event == "killBlocked" || $0.event == "killInstance" })
        guard let (_, o2) = run(Self.scenario(faults: Self.doubleFailure)), let (_, o3) = run(Self.scenario(faults: Self.doubleFailure)) else { return }
        XCTAssertEqual(o2.events.map { "\($0.time) \($0.event) \($0.subject) \($0.detail)" }, o3.events.map { "\($0.time) \($0.event) \($0.subject) \($0.detail)" })
    }

    /// Probes of a mounted task take the client latency on top of the app's response time.
    func testClientLatencyAddsToProbeResponseTimes() {
        guard let s = loadOK(Self.scenario(faults: "", ceph: #", "clientLatency": "40ms""#, duration: "5m")) else { return }
        let m = ClusterSimulation(spec: s.spec, observer: NullObserver())
        m.run()
        guard let mesos = m.mesos else { return XCTFail("no mesos") }
        let live = mesos.tasks.indices.compactMap { mesos.task($0) }.filter { $0.state == .running }
        guard let db = live.first(where: { $0.name.hasPrefix("db") }), let web = live.first(where: { $0.name.hasPrefix("web") }) else {
            return XCTFail("tasks not running")
        }
        XCTAssertEqual(mesos.probe(task: db.id, from: mesos.agents[db.agent].host.index, timeout: .seconds(10)), .passed(after: .milliseconds(50)))
        XCTAssertEqual(mesos.probe(task: web.id, from: mesos.agents[web.agent].host.index, timeout: .seconds(10)), .passed(after: .milliseconds(10)))
    }

    /// With the registry on Ceph a pull waits while its blobs' PGs are blocked (the launch fails
    /// after executor_registration_timeout), and reads at the Ceph client rate once they are active.
    func testRegistryPullBlocksWhilePGsAreBlocked() {
        let faults = #"{"at": "0s", "kind": "hostCrash", "host": "ceph-01"}, {"at": "0s", "kind": "hostCrash", "host": "ceph-02", "recoverAfter": "10m"}"#
        guard let (_, o) = run(Self.scenario(faults: faults, ceph: #", "registry": true, "clientReadRate": "10MB/s""#,
                                             behaviour: #""/web": {}"#, duration: "20m")) else { return }
        let ev = o.events
        guard let firstBlock = ev.first(where: { $0.event == "imagePullBlocked" }) else { return XCTFail("no blocked pull") }
        XCTAssertLessThan(firstBlock.time.seconds, 600)
        XCTAssertTrue(ev.contains { $0.event == "TASK_FAILED" && $0.time.seconds < 600 && $0.detail.contains("executor_registration_timeout") }
                      || ev.contains { $0.event == "TASK_FAILED" && $0.time.seconds < 600 })
        XCTAssertTrue(ev.contains { $0.event == "registryReadResumed" && $0.time.seconds >= 600 })
        // pulls that go through read 300 MB at 10 MB/s
        XCTAssertTrue(ev.contains { $0.event == "imagePull" && $0.detail.hasSuffix("300000000 bytes") })
        XCTAssertTrue(ev.contains { $0.event == "imagePulled" && $0.detail.hasSuffix(" in 30s") })
        XCTAssertTrue(ev.contains { $0.event == "TASK_RUNNING" && $0.time.seconds > 600 })
        // the same pulls without the registry on Ceph are never blocked
        guard let (_, o2) = run(Self.scenario(faults: faults, behaviour: #""/web": {}"#, duration: "20m")) else { return }
        XCTAssertFalse(o2.events.contains { $0.event == "imagePullBlocked" })
    }

    func testNooutUnsetNeedsAnEarlierSet() {
        guard let s = loadOK(Self.scenario(faults: "", ceph: #", "nooutSet": "10m", "nooutUnset": "20m""#)) else { return }
        XCTAssertEqual(s.spec.storage?.ceph?.nooutSet, .minutes(10))
        XCTAssertEqual(s.spec.storage?.ceph?.nooutUnset, .minutes(20))
        assertSingleError(Self.scenario(faults: "", ceph: #", "nooutUnset": "20m""#), path: "storage.ceph.nooutUnset", ["needs \"nooutSet\""])
        assertSingleError(Self.scenario(faults: "", ceph: #", "nooutSet": "20m", "nooutUnset": "20m""#), path: "storage.ceph.nooutUnset", ["not after nooutSet"])
    }

    func testMountNeedsCephAndNetwork() {
        let noCeph = Self.scenario(faults: "").replacingOccurrences(of: #""storage": {"ceph": {"osdHostGroup": "ceph", "osdsPerHost": 2, "stored": "200GB"}},"#, with: "")
        assertSingleError(noCeph, path: #"marathon.behaviour["/db"].cephMount"#, ["needs a Ceph cluster", "storage.ceph"])
        assertSingleError(Self.scenario(faults: "", network: false), path: #"marathon.behaviour["/db"].cephMount"#, ["network"])
        assertSingleError(Self.scenario(faults: "", ceph: #", "registry": true"#, behaviour: #""/web": {}"#, network: false),
                          path: "storage.ceph.registry", ["network"])
        assertSingleError(Self.scenario(faults: "", behaviour: #""/db": {"cephMount": {"pgs": 0}}"#), path: #"marathon.behaviour["/db"].cephMount.pgs"#, [])
        assertSingleError(Self.scenario(faults: "", behaviour: #""/db": {"cephMount": {"pg": 4}}"#), path: #"marathon.behaviour["/db"].cephMount.pg"#, ["unknown key"])
        assertSingleError(Self.scenario(faults: "", behaviour: #""/nope": {"cephMount": {}}"#), path: #"marathon.behaviour["/nope"]"#, ["no app"])
    }
}
