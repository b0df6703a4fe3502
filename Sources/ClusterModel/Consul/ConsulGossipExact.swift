import SimKernel

// `fidelity.gossip: "exact"`: memberlist's probe loop simulated probe by probe, the reference the
// computed detection (ConsulGossip.swift) is equal in distribution to (ConsulTests
// testExactAndComputedGossipDetectAlikeOverManySeeds). hashicorp/memberlist state.go @v0.1.x, as
// Consul 1.x vendors it:
//
// - `schedule`/`triggerFunc`: each member's probe ticker starts after a random stagger below
//   ProbeInterval, then ticks every ProbeInterval.
// - `probe`: each tick probes the next entry of the member's node list; itself and members it holds
//   dead are skipped without waiting; at the end of the list `resetNodes` reshuffles it
//   (`shuffleNodes`, Fisher-Yates) and the walk starts again.
// - `probeNode`: a live member acks. A member whose host is down does not: after ProbeTimeout the
//   prober asks IndirectChecks (3) random members to ping it (`kRandomNodes`), which fail as
//   well, and at the deadline (one ProbeInterval after the ping) it calls `suspectNode`.
// - `suspectNode` / suspicion.go: a member that holds the node alive starts a suspicion timer
//   (k, min, max from util.go `suspicionTimeout`) counting its sender as the first confirmation;
//   one that already suspects it counts the sender if it is new (`Confirm`), which shortens the
//   timer to max − (max − min)·ln(c+1)/ln(k+1); new information is gossiped on. The first timer
//   to expire declares the node dead and gossips it; serf on the Consul leader sees member-failed
//   when that message arrives.
//
// Kept from the computed mode so that the two differ only in the probe schedule: a gossiped
// message reaches every other member ⌈log N / log(GossipNodes+1)⌉ gossip intervals after it is
// sent (gossipDelay), and Lifeguard's awareness stays at 1 (the indirect helpers answer with
// nacks). The simulated pool is in its stationary state at time 0 (it has run for a long time):
// each member starts at a uniform place of a shuffled list, as the computed mode assumes.

/// The probe loop's state (exact mode only).
struct ExactGossip {
    /// Per member: its node list (member indices, itself included) and the next entry to probe.
    var lists: [[Int32]]
    var next: [Int]
    var tickGen: [Int32]
    /// Per member: the member whose probe is in flight (its failure is known at the next tick), -1: none.
    var pending: [Int32]
    /// Per member: the suspicion episode of that member (its host down), nil while everybody holds it alive.
    var suspicion: [Suspicion?]
    var episodeGen: [Int32]
    /// Probes sent, failed, indirect pings asked.
    var probes = 0, failedProbes = 0, indirectPings = 0

    struct Suspicion {
        let k: Int
        let min: SimDuration, max: SimDuration
        let delay: SimDuration
        /// Per member: start of its timer (nil: it holds the node alive), the senders it counted, its deadline.
        var start: [SimTime?]
        var confirmedBy: [[Int32]]
        var deadline: [SimTime]
        /// The member whose timer expired first and when (the node is dead in its view at once,
        /// in the others' one gossip spread later).
        var declaredBy = -1
        var deadAt = SimTime.distantFuture
        var timerGen: Int32 = 0
    }
}

extension ConsulCluster {
    /// Target (24 bits), sender (24 bits) and episode generation of a gossiped suspect message.
    static let suspectTarget = ArgField("target", shift: 0, bits: 24)
    static let suspectFrom = suspectTarget.next("from", bits: 24)
    static let suspectEpisode = suspectFrom.next("episode", bits: 16)

    /// Every member's list shuffled, at a uniform place, its ticker at its stagger.
    func startExactGossip() {
        let n = members.count
        var g = ExactGossip(lists: [], next: [Int](repeating: 0, count: n), tickGen: [Int32](repeating: 0, count: n),
                            pending: [Int32](repeating: -1, count: n), suspicion: [ExactGossip.Suspicion?](repeating: nil, count: n),
                            episodeGen: [Int32](repeating: 0, count: n))
        g.lists.reserveCapacity(n)
        for j in 0..<n {
            var list = (0..<n).map { Int32($0) }
            shuffle(&list, j)
            g.lists.append(list)
            g.next[j] = stream(j).int(below: n)
        }
        probeLoop = g
        for j in 0..<n where members[j].agentUp { startTicker(j, at: now + probePhase(j)) }
    }

