import ClusterModel
import SimKernel

// marathon-lb's command line as marathon_lb.py reads it (mesosphere/marathon-lb@v1.11.0
// marathon_lb.py `get_arg_parser`, common.py `set_logging_args`, `set_marathon_auth_args`; the
// `__main__` checks after parsing), with Python 3's argparse (the v1.11.0 image is Debian stretch,
// Python 3.5: Lib/argparse.py `_parse_optional`, `_get_option_tuples`, `consume_optional`), and
// the image's `run` script in front of it (`run sse|poll [marathon_lb.py args]`). Used by
// `marathonLB.flags` (the options under their own names) and `marathonLB.flagsFrom` (the command
// line, the Marathon app or environment file it is deployed with). docs/marathon-lb.md "Flags".

/// How an option takes its value (argparse's action and nargs).
enum MarathonLBOptionKind: Equatable {
    case storeTrue          // action="store_true": no value
    case int                // type=int: one value, Python's int()
    case string             // one value
    case append             // action="append": one value per use, collected (--group)
    case oneOrMore          // nargs="+": one or more values (--marathon)
}

struct MarathonLBOption {
    let long: String
    let short: String?
    let kind: MarathonLBOptionKind
    /// What the model does with it; nil: accepted and not modelled (one warning names them).
    let modelled: String?

    /// argparse's name of the option in its messages: the option strings joined by "/".
    var display: String { short.map { "\(long)/\($0)" } ?? long }
}

enum MarathonLBArgparse {
    /// Every option of marathon_lb.py 1.5.0 to 1.15.0 in the order argparse declares them
    /// (-h/--help first; get_arg_parser, then common.py), with the release that added it (nil:
    /// every release from 1.5.0). Read at each tag: `--max-reload-retries`, `--reload-interval`
    /// from v1.11.0 (not in v1.10.3), `--group-https-by-vhost` from v1.11.5, `--archive-versions`
    /// from v1.12.0, `--skip-config-cleanup` and `--max-backoff` from v1.13.0; none removed.
    static let declared: [(option: MarathonLBOption, since: MarathonLBVersion?)] = [
        (MarathonLBOption(long: "--help", short: "-h", kind: .storeTrue, modelled: nil), nil),
        (MarathonLBOption(long: "--longhelp", short: nil, kind: .storeTrue, modelled: nil), nil),
        (MarathonLBOption(long: "--marathon", short: "-m", kind: .oneOrMore, modelled: "event stream and API"), nil),
        (MarathonLBOption(long: "--haproxy-config", short: nil, kind: .string, modelled: nil), nil),
        (MarathonLBOption(long: "--group", short: nil, kind: .append, modelled: "the instances' groups"), nil),
        (MarathonLBOption(long: "--command", short: "-c", kind: .string, modelled: nil), nil),
        (MarathonLBOption(long: "--max-reload-retries", short: nil, kind: .int, modelled: "reload retries"), MarathonLBVersion(1, 11, 0)),
        (MarathonLBOption(long: "--reload-interval", short: nil, kind: .int, modelled: "reload retries"), MarathonLBVersion(1, 11, 0)),
        (MarathonLBOption(long: "--strict-mode", short: nil, kind: .storeTrue, modelled: "HAPROXY_{n}_ENABLED"), nil),
        (MarathonLBOption(long: "--sse", short: "-s", kind: .storeTrue, modelled: "mode"), nil),
        (MarathonLBOption(long: "--archive-versions", short: nil, kind: .int, modelled: nil), MarathonLBVersion(1, 12, 0)),
        (MarathonLBOption(long: "--health-check", short: "-H", kind: .storeTrue, modelled: "health filter"), nil),
        (MarathonLBOption(long: "--lru-cache-capacity", short: nil, kind: .int, modelled: nil), nil),
        (MarathonLBOption(long: "--haproxy-map", short: nil, kind: .storeTrue, modelled: nil), nil),
        (MarathonLBOption(long: "--dont-bind-http-https", short: nil, kind: .storeTrue, modelled: nil), nil),
        (MarathonLBOption(long: "--group-https-by-vhost", short: nil, kind: .storeTrue, modelled: nil), MarathonLBVersion(1, 11, 5)),
        (MarathonLBOption(long: "--ssl-certs", short: nil, kind: .string, modelled: nil), nil),
        (MarathonLBOption(long: "--skip-validation", short: nil, kind: .storeTrue, modelled: "validation"), nil),
        (MarathonLBOption(long: "--skip-config-cleanup", short: nil, kind: .storeTrue, modelled: "validation"), MarathonLBVersion(1, 13, 0)),
        (MarathonLBOption(long: "--dry", short: "-d", kind: .storeTrue, modelled: nil), nil),
        (MarathonLBOption(long: "--min-serv-port-ip-per-task", short: nil, kind: .int, modelled: "read"), nil),
        (MarathonLBOption(long: "--max-serv-port-ip-per-task", short: nil, kind: .int, modelled: "read"), nil),
        (MarathonLBOption(long: "--max-backoff", short: nil, kind: .int, modelled: "event stream"), MarathonLBVersion(1, 13, 0)),
        (MarathonLBOption(long: "--syslog-socket", short: nil, kind: .string, modelled: nil), nil),
        (MarathonLBOption(long: "--log-format", short: nil, kind: .string, modelled: nil), nil),
        (MarathonLBOption(long: "--log-level", short: nil, kind: .string, modelled: nil), nil),
        (MarathonLBOption(long: "--marathon-auth-credential-file", short: nil, kind: .string, modelled: nil), nil),
        (MarathonLBOption(long: "--auth-credentials", short: nil, kind: .string, modelled: nil), nil),
        (MarathonLBOption(long: "--dcos-auth-credentials", short: nil, kind: .string, modelled: nil), nil),
        (MarathonLBOption(long: "--marathon-ca-cert", short: nil, kind: .string, modelled: nil), nil),
    ]

