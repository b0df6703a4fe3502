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

    /// docs/metrics.md names every family each exporter kind serves.
    func testDocsNameEveryFamily() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/metrics.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        for kind in ExporterKind.allCases {
            for (f, _) in ExporterCatalog.families(for: kind) {
                XCTAssertTrue(text.contains("`\(f.name)`"),
                              "docs/metrics.md does not name \(f.name) (\(kind))")
            }
        }
    }

    /// node_network_*_bytes_total and the root cgroup's network counters follow the network
    /// model's flows: mid-flow they equal the bytes the flows delivered so far; at the end, each
    /// flow's size on its sender and its receiver.
    func testNetworkBytesFollowTheFlows() throws {
        var spec = ClusterSpec(name: "t", duration: .seconds(30), sampleInterval: .seconds(1), hostGroups: [
            HostGroupSpec(name: "h", count: 3, datacenter: "dc01", racks: ["r1"], cpus: 32, memoryBytes: 1 << 30, diskBytes: 1 << 30,
                          nicBitsPerSecond: 1_000_000_000)])
        spec.network = NetworkSpec(environment: .bareMetal, mode: .host)
        let probe = ExporterProbe(kinds: [.node, .cadvisor])
        var handles: [ClusterNetwork.FlowHandle] = []
        var midFlow = 0
        probe.onSample = { m, _ in
            let net = m.network!
            guard handles.count == 2, net.isActive(handles[0]) else { return }
            let cs = ExporterProbe.contributors(m)
            let rx = ExporterProbe.scrape(cs, MetricEndpoint(kind: .node, host: 2, port: 9100), m.sim.now).values
            let tx = ExporterProbe.scrape(cs, MetricEndpoint(kind: .cadvisor, host: 0, port: 8080), m.sim.now).values
            XCTAssertEqual(rx["node_network_receive_bytes_total{device=\"eth0\"}"] ?? -1,
                           net.transferred(handles[0]) + net.transferred(handles[1]) + (net.isActive(handles[1]) ? 0 : 50e6), accuracy: 1)
            XCTAssertEqual(tx["container_network_transmit_bytes_total{id=\"/\", interface=\"eth0\"}"] ?? -1, net.transferred(handles[0]), accuracy: 1)
            midFlow += 1
        }
        let m = ClusterSimulation(spec: spec, observer: probe)
        let net = try XCTUnwrap(m.network)
        handles.append(net.startFlow(from: NetworkEndpoint(host: 0), to: NetworkEndpoint(host: 2), bytes: 1e9))
        handles.append(net.startFlow(from: NetworkEndpoint(host: 1), to: NetworkEndpoint(host: 2), bytes: 50e6))
        m.run()
        XCTAssertGreaterThan(midFlow, 3)
        XCTAssertEqual(net.exporterBytes(host: 0, now: m.sim.now).tx, 1e9, accuracy: 1)
        XCTAssertEqual(net.exporterBytes(host: 1, now: m.sim.now).tx, 50e6, accuracy: 1)
        XCTAssertEqual(net.exporterBytes(host: 2, now: m.sim.now).rx, 1.05e9, accuracy: 1)
        XCTAssertEqual(net.exporterBytes(host: 2, now: m.sim.now).tx, 0)
    }

    /// consul_exporter reports what the servers hold: the service's checks go critical when its
    /// process hangs (health_service_status and catalog_service_node_healthy agree with the
    /// catalog's counts), the Raft figures, and consul_up 0 with nothing else when the servers
    /// cannot answer.
    func testConsulExporterReportsTheCatalog() throws {
        let g = { (n: String, c: Int) in MesosTestHelpersGroup.group(n, c, cpus: 8, mem: 32 << 30) }
        var spec = ClusterSpec(name: "t", seed: 3, duration: .minutes(15), sampleInterval: .minutes(1),
                               hostGroups: [g("master", 3), g("consul", 3), g("slave", 3)],
                               zookeeper: ZooKeeperSpec(servers: 3, hostGroup: "master"),
                               mesos: MesosSpec(masters: 3, masterHostGroup: "master", agentHostGroups: ["slave"]))
        spec.marathon = MarathonSpec(hostGroup: "master", apps: [AppDefinition(id: "/web", instances: 3, cpus: 0.01, mem: 16)],
                                     behaviour: [AppBehaviour(task: TaskBehaviour(startup: .constant(5),
                                                                                  health: .hangsAfter(.constant(300), responseTime: .constant(0.005))))])
        let http = ConsulCheckDefinition(kind: .http, name: "http", interval: .seconds(10), timeout: .seconds(2), failuresBeforeCritical: 3)
        spec.consul = ConsulSpec(servers: 3, hostGroup: "consul", services: [("/web", [ConsulServiceDefinition(name: "web", checks: [http])])])
        let probe = ExporterProbe(kinds: [.consul])
        var healthyAt: [SimTime: Int] = [:]
        probe.onSample = { m, t in healthyAt[t] = m.subsystem(ConsulCluster.self)!.serviceCounts().passing }
        let m = ClusterSimulation(spec: spec, observer: probe)
        m.run()
        let consul = try XCTUnwrap(m.subsystem(ConsulCluster.self))
        XCTAssertEqual(consul.metricEndpoints().count, 3)
        var sawHealthy = false
        for scrape in probe.scrapes {
            let v = scrape.values
            if v["consul_up"] == 0 {
                XCTAssertEqual(v.count, 1, "nothing but consul_up while the servers cannot answer (before the first election)")
                XCTAssertLessThan(scrape.time.seconds, 60)
                continue
            }
            XCTAssertEqual(v["consul_up"], 1)
            XCTAssertEqual(v["consul_raft_peers"], 3)
            XCTAssertEqual(v["consul_raft_leader"], 1)
            XCTAssertEqual(v["consul_serf_lan_members"], Double(consul.membersAlive + consul.membersSuspect + consul.membersFailed))
            let healthy = v.sum("consul_catalog_service_node_healthy")
            XCTAssertEqual(healthy, Double(healthyAt[scrape.time] ?? -1), "at \(scrape.time)")
            let passing = v.named("consul_health_service_status").filter { $0.key.contains("status=\"passing\"") }.values.reduce(0, +)
            XCTAssertEqual(passing, healthy, "one check per instance")
            if healthy == 3 { sawHealthy = true; XCTAssertEqual(v["consul_catalog_services"], 2, "web and consul") }
        }
        XCTAssertTrue(sawHealthy)
        XCTAssertEqual(consul.serviceCounts().critical, 3)
        let last = try XCTUnwrap(probe.scrapes.last).values
        XCTAssertEqual(last.named("consul_health_service_status").filter { $0.key.contains("status=\"critical\"") }.values.reduce(0, +), 3)
        XCTAssertEqual(last.named("consul_health_node_status").filter { $0.key.contains("status=\"passing\"") }.values.reduce(0, +),
                       Double(consul.membersAlive))
    }

    /// Tasks crashing now and then: the leading master's task_states_exit_total{state="failed"}
    /// counts the TASK_FAILED updates the master recorded, the agents' add up to the same, and
    /// neither ever decreases without a restart.
    func testExitCountersCountTheFailures() throws {
        let spec = ExporterSpecs.platform(agents: 3, instances: 3, duration: .minutes(30), timeToCrash: .exponential(mean: 120))
        let probe = ExporterProbe(kinds: [.mesosMaster, .mesosAgent])
        var failedAt: [SimTime: Int] = [:]
        probe.onSample = { _, t in failedAt[t] = probe.mesosStates["TASK_FAILED"] ?? 0 }
        ClusterSimulation(spec: spec, observer: probe).run()
        var last = 0.0
        for (t, n) in failedAt.sorted(by: { $0.key < $1.key }) {
            let scrapes = probe.scrapes.filter { $0.time == t }
            let master = scrapes.filter { $0.endpoint.kind == .mesosMaster }.map { $0.values["mesos_master_task_states_exit_total{state=\"failed\"}"] ?? 0 }
            XCTAssertEqual(master.max(), Double(n), "at \(t)")
            let agents = scrapes.filter { $0.endpoint.kind == .mesosAgent }.reduce(0) { $0 + ($1.values["mesos_slave_task_states_exit_total{state=\"failed\"}"] ?? 0) }
            XCTAssertEqual(agents, Double(n), "at \(t)")
            XCTAssertGreaterThanOrEqual(agents, last)
            last = agents
        }
        XCTAssertGreaterThan(last, 5, "tasks crashed")
    }
}
