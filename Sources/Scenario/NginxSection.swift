import ClusterModel
import SimKernel

// The `nginx` section (issue 10). Placeholder until it lands.
extension ScenarioSchema {
    static func decodeNginx(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool, _ d: Diagnostics) -> NginxSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: nginxKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        r.finish()
        return d.errorCount == before ? NginxSpec() : nil
    }

    static let nginxKeys = SectionKeys("nginx", [])
}
