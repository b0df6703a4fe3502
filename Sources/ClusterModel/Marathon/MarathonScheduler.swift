import SimKernel

/// Marathon: HA instances electing a leader through ZooKeeper; the leader registers with Mesos as
/// a framework, matches offers against its launch queue (resources, ports, constraints,
/// max_instances_per_offer, launch tokens, back-off), follows task status updates, runs the
/// Marathon-level health checks, replaces unreachable instances and runs deployments.
///
/// Sources of each rule: docs/marathon.md; the pure rules live in Constraints.swift,
/// RateLimiter.swift, HealthState.swift and RestartStrategy.swift.
public final class MarathonScheduler: EventHandler, MesosFramework, LeaderLatchOwner {
    public let spec: MarathonSpec
    unowned let model: ClusterSimulation
    let mesos: MesosCluster
    /// The ensemble Marathon's instances elect their leader through (the same as Mesos').
    let zooKeeper: ZooKeeperEnsemble
    var driver: SchedulerDriver!
    var target: Int32 = -1
    /// The data center this Marathon serves (`marathon.datacenters`): it is offered that data
    /// center's agents only. nil: one Marathon for every agent.
    public let datacenter: String?
    /// "marathon", or "marathon-<dc>" with one Marathon per data center: its framework name, its
    /// events.csv component, its ZooKeeper znode and the prefix of its random streams.
    public let instanceName: String
    /// The other data centers' Marathons, built and driven by the first (`marathon.datacenters`):
    /// the first is the subsystem of the list; its register, subscribe and start drive them too.
    public internal(set) var peers: [MarathonScheduler] = []
    /// Every Marathon of the run: this one and its peers, in `marathon.datacenters` order.
    public var all: [MarathonScheduler] { [self] + peers }

    // MARK: state
    var apps: [MarathonAppState] = []
    var appIndex: [String: Int] = [:]
    /// Instance by Mesos task id (only the live ones; iterated only in id order).
    var byTask = InstanceTable()
    /// By app index: no other app of this Marathon has its task-name prefix, so its task names
    /// (prefix, data center, `nextInstanceNumber`, which never goes back) are never launched twice
    /// (`TaskLaunch.nameNeverRepeats`).
    var uniqueTaskPrefix: [Bool] = []
    /// Marathon-level health checks, fidelity `fast`: each stream's parked instances (key app << 12 | check)
    /// and the count of instance state changes per app (`healthStamp`).
    var healthStreams: [Int: HealthCheckStream] = [:]
    var healthStamps: [Int] = []
    /// false: every tick visits every instance (the tick before the index; HealthCheckIndexTests).
    var healthIndex = true
    /// false: a status update that changes an instance's state makes the next tick of each of its
    /// app's streams visit every instance (`healthInstancesChanged`), as before issue 14's sixth
    /// step; true: only that instance is brought up to date and visited (`healthInstanceChanged`;
    /// HealthChangeTests).
    var healthIncremental = true
    /// false: apps.csv and the exporter count every instance at every read, marathon-lb looks at
    /// every app at every regeneration (InstanceCountsTests, BENCH_OUTPUT_CACHE=0).
    public var cacheByRevision = true
    /// Instances visited by Marathon-level health-check ticks (HealthCheckIndexTests).
    var healthVisits = 0
    /// false: `refreshSatisfied` counts at every call, as before its change count (SatisfiedCountTests).
    var satisfiedCache = true
    /// Quiet and loud instances for reconciliation in O(changes) (Reconciliation.swift).
    let recon = ReconciliationTracker()
    /// Counts of healthy instances made by `refreshSatisfied` (SatisfiedCountTests).
    var satisfiedCounts = 0
    var rateLimiter: RateLimiter
    var launchTokens: Int
    var lastRevive: SimTime?
    var suppressed = false
    // Revive (docs/marathon.md "Runtime"): 1.4-1.9 ReviveOffersActor, 1.10 ReviveOffersStreamLogic.
    /// Offers wanted as the revive logic last saw it (ReviveOffersActor.offersCurrentlyWanted;
    /// 1.10: the role state of the last directive).
    var offersWanted = false
    /// 1.4-1.9: revives still to send in the current series.
    var revivesNeeded = 0
    /// Invalidates a scheduled revive check (ReviveOffersActor, 1.8.218 series) or repeat (1.9+ stream).
    var reviveGeneration = 0
    var reviveCheckScheduled = false
    /// Revive calls sent to Mesos (revives and 1.10's unsuppress), for tests and the summary.
    public private(set) var revivesSent = 0
    /// 1.10: the revive state's version (grows when instances are newly scheduled or a launch
    /// delay ends), the version last acted on, the throttle (one state per min_revive_offers_interval)
    /// and the phase of the repeater's ticks.
    var reviveVersion = 0
    var emittedReviveVersion = 0
    var lastReviveStateAt: SimTime?
    var reviveStateScheduled = false
    var reviveTickPhase = SimTime.zero
    var rateLimiterCleanupScheduled = false
    /// The reconciliation timer of the current leader (a new leader starts its own).
    var reconcileGeneration = 0
    /// When the leader's KillServiceActor started: its retry timer ticks from then.
    var killTimerPhase = SimTime.zero
    /// Moves at every leader start: overdue checks scheduled by an earlier leader lapse.
    var overdueGeneration = 0
    /// Agents as constraints see them, built once per host (by host index), and their values of the
    /// apps' constraint fields, interned (PlacementIndex.swift).
    let placement: PlacementValues
    /// true: an offer meets an app's constraints by the counts kept per app (`AppPlacement`, time
    /// independent of the app's instances); false: by Marathon's walk over the list of placed
    /// instances (`Constraints.meetsAll`, O(instances) per offer), the reference the counts are
    /// tested against and the bench's "before" (clustersim-bench placement). Same answers.
    public var placementIndexed = true
    /// Tests: every offer is also matched by the list form, and the disagreements counted.
    var placementCrossCheck = false
    var placementChecks = 0
    var placementMismatches: [String] = []
    /// The order in which one offer asks the apps with demand (reused: no allocation per offer).
    var matchOrder: [Int] = []
    let offerStream: RandomStream
    let killStream: RandomStream
    /// The instance tracker's order of an app's instances (a Scala HashMap's, by random instance
    /// ids): the order a restart kills old instances in (Deployments.begin).
    let trackerOrderStream: RandomStream
    var deployments: Deployments!
    /// Indices of the apps with launches queued, in app order (rebuilt when `demand` changes).
    let demand = DemandTracker()
    /// Apps that are below target (healthy and ready) after their first deployment.
    var unsatisfiedApps = 0
    var degraded: [(start: SimTime, end: SimTime?)] = []
    /// When an app fell below target with instances missing on hosts a fault hit, and those hosts.
    var belowOnHitHosts: [(time: SimTime, hosts: [Int])] = []

    // MARK: HA
    /// Curator's LeaderLatch under `/<instanceName>/leader`, one contender per Marathon process.
    var latch: LeaderLatch!
    var processes: [LeaderLatch.Contender] { latch.contenders }
    public var leader: Int? { latch.leader }
    public private(set) var leaderReady = false
    /// Leader changes, for the summary.
    public private(set) var leaderChanges: [(time: SimTime, leader: String?)] = []
    /// Time from losing a leader to the next leader being ready.
    public private(set) var failovers: [(lostAt: SimTime, readyAt: SimTime?)] = []
    /// How long an elected instance takes before it acts (loading state from ZooKeeper,
    /// re-registering with Mesos). Not a Marathon flag; measured 1-3 s on small clusters.
    static let electionPrepareTime = SimDuration.seconds(2)
    /// A Marathon process that gave up leadership exits; its supervisor restarts it.
    static let processRestartDelay = SimDuration.seconds(10)

    enum Kind: Int32 {
        case tokenRefresh = 1, revive, healthTick, healthResult, launchTimeout, prepareDone, rateLimiterCleanup,
             backoffOver, readinessTick, processRestart, deploymentCheck, killRetry, reviveState, reconcile,
             expungeTick, scaleTick
    }

    /// When the leader's ExpungeOverdueLostTasksActor started (its ticks: this + the initial delay
    /// + k x the interval), and which leader's it is.
    var expungeJobStart = SimTime.zero
    var expungeJobGeneration = 0
    /// Marathon 1.4-1.7's periodic scale check (ScaleRunSpecs, every `scale_apps_interval` from
    /// `scale_apps_initial_delay` after the leader starts: MarathonSchedulerActor `scaleRunSpec`)
    /// scales every app to its target. Only the apps that can be off target are looked at: those
    /// left so by a deployment, or whose instance ended while a deployment held them (the
    /// ScaleRunSpec of the update step is refused under a deployment's lock, `withLockFor`, so
    /// `Deployments.offTarget` looks at the app when its deployment ends). The
    /// tick is scheduled only while such an app waits: no event in steady state.
    let scaleTickApps = DemandTracker()
    var scaleTickAt: SimTime?
    var scaleTickGeneration = 0

