import Glibc
import SimKernel

// Service checks run by the agent (agent/checks/check.go): the first run after a random stagger
// U[0, interval), then every interval; results go through the success_before_passing /
// failures_before_critical counters (agent/checks/check.go StatusHandler). COMPUTED, NOT
// PROBED: a run's outcome follows from the instance's behaviour at the run's instant (the same
// behaviour Mesos' probe(task:from:timeout:) reads: not serving yet → refused, hung → no answer
// within the timeout, unhealthy → HTTP 500, else the response time against the timeout), and it
// only changes at known instants (start of serving, hang) or at the random slow responses; so a
// check schedules an event only for the run whose result changes its status or starts a new
// regime. Slow responses (response time past the timeout, probability p per run) are placed by
// drawing the number of fast runs before the next slow one from a geometric distribution with
// parameter p: equal in distribution to drawing every run's response time.

struct CheckState {
    let def: ConsulCheckDefinition
    let instance: Int
    let task: TaskID
    /// Local status (the agent's) and what the servers hold.
    var status: ConsulHealth
    var catalogStatus: ConsulHealth
    var successes = 0
    var failures = 0
    var gen: Int32 = 0
    var reapGen: Int32 = 0
    /// Start of the run the pending event applies (the first run's before the first plan).
    var pendingStart: SimTime
    /// Index of that run (-1: not planned yet).
    var pendingRun = 0
    /// Index of the next slow run (Int.max: none).
    var nextSlow = Int.max
    /// P(response time > timeout) for HTTP and script checks.
    let slowProbability: Double
    var criticalSince: SimTime?
    /// When the agent registered the check (a TTL check's timer is armed then).
    var registeredAt = SimTime.zero
    /// A TTL check's updates through the agent's API (`consulCheckUpdate` actions), in time order.
    var ttlUpdates: [TTLUpdate] = []
}

/// A PUT to /v1/agent/check/pass|warn|fail/<id> (or /v1/agent/check/update/<id>) at `at`, with
/// `status`; `heartbeats`: whether the process's own updates go on afterwards (reporting `status`)
/// or this was the last one.
struct TTLUpdate {
    let at: SimTime
    let status: ConsulHealth
    let heartbeats: Bool
}

extension ConsulCluster {
    func addCheck(_ d: ConsulCheckDefinition, instance i: Int, task t: MesosTask) -> Int {
        var p = 0.0
        if d.kind == .http || d.kind == .script {
            switch t.behaviour.health {
            case .healthy(let rt), .hangsAfter(_, let rt): p = rt.survival(d.timeout.seconds)
            case .unhealthy: p = 0
            }
        }
        return addCheck(d, instance: i, taskID: t.id, slowProbability: p)
    }

    /// A check of task `task` (one that may be gone: a registration restored from the agent's data_dir).
    func addCheck(_ d: ConsulCheckDefinition, instance i: Int, taskID: TaskID, slowProbability p: Double) -> Int {
        let m = instances[i].member
        let first = d.kind == .ttl ? now : now + uniform(m, d.interval)
        var state = CheckState(def: d, instance: i, task: taskID, status: d.initialStatus, catalogStatus: d.initialStatus, pendingStart: first,
                               slowProbability: p)
        state.registeredAt = now
        let c: Int
        if let free = freeChecks.popLast() {
            // a reused slot keeps counting its generations, so the old check's events stay stale
            c = free
            let (g, rg) = (checks[c].gen, checks[c].reapGen)
            checks[c] = state
            checks[c].gen = g; checks[c].reapGen = rg
        } else {
            c = checks.count
            checks.append(state)
        }
        if d.kind != .ttl && !exactChecks { checks[c].nextSlow = drawSlow(c, after: -1) }
        // TASK_RUNNING is published before the executor knows when the process serves: plan
        // once this instant's handler is done
        checks[c].pendingRun = -1
        schedule(.checkRun, at: now, IndexGeneration.pack(c, checks[c].gen))
        return c
    }

    /// The outcome every run at `t` has, how long its result takes, and until when it holds.
    func regime(_ c: Int, at t: SimTime) -> (pass: Bool, latency: SimDuration, until: SimTime) {
        let d = checks[c].def
        guard let task = mesos?.task(checks[c].task), task.containerAlive, !task.state.isTerminal else {
            return (false, .zero, .distantFuture)
        }
        guard let serving = task.servingAt else { return (false, .zero, .distantFuture) }
        if t < serving { return (false, .zero, serving) }                      // connection refused
        if let h = task.hangAt, t >= h {
            return d.kind == .tcp ? (true, .zero, .distantFuture) : (false, d.timeout, .distantFuture)
        }
        let until = task.hangAt ?? .distantFuture
        if case .unhealthy = task.behaviour.health, d.kind != .tcp { return (false, .zero, until) }   // HTTP 500, exit 2
        return (true, .zero, until)
    }

