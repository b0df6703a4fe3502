@testable import ClusterModel
import SimKernel
import XCTest

/// TTL checks as Consul runs them (agent/checks/check.go `CheckTTL`): the timer is armed for `ttl`
/// at registration (`Start`), an update re-arms it (`SetStatus`), and when it fires the check is
/// critical ("TTL expired"). The model's updater is the serving process.
final class ConsulTTLTests: XCTestCase {
    func platform(startup: Double, check: ConsulCheckDefinition, duration: SimDuration) -> (ClusterSimulation, MemoryObserver, ConsulCluster) {
        var spec = ClusterSpec(name: "t", seed: 3, duration: duration, sampleInterval: .minutes(10),
                               hostGroups: [ConsulTests.group("master", 3, cpus: 4, mem: 8 << 30), ConsulTests.group("consul", 3, cpus: 4, mem: 8 << 30),
                                            ConsulTests.group("slave", 2, cpus: 64, mem: 256 << 30)],
                               zookeeper: ZooKeeperSpec(servers: 3, hostGroup: "master"),
                               mesos: MesosSpec(masters: 3, masterHostGroup: "master", agentHostGroups: ["slave"]))
        let app = AppDefinition(id: "/web", instances: 2, cpus: 0.01, mem: 16)
        spec.marathon = MarathonSpec(hostGroup: "master", apps: [app],
                                     behaviour: [AppBehaviour(task: TaskBehaviour(startup: .constant(startup), health: .healthy(responseTime: .constant(0.005))))])
        spec.consul = ConsulSpec(servers: 3, hostGroup: "consul", services: [("/web", [ConsulServiceDefinition(name: "web", checks: [check])])])
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        return (m, o, m.subsystem(ConsulCluster.self)!)
    }

    /// Registered `status: passing`, the process serves only 60 s later: the registration's timer
    /// fires at registration + ttl (30 s) and the check is critical until the first update.
    /// Mutation: without the registration's timer (the model until session 51: passing until the
    /// process serves, no flip) both flips are missing.
    func testARegisteredPassingCheckExpiresBeforeTheFirstUpdate() {
        let ttl = ConsulCheckDefinition(kind: .ttl, name: "ttl", ttl: .seconds(30), initialStatus: .passing)
        let (m, o, c) = platform(startup: 60, check: ttl, duration: .minutes(5))
        m.run()
        let regs = o.events.filter { $0.event == "consulServiceRegistered" }
        XCTAssertEqual(regs.count, 2)
        for r in regs {
            guard let inst = c.instances.first(where: { $0.id == r.subject }), let task = m.mesos?.task(inst.task),
                  let serving = task.servingAt else { XCTFail("no task"); continue }
            let flips = o.events.filter { $0.event == "consulCheck" && $0.subject == r.subject }
            XCTAssertEqual(flips.map(\.detail), ["ttl passing->critical", "ttl critical->passing"])
            guard flips.count == 2 else { continue }
            // the agent registered it at TASK_RUNNING, the container's start, 60 s (the startup) before it serves
            XCTAssertEqual(flips[0].time, serving - .seconds(60) + .seconds(30), "TTL expired: registration + ttl")
            XCTAssertEqual(flips[1].time, serving, "passing at the first update")
        }
        XCTAssertEqual(c.serviceCounts().passing, 2)
    }

    /// A process that never serves never updates its TTL check: registered critical, the timer's
    /// expiry at registration + ttl is its first critical result and starts
    /// `deregister_critical_service_after`'s clock (agent/local/state.go `UpdateCheck`), so the
    /// agent's reaper removes it at its first 30 s run past registration + ttl + 1 m. Mutation:
    /// without the expiry (the model until session 51) the service is never reaped.
    func testANeverUpdatedTTLCheckIsReapedAfterItsExpiry() {
        let ttl = ConsulCheckDefinition(kind: .ttl, name: "ttl", ttl: .seconds(30), deregisterCriticalServiceAfter: .minutes(1))
        let (m, o, c) = platform(startup: 36_000, check: ttl, duration: .minutes(10))
        m.run()
        let regs = o.events.filter { $0.event == "consulServiceRegistered" }
        XCTAssertEqual(regs.count, 2)
        for r in regs {
            XCTAssertFalse(o.events.contains { $0.event == "consulCheck" && $0.subject == r.subject }, "critical from registration on: no flip")
            guard let reaped = o.events.first(where: { $0.event == "consulCheckReaped" && $0.subject == r.subject }) else { XCTFail("not reaped"); continue }
            let after = (reaped.time - r.time).seconds
            XCTAssertGreaterThanOrEqual(after, 90); XCTAssertLessThan(after, 120)
        }
        XCTAssertEqual(c.health(service: 0, filter: .any, from: 0)?.count, 0)
    }

    // MARK: updates through the agent's API (`consulCheckUpdate` actions)

    func update(_ status: ConsulHealth, at: SimDuration, host: String? = nil, check: String? = nil, heartbeats: Bool = true) -> ActionSpec {
        ActionSpec(at: at, kind: .consulCheckUpdate(app: "/web", host: host, check: check, status: status, heartbeats: heartbeats))
    }

