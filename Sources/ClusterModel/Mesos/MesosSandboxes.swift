import SimKernel

// The agent's `--work_dir` (/var/lib/mesos): the sandboxes of its executors, what the tasks write
// into them, and the agent's garbage collector (docs/mesos.md "Sandboxes and their garbage
// collection"). Modelled only with `mesos.agents.workDir`; without it nothing here runs.
//
// Sources (apache/mesos @1.4.0 unless said otherwise):
// - src/slave/slave.cpp `Framework::launchExecutor` creates the executor's run directory (the
//   sandbox) through paths::createExecutorDirectory when the agent gets the task; from 1.6.0 a
//   failure (ENOSPC) is returned to `Slave::_run`, which sends TASK_DROPPED (TASK_LOST to a framework
//   that is not PARTITION_AWARE) with REASON_EXECUTOR_TERMINATED and the message "Failed to create
//   executor directory '<dir>': <error>" (slave.cpp@1.6.0 `sendTaskDroppedUpdate`, paths.cpp@1.6.0).
//   Up to 1.5.x the agent aborts on it (`CHECK_SOME(mkdir)` in paths.cpp `createExecutorDirectory`,
//   called from slave.cpp `Framework::addExecutor`; MesosVersion.agentAbortsWhenSandboxFails):
//   `abortAgent` below.
// - The command and Docker executors write the task's stdout/stderr to the files `stdout` and
//   `stderr` of the sandbox (SandboxContainerLogger, the default `--container_logger`); a write to
//   a full filesystem fails with ENOSPC and the process goes on (its output is lost), as the
//   LogrotateContainerLogger does too (src/slave/container_loggers/logrotate.cpp: "We do not exit
//   on error here since we are prioritizing clearing the STDIN pipe ... over log fidelity").
// - slave.cpp `removeExecutor`: when an executor terminates, its run directory's mtime is set to
//   now (`os::utime`) and `garbageCollect(path)` schedules it for removal after
//   `gc_delay - (now - mtime)`, i.e. gc_delay after the executor's end. The age only counts when an
//   agent restarts: recovery schedules the terminated runs again without touching them (the same
//   removal time), so the model keeps its schedule across agent-process restarts.
// - src/slave/gc.cpp: one timer at the earliest scheduled removal (`reset`); `prune(d)` removes at
//   once every path whose remaining time is <= d.
// - slave.cpp `checkDiskUsage`/`_checkDiskUsage`: every `disk_watch_interval` from the agent's
//   start, usage = used/size of the work_dir's filesystem, max allowed age = `gc_delay *
//   max(0, 1 - gc_disk_headroom - usage)` (`Slave::age`), then `gc->prune(gc_delay - age)`: every
//   scheduled sandbox at least that old goes.
// - slave.cpp `_recover`: after a reboot (new agent id) the old agent's work directory is touched
//   (`os::utime`) and scheduled as a whole (`garbageCollect`).
//
// - The disk quota (docs/mesos.md "Disk quota"): with `--enforce_container_disk_quota` and
//   `disk/du` in `--isolation`, the Mesos containerizer's disk/du isolator
//   (src/slave/containerizer/mesos/isolators/posix/disk.cpp) watches the sandbox of each of its
//   containers that has a `disk` resource (`update`: the quota is the task's disk,
//   `Resources::disk()`, whole MB). Its `DiskUsageCollector` keeps one FIFO queue of pending `du -k -s`
//   per agent, runs one at a time and waits `container_disk_watch_interval` after each (`schedule`,
//   `_schedule`); a container's next `du` is queued when its result comes back (`_collect`), so the
//   containers take turns. A result over the quota sets the limitation "Disk usage (X) exceeds
//   quota (Y)" with REASON_CONTAINER_LIMITATION_DISK; the containerizer destroys the container
//   (containerizer.cpp `limited`) and the agent sends TASK_FAILED with that reason and message
//   (slave.cpp `sendExecutorTerminatedStatusUpdate`). Docker-containerizer tasks have no isolators.
//
// Cost: writes are fluid; an agent plans one event at its filesystem's full crossing, one at its
// GC timer and one at the first disk check that will prune something. A check that prunes nothing
// changes nothing, so it is not simulated: the first check at which the oldest scheduled sandbox
// reaches the max allowed age is computed from the usage's linear growth (an exact shortcut, no
// randomness is involved) and re-planned whenever a rate, a sandbox or the agent changes.

