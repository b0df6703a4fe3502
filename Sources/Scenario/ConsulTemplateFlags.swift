import ClusterModel
import SimKernel

// consul-template's command line as deployed (`consulTemplate.flagsFrom`): a systemd ExecStart, a
// supervisord command or a container's command, and the environment files its `$VAR` come from.
// Parsed as hashicorp/consul-template@1deacb7 cli.go `ParseFlags` parses it: Go's `flag` package
// (ContinueOnError) over the flags cli.go defines, each value converted by its flag type
// (flags.go: funcVar, funcBoolVar = strconv.ParseBool, funcIntVar = strconv.ParseInt(s, 10, 32),
// funcDurationVar = time.ParseDuration), `-template` by config.ParseTemplateConfig, `-wait` by
// config.ParseWaitConfig; anything left after the flags is cli.go's "cli: extra args" error.
// The flags build a configuration of their own, merged over the `-config` files as `loadConfigs`
// merges it (Config.Merge: the flags' fields win, their templates are appended).

/// How a consul-template flag's value is converted (flags.go, and the flag.BoolVar flags).
enum CTFlagKind: Equatable {
    case string, bool, int, duration, signal, auth, template, wait
    /// flag.BoolVar (`-dry`, `-v`, `-version`): its errors are flag's own ("parse error").
    case goBool
}

/// What a flag sets in the model.
enum CTFlagTarget: Equatable {
    case config, template, wait, maxStale
    /// a field of consul { retry { } } (the section's retry policy)
    case consulRetry(String)
    /// consul-template does not run as the simulator models it (the reason)
    case stops(String)
    case notModelled
}

struct CTFlag {
    let name: String
    let kind: CTFlagKind
    let target: CTFlagTarget
}

/// One flag given on the command line, its value converted.
struct CTGivenFlag {
    let flag: CTFlag
    let value: String
    let location: SourceLocation?
    var template: (source: String, destination: String?, command: String?)? = nil
    var wait: (min: String, max: String)? = nil
}

enum ConsulTemplateFlags {
    /// Every flag cli.go's ParseFlags defines at hashicorp/consul-template@1deacb7, in its order.
    static let table: [CTFlag] = {
        var t: [CTFlag] = []
        func add(_ n: String, _ k: CTFlagKind, _ target: CTFlagTarget = .notModelled) { t.append(CTFlag(name: n, kind: k, target: target)) }
        add("config", .string, .config)
        add("consul-addr", .string); add("consul-auth", .auth)
        add("consul-retry", .bool, .consulRetry("enabled")); add("consul-retry-attempts", .int, .consulRetry("attempts"))
        add("consul-retry-backoff", .duration, .consulRetry("backoff")); add("consul-retry-max-backoff", .duration, .consulRetry("max_backoff"))
        add("consul-ssl", .bool); add("consul-ssl-ca-cert", .string); add("consul-ssl-ca-path", .string); add("consul-ssl-cert", .string)
        add("consul-ssl-key", .string); add("consul-ssl-server-name", .string); add("consul-ssl-verify", .bool)
        add("consul-token", .string); add("consul-token-file", .string)
        add("consul-transport-dial-keep-alive", .duration); add("consul-transport-dial-timeout", .duration)
        add("consul-transport-disable-keep-alives", .bool); add("consul-transport-max-idle-conns-per-host", .int)
        add("consul-transport-tls-handshake-timeout", .duration)
        add("dedup", .bool); add("default-left-delimiter", .string); add("default-right-delimiter", .string)
        add("dry", .goBool, .stops("-dry prints the rendered templates to stdout instead of writing them, so nginx never reads them"))
        add("exec", .string); add("exec-kill-signal", .signal); add("exec-kill-timeout", .duration); add("exec-reload-signal", .signal)
        add("exec-splay", .duration); add("exec-env-pristine", .bool); add("exec-env-custom", .string)
        add("exec-env-allowlist", .string); add("exec-env-denylist", .string)
        add("kill-signal", .signal); add("log-level", .string); add("log-file", .string); add("log-rotate-bytes", .int)
        add("log-rotate-duration", .duration); add("log-rotate-max-files", .int)
        add("max-stale", .duration, .maxStale)
        add("once", .bool, .stops("-once renders every template once and exits, so nginx is not kept up to date"))
        add("parse-only", .bool, .stops("-parse-only parses the templates and exits without rendering them"))
        add("pid-file", .string); add("reload-signal", .signal)
        add("retry", .duration, .consulRetry("backoff"))    // cli.go: sets c.Consul.Retry.Backoff
        add("syslog", .bool); add("syslog-facility", .string); add("syslog-name", .string)
        add("template", .template, .template); add("template-error-fatal", .bool)
        add("vault-addr", .string); add("vault-renew-token", .bool); add("vault-retry", .bool); add("vault-retry-attempts", .int)
        add("vault-retry-backoff", .duration); add("vault-retry-max-backoff", .duration); add("vault-client-user-agent", .string)
        add("vault-ssl", .bool); add("vault-ssl-ca-cert", .string); add("vault-ssl-ca-path", .string); add("vault-ssl-cert", .string)
        add("vault-ssl-key", .string); add("vault-ssl-server-name", .string); add("vault-ssl-verify", .bool)
        add("vault-transport-dial-keep-alive", .duration); add("vault-transport-dial-timeout", .duration)
        add("vault-transport-disable-keep-alives", .bool); add("vault-transport-max-idle-conns-per-host", .int)
        add("vault-transport-max-conns-per-host", .int); add("vault-transport-tls-handshake-timeout", .duration)
        add("vault-token", .string); add("vault-agent-token-file", .string); add("vault-unwrap-token", .bool)
        add("vault-default-lease-duration", .duration); add("wait", .wait, .wait)
        add("v", .goBool, .stops("-v prints consul-template's version and exits"))
        add("version", .goBool, .stops("-version prints consul-template's version and exits"))
        return t
    }()

