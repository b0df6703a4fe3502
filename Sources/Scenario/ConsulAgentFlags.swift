import ClusterModel
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Consul's agent as deployed (`consul.flagsFrom`, `consul.config` as files): `consul agent
// -config-dir=/etc/consul.d -server -bootstrap-expect=3 ...` from a systemd unit (the official
// packages' consul.service, with EnvironmentFile=/etc/consul.d/consul.env), and the .json and .hcl
// files of its configuration folder.
//
// - The flags: hashicorp/consul agent/config/flags.go `AddFlags` (read at 0e907f5a and at
//   c9b5f08d: their union, as the key table), each a flag.Value of agent/config/flagset.go
//   (boolPtrValue = strconv.ParseBool and IsBoolFlag, intPtrValue = strconv.Atoi,
//   durationPtrValue = time.ParseDuration, stringSliceValue appends, stringMapValue `key:value`),
//   parsed by Go's `flag` package (`-x`, `--x`, `-x=v`, `-x v`; a boolean takes no separate value;
//   "flag provided but not defined: -y"); words left after the flags are NewBuilder's
//   "config: Unknown extra arguments: [...]".
// - The files: agent/config/builder.go `sourcesFromPath`: a -config-file is read whatever its
//   name only with -config-format, else it must end in .json or .hcl ("file ... has unknown
//   extension; must be .hcl or .json, or config format must be set"); a -config-dir's entries are
//   read sorted by name (byName: Go's string order), symbolic links resolved, folders skipped
//   ("do not recurse into sub dirs"), other extensions skipped with Consul's warning; an empty
//   file is no source (FileSource.Parse: ErrNoData).
// - The order: the config files in the order of the -config-dir/-config-file flags, then the
//   flags' values (`flags.values`), then the -hcl fragments (newBuilder: b.Tail). Config.Merge
//   (agent/config/merge.go): a later scalar wins, a struct merges field by field. Every key the
//   simulator reads is a scalar or a struct of scalars, so reading the sources one after the
//   other into the same configuration gives Consul's merge. The scenario's own `consul.config`
//   (an object, a file, or a list of them) is read after the deployed sources: it wins, as every
//   section's own flags win over `flagsFrom` (docs/scenarios.md "Flags as deployed").

/// How a flag's value is read (agent/config/flagset.go), and what the simulator does with it.
enum ConsulFlagKind: Equatable {
    case bool, int, duration, string, slice, map
}

enum ConsulFlagTarget: Equatable {
    case datacenter, enableScriptChecks, server, bootstrap, bootstrapExpect
    case configPath, configFormat, hcl, dev
    case notModelled
}

struct ConsulAgentFlag {
    let name: String
    let kind: ConsulFlagKind
    let target: ConsulFlagTarget
}

struct ConsulGivenFlag {
    let flag: ConsulAgentFlag
    let value: String
    let location: SourceLocation?
}

