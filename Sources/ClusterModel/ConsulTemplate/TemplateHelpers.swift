import SimKernel

// consul-template's pure helpers (hashicorp/consul-template template/funcs.go), with their
// argument order (the piped value comes last: `.Tags | contains "web"` is contains("web", .Tags)):
// strings (`split`, `join`, `replaceAll`, `trim*`, `toLower`, `toUpper`, `toTitle`, `indent`),
// regular expressions with Go's engine (`regexMatch`, `regexReplaceAll`), membership (`in`,
// `contains`, `containsAll`, `containsAny`, `containsNone`, `containsNotAll`), conversions
// (`parseBool`, `parseInt`, `parseFloat`, `parseJSON`, `toJSON`), arithmetic (`add`,
// `subtract`, `multiply`, `divide`, `modulo`, `minimum`, `maximum`) and `loop`.

extension TemplateFunctions {
    static let helperNames: Set<String> = ["join", "split", "replaceAll", "regexReplaceAll", "regexMatch", "trim", "trimPrefix", "trimSuffix",
                                           "trimSpace", "toLower", "toUpper", "toTitle", "indent", "in", "contains", "containsAll", "containsAny",
                                           "containsNone", "containsNotAll", "parseBool", "parseInt", "parseFloat", "parseUint", "parseJSON",
                                           "toJSON", "toJSONPretty", "toUnescapedJSON", "toUnescapedJSONPretty",
                                           "base64Encode", "base64Decode", "base64URLEncode", "base64URLDecode", "add", "subtract", "multiply", "divide", "modulo", "minimum", "maximum", "loop"]
}

extension TemplateRenderer {
    static let maxLoop = 1 << 16

    func regexp(_ f: String, _ re: String) throws(TemplateError) -> GoRegexp {
        do throws(GoRegexpError) { return try GoRegexp.cached(re).regexp } catch {
            throw TemplateError(line: line, "error calling \(f): \(error)")
        }
    }

    /// funcs.go `in(l, v)`: v is an element of the list l, or a substring of the string l.
    static func member(_ l: TemplateValue, _ v: TemplateValue) -> Bool {
        switch l {
        case .list(let xs): return xs.contains { x in
            switch (x, v) {
            case (.string(let a), .string(let b)): return a == b
            case (.int(let a), .int(let b)): return a == b
            case (.float(let a), .float(let b)): return a == b
            default: return false
            }
        }
        case .string(let s):
            guard case .string(let sub) = v else { return false }
            return sub.isEmpty || s.contains(sub)
        default: return false
        }
    }

    func number(_ f: String, _ v: TemplateValue) throws(TemplateError) -> TemplateValue {
        switch v {
        case .int, .float: return v
        default: throw TemplateError(line: line, "error calling \(f): \(f): unknown type for \"\(v.printed)\" (\(v.typeName))")
        }
    }

