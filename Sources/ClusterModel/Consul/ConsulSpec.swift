import SimKernel

/// The `consul` section (issue 10). Placeholder until the subsystem lands.
public struct ConsulSpec: Equatable, Sendable {
    public init() {}
}
