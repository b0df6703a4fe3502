import SimKernel

/// What a `LeaderLatch` tells the framework whose processes contend.
public protocol LeaderLatchOwner: AnyObject {
    /// `contender` now leads (its latch node is the lowest of the live, connected ones).
    func latchElected(_ contender: Int)
    /// The leader `contender` lost its leadership (its session expired, or another leads).
    /// `live`: the process that led still runs (not a dead process whose node lingered, the
    /// contender's slot perhaps already holding its restarted successor).
    func latchLost(_ contender: Int, reason: LeaderLatch.LossReason, live: Bool)
    /// `contender`'s process lost its session and exits; its supervisor should restart it
    /// (`LeaderLatch.restart`) after the owner's delay.
    func latchSessionLost(_ contender: Int)
}

/// Curator's LeaderLatch for the processes of one framework (Chronos' instances; the recipe
/// Marathon's instances follow too): one process per host, each with a ZooKeeper session and an
/// ephemeral sequential node `latch-<seq>` under `path`; the live contender whose node has the
/// lowest sequence and whose session is connected leads. A process whose session ends exits.
///
/// The connection states, as Curator's LeaderLatch (2.11 and 4.0 with its default, standard error
/// policy) handles them: when the client loses its server (SUSPENDED) the latch gives up its
/// leadership (`notLeader`) if `onSuspended` says so; when it connects again (RECONNECTED) it
/// `reset()`s: deletes its node and creates a new one, at the end of the queue, leader or not.
public final class LeaderLatch: ZooKeeperClient, ZooKeeperWatcher {
    /// Why a leader stopped leading.
    public enum LossReason: String, Sendable {
        case sessionExpired = "ZooKeeper session expired"
        case anotherLeads = "another instance leads"
        case connectionSuspended = "ZooKeeper connection suspended"
        case abdicated = "scheduler driver disconnected from the Mesos master; driver stopped"
    }
    /// What a leader does when its client loses its server: it gives up at once (Curator's latch
    /// listener hears `notLeader`: Marathon 1.4/1.5, Chronos; Marathon from 1.7.149 offers
    /// `Standby(None)` on SUSPENDED), or keeps leading until the reconnection's `reset()` puts
    /// another contender first (Marathon 1.6 to 1.7.50, which only reads the participants).
    public enum OnSuspended: Sendable { case loseLeadership, keepLeadership }
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
    let onSuspended: OnSuspended
    public private(set) var contenders: [Contender]
    public private(set) var leader: Int?
    /// The latch node the leader leads by: a process, not a host slot. A contender whose process died
    /// and restarted leads again only through its new node (a new election), never by its old one.
    var leaderNode: ZNode?

    public init(zooKeeper: ZooKeeperEnsemble, path: String, hosts: [Int], sessionTimeout: SimDuration, owner: LeaderLatchOwner,
                onSuspended: OnSuspended = .loseLeadership) {
        self.zooKeeper = zooKeeper; self.path = path; timeout = sessionTimeout; self.owner = owner
        self.onSuspended = onSuspended
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

    /// The process exits on its own (Marathon after losing its leadership): it closes its session
    /// (`LeaderLatch.close`, `CuratorFramework.close`), which removes its node at once when
    /// connected, at its reconnection under way, or by expiry.
    public func exit(_ i: Int) {
        if let s = contenders[i].session { zooKeeper.closeSession(s) }
        contenders[i].session = nil
        contenders[i].znode = nil
    }

    /// The leader gives up of its own accord (Marathon's scheduler service abdicating when its driver
    /// stops: `CuratorElectionService.abdicateLeadership`): it stops leading now; the owner closes
    /// its latch (`exit`), which lets the next contender lead.
    public func abdicate(_ i: Int) {
        guard leader == i else { return }
        leader = nil
        leaderNode = nil
        owner.latchLost(i, reason: .abdicated, live: contenders[i].alive)
    }

    /// The supervisor restarts a process that exited after losing its session.
    public func restart(_ i: Int) {
        if contenders[i].alive, contenders[i].session == nil { openSession(i) }
    }

    public func zooKeeper(_ zk: ZooKeeperEnsemble, connected session: Int, reconnected: Bool) {
        guard let i = contenders.firstIndex(where: { $0.session == session }), contenders[i].alive else { return }
        if reconnected, let old = contenders[i].znode {
            // RECONNECTED: reset() deletes the node and queues a new one behind the others
            zk.deleteNode(old, path: path)
            contenders[i].znode = nil
        }
        if contenders[i].znode == nil {
            contenders[i].znode = zk.createEphemeralSequential(session: session, path: path, prefix: "latch-", owner: i)
        }
        elect()
    }

    public func zooKeeper(_ zk: ZooKeeperEnsemble, disconnected session: Int) {
        guard let i = contenders.firstIndex(where: { $0.session == session }), contenders[i].alive else { return }
        // SUSPENDED: setLeadership(false)
        if leader == i && onSuspended == .loseLeadership {
            leader = nil
            leaderNode = nil
            owner.latchLost(i, reason: .connectionSuspended, live: true)
        }
    }

    public func zooKeeper(_ zk: ZooKeeperEnsemble, expired session: Int) {
        guard let i = contenders.firstIndex(where: { $0.session == session }) else { return }
        contenders[i].session = nil
        contenders[i].znode = nil
        if leader == i {
            leader = nil
            leaderNode = nil
            owner.latchLost(i, reason: .sessionExpired, live: contenders[i].alive)
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
        // (under `keepLeadership` the leader keeps leading while its client looks for a server)
        let first = zk.children(path).min { $0.sequence < $1.sequence }
        let lowest = first.flatMap { n in
            contenders.indices.contains(n.owner) && contenders[n.owner].alive && contenders[n.owner].znode == n
                && (zk.isConnected(n.session) || (onSuspended == .keepLeadership && n == leaderNode)) ? n : nil
        }
        if lowest == leaderNode { return }
        if let old = leader {
            let live = contenders[old].alive && contenders[old].znode == leaderNode
            leader = nil
            leaderNode = nil
            owner.latchLost(old, reason: .anotherLeads, live: live)
        }
        guard let node = lowest else { return }
        leader = node.owner
        leaderNode = node
        owner.latchElected(node.owner)
    }

    /// The processes on `host` die with it (their sessions will expire in the ensemble, or end now
    /// when `closingSessions`: an orderly shutdown closes them); returns them.
    @discardableResult
    public func hostWentDown(_ host: Int, closingSessions: Bool = false) -> [Int] {
        var died: [Int] = []
        for i in contenders.indices where contenders[i].host == host && contenders[i].alive {
            contenders[i].alive = false
            if let s = contenders[i].session {
                if closingSessions && zooKeeper.isConnected(s) { zooKeeper.closeSession(s) } else { zooKeeper.clientDied(s) }
            }
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
