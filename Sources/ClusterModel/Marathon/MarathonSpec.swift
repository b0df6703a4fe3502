import SimKernel

// Marathon as a scenario describes it: the version (which switches version-dependent defaults and
// algorithms), the command-line flags that drive timing, where the Marathon instances run, the apps
// (flattened from groups, ids resolved) and how each app's process behaves. Sources of every
// default: docs/marathon.md.

/// Marathon (`marathon` in a scenario).
public struct MarathonSpec: Equatable, Sendable {
    public var version: MarathonVersion
    public var flags: MarathonFlags
    /// Host group the Marathon instances run on (default: the Mesos masters' group).
    public var hostGroup: String?
    /// Number of Marathon instances (HA: one leader, the others stand by). Default 3.
    public var instances: Int
    /// Every app, flattened out of groups, in file order (depth-first: a group's apps, then its groups).
    public var apps: [AppDefinition]
    /// Every group (explicit or implied by an app id) as a tree of segments (GroupTree.swift).
    public var groupTree: MarathonGroupTree
    /// Every group with its full id, sorted by id: built on each call, O(total length of the
    /// ids), which is quadratic in the depth of an id; nothing on the load or run path asks.
    public var groups: [GroupDefinition] { groupTree.definitions() }
    /// How each app's tasks behave, in `apps` order (the "default" block merged in).
    public var behaviour: [AppBehaviour]
    /// "fields accepted but not modelled" notes, one per app (already reported as warnings).
    public var warnings: [String]
    /// One Marathon per data center (`marathon.datacenters`): each runs every app on its data
    /// center's agents only. Empty: one Marathon for all agents.
    public var datacenters: [MarathonDatacenter] = []

    public init(version: MarathonVersion = .baseline, flags: MarathonFlags? = nil, hostGroup: String? = nil,
                instances: Int = 3, apps: [AppDefinition] = [], groupTree: MarathonGroupTree = MarathonGroupTree(),
                behaviour: [AppBehaviour] = [], warnings: [String] = []) {
        self.version = version; self.flags = flags ?? MarathonFlags(version: version); self.hostGroup = hostGroup
        self.instances = instances; self.apps = apps; self.groupTree = groupTree; self.behaviour = behaviour
        self.warnings = warnings
    }

    /// The app with this (absolute) id.
    public func app(_ id: String) -> AppDefinition? { apps.first { $0.id == id } }

    /// The behaviour of the app with this id (the default behaviour when the app has none).
    public func behaviour(of id: String) -> AppBehaviour {
        if let i = apps.firstIndex(where: { $0.id == id }) { return behaviour(at: i) }
        return AppBehaviour()
    }

    /// The behaviour of `apps[i]` (without searching the apps for its id: linear for all of them).
    public func behaviour(at i: Int) -> AppBehaviour { i < behaviour.count ? behaviour[i] : AppBehaviour() }
}

/// One data center's Marathon (`marathon.datacenters[i]`): its framework is `marathon-<name>`,
/// its instances run on `hostGroup` (nil: `MarathonSpec.hostGroup`'s rule) and elect their leader
/// under `/marathon-<name>`.
public struct MarathonDatacenter: Equatable, Sendable {
    public var name: String
    public var hostGroup: String?
    public init(name: String, hostGroup: String? = nil) { self.name = name; self.hostGroup = hostGroup }
}

/// How an app's tasks behave once started (the simulator's own `behaviour` block).
public struct AppBehaviour: Sendable {
    /// What Mesos runs (passed in `TaskLaunch.behaviour`).
    public var task: TaskBehaviour
    /// Image size for the pull (per host, cached after). Default 300 MB.
    public var imageSizeBytes: Int64
    /// What the app's processes write and mount: read by the Storage subsystem (by app id) when it
    /// is built, never by Marathon nor passed to Mesos.
    public var storage = AppStorage()

    public static let defaultStartupSeconds = 5.0
    public static let defaultResponseSeconds = 0.005
    public static let defaultImageSizeBytes: Int64 = 300_000_000

