import ClusterModel
import SimKernel

// The `consul` section (issue 10). Placeholder until it lands.
extension ScenarioSchema {
    static func decodeConsul(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool, marathon: MarathonSpec?, _ d: Diagnostics) -> ConsulSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: consulKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        r.finish()
        return d.errorCount == before ? ConsulSpec(hostGroup: hostGroups.first?.name ?? "") : nil
    }

    static let consulKeys = SectionKeys("consul", [])
}
