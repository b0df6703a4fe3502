import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import TestSupport
import XCTest

/// Real Prometheus judges the rules engine (Debian's promtool 2.42, installed by the installer):
/// - `promtool test rules` with alert_rule_test cases generated from the simulator's own firing
///   alerts (labels and annotations) at every evaluation, over a grid of input series: promtool
///   passes only if Prometheus' rules engine fires exactly the same alerts with the same text;
/// - `promtool check rules` accepts exactly the rule files our loader accepts.
/// The simulator's side evaluates the expressions through the runner's seam (a lookup in the same
/// grid), so these tests judge the state machine and templating, not PromQL.
final class RuleFilePromtoolTests: XCTestCase {
    static let promtool = "/usr/bin/promtool"

    static func run(_ args: [String], in dir: String) throws -> (Int32, String) {
        guard FileManager.default.isExecutableFile(atPath: promtool) else {
            throw XCTSkip("promtool is not installed (Debian package prometheus; the installer adds it)")
        }
        return try ToolRun.run(promtool, args, in: dir)
    }

    static func json(_ s: String) -> String { JSONValue.quote(s) }
    static func jsonMap(_ l: LabelSet) -> String { "{" + l.labels.map { json($0.name) + ": " + json($0.value) }.joined(separator: ", ") + "}" }

    /// One series of the grid: its labels and its value at each step (nil: no sample).
    struct GridSeries { var labels: LabelSet; var values: [Double] }

    /// Runs `rulesJSON` through our loader and runner over `grid` (step 1m, `steps` evaluations,
    /// each expression `name OP x` answered from the grid), writes promtool's test file with our
    /// firing alerts at every evaluation, and returns promtool's verdict.
    /// `exprs` nil: the real PromQL parser and evaluator over the grid's samples.
    func agree(rulesJSON: String, grid: [GridSeries], steps: Int, exprs: [String: (LabelSet, Double) -> Bool]?,
               externalLabels: LabelSet = LabelSet(["cluster": "sim"])) throws -> (Int32, String, Int) {
        let d = Diagnostics()
        let groups = try XCTUnwrap(exprs == nil ? RuleFileReader.parse(rulesJSON, file: "rules.json", d)
                                                : RuleFileReader.parse(rulesJSON, file: "rules.json", d, compile: { _ in nil }), "\(d.errors)")
        let store = MemorySeriesStore()
        var runners: [RuleGroupRunner] = []
        for g in groups {
            runners.append(try RuleGroupRunner(spec: g, externalLabels: externalLabels, externalURL: "http://prom:9090", alertSeriesFromEvaluation: 1) {
                (text: String) throws(PromQLError) -> RuleExpression in
                guard let exprs else { return try PromQLExpr.parse(text) }
                guard let keep = exprs[text] else { throw PromQLError("not in the grid", position: 0) }
                return FakeGridExpr(grid: grid, keep: keep)
            })
        }
        if exprs == nil {
            for s in grid { for (k, v) in s.values.enumerated() where !v.isNaN { store.append(s.labels, Sample(t: Int64(k) * 60_000, v: v)) } }
        }
        var cases: [String] = []
        var firingCount = 0
        for k in 0..<steps {
            let t = Int64(k) * 60_000
            for r in runners { _ = r.evaluate(at: t, store: store, lookbackMs: 300_000) { store.append($0, $1) } }
            for r in runners {
                for a in r.alerting.compactMap({ $0 }) {
                    let firing = a.active.keys.sorted().compactMap { a.active[$0] }.filter { $0.state == .firing }
                    firingCount += firing.count
                    let exp = firing.map { "{\"exp_labels\": \(Self.jsonMap($0.labels.removing(["alertname"]))), \"exp_annotations\": \(Self.jsonMap($0.annotations))}" }
                    cases.append("{\"eval_time\": \"\(k)m\", \"alertname\": \(Self.json(a.name)), \"exp_alerts\": [\(exp.joined(separator: ", "))]}")
                }
            }
        }
        let series = grid.map { s in
            "{\"series\": \(Self.json(s.labels.description)), \"values\": \(Self.json(s.values.map { $0.isNaN ? "_" : GoFormat.shortest($0) }.joined(separator: " ")))}"
        }
        let test = """
            {"rule_files": ["rules.json"], "evaluation_interval": "1m", "tests": [{"interval": "1m",
             "external_labels": \(Self.jsonMap(externalLabels)), "external_url": "http://prom:9090",
             "input_series": [\(series.joined(separator: ",\n"))],
             "alert_rule_test": [\(cases.joined(separator: ",\n"))]}]}
            """
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write(rulesJSON, to: dir + "/rules.json")
        write(test, to: dir + "/test.json")
        let (status, out) = try Self.run(["test", "rules", "test.json"], in: dir)
        return (status, out, firingCount)
    }