enum ConsulAgentFlags {
    /// Every flag AddFlags defines (0e907f5a and c9b5f08d), in flags.go's order.
    static let table: [ConsulAgentFlag] = {
        var t: [ConsulAgentFlag] = []
        func add(_ n: String, _ k: ConsulFlagKind, _ target: ConsulFlagTarget = .notModelled) { t.append(ConsulAgentFlag(name: n, kind: k, target: target)) }
        add("advertise", .string); add("advertise-wan", .string); add("bind", .string); add("server-port", .int)
        add("bootstrap", .bool, .bootstrap); add("bootstrap-expect", .int, .bootstrapExpect); add("client", .string)
        add("check_output_max_size", .int)
        add("config-dir", .slice, .configPath); add("config-file", .slice, .configPath); add("config-format", .string, .configFormat)
        add("data-dir", .string); add("datacenter", .string, .datacenter); add("default-query-time", .duration)
        add("dev", .bool, .dev); add("disable-host-node-id", .bool); add("disable-keyring-file", .bool); add("dns-port", .int)
        add("domain", .string); add("alt-domain", .string)
        add("enable-script-checks", .bool, .enableScriptChecks); add("enable-local-script-checks", .bool)
        add("allow-write-http-from", .slice); add("encrypt", .string); add("grpc-port", .int); add("grpc-tls-port", .int)
        add("http-port", .int); add("https-port", .int); add("join", .slice); add("join-wan", .slice)
        add("log-level", .string); add("log-json", .bool); add("log-file", .string); add("log-rotate-bytes", .int)
        add("log-rotate-duration", .duration); add("log-rotate-max-files", .int); add("max-query-time", .duration)
        add("node", .string); add("node-id", .string); add("node-meta", .map); add("non-voting-server", .bool)
        add("read-replica", .bool); add("pid-file", .string); add("protocol", .int); add("raft-protocol", .int)
        add("recursor", .slice); add("primary-gateway", .slice); add("rejoin", .bool); add("auto-reload-config", .bool)
        add("retry-interval", .duration); add("retry-interval-wan", .duration); add("retry-join", .slice)
        add("retry-join-wan", .slice); add("retry-max", .int); add("retry-max-wan", .int)
        add("serf-lan-allowed-cidrs", .slice); add("serf-wan-allowed-cidrs", .slice); add("serf-lan-bind", .string)
        add("serf-lan-port", .int); add("segment", .string); add("serf-wan-bind", .string); add("serf-wan-port", .int)
        add("server", .bool, .server); add("syslog", .bool); add("ui", .bool); add("ui-content-path", .string)
        add("ui-dir", .string); add("hcl", .slice, .hcl)
        return t
    }()

    static let byName: [String: ConsulAgentFlag] = Dictionary(uniqueKeysWithValues: table.map { ($0.name, $0) })

    /// strconv.Atoi (64-bit int): digits with an optional sign.
    static func atoi(_ s: String) -> Result<Int64, KingpinError> {
        var b = Substring(s).utf8[...]
        var negative = false
        if let f = b.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { negative = f == UInt8(ascii: "-"); b = b.dropFirst() }
        guard !b.isEmpty, b.allSatisfy({ (48...57).contains($0) }) else {
            return .failure(KingpinError(message: "strconv.Atoi: parsing \(JSONValue.quote(s)): invalid syntax"))
        }
        var x: UInt64 = 0
        for c in b {
            let (m, o1) = x.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(c - 48))
            if o1 || o2 || a > UInt64(Int64.max) + (negative ? 1 : 0) {
                return .failure(KingpinError(message: "strconv.Atoi: parsing \(JSONValue.quote(s)): value out of range"))
            }
            x = a
        }
        return .success(negative ? (x == UInt64(Int64.max) + 1 ? Int64.min : -Int64(x)) : Int64(x))
    }

    /// The flag.Value's Set: nil when `value` is accepted, else its error.
    static func set(_ f: ConsulAgentFlag, _ value: String) -> KingpinError? {
        switch f.kind {
        case .string, .slice, .map: return nil
        case .bool: if case .failure(let e) = KingpinParse.bool(value) { return e }
        case .int: if case .failure(let e) = atoi(value) { return e }
        case .duration: if case .failure(let e) = KingpinParse.goDuration(value) { return e }
        }
        return nil
    }

    enum Outcome {
        case flags([ConsulGivenFlag])
        case failure(message: String, location: SourceLocation?)
    }

    /// Go's flag.FlagSet.Parse (ContinueOnError) over AddFlags' flags, then NewBuilder's check that
    /// no argument is left. `words` are the arguments after `consul agent`.
    static func parse(_ words: [(word: String, location: SourceLocation?)]) -> Outcome {
        let r = GoFlagSet.parse(words, lookup: { byName[$0] }, isBool: { $0.kind == .bool },
                                make: { f, v, loc in set(f, v).map { .failure($0) } ?? .success(ConsulGivenFlag(flag: f, value: v, location: loc)) },
                                help: { "flag: help requested (-\($0)): consul agent prints its usage and exits without running" },
                                extra: { "config: Unknown extra arguments: [\($0.joined(separator: " "))]" })
        switch r {
        case .success(let flags): return .flags(flags)
        case .failure(let e): return .failure(message: e.message, location: e.location)
        }
    }

    /// The arguments after `consul agent`: the words up to the program (`consul`,
    /// `/usr/bin/consul`, `exec consul`) are dropped; the subcommand must be `agent`.
    enum Arguments {
        case arguments([(word: String, location: SourceLocation?)])
        case failure(message: String, location: SourceLocation?)
    }

    static func agentArguments(_ words: [(word: String, location: SourceLocation?)]) -> Arguments {
        var rest = words[...]
        if let p = rest.firstIndex(where: { $0.word == "consul" || $0.word.hasSuffix("/consul") }) { rest = rest[(p + 1)...] }
        guard let sub = rest.first else {
            return .failure(message: "the command line runs no Consul subcommand; it must be `consul agent ...` (the agent reads its flags after `agent`)", location: words.last?.location)
        }
        if sub.word != "agent" {
            if sub.word.hasPrefix("-") {
                return .failure(message: "\(JSONValue.quote(sub.word)) comes before any subcommand; Consul runs its agent as `consul agent \(sub.word) ...`", location: sub.location)
            }
            return .failure(message: "`consul \(sub.word)` is not the agent; the simulator models the agent (`consul agent ...`) and its servers", location: sub.location)
        }
        return .arguments(Array(rest.dropFirst()))
    }
}

