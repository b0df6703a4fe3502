import SimKernel

// Task execution on the agent: image pull, container start, the process' behaviour, Mesos-level
// health checks run by the executor, kills. And the event dispatch, faults and metrics.

extension MesosCluster {
    // MARK: containerizer

    /// The agent got the launch: pull the image if this host does not have it, then start.
    func runOnAgent(_ t: MesosTask) {
        let a = agents[t.agent]
        t.atAgent = true
        t.gen &+= 1
        if !createSandbox(t) { return }   // the executor's sandbox (MesosSandboxes.swift)
        schedule(.execRegTimeout, after: spec.agentFlags.executorRegistrationTimeout, pack2(t))
        if !dockerAnswers(t) { return }
        if let img = t.image, !a.imageCache.contains(img.name) {
            beginPull(t, img)
        } else {
            startContainer(t)
        }
    }

    /// Joins the agent's pull of the image or starts one. Its download shares the host's NIC (and
    /// the registry's capacity, when set) with the other downloads running (MesosPulls.swift); with
    /// the registry's blobs on Ceph the pull waits while a PG holding them is below min_size, and
    /// reads at most at the Ceph client read rate.
    func beginPull(_ t: MesosTask, _ img: ImageRef) {
        let a = agents[t.agent]
        switch a.pulls[img.name] {
        case .done(let at)?:
            // the image came in (a pull keeps going while another launch of the image waits for it)
            model.sim.schedule(at: max(at, now), target: target, kind: Kind.pullDone.rawValue, arg: pack2(t))
            return
        case .downloading(let d)?:
            downloads.list[d]?.waiters.append(pack2(t))
            return
        case nil: break
        }
        if let source = imageSource, let answer = source.pull(image: img, host: a.host.index, waiter: pack2(t)) {
            switch answer {
            case .ready:
                a.pulls[img.name] = .done(now)
                schedule(.pullDone, after: .zero, pack2(t))
            case .waiting: break
            case .failed(let message): finishOnAgent(t, .failed, .containerLaunchFailed, message: "image pull failed: \(message)")
            }
            return
        }
        // one download is one TCP stream: at most the registry's rate and the host's NIC (one port
        // of a bond: a flow hashes to one link)
        var bw = Double(max(1, min(spec.registryBandwidth, a.host.nicBitsPerSecond)))
        if let r = containerStorage.registryRead(image: img, waiter: pack2(t)) {
            if r.blocked {
                log("imagePullBlocked", a.name, "\(img.name): the registry's blobs are in PGs below min_size; the pull waits")
                return
            }
            bw = min(bw, r.bytesPerSecond * 8)
        }
        // `docker pull` downloads, then extracts each layer (moby/moby distribution/xfer/download.go:
        // DecompressStream + layerStore.Register after the download); zero without a layerExtractRate
        let extract = containerStorage.layerExtractTime(host: a.host.index, image: img)
        let d = beginDownload(agent: a.index, image: img, bound: bw, extract: extract, waiter: pack2(t))
        a.pulls[img.name] = .downloading(d)
    }

    /// The task's launch ended while it waited for its image: Mesos destroys a container in
    /// PULLING by killing its `docker pull` (src/slave/containerizer/docker.cpp@1.4.0 `destroy`:
    /// `container->pull.discard()`; src/docker/docker.cpp `commandDiscarded`: SIGKILL), and dockerd
    /// cancels a pull whose client is gone (moby v17.03 distribution/utils/progress.go
    /// `WriteDistributionProgress`: the failed progress write calls the pull's cancelFunc) and its
    /// transfer once no other pull watches it (distribution/xfer/transfer.go `Release`: "no more
    /// watchers, cancel the transfer"). Another launch of the image on the agent keeps it going.
    func leavePull(_ t: MesosTask) {
        let a = agents[t.agent]
        guard let img = t.image, case .downloading(let d)? = a.pulls[img.name], var x = downloads.list[d],
              let k = x.waiters.firstIndex(where: { unpack($0).0 == t.id }) else { return }
        x.waiters.remove(at: k)
        downloads.list[d] = x
        guard x.waiters.isEmpty, x.downloadedAt == nil else { return }
        cancelDownload(d)
        a.pulls[img.name] = nil
    }

