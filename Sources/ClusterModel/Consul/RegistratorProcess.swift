import SimKernel

// Registrator as a process (gliderlabs/registrator@6bfadbc): what it does when a container dies,
// when it resyncs, and with `-deregister on-success` and `-cleanup`. The registrations themselves
// are Registrator.swift's plan, made by `registerAsRegistrator` (ConsulServices.swift) when the
// task reaches TASK_RUNNING (the Docker `start` event). Written from reading registrator.go `main`
// (the event loop, the resync ticker), bridge/bridge.go `Sync`, `add`, `remove`, `RemoveOnExit`,
// `shouldRemove`, and consul/consul.go. docs/consul.md "Registrator as a process".

/// What registrator holds for one running container (bridge.go `b.services[containerId]`): the
/// ids it registered, with what it registered under each (Sync registers them again).
struct RegistratorHeld {
    let member: Int
    var services: [(id: String, service: RegistratorService, port: Int)]
}

/// A registration the agent persisted in its data_dir (agent.go `persistService`, `persistCheck`:
/// every service and check registered through the HTTP API), restored when the agent starts
/// again (`loadServices`, `loadChecks`).
struct PersistedRegistration {
    let id: String
    let name: Int
    let task: TaskID
    let port: Int
    let tags: [String]
    let checks: [ConsulCheckDefinition]
}

/// The registrator on one member's host.
struct RegistratorState {
    /// What the agent had persisted when its host went down.
    var persisted: [PersistedRegistration] = []
    /// When it started (time 0, or its host's last start): its resync ticker counts from there.
    var startedAt = SimTime.zero
    var resyncGen: Int32 = 0
    var resyncPending = false
    /// The containers it holds, in the order it added them.
    var tasks: [TaskID] = []
}

extension ConsulCluster {
    var registratorFlags: RegistratorFlags { spec.registrator ?? RegistratorFlags() }

    /// bridge.go `shouldRemove` with `-deregister on-success`: an exit code of 0, or one with the
    /// signal bit (128) set, removes the container's services; any other code keeps them. How a
    /// Mesos task ends maps to its container's exit: TASK_FINISHED is code 0; TASK_KILLED (docker
    /// stop: SIGTERM, then SIGKILL), and the executor's kills (disk limit, max completion time)
    /// end on a signal; TASK_FAILED with REASON_COMMAND_EXECUTOR_FAILED is the process exiting
    /// with an error code of its own (the model takes a crash to be such an exit, like `exit 1`).
    static func exitRemovesServices(_ state: TaskState, _ reason: TaskReason) -> Bool {
        !(state == .failed && reason == .commandExecutorFailed)
    }

    /// The Docker `die` event (registrator.go: `go b.RemoveOnExit(msg.ID)`).
    func registratorContainerDied(_ task: TaskID, _ state: TaskState, _ reason: TaskReason) {
        guard let held = registratorHeld.removeValue(forKey: task) else { return }
        let list = instancesOfTask.removeValue(forKey: task) ?? []
        let m = held.member
        registrators[m].tasks.removeAll { $0 == task }
        // a host that is down runs neither registrator nor the agent: resolved when it starts again
        guard members[m].agentUp else { return }
        let flags = registratorFlags
        if flags.deregister == .onSuccess && !ConsulCluster.exitRemovesServices(state, reason) {
            // remove(containerId, false): forgotten by registrator, left in Consul
            for i in list where instances[i].inLocal {
                log("registratorKept", instances[i].id, "-deregister on-success: the container exited with an error code (\(state.rawValue))")
                containerGone(i)
            }
            if flags.cleanup { scheduleResync(m) }
            return
        }
        // remove(containerId, true): Deregister(service.ID) for every service registrator holds
        // for the container, whichever registration now carries that id on the agent
        for entry in held.services {
            guard let i = members[m].instances.first(where: { instances[$0].inLocal && instances[$0].id == entry.id }) else { continue }
            if instances[i].task != task {
                let owner = mesos?.task(instances[i].task)?.name ?? "another task"
                log("registratorDeregisteredOther", entry.id, "task died: registrator deregisters the id it registered, now \(owner)'s registration")
            }
            deregisterLocally(i, reason: "task \(state)")
            // another running container registrator holds under the same id: registered again at the next resync
            if registrators[m].tasks.contains(where: { registratorHeld[$0]?.services.contains { $0.id == entry.id } ?? false }) { scheduleResync(m) }
        }
    }

    /// The container behind a registration kept in Consul is gone: its checks find nothing from
    /// their next run on (an HTTP/TCP check is refused, a TTL check is no longer updated).
    func containerGone(_ i: Int) {
        let m = instances[i].member
        for c in instances[i].checks {
            checks[c].gen &+= 1
            if checks[c].def.kind == .ttl {
                schedule(.checkRun, at: now + checks[c].def.ttl, IndexGeneration.pack(c, checks[c].gen))
            } else {
                checks[c].pendingRun = -1
                checks[c].pendingStart = now + uniform(m, checks[c].def.interval)
                schedule(.checkRun, at: checks[c].pendingStart, IndexGeneration.pack(c, checks[c].gen))
            }
        }
    }

