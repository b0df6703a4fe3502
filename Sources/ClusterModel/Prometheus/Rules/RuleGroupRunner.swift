// One rule group evaluated as rules/manager.go Group.Eval (Prometheus 2.42): every rule in order
// at the same timestamp; a recording rule's result renamed to `record` with the rule's labels
// (rules/recording.go); an alerting rule through AlertingRuleState, its alerts sent right after
// its own successful evaluation; a failed rule changes nothing and appends nothing; a series a
// rule wrote last time and not this time gets a staleness marker.

/// What a rule evaluates: a parsed PromQL expression, or a stand-in in tests.
public protocol RuleExpression: AnyObject {
    var selectors: [PromQLSelector] { get }
    func evaluate(at t: Int64, in store: SeriesStore, lookbackMs: Int64) throws(PromQLError) -> PromQLValue
}

extension PromQLExpr: RuleExpression {}

/// A rule that failed to build: the rule, and the expression's or a template's error.
public struct RuleBuildError: Error, Sendable, CustomStringConvertible {
    public var rule: String
    public var index: Int
    public var message: String
    /// Position in the expression (PromQLError.position), nil for a template.
    public var position: Int?
    public var description: String { "rule \(index + 1) \"\(rule)\": \(message)" }
}

/// One rule group being evaluated: its rules' parsed expressions and the alerts' states.
public final class RuleGroupRunner {
    public let spec: RuleGroupSpec
    public let externalLabels: LabelSet
    /// Prometheus' `--web.external-url` (generatorURL's base).
    public let externalURL: String
    let exprs: [RuleExpression]
    /// Per rule: its alerts (nil for a recording rule).
    public let alerting: [AlertingRuleState?]
    /// Per rule: the series it wrote at its last successful evaluation (for staleness markers).
    var previous: [[LabelSet]]
    /// Per rule: Unix ms of its last successful evaluation (alerts are sent only after one).
    var lastOK: [Int64?]
    /// Per rule: the last evaluation's error (nil: healthy).
    public private(set) var lastErrors: [String?]
    var evaluations = 0
    /// ALERTS / ALERTS_FOR_STATE are written from this evaluation on (1-based): a group loaded at
    /// startup restores `for` state after its second evaluation (manager.go run, RestoreForState)
    /// and only then writes them; promtool test rules sets every rule restored at once (1).
    public let alertSeriesFromEvaluation: Int

    /// Builds the group's rules; throws the first rule that does not parse.
    /// `externalURL`: `--web.external-url` (Prometheus' default is http://<hostname>:9090).
    public convenience init(spec: RuleGroupSpec, externalLabels: LabelSet = LabelSet(), externalURL: String = "") throws(PromQLError) {
        do {
            try self.init(spec: spec, externalLabels: externalLabels, externalURL: externalURL, alertSeriesFromEvaluation: 3) { (text: String) throws(PromQLError) -> RuleExpression in
                try PromQLExpr.parse(text)
            }
        } catch {
            throw PromQLError("rule \(error.index + 1) \"\(error.rule)\": \(error.message)", position: error.position ?? 0)
        }
    }

    /// Builds the group with `compile` for expressions (the seam tests use).
    public init(spec: RuleGroupSpec, externalLabels: LabelSet, externalURL: String, alertSeriesFromEvaluation: Int,
                compile: (String) throws(PromQLError) -> RuleExpression) throws(RuleBuildError) {
        self.spec = spec; self.externalLabels = externalLabels; self.externalURL = externalURL
        self.alertSeriesFromEvaluation = alertSeriesFromEvaluation
        var exprs: [RuleExpression] = []
        var alerting: [AlertingRuleState?] = []
        for (i, r) in spec.rules.enumerated() {
            do { exprs.append(try compile(r.expr)) } catch {
                throw RuleBuildError(rule: r.name, index: i, message: "could not parse expression: \(error.message)", position: error.position)
            }
            guard case .alerting(let name, let hold, let keep, let annotations) = r.kind else { alerting.append(nil); continue }
            func templates(_ pairs: [(String, String)], _ what: String) throws(RuleBuildError) -> [(String, AlertTemplate)] {
                var out: [(String, AlertTemplate)] = []
                for (k, v) in pairs {
                    do { out.append((k, try AlertTemplate(v, alert: name))) } catch {
                        throw RuleBuildError(rule: name, index: i, message: "\(what) \"\(k)\": \(error.message)", position: nil)
                    }
                }
                return out
            }
            alerting.append(AlertingRuleState(name: name, group: spec.name, holdMs: hold.nanoseconds / 1_000_000,
                                              keepFiringForMs: keep.nanoseconds / 1_000_000,
                                              labels: try templates(r.labels, "label"), annotations: try templates(annotations, "annotation"),
                                              externalLabels: externalLabels, externalURL: externalURL))
        }
        self.exprs = exprs
        self.alerting = alerting
        previous = Array(repeating: [], count: exprs.count)
        lastOK = Array(repeating: nil, count: exprs.count)
        lastErrors = Array(repeating: nil, count: exprs.count)
    }

