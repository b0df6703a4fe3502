import SimKernel

/// The `autoscale` section (issue 12): marathon-lb-autoscale's flags. Placeholder until it lands.
public struct AutoscaleSpec: Equatable, Sendable {
    public init() {}
}