    init(spec: MarathonSpec, model: ClusterSimulation, mesos: MesosCluster, zooKeeper: ZooKeeperEnsemble,
         datacenter: MarathonDatacenter? = nil) {
        self.spec = spec
        self.model = model
        self.mesos = mesos
        self.zooKeeper = zooKeeper
        self.datacenter = datacenter?.name
        instanceName = datacenter.map { "marathon-\($0.name)" } ?? "marathon"
        rateLimiter = RateLimiter(version: spec.version)
        launchTokens = spec.flags.launchTokens
        offerStream = model.stream("\(instanceName)/offer-matcher")
        killStream = model.stream("\(instanceName)/kill-selection")
        trackerOrderStream = model.stream("\(instanceName)/instance-tracker-order")
        let rules = spec.version.constraintRules
        placement = PlacementValues(hostCount: model.infrastructure.hosts.count) { [unowned model] h in
            let host = model.infrastructure.hosts[h]
            return PlacementHost(hostname: host.name, attributes: host.attributes, rules: rules)
        }
        for (i, def) in spec.apps.enumerated() {
            let a = MarathonAppState(index: i, definition: def, behaviour: spec.behaviour(at: i), demand: demand)
            a.changes.countsKillPending = !spec.version.atLeast(8)
            a.placementValues = placement
            apps.append(a)
            appIndex[def.id] = i
        }
        let prefixes = apps.map(\.taskPrefix)
        let uses = Dictionary(prefixes.map { ($0, 1) }, uniquingKeysWith: +)
        uniqueTaskPrefix = prefixes.map { uses[$0] == 1 }
        deployments = Deployments(scheduler: self)
        // Marathon instances run on the hosts of `hostGroup` (default: the Mesos masters' group).
        let infra = model.infrastructure
        let group = datacenter?.hostGroup ?? spec.hostGroup ?? mesos.masters.first.map { infra.hosts[$0.host].group } ?? infra.groupNames[0]
        let hosts = infra.hostsByGroup[group] ?? []
        let processHosts = hosts.isEmpty ? [] : (0..<spec.instances).map { hosts[$0 % hosts.count] }
        latch = LeaderLatch(zooKeeper: zooKeeper, path: "/\(instanceName)/leader", hosts: processHosts,
                            sessionTimeout: spec.flags.zkSessionTimeout, owner: self,
                            onSuspended: spec.version.atLeast(6) && !spec.version.atLeast(7, 149) ? .keepLeadership : .loseLeadership)
    }

    public func register(in sim: Simulation) {
        target = sim.register(self)
        for p in peers { p.register(in: sim) }
    }

    public var frameworkName: String { instanceName }
    /// The leader's driver runs only while it is ready: what Mesos sends meanwhile is lost (an
    /// agent's update is resent, the master's own is found by the next reconciliation).
    public var receivesUpdates: Bool { leaderReady }
    /// `--enable_features task_killing` (MarathonSchedulerDriver.scala): TASK_KILLING from Mesos.
    public var taskKillingState: Bool { spec.flags.taskKillingState }
    /// A data center's Marathon stands for a Mesos cluster of its own: only its agents are offered.
    public var agentDatacenter: String? { datacenter }
    public var role: String { spec.flags.mesosRole }

    func log(_ event: String, _ subject: String, _ detail: String = "") { model.log(instanceName, event, subject, detail) }
    var now: SimTime { model.sim.now }
    var sim: Simulation { model.sim }

    /// Never zero (decoding refuses 0): a zero period would refresh at the same instant forever.
    var tokenRefreshPeriod: SimDuration { max(spec.flags.launchTokenRefreshInterval, .millisecond) }

    public func start() {
        driver = mesos.addFramework(self)
        driver.suppressOffers()
        suppressed = true
        latch.start()
        sim.schedule(after: tokenRefreshPeriod, target: target, kind: Kind.tokenRefresh.rawValue)
        deployments.start()
        for p in peers { p.start() }
    }

    // MARK: - Leader election (Curator LeaderLatch: lowest sequence leads)

    /// The process exits on session loss and is restarted by its supervisor.
    public func latchSessionLost(_ i: Int) { supervisorRestarts(i) }

    func supervisorRestarts(_ i: Int) {
        sim.schedule(after: Self.processRestartDelay, target: target, kind: Kind.processRestart.rawValue, arg: Int64(i))
    }

    /// Marathon exits whenever it stops leading: 1.4/1.5 `CuratorElectionService.stop(exit = true)`
    /// from the latch's `notLeader`; 1.6 and later `ElectionServiceImpl` ("Lost leadership;
    /// crashing"). Its supervisor starts it again.
    public func latchLost(_ l: Int, reason: LeaderLatch.LossReason, live: Bool) {
        if reason != .anotherLeads { log("leaderAbdicated", processName(l), reason.rawValue) }
        loseLeadership(l)
        // its event streams close (marathon-lb reconnects); a dead process's were cut with its host
        if live { model.signals.publish(.marathonLeadershipLost(process: l, host: processes[l].host, exits: reason != .sessionExpired)) }
        if reason != .sessionExpired, live {
            latch.exit(l)
            supervisorRestarts(l)
        }
    }

    /// "marathon2@master-02"; with one Marathon per data center "marathon-dc01-2@master-02".
    func processName(_ i: Int) -> String {
        (datacenter == nil ? "marathon" : instanceName + "-") + "\(i + 1)@\(model.infrastructure.hosts[processes[i].host].name)"
    }

    /// The live contender with the lowest sequence leads (LeaderLatch).
    public func latchElected(_ l: Int) {
        leaderChanges.append((now, processName(l)))
        log("leaderElected", processName(l), "preparing (\(Self.electionPrepareTime))")
        sim.schedule(after: Self.electionPrepareTime, target: target, kind: Kind.prepareDone.rawValue, arg: Int64(l))
    }

    func loseLeadership(_ l: Int) {
        if leaderReady { failovers.append((now, nil)) }
        leaderReady = false
        leaderChanges.append((now, nil))
        log("leadershipLost", processName(l))
        // The framework is disconnected: no offers until a new leader registers.
        driver.suppressOffers()
        suppressed = true
        for a in apps { a.tickGeneration += 1 }   // stop this leader's health-check actors
        deployments.leaderLost()
    }

    func leaderPrepared(_ l: Int) {
        guard leader == l, !leaderReady else { return }
        leaderReady = true
        if let i = failovers.indices.last, failovers[i].readyAt == nil { failovers[i].readyAt = now }
        log("leaderReady", processName(l), "registered with Mesos; reconciling \(byTask.count) tasks")
        reconcileGeneration += 1
        sim.schedule(after: spec.flags.reconciliationInitialDelay, target: target, kind: Kind.reconcile.rawValue,
                     arg: Int64(reconcileGeneration))
        // the leader's expunge job starts with it: the unreachable, inactive instances it inherits
        // wait for its ticks
        expungeJobStart = now
        expungeJobGeneration += 1
        for a in apps { for inst in a.instances where inst.isUnreachable && inst.replaced { scheduleExpungeTick(inst) } }
        for a in apps { a.tickGeneration += 1; startHealthChecks(a) }
        resetReviveState()
        killTimerPhase = now
        scaleTickGeneration += 1
        scaleTickAt = nil
        armScaleTick()
        // the new leader's OverdueTasksActor finds the launches still pending (the old checks lapse)
        overdueGeneration += 1
        for a in apps { for inst in a.instances where inst.runningSince == nil && overdueTimeout(inst.state) != nil { scheduleOverdueCheck(inst) } }
        deployments.leaderReady()
        for a in apps { startReadinessChecks(a) }
        updateOfferInterest()
    }

    var leaderHost: Int? { leader.map { processes[$0].host } }

    // MARK: - Hosts

    /// `orderly` (a reboot): the JVM's shutdown hook stops the election service, which closes the
    /// latch and the Curator client (v1.4.9 `CuratorElectionService`: `system.registerOnTermination
    /// { stop(exit = false) }`), so the session ends and the next instance leads at once; a crash
    /// leaves the session to expire.
    func hostWentDown(_ host: Host, orderly: Bool = false) {
        for i in latch.hostWentDown(host.index, closingSessions: orderly) where leader == i {
            // Followers learn of it when the session ends: now if closed, else when the ensemble
            // expires it (the latch elects then).
            log("leaderProcessDown", processName(i), "host \(host.name) down")
            leaderReady = false
            failovers.append((now, nil))
            for a in apps { a.tickGeneration += 1 }
            deployments.leaderLost()
        }
    }

    func hostCameUp(_ host: Host) { latch.hostCameUp(host.index) }

    // MARK: - Events

