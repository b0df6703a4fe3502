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
        let snapshot = groups[gi].alerts
        let nowMs = clock.ms(now)
        // TimeActiveStage and TimeMuteStage mute the whole flush
        let ti = spec.config.timeIntervals
        let timeMuted = (!node.active.isEmpty && !node.active.contains { ti[$0].contains(unixMs: nowMs) })
            || node.mute.contains { ti[$0].contains(unixMs: nowMs) }
        let kept = timeMuted ? [] : snapshot.filter { !muted($0.labels, instance: k, nowMs: nowMs) }
        // cluster.go Position: the rank among the peers this one sees (memberlist drops the ones a
        // network partition cuts off from it: each side of a partition has its own first peer)
        let position = instances.indices.filter { $0 < k && instances[$0].up && reaches(k, $0) }.count
        let p = Pipeline(instance: k, group: gi, serial: groups[gi].serial, alerts: snapshot, kept: kept, flushedAt: now)
        if position == 0 {
            run(p)
        } else {
            let slot: Int
            if let s = freePipelines.popLast() { pipelines[s] = p; slot = s } else { pipelines.append(p); pipelineGen.append(0); slot = pipelines.count - 1 }
            pipelineGen[slot] &+= 1
            model.sim.schedule(at: now + SimDuration(nanoseconds: spec.peerTimeout.nanoseconds * Int64(position)), target: target,
                               kind: Kind.pipeline.rawValue, arg: IndexGeneration.pack(slot, pipelineGen[slot]))
        }
    }

    /// The wait is over (an instance that went down meanwhile dropped its pipelines: the slot
    /// is freed here, when its event comes).
    func finishPipeline(_ slot: Int) {
        let p = pipelines[slot]
        pipelines[slot] = nil
        freePipelines.append(slot)
        if let p { run(p) }
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
        if !p.kept.isEmpty, let r = receiverIndex[node.receiver] {
            let receiver = spec.config.receivers[r]
            var firing: [LabelSet] = [], resolved: [LabelSet] = []
            for a in p.kept { if a.endsAt <= flushMs { resolved.append(a.labels) } else { firing.append(a.labels) } }
            let firingSet = Set(firing), resolvedSet = Set(resolved)
            for integ in receiver.integrations {
                let logKey = receiver.name + "/" + integ.name + "/" + g.key
                var entry = instances[k].nflog[logKey]
                if let e = entry, collected(e, k) { entry = nil }
                guard needsUpdate(entry, firing: firingSet, resolved: resolvedSet, sendResolved: integ.sendResolved, repeatInterval: node.repeatInterval) else { continue }
                if integ.sendResolved || !firing.isEmpty {
                    instances[k].notificationsByType[integ.type, default: 0] += 1
                    record(Notification(time: now, instance: hostName(instances[k].host), receiver: receiver.name, integration: integ.name,
                                        groupKey: g.key, firing: firing, resolved: integ.sendResolved ? resolved : []))
                }
                let e = NflogEntry(firing: firingSet, resolved: resolvedSet, timestamp: now, expiresAt: now + min(spec.retention, node.repeatInterval + node.repeatInterval))
                snapshotIfDue(k)
                instances[k].nflog[logKey] = e
                for q in instances.indices where q != k && instances[q].up && reaches(k, q) { mergeEntry(logKey, e, into: q) }
            }
        }
        // dispatch.go flush: resolved alerts not updated since are deleted from the group
        for a in p.alerts where a.endsAt <= flushMs {
            let i = lowerBound(groups[p.group].alerts, a.labels)
            if i < groups[p.group].alerts.count && groups[p.group].alerts[i].labels == a.labels && groups[p.group].alerts[i].version == a.version {
                groups[p.group].alerts.remove(at: i)
            }
        }
        // dispatch.go run: the cleanup ticker (every 30 s) removes a group that is empty when it
        // ticks, so a group this flush emptied is gone at the next tick unless an alert comes
        // first; one arriving later makes a new group, which waits group_wait (or flushes at once)
        if groups[p.group].alerts.isEmpty { groups[p.group].removedAt = nextCleanup(k) }
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