/// A task's sandbox: its executor's run directory under the agent's work_dir.
public final class Sandbox {
    public let task: TaskID
    /// The task's name (events' subject).
    public let name: String
    public let path: String
    /// The directory's mtime: its creation, then the executor's end (`os::utime` in
    /// `removeExecutor`), or the reboot that touched the old agent's directory.
    public internal(set) var mtime: SimTime
    public internal(set) var bytes: Double
    /// Bytes per second the task writes to it while its container runs.
    var rate: Double = 0
    /// The most it can hold with the LogrotateContainerLogger (its directory plus (rotate + 1) x
    /// max_stdout_size); nil: unbounded (the sandbox logger).
    public internal(set) var limit: Double?
    /// Bytes per second it grows now: its rate until it reaches its limit.
    var growth: Double { limit.map { bytes < $0 ? rate : 0 } ?? rate }
    /// When the GC timer removes it; nil while its executor runs, and after, until the framework
    /// has acknowledged its task's terminal update.
    public internal(set) var removalAt: SimTime?
    /// The executor has terminated; its removal waits for the terminal update's acknowledgement.
    var awaitingAck = false
    /// The terminal update was acknowledged (before the executor ended, in the model's order).
    var acknowledged = false
    var slot = -1
    /// The disk/du isolator's quota for it (the task's disk in whole MiB); nil: not watched.
    public internal(set) var quotaBytes: Double?
    init(task: TaskID, name: String, path: String, mtime: SimTime, bytes: Double) {
        self.task = task; self.name = name; self.path = path; self.mtime = mtime; self.bytes = bytes
    }
}

/// The filesystem of an agent's work_dir and the sandboxes on it.
public final class WorkDir {
    public let capacity: Double
    public let otherUsed: Double
    /// In creation order (swap-removed); never a Dictionary walk.
    public internal(set) var sandboxes: [Sandbox] = []
    /// Sandboxes by task, looked up only.
    var byTask: [TaskID: Sandbox] = [:]
    var sandboxBytes = 0.0
    var writeRate = 0.0
    var updatedAt = SimTime.zero
    /// No byte left: writes fail with ENOSPC, new sandboxes cannot be created.
    public internal(set) var full = false
    var fullGen: Int32 = 0
    var gcGen: Int32 = 0
    var watchGen: Int32 = 0
    /// The agent process' start: disk checks run at origin + k * disk_watch_interval.
    public internal(set) var watchOrigin = SimTime.zero
    public internal(set) var scheduled = 0
    public internal(set) var removedTotal = 0
    public internal(set) var prunedTotal = 0
    public internal(set) var createFailures = 0
    /// The last disk check's max allowed age (`executor_directory_max_allowed_age_secs`); nil before the first.
    public internal(set) var maxAllowedAge: SimDuration?
    /// The disk/du collector's queue: the watched sandboxes, the one at index 0 measured at the
    /// collector's tick `duAnchor`, index i at `duAnchor + i` (then round and round).
    var duQueue: [Sandbox] = []
    var duAnchor: Int64 = 0
    var duGen: Int32 = 0
    /// Tasks killed for their disk quota.
    public internal(set) var diskLimitations = 0

    init(spec: WorkDirSpec) {
        capacity = Double(spec.capacityBytes)
        otherUsed = Double(spec.usedBytes)
    }

