import SimKernel

/// Marathon's deployment manager: a deployment is a plan of steps (apps ordered by their
/// dependencies); each step's app actions run side by side and the next step starts when they
/// are all done. An app is changed by at most one deployment at a time (a second one is refused
/// with HTTP 409 unless forced, which cancels the first). docs/docs/deployments.md,
/// core/deployment/impl/DeploymentActor.scala, TaskStartActor/TaskReplaceActor.
final class Deployments {
    unowned let s: MarathonScheduler

    enum ActionKind {
        /// Scale to the app's `instances` (start, scale up or down) with its current version.
        case scale
        /// Replace every instance of older versions (TaskReplaceActor).
        case restart
    }

    final class AppAction {
        let app: Int
        let kind: ActionKind
        var plan: TaskReplacePlan?
        /// 1.4-1.7, a scale that starts nothing: the instances it killed. It is done when each is gone
        /// (terminal or unreachable), whatever the health of the others (DeploymentActor.scaleRunnable
        /// at v1.4.9 ... v1.7.236: `killInstances(...)`, then `tasksToStart.fold(Done)`: no
        /// TaskStartActor). nil: done when the app has its target of healthy, ready instances.
        var scaleKills: [TaskID]?
        /// 1.4-1.7, a scale that starts instances: how many, and when (TaskStartActor at v1.4.9 ...
        /// v1.7.236: done when `nrToStart` instances launched for it are healthy and ready,
        /// `targetCountReached`; the instances there before do not count, healthy or not).
        var scaleStart: (count: Int, at: SimTime)?
        var started = false
        var done = false
        /// Its place in its deployment's `pending` (-1: not there).
        var pendingSlot = -1
        init(app: Int, kind: ActionKind) { self.app = app; self.kind = kind }
    }

    final class Deployment {
        let id: Int
        let name: String
        /// App actions per step, in order.
        let steps: [[AppAction]]
        var step = 0
        let startedAt: SimTime
        var finishedAt: SimTime?
        var cancelled = false
        var cancelledAt: SimTime?
        /// The step and action of each app of the deployment (an app is in one step at most): the
        /// action of an instance's app is found without a search through the step's actions.
        let actionOfApp: [Int: (step: Int, action: AppAction)]
        /// The actions of the current step not done yet, in no particular order (`done` only ever
        /// goes from false to true, and `evaluate` has no other effect, so the order of the
        /// evaluations does not matter): a step of many apps is not a walk over all of them at
        /// every instance change.
        var pending: [AppAction] = []
        var pendingStep = -1
        /// The current step's apps changed since its actions were last evaluated (a scale
        /// action's `evaluate` reads only what bumps its app's `ChangeCount`; a restart action's
        /// plan is not counted, so those are evaluated at every call while any is pending).
        let changed = ChangedApps()
        var evaluateAll = false
        var restartsPending = 0
        /// The first action of the current step that may not be started yet.
        var nextToStart = 0
        init(id: Int, name: String, steps: [[AppAction]], startedAt: SimTime) {
            self.id = id; self.name = name; self.steps = steps; self.startedAt = startedAt
            var m: [Int: (step: Int, action: AppAction)] = [:]
            for (k, step) in steps.enumerated() { for act in step where m[act.app] == nil { m[act.app] = (k, act) } }
            actionOfApp = m
        }
        var apps: [Int] { steps.flatMap { $0.map(\.app) } }
    }

    var all: [Deployment] = []
    /// false: every call evaluates every pending action, as before the change counts (ChangeCountTests).
    var evaluateChangedOnly = true
    /// Calls of `evaluate` on a pending action (ChangeCountTests).
    var evaluations = 0
    var active: [Deployment] { all.filter { $0.finishedAt == nil && !$0.cancelled } }

    init(scheduler: MarathonScheduler) { s = scheduler }

