@testable import Scenario
import SimKernel
import XCTest

/// Environment files as their reader reads them: sh for the Mesosphere wrappers, systemd's
/// `EnvironmentFile=` for dockerd's, Prometheus', Alertmanager's, Consul's and consul-template's
/// units (systemd src/basic/env-file.c `parse_env_file_internal`; systemd.exec(5)).
final class EnvironmentFileSyntaxTests: XCTestCase {
    static let file = """
    # a comment
      ; another one
    OPTIONS= -s overlay2 --log-level warn  \t
    DOCKER_STORAGE_OPTIONS="--storage-opt dm.basesize=20G"
    Q='a b'"c\\$d\\x" e
    export X=1
    CONT=a\\
    b
    NOEQ
    REF=$OPTIONS
    SP = spaced
    """

    func testSystemdReadsAnEnvironmentFileAsEnvFileCDoes() {
        var vars: [String: String] = [:]
        var warnings: [String] = []
        let got = EnvironmentFileParser.parseSystemd(Self.file, file: "f", variables: &vars, warn: { warnings.append("\($0.line ?? 0): \($1)") })
        XCTAssertEqual(got.map { "\($0.name)=\($0.value)@\($0.location.line ?? 0)" }, [
            "OPTIONS=-s overlay2 --log-level warn@3",
            "DOCKER_STORAGE_OPTIONS=--storage-opt dm.basesize=20G@4",
            "Q=a bc$d\\xe@5",
            "CONT=ab@7",
            "REF=$OPTIONS@10",
            "SP=spaced@11",
        ])
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        XCTAssertTrue(warnings.first?.hasPrefix("6: \"export X=1\" is not a variable assignment; systemd ignores it") == true, "\(warnings)")
        // sh reads the same file otherwise: the unquoted value runs `-s` as a command
        var shVars: [String: String] = [:]
        if case .success = EnvironmentFileParser.parse(Self.file, file: "f", variables: &shVars, warn: { _, _ in }) { XCTFail("sh would run -s") }
    }

    /// docker-storage-setup's file with an unquoted value, as RHEL's docker.service reads it.
    func testDockerdsEnvironmentFileIsReadAsSystemdReadsIt() throws {
        let dir = makeTempDir()
        write("DOCKER_STORAGE_OPTIONS= --storage-driver devicemapper --storage-opt dm.basesize=20G \n", to: dir + "/docker-storage")
        write(StorageDecodingTests.scenario(#"{"hostGroups": [{"hostGroup": "slave", "flagsFrom": [{"commandLine": "/usr/bin/dockerd $DOCKER_STORAGE_OPTIONS"}, {"environmentFile": "docker-storage"}]}]}"#), to: dir + "/s.json")
        let h = try XCTUnwrap(ScenarioLoader.load(path: dir + "/s.json").spec.storage?.hostGroups.first)
        XCTAssertEqual(h.options.baseSize, 20 * 1024 * 1024 * 1024)
        // the Mesosphere wrapper sources /etc/default/mesos-slave with sh: the same line is refused there
        write("MESOS_WORK_DIR= /var/lib/mesos --x\n", to: dir + "/mesos-slave")
        write("""
        {"name": "t", "duration": "10m", "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
         {"name": "slave", "count": 3, "cpus": 8, "memory": "64GiB", "disk": "500GB"}],
         "zookeeper": {"servers": 3}, "mesos": {"agents": {"flagsFrom": [{"environmentFile": "mesos-slave"}]}}}
        """, to: dir + "/m.json")
        XCTAssertThrowsError(try ScenarioLoader.load(path: dir + "/m.json")) { e in
            XCTAssertTrue((e as? ScenarioErrors)?.errors.first?.message.contains("sh would run") == true, "\(e)")
        }
    }
}