    /// The pull finished its transfer: with the registry on Ceph, blobs in a PG that went below
    /// min_size meanwhile make it wait (and read the image again when the PG is active).
    func pullDone(_ t: MesosTask) {
        let a = agents[t.agent]
        if let img = t.image, a.pulls[img.name] != nil || !a.imageCache.contains(img.name),
           !(imageSource?.serves(image: img) ?? false),
           let r = containerStorage.registryRead(image: img, waiter: pack2(t)), r.blocked {
            a.pulls[img.name] = nil
            log("imagePullBlocked", a.name, "\(img.name): the registry's blobs went to PGs below min_size during the pull; it waits")
            return
        }
        startContainer(t)
    }

    /// A pull that waited for Ceph can go on (called by the Ceph clients when the PGs are active).
    public func resumePull(_ packed: Int64) {
        model.sim.schedule(at: now, target: target, kind: Kind.pullResume.rawValue, arg: packed)
    }

    func pack2(_ t: MesosTask) -> Int64 { IndexGeneration.pack(t.id, t.gen) }

    /// What `docker run` says to the log options of the task's app on `host`'s daemon
    /// (DockerLogging.runRefusal, with the daemon.json options of the host's storage group, or
    /// dockerd's defaults): nil for every task whose app gives none.
    func dockerRunRefusal(_ t: MesosTask, host: Host) -> String? {
        if dockerLogApps == nil {
            var apps: [String: DockerLogOptions] = [:]
            for app in model.spec.marathon?.apps ?? [] where !app.usesMesosContainerizer {
                let params = app.container?.parameters ?? []
                if params.contains(where: { $0.name == "log-driver" || $0.name == "log-opt" }) { apps[app.id] = StorageModel.dockerLogOptions(params) }
            }
            dockerLogApps = apps
        }
        guard let id = t.source, let own = dockerLogApps?[id] else { return nil }
        let key = id + "\u{0}" + host.group
        if let known = dockerRunRefusals[key] { return known }
        let daemon = model.spec.storage?.hostGroups.first { $0.hostGroup == host.group }?.logOptions ?? .daemonDefault
        let r = DockerLogging.runRefusal(own: own, daemon: daemon)
        dockerRunRefusals[key] = r
        return r
    }

    /// The Docker daemon on the task's host: stopped -> the launch fails at once; hung -> the
    /// call never returns and executor_registration_timeout fails the task.
    func dockerAnswers(_ t: MesosTask) -> Bool {
        switch containerStorage.daemonState(host: agents[t.agent].host.index) {
        case .running: return true
        case .hung: return false
        case .stopped:
            finishOnAgent(t, .failed, .containerLaunchFailed, message: "Cannot connect to the Docker daemon")
            return false
        }
    }

    func startContainer(_ t: MesosTask) {
        let a = agents[t.agent]
        guard dockerAnswers(t) else { if let img = t.image { a.pulls[img.name] = nil }; return }
        if let img = t.image, a.pulls[img.name] != nil {
            a.pulls[img.name] = nil
            if let e = containerStorage.registerImage(host: a.host.index, image: img) {
                finishOnAgent(t, .failed, .containerLaunchFailed, message: "image pull failed: \(e)")
                return
            }
            a.imageCache.insert(img.name)
        }
        if let img = t.image, !a.imageCache.contains(img.name) {
            finishOnAgent(t, .failed, .containerLaunchFailed, message: "image pull of \(img.name) failed")
            return
        }
        // Docker's libnetwork gives the container its endpoint: an overlay endpoint needs the KV
        // store (docs/network.md); running containers are not affected when it is unreachable.
        if let req = t.network, let net = containerNetwork, let refusal = net.attachContainer(host: a.host.index, network: req, name: t.name) {
            finishOnAgent(t, .failed, .containerLaunchFailed, message: refusal)
            return
        }
        // Marathon accepts any docker parameters and Mesos passes them to `docker run`, which
        // refuses log options it does not take (the loader warns; docs/storage.md)
        if let refusal = dockerRunRefusal(t, host: a.host) {
            finishOnAgent(t, .failed, .containerLaunchFailed, message: "Failed to run docker container: docker: Error response from daemon: \(refusal)")
            return
        }
        if let e = containerStorage.createContainer(host: a.host.index, task: t.id, name: t.name, source: t.source, image: t.image) {
            finishOnAgent(t, .failed, .containerLaunchFailed, message: "container create failed: \(e)")
            return
        }
        // The executor has the task and runs the container: TASK_STARTING from 1.5; before, the
        // agent's phase only (the master and the framework see TASK_STAGING until TASK_RUNNING).
        if spec.version.executorsSendStarting { agentUpdate(t, .starting, .none) } else { t.state = .starting }
        let d = SimDuration.fromSeconds(max(0, spec.containerStartTime.sample(a.stream)))
        schedule(.containerStarted, after: d, pack2(t))
    }

