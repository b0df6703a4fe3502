import Foundation
import XCTest

/// The mutation fuzzer (Sources/clustersim-fuzz) and the crashers it found, kept as regressions.
final class FuzzTests: XCTestCase {
    /// Inputs that once trapped or hung; each must now exit 0 with a complete folder or 2 with none.
    func testSavedFuzzCrashersRunCleanly() throws {
        let dir = "Tests/EndToEndTests/fuzz-regressions"
        let files = CLI.files(in: CLI.root.appendingPathComponent(dir).path).filter { $0.hasSuffix(".json") }
        XCTAssertGreaterThanOrEqual(files.count, 2)
        for f in files {
            let out = CLI.tempDir("fuzzreg") + "/out"
            let r = try CLI.run(["run", "\(dir)/\(f)", "--out", out, "--quiet"])
            XCTAssertTrue(r.status == 0 || r.status == 2, "\(f): exit \(r.status)\n\(r.stderr.suffix(2000))")
            let written = CLI.files(in: out)
            if r.status == 0 {
                for needed in ["events.csv", "hosts.csv", "summary.csv", "summary.json", "timeline.csv"] {
                    XCTAssertTrue(written.contains(needed), "\(f): \(needed) missing from \(written)")
                }
            } else {
                XCTAssertEqual(written, [], "\(f): exit 2 but files were written")
            }
        }
    }

