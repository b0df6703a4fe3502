import SimKernel

/// Chronos: HA instances electing a leader through ZooKeeper (Curator LeaderLatch under
/// `--zk_path`); the leader runs the 2.x or 3.x scheduling loop, queues tasks (a high- and a
/// normal-priority FIFO, TaskManager.scala), matches Mesos offers against the queue
/// (MesosJobFramework.generateLaunchableTasks: cpus, mem, disk, constraints), retries failed
/// tasks after `--failure_retry`, disables jobs after `--disable_after_failures`, and triggers
/// dependent jobs through the job graph's edge counts (JobGraph.getExecutableChildren).
/// Chronos never suppresses offers: what it cannot use it declines with `--decline_offer_duration`
/// (Mesos' default filter, 5 s, when unset). Sources of each rule: docs/chronos.md.
public final class ChronosScheduler: EventHandler, MesosFramework, LeaderLatchOwner {
    public let spec: ChronosSpec
    unowned let model: ClusterSimulation
    let mesos: MesosCluster
    let zooKeeper: ZooKeeperEnsemble
    var driver: SchedulerDriver!
    var target: Int32 = -1

    public private(set) var jobs: [ChronosJobState] = []
    var jobIndex: [String: Int] = [:]

    /// A task waiting in the queue or for its time: the job, when it was due (the occurrence, the
    /// parent's success, or the retry's time), the attempt (0 first, then retries) and, for a run
    /// the 3.x loop found overdue, the index of its occurrence (-1 otherwise). `persisted`: 2.x
    /// wrote it to ZooKeeper (TaskManager.persistTask), so a next leader loads it: a scan's
    /// occurrence at once (scheduleDelayedTask, persist = true), a retry only when its delay is over
    /// and it is queued (JobScheduler.handleFailedTask's delayed Runnable), a dependent's run never
    /// (processDependencies calls enqueue alone).
    struct QueuedTask { var job: Int; var due: SimTime; var attempt: Int; var occurrence: Int64 = -1; var persisted = true }
    /// TaskManager's queues: high priority first, each FIFO (a head index; compacted when drained).
    var queues: [[QueuedTask]] = [[], []]
    var heads = [0, 0]
    /// Tasks scheduled for later (2.x's delayed tasks, retries), by slot; the event carries the slot.
    var delayed: [QueuedTask?] = []
    var freeSlots: [Int] = []
    /// Tasks between launch and a terminal state; `seen` once a status of it arrived (TaskManager
    /// keeps a task's status from TASK_STAGING/STARTING/RUNNING on: what reconciliation sends).
    var tasks: [TaskID: (job: Int, attempt: Int, seen: Bool)] = [:]
    /// MesosJobFramework `lastReconciliation` of each instance: set to its process' start plus
    /// `--reconciliation_interval` (the field's initialiser), then to each reconciliation's time.
    var lastReconciliation: [SimTime] = []
    public private(set) var reconciliations = 0

    // MARK: HA
    /// The instances' leader latch (Curator LeaderLatch under `--zk_path`).
    var latch: LeaderLatch!
    /// The instance that leads, if any.
    public var leader: Int? { latch.leader }
    public private(set) var leaderReady = false
    /// Only a ready leader runs a driver: what Mesos sends meanwhile is lost (resent by the agents).
    public var receivesUpdates: Bool { leaderReady }
    /// Grows with every leadership change: events of an older leader are ignored.
    var epoch: Int32 = 0
    public private(set) var failovers: [(lostAt: SimTime, readyAt: SimTime?)] = []
    public private(set) var offersDeclined = 0
    /// The loop's next wake (3.x), so an older wake is ignored, and when it is armed.
    var wakeGeneration: Int32 = 0
    var armedWake: SimTime?
    /// Loading the jobs from ZooKeeper and starting the driver after election (model choice, as Marathon's 2 s).
    static let electionPrepareTime = SimDuration.seconds(2)
    /// Chronos exits when its ZooKeeper session is lost; its supervisor restarts it (model choice, as Marathon's).
    static let processRestartDelay = SimDuration.seconds(10)
    /// Filters.refuse_seconds when Chronos passes none (mesos.proto default 5 s).
    static let mesosDefaultRefuse = 5.0

    enum Kind: Int32 { case prepareDone = 1, scan, wake, delayedTask, processRestart }

