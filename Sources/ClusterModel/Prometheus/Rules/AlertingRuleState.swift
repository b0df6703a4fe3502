// One alerting rule's alerts, as rules/alerting.go (Prometheus 2.42) keeps them: Eval turns the
// expression's result into alerts keyed by their labels (result labels without `__name__`, the
// rule's templated labels, `alertname`), moves them pending → firing after `for`, keeps a firing
// alert for `keep_firing_for` after it left the result, resolves it (inactive, ResolvedAt), keeps
// it 15 minutes for the resolved notification, and writes ALERTS / ALERTS_FOR_STATE; sendAlerts /
// needsSending decide what goes to Alertmanager.

/// One alert (rules/alerting.go Alert). Times are Unix ms; 0 is Go's zero time.
public struct RuleAlert: Sendable, Equatable {
    public var labels: LabelSet
    public var annotations: LabelSet
    public var state: AlertState
    public var value: Double
    public var activeAt: Int64
    public var firedAt: Int64 = 0
    public var resolvedAt: Int64 = 0
    public var lastSentAt: Int64 = 0
    public var validUntil: Int64 = 0
    public var keepFiringSince: Int64 = 0
}

/// rules/alerting.go resolvedRetention.
public let alertResolvedRetentionMs: Int64 = 15 * 60_000

/// The alerts of one alerting rule.
public final class AlertingRuleState {
    public let name: String
    public let group: String
    public let holdMs: Int64
    public let keepFiringForMs: Int64
    let labels: [(String, AlertTemplate)]
    let annotations: [(String, AlertTemplate)]
    let externalLabels: LabelSet
    let externalURL: String
    /// Active alerts (pending, firing, resolved within retention), by labels.
    public private(set) var active: [LabelSet: RuleAlert] = [:]
    /// The keys of `active` in label order (kept sorted, so no evaluation sorts them).
    public private(set) var order: [LabelSet] = []

    public init(name: String, group: String, holdMs: Int64, keepFiringForMs: Int64, labels: [(String, AlertTemplate)],
                annotations: [(String, AlertTemplate)], externalLabels: LabelSet = LabelSet(), externalURL: String = "") {
        self.name = name; self.group = group; self.holdMs = holdMs; self.keepFiringForMs = keepFiringForMs
        self.labels = labels; self.annotations = annotations; self.externalLabels = externalLabels; self.externalURL = externalURL
    }

    /// What one evaluation did.
    public struct Outcome {
        /// ALERTS and ALERTS_FOR_STATE samples (when `writeSeries`), in label order.
        public var series: [(LabelSet, Double)] = []
        public var transitions: [AlertTransition] = []
        /// The evaluation's error (duplicate label sets, limit): Prometheus' text.
        public var error: String?
    }

    /// rules/alerting.go Eval on the expression's result at `t`. `limit`: the group's (0: none).
    public func eval(_ result: [VectorSample], at t: Int64, limit: Int, writeSeries: Bool) -> Outcome {
        var out = Outcome()
        var current: [LabelSet: RuleAlert] = [:]
        var resultOrder: [LabelSet] = []
        for smpl in result {
            let data = AlertTemplateData(labels: smpl.labels, externalLabels: externalLabels, externalURL: externalURL, value: smpl.value)
            let set = smpl.labels.overriding(labels.map { ($0.0, $0.1.isLiteral ? $0.1.text : $0.1.expand(data)) } + [("alertname", name)],
                                             dropping: "__name__")
            let ann = LabelSet(annotations.map { MetricLabel($0.0, $0.1.isLiteral ? $0.1.text : $0.1.expand(data)) })
            if current[set] != nil {
                out.error = "vector contains metrics with the same labelset after applying alert labels"
                return out
            }
            current[set] = RuleAlert(labels: set, annotations: ann, state: .pending, value: smpl.value, activeAt: t)
            resultOrder.append(set)
        }
        for set in resultOrder {
            guard let a = current[set] else { continue }
            if var old = active[set], old.state != .inactive {
                old.value = a.value
                old.annotations = a.annotations
                active[set] = old
                continue
            }
            out.transitions.append(row(a, from: .inactive, to: .pending, t))
            if active[set] == nil { order.insert(set, at: insertionIndex(set)) }
            active[set] = a
        }
        var numActivePending = 0
        var removed = false
        for set in order {
            guard var a = active[set] else { continue }
            if current[set] == nil {
                var keepFiring = false
                if a.state == .firing && keepFiringForMs > 0 {
                    if a.keepFiringSince == 0 { a.keepFiringSince = t }
                    if t - a.keepFiringSince < keepFiringForMs { keepFiring = true }
                }
                var deleted = false
                if a.state == .pending || (a.resolvedAt != 0 && t - a.resolvedAt > alertResolvedRetentionMs) {
                    active[set] = nil
                    deleted = true
                    removed = true
                }
                if a.state != .inactive && !keepFiring {
                    out.transitions.append(row(a, from: a.state, to: .inactive, t, value: .nan))
                    a.state = .inactive
                    a.resolvedAt = t
                }
                if !deleted { active[set] = a }
                if !keepFiring { continue }
            } else {
                a.keepFiringSince = 0
            }
            numActivePending += 1
            if a.state == .pending && t - a.activeAt >= holdMs {
                a.state = .firing
                a.firedAt = t
                out.transitions.append(row(a, from: .pending, to: .firing, t))
            }
            active[set] = a
            if writeSeries {
                out.series.append((a.labels.overriding([("__name__", "ALERTS"), ("alertstate", a.state.rawValue)]), 1))
                out.series.append((a.labels.overriding([("__name__", "ALERTS_FOR_STATE")]), Double(floorDiv(a.activeAt, 1000))))
            }
        }
        if limit > 0 && numActivePending > limit {
            // Prometheus forgets every alert (no resolved notification) and fails the rule.
            for set in order { if let a = active[set], a.state != .inactive { out.transitions.append(row(a, from: a.state, to: .inactive, t, value: .nan)) } }
            active = [:]
            order = []
            out.series = []
            out.error = "exceeded limit of \(limit) with \(numActivePending) alerts"
        }
        if removed { order.removeAll { active[$0] == nil } }
        out.transitions.sort { ($0.labels, rank($0)) < ($1.labels, rank($1)) }
        return out
    }

