import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// A platform with `consul` set to `consul` (JSON text) and `masters` master hosts.
func consulScenario(_ consul: String, masters: Int = 3) -> String {
    """
    {"name": "t", "duration": "1h",
     "hostGroups": [{"name": "master", "count": \(masters), "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                    {"name": "slave", "count": 4, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
     "mesos": {"masters": {"count": 3}},
     "marathon": {"apps": [{"id": "/shop/web", "cmd": "web", "cpus": 0.5, "mem": 128, "instances": 2}]},
     "consul": \(consul)}
    """
}

/// The `consul` section and Consul service definition files (Consul's loader rules).
final class ConsulSectionTests: XCTestCase {
    static let filesDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("consul-files").path

    func scenario(_ consul: String) -> String { consulScenario(consul) }

    func testShippedStyleFilesLoadWithConsulsSpellingsAndWarnings() throws {
        let loaded = try ScenarioLoader.load(path: Self.filesDir + "/scenario.json")
        let c = try XCTUnwrap(loaded.spec.consul)
        XCTAssertEqual(c.servers, 3)
        XCTAssertEqual(c.hostGroup, "master")
        XCTAssertEqual(c.config, ConsulAgentConfig())
        XCTAssertEqual(c.services.map(\.appId), ["/shop/web", "/shop/api"])
        let web = c.services[0].definitions[0]
        XCTAssertEqual(web.name, "web")
        XCTAssertEqual(web.tags, ["shop", "v1"])
        XCTAssertEqual(web.checks.map(\.kind), [.http, .tcp])
        XCTAssertEqual(web.checks[0].timeout, .seconds(2))
        XCTAssertEqual(web.checks[0].failuresBeforeCritical, 2)
        XCTAssertEqual(web.checks[0].deregisterCriticalServiceAfter, .minutes(90))
        XCTAssertEqual(web.checks[1].interval, .seconds(30), "CamelCase Interval read as interval")
        XCTAssertEqual(web.checks[1].timeout, .seconds(10), "TCP default timeout (interval 30s)")
        let api = c.services[1].definitions[0]
        XCTAssertEqual(api.id, "api")
        XCTAssertEqual(api.checks.first?.kind, .ttl)
        XCTAssertEqual(api.checks.first?.ttl, .seconds(30))
        XCTAssertEqual(api.checks.first?.deregisterCriticalServiceAfter, .minutes(1), "raised to Consul's 1m minimum")
        // accepted by Consul, not used: warnings naming the path
        let w = loaded.warnings.joined(separator: "\n")
        for path in ["service.enable_tag_override", "checks[0].method", "Check.TLSSkipVerify", "Check.DeregisterCriticalServiceAfter"] {
            XCTAssertTrue(w.contains(path), "no warning for \(path) in:\n\(w)")
        }
    }

