import SimKernel

/// One request in flight: a small value in a pool (slots are reused; `generation` tells a stale
/// timeout event from the slot's current request).
struct TrafficRequest {
    var service: Int32 = 0
    var generation: UInt32 = 0
    var live = false
    /// When the client sent it.
    var start = SimTime.zero
    /// When it was sent to the current peer.
    var sentAt = SimTime.zero
    var front = FrontHandle(proxy: -1, balancer: -1, host: -1, generation: 0)
    var peer: Int32 = -1
    var instance: ServiceInstance? = nil
    var triesLeft: Int32 = 0
    /// Seconds of work at an idle instance (drawn once per request: a retry costs the same work).
    var work = 0.0
    /// The last failed attempt's cause, and whether its peer was a placeholder (no instance).
    var lastTimeout = false
    var lastPlaceholder = false
    /// The client's own timeout fired (counted then); nginx goes on with the request, which
    /// still counts for its peers' max_fails, but its end is not counted again.
    var clientGone = false
    var clientTimerSet = false
    /// HAProxy: SYNs retransmitted into a reload gap; the request leaves the backend queue (its
    /// next attempt does not queue again).
    var synTries: Int32 = 0
    var skipQueue = false
}

// The per-request engine: one event per arrival and per completion (PS: only the instance's next
// completion), plus the timeouts of attempts that meet a dead or hung instance.
extension TrafficModel {
    static func pack(_ slot: Int32, _ gen: UInt32) -> Int64 { Int64(slot) << 32 | Int64(gen) }
    static func unpack(_ a: Int64) -> (Int32, UInt32) { (Int32(truncatingIfNeeded: a >> 32), UInt32(truncatingIfNeeded: a)) }

    func scheduleArrival(_ s: Int, after: SimDuration, first: Bool = false) {
        let a = spec.services[s].arrivals
        let profile = a.profile
        var t = now + after
        if !a.poisson {
            // evenly spaced at the current rate; a zero rate waits for the next point of the profile
            let r = profile.rate(at: t)
            guard r > 0 else {
                if let next = nextPositive(profile, after: t) { schedule(.arrival, at: next, Int64(s)) }
                return
            }
            if !first { t = t + SimDuration.fromSeconds(1 / r) }
            if t <= model.endTime { schedule(.arrival, at: t, Int64(s)) }
            return
        }
        // Poisson with a varying rate: thinning against the profile's highest rate (Lewis & Shedler)
        let bound = profile.maxRate
        guard bound > 0 else { return }
        let rng = arrivalStreams[s]
        while t <= model.endTime {
            t = t + SimDuration.fromSeconds(rng.exponential(mean: 1 / bound))
            if profile.isConstant || rng.uniform() * bound < profile.rate(at: t) {
                if t <= model.endTime { schedule(.arrival, at: t, Int64(s)) }
                return
            }
        }
    }

    private func nextPositive(_ p: RateProfile, after t: SimTime) -> SimTime? {
        // the first profile point after t with a positive rate (or the ramp towards it)
        var probe = t
        let step = SimDuration.seconds(1)
        while probe <= model.endTime {
            probe = probe + step
            if p.rate(at: probe) > 0 { return probe }
        }
        return nil
    }

    func allocSlot() -> Int32 {
        if let s = freeSlots.popLast() { return s }
        requests.append(TrafficRequest())
        tried.append([])
        return Int32(requests.count - 1)
    }

    func arrival(_ s: Int) {
        scheduleArrival(s, after: .zero)
        window[s].offered += 1
        let slot = allocSlot()
        let i = Int(slot)
        requests[i].generation &+= 1
        requests[i].live = true
        requests[i].service = Int32(s)
        requests[i].start = now
        requests[i].work = max(0, spec.services[s].serviceTime.sample(workStreams[s]))
        requests[i].lastTimeout = false
        requests[i].lastPlaceholder = false
        requests[i].clientGone = false
        requests[i].clientTimerSet = false
        tried[i].removeAll(keepingCapacity: true)
        if let hf = fronts[s] as? HAProxyFront {
            requests[i].synTries = 0; requests[i].skipQueue = false
            haproxyEnter(slot, hf)
            return
        }
        switch fronts[s].open(now: now) {
        case .refused(let why):
            requests[i].front = FrontHandle(proxy: -1, balancer: -1, host: -1, generation: 0)
            finish(slot, why == .noProxy ? .noProxy : .noUpstream, closeFront: false)
        case .entered(let h):
            exporterProxyAccepted(h.proxy)
            requests[i].front = h
            requests[i].triesLeft = Int32(fronts[s].tries(h))
            attempt(slot)
        }
    }

