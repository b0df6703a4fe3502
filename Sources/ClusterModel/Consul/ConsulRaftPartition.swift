import SimKernel

// Consul servers cut off from each other by a `networkPartition` (the fault cuts a host off from
// the control hosts, the masters' and ZooKeeper's: servers that run there are cut off from one
// another; `MesosCluster.cut`). hashicorp/raft as Consul vendors it (v1.3.1 in Consul's go.mod of
// 2021 and older ones before it: no pre-vote, which came with raft v1.7.0, config.go
// `PreVoteDisabled`):
//
// - A leader cut off from a quorum steps down at its lease check (raft.go `checkLeaderLease`), a
//   lease after the last contact it needed, as when the servers go down (ConsulRaft.swift). Until
//   then it is leader without a quorum: nothing it is sent commits (`leaderIsolated`).
// - The servers on the other side lost it when it was cut off (their last heartbeat): they elect
//   among themselves if they are a quorum, vote by vote (`electionAfterLeaderLoss`).
// - A server alone (or in a minority) knows no leader: its heartbeat timer makes it a candidate
//   (term + 1), and its election timer every U[ET, 2ET) again (raft.go `runCandidate`,
//   `electSelf`): its term climbs while the partition lasts. Nobody hears it.
// - When it is back, its term is higher than the leader's: the leader's next AppendEntries to it is
//   refused with that term (raft.go `appendEntries`: "a.Term < r.getCurrentTerm()"), and the leader
//   steps down (replication.go `replicateTo` → `handleStaleTerm`: "peer has newer term, stopping
//   replication"). Its vote requests change nothing before that: the leader and the followers that
//   know it refuse them (`requestVote`: "rejecting vote request since we have a leader"). Then an
//   election: the server that was away cannot win (its log misses what the others committed,
//   `requestVote` refuses a candidate whose last log term or index is behind), a server of the
//   majority wins in a term above the one it brought back. The leader's replication to a server it
//   cannot reach retries after the dial times out (Consul's Raft transport: 10 s) and a back-off
//   that grows to 10.24 s (replication.go `backoff(failureWait 10ms, failures, maxFailureScale 12)`);
//   the model takes the heal at a uniform phase of that 20.24 s cycle (model's choice).

struct RaftVoter {
    var s: Int
    var term: Int
    var voted: Int
    var knowsLeader: Bool
    var candidate: Bool
    var next: SimTime
    /// Its log misses entries the others committed (back from a partition): nobody votes for it.
    var logBehind = false
}

extension ConsulCluster {
    /// Servers `a` and `b` (indices into `serverMembers`) can exchange Raft RPCs (both up, not cut).
    func serversConnected(_ a: Int, _ b: Int) -> Bool {
        let ma = serverMembers[a], mb = serverMembers[b]
        guard members[ma].agentUp, members[mb].agentUp else { return false }
        return a == b || !(mesos?.cut(members[ma].host, members[mb].host) ?? false)
    }

    /// Live servers `s` reaches, itself included (0 when it is down).
    func connectedVoters(_ s: Int) -> Int {
        serverMembers.indices.reduce(0) { $0 + (serversConnected(s, $1) ? 1 : 0) }
    }

    /// Some live server reaches a quorum (an election can be won).
    var quorumCanTalk: Bool { serverMembers.indices.contains { connectedVoters($0) >= quorum } }

    /// The replication cycle to a server the leader cannot reach: the dial's timeout (10 s,
    /// Consul's `raft.NetworkTransportConfig.Timeout`) and the capped back-off (10.24 s).
    static let unreachableReplicationCycle = SimDuration.seconds(10) + SimDuration(nanoseconds: 10_240_000_000)

    /// A host was cut off from the control hosts, or healed (`.hostPartitioned`).
    func raftPartitionChanged() {
        guard !serverMembers.isEmpty else { return }
        // the leader's contacts with the servers newly cut off from it: their last answered heartbeat
        if let l = leader {
            for (s, m) in serverMembers.enumerated() where s != l && members[m].agentUp {
                if !serversConnected(l, s) {
                    if !cutFromLeader[s] { cutFromLeader[s] = true; members[m].raftContact = max(now - heartbeatAge(m), leaderElectedAt) }
                } else {
                    cutFromLeader[s] = false
                }
            }
        }
        // servers that lost or regained a quorum
        for (s, m) in serverMembers.enumerated() where members[m].agentUp {
            let isolated = connectedVoters(s) < quorum
            if isolated && isolatedAt[s] == nil {
                isolatedAt[s] = now
                isolatedTerm[s] = term
                // a follower stops hearing from its leader at its last heartbeat; a leader at its step-down
                isolatedLostAt[s] = leader == nil ? now : (leader == s ? nil : members[m].raftContact)
            } else if !isolated && isolatedAt[s] != nil {
                isolatedAt[s] = nil
                rejoined(s)
            }
        }
        if let l = leader {
            if connectedVoters(l) < quorum {
                if !leaderIsolated { leaderIsolated = true; leaderCutAt = now; scheduleLeaseStepDown() }
            } else if leaderIsolated {
                // back within the lease: its heartbeats are answered again, it stays leader
                leaderIsolated = false; leaderCutAt = nil; stepDownGen &+= 1
            }
        } else {
            startElection(after: nil)
        }
    }

