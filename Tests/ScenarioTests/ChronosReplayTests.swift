@testable import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// Chronos incidents replayed to their end (session 48): each test pins a rule of mesos/chronos
/// at 2.5.1 and c1348ddfd80e that a replay found the simulator breaking.
final class ChronosReplayTests: XCTestCase {
    /// Three masters and one 4-core agent, so that one job can fill the cluster.
    static func scenario(chronos: String, duration: String = "30m") -> String {
        """
        {"name": "r", "duration": "\(duration)", "sampleInterval": "1m", "seed": 1,
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"}],
         "mesos": {"masters": {"count": 3, "hostGroup": "master"}, "agents": {"hostGroups": ["slave"]}},
         "chronos": \(chronos)}
        """
    }

    func run(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ChronosTests.Run? {
        guard let loaded = loadOK(text, file: file, line: line) else { return nil }
        let obs = MemoryObserver()
        let model = ClusterSimulation(spec: loaded.spec, observer: obs)
        model.run()
        return ChronosTests.Run(model: model, events: obs.events)
    }

    /// TaskManager.getTask (2.5.1) / getTaskFromQueue (c1348ddfd80e) answers None for a task whose
    /// job is disabled (JobExpired), and generateLaunchableTasks stops there ("No tasks scheduled or
    /// next task has been disabled"): the task behind it waits for the next offers. 3.x: `big`
    /// (concurrent, the whole agent) queues its second run while its first runs; `small` queues
    /// behind it; the first run fails beyond its retries and `disable_after_failures` 1 disables
    /// `big`. The next batch meets big's task first: it expires and `small` is not launched with
    /// that batch but one offer delay later. The simulator went on to `small` in the same batch.
    func testADisabledJobsTaskAtTheHeadEndsTheBatch() {
        let text = Self.scenario(chronos: #"""
            {"version": "3.x", "flags": {"disable_after_failures": 1},
             "jobs": [{"name": "big", "schedule": "R/2017-01-01T00:00:00Z/PT5M", "cpus": 4, "mem": 1024, "retries": 0, "concurrent": true, "command": "x"},
                      {"name": "small", "schedule": "R/2017-01-01T00:06:00Z/PT1H", "cpus": 1, "mem": 128, "command": "y"}],
             "behaviour": {"big": {"runTime": "7m", "failureProbability": 1}, "small": {"runTime": "1m"}}}
            """#)
        guard let r = run(text) else { return }
        let expired = r.times("chronos", "jobExpired", "big")
        XCTAssertEqual(expired.count, 1, "big's second run expires once")
        guard let e = expired.first, let small = r.launches("small").first else { return XCTFail("no expiry or no launch of small") }
        XCTAssertTrue(r.job("big").disabled)
        // the offer of the expiry's batch is declined (5 s filter): small launches with a later batch
        XCTAssertGreaterThanOrEqual(small.launched - e, .seconds(5), "small launched \(small.launched), big expired \(e)")
        XCTAssertLessThanOrEqual(small.launched - e, ChronosTests.offerDelay + .seconds(1))
    }

    /// `async` is a 2.x field (MesosJobFramework.statusUpdate@2.5.1 `isTaskAsync`): Chronos 3.0
    /// removed async jobs (#734; JobDeserializer@c1348ddfd80e does not read the field), so a 3.x
    /// async job's TASK_FINISHED is its success and its dependents run. The simulator applied it to both.
    func testAsyncHoldsBackDependentsIn2xOnly() throws {
        for version in ["2.x", "3.x"] {
            let text = Self.scenario(chronos: #"""
                {"version": "\#(version)", "jobs": [{"name": "p", "schedule": "R1/2017-01-01T00:01:00Z/PT1H", "async": true, "command": "p"},
                                                   {"name": "c", "parents": ["p"], "command": "c"}],
                 "behaviour": {"default": {"runTime": "1m"}}}
                """#)
            let loaded = try ScenarioLoader.load(text: text, baseDirectory: "/tmp", fileName: "s.json")
            let warned = loaded.warnings.contains { $0.contains("chronos.jobs[0].async") }
            XCTAssertEqual(warned, version == "3.x", "\(version): \(loaded.warnings)")
            guard let r = run(text) else { return }
            XCTAssertEqual(r.job("p").succeeded, version == "2.x" ? 0 : 1, version)
            XCTAssertEqual(r.launches("c").count, version == "2.x" ? 0 : 1, version)
        }
    }
}
