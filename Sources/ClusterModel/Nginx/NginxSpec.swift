import SimKernel

/// The `nginx` section (issue 10). Placeholder until the subsystem lands.
public struct NginxSpec: Equatable, Sendable {
    public init() {}
}
