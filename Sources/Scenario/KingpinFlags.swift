import ClusterModel
import SimKernel

// Prometheus' and Alertmanager's command-line flags as kingpin reads them
// (gopkg.in/alecthomas/kingpin.v2 v2.2.6, the release both go.mod files require at
// prometheus v2.42.0 and alertmanager v0.25.0): the values each flag type's `Set` takes, the
// command-line tokenizer and its errors, and the pass that sorts the members of
// `prometheus.flags` / `alertmanager.flags` before the modelled flags are decoded: every flag of
// the binary loads (PrometheusFlagTable.swift, AlertmanagerFlagTable.swift), the ones the simulator
// does not model are parsed by their type and named in one warning, an unknown name and a value
// kingpin refuses are errors in kingpin's words. docs/monitoring.md and docs/alertmanager.md
// "Every flag".

/// How kingpin reads a flag's value (its `Value.Set`).
enum KingpinKind: Equatable, Sendable {
    case string        // String()/StringVar: taken as written
    case bool          // Bool()/BoolVar: strconv.ParseBool; on a command line `--x` / `--no-x` only
    case int           // Int()/IntVar: kingpin v2.2.6 parses with strconv.ParseFloat and truncates
    case modelDuration // SetValue(&model.Duration): prometheus/common model.ParseDuration ("15d", "1h30m")
    case goDuration    // Duration()/DurationVar: Go time.ParseDuration ("1.5h", "300ms")
    case bytes         // BytesVar: alecthomas/units ParseBase2Bytes ("512MB", "1GiB")
    case strings       // Strings()/StringsVar: repeatable, each occurrence one value
    case logLevel      // promlog AllowedLevel: debug, info, warn, error
    case logFormat     // promlog AllowedFormat: logfmt, json

    /// The kind in words, with an example of its command-line form.
    var described: String {
        switch self {
        case .string: return "a string"
        case .bool: return "a boolean (true or false, or \"true\"/\"false\")"
        case .int: return "an integer (a number, or its text as kingpin reads it: \"5e7\" is 50000000)"
        case .modelDuration: return "a Prometheus duration string (\"15d\", \"1h30m\", \"500ms\")"
        case .goDuration: return "a Go duration string (\"1.5h\", \"300ms\", \"2m30s\")"
        case .bytes: return "a size string with its unit (\"512MB\", \"1GiB\"; powers of 2)"
        case .strings: return "a string or an array of strings (the flag may be repeated)"
        case .logLevel: return "one of \"debug\", \"info\", \"warn\", \"error\""
        case .logFormat: return "\"logfmt\" or \"json\""
        }
    }

    var typeName: String {
        switch self {
        case .string: return "string"
        case .bool: return "bool"
        case .int: return "int"
        case .modelDuration: return "model.Duration"
        case .goDuration: return "time.Duration"
        case .bytes: return "units.Base2Bytes"
        case .strings: return "strings (repeatable)"
        case .logLevel: return "promlog.AllowedLevel"
        case .logFormat: return "promlog.AllowedFormat"
        }
    }
}

/// One flag of a kingpin application.
struct KingpinFlagInfo: Sendable {
    let name: String
    let kind: KingpinKind
    /// Its `Default(...)`, as written in the source ("" when none).
    let defaultValue: String
    let hidden: Bool
    /// Prometheus: a flag only the server (`serverOnlyFlag`) or only agent mode (`agentOnlyFlag`) takes.
    let scope: Scope
    enum Scope: Sendable { case any, server, agent }

    init(_ name: String, _ kind: KingpinKind, _ defaultValue: String = "", hidden: Bool = false, scope: Scope = .any) {
        self.name = name; self.kind = kind; self.defaultValue = defaultValue; self.hidden = hidden; self.scope = scope
    }
}

/// A value kingpin (or the flag type's `Set`) refuses: the error text.
struct KingpinError: Error, Equatable { let message: String }

/// Parsers with Go's and the flag libraries' rules and error texts.
enum KingpinParse {
    /// strconv.ParseBool.
    static func bool(_ s: String) -> Result<Bool, KingpinError> {
        switch s {
        case "1", "t", "T", "TRUE", "true", "True": return .success(true)
        case "0", "f", "F", "FALSE", "false", "False": return .success(false)
        default: return .failure(KingpinError(message: "strconv.ParseBool: parsing \(JSONValue.quote(s)): invalid syntax"))
        }
    }