    /// The response-time distribution of the checked process (exact mode).
    func responseTime(_ c: Int) -> Distribution? {
        guard let t = mesos?.task(checks[c].task) else { return nil }
        switch t.behaviour.health {
        case .healthy(let rt), .hangsAfter(_, let rt): return rt
        case .unhealthy: return nil
        }
    }

    /// Index of the next slow run after run `n`.
    func drawSlow(_ c: Int, after n: Int) -> Int {
        let k = stream(instances[checks[c].instance].member).successesBeforeFailure(probability: checks[c].slowProbability)
        return k == Int.max ? Int.max : n + 1 + k
    }

    /// Schedules the next run that changes something, counting the unchanged runs from run `m0`
    /// (starting at `s0`) on. A run blocks until its result (check.go runs the next one `interval`
    /// after the previous returns), so runs of one regime come every interval + its latency.
    func plan(_ c: Int, from m0: Int, at s0: SimTime) {
        let r = regime(c, at: s0)
        let s = checks[c]
        let period = s.def.interval + r.latency
        let target: ConsulHealth = r.pass ? .passing : .critical
        let threshold = max(1, r.pass ? s.def.successBeforePassing : s.def.failuresBeforeCritical)
        let counter = r.pass ? s.successes : s.failures
        var stop = Int.max
        if exactChecks {
            // exact mode: every run is an event and draws its own response time
            stop = m0
            if r.pass, s.slowProbability > 0, let rt = responseTime(c) {
                checks[c].nextSlow = rt.sample(stream(instances[s.instance].member)) > s.def.timeout.seconds ? m0 : Int.max
            }
        }
        if s.status != target || (target == .critical && s.criticalSince == nil && s.def.deregisterCriticalServiceAfter != nil) {
            // a change of status; or, for a check already critical that has not reported critical
            // yet (its initial status), the run whose result starts deregister_critical_service_after's clock
            stop = min(stop, m0 + max(0, threshold - counter - 1))
        }
        if r.until != .distantFuture {
            let k = r.until <= s0 ? 0 : (r.until.nanoseconds - s0.nanoseconds + period.nanoseconds - 1) / period.nanoseconds
            stop = min(stop, m0 + Int(k))
        }
        if r.pass { stop = min(stop, checks[c].nextSlow) }
        guard stop != Int.max else { return }
        let skipped = stop - m0
        if r.pass { checks[c].successes += skipped; if skipped > 0 { checks[c].failures = 0 } } else {
            checks[c].failures += skipped; if skipped > 0 { checks[c].successes = 0 }
        }
        let t = s0 + period * Int64(skipped)
        let latency = t >= r.until ? regime(c, at: t).latency : (r.pass && stop == checks[c].nextSlow ? s.def.timeout : r.latency)
        checks[c].gen &+= 1
        checks[c].pendingRun = stop
        checks[c].pendingStart = t
        schedule(.checkRun, at: t + latency, IndexGeneration.pack(c, checks[c].gen))
    }

    func checkRan(_ c: Int) {
        if checks[c].def.kind == .ttl { ttlFired(c); return }
        let n = checks[c].pendingRun
        if n < 0 { plan(c, from: 0, at: checks[c].pendingStart); return }
        var pass = regime(c, at: checks[c].pendingStart).pass
        if pass && n == checks[c].nextSlow {
            pass = false
            checks[c].nextSlow = exactChecks ? Int.max : drawSlow(c, after: n)
        }
        let s = checks[c]
        if pass {
            checks[c].successes += 1; checks[c].failures = 0
            if checks[c].successes >= max(1, s.def.successBeforePassing) { setStatus(c, .passing) }
        } else {
            checks[c].failures += 1; checks[c].successes = 0
            if checks[c].failures >= max(1, s.def.failuresBeforeCritical) {
                setStatus(c, .critical)
                // already critical (its initial status): the agent's UpdateCheck still starts the
                // critical clock at the first critical result (agent/local/state.go `UpdateCheck`:
                // CriticalTime is set whenever a critical result finds it unset)
                if checks[c].criticalSince == nil { startCriticalClock(c) }
            }
        }
        if !exactChecks && checks[c].nextSlow <= n { checks[c].nextSlow = drawSlow(c, after: n) }
        plan(c, from: n + 1, at: now + checks[c].def.interval)
    }

