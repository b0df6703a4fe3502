import XCTest
@testable import ClusterModel
import SimKernel

/// The agents' status update manager (src/slave/status_update_manager.cpp@1.4.0): an update the
/// framework did not acknowledge is sent again 10 s, then 20 s, 40 s ... (at most 10 min) after,
/// the stream's next update waits behind it, and the master learns the task's latest state from
/// each resend (docs/mesos.md "Status updates").
final class MesosStatusUpdateRetryTests: XCTestCase, MesosTestHelpers {
    /// One task that finishes `finishAfter` after it starts, launched on the first offer; the
    /// framework has no process to take messages from `downFrom` to `downUntil`.
    func run(finishAfter: Double, downFrom: Int64, downUntil: Int64) -> (MemoryObserver, TestFramework, TaskID, MesosCluster) {
        let (m, o, script) = cluster(agents: 1, duration: .minutes(10))
        let f = addFramework(m, "f", taskKillingState: false)
        var first = true
        f.policy = { _ in
            guard first else { return [] }
            first = false
            return [self.task("t", behaviour: TaskBehaviour(startup: .constant(0), timeToFinish: .constant(finishAfter)))]
        }
        script.at(.seconds(downFrom)) { f.receivesUpdates = false }
        script.at(.seconds(downUntil)) { f.receivesUpdates = true }
        m.run()
        return (o, f, f.launched[0], m.mesos!)
    }

    func masterTime(_ o: MemoryObserver, _ state: String) -> Double? {
        o.events.first { $0.component == "mesos" && $0.event == state && $0.subject == "t" }?.time.seconds
    }

    /// The terminal update sent while the framework has no leader is lost; the agent sends it again
    /// after 10 s and, still unacknowledged, 20 s later: the framework gets it at the first resend
    /// after it is back (before: at once when it came back).
    func testAnUnacknowledgedUpdateIsResentWithADoublingBackOff() throws {
        let (o, f, id, _) = run(finishAfter: 30, downFrom: 20, downUntil: 60)
        let finished = try XCTUnwrap(masterTime(o, "TASK_FINISHED"))
        XCTAssertGreaterThan(finished, 20)
        XCTAssertLessThan(finished + 10, 60)
        let resent = o.events.filter { $0.event == "statusUpdateResent" && $0.subject == "t" }
        XCTAssertEqual(resent.map { ($0.time.seconds - finished).rounded() }, [10, 30])
        XCTAssertEqual(resent.map(\.detail), ["slave-01 TASK_FINISHED; next in 20s", "slave-01 TASK_FINISHED; next in 40s"])
        let got = try XCTUnwrap(f.time(id, .finished)).seconds
        XCTAssertEqual(got - finished, 30, accuracy: 1e-9)
        XCTAssertEqual(f.states(id).filter { $0 == .finished }.count, 1)
    }

    /// While the first update of a stream is unacknowledged the next one waits on the agent: the
    /// master learns it only with the resend (`latest_state`), and the framework gets both, in
    /// order, at the resend after it is back.
    func testTheNextUpdateWaitsBehindAnUnacknowledgedOne() throws {
        let (o, f, id, _) = run(finishAfter: 4, downFrom: 0, downUntil: 25)
        let running = try XCTUnwrap(masterTime(o, "TASK_RUNNING"))
        let finished = try XCTUnwrap(masterTime(o, "TASK_FINISHED"))
        XCTAssertEqual(finished - running, 10, accuracy: 1e-9, "the master learns TASK_FINISHED at the first resend")
        XCTAssertLessThan(running + 10, 25)
        XCTAssertGreaterThan(running + 30, 25)
        XCTAssertEqual(f.states(id).filter { $0 == .running || $0 == .finished }, [.running, .finished])
        let got = try XCTUnwrap(f.time(id, .running)).seconds
        XCTAssertEqual(got - running, 30, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(f.time(id, .finished)).seconds, got)
    }

    /// A framework that takes its updates costs no timer: the steady state schedules nothing more.
    func testAnAcknowledgedUpdateArmsNoTimer() throws {
        let (o, f, id, mesos) = run(finishAfter: 30, downFrom: 500, downUntil: 501)
        XCTAssertTrue(o.events.filter { $0.event == "statusUpdateResent" }.isEmpty)
        XCTAssertEqual(mesos.agents[0].streamTimerSeq, 0, "no resend timer was ever armed")
        XCTAssertTrue(mesos.agents[0].streams.isEmpty)
        XCTAssertEqual(try XCTUnwrap(f.time(id, .finished)).seconds, try XCTUnwrap(masterTime(o, "TASK_FINISHED")))
    }
}
