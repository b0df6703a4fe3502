// clustersim-fuzz: seeded mutations of every shipped scenario (and, inlined, the files they
// include), each run in a forked child with a wall-clock alarm: the child decodes, validates and
// runs the model in-process with an event budget, writing results through the same Reporting
// code into a temporary folder. For every input: exit 0 (a complete results folder) or 2 (an
// error, nothing written) within the time bound; a trap, a timeout or a stall (the clock stuck
// at one instant) is a failure, saved with --save. A sample also goes through the real CLI
// (--cli BIN --cli-every K, run with --max-events set to the same budget), which checks exit
// status and the output folder the user sees (and that every error line it prints names a JSON
// path or a file and line, as the children check of every error). Inputs are tree mutations,
// include graphs written into a scratch folder, `--set` overrides (Graphs.swift), and text-level
// mutations of one string of the tree or of one file the scenario reads (Strings.swift); the run
// ends with a count per kind. Every folder a child (or the CLI sample) completes is checked with
// `OutputInvariants.check` (docs/outputs.md, "Invariants every results folder satisfies"): a violation
// is the failure kind `invariant`, its first lines the failure's detail.
//
//   clustersim-fuzz [--count N] [--seed S] [--start I] [--jobs J] [--events N] [--timeout S]
//                   [--save DIR] [--cli BIN --cli-every K] [--scenarios DIR] [--only PREFIX,...] [--quiet]
//                   [--explain | --list]
//   clustersim-fuzz --replay FILE...   (each file once, as the children run them)

import ClusterModel
import Foundation
import Reporting
import Scenario
import SimKernel
#if canImport(Glibc)
import Glibc
#endif

struct Options {
    var count = 300
    var seed: UInt64 = 1
    var start = 0
    var jobs = 2
    var events: UInt64 = 300_000
    var stall = 100_000
    var timeout: UInt32 = 20
    var save: String? = nil
    var cli: String? = nil
    var cliEvery = 0
    var scenarios = "scenarios"
    var quiet = false
    var replay: [String] = []
    var explain = false
    var list = false
    /// Kind prefixes to run (`--only string-,file-`); the others are generated and skipped, so an
    /// input keeps its number and its `reproduce:` line.
    var only: [String] = []
}

func usage(_ msg: String) -> Never {
    FileHandle.standardError.write(Data("clustersim-fuzz: \(msg)\n".utf8))
    exit(2)
}

func parseOptions() -> Options {
    var o = Options()
    var args = CommandLine.arguments.dropFirst()
    func value(_ name: String) -> String {
        guard let v = args.popFirst() else { usage("\(name) needs a value") }
        return v
    }
    func number<T: FixedWidthInteger>(_ name: String) -> T {
        let v = value(name)
        guard let n = T(v), n >= 0 else { usage("\(name): expected a non-negative integer, got \(v)") }
        return n
    }
    while let a = args.popFirst() {
        switch a {
        case "--count": o.count = number(a)
        case "--seed": o.seed = number(a)
        case "--start": o.start = number(a)
        case "--jobs": o.jobs = max(1, number(a))
        case "--events": o.events = number(a)
        case "--stall": o.stall = number(a)
        case "--timeout": o.timeout = max(1, number(a))
        case "--save": o.save = value(a)
        case "--cli": o.cli = value(a)
        case "--cli-every": o.cliEvery = number(a)
        case "--scenarios": o.scenarios = value(a)
        case "--quiet": o.quiet = true
        case "--explain": o.explain = true
        case "--list": o.list = true
        case "--only": o.only = value(a).split(separator: ",").map(String.init)
        case "--replay": o.replay = Array(args); args = []
        default: usage("unknown argument \(a)")
        }
    }
    return o
}

// MARK: - inputs

struct Base { var name: String; var tree: JSONValue }

/// Every shipped scenario twice: as written (with its `$include` objects, resolved by the child
/// from the scenarios folder) and with its includes resolved (so mutations reach the included
/// host groups and Marathon app files too).
func loadBases(_ dir: String) -> [Base] {
    // not hidden files: the CLI sample of a running fuzzer writes .fuzz-PID-I.json here, and
    // counting it would change which base input number i gets
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
        .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
    var out: [Base] = []
    for f in files {
        let path = dir + "/" + f
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let raw = JSONParser.parse(text).value else { continue }
        out.append(Base(name: f, tree: raw))
        if let resolved = try? ScenarioLoader.resolvedJSON(path: path) { out.append(Base(name: f + " (includes resolved)", tree: resolved)) }
    }
    if out.isEmpty { usage("no scenarios in \(dir)") }
    return out
}

