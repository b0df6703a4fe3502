import SimKernel

/// The consul subsystem (issue 10). Placeholder until it lands: built when the `consul` section is given.
public final class ConsulCluster: Subsystem {
    public static let entry = SubsystemEntry(name: "consul", section: "consul") { model in
        guard model.spec.consul != nil else { return nil }
        return ConsulCluster()
    }
    public var name: String { "consul" }
    public func register(in sim: Simulation) {}
    public func start() {}
}
