import SimKernel

// Where a request enters: the "front" of a service. nginx (a proxy per request, spread evenly,
// its active configuration's route and upstream, a balancer per worker and configuration) or the
// client itself (`via: direct`: round robin over the app's running tasks, no retries). HAProxy
// (marathon-lb, issue 12) is one more `RequestFront`.

/// What a request holds of its front: the proxy (-1: direct), the balancer and the proxy's host.
struct FrontHandle: Equatable {
    var proxy: Int32
    var balancer: Int32
    var host: Int32
    var generation: Int32
}

/// One peer a request was sent to: its index in the balancer and the instance behind it (nil:
/// an address with nothing behind it, such as the 127.0.0.1:65535 placeholder).
struct FrontPeer {
    var peer: Int
    var instance: ServiceInstance?
}

/// Why a front has no way in for a request.
enum FrontRefusal {
    /// The proxy's host is down: connection refused at once.
    case noProxy
    /// No location matches the path, or the route has no upstream.
    case noRoute
}

protocol RequestFront: AnyObject {
    /// A new request at `now`: the handle it keeps until it ends, or why it cannot enter.
    func open(now: SimTime) -> FrontOpen
    /// The proxy settings that apply to the request (timeouts, proxy_next_upstream).
    func route(_ h: FrontHandle) -> ProxyRoute
    /// How many peers the request may try in all (`ngx_http_upstream_tries`, capped by
    /// proxy_next_upstream_tries).
    func tries(_ h: FrontHandle) -> Int
    /// The next peer for a request that already tried `tried`; nil: no live peer (502).
    func pick(_ h: FrontHandle, now: SimTime, tried: [Int]) -> FrontPeer?
    /// The request is done with the peer (failed: an error or timeout counted for max_fails).
    /// Returns the server when this failure took it out (nginx's "upstream server temporarily
    /// disabled"), nil otherwise.
    @discardableResult
    func free(_ h: FrontHandle, peer: Int, failed: Bool, now: SimTime) -> UpstreamServer?
    /// The request ended.
    func close(_ h: FrontHandle)
}

enum FrontOpen { case entered(FrontHandle), refused(FrontRefusal) }

/// The balancers of every proxy, configuration generation and upstream, shared by the services
/// that use the same upstream (as nginx's workers share them).
///
/// A generation's balancers are made when a request (or a fluid step) first enters it; requests
/// only ever enter the generation a proxy runs, and a proxy's generation only grows. So once a
/// proxy's newer generation gets its first balancer, an older one is reached only by the requests
/// still in flight on it (old workers draining): it is released when the last of them ends (at
/// once when none is), its slot reused, and `onRelease` lets the fluid path forget its peers'
/// state. Nothing the outputs read is lost: stub_status sums the open connections of the live
/// balancers only (a released one has none), and the per-balancer pick counters are for tests.
/// Memory follows apps and proxies, not reloads.
final class BalancerTable {
    struct Key: Hashable { var proxy: Int; var generation: Int; var upstream: Int }
    private var index: [Key: Int32] = [:]
    /// By slot: a released slot holds `released` until a new balancer takes it.
    private(set) var balancers: [UpstreamBalancer] = []
    /// The key of each balancer (same order).
    private(set) var keys: [Key] = []
    private var freeSlots: [Int32] = []
    private let released = UpstreamBalancer(ProxyUpstream(name: "", servers: []))
    /// Per proxy: its balancers not released (any generation), and the newest generation one was made for.
    private(set) var live: [[Int32]]
    private var newest: [Int]
    /// false: every balancer is kept for the whole run (the reference the tests compare with).
    var releaseRetired = true
    /// Called with a balancer's slot and peer count when it is released (before the slot is reused).
    var onRelease: ((Int32, Int) -> Void)?
    func key(of b: Int32) -> Key { keys[Int(b)] }
    let config: ProxyConfiguration
    init(config: ProxyConfiguration) {
        self.config = config
        live = Array(repeating: [], count: config.proxyCount)
        newest = Array(repeating: -1, count: config.proxyCount)
    }

    func balancer(proxy: Int, generation: Int, upstream: Int) -> Int32? {
        let k = Key(proxy: proxy, generation: generation, upstream: upstream)
        if let i = index[k] { return i }
        let ups = config.upstreams(proxy: proxy, generation: generation)
        guard upstream >= 0, upstream < ups.count, !ups[upstream].servers.isEmpty else { return nil }
        if generation > newest[proxy] {
            newest[proxy] = generation
            if releaseRetired { retireOlder(proxy, than: generation) }
        }
        let b = UpstreamBalancer(ups[upstream])
        let i: Int32
        if let f = freeSlots.popLast() {
            i = f
            balancers[Int(i)] = b; keys[Int(i)] = k
        } else {
            i = Int32(balancers.count)
            balancers.append(b); keys.append(k)
        }
        index[k] = i
        live[proxy].append(i)
        return i
    }

    subscript(_ i: Int32) -> UpstreamBalancer { balancers[Int(i)] }

    /// A request on balancer `i` ended: the last one on a retired generation releases it.
    @inline(__always)
    func closed(_ i: Int32) {
        let b = balancers[Int(i)]
        b.inFlight -= 1
        if b.retired && b.inFlight == 0 { release(i) }
    }