    func run(_ actions: [ActionSpec], check: ConsulCheckDefinition, duration: SimDuration = .minutes(12)) -> (ClusterSimulation, MemoryObserver, ConsulCluster) {
        let (m0, _, _) = platform(startup: 20, check: check, duration: duration)
        var spec = m0.spec
        spec.actions = actions
        // one instance per agent host
        spec.marathon!.apps[0].constraints = [PlacementConstraint(field: "hostname", operator: .unique, rules: .legacy)]
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        m.run()
        return (m, o, m.subsystem(ConsulCluster.self)!)
    }

    /// An app that stops heartbeating (its last update at 3m): Consul's timer, re-armed by that
    /// update (CheckTTL.SetStatus), fires `ttl` later, and the check is critical until the process
    /// updates again (here an update at 6m that says the heartbeats go on). Mutation: the actions'
    /// updates ignored in `ttlLatestUpdate` (the process updates forever): no flip at all.
    func testAnAppThatStopsHeartbeatingExpiresOneTTLAfterItsLastUpdate() {
        let ttl = ConsulCheckDefinition(kind: .ttl, name: "ttl", ttl: .seconds(30), initialStatus: .passing)
        let (m, o, c) = run([update(.passing, at: .minutes(3), heartbeats: false), update(.passing, at: .minutes(6))], check: ttl)
        defer { withExtendedLifetime(m) {} }
        let regs = o.events.filter { $0.event == "consulServiceRegistered" }
        XCTAssertEqual(regs.count, 2)
        for r in regs {
            let flips = o.events.filter { $0.event == "consulCheck" && $0.subject == r.subject && $0.time > .zero + .minutes(1) }
            XCTAssertEqual(flips.map(\.detail), ["ttl passing->critical", "ttl critical->passing"])
            XCTAssertEqual(flips.map(\.time), [.zero + .minutes(3) + .seconds(30), .zero + .minutes(6)])
        }
        XCTAssertEqual(c.serviceCounts().passing, 2)
        let logged = o.events.filter { $0.component == "action" }.map(\.detail)
        XCTAssertEqual(logged, ["actions[0]: passing on 2 TTL checks, heartbeats stop", "actions[1]: passing on 2 TTL checks"])
    }

    /// PUT /v1/agent/check/warn on one host's agent: that instance is `warning` at once and stays so
    /// while its process keeps updating (with warning); the instance on the other host is untouched,
    /// and a warning instance leaves the passing-only answer that consul-template's `service` reads.
    /// Mutation: without the `.warning` case in `ttlFired`, no flip.
    func testAWarnUpdateOnOneHostMakesThatInstanceWarning() throws {
        let ttl = ConsulCheckDefinition(kind: .ttl, name: "ttl", ttl: .seconds(30), initialStatus: .passing)
        let (m0, _, c0) = run([], check: ttl, duration: .minutes(2))
        defer { withExtendedLifetime(m0) {} }
        let host = try XCTUnwrap(c0.instances.first { $0.inLocal }.map { m0.infrastructure.hosts[$0.host].name })
        let (m, o, c) = run([update(.warning, at: .minutes(3), host: host)], check: ttl)
        defer { withExtendedLifetime(m) {} }
        let flips = o.events.filter { $0.event == "consulCheck" && $0.time > .zero + .minutes(1) }
        XCTAssertEqual(flips.map(\.detail), ["ttl passing->warning"])
        XCTAssertEqual(flips.first?.time, .zero + .minutes(3))
        XCTAssertTrue(flips.first?.subject.hasPrefix(host + ":") ?? false, flips.first?.subject ?? "")
        XCTAssertEqual(c.serviceCounts().passing, 1)
        XCTAssertEqual(c.serviceCounts().warning, 1)
        XCTAssertEqual(c.health(service: 0, filter: .passing, from: 0)?.count, 1)
        XCTAssertEqual(c.health(service: 0, filter: .passingOrWarning, from: 0)?.count, 2)
    }

    /// PUT /v1/agent/check/fail with the heartbeats stopping: critical at once, a critical result
    /// that starts deregister_critical_service_after's clock (agent/local/state.go `UpdateCheck`), so
    /// the agent's reaper removes the service at its first 30 s run past the update + 1 m. Mutation:
    /// the actions' PUTs ignored: the process keeps it passing and nothing is reaped.
    func testACriticalUpdateStartsTheReapersClock() {
        let ttl = ConsulCheckDefinition(kind: .ttl, name: "ttl", ttl: .seconds(30), deregisterCriticalServiceAfter: .minutes(1))
        let (m, o, c) = run([update(.critical, at: .minutes(4), heartbeats: false)], check: ttl, duration: .minutes(8))
        defer { withExtendedLifetime(m) {} }
        let reaped = o.events.filter { $0.event == "consulCheckReaped" }
        XCTAssertEqual(reaped.count, 2)
        for r in reaped {
            XCTAssertEqual(o.events.first { $0.event == "consulCheck" && $0.subject == r.subject && $0.time >= .zero + .minutes(4) }?.time, .zero + .minutes(4))
            XCTAssertGreaterThanOrEqual(r.time.seconds, 300); XCTAssertLessThan(r.time.seconds, 330, "the reaper's first 30 s run past 4m + 1m")
        }
        XCTAssertEqual(c.health(service: 0, filter: .any, from: 0)?.count, 0)
    }
}
