import XCTest
@testable import ClusterModel
import SimKernel

/// Mesos' side of reconciliation in O(changes) (`MesosCluster.reconcileChanges`,
/// `noteReconciliationChange`): a task whose reported state changed since the framework's last
/// reconciliation is answered again even when the framework holds it quiet because the status update
/// is still in its outbox (not yet delivered) at the reconciliation instant. A framework that keeps
/// Mesos' last answers sees, after every delta, the answers of the full per-task reconciliation
/// (`deltaReconciliation = false`).
final class ReconciliationNotingTests: XCTestCase, MesosTestHelpers {
    /// Keeps `target` tasks live, asks with `reconcileChanges` (loud: no answer yet, or the last answer
    /// differs from the last status update) and keeps the last answer per task as the delta says.
    final class DeltaFramework: MesosFramework {
        let frameworkName = "f"
        /// TASK_KILLING_STATE: the kill's TASK_KILLING is what the reconciliation must carry.
        var taskKillingState: Bool { true }
        let role = "*"
        var driver: SchedulerDriver!
        unowned let sim: Simulation
        let target: Int
        let behaviour: TaskBehaviour
        /// Live tasks by the status updates received (what `all()` asks about).
        var known: [TaskID: TaskState] = [:]
        var lastAnswer: [TaskID: ReconciliationAnswer] = [:]
        /// `all()` of the reconciliation on its way.
        var asked: [TaskID] = []
        /// Per reconciliation delivered: its instant and the answer to every task asked about.
        var seen: [(time: SimTime, answers: [String])] = []
        var examined = 0, partial = 0
        var launches = 0
        init(sim: Simulation, target: Int, behaviour: TaskBehaviour) { self.sim = sim; self.target = target; self.behaviour = behaviour }

        func registered(reregistered: Bool) {}
        func disconnected() {}
        func offerRescinded(_ offer: Int64) {}
        func resourceOffers(_ offers: [Offer]) {
            for o in offers {
                let n = min(target - known.count, 3)
                guard n > 0 else { driver.decline(offer: o.id, refuseSeconds: 1); continue }
                let ts = (0..<n).map { i in
                    TaskLaunch(name: "f.\(launches + i)", framework: "f", resources: Resources(cpus: Scalar(1), memMB: Scalar(64)),
                               image: nil, behaviour: behaviour)
                }
                launches += n
                for id in driver.launch(offer: o.id, tasks: ts, refuseSeconds: 1) ?? [] { known[id] = .staging }
            }
        }
        func statusUpdate(_ u: TaskStatusUpdate) {
            guard known[u.task] != nil else { return }
            known[u.task] = u.state.isTerminal ? nil : u.state
        }

        func reconcile() {
            let all = known.keys.sorted()
            let loud = all.filter { lastAnswer[$0]?.state != known[$0] }
            asked = all
            driver.reconcileChanges(loud: loud, quiet: all.count - loud.count, all: { all }, known: { self.known[$0] != nil })
        }
        func reconciliationAnswers(_ answers: [ReconciliationAnswer]) {
            record(examined: asked, answers: answers)
        }
        func reconciliationDelta(_ d: ReconciliationDelta) {
            if !d.full { partial += 1 }
            record(examined: d.full ? asked : d.examined, answers: d.answers)
        }
        func record(examined ids: [TaskID], answers: [ReconciliationAnswer]) {
            examined += ids.count
            for id in ids { lastAnswer[id] = nil }
            for a in answers { lastAnswer[a.task] = a }
            seen.append((sim.now, asked.compactMap { id in lastAnswer[id].map { "\(id) \($0.state.rawValue) \($0.agent)" } }))
        }
    }

    struct Run {
        var seen: [(time: SimTime, answers: [String])]
        var examined: Int, partial: Int
        /// The killed task and its answer, per kill instant.
        var killedAnswers: [String]
    }

    /// Three agents, 12 tasks that crash now and then (relaunched), a reconciliation every 30 s, and at
    /// `kills` a running task killed right before a reconciliation at the same instant: TASK_KILLING is
    /// in the framework's outbox when Mesos answers.
    func run(seed: UInt64, delta: Bool, kills: [Double]) -> Run {
        let (m, _, script) = cluster(agents: 3, seed: seed, duration: .minutes(20))
        let mc = m.mesos!
        mc.deltaReconciliation = delta
        let f = DeltaFramework(sim: m.sim, target: 12,
                               behaviour: TaskBehaviour(startup: .constant(3), timeToCrash: .exponential(mean: 400),
                                                        stopTime: .constant(10)))
        script.at(.zero) { f.driver = mc.addFramework(f) }
        var killed: [(time: SimTime, task: TaskID)] = []
        for s in stride(from: 60.0, to: 1200, by: 30) { script.at(.fromSeconds(s)) { f.reconcile() } }
        for (i, s) in kills.enumerated() {
            script.at(.fromSeconds(s)) {
                let running = f.known.filter { $0.value == .running }.map(\.key).sorted()
                guard !running.isEmpty else { return }
                let id = running[(i * 7) % running.count]
                f.driver.kill(task: id)
                killed.append((m.sim.now, id))
                f.reconcile()
            }
        }
        m.run()
        let answers = killed.map { k in
            f.seen.first { $0.time == k.time }?.answers.first { $0.hasPrefix("\(k.task) ") } ?? "\(k.task) none"
        }
        return Run(seen: f.seen, examined: f.examined, partial: f.partial, killedAnswers: answers)
    }

    func testDeltaAnswersCountAStatusUpdateStillInTheOutbox() {
        let kills = [305.0, 545, 785, 1025]
        for seed in UInt64(1)...3 {
            let walk = run(seed: seed, delta: false, kills: kills)
            let delta = run(seed: seed, delta: true, kills: kills)
            // the kill's TASK_KILLING was undelivered at the reconciliation: the answer carries it
            XCTAssertEqual(walk.killedAnswers.count, kills.count, "seed \(seed)")
            for a in walk.killedAnswers { XCTAssertTrue(a.contains(" TASK_KILLING "), "seed \(seed): \(a)") }
            XCTAssertEqual(delta.killedAnswers, walk.killedAnswers, "seed \(seed)")
            XCTAssertEqual(delta.seen.count, walk.seen.count, "seed \(seed)")
            for (d, w) in zip(delta.seen, walk.seen) {
                XCTAssertEqual(d.time, w.time, "seed \(seed)")
                XCTAssertEqual(d.answers, w.answers, "seed \(seed) at \(d.time)")
            }
            // the delta answered a small part of what the walk answered, mostly without a full answer
            XCTAssertGreaterThan(delta.partial, walk.seen.count / 2, "seed \(seed)")
            XCTAssertLessThan(delta.examined * 3, walk.examined, "seed \(seed): delta \(delta.examined), walk \(walk.examined)")
        }
    }
}
