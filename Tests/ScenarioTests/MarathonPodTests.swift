@testable import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// A pod as GET /v2/groups exports it in a group's `pods` (a PodStatus whose `spec` is the pod,
/// types/podStatus.raml, pod.raml, podContainer.raml): an nginx front and a log shipper sharing the
/// host network, written for this test from the RAML.
let podStatusExport = """
{
  "id": "/shop/front",
  "spec": {
    "id": "/shop/front",
    "labels": {"team": "shop"},
    "version": "2018-03-01T09:00:00.000Z",
    "environment": {"LOG_LEVEL": "info"},
    "containers": [
      {
        "name": "nginx",
        "resources": {"cpus": 0.5, "mem": 256, "disk": 0},
        "image": {"kind": "DOCKER", "id": "nginx:1.13", "forcePull": false},
        "endpoints": [{"name": "http", "hostPort": 0, "protocol": ["tcp"]}, {"name": "admin", "hostPort": 31999}],
        "healthCheck": {"http": {"endpoint": "http", "path": "/health"}, "gracePeriodSeconds": 60, "intervalSeconds": 10,
                        "timeoutSeconds": 5, "maxConsecutiveFailures": 3, "delaySeconds": 5},
        "volumeMounts": [{"name": "logs", "mountPath": "/var/log/nginx"}]
      },
      {
        "name": "shipper",
        "resources": {"cpus": 0.25, "mem": 64},
        "image": {"kind": "DOCKER", "id": "fluent/fluent-bit:0.12"},
        "healthCheck": {"exec": {"command": {"shell": "pgrep fluent-bit"}}, "intervalSeconds": 30, "timeoutSeconds": 10,
                        "delaySeconds": 20, "maxConsecutiveFailures": 5, "gracePeriodSeconds": 120},
        "volumeMounts": [{"name": "logs", "mountPath": "/logs"}],
        "artifacts": [{"uri": "https://config.example.com/fluent-bit.conf"}]
      }
    ],
    "volumes": [{"name": "logs"}],
    "networks": [{"mode": "host"}],
    "scaling": {"kind": "fixed", "instances": 3},
    "scheduling": {
      "backoff": {"backoff": 2, "backoffFactor": 1.5, "maxLaunchDelay": 600},
      "upgrade": {"minimumHealthCapacity": 0.5, "maximumOverCapacity": 0},
      "placement": {"constraints": [{"fieldName": "hostname", "operator": "UNIQUE"}]},
      "killSelection": "OLDEST_FIRST",
      "unreachableStrategy": {"inactiveAfterSeconds": 60, "expungeAfterSeconds": 120}
    },
    "executorResources": {"cpus": 0.2, "mem": 64, "disk": 10}
  },
  "status": "STABLE",
  "statusSince": "2018-03-01T09:05:00.000Z",
  "instances": [],
  "terminationHistory": [],
  "lastUpdated": "2018-03-01T09:05:00.000Z",
  "lastChanged": "2018-03-01T09:05:00.000Z"
}
"""

