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
                                    syntax: EnvironmentFileSyntax = .sh, _ d: Diagnostics) -> [EnvironmentAssignment]? {
        guard let rel = value.stringValue else { d.error(mp, at: value, typeMismatch("a file of shell assignments, relative to the scenario's folder", value)); return nil }
        guard let f = deployedPath(rel, path: mp, at: value, folder: false, d),
              let text = readDeployedText(f.real, display: f.display, path: mp, at: value, budget: &budget, d) else { return nil }
        if syntax == .systemd {
            return EnvironmentFileParser.parseSystemd(text, file: f.display, variables: &variables, warn: { d.warning(mp, location: $0, $1) })
        }
        switch EnvironmentFileParser.parse(text, file: f.display, variables: &variables, warn: { d.warning(mp, location: $0, $1) }) {
        case .failure(let e): d.error(mp, location: e.location, e.message); return nil
        case .success(let assigned): return assigned
        }
    }
}

/// A program's command line as deployed: its words, and where it was given.
struct DeployedCommand {
    var words: [(word: String, location: SourceLocation?)]
    var path: String
    var value: JSONValue
}

/// What a source of another kind (marathon-lb's `marathonApp`) reads: the variables it sets and
/// the command line it gives (nil: none, after its error).
struct OtherSource {
    var environment: [EnvironmentAssignment] = []
    var command: [(word: String, location: SourceLocation?)]?
}

extension ScenarioSchema {
    /// A `flagsFrom` list of environment files and at most one command line of `program`
    /// (`{"commandLine": ...}`, or a source of another kind that `other` reads): the command line
    /// (nil: none given) and the environment; nil after an error.
    static func deployedCommand(_ v: JSONValue, path: String, program: String, kinds: [String] = ["commandLine", "environmentFile"],
                                environmentSyntax: EnvironmentFileSyntax, expected: String, _ d: Diagnostics,
                                other: (_ key: String, _ value: JSONValue, _ path: String, _ variables: [String: String], _ budget: inout Int) -> OtherSource = { _, _, _, _, _ in OtherSource() })
        -> (command: DeployedCommand?, environment: [EnvironmentAssignment])? {
        guard let sources = deployedSources(v, path: path, kinds: kinds, expected: expected, d) else { return nil }
        let before = d.errorCount
        var variables: [String: String] = [:]
        var environment: [EnvironmentAssignment] = []
        var command: DeployedCommand?
        var budget = 0
        for (_, key, value, mp) in sources {
            if key == "environmentFile" {
                if let a = readEnvironmentFile(value, path: mp, variables: &variables, budget: &budget, syntax: environmentSyntax, d) { environment += a }
                continue
            }
            if let c = command { d.error(mp, at: value, "a second command line; one \(program) runs one (the first is at \(c.path))"); continue }
            if key == "commandLine" {
                if let words = commandLineWords(value, path: mp, variables: variables, d) { command = DeployedCommand(words: words, path: mp, value: value) }
            } else {
                let o = other(key, value, mp, variables, &budget)
                for a in o.environment { variables[a.name] = a.value }
                environment += o.environment
                if let words = o.command { command = DeployedCommand(words: words, path: mp, value: value) }
            }
        }
        guard d.errorCount == before else { return nil }
        return (command, environment)
    }
}
