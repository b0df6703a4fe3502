import Foundation
import XCTest

/// `clustersim sweep --slurm` on a real Slurm: scripts/slurm-local.sh starts a single-node Slurm of its own (Debian's
/// slurm-wlm and munge), submits a small sweep with --slurm, waits for the array and the aggregate job and compares
/// their points.csv with the same sweep run locally with -j 2, byte for byte. It takes a minute or two and needs
/// Slurm installed, so it runs in `make check-all` only (CLUSTERSIM_SLURM_TEST=1; `bash scripts/install-deps.sh
/// --check-all` installs the packages); `make test` skips it.
final class SlurmLocalTests: XCTestCase {
    func testASweepThroughSlurmGivesTheLocalAggregateByteForByte() throws {
        guard ProcessInfo.processInfo.environment["CLUSTERSIM_SLURM_TEST"] == "1" else {
            throw XCTSkip("the local Slurm check runs in make check-all (CLUSTERSIM_SLURM_TEST=1)")
        }
        var env = ProcessInfo.processInfo.environment
        env["CLUSTERSIM_BIN"] = CLI.binary
        let r = try CLI.runProgram("/bin/bash", [CLI.root.appendingPathComponent("scripts/slurm-local.sh").path, "check"], environment: env)
        XCTAssertEqual(r.status, 0, "scripts/slurm-local.sh check failed:\n\(r.stdout)\n\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        // what the script checked, in its own words
        XCTAssertTrue(lines.contains { $0.hasPrefix("submitted array job ") }, r.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("submitted aggregate job ") }, r.stdout)
        XCTAssertTrue(lines.contains("check: every array task and the aggregate job COMPLETED with exit code 0:0"), r.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("check: points.csv from Slurm equals the local -j 2 sweep's, byte for byte") }, r.stdout)
    }
}
