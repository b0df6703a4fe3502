// The PromQL lexer, as promql/parser/lex.go (Prometheus 2.42) cuts an expression into items:
// keywords are case-insensitive, identifiers with a `:` are metric identifiers, inside `{...}`
// every word is a label name, inside `[...]` only durations and one `:` are allowed.

enum PromQLTokenKind: Equatable {
    case number(Double)
    case duration(Int64)
    case string(String)
    case identifier(String)
    /// An identifier containing a `:` (a recording rule's name): never a function.
    case metricIdentifier(String)
    /// A keyword (lower case): aggregation operators, `by`, `offset`, `and`, `bool`, ...
    case keyword(String)
    /// Operators and punctuation: `(`, `==`, `=~`, `+`, ...
    case punct(String)
    case eof
}

struct PromQLToken {
    var kind: PromQLTokenKind
    /// 0-based offset (in Unicode scalars) of the token's first character.
    var pos: Int
    var text: String

    /// How promql/parser names an item in "unexpected ..." messages.
    var desc: String {
        switch kind {
        case .eof: return "end of input"
        case .number: return "number \"\(text)\""
        case .duration: return "duration \"\(text)\""
        case .string: return "string \(text)"
        case .identifier, .metricIdentifier: return "identifier \"\(text)\""
        case .keyword(let k): return PromQLLexer.aggregators.contains(k) ? "aggregation \"\(text)\"" : "keyword \"\(text)\""
        case .punct(let p):
            switch p {
            case "(": return "left parenthesis \"(\""
            case ")": return "right parenthesis \")\""
            case "{": return "left brace \"{\""
            case "}": return "right brace \"}\""
            case "[": return "left bracket \"[\""
            case "]": return "right bracket \"]\""
            case ",": return "\",\""
            case ":": return "\":\""
            default: return "operator \"\(p)\""
            }
        }
    }
}

/// Lexes the whole expression up front; a lexer error ends the token list (the parser reports it
/// when it reaches it, as the yacc parser reports lexer errors in order).
struct PromQLLexer {
    static let aggregators: Set<String> = ["sum", "avg", "count", "min", "max", "group", "stddev", "stdvar",
                                           "topk", "bottomk", "count_values", "quantile"]
    static let keywords: Set<String> = aggregators.union(["and", "or", "unless", "atan2", "offset", "by", "without",
                                                          "on", "ignoring", "group_left", "group_right", "bool",
                                                          "start", "end", "inf", "nan"])
    /// The longest expression accepted: a bound on work for any input.
    static let maxLength = 100_000

    let src: [Unicode.Scalar]
    var pos = 0
    var tokens: [PromQLToken] = []
    var error: PromQLError?
    private var parenDepth = 0
    private var braceOpen = false
    private var bracketOpen = false
    private var gotColon = false

    init(_ text: String) { src = Array(text.unicodeScalars) }

    static func tokenize(_ text: String) -> (tokens: [PromQLToken], error: PromQLError?) {
        var l = PromQLLexer(text)
        if l.src.count > maxLength {
            return ([], PromQLError("expression longer than \(maxLength) characters", position: 0))
        }
        l.run()
        return (l.tokens, l.error)
    }

