import SimKernel

// The servers' Raft (hashicorp/raft with Consul's ScaleRaft): timers are randomised in [T, 2T)
// (raft util.go randomTimeout). A healthy leader's heartbeats carry no news and are not
// simulated; what is computed is when their absence is noticed.
//
// - Leader gone: each follower's heartbeat timer fires after a random timeout; when the time
//   since the last contact is at least HeartbeatTimeout it becomes a candidate (raft.go
//   runFollower). The first candidate with a quorum of live servers wins; term + 1.
// - Quorum lost under a live leader: the leader's lease check (checkLeaderLease, every
//   LeaderLeaseTimeout) sees fewer than a quorum of followers in contact for a lease and steps
//   down.
// - No quorum: candidates keep timing out; their repeated elections are not simulated (and the
//   terms they burn are not counted): once a quorum is back, the first candidate timer wins.

extension ConsulCluster {
    var quorum: Int { spec.servers / 2 + 1 }
    var liveServers: Int { serverMembers.reduce(0) { $0 + (members[$1].agentUp ? 1 : 0) } }

    /// Schedules the election won by the server whose candidate timer fires first. `lastContact`
    /// nil: start-up (every server starts as a follower whose heartbeat timer runs out).
    func startElection(after lastContact: SimTime?) {
        guard !electionPending, leader == nil, liveServers >= quorum else { return }
        let ht = config.heartbeatTimeout, et = config.electionTimeout
        var best: (SimTime, Int)? = nil
        for (s, m) in serverMembers.enumerated() where members[m].agentUp {
            var at: SimTime
            if let c = lastContact {
                // the follower's heartbeat timer is running: its residual, then full timeouts
                // until HeartbeatTimeout has passed since the last contact
                at = now + uniform(m, ht + uniform(m, ht))
                while at - c < ht { at = at + ht + uniform(m, ht) }
            } else if electionsBurned {
                // candidates cycling without quorum: the next election timer
                at = now + uniform(m, et + uniform(m, et))
            } else {
                at = now + ht + uniform(m, ht)
            }
            if best == nil || at < best!.0 { best = (at, s) }
        }
        guard let (at, s) = best else { return }
        electionPending = true
        schedule(.election, at: at, IndexGeneration.pack(s, raftGen))
    }

    /// Whether servers have been candidates without a quorum (after a quorum loss).
    var electionsBurned: Bool { leaderLostAt != nil && term > 0 }

    func electLeader(candidate s: Int) {
        electionPending = false
        guard leader == nil else { return }
        // the candidate went down meanwhile: the next timer among the others (if a quorum is left)
        guard members[serverMembers[s]].agentUp, liveServers >= quorum else { startElection(after: nil); return }
        raftGen &+= 1
        term += 1
        elections += 1
        leader = s
        leaderLostAt = nil
        log("consulLeaderElected", hostName(members[serverMembers[s]].host), "term \(term)")
        // establishLeadership: an immediate reconcile of serf members into the catalog
        reconcileMembers()
        releaseHeldSyncs()
    }

    func leaderGone(reason: String) {
        guard let l = leader else { return }
        raftGen &+= 1
        leader = nil
        leaderLostAt = now
        log("consulLeaderLost", hostName(members[serverMembers[l]].host), reason)
    }

    func serverDown(_ m: Int) {
        if let l = leader, serverMembers[l] == m {
            leaderGone(reason: "leader host down")
            startElection(after: now)
        } else if leader != nil && liveServers < quorum {
            // checkLeaderLease runs every lease; it steps down once no quorum was in contact for a lease
            let lease = config.leaderLeaseTimeout
            let at = now + lease + uniform(m, lease)
            schedule(.leaderStepDown, at: at, IndexGeneration.pack(0, raftGen))
        }
    }

    func serverUp(_ m: Int) {
        if leader == nil { startElection(after: nil) }
    }

    func leaderSteppedDown() {
        guard leader != nil, liveServers < quorum else { return }
        leaderGone(reason: "no quorum for the leader lease (\(config.leaderLeaseTimeout))")
    }

    /// Whether a stale read of the catalog (HTTP `?stale`, as consul-template, Prometheus' consul_sd
    /// and consul_exporter ask by default) can be answered now: by the leader, or without one by any
    /// live server from its own state (agent/consul/rpc.go `blockingQuery`: a stale read is not
    /// forwarded). `dns_config.allow_stale` / `max_stale` are the DNS interface's (agent/dns.go)
    /// and do not apply; the client judges the answer's age (`lastContact`).
    func canRead() -> Bool {
        guard liveServers > 0 else { return false }
        return leader != nil || term > 0
    }

    /// X-Consul-LastContact of a stale answer (agent/consul/rpc.go `setQueryMeta`: 0 from the
    /// leader; a follower answers with the time since it last heard from a leader, taken here as the
    /// time since the leader was lost).
    func staleAge() -> SimDuration {
        guard leader == nil, let lost = leaderLostAt else { return .zero }
        return max(now - lost, .nanosecond)  // never zero: zero is the leader's answer
    }
}