/// Input number `i` of the run seeded `seed`. Some 5 in 16 are tree mutations (a base and 1 to 4
/// mutations); one in 16 is an include graph, one in 16 an HCL pair (16k+14, kind k mod 8), one in 16 a
/// scenario with deployed flag files (16k+6, kind k mod 8), one in 16 one with other deployed files
/// (16k+10, kind k mod 8), one in 8 a set of `--set` overrides, one in 8 a
/// string changed as text and one in 8 a file changed as text, their kinds taken in turn (input
/// 16k+1 is include kind k mod 12, input 8k+3 override kind k mod 8, 8k+4 string kind k mod 8,
/// 8k+7 file kind k mod 8), so every kind comes up within the first 192 inputs of any run; a
/// quarter of the include and override inputs get one tree mutation too.
/// (Include graphs cost the most: a fan-out resolves 10,000 includes before the limit stops it.)
func makeInput(_ i: Int, seed: UInt64, bases: [Base], experiments: [Base] = [], support: SupportFiles? = nil) -> FuzzInput {
    var r = SplitMix(seed &* 0x2545_F491_4F6C_DD1D ^ UInt64(i))
    if i % 8 == 4 {
        let base = r.pick(bases)
        let op = (i / 8) % TextMutator.ops.count
        let (text, note) = TextMutator.mutateString(op, base.tree, &r)
        return FuzzInput(kind: TextMutator.stringKinds[op], text: text, desc: "\(base.name): \(TextMutator.stringKinds[op]) at \(note)")
    }
    if i % 8 == 7, let support { return support.fileInput((i / 8) % TextMutator.ops.count, bases: bases, &r) }
    // one in 16 (input 16k+14): a scenario reading an HCL Consul service definition and an HCL
    // consul-template configuration, one of them changed (HCLInputs.swift)
    if i % 16 == 14 { return HCLInputs.input(i, &r) }
    // one in 16 (input 16k+6): Mesos' and Marathon's flags from deployed files, one of them changed
    // (FlagInputs.swift)
    if i % 16 == 6 { return FlagInputs.input(i, &r) }
    // one in 16 (input 16k+10): marathon-lb, dockerd, ZooKeeper and Consul files as deployed, one
    // of them changed (DeployInputs.swift)
    if i % 16 == 10 { return DeployInputs.input(i, &r) }
    // one in 16 (input 16k+9): a mutated experiment file (Experiments.swift)
    if i % 16 == 9, !experiments.isEmpty { return experimentInput(&r, bases: experiments) }
    if i % 16 == 1 || i % 8 == 3 {
        // includes and overrides start from resolved trees (nothing left to resolve from scenarios/)
        let resolved = bases.filter { $0.name.hasSuffix("(includes resolved)") }
        var base = r.pick(resolved.isEmpty ? bases : resolved)
        var extra = ""
        if r.chance(0.25) { extra = ", " + Mutator.mutate(&base.tree, &r) }
        var input = i % 16 == 1 ? Graphs.includeInput(i / 16, base: base, &r) : Graphs.overrideInput(i / 8, base: base, &r)
        input.desc += extra
        return input
    }
    let base = bases[r.below(bases.count)]
    var tree = base.tree
    var what: [String] = []
    // one mutation half of the time (most such inputs still run), else two to four
    for _ in 0..<(r.chance(0.5) ? 1 : 2 + r.below(3)) { what.append(Mutator.mutate(&tree, &r)) }
    return FuzzInput(kind: "mutation", text: tree.serialized(), desc: "\(base.name): " + what.joined(separator: ", "))
}

// MARK: - the child

enum ChildExit: Int32 {
    case complete = 0, internalError = 1, invalid = 2, budget = 3, stalled = 4, incomplete = 5, unnamed = 6, invariant = 7
}

extension FuzzInput {
    /// Include graphs and file mutations are written into a scratch folder and loaded from there.
    var inScratch: Bool { kind.hasPrefix("include-") || kind.hasPrefix("file-") || kind.hasPrefix("hcl-") || kind.hasPrefix("flags-") || kind.hasPrefix("deploy-") }
}

