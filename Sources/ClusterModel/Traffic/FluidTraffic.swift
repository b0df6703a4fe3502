import Foundation
import SimKernel

/// Fluid traffic: per tick, each service's expected requests (the integral of its rate profile)
/// are split over the proxies and, per proxy, over the upstream's peers as smooth weighted round
/// robin does (in proportion to weight among the peers it would pick), with nginx's passive
/// health at the level of a peer's state, not of each request:
///
/// - a peer that stops answering keeps getting its share until its max_fails-th failure is
///   counted: `cost + (max_fails - 1) / rate` after the first request to it, where cost is 0 for a
///   refused connection, proxy_connect_timeout for a host that does not answer and
///   proxy_read_timeout for a hung process; then it is out (only a probe per fail_timeout, which
///   is neglected) until it answers again. A new configuration generation starts with fresh peers.
/// - a request that met a dead peer is passed to another when proxy_next_upstream allows it; it
///   fails when all its tries meet dead peers (drawn without replacement among the peers that
///   take requests, by count), with the last attempt's cause, after the costs of its attempts.
/// - each live instance is a queue: FIFO with c workers (Erlang C with the Allen-Cunneen factor
///   (1 + cs^2) / 2; exact for M/M/c) or processor sharing (M/G/1-PS mean S / (1 - rho), and a
///   request of size s takes s / (1 - rho)); an overloaded instance builds a backlog served at
///   its capacity, whose wait beyond proxy_read_timeout turns into timeouts.
///
/// Steady state costs one tick event and a few operations per service and tick: a service whose
/// peers all answer, without backlog, keeps its last step's figures while nothing it depends on
/// changed (a signal naming its tasks, hosts, app or proxy; a fault) and its rate stays within
/// 1 % of the rate they were computed at; latency sketches are recomputed only when an
/// instance's arrival rate moved by more than 1 %.
final class FluidTraffic {
    // unowned(unsafe): the model owns this object and outlives it; a checked unowned reference
    // costs a retain per access on the per-tick path
    unowned(unsafe) let m: TrafficModel
    /// Per service: its rate when constant (the fast path multiplies instead of integrating).
    let constantRate: [Double?]
    let tickLength: SimDuration
    /// Per service: service-time quantiles (a deterministic sketch drawn once from a named stream).
    let serviceSketch: [[Double]]
    let serviceMean: [Double]
    let serviceCV2: [Double]
    /// Passive-health state per (balancer or direct service, peer).
    var peerState: [PeerKey: FluidPeer] = [:]
    /// The step's load per task, gathered over its entries (`gather`, `serveGathered`).
    var gathered: [(task: TaskID, load: Gathered)] = []
    var gatheredIndex: [TaskID: Int] = [:]
    /// Per instance queue: backlog (requests) of an overloaded instance.
    var backlog: [TaskID: Double] = [:]
    /// Per service: cached latency sketch for the last rate (per instance).
    var sketchCache: [(rate: Double, points: [Double], mean: Double, id: Int)?]
    var nextSketchID = 0
    /// Per service: the steady state of its last full step, valid while nothing on the platform
    /// changed (no signal published, no fault fired), before `until` (a task's hang or first
    /// listening time) and at a constant rate: a tick then only adds its requests.
    var steady: [Steady?]
    struct Steady {
        var epoch: Int; var until: SimTime; var sketch: Int; var points: [Double]; var meanMs: Double; var lateFraction: Double
        /// The service's rate (requests per second) it was computed at: it holds within 1 % of it.
        var rate: Double
        /// What it depends on: its peers' tasks and hosts, and the proxies' hosts.
        var tasks: [TaskID]; var hosts: [Int]
    }
    /// During a full step: the one sketch every served request used (nil: none yet; -1: several).
    var stepSketch: Int? = nil
    var stepClean = true
    /// Per service: whether the peers were live at the previous tick (for in-flight losses).
    var lastReach: [PeerKey: Reach] = [:]
    /// During a full step through marathon-lb: the share of the requests entering whose SYNs met a
    /// reload gap, by the delay their retransmissions add (seconds; HAProxyFluid.swift).
    var stepSyn: [(fraction: Double, delay: Double)] = []
    /// Per service through marathon-lb: the clients whose SYNs a full frontend's accept queue
    /// dropped, waiting for their next retransmission (`haproxyAdmit`), and the tasks its last
    /// full step reached (whose backlogs hold its frontends' sessions).
    var synWaiters: [[SynWaiter]] = []
    var admitTasks: [[TaskID]] = []
    /// Per service: its front when through marathon-lb (read at every tick).
    let haproxyFronts: [HAProxyFront?]
    /// Per service with a varying rate: the first breakpoint of its profile after `cutFrom` (a tick
    /// ending at or before it integrates one segment of the profile: `offered`).
    var cutFrom: [SimTime]
    var nextCut: [SimTime?]
    /// Per service: its rate profile (read at every tick without copying the service's spec).
    let profiles: [RateProfile]