    /// strconv.ParseFloat(s, 64): decimal and hexadecimal floating-point literals with `_` between
    /// digits, "inf", "infinity", "nan" in any case, an optional sign.
    static func float(_ s: String) -> Result<Double, KingpinError> {
        let syntax = KingpinError(message: "strconv.ParseFloat: parsing \(JSONValue.quote(s)): invalid syntax")
        let range = KingpinError(message: "strconv.ParseFloat: parsing \(JSONValue.quote(s)): value out of range")
        var b = Array(s.utf8)
        guard !b.isEmpty, b.count <= 1000 else { return .failure(b.isEmpty ? syntax : range) }
        var negative = false
        if b[0] == UInt8(ascii: "+") || b[0] == UInt8(ascii: "-") { negative = b[0] == UInt8(ascii: "-"); b.removeFirst() }
        let lower = String(decoding: b, as: UTF8.self).lowercased()
        if lower == "inf" || lower == "infinity" { return .success(negative ? -.infinity : .infinity) }
        if lower == "nan" { return .success(.nan) }
        // underscores: only between digits (or after a base prefix), as Go's underscoreOK
        var hex = false
        var i = 0
        if b.count >= 2, b[0] == UInt8(ascii: "0"), b[1] | 0x20 == UInt8(ascii: "x") { hex = true; i = 2 }
        var saw: Character = i == 2 ? "0" : "^"
        var clean: [UInt8] = Array(b[0..<i])
        func isDigit(_ c: UInt8) -> Bool { (48...57).contains(c) || (hex && ((97...102).contains(c | 0x20))) }
        var inExponent = false
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "_") {
                guard saw == "0" else { return .failure(syntax) }
                saw = "_"; i += 1; continue
            }
            if isDigit(c) && !(inExponent && !(48...57).contains(c)) { saw = "0" }
            else {
                if saw == "_" { return .failure(syntax) }
                saw = "!"
                if (!hex && c | 0x20 == UInt8(ascii: "e")) || (hex && c | 0x20 == UInt8(ascii: "p")) { inExponent = true }
            }
            clean.append(c); i += 1
        }
        if saw == "_" { return .failure(syntax) }
        let text = String(decoding: clean, as: UTF8.self)
        let value: Double?
        if hex {
            // Go requires the p exponent in a hexadecimal floating-point literal
            guard text.lowercased().contains("p") else { return .failure(syntax) }
            value = Double(text)
        } else {
            // digits, an optional fraction, an optional exponent; at least one digit
            let digits = text.utf8
            var j = digits.startIndex, mantissa = 0
            while j != digits.endIndex, (48...57).contains(digits[j]) { mantissa += 1; j = digits.index(after: j) }
            if j != digits.endIndex, digits[j] == UInt8(ascii: ".") {
                j = digits.index(after: j)
                while j != digits.endIndex, (48...57).contains(digits[j]) { mantissa += 1; j = digits.index(after: j) }
            }
            guard mantissa > 0 else { return .failure(syntax) }
            if j != digits.endIndex {
                guard digits[j] | 0x20 == UInt8(ascii: "e") else { return .failure(syntax) }
                j = digits.index(after: j)
                if j != digits.endIndex, digits[j] == UInt8(ascii: "+") || digits[j] == UInt8(ascii: "-") { j = digits.index(after: j) }
                var expDigits = 0
                while j != digits.endIndex, (48...57).contains(digits[j]) { expDigits += 1; j = digits.index(after: j) }
                guard expDigits > 0, j == digits.endIndex else { return .failure(syntax) }
            }
            value = Double(text)
        }
        guard let v = value else { return .failure(syntax) }
        if v.isInfinite { return .failure(range) }
        return .success(negative ? -v : v)
    }

    /// kingpin v2.2.6 `intValue.Set`: strconv.ParseFloat, then Go's `int(v)` (truncated toward
    /// zero). Go leaves the conversion of NaN, an infinity or a value beyond int64 undefined; the
    /// simulator refuses them.
    static func int(_ s: String) -> Result<Int64, KingpinError> {
        switch float(s) {
        case .failure(let e): return .failure(e)
        case .success(let x):
            guard x.isFinite, x > -9.223372036854775808e18, x < 9.223372036854775808e18 else {
                return .failure(KingpinError(message: "\(JSONValue.quote(s)) is beyond an int: Go's int(float64) of it is undefined (kingpin reads integers with strconv.ParseFloat)"))
            }
            return .success(Int64(x.rounded(.towardZero)))
        }
    }

    /// prometheus/common model.ParseDuration (v0.39.0 model/time.go).
    static func modelDuration(_ s: String) -> Result<SimDuration, KingpinError> {
        switch PromDuration.parse(s) {
        case .success(let ms): return .success(.milliseconds(ms))
        case .failure(let e): return .failure(KingpinError(message: e.message))
        }
    }

    /// Go time.ParseDuration, with its error texts.
    static func goDuration(_ s: String) -> Result<SimDuration, KingpinError> {
        if let d = GoDuration.parse(s) { return .success(d) }
        let q = JSONValue.quote(s)
        let invalid = KingpinError(message: "time: invalid duration \(q)")
        // which error Go gives: walk its grammar [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+
        var b = Substring(s).utf8[...]
        if let f = b.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { b = b.dropFirst() }
        if b.isEmpty { return .failure(invalid) }
        let units: Set<String> = ["ns", "us", "µs", "μs", "ms", "s", "m", "h"]
        while !b.isEmpty {
            guard let c = b.first, c == UInt8(ascii: ".") || (48...57).contains(c) else { return .failure(invalid) }
            let intDigits = b.prefix { (48...57).contains($0) }
            b = b.dropFirst(intDigits.count)
            var fracDigits = 0
            if b.first == UInt8(ascii: ".") {
                b = b.dropFirst()
                let f = b.prefix { (48...57).contains($0) }
                fracDigits = f.count; b = b.dropFirst(f.count)
            }
            if intDigits.isEmpty && fracDigits == 0 { return .failure(invalid) }
            let unit = b.prefix { $0 != UInt8(ascii: ".") && !(48...57).contains($0) }
            b = b.dropFirst(unit.count)
            if unit.isEmpty { return .failure(KingpinError(message: "time: missing unit in duration \(q)")) }
            let u = String(decoding: unit, as: UTF8.self)
            if !units.contains(u) { return .failure(KingpinError(message: "time: unknown unit \(JSONValue.quote(u)) in duration \(q)")) }
        }
        return .failure(invalid)   // well-formed but beyond int64 nanoseconds
    }

    /// alecthomas/units ParseBase2Bytes: `[-+]?([0-9]*(\.[0-9]*)?UNIT)+`, units B, KB, MB ... EB
    /// and KiB ... EiB (both powers of 2); "0" alone; the total truncated to an int64.
    static func bytes(_ s: String) -> Result<Int64, KingpinError> {
        let invalid = KingpinError(message: "units: invalid \(s)")
        let scale: [String: Double] = ["B": 1, "KB": 1024, "MB": 1024 * 1024, "GB": 1024 * 1024 * 1024, "TB": 1099511627776, "PB": 1125899906842624, "EB": 1152921504606846976,
                                       "KiB": 1024, "MiB": 1024 * 1024, "GiB": 1024 * 1024 * 1024, "TiB": 1099511627776, "PiB": 1125899906842624, "EiB": 1152921504606846976]
        var b = Substring(s).utf8[...]
        var negative = false
        if let f = b.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { negative = f == UInt8(ascii: "-"); b = b.dropFirst() }
        if String(decoding: b, as: UTF8.self) == "0" { return .success(0) }
        if b.isEmpty { return .failure(invalid) }
        var total = 0.0
        while !b.isEmpty {
            guard let c = b.first, c == UInt8(ascii: ".") || (48...57).contains(c) else { return .failure(invalid) }
            let intDigits = b.prefix { (48...57).contains($0) }
            guard intDigits.count < 19 else { return .failure(invalid) }   // leadingInt's overflow
            b = b.dropFirst(intDigits.count)
            var g = Double(Int64(String(decoding: intDigits, as: UTF8.self)) ?? 0)
            var post = false
            if b.first == UInt8(ascii: ".") {
                b = b.dropFirst()
                let f = b.prefix { (48...57).contains($0) }
                guard f.count < 19 else { return .failure(invalid) }
                if !f.isEmpty { g += Double(Int64(String(decoding: f, as: UTF8.self)) ?? 0) / pow10(f.count) }
                post = !f.isEmpty; b = b.dropFirst(f.count)
            }
            if intDigits.isEmpty && !post { return .failure(invalid) }
            let unit = b.prefix { $0 != UInt8(ascii: ".") && !(48...57).contains($0) }
            b = b.dropFirst(unit.count)
            let u = String(decoding: unit, as: UTF8.self)
            guard let m = scale[u] else { return .failure(KingpinError(message: "units: unknown unit \(u) in \(s)")) }
            total += g * m
        }
        if negative { total = -total }
        guard total >= -9.223372036854775808e18, total <= 9.223372036854775807e18 else { return .failure(KingpinError(message: "units: overflow parsing unit")) }
        return .success(Int64(total))
    }

    static func pow10(_ n: Int) -> Double { var x = 1.0; for _ in 0..<n { x *= 10 }; return x }

    /// Go net.SplitHostPort's error for an address, or nil when it splits (host, port).
    static func splitHostPort(_ hostport: String) -> Result<(host: String, port: String), KingpinError> {
        func fail(_ why: String) -> Result<(host: String, port: String), KingpinError> { .failure(KingpinError(message: "address \(hostport): \(why)")) }
        let b = Array(hostport.utf8)
        guard let i = b.lastIndex(of: UInt8(ascii: ":")) else { return fail("missing port in address") }
        var j = 0, k = 0
        let host: [UInt8]
        if b.first == UInt8(ascii: "[") {
            guard let end = b.firstIndex(of: UInt8(ascii: "]")) else { return fail("missing ']' in address") }
            switch end + 1 {
            case b.count: return fail("missing port in address")
            case i: break
            default: return fail(b[end + 1] == UInt8(ascii: ":") ? "too many colons in address" : "missing port in address")
            }
            host = Array(b[1..<end]); j = 1; k = end + 1
        } else {
            host = Array(b[..<i])
            if host.contains(UInt8(ascii: ":")) { return fail("too many colons in address") }
        }
        if b[j...].contains(UInt8(ascii: "[")) { return fail("unexpected '[' in address") }
        if b[k...].contains(UInt8(ascii: "]")) { return fail("unexpected ']' in address") }
        return .success((String(decoding: host, as: UTF8.self), String(decoding: b[(i + 1)...], as: UTF8.self)))
    }
}

