@testable import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// Which of Marathon's tasks each marathon-lb release makes servers (get_apps at the tags: no state
/// filter to 1.11.5, `excluded_states` 1.12.0-1.13.1, `EXCLUDED_TASK_STATES` from 1.14.0) and its
/// `--health-check` rule (all results alive to 1.14.1, any from 1.14.2); the `{serverId}` label of
/// an `actions` deploy checked by the scenario's release. docs/marathon-lb.md "Task states and
/// health by release".
final class MarathonLBTaskStatesTests: XCTestCase {
    /// /shop/web with `instances` tasks, one per slave (hostname UNIQUE), marathon-lb `version`.
    static func scenario(version: String, instances: Int = 3, faults: String = "[]", lbFlags: String = "{}", extraApps: String = "",
                         actions: String? = nil, traffic: Bool = false) -> String {
        var s = MarathonLBTests.scenario(lb: #"{"instances": [{"hostGroup": "lb", "group": "external"}], "version": "\#(version)", "flags": \#(lbFlags)}"#,
                                         duration: "12m", faults: faults)
        s = s.replacingOccurrences(of: #""instances": 2"#, with: #""instances": \#(instances)"#)
        s = s.replacingOccurrences(of: #"[["role", "UNLIKE", "lb"]]"#, with: #"[["role", "UNLIKE", "lb"], ["hostname", "UNIQUE"]]"#)
        if !extraApps.isEmpty { s = s.replacingOccurrences(of: #""apps": ["#, with: #""apps": ["# + extraApps + ", ") }
        if let actions { s = s.replacingOccurrences(of: #"[{"at": "5m", "kind": "scale", "app": "/shop/web", "instances": 3}]"#, with: actions) }
        if traffic {
            s = String(s.dropLast(s.hasSuffix("\n") ? 2 : 1))
                + #", "traffic": {"mode": "request", "services": [{"name": "web", "app": "/shop/web", "via": "marathon-lb", "frontend": "shop_web_10080", "arrivals": {"step": {"from": 0, "to": 20, "at": "3m"}}, "serviceTime": "10ms"}]}}"#
        }
        return s
    }

    /// The scenario with /shop/web's health checks taken out (its servers get no `check`).
    static func withoutHealthChecks(_ text: String) -> String {
        let lines = text.components(separatedBy: "\n")
        guard let k = lines.firstIndex(where: { $0.contains(#""healthChecks": ["#) }) else { return text }
        var out = lines
        out[k - 1] = String(out[k - 1].dropLast())          // `"labels": {...},` loses its comma
        out[k + 1] = "}]},"                                   // the check's second line closed the app
        out.remove(at: k)
        return out.joined(separator: "\n")
    }

    func model(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> (ClusterSimulation, MarathonLB)? {
        guard let s = loadOK(text, file: file, line: line) else { return nil }
        let m = ClusterSimulation(spec: s.spec, observer: NullObserver())
        guard let lb = m.subsystem(MarathonLB.self) else { XCTFail("no marathon-lb", file: file, line: line); return nil }
        return (m, lb)
    }
    func run(_ m: ClusterSimulation, until t: SimDuration) { m.run { m.sim.now >= SimTime.zero + t } }

    /// The servers of /shop/web's backend that instance 0 runs now, by host name.
    func servers(_ m: ClusterSimulation, _ lb: MarathonLB) -> [String] {
        guard let c = lb.instances[0].configs.last, let b = c.backends.first(where: { $0.name == "shop_web_10080" }) else { return [] }
        return b.servers.compactMap { $0.instance.map { m.infrastructure.hosts[$0.host].name } }
    }

    func marathonStates(_ lb: MarathonLB) -> [TaskState] { lb.marathon.apps[0].instances.map(\.state) }

    // MARK: task states

    /// slave-02 crashes at 4m; Mesos gives up on it at 5m19s (TASK_UNREACHABLE; Marathon keeps the
    /// instance, expunged after 10 minutes). marathon-lb 1.11.0 (the model's rule) drops its task;
    /// 1.13.1 (`excluded_states` has no TASK_UNREACHABLE) and 1.14.2 (`EXCLUDED_TASK_STATES`) keep
    /// it. The app has no health check, so the servers have no `check`: HAProxy keeps sending a
    /// third of the requests there, each served by another server only after its three connect
    /// timeouts (`retries 3`, `timeout connect 3s`, `option redispatch`): 9 s.
    func testUnreachableTaskStaysAServerFrom112() throws {
        var latency: [String: Double] = [:]
        for v in ["1.11.0", "1.13.1", "1.14.2"] {
            let text = Self.withoutHealthChecks(Self.scenario(version: v, faults: #"[{"at": "4m", "kind": "hostCrash", "host": "slave-02"}]"#, traffic: true))
            let (m, lb) = try XCTUnwrap(model(text), v)
            XCTAssertTrue(lb.marathon.apps[0].definition.healthChecks.isEmpty, v)
            run(m, until: .minutes(6))
            XCTAssertEqual(marathonStates(lb).filter { $0 == .unreachable }.count, 1, v)
            let t = try XCTUnwrap(m.subsystem(TrafficModel.self))
            let before = t.runTotals()
            m.run()
            let after = t.runTotals()
            XCTAssertEqual(after.failed, 0, v)
            latency[v] = (after.latencySumMs - before.latencySumMs) / (after.served - before.served)
            let hosts = servers(m, lb)
            XCTAssertEqual(hosts, v == "1.11.0" ? ["slave-01", "slave-03"] : ["slave-01", "slave-02", "slave-03"], v)
        }
        XCTAssertLessThan(try XCTUnwrap(latency["1.11.0"]), 50, "\(latency)")
        for v in ["1.13.1", "1.14.2"] { XCTAssertGreaterThan(try XCTUnwrap(latency[v]), 2_500, "a third of the requests wait 9 s: \(latency)") }
    }

    /// /shop/web scales from 2 to 3 at 5m: the new task is TASK_STAGING for 3 s (its image pull).
    /// marathon-lb 1.13.1 lists it at once (its `excluded_states` are only KILLING, KILLED,
    /// FINISHED and ERROR); 1.14.2 waits for TASK_RUNNING, as the model's 1.11.0 rule does.
    func testStagingTaskIsAServerOnlyFrom112To113() throws {
        for (v, listed) in [("1.11.0", false), ("1.12.0", true), ("1.13.1", true), ("1.14.0", false), ("1.14.2", false)] {
            let (m, lb) = try XCTUnwrap(model(Self.scenario(version: v, instances: 2)), v)
            run(m, until: .seconds(302))
            XCTAssertEqual(marathonStates(lb), [.running, .running, .staging], v)
            XCTAssertEqual(servers(m, lb).count, listed ? 3 : 2, v)
        }
    }

    /// get_apps' state filter at each release, for every state Marathon may list.
    func testStateFilterPerRelease() {
        let states: [TaskState] = [.staging, .starting, .running, .killing, .unreachable, .lost, .failed, .unknown, .goneByOperator]
        func listed(_ v: MarathonLBVersion) -> [TaskState] { states.filter { v.listsTask($0, unreachable: $0 == .unreachable) } }
        XCTAssertEqual(listed(MarathonLBVersion(1, 11, 5)), [.running], "the model's rule before 1.12.0")
        XCTAssertEqual(listed(MarathonLBVersion(1, 12, 0)), [.staging, .starting, .running, .unreachable, .lost, .failed, .unknown, .goneByOperator])
        XCTAssertEqual(listed(MarathonLBVersion(1, 13, 1)), listed(MarathonLBVersion(1, 12, 0)))
        XCTAssertEqual(listed(MarathonLBVersion(1, 14, 0)), [.running, .unreachable, .lost])
        XCTAssertEqual(listed(MarathonLBVersion(1, 15, 0)), [.running, .unreachable, .lost])
        XCTAssertFalse(MarathonLBVersion(1, 11, 0).listsTask(.running, unreachable: true))
    }

    // MARK: the --health-check rule

    /// A running task of an app with two health checks, one passing and one failing: out of the
    /// backend to 1.14.1 (all results alive), in from 1.14.2 (any). No result at all: out at every
    /// release; a Mesos-level check's `healthy` is that check's result.
    func testHealthRuleAllResultsTo1141AnyFrom1142() {
        let http = HealthCheck(protocol: .http, path: "/health", portIndex: 0, interval: .seconds(10), timeout: .seconds(5), maxConsecutiveFailures: 3)
        let tcp = HealthCheck(protocol: .tcp, portIndex: 0, interval: .seconds(10), timeout: .seconds(5), maxConsecutiveFailures: 3)
        let mesos = HealthCheck(protocol: .mesosHTTP, path: "/ready", portIndex: 0, interval: .seconds(10), timeout: .seconds(5), maxConsecutiveFailures: 3)
        func instance(_ checks: Int) -> MarathonInstance {
            let i = MarathonInstance(task: TaskID(1), name: "web.1", app: 0, version: 1, host: 0, launchedAt: .zero, checks: checks, hasReadiness: false,
                                     changes: ChangeCount(app: 0))
            i.state = .running
            return i
        }
        let releases = [(MarathonLBVersion(1, 11, 0), false), (MarathonLBVersion(1, 14, 1), false), (MarathonLBVersion(1, 14, 2), true), (MarathonLBVersion(1, 15, 0), true)]
        let mixed = instance(2)
        mixed.health[0].update(passed: true, at: SimTime.zero + .seconds(10))
        mixed.health[1].update(passed: false, at: SimTime.zero + .seconds(10))
        let fresh = instance(2)
        let withMesos = instance(2)
        withMesos.health[0].update(passed: true, at: SimTime.zero + .seconds(10))
        withMesos.mesosHealthy = false
        let mesosAlive = instance(2)
        mesosAlive.health[0].update(passed: false, at: SimTime.zero + .seconds(10))
        mesosAlive.mesosHealthy = true
        let onlyOne = instance(2)   // the second check has no result yet: the first is all there is
        onlyOne.health[0].update(passed: true, at: SimTime.zero + .seconds(10))
        for (v, any) in releases {
            XCTAssertEqual(MarathonLBCache.lists(mixed, checks: [http, tcp], healthCheck: true, release: v), any, "\(v)")
            XCTAssertEqual(MarathonLBCache.lists(withMesos, checks: [http, mesos], healthCheck: true, release: v), any, "\(v)")
            XCTAssertEqual(MarathonLBCache.lists(mesosAlive, checks: [http, mesos], healthCheck: true, release: v), any, "\(v)")
            XCTAssertFalse(MarathonLBCache.lists(fresh, checks: [http, tcp], healthCheck: true, release: v), "\(v)")
            XCTAssertTrue(MarathonLBCache.lists(onlyOne, checks: [http, tcp], healthCheck: true, release: v), "\(v)")
            XCTAssertTrue(MarathonLBCache.lists(mixed, checks: [http, tcp], healthCheck: false, release: v), "without --health-check: \(v)")
        }
    }

    // MARK: {serverId} in an action's labels

    /// A deploy that sets a BACKEND_SERVER_OPTIONS template with `{serverId}` is checked by the
    /// scenario's release: an error (KeyError) before 1.12.2, loads from it, also when the release
    /// comes from the image of the `flagsFrom` Marathon app.
    func testActionLabelsAreCheckedByTheScenariosRelease() throws {
        let deploy = #"[{"at": "5m", "kind": "deploy", "app": "/shop/web", "changes": {"labels": {"HAPROXY_GROUP": "external", "HAPROXY_0_BACKEND_SERVER_OPTIONS": "  server {serverName} {host_ipv4}:{port} id {serverId}\n"}}}]"#
        assertSingleError(Self.scenario(version: "1.12.1", actions: deploy), path: "actions[0].changes.labels.HAPROXY_0_BACKEND_SERVER_OPTIONS",
                          ["marathon-lb: ", "KeyError: 'serverId'"])
        assertSingleError(Self.scenario(version: "1.11.0", actions: deploy), path: "actions[0].changes.labels.HAPROXY_0_BACKEND_SERVER_OPTIONS", ["KeyError: 'serverId'"])
        for v in ["1.12.2", "1.14.2", "1.15.0"] { XCTAssertNotNil(loadOK(Self.scenario(version: v, actions: deploy)), v) }
        // the release named by the image of the Marathon app that runs marathon-lb
        let dir = makeTempDir()
        write(#"{"id": "/marathon-lb", "container": {"type": "DOCKER", "docker": {"image": "mesosphere/marathon-lb:v1.14.2", "network": "HOST"}}, "args": ["sse", "--group", "external"]}"#,
              to: dir + "/lb.json")
        let fromImage = Self.scenario(version: "1.11.0", actions: deploy)
            .replacingOccurrences(of: #""version": "1.11.0", "flags": {}"#, with: #""flagsFrom": [{"marathonApp": "lb.json"}]"#)
        write(fromImage, to: dir + "/s.json")
        XCTAssertEqual(loadScenarioFolder(dir)?.spec.marathonLB?.version, MarathonLBVersion(1, 14, 2))
        write(#"{"id": "/marathon-lb", "container": {"type": "DOCKER", "docker": {"image": "mesosphere/marathon-lb:v1.12.1", "network": "HOST"}}, "args": ["sse", "--group", "external"]}"#,
              to: dir + "/lb.json")
        let errors = scenarioFolderErrors(dir)
        XCTAssertTrue(errors.count == 1 && errors[0].path == "actions[0].changes.labels.HAPROXY_0_BACKEND_SERVER_OPTIONS" && errors[0].message.contains("KeyError: 'serverId'"),
                      "\(errors)")
    }
}
