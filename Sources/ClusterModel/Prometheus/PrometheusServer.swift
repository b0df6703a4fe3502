import SimKernel

/// The Prometheus subsystem (issue 11): targets, scrapes, the series store, rule groups, the
/// notifier. Placeholder until it lands: built when the `prometheus` section is given.
public final class PrometheusServer: Subsystem {
    public static let entry = SubsystemEntry(name: "prometheus", section: "prometheus") { model in
        guard model.spec.prometheus != nil else { return nil }
        return PrometheusServer()
    }
    public var name: String { "prometheus" }
    public func register(in sim: Simulation) {}
    public func start() {}
}
