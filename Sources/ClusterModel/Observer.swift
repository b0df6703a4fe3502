import SimKernel

/// One line of the event log: what happened, to what, where in the platform.
public struct LoggedEvent: Sendable {
    public var time: SimTime
    /// The platform component that reports it, in the platform's words ("host", "fault").
    public var component: String
    /// What happened ("crashed", "recovered", "rebootStarted").
    public var event: String
    /// What it happened to (a host name, an app id).
    public var subject: String
    /// Free text, may be empty.
    public var detail: String

    public init(time: SimTime, component: String, event: String, subject: String, detail: String = "") {
        self.time = time; self.component = component; self.event = event; self.subject = subject; self.detail = detail
    }
}

/// Receives what a run produces. Reporting implements it (files); tests implement it (arrays).
/// Calls arrive in simulation order.
public protocol RunObserver: AnyObject {
    func record(_ event: LoggedEvent)
    /// Called every `sampleInterval`, after all other events of that instant.
    func sample(_ model: ClusterSimulation, at time: SimTime)
}

/// An observer that keeps everything in memory, for tests and small runs.
public final class MemoryObserver: RunObserver {
    public private(set) var events: [LoggedEvent] = []
    public private(set) var samples: [(time: SimTime, hostsUp: Int, cpusTotal: Double)] = []
    public init() {}
    public func record(_ event: LoggedEvent) { events.append(event) }
    public func sample(_ model: ClusterSimulation, at time: SimTime) {
        samples.append((time, model.infrastructure.hostsUp, model.infrastructure.usableCpus))
    }
}

/// An observer that drops everything.
public final class NullObserver: RunObserver {
    public init() {}
    public func record(_ event: LoggedEvent) {}
    public func sample(_ model: ClusterSimulation, at time: SimTime) {}
}