/// What the deployed sources say about the servers (Consul's `server`, `bootstrap`,
/// `bootstrap_expect`), the last source that sets each winning, with where it was set.
struct ConsulServerFacts {
    var server: (value: Bool, path: String, at: SourceLocation?)?
    var bootstrap: (value: Bool, path: String, at: SourceLocation?)?
    var bootstrapExpect: (value: Int, path: String, at: SourceLocation?)?
}

extension ScenarioSchema {
    /// Files read from a configuration folder at most (a real one holds a few).
    static let maxConsulConfigFiles = 1000

    /// Reads Consul's agent configuration from `flagsFrom` and `config`, in Consul's order, into
    /// `c`; returns what they say about the servers (nil after an error).
    static func readConsulAgentSources(config cv: JSONValue?, configPath: String, flagsFrom fv: JSONValue?, flagsPath: String,
                                       into c: inout ConsulAgentConfig, _ d: Diagnostics) -> ConsulServerFacts? {
        let before = d.errorCount
        var facts = ConsulServerFacts()
        if let fv { readConsulFlagsFrom(fv, path: flagsPath, into: &c, facts: &facts, d) }
        if let cv {
            for (v, p) in consulConfigSources(cv, path: configPath, d) ?? [] {
                decodeConsulConfig(v, path: p, into: &c, d)
                collectServerFacts(v, path: p, into: &facts, d)
            }
        }
        return d.errorCount == before ? facts : nil
    }

    /// `consul.config`: an object, a file (.json or .hcl, relative to the scenario's folder), or a
    /// list of them, in order; each with the path its errors are reported at.
    static func consulConfigSources(_ v: JSONValue, path: String, _ d: Diagnostics) -> [(JSONValue, String)]? {
        let expected = "Consul's agent configuration: an object, a .json or .hcl file relative to the scenario's folder (\"consul.d/server.hcl\"), or a list of them, merged in order"
        var budget = 0
        func file(_ e: JSONValue, _ p: String) -> [(JSONValue, String)]? {
            guard let rel = e.stringValue else { d.error(p, at: e, typeMismatch(expected, e)); return nil }
            guard let f = deployedPath(rel, path: p, at: e, folder: false, d) else { return nil }
            guard let format = consulFormat(rel, configFormat: "") else {
                d.error(p, at: e, "file \(rel) has unknown extension; must be .hcl or .json, or config format must be set (Consul reads a configuration file by its extension)"); return nil
            }
            guard let parsed = readConsulConfigFile(f.real, display: f.display, format: format, path: p, at: e, budget: &budget, d) else { return nil }
            return parsed.map { [($0, p)] } ?? []
        }
        if v.objectMembers != nil { return [(v, path)] }
        if v.stringValue != nil { return file(v, path) }
        guard let list = v.arrayValue else { d.error(path, at: v, typeMismatch(expected, v)); return nil }
        if list.isEmpty { d.error(path, at: v, "config is an empty list; give at least one configuration"); return nil }
        var out: [(JSONValue, String)] = []
        for (i, e) in list.enumerated() {
            let p = JSONPath.index(path, i)
            if e.objectMembers != nil { out.append((e, p)); continue }
            guard let s = file(e, p) else { return nil }
            out += s
        }
        return out
    }

