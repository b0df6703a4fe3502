import Foundation
import TestSupport
import XCTest

/// Runs the built `clustersim` binary (built by `swift build`, which `make test` does first).
enum CLI {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["CLUSTERSIM_BIN"] { return b }
        for config in ["debug", "release"] {
            let p = root.appendingPathComponent(".build/\(config)/clustersim").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return root.appendingPathComponent(".build/debug/clustersim").path
    }

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    /// Runs the tool with `args` from the repository root.
    @discardableResult
    static func run(_ args: [String], environment: [String: String]? = nil) throws -> Result {
        let p = try start(args, environment: environment)
        return p.wait()
    }

    final class Running {
        let process: Process
        let out: Pipe, err: Pipe
        init(process: Process, out: Pipe, err: Pipe) { self.process = process; self.out = out; self.err = err }
        func wait() -> Result {
            // read both pipes fully before waiting, so a chatty process cannot block
            var outData = Data(), errData = Data()
            let group = DispatchGroup()
            group.enter()
            DispatchQueue.global().async { outData = self.out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.wait()
            process.waitUntilExit()
            return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                          stderr: String(decoding: errData, as: UTF8.self))
        }
    }

    static func start(_ args: [String], environment: [String: String]? = nil) throws -> Running {
        try start(program: binary, args, environment: environment)
    }

    /// Runs any program from the repository root with stdin from /dev/null (scripts, installers).
    static func runProgram(_ executable: String, _ args: [String], environment: [String: String]) throws -> Result {
        try start(program: executable, args, environment: environment, nullInput: true).wait()
    }

    static func start(program: String, _ args: [String], environment: [String: String]?, nullInput: Bool = false) throws -> Running {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        p.currentDirectoryURL = root
        if let env = environment { p.environment = env }
        if nullInput { p.standardInput = FileHandle.nullDevice }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        return Running(process: p, out: out, err: err)
    }

    /// A `run --<option> INSTANT` with an unparsable instant, and with one after the end of the
    /// run (the scenario lasts 10m), exits 2 naming the option and writes nothing.
    static func assertBadInstantsRefused(scenario: String, option: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = tempDir(option.replacingOccurrences(of: "--", with: "") + "-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/s.json"
        try scenario.write(toFile: path, atomically: true, encoding: .utf8)
        let bad = try run(["run", path, "--out", dir + "/out", "--quiet", option, "soon"])
        XCTAssertEqual(bad.status, 2, bad.stderr, file: file, line: line)
        XCTAssertTrue(bad.stderr.contains(option), bad.stderr, file: file, line: line)
        let late = try run(["run", path, "--out", dir + "/out", "--quiet", option, "11m"])
        XCTAssertEqual(late.status, 2, late.stderr, file: file, line: line)
        XCTAssertTrue(late.stderr.contains("after the end of the run"), late.stderr, file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out"), file: file, line: line)
    }

    /// A fresh folder under the test process's scratch folder (removed when the process exits).
    static func tempDir(_ tag: String) -> String { Scratch.folder("e2e-" + tag) }

    static func files(in dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    static func shippedScenarios() -> [String] {
        files(in: root.appendingPathComponent("scenarios").path).filter { $0.hasSuffix(".json") }
    }
}