    func helperCall(_ f: String, _ args: [TemplateValue]) throws(TemplateError) -> TemplateValue? {
        switch f {
        case "join":
            try arity(f, args, 2...2)
            guard case .list(let l) = args[1] else { throw TemplateError(line: line, "join: expected a list, got \(args[1].typeName)") }
            var parts: [String] = []
            for x in l { parts.append(try string(f, x)) }
            return .string(parts.joined(separator: try string(f, args[0])))
        case "split":
            try arity(f, args, 2...2)
            let sep = try string(f, args[0]), s = try string(f, args[1]).trimmingWhitespace()
            if s.isEmpty { return .list([]) }
            if sep.isEmpty { return .list(s.map { .string(String($0)) }) }
            return .list(s.split(separator: sep, omittingEmptySubsequences: false).map { .string(String($0)) })
        case "replaceAll":
            try arity(f, args, 3...3)
            return .string(try string(f, args[2]).replacingAll(try string(f, args[0]), try string(f, args[1])))
        case "regexReplaceAll":
            try arity(f, args, 3...3)
            return .string(try regexp(f, try string(f, args[0])).replaceAll(try string(f, args[2]), try string(f, args[1])))
        case "regexMatch":
            try arity(f, args, 2...2)
            return .bool(try regexp(f, try string(f, args[0])).matches(try string(f, args[1])))
        case "trim", "trimPrefix", "trimSuffix":
            try arity(f, args, 2...2)
            let a = try string(f, args[0]), s = try string(f, args[1])
            switch f {
            case "trimPrefix": return .string(!a.isEmpty && s.hasPrefix(a) ? String(s.dropFirst(a.count)) : s)
            case "trimSuffix": return .string(!a.isEmpty && s.hasSuffix(a) ? String(s.dropLast(a.count)) : s)
            default:
                let cut = Set(a.unicodeScalars)
                var u = Substring(s).unicodeScalars
                while let c = u.first, cut.contains(c) { u = u.dropFirst() }
                while let c = u.last, cut.contains(c) { u = u.dropLast() }
                return .string(String(u))
            }
        case "trimSpace":
            try arity(f, args, 1...1)
            return .string(try string(f, args[0]).trimmingWhitespace())
        case "toLower", "toUpper", "toTitle":
            try arity(f, args, 1...1)
            let s = try string(f, args[0])
            return .string(f == "toLower" ? s.lowercased() : f == "toUpper" ? s.uppercased() : Humanize.title(s))
        case "indent":
            try arity(f, args, 2...2)
            guard case .int(let n) = args[0], n >= 0, n <= 4096 else { throw TemplateError(line: line, "error calling indent: indent value must be a positive integer (at most 4096)") }
            let pad = String(repeating: " ", count: n)
            var out = "", start = true
            for c in try string(f, args[1]) {
                if start && c != "\n" { out += pad }
                out.append(c)
                start = c == "\n"
            }
            return .string(out)
        case "in", "contains":
            try arity(f, args, 2...2)
            // in(list, value); contains(value, list)
            return .bool(f == "in" ? Self.member(args[0], args[1]) : Self.member(args[1], args[0]))
        case "containsAll", "containsAny", "containsNone", "containsNotAll":
            try arity(f, args, 2...2)
            guard case .list(let want) = args[0] else { throw TemplateError(line: line, "\(f): expected a list, got \(args[0].typeName)") }
            // containsSomeFunc(retTrue, invert)
            let (retTrue, invert) = ["containsAll": (true, true), "containsAny": (false, false), "containsNone": (true, false), "containsNotAll": (false, true)][f]!
            for v in want where Self.member(args[1], v) != invert { return .bool(!retTrue) }
            return .bool(retTrue)
        case "parseBool":
            try arity(f, args, 1...1)
            let s = try string(f, args[0])
            switch s {
            case "": return .bool(false)
            case "1", "t", "T", "TRUE", "true", "True": return .bool(true)
            case "0", "f", "F", "FALSE", "false", "False": return .bool(false)
            default: throw TemplateError(line: line, "error calling parseBool: parseBool: strconv.ParseBool: parsing \"\(s)\": invalid syntax")
            }
        case "parseInt", "parseUint":
            try arity(f, args, 1...1)
            let s = try string(f, args[0])
            if s.isEmpty { return .int(0) }
            guard let i = Int(s), f == "parseInt" || i >= 0 else { throw TemplateError(line: line, "error calling \(f): \(f): strconv.Parse\(f == "parseInt" ? "Int" : "Uint"): parsing \"\(s)\": invalid syntax") }
            return .int(i)
        case "parseFloat":
            try arity(f, args, 1...1)
            let s = try string(f, args[0])
            if s.isEmpty { return .float(0) }
            guard let x = Double(s) else { throw TemplateError(line: line, "error calling parseFloat: parseFloat: strconv.ParseFloat: parsing \"\(s)\": invalid syntax") }
            return .float(x)
        case "parseJSON":
            try arity(f, args, 1...1)
            let s = try string(f, args[0])
            if s.isEmpty { return .map(TemplateMap([])) }
            var p = TemplateJSON(Array(s.utf8))
            guard let v = p.document() else { throw TemplateError(line: line, "error calling parseJSON: parseJSON: invalid JSON at byte \(p.i)") }
            return v
        case "base64Encode", "base64URLEncode":
            // funcs.go: encoding/base64 StdEncoding / URLEncoding (padded)
            try arity(f, args, 1...1)
            return .string(Base64.encode(Array(try string(f, args[0]).utf8), url: f == "base64URLEncode"))
        case "base64Decode", "base64URLDecode":
            try arity(f, args, 1...1)
            switch Base64.decode(Array(try string(f, args[0]).utf8), url: f == "base64URLDecode") {
            case .success(let b): return .string(String(decoding: b, as: UTF8.self))
            case .failure(let at): throw TemplateError(line: line, "error calling \(f): \(f): illegal base64 data at input byte \(at.offset)")
            }
        case "toJSON", "toJSONPretty", "toUnescapedJSON", "toUnescapedJSONPretty":
            // toUnescaped*: json.Encoder with SetEscapeHTML(false): < > & as they are
            try arity(f, args, 1...1)
            guard let j = TemplateJSON.encode(args[0], indent: f.hasSuffix("Pretty") ? "" : nil, escapeHTML: !f.hasPrefix("toUnescaped")) else {
                // json.Marshal fails on a NaN or an infinity (UnsupportedValueError, the number as
                // strconv.FormatFloat 'g' writes it); a template value is never a chan, func or complex,
                // Go's other failures. Anything else is a struct consul-template marshals field by field
                // (a service entry is dependency.HealthService with its api.HealthChecks, node IDs and
                // raft indexes) which the simulator does not model: refused as its limit, not as Go's error.
                switch TemplateJSON.unencodable(args[0]) {
                case .float(let x)?:
                    throw TemplateError(line: line, "error calling \(f): \(f): json: unsupported value: \(x.isNaN ? "NaN" : x > 0 ? "+Inf" : "-Inf")")
                case let v?:
                    throw TemplateError(line: line, "error calling \(f): \(f) of a \(v.typeName) is not modelled: consul-template json.Marshals the struct, whose fields the simulator does not hold")
                case nil:
                    throw TemplateError(line: line, "error calling \(f): \(f): json: unsupported type \(args[0].typeName)")
                }
            }
            return .string(j)
        case "add", "subtract", "multiply", "divide", "modulo", "minimum", "maximum":
            try arity(f, args, 2...2)
            // funcs.go: f(b, a) is a <op> b (`subtract 1 5` is 4), ints stay ints, a float makes a float
            let b = try number(f, args[0]), a = try number(f, args[1])
            if case .int(let x) = a, case .int(let y) = b {
                switch f {
                case "add": return .int(x &+ y)
                case "subtract": return .int(x &- y)
                case "multiply": return .int(x &* y)
                case "minimum": return .int(min(x, y))
                case "maximum": return .int(max(x, y))
                default:
                    guard y != 0 else { throw TemplateError(line: line, "error calling \(f): runtime error: integer divide by zero") }
                    return .int(f == "divide" ? x / y : x % y)
                }
            }
            func d(_ v: TemplateValue) -> Double { if case .int(let i) = v { return Double(i) }; if case .float(let x) = v { return x }; return 0 }
            let x = d(a), y = d(b)
            switch f {
            case "add": return .float(x + y)
            case "subtract": return .float(x - y)
            case "multiply": return .float(x * y)
            case "divide": return .float(x / y)
            case "minimum": return .float(min(x, y))
            case "maximum": return .float(max(x, y))
            default: throw TemplateError(line: line, "error calling modulo: modulo: unknown type for \"\(b.printed)\" (\(b.typeName))")
            }
        case "loop":
            try arity(f, args, 1...2)
            var ends: [Int] = []
            for a in args {
                switch a {
                case .int(let i): ends.append(i)
                case .string(let s):
                    guard let i = s.isEmpty ? 0 : Int(s) else { throw TemplateError(line: line, "error calling loop: parseInt: invalid syntax \"\(s)\"") }
                    ends.append(i)
                default: throw TemplateError(line: line, "error calling loop: loop: bad argument type: \(a.typeName)")
                }
            }
            let (lo, hi) = ends.count == 1 ? (0, ends[0]) : (ends[0], ends[1])
            guard hi <= lo || hi - lo <= Self.maxLoop else { throw TemplateError(line: line, "loop \(lo) \(hi): at most \(Self.maxLoop) iterations") }
            return .list(hi <= lo ? [] : (lo..<hi).map { .int($0) })
        default:
            return nil
        }
    }
}

