import SimKernel

// A client agent's server (hashicorp/consul agent/router/manager.go): a client agent sends every
// RPC to one server at a time, the first of its shuffled server list (`FindServer`); it moves on
// when an RPC to it fails (`NotifyFailedServer`), when serf reports the server failed
// (agent/consul/client_serf.go `nodeFail` → `RemoveServer`) and when it rebalances (every 2-3 min
// scaled by the cluster's size, `RebalanceServers`: the list shuffled again). So at any instant
// the server a client uses is uniform among the live servers; the model draws it when it matters,
// at a server's crash, from the agent's own stream `consul-router:<host>` (its choice: the draws
// of two crashes are independent, which rebalancing makes true for crashes minutes apart).
//
// What a client sees when its server's host dies under it: the RPC connection is one yamux session
// (agent/pool/pool.go, yamux.DefaultConfig: keepalive every 30 s, a ping unanswered for 10 s
// (ConnectionWriteTimeout) closes the session). A host that loses power sends no FIN or RST, and
// serf's `nodeFail` only edits the server list: an RPC in flight, such as consul-template's
// blocking query through its agent, hangs until the keepalive's ping times out, U[10 s, 40 s)
// after the crash (the ping's phase uniform), and fails then; the agent marks the server failed
// and the client's next query goes to another server (agent/consul/client.go `RPC`: a blocking
// query started more than `rpc_hold_timeout` ago is not retried by the agent, so the HTTP client
// gets the error: consul-template retries after its back-off). A server rebooted in order (SIGTERM)
// closes its connections: the error comes at once. Only the reads of consul-template are modelled
// this way (the agents' own writes go to the servers as a whole: ConsulServices.swift).
extension ConsulCluster {
    /// yamux.DefaultConfig (hashicorp/yamux const.go / mux.go): KeepAliveInterval 30 s, ConnectionWriteTimeout 10 s.
    static let keepAliveInterval = SimDuration.seconds(30)
    static let connectionWriteTimeout = SimDuration.seconds(10)

    /// A server's host crashed: every client agent that was using it (probability 1 / the servers
    /// live until then) has its RPCs hang until its yamux keepalive fails.
    func clientsLoseServer(_ server: Int) {
        let live = liveServers + 1          // this one counted (it went down just now)
        for m in members.indices where !members[m].isServer && members[m].agentUp {
            let s = routerStream(m)
            guard s.uniform() < 1.0 / Double(live) else { continue }
            let phase = SimDuration(nanoseconds: Int64(s.uniform() * Double(Self.keepAliveInterval.nanoseconds)))
            if members[m].rpcStall == nil || members[m].rpcStall!.until <= now {
                members[m].rpcStall = (until: now + phase + Self.connectionWriteTimeout, server: server)
            }
        }
    }

    /// A crashed server's host is back: its kernel answers the clients' pings with RST, so the
    /// sessions that still hang on it fail now.
    func serverBackForClients(_ server: Int) {
        for m in members.indices where members[m].rpcStall?.server == server && members[m].rpcStall!.until > now {
            members[m].rpcStall = (until: now, server: server)
        }
    }

    func routerStream(_ m: Int) -> RandomStream { model.stream(StreamName.of("consul-router", hostName(members[m].host))) }

    /// Until when a read by a client on `host` hangs on its agent's dead server (nil: it does not).
    public func readStall(from host: Int) -> (until: SimTime, server: String)? {
        guard let m = memberOfHost[host], let s = members[m].rpcStall, s.until > now else { return nil }
        return (s.until, hostName(members[s.server].host))
    }
}
