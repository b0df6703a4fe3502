@testable import ClusterModel
import SimKernel
import XCTest

// Pure Marathon logic: constraints, launch back-off, health rules, restart strategy.

private func host(_ name: String, _ attrs: [(String, String)] = [], rules: ConstraintRules = .current, region: String? = nil, zone: String? = nil) -> PlacementHost {
    PlacementHost(hostname: name, region: region, zone: zone, attributes: attrs.map { Attribute(name: $0.0, value: $0.1) }, rules: rules)
}

/// Places `instances` one at a time: each round walks the offers in order and takes the first that
/// meets every constraint (what a scheduler does with one offer per agent per round).
private func place(_ n: Int, _ cs: [PlacementConstraint], offers: [PlacementHost]) -> [PlacementHost] {
    var placed: [PlacementHost] = []
    for _ in 0..<n {
        guard let o = offers.first(where: { Constraints.meetsAll(cs, offer: $0, placed: placed) }) else { break }
        placed.append(o)
    }
    return placed
}

final class MarathonConstraintTests: XCTestCase {
    let racks: [PlacementHost] = (1...9).map { i in host("slave-0\(i)", [("rack_id", "r\((i - 1) % 3 + 1)"), ("disk", i <= 3 ? "ssd" : "hdd")]) }

    func testUniqueNeverPutsTwoOnOneHost() {
        let c = [PlacementConstraint(field: "hostname", operator: .unique)]
        let placed = place(20, c, offers: racks + racks)
        XCTAssertEqual(placed.count, 9, "one per host, then no offer fits")
        XCTAssertEqual(Set(placed.map(\.hostname)).count, 9)
        let byRack = [PlacementConstraint(field: "rack_id", operator: .unique)]
        XCTAssertEqual(place(5, byRack, offers: racks).map { $0.value(of: .attribute("rack_id"))! }, ["r1", "r2", "r3"])
    }

    func testClusterPinsToValue() {
        let pinned = [PlacementConstraint(field: "rack_id", operator: .cluster, value: "r2")]
        XCTAssertTrue(place(6, pinned, offers: racks).allSatisfy { $0.value(of: .attribute("rack_id")) == "r2" })
        // 1.6+: empty value pins to the first placement's value
        let first = [PlacementConstraint(field: "rack_id", operator: .cluster, value: "")]
        let placed = place(6, first, offers: racks)
        XCTAssertEqual(placed.count, 6)
        XCTAssertTrue(placed.allSatisfy { $0.value(of: .attribute("rack_id")) == "r1" })
        // legacy: also every placed instance must share the offer's value
        let legacy = PlacementConstraint(field: "rack_id", operator: .cluster, value: "r1", rules: .legacy)
        XCTAssertFalse(Constraints.meets(legacy, offer: host("a", [("rack_id", "r1")], rules: .legacy), placed: [host("b", [("rack_id", "r2")], rules: .legacy)]))
        XCTAssertTrue(Constraints.meets(legacy, offer: host("a", [("rack_id", "r1")], rules: .legacy), placed: [host("b", [("rack_id", "r1")], rules: .legacy)]))
    }

    func testGroupBySpreadsEvenlyOverRacks() {
        let c = [PlacementConstraint(field: "rack_id", operator: .groupBy, value: "3")]
        let placed = place(7, c, offers: racks)
        let counts = ["r1", "r2", "r3"].map { r in placed.filter { $0.value(of: .attribute("rack_id")) == r }.count }
        XCTAssertEqual(counts, [3, 2, 2])
        // without n, a value not yet used is always accepted, a used one only when it is the smallest group
        let g = PlacementConstraint(field: "rack_id", operator: .groupBy)
        let two = [host("a", [("rack_id", "r1")]), host("b", [("rack_id", "r1")]), host("c", [("rack_id", "r2")])]
        XCTAssertFalse(Constraints.meets(g, offer: host("d", [("rack_id", "r1")]), placed: two))
        XCTAssertTrue(Constraints.meets(g, offer: host("d", [("rack_id", "r2")]), placed: two))
        XCTAssertTrue(Constraints.meets(g, offer: host("d", [("rack_id", "r9")]), placed: two))
        // with n = 3 and only 2 groups known, a known value is refused until a third group exists
        let g3 = PlacementConstraint(field: "rack_id", operator: .groupBy, value: "3")
        XCTAssertFalse(Constraints.meets(g3, offer: host("d", [("rack_id", "r2")]), placed: two))
        XCTAssertEqual(g3.count, 3)
    }

