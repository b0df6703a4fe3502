import Reporting
import SimKernel
import Synchronization
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
        let bar = Progress.bar(frac)
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

    /// `=====>     `: `frac` (0...1) of `width` columns.
    static func bar(_ frac: Double, width: Int = 30) -> String {
        let filled = Int(frac * Double(width))
        return String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
    }
}

/// The process's signal handling, installed by the first statement of main.swift (before the
/// arguments are parsed), so that an interrupt at any moment ends the process with 130 and leaves
/// the previous results as they were.
///
/// SIGINT/SIGTERM: until the run loop starts (`mode == .immediate`) the handler removes the
/// temporary folder, if one exists, and exits with 130 at once; during the run loop, the writing of
/// the summaries and the commit (`.deferred`) it only sets `interruptRequested`, which the run
/// loop checks after every event and the run checks once more right before the commit (the single
/// atomic step); after the commit (`.committed`) the new results are in place and the run ends
/// normally. Fatal signals the process can catch (SIGSEGV, SIGILL, SIGTRAP, SIGBUS, SIGFPE,
/// SIGABRT) remove the temporary folder, then the previous handler (Swift's backtracer or the
/// default action) runs.
///
/// What the SIGINT/SIGTERM handler reads and writes are atomics, not Swift variables: a handler
/// that writes a Swift global while the interrupted code is reading it (the run loop's check of
/// `interrupted`) is an access conflict, which Swift's exclusivity checks (on in debug and release
/// builds) end with "Fatal access conflict detected" and SIGABRT instead of exit status 130.
enum Signals {
    enum Mode: Int32 { case immediate = 0, deferred = 1, committed = 2 }

    static let mode = Atomic<Int32>(Mode.immediate.rawValue)
    static let interruptRequested = Atomic<Int32>(0)
    static let fatal: [Int32] = [SIGSEGV, SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGABRT]
    /// Previous actions of the fatal signals, indexed by signal number (written before the
    /// handlers are installed, only read by them).
    static let previous: UnsafeMutablePointer<sigaction> = {
        let p = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
        p.initialize(repeating: sigaction(), count: 65)
        return p
    }()

    static func set(_ m: Mode) { mode.store(m.rawValue, ordering: .sequentiallyConsistent) }
    static var interrupted: Bool { interruptRequested.load(ordering: .sequentiallyConsistent) != 0 }

    static func install() {
        TempCleanup.prepare()
        _ = mode.load(ordering: .relaxed); _ = interruptRequested.load(ordering: .relaxed); _ = previous
        var sa = sigaction()
        sigemptyset(&sa.sa_mask)
        sa.sa_flags = 0
        sa.__sigaction_handler.sa_handler = { _ in
            if Signals.mode.load(ordering: .sequentiallyConsistent) != 0 {   // not Mode.immediate
                Signals.interruptRequested.store(1, ordering: .sequentiallyConsistent)
                return
            }
            TempCleanup.removeNow()
            let msg: StaticString = "interrupted; nothing was written\n"
            _ = write(STDERR_FILENO, msg.utf8Start, msg.utf8CodeUnitCount)
            _exit(130)   // ExitStatus.interrupted; a literal: no lazy global is touched in the handler
        }
        sigaction(SIGINT, &sa, nil)
        sigaction(SIGTERM, &sa, nil)

        // an alternate stack, so that a stack overflow (SIGSEGV) can still run the handler
        let size = 64 * 1024
        var ss = stack_t()
        ss.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        ss.ss_size = size
        ss.ss_flags = 0
        sigaltstack(&ss, nil)
        var fa = sigaction()
        sigemptyset(&fa.sa_mask)
        fa.sa_flags = Int32(SA_ONSTACK)
        fa.__sigaction_handler.sa_handler = { sig in
            TempCleanup.removeNow()
            // hand the signal to whoever had it before (the default action or Swift's backtracer):
            // a fault raises again when the instruction is retried, a raised signal is raised again
            sigaction(sig, Signals.previous + Int(sig), nil)
            raise(sig)
        }
        for s in fatal { sigaction(s, &fa, previous + Int(s)) }
    }
}