    public var used: Double { otherUsed + sandboxBytes }
    /// What `fs::usage(work_dir)` returns: used / size.
    public var usage: Double { min(1, max(0, used / capacity)) }
    /// Sandboxes whose executor runs (not ended, not waiting for an acknowledgement).
    public var running: Int { sandboxes.reduce(0) { $0 + ($1.removalAt == nil && !$1.awaitingAck ? 1 : 0) } }

    /// Brings the sandboxes' sizes to `t`.
    public func advance(to t: SimTime) {
        let dt = (t - updatedAt).seconds
        updatedAt = t
        guard dt > 0, !full, writeRate > 0 else { return }
        for s in sandboxes where s.rate > 0 {
            let b = min(s.bytes + s.rate * dt, s.limit ?? .infinity)
            if b > s.bytes { sandboxBytes += b - s.bytes; s.bytes = b }
        }
    }

    func add(_ s: Sandbox) {
        s.slot = sandboxes.count
        sandboxes.append(s)
        byTask[s.task] = s
        sandboxBytes += s.bytes
    }

    func remove(_ s: Sandbox) {
        let last = sandboxes.removeLast()
        if last !== s { sandboxes[s.slot] = last; last.slot = s.slot }
        s.slot = -1
        byTask[s.task] = nil
        sandboxBytes = max(0, sandboxBytes - s.bytes)
        if sandboxes.isEmpty { sandboxBytes = 0 }
        if s.removalAt != nil { scheduled -= 1 }
    }
}

extension MesosCluster {
    /// A new sandbox holds its directory block (ext4's 4 KiB; the executor's files start empty):
    /// creating it needs that much free space (model choice).
    static let sandboxInitialBytes = 4096.0

    func sandboxPath(_ a: MesosAgent, _ t: MesosTask) -> String {
        "/var/lib/mesos/slaves/\(a.agentID)/frameworks/\(frameworks[t.framework].name)/executors/\(t.name)/runs/\(t.id)"
    }

    /// The agent got the task: its executor's sandbox is created. False when it cannot be: the
    /// task is dropped (Mesos >= 1.6, see the header) or the agent aborts (up to 1.5.x).
    func createSandbox(_ t: MesosTask) -> Bool {
        let a = agents[t.agent]
        // An id longer than a file name names a directory of the sandbox's path (the executor id;
        // the command executor's is the task id): before 1.2.1 the master lets it through and the
        // mkdir fails with ENAMETOOLONG, which aborts the agent (MesosIDs.swift). Whatever the
        // work_dir's model: the directory is made on every agent.
        if let n = t.idLength, MesosIDRules.lengthProblem(n) != nil, !spec.version.masterRefusesLongIDs {
            a.workDir?.createFailures += 1
            abortAgent(a, t, check: "CHECK_SOME(mkdir): File name too long Failed to create executor directory '\(sandboxPath(a, t))'")
            return false
        }
        guard let w = a.workDir else { return true }
        w.advance(to: now)
        let path = sandboxPath(a, t)
        if w.capacity - w.used < Self.sandboxInitialBytes {
            w.createFailures += 1
            if spec.version.agentAbortsWhenSandboxFails {
                abortAgent(a, t, check: "CHECK_SOME(mkdir): No space left on device Failed to create executor directory '\(path)'")
                return false
            }
            let message = "Failed to create executor directory '\(path)': No space left on device"
            log("sandboxCreateFailed", t.name, "\(a.name): \(message)")
            finishOnAgent(t, frameworks[t.framework].partitionAware ? .dropped : .lost, .executorTerminated, message: message)
            return false
        }
        if let old = w.byTask[t.id] { w.remove(old) }   // a task id is launched once; defensive
        w.add(Sandbox(task: t.id, name: t.name, path: path, mtime: now, bytes: Self.sandboxInitialBytes))
        replanWorkDir(a)
        return true
    }