    static let byName: [String: CTFlag] = Dictionary(uniqueKeysWithValues: table.map { ($0.name, $0) })

    /// signals/signals_unix.go SignalLookup's names, sorted as ValidSignals is.
    static let validSignals = ["SIGABRT", "SIGALRM", "SIGBUS", "SIGCONT", "SIGFPE", "SIGHUP", "SIGILL", "SIGINT", "SIGIO", "SIGIOT", "SIGKILL",
                               "SIGNULL", "SIGPIPE", "SIGPROF", "SIGQUIT", "SIGSEGV", "SIGSTOP", "SIGSYS", "SIGTERM", "SIGTRAP", "SIGTSTP",
                               "SIGTTIN", "SIGTTOU", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGXCPU", "SIGXFSZ"]

    /// Go's %q of a []string: `["a" "b"]`.
    static func quoteList(_ a: [String]) -> String { "[" + a.map { JSONValue.quote($0) }.joined(separator: " ") + "]" }

    /// strconv.ParseInt(s, 10, 32).
    static func parseInt32(_ s: String) -> Result<Int64, KingpinError> {
        let syntax = KingpinError(message: "strconv.ParseInt: parsing \(JSONValue.quote(s)): invalid syntax")
        var b = Substring(s).utf8[...]
        var negative = false
        if let f = b.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { negative = f == UInt8(ascii: "-"); b = b.dropFirst() }
        guard !b.isEmpty, b.allSatisfy({ (48...57).contains($0) }) else { return .failure(syntax) }
        var x: Int64 = 0
        var overflow = false
        for c in b {
            if x > (1 << 31) { overflow = true; continue }
            x = x * 10 + Int64(c - 48)
        }
        if negative { x = -x }
        if overflow || x > Int64(Int32.max) || x < Int64(Int32.min) {
            return .failure(KingpinError(message: "strconv.ParseInt: parsing \(JSONValue.quote(s)): value out of range"))
        }
        return .success(x)
    }

    /// config.ParseTemplateConfig: the parts configTemplateRe `([a-zA-Z]:)?([^:]+)` finds (so a
    /// Windows drive letter stays with its path); source, destination, and the rest joined by ":"
    /// as the command.
    static func parseTemplate(_ s: String) -> Result<(source: String, destination: String?, command: String?), KingpinError> {
        let empty = KingpinError(message: "template: cannot be empty")
        if s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return .failure(empty) }
        let b = Array(s.utf8)
        let colon = UInt8(ascii: ":")
        func isLetter(_ c: UInt8) -> Bool { (65...90).contains(c) || (97...122).contains(c) }
        var parts: [String] = []
        var i = 0
        while i < b.count {
            // leftmost-first: with the drive letter when [^:]+ follows it, else without
            var start = i, j = i
            if i + 2 < b.count, isLetter(b[i]), b[i + 1] == colon, b[i + 2] != colon { j = i + 2 } else { start = i; j = i }
            var k = j
            while k < b.count && b[k] != colon { k += 1 }
            if k == j { i += 1; continue }       // no match here (a ':')
            parts.append(String(decoding: b[start..<k], as: UTF8.self))
            i = k
        }
        switch parts.count {
        case 0: return .failure(empty)
        case 1: return .success((parts[0], nil, nil))
        case 2: return .success((parts[0], parts[1], nil))
        default: return .success((parts[0], parts[1], parts[2...].joined(separator: ":")))
        }
    }

