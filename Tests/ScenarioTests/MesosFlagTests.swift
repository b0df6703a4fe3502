import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// Every flag of the chosen Mesos release loads as Mesos loads it (MesosFlagTable.swift,
/// MesosFlagValues.swift, docs/mesos.md "Every Mesos flag"): values as written on the command line,
/// read by stout's parsers; flags not modelled are one warning; other releases' flags, unknown
/// names and values stout refuses are errors in stout's words.
final class MesosFlagTests: XCTestCase {
    func scenario(version: String = "1.4", master: String = "", agent: String = "") -> String {
        """
        {
          "name": "t", "duration": "2h",
          "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                         {"name": "slave", "count": 4, "cpus": 8, "memory": "64GiB", "disk": "500GB"}],
          "mesos": {"version": "\(version)", "masters": {"flags": {\(master)}}, "agents": {"flags": {\(agent)}}}
        }
        """
    }

    func notModelledWarnings(_ loaded: LoadedScenario?, _ path: String) -> [String] {
        (loaded?.warnings ?? []).filter { $0.contains(path + ":") && $0.contains("flags accepted but not modelled: ") }
    }

    /// A realistic agent command line, written as strings: the modelled flags take their values,
    /// the others are listed in one warning.
    func testARealAgentFlagSetLoads() throws {
        let l = loadOK(scenario(agent: """
            "master": "zk://10.0.0.1:2181,10.0.0.2:2181,10.0.0.3:2181/mesos", "work_dir": "/var/lib/mesos",
            "containerizers": "docker,mesos", "docker_registry": "https://registry-1.docker.io",
            "executor_registration_timeout": "5mins", "hostname_lookup": "false", "attributes": "rack:r1;zone:a",
            "resources": "cpus:6;mem:49152", "log_dir": "/var/log/mesos", "logging_level": "INFO", "quiet": "true",
            "cgroups_hierarchy": "/sys/fs/cgroup", "switch_user": "false", "ip": "10.0.1.5", "hostname": "agent-1",
            "isolation": "posix/cpu,posix/mem", "gc_delay": "2days", "docker_stop_timeout": "10secs",
            "fetcher_cache_size": "2GB", "max_completed_executors_per_framework": "150", "logbufsecs": "0",
            "executor_environment_variables": "{\\"PATH\\": \\"/usr/bin:/bin\\"}", "port": "5051"
            """))
        let m = try XCTUnwrap(l?.spec.mesos)
        XCTAssertEqual(m.agentFlags.executorRegistrationTimeout, .minutes(5))
        XCTAssertEqual(m.agentFlags.gcDelay, .hours(48))
        XCTAssertEqual(m.agentFlags.dockerStopTimeout, .seconds(10))
        XCTAssertEqual(m.agentFlags.cpus, 6)
        XCTAssertEqual(m.agentFlags.memMB, 49152)
        XCTAssertEqual(m.agentFlags.port, 5051)
        let w = notModelledWarnings(l, "mesos.agents.flags")
        XCTAssertEqual(w.count, 1, "\(l?.warnings ?? [])")
        XCTAssertTrue(w.first?.hasSuffix("flags accepted but not modelled: attributes, cgroups_hierarchy, containerizers, docker_registry, executor_environment_variables, fetcher_cache_size, hostname, hostname_lookup, ip, log_dir, logbufsecs, logging_level, master, max_completed_executors_per_framework, quiet, switch_user, work_dir") == true, "\(w)")
    }

