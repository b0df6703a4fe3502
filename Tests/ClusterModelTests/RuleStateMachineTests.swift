@testable import ClusterModel
import SimKernel
import XCTest

/// A rule expression whose result is a function of the evaluation time (the seam the runner
/// evaluates through), so the state machine is tested without PromQL.
final class FakeRuleExpr: RuleExpression {
    let result: (Int64, SeriesStore) throws(PromQLError) -> PromQLValue
    init(_ result: @escaping (Int64, SeriesStore) throws(PromQLError) -> PromQLValue) { self.result = result }
    var selectors: [PromQLSelector] { [] }
    func evaluate(at t: Int64, in store: SeriesStore, lookbackMs: Int64) throws(PromQLError) -> PromQLValue { try result(t, store) }
}

/// rules/alerting.go Eval, sendAlerts and needsSending (Prometheus 2.42), through RuleGroupRunner.
final class RuleStateMachineTests: XCTestCase {
    let t0: Int64 = 1_496_275_200_000
    let inst = LabelSet(["__name__": "up", "instance": "h1:9100", "job": "node"])

    /// One alerting rule `A` over a fake expression: `active(t)` says whether `inst` is in the result.
    func runner(for forMs: Int64 = 0, keep: Int64 = 0, limit: Int = 0, labels: [(String, String)] = [("severity", "page")],
                annotations: [(String, String)] = [], restoreAt: Int = 1,
                active: @escaping (Int64) -> Bool) throws -> RuleGroupRunner {
        let rule = RuleSpec(kind: .alerting(alert: "A", forDuration: .milliseconds(forMs), keepFiringFor: .milliseconds(keep), annotations: annotations),
                            expr: "A", labels: labels)
        let spec = RuleGroupSpec(name: "g", file: "r.json", limit: limit, rules: [rule])
        let inst = self.inst
        return try RuleGroupRunner(spec: spec, externalLabels: LabelSet(["cluster": "sim"]), externalURL: "http://prom:9090",
                                   alertSeriesFromEvaluation: restoreAt) { (text: String) throws(PromQLError) -> RuleExpression in
            FakeRuleExpr { t, _ in .vector(active(t) ? [VectorSample(labels: inst, value: 0)] : []) }
        }
    }

    /// One alerting rule over two series that differ only in `job`.
    func twoSeries(labels: [(String, String)] = [], limit: Int = 0) throws -> RuleGroupRunner {
        try RuleGroupRunner(spec: RuleGroupSpec(name: "g", file: "f", limit: limit, rules: [
            RuleSpec(kind: .alerting(alert: "A", forDuration: .zero, keepFiringFor: .zero, annotations: []), expr: "two", labels: labels),
        ]), externalLabels: LabelSet(), externalURL: "", alertSeriesFromEvaluation: 1) { (_: String) throws(PromQLError) -> RuleExpression in
            FakeRuleExpr { _, _ in .vector([VectorSample(labels: self.inst, value: 2), VectorSample(labels: self.inst.setting("job", "x"), value: 3)]) }
        }
    }

    /// Evaluates every `step` ms from t0 for `n` steps; returns (t, transitions, sends) per step.
    func run(_ r: RuleGroupRunner, step: Int64, n: Int, resend: Int64 = 60_000, store: MemorySeriesStore = MemorySeriesStore())
        -> [(t: Int64, changes: [AlertTransition], sent: [AlertPayload])] {
        (0..<n).map { k in
            let t = t0 + Int64(k) * step
            let c = r.evaluate(at: t, store: store, lookbackMs: 300_000) { store.append($0, $1) }
            return (t, c, r.alertsToSend(at: t, resendDelayMs: resend, evaluationIntervalMs: step))
        }
    }

    func changes(_ steps: [(t: Int64, changes: [AlertTransition], sent: [AlertPayload])]) -> [String] {
        steps.flatMap { s in s.changes.map { "\(($0.at - t0) / 1000)s \($0.from.rawValue)->\($0.to.rawValue)" } }
    }

