import XCTest
@testable import ClusterModel
import SimKernel

/// A sink that writes CSV text (what Reporting's CSVWriter does with a file).
final class CSVText: TableSink {
    var text = ""
    var first = true
    init(columns: [String]) { text = columns.joined(separator: ",") + "\n" }
    func sep() { if !first { text += "," }; first = false }
    func field(_ s: String) { sep(); text += s }
    func field(_ i: Int) { sep(); text += String(i) }
    func field(_ x: Double, decimals: Int) { sep(); text += NumberFormat.decimal(x, decimals) }
    func field(_ t: SimTime) { sep(); text += t.description }
    func endRow() { text += "\n"; first = true }
}

/// Writes every contributed table of every subsystem at each sample.
final class SubsystemTablesObserver: RunObserver {
    let memory = MemoryObserver()
    var sinks: [String: CSVText] = [:]
    func record(_ event: LoggedEvent) { memory.record(event) }
    func sample(_ model: ClusterSimulation, at time: SimTime) {
        for (e, s) in zip(model.subsystemEntries, model.subsystems) {
            for t in e.outputs.tables where t.applies(s) {
                let sink = sinks[t.file] ?? CSVText(columns: t.columns.map(\.0))
                sinks[t.file] = sink
                t.write(s, time, sink)
            }
        }
    }
}

final class SubsystemContractTests: XCTestCase {
    func spec(faults: [FaultSpec] = [], duration: SimDuration = .minutes(20)) -> ClusterSpec {
        let apps = [MarathonRuntimeTests.app("/web", instances: 4), MarathonRuntimeTests.app("/api", instances: 2)]
        let beh = apps.map { _ in AppBehaviour(task: TaskBehaviour(startup: .constant(5)), imageSizeBytes: 100_000_000) }
        return ClusterSpec(name: "t", seed: 3, duration: duration, sampleInterval: .minutes(5),
                           hostGroups: MarathonRuntimeTests.hostGroups(agents: 4), faults: faults,
                           zookeeper: ZooKeeperSpec(servers: 3), mesos: MesosSpec(),
                           marathon: MarathonSpec(version: MarathonVersion(1, 4, 9), apps: apps, behaviour: beh))
    }

    func testTheStandardListIsBuiltInOrderAndAbsentSectionsBuildNothing() {
        let m = ClusterSimulation(spec: spec(), observer: NullObserver())
        XCTAssertEqual(m.subsystems.map(\.name), ["zookeeper", "mesos", "marathon"])
        XCTAssertTrue(m.mesos?.zooKeeper === m.zooKeeper)
        XCTAssertTrue(m.marathon?.zooKeeper === m.zooKeeper)
        var bare = spec()
        bare.mesos = nil; bare.marathon = nil
        XCTAssertEqual(ClusterSimulation(spec: bare, observer: NullObserver()).subsystems.count, 0)
    }

