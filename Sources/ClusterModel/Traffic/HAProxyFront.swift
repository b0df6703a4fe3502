import SimKernel

// `via: marathon-lb`: requests enter one of marathon-lb's HAProxy instances (round robin over the
// instances whose host is up and that accept), the frontend named by the service in the
// instance's current configuration generation, and its backend: `balance roundrobin` (weighted)
// or `leastconn` over the servers HAProxy's own checks hold UP, per-server and frontend `maxconn`
// with a FIFO backend queue (`timeout queue`), `retries` on connection failures on the same
// server and `option redispatch` for the last one (HAProxy 1.7 configuration manual, sections
// 4.2 "balance", "maxconn", "retries", "option redispatch", "timeout queue", 5.2 "inter", "fall",
// "rise"). Old generations keep their in-flight requests (a reloaded HAProxy drains).

/// HAProxyTable's marks of what may have changed: `dirty`, a backend of the live list may have
/// stopped being live since the last walk through the list dropped those that are not; `sweep`,
/// a backend kept aside may have become releasable (or live again) since the last sweep.
final class HAProxyLiveMark {
    var dirty = true, sweep = true
    func shrank() { dirty = true; sweep = true }
}

/// One server of a backend as the data plane tracks it.
struct HAProxyServerState {
    var server: HAProxyServer
    /// Connections open to it now, and connections it was given in all.
    var conns = 0
    var picks = 0
    /// When it was last picked (leastconn's round robin among equally loaded servers).
    var stamp = 0
    /// Smooth weighted round robin's running weight.
    var current = 0
    /// The check tick phase: checks at phase + k·inter.
    var phase = SimDuration.zero
    /// What the server last was seen as (reachable or not) and since when.
    var bad = false
    var since = SimTime.zero
    /// HAProxy's check health counter at `since`, before the checks of this run (check.c): UP
    /// while it is at least `rise`; nil until the backend state sets it (the server's rise: a
    /// server new to HAProxy is "up, but will fall down at first failure").
    var health: Int?
    /// Its task's hang is in the backend's `hangs` (the walk looks at it again then).
    var hangQueued = false
}

/// A backend of one instance and generation: its servers, queue and counters.
final class HAProxyBackendState {
    let defaults: HAProxyDefaults
    let balance: HAProxyBalance
    var servers: [HAProxyServerState]
    /// Requests waiting for a connection slot (slots of the traffic model), FIFO.
    private(set) var queue: [Int32] = []
    private var head = 0
    /// Sessions of the frontends that use it holding a server connection.
    var active = 0 { didSet { if active < oldValue { shrunk?.shrank() } } }
    /// Told when its connections or queue shrink (it may no longer be live: HAProxyTable).
    var shrunk: HAProxyLiveMark?
    var queueTimeouts = 0
    private var picked = 0
    /// Requests that entered through it and have not ended (per-request mode).
    var holders = 0 { didSet { if holders < oldValue { shrunk?.sweep = true } } }
    /// The newest state of its backend name in its instance (a later generation inherits from it);
    /// kept aside by the table until it can be released (HAProxyTable.swift).
    var newest = false
    var aside = false
    /// The checked servers as the observation walk reads them (nil until its first walk).
    var watch: [HAProxyWatch]?
    /// What the signalled walk (HAProxyWalk.swift) needs to look only at the servers whose answer
    /// can have changed: whether its next walk must look at every server (made or relisted since
    /// the last walk), the servers of each watched task, the checked servers without a watched
    /// task (looked at by every walk), and the hangs still to come of the servers seen answering
    /// (latest first: the next is the last element).
    var fullVisit = true
    var serverOfTask: [TaskID: Int] = [:]
    var unwatched: [Int] = []
    var hangs: [(at: SimTime, server: Int)] = []
    /// The host of the HAProxy instance it belongs to (-1: unknown): its checks go from there to
    /// each server's host, the path its requests take (`TrafficModel.reach`).
    var lbHost = -1
    /// `createdAt`: when the data plane first needs the backend (the first request through it, or
    /// a sample of it: soon after the reload that brought it); its servers' checks start then.
    init(_ b: HAProxyBackend, defaults: HAProxyDefaults, stream: RandomStream, createdAt: SimTime = .zero) {
        self.defaults = defaults; balance = b.balance
        servers = b.servers.map { s in
            var st = HAProxyServerState(server: s)
            if let c = s.check {
                st.phase = SimDuration.fromSeconds(stream.uniform() * c.inter.seconds)
                st.health = Self.rise(c)
                st.since = createdAt
            }
            return st
        }
    }