    struct PeerKey: Hashable { var balancer: Int32; var service: Int32; var peer: Int32 }
    struct FluidPeer { var disabled = false; var receivingUntil: SimTime? = nil; var nextProbe = SimTime.zero }

    static let sketchSize = 64
    static let points = 100

    init(model: TrafficModel) {
        m = model
        tickLength = model.spec.tick
        var sk: [[Double]] = [], means: [Double] = [], cv: [Double] = []
        for s in model.spec.services {
            let rng = model.model.stream(StreamName.of("traffic", s.name + "/fluidSketch"))
            var xs = (0..<4096).map { _ in max(0, s.serviceTime.sample(rng)) }
            xs.sort()
            let n = Self.sketchSize
            sk.append((0..<n).map { xs[(2 * $0 + 1) * xs.count / (2 * n)] })
            let mean = s.serviceTime.mean ?? xs.reduce(0, +) / Double(xs.count)
            means.append(max(mean, 1e-9))
            let v = s.serviceTime.variance ?? 0
            cv.append(mean > 0 ? v / (mean * mean) : 0)
        }
        serviceSketch = sk; serviceMean = means; serviceCV2 = cv
        profiles = model.spec.services.map { $0.arrivals.profile }
        constantRate = model.spec.services.map { $0.arrivals.profile.isConstant ? $0.arrivals.profile.points[0].rate : nil }
        sketchCache = Array(repeating: nil, count: model.spec.services.count)
        steady = Array(repeating: nil, count: model.spec.services.count)
        haproxyFronts = model.fronts.map { $0 as? HAProxyFront }
        cutFrom = Array(repeating: .distantFuture, count: model.spec.services.count)
        nextCut = Array(repeating: nil, count: model.spec.services.count)
    }

    /// The requests service `s` is expected to get in [t, end): the integral of its rate profile
    /// (`RateProfile.expected`), one segment's arithmetic when no breakpoint lies inside.
    func offered(_ s: Int, from t: SimTime, to end: SimTime) -> Double {
        if let r = constantRate[s] { return r * (end - t).seconds }
        let profile = profiles[s]
        if t < cutFrom[s] || nextCut[s].map({ t >= $0 }) ?? false {
            cutFrom[s] = t; nextCut[s] = profile.nextCut(after: t)
        }
        if nextCut[s].map({ end <= $0 }) ?? true { return profile.expectedWithinSegment(from: t, to: end) }
        return profile.expected(from: t, to: end)
    }

    /// Moves when a fault fires or a partition starts or heals (Mesos' `probeEpoch`): a partition
    /// changes reachability without a task or host signal, and its heal is no fault firing.
    var epoch: Int { m.model.faultInjector.fired.count &+ (m.mesos?.probeEpoch ?? 0) }

    /// A signal about a host or a task ends the steady state of the services that depend on it.
    func signal(_ sig: PlatformSignal) {
        for s in steady.indices {
            guard let st = steady[s] else { continue }
            switch sig {
            case .hostDown(let h, _), .hostUp(let h): if st.hosts.contains(h) { steady[s] = nil }
            case .statusUpdate(let task, _, _, _, _): if st.tasks.contains(task) { steady[s] = nil }
            case .instanceChanged(let app, _, _): if m.appIndex[s] == app { steady[s] = nil }
            case .proxyReloaded: if case .nginx = m.spec.services[s].entry { steady[s] = nil }
            case .haproxyReloaded: if case .marathonLB = m.spec.services[s].entry { steady[s] = nil }
            default: break
            }
        }
        if case .haproxyReloaded(let i, _) = sig { haproxyNoteGap(i); haproxyFluidReloaded(i) }
    }

