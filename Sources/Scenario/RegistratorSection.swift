import ClusterModel
import SimKernel

// `consul.registrator`: registrator's command line (gliderlabs/registrator@6bfadbc registrator.go),
// as deployed (`flagsFrom`: the container's command, e.g. `docker run gliderlabs/registrator
// -cleanup -resync 30 consul://localhost:8500`, or a systemd ExecStart) or as an object of flags.
// Parsed as registrator parses it: Go's `flag` package (ContinueOnError messages, the program
// exits 2 on them) over the flags registrator.go defines, `flag.Int` values by
// strconv.ParseInt(s, 0, 64) and `flag.Bool` by strconv.ParseBool (Go 1.17, the Dockerfile's:
// "parse error", "value out of range"), then `main`'s own checks (one registry URI argument,
// -ttl with -ttl-refresh, -retry-interval > 0, -deregister "always" or "on-success") and
// bridge.New's (a known adapter scheme). Model: ClusterModel/Consul/RegistratorFlags.swift.

enum RegistratorFlagKind { case string, bool, int }

enum RegistratorFlagTable {
    /// registrator.go's flags, in its order.
    static let flags: [(name: String, kind: RegistratorFlagKind)] = [
        ("ip", .string), ("internal", .bool), ("explicit", .bool), ("useIpFromLabel", .string), ("ttl-refresh", .int), ("ttl", .int),
        ("tags", .string), ("resync", .int), ("deregister", .string), ("retry-attempts", .int), ("retry-interval", .int), ("cleanup", .bool),
    ]
    /// The adapters modules.go links in (bridge.Register: consul, consul-tls, consul-unix,
    /// consulkv, consulkv-unix, etcd, skydns2, zookeeper).
    static let adapters = ["consul", "consul-tls", "consul-unix", "consulkv", "consulkv-unix", "etcd", "skydns2", "zookeeper"]

    /// flag.Int: strconv.ParseInt(s, 0, strconv.IntSize), errors as flag's numError (Go ≥ 1.15).
    static func int(_ s: String) -> Result<Int, KingpinError> {
        switch HCLValues.parseInt(s) {
        case .success(let v): return .success(Int(v))
        case .failure(let e): return .failure(KingpinError(message: e.message.hasSuffix("value out of range") ? "value out of range" : "parse error"))
        }
    }

    /// flag.Bool: strconv.ParseBool, "parse error" otherwise.
    static func bool(_ s: String) -> Result<Bool, KingpinError> {
        KingpinParse.bool(s).mapError { _ in KingpinError(message: "parse error") }
    }

    static let usage = "Usage of registrator:\n  registrator [options] <registry URI>"

