import SimKernel

/// The ZooKeeper ensemble (`zookeeper` in a scenario). Placeholder: filled in by the Mesos work.
public struct ZooKeeperSpec: Equatable, Sendable {
    public var servers: Int
    public init(servers: Int = 3) { self.servers = servers }
}
