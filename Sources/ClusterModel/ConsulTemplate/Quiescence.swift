import SimKernel

/// consul-template's quiescence timer for one template (hashicorp/consul-template
/// manager/runner.go `quiescence.tick`). The runner creates it once every template has rendered,
/// when the template's (or the global) `wait` is enabled; each later run of the template ticks it
/// instead of rendering, and the render happens when the timer fires (then a fresh one is made):
///
/// - first tick: timer = `min`, deadline = now + `max`;
/// - later ticks: when now + `min` is before the deadline, the timer restarts at `min`; else,
///   when the deadline is still ahead, the timer is set to fire at the deadline; else unchanged.
public struct Quiescence: Equatable, Sendable {
    public let min: SimDuration
    public let max: SimDuration
    /// When the timer fires; nil before the first tick.
    public private(set) var fireAt: SimTime?
    public private(set) var deadline: SimTime = .zero

    public init(min: SimDuration, max: SimDuration) { self.min = min; self.max = max }

    /// Returns true when the timer's firing time changed (the caller schedules it anew).
    public mutating func tick(now: SimTime) -> Bool {
        guard fireAt != nil else {
            fireAt = now + min
            deadline = now + max
            return true
        }
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