    init(spec: ChronosSpec, model: ClusterSimulation, mesos: MesosCluster, zooKeeper: ZooKeeperEnsemble) {
        self.spec = spec
        self.model = model
        self.mesos = mesos
        self.zooKeeper = zooKeeper
        for (i, j) in spec.jobs.enumerated() {
            jobs.append(ChronosJobState(job: j, index: i, flags: spec.flags, behaviour: spec.behaviour(of: j.name),
                                        stream: { [unowned model] in model.stream(StreamName.of("chronos", j.name)) }))
            jobIndex[j.name] = i
        }
        for s in jobs {
            s.parents = s.job.parents.compactMap { jobIndex[$0] }
            s.edgeInvocations = Array(repeating: 0, count: s.parents.count)
            for p in s.parents { jobs[p].children.append(s.index) }
        }
        let infra = model.infrastructure
        latch = LeaderLatch(zooKeeper: zooKeeper, path: spec.flags.zkPath + "/candidate",
                            hosts: spec.hosts.compactMap { infra.host(named: $0)?.index }, sessionTimeout: spec.flags.zkTimeout, owner: self)
        lastReconciliation = Array(repeating: .zero + spec.flags.reconciliationInterval, count: latch.contenders.count)
    }

    public func register(in sim: Simulation) { target = sim.register(self) }

    public var frameworkName: String { "chronos" }
    public var role: String { spec.flags.mesosRole }
    /// Chronos does not declare PARTITION_AWARE: tasks on an unreachable agent are TASK_LOST.
    public var partitionAware: Bool { false }
    public var checkpoint: Bool { spec.flags.mesosCheckpoint }

    func log(_ event: String, _ subject: String, _ detail: String = "") { model.log("chronos", event, subject, detail) }
    var now: SimTime { model.sim.now }
    var sim: Simulation { model.sim }
    var nowMs: Int64 { spec.startMs + now.nanoseconds / 1_000_000 }
    /// Simulated time of Unix ms `ms`; an occurrence more than 292 years before the run's start (a
    /// schedule starting in year 1) is held at that limit rather than wrapping.
    func simTime(ms: Int64) -> SimTime {
        let limit = Int64.max / 1_000_000
        return SimTime(nanoseconds: max(-limit, min(limit, ms - spec.startMs)) * 1_000_000)
    }

    public func start() {
        driver = mesos.addFramework(self)
        // Not registered until a leader starts its driver (JobScheduler.onElected).
        driver.suppressOffers()
        latch.start()
    }

    // MARK: - Leader election

    func processName(_ i: Int) -> String { "chronos\(i + 1)@\(model.infrastructure.hosts[latch.contenders[i].host].name)" }

    public func latchElected(_ l: Int) {
        log("leaderElected", processName(l), "loading jobs (\(Self.electionPrepareTime))")
        sim.schedule(after: Self.electionPrepareTime, target: target, kind: Kind.prepareDone.rawValue, arg: Int64(l))
    }

    public func latchLost(_ l: Int, reason: LeaderLatch.LossReason, live: Bool) { loseLeadership(l, reason.rawValue) }

    public func latchSessionLost(_ i: Int) {
        sim.schedule(after: Self.processRestartDelay, target: target, kind: Kind.processRestart.rawValue, arg: Int64(i))
    }

    /// JobScheduler.onDefeated: the driver is closed, the loop stops, the job graph is reset. 3.x
    /// keeps its queue in memory only: it is lost (the schedule did not advance, the next leader
    /// runs the job). 2.x persisted its scheduled tasks: the next leader loads them.
    func loseLeadership(_ l: Int, _ why: String) {
        if leaderReady { failovers.append((now, nil)) }
        leaderReady = false
        epoch &+= 1
        log("leadershipLost", processName(l), why)
        driver.suppressOffers()
        if spec.version == .v3 { clearQueues() }
    }

    func leaderPrepared(_ l: Int) {
        guard latch.leader == l, !leaderReady else { return }
        leaderReady = true
        if let i = failovers.indices.last, failovers[i].readyAt == nil { failovers[i].readyAt = now }
        log("leaderReady", processName(l), "\(jobs.count) jobs; \(tasks.count) tasks running")
        for s in jobs { s.edgeInvocations = Array(repeating: 0, count: s.parents.count) }
        loadSchedules()
        reloadPersistedTasks()
        // MesosJobFramework.registered / reregistered: reviveOffers.
        driver.reviveOffers()
        switch spec.version {
        case .v2: scan()
        case .v3: wake()
        }
    }

