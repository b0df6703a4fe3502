import SimKernel

// The LAN pool's failure detection, computed when a member's host goes down (Memberlist.swift
// has the rules). A healthy pool schedules nothing: probes of live members carry no news.

extension ConsulCluster {
    /// Members that count for memberlist's node estimate (alive or suspect).
    var poolSize: Int { membersAlive + membersSuspect }

    /// When member `x` stopped answering: every live member will probe it when its shuffled
    /// round-robin list reaches it (its position drawn from that member's own stream); each
    /// failed probe ends one probe interval later in a suspicion; the first suspector's timer,
    /// shortened by the others' confirmations, declares it dead.
    func detectFailure(of x: Int) {
        guard members[x].state != .failed else { return }
        let n = poolSize
        let pi = config.probeInterval
        let t0 = now
        var suspects: [SimTime] = []
        suspects.reserveCapacity(n)
        for j in members.indices where j != x && members[j].agentUp && members[j].state != .failed {
            let phase = probePhase(j)
            // next tick of j's ticker at or after t0 (ticks at phase + k·interval)
            let sinceStart = (t0.nanoseconds - phase.nanoseconds) % pi.nanoseconds
            let next = sinceStart <= 0 ? t0 + SimDuration(nanoseconds: -sinceStart) : t0 + (pi - SimDuration(nanoseconds: sinceStart))
            let w = Memberlist.ticksUntilProbe(listLength: n - 1, stream(j))
            suspects.append(next + pi * Int64(w) + pi)
        }
        guard !suspects.isEmpty else { return }
        suspects.sort()
        let b = suspicionBounds(members: n)
        let delay = gossipDelay(members: n)
        let dead = Memberlist.deadTime(suspectTimes: suspects, gossipDelay: delay, k: b.k, min: b.min, max: b.max)!
        let arg = IndexGeneration.pack(x, members[x].gen)
        schedule(.memberSuspect, at: suspects[0], arg)
        // the first timer to expire broadcasts "dead"; the leader's serf sees member-failed when
        // that message reaches it (its own timer, started later, has not expired yet)
        schedule(.memberDead, at: dead + delay, arg)
    }

    /// The suspicion timer of a pool of `n` members (util.go suspicionTimeout, state.go suspectNode).
    func suspicionBounds(members n: Int) -> (k: Int, min: SimDuration, max: SimDuration) {
        let minT = Memberlist.suspicionMin(mult: config.suspicionMult, members: n, probeInterval: config.probeInterval)
        return (Memberlist.expectedConfirmations(mult: config.suspicionMult, members: n), minT, minT * Memberlist.suspicionMaxTimeoutMult)
    }

    /// The time a gossiped message (suspect, dead) takes to reach the other members.
    func gossipDelay(members n: Int) -> SimDuration {
        config.gossipInterval * Int64(Memberlist.gossipRounds(members: n, gossipNodes: config.gossipNodes))
    }

    func probePhase(_ j: Int) -> SimDuration {
        if let p = members[j].probePhase { return p }
        // memberlist schedule(): the probe ticker starts after a random stagger < ProbeInterval
        let p = uniform(j, config.probeInterval)
        members[j].probePhase = p
        return p
    }

    func memberSuspected(_ x: Int) {
        guard members[x].state == .alive else { return }
        setState(x, .suspect)
        log("consulMemberSuspect", hostName(members[x].host), "no ack to a probe")
    }

    /// Suspicion timer expired: dead, serf's member-failed; the leader marks `serfHealth` critical.
    func memberFailed(_ x: Int) {
        guard members[x].state != .failed else { return }
        setState(x, .failed)
        let h = members[x].host
        let downAt = members[x].downAt ?? now
        detections.append(Detection(host: h, downAt: downAt, failedAt: now))
        log("consulMemberFailed", hostName(h), NumberFormat.fixed((now - downAt).seconds, decimals: 3))
        if leader != nil { setSerfHealth(x, critical: true) }
        // serf reaps a failed member after reconnect_timeout, at its next reap (every 15 s)
        let reapAt = now + config.reconnectTimeout + uniform(x, .seconds(15))
        schedule(.memberReap, at: reapAt, IndexGeneration.pack(x, members[x].gen))
    }

    /// Reaped after reconnect_timeout: the leader deregisters the node and its services.
    func memberReaped(_ x: Int) {
        guard members[x].state == .failed else { return }
        setState(x, .left)
        log("consulMemberReaped", hostName(members[x].host), "reconnect_timeout \(config.reconnectTimeout)")
        if leader != nil { deregisterNode(x) }
    }

    /// The leader removes a node that left or was reaped, with its services (leader.go
    /// handleLeftMember / handleReapMember).
    func deregisterNode(_ x: Int) {
        for i in members[x].instances where instances[i].inLocal || instances[i].inCatalog {
            instances[i].inLocal = false
            applyToCatalog(i)
        }
        members[x].instances.removeAll()
        members[x].serfCritical = false
        setNodeRegistered(x, false)
    }

    /// The leader's view of a member's health (leader.go handleFailedMember / handleAliveMember).
    func setSerfHealth(_ x: Int, critical: Bool) {
        guard members[x].serfCritical != critical else { return }
        members[x].serfCritical = critical
        raftIndex += 1
        var touched: [Int] = []
        for i in members[x].instances where instances[i].inCatalog && !touched.contains(instances[i].name) {
            touched.append(instances[i].name)
        }
        touched.sort()
        for s in touched { bump(s) }
    }

    /// The leader's reconcile (on election, and every ReconcileInterval): serfHealth of every
    /// member as serf sees it now.
    func reconcileMembers() {
        for x in members.indices {
            switch members[x].state {
            case .alive, .suspect: setSerfHealth(x, critical: false); setNodeRegistered(x, true)
            case .failed: setSerfHealth(x, critical: true); setNodeRegistered(x, true)
            case .left: deregisterNode(x)
            }
        }
    }
}
