@testable import ClusterModel
import SimKernel
import XCTest

/// Posts hand-made alerts to the Alertmanager instances at given times, as Prometheus' notifier
/// does (to every instance that accepts).
final class AlertPoster: EventHandler {
    let am: AlertmanagerCluster
    var posts: [(at: SimTime, alerts: [AlertPayload])] = []
    var target: Int32 = -1
    init(_ am: AlertmanagerCluster) { self.am = am }
    func handle(_ event: Event, in sim: Simulation) {
        for e in am.alertmanagerEndpoints() where am.accepts(host: e.host) { am.receive(posts[Int(event.arg)].alerts, on: e.host, now: sim.now) }
    }
    func post(_ model: ClusterSimulation, at t: SimDuration, _ alerts: [AlertPayload]) {
        if target < 0 { target = model.sim.register(self) }
        posts.append((SimTime.zero + t, alerts))
        _ = model.sim.schedule(at: SimTime.zero + t, target: target, kind: 1, arg: Int64(posts.count - 1))
    }
}

/// Alertmanager's dispatcher and notification pipeline, with alerts posted directly.
final class AlertmanagerTests: XCTestCase {
    static let clock = PromTime(baseMs: PromTime.defaultBaseMs)

    /// An alert that fired at `startsAt` and ends at `endsAt` (default: far away: still firing).
    static func alert(_ name: String, _ labels: [(String, String)] = [], startsAt: SimDuration = .zero, endsAt: SimDuration = .hours(100)) -> AlertPayload {
        AlertPayload(labels: LabelSet([MetricLabel("alertname", name)] + labels.map { MetricLabel($0.0, $0.1) }), annotations: LabelSet(),
                     startsAt: clock.ms(SimTime.zero + startsAt), endsAt: clock.ms(SimTime.zero + endsAt))
    }

    static let webhook = AlertmanagerReceiver(name: "hook", integrations: [AlertmanagerIntegration(type: "webhook", index: 0, sendResolved: true)])

    func make(instances: Int = 1, route: AlertmanagerRoute = AlertmanagerRoute(receiver: "hook", groupBy: ["alertname"]),
              receivers: [AlertmanagerReceiver] = [AlertmanagerTests.webhook], inhibit: [AlertmanagerInhibitRule] = [],
              silences: [AlertmanagerSilence] = [], faults: [FaultSpec] = [], duration: SimDuration = .hours(1),
              maintenance: SimDuration = AlertmanagerSpec.defaultMaintenanceInterval,
              retention: SimDuration = AlertmanagerSpec.defaultRetention,
              outages: [AlertmanagerReceiverOutage] = [],
              settle: SimDuration? = AlertmanagerSpec().settleWait) -> (ClusterSimulation, AlertmanagerCluster, AlertPoster) {
        let group = MesosTestHelpersGroup.group("mon", 3)
        var spec = ClusterSpec(name: "t", seed: 1, duration: duration, sampleInterval: .minutes(1), hostGroups: [group], faults: faults)
        spec.alertmanager = AlertmanagerSpec(hosts: (0..<instances).map(group.hostName),
                                             config: AlertmanagerConfig(route: route, receivers: receivers, inhibitRules: inhibit), silences: silences)
        spec.alertmanager?.maintenanceInterval = maintenance
        spec.alertmanager?.retention = retention
        spec.alertmanager?.receiverOutages = outages
        spec.alertmanager?.settleWait = settle
        let m = ClusterSimulation(spec: spec, observer: NullObserver())
        let am = m.subsystem(AlertmanagerCluster.self)!
        am.keepsAll = true
        return (m, am, AlertPoster(am))
    }

    func times(_ am: AlertmanagerCluster) -> [Double] { am.all.map(\.time.seconds) }

