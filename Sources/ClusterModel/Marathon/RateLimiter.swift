import SimKernel

// Launch back-off (core/launchqueue/impl/RateLimiter.scala, RateLimiterActor.scala,
// core/task/update/impl/steps/NotifyRateLimiterStepImpl.scala), per Marathon version.

/// Marathon's instance condition (core/condition/Condition.scala), derived from Mesos task states.
public enum InstanceCondition: String, Sendable, CaseIterable {
    case created = "Created", staging = "Staging", starting = "Starting", running = "Running"
    case killing = "Killing", killed = "Killed", finished = "Finished", failed = "Failed", error = "Error"
    case dropped = "Dropped", gone = "Gone", unreachable = "Unreachable", unknown = "Unknown"

    /// TaskConditionMapping: TASK_LOST is Unreachable for reasons after which the task may come
    /// back (REASON_RECONCILIATION, REASON_SLAVE_DISCONNECTED, REASON_SLAVE_REMOVED), else Gone.
    public init(_ state: TaskState, reason: TaskReason = .none) {
        switch state {
        case .staging: self = .staging
        case .starting: self = .starting
        case .running: self = .running
        case .killing: self = .killing
        case .finished: self = .finished
        case .failed: self = .failed
        case .killed: self = .killed
        case .error: self = .error
        case .dropped: self = .dropped
        case .unreachable: self = .unreachable
        case .gone, .goneByOperator: self = .gone
        case .unknown: self = .unknown
        case .lost:
            switch reason {
            case .reconciliation, .agentDisconnected, .agentRemoved: self = .unreachable
            default: self = .gone
            }
        }
    }

    /// NotifyRateLimiterStep.limitWorthy: these grow the launch delay. Killed is not among them
    /// (a kill after failed health checks does not back off), Finished (exit 0) is.
    public var growsLaunchDelay: Bool {
        switch self { case .dropped, .error, .failed, .gone, .finished: return true; default: return false }
    }

    /// NotifyRateLimiterStep.advanceWorthy (from 1.4.8 / 1.5.1): these move the delay's reference time to now.
    public var advancesLaunchDelay: Bool {
        switch self { case .created, .staging, .starting, .running: return true; default: return false }
    }
}

/// How long a launch-delay record lives (the difference between Marathon versions).
public enum BackoffRecordRule: Equatable, Sendable {
    /// 1.4.0-1.4.7: the record is dropped by the 10 s cleanup tick once its deadline has passed,
    /// so a task that fails more than ~deadline + 10 s after the last failure starts again at
    /// backoffSeconds. No "advance".
    case untilDeadline
    /// 1.5.0: dropped once now - minimumViableTaskExecutionDuration >= deadline
    /// (--minimum_viable_task_execution_duration, default 60 s). No "advance".
    case untilViable(SimDuration)
    /// 1.4.8+ and 1.5.1+: kept until referenceTime + maxLaunchDelay; Staging/Starting/Running
    /// advance the reference time to now (deadline = now + current delay).
    case untilReferencePlusMaxDelay

    var advances: Bool { self == .untilReferencePlusMaxDelay }
}

/// Key of a delay record: the app and its last *config* change (scaling does not reset it).
public struct LaunchDelayKey: Hashable, Comparable, Sendable {
    public var appID: String
    /// versionInfo.lastConfigChangeVersion: any monotonic number the runtime gives each config change.
    public var configVersion: Int64
    public init(appID: String, configVersion: Int64) { self.appID = appID; self.configVersion = configVersion }
    public static func < (a: LaunchDelayKey, b: LaunchDelayKey) -> Bool { (a.appID, a.configVersion) < (b.appID, b.configVersion) }
}

/// One delay record.
public struct LaunchDelay: Equatable, Sendable {
    /// Reference time: the last failure, or the last advance (1.4.8+/1.5.1+).
    public var referenceTime: SimTime
    public var currentDelay: SimDuration
    public var maxLaunchDelay: SimDuration
    /// Launches are held until this time.
    public var deadline: SimTime { referenceTime + currentDelay }
}

/// The rate limiter of one Marathon leader. A value type; the runtime owns one and calls it on
/// instance condition changes, on deployments (reset), before launching (`launchAllowed`) and
/// every `cleanupInterval` (`cleanUp`).
public struct RateLimiter: Sendable {
    public let rule: BackoffRecordRule
    /// RateLimiterActor: the overdue-delay cleanup runs every 10 s (first after 10 s).
    public static let cleanupInterval = SimDuration.seconds(10)

