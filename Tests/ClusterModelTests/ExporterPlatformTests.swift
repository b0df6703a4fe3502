import XCTest
@testable import ClusterModel
import SimKernel

/// The exporters' values against the model: cAdvisor and the node exporter against Storage, the
/// Mesos exporter against Mesos, counters across restarts, `wants` skipping work.
final class ExporterPlatformTests: XCTestCase {
    /// Containers writing 1 MB/s into their writable layer (loop-lvm): each container's
    /// container_fs_usage_bytes grows by exactly the bytes written between scrapes and equals
    /// Storage's own writable-layer bytes; the thin pool's free data falls by the blocks the
    /// writes allocate; the Docker filesystem's free space falls with the loop file.
    func testContainerFsUsageFollowsTheWritableLayerAndThePoolFreeFalls() throws {
        let rate = 1_000_000.0
        let spec = ExporterSpecs.platform(duration: .minutes(15), writes: ContainerWrites(rate: .constant(rate)), storage: true)
        let probe = ExporterProbe(kinds: [.cadvisor, .node])
        let model = ClusterSimulation(spec: spec, observer: probe)
        model.run()
        let storage = try XCTUnwrap(model.storage)
        var checked = 0
        for h in storage.hosts {
            let cad = probe.of(.cadvisor, host: h.host.index), node = probe.of(.node, host: h.host.index)
            for (a, b) in zip(cad, cad.dropFirst()) {
                let ua = a.values.named("container_fs_usage_bytes"), ub = b.values.named("container_fs_usage_bytes")
                for (series, x) in ua {
                    guard let y = ub[series] else { continue }
                    XCTAssertEqual(y - x, rate * (b.time - a.time).seconds, accuracy: 1, series)
                    checked += 1
                }
            }
            for (a, b) in zip(node, node.dropFirst()) {
                let fa = a.values.sum("node_devicemapper_thinpool_data_free_bytes"), fb = b.values.sum("node_devicemapper_thinpool_data_free_bytes")
                let writers = cad.first { $0.time == a.time }?.values.named("container_fs_usage_bytes").count ?? 0
                if writers > 0 && cad.first(where: { $0.time == b.time })?.values.named("container_fs_usage_bytes").count == writers {
                    XCTAssertLessThan(fb, fa, "thin pool free falls while containers write")
                    let written = Double(writers) * rate * (b.time - a.time).seconds
                    XCTAssertEqual(fa - fb, written, accuracy: Double(writers) * 65_536 + 1, "blocks allocated for the bytes written")
                }
            }
            // at the end: the scrape equals Storage's own state once it is brought up to now
            let now = model.sim.now
            let cs = ExporterProbe.contributors(model)
            let c = ExporterProbe.scrape(cs, MetricEndpoint(kind: .cadvisor, host: h.host.index, port: 8080), now).values
            let n = ExporterProbe.scrape(cs, MetricEndpoint(kind: .node, host: h.host.index, port: 9100), now).values
            h.advance(to: now)
            let mesos = try XCTUnwrap(model.mesos)
            for dc in h.containers where dc.running {
                let agent = try XCTUnwrap(mesos.agent(onHost: h.host.index))
                let l = LabelSet(name: "container_fs_usage_bytes", CadvisorContainer.labels(task: dc.task, agentID: agent.agentID, image: dc.image)
                                    + [("device", try XCTUnwrap(storage.writableLayer(task: dc.task, now: now)).device)])
                XCTAssertEqual(try XCTUnwrap(c[l.description], "\(l)"), dc.layerBytes, accuracy: 1e-6)
                checked += 1
            }
            XCTAssertEqual(n.sum("node_devicemapper_thinpool_data_free_bytes"), Double(h.dataFreeBlocks) * 65_536)
            XCTAssertEqual(n.sum("node_filesystem_free_bytes"), h.fsCapacity - h.fsUsed, accuracy: 1)
        }
        XCTAssertGreaterThan(checked, 20)
    }

