import ClusterModel
import SimKernel

// The `consulTemplate` section (issue 10). Placeholder until it lands.
extension ScenarioSchema {
    static func decodeConsulTemplate(_ v: JSONValue, path: String, consul: ConsulSpec?, nginx: NginxSpec?, _ d: Diagnostics) -> ConsulTemplateSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: consulTemplateKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        r.finish()
        return d.errorCount == before ? ConsulTemplateSpec() : nil
    }

    static let consulTemplateKeys = SectionKeys("consulTemplate", [])
}
