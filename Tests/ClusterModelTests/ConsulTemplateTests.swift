@testable import ClusterModel
import Foundation
import SimKernel
import XCTest

/// consul-template's runner: quiescence, render only on change, retries, and the timing chain
/// catalog change -> query return -> wait -> render -> command -> nginx reload.
final class ConsulTemplateTests: XCTestCase {
    let ms = SimDuration.milliseconds(1)

    // MARK: quiescence (manager/runner.go quiescence.tick)

    func testQuiescenceFirstTickSetsTimerAndDeadline() {
        var q = Quiescence(min: .seconds(5), max: .seconds(20))
        XCTAssertTrue(q.tick(now: SimTime.zero + .seconds(10)))
        XCTAssertEqual(q.fireAt, SimTime.zero + .seconds(15))
        XCTAssertEqual(q.deadline, SimTime.zero + .seconds(30))
    }

    func testQuiescenceResetsToMinWhileBeforeDeadlineThenCapsAtDeadline() {
        var q = Quiescence(min: .seconds(5), max: .seconds(20))
        _ = q.tick(now: SimTime.zero + .seconds(10))
        XCTAssertTrue(q.tick(now: SimTime.zero + .seconds(12)))
        XCTAssertEqual(q.fireAt, SimTime.zero + .seconds(17), "now + min before the deadline: snooze to min")
        XCTAssertTrue(q.tick(now: SimTime.zero + .seconds(24)))
        XCTAssertEqual(q.fireAt, SimTime.zero + .seconds(29))
        // 25 + 5 = 30 is not before the deadline 30: fire at the deadline
        XCTAssertTrue(q.tick(now: SimTime.zero + .seconds(25)))
        XCTAssertEqual(q.fireAt, SimTime.zero + .seconds(30))
        XCTAssertEqual(q.deadline, SimTime.zero + .seconds(30), "the deadline never moves")
        // at the deadline itself nothing changes (deadline - now is not > 0)
        XCTAssertFalse(q.tick(now: SimTime.zero + .seconds(30)))
        XCTAssertEqual(q.fireAt, SimTime.zero + .seconds(30))
    }

    /// A tick on a timer that fires at this very instant changes nothing: the template is already on
    /// its way to the runner (runner.go `tick`: Reset cannot recall a fired timer's send).
    func testQuiescenceTickOnADueTimerChangesNothing() {
        var q = Quiescence(min: .seconds(2), max: .seconds(8))
        _ = q.tick(now: SimTime.zero + .seconds(60))
        XCTAssertFalse(q.tick(now: SimTime.zero + .seconds(62)), "due now: not snoozed")
        XCTAssertEqual(q.fireAt, SimTime.zero + .seconds(62))
        var r = Quiescence(min: .seconds(2), max: .seconds(8))
        _ = r.tick(now: SimTime.zero + .seconds(60))
        XCTAssertTrue(r.tick(now: SimTime.zero + .seconds(61)), "not due yet: snoozed to now + min")
        XCTAssertEqual(r.fireAt, SimTime.zero + .seconds(63))
    }

    // MARK: the chain with a fake catalog

