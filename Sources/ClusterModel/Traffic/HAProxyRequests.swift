import SimKernel

// The per-request engine's HAProxy steps (`via: marathon-lb`): SYN retransmission into a reload
// gap, the backend queue (`maxconn`, `timeout queue`), connection retries with HAProxy's
// turn-around delay and `option redispatch`, and the observations its computed health checks
// start from. Everything else (instance queues, read timeouts, counting) is the shared engine.

extension TrafficModel {
    /// Linux `tcp_syn_retries` (6): a client gives up after its sixth retransmitted SYN goes
    /// unanswered (1 + 2 + 4 + 8 + 16 + 32 + 64 s; RFC 6298 2.1 initial RTO 1 s, doubled).
    static let synRetries: Int32 = 6

    func makeHAProxyFront(frontend: String, instance: Int?) -> RequestFront {
        guard let t = haproxy else { return NoFront() }
        let f = HAProxyFront(table: t, frontend: frontend, instance: instance) { [unowned model] h in model.infrastructure.hosts[h].state.isUp }
        f.onFree = { [unowned self] b in self.haproxyWake(b) }
        f.onClosed = { [unowned self, unowned f] i in self.haproxyListenAccept(i, f.frontend) }
        return f
    }

    /// The client connects to the next instance; in a reload gap its SYN is dropped and it
    /// retransmits after the RTO (1 s, doubling), counted in its response time.
    func haproxyEnter(_ slot: Int32, _ hf: HAProxyFront) {
        let i = Int(slot)
        switch hf.enter(now: now) {
        case .entered(let h):
            requests[i].front = h
            hf.table[h.balancer].holders += 1
            hf.table.relist(h.balancer)
            requests[i].triesLeft = Int32(hf.tries(h))
            attempt(slot)
        case .retransmit:
            requests[i].front = FrontHandle(proxy: -1, balancer: -1, host: -1, generation: 0)
            let rto = SimDuration.seconds(1) * Int64(1 << Int(requests[i].synTries))
            requests[i].synTries += 1
            wait(slot, .synRetransmit, until: now + rto)
        case .refused(let why):
            requests[i].front = FrontHandle(proxy: -1, balancer: -1, host: -1, generation: 0)
            finish(slot, why == .noProxy ? .noProxy : .noUpstream, closeFront: false)
        case .listening(let inst, let g):
            // the frontend is full: the connection waits in its socket's accept queue (the client
            // sent its request and waits; HAProxy has not seen it: no session, no timeout of its own)
            requests[i].front = FrontHandle(proxy: Int32(inst), balancer: -1, host: -1, generation: Int32(g))
            hf.table.listenPush(inst, hf.frontend, generation: g, slot)
            if !requests[i].clientTimerSet, let limit = spec.services[Int(requests[i].service)].timeout {
                requests[i].clientTimerSet = true
                schedule(.clientTimeout, at: max(now, requests[i].start + limit), Self.pack(slot, requests[i].generation))
            }
        }
    }

    /// A session of frontend `name` closed on instance `i`: while the running process's frontend
    /// is below its maxconn, HAProxy accepts the connections of its accept queue in order (the
    /// listener is enabled again: src/listener.c `resume_listener` via `dequeue_all_listeners`).
    /// Each goes on at once, as an event of its own.
    func haproxyListenAccept(_ i: Int, _ name: String) {
        guard let t = haproxy else { return }
        let g = t.control.haproxyGeneration(i)
        while !t.frontendFull(i, name, generation: g), let slot = t.listenPop(i, name, generation: g) {
            let k = Int(slot)
            guard requests[k].live, let hf = fronts[Int(requests[k].service)] as? HAProxyFront else { continue }
            guard let h = hf.accept(i, generation: g, now: now) else {
                requests[k].front = FrontHandle(proxy: -1, balancer: -1, host: -1, generation: 0)
                finish(slot, .noProxy, closeFront: false)
                continue
            }
            requests[k].front = h
            hf.table[h.balancer].holders += 1
            hf.table.relist(h.balancer)
            requests[k].triesLeft = Int32(hf.tries(h))
            schedule(.connectRetry, at: now, Self.pack(slot, requests[k].generation))
        }
    }