    /// The options of release `v`'s marathon_lb.py, in declaration order.
    static func options(_ v: MarathonLBVersion) -> [MarathonLBOption] {
        v == .baseline ? options : declared.filter { $0.since.map { $0 <= v } ?? true }.map(\.option)
    }
    /// Those of v1.11.0 (the baseline).
    static let options: [MarathonLBOption] = declared.filter { $0.since.map { $0 <= .baseline } ?? true }.map(\.option)

    /// The release that added option `name` (a long name), when `v` lacks it.
    static func since(_ name: String, missingIn v: MarathonLBVersion) -> MarathonLBVersion? {
        guard let d = declared.first(where: { $0.option.long == name }), let s = d.since, s > v else { return nil }
        return s
    }

    static func allStrings(_ v: MarathonLBVersion) -> [String] { options(v).flatMap { [$0.long] + ($0.short.map { [$0] } ?? []) } }

    static func option(named s: String, _ v: MarathonLBVersion = .baseline) -> MarathonLBOption? { options(v).first { $0.long == s || $0.short == s } }

    enum Resolution {
        case option(MarathonLBOption, as: String, explicit: String?)
        case ambiguous(String)          // argparse's message
        case unknown                    // extras: "unrecognized arguments"
        case positional                 // not an option (a value, a negative number, "-")
    }

    /// argparse's `_parse_optional` (with `_get_option_tuples`, allow_abbrev): what a word is.
    static func resolve(_ word: String, _ v: MarathonLBVersion = .baseline) -> Resolution {
        guard let first = word.first, first == "-" else { return .positional }
        let option = { (s: String) in Self.option(named: s, v) }
        let allStrings = Self.allStrings(v)
        if let o = option(word) { return .option(o, as: word, explicit: nil) }
        if word.count == 1 { return .positional }
        if let eq = word.firstIndex(of: "=") {
            let name = String(word[..<eq])
            if let o = option(name) { return .option(o, as: name, explicit: String(word[word.index(after: eq)...])) }
        }
        var tuples: [(MarathonLBOption, String, String?)] = []
        if word.hasPrefix("--") {
            let (prefix, explicit): (String, String?) = word.firstIndex(of: "=").map { (String(word[..<$0]), String(word[word.index(after: $0)...])) } ?? (word, nil)
            for s in allStrings where s.hasPrefix(prefix) { tuples.append((option(s)!, s, explicit)) }
        } else {
            let shortPrefix = String(word.prefix(2))
            let rest = String(word.dropFirst(2))
            for s in allStrings {
                if s == shortPrefix { tuples.append((option(s)!, s, rest)) }
                else if s.hasPrefix(word) { tuples.append((option(s)!, s, nil)) }
            }
        }
        if tuples.count > 1 {
            return .ambiguous("ambiguous option: \(word) could match \(tuples.map(\.1).joined(separator: ", "))")
        }
        if let t = tuples.first { return .option(t.0, as: t.1, explicit: t.2) }
        // a negative number is a value (no option looks like one); so is a word with a blank
        if isNegativeNumber(word) || word.contains(" ") { return .positional }
        return .unknown
    }