    func testAlertTemplatesExpandAsPrometheus() throws {
        let values: [Double] = [0.000123, 0.5, 1, 42, 59.99, 100, 3600.5, 86461, 123456, 1234567, 1e9, 1_496_275_200.123]
        let grid = values.enumerated().map { GridSeries(labels: LabelSet(["__name__": "level", "instance": "host-\($0.offset):9100", "job": "node"]), values: [$0.element, $0.element]) }
        let ann: [(String, String)] = [
            ("v", "{{ $value }} {{ .Value }} {{ printf \"%.2f\" $value }} {{ printf \"%g|%e|%5.1f|%d|%s\" $value $value $value 3 \"x\" }}"),
            ("h", "{{ $value | humanize }} {{ humanize1024 $value }} {{ $value | humanizePercentage }}"),
            ("d", "{{ humanizeDuration $value }} / {{ $value | humanizeTimestamp }}"),
            ("l", "{{ $labels.instance | toUpper }} {{ .Labels.job | title }} {{ $labels.missing }}|{{ $externalLabels.cluster }} {{ reReplaceAll \":([0-9]+)\" \" port $1\" $labels.instance }}"),
            ("c", "{{ if gt $value 100.0 }}high{{ else if eq $value 42.0 }}answer{{ else }}low{{ end }} {{ with $labels.job }}{{ . | toLower }}{{ end }}{{ with $labels.nope }}x{{ else }}none{{ end }} {{ and 1 0 }} {{ or \"\" \"b\" }} {{ not true }}"),
        ]
        let rules = """
            {"groups": [{"name": "t", "rules": [{"alert": "Level", "expr": "level > 0", "labels": {"severity": "page", "where": "{{ $labels.instance }}-{{ $value | humanize }}"},
             "annotations": \(Self.jsonMap(LabelSet(ann.map { MetricLabel($0.0, $0.1) })))}]}]}
            """
        let (status, out, firing) = try agree(rulesJSON: rules, grid: grid, steps: 2, exprs: ["level > 0": { $1 > 0 }])
        XCTAssertEqual(firing, 2 * values.count)
        XCTAssertEqual(status, 0, "promtool disagrees with the simulator's templating:\n\(out)")
    }

    func testStateMachineAgreesWithPromtoolOnAGrid() throws {
        // 6 instances × 40 minutes of 0/1 flags from a fixed LCG (flapping, long runs, gaps)
        var x: UInt64 = 12345
        func next() -> UInt64 { x = x &* 6364136223846793005 &+ 1442695040888963407; return x >> 33 }
        let steps = 40
        let grid = (0..<6).map { i in
            var v: [Double] = []
            var cur = 0.0
            for _ in 0..<steps { if next() % UInt64(2 + i) == 0 { cur = 1 - cur }; v.append(cur) }
            return GridSeries(labels: LabelSet(["__name__": "flag", "instance": "h\(i)", "job": "node"]), values: v)
        }
        let rules = """
            {"groups": [{"name": "flags", "rules": [
              {"alert": "ForThree", "expr": "flag == 1", "for": "3m", "labels": {"severity": "page"}, "annotations": {"s": "{{ $labels.instance }} is {{ $value }}"}},
              {"alert": "Keep", "expr": "flag == 1", "keep_firing_for": "2m"},
              {"alert": "ForAndKeep", "expr": "flag == 1", "for": "150s", "keep_firing_for": "3m", "labels": {"i": "{{ $labels.instance }}"}},
              {"alert": "Instant", "expr": "flag == 1"}
            ]}]}
            """
        let (status, out, firing) = try agree(rulesJSON: rules, grid: grid, steps: steps, exprs: ["flag == 1": { $1 == 1 }])
        XCTAssertGreaterThan(firing, 100, "the grid exercises firing alerts")
        XCTAssertEqual(status, 0, "promtool's alerts differ from the simulator's:\n\(out)")
    }
}