    /// Balancer `b` (with `peers` peers) was released (`BalancerTable`): its peers' passive-health
    /// state and last reach are dropped (its slot may hold a new generation's balancer next).
    func forget(balancer b: Int32, peers: Int) {
        guard !peerState.isEmpty || !lastReach.isEmpty else { return }
        for i in 0..<peers {
            let k = PeerKey(balancer: b, service: -1, peer: Int32(i))
            peerState[k] = nil
            lastReach[k] = nil
        }
    }

    func start() { m.schedule(.tick, at: .zero, 0) }
    func invalidate(_ s: Int) { sketchCache[s] = nil; steady[s] = nil }

    /// The counts of the interval the last tick computed: they join the sample window when the
    /// interval has passed (the next tick), so a sample at t holds the intervals before t.
    var pending: [TrafficCounters] = []
    var tickEpoch = 0

    func tick() {
        let t = m.now
        // last tick's interval has passed: its counts join the sample window; the emptied
        // buffer collects this tick's (swapped in, so nothing is allocated per tick)
        if pending.count != m.window.count { pending = Array(repeating: TrafficCounters(), count: m.window.count) }
        for i in pending.indices { m.window[i].add(pending[i]); pending[i].clear() }
        swap(&m.window, &pending)
        tickEpoch = epoch
        let end = min(t + tickLength, m.model.endTime)
        if end > t {
            for s in m.spec.services.indices { step(s, from: t, to: end) }
        }
        swap(&m.window, &pending)
        if t + tickLength <= m.model.endTime { m.schedule(.tick, at: t + tickLength, 0) }
    }

    /// One entry point of a service for a tick: the peers with weight, instance and state.
    struct Entry {
        var balancer: Int32; var host: Int; var route: ProxyRoute; var tries: Int; var peers: [(w: Double, inst: ServiceInstance?, key: PeerKey)]
        /// Through HAProxy: the backend (`HAProxyTable` index; -1: nginx or direct).
        var backend: Int32 = -1
    }

    func entries(_ s: Int) -> (entries: [Entry], noProxy: Int, noRoute: Int, count: Int) {
        switch m.spec.services[s].entry {
        case .direct:
            let d = m.direct[s]!
            let peers = d.tasks.enumerated().map { (w: 1.0, inst: Optional($0.element), key: PeerKey(balancer: -1, service: Int32(s), peer: Int32($0.element.task))) }
            return ([Entry(balancer: -1, host: -1, route: DirectFront.route, tries: 1, peers: peers)], 0, 0, 1)
        case .nginx:
            guard let f = m.fronts[s] as? NginxFront else { return ([], 1, 0, 1) }
            var out: [Entry] = [], refused = 0, noRoute = 0
            for p in f.proxies {
                let opened = f.open(proxy: p)
                if case .refused(let why) = opened { if why == .noProxy { refused += 1 } else { noRoute += 1 } }
                guard case .entered(let h) = opened else { continue }
                f.close(h)
                let b = f.table[h.balancer]
                let peers = (0..<b.count).map { i in (w: Double(b.server(i).weight), inst: b.server(i).instance, key: PeerKey(balancer: h.balancer, service: -1, peer: Int32(i))) }
                out.append(Entry(balancer: h.balancer, host: Int(h.host), route: f.route(h), tries: f.tries(h), peers: peers))
            }
            return (out, refused, noRoute, max(1, f.proxies.count))
        case .marathonLB:
            return haproxyEntries(s)
        }
    }

    /// Work done so far, in units of about an engine event: one per service and tick, one per peer
    /// of a full step, and per latency sketch computed its levels (times the bisection steps for
    /// FIFO): the cost the fuzzer's budget counts beside engine events.
    var work = 0

