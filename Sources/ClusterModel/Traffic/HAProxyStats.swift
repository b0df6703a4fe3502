import SimKernel

// What an HAProxy instance's stats page shows of its frontends (`/haproxy?stats;csv`, haproxy
// doc/management.txt 9.1): `rate` (field 33), `scur`, `qcur` (0 on FRONTEND rows), `stot`. A
// reloaded HAProxy is a new process: its counters start again with the new generation.

/// HAProxy 1.7's per-second event counter (src/freq_ctr.c `update_freq_ctr`/`read_freq_ctr`):
/// the events of the current second plus the previous second's scaled by the part of the
/// current second that is left, `curr + past·(999 - ms)·4294971 >> 32`; a counter idle for more
/// than a second reads 0, and a rate of at most 1 with nothing this second reads as is.
struct HAProxyFreqCounter: Equatable {
    var currSec: Int64 = -2
    var curr: UInt32 = 0
    var prev: UInt32 = 0

    mutating func add(at t: SimTime, _ n: UInt32 = 1) {
        let sec = t.nanoseconds / 1_000_000_000
        if sec != currSec {
            prev = sec == currSec + 1 ? curr : 0
            currSec = sec; curr = 0
        }
        curr &+= n
    }

    func read(at t: SimTime) -> Int {
        let sec = t.nanoseconds / 1_000_000_000
        let ms = UInt64((t.nanoseconds % 1_000_000_000) / 1_000_000)
        let age = sec - currSec
        guard age <= 1 else { return 0 }
        var c: UInt64 = 0, past = UInt64(curr)
        if age == 0 { c = past; past = UInt64(prev) }
        if past <= 1 && c == 0 { return Int(past) }
        let scaled = (999 - ms) * 4_294_971
        return Int(c + (past * scaled) >> 32)
    }
}

/// One frontend's counters in one instance.
struct HAProxyFrontendCounters {
    var name: String
    var generation: Int
    var rate = HAProxyFreqCounter()
    var scur = 0
    /// The most sessions at once (the stats CSV's `smax`).
    var smax = 0
    var stot: Int64 = 0
    /// Fluid mode: the expected sessions so far (stot is it rounded).
    var stotFluid = 0.0
    /// lb.csv: requests and failures since the last sample (not reset by a reload).
    var requests: Int64 = 0
    var failed: Int64 = 0
}

/// The frontends of one HAProxy instance (in the order requests first named them).
struct HAProxyInstanceStats {
    var frontends: [HAProxyFrontendCounters] = []
    /// Fluid mode: the arrival rate into each frontend at the last tick.
    var fluidRate: [Double] = []
    /// Where each name is in `frontends` (looked up per service and tick).
    private var byName: [String: Int] = [:]
    /// How many frontends show each generation (lb.csv reads that generation's backends).
    private var shown: [Int: Int] = [:]

    /// Whether a frontend shows generation `g` (its backend states must stay).
    func reads(generation g: Int) -> Bool { shown[g] != nil }

    /// Generations no frontend shows any more since the table last looked (HAProxyTable.slot).
    var unshown: [Int] = []

    private mutating func show(_ g: Int, _ delta: Int) {
        let n = (shown[g] ?? 0) + delta
        shown[g] = n > 0 ? n : nil
        if n <= 0 { unshown.append(g) }
    }

    mutating func slot(_ name: String, generation: Int) -> Int {
        if let i = byName[name] {
            if frontends[i].generation != generation && generation > frontends[i].generation {
                show(frontends[i].generation, -1); show(generation, 1)
                // the new process: counters start again (sessions of the old one drain unseen)
                let keep = (frontends[i].requests, frontends[i].failed)
                frontends[i] = HAProxyFrontendCounters(name: name, generation: generation)
                (frontends[i].requests, frontends[i].failed) = keep
            }
            return i
        }
        byName[name] = frontends.count
        show(generation, 1)
        frontends.append(HAProxyFrontendCounters(name: name, generation: generation))
        fluidRate.append(0)
        return frontends.count - 1
    }

    /// Fluid mode, a tick of frontend `i`: its arrival rate, sessions, and `sessions` more in all.
    mutating func fluidTick(_ i: Int, rate: Double, scur: Int, sessions: Double) {
        fluidRate[i] = rate
        frontends[i].scur = scur
        frontends[i].stotFluid += sessions
        frontends[i].stot = Int64(frontends[i].stotFluid.rounded())
    }

    mutating func opened(_ i: Int, now: SimTime) {
        frontends[i].rate.add(at: now)
        frontends[i].scur += 1
        frontends[i].smax = max(frontends[i].smax, frontends[i].scur)
        frontends[i].stot += 1
        frontends[i].requests += 1
    }

    /// The sessions of frontend `name` in process `g` (0: none yet, or its counters are an older process's).
    func sessions(_ name: String, generation g: Int) -> Int {
        guard let i = byName[name], frontends[i].generation == g else { return 0 }
        return frontends[i].scur
    }

    /// The sessions of every frontend of process `g` (its `global` maxconn counts them together).
    func processSessions(generation g: Int) -> Int {
        var n = 0
        for f in frontends where f.generation == g { n += f.scur }
        return n
    }

    mutating func closed(_ name: String, generation: Int) {
        guard let i = byName[name], frontends[i].generation == generation else { return }
        frontends[i].scur = max(0, frontends[i].scur - 1)
    }

    mutating func failed(_ name: String) {
        guard let i = byName[name] else { return }
        frontends[i].failed += 1
    }
}

extension TrafficModel: HAProxyStatsSource {
    /// The FRONTEND rows of instance `i`'s stats page: nil when its host is down. The page is the
    /// running process's (the generation `haproxyGeneration(i)` runs): a frontend its configuration
    /// no longer has is not on it (marathon-lb dropped it and reloaded), though its counters stay
    /// here for lb.csv; one whose counters are an older process's (a reload since its last
    /// request) reads zeros, the new process's. Fluid mode: `rate` is the fluid arrival rate into
    /// the frontend at the last tick.
    public func haproxyFrontendStats(_ i: Int, now: SimTime) -> [HAProxyFrontendStats]? {
        guard let t = haproxy, i >= 0, i < t.stats.count else { return nil }
        guard model.infrastructure.hosts[t.control.haproxyInstances[i].host].state.isUp else { return nil }
        let s = t.stats[i]
        let g = t.control.haproxyGeneration(i)
        var rows: [HAProxyFrontendStats] = []
        rows.reserveCapacity(s.frontends.count)
        for k in s.frontends.indices {
            let f = s.frontends[k]
            guard t.frontend(f.name, instance: i, generation: g) != nil else { continue }
            // per request: counters of an older process (no request through the new one yet) are
            // not on the new process's page, whose counters start at zero with it
            if fluid == nil, f.generation < g {
                rows.append(HAProxyFrontendStats(name: f.name, rate: 0, scur: 0, qcur: 0, stot: 0))
                continue
            }
            rows.append(HAProxyFrontendStats(name: f.name, rate: haproxyFrontendRate(s, k, now: now), scur: f.scur, qcur: 0, stot: f.stot))
        }
        return rows
    }

    /// The `rate` of frontend `k` of an instance's counters (fluid mode: the arrival rate at the last tick).
    func haproxyFrontendRate(_ s: HAProxyInstanceStats, _ k: Int, now: SimTime) -> Int {
        fluid != nil ? Int(s.fluidRate[k].rounded()) : s.frontends[k].rate.read(at: now)
    }
}
