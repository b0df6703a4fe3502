import ClusterModel
import SimKernel

// Prometheus rule files written as JSON (a JSON document is a YAML document), loaded as Prometheus
// 2.42 loads them (model/rulefmt/rulefmt.go Parse): strict YAML decoding first — an unknown field
// is an error ("field x not found in type rulefmt.RuleGroup"), a value of the wrong YAML kind is
// one, scalars decode into strings ("labels": {"x": 1} is "1") — and when that succeeds, Validate:
// group names, record/alert, expr, fields recording rules may not have, label and annotation
// names, alert templates. Every error names the rule file, the JSON path inside it and, as
// Prometheus prints them, the group, the rule's index and name and, for an expression, the line and
// column inside it.

extension ScenarioSchema {
    static let maxRuleFileBytes = 4 << 20

    /// Reads the rule file `file` (relative to `base`, by default the scenario's folder; `path`: the
    /// JSON path of the name in the scenario, `at`: its value) and checks it as `promtool check
    /// rules` does. The scrape configuration resolves `rule_files` globs against prometheus.yml's
    /// folder and passes that folder as `base`.
    static func decodeRuleFile(_ file: String, path: String, at v: JSONValue?, base: String? = nil, _ d: Diagnostics) -> [RuleGroupSpec]? {
        guard let root = base ?? d.baseDirectory else {
            d.error(path, at: v, "rule files are read relative to the scenario file; this scenario was not read from a file")
            return nil
        }
        guard let text = readSideFile(file, kind: "rule file", base: root, maxBytes: maxRuleFileBytes, path: path, at: v, d) else { return nil }
        return RuleFileReader.parse(text, file: file, d)
    }
}

/// rulefmt.Parse on a JSON text.
enum RuleFileReader {
    typealias Compile = (String) -> PromQLError?

    static let groupsKeys = ["groups"]
    static let groupKeys = ["name", "interval", "limit", "rules"]
    static let ruleKeys = ["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"]

    static func promQLParseError(_ s: String) -> PromQLError? {
        do throws(PromQLError) { _ = try PromQLExpr.parse(s); return nil } catch { return error }
    }

    /// The rule groups of `text` (the file `file`), or nil after errors. `compile` parses an
    /// expression (PromQL's parser; tests may stand in).
    static func parse(_ text: String, file: String, _ d: Diagnostics,
                      compile: Compile = promQLParseError) -> [RuleGroupSpec]? {
        let parsed = JSONParser.parse(text, file: file)
        if !parsed.errors.isEmpty {
            for (k, e) in parsed.errors.enumerated() {
                let hint = k == 0 ? " (\(YAMLFiles.hint("a rule file")))" : ""
                d.append(ScenarioError(path: "", file: file, line: e.line, column: e.column, message: e.message + hint))
            }
            return nil
        }
        guard let doc = parsed.value else { return [] }
        let before = d.errorCount
        // 1. strict YAML decoding
        let raw = decodeGroups(doc, file: file, d)
        guard d.errorCount == before, let raw else { return nil }
        // 2. Validate
        var names: [String] = []
        var out: [RuleGroupSpec] = []
        for g in raw {
            if g.name.isEmpty { d.error(g.path, at: g.node, "Groupname must not be empty") }
            if names.contains(g.name) { d.error(g.path, at: g.node, "groupname: \"\(g.name)\" is repeated in the same file") }
            names.append(g.name)
            var rules: [RuleSpec] = []
            for (i, r) in g.rules.enumerated() {
                if let spec = validate(r, index: i, group: g.name, file: file, compile: compile, d) { rules.append(spec) }
            }
            out.append(RuleGroupSpec(name: g.name, file: file, interval: g.intervalMs > 0 ? .milliseconds(g.intervalMs) : nil,
                                     limit: g.limit, rules: rules))
        }
        return d.errorCount == before ? out : nil
    }

    // MARK: strict decoding (yaml.v3 with KnownFields)

    struct RawGroup {
        var path: String, node: JSONValue
        var name = "", intervalMs: Int64 = 0, limit = 0
        var rules: [RawRule] = []
    }

    struct RawRule {
        var path: String, node: JSONValue
        var values: [String: (JSONValue, String)] = [:]
        var record = "", alert = "", expr = "", forMs: Int64 = 0, keepMs: Int64 = 0
        var labels: [(String, String)] = [], annotations: [(String, String)] = []
        func site(_ k: String) -> (String, JSONValue) { values[k].map { ($0.1, $0.0) } ?? (path, node) }
    }

