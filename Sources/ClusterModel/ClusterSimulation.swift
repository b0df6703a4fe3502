import SimKernel

/// The whole simulated platform for one run: the engine, the hosts, the fault injector and the
/// subsystems of `subsystemList` (built, registered, subscribed and started in that order), wired
/// to an observer that receives the event log and the periodic samples.
public final class ClusterSimulation {
    /// The subsystems of the platform, in order: the order they are built, registered,
    /// subscribed and started in, and, within a `SignalStage`, the order in which they see a
    /// signal. A subsystem is built only when its `build` returns one (its section is present).
    public static let standardSubsystems: [SubsystemEntry] = [
        ZooKeeperEnsemble.entry,
        MesosCluster.entry,
        MarathonScheduler.entry,
        ChronosScheduler.entry,
        ClusterNetwork.entry,
        StorageModel.entry,
        ConsulCluster.entry,
        NginxProxies.entry,
        ConsulTemplateRunner.entry,
        MarathonLB.entry,
        TrafficModel.entry,
        NetworkTrafficCost.entry,
        Autoscaler.entry,
        AlertmanagerCluster.entry,
        PrometheusServer.entry,
        HarborRegistries.entry,
        JenkinsPipeline.entry,
    ]

    public let spec: ClusterSpec
    public let sim = Simulation()
    private var _infrastructure: Infrastructure!
    private var _faultInjector: FaultInjector!
    public var infrastructure: Infrastructure { _infrastructure }
    public var faultInjector: FaultInjector { _faultInjector }
    private var sampler: Sampler!
    private var actionInjector: ActionInjector!
    /// The typed platform signals of this run (host up/down, Mesos and Marathon events).
    public let signals = PlatformSignals()
    /// The subsystems built for this scenario, in list order.
    public private(set) var subsystems: [Subsystem] = []
    /// The list entries of `subsystems` (same order, same count): their output declarations.
    public private(set) var subsystemEntries: [SubsystemEntry] = []
    /// The whole list this run was made with, built or not (contributed columns of an absent
    /// subsystem are still written, filled as `ContributedColumns.absent` says).
    public let subsystemList: [SubsystemEntry]
    // Direct handles on the shipped subsystems, for outputs, the CLI and tests. Subsystems never
    // use them to reach each other (see `SubsystemEntry.build`).
    /// The ZooKeeper ensemble; nil when the scenario has neither a `zookeeper` nor a `mesos` section.
    public private(set) var zooKeeper: ZooKeeperEnsemble?
    /// The Mesos layer; nil when the scenario has no `mesos` section.
    public private(set) var mesos: MesosCluster?
    /// Marathon; nil when the scenario has no `marathon` section (it needs `mesos`). With one
    /// Marathon per data center (`marathon.datacenters`): the first data center's.
    public private(set) var marathon: MarathonScheduler?
    /// Every Marathon: one, or one per data center of `marathon.datacenters`, in that order.
    public private(set) var marathons: [MarathonScheduler] = []
    /// The network (NICs, racks, modes, flows, messages); nil when the scenario has no `network` section.
    public private(set) var network: ClusterNetwork?
    /// Container storage (Docker storage drivers, Ceph); nil when the scenario has no `storage` section.
    public private(set) var storage: StorageModel?
    /// Receives the event log and the samples; may be replaced before `run`.
    public var observer: RunObserver
    public private(set) var samplesTaken = 0
    private var streams: [String: RandomStream] = [:]
    private var started = false

    public convenience init(spec: ClusterSpec, observer: RunObserver) {
        self.init(spec: spec, observer: observer, subsystems: ClusterSimulation.standardSubsystems)
    }

    /// A run with another list of subsystems (tests add a fixture to `standardSubsystems`).
    public init(spec: ClusterSpec, observer: RunObserver, subsystems list: [SubsystemEntry]) {
        self.spec = spec
        self.observer = observer
        subsystemList = list
        _infrastructure = Infrastructure(spec: spec, model: self)
        _infrastructure.target = sim.register(_infrastructure)
        _faultInjector = FaultInjector(faults: spec.faults, model: self)
        _faultInjector.target = sim.register(_faultInjector)
        sampler = Sampler(model: self)
        sampler.target = sim.register(sampler)
        for entry in list {
            guard let s = entry.build(self) else { continue }
            subsystems.append(s)
            subsystemEntries.append(entry)
            if let z = s as? ZooKeeperEnsemble { zooKeeper = z }
            if let m = s as? MesosCluster { mesos = m }
            if let m = s as? MarathonScheduler { marathon = m; marathons = m.all }
            if let n = s as? ClusterNetwork { network = n }
            if let st = s as? StorageModel { storage = st }
        }
        for s in subsystems { s.register(in: sim) }
        for (rank, s) in subsystems.enumerated() {
            signals.currentRank = rank
            s.subscribe(to: signals)
        }
        signals.currentRank = Int.max
        actionInjector = ActionInjector(actions: spec.actions, model: self)
        actionInjector.target = sim.register(actionInjector)
    }