    public func handle(_ event: Event, in sim: Simulation) {
        switch Kind(rawValue: event.kind)! {
        case .tokenRefresh:
            let before = launchTokens
            launchTokens = spec.flags.launchTokens
            sim.schedule(after: tokenRefreshPeriod, target: target, kind: Kind.tokenRefresh.rawValue)
            if hasDemand { updateOfferInterest() }
            launchTokensReturned(from: before)
        case .revive:
            guard event.arg == Int64(reviveGeneration), leaderReady else { return }
            reviveCheckScheduled = false
            if spec.version.reviveRules == .stream {
                // ReviveRepeaterLogic.handleTick: repeat if the role still wants offers.
                if offersWanted { sendRevive() }
            } else if revivesNeeded > 0 {
                reviveNow()
            }
        case .reviveState:
            reviveStateScheduled = false
            updateOfferInterest()
        case .healthTick:
            healthTick(event.arg)
        case .healthResult:
            healthResult(event.arg)
        case .launchTimeout:
            launchTimedOut(Self.overdueTask.decode(event.arg), generation: Self.overdueGeneration.decode(event.arg))
        case .killRetry:
            killRetry(Self.killTask.decode(event.arg), attempts: Self.killAttempts.decode(event.arg))
        case .reconcile:
            reconcileTasks(generation: Int(event.arg))
        case .expungeTick:
            expungeTick(TaskID(event.arg))
        case .scaleTick:
            scaleTick(generation: Int(event.arg))
        case .prepareDone:
            leaderPrepared(Int(event.arg))
        case .rateLimiterCleanup:
            let removed = rateLimiter.cleanUp(now: sim.now)
            for k in removed { log("backoffForgotten", k.appID, "launch delay record removed") }
            if rateLimiter.count > 0 {
                sim.schedule(after: RateLimiter.cleanupInterval, target: target, kind: Kind.rateLimiterCleanup.rawValue)
            } else { rateLimiterCleanupScheduled = false }
            if !removed.isEmpty { updateOfferInterest() }
        case .backoffOver:
            // 1.10: the delay's end makes the app's scheduled instances wanted again (NotDelayed).
            reviveVersion += 1
            updateOfferInterest()
        case .readinessTick:
            readinessTick(TaskID(event.arg))
        case .processRestart:
            latch.restart(Int(event.arg))
        case .deploymentCheck:
            deployments.check(Int(event.arg))
        }
    }

    // MARK: - Launch queue and offers

    var hasDemand: Bool { !appsWithDemand.isEmpty }

    /// Apps with launches queued, in app order.
    var appsWithDemand: [Int] {
        assert(demand.apps == apps.filter { $0.toLaunch > 0 }.map(\.index), "DemandTracker out of step with toLaunch")
        return demand.apps
    }

    /// Some app has instances to launch and is not in back-off: its launcher is registered as an
    /// offer matcher (1.4 TaskLauncherActor / OfferMatcherManager `offersWanted`; 1.10
    /// ReviveOffersState: scheduled instances whose config ref is not delayed).
    var launchesWanted: Bool {
        for ai in appsWithDemand {
            if rateLimiter.count == 0 { return true }
            if rateLimiter.deadline(apps[ai].launchKey).map({ $0 <= now }) ?? true { return true }
        }
        return false
    }

    /// Revive and suppress as each version does it (never "every 5 s while demand remains";
    /// `MarathonVersion.reviveRules`). 1.4.0-1.8.207, ReviveOffersActor (marathon:src/main/scala/mesosphere/marathon/core/flow/impl/ReviveOffersActor.scala@v1.4.13:43,96-104):
    /// when offers become wanted (or the framework re-registers while they are), a series of
    /// `revive_offers_repetitions` (3) revives spaced `min_revive_offers_interval` (5 s) apart;
    /// nothing while they stay wanted. 1.8.218-1.8.244, the first ReviveOffersStreamLogic
    /// (core/launchqueue/impl/ReviveOffersStreamLogic.scala@v1.8.218 `suppressOrReviveFromDiff`, the
    /// ops throttled one per interval): newly scheduled instances without back-off give three
    /// revives, the first as soon as the throttle lets it, the others one interval apart
    /// (`revive_offers_repetitions` has no effect there). 1.9-1.10, ReviveOffersStreamLogic
    /// (@v1.10.5:62-80,180-240, the same from v1.9.64): the state is
    /// read at most once per interval; offers newly wanted, or newly scheduled instances, give one
    /// revive plus one repeat on the second repeater tick after it. Suppress when nothing is wanted
    /// and --suppress_offers.
    func updateOfferInterest() {
        guard leaderReady else { return }
        let wanted = launchesWanted
        let rules = spec.version.reviveRules
        if rules == .stream {
            if let last = lastReviveStateAt, now - last < spec.flags.minReviveOffersInterval {
                if !reviveStateScheduled {
                    reviveStateScheduled = true
                    sim.schedule(at: last + spec.flags.minReviveOffersInterval, target: target, kind: Kind.reviveState.rawValue)
                }
                return
            }
            lastReviveStateAt = now
            if wanted {
                if !offersWanted || reviveVersion > emittedReviveVersion {
                    offersWanted = true
                    sendRevive()
                    // ReviveRepeaterLogic: repeatIn = 2 ticks; ticks every interval from the stream's start.
                    let i = max(spec.flags.minReviveOffersInterval.nanoseconds, 1)   // the flag may be 0
                    let k = (now - reviveTickPhase).nanoseconds / i + 1
                    reviveGeneration += 1
                    sim.schedule(at: reviveTickPhase + SimDuration(nanoseconds: (k + 1) * i), target: target,
                                 kind: Kind.revive.rawValue, arg: Int64(reviveGeneration))
                }
            } else {
                offersWanted = false
            }
            emittedReviveVersion = reviveVersion
        } else if rules == .scheduledSeries {
            // diffScheduled non-empty: List(Revive, Revive, Revive) into the throttle (revives
            // already waiting there stay).
            if wanted && reviveVersion > emittedReviveVersion {
                revivesNeeded += MarathonScheduler.scheduledSeriesRevives
                reviveNow()
            }
            offersWanted = wanted
            emittedReviveVersion = reviveVersion
        } else {
            if wanted && !offersWanted {
                offersWanted = true
                newReviveSeries()
            } else if !wanted && offersWanted {
                offersWanted = false
                revivesNeeded = 0
                reviveGeneration += 1
                reviveCheckScheduled = false
            }
        }
        if !wanted && spec.flags.suppressOffers && !suppressed {
            suppressed = true
            driver.suppressOffers()
        }
    }

    /// Launch tokens back after they ran out (1.4-1.9). OfferMatcherManagerActor computes
    /// `offersWanted = matchers.nonEmpty && launchTokens > 0` and publishes it whenever the tokens
    /// go from none to some, by the periodic reset (`SetInstanceLaunchTokens`, `tokens > 0 &&
    /// tokensBeforeSet <= 0`) or by a running instance's token (`AddInstanceLaunchTokens`,
    /// `launchTokens == tokens`); the stream reaches ReviveOffersActor undeduplicated (CoreModuleImpl
    /// `combineLatest(...).map(_ || _)`), and each `OffersWanted(true)` starts a new series of
    /// revives (`initiateNewSeriesOfRevives`), which also clears the 120 s filters of the offers
    /// declined meanwhile. Sources: marathon
    /// src/main/scala/mesosphere/marathon/core/matcher/manager/impl/OfferMatcherManagerActor.scala
    /// @v1.4.13:94-129 (same at v1.5.0, v1.6.322, v1.8.180, v1.9.73: 133-167),
    /// core/CoreModuleImpl.scala@v1.4.13:170-180, core/flow/impl/ReviveOffersActor.scala@v1.4.0:96-104.
    /// From 1.8.218 the launch queue's state drives revives instead (ReviveOffersStreamLogic): nothing here.
    func launchTokensReturned(from before: Int) {
        guard before <= 0, launchTokens > 0, leaderReady, spec.version.reviveRules == .offersWantedSeries else { return }
        guard offersWanted, launchesWanted else { return }
        newReviveSeries()
    }

    /// ReviveOffersActor.initiateNewSeriesOfRevives.
    /// ReviveOffersStreamLogic@v1.8.218: `List(Revive, Revive, Revive)` per newly scheduled instances.
    static let scheduledSeriesRevives = 3

    func newReviveSeries() {
        revivesNeeded = spec.flags.reviveOffersRepetitions
        reviveNow()
    }

    /// ReviveOffersActor.reviveOffers: revive now if the last one is at least the interval ago
    /// (then schedule the next of the series), else check again when it is.
    func reviveNow() {
        let interval = spec.flags.minReviveOffersInterval
        if let last = lastRevive, last + interval > now {
            if !reviveCheckScheduled { scheduleReviveCheck(at: last + interval) }
            return
        }
        reviveGeneration += 1
        reviveCheckScheduled = false
        sendRevive()
        revivesNeeded -= 1
        if revivesNeeded > 0 { scheduleReviveCheck(at: now + interval) }
    }

    func scheduleReviveCheck(at t: SimTime) {
        reviveCheckScheduled = true
        sim.schedule(at: t, target: target, kind: Kind.revive.rawValue, arg: Int64(reviveGeneration))
    }

    func sendRevive() {
        lastRevive = now
        revivesSent += 1
        log("reviveOffers", frameworkName, "revive \(revivesSent)")
        suppressed = false
        driver.reviveOffers()
    }

    /// Forget the revive state (a new leader starts its actors afresh).
    func resetReviveState() {
        offersWanted = false
        revivesNeeded = 0
        reviveGeneration += 1
        reviveCheckScheduled = false
        lastReviveStateAt = nil
        reviveTickPhase = now
    }

    func queueLaunches(_ a: MarathonAppState, _ n: Int) {
        guard n > 0 else { return }
        a.toLaunch += n
        reviveVersion += 1
        updateOfferInterest()
    }

    /// The offer's agent as constraints see it: its hostname and attributes (the agent's
    /// `--attributes`, which are the host's), read once per host.
    func placementHost(_ host: Int) -> PlacementHost { placement.host(host) }

