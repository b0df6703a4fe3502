import SimKernel

/// Alertmanager (issue 11): one instance per host of `alertmanager.hosts` (an HA cluster when
/// several), each with its own alert store and aggregation groups, fed by the posts Prometheus
/// makes to it (`AlertReceiver`). A group flushes after group_wait, then every group_interval
/// while it holds alerts (dispatch/dispatch.go); a flush runs the notification pipeline
/// (AlertmanagerPipeline.swift): inhibition, silences, the HA wait, dedup against the
/// notification log, send. Nothing else is scheduled: an alert resolves when its EndsAt passes,
/// which the next flush sees. See docs/alertmanager.md.
public final class AlertmanagerCluster: EventHandler {
    public let spec: AlertmanagerSpec
    unowned let model: ClusterSimulation
    let tree: AlertmanagerRoutingTree
    var target: Int32 = -1
    /// Prometheus' clock: alerts carry Unix ms (the Prometheus subsystem sets its `startTime`).
    public var clock = PromTime(baseMs: PromTime.defaultBaseMs)
    /// dispatch.go: empty groups are removed by a ticker every 30s from the dispatcher's start.
    static let cleanupInterval = SimDuration.seconds(30)

    enum Kind: Int32 { case flush = 1, pipeline, deliver }

    /// One alert as an instance stores it (types.Alert): `version` changes on every update (the
    /// UpdatedAt the flush compares before deleting a resolved alert).
    struct StoredAlert {
        var labels: LabelSet
        var startsAt: Int64
        var endsAt: Int64
        var version: Int
    }

    struct Instance {
        let host: Int
        var up = true
        /// Dispatcher start (time 0 or the restart): the phase of the cleanup ticker.
        var startedAt = SimTime.zero
        /// Aggregation groups by group key (lookup only; never iterated for output).
        var groups: [String: Int] = [:]
        /// Per inhibit rule, the alerts matching its source matchers (inhibit.go's scache).
        var sources: [[LabelSet: StoredAlert]]
        /// The notification log: (receiver, integration, group key) → last entry.
        var nflog: [String: NflogEntry] = [:]
        /// The log's snapshot on disk (`--storage.path`/nflog), which outlives the process, and
        /// the maintenance tick (counted from `startedAt`) it was last written at.
        var snapshot: [String: NflogEntry] = [:]
        var snapshotTick: Int64 = 0
        /// Notifications this process sent, by integration type (`alertmanager_notifications_total`;
        /// a counter of the process: zero again after a restart).
        var notificationsByType: [String: Int] = [:]
        /// `alertmanager_notifications_failed_total`, `alertmanager_notification_requests_total` and
        /// `alertmanager_notification_requests_failed_total` by integration type (notify.go NewMetrics).
        var failedByType: [String: Int] = [:]
        var requestsByType: [String: Int] = [:]
        var requestsFailedByType: [String: Int] = [:]
        /// Sizes of `groups` and `nflog` above which the next post sweeps removed groups and
        /// expired entries (the dispatcher's cleanup and the log's maintenance, done lazily).
        var sweepAt = 64
        /// Per silence of the scenario: whether this process loaded it at its start (from the
        /// silences snapshot on disk, or from a peer's full state on join). A silence created
        /// while the process runs is known to it without this (`knows`).
        var recoveredSilences: [Bool] = []
        /// Per silence: whether the snapshot on disk (`--storage.path`/silences) holds it, as the
        /// last maintenance tick or the shutdown wrote it (silence/silence.go Maintenance).
        var silenceSnapshot: [Bool] = []
    }

    struct NflogEntry {
        var firing: Set<LabelSet>
        var resolved: Set<LabelSet>
        var timestamp: SimTime
        var expiresAt: SimTime
    }