    func testMaxPer() {
        let c = [PlacementConstraint(field: "rack_id", operator: .maxPer, value: "2")]
        let placed = place(10, c, offers: racks + racks)
        XCTAssertEqual(placed.count, 6)
        for r in ["r1", "r2", "r3"] { XCTAssertEqual(placed.filter { $0.value(of: .attribute("rack_id")) == r }.count, 2) }
        // 1.4.0-1.4.3 bug kept: MAX_PER on an attribute looks up the offer's hostname, so it never limits
        var quirk = PlacementConstraint(field: "rack_id", operator: .maxPer, value: "2", rules: .legacy)
        quirk.maxPerByHostname = true
        let legacyHosts = racks.map { host($0.hostname, $0.attributes.map { ($0.name, $0.value) }, rules: .legacy) }
        XCTAssertEqual(place(10, [quirk], offers: legacyHosts).count, 10)
        // 1.4.4-1.5.x (legacy rules otherwise) look up the offer's value: it limits as in 1.6+
        let fixed = [PlacementConstraint(field: "rack_id", operator: .maxPer, value: "2", rules: .legacy)]
        XCTAssertEqual(place(10, fixed, offers: legacyHosts + legacyHosts).count, 6)
        // on hostname it works in both
        let perHost = [PlacementConstraint(field: "hostname", operator: .maxPer, value: "1", rules: .legacy)]
        XCTAssertEqual(place(10, perHost, offers: legacyHosts + legacyHosts).count, 9)
    }

    func testLikeUnlikeIsAndMissingAttribute() {
        let like = PlacementConstraint(field: "disk", operator: .like, value: "ss.")
        let likePartial = PlacementConstraint(field: "disk", operator: .like, value: "ss")
        let unlike = PlacementConstraint(field: "disk", operator: .unlike, value: "ssd|nvme")
        let isC = PlacementConstraint(field: "disk", operator: .is, value: "ssd")
        let ssd = host("a", [("disk", "ssd")]), hdd = host("b", [("disk", "hdd")]), none = host("c")
        XCTAssertTrue(Constraints.meets(like, offer: ssd, placed: []))
        XCTAssertFalse(Constraints.meets(likePartial, offer: ssd, placed: []), "LIKE matches the whole value (Java String.matches)")
        XCTAssertFalse(Constraints.meets(like, offer: hdd, placed: []))
        XCTAssertFalse(Constraints.meets(unlike, offer: ssd, placed: []))
        XCTAssertTrue(Constraints.meets(unlike, offer: hdd, placed: []))
        XCTAssertTrue(Constraints.meets(isC, offer: ssd, placed: []))
        XCTAssertFalse(Constraints.meets(isC, offer: hdd, placed: []))
        // an offer without the attribute is rejected by every operator except UNLIKE
        XCTAssertTrue(Constraints.meets(unlike, offer: none, placed: []))
        for op in [ConstraintOperator.unique, .cluster, .groupBy, .like, .is] {
            XCTAssertFalse(Constraints.meets(PlacementConstraint(field: "disk", operator: op, value: op == .unique || op == .groupBy ? nil : "ssd"), offer: none, placed: []), "\(op)")
        }
        XCTAssertFalse(Constraints.meets(PlacementConstraint(field: "disk", operator: .maxPer, value: "5"), offer: none, placed: []))
        // @region / @zone from the fault domain (1.6+); legacy treats "@zone" as an attribute name
        let z = PlacementConstraint(field: "@zone", operator: .is, value: "r1")
        XCTAssertTrue(Constraints.meets(z, offer: host("a", zone: "r1"), placed: []))
        XCTAssertFalse(Constraints.meets(PlacementConstraint(field: "@zone", operator: .like, value: "r1", rules: .legacy), offer: host("a", rules: .legacy, zone: "r1"), placed: []))
        XCTAssertEqual(PlacementConstraint(field: "@hostname", operator: .unique).field, .hostname)
    }

