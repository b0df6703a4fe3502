import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

final class ValidScenarioTests: XCTestCase {
    func testMinimalScenarioGetsTheDefaults() throws {
        let s = try XCTUnwrap(loadOK(minimalScenario))
        XCTAssertEqual(s.spec, ClusterSpec(
            name: "t", description: "", seed: 1, duration: .hours(2), sampleInterval: .seconds(15), datacenters: [],
            hostGroups: [HostGroupSpec(name: "slave", count: 40, datacenter: "dc01", racks: ["rack-01"], cpus: 8,
                                       memoryBytes: 64 << 30, diskBytes: 500_000_000_000, nicBitsPerSecond: 1_000_000_000)],
            faults: []))
        XCTAssertEqual(s.warnings, [])
    }

    func testEverythingSpelledOut() throws {
        let text = """
        {
          "name": "capacity.plan_2019-q3",
          "description": "All keys.",
          "seed": 18446744073709551615,
          "duration": 5400,
          "sampleInterval": "1m30s",
          "datacenters": [{"name": "dc01", "racks": ["r1", "r2", "r3"]}, {"name": "dc02"}],
          "hostGroups": [
            {"name": "master", "count": 3, "datacenter": "dc01", "rack": "r2", "cpus": 4, "memory": "16GiB", "disk": "200GB"},
            {"name": "slave", "count": 120, "datacenter": "dc01", "racks": ["r3", "r1"], "cpus": 23.5, "memory": 68719476736,
             "disk": "1.5TB", "nic": "10Gbps", "attributes": {"zone": "a", "cores": 24, "weight": 1.50}},
            {"name": "edge", "count": 2, "datacenter": "dc02", "racks": ["any-name"], "cpus": 2, "memory": "4gib", "disk": "64KiB", "nic": "250MB/s"}
          ],
          "faults": [
            {"at": "1h", "kind": "hostCrash", "host": "slave-007", "recoverAfter": "20m"},
            {"at": 0, "kind": "hostCrash", "host": "master-01"},
            {"at": "30m", "kind": "hostRecover", "host": "master-01"},
            {"at": "45m", "kind": "hostReboot", "hostGroup": "slave", "count": 3},
            {"at": "1h15m", "kind": "hostReboot", "host": "edge-02", "downFor": "90s"},
            {"at": "1h30m", "kind": "hostCrash", "hostGroup": "edge"}
          ]
        }
        """
        let s = try XCTUnwrap(loadOK(text)).spec
        XCTAssertEqual(s.name, "capacity.plan_2019-q3")
        XCTAssertEqual(s.seed, UInt64.max)
        XCTAssertEqual(s.duration, .minutes(90))
        XCTAssertEqual(s.sampleInterval, .seconds(90))
        XCTAssertEqual(s.datacenters, [DatacenterSpec(name: "dc01", racks: ["r1", "r2", "r3"]), DatacenterSpec(name: "dc02")])
        XCTAssertEqual(s.hostGroups.map(\.racks), [["r2"], ["r3", "r1"], ["any-name"]])
        XCTAssertEqual(s.hostGroups[1].cpus, 23.5)
        XCTAssertEqual(s.hostGroups[1].memoryBytes, 64 << 30)
        XCTAssertEqual(s.hostGroups[1].diskBytes, 1_500_000_000_000)
        XCTAssertEqual(s.hostGroups[1].nicBitsPerSecond, 10_000_000_000)
        XCTAssertEqual(s.hostGroups[1].attributes, [Attribute(name: "zone", value: "a"), Attribute(name: "cores", value: "24"),
                                                   Attribute(name: "weight", value: "1.50")])
        XCTAssertEqual(s.hostGroups[2].memoryBytes, 4 << 30)
        XCTAssertEqual(s.hostGroups[2].diskBytes, 65536)
        XCTAssertEqual(s.hostGroups[2].nicBitsPerSecond, 2_000_000_000)
        XCTAssertEqual(s.faults, [
            FaultSpec(at: .hours(1), kind: .hostCrash, target: .host("slave-007"), recoverAfter: .minutes(20)),
            FaultSpec(at: .zero, kind: .hostCrash, target: .host("master-01")),
            FaultSpec(at: .minutes(30), kind: .hostRecover, target: .host("master-01")),
            FaultSpec(at: .minutes(45), kind: .hostReboot, target: .group("slave", count: 3)),
            FaultSpec(at: .minutes(75), kind: .hostReboot, target: .host("edge-02"), downFor: .seconds(90)),
            FaultSpec(at: .minutes(90), kind: .hostCrash, target: .group("edge", count: 1)),
        ])
    }

