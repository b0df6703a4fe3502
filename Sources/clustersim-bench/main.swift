// Engine benchmarks: the peers' "hold" and "mmc" (M/M/8) workloads run on SimKernel, printing the
// peers' result line (see ../shared/peers/README.md and docs/engine.md).
//
//   clustersim-bench hold N POPS SEED     hold model on SimKernel.EventQueue (plain pop, then push)
//   clustersim-bench mmc CUSTOMERS SEED   M/M/8 queue through Simulation + an EventHandler
//   clustersim-bench platform AGENTS APPS INSTANCES_PER_APP HOURS SEED
//                                         the whole Mesos + Marathon model (docs/benchmarks.md)
//   clustersim-bench platform-scale H100 H1000 H3000 H10000 SEED
//                                         the platform at 100 ... 10,000 agents, fitted exponent (PlatformScale.swift)
//   clustersim-bench consul AGENTS SERVICES HOURS SEED
//                                         the platform with and without Consul (ConsulBench.swift)
//   clustersim-bench lb APPS HOURS SEED   apps behind marathon-lb, fluid traffic, the autoscaler (LBBench.swift)
//   clustersim-bench chronos AGENTS JOBS HOURS SEED
//                                         the platform with and without Chronos jobs (ChronosBench.swift)
//   clustersim-bench regex VALUES SEED    the regex engine (GoRegexp) against Foundation's on label
//                                         values, and its linear cost on a pathological pattern (RegexBench.swift)
//   clustersim-bench platform-full AGENTS HOURS SEED [marathon-lb|nginx]
//                                         the platform with Consul, fluid traffic and Prometheus
//                                         (FullPlatformBench.swift)
//
// RNG: SimKernel.RandomStream, i.e. GSL gsl_rng_mt19937 + gsl_ran_exponential, stream name
// "bench", so checksums differ from the cpp_* peers (std::mt19937_64) but are stable run to run.
// Times are integer nanoseconds: each Exp draw in seconds goes through SimDuration.fromSeconds.

import Glibc
import SimKernel
import ClusterModel

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

// MARK: - platform

/// Counts logged events; with `hash` also folds every field into an FNV-1a digest (to check that a
/// change to the model leaves its event log byte-identical). `modelDigest` leaves out the last row
/// ("run finished", whose detail is the engine's event count: folding timers lowers it while the
/// model's rows stay the same).
final class CountingObserver: RunObserver {
    var logged = 0
    var samples = 0
    let hash: Bool
    var digest: UInt64 = 0xcbf2_9ce4_8422_2325
    var modelDigest: UInt64 = 0xcbf2_9ce4_8422_2325
    init(hash: Bool) { self.hash = hash }
    @inline(__always) func mix(_ b: UInt8) { digest = (digest ^ UInt64(b)) &* 0x100_0000_01b3 }
    func mix(_ s: String) { for b in s.utf8 { mix(b) }; mix(0) }
    /// When Marathon's first deployment (the initial one) finished.
    var firstDeploymentFinished: SimTime?
    func record(_ event: LoggedEvent) {
        logged += 1
        if firstDeploymentFinished == nil && event.event == "deploymentFinished" { firstDeploymentFinished = event.time }
        guard hash else { return }
        var t = UInt64(bitPattern: event.time.nanoseconds)
        for _ in 0..<8 { mix(UInt8(truncatingIfNeeded: t)); t >>= 8 }
        mix(event.component); mix(event.event); mix(event.subject); mix(event.detail)
        if !(event.component == "run" && event.event == "finished") { modelDigest = digest }
    }
    func sample(_ model: ClusterSimulation, at time: SimTime) { samples += 1 }
}

/// Peak resident set (VmHWM) in MiB, from /proc/self/status; -1 when unavailable.
func peakRSSMiB() -> Double {
    guard let f = fopen("/proc/self/status", "r") else { return -1 }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), f) != nil {
        let s = String(cString: line)
        if s.hasPrefix("VmHWM:") {
            let digits = s.unicodeScalars.filter { $0.properties.numericType != nil }
            if let kb = Double(String(String.UnicodeScalarView(digits))) { return kb / 1024 }
        }
    }
    return -1
}

