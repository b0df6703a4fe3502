import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// Issue 8 point 5: every number is range-checked where it is decoded. The reduced inputs of the
/// mutation run either give one error naming the JSON path and the limit, or (where the real
/// system accepts the value and it can be simulated) run to the end without a trap.
final class RangeCheckTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func shipped(_ name: String) -> String { Self.root.appendingPathComponent("scenarios/\(name)").path }

    func shippedErrors(_ name: String, _ overrides: [String]) -> [ScenarioError] {
        do {
            _ = try ScenarioLoader.load(path: shipped(name), overrides: overrides)
            XCTFail("expected errors with \(overrides)")
            return []
        } catch { return error.errors }
    }

    func assertOneError(_ name: String, _ overrides: [String], path: String, _ fragments: [String],
                        file: StaticString = #filePath, line: UInt = #line) {
        let errs = shippedErrors(name, overrides)
        XCTAssertEqual(errs.count, 1, errs.map(\.description).joined(separator: "\n"), file: file, line: line)
        guard let e = errs.first else { return }
        XCTAssertEqual(e.path, path, file: file, line: line)
        for f in fragments { XCTAssertTrue(e.message.contains(f), "\(e.message) lacks \(f)", file: file, line: line) }
    }

    /// Runs a shipped scenario with overrides to its end; returns the logged events.
    func runToEnd(_ name: String, _ overrides: [String], file: StaticString = #filePath, line: UInt = #line) -> [LoggedEvent] {
        guard let loaded = try? ScenarioLoader.load(path: shipped(name), overrides: overrides) else {
            XCTFail("\(name) with \(overrides) does not load", file: file, line: line); return []
        }
        let obs = MemoryObserver()
        let model = ClusterSimulation(spec: loaded.spec, observer: obs)
        XCTAssertTrue(model.run(), file: file, line: line)
        XCTAssertEqual(model.sim.now, model.endTime, file: file, line: line)
        return obs.events
    }

    // MARK: traps

    func testHugeHostCpusAreRefusedNotTrapped() {
        for v in ["1e19", "1e308", "18446744073709551616"] {
            let errs = shippedErrors("crash-loop.json", ["hostGroups[1].cpus=\(v)"])
            XCTAssertEqual(errs.map(\.path), ["hostGroups[1].cpus"], v)
            XCTAssertTrue(errs.first?.message.contains("got \(v)") ?? false, errs.first?.message ?? "")
        }
        assertOneError("crash-loop.json", ["hostGroups[1].cpus=2000000"], path: "hostGroups[1].cpus",
                       ["2000000 cores is more than the 1000000 a host may have"])
    }

    func testScalarInitClampsInsteadOfTrapping() {
        XCTAssertEqual(Scalar(1e19).milli, 9_007_199_254_740_992)
        XCTAssertEqual(Scalar(-1e308).milli, -9_007_199_254_740_992)
        XCTAssertEqual(Scalar(.nan).milli, 0)
        XCTAssertEqual(Scalar(1.5).milli, 1500)
    }

    func testHostTotalsCannotOverflow() {
        // a size is at most 1 EiB, so 9223372036854775807 is refused where it is read ...
        assertOneError("crash-loop.json", ["hostGroups[1].disk=9223372036854775807"], path: "hostGroups[1].disk",
                       ["too large for a size", "at most 1152921504606846976 bytes"])
        // ... and eight hosts of 1 EiB add up to more than Int64 counts
        assertOneError("crash-loop.json", ["hostGroups[1].disk=1024PiB", "hostGroups[1].count=8"], path: "hostGroups[1].disk",
                       ["the disks of all hosts add up to more than 9223372036854775807 bytes"])
        assertOneError("crash-loop.json", ["hostGroups[1].memory=1024PiB", "hostGroups[1].count=9"], path: "hostGroups[1].memory",
                       ["the memory of all hosts adds up to more than"])
    }

    func testOutOfRangeNumbersAndDurationsAreRefusedWhereRead() {
        assertOneError("crash-loop.json", ["marathon.flags={\"task_launch_timeout\": 9223372036854775807}"], path: "marathon.flags.task_launch_timeout",
                       ["from 0 to 3153600000000", "876000h (100 years)"])
        assertOneError("crash-loop.json", ["duration=1000000h"], path: "duration", ["\"1000000h\" is out of range", "876000h (100 years)"])
        assertOneError("crash-loop.json", ["duration=3000000000h"], path: "duration", ["is out of range"])
        assertOneError("crash-loop.json", ["mesos.masters={\"flags\": {\"max_agent_ping_timeouts\": 9223372036854775807}}"],
                       path: "mesos.masters.flags.max_agent_ping_timeouts", ["an integer from 1 to 2147483647"])
        assertOneError("crash-loop.json", ["mesos.agents={\"flags\": {\"resources\": \"cpus:inf\"}}"], path: "mesos.agents.flags.resources",
                       ["bad value \"inf\" for cpus"])
        assertOneError("crash-loop.json", ["hostGroups[1].nic=1000000Tbit"], path: "hostGroups[1].nic", ["a rate is at most"])
    }

    /// Values the real systems accept and the simulator can run: they run to the end.
    func testTinyTimeoutsAndRatesRunToTheEnd() {
        let events = runToEnd("crash-loop.json", ["marathon.flags={\"task_launch_timeout\": 1}"])
        XCTAssertTrue(events.contains { $0.event == "launchTimeout" }, "a 1 ms task_launch_timeout times launches out")
        _ = runToEnd("ceph-osd-failure.json", ["storage.ceph.osdBandwidth=1bit"])
        _ = runToEnd("devicemapper-incident.json", ["marathon.behaviour[\"/shop/order\"].logs.rate=1B/s"])
    }

    // MARK: hangs: zero periods

    func testZeroBackoffFactorsAndPeriodsAreRefusedWithTheRealSystemsView() {
        assertOneError("crash-loop.json", ["mesos.agents={\"flags\": {\"registration_backoff_factor\": \"0s\"}}"],
                       path: "mesos.agents.flags.registration_backoff_factor", ["Mesos accepts 0s", "cannot be simulated"])
        assertOneError("crash-loop.json", ["mesos.schedulerRegistrationBackoffFactor=0s"],
                       path: "mesos.schedulerRegistrationBackoffFactor", ["accepts 0s", "cannot be simulated"])
        assertOneError("crash-loop.json", ["marathon.flags={\"launch_token_refresh_interval\": 0}"],
                       path: "marathon.flags.launch_token_refresh_interval", ["Marathon accepts 0", "cannot be simulated", "default is 30000"])
        assertOneError("crash-loop.json", ["marathon.flags={\"reconciliation_interval\": \"0s\"}"],
                       path: "marathon.flags.reconciliation_interval", ["greater than 0"])
        // the smallest positive values run
        _ = runToEnd("crash-loop.json", ["mesos.agents={\"flags\": {\"registration_backoff_factor\": \"1ns\"}}",
                                          "mesos.schedulerRegistrationBackoffFactor=1ns",
                                          "marathon.flags={\"launch_token_refresh_interval\": 1}"])
    }

    // MARK: work far beyond the machine

    func testWorkFarBeyondTheMachineIsRefusedNamingKeyAndLimit() {
        assertOneError("quickstart.json", ["hostGroups[1].count=100000", "duration=720h", "sampleInterval=1h", "faults=[]"], path: "hostGroups[1].count",
                       ["100003 hosts, more than the 100000 hosts"])
        assertOneError("quickstart.json", ["hostGroups[1].count=99997", "duration=720h", "sampleInterval=1h", "faults=[]"], path: "duration",
                       ["100000 hosts for 720h0m0s is 72000000 host-hours, more than the 1000000"])
        assertOneError("quickstart.json", ["sampleInterval=1ns"], path: "sampleInterval", ["must be at least 1ms"])
        assertOneError("quickstart.json", ["sampleInterval=1ms", "duration=24h"], path: "sampleInterval", ["86400000 samples, more than the 10000000"])
        assertOneError("quickstart.json", ["sampleInterval=1s", "duration=24h", "hostGroups[1].count=5000", "faults=[]"], path: "sampleInterval",
                       ["rows of hosts.csv, more than 100000000"])
        assertOneError("crash-loop.json", ["marathon.apps[0].instances=1000000"], path: "marathon.apps[0].instances",
                       ["add up to 1000000", "more than the 100000"])
    }

    /// Names end up in every row of hosts.csv and in host names: a million-character host group name
    /// loaded and made gigabytes of CSV (found by the fuzzer). Host names are DNS labels (at most 63).
    func testNamesAreBoundedLikeDNSLabels() throws {
        let g56 = String(repeating: "g", count: 56), g57 = String(repeating: "g", count: 57)
        XCTAssertNoThrow(try ScenarioLoader.load(path: shipped("master-failover.json"), overrides: ["hostGroups[0].name=\(g56)"]))
        assertOneError("master-failover.json", ["hostGroups[0].name=\(g57)"], path: "hostGroups[0].name",
                       ["is 57 characters long", "at most 56"])
        assertOneError("master-failover.json", ["hostGroups[0].rack=" + String(repeating: "r", count: 64)], path: "hostGroups[0].rack",
                       ["is 64 characters long", "at most 63", "RFC 1035"])
        XCTAssertNoThrow(try ScenarioLoader.load(path: shipped("master-failover.json"), overrides: ["hostGroups[0].rack=" + String(repeating: "r", count: 63)]))
    }
}
