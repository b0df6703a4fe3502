import SimKernel

// Rule groups as a Prometheus rule file holds them (`{"groups": [...]}`, a JSON document is a YAML
// document), and the evaluation of one group (rules/group.go, rules/alerting.go, rules/recording.go).
// Placeholder API until the rules engine lands; see docs/monitoring.md.

/// One rule group of a rule file.
public struct RuleGroupSpec: Equatable, Sendable {
    public var name: String
    /// The file it came from (relative path as the scenario names it), for messages and generatorURL.
    public var file: String
    /// `interval`; nil: the global `evaluation_interval`.
    public var interval: SimDuration?
    /// `query_offset` (Prometheus 2.53+; 0 by default).
    public var queryOffset: SimDuration?
    /// `limit` (0: none).
    public var limit: Int
    public var rules: [RuleSpec]
    public init(name: String, file: String, interval: SimDuration? = nil, queryOffset: SimDuration? = nil, limit: Int = 0, rules: [RuleSpec] = []) {
        self.name = name; self.file = file; self.interval = interval; self.queryOffset = queryOffset; self.limit = limit; self.rules = rules
    }
}

/// One rule: recording (`record`) or alerting (`alert`), its expression as written.
public struct RuleSpec: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case recording(record: String)
        case alerting(alert: String, forDuration: SimDuration, keepFiringFor: SimDuration, annotations: [(String, String)])
        public static func == (a: Kind, b: Kind) -> Bool {
            switch (a, b) {
            case let (.recording(x), .recording(y)): return x == y
            case let (.alerting(a1, f1, k1, n1), .alerting(a2, f2, k2, n2)):
                return a1 == a2 && f1 == f2 && k1 == k2 && n1.map { $0.0 + "\u{0}" + $0.1 } == n2.map { $0.0 + "\u{0}" + $0.1 }
            default: return false
            }
        }
    }
    public var kind: Kind
    public var expr: String
    public var labels: [(String, String)]
    public init(kind: Kind, expr: String, labels: [(String, String)] = []) { self.kind = kind; self.expr = expr; self.labels = labels }
    public var name: String {
        switch kind { case .recording(let r): return r; case .alerting(let a, _, _, _): return a }
    }
    public static func == (a: RuleSpec, b: RuleSpec) -> Bool {
        a.kind == b.kind && a.expr == b.expr && a.labels.map { $0.0 + "\u{0}" + $0.1 } == b.labels.map { $0.0 + "\u{0}" + $0.1 }
    }
}

/// An alert's state (rules/alerting.go AlertState).
public enum AlertState: String, Sendable {
    case inactive, pending, firing
}

/// One change of one alert (a row of alerts.csv).
public struct AlertTransition: Sendable, Equatable {
    public var rule: String
    public var group: String
    /// The alert's labels (expression result's labels + rule labels + `alertname`), templated.
    public var labels: LabelSet
    public var from: AlertState
    public var to: AlertState
    /// Unix ms of the evaluation that made the change.
    public var at: Int64
    /// The expression's value for this alert at that evaluation (NaN when it left the result).
    public var value: Double
    public init(rule: String, group: String, labels: LabelSet, from: AlertState, to: AlertState, at: Int64, value: Double) {
        self.rule = rule; self.group = group; self.labels = labels; self.from = from; self.to = to; self.at = at; self.value = value
    }
}

/// One rule group being evaluated: its rules' parsed expressions and the alerts' states.
public final class RuleGroupRunner {
    public let spec: RuleGroupSpec
    /// Builds the group's rules; throws the first rule that does not parse.
    public init(spec: RuleGroupSpec, externalLabels: LabelSet = LabelSet()) throws(PromQLError) {
        self.spec = spec
    }

    /// The selectors of all its rules.
    public var selectors: [PromQLSelector] { [] }

    /// Evaluates every rule at `t` (Unix ms) in order: recording rules' results are appended with
    /// `append` (later rules of the group see them), alerting rules update their alerts; returns the
    /// alerts' state changes, in rule order then label order.
    public func evaluate(at t: Int64, store: SeriesStore, lookbackMs: Int64, append: (LabelSet, Sample) -> Void) -> [AlertTransition] {
        []
    }

    /// rules/alerting.go sendAlerts after an evaluation at `t`: the firing alerts due for a (re)send
    /// and the resolved ones still within `resolvedRetention` (15 m), with `EndsAt` set.
    public func alertsToSend(at t: Int64, resendDelayMs: Int64, evaluationIntervalMs: Int64) -> [AlertPayload] { [] }
}
