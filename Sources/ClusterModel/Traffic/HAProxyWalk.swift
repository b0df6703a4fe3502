import SimKernel

// HAProxy's checks cost no events: at every platform signal traffic looks at the checked servers
// of the live backends (HAProxyTable.live) and records when one starts or stops answering
// (`haproxyObserve`), so a server is marked DOWN or UP at the check tick its `fall` or `rise`
// reaches. The walk reads a server's answer from its Mesos task and host (`reach`).
//
// Which servers a walk must look at (issue 14; docs/traffic.md "Cost of HAProxy's checks"): the
// answer of a server seen answering changes only when its host goes down (a host signal) or is cut
// off from HAProxy's host (a partition or its heal: a new `probeEpoch`), its
// container dies or its task turns terminal (a status update naming the task, or Mesos'
// `containerExited` where no update is published at that instant) or its process hangs (at the
// task's `hangAt`, known when it starts); a server seen failing starts answering at its task's
// `servingAt` with no signal. So the signalled walk (`ObservationWalk.signalled`) looks, per live
// backend, at the servers seen failing, those whose hang has come, those of the tasks signalled
// since the last walk and those without a watched task; at every server of a backend made or
// relisted since the last walk; and at every server of every backend on a host signal, a new
// `probeEpoch` and always when container storage is plugged in (a storage probe can hang a
// process). It observes at the same walks what looking at every server observes (exact:
// HAProxyWatchTests), since looking at a server whose answer did not change changes nothing.

/// How traffic's walk looks at the checked servers of the live backends at a platform signal.
public enum ObservationWalk: Sendable {
    /// Every server through `reach` (the reference the exactness tests and the benchmark compare with).
    case reach
    /// Every server through its `HAProxyWatch` (its task and host objects).
    case watched
    /// Only the servers whose answer can have changed since the last walk (through their watch).
    case signalled
}

/// A checked server of a backend with the objects its answer is read from: its task (a task Mesos
/// forgot is terminal, so it answers as a missing one) and the task's host. Nil task: looked up at
/// every walk. Counted references: a task Mesos forgets (terminal) stays readable while the
/// backend state lives (optional `unowned` fields, safe or not, made the exactness test stop at an
/// index out of range in a debug build without any object freed: docs/benchmarks.md, issue 14).
struct HAProxyWatch {
    let server: Int
    let task: MesosTask?
    let host: Host?
}

extension TrafficModel {
    /// A signal (other than `containerExited`, which only notes its task for the next walk, as a
    /// walk over every server finds it then) reached traffic: the walk's bookkeeping, then the walk.
    func haproxySignal(_ signal: PlatformSignal) {
        switch signal {
        case .statusUpdate(let task, _, _, _, _), .instanceChanged(_, let task, _): signalledTasks.append(task)
        case .hostDown(let h, _):
            walkEverything = true
            if fluid == nil, let t = haproxy {
                for (i, x) in t.control.haproxyInstances.enumerated() where x.host == h { haproxyListenLost(i) }
            }
        case .hostUp: walkEverything = true
        default: break
        }
        haproxyObserveChecks()
    }

    /// Looks at the checked servers of the live backends (see the top of this file); a server is
    /// observed (`haproxyObserve`) only when its answer differs from how it was last seen.
    func haproxyObserveChecks() {
        guard let t = haproxy else { return }
        let now = self.now, mode = observationWalk
        // read once per walk: storage that never hangs a container is not asked per server
        let storage = mesos.flatMap { $0.containerStorage === NoContainerStorage.shared ? nil : $0.containerStorage }
        let epoch = mesos?.probeEpoch ?? 0
        let everything = mode != .signalled || walkEverything || storage != nil || epoch != walkProbeEpoch
        walkEverything = false; walkProbeEpoch = epoch
        var skipped = 0, passed = 0
        t.walkLive { k, b in
            guard t.isLive(k) else { return false }
            if b.watch == nil { haproxyWatch(b) }
            if everything || b.fullVisit {
                b.fullVisit = false
                for w in b.watch! {
                    if mode != .reach, let task = w.task, let host = w.host {
                        let bad = !host.state.isUp || (b.lbHost >= 0 && mesos!.cut(b.lbHost, host.index))
                            || Self.process(task, now: now, storage: storage) != .accept
                        if bad == b.servers[w.server].bad {
                            skipped += 1
                            if !bad, !b.servers[w.server].hangQueued, let hang = task.hangAt { b.queueHang(w.server, at: hang) }
                            continue
                        }
                    }
                    haproxyObserve(b, w.server)
                }
                return true
            }
            var looked = b.unwatched.count
            for s in b.unwatched { haproxyObserve(b, s) }
            looked += b.failing
            b.forEachFailing { haproxyObserve(b, $0) }
            while let h = b.hangs.last, h.at <= now {
                b.hangs.removeLast()
                haproxyObserve(b, h.server); looked += 1
            }
            for task in signalledTasks {
                guard let s = b.serverOfTask[task] else { continue }
                haproxyObserve(b, s); looked += 1
            }
            passed += max(0, b.watch!.count - looked)
            return true
        }
        signalledTasks.removeAll(keepingCapacity: true)
        watchSkips += skipped
        walkPassed += passed
    }

    /// Resolves the servers of `b` the walk looks at (those with checks and an instance), with
    /// their task and its host when Mesos knows the task and the instance is on the task's host
    /// (else nil: `haproxyObserve` looks them up at every walk). A task's agent and an agent's host
    /// never change, and Mesos never replaces a task's object (it only forgets a terminal one).
    func haproxyWatch(_ b: HAProxyBackendState) {
        var list: [HAProxyWatch] = []
        for s in b.servers.indices {
            guard b.servers[s].server.check != nil, let inst = b.servers[s].server.instance else { continue }
            guard let m = mesos, let task = m.task(inst.task), m.agents[task.agent].host.index == inst.host,
                  b.serverOfTask[inst.task] == nil else {
                // unknown to Mesos, or a second server of the same task: looked at by every walk
                list.append(HAProxyWatch(server: s, task: nil, host: nil))
                b.unwatched.append(s)
                continue
            }
            list.append(HAProxyWatch(server: s, task: task, host: model.infrastructure.hosts[inst.host]))
            b.serverOfTask[inst.task] = s
        }
        b.watch = list
    }
}
