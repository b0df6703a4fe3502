import SimKernel
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on stderr (only when stderr is a terminal): simulated time, events
/// per second of wall time and an estimate of the time left.
final class Progress {
    let enabled: Bool
    let end: SimTime
    let start = Progress.monotonicSeconds()
    var lastDraw = 0.0
    var drawn = false

    init(enabled: Bool, end: SimTime) { self.enabled = enabled; self.end = end }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    func update(now: SimTime, events: UInt64) {
        guard enabled else { return }
        let t = Progress.monotonicSeconds()
        if t - lastDraw < 0.2 { return }
        lastDraw = t
        let elapsed = t - start
        let frac = end.nanoseconds > 0 ? min(1, Double(now.nanoseconds) / Double(end.nanoseconds)) : 1
        let width = 30
        let filled = Int(frac * Double(width))
        let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
        let rate = elapsed > 0 ? Double(events) / elapsed : 0
        let eta = frac > 0 ? elapsed * (1 - frac) / frac : 0
        let line = "\r[\(bar)] \(Int(frac * 100))%  sim \(now.sinceStart)/\(end.sinceStart)  "
            + "\(NumberFormat.fixed(rate / 1e6, decimals: 2))M ev/s  ETA \(SimDuration.fromSeconds(eta.rounded()))   "
        fputs(line, stderr)
        drawn = true
    }

    func finish() {
        if enabled && drawn { fputs("\r" + String(repeating: " ", count: 100) + "\r", stderr) }
    }
}
