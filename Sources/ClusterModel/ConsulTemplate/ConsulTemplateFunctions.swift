import SimKernel

// consul-template's functions that read something besides the catalog (hashicorp/consul-template
// template/funcs.go): Consul's KV store (`key`, `keyExists`, `keyOrDefault`, `ls`, `safeLs`,
// `tree`, `safeTree`), the environment (`env`, `envOrDefault`, `mustEnv`), the clock
// (`timestamp`), and the groupings of answers `byTag`, `byKey`, `explode` and `explodeMap`. The KV store and the
// environment are the scenario's (`TemplateInputs`); `consulKV` actions change the store during a run.
//
// - `key` of a key that does not exist blocks the template (KVGetQuery EnableBlocking: the view
//   keeps waiting for a non-nil answer), so the template is not rendered; `keyOrDefault` gives its
//   default; `ls`/`tree` of an empty prefix answer nothing, `safeLs`/`safeTree` block.
// - `timestamp` is the render's simulated time from `TemplateInputs.baseMs` (a Go layout, UTC, or
//   `"unix"`), so it is deterministic.
// - `secret`, `secrets`, `pkiCert` (Vault): VaultFunctions.swift.
// - Functions that need what the simulator does not have (Nomad, Connect, files and
//   plugins of the host, other datacenters' catalogs) are refused when the template is read.

extension TemplateFunctions {
    static let consulNames: Set<String> = ["service", "services", "key", "keyExists", "keyOrDefault", "ls", "safeLs", "tree", "safeTree",
                                           "env", "envOrDefault", "mustEnv", "timestamp", "byTag", "byKey", "explode", "explodeMap", "scratch",
                                           "node", "nodes", "datacenters", "executeTemplate"]

    /// Names consul-template defines that the simulator refuses, with the reason.
    static let refused: [String: String] = {
        var r: [String: String] = [:]
        for n in ["nomadServices", "nomadService", "nomadVarList", "nomadVarListSafe", "nomadVar", "nomadVarExists"] {
            r[n] = "reads Nomad, which the simulator does not model"
        }
        for n in ["connect", "caRoots", "caLeaf"] { r[n] = "reads Consul Connect (service mesh), which the simulator does not model" }
        for n in ["partitions", "peerings", "exportedServices", "importedServices", "byMeta", "byPort"] {
            r[n] = "reads Consul's partitions, peerings or metadata, which the simulated catalog does not hold (service, services, nodes, node, datacenters and the KV store are modelled)"
        }
        for n in ["file", "writeToFile", "plugin", "sockaddr", "parseYAML", "toYAML", "toTOML",
                  "mergeMap", "mergeMapWithOverride", "splitToMap", "spew_dump", "spew_printf", "spew_sdump", "spew_sprintf"] {
            r[n] = "is not modelled by the simulator (it reads the host, runs a program, or needs a value type the simulated templates do not have)"
        }
        for n in ["md5sum", "sha256Hex", "hmacSHA256Hex"] { r[n] = "computes a cryptographic hash, which the simulator does not implement" }
        r["sprig_*"] = "is one of the Masterminds/sprig functions consul-template adds as sprig_*, which the simulator does not implement"
        return r
    }()
}

extension TemplateRenderer {
    /// A KV path as consul-template reads it (dependency.go keyRe/prefixRe: one leading "/" dropped).
    func kvPath(_ f: String, _ v: TemplateValue) throws(TemplateError) -> String {
        var s = Substring(try string(f, v))
        if s.first == "/" { s = s.dropFirst() }
        // dependency/kv_get.go keyRe: `key@dc`; the agent's own datacenter is the same store
        if let at = s.firstIndex(of: "@"), !s.contains("?") {
            try checkDatacenter(f, String(s), s[s.index(after: at)...])
            s = s[..<at]
        }
        if s.contains("@") || s.contains("?") { throw TemplateError(line: line, "\(f) \"\(s)\": other datacenters (@dc) and query parameters are not modelled") }
        return String(s)
    }

    /// The keys under `prefix` (Consul's list: a byte prefix), as ls/tree see them.
    func kvList(_ prefix: String) -> [TemplateKeyPair] {
        var out: [TemplateKeyPair] = []
        for (k, v) in inputs.kv where k.hasPrefix(prefix) {
            var rel = Substring(k.dropFirst(prefix.count))
            while rel.first == "/" { rel = rel.dropFirst() }
            out.append(TemplateKeyPair(path: k, key: String(rel), value: v))
        }
        return out
    }

    func block(_ what: String) {
        if blockedOn == nil { blockedOn = what }
        noteImpureRead()
    }