/// An error the user could not place: it names neither a JSON path, nor a line of a file, nor the
/// `--set` override it is about.
func unplaced(_ e: ScenarioError) -> Bool { e.path.isEmpty && e.line == nil && !(e.file ?? "").hasPrefix("--set ") }

let requiredFiles = ["timeline.csv", "hosts.csv", "events.csv", "summary.json", "summary.csv"]

/// Decodes, validates and runs one input; the exit status says what happened.
/// An include graph is written into `scratch` first and loaded from there as a file.
func runChild(_ input: FuzzInput, baseDirectory: String, scratch: String, out: String, events: UInt64, stall: Int) -> ChildExit {
    if input.kind == "experiment" { return runExperimentChild(input, experimentsDir: baseDirectory + "/experiments") }
    let loaded: LoadedScenario
    do {
        if input.inScratch {
            guard materialize(Graphs.placeFolder(input, scratch), in: scratch) else { return .internalError }
            loaded = try ScenarioLoader.load(path: scratch + "/main.json", overrides: input.overrides)
        } else {
            loaded = try ScenarioLoader.load(text: input.text, baseDirectory: baseDirectory, fileName: "fuzz.json", overrides: input.overrides)
        }
    } catch let e {
        // exit 2 must come with at least one error, and each must say where
        return e.errors.isEmpty ? .internalError : e.errors.contains(where: unplaced) ? .unnamed : .invalid
    }
    let model = ClusterSimulation(spec: loaded.spec, observer: NullObserver())
    let folder: ResultsFolder
    let writer: ResultsWriter
    do {
        folder = try ResultsFolder(finalPath: out)
        writer = try ResultsWriter(folder: folder, model: model)
    } catch { return .internalError }
    model.observer = writer
    // Work = events + rows of hosts.csv written so far (a sample costs one row per host) + fluid
    // traffic's steps (a service per tick and the peers of each full step: fluid mode does its
    // work inside one tick event per second): the budget bounds all three, so a large but
    // allowed scenario stops early instead of timing out.
    let hosts = UInt64(loaded.spec.hostGroups.reduce(0) { $0 + $1.count })
    let traffic = model.subsystem(TrafficModel.self)
    let si = UInt64(max(1, loaded.spec.sampleInterval.nanoseconds))
    var lastNow: Int64 = -1
    var same = 0
    var stalled = false, overBudget = false
    let completed = model.run {
        let n = model.sim.now.nanoseconds
        if n == lastNow {
            same += 1
            if same > stall { stalled = true; return true }
        } else { lastNow = n; same = 0 }
        let fluid = UInt64(traffic?.fluidWork ?? 0)
        if model.sim.eventsProcessed &+ UInt64(max(0, n)) / si &* hosts &+ fluid > events { overBudget = true; return true }
        return false
    }
    if stalled { folder.discard(); return .stalled }
    if overBudget || !completed { folder.discard(); return .budget }
    do {
        try writer.finish(summary: model.summary())
        try folder.commit()
    } catch { folder.discard(); return .internalError }
    guard completeFolder(out) else { return .incomplete }
    return invariantsHold(out) ? .complete : .invariant
}

/// The violations `OutputInvariants.check` finds in a completed folder, written beside it
/// (`<folder>.invariants`, read by the parent for the failure's detail): true when there are none.
func invariantsHold(_ folder: String) -> Bool {
    let v = OutputInvariants.check(folder: folder)
    if v.isEmpty { return true }
    _ = FileManager.default.createFile(atPath: folder + ".invariants", contents: Data(v.joined(separator: "\n").utf8))
    return false
}

/// The first violations of a folder's check, for a failure line.
func invariantDetail(_ folder: String) -> String {
    let text = String(decoding: FileManager.default.contents(atPath: folder + ".invariants") ?? Data(), as: UTF8.self)
    let lines = text.split(separator: "\n")
    try? FileManager.default.removeItem(atPath: folder + ".invariants")
    return lines.prefix(3).map { String($0.prefix(300)) }.joined(separator: "; ") + (lines.count > 3 ? "; (\(lines.count) in all)" : "")
}

func completeFolder(_ path: String) -> Bool {
    for f in requiredFiles {
        guard let d = FileManager.default.contents(atPath: path + "/" + f), !d.isEmpty else { return false }
    }
    guard let s = FileManager.default.contents(atPath: path + "/summary.json"),
          JSONParser.parse(String(decoding: s, as: UTF8.self)).value?.objectMembers != nil else { return false }
    return true
}

