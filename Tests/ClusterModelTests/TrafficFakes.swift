import XCTest
@testable import ClusterModel
import SimKernel

/// A stand-in for nginx's control plane (the nginx helper implements the real one): one proxy on
/// a host, one upstream and one route per generation. Generation 0 is empty until the test (or
/// `autoReloadAt`) reloads it; `autoReloadAt` renders the app's running tasks at those times.
final class FakeProxies: Subsystem, ProxyConfiguration, EventHandler {
    static func entry(_ make: @escaping (ClusterSimulation) -> FakeProxies) -> SubsystemEntry {
        SubsystemEntry(name: "fakeNginx", section: nil) { make($0) }
    }
    unowned let model: ClusterSimulation
    let proxyHost: Int
    var generations: [[UpstreamServer]] = [[]]
    var route: ProxyRoute
    var method: UpstreamMethod = .roundRobin
    var autoReloadAt: [SimTime] = []
    /// Reloads at a time with the servers a closure gives (after `autoReloadAt`'s).
    var scripted: [(SimTime, (FakeProxies) -> [UpstreamServer])] = []
    var app: Int = 0
    var serverTemplate = UpstreamServer(address: "", port: 0, instance: nil)
    var target: Int32 = -1
    init(model: ClusterSimulation, host: Int, route: ProxyRoute = ProxyRoute(location: "/", upstream: 0)) {
        self.model = model; proxyHost = host; self.route = route
    }
    var name: String { "fakeNginx" }
    func register(in sim: Simulation) { target = sim.register(self) }
    func start() {
        for t in autoReloadAt { model.sim.schedule(at: t, target: target, kind: 0, arg: -1) }
        for (i, s) in scripted.enumerated() { model.sim.schedule(at: s.0, target: target, kind: 0, arg: Int64(i)) }
    }
    func handle(_ event: Event, in sim: Simulation) {
        reload(event.arg < 0 ? runningServers() : scripted[Int(event.arg)].1(self))
    }

    /// The app's running tasks as upstream servers (in task id order), as a template would render them.
    func runningServers() -> [UpstreamServer] {
        guard let m = model.mesos else { return [] }
        var out: [UpstreamServer] = []
        for id in m.tasks.indices {
            guard let t = m.task(id), t.state == .running, t.source == model.spec.marathon?.apps[app].id else { continue }
            var s = serverTemplate
            let host = m.agents[t.agent].host.index
            s.address = Host.address(ofIndex: host); s.port = 31000 + id
            s.instance = ServiceInstance(task: id, host: host, port: s.port)
            out.append(s)
        }
        return out
    }

    func reload(_ servers: [UpstreamServer]) {
        generations.append(servers)
        model.signals.publish(.proxyReloaded(proxy: 0, generation: generations.count - 1))
    }

    var proxyCount: Int { 1 }
    func host(ofProxy p: Int) -> Int { proxyHost }
    func generation(ofProxy p: Int) -> Int { generations.count - 1 }
    func upstreams(proxy p: Int, generation: Int) -> [ProxyUpstream] {
        [ProxyUpstream(name: "backend", method: method, servers: generations[generation])]
    }
    func route(proxy p: Int, generation: Int, path: String) -> ProxyRoute? { path.hasPrefix(route.location) ? route : nil }
}

/// Specs and runs for the traffic tests: 3 masters and `agents` agents, one app `/web`.
enum TrafficHarness {
    static func spec(instances: Int, agents: Int = 4, seed: UInt64 = 1, duration: SimDuration = .minutes(20),
                     faults: [FaultSpec] = [], traffic: TrafficSpec) -> ClusterSpec {
        // one instance per agent (hostname UNIQUE), so a host crash takes exactly one
        let unique = PlacementConstraint(field: "hostname", operator: .unique, rules: .legacy)
        let apps = [MarathonRuntimeTests.app("/web", instances: instances, cpus: 0.1, mem: 64, constraints: [unique])]
        let beh = [AppBehaviour(task: TaskBehaviour(startup: .constant(5)), imageSizeBytes: 100_000_000)]
        var s = ClusterSpec(name: "traffic", seed: seed, duration: duration, sampleInterval: .seconds(60),
                            hostGroups: MarathonRuntimeTests.hostGroups(agents: agents), faults: faults,
                            zookeeper: ZooKeeperSpec(servers: 3), mesos: MesosSpec(),
                            marathon: MarathonSpec(version: MarathonVersion(1, 4, 9), apps: apps, behaviour: beh))
        s.traffic = traffic
        return s
    }

    static func service(_ arrivals: ArrivalProcess, work: Distribution = .exponential(mean: 0.02), entry: TrafficEntry = .nginx(proxy: nil, path: "/"),
                        discipline: QueueDiscipline = .processorSharing, timeout: SimDuration? = nil) -> TrafficService {
        TrafficService(name: "web", app: "/web", entry: entry, arrivals: arrivals, serviceTime: work, discipline: discipline, timeout: timeout)
    }

    /// Runs with a fake proxy (configured by `setup`) placed before traffic in the list.
    /// `releaseBalancers` false: every nginx balancer is kept for the whole run (`BalancerTable.releaseRetired`).
    static func run(_ spec: ClusterSpec, observer: RunObserver = NullObserver(), releaseBalancers: Bool = true,
                    setup: ((FakeProxies) -> Void)? = nil) -> (ClusterSimulation, TrafficModel, FakeProxies?) {
        guard let setup else {
            let m = ClusterSimulation(spec: spec, observer: observer, subsystems: ClusterSimulation.standardSubsystems)
            m.subsystems.compactMap { $0 as? TrafficModel }.first!.table?.releaseRetired = releaseBalancers
            m.run()
            return (m, m.subsystems.compactMap { $0 as? TrafficModel }.first!, nil)
        }
        return runWithFake(spec, observer: observer, entry: FakeProxies.entry, releaseBalancers: releaseBalancers) { m in
            let f = FakeProxies(model: m, host: 0)
            setup(f)
            return f
        }
    }

    /// Runs the standard list with a fake subsystem (made by `make`) placed just before traffic.
    static func runWithFake<F: AnyObject>(_ spec: ClusterSpec, observer: RunObserver,
                                          entry: (@escaping (ClusterSimulation) -> F) -> SubsystemEntry,
                                          releaseBalancers: Bool = true,
                                          make: @escaping (ClusterSimulation) -> F) -> (ClusterSimulation, TrafficModel, F?) {
        var list = ClusterSimulation.standardSubsystems
        var fake: F?
        let i = list.firstIndex { $0.name == "traffic" }!
        list.insert(entry { m in
            let f = make(m)
            fake = f
            return f
        }, at: i)
        let m = ClusterSimulation(spec: spec, observer: observer, subsystems: list)
        let t = m.subsystems.compactMap { $0 as? TrafficModel }.first!
        t.table?.releaseRetired = releaseBalancers
        m.run()
        return (m, t, fake)
    }
}