    /// Whether an offer from agent `host` meets app `a`'s constraints with `extra` of its instances
    /// already taken from the same offer: by the app's counts, or (`placementIndexed` false) by the
    /// list of its placed instances plus those `extra`, as Marathon walks it.
    func meetsConstraints(_ a: MarathonAppState, _ constraints: [PlacementConstraint], host: Int, extra: Int) -> Bool {
        if placementIndexed && !placementCrossCheck, let p = a.changes.placement {
            return p.meetsAll(offer: host, extra: extra, first: p.needsFirst ? firstPlacedHost(a) : nil)
        }
        let offer = placementHost(host)
        let placed = a.instances.filter { $0.isActive }.map { placementHost($0.host) } + Array(repeating: offer, count: extra)
        let listed = Constraints.meetsAll(constraints, offer: offer, placed: placed)
        if placementCrossCheck {
            placementChecks += 1
            let counted = a.changes.placement.map { p in p.meetsAll(offer: host, extra: extra, first: p.needsFirst ? firstPlacedHost(a) : nil) }
            if counted != listed, placementMismatches.count < 10 {
                placementMismatches.append("\(now) \(a.id) on \(offer.hostname) (+\(extra)): list \(listed), counts \(counted.map(String.init) ?? "none")")
            }
        }
        return listed
    }

    /// The agent of the app's first placed instance (instance order): the first of `instances` but
    /// for one stopped in the same event that is removing it.
    func firstPlacedHost(_ a: MarathonAppState) -> Int? {
        for i in a.instances where i.isActive { return i.host }
        return nil
    }

    public func resourceOffers(_ offers: [Offer]) {
        guard leaderReady else {
            for o in offers { driver.decline(offer: o.id, refuseSeconds: spec.flags.declineOfferDuration.seconds) }
            return
        }
        for o in offers { matchOffer(o) }
        updateOfferInterest()
    }

    /// Matches one offer against the launch queue: apps with demand in a shuffled order (the offer
    /// matcher manager asks its matchers in random order), up to max_instances_per_offer
    /// instances, each within the remaining resources and ports, meeting the app's constraints,
    /// not in back-off, and while launch tokens last.
    func matchOffer(_ offer: Offer) {
        var remaining = offer.resources
        var launches: [TaskLaunch] = []
        var launched: [(MarathonAppState, Int64)] = []   // app, config version
        let demandList = appsWithDemand
        if demandList.isEmpty {
            driver.decline(offer: offer.id, refuseSeconds: spec.flags.declineOfferDuration.seconds)
            return
        }
        var candidates = matchOrder
        matchOrder = []   // the buffer is ours until it goes back below (unique: no copy on write)
        candidates.removeAll(keepingCapacity: true)
        candidates.append(contentsOf: demandList)
        defer { matchOrder = candidates }
        if candidates.count > 1 {
            for i in stride(from: candidates.count - 1, to: 0, by: -1) {
                candidates.swapAt(i, offerStream.int(below: i + 1))
            }
        }
        let maxPerOffer = spec.flags.maxInstancesPerOffer
        outer: for ai in candidates {
            let a = apps[ai]
            // The offer is full or the tokens are spent: stop before looking at the app (what
            // follows for an app only reads state until it launches).
            if launches.count >= maxPerOffer || launchTokens <= 0 { break }
            if rateLimiter.count > 0, let d = rateLimiter.deadline(a.launchKey), d > now { continue }
            let def = a.definition   // one copy per app, not one per use
            // Where the app's instances run matters to constraints only: its counts (PlacementIndex.swift).
            var taken = 0
            var pending = a.toLaunch
            while pending > 0 {
                if launches.count >= maxPerOffer || launchTokens <= 0 { break outer }
                // ports are taken from a copy: an instance that does not fit leaves the offer as it was
                var trial = remaining
                guard let ports = takePorts(def.launchPorts, from: &trial) else {
                    if taken == 0 { a.rejections.note(.ports) }
                    break
                }
                let res = def.resources
                guard res.fits(in: trial) else {
                    if taken == 0 {
                        a.rejections.note(res.cpus > trial.cpus ? .cpus : res.memMB > trial.memMB ? .memory : .disk)
                    }
                    break
                }
                guard def.constraints.isEmpty || meetsConstraints(a, def.constraints, host: offer.agent, extra: taken) else {
                    if taken == 0 { a.rejections.note(.constraint) }
                    break
                }
                remaining = trial
                remaining.cpus -= res.cpus; remaining.memMB -= res.memMB; remaining.diskMB -= res.diskMB
                var r = res
                r.ports = PortSet(ports.map { $0...$0 })
                let name = datacenter.map { "\(a.taskPrefix).\($0).\(a.nextInstanceNumber)" } ?? "\(a.taskPrefix).\(a.nextInstanceNumber)"
                a.nextInstanceNumber += 1
                // A container without an image (no `container`, or a MESOS one without `docker.image`)
                // pulls nothing: the Mesos containerizer provisions an image only when ContainerInfo
                // has one and otherwise runs the command in the host's filesystem
                // (mesos:src/slave/containerizer/mesos/containerizer.cpp@1.4.0:1136 `has_image()`).
                launches.append(TaskLaunch(name: name, framework: frameworkName, resources: r,
                                           image: def.image.map { ImageRef(name: $0, sizeBytes: a.behaviour.imageSizeBytes) },
                                           behaviour: a.behaviour.task, mesosHealthCheck: def.mesosHealthCheck,
                                           network: def.networkMode.taskNetwork, source: def.id,
                                           nameNeverRepeats: uniqueTaskPrefix[ai],
                                           idLength: spec.version.mesosIDLength(of: def),   // TaskIDs.swift
                                           mesosContainerizer: def.usesMesosContainerizer))
                launched.append((a, a.configVersion))
                taken += 1
                pending -= 1
                launchTokens -= 1
            }
        }
        guard !launches.isEmpty else {
            noteUnplaced(candidates)
            driver.decline(offer: offer.id, refuseSeconds: spec.flags.declineOfferDuration.seconds)
            return
        }
        // Marathon accepts with Filters.refuse_seconds 0 ("so we get the same offer in the next
        // allocator cycle"): what it leaves over is offered again at the next allocation
        // (marathon:src/main/scala/mesosphere/marathon/core/launcher/impl/TaskLauncherImpl.scala@v1.4.13:28,33,
        // the same in @v1.10.5).
        guard let ids = driver.launch(offer: offer.id, tasks: launches, refuseSeconds: 0) else { return }
        for (k, id) in ids.enumerated() {
            let (a, version) = launched[k]
            a.toLaunch -= 1
            a.launchedTotal += 1
            a.unplacedSince = nil
            a.loggedUnplaced = false
            a.rejections = OfferRejections()
            let inst = MarathonInstance(task: id, name: launches[k].name, app: a.index, version: version, host: offer.agent,
                                        launchedAt: now, checks: a.definition.healthChecks.count,
                                        hasReadiness: !a.definition.readinessChecks.isEmpty, changes: a.changes)
            a.addInstance(inst)
            a.revision &+= 1
            byTask[id] = inst
            scheduleOverdueCheck(inst)
        }
    }

    /// An offer with demand queued was declined: the apps out of back-off are waiting for offers
    /// from now (if not already), and those waiting for 5 minutes are logged.
    func noteUnplaced(_ candidates: [Int]) {
        for ai in candidates {
            let a = apps[ai]
            if a.unplacedSince == nil && (rateLimiter.deadline(a.launchKey).map { $0 <= now } ?? true) { a.unplacedSince = now }
        }
        logUnplaced(appsWithDemand)
    }

    /// `offerOutlook`'s apps that the offer did not fit, and why (a buffer kept between calls).
    var outlookRejections: [(Int, OfferRejections.Reason)] = []

    /// fidelity.offers `fast` (docs/marathon.md "Fidelity"): what `matchOffer` would do with an
    /// offer of `resources` on `host`, without drawing: decline it when no app out of back-off
    /// fits its first instance in it (resources, then ports), or when launches cannot happen at all
    /// (not leading, nothing queued, tokens spent); an app with constraints queued makes the pass
    /// exact (`.matchEveryOffer`). A decline has the side effects the real one has, the apps'
    /// rejection counts among them (`outlookRejections`).
    public func offerOutlook(host: Int, resources: Resources) -> OfferOutlook {
        let refuse = spec.flags.declineOfferDuration.seconds
        guard leaderReady else { return .allDeclined(refuseSeconds: refuse) }
        let demandList = appsWithDemand
        if demandList.isEmpty { return .allDeclined(refuseSeconds: refuse) }
        if launchTokens <= 0 || spec.flags.maxInstancesPerOffer <= 0 {
            noteUnplaced(demandList)
            return .allDeclined(refuseSeconds: refuse)
        }
        var dependsOnAgent = false
        outlookRejections.removeAll(keepingCapacity: true)
        for ai in demandList {
            let a = apps[ai]
            if rateLimiter.count > 0, let d = rateLimiter.deadline(a.launchKey), d > now { continue }
            let needs = a.launchNeeds
            if needs.constrained { return .matchEveryOffer }
            dependsOnAgent = true
            var remaining = resources
            guard takePorts(needs.ports, from: &remaining) != nil else { outlookRejections.append((ai, .ports)); continue }
            let r = needs.resources
            if r.fits(in: remaining) { return .wanted }
            outlookRejections.append((ai, r.cpus > remaining.cpus ? .cpus : r.memMB > remaining.memMB ? .memory : .disk))
        }
        // declined: each app counts the offer as matchOffer would have (a wanted offer is counted there)
        for (ai, why) in outlookRejections { apps[ai].rejections.note(why) }
        noteUnplaced(demandList)
        return dependsOnAgent ? .declined(refuseSeconds: refuse) : .allDeclined(refuseSeconds: refuse)
    }

