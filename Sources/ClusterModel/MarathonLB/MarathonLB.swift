import SimKernel

/// marathon-lb (issue 12): HAProxy configuration from Marathon's app labels, regenerated on
/// Marathon's events, HAProxy reloads. Placeholder until it lands: built when `marathonLB` is given.
public final class MarathonLB: Subsystem, HAProxyControl {
    public static let entry = SubsystemEntry(name: "marathon-lb", section: "marathonLB") { model in
        guard model.spec.marathonLB != nil else { return nil }
        return MarathonLB()
    }
    public var name: String { "marathon-lb" }
    public func register(in sim: Simulation) {}
    public func start() {}
    public var haproxyInstances: [(host: Int, group: String)] { [] }
    public func haproxyGeneration(_ i: Int) -> Int { 0 }
    public func haproxyConfiguration(_ i: Int, generation: Int) -> HAProxyConfiguration { HAProxyConfiguration() }
    public func haproxyAccepts(_ i: Int, now: SimTime) -> Bool { false }
}
