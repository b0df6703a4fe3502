import XCTest
@testable import ClusterModel
import SimKernel

/// An agent process that exits while its host's network works closes its socket, and the master
/// learns it at once (master.cpp@1.4.0 `exited(UPID)` -> `disconnect` -> `deactivate`): no more
/// offers of the agent, its outstanding offers rescinded, a non-checkpointing framework's tasks
/// TASK_LOST (REASON_SLAVE_DISCONNECTED). A host that loses power closes nothing: the master has its
/// pings. At the agent's restart, a launch still pulling (no executor forked, no pid checkpointed)
/// fails as an unknown container; a task whose container was starting keeps its executor.
final class MesosAgentDisconnectTests: XCTestCase, MesosTestHelpers {
    static let crashAt = SimTime.zero + .seconds(60)
    static let crashAfter = SimDuration.seconds(60)

    /// One framework holding every offer it gets (one per agent); the agent of slave-01 goes down at
    /// 60 s by `fault`.
    func heldOffers(_ fault: @escaping (ClusterSimulation, Int) -> Void) -> (TestFramework, MemoryObserver, ClusterSimulation) {
        let (m, o, script) = cluster(agents: 2, duration: .minutes(4))
        var f: TestFramework!
        script.at(.zero) { f = self.addFramework(m, "f"); f.hold = true }
        let h = hostIndex(m, "slave-01")
        script.at(Self.crashAfter) { fault(m, h) }
        m.run()
        return (f, o, m)
    }

    func offersOf(_ f: TestFramework, _ m: ClusterSimulation) -> [(time: SimTime, offer: Offer)] {
        let h = hostIndex(m, "slave-01")
        return f.offers.filter { $0.offer.agent == h }
    }

    func testACrashedAgentProcessIsDisconnectedAndItsOffersRescindedAtOnce() throws {
        var before: MesosMetrics?, during: MesosMetrics?
        let (f, o, m) = heldOffers { m, h in
            before = m.mesos!.metrics()
            m.mesos!.crashAgent(host: h, restartAfter: .seconds(10))
            during = m.mesos!.metrics()
        }
        // still a registered agent: master/cpus_total counts it (master.cpp `_resources_total`)
        XCTAssertEqual(during?.cpusTotal, before?.cpusTotal)
        XCTAssertEqual(during?.agentsRegistered, 2)
        XCTAssertEqual(events(o, "agentDisconnected", "slave-01").map(\.time), [Self.crashAt])
        let offers = offersOf(f, m)
        guard offers.count == 2 else { return XCTFail("the first offer, then one after the re-registration: \(offers.map(\.time))") }
        XCTAssertLessThan(offers[0].time, Self.crashAt)
        XCTAssertEqual(f.rescinded, [offers[0].offer.id], "its outstanding offer is rescinded at the crash")
        let back = try XCTUnwrap(events(o, "agentReregistered", "slave-01").first).time
        XCTAssertGreaterThan(back, Self.crashAt + .seconds(10))
        XCTAssertGreaterThanOrEqual(offers[1].time, back, "no offer of the agent while it is disconnected")
        XCTAssertTrue(events(o, "agentUnreachable").isEmpty)
    }

    func testARebootIsADisconnectionAndAPowerLossIsNot() throws {
        let (_, rebootEvents, _) = heldOffers { m, h in _ = m.infrastructure.reboot(m.infrastructure.hosts[h], downFor: .minutes(1), cause: "test") }
        XCTAssertEqual(events(rebootEvents, "agentDisconnected", "slave-01").map(\.time), [Self.crashAt])
        let (f, crashEvents, m) = heldOffers { m, h in _ = m.infrastructure.crash(m.infrastructure.hosts[h], recoverAfter: nil, cause: "test") }
        XCTAssertTrue(events(crashEvents, "agentDisconnected").isEmpty)
        // the master learns from its pings: 5 missed pings of 15 s, then the offer goes with the agent
        let unreachable = try XCTUnwrap(events(crashEvents, "agentUnreachable", "slave-01").first).time
        XCTAssertGreaterThan(unreachable, Self.crashAt + .seconds(60))
        XCTAssertEqual(f.rescinded.count, 1)
        XCTAssertEqual(offersOf(f, m).count, 1)
    }