    /// The first subsystem built so far that is a `T` (a class or a protocol such as
    /// `Containerizer`). For `SubsystemEntry.build` only: what a subsystem uses, it looks up once.
    public func subsystem<T>(_ type: T.Type) -> T? {
        for s in subsystems { if let t = s as? T { return t } }
        return nil
    }

    /// The random stream of a component, created on first use from the scenario seed and the
    /// component's name (so streams do not depend on creation order or on other components).
    public func stream(_ name: String) -> RandomStream {
        if let s = streams[name] { return s }
        let s = RandomStream(seed: spec.seed, name: name)
        streams[name] = s
        return s
    }

    public var endTime: SimTime { SimTime.zero + spec.duration }

    func log(_ component: String, _ event: String, _ subject: String, _ detail: String) {
        observer.record(LoggedEvent(time: sim.now, component: component, event: event, subject: subject, detail: detail))
    }

    /// Runs from the start to `spec.duration`. `shouldStop` is checked after every event (for
    /// Ctrl-C and progress reporting); returns false if it stopped the run early.
    @discardableResult
    public func run(shouldStop: (() -> Bool)? = nil) -> Bool {
        if !started {
            started = true
            log("run", "started", spec.name, "seed \(spec.seed); \(infrastructure.hosts.count) hosts; duration \(spec.duration)")
            faultInjector.start()
            for s in subsystems { s.start() }
            actionInjector.start()
            sampler.start()
        }
        var interrupted = false
        sim.run(until: endTime) {
            if let s = shouldStop, s() { interrupted = true; return true }
            return false
        }
        if interrupted { return false }
        log("run", "finished", spec.name, "\(sim.eventsProcessed) events")
        return true
    }

    fileprivate func takeSample() {
        samplesTaken += 1
        observer.sample(self, at: sim.now)
    }

    /// Headline figures of the run so far.
    public func summary() -> RunSummary {
        let now = sim.now
        let infra = infrastructure
        var downtime = SimDuration.zero
        var longest = SimDuration.zero
        for h in infra.hosts {
            let d = h.downtime(at: now)
            downtime += d
            if !h.state.isUp { longest = max(longest, now - h.stateSince) }
        }
        return RunSummary(
            scenario: spec.name, seed: spec.seed, simulatedSeconds: now.seconds,
            eventsProcessed: sim.eventsProcessed, samples: samplesTaken,
            hosts: infra.hosts.count, hostsUpAtEnd: infra.hostsUp, minHostsUp: infra.minHostsUp,
            minHostsUpAt: infra.minHostsUpAt, faultsFired: faultInjector.fired.count,
            hostCrashes: infra.hosts.reduce(0) { $0 + $1.crashes },
            hostReboots: infra.hosts.reduce(0) { $0 + $1.reboots },
            hostDowntime: downtime, degraded: infra.degradedDuration(at: now),
            cpuAvailability: infra.cpuAvailability(at: now))
    }
}

/// Headline figures of a run.
public struct RunSummary: Sendable {
    public var scenario: String
    public var seed: UInt64
    public var simulatedSeconds: Double
    public var eventsProcessed: UInt64
    public var samples: Int
    public var hosts: Int
    public var hostsUpAtEnd: Int
    public var minHostsUp: Int
    public var minHostsUpAt: SimTime
    public var faultsFired: Int
    public var hostCrashes: Int
    public var hostReboots: Int
    /// Sum over hosts of the time each was not up.
    public var hostDowntime: SimDuration
    /// Time during which at least one host was not up.
    public var degraded: SimDuration
    /// Time-average fraction of installed cpus on up hosts.
    public var cpuAvailability: Double
}

/// Takes a sample every `sampleInterval` from time 0 to the end (inclusive), after every other
/// event of the same instant.
final class Sampler: EventHandler {
    unowned let model: ClusterSimulation
    var target: Int32 = -1
    static let priority: Int16 = .max

    init(model: ClusterSimulation) { self.model = model }

    func start() {
        model.sim.schedule(at: .zero, target: target, kind: 0, priority: Sampler.priority)
    }

    func handle(_ event: Event, in sim: Simulation) {
        model.takeSample()
        let next = sim.now + model.spec.sampleInterval
        if next <= model.endTime {
            sim.schedule(at: next, target: target, kind: 0, priority: Sampler.priority)
        }
    }
}
