// A template that cannot run is an error when the scenario is read, not in the middle of a run:
// besides parsing, the template is executed twice with stand-in answers, once with one instance
// for every service and once with none, so that both branches of `range ... else` and of the
// usual `if` on an empty answer run, and every field and function is checked (`nodes`, `node`
// and `datacenters` likewise: ConsulTemplateNodes.swift).

struct ValidationData: TemplateData {
    let oneEach: Bool
    var datacenter = "dc1"
    /// The tags of the scenario's service definitions, by service name: a stand-in instance has
    /// its service's tags (and the tag its query filters on), so bodies that look at tags run.
    let tags: [String: [String]]
    func service(_ q: ServiceQuery) -> [TemplateInstance] {
        var t = tags[q.name] ?? []
        if let f = q.tag, !t.contains(f) { t.append(f) }
        let id = "node-01:\(q.name):31000"
        let checks = TemplateCheck.entry([ServiceCheckStatus(serviceCheck: false, name: "Serf Health Status", status: .passing)], node: "node-01",
                                         serviceID: id, service: q.name, tags: t)
        return oneEach ? [TemplateInstance(node: "node-01", address: "10.0.0.1", id: id, name: q.name, port: 31000, tags: t, checks: checks)] : []
    }
    func services() -> [String] { oneEach ? Array(Set(["service"] + tags.keys)).sorted() : [] }
    func serviceTags(_ name: String) -> [String] { tags[name] ?? [] }
    /// `nodes`: one stand-in node, then none; `node` (any name, or the agent's own): a node that
    /// exists in both runs, with one registration of every service, then with none (a template
    /// that reads a field of a missing node's nil `.Node` fails only when that happens in the run).
    static func standInNode(_ name: String) -> TemplateNodeInfo {
        TemplateNodeInfo(id: TemplateNodeInfo.nodeID(name), node: name, address: "10.0.0.1", datacenter: "dc1")
    }
    func nodes() -> [TemplateNodeInfo] { oneEach ? [Self.standInNode("node-01")] : [] }
    func datacenters() -> [String] { [datacenter] }
    func node(_ name: String) -> TemplateNodeDetail? {
        let n = name.isEmpty ? "node-01" : name
        let regs = oneEach ? services().map { s in
            TemplateNodeService(id: "\(n):\(s):31000", service: s, tags: tags[s] ?? [], port: 31000, address: "10.0.0.1")
        } : []
        return TemplateNodeDetail(node: Self.standInNode(n), services: regs)
    }
}

public enum TemplateValidation {
    /// The service queries the template makes (in first-use order), whether it calls
    /// `services`, and the Vault dependencies it reads outside bodies their nil answer skips; or
    /// the first execution error.
    public static func check(_ t: ParsedTemplate, inputs: TemplateInputs = TemplateInputs(), serviceTags: [String: [String]] = [:], destination: String = "")
        -> Result<(queries: [ServiceQuery], usesServices: Bool, vault: [VaultDependency]), TemplateError> {
        var queries: [ServiceQuery] = []
        var services = false
        var vault: [VaultDependency] = []
        for one in [true, false] {
            let r = TemplateRenderer(data: ValidationData(oneEach: one, datacenter: inputs.datacenter, tags: serviceTags), inputs: inputs)
            r.destination = destination
            do { _ = try r.render(t) } catch { return .failure(error) }
            for q in r.dependencies where !queries.contains(q) { queries.append(q) }
            for v in r.vaultDependencies where !vault.contains(v) { vault.append(v) }
            services = services || r.usesServices
        }
        return .success((queries, services, vault))
    }
}