    /// Parses the words after the program; the flags set on `into`. An error is registrator's message.
    static func parse(_ words: [(word: String, location: SourceLocation?)], requireURI: Bool, into f: inout RegistratorFlags)
        -> (message: String, location: SourceLocation?)? {
        if words.count == 1, words[0].word == "--version" {
            return ("--version prints registrator's version and exits: registrator does not run", words[0].location)
        }
        let result = GoFlagSet.parse(words, lookup: { n in flags.first { $0.name == n } }, isBool: { $0.kind == .bool },
            make: { (flag, v, loc) -> Result<(String, RegistratorFlagKind, String, SourceLocation?), KingpinError> in
                switch flag.kind {
                case .bool: return bool(v).map { _ in (flag.name, flag.kind, v, loc) }
                case .int: return int(v).map { _ in (flag.name, flag.kind, v, loc) }
                case .string: return .success((flag.name, flag.kind, v, loc))
                }
            }, help: { _ in "flag: help requested (registrator prints its usage and exits 2)\n\(usage)" }, extra: { _ in "" })
        var given: [(String, RegistratorFlagKind, String, SourceLocation?)] = []
        var rest: [(word: String, location: SourceLocation?)] = []
        switch result {
        case .failure(let e):
            // Go's flag package stops at the first word that is not a flag: the arguments follow
            if e.message.isEmpty {
                // `extra` is called with the words left: re-scan to separate flags from arguments
                var i = 0
                var g: [(String, RegistratorFlagKind, String, SourceLocation?)] = []
                while i < words.count, words[i].word.hasPrefix("-"), words[i].word.utf8.count >= 2 {
                    if words[i].word == "--" { i += 1; break }
                    let s = words[i].word.drop { $0 == "-" }
                    let name = String(s.split(separator: "=", maxSplits: 1)[0])
                    let kind = flags.first { $0.name == name }!.kind
                    if s.contains("=") { g.append((name, kind, String(s.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[1]), words[i].location)); i += 1 }
                    else if kind == .bool { g.append((name, kind, "true", words[i].location)); i += 1 }
                    else { g.append((name, kind, words[i + 1].word, words[i].location)); i += 2 }
                }
                given = g
                rest = Array(words[i...])
            } else {
                return (e.message + "\n" + usage, e.location)
            }
        case .success(let g): given = g
        }
        for (name, kind, v, _) in given {
            switch (name, kind) {
            case ("ip", _): f.ip = v
            case ("internal", _): f.internal = (try? bool(v).get()) ?? false
            case ("explicit", _): f.explicit = (try? bool(v).get()) ?? false
            case ("useIpFromLabel", _): f.useIpFromLabel = v
            case ("ttl-refresh", _): f.ttlRefresh = (try? int(v).get()) ?? 0
            case ("ttl", _): f.ttl = (try? int(v).get()) ?? 0
            case ("tags", _): f.tags = v
            case ("resync", _): f.resync = (try? int(v).get()) ?? 0
            case ("deregister", _):
                guard let d = RegistratorFlags.Deregister(rawValue: v) else {
                    return ("-deregister must be \"always\" or \"on-success\" (registrator exits), got \(JSONValue.quote(v))", given.first { $0.0 == name }?.3)
                }
                f.deregister = d
            case ("retry-attempts", _): f.retryAttempts = (try? int(v).get()) ?? 0
            case ("retry-interval", _): f.retryInterval = (try? int(v).get()) ?? 0
            case ("cleanup", _): f.cleanup = (try? bool(v).get()) ?? false
            default: break
            }
        }
        if requireURI || !rest.isEmpty {
            if rest.isEmpty { return ("Missing required argument for registry URI.\n" + usage, words.last?.location) }
            if rest.count > 1 {
                return ("Extra unparsed arguments:\n  \(rest.dropFirst().map(\.word).joined(separator: " "))\nOptions should come before the registry URI argument.\n" + usage, rest[1].location)
            }
            f.registryURI = rest[0].word
        }
        // main's checks, in its order
        if (f.ttl == 0 && f.ttlRefresh > 0) || (f.ttl > 0 && f.ttlRefresh == 0) {
            return ("-ttl and -ttl-refresh must be specified together or not at all", nil)
        } else if f.ttl > 0 && f.ttl <= f.ttlRefresh {
            return ("-ttl must be greater than -ttl-refresh", nil)
        }
        if f.retryInterval <= 0 { return ("-retry-interval must be greater than 0", nil) }
        // bridge.New: url.Parse, then the adapter of the scheme
        let uri = f.registryURI
        let scheme = uri.range(of: "://").map { String(uri[..<$0.lowerBound]) } ?? (uri.contains(":") ? String(uri.split(separator: ":")[0]) : "")
        guard RegistratorFlagTable.adapters.contains(scheme) else { return ("unrecognized adapter: \(uri)", rest.first?.location) }
        guard scheme.hasPrefix("consul"), !scheme.hasPrefix("consulkv") else {
            return ("the \(scheme) adapter registers in \(scheme == "etcd" || scheme == "skydns2" ? "etcd" : scheme == "zookeeper" ? "ZooKeeper" : "Consul's KV store"), not as Consul services; the simulator models registrator's consul adapter (consul://localhost:8500)", rest.first?.location)
        }
        return nil
    }
}

extension ScenarioSchema {
    /// `consul.registrator`: `flagsFrom` (the command line as deployed) or `flags` (by name). nil after an error.
    static func decodeRegistrator(_ v: JSONValue, path: String, _ d: Diagnostics) -> RegistratorFlags? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: consulRegistratorKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        var f = RegistratorFlags()
        if r.has("flagsFrom") && r.has("flags") {
            _ = r.value("flagsFrom")
            d.error(r.keyPath("flags"), at: r.value("flags")!, "give registrator's flags once: as deployed (flagsFrom) or by name (flags)")
        } else if let fv = r.value("flagsFrom") {
            let expected = "a list of deployed sources: {\"commandLine\": \"registrator -cleanup -resync 30 consul://localhost:8500\"} or {\"environmentFile\": \"path\"}"
            if let (command, _) = deployedCommand(fv, path: r.keyPath("flagsFrom"), program: "registrator", environmentSyntax: .systemd, expected: expected, d) {
                if let c = command {
                    // the program word (`registrator`, `/bin/registrator`), or `docker run ... gliderlabs/registrator:latest`
                    // through the image (the image's entrypoint is /bin/registrator)
                    var words = Array(c.words.dropFirst())
                    if let image = dockerRunImage(c.words) { words = Array(c.words[(image + 1)...]) }
                    if let e = RegistratorFlagTable.parse(words, requireURI: true, into: &f) {
                        d.error(c.path, location: e.location ?? c.value.location, e.message)
                    }
                } else {
                    d.error(r.keyPath("flagsFrom"), at: fv, "no command line: registrator needs its registry URI argument")
                }
            }
        } else if let fv = r.value("flags") {
            guard let members = fv.objectMembers else {
                d.error(r.keyPath("flags"), at: fv, typeMismatch("an object of registrator's flags by name, like {\"cleanup\": true, \"resync\": 30}", fv))
                return nil
            }
            var words: [(word: String, location: SourceLocation?)] = []
            for m in members {
                let name = m.key.hasPrefix("-") ? String(m.key.drop { $0 == "-" }) : m.key
                let value: String
                switch m.value.kind {
                case .string(let s): value = s
                case .bool(let b): value = b ? "true" : "false"
                case .number(let n): value = n.text
                default:
                    d.error(JSONPath.key(r.keyPath("flags"), m.key), at: m.value, typeMismatch("a string, number or boolean", m.value)); continue
                }
                words.append(("-\(name)=\(value)", m.keyLocation ?? m.value.location))
            }
            if d.errorCount == before, let e = RegistratorFlagTable.parse(words, requireURI: false, into: &f) {
                d.error(r.keyPath("flags"), location: e.location ?? fv.location, e.message)
            }
        }
        r.finish()
        guard d.errorCount == before else { return nil }
        // what the model does not use (one warning each)
        if !f.ip.isEmpty { d.warning(path, at: v, "-ip \(f.ip): every registration's address would be \(f.ip); the simulator addresses a registration by its task's host (not modelled)") }
        if !f.useIpFromLabel.isEmpty { d.warning(path, at: v, "-useIpFromLabel: the address from a container label is not modelled (a registration's address is its host's)") }
        if f.ttl > 0 { d.warning(path, at: v, "-ttl \(f.ttl) -ttl-refresh \(f.ttlRefresh): the consul adapter's Refresh does nothing and its Register passes no TTL (consul/consul.go): no effect on Consul") }
        if f.retryAttempts != 0 || f.retryInterval != 2000 {
            d.warning(path, at: v, "-retry-attempts/-retry-interval: registrator's Ping of Consul at start; the simulator starts registrator with its host's agent, so the first ping answers (not modelled)")
        }
        if f.tags.contains("{{") { d.warning(path, at: v, "-tags \(JSONValue.quote(f.tags)) is a Go template executed on each container's inspect data; the simulator does not evaluate it: no tag is added") }
        if f.internal { d.warning(path, at: v, "-internal: registrations carry the exposed (container) port, also of ports not published; their address, the container's IP, is not modelled (the host's)") }
        return f
    }

    /// The index of the image in a `docker run` command line (`docker run -d --net=host -v
    /// /var/run/docker.sock:/tmp/docker.sock gliderlabs/registrator:latest ...`): the words after it are registrator's.
    static func dockerRunImage(_ words: [(word: String, location: SourceLocation?)]) -> Int? {
        guard words.count > 1, words[0].word.hasSuffix("docker"), words.contains(where: { $0.word == "run" }) else { return nil }
        return words.firstIndex { $0.word.contains("registrator") && !$0.word.hasPrefix("-") && !$0.word.contains(":/") && !$0.word.contains("docker.sock") }
    }

    static let consulRegistratorKeys = SectionKeys("consul.registrator", [
        KeySpec("flagsFrom", "array", default: "none", allowed: "`{\"commandLine\": \"registrator -cleanup -resync 30 consul://localhost:8500\"}` (split as sh splits it, or its words; the program words before the first flag are skipped, and a `docker run ... gliderlabs/registrator` prefix with them) and `{\"environmentFile\": \"path\"}` (its variables expand in the command line). Not together with `flags`.",
                meaning: "Registrator's command line as deployed, parsed as registrator.go parses it (Go's flag package): a flag registrator does not define, a bad value, a missing or second registry URI, `-ttl` without `-ttl-refresh`, `-deregister` other than `always`/`on-success`, `-retry-interval` <= 0 and an adapter other than consul are errors, as the binary exits on them. See docs/consul.md \"Registrator as a process\".",
                source: "gliderlabs/registrator@6bfadbc registrator.go `main`, bridge/bridge.go `New`"),
        KeySpec("flags", "object", default: "registrator's defaults", allowed: "Registrator's flags by name (`{\"cleanup\": true, \"resync\": 30, \"deregister\": \"on-success\"}`; strings, numbers or booleans), checked as the command line's are; the registry URI is consul://localhost:8500.",
                meaning: "Registrator's flags: `-deregister`, `-resync`, `-cleanup`, `-explicit`, `-tags`, `-internal` are modelled; `-ip`, `-useIpFromLabel`, `-ttl`, `-ttl-refresh`, `-retry-attempts`, `-retry-interval` load with a warning.",
                source: "gliderlabs/registrator@6bfadbc registrator.go (flag defaults: -deregister always, -resync 0, -retry-interval 2000, the rest empty/0/false)"),
    ])
}