    /// The initial deployment of every app of the scenario (the root group posted at time 0),
    /// in dependency order; it starts when the first Marathon leader is ready.
    func start() {
        guard !s.apps.isEmpty else { return }
        // an app's step is one more than the deepest of its dependencies': a depth-first search
        // with its own stack (a chain of a hundred thousand apps would overflow the thread's stack
        // as recursion); an edge back onto the search path (a cycle, which the scenario loader
        // refuses) is skipped
        let n = s.apps.count
        var depth = [Int](repeating: -1, count: n)
        var onPath = [Bool](repeating: false, count: n)
        for root in 0..<n where depth[root] < 0 {
            var frames: [(app: Int, next: Int, depth: Int)] = [(root, 0, 0)]
            onPath[root] = true
            while let top = frames.last {
                let deps = s.apps[top.app].definition.effectiveDependencies
                guard top.next < deps.count else {
                    frames.removeLast()
                    depth[top.app] = top.depth; onPath[top.app] = false
                    if !frames.isEmpty { frames[frames.count - 1].depth = max(frames[frames.count - 1].depth, top.depth + 1) }
                    continue
                }
                frames[frames.count - 1].next += 1
                guard let j = s.appIndex[deps[top.next]], !onPath[j] else { continue }
                if depth[j] >= 0 {
                    frames[frames.count - 1].depth = max(top.depth, depth[j] + 1)
                } else {
                    onPath[j] = true
                    frames.append((j, 0, 0))
                }
            }
        }
        var byDepth = [[AppAction]](repeating: [], count: (depth.max() ?? 0) + 1)
        for i in 0..<n { byDepth[depth[i]].append(AppAction(app: i, kind: .scale)) }
        let steps = byDepth.filter { !$0.isEmpty }
        create(name: "initial deployment of \(s.apps.count) app\(s.apps.count == 1 ? "" : "s")", steps: steps)
    }

    @discardableResult
    func create(name: String, steps: [[AppAction]]) -> Deployment {
        let d = Deployment(id: all.count + 1, name: name, steps: steps, startedAt: s.now)
        all.append(d)
        for a in d.apps { s.apps[a].deployment = d.id }
        s.log("deploymentStarted", "deployment-\(d.id)", "\(name); \(steps.count) step\(steps.count == 1 ? "" : "s")")
        // One row per app, subject the app id: a user filtering events.csv on an app sees when a
        // deployment of it started (appDeploymentStarted) and when its step was done (appDeployed).
        for a in d.apps { s.log("appDeploymentStarted", s.apps[a].id, "deployment-\(d.id): \(name)") }
        s.model.signals.publish(.deploymentInfo(deployment: d.id, step: 0, steps: steps.count))
        if s.leaderReady { runStep(d) }
        return d
    }

    /// The apps of a deployment that is in progress, if any, for an app.
    func deployment(of app: Int) -> Deployment? {
        guard let id = s.apps[app].deployment else { return nil }
        let d = all[id - 1]
        return d.finishedAt == nil && !d.cancelled ? d : nil
    }

    /// 1.4-1.7: an app a deployment leaves with more or fewer instances counted than its target
    /// (kills answered late, counted until then) is scaled by the next periodic scale check. (A
    /// cancelled deployment is followed by the one that cancelled it, whose end looks.)
    func offTarget(_ a: MarathonAppState) {
        guard a.changes.countsKillPending, a.countedTowardsTarget + a.toLaunch != a.definition.instances else { return }
        s.needsScaleCheck(a)
    }

    func cancel(_ d: Deployment, reason: String) {
        d.cancelled = true
        d.cancelledAt = s.now
        for a in d.apps where s.apps[a].deployment == d.id { s.apps[a].deployment = nil }
        s.log("deploymentCancelled", "deployment-\(d.id)", reason)
        s.model.signals.publish(.deploymentFailed(deployment: d.id))
    }

    func leaderLost() {}

    func leaderReady() {
        for d in active { runStep(d) }
        for a in s.apps where deployment(of: a.index) == nil { s.scaleCheck(a) }
    }