    func testPendingThenFiringAfterFor() throws {
        let steps = run(try runner(for: 300_000) { _ in true }, step: 60_000, n: 7)
        XCTAssertEqual(changes(steps), ["0s inactive->pending", "300s pending->firing"])
        XCTAssertEqual(steps[5].changes.first?.labels, LabelSet(["alertname": "A", "instance": "h1:9100", "job": "node", "severity": "page"]))
    }

    func testEffectivePendingIsForRoundedUpToTheEvaluationInterval() throws {
        // for 90s at E = 60s: the alert fires at the first evaluation with t - ActiveAt >= 90s: 120s = ceil(F/E)·E
        XCTAssertEqual(changes(run(try runner(for: 90_000) { _ in true }, step: 60_000, n: 4)), ["0s inactive->pending", "120s pending->firing"])
    }

    func testForZeroFiresAtTheFirstEvaluation() throws {
        let steps = run(try runner { _ in true }, step: 60_000, n: 2)
        XCTAssertEqual(changes(steps), ["0s inactive->pending", "0s pending->firing"])
        XCTAssertEqual(steps[0].sent.map(\.startsAt), [t0])
    }

    func testFlappingPendingAlertIsDroppedAndStartsOver() throws {
        // true, false, true, true, true: pending is dropped at 60s; ActiveAt restarts at 120s
        let r = try runner(for: 120_000) { t in (t - self.t0) != 60_000 }
        XCTAssertEqual(changes(run(r, step: 60_000, n: 5)), ["0s inactive->pending", "60s pending->inactive", "120s inactive->pending", "240s pending->firing"])
        XCTAssertTrue(r.alerting[0]!.active.values.allSatisfy { $0.activeAt == t0 + 120_000 })
    }

    func testKeepFiringForHoldsAFiringAlertThenResolves() throws {
        // firing at 0s, gone from 60s; KeepFiringSince = 60s; kept while t - 60s < 180s; resolved at 240s
        let steps = run(try runner(keep: 180_000) { t in t == self.t0 }, step: 60_000, n: 6)
        XCTAssertEqual(changes(steps), ["0s inactive->pending", "0s pending->firing", "240s firing->inactive"])
        XCTAssertEqual(steps[4].sent.first?.endsAt, t0 + 240_000, "the resolved notification carries ResolvedAt")
    }

    func testKeepFiringForResetsWhenTheAlertReturns() throws {
        // gone at 60s, back at 120s (KeepFiringSince reset), gone from 180s: resolved at 180 + 120 = 300s
        let r = try runner(keep: 120_000) { t in [0, 120_000].contains(t - self.t0) }
        XCTAssertEqual(changes(run(r, step: 60_000, n: 7)), ["0s inactive->pending", "0s pending->firing", "300s firing->inactive"])
    }

    func testResolvedAlertIsKeptFifteenMinutesAndResentThenDeleted() throws {
        // firing at 0, resolved at 60s; deleted at the first evaluation with t - ResolvedAt > 15m
        let r = try runner { t in t == self.t0 }
        let steps = run(r, step: 60_000, n: 20, resend: 60_000)
        let sent = steps.filter { !$0.sent.isEmpty }.map { ($0.t - t0) / 1000 }
        // sent when firing (0s), resolved (60s), then whenever LastSentAt + 1m < t: every 2 minutes
        XCTAssertEqual(sent, [0, 60, 180, 300, 420, 540, 660, 780, 900])
        XCTAssertEqual(r.alerting[0]!.active.count, 0, "deleted after 60s + 15m")
        XCTAssertEqual(steps[16].sent.isEmpty && steps[17].sent.isEmpty, true)
    }

