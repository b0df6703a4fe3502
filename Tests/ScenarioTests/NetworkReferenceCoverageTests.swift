import ClusterModel
import Foundation
import Scenario
import XCTest

/// scripts/network-reference.csv against what it stands for (docs/network-calibration-log.md,
/// "More sources"): it parses, every `source` id is a row id of the reference
/// (../shared/reference/network-storage-measurements.md) and of docs/network.md, and the
/// leave-one-source-out table leaves out, and compares, every source of each environment.
final class NetworkReferenceCoverageTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func rows() throws -> [NetworkMeasurement] {
        let text = try String(contentsOf: Self.root.appendingPathComponent("scripts/network-reference.csv"), encoding: .utf8)
        return try NetworkMeasurementsCSV.parse(text)
    }

    /// The sources in the order of the CSV.
    func sources(_ rows: [NetworkMeasurement], _ env: NetworkEnvironment? = nil) -> [String] {
        var s: [String] = []
        for r in rows where (env == nil || r.environment == env) && !s.contains(r.source) { s.append(r.source) }
        return s
    }

    /// `id` as a whole row id in `text`: not followed by a letter, digit or '-' and not preceded by
    /// one ("N2" is not found in "N2b-same").
    static func mentions(_ text: String, _ id: String) -> Bool {
        var from = text.startIndex
        while let r = text.range(of: id, range: from..<text.endIndex) {
            let before = r.lowerBound == text.startIndex ? nil : text[text.index(before: r.lowerBound)]
            let after = r.upperBound == text.endIndex ? nil : text[r.upperBound]
            func part(_ c: Character?) -> Bool { c.map { $0.isLetter || $0.isNumber || $0 == "-" } ?? false }
            if !part(before) && !part(after) { return true }
            from = r.upperBound
        }
        return false
    }

    func testTheSourcesAddedForIssue15AreInTheFile() throws {
        let s = sources(try rows())
        XCTAssertEqual(s, ["N1", "N8-cue", "N2", "N2b-cross", "N2b-same", "N3", "N2d", "N8-fudp", "N8-f1816", "N8-mflow"])
    }

    func testEverySourceIsARowIdOfTheReferenceAndOfTheDocs() throws {
        let ids = sources(try rows())
        let docs = try String(contentsOf: Self.root.appendingPathComponent("docs/network.md"), encoding: .utf8)
        for id in ids { XCTAssertTrue(Self.mentions(docs, "[\(id)]"), "docs/network.md does not cite [\(id)]") }
        let ref = Self.root.appendingPathComponent("../shared/reference/network-storage-measurements.md")
        guard let reference = try? String(contentsOf: ref, encoding: .utf8) else {
            throw XCTSkip("the reference (\(ref.standardized.path)) is outside the repository and not here")
        }
        for id in ids { XCTAssertTrue(Self.mentions(reference, id), "\(id) is not a row id of the reference") }
        XCTAssertFalse(Self.mentions("[N2b-same] N2c-proxy", "N2"), "the whole-id check")
    }

    func testLeaveOneSourceOutRunsOverEverySource() throws {
        let rows = try rows()
        for env in NetworkEnvironment.allCases {
            let loso = NetworkCalibration.leaveOneSourceOut(rows, environment: env)
            XCTAssertEqual(loso.map(\.source), sources(rows, env), env.rawValue)
            for (source, res) in loso {
                XCTAssertFalse(res.isEmpty, "\(source): no figure compared")
                XCTAssertTrue(res.allSatisfy { $0.source == source })
                // every row of the source with a figure to compare is compared (a host row or a
                // baseline row of ratio 1 is the ratios' reference, not a figure of its own)
                let lines = Set(res.map(\.line))
                for r in rows where r.source == source && r.environment == env {
                    let isBaseline = r.ratioToHost == 1 && r.throughputMbit == nil && r.oneWayLatencyUs == nil && r.cpuPerGbit == nil
                    let isLatencyBaseline = r.oneWayLatencyUs != nil && !rows.contains { $0.source == source && $0.line < r.line && $0.oneWayLatencyUs != nil && $0.messageSize == r.messageSize }
                    if isBaseline || (isLatencyBaseline && r.throughputMbit == nil && r.ratioToHost == nil) { continue }
                    XCTAssertTrue(lines.contains(r.line), "\(source) line \(r.line) (\(r.mode.rawValue)) is not compared")
                }
            }
        }
    }
}
