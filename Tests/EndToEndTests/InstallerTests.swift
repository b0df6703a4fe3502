import Foundation
import XCTest

/// scripts/install-deps.sh, `make deps` and .ci/run on a pretend machine: stand-ins for dpkg-query, apt-get, id,
/// swift (and make for .ci/run) from Tests/EndToEndTests/installer-standins come first on PATH and record every
/// call, so the exact apt-get calls a fresh machine would get are asserted without installing anything.
final class InstallerTests: XCTestCase {
    static let standins = CLI.root.appendingPathComponent("Tests/EndToEndTests/installer-standins").path
    static let installer = CLI.root.appendingPathComponent("scripts/install-deps.sh").path
    static let allPackages = "libgsl-dev pkg-config gnuplot-nox make nginx prometheus prometheus-alertmanager haproxy"

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Every call the stand-ins saw, one line each ("apt-get -o ... update -q [DEBIAN_FRONTEND=...]").
        var calls: [String]
        var aptCalls: [String] { calls.filter { $0.hasPrefix("apt-get ") } }
    }

    /// A folder of stand-ins (plus a link to bash, which their `#!/usr/bin/env bash` needs).
    func standinBin(_ tools: [String]) throws -> String {
        let dir = CLI.tempDir("installer")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let bin = dir + "/bin"
        let fm = FileManager.default
        try fm.createDirectory(atPath: bin, withIntermediateDirectories: true)
        for t in tools {
            try fm.copyItem(atPath: Self.standins + "/" + t, toPath: bin + "/" + t)
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/" + t)
        }
        try fm.createSymbolicLink(atPath: bin + "/bash", withDestinationPath: try Self.find("bash"))
        return bin
    }

    /// A tool on the test's own PATH (the real one, not a stand-in).
    static func find(_ tool: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        for p in ["/usr/bin/\(tool)", "/bin/\(tool)"] where FileManager.default.isExecutableFile(atPath: p) { return p }
        throw XCTSkip("\(tool) is not installed")
    }

    /// Runs `executable args` from the repository root with only `path` as PATH and the stand-ins' settings, no stdin.
    func run(_ executable: String, _ args: [String], path: String, installed: String, uid: Int,
             extra: [String: String] = [:]) throws -> Outcome {
        let log = CLI.tempDir("installer-log") + "/calls"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: (log as NSString).deletingLastPathComponent) }
        XCTAssertTrue(FileManager.default.createFile(atPath: log, contents: nil))
        var env = ["PATH": path, "STANDIN_LOG": log, "STANDIN_INSTALLED": installed, "STANDIN_UID": String(uid),
                   "HOME": NSTemporaryDirectory(), "LANG": "C"]
        env.merge(extra) { $1 }
        let r = try CLI.runProgram(executable, args, environment: env)
        let calls = (try String(contentsOfFile: log, encoding: .utf8)).split(separator: "\n").map(String.init)
        return Outcome(status: r.status, stdout: r.stdout, stderr: r.stderr, calls: calls)
    }

    /// The installer alone, with nothing but the stand-ins and bash on PATH.
    func installer(_ args: [String] = [], installed: String, uid: Int, tools: [String] = ["dpkg-query", "apt-get", "id", "swift"],
                   extra: [String: String] = [:]) throws -> Outcome {
        let bin = try standinBin(tools)
        return try run(try Self.find("bash"), [Self.installer] + args, path: bin, installed: installed, uid: uid, extra: extra)
    }

    static let update = "apt-get -o DPkg::Lock::Timeout=600 update -q [DEBIAN_FRONTEND=noninteractive]"
    static func install(_ packages: String) -> String {
        "apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \(packages) [DEBIAN_FRONTEND=noninteractive]"
    }

    func testAsRootItUpdatesThenInstallsOnlyWhatIsMissing() throws {
        let o = try installer(installed: "pkg-config gnuplot-nox make nginx prometheus prometheus-alertmanager haproxy", uid: 0)
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(o.aptCalls, [Self.update, Self.install("libgsl-dev")], o.stderr)
        XCTAssertTrue(o.stderr.contains("installing: libgsl-dev"), o.stderr)
        XCTAssertEqual(o.stdout, "", "apt's output goes to stderr, stdout stays clean")
    }

    func testNginxIsInstalledForTheTestsNginxCheck() throws {
        // the tests judge rendered nginx configuration with the real `nginx -t`
        let o = try installer(installed: "libgsl-dev pkg-config gnuplot-nox make prometheus prometheus-alertmanager haproxy", uid: 0)
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(o.aptCalls, [Self.update, Self.install("nginx")], o.stderr)
        XCTAssertTrue(o.calls.contains("dpkg-query -W -f=${Status} nginx-light"), "other flavours count: \(o.calls)")
    }

    func testPromtoolAndAmtoolAreInstalledForTheMonitoringChecks() throws {
        // the tests judge rule files with `promtool check rules`, replay series with `promtool test rules`,
        // and check Alertmanager configurations with `amtool check-config`
        let o = try installer(installed: "libgsl-dev pkg-config gnuplot-nox make nginx haproxy", uid: 0)
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(o.aptCalls, [Self.update, Self.install("prometheus prometheus-alertmanager")], o.stderr)
    }

    func testHaproxyIsInstalledForTheMarathonLBCheck() throws {
        // the tests judge marathon-lb's generated haproxy.cfg with `haproxy -c`
        let o = try installer(installed: "libgsl-dev pkg-config gnuplot-nox make nginx prometheus prometheus-alertmanager", uid: 0)
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(o.aptCalls, [Self.update, Self.install("haproxy")], o.stderr)
    }

    func testCheckAllAlsoInstallsSlurmAndMunge() throws {
        // make check-all starts a single-node Slurm of its own (scripts/slurm-local.sh); make test does not need it
        let o = try installer(["--check-all"], installed: Self.allPackages, uid: 0)
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(o.aptCalls, [Self.update, Self.install("slurm-wlm munge")], o.stderr)
        let fresh = try installer(["--check-all"], installed: "", uid: 0)
        XCTAssertEqual(fresh.aptCalls, [Self.update, Self.install(Self.allPackages + " slurm-wlm munge")], fresh.stderr)
        let ready = try installer(["--check-all"], installed: Self.allPackages + " slurm-wlm munge", uid: 0)
        XCTAssertEqual(ready.status, 0, ready.stderr)
        XCTAssertEqual(ready.aptCalls, [])
        XCTAssertEqual(ready.stdout + ready.stderr, "")
        let user = try installer(["--check-all"], installed: Self.allPackages, uid: 1000)
        XCTAssertEqual(user.status, 1, user.stderr)
        XCTAssertTrue(user.stderr.contains("run:  sudo apt-get update && sudo apt-get install -y --no-install-recommends slurm-wlm munge"), user.stderr)
    }

    func testPlainInstallNeverAsksForSlurm() throws {
        let o = try installer(installed: Self.allPackages, uid: 0)
        XCTAssertEqual(o.aptCalls, [])
        XCTAssertFalse(o.calls.contains { $0.contains("slurm") || $0.contains("munge") }, "\(o.calls)")
    }

    func testAnUnknownArgumentIsAUsageError() throws {
        let o = try installer(["--check"], installed: "", uid: 0)
        XCTAssertEqual(o.status, 2, o.stderr)
        XCTAssertTrue(o.stderr.contains("usage:") && o.stderr.contains("--check-all"), o.stderr)
        XCTAssertEqual(o.aptCalls, [])
    }

    /// `make check-all` runs the installer with --check-all before anything else, and the Slurm check with
    /// CLUSTERSIM_SLURM_TEST=1 (SlurmLocalTests is skipped in `make test`).
    func testMakeCheckAllInstallsSlurmFirstAndRunsTheSlurmTest() throws {
        let make = try Self.find("make")
        let bin = try standinBin(["dpkg-query", "apt-get", "id", "swift"])
        let dry = try run(make, ["-n", "--no-print-directory", "check-all"], path: bin + ":/usr/bin:/bin", installed: "", uid: 0)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        let lines = dry.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "bash scripts/install-deps.sh --check-all", dry.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("CLUSTERSIM_SLURM_TEST=1 ") && $0.contains("--filter SlurmLocalTests") }, dry.stdout)
        let test = try run(make, ["-n", "--no-print-directory", "test"], path: bin + ":/usr/bin:/bin", installed: "", uid: 0)
        XCTAssertFalse(test.stdout.contains("--check-all") || test.stdout.contains("CLUSTERSIM_SLURM_TEST"), test.stdout)
    }

    func testAsRootOnAFreshMachineItInstallsEverything() throws {
        let o = try installer(installed: "", uid: 0)
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(o.aptCalls, [Self.update, Self.install(Self.allPackages)], o.stderr)
    }

    func testNothingIsInstalledWhenEverythingIsPresent() throws {
        let o = try installer(installed: Self.allPackages, uid: 0)
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(o.aptCalls, [])
        XCTAssertEqual(o.stdout + o.stderr, "", "a machine that has everything hears nothing")
        // it did look: each package was asked for
        for p in Self.allPackages.split(separator: " ") {
            XCTAssertTrue(o.calls.contains("dpkg-query -W -f=${Status} \(p)"), "\(p) not checked: \(o.calls)")
        }
    }

    func testInstalledAlternativesAreEnough() throws {
        // Debian 11 / Ubuntu 20.04 often have pkgconf (which conflicts with pkg-config); a desktop has gnuplot-qt;
        // a web server may have another nginx flavour.
        let o = try installer(installed: "libgsl-dev pkgconf gnuplot-qt make nginx-light prometheus prometheus-alertmanager haproxy", uid: 0)
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(o.aptCalls, [])
    }

    /// A user on a machine without sudo: the line to run (as root, or once sudo is there).
    func testAsAUserItPrintsTheSudoLineAndExitsOne() throws {
        let o = try installer(installed: "pkg-config make nginx-full prometheus prometheus-alertmanager haproxy", uid: 1000)
        XCTAssertEqual(o.status, 1, o.stderr)
        XCTAssertEqual(o.aptCalls, [], "a user's run never calls apt-get")
        let lines = o.stderr.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("missing Debian packages: libgsl-dev gnuplot-nox"), o.stderr)
        XCTAssertTrue(lines.contains("run:  sudo apt-get update && sudo apt-get install -y --no-install-recommends libgsl-dev gnuplot-nox"), o.stderr)
    }

    /// A user who may use sudo without a password (a cloud image's default user, a CI runner): README's first
    /// command installs through sudo instead of stopping at the line to run.
    func testAUserWithPasswordlessSudoInstallsThroughSudo() throws {
        let tools = ["dpkg-query", "apt-get", "id", "swift", "sudo"]
        let o = try installer(installed: "pkg-config make nginx-full prometheus prometheus-alertmanager haproxy", uid: 1000,
                              tools: tools, extra: ["STANDIN_SUDO": "nopasswd"])
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(o.aptCalls, [Self.update, Self.install("libgsl-dev gnuplot-nox")], o.stderr)
        XCTAssertEqual(o.calls.filter { $0.hasPrefix("sudo ") }, [
            "sudo -n true",
            "sudo DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q",
            "sudo DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends libgsl-dev gnuplot-nox"])
        XCTAssertTrue(o.stderr.contains("installing with sudo: libgsl-dev gnuplot-nox"), o.stderr)
        XCTAssertEqual(o.stdout, "")
        // with everything present it asks sudo nothing
        let ready = try installer(installed: Self.allPackages, uid: 1000, tools: tools, extra: ["STANDIN_SUDO": "nopasswd"])
        XCTAssertEqual(ready.status, 0, ready.stderr)
        XCTAssertEqual(ready.calls.filter { $0.hasPrefix("sudo") || $0.hasPrefix("apt-get") }, [])
    }

    /// sudo that wants a password, and no terminal to ask it on (stdin is not a terminal here): the line to run.
    func testAUserWhoseSudoNeedsAPasswordWithoutATerminalGetsTheLine() throws {
        let o = try installer(installed: Self.allPackages.replacingOccurrences(of: "haproxy", with: ""), uid: 1000,
                              tools: ["dpkg-query", "apt-get", "id", "swift", "sudo"])
        XCTAssertEqual(o.status, 1, o.stderr)
        XCTAssertEqual(o.aptCalls, [])
        XCTAssertEqual(o.calls.filter { $0.hasPrefix("sudo") }, ["sudo -n true"], "only asked whether it may")
        XCTAssertTrue(o.stderr.contains("run:  sudo apt-get update && sudo apt-get install -y --no-install-recommends haproxy"), o.stderr)
        XCTAssertFalse(o.stderr.contains("password is required"), "sudo's own complaint is not shown: \(o.stderr)")
    }

    func testAFailingAptGetFailsTheInstaller() throws {
        let o = try installer(installed: "", uid: 0, extra: ["STANDIN_APT_FAIL": "1"])
        XCTAssertEqual(o.status, 100, o.stderr)
        XCTAssertTrue(o.stderr.contains("E: Unable to locate package"), o.stderr)
    }

    func testMissingSwiftSaysWhereToGetIt() throws {
        let o = try installer(installed: "", uid: 0, tools: ["dpkg-query", "apt-get", "id"])
        XCTAssertEqual(o.status, 1, o.stderr)
        XCTAssertEqual(o.aptCalls, [], "nothing is installed for a machine that cannot build anyway")
        XCTAssertTrue(o.stderr.hasPrefix("swift is not on PATH."), o.stderr)
        for part in ["Debian and Ubuntu do not package", "https://www.swift.org/install/linux/", "swiftly", "tarball",
                     "Under sudo, PATH is reset"] {
            XCTAssertTrue(o.stderr.contains(part), "missing \"\(part)\" in: \(o.stderr)")
        }
    }

    /// Without dpkg-query and apt-get (not Debian/Ubuntu): passes when `pkg-config gsl`, gnuplot and make answer.
    func testOtherSystemsPassWhenTheToolsAreThere() throws {
        let bin = try standinBin(["id", "swift"])
        func present(_ tool: String) throws {
            try "#!/usr/bin/env bash\nexit 0\n".write(toFile: bin + "/" + tool, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/" + tool)
        }
        try present("pkg-config")
        try present("make")
        let bash = try Self.find("bash")
        let noGnuplot = try run(bash, [Self.installer], path: bin, installed: "", uid: 0)
        XCTAssertEqual(noGnuplot.status, 1, noGnuplot.stderr)
        XCTAssertTrue(noGnuplot.stderr.contains("this installer is for Debian and Ubuntu"), noGnuplot.stderr)
        try present("gnuplot")
        let ready = try run(bash, [Self.installer], path: bin, installed: "", uid: 0)
        XCTAssertEqual(ready.status, 0, ready.stderr)
        XCTAssertEqual(ready.stderr, "")
        let noSlurm = try run(bash, [Self.installer, "--check-all"], path: bin, installed: "", uid: 0)
        XCTAssertEqual(noSlurm.status, 1, noSlurm.stderr)
        XCTAssertTrue(noSlurm.stderr.contains("make check-all also needs Slurm"), noSlurm.stderr)
        try present("slurmctld")
        try present("munged")
        let slurm = try run(bash, [Self.installer, "--check-all"], path: bin, installed: "", uid: 0)
        XCTAssertEqual(slurm.status, 0, slurm.stderr)
    }

    /// `make deps`, which `make run` and `make test` start with, runs this installer (with the real make).
    func testMakeDepsRunsTheInstaller() throws {
        let make = try Self.find("make")
        let bin = try standinBin(["dpkg-query", "apt-get", "id", "swift"])
        let o = try run(make, ["--no-print-directory", "deps"], path: bin, installed: "pkg-config gnuplot-nox make nginx prometheus prometheus-alertmanager haproxy", uid: 0)
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(o.aptCalls, [Self.update, Self.install("libgsl-dev")], o.stderr)
        for target in ["run", "test"] {
            let dry = try run(make, ["-n", "--no-print-directory", target], path: bin + ":/usr/bin:/bin", installed: "", uid: 0)
            XCTAssertEqual(dry.status, 0, dry.stderr)
            XCTAssertEqual(dry.stdout.split(separator: "\n").first.map(String.init), "bash scripts/install-deps.sh",
                           "make \(target) starts with the installer: \(dry.stdout)")
        }
    }

    /// .ci/run as CI runs it (root, CI=true, no stdin) on a fresh machine: the same installer, then `make test`,
    /// then the closing line from XCTest's totals.
    func ciRun(makeOutput: String, makeStatus: Int) throws -> Outcome {
        let bin = try standinBin(["dpkg-query", "apt-get", "id", "swift", "make"])
        return try run(try Self.find("bash"), [".ci/run"], path: bin + ":/usr/bin:/bin", installed: "", uid: 0,
                       extra: ["CI": "true", "STANDIN_MAKE_OUTPUT": makeOutput, "STANDIN_MAKE_STATUS": String(makeStatus)])
    }

    func testCIGoesThroughTheInstallerThenMakeTest() throws {
        let out = "Test Suite 'Selected tests' started\\n"
            + "\\t Executed 7 tests, with 0 failures (0 unexpected) in 1.0 (1.0) seconds\\n"
            + "Test Case 'A.testOne' failed (0.1 seconds)\\n"
            + "Test Case 'B.testTwo' failed (0.2 seconds)\\n"
            + "\\t Executed 13 tests, with 1 test skipped and 5 failures (0 unexpected) in 3.0 (3.1) seconds\\n"
        let o = try ciRun(makeOutput: out, makeStatus: 1)
        XCTAssertEqual(o.status, 1, "CI fails when make test fails: \(o.stderr)")
        XCTAssertEqual(o.aptCalls, [Self.update, Self.install(Self.allPackages)], o.stderr)
        XCTAssertTrue(o.stderr.contains("installing: \(Self.allPackages)"), "the installer's own message: \(o.stderr)")
        let apt = o.calls.firstIndex(of: Self.install(Self.allPackages))
        let make = o.calls.firstIndex(of: "make test")
        XCTAssertNotNil(make, "\(o.calls)")
        if let a = apt, let m = make { XCTAssertLessThan(a, m, "packages are installed before make test") }
        XCTAssertEqual(o.stdout.split(separator: "\n").last.map(String.init), "tests: 10 passed, 2 failed, 1 skipped", "counts tests, not failed assertions: \(o.stdout)")
        // and no apt logic of its own: every apt-get call above came from the installer
        let script = try String(contentsOfFile: CLI.root.appendingPathComponent(".ci/run").path, encoding: .utf8)
        let code = script.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
        XCTAssertFalse(code.contains { $0.contains("apt-get") || $0.contains("dpkg-query") }, ".ci/run must not install by itself")
    }

    func testCIPassesWithTheTotalsLine() throws {
        let o = try ciRun(makeOutput: "\\t Executed 3 tests, with 0 failures (0 unexpected) in 0.1 (0.1) seconds\\n", makeStatus: 0)
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertEqual(o.stdout.split(separator: "\n").last.map(String.init), "tests: 3 passed, 0 failed")
    }

    func testCIWithoutATotalsLineKeepsMakesStatusOrFails() throws {
        // the build failed: no XCTest line; CI reports make's own status, not a grep failure
        let broken = try ciRun(makeOutput: "error: could not build C module 'CGSL'\\n", makeStatus: 2)
        XCTAssertEqual(broken.status, 2, broken.stderr)
        XCTAssertTrue(broken.stderr.contains("make test failed (exit 2) before XCTest printed its totals"), broken.stderr)
        XCTAssertFalse(broken.stdout.contains("tests:"), broken.stdout)
        // make test "passed" without running a test: that is a failure
        let empty = try ciRun(makeOutput: "", makeStatus: 0)
        XCTAssertEqual(empty.status, 1, empty.stderr)
        XCTAssertTrue(empty.stderr.contains("no test ran"), empty.stderr)
    }
}
