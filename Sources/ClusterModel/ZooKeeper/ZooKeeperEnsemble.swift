import SimKernel

/// A client of the ensemble (a Mesos master's contender, Marathon's leader latch). Callbacks
/// arrive from simulation events, never from inside the client's own call into the ensemble.
public protocol ZooKeeperClient: AnyObject {
    /// The session is established (`reconnected == false`) or reconnected after a disconnection.
    func zooKeeper(_ zk: ZooKeeperEnsemble, connected session: Int, reconnected: Bool)
    /// The connection is lost; the session may still be alive in the ensemble.
    func zooKeeper(_ zk: ZooKeeperEnsemble, disconnected session: Int)
    /// The session is over: the ensemble expired it, or the client stayed disconnected for longer
    /// than its session timeout and gave it up. Its ephemeral znodes are gone (or will be).
    func zooKeeper(_ zk: ZooKeeperEnsemble, expired session: Int)
}

/// Watches the children of a path (a persistent watch: ZooKeeper's one-shot watches re-armed by
/// the client on every notification, as Mesos' group and Curator's recipes do).
public protocol ZooKeeperWatcher: AnyObject {
    func zooKeeper(_ zk: ZooKeeperEnsemble, childrenChanged path: String)
}

/// An ephemeral sequential znode.
public struct ZNode: Equatable, Sendable {
    /// The sequence number ZooKeeper appended to the name (per parent, increasing).
    public var sequence: Int
    public var session: Int
    /// Full name, "<path>/<prefix><10-digit sequence>".
    public var name: String
    /// A tag chosen by the creator (a master index, ...).
    public var owner: Int
}

/// The ZooKeeper ensemble: servers on hosts, quorum and leader (FastLeaderElection), client
/// sessions with tick-bucketed expiry, ephemeral sequential znodes and child watches.
///
/// Heartbeats are not events. A live, connected client is assumed to ping every timeout/3 from
/// the moment it (re)connected; when it stops (process gone, partitioned) its last ping time is
/// computed from that phase, and one expiry event is scheduled at the session tracker's bucket:
/// `(floor((lastPing + timeout) / tickTime) + 1) * tickTime` (ExpiryQueue.roundToNextInterval,
/// with simulated time 0 as the tick origin).
public final class ZooKeeperEnsemble: EventHandler {
    public let spec: ZooKeeperSpec
    unowned let model: ClusterSimulation
    var target: Int32 = -1
    /// Host index of each server (server id = index + 1).
    public let serverHosts: [Int]
    public private(set) var serverUp: [Bool]
    /// Index of the leading server, nil while there is none.
    public private(set) var leader: Int?
    /// A leader serves requests: sessions can connect, znodes change, sessions expire.
    public private(set) var serving = false
    public var quorumSize: Int { serverHosts.count / 2 + 1 }
    /// Are hosts a and b unable to exchange messages (set by the Mesos model's partitions).
    var cut: (Int, Int) -> Bool = { _, _ in false }

    public private(set) var quorumLosses = 0
    public private(set) var sessionsExpired = 0
    /// Times the ensemble started and stopped serving, for the summary.
    public private(set) var outages: [(lost: SimTime, regained: SimTime?)] = []

    enum Kind: Int32 { case election = 1, serverExpire, clientExpire, clientDetect, notify, establish, attempt }

