@testable import ClusterModel
import XCTest

/// Alert templates (Prometheus' template package on Go text/template) and the Go formatting they
/// print with. The expected texts are Go's and Prometheus' (RuleFilePromtoolTests has promtool
/// confirm them on a grid of values).
final class RuleTemplateTests: XCTestCase {
    func expand(_ text: String, value: Double = 1, labels: KeyValuePairs<String, String> = ["instance": "h1:9100", "job": "node"]) throws -> String {
        try AlertTemplate(text, alert: "A").expand(AlertTemplateData(labels: LabelSet(labels), externalLabels: LabelSet(["cluster": "sim"]),
                                                                     externalURL: "http://prom:9090", value: value))
    }

    func testFloatsPrintAsGoPercentV() {
        let cases: [(Double, String)] = [(0, "0"), (1, "1"), (0.5, "0.5"), (123456, "123456"), (1e6, "1e+06"), (1234567, "1.234567e+06"),
                                         (0.0001, "0.0001"), (0.00001, "1e-05"), (1e21, "1e+21"), (-2.5, "-2.5"), (.nan, "NaN"),
                                         (.infinity, "+Inf"), (-.infinity, "-Inf"), (1e100, "1e+100"), (0.1 + 0.2, "0.30000000000000004")]
        for (x, s) in cases { XCTAssertEqual(GoFormat.shortest(x), s, "\(x)") }
    }

    func testVariablesFieldsAndMissingLabels() throws {
        XCTAssertEqual(try expand("{{ $labels.instance }} {{ .Labels.job }} [{{ $labels.nope }}] {{ $externalLabels.cluster }} {{ $externalURL }} {{ $value }} {{ .Value }}", value: 0.25),
                       "h1:9100 node [] sim http://prom:9090 0.25 0.25")
        XCTAssertEqual(try expand("{{ $v := $value }}{{ $v }}", value: 3), "3")
        XCTAssertEqual(try expand("{{- \"x\" -}}  y"), "xy")
        XCTAssertEqual(try expand("plain text"), "plain text")
        XCTAssertTrue(try AlertTemplate("plain", alert: "A").isLiteral)
    }

    func testHumanizeFunctions() throws {
        XCTAssertEqual(try expand("{{ humanize $value }}", value: 1234567), "1.235M")
        XCTAssertEqual(try expand("{{ humanize $value }}", value: 0.000123), "123u")
        XCTAssertEqual(try expand("{{ humanize $value }}", value: 0), "0")
        XCTAssertEqual(try expand("{{ humanize1024 $value }}", value: 1_073_741_824), "1Gi")
        XCTAssertEqual(try expand("{{ humanizeDuration $value }}", value: 90061), "1d 1h 1m 1s")
        XCTAssertEqual(try expand("{{ humanizeDuration $value }}", value: 0.25), "250ms")
        XCTAssertEqual(try expand("{{ humanizeDuration $value }}", value: -75), "-1m 15s")
        XCTAssertEqual(try expand("{{ humanizePercentage $value }}", value: 0.1234), "12.34%")
        XCTAssertEqual(try expand("{{ humanizeTimestamp $value }}", value: 1_496_275_200.5), "2017-06-01 00:00:00.5 +0000 UTC")
        XCTAssertEqual(try expand("{{ \"1500\" | humanize }}"), "1.5k", "strings convert as strconv.ParseFloat")
        XCTAssertTrue(try expand("{{ \"abc\" | humanize }}").hasPrefix("<error expanding template: "))
    }

    func testPrintfAndStringFunctions() throws {
        XCTAssertEqual(try expand("{{ printf \"%.2f\" $value }}", value: 2.0 / 3), "0.67")
        XCTAssertEqual(try expand("{{ $value | printf \"%5.1f%%\" }}", value: 12.345), " 12.3%")
        XCTAssertEqual(try expand("{{ printf \"%d\" $value }}", value: 2), "%!d(float64=2)")
        XCTAssertEqual(try expand("{{ printf \"%s-%q\" \"a\" \"b\" }}"), "a-\"b\"")
        XCTAssertEqual(try expand("{{ printf \"%v\" }}"), "%!v(MISSING)")
        XCTAssertEqual(try expand("{{ toUpper \"ab\" }}{{ \"CD\" | toLower }} {{ title \"hello big-world\" }}"), "ABcd Hello Big-World")
        XCTAssertEqual(try expand("{{ reReplaceAll \"(h[0-9]+):.*\" \"$1\" $labels.instance }}"), "h1")
    }

    func testConditionalsAndComparisons() throws {
        XCTAssertEqual(try expand("{{ if gt $value 80.0 }}high{{ else if gt $value 50.0 }}mid{{ else }}low{{ end }}", value: 60), "mid")
        XCTAssertEqual(try expand("{{ with $labels.job }}job={{ . }}{{ end }}{{ with $labels.nope }}x{{ else }}-{{ end }}"), "job=node-")
        XCTAssertEqual(try expand("{{ eq $labels.job \"node\" \"x\" }} {{ ne 1 2 }} {{ le 2 2 }} {{ and 1 0 }} {{ or 0 \"\" }} {{ not \"\" }}"),
                       "true true true 0  true")
        // Go refuses to compare a float with an int: an execution error in the text
        XCTAssertEqual(try expand("{{ gt $value 80 }}"),
                       "<error expanding template: template: __alert_A:1: executing \"__alert_A\": error calling gt: incompatible types for comparison>")
    }

    func testParseErrorsAndTheSubset() throws {
        func message(_ t: String) -> String? {
            do { _ = try AlertTemplate(t, alert: "A"); return nil } catch { return error.message }
        }
        XCTAssertEqual(message("{{ $labels.x "), "template: __alert_A:1: unclosed action")
        XCTAssertEqual(message("a\n{{ foo }}"), "template: __alert_A:2: function \"foo\" not defined")
        XCTAssertEqual(message("{{ if true }}x"), "template: __alert_A:1: unexpected EOF: {{if}} has no {{end}}")
        XCTAssertEqual(message("{{ $x }}"), "template: __alert_A:1: undefined variable \"$x\"")
        // Prometheus' own functions the simulator does not run, and range, parse as in Prometheus (a rule file
        // using them loads: monitoring-mixins' ceph, prometheus, windows alerts) and are listed; running one
        // is an execution error written into the text, as Prometheus writes a failing template's
        XCTAssertNil(message("{{ query \"up\" }}"))
        let q = try AlertTemplate("{{ with query \"up\" }}{{ . | first | value }}{{ end }}{{ range $labels }}{{ end }}", alert: "A")
        XCTAssertEqual(q.unmodelled, ["query", "first", "value", "range"])
        XCTAssertEqual(q.expand(AlertTemplateData(labels: LabelSet(["job": "node"]), value: 1)),
                       "<error expanding template: template: __alert_A:1: executing \"__alert_A\": error calling query: the function is not implemented by the simulator>")
        XCTAssertEqual(try AlertTemplate("{{ range $labels }}x{{ end }}", alert: "A").expand(AlertTemplateData(labels: LabelSet(), value: 1)),
                       "<error expanding template: template: __alert_A:1: executing \"__alert_A\": range is not implemented by the simulator>")
        XCTAssertEqual(try AlertTemplate("{{ $value | humanize }} {{ .Labels.job }}", alert: "A").unmodelled, [])
        XCTAssertNil(message("{{ 1.5e3 }} {{ -2.5 }}"), "float constants parse in Prometheus' dialect")
        // consul-template's dialect is unchanged: no floats, its own functions
        XCTAssertThrowsError(try TemplateParser.parse("{{ humanize 1 }}"))
    }
}