    /// config.ParseWaitConfig: "MIN" (max = 4 x MIN) or "MIN:MAX", each trimmed; returns the two
    /// durations as Go duration strings.
    static func parseWait(_ s: String) -> Result<(min: String, max: String), KingpinError> {
        let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.isEmpty { return .failure(KingpinError(message: "wait: cannot be empty")) }
        let parts = t.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard parts.count <= 2 else { return .failure(KingpinError(message: "wait: invalid format")) }
        let lo: SimDuration, hi: SimDuration
        switch KingpinParse.goDuration(parts[0]) {
        case .failure(let e): return .failure(e)
        case .success(let x): lo = x
        }
        if parts.count == 2 {
            switch KingpinParse.goDuration(parts[1]) {
            case .failure(let e): return .failure(e)
            case .success(let x): hi = x
            }
        } else {
            hi = SimDuration(nanoseconds: lo.nanoseconds &* 4)     // Go's int64 product wraps
        }
        if lo < .zero || hi < .zero { return .failure(KingpinError(message: "wait: cannot be negative")) }
        if hi < lo { return .failure(KingpinError(message: "wait: min must be less than max")) }
        return .success((GoDuration.format(lo), GoDuration.format(hi)))
    }

    /// Converts `value` as the flag's type does: nil when it is accepted.
    static func convert(_ f: CTFlag, _ value: String, into g: inout CTGivenFlag) -> KingpinError? {
        switch f.kind {
        case .string: return nil
        case .bool, .goBool:
            if case .failure(let e) = KingpinParse.bool(value) { return f.kind == .goBool ? KingpinError(message: "parse error") : e }
            return nil
        case .int:
            if case .failure(let e) = parseInt32(value) { return e }
            return nil
        case .duration:
            if case .failure(let e) = KingpinParse.goDuration(value) { return e }
            return nil
        case .signal:
            if validSignals.contains(value.uppercased()) { return nil }
            return KingpinError(message: "invalid signal \(JSONValue.quote(value)) - valid signals are \(quoteList(validSignals))")
        case .auth:
            return value.isEmpty ? KingpinError(message: "auth: cannot be empty") : nil
        case .template:
            switch parseTemplate(value) {
            case .failure(let e): return e
            case .success(let t): g.template = t; return nil
            }
        case .wait:
            switch parseWait(value) {
            case .failure(let e): return e
            case .success(let w): g.wait = w; return nil
            }
        }
    }

    enum Outcome {
        case flags([CTGivenFlag])
        case failure(message: String, location: SourceLocation?)
    }