    func testCatalogChangeToReloadTimingWithoutWait() {
        let rig = DiscoveryRig()
        let (model, ev) = rig.run(initial: rig.instances, changes: [.init(at: .seconds(60), service: 0, instances: Array(rig.instances.dropFirst()))])
        let nginx = model.subsystem(NginxProxies.self)!
        // generation 0: the three instances, from the render at time 0, no reload
        XCTAssertEqual(nginx.upstreams(proxy: 0, generation: 0).first?.servers.map(\.port), [31000, 31001, 31002])
        XCTAssertEqual(nginx.upstreams(proxy: 0, generation: 0).first?.servers.compactMap(\.instance?.task), [100, 101, 102])
        let rendered = ev.named("templateRendered"), command = ev.named("templateCommand"), reload = ev.named("nginxReload")
        XCTAssertEqual(rendered.map(\.time), [SimTime.zero + .seconds(60) + ms], "query returns queryLatency after the commit; no wait: render at once")
        XCTAssertEqual(rendered.first?.subject, "/etc/nginx/conf.d/app.conf")
        XCTAssertEqual(rendered.first?.detail, "edge-01: web 3->2")
        XCTAssertEqual(command.map(\.detail), ["edge-01: nginx -s reload: exit 0"])
        XCTAssertEqual(reload.map(\.time), [SimTime.zero + .seconds(60) + ms + .milliseconds(100)], "new workers after workerStart")
        XCTAssertEqual(reload.first?.detail, "generation 1: app -1 +0")
        XCTAssertEqual(ev.named("nginxUpstreamChanged").map(\.subject), ["edge-01/app"])
        XCTAssertEqual(nginx.generation(ofProxy: 0), 1)
        XCTAssertEqual(nginx.upstreams(proxy: 0, generation: 1).first?.servers.map(\.port), [31001, 31002])
        XCTAssertEqual(nginx.upstreams(proxy: 0, generation: 1).first?.method, .leastConn)
        XCTAssertEqual(nginx.upstreams(proxy: 0, generation: 1).first?.servers.first?.maxFails, 3)
        XCTAssertEqual(nginx.upstreams(proxy: 0, generation: 1).first?.servers.first?.failTimeout, .seconds(60))
    }

    func testWaitMinAfterASingleChange() {
        let rig = DiscoveryRig(wait: ConsulTemplateWait(min: .seconds(5), max: .seconds(20)))
        let (_, ev) = rig.run(initial: rig.instances, changes: [.init(at: .seconds(60), service: 0, instances: [rig.instances[0]])])
        XCTAssertEqual(ev.named("templateRendered").map(\.time), [SimTime.zero + .seconds(65) + ms], "first change + latency + wait.min")
        XCTAssertEqual(ev.named("nginxReload").map(\.time), [SimTime.zero + .seconds(65) + ms + .milliseconds(100)])
    }

    func testWaitMaxCapsAStreamOfChanges() {
        let rig = DiscoveryRig(wait: ConsulTemplateWait(min: .seconds(5), max: .seconds(20)))
        // a change every 3 s (each under wait.min apart) from 60 s to 87 s: the render waits for the deadline
        var changes: [FakeCatalog.Change] = []
        for k in 0..<10 { changes.append(.init(at: .seconds(60 + 3 * Int64(k)), service: 0, instances: k % 2 == 0 ? [rig.instances[0]] : rig.instances)) }
        let (_, ev) = rig.run(initial: rig.instances, changes: changes)
        let renders = ev.named("templateRendered").map(\.time)
        XCTAssertEqual(renders.first, SimTime.zero + .seconds(80) + ms, "deadline = first change's return + wait.max")
        // after the forced render a fresh quiescence starts at the next change (81 s); the last at 87 s + 1ms + wait.min
        XCTAssertEqual(renders.dropFirst().first, SimTime.zero + .seconds(92) + ms)
    }

    func testRenderOnlyWhenTheTextChanges() {
        let t = #"{{if service "web"}}upstream app { server 10.0.0.2:31000; } server { listen 80; location / { proxy_pass http://app; } }{{else}}upstream app { server 127.0.0.1:65535; } server { listen 80; location / { proxy_pass http://app; } }{{end}}"#
        let rig = DiscoveryRig(template: t)
        let (_, ev) = rig.run(initial: rig.instances, changes: [
            .init(at: .seconds(60), service: 0, instances: [rig.instances[0]]),   // answer changes, text does not
            .init(at: .seconds(90), service: 0, instances: [rig.instances[0]]),   // same answer: dropped
            .init(at: .seconds(120), service: 0, instances: []),                  // text changes
        ])
        XCTAssertEqual(ev.named("templateRendered").map(\.time), [SimTime.zero + .seconds(120) + ms])
        XCTAssertEqual(ev.named("templateCommand").count, 1)
        XCTAssertEqual(ev.named("nginxReload").count, 1)
    }

