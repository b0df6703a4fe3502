import XCTest
@testable import ClusterModel
import SimKernel

/// A frontend at its `maxconn` stops accepting (HAProxy configuration manual 4.2 `maxconn`,
/// `backlog`): connections wait in the kernel's accept queue (min(backlog, somaxconn)), beyond it
/// their SYNs are dropped and the clients retransmit; nothing is answered 503 (that needs a
/// server's maxconn and `timeout queue`). Until session 52 the frontend's overflow went to the
/// backend queue and was answered 503 after `timeout queue`.
final class HAProxyFrontendMaxconnTests: XCTestCase {
    /// Poisson 2 requests/s of 1 s each into one worker, frontend maxconn 3, an accept queue of 2.
    static func overload(_ mode: TrafficSpec.Mode, reloads: [SimTime] = [], seamless: Bool = false) -> TrafficModel {
        let s = HAProxyFluidTests.service(HAProxyFrontTests.fromMinute(2, poisson: true), work: .constant(1), discipline: .fifo(concurrency: 1))
        let (_, t, _) = HAProxyHarness.run(HAProxyFluidTests.spec(mode, instances: 1, s)) { f in
            f.reloadAt = [HAProxyFrontTests.at60] + reloads; f.defaults.maxconn = 3; f.defaults.somaxconn = 2; f.seamless = seamless
        }
        return t
    }

    /// Per request: the frontend holds 3 sessions (smax 3), 2 connections wait in the accept
    /// queue, the others' SYNs are dropped and retransmitted (1, 3, 7 ... s late); the clients that
    /// never get in give up after the sixth retransmission (127 s): timeouts, no 503.
    func testAFullFrontendHoldsConnectionsInTheKernelNot503() {
        let t = Self.overload(.request)
        let c = t.runTotals()
        XCTAssertEqual(c.errorsNoUpstream, 0, "no 503: HAProxy never saw the connections it did not accept")
        XCTAssertEqual(t.haproxyQueueTimeouts, 0)
        XCTAssertEqual(t.haproxy!.stats[0].frontends[0].smax, 3, "scur stops at the frontend's maxconn (slim)")
        XCTAssertGreaterThan(t.haproxySynDrops, 100, "1 request/s beyond capacity meets a full accept queue")
        XCTAssertEqual(c.served, 178, accuracy: 3, "the worker is never idle: about one a second from 61 s")
        XCTAssertGreaterThan(c.failed, 0, "clients whose first SYN was before ~113 s and never got in gave up")
        XCTAssertEqual(c.failed, c.errorsTimeout, "a client that gives up connecting is a timeout")
        print("full frontend: quantiles", [0.5, 0.9, 0.95, 0.99, 1].map { c.latency.quantile($0) ?? 0 }, c.failed)
        XCTAssertGreaterThan(c.latency.quantile(1) ?? 0, 6000, "some got in after a retransmission (1 s or more on top of the 5 s inside)")
        XCTAssertLessThan(c.latency.quantile(0.5) ?? 1e9, 7000)
    }

    /// A reload with HAProxy before 1.8: the old process closes its listening socket and the kernel
    /// resets the connections in its accept queue (errors_no_proxy); with seamless reloads (`-x`)
    /// the new process takes them over and none is reset.
    func testAReloadResetsTheAcceptQueueUnlessSeamless() {
        let reloads = (1..<17).map { HAProxyFrontTests.at60 + .seconds(10 * $0) }
        let old = Self.overload(.request, reloads: reloads)
        XCTAssertGreaterThan(old.haproxyListenResets, 10, "each reload resets the queue (2 connections)")
        XCTAssertEqual(old.runTotals().errorsNoProxy, Double(old.haproxyListenResets))
        let seamless = Self.overload(.request, reloads: reloads, seamless: true)
        XCTAssertEqual(seamless.haproxyListenResets, 0)
        XCTAssertEqual(seamless.runTotals().errorsNoProxy, 0)
        for t in [old, seamless] { XCTAssertEqual(t.runTotals().errorsNoUpstream, 0) }
        let f = Self.overload(.fluid, reloads: reloads)
        XCTAssertGreaterThan(f.haproxyListenResets, 10, "fluid: the same resets")
        XCTAssertEqual(f.runTotals().errorsNoProxy, Double(f.haproxyListenResets), accuracy: 1)
        XCTAssertEqual(Self.overload(.fluid, reloads: reloads, seamless: true).haproxyListenResets, 0)
    }

    /// Fluid mode agrees with the per-request mode on a frontend overload: one instance (FIFO, 4
    /// workers of 0.1 s: 40/s) behind frontend maxconn 200 and an accept queue of 50, Poisson 60/s
    /// for two minutes. Failures (clients giving up connecting), served and p99.
    func testFluidAgreesOnAFrontendOverload() {
        var drops: [Int] = []
        func run(_ mode: TrafficSpec.Mode, seed: UInt64) -> TrafficCounters {
            let s = HAProxyFluidTests.service(HAProxyFluidTests.twoMinutes(60, poisson: true), work: .exponential(mean: 0.1), discipline: .fifo(concurrency: 4))
            let (_, t, _) = HAProxyHarness.run(HAProxyFluidTests.spec(mode, instances: 1, seed: seed, s)) { f in
                f.reloadAt = [HAProxyFrontTests.at60]; f.defaults.maxconn = 200; f.defaults.somaxconn = 50
            }
            XCTAssertEqual(t.runTotals().errorsNoUpstream, 0, accuracy: 1e-9)
            drops.append(t.haproxySynDrops)
            return t.runTotals()
        }
        let reqs = (1...3).map { run(.request, seed: $0) }
        let fl = run(.fluid, seed: 1)
        let failed = reqs.map(\.failed).reduce(0, +) / 3, served = reqs.map(\.served).reduce(0, +) / 3
        let p99 = reqs.map { $0.latency.quantile(0.99) ?? 0 }.reduce(0, +) / 3
        print("frontend overload: per request failed \(reqs.map(\.failed)) served \(reqs.map(\.served)) p99 \(reqs.map { $0.latency.quantile(0.99) ?? 0 }); fluid failed \(fl.failed) served \(fl.served) p99 \(fl.latency.quantile(0.99) ?? 0) drops \(drops)")
        XCTAssertGreaterThan(failed, 100)
        let reqDrops = Double(drops[0...2].reduce(0, +)) / 3
        XCTAssertEqual(Double(drops[3]), reqDrops, accuracy: 0.05 * reqDrops, "SYNs dropped")
        XCTAssertEqual(fl.failed, failed, accuracy: 0.15 * failed)
        XCTAssertEqual(fl.served, served, accuracy: 0.03 * served)
        XCTAssertEqual(fl.latency.quantile(0.99) ?? 0, p99, accuracy: 0.15 * p99)
    }
}
