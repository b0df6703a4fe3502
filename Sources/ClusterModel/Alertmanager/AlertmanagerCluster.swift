import SimKernel

/// The Alertmanager subsystem (issue 11): routing tree, aggregation groups, inhibition, silences,
/// notifications. Placeholder until it lands: built when the `alertmanager` section is given.
public final class AlertmanagerCluster: Subsystem, AlertReceiver {
    public static let entry = SubsystemEntry(name: "alertmanager", section: "alertmanager") { model in
        guard model.spec.alertmanager != nil else { return nil }
        return AlertmanagerCluster()
    }
    public var name: String { "alertmanager" }
    public func register(in sim: Simulation) {}
    public func start() {}
    public func alertmanagerEndpoints() -> [(host: Int, port: Int)] { [] }
    public func accepts(host: Int) -> Bool { false }
    public func receive(_ alerts: [AlertPayload], on host: Int, now: SimTime) {}
}
