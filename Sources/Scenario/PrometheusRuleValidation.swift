import ClusterModel
import SimKernel

// rulefmt.go RuleNode.Validate and testTemplateParsing (Prometheus 2.42), on a rule that decoded:
// the messages are Prometheus' own, prefixed as rulefmt.Error prints them
// (`group "g", rule 2, "B": ...`); an expression's parse error carries its line and column inside
// the expression (`could not parse expression: 1:6: parse error: ...`).

extension RuleFileReader {
    static func validate(_ r: RawRule, index i: Int, group: String, file: String, compile: Compile, _ d: Diagnostics) -> RuleSpec? {
        let before = d.errorCount
        let name = r.alert.isEmpty ? r.record : r.alert
        func fail(_ key: String, _ msg: String) {
            let (p, v) = r.site(key)
            d.error(p, at: v, "group \"\(group)\", rule \(i + 1), \"\(name)\": \(msg)")
        }
        if !r.record.isEmpty && !r.alert.isEmpty { fail("record", "only one of 'record' and 'alert' must be set") }
        if r.record.isEmpty && r.alert.isEmpty { fail("record", "one of 'record' or 'alert' must be set") }
        if r.expr.isEmpty { fail("expr", "field 'expr' must be set in rule") }
        else if let e = compile(r.expr) { fail("expr", "could not parse expression: \(lineColumn(r.expr, e.position)): parse error: \(e.message)") }
        if !r.record.isEmpty {
            if !r.annotations.isEmpty { fail("record", "invalid field 'annotations' in recording rule") }
            if r.forMs != 0 { fail("record", "invalid field 'for' in recording rule") }
            if r.keepMs != 0 { fail("record", "invalid field 'keep_firing_for' in recording rule") }
            if !isMetricName(r.record) { fail("record", "invalid recording rule name: \(r.record)") }
            for (k, v) in r.labels where v.contains("{{") {
                d.warning(JSONPath.key(r.site("labels").0, k), at: r.values["labels"]?.0,
                          "a recording rule's labels are not templates: Prometheus writes \(JSONValue.quote(v)) as it is")
            }
        }
        for (k, _) in r.labels where !isLabelName(k) || k == "__name__" { fail("labels", "invalid label name: \(k)") }
        for (k, _) in r.annotations where !isLabelName(k) { fail("annotations", "invalid annotation name: \(k)") }
        var labels: [(String, String)] = r.labels
        var annotations: [(String, String)] = r.annotations
        if !r.alert.isEmpty {
            labels = templates(r.labels, what: "label", key: "labels", r, fail: fail, d)
            annotations = templates(r.annotations, what: "annotation", key: "annotations", r, fail: fail, d)
        }
        guard d.errorCount == before else { return nil }
        if !r.record.isEmpty { return RuleSpec(kind: .recording(record: r.record), expr: r.expr, labels: labels) }
        return RuleSpec(kind: .alerting(alert: r.alert, forDuration: .milliseconds(r.forMs), keepFiringFor: .milliseconds(r.keepMs),
                                        annotations: annotations), expr: r.expr, labels: labels)
    }

    /// testTemplateParsing: every label value and annotation of an alerting rule parses (in the
    /// simulator's subset); one that parses but cannot render with stand-in data is a warning
    /// (Prometheus would write `<error expanding template: ...>` into it).
    static func templates(_ pairs: [(String, String)], what: String, key: String, _ r: RawRule, fail: (String, String) -> Void,
                          _ d: Diagnostics) -> [(String, String)] {
        for (k, v) in pairs {
            do {
                let t = try AlertTemplate(v, alert: r.alert)
                if !t.unmodelled.isEmpty {
                    // Prometheus loads it (query, first, value, range ... are its own); the simulator does not run them
                    d.warning(JSONPath.key(r.site(key).0, k), at: r.values[key]?.0,
                              "\(what) \(JSONValue.quote(k)) uses \(t.unmodelled.joined(separator: ", ")): Prometheus template "
                              + "\(t.unmodelled.count == 1 ? "function" : "functions") the simulator does not run (it runs "
                              + "\(AlertTemplate.functions.sorted().joined(separator: ", "))); the alert fires and this text reads "
                              + "\"<error expanding template: ...>\"")
                } else if let e = t.renderError() {
                    d.warning(JSONPath.key(r.site(key).0, k), at: r.values[key]?.0,
                              "\(what) \(JSONValue.quote(k)) does not render with stand-in data (Prometheus would write \"<error expanding template: ...>\"): \(e)")
                }
            } catch { fail(key, "\(what) \(JSONValue.quote(k)): \(error.message)") }
        }
        return pairs
    }

    /// `line:column` (1-based) of a 0-based character offset into the expression.
    static func lineColumn(_ text: String, _ position: Int) -> String {
        var line = 1, col = 1
        for (k, c) in text.enumerated() {
            if k >= position { break }
            if c == "\n" { line += 1; col = 1 } else { col += 1 }
        }
        return "\(line):\(col)"
    }

    /// model.IsValidMetricName: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func isMetricName(_ s: String) -> Bool {
        guard let f = s.utf8.first, isAlpha(f) || f == UInt8(ascii: ":") else { return false }
        return s.utf8.allSatisfy { isAlpha($0) || ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: ":") }
    }

    /// model.LabelName.IsValid: `[a-zA-Z_][a-zA-Z0-9_]*`.
    static func isLabelName(_ s: String) -> Bool {
        guard let f = s.utf8.first, isAlpha(f) else { return false }
        return s.utf8.allSatisfy { isAlpha($0) || ($0 >= 48 && $0 <= 57) }
    }

    static func isAlpha(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 }
}
