import Foundation
import Reporting
import Scenario
#if canImport(Glibc)
import Glibc
#endif

/// Runs single runs as `clustersim run` child processes of the same binary.
public struct RunExecutor: Sendable {
    public let binary: String
    public let spec: ExperimentSpec
    public let layout: ExperimentLayout
    /// The experiment's points (`spec.points`, computed once).
    public let points: [ExperimentPoint]
    /// Asked between runs and while waiting: when it returns true the runs under way are sent
    /// SIGTERM (they leave nothing behind), no run is started, and `run` throws an interrupted
    /// `RunFailure` once they have ended.
    public var shouldStop: (@Sendable () -> Bool)?

    /// `binary`: the clustersim executable (the running one, /proc/self/exe, for the CLI).
    public init(binary: String, spec: ExperimentSpec, layout: ExperimentLayout) {
        self.binary = binary; self.spec = spec; self.layout = layout; self.points = spec.points
    }

    /// The figures of a finished run, nil when it has not finished. Throws `StaleRuns` when the
    /// run was made with another seed than the experiment now gives it (see `staleRuns`).
    public func figures(point: ExperimentPoint, replication: Int) throws -> RunFigures? {
        guard isFinished(point: point, replication: replication) else { return nil }
        let (figures, seed) = try finishedRun(point: point, replication: replication)
        let expected = spec.seed(point: point, replication: replication)
        if let seed, seed != expected {
            throw StaleRuns(runs: [StaleRuns.Run(folder: layout.runDirectory(point, replication: replication), recorded: seed, expected: expected)],
                            checked: 1, root: layout.root)
        }
        return figures
    }

    /// A finished run's headline figures and the seed its summary.json records.
    func finishedRun(point: ExperimentPoint, replication: Int) throws -> (RunFigures, UInt64?) {
        let file = layout.runDirectory(point, replication: replication) + "/summary.json"
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw ExperimentIOError("\(file): cannot read")
        }
        return try RunExecutor.headlineAndSeed(summaryJSON: text, file: file)
    }

    /// The finished runs of `ids` that were made with another seed than the experiment gives
    /// them now (summary.json's headline `seed`): the folder holds the runs of an earlier version
    /// of the experiment (another `seed`, or a base scenario whose value at an axis' path changed,
    /// which moves the axis' base value and so the seeds). A sweep reuses finished runs by their
    /// folder, so these would be aggregated as if they were this experiment's.
    public func staleRuns(_ ids: [RunID]) throws -> StaleRuns? {
        var stale: [StaleRuns.Run] = []
        var checked = 0
        for id in ids.sorted() where id.point < points.count {
            let p = points[id.point]
            guard isFinished(point: p, replication: id.replication) else { continue }
            checked += 1
            let (_, seed) = try finishedRun(point: p, replication: id.replication)
            let expected = spec.seed(point: p, replication: id.replication)
            if let seed, seed != expected {
                stale.append(StaleRuns.Run(folder: layout.runDirectory(p, replication: id.replication), recorded: seed, expected: expected))
            }
        }
        return stale.isEmpty ? nil : StaleRuns(runs: stale, checked: checked, root: layout.root)
    }

    /// Runs the given runs (skipping finished ones), `jobs` at a time; returns when all are done
    /// or throws the first failure (after the runs under way finish). `progress` gets the runs of
    /// `ids` finished so far (counting those finished before) and their number.
    public func run(_ ids: [RunID], jobs: Int, progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?) throws {
        if let stale = try staleRuns(ids) { throw stale }
        let total = ids.count
        var pending = unfinished(ids)[...]
        var done = total - pending.count
        progress?(done, total)
        var running: [RunningChild] = []
        var failure: RunFailure?
        var stopping = false
        while !running.isEmpty || (!pending.isEmpty && failure == nil && !stopping) {
            if !stopping, shouldStop?() == true {
                stopping = true
                for c in running { kill(c.pid, SIGTERM) }
            }
            while failure == nil, !stopping, running.count < max(1, jobs), let next = pending.popFirst() {
                do { running.append(try spawn(next)) } catch {
                    failure = RunFailure(run: next, folder: layout.runDirectory(points[next.point], replication: next.replication),
                                         status: nil, signal: nil, stderr: "\(error)", command: command(point: points[next.point], replication: next.replication),
                                         interrupted: false)
                }
            }
            if running.isEmpty { break }
            let (i, status) = waitAny(running, stop: stopping ? nil : shouldStop)
            guard let i else { continue }
            let c = running.remove(at: i)
            let text = (try? String(contentsOfFile: c.stderrPath, encoding: .utf8)) ?? ""
            unlink(c.stderrPath)
            let point = points[c.run.point]
            let exited = status & 0x7f == 0
            let code = (status >> 8) & 0xff
            if exited && code == 0 && isFinished(point: point, replication: c.run.replication) {
                done += 1
                progress?(done, total)
            } else if failure == nil && !stopping {
                failure = RunFailure(run: c.run, folder: layout.runDirectory(point, replication: c.run.replication),
                                     status: exited ? code : nil, signal: exited ? nil : status & 0x7f, stderr: text,
                                     command: command(point: point, replication: c.run.replication), interrupted: false)
            }
        }
        if stopping {
            throw RunFailure(run: RunID(point: 0, replication: 0), folder: layout.root, status: nil, signal: nil, stderr: "",
                             command: "", interrupted: true)
        }
        if let failure { throw failure }
    }
}

