import SimKernel

/// The `nginx` section (issue 10): nginx on named hosts, the configuration it starts with and
/// how long its new workers take to start after a reload. See docs/discovery.md.
public struct NginxSpec: Equatable, Sendable {
    /// The hosts nginx runs on, by name (a host group expanded, or the names listed).
    public var hosts: [String]
    /// Text nginx includes inside `http { }` besides the files consul-template writes (the
    /// static part of its configuration); empty: none.
    public var configuration: String
    /// From the master's SIGHUP to the new workers accepting requests: fork, init of the
    /// modules, opening the listening sockets (model choice, docs/discovery.md).
    public var workerStart: SimDuration

    public static let defaultWorkerStart = SimDuration.milliseconds(100)

    public init(hosts: [String], configuration: String = "", workerStart: SimDuration = NginxSpec.defaultWorkerStart) {
        self.hosts = hosts; self.configuration = configuration; self.workerStart = workerStart
    }
}
