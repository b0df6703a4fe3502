import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

final class StorageDecodingTests: XCTestCase {
    static func scenario(_ storage: String, behaviour: String = "") -> String {
        """
        {"name": "t", "duration": "2h",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 4, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "marathon": {"apps": [{"cmd": "run", "id": "/web"}, {"cmd": "run", "id": "/api"}]\(behaviour.isEmpty ? "" : ", \"behaviour\": " + behaviour)},
         "storage": \(storage)}
        """
    }

    func testDefaultsAreDockers() throws {
        let s = try XCTUnwrap(loadOK(Self.scenario(#"{"hostGroups": [{"hostGroup": "slave"}]}"#))?.spec.storage)
        let h = s.hostGroups[0]
        XCTAssertEqual(h.driver, .devicemapper)
        XCTAssertEqual(h.mode, .loopLVM)
        XCTAssertEqual(h.rootFilesystemBytes, 500_000_000_000)
        XCTAssertEqual(h.options, DeviceMapperOptions())
        XCTAssertEqual(h.options.loopDataSize, 100 * GiB)
        XCTAssertEqual(h.options.blockSize, 64 * KiB)
        XCTAssertEqual(h.options.minFreeSpacePercent, 10)
        XCTAssertTrue(h.options.discard(mode: .loopLVM))
        XCTAssertFalse(h.options.discard(mode: .directLVM))
    }

    func testDirectLVMOptionsOperatorAndLogs() throws {
        let st = #"{"hostGroups": [{"hostGroup": "slave", "mode": "direct-lvm", "volumeGroup": "300GB", "storageOpts": {"dm.thinp_percent": "60%", "dm.min_free_space": "5%", "dm.xfs_nospace_max_retries": 0}}], "operator": [{"action": "extendPool", "on": "poolFull", "delay": "5m", "size": "50GB"}, {"action": "restartDocker", "at": "1h", "host": "slave-02"}]}"#
        let beh = #"{"/web": {"logs": {"rate": "2MB/s", "hostVolume": "/var/log/web/", "logrotate": {"size": "100MB", "rotate": 3, "interval": "1h"}, "burst": {"every": "10m", "duration": "30s", "rate": "20MB/s"}}}}"#
        let spec = try XCTUnwrap(loadOK(Self.scenario(st, behaviour: beh))?.spec)
        let h = try XCTUnwrap(spec.storage).hostGroups[0]
        XCTAssertEqual(h.options.thinpPercent, 60)
        XCTAssertEqual(h.options.minFreeSpacePercent, 5)
        XCTAssertEqual(h.options.xfsNospaceMaxRetries, 0)
        XCTAssertEqual(h.rootFilesystemBytes, 200_000_000_000)
        let ops = spec.storage!.operatorActions
        XCTAssertEqual(ops[0], StorageOperatorAction(action: .extendPool, trigger: .poolFull, delay: .minutes(5), size: 50_000_000_000))
        XCTAssertEqual(ops[1].trigger, .at(.hours(1), host: "slave-02", hostGroup: nil))
        let w = try XCTUnwrap(spec.marathon?.behaviour(of: "/web").storage.writes)
        XCTAssertEqual(w.rate, .constant(2_000_000))
        XCTAssertEqual(w.hostVolume, "/var/log/web")
        XCTAssertEqual(w.logrotate, LogrotateSpec(interval: .hours(1), size: 100_000_000, rotate: 3))
        XCTAssertEqual(w.burst, WriteBurst(every: .minutes(10), duration: .seconds(30), bytesPerSecond: 20_000_000))
        XCTAssertNil(spec.marathon?.behaviour(of: "/api").storage.writes)
    }

    func testErrorsNameTheirPath() {
        assertSingleError(Self.scenario(#"{"hostGroups": [{"hostGroup": "slave", "storageOpts": {"dm.thinp_percent": 50}}]}"#),
                          path: "storage.hostGroups[0].storageOpts[\"dm.thinp_percent\"]", ["applies to devicemapper mode \"direct-lvm\" only"])
        assertSingleError(Self.scenario(#"{"hostGroups": [{"hostGroup": "slave", "driver": "overlay"}]}"#),
                          path: "storage.hostGroups[0].driver", ["unknown storage driver \"overlay\"", "did you mean \"overlay2\"?"])
        assertSingleError(Self.scenario(#"{"hostGroups": [{"hostGroup": "slave", "rootFilesystem": "600GB"}]}"#),
                          path: "storage.hostGroups[0].rootFilesystem", ["is larger than the disk of host group \"slave\""])
        assertSingleError(Self.scenario(#"{"operator": [{"action": "cleanPool", "on": "dockerHung", "host": "slave-01"}]}"#),
                          path: "storage.operator[0].host", ["goes with \"at\""])
        assertSingleError(Self.scenario(#"{"hostGroups": [{"hostGroup": "slave"}]}"#, behaviour: #"{"default": {"logs": {"rate": "1MB/s", "hostVolume": "/var/log/x"}}}"#),
                          path: "marathon.behaviour.default.logs.hostVolume", ["of app /api is the same as the host path \"/var/log/x\" mapped by app /web"])
    }
}
