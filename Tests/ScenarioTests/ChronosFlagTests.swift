import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// Every Chronos flag loads as Chronos' Scallop reads it (ChronosFlagTable.swift): the modelled ones
/// set the spec, the others are listed in a warning with their values checked; flags of the other
/// version, unknown options and bad values are Chronos' refusals; `flagsFrom` reads a deployed
/// command line and the Mesosphere package's /etc/chronos/conf.
final class ChronosFlagTests: XCTestCase {
    func testAProductionFlagSetLoads() throws {
        let l = try XCTUnwrap(loadOK(ChronosInputTests.scenario(#"""
            {"flags": {"master": "zk://zk1:2181,zk2:2181/mesos", "zk_hosts": "zk1:2181,zk2:2181", "hostname": "chronos-1",
                       "http_port": "4400", "--mesos_framework_name": "chronos", "failure_retry": "30000", "mesos_task_cpu": "0.5",
                       "disable_after_failures": "3", "mesos_checkpoint": true, "task_epsilon": 30, "graphite_reporting_interval": "99999999999",
                       "mail_ssl": null}}
            """#)))
        let f = try XCTUnwrap(l.spec.chronos?.flags)
        XCTAssertEqual(f.failureRetry, .seconds(30), "\"30000\" as written on the command line, in ms")
        XCTAssertEqual(f.mesosTaskCpu, 0.5)
        XCTAssertEqual(f.disableAfterFailures, 3)
        XCTAssertEqual(f.taskEpsilon, .seconds(30))
        let w = l.warnings.filter { $0.contains("Chronos flags accepted but not modelled") }
        XCTAssertEqual(w.count, 1, "\(l.warnings)")
        for n in ["master", "zk_hosts", "hostname", "http_port", "mesos_framework_name", "graphite_reporting_interval", "mail_ssl"] {
            XCTAssertTrue(w.first?.contains(n) ?? false, "\(n): \(w)")
        }
    }

    func testChronosRefusals() {
        func only(_ flags: String, version: String = "2.x", _ path: String, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
            assertSingleError(ChronosInputTests.scenario(#"{"version": "\#(version)", "flags": \#(flags)}"#), path: path, fragments, file: file)
        }
        only(#"{"cassandra_port": "90x"}"#, "chronos.flags.cassandra_port", ["Bad arguments for option 'cassandra_port'", "Int"])
        only(#"{"cassandra_port": "99999999999"}"#, "chronos.flags.cassandra_port", ["Bad arguments"])
        only(#"{"mesos_task_mem": "lots"}"#, "chronos.flags.mesos_task_mem", ["expected a number"])
        only(#"{"mail_ssl": "yes"}"#, "chronos.flags.mail_ssl", ["Bad arguments"])
        only(#"{"schedule_horizon": 60}"#, version: "3.x", "chronos.flags.schedule_horizon", ["not a flag of Chronos 3.x", "only Chronos 2.x"])
        only(#"{"zk_auth": "user:pw"}"#, "chronos.flags.zk_auth", ["not a flag of Chronos 2.x", "only Chronos 3.x"])
        only(#"{"zk_host": "zk1:2181"}"#, "chronos.flags.zk_host", ["Unknown option 'zk_host'", "did you mean \"zk_hosts\""])
        only(#"{"http_port": 4400, "--http_port": 4401}"#, "chronos.flags.--http_port", ["given more than once", "[scallop] Error: Bad arguments for option 'http_port'"])
        // 3.x's toggle and its disable_ name load
        XCTAssertNotNil(loadOK(ChronosInputTests.scenario(#"{"version": "3.x", "flags": {"disable_http_compression": null, "disable_http": true, "zk_auth": "a:b"}}"#)))
    }

    func testThePackagesConfFolderAndACommandLine() throws {
        let dir = makeTempDir()
        write("4400\n", to: dir + "/etc/chronos/conf/http_port")
        write("20000\n", to: dir + "/etc/chronos/conf/failure_retry")
        write("", to: dir + "/etc/chronos/conf/?revive_offers_for_new_jobs")
        write("CPU=0.25\n", to: dir + "/default/chronos")
        write(ChronosInputTests.scenario(#"""
            {"flagsFrom": [{"folder": "etc/chronos/conf"}, {"environmentFile": "default/chronos"},
                           {"commandLine": "/usr/bin/chronos run_jar --mesos_task_cpu $CPU --zk_hosts zk1:2181"}]}
            """#), to: dir + "/s.json")
        let l = try ScenarioLoader.load(path: dir + "/s.json")
        let f = try XCTUnwrap(l.spec.chronos?.flags)
        XCTAssertEqual(f.failureRetry, .seconds(20))
        XCTAssertEqual(f.mesosTaskCpu, 0.25, "$CPU from the environment file")
        XCTAssertTrue(l.warnings.contains { $0.contains("not modelled: http_port, revive_offers_for_new_jobs, zk_hosts") || $0.contains("not modelled") && $0.contains("revive_offers_for_new_jobs") }, "\(l.warnings)")

        // the folder and the command line both give --http_port: Scallop's duplicate error
        write(ChronosInputTests.scenario(#"{"flagsFrom": [{"folder": "etc/chronos/conf"}, {"commandLine": "chronos --http_port 4401"}]}"#), to: dir + "/t.json")
        do { _ = try ScenarioLoader.load(path: dir + "/t.json"); XCTFail("expected an error") } catch {
            XCTAssertEqual(error.errors.count, 1, "\(error.errors)")
            XCTAssertTrue(error.errors.first?.message.contains("exactly one argument") ?? false, "\(error.errors)")
        }
        // a short option is not read: an excess argument (with its value)
        write(ChronosInputTests.scenario(#"{"flagsFrom": [{"commandLine": "chronos --zk_hosts zk1:2181 -z zk2:2181"}]}"#), to: dir + "/u.json")
        do { _ = try ScenarioLoader.load(path: dir + "/u.json"); XCTFail("expected an error") } catch {
            XCTAssertTrue(error.errors.first?.message.contains("Excess arguments provided: '-z zk2:2181'") ?? false, "\(error.errors)")
        }
    }
}
