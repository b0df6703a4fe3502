import XCTest
@testable import ClusterModel
import SimKernel

/// docs/heldout-platform.md: Marathon 1.4.0-1.8.207 revive offers again whenever launch tokens come back
/// after running out (OfferMatcherManagerActor `offersWanted = matchers.nonEmpty && launchTokens > 0`,
/// published on every none-to-some change of the tokens; ReviveOffersActor starts a new series on
/// each `OffersWanted(true)`).
final class LaunchTokenReviveTests: XCTestCase {
    typealias Run = MarathonRuntimeTests.Run

    /// 500 instances on 100 agents that hold exactly one offer's worth each (5 instances, the
    /// default max_instances_per_offer). Every round spends the 100 launch tokens on 20 agents that
    /// are then full; the 80 others were declined for decline_offer_duration (120 s). The tokens
    /// come back as the instances run, and each time they do Marathon revives (clearing the
    /// filters), so a round goes out every min_revive_offers_interval (5 s): five rounds, all 500
    /// staged within about 30 s of the first. Without the revive only the first series (3 revives)
    /// places instances, and the last 200 wait for the 120 s filters: two more rounds 2 minutes apart.
    func testReturningLaunchTokensReviveOffers() {
        for version in [MarathonVersion(1, 4, 9), MarathonVersion(1, 8, 207)] {
            let r = Run(apps: [MarathonRuntimeTests.app("/big", instances: 500, cpus: 1, version: version)],
                        agents: 100, agentCpus: 5, duration: .minutes(10), version: version)
            r.run()
            let staging = r.events("TASK_STAGING").map(\.time)
            XCTAssertEqual(staging.count, 500, "\(version)")
            XCTAssertLessThan(staging.last! - staging.first!, .seconds(40), "\(version)")
            var largestGap = SimDuration.zero
            for k in 1..<staging.count { largestGap = max(largestGap, staging[k] - staging[k - 1]) }
            XCTAssertLessThanOrEqual(largestGap, .seconds(10), "\(version)")
            // one series at the start plus one per round whose tokens came back
            XCTAssertGreaterThanOrEqual(r.marathon.revivesSent, 5, "\(version)")
        }
    }
}
