import ClusterModel
import SimKernel

// Replays a run's scraped series through Prometheus' own rule evaluation (`promtool test rules`) and
// states, as promtool unit tests, the alert times the simulator recorded in alerts.csv: promtool then
// judges whether Prometheus fires and resolves each alert at the same evaluations.
//
// promtool's input series sit on one grid (`interval`) from time 0, and its rule groups are evaluated
// at 0, E, 2E, ...; the simulator's scrapes sit at each target's own millisecond phase. So each check
// gets its own test: time 0 is put on an evaluation of the alert's group, the grid is the greatest
// common divisor of the sample times and E (usually 1 ms), and the window covers only what the check
// needs: the alert's evaluations from a moment it was inactive, plus the longest range, offset and
// lookback its expression reads before that. Every other alert of the same rule would start afresh
// in such a window, so the rule is narrowed to the one alert with `and on(<its labels>)` a constant
// vector carrying them (same expression, same `for`, same labels; annotations are left out, they do
// not change the times).

/// One episode of one alert from alerts.csv: pending at `activeAt`, maybe firing at `firedAt`, maybe
/// inactive at `endedAt`.
public struct AlertEpisode: Equatable {
    public var group: String
    public var labels: LabelSet
    public var activeAt: Int64
    public var firedAt: Int64?
    public var endedAt: Int64?
}

public enum PromtoolRuleTests {
    /// Reads samples.csv (`series,timestamp_ms,value,appended_ms`).
    public static func readSamples(_ csv: String) throws -> [RecordedSeries] { try SamplesCSV.read(csv, path: "samples.csv") }

    /// Reads alerts.csv (`time_s,timestamp_ms,group,alertname,labels,from,to,value`) into episodes.
    public static func readEpisodes(_ csv: String) throws -> [AlertEpisode] {
        var open: [String: Int] = [:]
        var out: [AlertEpisode] = []
        var first = true
        for line in csv.split(separator: "\n", omittingEmptySubsequences: true) {
            if first { first = false; continue }
            guard let f = SamplesCSV.fields(line), f.count == 8, let t = Int64(f[1]), let s = SamplesCSV.parseSeries(f[4]) else {
                throw OutputError("alerts.csv: malformed row \(line)")
            }
            let ls = LabelSet(name: s.name, s.labels)
            let key = f[2] + "\u{0}" + f[4]
            switch f[6] {
            case "pending":
                open[key] = out.count
                out.append(AlertEpisode(group: f[2], labels: ls, activeAt: t))
            case "firing":
                if let i = open[key] { out[i].firedAt = t } else {
                    // for: 0 fires at its first evaluation (no pending row)
                    open[key] = out.count
                    out.append(AlertEpisode(group: f[2], labels: ls, activeAt: t, firedAt: t))
                }
            case "inactive":
                if let i = open.removeValue(forKey: key) { out[i].endedAt = t }
            default: throw OutputError("alerts.csv: unknown state \(f[6])")
            }
        }
        return out
    }

