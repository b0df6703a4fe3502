import SimKernel

// The servers' Raft (hashicorp/raft with Consul's ScaleRaft): timers are randomised in [T, 2T)
// (raft util.go randomTimeout). A healthy leader's heartbeats carry no news and are not
// simulated; what is computed is when their absence is noticed.
//
// - Leader gone: each follower's heartbeat timer fires after a random timeout; when the time
//   since its last contact is at least HeartbeatTimeout it forgets the leader and becomes a
//   candidate (raft.go runFollower). A follower that still knows the leader refuses its vote
//   (requestVote), so the election is computed vote by vote (`electionAfterLeaderLoss`): with 3
//   servers it is won in term + 2 or later, once both followers have timed out.
// - Quorum lost under a live leader: the leader's lease check (raft.go checkLeaderLease) counts
//   the voters it heard from within LeaderLeaseTimeout and steps down when they are fewer than a
//   quorum. The check is re-armed for the instant the oldest counted contact turns a lease old
//   (leaderLoop: `LeaderLeaseTimeout - maxDiff`), so the leader steps down when the last contact
//   it needed turns a lease old: a lease after that follower's last answered heartbeat (sent
//   every U[HeartbeatTimeout/10, 2·HeartbeatTimeout/10), replication.go `heartbeat`), i.e. up to
//   one heartbeat interval *earlier* than a lease after the loss.
// - No quorum: candidates keep timing out; their repeated elections are not simulated (and the
//   terms they burn are not counted): once a quorum is back, the first candidate timer wins.

extension ConsulCluster {
    var quorum: Int { spec.servers / 2 + 1 }
    var liveServers: Int { serverMembers.reduce(0) { $0 + (members[$1].agentUp ? 1 : 0) } }

    /// Schedules the next election. `lastContact` nil: start-up, or a quorum back after a loss
    /// (no server knows a leader, so the first candidate timer wins). Otherwise the leader was
    /// lost at `lastContact` and the followers still know it: `electionAfterLeaderLoss`.
    func startElection(after lastContact: SimTime?, contacts: [SimTime?]? = nil) {
        guard !electionPending, leader == nil, quorumCanTalk else { return }
        if let c = lastContact {
            let (at, s, t) = electionAfterLeaderLoss(at: c, contacts: contacts)
            electionPending = true
            pendingTerm = t
            schedule(.election, at: at, IndexGeneration.pack(s, raftGen))
            return
        }
        let ht = config.heartbeatTimeout, et = config.electionTimeout
        var best: (SimTime, Int)? = nil
        for (s, m) in serverMembers.enumerated() where members[m].agentUp && connectedVoters(s) >= quorum {
            let at: SimTime
            if electionsBurned {
                // candidates cycling without quorum: the next election timer
                at = now + uniform(m, et + uniform(m, et))
            } else {
                at = now + ht + uniform(m, ht)
            }
            if best == nil || at < best!.0 { best = (at, s) }
        }
        guard let (at, s) = best else { return }
        electionPending = true
        pendingTerm = term + 1
        schedule(.election, at: at, IndexGeneration.pack(s, raftGen))
    }