/// A kingpin program the simulator reads flags for.
enum KingpinProgram: Sendable {
    case prometheus, alertmanager

    var table: [KingpinFlagInfo] { self == .prometheus ? ScenarioSchema.prometheusFlagTable : ScenarioSchema.alertmanagerFlagTable }
    var binary: String { self == .prometheus ? "prometheus" : "alertmanager" }
    var release: String { self == .prometheus ? "Prometheus 2.42.0" : "Alertmanager 0.25.0" }

    /// A command-line parse error as the binary prints it: Prometheus
    /// (cmd/prometheus/main.go) "Error parsing commandline arguments: ...", exit 2; Alertmanager
    /// (kingpin.Parse, MustParse) "alertmanager: error: ..., try --help", exit 1.
    func parseError(_ message: String) -> String {
        switch self {
        case .prometheus: return "Error parsing commandline arguments: \(message) (prometheus exits)"
        case .alertmanager: return "alertmanager: error: \(message), try --help (alertmanager exits)"
        }
    }

    func flag(_ name: String) -> KingpinFlagInfo? { table.first { $0.name == name } }
    var names: [String] { table.map(\.name).sorted() }
}

extension ScenarioSchema {
    /// Parses a string value of `kind` as the flag's `Set` does. Returns the value for the readers
    /// (a JSON boolean or number in place of the string; others as given) or the error.
    static func kingpinValue(_ s: String, kind: KingpinKind, at v: JSONValue) -> Result<JSONValue, KingpinError> {
        switch kind {
        case .string, .strings: return .success(v)
        case .bool: return KingpinParse.bool(s).map { JSONValue(.bool($0), location: v.location) }
        case .int: return KingpinParse.int(s).map { JSONValue(.number(JSONNumber(text: String($0), double: Double($0))), location: v.location) }
        case .modelDuration: return KingpinParse.modelDuration(s).map { _ in v }
        case .goDuration: return KingpinParse.goDuration(s).map { _ in v }
        case .bytes: return KingpinParse.bytes(s).map { _ in v }
        case .logLevel:
            return ["debug", "info", "warn", "error"].contains(s) ? .success(v) : .failure(KingpinError(message: "unrecognized log level \(JSONValue.quote(s))"))
        case .logFormat:
            return ["logfmt", "json"].contains(s) ? .success(v) : .failure(KingpinError(message: "unrecognized log format \(JSONValue.quote(s))"))
        }
    }

