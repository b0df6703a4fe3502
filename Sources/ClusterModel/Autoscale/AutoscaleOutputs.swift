import SimKernel

// What the autoscaler writes: autoscale.csv (one row per frontend and interval, written at each
// sample for the intervals since the last), a chart of load against instances, and headline
// figures including instance-hours against an oracle's (docs/autoscale.md defines them).
extension Autoscaler {
    /// Integrates the oracle's instances from the last iteration to `now` (a step function
    /// between iterations).
    func accountOracleTime(now: SimTime) {
        if let last = lastIteration {
            let dt = (now - last).seconds
            for i in trackedApps.indices { oracleSeconds += Double(lastOracle[i]) * dt }
        }
        lastIteration = now
    }

    /// Running instances of tracked app `i` held since `runningFrom[i]`, added up to `now`.
    func settleRunning(_ i: Int, now: SimTime) {
        instanceSeconds += Double(lastRunning[i]) * (now - runningFrom[i]).seconds
        runningFrom[i] = now
    }

    /// Marathon's instance_changed events: the running count of a tracked app changes exactly here.
    public func receive(_ signal: PlatformSignal) {
        switch signal {
        case .hostDown(let h, _) where h == hostIndex: stopped(); return
        case .hostUp(let h) where h == hostIndex: restarted(); return
        default: break
        }
        guard case .instanceChanged(let app, _, _) = signal, app < trackedSlot.count, trackedSlot[app] >= 0 else { return }
        let i = trackedSlot[app]
        settleRunning(i, now: model.sim.now)
        lastRunning[i] = marathon.apps[app].instances.reduce(0) { $0 + ($1.state == .running ? 1 : 0) }
    }

    /// The oracle: per app, max(min-instances, ceil(rate / target-rps)) for its busiest frontend,
    /// with rate this iteration's sample (Σ rate + qcur over the instances polled).
    func accountOracle(now: SimTime) {
        for i in lastOracle.indices { lastOracle[i] = 0 }
        for (k, f) in frontends.enumerated() {
            guard let i = trackedIndex[k] else { continue }
            let need = (Double(f.sample) / Double(spec.targetRPS)).rounded(.up)
            lastOracle[i] = max(lastOracle[i], spec.minInstances, need >= 1e15 ? Int(1e15) : Int(need))
        }
    }

    public func headline() -> [HeadlineFigure] {
        let now = model.sim.now
        accountOracleTime(now: now)
        for i in trackedApps.indices { settleRunning(i, now: now) }
        return [
            HeadlineFigure("autoscale_scales", .int(Int64(scales))),
            HeadlineFigure("autoscale_conflicts", .int(Int64(conflicts))),
            HeadlineFigure("autoscale_first_scale_s", firstScale.map { .number($0.seconds, decimals: 0) } ?? .none),
            HeadlineFigure("instance_hours", .number(instanceSeconds / 3600, decimals: 3)),
            HeadlineFigure("oracle_instance_hours", .number(oracleSeconds / 3600, decimals: 3)),
        ]
    }

