import Foundation
import XCTest

/// Malformed scenarios through the real command: each must exit 2, print its specific message
/// (JSON path and what is allowed) and write nothing at all.
final class BadInputTests: XCTestCase {
    /// file in Tests/EndToEndTests/bad-inputs -> texts its error output must contain.
    static let expected: [(String, [String])] = [
        ("01-syntax-error", [":3:2: expected ',' or '}' after object member"]),
        ("02-unknown-top-key", [":1:15: duratoin: unknown key \"duratoin\"; did you mean \"duration\"?",
                                "duration: missing required key \"duration\"", "2 errors"]),
        ("03-unknown-group-key", ["hostGroups[0].cont: unknown key \"cont\"; did you mean \"count\"?"]),
        ("04-unknown-fault-key", ["faults[0].recoverAftr: unknown key \"recoverAftr\"; did you mean \"recoverAfter\"?"]),
        ("05-count-not-integer", ["hostGroups[0].count: expected an integer from 1 to", "got string \"four\""]),
        ("06-bad-duration", ["duration: \"10 minutes\" is not a duration; use a Go duration like"]),
        ("07-negative-size", ["hostGroups[0].memory: \"-32GiB\" is negative"]),
        ("08-bad-size-unit", ["hostGroups[0].memory: \"32GX\" is not a size: unknown unit \"GX\"", "KiB, MiB, GiB"]),
        ("09-unknown-host", ["faults[0].host: no host named \"slave-07\"", "slave-01 to slave-04"]),
        ("10-unknown-group", ["faults[0].hostGroup: unknown host group \"slaves\"; did you mean \"slave\"?"]),
        ("11-fault-after-end", ["faults[0].at: fault at 2h0m0s is after the end of the run (duration 1h0m0s)"]),
        ("12-empty-host-groups", ["hostGroups: must not be empty"]),
        ("13-missing-duration", ["duration: missing required key \"duration\""]),
        ("14-count-zero", ["hostGroups[0].count: expected an integer from 1 to", "got 0"]),
        ("15-duplicate-group", ["hostGroups[1].name: duplicate host group name \"slave\""]),
        ("16-host-and-group", ["faults[0].hostGroup: give either \"host\"", "not both"]),
        ("17-count-beyond-group", ["faults[0].count: count 5 is more than the 4 hosts of host group \"slave\""]),
        ("18-unknown-fault-kind", ["faults[0].kind: unknown fault kind \"hostExplode\"; allowed: \"hostCrash\", \"hostRecover\", \"hostReboot\""]),
        ("19-recover-after-on-reboot", ["faults[0].recoverAfter: \"recoverAfter\" is only allowed for kind \"hostCrash\""]),
        ("20-unknown-datacenter", ["hostGroups[0].datacenter: unknown datacenter \"dc03\"", "\"dc01\", \"dc02\""]),
        ("21-rack-not-in-datacenter", ["hostGroups[0].rack: rack \"r9\" is not a rack of datacenter \"dc01\""]),
        ("22-sample-interval-too-long", ["sampleInterval: sampleInterval 2h0m0s is longer than the scenario duration 1h0m0s"]),
        ("23-include-escapes", ["hostGroups[0].$include: \"../../../Package.swift\"", "outside the scenario's folder"]),
        ("24-include-missing", ["hostGroups[0].$include: cannot read included file \"groups/nothing-here.json\""]),
        ("25-bad-name", ["name: \"my scenario/1\" contains \" \"", "letters A-Z a-z, digits 0-9"]),
        ("26-cpus-wrong-type", ["hostGroups[0].cpus: expected a number > 0, got string \"eight\""]),
        ("27-many-errors", ["seed: expected a non-negative integer", "hostGroups[0].cpus: expected a number > 0, got 0",
                            "hostGroups[0].nic: \"fast\" is not a rate", "3 errors"]),
        ("28-top-level-not-object", [":1:1: expected an object, got array"]),
        ("29-duplicate-key", [":1:15: duplicate key \"name\" (first given at line 1, column 2)"]),
        ("30-trailing-garbage", ["after the end of the top-level value"]),
        ("31-app-bigger-than-agents", ["marathon.apps[0]: app /big can never be placed: cpus 12 is more than any agent offers (largest: 8)"]),
        ("32-unknown-constraint-operator", ["marathon.apps[0].constraints[0][1]: unknown constraint operator \"UNIQUELY\"; did you mean \"UNIQUE\"?", "valid operators: UNIQUE, CLUSTER"]),
        ("33-healthcheck-port-index", ["marathon.apps[0].healthChecks[0].portIndex: portIndex 2 is beyond the app's 1 port"]),
        ("35-dependency-cycle", ["marathon.apps[0].dependencies: dependency cycle: /a -> /b -> /c -> /a"]),
        // an unknown field inside a Marathon app is a warning (issue 8, see MarathonFilesEndToEndTests); our own keys stay strict
        ("36-unknown-marathon-field", ["marathon.instanses: unknown key \"instanses\"; did you mean \"instances\"?"]),
        ("37-zookeeper-servers", ["zookeeper.servers: an ensemble has 3, 5 or 7 servers", "got 4"]),
        ("38-mesos-flag-typo", ["mesos.masters.flags.agent_ping_timout: Failed to load unknown flag 'agent_ping_timout' (mesos-master 1.4.0 does not start); did you mean \"agent_ping_timeout\"?"]),
        ("39-master-crash-number", ["faults[0].master: expected \"leader\" or a master number from 1 to 3, got 4"]),
        ("40-agent-crash-without-mesos", ["faults[0].kind: fault kind \"agentCrash\" needs the scenario's \"mesos\" section"]),
        ("41-action-unknown-app", ["actions[0].app: no Marathon app \"/wbe\"; apps: \"/web\""]),
        ("42-deploy-bad-change", ["actions[0].changes.upgradeStrategy.minimumHealthCapacity: expected a number >= 0 and <= 1, got 1.5"]),
        ("43-marathon-version", ["marathon.version: Marathon \"0.15\" is not supported; supported versions: 1.4.0 to 1.10.x"]),
        ("44-behaviour-unknown-app", ["marathon.behaviour[\"/wbe\"]: behaviour for \"/wbe\", but there is no app /wbe"]),
        ("50-app-cpus-beyond-scalar", ["marathon.apps[0].cpus: cpus 1e19 is more than the simulator can represent: at most 1000000000000"]),
        ("51-health-check-interval-zero", ["marathon.apps[0].healthChecks[0].intervalSeconds: intervalSeconds 0: Marathon accepts it, but a health check every 0 seconds cannot be simulated"]),
        ("52-ipaddress-discovery-bridge", ["marathon.apps[0].ipAddress.discovery: ipAddress/discovery is not allowed for Docker containers using BRIDGE or USER networks"]),
        ("53-cpus-zero-from-1.5", ["marathon.apps[0].cpus: expected a number >= 0.001, got 0 (Marathon 1.5.0 app.raml: minimum 0.001)"]),
        ("54-backoff-factor-overflow", ["marathon.apps[0].backoffFactor: backoffFactor", "cannot be simulated with backoffSeconds 1 and maxLaunchDelaySeconds 3600", "use at most 2500000"]),
        ("60-unknown-network-mode", ["network.mode: unknown network mode \"vxlan\"", "allowed: \"host\", \"bridge\", \"overlay\", \"macvlan\", \"ipvlan\", \"calico-bgp\", \"calico-ipip\", \"flannel-udp\", \"flannel-vxlan\", \"flannel-host-gw\", \"weave-sleeve\", \"weave-fastdp\""]),
        ("61-overlay-without-kv-store", ["network.kvStore: the overlay mode (network.mode) needs a KV store, and \"kvStore\" is missing"]),
        ("62-mtu-beyond-underlay", ["network.networks[0].mtu: MTU 1500 is larger than the underlay MTU 1500 allows for mode \"overlay\"", "at most 1450"]),
        ("63-rack-not-in-network", ["hostGroups[0].rack: rack \"rack-09\" of host group \"slave\" does not exist: it is not declared in network.racks"]),
        ("64-datacenter-link-unknown-dc", ["network.datacenterLinks[0].between[1]: data center \"dc09\" does not exist"]),
        ("70-cpus-beyond-range", ["hostGroups[0].cpus: expected a number > 0, got 1e19, which is out of range"]),
        ("71-disk-total-overflow", ["hostGroups[0].disk: the disks of all hosts add up to more than 9223372036854775807 bytes"]),
        ("72-zero-registration-backoff", ["mesos.agents.flags.registration_backoff_factor: Mesos accepts 0s", "cannot be simulated"]),
        ("73-zero-launch-token-refresh", ["marathon.flags.launch_token_refresh_interval:", "Marathon accepts 0", "cannot be simulated"]),
        ("74-sample-interval-1ns", ["sampleInterval: must be at least 1ms"]),
        ("75-hosts-times-duration", ["duration: 100000 hosts for 720h0m0s is 72000000 host-hours, more than the 1000000"]),
        ("76-million-instances", ["marathon.apps[0].instances: the apps' instances add up to 1000000", "more than the 100000"]),
        ("80-pool-larger-than-disk", ["storage.hostGroups[0].volumeGroup: the thin pool's volume group (600000000000 bytes) is larger than the disk of host group \"slave\"", "1 error"]),
        ("81-thinp-percents-over-100", ["storage.hostGroups[0].storageOpts[\"dm.thinp_metapercent\"]: dm.thinp_percent (95) + dm.thinp_metapercent (10) is more than 100% of the volume group"]),
        ("82-negative-log-rate", ["marathon.behaviour[\"/web\"].logs.rate: \"-2MB/s\" is negative"]),
        ("83-volume-of-another-app", ["marathon.behaviour[\"/api\"].logs.hostVolume: host path \"/var/log/apps/api\" of app /api is nested with the host path \"/var/log/apps\" mapped by app /web"]),
        ("84-ceph-min-size-over-size", ["storage.ceph.min_size: min_size 3 is greater than size 2"]),
        ("90-include-deep", ["90-include-deep/f01.json:1:50: description[0][0]", "nesting deeper than 200 levels in the scenario after includes", "stands at level 151", "1 error"]),
        ("91-include-fanout", ["91-include-fanout/d28.json:", "more than 10000 includes in total", "91-include-fanout/d00.json -> ", "1 error"]),
        ("92-long-value-in-error", ["name: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…\" (20002 characters) contains \" \""]),
        ("93-kv-store-default-servers", [":7:25: network.kvStore.servers: 3 servers but host group \"kv\" has 1 host", "network.kvStore.servers is not given, so its default 3 applied (set by network.kvStore at ", "the host group's count is hostGroups[1].count = 1 (", "93-kv-store-default-servers.json:3:41)"]),
        ("94-mesos-default-masters", [":4:11: mesos.masters.count: 3 masters need 3 hosts, but host group \"master\" has 1", "mesos.masters.count is not given, so its default 3 applied (set by mesos at ", "hostGroups[0].count = 1 (", "94-mesos-default-masters.json:2:45)"]),
        ("95-marathon-pod-duplicate-container", [":6:15: marathon.groups[0].pods[0].containers[1].name: container name \"nginx\" is also containers[0]'s (Marathon: \"container names must be unique\")"]),
        ("96-prometheus-sample-limit", [":3:84: prometheus.config.scrape_configs[0].sample_limit: cannot unmarshal !!int `-1` into uint", "1 error"]),
    ]