    func testResendDelayRhythmAndEndsAt() throws {
        // E = 15s, resend 1m: sent at 0s, then at the first evaluation after LastSentAt + 1m (75s, 150s, ...)
        let steps = run(try runner { _ in true }, step: 15_000, n: 12, resend: 60_000)
        let sent = steps.filter { !$0.sent.isEmpty }
        XCTAssertEqual(sent.map { ($0.t - t0) / 1000 }, [0, 75, 150])
        for s in sent {
            XCTAssertEqual(s.sent[0].endsAt, s.t + 4 * 60_000, "EndsAt = t + 4·max(E, resend delay)")
            XCTAssertEqual(s.sent[0].startsAt, t0)
            XCTAssertEqual(s.sent[0].labels["cluster"], "sim", "external labels are added")
            XCTAssertEqual(s.sent[0].generatorURL, "http://prom:9090/graph?g0.expr=A&g0.tab=1")
        }
        // E longer than the resend delay: EndsAt = t + 4·E
        let slow = run(try runner { _ in true }, step: 120_000, n: 1, resend: 60_000)
        XCTAssertEqual(slow[0].sent[0].endsAt, t0 + 480_000)
    }

    func testPendingAlertsAreNotSent() throws {
        let steps = run(try runner(for: 600_000) { _ in true }, step: 60_000, n: 5)
        XCTAssertTrue(steps.allSatisfy { $0.sent.isEmpty })
    }

    func testAlertsSeriesAreWrittenOnceRestored() throws {
        let store = MemorySeriesStore()
        _ = run(try runner(for: 60_000, restoreAt: 3) { _ in true }, step: 60_000, n: 4, store: store)
        let alerts = store.series.filter { $0.labels.metricName == "ALERTS" }
        XCTAssertEqual(alerts.map { $0.labels["alertstate"] ?? "" }, ["firing"])
        XCTAssertEqual(alerts[0].samples.map(\.t), [t0 + 120_000, t0 + 180_000], "first two evaluations write nothing (RestoreForState)")
        let forState = store.series.first { $0.labels.metricName == "ALERTS_FOR_STATE" }
        XCTAssertEqual(forState?.samples.first?.v, Double(t0 / 1000), "ActiveAt in Unix seconds")
        XCTAssertEqual(forState?.labels["severity"], "page")
        XCTAssertNil(forState?.labels["alertstate"])
    }

    /// rules/manager.go RestoreForState (2.42; the cases of its TestForStateRestore): an alert of
    /// `for` 25m pending since t0, one-minute evaluations, the server down from `downAt` to
    /// `back`; the restarted process evaluates at `back` and `back` + 1m, then restores from the
    /// last ALERTS_FOR_STATE sample the old process wrote. Returns the restored ActiveAt (ms
    /// after t0) and when the alert fires (s after t0), over 40 more minutes.
    func restored(for forMs: Int64 = 25 * 60_000, downAt: Int64, back: Int64, grace: Int64 = 10 * 60_000,
                  tolerance: Int64 = 30 * 60_000, stale: Bool = false) throws -> (activeAt: Int64, firesAt: Int64?) {
        var last: [LabelSet: Sample] = [:]
        let before = try runner(for: forMs, restoreAt: 1) { _ in true }
        var t = t0
        while t < t0 + downAt {
            _ = before.evaluate(at: t, store: MemorySeriesStore(), lookbackMs: 300_000) { l, s in
                if l.metricName == "ALERTS_FOR_STATE" { last[l] = stale ? Sample(t: s.t, v: Sample.staleNaN) : s }
            }
            t += 60_000
        }
        let after = try runner(for: forMs, restoreAt: 3) { _ in true }
        var fired: Int64?
        for k in 0..<42 {
            let now = t0 + back + Int64(k) * 60_000
            for c in after.evaluate(at: now, store: MemorySeriesStore(), lookbackMs: 300_000, append: { _, _ in }) where c.to == .firing && fired == nil {
                fired = (now - t0) / 1000
            }
            if k == 1 {
                after.restoreForState(at: now, graceMs: grace, outageToleranceMs: tolerance) { last[$0] }
            }
        }
        let a = try XCTUnwrap(after.alerting[0]?.active.values.first)
        return (a.activeAt - t0, fired)
    }

