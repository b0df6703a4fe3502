import SimKernel

// One iteration of autoscale.rb's `run` loop (lines 163-191), step by step; line numbers refer to
// mesosphere/marathon-lb-autoscale:autoscale.rb and are listed in docs/autoscale.md.
extension Autoscaler {
    func iterate(now: SimTime) {
        accountOracleTime(now: now)
        // 164-171: poll every HAProxy; one that does not answer raises, and the rescue at 188
        // skips the rest of the iteration (total_samples is not incremented).
        var polls: [[HAProxyFrontendStats]] = []
        polls.reserveCapacity(polled.count)
        for i in polled {
            guard i >= 0, let rows = stats?.haproxyFrontendStats(i, now: now) else {
                fail(now: now, instance: i >= 0 ? i : -2)
                return
            }
            polls.append(rows)
        }
        aggregate(polls)                                   // 172, 255-269
        // 174, 271-295: GET /v2/apps on the --marathon host, after the samples were added. A host
        // that is down or runs no Marathon does not take the connection: Net::HTTP raises at 277.
        guard marathonReachable() else {
            fail(now: now, instance: -3)
            return
        }
        // Without a leader Marathon answers 503 (LeaderProxyFilter), the body has no apps and line
        // 284 raises. A leader whose process is gone (its host crashed, its ZooKeeper session not
        // yet expired) is still the leader to the others, which proxy to a host that does not
        // answer (v1.4.9 LeaderProxyFilter: 503 or 504 after leader_proxy_connection_timeout): the
        // same. Until session 51 the dead leader answered and took the PUT.
        guard let l = marathon.leader, marathon.processes[l].alive else {
            fail(now: now, instance: -1)
            return
        }
        for k in frontends.indices {
            if let a = frontends[k].currentApp { frontends[k].current = marathon.apps[a].definition.instances }
        }
        // 176, 297-308
        for k in frontends.indices {
            let f = frontends[k]
            let raw = (f.rateAvg / Double(spec.targetRPS)).rounded(.up)
            let t = raw >= Double(spec.maxInstances) ? spec.maxInstances : max(Int(raw), spec.minInstances)
            frontends[k].target = min(t, spec.maxInstances)
        }
        accountOracle(now: now)
        if totalSamples >= spec.samples {                  // 178
            scale(buildScalingList(now: now), now: now)    // 179-184
        } else {
            for k in frontends.indices {
                record(now, k, .sampling, n: totalSamples)
            }
        }
        totalSamples += 1                                  // 187
    }

    /// 255-269: per frontend, drop the oldest sample once `samples` are kept, add Σ rate + qcur
    /// over the instances polled (a frontend an instance does not have adds nothing), average.
    func aggregate(_ polls: [[HAProxyFrontendStats]]) {
        for k in frontends.indices { frontends[k].sample = 0 }
        for rows in polls {
            // 225: a name twice on one page: the last row wins (a Hash keyed by name)
            var touched: [Int] = []
            for r in rows {
                guard let k = frontendIndex[r.name] else { continue }
                if scratch[k] < 0 { touched.append(k) }
                scratch[k] = r.rate + r.qcur
            }
            for k in touched { frontends[k].sample += scratch[k]; scratch[k] = -1 }
        }
        let capacity = spec.samples
        for k in frontends.indices {
            var f = frontends[k]
            if f.ring.count >= capacity, !f.ring.isEmpty {   // 257-259 (shift on an empty array does nothing)
                f.ringSum -= f.ring[f.ringStart]
                f.ring[f.ringStart] = f.sample
                f.ringStart = (f.ringStart + 1) % f.ring.count
            } else {
                f.ring.append(f.sample)
            }
            f.ringSum += f.sample
            f.rateAvg = Double(f.ringSum) / Double(f.ring.count)   // 266-267
            frontends[k] = f
        }
    }

