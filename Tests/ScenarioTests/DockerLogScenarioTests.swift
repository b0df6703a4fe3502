import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// Docker's copy of a DOCKER app's stdout through a whole run: the app's `log-driver` / `log-opt`
/// parameters, the storage host group's daemon.json `log-driver` / `log-opts`, their errors in
/// Docker's words (docs/storage.md "Docker's copy of stdout").
final class DockerLogScenarioTests: XCTestCase {
    static func scenario(params: String = "", daemon: String = "", logs: String = #"{"rate": "1MB/s", "to": "sandbox"}"#,
                         container: String? = nil, root: String = "100GB") -> String {
        let c = container ?? #"{"type": "DOCKER", "docker": {"image": "r/chatty:1", "network": "HOST", "parameters": [\#(params)]}}"#
        return """
        {"name": "t", "duration": "2h", "sampleInterval": "10m",
         "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 1, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "mesos": {"masters": {"count": 1}, "agents": {"workDir": {"capacity": "400GB"}}},
         "storage": {"hostGroups": [{"hostGroup": "slave", "driver": "overlay2", "rootFilesystem": "\(root)"\(daemon)}]},
         "marathon": {"apps": [{"id": "/chatty", "instances": 1, "cpus": 0.1, "mem": 64, "container": \(c)}],
                      "behaviour": {"/chatty": {"startupTime": "0s", "logs": \(logs)}}}}
        """
    }

    func run(_ text: String) throws -> (ClusterSimulation, StorageModel, MesosCluster) {
        let spec = try XCTUnwrap(loadOK(text)).spec
        let m = ClusterSimulation(spec: spec, observer: MemoryObserver())
        XCTAssertTrue(m.run())
        let st = try XCTUnwrap(m.subsystem(StorageModel.self))
        st.sync()
        let mesos = try XCTUnwrap(m.subsystem(MesosCluster.self))
        mesos.agents[0].workDir?.advance(to: m.sim.now)
        return (m, st, mesos)
    }

    /// The same bytes go to the sandbox (the executor's copy) and, framed, to the json log.
    func testADockerAppsStdoutIsCopiedByJSONFile() throws {
        let (_, st, mesos) = try run(Self.scenario())
        let sandbox = try XCTUnwrap(mesos.agents[0].workDir?.sandboxes.first)
        let json = st.hosts[0].containerLogsBytes
        XCTAssertGreaterThan(json, 7e9)
        XCTAssertEqual(json, (sandbox.bytes - 4096) * 1.7, accuracy: 1)
    }