    func testScalarAttributesComparedAtThreeDecimalsHalfEven() {
        XCTAssertEqual(MarathonAttributeFormat.format("1.0005", rules: .current), "1")
        XCTAssertEqual(MarathonAttributeFormat.format("1.00051", rules: .current), "1.001")
        XCTAssertEqual(MarathonAttributeFormat.format("1.1005", rules: .current), "1.101")
        XCTAssertEqual(MarathonAttributeFormat.format("2.5000", rules: .current), "2.5")
        XCTAssertEqual(MarathonAttributeFormat.format("007", rules: .current), "7")
        XCTAssertEqual(MarathonAttributeFormat.format("1234.5", rules: .current), "1234.5")
        XCTAssertEqual(MarathonAttributeFormat.format("1234.5", rules: .legacy), "1,234.5")
        XCTAssertEqual(MarathonAttributeFormat.format("0.0625", rules: .current), "0.062")  // exactly half: to even
        XCTAssertEqual(MarathonAttributeFormat.format("r1", rules: .current), "r1")
        XCTAssertEqual(MarathonAttributeFormat.format("1.2.3", rules: .current), "1.2.3")
        // IS compares a scalar-looking value in the same format
        let c = PlacementConstraint(field: "cores", operator: .is, value: "8.000")
        XCTAssertTrue(Constraints.meets(c, offer: host("a", [("cores", "8")]), placed: []))
        XCTAssertTrue(Constraints.meets(PlacementConstraint(field: "gen", operator: .like, value: "1\\.5"), offer: host("a", [("gen", "1.50")]), placed: []))
    }

    func testValidationPerVersion() {
        XCTAssertNil(PlacementConstraint.problem(field: "rack", operator: .cluster, value: nil, rules: .current))
        XCTAssertNotNil(PlacementConstraint.problem(field: "rack", operator: .cluster, value: nil, rules: .legacy))
        XCTAssertNotNil(PlacementConstraint.problem(field: "rack", operator: .is, value: "a", rules: .legacy))
        XCTAssertNotNil(PlacementConstraint.problem(field: "hostname", operator: .unique, value: "x", rules: .current))
        XCTAssertNotNil(PlacementConstraint.problem(field: "hostname", operator: .maxPer, value: "1.5", rules: .current))
        XCTAssertNil(PlacementConstraint.problem(field: "hostname", operator: .groupBy, value: nil, rules: .legacy))
    }
}

final class MarathonRateLimiterTests: XCTestCase {
    let key = LaunchDelayKey(appID: "/web", configVersion: 1)
    let t0 = SimTime.zero + .hours(1)

    func testBackoffSequenceAndCap() {
        for (version, cap, failuresToCap) in [(MarathonVersion(1, 10, 0), 300.0, 42), (MarathonVersion(1, 4, 9), 3600.0, 60)] {
            var rl = RateLimiter(version: version)
            let s = BackoffStrategy(version: version)
            var delays: [Double] = []
            var now = t0
            for _ in 0..<80 {
                let deadline = rl.addDelay(key, strategy: s, now: now)
                delays.append((deadline - now).seconds)
                now = deadline
            }
            XCTAssertEqual(delays[0], 1, accuracy: 1e-9); XCTAssertEqual(delays[1], 1.15, accuracy: 1e-6)
            XCTAssertEqual(delays[2], 1.3225, accuracy: 1e-6); XCTAssertEqual(delays[3], 1.520875, accuracy: 1e-6)
            XCTAssertEqual(delays[failuresToCap - 2], 1.15 * delays[failuresToCap - 3], accuracy: 1e-3, "\(version): below the cap")
            XCTAssertLessThan(delays[failuresToCap - 2], cap)
            XCTAssertEqual(delays[failuresToCap - 1], cap, "\(version): the \(failuresToCap)th failure reaches the cap")
            XCTAssertEqual(delays.last, cap)
            XCTAssertEqual(delays.max(), cap)
        }
    }

