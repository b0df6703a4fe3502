import SimKernel

// marathon-lb's event stream (`--sse`) and its reads of Marathon's REST API, as marathon_lb.py's
// `__main__` loop, Marathon.get_event_stream / api_req_raw and utils.py CurlHttpEventStream do
// them at the modelled release (docs/marathon-lb.md "The event stream"). The stream carries
// Marathon's events to `receive` only while it is connected; it ends when the Marathon that
// carries it stops leading (at once), when that process's host stops (an orderly stop: at once;
// a crash: silence, which curl notices after LOW_SPEED_TIME 300 s, from 1.10.1), or 10 s after
// the leader's host crashed when the stream was proxied by another Marathon
// (`leader_proxy_read_timeout`). Then marathon-lb waits `random() * waitSeconds` and tries the
// next URL of `--marathon`.

extension MarathonLB {
    /// CurlHttpEventStream `LOW_SPEED_TIME` (utils.py, from 1.10.1): 300 s below 1 byte/s.
    /// Marathon's Jetty EventSourceServlet sends a heartbeat every 10 s (heartBeatPeriod), so a
    /// live stream never trips it; a stream whose server vanished does, 300 s after the last byte
    /// (the model takes the last heartbeat at the crash: up to 10 s late).
    static let streamLowSpeedTime = SimDuration.seconds(300)
    /// pycurl `CONNECTTIMEOUT 10`: an attempt on a host that does not answer fails after 10 s
    /// (curl error 28, "Connection timed out").
    static let streamConnectTimeout = SimDuration.seconds(10)
    /// Marathon `--leader_proxy_read_timeout` (default 10000 ms, LeaderProxyConf): a proxied
    /// stream whose leader's host vanished ends when the proxy's read times out.
    static let leaderProxyReadTimeout = SimDuration.seconds(10)

    /// How a stream ended, which decides the wait before the next attempt.
    enum StreamEnd: String {
        /// The server closed it (a Marathon going to standby closes its handles).
        case closed
        /// An exception: refused, 503 without a leader, a reset, a proxy's error.
        case error
        /// curl error 28: nothing received for LOW_SPEED_TIME, or the connect timeout.
        case timedOut = "timed out (curl error 28)"
    }

    struct EventStream {
        /// Marathon's events reach marathon-lb.
        var connected = true
        /// Broken but not yet noticed (a silent stream): no events, the end is scheduled.
        var broken = false
        /// The Marathon process the connection goes to (nil: a name of the leader) and the one
        /// whose handles carry it (nil at the start: whoever leads first).
        var via: Int?
        var leader: Int?
        /// `stream_started` of the loop iteration.
        var started = SimTime.zero
        /// waitSeconds (from 1.11.2) or backoff (before): 3, times 1.5 per wait.
        var wait = 3.0
        /// get_event_stream calls since the process started (the URL cycle).
        var attempts = 1
        /// The pending attempt or end.
        var timer: EventID?
        /// Before 1.11.2: process_sse_events stopped the event processor (no events, no 300 s
        /// resets) until the next attempt starts a new one.
        var processorStopped = false
        /// From 1.11.2 `processor.start()` resets from tasks when its thread runs already: not at
        /// the first attempt of a process.
        var threadStarted = false
        /// Rotation of `--marathon` for the API (from 1.13.0 api_req_raw sticks to the URL that answered).
        var apiFirst = 0
    }

    /// The stream of a process that starts (the simulation's start, its host back up): the first
    /// attempt, and at the simulation's start the model takes it as connected to whichever
    /// Marathon leads first (the platform starts at once; a real marathon-lb starts after
    /// Marathon, usually as one of its apps).
    func startStream(_ i: Int, atSimulationStart: Bool) {
        instances[i].stream = EventStream()
        instances[i].stream.started = model.sim.now
        if atSimulationStart {
            instances[i].stream.threadStarted = true
            guard let h = streamTarget(i, attempt: 0) else { return }
            if let hi = h, marathonProcess(on: hi) == nil {
                // a host that runs no Marathon refuses it (curl error 7)
                instances[i].stream.connected = false
                streamEnded(i, .error, why: "\(model.infrastructure.hosts[hi].name) runs no Marathon: connection refused")
            } else if let hi = h { instances[i].stream.via = marathonProcess(on: hi) }
            return
        }
        instances[i].stream.connected = false
        instances[i].stream.attempts = 0
        attemptStream(i)
    }