    // MARK: TTL (agent/checks/check.go `CheckTTL`)
    //
    // Consul arms the check's timer for `ttl` when it registers it (`Start`: time.NewTimer(c.TTL));
    // every update (`/v1/agent/check/pass|warn|fail/<id>`: `SetStatus`) sets the status and re-arms
    // it; when it fires the check turns critical with the output "TTL expired" (`run` →
    // UpdateCheck(critical)), a critical result like any other (it starts the critical clock of
    // `deregister_critical_service_after`). Until the first update the check has its initial
    // status (critical unless the definition's `status` says otherwise). The model's updater is
    // the process itself: it updates the check (passing) while it serves, often enough for its
    // `ttl`, and stops at a hang; nothing updates a check whose process never serves. So:
    // initial status until min(first update, registration + ttl); critical "TTL expired" at
    // registration + ttl when no update came by then; passing from the first update; critical
    // `ttl` after the last one (the hang).

    /// The span of the process's updates, [first, last), or nil when it never updates the check.
    func ttlUpdates(_ c: Int) -> (first: SimTime, last: SimTime)? {
        guard let task = mesos?.task(checks[c].task), task.containerAlive, !task.state.isTerminal,
              let serving = task.servingAt else { return nil }
        let first = max(serving, checks[c].registeredAt), last = task.hangAt ?? .distantFuture
        return first < last ? (first, last) : nil
    }

    /// The check's latest update at or before `t` and the status it set: the PUTs of the
    /// `consulCheckUpdate` actions, and the process's own updates, which come while it serves
    /// (passing, or the status of the latest action before them) and stop at a hang or at an action
    /// that says its heartbeats stop. Past the end of the process's updates, the last one is taken
    /// at that end (the model's choice: the process updates often enough for its `ttl`).
    func ttlLatestUpdate(_ c: Int, at t: SimTime) -> (at: SimTime, status: ConsulHealth)? {
        var best: (at: SimTime, status: ConsulHealth)? = nil
        let puts = checks[c].ttlUpdates
        for u in puts where u.at <= t { best = (u.at, u.status) }
        guard let span = ttlUpdates(c) else { return best }
        // the process's updates: passing and on until the first action, then as each action says
        for k in -1..<puts.count {
            let (from, status, on) = k < 0 ? (SimTime.zero, ConsulHealth.passing, true) : (puts[k].at, puts[k].status, puts[k].heartbeats)
            let lo = max(from, span.first), hi = min(k + 1 < puts.count ? puts[k + 1].at : .distantFuture, span.last)
            guard on, lo < hi, lo <= t else { continue }
            let x = min(t, hi)
            // a PUT at the same instant wins (it is the newer call)
            if best.map({ x > $0.at }) ?? true { best = (x, status) }
        }
        return best
    }

    /// What the TTL check says at `t`: nil (its initial status, no update and no expiry yet),
    /// the status of its latest update when that came within its ttl, or critical (its timer fired).
    func ttlStatus(_ c: Int, at t: SimTime) -> ConsulHealth? {
        let ttl = checks[c].def.ttl, armed = checks[c].registeredAt + ttl
        if let u = ttlLatestUpdate(c, at: t) { return t < u.at + ttl ? u.status : .critical }
        return t >= armed ? .critical : nil
    }

    /// Schedules the TTL check's next change after now: the expiry of the registration's timer,
    /// the process's first update, the expiry after its last one, and each action's PUT and the
    /// expiry after it.
    func planTTL(_ c: Int) {
        let ttl = checks[c].def.ttl, armed = checks[c].registeredAt + ttl
        var instants: [SimTime] = []
        let u = ttlUpdates(c)
        if u.map({ $0.first > armed }) ?? true { instants.append(armed) }   // the registration's timer fires first
        if let u = u {
            instants.append(u.first)
            if u.last != .distantFuture { instants.append(u.last + ttl) }
        }
        let puts = checks[c].ttlUpdates
        if !puts.isEmpty {
            // every instant where the latest update or its expiry may change; the first whose
            // status differs from now's is the next change
            instants.append(armed)
            for p in puts { instants.append(p.at); instants.append(p.at + ttl) }
            let current = ttlStatus(c, at: now)
            guard let at = instants.filter({ $0 > now }).sorted().first(where: { ttlStatus(c, at: $0) != current }) else { return }
            checks[c].gen &+= 1
            schedule(.checkRun, at: at, IndexGeneration.pack(c, checks[c].gen))
            return
        }
        guard let at = instants.filter({ $0 > now }).min() else { return }
        checks[c].gen &+= 1
        schedule(.checkRun, at: at, IndexGeneration.pack(c, checks[c].gen))
    }

