import SimKernel

/// consul-template's quiescence timer for one template (hashicorp/consul-template
/// manager/runner.go `quiescence.tick`). The runner creates it once every template has rendered,
/// when the template's (or the global) `wait` is enabled; each later run of the template ticks it
/// instead of rendering, and the render happens when the timer fires (then a fresh one is made):
///
/// - first tick: timer = `min`, deadline = now + `max`;
/// - later ticks: when now + `min` is before the deadline, the timer restarts at `min`; else,
///   when the deadline is still ahead, the timer is set to fire at the deadline; else unchanged;
/// - a tick on a timer that is due (it fires at this instant) changes nothing: in Go the timer's
///   goroutine has already taken its value and sends the template to the runner, so `Reset` re-arms
///   a timer nobody reads and the template still renders now ("If the timer has already fired and
///   the reset doesn't work that's ok because we guarantee that the channel gets our template",
///   runner.go at 1deacb7, the same code at v0.19.0). So two templates whose timers fire at the same
///   instant both render then; before, the second was snoozed by `min` (docs/heldout-discovery.md).
public struct Quiescence: Equatable, Sendable {
    public let min: SimDuration
    public let max: SimDuration
    /// When the timer fires; nil before the first tick.
    public private(set) var fireAt: SimTime?
    public private(set) var deadline: SimTime = .zero

    public init(min: SimDuration, max: SimDuration) { self.min = min; self.max = max }

    /// Returns true when the timer's firing time changed (the caller schedules it anew).
    public mutating func tick(now: SimTime) -> Bool {
        guard let due = fireAt else {
            fireAt = now + min
            deadline = now + max
            return true
        }
        if due == now { return false }
        if now + min < deadline {
            fireAt = now + min
            return true
        }
        let left = deadline - now
        if left > .zero {
            fireAt = deadline
            return true
        }
        return false
    }
}