    /// Instance `i` reloaded: with seamless reloads the new process takes the accept queues over
    /// (and, with no session yet, accepts them); otherwise the old process closed its listening
    /// sockets and the kernel reset the connections still in their queues
    /// (net/ipv4/inet_connection_sock.c `inet_csk_listen_stop`): the client sees a reset (errors_no_proxy).
    func haproxyListenReloaded(_ i: Int) {
        guard let t = haproxy else { return }
        let g = t.control.haproxyGeneration(i), keep = t.control.haproxySeamless(i)
        for (name, slots) in t.listenReloaded(i, generation: g, keep: keep) {
            if keep { haproxyListenAccept(i, name); continue }
            for slot in slots where requests[Int(slot)].live {
                requests[Int(slot)].front = FrontHandle(proxy: -1, balancer: -1, host: -1, generation: 0)
                t.listenResets += 1
                finish(slot, .noProxy, closeFront: false)
            }
        }
    }

    /// Instance `i`'s host went down: the connections in its accept queues get no answer (counted
    /// as timeouts now; model choice: the client's own timeout or TCP's retransmissions end them later).
    func haproxyListenLost(_ i: Int) {
        guard let t = haproxy else { return }
        for slot in t.listenLost(i) where requests[Int(slot)].live {
            requests[Int(slot)].front = FrontHandle(proxy: -1, balancer: -1, host: -1, generation: 0)
            finish(slot, .timeout, closeFront: false)
        }
    }

    func haproxyRetransmit(_ arg: Int64) {
        let (slot, gen) = Self.unpack(arg)
        let i = Int(slot)
        guard requests[i].live, requests[i].generation == gen, let hf = fronts[Int(requests[i].service)] as? HAProxyFront else { return }
        // a client that gave up closed its socket: it sends no more SYNs (counted when it gave up);
        // after the sixth retransmission unanswered (at 1 + 2 + ... + 64 = 127 s) connect() fails
        // with ETIMEDOUT: that moment sends no SYN (until session 52 it did, a seventh chance)
        if requests[i].clientGone || requests[i].synTries > Self.synRetries { finish(slot, .timeout, closeFront: false); return }
        haproxyEnter(slot, hf)
    }

    /// A new request waits in the backend queue while others wait there, or while no UP server
    /// has a free connection slot (per-server `maxconn`; the frontend's maxconn holds connections
    /// in the accept queue before HAProxy sees them: `haproxyEnter`).
    func haproxyQueues(_ slot: Int32, _ hf: HAProxyFront) -> Bool {
        let i = Int(slot)
        guard tried[i].isEmpty else { return false }
        if requests[i].skipQueue { requests[i].skipQueue = false; return false }
        let h = requests[i].front
        let b = hf.table[h.balancer]
        haproxyRefresh(b)
        guard b.queued > 0 || hf.mustQueue(h, now: now) else { return false }
        b.push(slot)
        hf.table.relist(h.balancer)
        wait(slot, .queueTimeout, until: now + b.defaults.timeoutQueue)
        return true
    }

    /// A connection slot was freed: the queue's head requests go to a server while there is room.
    func haproxyWake(_ backend: Int32) {
        guard let t = haproxy, !haproxyWaking else { return }
        haproxyWaking = true
        defer { haproxyWaking = false }
        let b = t[backend]
        while b.queued > 0 {
            guard b.servers.indices.contains(where: { b.isUp($0, now: now) && b.hasRoom($0) }) || !b.anyUp(now: now),
                  let slot = b.pop() else { return }
            requests[Int(slot)].skipQueue = true
            attempt(slot)
        }
    }

