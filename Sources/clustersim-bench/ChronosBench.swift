// `clustersim-bench chronos AGENTS JOBS HOURS SEED`: the benchmark platform (main.swift `platformSpec`)
// once without Chronos (the baseline) and once with Chronos 2.x on the three masters running JOBS jobs:
// every other job hourly (`R/2017-01-01T00:MM:00Z/PT1H`, minutes spread over the hour), each of the others
// dependent on the job before it (docs/chronos.md). The same pair runs again at a tenth of the agents, so
// the lines show how Chronos' cost grows with agents: it never suppresses offers and declines each with
// Mesos' default 5 s filter, so its idle declines are an offer per agent every 5 s (docs/chronos.md).
// Prints, per run: engine events, wall and process CPU seconds, Chronos runs, and the ratios to its baseline
// (on a shared machine read the CPU ones).

import ClusterModel
import Glibc
import SimKernel

func chronosBenchSpec(agents: Int, jobs: Int, hours: Int, seed: UInt64, withChronos: Bool) -> ClusterSpec {
    var spec = platformSpec(agents: agents, apps: max(1, agents / 10), perApp: 100, hours: hours, seed: seed)
    spec.sampleInterval = .minutes(1)
    guard withChronos else { return spec }
    var c = ChronosSpec()
    c.hosts = ["master-01", "master-02", "master-03"]
    var period = ChronosSchedule.Period()
    period.hours = 1
    for j in 0..<jobs {
        let name = "job-\(j + 1)"
        if j % 2 == 0 {
            let minute = Int64((j * 7) % 60)
            var job = ChronosJob(name: name, schedule: ChronosSchedule(recurrences: -1, startMs: ChronosSpec.defaultStartMs + minute * 60_000, period: period))
            job.cpus = 0.5
            c.jobs.append(job)
        } else {
            var job = ChronosJob(name: name, schedule: nil)
            job.parents = ["job-\(j)"]
            c.jobs.append(job)
        }
    }
    var b = ChronosJobBehaviour()
    b.runTime = .lognormal(mu: log(120.0), sigma: 0.5)
    b.failureProbability = 0.05
    c.defaultBehaviour = b
    spec.chronos = c
    return spec
}

func runChronos(agents: Int, jobs: Int, hours: Int, seed: UInt64) {
    guard agents >= 10, jobs >= 1, hours >= 1 else { fail("chronos: AGENTS must be >= 10, JOBS and HOURS >= 1") }
    for scale in [10, 1] {
        let a = agents / scale
        var base = 0.0, baseCPU = 0.0, baseEvents = 0
        for withChronos in [false, true] {
            let model = ClusterSimulation(spec: chronosBenchSpec(agents: a, jobs: jobs, hours: hours, seed: seed, withChronos: withChronos),
                                          observer: CountingObserver(hash: false))
            let t0 = monotonicSeconds(), c0 = processCPUSeconds()
            model.run()
            let secs = monotonicSeconds() - t0, cpu = processCPUSeconds() - c0
            let events = Int(model.sim.eventsProcessed)
            let runs = model.subsystem(ChronosScheduler.self)?.jobs.reduce(0) { $0 + $1.launched } ?? 0
            if !withChronos { base = secs; baseCPU = cpu; baseEvents = events }
            print("name=chronos_a\(a)_j\(withChronos ? jobs : 0) impl=swift_clustersim events=\(events)"
                + " seconds=\(NumberFormat.fixed(secs, decimals: 6)) cpu_s=\(NumberFormat.fixed(cpu, decimals: 3)) events_per_s=\(rate(events, secs)) checksum=\(runs)"
                + " sim_hours=\(hours) agents=\(a) jobs=\(withChronos ? jobs : 0) chronos_launches=\(runs)"
                + (withChronos ? " ratio_to_baseline=\(NumberFormat.fixed(secs / max(base, 1e-9), decimals: 3))"
                    + " cpu_ratio_to_baseline=\(NumberFormat.fixed(cpu / max(baseCPU, 1e-9), decimals: 3))"
                    + " extra_events_per_agent_hour=\(NumberFormat.fixed(Double(events - baseEvents) / Double(a * hours), decimals: 1))" : ""))
        }
    }
}
