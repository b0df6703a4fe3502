@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// Two dockerd settings that loaded and did nothing: overlay2's `overlay2.size` (the writable
/// layers' quota, docs/storage.md) and 20.10's `max-download-attempts` (docs/delivery.md, "A
/// registry that goes down under a pull").
final class DockerOverlay2AndDownloadAttemptsTests: XCTestCase {
    func storage(_ group: String, version: String = "18.09") -> String {
        """
        {"name": "t", "duration": "1h",
         "hostGroups": [{"name": "slave", "count": 1, "cpus": 8, "memory": "32GiB", "disk": "100GB"}],
         "storage": {"dockerVersion": "\(version)", "hostGroups": [\(group)]}}
        """
    }
    func hostSpec(_ text: String) throws -> HostStorageSpec {
        try XCTUnwrap(loadOK(text)?.spec.storage?.hostGroups.first)
    }

    func testOverlay2SizeIsReadFromStorageOptsAndDaemonJSON() throws {
        XCTAssertEqual(try hostSpec(storage(#"{"hostGroup": "slave", "driver": "overlay2", "storageOpts": {"overlay2.size": "20G"}}"#)).overlay2Size, 20 * GiB)
        XCTAssertEqual(try hostSpec(storage(#"{"hostGroup": "slave", "driver": "overlay2", "storageOpts": {"Overlay2.Size": "512m"}}"#)).overlay2Size, 512 * MiB)
        XCTAssertEqual(try hostSpec(storage(#"{"hostGroup": "slave", "daemonConfig": {"storage-driver": "overlay2", "storage-opts": ["overlay2.override_kernel_check=true", "overlay2.size=8G"]}}"#)).overlay2Size, 8 * GiB)
        XCTAssertEqual(try hostSpec(storage(#"{"hostGroup": "slave", "flagsFrom": [{"commandLine": "/usr/bin/dockerd -s overlay2 --storage-opt overlay2.size=1G"}]}"#)).overlay2Size, GiB)
        XCTAssertNil(try hostSpec(storage(#"{"hostGroup": "slave", "driver": "overlay2", "storageOpts": {"overlay2.override_kernel_check": "true"}}"#)).overlay2Size)
    }

    func testOverlay2OptionsAreCheckedAsDockerdChecksThem() {
        let p = "storage.hostGroups[0].storageOpts"
        assertSingleError(storage(#"{"hostGroup": "slave", "driver": "overlay2", "storageOpts": {"overlay2.size": "20Q"}}"#),
                          path: p + #"["overlay2.size"]"#, ["dockerd refuses it", "invalid size: '20Q'"])
        assertSingleError(storage(#"{"hostGroup": "slave", "driver": "overlay2", "storageOpts": {"overlay2.size": "-1G"}}"#),
                          path: p + #"["overlay2.size"]"#, ["dockerd refuses it", "invalid size"])
        assertSingleError(storage(#"{"hostGroup": "slave", "driver": "overlay2", "storageOpts": {"dm.basesize": "20G"}}"#),
                          path: p + #"["dm.basesize"]"#, ["overlay2: unknown option dm.basesize (dockerd refuses to start)"])
        assertSingleError(storage(#"{"hostGroup": "slave", "driver": "overlay2", "storageOpts": {"overlay2.override_kernel_check": "maybe"}}"#),
                          path: p + #"["overlay2.override_kernel_check"]"#, ["strconv.ParseBool"])
        assertSingleError(storage(#"{"hostGroup": "slave", "driver": "overlay2", "storageOpts": {"overlay2.size": "20G"}}"#, version: "17.06"),
                          path: p + #"["overlay2.size"]"#, ["overlay2: unknown option overlay2.size", "came in 17.09"])
        assertSingleError(storage(#"{"hostGroup": "slave", "driver": "overlay2", "storageOpts": ["overlay2.size=20G"]}"#),
                          path: p, ["an object of overlay2 options"])
    }

    func testMaxDownloadAttemptsIsDockerd2010s() throws {
        XCTAssertEqual(try hostSpec(storage(#"{"hostGroup": "slave", "driver": "overlay2"}"#)).downloadAttempts, 5, "18.09: 5 in all")
        XCTAssertEqual(try hostSpec(storage(#"{"hostGroup": "slave", "driver": "overlay2"}"#, version: "19.03")).downloadAttempts, 5)
        XCTAssertEqual(try hostSpec(storage(#"{"hostGroup": "slave", "driver": "overlay2"}"#, version: "20.10")).downloadAttempts, 6, "20.10: 1 + 5")
        XCTAssertEqual(try hostSpec(storage(#"{"hostGroup": "slave", "driver": "overlay2", "maxDownloadAttempts": 1}"#, version: "20.10")).downloadAttempts, 2)
        XCTAssertEqual(try hostSpec(storage(#"{"hostGroup": "slave", "daemonConfig": {"storage-driver": "overlay2", "max-download-attempts": 3}}"#, version: "20.10")).downloadAttempts, 4)
        XCTAssertEqual(try hostSpec(storage(#"{"hostGroup": "slave", "flagsFrom": [{"commandLine": "dockerd -s overlay2 --max-download-attempts 9"}]}"#, version: "20.10")).downloadAttempts, 10)
        let p = "storage.hostGroups[0].maxDownloadAttempts"
        assertSingleError(storage(#"{"hostGroup": "slave", "driver": "overlay2", "maxDownloadAttempts": 3}"#),
                          path: p, ["dockerd 18.09 has no max-download-attempts (it came in 20.10"])
        assertSingleError(storage(#"{"hostGroup": "slave", "driver": "overlay2", "maxDownloadAttempts": 0}"#, version: "20.10"),
                          path: p, ["invalid max download attempts: 0"])
        assertSingleError(storage(#"{"hostGroup": "slave", "driver": "overlay2", "maxDownloadAttempts": "3"}"#, version: "20.10"),
                          path: p, ["expected a whole number of retries"])
        assertSingleError(storage(#"{"hostGroup": "slave", "driver": "overlay2", "maxDownloadAttempts": 2.5}"#, version: "20.10"),
                          path: p, ["expected a whole number of retries"])
    }

    /// HarborPullRetryTests' outage of 2 minutes, with the pulling agent on dockerd 20.10: 6
    /// attempts (retries at 8, 13, 23, 38, 58 s) fail the pull at 83 s, after Mesos' own
    /// executor_registration_timeout failed the task at 64.2 s; with `maxDownloadAttempts` 1 the
    /// pull fails at 13 s; on 18.09 at 58 s, as without a storage section. (Mutation: Harbor's
    /// fixed 5 attempts, as before, puts all three at 58 s.)
    func testAHarborPullFollowsTheAgentsDownloadAttempts() throws {
        // HarborPullRetryTests.scenario(down: "2m"): a 10 GB base layer pulled by s2-01 from
        // dc02's registry from 4.2 s; dc02's host crashes at 8 s for 2 minutes
        var base = HarborPipelineTests.pullScenario(presentIn: #"["dc01", "dc02"]"#,
                                                    faults: #", "faults": [{"at": "8s", "kind": "hostCrash", "host": "hub2-01", "recoverAfter": "2m"}]"#)
        base = base.replacingOccurrences(of: #"{"digest": "sha256:a", "size": "100MB"}"#, with: #"{"digest": "sha256:a", "size": "10GB"}"#)
        let cases: [(String, String, [Double], Double, Int)] = [("20.10", "", [8, 13, 23, 38, 58], 83, 6),
                                                                ("20.10", #", "maxDownloadAttempts": 1"#, [8], 13, 2),
                                                                ("18.09", "", [8, 13, 23, 38], 58, 5)]
        for (version, extra, retries, failedAt, of) in cases {
            let text = base.replacingOccurrences(of: #""mesos": {"masters""#, with: #""storage": {"dockerVersion": "\#(version)", "hostGroups": [{"hostGroup": "s2", "driver": "overlay2"\#(extra)}]}, "mesos": {"masters""#)
            XCTAssertTrue(text.contains("\"dockerVersion\""))
            let o = MemoryObserver()
            let m = ClusterSimulation(spec: try XCTUnwrap(loadOK(text)).spec, observer: o)
            XCTAssertTrue(m.run())
            XCTAssertEqual(o.events.filter { $0.event == "pullRetry" }.map(\.time.seconds), retries, version + extra)
            let failed = try XCTUnwrap(o.events.first { $0.event == "pullFailed" })
            XCTAssertEqual(failed.time.seconds, failedAt, version + extra)
            XCTAssertTrue(failed.detail.contains("download attempt \(of) of \(of) failed"), failed.detail)
            let s2 = try XCTUnwrap(o.events.first { $0.event == "TASK_FAILED" && $0.detail.hasPrefix("s2-01") })
            if of == 6 {
                // Mesos gives up first: the launch is 60 s old at 64.2 s (executor_registration_timeout
                // 1 min counts the pull); dockerd's sixth attempt fails the pull itself at 83 s
                XCTAssertEqual(s2.time.seconds, 64.2, accuracy: 1e-9)
                XCTAssertEqual(s2.detail, "s2-01 REASON_EXECUTOR_REGISTRATION_TIMEOUT")
            } else {
                XCTAssertEqual(s2.time.seconds, failedAt)
                XCTAssertEqual(s2.detail, "s2-01 REASON_CONTAINER_LAUNCH_FAILED")
            }
        }
    }
}

/// Two devicemapper option checks dockerd makes before it starts (moby/moby@v18.09.0
/// daemon/graphdriver/devmapper/deviceset.go `NewDeviceSet`, `enableDeferredRemovalDeletion`),
/// which the simulator did not make: both files loaded.
final class DockerDevicemapperOptionChecksTests: XCTestCase {
    func text(_ opts: String, version: String = "18.09") -> String {
        """
        {"name": "t", "duration": "1h",
         "hostGroups": [{"name": "slave", "count": 1, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "storage": {"dockerVersion": "\(version)", "hostGroups": [{"hostGroup": "slave", "daemonConfig": {"storage-driver": "devicemapper", "storage-opts": [\(opts)]}}]}}
        """
    }

    /// `dm.min_free_space=5` is refused: "requires % suffix". `5%` loads; the scenario's own number 5 too.
    func testMinFreeSpaceNeedsItsPercentSign() throws {
        assertSingleError(text(#""dm.min_free_space=5""#), path: #"storage.hostGroups[0].storageOpts["dm.min_free_space"]"#,
                          ["devmapper: Option dm.min_free_space requires % suffix"])
        XCTAssertEqual(try XCTUnwrap(loadOK(text(#""dm.min_free_space=5%""#))?.spec.storage?.hostGroups.first).options.minFreeSpacePercent, 5)
        let own = #"{"name": "t", "duration": "1h", "hostGroups": [{"name": "slave", "count": 1, "cpus": 8, "memory": "32GiB", "disk": "500GB"}], "storage": {"hostGroups": [{"hostGroup": "slave", "storageOpts": {"dm.min_free_space": 5}}]}}"#
        XCTAssertEqual(try XCTUnwrap(loadOK(own)?.spec.storage?.hostGroups.first).options.minFreeSpacePercent, 5)
    }

    /// Deferred deletion needs deferred removal; from 17.09 both are on by default, so turning
    /// removal off alone is refused too; before 17.09 both were off.
    func testDeferredDeletionNeedsDeferredRemoval() {
        let msg = "devmapper: Deferred deletion can not be enabled as deferred removal is not enabled. Enable deferred removal using --storage-opt dm.use_deferred_removal=true parameter"
        assertSingleError(text(#""dm.use_deferred_removal=false", "dm.use_deferred_deletion=true""#),
                          path: #"storage.hostGroups[0].storageOpts["dm.use_deferred_deletion"]"#, [msg])
        assertSingleError(text(#""dm.use_deferred_removal=false""#),
                          path: #"storage.hostGroups[0].storageOpts["dm.use_deferred_removal"]"#, [msg, "on by default"])
        assertSingleError(text(#""dm.use_deferred_deletion=true""#, version: "17.06"),
                          path: #"storage.hostGroups[0].storageOpts["dm.use_deferred_deletion"]"#, [msg, "dockerd 17.06"])
        XCTAssertNotNil(loadOK(text(#""dm.use_deferred_removal=false", "dm.use_deferred_deletion=false""#)))
        XCTAssertNotNil(loadOK(text(#""dm.use_deferred_removal=true", "dm.use_deferred_deletion=true""#)))
        XCTAssertNotNil(loadOK(text(#""dm.use_deferred_deletion=true""#)), "removal is on by default from 17.09")
        XCTAssertNotNil(loadOK(text(#""dm.use_deferred_removal=false""#, version: "17.06")))
    }
}