    func containerStarted(_ t: MesosTask) {
        t.containerAlive = true
        containerStorage.containerStarted(task: t.id)
        sandboxContainerStarted(t)
        t.runningAt = now
        agentUpdate(t, .running, .none)
        let b = t.behaviour
        if b.failAtStartProbability > 0 && t.stream.uniform() < b.failAtStartProbability {
            schedule(.taskExit, after: .zero, pack2(t) | (1 << 31))
            return
        }
        let serving = now + SimDuration.fromSeconds(max(0, b.startup.sample(t.stream)))
        t.servingAt = serving
        var exitAt: SimTime? = nil
        var failed = false
        if let c = b.timeToCrash { exitAt = serving + SimDuration.fromSeconds(max(0, c.sample(t.stream))); failed = true }
        if let f = b.timeToFinish {
            let at = serving + SimDuration.fromSeconds(max(0, f.sample(t.stream)))
            if exitAt == nil || at < exitAt! { exitAt = at; failed = false }
        }
        if case .hangsAfter(let d, _) = b.health { t.hangAt = serving + SimDuration.fromSeconds(max(0, d.sample(t.stream))) }
        // The executor's max completion timer (launcher/executor.cpp, docker/executor.cpp): a task
        // still running then is killed and fails (the process is taken to exit on the signal); from
        // Mesos 1.6 (MesosVersion.executorsEnforceMaxCompletionTime)
        if spec.version.executorsEnforceMaxCompletionTime, let m = b.maxCompletionTime, exitAt.map({ $0 > now + m }) ?? true {
            exitAt = now + m; failed = true; t.killedByMaxCompletionTime = true
        }
        if let e = exitAt {
            model.sim.schedule(at: e, target: target, kind: Kind.taskExit.rawValue, arg: pack2(t) | (failed ? (1 << 31) : 0))
        }
        if let hc = t.healthCheck { schedule(.hcStart, after: hc.delay, pack2(t)) }
    }

    /// What decides a probe of `t` from `from` now: a fixed outcome (host down or cut off, not
    /// serving, hung, storage, an unhealthy process) or a response time drawn from the process'
    /// distribution plus what storage adds.
    enum ProbeRegime {
        case fixed(ProbeOutcome)
        case drawn(Distribution, plus: SimDuration)
    }

    func probeRegime(_ t: MesosTask, from: Int) -> ProbeRegime {
        let a = agents[t.agent]
        if !a.host.state.isUp || cut(from, a.host.index) { return .fixed(.timedOut) }
        guard t.containerAlive, !t.state.isTerminal, let serving = t.servingAt, now >= serving else { return .fixed(.refused) }
        if let h = t.hangAt, now >= h { return .fixed(.timedOut) }
        if let o = containerStorage.probeOutcome(task: t.id) { return .fixed(o) }
        switch t.behaviour.health {
        case .unhealthy: return .fixed(.failed(after: .milliseconds(1)))
        case .healthy(let r), .hangsAfter(_, let r): return .drawn(r, plus: containerStorage.probeLatency(task: t.id))
        }
    }

    /// What a probe from `from` sees now (Marathon HTTP/TCP checks, Mesos checks from the agent).
    func probe(task id: TaskID, from: Int, timeout: SimDuration) -> ProbeOutcome {
        guard let t = tasks[id] else { return .refused }
        switch probeRegime(t, from: from) {
        case .fixed(let o): return o
        case .drawn(let rt, let plus):
            let d = SimDuration.fromSeconds(max(0, rt.sample(t.stream))) + plus
            return d > timeout ? .timedOut : .passed(after: d)
        }
    }

