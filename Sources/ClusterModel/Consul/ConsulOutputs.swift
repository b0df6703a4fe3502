import SimKernel

// What Consul writes into a results folder: consul.csv and its headline figures.

extension ConsulCluster {
    public static let outputs = SubsystemOutputs(
        tables: [consulTable],
        plots: [
            SubsystemPlot(file: "consul_members", title: "Consul LAN pool: members alive, suspected and failed", ylabel: "members",
                          source: "consul.csv",
                          columns: [("members_alive", "alive"), ("members_suspect", "suspect"), ("members_failed", "failed")]),
            SubsystemPlot(file: "consul_services", title: "Consul service instances by catalog health (node's serfHealth included)",
                          ylabel: "service instances", source: "consul.csv",
                          columns: [("services_passing", "passing"), ("services_warning", "warning"), ("services_critical", "critical")]),
        ],
        headline: [
            ("consul_detections", "member failures detected by the LAN pool (serf member-failed after the suspicion timer), count"),
            ("consul_detection_mean_s", "mean seconds from a member's host going down to its member-failed (empty without detections)"),
            ("consul_detection_max_s", "longest of those, seconds (empty without detections)"),
            ("consul_leader_elections", "Raft leader elections won by a Consul server (the first one included)"),
        ],
        headlineIntro: "With a `consul` section the headline ends with Consul's figures (see docs/consul.md).",
        headlineNotes: "Consul's figures are defined by rows of events.csv: `consul_detections` counts the `consulMemberFailed` rows, "
            + "whose detail is the seconds since the member's host went down (mean and max over them); `consul_leader_elections` counts the "
            + "`consulLeaderElected` rows. summary.json gets a `consul` object whose `detections` array has, per member failure, "
            + "`node` (the host), `down_at_s`, `failed_at_s` (its `consulMemberFailed` row) and `detection_s`.",
        detailsKey: "consul")

    static let consulTable = SubsystemTable(
        of: ConsulCluster.self, file: "consul.csv", when: "when the scenario has a `consul` section",
        columns: [
            ("time_s", "simulated time of the sample, seconds"),
            ("members_alive", "LAN members alive (serf: alive)"),
            ("members_suspect", "LAN members suspected by the failure detector, not yet declared dead"),
            ("members_failed", "LAN members declared dead (serf: failed), not yet reaped"),
            ("services_passing", "registered service instances in the servers' catalog whose checks, node serfHealth included, all pass"),
            ("services_warning", "instances with a warning check and no critical one"),
            ("services_critical", "instances with a critical check or a critical node serfHealth"),
            ("leader", "host of the Raft leader among the Consul servers; empty while there is none"),
            ("raft_term", "Raft term of the last elected leader (0 before the first election)"),
        ]) { c, time, w in
            w.field(time)
            w.field(c.membersAlive); w.field(c.membersSuspect); w.field(c.membersFailed)
            let s = c.serviceCounts()
            w.field(s.passing); w.field(s.warning); w.field(s.critical)
            w.field(c.leader.map { c.hostName(c.members[c.serverMembers[$0]].host) } ?? "")
            w.field(c.term)
            w.endRow()
        }

    public func headline() -> [HeadlineFigure] {
        let secs = detections.map(\.seconds)
        let mean: HeadlineFigure.Value = secs.isEmpty ? .none : .number(secs.reduce(0, +) / Double(secs.count), decimals: 3)
        let maxV: HeadlineFigure.Value = secs.isEmpty ? .none : .number(secs.max()!, decimals: 3)
        return [HeadlineFigure("consul_detections", .int(Int64(detections.count))),
                HeadlineFigure("consul_detection_mean_s", mean),
                HeadlineFigure("consul_detection_max_s", maxV),
                HeadlineFigure("consul_leader_elections", .int(Int64(elections)))]
    }

    /// `detections`: each member failure the pool detected, in order.
    public func details() -> [(key: String, value: DetailValue)] {
        [(key: "detections", value: .array(detections.map { d in
            .object([(key: "node", value: .text(hostName(d.host))), (key: "down_at_s", value: .seconds(d.downAt)),
                     (key: "failed_at_s", value: .seconds(d.failedAt)), (key: "detection_s", value: .number(d.seconds, decimals: 3))])
        }))]
    }

    /// The leader's host name, nil while there is none.
    public var leaderHost: String? { leader.map { hostName(members[serverMembers[$0]].host) } }
}