    /// formatFromFileExtension, or the -config-format given; nil: not read.
    static func consulFormat(_ name: String, configFormat: String) -> String? {
        if !configFormat.isEmpty { return configFormat }
        if name.hasSuffix(".json") { return "json" }
        if name.hasSuffix(".hcl") { return "hcl" }
        return nil
    }

    /// One configuration file, parsed as Consul parses it (json.Unmarshal into a map, or
    /// hcl.Decode). `.some(nil)`: an empty file, which is no source; nil after an error.
    static func readConsulConfigFile(_ real: String, display: String, format: String, path p: String, at v: JSONValue,
                                     budget: inout Int, _ d: Diagnostics) -> JSONValue?? {
        guard let text = readDeployedText(real, display: display, path: p, at: v, budget: &budget, d) else { return nil }
        if text.isEmpty { return .some(nil) }
        let parsed = format == "hcl" ? HCLParser.parse(text, file: display, startDepth: 3, reader: .consul)
                                     : JSONParser.parse(text, file: display, startDepth: 3)
        for e in parsed.errors {
            d.append(ScenarioError(path: p, file: e.file ?? display, line: e.line, column: e.column, message: "failed to parse \(display): \(e.message)"))
        }
        guard let value = parsed.value, parsed.errors.isEmpty else { return nil }
        guard value.objectMembers != nil else {
            d.error(p, at: value, "failed to parse \(display): json: cannot unmarshal \(goJSONType(value)) into Go value of type map[string]interface {}"); return nil
        }
        return .some(value)
    }

    /// encoding/json's name of a JSON value's kind, as in its UnmarshalTypeError.
    static func goJSONType(_ v: JSONValue) -> String {
        switch v.kind {
        case .array: return "array"
        case .string: return "string"
        case .number: return "number"
        case .bool: return "bool"
        case .null: return "null"
        case .object: return "object"
        }
    }

    /// mapstructure's name of a decoded value's Go type (json.Unmarshal into interface{}).
    static func goDecodedType(_ v: JSONValue) -> String {
        switch v.kind {
        case .array: return "slice"
        case .string: return "string"
        case .number: return "float64"
        case .bool: return "bool"
        case .null: return "invalid"
        case .object: return "map"
        }
    }

    /// `server`, `bootstrap` and `bootstrap_expect` of one source (keys without case; a list of one
    /// element read as that element, HookWeakDecodeFromSlice), type-checked as mapstructure decodes
    /// them into *bool and *int.
    static func collectServerFacts(_ v: JSONValue, path: String, into f: inout ConsulServerFacts, _ d: Diagnostics) {
        for m in v.objectMembers ?? [] {
            let key = m.key.lowercased()
            guard ["server", "bootstrap", "bootstrap_expect"].contains(key) else { continue }
            let x = ConsulServiceFile.unslice(m.value)
            let p = JSONPath.key(path, m.key)
            if key == "bootstrap_expect" {
                guard let n = x.numberValue else {
                    d.error(p, at: x, "'bootstrap_expect' expected type 'int', got unconvertible type '\(goDecodedType(x))'"); continue
                }
                // mapstructure converts a float64 to int by truncation; out of int's range Go's
                // conversion is undefined: refused here
                guard n.double.isFinite, abs(n.double) < 9.2e18 else {
                    d.error(p, at: x, "bootstrap_expect \(n.text) is out of the range of Go's int (Consul decodes it into an int)"); continue
                }
                f.bootstrapExpect = (Int(n.double.rounded(.towardZero)), p, x.location)
            } else {
                guard let b = x.boolValue else {
                    d.error(p, at: x, "'\(key)' expected type 'bool', got unconvertible type '\(goDecodedType(x))'"); continue
                }
                if key == "server" { f.server = (b, p, x.location) } else { f.bootstrap = (b, p, x.location) }
            }
        }
    }