    func testForStateIsRestoredAfterARestart() throws {
        // pending 10m (last sample at 9m), down until 20m: 16m left >= grace: ActiveAt moves by the
        // time down (21m - 9m = 12m), so it fires 25m + 12m after t0
        var r = try restored(downAt: 10 * 60_000, back: 20 * 60_000)
        XCTAssertEqual(r.activeAt, 12 * 60_000)
        XCTAssertEqual(r.firesAt, 37 * 60)
        // pending 20m (last sample at 19m): 6m left < grace: it fires grace after the restore (23m + 10m)
        r = try restored(downAt: 20 * 60_000, back: 22 * 60_000)
        XCTAssertEqual(r.activeAt, Int64(8 * 60_000), "23m + 10m grace - 25m")
        XCTAssertEqual(r.firesAt, 33 * 60)
        // firing when it went down (last sample at 29m): ActiveAt is t0 again, it fires at the next evaluation
        r = try restored(downAt: 30 * 60_000, back: 35 * 60_000)
        XCTAssertEqual(r.activeAt, 0)
        XCTAssertEqual(r.firesAt, 37 * 60)
    }

    func testForStateIsNotRestoredBeyondToleranceForAShortForOrAfterAStaleMarker() throws {
        // down 31m: the last sample (at 9m) is older than the 30m outage tolerance at the restore (41m)
        var r = try restored(downAt: 10 * 60_000, back: 40 * 60_000)
        XCTAssertEqual(r.activeAt, 40 * 60_000, "starts over at the restarted process' first evaluation")
        // for 5m < grace 10m: not restored, it waits its `for` again
        r = try restored(for: 5 * 60_000, downAt: 4 * 60_000, back: 6 * 60_000)
        XCTAssertEqual(r.activeAt, 6 * 60_000)
        XCTAssertEqual(r.firesAt, 11 * 60)
        // the last sample is a staleness marker: the alert was not active
        r = try restored(downAt: 10 * 60_000, back: 20 * 60_000, stale: true)
        XCTAssertEqual(r.activeAt, 20 * 60_000)
    }

    func testAlertsSeriesGoStaleWhenTheAlertIsGone() throws {
        let store = MemorySeriesStore()
        _ = run(try runner(for: 60_000) { t in t - self.t0 < 60_000 }, step: 60_000, n: 2, store: store)
        let pending = store.series.first { $0.labels["alertstate"] == "pending" }
        XCTAssertEqual(pending?.samples.count, 2)
        XCTAssertEqual(pending?.samples.last?.isStale, true)
    }

    func testFailedEvaluationLeavesStatesAndSendsNothing() throws {
        // the expression fails after the alert fired
        let failing = try RuleGroupRunner(spec: try runner { _ in true }.spec, externalLabels: LabelSet(), externalURL: "", alertSeriesFromEvaluation: 1) { (_: String) throws(PromQLError) -> RuleExpression in
            FakeRuleExpr { t, _ throws(PromQLError) in
                if t > self.t0 { throw PromQLError("found duplicate series for the match group", position: 0) }
                return .vector([VectorSample(labels: self.inst, value: 1)])
            }
        }
        let steps = run(failing, step: 60_000, n: 4)
        XCTAssertEqual(changes(steps), ["0s inactive->pending", "0s pending->firing"])
        XCTAssertTrue(steps.dropFirst().allSatisfy { $0.sent.isEmpty })
        XCTAssertEqual(failing.alerting[0]!.active.values.first?.state, .firing)
        XCTAssertEqual(failing.lastErrors[0], "found duplicate series for the match group")
    }

    func testDuplicateLabelSetsAfterRuleLabelsFailTheRule() throws {
        // two series differing only in `job`; the rule label job="same" makes them identical
        let r = try twoSeries(labels: [("job", "same")])
        XCTAssertEqual(run(r, step: 60_000, n: 1)[0].changes.count, 0)
        XCTAssertEqual(r.lastErrors[0], "vector contains metrics with the same labelset after applying alert labels")
    }

    func testLimitForgetsEveryAlert() throws {
        let r = try twoSeries(limit: 1)
        let steps = run(r, step: 60_000, n: 1)
        XCTAssertEqual(r.lastErrors[0], "exceeded limit of 1 with 2 alerts")
        XCTAssertTrue(r.alerting[0]!.active.isEmpty)
        XCTAssertTrue(steps[0].sent.isEmpty)
    }

