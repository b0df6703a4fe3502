import SimKernel

// The `traffic` section: what users send to each service (docs/traffic.md).

/// The `traffic` section: per-request or fluid, and the services users call.
public struct TrafficSpec: Equatable, Sendable {
    /// Per-request (every request an event, exact latencies) or fluid (rates per tick, queueing formulas).
    public enum Mode: String, Equatable, Sendable, CaseIterable { case request, fluid }
    public var mode: Mode
    /// Fluid mode: the step at which rates and queue states are recomputed.
    public var tick: SimDuration
    public var services: [TrafficService]
    public init(mode: Mode = .request, tick: SimDuration = .seconds(1), services: [TrafficService] = []) {
        self.mode = mode; self.tick = tick; self.services = services
    }
}

/// How an instance serves the requests it holds.
public enum QueueDiscipline: Equatable, Sendable {
    /// Processor sharing: every request in the instance progresses at 1/n of the instance's speed.
    case processorSharing
    /// First come first served with `concurrency` requests served at once (a worker pool).
    case fifo(concurrency: Int)
}

/// Where a service's requests enter the platform.
public enum TrafficEntry: Equatable, Sendable {
    /// Through nginx: every proxy in turn (nil), or only the proxy with this index; `path` picks the location.
    case nginx(proxy: Int?, path: String)
    /// No proxy: the client spreads its requests round-robin over the app's running tasks.
    case direct
    /// Through marathon-lb's HAProxy: every instance in turn (nil), or only the instance with this
    /// index; `frontend` names the HAProxy frontend (`<app>_<servicePort>`, as the stats page does).
    case marathonLB(frontend: String, instance: Int?)
}

/// One service users call.
public struct TrafficService: Equatable, Sendable {
    public var name: String
    /// The Marathon app id whose tasks serve it.
    public var app: String
    public var entry: TrafficEntry
    public var arrivals: ArrivalProcess
    /// Work of one request at an idle instance, seconds.
    public var serviceTime: Distribution
    public var discipline: QueueDiscipline
    /// The client gives up after this long (counted as a timeout); nil: it waits for nginx's answer.
    public var timeout: SimDuration?
    public init(name: String, app: String, entry: TrafficEntry = .nginx(proxy: nil, path: "/"), arrivals: ArrivalProcess,
                serviceTime: Distribution, discipline: QueueDiscipline = .processorSharing, timeout: SimDuration? = nil) {
        self.name = name; self.app = app; self.entry = entry; self.arrivals = arrivals; self.serviceTime = serviceTime
        self.discipline = discipline; self.timeout = timeout
    }
}

/// When requests arrive: a rate profile (requests per second against time) and whether the
/// arrivals are Poisson (exponential gaps at the current rate) or evenly spaced.
public struct ArrivalProcess: Equatable, Sendable {
    public var profile: RateProfile
    public var poisson: Bool
    public init(profile: RateProfile, poisson: Bool) { self.profile = profile; self.poisson = poisson }
    public static func constant(_ r: Double) -> ArrivalProcess { ArrivalProcess(profile: RateProfile(points: [.init(at: .zero, rate: r)]), poisson: false) }
    public static func poisson(_ r: Double) -> ArrivalProcess { ArrivalProcess(profile: RateProfile(points: [.init(at: .zero, rate: r)]), poisson: true) }
}

/// A rate against time: linear between points (two points at the same time make a step), the
/// first rate before the first point, the last after the last one; with `period` the points
/// repeat (a daily profile: the last point joins the first one of the next day).
public struct RateProfile: Equatable, Sendable {
    public struct Point: Equatable, Sendable {
        public var at: SimDuration
        public var rate: Double
        public init(at: SimDuration, rate: Double) { self.at = at; self.rate = rate }
    }
    public var points: [Point]
    public var period: SimDuration?
    public init(points: [Point], period: SimDuration? = nil) {
        precondition(!points.isEmpty)
        self.points = points; self.period = period
    }

    public var isConstant: Bool { points.allSatisfy { $0.rate == points[0].rate } }
    public var maxRate: Double { points.map(\.rate).max() ?? 0 }