extension RuleFilePromtoolTests {
    /// The shipped node.json (hosts, filesystems, thin pool with predict_linear) over an incident:
    /// h1 down for 15 minutes, h0's thin pool draining 1.2 GB a minute, h2's metadata low, h0's
    /// root filesystem filling; the real PromQL engine evaluates the rules.
    func testShippedNodeRulesWithPromQLAgreeWithPromtool() throws {
        let steps = 60
        func series(_ name: String, _ labels: [(String, String)], _ f: (Int) -> Double) -> GridSeries {
            GridSeries(labels: LabelSet(name: name, labels), values: (0..<steps).map(f))
        }
        var grid: [GridSeries] = []
        for h in 0..<3 {
            let inst = [("instance", "h\(h):9100"), ("job", "node")]
            let pool = inst + [("pool", "docker-thinpool")]
            let fs = inst + [("device", "/dev/sda1"), ("fstype", "ext4"), ("mountpoint", "/")]
            grid.append(series("up", inst) { k in h == 1 && (10..<25).contains(k) ? 0 : 1 })
            grid.append(series("node_devicemapper_thinpool_data_size_bytes", pool) { _ in 100e9 })
            grid.append(series("node_devicemapper_thinpool_data_free_bytes", pool) { k in h == 0 ? max(0, 60e9 - 1.2e9 * Double(k)) : 50e9 - 1e6 * Double(k) })
            grid.append(series("node_devicemapper_thinpool_metadata_size_bytes", pool) { _ in 2e9 })
            grid.append(series("node_devicemapper_thinpool_metadata_free_bytes", pool) { k in h == 2 && k > 20 ? 1e8 : 1.5e9 })
            grid.append(series("node_filesystem_size_bytes", fs) { _ in 50e9 })
            grid.append(series("node_filesystem_avail_bytes", fs) { k in h == 0 ? max(1e9, 20e9 - 0.5e9 * Double(k)) : 30e9 })
        }
        let rules = try String(contentsOfFile: Self.repoRoot + "/scenarios/monitoring/rules/node.json", encoding: .utf8)
        let (status, out, firing) = try agree(rulesJSON: rules, grid: grid, steps: steps, exprs: nil)
        XCTAssertGreaterThan(firing, 50, "the incident fires alerts")
        XCTAssertEqual(status, 0, "promtool's alerts differ from the simulator's (real PromQL):\n\(out)")
    }

    /// requests.json (rate, error ratio, histogram_quantile p99) and marathon.json (group_left,
    /// and on) over two apps: web's errors jump to 10% and its latency to ~0.8 s at 20m; api loses
    /// tasks at 15m; real PromQL.
    func testShippedRequestAndMarathonRulesWithPromQLAgreeWithPromtool() throws {
        let steps = 50
        var grid: [GridSeries] = []
        for (a, app) in ["web", "api"].enumerated() {
            let l = [("app", app), ("instance", "t\(a):31000"), ("job", "apps")]
            let bad = { (k: Int) in a == 0 && k >= 20 }
            // cumulative counters: 600 requests a minute; 5xx 10% after the fault for web
            var ok = 0.0, err = 0.0, fast = 0.0, mid = 0.0, slow = 0.0
            var rows: [[Double]] = []
            for k in 0..<steps {
                let e = bad(k) ? 60.0 : 1.0
                ok += 600 - e; err += e
                if bad(k) { fast += 100; mid += 200; slow += 300 } else { fast += 580; mid += 15; slow += 5 }
                rows.append([ok, err, fast, fast + mid, fast + mid + slow, fast + mid + slow])
            }
            grid.append(GridSeries(labels: LabelSet(name: "http_requests_total", l + [("code", "200"), ("method", "get")]), values: rows.map { $0[0] }))
            grid.append(GridSeries(labels: LabelSet(name: "http_requests_total", l + [("code", "503"), ("method", "get")]), values: rows.map { $0[1] }))
            for (i, le) in ["0.1", "0.5", "1", "+Inf"].enumerated() {
                grid.append(GridSeries(labels: LabelSet(name: "http_request_duration_seconds_bucket", l + [("le", le)]), values: rows.map { $0[2 + i] }))
            }
            let id = [("id", "/shop/\(app)"), ("instance", "marathon:8080"), ("job", "marathon")]
            grid.append(GridSeries(labels: LabelSet(name: "marathon_app_instances", id), values: Array(repeating: 3, count: steps)))
            grid.append(GridSeries(labels: LabelSet(name: "marathon_app_tasksRunning", id),
                                   values: (0..<steps).map { k in a == 1 && k >= 15 ? (k >= 30 ? 0 : 2) : 3 }))
        }
        let folder = Self.repoRoot + "/scenarios/monitoring/rules/"
        for file in ["requests.json", "marathon.json"] {
            let rules = try String(contentsOfFile: folder + file, encoding: .utf8)
            let (status, out, firing) = try agree(rulesJSON: rules, grid: grid, steps: steps, exprs: nil)
            XCTAssertGreaterThan(firing, 10, "\(file): the incident fires alerts")
            XCTAssertEqual(status, 0, "\(file): promtool's alerts differ from the simulator's (real PromQL):\n\(out)")
        }
    }

