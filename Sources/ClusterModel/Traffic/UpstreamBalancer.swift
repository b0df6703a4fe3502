import SimKernel

/// One nginx worker's view of an `upstream` block: the peers with their balancing and passive
/// health state, as nginx/src/http/ngx_http_upstream_round_robin.c and
/// ngx_http_upstream_least_conn_module.c keep it (release 1.10-1.14). nginx keeps this state per
/// worker and per configuration: a reload starts new workers with fresh state, so the traffic
/// model makes one balancer per (proxy, generation, upstream) and models one worker per proxy.
///
/// nginx's clock here is `ngx_time()`, whole seconds: `fail_timeout` windows are compared in
/// whole seconds as nginx does.
final class UpstreamBalancer {
    struct Peer {
        var server: UpstreamServer
        var currentWeight = 0
        var effectiveWeight: Int
        var fails = 0
        var accessed: Int64 = 0
        var checked: Int64 = 0
        var conns = 0
        /// Requests sent to it (for tests and the fluid cross-checks).
        var picks = 0
        init(_ s: UpstreamServer) { server = s; effectiveWeight = s.weight }
        var failTimeoutSeconds: Int64 { server.failTimeout.nanoseconds / 1_000_000_000 }
    }
    /// Primary peers, then backup peers (`backup` servers: used only when no primary is available).
    private(set) var peers: [Peer]
    let primaryCount: Int
    let method: UpstreamMethod
    /// `peers->single`: one primary server and no backup. nginx then ignores max_fails and tries only it.
    let single: Bool
    /// Requests of this configuration still in flight (old generations drain).
    var inFlight = 0
    /// Its proxy runs a newer generation: released when `inFlight` drops to 0 (`BalancerTable`).
    var retired = false
    /// Peers taken out for max_fails (each time a peer reaches it), for the event log and tests.
    private(set) var disabledCount = 0

    init(_ upstream: ProxyUpstream) {
        let prim = upstream.servers.filter { !$0.backup }, back = upstream.servers.filter { $0.backup }
        peers = (prim + back).map(Peer.init)
        primaryCount = prim.count
        method = upstream.method
        single = prim.count == 1 && back.isEmpty
    }

    var count: Int { peers.count }
    func server(_ i: Int) -> UpstreamServer { peers[i].server }

    /// `ngx_http_upstream_tries`: how many peers a request may try (primary + backup).
    var tries: Int { peers.count }

    static func seconds(_ t: SimTime) -> Int64 { t.nanoseconds / 1_000_000_000 }

    /// Whether peer i is skipped now for max_fails/fail_timeout (ngx_http_upstream_get_peer).
    func isFailed(_ i: Int, now: SimTime) -> Bool {
        let p = peers[i]
        return p.server.maxFails > 0 && p.fails >= p.server.maxFails && Self.seconds(now) - p.checked <= p.failTimeoutSeconds
    }

    /// Whether peer i could be chosen now (not down, not failed).
    func isAvailable(_ i: Int, now: SimTime) -> Bool { !peers[i].server.down && !isFailed(i, now: now) }

    /// Picks a peer for a request that already tried the peers in `tried` (indices). nil: NGX_BUSY
    /// ("no live upstreams"): then every peer's `fails` is reset, as nginx does for quick recovery.
    func pick(now: SimTime, tried: [Int]) -> Int? {
        let s = Self.seconds(now)
        if single {
            if peers[0].server.down { return nil }
            peers[0].conns += 1
            peers[0].picks += 1
            return 0
        }
        if let i = choose(in: 0..<primaryCount, now: s, tried: tried) ?? choose(in: primaryCount..<peers.count, now: s, tried: tried) {
            peers[i].conns += 1
            peers[i].picks += 1
            return i
        }
        for i in peers.indices { peers[i].fails = 0 }
        return nil
    }

    private func eligible(_ i: Int, _ now: Int64, _ tried: [Int]) -> Bool {
        let p = peers[i]
        if p.server.down || tried.contains(i) { return false }
        if p.server.maxFails > 0 && p.fails >= p.server.maxFails && now - p.checked <= p.failTimeoutSeconds { return false }
        return true
    }

    /// Smooth weighted round robin over the eligible peers of `range` (least_conn first keeps
    /// only the peers with the fewest connections per weight, then breaks ties the same way).
    /// Two passes over the peers, nothing allocated.
    private func choose(in range: Range<Int>, now: Int64, tried: [Int]) -> Int? {
        var least = -1
        if method == .leastConn {
            var ties = 0
            for i in range where eligible(i, now, tried) {
                if least < 0 || peers[i].conns * peers[least].server.weight < peers[least].conns * peers[i].server.weight {
                    least = i; ties = 1
                } else if peers[i].conns * peers[least].server.weight == peers[least].conns * peers[i].server.weight {
                    ties += 1
                }
            }
            if least < 0 { return nil }
            if ties == 1 { return mark(least, total: nil, now: now) }
        }
        var best = -1, total = 0
        for i in range where eligible(i, now, tried) {
            if least >= 0 && peers[i].conns * peers[least].server.weight != peers[least].conns * peers[i].server.weight { continue }
            peers[i].currentWeight += peers[i].effectiveWeight
            total += peers[i].effectiveWeight
            if peers[i].effectiveWeight < peers[i].server.weight { peers[i].effectiveWeight += 1 }
            if best < 0 || peers[i].currentWeight > peers[best].currentWeight { best = i }
        }
        return best < 0 ? nil : mark(best, total: total, now: now)
    }

    private func mark(_ i: Int, total: Int?, now: Int64) -> Int {
        if let t = total { peers[i].currentWeight -= t }
        if now - peers[i].checked > peers[i].failTimeoutSeconds { peers[i].checked = now }
        return i
    }

    /// `ngx_http_upstream_free_round_robin_peer`: the request is done with peer i, failed (an
    /// error or timeout that proxy_next_upstream counts) or not. Returns true when this failure
    /// takes the peer out (fails at or above max_fails: out for fail_timeout from now).
    @discardableResult
    func free(_ i: Int, failed: Bool, now: SimTime) -> Bool {
        peers[i].conns -= 1
        if single { return false }
        let s = Self.seconds(now)
        if failed {
            peers[i].fails += 1
            peers[i].accessed = s
            peers[i].checked = s
            let mf = peers[i].server.maxFails
            if mf > 0 {
                peers[i].effectiveWeight -= peers[i].server.weight / mf
                if peers[i].effectiveWeight < 0 { peers[i].effectiveWeight = 0 }
                if peers[i].fails >= mf { disabledCount += 1; return true }
            }
        } else if peers[i].accessed < peers[i].checked {
            peers[i].fails = 0
        }
        return false
    }

    /// The peer's fails counter (tests).
    func fails(_ i: Int) -> Int { peers[i].fails }
    /// Requests sent to the peer so far.
    func picks(_ i: Int) -> Int { peers[i].picks }
}