    /// The promtool test for one rule group evaluated every `evaluationMs` from `firstEvaluationMs`
    /// (Unix ms) over a run that ended at `endMs`. `readBackMs(rule)`: the longest range +
    /// offset + lookback the rule's expression reads; `selectors(rule)`: its selectors.
    ///
    /// For each alerting rule, the check times are the evaluation before and at each firing and each
    /// resolution of its alerts, and every `everyMs` of the run; at each, promtool must report exactly
    /// the alerts the simulator had firing. A check starts from fresh state (p + 1) evaluations before
    /// its time, p = ceil(for / E): from there the evaluations see complete data, so an alert fires in
    /// promtool at the check time exactly when it had been active for `for` in the simulator. A rule
    /// with `keep_firing_for` starts at the last evaluation when none of its alerts was active instead.
    /// A check whose grid would exceed `maxSteps` points is left out and named in `skipped`.
    public static func test(group: RuleGroupSpec, evaluationMs: Int64, firstEvaluationMs: Int64, endMs: Int64,
                            readBackMs: (RuleSpec) -> Int64, selectors: (RuleSpec) -> [PromQLSelector],
                            episodes allEpisodes: [AlertEpisode], series: [RecordedSeries], everyMs: Int64 = 7_200_000,
                            windowMs: Int64 = 600_000, maxSteps: Int64 = 4_000_000) -> (ruleFile: String, testFile: String, checks: Int, skipped: [String]) {
        var rulesJSON: [String] = []
        var tests: [String] = []
        var skipped: [String] = []
        var checks = 0
        let episodes = allEpisodes.filter { $0.group == group.name }
        for rule in group.rules {
            guard case let .alerting(alertName, forDuration, keepFiringFor, _) = rule.kind else { continue }
            let forMs = forDuration.nanoseconds / 1_000_000, keepMs = keepFiringFor.nanoseconds / 1_000_000
            rulesJSON.append(ruleJSON(rule, alertName: alertName, forMs: forMs, keepMs: keepMs))
            let mine = episodes.filter { $0.labels["alertname"] == alertName }
            let sels = selectors(rule)
            let inputs = series.filter { s in sels.contains { sel in sel.matchers.allSatisfy { $0.matches(s.labels) } } }
            // check times: around each change, and a regular grid of evaluations
            var times = Set<Int64>()
            for e in mine {
                if let f = e.firedAt { times.insert(f - evaluationMs); times.insert(f) }
                if let r = e.endedAt, e.firedAt != nil { times.insert(r - evaluationMs); times.insert(r) }
            }
            let firstEval = firstEvaluationMs
            let step = max(evaluationMs, everyMs - everyMs % evaluationMs)
            var t = firstEval + step
            while t <= endMs { times.insert(t); t += step }
            let pendingEvals = (forMs + evaluationMs - 1) / evaluationMs
            // each check time with the first evaluation from which it needs complete data
            var pending: [(at: Int64, from: Int64)] = []
            for at in times.sorted() where at >= firstEval && at <= endMs {
                var from = at - (pendingEvals + 1) * evaluationMs
                if keepMs > 0 {
                    // the last evaluation before `at` when none of its alerts was active
                    from = at
                    while from > firstEval && mine.contains(where: { $0.activeAt <= from && ($0.endedAt ?? Int64.max) > from }) {
                        from -= evaluationMs
                    }
                    from -= evaluationMs
                }
                pending.append((at, from))
            }
            // windows: consecutive checks share one test group while it spans at most `windowMs`
            // beyond what the first needs (promtool's state at a later check depends only on the
            // evaluations from that check's `from`, which see complete data in the window)
            var i = 0
            while i < pending.count {
                var origin = pending[i].from - readBackMs(rule)
                origin -= ((origin - firstEvaluationMs) % evaluationMs + evaluationMs) % evaluationMs
                var j = i + 1
                while j < pending.count && pending[j].at - pending[i].at <= windowMs && pending[j].from >= pending[i].from { j += 1 }
                let checksHere = pending[i..<j].map { at -> (Int64, [LabelSet]) in
                    (at.at, mine.filter { ($0.firedAt ?? Int64.max) <= at.at && ($0.endedAt ?? Int64.max) > at.at }.map(\.labels).sorted())
                }
                let last = pending[j - 1].at
                let name = "\(alertName) from \(pending[i].at) to \(last) ms (\(j - i) checks)"
                let shown = inputs.map { visible($0, from: origin, through: last, evaluationMs: evaluationMs) }
                var grid = evaluationMs
                for s in shown { for p in s.samples { grid = gcd(grid, p.t - origin) } }
                if (last - origin) / grid > maxSteps {
                    skipped.append(name + ": \((last - origin) / grid) grid points")
                } else {
                    tests.append(testGroup(name: name, alertName: alertName, checks: checksHere, inputs: shown, origin: origin, grid: grid))
                    checks += j - i
                }
                i = j
            }
        }
        let ruleFile = "{\"groups\": [{\"name\": \(JSONText.quote(group.name)), \"rules\": [\n  " + rulesJSON.joined(separator: ",\n  ") + "]}]}\n"
        let testFile = "{\"rule_files\": [\"rules.json\"], \"evaluation_interval\": \"\(evaluationMs)ms\", \"tests\": [\n"
            + tests.joined(separator: ",\n") + "]}\n"
        return (ruleFile, testFile, checks, skipped)
    }

