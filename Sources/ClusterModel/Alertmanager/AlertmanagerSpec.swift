import SimKernel

/// The `alertmanager` section (issue 11): the instances, their configuration (an
/// `alertmanager.yml` written as JSON, loaded with Alertmanager's rules by the Scenario module),
/// the `cluster.peer-timeout` flag and the silences created during the run. Defaults and their
/// sources: docs/alertmanager.md.
public struct AlertmanagerSpec: Equatable, Sendable {
    /// Host names of the instances, in configuration order (an HA cluster when several).
    public var hosts: [String]
    public var config: AlertmanagerConfig
    /// `--cluster.peer-timeout`: the instance at peer position n waits n × this before its
    /// dedup stage (prometheus/alertmanager:cmd/alertmanager/main.go, default 15s).
    public var peerTimeout: SimDuration
    public var silences: [AlertmanagerSilence]
    /// Receivers' endpoints answering with an error for a while (webhook 5xx ...): the
    /// notification pipeline's RetryStage retries with back-off (notify/notify.go).
    public var receiverOutages: [AlertmanagerReceiverOutage] = []
    /// `--data.maintenance-interval`: the notification log is snapshotted to disk this often from
    /// the process' start (and at an orderly shutdown); a restart loads the snapshot (main.go,
    /// nflog/nflog.go run, default 15m).
    public var maintenanceInterval: SimDuration = AlertmanagerSpec.defaultMaintenanceInterval
    /// `--data.retention`: a notification log entry expires after min(retention, 2 × the route's
    /// repeat_interval) (nflog/nflog.go Log, notify/notify.go SetNotifiesStage; default 120h).
    public var retention: SimDuration = AlertmanagerSpec.defaultRetention
    /// How long after the process' start its notification pipelines wait for the gossip to settle
    /// (notify.go GossipSettleStage, cluster/cluster.go Settle): nil when clustering is off (an empty
    /// `--cluster.listen-address`). With a membership that does not change, Settle polls every
    /// 10 × `--cluster.gossip-interval` and is ready at the fifth poll (three equal counts after the
    /// first), 10 s with the default 200ms, unless `--cluster.settle-timeout` (1m) ends it first.
    public var settleWait: SimDuration? = AlertmanagerSpec.settleWait(gossipInterval: .milliseconds(200), settleTimeout: .minutes(1))
    public static func settleWait(gossipInterval: SimDuration, settleTimeout: SimDuration) -> SimDuration {
        min(SimDuration(nanoseconds: gossipInterval.nanoseconds * 50), settleTimeout)
    }
    public static let defaultRetention = SimDuration.hours(120)
    public static let defaultPeerTimeout = SimDuration.seconds(15)
    public static let defaultMaintenanceInterval = SimDuration.minutes(15)
    public static let port = 9093

    public init(hosts: [String] = [], config: AlertmanagerConfig = AlertmanagerConfig(),
                peerTimeout: SimDuration = AlertmanagerSpec.defaultPeerTimeout, silences: [AlertmanagerSilence] = []) {
        self.hosts = hosts; self.config = config; self.peerTimeout = peerTimeout; self.silences = silences
    }
}

/// What of an `alertmanager.yml` the model uses (config/config.go `Config`).
public struct AlertmanagerConfig: Equatable, Sendable {
    /// `global.resolve_timeout`: EndsAt of an alert posted without one (Prometheus always sets it).
    public var resolveTimeout: SimDuration
    public var route: AlertmanagerRoute
    public var receivers: [AlertmanagerReceiver]
    public var inhibitRules: [AlertmanagerInhibitRule]
    /// `time_intervals` and `mute_time_intervals`, by name.
    public var timeIntervals: [AlertmanagerNamedTimeInterval] = []
    public static let defaultResolveTimeout = SimDuration.minutes(5)

    public init(resolveTimeout: SimDuration = AlertmanagerConfig.defaultResolveTimeout,
                route: AlertmanagerRoute = AlertmanagerRoute(receiver: "default"),
                receivers: [AlertmanagerReceiver] = [AlertmanagerReceiver(name: "default", integrations: [.init(type: "webhook", index: 0, sendResolved: true)])],
                inhibitRules: [AlertmanagerInhibitRule] = []) {
        self.resolveTimeout = resolveTimeout; self.route = route; self.receivers = receivers; self.inhibitRules = inhibitRules
    }
}

