import SimKernel

/// What a `LeaderLatch` tells the framework whose processes contend.
public protocol LeaderLatchOwner: AnyObject {
    /// `contender` now leads (its latch node is the lowest of the live, connected ones).
    func latchElected(_ contender: Int)
    /// The leader `contender` lost its leadership (its session expired, or another leads).
    func latchLost(_ contender: Int, reason: LeaderLatch.LossReason)
    /// `contender`'s process lost its session and exits; its supervisor should restart it
    /// (`LeaderLatch.restart`) after the owner's delay.
    func latchSessionLost(_ contender: Int)
}

/// Curator's LeaderLatch for the processes of one framework (Chronos' instances; the recipe
/// Marathon's instances follow too): one process per host, each with a ZooKeeper session and an
/// ephemeral sequential node `latch-<seq>` under `path`; the live contender whose node has the
/// lowest sequence and whose session is connected leads. A process whose session ends exits.
public final class LeaderLatch: ZooKeeperClient, ZooKeeperWatcher {
    /// Why a leader stopped leading.
    public enum LossReason: String, Sendable {
        case sessionExpired = "ZooKeeper session expired"
        case anotherLeads = "another instance leads"
    }
    public struct Contender {
        public let host: Int
        public internal(set) var alive = true
        var session: Int?
        var znode: ZNode?
    }
    let zooKeeper: ZooKeeperEnsemble
    public let path: String
    let timeout: SimDuration
    unowned let owner: LeaderLatchOwner
    public private(set) var contenders: [Contender]
    public private(set) var leader: Int?
    /// The latch node the leader leads by: a process, not a host slot. A contender whose process died
    /// and restarted leads again only through its new node (a new election), never by its old one.
    var leaderNode: ZNode?

    public init(zooKeeper: ZooKeeperEnsemble, path: String, hosts: [Int], sessionTimeout: SimDuration, owner: LeaderLatchOwner) {
        self.zooKeeper = zooKeeper; self.path = path; timeout = sessionTimeout; self.owner = owner
        contenders = hosts.map { Contender(host: $0) }
    }

    /// Watches the latch path and opens every contender's session (at time 0).
    public func start() {
        zooKeeper.watchChildren(path, self)
        for i in contenders.indices { openSession(i) }
    }

    func openSession(_ i: Int) {
        contenders[i].session = zooKeeper.openSession(self, host: contenders[i].host, requestedTimeout: timeout)
    }

    /// The supervisor restarts a process that exited after losing its session.
    public func restart(_ i: Int) {
        if contenders[i].alive, contenders[i].session == nil { openSession(i) }
    }

    public func zooKeeper(_ zk: ZooKeeperEnsemble, connected session: Int, reconnected: Bool) {
        guard let i = contenders.firstIndex(where: { $0.session == session }), contenders[i].alive else { return }
        if contenders[i].znode == nil {
            contenders[i].znode = zk.createEphemeralSequential(session: session, path: path, prefix: "latch-", owner: i)
        }
        elect()
    }

    public func zooKeeper(_ zk: ZooKeeperEnsemble, disconnected session: Int) {}

    public func zooKeeper(_ zk: ZooKeeperEnsemble, expired session: Int) {
        guard let i = contenders.firstIndex(where: { $0.session == session }) else { return }
        contenders[i].session = nil
        contenders[i].znode = nil
        if leader == i {
            leader = nil
            leaderNode = nil
            owner.latchLost(i, reason: .sessionExpired)
        }
        if contenders[i].alive { owner.latchSessionLost(i) }
        elect()
    }

    public func zooKeeper(_ zk: ZooKeeperEnsemble, childrenChanged path: String) { elect() }

    func elect() {
        let zk = zooKeeper
        // the lowest node in ZooKeeper leads once it is a live process's current, connected node;
        // a node of a dead or earlier process (its session not yet expired) blocks the ones after
        // it, as each contender waits for the node before its own to go (Curator's LeaderLatch)
        let first = zk.children(path).min { $0.sequence < $1.sequence }
        let lowest = first.flatMap { n in
            contenders.indices.contains(n.owner) && contenders[n.owner].alive && contenders[n.owner].znode == n && zk.isConnected(n.session) ? n : nil
        }
        if lowest == leaderNode { return }
        if let old = leader {
            leader = nil
            leaderNode = nil
            owner.latchLost(old, reason: .anotherLeads)
        }
        guard let node = lowest else { return }
        leader = node.owner
        leaderNode = node
        owner.latchElected(node.owner)
    }

    /// The processes on `host` die with it (their sessions will expire in the ensemble); returns them.
    @discardableResult
    public func hostWentDown(_ host: Int) -> [Int] {
        var died: [Int] = []
        for i in contenders.indices where contenders[i].host == host && contenders[i].alive {
            contenders[i].alive = false
            if let s = contenders[i].session { zooKeeper.clientDied(s) }
            died.append(i)
        }
        return died
    }

    /// The processes on `host` start again with new sessions.
    public func hostCameUp(_ host: Int) {
        for i in contenders.indices where contenders[i].host == host && !contenders[i].alive {
            contenders[i].alive = true
            contenders[i].session = nil
            contenders[i].znode = nil
            openSession(i)
        }
    }
}
