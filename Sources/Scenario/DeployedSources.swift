import ClusterModel

// The parts every `flagsFrom` list shares (marathon-lb's, dockerd's): its elements, each an object
// with one key naming the kind of source, environment files first (a command line's `$VAR`
// expands from them, as systemd's EnvironmentFile= and the wrappers' sourcing do before the
// program starts); and an environment file read into the variables.

extension ScenarioSchema {
    static func deployedSources(_ v: JSONValue, path: String, kinds: [String], expected: String, _ d: Diagnostics)
        -> [(index: Int, key: String, value: JSONValue, path: String)]? {
        guard let list = v.arrayValue else { d.error(path, at: v, typeMismatch(expected, v)); return nil }
        let order = list.enumerated().sorted {
            ($0.element.objectMembers?.first?.key == "environmentFile" ? 0 : 1, $0.offset) < ($1.element.objectMembers?.first?.key == "environmentFile" ? 0 : 1, $1.offset)
        }
        var out: [(index: Int, key: String, value: JSONValue, path: String)] = []
        for (i, e) in order {
            let ep = JSONPath.index(path, i)
            guard let members = e.objectMembers, members.count == 1, let m = members.first, kinds.contains(m.key) else {
                let keys = e.objectMembers?.map(\.key) ?? []
                let unknown = keys.first { !kinds.contains($0) }
                d.error(ep, at: e, unknown.map { "unknown key \(JSONValue.quote($0))\(Suggest.didYouMean($0, among: kinds)); \(expected)" }
                        ?? (keys.count > 1 ? "one source per element; \(expected)" : typeMismatch(expected, e)))
                continue
            }
            out.append((i, m.key, m.value, JSONPath.key(ep, m.key)))
        }
        return out
    }

    /// `{"environmentFile": "path"}`: its assignments, added to `variables`; nil after an error.
    static func readEnvironmentFile(_ value: JSONValue, path mp: String, variables: inout [String: String], budget: inout Int,
                                    _ d: Diagnostics) -> [EnvironmentAssignment]? {
        guard let rel = value.stringValue else { d.error(mp, at: value, typeMismatch("a file of shell assignments, relative to the scenario's folder", value)); return nil }
        guard let f = deployedPath(rel, path: mp, at: value, folder: false, d),
              let text = readDeployedText(f.real, display: f.display, path: mp, at: value, budget: &budget, d) else { return nil }
        switch EnvironmentFileParser.parse(text, file: f.display, variables: &variables, warn: { d.warning(mp, location: $0, $1) }) {
        case .failure(let e): d.error(mp, location: e.location, e.message); return nil
        case .success(let assigned): return assigned
        }
    }
}
