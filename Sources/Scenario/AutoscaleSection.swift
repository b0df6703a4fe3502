import ClusterModel
import SimKernel

// The `autoscale` section (issue 12). Placeholder until it lands.
extension ScenarioSchema {
    static func decodeAutoscale(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool, marathon: MarathonSpec?, _ d: Diagnostics) -> AutoscaleSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: autoscaleKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        r.finish()
        return d.errorCount == before ? AutoscaleSpec() : nil
    }

    static let autoscaleKeys = SectionKeys("autoscale", [])
}
