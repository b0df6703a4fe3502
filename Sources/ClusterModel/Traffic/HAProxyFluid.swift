import SimKernel

// Fluid mode through marathon-lb, per tick, with the request path's rules (HAProxyFront.swift,
// HAProxyRequests.swift) applied to rates:
//
// - Instances. A service's requests are split evenly over the HAProxy instances that accept; when
//   every instance binding the frontend is in its reload gap, they still enter (after the gap).
//   The gaps themselves are accounted apart: the time of the tick during which no instance binding
//   the frontend accepted (the intersection of their gaps, found when the reload is signalled) is a
//   share of the tick's requests whose SYNs were dropped. A request sent at `a` in a gap ending at
//   `g` is retransmitted at a + 1, a + 3, a + 7 ... s (RFC 6298 initial RTO 1 s, doubled) and
//   enters at the first of these at or after `g`: that delay is added to its response time (and
//   the client's timeout judges it); after Linux's 6 retransmissions it is a timeout. A gap seen
//   after a tick has begun is accounted at the next tick, on that tick's requests (counts kept,
//   the effect moved by at most a tick).
// - Servers. Per instance, over the servers HAProxy's checks hold UP, by weight (leastconn: none
//   to a server holding a backlog while another holds none); a server that
//   stopped answering keeps its share until its checks mark it DOWN (the part of the tick before
//   then). A request whose first server refuses or does not answer is retried there `retries` - 1
//   more times, then redispatched by weight to another UP server (`option redispatch`), after
//   `retries` x the cost of one failed connection (refused: the turn-around min(timeout connect,
//   1 s); no answer: timeout connect); it fails when the other server fails too, or without
//   redispatch. A hung server accepted the connection: the request fails (504) after `timeout
//   server`, not retried (HAProxy retries connections only).
// - maxconn and the queue. Each server's `maxconn` (0: none) and its share of the defaults'
//   `maxconn` bound the requests inside its instance (FluidTraffic.serve): an overloaded
//   instance's backlog beyond that waits in HAProxy's queue at the instance's capacity, and what
//   would wait past `timeout queue` is answered 503 (a queue timeout).
//
// The stats page reads the fluid arrival rate into each frontend at the last tick as `rate` and
// rate x mean service time as `scur`.

extension FluidTraffic {
    func haproxyEntries(_ s: Int) -> (entries: [Entry], noProxy: Int, noRoute: Int, count: Int) {
        guard let f = haproxyFronts[s] else { return ([], 1, 0, 1) }
        var out: [Entry] = [], refused = 0, noRoute = 0, entered = 0
        // Hosts, gaps and configurations do not change within the step, so what `enter` found once
        // holds for the rest of it: no instance accepting (all in their gaps) whichever instance it
        // starts from, and a refusal (no instance binding the frontend, or the first that accepts
        // without the backend) leaves its round robin where it was, so every later entry is refused
        // alike. Each is found once, not once per instance: a round of reloads puts every instance
        // in its gap at once, and before the app has a frontend no instance binds it; each entry
        // then looked through all the instances (the square of the instances per step).
        var noneAccepts = false
        for k in f.instances.indices {
            var r = noneAccepts ? .retransmit : f.enter(now: m.now, count: false)
            // every instance in its gap: the requests enter after it (their delay is accounted apart)
            if case .retransmit = r { noneAccepts = true; r = f.enter(now: m.now, count: false, ignoreGap: true) }
            if case .refused(let why) = r {
                let rest = f.instances.count - k
                if why == .noProxy { refused += rest } else { noRoute += rest }
                break
            }
            switch r {
            case .entered(let h):
                entered += 1
                let b = f.table[h.balancer]
                m.haproxyRefresh(b)
                let peers = b.servers.indices.filter { b.isUp($0, now: m.now) }.map { i in
                    (w: Double(max(0, b.servers[i].server.weight)), inst: b.servers[i].server.instance,
                     key: PeerKey(balancer: -2 - h.proxy, service: Int32(s), peer: Int32(i)))
                }
                out.append(Entry(balancer: -2 - h.proxy, host: Int(h.host), route: f.route(h), tries: f.tries(h), peers: peers,
                                 backend: h.balancer))
            case .retransmit, .refused, .listening: continue   // (refusals are counted above; fluid mode does not count)
            }
        }
        return (out, refused, noRoute, max(1, entered + refused + noRoute))
    }