    /// mesos_master_task_states_current{state="running"} of the elected master equals Mesos' own
    /// count at every scrape; exactly one master reports elected=1 while one leads, and after the
    /// leader's crash another one does; the standby masters report 0 tasks.
    func testTasksRunningMatchesMesosAndElectedFlipsOnFailover() throws {
        let crash = FaultSpec(at: .minutes(6), kind: .masterCrash, target: .master(nil), restartAfter: .minutes(1))
        let spec = ExporterSpecs.platform(agents: 3, instances: 3, duration: .minutes(15), faults: [crash])
        let probe = ExporterProbe(kinds: [.mesosMaster, .mesosAgent])
        var expected: [SimTime: (running: Int, leaderHost: Int?)] = [:]
        probe.onSample = { m, t in
            let mesos = m.mesos!
            expected[t] = (mesos.tasksRunning, mesos.leader.flatMap { l in mesos.masters[l].leading ? mesos.masters[l].host : nil })
        }
        let model = ClusterSimulation(spec: spec, observer: probe)
        model.run()
        var electedHosts: [Int] = []
        for (t, e) in expected.sorted(by: { $0.key < $1.key }) {
            let masters = probe.scrapes.filter { $0.time == t && $0.endpoint.kind == .mesosMaster }
            let elected = masters.filter { $0.values["mesos_master_elected"] == 1 }
            XCTAssertLessThanOrEqual(elected.count, 1, "at \(t)")
            if let h = e.leaderHost {
                XCTAssertEqual(elected.map(\.endpoint.host), [h], "at \(t)")
                XCTAssertEqual(elected[0].values["mesos_master_task_states_current{state=\"running\"}"], Double(e.running), "at \(t)")
                if electedHosts.last != h { electedHosts.append(h) }
            }
            for s in masters where s.values["mesos_master_elected"] == 0 {
                XCTAssertEqual(s.values["mesos_master_task_states_current{state=\"running\"}"], 0, "a standby holds no tasks")
            }
            let agents = probe.scrapes.filter { $0.time == t && $0.endpoint.kind == .mesosAgent }
            XCTAssertEqual(agents.reduce(0) { $0 + ($1.values["mesos_slave_task_states_current{state=\"running\"}"] ?? 0) }, Double(e.running),
                           accuracy: 3, "agents' running tasks at \(t)")
        }
        XCTAssertEqual(electedHosts.count, 2, "the leader moved once: \(electedHosts)")
        XCTAssertGreaterThan(expected.values.map(\.running).max() ?? 0, 0)
    }

    /// Counters never decrease within a series, except the node's across a reboot (which moves
    /// node_boot_time_seconds); a container replaced after the reboot is a new series.
    func testCountersOnlyResetWithANewBootOrANewContainer() throws {
        let reboot = FaultSpec(at: .minutes(8), kind: .hostReboot, target: .host("slave-01"), downFor: .minutes(2))
        let traffic = TrafficSpec(services: [ExporterSpecs.directService(rate: 50)])
        let spec = ExporterSpecs.platform(duration: .minutes(20), faults: [reboot], traffic: traffic)
        let probe = ExporterProbe(kinds: [.cadvisor, .node])
        ClusterSimulation(spec: spec, observer: probe).run()
        var resets = 0, grew = 0
        for h in 0..<5 {
            for kind in [ExporterKind.node, .cadvisor] {
                let s = probe.of(kind, host: h)
                let boots = probe.of(.node, host: h)
                for (a, b) in zip(s, s.dropFirst()) {
                    let bootA = boots.first { $0.time == a.time }?.values["node_boot_time_seconds"]
                    let bootB = boots.first { $0.time == b.time }?.values["node_boot_time_seconds"]
                    for (series, x) in a.values where series.hasPrefix("node_cpu_seconds_total") || series.hasPrefix("container_cpu_usage_seconds_total") {
                        guard let y = b.values[series] else { continue }
                        if y < x {
                            XCTAssertNotEqual(bootA, bootB, "\(series) fell from \(x) to \(y) without a reboot")
                            XCTAssertTrue(series.contains("id=\"/\"") || series.hasPrefix("node_"), "a container's own series never restarts: \(series)")
                            resets += 1
                        } else if y > x { grew += 1 }
                    }
                }
            }
        }
        XCTAssertGreaterThan(resets, 0, "the reboot restarted the node's counters")
        XCTAssertGreaterThan(grew, 100)
    }