    /// Runs clustersim-fuzz with `args` from the package root; its exit status and stdout.
    func fuzz(_ args: [String]) throws -> (Int32, String) {
        let fuzz = CLI.root.appendingPathComponent(".build/debug/clustersim-fuzz").path
        guard FileManager.default.isExecutableFile(atPath: fuzz) else { throw XCTSkip("clustersim-fuzz is not built") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: fuzz)
        p.arguments = args
        p.currentDirectoryURL = CLI.root
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    /// The counts of the "kinds: mutation 24, include-chain-under 1, ..." line.
    func kinds(_ text: String) -> [String: Int] {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("kinds: ") }) else { return [:] }
        var counts: [String: Int] = [:]
        for part in line.dropFirst("kinds: ".count).split(separator: ",") {
            let f = part.split(separator: " ")
            if f.count == 2, let n = Int(f[1]) { counts[String(f[0])] = n }
        }
        return counts
    }

    /// A few dozen seeded inputs through the fuzz harness (its own children and the CLI): none
    /// traps, hangs or leaves a half-written folder, and include graphs and `--set` overrides are
    /// among them. `make test` runs 300 more, `make check-all` 100,000. The bound is 60 s, as
    /// `make fuzz-smoke`'s: the debug build runs the hujiang platform (input 28's base) in 12 s
    /// alone, and the suite may run beside other work; a hang never ends, so it is still caught.
    func testFuzzHarnessSmoke() throws {
        let (status, text) = try fuzz(["--count", "48", "--seed", "5", "--jobs", "1", "--timeout", "60", "--cli", CLI.binary, "--cli-every", "3"])
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("clustersim-fuzz: 48 inputs (seed 5, from 0), "), text)
        XCTAssertTrue(text.contains("trap 0, timeout 0, stalled 0, incomplete 0, invariant 0, unplaced-error 0, internal-error 0"), text)
        // inputs 0, 3, ..., 45 through the CLI (8k+3 are --set inputs), less any whose --set is too long for execve
        let cli = text.firstMatch(of: #/(\d+) also through the CLI/#).flatMap { Int($0.1) } ?? 0
        XCTAssertGreaterThanOrEqual(cli, 12, text)
        let counts = kinds(text)
        XCTAssertEqual(counts.values.reduce(0, +), 48, text)
        XCTAssertEqual(counts.filter { $0.key.hasPrefix("include-") }.values.reduce(0, +), 3, text)   // inputs 1, 17, 33
        XCTAssertEqual(counts.filter { $0.key.hasPrefix("set-") }.values.reduce(0, +), 6, text)       // inputs 3, 11, ..., 43
        XCTAssertEqual(counts.filter { $0.key.hasPrefix("string-") }.values.reduce(0, +), 6, text)    // inputs 4, 12, ..., 44
        XCTAssertEqual(counts.filter { $0.key.hasPrefix("file-") }.values.reduce(0, +), 6, text)      // inputs 7, 15, ..., 47
    }

    /// Every kind of input is generated, in turn: within the first 192 inputs of any run there is
    /// one of each include-graph kind, three of each `--set` kind, of each string-level and of each
    /// file-level text mutation, and twelve experiment files.
    func testFuzzGeneratesEveryKind() throws {
        let (status, text) = try fuzz(["--count", "192", "--seed", "3", "--start", "1000", "--list"])
        XCTAssertEqual(status, 0, text)
        let counts = kinds(text)
        let includeKinds = ["include-chain-under", "include-chain-over", "include-diamond", "include-fanout", "include-cycle",
                            "include-missing", "include-directory", "include-fifo", "include-huge", "include-nesting",
                            "include-escape", "include-bad-site"]
        let setKinds = ["set-long-path", "set-deep-index", "set-huge-index", "set-empty-component", "set-deep-value",
                        "set-huge-string", "set-many", "set-valid"]
        for k in includeKinds { XCTAssertEqual(counts[k], 1, "\(k): \(counts)") }
        for k in setKinds { XCTAssertEqual(counts[k], 3, "\(k): \(counts)") }
        // inputs 16k+9: a mutated experiment file of scenarios/experiments/
        XCTAssertEqual(counts["experiment"], 12, "\(counts)")
        // inputs 8k+4: one string of the tree, 8k+7: one file the scenario reads, changed as text
        let textOps = ["truncate", "span", "hostile", "repeat", "swap", "case", "number", "escape"]
        for op in textOps {
            XCTAssertEqual(counts["string-" + op], 3, "string-\(op): \(counts)")
            XCTAssertEqual(counts["file-" + op], 3, "file-\(op): \(counts)")
        }
        // inputs 16k+14: an HCL service definition or consul-template configuration changed
        for op in textOps { XCTAssertGreaterThanOrEqual(counts["hcl-" + op] ?? 0, 1, "hcl-\(op): \(counts)") }
        XCTAssertEqual(textOps.map { counts["hcl-" + $0] ?? 0 }.reduce(0, +), 12, "\(counts)")
        // inputs 16k+6: a deployed flag file or command line changed
        for op in textOps { XCTAssertGreaterThanOrEqual(counts["flags-" + op] ?? 0, 1, "flags-\(op): \(counts)") }
        XCTAssertEqual(textOps.map { counts["flags-" + $0] ?? 0 }.reduce(0, +), 12, "\(counts)")
        // inputs 16k+10: a deployed marathon-lb, dockerd, ZooKeeper or Consul file changed
        for op in textOps { XCTAssertGreaterThanOrEqual(counts["deploy-" + op] ?? 0, 1, "deploy-\(op): \(counts)") }
        XCTAssertEqual(textOps.map { counts["deploy-" + $0] ?? 0 }.reduce(0, +), 12, "\(counts)")
        XCTAssertEqual(counts["mutation"], 192 - 12 - 24 - 12 - 24 - 24 - 12 - 12 - 12, "\(counts)")
    }

    /// `--only string-,file-` runs (here lists) only those kinds, each input keeping its number:
    /// inputs 8k+4 and 8k+7, a change of one string of the tree or of one file a scenario reads.
    func testOnlyKeepsTheKindsAndTheirNumbers() throws {
        let (status, text) = try fuzz(["--count", "64", "--seed", "7", "--list", "--only", "string-,file-"])
        XCTAssertEqual(status, 0, text)
        let numbers = text.split(separator: "\n").filter { $0.hasPrefix("input ") }.compactMap { Int($0.dropFirst(6).prefix { $0.isNumber }) }
        XCTAssertEqual(numbers, (0..<8).flatMap { [8 * $0 + 4, 8 * $0 + 7] }, text)
        let counts = kinds(text)
        XCTAssertEqual(counts.filter { $0.key.hasPrefix("string-") }.values.reduce(0, +), 8, text)
        XCTAssertEqual(counts.filter { $0.key.hasPrefix("file-") }.values.reduce(0, +), 8, text)
        XCTAssertEqual(counts.values.reduce(0, +), 16, text)
    }

    /// The generator is deterministic: the same seed and numbers give the same inputs.
    func testFuzzInputsAreSeeded() throws {
        func list(_ seed: String) throws -> String {
            let (status, text) = try fuzz(["--count", "40", "--start", "40", "--seed", seed, "--list"])
            XCTAssertEqual(status, 0, text)
            return text
        }
        let a = try list("9"), b = try list("9"), c = try list("10")
        XCTAssertEqual(a.split(separator: "\n").filter { $0.hasPrefix("input ") }.count, 40, a)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertTrue(a.contains(": include-"), a)
        XCTAssertTrue(a.contains(": set-"), a)
    }

    /// Hidden files in the scenarios folder (the CLI sample writes .fuzz-PID-I.json there while a
    /// run goes on) are not bases: they would change which input a number stands for.
    func testHiddenScenarioFilesAreNotBases() throws {
        let dir = CLI.tempDir("fuzzbases") + "/scenarios"
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("scenarios").path, toPath: dir)
        let (s1, before) = try fuzz(["--count", "30", "--seed", "4", "--list", "--scenarios", dir])
        XCTAssertEqual(s1, 0, before)
        try FileManager.default.copyItem(atPath: dir + "/quickstart.json", toPath: dir + "/.fuzz-1-2.json")
        let (s2, after) = try fuzz(["--count", "30", "--seed", "4", "--list", "--scenarios", dir])
        XCTAssertEqual(s2, 0, after)
        XCTAssertEqual(before, after)
        XCTAssertFalse(after.contains(".fuzz-1-2.json"), after)
    }
}