    /// One HAProxy instance's share of a service's tick: balance over the UP servers, retries and
    /// redispatch, failures by cause; the served go to their instances' queues with the per-server
    /// connection limit.
    func haproxyStepEntry(_ s: Int, _ e: Entry, requests n: Double, from t: SimTime, dt: Double) {
        guard let tab = m.haproxy else { return }
        let b = tab[e.backend], d = b.defaults
        let k = e.peers.count
        var share = [Double](repeating: 0, count: k), reach = [Reach](repeating: .accept, count: k)
        var total = 0.0
        for (i, p) in e.peers.enumerated() {
            let r = m.reach(p.inst, from: e.host)
            reach[i] = r
            var phi = 1.0
            if r != .accept {
                stepClean = false
                let srv = Int(p.key.peer)
                m.haproxyObserve(b, srv)
                // it keeps its share until its checks mark it DOWN
                if let down = b.downAt(srv) { phi = max(0, min(1, (down - t).seconds / max(dt, 1e-9))) }
                if let inst = p.inst, phi > 0 { m.deadRouting(at: t + SimDuration.fromSeconds(phi * dt), host: inst.host) }
                if lastReach[p.key] == .accept, let inst = p.inst { lostInFlight(s, e, inst: inst, cause: r) }
            }
            lastReach[p.key] = r
            share[i] = p.w * phi
        }
        // leastconn sends nothing to a server holding a backlog while another has none
        if b.balance == .leastConn, e.peers.indices.contains(where: { reach[$0] == .accept && !busy(e.peers[$0].inst) }) {
            for i in e.peers.indices where reach[i] == .accept && busy(e.peers[i].inst) { share[i] = 0 }
        }
        total = share.reduce(0, +)
        guard total > 0 else {
            // no server UP: 503 at once
            stepClean = false
            m.countFailure(s, .noUpstream, weight: n)
            return
        }
        var served = [Double](repeating: 0, count: k), detoured = [Double](repeating: 0, count: k), detourDelay = [Double](repeating: 0, count: k)
        for i in 0..<k where share[i] > 0 {
            let first = n * share[i] / total
            switch reach[i] {
            case .accept: served[i] += first
            case .hung: m.countFailure(s, .timeout, weight: first)
            case .refused, .noAnswer:
                let others = total - share[i]
                guard d.retries > 0, d.redispatch, others > 0 else {
                    m.countFailure(s, reach[i] == .refused ? .deadUpstream : .timeout, weight: first)
                    continue
                }
                let cost = reach[i] == .refused ? min(d.timeoutConnect, .seconds(1)) : d.timeoutConnect
                let delay = cost.seconds * Double(d.retries)
                for j in 0..<k where j != i && share[j] > 0 {
                    let x = first * share[j] / others
                    switch reach[j] {
                    case .accept: detoured[j] += x; detourDelay[j] += x * delay
                    case .refused: m.countFailure(s, .deadUpstream, weight: x)
                    case .noAnswer, .hung: m.countFailure(s, .timeout, weight: x)
                    }
                }
            }
        }
        // every live server's instance is served, with no requests too (its backlog drains); the
        // frontend's sessions spread over the live servers by weight
        let liveWeight = (0..<k).reduce(0.0) { reach[$1] == .accept ? $0 + e.peers[$1].w : $0 }
        for j in 0..<k where reach[j] == .accept {
            // per-server maxconn only: the frontend's maxconn holds connections before HAProxy
            // (`haproxyAdmit`), it queues nothing in the backend
            let mc = b.servers[Int(e.peers[j].key.peer)].server.maxconn
            let limit = mc > 0 ? Double(mc) : .infinity
            let req = served[j] + detoured[j]
            gather(task: e.peers[j].inst!.task, rate: dt > 0 ? req / dt : 0, requests: req, delayed: detoured[j],
                   delay: detoured[j] > 0 ? detourDelay[j] / detoured[j] : 0, readTimeout: d.timeoutServer.seconds,
                   limit: limit, queueTimeout: d.timeoutQueue.seconds, sessions: Double(d.maxconn) * e.peers[j].w / max(liveWeight, 1e-9))
        }
    }