/// The benchmark platform, built in code: 3 Mesos masters (and the 3 Marathon instances) on
/// "master" hosts, 5 ZooKeeper servers on "zk" hosts, `agents` agents of 32 cpus / 128 GiB in
/// racks of 40, and `apps` Marathon 1.10 apps of `perApp` instances each (0.25-1 cpu, one host
/// port, a Marathon-level HTTP health check every 30 s, timeout 5 s, grace 60 s); every tenth app
/// crashes now and then (mean time between crashes 3 h), so the steady state has churn.
func platformSpec(agents: Int, apps: Int, perApp: Int, hours: Int, seed: UInt64) -> ClusterSpec {
    let racks = (0..<max(1, (agents + 39) / 40)).map { "rack-\($0 + 1 < 10 ? "0" : "")\($0 + 1)" }
    let gib: Int64 = 1 << 30
    let groups = [
        HostGroupSpec(name: "master", count: 3, datacenter: "dc01", racks: Array(racks.prefix(3)), cpus: 8,
                      memoryBytes: 32 * gib, diskBytes: 500 * gib, nicBitsPerSecond: 10_000_000_000),
        HostGroupSpec(name: "zk", count: 5, datacenter: "dc01", racks: Array(racks.prefix(3)), cpus: 4,
                      memoryBytes: 16 * gib, diskBytes: 200 * gib, nicBitsPerSecond: 10_000_000_000),
        HostGroupSpec(name: "slave", count: agents, datacenter: "dc01", racks: racks, cpus: 32,
                      memoryBytes: 128 * gib, diskBytes: 2000 * gib, nicBitsPerSecond: 10_000_000_000,
                      attributes: [Attribute(name: "disk", value: "ssd")]),
    ]
    let version = MarathonVersion(1, 10, 0)
    let hc = HealthCheck(protocol: .http, path: "/health", portIndex: 0, gracePeriod: .seconds(60),
                         interval: .seconds(30), timeout: .seconds(5), maxConsecutiveFailures: 3)
    var defs: [AppDefinition] = []
    var behaviour: [AppBehaviour] = []
    for i in 0..<apps {
        let n = String(i + 1)
        let id = "/bench/app-" + String(repeating: "0", count: max(0, 3 - n.count)) + n
        var def = AppDefinition(id: id, group: "/bench", instances: perApp, cpus: 0.25 * Double(1 + i % 4),
                                mem: 128 * Double(1 + i % 8), version: version)
        def.healthChecks = [hc]
        // a Mesos (UCR) container with an image named after the app, so every agent pulls 400 MB
        // per app (an app without an image pulls nothing)
        def.container = AppContainer(type: .mesos, image: id)
        defs.append(def)
        let crash: Distribution? = i % 10 == 9 ? .exponential(mean: 3 * 3600) : nil
        behaviour.append(AppBehaviour(task: TaskBehaviour(startup: .lognormal(mu: log(20.0), sigma: 0.3), timeToCrash: crash,
                                                          health: .healthy(responseTime: .lognormal(mu: log(0.005), sigma: 0.5)),
                                                          stopTime: .constant(1)),
                                      imageSizeBytes: 400_000_000))
    }
    return ClusterSpec(name: "platform", seed: seed, duration: .hours(Int64(hours)), sampleInterval: .seconds(15),
                       datacenters: [DatacenterSpec(name: "dc01", racks: racks)], hostGroups: groups,
                       zookeeper: ZooKeeperSpec(servers: 5, hostGroup: "zk"),
                       mesos: MesosSpec(masters: 3, masterHostGroup: "master", agentHostGroups: ["slave"]),
                       marathon: MarathonSpec(version: version, hostGroup: "master", instances: 3, apps: defs,
                                              behaviour: behaviour))
}

/// CLUSTERSIM_BENCH_FIDELITY=exact runs every path exact (FidelitySpec.allExact: the event-log
/// digests of docs/benchmarks.md); unset or `fast`, the scenario default (every path fast).
func benchFidelity() -> FidelitySpec {
    switch getenv("CLUSTERSIM_BENCH_FIDELITY").map({ String(cString: $0) }) ?? "fast" {
    case "exact": return .allExact
    case "fast": return FidelitySpec()
    default: fail("CLUSTERSIM_BENCH_FIDELITY must be exact or fast")
    }
}

struct PlatformResult {
    var seconds: Double
    var events: Int
    var peakRSS: Double
    /// Wall seconds of the first `warmupHours` simulated hours (0 without a warm-up).
    var warmupSeconds = 0.0
    /// The same in process CPU seconds (CLOCK_PROCESS_CPUTIME_ID: on a shared machine the figure to read).
    var cpuSeconds = 0.0
    var warmupCPUSeconds = 0.0
    /// Simulated hours at which the initial deployment finished (nil: not within the run).
    var deployedAtHours: Double?
}