    /// argparse's `_negative_number_matcher`: `^-\d+$|^-\d*\.\d+$`.
    static func isNegativeNumber(_ w: String) -> Bool {
        let body = w.dropFirst()
        guard w.hasPrefix("-"), !body.isEmpty else { return false }
        if body.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
        guard let dot = body.firstIndex(of: ".") else { return false }
        let a = body[..<dot], b = body[body.index(after: dot)...]
        return a.allSatisfy { $0.isASCII && $0.isNumber } && !b.isEmpty && b.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Python's `repr` of a string, as argparse's messages show values (`'x'`).
    /// The host of a `--marathon` URL (`http://master-01:8080/` -> `master-01`); nil without a
    /// `scheme://` or a host, which requests refuses (MissingSchema, InvalidURL).
    static func urlHost(_ u: String) -> String? {
        guard let r = u.range(of: "://"), r.lowerBound > u.startIndex else { return nil }
        var rest = u[r.upperBound...]
        if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<slash] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") { return String(rest[...close]) }
        if let colon = rest.firstIndex(of: ":") { rest = rest[..<colon] }
        return rest.isEmpty ? nil : String(rest)
    }

    static func repr(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case quote: out += "\\\(quote)"
            default: out.append(c)
            }
        }
        return out + String(quote)
    }

    /// Python 3.5's `int(s)`: blanks around, an optional sign, decimal digits (no `_`). nil: not an
    /// integer; a value beyond 64 bits is clamped (nothing the model reads accepts it).
    static func pythonInt(_ s: String) -> Int64? {
        let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        var body = Substring(t)
        var negative = false
        if let c = body.first, c == "+" || c == "-" { negative = c == "-"; body = body.dropFirst() }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var v: Int64 = 0
        for ch in body.utf8 {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(ch - 48))
            if o1 || o2 { return negative ? Int64.min : Int64.max }
            v = a
        }
        return negative ? -v : v
    }

    struct Parsed {
        /// Each option given, by its long name, in order: its values (none for store_true).
        var given: [(option: MarathonLBOption, values: [String], location: SourceLocation?)] = []
    }

    struct Failure: Error { var message: String; var location: SourceLocation? }

    /// Parses marathon_lb.py's arguments as argparse does: the first problem is its error
    /// (`marathon_lb.py: error: ...`), words it does not take are "unrecognized arguments".
    static func parse(_ words: [(word: String, location: SourceLocation?)], _ v: MarathonLBVersion = .baseline) -> Result<Parsed, Failure> {
        var out = Parsed()
        var extras: [(String, SourceLocation?)] = []
        var i = 0
        var afterDashes = false
        /// 'O' words start an option; after `--` every word is a value
        func isValue(_ k: Int) -> Bool {
            if afterDashes { return true }
            if words[k].word == "--" { return false }
            if case .positional = resolve(words[k].word, v) { return true }
            return false
        }
        func fail(_ o: MarathonLBOption, _ m: String, _ loc: SourceLocation?) -> Result<Parsed, Failure> {
            .failure(Failure(message: "argument \(o.display): \(m)", location: loc))
        }
        while i < words.count {
            let (w, loc) = words[i]
            // `--`: the rest are values; with no positional arguments to take them, argparse
            // reports them and the `--` itself as unrecognized
            if !afterDashes && w == "--" { afterDashes = true; extras.append((w, loc)); i += 1; continue }
            if afterDashes { extras.append((w, loc)); i += 1; continue }
            switch resolve(w, v) {
            case .positional: extras.append((w, loc)); i += 1
            case .unknown: extras.append((w, loc)); i += 1
            case .ambiguous(let m): return .failure(Failure(message: m, location: loc))
            case .option(var o, as: var name, explicit: var explicit):
                i += 1
                // store_true with a single-dash explicit part: further short options (-sH)
                while o.kind == .storeTrue, let e = explicit {
                    if o.long == "--help" { return .failure(Failure(message: "-h/--help: marathon_lb.py prints its help and exits; the load balancer does not start", location: loc)) }
                    guard !name.hasPrefix("--"), let c = e.first, let next = option(named: "-" + String(c), v) else {
                        return fail(o, "ignored explicit argument \(repr(e))", loc)
                    }
                    out.given.append((o, [], loc))
                    o = next; name = "-" + String(c)
                    let rest = String(e.dropFirst())
                    explicit = rest.isEmpty ? nil : rest
                }
                switch o.kind {
                case .storeTrue:
                    if o.long == "--help" { return .failure(Failure(message: "-h/--help: marathon_lb.py prints its help and exits; the load balancer does not start", location: loc)) }
                    out.given.append((o, [], loc))
                case .int, .string, .append:
                    if let e = explicit { out.given.append((o, [e], loc)); break }
                    guard i < words.count, isValue(i) else { return fail(o, "expected one argument", loc) }
                    out.given.append((o, [words[i].word], words[i].location ?? loc)); i += 1
                case .oneOrMore:
                    if let e = explicit { out.given.append((o, [e], loc)); break }
                    var vals: [String] = []
                    while i < words.count, isValue(i) { vals.append(words[i].word); i += 1 }
                    if vals.isEmpty { return fail(o, "expected at least one argument", loc) }
                    out.given.append((o, vals, loc))
                }
                if o.kind == .int, let v = out.given.last?.values.first, pythonInt(v) == nil {
                    return fail(o, "invalid int value: \(repr(v))", out.given.last?.location)
                }
            }
        }
        if !extras.isEmpty {
            // an option of a later release: say which (marathon_lb.py's own message stops before)
            let later = extras.lazy.compactMap { e in since(String(e.0.prefix { $0 != "=" }), missingIn: v).map { (e.0.prefix { $0 != "=" }, $0) } }.first
            let hint = later.map { "; \($0.0) exists from marathon-lb \($0.1), marathonLB.version is \(v)" } ?? ""
            return .failure(Failure(message: "unrecognized arguments: \(extras.map(\.0).joined(separator: " "))\(hint)", location: extras[0].1))
        }
        return .success(out)
    }
}

