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
}