    func testARealMasterFlagSetLoads() throws {
        let l = loadOK(scenario(version: "1.7", master: """
            "zk": "zk://10.0.0.1:2181/mesos", "quorum": "2", "work_dir": "/var/lib/mesos", "cluster": "prod",
            "agent_ping_timeout": "30secs", "max_agent_ping_timeouts": "3", "agent_reregister_timeout": "15mins",
            "agent_removal_rate_limit": "1/10mins", "offer_timeout": "1mins", "allocation_interval": "500ms",
            "registry_max_agent_age": "2weeks", "recovery_agent_removal_limit": "50%", "hostname_lookup": "true",
            "acls": "{\\"permissive\\": true}", "webui_dir": "/usr/share/mesos/webui", "log_dir": "/var/log/mesos"
            """))
        let f = try XCTUnwrap(l?.spec.mesos?.masterFlags)
        XCTAssertEqual(f.quorum, 2)
        XCTAssertEqual(f.agentPingTimeout, .seconds(30))
        XCTAssertEqual(f.maxAgentPingTimeouts, 3)
        XCTAssertEqual(f.agentReregisterTimeout, .minutes(15))
        XCTAssertEqual(f.agentRemovalRateLimit?.0, 1)
        XCTAssertEqual(f.agentRemovalRateLimit?.1, .minutes(10))
        XCTAssertEqual(f.offerTimeout, .minutes(1))
        XCTAssertEqual(f.allocationInterval, .milliseconds(500))
        XCTAssertEqual(f.registryMaxAgentAge, .hours(336))
        let w = notModelledWarnings(l, "mesos.masters.flags")
        XCTAssertEqual(w.count, 1)
        XCTAssertTrue(w.first?.hasSuffix("not modelled: acls, cluster, hostname_lookup, log_dir, webui_dir, work_dir, zk") == true, "\(w)")
    }

