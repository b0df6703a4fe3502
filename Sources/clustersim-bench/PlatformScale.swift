// clustersim-bench platform-scale: the platform benchmark at 100, 1,000, 3,000 and 10,000 agents
// (10 tasks per agent) in one process, with the fitted exponent of wall time per simulated hour
// against agents (issue 14: <= 1.1). docs/benchmarks.md "Platform scale (issue 14)".

import Glibc
import SimKernel

/// The peak resident set is per process: reset it (Linux clear_refs "5") before each size so
/// each line's peak_rss_mb is that run's.
func resetPeakRSS() {
    guard let f = fopen("/proc/self/clear_refs", "w") else { return }
    fputs("5", f)
    fclose(f)
}

/// Least-squares slope of log(y) against log(x).
func logLogSlope(_ xs: [Double], _ ys: [Double]) -> Double {
    let lx = xs.map { Glibc.log($0) }, ly = ys.map { Glibc.log($0) }
    let mx = lx.reduce(0, +) / Double(lx.count), my = ly.reduce(0, +) / Double(ly.count)
    var sxy = 0.0, sxx = 0.0
    for i in lx.indices { sxy += (lx[i] - mx) * (ly[i] - my); sxx += (lx[i] - mx) * (lx[i] - mx) }
    return sxx > 0 ? sxy / sxx : .nan
}

/// `platform-scale H100 H1000 H3000 H10000 SEED`: simulated hours at each size (0 skips a size).
/// Every size is timed in two parts: its first simulated hour (the warm-up, the same for all
/// sizes: the initial deployment of 10 tasks per agent, `deployed_at_h` says when it finished)
/// and the hours after it (steady state: relaunches of crashing apps, health checks, offers).
/// `exponent` is fitted on wall per simulated hour after the warm-up (sizes with H >= 2);
/// `exponent_first_hour` on the warm-up's wall (cost per deployed task: linear is 1);
/// `exponent_whole_run` on wall per simulated hour over the whole run, as this benchmark
/// measured it first (with fewer hours at the larger sizes the deployment weighs more there).
/// The `_cpu` figures are the same fits on the process' CPU seconds, steadier than wall on a
/// shared machine.
func runPlatformScale(hours: [Int], seed: UInt64) {
    let sizes = [100, 1000, 3000, 10000]
    var xs: [Double] = [], whole: [Double] = []
    var steadyX: [Double] = [], steady: [Double] = [], firstHour: [Double] = []
    var wholeCPU: [Double] = [], steadyCPU: [Double] = [], firstHourCPU: [Double] = []
    for (agents, h) in zip(sizes, hours) where h > 0 {
        resetPeakRSS()
        let r = runPlatform(agents: agents, apps: agents / 10, perApp: 100, hours: h, seed: seed, warmupHours: 1)
        let after = h > 1 ? (r.seconds - r.warmupSeconds) / Double(h - 1) : nil
        let afterCPU = h > 1 ? (r.cpuSeconds - r.warmupCPUSeconds) / Double(h - 1) : nil
        print("name=platform_scale_a\(agents) agents=\(agents) tasks=\(agents * 10) sim_hours=\(h)"
            + " seconds=\(NumberFormat.fixed(r.seconds, decimals: 3))"
            + " first_hour_s=\(NumberFormat.fixed(r.warmupSeconds, decimals: 3))"
            + " deployed_at_h=\(r.deployedAtHours.map { NumberFormat.fixed($0, decimals: 3) } ?? "none")"
            + " seconds_per_sim_hour_after_first=\(after.map { NumberFormat.fixed($0, decimals: 3) } ?? "none")"
            + " cpu_s=\(NumberFormat.fixed(r.cpuSeconds, decimals: 3))"
            + " first_hour_cpu_s=\(NumberFormat.fixed(r.warmupCPUSeconds, decimals: 3))"
            + " cpu_s_per_sim_hour_after_first=\(afterCPU.map { NumberFormat.fixed($0, decimals: 3) } ?? "none")"
            + " seconds_per_sim_day=\(NumberFormat.fixed(r.seconds / Double(h) * 24, decimals: 2))"
            + " peak_rss_mb=\(NumberFormat.fixed(r.peakRSS, decimals: 1)) events=\(r.events)")
        xs.append(Double(agents)); whole.append(r.seconds / Double(h)); firstHour.append(r.warmupSeconds)
        wholeCPU.append(r.cpuSeconds / Double(h)); firstHourCPU.append(r.warmupCPUSeconds)
        if let a = after, let c = afterCPU { steadyX.append(Double(agents)); steady.append(a); steadyCPU.append(c) }
    }
    guard xs.count >= 2 else { fail("platform-scale: give hours for at least two sizes") }
    func fit(_ x: [Double], _ y: [Double]) -> String { x.count >= 2 ? NumberFormat.fixed(logLogSlope(x, y), decimals: 3) : "none" }
    print("name=platform_scale exponent=\(fit(steadyX, steady)) exponent_first_hour=\(fit(xs, firstHour))"
        + " exponent_whole_run=\(fit(xs, whole)) exponent_cpu=\(fit(steadyX, steadyCPU))"
        + " exponent_first_hour_cpu=\(fit(xs, firstHourCPU)) exponent_whole_run_cpu=\(fit(xs, wholeCPU))"
        + " sizes=\(xs.map { String(Int($0)) }.joined(separator: ",")) fidelity=\(benchFidelity() == .allExact ? "exact" : "fast")")
}