    /// An object's members, unknown keys refused as yaml.v3 does; null members are left out (zero values).
    static func members(_ v: JSONValue, path: String, type: String, known: [String], _ d: Diagnostics) -> [(String, JSONValue, String)]? {
        if v.isNull { return [] }
        guard let ms = v.objectMembers else { d.error(path, at: v, unmarshal(v, into: type)); return nil }
        var out: [(String, JSONValue, String)] = []
        for m in ms {
            let p = JSONPath.key(path, m.key)
            guard known.contains(m.key) else {
                d.error(p, location: m.keyLocation ?? m.value.location, "field \(m.key) not found in type \(type)\(Suggest.didYouMean(m.key, among: known))")
                continue
            }
            if !m.value.isNull { out.append((m.key, m.value, p)) }
        }
        return out
    }

    static func unmarshal(_ v: JSONValue, into type: String) -> String {
        let tag: String
        switch v.kind {
        case .object: tag = "!!map"
        case .array: tag = "!!seq"
        case .string: tag = "!!str"
        case .bool: tag = "!!bool"
        case .number(let n): tag = n.isIntegerLiteral ? "!!int" : "!!float"
        case .null: tag = "!!null"
        }
        // yaml.v2 decode.go terror: a scalar of more than 10 bytes is shown by its first 7 and "..."
        // (amtool 0.25: "cannot unmarshal !!str `__TELEG...` into int64")
        let shown: String
        switch v.kind {
        case .object, .array: shown = ""
        default:
            let text = scalar(v) ?? ""
            shown = text.utf8.count > 10 ? " `\(String(decoding: text.utf8.prefix(7), as: UTF8.self))...`" : " `\(text)`"
        }
        return "cannot unmarshal \(tag)\(shown) into \(type)"
    }

    /// A YAML scalar decoded into a Go string: strings, numbers and booleans as written.
    static func scalar(_ v: JSONValue) -> String? {
        switch v.kind {
        case .string(let s): return s
        case .number(let n): return n.text
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    static func string(_ v: JSONValue, _ p: String, _ d: Diagnostics) -> String {
        guard let s = scalar(v) else { d.error(p, at: v, unmarshal(v, into: "string")); return "" }
        return s
    }

    /// model.Duration's UnmarshalYAML: a string, then ParseDuration.
    static func duration(_ v: JSONValue, _ p: String, _ d: Diagnostics) -> Int64 {
        guard let s = scalar(v) else { d.error(p, at: v, unmarshal(v, into: "string")); return 0 }
        switch PromDuration.parse(s) {
        case .success(let ms): return ms
        case .failure(let e): d.error(p, at: v, e.message); return 0
        }
    }

    static func stringMap(_ v: JSONValue, _ p: String, _ d: Diagnostics) -> [(String, String)] {
        guard let ms = v.objectMembers else { d.error(p, at: v, unmarshal(v, into: "map[string]string")); return [] }
        return ms.map { m in (m.key, m.value.isNull ? "" : string(m.value, JSONPath.key(p, m.key), d)) }
    }

    static func decodeGroups(_ doc: JSONValue, file: String, _ d: Diagnostics) -> [RawGroup]? {
        guard let top = members(doc, path: "", type: "rulefmt.RuleGroups", known: groupsKeys, d) else { return nil }
        var groups: [RawGroup] = []
        for (_, gv, gp) in top {
            guard let arr = gv.arrayValue else { d.error(gp, at: gv, unmarshal(gv, into: "[]rulefmt.RuleGroup")); continue }
            for (j, g) in arr.enumerated() {
                let p = JSONPath.index(gp, j)
                var raw = RawGroup(path: p, node: g)
                for (k, v, kp) in members(g, path: p, type: "rulefmt.RuleGroup", known: groupKeys, d) ?? [] {
                    switch k {
                    case "name": raw.name = string(v, kp, d)
                    case "interval": raw.intervalMs = duration(v, kp, d)
                    case "limit":
                        if case .number(let n) = v.kind, n.isIntegerLiteral, let x = n.int64 { raw.limit = Int(x) }
                        else { d.error(kp, at: v, unmarshal(v, into: "int")) }
                    default:
                        guard let rs = v.arrayValue else { d.error(kp, at: v, unmarshal(v, into: "[]rulefmt.RuleNode")); continue }
                        for (i, r) in rs.enumerated() { raw.rules.append(decodeRule(r, path: JSONPath.index(kp, i), d)) }
                    }
                }
                groups.append(raw)
            }
        }
        return groups
    }

    static func decodeRule(_ v: JSONValue, path p: String, _ d: Diagnostics) -> RawRule {
        var r = RawRule(path: p, node: v)
        for (k, x, kp) in members(v, path: p, type: "rulefmt.RuleNode", known: ruleKeys, d) ?? [] {
            r.values[k] = (x, kp)
            switch k {
            case "record": r.record = string(x, kp, d)
            case "alert": r.alert = string(x, kp, d)
            case "expr": r.expr = string(x, kp, d)
            case "for": r.forMs = duration(x, kp, d)
            case "keep_firing_for": r.keepMs = duration(x, kp, d)
            case "labels": r.labels = stringMap(x, kp, d)
            default: r.annotations = stringMap(x, kp, d)
            }
        }
        return r
    }
}
