import SimKernel

/// The consul-template subsystem (issue 10). Placeholder until it lands: built when the `consulTemplate` section is given.
public final class ConsulTemplateRunner: Subsystem {
    public static let entry = SubsystemEntry(name: "consul-template", section: "consulTemplate") { model in
        guard model.spec.consulTemplate != nil else { return nil }
        return ConsulTemplateRunner()
    }
    public var name: String { "consul-template" }
    public func register(in sim: Simulation) {}
    public func start() {}
}