    /// Whether an instance holds a backlog (its connections pile up: leastconn passes it by).
    func busy(_ inst: ServiceInstance?) -> Bool { inst.map { backlog[$0.task] != nil } ?? false }

    /// The backlog of an instance behind HAProxy: what waits beyond its connection limit is in
    /// HAProxy's queue, served at the instance's capacity; the part that would wait past `timeout
    /// queue` is answered 503. Returns the backlog left.
    func haproxyQueueOverflow(_ s: Int, task: TaskID, backlog q: Double, capacity: Double, load g: Gathered) -> Double {
        var q = q
        let queued = max(0, q - g.limit)
        if queued > g.queueTimeout * capacity {
            let over = queued - g.queueTimeout * capacity
            m.countFailure(s, .noUpstream, weight: over)
            m.fluidQueueTimeouts += over
            q -= over
        }
        m.haproxy?.fluidQueued[task] = q > g.limit ? q - g.limit : nil
        return q
    }

    /// `record`, with the requests whose SYNs met a reload gap this step shifted by their delay.
    func recordSyn(_ s: Int, _ sketch: (points: [Double], mean: Double, id: Int), count: Double, shift: Double, limit: SimDuration?) {
        guard !stepSyn.isEmpty else { record(s, sketch, count: count, shift: shift, limit: limit); return }
        var rest = count
        for (f, d) in stepSyn {
            record(s, sketch, count: count * f, shift: shift + d * 1000, limit: limit)
            rest -= count * f
        }
        record(s, sketch, count: max(0, rest), shift: shift, limit: limit)
    }

    /// A reload was signalled (or a tick found an instance not accepting): if instance `i` is in its
    /// gap now, the gap's bounds, found on `haproxyAccepts` by steps of 50 ms from now (at most two
    /// minutes either way) and bisection to a microsecond within the last step.
    func haproxyNoteGap(_ i: Int) {
        guard let tab = m.haproxy, i >= 0, i < tab.fluidGaps.count else { return }
        let c = tab.control, now = m.now
        guard m.model.infrastructure.hosts[c.haproxyInstances[i].host].state.isUp, !c.haproxyAccepts(i, now: now) else { return }
        if let g = tab.fluidGaps[i], g.contains(now) { return }
        let step: Int64 = 50_000_000, steps: Int64 = 2_400
        /// From now towards `dir` (-1, +1): the last time in the gap and the first time out of it.
        func edge(_ dir: Int64) -> (inGap: Int64, out: Int64) {
            var b = now.nanoseconds, k: Int64 = 1
            while k <= steps {
                let x = max(0, now.nanoseconds + dir * k * step)
                if c.haproxyAccepts(i, now: SimTime(nanoseconds: x)) {
                    var a = x
                    while abs(b - a) > 1_000 {
                        let mid = a + (b - a) / 2
                        if c.haproxyAccepts(i, now: SimTime(nanoseconds: mid)) { a = mid } else { b = mid }
                    }
                    return (b, a)
                }
                b = x
                if x == 0 { break }
                k += 1
            }
            return (b, b)
        }
        let lower = edge(-1).inGap, upper = edge(1).out
        tab.fluidGaps[i] = SimTime(nanoseconds: lower)..<SimTime(nanoseconds: max(upper, now.nanoseconds + 1))
    }