    /// mesos.json (and on, or absent, sum by, rate) over a master failover: m0 leads, no leader
    /// from 20m to 24m, then m1; an agent's exporter down 10m-30m and its slave disconnected;
    /// failed tasks counted by the leader; real PromQL.
    func testShippedMesosRulesWithPromQLAgreeWithPromtool() throws {
        let steps = 45
        var grid: [GridSeries] = []
        var failed = 0.0
        var failedRows: [Double] = []
        for k in 0..<steps { failed += (10..<30).contains(k) ? 6 : 0; failedRows.append(failed) }
        for m in 0..<2 {
            let l = [("instance", "m\(m):9105"), ("job", "mesos-master")]
            let leads = { (k: Int) in m == 0 ? k < 20 : k >= 24 }
            grid.append(GridSeries(labels: LabelSet(name: "mesos_master_elected", l), values: (0..<steps).map { leads($0) ? 1 : 0 }))
            grid.append(GridSeries(labels: LabelSet(name: "mesos_master_slaves_state", l + [("connection_state", "disconnected"), ("live_state", "inactive")]),
                                   values: (0..<steps).map { k in leads(k) && (10..<30).contains(k) ? 1 : 0 }))
            grid.append(GridSeries(labels: LabelSet(name: "mesos_master_task_states_exit_total", l + [("state", "failed")]),
                                   values: m == 0 ? failedRows : Array(repeating: 0, count: steps)))
        }
        for a in 0..<3 {
            grid.append(GridSeries(labels: LabelSet(name: "up", [("instance", "a\(a):9105"), ("job", "mesos-agent")]),
                                   values: (0..<steps).map { k in a == 2 && (10..<30).contains(k) ? 0 : 1 }))
        }
        let rules = try String(contentsOfFile: Self.repoRoot + "/scenarios/monitoring/rules/mesos.json", encoding: .utf8)
        let (status, out, firing) = try agree(rulesJSON: rules, grid: grid, steps: steps, exprs: nil)
        XCTAssertGreaterThan(firing, 20, "the failover fires alerts")
        XCTAssertEqual(status, 0, "promtool's alerts differ from the simulator's (real PromQL):\n\(out)")
    }

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Every shipped rule file (scenarios/**/rules/*.json).
    static func shippedRuleFiles() -> [String] {
        let root = repoRoot + "/scenarios"
        let all = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
        return all.filter { $0.hasSuffix(".json") && $0.split(separator: "/").dropLast().last == "rules" }.sorted().map { root + "/" + $0 }
    }

    static let badFiles: [String: String] = [
        "unknown-field": #"{"groups": [{"name": "g", "query_offset": "1m", "rules": []}]}"#,   // 2.53: valid (newerVerdicts)
        "fraction-for": #"{"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up", "for": "1.5m"}]}]}"#,
        "bad-expr": #"{"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "sum(rate(up[5m])"}]}]}"#,
        "unknown-function": #"{"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "foo(up)"}]}]}"#,
        "bad-range": #"{"groups": [{"name": "g", "rules": [{"record": "r", "expr": "rate(up[5x])"}]}]}"#,
        "both-kinds": #"{"groups": [{"name": "g", "rules": [{"alert": "A", "record": "b", "expr": "up"}]}]}"#,
        "recording-for": #"{"groups": [{"name": "g", "rules": [{"record": "a", "expr": "up", "for": "1m"}]}]}"#,
        "bad-record-name": #"{"groups": [{"name": "g", "rules": [{"record": "a-b", "expr": "up"}]}]}"#,
        "bad-label": #"{"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up", "labels": {"1x": "y"}}]}]}"#,
        "bad-template": #"{"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up", "annotations": {"s": "{{ $labels.x "}}]}]}"#,
        "undefined-function": #"{"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up", "annotations": {"s": "{{ nope }}"}}]}]}"#,
        "repeated-group": #"{"groups": [{"name": "g", "rules": []}, {"name": "g", "rules": []}]}"#,
        "empty-expr": #"{"groups": [{"name": "g", "rules": [{"alert": "A", "expr": ""}]}]}"#,
    ]
    static let goodFiles: [String: String] = [
        "empty": "{}",
        "range-vector-result": #"{"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up[5m]"}]}]}"#,
        "durations": #"{"groups": [{"name": "g", "interval": "1d", "limit": -1, "rules": [{"alert": "A", "expr": "up == 0", "for": "1h30m", "keep_firing_for": "1w"}]}]}"#,
        "scalar-label": #"{"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "vector(1)", "labels": {"n": 1, "b": true}}]}]}"#,
        "recording-template-label": #"{"groups": [{"name": "g", "rules": [{"record": "a:b", "expr": "sum(up)", "labels": {"x": "{{ $labels.y }}"}}]}]}"#,
    ]

    /// promtool's verdicts of other releases where they differ from 2.42's (bad files: invalid, good
    /// files: valid), by case; checked when that release is installed (Judge.promtool).
    static let newerVerdicts: [String: [String: Bool]] = [
        // a group's query_offset is a field from 2.53 on
        "2.53": ["unknown-field": true],
    ]

    /// promtool check rules decides when it is 2.42, another release must give the recorded verdicts (Judge).
    func testCheckRulesAgreesWithOurLoader() throws {
        let judge = Judge.promtool
        guard judge.path != nil else { throw XCTSkip("promtool is not installed (Debian package prometheus; the installer adds it)") }
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var cases: [(name: String, path: String)] = Self.shippedRuleFiles().map { (String($0.dropFirst(Self.repoRoot.count + 1)), $0) }
        XCTAssertGreaterThanOrEqual(cases.count, 4, "the shipped rule files")
        for (name, text) in Self.badFiles.merging(Self.goodFiles, uniquingKeysWith: { a, _ in a }).sorted(by: { $0.key < $1.key }) {
            write(text, to: dir + "/\(name).json")
            cases.append((name, dir + "/\(name).json"))
        }
        let recorded = { (name: String) -> Bool? in Self.badFiles[name] != nil ? false : (Self.goodFiles[name] != nil ? true : nil) }
        judge.checkRecorded(Self.newerVerdicts, cases: Dictionary(cases.map { ($0.name, recorded($0.name)) }, uniquingKeysWith: { a, _ in a }))
        for c in cases {
            let text = try String(contentsOfFile: c.path, encoding: .utf8)
            let d = Diagnostics()
            let ours = RuleFileReader.parse(text, file: c.name, d)
            guard judge.runs else {
                judge.check(c.name, tool: nil, ours: ours != nil, modelledVerdict: recorded(c.name), detail: "we say: \(d.errors.map(\.description))")
                continue
            }
            let (status, out) = try Self.run(["check", "rules", c.path], in: dir)
            judge.check(c.name, tool: status == 0, ours: ours != nil, modelledVerdict: recorded(c.name), newer: Self.newerVerdicts.compactMapValues { $0[c.name] },
                        detail: "promtool:\n\(out)\nwe say: \(d.errors.map(\.description))")
            // an expression's error is Prometheus' own text: group, rule, line:column, message
            for e in d.errors where e.message.contains("could not parse expression") {
                XCTAssertTrue(out.contains(e.message), "\(c.name): ours \(e.message) / promtool: \(out)")
            }
        }
        if !judge.runs { throw XCTSkip(judge.skipReason) }
    }
}

/// `name OP x` over a grid whose samples sit on the 1m steps (the lookback finds the step's own).
final class FakeGridExpr: RuleExpression {
    let grid: [RuleFilePromtoolTests.GridSeries]
    let keep: (LabelSet, Double) -> Bool
    init(grid: [RuleFilePromtoolTests.GridSeries], keep: @escaping (LabelSet, Double) -> Bool) { self.grid = grid; self.keep = keep }
    var selectors: [PromQLSelector] { [] }
    func evaluate(at t: Int64, in store: SeriesStore, lookbackMs: Int64) throws(PromQLError) -> PromQLValue {
        let k = Int(t / 60_000)
        return .vector(grid.compactMap { s in
            guard k < s.values.count, !s.values[k].isNaN, keep(s.labels, s.values[k]) else { return nil }
            return VectorSample(labels: s.labels, value: s.values[k])
        })
    }
}