/// JSON for parseJSON (encoding/json into interface{}: objects are maps, numbers float64) and
/// toJSON (json.Marshal: map keys sorted, HTML characters escaped).
struct TemplateJSON {
    let b: [UInt8]
    var i = 0
    var depth = 0
    init(_ b: [UInt8]) { self.b = b }

    mutating func space() { while i < b.count, [32, 9, 10, 13].contains(b[i]) { i += 1 } }

    mutating func document() -> TemplateValue? {
        guard let v = value() else { return nil }
        space()
        return i == b.count ? v : nil
    }

    mutating func value() -> TemplateValue? {
        space()
        guard i < b.count, depth < 256 else { return nil }
        switch b[i] {
        case UInt8(ascii: "{"):
            depth += 1; defer { depth -= 1 }
            i += 1; space()
            var pairs: [(String, TemplateValue)] = []
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .map(TemplateMap(pairs)) }
            while true {
                space()
                guard case .string(let k)? = str() else { return nil }
                space()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                guard let v = value() else { return nil }
                pairs.append((k, v))
                space()
                guard i < b.count else { return nil }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return .map(TemplateMap(pairs)) }
                return nil
            }
        case UInt8(ascii: "["):
            depth += 1; defer { depth -= 1 }
            i += 1; space()
            var xs: [TemplateValue] = []
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .list(xs) }
            while true {
                guard let v = value() else { return nil }
                xs.append(v)
                space()
                guard i < b.count else { return nil }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return .list(xs) }
                return nil
            }
        case UInt8(ascii: "\""): return str()
        case UInt8(ascii: "t"): return word("true", .bool(true))
        case UInt8(ascii: "f"): return word("false", .bool(false))
        case UInt8(ascii: "n"): return word("null", .none)
        default:
            let start = i
            while i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: ".")
                    || b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") || (b[i] >= 48 && b[i] <= 57) { i += 1 }
            guard i > start, let x = Double(String(decoding: b[start..<i], as: UTF8.self)), x.isFinite else { return nil }
            return .float(x)
        }
    }

    mutating func word(_ w: String, _ v: TemplateValue) -> TemplateValue? {
        let u = Array(w.utf8)
        guard i + u.count <= b.count, Array(b[i..<i + u.count]) == u else { return nil }
        i += u.count
        return v
    }

    mutating func str() -> TemplateValue? {
        guard i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        var out: [UInt8] = []
        while i < b.count, b[i] != UInt8(ascii: "\"") {
            if b[i] == UInt8(ascii: "\\") {
                guard i + 1 < b.count else { return nil }
                let e = b[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "u"):
                    guard i + 4 <= b.count, let c = UInt32(String(decoding: b[i..<i + 4], as: UTF8.self), radix: 16) else { return nil }
                    i += 4
                    out.append(contentsOf: String(Unicode.Scalar(c) ?? "\u{FFFD}").utf8)
                default: out.append(e)
                }
                continue
            }
            out.append(b[i]); i += 1
        }
        guard i < b.count else { return nil }
        i += 1
        return .string(String(decoding: out, as: UTF8.self))
    }

    /// json.Marshal (indent non-nil: MarshalIndent with "  " per level); nil for values JSON has no form for.
    static func encode(_ v: TemplateValue, indent: String?, escapeHTML: Bool = true) -> String? {
        let nl = indent.map { "\n" + $0 + "  " } ?? ""
        let end = indent.map { "\n" + $0 } ?? ""
        let deeper = indent.map { $0 + "  " }
        switch v {
        case .none: return "null"
        case .bool(let x): return x ? "true" : "false"
        case .int(let x): return String(x)
        case .float(let x):
            guard x.isFinite else { return nil }
            // encoding/json writes whole numbers below 1e21 without an exponent
            if x == x.rounded(), abs(x) < 9e18 { return String(Int64(x)) }
            return GoFormat.shortest(x)
        case .string(let s): return quote(s, escapeHTML: escapeHTML)
        case .list(let l):
            if l.isEmpty { return "[]" }
            var parts: [String] = []
            for x in l { guard let e = encode(x, indent: deeper, escapeHTML: escapeHTML) else { return nil }; parts.append(e) }
            return "[" + nl + parts.joined(separator: "," + nl) + end + "]"
        case .map(let m):
            if m.keys.isEmpty { return "{}" }
            var parts: [String] = []
            for (k, x) in zip(m.keys, m.values) {
                guard let e = encode(x, indent: deeper, escapeHTML: escapeHTML) else { return nil }
                parts.append(quote(k, escapeHTML: escapeHTML) + (indent == nil ? ":" : ": ") + e)
            }
            return "{" + nl + parts.joined(separator: "," + nl) + end + "}"
        case .keyPair(let p):
            return encode(.map(TemplateMap([("Path", .string(p.path)), ("Key", .string(p.key)), ("Value", .string(p.value))])), indent: indent, escapeHTML: escapeHTML)
        case .instance, .catalogService, .check, .scratch, .catalogNode, .nodeDetail, .nodeService: return nil
        case .nilNode: return "null"
        }
    }

    /// The first value `encode` cannot write: a non-finite float, or a value the simulator holds
    /// only some fields of (a service entry, check, catalog entry, node, scratch pad).
    static func unencodable(_ v: TemplateValue) -> TemplateValue? {
        switch v {
        case .float(let x): return x.isFinite ? nil : v
        case .list(let l): return l.lazy.compactMap(unencodable).first
        case .map(let m): return m.values.lazy.compactMap(unencodable).first
        case .instance, .catalogService, .check, .scratch, .catalogNode, .nodeDetail, .nodeService: return v
        case .none, .string, .int, .bool, .keyPair, .nilNode: return nil
        }
    }

    /// encoding/json's string: JSON's escapes (Go 1.22+: \b and \f too), and <, >, &, U+2028, U+2029 as \u escapes
    /// (json.Marshal's HTML-safe default).
    /// (escapeHTML false: json.Encoder.SetEscapeHTML(false), which still escapes U+2028 and U+2029.)
    static func quote(_ s: String, escapeHTML: Bool = true) -> String {
        var q = JSONText.quote(s)
        for (c, e) in [("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u{2028}", "\\u2028"), ("\u{2029}", "\\u2029")]
            where q.contains(c) && (escapeHTML || c.unicodeScalars.first!.value > 0x7f) {
            q = q.replacingAll(c, e)
        }
        return q
    }
}

