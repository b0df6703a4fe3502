import SimKernel

// A group's flush and the notification pipeline (notify/notify.go BuildPipeline, v0.25):
//   mute stages at the flush (inhibit.go, silence.go) → per integration of the receiver: wait
//   (peer position × peer timeout) → dedup (needsUpdate against the notification log) → send
//   (an integration with send_resolved false sends only the firing alerts, nothing when none)
//   → log (gossiped to the peers) → the flush deletes the resolved alerts it notified about.

extension AlertmanagerCluster {
    func flush(_ gi: Int) {
        let k = groups[gi].instance
        let node = tree.nodes[groups[gi].route]
        // the cleanup ticker removed it (and stopped its timer) while it was empty
        if let r = groups[gi].removedAt, r <= now { groups[gi].nextFlush = nil; return }
        // the group's goroutine is still in its last flush (a receiver being retried): the timer
        // has fired, and this flush runs as soon as that one returns
        if groups[gi].busyUntil > now { schedule(gi, at: groups[gi].busyUntil); return }
        groups[gi].hasFlushed = true
        groups[gi].lastFlush = now
        guard !groups[gi].alerts.isEmpty else {
            // the ticker keeps running until the cleanup ticker removes the empty group: no event
            // is needed for that, an alert arriving before `removedAt` joins it at its old phase
            groups[gi].nextFlush = nil
            groups[gi].gen &+= 1
            groups[gi].removedAt = nextCleanup(k)
            return
        }
        schedule(gi, at: now + node.groupInterval)
        let p = Pipeline(instance: k, group: gi, serial: groups[gi].serial, alerts: groups[gi].alerts, kept: [], flushedAt: now, position: 0,
                         settling: false)
        // GossipSettleStage: until the gossip has settled after the process' start, a flush waits
        let ready = instances[k].startedAt + (spec.settleWait ?? .zero)
        if now < ready {
            var waiting = p
            waiting.settling = true
            park(waiting, until: ready)
        } else {
            mute(p)
        }
    }

    /// The mute stages (at the flush, or when the gossip has settled), then the peer's wait.
    func mute(_ p0: Pipeline) {
        var p = p0
        let k = p.instance
        guard instances[k].up, groups[p.group].live, groups[p.group].serial == p.serial else { return }
        let node = tree.nodes[groups[p.group].route]
        let nowMs = clock.ms(now)
        // TimeActiveStage and TimeMuteStage mute the whole flush
        let ti = spec.config.timeIntervals
        let timeMuted = (!node.active.isEmpty && !node.active.contains { ti[$0].contains(unixMs: nowMs) })
            || node.mute.contains { ti[$0].contains(unixMs: nowMs) }
        p.kept = timeMuted ? [] : p.alerts.filter { !muted($0.labels, instance: k, nowMs: nowMs) }
        // cluster.go Position: the rank among the peers this one sees (memberlist drops the ones a
        // network partition cuts off from it: each side of a partition has its own first peer)
        p.position = instances.indices.filter { $0 < k && instances[$0].up && reaches(k, $0) }.count
        p.settling = false
        if p.position == 0 {
            run(p)
        } else {
            park(p, until: now + SimDuration(nanoseconds: spec.peerTimeout.nanoseconds * Int64(p.position)))
        }
    }

    func park(_ p: Pipeline, until t: SimTime) {
        let slot: Int
        if let s = freePipelines.popLast() { pipelines[s] = p; slot = s } else { pipelines.append(p); pipelineGen.append(0); slot = pipelines.count - 1 }
        pipelineGen[slot] &+= 1
        model.sim.schedule(at: t, target: target, kind: Kind.pipeline.rawValue, arg: IndexGeneration.pack(slot, pipelineGen[slot]))
    }

    /// The wait is over (an instance that went down meanwhile dropped its pipelines: the slot
    /// is freed here, when its event comes).
    func finishPipeline(_ slot: Int) {
        let p = pipelines[slot]
        pipelines[slot] = nil
        freePipelines.append(slot)
        guard let p else { return }
        if p.settling { mute(p) } else { run(p) }
    }

    /// Inhibition (Inhibitor.Mutes) and silences (Silencer.Mutes) at `nowMs`.
    func muted(_ labels: LabelSet, instance k: Int, nowMs: Int64) -> Bool {
        for (r, rule) in spec.config.inhibitRules.enumerated() where rule.target.allSatisfy({ $0.matches(labels) }) {
            let twoSided = rule.source.allSatisfy { $0.matches(labels) }
            for (_, a) in instances[k].sources[r] where a.endsAt > nowMs {
                if !rule.equal.allSatisfy({ (a.labels[$0] ?? "") == (labels[$0] ?? "") }) { continue }
                if twoSided && rule.target.allSatisfy({ $0.matches(a.labels) }) { continue }
                return true
            }
        }
        for (i, s) in spec.silences.enumerated() where s.active(at: now) && knows(i, k, at: now) && s.matchers.allSatisfy({ $0.matches(labels) }) {
            return true
        }
        return false
    }