    func testKilledDoesNotGrowTheDelayButFailedAndFinishedDo() {
        var rl = RateLimiter(version: .baseline)
        let s = BackoffStrategy(version: .baseline)
        rl.conditionChanged(key, to: .failed, strategy: s, now: t0)
        XCTAssertEqual(rl.deadline(key), t0 + .seconds(1))
        rl.conditionChanged(key, to: .killed, strategy: s, now: t0)
        XCTAssertEqual(rl.delay(key)?.currentDelay, .seconds(1))
        rl.conditionChanged(key, to: .finished, strategy: s, now: t0)
        XCTAssertEqual(rl.delay(key)?.currentDelay, .milliseconds(1150))
        for c in InstanceCondition.allCases {
            XCTAssertEqual(c.growsLaunchDelay, [.failed, .error, .gone, .dropped, .finished].contains(c), "\(c)")
        }
        XCTAssertEqual(InstanceCondition(.lost, reason: .agentRemoved), .unreachable)
        XCTAssertEqual(InstanceCondition(.lost, reason: .commandExecutorFailed), .gone)
        XCTAssertFalse(rl.launchAllowed(key, now: t0 + .seconds(1)))
        XCTAssertTrue(rl.launchAllowed(key, now: t0 + .milliseconds(1150)))
    }

    /// ≤1.4.7: a record goes at the first cleanup after its deadline: a task that crashes a minute
    /// after starting always restarts after backoffSeconds.
    func testForgetRuleUntilDeadline() {
        var rl = RateLimiter(version: MarathonVersion(1, 4, 0))
        XCTAssertEqual(rl.rule, .untilDeadline)
        let s = BackoffStrategy(version: MarathonVersion(1, 4, 0))
        rl.addDelay(key, strategy: s, now: t0)
        rl.addDelay(key, strategy: s, now: t0)
        XCTAssertEqual(rl.delay(key)?.currentDelay, .milliseconds(1150))
        XCTAssertEqual(rl.cleanUp(now: t0 + .seconds(1)), [], "deadline not passed yet")
        XCTAssertEqual(rl.cleanUp(now: t0 + .seconds(10)), [key])
        rl.conditionChanged(key, to: .running, strategy: s, now: t0 + .seconds(20))  // no advance before 1.4.8
        XCTAssertNil(rl.delay(key))
        XCTAssertEqual(rl.addDelay(key, strategy: s, now: t0 + .seconds(70)), t0 + .seconds(71), "starts again at backoffSeconds")
    }

    /// 1.5.0: kept until deadline + minimum viable duration (60 s).
    func testForgetRuleViable() {
        var rl = RateLimiter(version: MarathonVersion(1, 5, 0))
        let s = BackoffStrategy(version: MarathonVersion(1, 5, 0))
        rl.addDelay(key, strategy: s, now: t0)
        XCTAssertEqual(rl.cleanUp(now: t0 + .seconds(60)), [])
        XCTAssertEqual(rl.cleanUp(now: t0 + .seconds(61)), [key])
    }

    /// ≥1.4.8/1.5.1: kept until reference + maxLaunchDelay; Running advances the reference, so a
    /// crash loop keeps growing the delay.
    func testForgetRuleReferencePlusMaxDelay() {
        let v = MarathonVersion(1, 5, 1)
        var rl = RateLimiter(version: v)
        XCTAssertEqual(MarathonVersion(1, 4, 8).backoffRecordRule, .untilReferencePlusMaxDelay)
        let s = BackoffStrategy(version: v)
        rl.addDelay(key, strategy: s, now: t0)
        rl.conditionChanged(key, to: .running, strategy: s, now: t0 + .seconds(100))
        XCTAssertEqual(rl.delay(key)?.referenceTime, t0 + .seconds(100))
        XCTAssertEqual(rl.deadline(key), t0 + .seconds(101), "advance: deadline = now + current delay")
        XCTAssertEqual(rl.cleanUp(now: t0 + .seconds(3700)), [])
        rl.addDelay(key, strategy: s, now: t0 + .seconds(3000))
        XCTAssertEqual(rl.delay(key)?.currentDelay, .milliseconds(1150), "crash after 50 min still grows the delay")
        XCTAssertEqual(rl.cleanUp(now: t0 + .seconds(3000 + 3600)), [])
        XCTAssertEqual(rl.cleanUp(now: t0 + .seconds(3000 + 3600) + .nanosecond), [key])
        // a new config version starts without delay; reset forgets
        XCTAssertTrue(rl.launchAllowed(LaunchDelayKey(appID: "/web", configVersion: 2), now: t0))
        rl.addDelay(key, strategy: s, now: t0); rl.resetDelay(key)
        XCTAssertNil(rl.delay(key))
    }

