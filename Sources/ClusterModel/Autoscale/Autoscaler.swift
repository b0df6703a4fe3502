import SimKernel

/// marathon-lb-autoscale (issue 12), exactly as autoscale.rb. Placeholder until it lands: built
/// when the `autoscale` section is given.
public final class Autoscaler: Subsystem {
    public static let entry = SubsystemEntry(name: "autoscale", section: "autoscale") { model in
        guard model.spec.autoscale != nil else { return nil }
        return Autoscaler()
    }
    public var name: String { "autoscale" }
    public func register(in sim: Simulation) {}
    public func start() {}
}