    func run(_ p: Pipeline) {
        let k = p.instance
        guard instances[k].up, groups[p.group].live, groups[p.group].serial == p.serial else { return }
        let g = groups[p.group]
        let node = tree.nodes[g.route]
        let flushMs = clock.ms(p.flushedAt)
        var later: [(at: SimTime, step: Delivery.Step)] = []
        var end = now, failed = false
        if !p.kept.isEmpty, let r = receiverIndex[node.receiver] {
            let receiver = spec.config.receivers[r]
            var firing: [LabelSet] = [], resolved: [LabelSet] = []
            for a in p.kept { if a.endsAt <= flushMs { resolved.append(a.labels) } else { firing.append(a.labels) } }
            let firingSet = Set(firing), resolvedSet = Set(resolved)
            // dispatch.go: the flush's context times out group_interval (at least notify.MinTimeout,
            // 10 s) plus the peer's wait after the flush (main.go timeoutFunc)
            let deadline = p.flushedAt + max(node.groupInterval, AlertmanagerCluster.minNotifyTimeout)
                + SimDuration(nanoseconds: spec.peerTimeout.nanoseconds * Int64(p.position))
            for integ in receiver.integrations {
                let logKey = receiver.name + "/" + integ.name + "/" + g.key
                var entry = instances[k].nflog[logKey]
                if let e = entry, collected(e, k) { entry = nil }
                guard needsUpdate(entry, firing: firingSet, resolved: resolvedSet, sendResolved: integ.sendResolved, repeatInterval: node.repeatInterval) else { continue }
                // RetryStage.Exec counts every notification it handles, also one with nothing to send
                instances[k].notificationsByType[integ.type, default: 0] += 1
                let n = Notification(time: now, instance: hostName(instances[k].host), receiver: receiver.name, integration: integ.name,
                                     groupKey: g.key, firing: firing, resolved: integ.sendResolved ? resolved : [])
                let sends = integ.sendResolved || !firing.isEmpty
                switch sends ? attempts(receiver.name, integ, deadline: deadline, instance: k) : .success(now) {
                case .success(let at) where at == now:
                    if sends { record(n) }
                    writeLog(logKey, firing: firingSet, resolved: resolvedSet, at: now, node: node, instance: k)
                case .success(let at):
                    var n2 = n
                    n2.time = at
                    later.append((at, .send(n2, logKey: logKey, entry: NflogEntry(firing: firingSet, resolved: resolvedSet, timestamp: at, expiresAt: at))))
                    end = max(end, at)
                case .failure(let at, let detail):
                    failed = true
                    end = max(end, at)
                    let text = "\(g.key) via \(integ.name) from \(n.instance): \(detail)"
                    if at == now { notificationFailed(k, integ.type, receiver.name, text) } else { later.append((at, .fail(receiver: receiver.name, type: integ.type, text: text))) }
                }
            }
        }
        if later.isEmpty && end == now {
            if !failed { deleteResolved(p.alerts, group: p.group, flushMs: flushMs, instance: k) }
            return
        }
        groups[p.group].busyUntil = end
        let d = Delivery(instance: k, group: p.group, serial: p.serial, alerts: p.alerts, flushedAt: p.flushedAt,
                         steps: later.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element), end: end, failed: failed)
        let slot: Int
        if let s = freeDeliveries.popLast() { deliveries[s] = d; slot = s } else { deliveries.append(d); deliveryGen.append(0); slot = deliveries.count - 1 }
        scheduleDelivery(slot)
    }

    /// notify.MinTimeout: the shortest a flush's notifications are given.
    static let minNotifyTimeout = SimDuration.seconds(10)

    enum AttemptOutcome { case success(SimTime), failure(SimTime, String) }

    /// notify.go RetryStage.exec (v0.25.0) against the receiver's outages: the first request at
    /// once, then one at every tick of cenkalti/backoff v4's ExponentialBackOff with
    /// MaxElapsedTime 0 (500 ms, × 1.5 each time up to 60 s, each randomized ± 50 %; the next timer
    /// starts when a tick is taken, and a request that fails answers at once), until one succeeds,
    /// one is not retried (Retrier.Check), or the flush's context ends at `deadline`.
    func attempts(_ receiver: String, _ integ: AlertmanagerIntegration, deadline: SimTime, instance k: Int) -> AttemptOutcome {
        let outages = spec.receiverOutages.filter { $0.receiver == receiver && ($0.integration == nil || $0.integration == integ.name) }
        var t = now
        var current = 500_000_000.0
        var n = 0
        while true {
            n += 1
            instances[k].requestsByType[integ.type, default: 0] += 1
            guard let o = outages.first(where: { $0.covers(t) }) else { return .success(t) }
            instances[k].requestsFailedByType[integ.type, default: 0] += 1
            if !o.retried(by: integ.type) {
                return .failure(t, "notify retry canceled due to unrecoverable error after \(n) attempts: unexpected status code \(o.status)")
            }
            // getRandomValueFromInterval, then incrementCurrentInterval
            let delta = 0.5 * current
            let next = Int64((current - delta) + retryStream.uniform() * (2 * delta + 1))
            current = current >= 60e9 / 1.5 ? 60e9 : current * 1.5
            t = t + SimDuration(nanoseconds: next)
            if t >= deadline {
                return .failure(deadline, "notify retry canceled after \(n) attempts: unexpected status code \(o.status)")
            }
        }
    }

    func notificationFailed(_ k: Int, _ type: String, _ receiver: String, _ text: String) {
        instances[k].failedByType[type, default: 0] += 1
        failedNotifications += 1
        log("notificationFailed", receiver, text)
    }

    /// SetNotifiesStage: the entry is logged when the notification went out, and gossiped.
    func writeLog(_ logKey: String, firing: Set<LabelSet>, resolved: Set<LabelSet>, at t: SimTime, node: AlertmanagerRoutingTree.Node, instance k: Int) {
        let e = NflogEntry(firing: firing, resolved: resolved, timestamp: t, expiresAt: t + min(spec.retention, node.repeatInterval + node.repeatInterval))
        snapshotIfDue(k)
        instances[k].nflog[logKey] = e
        for q in instances.indices where q != k && instances[q].up && reaches(k, q) { mergeEntry(logKey, e, into: q) }
    }

    func scheduleDelivery(_ slot: Int) {
        guard let d = deliveries[slot] else { return }
        deliveryGen[slot] &+= 1
        let at = d.steps.first?.at ?? d.end
        model.sim.schedule(at: at, target: target, kind: Kind.deliver.rawValue, arg: IndexGeneration.pack(slot, deliveryGen[slot]))
    }

    /// A retried notification goes out (or is given up) now; when the pipeline returns, the
    /// flush deletes the resolved alerts, unless an integration failed.
    func continueDelivery(_ slot: Int) {
        guard var d = deliveries[slot] else { freeDeliveries.append(slot); return }
        let k = d.instance
        let alive = instances[k].up && groups[d.group].live && groups[d.group].serial == d.serial
        while let s = d.steps.first, s.at <= now {
            d.steps.removeFirst()
            guard alive else { continue }
            switch s.step {
            case .send(let n, let logKey, let e):
                record(n)
                writeLog(logKey, firing: e.firing, resolved: e.resolved, at: now, node: tree.nodes[groups[d.group].route], instance: k)
            case .fail(let receiver, let type, let text):
                notificationFailed(k, type, receiver, text)
            }
        }
        if alive && (!d.steps.isEmpty || now < d.end) {
            deliveries[slot] = d
            scheduleDelivery(slot)
            return
        }
        deliveries[slot] = nil
        freeDeliveries.append(slot)
        if alive && !d.failed { deleteResolved(d.alerts, group: d.group, flushMs: clock.ms(d.flushedAt), instance: k) }
    }

    /// dispatch.go flush: resolved alerts not updated since are deleted from the group once the
    /// notification succeeded.
    func deleteResolved(_ alerts: [StoredAlert], group gi: Int, flushMs: Int64, instance k: Int) {
        for a in alerts where a.endsAt <= flushMs {
            let i = lowerBound(groups[gi].alerts, a.labels)
            if i < groups[gi].alerts.count && groups[gi].alerts[i].labels == a.labels && groups[gi].alerts[i].version == a.version {
                groups[gi].alerts.remove(at: i)
            }
        }
        // dispatch.go run: the cleanup ticker (every 30 s) removes a group that is empty when it
        // ticks, so a group this flush emptied is gone at the next tick unless an alert comes
        // first; one arriving later makes a new group, which waits group_wait (or flushes at once)
        if groups[gi].alerts.isEmpty { groups[gi].removedAt = nextCleanup(k) }
    }

    /// The dispatcher's next cleanup tick strictly after now (every 30 s from the process' start).
    func nextCleanup(_ k: Int) -> SimTime {
        let since = (now - instances[k].startedAt).nanoseconds
        let c = AlertmanagerCluster.cleanupInterval.nanoseconds
        return instances[k].startedAt + SimDuration(nanoseconds: (since / c + 1) * c)
    }

    /// notify.go DedupStage.needsUpdate.
    func needsUpdate(_ entry: NflogEntry?, firing: Set<LabelSet>, resolved: Set<LabelSet>, sendResolved: Bool, repeatInterval: SimDuration) -> Bool {
        guard let entry else { return !firing.isEmpty }
        if !firing.isSubset(of: entry.firing) { return true }
        if firing.isEmpty { return !entry.firing.isEmpty }
        if sendResolved && !resolved.isSubset(of: entry.resolved) { return true }
        return entry.timestamp < now - repeatInterval
    }

    func record(_ n: Notification) {
        sent += 1
        pendingRows.append(n)
        if keepsAll { all.append(n) }
        let fired = model.faultInjector.fired
        while firstAfterFault.count < fired.count { firstAfterFault.append(nil) }
        while answered < fired.count, fired[answered].time <= n.time {
            firstAfterFault[answered] = n.time
            answered += 1
        }
        log("notification", n.receiver, "\(n.groupKey) firing \(n.firing.count) resolved \(n.resolved.count) via \(n.integration) from \(n.instance)")
    }
}