    /// Sends the request to the next peer the front picks.
    func attempt(_ slot: Int32) {
        let i = Int(slot)
        let s = Int(requests[i].service)
        let front = fronts[s]
        let h = requests[i].front
        if let hf = front as? HAProxyFront, haproxyQueues(slot, hf) { return }
        guard let p = front.pick(h, now: now, tried: tried[i]) else { finish(slot, .noUpstream); return }
        tried[i].append(p.peer)
        requests[i].peer = Int32(p.peer)
        requests[i].instance = p.instance
        requests[i].sentAt = now
        let route = front.route(h)
        switch reach(p.instance, from: Int(h.host)) {
        case .refused:
            if let inst = p.instance { deadRouting(at: now, host: inst.host) }
            requests[i].lastPlaceholder = p.instance == nil
            attemptFailed(Self.pack(slot, requests[i].generation), cause: .deadUpstream, sent: false)
        case .noAnswer:
            if let inst = p.instance { deadRouting(at: now, host: inst.host) }
            wait(slot, .connectTimeout, until: now + route.connectTimeout)
        case .hung:
            if let inst = p.instance { deadRouting(at: now, host: inst.host) }
            wait(slot, .readTimeout, until: now + route.readTimeout)
        case .accept:
            enqueue(slot, task: p.instance!.task)
        }
    }

    /// The attempt waits for a timeout; a client whose own timeout comes first gives up then.
    func wait(_ slot: Int32, _ k: Kind, until t: SimTime) {
        let i = Int(slot)
        let arg = Self.pack(slot, requests[i].generation)
        schedule(k, at: t, arg)
        if !requests[i].clientTimerSet, let limit = spec.services[Int(requests[i].service)].timeout, requests[i].start + limit < t {
            requests[i].clientTimerSet = true
            schedule(.clientTimeout, at: max(now, requests[i].start + limit), arg)
        }
    }

    func clientGaveUp(_ arg: Int64) {
        let (slot, gen) = Self.unpack(arg)
        let i = Int(slot)
        guard requests[i].live, requests[i].generation == gen, !requests[i].clientGone else { return }
        requests[i].clientGone = true
        countFailure(Int(requests[i].service), .timeout)
    }

    func queue(for task: TaskID, discipline: QueueDiscipline) -> Int32 {
        if let q = queueOfTask[task] { return q }
        let q = Int32(queues.count)
        queues.append(InstanceQueue(task: task, discipline: discipline))
        queueOfTask[task] = q
        return q
    }

    func enqueue(_ slot: Int32, task: TaskID) {
        let i = Int(slot)
        let svc = spec.services[Int(requests[i].service)]
        if let h = requests[i].instance?.host { exporterArrived(host: h) }
        let q = queue(for: task, discipline: svc.discipline)
        let iq = queues[Int(q)]
        switch iq.discipline {
        case .processorSharing:
            let t = iq.psArrive(slot: slot, work: requests[i].work, now: now)
            schedule(.psDone, at: t, Self.pack(q, iq.generation))
        case .fifo(let c):
            if iq.fifoArrive(slot: slot, concurrency: c) {
                schedule(.fifoDone, at: now + SimDuration.fromSeconds(requests[i].work), Self.pack(slot, requests[i].generation))
            }
        }
    }

    func fifoDone(_ arg: Int64) {
        let (slot, gen) = Self.unpack(arg)
        let i = Int(slot)
        guard requests[i].live, requests[i].generation == gen, let task = requests[i].instance?.task, let q = queueOfTask[task] else { return }
        if let next = queues[Int(q)].fifoDepart() {
            schedule(.fifoDone, at: now + SimDuration.fromSeconds(requests[Int(next)].work), Self.pack(next, requests[Int(next)].generation))
        }
        exporterServed(slot)
        responded(slot)
    }