    func testZeroBackoff() {
        var old = RateLimiter(version: .baseline)
        let s = BackoffStrategy(backoff: .zero, factor: 1.15, maxLaunchDelay: .seconds(3600))
        XCTAssertEqual(old.addDelay(key, strategy: s, now: t0), t0)
        XCTAssertNil(old.delay(key), "1.4.0: a delay whose deadline is not after now is removed")
    }
}

final class MarathonHealthTests: XCTestCase {
    let start = SimTime.zero + .seconds(100)

    func testKillOnTheMaxPlusOnethConsecutiveFailure() {
        let hc = HealthCheck(gracePeriod: .seconds(300), interval: .seconds(60), maxConsecutiveFailures: 3)
        var h = InstanceHealth()
        var t = start + .seconds(10)
        XCTAssertEqual(MarathonHealth.handleResult(&h, passed: true, now: t, isRunning: true, runningSince: start, check: hc).aliveChanged, true)
        var kills: [Int] = []
        for i in 1...5 {
            t += .seconds(60)
            let o = MarathonHealth.handleResult(&h, passed: false, now: t, isRunning: true, runningSince: start, check: hc)
            if i == 1 { XCTAssertTrue(o.aliveChanged); XCTAssertFalse(h.alive) }
            if o.kill { kills.append(i) }
        }
        XCTAssertEqual(kills.first, 4, "the kill comes with the 4th failure when maxConsecutiveFailures is 3")
        // a success resets the count
        var g = InstanceHealth()
        for _ in 0..<3 { _ = MarathonHealth.handleResult(&g, passed: false, now: start + .seconds(400), isRunning: true, runningSince: start, check: hc) }
        _ = MarathonHealth.handleResult(&g, passed: true, now: start + .seconds(460), isRunning: true, runningSince: start, check: hc)
        XCTAssertEqual(g.consecutiveFailures, 0)
        XCTAssertFalse(MarathonHealth.handleResult(&g, passed: false, now: start + .seconds(520), isRunning: true, runningSince: start, check: hc).kill)
    }

    func testGracePeriodAndNeverKill() {
        let hc = HealthCheck(gracePeriod: .seconds(300), maxConsecutiveFailures: 1)
        var h = InstanceHealth()
        for s in stride(from: 10, to: 300, by: 60) {
            let o = MarathonHealth.handleResult(&h, passed: false, now: start + .seconds(Int64(s)), isRunning: true, runningSince: start, check: hc)
            XCTAssertFalse(o.applied); XCTAssertFalse(o.kill)
        }
        XCTAssertEqual(h.consecutiveFailures, 0, "failures inside the grace period before any success are ignored")
        XCTAssertFalse(MarathonHealth.handleResult(&h, passed: false, now: start + .seconds(300), isRunning: true, runningSince: start, check: hc).kill)
        XCTAssertTrue(MarathonHealth.handleResult(&h, passed: false, now: start + .seconds(360), isRunning: true, runningSince: start, check: hc).kill)
        // after a first success the grace period no longer protects
        var g = InstanceHealth()
        _ = MarathonHealth.handleResult(&g, passed: true, now: start + .seconds(5), isRunning: true, runningSince: start, check: hc)
        XCTAssertTrue(MarathonHealth.handleResult(&g, passed: false, now: start + .seconds(10), isRunning: true, runningSince: start, check: hc).applied)
        // maxConsecutiveFailures 0: never killed by Marathon
        let never = HealthCheck(gracePeriod: .zero, maxConsecutiveFailures: 0)
        var n = InstanceHealth()
        for i in 0..<50 { XCTAssertFalse(MarathonHealth.handleResult(&n, passed: false, now: start + .seconds(Int64(i)), isRunning: true, runningSince: start, check: never).kill) }
        // unreachable: not killed
        var u = InstanceHealth()
        let one = HealthCheck(gracePeriod: .zero, maxConsecutiveFailures: 1)
        _ = MarathonHealth.handleResult(&u, passed: false, now: start, isRunning: true, runningSince: start, check: one)
        let o = MarathonHealth.handleResult(&u, passed: false, now: start + .seconds(1), isRunning: true, runningSince: start, isUnreachable: true, check: one)
        XCTAssertFalse(o.kill); XCTAssertTrue(o.killSkippedUnreachable)
        // Mesos-level: kill at >= max
        XCTAssertTrue(MarathonHealth.mesosShouldKill(consecutiveFailures: 3, maxConsecutiveFailures: 3))
        XCTAssertFalse(MarathonHealth.mesosShouldKill(consecutiveFailures: 2, maxConsecutiveFailures: 3))
    }