    /// Starts (or, after a leader failover, resumes) the current step of a deployment.
    func runStep(_ d: Deployment) {
        guard s.leaderReady, d.finishedAt == nil, !d.cancelled else { return }
        while d.step < d.steps.count {
            let actions = d.steps[d.step]
            if d.pendingStep != d.step {
                d.pendingStep = d.step
                for act in d.pending { act.pendingSlot = -1 }
                d.pending = actions.filter { !$0.done }
                d.restartsPending = 0
                for (k, act) in d.pending.enumerated() {
                    act.pendingSlot = k
                    if act.kind == .restart { d.restartsPending += 1 }
                    let c = s.apps[act.app].changes
                    c.sink = d.changed
                    c.queued = false
                }
                d.evaluateAll = true
                d.nextToStart = 0
            }
            // In action order; a call made from inside `begin` goes on where this one is.
            while d.nextToStart < actions.count {
                let act = actions[d.nextToStart]
                d.nextToStart += 1
                if !act.started {
                    act.started = true
                    begin(act, in: d)
                }
            }
            // The step's first evaluation visits every pending action; later ones only those of
            // apps changed since (evaluate has no effect but `done`: one whose inputs did not
            // change would give the same answer) and the restarts.
            let changedApps = d.changed.apps
            d.changed.apps.removeAll(keepingCapacity: true)
            for app in changedApps where s.apps[app].changes.sink === d.changed { s.apps[app].changes.queued = false }
            if !evaluateChangedOnly { d.evaluateAll = true }
            if d.evaluateAll || d.restartsPending > 0 {
                let all = d.evaluateAll
                d.evaluateAll = false
                var k = 0
                while k < d.pending.count {
                    let act = d.pending[k]
                    if all || act.kind == .restart { evaluate(act) }
                    if act.done { removePending(act, from: d) } else { k += 1 }
                }
            }
            for app in changedApps {
                guard let (k, act) = d.actionOfApp[app], k == d.step, act.pendingSlot >= 0 else { continue }
                evaluate(act)
                if act.done { removePending(act, from: d) }
            }
            if d.pending.isEmpty {
                s.log("deploymentStep", "deployment-\(d.id)", "step \(d.step + 1)/\(d.steps.count) done: " + actions.map { s.apps[$0.app].id }.joined(separator: ", "))
                for act in actions { appDeployed(s.apps[act.app], by: d) }
                d.step += 1
                if d.step < d.steps.count { s.model.signals.publish(.deploymentInfo(deployment: d.id, step: d.step, steps: d.steps.count)) }
                continue
            }
            return
        }
        d.finishedAt = s.now
        for a in d.apps where s.apps[a].deployment == d.id {
            s.apps[a].deployment = nil
            s.refreshSatisfied(s.apps[a])
        }
        for a in d.apps { offTarget(s.apps[a]) }
        s.log("deploymentFinished", "deployment-\(d.id)", "\(d.name) in \(s.now - d.startedAt)")
        s.model.signals.publish(.deploymentSuccess(deployment: d.id))
    }

    /// Takes a done action out of the step's pending ones (the last one takes its place).
    func removePending(_ act: AppAction, from d: Deployment) {
        let k = act.pendingSlot, last = d.pending.removeLast()
        if last !== act { d.pending[k] = last; last.pendingSlot = k }
        act.pendingSlot = -1
        if act.kind == .restart { d.restartsPending -= 1 }
    }

    /// The step holding the app's action is done: the app is deployed (logged as appDeployed).
    /// Its first such step gives its deploy time for the summary: the deployment's start (its
    /// appDeploymentStarted) to now. Never negative, and an app deployed at 0 instances gets the
    /// (short) time its deployment took to reach it.
    func appDeployed(_ a: MarathonAppState, by d: Deployment) {
        s.log("appDeployed", a.id, "deployment-\(d.id) step \(d.step + 1)/\(d.steps.count) done \(s.now - d.startedAt) after the deployment started")
        guard a.firstDeployFinished == nil else { return }
        a.firstDeployStarted = d.startedAt
        a.firstDeployFinished = s.now
        a.firstDeployment = d.id
        s.refreshSatisfied(a)
    }

