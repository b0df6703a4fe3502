import SimKernel

// consul-template's functions that read something besides the catalog (hashicorp/consul-template
// template/funcs.go): Consul's KV store (`key`, `keyExists`, `keyOrDefault`, `ls`, `safeLs`,
// `tree`, `safeTree`), the environment (`env`, `envOrDefault`, `mustEnv`), the clock
// (`timestamp`), and the groupings of answers `byTag` and `byKey`. The KV store and the
// environment are the scenario's and do not change during a run (`TemplateInputs`).
//
// - `key` of a key that does not exist blocks the template (KVGetQuery EnableBlocking: the view
//   keeps waiting for a non-nil answer), so the template is not rendered; `keyOrDefault` gives its
//   default; `ls`/`tree` of an empty prefix answer nothing, `safeLs`/`safeTree` block.
// - `timestamp` is the render's simulated time from `TemplateInputs.baseMs` (RFC 3339, UTC, or
//   `"unix"`), so it is deterministic.
// - Functions that need what the simulator does not have (Vault, Nomad, Connect, files and
//   plugins of the host, other datacenters' catalogs) are refused when the template is read.

extension TemplateFunctions {
    static let consulNames: Set<String> = ["service", "services", "key", "keyExists", "keyOrDefault", "ls", "safeLs", "tree", "safeTree",
                                           "env", "envOrDefault", "mustEnv", "timestamp", "byTag", "byKey"]

    /// Names consul-template defines that the simulator refuses, with the reason.
    static let refused: [String: String] = {
        var r: [String: String] = [:]
        for n in ["secret", "secrets", "pkiCert"] { r[n] = "reads Vault, which the simulator does not model" }
        for n in ["nomadServices", "nomadService", "nomadVarList", "nomadVarListSafe", "nomadVar", "nomadVarExists"] {
            r[n] = "reads Nomad, which the simulator does not model"
        }
        for n in ["connect", "caRoots", "caLeaf"] { r[n] = "reads Consul Connect (service mesh), which the simulator does not model" }
        for n in ["node", "nodes", "datacenters", "partitions", "peerings", "exportedServices", "importedServices", "byMeta", "byPort"] {
            r[n] = "reads Consul's node catalog, datacenters, partitions or metadata, which the simulated catalog does not hold (service, services, the KV store are modelled)"
        }
        for n in ["file", "writeToFile", "plugin", "sockaddr", "executeTemplate", "parseYAML", "toYAML", "toTOML", "explode", "explodeMap",
                  "mergeMap", "mergeMapWithOverride", "splitToMap", "scratch", "spew_dump", "spew_printf", "spew_sdump", "spew_sprintf"] {
            r[n] = "is not modelled by the simulator (it reads the host, runs a program, or needs a value type the simulated templates do not have)"
        }
        return r
    }()
}

extension TemplateRenderer {
    /// A KV path as consul-template reads it (dependency.go keyRe/prefixRe: one leading "/" dropped).
    func kvPath(_ f: String, _ v: TemplateValue) throws(TemplateError) -> String {
        var s = Substring(try string(f, v))
        if s.first == "/" { s = s.dropFirst() }
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
            guard let v = inputs.value(p) else { block("key \"\(p)\""); return .string("") }
            return .string(v)
        case "keyExists":
            try arity(f, args, 1...1)
            return .bool(inputs.value(try kvPath(f, args[0])) != nil)
        case "keyOrDefault":
            try arity(f, args, 2...2)
            let p = try kvPath(f, args[0]), d = try string(f, args[1])
            guard let v = inputs.value(p), !v.isEmpty else { return .string(d) }
            return .string(v)
        case "ls", "safeLs", "tree", "safeTree":
            try arity(f, args, 1...1)
            let p = try kvPath(f, args[0])
            if p.isEmpty { return .list([]) }
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
        case "timestamp":
            try arity(f, args, 0...1)
            noteImpureRead()
            let ms = inputs.baseMs + now.nanoseconds / 1_000_000
            let secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
            if args.isEmpty { return .string(Self.rfc3339(secs)) }
            let layout = try string(f, args[0])
            if layout == "unix" { return .string(String(secs)) }
            if layout == "2006-01-02T15:04:05Z07:00" { return .string(Self.rfc3339(secs)) }
            throw TemplateError(line: line, "timestamp \"\(layout)\": the simulator formats the default layout (RFC 3339) and \"unix\" only")
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
        default:
            return nil
        }
    }

    /// time.RFC3339 in UTC: 2017-06-01T00:00:00Z.
    static func rfc3339(_ secs: Int64) -> String {
        let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let rem = secs - days * 86_400
        let (y, m, d) = Humanize.civil(days)
        func two(_ x: Int64) -> String { x < 10 ? "0\(x)" : "\(x)" }
        return "\(y)-\(two(m))-\(two(d))T\(two(rem / 3600)):\(two(rem % 3600 / 60)):\(two(rem % 60))Z"
    }
}