    /// fidelity.healthChecks `fast` (docs/mesos.md "Fidelity"): when the probe's outcome depends on
    /// the process' response-time distribution alone (host up, not cut off, serving, not hung, no
    /// storage outcome or latency), each probe fails independently with p = P(response time >
    /// timeout); `state.passesLeft` counts the passing probes before the next failing one, drawn
    /// geometric(p) with the task's stream when negative. Returns nil when the probe is not
    /// routine (the caller probes exactly), `.passed(after: .zero)` for a pass that carries no news,
    /// `.timedOut` for the failing probe (`passesLeft` is then -1: drawn again at the next one).
    /// The state says until when the caller may count passes itself (`RoutineProbe.passes`): the
    /// hang, while no host or partition changes; never with container storage plugged in (its
    /// outcomes change without notice).
    func routineProbe(task id: TaskID, from: Int, timeout: SimDuration, state: inout RoutineProbe) -> ProbeOutcome? {
        guard let t = tasks[id], case .drawn(let rt, let plus) = probeRegime(t, from: from),
              plus == .zero else { state.epoch = -1; return nil }
        if state.passesLeft < 0 {
            if t.tailTimeout != timeout { t.tailTimeout = timeout; t.tailProbability = rt.survival(timeout.seconds) }
            state.passesLeft = t.stream.successesBeforeFailure(probability: t.tailProbability)
        }
        state.epoch = containerStorage === NoContainerStorage.shared ? probeEpoch : -1
        state.from = from
        state.until = t.hangAt ?? .distantFuture
        if state.passesLeft == 0 { state.passesLeft = -1; return .timedOut }
        if state.passesLeft != Int.max { state.passesLeft -= 1 }
        return .passed(after: .zero)
    }

    func healthCheckStart(_ t: MesosTask) {
        guard let hc = t.healthCheck, t.state == .running else { return }
        let outcome = probe(task: t.id, from: agents[t.agent].host.index, timeout: hc.timeout)
        switch outcome {
        case .passed(let d) where model.spec.fidelity.healthChecks == .fast && t.healthy == true && t.hcFailures == 0 && !t.hcInitializing:
            // fidelity.healthChecks `fast`: a pass of a healthy task changes nothing
            // (`healthCheckResult`): the next check is scheduled at once, one event per check
            schedule(.hcStart, after: d + hc.interval, pack2(t))
        case .passed(let d): schedule(.hcPass, after: d, pack2(t))
        case .failed(let d): schedule(.hcFail, after: d, pack2(t))
        case .refused: schedule(.hcFail, after: .zero, pack2(t))
        case .timedOut: schedule(.hcFail, after: hc.timeout, pack2(t))
        }
    }

    /// HealthCheckerProcess (apache/mesos:src/checks/health_checker.cpp@1.4.0 `failure`, `success`):
    /// failures during the grace period before the first success are ignored; every other failure
    /// sends TaskHealthStatus healthy=false, which the executor forwards as a TASK_RUNNING update
    /// with healthy=false (not only when health changes); a success sends healthy=true only when
    /// the task was not healthy. The failure that reaches `consecutiveFailures` sets kill_task: the
    /// executor kills the task as any kill (TASK_KILLING, then TASK_KILLED when the process exits
    /// within the kill grace period), the final update carrying healthy=false.
    func healthCheckResult(_ t: MesosTask, passed: Bool) {
        guard let hc = t.healthCheck, t.state == .running, !t.killing else { return }
        if passed {
            t.hcFailures = 0
            t.hcInitializing = false
            if t.healthy != true { t.healthy = true; agentUpdate(t, .running, .healthCheckFailed, healthy: true) }
        } else if t.hcInitializing, let r = t.runningAt, now - r < hc.gracePeriod {
            // ignored
        } else {
            t.hcFailures += 1
            t.healthy = false
            agentUpdate(t, .running, .healthCheckFailed, healthy: false)
            if t.hcFailures >= hc.consecutiveFailures {
                log("healthCheckKill", t.name, "\(t.hcFailures) consecutive failures")
                t.killedByHealthCheck = true
                killOnAgent(t)
                return
            }
        }
        schedule(.hcStart, after: hc.interval, pack2(t))
    }