    /// 2.x TaskUtils.loadTasks / getDueTimes: the tasks a former leader scheduled or queued (persisted
    /// until TASK_RUNNING) come back: not yet due, scheduled for their time; due less than the
    /// job's epsilon ago, queued at once; older, filtered out ("overdue", counted as dropped).
    /// What the former leader held only in memory (a retry still waiting for `--failure_retry`, a
    /// dependent's queued run) went with its process: counted as dropped.
    func reloadPersistedTasks() {
        var pending: [QueuedTask] = delayed.compactMap { $0 }
        for q in 0..<2 { pending += queues[q][heads[q]...] }
        clearQueues()
        for t in pending {
            let s = jobs[t.job]
            guard t.persisted else {
                s.dropped += 1
                log("runLost", s.name, "\(t.attempt > 0 ? "retry" : "dependent run") due \(t.due) was held in the former leader's memory only (not persisted)")
                continue
            }
            if t.due > now { schedule(t, at: t.due) }
            else if t.due + epsilon(s) > now { enqueue(t) }
            else {
                s.dropped += 1
                log("taskFiltered", s.name, "task due \(t.due) is overdue by more than epsilon \(epsilon(s))")
            }
        }
    }

    // MARK: - Hosts

    /// `orderly` (a reboot): the JVM's shutdown hook stops Chronos' services (mesosphere chaos
    /// 0.6.7 and 0.8.7 `App.run`: `sys.addShutdownHook(shutdownAndWait())`), and `ZookeeperService.
    /// shutDown` closes the Curator client, so the session ends and the standby leads at once;
    /// a crash leaves the session to expire.
    func hostWentDown(_ host: Int, orderly: Bool = false) {
        let died = latch.hostWentDown(host, closingSessions: orderly)
        // The others learn of it when the session ends: now if closed, else when the ensemble
        // expires it.
        guard let l = latch.leader, died.contains(l) else { return }
        log("leaderProcessDown", processName(l), "host \(model.infrastructure.hosts[host].name) down")
        if leaderReady { failovers.append((now, nil)) }
        leaderReady = false
        epoch &+= 1
        if spec.version == .v3 { clearQueues() }
    }

    func hostCameUp(_ host: Int) { latch.hostCameUp(host) }

    // MARK: - Events

    public func handle(_ event: Event, in sim: Simulation) {
        switch Kind(rawValue: event.kind)! {
        case .prepareDone:
            leaderPrepared(Int(event.arg))
        case .scan:
            guard leaderReady, Int32(truncatingIfNeeded: event.arg) == epoch else { return }
            scan()
        case .wake:
            let (gen, ep) = IndexGeneration.unpack(event.arg)
            guard leaderReady, ep == epoch, Int32(gen) == wakeGeneration else { return }
            armedWake = nil
            wake()
        case .delayedTask:
            let (slot, ep) = IndexGeneration.unpack(event.arg)
            guard leaderReady, ep == epoch, slot < delayed.count, let t = delayed[slot] else { return }
            delayed[slot] = nil
            freeSlots.append(slot)
            // a retry is persisted when its delay is over, just before it is queued
            var queued = t
            queued.persisted = true
            enqueue(queued)
        case .processRestart:
            let i = Int(event.arg)
            lastReconciliation[i] = now + spec.flags.reconciliationInterval
            latch.restart(i)
        }
    }

    // MARK: - Schedules

    /// The leader loads the jobs: an empty start becomes "now" the first time; 2.x
    /// (JobUtils.makeScheduleStream) moves a schedule whose next run is older than its epsilon
    /// forward to the first occurrence after now (skipForward; a finite one with fewer repetitions
    /// left than skipped is dropped).
    func loadSchedules() {
        for s in jobs {
            guard let sched = s.job.schedule else { continue }
            if s.origin == nil { s.origin = sched.startMs ?? nowMs }
            guard spec.version == .v2, !s.disabled, s.hasRecurrences, let next = s.nextMs() else { continue }
            let eps = epsilon(s)
            if next + eps.nanoseconds / 1_000_000 < nowMs {
                let k = sched.firstIndex(after: s.nextIndex - 1, laterThan: nowMs, origin: s.origin!)
                let skip = k - s.nextIndex
                if s.remaining >= 0 && s.remaining < skip {
                    s.exhausted = true
                    log("jobFiltered", s.name, "all \(s.remaining) remaining runs are older than epsilon")
                } else {
                    s.skippedForward += Int(skip)
                    s.nextIndex = k
                    if s.remaining > 0 { s.remaining -= skip }
                    log("skippedForward", s.name, "\(skip) runs older than epsilon \(eps)")
                }
            }
        }
    }