    func testAppLogOptionsBoundTheFile() throws {
        let (_, st, _) = try run(Self.scenario(params: #"{"key": "log-opt", "value": "max-size=10m"}, {"key": "log-opt", "value": "max-file=3"}"#))
        XCTAssertLessThanOrEqual(st.hosts[0].containerLogsBytes, 30_000_000)
        XCTAssertGreaterThanOrEqual(st.hosts[0].containerLogsBytes, 20_000_000)
    }

    func testDaemonLogOptsApply() throws {
        let (_, st, _) = try run(Self.scenario(daemon: #", "log-driver": "local", "log-opts": {"max-size": "5m"}"#))
        XCTAssertLessThanOrEqual(st.hosts[0].containerLogsBytes, 25_000_000)
        let (_, none, _) = try run(Self.scenario(params: #"{"key": "log-driver", "value": "none"}"#))
        XCTAssertEqual(none.hosts[0].containerLogsBytes, 0)
    }

    /// The Mesos containerizer has no Docker daemon: no copy.
    func testMesosContainerizerTasksHaveNoDockerCopy() throws {
        let (_, st, mesos) = try run(Self.scenario(container: #"{"type": "MESOS", "docker": {"image": "r/chatty:1"}}"#))
        XCTAssertGreaterThan(mesos.agents[0].workDir?.sandboxes.first?.bytes ?? 0, 1e9)
        XCTAssertEqual(st.hosts[0].containerLogsBytes, 0)
    }

    /// Logs to the writable layer: no stdout, no copy (the shipped storage scenarios unchanged).
    func testLogsToTheContainerMakeNoCopy() throws {
        let (_, st, _) = try run(Self.scenario(logs: #"{"rate": "10kB/s"}"#))
        XCTAssertEqual(st.hosts[0].containerLogsBytes, 0)
    }

    // MARK: errors

    /// Marathon accepts any docker parameters and Mesos passes them to `docker run`: options
    /// Docker refuses load with a warning at the parameter, in Docker's words, and every launch
    /// fails (TASK_FAILED, REASON_CONTAINER_LAUNCH_FAILED) with Marathon relaunching it.
    func assertRefusedAtEveryLaunch(_ text: String, path: String, _ parts: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let l = try XCTUnwrap(loadOK(text, file: file, line: line), file: file, line: line)
        let w = l.warnings.filter { $0.contains(" \(path): ") }
        XCTAssertEqual(w.count, 1, "\(l.warnings)", file: file, line: line)
        for p in parts + ["Marathon accepts the app, but docker run refuses it", "every launch of the app there fails"] {
            XCTAssertTrue(w.first?.contains(p) ?? false, "\(p) not in \(w)", file: file, line: line)
        }
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: l.spec, observer: o)
        XCTAssertTrue(m.run(), file: file, line: line)
        let failed = o.events.filter { $0.event == "TASK_FAILED" }
        XCTAssertGreaterThan(failed.count, 3, "relaunched with back-off, failing each time", file: file, line: line)
        XCTAssertTrue(failed.allSatisfy { $0.detail.hasSuffix("REASON_CONTAINER_LAUNCH_FAILED") }, "\(failed.map(\.detail))", file: file, line: line)
        XCTAssertTrue(o.events.filter { $0.event == "TASK_RUNNING" }.isEmpty, file: file, line: line)
        XCTAssertEqual(try XCTUnwrap(m.subsystem(StorageModel.self), file: file, line: line).hosts[0].containerLogsBytes, 0, file: file, line: line)
    }

    func testUnknownLogOptFailsEveryLaunchAsDockerRunDoes() throws {
        try assertRefusedAtEveryLaunch(Self.scenario(params: #"{"key": "log-opt", "value": "max-size=10m"}, {"key": "log-opt", "value": "max-sise=10m"}"#),
                                       path: "marathon.apps[0].container.docker.parameters[1]", ["unknown log opt 'max-sise' for json-file log driver"])
    }

    func testBadValuesFailAtStartInDockersWords() throws {
        try assertRefusedAtEveryLaunch(Self.scenario(params: #"{"key": "log-opt", "value": "max-file=0"}"#),
                                       path: "marathon.apps[0].container.docker.parameters[0]", ["failed to initialize logging driver: max-file cannot be less than 1"])
        try assertRefusedAtEveryLaunch(Self.scenario(params: #"{"key": "log-opt", "value": "max-size=10q"}"#),
                                       path: "marathon.apps[0].container.docker.parameters[0]", ["invalid size: '10q'"])
        try assertRefusedAtEveryLaunch(Self.scenario(params: #"{"key": "log-driver", "value": "json"}"#),
                                       path: "marathon.apps[0].container.docker.parameters[0]", ["logger: no log driver named 'json' is registered"])
        try assertRefusedAtEveryLaunch(Self.scenario(params: #"{"key": "log-driver", "value": "none"}, {"key": "log-opt", "value": "max-size=1m"}"#),
                                       path: "marathon.apps[0].container.docker.parameters[0]", ["invalid logging opts for driver none"])
        // an app option merged with the daemon's: compress needs the daemon's max-file >= 2
        try assertRefusedAtEveryLaunch(Self.scenario(params: #"{"key": "log-opt", "value": "compress=true"}"#, daemon: #", "log-opts": {"max-size": "10m"}"#),
                                       path: "marathon.apps[0].container.docker.parameters[0]", ["on host group \"slave\"", "compress cannot be true when max-file is less than 2"])
        // a plugin reference is taken to be an installed logging plugin: it runs, keeps no file
        let plugin = try XCTUnwrap(loadOK(Self.scenario(params: #"{"key": "log-driver", "value": "grafana/loki-docker-driver:latest"}, {"key": "log-opt", "value": "loki-url=http://loki:3100/loki/api/v1/push"}"#)))
        XCTAssertEqual(plugin.warnings.filter { $0.contains("is a logging plugin") }.count, 1, "\(plugin.warnings)")
        XCTAssertFalse(plugin.warnings.contains { $0.contains("docker run refuses it") }, "\(plugin.warnings)")
        let (_, pst, _) = try run(Self.scenario(params: #"{"key": "log-driver", "value": "grafana/loki-docker-driver:latest"}"#))
        XCTAssertEqual(pst.hosts[0].containerLogsBytes, 0)
        // the same app on a daemon whose options complete it runs
        let ok = try XCTUnwrap(loadOK(Self.scenario(params: #"{"key": "log-opt", "value": "compress=true"}"#, daemon: #", "log-opts": {"max-size": "10m", "max-file": "3"}"#)))
        XCTAssertFalse(ok.warnings.contains { $0.contains("docker run refuses it") }, "\(ok.warnings)")
    }

    func testDaemonJSONErrors() {
        assertSingleError(Self.scenario(daemon: #", "log-opts": {"max-file": 3}"#), path: "storage.hostGroups[0].log-opts.max-file", ["strings"])
        assertSingleError(Self.scenario(daemon: #", "log-opts": {"max-files": "3"}"#), path: "storage.hostGroups[0].log-opts",
                          ["dockerd refuses to start: failed to set log opts: unknown log opt 'max-files' for json-file log driver"])
        assertSingleError(Self.scenario(daemon: #", "log-driver": "jsonfile""#), path: "storage.hostGroups[0].log-driver",
                          ["logger: no log driver named 'jsonfile' is registered"])
    }

    func testLineLength() throws {
        let (_, st, mesos) = try run(Self.scenario(logs: #"{"rate": "1MB/s", "to": "sandbox", "lineLength": 1000}"#))
        let sandbox = try XCTUnwrap(mesos.agents[0].workDir?.sandboxes.first)
        XCTAssertEqual(st.hosts[0].containerLogsBytes, (sandbox.bytes - 4096) * 1.07, accuracy: 1)
        assertSingleError(Self.scenario(logs: #"{"rate": "1MB/s", "lineLength": 100}"#), path: "marathon.behaviour[\"/chatty\"].logs.lineLength", ["\"to\": \"sandbox\""])
        assertSingleError(Self.scenario(logs: #"{"rate": "1MB/s", "to": "sandbox", "lineLength": 0}"#), path: "marathon.behaviour[\"/chatty\"].logs.lineLength", [])
    }

    /// The parameters read for the json log are no longer listed as not modelled.
    func testLogParametersAreNotCalledUnmodelled() throws {
        let s = try XCTUnwrap(loadOK(Self.scenario(params: #"{"key": "log-opt", "value": "max-size=10m"}"#)))
        XCTAssertFalse(s.warnings.contains { $0.contains("container.docker.parameters") }, s.warnings.joined(separator: "\n"))
        let u = try XCTUnwrap(loadOK(Self.scenario(params: #"{"key": "log-opt", "value": "max-size=10m"}, {"key": "ulimit", "value": "nofile=1024"}"#)))
        XCTAssertTrue(u.warnings.contains { $0.contains("container.docker.parameters (other than log-driver and log-opt") }, u.warnings.joined(separator: "\n"))
    }
}