    /// `--marathon`'s URL of attempt `k` (0-based): nil: none given (a name of the leader);
    /// .some(nil): a name that is no host of the scenario (taken as a name of the leader).
    func streamTarget(_ i: Int, attempt k: Int) -> Int?? {
        guard !marathonHosts.isEmpty else { return nil }
        let n = marathonHosts.count
        return .some(marathonHosts[(spec.version.streamSkipsAURL ? 2 * k + 1 : k) % n])
    }

    /// The Marathon process running on host `h`, if any.
    func marathonProcess(on h: Int) -> Int? {
        marathon.processes.firstIndex { $0.host == h && $0.alive }
    }

    /// The leader, when it runs (its host up): the one an API call or a stream reaches.
    var runningLeader: Int? {
        guard let l = marathon.leader, marathon.processes[l].alive else { return nil }
        return l
    }

    /// One pass of the `while True` loop: get_event_stream on the next URL, processor.start().
    func attemptStream(_ i: Int) {
        var s = instances[i].stream
        s.timer = nil
        s.started = model.sim.now
        let k = s.attempts
        s.attempts += 1
        instances[i].stream = s
        if spec.version.streamLoopResyncs {
            // processor.start(): a thread runs already, so reset_from_tasks (a full resync)
            if instances[i].stream.threadStarted { trigger(i) } else { instances[i].stream.threadStarted = true }
        } else {
            // process_sse_events: a new processor thread, waiting for events or 300 s
            instances[i].stream.processorStopped = false
            if !instances[i].busy, instances[i].idleTimer == nil { instances[i].idleTimer = schedule(.idle, i, after: MarathonLB.idleReset) }
        }
        let target = streamTarget(i, attempt: k)
        let name = target.map { $0.map { model.infrastructure.hosts[$0].name } ?? "a name of the leader" } ?? "a name of the leader"
        var via: Int? = nil
        if let t = target, let h = t {
            guard hostIsUp(h) else {
                instances[i].stream.timer = schedule(.streamConnectTimeout, i, after: MarathonLB.streamConnectTimeout)
                return
            }
            guard let p = marathonProcess(on: h) else { streamEnded(i, .error, why: "\(name) runs no Marathon: connection refused"); return }
            via = p
        }
        guard let l = runningLeader else { streamEnded(i, .error, why: "\(name): 503 Could not determine the current leader"); return }
        instances[i].stream.connected = true
        instances[i].stream.via = via
        instances[i].stream.leader = l
        model.log("marathon-lb", "eventStreamConnected", hostName(ofInstance: i), "attempt \(k + 1) on \(name), leader \(marathon.processName(l))\(via.map { $0 != l ? " (proxied)" : "" } ?? "")")
    }

    func streamTimerFired(_ i: Int, _ k: Kind) {
        instances[i].stream.timer = nil
        switch k {
        case .streamConnectTimeout: streamEnded(i, .timedOut, why: "no answer from the host within pycurl's CONNECTTIMEOUT 10 s")
        case .streamSilent: streamEnded(i, .timedOut, why: "nothing received for LOW_SPEED_TIME 300 s")
        default: streamEnded(i, .error, why: "the proxying Marathon's read from the leader timed out (leader_proxy_read_timeout 10 s)")
        }
    }

    /// The Marathon process `p` on host `h` stopped leading (`leadershipLost`, and `exits`) or
    /// stopped with its host (`crashed`: no FIN, the stream goes silent): the streams it carries
    /// (as the leader) or goes through (as the proxy) end as that says.
    func marathonWent(process p: Int, host h: Int, leadershipLost: Bool, exits: Bool = false, crashed: Bool = false) {
        for i in instances.indices where hostUp(i) && instances[i].stream.connected {
            let s = instances[i].stream
            let leader = s.leader ?? marathon.leader
            let carries = leader == p
            let via = s.via ?? leader
            let host = model.infrastructure.hosts[h].name
            if leadershipLost {
                guard carries else { continue }
                streamEnded(i, exits ? .error : .closed, why: exits ? "Marathon \(marathon.processName(p)) stopped leading and exited" : "Marathon \(marathon.processName(p)) stopped leading: its event streams closed")
            } else if via == p {
                if !crashed { streamEnded(i, .error, why: "\(host) shut down: the connection closed") }
                else if spec.version.streamLowSpeedTimeout { breakSilently(i, after: MarathonLB.streamLowSpeedTime, kind: .streamSilent) }
                else { breakSilently(i, after: nil, kind: .streamSilent) }
            } else if carries {
                if crashed { breakSilently(i, after: MarathonLB.leaderProxyReadTimeout, kind: .streamProxyTimeout) }
                else { streamEnded(i, .closed, why: "the leader's host \(host) shut down: the proxied stream closed") }
            }
        }
    }