    func epsilon(_ s: ChronosJobState) -> SimDuration { s.job.epsilon ?? spec.flags.taskEpsilon }

    /// 2.x JobScheduler.iteration / next, every `--schedule_horizon`: an occurrence in
    /// (now - epsilon, now + horizon) is scheduled for its time; one at or before now - epsilon
    /// is skipped (JobSkipped); a later one waits for a later scan.
    func scan() {
        let horizonMs = spec.flags.scheduleHorizon.nanoseconds / 1_000_000
        let nowMs = self.nowMs
        for s in jobs where !s.disabled && s.hasRecurrences {
            let epsMs = epsilon(s).nanoseconds / 1_000_000
            while s.hasRecurrences, let next = s.nextMs() {
                if next > nowMs - epsMs && next < nowMs + horizonMs {
                    s.advance()
                    s.due += 1
                    let due = simTime(ms: next)
                    schedule(QueuedTask(job: s.index, due: due, attempt: 0), at: max(now, due))
                } else if next >= nowMs {
                    break
                } else {
                    s.advance()
                    s.skipped += 1
                    log("jobSkipped", s.name, "run due \(simTime(ms: next)) is older than epsilon \(epsilon(s))")
                }
            }
        }
        let period = max(spec.flags.scheduleHorizon, .millisecond)
        sim.schedule(after: period, target: target, kind: Kind.scan.rawValue, arg: Int64(epoch))
    }

    /// 3.x JobScheduler.mainLoop, at every wake: queue every enabled job whose next time has come,
    /// then sleep until the next job's time (`nanosUntilNextJob`). The loop also wakes after every
    /// batch of offers (`launchTasks` -> `notifyCondition`), so an overdue job is queued again until
    /// a task of it launches (TaskManager.enqueue ignores it while it waits in the queue). A job
    /// that becomes due wakes the loop at its time; the real loop also wakes 60 s after its last
    /// wake when no job is waiting, which finds nothing to do (a job becomes overdue only at its
    /// time, and one dropped at an offer is queued again right after), so that wake is not simulated.
    func wake() {
        let nowMs = self.nowMs
        var nextWake: Int64? = nil
        for s in jobs where !s.disabled && s.hasRecurrences {
            guard let next = s.nextMs() else { continue }
            if next <= nowMs {
                let k = s.nextIndex
                if enqueue(QueuedTask(job: s.index, due: simTime(ms: next), attempt: 0, occurrence: k)) && s.lastDueOccurrence != k {
                    s.lastDueOccurrence = k
                    s.due += 1
                }
            } else {
                nextWake = min(nextWake ?? next, next)
            }
        }
        guard let n = nextWake.map({ simTime(ms: $0) }), armedWake != n else { return }
        armedWake = n
        wakeGeneration &+= 1
        sim.schedule(at: n, target: target, kind: Kind.wake.rawValue,
                     arg: IndexGeneration.pack(Int(UInt32(bitPattern: wakeGeneration)), epoch))
    }

    /// 3.x JobScheduler.handleLaunchedTask -> getNewRunningJob: a schedule-based job's start moves
    /// to the first occurrence after now (skipForward); a finite one loses one repetition.
    func skipForwardAtLaunch(_ s: ChronosJobState) {
        guard spec.version == .v3, let sched = s.job.schedule, let o = s.origin, let next = s.nextMs() else { return }
        let nowMs = self.nowMs
        if next < nowMs {
            let k = sched.firstIndex(after: s.nextIndex, laterThan: nowMs, origin: o)
            s.skippedForward += Int(k - s.nextIndex - 1)
            s.nextIndex = k
        }
        if s.remaining > 0 { s.remaining -= 1 }
    }

    // MARK: - Queue

