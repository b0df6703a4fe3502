import SimKernel

/// The `marathonLB` section (issue 12). Placeholder until the subsystem lands.
public struct MarathonLBSpec: Equatable, Sendable {
    public init() {}
}
