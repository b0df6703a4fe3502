import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// `flagsFrom`: Mesos' and Marathon's flags read from the files an operator deploys (command lines,
/// environment files, the Mesosphere packages' flag folders), as stout and Marathon's start script read them.
final class DeployedFlagsTests: XCTestCase {
    /// A scenario in a fresh folder with `files` beside it; `mesos` and `marathon` are the sections' bodies.
    static func folder(mesos: String = #"{}"#, marathon: String = #"{"version": "1.4"}"#, files: [String: String]) -> String {
        let dir = makeTempDir()
        for (rel, text) in files { write(text, to: dir + "/" + rel) }
        write("""
        {"name": "deployed-flags", "duration": "10m",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                        {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "zookeeper": {"servers": 3}, "mesos": \(mesos), "marathon": \(marathon)}
        """, to: dir + "/s.json")
        return dir
    }

    func load(_ dir: String, file: StaticString = #filePath, line: UInt = #line) -> LoadedScenario? { loadScenarioFolder(dir, file: file, line: line) }

    func errors(_ dir: String, file: StaticString = #filePath, line: UInt = #line) -> [ScenarioError] { scenarioFolderErrors(dir, file: file, line: line) }

    func warnings(_ l: LoadedScenario, containing s: String) -> [String] { l.warnings.filter { $0.contains(s) } }

    // MARK: Mesos

    func testTheAgentsFlagFolderAsTheInitWrapperReadsIt() throws {
        let dir = Self.folder(mesos: #"{"agents": {"flagsFrom": [{"folder": "etc/mesos-slave"}]}}"#, files: [
            "etc/mesos-slave/executor_registration_timeout": "2mins\n\n",
            "etc/mesos-slave/?enforce_container_disk_quota": "",
            "etc/mesos-slave/gc_delay": "2days\n",
            "etc/mesos-slave/resources/cpus": "6\n",
            "etc/mesos-slave/resources/mem": "8192\n",
            "etc/mesos-slave/resources/disk": "",            // empty: left out, as `[[ -s $f ]]`
            "etc/mesos-slave/.gc_delay.swp": "garbage",      // sh's * leaves dotfiles out
            "etc/mesos-slave/old/gc_delay": "1mins",         // a folder that is no flag: not read
        ])
        let l = try XCTUnwrap(load(dir))
        let f = try XCTUnwrap(l.spec.mesos?.agentFlags)
        XCTAssertEqual(f.executorRegistrationTimeout, .minutes(2))
        XCTAssertEqual(f.gcDelay, .hours(48))
        XCTAssertTrue(f.enforceContainerDiskQuota)
        XCTAssertEqual(f.cpus, 6)
        XCTAssertEqual(f.memMB, 8192)
        XCTAssertNil(f.diskMB)
    }

    func testTheCommandLineBeatsTheEnvironmentAndTheFlagsObjectBeatsBoth() throws {
        let dir = Self.folder(mesos: #"""
            {"agents": {"flagsFrom": [{"commandLine": "/usr/sbin/mesos-agent agent --work_dir=/var/lib/mesos --gc_delay=3days \\\n  --executor_shutdown_grace_period=10secs -- --gc_delay=1mins"},
                                      {"environmentFile": "default/mesos-slave"}],
                        "flags": {"docker_remove_delay": "2h"}}}
            """#, files: ["default/mesos-slave": """
            # written by the installer
            export MESOS_GC_DELAY=2days
            MESOS_DOCKER_REMOVE_DELAY=1hrs
            MESOS_executor_registration_timeout='5mins'
            """])
        let f = try XCTUnwrap(load(dir)?.spec.mesos?.agentFlags)
        XCTAssertEqual(f.gcDelay, .hours(72), "the command line wins over MESOS_GC_DELAY; nothing after -- is read")
        XCTAssertEqual(f.executorShutdownGracePeriod, .seconds(10))
        XCTAssertEqual(f.executorRegistrationTimeout, .minutes(5), "MESOS_name in lower case is read too")
        XCTAssertEqual(f.dockerRemoveDelay, .hours(2), "the scenario's flags object wins")
    }

    func testStoutsCommandLineRules() {
        func only(_ cmd: String, _ path: String, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
            let dir = Self.folder(mesos: #"{"agents": {"flagsFrom": [{"commandLine": \#(ConsulTemplateInputsTests.json(cmd))}]}}"#, files: [:])
            let errs = errors(dir, file: file, line: line)
            XCTAssertEqual(errs.count, 1, "\(errs)", file: file, line: line)
            XCTAssertEqual(errs.first?.path, path, file: file, line: line)
            for s in fragments { XCTAssertTrue(errs.first?.message.contains(s) ?? false, "\(errs.first?.message ?? "") lacks \(s)", file: file, line: line) }
        }
        only("mesos-agent --gc_delay 3days", "mesos.agents.flags.gc_delay", ["Failed to load non-boolean flag 'gc_delay': Missing value"])
        only("mesos-agent --no-gc_delay", "mesos.agents.flags.gc_delay", ["Failed to load non-boolean flag 'gc_delay' via 'no-gc_delay'"])
        only("mesos-agent --gc_delay=1days --GC_DELAY=2days", "mesos.agents.flags.gc_delay", ["Flag 'gc_delay' is already loaded"])
        only("mesos-agent --no-enforce_container_disk_quota=true", "mesos.agents.flags.enforce_container_disk_quota",
             ["Failed to load boolean flag 'enforce_container_disk_quota' via 'no-enforce_container_disk_quota' with value 'true'"])
        // a boolean with an empty value is true; --no-name is false
        let t = Self.folder(mesos: #"{"agents": {"flagsFrom": [{"commandLine": ["mesos-agent", "--work_dir=/var/lib/mesos", "--enforce_container_disk_quota="]}]}}"#, files: [:])
        XCTAssertEqual(load(t)?.spec.mesos?.agentFlags.enforceContainerDiskQuota, true)
        let n = Self.folder(mesos: #"{"agents": {"flagsFrom": [{"commandLine": ["mesos-agent", "--work_dir=/var/lib/mesos", "--no-enforce_container_disk_quota"]}]}}"#, files: [:])
        XCTAssertEqual(load(n)?.spec.mesos?.agentFlags.enforceContainerDiskQuota, false)
    }

    func testTheWrappersVariablesAndAShellEnvironmentFile() throws {
        let dir = Self.folder(mesos: #"""
            {"masters": {"flagsFrom": [{"environmentFile": "default/mesos"}, {"environmentFile": "default/mesos-master"}]},
             "agents": {"flagsFrom": [{"environmentFile": "default/mesos"}, {"environmentFile": "default/mesos-slave"}]}}
            """#, files: [
            "default/mesos": "LOGS=/var/log/mesos\nULIMIT=\"-n 8192\"\n",
            "default/mesos-master": "PORT=5055\nZK=`cat /etc/mesos/zk`\n",
            "default/mesos-slave": "ISO=posix/cpu,posix/mem\nISOLATION=\"${ISO},disk/du\"   # the wrapper's variable\nulimit -n 65536\n",
        ])
        let l = try XCTUnwrap(load(dir))
        XCTAssertEqual(l.spec.mesos?.masterFlags.port, 5055, "PORT becomes --port")
        XCTAssertEqual(l.spec.mesos?.agentFlags.isolation, "posix/cpu,posix/mem,disk/du", "ISOLATION becomes --isolation, ${ISO} expanded")
        XCTAssertEqual(warnings(l, containing: "ZK is not set: a command substitution").count, 1, "\(l.warnings)")
        XCTAssertEqual(warnings(l, containing: "not an assignment").count, 1, "\(l.warnings)")
        // a value of two words is sh running a command: refused with its line
        let bad = Self.folder(mesos: #"{"agents": {"flagsFrom": [{"environmentFile": "env"}]}}"#, files: ["env": "# x\nMESOS_GC_DELAY=2 days\n"])
        let errs = errors(bad)
        XCTAssertEqual(errs.count, 1, "\(errs)")
        XCTAssertEqual(errs.first?.line, 2)
        XCTAssertTrue(errs.first?.message.contains("more than one word") ?? false)
        XCTAssertEqual(errs.first?.path, "mesos.agents.flagsFrom[0].environmentFile")
    }

    func testTheAgentsAttributesFlagDescribesTheAgentGroupsWithoutTheirOwn() throws {
        let dir = Self.folder(mesos: #"{"agents": {"flagsFrom": [{"folder": "etc/mesos-slave"}]}}"#, files: [
            "etc/mesos-slave/attributes/rack": "r1\n", "etc/mesos-slave/attributes/zone": "a\n", "etc/mesos-slave/attributes/empty": ""])
        let l = try XCTUnwrap(load(dir))
        let groups = l.spec.hostGroups
        XCTAssertEqual(groups.first { $0.name == "slave" }?.attributes, [Attribute(name: "rack", value: "r1"), Attribute(name: "zone", value: "a")])
        XCTAssertEqual(groups.first { $0.name == "master" }?.attributes, [], "the masters' group runs no agent")
        // a group's own attributes stay: they are its hosts' --attributes
        let own = makeTempDir()
        write("""
        {"name": "own", "duration": "10m",
         "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                        {"name": "a", "count": 1, "cpus": 8, "memory": "32GiB", "disk": "500GB", "attributes": {"rack": "r9"}},
                        {"name": "b", "count": 1, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "mesos": {"masters": {"count": 1}, "agents": {"flags": {"attributes": "rack:r1;disk:ssd:fast"}}}}
        """, to: own + "/s.json")
        let o = try XCTUnwrap(load(own))
        XCTAssertEqual(o.spec.hostGroups.first { $0.name == "a" }?.attributes, [Attribute(name: "rack", value: "r9")])
        XCTAssertEqual(o.spec.hostGroups.first { $0.name == "b" }?.attributes, [Attribute(name: "rack", value: "r1"), Attribute(name: "disk", value: "ssd:fast")])
        // Attributes::parse aborts the agent on a pair without a value
        let bad = Self.folder(mesos: #"{"agents": {"flags": {"attributes": "rack:r1;zone"}}}"#, files: [:])
        let errs = errors(bad)
        XCTAssertEqual(errs.count, 1, "\(errs)")
        XCTAssertTrue(errs.first?.message.contains("Invalid attribute key:value pair 'zone'") ?? false, "\(errs)")
    }

    // MARK: Marathon

    func testMarathonsStartScriptAndScallop() throws {
        let dir = Self.folder(marathon: #"""
            {"version": "1.4", "flagsFrom": [
              {"environmentFile": "default/marathon"},
              {"folder": "etc/marathon/conf"},
              {"commandLine": "java -Xmx1g -jar /opt/marathon.jar --local_port_min 12000 --max_instances_per_offer=3"}]}
            """#, files: [
            "default/marathon": "MARATHON_TASK_LAUNCH_TIMEOUT=600000\nMARATHON_APP_LABEL=ignored\n",
            "etc/marathon/conf/decline_offer_duration": "5000\n",
        ])
        let f = try XCTUnwrap(load(dir)?.spec.marathon?.flags)
        XCTAssertEqual(f.taskLaunchTimeout, .seconds(600))
        XCTAssertEqual(f.declineOfferDuration, .seconds(5))
        XCTAssertEqual(f.localPortMin, 12000)
        XCTAssertEqual(f.maxInstancesPerOffer, 3)

        // given twice (an environment variable and the command line) is Scallop's error
        let twice = Self.folder(marathon: #"{"version": "1.4", "flagsFrom": [{"environmentFile": "env"}, {"commandLine": "marathon --local_port_min 12000"}]}"#,
                                files: ["env": "MARATHON_LOCAL_PORT_MIN=11000\n"])
        let e = errors(twice)
        XCTAssertEqual(e.count, 1, "\(e)")
        XCTAssertTrue(e.first?.message.contains("[scallop] Error: Bad arguments for option 'local_port_min': '11000 12000' - you should provide exactly one argument") ?? false, "\(e)")
        // a value with a blank in a MARATHON_* variable: the start script splits it
        let blank = Self.folder(marathon: #"{"version": "1.4", "flagsFrom": [{"environmentFile": "env"}]}"#,
                                files: ["env": "MARATHON_MESOS_ROLE=\"slave public\"\n"])
        let b = errors(blank)
        XCTAssertEqual(b.count, 1, "\(b)")
        XCTAssertTrue(b.first?.message.contains("Excess arguments provided: 'public'") ?? false, "\(b)")
    }

    // MARK: paths and shape

    func testPathsStayInsideTheScenariosFolder() {
        for (src, fragment) in [(#"{"folder": "/etc/mesos-slave"}"#, "absolute path"), (#"{"folder": "../x"}"#, "outside the scenario's folder"),
                                (#"{"folder": "env"}"#, "is not a folder"), (#"{"environmentFile": "etc"}"#, "is a folder"),
                                (#"{"environmentFile": "nope"}"#, "no such file"), (#"{"commandline": "x"}"#, "did you mean \"commandLine\""),
                                (#"{"folder": "etc", "commandLine": "x"}"#, "one source per element")] {
            let dir = Self.folder(mesos: #"{"agents": {"flagsFrom": [\#(src)]}}"#, files: ["env": "A=1\n", "etc/gc_delay": "1days"])
            let errs = errors(dir)
            XCTAssertEqual(errs.count, 1, "\(src): \(errs)")
            XCTAssertTrue(errs.first?.message.contains(fragment) ?? false, "\(src): \(errs.first?.message ?? "")")
        }
    }

    /// A flag file whose value has a line break inside (fuzz seed 77, input 3126): the error is one
    /// line, the break shown as \n, so every line the CLI prints starts with its place.
    func testAValueWithALineBreakGivesAOneLineError() {
        let dir = Self.folder(mesos: #"{"agents": {"flagsFrom": [{"folder": "etc/mesos-slave"}]}}"#, files: ["etc/mesos-slave/gc_disk_headroom": "0.\n2\n"])
        let errs = errors(dir)
        XCTAssertEqual(errs.count, 1, "\(errs)")
        XCTAssertFalse(errs.first?.description.contains("\n") ?? true, "\(errs)")
        XCTAssertTrue(errs.first?.message.contains(#"'0.\n2'"#) ?? false, "\(errs)")
    }

    /// An unknown flag repeated 50,000 times on a command line is one error (fuzz seed 78, input 3110
    /// timed out), and a folder file whose name has a line break gives a one-line error (input 2822).
    func testRepeatedUnknownFlagsAndStrangeFileNames() {
        let cmd = "mesos-agent" + String(repeating: " --a=b", count: 50_000)
        let m = Self.folder(mesos: #"{"agents": {"flagsFrom": [{"commandLine": \#(ConsulTemplateInputsTests.json(cmd))}]}}"#, files: [:])
        let me = errors(m)
        XCTAssertEqual(me.count, 1, "\(me.prefix(3))")
        XCTAssertTrue(me.first?.message.contains("Failed to load unknown flag 'a'") ?? false, "\(me.prefix(3))")
        let mar = Self.folder(marathon: #"{"version": "1.4", "flagsFrom": [{"commandLine": \#(ConsulTemplateInputsTests.json("marathon" + String(repeating: " --a=b", count: 50_000)))}]}"#, files: [:])
        XCTAssertEqual(errors(mar).count, 1)
        let named = Self.folder(mesos: #"{"agents": {"flagsFrom": [{"folder": "etc"}]}}"#, files: ["etc/a\nb": "1"])
        let ne = errors(named)
        XCTAssertEqual(ne.count, 1, "\(ne)")
        XCTAssertFalse(ne.first?.description.contains("\n") ?? true, "\(ne)")
    }

    /// `A=$A$A` on every line doubles A: refused once it passes 1 MiB, with its line (fuzz seed 79,
    /// inputs 662 and 1830 timed out: every later line copied the half-MiB value again).
    func testADoublingVariableIsRefused() {
        let text = "A=xxxxxxxxxxxxxxxx\n" + String(repeating: "A=$A$A\n", count: 5_000)
        let dir = Self.folder(mesos: #"{"agents": {"flagsFrom": [{"environmentFile": "env"}]}}"#, files: ["env": text])
        let errs = errors(dir)
        XCTAssertEqual(errs.count, 1, "\(errs)")
        XCTAssertTrue(errs.first?.message.contains("grows beyond") ?? false, "\(errs)")
        XCTAssertEqual(errs.first?.line, 18, "the 17th doubling of 16 bytes passes 1 MiB")
    }

    func testShellWords() {
        var unset: [String] = []
        func words(_ s: String) -> [String]? { if case .success(let w) = ShellWords.split(s, variables: ["A": "x y"], unset: &unset) { return w }; return nil }
        XCTAssertEqual(words(#"a 'b c' "d \"e\" $A" f\ g # comment"#), ["a", "b c", #"d "e" x y"#, "f g"])
        XCTAssertEqual(words("a \\\n b"), ["a", "b"])
        XCTAssertEqual(words("--x=${A}z $B"), ["--x=x", "yz"], "an unquoted expansion is split at blanks; an unset one makes no word")
        XCTAssertEqual(words(#"--x="${A}z" ''"#), ["--x=x yz", ""])
        XCTAssertEqual(unset, ["B"])
        XCTAssertNil(words("a $(hostname)"))
        XCTAssertNil(words("a 'b"))
        XCTAssertNil(words("a; rm -rf /"))
    }
}
