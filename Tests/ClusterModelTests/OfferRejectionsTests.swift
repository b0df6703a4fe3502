import XCTest
@testable import ClusterModel

/// The reasons a `waitingForOffers` row gives: counts per reason, the most frequent first, under
/// Marathon's NoOfferMatchReason names.
final class OfferRejectionsTests: XCTestCase {
    func testTheSummaryListsTheReasonsSeenMostFirst() {
        var r = OfferRejections()
        XCTAssertTrue(r.isEmpty)
        r.note(.memory); r.note(.constraint); r.note(.constraint); r.note(.ports)
        XCTAssertFalse(r.isEmpty)
        XCTAssertEqual(r.summary, "2 offers UnfulfilledConstraint, 1 InsufficientPorts, 1 InsufficientMemory")
        var one = OfferRejections()
        one.note(.cpus)
        XCTAssertEqual(one.summary, "1 offer InsufficientCpus")
    }
}