    /// An app that found no fitting offer for 5 minutes is logged once ("waiting": constraints or
    /// resources cannot be met now); it keeps waiting, as Marathon does.
    func logUnplaced(_ candidates: [Int]) {
        let now = self.now
        for ai in candidates {
            let a = apps[ai]
            guard a.toLaunch > 0, !a.loggedUnplaced else { continue }
            if let s = a.unplacedSince, now - s >= .minutes(5) {
                a.loggedUnplaced = true
                let why = a.rejections.isEmpty ? "" : " (since its last launch: \(a.rejections.summary))"
                log("waitingForOffers", a.id, "\(a.toLaunch) instance(s) not placeable for \(now - s): no offer meets resources, ports or constraints" + why)
            }
        }
    }

    /// Host ports for one instance: fixed ones must be in the offer, dynamic ones (0) take the
    /// lowest free ports of the offer (Marathon picks them from the offered ranges).
    /// `appPorts`: the app definition's `ports` (not the whole definition: an app's stored
    /// definition passed by value is copied, ~25 reference counts, at every offer).
    func takePorts(_ appPorts: [AppPort], from remaining: inout Resources) -> [Int]? {
        let fixed = AppDefinition.fixedHostPorts(appPorts)
        let dynamic = AppDefinition.hostPortCount(appPorts) - fixed.count
        var ports = remaining.ports
        for p in fixed {
            guard ports.contains(p) else { return nil }
            ports.remove(p)
        }
        guard let dyn = ports.lowest(dynamic) else { return nil }
        for p in dyn { ports.remove(p) }
        remaining.ports = ports
        return fixed + dyn
    }

    public func offerRescinded(_ offer: Int64) {}

    /// SchedulerRegisteredEvent / SchedulerReregisteredEvent: a new series of revives when offers
    /// are wanted (1.4.0-1.8.207, core/flow/impl/ReviveOffersActor `receiveReviveOffersEvents`).
    public func registered(reregistered: Bool) {
        guard leaderReady else { return }
        // From 1.8.218 the revive stream does not listen to (re-)registration: no revive of its own.
        if offersWanted && spec.version.reviveRules == .offersWantedSeries { newReviveSeries(); return }
        updateOfferInterest()
    }

    /// The scheduler driver lost its master (the leading master failed, or another leads): Marathon
    /// stops the driver, `driver.stop(true)` (MarathonScheduler.disconnected, v1.4.9 to v1.10.5: "this
    /// avoids ambiguity and delegates leadership-abdication responsibility"); the driver's `run()`
    /// returns and MarathonSchedulerService's `onComplete`, finding its driver still set, calls
    /// `electionService.abdicateLeadership()`: the latch and the ZooKeeper client are closed (the next
    /// instance leads at once) and the process exits (`crashStrategy.crash()` 500 ms later); its
    /// supervisor starts it again. So every Mesos master failover is a Marathon leader change too.
    public func disconnected() {
        // a leader still preparing has no driver yet (it is created after `preDriverStarts`)
        guard let l = leader, leaderReady else { return }
        latch.abdicate(l)
    }

    // MARK: - Status updates

    public func statusUpdate(_ u: TaskStatusUpdate) {
        guard leaderReady else { return }
        guard let inst = byTask[u.task] else { return }
        let a = apps[inst.app]
        defer { refreshSatisfied(a) }
        let old = inst.state
        var healthChanged = false
        if let h = u.healthy, inst.mesosHealthy != h {
            inst.mesosHealthy = h
            a.revision &+= 1
            healthChanged = true
            log("healthStatusChanged", inst.name, h ? "healthy (Mesos-level check)" : "unhealthy (Mesos-level check)")
            model.signals.publish(.healthStatusChanged(app: inst.app, task: inst.task, alive: h))
            deployments.instanceHealthChanged(inst)
        }
        // OfferMatcherLaunchTokensActor: every update of a running instance that is not unhealthy
        // (Mesos-level `healthy` absent or true) gives one launch token back, besides the reset every
        // launch_token_refresh_interval (core/flow/impl/OfferMatcherLaunchTokensActor.scala@v1.4.13:51-53,
        // @v1.10.5:44-46: InstanceUpdated / InstanceChanged, so a status update that changes nothing is
        // not counted).
        if (healthChanged || u.state != old) && u.state == .running && inst.mesosHealthy != false {
            let before = launchTokens
            launchTokens += 1
            launchTokensReturned(from: before)
        }
        if u.state == old {
            // A further TASK_UNREACHABLE (in practice a reconciliation answer) is when the
            // unreachable strategy's deadlines are checked.
            if u.state == .unreachable { unreachableDeadlines(inst, changed: false) }
            return
        }
        inst.state = u.state
        a.revision &+= 1
        if healthIncremental { healthInstanceChanged(inst, of: a) } else { healthInstancesChanged(inst.app) }
        model.signals.publish(.instanceChanged(app: inst.app, task: inst.task, condition: u.state))
        let condition = InstanceCondition(u.state, reason: u.reason)
        // The launch delay is kept per (app, config version) of the instance.
        let key = LaunchDelayKey(appID: a.id, configVersion: inst.version)
        rateLimiter.conditionChanged(key, to: condition, strategy: a.definition.backoff, now: now)
        if condition.growsLaunchDelay {
            if let d = rateLimiter.deadline(key), d > now {
                sim.schedule(at: d, target: target, kind: Kind.backoffOver.rawValue, arg: Int64(a.index))
                log("launchDelayed", a.id, "back-off \(rateLimiter.delay(key)!.currentDelay) after \(u.state.rawValue) of \(inst.name)")
            }
            if !rateLimiterCleanupScheduled {
                rateLimiterCleanupScheduled = true
                sim.schedule(after: RateLimiter.cleanupInterval, target: target, kind: Kind.rateLimiterCleanup.rawValue)
            }
        }
        switch u.state {
        case .running:
            if inst.isUnreachable {
                inst.unreachableSince = nil
                log("instanceReachable", inst.name, "back from unreachable")
                if inst.replaced { inst.replaced = false; scaleCheck(a) }
            }
            if inst.runningSince == nil {
                inst.runningSince = now
                startReadiness(inst)
            }
            deployments.instanceHealthChanged(inst)
        case .unreachable:
            guard inst.unreachableSince == nil else { return }
            inst.unreachableSince = now
            inst.expungeTick = nil   // a new episode: an earlier one's tick does not count
            switch a.definition.unreachableStrategy {
            case .disabled:
                log("instanceUnreachable", inst.name, "unreachableStrategy disabled: not replaced")
            case .enabled(let inactiveAfter, let expungeAfter):
                log("instanceUnreachable", inst.name, "inactive after \(inactiveAfter) (checked on each TASK_UNREACHABLE), expunged after \(expungeAfter)"
                    + (spec.version.expungesUnreachableOnUpdate ? " (on that update, else by the expunge job)" : " (by the expunge job)"))
            }
            deployments.instanceHealthChanged(inst)
            // Unreachable is one of the conditions a restart considers terminal; the instance is
            // not relaunched for it yet (that waits for UnreachableInactive).
            deployments.instanceTerminated(inst, wanted: false)
            unreachableDeadlines(inst, changed: true)
        default:
            if u.state.isTerminal { instanceTerminated(inst, u) }
        }
    }

    func instanceTerminated(_ inst: MarathonInstance, _ u: TaskStatusUpdate) {
        let a = apps[inst.app]
        byTask[inst.task] = nil
        a.removeInstance(inst)
        switch u.state {
        case .failed, .error: a.failedTotal += 1
        case .killed: a.killedTotal += 1
        case .lost, .gone, .goneByOperator, .dropped: a.lostTotal += 1
        default: break
        }
        let wanted = inst.goal == .running && !inst.replaced
        deployments.instanceTerminated(inst, wanted: wanted)
        // An instance that should still run is replaced through the launch queue (the back-off
        // of its app applies).
        if wanted && !deployments.managesLaunches(a) {
            scaleCheck(a)
        } else if !wanted && a.changes.countsKillPending {
            // 1.4-1.7: ScaleAppUpdateStepImpl asks for a scale check at every terminal update; an
            // instance killed for a scale-down or a restart counted until now. Under a deployment's
            // lock it is refused: the deployment's end looks whether the app is left off target.
            if deployments.deployment(of: a.index) == nil { scaleCheck(a) }
        }
    }

    /// `a` may be off target where no scale check follows: the periodic check will look at it.
    func needsScaleCheck(_ a: MarathonAppState) {
        guard a.changes.countsKillPending else { return }
        scaleTickApps.set(a.index, wanted: true)
        armScaleTick()
    }

    func armScaleTick() {
        guard leaderReady, !scaleTickApps.apps.isEmpty, scaleTickAt == nil else { return }
        let first = killTimerPhase + spec.flags.scaleAppsInitialDelay
        var t = first
        if now >= first {
            let step = max(spec.flags.scaleAppsInterval.nanoseconds, 1)
            t = first + SimDuration(nanoseconds: ((now - first).nanoseconds / step + 1) * step)
        }
        scaleTickAt = t
        sim.schedule(at: t, target: target, kind: Kind.scaleTick.rawValue, arg: Int64(scaleTickGeneration))
    }