    /// Go's flag.FlagSet.Parse (ContinueOnError) over cli.go's flags, then cli.go's check that
    /// nothing is left. `words` are the arguments after the program.
    static func parse(_ words: [(word: String, location: SourceLocation?)]) -> Outcome {
        let r = GoFlagSet.parse(words, lookup: { byName[$0] }, isBool: { $0.kind == .bool || $0.kind == .goBool },
                                make: { (f: CTFlag, v: String, loc: SourceLocation?) -> Result<CTGivenFlag, KingpinError> in
                                    var g = CTGivenFlag(flag: f, value: "", location: loc)
                                    if let e = convert(f, v, into: &g) { return .failure(e) }
                                    return .success(CTGivenFlag(flag: f, value: v, location: loc, template: g.template, wait: g.wait))
                                },
                                help: { "flag: help requested (-\($0)): consul-template prints its usage and exits 0 without running" },
                                extra: { "cli: extra args: \(quoteList($0))" })
        switch r {
        case .success(let flags): return .flags(flags)
        case .failure(let e): return .failure(message: e.message, location: e.location)
        }
    }
}

/// What `flagsFrom` gives: the `-config` paths and the flags' own configuration.
struct ConsulTemplateDeployedFlags {
    var configPaths: [(path: String, location: SourceLocation?)] = []
    /// consul-template's configuration the flags set (JSON form of its file keys).
    var members: [JSONMember] = []
    /// Where the command line is (errors about what it set).
    var path: String = ""
    var value: JSONValue? = nil
}

extension ScenarioSchema {
    /// `consulTemplate.flagsFrom`: `{"commandLine": ...}` and `{"environmentFile": ...}`. nil after an error.
    static func consulTemplateDeployedFlags(_ v: JSONValue, path: String, _ d: Diagnostics) -> ConsulTemplateDeployedFlags? {
        let expected = "a list of deployed sources: {\"commandLine\": \"consul-template -config /etc/consul-template/config.hcl\"} or {\"environmentFile\": \"path\"}"
        guard let (command, environment) = deployedCommand(v, path: path, program: "consul-template", environmentSyntax: .systemd, expected: expected, d) else { return nil }
        if let a = environment.last(where: { $0.name == "CT_LOCAL_CONFIG" }) {
            d.warning(path, location: a.location, "CT_LOCAL_CONFIG is consul-template's configuration from the environment (cli.go ParseFlags); the simulator does not read it: give that configuration as consulTemplate.config")
        }
        var out = ConsulTemplateDeployedFlags()
        guard let c = command else { return out }
        out.path = c.path
        out.value = c.value
        // the program words (`consul-template`, `/usr/local/bin/consul-template`) up to the first flag
        let words = Array(c.words.drop { !$0.word.hasPrefix("-") })
        let given: [CTGivenFlag]
        switch ConsulTemplateFlags.parse(words) {
        case .failure(let message, let location): d.error(c.path, location: location ?? c.value.location, message); return nil
        case .flags(let g): given = g
        }
        if let s = given.first(where: { if case .stops = $0.flag.target { return true } else { return false } }), case .stops(let why) = s.flag.target {
            d.error(c.path, location: s.location ?? c.value.location, "\(why); the simulator models consul-template running until it is stopped, writing the templates for nginx: leave -\(s.flag.name) out")
            return nil
        }
        var templates: [JSONValue] = []
        var templateLoc: SourceLocation?
        var wait: (min: String, max: String, loc: SourceLocation?)?
        var maxStale: (String, SourceLocation?)?
        var retry: [(key: String, value: JSONValue)] = []
        var retryLoc: SourceLocation?
        var notModelled: [String] = []
        func str(_ s: String, _ l: SourceLocation?) -> JSONValue { JSONValue(.string(s), location: l) }
        for g in given {
            let l = g.location
            switch g.flag.target {
            case .config: out.configPaths.append((g.value, l))
            case .template:
                guard let t = g.template else { continue }
                var ms = [JSONMember(key: "source", keyLocation: l, value: str(t.source, l))]
                if let dst = t.destination { ms.append(JSONMember(key: "destination", keyLocation: l, value: str(dst, l))) }
                // config.ParseTemplateConfig: the command is one element (run with sh -c when it has spaces)
                if let cmd = t.command { ms.append(JSONMember(key: "command", keyLocation: l, value: JSONValue(.array([str(cmd, l)]), location: l))) }
                templates.append(JSONValue(.object(ms), location: l))
                if templateLoc == nil { templateLoc = l }
            case .wait: if let w = g.wait { wait = (w.min, w.max, l) }
            case .maxStale: maxStale = (g.value, l)
            case .consulRetry(let k):
                let value = k == "enabled" ? JSONValue(.bool(KingpinParse.bool(g.value).success ?? true), location: l)
                          : k == "attempts" ? JSONValue(.number(JSONNumber(Int(ConsulTemplateFlags.parseInt32(g.value).success ?? 0))), location: l)
                          : str(g.value, l)
                retry.removeAll { $0.key == k }
                retry.append((k, value))
                if retryLoc == nil { retryLoc = l }
            case .stops: break
            case .notModelled: if !notModelled.contains("-" + g.flag.name) { notModelled.append("-" + g.flag.name) }
            }
        }
        if !templates.isEmpty { out.members.append(JSONMember(key: "template", keyLocation: templateLoc, value: JSONValue(.array(templates), location: templateLoc))) }
        if let w = wait {
            out.members.append(JSONMember(key: "wait", keyLocation: w.loc, value: JSONValue(.object([JSONMember(key: "min", keyLocation: w.loc, value: str(w.min, w.loc)),
                                                                                                     JSONMember(key: "max", keyLocation: w.loc, value: str(w.max, w.loc))]), location: w.loc)))
        }
        if let (s, l) = maxStale { out.members.append(JSONMember(key: "max_stale", keyLocation: l, value: str(s, l))) }
        if !retry.isEmpty {
            let r = JSONValue(.object(retry.map { JSONMember(key: $0.key, keyLocation: $0.value.location, value: $0.value) }), location: retryLoc)
            out.members.append(JSONMember(key: "consul", keyLocation: retryLoc, value: JSONValue(.object([JSONMember(key: "retry", keyLocation: retryLoc, value: r)]), location: retryLoc)))
        }
        if !notModelled.isEmpty {
            d.warning(c.path, at: c.value, "consul-template accepts \(notModelled.joined(separator: ", ")); \(notModelled.count == 1 ? "it changes" : "they change") nothing the simulator models and \(notModelled.count == 1 ? "is" : "are") ignored")
        }
        return out
    }