    func step(_ s: Int, from t: SimTime, to end: SimTime) {
        work &+= 1
        let dt = (end - t).seconds
        let offered = self.offered(s, from: t, to: end)
        m.window[s].offered += offered
        let e = tickEpoch
        if let st = steady[s], st.epoch == e, end <= st.until, abs(offered / dt - st.rate) <= 0.01 * st.rate {
            let ok = offered * (1 - st.lateFraction)
            m.window[s].addServed(ok, meanMs: st.meanMs, shiftMs: 0, sketch: st.sketch, points: st.points)
            if st.lateFraction > 0 { m.countFailure(s, .timeout, weight: offered - ok) }
            if m.haproxy != nil { haproxyFluidStats(s, offered: offered, dt: dt) }
            return
        }
        steady[s] = nil
        m.exporterFluidStep(s)
        m.exporterFluidProxyStep(s)
        stepSketch = nil
        stepClean = true
        stepSyn.removeAll(keepingCapacity: true)
        let (es, refused, noRoute, count) = entries(s)
        for e in es { work &+= e.peers.count }
        if refused + noRoute > 0 { stepClean = false }
        defer {
            if stepClean, let id = stepSketch, id >= 0, let c = sketchCache[s], c.id == id {
                let peers = es.flatMap { $0.peers.compactMap(\.inst) }
                steady[s] = Steady(epoch: e, until: nextChange(s, es), sketch: id, points: c.points, meanMs: c.mean,
                                   lateFraction: lateFraction(c.points, limit: m.spec.services[s].timeout), rate: offered / dt,
                                   tasks: peers.map(\.task), hosts: peers.map(\.host) + es.map(\.host).filter { $0 >= 0 })
            }
        }
        var perEntry = offered / Double(count)
        if refused > 0 { m.countFailure(s, .noProxy, weight: perEntry * Double(refused)) }
        if noRoute > 0 { m.countFailure(s, .noUpstream, weight: perEntry * Double(noRoute)) }
        if case .marathonLB = m.spec.services[s].entry {
            haproxyFluidEntered(s, es); haproxyFluidStats(s, offered: offered, dt: dt)
            let lost = haproxyGapDelays(s, from: t, to: end, dt: dt)
            if lost > 0 { m.countFailure(s, .timeout, weight: perEntry * Double(es.count) * lost); perEntry *= 1 - lost }
            if !es.isEmpty { perEntry = haproxyAdmit(s, es, requests: perEntry * Double(es.count), from: t, to: end, dt: dt) / Double(es.count) }
        }
        for e in es { stepEntry(s, e, requests: perEntry, from: t, dt: dt) }
        serveGathered(s, dt: dt)
    }