    /// Kill on the agent: TASK_KILLING, then TASK_KILLED when the process exits (its stop time,
    /// at most executor_shutdown_grace_period).
    func killOnAgent(_ t: MesosTask) {
        guard !t.state.isTerminal, !t.killing else { return }
        if t.state != .running {
            finishOnAgent(t, .killed, .taskKilledDuringLaunch)
            return
        }
        t.killing = true
        // TASK_KILLING only to a framework with the TASK_KILLING_STATE capability; the others see
        // TASK_RUNNING until TASK_KILLED
        if frameworks[t.framework].taskKillingState { agentUpdate(t, .killing, .none) }
        let grace = spec.agentFlags.executorShutdownGracePeriod
        var d = grace
        if let st = t.behaviour.stopTime { d = min(grace, SimDuration.fromSeconds(max(0, st.sample(t.stream)))) }
        t.gen &+= 1   // no crash, finish or health check after the kill
        if containerStorage.stopBlocked(task: t.id) {
            log("killBlocked", t.name, "docker stop does not return: the container's I/O is blocked")
            return
        }
        schedule(.killDone, after: d, pack2(t))
    }

    // MARK: events

    public func handle(_ event: Event, in sim: Simulation) {
        guard let k = Kind(rawValue: event.kind) else { preconditionFailure("unknown mesos event \(event.kind)") }
        let (i, g) = IndexGeneration.unpack(event.arg)
        switch k {
        case .masterStart:
            if masters[i].incarnation == g { startMaster(masters[i]) }
        case .registryRecovered:
            if masters[i].incarnation == g { registryRecovered(masters[i]) }
        case .registryTimeout:
            let m = masters[i]
            if m.incarnation == g && m.leading && !m.recovered {
                stopMaster(m, cause: "recovery failed: registry fetch timed out after \(flags.registryFetchTimeout)", restart: spec.masterRestartDelay)
            }
        case .reregisterTimeout:
            if Int32(event.arg) == leaderEpoch && leaderReady { reregisterTimeout() }
        case .pingTimeout:
            if agents[i].observerGen == g { pingTimeout(agents[i]) }
        case .statusUpdateRetry:
            statusUpdateRetry(agents[i], timer: g)
        case .markUnreachableDone:
            if agents[i].observerGen == g && agents[i].markingUnreachable { markUnreachable(agents[i]) }
        case .agentRegister:
            if agents[i].registrationGen == g { registrationAttempt(agents[i]) }
        case .agentStart:
            if agents[i].incarnation == g { startAgent(agents[i], afterReboot: false) }
        case .executorsExpire:
            let a = agents[i]
            if a.incarnation == g && !a.processRunning {
                // executors give up on the agent after recovery_timeout
                for id in a.tasks { if let t = tasks[id], !t.state.isTerminal { t.containerAlive = false; t.gen &+= 1
                    t.state = .failed
                    model.signals.publish(.containerExited(task: id))
                    sandboxExecutorTerminated(id, agent: i)
                    deliverFromAgent(a, TaskStatusUpdate(task: id, state: .failed, reason: .executorTerminated, agent: a.host.index,
                                                         message: "executor exited: agent not back within recovery_timeout")) } }
                a.tasks.removeAll { tasks[$0]?.state.isTerminal ?? true }
                for (slot, id) in a.tasks.enumerated() { tasks[id]?.agentSlot = slot }
            }
        case .allocateBatch:
            guard Int32(event.arg) == leaderEpoch, leaderReady else { return }
            allocate(candidates, withLayer: true)
            schedule(.allocateBatch, after: flags.allocationInterval, Int64(leaderEpoch))
        case .allocateAgent:
            if g == leaderEpoch && agents[i].active { allocate([i]) }
        case .allocateAll:
            if Int32(event.arg) == leaderEpoch { allocate(candidates, withLayer: true) }
        case .filterExpire:
            filterExpired(event.arg)
        case .offerTimeout:
            rescind(event.arg, notify: true, returnResources: true)
        case .frameworkRegister:
            if frameworks[i].registrationGen == g { frameworkRegistrationAttempt(frameworks[i]) }
        case .flush:
            flush(frameworks[Int(event.arg)])
        case .downloadDone: downloadDone(i, generation: g)
        case .extractDone: extractDone(i, generation: g)
        case .levelDone: levelDone(i, generation: g)
        case .pullDone, .containerStarted, .taskExit, .hcStart, .hcPass, .hcFail, .killDone, .execRegTimeout, .pullResume:
            let tid = Int(event.arg & 0x7FFF_FFFF)
            guard let t = tasks[tid], t.gen == g, !t.state.isTerminal else { return }
            switch k {
            case .pullDone: if t.state == .staging { pullDone(t) }
            case .pullResume:
                if t.state == .staging, t.atAgent, let img = t.image, !agents[t.agent].imageCache.contains(img.name), dockerAnswers(t) {
                    beginPull(t, img)
                }
            case .containerStarted: if t.state == .starting { containerStarted(t) }
            case .taskExit:
                let failed = event.arg & (1 << 31) != 0
                if failed && t.killedByMaxCompletionTime {
                    // the executors' own state and reason for it (launcher/executor.cpp `reaped`,
                    // docker/executor.cpp, checks at 1.6.0: `killedByMaxCompletionTimer`)
                    finishOnAgent(t, .failed, .maxCompletionTimeReached, message: "Command terminated with signal Terminated")
                } else {
                    finishOnAgent(t, failed ? .failed : .finished, failed ? .commandExecutorFailed : .none)
                }
            case .hcStart: healthCheckStart(t)
            case .hcPass: healthCheckResult(t, passed: true)
            case .hcFail: healthCheckResult(t, passed: false)
            case .killDone:
                if t.killedByHealthCheck {
                    finishOnAgent(t, .killed, .healthCheckFailed, message: "health check failed", healthy: false)
                } else {
                    finishOnAgent(t, .killed, .none)
                }
            case .execRegTimeout:
                if t.state == .staging {
                    finishOnAgent(t, .failed, .executorRegistrationTimeout,
                                  message: "container did not start within executor_registration_timeout \(spec.agentFlags.executorRegistrationTimeout)")
                }
            default: break
            }
        case .workDirFull, .sandboxGC, .diskWatch, .diskQuota:
            workDirEvent(k, agent: i, generation: g)
        case .partitionHeal:
            healPartition(host: i)
        case .zkServerStart:
            zooKeeper.startServer(i)
        }
    }