    struct AggrGroup {
        var instance: Int
        var route: Int
        var key: String
        /// Unique per group ever created (a pipeline finds its group by it).
        var serial = 0
        /// Alerts sorted by labels.
        var alerts: [StoredAlert] = []
        var hasFlushed = false
        var gen: Int32 = 0
        var live = true
        var lastFlush = SimTime.zero
        var nextFlush: SimTime?
        /// The end of its running notification pipeline (retries of a failing receiver): the
        /// group's goroutine flushes again only after it (dispatch.go aggrGroup.run).
        var busyUntil = SimTime.zero
        /// When the cleanup ticker removes it (set when a flush left it empty).
        var removedAt: SimTime?
    }

    var instances: [Instance] = []
    var routeCache: [LabelSet: [(Int, String)]] = [:]
    var groups: [AggrGroup] = []
    var freeGroups: [Int] = []
    var serials = 0
    var version = 0

    /// One notification sent (a row of notifications.csv).
    public struct Notification: Sendable, Equatable {
        public var time: SimTime
        public var instance: String
        public var receiver: String
        public var integration: String
        public var groupKey: String
        public var firing: [LabelSet]
        public var resolved: [LabelSet]
    }
    /// Notifications since the last sample (cleared by the table writer).
    public internal(set) var pendingRows: [Notification] = []
    /// Every notification of the run, when `keepsAll` (tests).
    public internal(set) var all: [Notification] = []
    public var keepsAll = false
    public internal(set) var sent = 0
    /// Notifications given up (a receiver outage).
    public internal(set) var failedNotifications = 0
    /// Times of the notifications, for the per-fault figures: the first one after each fault.
    var firstAfterFault: [SimTime?] = []
    /// Faults (in firing order) already answered by a notification.
    var answered = 0
    public internal(set) var eventsHandled = 0
    /// Receiver name → its first index in the configuration (lookup only): every flush finds its
    /// receiver here instead of scanning thousands of receivers.
    var receiverIndex: [String: Int] = [:]

    init(spec: AlertmanagerSpec, model: ClusterSimulation) {
        self.spec = spec
        self.model = model
        tree = AlertmanagerRoutingTree(spec.config.route, timeIntervals: spec.config.timeIntervals.map(\.name))
        for (i, r) in spec.config.receivers.enumerated() where receiverIndex[r.name] == nil { receiverIndex[r.name] = i }
        let infra = model.infrastructure
        let rules = spec.config.inhibitRules.count
        for name in spec.hosts {
            guard let h = infra.host(named: name) else { preconditionFailure("alertmanager: unknown host \(name) (checked at decode)") }
            var inst = Instance(host: h.index, sources: Array(repeating: [:], count: rules))
            inst.recoveredSilences = Array(repeating: false, count: spec.silences.count)
            inst.silenceSnapshot = inst.recoveredSilences
            instances.append(inst)
        }
    }

    var now: SimTime { model.sim.now }
    func hostName(_ h: Int) -> String { model.infrastructure.hosts[h].name }
    func log(_ event: String, _ subject: String, _ detail: String = "") { model.log("alertmanager", event, subject, detail) }

    public func register(in sim: Simulation) { target = sim.register(self) }

    public func start() {
        for i in instances.indices where !model.infrastructure.hosts[instances[i].host].state.isUp { instances[i].up = false }
    }

    public func handle(_ event: Event, in sim: Simulation) {
        eventsHandled += 1
        let (i, g) = IndexGeneration.unpack(event.arg)
        switch Kind(rawValue: event.kind)! {
        case .flush: if groups[i].live && groups[i].gen == g { flush(i) }
        case .pipeline: if pipelineGen[i] == g { finishPipeline(i) }
        case .deliver: if deliveryGen[i] == g { continueDelivery(i) }
        }
    }

    // MARK: receiving (api/v2 postAlerts → provider/mem → dispatcher)

    func instanceIndex(host: Int) -> Int? { instances.firstIndex { $0.host == host } }