    /// Whether a typed JSON value (not a string) suits `kind`; nil when it does, else the problem.
    static func kingpinTypedValueProblem(_ v: JSONValue, kind: KingpinKind) -> String? {
        switch (kind, v.kind) {
        case (.bool, .bool): return nil
        case (.int, .number(let n)):
            return n.int64 != nil ? nil : "expected an integer (an int64), got \(n.text)"
        case (.strings, .array(let a)):
            return a.allSatisfy({ $0.stringValue != nil }) ? nil : "expected a string or an array of strings (one per occurrence of the flag), got \(v.brief)"
        default: return "expected \(kind.described), got \(v.described)"
        }
    }

    /// The string values a flag was given (one per occurrence for a repeatable flag); nil when it is
    /// not a string or strings.
    static func kingpinStrings(_ v: JSONValue) -> [String]? {
        if let s = v.stringValue { return [s] }
        if let a = v.arrayValue { let s = a.compactMap(\.stringValue); return s.count == a.count ? s : nil }
        return nil
    }

    /// Sorts a flags object: returns the members for the modelled readers (`modelled` names, their
    /// string values checked as kingpin reads them; `passStrings`: the readers take the string
    /// themselves, else a typed value is put in its place); every other flag of the binary is parsed
    /// by its type and named in one warning; unknown names and refused values are errors. The
    /// binary's own checks after parsing follow (`kingpinProgramChecks`).
    static func prepareKingpinFlags(_ v: JSONValue, path: String, program: KingpinProgram, modelled: SectionKeys,
                                    _ d: Diagnostics) -> JSONValue {
        guard let members = v.objectMembers else { return v }
        var kept: [JSONMember] = []
        var notModelled: [String] = []
        var given: [(info: KingpinFlagInfo, member: JSONMember)] = []
        var seen: Set<String> = []
        for m in members {
            let key = m.key
            let p = JSONPath.key(path, key)
            let keyLocation = m.keyLocation ?? m.value.location
            var info = program.flag(key)
            var member = m
            // kingpin's `--no-<flag>` for a boolean flag
            if info == nil, key.hasPrefix("no-"), let base = program.flag(String(key.dropFirst(3))), base.kind == .bool {
                guard m.value.stringValue == "" || m.value.boolValue == true else {
                    d.error(p, at: m.value, "\(JSONValue.quote(key)) is kingpin's negation of --\(base.name) and takes no value, got \(m.value.brief) (write \(JSONValue.quote(base.name)): false)")
                    continue
                }
                info = base
                member = JSONMember(key: base.name, keyLocation: m.keyLocation, value: JSONValue(.bool(false), location: m.value.location))
            }
            guard let info else {
                d.error(p, location: keyLocation, program.parseError("unknown long flag '--\(key)'") + Suggest.didYouMean(key, among: program.names))
                continue
            }
            if !seen.insert(info.name).inserted {
                d.error(p, location: keyLocation, program.parseError("flag '\(info.name)' cannot be repeated") + " (--\(key) and another name of it)")
                continue
            }
            let value = member.value
            if info.kind == .strings, let a = value.arrayValue {
                var failed = false
                for (i, e) in a.enumerated() where e.stringValue == nil {
                    d.error(JSONPath.index(p, i), at: e, "expected a string (one occurrence of --\(info.name)), got \(e.described)"); failed = true
                }
                if failed { continue }
            } else if let s = value.stringValue {
                switch kingpinValue(s, kind: info.kind, at: value) {
                case .failure(let e): d.error(p, at: value, program.parseError(e.message)); continue
                case .success(let x): if !modelled.declares(info.name) { member.value = x }
                }
            } else if let problem = kingpinTypedValueProblem(value, kind: info.kind) {
                if !modelled.declares(info.name) { d.error(p, at: value, problem); continue }
            }
            if info.name == "help" || info.name == "version" {
                if member.value.boolValue != false {
                    d.error(p, at: value, "with --\(info.name) \(program.binary) prints its \(info.name == "help" ? "usage" : "version") and exits without starting; remove it")
                }
                continue
            }
            given.append((info, member))
            if modelled.declares(info.name) { kept.append(member) } else { notModelled.append(info.name) }
        }
        kingpinProgramChecks(program, given: given, path: path, at: v, d)
        if !notModelled.isEmpty {
            d.warning(path, at: v, "flags accepted but not modelled: \(notModelled.sorted().joined(separator: ", "))")
        }
        return JSONValue(.object(kept), location: v.location)
    }

