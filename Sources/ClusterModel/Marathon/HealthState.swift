import SimKernel

// Health of instances: Marathon-level checks (HTTP/HTTPS/TCP run by the leader:
// core/health/Health.scala, core/health/impl/HealthCheckActor.scala) and the kill rule of
// Mesos-level checks (MESOS_HTTP/HTTPS/TCP, COMMAND: run by the executor; docs/docs/health-checks.md).

/// Health of one instance for one Marathon-level check (core/health/Health.scala).
public struct InstanceHealth: Equatable, Sendable {
    public var firstSuccess: SimTime?
    public var lastSuccess: SimTime?
    public var lastFailure: SimTime?
    public var consecutiveFailures: Int = 0

    public init() {}

    /// Health.alive: a success that is later than the last failure.
    public var alive: Bool {
        guard let s = lastSuccess else { return false }
        guard let f = lastFailure else { return true }
        return s > f
    }

    /// Health.update: success -> consecutiveFailures = 0; failure -> +1.
    public mutating func update(passed: Bool, at now: SimTime) {
        if passed {
            if firstSuccess == nil { firstSuccess = now }
            lastSuccess = now
            consecutiveFailures = 0
        } else {
            lastFailure = now
            consecutiveFailures += 1
        }
    }
}

/// What one health-check result did to an instance.
public struct HealthCheckOutcome: Equatable, Sendable {
    /// The result counted (false: a failure ignored during the grace period or while not running).
    public var applied: Bool
    /// `alive` changed (Marathon publishes health_status_changed_event).
    public var aliveChanged: Bool
    /// Kill the instance (KillReason.FailedHealthChecks).
    public var kill: Bool
    /// The instance was due for a kill but is unreachable, so it is not killed.
    public var killSkippedUnreachable: Bool
}

public enum MarathonHealth {
    /// HealthCheckActor: the first tick of a check's actor (one per app version and check) comes
    /// min(interval, 5 s) after the actor starts, then every interval; each tick probes every
    /// running instance of that version.
    public static let firstHealthCheckAfter = SimDuration.seconds(5)

    public static func firstTick(actorStart: SimTime, interval: SimDuration) -> SimTime {
        actorStart + min(interval, firstHealthCheckAfter)
    }

    /// The n-th tick (0-based) of the stream.
    public static func tick(_ n: Int, actorStart: SimTime, interval: SimDuration) -> SimTime {
        firstTick(actorStart: actorStart, interval: interval) + interval * Int64(n)
    }

    /// HealthCheckActor.handleHealthResult for one result at `now`:
    /// - a success always counts;
    /// - a failure is ignored when the instance is not running, or when it has had no success yet
    ///   and now < runningSince + gracePeriod (ignoreFailures);
    /// - otherwise, *before* counting the failure, the instance is killed when its
    ///   consecutiveFailures already reached maxConsecutiveFailures (> 0): the kill comes with
    ///   the (max+1)-th consecutive failure; max 0 never kills; an unreachable instance is not killed.
    public static func handleResult(_ health: inout InstanceHealth, passed: Bool, now: SimTime, isRunning: Bool,
                                    runningSince: SimTime, isUnreachable: Bool = false,
                                    check: HealthCheck) -> HealthCheckOutcome {
        let wasAlive = health.alive
        if passed {
            health.update(passed: true, at: now)
            return HealthCheckOutcome(applied: true, aliveChanged: wasAlive != health.alive, kill: false, killSkippedUnreachable: false)
        }
        let ignore = !isRunning || (health.firstSuccess == nil && runningSince + check.gracePeriod > now)
        if ignore { return HealthCheckOutcome(applied: false, aliveChanged: false, kill: false, killSkippedUnreachable: false) }
        let due = health.consecutiveFailures >= check.maxConsecutiveFailures && check.maxConsecutiveFailures > 0
        health.update(passed: false, at: now)
        return HealthCheckOutcome(applied: true, aliveChanged: wasAlive != health.alive, kill: due && !isUnreachable,
                                  killSkippedUnreachable: due && isUnreachable)
    }

    /// Mesos-level checks (executor): failures during the grace period are ignored until the first
    /// success; the task is killed once consecutive failures reach maxConsecutiveFailures (>=),
    /// so maxConsecutiveFailures 0 kills at the first counted failure.
    public static func mesosShouldKill(consecutiveFailures: Int, maxConsecutiveFailures: Int) -> Bool {
        consecutiveFailures >= maxConsecutiveFailures
    }
}
