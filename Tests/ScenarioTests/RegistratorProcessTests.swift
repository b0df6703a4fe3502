@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// Registrator as a process (`consul.registrator`, gliderlabs/registrator@6bfadbc registrator.go,
/// bridge/bridge.go): its command line as registrator parses it, what it does when a container
/// dies (`-deregister`, the SERVICE_ID another container took over), `-resync`, `-cleanup`, and
/// the ports and tags it registers (`-internal`, `-explicit`, `-tags`).
final class RegistratorProcessTests: XCTestCase {
    typealias S = RegistratorScenarioTests

    static func commandLine(_ line: String) -> String { #", "registrator": {"flagsFrom": [{"commandLine": "\#(line)"}]}"# }
    static func flags(_ json: String) -> String { #", "registrator": {"flags": \#(json)}"# }

    func run(_ text: String) throws -> (ClusterSimulation, ConsulCluster, MemoryObserver) {
        let s = try XCTUnwrap(loadOK(text))
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: s.spec, observer: o)
        m.run()
        return (m, try XCTUnwrap(m.subsystem(ConsulCluster.self)), o)
    }

    /// Catalog entries whose task is no longer running (a registration left behind).
    func dangling(_ m: ClusterSimulation, _ c: ConsulCluster) -> [String] {
        c.instances.filter { x in x.inCatalog && !(m.subsystem(MesosCluster.self)?.task(x.task).map { !$0.state.isTerminal } ?? false) }.map(\.id)
    }

    static let crashing = #", "/shop/api": {"timeToCrash": "20s"}"#

    /// `-deregister on-success`: a container that exits with an error code (TASK_FAILED, the
    /// process's own exit) stays registered; with the default `always` it leaves at once.
    func testDeregisterOnSuccessKeepsAFailedContainer() throws {
        var (m, c, o) = try run(S.scenario(consul: Self.commandLine("registrator -deregister on-success consul://localhost:8500"), behaviour: Self.crashing))
        let kept = o.events.filter { $0.event == "registratorKept" }.map(\.subject)
        XCTAssertFalse(kept.isEmpty)
        XCTAssertEqual(Set(dangling(m, c)), Set(kept), "every kept registration is still in the catalog, without a container")
        XCTAssertGreaterThan(c.serviceCounts().passing, 2, "no check: the dead instances stay passing beside the 2 running")
        (m, c, o) = try run(S.scenario(consul: Self.commandLine("registrator consul://localhost:8500"), behaviour: Self.crashing))
        XCTAssertTrue(o.events.contains { $0.event == "consulServiceDeregistered" })
        XCTAssertEqual(dangling(m, c), [], "-deregister always")
        (m, c, o) = try run(S.scenario(behaviour: Self.crashing))
        XCTAssertEqual(dangling(m, c), [], "no registrator key: registrator's defaults")
    }

    /// bridge.go shouldRemove: exit code 0 or the signal bit removes; TASK_KILLED (docker stop) and
    /// the executor's kills are signals, TASK_FINISHED is 0; a crash (REASON_COMMAND_EXECUTOR_FAILED) is neither.
    func testWhichExitsRemoveTheServices() {
        XCTAssertTrue(ConsulCluster.exitRemovesServices(.finished, .none))
        XCTAssertTrue(ConsulCluster.exitRemovesServices(.killed, .healthCheckFailed))
        XCTAssertTrue(ConsulCluster.exitRemovesServices(.failed, .containerLimitationDisk))
        XCTAssertTrue(ConsulCluster.exitRemovesServices(.failed, .maxCompletionTimeReached))
        XCTAssertFalse(ConsulCluster.exitRemovesServices(.failed, .commandExecutorFailed))
    }

    /// A kept registration with a check: the check finds no container and turns critical.
    func testAKeptRegistrationsCheckTurnsCritical() throws {
        let env = #"{"SERVICE_NAME": "api", "SERVICE_TAGS": "http,prod", "SERVICE_CHECK_HTTP": "/ping", "SERVICE_CHECK_INTERVAL": "5s"}"#
        let (m, c, o) = try run(S.scenario(env: env, consul: Self.flags(#"{"deregister": "on-success"}"#), behaviour: Self.crashing))
        let kept = o.events.filter { $0.event == "registratorKept" }
        XCTAssertFalse(kept.isEmpty)
        for k in kept {
            let critical = o.events.first { $0.event == "consulCheck" && $0.subject == k.subject && $0.detail.hasSuffix("passing->critical") }
            XCTAssertNotNil(critical, "the check of \(k.subject) turns critical")
            if let t = critical?.time { XCTAssertLessThanOrEqual(t.seconds - k.time.seconds, 5.001, "within one interval") }
        }
        XCTAssertEqual(c.serviceCounts().critical, dangling(m, c).count)
    }

    /// `-cleanup` runs in Sync: at start and every `-resync` seconds. A kept registration is
    /// removed at the next tick of the resync ticker (ticks at multiples of 30 s from the start);
    /// without `-resync` it stays.
    func testCleanupRemovesKeptRegistrationsAtTheNextResync() throws {
        var (m, c, o) = try run(S.scenario(consul: Self.commandLine("registrator -deregister=on-success -cleanup -resync 30 consul://localhost:8500"), behaviour: Self.crashing))
        let kept = o.events.filter { $0.event == "registratorKept" }
        let cleaned = o.events.filter { $0.event == "registratorCleanup" }
        XCTAssertFalse(kept.isEmpty)
        for k in kept {
            let tick = (k.time.seconds / 30).rounded(.down) * 30 + 30
            if tick >= 120 { continue }
            XCTAssertTrue(cleaned.contains { $0.subject == k.subject && abs($0.time.seconds - tick) < 1e-9 }, "\(k.subject) kept at \(k.time.seconds), cleaned at \(tick)")
        }
        XCTAssertTrue(cleaned.allSatisfy { $0.time.seconds.truncatingRemainder(dividingBy: 30) == 0 })
        (m, c, o) = try run(S.scenario(consul: Self.commandLine("registrator -deregister=on-success -cleanup consul://localhost:8500"), behaviour: Self.crashing))
        XCTAssertFalse(o.events.contains { $0.event == "registratorCleanup" }, "no -resync: Sync runs only at start")
        XCTAssertFalse(dangling(m, c).isEmpty)
        _ = c
    }

    /// SERVICE_ID shared by two containers on one agent: the later registration replaced the
    /// earlier; when the earlier dies (killSelection OLDEST_FIRST), registrator deregisters the id it registered, which
    /// removes the survivor's entry (bridge.go remove → Deregister(service.ID)). Without -resync
    /// the app stays out of Consul with a task running; with -resync the survivor's Sync registers it again.
    func testASharedServiceIDDeregistersTheSurvivorsEntry() throws {
        func scenario(_ consul: String) -> String {
            S.scenario(env: #"{"SERVICE_NAME": "api", "SERVICE_TAGS": "http,prod", "SERVICE_ID": "api-1"}"#, consul: consul, slaves: 1)
                .replacingOccurrences(of: #""nginx":"#, with: #""actions": [{"at": "60s", "kind": "scale", "app": "/shop/api", "instances": 1}], "nginx":"#)
                .replacingOccurrences(of: #""instances": 2,"#, with: #""killSelection": "OLDEST_FIRST", "instances": 2,"#)
        }
        var (m, c, o) = try run(scenario(Self.commandLine("registrator consul://localhost:8500")))
        let mesos = try XCTUnwrap(m.subsystem(MesosCluster.self))
        XCTAssertEqual(mesos.frameworks.flatMap(\.liveTasks).compactMap { mesos.task($0) }.filter { $0.state == .running }.count, 1)
        XCTAssertEqual(c.instances.filter(\.inCatalog).count, 0, "the survivor's entry went with the other container's die event")
        // the scale-down killed the older task, whose registration the younger had replaced
        XCTAssertEqual(o.events.filter { $0.event == "registratorDeregisteredOther" }.map(\.subject), ["api-1"])
        let gone = try XCTUnwrap(o.events.last { $0.event == "consulServiceDeregistered" })
        XCTAssertEqual(gone.subject, "api-1")
        XCTAssertEqual(gone.time.seconds, 65, accuracy: 5, "the scale-down's kill at 60 s")
        (m, c, o) = try run(scenario(Self.commandLine("registrator -resync 45 consul://localhost:8500")))
        XCTAssertEqual(c.instances.filter(\.inCatalog).map(\.id), ["api-1"])
        let back = try XCTUnwrap(o.events.first { $0.event == "registratorResynced" })
        XCTAssertEqual(back.time.seconds, 90, accuracy: 1e-9, "the resync tick after the kill")
        _ = m
    }

    /// `-explicit`: only ports with a SERVICE_NAME; `-tags`: appended after SERVICE_TAGS (each
    /// list reversed by recParseEscapedComma); `-internal`: the exposed port is registered.
    func testExplicitTagsAndInternal() throws {
        var (_, c, _) = try run(S.scenario(env: #"{"SERVICE_TAGS": "http,prod"}"#, consul: Self.flags(#"{"explicit": true}"#), duration: "30s"))
        XCTAssertEqual(c.instances.filter(\.inCatalog).count, 0, "-explicit and no SERVICE_NAME")
        (_, c, _) = try run(S.scenario(consul: Self.flags(#"{"explicit": true, "tags": "blue,dc1"}"#), duration: "30s"))
        let x = try XCTUnwrap(c.instances.first(where: \.inCatalog))
        XCTAssertEqual(x.tags, ["prod", "http", "dc1", "blue"])
        XCTAssertNotEqual(x.port, 8080, "a host port by default")
        (_, c, _) = try run(S.scenario(consul: Self.commandLine("registrator -internal consul://"), duration: "30s"))
        XCTAssertEqual(c.instances.filter(\.inCatalog).map(\.port), [8080, 8080])
        XCTAssertTrue(c.instances.filter(\.inCatalog).allSatisfy { $0.id.hasSuffix(":8080") })
    }

    /// With the key, every Docker app is registrator's: an app without SERVICE_* and two ports
    /// gets one registration per port, `<name>-<exposed port>` (bridge.go isGroup).
    func testWithTheKeyEveryDockerAppIsRegistratorsOwn() throws {
        let two = #"[{"containerPort": 8080, "hostPort": 0}, {"containerPort": 9090, "hostPort": 0}]"#
        var (_, c, _) = try run(S.scenario(env: "{}", mappings: two, consul: Self.flags("{}"), duration: "30s"))
        XCTAssertEqual(c.serviceNames, ["shop-api-8080", "shop-api-9090"])
        (_, c, _) = try run(S.scenario(env: "{}", mappings: two, duration: "30s"))
        XCTAssertEqual(c.serviceNames, ["shop-api"], "without the key: the app-id registration")
    }

    /// The agent persists what registrator registers through its HTTP API in its data_dir and
    /// restores it when it starts again (agent.go persistService, loadServices), also the
    /// services of containers that died with the host: after a reboot (the node left, the leader
    /// deregistered its services) or a crash they are in the catalog again, with their task gone.
    /// Registrator's start (Sync) removes them only with -cleanup; without the key, the model's
    /// earlier choice: the restarted agent holds none.
    func testARestartedAgentRestoresTheDeadContainersServices() throws {
        for fault in [#"{"at": "40s", "kind": "hostReboot", "host": "slave-01", "downFor": "20s"}"#,
                      #"{"at": "40s", "kind": "hostCrash", "host": "slave-01", "recoverAfter": "20s"}"#] {
            func scenario(_ consul: String) -> String {
                S.scenario(consul: consul, slaves: 1).replacingOccurrences(of: #""nginx":"#, with: #""faults": [\#(fault)], "nginx":"#)
            }
            var (m, c, o) = try run(scenario(Self.flags("{}")))
            let restored = o.events.filter { $0.event == "consulServiceRestored" }
            XCTAssertEqual(restored.count, 2, fault)
            XCTAssertTrue(restored.allSatisfy { abs($0.time.seconds - 60) < 1e-9 }, fault)
            XCTAssertEqual(Set(dangling(m, c)), Set(restored.map(\.subject)), "back in the catalog without their containers: \(fault)")
            (m, c, o) = try run(scenario(Self.commandLine("registrator -cleanup consul://localhost:8500")))
            XCTAssertEqual(o.events.filter { $0.event == "registratorCleanup" }.count, 2, fault)
            XCTAssertEqual(dangling(m, c), [], fault)
            (m, c, o) = try run(scenario(""))
            XCTAssertFalse(o.events.contains { $0.event == "consulServiceRestored" })
            XCTAssertEqual(dangling(m, c), [], "without the key: \(fault)")
        }
    }

    /// What registrator refuses is an error at the command line, in its words.
    func testCommandLineErrors() {
        let p = "consul.registrator.flagsFrom[0].commandLine"
        func err(_ line: String, _ fragments: [String]) {
            assertSingleError(S.scenario(consul: Self.commandLine(line)), path: p, fragments)
        }
        err("registrator -dereg on-success consul://localhost:8500", ["flag provided but not defined: -dereg"])
        err("registrator -resync often consul://localhost:8500", [#"invalid value "often" for flag -resync: parse error"#])
        err("registrator -cleanup=yes consul://localhost:8500", [#"invalid boolean value "yes" for -cleanup: parse error"#])
        err("registrator -cleanup", ["Missing required argument for registry URI"])
        err("registrator consul://localhost:8500 -cleanup", ["Extra unparsed arguments", "-cleanup", "Options should come before the registry URI"])
        err("registrator -ttl 30 consul://localhost:8500", ["-ttl and -ttl-refresh must be specified together or not at all"])
        err("registrator -ttl 30 -ttl-refresh 30 consul://localhost:8500", ["-ttl must be greater than -ttl-refresh"])
        err("registrator -retry-interval 0 consul://localhost:8500", ["-retry-interval must be greater than 0"])
        err("registrator -deregister never consul://localhost:8500", [#"-deregister must be "always" or "on-success""#])
        err("registrator mdns://localhost", ["unrecognized adapter: mdns://localhost"])
        err("registrator etcd://localhost:2379/services", ["etcd adapter", "consul adapter"])
        assertSingleError(S.scenario(consul: Self.flags(#"{"resync": "0x1e", "delay": 3}"#)), path: "consul.registrator.flags", ["flag provided but not defined: -delay"])
        assertSingleError(S.scenario(consul: #", "registrator": {"flags": {}, "flagsFrom": []}"#), path: "consul.registrator.flags", ["once"])
    }

    /// Valid command lines load: Go's base-0 integers, `--flag`, `-flag value`, a docker run
    /// prefix; the flags the model does not use are warnings.
    func testCommandLinesThatLoad() throws {
        let s = try XCTUnwrap(loadOK(S.scenario(consul: Self.commandLine(
            "docker run -d --net=host -v /var/run/docker.sock:/tmp/docker.sock gliderlabs/registrator:latest --resync=0x1e -ttl 60 -ttl-refresh 30 -deregister on-success -cleanup consul://localhost:8500"))))
        let f = try XCTUnwrap(s.spec.consul?.registrator)
        XCTAssertEqual(f.resync, 30)
        XCTAssertEqual(f.deregister, .onSuccess)
        XCTAssertTrue(f.cleanup)
        XCTAssertTrue(s.warnings.contains { $0.contains("consul.registrator") && $0.contains("-ttl 60") && $0.contains("no effect") }, s.warnings.joined(separator: "\n"))
        XCTAssertEqual(RegistratorFlags.hostnameOfServiceID("slave-01:shop_api.1:9000:udp"), "slave-01")
        XCTAssertEqual(RegistratorFlags.hostnameOfServiceID("a:b:cc:9000"), "a:b")
        XCTAssertNil(RegistratorFlags.hostnameOfServiceID("a:b:c:9000"), "the name needs 2 characters and no colon: no split matches")
        XCTAssertNil(RegistratorFlags.hostnameOfServiceID("api-1"))
        XCTAssertNil(RegistratorFlags.hostnameOfServiceID("h:x:9000"), "a container name has 2 characters at least")
    }
}