    static func kingpinProgramChecks(_ program: KingpinProgram, given: [(info: KingpinFlagInfo, member: JSONMember)], path: String, at v: JSONValue, _ d: Diagnostics) {
        switch program {
        case .prometheus: prometheusFlagChecks(given, path: path, at: v, d)
        case .alertmanager: alertmanagerFlagChecks(given, path: path, at: v, d)
        }
    }

    // MARK: command lines

    /// kingpin's reading of a deployed command line (parser.go, flags.go, app.go at v2.2.6): the
    /// flags as a JSON object of strings (arrays for repeatable flags) for `prepareKingpinFlags`;
    /// nil after an error. kingpin stops at the first error, and so does this.
    /// The first word is the program when it does not start with "-" (ExecStart's, `docker run`'s
    /// entrypoint). With no command line in the list, the environment files' `ARGS` is the
    /// command line (the Debian packages' units: `ExecStart=/usr/bin/prometheus $ARGS`).
    static func kingpinDeployedFlags(_ v: JSONValue, path: String, flagsPath: String, program: KingpinProgram, _ d: Diagnostics) -> [JSONMember]? {
        let fp: FlagProgram = program == .prometheus ? .prometheus : .alertmanager
        // Prometheus and Alertmanager have no flag folders: refused before anything is read
        if let list = v.arrayValue {
            for (i, e) in list.enumerated() where e.objectMembers?.first?.key == "folder" {
                d.error(JSONPath.key(JSONPath.index(path, i), "folder"), at: e, "\(program.binary) reads its flags from its command line only (kingpin has no flag folder); give {\"commandLine\": \"...\"} or {\"environmentFile\": \"...\"}")
                return nil
            }
        }
        guard let sources = deployedFlagWords(v, path: path, program: fp, d) else { return nil }
        let (args, environment) = (sources.args, sources.environment)
        let hasCommandLine = v.arrayValue?.contains { $0.objectMembers?.first?.key == "commandLine" } ?? false
        var words = args
        if !hasCommandLine {
            guard let a = environment.last(where: { $0.name == "ARGS" }) else {
                d.error(path, at: v, "no command line: give {\"commandLine\": \"/usr/bin/\(program == .prometheus ? "prometheus" : "prometheus-alertmanager") $ARGS\"}, or an environment file that sets ARGS (the Debian package's unit runs the binary with $ARGS)")
                return nil
            }
            var unset: [String] = []
            guard case .success(let w) = ShellWords.split("$ARGS", variables: ["ARGS": a.value], unset: &unset) else { return nil }
            words = w.map { ($0, a.location) }
        } else if let first = words.first, !first.word.hasPrefix("-") {
            words.removeFirst()   // the program
        }
        var out: [JSONMember] = []
        var repeats: [String: Int] = [:]   // index in `out` of a repeatable flag
        var argsOnly = false
        var i = 0
        func fail(_ message: String, _ loc: SourceLocation?, key: String? = nil) -> [JSONMember]? {
            d.error(key.map { JSONPath.key(flagsPath, $0) } ?? path, location: loc, program.parseError(message)); return nil
        }
        while i < words.count {
            let (w, loc) = words[i]; i += 1
            if argsOnly || !w.hasPrefix("-") {
                if !argsOnly && w.hasPrefix("@") {
                    d.error(path, location: loc, "\(JSONValue.quote(w)): kingpin would read more arguments from the file \(JSONValue.quote(String(w.dropFirst()))); argument files are not read here: write its arguments instead")
                    return nil
                }
                return fail("unexpected \(w)", loc)
            }
            if w == "--" { argsOnly = true; continue }
            var name: String, value: String? = nil
            if w.hasPrefix("--") {
                name = String(w.dropFirst(2))
                if let eq = name.firstIndex(of: "=") { value = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
            } else {
                // a short flag: only -h (help) exists ("-" alone is a short flag without a name)
                let short = String(w.dropFirst().prefix(1))
                guard short == "h" else { return fail("unknown short flag '-\(short)'", loc) }
                name = "help"
            }
            var info = program.flag(name)
            var invert = false
            if info == nil, name.hasPrefix("no-") { info = program.flag(String(name.dropFirst(3))); invert = true }
            guard let flag = info else {
                d.error(JSONPath.key(flagsPath, name), location: loc, program.parseError("unknown long flag '--\(name)'") + Suggest.didYouMean(name, among: program.names))
                return nil
            }
            let text: String
            if flag.kind == .bool {
                // `--x=true` leaves "true" as an argument: kingpin's "unexpected true" (#322)
                if let value { return fail("unexpected \(value)", loc, key: flag.name) }
                text = invert ? "false" : "true"
            } else {
                if invert { return fail("unknown long flag '--\(name)'", loc, key: name) }
                if let value { text = value } else {
                    // the next word, unless it is a flag; "--" ends the flags and the one after it is the value
                    var j = i
                    if j < words.count, words[j].word == "--" { argsOnly = true; j += 1 }
                    guard j < words.count, argsOnly || !words[j].word.hasPrefix("-") else {
                        return fail("expected argument for flag '--\(name)'", loc, key: flag.name)
                    }
                    text = words[j].word; i = j + 1
                }
            }
            if flag.name == "help" || flag.name == "version" {
                d.error(JSONPath.key(flagsPath, flag.name), location: loc, "with --\(flag.name) \(program.binary) prints its \(flag.name == "help" ? "usage" : "version") and exits without starting; remove it")
                return nil
            }
            let jv = JSONValue(.string(text), location: loc)
            if flag.kind == .strings {
                if let k = repeats[flag.name], case .array(var a) = out[k].value.kind {
                    guard a.count < maxRepeatedFlagValues else { return fail("--\(flag.name) is given more than \(maxRepeatedFlagValues) times", loc, key: flag.name) }
                    a.append(jv); out[k].value = JSONValue(.array(a), location: out[k].value.location)
                } else {
                    repeats[flag.name] = out.count
                    out.append(JSONMember(key: flag.name, keyLocation: loc, value: JSONValue(.array([jv]), location: loc)))
                }
                continue
            }
            if out.contains(where: { $0.key == flag.name }) { return fail("flag '\(flag.name)' cannot be repeated", loc, key: flag.name) }
            out.append(JSONMember(key: flag.name, keyLocation: loc, value: flag.kind == .bool ? JSONValue(.bool(text == "true"), location: loc) : jv))
        }
        return out
    }

    /// A repeatable flag (`--cluster.peer`) given more often than this is refused (a real
    /// cluster has a handful of peers; a command line repeating it 50,000 times must not be kept).
    static let maxRepeatedFlagValues = 1000

    /// The flags object of `prometheus` / `alertmanager`: `flagsFrom`'s flags with `flags` over
    /// them; nil when neither is given or `flagsFrom` has an error (reported).
    static func kingpinSectionFlags(_ r: ObjectReader, program: KingpinProgram, _ d: Diagnostics) -> JSONValue? {
        let own = r.value("flags")
        guard let from = r.value("flagsFrom") else { return own }
        guard let deployed = kingpinDeployedFlags(from, path: r.keyPath("flagsFrom"), flagsPath: r.keyPath("flags"), program: program, d) else { return nil }
        return mergedFlags(deployed: deployed, own: own, from: from)
    }
}