    func clearQueues() {
        queues = [[], []]; heads = [0, 0]
        delayed = []; freeSlots = []
        armedWake = nil
    }

    /// Whether a task of the job waits in the queue (TaskManager.queueContains, by job name).
    func isQueued(_ job: Int) -> Bool {
        for q in 0..<2 where queues[q][heads[q]...].contains(where: { $0.job == job }) { return true }
        return false
    }

    func schedule(_ t: QueuedTask, at time: SimTime) {
        let slot: Int
        if let f = freeSlots.popLast() { slot = f; delayed[f] = t } else { slot = delayed.count; delayed.append(t) }
        armDelayed(slot, at: time)
    }

    func armDelayed(_ slot: Int, at time: SimTime) {
        sim.schedule(at: time, target: target, kind: Kind.delayedTask.rawValue, arg: IndexGeneration.pack(slot, epoch))
    }

    /// TaskManager.enqueue. Chronos calls reviveOffers here only with --revive_offers_for_new_jobs
    /// (default false): the task waits for the next offer. 3.x (@c1348ddfd80e, since #762 "Don't
    /// double enqueue tasks") ignores a task of a job that already waits in the queue: the 3.x
    /// loop's copies of an overdue run, but also a retry or a dependent's trigger arriving then,
    /// which are lost (counted as dropped). 2.5.1 queues every task.
    @discardableResult
    func enqueue(_ t: QueuedTask) -> Bool {
        if spec.version == .v3 && isQueued(t.job) {
            if t.occurrence < 0 {
                jobs[t.job].dropped += 1
                log("runDropped", jobs[t.job].name, "\(t.attempt > 0 ? "retry" : "run") not queued: a task of the job is already in the queue")
            }
            return false
        }
        queues[jobs[t.job].job.highPriority ? 0 : 1].append(t)
        return true
    }

    /// TaskManager.getTask: the head of the high-priority queue, else of the normal one.
    func dequeue() -> QueuedTask? {
        for q in 0..<2 where heads[q] < queues[q].count {
            let t = queues[q][heads[q]]
            heads[q] += 1
            if heads[q] == queues[q].count { queues[q].removeAll(keepingCapacity: true); heads[q] = 0 }
            return t
        }
        return nil
    }

    public var queuedCount: Int { queues[0].count - heads[0] + queues[1].count - heads[1] }

    // MARK: - Offers

    var declineSeconds: Double { spec.flags.declineOfferDuration.map { $0.seconds } ?? Self.mesosDefaultRefuse }

    public func resourceOffers(_ offers: [Offer]) {
        guard leaderReady else {
            for o in offers { decline(o) }
            return
        }
        var remaining = offers.map(\.resources)
        var chosen: [(task: QueuedTask, offer: Int)] = []
        // MesosJobFramework.generateLaunchableTasks: take the queue's head until it is empty, a
        // task fits no offer (that one goes back to the queue's end) or the head's job is disabled.
        while let t = dequeue() {
            let s = jobs[t.job]
            if s.disabled {
                // TaskManager.getTask(FromQueue) answers None for a disabled job's task (JobExpired):
                // the task is gone and the batch ends there, what follows it waits for the next offers.
                s.dropped += 1
                log("jobExpired", s.name, "queued run dropped: the job is disabled; the batch ends here")
                break
            }
            if s.running > 0 && !(spec.version == .v3 && s.job.concurrent) {
                // 3.x queues an overdue occurrence again after this batch: counted once.
                if t.occurrence < 0 || t.occurrence != s.lastDroppedOccurrence {
                    s.lastDroppedOccurrence = t.occurrence
                    s.dropped += 1
                    log("runDropped", s.name, "queued run dropped: the job is still running and not concurrent")
                }
                continue
            }
            if chosen.contains(where: { $0.task.job == t.job }) {
                s.dropped += 1
                continue
            }
            guard let o = offers.indices.first(where: { s.resources.fits(in: remaining[$0]) && meetsConstraints(s.job.constraints, host: offers[$0].agent) }) else {
                enqueue(t)
                break
            }
            remaining[o].cpus -= s.resources.cpus; remaining[o].memMB -= s.resources.memMB; remaining[o].diskMB -= s.resources.diskMB
            chosen.append((t, o))
        }
        for (oi, o) in offers.enumerated() {
            let mine = chosen.filter { $0.offer == oi }
            if mine.isEmpty { decline(o); continue }
            launch(mine.map(\.task), on: o)
        }
        // launchTasks ends with notifyCondition: the 3.x loop wakes after every batch.
        if spec.version == .v3 { wake() }
        reconcileIfDue()
    }

