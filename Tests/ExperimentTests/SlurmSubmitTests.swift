@testable import Experiment
import Foundation
import Scenario
import XCTest

/// `clustersim sweep --slurm` without a cluster: the batch scripts' text (checked by `bash -n`) and the
/// submission against stand-ins for sbatch and scancel that record their calls. The real thing, a
/// single-node Slurm, is SlurmLocalTests in make check-all.
final class SlurmSubmitTests: XCTestCase {
    var dir = ""
    var calls: [String] { ((try? String(contentsOfFile: dir + "/bin/calls", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "slurm-submit-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/bin", withIntermediateDirectories: true)
        // sbatch: call N prints job id 100+N, or, when bin/fail-N exists, that file's text on stderr and exits 1
        try standin("sbatch", """
            n=$(( $(cat "$d/count" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$d/count"
            echo "sbatch $*" >> "$d/calls"
            if [[ -f $d/fail-$n ]]; then cat "$d/fail-$n" >&2; exit 1; fi
            if [[ -f $d/warn ]]; then cat "$d/warn" >&2; fi
            echo "$((100 + n))"
            """)
        try standin("scancel", #"echo "scancel $*" >> "$d/calls""#)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func standin(_ name: String, _ body: String) throws {
        let p = dir + "/bin/" + name
        try ("#!/bin/bash\nd=$(dirname \"$0\")\n" + body + "\n").write(toFile: p, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: p)
    }

    /// 5 points x 2 replications = 10 runs.
    func spec() -> ExperimentSpec {
        let axis = ExperimentAxis(name: "network.mode", paths: ["network.mode"],
                                  values: [["\"host\""], ["\"bridge\""], ["\"overlay\""], ["\"calico-ipip\""], ["\"flannel-vxlan\""]],
                                  labels: ["host", "bridge", "overlay", "calico-ipip", "flannel-vxlan"])
        return ExperimentSpec(name: "net cost", file: "exp/net.json", base: "scenarios/network-modes.json", seed: 1,
                              replications: 2, axes: [axis], figures: ["latency_p99_ms"], plan: nil)
    }

    struct Outcome { var status: Int32; var out: String; var err: String }

    func submit(_ options: SlurmOptions, root: String? = nil, tools: String? = nil) -> Outcome {
        var out = "", err = ""
        let status = SlurmSweep.run(spec: spec(), layout: ExperimentLayout(root: root ?? dir + "/results/net"),
                                    binary: "/opt/cs/clustersim", options: options, path: tools ?? dir + "/bin",
                                    output: .init(out: { out += $0 }, err: { err += $0 }))
        return Outcome(status: status, out: out, err: err)
    }

    var slurmFolder: String { dir + "/results/net/slurm" }

    func testTheArrayHasOneTaskPerChunkThrottledAndTheAggregateWaitsForIt() throws {
        let o = submit(SlurmOptions(chunk: 4, throttle: 2, sbatch: ["--partition=batch", "--time=01:00:00"]))
        XCTAssertEqual(o.status, 0, o.err)
        let array = try String(contentsOfFile: slurmFolder + "/array.sbatch", encoding: .utf8)
        let lines = array.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "#!/bin/bash")
        XCTAssertTrue(lines.contains("#SBATCH --array=0-2%2"), "10 runs in chunks of 4: 3 tasks, 2 at once\n\(array)")
        XCTAssertTrue(lines.contains("#SBATCH --cpus-per-task=1"), array)
        XCTAssertTrue(lines.contains("#SBATCH --job-name=clustersim-net_cost"), array)
        XCTAssertTrue(lines.contains("#SBATCH --partition=batch") && lines.contains("#SBATCH --time=01:00:00"), array)
        XCTAssertTrue(lines.contains("#SBATCH --chdir=\(FileManager.default.currentDirectoryPath)"), array)
        let cwd = FileManager.default.currentDirectoryPath
        XCTAssertTrue(array.contains("exec /opt/cs/clustersim sweep \(cwd)/exp/net.json --out \(dir)/results/net \\\n"
                                     + "  --runs \"$((SLURM_ARRAY_TASK_ID + 1))/3\" -j \"${SLURM_CPUS_PER_TASK:-1}\" --quiet\n"), array)
        let aggregate = try String(contentsOfFile: slurmFolder + "/aggregate.sbatch", encoding: .utf8)
        XCTAssertFalse(aggregate.contains("--array"), aggregate)
        XCTAssertTrue(aggregate.contains("#SBATCH --kill-on-invalid-dep=yes\n"), aggregate)
        XCTAssertTrue(aggregate.contains("#SBATCH --partition=batch\n"), aggregate)
        XCTAssertTrue(aggregate.contains("--out \(dir)/results/net --aggregate-only --quiet\n"), aggregate)
        // sbatch --parsable for the array, then the aggregate after it
        XCTAssertEqual(calls, ["sbatch --parsable \(slurmFolder)/array.sbatch",
                               "sbatch --parsable --dependency=afterok:101 \(slurmFolder)/aggregate.sbatch"])
        XCTAssertTrue(o.out.contains("submitted array job 101: 3 tasks"), o.out)
        XCTAssertTrue(o.out.contains("submitted aggregate job 102"), o.out)
        XCTAssertTrue(o.out.contains("squeue -j 101,102") && o.out.contains("sacct -j 101,102"), o.out)
        XCTAssertTrue(FileManager.default.fileExists(atPath: slurmFolder + "/logs"), "sbatch needs the log folder to exist")
        for script in ["array.sbatch", "aggregate.sbatch"] { try bashSyntax(slurmFolder + "/" + script) }
    }

    func testSbatchWarningsAreShown() throws {
        try "sbatch: warning: can't honor --ntasks-per-node set to 1\n".write(toFile: dir + "/bin/warn", atomically: true, encoding: .utf8)
        let o = submit(SlurmOptions())
        XCTAssertEqual(o.status, 0, o.err)
        XCTAssertEqual(o.err, String(repeating: "sbatch: warning: can't honor --ntasks-per-node set to 1\n", count: 2))
    }

    func testChunksAndCPUsPerTask() throws {
        XCTAssertEqual(submit(SlurmOptions(chunk: 10, throttle: 16, cpusPerTask: 2, submit: false)).status, 0)
        let one = try String(contentsOfFile: slurmFolder + "/array.sbatch", encoding: .utf8)
        XCTAssertTrue(one.contains("#SBATCH --array=0-0%16\n") && one.contains("/1\" -j \"${SLURM_CPUS_PER_TASK:-2}\""), one)
        XCTAssertTrue(one.contains("#SBATCH --cpus-per-task=2\n"), one)
        XCTAssertEqual(submit(SlurmOptions(chunk: 3, throttle: 16, submit: false)).status, 0)
        let four = try String(contentsOfFile: slurmFolder + "/array.sbatch", encoding: .utf8)
        XCTAssertTrue(four.contains("#SBATCH --array=0-3%16\n") && four.contains("/4\" -j"), "10 runs by 3: 4 tasks\n\(four)")
    }

    func testNoSubmitOnlyWritesTheScriptsAndSaysHowToSubmit() throws {
        let o = submit(SlurmOptions(submit: false))
        XCTAssertEqual(o.status, 0, o.err)
        XCTAssertEqual(calls, [], "--no-submit never calls sbatch")
        XCTAssertTrue(FileManager.default.fileExists(atPath: slurmFolder + "/array.sbatch"))
        XCTAssertTrue(o.out.contains("jid=$(sbatch --parsable \(slurmFolder)/array.sbatch) && sbatch --dependency=afterok:${jid%%;*} \(slurmFolder)/aggregate.sbatch"), o.out)
    }

    func testAFailedSbatchIsShownAsItIsAndNothingIsLeft() throws {
        let msg = "sbatch: error: invalid partition specified: gpu\nsbatch: error: Batch job submission failed: Invalid partition name specified\n"
        try msg.write(toFile: dir + "/bin/fail-1", atomically: true, encoding: .utf8)
        let o = submit(SlurmOptions(sbatch: ["--partition=gpu"]))
        XCTAssertEqual(o.status, 1)
        XCTAssertTrue(o.err.hasPrefix(msg), "sbatch's stderr first, as it is: \(o.err)")
        XCTAssertEqual(calls.count, 1, "no aggregate without an array: \(calls)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/results"), "nothing half-written, no empty folders")
    }

    func testAFailedAggregateSubmissionCancelsTheArray() throws {
        try "sbatch: error: Batch job submission failed: Job dependency problem\n".write(toFile: dir + "/bin/fail-2", atomically: true, encoding: .utf8)
        // a task of the array already started and wrote its log; an older submission's log stays
        try FileManager.default.createDirectory(atPath: slurmFolder + "/logs", withIntermediateDirectories: true)
        try "".write(toFile: slurmFolder + "/logs/array-101_0.out", atomically: true, encoding: .utf8)
        try "".write(toFile: slurmFolder + "/logs/array-77_0.out", atomically: true, encoding: .utf8)
        let o = submit(SlurmOptions())
        XCTAssertEqual(o.status, 1)
        XCTAssertTrue(o.err.hasPrefix("sbatch: error: Batch job submission failed: Job dependency problem\n"), o.err)
        XCTAssertEqual(calls.last, "scancel 101", "\(calls)")
        XCTAssertTrue(o.err.contains("array job 101 was cancelled"), o.err)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: slurmFolder).sorted(), ["logs"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: slurmFolder + "/logs"), ["array-77_0.out"])
    }

    func testNoSbatchOnThePathFailsCleanly() throws {
        let o = submit(SlurmOptions(), tools: dir + "/nowhere")
        XCTAssertEqual(o.status, 1)
        XCTAssertTrue(o.err.hasPrefix("sbatch: not found on PATH"), o.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: slurmFolder))
    }

    func testBadOptionsAreInputErrorsAndWriteNothing() throws {
        for (options, message) in [
            (SlurmOptions(chunk: 0), "--chunk 0: expected runs per array task, an integer from 1 to 1000000"),
            (SlurmOptions(throttle: -1), "--throttle -1: expected array tasks at once"),
            (SlurmOptions(cpusPerTask: 0), "-j 0: expected CPUs per array task"),
            (SlurmOptions(sbatch: ["partition=batch"]), "--sbatch \"partition=batch\": expected an sbatch option starting with \"-\""),
            (SlurmOptions(sbatch: ["--comment=a\n#SBATCH --x"]), "--sbatch \"--comment=a\\n#SBATCH --x\": an option is one #SBATCH line and cannot hold a line break"),
        ] {
            let o = submit(options)
            XCTAssertEqual(o.status, 2, message)
            XCTAssertTrue(o.err.contains("error: " + message), o.err)
            XCTAssertTrue(o.err.contains("nothing was written or submitted"), o.err)
        }
        let quote = submit(SlurmOptions(), root: dir + "/results/a\"b")
        XCTAssertEqual(quote.status, 2)
        XCTAssertTrue(quote.err.contains("holds a double quote"), quote.err)
        XCTAssertEqual(calls, [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/results"))
    }

    func testPathsWithSpacesAreQuotedForShellAndSbatch() throws {
        XCTAssertEqual(submit(SlurmOptions(submit: false), root: dir + "/my results/it's").status, 0)
        let s = try String(contentsOfFile: dir + "/my results/it's/slurm/array.sbatch", encoding: .utf8)
        XCTAssertTrue(s.contains("#SBATCH --output=\"\(dir)/my results/it's/slurm/logs/array-%A_%a.out\"\n"), s)
        XCTAssertTrue(s.contains("--out '\(dir)/my results/it'\\''s' \\\n"), s)
        try bashSyntax(dir + "/my results/it's/slurm/array.sbatch")
    }

    func testRunCountIsPointsTimesReplications() {
        var s = spec()
        XCTAssertEqual(SlurmSweep.runCount(s), 10)
        s.axes.append(ExperimentAxis(name: "n", paths: ["hostGroups[0].count"], values: [["1"], ["2"], ["3"]], labels: ["1", "2", "3"]))
        XCTAssertEqual(SlurmSweep.runCount(s), 30)
    }

    /// `bash -n`: the script parses.
    func bashSyntax(_ path: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-n", path]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "bash -n \(path)")
    }
}