    /// The agent process aborts on a failed CHECK in `Framework::addExecutor` (slave.cpp, Mesos up to
    /// 1.5.x: `paths::createExecutorDirectory`'s `CHECK_SOME(mkdir)`). The process exits as in any
    /// agent crash (`crashAgentProcess`: running containers stay, launches in progress fail at the
    /// restart, the supervisor restarts it after `mesos.agents.restartDelay`). The task itself was
    /// not checkpointed yet (addExecutor runs before the task is queued on the executor and
    /// checkpointed), so the restarted agent does not know it: when it re-registers the master
    /// reconciles it and the agent answers TASK_DROPPED / TASK_LOST, REASON_RECONCILIATION
    /// ("Reconciliation: task unknown to the agent", master.cpp `reconcileKnownSlave`, slave.cpp
    /// `reregistered`; MesosCluster.admit).
    func abortAgent(_ a: MesosAgent, _ t: MesosTask, check: String) {
        t.atAgent = false
        log("agentAborted", a.name, "\(t.name): \(check)")
        crashAgentProcess(a, cause: "agent aborted: \(check)", restartAfter: nil, keepDown: false)
    }

    /// The task's container started: its process writes to the sandbox from now on.
    func sandboxContainerStarted(_ t: MesosTask) {
        let a = agents[t.agent]
        guard let w = a.workDir, let s = w.byTask[t.id], s.removalAt == nil else { return }
        let watch = enforcesDiskQuota && t.mesosContainerizer && t.resources.diskMB.milli > 0 && s.quotaBytes == nil
        guard watch || t.behaviour.sandboxWriteRate != nil else { return }
        w.advance(to: now)
        if let r = t.behaviour.sandboxWriteRate {
            s.rate = max(0, r.sample(model.stream(StreamName.of("sandbox", "\(t.name)#\(t.id)"))))
            // the LogrotateContainerLogger keeps the stdout files under their bound (counted at
            // the bound once there: an upper bound, over by less than one file)
            if let b = spec.agentFlags.containerLogger.stdoutBound { s.limit = max(s.bytes, Self.sandboxInitialBytes + b) }
            // the same output goes through Docker's logging driver (Docker containerizer)
            if !t.mesosContainerizer { containerStorage.containerStdout(task: t.id, bytesPerSecond: s.rate) }
        }
        if watch {
            // Resources::disk(): Megabytes(static_cast<uint64_t>(disk))
            s.quotaBytes = Double(t.resources.diskMB.milli / 1000) * Double(MiB)
            duRotate(w, to: duTick(atOrAfter: now, w))
            w.duQueue.append(s)   // behind every container already waiting
        }
        replanWorkDir(a)
    }

    /// `--enforce_container_disk_quota` with the disk/du isolator.
    var enforcesDiskQuota: Bool { spec.agentFlags.enforceContainerDiskQuota && spec.agentFlags.diskDuIsolator }

    /// The index of the disk/du collector's first tick at or after `t`; ticks at the agent
    /// process' start + k * container_disk_watch_interval (each `du` taken as instantaneous).
    func duTick(atOrAfter t: SimTime, _ w: WorkDir) -> Int64 {
        let d = t.nanoseconds - w.watchOrigin.nanoseconds
        let iv = max(1, spec.agentFlags.containerDiskWatchInterval.nanoseconds)
        return d <= 0 ? 0 : (d - 1) / iv + 1
    }

    /// Brings the queue to tick `k`: the sandboxes measured at the ticks since `duAnchor` went
    /// to the back, in turn.
    func duRotate(_ w: WorkDir, to k: Int64) {
        guard k > w.duAnchor else { return }
        let n = Int64(w.duQueue.count)
        if n > 1 {
            let shift = Int((k - w.duAnchor) % n)
            if shift > 0 { w.duQueue = Array(w.duQueue[shift...] + w.duQueue[..<shift]) }
        }
        w.duAnchor = k
    }

    /// The container is gone: its `du` is taken off the queue (`usage.discard()`).
    func duUnwatch(_ s: Sandbox, _ w: WorkDir) {
        guard s.quotaBytes != nil else { return }
        s.quotaBytes = nil
        duRotate(w, to: duTick(atOrAfter: now, w))
        if let i = w.duQueue.firstIndex(where: { $0 === s }) { w.duQueue.remove(at: i) }
    }

