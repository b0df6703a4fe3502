@testable import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// marathon-lb's per-app cache (MarathonLBCache.swift): the file it assembles is, at every
/// instant of a run with scaling, a relabelling deploy, kills and a host crash, the file
/// generated afresh from Marathon's apps and tasks; and it rebuilds only the apps that changed.
final class MarathonLBCacheTests: XCTestCase {
    /// The file generated from scratch, as marathon_lb.py does on every event.
    func fresh(_ lb: MarathonLB, _ i: Int) -> String {
        var apps: [(index: Int, app: AppDefinition, tasks: [MarathonLBTask])] = []
        for a in lb.marathon.apps {
            let def = a.definition
            let tasks: [MarathonLBTask] = a.instances.compactMap { inst in
                guard MarathonLBCache.lists(inst, checks: def.healthChecks, healthCheck: lb.spec.flags.healthCheck, release: lb.spec.version),
                      let ports = lb.marathon.mesos.task(inst.task)?.resources.ports.lowest(def.ports.count) else { return nil }
                return MarathonLBTask(task: inst.task, host: inst.host, ports: ports)
            }
            apps.append((a.index, def, tasks))
        }
        let infra = lb.model.infrastructure
        return MarathonLBConfig.generate(group: lb.instances[i].group, strictMode: lb.spec.flags.strictMode, apps: apps,
                                         release: lb.spec.version, hostName: { infra.hosts[$0].name }).text
    }

    func testCachedFileIsTheFreshOneAtEveryEventAndOnlyChangedAppsAreRebuilt() throws {
        let api = #"{"id": "/shop/api", "cmd": "api", "instances": 3, "cpus": 0.25, "mem": 256, "constraints": [["role", "UNLIKE", "lb"]], "portDefinitions": [{"port": 10090}, {"port": 10091}], "labels": {"HAPROXY_GROUP": "external", "HAPROXY_1_GROUP": "internal"}}"#
        var text = MarathonLBTests.scenario(
            lb: #"{"instances": [{"hosts": ["lb-01"], "group": "external"}, {"hosts": ["lb-02"], "group": "internal"}], "flags": {"--health-check": true}}"#,
            duration: "50m", faults: #"[{"at": "20m", "kind": "hostCrash", "host": "slave-02", "recoverAfter": "10m"}]"#)
        text = text.replacingOccurrences(of: #""apps": ["#, with: #""apps": [\#(api), "#)
        text = text.replacingOccurrences(of: #""actions": ["#, with: #""actions": [{"at": "8m", "kind": "deploy", "app": "/shop/api", "changes": {"labels": {"HAPROXY_GROUP": "internal", "HAPROXY_0_MODE": "http", "HAPROXY_0_VHOST": "api.example.com"}}}, {"at": "12m", "kind": "killTasks", "app": "/shop/web", "count": 1}, "#)
        let spec = try XCTUnwrap(loadOK(text)?.spec)
        let m = ClusterSimulation(spec: spec, observer: MemoryObserver())
        let lb = try XCTUnwrap(m.subsystem(MarathonLB.self))
        var checked = 0, texts = Set<String>()
        m.run {
            for i in lb.instances.indices {
                let cached = lb.configuration(for: i).text
                XCTAssertEqual(cached, self.fresh(lb, i), "instance \(i) at \(m.sim.now)")
                texts.insert(cached)
                checked += 1
            }
            return false
        }
        XCTAssertGreaterThan(checked, 1_000)
        XCTAssertGreaterThanOrEqual(texts.count, 8, "the files changed as tasks, labels and hosts did")
        XCTAssertTrue(texts.contains { $0.contains("api.example.com") }, "the deploy's new labels reached the file")
        for c in lb.caches {
            XCTAssertGreaterThan(c.unchanged, checked / 4, "most calls find no app changed and return the last file")
            XCTAssertLessThan(c.rebuilt, checked / 4, "an app is rebuilt only when its inputs changed")
        }
    }
}