    /// A `-config` path of the command line: a path on consul-template's host read through
    /// `sourceFolders` (longest prefix) when absolute, else relative to the scenario's folder.
    static func consulTemplateFlagConfigParts(_ flags: ConsulTemplateDeployedFlags, sourceFolders: JSONValue?, _ d: Diagnostics) -> [ConsulTemplateConfigPart]? {
        var folders: [(prefix: String, folder: String)] = []
        if let sf = sourceFolders {
            // its errors are reported when the section reads it
            let scratch = Diagnostics()
            scratch.baseDirectory = d.baseDirectory
            folders = decodeSourceFolders(sf, path: "", scratch)
        }
        var out: [ConsulTemplateConfigPart] = []
        let at = JSONValue(.string(""), location: nil)
        for (p, loc) in flags.configPaths {
            let v = JSONValue(.string(p), location: loc ?? flags.value?.location ?? at.location)
            var rel = p
            if p.hasPrefix("/") {
                let abs = Paths.normalize(p)
                guard let f = folders.first(where: { abs == $0.prefix || Paths.isInside(abs, $0.prefix) }) else {
                    d.error(flags.path, at: v, "-config \(JSONValue.quote(p)) is an absolute path on consul-template's host; map its folder with consulTemplate.sourceFolders, like {\(JSONValue.quote(Paths.directory(abs))): \"consul-template\"} (a folder relative to the scenario)")
                    return nil
                }
                let rest = abs == f.prefix ? "" : String(abs.dropFirst(f.prefix == "/" ? 1 : f.prefix.count + 1))
                rel = rest.isEmpty ? f.folder : Paths.normalize(f.folder + "/" + rest)
            }
            if rel.isEmpty { d.error(flags.path, at: v, "-config \"\": an empty path; consul-template cannot read it"); return nil }
            guard let parts = readConsulTemplateConfigPath(rel, path: flags.path, at: v, d) else { return nil }
            out += parts
        }
        return out
    }
}

extension Result {
    var success: Success? { if case .success(let s) = self { return s } else { return nil } }
}
