// Engine benchmarks: the peers' "hold" and "mmc" (M/M/8) workloads run on SimKernel, printing the
// peers' result line (see ../shared/peers/README.md and docs/engine.md).
//
//   clustersim-bench hold N POPS SEED     hold model on SimKernel.EventQueue (plain pop, then push)
//   clustersim-bench mmc CUSTOMERS SEED   M/M/8 queue through Simulation + an EventHandler
//
// RNG: SimKernel.RandomStream, i.e. GSL gsl_rng_mt19937 + gsl_ran_exponential, stream name
// "bench", so checksums differ from the cpp_* peers (std::mt19937_64) but are stable run to run.
// Times are integer nanoseconds: each Exp draw in seconds goes through SimDuration.fromSeconds.

import Glibc
import SimKernel

@inline(never)
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func fail(_ message: String) -> Never {
    fputs(message + "\n", stderr)
    exit(2)
}

func parseArg(_ args: [String], _ i: Int, _ what: String) -> Int {
    guard i < args.count, let v = Int(args[i]), v >= 0 else { fail("bad or missing \(what)") }
    return v
}

func rate(_ events: Int, _ seconds: Double) -> String {
    String(Int64((Double(events) / seconds).rounded()))
}

// MARK: - hold

@inline(never)
func holdSetup(_ q: inout EventQueue, _ n: Int, _ rng: RandomStream, _ seq: inout UInt64) {
    for _ in 0..<n {
        let t = SimTime.zero + SimDuration.fromSeconds(rng.exponential(mean: 1.0))
        q.push(Event(time: t, order: Event.packOrder(priority: 0, sequence: seq), target: 0, kind: 0, arg: 0))
        seq &+= 1
    }
}

@inline(never)
func holdLoop(_ q: inout EventQueue, _ pops: Int, _ rng: RandomStream, _ seq: inout UInt64) -> SimTime {
    var now = SimTime.zero
    for _ in 0..<pops {
        let e = q.pop()!
        now = e.time
        let t = now + SimDuration.fromSeconds(rng.exponential(mean: 1.0))
        q.push(Event(time: t, order: Event.packOrder(priority: 0, sequence: seq), target: 0, kind: 0, arg: 0))
        seq &+= 1
    }
    return now
}

func runHold(n: Int, pops: Int, seed: UInt64) {
    guard n >= 1 else { fail("hold: N must be >= 1") }
    let rng = RandomStream(seed: seed, name: "bench")
    var q = EventQueue(reservingCapacity: n + 1)
    var seq: UInt64 = 0
    let s0 = monotonicSeconds()
    holdSetup(&q, n, rng, &seq)
    let s1 = monotonicSeconds()
    let now = holdLoop(&q, pops, rng, &seq)
    let s2 = monotonicSeconds()
    let secs = s2 - s1
    print("name=hold_n\(n) impl=swift_simkernel events=\(pops) seconds=\(NumberFormat.fixed(secs, decimals: 6))"
        + " events_per_s=\(rate(pops, secs)) checksum=\(NumberFormat.fixed(now.seconds, decimals: 6))"
        + " n=\(n) setup_s=\(NumberFormat.fixed(s1 - s0, decimals: 6))")
}

// MARK: - mmc

/// M/M/c with one FIFO queue, written as a model would be: an EventHandler receiving arrival and
/// departure events from the Simulation's run loop.
final class MMcModel: EventHandler {
    static let arrival: Int32 = 0
    static let departure: Int32 = 1

    let servers: Int
    let customers: Int
    let rng: RandomStream
    let meanInterarrival: Double
    let meanService: Double
    // Hot per-event state. @exclusivity(unchecked) drops Swift's dynamic exclusivity checks on
    // class properties (a runtime call per access, ~20 % of this benchmark otherwise); it is safe
    // here because nothing takes these properties inout across a call. See docs/engine.md.
    @exclusivity(unchecked) var target: Int32 = 0
    @exclusivity(unchecked) var arrived = 0
    @exclusivity(unchecked) var started = 0
    @exclusivity(unchecked) var busy = 0
    /// Arrival times (ns) of waiting customers: a ring buffer (power-of-two capacity).
    @exclusivity(unchecked) var waiting: [Int64] = Array(repeating: 0, count: 1024)
    @exclusivity(unchecked) var head = 0
    @exclusivity(unchecked) var waitingCount = 0
    @exclusivity(unchecked) var waitSum = 0.0
    let perBatch: Int
    @exclusivity(unchecked) var batchSums: [Double]

    init(servers: Int, lambda: Double, mu: Double, customers: Int, batches: Int, rng: RandomStream) {
        self.servers = servers
        self.customers = customers
        self.rng = rng
        self.meanInterarrival = 1 / lambda
        self.meanService = 1 / mu
        self.perBatch = max(1, customers / batches)
        self.batchSums = Array(repeating: 0, count: batches)
    }

