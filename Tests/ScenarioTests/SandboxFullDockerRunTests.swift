import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// A full work_dir under the SandboxContainerLogger ends the Docker tasks writing to it: the
/// Docker executor runs `docker run` attached with the sandbox's `stdout` as its stdout
/// (apache/mesos@1.4.0 src/docker/executor.cpp), `docker run` exits with status 1 when its write
/// fails (docker CLI hijack.go/run.go), and that exit is the task's: TASK_FAILED "Container exited
/// with status 1" (docs/mesos.md "Sandboxes and their garbage collection", *A full filesystem*).
final class SandboxFullDockerRunTests: XCTestCase {
    static let dockerApp = #"{"id": "/chatty", "instances": 1, "cpus": 0.1, "mem": 64, "container": {"type": "DOCKER", "docker": {"image": "harbor.example.com/x/chatty:1", "network": "HOST"}}, "portDefinitions": []}"#
    static let behaviour = #"{"/chatty": {"startupTime": "0s", "logs": {"rate": "1MB/s", "to": "sandbox"}}}"#

    func run(_ text: String) throws -> (MemoryObserver, MesosCluster) {
        let spec = try XCTUnwrap(loadOK(text)).spec
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        XCTAssertTrue(m.run())
        return (o, try XCTUnwrap(m.subsystem(MesosCluster.self)))
    }

    /// 1 GB work_dir, 900 MB used by the rest, one Docker task writing 1 MB/s: at the full instant
    /// its `docker run` fails, the task is TASK_FAILED (no reason: the Docker executor sets none)
    /// at that instant, its sandbox is scheduled for GC and Marathon backs off. The first task is
    /// the only one that wrote (the next launch finds the work_dir full or pruned).
    func testAFullWorkDirEndsTheDockerRunWritingToIt() throws {
        let (o, _) = try run(SandboxGCTests.scenario(behaviour: Self.behaviour, apps: Self.dockerApp, duration: "20m"))
        let full = try XCTUnwrap(o.events.first { $0.event == "workDirFull" })
        let failed = try XCTUnwrap(o.events.first { $0.event == "TASK_FAILED" })
        XCTAssertEqual(failed.time, full.time, "the write that finds the disk full ends docker run")
        XCTAssertEqual(failed.detail, "slave-01", "no reason: docker/executor.cpp `_reaped` sets none")
        let write = try XCTUnwrap(o.events.first { $0.event == "sandboxWriteFailed" })
        XCTAssertEqual(write.time, full.time)
        XCTAssertEqual(write.subject, failed.subject)
        XCTAssertTrue(write.detail.hasSuffix("/stdout: No space left on device; it exits with status 1"), write.detail)
        XCTAssertTrue(o.events.contains { $0.event == "sandboxScheduledForGC" && $0.subject == failed.subject && $0.time == full.time })
        XCTAssertTrue(o.events.contains { $0.event == "launchDelayed" && $0.detail.contains("after TASK_FAILED of \(failed.subject)") })
    }

    /// The same app run by the Mesos containerizer (a command: its process writes the file itself)
    /// or under the LogrotateContainerLogger (a pipe to mesos-logrotate-logger, which ignores its
    /// write errors) goes on running on the full work_dir.
    func testOtherWritersGoOnOnAFullWorkDir() throws {
        let command = #"{"id": "/chatty", "cmd": "run", "instances": 1, "cpus": 0.1, "mem": 64}"#
        let (o1, m1) = try run(SandboxGCTests.scenario(behaviour: Self.behaviour, apps: command, duration: "20m"))
        XCTAssertTrue(o1.events.contains { $0.event == "workDirFull" })
        XCTAssertFalse(o1.events.contains { $0.event == "TASK_FAILED" || $0.event == "sandboxWriteFailed" })
        XCTAssertEqual(m1.agents[0].workDir?.running, 1)
        // logrotate: rotate 200 x 1MB keeps 201 MB, more than the 100 MB free, so the disk fills
        let flags = ContainerLoggerTests.modules(#"{"key": "max_stdout_size", "value": "1MB"}, {"key": "logrotate_stdout_options", "value": "rotate 200"}"#)
        let (o2, m2) = try run(SandboxGCTests.scenario(flags: flags, behaviour: Self.behaviour, apps: Self.dockerApp, duration: "20m"))
        XCTAssertTrue(o2.events.contains { $0.event == "workDirFull" })
        XCTAssertFalse(o2.events.contains { $0.event == "TASK_FAILED" || $0.event == "sandboxWriteFailed" })
        XCTAssertEqual(m2.agents[0].workDir?.running, 1)
    }
}
