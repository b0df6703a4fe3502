@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// Fluid traffic's shortcuts on its full steps and steady ticks (issue 14, traffic fifth step)
/// give the numbers of the general code bit for bit: the same run with `TrafficModel.fluidMemo`
/// off (every exporter rate and late share computed afresh) is compared with it on, second by
/// second, on everything the step writes: the sample window's counters and sketches, the apps'
/// exporter counters and rates, the hosts' CPU and the stats pages' frontends.
final class FluidMemoTests: XCTestCase {
    /// Eight instances behind marathon-lb (two HAProxy instances, per-server maxconn 4 and
    /// `timeout queue` 5 s through the app's labels), a flash crowd far beyond their capacity (a
    /// backlog: shifted sketches, queue timeouts, the client's timeout), a direct service on the
    /// same tasks, and a host crash (servers that stop answering, retries, redispatches).
    static let scenario = #"""
    {"name": "fluid-memo", "duration": "40m", "seed": 3, "sampleInterval": "1m",
     "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                    {"name": "slave", "count": 5, "cpus": 16, "memory": "64GiB", "disk": "500GB"},
                    {"name": "lb", "count": 2, "cpus": 4, "memory": "8GiB", "disk": "100GB", "attributes": {"role": "lb"}}],
     "zookeeper": {"servers": 3}, "mesos": {"masters": {"count": 3}},
     "marathon": {"version": "1.4", "apps": [
       {"id": "/shop/web", "instances": 8, "cpus": 0.5, "mem": 256, "constraints": [["role", "UNLIKE", "lb"]],
        "container": {"type": "DOCKER", "docker": {"image": "web:1", "network": "BRIDGE",
          "portMappings": [{"containerPort": 8080, "hostPort": 0, "servicePort": 10000, "protocol": "tcp"}]}},
        "labels": {"HAPROXY_GROUP": "external"},
        "healthChecks": [{"protocol": "HTTP", "path": "/health", "portIndex": 0, "gracePeriodSeconds": 30,
          "intervalSeconds": 10, "timeoutSeconds": 5, "maxConsecutiveFailures": 3}]}]},
     "marathonLB": {"instances": [{"hostGroup": "lb", "group": "external"}], "flags": {"--health-check": true}},
     "traffic": {"mode": "fluid", "services": [
       {"name": "web", "app": "/shop/web", "via": "marathon-lb", "frontend": "shop_web_10000",
        "arrivals": {"flashCrowd": {"base": 120, "peak": 900, "at": "12m", "rise": "1m", "hold": "6m", "decay": "2m"}},
        "serviceTime": {"lognormal": {"median": "20ms", "sigma": 0.5}}, "discipline": "fifo", "concurrency": 1, "timeout": "4s"},
       {"name": "direct", "app": "/shop/web", "via": "direct", "arrivals": {"poisson": 40},
        "serviceTime": {"exponential": {"mean": "10ms"}}, "discipline": "ps"}]},
     "faults": [{"at": "26m", "kind": "hostCrash", "host": "slave-02", "recoverAfter": "5m"}]
    }
    """#

    /// What a step writes, as bits: a difference in the last bit fails.
    static func state(_ t: TrafficModel) -> [UInt64] {
        var out: [UInt64] = []
        for w in t.window {
            out += [w.offered, w.served, w.errorsDeadUpstream, w.errorsNoUpstream, w.errorsTimeout, w.errorsNoProxy, w.latencySumMs].map(\.bitPattern)
            for sk in w.sketches { out += [UInt64(sk.id), sk.shiftMs.bitPattern, sk.count.bitPattern] }
        }
        let c = t.exporterCounters
        for a in [c.value, c.rate, c.hostCPU, c.hostRate, c.inside] { out += a.map(\.bitPattern); out.append(UInt64(a.count)) }
        out += c.since.map { UInt64(bitPattern: $0.nanoseconds) }
        for s in t.haproxy?.stats ?? [] {
            out += s.fluidRate.map(\.bitPattern)
            for f in s.frontends { out += [UInt64(f.scur), UInt64(bitPattern: f.stot), f.stotFluid.bitPattern] }
        }
        return out
    }

    func testMemoisedFluidStepsAreTheGeneralOnesBitForBit() throws {
        let s = try XCTUnwrap(loadOK(Self.scenario))
        let fast = ClusterSimulation(spec: s.spec, observer: NullObserver())
        let reference = ClusterSimulation(spec: s.spec, observer: NullObserver())
        let tf = try XCTUnwrap(fast.subsystem(TrafficModel.self)), tr = try XCTUnwrap(reference.subsystem(TrafficModel.self))
        tr.fluidMemo = false
        var compared = 0, shifted = 0, late = 0
        var t = SimTime.zero
        while t < SimTime.zero + s.spec.duration {
            t = t + .seconds(1)
            _ = fast.run(shouldStop: { fast.sim.now >= t })
            _ = reference.run(shouldStop: { reference.sim.now >= t })
            let a = Self.state(tf), b = Self.state(tr)
            guard a == b else {
                let k = a.indices.first { $0 >= b.count || a[$0] != b[$0] } ?? a.count
                return XCTFail("at \(t): the memoised step differs from the general one at value \(k) of \(a.count)")
            }
            compared += 1
            if tf.window.contains(where: { $0.sketches.contains { $0.shiftMs > 0 } }) { shifted += 1 }
            if tf.window[0].errorsTimeout > 0 { late += 1 }
        }
        XCTAssertEqual(fast.sim.eventsProcessed, reference.sim.eventsProcessed)
        XCTAssertGreaterThan(compared, 2000)
        // the run reaches the shortcuts' interesting cases: backlog waits and the client's timeout
        XCTAssertGreaterThan(shifted, 60, "a backlog shifted the sketches")
        XCTAssertGreaterThan(late, 60, "requests beyond the client's timeout")
        XCTAssertGreaterThan(tf.runTotals().errorsNoUpstream + tf.runTotals().errorsDeadUpstream, 0, "the crash and the queue cost requests")
    }
}