    /// A `consulCheckUpdate` action: a PUT to /v1/agent/check/<pass|warn|fail>/<id> on the agent of
    /// every running instance of `app` (on `host` only, when given) for its TTL checks (those named
    /// or with the id `check`, when given). Consul's `updateTTLCheck` (agent/agent.go) sets the
    /// status through `CheckTTL.SetStatus`, which re-arms the timer for `ttl`
    /// (agent/checks/check.go); a status change syncs at once (agent/local/state.go). An agent
    /// that is down answers nothing. `heartbeats`: the process's own updates go on with `status`
    /// (true) or stop (false: the check expires `ttl` later). Returns what was updated.
    public func updateTTLChecks(app: String, host: String?, check: String?, status: ConsulHealth, heartbeats: Bool) -> String {
        var updated = 0, agentsDown = 0
        for i in instances.indices where instances[i].inLocal {
            guard let t = mesos?.task(instances[i].task), t.source == app, host.map({ hostName(instances[i].host) == $0 }) ?? true else { continue }
            let cs = instances[i].checks.filter { c in
                checks[c].def.kind == .ttl && (check.map { checks[c].def.name == $0 || checks[c].def.id == $0 } ?? true)
            }
            guard !cs.isEmpty else { continue }
            guard members[instances[i].member].agentUp else { agentsDown += 1; continue }
            for c in cs {
                checks[c].ttlUpdates.append(TTLUpdate(at: now, status: status, heartbeats: heartbeats))
                ttlFired(c)
                updated += 1
            }
        }
        var what = "\(status.rawValue) on \(updated) TTL check\(updated == 1 ? "" : "s")" + (heartbeats ? "" : ", heartbeats stop")
        if agentsDown > 0 { what += "; \(agentsDown) instance\(agentsDown == 1 ? "" : "s") on an agent that is down" }
        return what
    }

    func ttlFired(_ c: Int) {
        switch ttlStatus(c, at: now) {
        case .passing?: setStatus(c, .passing)
        case .warning?: setStatus(c, .warning)
        case .critical?:
            setStatus(c, .critical)
            // already critical (its initial status): the expiry is still a critical result, which
            // starts the critical clock (agent/local/state.go `UpdateCheck` sets CriticalTime)
            if checks[c].criticalSince == nil { startCriticalClock(c) }
        default: break
        }
        planTTL(c)
    }

    // MARK: status

    func setStatus(_ c: Int, _ s: ConsulHealth) {
        let old = checks[c].status
        guard old != s else { return }
        checks[c].status = s
        let i = checks[c].instance
        let name = checks[c].def.name.isEmpty ? "" : checks[c].def.name + " "
        log("consulCheck", instances[i].id, "\(name)\(old.rawValue)->\(s.rawValue)")
        if s == .critical {
            startCriticalClock(c)
        } else {
            checks[c].criticalSince = nil
        }
        changed(i)
    }

    /// A critical result that finds the check's critical clock unset starts it (agent/local/state.go
    /// `UpdateCheck` sets CriticalTime; registration does not, so a check registered critical starts
    /// it at its first critical result); with `deregister_critical_service_after`, the agent's
    /// reaper (every 30 s, check_reap_interval) removes the service at its first run past the deadline.
    func startCriticalClock(_ c: Int) {
        guard let d = checks[c].def.deregisterCriticalServiceAfter else { return }
        checks[c].criticalSince = now
        checks[c].reapGen &+= 1
        let m = instances[checks[c].instance].member
        let phase = members[m].reapPhase ?? uniform(m, .seconds(30))
        members[m].reapPhase = phase
        let due = now + d
        let k = max(0, (due.nanoseconds - phase.nanoseconds + 29_999_999_999) / 30_000_000_000)
        schedule(.checkReap, at: SimTime(nanoseconds: phase.nanoseconds + k * 30_000_000_000), IndexGeneration.pack(c, checks[c].reapGen))
    }

    /// deregister_critical_service_after: the reaper removes the service.
    func reapCritical(_ c: Int) {
        guard let since = checks[c].criticalSince, let d = checks[c].def.deregisterCriticalServiceAfter, now - since >= d else { return }
        let i = checks[c].instance
        log("consulCheckReaped", instances[i].id, "critical for \(now - since)")
        deregisterLocally(i, reason: "deregister_critical_service_after")
    }

    /// Stops the checks of an agent whose host went down (nothing runs them any more).
    func stopChecks(member m: Int) {
        for i in members[m].instances { for c in instances[i].checks { checks[c].gen &+= 1; checks[c].reapGen &+= 1 } }
    }
}