    func receive(_ alerts: [AlertPayload], instance k: Int) {
        let nowMs = clock.ms(now)
        if instances[k].groups.count + instances[k].nflog.count > instances[k].sweepAt { sweep(k) }
        for a in alerts {
            var endsAt = a.endsAt
            // api/v2: an alert without EndsAt resolves resolve_timeout after it was received
            if endsAt <= 0 { endsAt = nowMs + spec.config.resolveTimeout.nanoseconds / 1_000_000 }
            let startsAt = a.startsAt > 0 ? a.startsAt : nowMs
            version += 1
            let stored = StoredAlert(labels: a.labels, startsAt: startsAt, endsAt: endsAt, version: version)
            // inhibit.go's source cache; a resolved source inhibits nothing, so it is dropped
            // (Alertmanager keeps it until the alert GC, without effect)
            for (r, rule) in spec.config.inhibitRules.enumerated() where rule.source.allSatisfy({ $0.matches(a.labels) }) {
                instances[k].sources[r][a.labels] = endsAt <= nowMs ? nil : merged(instances[k].sources[r][a.labels], stored)
            }
            for (route, key) in routes(of: a.labels) { insert(stored, route: route, key: key, instance: k, nowMs: nowMs) }
        }
    }

    /// types.Alert.Merge as provider/mem applies it: an update of an alert that still overlaps
    /// keeps the earliest StartsAt; the newer post's EndsAt wins.
    func merged(_ old: StoredAlert?, _ new: StoredAlert) -> StoredAlert {
        guard let old, old.endsAt >= new.startsAt, old.startsAt <= new.endsAt else { return new }
        var m = new
        m.startsAt = min(old.startsAt, new.startsAt)
        return m
    }

    /// The routes an alert matches and its group key on each (they depend on its labels only:
    /// cached, as Prometheus resends every firing alert every minute; the cache is dropped when it
    /// reaches `routeCacheLimit` label sets).
    func routes(of labels: LabelSet) -> [(Int, String)] {
        if let r = routeCache[labels] { return r }
        let r = tree.match(labels).map { ($0, AlertmanagerRoutingTree.groupKey(route: tree.nodes[$0].key, labels: tree.groupLabels($0, labels))) }
        if routeCache.count >= AlertmanagerCluster.routeCacheLimit { routeCache.removeAll(keepingCapacity: true) }
        routeCache[labels] = r
        return r
    }
    static let routeCacheLimit = 100_000

    func insert(_ alert: StoredAlert, route: Int, key: String, instance k: Int, nowMs: Int64) {
        let node = tree.nodes[route]
        var gi: Int
        if let existing = instances[k].groups[key], !(groups[existing].removedAt.map { $0 <= now } ?? false) {
            gi = existing
            // not empty any more: the cleanup ticker keeps it
            groups[gi].removedAt = nil
            if groups[gi].nextFlush == nil {
                // emptied, not yet removed: its ticker still runs at the old phase
                let gInt = node.groupInterval.nanoseconds
                let since = (now - groups[gi].lastFlush).nanoseconds
                let k2 = max(1, (since + gInt - 1) / gInt)
                schedule(gi, at: groups[gi].lastFlush + SimDuration(nanoseconds: k2 * gInt))
            }
        } else {
            if let existing = instances[k].groups[key] { release(existing) }
            gi = allocate(AggrGroup(instance: k, route: route, key: key))
            instances[k].groups[key] = gi
            schedule(gi, at: now + node.groupWait)
        }
        let pos = lowerBound(groups[gi].alerts, alert.labels)
        if pos < groups[gi].alerts.count && groups[gi].alerts[pos].labels == alert.labels {
            groups[gi].alerts[pos] = merged(groups[gi].alerts[pos], alert)
        } else {
            groups[gi].alerts.insert(alert, at: pos)
        }
        // dispatch.go insert: flush at once if this alert's group_wait is already over
        if !groups[gi].hasFlushed && alert.startsAt + node.groupWait.nanoseconds / 1_000_000 < nowMs && groups[gi].nextFlush != now {
            schedule(gi, at: now)
        }
    }