final class MarathonPodTests: XCTestCase {
    /// A group export with an app and a pod.
    static func group(pod: String, version: String = "1.6") -> String {
        marathonScenario(#"{"version": "\#(version)", "groups": [{"id": "/shop", "apps": [{"id": "/shop/api", "cmd": "api", "instances": 1}], "pods": [\#(pod)]}]}"#)
    }

    /// A minimal pod with the given extra fields and containers.
    static func pod(_ containers: String = #"[{"name": "a", "resources": {"cpus": 0.5, "mem": 128}}]"#, _ extra: String = "") -> String {
        #"{"id": "/shop/p", "containers": \#(containers)\#(extra.isEmpty ? "" : ", " + extra)}"#
    }

    // MARK: loading

    func testGroupExportPodLoadsAsARunSpec() throws {
        let text = Self.group(pod: podStatusExport)
        let loaded = try XCTUnwrap(loadOK(text))
        let m = try XCTUnwrap(loaded.spec.marathon)
        XCTAssertEqual(m.apps.map(\.id), ["/shop/api", "/shop/front"])
        let p = try XCTUnwrap(m.app("/shop/front"))
        let pod = try XCTUnwrap(p.pod)
        XCTAssertTrue(p.isPod)
        XCTAssertFalse(m.app("/shop/api")!.isPod)
        XCTAssertEqual(pod.containers.map(\.name), ["nginx", "shipper"])
        XCTAssertEqual(pod.containers.map(\.image), ["nginx:1.13", "fluent/fluent-bit:0.12"])
        XCTAssertEqual(pod.executor, PodInfo.ExecutorResources(cpus: 0.2, mem: 64, disk: 10))
        // resources: the containers' sum plus the executor's
        XCTAssertEqual(p.cpus, 0.95, accuracy: 1e-9)
        XCTAssertEqual(p.mem, 384, accuracy: 1e-9)
        XCTAssertEqual(p.disk, 10, accuracy: 1e-9)
        XCTAssertEqual(p.instances, 3)
        XCTAssertEqual(p.networkMode, .host)
        // no service ports (nothing for marathon-lb); the endpoints are the host ports asked of an offer
        XCTAssertEqual(p.ports, [])
        XCTAssertEqual(p.launchPorts.map(\.name), ["http", "admin"])
        XCTAssertEqual(p.launchPorts.map(\.hostPort), [0, 31999])
        XCTAssertEqual(p.hostPortCount, 2)
        XCTAssertEqual(p.fixedHostPorts, [31999])
        // scheduling
        XCTAssertEqual(p.backoff, BackoffStrategy(backoff: .seconds(2), factor: 1.5, maxLaunchDelay: .seconds(600)))
        XCTAssertEqual(p.upgradeStrategy, UpgradeStrategy(minimumHealthCapacity: 0.5, maximumOverCapacity: 0))
        XCTAssertEqual(p.constraints.count, 1)
        XCTAssertEqual(p.killSelection, .oldestFirst)
        XCTAssertEqual(p.unreachableStrategy, .enabled(inactiveAfter: .seconds(60), expungeAfter: .seconds(120)))
        // health: the containers' checks as one (first to pass, first to fail)
        XCTAssertEqual(pod.containers.map { $0.healthCheck?.protocol }, [.mesosHTTP, .command])
        XCTAssertEqual(p.healthChecks.count, 1)
        let hc = try XCTUnwrap(p.mesosHealthCheck)
        XCTAssertEqual(hc.delay, .seconds(5))
        XCTAssertEqual(hc.interval, .seconds(10))
        XCTAssertEqual(hc.timeout, .seconds(5))
        XCTAssertEqual(hc.gracePeriod, .seconds(60))
        XCTAssertEqual(hc.consecutiveFailures, 3)
        // not modelled: listed once; the group no longer says its pods are not modelled
        let notModelled = loaded.warnings.filter { $0.contains("marathon.groups[0].pods[0].spec: fields accepted but not modelled") }
        XCTAssertEqual(notModelled.count, 1, "\(loaded.warnings)")
        for f in ["containers.volumeMounts", "containers.artifacts", "version", "environment", "volumes", "labels"] {
            XCTAssertTrue(notModelled[0].contains(f), "\(f) in \(notModelled[0])")
        }
        XCTAssertEqual(notModelled[0].components(separatedBy: "containers.volumeMounts").count, 2, "once, not per container: \(notModelled[0])")
        XCTAssertFalse(loaded.warnings.contains { $0.contains("not modelled: pods") }, "\(loaded.warnings)")
        // a behaviour block may name the pod
        XCTAssertNotNil(loadOK(text.replacingOccurrences(of: #""groups": ["#, with: #""behaviour": {"/shop/front": {"startupTime": "20s"}}, "groups": ["#)))
    }

    func testStandalonePodInTheAppsListAndDefaults() throws {
        let m = try XCTUnwrap(loadOK(marathonScenario(#"{"apps": [{"id": "/solo", "containers": [{"name": "a", "resources": {"cpus": 0.5, "mem": 100}, "endpoints": [{"name": "web"}]}], "bogus": 1}]}"#)))
        let p = try XCTUnwrap(m.spec.marathon?.app("/solo"))
        XCTAssertTrue(p.isPod)
        XCTAssertEqual(p.instances, 1)
        XCTAssertEqual(p.cpus, 0.6, accuracy: 1e-9)       // executor 0.1 by default
        XCTAssertEqual(p.mem, 132, accuracy: 1e-9)        // executor 32
        XCTAssertEqual(p.disk, 10, accuracy: 1e-9)        // executor 10
        XCTAssertEqual(p.launchPorts.map(\.hostPort), [0])  // host networking: hostPort 0 (PodNormalization)
        XCTAssertEqual(p.backoff, BackoffStrategy(version: .baseline))
        XCTAssertEqual(p.healthChecks, [])
        XCTAssertTrue(m.warnings.contains { $0.contains("marathon.apps[0].bogus: unknown field \"bogus\" ignored") }, "\(m.warnings)")
        // RAML enums are read in any case (Marathon's generated readers lower-case them)
        let anyCase = try XCTUnwrap(loadOK(marathonScenario(#"{"apps": [{"id": "/any", "networks": [{"mode": "HOST"}], "scaling": {"kind": "FIXED", "instances": 2}, "scheduling": {"killSelection": "oldest_first", "placement": {"constraints": [{"fieldName": "hostname", "operator": "unique"}]}}, "containers": [{"name": "a", "resources": {"cpus": 0.5, "mem": 100}, "image": {"kind": "docker", "id": "x:1"}}]}]}"#)))
        let ap = try XCTUnwrap(anyCase.spec.marathon?.app("/any"))
        XCTAssertEqual(ap.instances, 2)
        XCTAssertEqual(ap.killSelection, .oldestFirst)
        XCTAssertEqual(ap.constraints.map(\.operator), [.unique])
        XCTAssertEqual(ap.networkMode, .host)
        XCTAssertEqual(ap.image, "x:1")
        // ... but a value that is not one is refused (the DC/OS 1.9 docs' pod examples carry "YoungestFirst")
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/y", "scheduling": {"killSelection": "YoungestFirst"}, "containers": [{"name": "a", "resources": {}}]}]}"#),
                          path: "marathon.apps[0].scheduling.killSelection", ["unknown killSelection \"YoungestFirst\"", "case-insensitively"])
        // on a container network an endpoint without hostPort asks for no host port
        let c = try XCTUnwrap(loadOK(marathonScenario(#"{"apps": [{"id": "/c", "networks": [{"mode": "container", "name": "dcos"}], "containers": [{"name": "a", "resources": {"cpus": 0.5, "mem": 100}, "endpoints": [{"name": "web", "containerPort": 80}, {"name": "m", "containerPort": 81, "hostPort": 0}]}]}]}"#)))
        let cp = try XCTUnwrap(c.spec.marathon?.app("/c"))
        XCTAssertEqual(cp.networkMode, .container(name: "dcos"))
        XCTAssertEqual(cp.launchPorts.map(\.hostPort), [nil, 0])
        XCTAssertEqual(cp.hostPortCount, 1)
    }

    // MARK: Marathon's refusals

    func testMarathonsRefusals() {
        let p = "marathon.groups[0].pods[0]"
        assertSingleError(Self.group(pod: #"{"id": "/shop/p"}"#), path: p, ["missing required key \"containers\""])
        assertSingleError(Self.group(pod: Self.pod("[]")), path: p + ".containers", ["at least one container", "must not be empty"])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}}, {"name": "a", "resources": {}}]"#)),
                          path: p + ".containers[1].name", ["container name \"a\"", "container names must be unique"])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "Web_1", "resources": {}}]"#)), path: p + ".containers[0].name", ["not a valid name", "strings.Name"])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a"}]"#)), path: p + ".containers[0].resources", ["missing required key \"resources\""])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {"cpus": 0}}]"#)), path: p + ".containers[0].resources.cpus", [">= 0.001"])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {"mem": 1e13}}]"#)), path: p + ".containers[0].resources.mem", ["more than the simulator can represent"])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}}]"#, #""executorResources": {"mem": 16}"#)),
                          path: p + ".executorResources.mem", [">= 32", "ExecutorResources"])
        assertSingleError(Self.group(pod: #"{"id": "shop/p", "containers": [{"name": "a", "resources": {}}]}"#), path: p + ".id", ["relative", "Path needs to be absolute"])
        assertSingleError(Self.group(pod: #"{"id": "/other/p", "containers": [{"name": "a", "resources": {}}]}"#), path: p + ".id", ["not a child of its group /shop"])
        // endpoints
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}, "endpoints": [{"name": "http"}]}, {"name": "b", "resources": {}, "endpoints": [{"name": "http"}]}]"#)),
                          path: p + ".containers[1].endpoints[0].name", ["endpoint name \"http\"", "endpoint names nust be unique across all containers"])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}, "endpoints": [{"name": "x", "hostPort": 8080}]}, {"name": "b", "resources": {}, "endpoints": [{"name": "y", "hostPort": 8080}]}]"#)),
                          path: p + ".containers[1].endpoints[0].hostPort", ["host port 8080", "host ports must be unique across all containers"])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}, "endpoints": [{"name": "x", "containerPort": 80}]}]"#)),
                          path: p + ".containers[0].endpoints[0].containerPort", ["not allowed when using host-mode networking"])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}, "endpoints": [{"name": "x"}]}]"#, #""networks": [{"mode": "container", "name": "n"}]"#)),
                          path: p + ".containers[0].endpoints[0]", ["containerPort is required when using container-mode networking"])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}, "endpoints": [{"name": "x", "hostPort": 70000}]}]"#)),
                          path: p + ".containers[0].endpoints[0].hostPort", ["65535"])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}}]"#, #""networks": [{"mode": "host"}, {"mode": "container", "name": "n"}]"#)),
                          path: p + ".networks", ["single host network"])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}, "endpoints": [{"name": "x", "containerPort": 80, "networkNames": ["dcso"]}]}]"#, #""networks": [{"mode": "container", "name": "dcos"}]"#)),
                          path: p + ".containers[0].endpoints[0].networkNames[0]", ["not one of the pod's container networks: \"dcos\""])
        // volumes
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}, "volumeMounts": [{"name": "logs", "mountPath": "/l"}, {"name": "lgs", "mountPath": "/m"}]}]"#, #""volumes": [{"name": "logs"}]"#)),
                          path: p + ".containers[0].volumeMounts[1].name", ["Referenced Volume in VolumeMount should exist"])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}, "volumeMounts": [{"name": "logs", "mountPath": "/l"}]}]"#, #""volumes": [{"name": "logs"}, {"name": "tmp"}]"#)),
                          path: p + ".volumes[1]", ["volume must be referenced by at least one container"])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}, "volumeMounts": [{"name": "logs", "mountPath": "/l"}]}]"#, #""volumes": [{"name": "logs"}, {"name": "logs"}]"#)),
                          path: p + ".volumes[1].name", ["volume names must be unique"])
        // health checks
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}, "endpoints": [{"name": "x"}], "healthCheck": {"http": {"endpoint": "x"}, "tcp": {"endpoint": "x"}}}]"#)),
                          path: p + ".containers[0].healthCheck", ["Only one of http, tcp, or command may be specified"])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}, "endpoints": [{"name": "admin"}], "healthCheck": {"tcp": {"endpoint": "admn"}}}]"#)),
                          path: p + ".containers[0].healthCheck.tcp.endpoint", ["contained in the container endpoints", "did you mean \"admin\""])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}, "healthCheck": {"exec": {"command": {"shell": "true"}}, "intervalSeconds": 10, "timeoutSeconds": 10}}]"#)),
                          path: p + ".containers[0].healthCheck.timeoutSeconds", ["must be less than intervalSeconds"])
        // scaling and scheduling
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}}]"#, #""scaling": {"kind": "auto", "instances": 2}"#)),
                          path: p + ".scaling.kind", ["fixed"])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}}]"#, #""scaling": {"kind": "fixed", "instances": -1}"#)),
                          path: p + ".scaling.instances", ["from 0"])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}}]"#, #""scheduling": {"upgrade": {"minimumHealthCapacity": 1.5}}"#)),
                          path: p + ".scheduling.upgrade.minimumHealthCapacity", ["1"])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}}]"#, #""scheduling": {"placement": {"constraints": [{"fieldName": "hostname", "operator": "UNIQ"}]}}"#)),
                          path: p + ".scheduling.placement.constraints[0].operator", ["unknown constraint operator", "did you mean \"UNIQUE\""])
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {}}]"#, #""scheduling": {"placement": {"constraints": [["hostname", "UNIQUE"]]}}"#)),
                          path: p + ".scheduling.placement.constraints[0]", ["a pod's constraint is an object"])
        // an app and a pod with one id
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/x", "cmd": "x"}, {"id": "/x", "containers": [{"name": "a", "resources": {}}]}]}"#),
                          path: "marathon.apps[1].id", ["duplicate app id /x"])
        // a pod bigger than every agent (the sum with the executor's)
        assertSingleError(Self.group(pod: Self.pod(#"[{"name": "a", "resources": {"cpus": 8}}, {"name": "b", "resources": {"cpus": 8}}]"#)),
                          path: p, ["can never be placed", "cpus 16.1"])
    }

    // MARK: running

    /// Agents: two of 1 cpu (each container fits, the pod's sum does not) and two of 4 cpus.
    static func runScenario(pod: String, behaviour: String = "", duration: String = "30m") -> String {
        """
        {"name": "pods", "seed": 7, "duration": "\(duration)",
         "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                        {"name": "small", "count": 2, "cpus": 1, "memory": "8GiB", "disk": "100GB"},
                        {"name": "big", "count": 2, "cpus": 4, "memory": "16GiB", "disk": "200GB"}],
         "mesos": {"masters": {"count": 1, "hostGroup": "master"}, "agents": {"hostGroups": ["small", "big"]}},
         "marathon": {"groups": [{"id": "/shop", "pods": [\(pod)]}],
                      "behaviour": {"default": {"startupTime": "5s", "image": {"size": "50MB"}}\(behaviour)}}}
        """
    }

    static let webCheck = #"{"http": {"endpoint": "http", "path": "/health"}, "gracePeriodSeconds": 30, "intervalSeconds": 10, "timeoutSeconds": 2, "delaySeconds": 1}"#

    /// A 2-container pod of 3 instances (0.5 + 0.5 cpus); `check`: the web container's healthCheck.
    static func twoContainers(check: String? = webCheck, extra: String = "") -> String {
        """
        {"id": "/shop/front", "scaling": {"kind": "fixed", "instances": 3},\(extra)
         "containers": [{"name": "web", "resources": {"cpus": 0.5, "mem": 256}, "endpoints": [{"name": "http", "hostPort": 0}]\(check.map { ", \"healthCheck\": " + $0 } ?? "")},
                        {"name": "sidecar", "resources": {"cpus": 0.5, "mem": 128}}]}
        """
    }

    func run(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> (ClusterSimulation, MemoryObserver) {
        try runToEnd(text, file: file, line: line)
    }

    func testTwoContainerPodPlacedWithTheSumAndTheExecutorsResources() throws {
        // one instance per agent: the two 4-cpu agents take one each; the third waits, as
        // 0.5 + 0.5 + 0.1 = 1.1 cpus fit no 1-cpu agent, though each container alone fits one
        let unique = #" "scheduling": {"placement": {"constraints": [{"fieldName": "hostname", "operator": "UNIQUE"}]}},"#
        let (m, o) = try run(Self.runScenario(pod: Self.twoContainers(extra: unique)))
        let marathon = try XCTUnwrap(m.marathon)
        let a = marathon.apps[marathon.appIndex["/shop/front"]!]
        let running = a.instances.filter { $0.state == .running }
        XCTAssertEqual(running.count, 2)
        XCTAssertEqual(a.toLaunch, 1)
        XCTAssertTrue(o.events.contains { $0.event == "waitingForOffers" && $0.subject == "/shop/front" })
        let hosts = m.infrastructure.hosts
        XCTAssertEqual(Set(a.instances.map { hosts[$0.host].name }), ["big-01", "big-02"])
        // each task holds the sum: cpus 1.1, mem 416, disk 10, one host port
        let mesos = try XCTUnwrap(m.mesos)
        for i in running {
            let t = try XCTUnwrap(mesos.task(i.task))
            XCTAssertEqual(t.resources.cpus, Scalar(1.1))
            XCTAssertEqual(t.resources.memMB, Scalar(416))
            XCTAssertEqual(t.resources.diskMB, Scalar(10))
            XCTAssertEqual(t.resources.ports.count, 1)
        }
        // the instances are healthy (the web container's check)
        XCTAssertTrue(running.allSatisfy { $0.mesosHealthy == true })
        XCTAssertEqual(running.filter { $0.isHealthy(a.definition) }.count, 2)
        // without the constraint the three run on the 4-cpu agents and the deployment finishes
        let (m3, o3) = try run(Self.runScenario(pod: Self.twoContainers()))
        let a3 = m3.marathon!.apps[m3.marathon!.appIndex["/shop/front"]!]
        XCTAssertEqual(a3.instances.filter { $0.state == .running && $0.isHealthy(a3.definition) }.count, 3)
        for i in a3.instances { XCTAssertTrue(m3.infrastructure.hosts[i.host].name.hasPrefix("big"), m3.infrastructure.hosts[i.host].name) }
        XCTAssertEqual(o3.events.filter { $0.event == "deploymentFinished" }.count, 1)
    }

    func testAFailedContainerReplacesTheWholeInstance() throws {
        // the pod's processes crash (a container fails: the default executor kills the task group)
        let (m, o) = try run(Self.runScenario(pod: Self.twoContainers(), behaviour: #", "/shop/front": {"timeToCrash": {"constant": "10m"}}"#, duration: "15m"))
        let marathon = try XCTUnwrap(m.marathon)
        let a = marathon.apps[marathon.appIndex["/shop/front"]!]
        let failed = o.events.filter { $0.event == "TASK_FAILED" && $0.subject.hasPrefix("shop_front.") }
        XCTAssertEqual(failed.count, 3, "\(failed.map(\.subject))")
        // every failed instance is gone and replaced by a new one, with the pod's whole resources
        XCTAssertEqual(a.launchedTotal, 6)
        let running = a.instances.filter { $0.state == .running }
        XCTAssertEqual(running.count, 3)
        let mesos = try XCTUnwrap(m.mesos)
        for i in running {
            XCTAssertFalse(failed.contains { $0.subject == i.name })
            XCTAssertEqual(try XCTUnwrap(mesos.task(i.task)).resources.cpus, Scalar(1.1))
        }
    }

    func testHealthComesFromTheContainersChecks() throws {
        // every container answers with failures: the checked container makes the instance unhealthy,
        // the default executor kills it after the check's failures, Marathon replaces it
        let (m, o) = try run(Self.runScenario(pod: Self.twoContainers(), behaviour: #", "/shop/front": {"health": "unhealthy"}"#, duration: "10m"))
        let marathon = try XCTUnwrap(m.marathon)
        let a = marathon.apps[marathon.appIndex["/shop/front"]!]
        XCTAssertEqual(a.instances.filter { $0.isHealthy(a.definition) }.count, 0)
        XCTAssertFalse(o.events.contains { $0.event == "healthStatusChanged" && $0.detail.hasPrefix("healthy") })
        XCTAssertTrue(o.events.filter { $0.event == "deploymentFinished" }.isEmpty)
        XCTAssertFalse(o.events.filter { $0.event == "healthCheckKill" }.isEmpty)
        XCTAssertGreaterThan(a.launchedTotal, 3)
        // without a checked container the same behaviour leaves the instances healthy (no check runs)
        let (m2, o2) = try run(Self.runScenario(pod: Self.twoContainers(check: nil), behaviour: #", "/shop/front": {"health": "unhealthy"}"#, duration: "10m"))
        let a2 = m2.marathon!.apps[m2.marathon!.appIndex["/shop/front"]!]
        XCTAssertEqual(a2.instances.filter { $0.isHealthy(a2.definition) }.count, 3)
        XCTAssertEqual(o2.events.filter { $0.event == "deploymentFinished" }.count, 1)
        XCTAssertEqual(a2.launchedTotal, 3)
    }

    /// A deploy action on a pod is a new pod version (PUT /v2/pods/{id}), rolled out by the same
    /// deployment plan as an app's; a scale action sets `scaling.instances`.
    func testDeployAndScaleActionsOnAPod() throws {
        let actions = #", "actions": [{"at": "5m", "kind": "deploy", "app": "/shop/front", "changes": {"containers": [{"name": "web", "resources": {"cpus": 1, "mem": 256}}]}}, {"at": "10m", "kind": "scale", "app": "/shop/front", "instances": 2}, {"at": "15m", "kind": "deploy", "app": "/shop/front", "changes": {"executorResources": {"cpus": 0.5}}}]}"#
        var text = Self.runScenario(pod: Self.twoContainers())
        text.removeLast()   // the closing brace of the scenario
        let loaded = try XCTUnwrap(loadOK(text + actions))
        XCTAssertEqual(loaded.spec.actions.count, 3)
        guard case .deploy(let v2, _) = loaded.spec.actions[0].kind else { return XCTFail("\(loaded.spec.actions[0])") }
        XCTAssertTrue(v2.isPod)
        XCTAssertEqual(v2.pod?.containers.map(\.name), ["web"])
        XCTAssertEqual(v2.cpus, 1.1, accuracy: 1e-9)
        XCTAssertEqual(v2.instances, 3)
        // the third action starts from the scaled pod: 2 instances, executor 0.5
        guard case .deploy(let v3, _) = loaded.spec.actions[2].kind else { return XCTFail("\(loaded.spec.actions[2])") }
        XCTAssertEqual(v3.instances, 2)
        XCTAssertEqual(v3.cpus, 1.5, accuracy: 1e-9)
        XCTAssertFalse(loaded.warnings.contains { $0.contains("actions") }, "\(loaded.warnings)")
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: loaded.spec, observer: o)
        m.run()
        let marathon = try XCTUnwrap(m.marathon)
        let a = marathon.apps[try XCTUnwrap(marathon.appIndex["/shop/front"])]
        let running = a.instances.filter { $0.state == .running }
        XCTAssertEqual(running.count, 2)
        for i in running { XCTAssertEqual(try XCTUnwrap(m.mesos?.task(i.task)).resources.cpus, Scalar(1.5)) }
        XCTAssertEqual(o.events.filter { $0.event == "deploymentFinished" }.count, 4)   // the first, two deploys, the scale
    }

    /// The combined check of containers: the first to pass (earliest delay) makes the instance
    /// healthy, the first to fail (shortest interval, timeout, grace, fewest failures) unhealthy.
    func testCombinedHealthCheckTakesTheEarliestOfEach() {
        let a = HealthCheck(protocol: .mesosHTTP, gracePeriod: .seconds(60), interval: .seconds(30), timeout: .seconds(5), maxConsecutiveFailures: 5, delay: .seconds(20))
        let b = HealthCheck(protocol: .command, gracePeriod: .seconds(120), interval: .seconds(10), timeout: .seconds(8), maxConsecutiveFailures: 2, delay: .seconds(40))
        let pod = PodInfo(containers: [PodInfo.Container(name: "x", healthCheck: a), PodInfo.Container(name: "y"), PodInfo.Container(name: "z", healthCheck: b)])
        let c = pod.combinedHealthCheck
        XCTAssertEqual(c?.delay, .seconds(20))
        XCTAssertEqual(c?.interval, .seconds(10))
        XCTAssertEqual(c?.timeout, .seconds(5))
        XCTAssertEqual(c?.gracePeriod, .seconds(60))
        XCTAssertEqual(c?.maxConsecutiveFailures, 2)
        XCTAssertNil(PodInfo(containers: [PodInfo.Container(name: "x")]).combinedHealthCheck)
    }

    /// registrator registers Docker containers: with `registerAll` a pod is not in Consul's catalog.
    func testRegistratorDoesNotSeePods() throws {
        let text = Self.runScenario(pod: Self.twoContainers(), duration: "5m")
            .replacingOccurrences(of: #""marathon": {"groups""#, with: #""consul": {"servers": 3, "hostGroup": "master"}, "marathon": {"apps": [{"id": "/api", "cmd": "api", "cpus": 0.5, "mem": 64}], "groups""#)
            .replacingOccurrences(of: #"{"name": "master", "count": 1"#, with: #"{"name": "master", "count": 3"#)
        let (m, o) = try run(text)
        _ = m
        XCTAssertTrue(o.events.contains { $0.event == "consulServiceRegistered" && $0.detail == "api" }, "\(o.events.filter { $0.event.hasPrefix("consul") }.prefix(5))")
        XCTAssertFalse(o.events.contains { $0.event == "consulServiceRegistered" && $0.detail.contains("front") })
        // Prometheus' marathon_sd reads /v2/apps: the pod's instances are not targets
        let marathon = try XCTUnwrap(m.marathon)
        XCTAssertEqual(marathon.apps[try XCTUnwrap(marathon.appIndex["/shop/front"])].instances.filter { $0.state == .running }.count, 3)
        XCTAssertEqual(Set(marathon.marathonSDTasks().map(\.appId)), ["/api"])
    }

    /// marathon-lb reads /v2/apps: a pod's run spec has no service ports, so no group serves it,
    /// not even `*` (which serves every app with ports).
    func testMarathonLBDoesNotServePods() throws {
        let pod = try XCTUnwrap(loadOK(Self.runScenario(pod: Self.twoContainers()))?.spec.marathon?.app("/shop/front"))
        XCTAssertFalse(MarathonLBConfig.serves(pod, group: "*", strictMode: false))
        var asApp = pod
        asApp.pod = nil
        asApp.ports = pod.launchPorts
        XCTAssertTrue(MarathonLBConfig.serves(asApp, group: "*", strictMode: false))
    }
}