    func testSingleDeclaredDatacenterIsTheDefault() throws {
        let s = try XCTUnwrap(loadOK(#"{"name": "x", "duration": "1h", "datacenters": [{"name": "east"}], "hostGroups": [{"name": "a", "count": 1, "cpus": 1, "memory": 1, "disk": 1}]}"#))
        XCTAssertEqual(s.spec.hostGroups[0].datacenter, "east")
        XCTAssertEqual(s.spec.hostGroups[0].racks, ["rack-01"])
    }

    func testRecoveryAfterTheEndIsAWarning() throws {
        let s = try XCTUnwrap(loadOK(#"{"name": "x", "duration": "1h", "hostGroups": [{"name": "a", "count": 1, "cpus": 1, "memory": 1, "disk": 1}], "faults": [{"at": "50m", "kind": "hostCrash", "host": "a-01", "recoverAfter": "20m"}]}"#))
        XCTAssertEqual(s.warnings, ["s.json:1:189: faults[0].recoverAfter: the host would recover at 1h10m0s, after the end of the run (1h0m0s); it stays down until the end"])
    }
}

final class UnitsTests: XCTestCase {
    func size(_ s: String) -> Int64? { try? ScenarioUnits.size(.string(s)).get() }
    func rate(_ s: String) -> Int64? { try? ScenarioUnits.rate(.string(s)).get() }

    func testSizes() {
        XCTAssertEqual(size("100GB"), 100_000_000_000)
        XCTAssertEqual(size("100gb"), 100_000_000_000)
        XCTAssertEqual(size("2GiB"), 2 << 30)
        XCTAssertEqual(size("64KiB"), 65536)
        XCTAssertEqual(size("1kB"), 1000)
        XCTAssertEqual(size("1KB"), 1000)
        XCTAssertEqual(size("512B"), 512)
        XCTAssertEqual(size("512b"), 512)
        XCTAssertEqual(size("512"), 512)
        XCTAssertEqual(size("1.5GiB"), 1_610_612_736)
        XCTAssertEqual(size("2 TiB"), 2 << 40)
        XCTAssertEqual(size("1PB"), 1_000_000_000_000_000)
        XCTAssertEqual(try? ScenarioUnits.size(JSONValue(.number(JSONNumber(text: "4096", double: 4096)))).get(), 4096)
        XCTAssertNil(size("10XB"))
        XCTAssertNil(size("GB"))
        XCTAssertNil(size("10k"))
        XCTAssertNil(size("-1GB"))
        XCTAssertNil(size("100000PB"))
        XCTAssertEqual(ScenarioUnits.size(.string("-1GB")), .failure(UnitError("\"-1GB\" is negative; a size must not be negative")))
        XCTAssertEqual(ScenarioUnits.size(.string("100000PB")), .failure(UnitError("\"100000PB\" is too large for a size")))
    }

    func testRates() {
        XCTAssertEqual(rate("10Gbit"), 10_000_000_000)
        XCTAssertEqual(rate("1Gbit"), 1_000_000_000)
        XCTAssertEqual(rate("100Mbit"), 100_000_000)
        XCTAssertEqual(rate("100Mbit/s"), 100_000_000)
        XCTAssertEqual(rate("10Gbps"), 10_000_000_000)
        XCTAssertEqual(rate("250MB/s"), 2_000_000_000)
        XCTAssertEqual(rate("1GiB/s"), 8 << 30)
        XCTAssertEqual(rate("1Gibit"), 1 << 30)
        XCTAssertEqual(rate("1kbit"), 1000)
        XCTAssertEqual(rate("1500"), 1500)
        XCTAssertNil(rate("10Gb"))
        XCTAssertNil(rate("10Mb/s"))
        XCTAssertNil(rate("10MBps"))
        XCTAssertNil(rate("fast"))
        XCTAssertNil(rate("-1Gbit"))
    }

    func testDurations() {
        func dur(_ v: JSONValue) -> SimDuration? { try? ScenarioUnits.duration(v).get() }
        XCTAssertEqual(dur(.string("15s")), .seconds(15))
        XCTAssertEqual(dur(.string("1m30s")), .seconds(90))
        XCTAssertEqual(dur(.string("1m30m")), .minutes(31))           // Go adds the parts
        XCTAssertEqual(dur(.string("24h")), .hours(24))
        XCTAssertEqual(dur(.string("250ms")), .milliseconds(250))
        XCTAssertEqual(dur(.number(90)), .seconds(90))
        XCTAssertEqual(dur(JSONValue(.number(JSONNumber(text: "0.25", double: 0.25)))), .milliseconds(250))
        XCTAssertEqual(dur(.string("0")), .zero)
        XCTAssertNil(dur(.string("10 minutes")))
        XCTAssertNil(dur(.string("5")))                                 // Go requires a unit
        XCTAssertNil(dur(.string("1d")))
        XCTAssertNil(dur(JSONValue(.number(JSONNumber(text: "1e10", double: 1e10)))))
        XCTAssertNil(dur(JSONValue(.bool(true))))
    }
}