    /// No more events; the end is noticed `after` (nil: never, before 1.10.1's LOW_SPEED_TIME).
    func breakSilently(_ i: Int, after d: SimDuration?, kind: Kind) {
        instances[i].stream.broken = true
        instances[i].stream.connected = false
        model.log("marathon-lb", "eventStreamSilent", hostName(ofInstance: i), d.map { "its Marathon's host is gone; noticed in \($0)" } ?? "its Marathon's host is gone; curl waits for ever (no LOW_SPEED_TIME before 1.10.1)")
        if let d { instances[i].stream.timer = schedule(kind, i, after: d) }
    }

    /// The stream ended: the wait before the next attempt, as the release's loop computes it.
    func streamEnded(_ i: Int, _ how: StreamEnd, why: String) {
        var s = instances[i].stream
        if let t = s.timer { model.sim.cancel(t); s.timer = nil }
        s.connected = false
        s.broken = false
        let now = model.sim.now
        let lived = (now - s.started).seconds
        var sleep: Double
        if spec.version.streamLoopResyncs {
            // currentWaitSeconds = random() * waitSeconds (drawn at the iteration's start: the
            // model draws it here, the same value); 0 after curl error 28
            sleep = how == .timedOut ? 0 : streamRandom(i).uniform() * s.wait
            if sleep > 0 {
                s.wait = min(s.wait * 1.5, Double(spec.version.hasMaxBackoff ? spec.flags.maxBackoff : 300))
                if lived > 600 { s.wait = 3 }
            }
        } else {
            if how != .closed { s.wait = min(s.wait * 1.5, 300) }
            if lived > 600 { s.wait = 3 }
            sleep = streamRandom(i).uniform() * s.wait
            // process_sse_events' finally: processor.stop()
            s.processorStopped = true
            if let t = instances[i].idleTimer { model.sim.cancel(t); instances[i].idleTimer = nil }
            instances[i].pending = false
        }
        let d = SimDuration(nanoseconds: Int64((sleep * 1e9).rounded()))
        s.timer = schedule(.streamAttempt, i, after: d)
        instances[i].stream = s
        model.log("marathon-lb", "eventStreamLost", hostName(ofInstance: i), "\(how == .closed ? "closed" : how.rawValue): \(why); reconnecting in \(d)")
    }

    func streamRandom(_ i: Int) -> RandomStream {
        if let r = streamRandoms[i] { return r }
        let r = model.stream("marathon-lb/\(hostName(ofInstance: i))/event-stream")
        streamRandoms[i] = r
        return r
    }

    func hostIsUp(_ h: Int) -> Bool { model.infrastructure.hosts[h].state.isUp }

    /// do_reset's get_apps: /v2/apps?embed=apps.tasks from the `--marathon` URLs, as api_req_raw
    /// tries them. False: the call raised (logged, nothing regenerated).
    func marathonAnswers(_ i: Int) -> Bool {
        let leaderRuns = runningLeader != nil
        guard !marathonHosts.isEmpty else { return leaderRuns }
        let n = marathonHosts.count
        for j in 0..<n {
            let k = (instances[i].stream.apiFirst + j) % n
            let answers: Bool?   // nil: no connection; false: a non-200 answer (503)
            if let h = marathonHosts[k] {
                answers = hostIsUp(h) && marathonProcess(on: h) != nil ? leaderRuns : nil
            } else { answers = leaderRuns }
            if spec.version.apiTriesNextHostOnError {
                // 1.13.0+: a timeout or connection error tries the next URL; the first answer is returned
                guard let a = answers else { continue }
                if a, j != 0 { instances[i].stream.apiFirst = k }
                return a
            } else {
                // before: requests raises on a connection error; a non-200 answer tries the next
                guard let a = answers else { return false }
                if a { return true }
            }
        }
        return false
    }
}