    /// Proxy `p` entered generation `g`: its balancers of older generations are released now if
    /// nothing is in flight on them, else marked to go with their last request.
    private func retireOlder(_ p: Int, than g: Int) {
        var w = 0
        let list = live[p]
        for i in list {
            let b = balancers[Int(i)]
            if keys[Int(i)].generation < g {
                b.retired = true
                if b.inFlight == 0 { free(i); continue }
            }
            live[p][w] = i; w += 1
        }
        live[p].removeLast(live[p].count - w)
    }

    private func release(_ i: Int32) {
        let p = keys[Int(i)].proxy
        if let r = live[p].firstIndex(of: i) { live[p].remove(at: r) }
        free(i)
    }

    private func free(_ i: Int32) {
        onRelease?(i, balancers[Int(i)].count)
        index[keys[Int(i)]] = nil
        balancers[Int(i)] = released
        freeSlots.append(i)
    }

    /// Balancers in use (not released).
    var balancersInUse: Int { balancers.count - freeSlots.count }

    /// Adds the requests in flight on proxy `p`'s workers to `open`, balancer by balancer in the
    /// order they were made (stub_status' active connections; the same sum as over every balancer
    /// ever made: a released one held none).
    func addInFlight(proxy p: Int, to open: inout Double) {
        for i in live[p] { open += Double(balancers[Int(i)].inFlight) }
    }
}

/// Through nginx: every proxy in turn (or one), the generation active at arrival, the route of
/// the service's path and that route's upstream.
final class NginxFront: RequestFront {
    let table: BalancerTable
    let path: String
    let proxies: [Int]
    let hostUp: (Int) -> Bool
    private var next = 0

    init(table: BalancerTable, path: String, proxy: Int?, hostUp: @escaping (Int) -> Bool) {
        self.table = table; self.path = path; self.hostUp = hostUp
        let n = table.config.proxyCount
        proxies = proxy.map { $0 < n ? [$0] : [] } ?? Array(0..<n)
    }

    /// The proxy the next request goes to (spread evenly: in turn).
    func nextProxy() -> Int? {
        guard !proxies.isEmpty else { return nil }
        let p = proxies[next % proxies.count]
        next &+= 1
        return p
    }

    func open(now: SimTime) -> FrontOpen {
        guard let p = nextProxy() else { return .refused(.noProxy) }
        return open(proxy: p)
    }

    func open(proxy p: Int) -> FrontOpen {
        let c = table.config
        let host = c.host(ofProxy: p)
        guard hostUp(host) else { return .refused(.noProxy) }
        let g = c.generation(ofProxy: p)
        guard let r = c.route(proxy: p, generation: g, path: path),
              let b = table.balancer(proxy: p, generation: g, upstream: r.upstream) else { return .refused(.noRoute) }
        table[b].inFlight += 1
        return .entered(FrontHandle(proxy: Int32(p), balancer: b, host: Int32(host), generation: Int32(g)))
    }

    func route(_ h: FrontHandle) -> ProxyRoute {
        table.config.route(proxy: Int(h.proxy), generation: Int(h.generation), path: path) ?? ProxyRoute(location: path, upstream: 0)
    }

    func tries(_ h: FrontHandle) -> Int {
        let b = table[h.balancer]
        if b.single { return 1 }
        let t = route(h).nextUpstreamTries
        return t > 0 ? min(t, b.tries) : b.tries
    }

    func pick(_ h: FrontHandle, now: SimTime, tried: [Int]) -> FrontPeer? {
        let b = table[h.balancer]
        guard let i = b.pick(now: now, tried: tried) else { return nil }
        return FrontPeer(peer: i, instance: b.server(i).instance)
    }

    func free(_ h: FrontHandle, peer: Int, failed: Bool, now: SimTime) -> UpstreamServer? {
        let b = table[h.balancer]
        return b.free(peer, failed: failed, now: now) ? b.server(peer) : nil
    }
    func close(_ h: FrontHandle) { table.closed(h.balancer) }
}

/// `via: direct`: the client knows the app's running tasks (as Marathon lists them) and sends
/// each request to the next one in turn; a failed request is not retried. It waits as long as
/// nginx's defaults would (60 s to connect, 60 s for the answer) unless the service's `timeout`
/// is shorter.
final class DirectFront: RequestFront {
    /// The app's running tasks, in the order they became running.
    private(set) var tasks: [ServiceInstance] = []
    private var next = 0
    static let route = ProxyRoute(location: "/", upstream: 0, nextUpstream: [], nextUpstreamTries: 1)

    func add(_ i: ServiceInstance) { if !tasks.contains(where: { $0.task == i.task }) { tasks.append(i) } }
    func remove(task: TaskID) { tasks.removeAll { $0.task == task } }

    func open(now: SimTime) -> FrontOpen { .entered(FrontHandle(proxy: -1, balancer: -1, host: -1, generation: 0)) }
    func route(_ h: FrontHandle) -> ProxyRoute { Self.route }
    func tries(_ h: FrontHandle) -> Int { 1 }
    func pick(_ h: FrontHandle, now: SimTime, tried: [Int]) -> FrontPeer? {
        guard !tasks.isEmpty else { return nil }
        let i = next % tasks.count
        next &+= 1
        return FrontPeer(peer: i, instance: tasks[i])
    }
    func free(_ h: FrontHandle, peer: Int, failed: Bool, now: SimTime) -> UpstreamServer? { nil }
    func close(_ h: FrontHandle) {}
}