    func start(_ sim: Simulation) {
        target = sim.register(self)
        sim.schedule(after: .fromSeconds(rng.exponential(mean: meanInterarrival)), target: target, kind: MMcModel.arrival)
        arrived = 1
    }

    @inline(__always)
    func startService(arrivalNs: Int64, _ sim: Simulation) {
        let w = Double(sim.now.nanoseconds &- arrivalNs) * 1e-9
        waitSum += w
        let b = started / perBatch
        if b < batchSums.count { batchSums[b] += w }
        started += 1
        sim.schedule(after: .fromSeconds(rng.exponential(mean: meanService)), target: target, kind: MMcModel.departure)
    }

    func handle(_ event: Event, in sim: Simulation) {
        if event.kind == MMcModel.arrival {
            if busy < servers {
                busy += 1
                startService(arrivalNs: sim.now.nanoseconds, sim)
            } else {
                if waitingCount == waiting.count { growWaiting() }
                waiting[(head + waitingCount) & (waiting.count - 1)] = sim.now.nanoseconds
                waitingCount += 1
            }
            if arrived < customers {
                sim.schedule(after: .fromSeconds(rng.exponential(mean: meanInterarrival)), target: target, kind: MMcModel.arrival)
                arrived += 1
            }
        } else {
            if waitingCount > 0 {
                let a = waiting[head]
                head = (head + 1) & (waiting.count - 1)
                waitingCount -= 1
                startService(arrivalNs: a, sim)
            } else {
                busy -= 1
            }
        }
    }

    func growWaiting() {
        var bigger = Array(repeating: Int64(0), count: waiting.count * 2)
        for i in 0..<waitingCount { bigger[i] = waiting[(head + i) & (waiting.count - 1)] }
        waiting = bigger
        head = 0
    }
}

func erlangCWq(c: Int, lambda: Double, mu: Double) -> Double {
    let a = lambda / mu, rho = a / Double(c)
    var term = 1.0, sum = 0.0
    for k in 0..<c { sum += term; term *= a / Double(k + 1) }
    let pc = term / (1 - rho)
    return pc / (sum + pc) / (Double(c) * mu - lambda)
}

func signedFixed(_ x: Double, _ d: Int) -> String {
    let s = NumberFormat.fixed(x, decimals: d)
    return s.hasPrefix("-") ? s : "+" + s
}

func runMMc(customers: Int, seed: UInt64) {
    guard customers >= 20 else { fail("mmc: CUSTOMERS must be >= 20") }
    let c = 8, lambda = 7.2, mu = 1.0, batches = 20
    let t0 = monotonicSeconds()
    let sim = Simulation()
    let model = MMcModel(servers: c, lambda: lambda, mu: mu, customers: customers, batches: batches,
                         rng: RandomStream(seed: seed, name: "bench"))
    model.start(sim)
    sim.run()
    let t1 = monotonicSeconds()
    let secs = t1 - t0
    let events = Int(sim.eventsProcessed)
    let mean = model.waitSum / Double(customers)
    let analytic = erlangCWq(c: c, lambda: lambda, mu: mu)
    let batchMeans = model.batchSums.map { $0 / Double(model.perBatch) }
    let ci = ConfidenceInterval.ofMean(batchMeans, level: 0.95)
    print("name=mmc_c8 impl=swift_simkernel events=\(events) seconds=\(NumberFormat.fixed(secs, decimals: 6))"
        + " events_per_s=\(rate(events, secs)) checksum=\(NumberFormat.fixed(mean, decimals: 6))"
        + " analytic=\(NumberFormat.fixed(analytic, decimals: 6))"
        + " rel_err=\(signedFixed((mean - analytic) / analytic, 4))"
        + " ci95=\(NumberFormat.fixed(ci.halfWidth, decimals: 4))"
        + " customers=\(customers) sim_time=\(NumberFormat.fixed(sim.now.seconds, decimals: 3))")
}

// MARK: - main

let args = CommandLine.arguments
let usage = """
    usage: clustersim-bench hold N POPS SEED
           clustersim-bench mmc CUSTOMERS SEED
    """
guard args.count >= 2 else { fail(usage) }
switch args[1] {
case "hold":
    runHold(n: parseArg(args, 2, "N"), pops: parseArg(args, 3, "POPS"), seed: UInt64(parseArg(args, 4, "SEED")))
case "mmc":
    runMMc(customers: parseArg(args, 2, "CUSTOMERS"), seed: UInt64(parseArg(args, 3, "SEED")))
default:
    fail(usage)
}