    /// Server `s` reaches a quorum again: the terms it burned as a candidate while it could not.
    func rejoined(_ s: Int) {
        let m = serverMembers[s]
        defer { isolatedLostAt[s] = nil }
        guard let lost = isolatedLostAt[s] else { return }   // it still knew its leader: no term burned
        let ht = config.heartbeatTimeout, et = config.electionTimeout
        var t = lost + ht + uniform(m, ht)                    // its heartbeat timer: the first candidacy
        var burned = 0
        while t < now { burned += 1; t = t + et + uniform(m, et) }
        guard burned > 0 else { return }
        guard leader != nil else {
            // back while there is no leader: the others adopt its term from its vote requests (or
            // their answers), and the election is won in a term above it (the model's choice: a
            // server of the quorum wins it, as when it is back under a leader)
            adoptedTerm = max(adoptedTerm, isolatedTerm[s] + burned)
            return
        }
        rejoinedTerm[s] = isolatedTerm[s] + burned
        nextCandidacy[s] = t
        checkNewerTerms()
    }

    /// A leader that replicates to a server with a higher term steps down at its next AppendEntries.
    func checkNewerTerms() {
        guard let l = leader else { return }
        for s in serverMembers.indices {
            guard let tp = rejoinedTerm[s] else { continue }
            if tp <= term { rejoinedTerm[s] = nil; continue }
            guard serversConnected(l, s) else { continue }
            let d = uniform(serverMembers[l], Self.unreachableReplicationCycle)
            schedule(.newerTerm, at: now + d, IndexGeneration.pack(s, raftGen))
        }
    }

    /// The leader's AppendEntries came back with server `s`'s newer term: it steps down
    /// (replication.go `handleStaleTerm`) and the servers elect again, `s` among them with a log behind.
    func peerHasNewerTerm(_ s: Int) {
        guard let l = leader, var tp = rejoinedTerm[s], tp > term, serversConnected(l, s) else { return }
        let ht = config.heartbeatTimeout, et = config.electionTimeout
        let ms = serverMembers[s]
        // its candidacies went on meanwhile
        var next = nextCandidacy[s] ?? now
        while next < now { tp += 1; next = next + et + uniform(ms, et) }
        rejoinedTerm[s] = nil
        let old = l
        leaderGone(reason: "peer \(hostName(members[ms].host)) has newer term \(tp)")
        var v: [RaftVoter] = []
        for (k, m) in serverMembers.enumerated() where members[m].agentUp && (connectedVoters(k) >= quorum || k == s) {
            if k == s {
                v.append(RaftVoter(s: k, term: tp, voted: tp, knowsLeader: false, candidate: true, next: next, logBehind: true))
            } else if k == old {
                // a follower now, knowing no leader (runLeader clears it): a fresh heartbeat timer
                v.append(RaftVoter(s: k, term: term, voted: term, knowsLeader: false, candidate: false, next: now + ht + uniform(m, ht)))
            } else {
                let contact = now - heartbeatAge(m)
                var at = now + renewalAge(m, interval: ht)
                while at - contact < ht { at = at + ht + uniform(m, ht) }
                v.append(RaftVoter(s: k, term: term, voted: term, knowsLeader: true, candidate: false, next: at))
            }
        }
        guard !electionPending else { return }
        let (at, winner, t) = runElection(&v)
        electionPending = true
        pendingTerm = t
        schedule(.election, at: at, IndexGeneration.pack(winner, raftGen))
    }

    /// A server's host went down: what it burned while cut off no longer counts (the model's choice).
    func forgetIsolation(member m: Int) {
        guard let s = serverMembers.firstIndex(of: m) else { return }
        isolatedAt[s] = nil; isolatedLostAt[s] = nil; rejoinedTerm[s] = nil; cutFromLeader[s] = false
    }
}
