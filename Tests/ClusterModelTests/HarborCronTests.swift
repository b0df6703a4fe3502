@testable import ClusterModel
import Foundation
import XCTest

/// Harbor's cron (`trigger_settings.cron`): robfig/cron v3's six-field grammar with Harbor's
/// rule that the seconds field is 0, and its next firing times (UTC). The expected instants are
/// read off the calendar (2017-01-01 was a Sunday).
final class HarborCronTests: XCTestCase {
    static func unix(_ iso: String) -> Int64 {
        let f = ISO8601DateFormatter()
        return Int64(f.date(from: iso)!.timeIntervalSince1970)
    }
    static func iso(_ t: Int64) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(t)))
    }

    func cron(_ s: String, file: StaticString = #filePath, line: UInt = #line) -> HarborCron? {
        switch HarborCron.parse(s) {
        case .success(let c): return c
        case .failure(let e): XCTFail("\(s): \(e.message)", file: file, line: line); return nil
        }
    }

    /// The next `n` firings after `from`.
    func firings(_ s: String, after from: String, _ n: Int, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        guard let c = cron(s, file: file, line: line) else { return [] }
        var t = Self.unix(from), out: [String] = []
        for _ in 0..<n {
            guard let u = c.next(after: t) else { out.append("never"); break }
            out.append(Self.iso(u)); t = u
        }
        return out
    }

    func testDailyAtTwo() {
        XCTAssertEqual(firings("0 0 2 * * *", after: "2017-01-01T00:00:00Z", 2), ["2017-01-01T02:00:00Z", "2017-01-02T02:00:00Z"])
        // strictly after: at 02:00:00 itself the next is the next day's
        XCTAssertEqual(firings("0 0 2 * * *", after: "2017-01-01T02:00:00Z", 1), ["2017-01-02T02:00:00Z"])
        // numbers as Go's strconv.Atoi reads them: leading zeros and "+"
        XCTAssertEqual(firings("0 00 +2 * * *", after: "2017-01-01T00:00:00Z", 1), ["2017-01-01T02:00:00Z"])
    }

    /// Both day fields restricted: either matches (the 13th, or a Friday).
    func testDayOfMonthOrDayOfWeek() {
        XCTAssertEqual(firings("0 0 0 13 * FRI", after: "2017-02-01T00:00:00Z", 4),
                       ["2017-02-03T00:00:00Z", "2017-02-10T00:00:00Z", "2017-02-13T00:00:00Z", "2017-02-17T00:00:00Z"])
    }

    /// One of them `*` or `?` (or `*/1`): both must match, so only Mondays; `*/2` is not a star
    /// any more (robfig clears starBit for a step > 1): odd days or Mondays.
    func testAStarredDayFieldMakesItAnd() {
        let mondays = ["2017-01-02T00:00:00Z", "2017-01-09T00:00:00Z"]
        XCTAssertEqual(firings("0 0 0 * * MON", after: "2017-01-01T00:00:00Z", 2), mondays)
        XCTAssertEqual(firings("0 0 0 ? * mon", after: "2017-01-01T00:00:00Z", 2), mondays)
        XCTAssertEqual(firings("0 0 0 */1 * 1", after: "2017-01-01T00:00:00Z", 2), mondays)
        XCTAssertEqual(firings("0 0 0 */2 * MON", after: "2017-01-01T00:00:00Z", 4),
                       ["2017-01-02T00:00:00Z", "2017-01-03T00:00:00Z", "2017-01-05T00:00:00Z", "2017-01-07T00:00:00Z"])
    }

    /// Ranges with steps, lists and month names: 9:30, 13:30 and 17:30 on weekdays of Jan-Mar and Dec.
    func testRangesStepsListsAndNames() {
        XCTAssertEqual(firings("0 30 9-17/4 * JAN-MAR,DEC MON-FRI", after: "2017-03-31T13:30:00Z", 3),
                       ["2017-03-31T17:30:00Z", "2017-12-01T09:30:00Z", "2017-12-01T13:30:00Z"])
        // N/step runs to the maximum: minutes 50 and 55
        XCTAssertEqual(firings("0 50/5 23 31 12 *", after: "2017-06-01T00:00:00Z", 3),
                       ["2017-12-31T23:50:00Z", "2017-12-31T23:55:00Z", "2018-12-31T23:50:00Z"])
    }

    func testLeapDayAndNeverFiringSchedules() {
        XCTAssertEqual(firings("0 0 12 29 2 *", after: "2017-01-01T00:00:00Z", 1), ["2020-02-29T12:00:00Z"])
        XCTAssertEqual(firings("0 0 0 30 2 *", after: "2017-01-01T00:00:00Z", 1), ["never"], "robfig gives up after five years")
    }

    func testBadExpressionsSayWhatIsAllowed() {
        func bad(_ s: String, _ fragment: String, line: UInt = #line) {
            switch HarborCron.parse(s) {
            case .success: XCTFail("\(s) accepted", line: line)
            case .failure(let e): XCTAssertTrue(e.message.contains(fragment), "\(s): \(e.message)", line: line)
            }
        }
        bad("0 0 2 * *", "exactly 6 fields")
        bad("0 60 * * * *", "above maximum (59)")
        bad("0 0 0 * * 7", "above maximum (6)")
        bad("@daily", "descriptors")
        bad("TZ=Asia/Shanghai 0 0 2 * * *", "time zone")
        bad("0 0 0 5-1 * *", "beyond end of range")
        bad("0 0 0 */0 * *", "positive")
        bad("0 0 0 * FOO *", "JAN-DEC")
        bad("0 0 0 1-2-3 * *", "too many hyphens")
        bad("0 0 0 * * -1", "not a value")
        bad("0 0 0 99999999999999999999 * *", "not a value")
    }

    /// A replication policy's cron as Harbor's Policy.Validate checks it (v2.9.0
    /// src/controller/replication/model/model.go), in its order and with its words: robfig's parse,
    /// then `strings.Split(cron, " ")[0] == "0"`, then (v2.9.0 on) `[1] != "*"`. (Mutations: checking
    /// the seconds on robfig's fields accepts the leading space and the tabs; checking `*` first
    /// words "0 * 25 * * *" as the minutes rule.)
    func testThePolicyChecksInHarborsOrder() {
        func check(_ s: String, star: Bool = true) -> String {
            switch HarborCron.replicationPolicyCron(s, refuseStarMinutes: star) {
            case .success: return "ok"
            case .failure(let e): return e.message
            }
        }
        let seconds = "the 1st field (indicating Seconds of time) of the cron setting must be 0"
        XCTAssertEqual(check("0 0 2 * * *"), "ok")
        XCTAssertTrue(check("30 0 2 * * *").hasPrefix(seconds), check("30 0 2 * * *"))
        XCTAssertTrue(check(" 0 0 2 * * *").hasPrefix(seconds), "robfig reads it, Harbor's split does not")
        XCTAssertTrue(check("0\t0\t2\t*\t*\t*").hasPrefix(seconds))
        XCTAssertTrue(check("00 0 2 * * *").hasPrefix(seconds))
        XCTAssertTrue(check("0 0 25 * * *").hasPrefix("invalid cron string for scheduled trigger: 0 0 25 * * * ("))
        XCTAssertTrue(check("30 0 25 * * *").hasPrefix("invalid cron string for scheduled trigger: "), "parsed first")
        XCTAssertTrue(check("0 * 25 * * *").hasPrefix("invalid cron string for scheduled trigger: "), "parsed first")
        XCTAssertEqual(check("0 * 2 * * *"), "* is not allowed for the Minutes field of the cron setting of replication policy")
        XCTAssertEqual(check("0 * 2 * * *", star: false), "ok")
        // two spaces: Harbor's second piece is "", so `*` minutes pass its check, and robfig reads them
        XCTAssertEqual(check("0  * 2 * * *"), "ok")
    }
}