    func stepEntry(_ s: Int, _ e: Entry, requests n: Double, from t: SimTime, dt: Double) {
        if e.backend >= 0 { haproxyStepEntry(s, e, requests: n, from: t, dt: dt); return }
        if dt > 0 { m.exporterFluidProxy(s, balancer: e.balancer, perSecond: n / dt, meanSeconds: (sketchCache[s]?.mean ?? serviceMean[s] * 1000) / 1000) }
        let maxFails = e.balancer >= 0 ? (0..<e.peers.count).map { m.table![e.balancer].server($0).maxFails } : Array(repeating: 0, count: e.peers.count)
        let down = e.balancer >= 0 ? (0..<e.peers.count).map { m.table![e.balancer].server($0).down } : Array(repeating: false, count: e.peers.count)
        let end = t + SimDuration.fromSeconds(dt)
        var share = [Double](repeating: 0, count: e.peers.count)
        var cost = [Double](repeating: 0, count: e.peers.count)
        var reaches = [Reach](repeating: .accept, count: e.peers.count)
        var total = 0.0
        let rateGuess = n / max(dt, 1e-9) / Double(max(1, e.peers.count))
        for (i, p) in e.peers.enumerated() where !down[i] {
            let r = m.reach(p.inst, from: e.host)
            reaches[i] = r
            var st = peerState[p.key] ?? FluidPeer()
            var phi = 1.0
            if r == .accept {
                st.disabled = false; st.receivingUntil = nil
            } else {
                stepClean = false
                let c = r == .refused ? 0 : (r == .noAnswer ? e.route.connectTimeout.seconds : e.route.readTimeout.seconds)
                cost[i] = c
                if maxFails[i] == 0 {
                    phi = 1
                } else if st.disabled {
                    phi = 0
                    // nginx lets one request through per fail_timeout to see whether it is back
                    if let inst = p.inst, t >= st.nextProbe {
                        m.deadRouting(at: t, host: inst.host)
                        st.nextProbe = t + (e.balancer >= 0 ? m.table![e.balancer].server(i).failTimeout : .zero) + .seconds(1)
                    }
                } else {
                    if st.receivingUntil == nil {
                        st.receivingUntil = t + SimDuration.fromSeconds(c + Double(maxFails[i] - 1) / max(rateGuess, 1e-9))
                    }
                    let until = st.receivingUntil!
                    phi = until <= t ? 0 : min(1, (until - t).seconds / dt)
                    if until <= end {
                        st.disabled = true; st.receivingUntil = nil
                        if e.balancer >= 0, let f = m.fronts[s] as? NginxFront {
                            let b = f.table[e.balancer]
                            let key = f.table.key(of: e.balancer)
                            m.logDisabled(b.server(i), proxy: key.proxy, generation: key.generation)
                        }
                        st.nextProbe = until + (e.balancer >= 0 ? m.table![e.balancer].server(i).failTimeout : .zero) + .seconds(1)
                    }
                }
                if let inst = p.inst, phi > 0 { m.deadRouting(at: t + SimDuration.fromSeconds(phi * dt), host: inst.host) }
            }
            // in-flight requests of an instance that stopped answering since the last tick
            if r != .accept, lastReach[p.key] == .accept, let inst = p.inst {
                lostInFlight(s, e, inst: inst, cause: r)
            }
            lastReach[p.key] = r
            peerState[p.key] = st
            share[i] = p.w * phi
            total += share[i]
        }
        guard total > 0 else {
            stepClean = false
            // every peer out: nginx answers 502 and resets the peers' fails
            m.countFailure(s, .noUpstream, weight: n)
            for p in e.peers { peerState[p.key] = FluidPeer() }
            return
        }
        var deadCount = 0.0, takers = 0.0, deadShare = 0.0, deadCost = 0.0, placeholderShare = 0.0, timeoutShare = 0.0
        for i in share.indices where share[i] > 0 {
            takers += 1
            if reaches[i] != .accept {
                deadCount += 1
                deadShare += share[i] / total
                deadCost += share[i] / total * cost[i]
                if e.peers[i].inst == nil { placeholderShare += share[i] / total }
                if reaches[i] != .refused { timeoutShare += share[i] / total }
            }
        }
        // a request fails when every try meets a dead peer (without replacement, by count)
        let retry = e.route.nextUpstream.contains(.error) || e.route.nextUpstream.contains(.timeout)
        let tries = retry ? max(1, min(e.tries, Int(takers))) : 1
        var pAllDead = deadShare
        if tries > 1 && deadCount > 0 {
            var p = deadShare
            for k in 1..<tries { p *= max(0, deadCount - Double(k)) / max(1, takers - Double(k)) }
            pAllDead = p
        }
        let failed = n * pAllDead
        if failed > 0 {
            let tShare = deadShare > 0 ? timeoutShare / deadShare : 0
            let pShare = deadShare > 0 ? placeholderShare / deadShare : 0
            m.countFailure(s, .timeout, weight: failed * tShare)
            m.countFailure(s, .noUpstream, weight: failed * pShare * (1 - tShare))
            m.countFailure(s, .deadUpstream, weight: failed * (1 - pShare) * (1 - tShare))
        }
        // served requests land on the live peers in proportion to their shares
        let served = n - failed
        let liveTotal = total * (1 - deadShare)
        guard served > 0, liveTotal > 0 else { return }
        let detoured = n * (deadShare - pAllDead)   // met a dead peer first, then were served
        let detourDelay = deadShare > 0 ? deadCost / deadShare : 0
        for i in share.indices where share[i] > 0 && reaches[i] == .accept {
            let frac = share[i] / liveTotal
            let lam = served * frac / dt
            gather(task: e.peers[i].inst!.task, rate: lam, requests: served * frac, delayed: detoured * frac, delay: detourDelay,
                   readTimeout: e.route.readTimeout.seconds)
        }
    }

