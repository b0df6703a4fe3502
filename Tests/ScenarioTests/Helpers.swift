import ClusterModel
import Foundation
import TestSupport
@testable import Scenario
import SimKernel
import XCTest

/// A valid scenario to start from.
let minimalScenario = """
{
  "name": "t",
  "duration": "2h",
  "hostGroups": [{"name": "slave", "count": 40, "cpus": 8, "memory": "64GiB", "disk": "500GB"}]
}
"""

/// Errors from loading `text` (fails the test when it loads).
func loadErrors(_ text: String, overrides: [String] = [], baseDirectory: String = "/tmp",
                file: StaticString = #filePath, line: UInt = #line) -> [ScenarioError] {
    do {
        _ = try ScenarioLoader.load(text: text, baseDirectory: baseDirectory, fileName: "s.json", overrides: overrides)
        XCTFail("expected errors, but the scenario loaded", file: file, line: line)
        return []
    } catch {
        return error.errors
    }
}

/// Asserts that loading `text` gives exactly one error, at `path`, whose message contains every
/// fragment, and (when given) at `line`. Returns the error.
@discardableResult
func assertSingleError(_ text: String, path: String, _ fragments: [String], line expectedLine: Int? = nil,
                       overrides: [String] = [], baseDirectory: String = "/tmp",
                       file: StaticString = #filePath, line: UInt = #line) -> ScenarioError? {
    let errs = loadErrors(text, overrides: overrides, baseDirectory: baseDirectory, file: file, line: line)
    guard errs.count == 1 else {
        XCTFail("expected 1 error, got \(errs.count):\n" + errs.map(\.description).joined(separator: "\n"), file: file, line: line)
        return errs.first
    }
    let e = errs[0]
    XCTAssertEqual(e.path, path, "path of: \(e)", file: file, line: line)
    for f in fragments {
        XCTAssertTrue(e.message.contains(f), "message \(JSONValue.quote(e.message)) lacks \(JSONValue.quote(f))", file: file, line: line)
    }
    if let l = expectedLine { XCTAssertEqual(e.line, l, "line of: \(e)", file: file, line: line) }
    return e
}

/// Loads `dir/s.json`, a scenario written beside the files it reads; fails the test on errors.
func loadScenarioFolder(_ dir: String, file: StaticString = #filePath, line: UInt = #line) -> LoadedScenario? {
    do { return try ScenarioLoader.load(path: dir + "/s.json") } catch {
        XCTFail("unexpected errors:\n\(error)", file: file, line: line); return nil
    }
}

/// The errors of loading `dir/s.json` (fails the test when it loads).
func scenarioFolderErrors(_ dir: String, file: StaticString = #filePath, line: UInt = #line) -> [ScenarioError] {
    do { _ = try ScenarioLoader.load(path: dir + "/s.json"); XCTFail("expected errors", file: file, line: line); return [] } catch { return error.errors }
}

func loadOK(_ text: String, overrides: [String] = [], seedOverride: UInt64? = nil, baseDirectory: String = "/tmp",
            file: StaticString = #filePath, line: UInt = #line) -> LoadedScenario? {
    do {
        return try ScenarioLoader.load(text: text, baseDirectory: baseDirectory, fileName: "s.json",
                                       overrides: overrides, seedOverride: seedOverride)
    } catch {
        XCTFail("unexpected errors:\n\(error)", file: file, line: line)
        return nil
    }
}

/// A fresh temporary folder (symlinks resolved) under the test process's scratch folder, which goes when
/// the process exits (the caller may remove it sooner).
func makeTempDir() -> String { Paths.realPath(Scratch.folder("scenario-tests"))! }

func write(_ text: String, to path: String) {
    let dir = Paths.directory(path)
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try! text.write(toFile: path, atomically: true, encoding: .utf8)
}

/// Loads a scenario that must be valid and runs it to the end, keeping every event in memory.
func runToEnd(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> (ClusterSimulation, MemoryObserver) {
    let s = try XCTUnwrap(loadOK(text, file: file, line: line), file: file, line: line)
    let o = MemoryObserver()
    let m = ClusterSimulation(spec: s.spec, observer: o)
    m.run()
    return (m, o)
}