// MARK: - the parent

enum Outcome: String { case complete, invalid, budget, trap, timeout, stalled, incomplete, invariant, unnamed = "unplaced-error", internalError = "internal-error" }

func classify(_ status: Int32) -> (Outcome, String) {
    // WIFEXITED / WTERMSIG by hand (the macros are not imported into Swift)
    let sig = status & 0x7f
    if sig == 0 {
        let code = (status >> 8) & 0xff
        switch ChildExit(rawValue: code) {
        case .complete: return (.complete, "")
        case .invalid: return (.invalid, "")
        case .budget: return (.budget, "")
        case .stalled: return (.stalled, "the clock stayed at one instant")
        case .incomplete: return (.incomplete, "exit 0 without a complete results folder")
        case .unnamed: return (.unnamed, "an error naming neither a JSON path nor a file and line")
        case .invariant: return (.invariant, "a completed folder breaks an output invariant")
        default: return (.internalError, "exit \(code)")
        }
    }
    if sig == SIGALRM { return (.timeout, "no exit within the time bound") }
    return (.trap, "signal \(sig)")
}

let options = parseOptions()
let tmpRoot = NSTemporaryDirectory() + "clustersim-fuzz-\(getpid())"
try? FileManager.default.createDirectory(atPath: tmpRoot, withIntermediateDirectories: true)
let scenariosDir = URL(fileURLWithPath: options.scenarios).standardizedFileURL.path
setvbuf(stdout, nil, _IOLBF, 0)

/// Forks a child for input `i`; returns its pid.
func spawn(_ i: Int, _ input: FuzzInput) -> pid_t {
    let out = tmpRoot + "/out-\(i)"
    let pid = fork()
    if pid == 0 {
        // the child: quiet, bounded in time, results in its own folder
        let null = open("/dev/null", O_WRONLY)
        if null >= 0 { dup2(null, 1); dup2(null, 2) }
        alarm(options.timeout)
        let code = runChild(input, baseDirectory: scenariosDir, scratch: tmpRoot + "/inc-\(i)", out: out, events: options.events, stall: options.stall)
        _exit(code.rawValue)
    }
    if pid < 0 { usage("fork failed: \(String(cString: strerror(errno)))") }
    return pid
}

/// Runs the real CLI on one input (written into the scenarios folder, so includes resolve; an
/// include graph into a scratch folder of its own) with its `--set`s, and checks what the user
/// sees: exit 0 with a complete folder, or exit 2 with none.
func runCLI(_ binary: String, _ i: Int, _ fuzz: FuzzInput) -> (Outcome, String) {
    if fuzz.kind == "experiment" {
        return validateExperimentCLI(binary, i, fuzz, experimentsDir: scenariosDir + "/experiments", timeout: options.timeout)
    }
    var input = scenariosDir + "/.fuzz-\(getpid())-\(i).json"
    let out = tmpRoot + "/cli-\(i)"
    let scratch = tmpRoot + "/cli-inc-\(i)"
    defer {
        try? FileManager.default.removeItem(atPath: input); try? FileManager.default.removeItem(atPath: out)
        try? FileManager.default.removeItem(atPath: scratch)
    }
    if fuzz.inScratch {
        guard materialize(Graphs.placeFolder(fuzz, scratch), in: scratch) else { return (.internalError, "cannot write \(scratch)") }
        input = scratch + "/main.json"
    } else {
        guard FileManager.default.createFile(atPath: input, contents: Data(fuzz.text.utf8)) else { return (.internalError, "cannot write \(input)") }
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: binary)
    // the CLI's own guard stands for the children's event budget: an allowed but big run (65,536
    // hosts for an hour) ends with exit 2 and nothing written instead of running past the timeout
    p.arguments = ["run", input, "--out", out, "--quiet", "--max-events", String(max(1, options.events))]
        + fuzz.overrides.flatMap { ["--set", $0] }
    p.standardOutput = FileHandle.nullDevice
    // stderr into a file (a pipe could fill and block the CLI): its error lines are checked
    let errPath = tmpRoot + "/cli-err-\(i)"
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: errPath) }
    guard let errFile = FileHandle(forWritingAtPath: errPath) else { return (.internalError, "cannot write \(errPath)") }
    defer { try? errFile.close() }
    p.standardError = errFile
    do { try p.run() } catch { return (.internalError, "cannot start \(binary)") }
    let deadline = Date().addingTimeInterval(Double(options.timeout) * 3)
    while p.isRunning && Date() < deadline { usleep(10_000) }
    if p.isRunning { p.terminate(); p.waitUntilExit(); return (.timeout, "CLI: no exit within \(options.timeout * 3) s") }
    let exists = FileManager.default.fileExists(atPath: out)
    switch (p.terminationReason, p.terminationStatus) {
    case (.exit, 0):
        guard completeFolder(out) else { return (.incomplete, "CLI: exit 0 without a complete results folder") }
        return invariantsHold(out) ? (.complete, "") : (.invariant, "CLI: " + invariantDetail(out))
    case (.exit, 2):
        if exists { return (.incomplete, "CLI: exit 2 but \(out) was written") }
        let err = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
        if let bad = unplacedLine(err) { return (.unnamed, "CLI: " + String(bad.prefix(300))) }
        return (.invalid, "")
    case (.exit, let c): return (.internalError, "CLI: exit \(c)")
    case (_, let s): return (.trap, "CLI: signal \(s)")
    }
}

