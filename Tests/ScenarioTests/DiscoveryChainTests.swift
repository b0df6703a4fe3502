import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// The whole chain of reference section 7 on the real subsystems: an instance hangs, its Consul
/// HTTP check fails `failures_before_critical` times, the agent syncs, consul-template's blocking
/// query returns, its `wait` passes, it renders and nginx reloads: the instance leaves nginx's
/// upstream within the chain's bounds, and not earlier.
final class DiscoveryChainTests: XCTestCase {
    static func scenario(seed: Int, waitMin: String, waitMax: String) -> String {
        """
        {"name": "chain", "seed": \(seed), "duration": "20m",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 4, "cpus": 8, "memory": "32GiB", "disk": "500GB"},
                        {"name": "edge", "count": 2, "cpus": 4, "memory": "8GiB", "disk": "100GB"}],
         "mesos": {"agents": {"hostGroups": ["slave"]}},
         "marathon": {"apps": [{"id": "/web", "instances": 3, "cpus": 0.5, "mem": 256,
                                "container": {"type": "DOCKER", "docker": {"image": "web:1", "network": "BRIDGE",
                                              "portMappings": [{"containerPort": 8080, "hostPort": 0}]}},
                                "constraints": [["hostname", "UNIQUE"]]}],
                      "behaviour": {"default": {"startupTime": "5s", "health": {"hangsAfter": "10m"}}}},
         "consul": {"agents": ["slave", "edge"],
                    "services": {"/web": {"service": {"name": "web", "port": 8080,
                                  "check": {"http": "http://localhost:8080/health", "interval": "10s", "timeout": "2s",
                                            "failures_before_critical": 2}}}}},
         "nginx": {"hostGroup": "edge"},
         "consulTemplate": {"wait": {"min": "\(waitMin)", "max": "\(waitMax)"},
                            "template": [{"contents": "upstream web {\\n{{range service \\"web\\"}}  server {{.Address}}:{{.Port}};\\n{{else}}  server 127.0.0.1:65535;\\n{{end}}}\\nserver { listen 80; location / { proxy_pass http://web; } }\\n",
                                          "destination": "/etc/nginx/conf.d/web.conf", "command": "nginx -s reload"}]}}
        """
    }

    func testAHungInstanceLeavesNginxWithinTheChainAndNotEarlier() throws {
        let interval = 10.0, timeout = 2.0, failures = 2.0, workerStart = 0.1, queryLatency = 0.001
        for (seed, wmin, wmax) in [(1, 2.0, 10.0), (2, 2.0, 10.0), (3, 5.0, 20.0), (4, 0.0, 0.0)] {
            let text = Self.scenario(seed: seed, waitMin: "\(Int(wmin))s", waitMax: "\(Int(wmax))s")
            let s = try XCTUnwrap(loadOK(text))
            let o = MemoryObserver()
            let m = ClusterSimulation(spec: s.spec, observer: o)
            m.run()
            let regs = o.events.filter { $0.event == "consulServiceRegistered" }
            XCTAssertEqual(regs.count, 3, "seed \(seed)")
            for r in regs {
                // subject <host>:<task>:<port>
                let parts = r.subject.split(separator: ":")
                let host = try XCTUnwrap(m.infrastructure.host(named: String(parts[0])))
                let endpoint = "\(host.address):\(parts[2])"
                let hang = r.time.seconds + 5 + 600      // TASK_RUNNING + startupTime + hangsAfter
                guard let crit = o.events.first(where: { $0.event == "consulCheck" && $0.subject == r.subject && $0.detail.hasSuffix("passing->critical") }) else {
                    XCTFail("seed \(seed): \(r.subject) never critical"); continue
                }
                let removals = o.events.filter { $0.event == "nginxUpstreamChanged" && $0.detail.contains("-\(endpoint)") }
                XCTAssertEqual(removals.count, 2, "seed \(seed): both nginx drop \(endpoint)")
                for rm in removals {
                    let chain = rm.time.seconds - hang
                    // fastest: the first failed run starts at the hang; each failure blocks for the
                    // timeout, the next run starts an interval after; then wait.min and the new workers
                    let lower = failures * timeout + (failures - 1) * interval + wmin + workerStart
                    // slowest: a whole interval of stagger before the first failed run, and wait.max
                    let upper = interval + failures * timeout + (failures - 1) * interval + queryLatency + max(wmin, wmax) + workerStart
                    XCTAssertGreaterThanOrEqual(chain, lower - 1e-6, "seed \(seed): \(endpoint) left nginx too early")
                    XCTAssertLessThanOrEqual(chain, upper + 1e-6, "seed \(seed): \(endpoint) left nginx too late")
                    let afterCritical = rm.time.seconds - crit.time.seconds
                    XCTAssertGreaterThanOrEqual(afterCritical, wmin + workerStart - 1e-6, "seed \(seed): render before wait.min")
                    XCTAssertLessThanOrEqual(afterCritical, queryLatency + max(wmin, wmax) + workerStart + 1e-6, "seed \(seed)")
                }
            }
        }
    }

