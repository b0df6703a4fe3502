import SimKernel

/// Mesos masters and agents (`mesos` in a scenario). Placeholder: filled in by the Mesos work.
public struct MesosSpec: Equatable, Sendable {
    public var masters: Int
    public init(masters: Int = 3) { self.masters = masters }
}
