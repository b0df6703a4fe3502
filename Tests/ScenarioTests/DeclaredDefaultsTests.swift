import Foundation
@testable import Scenario
import XCTest

/// The defaults written in the key declarations (and so in the generated docs) are the ones the
/// decoders and the model use. A default written as a value in backticks (`` `"60s"` ``, `` `3` ``,
/// `` `[]` ``) is set explicitly with `--set`: the decoded spec must not change. A default in words
/// ("required", "none", "the host's `disk` minus …") cannot be checked so; those keys are listed
/// here, so that a new key either gets a checkable default or is named below on purpose.
final class DeclaredDefaultsTests: XCTestCase {
    /// The value of a default in backticks, as `--set` takes it (JSON, or a bare string).
    static func literalDefault(_ k: KeySpec) -> String? {
        let s = k.defaultValue
        guard s.count >= 2, s.hasPrefix("`"), s.hasSuffix("`"), !s.dropFirst().dropLast().contains("`") else { return nil }
        // a `|` inside a Markdown table cell is written `\|`
        return String(s.dropFirst().dropLast()).replacingOccurrences(of: "\\|", with: "|")
    }

    /// `--set` path of `key` under `prefix`.
    static func setPath(_ prefix: String, _ key: String) -> String {
        let k = key.contains(".") ? "[\"\(key)\"]" : "." + key
        return prefix.isEmpty ? String(k.drop { $0 == "." }) : prefix + k
    }

    /// Every key of `keys` not in `wordDefaults` has a literal default, and setting it to that
    /// default (under `prefix` in `scenario`) leaves the decoded spec as it was.
    func check(_ keys: SectionKeys, at prefix: String, in scenario: String, wordDefaults: Set<String>, only: Set<String>? = nil,
               baseDirectory: String = "/tmp", file: StaticString = #filePath, line: UInt = #line) {
        guard let base = loadOK(scenario, baseDirectory: baseDirectory, file: file, line: line)?.spec else { return }
        var words: Set<String> = []
        for k in keys.keys where only?.contains(k.name) ?? true {
            guard let value = Self.literalDefault(k) else { words.insert(k.name); continue }
            let set = Self.setPath(prefix, k.name) + "=" + value
            do {
                let s = try ScenarioLoader.load(text: scenario, baseDirectory: baseDirectory, fileName: "s.json", overrides: [set]).spec
                XCTAssertTrue(s == base, "\(keys.id).\(k.name): the declared default \(k.defaultValue) is not what the decoder uses when the key is absent (--set \(set) changes the spec)", file: file, line: line)
            } catch {
                XCTFail("\(keys.id).\(k.name): the declared default \(k.defaultValue) is refused (--set \(set)): \(error)", file: file, line: line)
            }
        }
        XCTAssertEqual(words, only.map { wordDefaults.intersection($0) } ?? wordDefaults, "\(keys.id): keys whose default is not a value in backticks", file: file, line: line)
    }

    static let storageScenario = """
        {"name": "t", "duration": "1h",
         "hostGroups": [{"name": "ceph", "count": 3, "cpus": 16, "memory": "64GiB", "disk": "16TB", "nic": "10Gbit"},
                        {"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                        {"name": "slave", "count": 2, "cpus": 16, "memory": "64GiB", "disk": "500GB"},
                        {"name": "db", "count": 1, "cpus": 16, "memory": "64GiB", "disk": "500GB"}],
         "mesos": {"masters": {"count": 1, "hostGroup": "master"}, "agents": {"hostGroups": ["slave", "db"]}},
         "marathon": {"apps": [{"id": "/db", "instances": 1, "cpus": 1, "mem": 512, "container": {"type": "DOCKER", "docker": {"image": "r/db:1", "network": "HOST"}}}],
          "behaviour": {"/db": {"logs": {"hostVolume": "/var/log/db"}, "cephMount": {}}}},
         "storage": {"hostGroups": [{"hostGroup": "slave", "storageOpts": {}},
                                    {"hostGroup": "db", "mode": "direct-lvm", "volumeGroup": "100GB", "storageOpts": {}}],
                     "operator": [{"action": "cleanPool", "on": "poolFull"}],
                     "ceph": {"osdHostGroup": "ceph"}},
         "network": {}}
        """

