import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// The agent's GC flags at the edges of what mesos-agent takes (apache/mesos@1.4.0, the same to
/// 1.11.0): `Slave::initialize` checks only gc_disk_headroom (`EXIT(EXIT_FAILURE) << "Invalid
/// value '...' for --gc_disk_headroom. Must be between 0.0 and 1.0"`); gc_delay and
/// disk_watch_interval take any duration stout parses, 0secs included.
final class SandboxGCFlagValuesTests: XCTestCase {
    static let crash = #"{"/chatty": {"startupTime": "0s", "timeToCrash": "10m", "logs": {"rate": "10kB/s", "to": "sandbox"}}}"#

    /// gc_delay 0secs: `garbageCollect` schedules the run directory 0 - its age (0) from now, so
    /// gc.cpp's timer removes it as its executor ends.
    func testGcDelayZeroRemovesTheSandboxAsItsExecutorEnds() throws {
        let text = SandboxGCTests.scenario(workDir: #"{"capacity": "100GB"}"#, flags: #""gc_delay": "0secs""#, behaviour: Self.crash, duration: "1h")
        let (_, o) = try runToEnd(text)
        let failed = o.events.filter { $0.event == "TASK_FAILED" }
        XCTAssertGreaterThanOrEqual(failed.count, 2)
        for f in failed {
            let gone = try XCTUnwrap(o.events.first { ($0.event == "sandboxRemoved" || $0.event == "sandboxPruned") && $0.subject == f.subject }, f.subject)
            XCTAssertEqual(gone.time, f.time)
        }
    }

    /// disk_watch_interval 0secs: `delay(0, checkDiskUsage)`, the checks run back to back; it loads
    /// and prunes no later than checks a minute apart would.
    func testDiskWatchIntervalZeroLoads() throws {
        let flags = #""gc_delay": "1h", "disk_watch_interval": "0secs""#
        let text = SandboxGCTests.scenario(workDir: #"{"capacity": "100GB"}"#, flags: flags, behaviour: Self.crash, duration: "2h")
        let spec = try XCTUnwrap(loadOK(text)).spec
        XCTAssertEqual(spec.mesos?.agentFlags.diskWatchInterval, .zero)
        let (_, o) = try runToEnd(text)
        // headroom 0.1 on a nearly empty disk (a few MB of 100 GB): pruned a little before
        // 0.9 x gc_delay after the end, at the instant its age reaches gc_delay x (0.9 - usage)
        let first = try XCTUnwrap(o.events.first { $0.event == "sandboxPruned" })
        let ended = try XCTUnwrap(o.events.first { $0.event == "TASK_FAILED" && $0.subject == first.subject })
        let age = first.time.seconds - ended.time.seconds
        XCTAssertLessThanOrEqual(age, 0.9 * 3600)
        XCTAssertGreaterThan(age, 0.9 * 3600 - 5)
        // the same instants as checks one nanosecond apart
        let (_, ns) = try runToEnd(SandboxGCTests.scenario(workDir: #"{"capacity": "100GB"}"#, flags: #""gc_delay": "1h", "disk_watch_interval": "1ns""#,
                                                           behaviour: Self.crash, duration: "2h"))
        XCTAssertEqual(o.events.filter { $0.event == "sandboxPruned" }.map(\.time), ns.events.filter { $0.event == "sandboxPruned" }.map(\.time))
    }

    /// gc_disk_headroom outside [0, 1]: the agent's own message; 0 and 1 load.
    func testGcDiskHeadroomOutOfRangeIsTheAgentsExit() {
        for (v, shown) in [("1.5", "1.5"), ("-0.1", "-0.1"), ("2", "2"), ("\"1.25\"", "1.25")] {
            assertSingleError(SandboxGCTests.scenario(flags: #""gc_disk_headroom": \#(v)"#, behaviour: "{}"),
                              path: "mesos.agents.flags.gc_disk_headroom",
                              ["Invalid value '\(shown)' for --gc_disk_headroom. Must be between 0.0 and 1.0"])
        }
        XCTAssertEqual(loadOK(SandboxGCTests.scenario(flags: #""gc_disk_headroom": 1"#, behaviour: "{}"))?.spec.mesos?.agentFlags.gcDiskHeadroom, 1)
        XCTAssertEqual(loadOK(SandboxGCTests.scenario(flags: #""gc_disk_headroom": "0""#, behaviour: "{}"))?.spec.mesos?.agentFlags.gcDiskHeadroom, 0)
    }
}