    public init(task: TaskBehaviour = TaskBehaviour(startup: .constant(AppBehaviour.defaultStartupSeconds),
                                                    health: .healthy(responseTime: .constant(AppBehaviour.defaultResponseSeconds))),
                imageSizeBytes: Int64 = AppBehaviour.defaultImageSizeBytes) {
        self.task = task; self.imageSizeBytes = imageSizeBytes
    }
}

/// Synthesized: every field counts (a hand-written == used to skip `stopTime` and the Ceph mount).
extension AppBehaviour: Equatable {}

extension HealthBehaviour: Equatable {
    public static func == (a: HealthBehaviour, b: HealthBehaviour) -> Bool {
        switch (a, b) {
        case (.healthy(let x), .healthy(let y)): return x == y
        case (.hangsAfter(let x, let r), .hangsAfter(let y, let s)): return x == y && r == s
        case (.unhealthy, .unhealthy): return true
        default: return false
        }
    }
}

// MARK: - Version

/// A Marathon release, major.minor.patch. Supported: 1.4.0 through 1.10.x (the lines that ran on
/// 2017-2020 Mesos platforms). The baseline is 1.4 (= 1.4.0): Marathon 1.4.0 was released in
/// January 2017 and 1.4.x was the line most 2017 platforms ran.
public struct MarathonVersion: ReleaseVersion {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(_ major: Int, _ minor: Int, _ patch: Int = 0) { self.major = major; self.minor = minor; self.patch = patch }

    public static let baseline = MarathonVersion(1, 4, 0)

    /// The status update that changes an unreachable instance (its first TASK_UNREACHABLE, or the
    /// one that makes it UnreachableInactive) also expunges it once `expungeAfterSeconds` have
    /// passed (InstanceUpdater `readyToExpungeUnreachable`, mesosphere/marathon#7109, e05e976: in
    /// 1.7.236, 1.8.244 and 1.10.x, not in any 1.9.x tag); before, only the expunge job does.
    public var expungesUnreachableOnUpdate: Bool {
        switch (major, minor) {
        case (1, 7): return patch >= 236
        case (1, 8): return patch >= 244
        case (1, 9): return false
        default: return self >= MarathonVersion(1, 10, 0)
        }
    }
    public static let oldestSupported = MarathonVersion(1, 4, 0)
    /// Newest supported minor line (every 1.10.x patch is accepted).
    public static let newestSupportedMinor = MarathonVersion(1, 10, 0)
    public static let supportedRange = "1.4.0 to 1.10.x"

    // Version-dependent defaults and algorithms (sources in docs/marathon.md).

    /// `maxLaunchDelaySeconds` default: 3600 s before 1.8 (app.raml @v1.4.0 ... v1.7.x), 300 s from 1.8.180
    /// (the first 1.8 release).
    public var defaultMaxLaunchDelay: SimDuration { atLeast(8) ? .seconds(300) : .seconds(3600) }

    /// Default `unreachableStrategy` for an app without persistent volumes: 300 s / 600 s in
    /// 1.4.0-1.4.8 and 1.5.0, 0 s / 0 s from 1.4.9 and 1.5.1 (state/UnreachableStrategy.scala per tag).
    public var defaultUnreachableStrategy: UnreachableStrategy {
        let old = (minor == 4 && patch <= 8) || (minor == 5 && patch == 0)
        return old ? .enabled(inactiveAfter: .seconds(300), expungeAfter: .seconds(600)) : .enabled(inactiveAfter: .zero, expungeAfter: .zero)
    }

    /// Default `unreachableStrategy` for resident apps (persistent volumes): 1 h / 7 d in 1.4.0-1.4.1
    /// (before the "disabled" form existed), "disabled" from 1.4.2 (UnreachableStrategy.default(resident:)).
    public var defaultResidentUnreachableStrategy: UnreachableStrategy {
        supportsUnreachableDisabled ? .disabled : .enabled(inactiveAfter: .hours(1), expungeAfter: .hours(24 * 7))
    }