    func testTickStream() {
        XCTAssertEqual(MarathonHealth.firstTick(actorStart: start, interval: .seconds(60)), start + .seconds(5))
        XCTAssertEqual(MarathonHealth.firstTick(actorStart: start, interval: .seconds(2)), start + .seconds(2))
        XCTAssertEqual(MarathonHealth.tick(3, actorStart: start, interval: .seconds(60)), start + .seconds(185))
    }
}

final class MarathonRestartTests: XCTestCase {
    func testStrategyNumbers() {
        func s(_ mhc: Double, _ moc: Double, count: Int = 10, resident: Bool = false) -> RestartStrategy {
            RestartStrategy.compute(instances: 10, upgrade: UpgradeStrategy(minimumHealthCapacity: mhc, maximumOverCapacity: moc),
                                    isResident: resident, currentInstanceCount: count, rules: .legacy)
        }
        XCTAssertEqual(s(1, 1), RestartStrategy(nrToKillImmediately: 0, maxCapacity: 20))
        XCTAssertEqual(s(0.5, 0), RestartStrategy(nrToKillImmediately: 5, maxCapacity: 10))
        XCTAssertEqual(s(0, 0), RestartStrategy(nrToKillImmediately: 10, maxCapacity: 10))
        XCTAssertEqual(s(1, 0), RestartStrategy(nrToKillImmediately: 0, maxCapacity: 11), "minHealthy == maxCapacity <= running: one over capacity")
        XCTAssertEqual(s(1, 0, resident: true), RestartStrategy(nrToKillImmediately: 1, maxCapacity: 10), "resident: one below minHealthy instead")
        XCTAssertEqual(s(0.75, 0.25), RestartStrategy(nrToKillImmediately: 2, maxCapacity: 12))
        XCTAssertEqual(RestartStrategy.minHealthy(instances: 3, UpgradeStrategy(minimumHealthCapacity: 0.5, maximumOverCapacity: 0)), 2)
        // 1.10 counts healthy instances only, and kills a surplus at once
        XCTAssertEqual(RestartStrategy.compute(instances: 10, upgrade: .default, isResident: false, currentInstanceCount: 12,
                                               consideredHealthyCount: 8, rules: .v1_10), RestartStrategy(nrToKillImmediately: 2, maxCapacity: 20))
        XCTAssertEqual(RestartStrategy.compute(instances: 10, upgrade: UpgradeStrategy(minimumHealthCapacity: 0.5, maximumOverCapacity: 0),
                                               isResident: false, currentInstanceCount: 10, consideredHealthyCount: 6, rules: .v1_10).nrToKillImmediately, 1)
    }

