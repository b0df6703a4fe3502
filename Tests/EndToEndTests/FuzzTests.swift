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

    /// A few dozen seeded inputs through the fuzz harness (its own children and the CLI): none
    /// traps, hangs or leaves a half-written folder, and every kind of input is generated (tree
    /// mutations, each include-graph kind, each `--set` kind). `make test` runs 300 more, `make
    /// check-all` 100,000.
    func testFuzzHarnessSmoke() throws {
        let fuzz = CLI.root.appendingPathComponent(".build/debug/clustersim-fuzz").path
        guard FileManager.default.isExecutableFile(atPath: fuzz) else { throw XCTSkip("clustersim-fuzz is not built") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: fuzz)
        p.arguments = ["--count", "48", "--seed", "5", "--jobs", "1", "--cli", CLI.binary, "--cli-every", "7"]
        p.currentDirectoryURL = CLI.root
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("clustersim-fuzz: 48 inputs (seed 5, from 0), "), text)
        XCTAssertTrue(text.contains("trap 0, timeout 0, stalled 0, incomplete 0, internal-error 0"), text)
        // "N also through the CLI": inputs 0, 7, ..., 42, less any whose --set is too long for execve
        let cli = text.firstMatch(of: #/(\d+) also through the CLI/#).flatMap { Int($0.1) } ?? 0
        XCTAssertGreaterThanOrEqual(cli, 5, text)
        // "kinds: mutation 24, include-chain-under 1, ...": every kind at least once
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("kinds: ") }) else { return XCTFail(text) }
        var counts: [String: Int] = [:]
        for part in line.dropFirst("kinds: ".count).split(separator: ",") {
            let f = part.split(separator: " ")
            if f.count == 2, let n = Int(f[1]) { counts[String(f[0])] = n }
        }
        let kinds = ["mutation",
                     "include-chain-under", "include-chain-over", "include-diamond", "include-fanout", "include-cycle",
                     "include-missing", "include-directory", "include-fifo", "include-huge", "include-nesting",
                     "include-escape", "include-bad-site",
                     "set-long-path", "set-deep-index", "set-huge-index", "set-empty-component", "set-deep-value",
                     "set-huge-string", "set-many", "set-valid"]
        for k in kinds { XCTAssertGreaterThan(counts[k] ?? 0, 0, "no \(k) input generated: \(line)") }
        XCTAssertEqual(counts.values.reduce(0, +), 48, String(line))
    }

    /// The generator is deterministic: the same seed and numbers give the same inputs.
    func testFuzzInputsAreSeeded() throws {
        let fuzz = CLI.root.appendingPathComponent(".build/debug/clustersim-fuzz").path
        guard FileManager.default.isExecutableFile(atPath: fuzz) else { throw XCTSkip("clustersim-fuzz is not built") }
        func explain(_ seed: String) throws -> String {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: fuzz)
            p.arguments = ["--count", "12", "--start", "40", "--seed", seed, "--explain"]
            p.currentDirectoryURL = CLI.root
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, text)
            // scratch folders are named after the process: keep the descriptions only
            return text.split(separator: "\n").filter { $0.hasPrefix("input ") }.joined(separator: "\n")
        }
        let a = try explain("9"), b = try explain("9"), c = try explain("10")
        XCTAssertEqual(a.split(separator: "\n").count, 12, a)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertTrue(a.contains("include-"), a)
        XCTAssertTrue(a.contains("set-"), a)
    }
}
