/// Marathon's assignment of the service ports an app leaves at 0 (GroupManagerActor
/// `assignDynamicServicePorts`, marathon:src/main/scala/mesosphere/marathon/core/group/impl/GroupManagerActor.scala@v1.4.0:209-282;
/// the same rule in later releases): each port 0 takes, in port order, first a service port the
/// app's previous version had in [--local_port_min, --local_port_max) that the new version does not
/// list, else the lowest port of that range no app holds. The range exhausted is Marathon's
/// PortRangeExhaustedException (the deployment is refused). With host networking and
/// `requirePorts`, the port definition's port is the host port too, so the assigned port is.
/// Marathon walks a deployment's apps in the order of a Scala `Set`; the model walks them in
/// definition order (docs/defaults-audit.md).
public enum MarathonServicePorts {
    /// Gives `app` its dynamic service ports; `taken` holds the ports no new assignment may use and
    /// receives the assigned ones. nil on success, else the exhausted range's message.
    public static func assign(_ app: inout AppDefinition, previous: AppDefinition? = nil, taken: inout Set<Int>,
                              range: Range<Int>) -> String? {
        guard app.ports.contains(where: { $0.servicePort == 0 }) else { return nil }
        let listed = Set(app.ports.map(\.servicePort))
        var reusable = (previous?.ports ?? []).map(\.servicePort).filter { range.contains($0) && !listed.contains($0) }
        var next = range.lowerBound
        for i in app.ports.indices where app.ports[i].servicePort == 0 {
            var port: Int
            if !reusable.isEmpty {
                port = reusable.removeFirst()
            } else {
                while next < range.upperBound && taken.contains(next) { next += 1 }
                guard next < range.upperBound else {
                    return "all service ports in [\(range.lowerBound), \(range.upperBound)) are taken (--local_port_min/--local_port_max; Marathon: PortRangeExhaustedException)"
                }
                port = next
            }
            taken.insert(port)
            app.ports[i].servicePort = port
            if app.networkMode == .host && app.requirePorts && app.ports[i].hostPort == 0 { app.ports[i].hostPort = port }
        }
        return nil
    }
}