    /// "15secs" (Mesos' form) and "15s" (the simulator's Go form) give one value; numbers of
    /// seconds and JSON booleans and numbers still load.
    func testStoutAndGoFormsGiveTheSameValue() throws {
        func ping(_ v: String) -> SimDuration? { loadOK(scenario(master: #""agent_ping_timeout": \#(v)"#))?.spec.mesos?.masterFlags.agentPingTimeout }
        XCTAssertEqual(ping(#""15secs""#), .seconds(15))
        XCTAssertEqual(ping(#""15secs""#), ping(#""15s""#))
        XCTAssertEqual(ping(#""1.5secs""#), .milliseconds(1500))
        XCTAssertEqual(ping(#""1500ms""#), .milliseconds(1500))
        XCTAssertEqual(ping(#""2mins""#), .minutes(2))
        XCTAssertEqual(ping("20"), .seconds(20))
        func agent(_ flags: String) -> MesosAgentFlags? { loadOK(scenario(agent: flags))?.spec.mesos?.agentFlags }
        XCTAssertEqual(agent(#""recovery_timeout": "1hrs""#)?.recoveryTimeout, .hours(1))
        XCTAssertEqual(agent(#""gc_delay": "1weeks""#)?.gcDelay, .hours(168))
        XCTAssertEqual(agent(#""gc_delay": "1weeks""#)?.gcDelay, agent(#""gc_delay": "168h""#)?.gcDelay)
        XCTAssertEqual(agent(#""enforce_container_disk_quota": "true""#)?.enforceContainerDiskQuota, true)
        XCTAssertEqual(agent(#""enforce_container_disk_quota": "1""#)?.enforceContainerDiskQuota, true)
        XCTAssertEqual(agent(#""enforce_container_disk_quota": true"#)?.enforceContainerDiskQuota, true)
        XCTAssertEqual(agent(#""gc_disk_headroom": "0.25""#)?.gcDiskHeadroom, 0.25)
        XCTAssertEqual(loadOK(scenario(master: #""max_agent_ping_timeouts": "7""#))?.spec.mesos?.masterFlags.maxAgentPingTimeouts, 7)
        XCTAssertNotNil(loadOK(scenario(agent: #""quiet": true, "logbufsecs": 0, "hostname_lookup": false, "acls": {"permissive": true}, "attributes": "a:1""#)))
    }

    /// A value stout refuses is an error in stout's words at the flag's path, modelled or not.
    func testValuesStoutRefusesAreErrors() {
        let cases: [(String, String, String)] = [
            // stout knows "weeks" only (duration.hpp): the singular is refused
            (#""gc_delay": "1week""#, "gc_delay", "Failed to load flag 'gc_delay': Failed to load value '1week': Unknown duration unit 'week'; supported units are 'ns', 'us', 'ms', 'secs', 'mins', 'hrs', 'days', and 'weeks'"),
            (#""hostname_lookup": "yes""#, "hostname_lookup", "Failed to load flag 'hostname_lookup': Failed to load value 'yes': Expecting a boolean (e.g., true or false)"),
            (#""enforce_container_disk_quota": "yes""#, "enforce_container_disk_quota", "Failed to load flag 'enforce_container_disk_quota': Failed to load value 'yes': Expecting a boolean"),
            (#""executor_registration_timeout": "5 mins""#, "executor_registration_timeout", "Failed to load value '5 mins': Unknown duration unit ' mins'"),
            (#""perf_interval": "secs""#, "perf_interval", "Failed to load value 'secs': Failed to convert '' to number"),
            (#""fetcher_cache_size": "2.5GB""#, "fetcher_cache_size", "Failed to load value '2.5GB': Fractional bytes '2.5GB'"),
            (#""fetcher_cache_size": "2GiB""#, "fetcher_cache_size", "Unknown bytes unit 'GIB'"),
            (#""max_completed_executors_per_framework": "many""#, "max_completed_executors_per_framework", "Failed to load value 'many': Failed to convert into required type"),
            (#""logbufsecs": "3.5""#, "logbufsecs", "Failed to convert into required type"),
            (#""executor_environment_variables": "PATH=/bin""#, "executor_environment_variables", "Failed to load flag 'executor_environment_variables': Failed to load value 'PATH=/bin'"),
            (#""executor_environment_variables": "[1]""#, "executor_environment_variables", "Unexpected JSON type parsed"),
            (#""nvidia_gpu_devices": "0,x""#, "nvidia_gpu_devices", "Failed to numify 'x'"),
        ]
        for (flags, key, message) in cases {
            assertSingleError(scenario(agent: flags), path: "mesos.agents.flags.\(key)", [message, "mesos-agent 1.4.0 does not start"])
        }
        // typed JSON values are the simulator's: they must suit the flag's type
        assertSingleError(scenario(agent: #""quiet": 1"#), path: "mesos.agents.flags.quiet", ["expected a boolean", "got number 1"])
        assertSingleError(scenario(agent: #""logbufsecs": 2.5"#), path: "mesos.agents.flags.logbufsecs", ["expected an integer"])
    }

    /// A flag of other releases names the releases that have it; one backported to patch releases
    /// names them all.
    func testAFlagOfOtherReleasesIsAnError() {
        assertSingleError(scenario(agent: #""csi_plugin_config_dir": "/etc/csi""#), path: "mesos.agents.flags.csi_plugin_config_dir",
                          ["--csi_plugin_config_dir exists in Mesos 1.11.0 to 1.11.x; mesos.version is 1.4.0"])
        assertSingleError(scenario(version: "1.2.0", agent: #""authentication_timeout_min": "5secs""#), path: "mesos.agents.flags.authentication_timeout_min",
                          ["exists in Mesos 1.4.3 to 1.4.x, 1.5.2 to 1.5.x and 1.6.2 to 1.11.x; mesos.version is 1.2.0"])
        // backported to 1.4.3, 1.5.2, 1.6.2; not in 1.7.0, back in 1.7.1 (src/slave/flags.cpp at the tags)
        assertSingleError(scenario(version: "1.7.0", agent: #""network_cni_root_dir_persist": "true""#), path: "mesos.agents.flags.network_cni_root_dir_persist",
                          ["exists in Mesos 1.4.3 to 1.4.x, 1.5.2 to 1.5.x, 1.6.2 to 1.6.x and 1.7.1 to 1.11.x; mesos.version is 1.7.0"])
        XCTAssertNotNil(loadOK(scenario(version: "1.7.1", agent: #""network_cni_root_dir_persist": "true""#)))
        XCTAssertNotNil(loadOK(scenario(version: "1.11", master: #""offer_constraints_re2_max_mem": "4MB""#)))
    }

    /// An unknown name is stout's error with the nearest flag of the release.
    func testAnUnknownFlagIsAnError() {
        assertSingleError(scenario(agent: #""work_dri": "/var/lib/mesos""#), path: "mesos.agents.flags.work_dri",
                          ["Failed to load unknown flag 'work_dri'", "did you mean \"work_dir\""])
        assertSingleError(scenario(master: #""agent_ping_timout": "15secs""#), path: "mesos.masters.flags.agent_ping_timout",
                          ["Failed to load unknown flag 'agent_ping_timout'", "did you mean \"agent_ping_timeout\""])
    }

    /// Deprecated names of flags not modelled load with stout's warning; both names is stout's error.
    func testDeprecatedNamesOfFlagsNotModelled() throws {
        let l = loadOK(scenario(master: #""authenticate_slaves": "true""#, agent: #""slave_subsystems": "cpu,memory""#))
        let w = l?.warnings ?? []
        XCTAssertTrue(w.contains { $0.contains("mesos.masters.flags.authenticate_slaves") && $0.contains("Loaded deprecated flag 'authenticate_slaves'") }, "\(w)")
        XCTAssertTrue(w.contains { $0.contains("mesos.agents.flags.slave_subsystems") && $0.contains("Loaded deprecated flag 'slave_subsystems'") }, "\(w)")
        assertSingleError(scenario(master: #""authenticate_slaves": "true", "authenticate_agents": "false""#), path: "mesos.masters.flags.authenticate_agents",
                          ["Flag 'authenticate_agents' is already loaded via name 'authenticate_slaves'"])
        // allowed_capabilities is a flag of its own up to 1.3 and effective_capabilities' old name from 1.4
        let old = loadOK(scenario(version: "1.3", agent: #""allowed_capabilities": "{\"capabilities\": [\"NET_ADMIN\"]}""#))
        XCTAssertFalse((old?.warnings ?? []).contains { $0.contains("deprecated") })
        let new = loadOK(scenario(version: "1.4", agent: #""allowed_capabilities": "{\"capabilities\": [\"NET_ADMIN\"]}""#))
        XCTAssertTrue((new?.warnings ?? []).contains { $0.contains("Loaded deprecated flag 'allowed_capabilities'") })
        assertSingleError(scenario(version: "1.2", agent: #""effective_capabilities": "{}""#), path: "mesos.agents.flags.effective_capabilities",
                          ["exists in Mesos 1.4.0 to 1.11.x"])
    }

    /// stout's map form: "no-<flag>" with an empty value sets a boolean flag to false; with a value,
    /// on a flag that is not boolean, or on an unknown flag it is stout's error.
    func testNoPrefixAsStoutsMapFormTakesIt() throws {
        let l = loadOK(scenario(agent: #""no-enforce_container_disk_quota": "", "no-hostname_lookup": """#))
        XCTAssertEqual(l?.spec.mesos?.agentFlags.enforceContainerDiskQuota, false)
        assertSingleError(scenario(agent: #""no-hostname_lookup": "false""#), path: "mesos.agents.flags.no-hostname_lookup",
                          ["Failed to load boolean flag 'hostname_lookup' via 'no-hostname_lookup' with value 'false'"])
        assertSingleError(scenario(agent: #""no-work_dir": """#), path: "mesos.agents.flags.no-work_dir",
                          ["Failed to load non-boolean flag 'work_dir' via 'no-work_dir'"])
        assertSingleError(scenario(agent: #""no-foo": """#), path: "mesos.agents.flags.no-foo",
                          ["Failed to load unknown flag 'foo' via 'no-foo'"])
    }

    /// --help and --version make the binary print and exit: no cluster.
    func testHelpAndVersionDoNotStart() {
        assertSingleError(scenario(master: #""help": "true""#), path: "mesos.masters.flags.help", ["prints its usage and exits"])
        assertSingleError(scenario(agent: #""version": true"#), path: "mesos.agents.flags.version", ["prints its version and exits"])
        XCTAssertNotNil(loadOK(scenario(agent: #""help": "false""#)))
    }

    /// docs/mesos.md "Every Mesos flag" lists exactly the flags not modelled, with their releases.
    func testTheDocsListEveryFlagNotModelled() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let doc = try String(contentsOfFile: root + "/docs/mesos.md", encoding: .utf8)
        for (role, keys) in [(MesosFlagRole.master, ScenarioSchema.mesosMasterFlagKeys), (.agent, ScenarioSchema.mesosAgentFlagKeys)] {
            let start = try XCTUnwrap(doc.range(of: "<!-- mesos flags not modelled: \(role) -->"))
            let end = try XCTUnwrap(doc.range(of: "<!-- end mesos flags not modelled -->", range: start.upperBound..<doc.endIndex))
            let rows = doc[start.upperBound..<end.lowerBound].split(separator: "\n").filter { $0.hasPrefix("| `") }
            let listed = rows.map { row -> (String, String) in
                let cells = row.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                return (cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`")), cells[3])
            }
            let expected = ScenarioSchema.mesosFlagTable(role).filter { !keys.declares($0.name) }.map { f -> (String, String) in
                let text = ScenarioSchema.mesosReleasesText(f.releases)
                return (f.name, text == "1.1.0 to 1.11.x" ? "all" : text.replacingOccurrences(of: " and ", with: ", "))
            }
            XCTAssertEqual(listed.map(\.0), expected.map(\.0), "\(role)")
            XCTAssertEqual(listed.map(\.1), expected.map(\.1), "\(role)")
        }
    }

    /// The stout parsers on their own.
    func testStoutParsers() {
        XCTAssertEqual(try StoutParse.duration("15secs").get(), 15_000_000_000)
        XCTAssertEqual(try StoutParse.duration("1.5secs").get(), 1_500_000_000)
        XCTAssertEqual(try StoutParse.duration("100ms").get(), 100_000_000)
        XCTAssertEqual(try StoutParse.duration("2days").get(), 172_800_000_000_000)
        XCTAssertEqual(try StoutParse.duration("1weeks").get(), 604_800_000_000_000)
        XCTAssertEqual(StoutParse.duration("15").failureMessage, "Invalid duration '15'")
        XCTAssertEqual(StoutParse.duration("-1secs").failureMessage, "Failed to convert '' to number")
        XCTAssertEqual(StoutParse.duration("1.2.3secs").failureMessage, "Failed to convert '1.2.3' to number")
        XCTAssertEqual(StoutParse.duration("99999999999weeks").failureMessage, "Argument out of the range that a Duration can represent due to int64_t's size limit")
        XCTAssertEqual(try StoutParse.bool("").get(), true)
        XCTAssertEqual(try StoutParse.bool("0").get(), false)
        XCTAssertNotNil(StoutParse.bool("True").failureMessage)
        XCTAssertEqual(try StoutParse.integer(" +42", min: 0, max: 100).get(), 42)
        XCTAssertNotNil(StoutParse.integer("42 ", min: 0, max: 100).failureMessage)
        XCTAssertNotNil(StoutParse.integer("65536", min: 0, max: 65535).failureMessage)
        XCTAssertNotNil(StoutParse.double("inf").failureMessage)
    }
}

extension Result {
    var failureMessage: String? {
        if case .failure(let e) = self { return (e as? StoutError)?.message ?? "\(e)" }
        return nil
    }
}