    /// The rate at `t` (requests per second).
    public func rate(at t: SimTime) -> Double {
        var x = t.nanoseconds
        if let p = period, p.nanoseconds > 0 { x = x % p.nanoseconds }
        // last point at or before x
        var lo = 0, hi = points.count   // first index with at > x
        while lo < hi {
            let mid = (lo + hi) / 2
            if points[mid].at.nanoseconds <= x { lo = mid + 1 } else { hi = mid }
        }
        if lo == 0 {
            guard let p = period, let last = points.last else { return points[0].rate }
            // between the previous day's last point and today's first
            return interpolate(last.at.nanoseconds - p.nanoseconds, last.rate, points[0].at.nanoseconds, points[0].rate, x)
        }
        let a = points[lo - 1]
        if lo == points.count {
            guard let p = period else { return a.rate }
            return interpolate(a.at.nanoseconds, a.rate, points[0].at.nanoseconds + p.nanoseconds, points[0].rate, x)
        }
        let b = points[lo]
        return interpolate(a.at.nanoseconds, a.rate, b.at.nanoseconds, b.rate, x)
    }

    private func interpolate(_ t0: Int64, _ r0: Double, _ t1: Int64, _ r1: Double, _ x: Int64) -> Double {
        guard t1 > t0 else { return r1 }
        return r0 + (r1 - r0) * Double(x - t0) / Double(t1 - t0)
    }

    /// Requests expected in [a, b): the integral of the rate (trapezoids between the breakpoints).
    public func expected(from a: SimTime, to b: SimTime) -> Double {
        guard b > a else { return 0 }
        if isConstant { return points[0].rate * (b - a).seconds }
        var cuts: [Int64] = [a.nanoseconds, b.nanoseconds]
        let span = period?.nanoseconds ?? 0
        let firstDay = span > 0 ? a.nanoseconds / span - 1 : 0
        let lastDay = span > 0 ? b.nanoseconds / span + 1 : 0
        for day in firstDay...lastDay {
            for p in points {
                let t = p.at.nanoseconds + day * span
                if t > a.nanoseconds && t < b.nanoseconds { cuts.append(t) }
            }
        }
        cuts.sort()
        var sum = 0.0
        for i in 1..<cuts.count where cuts[i] > cuts[i - 1] { sum += trapezoid(cuts[i - 1], cuts[i]) }
        return sum
    }

    /// The integral over [x0, x1) with no breakpoint inside (a step at a cut: evaluated just inside).
    private func trapezoid(_ x0: Int64, _ x1: Int64) -> Double {
        let r0 = rate(at: SimTime(nanoseconds: x0)), r1 = leftLimit(x1)
        return (r0 + r1) / 2 * Double(x1 - x0) / 1e9
    }

    /// The first breakpoint after `a` (nil: none): `expected(from: a, to: b)` for any `b` up to it
    /// is `expectedWithinSegment(from: a, to: b)`.
    public func nextCut(after a: SimTime) -> SimTime? {
        // points before zero: a cut right after `a` (no tick skips the cuts)
        guard points.allSatisfy({ $0.at.nanoseconds >= 0 }) else { return SimTime(nanoseconds: a.nanoseconds &+ 1) }
        let span = period?.nanoseconds ?? 0
        let day = span > 0 ? a.nanoseconds / span : 0
        var next: Int64?
        for d in (span > 0 ? day - 1 : 0)...(span > 0 ? day + 1 : 0) {
            for p in points {
                let t = p.at.nanoseconds + d * span
                if t > a.nanoseconds && t < (next ?? .max) { next = t }
            }
        }
        return next.map { SimTime(nanoseconds: $0) }
    }

    /// `expected(from: a, to: b)` when no breakpoint lies strictly between `a` and `b` (the same
    /// arithmetic, without gathering and sorting the cuts).
    public func expectedWithinSegment(from a: SimTime, to b: SimTime) -> Double {
        guard b > a else { return 0 }
        if isConstant { return points[0].rate * (b - a).seconds }
        var sum = 0.0
        sum += trapezoid(a.nanoseconds, b.nanoseconds)
        return sum
    }

    /// The rate just before `x` (the left side of a step at `x`).
    private func leftLimit(_ x: Int64) -> Double { rate(at: SimTime(nanoseconds: x - 1)) }
}