    func scaleTick(generation: Int) {
        guard generation == scaleTickGeneration, scaleTickAt == now else { return }
        scaleTickAt = nil
        guard leaderReady else { return }
        for i in scaleTickApps.apps where deployments.deployment(of: i) == nil {
            scaleTickApps.set(i, wanted: false)
            scaleCheck(apps[i])
        }
        armScaleTick()
    }

    /// Launch or kill so that the app has its target number of instances (the scale check
    /// Marathon runs after instance changes and every scale_apps_interval).
    /// Returns how many launches it queued and the instances it chose to kill.
    @discardableResult
    func scaleCheck(_ a: MarathonAppState) -> (queued: Int, killed: [TaskID]) {
        let have = a.countedTowardsTarget + a.toLaunch
        let want = a.definition.instances
        if have < want {
            queueLaunches(a, want - have)
            return (want - have, [])
        } else if have > want {
            var excess = have - want
            let fromQueue = min(excess, a.toLaunch)
            a.toLaunch -= fromQueue
            excess -= fromQueue
            if excess > 0 { return (0, killForScaleDown(a, excess)) }
        }
        return (0, [])
    }

    /// ScalingProposition.propose's candidates: the instances the scale counted, and before 1.8 also
    /// those in TASK_KILLING (last in the kill order); an instance already being killed takes its
    /// turn with a kill that changes nothing. Never an UnreachableInactive one (not active).
    @discardableResult
    func killForScaleDown(_ a: MarathonAppState, _ n: Int) -> [TaskID] {
        let legacy = a.changes.countsKillPending
        let cands = a.instances.filter { $0.isActive && !$0.replaced && (legacy || $0.goal == .running) }.map { i in
            ScaleDownCandidate(id: i.task, condition: i.isUnreachable ? .unreachable : InstanceCondition(i.state),
                               since: i.runningSince ?? i.launchedAt)
        }
        let chosen = Array(ScalingProposition.killOrder(cands, killSelection: a.definition.killSelection).prefix(n))
        for id in chosen {
            if let inst = byTask[id] { kill(inst, reason: "scale down") }
        }
        return chosen
    }

    /// Kills an instance. `replace`: it still counts towards the target until it is gone, and a
    /// replacement is launched then (kills for failed health checks and launch timeouts);
    /// otherwise it is decommissioned (scale-down, restarts).
    func kill(_ inst: MarathonInstance, reason: String, replace: Bool = false) {
        guard inst.isActive else { return }
        if !replace { inst.goal = .decommissioned }
        guard !inst.killRequested else { return }
        inst.killRequested = true
        log("killInstance", inst.name, reason)
        driver.kill(task: inst.task)
        scheduleKillRetry(inst.task, attempts: 1)
    }

    /// KillServiceActor (core/task/termination/impl/KillServiceActor.scala@v1.4.13:52-54,140-182): a
    /// retry timer ticks every `kill_retry_timeout` from the actor's start (the leader's); at each tick
    /// a kill issued more than `kill_retry_timeout` ago and not yet answered by a terminal (or
    /// unreachable: InstanceChangedPredicates.considerTerminal) condition is sent again. There is no
    /// maximum: the class comment's "maximum number of retries ... expunged" is not in the code (no
    /// such flag in KillConfig up to 1.10.x). Until then the instance is Killing, active, counted
    /// towards the target, so no replacement is launched for it. What ends the kill is the agent
    /// side (the process exits within the grace period; a `docker stop` that hangs returns when the
    /// container's I/O resumes or the daemon goes).
    func scheduleKillRetry(_ task: TaskID, attempts: Int) {
        let timeout = spec.version.defaultKillRetryTimeout.nanoseconds
        let due = now + SimDuration(nanoseconds: timeout)
        let k = (due - killTimerPhase).nanoseconds / timeout + 1   // first tick strictly after `due`
        sim.schedule(at: killTimerPhase + SimDuration(nanoseconds: k * timeout), target: target, kind: Kind.killRetry.rawValue,
                     arg: Self.killAttempts.encode(min(attempts, 1 << 22)) | Self.killTask.encode(task))
    }

    func killRetry(_ task: TaskID, attempts: Int) {
        guard let inst = byTask[task], inst.killRequested, !inst.state.isTerminal, !inst.isUnreachable else { return }
        if attempts == 1 || attempts % 10 == 0 {
            log("killRetry", inst.name, "no terminal status yet: kill sent again (retry \(attempts); logged at the first and every 10th)")
        }
        driver.kill(task: task)
        scheduleKillRetry(task, attempts: attempts + 1)
    }

    /// OverdueTasksActor (core/task/jobs/impl/OverdueTasksActor.scala@v1.4.0:60-80,113-118;
    /// OverdueInstancesActor.scala@v1.10.5:63-85,113-125): the leader looks for overdue launches
    /// every 5 s, first 30 s after it starts (the grid of `overdueCheckTime`), and kills a task
    /// staged more than its timeout ago (`stagedAt < now - timeout`, strict): TASK_STAGING
    /// `--task_launch_timeout`; TASK_STARTING `--task_launch_confirm_timeout` up to 1.7 (with
    /// Created), `--task_launch_timeout` from 1.8 (commit a143bfd31). A task is staged when it is
    /// launched here (Mesos answers TASK_STAGING at once). One event per launch at the first check
    /// that could find it overdue; another only while it waits in a state whose timeout is not over.
    static let overdueCheckInitialDelay = SimDuration.seconds(30)
    static let overdueCheckInterval = SimDuration.seconds(5)

    /// The first overdue check of the current leader strictly after `t`.
    func overdueCheckTime(after t: SimTime) -> SimTime {
        let first = killTimerPhase + Self.overdueCheckInitialDelay
        if t < first { return first }
        let step = Self.overdueCheckInterval.nanoseconds
        return first + SimDuration(nanoseconds: ((t - first).nanoseconds / step + 1) * step)
    }

    /// The overdue timeout of a task in `state`, nil when the check never kills it (running, killing, ...).
    func overdueTimeout(_ state: TaskState) -> SimDuration? {
        switch state {
        case .staging: return spec.flags.taskLaunchTimeout
        case .starting: return spec.version.atLeast(8) ? spec.flags.taskLaunchTimeout : spec.flags.taskLaunchConfirmTimeout
        default: return nil
        }
    }

    func scheduleOverdueCheck(_ inst: MarathonInstance) {
        let due = inst.launchedAt + min(spec.flags.taskLaunchTimeout, spec.flags.taskLaunchConfirmTimeout)
        sim.schedule(at: overdueCheckTime(after: max(due, now)), target: target, kind: Kind.launchTimeout.rawValue,
                     arg: Self.overdueTask.encode(inst.task) | Self.overdueGeneration.encode(overdueGeneration & 0x7fffff))
    }

    func launchTimedOut(_ task: TaskID, generation: Int) {
        guard generation == overdueGeneration & 0x7fffff, leaderReady, let inst = byTask[task], inst.runningSince == nil,
              !inst.killRequested, let timeout = overdueTimeout(inst.state) else { return }
        guard now - inst.launchedAt > timeout else { scheduleOverdueCheck(inst); return }
        let flag = inst.state == .staging || spec.version.atLeast(8) ? "task_launch_timeout" : "task_launch_confirm_timeout"
        log("launchTimeout", inst.name, "\(inst.state.rawValue) \(now - inst.launchedAt) after staging: over \(flag) \(timeout) (overdue check)")
        kill(inst, reason: flag, replace: true)
    }

    /// InstanceUpdater (marathon:src/main/scala/mesosphere/marathon/core/instance/update/InstanceUpdater.scala@v1.4.13:50,
    /// @v1.10.5:115): a TASK_UNREACHABLE update for an instance unreachable for at least
    /// inactiveAfterSeconds makes it UnreachableInactive (replaced); at least expungeAfterSeconds,
    /// expunged. Checked only when such an update arrives: the first one (so 0 s / 0 s acts at
    /// once) and the answers to task reconciliation every --reconciliation_interval.
    /// A TASK_UNREACHABLE of `inst` (`changed`: the first one, which changes its state; else a
    /// repeat, a reconciliation answer): it becomes UnreachableInactive (replaced) on an update at
    /// least `inactiveAfter` after it became unreachable (InstanceUpdater `mesosUpdate`'s Noop case
    /// "We might still become UnreachableInactive", @v1.4.13 and @v1.10.5). It is expunged by the
    /// leader's expunge job (ExpungeOverdueLostTasksActor: `task_lost_expunge_initial_delay` after
    /// the leader starts, then every `task_lost_expunge_interval`, it expunges every inactive instance
    /// unreachable for `expungeAfter` with ForceExpunge), and from 1.7.236, 1.8.244 and 1.10 also by
    /// the update that changes it, when `expungeAfter` has passed (`expungesUnreachableOnUpdate`).
    func unreachableDeadlines(_ inst: MarathonInstance, changed: Bool) {
        guard case .enabled(let inactiveAfter, let expungeAfter) = apps[inst.app].definition.unreachableStrategy,
              let since = inst.unreachableSince else { return }
        let wasInactive = inst.replaced
        if now - since >= inactiveAfter { unreachableInactive(inst.task) }
        guard inst.replaced else { return }
        if spec.version.expungesUnreachableOnUpdate, changed || !wasInactive, now - since >= expungeAfter {
            unreachableExpunge(inst.task)
            return
        }
        scheduleExpungeTick(inst)
    }