    func begin(_ act: AppAction, in d: Deployment) {
        let a = s.apps[act.app]
        switch act.kind {
        case .scale:
            let r = s.scaleCheck(a)
            if a.changes.countsKillPending {
                act.scaleKills = r.killed
                if r.queued > 0 { act.scaleStart = (r.queued, s.now) }
            }
        case .restart:
            // TaskReplaceActor: reset the launch delay, kill what the strategy allows, launch new ones.
            s.rateLimiter.resetDelay(a.launchKey)
            // In the instance tracker's order: TaskReplaceActor queues the old instances to kill as
            // `specInstancesSync` lists them, `instanceMap.values` of a Scala Map keyed by instance
            // ids `<app>.instance-<time-based UUID>` (InstanceTracker.scala@v1.4.9 SpecInstances,
            // Instance.scala `Id.forRunSpec`), i.e. in the order of their hashes: no order a user
            // can count on, a seeded random permutation here. Not launch order, which always
            // killed the oldest first (after a bad release, the healthy instances of the version
            // before, not the failing new ones).
            var olds = a.instances.filter { $0.isActive && $0.version != a.configVersion && $0.goal == .running }
            for i in stride(from: olds.count - 1, to: 0, by: -1) { olds.swapAt(i, s.trackerOrderStream.int(below: i + 1)) }
            let news = a.instances.filter { $0.isActive && $0.version == a.configVersion && $0.goal == .running }
            let newHealthy = news.filter { $0.isHealthy(a.definition) && $0.ready }
            var plan = TaskReplacePlan(instances: a.definition.instances, upgrade: a.definition.upgradeStrategy,
                                       isResident: a.definition.isResident,
                                       old: olds.map { .init(id: $0.task, healthy: $0.isHealthy(a.definition)) },
                                       alreadyStartedNew: news.count, newHealthyReady: newHealthy.map(\.task),
                                       newHealthyCount: newHealthy.count, rules: s.spec.version.restartRules)
            for n in newHealthy { n.reportedHealthyReady = true }
            let step = plan.start()
            act.plan = plan
            s.log("restartStarted", a.id, "replacing \(olds.count) old instance(s): kill \(step.kill.count) now, launch \(step.launch); minHealthy \(RestartStrategy.minHealthy(instances: a.definition.instances, a.definition.upgradeStrategy)), maxCapacity \(plan.strategy.maxCapacity)")
            apply(step, to: a)
        }
    }

    func apply(_ step: ReplaceStep, to a: MarathonAppState) {
        for id in step.kill { if let inst = s.byTask[id] { s.kill(inst, reason: "replaced by a new version") } }
        if step.launch > 0 { s.queueLaunches(a, step.launch) }
    }

    /// Whether the runtime must leave launches of this app to a running restart.
    func managesLaunches(_ a: MarathonAppState) -> Bool {
        guard let d = deployment(of: a.index), let (k, act) = d.actionOfApp[a.index] else { return false }
        return k == (d.step < d.steps.count ? d.step : d.steps.count - 1) && act.kind == .restart && act.started && !act.done
    }

    func currentAction(_ app: Int) -> (Deployment, AppAction)? {
        guard let d = deployment(of: app), d.step < d.steps.count, let (k, act) = d.actionOfApp[app],
              k == d.step, act.started else { return nil }
        return (d, act)
    }

