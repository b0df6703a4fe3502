import XCTest
@testable import Scenario
@testable import ClusterModel

/// `marathon.flags` loads every flag Marathon 1.4 to 1.10 accepts, reads values as its command line
/// (Scallop) does, and refuses what Marathon refuses, in its words (docs/marathon.md "Flags").
final class MarathonFlagTableTests: XCTestCase {
    func scenario(_ version: String, _ flags: String) -> String {
        marathonScenario(#"{"version": "\#(version)", "flags": \#(flags)}"#)
    }

    func load(_ version: String, _ flags: String, file: StaticString = #filePath, line: UInt = #line) -> (MarathonFlags, [String])? {
        guard let l = loadOK(scenario(version, flags), file: file, line: line), let f = l.spec.marathon?.flags else { return nil }
        return (f, l.warnings.filter { $0.contains("marathon.flags") })
    }

    /// A production flag set as a Mesosphere package deploys it (strings as on the command line).
    static let production = #"""
        {"master": "zk://zk1:2181,zk2:2181,zk3:2181/mesos", "zk": "zk://zk1:2181,zk2:2181,zk3:2181/marathon",
         "hostname": "master-01.dc1", "http_port": "8080", "https_port": "8443", "event_subscriber": "http_callback",
         "enable_features": "vips,task_killing", "task_launch_timeout": "300000", "disable_http": true,
         "mesos_authentication": true, "mesos_authentication_principal": "marathon", "framework_name": "marathon",
         "webui_url": "https://marathon.dc1", "mesos_leader_ui_url": "http://master-01.dc1:5050", "metrics": true,
         "env_vars_prefix": "MARATHON_", "checkpoint": "true", "disable_ha": null, "max_tasks_per_offer": "8",
         "--launch_tokens": "50"}
        """#

    func testAProductionFlagSetLoadsWithOneWarningListingTheUnmodelledFlags() throws {
        let (f, warnings) = try XCTUnwrap(load("1.4.9", Self.production))
        XCTAssertEqual(f.taskLaunchTimeout, .milliseconds(300_000))
        XCTAssertEqual(f.httpPort, 8080)
        XCTAssertEqual(f.launchTokens, 50)
        XCTAssertEqual(f.maxInstancesPerOffer, 8, "1.4's deprecated max_tasks_per_offer is read when max_instances_per_offer is absent")
        let listing = warnings.filter { $0.contains("accepted but not modelled") }
        XCTAssertEqual(listing.count, 1, "\(warnings)")
        let unmodelled = ["master", "zk", "hostname", "https_port", "event_subscriber", "enable_features", "disable_http",
                          "mesos_authentication", "mesos_authentication_principal", "framework_name", "webui_url",
                          "mesos_leader_ui_url", "metrics", "env_vars_prefix", "checkpoint", "disable_ha"]
        let first = try XCTUnwrap(listing.first)
        XCTAssertTrue(first.hasSuffix(": " + unmodelled.joined(separator: ", ")), first)
        XCTAssertTrue(warnings.contains { $0.contains("marathon.flags.event_subscriber") && $0.contains("HttpCallbackEventSubscriber support is deprecated") }, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.contains("marathon.flags.max_tasks_per_offer") && $0.contains("(deprecated)") }, "\(warnings)")
    }

    func testMaxInstancesPerOfferWinsOverItsDeprecatedName() throws {
        let (f, _) = try XCTUnwrap(load("1.4", #"{"max_tasks_per_offer": 8, "max_instances_per_offer": 3}"#))
        XCTAssertEqual(f.maxInstancesPerOffer, 3)
        let (g, _) = try XCTUnwrap(load("1.4", #"{"max_instances_per_offer": 3, "max_tasks_per_offer": 8}"#))
        XCTAssertEqual(g.maxInstancesPerOffer, 3, "whatever the order")
        assertSingleError(scenario("1.5", #"{"max_tasks_per_offer": 8}"#), path: "marathon.flags.max_tasks_per_offer", ["up to Marathon 1.4", "1.5.0"])
    }

    func testCommandLineStringsReadAsTheirNumbers() throws {
        for (name, text) in [("task_launch_timeout", "300000"), ("launch_tokens", "50"), ("failover_timeout", "3600"),
                             ("local_port_min", "12000"), ("launch_token_refresh_interval", "+1000")] {
            let a = try XCTUnwrap(load("1.6.322", #"{"\#(name)": "\#(text)"}"#)).0
            let b = try XCTUnwrap(load("1.6.322", #"{"\#(name)": \#(Int(text)!)}"#)).0
            XCTAssertEqual(a, b, name)
        }
        // a Go duration still reads as before
        XCTAssertEqual(try XCTUnwrap(load("1.4", #"{"task_launch_timeout": "5m"}"#)).0.taskLaunchTimeout, .seconds(300))
    }

    func testAMillisecondFlagsBadStringSaysMillisecondsAndScallopsMessage() {
        let e = assertSingleError(scenario("1.4", #"{"task_launch_timeout": "300000x"}"#), path: "marathon.flags.task_launch_timeout",
                                  ["whole milliseconds", "\"300000\"", "Go duration", "Bad arguments for option 'task_launch_timeout': '300000x' - wrong arguments format"])
        XCTAssertFalse(e?.message.contains("number of seconds") ?? true)
        assertSingleError(scenario("1.7.50", #"{"launch_tokens": "many"}"#), path: "marathon.flags.launch_tokens",
                          ["[scallop] Error: Bad arguments for option 'launch_tokens': 'many' - bad Int value"])
        // an Int option beyond Int range (offer_matching_timeout is opt[Int])
        assertSingleError(scenario("1.10", #"{"offer_matching_timeout": 3000000000}"#), path: "marathon.flags.offer_matching_timeout", ["bad Int value"])
    }

    func testUnmodelledValuesAreCheckedByTheirType() {
        assertSingleError(scenario("1.4", #"{"https_port": "abc"}"#), path: "marathon.flags.https_port",
                          ["Bad arguments for option 'https_port': 'abc' - wrong arguments format"])
        assertSingleError(scenario("1.9.32", #"{"zk_max_versions": "1.5"}"#), path: "marathon.flags.zk_max_versions", ["bad Int value"])
        assertSingleError(scenario("1.9.32", #"{"zk_max_node_size": -1}"#), path: "marathon.flags.zk_max_node_size",
                          ["Validation failure for 'zk_max_node_size' option parameters: -1"])
        assertSingleError(scenario("1.4", #"{"framework_name": true}"#), path: "marathon.flags.framework_name", ["you should provide exactly one argument"])
        assertSingleError(scenario("1.4", #"{"disable_http": "yes"}"#), path: "marathon.flags.disable_http", ["takes no value", "Excess arguments provided: 'yes'"])
        assertSingleError(scenario("1.4", #"{"zk": "zk1:2181/marathon"}"#), path: "marathon.flags.zk", ["ZooKeeper URL", "Validation failure for 'zk'"])
        assertSingleError(scenario("1.10", #"{"zk": "zk://zk1:2181"}"#), path: "marathon.flags.zk", ["is not a valid zk url"])
        assertSingleError(scenario("1.5", #"{"leader_election_backend": "twitter_commons"}"#), path: "marathon.flags.leader_election_backend",
                          ["\"curator\"", "Validation failure for 'leader_election_backend' option parameters: twitter_commons"])
        XCTAssertNotNil(load("1.4", #"{"leader_election_backend": "twitter_commons", "internal_store_backend": "mesos_zk"}"#))
        assertSingleError(scenario("1.10", #"{"new_group_enforce_role": "bottom"}"#), path: "marathon.flags.new_group_enforce_role",
                          ["Setting bottom is invalid. Valid settings are off, top"])
        XCTAssertNotNil(load("1.10", #"{"new_group_enforce_role": "TOP", "accepted_resource_roles_default_behavior": "unreserved"}"#))
    }

    func testChecksAcrossOptionsAreScallops() {
        assertSingleError(scenario("1.4", #"{"mesos_authentication": true}"#), path: "marathon.flags.mesos_authentication",
                          ["When specifying 'mesos_authentication', all of the following options must also be provided: mesos_authentication_principal"])
        // the disable_ form supplies the option too
        assertSingleError(scenario("1.4", #"{"disable_mesos_authentication": true}"#), path: "marathon.flags.disable_mesos_authentication", ["mesos_authentication_principal"])
        assertSingleError(scenario("1.9.32", #"{"mesos_authentication_secret": "s", "mesos_authentication_secret_file": "/etc/s"}"#),
                          path: "marathon.flags.mesos_authentication_secret_file", ["There should be only one or zero of the following options"])
        assertSingleError(scenario("1.6.322", #"{"plugin_dir": "/opt/plugins"}"#), path: "marathon.flags.plugin_dir", ["co-dependent: plugin_conf, plugin_dir"])
        XCTAssertNotNil(load("1.6.322", #"{"plugin_dir": "/opt/plugins", "plugin_conf": "/etc/plugins.json"}"#))
        // from 1.8.180 the group versions cache must exceed twice the running deployments (defaults 1000 and 100)
        assertSingleError(scenario("1.8.180", #"{"max_running_deployments": 500}"#), path: "marathon.flags.max_running_deployments",
                          ["group_versions_cache_size must be more than 2 times higher than max_running_deployments"])
        XCTAssertNotNil(load("1.8.180", #"{"max_running_deployments": 500, "group_versions_cache_size": "1001"}"#))
        XCTAssertNotNil(load("1.7.37", #"{"max_running_deployments": 500}"#))
    }

    func testAnUnknownFeatureIsMarathonsError() {
        assertSingleError(scenario("1.4", #"{"enable_features": "vips,quantum"}"#), path: "marathon.flags.enable_features",
                          ["requirement failed: Unknown features specified: quantum. Available features are: vips, task_killing"])
        // maintenance_mode is a feature from 1.6.0 and before 1.8.0 (Features.scala)
        XCTAssertNotNil(load("1.7.37", #"{"enable_features": "maintenance_mode, vips"}"#))
        assertSingleError(scenario("1.8.180", #"{"enable_features": "maintenance_mode"}"#), path: "marathon.flags.enable_features", ["Unknown features specified: maintenance_mode"])
        // before 1.8, gpu_scheduling_behavior needs the gpu_resources feature
        assertSingleError(scenario("1.6.352", #"{"gpu_scheduling_behavior": "restricted"}"#), path: "marathon.flags.gpu_scheduling_behavior",
                          ["gpu_resources must be set in order to use gpu_scheduling_behavior"])
        XCTAssertNotNil(load("1.6.352", #"{"gpu_scheduling_behavior": "restricted", "enable_features": "gpu_resources"}"#))
    }

    /// `task_killing` is the one feature modelled: Marathon declares TASK_KILLING_STATE with it
    /// (MarathonSchedulerDriver.scala), off by default; alone it is no longer "not modelled".
    func testTheTaskKillingFeatureIsModelled() throws {
        let (plain, _) = try XCTUnwrap(load("1.4", #"{"task_launch_timeout": "300000"}"#))
        XCTAssertFalse(plain.taskKillingState)
        let (on, quiet) = try XCTUnwrap(load("1.4", #"{"enable_features": "task_killing"}"#))
        XCTAssertTrue(on.taskKillingState)
        XCTAssertFalse(quiet.contains { $0.contains("not modelled") }, "\(quiet)")
        let (both, warned) = try XCTUnwrap(load("1.10.5", #"{"enable_features": "vips,task_killing"}"#))
        XCTAssertTrue(both.taskKillingState)
        XCTAssertTrue(warned.contains { $0.contains("not modelled") && $0.contains("enable_features") }, "\(warned)")
    }

    func testAnUnknownFlagIsScallopsError() {
        assertSingleError(scenario("1.10", #"{"enable_feature": "vips"}"#), path: "marathon.flags.enable_feature",
                          ["unknown Marathon flag", "[scallop] Error: Unknown option 'enable_feature'", "did you mean \"enable_features\""])
        assertSingleError(scenario("1.4", #"{"disable_task_launch_timeout": true}"#), path: "marathon.flags.disable_task_launch_timeout", ["Unknown option"])
        // command-line-flags.md lists it; no tag's code declares it
        assertSingleError(scenario("1.4", #"{"launch_token_count": 10}"#), path: "marathon.flags.launch_token_count", ["Unknown option 'launch_token_count'"])
    }

    func testAFlagOfALaterReleaseNamesTheReleasesThatHaveIt() {
        assertSingleError(scenario("1.7.37", #"{"metrics_prometheus": true}"#), path: "marathon.flags.metrics_prometheus",
                          ["Marathon 1.7.50 and later", "marathon.version is 1.7.37"])
        assertSingleError(scenario("1.6.0", #"{"app_info_module_execution_context_size": 4}"#), path: "marathon.flags.app_info_module_execution_context_size",
                          ["Marathon 1.5.7 to 1.5.15 and 1.6.322 and later"])
        assertSingleError(scenario("1.5", #"{"event_subscriber": "http_callback"}"#), path: "marathon.flags.event_subscriber", ["Marathon 1.4.0 to 1.4.13"])
    }

    func testTogglesInBothFormsAreScallopsError() throws {
        assertSingleError(scenario("1.4", #"{"checkpoint": true, "disable_checkpoint": true}"#), path: "marathon.flags.disable_checkpoint",
                          ["given 2 times", "Bad arguments for option 'checkpoint'", "wrong arguments format"])
        assertSingleError(scenario("1.8.180", #"{"suppress_offers": true, "--disable_suppress_offers": ""}"#), path: "marathon.flags.--disable_suppress_offers",
                          ["wrong arguments format"])
        assertSingleError(scenario("1.4", #"{"task_launch_timeout": 1000, "--task_launch_timeout": "2000"}"#), path: "marathon.flags.--task_launch_timeout",
                          ["Bad arguments for option 'task_launch_timeout': '1000 2000' - you should provide exactly one argument for this option"])
    }

    func testADisableFormTurnsAToggleOff() throws {
        XCTAssertEqual(try XCTUnwrap(load("1.8.180", #"{"disable_suppress_offers": true}"#)).0.suppressOffers, false)
        XCTAssertEqual(try XCTUnwrap(load("1.8.180", #"{"disable_suppress_offers": "true"}"#)).0.suppressOffers, false)
        XCTAssertEqual(try XCTUnwrap(load("1.8.180", #"{"disable_suppress_offers": null}"#)).0.suppressOffers, false)
        XCTAssertEqual(try XCTUnwrap(load("1.8.180", #"{"suppress_offers": false}"#)).0.suppressOffers, false)
        XCTAssertEqual(try XCTUnwrap(load("1.7.37", #"{"suppress_offers": "true"}"#)).0.suppressOffers, true)
    }

    func testDeprecatedFlagsLoadWithMarathonsWords() throws {
        let (_, w) = try XCTUnwrap(load("1.8.218", #"{"revive_offers_repetitions": 2}"#))
        XCTAssertTrue(w.contains { $0.contains("Deprecated parameter; no longer has any effect") }, "\(w)")
        let (_, w2) = try XCTUnwrap(load("1.9.32", #"{"disable_revive_offers_for_new_apps": true}"#))
        XCTAssertTrue(w2.contains { $0.contains("Deprecated, has no effect") }, "\(w2)")
    }

    func testTakesValue() {
        let v = MarathonVersion(1, 4, 0)
        XCTAssertEqual(MarathonFlagsDecoder.takesValue("task_launch_timeout", version: v), true)
        XCTAssertEqual(MarathonFlagsDecoder.takesValue("--master", version: v), true)
        XCTAssertEqual(MarathonFlagsDecoder.takesValue("disable_http", version: v), false)
        XCTAssertEqual(MarathonFlagsDecoder.takesValue("checkpoint", version: v), false)
        XCTAssertEqual(MarathonFlagsDecoder.takesValue("disable_checkpoint", version: v), false)
        XCTAssertEqual(MarathonFlagsDecoder.takesValue("metrics_prometheus", version: v), false, "a toggle of 1.7.50+ still answers")
        XCTAssertNil(MarathonFlagsDecoder.takesValue("no_such_flag", version: v))
        XCTAssertNil(MarathonFlagsDecoder.takesValue("disable_task_launch_timeout", version: v))
    }

    /// The modelled flags' release ranges (MarathonVersion predicates) agree with the table read
    /// at the tags, at every tag.
    func testModelledFlagsAgreeWithTheTableAtEveryTag() throws {
        for f in MarathonFlagsDecoder.flags {
            let e = try XCTUnwrap(MarathonFlagTable.entry(f.name), f.name)
            for t in MarathonFlagTable.tags {
                XCTAssertEqual(MarathonFlagsDecoder.available(f, t), e.exists(in: t), "\(f.name) at \(t)")
            }
        }
        // and at releases that are not tags (each is read as its line's tag, tag(for:))
        for minor in 4...10 {
            for patch in [0, 1, 8, 9, 11, 12, 100, 207, 218, 300, 392, 400, 486, 535, 600] {
                let v = MarathonVersion(1, minor, patch)
                for f in MarathonFlagsDecoder.flags {
                    XCTAssertEqual(MarathonFlagsDecoder.available(f, v), try XCTUnwrap(MarathonFlagTable.entry(f.name)).exists(in: v), "\(f.name) at \(v)")
                }
            }
        }
        XCTAssertEqual(MarathonFlagTable.tag(for: MarathonVersion(1, 10, 0)), MarathonVersion(1, 10, 5))
        XCTAssertEqual(MarathonFlagTable.tag(for: MarathonVersion(1, 6, 400)), MarathonVersion(1, 6, 392))
        XCTAssertEqual(MarathonFlagTable.entries.map(\.name), MarathonFlagTable.entries.map(\.name).sorted())
    }

    func testJavaIntegerParse() {
        XCTAssertEqual(MarathonFlagsDecoder.javaInteger("+5", bits: 32), 5)
        XCTAssertEqual(MarathonFlagsDecoder.javaInteger("-2147483648", bits: 32), -2_147_483_648)
        XCTAssertNil(MarathonFlagsDecoder.javaInteger("2147483648", bits: 32))
        XCTAssertEqual(MarathonFlagsDecoder.javaInteger("9223372036854775807", bits: 64), Int64.max)
        XCTAssertNil(MarathonFlagsDecoder.javaInteger("9223372036854775808", bits: 64))
        XCTAssertNil(MarathonFlagsDecoder.javaInteger("", bits: 64))
        XCTAssertNil(MarathonFlagsDecoder.javaInteger("1e3", bits: 64))
        XCTAssertNil(MarathonFlagsDecoder.javaInteger(" 5", bits: 64))
    }
}