    func startTicker(_ j: Int, at t: SimTime) {
        probeLoop!.tickGen[j] &+= 1
        probeLoop!.pending[j] = -1
        schedule(.probeTick, at: t, IndexGeneration.pack(j, probeLoop!.tickGen[j]))
    }

    /// memberlist `shuffleNodes`: Fisher-Yates from the end, with member `j`'s stream.
    func shuffle(_ list: inout [Int32], _ j: Int) {
        guard list.count > 1 else { return }
        let r = stream(j)
        for i in stride(from: list.count - 1, to: 0, by: -1) { list.swapAt(i, r.int(below: i + 1)) }
    }

    /// Whether member `j` holds member `y` dead (skipped by its probe walk).
    func holdsDead(_ j: Int, _ y: Int) -> Bool {
        if members[y].state == .left { return true }
        guard let s = probeLoop!.suspicion[y] else { return members[y].state == .failed && !members[y].agentUp }
        return s.declaredBy == j || now >= s.deadAt + s.delay
    }

    /// One tick of member `j`'s probe ticker: the probe in flight ends (a failure → suspect), the
    /// next one starts.
    func probeTick(_ j: Int) {
        guard members[j].agentUp else { return }
        if probeLoop!.pending[j] >= 0 {
            let x = Int(probeLoop!.pending[j])
            probeLoop!.pending[j] = -1
            if !members[x].agentUp && !holdsDead(j, x) { suspect(x, from: j) }
        }
        let n = members.count
        var checked = 0
        while checked < n {
            if probeLoop!.next[j] >= n {
                shuffle(&probeLoop!.lists[j], j)
                probeLoop!.next[j] = 0
                checked += 1
                continue
            }
            let y = Int(probeLoop!.lists[j][probeLoop!.next[j]])
            probeLoop!.next[j] += 1
            if y == j || holdsDead(j, y) { checked += 1; continue }
            probeLoop!.probes += 1
            if !members[y].agentUp { probeFails(y, prober: j) }
            break
        }
        schedule(.probeTick, at: now + config.probeInterval, IndexGeneration.pack(j, probeLoop!.tickGen[j]))
    }

    /// No ack from `y`: the prober asks up to 3 random other members it holds alive to ping it
    /// (memberlist kRandomNodes: 3·N random picks at most); their pings fail too (its host is
    /// down), so the probe fails at its deadline, the prober's next tick.
    func probeFails(_ y: Int, prober j: Int) {
        probeLoop!.failedProbes += 1
        probeLoop!.pending[j] = Int32(y)
        let n = members.count
        var helpers: [Int] = []
        var tries = 0
        while tries < 3 * n && helpers.count < 3 {
            tries += 1
            let h = stream(j).int(below: n)
            if h == j || h == y || holdsDead(j, h) || helpers.contains(h) { continue }
            helpers.append(h)
        }
        probeLoop!.indirectPings += helpers.count
    }

    /// `suspectNode` at member `s` after its own probe failed; new information is gossiped on.
    func suspect(_ x: Int, from s: Int) {
        if probeLoop!.suspicion[x] == nil {
            let n = poolSize
            let b = suspicionBounds(members: n)
            probeLoop!.suspicion[x] = ExactGossip.Suspicion(
                k: b.k, min: b.min, max: b.max, delay: gossipDelay(members: n),
                start: [SimTime?](repeating: nil, count: members.count), confirmedBy: [[Int32]](repeating: [], count: members.count),
                deadline: [SimTime](repeating: .distantFuture, count: members.count))
            memberSuspected(x)
        }
        guard probeLoop!.suspicion[x]!.declaredBy < 0 || !holdsDead(s, x) else { return }
        if receiveSuspect(x, at: s, from: s) {
            let e = probeLoop!.episodeGen[x]
            let arg = Self.suspectTarget.encode(x) | Self.suspectFrom.encode(s) | Self.suspectEpisode.encodeWrapping(e)
            schedule(.gossipSuspect, at: now + probeLoop!.suspicion[x]!.delay, arg)
        }
        armSuspicionTimer(x)
    }