    /// Plans the collector's first tick whose `du` finds a sandbox over its quota: sandbox i of
    /// the queue is measured at ticks duAnchor + i + m * n, and is over from its fluid crossing.
    func planDiskQuota(_ a: MesosAgent, _ w: WorkDir) {
        let n = Int64(w.duQueue.count)
        let first = max(w.duAnchor, duTick(atOrAfter: now, w))
        var best = Int64.max
        for (i, s) in w.duQueue.enumerated() {
            guard let q = s.quotaBytes else { continue }
            var over = now
            if s.bytes <= q {
                guard s.growth > 0, !w.full, (s.limit ?? .infinity) > q else { continue }
                let ns = ((q - s.bytes) / s.rate * 1e9).rounded(.down)
                guard ns < 9e18 - Double(now.nanoseconds) else { continue }
                over = now + SimDuration(nanoseconds: Int64(ns) + 1)
            }
            let kmin = max(first, duTick(atOrAfter: over, w))
            let r = (w.duAnchor + Int64(i)) % n
            best = min(best, kmin + ((r - kmin % n) % n + n) % n)
        }
        let iv = max(1, spec.agentFlags.containerDiskWatchInterval.nanoseconds)
        guard best < Int64.max, Double(w.watchOrigin.nanoseconds) + Double(best) * Double(iv) < 9e18 else { return }
        model.sim.schedule(at: SimTime(nanoseconds: w.watchOrigin.nanoseconds + best * iv), target: target,
                           kind: Kind.diskQuota.rawValue, arg: pack(a.index, w.duGen))
    }

    /// The collector's tick: the `du` of the sandbox at the front of the queue.
    func diskQuotaTick(_ a: MesosAgent, _ w: WorkDir) {
        w.advance(to: now)
        let k = duTick(atOrAfter: now, w)
        duRotate(w, to: k)
        let s = w.duQueue[0]
        duRotate(w, to: k + 1)   // measured: to the back of the queue
        // (1 byte of slack for the floating-point crossing the plan computed)
        guard let q = s.quotaBytes, s.bytes > q - 1, let t = tasks[s.task], !t.state.isTerminal else { return }
        let kb = max((s.bytes / 1024).rounded(.up), q / 1024 + 1)   // du -k: 1 KiB blocks
        let message = "Disk usage (\(stoutBytes(UInt64(kb) * 1024))) exceeds quota (\(stoutBytes(UInt64(q))))"
        w.diskLimitations += 1
        log("containerLimitationDisk", t.name, "\(a.name): \(message)")
        finishOnAgent(t, .failed, .containerLimitationDisk, message: message)
    }

    /// The task's executor terminated: the sandbox stops growing, is touched and scheduled for
    /// removal after gc_delay minus its age, 0 (`Slave::removeExecutor`, `garbageCollect`).
    /// The executor ended: nothing writes to the sandbox any more. Its removal is scheduled once
    /// the framework has acknowledged the task's terminal update (slave.cpp@1.4.0
    /// `_statusUpdateAcknowledgement`: `completeTask`, then `removeExecutor` when the executor is
    /// TERMINATED and has no `incompleteTasks()`; `executorTerminated` removes it at once only when
    /// nothing is left unacknowledged).
    func sandboxExecutorTerminated(_ id: TaskID, agent ai: Int) {
        let a = agents[ai]
        guard let w = a.workDir, let s = w.byTask[id], s.removalAt == nil, !s.awaitingAck else { return }
        w.advance(to: now)
        s.rate = 0
        duUnwatch(s, w)
        if s.acknowledged { removeExecutorSandbox(s, w, a) } else { s.awaitingAck = true }
        replanWorkDir(a)
    }

