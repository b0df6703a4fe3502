import ClusterModel
import SimKernel

// The `alertmanager` section (issue 11). Placeholder until it lands.
extension ScenarioSchema {
    static func decodeAlertmanager(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool,
                                   duration: SimDuration?, _ d: Diagnostics) -> AlertmanagerSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: alertmanagerKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        r.finish()
        return d.errorCount == before ? AlertmanagerSpec() : nil
    }

    static let alertmanagerKeys = SectionKeys("alertmanager", [])
}