    /// `"unreachableStrategy": "disabled"` exists from 1.4.2 (UnreachableDisabled in UnreachableStrategy.scala).
    public var supportsUnreachableDisabled: Bool { atLeast(4, 2) }

    /// How long a launch-delay record lives (core/launchqueue/impl/RateLimiter.scala per tag).
    public var backoffRecordRule: BackoffRecordRule {
        if minor == 4 && patch <= 7 { return .untilDeadline }
        if minor == 5 && patch == 0 { return .untilViable(.seconds(60)) }
        return .untilReferencePlusMaxDelay
    }

    /// Constraint evaluation (mesosphere/mesos/Constraints.scala): 1.4-1.5 legacy rules (field
    /// "hostname" only, no IS, CLUSTER requires a value, MAX_PER on an attribute looks up the
    /// offer's hostname in 1.4.0-1.4.3, scalars formatted with the locale NumberFormat); 1.6+ current rules.
    public var constraintRules: ConstraintRules { atLeast(6) ? .current : .legacy }

    /// MAX_PER on an attribute looks up the offer's hostname among the attribute's values in 1.4.0-1.4.3
    /// only (Constraints.scala checkAttribute, `checkMaxPer(offer.getHostname, ...)`; v1.4.4 changed it to
    /// `getValueString(attr.get)`, kept through 1.5.x and the 1.6+ rewrite).
    public var maxPerLooksUpHostname: Bool { minor == 4 && patch <= 3 }

    /// Restart (TaskReplaceActor.computeRestartStrategy): before 1.10 it counts every active
    /// instance and kills old instances in tracker order; from 1.10 it counts instances with goal
    /// Running that are considered healthy, kills unhealthy old ones first and handles scale-down.
    public var restartRules: RestartRules { atLeast(10) ? .v1_10 : .legacy }

    /// `--offer_matching_timeout`: 1000 ms up to 1.4, 3000 ms from 1.5 (OfferMatcherManagerConfig.scala).
    public var defaultOfferMatchingTimeout: SimDuration { atLeast(5) ? .milliseconds(3000) : .milliseconds(1000) }

    /// True from the patch of each line that has the change: `atLeast(minor, patch)` for the first line
    /// that has it from its start, and one (line, first patch) per older line it was backported to.
    func from(_ first: (minor: Int, patch: Int), backports: [(minor: Int, patch: Int)]) -> Bool {
        if atLeast(first.minor, first.patch) { return true }
        return backports.contains { major == 1 && minor == $0.minor && patch >= $0.patch }
    }

    /// KillServiceActor's `kill_retry_timeout`: 10 s, 30 s from 1.5.12, 1.6.564, 1.7.188 and 1.8
    /// (core/task/termination/KillConfig.scala per tag: `10.seconds` at v1.5.11, v1.6.549, v1.7.174;
    /// `30.seconds` at v1.5.12, v1.6.564, v1.7.188, v1.8.180 ... v1.10.26; changed with "TaskOverdueActor
    /// now respects --kill_retry_timeout" #6596, backports 674060f15 and e035b934f).
    public var defaultKillRetryTimeout: SimDuration {
        from((8, 0), backports: [(5, 12), (6, 564), (7, 188)]) ? .seconds(30) : .seconds(10)
    }

    /// `--[disable_]suppress_offers` exists from 1.5.11, 1.6.535 and 1.7 (core/flow/ReviveOffersConfig.scala
    /// per tag: absent at v1.5.10, v1.6.0 ... v1.6.496; `toggle("suppress_offers", default = Some(false))`
    /// at v1.5.11, v1.6.535, v1.7.37 ... v1.7.236).
    public var hasSuppressOffersFlag: Bool { from((7, 0), backports: [(5, 11), (6, 535)]) }

