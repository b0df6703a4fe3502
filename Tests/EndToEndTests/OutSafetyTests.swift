import Foundation
import XCTest

/// `--out` safety, crash cleanup and interrupts (issue 17, points 1-4), through the real command
/// in a scratch folder that is also its working directory.
final class OutSafetyTests: XCTestCase {
    var dir = ""
    var home = ""

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: CLI.binary) else {
            XCTFail("\(CLI.binary) not built: run `swift build` first (make test does)")
            throw XCTSkip("binary missing")
        }
        dir = CLI.tempDir("outsafe")
        home = dir + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/scen", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("scenarios/quickstart.json").path,
                                         toPath: dir + "/scen/q.json")
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// The scratch folder's environment: HOME is a scratch folder too.
    var env: [String: String] {
        var e = ProcessInfo.processInfo.environment
        e["HOME"] = home
        return e
    }

    func start(_ args: [String], env extra: [String: String] = [:]) throws -> CLI.Running {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.environment = env.merging(extra) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        return CLI.Running(process: p, out: out, err: err)
    }

    func run(_ args: [String], env extra: [String: String] = [:]) throws -> (CLI.Result, Process.TerminationReason) {
        let r = try start(args, env: extra)
        let res = r.wait()
        return (res, r.process.terminationReason)
    }

    /// Every file and folder under `root` with the contents of the files, to compare before/after.
    func snapshot(_ root: String) -> [String: Data] {
        var out: [String: Data] = [:]
        let fm = FileManager.default
        guard let e = fm.enumerator(atPath: root) else { return out }
        while let rel = e.nextObject() as? String {
            let p = root + "/" + rel
            var isDir: ObjCBool = false
            _ = fm.fileExists(atPath: p, isDirectory: &isDir)
            out[rel] = isDir.boolValue ? Data("<dir>".utf8) : (fm.contents(atPath: p) ?? Data("<unreadable>".utf8))
        }
        return out
    }

    func tempLeftovers(_ folder: String) -> [String] { CLI.files(in: folder).filter { $0.contains(".tmp-") } }

    /// A quick run of quickstart into `out` (relative to the scratch folder).
    func previousResults(_ out: String) throws {
        let (r, _) = try run(["run", "scen/q.json", "--out", out, "--quiet", "--set", "duration=40m"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(CLI.files(in: dir + "/" + out).contains("summary.json"))
    }

    // MARK: point 1: replace only what is ours

    func testRefusedTargetsExitTwoBeforeRunningAndTouchNothing() throws {
        try "my thesis\n".write(toFile: dir + "/thesis.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/mydir", withIntermediateDirectories: true)
        try "notes\n".write(toFile: dir + "/mydir/notes.txt", atomically: true, encoding: .utf8)
        try "mine\n".write(toFile: home + "/.profile", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: dir + "/mydir")
        // a results folder the user added a file to is no longer only ours
        try previousResults("res")
        try "my analysis\n".write(toFile: dir + "/res/analysis.txt", atomically: true, encoding: .utf8)
        let cases: [(String, String)] = [
            ("thesis.txt", "exists and is a file"),
            ("mydir", "holding notes.txt"),
            ("link", "holding notes.txt"),            // a symbolic link is judged by what it points to
            ("res", "holding analysis.txt"),
            (".", "is the current folder"),
            ("./", "is the current folder"),
            ("..", "contains the current folder"),
            ("mydir/..", "is the current folder"),
            (dir, "is the current folder"),
            ("scen", "holds the scenario file"),
            ("scen/q.json", "is the scenario file"),
            ("/", "is the root folder"),
            (home, "is the home folder"),
            ("home", "is the home folder"),
            ("thesis.txt/results", "is a file, not a folder"),
            (String(repeating: "x", count: 256), "at most 255"),
        ]
        let before = snapshot(dir)
        for (out, why) in cases {
            // the trap would end a run that started: exit 2 proves the refusal came first
            let (r, reason) = try run(["run", "scen/q.json", "--out", out], env: ["CLUSTERSIM_TEST_TRAP_AT_EVENT": "1"])
            XCTAssertEqual(reason, .exit, "--out \(out): \(r.stderr)")
            XCTAssertEqual(r.status, 2, "--out \(out): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("error: --out \(out)"), "--out \(out): names the path: \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(why), "--out \(out): says why (\(why)): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("nothing was run or written"), r.stderr)
            XCTAssertEqual(r.stdout, "")
            XCTAssertEqual(snapshot(dir), before, "--out \(out) changed the scratch folder")
        }
        XCTAssertEqual(try String(contentsOfFile: dir + "/thesis.txt", encoding: .utf8), "my thesis\n")
        XCTAssertEqual(try String(contentsOfFile: dir + "/mydir/notes.txt", encoding: .utf8), "notes\n")
    }

    func testReplacesItsOwnResultsFolderOldOrNew() throws {
        try "my thesis\n".write(toFile: dir + "/thesis.txt", atomically: true, encoding: .utf8)
        try previousResults("results/q")                   // results/ did not exist: parents are created
        let first = try String(contentsOfFile: dir + "/results/q/timeline.csv", encoding: .utf8)
        let (r, _) = try run(["run", "scen/q.json", "--out", "results/q", "--quiet", "--set", "duration=20m", "--set", "faults=[]", "--set", "actions=[]", "--set", "sampleInterval=1m"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let second = try String(contentsOfFile: dir + "/results/q/timeline.csv", encoding: .utf8)
        XCTAssertNotEqual(first, second)
        XCTAssertEqual(second.split(separator: "\n").count, 1 + 21)
        XCTAssertEqual(CLI.files(in: dir + "/results"), ["q"], "no temporary or old folder left")
        // the default folder, results/<name>, relative to the working directory
        let (d, _) = try run(["run", "scen/q.json", "--quiet"])
        XCTAssertEqual(d.status, 0, d.stderr)
        XCTAssertEqual(CLI.files(in: dir + "/results"), ["q", "quickstart"])
        // a folder written before the tool checked --out (the committed golden results) is recognised
        // by its files; through a symbolic link the real folder is replaced and the link kept
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("results/quickstart").path, toPath: dir + "/golden")
        try FileManager.default.createSymbolicLink(atPath: dir + "/via-link", withDestinationPath: "golden")
        let (g, _) = try run(["run", "scen/q.json", "--out", "via-link", "--quiet", "--set", "duration=10m", "--set", "faults=[]", "--set", "actions=[]", "--set", "sampleInterval=1m"])
        XCTAssertEqual(g.status, 0, g.stderr)
        XCTAssertEqual(try String(contentsOfFile: dir + "/golden/timeline.csv", encoding: .utf8).split(separator: "\n").count, 1 + 11)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/via-link"), "golden")
        // an empty folder holds nothing to lose
        try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
        XCTAssertEqual(try run(["run", "scen/q.json", "--out", "empty", "--quiet"]).0.status, 0)
        XCTAssertTrue(CLI.files(in: dir + "/empty").contains("summary.json"))
        XCTAssertEqual(tempLeftovers(dir), [])
        XCTAssertEqual(try String(contentsOfFile: dir + "/thesis.txt", encoding: .utf8), "my thesis\n")
    }

    // MARK: point 2: names that fit

    /// A 250-character scenario name: results/<name> fits NAME_MAX, `.<name>.tmp-<pid>` would not;
    /// the run uses a shorter temporary name and succeeds.
    func testLongScenarioNameRuns() throws {
        let name = String(repeating: "n", count: 250)
        var text = try String(contentsOfFile: dir + "/scen/q.json", encoding: .utf8)
        text = text.replacingOccurrences(of: "\"name\": \"quickstart\"", with: "\"name\": \"\(name)\"")
        XCTAssertTrue(text.contains(name))
        try text.write(toFile: dir + "/scen/long.json", atomically: true, encoding: .utf8)
        let (r, _) = try run(["run", "scen/long.json", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(CLI.files(in: dir + "/results"), [name])
        XCTAssertTrue(CLI.files(in: dir + "/results/" + name).contains("summary.json"))
        // and a crash of such a run leaves no (shortened) temporary folder either
        let (t, reason) = try run(["run", "scen/long.json", "--quiet"], env: ["CLUSTERSIM_TEST_TRAP_AT_EVENT": "20"])
        XCTAssertEqual(reason, .uncaughtSignal, t.stderr)
        XCTAssertEqual(CLI.files(in: dir + "/results"), [name])
    }

    // MARK: point 3: no leftovers

    func testTrapMidRunLeavesNoTemporaryFolderAndKeepsPreviousResults() throws {
        try previousResults("out")
        let before = snapshot(dir + "/out")
        let (r, reason) = try run(["run", "scen/q.json", "--out", "out", "--quiet"], env: ["CLUSTERSIM_TEST_TRAP_AT_EVENT": "40"])
        XCTAssertEqual(reason, .uncaughtSignal, "a trap ends the process by a signal: \(r.stderr)")
        XCTAssertTrue([SIGILL, SIGTRAP].contains(r.status), "signal \(r.status)")
        XCTAssertTrue(r.stderr.contains("CLUSTERSIM_TEST_TRAP_AT_EVENT=40"), r.stderr)
        XCTAssertEqual(tempLeftovers(dir), [], "the crashed run left its temporary folder")
        XCTAssertEqual(CLI.files(in: dir).sorted(), ["home", "out", "scen"])
        XCTAssertEqual(snapshot(dir + "/out"), before)
    }

    func testStaleTemporaryFoldersOfDeadProcessesAreRemoved() throws {
        // a pid that is certainly gone: a child that has been waited for
        let t = Process()
        t.executableURL = URL(fileURLWithPath: "/bin/true")
        try t.run()
        t.waitUntilExit()
        let dead = t.processIdentifier
        let fm = FileManager.default
        let stale = dir + "/.out.tmp-\(dead)"
        try fm.createDirectory(atPath: stale, withIntermediateDirectories: true)
        try "time_s\n".write(toFile: stale + "/timeline.csv", atomically: true, encoding: .utf8)
        try "{}".write(toFile: stale + "/summary.json", atomically: true, encoding: .utf8)
        let live = dir + "/.out.tmp-\(getpid())"           // this test process is alive: not touched
        try fm.createDirectory(atPath: live, withIntermediateDirectories: true)
        let notOurs = dir + "/.out.tmp-notes"              // not a pid: not touched
        try fm.createDirectory(atPath: notOurs, withIntermediateDirectories: true)
        let other = dir + "/.other.tmp-\(dead)"            // another target's: not touched
        try fm.createDirectory(atPath: other, withIntermediateDirectories: true)
        let (r, _) = try run(["run", "scen/q.json", "--out", "out", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(fm.fileExists(atPath: stale), "stale temporary folder of pid \(dead) is still there")
        XCTAssertTrue(fm.fileExists(atPath: live))
        XCTAssertTrue(fm.fileExists(atPath: notOurs))
        XCTAssertTrue(fm.fileExists(atPath: other))
        XCTAssertTrue(CLI.files(in: dir + "/out").contains("summary.json"))
    }

    // MARK: point 4: interrupts from the first instruction

    /// SIGINT 0, 10 and 100 ms after the start of a long run that would replace previous results:
    /// exit 130, the previous results byte for byte, no temporary folder. A signal that arrives
    /// before the program's first instruction (while the dynamic loader runs) takes the kernel's
    /// default action, death by SIGINT, which shells also report as 130; once the process catches
    /// SIGINT (SigCgt in /proc/<pid>/status) the exit must be 130.
    func testInterruptAtAnyMomentKeepsPreviousResults() throws {
        try previousResults("out")
        let before = snapshot(dir + "/out")
        for delay in [0, 10, 100] {
            let p = try start(["run", "scen/q.json", "--out", "out", "--quiet", "--set", "duration=87600h",
                               "--set", "sampleInterval=1h"])
            if delay > 0 { usleep(UInt32(delay * 1000)) }
            let pid = p.process.processIdentifier
            let caught = catchesSIGINT(pid)
            kill(pid, SIGINT)
            let r = p.wait()
            let reason = p.process.terminationReason
            if caught {
                XCTAssertEqual(reason, .exit, "after \(delay) ms: \(r.stderr)")
                XCTAssertEqual(r.status, 130, "after \(delay) ms: \(r.stderr)")
                XCTAssertTrue(r.stderr.contains("interrupted"), r.stderr)
            } else {
                XCTAssertTrue((reason == .exit && r.status == 130) || (reason == .uncaughtSignal && r.status == SIGINT),
                              "after \(delay) ms: \(reason) \(r.status) \(r.stderr)")
            }
            XCTAssertEqual(snapshot(dir + "/out"), before, "after \(delay) ms the previous results changed")
            XCTAssertEqual(tempLeftovers(dir), [], "after \(delay) ms")
        }
    }

    /// Whether `pid` has a handler for SIGINT (bit 2 of SigCgt in /proc/<pid>/status).
    func catchesSIGINT(_ pid: Int32) -> Bool {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
              let mask = UInt64(line.dropFirst(7).trimmingCharacters(in: .whitespaces), radix: 16) else { return false }
        return mask & (1 << (UInt64(SIGINT) - 1)) != 0
    }

    /// SIGTERM during the run (after the temporary folder exists): the same as SIGINT.
    func testTerminateDuringRunKeepsPreviousResults() throws {
        try previousResults("out")
        let before = snapshot(dir + "/out")
        let p = try start(["run", "scen/q.json", "--out", "out", "--quiet", "--set", "duration=87600h", "--set", "sampleInterval=1h"])
        let deadline = Date().addingTimeInterval(60)
        while tempLeftovers(dir).isEmpty && p.process.isRunning && Date() < deadline { usleep(5_000) }
        XCTAssertTrue(p.process.isRunning, "the run finished before it could be stopped")
        kill(p.process.processIdentifier, SIGTERM)
        let r = p.wait()
        XCTAssertEqual(p.process.terminationReason, .exit)
        XCTAssertEqual(r.status, 130, r.stderr)
        XCTAssertEqual(snapshot(dir + "/out"), before)
        XCTAssertEqual(tempLeftovers(dir), [])
    }

    // MARK: --max-events

    func testMaxEventsStopsWithExitTwoAndWritesNothing() throws {
        try previousResults("out")
        let before = snapshot(dir + "/out")
        let (r, _) = try run(["run", "scen/q.json", "--out", "out", "--max-events", "10"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("--max-events 10"), r.stderr)
        XCTAssertTrue(r.stderr.contains("nothing was written"), r.stderr)
        XCTAssertEqual(snapshot(dir + "/out"), before)
        XCTAssertEqual(tempLeftovers(dir), [])
        // a limit of exactly the events the run needs (its summary's events_processed) is enough
        let json = try String(contentsOfFile: dir + "/out/summary.json", encoding: .utf8)
        let m = try XCTUnwrap(json.range(of: #""events_processed": *[0-9]+"#, options: .regularExpression))
        let needed = try XCTUnwrap(Int(json[m].split(separator: ":")[1].trimmingCharacters(in: .whitespaces)))
        let (ok, _) = try run(["run", "scen/q.json", "--out", "out", "--quiet", "--max-events", "\(needed)", "--set", "duration=40m"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(try run(["run", "scen/q.json", "--out", "out", "--quiet", "--max-events", "\(needed - 1)", "--set", "duration=40m"]).0.status, 2)
        XCTAssertEqual(try run(["run", "scen/q.json", "--out", "out", "--max-events", "0"]).0.status, 2)
    }
}
