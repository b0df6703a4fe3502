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

    /// Docker's documented direct-lvm configuration, as daemon.json gives it (storage-opts as
    /// key=value strings, sizes by RAMInBytes), loads: the modelled options are read, the others
    /// named in one warning, and what dockerd refuses is refused in its words.
    func testDaemonJSONAndEveryDevicemapperOption() throws {
        let dir = makeTempDir()
        write(#"""
        {"storage-driver": "devicemapper",
         "storage-opts": ["dm.thinpooldev=/dev/mapper/docker-thinpool", "dm.use_deferred_removal=true", "dm.use_deferred_deletion=true",
                          "dm.basesize=20G", "dm.min_free_space=5%", "DM.BLKDISCARD=false"],
         "log-driver": "json-file", "log-opts": {"max-size": "10m", "max-file": "3"},
         "max-concurrent-downloads": 6, "data-root": "/var/lib/docker", "live-restore": true, "registry-mirrors": ["https://mirror.example"],
         "tls": {"tlsverify": true}}
        """#, to: dir + "/daemon.json")
        write(Self.scenario(#"{"hostGroups": [{"hostGroup": "slave", "mode": "direct-lvm", "volumeGroup": "300GB", "daemonConfig": "daemon.json", "maxConcurrentDownloads": 4}]}"#), to: dir + "/s.json")
        let l = try ScenarioLoader.load(path: dir + "/s.json")
        let h = try XCTUnwrap(l.spec.storage?.hostGroups.first)
        XCTAssertEqual(h.driver, .devicemapper)
        XCTAssertEqual(h.mode, .directLVM)
        XCTAssertEqual(h.options.baseSize, 20 * GiB, "RAMInBytes: 20G is 20 GiB")
        XCTAssertEqual(h.options.minFreeSpacePercent, 5)
        XCTAssertFalse(h.options.blkdiscard ?? true, "keys lower-cased, booleans by ParseBool")
        XCTAssertEqual(h.maxConcurrentDownloads, 4, "the group's own key wins over daemon.json")
        XCTAssertEqual(h.logOptions.opts.map(\.0), ["max-size", "max-file"])
        XCTAssertTrue(l.warnings.contains { $0.contains("accepted by dockerd, not modelled: data-root, live-restore, registry-mirrors, tlsverify") }, "\(l.warnings)")
        XCTAssertTrue(l.warnings.contains { $0.contains("devicemapper options accepted by dockerd, not modelled: dm.thinpooldev, dm.use_deferred_removal, dm.use_deferred_deletion") }, "\(l.warnings)")
        // dockerd's refusals
        func errs(_ daemon: String, group: String = #""mode": "direct-lvm", "volumeGroup": "300GB", "#) -> [ScenarioError] {
            let d = makeTempDir()
            write(daemon, to: d + "/daemon.json")
            write(Self.scenario(#"{"hostGroups": [{"hostGroup": "slave", \#(group)"daemonConfig": "daemon.json"}]}"#), to: d + "/s.json")
            do { _ = try ScenarioLoader.load(path: d + "/s.json"); XCTFail("loaded: \(daemon)"); return [] } catch { return error.errors }
        }
        func one(_ daemon: String, group: String = #""mode": "direct-lvm", "volumeGroup": "300GB", "#, _ says: String, file: StaticString = #filePath, line: UInt = #line) {
            let e = errs(daemon, group: group)
            XCTAssertEqual(e.count, 1, "\(e)", file: file, line: line)
            XCTAssertTrue(e.first?.message.contains(says) == true, "\(e)", file: file, line: line)
        }
        one(#"{"storage-driver": "devicemapper", "max-concurent-downloads": 3}"#, "the following directives don't match any configuration option: max-concurent-downloads; did you mean \"max-concurrent-downloads\"")
        one(#"{"storage-opts": ["dm.thinpooldevice=/dev/x"]}"#, "devmapper: Unknown option dm.thinpooldevice")
        one(#"{"storage-opts": ["dm.basesize"]}"#, "Unable to parse key/value option: dm.basesize")
        one(#"{"storage-opts": ["dm.fs=btrfs"]}"#, "devmapper: Unsupported filesystem btrfs")
        one(#"{"storage-opts": ["dm.use_deferred_removal=yes"]}"#, "strconv.ParseBool: parsing \"yes\": invalid syntax")
        one(#"{"storage-opts": ["dm.basesize=20Q"]}"#, "invalid size: '20Q'")
        one(#"{"storage-opts": ["dm.thinpooldev=/dev/mapper/pool"]}"#, group: "", "direct-lvm")
        one(#"{"storage-driver": "overlay2", "storage-opts": ["dm.basesize=10G"]}"#, group: "", "overlay2: unknown option dm.basesize")
        one(#"{"graph": "/a", "data-root": "/b"}"#, group: "", "cannot specify both \"graph\" and \"data-root\"")
        XCTAssertNotNil(loadOK(Self.scenario(#"{"hostGroups": [{"hostGroup": "slave", "daemonConfig": {"storage-driver": "overlay2", "storage-opts": ["overlay2.override_kernel_check=true"]}}]}"#)))
        // the scenario's own storageOpts take Docker's option names and value forms too
        let own = try XCTUnwrap(loadOK(Self.scenario(#"{"hostGroups": [{"hostGroup": "slave", "storageOpts": {"dm.basesize": "15G", "dm.use_deferred_deletion": "true"}}]}"#))?.spec.storage?.hostGroups.first)
        XCTAssertEqual(own.options.baseSize, 15 * GiB)
    }

    /// dockerd's flags as deployed: docker-storage-setup's /etc/sysconfig/docker-storage and the
    /// unit's ExecStart, read as pflag reads them; a directive both there and in daemon.json is
    /// dockerd's conflict error.
    func testDockerdFlagsAsDeployed() throws {
        let dir = makeTempDir()
        write(#"DOCKER_STORAGE_OPTIONS="--storage-driver devicemapper --storage-opt dm.fs=xfs --storage-opt dm.thinpooldev=/dev/mapper/docker--vg-docker--pool --storage-opt dm.use_deferred_removal=true --storage-opt dm.basesize=15G ""# + "\n", to: dir + "/docker-storage")
        write("OPTIONS='--selinux-enabled --log-driver=json-file --log-opt max-size=50m --log-opt max-file=2 -D'\n", to: dir + "/docker")
        write(#"{"live-restore": true}"#, to: dir + "/daemon.json")
        write(Self.scenario(#"{"hostGroups": [{"hostGroup": "slave", "mode": "direct-lvm", "volumeGroup": "300GB", "daemonConfig": "daemon.json", "flagsFrom": [{"commandLine": "/usr/bin/dockerd-current --add-runtime docker-runc=/usr/libexec/docker/docker-runc-current $OPTIONS $DOCKER_STORAGE_OPTIONS"}, {"environmentFile": "docker"}, {"environmentFile": "docker-storage"}]}]}"#), to: dir + "/s.json")
        let l = try ScenarioLoader.load(path: dir + "/s.json")
        let h = try XCTUnwrap(l.spec.storage?.hostGroups.first)
        XCTAssertEqual(h.driver, .devicemapper)
        XCTAssertEqual(h.options.baseSize, 15 * GiB)
        XCTAssertEqual(h.logOptions.opts.map { "\($0.0)=\($0.1)" }, ["max-size=50m", "max-file=2"])
        XCTAssertTrue(l.warnings.contains { $0.contains("accepted by dockerd, not modelled: live-restore, add-runtime, selinux-enabled, debug") }, "\(l.warnings)")
        func refused(_ line: String, daemon: String = "{}", _ says: String, file: StaticString = #filePath, l: UInt = #line) {
            let d = makeTempDir()
            write(daemon, to: d + "/daemon.json")
            write(Self.scenario(#"{"hostGroups": [{"hostGroup": "slave", "daemonConfig": "daemon.json", "flagsFrom": [{"commandLine": "\#(line)"}]}]}"#), to: d + "/s.json")
            do { _ = try ScenarioLoader.load(path: d + "/s.json"); XCTFail("loaded: \(line)", file: file, line: l) } catch {
                XCTAssertEqual(error.errors.count, 1, "\(error.errors)", file: file, line: l)
                XCTAssertTrue(error.errors.first?.message.contains(says) == true, "\(error.errors)", file: file, line: l)
            }
        }
        refused("dockerd --signature-verification=false", "dockerd: unknown flag: --signature-verification")
        refused("dockerd -Z", "dockerd: unknown shorthand flag: 'Z' in -Z")
        refused("dockerd --storage-driver", "dockerd: flag needs an argument: --storage-driver")
        refused("dockerd --debug=yes", "invalid argument \"yes\" for \"--debug\" flag")
        refused("dockerd --max-concurrent-downloads many", "strconv.ParseInt: parsing \"many\"")
        refused("dockerd -s overlay2 extra", "\"dockerd\" accepts no argument(s)")
        refused("dockerd -s overlay2", daemon: #"{"storage-driver": "devicemapper"}"#,
                "the following directives are specified both as a flag and in the configuration file: storage-driver: (from flag: overlay2, from file: \"devicemapper\")")
        refused("dockerd --storage-opt dm.basesize=10G", daemon: #"{"storage-opts": ["dm.basesize=20G"]}"#, "storage-opts: (from flag: dm.basesize=10G")
        // pflag's short forms: -s=overlay2, -soverlay2, -Ds overlay2
        for line in ["-s=overlay2", "-soverlay2", "-Ds overlay2"] {
            let x = try XCTUnwrap(loadOK(Self.scenario(#"{"hostGroups": [{"hostGroup": "slave", "flagsFrom": [{"commandLine": "dockerd \#(line)"}]}]}"#)), line)
            XCTAssertEqual(x.spec.storage?.hostGroups.first?.driver, .overlay2, line)
        }
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
        assertSingleError(Self.scenario(#"{"hostGroups": [{"hostGroup": "slave", "driver": "overlay3"}]}"#),
                          path: "storage.hostGroups[0].driver", ["unknown storage driver \"overlay3\"", "did you mean \"overlay2\"?"])
        assertSingleError(Self.scenario(#"{"hostGroups": [{"hostGroup": "slave", "rootFilesystem": "600GB"}]}"#),
                          path: "storage.hostGroups[0].rootFilesystem", ["is larger than the disk of host group \"slave\""])
        assertSingleError(Self.scenario(#"{"operator": [{"action": "cleanPool", "on": "dockerHung", "host": "slave-01"}]}"#),
                          path: "storage.operator[0].host", ["goes with \"at\""])
        assertSingleError(Self.scenario(#"{"hostGroups": [{"hostGroup": "slave"}]}"#, behaviour: #"{"default": {"logs": {"rate": "1MB/s", "hostVolume": "/var/log/x"}}}"#),
                          path: "marathon.behaviour.default.logs.hostVolume", ["of app /api is the same as the host path \"/var/log/x\" mapped by app /web"])
    }
}