    /// `--suppress_offers` default: true from 1.8 (`default = Some(true)` at v1.8.180), false before
    /// (and no flag, so never suppressed, before 1.5.11/1.6.535).
    public var defaultSuppressOffers: Bool { atLeast(8) }

    /// `--max_running_deployments` (default 100) exists from 1.5.9, 1.6.486 and 1.7
    /// (core/group/GroupManagerConfig.scala per tag: absent at v1.5.8, v1.6.0 ... v1.6.392).
    public var hasMaxRunningDeploymentsFlag: Bool { from((7, 0), backports: [(5, 9), (6, 486)]) }

    /// `--zk_connection_timeout` exists from 1.4.9 and 1.5.0 (ZookeeperConf.scala: absent at v1.4.8).
    public var hasZkConnectionTimeoutFlag: Bool { from((5, 0), backports: [(4, 9)]) }

    /// `--min_revive_offers_interval` default: 30000 ms in 1.8.218-1.8.244 (core/launchqueue/
    /// ReviveOffersConfig.scala@v1.8.218, with the first ReviveOffersStreamLogic), 5000 ms otherwise
    /// (core/flow/ReviveOffersConfig.scala@v1.4.0 ... v1.8.207; core/launchqueue/ReviveOffersConfig.scala@v1.9.32 ... v1.10.26).
    public var defaultMinReviveOffersInterval: SimDuration {
        minor == 8 && patch >= 218 ? .milliseconds(30_000) : .milliseconds(5000)
    }

    /// Revive and suppress by the launch queue's state (core/launchqueue/impl/ReviveOffersStreamLogic.scala)
    /// instead of ReviveOffersActor's series on OffersWanted (core/flow/impl/ReviveOffersActor.scala): from
    /// 1.9 (v1.9.32; the form modelled is v1.9.64's, "Fix unnecessary latency" #7020, the same through
    /// v1.10.26). 1.8.218-1.8.244 have a first form of the stream (three revives per newly scheduled
    /// instances, throttled one per interval): `reviveRules` `.scheduledSeries`.
    public var reviveRules: ReviveRules {
        if atLeast(9) { return .stream }
        return minor == 8 && patch >= 218 ? .scheduledSeries : .offersWantedSeries
    }
}

/// How Marathon revives and suppresses offers (`MarathonVersion.reviveRules`).
public enum ReviveRules: Equatable, Sendable {
    /// 1.4.0-1.8.207, core/flow/impl/ReviveOffersActor.scala: a series of `revive_offers_repetitions`
    /// revives spaced `min_revive_offers_interval` apart when offers become wanted (launch tokens,
    /// re-registration included).
    case offersWantedSeries
    /// 1.8.218-1.8.244, core/launchqueue/impl/ReviveOffersStreamLogic.scala@v1.8.218 `suppressOrReviveFromDiff`:
    /// newly scheduled instances without back-off give three revives, throttled to one per
    /// `min_revive_offers_interval`; suppress when nothing is scheduled.
    case scheduledSeries
    /// 1.9-1.10, ReviveOffersStreamLogic@v1.10.5: state read at most once per interval, one revive plus
    /// one repeat.
    case stream
}

// MARK: - Flags