    /// The rule as promtool gets it: same expression, `for`, `keep_firing_for` and labels; no
    /// annotations (they do not change the times, and alerts.csv does not hold their text).
    private static func ruleJSON(_ rule: RuleSpec, alertName: String, forMs: Int64, keepMs: Int64) -> String {
        var j = "{\"alert\": \(JSONText.quote(alertName)), \"expr\": \(JSONText.quote(rule.expr)), \"for\": \"\(forMs)ms\""
        if keepMs > 0 { j += ", \"keep_firing_for\": \"\(keepMs)ms\"" }
        if !rule.labels.isEmpty {
            j += ", \"labels\": {" + rule.labels.map { "\(JSONText.quote($0.0)): \(JSONText.quote($0.1))" }.joined(separator: ", ") + "}"
        }
        return j + "}"
    }

    /// The samples of one series that the window shows promtool, each at the instant it became
    /// visible to queries when that differs for an evaluation: a scrape that timed out was stored at
    /// its start but only once the timeout had passed (as Prometheus commits it), and promtool, which
    /// has every sample from the start, would see it early. A sample overtaken by the next one before
    /// it became visible was never the newest: it is left out.
    static func visible(_ s: RecordedSeries, from origin: Int64, through last: Int64, evaluationMs: Int64) -> RecordedSeries {
        var out: [(t: Int64, v: String, appended: Int64)] = []
        let samples = s.samples
        for (k, p) in samples.enumerated() where p.appended <= last || p.t <= last {
            var t = p.t
            // an evaluation in [t, appended) of the grid through `origin`: it did not see the sample
            let firstEvalAtOrAfter = origin + ((p.t - origin + evaluationMs - 1) / evaluationMs) * evaluationMs
            if p.appended > p.t && firstEvalAtOrAfter < p.appended {
                t = p.appended
                if k + 1 < samples.count && samples[k + 1].t <= t { continue }
            }
            if t >= origin && t <= last { out.append((t, p.v, p.appended)) }
        }
        return RecordedSeries(labels: s.labels, text: s.text, samples: out)
    }

    /// One test group: the inputs from `origin` on the grid, the alerts expected firing at each check.
    private static func testGroup(name: String, alertName: String, checks: [(Int64, [LabelSet])], inputs: [RecordedSeries],
                                  origin: Int64, grid: Int64) -> String {
        var seriesJSON: [String] = []
        for s in inputs {
            var values: [String] = []
            var next: Int64 = 0
            for p in s.samples {
                let i = (p.t - origin) / grid
                if i > next { values.append("_x\(i - next)") }
                values.append(p.v)
                next = i + 1
            }
            if values.isEmpty { continue }
            seriesJSON.append("{\"series\": \(JSONText.quote(s.text)), \"values\": \(JSONText.quote(values.joined(separator: " ")))}")
        }
        let tests = checks.map { (at, firing) in
            let expected = firing.map { ls in
                "{\"exp_labels\": {" + ls.labels.filter { $0.name != "alertname" }.map { "\(JSONText.quote($0.name)): \(JSONText.quote($0.value))" }
                    .joined(separator: ", ") + "}}"
            }
            return "{\"eval_time\": \"\(at - origin)ms\", \"alertname\": \(JSONText.quote(alertName)), \"exp_alerts\": [" + expected.joined(separator: ", ") + "]}"
        }
        return "{\"name\": \(JSONText.quote(name)), \"interval\": \"\(grid)ms\",\n \"input_series\": [\n  " + seriesJSON.joined(separator: ",\n  ")
            + "],\n \"alert_rule_test\": [\n  " + tests.joined(separator: ",\n  ") + "]}"
    }

    static func gcd(_ a: Int64, _ b: Int64) -> Int64 { var (x, y) = (abs(a), abs(b)); while y != 0 { (x, y) = (y, x % y) }; return x }


}