    /// `consul.flagsFrom`: environment files, one command line, the deployed machine's `/`.
    static func readConsulFlagsFrom(_ v: JSONValue, path: String, into c: inout ConsulAgentConfig, facts: inout ConsulServerFacts, _ d: Diagnostics) {
        let expected = "a list of deployed sources: {\"commandLine\": \"consul agent -config-dir=/etc/consul.d\"}, {\"environmentFile\": \"path\"} or {\"root\": \"folder\"} (the deployed machine's /, where -config-dir and -config-file are read)"
        // as deployedCommand reads its list (environment files first), with the root beside it
        guard let sources = deployedSources(v, path: path, kinds: ["commandLine", "environmentFile", "root"], expected: expected, d) else { return }
        let before0 = d.errorCount
        var variables: [String: String] = [:]
        var budget0 = 0
        var command: DeployedCommand?
        var root: FlagRoot?
        var rootPath: String?
        for (_, key, value, mp) in sources {
            switch key {
            case "environmentFile": _ = readEnvironmentFile(value, path: mp, variables: &variables, budget: &budget0, syntax: .systemd, d)
            case "root":
                if let first = rootPath { d.error(mp, at: value, "a second root; one list has one deployed machine's / (the first is \(first))"); continue }
                rootPath = mp
                guard let rel = value.stringValue else {
                    d.error(mp, at: value, typeMismatch("a folder holding the deployed machine's files as under its / (etc/consul.d/...), relative to the scenario's folder", value)); continue
                }
                root = deployedPath(rel, path: mp, at: value, folder: true, d)
            default:
                if let c = command { d.error(mp, at: value, "a second command line; one Consul agent runs one (the first is at \(c.path))"); continue }
                if let words = commandLineWords(value, path: mp, variables: variables, d) { command = DeployedCommand(words: words, path: mp, value: value) }
            }
        }
        guard d.errorCount == before0 else { return }
        guard let cmd = command else {
            if rootPath != nil { d.warning(path, at: v, "no command line: the deployed machine's / is read only for the command line's -config-dir and -config-file") }
            return
        }
        let args: [(word: String, location: SourceLocation?)]
        switch ConsulAgentFlags.agentArguments(cmd.words) {
        case .failure(let message, let location): d.error(cmd.path, location: location ?? cmd.value.location, message); return
        case .arguments(let a): args = a
        }
        let given: [ConsulGivenFlag]
        switch ConsulAgentFlags.parse(args) {
        case .failure(let message, let location): d.error(cmd.path, location: location ?? cmd.value.location, message); return
        case .flags(let g): given = g
        }
        let before = d.errorCount
        if let dev = given.last(where: { $0.flag.target == .dev }), KingpinParse.bool(dev.value).success == true {
            d.error(cmd.path, location: dev.location ?? cmd.value.location,
                    "-dev runs one in-memory server that is its own cluster (agent/config/builder.go DevSource: bootstrap, no data dir), which the simulator does not model; it models `consul.servers` servers and the agents: leave -dev out")
            return
        }
        var format = ""
        if let f = given.last(where: { $0.flag.target == .configFormat }) {
            guard f.value.isEmpty || f.value == "json" || f.value == "hcl" else {
                d.error(cmd.path, location: f.location ?? cmd.value.location, "config: -config-format must be either 'hcl' or 'json'"); return
            }
            format = f.value
        }
        // the configuration files, in the order of their flags
        var budget = budget0
        for g in given where g.flag.target == .configPath {
            guard let sources = consulConfigPath(g, root: root, format: format, cmd: cmd, budget: &budget, d) else { return }
            for (value, _) in sources {
                decodeConsulConfig(value, path: cmd.path, into: &c, d)
                collectServerFacts(value, path: cmd.path, into: &facts, d)
            }
        }
        guard d.errorCount == before else { return }
        // flags.values: the last word of a flag wins (a *T flag.Value set again)
        var notModelled: [String] = []
        for g in given {
            let at = g.location ?? cmd.value.location
            switch g.flag.target {
            case .datacenter:
                if let problem = ConsulServiceFile.datacenterProblem(g.value) { d.error(cmd.path, location: at, "-datacenter=\(g.value): \(problem)") }
                else { c.datacenter = g.value.lowercased() }
            case .enableScriptChecks: c.enableScriptChecks = KingpinParse.bool(g.value).success ?? false
            case .server: facts.server = (KingpinParse.bool(g.value).success ?? false, cmd.path, at)
            case .bootstrap: facts.bootstrap = (KingpinParse.bool(g.value).success ?? false, cmd.path, at)
            case .bootstrapExpect:
                // strconv.Atoi: Go's 64-bit int, as Swift's Int here
                facts.bootstrapExpect = (Int(ConsulAgentFlags.atoi(g.value).success ?? 0), cmd.path, at)
            case .notModelled: if !notModelled.contains("-" + g.flag.name) { notModelled.append("-" + g.flag.name) }
            case .configPath, .configFormat, .hcl, .dev: break
            }
        }
        // the -hcl fragments, after the flags
        for (i, g) in given.filter({ $0.flag.target == .hcl }).enumerated() {
            let name = "-hcl #\(i + 1)"
            let parsed = HCLParser.parse(g.value, file: name, startDepth: 3, reader: .consul)
            for e in parsed.errors { d.append(ScenarioError(path: cmd.path, file: name, line: e.line, column: e.column, message: "failed to parse flags-\(i).hcl: \(e.message)")) }
            guard let value = parsed.value, parsed.errors.isEmpty else { continue }
            decodeConsulConfig(value, path: cmd.path, into: &c, d)
            collectServerFacts(value, path: cmd.path, into: &facts, d)
        }
        if !notModelled.isEmpty {
            d.warning(cmd.path, at: cmd.value, "Consul accepts \(notModelled.joined(separator: ", ")); \(notModelled.count == 1 ? "it changes" : "they change") nothing the simulator models and \(notModelled.count == 1 ? "is" : "are") ignored")
        }
    }

