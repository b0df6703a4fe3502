import SimKernel

// Rule groups as a Prometheus rule file holds them (`{"groups": [...]}`, a JSON document is a YAML
// document), and the evaluation of one group (rules/group.go, rules/alerting.go, rules/recording.go).
// The runner is in RuleGroupRunner.swift, one alerting rule's alerts in AlertingRuleState.swift;
// see docs/rules.md.

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