    /// The resync ticker's next tick (`time.NewTicker(resync s)` from registrator's start), when
    /// `-resync` is set and a sync has something to do: steady state costs no event.
    func scheduleResync(_ m: Int) {
        guard let iv = registratorFlags.resyncInterval, !registrators[m].resyncPending, members[m].agentUp else { return }
        let start = registrators[m].startedAt
        let k = (now - start).nanoseconds / iv.nanoseconds + 1
        registrators[m].resyncPending = true
        registrators[m].resyncGen &+= 1
        schedule(.registratorResync, at: start + iv * k, IndexGeneration.pack(m, registrators[m].resyncGen))
    }

    /// bridge.go `Sync(true)`: every running container it holds has its services registered
    /// again (a registration missing from the agent comes back); with `-cleanup`, the agent's
    /// services with registrator's id form for this host and no running container behind them
    /// are deregistered ("dangling").
    func registratorResync(_ m: Int) {
        registrators[m].resyncPending = false
        guard members[m].agentUp else { return }
        for task in registrators[m].tasks {
            guard let held = registratorHeld[task], let t = mesos?.task(task), t.containerAlive, !t.state.isTerminal else { continue }
            for entry in held.services {
                // an id another running container holds too stays with its current owner (Go's
                // map order decides which registers last; the model keeps the one registered)
                if members[m].instances.contains(where: { instances[$0].inLocal && instances[$0].id == entry.id }) { continue }
                log("registratorResynced", entry.id, "registered again (-resync \(registratorFlags.resync))")
                addRegistration(t, entry.service, id: entry.id, port: entry.port, member: m)
            }
        }
        if registratorFlags.cleanup { registratorCleanup(m) }
    }

    /// The host goes down: the agent's data_dir holds what registrator registered through its API
    /// (a deregistration purges the file; a host that stops does not).
    func persistRegistrations(_ m: Int) {
        registrators[m].persisted = members[m].instances.filter { instances[$0].inLocal && instances[$0].viaRegistrator }.map { i in
            let x = instances[i]
            return PersistedRegistration(id: x.id, name: x.name, task: x.task, port: x.port, tags: x.tags, checks: x.checks.map { checks[$0].def })
        }
    }

    /// The agent starts again: the services and checks registered through its API come back from
    /// its data_dir (agent.go `loadServices`: "Restored service definition"), also those of
    /// containers that died with the host. A crash left them in its local state; a reboot's leave
    /// had the leader deregister them, and they are registered again. Their checks run from now
    /// on and find no container; a service without a check is passing as soon as its node is.
    /// Returns the instances that stay in (or are back in) the local state.
    func restorePersisted(_ m: Int) -> [Int] {
        var out: [Int] = []
        for p in registrators[m].persisted {
            if let i = members[m].instances.first(where: { instances[$0].inLocal && instances[$0].id == p.id }) {
                log("consulServiceRestored", p.id, "from the agent's data_dir; its container died with the host")
                // a restored check starts again from its initial status (critical unless given)
                for c in instances[i].checks { checks[c].status = checks[c].def.initialStatus; checks[c].successes = 0; checks[c].failures = 0 }
                containerGone(i)
                markDirty(i)
                out.append(i)
                continue
            }
            var x = InstanceState(id: p.id, name: p.name, task: p.task, host: members[m].host, member: m, port: p.port, tags: p.tags, checks: [])
            x.viaRegistrator = true
            let i: Int
            if let free = freeInstances.popLast() { i = free; instances[i] = x } else { i = instances.count; instances.append(x) }
            for cd in p.checks { instances[i].checks.append(addCheck(cd, instance: i, taskID: p.task, slowProbability: 0)) }
            members[m].instances.append(i)
            log("consulServiceRestored", p.id, "from the agent's data_dir; its container died with the host")
            markDirty(i)
            out.append(i)
        }
        registrators[m].persisted = []
        return out
    }

    /// `-cleanup` in `Sync`: the agent's services (`/v1/agent/services`) whose id matches
    /// registrator's pattern with this host's name and whose container is not running. The
    /// model's registrations of running tasks are registrator's own, so only those of tasks that
    /// are gone qualify (an id from SERVICE_ID in another form is never cleaned up).
    func registratorCleanup(_ m: Int) {
        let host = hostName(members[m].host)
        for i in members[m].instances where instances[i].inLocal {
            if let t = mesos?.task(instances[i].task), t.containerAlive, !t.state.isTerminal { continue }
            guard RegistratorFlags.hostnameOfServiceID(instances[i].id) == host else { continue }
            log("registratorCleanup", instances[i].id, "dangling: its container is not running (-cleanup)")
            deregisterLocally(i, reason: "cleanup")
        }
    }
}