    private func peek(_ k: Int = 0) -> Unicode.Scalar? { pos + k < src.count ? src[pos + k] : nil }
    private static func isSpace(_ c: Unicode.Scalar?) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }
    static func isAlpha(_ c: Unicode.Scalar?) -> Bool {
        guard let c else { return false }
        return c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
    }
    static func isDigit(_ c: Unicode.Scalar?) -> Bool { guard let c else { return false }; return ("0"..."9").contains(c) }
    static func isAlnum(_ c: Unicode.Scalar?) -> Bool { isAlpha(c) || isDigit(c) }

    private func text(_ from: Int) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: src[from..<pos])
        return String(s)
    }
    private mutating func emit(_ kind: PromQLTokenKind, _ start: Int) {
        tokens.append(PromQLToken(kind: kind, pos: start, text: text(start)))
    }
    private mutating func fail(_ message: String, _ at: Int) { error = PromQLError(message, position: at) }

    private mutating func run() {
        while error == nil {
            while PromQLLexer.isSpace(peek()) { pos += 1 }
            if peek() == "#" {   // a line comment
                while let c = peek(), c != "\n" { pos += 1 }
                continue
            }
            let start = pos
            guard let c = peek() else {
                if parenDepth != 0 { fail("unclosed left parenthesis", start) }
                else if bracketOpen { fail("unclosed left bracket", start) }
                else if braceOpen { fail("unexpected end of input inside braces", start) }
                else { tokens.append(PromQLToken(kind: .eof, pos: start, text: "")) }
                return
            }
            if braceOpen { lexInsideBraces(c, start); continue }
            lexStatement(c, start)
        }
    }

    private mutating func lexStatement(_ c: Unicode.Scalar, _ start: Int) {
        pos += 1
        switch c {
        case ",", "*", "/", "%", "+", "-", "^", "@": emit(.punct(String(c)), start)
        case "=":
            if peek() == "=" { pos += 1; emit(.punct("=="), start) }
            else if let t = peek(), t == "~" { fail("unexpected character after '=': '~'", start) }
            else { emit(.punct("="), start) }
        case "!":
            if peek() == "=" { pos += 1; emit(.punct("!="), start) }
            else { fail("unexpected character after '!': \(PromQLLexer.quoteChar(peek()))", start) }
        case "<", ">":
            if peek() == "=" { pos += 1 }
            emit(.punct(text(start)), start)
        case "\"", "'": lexString(c, start)
        case "`": lexRawString(start)
        case "(":
            parenDepth += 1; emit(.punct("("), start)
        case ")":
            parenDepth -= 1
            if parenDepth < 0 { fail("unexpected right parenthesis ')'", start); return }
            emit(.punct(")"), start)
        case "{": braceOpen = true; emit(.punct("{"), start)
        case "[":
            if bracketOpen { fail("unexpected left bracket '['", start); return }
            gotColon = false; bracketOpen = true
            emit(.punct("["), start)
            while PromQLLexer.isSpace(peek()) { pos += 1 }
            lexDuration(pos)
        case "]":
            if !bracketOpen { fail("unexpected right bracket ']'", start); return }
            bracketOpen = false; emit(.punct("]"), start)
        default:
            if PromQLLexer.isDigit(c) || (c == "." && PromQLLexer.isDigit(peek())) {
                pos = start; lexNumberOrDuration(start)
            } else if PromQLLexer.isAlpha(c) || c == ":" {
                if !bracketOpen { pos = start; lexKeywordOrIdentifier(start); return }
                if gotColon { fail("unexpected colon ':'", start); return }
                gotColon = true; emit(.punct(":"), start)
            } else {
                fail("unexpected character: \(PromQLLexer.quoteChar(c))", start)
            }
        }
    }

    private mutating func lexInsideBraces(_ c: Unicode.Scalar, _ start: Int) {
        if PromQLLexer.isAlpha(c) {
            while PromQLLexer.isAlnum(peek()) { pos += 1 }
            emit(.identifier(text(start)), start); return
        }
        pos += 1
        switch c {
        case ",": emit(.punct(","), start)
        case "}": braceOpen = false; emit(.punct("}"), start)
        case "\"", "'": lexString(c, start)
        case "`": lexRawString(start)
        case "=":
            if peek() == "~" { pos += 1 }
            emit(.punct(text(start)), start)
        case "!":
            guard let n = peek(), n == "=" || n == "~" else {
                fail("unexpected character after '!' inside braces: \(PromQLLexer.quoteChar(peek()))", start); return
            }
            pos += 1; emit(.punct(text(start)), start)
        case "{": fail("unexpected left brace '{'", start)
        default: fail("unexpected character inside braces: \(PromQLLexer.quoteChar(c))", start)
        }
    }

    static func quoteChar(_ c: Unicode.Scalar?) -> String {
        guard let c else { return "EOF" }
        return "'" + String(Character(c)) + "'"
    }

    // MARK: numbers and durations

    /// scanNumber: digits (hex after 0x), a fraction, an exponent; true when no letter follows.
    private mutating func scanNumber() -> Bool {
        var hex = false
        if peek() == "0", let x = peek(1), x == "x" || x == "X" { pos += 2; hex = true }
        let isDigitOK: (Unicode.Scalar?) -> Bool = { c in
            guard let c else { return false }
            return PromQLLexer.isDigit(c) || (hex && (("a"..."f").contains(c) || ("A"..."F").contains(c)))
        }
        while isDigitOK(peek()) { pos += 1 }
        if peek() == "." { pos += 1; while isDigitOK(peek()) { pos += 1 } }
        if let e = peek(), e == "e" || e == "E" {
            pos += 1
            if let s = peek(), s == "+" || s == "-" { pos += 1 }
            while PromQLLexer.isDigit(peek()) { pos += 1 }
        }
        return !PromQLLexer.isAlnum(peek())
    }

    /// acceptRemainingDuration: unit letters after the first number, then number+unit pairs.
    private mutating func acceptRemainingDuration() -> Bool {
        func accept(_ set: String) -> Bool {
            if let c = peek(), set.unicodeScalars.contains(c) { pos += 1; return true }
            return false
        }
        if !accept("smhdwy") { return false }
        _ = accept("s")
        while accept("0123456789") {
            while accept("0123456789") {}
            if !accept("smhdw") { return false }
            _ = accept("s")
        }
        return !PromQLLexer.isAlnum(peek())
    }

    private mutating func lexNumberOrDuration(_ start: Int) {
        if scanNumber() {
            let t = text(start)
            switch PromQLLexer.parseNumber(t) {
            case .some(let v): emit(.number(v), start)
            case .none: fail("error parsing number: strconv.ParseFloat: parsing \"\(t)\": invalid syntax", start)
            }
            return
        }
        if acceptRemainingDuration() { emitDuration(start); return }
        if pos < src.count { pos += 1 }
        fail("bad number or duration syntax: \"\(text(start))\"", start)
    }

    private mutating func lexDuration(_ start: Int) {
        pos = start
        if scanNumber() { fail("missing unit character in duration", start); return }
        if !acceptRemainingDuration() {
            if pos < src.count { pos += 1 }
            fail("bad duration syntax: \"\(text(start))\"", start); return
        }
        emitDuration(start)
    }

    private mutating func emitDuration(_ start: Int) {
        let t = text(start)
        switch PromQLDuration.parse(t) {
        case .success(let ms): emit(.duration(ms), start)
        case .failure(let e): fail(e.message, start)
        }
    }

    /// strconv.ParseInt(s, 0, 64) (hex, and octal after a leading 0), else strconv.ParseFloat.
    static func parseNumber(_ t: String) -> Double? {
        let lower = t.lowercased()
        if lower.hasPrefix("0x") {
            let digits = lower.dropFirst(2)
            if let v = Int64(digits, radix: 16) { return Double(v) }
            return nil
        }
        if t.count > 1, t.hasPrefix("0"), t.allSatisfy({ ("0"..."7").contains($0) }), let v = Int64(t.dropFirst(), radix: 8) {
            return Double(v)
        }
        guard let v = Double(t), v.isFinite else { return nil }
        return v
    }

    // MARK: strings

    private mutating func lexString(_ quote: Unicode.Scalar, _ start: Int) {
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek(), c != "\n" else { fail("unterminated quoted string", start); return }
            pos += 1
            if c == quote { break }
            if c != "\\" { out.append(c); continue }
            guard let e = lexEscape(quote) else { return }
            out.append(e)
        }
        tokens.append(PromQLToken(kind: .string(String(out)), pos: start, text: text(start)))
    }

    /// One escape after a backslash (lexEscape / strconv.Unquote): \a \b \f \n \r \t \v \\ \quote,
    /// octal \NNN, \xNN, \uNNNN, \UNNNNNNNN.
    private mutating func lexEscape(_ quote: Unicode.Scalar) -> Unicode.Scalar? {
        let at = pos - 1
        guard let c = peek() else { fail("escape sequence not terminated", at); return nil }
        pos += 1
        let simple: [Unicode.Scalar: Unicode.Scalar] = ["a": "\u{07}", "b": "\u{08}", "f": "\u{0C}", "n": "\n",
                                                        "r": "\r", "t": "\t", "v": "\u{0B}", "\\": "\\"]
        if let s = simple[c] { return s }
        if c == quote { return c }
        var n = 0, base: UInt32 = 0, max: UInt32 = 0, x: UInt32 = 0
        switch c {
        case "0"..."7": n = 2; base = 8; max = 255; x = c.value - 48
        case "x": n = 2; base = 16; max = 255
        case "u": n = 4; base = 16; max = 0x10FFFF
        case "U": n = 8; base = 16; max = 0x10FFFF
        default: fail("unknown escape sequence U+\(String(c.value, radix: 16, uppercase: true).leftPad(4)) '\(Character(c))'", at); return nil
        }
        for _ in 0..<n {
            guard let d = peek() else { fail("escape sequence not terminated", at); return nil }
            guard let v = PromQLLexer.digitVal(d), v < base else {
                fail("illegal character U+\(String(d.value, radix: 16, uppercase: true).leftPad(4)) '\(Character(d))' in escape sequence", pos)
                return nil
            }
            pos += 1
            x = x &* base &+ v
            if x > max { break }
        }
        guard x <= max, !(0xD800..<0xE000).contains(x), let s = Unicode.Scalar(x) else {
            fail("escape sequence is an invalid Unicode code point", at); return nil
        }
        return s
    }

    private static func digitVal(_ c: Unicode.Scalar) -> UInt32? {
        switch c {
        case "0"..."9": return c.value - 48
        case "a"..."f": return c.value - 87
        case "A"..."F": return c.value - 55
        default: return nil
        }
    }

    private mutating func lexRawString(_ start: Int) {
        while true {
            guard let c = peek() else { fail("unterminated raw string", start); return }
            pos += 1
            if c == "`" { break }
        }
        var s = String.UnicodeScalarView()
        s.append(contentsOf: src[(start + 1)..<(pos - 1)])
        tokens.append(PromQLToken(kind: .string(String(s)), pos: start, text: text(start)))
    }

    private mutating func lexKeywordOrIdentifier(_ start: Int) {
        while PromQLLexer.isAlnum(peek()) || peek() == ":" { pos += 1 }
        let word = text(start)
        let lower = word.lowercased()
        if lower == "inf" { emit(.number(.infinity), start) }
        else if lower == "nan" { emit(.number(.nan), start) }
        else if PromQLLexer.keywords.contains(lower) { emit(.keyword(lower), start) }
        else if word.contains(":") { emit(.metricIdentifier(word), start) }
        else { emit(.identifier(word), start) }
    }
}

