import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// A scenario with two host groups (one with rack/disk attributes) and the given `marathon` section.
func marathonScenario(_ marathon: String) -> String {
    """
    {
      "name": "m",
      "duration": "1h",
      "hostGroups": [
        {"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
        {"name": "slave", "count": 10, "cpus": 16, "memory": "64GiB", "disk": "1TB", "racks": ["r1", "r2"],
         "attributes": {"disk": "ssd"}}
      ],
      "marathon": \(marathon)
    }
    """
}

/// A realistic Docker BRIDGE app as teams deployed them in 2017.
let bridgeApp = """
{
  "id": "/courseware/web",
  "instances": 8,
  "cpus": 0.5,
  "mem": 1024,
  "container": {
    "type": "DOCKER",
    "docker": {
      "image": "harbor.dc01.example.com/courseware/web:2017.06.1",
      "network": "BRIDGE",
      "portMappings": [
        {"containerPort": 8080, "hostPort": 0, "servicePort": 10080, "protocol": "tcp", "name": "http"},
        {"containerPort": 9090, "servicePort": 10081, "name": "admin"}
      ],
      "forcePullImage": true,
      "parameters": [{"key": "log-driver", "value": "json-file"}]
    },
    "volumes": [{"containerPath": "/var/log/web", "hostPath": "/data/logs/web", "mode": "RW"}]
  },
  "env": {"JAVA_OPTS": "-Xmx768m"},
  "labels": {"HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "courseware.example.com"},
  "healthChecks": [
    {"protocol": "HTTP", "path": "/health", "portIndex": 0, "gracePeriodSeconds": 120, "intervalSeconds": 30,
     "timeoutSeconds": 10, "maxConsecutiveFailures": 3}
  ],
  "readinessChecks": [{"name": "ready", "path": "/ready", "portName": "http"}],
  "upgradeStrategy": {"minimumHealthCapacity": 0.75, "maximumOverCapacity": 0.25},
  "constraints": [["hostname", "UNIQUE"], ["rack_id", "GROUP_BY", "2"]],
  "fetch": [{"uri": "https://example.com/config.tgz"}],
  "version": "2017-06-01T10:00:00.000Z",
  "ipAddress": null
}
"""

final class MarathonDecodingTests: XCTestCase {
    func spec(_ marathon: String, file: StaticString = #filePath, line: UInt = #line) -> MarathonSpec? {
        loadOK(marathonScenario(marathon), file: file, line: line)?.spec.marathon
    }

