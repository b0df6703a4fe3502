import Foundation
@testable import Scenario
import XCTest

/// docs/scenarios.md lists exactly the keys the decoder knows, section by section.
final class DocsTests: XCTestCase {
    static let docsPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/scenarios.md").path

    /// Keys in the table under the heading `### <title>`.
    func documentedKeys(_ title: String) throws -> [String] {
        let text = try String(contentsOfFile: Self.docsPath, encoding: .utf8)
        var keys: [String] = []
        var inSection = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("### ") { inSection = line == "### \(title)"; continue }
            if line.hasPrefix("## ") { inSection = false }
            if inSection, line.hasPrefix("| `") {
                let rest = line.dropFirst(3)
                keys.append(String(rest[..<rest.firstIndex(of: "`")!]))
            }
        }
        return keys.sorted()
    }

    /// Keys the decoder asks about at `path`, read back from its unknown-key message.
    func decoderKeys(_ path: String, scenario: String = minimalScenario) -> [String] {
        let key = "zzzzzzzzzzzzzzzz"
        let errs = loadErrors(scenario, overrides: [path.isEmpty ? "\(key)=1" : "\(path).\(key)=1"])
        guard let e = errs.first(where: { $0.message.hasPrefix("unknown key \"\(key)\"") }),
              let r = e.message.range(of: "allowed keys here: ") else {
            XCTFail("no unknown-key error: \(errs)"); return []
        }
        return e.message[r.upperBound...].components(separatedBy: ", ").sorted()
    }

    func testEveryKeyIsDocumentedAndEveryDocumentedKeyExists() throws {
        XCTAssertEqual(try documentedKeys("Top level"), decoderKeys(""))
        XCTAssertEqual(try documentedKeys("`hostGroups[i]`"), decoderKeys("hostGroups[0]"))
        let withAll = #"{"name": "x", "duration": "1h", "datacenters": [{"name": "dc01"}], "hostGroups": [{"name": "a", "count": 2, "cpus": 1, "memory": 1, "disk": 1}], "faults": [{"at": 0, "kind": "hostCrash", "host": "a-01"}]}"#
        XCTAssertEqual(try documentedKeys("`datacenters[i]`"), decoderKeys("datacenters[0]", scenario: withAll))
        XCTAssertEqual(try documentedKeys("`faults[i]`"), decoderKeys("faults[0]", scenario: withAll))
    }

    static let docsFolder = URL(fileURLWithPath: docsPath).deletingLastPathComponent()
    /// The pages with generated key tables (Makefile KEY_DOCS).
    static let keyDocs = ["scenarios.md", "mesos.md", "marathon.md", "network.md", "storage.md", "consul.md", "discovery.md", "traffic.md", "alertmanager.md", "monitoring.md", "marathon-lb.md", "autoscale.md", "chronos.md", "delivery.md"]

    /// The committed key tables are what `make docs` writes from the declarations.
    func testGeneratedKeyTablesAreUpToDate() throws {
        var seen: [String] = []
        for name in Self.keyDocs {
            let text = try String(contentsOf: Self.docsFolder.appendingPathComponent(name), encoding: .utf8)
            let filled = try ScenarioReference.fill(text, file: name)
            XCTAssertTrue(filled == text, "docs/\(name) differs from the declared keys: run `make docs`")
            seen += ScenarioReference.regions(in: text)
        }
        // every declared section has exactly one table in the docs
        XCTAssertEqual(seen.sorted(), ScenarioReference.sections.map(\.id).sorted())
    }

    func testFillRewritesAStaleTableAndRejectsUnknownSections() throws {
        let stale = "intro\n<!-- BEGIN GENERATED: scenario-keys datacenters[i] -->\n| old | table |\n<!-- END GENERATED -->\nprose\n"
        let filled = try ScenarioReference.fill(stale)
        XCTAssertEqual(filled, "intro\n<!-- BEGIN GENERATED: scenario-keys datacenters[i] -->\n"
                       + ScenarioSchema.datacenterKeys.markdownTable() + "<!-- END GENERATED -->\nprose\n")
        XCTAssertThrowsError(try ScenarioReference.fill("<!-- BEGIN GENERATED: scenario-keys nosuch -->\n<!-- END GENERATED -->\n"))
        XCTAssertThrowsError(try ScenarioReference.fill("<!-- BEGIN GENERATED: scenario-keys top-level -->\n| x |\n"))
    }

    /// The decoder knows exactly the declared keys of each section (unknown-key errors list them).
    func testDecodersKnowExactlyTheDeclaredKeys() {
        let withAll = #"{"name": "x", "duration": "1h", "datacenters": [{"name": "dc01"}], "hostGroups": [{"name": "a", "count": 2, "cpus": 1, "memory": 1, "disk": 1}], "faults": [{"at": 0, "kind": "hostCrash", "host": "a-01"}], "marathon": {"apps": [{"id": "/web", "cmd": "x", "cpus": 0.1, "mem": 32}], "behaviour": {"default": {}}}, "network": {}, "actions": [{"at": "1m", "kind": "restart", "app": "/web"}], "zookeeper": {}, "mesos": {"masters": {"count": 1}, "agents": {}, "registry": {}}}"#
        let cases: [(SectionKeys, String)] = [
            (ScenarioSchema.topLevelKeys, ""), (ScenarioSchema.datacenterKeys, "datacenters[0]"),
            (ScenarioSchema.hostGroupKeys, "hostGroups[0]"), (ScenarioSchema.faultKeys, "faults[0]"),
            (ScenarioSchema.actionKeys, "actions[0]"),
            (ScenarioSchema.zooKeeperKeys, "zookeeper"), (ScenarioSchema.mesosKeys, "mesos"),
            (ScenarioSchema.mesosMasterKeys, "mesos.masters"), (ScenarioSchema.mesosAgentKeys, "mesos.agents"),
            (ScenarioSchema.mesosRegistryKeys, "mesos.registry"),
            (ScenarioSchema.marathonKeys, "marathon"), (ScenarioSchema.behaviourKeys, "marathon.behaviour.default"),
            (ScenarioSchema.networkKeys, "network"),
        ]
        let withStorage = #"{"name": "x", "duration": "1h", "hostGroups": [{"name": "a", "count": 3, "cpus": 1, "memory": 1, "disk": "100GB"}], "network": {}, "marathon": {"apps": [{"id": "/web", "cmd": "x", "cpus": 0.1, "mem": 32}], "behaviour": {"default": {"logs": {}, "cephMount": {}}}}, "storage": {"hostGroups": [{"hostGroup": "a", "storageOpts": {}}], "operator": [{"action": "cleanPool", "on": "poolFull"}], "ceph": {"osdHostGroup": "a"}}}"#
        for (keys, path) in [(ScenarioSchema.storageKeys, "storage"), (ScenarioSchema.hostStorageKeys, "storage.hostGroups[0]"),
                             (ScenarioSchema.storageOperatorKeys, "storage.operator[0]"),
                             (ScenarioSchema.cephKeys, "storage.ceph"), (ScenarioSchema.logsKeys, "marathon.behaviour.default.logs"),
                             (ScenarioSchema.cephMountKeys, "marathon.behaviour.default.cephMount")] {
            XCTAssertEqual(decoderKeys(path, scenario: withStorage), keys.names.sorted(), keys.id)
        }
        // storageOpts takes every devicemapper option dockerd has: the declared ones are the modelled ones
        XCTAssertEqual(ScenarioSchema.storageOptKeys.names.sorted(), DockerDaemonConfig.devmapperModelled.sorted())
        XCTAssertTrue(loadErrors(withStorage, overrides: ["storage.hostGroups[0].storageOpts.zzzzzzzzzzzzzzzz=1"]).contains { $0.message.hasPrefix("devmapper: Unknown option zzzzzzzzzzzzzzzz") })
        let withNetwork = #"{"name": "x", "duration": "1h", "datacenters": [{"name": "dc01"}, {"name": "dc02"}], "hostGroups": [{"name": "a", "count": 3, "cpus": 1, "memory": 1, "disk": 1, "rack": "r1"}], "network": {"networks": [{"name": "n", "mode": "bridge"}], "kvStore": {"kind": "consul", "hostGroup": "a"}, "racks": [{"name": "r1"}], "datacenterLinks": [{"between": ["dc01", "dc02"], "latency": "1ms", "bandwidth": "1Gbit"}], "experiments": {"from": "a-01", "to": "a-02"}}}"#
        for (keys, path) in [(ScenarioSchema.namedNetworkKeys, "network.networks[0]"), (ScenarioSchema.kvStoreKeys, "network.kvStore"),
                             (ScenarioSchema.rackKeys, "network.racks[0]"), (ScenarioSchema.datacenterLinkKeys, "network.datacenterLinks[0]"),
                             (ScenarioSchema.experimentsKeys, "network.experiments")] {
            XCTAssertEqual(decoderKeys(path, scenario: withNetwork), keys.names.sorted(), keys.id)
        }
        for (keys, path) in cases {
            XCTAssertEqual(decoderKeys(path, scenario: withAll), keys.names.sorted(), keys.id)
        }
    }
}