    /// The first tick of the leader's expunge job at or after `inst`'s expunge deadline (one
    /// event per instance waiting, none in steady state; the job's other ticks find nothing).
    func scheduleExpungeTick(_ inst: MarathonInstance) {
        guard leaderReady, case .enabled(_, let expungeAfter) = apps[inst.app].definition.unreachableStrategy,
              let since = inst.unreachableSince else { return }
        let due = max(now, since + expungeAfter)
        let first = expungeJobStart + spec.flags.taskLostExpungeInitialDelay
        var t = first
        if due > first {
            let step = max(spec.flags.taskLostExpungeInterval.nanoseconds, 1)
            let k = (due - first).nanoseconds / step + ((due - first).nanoseconds % step == 0 ? 0 : 1)
            t = first + SimDuration(nanoseconds: k * step)
        }
        if let e = inst.expungeTick, e.generation == expungeJobGeneration, e.at <= t { return }
        inst.expungeTick = (t, expungeJobGeneration)
        sim.schedule(at: t, target: target, kind: Kind.expungeTick.rawValue, arg: Int64(inst.task))
    }

    /// A tick of the expunge job that `inst` waits for: it is expunged if it is still unreachable
    /// and inactive, past its deadline, and the job is the current leader's.
    func expungeTick(_ task: TaskID) {
        guard let inst = byTask[task], let e = inst.expungeTick, e.at == now, e.generation == expungeJobGeneration,
              leaderReady, inst.isUnreachable, inst.replaced,
              case .enabled(_, let expungeAfter) = apps[inst.app].definition.unreachableStrategy,
              let since = inst.unreachableSince, now - since >= expungeAfter else { return }
        inst.expungeTick = nil
        unreachableExpunge(task)
    }

    /// SchedulerActions.reconcileTasks, on a timer started when the leader's driver starts:
    /// first after --reconciliation_initial_delay (15 s), then every --reconciliation_interval
    /// (600 s) (MarathonSchedulerService `reconciliationInitialDelay`, `reconciliationInterval`;
    /// MarathonConf@v1.10.5:213-216). Marathon asks Mesos for the status of every task it knows
    /// (explicit reconciliation); Mesos answers each with its current state.
    func reconcileTasks(generation: Int) {
        guard generation == reconcileGeneration, leaderReady else { return }
        log("reconcileTasks", frameworkName, "explicit reconciliation of \(byTask.count) task(s)")
        if satisfiedCache {
            let loud = prepareReconciliation()
            driver.reconcileChanges(loud: loud, quiet: recon.quiet, all: { byTask.indices }, known: { byTask[$0] != nil })
        } else {
            driver.reconcile(tasks: byTask.indices)
        }
        sim.schedule(after: spec.flags.reconciliationInterval, target: target, kind: Kind.reconcile.rawValue,
                     arg: Int64(reconcileGeneration))
    }

    /// Mesos' answers to `reconcileTasks`, one message (MesosFramework.reconciliationAnswers): an
    /// answer that repeats the instance's state (not TASK_UNREACHABLE, which checks the unreachable
    /// strategy's deadlines) does in `statusUpdate` only the app's `refreshSatisfied`, so that is
    /// all it does here; every other answer is a `statusUpdate`, in order.
    public func reconciliationAnswers(_ answers: [ReconciliationAnswer]) {
        recon.awaiting = false
        recon.captured = []
        for r in answers {
            if leaderReady, let inst = byTask[r.task], inst.state == r.state, r.state != .unreachable {
                refreshSatisfied(apps[inst.app])
            } else {
                statusUpdate(r.update)
            }
        }
    }

    func unreachableInactive(_ task: TaskID) {
        guard let inst = byTask[task], inst.isUnreachable, !inst.replaced, leaderReady else { return }
        inst.replaced = true
        log("replaceUnreachable", inst.name, "inactive after \(now - inst.unreachableSince!)")
        let a = apps[inst.app]
        if !deployments.managesLaunches(a) { scaleCheck(a) } else { deployments.instanceTerminated(inst, wanted: true) }
    }

    func unreachableExpunge(_ task: TaskID) {
        guard let inst = byTask[task], inst.isUnreachable else { return }
        if inst.reconQuiet { inst.reconQuiet = false; recon.quiet -= 1 }
        log("expungeUnreachable", inst.name, "expunged; killed if it comes back")
        let a = apps[inst.app]
        byTask[task] = nil
        a.removeInstance(inst)
        a.revision &+= 1
        inst.goal = .decommissioned
        driver.kill(task: task)
        // ForceExpunge publishes InstanceChanged(Killed) (InstanceUpdater.forceExpunge).
        deployments.instanceTerminated(inst, wanted: false)
    }

    /// Tracks whether the app has its target of healthy, ready instances (after its first
    /// deployment), and the periods during which some app had not: the platform as users saw it.
    func refreshSatisfied(_ a: MarathonAppState) {
        guard a.firstDeployFinished != nil else { return }
        // Nothing the count reads changed since the last count (a reconciliation answer, a status
        // update that repeats the state): the answer is the one `satisfied` already holds.
        if satisfiedCache && a.satisfiedCountedAt == a.changes.version { return }
        defer { a.satisfiedCountedAt = a.changes.version }
        satisfiedCounts += 1
        let target = a.definition.instances
        let healthy: Int
        if satisfiedCache {
            // kept by every change that bumps the count (`MarathonInstance.recount`)
            healthy = a.changes.healthyReady
            assert(healthy == Self.countHealthyReady(a), "healthyReady \(healthy) for \(a.id), counted \(Self.countHealthyReady(a))")
        } else {
            var n = 0
            let checks = a.definition.healthChecks   // read once, not a copy of the definition per instance
            var left = a.instances.count
            for i in a.instances {
                left -= 1
                if i.isActive && i.goal == .running && i.ready && i.isHealthy(checks: checks) { n += 1 }
                // The rest cannot change the answer: the count is only logged when it does.
                if a.satisfied ? n >= target : n + left < target { return }
            }
            healthy = n
        }
        let sat = healthy >= target
        // the instance lost since the last count (what took the app below target, if it went)
        let lostHost = a.changes.lastLostHost
        a.changes.lastLostHost = -1
        if sat == a.satisfied { return }
        a.satisfied = sat
        // One row per change, subject the app id: apps_degraded_s and the recoveries of summary.json
        // are the periods during which at least one app was between appBelowTarget and appAtTarget.
        var detail = "\(healthy) of \(a.definition.instances) healthy"
        if !sat {
            // the hosts a fault hit that hold instances of the app not counted (the instances the fault
            // took: unreachable, failing their checks, lost): which fault degraded the app
            let hit = model.faultInjector.hitHosts
            if !hit.isEmpty {
                var hosts: [Int] = []
                if hit.contains(lostHost) { hosts.append(lostHost) }
                let checks = a.definition.healthChecks
                for i in a.instances where hit.contains(i.host) && !hosts.contains(i.host)
                    && !(i.isActive && i.goal == .running && i.ready && i.isHealthy(checks: checks)) { hosts.append(i.host) }
                if !hosts.isEmpty {
                    hosts.sort()
                    belowOnHitHosts.append((now, hosts))
                    detail += "; not on " + hosts.map { model.infrastructure.hosts[$0].name }.joined(separator: ", ") + " (a fault hit it)"
                }
            }
        }
        log(sat ? "appAtTarget" : "appBelowTarget", a.id, detail)
        if !sat {
            unsatisfiedApps += 1
            if unsatisfiedApps == 1 { degraded.append((now, nil)) }
        } else {
            unsatisfiedApps -= 1
            if unsatisfiedApps == 0, let i = degraded.indices.last { degraded[i].end = now }
        }
    }

    /// The app's healthy, ready instances counted one by one (what `healthyReady` keeps).
    static func countHealthyReady(_ a: MarathonAppState) -> Int {
        let checks = a.definition.healthChecks
        return a.instances.reduce(0) { $0 + ($1.isActive && $1.goal == .running && $1.ready && $1.isHealthy(checks: checks) ? 1 : 0) }
    }

    // MARK: - Marathon-level health checks (HealthCheckActor per app version and check)

    // Event arguments: `healthTick` (app, check, the app's tick generation), `healthResult`
    // (passed, check, task), `killRetry` (task, attempts).
    static let tickApp = ArgField("app", shift: 0, bits: 20)
    static let tickCheck = tickApp.next("health check", bits: 12)
    static let tickGeneration = tickCheck.next("tick generation", bits: 31)
    static let resultPassed = ArgField("passed", shift: 0, bits: 1)
    static let resultCheck = resultPassed.next("health check", bits: 12)
    static let resultTask = resultCheck.next("task", bits: 50)
    static let killTask = ArgField("task", shift: 0, bits: 40)
    static let overdueTask = ArgField("task", shift: 0, bits: 40)
    static let overdueGeneration = overdueTask.next("overdue generation", bits: 23)
    static let killAttempts = killTask.next("kill attempts", bits: 23)