    /// One task's load in a step, summed over every way in (each nginx or HAProxy instance is an
    /// entry): its queue must see all the requests it gets, not each proxy's share on its own.
    /// `limit`: the requests HAProxy lets inside at once (per-server maxconn, summed over the
    /// instances' backends; infinite without), the rest waiting in its queue up to `queueTimeout`.
    struct Gathered {
        var rate = 0.0, requests = 0.0, delayed = 0.0, delayWeight = 0.0, readTimeout = 0.0
        var limit = Double.infinity, queueTimeout = Double.infinity
        /// Through HAProxy: the sessions its frontends hold at most that reach this task (their
        /// `maxconn` by the task's share, summed over the instances); a backlog beyond them waits
        /// in the accept queues, before HAProxy, where `timeout server` does not run.
        var sessions = Double.infinity
    }

    func gather(task: TaskID, rate: Double, requests: Double, delayed: Double, delay: Double, readTimeout: Double,
                limit: Double = .infinity, queueTimeout: Double = .infinity, sessions: Double = .infinity) {
        if let i = gatheredIndex[task] {
            gathered[i].load.rate += rate; gathered[i].load.requests += requests; gathered[i].load.delayed += delayed
            gathered[i].load.delayWeight += delayed * delay
            gathered[i].load.readTimeout = min(gathered[i].load.readTimeout, readTimeout)
            gathered[i].load.limit += limit
            gathered[i].load.queueTimeout = min(gathered[i].load.queueTimeout, queueTimeout)
            gathered[i].load.sessions += sessions
        } else {
            gatheredIndex[task] = gathered.count
            gathered.append((task, Gathered(rate: rate, requests: requests, delayed: delayed, delayWeight: delayed * delay, readTimeout: readTimeout,
                                            limit: limit, queueTimeout: queueTimeout, sessions: sessions)))
        }
    }

    /// Serves what the step's entries gathered, task by task in the order they were first reached.
    func serveGathered(_ s: Int, dt: Double) {
        let svc = m.spec.services[s]
        for (task, g) in gathered { serve(s, svc, task: task, load: g, dt: dt) }
        gathered.removeAll(keepingCapacity: true)
        gatheredIndex.removeAll(keepingCapacity: true)
    }

    /// Requests inside an instance that stopped answering: Little's law (rate x response time),
    /// each passed on after its read timeout (or failed when the route does not retry; HAProxy
    /// retries connections only: a request already sent fails).
    func lostInFlight(_ s: Int, _ e: Entry, inst: ServiceInstance, cause: Reach) {
        guard let c = sketchCache[s] else { return }
        let inside = c.rate * c.mean / 1000
        let retry = e.backend < 0 && e.route.nextUpstream.contains(cause == .refused ? .error : .timeout) && e.tries > 1
        if !retry { m.countFailure(s, cause == .refused ? .deadUpstream : .timeout, weight: inside) }
    }

