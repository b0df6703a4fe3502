// Names of random streams (`RandomStream(seed:name:)`): the name is hashed (FNV-1a) into the
// stream's seed, so a name is part of the results. One style for new code:
//
//     <subsystem>:<component>          "agent:slave-07", "mesos:allocator", "consul:server-2"
//
// built with `StreamName.of`. Streams named before this rule keep their names byte for byte,
// because a new name means new draws and new golden results: "marathon/offer-matcher",
// "marathon/kill-selection", "network/experiments", "fault[<i>]", "task:<name>#<k>", "ceph",
// "bench/flows" (see docs/engine.md).
public enum StreamName {
    /// `<subsystem>:<component>`.
    @inlinable public static func of(_ subsystem: String, _ component: String) -> String { subsystem + ":" + component }
}
