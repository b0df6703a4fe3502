import XCTest
@testable import ClusterModel
import SimKernel

/// Constraint placement from counts kept per app (`AppPlacement`, PlacementIndex.swift) instead of
/// Marathon's walk over the list of placed instances per offer (`Constraints.meetsAll`, kept as the
/// reference): the same answer for every offer, every operator, both rule sets, after every
/// placement and removal, and for offers that already took instances of the app.
final class PlacementIndexTests: XCTestCase {
    struct LCG {
        var x: UInt64
        mutating func next(_ n: Int) -> Int {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            return Int((x >> 33) % UInt64(n))
        }
        mutating func pick<T>(_ a: [T]) -> T { a[next(a.count)] }
    }

    /// Twelve agents: racks (one without), a "tag" attribute whose values are sometimes hostnames
    /// (1.4-1.5's MAX_PER looks the offer's hostname up among them), scalar-looking values formatted
    /// per rule set, fault domains on some.
    static func hosts(rules: ConstraintRules) -> [PlacementHost] {
        (0..<12).map { i in
            var attrs: [Attribute] = []
            if i != 7 { attrs.append(Attribute(name: "rack_id", value: ["r1", "r2", "r3"][i % 3])) }
            attrs.append(Attribute(name: "tag", value: ["h3", "h5", "blue", "h5"][i % 4]))   // h3 has "h5"
            if i % 5 != 0 { attrs.append(Attribute(name: "num", value: ["1", "1.0", "2.5", "1234.5"][i % 4])) }
            return PlacementHost(hostname: "h\(i)", region: i % 4 == 0 ? nil : ["eu", "us"][i % 2],
                                 zone: i % 3 == 0 ? nil : "z\(i % 2)", attributes: attrs, rules: rules)
        }
    }

    static let fields = ["hostname", "@hostname", "rack_id", "tag", "num", "@region", "@zone", "missing"]
    /// Values of each field that some agent has (so that CLUSTER and IS are met as often as refused).
    static let fieldValues: [String: [String]] = [
        "hostname": ["h3", "h5"], "@hostname": ["h3"], "rack_id": ["r1", "r2", "r3"], "tag": ["h3", "blue"],
        "num": ["1", "2.5", "1,234.5", "1234.5"], "@region": ["eu"], "@zone": ["z1"], "missing": ["x"],
    ]

    static func constraint(_ r: inout LCG, rules: ConstraintRules, field: String? = nil, operator: ConstraintOperator? = nil) -> PlacementConstraint {
        let field = field ?? r.pick(fields), op = `operator` ?? r.pick(rules.operators)
        let known = fieldValues[field]!.map(Optional.some)
        let value: String?
        switch op {
        case .unique: value = r.pick([nil, ""])
        case .cluster: value = r.pick([nil, ""] + known + known)
        case .groupBy: value = r.pick([nil, "0", "2", "3", "inf"])
        case .maxPer: value = r.pick(["1", "2", "3"])
        case .like, .unlike: value = r.pick(["r[12]", "h1.*", "h3", "blue|r3", ".*5", ""])
        case .is: value = r.pick(known + ["2.5", "1234.50"])
        }
        var c = PlacementConstraint(field: field, operator: op, value: value, rules: rules)
        // 1.4.0-1.4.3's MAX_PER looks the offer's hostname up; 1.4.4-1.5.x the offer's value
        if rules == .legacy && op == .maxPer { c.maxPerByHostname = r.next(2) == 0 }
        return c
    }