    /// One live instance's share of a tick: queueing, served count, latency sketch. Behind
    /// HAProxy with maxconn, a FIFO instance serves at most `limit` at once and the backlog beyond
    /// the limit waits in HAProxy's queue: what would wait there past `timeout queue` is answered
    /// 503, what waits inside past the read timeout times out.
    func serve(_ s: Int, _ svc: TrafficService, task: TaskID, load g: Gathered, dt: Double) {
        let mean = serviceMean[s], lam = g.rate, readTimeout = g.readTimeout
        let delayed = g.delayed, delay = g.delayed > 0 ? g.delayWeight / g.delayed : 0
        var c: Int
        switch svc.discipline { case .processorSharing: c = 1; case .fifo(let k): c = k }
        if g.limit < Double(c) { c = max(1, Int(g.limit)) }
        let capacity = Double(c) / mean
        // (an empty dictionary is not asked: most steps have no backlog anywhere)
        var q = backlog.isEmpty ? 0 : backlog[task] ?? 0
        var done = g.requests
        var wait = 0.0
        if (lam >= capacity * 0.999 || q > 0) && g.limit / capacity <= readTimeout {
            // behind HAProxy's connection limit: a FIFO queue of cohorts (HAProxyFluid.swift)
            haproxyServeQueue(s, svc, task: task, load: g, capacity: capacity, c: c, dt: dt)
            return
        }
        if lam >= capacity * 0.999 || q > 0 {
            stepClean = false
            q = max(0, q + (lam - capacity) * dt)
            done = min(g.requests + (backlog[task] ?? 0), capacity * dt)
            if g.limit.isFinite { q = haproxyQueueOverflow(s, task: task, backlog: q, capacity: capacity, load: g) }
            wait = q / capacity
            // what waits inside the server: at most HAProxy's connection limit, and through
            // HAProxy at most its frontends' sessions (the rest is in the accept queues)
            let held = min(g.limit, g.sessions)
            let inside = min(wait, held / capacity)
            if inside > readTimeout {
                let over = (inside - readTimeout) * capacity
                m.countFailure(s, .timeout, weight: over)
                q -= over; wait = held.isFinite ? q / capacity : readTimeout
            }
            backlog[task] = q > 0 ? q : nil
        } else if g.limit.isFinite, let tab = m.haproxy, !tab.fluidQueued.isEmpty {
            tab.fluidQueued[task] = nil
        }
        // through marathon-lb, an instance holding a backlog serves it with every worker busy: the
        // wait is the backlog's (`wait`), not also Erlang C's at 99.9 % load (which counted it twice)
        let busy = q > 0 && haproxyFronts[s] != nil
        let sketch = latencySketch(s, svc, rate: busy ? 0 : min(lam, capacity * 0.999), c: c)
        recordSyn(s, sketch, count: done - delayed, shift: wait * 1000, limit: svc.timeout)
        if delayed > 0 { recordSyn(s, sketch, count: delayed, shift: (wait + delay) * 1000, limit: svc.timeout) }
        if dt > 0 {
            m.exporterFluidServe(s, task: task, perSecond: done / dt, sketch: sketch.id, points: sketch.points, meanMs: sketch.mean,
                                 shiftMs: wait * 1000, work: mean)
        }
    }

    /// Adds `count` served requests with the latency sketch (ms) shifted by `shift` ms; those
    /// beyond the client's timeout are timeouts.
    func record(_ s: Int, _ sketch: (points: [Double], mean: Double, id: Int), count: Double, shift: Double, limit: SimDuration?) {
        guard count > 0 else { return }
        if shift != 0 { stepClean = false }
        stepSketch = stepSketch == nil || stepSketch == sketch.id ? sketch.id : -1
        let late: Double
        if m.fluidMemo, let k = lateMemo, k.sketch == sketch.id, k.shift == shift.bitPattern, k.limit == limit {
            late = k.late
        } else {
            late = lateFraction(sketch.points, shift: shift, limit: limit)
            if m.fluidMemo { lateMemo = (sketch.id, shift.bitPattern, limit, late) }
        }
        let ok = count * (1 - late)
        m.window[s].addServed(ok, meanMs: sketch.mean, shiftMs: shift, sketch: sketch.id, points: sketch.points)
        if late > 0 { m.countFailure(s, .timeout, weight: count - ok) }
    }

    /// The share of sketch points, shifted by `shift` ms, beyond the client's timeout.
    func lateFraction(_ points: [Double], shift: Double = 0, limit: SimDuration?) -> Double {
        guard let l = limit else { return 0 }
        let ms = l.seconds * 1000
        var late = 0
        for p in points where p + shift > ms { late += 1 }
        return Double(late) / Double(points.count)
    }

    /// The last share `record` computed: sketch, shift (bits), client timeout, share late.
    var lateMemo: (sketch: Int, shift: UInt64, limit: SimDuration?, late: Double)?