    /// MesosJobFramework.reconcile, called after every batch of offers and every status update:
    /// once `--reconciliation_interval` has passed since the last time, Chronos sends Mesos the
    /// statuses of the tasks it has heard of (an empty list asks for all of the framework's tasks).
    /// Mesos answers through status updates: a task it no longer knows the agent of comes back
    /// TASK_LOST and is handled as a failure. No timer: it costs nothing while no callback arrives.
    func reconcileIfDue() {
        guard leaderReady, let l = latch.leader, now > lastReconciliation[l] + spec.flags.reconciliationInterval else { return }
        lastReconciliation[l] = now
        reconciliations += 1
        driver.reconcile(tasks: tasks.filter { $0.value.seen }.keys.sorted())
    }

    /// fidelity.offers `fast` (docs/chronos.md "Offers while idle"): Chronos declines every offer
    /// with the same filter while its queue is empty (both versions; neither suppresses offers), so
    /// the allocator may decline for it without making the offers. A decline keeps the side effect
    /// the real callback has (the reconciliation check); the 3.x loop's wake after a batch finds
    /// nothing when the queue is empty (an overdue job is always queued again right after a batch).
    /// With tasks queued every offer is made and delivered with the pass's others (`.wantedInBatch`), as in
    /// `exact`: Chronos matches its queue against the whole batch.
    public func offerOutlook(host: Int, resources: Resources) -> OfferOutlook {
        guard leaderReady else { return .allDeclined(refuseSeconds: declineSeconds) }
        guard queuedCount == 0 else { return .wantedInBatch }
        offersDeclined += 1
        reconcileIfDue()
        return .allDeclined(refuseSeconds: declineSeconds)
    }

    func decline(_ o: Offer) {
        offersDeclined += 1
        driver.decline(offer: o.id, refuseSeconds: declineSeconds)
    }

    func meetsConstraints(_ cs: [ChronosConstraint], host: Int) -> Bool {
        if cs.isEmpty { return true }
        let h = model.infrastructure.hosts[host]
        for c in cs {
            // ConstraintChecker adds a `hostname` attribute when the agent has none.
            var values = h.attributes.filter { $0.name == c.attribute }.map(\.value)
            if values.isEmpty && c.attribute == "hostname" { values = [h.name] }
            let ok: Bool
            switch c.op {
            case .equals: ok = values.contains(c.value)
            case .like: ok = values.contains { c.regex?.matchesWhole($0) ?? false }
            case .unlike: ok = !values.contains { c.regex?.matchesWhole($0) ?? false }
            }
            if !ok { return false }
        }
        return true
    }

    /// MesosJobFramework.launchTasks: one launch per offer, with no filter of its own (Mesos' 5 s
    /// default on what is left).
    func launch(_ batch: [QueuedTask], on offer: Offer) {
        var launches: [TaskLaunch] = []
        for t in batch {
            let s = jobs[t.job]
            let b = s.behaviour
            let fails = b.failureProbability > 0 && s.stream.uniform() < b.failureProbability
            let behaviour = TaskBehaviour(startup: .constant(0), timeToCrash: fails ? b.runTime : nil, timeToFinish: fails ? nil : b.runTime,
                                          maxCompletionTime: s.job.maxCompletionTime)
            let dueMs = spec.startMs + t.due.nanoseconds / 1_000_000
            launches.append(TaskLaunch(name: "ct:\(dueMs):\(t.attempt):\(s.name)", framework: frameworkName, resources: s.resources,
                                       image: s.job.image.map { ImageRef(name: $0, sizeBytes: b.imageSizeBytes) },
                                       behaviour: behaviour, source: s.name,
                                       idLength: s.job.mesosTaskIDLength(dueMs: dueMs, attempt: t.attempt)))
        }
        guard let ids = driver.launch(offer: offer.id, tasks: launches, refuseSeconds: Self.mesosDefaultRefuse) else {
            // The offer was gone: the tasks go back to the queue (Chronos would lose them; see docs/chronos.md).
            for t in batch { enqueue(t) }
            return
        }
        for (k, id) in ids.enumerated() {
            let t = batch[k]
            let s = jobs[t.job]
            tasks[id] = (t.job, t.attempt, false)
            s.running += 1
            s.launched += 1
            if t.attempt == 0 { s.recordLateness(max(.zero, now - t.due)) }
            skipForwardAtLaunch(s)
        }
    }