    /// Drops the groups the cleanup ticker has removed, the log entries past their retention
    /// (2 × repeat_interval, nflog.go) and inhibition sources no longer firing, so that memory follows what is alive, not the
    /// run's history. What is dropped does not depend on the order the dictionaries are read in.
    func sweep(_ k: Int) {
        snapshotIfDue(k)
        let gone = instances[k].groups.filter { groups[$0.value].removedAt.map { $0 <= now } ?? false }.map(\.key).sorted()
        for key in gone {
            if let gi = instances[k].groups.removeValue(forKey: key) { release(gi) }
        }
        instances[k].nflog = instances[k].nflog.filter { !collected($0.value, k) }
        let nowMs = clock.ms(now)
        for r in instances[k].sources.indices { instances[k].sources[r] = instances[k].sources[r].filter { $0.value.endsAt > nowMs } }
        instances[k].sweepAt = max(64, 2 * (instances[k].groups.count + instances[k].nflog.count))
    }

    func lowerBound(_ a: [StoredAlert], _ l: LabelSet) -> Int {
        var lo = 0, hi = a.count
        while lo < hi { let m = (lo + hi) / 2; if a[m].labels < l { lo = m + 1 } else { hi = m } }
        return lo
    }

    func allocate(_ g0: AggrGroup) -> Int {
        var g = g0
        serials += 1
        g.serial = serials
        if let i = freeGroups.popLast() {
            let gen = groups[i].gen &+ 1
            groups[i] = g
            groups[i].gen = gen
            return i
        }
        groups.append(g)
        return groups.count - 1
    }

    func release(_ i: Int) {
        groups[i].live = false
        groups[i].gen &+= 1
        groups[i].alerts = []
        freeGroups.append(i)
    }

    func schedule(_ gi: Int, at t: SimTime) {
        groups[gi].gen &+= 1
        groups[gi].nextFlush = t
        model.sim.schedule(at: t, target: target, kind: Kind.flush.rawValue, arg: IndexGeneration.pack(gi, groups[gi].gen))
    }

    // MARK: hosts

    /// The process dies with its host: alerts and groups are gone; after the restart the groups
    /// are rebuilt from the next posts. The notification log starts from its snapshot on disk
    /// (written at the last maintenance tick, or at the shutdown of an orderly reboot) and takes
    /// the peers' entries (gossip push-pull on join).
    func hostDown(_ h: Int, rebooting: Bool) {
        guard let k = instanceIndex(host: h), instances[k].up else { return }
        if rebooting {
            // nflog.go run: the stop channel closes, the last maintenance snapshots the log
            instances[k].snapshot = instances[k].nflog.filter { $0.value.expiresAt > now }
        } else {
            snapshotIfDue(k)
        }
        snapshotSilences(k, rebooting: rebooting)
        instances[k].up = false
        for gi in instances[k].groups.values.sorted() { release(gi) }
        instances[k].groups = [:]
        instances[k].sources = Array(repeating: [:], count: spec.config.inhibitRules.count)
        instances[k].nflog = [:]
        for p in pipelines.indices where pipelines[p]?.instance == k { pipelines[p] = nil }
        for d in deliveries.indices where deliveries[d]?.instance == k { deliveries[d] = nil }
        log("alertmanagerDown", hostName(h))
    }

    func hostUp(_ h: Int) {
        guard let k = instanceIndex(host: h), !instances[k].up else { return }
        instances[k].up = true
        instances[k].startedAt = now
        instances[k].snapshotTick = 0
        instances[k].notificationsByType = [:]
        instances[k].failedByType = [:]
        instances[k].requestsByType = [:]
        instances[k].requestsFailedByType = [:]
        // nflog.New loads the snapshot
        instances[k].nflog = instances[k].snapshot
        // silence.New loads the silences' snapshot; the join's push-pull adds the peers' silences
        instances[k].recoveredSilences = instances[k].silenceSnapshot
        for p in instances.indices where p != k && instances[p].up && reaches(k, p) {
            for (key, e) in instances[p].nflog { mergeEntry(key, e, into: k) }
            for s in spec.silences.indices where knows(s, p, at: now) { instances[k].recoveredSilences[s] = true }
        }
        log("alertmanagerUp", hostName(h))
    }

