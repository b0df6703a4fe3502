import XCTest
@testable import ClusterModel
import SimKernel

/// Version-dependent defaults and algorithms at the release tags where they changed
/// (docs/marathon.md, "Version boundaries checked against the tags").
final class MarathonVersionBoundaryTests: XCTestCase {
    /// core/task/termination/KillConfig.scala: `kill_retry_timeout` 10 s, 30 s from v1.5.12, v1.6.564,
    /// v1.7.188 and v1.8.180 (backports of #6596).
    func testKillRetryTimeoutIs30sFromTheBackportTags() {
        let cases: [(MarathonVersion, Int64)] = [
            (MarathonVersion(1, 4, 13), 10), (MarathonVersion(1, 5, 11), 10), (MarathonVersion(1, 5, 12), 30),
            (MarathonVersion(1, 6, 0), 10), (MarathonVersion(1, 6, 549), 10), (MarathonVersion(1, 6, 564), 30),
            (MarathonVersion(1, 7, 174), 10), (MarathonVersion(1, 7, 188), 30), (MarathonVersion(1, 8, 0), 30),
            (MarathonVersion(1, 10, 26), 30)]
        for (v, s) in cases { XCTAssertEqual(v.defaultKillRetryTimeout, .seconds(s), "\(v)") }
    }

    /// Revive rules: ReviveOffersActor up to v1.8.207, the first ReviveOffersStreamLogic in
    /// v1.8.218-v1.8.244, the multi-role stream from 1.9.
    func testReviveRulesChangeAt1_8_218And1_9() {
        XCTAssertEqual(MarathonVersion(1, 8, 207).reviveRules, .offersWantedSeries)
        XCTAssertEqual(MarathonVersion(1, 8, 218).reviveRules, .scheduledSeries)
        XCTAssertEqual(MarathonVersion(1, 8, 244).reviveRules, .scheduledSeries)
        XCTAssertEqual(MarathonVersion(1, 9, 32).reviveRules, .stream)
        XCTAssertFalse(MarathonFlags(version: MarathonVersion(1, 7, 236)).suppressOffers)
        XCTAssertTrue(MarathonFlags(version: MarathonVersion(1, 8, 180)).suppressOffers)
    }

    /// Three instances that never fit (UNIQUE, 8 instances, 5 agents), as
    /// MarathonFidelityTests.testRevivesPerVersionWithAnUnplaceableInstance: 1.8.207 revives once when
    /// offers become wanted and a series of 3 on registration (4); 1.8.218 three times for the newly
    /// scheduled instances, 30 s apart (its min_revive_offers_interval), nothing on registration; 1.9.73
    /// as 1.10: one revive and one repeat (2).
    func testRevivesAtThe1_8_218And1_9Boundaries() {
        for (version, expected, gap) in [(MarathonVersion(1, 8, 207), 4, 5), (MarathonVersion(1, 8, 218), 3, 30), (MarathonVersion(1, 9, 73), 2, 5)] {
            let unique = PlacementConstraint(field: "hostname", operator: .unique, rules: version.constraintRules)
            let r = MarathonRuntimeTests.Run(apps: [MarathonRuntimeTests.app("/u", instances: 8, constraints: [unique], version: version)],
                                             agents: 5, duration: .minutes(20), version: version)
            r.run()
            XCTAssertEqual(r.app("/u").toLaunch, 3, "\(version)")
            let revives = r.events("reviveOffers").map(\.time)
            XCTAssertEqual(revives.count, expected, "\(version)")
            for k in 1..<revives.count { XCTAssertGreaterThanOrEqual(revives[k] - revives[k - 1], .seconds(Int64(gap)), "\(version)") }
        }
    }
}
