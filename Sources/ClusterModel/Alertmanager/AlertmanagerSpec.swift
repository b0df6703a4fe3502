import SimKernel

/// The `alertmanager` section (issue 11). Placeholder until the subsystem lands.
public struct AlertmanagerSpec: Equatable, Sendable {
    public init() {}
}