/// A run that ended with a non-zero exit status (or by a signal), with its stderr and the command
/// that reproduces it; or the sweep was interrupted.
public struct RunFailure: Error, CustomStringConvertible, Sendable {
    public var run: RunID
    public var folder: String
    /// The exit status; nil when the run was ended by a signal (`signal`).
    public var status: Int32?
    public var signal: Int32?
    public var stderr: String
    public var command: String
    /// True when the sweep was asked to stop (SIGINT/SIGTERM): the runs under way were ended and
    /// left nothing behind.
    public var interrupted: Bool

    public var description: String {
        if interrupted { return "interrupted; finished runs are kept, the runs under way left nothing (run the sweep again to continue)" }
        // neither: the child could not be started (its reason is in `stderr`)
        let how = status.map { "exit status \($0)" } ?? signal.map { "signal \($0)" } ?? "not started"
        var s = "run \(folder) failed (\(how))"
        let err = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        if !err.isEmpty { s += ":\n" + err.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n") }
        return s + "\nreproduce it with:\n  " + command
    }
}

extension RunExecutor {
    /// Arguments of `clustersim run` for a run (after the binary).
    public func arguments(point: ExperimentPoint, replication: Int) -> [String] {
        var a = ["run", spec.base]
        for o in point.overrides { a += ["--set", o] }
        a += ["--seed", String(spec.seed(point: point, replication: replication)),
              "--out", layout.runDirectory(point, replication: replication), "--quiet"]
        return a
    }

    /// The command line that reproduces a run, quoted for a POSIX shell.
    public func command(point: ExperimentPoint, replication: Int) -> String {
        ([binary] + arguments(point: point, replication: replication)).map(RunExecutor.shellQuoted).joined(separator: " ")
    }