    func testEveryBadInputFileHasAnExpectation() {
        let dir = CLI.root.appendingPathComponent("Tests/EndToEndTests/bad-inputs").path
        let files = CLI.files(in: dir).filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
        XCTAssertEqual(files, Self.expected.map(\.0))
        XCTAssertGreaterThanOrEqual(files.count, 25)
    }

    func testBadInputsExitTwoWithTheirMessageAndWriteNothing() throws {
        for (name, needles) in Self.expected {
            let parent = CLI.tempDir("bad")
            for command in ["run", "validate"] {
                var args = [command, "Tests/EndToEndTests/bad-inputs/\(name).json"]
                if command == "run" { args += ["--out", parent + "/out"] }
                let r = try CLI.run(args)
                XCTAssertEqual(r.status, 2, "\(command) \(name): \(r.stderr)")
                XCTAssertEqual(r.stdout, "", "\(command) \(name) printed to stdout")
                for n in needles {
                    XCTAssertTrue(r.stderr.contains(n), "\(command) \(name): expected «\(n)» in:\n\(r.stderr)")
                }
                XCTAssertTrue(r.stderr.contains("\(name).json:"), "\(name): error does not name the file")
            }
            XCTAssertEqual(CLI.files(in: parent), [], "\(name): something was written")
        }
        // the default output folder was not created either
        XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.root.appendingPathComponent("results/x").path))
    }

    func testBadOverrideIsInvalidInput() throws {
        let parent = CLI.tempDir("badset")
        let r = try CLI.run(["run", "scenarios/quickstart.json", "--set", "hostGroups[7].count=3", "--out", parent + "/o"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("hostGroups[7]"), r.stderr)
        let r2 = try CLI.run(["run", "scenarios/quickstart.json", "--set", "hostGroups[0].cpus=-1", "--out", parent + "/o"])
        XCTAssertEqual(r2.status, 2, r2.stderr)
        XCTAssertTrue(r2.stderr.contains("hostGroups[0].cpus"), r2.stderr)
        XCTAssertEqual(CLI.files(in: parent), [])
    }

    /// Deep and odd inputs that a file in bad-inputs cannot carry (issue 17 point 5).
    func testLongSetPathAndFifoIncludeAreInvalidInput() throws {
        let parent = CLI.tempDir("deepin")
        let path = Array(repeating: "a", count: 3000).joined(separator: ".")
        let r = try CLI.run(["run", "scenarios/quickstart.json", "--set", path + "=1", "--out", parent + "/o"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("the path has more than 200 components"), r.stderr)
        XCTAssertLessThan(r.stderr.utf8.count, 2000, "the 6,000-character path is cut in the message")
        // a FIFO given as an include is refused by its kind, without blocking on it
        XCTAssertEqual(mkfifo(parent + "/pipe.json", 0o600), 0)
        try #"{"name": "x", "duration": "1h", "hostGroups": [{"$include": "pipe.json"}]}"#.write(toFile: parent + "/s.json", atomically: true, encoding: .utf8)
        let f = try CLI.run(["validate", parent + "/s.json"])
        XCTAssertEqual(f.status, 2, f.stderr)
        XCTAssertTrue(f.stderr.contains("hostGroups[0].$include: cannot read included file \"pipe.json\""), f.stderr)
        XCTAssertTrue(f.stderr.contains("it is a FIFO (named pipe), not a regular file"), f.stderr)
        XCTAssertEqual(CLI.files(in: parent), ["pipe.json", "s.json"])
    }

    func testMissingScenarioFile() throws {
        let r = try CLI.run(["run", "scenarios/no-such-file.json", "--out", CLI.tempDir("nofile") + "/o"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("no-such-file.json"), r.stderr)
    }
}
