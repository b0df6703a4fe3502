// Experiment files (issue 13) in the fuzz: the shipped experiments of scenarios/experiments/,
// mutated like scenarios, decoded and checked by ExperimentLoader (which decodes every axis
// value, and with several axes every point, into the base scenario) and through the CLI by
// `clustersim validate`. Nothing is run: an experiment's runs are scenario runs, fuzzed already.
// Exit 0 (it loads) or 2 (errors with paths) within the time bound, never a trap or a hang.

import Experiment
import Foundation
import Scenario

/// Every experiment file of `dir` (a scenario file there, such as an experiment's base, is a
/// scenario base already if it is in the scenarios folder, and is left out here).
func loadExperimentBases(_ dir: String) -> [Base] {
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
        .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
    return files.compactMap { f in
        guard let text = try? String(contentsOfFile: dir + "/" + f, encoding: .utf8), let tree = JSONParser.parse(text).value,
              ExperimentLoader.isExperiment(tree) else { return nil }
        return Base(name: "experiments/" + f, tree: tree)
    }
}

/// A mutated experiment: one to three tree mutations of a shipped experiment file.
func experimentInput(_ r: inout SplitMix, bases: [Base]) -> FuzzInput {
    let base = r.pick(bases)
    var tree = base.tree
    var what: [String] = []
    for _ in 0..<(1 + r.below(3)) { what.append(Mutator.mutate(&tree, &r)) }
    return FuzzInput(kind: "experiment", text: tree.serialized(), desc: "\(base.name): " + what.joined(separator: ", "))
}

/// Where a mutated experiment is written to be loaded: beside the shipped ones, so that its
/// relative `base` resolves as theirs do (a hidden name, removed afterwards).
func experimentPath(_ dir: String, _ tag: String) -> String { dir + "/.fuzz-\(getpid())-\(tag).json" }

/// The child's part: load (decode, check every axis value against the base scenario's schema).
func runExperimentChild(_ input: FuzzInput, experimentsDir: String) -> ChildExit {
    let path = experimentPath(experimentsDir, "child")
    guard FileManager.default.createFile(atPath: path, contents: Data(input.text.utf8)) else { return .internalError }
    defer { try? FileManager.default.removeItem(atPath: path) }
    do {
        _ = try ExperimentLoader.load(path: path)
        return .complete
    } catch let e {
        return e.errors.isEmpty ? .internalError : .invalid
    }
}

/// The CLI's part: `clustersim validate FILE` exits 0 or 2 and writes nothing.
func validateExperimentCLI(_ binary: String, _ i: Int, _ fuzz: FuzzInput, experimentsDir: String, timeout: UInt32) -> (Outcome, String) {
    let path = experimentPath(experimentsDir, String(i))
    guard FileManager.default.createFile(atPath: path, contents: Data(fuzz.text.utf8)) else { return (.internalError, "cannot write \(path)") }
    defer { try? FileManager.default.removeItem(atPath: path) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: binary)
    p.arguments = ["validate", path]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return (.internalError, "cannot start \(binary)") }
    let deadline = Date().addingTimeInterval(Double(timeout) * 3)
    while p.isRunning && Date() < deadline { usleep(10_000) }
    if p.isRunning { p.terminate(); p.waitUntilExit(); return (.timeout, "CLI: no exit within \(timeout * 3) s") }
    switch (p.terminationReason, p.terminationStatus) {
    case (.exit, 0): return (.complete, "")
    case (.exit, 2): return (.invalid, "")
    case (.exit, let c): return (.internalError, "CLI validate: exit \(c)")
    case (_, let s): return (.trap, "CLI validate: signal \(s)")
    }
}