    /// The framework acknowledged a task's terminal update (it received it: the acknowledgement is
    /// taken to reach the agent at once).
    func sandboxUpdateAcknowledged(task id: TaskID, host: Int) {
        guard let ai = agentOfHost[host], let w = agents[ai].workDir, let s = w.byTask[id], s.removalAt == nil else { return }
        if s.awaitingAck {
            s.awaitingAck = false
            w.advance(to: now)
            removeExecutorSandbox(s, w, agents[ai])
            replanWorkDir(agents[ai])
        } else {
            s.acknowledged = true
        }
    }

    /// `Slave::removeExecutor`: `os::utime(path)`, then `garbageCollect(path)`.
    func removeExecutorSandbox(_ s: Sandbox, _ w: WorkDir, _ a: MesosAgent) {
        s.mtime = now
        scheduleForGC(s, w, a)
    }

    func scheduleForGC(_ s: Sandbox, _ w: WorkDir, _ a: MesosAgent) {
        let gcDelay = spec.agentFlags.gcDelay
        let delay = gcDelay - (now - s.mtime)
        if s.removalAt == nil { w.scheduled += 1 }
        s.removalAt = now + max(.zero, delay)
        log("sandboxScheduledForGC", s.name, "\(a.name): removal in \(max(.zero, delay)) (gc_delay \(gcDelay) minus its age \(now - s.mtime) since its last touch); \(mib(s.bytes)) MiB")
    }

    /// Every container on the host is gone (host down): nothing writes any more.
    func workDirHostDown(_ a: MesosAgent) {
        guard let w = a.workDir else { return }
        w.advance(to: now)
        for s in w.sandboxes { s.rate = 0; s.quotaBytes = nil }
        w.duQueue.removeAll()
        replanWorkDir(a)
    }

    /// The agent process started: disk checks from now on; after a reboot the old agent's
    /// directory, every sandbox in it, is touched and scheduled (slave.cpp `_recover`).
    func workDirAgentStarted(_ a: MesosAgent, afterReboot: Bool) {
        guard let w = a.workDir else { return }
        w.advance(to: now)
        w.watchOrigin = now
        w.duAnchor = 0   // a new collector: its first tick at the start, the queue as it was
        if afterReboot && !w.sandboxes.isEmpty {
            for s in w.sandboxes {
                s.rate = 0
                s.awaitingAck = false
                if s.removalAt == nil { w.scheduled += 1 }
                s.mtime = now
                s.removalAt = now + spec.agentFlags.gcDelay
            }
            log("sandboxScheduledForGC", a.name, "old agent directory (\(w.sandboxes.count) sandboxes, \(mib(w.sandboxBytes)) MiB) after the reboot: removal in \(spec.agentFlags.gcDelay)")
        }
        replanWorkDir(a)
    }