    /// The fixture subsystem, added by appending it to the list: its CSV has one row per host with
    /// starts, and its counts are the TASK_RUNNING lines of the event log, host by host.
    func testTaskStartCounterCountsRunningUpdatesPerHostAndWritesItsCSV() throws {
        let obs = SubsystemTablesObserver()
        // crashes of three of the four agent hosts at 10 min: the tasks of those (at least one: an
        // offer takes at most 5 of the 6 instances) are relaunched on the fourth (more starts)
        let crashes = ["slave-02", "slave-03", "slave-04"].map { FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host($0)) }
        let m = ClusterSimulation(spec: spec(faults: crashes, duration: .minutes(40)), observer: obs,
                                  subsystems: ClusterSimulation.standardSubsystems + [TaskStartCounter.entry])
        XCTAssertTrue(m.run())
        let counter = try XCTUnwrap(m.subsystems.last as? TaskStartCounter)
        var expected: [String: Int] = [:]
        for e in obs.memory.events where e.component == "mesos" && e.event == "TASK_RUNNING" {
            expected[String(e.detail.split(separator: " ")[0]), default: 0] += 1
        }
        XCTAssertGreaterThan(expected.values.reduce(0, +), 6, "the crash makes Marathon relaunch")
        let csv = try XCTUnwrap(obs.sinks["task_starts.csv"]).text
        let lastRows = csv.split(separator: "\n").filter { $0.hasPrefix("2400,") }
        var written: [String: Int] = [:]
        for r in lastRows { let f = r.split(separator: ","); written[String(f[1])] = Int(f[2]) }
        XCTAssertEqual(written, expected)
        XCTAssertTrue(csv.hasPrefix("time_s,host,task_starts\n"))
        XCTAssertEqual(counter.headline().first?.value, .int(Int64(expected.values.reduce(0, +))))
        // every built subsystem's headline has the keys, in the order, its entry declares
        for (e, s) in zip(m.subsystemEntries, m.subsystems) {
            XCTAssertEqual(s.headline().map(\.key), e.outputs.headline.map(\.key), e.name)
        }
        XCTAssertTrue(m.subsystemEntries.contains { $0.name == "mesos" && !$0.outputs.headline.isEmpty })
    }

    final class Probe: SignalSubscriber {
        let tag: String
        var log: [String]
        init(_ tag: String) { self.tag = tag; log = [] }
        static var order: [String] = []
        func receive(_ signal: PlatformSignal) { Probe.order.append(tag) }
    }

    /// Same-instant order: by stage, then list position, then subscription order.
    func testSignalsReachSubscribersByStageThenListOrder() {
        let bus = PlatformSignals()
        Probe.order = []
        bus.currentRank = 0
        bus.subscribe(Probe("observer-0"), to: .hosts)
        bus.subscribe(Probe("containers-0"), to: .hosts, stage: .containers)
        bus.currentRank = 1
        bus.subscribe(Probe("frameworks-1"), to: .hosts, stage: .frameworks)
        bus.subscribe(Probe("containers-1a"), to: .hosts, stage: .containers)
        bus.subscribe(Probe("containers-1b"), to: .hosts, stage: .containers)
        bus.currentRank = 2
        bus.subscribe(Probe("coordination-2"), to: .hosts, stage: .coordination)
        bus.subscribe(Probe("tasks-2"), to: .taskStatus)
        bus.publish(.hostUp(host: 0))
        XCTAssertEqual(Probe.order, ["frameworks-1", "coordination-2", "containers-0", "containers-1a", "containers-1b", "observer-0"])
        XCTAssertEqual(bus.published[SignalTopic.hosts.rawValue], 1)
    }

    /// A host running a Marathon instance, a ZooKeeper server and a Mesos master goes down: Marathon
    /// drops its session before the server goes down, Mesos stops its master after.
    func testHostSignalsFollowTheDocumentedStages() {
        let obs = MemoryObserver()
        let crash = FaultSpec(at: .minutes(5), kind: .hostCrash, target: .host("master-01"))
        let m = ClusterSimulation(spec: spec(faults: [crash]), observer: obs)
        XCTAssertTrue(m.run())
        let atCrash = obs.events.filter { $0.time == SimTime.zero + .minutes(5) }.map { "\($0.component)/\($0.event)" }
        let zk = atCrash.firstIndex(of: "zookeeper/serverDown"), master = atCrash.firstIndex(of: "mesos/masterStopped")
        XCTAssertNotNil(zk); XCTAssertNotNil(master)
        XCTAssertLessThan(zk!, master!)
        XCTAssertEqual(m.signals.subscriberCount(.hosts), 3)   // marathon, zookeeper, mesos
    }

    /// Marathon's event stream: one deployment_info and one deployment_success for the initial
    /// deployment, instance changes for every instance, health changes only with health checks.
    func testMarathonPublishesItsEventStream() {
        final class Recorder: Subsystem, SignalSubscriber {
            var name: String { "recorder" }
            var signals: [PlatformSignal] = []
            func register(in sim: Simulation) {}
            func start() {}
            func subscribe(to s: PlatformSignals) { s.subscribe(self, to: [.deployments, .instances, .agents, .frameworks]) }
            func receive(_ signal: PlatformSignal) { signals.append(signal) }
        }
        let rec = Recorder()
        let m = ClusterSimulation(spec: spec(), observer: NullObserver(),
                                  subsystems: ClusterSimulation.standardSubsystems + [SubsystemEntry(name: "recorder", section: nil) { _ in rec }])
        XCTAssertTrue(m.run())
        var info = 0, success = 0, running = 0, agents = 0, frameworks = 0
        for s in rec.signals {
            switch s {
            case .deploymentInfo(_, let step, let steps): info += 1; XCTAssertLessThan(step, steps)
            case .deploymentSuccess: success += 1
            case .instanceChanged(_, _, .running): running += 1
            case .agentRegistered: agents += 1
            case .frameworkRegistered: frameworks += 1
            default: break
            }
        }
        XCTAssertEqual(success, 1)
        XCTAssertGreaterThanOrEqual(info, 1)
        XCTAssertEqual(running, 6)
        XCTAssertEqual(agents, 4)
        XCTAssertEqual(frameworks, 1)
    }
}