    /// A family nobody wants is not computed (the containers' work is not asked for) but still
    /// counts in the exposition's size.
    func testWantsSkipsComputation() throws {
        final class CountingWork: ContainerWorkSource {
            var calls = 0
            func containerCPUSeconds(task: TaskID, now: SimTime) -> Double { calls += 1; return 0 }
            func hostContainerCPUSeconds(host: Int, now: SimTime) -> Double { calls += 1; return 0 }
            func hostRunnable(host: Int) -> Double { calls += 1; return 0 }
        }
        let spec = ExporterSpecs.platform(duration: .minutes(3))
        let model = ClusterSimulation(spec: spec, observer: NullObserver())
        model.run()
        let work = CountingWork()
        let host = HostMetrics(model: model, promTime: PromTime(baseMs: PromTime.defaultBaseMs), work: work)
        let cs: [MetricsContributor] = [model.mesos!, host]
        let agentHost = model.mesos!.agents[0].host.index
        for kind in [ExporterKind.node, .cadvisor] {
            let e = MetricEndpoint(kind: kind, host: agentHost, port: kind.defaultPort)
            let all = ExporterProbe.scrape(cs, e, model.sim.now)
            XCTAssertGreaterThan(work.calls, 0)
            work.calls = 0
            let few = ExporterProbe.scrape(cs, e, model.sim.now, wants: { $0 == "machine_cpu_cores" || $0 == "node_boot_time_seconds" })
            XCTAssertEqual(work.calls, 0, "\(kind): nothing wanted needs the containers' work")
            XCTAssertEqual(few.exposed, all.exposed, "the exposition's size does not depend on what is kept")
            XCTAssertEqual(few.values.count, 1)
            XCTAssertEqual(few.writer.families.count, 1)
        }
    }

    /// marathon_sd's task list holds every running instance with its host ports; an app endpoint
    /// is up while its task runs; the Marathon endpoint follows the Marathon process.
    func testMarathonTaskListAndEndpointsUp() throws {
        let spec = ExporterSpecs.platform(agents: 3, instances: 3, duration: .minutes(5))
        let model = ClusterSimulation(spec: spec, observer: NullObserver())
        model.run()
        let marathon = try XCTUnwrap(model.marathon), mesos = try XCTUnwrap(model.mesos)
        let tasks = marathon.marathonSDTasks()
        XCTAssertEqual(tasks.filter(\.running).count, 3)
        for t in tasks {
            XCTAssertEqual(t.appId, "/web")
            XCTAssertFalse(t.ports.isEmpty)
            XCTAssertEqual(t.host, mesos.agents[try XCTUnwrap(mesos.task(t.task)).agent].host.index)
            let e = MetricEndpoint(kind: .app, host: t.host, port: t.ports[0], task: t.task)
            XCTAssertEqual(mesos.endpointUp(e, now: model.sim.now), true)
        }
        XCTAssertEqual(mesos.endpointUp(MetricEndpoint(kind: .app, host: 0, port: 1, task: 999_999), now: model.sim.now), false)
        let up = marathon.metricEndpoints().map { marathon.endpointUp($0, now: model.sim.now) }
        XCTAssertFalse(up.isEmpty)
        XCTAssertTrue(up.allSatisfy { $0 == true })
        let leaderHost = try XCTUnwrap(marathon.leaderHost)
        let w = ExporterProbe.scrape([marathon], MetricEndpoint(kind: .marathon, host: leaderHost, port: 8080), model.sim.now).values
        XCTAssertEqual(w["service_mesosphere_marathon_task_running_count"], 3)
        XCTAssertEqual(w["marathon_app_tasksRunning{id=\"/web\"}"], 3)
    }
}