    /// Whether instances `a` and `b` can gossip: no network partition cuts their hosts apart.
    func reaches(_ a: Int, _ b: Int) -> Bool { !(model.mesos?.cut(instances[a].host, instances[b].host) ?? false) }

    /// A partition healed: the peers it kept apart sync their notification logs (Alertmanager
    /// rejoins failed peers every `--cluster.reconnect-interval`, 10s, and a join is a full
    /// push-pull sync; the model syncs at once). Each entry keeps the newest of the two.
    func partitionHealed() {
        for k in instances.indices where instances[k].up {
            for p in instances.indices where p != k && instances[p].up && reaches(k, p) {
                for key in instances[p].nflog.keys.sorted() { mergeEntry(key, instances[p].nflog[key]!, into: k) }
                for s in spec.silences.indices where knows(s, p, at: now) { instances[k].recoveredSilences[s] = true }
            }
        }
    }

    /// Whether the log's garbage collection has removed the entry by now: GC runs at each
    /// maintenance tick and deletes the entries whose ExpiresAt is not after it (nflog.go GC);
    /// until then an expired entry still answers Query, and so still deduplicates.
    func collected(_ e: NflogEntry, _ k: Int) -> Bool { now >= firstTick(atOrAfter: e.expiresAt, k) }

    /// The first maintenance tick of instance `k`'s process at or after `t` (ticks come every
    /// `--data.maintenance-interval` from its start, the first one interval after it).
    func firstTick(atOrAfter t: SimTime, _ k: Int) -> SimTime {
        let interval = spec.maintenanceInterval.nanoseconds, start = instances[k].startedAt
        guard interval > 0 else { return t }
        let n = max(1, ((t - start).nanoseconds + interval - 1) / interval)
        return start + SimDuration(nanoseconds: n * interval)
    }

    /// nflog.go run's maintenance, every `--data.maintenance-interval` from the process' start:
    /// garbage-collects expired entries and writes the snapshot. Done lazily, before the log
    /// changes and when the process dies: the log has not changed since the last tick passed,
    /// so what it holds now is what that tick wrote. No event per tick.
    func snapshotIfDue(_ k: Int) {
        let interval = spec.maintenanceInterval.nanoseconds
        guard interval > 0, instances[k].up else { return }
        let tick = (now - instances[k].startedAt).nanoseconds / interval
        guard tick > instances[k].snapshotTick else { return }
        let at = instances[k].startedAt + SimDuration(nanoseconds: tick * interval)
        instances[k].snapshot = instances[k].nflog.filter { $0.value.expiresAt > at }
        instances[k].snapshotTick = tick
    }

    /// Whether instance `k`'s process holds silence `s` at `t`: it loaded it at its start, or the
    /// silence was created while it ran (`amtool silence add` reaches one instance and the
    /// gossip every live peer at once: the model gives it to every instance up at `at`).
    func knows(_ s: Int, _ k: Int, at t: SimTime) -> Bool {
        if instances[k].recoveredSilences[s] { return true }
        let at = spec.silences[s].at
        return at >= instances[k].startedAt && at <= t
    }

    /// silence/silence.go Maintenance (v0.25.0), run with `--data.maintenance-interval` from the
    /// process' start like the notification log's: each tick garbage-collects the silences that
    /// ended more than `--data.retention` ago and writes the snapshot, and the process writes one
    /// more when it stops. So an orderly reboot keeps every silence; a crash loses the silences
    /// created since the last tick (none passed: the file is still the one this process loaded).
    func snapshotSilences(_ k: Int, rebooting: Bool) {
        let interval = spec.maintenanceInterval.nanoseconds
        let at: SimTime
        if rebooting {
            at = now
        } else {
            guard interval > 0 else { return }
            let ticks = (now - instances[k].startedAt).nanoseconds / interval
            guard ticks > 0 else { return }
            at = instances[k].startedAt + SimDuration(nanoseconds: ticks * interval)
        }
        for s in spec.silences.indices {
            let ended = spec.silences[s].at + spec.silences[s].duration
            instances[k].silenceSnapshot[s] = knows(s, k, at: at) && ended + spec.retention > at
        }
    }