    func testRetriesWithExponentialBackoffThenExit() {
        let rig = DiscoveryRig(duration: .minutes(30))
        let (model, ev) = rig.run(initial: rig.instances, changes: [.init(at: .seconds(60), service: 0, instances: nil)])
        let retries = ev.named("consulTemplateRetry")
        XCTAssertEqual(retries.count, 12, "retry.attempts")
        // retry n sleeps 250ms * 2^n up to the 1m cap (n > floor(log2(60/0.25)) = 7)
        let sleeps: [Double] = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
        var t = 60.001
        for (i, r) in retries.enumerated() {
            XCTAssertEqual(r.time.seconds, t, accuracy: 1e-9, "retry \(i + 1) logged when query \(i + 1) failed")
            XCTAssertTrue(r.detail.contains("retry \(i + 1)/12 in"), r.detail)
            t += sleeps[i] + 0.001
        }
        let exit = ev.named("consulTemplateExit")
        XCTAssertEqual(exit.count, 1)
        XCTAssertEqual(exit.first!.time.seconds, t, accuracy: 1e-9)
        XCTAssertEqual(model.subsystem(ConsulTemplateRunner.self)!.exits, 1)
        XCTAssertTrue(ev.named("templateRendered").isEmpty)
    }

    func testARetryThatSucceedsRendersTheNewAnswer() {
        let rig = DiscoveryRig()
        let (_, ev) = rig.run(initial: rig.instances, changes: [
            .init(at: .seconds(60), service: 0, instances: nil),
            .init(at: .seconds(61), service: 0, instances: [rig.instances[2]], publish: false),
        ])
        // failures at 60.001 (retry in 250ms), 60.252 (500ms), 60.753 (1s); the query at 61.754 succeeds
        XCTAssertEqual(ev.named("consulTemplateRetry").count, 3)
        XCTAssertEqual(ev.named("templateRendered").first!.time.seconds, 61.754, accuracy: 1e-9)
        XCTAssertTrue(ev.named("consulTemplateExit").isEmpty)
    }

    func testFailedReloadKeepsTheOldConfiguration() {
        // no else branch: with no instance the upstream is empty, which nginx rejects
        let t = """
        upstream app { {{range service "web"}}server {{.Address}}:{{.Port}};{{end}} }
        server { listen 80; location / { proxy_pass http://app; } }
        """
        // kill -HUP: the master parses, logs the error and keeps its configuration
        let hup = DiscoveryRig(template: t, command: "kill -HUP $(cat /run/nginx.pid)")
        let (model, ev) = hup.run(initial: hup.instances, changes: [.init(at: .seconds(60), service: 0, instances: [])])
        XCTAssertEqual(ev.named("nginxReloadFailed").count, 1)
        XCTAssertTrue(ev.named("nginxReloadFailed")[0].detail.contains("no servers are inside upstream"), ev.named("nginxReloadFailed")[0].detail)
        XCTAssertTrue(ev.named("nginxReload").isEmpty)
        XCTAssertEqual(model.subsystem(NginxProxies.self)!.generation(ofProxy: 0), 0)
        XCTAssertEqual(ev.named("templateCommand").map(\.detail), ["edge-01: kill -HUP $(cat /run/nginx.pid): exit 0"])
        XCTAssertTrue(ev.named("consulTemplateExit").isEmpty)
        // nginx -s reload tests first: exits 1 without signalling, and consul-template exits on the failed command
        let test = DiscoveryRig(template: t)
        let (m2, ev2) = test.run(initial: test.instances, changes: [.init(at: .seconds(60), service: 0, instances: [])])
        XCTAssertEqual(ev2.named("templateCommand").map(\.detail), ["edge-01: nginx -s reload: exit 1"])
        XCTAssertEqual(ev2.named("consulTemplateExit").count, 1)
        XCTAssertEqual(m2.subsystem(NginxProxies.self)!.generation(ofProxy: 0), 0)
    }