    /// Runs a whole restart with old kills and new instances becoming healthy in a pseudo-random
    /// order, checking the upgrade strategy's promises after every step.
    func runRestart(_ mhc: Double, _ moc: Double, instances n: Int = 10, seed: UInt64, rules: RestartRules) -> (maxTasks: Int, minHealthy: Int, steps: Int) {
        let u = UpgradeStrategy(minimumHealthCapacity: mhc, maximumOverCapacity: moc)
        var plan = TaskReplacePlan(instances: n, upgrade: u, isResident: false,
                                   old: (0..<n).map { .init(id: $0, healthy: true) }, rules: rules)
        var oldAlive = Set(0..<n), killing = Set<Int>(), pending: [Int] = [], healthy = Set<Int>()
        var nextID = 1000
        var rng = seed
        func rand(_ k: Int) -> Int { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Int((rng >> 33) % UInt64(k)) }
        var maxTasks = 0, minHealthyObs = Int.max, steps = 0
        func apply(_ st: ReplaceStep) {
            for k in st.kill where oldAlive.contains(k) { killing.insert(k) }
            for _ in 0..<st.launch { pending.append(nextID); nextID += 1 }
            maxTasks = max(maxTasks, oldAlive.count + pending.count + healthy.count)
            minHealthyObs = min(minHealthyObs, oldAlive.subtracting(killing).count + healthy.count)
        }
        apply(plan.start())
        while !plan.isFinished {
            steps += 1
            XCTAssertLessThan(steps, 1000, "restart does not finish"); if steps >= 1000 { break }
            let canKill = !killing.isEmpty, canHeal = !pending.isEmpty
            XCTAssertTrue(canKill || canHeal, "stalled: \(plan)"); if !(canKill || canHeal) { break }
            if canKill && (!canHeal || rand(2) == 0) {
                let k = killing.sorted()[rand(killing.count)]
                killing.remove(k); oldAlive.remove(k)
                apply(plan.oldInstanceTerminated(k))
            } else {
                let i = rand(pending.count)
                let id = pending.remove(at: i)
                healthy.insert(id)
                apply(plan.newInstanceHealthyAndReady(id))
            }
        }
        XCTAssertEqual(healthy.count, n); XCTAssertTrue(oldAlive.isEmpty)
        return (maxTasks, minHealthyObs, steps)
    }

    func testRestartKeepsTheUpgradeStrategyPromises() {
        for rules in [RestartRules.legacy, .v1_10] {
            for (mhc, moc) in [(1.0, 1.0), (0.5, 0.0), (0.0, 0.0), (1.0, 0.0), (0.75, 0.25), (0.9, 0.1)] {
                let u = UpgradeStrategy(minimumHealthCapacity: mhc, maximumOverCapacity: moc)
                let minH = RestartStrategy.minHealthy(instances: 10, u)
                let cap = RestartStrategy.maxCapacity(instances: 10, u) + (mhc == 1 && moc == 0 ? 1 : 0)
                for seed in 1...20 as ClosedRange<UInt64> {
                    let r = runRestart(mhc, moc, seed: seed, rules: rules)
                    XCTAssertGreaterThanOrEqual(r.minHealthy, minH, "(\(mhc), \(moc)) seed \(seed): healthy fell below ceil(instances × minimumHealthCapacity)")
                    XCTAssertLessThanOrEqual(r.maxTasks, cap, "(\(mhc), \(moc)) seed \(seed): more tasks than floor(instances × (1 + maximumOverCapacity))")
                }
            }
        }
        // (1, 1): all 10 new instances start at once next to the 10 old ones
        var p = TaskReplacePlan(instances: 10, upgrade: .default, isResident: false, old: (0..<10).map { .init(id: $0, healthy: true) }, rules: .legacy)
        XCTAssertEqual(p.start(), ReplaceStep(kill: [], launch: 10))
        XCTAssertEqual(p.newInstanceHealthyAndReady(100).kill, [0])
        // (0, 0): kill all first, start new ones as old ones go
        var z = TaskReplacePlan(instances: 10, upgrade: UpgradeStrategy(minimumHealthCapacity: 0, maximumOverCapacity: 0), isResident: false,
                                old: (0..<10).map { .init(id: $0, healthy: true) }, rules: .legacy)
        XCTAssertEqual(z.start(), ReplaceStep(kill: Array(0..<10), launch: 0))
        XCTAssertEqual(z.oldInstanceTerminated(3).launch, 1)
    }

