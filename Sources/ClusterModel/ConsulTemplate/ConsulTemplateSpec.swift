import SimKernel

/// The `consulTemplate` section (issue 10). Placeholder until the subsystem lands.
public struct ConsulTemplateSpec: Equatable, Sendable {
    public init() {}
}