    private var delays: [LaunchDelayKey: LaunchDelay] = [:]

    public init(rule: BackoffRecordRule) { self.rule = rule }
    public init(version: MarathonVersion) { self.init(rule: version.backoffRecordRule) }

    public func delay(_ key: LaunchDelayKey) -> LaunchDelay? { delays[key] }

    /// When launches of `key` may happen again (nil: no delay, launch now).
    public func deadline(_ key: LaunchDelayKey) -> SimTime? { delays[key]?.deadline }

    /// Whether launches of `key` are allowed at `now` (no record, or its deadline has come).
    public func launchAllowed(_ key: LaunchDelayKey, now: SimTime) -> Bool {
        guard let d = delays[key] else { return true }
        return d.deadline <= now
    }

    /// RateLimiter.addDelay: the first failure sets delay = backoffSeconds (capped by
    /// maxLaunchDelay from 1.4.8/1.5.1), each further one delay × factor capped at maxLaunchDelay;
    /// the deadline is now + delay. Returns the deadline. In 1.4.0-1.5.0 a delay whose deadline is
    /// not after now (backoffSeconds 0) removes the record instead.
    @discardableResult
    public mutating func addDelay(_ key: LaunchDelayKey, strategy: BackoffStrategy, now: SimTime) -> SimTime {
        let next: SimDuration
        if let d = delays[key] {
            // FiniteDuration((delay.toNanos * factor).toLong): truncation toward zero
            let grown = SimDuration(nanoseconds: Int64(Double(d.currentDelay.nanoseconds) * strategy.factor))
            next = min(strategy.maxLaunchDelay, grown)
        } else {
            next = rule == .untilReferencePlusMaxDelay ? min(strategy.backoff, strategy.maxLaunchDelay) : strategy.backoff
        }
        let record = LaunchDelay(referenceTime: now, currentDelay: next, maxLaunchDelay: strategy.maxLaunchDelay)
        if rule != .untilReferencePlusMaxDelay && record.deadline <= now {
            delays[key] = nil
            return now
        }
        delays[key] = record
        return record.deadline
    }

    /// RateLimiter.advanceDelay (1.4.8+/1.5.1+ only; a no-op before): reference time := now,
    /// keeping the current delay, so the deadline becomes now + delay.
    public mutating func advanceDelay(_ key: LaunchDelayKey, now: SimTime) {
        guard rule.advances, let d = delays[key] else { return }
        delays[key] = LaunchDelay(referenceTime: now, currentDelay: d.currentDelay, maxLaunchDelay: d.maxLaunchDelay)
    }

    /// RateLimiter.resetDelay: a restart deployment (TaskReplaceActor), DELETE /v2/queue/{id}/delay,
    /// or an agent being drained.
    public mutating func resetDelay(_ key: LaunchDelayKey) { delays[key] = nil }

    /// NotifyRateLimiterStep: what an instance condition change does to the delay of its app.
    public mutating func conditionChanged(_ key: LaunchDelayKey, to condition: InstanceCondition,
                                          strategy: BackoffStrategy, now: SimTime) {
        if condition.growsLaunchDelay { addDelay(key, strategy: strategy, now: now) }
        else if condition.advancesLaunchDelay { advanceDelay(key, now: now) }
    }

    /// The periodic cleanup (every `cleanupInterval`). Returns the keys removed, sorted.
    @discardableResult
    public mutating func cleanUp(now: SimTime) -> [LaunchDelayKey] {
        var removed: [LaunchDelayKey] = []
        for (k, d) in delays where isOverdue(d, now: now) { removed.append(k) }
        removed.sort()
        for k in removed { delays[k] = nil }
        return removed
    }

    func isOverdue(_ d: LaunchDelay, now: SimTime) -> Bool {
        switch rule {
        case .untilDeadline: return !(d.deadline > now)
        case .untilViable(let viable): return !(now - viable < d.deadline)
        case .untilReferencePlusMaxDelay: return now > d.referenceTime + d.maxLaunchDelay
        }
    }

    /// Number of records (for tests and output).
    public var count: Int { delays.count }
}