    /// The election after the leader's host went down at `t0`, vote by vote (hashicorp/raft
    /// raft.go `runFollower`, `runCandidate`, `electSelf`, `requestVote`):
    /// - each live follower last heard from the leader at its last heartbeat (`heartbeatAge`);
    ///   its heartbeat timer ticks every U[HT, 2HT) (its phase at t0 the renewal residual) and at
    ///   the first tick at least HT after that contact it forgets the leader and becomes a
    ///   candidate: term + 1, its own vote, an election timer U[ET, 2ET);
    /// - a server grants a vote only if it knows no leader (`requestVote`: "rejecting vote request
    ///   since we have a leader"), the term is not older than its own and it has not voted in that
    ///   term; a newer term turns a candidate back into a follower (fresh heartbeat timer);
    /// - a candidate with a quorum of votes (its own included) wins; one that sees a newer term in
    ///   an answer steps down; otherwise its election timer starts the next term.
    /// So with 3 servers the first candidate is always refused by the other follower, which still
    /// knows the dead leader: the election is won by the next timer after both have timed out,
    /// in term + 2 or later. Votes travel instantly (no round trips, no split within one RTT);
    /// a voter's timer restarts at U[HT, 2HT) when it grants (the model's choice).
    func electionAfterLeaderLoss(at t0: SimTime, contacts: [SimTime?]? = nil) -> (SimTime, Int, Int) {
        let ht = config.heartbeatTimeout
        var v: [RaftVoter] = []
        for (s, m) in serverMembers.enumerated() where members[m].agentUp {
            // a server cut off from the others (a partition) is not among the voters
            guard connectedVoters(s) >= quorum || contacts == nil else { continue }
            let contact = contacts?[s] ?? (t0 - heartbeatAge(m))
            var at = t0 + renewalAge(m, interval: ht)
            while at - contact < ht { at = at + ht + uniform(m, ht) }
            v.append(RaftVoter(s: s, term: term, voted: term, knowsLeader: true, candidate: false, next: at))
        }
        return runElection(&v)
    }

    /// The votes of `v` played out (see `electionAfterLeaderLoss`): a vote needs the two servers to
    /// reach each other (a partition), and a server refuses a candidate whose log is behind its own
    /// (raft.go `requestVote`: "rejecting vote request since our last term is greater" / "... our
    /// last index is greater"): a server back from a partition has missed what the others committed.
    func runElection(_ v: inout [RaftVoter]) -> (SimTime, Int, Int) {
        let ht = config.heartbeatTimeout, et = config.electionTimeout
        for _ in 0..<10_000 {
            var i = 0
            for j in v.indices where v[j].next < v[i].next { i = j }
            let t = v[i].next, m = serverMembers[v[i].s]
            v[i].knowsLeader = false; v[i].candidate = true; v[i].term += 1; v[i].voted = v[i].term
            var votes = 1, newer = 0
            for j in v.indices where j != i && serversConnected(v[i].s, v[j].s) {
                if v[j].term > v[i].term { newer = max(newer, v[j].term); continue }
                if v[j].knowsLeader { continue }
                if v[i].term > v[j].term {
                    v[j].term = v[i].term
                    if v[j].candidate { v[j].candidate = false }
                }
                if v[j].voted < v[i].term && !(v[i].logBehind && !v[j].logBehind) {
                    v[j].voted = v[i].term
                    votes += 1
                    v[j].next = t + ht + uniform(serverMembers[v[j].s], ht)
                }
            }
            if votes >= quorum { return (t, v[i].s, v[i].term) }
            if newer > 0 {
                v[i].candidate = false; v[i].term = newer
                v[i].next = t + ht + uniform(m, ht)
            } else {
                v[i].next = t + et + uniform(m, et)
            }
        }
        let i = v.indices.min { v[$0].next < v[$1].next }!
        return (v[i].next, v[i].s, v[i].term + 1)
    }

    /// The time since the last event of a renewal process with intervals U[a, 2a) (raft util.go
    /// `randomTimeout`), seen at an instant unrelated to it; the time to its next event has the
    /// same law. Density P(interval > x) / E[interval]: uniform on [0, a) with probability 2/3,
    /// else falling linearly to 0 on [a, 2a).
    func renewalAge(_ m: Int, interval a: SimDuration) -> SimDuration {
        let a = Double(a.nanoseconds)
        let u = stream(m).uniform(), w = stream(m).uniform()
        let x = u < 2.0 / 3.0 ? w * a : a + a * (1 - (1 - w).squareRoot())
        return SimDuration(nanoseconds: Int64(x))
    }

    /// Whether servers have been candidates without a quorum (after a quorum loss).
    var electionsBurned: Bool { leaderLostAt != nil && term > 0 }

