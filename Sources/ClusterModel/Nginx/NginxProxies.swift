import SimKernel

/// The nginx subsystem (issue 10). Placeholder until it lands: built when the `nginx` section is given.
public final class NginxProxies: Subsystem {
    public static let entry = SubsystemEntry(name: "nginx", section: "nginx") { model in
        guard model.spec.nginx != nil else { return nil }
        return NginxProxies()
    }
    public var name: String { "nginx" }
    public func register(in sim: Simulation) {}
    public func start() {}
}