    static func packTick(app: Int, check: Int, generation: Int64) -> Int64 {
        tickGeneration.encode(Int(generation)) | tickCheck.encode(check) | tickApp.encode(app)
    }

    func startHealthChecks(_ a: MarathonAppState) {
        guard leaderReady else { return }
        for (c, hc) in a.definition.healthChecks.enumerated() where !hc.protocol.isMesosLevel {
            let first = MarathonHealth.firstTick(actorStart: now, interval: hc.interval)
            sim.schedule(at: first, target: target, kind: Kind.healthTick.rawValue,
                         arg: Self.packTick(app: a.index, check: c, generation: a.tickGeneration))
        }
    }

    func healthTick(_ arg: Int64) {
        let appI = Self.tickApp.decode(arg), check = Self.tickCheck.decode(arg), gen = Int64(Self.tickGeneration.decode(arg))
        let a = apps[appI]
        guard gen == a.tickGeneration, leaderReady, let from = leaderHost, check < a.definition.healthChecks.count else { return }
        let hc = a.definition.healthChecks[check]
        // fidelity.healthChecks `fast` (docs/marathon.md "Fidelity"): an instance that is healthy
        // with no failure counted is probed without a draw while its outcome depends on its
        // response time alone; only its failing probe becomes a result event. A result must land
        // before the next tick (timeout <= interval) for the passes to carry no news.
        let fast = model.spec.fidelity.healthChecks == .fast && hc.timeout <= hc.interval
        let epoch = fast ? driver.probeEpoch : -1
        let now = self.now
        // The stream's index of parked instances (`HealthCheckStream`): a tick visits the others
        // and those due, unless something may have ended a routine regime since the last tick.
        let key = appI << 12 | check
        var stream = healthStreams[key]
        if stream?.generation != gen {
            stream?.materializeAll(check: check)
            stream = HealthCheckStream(generation: gen)
            healthStreams[key] = stream
        }
        let s = stream!
        let tick = s.ticks + 1
        let stamp = healthStamp(appI)
        let visit: [MarathonInstance]
        if healthIndex && fast && s.epoch == epoch && s.from == from && s.stamp == stamp {
            visit = Self.mergeByTask(s.active, s.due(at: tick, check: check))
        } else {
            s.materializeAll(check: check)
            visit = a.instances
        }
        s.active.removeAll(keepingCapacity: true)
        for inst in visit where inst.state == .running && inst.isActive {
            healthVisits += 1
            if fast && inst.health[check].consecutiveFailures == 0 && inst.health[check].alive {
                if inst.routineProbes[check].passes(epoch: epoch, from: from, now: now) {
                    inst.health[check].lastSuccess = now
                    s.park(inst, check: check, tick: tick, now: now, interval: hc.interval)
                    continue
                }
                if let o = driver.routineProbe(task: inst.task, from: from, timeout: hc.timeout, state: &inst.routineProbes[check]) {
                    if case .passed = o {
                        inst.health[check].lastSuccess = now
                        if inst.routineProbes[check].epoch == epoch && inst.routineProbes[check].from == from {
                            s.park(inst, check: check, tick: tick, now: now, interval: hc.interval)
                        } else { s.active.append(inst) }
                        continue
                    }
                    // the failing probe: no answer within the timeout, as `probe` gives it
                    let packed = Self.resultTask.encode(inst.task) | Self.resultCheck.encode(check)
                    sim.schedule(after: hc.timeout, target: target, kind: Kind.healthResult.rawValue, arg: packed)
                    s.active.append(inst)
                    continue
                }
            }
            if fast { s.active.append(inst) }
            let outcome = driver.probe(task: inst.task, from: from, timeout: hc.timeout)
            let after: SimDuration, passed: Bool
            switch outcome {
            case .passed(let d): after = d; passed = true
            case .failed(let d): after = d; passed = false
            case .refused: after = .zero; passed = false
            case .timedOut: after = hc.timeout; passed = false
            }
            let packed = Self.resultTask.encode(inst.task) | Self.resultCheck.encode(check) | Self.resultPassed.encode(passed ? 1 : 0)
            sim.schedule(after: after, target: target, kind: Kind.healthResult.rawValue, arg: packed)
        }
        s.ticks = tick
        s.lastTickTime = now
        s.epoch = epoch; s.from = from; s.stamp = stamp
        sim.schedule(after: hc.interval, target: target, kind: Kind.healthTick.rawValue, arg: arg)
    }

    /// Two lists of instances, each in task-id order, merged in that order (the app's instance order).
    static func mergeByTask(_ x: [MarathonInstance], _ y: [MarathonInstance]) -> [MarathonInstance] {
        if y.isEmpty { return x }
        if x.isEmpty { return y }
        var out: [MarathonInstance] = []
        out.reserveCapacity(x.count + y.count)
        var i = 0, j = 0
        while i < x.count && j < y.count {
            if x[i].task < y[j].task { out.append(x[i]); i += 1 } else { out.append(y[j]); j += 1 }
        }
        out.append(contentsOf: x[i...]); out.append(contentsOf: y[j...])
        return out
    }

    /// Changes of the app's instances' states (status updates): a health-check stream that saw
    /// another count at its last tick visits every instance at its next one.
    func healthStamp(_ app: Int) -> Int { app < healthStamps.count ? healthStamps[app] : 0 }

    func healthInstancesChanged(_ app: Int) {
        if app >= healthStamps.count { healthStamps.append(contentsOf: repeatElement(0, count: app + 1 - healthStamps.count)) }
        healthStamps[app] += 1
    }

    /// A status update changed `inst`'s state: in each Marathon-level check stream of its app, the
    /// instance is brought up to date if parked (its passes up to the last tick, when it was still
    /// in its old state) and visited at the next tick. Nothing else of the stream's instances
    /// changed, so the other parked ones stay parked: the next tick does what a tick visiting every
    /// instance would (a new or returning running instance is visited, one that stopped running is
    /// skipped), without unparking the whole app.
    func healthInstanceChanged(_ inst: MarathonInstance, of a: MarathonAppState) {
        let checks = a.definition.healthChecks
        for c in checks.indices where !checks[c].protocol.isMesosLevel {
            healthStreams[inst.app << 12 | c]?.instanceChanged(inst, check: c)
        }
    }

    func healthResult(_ arg: Int64) {
        let task = Self.resultTask.decode(arg), check = Self.resultCheck.decode(arg), passed = Self.resultPassed.decode(arg) == 1
        guard leaderReady, let inst = byTask[task], check < inst.health.count else { return }
        let a = apps[inst.app]
        let hc = a.definition.healthChecks[check]
        // a result for an instance its stream parked (none expected: results land before the next
        // tick): bring it up to date and have the next tick visit everyone
        if let s = healthStreams[inst.app << 12 | check], s.parked[task] != nil {
            s.materialize(task, check: check)
            healthInstancesChanged(inst.app)
        }
        a.revision &+= 1
        let out = MarathonHealth.handleResult(&inst.health[check], passed: passed, now: now,
                                              isRunning: inst.state == .running, runningSince: inst.runningSince ?? now,
                                              isUnreachable: inst.isUnreachable, check: hc)
        // `health` is not observed: what `changes` guards reads only `alive`
        if out.aliveChanged { inst.changed() }
        if out.aliveChanged {
            log("healthStatusChanged", inst.name, inst.health[check].alive ? "healthy" : "unhealthy (\(inst.health[check].consecutiveFailures) consecutive failures)")
            model.signals.publish(.healthStatusChanged(app: inst.app, task: task, alive: inst.health[check].alive))
            deployments.instanceHealthChanged(inst)
        }
        if out.kill && !inst.killRequested {
            log("killUnhealthy", inst.name, "\(inst.health[check].consecutiveFailures) consecutive failed \(hc.protocol.rawValue) checks (max \(hc.maxConsecutiveFailures))")
            kill(inst, reason: "failed health checks", replace: true)
        }
        // Only a change of `alive` (or a kill) can change whether the app is satisfied: the other
        // changes of instances refresh it themselves (status updates, readiness, actions).
        // Recounting the app's instances on every result was most of the run time.
        if out.aliveChanged || out.kill { refreshSatisfied(a) }
    }

    // MARK: - Readiness checks (checked from TASK_RUNNING every interval until ready)

    func startReadiness(_ inst: MarathonInstance) {
        guard !inst.ready else { return }
        sim.schedule(after: .zero, target: target, kind: Kind.readinessTick.rawValue, arg: Int64(inst.task))
    }

    func startReadinessChecks(_ a: MarathonAppState) {
        for inst in a.instances where !inst.ready && inst.state == .running { startReadiness(inst) }
    }

    func readinessTick(_ task: TaskID) {
        guard leaderReady, let inst = byTask[task], !inst.ready, inst.state == .running, let from = leaderHost else { return }
        let a = apps[inst.app]
        guard let rc = a.definition.readinessChecks.first else { inst.ready = true; return }
        if case .passed = driver.probe(task: task, from: from, timeout: rc.timeout) {
            inst.ready = true
            log("instanceReady", inst.name, "readiness check \(rc.name) passed")
            deployments.instanceHealthChanged(inst)
            refreshSatisfied(a)
        } else {
            sim.schedule(after: rc.interval, target: target, kind: Kind.readinessTick.rawValue, arg: Int64(task))
        }
    }
}