/// One node of the routing tree as written (`config.Route`): unset options are inherited from
/// the parent (the root's from dispatch/route.go `DefaultRouteOpts`).
public struct AlertmanagerRoute: Equatable, Sendable {
    public var receiver: String?
    /// nil: inherited; `groupByAll`: `['...']`.
    public var groupBy: [String]?
    public var groupByAll: Bool
    public var groupWait: SimDuration?
    public var groupInterval: SimDuration?
    public var repeatInterval: SimDuration?
    /// `match`, `match_re` and `matchers` together.
    public var matchers: [LabelMatcher]
    public var `continue`: Bool
    public var routes: [AlertmanagerRoute]
    /// Names of time intervals during which the route's notifications are muted / outside which
    /// they are (not inherited: dispatch/route.go NewRoute).
    public var muteTimeIntervals: [String] = []
    public var activeTimeIntervals: [String] = []

    public init(receiver: String? = nil, groupBy: [String]? = nil, groupByAll: Bool = false, groupWait: SimDuration? = nil,
                groupInterval: SimDuration? = nil, repeatInterval: SimDuration? = nil, matchers: [LabelMatcher] = [],
                continue c: Bool = false, routes: [AlertmanagerRoute] = []) {
        self.receiver = receiver; self.groupBy = groupBy; self.groupByAll = groupByAll; self.groupWait = groupWait
        self.groupInterval = groupInterval; self.repeatInterval = repeatInterval; self.matchers = matchers
        self.continue = c; self.routes = routes
    }

    /// dispatch/route.go `DefaultRouteOpts`.
    public static let defaultGroupWait = SimDuration.seconds(30)
    public static let defaultGroupInterval = SimDuration.minutes(5)
    public static let defaultRepeatInterval = SimDuration.hours(4)
}

/// A receiver: a named sink with its integrations (each `*_configs` entry), each notified and
/// deduplicated on its own (notify.go createReceiverStage).
public struct AlertmanagerReceiver: Equatable, Sendable {
    public var name: String
    public var integrations: [AlertmanagerIntegration]
    public init(name: String, integrations: [AlertmanagerIntegration]) { self.name = name; self.integrations = integrations }
}

public struct AlertmanagerIntegration: Equatable, Sendable {
    /// `webhook`, `email`, `pagerduty`, ... (the `*_configs` key without `_configs`).
    public var type: String
    /// Its index among the receiver's integrations of that type.
    public var index: Int
    public var sendResolved: Bool
    public init(type: String, index: Int, sendResolved: Bool) { self.type = type; self.index = index; self.sendResolved = sendResolved }
    public var name: String { "\(type)[\(index)]" }
}

/// `inhibit_rules[]`: a firing alert matching `source` mutes alerts matching `target` that have
/// the same values (absent counts as empty) for every label of `equal` (inhibit/inhibit.go).
public struct AlertmanagerInhibitRule: Equatable, Sendable {
    public var source: [LabelMatcher]
    public var target: [LabelMatcher]
    public var equal: [String]
    public init(source: [LabelMatcher], target: [LabelMatcher], equal: [String]) { self.source = source; self.target = target; self.equal = equal }
}

/// A silence created at `at` (scenario time) for `duration` (silence/silence.go: active while
/// startsAt <= now < endsAt), muting alerts that match every matcher.
public struct AlertmanagerSilence: Equatable, Sendable {
    public var at: SimTime
    public var duration: SimDuration
    public var matchers: [LabelMatcher]
    public var createdBy: String
    public var comment: String
    public init(at: SimTime, duration: SimDuration, matchers: [LabelMatcher], createdBy: String = "", comment: String = "") {
        self.at = at; self.duration = duration; self.matchers = matchers; self.createdBy = createdBy; self.comment = comment
    }
    public func active(at t: SimTime) -> Bool { at <= t && t < at + duration }
}

/// A receiver's endpoint failing from `at` for `duration`: every notification request of its
/// integrations (or only of `integration`, like `webhook[0]`) gets `status`. What Alertmanager does
/// with the answer is notify/util.go `Retrier.Check` (v0.25.0): 2xx succeeds, 5xx is retried (and
/// 429 by OpsGenie and by PagerDuty's Events API v2), anything else ends the attempt.
public struct AlertmanagerReceiverOutage: Equatable, Sendable {
    public var receiver: String
    public var integration: String?
    public var at: SimTime
    public var duration: SimDuration
    public var status: Int
    public init(receiver: String, integration: String? = nil, at: SimTime, duration: SimDuration, status: Int = 503) {
        self.receiver = receiver; self.integration = integration; self.at = at; self.duration = duration; self.status = status
    }
    public func covers(_ t: SimTime) -> Bool { at <= t && t < at + duration }
    /// notify/util.go Retrier.Check with the integration's RetryCodes (opsgenie.go, pagerduty.go).
    public func retried(by type: String) -> Bool {
        status / 100 == 5 || (status == 429 && (type == "opsgenie" || type == "pagerduty"))
    }
}