    static let outputs = SubsystemOutputs(
        tables: [
            SubsystemTable(of: Autoscaler.self, file: "autoscale.csv", when: "with an `autoscale` section",
                           columns: [
                            ("time_s", "When the iteration ran (every `--interval` from time 0)."),
                            ("app", "The `--apps` frontend (`<app>_<service port>`)."),
                            ("service", "The first `traffic` service sent through this frontend (empty: none); its latency is in traffic.csv."),
                            ("sample", "Σ over the HAProxy instances polled of the frontend's `rate + qcur` (autoscale.rb:263)."),
                            ("avg", "Moving average of the last `--samples` samples (autoscale.rb:266)."),
                            ("target", "clamp(ceil(avg / target-rps), min-instances, max-instances) (autoscale.rb:299)."),
                            ("current", "Marathon's `instances` for the app (autoscale.rb:292)."),
                            ("running", "Tasks of that app running at the iteration (not read by autoscale.rb)."),
                            ("counter", "intervals_past_threshold after this iteration (autoscale.rb:319-327)."),
                            ("decision", "sampling, equal, within_threshold, past_threshold, cooling_down, outscaled, scale or failed."),
                            ("why", "The rule of autoscale.rb that decided, with its line."),
                           ]) { s, _, sink in s.writeRows(sink) },
        ],
        plots: [
            SubsystemPlot(file: "autoscale_load", title: "Requests per second per frontend (sample and moving average)", ylabel: "requests/s",
                          source: "autoscale.csv", perKey: ("app", "avg")),
            SubsystemPlot(file: "autoscale_instances", title: "Marathon instances and the autoscaler's target per frontend", ylabel: "instances",
                          source: "autoscale.csv", perKey: ("app", "current")),
        ],
        headline: [
            ("autoscale_scales", "PUTs of `instances` the autoscaler sent to Marathon (409s included)."),
            ("autoscale_conflicts", "Of those, PUTs Marathon refused with 409 (deployment in progress); autoscale.rb ignores them."),
            ("autoscale_first_scale_s", "When the first PUT was sent (empty: never)."),
            ("instance_hours", "Σ over the apps the autoscaler watches of running instances × time, integrated exactly on Marathon's instance changes."),
            ("oracle_instance_hours", "Σ over those apps of max(min-instances, ceil(rate / target-rps)) × time, rate the frontend's sample at each interval (the busiest frontend of an app): what a scaler with perfect, instant knowledge would run."),
        ],
        headlineIntro: "With an `autoscale` section (docs/autoscale.md):")

    func writeRows(_ sink: TableSink) {
        for r in pending {
            sink.field(r.time)
            sink.field(frontends[r.frontend].name)
            sink.field(services[r.frontend])
            sink.field(r.sample)
            sink.field(r.avg, decimals: 3)
            sink.field(r.target)
            sink.field(r.current)
            sink.field(r.running)
            sink.field(r.counter)
            sink.field(r.decision.rawValue)
            sink.field(why(r))
            sink.endRow()
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// The rule that decided a row, with its line of autoscale.rb.
    func why(_ r: Row) -> String {
        let f = frontends[r.frontend]
        switch r.decision {
        case .sampling: return "total_samples \(r.n) < samples \(spec.samples) (autoscale.rb:178)"
        case .equal: return "target == current (autoscale.rb:318)"
        case .withinThreshold:
            return "rps per instance off by \(fmt(r.x)) < \(fmt(spec.thresholdPercent)) and |target - current| \(r.n) < \(spec.thresholdInstances) (autoscale.rb:322)"
        case .pastThreshold: return "\(r.counter) of \(spec.intervalsPastThreshold) intervals past threshold (autoscale.rb:328)"
        case .coolingDown: return "scaled \(fmt(r.x)) s ago; cooldown \(spec.cooldown)×interval + samples×interval (autoscale.rb:332)"
        case .outscaled: return "another frontend of \(f.putID) asks for \(r.n) (autoscale.rb:339)"
        case .scale:
            let put = "PUT \(f.putID) instances \(r.target) (autoscale.rb:346)"
            return r.n < 0 ? put : put + "; replaced by \(frontends[r.n].name)'s larger or equal target (its last_scaled stays set)"
        case .failed:
            switch r.n {
            case -1: return "Marathon has no leader: GET /v2/apps fails (rescued at autoscale.rb:188)"
            case -2: return "a --haproxy host runs no marathon-lb: connection refused (rescued at autoscale.rb:188)"
            case -3: return "the --marathon host is down or runs no Marathon: GET /v2/apps fails at autoscale.rb:277 (rescued at 188)"
            default: return "HAProxy instance \(r.n) did not answer (rescued at autoscale.rb:188)"
            }
        }
    }
}