@discardableResult
/// `warmupHours` > 0: the run stops at that simulated time to read the clock, then goes on (the
/// result's `warmupSeconds`; `seconds` stays the whole run).
func runPlatform(agents: Int, apps: Int, perApp: Int, hours: Int, seed: UInt64, warmupHours: Int = 0) -> PlatformResult {
    guard agents >= 1, apps >= 1, hours >= 1 else { fail("platform: AGENTS, APPS and HOURS must be >= 1") }
    let hash = getenv("CLUSTERSIM_BENCH_LOGHASH").map { String(cString: $0) == "1" } ?? false
    let t0 = monotonicSeconds()
    var spec = platformSpec(agents: agents, apps: apps, perApp: perApp, hours: hours, seed: seed)
    spec.fidelity = benchFidelity()
    let observer = CountingObserver(hash: hash)
    let model = ClusterSimulation(spec: spec, observer: observer)
    // CLUSTERSIM_BENCH_RECONCILIATION=walk: every reconciliation answers every task (the walk of
    // before `reconcileChanges`, for before/after figures from one build; the outputs are the same).
    if getenv("CLUSTERSIM_BENCH_RECONCILIATION").map({ String(cString: $0) }) == "walk" { model.mesos?.deltaReconciliation = false }
    let t1 = monotonicSeconds(), c1 = processCPUSeconds()
    var tWarm = t1, cWarm = c1
    if warmupHours > 0 {
        let warmEnd = SimTime.zero + .seconds(Int64(warmupHours) * 3600)
        let sim = model.sim
        model.run { sim.now >= warmEnd }
        tWarm = monotonicSeconds(); cWarm = processCPUSeconds()
    }
    model.run()
    let t2 = monotonicSeconds(), c2 = processCPUSeconds()
    let secs = t2 - t1
    let events = Int(model.sim.eventsProcessed)
    let running = model.mesos?.tasksRunning ?? 0
    let rss = peakRSSMiB()
    var line = "name=platform_a\(agents)_t\(apps * perApp) impl=swift_clustersim events=\(events)"
        + " seconds=\(NumberFormat.fixed(secs, decimals: 6)) events_per_s=\(rate(events, secs)) checksum=\(running)"
        + " peak_rss_mb=\(NumberFormat.fixed(rss, decimals: 1)) sim_hours=\(hours)"
        + " agents=\(agents) apps=\(apps) instances_per_app=\(perApp) logged=\(observer.logged)"
        + " offers=\(model.mesos?.offersMade ?? 0) offers_accepted=\(model.mesos?.offersAccepted ?? 0)"
        + " setup_s=\(NumberFormat.fixed(t1 - t0, decimals: 6)) cpu_s=\(NumberFormat.fixed(c2 - c1, decimals: 3))"
    if hash {
        line += " log_fnv1a=\(String(observer.digest, radix: 16)) model_log_fnv1a=\(String(observer.modelDigest, radix: 16))"
    }
    if warmupHours > 0 {
        line += " first_hour_s=\(NumberFormat.fixed(tWarm - t1, decimals: 3)) first_hour_cpu_s=\(NumberFormat.fixed(cWarm - c1, decimals: 3))"
    }
    line += " fidelity=\(spec.fidelity == .allExact ? "exact" : "fast")"
    print(line)
    return PlatformResult(seconds: secs, events: events, peakRSS: rss, warmupSeconds: tWarm - t1,
                          cpuSeconds: c2 - c1, warmupCPUSeconds: cWarm - c1,
                          deployedAtHours: observer.firstDeploymentFinished.map { $0.seconds / 3600 })
}

// MARK: - main

let args = CommandLine.arguments
let usage = """
    usage: clustersim-bench hold N POPS SEED
           clustersim-bench mmc CUSTOMERS SEED
           clustersim-bench platform AGENTS APPS INSTANCES_PER_APP HOURS SEED
           clustersim-bench platform-scale HOURS_AT_100 HOURS_AT_1000 HOURS_AT_3000 HOURS_AT_10000 SEED
           clustersim-bench flows HOSTS CONCURRENT COMPLETIONS SEED
           clustersim-bench pulls AGENTS SEED
           clustersim-bench placement AGENTS SEED
           clustersim-bench sandbox AGENTS SEED
           clustersim-bench crashloop SEED AGENTS...
           clustersim-bench consul AGENTS SERVICES HOURS SEED
           clustersim-bench traffic SERVICES RPS HOURS MODE SEED
           clustersim-bench scrape HOSTS SERIES_PER_HOST HOURS SEED
           clustersim-bench metrics CONTAINERS ITERATIONS SEED
           clustersim-bench lb APPS HOURS SEED
           clustersim-bench lb-instances SMALL LARGE HOURS SEED
           clustersim-bench platform-full AGENTS HOURS SEED [marathon-lb|nginx]
           clustersim-bench chronos AGENTS JOBS HOURS SEED
           clustersim-bench regex VALUES SEED
           clustersim-bench load APPS SEED
           clustersim-bench alertmanager ALERTS HOURS SEED
    """
