import Foundation
import TestSupport
import XCTest

/// scripts/yaml-to-json.py: the YAML files a user deploys become the JSON the loaders read (and the real tools
/// still accept), read as Go's YAML decoders read them; a file it cannot convert is one line, exit 2, nothing
/// written. Needs python3 with PyYAML (Debian python3-yaml), which the script itself asks for when missing.
final class YamlToJsonTests: XCTestCase {
    static let script = CLI.root.appendingPathComponent("scripts/yaml-to-json.py").path

    func convert(_ args: [String]) throws -> CLI.Result {
        try CLI.runProgram("/usr/bin/env", ["python3", Self.script] + args, environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"])
    }

    override func setUpWithError() throws {
        let probe = try CLI.runProgram("/usr/bin/env", ["python3", "-c", "import yaml"], environment: ["PATH": "/usr/bin:/bin"])
        if probe.status != 0 { throw XCTSkip("python3 with PyYAML (Debian python3-yaml) is not installed") }
    }

    static let prometheusYAML = """
        # a prometheus.yml as deployed: comments, flow maps, an anchor, a date, a tab after a value
        global:
          scrape_interval: 15s\t
          external_labels: {dc: dc01, since: 2017-03-01T10:00:00Z}
        rule_files:
          - rules/node.json
        scrape_configs:
          - job_name: node
            static_configs:
              - targets: &nodes ['slave-01:9100', 'slave-02:9100']
          - job_name: node-again
            static_configs:
              - targets: *nodes
        """

    static let rulesYAML = """
        groups:
        - name: node
          rules:
          - alert: NodeDown
            expr: up{job="node"} == 0
            for: 1m
            annotations:
              summary: "{{ $labels.instance }} down"
        """

    func testDeployedYAMLBecomesJSONTheLoaderAndPromtoolAccept() throws {
        let dir = Scratch.folder("yaml")
        try FileManager.default.createDirectory(atPath: dir + "/rules", withIntermediateDirectories: true)
        try Self.prometheusYAML.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        try Self.rulesYAML.write(toFile: dir + "/rules/node.yml", atomically: true, encoding: .utf8)
        let one = try convert([dir + "/prometheus.yml"])
        XCTAssertEqual(one.status, 0, one.stderr)
        try one.stdout.write(toFile: dir + "/prometheus.json", atomically: true, encoding: .utf8)
        let many = try convert(["-o", dir + "/rules", dir + "/rules/node.yml"])
        XCTAssertEqual(many.status, 0, many.stderr)
        // read as Go reads it: the date stays the string written, the anchor is expanded
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any])
        let labels = (json["global"] as? [String: Any])?["external_labels"] as? [String: String]
        XCTAssertEqual(labels?["since"], "2017-03-01T10:00:00Z")
        let jobs = try XCTUnwrap(json["scrape_configs"] as? [[String: Any]])
        XCTAssertEqual(jobs.count, 2)
        XCTAssertEqual((jobs[1]["static_configs"] as? [[String: Any]])?.first?["targets"] as? [String], ["slave-01:9100", "slave-02:9100"])
        // the simulator loads it
        let scenario = #"{"name": "y", "duration": "10m", "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"}, "#
            + #"{"name": "slave", "count": 2, "cpus": 4, "memory": "8GiB", "disk": "100GB"}], "#
            + #""prometheus": {"host": "master-01", "config": "prometheus.json"}}"#
        try scenario.write(toFile: dir + "/s.json", atomically: true, encoding: .utf8)
        let v = try CLI.run(["validate", dir + "/s.json"])
        XCTAssertEqual(v.status, 0, v.stderr)
        // and so does promtool, the real judge, on the same JSON
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool") {
            let p = try ToolRun.run("/usr/bin/promtool", ["check", "config", "prometheus.json"], in: dir)
            XCTAssertEqual(p.status, 0, p.output)
        }
    }

    func testAFileItCannotConvertIsOneLineAndNothingIsWritten() throws {
        let dir = Scratch.folder("yaml-bad")
        try "a: 1\n---\nb: 2\n".write(toFile: dir + "/two.yml", atomically: true, encoding: .utf8)
        try "groups:\n  - name: [unclosed\n".write(toFile: dir + "/broken.yml", atomically: true, encoding: .utf8)
        try Self.rulesYAML.write(toFile: dir + "/good.yml", atomically: true, encoding: .utf8)
        let r = try convert(["-o", dir + "/out", dir + "/good.yml", dir + "/two.yml", dir + "/broken.yml", dir + "/none.yml"])
        XCTAssertEqual(r.status, 2)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 3, r.stderr)
        XCTAssertTrue(lines[0].contains("two.yml: 2 YAML documents"), r.stderr)
        XCTAssertTrue(lines[1].contains("broken.yml:"), r.stderr)
        XCTAssertTrue(lines[2].contains("none.yml:"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out"))
        // two files that would both be out/good.json
        try FileManager.default.createDirectory(atPath: dir + "/b", withIntermediateDirectories: true)
        try Self.rulesYAML.write(toFile: dir + "/b/good.yaml", atomically: true, encoding: .utf8)
        let dup = try convert(["-o", dir + "/out", dir + "/good.yml", dir + "/b/good.yaml"])
        XCTAssertEqual(dup.status, 2)
        XCTAssertTrue(dup.stderr.contains("good.json"), dup.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out"))
    }
}

/// A prometheus.yml, rule file or alertmanager.yml still in YAML is one error that names the converter.
final class YAMLFileHintTests: XCTestCase {
    func testAYAMLConfigurationIsRefusedWithTheConverterNamed() throws {
        let dir = Scratch.folder("yaml-hint")
        try FileManager.default.createDirectory(atPath: dir + "/rules", withIntermediateDirectories: true)
        try YamlToJsonTests.prometheusYAML.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        try YamlToJsonTests.rulesYAML.write(toFile: dir + "/rules/node.yml", atomically: true, encoding: .utf8)
        try #"{"global": {}, "rule_files": ["rules/node.yml"]}"#.write(toFile: dir + "/p.json", atomically: true, encoding: .utf8)
        try "route:\n  receiver: x\nreceivers:\n- name: x\n".write(toFile: dir + "/am.yml", atomically: true, encoding: .utf8)
        let hosts = #""hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"}]"#
        for (name, section, what) in [("prom", #""prometheus": {"host": "master-01", "config": "prometheus.yml"}"#, "prometheus.yml"),
                                      ("rules", #""prometheus": {"host": "master-01", "config": "p.json"}"#, "a rule file"),
                                      ("am", #""alertmanager": {"hosts": ["master-01"], "config": "am.yml"}"#, "alertmanager.yml")] {
            try #"{"name": "y", "duration": "10m", \#(hosts), \#(section)}"#.write(toFile: dir + "/\(name).json", atomically: true, encoding: .utf8)
            let r = try CLI.run(["validate", dir + "/\(name).json"])
            XCTAssertEqual(r.status, 2, name)
            XCTAssertTrue(r.stderr.contains("\(what) is read as JSON here") && r.stderr.contains("scripts/yaml-to-json.py"), r.stderr)
            XCTAssertTrue(r.stderr.contains("1 error"), r.stderr)
        }
    }

    func testAnIncludedYAMLOrHCLFileIsToldWhatIsRead() throws {
        let dir = Scratch.folder("include-hint")
        try "service {\n  name = \"web\"\n  port = 80\n}\n".write(toFile: dir + "/web.hcl", atomically: true, encoding: .utf8)
        try "id: /web\ncmd: x\n".write(toFile: dir + "/web.yml", atomically: true, encoding: .utf8)
        try "id: /web\n".write(toFile: dir + "/web.txt", atomically: true, encoding: .utf8)
        for (file, words) in [("web.hcl", "HCL is read only where Consul or consul-template read it, consul.services.<app id>"), ("web.yml", "scripts/yaml-to-json.py"), ("web.txt", nil)] {
            let scenario = #"{"name": "i", "duration": "10m", "hostGroups": [{"name": "h", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"}], "#
                + #""marathon": {"apps": [{"$include": "\#(file)"}]}}"#
            try scenario.write(toFile: dir + "/s.json", atomically: true, encoding: .utf8)
            let r = try CLI.run(["validate", dir + "/s.json"])
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.contains("1 error"), r.stderr)
            if let w = words { XCTAssertTrue(r.stderr.contains(w), r.stderr) } else {
                XCTAssertFalse(r.stderr.contains("HCL") || r.stderr.contains("yaml-to-json"), r.stderr)
            }
        }
    }
}