    /// A server's agent configuration as deployed loads: every key Consul's `Config` has is
    /// accepted (the unmodelled ones named in one warning), keys match without case as
    /// mapstructure matches them, and an unknown key is Consul's "invalid config key".
    func testAnAgentConfigurationAsDeployedLoads() throws {
        let l = try XCTUnwrap(loadOK(scenario(#"""
        {"config": {"datacenter": "DC-East", "data_dir": "/opt/consul", "server": true, "bootstrap_expect": 3, "ui": true,
                    "client_addr": "0.0.0.0", "bind_addr": "{{ GetInterfaceIP \"eth0\" }}", "retry_join": ["10.0.0.1", "10.0.0.2"],
                    "encrypt": "pUqJrVyVRj5jsiYEkM/tFQ==", "log_level": "INFO", "acl": {"enabled": true, "default_policy": "deny"},
                    "ports": {"grpc": 8502}, "telemetry": {"prometheus_retention_time": "24h"}, "Performance": {"raft_multiplier": 1, "rpc_hold_timeout": "9s", "leave_drain_time": "5s"},
                    "dns_config": {"allow_stale": false, "node_ttl": "30s", "service_ttl": {"*": "5s"}},
                    "acl_master_token": "legacy", "verify_incoming": false, "ui_config": {"enabled": true}}}
        """#)))
        let c = try XCTUnwrap(l.spec.consul)
        XCTAssertEqual(c.config.datacenter, "dc-east")
        XCTAssertEqual(c.config.raftMultiplier, 1, "Performance matched without case")
        XCTAssertEqual(c.config.rpcHoldTimeout, .seconds(9), "rpc_hold_timeout is read (the servers' hold without a leader)")
        XCTAssertFalse(c.config.allowStale)
        let w = l.warnings.filter { $0.contains("accepted by Consul, not used by the simulator:") }
        XCTAssertEqual(w.count, 3, "top level, performance, dns_config: \(l.warnings)")
        XCTAssertTrue(w.contains { $0.contains("consul.config:") && $0.contains("data_dir, server, bootstrap_expect, ui, client_addr, bind_addr, retry_join, encrypt, log_level, acl, ports, telemetry, acl_master_token, verify_incoming, ui_config") }, "\(w)")
        XCTAssertTrue(w.contains { $0.contains("consul.config.performance:") && $0.contains("leave_drain_time") && !$0.contains("rpc_hold_timeout") }, "\(w)")
        XCTAssertTrue(w.contains { $0.contains("node_ttl, service_ttl") }, "\(w)")
        assertSingleError(scenario(#"{"config": {"data_dri": "/opt/consul"}}"#), path: "consul.config.data_dri",
                          ["invalid config key data_dri (Consul refuses unknown keys)", "did you mean \"data_dir\""])
        assertSingleError(scenario(#"{"config": {"performance": {"raft_multiplyer": 1}}}"#), path: "consul.config.performance.raft_multiplyer",
                          ["invalid config key performance.raft_multiplyer"])
        assertSingleError(scenario(#"{"config": {"dns_config": {"nodettl": "1s"}}}"#), path: "consul.config.dns_config.nodettl", ["invalid config key dns_config.nodettl"])
        // services in the agent configuration: loaded, with where the simulator takes them
        let s = try XCTUnwrap(loadOK(scenario(#"{"config": {"service": {"name": "web"}}}"#)))
        XCTAssertTrue(s.warnings.contains { $0.contains("consul.config.service") && $0.contains("consul.services") }, "\(s.warnings)")
    }

    /// `leave_on_terminate` is read (Consul's default by role when absent); true names the
    /// servers, which the model never lets leave.
    func testLeaveOnTerminateIsReadForTheClientAgents() throws {
        let off = try XCTUnwrap(loadOK(scenario(#"{"config": {"leave_on_terminate": false}}"#)))
        XCTAssertEqual(off.spec.consul?.config.leaveOnTerminate, false)
        XCTAssertFalse(off.warnings.contains { $0.contains("leave_on_terminate") }, "\(off.warnings)")
        let on = try XCTUnwrap(loadOK(scenario(#"{"config": {"leave_on_terminate": true}}"#)))
        XCTAssertEqual(on.spec.consul?.config.leaveOnTerminate, true)
        XCTAssertTrue(on.warnings.contains { $0.contains("consul.config.leave_on_terminate") && $0.contains("servers") }, "\(on.warnings)")
        XCTAssertNil(try XCTUnwrap(loadOK(scenario("{}"))?.spec.consul).config.leaveOnTerminate)
    }

    func testDefaultsAndConfigUnderConsulsNames() throws {
        let s = try XCTUnwrap(loadOK(scenario(#"{"servers": 3, "hostGroup": "slave", "config": {"performance": {"raft_multiplier": 1}, "gossip_lan": {"probe_interval": "2s", "suspicion_mult": 6}, "reconnect_timeout": "8h", "dns_config": {"allow_stale": false, "max_stale": "5s"}}, "registerAll": false}"#))?.spec.consul)
        XCTAssertEqual(s.config.raftMultiplier, 1)
        XCTAssertEqual(s.config.heartbeatTimeout, .seconds(1))
        XCTAssertEqual(s.config.leaderLeaseTimeout, .milliseconds(500))
        XCTAssertEqual(s.config.probeInterval, .seconds(2))
        XCTAssertEqual(s.config.suspicionMult, 6)
        XCTAssertEqual(s.config.reconnectTimeout, .hours(8))
        XCTAssertFalse(s.config.allowStale)
        XCTAssertFalse(s.registerAll)
        let d = try XCTUnwrap(loadOK(scenario("{}"))?.spec.consul)
        XCTAssertEqual(d.hostGroup, "master")
        XCTAssertEqual(d.config.heartbeatTimeout, .seconds(5), "raft_multiplier 5: 5 x 1000ms")
        XCTAssertEqual(d.config.electionTimeout, .seconds(5))
        XCTAssertEqual(d.config.leaderLeaseTimeout, .milliseconds(2500))
        XCTAssertEqual(d.config.reconnectTimeout, .hours(72))
        XCTAssertTrue(d.registerAll)
    }

    func testBadSectionKeysArePathNamedErrors() {
        assertSingleError(scenario(#"{"servers": 4}"#), path: "consul.servers", ["3, 5 or 7", "got 4"])
        assertSingleError(scenario(#"{"servers": 5}"#), path: "consul.servers", ["has 3 hosts", "5 Consul servers"])
        assertSingleError(scenario(#"{"hostGroup": "slaves"}"#), path: "consul.hostGroup", ["unknown host group", "slave"])
        assertSingleError(scenario(#"{"agents": ["slave", "nope"]}"#), path: "consul.agents[1]", ["unknown host group"])
        assertSingleError(scenario(#"{"config": {"performance": {"raft_multiplier": 11}}}"#), path: "consul.config.performance.raft_multiplier", ["Must be between 1 and 10"])
        assertSingleError(scenario(#"{"config": {"reconnect_timeout": "1h"}}"#), path: "consul.config.reconnect_timeout", [">= 8h"])
        assertSingleError(scenario(#"{"config": {"gossip_lan": {"probe_timeout": "2s"}}}"#), path: "consul.config.gossip_lan.probe_timeout", ["must not exceed probe_interval"])
        assertSingleError(scenario(#"{"config": {"gossip_lan": {"probe_interval": "-1s"}}}"#), path: "consul.config.gossip_lan.probe_interval", [])
        assertSingleError(scenario(#"{"config": {"gossip_lan": {"suspicion_mult": 0}}}"#), path: "consul.config.gossip_lan.suspicion_mult", [])
        assertSingleError(scenario(#"{"config": {"gossip_lan": {"probe_interval": "876000h"}}}"#), path: "consul.config.gossip_lan.probe_interval", ["at most 1m"])
        assertSingleError(scenario(#"{"config": {"ae_interval": "1m"}}"#), path: "consul.config.ae_interval", ["not a Consul setting"])
        assertSingleError(scenario(#"{"config": {"gossip_lan": {"probe_intervall": "1s"}}}"#), path: "consul.config.gossip_lan.probe_intervall", ["did you mean \"probe_interval\""])
        assertSingleError(scenario(#"{"sevrers": 3}"#), path: "consul.sevrers", ["did you mean \"servers\""])
        assertSingleError(scenario(#"{"services": {"/shop/wbe": {"service": {"name": "web"}}}}"#), path: "consul.services[\"/shop/wbe\"]", ["no Marathon app", "/shop/web"])
    }

    /// Definitions real Consul refuses are refused with Consul's reason.
    func testServiceDefinitionsConsulRejects() {
        func svc(_ body: String) -> String { scenario(#"{"services": {"/shop/web": "# + body + "}}") }
        let p = "consul.services[\"/shop/web\"]"
        assertSingleError(svc(#"{"service": {"port": 80}}"#), path: p + ".service", ["Service name missing"])
        assertSingleError(svc(#"{"service": {"name": "web", "check": {"http": "http://x/", "ttl": "10s", "interval": "10s"}}}"#),
                          path: p + ".service.check.ttl", ["Interval and TTL cannot both be specified"])
        assertSingleError(svc(#"{"service": {"name": "web", "checks": [{"http": "http://x/"}]}}"#),
                          path: p + ".service.checks[0]", ["Interval must be > 0 for Script, HTTP, or TCP checks"])
        assertSingleError(svc(#"{"service": {"name": "web", "checks": [{"args": ["/bin/check"], "interval": "-5s"}]}}"#),
                          path: p + ".service.checks[0].interval", ["Interval must be > 0"])
        assertSingleError(svc(#"{"service": {"name": "web", "check": {"name": "nothing"}}}"#), path: p + ".service.check", ["TTL must be > 0 for TTL checks"])
        assertSingleError(svc(#"{"service": {"name": "web", "check": {"tcp": "x:1", "interval": "10 s"}}}"#), path: p + ".service.check.interval", ["invalid duration"])
        assertSingleError(svc(#"{"service": {"name": "web", "check": {"tcp": "x:1", "interval": 10}}}"#), path: p + ".service.check.interval", ["expected type 'string'"])
        assertSingleError(svc(#"{"service": {"name": "web", "check": {"tcp": "x:1", "interval": "10s", "timeout": "-1s"}}}"#), path: p + ".service.check.timeout", ["negative"])
        assertSingleError(svc(#"{"service": {"name": "web", "check": {"ttl": "10s", "status": "ok"}}}"#), path: p + ".service.check.status", ["'passing', 'warning', 'critical'"])
        assertSingleError(svc(#"{"service": {"name": "web", "check": {"ttl": "10s", "SuccessBeforePassing": 2}}}"#), path: p + ".service.check.SuccessBeforePassing",
                          ["invalid config key service.check.SuccessBeforePassing", "success_before_passing"])
        assertSingleError(svc(#"{"service": {"name": "web", "prt": 80}}"#), path: p + ".service.prt", ["invalid config key service.prt", "did you mean \"port\""])
        assertSingleError(svc(#"{"service": {"name": "web", "port": 70000}}"#), path: p + ".service.port", ["0 to 65535"])
        assertSingleError(svc(#"{"servce": {"name": "web"}}"#), path: p, ["needs \"service\""])
        assertSingleError(svc(#"{"services": [{"name": "web"}, {"name": "web"}]}"#), path: p, ["defined twice"])
    }

    func testBothCheckAndChecksAndScriptArgsAlias() throws {
        let text = scenario(#"{"services": {"/shop/web": {"services": [{"Name": "web", "Check": {"ScriptArgs": ["/bin/ok"], "Interval": "5s"}, "checks": [{"ttl": "1m", "status": "passing"}, {"grpc": "x:1", "interval": "3s", "success_before_passing": 2}]}]}}}"#)
        let d = try XCTUnwrap(loadOK(text)?.spec.consul?.services.first?.definitions.first)
        XCTAssertEqual(d.checks.map(\.kind), [.script, .ttl, .http])
        XCTAssertEqual(d.checks[0].timeout, .seconds(30), "script default timeout")
        XCTAssertEqual(d.checks[1].initialStatus, .passing)
        XCTAssertEqual(d.checks[2].successBeforePassing, 2)
        XCTAssertEqual(d.checks[2].timeout, .seconds(3), "grpc/HTTP default: the interval when under 10s")
        let fast = try XCTUnwrap(loadOK(scenario(#"{"services": {"/shop/web": {"service": {"name": "web", "check": {"tcp": "x:1", "interval": "1ns"}}}}}"#)))
        XCTAssertEqual(fast.spec.consul?.services.first?.definitions.first?.checks.first?.interval, .seconds(1), "Consul's MinInterval")
        XCTAssertTrue(fast.warnings.contains { $0.contains("service.check.interval") && $0.contains("raised to 1s") }, "\(fast.warnings)")
        let long = try XCTUnwrap(loadOK(scenario(#"{"services": {"/shop/web": {"service": {"name": "web", "check": {"ttl": "2562047h"}}}}}"#)))
        XCTAssertEqual(long.spec.consul?.services.first?.definitions.first?.checks.first?.ttl, .hours(87600), "Consul accepts it; read as 10 years")
    }
}

extension DocsTests {
    /// The decoder asks about exactly the declared keys of each consul section.
    func testConsulDecoderKnowsExactlyTheDeclaredKeys() {
        let withConsul = consulScenario(#"{"config": {"performance": {}, "gossip_lan": {}, "dns_config": {}}}"#)
        for (keys, path) in [(ScenarioSchema.consulKeys, "consul"), (ScenarioSchema.consulGossipKeys, "consul.config.gossip_lan")] {
            XCTAssertEqual(decoderKeys(path, scenario: withConsul), keys.names.sorted(), keys.id)
        }
        // the agent configuration's objects take every key Consul has: the declared (modelled) keys
        // are Consul's, and a key Consul does not have is its error
        for (keys, known, path) in [(ScenarioSchema.consulConfigKeys, ConsulAgentConfigKeys.topLevel, "consul.config"),
                                    (ScenarioSchema.consulPerformanceKeys, ConsulAgentConfigKeys.performance, "consul.config.performance"),
                                    (ScenarioSchema.consulDNSKeys, ConsulAgentConfigKeys.dns, "consul.config.dns_config")] {
            XCTAssertEqual(keys.names.filter { !known.contains($0) }, [], keys.id)
            let errs = loadErrors(withConsul, overrides: ["\(path).zzzzzzzzzzzzzzzz=1"])
            XCTAssertTrue(errs.count == 1 && errs[0].message.hasPrefix("invalid config key "), "\(errs)")
            for k in keys.names {
                let value = k == "datacenter" ? #""dc2""# : k == "performance" || k == "gossip_lan" || k == "dns_config" ? "{}" :
                    ["allow_stale", "enable_script_checks", "leave_on_terminate"].contains(k) ? "true" : k == "raft_multiplier" ? "2" : #""9h""#
                let l = loadOK(consulScenario(#"{"config": {"\#(k)": \#(value)}}"#.replacingOccurrences(of: #"{"\#(k)""#, with: path == "consul.config" ? #"{"\#(k)""# : #"{"\#(path.split(separator: ".").last!)": {"\#(k)""#) + (path == "consul.config" ? "" : "}")))
                XCTAssertFalse(l?.warnings.contains { $0.contains("not used by the simulator") } ?? true, "\(k) is read: \(l?.warnings ?? [])")
            }
        }
    }
}

/// The example scenario in consul-files, loaded and run: registrations under the definitions'
/// names (and the app id for an app without one), the crashed host's detection, its rejoin.
final class ConsulScenarioRunTests: XCTestCase {
    func testExampleScenarioRegistersDetectsAndRejoins() throws {
        let loaded = try ScenarioLoader.load(path: ConsulSectionTests.filesDir + "/scenario.json")
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: loaded.spec, observer: o)
        m.run()
        let c = try XCTUnwrap(m.subsystem(ConsulCluster.self))
        XCTAssertEqual(c.serviceNames, ["web", "api", "ops-cron"])
        let regs = o.events.filter { $0.event == "consulServiceRegistered" }
        XCTAssertEqual(Set(regs.map(\.detail)), ["web", "api", "ops-cron"])
        let failed = o.events.filter { $0.event == "consulMemberFailed" }
        XCTAssertEqual(failed.map(\.subject), ["slave-03"])
        if let t = failed.first?.time.seconds { XCTAssertGreaterThanOrEqual(t - 600, 5); XCTAssertLessThanOrEqual(t - 600, 27) }
        XCTAssertEqual(o.events.filter { $0.event == "consulMemberAlive" }.map(\.subject), ["slave-03"])
        XCTAssertEqual(c.membersAlive, 11)
        XCTAssertEqual(c.health(service: 0, filter: .passing, from: 0)?.count, 4, "four web instances again")
        XCTAssertEqual(c.headline().map(\.key), ["consul_detections", "consul_detection_mean_s", "consul_detection_max_s", "consul_leader_elections"])
        // the figures are recomputed from the events.csv rows, as docs/outputs.md defines them
        let secs = failed.compactMap { Double($0.detail) }
        XCTAssertEqual(c.headline()[0].value, .int(Int64(failed.count)))
        if case .number(let x, 3) = c.headline()[2].value { XCTAssertEqual(x, secs.max()!, accuracy: 0.0005) } else { XCTFail("max") }
        XCTAssertEqual(c.headline()[3].value, .int(Int64(o.events.filter { $0.event == "consulLeaderElected" }.count)))
    }
}
