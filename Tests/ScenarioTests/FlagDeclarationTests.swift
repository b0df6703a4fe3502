@testable import Scenario
import XCTest

/// The Mesos and Marathon flags are declared once (ScenarioKeys+MesosFlags.swift,
/// ScenarioKeys+Marathon.swift): the readers know exactly the declared flags, the declared units
/// and availability are the readers', and the declared defaults are the model's.
final class FlagDeclarationTests: XCTestCase {
    static let scenario = """
        {"name": "t", "duration": "2h",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 2, "cpus": 8, "memory": "64GiB", "disk": "500GB"}],
         "mesos": {"masters": {"flags": {}}, "agents": {"flags": {}}},
         "marathon": {"flags": {}}}
        """

    /// The flag names an unknown flag's message lists.
    func listedFlags(_ path: String, after marker: String) -> [String] {
        let key = "zzzzzzzzzzzzzzzz"
        let errs = loadErrors(Self.scenario, overrides: ["\(path).\(key)=1"])
        guard let e = errs.first(where: { $0.path == "\(path).\(key)" }), let r = e.message.range(of: marker) else {
            XCTFail("no unknown-flag error at \(path): \(errs)"); return []
        }
        return e.message[r.upperBound...].components(separatedBy: ", ")
    }

    func testUnknownFlagsListExactlyTheDeclaredFlags() {
        // Mesos: every flag of the release loads (MesosFlagTable.swift); an unknown name is stout's
        // error, and every declared (modelled) flag is one of Mesos' own names.
        for (path, role, keys) in [("mesos.masters.flags", MesosFlagRole.master, ScenarioSchema.mesosMasterFlagKeys),
                                   ("mesos.agents.flags", MesosFlagRole.agent, ScenarioSchema.mesosAgentFlagKeys)] {
            let errs = loadErrors(Self.scenario, overrides: ["\(path).zzzzzzzzzzzzzzzz=1"])
            XCTAssertTrue(errs.contains { $0.path == "\(path).zzzzzzzzzzzzzzzz" && $0.message.hasPrefix("Failed to load unknown flag 'zzzzzzzzzzzzzzzz'") }, "\(errs)")
            let table = ScenarioSchema.mesosFlagTable(role)
            for k in keys.names {
                XCTAssertTrue(table.contains { $0.name == k || $0.deprecatedName == k }, "\(path).\(k) is not a Mesos flag")
            }
        }
        XCTAssertEqual(listedFlags("marathon.flags", after: "modelled flags: "), ScenarioSchema.marathonFlagKeys.names)
    }

    func testMarathonFlagReadersMatchTheDeclarations() {
        XCTAssertEqual(MarathonFlagsDecoder.flags.map(\.name), ScenarioSchema.marathonFlagKeys.names)
        for f in MarathonFlagsDecoder.flags {
            let k = ScenarioSchema.marathonFlagKeys[f.name]
            let unit: String
            switch f.kind {
            case .ms:
                unit = "ms"
                XCTAssertFalse(k.allowed.contains("period"), f.name)
            case .period:
                unit = "ms"
                XCTAssertTrue(k.allowed.hasPrefix("Whole milliseconds >= 1,") && k.allowed.contains("period"), "\(f.name): a period flag says so")
            case .seconds: unit = "s"
            case .count(let least):
                unit = "count"
                XCTAssertTrue(k.allowed.hasPrefix(">= \(least)."), "\(f.name): declared \(k.allowed), reader's least \(least)")
            case .bool: unit = "bool"
            case .string: unit = "string"
            case .port:
                unit = "port"
                XCTAssertTrue(k.allowed.hasPrefix("1 to 65535"), f.name)
            }
            XCTAssertEqual(k.type, unit, f.name)
            if let a = f.availability {
                let text = a.text.prefix(1).uppercased() + a.text.dropFirst() + "."
                XCTAssertTrue(k.allowed.contains(text), "\(f.name): the declaration says \(text)")
            } else {
                XCTAssertFalse(k.allowed.contains("Marathon 1."), "\(f.name) exists in every supported version")
            }
        }
    }

    static func masters(_ flags: String) -> String {
        scenario.replacingOccurrences(of: #""masters": {"flags": {}}"#, with: #""masters": {"flags": {\#(flags)}}"#)
    }

    /// The deprecated `slave_*` names load as their flag with stout's warning (flags.cpp
    /// `DeprecatedName`, flags.hpp `load`), in every supported Mesos.
    func testOldSlaveNamesLoadWithMesosWarning() throws {
        for version in ["1.1", "1.4", "1.11"] {
            let s = try XCTUnwrap(loadOK(Self.masters(#""slave_ping_timeout": "30s", "max_slave_ping_timeouts": 3, "slave_reregister_timeout": "20m""#),
                                         overrides: ["mesos.version=\"\(version)\""]))
            let f = try XCTUnwrap(s.spec.mesos?.masterFlags)
            XCTAssertEqual(f.agentPingTimeout, .seconds(30))
            XCTAssertEqual(f.maxAgentPingTimeouts, 3)
            XCTAssertEqual(f.agentReregisterTimeout, .minutes(20))
            XCTAssertTrue(s.warnings.contains { $0.contains("mesos.masters.flags.slave_ping_timeout") && $0.contains("Loaded deprecated flag 'slave_ping_timeout'") }, s.warnings.joined(separator: "\n"))
        }
    }

    /// Both names: stout's duplicate error at the later one; a bad value is reported at the name written.
    func testBothNamesAreAnErrorAndValuesAreCheckedUnderTheOldName() {
        assertSingleError(Self.masters(#""agent_ping_timeout": "20s", "slave_ping_timeout": "30s""#), path: "mesos.masters.flags.slave_ping_timeout",
                          ["Flag 'slave_ping_timeout' is already loaded via name 'agent_ping_timeout'"])
        assertSingleError(Self.masters(#""slave_ping_timeout": "30s", "agent_ping_timeout": "20s""#), path: "mesos.masters.flags.agent_ping_timeout",
                          ["Flag 'agent_ping_timeout' is already loaded via name 'slave_ping_timeout'"])
        assertSingleError(Self.masters(#""slave_reregister_timeout": "1m""#), path: "mesos.masters.flags.slave_reregister_timeout", ["at least 10m"])
    }
}

extension DeclaredDefaultsTests {
    func testFlagDefaultsAreTheDeclaredOnes() {
        let s = FlagDeclarationTests.scenario
        check(ScenarioSchema.mesosMasterFlagKeys, at: "mesos.masters.flags", in: s,
              wordDefaults: ["agent_removal_rate_limit", "allocator", "role_sorter", "min_allocatable_resources", "offer_timeout", "quorum", "weights"])
        check(ScenarioSchema.mesosAgentFlagKeys, at: "mesos.agents.flags", in: s, wordDefaults: ["container_logger", "modules", "resources"])
        // Defaults of the baseline 1.4; the words are version-dependent or flags 1.4 does not have.
        check(ScenarioSchema.marathonFlagKeys, at: "marathon.flags", in: s,
              wordDefaults: ["offer_matching_timeout", "min_revive_offers_interval", "revive_offers_repetitions", "suppress_offers", "zk_connection_timeout",
                             "max_running_deployments", "minimum_viable_task_execution_duration"])
    }
}
