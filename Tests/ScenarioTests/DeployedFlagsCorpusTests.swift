import ClusterModel
import Foundation
@testable import Scenario
import TestSupport
import XCTest

/// What the check of deployed command lines against public files (docs/mesos.md, monitoring.md,
/// alertmanager.md "Checked against public files") showed, in minimal command lines of our own:
/// a Mesos agent started without `--work_dir`, and the shapes of published Prometheus and
/// Alertmanager lines (a path broken by a space, the single-dash flags of the 1.x/0.x releases),
/// judged by the real binaries where they are installed.
final class DeployedFlagsCorpusTests: XCTestCase {
    func agents(_ body: String, files: [String: String] = [:]) -> String {
        DeployedFlagsTests.folder(mesos: #"{"agents": \#(body)}"#, files: files)
    }

    // MARK: mesos-agent without --work_dir

    /// stout refuses to start an agent whose command line gives no --work_dir (the flag has no
    /// default, so it is required: src/slave/flags.hpp, stout flags.hpp "is required").
    func testAnAgentCommandLineWithoutWorkDirDoesNotStart() throws {
        let bare = agents(#"{"flagsFrom": [{"commandLine": "mesos-agent --master=zk://z1:2181/mesos --containerizers=docker,mesos"}]}"#)
        let errs = scenarioFolderErrors(bare)
        XCTAssertEqual(errs.count, 1, "\(errs)")
        XCTAssertEqual(errs.first?.path, "mesos.agents.flagsFrom")
        XCTAssertTrue(errs.first?.message.contains("Flag 'work_dir' is required, but it was not provided (mesos-agent 1.4.0 does not start)") ?? false, "\(errs)")

        // given on the command line, by MESOS_WORK_DIR, or in the scenario's flags: it starts
        let given = agents(#"{"flagsFrom": [{"commandLine": ["mesos-agent", "--master=zk://z1:2181/mesos", "--work_dir=/var/lib/mesos"]}]}"#)
        XCTAssertNotNil(loadScenarioFolder(given))
        let env = agents(#"{"flagsFrom": [{"environmentFile": "env"}, {"commandLine": "mesos-agent --master=zk://z1:2181/mesos"}]}"#,
                         files: ["env": "MESOS_WORK_DIR=/data/mesos\n"])
        XCTAssertNotNil(loadScenarioFolder(env))
        let own = agents(#"{"flagsFrom": [{"commandLine": "mesos-agent --master=zk://z1:2181/mesos"}], "flags": {"work_dir": "/var/lib/mesos"}}"#)
        XCTAssertNotNil(loadScenarioFolder(own))
    }

    /// An en dash for the second dash is no flag to stout (skipped), so it does not give the flag;
    /// the package's flag folder ships a work_dir file, so a folder deployment is not refused; an
    /// unknown flag is stout's first error.
    func testWhatCountsAsGivingWorkDir() throws {
        let dash = agents(#"{"flagsFrom": [{"commandLine": ["mesos-agent", "--master=zk://z1:2181/mesos", "-\u2013work_dir=/var/lib/mesos"]}]}"#)
        XCTAssertTrue(scenarioFolderErrors(dash).first?.message.contains("Flag 'work_dir' is required") ?? false)
        let folder = agents(#"{"flagsFrom": [{"folder": "etc/mesos-slave"}, {"commandLine": "mesos-agent --master=zk://z1:2181/mesos"}]}"#,
                            files: ["etc/mesos-slave/containerizers": "docker,mesos\n"])
        XCTAssertNotNil(loadScenarioFolder(folder))
        let unknown = agents(#"{"flagsFrom": [{"commandLine": "mesos-agent --master=zk://z1:2181/mesos --work_dri=/var/lib/mesos"}]}"#)
        let errs = scenarioFolderErrors(unknown)
        XCTAssertEqual(errs.count, 1, "\(errs)")
        XCTAssertTrue(errs.first?.message.contains("Failed to load unknown flag 'work_dri'") ?? false, "\(errs)")
    }

    // MARK: mesos-master's registry

    /// With the replicated log (the default registry) a master exits without --work_dir, and with
    /// --zk also without --quorum (src/master/main.cpp); in_memory needs neither, the package's
    /// flag folder gives both.
    func testAMasterCommandLineNeedsWorkDirAndQuorumForItsRegistry() throws {
        func masters(_ body: String, files: [String: String] = [:]) -> String {
            DeployedFlagsTests.folder(mesos: #"{"masters": \#(body)}"#, files: files)
        }
        func refused(_ body: String, _ says: String, file: StaticString = #filePath, line: UInt = #line) {
            let errs = scenarioFolderErrors(masters(body), file: file, line: line)
            XCTAssertEqual(errs.count, 1, "\(errs)", file: file, line: line)
            XCTAssertEqual(errs.first?.path, "mesos.masters.flagsFrom", file: file, line: line)
            XCTAssertTrue(errs.first?.message.contains(says) ?? false, "\(errs)", file: file, line: line)
        }
        refused(#"{"flagsFrom": [{"commandLine": "mesos-master --zk=zk://z1:2181/mesos --quorum=2"}]}"#, "--work_dir needed for replicated log based registry")
        refused(#"{"flagsFrom": [{"commandLine": "mesos-master --zk=zk://z1:2181/mesos --work_dir=/var/lib/mesos"}]}"#,
                "Need to specify --quorum for replicated log based registry when using ZooKeeper")
        XCTAssertNotNil(loadScenarioFolder(masters(#"{"flagsFrom": [{"commandLine": "mesos-master --zk=zk://z1:2181/mesos --work_dir=/var/lib/mesos --quorum=2"}]}"#)))
        XCTAssertNotNil(loadScenarioFolder(masters(#"{"flagsFrom": [{"environmentFile": "env"}, {"commandLine": "mesos-master --zk=zk://z1:2181/mesos"}]}"#,
                                                   files: ["env": "MESOS_WORK_DIR=/var/lib/mesos\nMESOS_QUORUM=2\n"])))
        XCTAssertNotNil(loadScenarioFolder(masters(#"{"flagsFrom": [{"commandLine": "mesos-master --zk=zk://z1:2181/mesos --registry=in_memory"}]}"#)))
        XCTAssertNotNil(loadScenarioFolder(masters(#"{"flagsFrom": [{"folder": "etc/mesos-master"}, {"commandLine": "mesos-master --zk=zk://z1:2181/mesos"}]}"#,
                                                   files: ["etc/mesos-master/hostname_lookup": "false\n"])))
    }

    // MARK: Prometheus and Alertmanager, the binaries as judges

    /// Whether `dir/s.json` loads (no test failure either way), with the first errors.
    static func loads(_ dir: String) -> (Bool, String) {
        do { _ = try ScenarioLoader.load(path: dir + "/s.json"); return (true, "") } catch { return (false, "\(error.errors.prefix(2))") }
    }

    /// A list of words as a JSON array.
    static func words(_ w: [String]) -> String { "[" + w.map(ConsulTemplateInputsTests.json).joined(separator: ", ") + "]" }

    static func binary(_ names: [String]) -> String? {
        for n in names { for dir in ["/usr/bin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: dir + "/" + n) { return dir + "/" + n } }
        return nil
    }

    /// The real binary's verdict on flags only: run with its configuration pointed at a file that
    /// does not exist, the flags are accepted when it gets as far as reading it.
    static func realAccepts(_ exe: String, _ words: [String], dir: String) throws -> (Bool, String) {
        let (_, out) = try ToolRun.run(exe, words, in: dir)
        return (out.contains("Error loading config") || out.contains("Loading configuration file failed"), out)
    }

    func testPrometheusCommandLinesAgreeWithTheBinary() throws {
        let dir = makeTempDir()
        let absent = dir + "/absent.yml", data = dir + "/data"
        let lines: [[String]] = [
            ["--config.file", absent, "--storage.tsdb.path", data, "--web.console.libraries=/etc/prometheus/", "console_libraries"],
            ["-config.file=" + absent, "-storage.local.path=" + data],
            ["--config.file=" + absent, "--storage.tsdb.path=" + data, "--web.external-url=", "--web.listen-address=0.0.0.0:9090"],
            ["--config.file=" + absent, "--storage.tsdb.path=" + data, "--enable-feature=remote-write-receiver", "--web.enable-lifecycle"],
        ]
        let expected = [false, false, true, true]
        let exe = Self.binary(["prometheus"])
        for (i, words) in lines.enumerated() {
            let scen = PrometheusFlagTableTests.folder(prometheus: #"{"flagsFrom": [{"commandLine": \#(Self.words(["prometheus"] + words))}]}"#)
            let (ours, why) = Self.loads(scen)
            XCTAssertEqual(ours, expected[i], "\(words): \(why)")
            if let exe {
                let (real, out) = try Self.realAccepts(exe, words, dir: dir)
                XCTAssertEqual(ours, real, "\(words): \(out.prefix(300))")
            }
        }
        if exe == nil { throw XCTSkip("prometheus 2.42 is not installed (Debian package prometheus): only the recorded verdicts were checked") }
    }

    func testAlertmanagerCommandLinesAgreeWithTheBinary() throws {
        let dir = makeTempDir()
        let absent = dir + "/absent.yml", data = dir + "/data"
        let lines: [[String]] = [
            ["-config.file=" + absent, "-storage.path=" + data],
            ["--config.file", absent, "--storage.path", data, "--cluster.listen-address="],
            ["--config.file=" + absent, "--storage.path=" + data, "--cluster.listen-address=", "--log.level", "info"],
        ]
        let expected = [false, true, true]
        let exe = Self.binary(["prometheus-alertmanager", "alertmanager"])
        for (i, words) in lines.enumerated() {
            let am = #"{"hosts": ["mon-01"], "config": {"route": {"receiver": "r"}, "receivers": [{"name": "r"}]}, "flagsFrom": [{"commandLine": \#(Self.words(["alertmanager"] + words))}]}"#
            let scen = PrometheusFlagTableTests.folder(alertmanager: am)
            let (ours, why) = Self.loads(scen)
            XCTAssertEqual(ours, expected[i], "\(words): \(why)")
            if let exe {
                let (real, out) = try Self.realAccepts(exe, words, dir: dir)
                XCTAssertEqual(ours, real, "\(words): \(out.prefix(300))")
            }
        }
        if exe == nil { throw XCTSkip("alertmanager 0.25 is not installed (Debian package prometheus-alertmanager): only the recorded verdicts were checked") }
    }
}
