import XCTest
@testable import ClusterModel
import SimKernel

/// A stand-in for marathon-lb's control plane (the mlb helper builds the real one): HAProxy
/// instances on hosts 0..n-1, one frontend `web_10000` whose backend lists the app's running tasks
/// at each reload; a reload with `gap` refuses new connections for that long.
final class FakeHAProxy: Subsystem, HAProxyControl, EventHandler {
    static func entry(_ make: @escaping (ClusterSimulation) -> FakeHAProxy) -> SubsystemEntry {
        SubsystemEntry(name: "fakeMarathonLB", section: nil) { make($0) }
    }
    unowned let model: ClusterSimulation
    var instanceHosts: [Int] = [0]
    var configs: [HAProxyConfiguration] = [HAProxyConfiguration()]
    var reloadAt: [SimTime] = []
    var gap = SimDuration.zero
    var gaps: [(SimTime, SimTime)] = []
    var defaults = HAProxyDefaults()
    var balance = HAProxyBalance.roundRobin
    var check: HAProxyCheck? = HAProxyCheck()
    var serverMaxconn = 0
    /// Reloads hand the listening sockets over (HAProxy 1.8+ `-x`, marathon-lb 1.12.0+).
    var seamless = false
    func haproxySeamless(_ i: Int) -> Bool { seamless }
    var weights: [Int] = []
    /// Extra servers (stale addresses) appended to the backend at each reload.
    var extra: [HAProxyServer] = []
    var target: Int32 = -1
    init(model: ClusterSimulation) { self.model = model }
    var name: String { "fakeMarathonLB" }
    func register(in sim: Simulation) { target = sim.register(self) }
    /// Called when the run starts (every subsystem built): a test's last word on them.
    var onStart: ((ClusterSimulation) -> Void)?
    func start() {
        onStart?(model)
        for t in reloadAt { model.sim.schedule(at: t, target: target, kind: 0, arg: 0) }
    }
    func handle(_ event: Event, in sim: Simulation) { reload() }

    func servers() -> [HAProxyServer] {
        guard let m = model.mesos else { return [] }
        var out: [HAProxyServer] = []
        for id in m.tasks.indices {
            guard let t = m.task(id), t.state == .running, t.source == "/web" else { continue }
            let host = m.agents[t.agent].host.index
            let w = out.count < weights.count ? weights[out.count] : 1
            out.append(HAProxyServer(name: "s\(id)", address: Host.address(ofIndex: host), port: 31000 + id,
                                     instance: ServiceInstance(task: id, host: host, port: 31000 + id), weight: w, maxconn: serverMaxconn, check: check))
        }
        return out + extra
    }

    func reload() {
        let b = HAProxyBackend(name: "web_10000", app: 0, portIndex: 0, balance: balance, servers: servers())
        configs.append(HAProxyConfiguration(defaults: defaults, frontends: [HAProxyFrontend(name: "web_10000", bindPort: 10000, backend: 0)], backends: [b]))
        let now = model.sim.now
        if gap > .zero { gaps.append((now, now + gap)) }
        for i in instanceHosts.indices { model.signals.publish(.haproxyReloaded(instance: i, generation: configs.count - 1)) }
    }

    var haproxyInstances: [(host: Int, group: String)] { instanceHosts.map { ($0, "external") } }
    func haproxyGeneration(_ i: Int) -> Int { configs.count - 1 }
    func haproxyConfiguration(_ i: Int, generation: Int) -> HAProxyConfiguration { configs[generation] }
    func haproxyAccepts(_ i: Int, now: SimTime) -> Bool {
        model.infrastructure.hosts[instanceHosts[i]].state.isUp && !gaps.contains { now >= $0.0 && now < $0.1 }
    }
}

enum HAProxyHarness {
    static let entry = TrafficEntry.marathonLB(frontend: "web_10000", instance: nil)

    static func service(_ a: ArrivalProcess, work: Distribution = .exponential(mean: 0.02), discipline: QueueDiscipline = .processorSharing) -> TrafficService {
        TrafficHarness.service(a, work: work, entry: entry, discipline: discipline)
    }

    /// Runs with the fake marathon-lb (configured by `setup`) before traffic.
    static func run(_ spec: ClusterSpec, observer: RunObserver = NullObserver(), setup: @escaping (FakeHAProxy) -> Void) -> (ClusterSimulation, TrafficModel, FakeHAProxy) {
        let (m, t, fake) = TrafficHarness.runWithFake(spec, observer: observer, entry: FakeHAProxy.entry) { m in
            let f = FakeHAProxy(model: m)
            setup(f)
            return f
        }
        return (m, t, fake!)
    }
}