    // MARK: faults

    /// The agent process on `host` crashes; it restarts after `restartAfter` (default
    /// `spec.agentRestartDelay`; nil keeps it down). Running containers keep running (checkpointing
    /// frameworks) and are recovered if it is back within recovery_timeout.
    public func crashAgent(host: Int, restartAfter: SimDuration? = nil, keepDown: Bool = false) {
        guard let ai = agentOfHost[host] else { return }
        crashAgentProcess(agents[ai], cause: "agent process crashed", restartAfter: restartAfter, keepDown: keepDown)
    }

    /// The agent process exits (a crash fault, an abort: `abortAgent`); see `crashAgent`.
    func crashAgentProcess(_ a: MesosAgent, cause: String, restartAfter: SimDuration?, keepDown: Bool) {
        let ai = a.index, host = a.host.index
        guard a.processRunning else { return }
        let noticed = socketCloseReachesMaster(a)
        stopAgentProcess(a, cause: cause)
        for id in a.tasks {
            guard let t = tasks[id], !t.state.isTerminal else { continue }
            if !frameworks[t.framework].checkpoint {
                t.containerAlive = false; t.gen &+= 1; t.state = .failed
                model.signals.publish(.containerExited(task: id))
                sandboxExecutorTerminated(id, agent: ai)
                // the master ends them at the disconnection (`disconnectAgent`); unnoticed, the
                // restarted agent reports them
                if !noticed {
                    deliverFromAgent(a, TaskStatusUpdate(task: id, state: .lost, reason: .agentRestarted, agent: host,
                                                         message: "framework does not checkpoint"))
                }
            } else if t.state == .staging {
                // a launch still pulling dies with the agent (its executor was not forked yet);
                // failed at restart. A task already starting has its executor, which outlives
                // the agent (checkpointing) and reports when the agent is back.
                t.gen &+= 1
            }
        }
        if noticed { disconnectAgent(a) }
        schedule(.executorsExpire, after: spec.agentFlags.recoveryTimeout, pack(ai, a.incarnation))
        if !keepDown { schedule(.agentStart, after: restartAfter ?? spec.agentRestartDelay, pack(ai, a.incarnation)) }
    }