    func testUnhealthyOldInstancesGoFirstFrom110AndFailedNewInstances() {
        let old: [TaskReplacePlan.OldInstance] = [.init(id: 1, healthy: true), .init(id: 2, healthy: false), .init(id: 3, healthy: true)]
        let u = UpgradeStrategy(minimumHealthCapacity: 0, maximumOverCapacity: 0)
        var p110 = TaskReplacePlan(instances: 3, upgrade: u, isResident: false, old: old, rules: .v1_10)
        // 1.10 counts the 2 healthy instances only (killNow = 2 - 0) and puts the unhealthy one first
        XCTAssertEqual(p110.start().kill, [2, 1])
        var legacy = TaskReplacePlan(instances: 3, upgrade: u, isResident: false, old: old, rules: .legacy)
        XCTAssertEqual(legacy.start().kill, [1, 2, 3])
        // a failed new instance: legacy re-queues it, 1.10 leaves it to the launch queue
        var a = TaskReplacePlan(instances: 2, upgrade: .default, isResident: false, old: [], rules: .legacy)
        XCTAssertEqual(a.start().launch, 2)
        XCTAssertEqual(a.newInstanceTerminated(7).launch, 1)
        var b = TaskReplacePlan(instances: 2, upgrade: .default, isResident: false, old: [], rules: .v1_10)
        XCTAssertEqual(b.start().launch, 2)
        XCTAssertEqual(b.newInstanceTerminated(7).launch, 0)
    }

    func testScaleDownKillOrder() {
        let c: [ScaleDownCandidate] = [
            .init(id: 1, condition: .running, since: SimTime.zero + .seconds(10)),
            .init(id: 2, condition: .running, since: SimTime.zero + .seconds(30)),
            .init(id: 3, condition: .staging, since: SimTime.zero + .seconds(40)),
            .init(id: 4, condition: .unreachable, since: nil),
            .init(id: 5, condition: .running, since: SimTime.zero + .seconds(20)),
        ]
        XCTAssertEqual(ScalingProposition.killOrder(c, killSelection: .youngestFirst), [4, 3, 2, 5, 1])
        XCTAssertEqual(ScalingProposition.killOrder(c, killSelection: .oldestFirst), [4, 3, 1, 5, 2])
        XCTAssertEqual(ScalingProposition.counts(running: 10, killing: 1, scaleTo: 6).kill, 3)
    }
}

final class MarathonAppModelTests: XCTestCase {
    func testUnplaceableReasonsAndPaths() {
        let agent = Resources(cpus: Scalar(8), memMB: Scalar(32768), diskMB: Scalar(100_000), ports: PortSet([31000...32000]))
        XCTAssertEqual(AppDefinition(id: "/a", cpus: 4, mem: 4096).unplaceableReasons(agents: [agent]), [])
        XCTAssertEqual(AppDefinition(id: "/a", cpus: 9).unplaceableReasons(agents: [agent]).count, 1)
        let fixed = AppDefinition(id: "/a", ports: [AppPort(hostPort: 8080, servicePort: 8080)], requirePorts: true)
        XCTAssertEqual(fixed.unplaceableReasons(agents: [agent]), ["fixed host port 8080 is outside every agent's port ranges"])
        XCTAssertEqual(fixed.unplaceableReasons(agents: [agent], checkFixedPorts: false), [])
        XCTAssertEqual(MarathonPath.canonical("web", base: "/courseware"), "/courseware/web")
        XCTAssertEqual(MarathonPath.canonical("../db", base: "/courseware/jobs"), "/courseware/db")
        XCTAssertEqual(MarathonPath.canonical("/a/./b/", base: "/x"), "/a/b")
        XCTAssertNil(MarathonPath.problem("/courseware/web-1.v2"))
        XCTAssertNotNil(MarathonPath.problem("/Web"))
        XCTAssertNotNil(MarathonPath.problem("/-web"))
        XCTAssertNotNil(MarathonPath.problem("/web_app"))
        XCTAssertEqual(MarathonVersion(parsing: "1.10")?.defaultMaxLaunchDelay, .seconds(300))
        XCTAssertEqual(MarathonVersion(parsing: "1.4.9")?.defaultUnreachableStrategy, .enabled(inactiveAfter: .zero, expungeAfter: .zero))
        XCTAssertNil(MarathonVersion(parsing: "1"))
        XCTAssertFalse(MarathonVersion(1, 3, 14).isSupported)
        XCTAssertTrue(MarathonVersion(1, 10, 26).isSupported)
    }
}