    /// Re-evaluates the filesystem (full or not) and plans the agent's next crossing, GC removal
    /// and pruning disk check.
    func replanWorkDir(_ a: MesosAgent) {
        guard let w = a.workDir else { return }
        w.writeRate = w.sandboxes.reduce(0) { $0 + $1.growth }
        let free = w.capacity - w.used
        if w.full && free >= 1 {
            w.full = false
            log("workDirWritable", a.name, "\(mib(free)) MiB free: writes to the sandboxes go through")
        } else if !w.full && free < 1 {
            w.full = true
            log("workDirFull", a.name, "\(gib(w.used)) GiB used of \(gib(w.capacity)) GiB: writes to the sandboxes fail with ENOSPC, new sandboxes cannot be created")
        }
        // the full crossing, or the first sandbox reaching its logger's bound (its growth stops)
        w.fullGen &+= 1
        // A full work_dir ends the Docker tasks whose `docker run` writes there (see
        // `failDockerRunsOnFullWorkDir`): at once, in an event of its own (this may run inside a
        // task's start or end).
        if w.full && hasFailingDockerRun(w) {
            model.sim.schedule(at: now, target: target, kind: Kind.workDirFull.rawValue, arg: pack(a.index, w.fullGen))
        }
        if !w.full && w.writeRate > 0 {
            var secs = free / w.writeRate
            for s in w.sandboxes { if let l = s.limit, s.growth > 0 { secs = min(secs, (l - s.bytes) / s.rate) } }
            let d = SimDuration(nanoseconds: Int64(min((max(0, secs) * 1e9).rounded(.up), 9e18)) + 1)
            model.sim.schedule(at: now + d, target: target, kind: Kind.workDirFull.rawValue, arg: pack(a.index, w.fullGen))
        }
        w.duGen &+= 1
        if a.processRunning && !w.duQueue.isEmpty { planDiskQuota(a, w) }
        w.gcGen &+= 1
        w.watchGen &+= 1
        guard a.processRunning, w.scheduled > 0 else { return }
        // gc.cpp: the timer at the earliest removal
        var earliest = SimTime.distantFuture
        for s in w.sandboxes { if let r = s.removalAt, r < earliest { earliest = r } }
        model.sim.schedule(at: max(now, earliest), target: target, kind: Kind.sandboxGC.rawValue, arg: pack(a.index, w.gcGen))
        // The first disk check that prunes: the oldest scheduled sandbox (removal at R) goes at the
        // check at t when R - t <= gc_delay * min(1, headroom + usage(t)); usage grows linearly
        // (u0 + b x, x = t - now) until the filesystem is full.
        let g = spec.agentFlags.gcDelay.seconds, h = spec.agentFlags.gcDiskHeadroom
        let r = (earliest - now).seconds
        let u0 = w.usage, b = w.full ? 0 : w.writeRate / w.capacity
        var x: Double
        if h + u0 >= 1 {
            x = r - g
        } else {
            x = (r - g * (h + u0)) / (1 + g * b)
            if h + u0 + b * x > 1 { x = r - g }
        }
        let o = w.watchOrigin.nanoseconds, iv = max(1, spec.agentFlags.diskWatchInterval.nanoseconds)
        // a little early, never past a check that prunes (rounding): at most a millisecond and
        // half an interval, so a check that finds nothing is followed by the next one
        x = max(0, x) - min(0.001, Double(iv) / 2e9)
        let want = Double(now.nanoseconds) + x * 1e9
        let last = (Int64.max - o) / iv   // checks beyond the end of time are never due
        var k = want >= 9e18 ? last : min(last, Int64(((want - Double(o)) / Double(iv)).rounded(.up)))
        if k < last && o + k * iv <= now.nanoseconds { k = (now.nanoseconds - o) / iv + 1 }
        guard k < last else { return }
        model.sim.schedule(at: SimTime(nanoseconds: o + k * iv), target: target, kind: Kind.diskWatch.rawValue, arg: pack(a.index, w.watchGen))
    }

    func workDirEvent(_ k: Kind, agent i: Int, generation gen: Int32) {
        let a = agents[i]
        guard let w = a.workDir else { return }
        switch k {
        case .workDirFull:
            guard w.fullGen == gen else { return }
            w.advance(to: now)
            if w.full { failDockerRunsOnFullWorkDir(a, w) }
            replanWorkDir(a)
        case .sandboxGC:
            guard w.gcGen == gen, a.processRunning else { return }
            w.advance(to: now)
            for s in w.sandboxes.filter({ $0.removalAt.map { $0 <= now } ?? false }) {
                w.remove(s)
                w.removedTotal += 1
                log("sandboxRemoved", s.name, "\(a.name): gc_delay reached; \(mib(s.bytes)) MiB freed")
            }
            replanWorkDir(a)
        case .diskWatch:
            guard w.watchGen == gen, a.processRunning else { return }
            w.advance(to: now)
            let usage = w.usage
            let gcDelay = spec.agentFlags.gcDelay
            let age = SimDuration.fromSeconds(gcDelay.seconds * max(0, 1 - spec.agentFlags.gcDiskHeadroom - usage))
            w.maxAllowedAge = age
            let horizon = gcDelay - age
            for s in w.sandboxes.filter({ $0.removalAt.map { $0 - now <= horizon } ?? false }) {
                w.remove(s)
                w.prunedTotal += 1
                log("sandboxPruned", s.name, "\(a.name): disk usage \(NumberFormat.decimal(100 * usage, 2))%, max allowed age \(age), sandbox age \(now - s.mtime); \(mib(s.bytes)) MiB freed")
            }
            replanWorkDir(a)
        case .diskQuota:
            guard w.duGen == gen, a.processRunning, !w.duQueue.isEmpty else { return }
            diskQuotaTick(a, w)
            replanWorkDir(a)
        default: break
        }
    }
}