/// Marathon's command-line flags that drive timing, in Marathon's names and units (ms unless the
/// flag itself counts seconds). Defaults follow `version` (docs/docs/command-line-flags.md and the
/// *Config.scala files, see docs/marathon.md).
public struct MarathonFlags: Equatable, Sendable {
    /// `--enable_features task_killing`: Marathon declares the TASK_KILLING_STATE capability
    /// (MarathonSchedulerDriver.scala@v1.4.9 to v1.10.5), so Mesos' executors send TASK_KILLING
    /// before a kill. Off by default (DC/OS turns it on).
    public var taskKillingState = false
    /// --task_launch_timeout: a launched task must be TASK_RUNNING within this, else it is killed.
    public var taskLaunchTimeout: SimDuration = .milliseconds(300_000)
    /// --task_launch_confirm_timeout: a launched task must be TASK_STAGING within this.
    public var taskLaunchConfirmTimeout: SimDuration = .milliseconds(300_000)
    /// --max_instances_per_offer (--max_tasks_per_offer before 1.4, deprecated alias).
    public var maxInstancesPerOffer: Int = 5
    /// --launch_tokens per --launch_token_refresh_interval.
    public var launchTokens: Int = 100
    public var launchTokenRefreshInterval: SimDuration = .milliseconds(30_000)
    /// --offer_matching_timeout: 1000 ms (≤1.4), 3000 ms (≥1.5).
    public var offerMatchingTimeout: SimDuration = .milliseconds(1000)
    /// --decline_offer_duration: refuse_seconds sent with declines.
    public var declineOfferDuration: SimDuration = .milliseconds(120_000)
    /// --min_revive_offers_interval (5000 ms; 30000 ms in 1.8.218-1.8.244).
    public var minReviveOffersInterval: SimDuration = .milliseconds(5000)
    /// --revive_offers_repetitions (1.4-1.9; removed in 1.10).
    public var reviveOffersRepetitions: Int = 3
    /// --[disable_]suppress_offers (from 1.5.11, 1.6.535 and 1.7, default false; default true from 1.8).
    public var suppressOffers: Bool = false
    /// --reconciliation_initial_delay / --reconciliation_interval.
    public var reconciliationInitialDelay: SimDuration = .milliseconds(15_000)
    public var reconciliationInterval: SimDuration = .milliseconds(600_000)
    /// --scale_apps_initial_delay / --scale_apps_interval.
    public var scaleAppsInitialDelay: SimDuration = .milliseconds(15_000)
    public var scaleAppsInterval: SimDuration = .milliseconds(300_000)
    /// --failover_timeout (seconds).
    public var failoverTimeout: SimDuration = .seconds(604_800)
    /// --zk_session_timeout / --zk_timeout / --zk_connection_timeout (the last from 1.4.9 and 1.5.0).
    public var zkSessionTimeout: SimDuration = .milliseconds(10_000)
    public var zkTimeout: SimDuration = .milliseconds(10_000)
    public var zkConnectionTimeout: SimDuration = .milliseconds(10_000)
    /// --on_elected_prepare_timeout.
    public var onElectedPrepareTimeout: SimDuration = .milliseconds(180_000)
    /// --mesos_heartbeat_interval / --mesos_heartbeat_failure_threshold.
    public var mesosHeartbeatInterval: SimDuration = .milliseconds(15_000)
    public var mesosHeartbeatFailureThreshold: Int = 5
    /// --max_running_deployments (from 1.5.9, 1.6.486 and 1.7; unlimited before: nil).
    public var maxRunningDeployments: Int? = nil
    /// --local_port_min / --local_port_max (service ports).
    public var localPortMin: Int = 10_000
    public var localPortMax: Int = 20_000
    /// --task_lost_expunge_initial_delay / --task_lost_expunge_interval.
    public var taskLostExpungeInitialDelay: SimDuration = .milliseconds(300_000)
    public var taskLostExpungeInterval: SimDuration = .milliseconds(30_000)
    /// --minimum_viable_task_execution_duration (1.5.0 only: launch-delay records live until deadline + this).
    public var minimumViableTaskExecutionDuration: SimDuration = .milliseconds(60_000)
    /// --mesos_role (default "*").
    public var mesosRole: String = "*"
    /// --http_port.
    public var httpPort: Int = 8080

    /// The defaults of `version`.
    public init(version: MarathonVersion = .baseline) {
        offerMatchingTimeout = version.defaultOfferMatchingTimeout
        suppressOffers = version.defaultSuppressOffers
        maxRunningDeployments = version.hasMaxRunningDeploymentsFlag ? 100 : nil
        minReviveOffersInterval = version.defaultMinReviveOffersInterval
        reviveOffersRepetitions = version.atLeast(10) ? 1 : 3
    }
}