    func consulCall(_ f: String, _ args: [TemplateValue]) throws(TemplateError) -> TemplateValue? {
        switch f {
        case "key":
            try arity(f, args, 1...1)
            let p = try kvPath(f, args[0])
            if p.isEmpty { return .string("") }
            noteKVRead(p, prefix: false)
            guard let v = inputs.value(p) else { block("key \"\(p)\""); return .string("") }
            return .string(v)
        case "keyExists":
            try arity(f, args, 1...1)
            let p = try kvPath(f, args[0])
            noteKVRead(p, prefix: false)
            return .bool(inputs.value(p) != nil)
        case "keyOrDefault":
            try arity(f, args, 2...2)
            let p = try kvPath(f, args[0]), d = try string(f, args[1])
            noteKVRead(p, prefix: false)
            guard let v = inputs.value(p), !v.isEmpty else { return .string(d) }
            return .string(v)
        case "ls", "safeLs", "tree", "safeTree":
            try arity(f, args, 1...1)
            let p = try kvPath(f, args[0])
            if p.isEmpty { return .list([]) }
            noteKVRead(p, prefix: true)
            // ls: top-level keys only; tree: every key whose last segment is not empty
            let isLs = f == "ls" || f == "safeLs"
            let pairs = kvList(p).filter { isLs ? !$0.key.isEmpty && !$0.key.contains("/") : !$0.key.isEmpty && !$0.key.hasSuffix("/") }
            if pairs.isEmpty && f.hasPrefix("safe") { block("\(f) \"\(p)\"") }
            return .list(pairs.map { .keyPair($0) })
        case "env", "mustEnv":
            try arity(f, args, 1...1)
            let n = try string(f, args[0])
            guard let v = inputs.environment[n] else {
                if f == "mustEnv" { throw TemplateError(line: line, "error calling mustEnv: environment variable \(n) not set") }
                return .string("")
            }
            return .string(v)
        case "envOrDefault":
            try arity(f, args, 2...2)
            let v = inputs.environment[try string(f, args[0])] ?? ""
            return .string(v.isEmpty ? try string(f, args[1]) : v)
        case "scratch":
            try arity(f, args, 0...0)
            return .scratch
        case "executeTemplate":
            // template/funcs.go executeTemplateFunc (1deacb7): runs a `define`d template of the file
            // into a buffer (t.ExecuteTemplate) and gives its text; a second argument is its dot (none: nil)
            try arity(f, args, 1...64)
            guard args.count <= 2 else {
                throw TemplateError(line: line, "error calling executeTemplate: executeTemplate: wrong number of arguments, expected 1 or 2, but got \(args.count)")
            }
            let name = try string(f, args[0])
            guard let body = definitions[name] else {
                throw TemplateError(line: line, "error calling executeTemplate: template: no template \"\(name)\" associated with template \"\"")
            }
            let dot = args.count == 2 ? args[1] : .none
            let saved = output, savedBase = frameBase
            output = []
            frameBase = variables.count
            variables.append(("$", dot))
            defer { variables.removeSubrange(frameBase...); frameBase = savedBase }
            try run(body, dot: dot)
            let text = String(decoding: output, as: UTF8.self)
            output = saved
            return .string(text)
        case "timestamp":
            try arity(f, args, 0...1)
            noteImpureRead()
            let nanos = inputs.baseMs * 1_000_000 + now.nanoseconds
            let secs = nanos >= 0 ? nanos / 1_000_000_000 : (nanos - 999_999_999) / 1_000_000_000
            let layout = args.isEmpty ? "2006-01-02T15:04:05Z07:00" : try string(f, args[0])
            if layout == "unix" { return .string(String(secs)) }
            return .string(GoTimeLayout.format(layout, unixNanos: nanos))
        case "byTag":
            try arity(f, args, 1...1)
            guard case .list(let l) = args[0] else {
                if case .none = args[0] { return .map(TemplateMap([])) }
                throw TemplateError(line: line, "error calling byTag: byTag: wrong argument type \(args[0].typeName)")
            }
            var groups: [String: [TemplateValue]] = [:]
            for x in l {
                let tags: [String]
                switch x {
                case .instance(let i): tags = i.tags
                case .catalogService(_, let t): tags = t
                default: throw TemplateError(line: line, "error calling byTag: byTag: wrong argument type []\(x.typeName)")
                }
                for t in tags { groups[t, default: []].append(x) }
            }
            return .map(TemplateMap(groups.map { ($0.key, .list($0.value)) }))
        case "byKey":
            try arity(f, args, 1...1)
            guard case .list(let l) = args[0] else { throw TemplateError(line: line, "byKey: expected the answer of ls or tree, got \(args[0].typeName)") }
            var groups: [String: [(String, TemplateValue)]] = [:]
            for x in l {
                guard case .keyPair(var p) = x else { throw TemplateError(line: line, "byKey: expected the answer of ls or tree, got []\(x.typeName)") }
                let parts = p.key.split(separator: "/", omittingEmptySubsequences: false)
                let rest = parts.dropFirst().joined(separator: "/")
                if rest.isEmpty { continue }
                p.key = rest
                groups[String(parts[0]), default: []].append((rest, .keyPair(p)))
            }
            return .map(TemplateMap(groups.map { ($0.key, .map(TemplateMap($0.value))) }))
        case "explode":
            try arity(f, args, 1...1)
            let pairs: [TemplateValue]
            switch args[0] {
            case .none: pairs = []
            case .list(let l): pairs = l
            default: throw TemplateError(line: line, "wrong type for value; expected []*dependency.KeyPair; got \(args[0].typeName)")
            }
            return .map(try explode(f, pairs.map { x throws(TemplateError) -> (String, TemplateValue) in
                guard case .keyPair(let p) = x else {
                    throw TemplateError(line: line, "wrong type for value; expected []*dependency.KeyPair; got []\(x.typeName)")
                }
                return (p.key, .string(p.value))
            }))
        case "explodeMap":
            try arity(f, args, 1...1)
            switch args[0] {
            case .none: return .map(TemplateMap([]))
            case .map(let m) where !m.stringValued: return .map(try explode(f, Array(zip(m.keys, m.values))))
            case .map: throw TemplateError(line: line, "wrong type for value; expected map[string]interface {}; got map[string]string")
            default: throw TemplateError(line: line, "wrong type for value; expected map[string]interface {}; got \(args[0].typeName)")
            }
        default:
            return nil
        }
    }