/// What `marathonLB.flagsFrom` gives beside the options: the run script's mode and the
/// environment's POLL_INTERVAL.
struct MarathonLBDeployed {
    var members: [JSONMember] = []
    /// `run sse` / `run poll`, or marathon_lb.py's own `--sse`: nil when no command line was given.
    var mode: MarathonLBMode?
    var pollInterval: (SimDuration, SourceLocation?)?
    var commandLineGiven = false
    /// The release the Marathon app's image tag names (`mesosphere/marathon-lb:v1.14.2`).
    var imageVersion: (version: MarathonLBVersion, image: String, location: SourceLocation?)?
    /// The release the command line was read as: the scenario's `version`, else the image's.
    var version: MarathonLBVersion = .baseline
}

extension ScenarioSchema {
    /// The run script's POLL_INTERVAL is `sleep`'s argument: a number with an optional unit
    /// suffix s, m, h or d (GNU coreutils sleep).
    static func sleepDuration(_ s: String) -> SimDuration? {
        var t = Substring(s.trimmingCharacters(in: .whitespaces))
        var unit = 1.0
        if let c = t.last, let u = ["s": 1.0, "m": 60, "h": 3600, "d": 86400][String(c)] { unit = u; t = t.dropLast() }
        guard !t.isEmpty, t.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "." }), let x = Double(t), x.isFinite else { return nil }
        let seconds = x * unit
        guard seconds <= ScenarioUnits.maxDuration.seconds else { return nil }
        return SimDuration(nanoseconds: Int64((seconds * 1e9).rounded()))
    }

    /// `marathonLB.flagsFrom`: `{"commandLine": ...}` (the image's `run sse|poll ...` or
    /// marathon_lb.py's own arguments), `{"marathonApp": "marathon-lb.json"}` (the Marathon app that
    /// runs it: its `args` or `cmd`, and `env`) and `{"environmentFile": ...}`. nil after an error.
    static func marathonLBDeployedFlags(_ v: JSONValue, path: String, version explicit: MarathonLBVersion? = nil, _ d: Diagnostics) -> MarathonLBDeployed? {
        let kinds = ["commandLine", "marathonApp", "environmentFile"]
        let expected = "a list of deployed sources: {\"commandLine\": \"run sse --group external\"}, {\"marathonApp\": \"marathon-lb.json\"} or {\"environmentFile\": \"path\"}"
        var image: (version: MarathonLBVersion, image: String, location: SourceLocation?)?
        guard let (command, environment) = deployedCommand(v, path: path, program: "marathon-lb", kinds: kinds, environmentSyntax: .sh, expected: expected, d,
                                                           other: { _, value, mp, variables, budget in
                                                               marathonApp(value, path: mp, variables: variables, budget: &budget, explicit: explicit, image: &image, d) })
        else { return nil }
        var out = MarathonLBDeployed()
        out.imageVersion = image
        out.version = explicit ?? image?.version ?? .baseline
        if let a = environment.last(where: { $0.name == "POLL_INTERVAL" }) {
            guard let x = sleepDuration(a.value), x > .zero else {
                d.error(path, location: a.location, "POLL_INTERVAL=\(JSONValue.quote(a.value)): the run script's `sleep` takes a positive number with an optional unit s, m, h or d"); return nil
            }
            out.pollInterval = (x, a.location)
        }
        guard let c = command else { return out }
        out.commandLineGiven = true
        // the program words (`/marathon-lb/run`, `python3 marathon_lb.py`) up to the run script's
        // mode or the first option
        var words = Array(c.words.drop { !$0.word.hasPrefix("-") && $0.word != "sse" && $0.word != "poll" })
        if let first = words.first, first.word == "sse" || first.word == "poll" {
            out.mode = first.word == "sse" ? .sse : .poll
            words.removeFirst()
        }
        switch MarathonLBArgparse.parse(words, out.version) {
        case .failure(let f):
            d.error(c.path, location: f.location ?? c.value.location, "marathon_lb.py: error: \(f.message)"); return nil
        case .success(let parsed):
            if parsed.given.contains(where: { $0.option.long == "--sse" }) { out.mode = .sse }
            if out.mode == nil { out.mode = .poll }    // marathon_lb.py without --sse: one regeneration per run
            // as argparse stores them: the last use of an option wins, --group collects
            // (the appended values are collected first: a command line of 50,000 --group words
            // took 45 s when each one copied the list so far)
            var members: [JSONMember] = []
            var appended: [String: [JSONValue]] = [:]
            for g in parsed.given {
                let value: JSONValue
                switch g.option.kind {
                case .storeTrue: value = JSONValue(.bool(true), location: g.location)
                case .int, .string: value = JSONValue(.string(g.values[0]), location: g.location)
                case .oneOrMore: value = JSONValue(.array(g.values.map { JSONValue(.string($0), location: g.location) }), location: g.location)
                case .append:
                    appended[g.option.long, default: []].append(JSONValue(.string(g.values[0]), location: g.location))
                    value = JSONValue(.array([]), location: g.location)   // filled below
                }
                members.removeAll { $0.key == g.option.long }
                members.append(JSONMember(key: g.option.long, keyLocation: g.location, value: value))
            }
            for k in members.indices {
                if let list = appended[members[k].key] { members[k].value = JSONValue(.array(list), location: members[k].value.location) }
            }
            out.members = members
        }
        return out
    }

    /// `{"marathonApp": "marathon-lb.json"}`: the Marathon app that runs marathon-lb. Marathon passes
    /// its `env` to the task; `cmd` runs under sh -c (its $VAR expand), `args` are exec'd as they are
    /// (after the image's entry point, /marathon-lb/run).
    static func marathonApp(_ value: JSONValue, path mp: String, variables: [String: String], budget: inout Int,
                            explicit: MarathonLBVersion? = nil, image: inout (version: MarathonLBVersion, image: String, location: SourceLocation?)?,
                            _ d: Diagnostics) -> OtherSource {
        var out = OtherSource()
        guard let rel = value.stringValue else { d.error(mp, at: value, typeMismatch("a Marathon app definition (JSON), relative to the scenario's folder", value)); return out }
        guard let f = deployedPath(rel, path: mp, at: value, folder: false, d),
              let text = readDeployedText(f.real, display: f.display, path: mp, at: value, budget: &budget, d) else { return out }
        let parsed = JSONParser.parse(text, file: f.display)
        for e in parsed.errors { d.error(mp, location: SourceLocation(file: f.display, line: e.line, column: e.column), e.message) }
        guard parsed.errors.isEmpty, let app = parsed.value else { return out }
        guard app.objectMembers != nil else { d.error(mp, at: app, typeMismatch("a Marathon app definition (an object with args or cmd)", app)); return out }
        if let iv = app["container"]?["docker"]?["image"], let name = iv.stringValue {
            switch marathonLBImageRelease(name) {
            case .release(let x):
                image = (x, name, iv.location)
                if let explicit, explicit != x {
                    d.warning(mp, at: iv, "\(f.display) runs \(name), marathon-lb \(x); marathonLB.version \(explicit) is used (its options, its file, its HAProxy): set version to \(x) to follow the image")
                }
            case .unsupported(let tag):
                if let explicit {
                    d.warning(mp, at: iv, "\(f.display) runs \(name), whose tag \(JSONValue.quote(tag)) is no marathon-lb release the simulator has (\(MarathonLBVersion.supportedRange)); marathonLB.version \(explicit) is used")
                } else {
                    d.error(mp, at: iv, "\(f.display) runs \(name): \(JSONValue.quote(tag)) is no marathon-lb release the simulator has (the tags v1.5.0 to v1.15.0); set marathonLB.version to the release it runs")
                }
            case .untagged(let tag):
                d.warning(mp, at: iv, "\(f.display) runs \(name), whose tag \(tag.map { JSONValue.quote($0) } ?? "(none: latest)") names no release; the release is marathonLB.version (\(explicit ?? .baseline))")
            case .other: break
            }
        }
        var vars = variables
        for em in app["env"]?.objectMembers ?? [] {
            guard let s = em.value.stringValue else { continue }     // a secret reference
            vars[em.key] = s
            out.environment.append(EnvironmentAssignment(name: em.key, value: s, location: em.value.location ?? SourceLocation(file: f.display, line: nil, column: nil)))
        }
        let args = app["args"], cmd = app["cmd"]
        if let args, !args.isNull, let cmd, !cmd.isNull {
            d.error(mp, at: app, "\(f.display): an app with both args and cmd; Marathon refuses it (AppDefinition: `cmd` and `args` are mutually exclusive)"); return out
        }
        if let args, !args.isNull {
            guard let a = args.arrayValue, a.allSatisfy({ $0.stringValue != nil }) else { d.error(mp, at: args, "\(f.display): args must be a list of strings"); return out }
            out.command = a.map { ($0.stringValue!, $0.location) }
        } else if let cmd, !cmd.isNull {
            guard cmd.stringValue != nil else { d.error(mp, at: cmd, "\(f.display): cmd must be a string"); return out }
            out.command = commandLineWords(cmd, path: mp, variables: vars, d)
        } else {
            d.error(mp, at: app, "\(f.display) gives neither args nor cmd: no marathon-lb command line to read")
        }
        return out
    }

    enum ImageRelease: Equatable { case release(MarathonLBVersion), unsupported(String), untagged(String?), other }

    /// What a Docker image name says of the marathon-lb release: `mesosphere/marathon-lb:v1.14.2`
    /// (Docker Hub, with or without `docker.io/` or `index.docker.io/`) is that release; a tag like
    /// `latest` or none names none; other images (forks, other registries) are not read.
    static func marathonLBImageRelease(_ image: String) -> ImageRelease {
        var name = Substring(image.prefix { $0 != "@" })
        for registry in ["docker.io/", "index.docker.io/", "registry.hub.docker.com/"] where name.hasPrefix(registry) { name = name.dropFirst(registry.count) }
        var tag: String? = nil
        if let colon = name.lastIndex(of: ":"), !name[colon...].contains("/") { tag = String(name[name.index(after: colon)...]); name = name[..<colon] }
        guard name == "mesosphere/marathon-lb" else { return .other }
        guard let t = tag, t.hasPrefix("v"), t.dropFirst().first?.isNumber == true else { return .untagged(tag) }
        guard let x = MarathonLBVersion(parsing: String(t.dropFirst())), x.isRelease else { return .unsupported(t) }
        return .release(x)
    }

    /// A `commandLine` value's words: a string split as sh splits it (`$VAR` from `variables`), or
    /// a list of strings (an argv, as systemd or Docker's exec form gives it). nil after an error.
    static func commandLineWords(_ v: JSONValue, path mp: String, variables: [String: String], _ d: Diagnostics) -> [(word: String, location: SourceLocation?)]? {
        if let s = v.stringValue {
            var unset: [String] = []
            switch ShellWords.split(s, variables: variables, unset: &unset) {
            case .failure(let f): d.error(mp, at: v, f.message); return nil
            case .success(let w):
                for u in Set(unset).sorted() { d.warning(mp, at: v, "$\(u) is not set by the environment files of this list; it expands to nothing, as in sh") }
                return w.map { ($0, v.location) }
            }
        }
        if let a = v.arrayValue, a.allSatisfy({ $0.stringValue != nil }) { return a.map { ($0.stringValue!, $0.location) } }
        d.error(mp, at: v, typeMismatch("a command line (a string, split as sh splits it) or its words (a list of strings)", v))
        return nil
    }

    /// `marathonLB.flags` (merged over the deployed options: the scenario's own win): every
    /// option of marathon_lb.py v1.11.0 under its own name (a short name or an abbreviation
    /// argparse accepts too); the unmodelled ones are named in one warning. Returns the groups
    /// `--group` gives (nil: none) and whether `--sse` was given.
    static func decodeMarathonLBFlags(_ v: JSONValue, path: String, into f: inout MarathonLBFlags, version: MarathonLBVersion = .baseline,
                                      _ d: Diagnostics) -> (groups: [String]?, sse: Bool) {
        var groups: [String]? = nil
        var sse = false
        guard let members = v.objectMembers else { d.error(path, at: v, typeMismatch("an object of marathon-lb's options, like {\"--health-check\": true}", v)); return (nil, false) }
        var seen: [String: String] = [:]     // long name -> the key that gave it
        var notModelled: [String] = []
        for m in members {
            let p = JSONPath.key(path, m.key)
            let keyLoc = m.keyLocation ?? m.value.location
            let o: MarathonLBOption
            switch MarathonLBArgparse.resolve(m.key, version) {
            case .option(let x, _, nil):
                o = x
            case .ambiguous(let msg):
                d.error(p, location: keyLoc, "marathon_lb.py: error: \(msg)"); continue
            default:
                if let since = MarathonLBArgparse.since(m.key, missingIn: version) {
                    d.error(p, location: keyLoc, "\(m.key) exists from marathon-lb \(since); marathonLB.version is \(version): marathon-lb v\(version)'s marathon_lb.py refuses it (unrecognized arguments: \(m.key))"); continue
                }
                let longs = MarathonLBArgparse.options(version).map(\.long)
                let hint = m.key.hasPrefix("-") ? Suggest.didYouMean(m.key, among: longs)
                    : Suggest.didYouMean("--" + m.key, among: longs).isEmpty ? "" : "; options are written with their dashes, like \"--\(m.key)\""
                d.error(p, location: keyLoc, "marathon_lb.py: error: unrecognized arguments: \(m.key)\(hint)"); continue
            }
            if let other = seen[o.long] {
                d.error(p, location: keyLoc, "\(o.display) is given twice (as \(JSONValue.quote(other)) and \(JSONValue.quote(m.key))); give it once"); continue
            }
            seen[o.long] = m.key
            switch o.kind {
            case .storeTrue:
                guard let b = m.value.boolValue else { d.error(p, at: m.value, typeMismatch("true or false (\(o.display) takes no value: true gives it, false leaves it out)", m.value)); continue }
                guard b else { continue }
                switch o.long {
                case "--help", "--longhelp":
                    d.error(p, at: m.value, "\(o.display): marathon_lb.py prints its help and exits; the load balancer does not start"); continue
                case "--health-check": f.healthCheck = true
                case "--strict-mode": f.strictMode = true
                case "--skip-validation": f.skipValidation = true
                case "--skip-config-cleanup": f.skipConfigCleanup = true
                case "--sse": sse = true
                default: notModelled.append(o.long)
                }
            case .int:
                let text: String
                if let n = m.value.numberValue, let i = n.int64 { text = String(i) }
                else if let s = m.value.stringValue { text = s }
                else { d.error(p, at: m.value, typeMismatch("an integer (or a string Python's int() reads)", m.value)); continue }
                guard let x = MarathonLBArgparse.pythonInt(text) else { d.error(p, at: m.value, "marathon_lb.py: error: argument \(o.display): invalid int value: \(MarathonLBArgparse.repr(text))"); continue }
                func ranged(_ lo: Int64, _ hi: Int64, _ what: String) -> Int? {
                    guard x >= lo && x <= hi else { d.error(p, at: m.value, "\(o.long) \(x): the simulator takes \(lo)..\(hi) (\(what))"); return nil }
                    return Int(x)
                }
                switch o.long {
                case "--reload-interval": if let y = ranged(0, 86_400, "seconds between reload retries") { f.reloadInterval = y }
                case "--max-reload-retries": if let y = ranged(-1, 1_000_000, "-1: infinite") { f.maxReloadRetries = y }
                case "--min-serv-port-ip-per-task": if let y = ranged(0, 65_535, "a port; 0 with the max at 0 turns the assignment off") { f.minServPortIpPerTask = y }
                case "--max-serv-port-ip-per-task": if let y = ranged(0, 65_535, "a port; 0 with the min at 0 turns the assignment off") { f.maxServPortIpPerTask = y }
                case "--max-backoff": if let y = ranged(0, 86_400, "seconds: the cap of the event stream's reconnect wait") { f.maxBackoff = y }
                default: notModelled.append(o.long)
                }
            case .string:
                guard m.value.stringValue != nil else { d.error(p, at: m.value, typeMismatch("a string", m.value)); continue }
                notModelled.append(o.long)
            case .append, .oneOrMore:
                var values: [String] = []
                if let s = m.value.stringValue { values = [s] }
                else if let a = m.value.arrayValue, !a.isEmpty, a.allSatisfy({ $0.stringValue != nil }) { values = a.map { $0.stringValue! } }
                else { d.error(p, at: m.value, typeMismatch("a string or a non-empty list of strings", m.value)); continue }
                if o.long == "--group" {
                    var unique: [String] = [], seen = Set<String>()
                    for g in values where seen.insert(g).inserted { unique.append(g) }
                    groups = unique
                } else if o.long == "--marathon" {
                    // requests refuses a URL without a scheme (MissingSchema) at every call
                    var hosts: [String] = []
                    for (k, u) in values.enumerated() {
                        guard let h = MarathonLBArgparse.urlHost(u) else {
                            d.error(m.value.arrayValue != nil ? JSONPath.index(p, k) : p, at: m.value, "--marathon \(MarathonLBArgparse.repr(u)): marathon-lb's requests refuse it at every call (MissingSchema/InvalidURL); give a URL like http://master-01:8080")
                            continue
                        }
                        hosts.append(h)
                    }
                    f.marathonHosts = hosts
                } else { notModelled.append(o.long) }
            }
        }
        if !notModelled.isEmpty {
            d.warning(path, at: v, "options accepted but not modelled: \(notModelled.joined(separator: ", ")) (marathon-lb \(version) takes them; they do not change what the simulation does)")
        }
        // marathon_lb.py __main__, after parsing
        if (f.minServPortIpPerTask != 0) != (f.maxServPortIpPerTask != 0) {
            d.error(JSONPath.key(path, "--min-serv-port-ip-per-task"), at: v, "marathon_lb.py: error: either specify both --min-serv-port-ip-per-task and --max-serv-port-ip-per-task or neither (set both to zero to disable auto assignment)")
        } else if f.minServPortIpPerTask > f.maxServPortIpPerTask {
            d.error(JSONPath.key(path, "--min-serv-port-ip-per-task"), at: v["--min-serv-port-ip-per-task"] ?? v,
                    "marathon-lb: cannot set --min-serv-port-ip-per-task to a higher value than --max-serv-port-ip-per-task (\(f.minServPortIpPerTask) > \(f.maxServPortIpPerTask))")
        }
        return (groups, sse)
    }
}