    public func offerRescinded(_ offer: Int64) {}

    public func registered(reregistered: Bool) {
        if leaderReady { driver.reviveOffers() }
    }

    public func disconnected() {}

    // MARK: - Status updates

    public func statusUpdate(_ u: TaskStatusUpdate) {
        guard leaderReady else { return }
        defer { reconcileIfDue() }
        guard let (ji, attempt, _) = tasks[u.task] else { return }
        let s = jobs[ji]
        switch u.state {
        case .staging, .starting, .running:
            // JobScheduler.handleStartedTask: a dependent's parent edges start counting again.
            tasks[u.task]!.seen = true
            for i in s.edgeInvocations.indices { s.edgeInvocations[i] = 0 }
            return
        default:
            break
        }
        guard u.state.isTerminal else { return }
        tasks[u.task] = nil
        s.running -= 1
        switch u.state {
        case .finished:
            if s.job.async { return }
            finished(s)
        case .failed, .lost:
            failed(s, attempt: attempt)
        case .killed:
            s.failed += 1
        default:
            break   // "Unknown TaskState": only forgotten
        }
    }

    /// JobScheduler.handleFinishedTask.
    func finished(_ s: ChronosJobState) {
        s.succeeded += 1
        s.errorsSinceLastSuccess = 0
        s.lastSuccess = .ms(nowMs)
        log("jobFinished", s.name, "success \(s.succeeded)")
        processDependencies(s)
        if s.job.schedule != nil && s.remaining == 0 && !s.disabled {
            s.disabled = true
            s.disabledAt = now
            log("jobDisabled", s.name, "all recurrences done")
        }
    }

    /// JobScheduler.handleFailedTask: retry after --failure_retry while attempts are left and the
    /// job has no error newer than its last success; else count the error, maybe disable it.
    func failed(_ s: ChronosJobState, attempt: Int) {
        s.failed += 1
        // Times in ms as Chronos keeps them (DateTime.now().toString); a time of the job's JSON
        // that Joda cannot read gives no recent success (the exception is caught: false).
        if attempt < s.job.retries && (s.lastError == nil || s.hadRecentSuccess) {
            s.retried += 1
            let at = now + spec.flags.failureRetry
            log("jobRetry", s.name, "attempt \(attempt + 1) at \(at)")
            schedule(QueuedTask(job: s.index, due: at, attempt: attempt + 1, persisted: false), at: at)
            return
        }
        let disable = spec.flags.disableAfterFailures > 0 && s.errorsSinceLastSuccess + 1 >= Int64(spec.flags.disableAfterFailures)
        s.errorsSinceLastSuccess += 1
        s.lastError = .ms(nowMs)
        log("jobFailed", s.name, "failed beyond retries; \(s.errorsSinceLastSuccess) errors since last success")
        if disable && !s.disabled {
            s.disabled = true
            s.disabledAt = now
            log("jobDisabled", s.name, "\(s.errorsSinceLastSuccess) failures (disable_after_failures=\(spec.flags.disableAfterFailures))")
        }
        if s.job.softError { processDependencies(s) }
    }

    /// JobGraph.getExecutableChildren: a child with one parent runs after it; a child with several
    /// counts each parent edge and runs when this edge's count reaches the smallest count of its
    /// edges (every parent has succeeded as often), i.e. after its last parent.
    func processDependencies(_ parent: ChronosJobState) {
        for ci in parent.children {
            let c = jobs[ci]
            var ready = c.parents.count == 1
            if !ready, let e = c.parents.firstIndex(of: parent.index) {
                c.edgeInvocations[e] += 1
                ready = c.edgeInvocations[e] == c.edgeInvocations.min()
            }
            guard ready, !c.disabled else { continue }
            c.due += 1
            log("dependentQueued", c.name, "after \(parent.name)")
            enqueue(QueuedTask(job: ci, due: now, attempt: 0, persisted: false))
        }
    }
}