/// The first line of the CLI's exit-2 output that names neither a file and line
/// (`f.json:3:7: ...`), nor a JSON path (`f.json: a.b[0]: ...`), nor an override (`--set P=V: ...`), or nil. The closing count
/// ("f.json: 2 errors; nothing was run or written.") and warnings need neither.
func unplacedLine(_ stderr: String) -> String? {
    for l in stderr.split(separator: "\n") {
        let line = String(l)
        if line.hasSuffix("nothing was run or written.") || line.contains("warning") || line.hasPrefix("--set ") { continue }
        // the harness's own --max-events budget (the children's event budget), not the input's fault
        if line.hasPrefix("error: --max-events ") { continue }
        if line.firstMatch(of: #/^[^:]*:\d+(:\d+)?: /#) != nil { continue }
        if line.firstMatch(of: #/^[^:]*: [^ :]+: /#) != nil { continue }
        return line
    }
    return nil
}

var inputs: [(Int, FuzzInput)] = []
if !options.replay.isEmpty {
    for (i, f) in options.replay.enumerated() {
        guard let t = try? String(contentsOfFile: f, encoding: .utf8) else { usage("cannot read \(f)") }
        inputs.append((i, FuzzInput(kind: "replay", text: t, desc: f)))
    }
}
let bases = options.replay.isEmpty ? loadBases(scenariosDir) : []
let experimentBases = options.replay.isEmpty ? loadExperimentBases(scenariosDir + "/experiments") : []
let supportFiles = SupportFiles(scenariosDir)
func input(_ k: Int) -> (Int, FuzzInput) {
    if !options.replay.isEmpty { return inputs[k] }
    let i = options.start + k
    return (i, makeInput(i, seed: options.seed, bases: bases, experiments: experimentBases, support: supportFiles))
}
let total = options.replay.isEmpty ? options.count : inputs.count

var counts: [Outcome: Int] = [:]
var kindCounts: [String: Int] = [:]
var failures: [(Int, Outcome, String, String)] = []
var running: [pid_t: (Int, FuzzInput)] = [:]
let wallStart = Date()

func record(_ i: Int, _ input: FuzzInput, _ desc: String, _ o: Outcome, _ detail: String) {
    counts[o, default: 0] += 1
    switch o {
    case .complete, .invalid, .budget: return
    default: break
    }
    failures.append((i, o, detail, desc))
    print("FAIL input \(i) [\(desc)]: \(o.rawValue) \(detail)")
    if input.kind != "replay" {
        print("  reproduce: clustersim-fuzz --seed \(options.seed) --start \(i) --count 1 --jobs 1")
    }
    if let dir = options.save {
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let f = dir + "/fuzz-\(options.seed)-\(i)-\(o.rawValue).json"
        _ = FileManager.default.createFile(atPath: f, contents: Data(input.text.utf8))
        print("  saved \(f)")
        if !input.overrides.isEmpty {
            _ = FileManager.default.createFile(atPath: f + ".set", contents: Data(input.overrides.joined(separator: "\n").utf8))
        }
        if !input.files.isEmpty { materialize(Graphs.placeFolder(input, f + ".files"), in: f + ".files") }
    }
}

func reap() {
    var status: Int32 = 0
    let pid = waitpid(-1, &status, 0)
    guard pid > 0, let (i, input) = running.removeValue(forKey: pid) else { return }
    var (o, detail) = classify(status)
    if o == .invariant { detail = invariantDetail(tmpRoot + "/out-\(i)") }
    try? FileManager.default.removeItem(atPath: tmpRoot + "/out-\(i)")
    try? FileManager.default.removeItem(atPath: tmpRoot + "/inc-\(i)")
    record(i, input, input.desc, o, detail)
}

func kindsLine() -> String {
    let kindOrder = ["mutation", "experiment", "replay"] + Graphs.includeKinds + Graphs.overrideKinds + TextMutator.stringKinds + TextMutator.fileKinds
        + HCLInputs.kinds + FlagInputs.kinds + DeployInputs.kinds
    return "kinds: " + kindOrder.filter { kindCounts[$0] != nil }.map { "\($0) \(kindCounts[$0]!)" }.joined(separator: ", ")
}

/// --list: each input's description (generated only); --explain: and what loading it says (no
/// run, no child).
if options.explain || options.list {
    for k in 0..<total {
        let (i, fuzz) = input(k)
        if !options.only.isEmpty && !options.only.contains(where: { fuzz.kind.hasPrefix($0) }) { continue }
        kindCounts[fuzz.kind, default: 0] += 1
        print("input \(i) [\(fuzz.desc)]")
        if options.list { continue }
        let scratch = tmpRoot + "/explain-\(i)"
        do {
            if fuzz.kind == "experiment" {
                let path = experimentPath(scenariosDir + "/experiments", "explain")
                FileManager.default.createFile(atPath: path, contents: Data(fuzz.text.utf8))
                defer { try? FileManager.default.removeItem(atPath: path) }
                _ = try ExperimentLoader.load(path: path)
            } else if fuzz.inScratch {
                materialize(Graphs.placeFolder(fuzz, scratch), in: scratch)
                _ = try ScenarioLoader.load(path: scratch + "/main.json", overrides: fuzz.overrides)
            } else {
                _ = try ScenarioLoader.load(text: fuzz.text, baseDirectory: scenariosDir, fileName: "fuzz.json", overrides: fuzz.overrides)
            }
            print("  loads")
        } catch let e {
            for err in e.errors.prefix(3) { print("  " + String(err.description.prefix(400))) }
        }
        try? FileManager.default.removeItem(atPath: scratch)
    }
    print(kindsLine())
    try? FileManager.default.removeItem(atPath: tmpRoot)
    exit(0)
}

var cliRuns = 0
var skipped = 0
for k in 0..<total {
    let (i, fuzz) = input(k)
    if !options.only.isEmpty && !options.only.contains(where: { fuzz.kind.hasPrefix($0) }) { skipped += 1; continue }
    kindCounts[fuzz.kind, default: 0] += 1
    while running.count >= options.jobs { reap() }
    running[spawn(i, fuzz)] = (i, fuzz)
    if let bin = options.cli, options.cliEvery > 0, (k - skipped) % options.cliEvery == 0, fuzz.cliArgumentsFit {
        let (o, d) = runCLI(bin, i, fuzz)
        cliRuns += 1
        record(i, fuzz, fuzz.desc + " (CLI)", o, d)
    }
    if !options.quiet && (k + 1) % 1000 == 0 {
        let s = Date().timeIntervalSince(wallStart)
        print("\(k + 1) inputs, \(failures.count) failures, \(String(format: "%.1f", Double(k + 1) / s)) inputs/s")
    }
}
while !running.isEmpty { reap() }
try? FileManager.default.removeItem(atPath: tmpRoot)

let wall = Date().timeIntervalSince(wallStart)
let order: [Outcome] = [.complete, .invalid, .budget, .trap, .timeout, .stalled, .incomplete, .invariant, .unnamed, .internalError]
let summary = order.map { "\($0.rawValue) \(counts[$0, default: 0])" }.joined(separator: ", ")
print("clustersim-fuzz: \(total - skipped) inputs (seed \(options.seed), from \(options.start)), \(cliRuns) also through the CLI, in "
      + String(format: "%.1f s, %.1f inputs/s", wall, Double(total) / max(wall, 1e-9)) + ": " + summary)
print(kindsLine())
print("\(total - skipped - failures.count) passed, \(failures.count) failed")
exit(failures.isEmpty ? 0 : 1)