    static func rise(_ c: HAProxyCheck) -> Int { max(1, c.rise) }
    static func fall(_ c: HAProxyCheck) -> Int { max(1, c.fall) }

    /// HAProxy's health counter after `n` check results of one kind from `h` (src/check.c,
    /// `check_notify_failure` / `check_notify_success`): a failure takes one off and drops it to 0
    /// below `rise` (DOWN); a pass adds one, and at `rise` or above sets it to `rise + fall - 1`
    /// ("OK now"). So a server at full health goes DOWN at its `fall`-th failure, a DOWN one comes
    /// UP at its `rise`-th pass, one still short of `rise` falls back to 0 at a failure, and one at
    /// exactly `rise` (new, or just UP) is full again at its first pass.
    static func health(after n: Int, passes: Bool, from h: Int, _ c: HAProxyCheck) -> Int {
        guard n > 0 else { return h }
        let rise = Self.rise(c), full = rise + Self.fall(c) - 1
        if passes { return h + n >= rise ? full : h + n }
        return h - n >= rise ? h - n : 0
    }

    /// Check ticks of server `s` at or after its run's start and at or before `now`.
    static func ticks(_ s: HAProxyServerState, _ c: HAProxyCheck, through now: SimTime) -> Int {
        let first = firstTick(phase: s.phase, inter: c.inter, atOrAfter: s.since)
        guard now >= first else { return 0 }
        return Int((now - first).nanoseconds / max(1, c.inter.nanoseconds)) + 1
    }

    /// The run's health at its start (a full one for a state made without a backend's checks).
    static func startHealth(_ s: HAProxyServerState, _ c: HAProxyCheck) -> Int { s.health ?? (rise(c) + fall(c) - 1) }

    /// A released slot of the table (no servers: nothing reaches it).
    init() { defaults = HAProxyDefaults(); balance = .roundRobin; servers = [] }

    var queued: Int { queue.count - head }
    func push(_ slot: Int32) { queue.append(slot) }
    func pop() -> Int32? {
        guard head < queue.count else { return nil }
        let s = queue[head]; head += 1
        shrunk?.shrank()
        if head > 64 && head * 2 > queue.count { queue.removeFirst(head); head = 0 }
        return s
    }
    /// Takes a request out of the queue (it timed out or its client left).
    func remove(_ slot: Int32) -> Bool {
        guard let i = queue[head...].firstIndex(of: slot) else { return false }
        queue.remove(at: i)
        shrunk?.shrank()
        return true
    }

    /// Whether HAProxy's checks hold server `i` UP at `now`: its health counter, from the run's
    /// start through the check ticks since (`health(after:)`), is at least `rise` (configuration
    /// manual 5.2 `inter`, `fall`, `rise`). A server at full health seen failing since `t` goes
    /// DOWN at its first tick at or after `t` plus (fall - 1)·inter; a DOWN one seen answering
    /// again is UP (rise - 1)·inter after its first passing tick; a new one goes DOWN at its first
    /// failed check.
    func isUp(_ i: Int, now: SimTime) -> Bool {
        let s = servers[i]
        guard let c = s.server.check else { return true }
        return Self.health(after: Self.ticks(s, c, through: now), passes: !s.bad, from: Self.startHealth(s, c), c) >= Self.rise(c)
    }

