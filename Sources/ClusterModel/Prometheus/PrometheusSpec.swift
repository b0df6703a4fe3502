import SimKernel

/// The `prometheus` section (issue 11). Placeholder until the subsystem lands.
public struct PrometheusSpec: Equatable, Sendable {
    /// The rule groups of every file in `rule_files`, in file order.
    public var ruleGroups: [RuleGroupSpec]
    public init(ruleGroups: [RuleGroupSpec] = []) { self.ruleGroups = ruleGroups }
}