    func psDone(_ arg: Int64) {
        let (q, gen) = Self.unpack(arg)
        let iq = queues[Int(q)]
        guard iq.generation == gen, iq.count > 0 else { return }
        let (slot, next) = iq.psComplete(now: now)
        if let t = next { schedule(.psDone, at: t, Self.pack(q, iq.generation)) }
        exporterServed(slot)
        responded(slot)
    }

    /// The instance finished the request's work: the answer reaches the proxy if the instance
    /// still answers; a host that died or a process that hung meanwhile leaves the proxy waiting
    /// until proxy_read_timeout; a process that exited reset the connection.
    func responded(_ slot: Int32) {
        let i = Int(slot)
        let s = Int(requests[i].service)
        let route = fronts[s].route(requests[i].front)
        let deadline = requests[i].sentAt + route.readTimeout
        switch reach(requests[i].instance, from: Int(requests[i].front.host)) {
        case .accept where now <= deadline:
            fronts[s].free(requests[i].front, peer: Int(requests[i].peer), failed: false, now: now)
            finish(slot, .ok)
        case .refused:
            attemptFailed(Self.pack(slot, requests[i].generation), cause: .deadUpstream, sent: true)
        default:
            // no answer in time: the read timeout fires (late, at completion, for a slow instance)
            wait(slot, .readTimeout, until: max(now, deadline))
        }
    }

    /// An attempt failed (refused, reset, connect or read timeout): nginx counts a failure for
    /// the peer and passes the request to the next one when proxy_next_upstream allows it.
    func attemptFailed(_ arg: Int64, cause: TrafficOutcome, sent: Bool) {
        let (slot, gen) = Self.unpack(arg)
        let i = Int(slot)
        guard requests[i].live, requests[i].generation == gen else { return }
        let s = Int(requests[i].service)
        let front = fronts[s]
        if let hf = front as? HAProxyFront { haproxyFailed(slot, hf, cause: cause, sent: sent); return }
        let h = requests[i].front
        if let out = front.free(h, peer: Int(requests[i].peer), failed: true, now: now) {
            logDisabled(out, proxy: Int(h.proxy), generation: Int(h.generation))
        }
        requests[i].triesLeft -= 1
        let isTimeout = cause == .timeout
        requests[i].lastTimeout = isTimeout
        if !isTimeout && sent { requests[i].lastPlaceholder = false }
        let route = front.route(h)
        let allowed = route.nextUpstream.contains(isTimeout ? .timeout : .error)
        let inTime = route.nextUpstreamTimeout == .zero || now - requests[i].start < route.nextUpstreamTimeout
        if allowed && inTime && requests[i].triesLeft > 0 {
            attempt(slot)
        } else {
            finish(slot, isTimeout ? .timeout : (requests[i].lastPlaceholder ? .noUpstream : .deadUpstream))
        }
    }

    /// The request ends: counted as served (with its response time) or by its error's cause.
    func finish(_ slot: Int32, _ outcome: TrafficOutcome, closeFront: Bool = true) {
        let i = Int(slot)
        let s = Int(requests[i].service)
        if closeFront { fronts[s].close(requests[i].front) }
        let elapsed = now - requests[i].start
        var result = outcome
        if let limit = spec.services[s].timeout, elapsed > limit { result = .timeout }
        if requests[i].clientGone {
            // counted when the client gave up
        } else if result == .ok {
            window[s].served += 1
            window[s].latency.record(elapsed.seconds * 1000)
            window[s].latencySumMs += elapsed.seconds * 1000
        } else {
            countFailure(s, result)
        }
        if requests[i].front.balancer >= 0, let hf = fronts[s] as? HAProxyFront {
            if result != .ok, requests[i].front.proxy >= 0 { hf.table.stats[Int(requests[i].front.proxy)].failed(hf.frontend) }
            // the request no longer holds its backend: an old generation's may be released
            hf.table[requests[i].front.balancer].holders -= 1
            hf.table.retire(requests[i].front.balancer)
        }
        requests[i].live = false
        requests[i].instance = nil
        freeSlots.append(slot)
    }
}
