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

    /// A few dozen seeded mutations through the fuzz harness (its own children and the CLI): none
    /// traps, hangs or leaves a half-written folder. `make test` runs 300 more, `make check-all` 100,000.
    func testFuzzHarnessSmoke() throws {
        let fuzz = CLI.root.appendingPathComponent(".build/debug/clustersim-fuzz").path
        guard FileManager.default.isExecutableFile(atPath: fuzz) else { throw XCTSkip("clustersim-fuzz is not built") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: fuzz)
        p.arguments = ["--count", "40", "--seed", "5", "--jobs", "1", "--cli", CLI.binary, "--cli-every", "8"]
        p.currentDirectoryURL = CLI.root
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("clustersim-fuzz: 40 inputs (seed 5, from 0), 5 also through the CLI"), text)
        XCTAssertTrue(text.contains("trap 0, timeout 0, stalled 0, incomplete 0, internal-error 0"), text)
    }
}