    /// master.cpp `exited`: "If the framework is not-checkpointing: ... its tasks transitioned to
    /// LOST" (`removeFramework(Slave*, Framework*)`): at the crash, not at the restart.
    func testANonCheckpointingFrameworksTasksAreLostAtTheDisconnection() throws {
        let (m, _, script) = cluster(agents: 1, duration: .minutes(3))
        var f: TestFramework!
        script.at(.zero) {
            f = self.addFramework(m, "f", checkpoint: false)
            f.refuseSeconds = 3600
            var once = false
            f.policy = { _ in defer { once = true }; return once ? [] : [self.task("a")] }
        }
        script.at(Self.crashAfter) { m.mesos!.crashAgent(host: self.hostIndex(m, "slave-01"), restartAfter: .seconds(10)) }
        m.run()
        let a = try XCTUnwrap(f.launched.first)
        XCTAssertEqual(f.states(a), [.staging, .running, .lost])
        let lost = try XCTUnwrap(f.updates.last { $0.update.task == a })
        XCTAssertEqual(lost.time, Self.crashAt)
        XCTAssertEqual(lost.update.reason, .agentDisconnected)
        XCTAssertEqual(lost.update.message, "Agent slave-01 disconnected")
    }

    /// At the restart, a launch still pulling has no executor: TASK_FAILED, REASON_EXECUTOR_TERMINATED,
    /// "Abnormal executor termination: unknown container" (slave.cpp@1.4.0
    /// `sendExecutorTerminatedStatusUpdate`). A task whose container was starting has its executor,
    /// which outlives the agent: it runs, and its TASK_RUNNING reaches the master once the agent is back.
    func testAPullingLaunchFailsAtTheRestartAndAStartingOneRuns() throws {
        var ms = MesosSpec()
        ms.containerStartTime = .constant(30)
        let (m, o, script) = cluster(agents: 2, duration: .minutes(5), mesos: ms)
        var f: TestFramework!
        let big = ImageRef(name: "big:1", sizeBytes: 50_000_000_000)   // a pull of minutes
        script.at(.zero) {
            f = self.addFramework(m, "f")
            f.refuseSeconds = 3600
            var placed: Set<Int> = []
            f.policy = { o in
                guard !placed.contains(o.agent) else { return [] }
                placed.insert(o.agent)
                let name = m.infrastructure.hosts[o.agent].name
                return [self.task(name == "slave-01" ? "pulling" : "starting", image: name == "slave-01" ? big : nil)]
            }
        }
        script.at(.seconds(30)) {
            for h in ["slave-01", "slave-02"] { m.mesos!.crashAgent(host: self.hostIndex(m, h), restartAfter: .seconds(10)) }
        }
        m.run()
        let onHost = Dictionary(uniqueKeysWithValues: f.launched.compactMap { id in
            f.updates.first { $0.update.task == id }.map { (m.infrastructure.hosts[$0.update.agent].name, id) } })
        let pulling = try XCTUnwrap(onHost["slave-01"]), starting = try XCTUnwrap(onHost["slave-02"])
        XCTAssertEqual(f.states(pulling), [.staging, .failed])
        let failed = try XCTUnwrap(f.updates.last { $0.update.task == pulling })
        XCTAssertEqual(failed.update.reason, .executorTerminated)
        XCTAssertEqual(failed.update.message, "Abnormal executor termination: unknown container")
        XCTAssertEqual(failed.time, SimTime.zero + .seconds(40), "at the agent's restart")
        XCTAssertEqual(f.states(starting), [.staging, .running])
        let back = try XCTUnwrap(events(o, "agentReregistered", "slave-02").first).time
        XCTAssertEqual(f.time(starting, .running), back, "held by the agent until it is registered again")
    }
}