guard args.count >= 2 else { fail(usage) }
switch args[1] {
case "hold":
    runHold(n: parseArg(args, 2, "N"), pops: parseArg(args, 3, "POPS"), seed: UInt64(parseArg(args, 4, "SEED")))
case "mmc":
    runMMc(customers: parseArg(args, 2, "CUSTOMERS"), seed: UInt64(parseArg(args, 3, "SEED")))
case "platform":
    // With 2 hours or more, the first is timed apart (first_hour_s: the initial deployment), so
    // bench/scale.sh also fits the exponent of the hours after it; the run is the same.
    let hours: Int = parseArg(args, 5, "HOURS")
    runPlatform(agents: parseArg(args, 2, "AGENTS"), apps: parseArg(args, 3, "APPS"),
                perApp: parseArg(args, 4, "INSTANCES_PER_APP"), hours: hours,
                seed: UInt64(parseArg(args, 6, "SEED")), warmupHours: hours >= 2 ? 1 : 0)
case "platform-scale":
    runPlatformScale(hours: (2...5).map { parseArg(args, $0, "HOURS") }, seed: UInt64(parseArg(args, 6, "SEED")))
case "flows":
    runFlows(hosts: parseArg(args, 2, "HOSTS"), concurrent: parseArg(args, 3, "CONCURRENT"),
             completions: parseArg(args, 4, "COMPLETIONS"), seed: UInt64(parseArg(args, 5, "SEED")))
case "consul":
    runConsul(agents: parseArg(args, 2, "AGENTS"), services: parseArg(args, 3, "SERVICES"), hours: parseArg(args, 4, "HOURS"),
              seed: UInt64(parseArg(args, 5, "SEED")))
case "traffic":
    runTraffic(services: parseArg(args, 2, "SERVICES"), rps: parseArg(args, 3, "RPS"), hours: parseArg(args, 4, "HOURS"),
               mode: args.count > 5 ? args[5] : "", seed: UInt64(parseArg(args, 6, "SEED")))
case "scrape":
    runScrape(hosts: parseArg(args, 2, "HOSTS"), perHost: parseArg(args, 3, "SERIES_PER_HOST"), hours: parseArg(args, 4, "HOURS"),
              seed: UInt64(parseArg(args, 5, "SEED")))
case "metrics":
    runMetrics(containers: parseArg(args, 2, "CONTAINERS"), iterations: parseArg(args, 3, "ITERATIONS"), seed: UInt64(parseArg(args, 4, "SEED")))
case "chronos":
    runChronos(agents: parseArg(args, 2, "AGENTS"), jobs: parseArg(args, 3, "JOBS"), hours: parseArg(args, 4, "HOURS"),
               seed: UInt64(parseArg(args, 5, "SEED")))
case "lb":
    runLB(apps: parseArg(args, 2, "APPS"), hours: parseArg(args, 3, "HOURS"), seed: UInt64(parseArg(args, 4, "SEED")))
case "lb-instances":
    runLBInstances(small: parseArg(args, 2, "SMALL"), large: parseArg(args, 3, "LARGE"), hours: parseArg(args, 4, "HOURS"),
                   seed: UInt64(parseArg(args, 5, "SEED")))
case "load":
    runLoad(apps: parseArg(args, 2, "APPS"), seed: UInt64(parseArg(args, 3, "SEED")))
case "alertmanager":
    runAlertmanagerBench(alerts: parseArg(args, 2, "ALERTS"), hours: parseArg(args, 3, "HOURS"), seed: UInt64(parseArg(args, 4, "SEED")))
case "pulls":
    runPullsBench(agents: parseArg(args, 2, "AGENTS"), seed: UInt64(parseArg(args, 3, "SEED")))
case "sandbox":
    runSandboxBench(agents: parseArg(args, 2, "AGENTS"), seed: UInt64(parseArg(args, 3, "SEED")))
case "crashloop":
    runCrashLoopBench(seed: UInt64(parseArg(args, 2, "SEED")), sizes: (3..<max(args.count, 3)).map { parseArg(args, $0, "AGENTS") })
case "placement":
    runPlacementBench(agents: parseArg(args, 2, "AGENTS"), seed: UInt64(parseArg(args, 3, "SEED")))
case "regex":
    runRegex(values: parseArg(args, 2, "VALUES"), seed: UInt64(parseArg(args, 3, "SEED")))
case "platform-full":
    runFullPlatform(agents: parseArg(args, 2, "AGENTS"), hours: parseArg(args, 3, "HOURS"), seed: UInt64(parseArg(args, 4, "SEED")),
                    entry: args.count > 5 ? args[5] : "")
default:
    fail(usage)
}
