import Foundation
import Synchronization
import Scenario
#if canImport(Glibc)
import Glibc
#endif

// Writing the batch scripts of SlurmScripts.swift into <results>/slurm/ and submitting them: the
// array with `sbatch --parsable`, then the aggregate with `--dependency=afterok:<array job id>`.
// Nothing half-written: each script is written to a temporary file and renamed into place; when
// sbatch fails, its stderr is shown as it is, the scripts written here are removed and the status
// is 1; when the array was submitted but the aggregate was not, the array job is cancelled
// (scancel) first. SIGINT/SIGTERM wait until the submission is complete or undone.

public enum SlurmSweep {
    /// Where the output goes (the CLI: stdout and stderr; tests: strings).
    public struct Output {
        public var out: (String) -> Void
        public var err: (String) -> Void
        public init(out: @escaping (String) -> Void, err: @escaping (String) -> Void) { self.out = out; self.err = err }
        public static let standard = Output(out: { FileHandle.standardOutput.write(Data($0.utf8)) },
                                            err: { FileHandle.standardError.write(Data($0.utf8)) })
    }

    /// Runs in an experiment: its points (the product of its axes' lengths) times its replications.
    public static func runCount(_ spec: ExperimentSpec) -> Int {
        var n = max(1, spec.replications)
        for a in spec.axes {
            let (m, overflow) = n.multipliedReportingOverflow(by: max(1, a.values.count))
            n = overflow ? Int.max : m
        }
        return n
    }

    /// `clustersim sweep EXP --slurm`: writes the scripts, submits them unless `options.submit` is
    /// false, prints the job ids and how to follow them. Returns the exit status: 0, 1 (sbatch or
    /// the file system failed), 2 (bad options), 130 (interrupted: the submission was completed or
    /// undone first).
    /// `binary`: the running clustersim, absolute; `plots`: the sweep's --plots; `path`: where
    /// sbatch and scancel are looked up (default: $PATH).
    public static func run(spec: ExperimentSpec, layout: ExperimentLayout, binary: String, plots: String? = nil,
                           options: SlurmOptions, path: String? = nil, output: Output = .standard) -> Int32 {
        let cwd = FileManager.default.currentDirectoryPath
        let batch = SlurmBatch(binary: absolute(binary, in: cwd), experiment: absolute(spec.file, in: cwd),
                               root: absolute(layout.root, in: cwd), workdir: cwd, name: spec.name,
                               runs: runCount(spec), plots: plots.map { absolute($0, in: cwd) }, options: options)
        let problems = options.problems() + batch.problems()
        if !problems.isEmpty {
            for p in problems { output.err("error: \(p)\n") }
            output.err("\(spec.file): nothing was written or submitted.\n")
            return 2
        }
        let tools = path ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return withSignalsHeld { submit(batch, tools: tools, output: output) }
    }

    static func submit(_ batch: SlurmBatch, tools: String, output: Output) -> Int32 {
        let fm = FileManager.default
        // the folders this submission creates (deepest last), removed again when it is undone
        var created: [String] = []
        var d = batch.logs
        while !d.isEmpty, d != "/", !fm.fileExists(atPath: d) {
            created.insert(d, at: 0)
            d = (d as NSString).deletingLastPathComponent
        }
        var written: [String] = []
        func undo() {
            for f in written { unlink(f) }
            for d in created.reversed() { rmdir(d) }
        }
        do {
            try fm.createDirectory(atPath: batch.logs, withIntermediateDirectories: true)
            for (path, text) in [(batch.arrayScriptPath, batch.arrayScript), (batch.aggregateScriptPath, batch.aggregateScript)] {
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                written.append(path)
                chmod(path, 0o755)
            }
        } catch {
            undo()
            output.err("error: cannot write the Slurm scripts into \(batch.folder): \(error.localizedDescription)\n")
            return 1
        }
        let q = SlurmBatch.shellQuote
        guard batch.options.submit else {
            output.out("wrote \(batch.arrayScriptPath) (\(batch.tasks) array tasks of at most \(batch.options.chunk) runs, "
                + "\(batch.runs) runs) and \(batch.aggregateScriptPath)\n"
                + "submit them with:\n"
                + "  jid=$(sbatch --parsable \(q(batch.arrayScriptPath))) && "
                + "sbatch --dependency=afterok:${jid%%;*} \(q(batch.aggregateScriptPath))\n")
            return 0
        }
        let array = sbatch(["--parsable", batch.arrayScriptPath], tools: tools, output: output)
        guard case .success(let arrayID) = array else {
            if case .failure(let text) = array { output.err(text) }
            undo()
            output.err("error: sbatch failed; nothing was submitted and the scripts were removed\n")
            return 1
        }
        let aggregate = sbatch(["--parsable", "--dependency=afterok:\(arrayID)", batch.aggregateScriptPath], tools: tools, output: output)
        guard case .success(let aggregateID) = aggregate else {
            if case .failure(let text) = aggregate { output.err(text) }
            let cancel = Tool.run("scancel", [arrayID], tools: tools)
            if cancel.status != 0 {
                output.err(cancel.stderr)
                output.err("error: could not cancel array job \(arrayID): cancel it with  scancel \(arrayID)\n")
            }
            removeLogs(of: arrayID, in: batch.logs)
            undo()
            output.err("error: sbatch failed for the aggregate job; array job \(arrayID) was cancelled and the scripts removed\n")
            return 1
        }
        output.out("submitted array job \(arrayID): \(batch.tasks) task\(batch.tasks == 1 ? "" : "s") of at most \(batch.options.chunk) runs "
            + "(\(batch.runs) runs), at most \(batch.options.throttle) at once\n"
            + "submitted aggregate job \(aggregateID): runs when every task of \(arrayID) has succeeded, writes \(batch.root)/points.csv\n"
            + "follow:  squeue -j \(arrayID),\(aggregateID)\n"
            + "         sacct -j \(arrayID),\(aggregateID) --format=JobID,JobName,State,Elapsed,ExitCode\n"
            + "logs:    \(batch.logs)/\n")
        return 0
    }