    /// 310-351, in `@apps` order (the order of `--apps`); returns the PUTs (app id, instances) in
    /// the order their keys were first added to `to_scale`.
    func buildScalingList(now: SimTime) -> [(id: String, app: Int?, instances: Int)] {
        var toScale: [(id: String, app: Int?, instances: Int)] = []
        var decided: [Int] = []   // frontends that set to_scale, to mark the ones a later frontend outscaled
        for k in frontends.indices {
            var f = frontends[k]
            defer { frontends[k] = f }
            if f.target == f.current {                                           // 318-321
                f.counter = 0
                record(now, k, .equal, f)
                continue
            }
            let rps = f.rateAvg / Double(f.current)                              // 322 (Float / 0: Infinity or NaN)
            let deviation = abs(rps - Double(spec.targetRPS)) / Double(spec.targetRPS)
            let apart = abs(Double(f.target - f.current))
            if deviation < spec.thresholdPercent && apart < Double(spec.thresholdInstances) {   // 322-326
                f.counter = 0
                record(now, k, .withinThreshold, f, x: deviation, n: Int(apart))
                continue
            }
            f.counter += 1                                                       // 327
            if f.counter < spec.intervalsPastThreshold {                         // 328-330
                record(now, k, .pastThreshold, f)
                continue
            }
            // 332-338. `>=` against Time.now: the model's iteration takes no time, the real one
            // does, so at exactly the cooldown's end the real clock is past it (docs/autoscale.md).
            if let last = f.lastScaled, last.seconds + Double(spec.cooldown) * spec.interval + spec.interval * Double(spec.samples) > now.seconds {
                record(now, k, .coolingDown, f, x: (now - last).seconds)
                continue
            }
            if let j = toScale.firstIndex(where: { $0.id == f.putID }) {        // 339-348
                if toScale[j].instances > f.target {
                    record(now, k, .outscaled, f, n: toScale[j].instances)
                    continue
                }
                toScale[j].instances = f.target
                for d in decided where frontends[d].putID == f.putID { replaced(d, now: now, by: k) }
            } else {
                toScale.append((f.putID, f.putApp, f.target))
            }
            f.lastScaled = now                                                   // 347
            decided.append(k)
            record(now, k, .scale, f, n: -1)
        }
        return toScale
    }

    /// 353-368: PUT /v2/apps/{id} {"instances": n}, no force; the answer is not looked at.
    func scale(_ list: [(id: String, app: Int?, instances: Int)], now: SimTime) {
        for s in list {
            scales += 1
            if firstScale == nil { firstScale = now }
            let result = marathon.scale(app: s.id, instances: s.instances, force: false)
            if case .conflict = result { conflicts += 1 }
            model.log("autoscale", "autoscalePut", s.id, "instances \(s.instances): \(Self.describe(result))")
        }
    }

    static func describe(_ r: MarathonScheduler.ActionResult) -> String {
        switch r {
        case .deployment(let d): return "deployment-\(d)"
        case .done: return "done"
        case .conflict(let d): return "HTTP 409 (deployment-\(d) in progress), ignored"
        case .unknownApp: return "no such app (HTTP 404/422), ignored"
        case .noLeader: return "no Marathon leader (HTTP 503), ignored"
        }
    }

    /// Every frontend's row of an iteration the rescue at line 188 cut short (`instance` -1: Marathon).
    func fail(now: SimTime, instance: Int) {
        for k in frontends.indices { record(now, k, .failed, n: instance) }
    }

    /// A row of autoscale.csv; `x` and `n` are the decision's figures (`why` is written from them).
    func record(_ now: SimTime, _ k: Int, _ d: Decision, _ f: FrontendState? = nil, x: Double = 0, n: Int = 0) {
        let f = f ?? frontends[k]
        let running = trackedIndex[k].map { lastRunning[$0] } ?? 0
        pending.append(Row(time: now, frontend: k, sample: f.sample, avg: f.rateAvg, target: f.target, current: f.current,
                           running: running, counter: f.counter, decision: d, x: x, n: n))
    }

    /// A frontend whose PUT value the later frontend `by` of the same app replaced (its last_scaled stays set).
    func replaced(_ k: Int, now: SimTime, by other: Int) {
        guard let r = pending.lastIndex(where: { $0.frontend == k && $0.time == now }) else { return }
        pending[r].n = other
    }

    func fmt(_ x: Double) -> String { NumberFormat.decimal(x) }
}
