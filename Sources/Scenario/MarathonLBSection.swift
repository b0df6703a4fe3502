import ClusterModel
import SimKernel

// The `marathonLB` section (issue 12). Placeholder until it lands.
extension ScenarioSchema {
    static func decodeMarathonLB(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool, marathon: MarathonSpec?, _ d: Diagnostics) -> MarathonLBSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: marathonLBKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        r.finish()
        return d.errorCount == before ? MarathonLBSpec() : nil
    }

    static let marathonLBKeys = SectionKeys("marathonLB", [])
}