    /// Marathon 1.5+ reads apps through its RAML-generated readers, which take enum literals in any
    /// case (`"protocol": "http"`, `"type": "docker"`); 1.4's Play JSON formats refuse them.
    func testEnumLiteralsInAnyCaseFrom15() throws {
        let app = #"{"id": "/x", "cmd": "x", "killSelection": "oldest_first", "container": {"type": "docker", "docker": {"image": "x", "network": "bridge", "portMappings": [{"containerPort": 80, "name": "http"}]}}, "healthChecks": [{"protocol": "http", "ipProtocol": "ipv4"}], "readinessChecks": [{"name": "r", "protocol": "https", "portName": "http"}]}"#
        for v in ["1.5", "1.9"] {
            let m = try XCTUnwrap(spec(#"{"version": "\#(v)", "apps": [\#(app)]}"#), v)
            let a = try XCTUnwrap(m.app("/x"))
            XCTAssertEqual(a.container?.type, .docker, v)
            XCTAssertEqual(a.networkMode, .bridge, v)
            XCTAssertEqual(a.healthChecks.first?.protocol, .http, v)
            XCTAssertEqual(a.killSelection, .oldestFirst, v)
        }
        let net = #"{"id": "/y", "cmd": "y", "networks": [{"mode": "HOST"}]}"#
        XCTAssertNotNil(spec(#"{"version": "1.9", "apps": [\#(net)]}"#)?.app("/y"))
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/x", "cmd": "x", "healthChecks": [{"protocol": "http"}]}]}"#),
                          path: "marathon.apps[0].healthChecks[0].protocol", ["unknown health check protocol \"http\"", "did you mean \"HTTP\""])
        assertSingleError(marathonScenario(#"{"version": "1.9", "apps": [{"id": "/x", "cmd": "x", "healthChecks": [{"protocol": "htp"}]}]}"#),
                          path: "marathon.apps[0].healthChecks[0].protocol", ["unknown health check protocol \"htp\"", "in any case"])
    }

    // MARK: real-world apps

    func testDockerBridgeAppDecodesWithDefaults() throws {
        let m = try XCTUnwrap(spec(#"{"apps": [\#(bridgeApp)]}"#))
        XCTAssertEqual(m.version, MarathonVersion(1, 4, 0))
        let a = try XCTUnwrap(m.app("/courseware/web"))
        XCTAssertEqual(a.group, "/courseware")
        XCTAssertEqual(a.instances, 8); XCTAssertEqual(a.cpus, 0.5); XCTAssertEqual(a.mem, 1024); XCTAssertEqual(a.disk, 0); XCTAssertEqual(a.gpus, 0)
        XCTAssertEqual(a.container?.type, .docker)
        XCTAssertEqual(a.image, "harbor.dc01.example.com/courseware/web:2017.06.1")
        XCTAssertEqual(a.container?.forcePullImage, true)
        XCTAssertEqual(a.container?.parameters, [Label(name: "log-driver", value: "json-file")])
        XCTAssertEqual(a.networkMode, .bridge)
        // BRIDGE: a missing hostPort means 0 (any host port), as Marathon's normalization does
        XCTAssertEqual(a.ports, [AppPort(name: "http", protocol: "tcp", containerPort: 8080, hostPort: 0, servicePort: 10080),
                                 AppPort(name: "admin", protocol: "tcp", containerPort: 9090, hostPort: 0, servicePort: 10081)])
        XCTAssertEqual(a.hostPortCount, 2)
        XCTAssertEqual(a.label("HAPROXY_GROUP"), "external")
        XCTAssertEqual(a.envNames, ["JAVA_OPTS"])
        let hc = try XCTUnwrap(a.healthChecks.first)
        XCTAssertEqual(hc.protocol, .http); XCTAssertEqual(hc.path, "/health"); XCTAssertEqual(hc.portIndex, 0)
        XCTAssertEqual(hc.gracePeriod, .seconds(120)); XCTAssertEqual(hc.interval, .seconds(30)); XCTAssertEqual(hc.timeout, .seconds(10))
        XCTAssertEqual(hc.maxConsecutiveFailures, 3); XCTAssertEqual(hc.delay, .seconds(15))
        XCTAssertNil(a.mesosHealthCheck)
        XCTAssertEqual(a.readinessChecks, [ReadinessCheck(name: "ready", path: "/ready", portName: "http")])
        XCTAssertEqual(a.upgradeStrategy, UpgradeStrategy(minimumHealthCapacity: 0.75, maximumOverCapacity: 0.25))
        XCTAssertEqual(a.constraints.map(\.operator), [.unique, .groupBy])
        XCTAssertEqual(a.constraints[1].count, 2)
        XCTAssertEqual(a.constraints[1].field, .attribute("rack_id"))
        // 1.4 defaults
        XCTAssertEqual(a.backoff, BackoffStrategy(backoff: .seconds(1), factor: 1.15, maxLaunchDelay: .seconds(3600)))
        XCTAssertEqual(a.unreachableStrategy, .enabled(inactiveAfter: .seconds(300), expungeAfter: .seconds(600)))
        XCTAssertEqual(a.killSelection, .youngestFirst)
        XCTAssertNil(a.taskKillGracePeriod)
        XCTAssertEqual(m.groups.map(\.id), ["/", "/courseware"])
        XCTAssertEqual(m.groups[1].apps, ["/courseware/web"])
    }

    func testHostNetworkAppWithPortDefinitionsAndMesosHealthCheck() throws {
        let app = """
        {"id": "search/indexer", "cmd": "bin/indexer --port $PORT0", "cpus": 1.5, "mem": 3072, "requirePorts": true,
         "portDefinitions": [{"port": 8983, "name": "solr"}, {"port": 0, "protocol": "udp"}],
         "healthChecks": [{"protocol": "MESOS_HTTP", "path": "/solr/admin/ping", "intervalSeconds": 30}],
         "maxLaunchDelaySeconds": 600, "backoffSeconds": 5, "backoffFactor": 2, "killSelection": "OLDEST_FIRST",
         "taskKillGracePeriodSeconds": 30, "unreachableStrategy": {"inactiveAfterSeconds": 60, "expungeAfterSeconds": 120}}
        """
        let a = try XCTUnwrap(spec(#"{"version": "1.10", "apps": [\#(app)]}"#)?.app("/search/indexer"))
        XCTAssertEqual(a.networkMode, .host)
        // the port 0 gets service port 10000 (--local_port_min), which requirePorts makes a required host port
        // (RunSpecOfferMatcher@v1.4.0: requirePorts → app.portNumbers, the assigned ports)
        XCTAssertEqual(a.ports, [AppPort(name: "solr", hostPort: 8983, servicePort: 8983), AppPort(protocol: "udp", hostPort: 10000, servicePort: 10000)])
        XCTAssertEqual(a.fixedHostPorts, [8983, 10000])
        // portIndex defaults to 0 when the app has ports (Formats.addHealthCheckPortIndexIfNecessary)
        XCTAssertEqual(a.healthChecks.first?.portIndex, 0)
        XCTAssertEqual(a.mesosHealthCheck?.interval, .seconds(30))
        XCTAssertEqual(a.mesosHealthCheck?.delay, .seconds(15))
        XCTAssertEqual(a.mesosHealthCheck?.consecutiveFailures, 3)
        XCTAssertEqual(a.backoff, BackoffStrategy(backoff: .seconds(5), factor: 2, maxLaunchDelay: .seconds(600)))
        XCTAssertEqual(a.killSelection, .oldestFirst)
        XCTAssertEqual(a.taskKillGracePeriod, .seconds(30))
        XCTAssertEqual(a.unreachableStrategy, .enabled(inactiveAfter: .seconds(60), expungeAfter: .seconds(120)))
    }

    func testDefaultPortIsOnePortZeroForHostNetworking() throws {
        let a = try XCTUnwrap(spec(#"{"apps": [{"id": "/x", "cmd": "sleep 1000"}]}"#)?.app("/x"))
        // the default port's service port 0 is assigned by Marathon from --local_port_min (10000)
        XCTAssertEqual(a.ports, [AppPort(name: "default", hostPort: 0, servicePort: 10000)])
        XCTAssertEqual(a.instances, 1); XCTAssertEqual(a.cpus, 1); XCTAssertEqual(a.mem, 128)
        XCTAssertEqual(a.upgradeStrategy, .default)
        let none = try XCTUnwrap(spec(#"{"apps": [{"id": "/x", "cmd": "sleep 1000", "portDefinitions": []}]}"#)?.app("/x"))
        XCTAssertEqual(none.ports, [])
    }

    func testGroupWithDependenciesResolvesRelativeIds() throws {
        let group = """
        {"id": "/courseware", "dependencies": ["/platform"],
         "apps": [
           {"id": "web", "cmd": "web", "dependencies": ["api"]},
           {"id": "api", "cmd": "api", "dependencies": ["../platform/db"]}
         ],
         "groups": [{"id": "jobs", "apps": [{"id": "transcoder", "cmd": "t", "dependencies": ["../web"]}]}]}
        """
        let m = try XCTUnwrap(spec(#"{"apps": [{"id": "/platform/db", "cmd": "db"}, {"id": "/platform/cache", "cmd": "c"}], "groups": [\#(group)]}"#))
        XCTAssertEqual(m.apps.map(\.id), ["/platform/db", "/platform/cache", "/courseware/web", "/courseware/api", "/courseware/jobs/transcoder"])
        XCTAssertEqual(m.app("/courseware/web")?.dependencies, ["/courseware/api"])
        XCTAssertEqual(m.app("/courseware/api")?.dependencies, ["/platform/db"])
        XCTAssertEqual(m.app("/courseware/jobs/transcoder")?.dependencies, ["/courseware/web"])
        // group dependency /platform expands to its apps and is inherited by every app inside /courseware
        XCTAssertEqual(m.app("/courseware/web")?.effectiveDependencies, ["/courseware/api", "/platform/cache", "/platform/db"])
        XCTAssertEqual(m.app("/courseware/jobs/transcoder")?.effectiveDependencies, ["/courseware/web", "/platform/cache", "/platform/db"])
        XCTAssertEqual(m.app("/platform/db")?.effectiveDependencies, [])
        let cw = try XCTUnwrap(m.groups.first { $0.id == "/courseware" })
        XCTAssertEqual(cw.apps, ["/courseware/web", "/courseware/api"]); XCTAssertEqual(cw.groups, ["/courseware/jobs"])
        XCTAssertEqual(cw.dependencies, ["/platform"])
    }

    func testGroupGivenInAppsListIsAGroup() throws {
        let m = try XCTUnwrap(spec(#"{"apps": [{"id": "/g", "apps": [{"id": "a", "cmd": "x"}]}]}"#))
        XCTAssertEqual(m.apps.map(\.id), ["/g/a"])
    }

    // MARK: versions

    func testVersionDependentDefaults() throws {
        func app(_ v: String) throws -> AppDefinition {
            try XCTUnwrap(spec(#"{"version": "\#(v)", "apps": [{"id": "/x", "cmd": "x"}]}"#)?.apps.first)
        }
        XCTAssertEqual(try app("1.4").backoff.maxLaunchDelay, .seconds(3600))
        XCTAssertEqual(try app("1.7.216").backoff.maxLaunchDelay, .seconds(3600))
        XCTAssertEqual(try app("1.8").backoff.maxLaunchDelay, .seconds(300))
        XCTAssertEqual(try app("1.10").backoff.maxLaunchDelay, .seconds(300))
        XCTAssertEqual(try app("1.4.8").unreachableStrategy, .enabled(inactiveAfter: .seconds(300), expungeAfter: .seconds(600)))
        XCTAssertEqual(try app("1.4.9").unreachableStrategy, .enabled(inactiveAfter: .zero, expungeAfter: .zero))
        XCTAssertEqual(try app("1.5.0").unreachableStrategy, .enabled(inactiveAfter: .seconds(300), expungeAfter: .seconds(600)))
        XCTAssertEqual(try app("1.5.1").unreachableStrategy, .enabled(inactiveAfter: .zero, expungeAfter: .zero))
        XCTAssertEqual(try app("1.10").unreachableStrategy, .enabled(inactiveAfter: .zero, expungeAfter: .zero))
        // missing fields of an unreachableStrategy object take the version's defaults
        let partial = try XCTUnwrap(spec(#"{"apps": [{"id": "/x", "cmd": "x", "unreachableStrategy": {"inactiveAfterSeconds": 100}}]}"#)?.apps.first)
        XCTAssertEqual(partial.unreachableStrategy, .enabled(inactiveAfter: .seconds(100), expungeAfter: .seconds(600)))
        let disabled = try XCTUnwrap(spec(#"{"version": "1.5.1", "apps": [{"id": "/x", "cmd": "x", "unreachableStrategy": "disabled"}]}"#)?.apps.first)
        XCTAssertEqual(disabled.unreachableStrategy, .disabled)
    }

    func testResidentAppDefaults() throws {
        let app = #"{"id": "/db", "cmd": "db", "container": {"type": "MESOS", "volumes": [{"containerPath": "data", "mode": "RW", "persistent": {"size": 1024}}]}}"#
        let a = try XCTUnwrap(spec(#"{"version": "1.5.1", "apps": [\#(app)]}"#)?.apps.first)
        XCTAssertTrue(a.isResident)
        XCTAssertEqual(a.upgradeStrategy, UpgradeStrategy(minimumHealthCapacity: 0.5, maximumOverCapacity: 0))
        XCTAssertEqual(a.unreachableStrategy, .disabled)
    }

    func testFlagsDefaultPerVersionAndOverride() throws {
        let m14 = try XCTUnwrap(spec(#"{"apps": []}"#))
        XCTAssertEqual(m14.flags.offerMatchingTimeout, .milliseconds(1000))
        XCTAssertEqual(m14.flags.taskLaunchTimeout, .milliseconds(300_000))
        XCTAssertEqual(m14.flags.maxInstancesPerOffer, 5)
        XCTAssertEqual(m14.flags.declineOfferDuration, .seconds(120))
        XCTAssertEqual(m14.flags.zkSessionTimeout, .seconds(10))
        XCTAssertFalse(m14.flags.suppressOffers)
        XCTAssertEqual(m14.instances, 3)
        let m15 = try XCTUnwrap(spec(#"{"version": "1.5", "flags": {"launch_tokens": 20, "min_revive_offers_interval": "2s", "mesos_role": "marathon"}, "hostGroup": "master", "instances": 1}"#))
        XCTAssertEqual(m15.flags.offerMatchingTimeout, .milliseconds(3000))
        XCTAssertEqual(m15.flags.launchTokens, 20)
        XCTAssertEqual(m15.flags.minReviveOffersInterval, .seconds(2))
        XCTAssertEqual(m15.flags.mesosRole, "marathon")
        XCTAssertEqual(m15.hostGroup, "master"); XCTAssertEqual(m15.instances, 1)
        assertSingleError(marathonScenario(#"{"flags": {"suppress_offers": true}}"#), path: "marathon.flags.suppress_offers",
                          ["from Marathon 1.5.11, 1.6.535 and 1.7", "marathon.version is 1.4.0"])
        assertSingleError(marathonScenario(#"{"flags": {"task_launch_timeot": 1}}"#), path: "marathon.flags.task_launch_timeot",
                          ["unknown Marathon flag", "did you mean \"task_launch_timeout\""])
    }

    func testUnsupportedVersionListsTheRange() {
        assertSingleError(marathonScenario(#"{"version": "1.3"}"#), path: "marathon.version", ["not supported", "1.4.0 to 1.10.x"])
        assertSingleError(marathonScenario(#"{"version": "one"}"#), path: "marathon.version", ["expected a Marathon version"])
        assertSingleError(marathonScenario(#"{"version": "1.11"}"#), path: "marathon.version", ["1.4.0 to 1.10.x"])
    }

    // MARK: warnings

    func testUnmodelledFieldsAreListedOnceInAWarning() throws {
        let loaded = try XCTUnwrap(loadOK(marathonScenario(#"{"apps": [\#(bridgeApp)]}"#)))
        let w = loaded.warnings.filter { $0.contains("marathon.apps[0]") }
        XCTAssertEqual(w.count, 1, "\(loaded.warnings)")
        let text = try XCTUnwrap(w.first)
        for f in ["fields accepted but not modelled", "env", "fetch", "container.volumes", "version"] {
            XCTAssertTrue(text.contains(f), "\(text) lacks \(f)")
        }
        XCTAssertFalse(text.contains("HAPROXY_GROUP"), text)
        XCTAssertFalse(text.contains("HAPROXY_0_VHOST"), "marathon-lb reads it: \(text)")
        XCTAssertEqual(loaded.spec.marathon?.warnings.count, 1)
    }

    // MARK: errors

    func testUnknownAppFieldIsAWarningWithDidYouMean() {
        // Marathon ignores fields it does not know (issue 8): a warning with the path, never an error
        let a = loadOK(marathonScenario(#"{"apps": [{"id": "/x", "cmd": "x", "instance": 2}]}"#))
        XCTAssertEqual(a?.spec.marathon?.apps.first?.instances, 1)
        XCTAssertTrue(a?.warnings.contains { $0.contains("marathon.apps[0].instance: unknown field \"instance\" ignored") && $0.contains("did you mean \"instances\"") } ?? false, "\(a?.warnings ?? [])")
        let b = loadOK(marathonScenario(#"{"apps": [{"id": "/x", "cmd": "x", "healthChecks": [{"intervalSecond": 5}]}]}"#))
        XCTAssertTrue(b?.warnings.contains { $0.contains("marathon.apps[0].healthChecks[0].intervalSecond: unknown field") && $0.contains("did you mean \"intervalSeconds\"") } ?? false, "\(b?.warnings ?? [])")
    }

    /// MAX_PER on an attribute looks the offer's hostname up in Marathon 1.4.0-1.4.3 only (v1.4.4's
    /// Constraints.scala looks up the offer's value); the decoder marks the constraint from the version.
    func testMaxPerLooksUpTheHostnameOnlyBefore1_4_4() throws {
        for (version, quirk) in [("1.4", true), ("1.4.3", true), ("1.4.4", false), ("1.5", false), ("1.5.15", false), ("1.9", false)] {
            let text = marathonScenario(#"{"version": "\#(version)", "apps": [{"id": "/x", "cmd": "x", "constraints": [["rack", "MAX_PER", "2"]]}]}"#)
            let l = try XCTUnwrap(loadOK(text), version)
            XCTAssertEqual(l.spec.marathon?.apps.first?.constraints.first?.maxPerByHostname, quirk, version)
        }
    }

    func testConstraintErrors() {
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/x", "cmd": "x", "constraints": [["hostname", "UNIQ"]]}]}"#),
                          path: "marathon.apps[0].constraints[0][1]", ["unknown constraint operator \"UNIQ\"", "did you mean \"UNIQUE\"", "UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER"])
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/x", "cmd": "x", "constraints": [["hostname", "IS", "a"]]}]}"#),
                          path: "marathon.apps[0].constraints[0][1]", ["needs Marathon 1.6"])
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/x", "cmd": "x", "constraints": [["hostname", "MAX_PER", "two"]]}]}"#),
                          path: "marathon.apps[0].constraints[0][2]", ["MAX_PER needs an integer"])
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/x", "cmd": "x", "constraints": [["hostname", "MAX_PER"]]}]}"#),
                          path: "marathon.apps[0].constraints[0]", ["MAX_PER needs an integer"])
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/x", "cmd": "x", "constraints": [["rack", "GROUP_BY", "x"]]}]}"#),
                          path: "marathon.apps[0].constraints[0][2]", ["GROUP_BY takes no value or an integer"])
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/x", "cmd": "x", "constraints": [["disk", "LIKE", "ss(d"]]}]}"#),
                          path: "marathon.apps[0].constraints[0][2]", ["not a valid regular expression"])
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/x", "cmd": "x", "constraints": [["hostname"]]}]}"#),
                          path: "marathon.apps[0].constraints[0]", ["array of 2 or 3 strings"])
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/x", "cmd": "x", "constraints": [["rack", "CLUSTER"]]}]}"#),
                          path: "marathon.apps[0].constraints[0]", ["CLUSTER needs a value"])
        // 1.6+: lowercase operators are accepted, CLUSTER may go without a value, IS exists
        XCTAssertNotNil(loadOK(marathonScenario(#"{"version": "1.6.322", "apps": [{"id": "/x", "cmd": "x", "constraints": [["rack", "cluster"], ["@zone", "IS", "a"]]}]}"#)))
    }

    func testHealthCheckPortIndexBeyondPorts() {
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/x", "cmd": "x", "healthChecks": [{"protocol": "TCP", "portIndex": 1}]}]}"#),
                          path: "marathon.apps[0].healthChecks[0].portIndex", ["portIndex 1 is beyond the app's 1 port", "0 to 0"])
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/x", "cmd": "x", "portDefinitions": [], "healthChecks": [{"protocol": "HTTP"}]}]}"#),
                          path: "marathon.apps[0].healthChecks[0]", ["has no ports"])
    }

    func testDependencyMissingAndCycle() {
        // a missing dependency is ignored with a warning (issue 8), as Marathon's root group does
        let missing = loadOK(marathonScenario(#"{"apps": [{"id": "/a", "cmd": "x", "dependencies": ["/b"]}]}"#))
        XCTAssertTrue(missing?.warnings.contains { $0.contains("marathon.apps[0].dependencies[0]: app /a depends on /b, which is neither an app nor a group") } ?? false)
        let e = assertSingleError(marathonScenario(#"{"apps": [{"id": "/a", "cmd": "x", "dependencies": ["/b"]}, {"id": "/b", "cmd": "x", "dependencies": ["/c"]}, {"id": "/c", "cmd": "x", "dependencies": ["/a"]}]}"#),
                                  path: "marathon.apps[0].dependencies", ["dependency cycle: /a -> /b -> /c -> /a"])
        XCTAssertNotNil(e)
        assertSingleError(marathonScenario(#"{"groups": [{"id": "/g", "apps": [{"id": "a", "cmd": "x", "dependencies": ["/g"]}]}]}"#),
                          path: "marathon.groups[0].apps[0].dependencies", ["dependency cycle: /g/a -> /g/a"])
    }

    func testDuplicateIdsAndBadIds() {
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/a", "cmd": "x"}, {"id": "a", "cmd": "y"}]}"#),
                          path: "marathon.apps[1].id", ["duplicate app id /a", "marathon.apps[0]"])
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/Web_App", "cmd": "x"}]}"#),
                          path: "marathon.apps[0].id", ["not a valid Marathon id", "lowercase"])
        assertSingleError(marathonScenario(#"{"groups": [{"id": "/g", "apps": [{"id": "/other/a", "cmd": "x"}]}]}"#),
                          path: "marathon.groups[0].apps[0].id", ["not a child of its group /g"])
    }

    func testValueRangeErrors() {
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/a", "cmd": "x", "instances": -1}]}"#),
                          path: "marathon.apps[0].instances", ["expected an integer from 0"])
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/a", "cmd": "x", "cpus": -0.5}]}"#),
                          path: "marathon.apps[0].cpus", [">= 0"])
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/a", "cmd": "x", "upgradeStrategy": {"minimumHealthCapacity": 1.5}}]}"#),
                          path: "marathon.apps[0].upgradeStrategy.minimumHealthCapacity", ["<= 1"])
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/a"}]}"#), path: "marathon.apps[0]", ["needs \"cmd\", \"args\" or a \"container\""])
    }

    func testAppBiggerThanEveryAgent() {
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/big", "cmd": "x", "cpus": 32, "mem": 1024}]}"#),
                          path: "marathon.apps[0]", ["app /big can never be placed", "cpus 32 is more than any agent offers (largest: 16)"])
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/big", "cmd": "x", "mem": 100000}]}"#),
                          path: "marathon.apps[0]", ["mem 100000 MB", "largest: 65536 MB"])
        // fits: 16 cpus and 64 GiB are exactly what a slave offers
        XCTAssertNotNil(loadOK(marathonScenario(#"{"apps": [{"id": "/big", "cmd": "x", "cpus": 16, "mem": 65536}]}"#)))
    }

    // MARK: behaviour

    func testBehaviourDefaultsAndOverrides() throws {
        let m = try XCTUnwrap(spec("""
        {"apps": [{"id": "/a", "cmd": "x"}, {"id": "/b", "cmd": "y"}],
         "behaviour": {
           "default": {"startupTime": "20s", "image": {"size": "500MB"}},
           "/b": {"meanTimeBetweenCrashes": "2h", "health": {"hangsAfter": {"exponential": {"mean": "1h"}}}, "responseTime": "10ms",
                  "failAtStartProbability": 0.1}
         }}
        """))
        let a = m.behaviour(of: "/a"), b = m.behaviour(of: "/b")
        XCTAssertEqual(a.task.startup, .constant(20)); XCTAssertEqual(a.imageSizeBytes, 500_000_000)
        XCTAssertEqual(a.task.health, .healthy(responseTime: .constant(0.005)))
        XCTAssertNil(a.task.timeToCrash)
        XCTAssertEqual(b.task.startup, .constant(20))
        XCTAssertEqual(b.task.timeToCrash, .exponential(mean: 7200))
        XCTAssertEqual(b.task.health, .hangsAfter(.exponential(mean: 3600), responseTime: .constant(0.01)))
        XCTAssertEqual(b.task.failAtStartProbability, 0.1)
        // no behaviour at all: 5 s startup, healthy, 300 MB image
        let plain = try XCTUnwrap(spec(#"{"apps": [{"id": "/a", "cmd": "x"}]}"#)).behaviour(of: "/a")
        XCTAssertEqual(plain.task.startup, .constant(5)); XCTAssertEqual(plain.imageSizeBytes, 300_000_000)
    }

    func testBehaviourForUnknownAppIsAnError() {
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/web", "cmd": "x"}], "behaviour": {"/webb": {"startupTime": "1s"}}}"#),
                          path: "marathon.behaviour[\"/webb\"]", ["no app /webb", "did you mean \"/web\""])
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/web", "cmd": "x"}], "behaviour": {"/web": {"startupTim": "1s"}}}"#),
                          path: "marathon.behaviour[\"/web\"].startupTim", ["did you mean \"startupTime\""])
    }

    // MARK: files

    func testAppsAndGroupsFromFilesByRelativePath() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write(bridgeApp, to: dir + "/apps/web.json")
        write(#"{"id": "/platform", "apps": [{"id": "db", "cmd": "db"}]}"#, to: dir + "/groups/platform.json")
        write(#"{"id": "/x", "cmd": "x", "instances": -1}"#, to: dir + "/apps/bad.json")
        let ok = try XCTUnwrap(loadOK(marathonScenario(#"{"apps": ["apps/web.json"], "groups": [{"$include": "groups/platform.json"}]}"#),
                                      baseDirectory: dir))
        XCTAssertEqual(ok.spec.marathon?.apps.map(\.id), ["/courseware/web", "/platform/db"])
        // errors inside an included file name that file
        let e = assertSingleError(marathonScenario(#"{"apps": ["apps/bad.json"]}"#), path: "marathon.apps[0].instances", ["expected an integer from 0"], baseDirectory: dir)
        XCTAssertEqual(e?.file, "apps/bad.json")
        assertSingleError(marathonScenario(#"{"apps": ["../outside.json"]}"#), path: "marathon.apps[0]", ["outside the scenario's folder"], baseDirectory: dir)
        assertSingleError(marathonScenario(#"{"apps": ["apps/missing.json"]}"#), path: "marathon.apps[0]", ["no such file"], baseDirectory: dir)
    }

    /// The app files shipped in scenarios/apps decode (copied next to a scenario in a temp folder).
    func testShippedAppFilesDecode() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var refs: [String] = []
        for name in ["courseware.json", "search.json"] {
            guard let text = try? String(contentsOfFile: repo.appendingPathComponent("scenarios/apps/" + name).path, encoding: .utf8) else { continue }
            write(text, to: dir + "/apps/" + name); refs.append("\"apps/\(name)\"")
        }
        try XCTSkipIf(refs.isEmpty, "no shipped app files")
        let loaded = try XCTUnwrap(loadOK(marathonScenario("{\"apps\": [\(refs.joined(separator: ", "))]}"), baseDirectory: dir))
        let m = try XCTUnwrap(loaded.spec.marathon)
        XCTAssertFalse(m.apps.isEmpty)
        XCTAssertTrue(m.apps.allSatisfy { $0.id.hasPrefix("/") })
    }
}
