import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// Mesos flag values that name files: `file://ABS` (stout's flags::fetch) and, for JSON flags, the
/// deprecated `/ABS`, read from the `{"root": "DIR"}` of `flagsFrom` (docs/scenarios.md "Flags as
/// deployed", docs/mesos.md "Every Mesos flag").
final class MesosFlagFilesTests: XCTestCase {
    static let logger = "org_apache_mesos_LogrotateContainerLogger"
    /// A Modules JSON as an operator writes /etc/mesos/modules.json (pretty-printed, final newline).
    static let modulesJSON = """
    {
      "libraries": [
        {
          "file": "/usr/lib/mesos/modules/liblogrotate_container_logger.so",
          "modules": [
            {
              "name": "org_apache_mesos_LogrotateContainerLogger",
              "parameters": [
                {"key": "max_stdout_size", "value": "20MB"},
                {"key": "logrotate_stdout_options", "value": "rotate 3"}
              ]
            }
          ]
        }
      ]
    }

    """

    static func agents(_ body: String, version: String? = nil, files: [String: String]) -> String {
        DeployedFlagsTests.folder(mesos: #"{\#(version.map { #""version": "\#($0)", "# } ?? "")"agents": \#(body)}"#, files: files)
    }

    func load(_ dir: String, file: StaticString = #filePath, line: UInt = #line) -> LoadedScenario? { loadScenarioFolder(dir, file: file, line: line) }

    func errors(_ dir: String, file: StaticString = #filePath, line: UInt = #line) -> [ScenarioError] { scenarioFolderErrors(dir, file: file, line: line) }

    /// The one error, which must hold every fragment.
    @discardableResult
    func onlyError(_ dir: String, path: String, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) -> ScenarioError? {
        let errs = errors(dir, file: file, line: line)
        XCTAssertEqual(errs.count, 1, "\(errs)", file: file, line: line)
        guard let e = errs.first else { return nil }
        XCTAssertEqual(e.path, path, "\(e)", file: file, line: line)
        for f in fragments { XCTAssertTrue(e.description.contains(f), "missing \(JSONValue.quote(f)) in\n\(e)", file: file, line: line) }
        XCTAssertFalse(e.description.contains("\n"), "one line: \(e)", file: file, line: line)
        return e
    }

    // MARK: read

    func testModulesResourcesAttributesAndADurationFromFilesOfEverySource() throws {
        let dir = Self.agents(#"""
            {"flagsFrom": [{"root": "machine"}, {"environmentFile": "default/mesos-slave"}, {"folder": "etc/mesos-slave"},
                           {"commandLine": "/usr/sbin/mesos-agent --modules=file:///etc/mesos/modules.json --container_logger=org_apache_mesos_LogrotateContainerLogger"}]}
            """#, files: [
                "machine/etc/mesos/modules.json": Self.modulesJSON,
                "machine/etc/mesos/resources": "cpus:6;mem:8192;ports:[31000-32000]",
                "machine/etc/mesos/attributes": "rack:r1;zone:a\n",
                "machine/etc/mesos/gc_delay": "2days",
                "default/mesos-slave": "MESOS_GC_DELAY=file:///etc/mesos/gc_delay\nMESOS_RESOURCES=file:///etc/mesos/resources\n",
                "etc/mesos-slave/attributes": "file:///etc/mesos/attributes\n",   // the folder's file holds the file:// value
            ])
        let l = try XCTUnwrap(load(dir))
        let f = try XCTUnwrap(l.spec.mesos?.agentFlags)
        XCTAssertEqual(f.containerLogger, .logrotate(maxStdoutSize: 20 * 1024 * 1024, stdoutRotate: 3, maxStderrSize: 10 * 1024 * 1024, stderrRotate: 0))
        XCTAssertEqual(f.cpus, 6)
        XCTAssertEqual(f.memMB, 8192)
        XCTAssertEqual(f.attributes, [Attribute(name: "rack", value: "r1"), Attribute(name: "zone", value: "a")], "Attributes::parse skips the final newline's empty token")
        XCTAssertEqual(f.gcDelay, .hours(48))
        XCTAssertFalse(l.warnings.contains { $0.contains("file://") || $0.contains("absolute filename") }, l.warnings.joined(separator: "\n"))
    }

    func testTheFlagsObjectReadsFilesWithARootAlone() throws {
        let dir = Self.agents(#"""
            {"flagsFrom": [{"root": "machine"}],
             "flags": {"modules": "file:///etc/mesos/modules.json", "container_logger": "org_apache_mesos_LogrotateContainerLogger",
                       "executor_registration_timeout": "file:///etc/mesos/timeout"}}
            """#, files: ["machine/etc/mesos/modules.json": Self.modulesJSON, "machine/etc/mesos/timeout": "5mins"])
        let f = try XCTUnwrap(load(dir)?.spec.mesos?.agentFlags)
        XCTAssertEqual(f.containerLogger, .logrotate(maxStdoutSize: 20 * 1024 * 1024, stdoutRotate: 3, maxStderrSize: 10 * 1024 * 1024, stderrRotate: 0))
        XCTAssertEqual(f.executorRegistrationTimeout, .minutes(5))
    }

    /// The content is parsed as a command-line value: a duration with the editor's final newline is
    /// refused, as stout's Duration::parse refuses the unit "days\n".
    func testTheContentIsTheFlagsValueAsRead() {
        let dir = Self.agents(#"{"flagsFrom": [{"root": "m"}], "flags": {"gc_delay": "file:///etc/mesos/gc_delay"}}"#,
                              files: ["m/etc/mesos/gc_delay": "2days\n"])
        onlyError(dir, path: "mesos.agents.flags.gc_delay", ["m/etc/mesos/gc_delay:1:1:",
            #"Failed to load flag 'gc_delay': Failed to load value 'file:///etc/mesos/gc_delay': Unknown duration unit 'days\n'"#, "does not start"])
    }

    /// `--resources` from a file as Resources::fromSimpleString and values::parse read it: spaces
    /// removed, a range's line break skipped, but a number with the final newline is TEXT, refused.
    func testAResourcesFileAsMesosReadsIt() throws {
        let ok = Self.agents(#"{"flagsFrom": [{"root": "m"}], "flags": {"resources": "file:///etc/mesos/resources"}}"#,
                             files: ["m/etc/mesos/resources": "cpus: 6; mem:8192;ports:[31000-31999]\n"])
        let f = try XCTUnwrap(load(ok)?.spec.mesos?.agentFlags)
        XCTAssertEqual(f.cpus, 6)
        XCTAssertEqual(f.memMB, 8192)
        XCTAssertEqual(f.ports, PortSet([31000...31999]))
        let bad = Self.agents(#"{"flagsFrom": [{"root": "m"}], "flags": {"resources": "file:///etc/mesos/resources"}}"#,
                              files: ["m/etc/mesos/resources": "cpus:6;mem:8192\n"])
        onlyError(bad, path: "mesos.agents.flags.resources", ["m/etc/mesos/resources:1:1:", #"Bad type for resource mem value 8192\n type TEXT"#, "final newline"])
    }

    /// A JSON error inside the file is placed at its line in the file.
    func testAJSONErrorInAFileHasItsLine() {
        let bad = Self.modulesJSON.replacingOccurrences(of: #""rotate 3"}"#, with: #""rotate 3"},"#)   // a trailing comma on line 10
        let dir = Self.agents(#"{"flagsFrom": [{"root": "m"}], "flags": {"modules": "file:///etc/mesos/modules.json"}}"#,
                              files: ["m/etc/mesos/modules.json": bad])
        let e = onlyError(dir, path: "mesos.agents.flags.modules", ["Failed to load flag 'modules': Failed to load value 'file:///etc/mesos/modules.json': "])
        XCTAssertEqual(e?.file, "m/etc/mesos/modules.json")
        XCTAssertEqual(e?.line, 11, "\(String(describing: e))")
        // an error of the module's reader is placed in the file too
        let dir2 = Self.agents(#"{"flagsFrom": [{"root": "m"}], "flags": {"modules": "file:///etc/mesos/modules.json", "container_logger": "org_apache_mesos_LogrotateContainerLogger"}}"#,
                               files: ["m/etc/mesos/modules.json": Self.modulesJSON.replacingOccurrences(of: "max_stdout_size", with: "max_stdout_sizes")])
        let e2 = onlyError(dir2, path: "mesos.agents.flags.modules.libraries[0].modules[0].parameters[0]", ["Failed to load unknown flag 'max_stdout_sizes'"])
        XCTAssertEqual(e2?.file, "m/etc/mesos/modules.json")
        XCTAssertEqual(e2?.line, 9)
    }

    // MARK: not read

    func testAPathFlagIsNotRead() throws {
        // Option<Path> credential / whitelist: fetch<Path> takes the value as written, no file needed
        let dir = DeployedFlagsTests.folder(mesos: #"""
            {"masters": {"flagsFrom": [{"root": "m"}], "flags": {"whitelist": "file:///etc/mesos/whitelist"}},
             "agents": {"flagsFrom": [{"root": "m"}], "flags": {"credential": "file:///etc/mesos/credential"}}}
            """#, files: ["m/etc/mesos/.keep": ""])
        let l = try XCTUnwrap(load(dir))
        XCTAssertTrue(l.warnings.contains { $0.contains("mesos.agents.flags: flags accepted but not modelled: credential") }, l.warnings.joined(separator: "\n"))
        XCTAssertTrue(l.warnings.contains { $0.contains("mesos.masters.flags: flags accepted but not modelled: whitelist") }, l.warnings.joined(separator: "\n"))
        // a string flag that is no Path is read: its missing file is an error
        let dir2 = Self.agents(#"{"flagsFrom": [{"root": "m"}], "flags": {"credential": "file:///etc/mesos/credential", "work_dir": "file:///etc/mesos/work_dir"}}"#,
                               files: ["m/etc/mesos/.keep": ""])
        onlyError(dir2, path: "mesos.agents.flags.work_dir", ["Error reading file '/etc/mesos/work_dir'"])
    }

    /// JSON flags also read `/ABS`, with stout's deprecation warning; other flags take `/ABS` as a value.
    func testTheDeprecatedAbsolutePathOfAJSONFlag() throws {
        let dir = Self.agents(#"""
            {"flagsFrom": [{"root": "m"}], "flags": {"modules": "/etc/mesos/modules.json", "container_logger": "org_apache_mesos_LogrotateContainerLogger",
                                                       "work_dir": "/var/lib/mesos"}}
            """#, files: ["m/etc/mesos/modules.json": Self.modulesJSON])
        let l = try XCTUnwrap(load(dir))
        XCTAssertEqual(l.spec.mesos?.agentFlags.containerLogger, .logrotate(maxStdoutSize: 20 * 1024 * 1024, stdoutRotate: 3, maxStderrSize: 10 * 1024 * 1024, stderrRotate: 0))
        let w = l.warnings.filter { $0.contains("Specifying an absolute filename to read a command line option out of without using 'file:// is deprecated") }
        XCTAssertEqual(w.count, 1, l.warnings.joined(separator: "\n"))
        XCTAssertTrue(w.first?.contains("mesos.agents.flags.modules") == true, "\(w)")
    }

    // MARK: errors

    func testAMissingFileInStoutsWordsPerRelease() {
        for (version, reason) in [("1.4.0", "Failed to open file: No such file or directory"), ("1.11.0", "No such file or directory")] {
            let dir = Self.agents(#"{"flagsFrom": [{"root": "machine"}, {"commandLine": "mesos-agent --modules=file:///etc/mesos/modules.json"}]}"#,
                                  version: version, files: ["machine/etc/mesos/other": ""])
            onlyError(dir, path: "mesos.agents.flags.modules", [
                "Failed to load flag 'modules': Failed to load value 'file:///etc/mesos/modules.json': Error reading file '/etc/mesos/modules.json': \(reason) (mesos-agent \(version) does not start",
                "machine/etc/mesos/modules.json"])
        }
        // a folder: fopen succeeds, fread fails (stout's ErrnoError without a prefix in every release)
        let dir = Self.agents(#"{"flagsFrom": [{"root": "machine"}], "flags": {"attributes": "file:///etc/mesos"}}"#, files: ["machine/etc/mesos/x": ""])
        onlyError(dir, path: "mesos.agents.flags.attributes", ["Error reading file '/etc/mesos': Is a directory"])
    }

    func testARelativePathIsRefused() {
        let dir = Self.agents(#"{"flagsFrom": [{"root": "m"}], "flags": {"attributes": "file://etc/mesos/attributes"}}"#, files: ["m/etc/mesos/attributes": "rack:r1"])
        onlyError(dir, path: "mesos.agents.flags.attributes", [#""etc/mesos/attributes" is a relative path"#, "file:///"])
    }

    func testFilesOutsideTheScenarioAreRefused() throws {
        // the root itself outside the scenario's folder
        let outer = Self.agents(#"{"flagsFrom": [{"root": "../elsewhere"}]}"#, files: [:])
        onlyError(outer, path: "mesos.agents.flagsFrom[0].root", ["resolves outside the scenario's folder"])
        // a symbolic link under the root that leaves the scenario's folder
        let dir = Self.agents(#"{"flagsFrom": [{"root": "m"}], "flags": {"attributes": "file:///etc/mesos/attributes"}}"#, files: ["m/etc/mesos/.keep": ""])
        let outside = makeTempDir() + "/attributes"
        write("rack:r1", to: outside)
        XCTAssertNoThrow(try FileManager.default.createSymbolicLink(atPath: dir + "/m/etc/mesos/attributes", withDestinationPath: outside))
        onlyError(dir, path: "mesos.agents.flags.attributes", ["symbolic link", "outside the scenario's folder"])
        // the machine's ".." stops at its /, so the file stays under the root
        let dots = Self.agents(#"{"flagsFrom": [{"root": "m"}], "flags": {"attributes": "file:///../../etc/mesos/attributes"}}"#,
                               files: ["m/etc/mesos/attributes": "rack:r2", "etc/mesos/attributes": "rack:wrong"])
        XCTAssertEqual(try XCTUnwrap(load(dots)?.spec.mesos?.agentFlags.attributes), [Attribute(name: "rack", value: "r2")])
    }

    func testWithoutARootAModelledFlagIsAnErrorAndAnUnmodelledOneAWarning() throws {
        let dir = Self.agents(#"{"flags": {"modules": "file:///etc/mesos/modules.json"}}"#, files: [:])
        onlyError(dir, path: "mesos.agents.flags.modules", [#"add {"root": "DIR"} to flagsFrom"#, "etc/mesos/modules.json"])
        let attributes = Self.agents(#"{"flags": {"attributes": "file:///etc/mesos/attributes"}}"#, files: [:])
        onlyError(attributes, path: "mesos.agents.flags.attributes", [#"add {"root": "DIR"}"#])
        let json = Self.agents(#"{"flags": {"modules": "/etc/mesos/modules.json"}}"#, files: [:])
        onlyError(json, path: "mesos.agents.flags.modules", [#"add {"root": "DIR"}"#])
        // logging_level and acls are not modelled: loaded unread, one warning each
        let un = Self.agents(#"{"flagsFrom": [{"commandLine": "mesos-agent --work_dir=/var/lib/mesos --logging_level=file:///etc/mesos/level --acls=/etc/mesos/acls.json"}]}"#, files: [:])
        let l = try XCTUnwrap(load(un))
        XCTAssertEqual(l.warnings.filter { $0.contains("mesos.agents.flags.logging_level") && $0.contains("is not read: no {\"root\": ...}") }.count, 1, l.warnings.joined(separator: "\n"))
        XCTAssertEqual(l.warnings.filter { $0.contains("mesos.agents.flags.acls") && $0.contains("is not read") }.count, 1, l.warnings.joined(separator: "\n"))
    }

    func testTheRootsOwnErrors() {
        let two = Self.agents(#"{"flagsFrom": [{"root": "a"}, {"root": "b"}]}"#, files: ["a/x": "", "b/x": ""])
        onlyError(two, path: "mesos.agents.flagsFrom[1].root", ["a second root"])
        let file = Self.agents(#"{"flagsFrom": [{"root": "a"}]}"#, files: ["a": ""])
        onlyError(file, path: "mesos.agents.flagsFrom[0].root", ["is not a folder"])
        let marathon = DeployedFlagsTests.folder(marathon: #"{"version": "1.4", "flagsFrom": [{"root": "a"}]}"#, files: ["a/x": ""])
        onlyError(marathon, path: "marathon.flagsFrom[0].root", ["Marathon reads no flag value from a file"])
        // nor does Prometheus (kingpin): the root is Mesos' alone
        let prom = DeployedFlagsTests.folder(marathon: #"{"version": "1.4"}, "prometheus": {"flagsFrom": [{"root": "a"}, {"commandLine": "prometheus"}]}"#, files: ["a/x": ""])
        onlyError(prom, path: "prometheus.flagsFrom[0].root", ["Prometheus reads no flag value from a file (kingpin takes a value as written)"])
    }

    /// --launcher_dir (src/slave/flags.cpp, every release 1.1.0 to 1.11.0) is an agent flag; its
    /// `file://` value is read as any std::string flag's.
    func testLauncherDirIsAnAgentFlag() throws {
        let dir = Self.agents(#"{"flagsFrom": [{"root": "m"}, {"commandLine": "mesos-agent --work_dir=/var/lib/mesos --launcher_dir=file:///etc/mesos/launcher_dir"}]}"#,
                              files: ["m/etc/mesos/launcher_dir": "/usr/libexec/mesos"])
        let l = try XCTUnwrap(load(dir))
        XCTAssertTrue(l.warnings.contains { $0.contains("flags accepted but not modelled: launcher_dir") }, l.warnings.joined(separator: "\n"))
    }

    /// Larger than the deployed files' budget (16 MiB in all, with the flagsFrom files).
    func testAFileOverTheBudgetIsRefused() {
        let dir = Self.agents(#"{"flagsFrom": [{"root": "m"}], "flags": {"attributes": "file:///etc/mesos/attributes"}}"#,
                              files: ["m/etc/mesos/attributes": String(repeating: "a:b;", count: IncludeLimits.maxTotalBytes / 4 + 1)])
        onlyError(dir, path: "mesos.agents.flags.attributes", ["more than \(IncludeLimits.maxTotalBytes) bytes"])
        // two files under the limit each, over it together (and with the flagsFrom files)
        let half = String(repeating: "x", count: IncludeLimits.maxTotalBytes / 2 + 1)
        let two = Self.agents(#"{"flagsFrom": [{"root": "m"}], "flags": {"sandbox_directory": "file:///a", "runtime_dir": "file:///b"}}"#,
                              files: ["m/a": half, "m/b": half])
        onlyError(two, path: "mesos.agents.flags.runtime_dir", ["more than \(IncludeLimits.maxTotalBytes) bytes"])
    }
}
