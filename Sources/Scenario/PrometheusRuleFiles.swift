import ClusterModel
import SimKernel

// Prometheus rule files written as JSON (issue 11). Placeholder until the rules engine lands.
extension ScenarioSchema {
    /// Reads the rule file `file` (relative to the scenario's folder; `path`: the JSON path of the
    /// name in the scenario, `at`: its value) and checks it as `promtool check rules` does: every
    /// error names the file, the group, the rule and, for an expression, the position in it.
    static func decodeRuleFile(_ file: String, path: String, at v: JSONValue?, _ d: Diagnostics) -> [RuleGroupSpec]? {
        d.error(path, at: v, "rule files are not supported yet")
        return nil
    }
}