extension MesosCluster {
    /// The sandboxes whose writer dies of a full work_dir: a running Docker-containerizer task that
    /// writes to stdout, under the SandboxContainerLogger (its `docker run` writes the file itself).
    /// With the LogrotateContainerLogger the output goes through a pipe to mesos-logrotate-logger,
    /// which ignores its write errors (logrotate.cpp), and a Mesos-containerizer task's process
    /// writes the file directly (what it does with ENOSPC is the program's affair: it goes on here).
    func dockerRunWritesSandbox(_ s: Sandbox) -> Bool {
        guard s.rate > 0, s.removalAt == nil, case .sandbox = spec.agentFlags.containerLogger,
              let t = tasks[s.task], !t.mesosContainerizer, t.containerAlive, !t.state.isTerminal else { return false }
        return true
    }

    func hasFailingDockerRun(_ w: WorkDir) -> Bool { w.sandboxes.contains { dockerRunWritesSandbox($0) } }

    /// The work_dir is full: each `docker run` writing a task's output to its sandbox's `stdout`
    /// gets ENOSPC and exits with status 1, and the Docker executor reports the task failed.
    /// Sources: apache/mesos@1.4.0 src/docker/executor.cpp (`docker->run(..., Subprocess::FD(STDOUT_FILENO),
    /// ...)`: `docker run` inherits the executor's stdout, the sandbox's `stdout` file that the
    /// SandboxContainerLogger gives it; `reaped`/`_reaped`: the exit of that process is the task's,
    /// TASK_FAILED "Container exited with status 1", no reason), src/docker/docker.cpp `Docker::run`
    /// (returns the subprocess' status); moby/moby@v17.03.0-ce cli/command/container/hijack.go
    /// `holdHijackedConnection` (stdcopy.StdCopy's write error ends the attach and is returned),
    /// run.go (`Error hijack` returned), cmd/docker/docker.go (any other error: exit status 1); the
    /// same in docker/cli 17.06 on. The executor then stops and the containerizer destroys the
    /// container (`docker stop`).
    func failDockerRunsOnFullWorkDir(_ a: MesosAgent, _ w: WorkDir) {
        let victims = w.sandboxes.filter { dockerRunWritesSandbox($0) }
        for s in victims { s.rate = 0 }   // nothing writes any more, whatever follows
        for s in victims {
            guard let t = tasks[s.task] else { continue }
            log("sandboxWriteFailed", t.name, "\(a.name): docker run cannot write the container's output to \(s.path)/stdout: No space left on device; it exits with status 1")
            finishOnAgent(t, .failed, .none, message: "Container exited with status 1")
        }
    }
}

/// stout's `Bytes` as `operator<<` prints it: the largest unit without loss (B, KB, MB, GB, TB;
/// powers of 1024), apache/mesos 1.4.0 3rdparty/stout/include/stout/bytes.hpp.
func stoutBytes(_ b: UInt64) -> String {
    var v = b
    for unit in ["B", "KB", "MB", "GB"] {
        if v == 0 || v % 1024 != 0 { return "\(v)\(unit)" }
        v /= 1024
    }
    return "\(v)TB"
}

func mib(_ bytes: Double) -> String { NumberFormat.decimal(bytes / Double(MiB), 3) }