    func testStorageDefaultsAreTheDeclaredOnes() {
        let s = Self.storageScenario
        check(ScenarioSchema.storageKeys, at: "storage", in: #"{"name": "t", "duration": "1h", "hostGroups": [{"name": "a", "count": 1, "cpus": 1, "memory": 1, "disk": 1}], "storage": {}}"#,
              wordDefaults: ["ceph"])
        check(ScenarioSchema.hostStorageKeys, at: "storage.hostGroups[0]", in: s, wordDefaults: ["hostGroup", "volumeGroup", "rootFilesystem", "layerExtractRate", "daemonConfig", "maxDownloadAttempts"])  // maxDownloadAttempts: a 20.10 key (its 5 is refused at 18.09)
        let loopOnly: Set = ["dm.loopdatasize", "dm.loopmetadatasize"]
        let directOnly: Set = ["dm.thinp_percent", "dm.thinp_metapercent", "dm.thinp_autoextend_threshold", "dm.thinp_autoextend_percent"]
        let all = Set(ScenarioSchema.storageOptKeys.names)
        check(ScenarioSchema.storageOptKeys, at: "storage.hostGroups[0].storageOpts", in: s, wordDefaults: ["dm.blkdiscard", "dm.xfs_nospace_max_retries"],
              only: all.subtracting(directOnly))
        check(ScenarioSchema.storageOptKeys, at: "storage.hostGroups[1].storageOpts", in: s, wordDefaults: ["dm.blkdiscard", "dm.xfs_nospace_max_retries"],
              only: all.subtracting(loopOnly))
        check(ScenarioSchema.storageOperatorKeys, at: "storage.operator[0]", in: s, wordDefaults: ["action", "at", "host", "hostGroup", "on", "size"])
        check(ScenarioSchema.cephKeys, at: "storage.ceph", in: s, wordDefaults: Set(["config", "osdHostGroup", "osd_recovery_sleep", "min_size"] + ["noout", "nodown", "noup", "nobackfill", "norebalance", "norecover"].flatMap { [$0 + "Set", $0 + "Unset"] }))
        // lineLength goes with "to": "sandbox" only (its default: DockerLogScenarioTests.testLineLength)
        check(ScenarioSchema.logsKeys, at: #"marathon.behaviour["/db"].logs"#, in: s, wordDefaults: ["burst", "hostVolume"],
              only: Set(ScenarioSchema.logsKeys.names).subtracting(["lineLength"]))
        check(ScenarioSchema.cephMountKeys, at: #"marathon.behaviour["/db"].cephMount"#, in: s, wordDefaults: [])
    }

    static let networkScenario = """
        {"name": "t", "duration": "1h",
         "datacenters": [{"name": "dc01"}, {"name": "dc02"}],
         "hostGroups": [{"name": "a", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB", "datacenter": "dc01"}],
         "network": {"networks": [{"name": "n", "mode": "bridge"}], "kvStore": {"kind": "consul", "hostGroup": "a"},
                     "racks": [{"name": "rack-01"}],
                     "datacenterLinks": [{"between": ["dc01", "dc02"], "latency": "1ms", "bandwidth": "1Gbit"}],
                     "experiments": {"from": "a-01", "to": "a-02"}}}
        """

    func testNetworkDefaultsAreTheDeclaredOnes() {
        let s = Self.networkScenario
        check(ScenarioSchema.networkKeys, at: "network", in: minimalScenario.replacingOccurrences(of: "\n}", with: #", "network": {}}"#),
              wordDefaults: ["kvStore", "experiments", "cpuClock", "kernel", "nicTunnelOffload"])
        check(ScenarioSchema.namedNetworkKeys, at: "network.networks[0]", in: s, wordDefaults: ["name", "mode", "mtu"])
        check(ScenarioSchema.kvStoreKeys, at: "network.kvStore", in: s, wordDefaults: ["kind", "hostGroup"])
        check(ScenarioSchema.rackKeys, at: "network.racks[0]", in: s, wordDefaults: ["name", "uplink"])
        check(ScenarioSchema.datacenterLinkKeys, at: "network.datacenterLinks[0]", in: s, wordDefaults: ["between", "latency", "bandwidth"])
        check(ScenarioSchema.experimentsKeys, at: "network.experiments", in: s, wordDefaults: ["modes", "from", "to", "messageSizes"])
    }

    /// The check itself: a declared default that differs from the decoder's is caught.
    func testAWrongDeclaredDefaultIsCaught() throws {
        let wrong = SectionKeys("storage.ceph", [KeySpec("osdsPerHost", "integer", default: "`2`", allowed: "")])
        let s = Self.storageScenario
        let base = try XCTUnwrap(loadOK(s)).spec
        let set = DeclaredDefaultsTests.setPath("storage.ceph", "osdsPerHost") + "=" + DeclaredDefaultsTests.literalDefault(wrong["osdsPerHost"])!
        XCTAssertNotEqual(try ScenarioLoader.load(text: s, baseDirectory: "/tmp", fileName: "s.json", overrides: [set]).spec, base)
    }
}

extension DeclaredDefaultsTests {
    func testTopLevelAndHostGroupDefaultsAreTheDeclaredOnes() {
        check(ScenarioSchema.topLevelKeys, at: "", in: minimalScenario,
              wordDefaults: ["name", "duration", "hostGroups", "zookeeper", "mesos", "marathon", "storage", "network", "actions",
                             "consul", "consulTemplate", "nginx", "traffic", "prometheus", "alertmanager", "marathonLB", "autoscale",
                             "fidelity", "chronos", "harbor", "jenkins"],
              only: Set(ScenarioSchema.topLevelKeys.names).subtracting(["actions"]))
        check(ScenarioSchema.hostGroupKeys, at: "hostGroups[0]", in: minimalScenario,
              wordDefaults: ["name", "count", "datacenter", "rack", "racks", "cpus", "memory", "disk"])
        check(ScenarioSchema.fidelityKeys, at: "fidelity", in: minimalScenario, wordDefaults: [])
    }

    func testFidelityModesDecodeAndABadModeNamesItsPath() throws {
        let exact = try ScenarioLoader.load(text: minimalScenario, baseDirectory: "/tmp", fileName: "s.json",
                                            overrides: ["fidelity={\"healthChecks\": \"exact\", \"offers\": \"exact\", \"consulChecks\": \"exact\", \"gossip\": \"exact\"}"]).spec
        XCTAssertEqual(exact.fidelity, .allExact)
        XCTAssertThrowsError(try ScenarioLoader.load(text: minimalScenario, baseDirectory: "/tmp", fileName: "s.json",
                                                     overrides: ["fidelity.offers=sometimes"])) { e in
            XCTAssertTrue("\(e)".contains("fidelity.offers"), "\(e)")
            XCTAssertTrue("\(e)".contains("\"exact\""), "\(e)")
        }
    }
}

extension DeclaredDefaultsTests {
    static let faultsAndActionsScenario = """
        {"name": "t", "duration": "2h",
         "datacenters": [{"name": "dc01"}],
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 2, "cpus": 8, "memory": "64GiB", "disk": "500GB"}],
         "marathon": {"apps": [{"id": "/web", "cmd": "x", "cpus": 0.1, "mem": 32, "instances": 2}]},
         "faults": [{"at": "1m", "kind": "hostReboot", "host": "slave-01"},
                    {"at": "1m", "kind": "masterCrash"},
                    {"at": "1m", "kind": "hostCrash", "hostGroup": "slave"}],
         "actions": [{"at": "1m", "kind": "killTasks", "app": "/web"}]}
        """

    func testDatacenterFaultAndActionDefaultsAreTheDeclaredOnes() {
        let s = Self.faultsAndActionsScenario
        check(ScenarioSchema.datacenterKeys, at: "datacenters[0]", in: s, wordDefaults: ["name"])
        let faultWords: Set = ["at", "kind", "host", "hostGroup", "recoverAfter", "restartAfter", "healAfter", "server", "role", "rack"]
        // each fault kind takes only its own keys: check each literal default on a fault of its kind
        check(ScenarioSchema.faultKeys, at: "faults[0]", in: s, wordDefaults: faultWords, only: ["downFor"])
        check(ScenarioSchema.faultKeys, at: "faults[1]", in: s, wordDefaults: faultWords, only: ["master"])
        check(ScenarioSchema.faultKeys, at: "faults[2]", in: s, wordDefaults: faultWords, only: ["count"])
        XCTAssertEqual(Set(ScenarioSchema.faultKeys.names).subtracting(faultWords), ["downFor", "master", "count"])
        let actionWords: Set = ["at", "kind", "app", "changes", "behaviour", "instances", "key", "value", "path", "data", "host", "check"]
        check(ScenarioSchema.actionKeys, at: "actions[0]", in: s, wordDefaults: actionWords, only: ["count", "scale", "force"])
        // `delete` belongs to consulKV actions only
        check(ScenarioSchema.actionKeys, at: "actions[0]", in: ConsulTemplateKVActionTests.scenario(#"[{"at": "1m", "kind": "consulKV", "key": "a", "value": "b"}]"#),
              wordDefaults: actionWords, only: ["delete"])
        // `status` and `heartbeats` belong to consulCheckUpdate actions only (one of them is required)
        check(ScenarioSchema.actionKeys, at: "actions[0]",
              in: ConsulCheckUpdateActionTests.scenario(action: #"{"at": "1m", "kind": "consulCheckUpdate", "app": "/web", "heartbeats": false}"#),
              wordDefaults: actionWords, only: ["status"])
        check(ScenarioSchema.actionKeys, at: "actions[0]",
              in: ConsulCheckUpdateActionTests.scenario(action: #"{"at": "1m", "kind": "consulCheckUpdate", "app": "/web", "status": "warning"}"#),
              wordDefaults: actionWords, only: ["heartbeats"])
        XCTAssertEqual(Set(ScenarioSchema.actionKeys.names).subtracting(actionWords), ["count", "scale", "force", "delete", "status", "heartbeats"])
    }
}

extension DeclaredDefaultsTests {
    func testChronosDefaultsAreTheDeclaredOnes() {
        let base = """
            {"name": "t", "duration": "1h",
             "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                            {"name": "slave", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
             "mesos": {"masters": {"count": 1, "hostGroup": "master"}, "agents": {"hostGroups": ["slave"]}},
             "chronos": %@}
            """
        let empty = base.replacingOccurrences(of: "%@", with: "{}")
        let withJob = base.replacingOccurrences(of: "%@", with: #"{"jobs": [{"name": "a", "schedule": "R/2017-01-01T00:00:00Z/PT1H"}], "behaviour": {"a": {}}}"#)
        check(ScenarioSchema.chronosKeys, at: "chronos", in: empty, wordDefaults: ["hosts", "flagsFrom", "jobsFile"])
        check(ScenarioSchema.chronosFlagKeys, at: "chronos.flags", in: empty, wordDefaults: ["decline_offer_duration"])
        check(ScenarioSchema.chronosJobKeys, at: "chronos.jobs[0]", in: withJob,
              wordDefaults: ["name", "schedule", "scheduleTimeZone", "parents", "epsilon", "cpus", "mem", "disk", "container"])
        check(ScenarioSchema.chronosBehaviourKeys, at: "chronos.behaviour.a", in: withJob, wordDefaults: [])
    }

    /// The shipped release scenario has every section of `harbor` and `jenkins`.
    static var releaseScenario: String {
        (try? String(contentsOfFile: HarborPipelineTests.releasePath, encoding: .utf8)) ?? ""
    }

    func testHarborAndJenkinsDefaultsAreTheDeclaredOnes() {
        let s = Self.releaseScenario
        // it reads its exported policies beside it (scenarios/harbor/)
        let dir = URL(fileURLWithPath: HarborPipelineTests.releasePath).deletingLastPathComponent().path
        check(ScenarioSchema.harborKeys, at: "harbor", in: s, wordDefaults: ["domain", "registries", "pushRegistry"],
              only: Set(ScenarioSchema.harborKeys.names).subtracting(["layers", "images", "policies", "policiesFrom"]), baseDirectory: dir)
        check(ScenarioSchema.harborPoliciesFromKeys, at: "harbor.policiesFrom[0]", in: s, wordDefaults: ["registry", "file"], baseDirectory: dir)
        check(ScenarioSchema.harborRegistryKeys, at: "harbor.registries[0]", in: s, wordDefaults: ["name", "host"], baseDirectory: dir)
        check(ScenarioSchema.harborLayerKeys, at: "harbor.layers[0]", in: s, wordDefaults: ["digest", "size"], baseDirectory: dir)
        check(ScenarioSchema.harborImageKeys, at: "harbor.images[0]", in: s, wordDefaults: ["name", "layers", "in"], baseDirectory: dir)
        // an event-based policy of our own form (the release scenario's own one is scheduled)
        let own = HarborPipelineTests.twoDCs(images: #"{"name": "p/one:1", "layers": ["sha256:a"], "in": ["dc01"]}"#,
                                             policies: #"{"name": "n", "source": "dc01", "destination": "dc02", "filters": {"name": "p/**"}}"#)
        check(ScenarioSchema.harborPolicyKeys, at: "harbor.policies[0]", in: own, wordDefaults: ["name", "source", "destination", "period", "filters"])
        check(ScenarioSchema.harborFilterKeys, at: "harbor.policies[0].filters", in: own, wordDefaults: [], only: ["tag"])
        check(ScenarioSchema.jenkinsKeys, at: "jenkins", in: s, wordDefaults: ["host", "jobs"], only: ["host", "jobs", "executors", "quietPeriod", "startupTime"], baseDirectory: dir)
        check(ScenarioSchema.jenkinsJobKeys, at: "jenkins.jobs[0]", in: s, wordDefaults: ["name", "app", "repository", "baseImage", "buildTime", "imageBuildTime", "marathons"],
              only: Set(ScenarioSchema.jenkinsJobKeys.names).subtracting(["newLayers", "nextBuildNumber"]), baseDirectory: dir)
        check(ScenarioSchema.jenkinsCommitKeys, at: "jenkins.commits[0]", in: s, wordDefaults: ["at", "job"], baseDirectory: dir)
        // one Marathon per data center (the shipped release scenario runs two)
        check(ScenarioSchema.marathonDatacenterKeys, at: "marathon.datacenters[0]", in: s, wordDefaults: ["name", "hostGroup"], baseDirectory: dir)
        // Harbor's trigger object and the deletions
        let cron = HarborPipelineTests.twoDCs(images: #"{"name": "p/one:1", "layers": ["sha256:a"], "in": ["dc01"]}"#,
                                              policies: #"{"name": "n", "source": "dc01", "destination": "dc02", "trigger": {"type": "scheduled", "trigger_settings": {"cron": "0 0 2 * * *"}}}"#,
                                              harborExtra: #", "deletions": [{"at": "1m", "registry": "dc01", "image": "p/one:1"}]"#)
        check(ScenarioSchema.harborTriggerKeys, at: "harbor.policies[0].trigger", in: cron, wordDefaults: ["type", "trigger_settings"])
        check(ScenarioSchema.harborTriggerSettingsKeys, at: "harbor.policies[0].trigger.trigger_settings", in: cron, wordDefaults: ["cron"])
        check(ScenarioSchema.harborDeletionKeys, at: "harbor.deletions[0]", in: cron, wordDefaults: ["at", "registry", "image"])
    }
}
