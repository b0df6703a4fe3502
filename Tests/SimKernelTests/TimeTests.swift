import XCTest
@testable import SimKernel

final class GoDurationTests: XCTestCase {
    private func ns(_ s: String) -> Int64? { SimDuration(goString: s)?.nanoseconds }

    func testParsesWhatGoParses() {
        // Expected values from Go's time.ParseDuration.
        let cases: [(String, Int64)] = [
            ("0", 0), ("+0", 0), ("-0", 0), ("0s", 0),
            ("1h30m", 5_400_000_000_000), ("1h30m0s", 5_400_000_000_000),
            ("250ms", 250_000_000), ("1.5s", 1_500_000_000), ("300us", 300_000),
            ("300µs", 300_000), ("300μs", 300_000), ("12ns", 12),
            ("-1m", -60_000_000_000), ("+5s", 5_000_000_000), ("24h", 86_400_000_000_000),
            (".5s", 500_000_000), ("1.s", 1_000_000_000), ("1.0s", 1_000_000_000),
            ("2m3.25s", 123_250_000_000), ("1h1m1s1ms1us1ns", 3_661_001_001_001),
            ("0.1h", 360_000_000_000), ("1.000000001s", 1_000_000_001),
            ("1.0000000019s", 1_000_000_001),  // fraction truncated below the nanosecond
            ("9223372036854775807ns", Int64.max), ("-9223372036854775808ns", Int64.min),
            ("5m5m", 600_000_000_000),  // Go sums repeated units
        ]
        for (text, want) in cases {
            XCTAssertEqual(ns(text), want, "parse(\(text))")
        }
    }

    func testRejectsWhatGoRejects() {
        for text in ["", "1", "-", "+", "1x", "h", "s", ".s", ".", "-.s", "1..5s", "1.5.5s", "1sm", "1 s", " 1s",
                     "1s ", "1S", "1H", "1hm", "0.0", "00", "1d", "1e3s", "1h-1m", "9223372036854775808ns",
                     "-9223372036854775809ns", "3000000h", "1ms1", "--1s"] {
            XCTAssertNil(SimDuration(goString: text), "parse(\"\(text)\") should fail")
        }
    }

    func testFormatsLikeGo() {
        let cases: [(Int64, String)] = [
            (0, "0s"), (1, "1ns"), (999, "999ns"), (1_000, "1µs"), (1_500, "1.5µs"),
            (250_000_000, "250ms"), (1_500_000_000, "1.5s"), (5_400_000_000_000, "1h30m0s"),
            (60_000_000_000, "1m0s"), (3_600_000_000_000, "1h0m0s"), (90_061_000_000_000, "25h1m1s"),
            (-60_000_000_000, "-1m0s"), (-1, "-1ns"), (1_000_000_001, "1.000000001s"),
            (123_456_789, "123.456789ms"),
            (Int64.max, "2562047h47m16.854775807s"), (Int64.min, "-2562047h47m16.854775808s"),
        ]
        for (v, want) in cases {
            XCTAssertEqual(SimDuration(nanoseconds: v).description, want)
        }
    }

    func testFormatParseRoundTrip() {
        for v: Int64 in [0, 1, 999, 1_001, 123_456_789, 59_999_999_999, 3_600_000_000_001, -42_000_000, Int64.max, Int64.min] {
            let d = SimDuration(nanoseconds: v)
            XCTAssertEqual(SimDuration(goString: d.description), d, "\(v) -> \(d)")
        }
    }

    func testFromSecondsRoundsHalfAwayAndSaturates() {
        XCTAssertEqual(SimDuration.fromSeconds(1.5).nanoseconds, 1_500_000_000)
        XCTAssertEqual(SimDuration.fromSeconds(2.5e-9).nanoseconds, 3)
        XCTAssertEqual(SimDuration.fromSeconds(-2.5e-9).nanoseconds, -3)
        XCTAssertEqual(SimDuration.fromSeconds(0.4e-9).nanoseconds, 0)
        XCTAssertEqual(SimDuration.fromSeconds(1e300).nanoseconds, Int64.max)
        XCTAssertEqual(SimDuration.fromSeconds(-.infinity).nanoseconds, Int64.min)
        XCTAssertEqual(SimDuration.fromSeconds(0.1).nanoseconds, 100_000_000)
    }

    func testSimTimeArithmeticAndDescription() {
        let t = SimTime.zero + .seconds(90)
        XCTAssertEqual(t.description, "90")
        XCTAssertEqual((t + .milliseconds(500)).description, "90.5")
        XCTAssertEqual(SimTime(nanoseconds: 12_500_000_000).description, "12.5")
        XCTAssertEqual(SimTime(nanoseconds: 1).description, "0.000000001")
        XCTAssertEqual(SimTime(nanoseconds: -1_500_000_000).description, "-1.5")
        XCTAssertEqual(SimTime(nanoseconds: Int64.min).description, "-9223372036.854775808")
        XCTAssertEqual(SimTime.distantFuture + .seconds(1), .distantFuture, "saturates")
        XCTAssertEqual((t - (SimTime.zero + .seconds(30))), .minutes(1))
    }

    func testNumberFormatDecimal() {
        XCTAssertEqual(NumberFormat.decimal(0.1 + 0.2), "0.3")
        XCTAssertEqual(NumberFormat.decimal(2.0), "2")
        XCTAssertEqual(NumberFormat.decimal(-1.25, 1), "-1.3")  // half away from zero
        XCTAssertEqual(NumberFormat.decimal(1.25, 1), "1.3")
        XCTAssertEqual(NumberFormat.decimal(-0.0000001), "0")   // no "-0"
        XCTAssertEqual(NumberFormat.decimal(123456.789012345), "123456.789012")
        XCTAssertEqual(NumberFormat.decimal(.nan), "nan")
        XCTAssertEqual(NumberFormat.decimal(.infinity), "inf")
        XCTAssertEqual(NumberFormat.decimal(-.infinity), "-inf")
        XCTAssertEqual(NumberFormat.decimal(1e20), "1e+20")  // >= 1e15: shortest form
        XCTAssertEqual(NumberFormat.decimal(0.5, 0), "1")
    }

    func testNumberFormatFixed() {
        XCTAssertEqual(NumberFormat.fixed(1000.2875191, decimals: 6), "1000.287519")
        XCTAssertEqual(NumberFormat.fixed(2, decimals: 3), "2.000")
        XCTAssertEqual(NumberFormat.fixed(-0.0042, decimals: 4), "-0.0042")
        XCTAssertEqual(NumberFormat.fixed(-0.00001, decimals: 4), "0.0000")  // no "-0.0000"
        XCTAssertEqual(NumberFormat.fixed(0.05, decimals: 3), "0.050")
        XCTAssertEqual(NumberFormat.fixed(7.5, decimals: 0), "8")
        XCTAssertEqual(NumberFormat.fixed(1e300, decimals: 6), "1e+300")  // no trap
        XCTAssertEqual(NumberFormat.fixed(.nan, decimals: 6), "nan")
    }
}