    func mergeEntry(_ key: String, _ e: NflogEntry, into k: Int) {
        if let mine = instances[k].nflog[key], mine.timestamp >= e.timestamp { return }
        snapshotIfDue(k)
        instances[k].nflog[key] = e
    }

    // MARK: pipelines waiting (HA)
    struct Pipeline {
        var instance: Int
        var group: Int
        var serial: Int
        /// The group's alerts at the flush (for the deletion of resolved ones) and those the
        /// mute stages let through.
        var alerts: [StoredAlert]
        var kept: [StoredAlert]
        var flushedAt: SimTime
        /// Peer position when the wait stage ran (the context's deadline counts its wait).
        var position: Int
        /// Waiting for the gossip to settle (the mute stages have not run yet).
        var settling: Bool
    }
    /// Pipelines waiting, by slot; a slot's generation changes when it is reused.
    var pipelines: [Pipeline?] = []
    var pipelineGen: [Int32] = []
    var freePipelines: [Int] = []

    // MARK: notifications still retrying (a receiver outage)
    struct Delivery {
        enum Step { case send(Notification, logKey: String, entry: NflogEntry), fail(receiver: String, type: String, text: String) }
        var instance: Int
        var group: Int
        var serial: Int
        var alerts: [StoredAlert]
        var flushedAt: SimTime
        /// What happens when, in time order (a retry that succeeds, or the attempt given up).
        var steps: [(at: SimTime, step: Step)]
        /// When the pipeline returns (the last integration done) and whether one failed (then the
        /// flush deletes nothing: dispatch.go deletes resolved alerts only when notify succeeded).
        var end: SimTime
        var failed: Bool
    }
    var deliveries: [Delivery?] = []
    var deliveryGen: [Int32] = []
    var freeDeliveries: [Int] = []
    /// cenkalti/backoff's jitter (RetryStage): drawn only when a receiver fails.
    lazy var retryStream: RandomStream = model.stream("alertmanager.notify-retry")
}

extension AlertmanagerCluster: Subsystem, AlertReceiver, SignalSubscriber {
    public static let entry = SubsystemEntry(name: "alertmanager", section: "alertmanager", outputs: AlertmanagerCluster.outputs) { model in
        guard let spec = model.spec.alertmanager else { return nil }
        let am = AlertmanagerCluster(spec: spec, model: model)
        // alerts carry Prometheus' Unix milliseconds: the same clock as the run's Prometheus
        am.clock = PromTime(baseMs: model.spec.prometheus?.startMs ?? PromTime.defaultBaseMs)
        return am
    }
    public var name: String { "alertmanager" }

    public func subscribe(to signals: PlatformSignals) { signals.subscribe(self, to: .hosts) }

    public func receive(_ signal: PlatformSignal) {
        switch signal {
        case .hostDown(let h, let rebooting): hostDown(h, rebooting: rebooting)
        case .hostUp(let h): hostUp(h)
        case .hostPartitioned(_, let partitioned): if !partitioned && instances.count > 1 { partitionHealed() }
        default: break
        }
    }

    public func alertmanagerEndpoints() -> [(host: Int, port: Int)] { instances.map { ($0.host, AlertmanagerSpec.port) } }
    public func accepts(host: Int) -> Bool { instanceIndex(host: host).map { instances[$0].up } ?? false }
    public func receive(_ alerts: [AlertPayload], on host: Int, now: SimTime) {
        guard let k = instanceIndex(host: host), instances[k].up else { return }
        receive(alerts, instance: k)
    }
}
