import XCTest
@testable import ClusterModel
import SimKernel

/// Runs closures at given simulated times (test scaffolding).
final class Script: EventHandler {
    var actions: [() -> Void] = []
    var target: Int32 = -1
    let sim: Simulation
    init(_ sim: Simulation) { self.sim = sim; target = sim.register(self) }
    func at(_ t: SimDuration, _ f: @escaping () -> Void) {
        actions.append(f)
        sim.schedule(at: SimTime.zero + t, target: target, kind: 0, arg: Int64(actions.count - 1), priority: -50)
    }
    func handle(_ event: Event, in sim: Simulation) { actions[Int(event.arg)]() }
}

/// A framework for tests: records what it gets; declines or launches by policy.
final class TestFramework: MesosFramework {
    let frameworkName: String
    let role: String
    var driver: SchedulerDriver!
    var offers: [(time: SimTime, offer: Offer)] = []
    var updates: [(time: SimTime, update: TaskStatusUpdate)] = []
    var registrations: [(SimTime, Bool)] = []
    var disconnections: [SimTime] = []
    var rescinded: [Int64] = []
    /// What to do with an offer: return tasks to launch (empty: decline).
    var policy: (Offer) -> [TaskLaunch] = { _ in [] }
    var refuseSeconds: Double = 5
    var hold = false   // keep offers outstanding
    unowned var sim: Simulation
    var launched: [TaskID] = []
    init(_ name: String, role: String = "*", sim: Simulation) { frameworkName = name; self.role = role; self.sim = sim }
    func registered(reregistered: Bool) { registrations.append((sim.now, reregistered)) }
    func disconnected() { disconnections.append(sim.now) }
    func resourceOffers(_ os: [Offer]) {
        for o in os {
            offers.append((sim.now, o))
            if hold { continue }
            let ts = policy(o)
            if ts.isEmpty { driver.decline(offer: o.id, refuseSeconds: refuseSeconds) }
            else if let ids = driver.launch(offer: o.id, tasks: ts, refuseSeconds: refuseSeconds) { launched += ids }
        }
    }
    func offerRescinded(_ offer: Int64) { rescinded.append(offer) }
    func statusUpdate(_ u: TaskStatusUpdate) { updates.append((sim.now, u)) }
    func states(_ id: TaskID) -> [TaskState] { updates.filter { $0.update.task == id }.map(\.update.state) }
    func time(_ id: TaskID, _ s: TaskState) -> SimTime? { updates.first { $0.update.task == id && $0.update.state == s }?.time }
}

final class MesosTests: XCTestCase {
    static func group(_ name: String, _ count: Int, cpus: Double = 8, mem: Int64 = 32 << 30) -> HostGroupSpec {
        HostGroupSpec(name: name, count: count, datacenter: "dc01", racks: ["r1"], cpus: cpus,
                      memoryBytes: mem, diskBytes: 500_000_000_000, nicBitsPerSecond: 10_000_000_000)
    }

    func cluster(agents: Int = 3, seed: UInt64 = 1, duration: SimDuration = .hours(1), faults: [FaultSpec] = [],
                 mesos: MesosSpec = MesosSpec(), zk: ZooKeeperSpec = ZooKeeperSpec()) -> (ClusterSimulation, MemoryObserver, Script) {
        let spec = ClusterSpec(name: "t", seed: seed, duration: duration, sampleInterval: .minutes(10),
                               hostGroups: [Self.group("master", 3, cpus: 4, mem: 8 << 30), Self.group("slave", agents)],
                               faults: faults, zookeeper: zk, mesos: mesos)
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        return (m, o, Script(m.sim))
    }

    func events(_ o: MemoryObserver, _ name: String, _ subject: String? = nil) -> [LoggedEvent] {
        o.events.filter { $0.event == name && (subject == nil || $0.subject == subject) }
    }

    func task(_ name: String, cpus: Double = 1, mem: Double = 128, image: ImageRef? = nil,
              behaviour: TaskBehaviour = TaskBehaviour(), hc: MesosHealthCheck? = nil) -> TaskLaunch {
        TaskLaunch(name: name, framework: "f", resources: Resources(cpus: Scalar(cpus), memMB: Scalar(mem)), image: image,
                   behaviour: behaviour, mesosHealthCheck: hc)
    }

    // MARK: startup

    func testStartupElectsALeaderAndRegistersAgents() {
        let (m, o, _) = cluster(duration: .minutes(1))
        m.run()
        let mc = m.mesos!
        XCTAssertEqual(events(o, "leaderElected").count, 1)
        XCTAssertEqual(events(o, "masterElected").count, 1)
        XCTAssertEqual(events(o, "masterReady").count, 1)
        XCTAssertEqual(events(o, "agentRegistered").count, 3)
        let met = mc.metrics()
        XCTAssertEqual(met.agentsRegistered, 3)
        XCTAssertTrue(met.leaderReady)
        // 8 cpus, 32 GiB - 1 GiB, 500 GB - 5 GiB
        XCTAssertEqual(met.cpusTotal, 24)
        XCTAssertEqual(met.memTotalMB, 3 * 31 * 1024)
        XCTAssertEqual(mc.agents[0].total.diskMB, Scalar(Double((500_000_000_000 - (5 << 30)) >> 20)))
    }
}
