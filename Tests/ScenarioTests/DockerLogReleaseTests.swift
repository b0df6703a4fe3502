import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// Docker's logging options as the release `storage.dockerVersion` names judges them (moby/moby at
/// v17.03.0-ce ... v20.10.0: daemon/logger/factory.go `ValidateLogOpts`, jsonfilelog.go
/// `ValidateLogOpt` and `New`, daemon/logdrivers_linux.go); docs/storage.md "Docker's copy of stdout".
final class DockerLogReleaseTests: XCTestCase {
    func rules(_ r: String) -> DockerLogRules { DockerLogRules.release(r)! }
    func validate(_ r: String, driver: String = "json-file", _ opts: [(String, String)]) -> String? {
        DockerLogging.validate(DockerLogOptions(driver: driver, opts: opts.map { (key: $0.0, value: $0.1) }, rules: rules(r)))
    }

    /// Each json-file option from the release that added it; `local` from 18.09; `mode` a daemon
    /// option from 17.06 (before: json-file's unknown option).
    func testJSONFileOptionsAndDriversByRelease() {
        let unknown = { (k: String) in "unknown log opt '\(k)' for json-file log driver" }
        for (key, first, before) in [("env-regex", "17.06", "17.03"), ("tag", "18.03", "17.12"), ("compress", "18.06", "18.03"),
                                     ("labels-regex", "20.10", "19.03"), ("mode", "17.06", "17.03")] {
            let v = key == "compress" ? "false" : key == "mode" ? "non-blocking" : "x"
            XCTAssertNil(validate(first, [(key, v)]), "\(key) at \(first)")
            XCTAssertEqual(validate(before, [(key, v)]), unknown(key), "\(key) at \(before)")
        }
        for r in ["17.03", "18.09", "20.10"] { XCTAssertNil(validate(r, [("max-size", "10m"), ("max-file", "3"), ("labels", "a"), ("env", "B")]), r) }
        XCTAssertEqual(validate("18.06", driver: "local", []), "logger: no log driver named 'local' is registered")
        XCTAssertNil(validate("18.09", driver: "local", []))
        // a merged container option is judged by its daemon's release
        let daemon = DockerLogOptions(driver: "json-file", rules: rules("17.12"))
        XCTAssertEqual(DockerLogging.runRefusal(own: DockerLogOptions(opts: [(key: "compress", value: "true")]), daemon: daemon), unknown("compress"))
        XCTAssertEqual(DockerLogging.runRefusal(own: DockerLogOptions(driver: "local"), daemon: daemon), "logger: no log driver named 'local' is registered")
    }

    /// max-size 0: refused from 18.06 ("max-size must be a positive number"); before, the file is
    /// rotated before every line (loggerutils: current size >= 0), one line per file.
    func testMaxSizeZeroBefore1806RotatesEveryLine() throws {
        let o = { (r: String) in DockerLogOptions(driver: "json-file", opts: [(key: "max-size", value: "0"), (key: "max-file", value: "2")], rules: self.rules(r)) }
        guard case .failure(let e) = DockerLogging.logFile(o("18.06")) else { return XCTFail("18.06 takes max-size 0") }
        XCTAssertEqual(e.message, "max-size must be a positive number")
        let f = try XCTUnwrap(try DockerLogging.logFile(o("18.03")).get())
        XCTAssertEqual(f.maxSize, 0)
        XCTAssertEqual(f.bound(entry: 170), 340)
    }

    static func scenario(version: String, daemon: String, params: String = "") -> String {
        """
        {"name": "t", "duration": "30m", "sampleInterval": "10m",
         "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 1, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "mesos": {"masters": {"count": 1}},
         "storage": {"dockerVersion": "\(version)", "hostGroups": [{"hostGroup": "slave", "driver": "overlay2", "rootFilesystem": "100GB"\(daemon)}]},
         "marathon": {"apps": [{"id": "/chatty", "instances": 1, "cpus": 0.1, "mem": 64,
                                "container": {"type": "DOCKER", "docker": {"image": "r/chatty:1", "network": "HOST", "parameters": [\(params)]}}}],
                      "behaviour": {"/chatty": {"startupTime": "0s", "logs": {"rate": "1MB/s"}}}}}
        """
    }

    /// daemon.json's log-opts with `compress` make dockerd 17.12 refuse to start and load at 18.06;
    /// an app's `log-driver=local` is docker run's refusal on a 18.06 daemon (every launch fails)
    /// and runs on 18.09.
    func testTheScenarioJudgesLogOptionsAtItsDockerVersion() throws {
        let opts = #", "log-opts": {"max-size": "10m", "max-file": "3", "compress": "true"}"#
        assertSingleError(Self.scenario(version: "17.12", daemon: opts), path: "storage.hostGroups[0].log-opts",
                          ["dockerd refuses to start: failed to set log opts: unknown log opt 'compress' for json-file log driver"])
        XCTAssertNotNil(loadOK(Self.scenario(version: "18.06", daemon: opts)))
        let local = #"{"key": "log-driver", "value": "local"}"#
        let old = try XCTUnwrap(loadOK(Self.scenario(version: "18.06", daemon: "", params: local)))
        XCTAssertTrue(old.warnings.contains { $0.contains("docker run refuses it") && $0.contains("no log driver named 'local'") }, "\(old.warnings)")
        let (_, o) = try runToEnd(Self.scenario(version: "18.06", daemon: "", params: local))
        XCTAssertFalse(o.events.contains { $0.event == "TASK_RUNNING" })
        XCTAssertTrue(o.events.contains { $0.event == "TASK_FAILED" })
        let (_, o2) = try runToEnd(Self.scenario(version: "18.09", daemon: "", params: local))
        XCTAssertTrue(o2.events.contains { $0.event == "TASK_RUNNING" })
    }
}