    /// A Mesos network partition cuts a host off from the masters' hosts, where Consul's servers run:
    /// the node stays alive in the gossip pool (other members' indirect probes reach it), but its
    /// agent cannot sync, so a check that fails there stays passing in the catalog (and in nginx)
    /// until the partition heals and the agent's sync retry (15 s + stagger) gets through.
    func testAPartitionedAgentsCheckChangesWaitForTheHeal() throws {
        let text = Self.scenario(seed: 5, waitMin: "0s", waitMax: "0s")
            .replacingOccurrences(of: #""instances": 3"#, with: #""instances": 4"#)
            .replacingOccurrences(of: #"{"hangsAfter": "10m"}"#, with: #"{"hangsAfter": "11m"}"#)
            .replacingOccurrences(of: #""duration": "20m","#, with: #""duration": "20m", "faults": [{"at": "10m", "kind": "networkPartition", "host": "slave-02", "healAfter": "6m"}],"#)
        let s = try XCTUnwrap(loadOK(text))
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: s.spec, observer: o)
        let consul = try XCTUnwrap(m.subsystem(ConsulCluster.self))
        let slave2 = try XCTUnwrap(m.infrastructure.host(named: "slave-02")).index
        m.run(shouldStop: { m.sim.now >= SimTime.zero + .seconds(15 * 60) })
        // every instance has hung by now (serving at about 40 s + 11 min); all checks are critical
        // locally, but only the instances outside the partition left the catalog's passing answer
        let passing = try XCTUnwrap(consul.health(service: 0, filter: .passing, from: slave2 == 0 ? 1 : 0))
        XCTAssertEqual(passing.map(\.host), [slave2], "only the partitioned agent's instance is still passing in the catalog")
        XCTAssertEqual(o.events.filter { $0.event == "consulCheck" && $0.detail.hasSuffix("passing->critical") }.count, 4)
        XCTAssertFalse(o.events.contains { $0.event == "consulMemberSuspect" || $0.event == "consulMemberFailed" },
                       "indirect probes keep the partitioned node alive")
        // a client on the partitioned host reaches no server (all on the masters' hosts)
        XCTAssertNil(consul.health(service: 0, filter: .passing, from: slave2))
        m.run()
        let heal = 16.0 * 60
        let left = o.events.filter { $0.event == "nginxUpstreamChanged" && $0.detail.contains("-\(Host.address(ofIndex: slave2)):") }
        XCTAssertEqual(left.count, 2, "both nginx drop the partitioned instance after the heal")
        for e in left {
            XCTAssertGreaterThan(e.time.seconds, heal)
            XCTAssertLessThan(e.time.seconds, heal + 15 + 15 + 1, "within the sync retry (15 s + stagger up to 15 s) and the reload")
        }
        XCTAssertEqual(consul.health(service: 0, filter: .passing, from: 0)?.count, 0)
    }
}