    func testNginxHostDownAndUpStartsFromTheLastFile() {
        let crash = FaultSpec(at: .seconds(30), kind: .hostCrash, target: .host("edge-01"), recoverAfter: .seconds(60))
        let rig = DiscoveryRig(faults: [crash])
        let (model, ev) = rig.run(initial: rig.instances, changes: [.init(at: .seconds(60), service: 0, instances: [rig.instances[1]])])
        // while the host is down nothing renders; at 90 s consul-template starts, its first query
        // returns after queryLatency, the file changes and nginx (started at 90 s from the old file) reloads
        XCTAssertEqual(ev.named("templateRendered").map(\.time), [SimTime.zero + .seconds(90) + ms])
        XCTAssertEqual(ev.named("nginxReload").map(\.time), [SimTime.zero + .seconds(90) + ms + .milliseconds(100)])
        let nginx = model.subsystem(NginxProxies.self)!
        XCTAssertEqual(nginx.upstreams(proxy: 0, generation: nginx.generation(ofProxy: 0)).first?.servers.map(\.port), [31001])
        XCTAssertEqual(nginx.includedText(proxy: 0, at: SimTime.zero + .seconds(89)), nginx.includedText(proxy: 0, at: .zero))
    }

    /// hashicorp/consul-template examples/nginx.md's "Global Load Balancer": `range services` then
    /// `service .Name`; the dependencies on each service are found by executing the template.
    func testTheExamplesTemplateFindsItsServiceDependencies() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ScenarioTests/templates/examples-nginx.ctmpl").path
        let rig = DiscoveryRig(template: try String(contentsOfFile: path, encoding: .utf8))
        let api = [ServiceInstance(task: 7, host: 3, port: 32000)]
        let (model, ev) = rig.run(initial: rig.instances, changes: [.init(at: .seconds(60), service: 1, instances: [])],
                                  services: ["web", "api"], others: [api])
        let nginx = model.subsystem(NginxProxies.self)!
        XCTAssertEqual(nginx.upstreams(proxy: 0, generation: 0).map(\.name), ["api", "web"])
        XCTAssertEqual(nginx.upstreams(proxy: 0, generation: 0).map { $0.servers.count }, [1, 3])
        XCTAssertEqual(nginx.configuration(proxy: 0, generation: 0).locations.map(\.prefix), ["/api", "/web"], "the proxy_pass locations, longest first")
        XCTAssertEqual(nginx.route(proxy: 0, generation: 0, path: "/web/x")?.upstream, 1)
        // api loses its instance: `services` drops it (no instance left), so its upstream and location go
        XCTAssertEqual(ev.named("templateRendered").map(\.time), [SimTime.zero + .seconds(60) + ms])
        XCTAssertEqual(nginx.upstreams(proxy: 0, generation: 1).map(\.name), ["web"])
        XCTAssertEqual(ev.named("nginxReload").first?.detail, "generation 1: api -1 +0")
    }

    /// Steady state costs no events: a day without catalog changes adds no event to the run (blocking
    /// queries that time out with no news are not simulated).
    func testSteadyStateCostsNoEvents() {
        var rig = DiscoveryRig(duration: .hours(24))
        let (with, ev) = rig.run(initial: rig.instances, changes: [])
        rig.spec.nginx = nil
        rig.spec.consulTemplate = nil
        let (without, _) = rig.run(initial: rig.instances, changes: [])
        XCTAssertEqual(with.sim.eventsProcessed, without.sim.eventsProcessed)
        XCTAssertTrue(ev.filter { $0.component == "nginx" || $0.component == "consul-template" }.isEmpty)
    }

    func testHeadlineAndTable() {
        let rig = DiscoveryRig()
        let (model, _) = rig.run(initial: rig.instances, changes: [.init(at: .seconds(60), service: 0, instances: [rig.instances[0]]),
                                                                    .init(at: .seconds(120), service: 0, instances: [])])
        XCTAssertEqual(model.subsystem(NginxProxies.self)!.headline().map(\.value), [.int(2), .int(0)])
        XCTAssertEqual(model.subsystem(ConsulTemplateRunner.self)!.headline().map(\.value), [.int(2), .int(0)])
        let nginx = model.subsystem(NginxProxies.self)!
        XCTAssertEqual(nginx.upstreams(proxy: 0, generation: 2).first?.servers.map(\.address), ["127.0.0.1"], "the placeholder when no instance is left")
        XCTAssertNil(nginx.upstreams(proxy: 0, generation: 2).first?.servers.first?.instance)
    }
}
