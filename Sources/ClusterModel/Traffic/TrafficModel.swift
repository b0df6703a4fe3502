import SimKernel

/// The traffic subsystem (issue 10). Placeholder until it lands: built when the `traffic` section is given.
public final class TrafficModel: Subsystem {
    public static let entry = SubsystemEntry(name: "traffic", section: "traffic") { model in
        guard model.spec.traffic != nil else { return nil }
        return TrafficModel()
    }
    public var name: String { "traffic" }
    public func register(in sim: Simulation) {}
    public func start() {}
}