    /// consul-template's `explode` and `explodeMap` (template/funcs.go `explode`, `explodeMap`,
    /// `explodeHelper` at 1deacb7): key/value pairs (`ls`'s or `tree`'s, in Consul's key order; a
    /// map's, its keys sorted) as a nested map: each "/" of a key goes one map down, the last part
    /// takes the value (a later pair overwrites it, also a map made for an earlier one); a part that
    /// already holds a value where a map is needed is the error `not a map: "<key>": "<part>"
    /// already has value "<value>"`, with the key as it stood one depth up (explodeHelper's `p`).
    /// nil (an unset variable) is an empty map, as Go passes a nil slice or map.
    func explode(_ f: String, _ pairs: [(String, TemplateValue)]) throws(TemplateError) -> TemplateMap {
        final class Node { var entries: [String: Entry] = [:] }
        enum Entry { case value(TemplateValue), map(Node) }
        let root = Node()
        for (key, value) in pairs {
            var node = root, k = Substring(key), p = Substring(key)
            while let slash = k.firstIndex(of: "/") {
                let top = String(k[..<slash]), rest = k[k.index(after: slash)...]
                switch node.entries[top] {
                case .map(let n): node = n
                case .value(let old):
                    throw TemplateError(line: line, "error calling \(f): \(f): not a map: \(PromHash.goQuote(String(p))): \(PromHash.goQuote(top)) already has value \(Self.goQ(old))")
                case nil:
                    let n = Node(); node.entries[top] = .map(n); node = n
                }
                p = k; k = rest
            }
            if !k.isEmpty { node.entries[String(k)] = .value(value) }
        }
        func freeze(_ n: Node) -> TemplateMap {
            TemplateMap(n.entries.map { e -> (String, TemplateValue) in
                switch e.value {
                case .value(let v): return (e.key, v)
                case .map(let m): return (e.key, .map(freeze(m)))
                }
            })
        }
        return freeze(root)
    }

    /// fmt's `%q` of an interface value: a string quoted; anything else is fmt's bad-verb form.
    static func goQ(_ v: TemplateValue) -> String {
        switch v {
        case .string(let s): return PromHash.goQuote(s)
        case .float(let d): return "%!q(float64=\(d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)))"
        case .bool(let b): return "%!q(bool=\(b))"
        case .none: return "%!q(<nil>)"
        default: return "%!q(\(v.typeName))"
        }
    }

    /// The methods of consul-template's Scratch (template/scratch.go): a key-value pad that
    /// funcMap creates afresh for every execution of the template, so nothing survives a render.
    /// A body that calls one is executed at every render (its effect or answer is not its own).
    func scratchCall(_ m: String, _ args: [TemplateValue]) throws(TemplateError) -> TemplateValue {
        noteImpureRead()
        func key(_ n: ClosedRange<Int>) throws(TemplateError) -> String {
            try arity(m, args, n)
            return try string(m, args[0])
        }
        switch m {
        case "Key": return .bool(scratch[try key(1...1)] != nil)
        case "Get": return scratch[try key(1...1)] ?? .none
        case "Set": scratch[try key(2...2)] = args[1]; return .string("")
        case "SetX":
            let k = try key(2...2)
            if scratch[k] == nil { scratch[k] = args[1] }
            return .string("")
        case "MapSet", "MapSetX":
            let k = try key(3...3), mk = try string(m, args[1])
            var pairs: [(String, TemplateValue)] = []
            switch scratch[k] {
            case nil: break
            case .map(let old)?: pairs = Array(zip(old.keys, old.values))
            default: throw TemplateError(line: line, "error calling \(m): \"\(k)\" is not a map")
            }
            if m == "MapSet" || !pairs.contains(where: { $0.0 == mk }) {
                pairs.removeAll { $0.0 == mk }
                pairs.append((mk, args[2]))
            }
            scratch[k] = .map(TemplateMap(pairs))
            return .string("")
        case "MapValues":
            // sorted by map key; a missing key or a value that is not a map: a nil slice
            guard case .map(let mv)? = scratch[try key(1...1)] else { return .list([]) }
            return .list(mv.values)
        default:
            throw TemplateError(line: line, "can't evaluate field \(m) in type *template.Scratch (methods: Key, Get, Set, SetX, MapSet, MapSetX, MapValues)")
        }
    }
}
