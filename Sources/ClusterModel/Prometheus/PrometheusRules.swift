import SimKernel

// Rule groups on the server (rules/manager.go, rules/group.go 2.42) and the notifier: each group
// is evaluated every its interval at the slot `EvalTimestamp` gives (hash of its name and file),
// the first one interval after the slot at or before the process start; after each evaluation
// the alerts due are posted to every Alertmanager of `alerting.alertmanagers` whose process
// accepts (one post per evaluation; a down Alertmanager, or one a network partition cuts off from
// Prometheus' host, loses that batch, as the notifier drops it after its timeout).

/// What the server needs of a rule group's evaluator (the rules engine's `RuleGroupRunner`;
/// tests use fakes).
public protocol PrometheusRuleRunner: AnyObject {
    var selectors: [PromQLSelector] { get }
    func evaluate(at t: Int64, store: SeriesStore, lookbackMs: Int64, append: (LabelSet, Sample) -> Void) -> [AlertTransition]
    func alertsToSend(at t: Int64, resendDelayMs: Int64, evaluationIntervalMs: Int64) -> [AlertPayload]
    func restoreForState(at ts: Int64, graceMs: Int64, outageToleranceMs: Int64, last: (LabelSet) -> Sample?)
}

extension PrometheusRuleRunner {
    public func restoreForState(at ts: Int64, graceMs: Int64, outageToleranceMs: Int64, last: (LabelSet) -> Sample?) {}
}

extension RuleGroupRunner: PrometheusRuleRunner {}

struct RuleGroupState {
    let spec: RuleGroupSpec
    let interval: SimDuration
    var runner: PrometheusRuleRunner?
    /// Evaluations since the process started (the `for` state is restored after the second).
    var evaluationsSinceStart = 0
}

extension PrometheusServer {
    /// How long after its evaluation's timestamp a group restores its `for` state (manager.go
    /// calls RestoreForState(time.Now()) once the second evaluation has run, so strictly later;
    /// the model's choice is 1 ms). An alert whose restored ActiveAt + `for` would fall on an
    /// evaluation slot therefore fires at the slot after it, as in Prometheus.
    static let restoreLagMs: Int64 = 1

    /// The simulated instant of a group's first evaluation after a process start at `now`.
    public static func firstEvaluation(name: String, file: String, interval: SimDuration, promTime: PromTime, now: SimTime) -> SimTime {
        let startNs = promTime.baseMs &* 1_000_000 &+ now.nanoseconds
        let slot = PromHash.evalTimestamp(intervalNs: interval.nanoseconds, hash: PromHash.groupHash(name: name, file: file), startUnixNs: startNs)
        return SimTime(nanoseconds: slot - promTime.baseMs &* 1_000_000) + interval
    }

    func startGroups() {
        for g in groups.indices {
            // a restarted process builds its rules afresh (alert state is in memory only)
            if restarts > 0 { groups[g].runner = runnerFactory(groups[g].spec, config.externalLabels) }
            groups[g].evaluationsSinceStart = 0
            guard groups[g].runner != nil else { continue }
            let first = PrometheusServer.firstEvaluation(name: groups[g].spec.name, file: groups[g].spec.file, interval: groups[g].interval,
                                                         promTime: promTime, now: model.sim.now)
            _ = model.sim.schedule(at: first, target: target, kind: Kind.evaluate.rawValue, arg: IndexGeneration.pack(g, processGen))
        }
    }

    /// The process is gone, and with it every alert's state.
    func stopGroups() { alertsFiringNow = 0; alertsPendingNow = 0 }

    func evaluate(group g: Int) {
        let now = model.sim.now
        _ = model.sim.schedule(at: now + groups[g].interval, target: target, kind: Kind.evaluate.rawValue, arg: IndexGeneration.pack(g, processGen))
        guard let runner = groups[g].runner else { return }
        let t = promTime.ms(now)
        catchUpQuietLoops()
        let changes = runner.evaluate(at: t, store: store, lookbackMs: spec.flags.lookbackDelta.nanoseconds / 1_000_000) { [store] ls, s in
            store.append(ls, t: s.t, v: s.v)
            if ls["__name__"] == "ALERTS_FOR_STATE" { forStateSamples[ls] = s.isStale ? nil : s }
        }
        for c in changes { note(c, at: now) }
        let alerts = runner.alertsToSend(at: t, resendDelayMs: spec.flags.resendDelay.nanoseconds / 1_000_000,
                                         evaluationIntervalMs: groups[g].interval.nanoseconds / 1_000_000)
        groups[g].evaluationsSinceStart += 1
        if groups[g].evaluationsSinceStart == 2 {
            // manager.go run: a group loaded at startup restores its `for` state after its second
            // evaluation, from the ALERTS_FOR_STATE series the TSDB kept across the restart, at
            // time.Now(): after that evaluation's timestamp, by the time it took (`restoreLagMs`)
            runner.restoreForState(at: t + PrometheusServer.restoreLagMs, graceMs: spec.flags.forGracePeriod.nanoseconds / 1_000_000,
                                   outageToleranceMs: spec.flags.forOutageTolerance.nanoseconds / 1_000_000) { forStateSamples[$0] }
        }
        guard !alerts.isEmpty, let r = receiver else { return }
        // notifier.go sendAll: a post that gets no answer (the host down, or cut off from
        // Prometheus' host by a partition) fails after the Alertmanager's `timeout`; that batch is lost
        for am in alertManagers where model.infrastructure.hosts[am.host].state.isUp && !(model.mesos?.cut(host, am.host) ?? false)
            && r.accepts(host: am.host) {
            r.receive(alerts, on: am.host, now: now)
            notificationsPosted += 1
        }
    }

    func note(_ c: AlertTransition, at now: SimTime) {
        pendingTransitions.append(c)
        if c.from == .firing { alertsFiringNow -= 1 }
        if c.from == .pending { alertsPendingNow -= 1 }
        if c.to == .pending { alertsPendingNow += 1 }
        guard c.to == .firing else { return }
        alertsFiringNow += 1
        alertsFired += 1
        firings.append((now, c.rule))
        for f in model.faultInjector.fired where f.time <= now && f.index < firstFiringAfter.count && firstFiringAfter[f.index] == nil {
            firstFiringAfter[f.index] = now
            firstFiringAlert[f.index] = c.rule
        }
    }
}
