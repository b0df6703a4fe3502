import ClusterModel
import SimKernel

// The `traffic` section (issue 10). Placeholder until it lands.
extension ScenarioSchema {
    static func decodeTraffic(_ v: JSONValue, path: String, marathon: MarathonSpec?, nginx: NginxSpec?, duration: SimDuration?, _ d: Diagnostics) -> TrafficSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: trafficKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        r.finish()
        return d.errorCount == before ? TrafficSpec() : nil
    }

    static let trafficKeys = SectionKeys("traffic", [])
}
