import SimKernel

/// The ZooKeeper ensemble (`zookeeper` in a scenario). Defaults and their sources: docs/mesos.md.
public struct ZooKeeperSpec: Equatable, Sendable {
    /// Ensemble size: 3, 5 or 7 servers.
    public var servers: Int
    /// Host group the servers run on (one per host, in host order); nil: the Mesos masters' group.
    public var hostGroup: String?
    /// `tickTime`: 2000 ms in apache/zookeeper:conf/zoo_sample.cfg (the server's own default
    /// without a config line is 3000 ms, ZooKeeperServer.DEFAULT_TICK_TIME).
    public var tickTime: SimDuration
    /// `initLimit` / `syncLimit` in ticks (zoo_sample.cfg: 10 / 5). Accepted and documented; the
    /// election model uses one sync tick (see `electionTime`).
    public var initLimit: Int
    public var syncLimit: Int
    /// Negotiated session timeouts are clamped to [minSessionTimeoutTicks, maxSessionTimeoutTicks]
    /// ticks (ZooKeeperServer: 2 x tickTime and 20 x tickTime).
    public var minSessionTimeoutTicks: Int
    public var maxSessionTimeoutTicks: Int
    /// zoo.cfg's `minSessionTimeout` / `maxSessionTimeout` (ms; -1 or absent: the tick bounds).
    public var minSessionTimeout: SimDuration? = nil
    public var maxSessionTimeout: SimDuration? = nil
    /// FastLeaderElection.finalizeWait: 200 ms.
    public var finalizeWait: SimDuration
    /// Time from a znode change to the watch callback at the watcher (model choice: a LAN round
    /// trip plus processing).
    public var notificationDelay: SimDuration

    public static let defaultTickTime = SimDuration.seconds(2)

    public init(servers: Int = 3, hostGroup: String? = nil, tickTime: SimDuration = ZooKeeperSpec.defaultTickTime,
                initLimit: Int = 10, syncLimit: Int = 5, minSessionTimeoutTicks: Int = 2, maxSessionTimeoutTicks: Int = 20,
                finalizeWait: SimDuration = .milliseconds(200), notificationDelay: SimDuration = .milliseconds(5)) {
        self.servers = servers; self.hostGroup = hostGroup; self.tickTime = tickTime
        self.initLimit = initLimit; self.syncLimit = syncLimit
        self.minSessionTimeoutTicks = minSessionTimeoutTicks; self.maxSessionTimeoutTicks = maxSessionTimeoutTicks
        self.finalizeWait = finalizeWait; self.notificationDelay = notificationDelay
    }

    /// Time from an ensemble change that leaves a quorum without a leader to a serving leader:
    /// FastLeaderElection's finalizeWait, then one tick for the followers to sync with the new leader.
    public var electionTime: SimDuration { finalizeWait + tickTime }

    /// The session timeout a server grants for a requested one.
    public func negotiatedTimeout(_ requested: SimDuration) -> SimDuration {
        let lo = minSessionTimeout ?? tickTime * Int64(minSessionTimeoutTicks), hi = maxSessionTimeout ?? tickTime * Int64(maxSessionTimeoutTicks)
        return max(lo, min(hi, requested))
    }
}