extension String {
    fileprivate func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}

/// Prometheus durations (common/model.ParseDuration): `1y2w3d4h5m6s7ms`, units in that order, each
/// at most once; `y` is 365 days, `w` 7 days.
public enum PromQLDuration {
    public static func parse(_ s: String) -> Result<Int64, PromQLError> {
        let units: [(String, Int64)] = [("y", 31_536_000_000), ("w", 604_800_000), ("d", 86_400_000),
                                        ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)]
        let bad = PromQLError("not a valid duration string: \"\(s)\"", position: 0)
        if s == "0" { return .failure(PromQLError("duration must be greater than 0", position: 0)) }
        let cs = Array(s.unicodeScalars)
        var i = 0, next = 0
        var total: Int64 = 0
        if cs.isEmpty { return .failure(bad) }
        while i < cs.count {
            var n: Int64 = 0
            let d0 = i
            while i < cs.count, PromQLLexer.isDigit(cs[i]) {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(cs[i].value - 48))
                if o1 || o2 { return .failure(PromQLError("duration out of range", position: 0)) }
                n = a; i += 1
            }
            if i == d0 { return .failure(bad) }
            var unit = ""
            while i < cs.count, !PromQLLexer.isDigit(cs[i]) { unit.unicodeScalars.append(cs[i]); i += 1 }
            guard let k = units[next...].firstIndex(where: { $0.0 == unit }) else { return .failure(bad) }
            next = k + 1
            let (p, o1) = n.multipliedReportingOverflow(by: units[k].1)
            let (t, o2) = total.addingReportingOverflow(p)
            if o1 || o2 || t > Int64.max / 1_000_000 { return .failure(PromQLError("duration out of range", position: 0)) }
            total = t
        }
        if total == 0 { return .failure(PromQLError("duration must be greater than 0", position: 0)) }
        return .success(total)
    }
}