    /// When the checks mark server `i`, seen failing, DOWN (nil: seen answering, or no checks; the
    /// run's start when it was DOWN already).
    func downAt(_ i: Int) -> SimTime? {
        let s = servers[i]
        guard s.bad, let c = s.server.check else { return nil }
        let h = Self.startHealth(s, c), rise = Self.rise(c)
        guard h >= rise else { return s.since }
        return Self.firstTick(phase: s.phase, inter: c.inter, atOrAfter: s.since) + c.inter * Int64(h - rise)
    }

    /// When the checks mark server `i`, seen answering again, UP (nil: seen failing, or no checks;
    /// the run's start when it was UP already).
    func upAt(_ i: Int) -> SimTime? {
        let s = servers[i]
        guard !s.bad, let c = s.server.check else { return nil }
        let h = Self.startHealth(s, c), rise = Self.rise(c)
        guard h < rise else { return s.since }
        return Self.firstTick(phase: s.phase, inter: c.inter, atOrAfter: s.since) + c.inter * Int64(rise - h - 1)
    }

    static func firstTick(phase: SimDuration, inter: SimDuration, atOrAfter t: SimTime) -> SimTime {
        let p = phase.nanoseconds, iv = max(1, inter.nanoseconds), x = t.nanoseconds
        let k = x <= p ? 0 : (x - p + iv - 1) / iv
        return SimTime(nanoseconds: p + k * iv)
    }

    /// Records what a connection to server `i` meets now (a change starts a new run of checks).
    func observe(_ i: Int, bad: Bool, at t: SimTime) {
        guard servers[i].bad != bad else { return }
        if let c = servers[i].server.check {
            // the counter where the run being ended left it: its ticks before `t` (one at `t` is the new run's)
            let s = servers[i]
            let n = t > s.since ? Self.ticks(s, c, through: SimTime(nanoseconds: t.nanoseconds - 1)) : 0
            servers[i].health = Self.health(after: n, passes: !s.bad, from: Self.startHealth(s, c), c)
        }
        setBad(i, bad)
        servers[i].since = t
    }

    private func setBad(_ i: Int, _ bad: Bool) {
        servers[i].bad = bad
        if bad {
            failingServers.append(i)
        } else if let k = failingServers.lastIndex(of: i) {
            failingServers.swapAt(k, failingServers.count - 1)
            failingServers.removeLast()
        }
    }
    /// The servers seen failing, in no particular order (a server turning good takes the last
    /// one's place: `forEachFailing`).
    private(set) var failingServers: [Int] = []
    var failing: Int { failingServers.count }

    /// Calls `body` with each server seen failing, which may see it answering again (it leaves
    /// the list; the others stay where the walk has yet to reach them).
    func forEachFailing(_ body: (Int) -> Void) {
        var k = failingServers.count - 1
        while k >= 0 {
            if k < failingServers.count { body(failingServers[k]) }
            k -= 1
        }
    }

    /// Server `i` is seen answering and its process hangs at `at`: the walk looks at it then.
    func queueHang(_ i: Int, at: SimTime) {
        guard !servers[i].hangQueued else { return }
        servers[i].hangQueued = true
        var k = hangs.count
        while k > 0 && hangs[k - 1].at < at { k -= 1 }
        hangs.insert((at, i), at: k)
    }

    /// The check state of the servers of an older generation with the same names.
    func inherit(from old: HAProxyBackendState) {
        for i in servers.indices {
            guard let o = old.servers.first(where: { $0.server.name == servers[i].server.name }) else { continue }
            servers[i].phase = o.phase; servers[i].since = o.since; servers[i].health = o.health
            if o.bad != servers[i].bad { setBad(i, o.bad) }
        }
    }

    /// Whether a server has a free connection slot (per-server maxconn, 0: none).
    func hasRoom(_ i: Int) -> Bool { servers[i].server.maxconn == 0 || servers[i].conns < servers[i].server.maxconn }

