import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// `--container_logger=org_apache_mesos_LogrotateContainerLogger` with its `--modules` parameters:
/// the sandbox's stdout kept under (rotate + 1) x max_stdout_size (docs/mesos.md "Container loggers").
final class ContainerLoggerTests: XCTestCase {
    static func modules(_ params: String) -> String {
        #""container_logger": "org_apache_mesos_LogrotateContainerLogger", "modules": {"libraries": [{"file": "/usr/lib/mesos/modules/liblogrotate_container_logger.so", "modules": [{"name": "org_apache_mesos_LogrotateContainerLogger", "parameters": [\#(params)]}]}]}"#
    }
    static func scenario(_ flags: String) -> String {
        SandboxGCTests.scenario(workDir: #"{"capacity": "100GB"}"#, flags: flags,
                                behaviour: #"{"/chatty": {"startupTime": "0s", "logs": {"rate": "1MB/s", "to": "sandbox"}}}"#)
    }

    func sandboxBytes(_ text: String) throws -> (Double, ClusterSimulation) {
        let spec = try XCTUnwrap(loadOK(text)).spec
        let m = ClusterSimulation(spec: spec, observer: MemoryObserver())
        XCTAssertTrue(m.run())
        let mesos = try XCTUnwrap(m.subsystem(MesosCluster.self))
        let w = try XCTUnwrap(mesos.agents[0].workDir)
        w.advance(to: m.sim.now)
        XCTAssertEqual(w.sandboxes.count, 1)
        return (w.sandboxes[0].bytes, m)
    }

    func testLogrotateBoundsTheSandboxStdout() throws {
        let (plain, plainRun) = try sandboxBytes(Self.scenario(""))
        XCTAssertGreaterThan(plain, 7e9)   // 2 h at 1 MB/s, unbounded
        let (bounded, run) = try sandboxBytes(Self.scenario(Self.modules(#"{"key": "max_stdout_size", "value": "10MB"}, {"key": "logrotate_stdout_options", "value": "rotate 2\ncompress"}"#)))
        XCTAssertEqual(bounded, 4096 + 3 * 10 * 1024 * 1024, accuracy: 1)
        // reaching the bound costs one event
        XCTAssertLessThanOrEqual(run.sim.eventsProcessed, plainRun.sim.eventsProcessed + 1)
        // logrotate's own default: rotate 0, one file of max_stdout_size (default 10MB)
        let (dflt, _) = try sandboxBytes(Self.scenario(Self.modules("")))
        XCTAssertEqual(dflt, 4096 + 10 * 1024 * 1024, accuracy: 1)
    }

    /// A sandbox at its bound no longer grows: a work_dir it cannot fill costs no event more than a
    /// large one (no full crossing is planned from its write rate).
    func testABoundedSandboxPlansNoCrossing() throws {
        let flags = Self.modules(#"{"key": "max_stdout_size", "value": "10MB"}, {"key": "logrotate_stdout_options", "value": "rotate 2"}"#)
        let behaviour = #"{"/chatty": {"startupTime": "0s", "logs": {"rate": "1MB/s", "to": "sandbox"}}}"#
        let (large, l) = try sandboxBytes(SandboxGCTests.scenario(workDir: #"{"capacity": "100GB"}"#, flags: flags, behaviour: behaviour))
        let (small, s) = try sandboxBytes(SandboxGCTests.scenario(workDir: #"{"capacity": "1GB", "used": "900MB"}"#, flags: flags, behaviour: behaviour))
        XCTAssertEqual(small, large)
        XCTAssertEqual(s.sim.eventsProcessed, l.sim.eventsProcessed)
    }

    func testABadRotateCountLeavesTheFileUnbounded() throws {
        let text = Self.scenario(Self.modules(#"{"key": "logrotate_stdout_options", "value": "rotate nine"}"#))
        let loaded = try XCTUnwrap(loadOK(text))
        XCTAssertTrue(loaded.warnings.contains { $0.contains("bad rotation count 'nine'") && $0.contains("not bounded") }, loaded.warnings.joined(separator: "\n"))
        XCTAssertGreaterThan(try sandboxBytes(text).0, 7e9)
    }

    func testTheAgentsRefusalsAreErrors() {
        assertSingleError(Self.scenario(#""container_logger": "org_apache_mesos_LogrotateContainerLogger""#), path: "mesos.agents.flags.container_logger",
                          ["Failed to create container logger module 'org_apache_mesos_LogrotateContainerLogger': Module 'org_apache_mesos_LogrotateContainerLogger' unknown"])
        assertSingleError(Self.scenario(Self.modules(#"{"key": "max_stdout_sise", "value": "10MB"}"#)),
                          path: "mesos.agents.flags.modules.libraries[0].modules[0].parameters[0]", ["Failed to load unknown flag 'max_stdout_sise'", "did you mean \"max_stdout_size\""])
        assertSingleError(Self.scenario(Self.modules(#"{"key": "max_stdout_size", "value": "1KB"}"#)),
                          path: "mesos.agents.flags.modules.libraries[0].modules[0].parameters[0]", ["Expected --max_stdout_size and --max_stderr_size of at least 4096 bytes"])
        assertSingleError(Self.scenario(Self.modules(#"{"key": "max_stderr_size", "value": "10M"}"#)),
                          path: "mesos.agents.flags.modules.libraries[0].modules[0].parameters[0]", ["Failed to load value '10M': Unknown bytes unit 'M'"])
        assertSingleError(Self.scenario(#""modules": {"libraries": [{"modules": [{"name": "x"}]}]}"#),
                          path: "mesos.agents.flags.modules.libraries[0]", ["Library name or path not provided"])
    }

    func testStoutBytes() {
        XCTAssertEqual(try ScenarioSchema.stoutBytes("10MB").get(), 10 * 1024 * 1024)
        XCTAssertEqual(try ScenarioSchema.stoutBytes("4096b").get(), 4096)
        XCTAssertEqual(try? ScenarioSchema.stoutBytes("1.5GB").get(), nil)
        XCTAssertEqual(try? ScenarioSchema.stoutBytes("100").get(), nil)
        XCTAssertEqual(ScenarioSchema.logrotateRotateCount("compress\nrotate 9").0, 9)
        XCTAssertEqual(ScenarioSchema.logrotateRotateCount("").0, 0)
    }
}
