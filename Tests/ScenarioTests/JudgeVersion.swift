import Foundation
import TestSupport
import XCTest

/// A real tool that judges a loader's agreement tests (promtool check config / check rules, amtool
/// check-config), and the version it is. The loaders model Prometheus 2.42 and Alertmanager 0.25
/// (docs/monitoring.md, docs/alertmanager.md), so the installed tool decides a case only when it is
/// that version. Another release may judge some input files differently: for a release whose
/// differing verdicts are recorded beside the cases (Debian 13's promtool 2.53 and amtool 0.28) the
/// tool must give exactly the recorded verdicts while the loader keeps the modelled one; for any
/// other release the tool is not asked and the test ends in XCTSkip saying so, after the loader has
/// been checked against the recorded verdicts (docs/monitoring.md, "Judges on other Debian releases").
struct Judge {
    let name: String
    /// The executable, nil when not installed.
    let path: String?
    /// The release the loader models, major.minor.
    let modelled: String
    /// Releases whose differing verdicts are recorded beside the cases.
    let recorded: Set<String>
    /// major.minor of the installed tool, from `<tool> --version`; nil when not installed or unreadable.
    let version: String?

    static let promtool = Judge(name: "promtool", candidates: ["/usr/bin/promtool", "/usr/local/bin/promtool"], modelled: "2.42", recorded: ["2.53"])
    static let amtool = Judge(name: "amtool", candidates: ["/usr/bin/amtool", "/usr/local/bin/amtool"], modelled: "0.25", recorded: ["0.28"])

    init(name: String, candidates: [String], modelled: String, recorded: Set<String>) {
        self.name = name
        self.modelled = modelled
        self.recorded = recorded
        path = candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
        version = path.flatMap { Self.runVersion($0) }.flatMap { Self.majorMinor(name, $0) }
    }

    init(name: String, path: String?, modelled: String, recorded: Set<String>, version: String?) {
        (self.name, self.path, self.modelled, self.recorded, self.version) = (name, path, modelled, recorded, version)
    }

    static func majorMinor(_ name: String, _ output: String) -> String? { ToolVersion.majorMinor(name, output) }
    static func runVersion(_ path: String) -> String? { ToolVersion.output(path) }

    /// How a test uses the installed tool.
    enum Use: Equatable {
        /// Not installed: the recorded verdicts only.
        case absent
        /// The modelled release: the tool's verdict decides.
        case decides
        /// A release with recorded verdicts: the tool must give them.
        case recordedRelease(String)
        /// Another release (or an unreadable version): the tool is not asked.
        case unrecorded(String)
    }

    var use: Use {
        guard path != nil else { return .absent }
        guard let version else { return .unrecorded("of unknown version") }
        if version == modelled { return .decides }
        return recorded.contains(version) ? .recordedRelease(version) : .unrecorded(version)
    }

    /// Whether the tool is to be run at all.
    var runs: Bool {
        switch use {
        case .decides, .recordedRelease: return true
        case .absent, .unrecorded: return false
        }
    }

    /// The reason a test gives when it does not ask an unrecorded release.
    var skipReason: String {
        "\(name) \(version ?? "of unknown version") is installed: the loader models \(modelled) and verdicts are recorded for "
            + ([modelled] + recorded.sorted()).joined(separator: " and ")
            + " only, so the loader was checked against the recorded verdicts and \(name) was not asked"
    }

    /// One case of an agreement test. `tool`: the installed tool's verdict (nil when not run);
    /// `ours`: the loader's; `modelledVerdict`: the modelled release's recorded verdict (nil when the
    /// test records none, a shipped file: the tool and the loader must agree); `newer`: the verdicts
    /// of other releases recorded for this case (release → verdict).
    func check(_ name: String, tool: Bool?, ours: Bool, modelledVerdict: Bool?, newer: [String: Bool] = [:], detail: @autoclosure () -> String,
               file: StaticString = #filePath, line: UInt = #line) {
        func v(_ b: Bool) -> String { b ? "valid" : "invalid" }
        switch use {
        case .decides:
            guard let tool else { return XCTFail("\(name): \(self.name) was not run", file: file, line: line) }
            if let modelledVerdict {
                XCTAssertEqual(tool, modelledVerdict, "\(name): \(self.name) \(modelled) says \(v(tool)), recorded: \(v(modelledVerdict))\n\(detail())", file: file, line: line)
            }
            XCTAssertEqual(ours, tool, "\(name): \(self.name) says \(v(tool)), ours \(v(ours))\n\(detail())", file: file, line: line)
        case .recordedRelease(let release):
            guard let tool else { return XCTFail("\(name): \(self.name) was not run", file: file, line: line) }
            guard let modelledVerdict else {
                return XCTAssertEqual(ours, tool, "\(name): \(self.name) \(release) says \(v(tool)), ours \(v(ours))\n\(detail())", file: file, line: line)
            }
            let expected = newer[release] ?? modelledVerdict
            XCTAssertEqual(tool, expected, "\(name): \(self.name) \(release) says \(v(tool)), recorded for \(release): \(v(expected))"
                           + (newer[release] == nil ? " (as \(modelled)): record its verdict beside the case if the release changed it" : "")
                           + "\n\(detail())", file: file, line: line)
            XCTAssertEqual(ours, modelledVerdict, "\(name): ours \(v(ours)), \(modelled) (modelled) recorded: \(v(modelledVerdict))\n\(detail())", file: file, line: line)
        case .absent, .unrecorded:
            if let modelledVerdict {
                XCTAssertEqual(ours, modelledVerdict, "\(name): ours \(v(ours)), \(modelled) recorded: \(v(modelledVerdict))\n\(detail())", file: file, line: line)
            }
        }
    }

    /// Recorded verdicts of other releases must be for releases this judge knows, name cases of the
    /// test, and differ from the modelled verdict (a verdict that does not differ is not recorded).
    func checkRecorded(_ newer: [String: [String: Bool]], cases: [String: Bool?], file: StaticString = #filePath, line: UInt = #line) {
        for (release, verdicts) in newer {
            XCTAssertTrue(recorded.contains(release), "\(name) \(release) is not a recorded release", file: file, line: line)
            for (c, verdict) in verdicts {
                guard let modelledVerdict = cases[c] else { XCTFail("\(name) \(release): no case \(c)", file: file, line: line); continue }
                XCTAssertNotEqual(verdict, modelledVerdict, "\(name) \(release): \(c) is recorded with the modelled verdict", file: file, line: line)
            }
        }
    }
}