    /// The server the balance algorithm picks among the UP servers with room, other than `except`.
    func choose(now: SimTime, except: Int? = nil) -> Int? {
        var best: Int?
        var total = 0
        for i in servers.indices where i != except && isUp(i, now: now) && hasRoom(i) {
            switch balance {
            case .leastConn:
                // the fewest connections; among equals, round robin (configuration manual 4.2 "balance")
                if best == nil || (servers[i].conns, servers[i].stamp) < (servers[best!].conns, servers[best!].stamp) { best = i }
            default:
                // smooth weighted round robin: every weight adds, the largest goes and pays the total
                let w = max(0, servers[i].server.weight)
                guard w > 0 else { continue }
                servers[i].current += w; total += w
                if best == nil || servers[i].current > servers[best!].current { best = i }
            }
        }
        if let b = best {
            if balance != .leastConn { servers[b].current -= total }
            picked += 1; servers[b].stamp = picked
        }
        return best
    }

    /// Whether any server is UP (otherwise HAProxy answers 503 at once).
    func anyUp(now: SimTime) -> Bool { servers.indices.contains { isUp($0, now: now) } }
}

/// The front of a `via: marathon-lb` service.
final class HAProxyFront: RequestFront {
    let table: HAProxyTable
    let frontend: String
    let instances: [Int]
    let hostUp: (Int) -> Bool
    private var next = 0
    /// Called when a server connection of a backend is freed (the engine serves its queue).
    var onFree: ((Int32) -> Void)?
    /// Instances `enter` looked at, in all (work counted by the tests: linear in the instances).
    private(set) var scanned = 0

    init(table: HAProxyTable, frontend: String, instance: Int?, hostUp: @escaping (Int) -> Bool) {
        self.table = table; self.frontend = frontend; self.hostUp = hostUp
        let n = table.control.haproxyInstances.count
        instances = instance.map { $0 < n ? [$0] : [] } ?? Array(0..<n)
    }

    /// Why `open` could not enter: every live instance is in its reload gap or has its frontend
    /// full with a full accept queue (the SYN is dropped: the client retransmits), or none is up.
    /// `listening`: the instance's frontend is at its maxconn and the connection waits in its
    /// listening socket's accept queue (per-request mode: `count`).
    enum Entry { case entered(FrontHandle), retransmit, refused(FrontRefusal), listening(instance: Int, generation: Int) }
    /// Called when a session of this frontend closes on instance `i` (its accept queue may go on).
    var onClosed: ((Int) -> Void)?

    /// `count`: a session starts (fluid mode looks without counting). `ignoreGap`: fluid mode
    /// enters an instance in its reload gap (its SYN delays are accounted apart).
    func enter(now: SimTime, count: Bool = true, ignoreGap: Bool = false) -> Entry {
        guard !instances.isEmpty else { return .refused(.noProxy) }
        var gap = false, full = false
        for k in 0..<instances.count {
            let i = instances[(next + k) % instances.count]
            scanned &+= 1
            let host = table.control.haproxyInstances[i].host
            guard hostUp(host) else { continue }
            let g = table.control.haproxyGeneration(i)
            // an instance of another HAPROXY_GROUP does not bind this frontend: the client's
            // address for the service (the group's marathon-lb) never leads there
            guard let fe = table.frontend(frontend, instance: i, generation: g) else { continue }
            guard ignoreGap || table.control.haproxyAccepts(i, now: now) else { gap = true; continue }
            // a full frontend: the connection waits in the accept queue, or its SYN is dropped
            // when that is full too (the client's retransmission may meet another instance)
            if count && (table.listening(i, frontend, generation: g) > 0 || table.frontendFull(i, frontend, generation: g)) {
                guard table.listenRoom(i, frontend, generation: g) else { full = true; gap = true; continue }
                next = (next + k + 1) % instances.count
                return .listening(instance: i, generation: g)
            }
            next = (next + k + 1) % instances.count
            guard let b = table.backend(instance: i, generation: g, backend: fe.backend, now: now) else { return .refused(.noRoute) }
            if count { table.stats[i].opened(table.slot(i, frontend, generation: g), now: now) }
            return .entered(FrontHandle(proxy: Int32(i), balancer: b, host: Int32(host), generation: Int32(g)))
        }
        // one SYN dropped (model choice: one that met a full instance went on to another that took it)
        if gap && full { table.noteListenDrop() }
        return gap ? .retransmit : .refused(.noProxy)
    }