    /// One -config-dir or -config-file: the deployed machine's path read under `root`, as
    /// sourcesFromPath reads it; its sources in order (nil after an error).
    static func consulConfigPath(_ g: ConsulGivenFlag, root: FlagRoot?, format: String, cmd: DeployedCommand, budget: inout Int,
                                 _ d: Diagnostics) -> [(JSONValue, String)]? {
        let p = cmd.path
        let at = JSONValue(.string(g.value), location: g.location ?? cmd.value.location)
        let flag = "-\(g.flag.name)=\(g.value)"
        guard g.value.hasPrefix("/") else {
            d.error(p, at: at, "\(flag): a relative path, which Consul reads from its working directory; write the absolute path on the deployed machine (read under {\"root\": ...})"); return nil
        }
        guard let root else {
            d.error(p, at: at, "\(flag): Consul reads its configuration from \(g.value); add {\"root\": \"DIR\"} to flagsFrom, DIR holding \(g.value.dropFirst()) relative to the scenario's folder"); return nil
        }
        guard let scenario = d.baseDirectory.flatMap({ Paths.realPath(Paths.normalize($0)) }) else {
            d.error(p, at: at, "the deployed machine's files can only be read from a scenario file"); return nil
        }
        let inner = Paths.normalize(g.value)
        let display = root.display + (inner == "/" ? "" : inner)
        let lexical = root.real + (inner == "/" ? "" : inner)
        func resolve(_ path: String, _ shown: String, _ onMachine: String) -> (real: String, isDir: Bool)? {
            guard let real = Paths.realPath(path) else {
                // Go's os.Open error: the syscall's strerror text
                let why = String(cString: strerror(errno))
                d.error(p, at: at, "config: Open failed on \(onMachine). open \(onMachine): \(why.prefix(1).lowercased() + why.dropFirst()) (the deployed machine's \(onMachine) is \(shown) here)"); return nil
            }
            guard Paths.isInside(real, scenario) else { d.error(p, at: at, "\(shown) resolves through a symbolic link to \(real), outside the scenario's folder; it must stay inside it"); return nil }
            var st = stat()
            guard stat(real, &st) == 0 else { d.error(p, at: at, "config: Stat failed on \(onMachine). \(Paths.errnoText(errno)) (\(shown) here)"); return nil }
            return (real, st.st_mode & S_IFMT == S_IFDIR)
        }
        guard let top = resolve(lexical, display, g.value) else { return nil }
        var out: [(JSONValue, String)] = []
        if !top.isDir {
            guard let fmt = consulFormat(g.value, configFormat: format) else {
                d.error(p, at: at, "file \(g.value) has unknown extension; must be .hcl or .json, or config format must be set"); return nil
            }
            guard let v = readConsulConfigFile(top.real, display: display, format: fmt, path: p, at: at, budget: &budget, d) else { return nil }
            if let v { out.append((v, p)) }
            return out
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: top.real) else {
            d.error(p, at: at, "config: Readdir failed on \(g.value)"); return nil
        }
        if names.count > maxConsulConfigFiles { d.error(p, at: at, "more than \(maxConsulConfigFiles) entries in \(display)"); return nil }
        // byName: Go compares the names as byte strings
        for n in names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            let shown = display + "/" + n
            let onMachine = (inner == "/" ? "" : inner) + "/" + n
            guard let e = resolve(top.real + "/" + n, shown, onMachine) else { return nil }
            if e.isDir { continue }         // sub-directories are not read
            guard let fmt = consulFormat(n, configFormat: format) else {
                d.warning(p, at: at, "skipping file \(onMachine), extension must be .hcl or .json, or config format must be set (Consul's warning; \(shown) here)"); continue
            }
            guard let v = readConsulConfigFile(e.real, display: shown, format: fmt, path: p, at: at, budget: &budget, d) else { return nil }
            if let v { out.append((v, p)) }
        }
        return out
    }

    /// How the servers' own configuration (`server`, `bootstrap`, `bootstrap_expect`) relates to
    /// `consul.servers`: Consul's own refusals (agent/config/builder.go validate) are errors, and
    /// so is a bootstrap_expect above the servers that run (no leader is ever elected); other
    /// differences are warnings.
    static func checkConsulServerFacts(_ f: ConsulServerFacts, servers: Int, _ d: Diagnostics) {
        let server = f.server?.value ?? false
        if let b = f.bootstrap, b.value, !server { d.error(b.path, location: b.at, "'bootstrap = true' requires 'server = true'"); return }
        if let e = f.bootstrapExpect {
            if e.value < 0 { d.error(e.path, location: e.at, "bootstrap_expect cannot be \(e.value). Must be greater than or equal to zero"); return }
            if e.value > 0 && !server { d.error(e.path, location: e.at, "'bootstrap_expect > 0' requires 'server = true'"); return }
            if e.value > 0, let b = f.bootstrap, b.value {
                d.error(e.path, location: e.at, "'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive"); return
            }
            if e.value > servers {
                d.error(e.path, location: e.at, "bootstrap_expect = \(e.value): Consul's servers wait for \(e.value) servers before they elect a leader, and consul.servers runs \(servers); no leader would ever be elected. Give consul.servers \(e.value) or lower bootstrap_expect")
                return
            }
            if e.value > 0 && e.value < servers {
                d.warning(e.path, location: e.at, "bootstrap_expect = \(e.value) with \(servers) servers (consul.servers): Consul bootstraps with the first \(e.value) and the others join; the simulator starts all \(servers) servers as one cluster")
            }
        }
        guard server else { return }
        if let b = f.bootstrap, b.value {
            d.warning(b.path, location: b.at, "bootstrap = true: this server elects itself leader alone and the others join it (Consul warns: do not enable unless necessary); the simulator starts the \(servers) servers (consul.servers) as one cluster")
        } else if (f.bootstrapExpect?.value ?? 0) == 0, let s = f.server {
            d.warning(s.path, location: s.at, "server = true without bootstrap_expect or bootstrap: Consul's servers wait for an operator to bootstrap them (no leader until then); the simulator starts the \(servers) servers (consul.servers) as one bootstrapped cluster")
        }
    }
}
