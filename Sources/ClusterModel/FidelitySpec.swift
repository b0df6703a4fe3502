import SimKernel

/// How closely the model follows each probe, offer and gossip round (issue 14, docs/scenarios.md `fidelity`).
/// `exact` simulates every probe, offer and gossip message as the real system sends it; `fast` replaces a
/// stretch of events that carry no news by a direct draw that is equal in distribution (the next failing probe
/// of a healthy instance from its response-time distribution, the agent a revived framework launches on as a
/// uniform draw among the agents that fit, a quiet gossip pool's next detection from its probe schedule). The
/// equivalence of each `fast` path is shown by a many-seed test against `exact` (docs/benchmarks.md).
public struct FidelitySpec: Equatable, Sendable {
    public enum Mode: String, CaseIterable, Sendable {
        case exact
        case fast
    }

    /// Marathon-level and Mesos-level health checks of healthy instances.
    public var healthChecks: Mode = .fast
    /// Offers after a revive: one offer per agent, or a draw among the agents that fit.
    public var offers: Mode = .fast
    /// Consul agents' service checks (HTTP/TCP/script) of passing services.
    public var consulChecks: Mode = .fast
    /// Memberlist probes in a quiet gossip pool.
    public var gossip: Mode = .fast

    public init(healthChecks: Mode = .fast, offers: Mode = .fast, consulChecks: Mode = .fast, gossip: Mode = .fast) {
        self.healthChecks = healthChecks; self.offers = offers; self.consulChecks = consulChecks; self.gossip = gossip
    }

    /// Every path exact: what the real systems do, probe by probe.
    public static let allExact = FidelitySpec(healthChecks: .exact, offers: .exact, consulChecks: .exact, gossip: .exact)
}
