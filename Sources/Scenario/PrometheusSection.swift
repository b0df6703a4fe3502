import ClusterModel
import SimKernel

// The `prometheus` section (issue 11). Placeholder until it lands.
extension ScenarioSchema {
    static func decodePrometheus(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool,
                                 alertmanager: AlertmanagerSpec?, _ d: Diagnostics) -> PrometheusSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: prometheusKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        r.finish()
        return d.errorCount == before ? PrometheusSpec() : nil
    }

    static let prometheusKeys = SectionKeys("prometheus", [])
}
