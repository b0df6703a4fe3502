import XCTest
@testable import ClusterModel
import SimKernel

/// Runs closures at given simulated instants with a given event priority: a fault before (-50), among
/// (0) or after (+50) the master's events of the same instant.
final class TimedCalls: EventHandler {
    var actions: [() -> Void] = []
    var target: Int32 = -1
    let sim: Simulation
    init(_ sim: Simulation) { self.sim = sim; target = sim.register(self) }
    func at(_ t: SimTime, priority: Int16, _ f: @escaping () -> Void) {
        actions.append(f)
        sim.schedule(at: t, target: target, kind: 0, arg: Int64(actions.count - 1), priority: priority)
    }
    func handle(_ event: Event, in sim: Simulation) { actions[Int(event.arg)]() }
}

/// Quiet ping loops (MesosCluster `nextPing` / `wakeObserver`): an agent that answers every ping has no
/// `pingTimeout` events, yet every run is the run of the per-ping loop (`quietPings = false`): the same
/// event log line by line, the same detections, across seeds, fault kinds, fault instants (at a ping
/// instant, a nanosecond either side, in between) and the fault's place among the events of its instant.
final class QuietPingTests: XCTestCase, MesosTestHelpers {
    enum Fault: CaseIterable { case hostCrash, agentCrash, partition, flap, masterCrash }

    struct Outcome: Equatable {
        var log: [String]
        var detections: [String]
        var events: UInt64
    }

    /// The instant slave-02 was admitted (its ping phase) in the run of `seed` without faults.
    func phase(seed: UInt64) -> SimTime {
        let (m, o, _) = cluster(agents: 4, seed: seed, duration: .minutes(3))
        m.run()
        return events(o, "agentRegistered", "slave-02").first!.time
    }

    func run(seed: UInt64, quiet: Bool, at t: SimTime, priority: Int16, fault: Fault, lasting d: SimDuration?) -> Outcome {
        let (m, o, _) = cluster(agents: 4, seed: seed, duration: .minutes(15))
        let mc = m.mesos!
        mc.quietPings = quiet
        let calls = TimedCalls(m.sim)
        let host = m.infrastructure.hosts.first { $0.name == "slave-02" }!
        calls.at(t, priority: priority) {
            switch fault {
            case .hostCrash: _ = m.infrastructure.crash(host, recoverAfter: d, cause: "test")
            case .agentCrash: mc.crashAgent(host: host.index, restartAfter: d, keepDown: d == nil)
            case .partition: mc.partition(host: host.index, healAfter: d)
            case .flap:
                // down and up again within one ping period, twice
                mc.partition(host: host.index, healAfter: .seconds(3))
                calls.at(t + .seconds(7), priority: priority) { mc.partition(host: host.index, healAfter: .milliseconds(1)) }
            case .masterCrash: mc.crashMaster(restartAfter: d)
            }
        }
        m.run()
        return Outcome(log: o.events.filter { !($0.component == "run" && $0.event == "finished") }.map { "\($0.time.nanoseconds) \($0.component) \($0.event) \($0.subject) \($0.detail)" },
                       detections: mc.detections.map { "\($0.agent) \($0.downAt.nanoseconds) \($0.unreachableAt.nanoseconds)" },
                       events: m.sim.eventsProcessed)
    }

    func testQuietLoopHasTheEventLogAndDetectionsOfThePerPingLoop() {
        let period = SimDuration.seconds(15)
        var compared = 0, detected = 0
        for seed in UInt64(1)...3 {
            let p = phase(seed: seed)
            let onPing = p + period * 20   // a ping instant about five minutes in
            let offsets: [SimDuration] = [.zero, .nanosecond, SimDuration(nanoseconds: -1), .fromSeconds(4.321 * Double(seed))]
            for fault in Fault.allCases {
                let lastings: [SimDuration?] = fault == .flap ? [nil] : [nil, .seconds(30), .seconds(20), .seconds(95)]
                for off in offsets {
                    for priority: Int16 in [-50, 0, 50] {
                        for d in lastings {
                            let old = run(seed: seed, quiet: false, at: onPing + off, priority: priority, fault: fault, lasting: d)
                            let new = run(seed: seed, quiet: true, at: onPing + off, priority: priority, fault: fault, lasting: d)
                            let what = "seed \(seed) \(fault) offset \(off) priority \(priority) lasting \(d.map { "\($0)" } ?? "-")"
                            XCTAssertEqual(new.detections, old.detections, what)
                            XCTAssertEqual(new.log.count, old.log.count, what)
                            if let i = new.log.indices.first(where: { $0 < old.log.count && new.log[$0] != old.log[$0] }) {
                                XCTFail("\(what): first difference at line \(i):\n quiet \(new.log[i])\n   old \(old.log[i])")
                            }
                            // 4 agents x 60 periods of pings in the old loop; the quiet one pays only around the fault
                            XCTAssertLessThan(new.events + 150, old.events, what)
                            compared += 1
                            detected += old.detections.count
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(compared, 200)
        XCTAssertGreaterThan(detected, 50)   // the comparisons include detections, not only quiet runs
    }

    /// A dead host is detected by pings that go unanswered, 75-90 s after it went silent, with the
    /// same delay as the per-ping loop; an agent answering again before the fifth timeout is not.
    func testDetectionDelayIsThePerPingLoops() {
        for seed in UInt64(1)...6 {
            let p = phase(seed: seed)
            let at = p + .fromSeconds(300 + 2.9 * Double(seed))
            let old = run(seed: seed, quiet: false, at: at, priority: 0, fault: .hostCrash, lasting: nil)
            let new = run(seed: seed, quiet: true, at: at, priority: 0, fault: .hostCrash, lasting: nil)
            XCTAssertEqual(new.detections, old.detections, "seed \(seed)")
            XCTAssertEqual(new.detections.count, 1, "seed \(seed)")
            let short = run(seed: seed, quiet: true, at: at, priority: 0, fault: .partition, lasting: .seconds(40))
            XCTAssertEqual(short.detections, [], "seed \(seed)")
        }
    }
}