    /// Whether an action is complete: the app has its target of healthy, ready instances of the
    /// current version and nothing else (scale), or the replace plan is finished (restart).
    func evaluate(_ act: AppAction) {
        guard !act.done else { return }
        evaluations += 1
        let a = s.apps[act.app]
        switch act.kind {
        case .scale:
            if let kills = act.scaleKills {
                let killsDone = kills.allSatisfy { id in
                    guard let i = s.byTask[id] else { return true }
                    return !i.isActive || i.isUnreachable
                }
                guard killsDone, let (count, at) = act.scaleStart else { act.done = killsDone; return }
                // Newest first (instances are kept in launch order): the scan stops at the first
                // started instance not yet healthy, so a large start costs what the rule below does.
                let checks = a.definition.healthChecks
                var started = 0
                for i in a.instances.reversed() {
                    guard i.launchedAt >= at else { break }
                    guard i.isActive, i.goal == .running, !i.isUnreachable else { continue }
                    guard i.ready && i.isHealthy(checks: checks) else { act.done = false; return }
                    started += 1
                }
                act.done = started >= count
                return
            }
            // Instances being killed still count until they are gone (a scale-down is done when
            // the surplus is KILLED, or unreachable, not when the kill is sent).
            // A scale counts healthy instances of any version (after a cancelled restart both run).
            // This runs for every action of the step on every instance change: the cheap conditions
            // first, then one pass without allocating or copying the definition per instance.
            // Done = healthy >= target and current == target, i.e. exactly `target` current instances
            // and every one of them healthy: the scan stops at the first one that is not, newest
            // first (the ones still starting), so a step of many apps is not O(instances) per change.
            // The definition is read field by field (a copy of it is ~25 reference counts).
            let target = a.definition.instances
            guard a.toLaunch == 0, a.instances.count >= target else { act.done = false; return }
            let checks = a.definition.healthChecks
            var current = 0
            for i in a.instances.reversed() where i.isActive && !i.replaced {
                // A kill answered by TASK_UNREACHABLE is done (KillService's considerTerminal).
                if i.goal == .decommissioned && i.isUnreachable { continue }
                current += 1
                guard i.goal == .running && i.ready && i.isHealthy(checks: checks) else { act.done = false; return }
            }
            act.done = current == target
        case .restart:
            act.done = act.plan?.isFinished ?? false
        }
    }

    func check(_ id: Int) {
        guard id >= 1, id <= all.count else { return }
        runStep(all[id - 1])
    }

    // MARK: - hooks from the scheduler

    func instanceHealthChanged(_ inst: MarathonInstance) {
        guard s.leaderReady, let (d, act) = currentAction(inst.app) else { return }
        let a = s.apps[inst.app]
        if act.kind == .restart, var plan = act.plan, inst.version == a.configVersion {
            let hr = inst.isHealthy(a.definition) && inst.ready
            if hr && !inst.reportedHealthyReady {
                inst.reportedHealthyReady = true
                let step = plan.newInstanceHealthyAndReady(inst.task)
                act.plan = plan
                apply(step, to: a)
            } else if !hr && inst.reportedHealthyReady {
                inst.reportedHealthyReady = false
                plan.newInstanceNoLongerHealthyOrReady(inst.task)
                act.plan = plan
            }
        }
        runStep(d)
    }

    /// An InstanceChanged of `inst` to a condition the restart "considers terminal"
    /// (core/task/termination/InstanceChangedPredicates.scala `considerTerminal`, v1.4.9 to v1.10.5:
    /// the terminal conditions and also Unreachable and UnreachableInactive, "if a task is seen to
    /// transition to it, consider the old task gone"; an expunge publishes Killed). Each such event
    /// reaches TaskReplaceActor: an old instance leaves the old set at the first one (an
    /// unreachable old instance no longer holds the restart until it is inactive); under the legacy
    /// rules every one of them un-counts a new instance and launches again (`instancesStarted -= 1;
    /// launchInstances()`), so a new instance that goes Unreachable, then UnreachableInactive, then
    /// is expunged while the restart runs is launched again each time: the overscale Marathon
    /// fixed in #6739 and #7104. 1.10: an old instance still meant to run is decommissioned
    /// (goal Decommissioned, so it is not rescheduled); a new one keeps goal Running and is
    /// relaunched by the launch queue when `wanted` (terminal, or UnreachableInactive), not while
    /// it is only unreachable.
    func instanceTerminated(_ inst: MarathonInstance, wanted: Bool) {
        guard let (d, act) = currentAction(inst.app) else { return }
        let a = s.apps[inst.app]
        if act.kind == .restart, var plan = act.plan {
            let step: ReplaceStep
            if inst.version != a.configVersion {
                if plan.rules == .v1_10 && inst.goal == .running && inst.isActive { inst.goal = .decommissioned }
                step = plan.oldInstanceTerminated(inst.task)
            } else {
                step = plan.newInstanceTerminated(inst.task)
                // 1.10: the instance keeps goal Running and the launch queue relaunches it.
                if plan.rules == .v1_10 && wanted { s.queueLaunches(a, 1) }
            }
            act.plan = plan
            apply(step, to: a)
        }
        runStep(d)
    }
}