    /// Master process crash: `index` nil means the current leader (or the first master when none
    /// leads). Restarted after `restartAfter` (default the supervisor's `masterRestartDelay`).
    public func crashMaster(index: Int? = nil, restartAfter: SimDuration? = nil) {
        let i = index ?? leader ?? 0
        guard i >= 0, i < masters.count else { return }
        stopMaster(masters[i], cause: "master process crashed", restart: restartAfter ?? spec.masterRestartDelay)
    }

    /// ZooKeeper server crash; restarted after `restartAfter` if given.
    public func crashZooKeeperServer(index: Int, restartAfter: SimDuration? = nil) {
        guard index >= 0, index < zooKeeper.serverHosts.count else { return }
        zooKeeper.crashServer(index)
        if let r = restartAfter { schedule(.zkServerStart, after: r, Int64(index)) }
    }

    /// Cuts `host` off from the masters and ZooKeeper servers (both directions) until `healAfter`
    /// (nil: until `healPartition`).
    public func partition(host: Int, healAfter: SimDuration? = nil) {
        partitionDepth[host] += 1
        probeEpoch += 1
        log("partitionStarted", model.infrastructure.hosts[host].name, healAfter.map { "heals after \($0)" } ?? "")
        if let ai = agentOfHost[host] { updateAvailability(agents[ai]) }
        zooKeeper.networkChanged()
        if partitionDepth[host] == 1 { model.signals.publish(.hostPartitioned(host: host, partitioned: true)) }
        if let h = healAfter { schedule(.partitionHeal, after: h, Int64(host)) }
    }

    public func healPartition(host: Int) {
        guard partitionDepth[host] > 0 else { return }
        partitionDepth[host] -= 1
        guard partitionDepth[host] == 0 else { return }
        probeEpoch += 1
        log("partitionHealed", model.infrastructure.hosts[host].name, "")
        zooKeeper.networkChanged()
        model.signals.publish(.hostPartitioned(host: host, partitioned: false))
        if let ai = agentOfHost[host] {
            let a = agents[ai]
            updateAvailability(a)
            // The agent re-detects the master (its own ping timer expired or it sees the leader
            // again) and re-registers with back-off; queued status updates follow.
            if a.processRunning && leader != nil {
                if a.masterState == .registered && leaderReady {
                    // still registered: the updates lost meanwhile go out again at their resend timers
                } else {
                    beginRegistration(a, initialDelay: .zero)
                }
            }
        }
    }

    // MARK: metrics

    public func metrics() -> MesosMetrics {
        let (total, allocated) = registeredTotals()
        return MesosMetrics(offersMade: offersMade, offersAccepted: offersAccepted, offersDeclined: offersDeclined,
                     offersRescinded: offersRescinded, outstandingOffers: offersOutstanding, filtersActive: filtersActive,
                     cpusTotal: total.cpus.value, cpusAllocated: allocated.cpus.value,
                     memTotalMB: total.memMB.value, memAllocatedMB: allocated.memMB.value,
                     leaderMaster: leaderReady ? (leader ?? -1) : -1,
                     leaderName: leaderReady ? leader.map { masters[$0].name } ?? "none" : "none",
                     leaderReady: leaderReady, agentsRegistered: agentsRegistered, agentsUnreachable: agentsUnreachable,
                     frameworksRegistered: frameworks.filter(\.registered).count, tasksRunning: tasksRunning,
                     zooKeeperServing: zooKeeper.serving)
    }

    /// A task by id (nil when unknown).
    public func task(_ id: TaskID) -> MesosTask? { tasks[id] }
    /// The name of the framework that launched task `id` ("marathon", "chronos"), while Mesos
    /// still knows the task (always while its status update is being published): subscribers of
    /// `taskStatus` that stand for one framework's event stream (marathon-lb reads Marathon's) keep
    /// to its tasks.
    public func frameworkName(ofTask id: TaskID) -> String? { task(id).map { frameworks[$0.framework].name } }
    /// The agent on a host.
    public func agent(onHost h: Int) -> MesosAgent? { agentOfHost[h].map { agents[$0] } }
}

extension MesosCluster {
}