    /// rules/manager.go RestoreForState (2.42) for this rule, at `ts` (Unix ms) after a restarted
    /// process' second evaluation: a rule whose `for` is shorter than `--rules.alert.for-grace-period`
    /// is not restored (it waits its `for` again); otherwise each active alert looks up the last
    /// ALERTS_FOR_STATE sample of its labels no older than `--rules.alert.for-outage-tolerance`
    /// (`last`: the sample and its time, nil when there is none) and, unless it is a staleness
    /// marker, takes back its ActiveAt: unchanged when the alert had been pending `for` already
    /// (it fires at the next evaluation), moved so that it fires `grace` after `ts` when less than
    /// `grace` was left, and otherwise moved later by the time the server was down. Times of the
    /// sample and its value are whole seconds, as Go's time.Unix(t/1000, 0) and time.Unix(int64(v), 0).
    public func restoreForState(at ts: Int64, graceMs: Int64, outageToleranceMs: Int64, last: (LabelSet) -> Sample?) {
        guard holdMs >= graceMs else { return }
        for set in order {
            guard var a = active[set], let s = last(a.labels.overriding([("__name__", "ALERTS_FOR_STATE")])),
                  s.t >= ts - outageToleranceMs, s.t <= ts, !s.v.isNaN, s.v.isFinite, abs(s.v) < 9e15 else { continue }
            let downAt = s.t / 1000 * 1000
            var restored = Int64(s.v) * 1000
            let remaining = holdMs - (downAt - restored)
            if remaining <= 0 {
                // it was firing when the server went down: it fires again at the next evaluation
            } else if remaining < graceMs {
                restored = ts + graceMs - holdMs
            } else {
                restored += ts - downAt
            }
            a.activeAt = restored
            active[set] = a
        }
    }

    func insertionIndex(_ l: LabelSet) -> Int {
        var lo = 0, hi = order.count
        while lo < hi { let m = (lo + hi) / 2; if order[m] < l { lo = m + 1 } else { hi = m } }
        return lo
    }

    func rank(_ r: AlertTransition) -> Int { r.to == .pending ? 0 : r.to == .firing ? 1 : 2 }

    func row(_ a: RuleAlert, from: AlertState, to: AlertState, _ t: Int64, value: Double? = nil) -> AlertTransition {
        AlertTransition(rule: name, group: group, labels: a.labels, from: from, to: to, at: t, value: value ?? a.value)
    }

    /// sendAlerts after a successful evaluation at `t`: the alerts needsSending picks, with
    /// LastSentAt and ValidUntil updated, as the notifier receives them (rules/manager.go SendAlerts).
    public func send(at t: Int64, resendDelayMs: Int64, evaluationIntervalMs: Int64, generatorURL: String) -> [AlertPayload] {
        var out: [AlertPayload] = []
        for set in order {
            guard var a = active[set], needsSending(a, t, resendDelayMs) else { continue }
            a.lastSentAt = t
            a.validUntil = t + 4 * max(resendDelayMs, evaluationIntervalMs)
            active[set] = a
            let labels = externalLabels.isEmpty ? a.labels
                : a.labels.overriding(externalLabels.labels.filter { a.labels[$0.name] == nil }.map { ($0.name, $0.value) })
            out.append(AlertPayload(labels: labels, annotations: a.annotations, startsAt: a.firedAt,
                                    endsAt: a.resolvedAt != 0 ? a.resolvedAt : a.validUntil, generatorURL: generatorURL))
        }
        return out
    }

    /// rules/alerting.go needsSending.
    func needsSending(_ a: RuleAlert, _ t: Int64, _ resendDelayMs: Int64) -> Bool {
        if a.state == .pending { return false }
        if a.resolvedAt > a.lastSentAt { return true }
        return a.lastSentAt + resendDelayMs < t
    }

    func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
}

extension LabelSet {
    /// labels.Builder: `pairs` set in order (an empty value deletes), `dropping` deleted, in one
    /// construction instead of a copy per label.
    func overriding(_ pairs: [(String, String)], dropping: String? = nil) -> LabelSet {
        var deleted = dropping.map { [$0] } ?? []
        for (k, v) in pairs where v.isEmpty { deleted.append(k) }
        let base = deleted.isEmpty ? labels : labels.filter { !deleted.contains($0.name) }
        return LabelSet(base + pairs.map { MetricLabel($0.0, $0.1) })
    }
}