    static func shellQuoted(_ s: String) -> String {
        let plain = !s.isEmpty && s.unicodeScalars.allSatisfy { u in
            (u.value >= 0x30 && u.value <= 0x39) || (u.value >= 0x41 && u.value <= 0x5A) || (u.value >= 0x61 && u.value <= 0x7A)
                || "/._-=+,:".unicodeScalars.contains(u)
        }
        return plain ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Whether a run has finished: its folder is in place (`clustersim run` moves a complete
    /// folder into place in one step) with its summary.json.
    public func isFinished(point: ExperimentPoint, replication: Int) -> Bool {
        access(layout.runDirectory(point, replication: replication) + "/summary.json", F_OK) == 0
    }

    /// The runs of `ids` that have not finished, sorted.
    public func unfinished(_ ids: [RunID]) -> [RunID] {
        ids.sorted().filter { $0.point < points.count && !isFinished(point: points[$0.point], replication: $0.replication) }
    }

    /// Every run of the experiment (every point, replications 0..<replications), sorted.
    public func allRuns(replications: Int? = nil) -> [RunID] {
        let r = replications ?? spec.replications
        return points.indices.flatMap { p in (0..<r).map { RunID(point: p, replication: $0) } }
    }

    /// Chunk `k` (1-based) of `n` of `runs` (sorted first): runs [(k-1)·T/n, k·T/n) of the T runs
    /// (integer division, so chunks differ by at most one run); `clustersim sweep --runs K/N`.
    public static func chunk(_ runs: [RunID], _ k: Int, of n: Int) -> [RunID] {
        let sorted = runs.sorted()
        guard n >= 1, k >= 1, k <= n else { return [] }
        return Array(sorted[((k - 1) * sorted.count / n)..<(k * sorted.count / n)])
    }

    /// The headline figures of summary.json (numbers; null and non-numbers are nil).
    public static func headline(summaryJSON text: String, file: String) throws -> RunFigures {
        try headlineAndSeed(summaryJSON: text, file: file).figures
    }

    /// The headline figures of summary.json and its `seed`, exactly (a Double holds 53 bits).
    public static func headlineAndSeed(summaryJSON text: String, file: String) throws -> (figures: RunFigures, seed: UInt64?) {
        let parsed = JSONParser.parse(text, file: file)
        guard let root = parsed.value, parsed.errors.isEmpty, let members = root["headline"]?.objectMembers else {
            throw ExperimentIOError("\(file): not a summary.json with a \"headline\" object")
        }
        var out: RunFigures = [:]
        var seed: UInt64?
        for m in members {
            out[m.key] = .some(m.value.numberValue?.double)
            if m.key == "seed" { seed = m.value.numberValue?.uint64 }
        }
        return (out, seed)
    }
}

/// Finished runs whose summary.json records another seed than the experiment gives them now: the
/// results folder holds an earlier version of the experiment. Nothing is run or aggregated.
public struct StaleRuns: Error, CustomStringConvertible, Sendable {
    public struct Run: Sendable, Equatable {
        public var folder: String
        public var recorded: UInt64
        public var expected: UInt64
    }
    public var runs: [Run]
    /// Finished runs checked.
    public var checked: Int
    public var root: String
    public var description: String {
        let shown = runs.prefix(10).map { "  \($0.folder): seed \($0.recorded), the experiment now gives \($0.expected)" }.joined(separator: "\n")
        let more = runs.count > 10 ? "\n  ... and \(runs.count - 10) more" : ""
        return "\(runs.count) finished run\(runs.count == 1 ? "" : "s") in \(root)/runs \(runs.count == 1 ? "was" : "were") made with another seed "
            + "than the experiment gives \(runs.count == 1 ? "it" : "them") now (its \"seed\" changed, or the base scenario's value at an axis' path):\n"
            + shown + more
            + "\nthey are not reused; give another --out, or remove \(root)/runs to run the experiment again there"
    }
}

/// A file of the experiment could not be read or written.
public struct ExperimentIOError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}

/// A running child: its process id, its run and the file its stderr goes to.
struct RunningChild {
    var pid: pid_t
    var run: RunID
    var stderrPath: String
}

extension RunExecutor {
    /// Starts `clustersim run` for a run: stdout to /dev/null, stderr to a temporary file.
    func spawn(_ id: RunID) throws -> RunningChild {
        let point = points[id.point]
        let dir = layout.runDirectory(point, replication: id.replication)
        try FileManager.default.createDirectory(atPath: ResultsFolder.parentOf(dir), withIntermediateDirectories: true)
        var template = Array((NSTemporaryDirectory() + "/clustersim-run-stderr-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ExperimentIOError("cannot create a temporary file for a run's stderr: \(String(cString: strerror(errno)))") }
        close(fd)
        let stderrPath = String(cString: template)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_TRUNC, 0o600)
        let args = [binary] + arguments(point: point, replication: id.replication)
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, binary, &actions, nil, &argv, environ)
        guard rc == 0 else {
            unlink(stderrPath)
            throw ExperimentIOError("cannot start \(binary): \(String(cString: strerror(rc)))")
        }
        return RunningChild(pid: pid, run: id, stderrPath: stderrPath)
    }

    /// Waits until one of `children` ends; returns its index and wait status, or a nil index
    /// when `stop` turned true first.
    func waitAny(_ children: [RunningChild], stop: (@Sendable () -> Bool)?) -> (index: Int?, status: Int32) {
        while true {
            if stop?() == true { return (nil, 0) }
            for (i, c) in children.enumerated() {
                var status: Int32 = 0
                let r = waitpid(c.pid, &status, WNOHANG)
                if r == c.pid { return (i, status) }
                if r < 0 && errno != EINTR { return (i, -1) }
            }
            usleep(5_000)
        }
    }
}