    /// The reload-gap share of service `s`'s step [t, end): fills `stepSyn` with the share of the
    /// entering requests delayed by each retransmission delay and returns the share lost (SYNs
    /// unanswered after the last retransmission: the client times out).
    func haproxyGapDelays(_ s: Int, from t: SimTime, to end: SimTime, dt: Double) -> Double {
        guard let tab = m.haproxy, let f = haproxyFronts[s], dt > 0 else { return 0 }
        while tab.fluidGapDone.count <= s { tab.fluidGapDone.append(.zero) }
        for i in f.instances where !tab.control.haproxyAccepts(i, now: t) { haproxyNoteGap(i) }
        // no gap left to account (the usual tick): no need to look at the configurations
        let done = tab.fluidGapDone[s]
        guard f.instances.contains(where: { tab.fluidGaps[$0].map { $0.upperBound > done } ?? false }) else { return 0 }
        var lo = SimTime.zero, hi = SimTime.distantFuture, any = false
        for i in f.instances where f.binds(i) {
            guard let g = tab.fluidGaps[i] else { return 0 }
            lo = max(lo, g.lowerBound); hi = min(hi, g.upperBound); any = true
        }
        guard any, lo < hi else { return 0 }
        let from = max(lo, tab.fluidGapDone[s]), to = min(hi, end)
        if hi > end { stepClean = false }
        guard to > from else { return 0 }
        stepClean = false
        tab.fluidGapDone[s] = to
        // requests per second of gap, as a share of the tick's (a gap caught up late is capped at the tick)
        let per = 1 / max(dt, (to - from).seconds)
        func part(_ a: SimTime, _ b: SimTime) -> Double { max(0, (min(b, to) - max(a, from)).seconds) }
        var before = SimDuration.zero
        for k in 1...Int(TrafficModel.synRetries) {
            let delay = SimDuration.seconds(Int64(1) << Int64(k)) - .seconds(1)
            let x = part(hi - delay, hi - before) * per
            if x > 0 { stepSyn.append((x, delay.seconds)) }
            before = delay
        }
        let lost = part(from, hi - before) * per
        if lost > 0 && lost < 1 { for k in stepSyn.indices { stepSyn[k].fraction /= 1 - lost } }
        return lost
    }

    /// A full step: the instances the service's requests entered.
    func haproxyFluidEntered(_ s: Int, _ es: [Entry]) {
        guard let t = m.haproxy else { return }
        while t.fluidEntered.count <= s { t.fluidEntered.append([]); t.fluidStatsSlots.append([]) }
        t.fluidEntered[s] = es.compactMap { $0.balancer <= -2 ? Int(-2 - $0.balancer) : nil }
        t.fluidStatsSlots[s] = t.fluidEntered[s].map { _ in (generation: -1, slot: -1) }
    }

    /// Every tick (steady or not): the stats page's view, per instance entered, of the
    /// frontend's arrival rate, sessions (rate x mean service time, Little's law) and total.
    /// The frontend's slot in an instance's stats is looked up again only when the instance runs
    /// another generation (`HAProxyTable.slot` has nothing to do while it runs the same one).
    func haproxyFluidStats(_ s: Int, offered: Double, dt: Double) {
        guard let t = m.haproxy, let f = haproxyFronts[s], s < t.fluidEntered.count, !t.fluidEntered[s].isEmpty, dt > 0 else { return }
        let n = offered / Double(t.fluidEntered[s].count)
        for (j, i) in t.fluidEntered[s].enumerated() {
            let g = t.control.haproxyGeneration(i)
            var k = t.fluidStatsSlots[s][j].slot
            if t.fluidStatsSlots[s][j].generation != g {
                k = t.slot(i, f.frontend, generation: g)
                t.fluidStatsSlots[s][j] = (g, k)
            }
            t.stats[i].fluidTick(k, rate: n / dt, scur: Int((n / dt * serviceMean[s]).rounded()), sessions: n)
        }
    }
}