    /// The first time after now at which a peer of the service starts listening or hangs (no
    /// signal announces either): the steady state ends there.
    func nextChange(_ s: Int, _ es: [Entry]) -> SimTime {
        var next = m.model.endTime
        guard let mesos = m.mesos else { return next }
        for e in es {
            for p in e.peers {
                guard let id = p.inst?.task, let t = mesos.task(id) else { continue }
                if let v = t.servingAt, v > m.now { next = min(next, v) }
                if let h = t.hangAt, h > m.now { next = min(next, h) }
            }
            // through HAProxy: a server out of the balancing comes back when its checks mark it UP
            // (answering again) or when its task starts listening (seen failing)
            guard e.backend >= 0, let tab = m.haproxy else { continue }
            let b = tab[e.backend]
            for i in b.servers.indices where !b.isUp(i, now: m.now) {
                if let up = b.upAt(i), up > m.now { next = min(next, up) }
                if b.servers[i].bad, let id = b.servers[i].server.instance?.task, let v = mesos.task(id)?.servingAt, v > m.now { next = min(next, v) }
            }
        }
        return next
    }

    /// Response-time quantiles (ms) of one instance at arrival rate `lam`, and their mean.
    func latencySketch(_ s: Int, _ svc: TrafficService, rate lam: Double, c: Int) -> (points: [Double], mean: Double, id: Int) {
        if let k = sketchCache[s], abs(k.rate - lam) <= 0.01 * max(k.rate, 1e-9) { return (k.points, k.mean, k.id) }
        let mean = serviceMean[s]
        let sk = serviceSketch[s]
        let pts: [Double]
        let meanT: Double
        switch svc.discipline {
        case .processorSharing:
            let rho = min(lam * mean, 0.999)
            pts = Self.levels.map { Self.quantile(sk, $0) / (1 - rho) * 1000 }
            meanT = mean / (1 - rho) * 1000
        case .fifo(let k):
            let mu = 1 / mean
            let a = lam / mu
            let cw = a < Double(k) ? Self.erlangC(servers: k, load: a) : 1
            let wq = cw / (Double(k) * mu - lam) * (1 + serviceCV2[s]) / 2
            meanT = (wq + mean) * 1000
            let mw = cw > 0 ? wq / cw : 0
            pts = Self.levels.map { Self.mixtureQuantile(sk, waitProbability: cw, waitMean: mw, p: $0) * 1000 }
        }
        // a sketch costs a pass over its levels; a FIFO one a 50-step bisection per level over the
        // service sketch (about 320,000 exp() calls, the cost of thousands of engine events)
        if case .fifo = svc.discipline { work &+= Self.points * Self.bisectionSteps } else { work &+= Self.points }
        nextSketchID += 1
        sketchCache[s] = (lam, pts, meanT, nextSketchID)
        return (pts, meanT, nextSketchID)
    }

    /// The probability levels the sketch records (evenly weighted: the middle of K equal bins).
    static let levels: [Double] = (0..<points).map { (Double($0) + 0.5) / Double(points) }

    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let x = p * Double(sorted.count) - 0.5
        let i = max(0, min(sorted.count - 1, Int(x.rounded(.down))))
        let j = min(sorted.count - 1, i + 1)
        let f = max(0, min(1, x - Double(i)))
        return sorted[i] + (sorted[j] - sorted[i]) * f
    }

    /// Erlang C: the probability that an arrival waits in M/M/c with offered load a = lambda/mu < c.
    static func erlangC(servers c: Int, load a: Double) -> Double {
        var b = 1.0   // Erlang B by recursion
        for k in 1...c { b = a * b / (Double(k) + a * b) }
        let rho = a / Double(c)
        return b / (1 - rho + rho * b)
    }

    /// The p-quantile of T = W + S with W ~ (1 - C) at 0 + C Exp(mean mw) and S the sketch
    /// (bisection on P(T > x) = mean over sketch points of [S > x ? 1 : C e^{-(x - S)/mw}]).
    static let bisectionSteps = 50

    static func mixtureQuantile(_ sk: [Double], waitProbability cw: Double, waitMean mw: Double, p: Double) -> Double {
        guard cw > 1e-12, mw > 0 else { return quantile(sk, p) }
        var lo = 0.0, hi = (sk.last ?? 0) + 50 * mw
        for _ in 0..<bisectionSteps {
            let x = (lo + hi) / 2
            var tail = 0.0
            for v in sk { tail += v > x ? 1 : cw * exp(-(x - v) / mw) }
            tail /= Double(sk.count)
            if tail > 1 - p { lo = x } else { hi = x }
        }
        return (lo + hi) / 2
    }
}