    final class Session {
        let id: Int
        unowned let client: ZooKeeperClient
        let host: Int
        let timeout: SimDuration
        /// The session exists in the ensemble (not expired, not closed).
        var serverAlive = true
        enum ClientState { case connecting, connected, disconnected, gone }
        var clientState = ClientState.connecting
        /// The client process runs and still wants this session.
        var clientAlive = true
        /// Pings are sent at pingOrigin + k * timeout/3 while connected.
        var pingOrigin = SimTime.zero
        /// Client-side expiry deadline while disconnected.
        var gen: Int32 = 0        // invalidates server-side expiry events
        var clientGen: Int32 = 0  // invalidates client-side events
        var znodes: [String] = [] // paths of its ephemeral znodes' parents (for deletion)
        /// The server the client is connected to (an index), -1 while it has none.
        var server = -1
        /// The client's connect string as its StaticHostProvider shuffled it, and the position of
        /// the server it tried last; `lastConnected` is where it last connected (the 1 s spin).
        var order: [Int] = []
        var cursor = -1
        var lastConnected = -1
        /// A reconnection attempt is scheduled (`attemptGen` invalidates it).
        var attemptPending = false
        var attemptGen: Int32 = 0
        /// The process is gone after closing its session (Curator's close at exit): the close
        /// packet goes out at the next connection, or fails and the session is left to expire.
        var closing = false
        init(id: Int, client: ZooKeeperClient, host: Int, timeout: SimDuration) {
            self.id = id; self.client = client; self.host = host; self.timeout = timeout
        }
    }
    var sessions: [Session] = []
    var epoch: Int32 = 0
    var electionPending = false
    private var nodes: [String: [ZNode]] = [:]
    private var sequences: [String: Int] = [:]
    private var watchers: [String: [ZooKeeperWatcher]] = [:]
    private var pending: [(path: String, watcher: ZooKeeperWatcher)] = []
    private var pendingHead = 0
    /// The clients' connect-string shuffles and reconnection sleeps, drawn as sessions open and
    /// lose their server.
    private lazy var connectStream = model.stream("zookeeper/client-connect")

    init(spec: ZooKeeperSpec, serverHosts: [Int], model: ClusterSimulation) {
        self.spec = spec
        self.model = model
        self.serverHosts = serverHosts
        self.serverUp = serverHosts.map { model.infrastructure.hosts[$0].state.isUp }
    }

    public func start() { reevaluate() }

    var now: SimTime { model.sim.now }

    // MARK: public API

