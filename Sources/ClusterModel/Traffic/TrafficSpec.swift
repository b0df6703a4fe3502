import SimKernel

/// The `traffic` section (issue 10). Placeholder until the subsystem lands.
public struct TrafficSpec: Equatable, Sendable {
    public init() {}
}