extension FluidTraffic {
    /// An overloaded instance behind HAProxy's connection limit, its backlog a FIFO of cohorts
    /// (the requests of one tick): each tick the head is served at the instance's capacity, each
    /// cohort with its age as its wait (arrivals and completions both spread over their ticks),
    /// and the requests still queued beyond the limit (in HAProxy's queue) when their age passes
    /// `timeout queue` are answered 503 then, not when they arrive: capacity added meanwhile
    /// (a scale-up) serves them as it does in the request path. The limit's own wait is at most
    /// `timeout server` here (FluidTraffic.serve takes the other case). While a backlog lasts its
    /// limit is the largest it met: after a reload the old process keeps its connections (and the
    /// share of `maxconn` they had) until they drain; the new one adds its own.
    func haproxyServeQueue(_ s: Int, _ svc: TrafficService, task: TaskID, load g: Gathered, capacity: Double, c: Int, dt: Double) {
        guard let tab = m.haproxy else { return }
        let limit = max(g.limit, tab.fluidLimit[task] ?? 0)
        stepClean = false
        let t = m.now, end = t + SimDuration.fromSeconds(dt)
        var co = tab.fluidCohorts[task] ?? []
        if co.isEmpty, let q = backlog[task], q > 0 { co.append((t, q)) }
        if g.requests > 0 { co.append((t, g.requests)) }
        let sketch = latencySketch(s, svc, rate: min(g.rate, capacity * 0.999), c: c)
        var room = capacity * dt, done = 0.0, waitSum = 0.0
        while room > 1e-12, let head = co.first {
            let x = min(room, head.n), age = (t - head.born).seconds
            recordSyn(s, sketch, count: x, shift: age * 1000, limit: svc.timeout)
            done += x; waitSum += x * age; room -= x
            if head.n - x <= 1e-9 { co.removeFirst() } else { co[0].n -= x }
        }
        // past `timeout queue` (by the middle of their arrival tick) beyond the limit: 503; the
        // cohorts behind are younger, so the first that is not expired ends the walk
        var pos = 0.0, expired = 0.0
        for k in co.indices {
            let beyond = co[k].n - max(0, min(co[k].n, limit - pos))
            if beyond > 0 {
                guard (end - co[k].born).seconds > g.queueTimeout + dt / 2 else { break }
                co[k].n -= beyond; expired += beyond
            }
            pos += co[k].n
        }
        co.removeAll { $0.n <= 1e-9 }
        if expired > 0 { m.countFailure(s, .noUpstream, weight: expired); m.fluidQueueTimeouts += expired }
        let q = co.reduce(0.0) { $0 + $1.n }
        backlog[task] = q > 0 ? q : nil
        tab.fluidCohorts[task] = co.isEmpty ? nil : co
        tab.fluidQueued[task] = q > limit ? q - limit : nil
        tab.fluidLimit[task] = co.isEmpty ? nil : limit
        if dt > 0 {
            m.exporterFluidServe(s, task: task, perSecond: done / dt, sketch: sketch.id, points: sketch.points, meanMs: sketch.mean,
                                 shiftMs: done > 0 ? waitSum / done * 1000 : 0, work: serviceMean[s])
        }
    }
}

// The frontends' maxconn in fluid mode. A frontend at its `maxconn` stops accepting: connections
// wait in the kernel's accept queue (`min(backlog, somaxconn)`), and beyond it the kernel drops
// their SYNs; each client retransmits at 1, 3, 7, 15, 31 and 63 s after its first SYN and gives up
// at 127 s (Linux `tcp_syn_retries` 6), or at its own `timeout`. Per tick the frontends of the
// instances entered admit what their room allows (`maxconn` + the accept queue per instance, less
// the sessions held: the backlogs of the backend's servers, plus what the servers finish in the
// tick); when the SYNs of the tick (new requests and the retransmissions due) exceed it, each SYN
// gets in with the same chance (the room over the SYNs) and the others wait for their next
// retransmission. An admitted retransmission adds its delay to the response time (`stepSyn`).
extension FluidTraffic {
    /// A client whose SYNs were dropped: its first SYN's tick, the retransmission it waits for
    /// (1 ... 6; 7: it gives up), and how many.
    struct SynWaiter { var born: SimTime; var attempt: Int; var n: Double }

    static func synOffset(_ k: Int) -> Double { Double((1 << k) - 1) }