    /// Opens a session for `client` on `host` asking for `timeout` (clamped to the server's
    /// [min, max]). The client hears `connected` when the ensemble serves and is reachable.
    public func openSession(_ client: ZooKeeperClient, host: Int, requestedTimeout: SimDuration) -> Int {
        let s = Session(id: sessions.count, client: client, host: host, timeout: spec.negotiatedTimeout(requestedTimeout))
        // StaticHostProvider shuffles the connect string once, then tries it round-robin
        var order = Array(serverHosts.indices)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, connectStream.int(below: i + 1)) }
        s.order = order
        sessions.append(s)
        if serving && reachable(s) { model.sim.schedule(after: .zero, target: target, kind: Kind.establish.rawValue, arg: Int64(s.id)) }
        return s.id
    }

    /// The negotiated timeout of a session.
    public func sessionTimeout(_ id: Int) -> SimDuration { sessions[id].timeout }
    public func isConnected(_ id: Int) -> Bool { sessions[id].clientState == .connected }
    public func isAliveInEnsemble(_ id: Int) -> Bool { sessions[id].serverAlive }

    /// The client process died (crash, host down): no more pings, no goodbye. The ensemble expires
    /// the session one timeout (bucket-rounded) after its last ping.
    public func clientDied(_ id: Int) {
        let s = sessions[id]
        guard s.clientAlive else { return }
        let wasPinging = isPinging(s)
        s.clientAlive = false
        s.clientState = .gone
        s.clientGen &+= 1
        if wasPinging { scheduleServerExpiry(s, lastPing: lastPing(s, before: now)) }
    }

    /// Orderly close: the session and its ephemeral znodes are removed at once when the ensemble
    /// is reachable; otherwise as `clientDied`.
    public func closeSession(_ id: Int) {
        let s = sessions[id]
        if s.serverAlive && serving && s.clientState == .connected && reachable(s) {
            s.clientAlive = false; s.clientState = .gone; s.clientGen &+= 1
            endSession(s, expired: false)
        } else if s.serverAlive && s.clientAlive && s.clientState == .disconnected && s.attemptPending {
            // ZooKeeper.close() waits for its closeSession packet: sent at the reconnection
            // already under way, or failed with it (ClientCnxn cleanup: conLossPacket)
            s.closing = true
            s.clientGen &+= 1   // no client-side expiry: the process does not wait for it
        } else {
            clientDied(id)
        }
    }

    /// Creates `<path>/<prefix><seq>` owned by the session; nil when the session is not connected.
    @discardableResult
    public func createEphemeralSequential(session id: Int, path: String, prefix: String, owner: Int) -> ZNode? {
        let s = sessions[id]
        guard serving, s.serverAlive, s.clientState == .connected else { return nil }
        let seq = sequences[path, default: 0]
        sequences[path] = seq + 1
        let digits = String(seq)
        let node = ZNode(sequence: seq, session: id, name: path + "/" + prefix + String(repeating: "0", count: max(0, 10 - digits.count)) + digits, owner: owner)
        nodes[path, default: []].append(node)
        if !s.znodes.contains(path) { s.znodes.append(path) }
        changed(path)
        return node
    }

    /// Deletes an ephemeral node of a connected session (Curator's `setNode(null)`).
    public func deleteNode(_ node: ZNode, path: String) {
        guard serving, var list = nodes[path], let i = list.firstIndex(of: node) else { return }
        list.remove(at: i)
        nodes[path] = list
        changed(path)
    }

    /// Children of `path` in sequence order.
    public func children(_ path: String) -> [ZNode] { nodes[path] ?? [] }

    /// Registers a persistent child watch.
    public func watchChildren(_ path: String, _ w: ZooKeeperWatcher) { watchers[path, default: []].append(w) }

    /// Server process crash (index 0-based).
    public func crashServer(_ i: Int) {
        guard serverUp[i] else { return }
        serverUp[i] = false
        model.log("zookeeper", "serverDown", serverName(i), "")
        reevaluate()
        // its clients' connections are reset at once (the process is gone, the host answers)
        serverLost(i, noticedAfterReadTimeout: false)
    }

    /// Server process (re)start.
    public func startServer(_ i: Int) {
        guard !serverUp[i], model.infrastructure.hosts[serverHosts[i]].state.isUp else { return }
        serverUp[i] = true
        model.log("zookeeper", "serverUp", serverName(i), "")
        reevaluate()
        retryParked()
    }

    public func serverName(_ i: Int) -> String { "zk\(i + 1)@\(model.infrastructure.hosts[serverHosts[i]].name)" }

    /// Reachable servers: up and not cut off from the majority (a partitioned server host).
    public var reachableServers: Int {
        var n = 0
        for i in serverHosts.indices where serverReachable(i) { n += 1 }
        return n
    }

    // MARK: host / network changes (hosts: `.hosts` signals; partitions: the Mesos model)

    /// `orderly`: a reboot stops the processes first; their sockets are closed (FIN), so the
    /// clients of a server there notice at once. A crash or power loss sends nothing.
    func hostWentDown(_ h: Int, orderly: Bool = false) {
        var any = false
        var lost: [Int] = []
        for i in serverHosts.indices where serverHosts[i] == h && serverUp[i] {
            serverUp[i] = false; any = true; lost.append(i)
            model.log("zookeeper", "serverDown", serverName(i), "host down")
        }
        if any { reevaluate() }
        // a host that is gone sends no reset: its clients elsewhere notice after their read timeout
        for i in lost { serverLost(i, noticedAfterReadTimeout: !orderly) }
    }

    func hostCameUp(_ h: Int) {
        var any = false
        for i in serverHosts.indices where serverHosts[i] == h && !serverUp[i] {
            serverUp[i] = true; any = true
            model.log("zookeeper", "serverUp", serverName(i), "host up")
        }
        if any { reevaluate(); retryParked() }
    }

    /// A partition started or healed somewhere: servers may have left or rejoined the majority,
    /// clients may have lost or regained the ensemble.
    func networkChanged() {
        reevaluate()
        guard serving else { return }
        for s in sessions where s.clientAlive && s.serverAlive {
            let r = reachable(s)
            switch s.clientState {
            case .connected where !r && s.server >= 0 && talks(s.host, s.server):
                // its server left the serving majority: it closes its connections at once
                disconnect(s)
            case .connected where !r && s.gen & 1 == 0:
                // Server side: pings stop now. Client side: notices after its read timeout (2/3 of
                // the session timeout without an answer, ClientCnxn).
                readTimeout(s)
            case .connected:
                break
            case .connecting where r:
                reconnect(s)
            case .disconnected where r:
                scheduleAttempt(s)
            default: break
            }
        }
        // a connected client whose partition healed before it noticed: pings resume
        for s in sessions where s.clientAlive && s.serverAlive && s.clientState == .connected && reachable(s) && s.gen & 1 == 1 {
            s.gen &+= 1
            s.pingOrigin = now
        }
    }

    // MARK: mechanics

    func serverReachable(_ i: Int) -> Bool {
        guard serverUp[i] else { return false }
        // a server is in the majority when it can reach more than half of the other servers
        var peers = 1
        for j in serverHosts.indices where j != i && serverUp[j] && !cut(serverHosts[i], serverHosts[j]) { peers += 1 }
        return peers >= quorumSize
    }

    /// A client on `host` reaches server `k`'s host: the same host, or one that is up and not cut off.
    func reachesHost(_ host: Int, _ k: Int) -> Bool {
        serverHosts[k] == host || (model.infrastructure.hosts[serverHosts[k]].state.isUp && !cut(host, serverHosts[k]))
    }

    /// A client on `host` and server `k` can exchange packets (the server's process runs).
    func talks(_ host: Int, _ k: Int) -> Bool { serverUp[k] && reachesHost(host, k) }

    /// Server `k` takes a client on `host`: it runs, follows or leads the serving majority, and
    /// the client reaches it.
    func serves(_ k: Int, forClientOn host: Int) -> Bool {
        serving && serverReachable(k) && talks(host, k)
    }

    /// A connected session reaches the ensemble through its server; one without a server would
    /// reach it through any server that serves it.
    func reachable(_ s: Session) -> Bool {
        guard s.clientAlive, serving else { return false }
        if s.server >= 0 { return serves(s.server, forClientOn: s.host) }
        return s.order.contains { serves($0, forClientOn: s.host) }
    }

    // MARK: a client's own server (ClientCnxn, StaticHostProvider of ZooKeeper 3.4)

    /// Server `i` went away while the ensemble may still serve: the sessions connected to it lose
    /// their connection, at once when the host resets it, after the read timeout when the host is gone.
    func serverLost(_ i: Int, noticedAfterReadTimeout: Bool) {
        guard serving else { return }   // stopServing already disconnected everyone
        for s in sessions where s.clientAlive && s.serverAlive && s.clientState == .connected && s.server == i && !reachable(s) {
            if noticedAfterReadTimeout { if s.gen & 1 == 0 { readTimeout(s) } } else { disconnect(s) }
        }
    }

    /// The client stops hearing its server: the leader stops hearing its pings now; the client
    /// notices after its read timeout (2/3 of the session timeout, ClientCnxn).
    func readTimeout(_ s: Session) {
        scheduleServerExpiry(s, lastPing: lastPing(s, before: now))
        s.clientGen &+= 1
        model.sim.schedule(after: SimDuration(nanoseconds: s.timeout.nanoseconds * 2 / 3), target: target,
                           kind: Kind.clientDetect.rawValue, arg: pack(s.id, s.clientGen))
    }

    /// The connection to its server is gone while the ensemble serves: the session lives on in the
    /// ensemble until it expires; the client tells its owner and goes looking for another server.
    func disconnect(_ s: Session) {
        if s.gen & 1 == 0 { scheduleServerExpiry(s, lastPing: lastPing(s, before: now)) }
        model.log("zookeeper", "sessionDisconnected", "session-\(s.id)",
                  "client on \(model.infrastructure.hosts[s.host].name) lost \(s.server >= 0 ? serverName(s.server) : "its server")")
        s.clientState = .disconnected
        s.server = -1
        s.clientGen &+= 1
        model.sim.schedule(after: s.timeout, target: target, kind: Kind.clientExpire.rawValue, arg: pack(s.id, s.clientGen))
        // the reconnection is under way before the owner hears of it (a close it makes then goes
        // out on that connection)
        scheduleAttempt(s)
        s.client.zooKeeper(self, disconnected: s.id)
    }

    /// ClientCnxn.SendThread: before each attempt after the first connection the client sleeps
    /// U[0, 1 s); it takes the next server of its shuffled list, and 1 s more when that is the one
    /// it was last connected to (StaticHostProvider.next's spin after a full pass). A server that
    /// runs but does not serve refuses at once; one whose host is down or cut off costs the connect
    /// timeout, session timeout / servers. One event: the attempt at the first server that serves
    /// now (the walk is redone if that changed by then). With no server serving the client is
    /// parked until one does (`retryParked`), as if its next pass found it.
    func scheduleAttempt(_ s: Session) {
        guard s.clientAlive, s.serverAlive, s.clientState == .disconnected, !s.attemptPending else { return }
        guard serving, s.order.contains(where: { serves($0, forClientOn: s.host) }) else { return }
        let n = s.order.count
        var delay = 0.0
        var c = s.cursor
        for _ in 0..<n {
            delay += connectStream.uniform()
            c = (c + 1) % n
            let k = s.order[c]
            if k == s.lastConnected { delay += 1 }
            if serves(k, forClientOn: s.host) { break }
            if !reachesHost(s.host, k) { delay += s.timeout.seconds / Double(n) }
        }
        s.cursor = c
        s.attemptPending = true
        s.attemptGen &+= 1
        model.sim.schedule(after: SimDuration(nanoseconds: Int64((delay * 1e9).rounded())), target: target, kind: Kind.attempt.rawValue, arg: pack(s.id, s.attemptGen))
    }

    /// Servers came back: disconnected clients without an attempt under way try again.
    func retryParked() {
        guard serving else { return }
        for s in sessions where s.clientAlive && s.serverAlive && s.clientState == .disconnected && !s.attemptPending {
            scheduleAttempt(s)
        }
    }


    func isPinging(_ s: Session) -> Bool { s.serverAlive && serving && s.clientState == .connected && reachable(s) }

    func lastPing(_ s: Session, before t: SimTime) -> SimTime {
        let period = max(1, s.timeout.nanoseconds / 3)
        let k = (t - s.pingOrigin).nanoseconds / period
        return s.pingOrigin + SimDuration(nanoseconds: k * period)
    }

    /// ExpiryQueue.roundToNextInterval(lastTouch + timeout).
    public func expiryBucket(lastTouch: SimTime, timeout: SimDuration) -> SimTime {
        let tick = spec.tickTime.nanoseconds
        let t = (lastTouch + timeout).nanoseconds
        return SimTime(nanoseconds: (t / tick + 1) * tick)
    }

    func scheduleServerExpiry(_ s: Session, lastPing: SimTime) {
        guard serving, s.serverAlive else { return }
        s.gen = (s.gen &+ 2) | 1   // odd: an expiry is pending
        let at = max(now, expiryBucket(lastTouch: lastPing, timeout: s.timeout))
        model.sim.schedule(at: at, target: target, kind: Kind.serverExpire.rawValue, arg: pack(s.id, s.gen))
    }

    private func pack(_ id: Int, _ g: Int32) -> Int64 { IndexGeneration.pack(id, g) }

    func reevaluate() {
        var reach = 0
        for i in serverHosts.indices where serverReachable(i) { reach += 1 }
        let q = reach >= quorumSize
        if serving {
            let leaderOK = leader.map { serverReachable($0) } ?? false
            if !q || !leaderOK { stopServing(quorumLost: !q); if q { startElection() } }
        } else if electionPending && !q {
            electionPending = false
            epoch &+= 1
        } else if !electionPending && q {
            startElection()
        }
    }

    func startElection() {
        electionPending = true
        epoch &+= 1
        model.sim.schedule(after: spec.electionTime, target: target, kind: Kind.election.rawValue, arg: Int64(epoch))
    }

    func stopServing(quorumLost: Bool) {
        serving = false
        model.signals.publish(.zooKeeperServing(false))
        let old = leader
        leader = nil
        epoch &+= 1
        outages.append((now, nil))
        if quorumLost { quorumLosses += 1 }
        model.log("zookeeper", quorumLost ? "quorumLost" : "leaderLost", old.map(serverName) ?? "-",
                  "\(reachableServers) of \(serverHosts.count) servers reachable")
        var affected: [Session] = []
        for s in sessions where s.serverAlive {
            s.gen = (s.gen &+ 2) & ~1   // no server-side expiry without a leader
            if s.clientAlive && s.clientState == .connected {
                // servers close client connections when they stop serving
                s.clientState = .disconnected
                s.server = -1
                s.clientGen &+= 1
                model.sim.schedule(after: s.timeout, target: target, kind: Kind.clientExpire.rawValue, arg: pack(s.id, s.clientGen))
                affected.append(s)
            }
        }
        for s in affected { s.client.zooKeeper(self, disconnected: s.id) }
    }

    func electionDone() {
        electionPending = false
        var best: Int? = nil
        for i in serverHosts.indices where serverReachable(i) { best = i }   // highest server id (equal zxids)
        guard let l = best else { return }
        leader = l
        serving = true
        model.signals.publish(.zooKeeperServing(true))
        if let last = outages.last, last.regained == nil { outages[outages.count - 1].regained = now }
        model.log("zookeeper", "leaderElected", serverName(l), "\(reachableServers) of \(serverHosts.count) servers reachable")
        // The new leader's session tracker re-adds every session with a full timeout from now.
        var toNotify: [(Session, Bool)] = []
        for s in sessions where s.serverAlive {
            s.gen = (s.gen &+ 2) & ~1
            if s.clientAlive && s.clientState == .connecting && reachable(s), let k = firstServing(s) {
                // a first connection: no sleep before it (ClientCnxn's isFirstConnect)
                connect(s, to: k)
                toNotify.append((s, false))
            } else {
                // the others reconnect after their sleep (`scheduleAttempt`), or expire
                scheduleServerExpiry(s, lastPing: now)
            }
        }
        for (s, re) in toNotify { s.client.zooKeeper(self, connected: s.id, reconnected: re) }
        retryParked()
    }

    /// The first server of the client's list, from its position on, that takes it now.
    func firstServing(_ s: Session) -> Int? {
        let n = s.order.count
        for j in 1...max(1, n) {
            let c = (s.cursor + j + n) % n
            if serves(s.order[c], forClientOn: s.host) { s.cursor = c; return s.order[c] }
        }
        return nil
    }

    func connect(_ s: Session, to k: Int) {
        s.server = k
        s.lastConnected = k
        s.attemptPending = false
        s.attemptGen &+= 1
        s.clientState = .connected
        s.clientGen &+= 1
        s.gen = (s.gen &+ 2) & ~1
        s.pingOrigin = now
    }

    /// Connects the session to server `k` (or the first that serves it): the client is told it
    /// is connected again, that its session expired meanwhile, or, closing, the session ends.
    func reconnect(_ s: Session, to given: Int? = nil) {
        guard serving, s.clientAlive, let k = given ?? firstServing(s) else { return }
        if !s.serverAlive {
            // told at reconnection that the session expired
            s.clientState = .gone; s.clientAlive = false; s.clientGen &+= 1
            s.attemptPending = false
            if !s.closing { s.client.zooKeeper(self, expired: s.id) }
            return
        }
        if s.closing {
            // the closeSession packet goes out on the new connection
            s.clientAlive = false; s.clientState = .gone; s.clientGen &+= 1
            s.attemptPending = false
            endSession(s, expired: false)
            return
        }
        let re = s.clientState != .connecting
        connect(s, to: k)
        if re {
            model.log("zookeeper", "sessionReconnected", "session-\(s.id)",
                      "client on \(model.infrastructure.hosts[s.host].name) to \(serverName(k))")
        }
        s.client.zooKeeper(self, connected: s.id, reconnected: re)
    }

    func endSession(_ s: Session, expired: Bool) {
        s.serverAlive = false
        s.gen &+= 2
        if expired {
            sessionsExpired += 1
            model.log("zookeeper", "sessionExpired", "session-\(s.id)", "host \(model.infrastructure.hosts[s.host].name); timeout \(s.timeout)")
        }
        for path in s.znodes {
            if var list = nodes[path] {
                let before = list.count
                list.removeAll { $0.session == s.id }
                nodes[path] = list
                if list.count != before { changed(path) }
            }
        }
        s.znodes = []
    }

    func changed(_ path: String) {
        guard let ws = watchers[path] else { return }
        for w in ws {
            pending.append((path, w))
            model.sim.schedule(after: spec.notificationDelay, target: target, kind: Kind.notify.rawValue)
        }
    }

    public func handle(_ event: Event, in sim: Simulation) {
        switch Kind(rawValue: event.kind) {
        case .election:
            if Int32(event.arg) == epoch && electionPending { electionDone() }
        case .serverExpire:
            let (id, gen) = IndexGeneration.unpack(event.arg)
            let s = sessions[id]
            guard gen == s.gen, serving, s.serverAlive else { return }
            endSession(s, expired: true)
        case .clientExpire:
            let (id, gen) = IndexGeneration.unpack(event.arg)
            let s = sessions[id]
            guard gen == s.clientGen, s.clientAlive, s.clientState == .disconnected else { return }
            // The client gives the session up (Mesos' group: disconnected for a session timeout).
            s.clientState = .gone; s.clientAlive = false; s.clientGen &+= 1
            if s.serverAlive && serving && !(s.gen & 1 == 1) { scheduleServerExpiry(s, lastPing: lastPing(s, before: now)) }
            model.log("zookeeper", "sessionTimedOut", "session-\(s.id)", "client on \(model.infrastructure.hosts[s.host].name) disconnected for \(s.timeout)")
            s.client.zooKeeper(self, expired: s.id)
        case .clientDetect:
            let (id, gen) = IndexGeneration.unpack(event.arg)
            let s = sessions[id]
            guard gen == s.clientGen, s.clientAlive, s.clientState == .connected, !reachable(s) else { return }
            if serving {
                disconnect(s)   // measured from the disconnection the client noticed
            } else {
                s.clientState = .disconnected
                s.server = -1
                s.clientGen &+= 1
                model.sim.schedule(after: s.timeout, target: target, kind: Kind.clientExpire.rawValue, arg: pack(s.id, s.clientGen))
                s.client.zooKeeper(self, disconnected: s.id)
            }
        case .notify:
            let (path, w) = pending[pendingHead]
            pendingHead += 1
            if pendingHead > 64 && pendingHead * 2 > pending.count { pending.removeFirst(pendingHead); pendingHead = 0 }
            w.zooKeeper(self, childrenChanged: path)
        case .establish:
            let s = sessions[Int(event.arg)]
            if s.clientState == .connecting { reconnect(s) }
        case .attempt:
            let (id, gen) = IndexGeneration.unpack(event.arg)
            let s = sessions[id]
            guard gen == s.attemptGen, s.attemptPending else { return }
            s.attemptPending = false
            guard s.clientAlive, s.clientState == .disconnected else { return }
            let k = s.order[s.cursor]
            if serves(k, forClientOn: s.host) {
                reconnect(s, to: k)
            } else if s.closing {
                // the close failed with the connection: the session is left to expire
                s.closing = false
                clientDied(s.id)
            } else {
                scheduleAttempt(s)
            }
        case nil:
            preconditionFailure("unknown zookeeper event \(event.kind)")
        }
    }
}