    func testGroupWaitThenGroupIntervalTimeline() {
        let (m, am, post) = make()
        post.post(m, at: .zero, [Self.alert("NodeDown", [("instance", "a")])])
        post.post(m, at: .seconds(10), [Self.alert("NodeDown", [("instance", "b")], startsAt: .seconds(10))])
        post.post(m, at: .seconds(100), [Self.alert("NodeDown", [("instance", "c")], startsAt: .seconds(100))])
        m.run()
        // one notification at group_wait with both; the third at the next group_interval tick; then
        // nothing until repeat_interval (4h) is past
        XCTAssertEqual(times(am), [30, 330])
        XCTAssertEqual(am.all.map(\.firing.count), [2, 3])
        XCTAssertEqual(am.all[0].groupKey, #"{}:{alertname="NodeDown"}"#)
        XCTAssertEqual(AlertmanagerCluster.describe(am.all[0]), #"NodeDown{instance="a"};NodeDown{instance="b"}"#)
        XCTAssertEqual(am.headline().first?.value, .int(2))
    }

    func testAlertWhoseGroupWaitIsOverFlushesAtOnceAndRepeatWaitsForAFlushPastRepeatInterval() {
        let (m, am, post) = make(route: AlertmanagerRoute(receiver: "hook", groupBy: ["alertname"], repeatInterval: .minutes(10)))
        // posted 2 minutes after it fired (Prometheus was down): group_wait is already over
        post.post(m, at: .minutes(2), [Self.alert("DiskFull")])
        m.run()
        // 120 s at once; repeat 10m is checked at flushes every 5m: 420 no, 720 no (not before now - 10m), 1020 yes ...
        XCTAssertEqual(times(am).prefix(3), [120, 1020, 1920])
    }

    func testResolvedNotifiedOnlyBySendResolvedIntegrations() {
        let recv = AlertmanagerReceiver(name: "hook", integrations: [AlertmanagerIntegration(type: "webhook", index: 0, sendResolved: true),
                                                                    AlertmanagerIntegration(type: "email", index: 0, sendResolved: false)])
        let (m, am, post) = make(receivers: [recv])
        post.post(m, at: .zero, [Self.alert("X")])
        post.post(m, at: .seconds(200), [Self.alert("X", endsAt: .seconds(200))])
        m.run()
        XCTAssertEqual(am.all.map { "\($0.time.seconds) \($0.integration) \($0.firing.count)/\($0.resolved.count)" },
                       ["30.0 webhook[0] 1/0", "30.0 email[0] 1/0", "330.0 webhook[0] 0/1"])
        // the resolved alert was deleted after its flush: the group is empty, nothing more happens
        XCTAssertLessThan(am.eventsHandled, 5)
        // notify.go RetryStage.Exec counts a notification the email integration handled at 330 s
        // (all resolved: logged, nothing sent); requests are what went out
        XCTAssertEqual(am.instances[0].notificationsByType, ["webhook": 2, "email": 2])
        XCTAssertEqual(am.instances[0].requestsByType, ["webhook": 2, "email": 1])
    }

    func testRoutingContinueNestedInheritanceAndMatchers() throws {
        let eq = { (n: String, v: String) in try LabelMatcher(n, .equal, v) }
        let root = AlertmanagerRoute(receiver: "default", groupBy: ["alertname"], groupWait: .seconds(5), routes: [
            AlertmanagerRoute(receiver: "pager", matchers: [try eq("severity", "page")], continue: true),
            AlertmanagerRoute(receiver: "storage", groupInterval: .minutes(1), matchers: [try LabelMatcher("team", .regexMatch, "stor.*")], routes: [
                AlertmanagerRoute(groupBy: ["instance"], matchers: [try eq("alertname", "PoolFull")]),
            ]),
            AlertmanagerRoute(receiver: "never", matchers: [try eq("team", "storage")]),
        ])
        let tree = AlertmanagerRoutingTree(root)
        func receivers(_ l: [(String, String)]) -> [String] { tree.match(LabelSet(l.map { MetricLabel($0.0, $0.1) })).map { tree.nodes[$0].receiver } }
        XCTAssertEqual(receivers([("severity", "page"), ("team", "storage"), ("alertname", "PoolFull")]), ["pager", "storage"])
        XCTAssertEqual(receivers([("team", "storage")]), ["storage"], "first match stops: the third route is never reached")
        XCTAssertEqual(receivers([("team", "web")]), ["default"])
        let leaf = tree.nodes[3]
        XCTAssertEqual(leaf.receiver, "storage")
        XCTAssertEqual(leaf.groupWait, .seconds(5))
        XCTAssertEqual(leaf.groupInterval, .minutes(1))
        XCTAssertEqual(leaf.repeatInterval, .hours(4))
        XCTAssertEqual(leaf.groupBy, ["instance"])
        XCTAssertEqual(leaf.key, #"{}/{team=~"stor.*"}/{alertname="PoolFull"}"#)
    }

    func testInhibitionMutesTargetsWithEqualLabels() throws {
        let rule = AlertmanagerInhibitRule(source: [try LabelMatcher("alertname", .equal, "HostDown")],
                                           target: [try LabelMatcher("severity", .equal, "warning")], equal: ["instance"])
        let (m, am, post) = make(route: AlertmanagerRoute(receiver: "hook", groupBy: ["alertname", "instance"]), inhibit: [rule])
        post.post(m, at: .zero, [Self.alert("HostDown", [("instance", "a")]),
                                 Self.alert("DiskSlow", [("instance", "a"), ("severity", "warning")]),
                                 Self.alert("DiskSlow", [("instance", "b"), ("severity", "warning")])])
        m.run()
        XCTAssertEqual(am.all.map { AlertmanagerCluster.describe($0) }, [#"HostDown{instance="a"}"#, #"DiskSlow{instance="b",severity="warning"}"#])
        XCTAssertFalse(am.all.contains { $0.groupKey.contains(#"instance="a""#) && $0.groupKey.contains("DiskSlow") })
    }

    func testSilenceMutesWhileActive() throws {
        let s = AlertmanagerSilence(at: .zero, duration: .minutes(20), matchers: [try LabelMatcher("alertname", .equal, "X")])
        let (m, am, post) = make(silences: [s])
        post.post(m, at: .zero, [Self.alert("X"), Self.alert("Y", startsAt: .zero)])
        m.run()
        // Y in its own group at 30 s; X muted until the first flush after the silence ends (1230 s)
        XCTAssertEqual(am.all.map { "\($0.time.seconds) \($0.groupKey)" }, [#"30.0 {}:{alertname="Y"}"#, #"1230.0 {}:{alertname="X"}"#])
    }

    func testHAPeersDeduplicateAndASurvivorTakesOver() {
        let (m, am, post) = make(instances: 2, faults: [FaultSpec(at: .seconds(200), kind: .hostCrash, target: .host("mon-01"))])
        post.post(m, at: .zero, [Self.alert("A")])
        post.post(m, at: .seconds(250), [Self.alert("B", startsAt: .seconds(250))])
        m.run()
        // mon-01 (position 0) sends at 30 s; mon-02 waits 15 s, finds the gossiped entry and skips;
        // after mon-01 died, mon-02 is position 0 and sends B at its group_wait
        XCTAssertEqual(am.all.map { "\($0.time.seconds) \($0.instance) \($0.groupKey)" },
                       [#"30.0 mon-01 {}:{alertname="A"}"#, #"280.0 mon-02 {}:{alertname="B"}"#])
        XCTAssertEqual(am.headline()[1].value, .number(80, decimals: 3), "first notification 80 s after the fault")
    }

    func testSecondPeerWaitsPeerTimeoutBeforeSendingWhatTheFirstDidNotSee() {
        // mon-01 is down when the alert is posted (it never gets it) but back before the flush:
        // mon-02, at peer position 1, waits 15 s, finds no entry in the log and sends
        let (m, am, post) = make(instances: 2, faults: [FaultSpec(at: .zero, kind: .hostCrash, target: .host("mon-01"), recoverAfter: .seconds(5))])
        post.post(m, at: .seconds(1), [Self.alert("A", startsAt: .seconds(1))])
        m.run()
        XCTAssertEqual(am.all.map { "\($0.time.seconds) \($0.instance)" }, ["46.0 mon-02"])
    }

    /// Steady state: 50 alerts in 10 groups, resent by Prometheus every minute for 6 hours, cost
    /// one flush per group per group_interval (the real timers) and nothing else.
    func testSteadyStateCostsOnlyTheGroupTimers() {
        let (m, am, post) = make(route: AlertmanagerRoute(receiver: "hook", groupBy: ["job"]), duration: .hours(6))
        let alerts = (0..<50).map { Self.alert("HighLoad", [("job", "j\($0 % 10)"), ("instance", "i\($0)")]) }
        for t in stride(from: Int64(0), to: 6 * 3600, by: 60) { post.post(m, at: .seconds(t), alerts) }
        m.run()
        // per group: the flush at 30 s, then one every 5 min up to 6 h (71 more); a repeat at
        // 14 730 s (the first flush past 30 s + 4h)
        XCTAssertEqual(am.eventsHandled, 10 * (1 + 71))
        XCTAssertEqual(am.sent, 10 * 2)
    }

    func testPeerThatDiesDuringItsWaitSendsNothing() {
        let (m, am, post) = make(instances: 2, faults: [FaultSpec(at: .zero, kind: .hostCrash, target: .host("mon-01"), recoverAfter: .seconds(5)),
                                                       FaultSpec(at: .seconds(40), kind: .hostCrash, target: .host("mon-02"), recoverAfter: .seconds(30))])
        post.post(m, at: .seconds(1), [Self.alert("A", startsAt: .seconds(1))])
        m.run()
        XCTAssertEqual(am.all.count, 0, "mon-02 died at 40 s, before its wait ended at 46 s; mon-01 never had the alert")
    }

    func testNotificationsTableWritesEachNotificationOnceAndDetailsPerFault() throws {
        let (m, am, post) = make(faults: [FaultSpec(at: .seconds(10), kind: .hostCrash, target: .host("mon-02"))])
        post.post(m, at: .zero, [Self.alert("NodeDown", [("instance", "a")]), Self.alert("NodeDown", [("instance", "b")])])
        m.run()
        let table = try XCTUnwrap(AlertmanagerCluster.outputs.tables.first)
        let sink = CSVText(columns: table.columns.map(\.0))
        table.write(am, SimTime.zero + .minutes(1), sink)
        table.write(am, SimTime.zero + .minutes(2), sink)
        XCTAssertEqual(sink.text, "time_s,instance,receiver,integration,group_key,firing,resolved,alerts\n"
                       + #"\#(SimTime.zero + .seconds(30)),mon-01,hook,webhook[0],{}:{alertname="NodeDown"},2,0,NodeDown{instance="a"};NodeDown{instance="b"}"# + "\n")
        // fault at 10 s (a host without Alertmanager), first notification at 30 s
        XCTAssertEqual(am.headline()[1].value, .number(20, decimals: 3))
        guard case .array(let faults) = am.details()[0].value, case .object(let f) = faults.first else { return XCTFail("no faults array") }
        XCTAssertEqual(f.map(\.key), ["fault", "at_s", "first_notification_s"])
    }

    /// Groups that come and go (a new task's alert every minute, resolved 2 minutes later) do not
    /// pile up: removed groups and expired log entries are swept.
    func testMemoryFollowsLiveGroupsNotHistory() {
        let (m, am, post) = make(route: AlertmanagerRoute(receiver: "hook", groupBy: ["task"], repeatInterval: .minutes(10)), duration: .hours(6))
        for t in stride(from: Int64(0), to: 6 * 3600, by: 60) {
            post.post(m, at: .seconds(t), [Self.alert("TaskFailing", [("task", "t\(t)")], startsAt: .seconds(t), endsAt: .seconds(t + 120))])
        }
        m.run()
        XCTAssertEqual(am.sent, 360 + 355, "each task notified firing at +30 s, then resolved at +330 s (the last five after the end)")
        XCTAssertLessThan(am.instances[0].groups.count, 150)
        XCTAssertLessThan(am.instances[0].nflog.count, 150)
        XCTAssertLessThan(am.groups.count, 150)
    }

    func testActiveAndMuteTimeIntervals() throws {
        // the run starts 2017-06-01T00:00Z, a Thursday; business hours 09:00-17:00 UTC
        var business = AlertmanagerRoute(receiver: "hook", groupBy: ["alertname"], matchers: [try LabelMatcher("team", .equal, "biz")])
        business.activeTimeIntervals = ["business"]
        var night = AlertmanagerRoute(receiver: "hook", groupBy: ["alertname"], matchers: [try LabelMatcher("team", .equal, "ops")])
        night.muteTimeIntervals = ["thursdays"]
        let group = MesosTestHelpersGroup.group("mon", 1)
        var spec = ClusterSpec(name: "t", seed: 1, duration: .hours(10), sampleInterval: .minutes(1), hostGroups: [group])
        var config = AlertmanagerConfig(route: AlertmanagerRoute(receiver: "hook", groupBy: ["alertname"], routes: [business, night]), receivers: [Self.webhook])
        config.timeIntervals = [
            AlertmanagerNamedTimeInterval(name: "business", intervals: [AlertmanagerTimeInterval(times: [.init(9 * 60, 17 * 60)], weekdays: [.init(1, 5)])]),
            AlertmanagerNamedTimeInterval(name: "thursdays", intervals: [AlertmanagerTimeInterval(weekdays: [.init(4, 4)], years: [.init(2017, 2017)])]),
        ]
        spec.alertmanager = AlertmanagerSpec(hosts: [group.hostName(0)], config: config)
        let m = ClusterSimulation(spec: spec, observer: NullObserver())
        let am = try XCTUnwrap(m.subsystem(AlertmanagerCluster.self))
        am.keepsAll = true
        let post = AlertPoster(am)
        post.post(m, at: .zero, [Self.alert("Biz", [("team", "biz")]), Self.alert("Ops", [("team", "ops")]), Self.alert("Other")])
        m.run()
        // Other at group_wait, then repeated after 4h (at flushes); Biz at the first flush at or
        // after 09:00 (30 s + 108 × 5 min); Ops muted all Thursday
        XCTAssertEqual(am.all.map { "\($0.time.seconds) \($0.groupKey)" },
                       [#"30.0 {}:{alertname="Other"}"#, #"14730.0 {}:{alertname="Other"}"#, #"29430.0 {}:{alertname="Other"}"#,
                        #"32430.0 {}/{team="biz"}:{alertname="Biz"}"#])
    }

    func testInstanceDownLosesStateAndRenotifiesAfterRestart() {
        let (m, am, post) = make(faults: [FaultSpec(at: .seconds(100), kind: .hostCrash, target: .host("mon-01"), recoverAfter: .seconds(100))])
        for t in stride(from: 0, through: 600, by: 60) { post.post(m, at: .seconds(Int64(t)), [Self.alert("A")]) }
        m.run()
        // first at 30 s; down 100-200 s (posts at 120 and 180 are lost); the post at 240 s rebuilds
        // the group, whose alert started long ago: flushed at once, with an empty notification log
        XCTAssertEqual(times(am), [30, 240])
    }

    /// nflog.go: the log is snapshotted at an orderly shutdown and every maintenance interval
    /// (15m) from the start; a restarted instance loads the snapshot, so what it had notified
    /// before is not notified again (until repeat_interval). A crash before the first tick loses
    /// the log (the test above).
    func testRestartedInstanceKeepsItsLogFromTheSnapshot() {
        func renotified(_ fault: FaultSpec, maintenance: SimDuration = AlertmanagerSpec.defaultMaintenanceInterval) -> [Double] {
            let (m, am, post) = make(faults: [fault], maintenance: maintenance)
            for t in stride(from: 0, through: 3000, by: 60) { post.post(m, at: .seconds(Int64(t)), [Self.alert("A")]) }
            m.run()
            return times(am)
        }
        // an orderly reboot at 100 s (down 100 s): the shutdown snapshot holds the 30 s entry
        XCTAssertEqual(renotified(FaultSpec(at: .seconds(100), kind: .hostReboot, target: .host("mon-01"), downFor: .seconds(100))), [30])
        // a crash at 1000 s: the 900 s tick wrote the entry; with a 30m interval no tick had
        // passed, and the group rebuilt at 1140 s notifies again
        XCTAssertEqual(renotified(FaultSpec(at: .seconds(1000), kind: .hostCrash, target: .host("mon-01"), recoverAfter: .seconds(100))), [30])
        XCTAssertEqual(renotified(FaultSpec(at: .seconds(1000), kind: .hostCrash, target: .host("mon-01"), recoverAfter: .seconds(100)),
                                  maintenance: .minutes(30)), [30, 1140])
    }

    /// nflog.go: an entry expires after min(--data.retention, 2 × repeat_interval) and is
    /// deleted by the garbage collection of the next maintenance tick; until then it still
    /// deduplicates. Retention 1h (repeat 4h): the 30 s entry expires at 3630 s, the 4500 s tick
    /// deletes it, the flush at 4530 s notifies again.
    func testExpiredLogEntriesDeduplicateUntilTheNextMaintenance() {
        func sent(retention: SimDuration, maintenance: SimDuration = AlertmanagerSpec.defaultMaintenanceInterval) -> [Double] {
            let (m, am, post) = make(duration: .hours(2), maintenance: maintenance, retention: retention)
            for t in stride(from: 0, through: 7200, by: 60) { post.post(m, at: .seconds(Int64(t)), [Self.alert("A")]) }
            m.run()
            return times(am)
        }
        XCTAssertEqual(sent(retention: .hours(120)), [30])
        XCTAssertEqual(sent(retention: .hours(1)), [30, 4530])
        // ticks every minute: deleted at 3660 s, after the 3630 s flush; notified at the next (3930 s)
        XCTAssertEqual(sent(retention: .hours(1), maintenance: .minutes(1)), [30, 3930])
    }

    /// silence/silence.go Maintenance (v0.25.0): the silences are written to disk at every
    /// `--data.maintenance-interval` tick (15m) and when the process stops, and loaded at its
    /// start; a joining peer also gets its peers' silences. X is silenced at 10 s for 40 min
    /// (flushes at 30 s, then every 5 min; the silence ends at 2410 s).
    func testSilencesSurviveARestartOnlyThroughTheSnapshotOrAPeer() throws {
        func sent(_ faults: [FaultSpec], instances: Int = 1) throws -> [String] {
            let s = AlertmanagerSilence(at: SimTime.zero + .seconds(10), duration: .minutes(40), matchers: [try LabelMatcher("alertname", .equal, "X")])
            let (m, am, post) = make(instances: instances, silences: [s], faults: faults)
            for t in stride(from: 0, through: 3600, by: 60) { post.post(m, at: .seconds(Int64(t)), [Self.alert("X")]) }
            m.run()
            return am.all.map { "\($0.time.seconds) \($0.instance)" }
        }
        let crash600 = FaultSpec(at: .seconds(600), kind: .hostCrash, target: .host("mon-01"), recoverAfter: .seconds(60))
        XCTAssertEqual(try sent([]), ["2430.0 mon-01"])
        // a crash before the first tick (900 s) loses the silence: back at 660 s, the group rebuilt
        // by the 720 s post flushes at once (its group_wait is long over) and pages
        XCTAssertEqual(try sent([crash600]), ["720.0 mon-01"])
        // after the 900 s tick the snapshot holds it; an orderly reboot writes it at shutdown
        XCTAssertEqual(try sent([FaultSpec(at: .seconds(1000), kind: .hostCrash, target: .host("mon-01"), recoverAfter: .seconds(60))]),
                       ["2580.0 mon-01"])
        XCTAssertEqual(try sent([FaultSpec(at: .seconds(600), kind: .hostReboot, target: .host("mon-01"), downFor: .seconds(60))]),
                       ["2520.0 mon-01"])
        // HA: the restarted peer takes the silence from the survivor on join; after the silence
        // the survivor (flushes at 2430 s, position 1: waits 15 s) notifies, the other finds its entry
        XCTAssertEqual(try sent([crash600], instances: 2), ["2445.0 mon-02"])
    }

    /// notify/notify.go RetryStage (v0.25.0): a 5xx is retried with back-off until the flush's
    /// context ends (group_interval after the flush), a 4xx is given up at once; a failed
    /// notification is not logged, so the next flush sends it; a retry that succeeds is the
    /// notification, at that attempt. One alert X posted at 0 s: flushes at 30 s, 330 s, 630 s ...
    func testFailingReceiverIsRetriedWithBackoffThenAtTheNextFlush() {
        func run(_ outages: [AlertmanagerReceiverOutage], instances: Int = 1) -> (AlertmanagerCluster, [Double]) {
            let (m, am, post) = make(instances: instances, outages: outages)
            for t in stride(from: 0, through: 3600, by: 60) { post.post(m, at: .seconds(Int64(t)), [Self.alert("X")]) }
            m.run()
            return (am, times(am))
        }
        func at(_ s: Int64) -> SimTime { SimTime.zero + .seconds(s) }
        // down from 0 s to 400 s with 503: the 30 s flush retries until 330 s and fails; the 330 s
        // flush's retries reach past 400 s and one succeeds there (the back-off is at most 90 s)
        let (am, t) = run([AlertmanagerReceiverOutage(receiver: "hook", at: at(0), duration: .seconds(400))])
        XCTAssertEqual(t.count, 1)
        XCTAssertGreaterThanOrEqual(t[0], 400)
        XCTAssertLessThan(t[0], 400 + 90)
        XCTAssertEqual(am.failedNotifications, 1)
        // a 404 is not retried: each flush fails at once, until the endpoint is back (700 s): 930 s
        let (am2, t2) = run([AlertmanagerReceiverOutage(receiver: "hook", at: at(0), duration: .seconds(700), status: 404)])
        XCTAssertEqual(t2, [930])
        XCTAssertEqual(am2.failedNotifications, 3)
        XCTAssertEqual(am2.instances[0].failedByType["webhook"], 3)
        XCTAssertEqual(am2.instances[0].requestsFailedByType["webhook"], 3)
        // a resolved alert stays in its group while its notification fails: Y and Z fire at 0 s, Y
        // is resolved at 100 s; the receiver refuses (404) until 500 s: the 30 s and 330 s flushes
        // fail and keep Y, so the 630 s notification carries Y resolved beside Z
        let (m3, am3, post3) = make(route: AlertmanagerRoute(receiver: "hook"),
                                    outages: [AlertmanagerReceiverOutage(receiver: "hook", at: at(0), duration: .seconds(500), status: 404)])
        post3.post(m3, at: .zero, [Self.alert("Y"), Self.alert("Z")])
        post3.post(m3, at: .seconds(100), [Self.alert("Y", endsAt: .seconds(100)), Self.alert("Z")])
        m3.run()
        XCTAssertEqual(am3.all.map { "\($0.time.seconds) \($0.firing.count)/\($0.resolved.count)" }, ["630.0 1/1"])
        XCTAssertEqual(am3.failedNotifications, 2)
        // an outage from 29 s to 30.5 s: the first retry (250-750 ms after 30 s) may still fail,
        // the second (375-1125 ms after it) does not
        let (_, t3) = run([AlertmanagerReceiverOutage(receiver: "hook", at: at(29), duration: .milliseconds(1500))])
        XCTAssertEqual(t3.count, 1)
        XCTAssertGreaterThanOrEqual(t3[0], 30.5)
        XCTAssertLessThan(t3[0], 31.875)
        // another integration's outage changes nothing
        let (_, t4) = run([AlertmanagerReceiverOutage(receiver: "hook", integration: "webhook[1]", at: at(0), duration: .seconds(700))])
        XCTAssertEqual(t4, [30])
    }

    /// notify.go GossipSettleStage, cluster.go Settle (v0.25.0): after a start, notifications wait
    /// until the gossip has settled: the fifth poll, every 10 × gossip-interval (2 s), so 10 s
    /// after the start, or `--cluster.settle-timeout` if shorter; clustering off: no wait. The
    /// instance crashes at 100 s and is back at 200 s; X (fired at 0 s) is posted every 3 s: the
    /// first post after the restart (201 s) makes a group that flushes at once, its log lost.
    func testNotificationsAfterAStartWaitForTheGossipToSettle() {
        func sent(_ settle: SimDuration?) -> [Double] {
            let (m, am, post) = make(faults: [FaultSpec(at: .seconds(100), kind: .hostCrash, target: .host("mon-01"), recoverAfter: .seconds(100))],
                                     settle: settle)
            for t in stride(from: 0, through: 300, by: 3) { post.post(m, at: .seconds(Int64(t)), [Self.alert("X")]) }
            m.run()
            return times(am)
        }
        XCTAssertEqual(AlertmanagerSpec().settleWait, .seconds(10))
        XCTAssertEqual(AlertmanagerSpec.settleWait(gossipInterval: .milliseconds(200), settleTimeout: .seconds(4)), .seconds(4))
        XCTAssertEqual(AlertmanagerSpec.settleWait(gossipInterval: .seconds(1), settleTimeout: .minutes(1)), .seconds(50))
        XCTAssertEqual(sent(.seconds(10)), [30, 210])
        XCTAssertEqual(sent(.seconds(4)), [30, 204])
        XCTAssertEqual(sent(nil), [30, 201])
    }
}
