import Foundation
import XCTest

final class EndToEndTests: XCTestCase {
    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: CLI.binary) else {
            XCTFail("\(CLI.binary) not built: run `swift build` first (make test does)")
            throw XCTSkip("binary missing")
        }
    }

    /// Every shipped scenario reproduces its committed results (golden files) byte for byte.
    func testShippedScenariosMatchGoldenResults() throws {
        let scenarios = CLI.shippedScenarios()
        XCTAssertTrue(scenarios.contains("quickstart.json"))
        XCTAssertGreaterThanOrEqual(scenarios.count, 2)
        for file in scenarios {
            let name = String(file.dropLast(5))
            let golden = CLI.root.appendingPathComponent("results/\(name)").path
            let out = CLI.tempDir("golden") + "/" + name
            let r = try CLI.run(["run", "scenarios/\(file)", "--out", out, "--quiet"])
            XCTAssertEqual(r.status, 0, "\(file): \(r.stderr)")
            XCTAssertEqual(r.stdout, "", "--quiet prints nothing")
            let goldenFiles = CLI.files(in: golden)
            XCTAssertFalse(goldenFiles.isEmpty, "results/\(name) missing: run `make results`")
            XCTAssertEqual(CLI.files(in: out), goldenFiles, file)
            for f in goldenFiles where f.hasSuffix(".csv") || f == "summary.json" {
                let a = try Data(contentsOf: URL(fileURLWithPath: golden + "/" + f))
                let b = try Data(contentsOf: URL(fileURLWithPath: out + "/" + f))
                XCTAssertTrue(a == b, "\(name)/\(f) differs from the golden file (run `make results` after a deliberate change)")
            }
            let desc = try String(contentsOfFile: CLI.root.appendingPathComponent("scenarios/\(file)").path, encoding: .utf8)
            XCTAssertTrue(desc.contains("\"description\""), "\(file) has no description")
        }
    }

    /// Two runs in separate processes give byte-identical folders, summary.json included,
    /// with and without the Mesos/Marathon layer.
    func testDeterministicAcrossProcesses() throws {
        try assertDeterministic("host-faults", ["events.csv", "hosts.csv", "summary.csv", "summary.json", "timeline.csv"])
        try assertDeterministic("agent-loss", ["apps.csv", "events.csv", "hosts.csv", "mesos.csv", "summary.csv", "summary.json", "timeline.csv"])
    }

    func assertDeterministic(_ scenario: String, _ expectedFiles: [String]) throws {
        let base = CLI.tempDir("det")
        for i in 0..<2 {
            let r = try CLI.run(["run", "scenarios/\(scenario).json", "--seed", "99", "--out", "\(base)/\(i)", "--quiet"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let files = CLI.files(in: "\(base)/0")
        XCTAssertEqual(files, expectedFiles)
        for f in files {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(base)/0/\(f)")),
                           try Data(contentsOf: URL(fileURLWithPath: "\(base)/1/\(f)")), f)
        }
    }

    /// The seed reaches the group faults: another seed picks other hosts.
    func testSeedChangesGroupFaultPicks() throws {
        let base = CLI.tempDir("seed")
        var logs: Set<String> = []
        for seed in 1...6 {
            let r = try CLI.run(["run", "scenarios/host-faults.json", "--seed", "\(seed)", "--out", "\(base)/\(seed)", "--quiet"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let ev = try String(contentsOfFile: "\(base)/\(seed)/events.csv", encoding: .utf8)
            logs.insert(ev.split(separator: "\n").filter { $0.contains("fault[5]") }.joined(separator: "\n"))
        }
        XCTAssertGreaterThan(logs.count, 1)
    }

    func testSetOverridesAField() throws {
        let out = CLI.tempDir("set") + "/q"
        // quickstart: 3 master hosts + 6 agents (hostGroups[1]), a fault at 15 min and an action at 40 min
        let r = try CLI.run(["run", "scenarios/quickstart.json", "--set", "hostGroups[1].count=40",
                             "--set", "duration=10m", "--set", "sampleInterval=1m", "--set", "faults=[]", "--set", "actions=[]",
                             "--out", out, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = try String(contentsOfFile: out + "/timeline.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 1 + 11)               // samples 0..10 min, every minute
        XCTAssertTrue(lines[1].hasPrefix("0,43,43,0,0,"), String(lines[1]))
        // the 40 agents registered with the leading master
        let mesos = try String(contentsOfFile: out + "/mesos.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(mesos.last?.split(separator: ",", omittingEmptySubsequences: false)[5], "40", String(mesos.last ?? ""))
    }

    func testValidateAcceptsShippedScenarios() throws {
        for file in CLI.shippedScenarios() {
            let r = try CLI.run(["validate", "scenarios/\(file)"])
            XCTAssertEqual(r.status, 0, "\(file): \(r.stderr)")
            XCTAssertTrue(r.stdout.contains("valid"), r.stdout)
        }
    }

    func testUsageErrorsExitTwo() throws {
        XCTAssertEqual(try CLI.run(["run"]).status, 2)
        XCTAssertEqual(try CLI.run(["run", "scenarios/quickstart.json", "--seed", "minus-one"]).status, 2)
        XCTAssertEqual(try CLI.run(["frobnicate"]).status, 2)
        let help = try CLI.run(["--help"])
        XCTAssertEqual(help.status, 0)
        for sub in ["run", "validate", "plot"] { XCTAssertTrue(help.stdout.contains(sub)) }
    }

    /// Ctrl-C in the middle of a long run: exit 130, no results folder, no temporary folder left.
    func testInterruptedRunLeavesNoResults() throws {
        let dir = CLI.tempDir("int")
        let scenario = dir + "/long.json"
        try """
        {"name": "long", "duration": "104d", "sampleInterval": "1s",
         "hostGroups": [{"name": "slave", "count": 10, "cpus": 8, "memory": "32GiB", "disk": "1TB"}]}
        """.replacingOccurrences(of: "104d", with: "2500h").write(toFile: scenario, atomically: true, encoding: .utf8)   // within the Limits: 9e6 samples, 9e7 host rows
        let outParent = dir + "/results"
        let running = try CLI.start(["run", scenario, "--out", outParent + "/long", "--quiet"])
        // wait until the run is under way (its temporary folder exists), then interrupt it
        let deadline = Date().addingTimeInterval(60)
        while CLI.files(in: outParent).isEmpty && Date() < deadline { usleep(20_000) }
        usleep(300_000)
        XCTAssertTrue(running.process.isRunning, "the run finished before it could be interrupted")
        kill(running.process.processIdentifier, SIGINT)
        let r = running.wait()
        XCTAssertEqual(r.status, 130, r.stderr)
        XCTAssertTrue(r.stderr.contains("interrupted"), r.stderr)
        XCTAssertEqual(CLI.files(in: outParent), [], "an interrupted run left files behind")
    }

    func testPlotWritesImagesOrExplainsMissingGnuplot() throws {
        let base = CLI.tempDir("plot")
        XCTAssertEqual(try CLI.run(["run", "scenarios/quickstart.json", "--out", base + "/r", "--quiet"]).status, 0)
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = "/nonexistent"
        let missing = try CLI.run(["plot", base + "/r", "--out", base + "/p0"], environment: env)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("apt-get install -y gnuplot-nox"), missing.stderr)
        let notResults = try CLI.run(["plot", base, "--out", base + "/p1"])
        XCTAssertEqual(notResults.status, 2)
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/gnuplot") {
            let r = try CLI.run(["plot", base + "/r", "--out", base + "/p"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let files = CLI.files(in: base + "/p")
            for f in ["hosts.png", "hosts.svg", "cpus.png", "cpus.svg", "memory.png", "memory.svg"] {
                XCTAssertTrue(files.contains(f), "\(f) missing in \(files)")
                let size = (try FileManager.default.attributesOfItem(atPath: base + "/p/" + f)[.size] as? Int) ?? 0
                XCTAssertGreaterThan(size, 1000, f)
            }
            let pngOnly = try CLI.run(["plot", base + "/r", "--out", base + "/png", "--format", "png"])
            XCTAssertEqual(pngOnly.status, 0, pngOnly.stderr)
            XCTAssertFalse(CLI.files(in: base + "/png").contains { $0.hasSuffix(".svg") })
            XCTAssertTrue(CLI.files(in: base + "/png").contains("hosts.png"))
            XCTAssertEqual(try CLI.run(["plot", base + "/r", "--out", base + "/x", "--format", "gif"]).status, 2)
        }
    }
}