    /// The selectors of all its rules.
    public var selectors: [PromQLSelector] { exprs.flatMap(\.selectors) }

    /// Evaluates every rule at `t` (Unix ms) in order: recording rules' results are appended with
    /// `append` (later rules of the group see them), alerting rules update their alerts; returns the
    /// alerts' state changes, in rule order then label order.
    public func evaluate(at t: Int64, store: SeriesStore, lookbackMs: Int64, append: (LabelSet, Sample) -> Void) -> [AlertTransition] {
        evaluations += 1
        var transitions: [AlertTransition] = []
        let qt = t - (spec.queryOffset.map { $0.nanoseconds / 1_000_000 } ?? 0)
        for (i, r) in spec.rules.enumerated() {
            let vector: [VectorSample]
            do {
                switch try exprs[i].evaluate(at: qt, in: store, lookbackMs: lookbackMs) {
                case .vector(let v): vector = v
                case .scalar(let x): vector = [VectorSample(labels: LabelSet(), value: x)]
                default: lastErrors[i] = "rule result is not a vector or scalar"; continue
                }
            } catch { lastErrors[i] = error.message; continue }
            var out: [(LabelSet, Double)]
            if let a = alerting[i] {
                let o = a.eval(vector, at: t, limit: spec.limit, writeSeries: evaluations >= alertSeriesFromEvaluation)
                transitions += o.transitions
                if let e = o.error { lastErrors[i] = e; continue }
                out = o.series
            } else {
                guard case .recording(let record) = r.kind else { continue }
                let set = [("__name__", record)] + r.labels
                out = vector.map { s in (s.labels.overriding(set), s.value) }
                if Set(out.map(\.0)).count != out.count {
                    lastErrors[i] = "vector contains metrics with the same labelset after applying rule labels"; continue
                }
                if spec.limit > 0 && out.count > spec.limit {
                    lastErrors[i] = "exceeded limit of \(spec.limit) with \(out.count) series"; continue
                }
            }
            lastErrors[i] = nil
            lastOK[i] = t
            for (l, v) in out { append(l, Sample(t: t, v: v)) }
            let now = out.map(\.0)
            if !previous[i].isEmpty {
                let seen = Set(now)
                for l in previous[i].sorted() where !seen.contains(l) { append(l, Sample(t: t, v: Sample.staleNaN)) }
            }
            previous[i] = now
        }
        return transitions
    }

    /// rules/manager.go RestoreForState over the group's alerting rules (see
    /// AlertingRuleState.restoreForState): called after the second evaluation of a group a
    /// starting process loaded.
    public func restoreForState(at ts: Int64, graceMs: Int64, outageToleranceMs: Int64, last: (LabelSet) -> Sample?) {
        for a in alerting { a?.restoreForState(at: ts, graceMs: graceMs, outageToleranceMs: outageToleranceMs, last: last) }
    }

    /// rules/alerting.go sendAlerts after an evaluation at `t`: the firing alerts due for a (re)send
    /// and the resolved ones still within `resolvedRetention` (15 m), with `EndsAt` set; only rules
    /// whose evaluation at `t` succeeded send. In rule order, then label order.
    public func alertsToSend(at t: Int64, resendDelayMs: Int64, evaluationIntervalMs: Int64) -> [AlertPayload] {
        var out: [AlertPayload] = []
        for (i, a) in alerting.enumerated() {
            guard let a, lastOK[i] == t else { continue }
            out += a.send(at: t, resendDelayMs: resendDelayMs, evaluationIntervalMs: evaluationIntervalMs,
                          generatorURL: externalURL + RuleGroupRunner.tableLink(spec.rules[i].expr))
        }
        return out
    }

    /// util/strutil TableLinkForExpression: `/graph?g0.expr=<QueryEscape(expr)>&g0.tab=1`.
    public static func tableLink(_ expr: String) -> String {
        var q = ""
        for b in expr.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                q.append(Character(UnicodeScalar(b)))
            case UInt8(ascii: " "): q += "+"
            default: q += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return "/graph?g0.expr=" + q + "&g0.tab=1"
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