    /// A gossiped suspect message about `x` from `s` reaches every other live member.
    func suspectArrived(_ arg: Int64) {
        let x = Self.suspectTarget.decode(arg), s = Self.suspectFrom.decode(arg)
        guard probeLoop!.suspicion[x] != nil, Self.suspectEpisode.matches(arg, probeLoop!.episodeGen[x]) else { return }
        for j in members.indices where j != s && j != x && members[j].agentUp && !holdsDead(j, x) {
            _ = receiveSuspect(x, at: j, from: s)
        }
        armSuspicionTimer(x)
    }

    /// Member `j` learns that `from` suspects `x`: starts its timer or confirms. Returns whether
    /// that was new to it.
    func receiveSuspect(_ x: Int, at j: Int, from: Int) -> Bool {
        var s = probeLoop!.suspicion[x]!
        defer { probeLoop!.suspicion[x] = s }
        guard let start = s.start[j] else {
            s.start[j] = now
            s.confirmedBy[j] = [Int32(from)]
            s.deadline[j] = now + (s.k < 1 ? s.min : s.max)
            return true
        }
        // suspicion.go Confirm: at most k confirmations, each sender once (the starter counts as none)
        guard s.k >= 1, s.confirmedBy[j].count - 1 < s.k, !s.confirmedBy[j].contains(Int32(from)) else { return false }
        s.confirmedBy[j].append(Int32(from))
        let c = s.confirmedBy[j].count - 1
        s.deadline[j] = Swift.max(now, start + Memberlist.suspicionTimeout(confirmations: c, k: s.k, min: s.min, max: s.max))
        return true
    }

    /// One event at the earliest deadline of the live members' timers.
    func armSuspicionTimer(_ x: Int) {
        guard var s = probeLoop!.suspicion[x], s.declaredBy < 0 else { return }
        var first = SimTime.distantFuture
        for j in members.indices where members[j].agentUp && s.deadline[j] < first { first = s.deadline[j] }
        s.timerGen &+= 1
        probeLoop!.suspicion[x] = s
        guard first != .distantFuture else { return }
        schedule(.suspicionTimer, at: first, IndexGeneration.pack(x, s.timerGen))
    }

    /// The first timer expired: that member declares `x` dead and gossips it; the leader's serf
    /// sees member-failed one spread later.
    func suspicionExpired(_ x: Int) {
        guard var s = probeLoop!.suspicion[x], s.declaredBy < 0,
              let j = members.indices.first(where: { members[$0].agentUp && s.deadline[$0] <= now }) else { return }
        s.declaredBy = j
        s.deadAt = now
        probeLoop!.suspicion[x] = s
        schedule(.memberDead, at: now + s.delay, IndexGeneration.pack(x, members[x].gen))
    }

    /// Host down: its ticker stops (its tick finds the agent down); the others find out by probing.
    func exactGossipHostDown(_ x: Int) {
        probeLoop!.tickGen[x] &+= 1
    }

    /// Host up: everybody holds it alive again (it refutes with a higher incarnation or rejoins),
    /// its ticker restarts after a fresh stagger at the start of a fresh list.
    func exactGossipHostUp(_ x: Int) {
        probeLoop!.suspicion[x] = nil
        probeLoop!.episodeGen[x] &+= 1
        shuffle(&probeLoop!.lists[x], x)
        probeLoop!.next[x] = 0
        startTicker(x, at: now + uniform(x, config.probeInterval))
    }

    /// Probes sent, failed and indirect pings asked so far (exact mode; nil otherwise).
    public var probeCounts: (probes: Int, failed: Int, indirect: Int)? {
        probeLoop.map { ($0.probes, $0.failedProbes, $0.indirectPings) }
    }
}
