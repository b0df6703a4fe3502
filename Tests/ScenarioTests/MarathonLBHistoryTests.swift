@testable import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// `MarathonLB.keepHistory(textsAt:)` (what `clustersim run` calls): a configuration HAProxy no
/// longer runs is let go unless its text was asked for; the run itself does not change.
final class MarathonLBHistoryTests: XCTestCase {
    /// Two web apps scaled every minute: a reload per scale on each of the two instances.
    static func scenario() -> String {
        let scales = (1...12).map { #"{"at": "\#($0)m", "kind": "scale", "app": "/shop/web", "instances": \#(2 + $0 % 3)}"# }
        return MarathonLBTests.scenario(duration: "15m").replacingOccurrences(
            of: #"[{"at": "5m", "kind": "scale", "app": "/shop/web", "instances": 3}]"#, with: "[" + scales.joined(separator: ", ") + "]")
    }

    func run(keep: [SimTime]?) throws -> (MarathonLB, MemoryObserver) {
        let s = try XCTUnwrap(loadOK(Self.scenario()))
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: s.spec, observer: o)
        let lb = try XCTUnwrap(m.subsystem(MarathonLB.self))
        if let k = keep { lb.keepHistory(textsAt: k) }
        m.run()
        return (lb, o)
    }

    func testOnlyRunningAndWantedConfigurationsAreKept() throws {
        let wanted = SimTime.zero + .seconds(270)
        let (all, a) = try run(keep: nil)
        let (kept, k) = try run(keep: [wanted])
        XCTAssertEqual(a.events.map(\.detail), k.events.map(\.detail), "the same run")
        for i in 0..<kept.instanceCount {
            let n = kept.haproxyGeneration(i)
            XCTAssertEqual(n, all.haproxyGeneration(i))
            XCTAssertGreaterThan(n, 8, "a reload per scale")
            XCTAssertEqual(kept.configurationText(i, at: wanted), all.configurationText(i, at: wanted))
            XCTAssertFalse(kept.configurationText(i, at: wanted).isEmpty)
            XCTAssertEqual(kept.instances[i].configs.last?.text, all.instances[i].configs.last?.text)
            let held = kept.instances[i].configs.filter { !$0.text.isEmpty }.count
            XCTAssertEqual(held, 2, "the running one and the one running at 270 s, of \(n)")
            XCTAssertEqual(all.instances[i].configs.filter { !$0.text.isEmpty }.count, n, "without keepHistory: every one")
        }
    }
}