    func testRecordingRuleResultIsSeenByLaterRulesAtTheSameTime() throws {
        let store = MemorySeriesStore()
        let spec = RuleGroupSpec(name: "g", file: "f", rules: [
            RuleSpec(kind: .recording(record: "job:up:sum"), expr: "src", labels: [("team", "ops")]),
            RuleSpec(kind: .alerting(alert: "Low", forDuration: .zero, keepFiringFor: .zero, annotations: [("summary", "{{ $labels.team }} at {{ $value }}")]), expr: "read"),
        ])
        let r = try RuleGroupRunner(spec: spec, externalLabels: LabelSet(), externalURL: "", alertSeriesFromEvaluation: 1) { (text: String) throws(PromQLError) -> RuleExpression in
            if text == "src" { return FakeRuleExpr { _, _ in .vector([VectorSample(labels: LabelSet(["__name__": "up", "job": "node"]), value: 7)]) } }
            return FakeRuleExpr { t, s in
                .vector(s.select([try! LabelMatcher("__name__", .equal, "job:up:sum")], mint: t, maxt: t).map { VectorSample(labels: $0.labels, value: $0.samples[0].v) })
            }
        }
        _ = r.evaluate(at: t0, store: store, lookbackMs: 300_000) { store.append($0, $1) }
        let sent = r.alertsToSend(at: t0, resendDelayMs: 60_000, evaluationIntervalMs: 60_000)
        XCTAssertEqual(sent.map(\.labels), [LabelSet(["alertname": "Low", "job": "node", "team": "ops"])])
        XCTAssertEqual(sent.first?.annotations["summary"], "ops at 7")
    }

    func testAnEmptyRuleLabelDeletesTheLabel() throws {
        // labels.Builder.Set(name, ""): the alert has no `job`
        let steps = run(try runner(labels: [("job", ""), ("severity", "page")]) { _ in true }, step: 60_000, n: 1)
        XCTAssertEqual(steps[0].changes.first?.labels, LabelSet(["alertname": "A", "instance": "h1:9100", "severity": "page"]))
        XCTAssertEqual(LabelSet(["a": "1", "b": "2"]).overriding([("b", ""), ("c", "3"), ("a", "x")]), LabelSet(["a": "x", "c": "3"]))
    }

    func testScalarResultIsOneSampleWithoutLabels() throws {
        let store = MemorySeriesStore()
        let r = try RuleGroupRunner(spec: RuleGroupSpec(name: "g", file: "f", rules: [RuleSpec(kind: .recording(record: "one"), expr: "1")]),
                                    externalLabels: LabelSet(), externalURL: "", alertSeriesFromEvaluation: 1) { (_: String) throws(PromQLError) -> RuleExpression in
            FakeRuleExpr { _, _ in .scalar(1) }
        }
        _ = r.evaluate(at: t0, store: store, lookbackMs: 300_000) { store.append($0, $1) }
        XCTAssertEqual(store.series.map(\.labels), [LabelSet(["__name__": "one"])])
    }

    func testRuleThatDoesNotParseNamesRuleAndPosition() {
        let spec = RuleGroupSpec(name: "g", file: "f", rules: [RuleSpec(kind: .recording(record: "ok"), expr: "1"), RuleSpec(kind: .recording(record: "bad"), expr: "sum(")])
        XCTAssertThrowsError(try RuleGroupRunner(spec: spec, externalLabels: LabelSet(), externalURL: "", alertSeriesFromEvaluation: 1) { (t: String) throws(PromQLError) -> RuleExpression in
            if t == "sum(" { throw PromQLError("unexpected end of input", position: 4) }
            return FakeRuleExpr { _, _ in .scalar(1) }
        }) { e in
            XCTAssertEqual((e as? RuleBuildError)?.position, 4)
            XCTAssertEqual((e as? RuleBuildError)?.description, "rule 2 \"bad\": could not parse expression: unexpected end of input")
        }
    }
}
