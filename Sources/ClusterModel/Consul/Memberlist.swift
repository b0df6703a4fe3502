import Glibc
import SimKernel

/// The timing rules of hashicorp/memberlist's failure detector (SWIM with Lifeguard), as pure
/// functions, so the pool computes when a dead member is noticed instead of simulating probes.
///
/// - state.go `probe`/`probeNode`: every ProbeInterval a member probes the next member of its
///   shuffled round-robin list (the list is reshuffled when a round ends); no ack within the
///   probe interval (direct ping, 3 indirect pings, TCP fallback) → `suspectNode` at the end of it.
/// - suspicion.go: a suspicion timer starts at `max` and shrinks with each independent
///   confirmation (a suspect message from another member) to
///   `max − (max − min)·ln(c+1)/ln(k+1)`, never below `min`; expiry → dead (serf member-failed).
/// - util.go `suspicionTimeout`: `min = SuspicionMult · max(1, log10(max(1, N))) · ProbeInterval`
///   (node scale kept to the millisecond as memberlist does), `max = 6 · min`
///   (SuspicionMaxTimeoutMult); `k = SuspicionMult − 2`, 0 when N − 2 < k (state.go suspectNode).
public enum Memberlist {
    public static let suspicionMaxTimeoutMult: Int64 = 6

    /// `min` of the suspicion timer for a pool of `n` members.
    public static func suspicionMin(mult: Int, members n: Int, probeInterval: SimDuration) -> SimDuration {
        let nodeScale = max(1.0, log10(max(1.0, Double(n))))
        let scaledMs = Int64(nodeScale * 1000)
        return SimDuration(nanoseconds: Int64(mult) * scaledMs * probeInterval.nanoseconds / 1000)
    }

    /// Expected independent confirmations `k`.
    public static func expectedConfirmations(mult: Int, members n: Int) -> Int {
        let k = mult - 2
        return n - 2 < k ? 0 : max(0, k)
    }

    /// Suspicion timeout (from the start of the suspicion) after `c` confirmations.
    public static func suspicionTimeout(confirmations c: Int, k: Int, min: SimDuration, max: SimDuration) -> SimDuration {
        if k < 1 { return min }
        let frac = log(Double(c) + 1) / log(Double(k) + 1)
        let raw = max.seconds - frac * (max.seconds - min.seconds)
        // suspicion.go remainingSuspicionTime: floored to the millisecond, never below min
        let ms = SimDuration.milliseconds(Int64((1000 * raw).rounded(.down)))
        return ms < min ? min : ms
    }

    /// Probe ticks (0 = the member's next tick) until a member whose round-robin list has `length`
    /// entries probes a given one: its place in the current round is drawn (uniform), the target's
    /// too; a target already passed this round waits for the next round, at a fresh place.
    public static func ticksUntilProbe(listLength length: Int, _ r: RandomStream) -> Int {
        guard length > 1 else { return 0 }
        let current = r.int(below: length)
        let target = r.int(below: length)
        if target >= current { return target - current }
        return (length - current) + r.int(below: length)
    }

    /// When the first suspector's timer declares the member dead, given the times the probers'
    /// suspicions start (sorted ascending, the first is the suspector's own) and the time a
    /// suspect message takes to reach it. Returns nil when nobody suspects.
    public static func deadTime(suspectTimes s: [SimTime], gossipDelay: SimDuration, k: Int,
                                min: SimDuration, max: SimDuration) -> SimTime? {
        guard let start = s.first else { return nil }
        var deadline = start + (k < 1 ? min : max)
        var c = 0
        for t in s.dropFirst() where c < k {
            let arrival = t + gossipDelay
            if arrival >= deadline { break }
            c += 1
            deadline = Swift.max(arrival, start + suspicionTimeout(confirmations: c, k: k, min: min, max: max))
        }
        return deadline
    }

    /// Rounds for a gossip message to reach every member: the epidemic spreads to `gossipNodes`
    /// new members per member and GossipInterval, so ⌈log(N)/log(gossipNodes+1)⌉ rounds.
    public static func gossipRounds(members n: Int, gossipNodes: Int) -> Int {
        guard n > 1 else { return 0 }
        return Int((log(Double(n)) / log(Double(Swift.max(1, gossipNodes)) + 1)).rounded(.up))
    }

    /// Anti-entropy scale factor (agent/ae/ae.go `scaleFactor`): 1 up to 128 nodes, then
    /// ⌈log2(N) − log2(128)⌉ + 1.
    public static func aeScaleFactor(nodes n: Int) -> Int {
        guard n > 128 else { return 1 }
        return Int((log2(Double(n)) - log2(128.0)).rounded(.up)) + 1
    }
}
