import SimKernel

/// Marathon (`marathon` in a scenario). Placeholder: filled in by the Marathon work.
public struct MarathonSpec: Equatable, Sendable {
    public init() {}
}
