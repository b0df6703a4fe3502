@testable import ClusterModel
import SimKernel
import XCTest

/// A stand-in for Consul: a catalog whose answers change at given times (publishing
/// `.catalogChanged` as Consul's servers do when they commit), or that cannot answer (nil).
final class FakeCatalog: Subsystem, ServiceCatalog, EventHandler {
    struct Change { var at: SimDuration; var service: Int; var instances: [ServiceInstance]?; var publish = true }

    let serviceNames: [String]
    var answers: [[ServiceInstance]?]
    let changes: [Change]
    unowned let model: ClusterSimulation
    var target: Int32 = -1
    var queries = 0

    init(model: ClusterSimulation, services: [String], initial: [[ServiceInstance]?], changes: [Change]) {
        self.model = model; serviceNames = services; answers = initial; self.changes = changes
    }

    static func entry(services: [String], initial: [[ServiceInstance]?], changes: [Change]) -> SubsystemEntry {
        SubsystemEntry(name: "fake-catalog", section: nil) { m in FakeCatalog(model: m, services: services, initial: initial, changes: changes) }
    }

    var name: String { "fake-catalog" }
    func register(in sim: Simulation) { target = sim.register(self) }
    func start() {
        for (i, c) in changes.enumerated() { _ = model.sim.schedule(at: SimTime.zero + c.at, target: target, kind: 0, arg: Int64(i)) }
    }
    func handle(_ event: Event, in sim: Simulation) {
        let c = changes[Int(event.arg)]
        answers[c.service] = c.instances
        if c.publish { model.signals.publish(.catalogChanged(service: c.service)) }
    }
    func healthIndex(service: Int) -> UInt64 { 0 }
    func health(service: Int, filter: ServiceHealthFilter, from host: Int) -> [ServiceInstance]? {
        queries += 1
        return answers[service]
    }
}

/// The canonical nginx template of hashicorp/consul-template examples/nginx.md (upstream with
/// least_conn, max_fails=3 fail_timeout=60, the 127.0.0.1:65535 placeholder), for service "web".
let canonicalTemplate = """
upstream app {
  least_conn;
  {{range service "web"}}server {{.Address}}:{{.Port}} max_fails=3 fail_timeout=60 weight=1;
  {{else}}server 127.0.0.1:65535; # force a 502{{end}}
}

server {
  listen 80 default_server;

  location / {
    proxy_pass http://app;
  }
}
"""

/// An edge host for nginx and `n` hosts for instances of "web" (host i+1, port 31000+i).
struct DiscoveryRig {
    var spec: ClusterSpec
    var instances: [ServiceInstance]

    init(instances n: Int = 3, template: String = canonicalTemplate, command: String = "nginx -s reload",
         wait: ConsulTemplateWait = .disabled, duration: SimDuration = .minutes(10), faults: [FaultSpec] = []) {
        let g = { (name: String, count: Int) in
            HostGroupSpec(name: name, count: count, datacenter: "dc1", racks: ["r1"], cpus: 8, memoryBytes: 1 << 34, diskBytes: 1 << 40, nicBitsPerSecond: 10_000_000_000)
        }
        spec = ClusterSpec(name: "t", duration: duration, hostGroups: [g("edge", 1), g("slave", max(n, 1))], faults: faults)
        spec.nginx = NginxSpec(hosts: ["edge-01"])
        var ct = ConsulTemplateSpec()
        ct.wait = wait
        ct.templates = [TemplateStanza(name: "contents", text: template, parsed: try! TemplateParser.parse(template),
                                       destination: "/etc/nginx/conf.d/app.conf", command: command)]
        spec.consulTemplate = ct
        instances = (0..<n).map { ServiceInstance(task: 100 + $0, host: 1 + $0, port: 31000 + $0) }
    }

    /// Runs with the fake catalog (service "web" only); returns the model and its event log.
    func run(initial: [ServiceInstance]?, changes: [FakeCatalog.Change], services: [String] = ["web"],
             others: [[ServiceInstance]?] = [], keepHistory: [SimTime]? = nil) -> (ClusterSimulation, [LoggedEvent]) {
        let obs = MemoryObserver()
        let model = ClusterSimulation(spec: spec, observer: obs,
                                      subsystems: [FakeCatalog.entry(services: services, initial: [initial] + others, changes: changes)] + ClusterSimulation.standardSubsystems)
        if let k = keepHistory { model.subsystem(NginxProxies.self)?.keepHistory(textsAt: k) }
        model.run()
        return (model, obs.events)
    }
}

extension Array where Element == LoggedEvent {
    func named(_ e: String) -> [LoggedEvent] { filter { $0.event == e } }
}

func seconds(_ t: SimTime) -> Double { t.seconds }