    /// Random placements and removals over the agents; after each, every agent's offer with 0-3
    /// instances already taken from it, for each single constraint and for the whole set.
    func testCountsAnswerAsTheListForEveryOperatorAndRuleSet() {
        var compared = 0
        var operatorsSeen = Set<String>()
        for rules in [ConstraintRules.legacy, .current] {
            let hosts = Self.hosts(rules: rules)
            // each field with each operator first (twice), then up to two random constraints
            let combos = Self.fields.flatMap { f in rules.operators.map { (f, $0) } }
            for seed in 0..<(2 * combos.count) {
                var r = LCG(x: UInt64(seed) &* 7919 &+ (rules == .legacy ? 1 : 2))
                let (field, op) = combos[seed % combos.count]
                let set = [Self.constraint(&r, rules: rules, field: field, operator: op)] + (0..<r.next(3)).map { _ in Self.constraint(&r, rules: rules) }
                let values = PlacementValues(hostCount: hosts.count) { hosts[$0] }
                let whole = AppPlacement(constraints: set, values: values)
                let singles = set.map { AppPlacement(constraints: [$0], values: values) }
                var placed: [Int] = []
                // favour a few agents so that groups grow unequal and shrink back to nothing
                let favoured = (0..<4).map { _ in r.next(hosts.count) }
                for step in 0..<60 {
                    if placed.isEmpty || r.next(10) < 6 {
                        let h = r.next(3) == 0 ? r.next(hosts.count) : r.pick(favoured)
                        placed.append(h)
                        whole.add(host: h); for s in singles { s.add(host: h) }
                    } else {
                        let h = placed.remove(at: r.next(placed.count))
                        whole.remove(host: h); for s in singles { s.remove(host: h) }
                    }
                    let list = placed.map { hosts[$0] }
                    for h in hosts.indices {
                        for extra in 0...3 {
                            let withOffer = list + Array(repeating: hosts[h], count: extra)
                            let expected = Constraints.meetsAll(set, offer: hosts[h], placed: withOffer)
                            let got = whole.meetsAll(offer: h, extra: extra, first: placed.first)
                            XCTAssertEqual(got, expected, "\(rules) seed \(seed) step \(step): \(Self.describe(set)) offer h\(h) +\(extra), placed \(placed)")
                            for (k, c) in set.enumerated() {
                                let e = Constraints.meets(c, offer: hosts[h], placed: withOffer)
                                if singles[k].meetsAll(offer: h, extra: extra, first: placed.first) != e {
                                    XCTFail("\(rules) seed \(seed) step \(step): \(Self.describe([c])) offer h\(h) +\(extra): list \(e), placed \(placed)")
                                    return
                                }
                                operatorsSeen.insert("\(rules) \(c.operator.rawValue) \(e)")
                                compared += 1
                            }
                            if got != expected { return }
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(compared, 100_000)
        // every operator of each rule set was both met and refused
        for rules in [ConstraintRules.legacy, .current] {
            for op in rules.operators {
                for answer in [true, false] {
                    XCTAssertTrue(operatorsSeen.contains("\(rules) \(op.rawValue) \(answer)"), "\(rules) \(op.rawValue) never \(answer)")
                }
            }
        }
    }

    static func describe(_ cs: [PlacementConstraint]) -> String {
        cs.map { "[\($0.fieldName), \($0.operator.rawValue)\($0.value.map { ", \"\($0)\"" } ?? "")]" }.joined(separator: " ")
    }

    /// GROUP_BY's smallest group from the counts: a group that empties leaves the next smallest as
    /// the minimum; with instances taken from the offer, its group must stay within the others.
    func testGroupByMinimumFollowsGroupsThatEmpty() {
        let hosts = (0..<3).map { PlacementHost(hostname: "h\($0)", attributes: [Attribute(name: "rack_id", value: "r\($0)")], rules: .current) }
        let values = PlacementValues(hostCount: 3) { hosts[$0] }
        let g = PlacementConstraint(field: "rack_id", operator: .groupBy)
        let p = AppPlacement(constraints: [g], values: values)
        for h in [0, 1, 1, 1, 2, 2, 2] { p.add(host: h) }     // r0: 1, r1: 3, r2: 3
        XCTAssertTrue(p.meetsAll(offer: 0))
        XCTAssertFalse(p.meetsAll(offer: 1))
        XCTAssertTrue(p.meetsAll(offer: 0, extra: 2))         // r0 at 3 with the offer's two
        XCTAssertFalse(p.meetsAll(offer: 0, extra: 3))        // r0 at 4 > 3
        p.remove(host: 0)                                      // r0 empties: smallest is now 3
        XCTAssertEqual(p.counts[0].minCount, 3)
        XCTAssertTrue(p.meetsAll(offer: 1))
        XCTAssertTrue(p.meetsAll(offer: 0, extra: 3))         // a new group of 3
        XCTAssertFalse(p.meetsAll(offer: 0, extra: 4))
    }

    // MARK: - In the scheduler

    /// A run whose constrained apps are launched, crash, are killed for scale-down and by the
    /// operator, are replaced after a partition and expunged after a crash, and whose constraints
    /// change by a deployment: every offer matched both ways (`placementCrossCheck`: the list
    /// decides, the counts are compared), and the run equals the one that uses the counts.
    func run(version: MarathonVersion, seed: UInt64, crossCheck: Bool, indexed: Bool = true) -> (log: [String], checks: Int, mismatches: [String]) {
        let legacy = version.constraintRules == .legacy
        func c(_ f: String, _ op: ConstraintOperator, _ v: String? = nil) -> PlacementConstraint {
            var c = PlacementConstraint(field: f, operator: op, value: v, rules: version.constraintRules)
            c.maxPerByHostname = version.maxPerLooksUpHostname
            return c
        }
        func app(_ id: String, _ n: Int, _ cs: [PlacementConstraint]) -> AppDefinition {
            var a = MarathonRuntimeTests.app(id, instances: n, cpus: 0.25, constraints: cs, version: version)
            a.unreachableStrategy = .enabled(inactiveAfter: .seconds(30), expungeAfter: .minutes(6))
            return a
        }
        let apps = [
            app("/unique", 10, [c("hostname", .unique)]),
            app("/group", 9, [c("rack_id", .groupBy, "3")]),
            app("/maxper", 8, [c(legacy ? "tag" : "rack_id", .maxPer, "3")]),
            app("/cluster", 4, [c("rack_id", .cluster, legacy ? "r2" : "")]),
            app("/like", 5, [c("hostname", .like, "slave-0[1-9]"), c("rack_id", .maxPer, "2")]),
        ]
        let crashing = AppBehaviour(task: TaskBehaviour(startup: .constant(3), timeToCrash: .exponential(mean: 400)), imageSizeBytes: 1)
        let steady = AppBehaviour(task: TaskBehaviour(startup: .constant(5)), imageSizeBytes: 1)
        var groups = MarathonRuntimeTests.hostGroups(agents: 12)
        // a "tag" attribute whose values are agent names: 1.4-1.5's MAX_PER counts by the offer's hostname
        groups[1].attributes = [Attribute(name: "tag", value: "slave-03")]
        let spec = ClusterSpec(name: "t", seed: seed, duration: .minutes(50), sampleInterval: .minutes(1), hostGroups: groups,
                               faults: [], zookeeper: ZooKeeperSpec(servers: 3), mesos: MesosSpec(),
                               marathon: MarathonSpec(version: version, flags: MarathonFlags(version: version), apps: apps,
                                                      behaviour: [steady, crashing, crashing, steady, crashing]))
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        let mar = m.marathon!
        mar.placementCrossCheck = crossCheck
        mar.placementIndexed = indexed
        let calls = TimedCalls(m.sim)
        func host(_ n: String) -> ClusterModel.Host { m.infrastructure.hosts.first { $0.name == n }! }
        calls.at(.zero + .seconds(600), priority: 0) { m.mesos!.partition(host: host("slave-02").index, healAfter: .minutes(4)) }
        calls.at(.zero + .seconds(1200), priority: 0) { _ = m.infrastructure.crash(host("slave-05"), recoverAfter: nil, cause: "test") }
        calls.at(.zero + .seconds(1500), priority: 0) { _ = mar.scale(app: "/unique", instances: 6, force: true) }
        calls.at(.zero + .seconds(1600), priority: 0) { _ = mar.killTasks(app: "/group", count: 3, scale: false) }
        calls.at(.zero + .seconds(1800), priority: 0) {
            // new constraints: the counts are rebuilt for them
            var d = mar.apps[0].definition
            d.constraints = [c("rack_id", .maxPer, "3")]
            d.instances = 9
            _ = mar.deploy(d, force: true)
        }
        calls.at(.zero + .seconds(2100), priority: 0) { _ = mar.scale(app: "/cluster", instances: 7, force: true) }
        XCTAssertTrue(m.run())
        return (o.events.map { "\($0.time) \($0.component) \($0.event) \($0.subject) \($0.detail)" }, mar.placementChecks, mar.placementMismatches)
    }

    func testEveryOfferOfARunAnswersAsTheList() {
        for version in [MarathonVersion(1, 4, 3), MarathonVersion(1, 4, 9), MarathonVersion(1, 9, 73)] {
            for seed: UInt64 in [1, 2] {
                let checked = run(version: version, seed: seed, crossCheck: true)
                XCTAssertEqual(checked.mismatches, [], "\(version) seed \(seed)")
                XCTAssertGreaterThan(checked.checks, 150, "\(version) seed \(seed)")
                let counted = run(version: version, seed: seed, crossCheck: false)
                XCTAssertEqual(counted.log.count, checked.log.count, "\(version) seed \(seed)")
                if let i = zip(counted.log, checked.log).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                    XCTFail("\(version) seed \(seed): first difference at line \(i): counts \(counted.log[i]) / list \(checked.log[i])")
                }
                // the run exercised what the counts must follow
                for e in ["killInstance", "expungeUnreachable", "replaceUnreachable"] {
                    XCTAssertTrue(checked.log.contains { $0.contains(" \(e) ") }, "\(version) seed \(seed): no \(e)")
                }
                XCTAssertTrue(checked.log.contains { $0.contains("TASK_FAILED") || $0.contains("failed") }, "\(version) seed \(seed): no crash")
            }
        }
    }
}