    /// `timeout queue`: a request still queued is answered 503.
    func haproxyQueueTimeout(_ arg: Int64) {
        let (slot, gen) = Self.unpack(arg)
        let i = Int(slot)
        guard requests[i].live, requests[i].generation == gen, requests[i].front.balancer >= 0, let t = haproxy,
              fronts[Int(requests[i].service)] is HAProxyFront else { return }
        let b = t[requests[i].front.balancer]
        guard b.remove(slot) else { return }
        b.queueTimeouts += 1
        finish(slot, .noUpstream)
    }

    /// A failed attempt: a connection that failed is retried (`retries`), after HAProxy's
    /// turn-around of min(timeout connect, 1 s) when it was refused; a request already sent is
    /// not (HAProxy retries connections only): 502 on a reset, 504 on `timeout server`.
    func haproxyFailed(_ slot: Int32, _ hf: HAProxyFront, cause: TrafficOutcome, sent: Bool) {
        let i = Int(slot)
        let h = requests[i].front
        let peer = Int(requests[i].peer)
        haproxyObserve(hf.table[h.balancer], peer)
        hf.free(h, peer: peer, failed: true, now: now)
        requests[i].triesLeft -= 1
        guard !sent, requests[i].triesLeft > 0 else { finish(slot, cause == .timeout ? .timeout : .deadUpstream); return }
        if cause == .timeout {
            attempt(slot)
        } else {
            let turn = min(hf.table[h.balancer].defaults.timeoutConnect, .seconds(1))
            schedule(.connectRetry, at: now + turn, Self.pack(slot, requests[i].generation))
        }
    }

    func haproxyRetry(_ arg: Int64) {
        let (slot, gen) = Self.unpack(arg)
        guard requests[Int(slot)].live, requests[Int(slot)].generation == gen else { return }
        attempt(slot)
    }

    /// Records whether server `s` answers now (a change starts its run of check results; a hung
    /// process failed its checks from its hang on, a starting one passes them from when it listens).
    /// The check goes from HAProxy's host to the server's, as the requests do.
    func haproxyObserve(_ b: HAProxyBackendState, _ s: Int) {
        guard let check = b.servers[s].server.check, let inst = b.servers[s].server.instance else { return }
        let r = reach(inst, from: b.lbHost)
        let task = mesos?.task(inst.task)
        // an HTTP check (`option httpchk GET <path>`) of a process that answers its health checks
        // with failures fails on the status (L7STS), though the connection is accepted, as
        // Marathon's and Consul's HTTP checks of it do (a TCP check passes)
        var failsHTTP = false
        if check.httpPath != nil, let t = task, case .unhealthy = t.behaviour.health { failsHTTP = true }
        let bad = r != .accept || failsHTTP
        // seen as before: `observe` would keep its run of checks, so the start of a new one is not
        // looked up (most servers of a walk, which runs on every platform signal)
        guard bad != b.servers[s].bad else { return }
        var at = now
        if let task {
            if r == .hung, let hang = task.hangAt { at = min(now, hang) }
            // a process that has not listened yet, or one whose HTTP checks fail, failed every check
            // of the run: its failures date from the run's start (for a server new to HAProxy, its
            // first check; not from the walk that looks at it)
            if bad && r != .hung && (failsHTTP || (task.servingAt.map { $0 > now } ?? true)) { at = min(now, b.servers[s].since) }
            // answering again: from when it listens if it did not yet when seen failing, else from
            // now (the heal of a partition between HAProxy's host and its host)
            if !bad, let up = task.servingAt, up > b.servers[s].since { at = min(now, up) }
            // answering now, hanging later (no signal then): the signalled walk looks at it at its hang
            if !bad, let hang = task.hangAt { b.queueHang(s, at: hang) }
        }
        onObserve?(b.servers[s].server.name, bad, at)
        b.observe(s, bad: bad, at: at)
    }

    /// The servers seen failing are looked at again (a process that started listening sends no
    /// signal); servers seen answering are not (their failures come with a signal or a request).
    func haproxyRefresh(_ b: HAProxyBackendState) {
        b.forEachFailing { haproxyObserve(b, $0) }
    }
}