/// encoding/base64's padded StdEncoding and URLEncoding (Go src/encoding/base64/base64.go): the
/// decoder skips \r and \n, and reports the offset Go's CorruptInputError gives.
enum Base64 {
    struct Corrupt: Error { var offset: Int }
    static func alphabet(url: Bool) -> [UInt8] {
        Array(("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + (url ? "-_" : "+/")).utf8)
    }

    static func encode(_ b: [UInt8], url: Bool) -> String {
        let a = alphabet(url: url)
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            let n = min(3, b.count - i)
            let v = (UInt32(b[i]) << 16) | (n > 1 ? UInt32(b[i + 1]) << 8 : 0) | (n > 2 ? UInt32(b[i + 2]) : 0)
            out += [a[Int(v >> 18 & 63)], a[Int(v >> 12 & 63)], n > 1 ? a[Int(v >> 6 & 63)] : 61, n > 2 ? a[Int(v & 63)] : 61]
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// base64.go decodeQuantum, quantum by quantum.
    static func decode(_ s: [UInt8], url: Bool) -> Result<[UInt8], Corrupt> {
        var map = [Int](repeating: -1, count: 256)
        for (k, c) in alphabet(url: url).enumerated() { map[Int(c)] = k }
        var out: [UInt8] = []
        var si = 0
        while true {
            var q: [Int] = []
            var j = 0
            while j < 4 {
                if si == s.count {
                    if j == 0 { return .success(out) }
                    return .failure(Corrupt(offset: si - j))
                }
                let c = s[si]
                si += 1
                if c == 10 || c == 13 { continue }
                if map[Int(c)] >= 0 { q.append(map[Int(c)]); j += 1; continue }
                guard c == 61 else { return .failure(Corrupt(offset: si - 1)) }
                // padding: only as the 3rd or 4th character of a quantum
                switch j {
                case 0, 1: return .failure(Corrupt(offset: si - 1))
                case 2:
                    while si < s.count && (s[si] == 10 || s[si] == 13) { si += 1 }
                    if si == s.count { return .failure(Corrupt(offset: s.count)) }
                    if s[si] != 61 { return .failure(Corrupt(offset: si - 1)) }
                    si += 1
                default: break
                }
                while si < s.count && (s[si] == 10 || s[si] == 13) { si += 1 }
                if si < s.count { return .failure(Corrupt(offset: si)) }
                break
            }
            let v = q.enumerated().reduce(0) { $0 | ($1.element << (18 - 6 * $1.offset)) }
            let n = q.count - 1
            if n >= 1 { out.append(UInt8(v >> 16 & 255)) }
            if n >= 2 { out.append(UInt8(v >> 8 & 255)) }
            if n >= 3 { out.append(UInt8(v & 255)) }
            if q.count < 4 { return .success(out) }
        }
    }
}