    enum Submitted { case success(String), failure(String) }

    /// `sbatch ARGS`: the job id from `--parsable` output ("<id>" or "<id>;<cluster>"), or sbatch's
    /// stderr as it is (plus a line when that is empty). A successful sbatch's warnings are shown.
    static func sbatch(_ args: [String], tools: String, output: Output) -> Submitted {
        let r = Tool.run("sbatch", args, tools: tools)
        let line = r.stdout.split(separator: "\n").first.map(String.init) ?? ""
        let id = String(line.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces)
        if r.status == 0, !id.isEmpty, id.allSatisfy({ $0.isASCII && $0.isNumber }) {
            output.err(r.stderr)
            return .success(id)
        }
        var text = r.stderr
        if text.isEmpty || r.status == 0 {
            text += r.status == 0 ? "sbatch printed no job id (\"\(line)\")\n" : "sbatch exited with status \(r.status)\n"
        }
        return .failure(text)
    }

    static func removeLogs(of job: String, in dir: String) {
        let prefix = SlurmBatch.arrayLogPrefix(job: job)
        for f in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where f.hasPrefix(prefix) {
            unlink(dir + "/" + f)
        }
    }

    static func absolute(_ p: String, in cwd: String) -> String {
        URL(fileURLWithPath: p, relativeTo: URL(fileURLWithPath: cwd, isDirectory: true)).standardizedFileURL.path
    }

    /// Runs `body` with SIGINT and SIGTERM held: a handler only notes them, so that an interrupt
    /// cannot leave an array job without its aggregate; the previous handlers come back afterwards
    /// and a noted signal makes the status 130 (after the output is printed). The tools started
    /// meanwhile get the default handling (exec resets caught signals), so ^C at a terminal still
    /// stops a hanging sbatch, which then counts as a failed submission and is undone.
    static func withSignalsHeld(_ body: () -> Int32) -> Int32 {
        heldSignal.store(0, ordering: .sequentiallyConsistent)
        var held = sigaction(), oldInt = sigaction(), oldTerm = sigaction()
        held.__sigaction_handler.sa_handler = { heldSignal.store($0, ordering: .sequentiallyConsistent) }
        sigemptyset(&held.sa_mask)
        held.sa_flags = SA_RESTART  // reads of the tools' pipes go on (Foundation traps on EINTR)
        sigaction(SIGINT, &held, &oldInt)
        sigaction(SIGTERM, &held, &oldTerm)
        let status = body()
        sigaction(SIGINT, &oldInt, nil)
        sigaction(SIGTERM, &oldTerm, nil)
        if heldSignal.load(ordering: .sequentiallyConsistent) != 0 { return 130 }  // interrupted (ExitStatus.interrupted), after what was printed
        return status
    }
}

/// The signal noted while a submission held SIGINT/SIGTERM (0: none). An atomic: a SIGTERM
/// handler interrupting the SIGINT one would otherwise modify a Swift global during another
/// modification, which Swift's exclusivity checks end with SIGABRT.
private let heldSignal = Atomic<Int32>(0)

/// A tool looked up on a PATH, run with no stdin, its output collected.
enum Tool {
    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static func find(_ name: String, in path: String) -> String? {
        for dir in path.split(separator: ":") {
            let p = String(dir) + "/" + name
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    static func run(_ name: String, _ args: [String], tools: String) -> Result {
        guard let exe = find(name, in: tools) else {
            return Result(status: 127, stdout: "", stderr: "\(name): not found on PATH (is this a Slurm login node? docs/slurm.md)\n")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch {
            return Result(status: 126, stdout: "", stderr: "\(name): cannot run \(exe): \(error.localizedDescription)\n")
        }
        // stderr is read on another thread so that neither pipe can fill up and stall the tool
        let errData = ErrorCollector(err.fileHandleForReading)
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = errData.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    final class ErrorCollector: @unchecked Sendable {
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)
        init(_ h: FileHandle) {
            Thread.detachNewThread { [self] in data = h.readDataToEndOfFile(); done.signal() }
        }
        func wait() -> Data { done.wait(); return data }
    }
}