    func electLeader(candidate s: Int) {
        electionPending = false
        guard leader == nil else { return }
        // the candidate went down meanwhile: the next timer among the others (if a quorum is left)
        guard members[serverMembers[s]].agentUp, connectedVoters(s) >= quorum else { startElection(after: nil); return }
        raftGen &+= 1
        term = max(term + 1, pendingTerm, adoptedTerm + 1)
        adoptedTerm = 0
        elections += 1
        leader = s
        leaderElectedAt = now
        leaderLostAt = nil
        log("consulLeaderElected", hostName(members[serverMembers[s]].host), "term \(term)")
        // establishLeadership: an immediate reconcile of serf members into the catalog
        reconcileMembers()
        releaseHeldSyncs()
        for k in serverMembers.indices { cutFromLeader[k] = !serversConnected(s, k) }
        checkNewerTerms()
    }

    func leaderGone(reason: String) {
        guard let l = leader else { return }
        raftGen &+= 1
        leader = nil
        leaderLostAt = now
        leaderIsolated = false
        leaderCutAt = nil
        log("consulLeaderLost", hostName(members[serverMembers[l]].host), reason)
    }

    func serverDown(_ m: Int) {
        if let l = leader, serverMembers[l] == m {
            leaderGone(reason: "leader host down")
            startElection(after: now)
        } else if leader != nil {
            // the leader last heard from it at its last answered heartbeat (never before the election)
            members[m].raftContact = max(now - heartbeatAge(m), leaderElectedAt)
            if let l = leader, connectedVoters(l) < quorum { leaderIsolated = true; scheduleLeaseStepDown() }
        }
    }

    /// How long ago the leader's last heartbeat to a server was answered, at an instant that has
    /// nothing to do with the heartbeats: heartbeats go every U[a, 2a), a = HeartbeatTimeout/10
    /// (raft replication.go `heartbeat`), so this is `renewalAge` with that a. (Writes replicated
    /// meanwhile refresh the contact too; the model's catalog traffic is not taken to: this is an
    /// idle cluster's contact.) The follower's own last contact with the leader is the same.
    func heartbeatAge(_ m: Int) -> SimDuration {
        renewalAge(m, interval: SimDuration(nanoseconds: config.heartbeatTimeout.nanoseconds / 10))
    }

    /// The lease check that finds fewer than a quorum of voters in contact: with `live` servers
    /// up (the leader among them), the leader still counts every down server whose last contact
    /// is at most a lease old; it steps down once only `quorum − live − 1` of them are left, i.e.
    /// when the (quorum − live)-th most recent of their contacts turns a lease old.
    func scheduleLeaseStepDown() {
        let lease = config.leaderLeaseTimeout
        var expiries: [SimTime] = []
        guard let l = leader else { return }
        for (s, m) in serverMembers.enumerated() where !members[m].agentUp || !serversConnected(l, s) {
            expiries.append(max(members[m].raftContact ?? leaderElectedAt, leaderElectedAt) + lease)
        }
        expiries.sort(by: >)
        let r = quorum - connectedVoters(l)
        guard r >= 1, r <= expiries.count else { return }
        stepDownGen &+= 1
        schedule(.leaderStepDown, at: max(expiries[r - 1], now), IndexGeneration.pack(Int(stepDownGen & 0xFFFF), raftGen))
    }

    func serverUp(_ m: Int) {
        if leader == nil { startElection(after: nil) }
    }

    func leaderSteppedDown() {
        guard let l = leader, connectedVoters(l) < quorum else { return }
        let cut = leaderCutAt
        leaderGone(reason: "no quorum for the leader lease (\(config.leaderLeaseTimeout))")
        leaderStepDownAt[l] = now
        if isolatedAt[l] != nil { isolatedLostAt[l] = now }
        // the leader was cut off from the others (a partition): they lost it when it was cut off
        // and elect among themselves if they are a quorum (ConsulRaftPartition.swift)
        if let cut = cut { startElection(after: cut, contacts: serverMembers.map { members[$0].raftContact }) }
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