    /// HAProxy accepts a connection of instance `i`'s accept queue (the running process `g`):
    /// a session starts on its frontend. nil: the process no longer binds the frontend or lacks the backend.
    func accept(_ i: Int, generation g: Int, now: SimTime) -> FrontHandle? {
        guard let fe = table.frontend(frontend, instance: i, generation: g),
              let b = table.backend(instance: i, generation: g, backend: fe.backend, now: now) else { return nil }
        table.stats[i].opened(table.slot(i, frontend, generation: g), now: now)
        return FrontHandle(proxy: Int32(i), balancer: b, host: Int32(table.control.haproxyInstances[i].host), generation: Int32(g))
    }

    /// Whether instance `i` could take this frontend's connections (its host up, its running
    /// configuration binding the frontend), reload gap or not.
    func binds(_ i: Int) -> Bool {
        guard hostUp(table.control.haproxyInstances[i].host) else { return false }
        return table.frontend(frontend, instance: i, generation: table.control.haproxyGeneration(i)) != nil
    }

    func open(now: SimTime) -> FrontOpen {
        switch enter(now: now) {
        case .entered(let h): return .entered(h)
        case .retransmit, .listening: return .refused(.noProxy)
        case .refused(let r): return .refused(r)
        }
    }

    func route(_ h: FrontHandle) -> ProxyRoute {
        let d = table[h.balancer].defaults
        return ProxyRoute(location: "/", upstream: 0, connectTimeout: d.timeoutConnect, readTimeout: d.timeoutServer,
                          nextUpstream: [.error, .timeout], nextUpstreamTries: d.retries + 1)
    }

    /// The first attempt and `retries` retries.
    func tries(_ h: FrontHandle) -> Int { table[h.balancer].defaults.retries + 1 }

    /// Whether the request must wait in the backend queue: no UP server has room under its
    /// `maxconn` (configuration manual 5.2 `maxconn`: "excess connections will be queued").
    func mustQueue(_ h: FrontHandle, now: SimTime) -> Bool {
        let b = table[h.balancer]
        return b.anyUp(now: now) && !b.servers.indices.contains { b.isUp($0, now: now) && b.hasRoom($0) }
    }

    /// Retries stay on the server tried; with `option redispatch` the last one goes elsewhere.
    func pick(_ h: FrontHandle, now: SimTime, tried: [Int]) -> FrontPeer? {
        let b = table[h.balancer]
        let i: Int?
        if let last = tried.last {
            let redispatch = b.defaults.redispatch && tried.count == b.defaults.retries
            i = redispatch ? (b.choose(now: now, except: last) ?? last) : last
        } else {
            i = b.choose(now: now)
        }
        guard let i else { return nil }
        b.servers[i].conns += 1
        b.servers[i].picks += 1
        b.active += 1
        table.relist(h.balancer)
        return FrontPeer(peer: i, instance: b.servers[i].server.instance)
    }

    @discardableResult
    func free(_ h: FrontHandle, peer: Int, failed: Bool, now: SimTime) -> UpstreamServer? {
        let b = table[h.balancer]
        b.servers[peer].conns -= 1
        b.active -= 1
        onFree?(h.balancer)
        return nil
    }

    func close(_ h: FrontHandle) {
        table.stats[Int(h.proxy)].closed(frontend, generation: Int(h.generation))
        onClosed?(Int(h.proxy))
    }
}
