import XCTest
@testable import ClusterModel
import SimKernel

/// The fluid tick's shortcuts (issue 14) give the same numbers as the general code, bit for bit.
final class FluidTickTests: XCTestCase {
    /// A tick with no breakpoint of the rate profile inside integrates one segment: the same
    /// double as `expected`, which gathers and sorts the cuts; ticks with a breakpoint inside are
    /// told apart by `nextCut`.
    func testSegmentIntegralIsExpectedBitForBit() {
        let daily = RateProfile(points: [.init(at: .zero, rate: 100), .init(at: .hours(7), rate: 150), .init(at: .hours(10), rate: 400),
                                         .init(at: .hours(14), rate: 250), .init(at: .hours(14), rate: 50),
                                         .init(at: .milliseconds(72_000_300), rate: 400), .init(at: .hours(23), rate: 150)],
                                period: .hours(24))
        let once = RateProfile(points: [.init(at: .seconds(30), rate: 5), .init(at: .seconds(90), rate: 50)])
        let rng = RandomStream(seed: 3, name: "fluid-tick-test")
        for profile in [daily, once] {
            var within = 0, across = 0
            var t = SimTime.zero
            while t < SimTime.zero + .hours(49) {
                let end = t + SimDuration.fromSeconds(0.5 + rng.uniform() * 90)
                let next = profile.nextCut(after: t)
                let cutInside = profile.points.contains { p in
                    (-1...3).contains { d in
                        let x = p.at.nanoseconds + Int64(d) * (profile.period?.nanoseconds ?? 0)
                        return x > t.nanoseconds && x < end.nanoseconds
                    }
                }
                XCTAssertEqual(next.map { $0 < end } ?? false, cutInside, "at \(t)")
                if !cutInside {
                    within += 1
                    XCTAssertEqual(profile.expectedWithinSegment(from: t, to: end).bitPattern, profile.expected(from: t, to: end).bitPattern, "at \(t)")
                } else {
                    across += 1
                }
                t = end
            }
            XCTAssertGreaterThan(within, 100)
            XCTAssertGreaterThan(across, profile.period == nil ? 1 : 10)
        }
    }

    /// Latency sketches gathered per (sketch, shift): searched while few, indexed beyond; the
    /// counts land where a dictionary from the first entry of each key puts them (NaN shifts never
    /// match, -0 is 0).
    func testSketchCountsGatherByKey() {
        let rng = RandomStream(seed: 5, name: "fluid-sketch-test")
        var c = TrafficCounters()
        var ref: [(id: Int, shift: Double, count: Double)] = []
        for n in 0..<400 {
            let id = Int(rng.uniform() * 12)
            var shift = [0.0, -0.0, 1.5, 2.5, .nan][Int(rng.uniform() * 5)]
            if n % 97 == 0 { shift = 7 }
            c.addSketch(id: id, points: [Double(id)], shiftMs: shift, count: Double(n))
            if !shift.isNaN, let i = ref.firstIndex(where: { $0.id == id && $0.shift == shift }) {
                ref[i].count += Double(n)
            } else {
                ref.append((id, shift, Double(n)))
            }
        }
        XCTAssertGreaterThan(ref.count, TrafficCounters.scanLimit)
        XCTAssertEqual(c.sketches.map(\.id), ref.map(\.id))
        XCTAssertEqual(c.sketches.map(\.count), ref.map(\.count))
    }
}