    /// Returns the requests that enter service `s`'s frontends in [t, end): of the `n` new ones and
    /// of the retransmissions due, as many as the frontends' room takes.
    func haproxyAdmit(_ s: Int, _ es: [Entry], requests n: Double, from t: SimTime, to end: SimTime, dt: Double) -> Double {
        guard let tab = m.haproxy else { return n }
        while synWaiters.count <= s { synWaiters.append([]) }
        while admitTasks.count <= s { admitTasks.append([]) }
        var room = 0.0, held = 0.0, drain = 0.0
        admitTasks[s].removeAll(keepingCapacity: true)
        let mean = serviceMean[s]
        var c = 1.0
        if case .fifo(let k) = m.spec.services[s].discipline { c = Double(k) }
        for e in es {
            let d = e.backend >= 0 ? tab[e.backend].defaults : HAProxyDefaults()
            room += Double(d.maxconn + d.acceptQueue)
            for p in e.peers {
                guard let task = p.inst?.task, !admitTasks[s].contains(task) else { continue }
                admitTasks[s].append(task)
                if let q = backlog[task], q > 0 { held += q; drain += c / mean * dt }
            }
        }
        // no frontend near its limit and nobody retransmitting: everything enters (the usual tick)
        if synWaiters[s].isEmpty && held + n <= room { return n }
        stepClean = false
        room = max(0, room - held + drain)
        let limit = m.spec.services[s].timeout?.seconds ?? .infinity
        var due: [SynWaiter] = [], keep: [SynWaiter] = []
        for w in synWaiters[s] {
            if w.born + SimDuration.fromSeconds(Self.synOffset(w.attempt)) < end { due.append(w) } else { keep.append(w) }
        }
        var demand = n
        for w in due {
            if w.attempt > Int(TrafficModel.synRetries) { m.countFailure(s, .timeout, weight: w.n) } else { demand += w.n }
        }
        let p = demand > 0 ? min(1, room / demand) : 1
        var entered = n * p
        var delayed: [(fraction: Double, delay: Double)] = []
        /// The clients that stay out wait for their next retransmission, or give up.
        func retry(_ born: SimTime, _ k: Int, _ x: Double) {
            guard x > 1e-12 else { return }
            if Self.synOffset(k) >= limit { m.countFailure(s, .timeout, weight: x); return }
            keep.append(SynWaiter(born: born, attempt: k, n: x))
        }
        retry(t, 1, n * (1 - p))
        for w in due where w.attempt <= Int(TrafficModel.synRetries) {
            entered += w.n * p
            delayed.append((w.n * p, Self.synOffset(w.attempt)))
            retry(w.born, w.attempt + 1, w.n * (1 - p))
        }
        tab.fluidSynDrops += demand * (1 - p)
        synWaiters[s] = keep
        guard entered > 0 else { return 0 }
        // the reload-gap shares were of the new requests; the retransmitted ones add theirs
        let fresh = n * p / entered
        for k in stepSyn.indices { stepSyn[k].fraction *= fresh }
        for (x, d) in delayed where x > 0 { stepSyn.append((x / entered, d)) }
        return entered
    }

    /// Instance `i` reloaded without handing its sockets over (HAProxy < 1.8): the connections in
    /// its frontends' accept queues are reset (errors_no_proxy) and leave their servers' backlogs.
    func haproxyFluidReloaded(_ i: Int) {
        guard let tab = m.haproxy, !tab.control.haproxySeamless(i) else { return }
        for s in haproxyFronts.indices {
            guard s < tab.fluidEntered.count, tab.fluidEntered[s].contains(i), s < admitTasks.count else { continue }
            let tasks = admitTasks[s]
            let held = tasks.reduce(0.0) { $0 + (backlog[$1] ?? 0) }
            let d = tab.defaults(instance: i, generation: tab.control.haproxyGeneration(i))
            let share = held / Double(max(1, tab.fluidEntered[s].count))
            let reset = min(Double(d.acceptQueue), max(0, share - Double(d.maxconn)))
            guard reset > 1e-9, held > 0 else { continue }
            m.countFailure(s, .noProxy, weight: reset)
            tab.fluidListenResets += reset
            for task in tasks {
                guard let q = backlog[task], q > 0 else { continue }
                let x = reset * q / held
                backlog[task] = q - x > 1e-9 ? q - x : nil
                if var co = tab.fluidCohorts[task] {
                    var left = x
                    while left > 1e-12, let last = co.last {
                        let y = min(left, last.n); left -= y
                        if last.n - y <= 1e-9 { co.removeLast() } else { co[co.count - 1].n -= y }
                    }
                    tab.fluidCohorts[task] = co.isEmpty ? nil : co
                }
            }
            steady[s] = nil
        }
    }
}
