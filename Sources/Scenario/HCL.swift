// HCL version 1, read as hashicorp/hcl v1 reads it (Consul's agent/config/config.go Parse and
// consul-template's config/config.go Parse both call `hcl.Decode` into an interface{} / a
// map[string]interface{}), into the project's JSONValue with the shape that decode gives:
//
// - hashicorp/hcl@v1.0.0 (5592d25; consul-template uses v1.0.1-vault-7, 02db497, whose Decode
//   parses the same way and keeps duplicate keys) hcl/scanner/scanner.go: tokens, comments
//   (`#`, `//`, `/* */`), strings with escapes and `${...}` kept literally, heredocs `<<EOF` and
//   `<<-EOF`, numbers (decimal, octal with a leading 0, hex 0x; FLOAT with a fraction or exponent),
//   `true`/`false`; hcl/parser/parser.go: items `key = value`, blocks `key "label" { ... }`,
//   lists with optional (and repeated) commas, its error messages;
// - decoder.go decodeInterface/decodeMap/decodeSlice: an object (a block or `= { }`) inside an
//   object is a list of objects (`"service": [{...}]`); repeated keys append to such lists
//   (and to lists), a scalar given again is replaced; labelled blocks group by their first key
//   (ObjectList.Filter, which matches keys without case) and nest one list of objects per label;
//   objects directly inside a list are objects; NUMBER is an integer (strconv.ParseInt base 0),
//   FLOAT a float64;
// - parse.go lexMode: a document whose first non-space character is `{` is JSON (read by our
//   JSON reader here).
//
// Our own code, written from reading theirs. Every value keeps its file, line and column.

/// The HCL reader. Results and errors have the JSON reader's types, so includes treat both alike.
public enum HCLParser {
    /// consul-template's Parse flattens these keys after hcl.Decode (config/config.go
    /// `flattenKeys`): a list of objects becomes its last object.
    static let consulTemplateFlatten: Set<String> = [
        "auth", "consul", "consul.auth", "consul.retry", "consul.ssl", "consul.transport", "deduplicate", "default_delimiters",
        "env", "exec", "exec.env", "log_file", "nomad", "nomad.ssl", "nomad.transport", "ssl", "syslog", "vault", "vault.retry",
        "vault.ssl", "vault.transport", "wait"]
    /// ... and these in every `template` block.
    static let consulTemplateTemplateFlatten: Set<String> = ["env", "exec", "exec.env", "wait"]

    /// What to do after decoding, as the program that reads the file does.
    public enum Reader: Sendable { case consul, consulTemplate }

    /// Parses `text` as HCL 1 (or as JSON when it starts with `{`, as hcl.Decode does).
    /// `startDepth` as for `JSONParser.parse`.
    public static func parse(_ text: String, file: String? = nil, startDepth: Int = 0, reader: Reader = .consul) -> JSONParser.Result {
        // lex.go lexMode: the first non-space character decides
        for u in text.unicodeScalars {
            if u.properties.isWhitespace { continue }
            if u == "{" { return JSONParser.parse(text, file: file, startDepth: startDepth) }
            break
        }
        // parser.Parse: "\r\n" becomes "\n" before scanning
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var prevCR = false
        for b in text.utf8 {
            if prevCR && b != 0x0A { bytes.append(0x0D) }
            prevCR = b == 0x0D
            if !prevCR { bytes.append(b) }
        }
        if prevCR { bytes.append(0x0D) }
        var p = HCLSyntax(bytes: bytes, file: file)
        do throws(HCLSyntax.Failure) {
            let list = try p.parseFile(depth: max(0, startDepth))
            var dec = HCLDecoder(file: file)
            var root = try dec.decodeRoot(list)
            if reader == .consulTemplate {
                HCLDecoder.flatten(&root, parent: "", keys: consulTemplateFlatten)
                if let i = root.index["template"], case .mapList(var templates, let loc) = root.values[i] {
                    root.values[i] = .null
                    for k in templates.indices { HCLDecoder.flatten(&templates[k], parent: "", keys: consulTemplateTemplateFlatten) }
                    root.values[i] = .mapList(templates, loc)
                }
            }
            return JSONParser.Result(value: HCLDecoder.json(.map(root)), errors: [])
        } catch {
            return JSONParser.Result(value: nil, errors: [error.error])
        }
    }
}

// MARK: - tokens

enum HCLTokenType: String {
    case eof = "EOF", ident = "IDENT", number = "NUMBER", float = "FLOAT", bool = "BOOL", string = "STRING", heredoc = "HEREDOC"
    case lbrack = "LBRACK", lbrace = "LBRACE", comma = "COMMA", period = "PERIOD", rbrack = "RBRACK", rbrace = "RBRACE"
    case assign = "ASSIGN", add = "ADD", sub = "SUB"
}

struct HCLToken {
    var type: HCLTokenType
    var start: Int
    var end: Int
    var line: Int
    var column: Int
}

// MARK: - syntax tree (hcl/ast)

struct HCLKey { var value: String; var location: SourceLocation }

indirect enum HCLNode {
    case literal(HCLTokenType, String, SourceLocation)   // raw token text
    case object(HCLObjectList, SourceLocation)          // ObjectType, at its '{'
    case list([HCLNode], SourceLocation)                // ListType, at its '['

    var location: SourceLocation {
        switch self { case .literal(_, _, let l), .object(_, let l), .list(_, let l): return l }
    }
    /// hcl's Go type name, for decode messages.
    var goType: String {
        switch self { case .literal: return "*ast.LiteralType"; case .object: return "*ast.ObjectType"; case .list: return "*ast.ListType" }
    }
}

struct HCLItem { var keys: [HCLKey]; var value: HCLNode }

final class HCLObjectList {
    var items: [HCLItem]
    var location: SourceLocation
    /// Lower-cased first key → item indexes, built on first use (lookup only, never iterated).
    private var byKey: [String: [Int]]? = nil

    init(items: [HCLItem], location: SourceLocation) { self.items = items; self.location = location }

    /// ast.ObjectList.Filter(key): the items whose first key matches (strings.EqualFold), that
    /// key removed; in file order.
    func filter(_ key: String) -> HCLObjectList {
        if byKey == nil {
            var m: [String: [Int]] = [:]
            for (i, it) in items.enumerated() where !it.keys.isEmpty { m[it.keys[0].value.lowercased(), default: []].append(i) }
            byKey = m
        }
        let picked = (byKey![key.lowercased()] ?? []).map { i -> HCLItem in
            var it = items[i]; it.keys.removeFirst(); return it
        }
        return HCLObjectList(items: picked, location: picked.first.map { HCLSyntax.itemLocation($0) } ?? location)
    }
}

// MARK: - scanner and parser

struct HCLSyntax {
    struct Failure: Error { var error: JSONSyntaxError }

    private let bytes: [UInt8]
    private let file: String?
    private var pos = 0
    private var line = 1
    private var column = 1
    /// parser.go's one-token buffer (scan/unscan).
    private var current = HCLToken(type: .eof, start: 0, end: 0, line: 1, column: 1)
    private var buffered = false

    init(bytes: [UInt8], file: String?) { self.bytes = bytes; self.file = file }

    static func itemLocation(_ it: HCLItem) -> SourceLocation { it.keys.first?.location ?? it.value.location }

    private func loc(_ t: HCLToken) -> SourceLocation { SourceLocation(file: file, line: t.line, column: t.column) }
    private var here: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    private func fail(_ message: String, at l: SourceLocation, nesting: Bool = false) -> Failure {
        Failure(error: JSONSyntaxError(file: file, line: l.line ?? 1, column: l.column ?? 1, message: message, isNestingLimit: nesting))
    }
    private func fail(_ message: String, at t: HCLToken) -> Failure { fail(message, at: loc(t)) }

    private func text(_ t: HCLToken) -> String { String(decoding: bytes[t.start..<t.end], as: UTF8.self) }

    // MARK: scanner

    private func byte(_ i: Int) -> UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func advance() {
        let b = bytes[pos]
        pos += 1
        if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
    }

    /// The scalar at `i` and its length in bytes (the text is valid UTF-8).
    private func scalar(at i: Int) -> (Unicode.Scalar, Int)? {
        guard i < bytes.count else { return nil }
        let b = bytes[i]
        if b < 0x80 { return (Unicode.Scalar(b), 1) }
        let n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
        guard i + n <= bytes.count else { return nil }
        var v = UInt32(b) & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07)
        for k in 1..<n { v = (v << 6) | (UInt32(bytes[i + k]) & 0x3F) }
        return Unicode.Scalar(v).map { ($0, n) }
    }

    private static func isLetter(_ u: Unicode.Scalar) -> Bool {
        if u.value < 0x80 { return (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || u == "_" }
        switch u.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }
    private static func isDigit(_ u: Unicode.Scalar) -> Bool {
        if u.value < 0x80 { return u >= "0" && u <= "9" }
        return u.properties.generalCategory == .decimalNumber
    }
    private func isDecimal(_ i: Int) -> Bool { if let b = byte(i) { return b >= 0x30 && b <= 0x39 }; return false }
    private func isHex(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46) }

    /// Checks a scalar the way scanner.next does (NUL, U+E123).
    private func checkScalar(_ u: Unicode.Scalar) throws(Failure) {
        if u.value == 0 { throw fail("unexpected null character (0x00)", at: here) }
        if u.value == 0xE123 { throw fail("unicode code point U+E123 reserved for internal use", at: here) }
    }

    /// scanner.Scan, comments skipped (the parser's scan consumes them).
    private mutating func scanToken() throws(Failure) -> HCLToken {
        while true {
            while let b = byte(pos), b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { advance() }
            guard let b = byte(pos) else { return HCLToken(type: .eof, start: pos, end: pos, line: line, column: column) }
            let start = pos, l = line, c = column
            func tok(_ t: HCLTokenType) -> HCLToken { HCLToken(type: t, start: start, end: pos, line: l, column: c) }
            if b == 0 { throw fail("unexpected null character (0x00)", at: here) }
            if let (u, n) = scalar(at: pos), HCLSyntax.isLetter(u) {
                for _ in 0..<n { advance() }
                while let (v, m) = scalar(at: pos), HCLSyntax.isLetter(v) || HCLSyntax.isDigit(v) || v == "-" || v == "." {
                    try checkScalar(v)
                    for _ in 0..<m { advance() }
                }
                let t = tok(.ident)
                let word = text(t)
                return word == "true" || word == "false" ? tok(.bool) : t
            }
            switch b {
            case 0x30...0x39:
                let type = try scanNumber()
                return tok(type)
            case UInt8(ascii: "\""):
                try scanString()
                return tok(.string)
            case UInt8(ascii: "#"), UInt8(ascii: "/"):
                try skipComment()
                continue
            case UInt8(ascii: "."):
                advance()
                if isDecimal(pos) {
                    while isDecimal(pos) { advance() }
                    try scanExponent()
                    return tok(.float)
                }
                return tok(.period)
            case UInt8(ascii: "<"):
                try scanHeredoc()
                return tok(.heredoc)
            case UInt8(ascii: "["): advance(); return tok(.lbrack)
            case UInt8(ascii: "]"): advance(); return tok(.rbrack)
            case UInt8(ascii: "{"): advance(); return tok(.lbrace)
            case UInt8(ascii: "}"): advance(); return tok(.rbrace)
            case UInt8(ascii: ","): advance(); return tok(.comma)
            case UInt8(ascii: "="): advance(); return tok(.assign)
            case UInt8(ascii: "+"): advance(); return tok(.add)
            case UInt8(ascii: "-"):
                advance()
                if isDecimal(pos) { return tok(try scanNumber()) }
                return tok(.sub)
            default:
                if let (u, _) = scalar(at: pos) { try checkScalar(u) }
                throw fail("illegal char", at: here)
            }
        }
    }

    private mutating func skipComment() throws(Failure) {
        let start = here
        if bytes[pos] == UInt8(ascii: "#") || byte(pos + 1) != UInt8(ascii: "*") {
            if bytes[pos] == UInt8(ascii: "/") && byte(pos + 1) != UInt8(ascii: "/") {
                advance()
                throw fail("expected '/' for comment", at: here)
            }
            while let b = byte(pos), b != 0x0A {
                if b == 0 { throw fail("unexpected null character (0x00)", at: here) }
                advance()
            }
            return
        }
        advance(); advance()
        while true {
            guard let b = byte(pos) else { throw fail("comment not terminated", at: start) }
            if b == 0 { throw fail("unexpected null character (0x00)", at: here) }
            advance()
            if b == UInt8(ascii: "*") && byte(pos) == UInt8(ascii: "/") { advance(); return }
        }
    }

    /// scanner.scanNumber: the first digit is at `pos`.
    private mutating func scanNumber() throws(Failure) -> HCLTokenType {
        if bytes[pos] == UInt8(ascii: "0") {
            advance()
            if let b = byte(pos), b == UInt8(ascii: "x") || b == UInt8(ascii: "X") {
                advance()
                var found = false
                while let h = byte(pos), isHex(h) { advance(); found = true }
                if !found { throw fail("illegal hexadecimal number", at: here) }
                return .number
            }
            var illegalOctal = false
            while isDecimal(pos) {
                if bytes[pos] == UInt8(ascii: "8") || bytes[pos] == UInt8(ascii: "9") { illegalOctal = true }
                advance()
            }
            if let b = byte(pos), b == UInt8(ascii: "e") || b == UInt8(ascii: "E") { try scanExponent(); return .float }
            if byte(pos) == UInt8(ascii: ".") { try scanFraction(); return .float }
            if illegalOctal { throw fail("illegal octal number", at: here) }
            return .number
        }
        while isDecimal(pos) { advance() }
        if let b = byte(pos), b == UInt8(ascii: "e") || b == UInt8(ascii: "E") { try scanExponent(); return .float }
        if byte(pos) == UInt8(ascii: ".") { try scanFraction(); return .float }
        return .number
    }

    private mutating func scanFraction() throws(Failure) {
        advance() // '.'
        while isDecimal(pos) { advance() }
        try scanExponent()
    }

    /// An exponent when one follows: e/E, an optional sign, digits. Without digits the literal
    /// is refused when decoded (strconv.ParseFloat: invalid syntax), as hcl does.
    private mutating func scanExponent() throws(Failure) {
        guard let b = byte(pos), b == UInt8(ascii: "e") || b == UInt8(ascii: "E") else { return }
        advance()
        if let s = byte(pos), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { advance() }
        while isDecimal(pos) { advance() }
    }

    /// scanner.scanString: `${ ... }` may hold quotes and newlines; escapes are checked.
    private mutating func scanString() throws(Failure) {
        advance() // opening quote
        var braces = 0
        while true {
            guard let b = byte(pos) else { throw fail("literal not terminated", at: here) }
            if b == 0x0A && braces == 0 { throw fail("literal not terminated", at: here) }
            if b == 0 { throw fail("unexpected null character (0x00)", at: here) }
            if b == UInt8(ascii: "\"") && braces == 0 { advance(); return }
            if braces == 0 && b == UInt8(ascii: "$") && byte(pos + 1) == UInt8(ascii: "{") {
                braces += 1
                advance(); advance()
                continue
            } else if braces > 0 && b == UInt8(ascii: "{") {
                braces += 1
            }
            if braces > 0 && b == UInt8(ascii: "}") { braces -= 1 }
            if b == UInt8(ascii: "\\") {
                advance()
                try scanEscape()
                continue
            }
            if let (u, _) = scalar(at: pos), u.value == 0xE123 { try checkScalar(u) }
            advance()
        }
    }

    private mutating func scanEscape() throws(Failure) {
        guard let e = byte(pos) else { throw fail("literal not terminated", at: here) }
        func digits(_ base: Int, _ n: Int) throws(Failure) {
            for _ in 0..<n {
                guard let d = byte(pos), let v = HCLSyntax.digitValue(d), v < base else { throw fail("illegal char escape", at: here) }
                advance()
            }
        }
        switch e {
        case UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"),
             UInt8(ascii: "v"), UInt8(ascii: "\\"), UInt8(ascii: "\""):
            advance()
        case UInt8(ascii: "0")...UInt8(ascii: "7"): try digits(8, 3)
        case UInt8(ascii: "x"): advance(); try digits(16, 2)
        case UInt8(ascii: "u"): advance(); try digits(16, 4)
        case UInt8(ascii: "U"): advance(); try digits(16, 8)
        default: throw fail("illegal char escape", at: here)
        }
    }

    static func digitValue(_ b: UInt8) -> Int? {
        switch b {
        case 0x30...0x39: return Int(b - 0x30)
        case 0x61...0x66: return Int(b - 0x61 + 10)
        case 0x41...0x46: return Int(b - 0x41 + 10)
        default: return nil
        }
    }

    /// scanner.scanHeredoc: `<<ANCHOR` or `<<-ANCHOR`, a newline, lines up to one that is the
    /// anchor after optional white space (and at least as long as the anchor as written, `-`
    /// included: hcl compares the line's length with it).
    private mutating func scanHeredoc() throws(Failure) {
        advance() // '<'
        guard byte(pos) == UInt8(ascii: "<") else {
            if pos < bytes.count { advance() }
            throw fail("heredoc expected second '<', didn't see it", at: here)
        }
        advance()
        let identStart = pos
        if byte(pos) == UInt8(ascii: "-") { advance() }
        while let (u, n) = scalar(at: pos), HCLSyntax.isLetter(u) || HCLSyntax.isDigit(u) { for _ in 0..<n { advance() } }
        guard let b = byte(pos) else { throw fail("heredoc not terminated", at: here) }
        guard b == 0x0A else { throw fail("invalid characters in heredoc anchor", at: here) }
        let ident = Array(bytes[identStart..<pos])
        if ident.isEmpty || ident == [UInt8(ascii: "-")] { throw fail("zero-length heredoc anchor", at: here) }
        let anchor = ident[0] == UInt8(ascii: "-") ? Array(ident.dropFirst()) : ident
        advance() // newline
        var lineStart = pos
        while true {
            guard let c = byte(pos) else { throw fail("heredoc not terminated", at: here) }
            if c == 0 { throw fail("unexpected null character (0x00)", at: here) }
            advance()
            if c == 0x0A {
                let lineEnd = pos - 1
                if lineEnd - lineStart >= ident.count && HCLSyntax.isAnchorLine(bytes[lineStart..<lineEnd], anchor) { return }
                lineStart = pos
            }
        }
    }

    /// `^[[:space:]]*ANCHOR\r*\z` (Go's regexp, ASCII classes).
    static func isAnchorLine(_ line: ArraySlice<UInt8>, _ anchor: [UInt8]) -> Bool {
        var s = line.startIndex, e = line.endIndex
        while e > s, line[e - 1] == 0x0D { e -= 1 }
        while s < e, [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains(line[s]) { s += 1 }
        return e - s == anchor.count && line[s..<e].elementsEqual(anchor)
    }

    // MARK: parser

    private mutating func scan() throws(Failure) -> HCLToken {
        if buffered { buffered = false; return current }
        current = try scanToken()
        return current
    }
    private mutating func unscan() { buffered = true }

    /// Signals hcl's errEofToken: an item that ends at the end of the input.
    private struct EOFSignal: Error {}
    private enum ItemResult { case item(HCLItem), eof }

    mutating func parseFile(depth: Int) throws(Failure) -> HCLObjectList {
        try objectList(inObject: false, depth: depth, at: SourceLocation(file: file, line: 1, column: 1))
    }

    /// The nesting the decoded value will have: an object inside an object is a list of objects
    /// (2 levels), each label of a block 2 more.
    private func checkDepth(_ depth: Int, at t: HCLToken) throws(Failure) {
        if depth >= JSONParser.maxDepth { throw fail("nesting deeper than \(JSONParser.maxDepth) levels", at: loc(t), nesting: true) }
    }

    private mutating func objectList(inObject: Bool, depth: Int, at location: SourceLocation) throws(Failure) -> HCLObjectList {
        var items: [HCLItem] = []
        while true {
            if inObject {
                let t = try scan()
                unscan()
                if t.type == .rbrace { break }
            }
            switch try objectItem(depth: depth) {
            case .eof: return HCLObjectList(items: items, location: items.first.map(HCLSyntax.itemLocation) ?? location)
            case .item(let it): items.append(it)
            }
            let t = try scan()
            if t.type != .comma { unscan() }
        }
        return HCLObjectList(items: items, location: items.first.map(HCLSyntax.itemLocation) ?? location)
    }

    private mutating func objectItem(depth: Int) throws(Failure) -> ItemResult {
        var keys: [HCLKey] = []
        var keyTokens: [HCLToken] = []
        var opener: HCLToken
        keyLoop: while true {
            let t = try scan()
            switch t.type {
            case .eof:
                if keys.isEmpty { return .eof }
                opener = t
                break keyLoop
            case .assign:
                if keys.count > 1 { throw fail("nested object expected: LBRACE got: ASSIGN", at: t) }
                if keys.isEmpty { throw fail("no object keys found!", at: t) }
                opener = t
                break keyLoop
            case .lbrace:
                if keys.isEmpty { throw fail("expected: IDENT | STRING got: LBRACE", at: t) }
                opener = t
                break keyLoop
            case .ident, .string:
                try checkDepth(depth + 2 * keys.count, at: t)
                keys.append(HCLKey(value: try keyValue(t), location: loc(t)))
                keyTokens.append(t)
            default:
                if !keys.isEmpty && t.type == .rbrace { opener = HCLToken(type: .eof, start: t.start, end: t.end, line: t.line, column: t.column); break keyLoop }
                throw fail("expected: IDENT | STRING | ASSIGN | LBRACE got: \(t.type.rawValue)", at: t)
            }
        }
        let inner = depth + 2 * keys.count
        let value: HCLNode
        switch opener.type {
        case .assign:
            guard let v = try object(depth: inner) else { return .eof }
            value = v
        case .lbrace:
            value = try objectType(opener, depth: inner)
        default:
            throw fail("key '\(keyTokens.map { text($0) }.joined(separator: " "))' expected start of object ('{') or assignment ('=')", at: opener)
        }
        return .item(HCLItem(keys: keys, value: value))
    }

    /// parser.object: a value after `=`; nil at the end of the input (hcl drops the item).
    private mutating func object(depth: Int) throws(Failure) -> HCLNode? {
        let t = try scan()
        switch t.type {
        case .number, .float, .bool, .string, .heredoc: return .literal(t.type, text(t), loc(t))
        case .lbrace: return try objectType(t, depth: depth)
        case .lbrack: return try listType(t, depth: depth)
        case .eof: return nil
        default:
            throw fail("Unknown token: \(t.type.rawValue) \(ErrorText.shorten(text(t))) (a value is a string, number, true/false, list, object or heredoc; a bare word is not)", at: t)
        }
    }

    private mutating func objectType(_ lbrace: HCLToken, depth: Int) throws(Failure) -> HCLNode {
        try checkDepth(depth + 1, at: lbrace)
        let l = try objectList(inObject: true, depth: depth + 2, at: loc(lbrace))
        let t = try scan()
        if t.type != .rbrace { throw fail("object expected closing RBRACE got: \(t.type.rawValue)", at: t) }
        return .object(l, loc(lbrace))
    }

    private mutating func listType(_ lbrack: HCLToken, depth: Int) throws(Failure) -> HCLNode {
        try checkDepth(depth, at: lbrack)
        var elements: [HCLNode] = []
        var needComma = false
        while true {
            let t = try scan()
            if needComma && t.type != .comma && t.type != .rbrack {
                throw fail("error parsing list, expected comma or list end, got: \(t.type.rawValue)", at: t)
            }
            switch t.type {
            case .bool, .number, .float, .string, .heredoc:
                elements.append(.literal(t.type, text(t), loc(t)))
                needComma = true
            case .comma:
                needComma = false
            case .lbrace:
                do { elements.append(try objectType(t, depth: depth)) } catch {
                    if error.error.isNestingLimit { throw error }
                    throw fail("error while trying to parse object within list: At \(error.error.line):\(error.error.column): \(error.error.message)", at: t)
                }
                needComma = true
            case .lbrack:
                do { elements.append(try listType(t, depth: depth + 1)) } catch {
                    if error.error.isNestingLimit { throw error }
                    throw fail("error while trying to parse list within list: At \(error.error.line):\(error.error.column): \(error.error.message)", at: t)
                }
            case .rbrack:
                return .list(elements, loc(lbrack))
            default:
                throw fail("unexpected token while parsing list: \(t.type.rawValue)", at: t)
            }
        }
    }

    private func keyValue(_ t: HCLToken) throws(Failure) -> String {
        if t.type == .ident { return text(t) }
        switch HCLValues.unquote(bytes[t.start..<t.end]) {
        case .success(let s): return s
        case .failure(let e): throw fail(e.message, at: t)
        }
    }
}

// MARK: - literal values (hcl/token Value, hcl/strconv Unquote, unindentHeredoc)

enum HCLValues {
    /// hcl/strconv.Unquote of a scanned string token (quotes included): escapes decoded outside
    /// `${ }`, the inside of `${ }` kept as written.
    static func unquote(_ raw: ArraySlice<UInt8>) -> Result<String, UnitError> {
        let bad = UnitError("invalid string literal (hcl's strconv.Unquote: invalid syntax)")
        if raw.count < 2 { return .failure(bad) }
        let s = Array(raw.dropFirst().dropLast())
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        func hex(_ n: Int) -> UInt32? {
            guard i + n <= s.count else { return nil }
            var v: UInt32 = 0
            for k in 0..<n { guard let d = HCLSyntax.digitValue(s[i + k]) else { return nil }; v = v << 4 | UInt32(d) }
            i += n
            return v
        }
        while i < s.count {
            if s[i] == UInt8(ascii: "$"), i + 1 < s.count, s[i + 1] == UInt8(ascii: "{") {
                out.append(contentsOf: [UInt8(ascii: "$"), UInt8(ascii: "{")])
                i += 2
                var braces = 1
                while i < s.count && braces > 0 {
                    let b = s[i]
                    out.append(b); i += 1
                    if b == UInt8(ascii: "{") { braces += 1 } else if b == UInt8(ascii: "}") { braces -= 1 }
                }
                if braces != 0 { return .failure(bad) }
                continue
            }
            let c = s[i]
            if c == 0x0A { return .failure(bad) }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            guard i + 1 < s.count else { return .failure(bad) }
            let e = s[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "x"):
                guard let v = hex(2) else { return .failure(bad) }
                out.append(UInt8(v))
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                guard let v = hex(e == UInt8(ascii: "u") ? 4 : 8), v <= 0x10FFFF else { return .failure(bad) }
                // Go's utf8.EncodeRune writes U+FFFD for a surrogate
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(v) ?? "\u{FFFD}")).utf8))
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard i + 2 <= s.count else { return .failure(bad) }
                var v = UInt32(e - 0x30)
                for k in 0..<2 {
                    let d = s[i + k]
                    guard d >= 0x30 && d <= 0x37 else { return .failure(bad) }
                    v = v << 3 | UInt32(d - 0x30)
                }
                i += 2
                guard v <= 255 else { return .failure(bad) }
                out.append(UInt8(v))
            default: return .failure(bad)
            }
        }
        guard let str = String(validating: out, as: UTF8.self) else {
            return .failure(UnitError("the string is not valid UTF-8 after its \\x or octal escapes"))
        }
        return .success(str)
    }

    /// token.unindentHeredoc on the token's text (`<<EOF\n...EOF\n`), byte for byte.
    static func heredoc(_ raw: String) -> Result<String, UnitError> {
        let t = Array(raw.utf8)
        guard let idx = t.firstIndex(of: 0x0A), t.count > 2 else { return .failure(UnitError("heredoc doesn't contain newline")) }
        func text(_ b: [UInt8]) -> Result<String, UnitError> {
            String(validating: b, as: UTF8.self).map { .success($0) }
                ?? .failure(UnitError("the heredoc is not valid UTF-8 after hcl removes its last line"))
        }
        let plainEnd = max(idx + 1, t.count - idx + 1)
        if t[2] != UInt8(ascii: "-") { return text(Array(t[(idx + 1)..<plainEnd])) }
        let body = Array(t[(idx + 1)..<max(idx + 1, t.count - idx + 2)])
        let lines = body.split(separator: 0x0A, omittingEmptySubsequences: false)
        let prefix = lines[lines.count - 1]
        if !lines.allSatisfy({ $0.starts(with: prefix) }) {
            var whole = Array(t[(idx + 1)..<plainEnd])
            while let last = whole.last, last == 0x20 || last == 0x09 { whole.removeLast() }
            return text(whole)
        }
        var out: [UInt8] = []
        for (k, l) in lines.enumerated() {
            if k > 0 { out.append(0x0A) }
            if k == lines.count - 1 { break }
            out.append(contentsOf: l.dropFirst(prefix.count))
        }
        return text(out)
    }

    /// strconv.ParseInt(s, 0, 64): sign, then 0x/0o/0b prefixes, a leading 0 for octal,
    /// underscores only between digits with a prefix-free base-0 literal allowed by Go.
    static func parseInt(_ s: String) -> Result<Int64, UnitError> {
        var chars = Array(s.utf8)
        let syntax = UnitError("strconv.ParseInt: parsing \(JSONValue.quote(s)): invalid syntax")
        var negative = false
        if let f = chars.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { negative = f == UInt8(ascii: "-"); chars.removeFirst() }
        guard !chars.isEmpty else { return .failure(syntax) }
        var base: UInt64 = 10
        if chars[0] == UInt8(ascii: "0") && chars.count > 1 {
            switch chars[1] | 0x20 {
            case UInt8(ascii: "x"): base = 16; chars.removeFirst(2)
            case UInt8(ascii: "o"): base = 8; chars.removeFirst(2)
            case UInt8(ascii: "b"): base = 2; chars.removeFirst(2)
            default: base = 8; chars.removeFirst(1)
            }
        }
        var v: UInt64 = 0
        var any = false
        var lastUnderscore = false
        for c in chars {
            if c == UInt8(ascii: "_") { if lastUnderscore { return .failure(syntax) }; lastUnderscore = true; continue }
            lastUnderscore = false
            guard let d = HCLSyntax.digitValue(c), UInt64(d) < base else { return .failure(syntax) }
            any = true
            let (m, o1) = v.multipliedReportingOverflow(by: base)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return .failure(UnitError("strconv.ParseInt: parsing \(JSONValue.quote(s)): value out of range")) }
            v = a
        }
        if !any && !(base == 8 && chars.isEmpty) { return .failure(syntax) }
        if lastUnderscore { return .failure(syntax) }
        let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        if v > limit { return .failure(UnitError("strconv.ParseInt: parsing \(JSONValue.quote(s)): value out of range")) }
        return .success(negative ? (v == UInt64(Int64.max) + 1 ? Int64.min : -Int64(v)) : Int64(v))
    }

    /// strconv.ParseFloat(s, 64) on a FLOAT or NUMBER token's text.
    static func parseFloat(_ s: String) -> Result<Double, UnitError> {
        let lower = s.lowercased()
        guard !lower.contains("x"), !lower.contains("n"), !lower.contains("i"), let d = Double(s) else {
            return .failure(UnitError("strconv.ParseFloat: parsing \(JSONValue.quote(s)): invalid syntax"))
        }
        guard d.isFinite else { return .failure(UnitError("strconv.ParseFloat: parsing \(JSONValue.quote(s)): value out of range")) }
        return .success(d)
    }
}

// MARK: - decoding (decoder.go, into interface{})

/// The values hcl's decode builds, keeping Go's distinction between []map[string]interface{}
/// (objects inside objects) and []interface{} (lists), which consul-template's flatten relies on.
enum HCLGoValue {
    case map(HCLGoMap)
    case mapList([HCLGoMap], SourceLocation)
    case list([HCLGoValue], SourceLocation)
    case int(Int64, SourceLocation)
    case float(Double, String, SourceLocation)
    case bool(Bool, SourceLocation)
    case string(String, SourceLocation)
    case null
}

struct HCLGoMap {
    var keys: [String] = []
    var keyLocations: [SourceLocation] = []
    var values: [HCLGoValue] = []
    var index: [String: Int] = [:]   // lookup only, never iterated
    var location: SourceLocation
}

struct HCLDecoder {
    let file: String?

    enum Input {
        case node(HCLNode)
        case item(HCLItem)
        case list(HCLObjectList)

        var location: SourceLocation {
            switch self {
            case .node(let n): return n.location
            case .item(let it): return HCLSyntax.itemLocation(it)
            case .list(let l): return l.location
            }
        }
        var goType: String {
            switch self { case .node(let n): return n.goType; case .item: return "*ast.ObjectItem"; case .list: return "*ast.ObjectList" }
        }
    }

    /// The kind on top of decoder.go's stack when an interface{} is decoded: at the root or
    /// directly in a slice an object is a map, elsewhere a list of maps.
    enum Parent { case root, map, slice }

    private func fail(_ message: String, at l: SourceLocation) -> HCLSyntax.Failure {
        HCLSyntax.Failure(error: JSONSyntaxError(file: file, line: l.line ?? 1, column: l.column ?? 1, message: message))
    }

    mutating func decodeRoot(_ list: HCLObjectList) throws(HCLSyntax.Failure) -> HCLGoMap {
        var m = HCLGoMap(location: SourceLocation(file: file, line: 1, column: 1))
        try decodeMap("root", .list(list), &m)
        return m
    }

    private mutating func decode(_ name: String, _ input: Input, _ result: inout HCLGoValue, parent: Parent) throws(HCLSyntax.Failure) {
        switch result {
        case .null:
            // decodeInterface: make the Go value for this node, then decode into it
            var test = input
            if case .node(.object(let l, _)) = input { test = .list(l) }
            switch test {
            case .list:
                if parent == .map {
                    var a: [HCLGoMap] = []
                    try decodeSlice(name, input, maps: &a)
                    result = .mapList(a, input.location)
                } else {
                    var m = HCLGoMap(location: input.location)
                    try decodeMap(name, input, &m)
                    result = .map(m)
                }
            case .node(.list(_, let l)):
                var a: [HCLGoValue] = []
                try decodeSlice(name, input, values: &a)
                result = .list(a, l)
            case .node(.literal(let type, let text, let l)):
                switch type {
                case .bool: result = .bool(text == "true", l)
                case .float: result = .float(try float(text, l), text, l)
                case .number: result = .int(try int(text, l), l)
                case .string: result = .string(try string(type, text, l), l)
                case .heredoc: result = .string(try string(type, text, l), l)
                default: throw fail("\(name): cannot decode into interface: *ast.LiteralType", at: l)
                }
            default:
                throw fail("\(name): cannot decode into interface: \(input.goType)", at: input.location)
            }
        case .bool:
            guard case .node(.literal(.bool, let text, let l)) = input else { throw fail("\(name): unknown type \(input.goType)", at: input.location) }
            result = .bool(text == "true", l)
        case .float:
            guard case .node(.literal(let type, let text, let l)) = input, type == .float || type == .number else {
                throw fail("\(name): unknown type \(input.goType)", at: input.location)
            }
            result = .float(try float(text, l), text, l)
        case .int:
            guard case .node(.literal(let type, let text, let l)) = input, type == .number || type == .string else {
                throw fail("\(name): unknown type \(input.goType)", at: input.location)
            }
            let s = type == .number ? text : try string(type, text, l)
            switch HCLValues.parseInt(s) {
            case .success(let v): result = .int(v, l)
            case .failure(let e): throw fail(e.message, at: l)
            }
        case .string:
            guard case .node(.literal(let type, let text, let l)) = input, type == .number || type == .string || type == .heredoc else {
                throw fail("\(name): unknown type for string \(input.goType)", at: input.location)
            }
            result = .string(type == .number ? text : try string(type, text, l), l)
        case .map(var m):
            result = .null
            try decodeMap(name, input, &m)
            result = .map(m)
        case .mapList(var a, let l):
            result = .null
            try decodeSlice(name, input, maps: &a)
            result = .mapList(a, l)
        case .list(var a, let l):
            result = .null
            try decodeSlice(name, input, values: &a)
            result = .list(a, l)
        }
    }

    private func float(_ text: String, _ l: SourceLocation) throws(HCLSyntax.Failure) -> Double {
        switch HCLValues.parseFloat(text) { case .success(let d): return d; case .failure(let e): throw fail(e.message, at: l) }
    }
    private func int(_ text: String, _ l: SourceLocation) throws(HCLSyntax.Failure) -> Int64 {
        switch HCLValues.parseInt(text) { case .success(let v): return v; case .failure(let e): throw fail(e.message, at: l) }
    }
    private func string(_ type: HCLTokenType, _ text: String, _ l: SourceLocation) throws(HCLSyntax.Failure) -> String {
        let r = type == .heredoc ? HCLValues.heredoc(text) : HCLValues.unquote(ArraySlice(text.utf8))
        switch r { case .success(let s): return s; case .failure(let e): throw fail(e.message, at: l) }
    }

    /// decoder.go decodeMap.
    private mutating func decodeMap(_ name: String, _ input: Input, _ m: inout HCLGoMap) throws(HCLSyntax.Failure) {
        let list: HCLObjectList
        switch input {
        case .item(let it): list = HCLObjectList(items: [it], location: HCLSyntax.itemLocation(it))
        case .node(.object(let l, _)): list = l
        case .list(let l): list = l
        default: throw fail("\(name): not an object type for map (\(input.goType))", at: input.location)
        }
        var done: Set<String> = []   // lookup only
        for item in list.items {
            guard let first = item.keys.first else { throw fail("\(name): map must have string keys", at: list.location) }
            let key = first.value
            if done.contains(key) { continue }
            var value: Input = .node(item.value)
            if item.keys.count > 1 {
                value = .list(list.filter(key))
                done.insert(key)
            }
            let field = name + "." + key
            var slot = HCLGoValue.null
            let existing = m.index[key]
            if let i = existing { slot = m.values[i]; m.values[i] = .null }
            try decode(field, value, &slot, parent: .map)
            if let i = existing { m.values[i] = slot } else {
                m.index[key] = m.keys.count
                m.keys.append(key); m.keyLocations.append(first.location); m.values.append(slot)
            }
        }
    }

    private func sliceItems(_ input: Input) throws(HCLSyntax.Failure) -> [Input] {
        switch input {
        case .list(let l): return l.items.map { .item($0) }
        case .node(.object): return [input]
        case .node(.list(let elements, _)): return elements.map { .node($0) }
        default: throw fail("unknown slice type: \(input.goType)", at: input.location)
        }
    }

    /// decoder.go decodeSlice into []map[string]interface{}.
    private mutating func decodeSlice(_ name: String, _ input: Input, maps out: inout [HCLGoMap]) throws(HCLSyntax.Failure) {
        for (i, item) in try sliceItems(input).enumerated() {
            var m = HCLGoMap(location: item.location)
            if case .node(.object(_, let l)) = item { m.location = l }
            try decodeMap("\(name)[\(i)]", item, &m)
            out.append(m)
        }
    }

    /// decoder.go decodeSlice into []interface{}.
    private mutating func decodeSlice(_ name: String, _ input: Input, values out: inout [HCLGoValue]) throws(HCLSyntax.Failure) {
        for (i, item) in try sliceItems(input).enumerated() {
            var v = HCLGoValue.null
            try decode("\(name)[\(i)]", item, &v, parent: .slice)
            out.append(v)
        }
    }

    /// consul-template config/config.go flattenKeys: for a listed key, a list of maps becomes
    /// its last map (nil when empty), flattened again below it.
    static func flatten(_ m: inout HCLGoMap, parent: String, keys: Set<String>) {
        for i in m.keys.indices {
            let k = parent.isEmpty ? m.keys[i] : parent + "." + m.keys[i]
            guard keys.contains(k) else { continue }
            switch m.values[i] {
            case .mapList(let a, _):
                if var last = a.last { flatten(&last, parent: k, keys: keys); m.values[i] = .map(last) } else { m.values[i] = .null }
            case .map(var x):
                m.values[i] = .null
                flatten(&x, parent: k, keys: keys)
                m.values[i] = .map(x)
            default: break
            }
        }
    }

    /// The JSON value of a decoded HCL value.
    static func json(_ v: HCLGoValue) -> JSONValue {
        switch v {
        case .null: return JSONValue(.null)
        case .map(let m):
            var members: [JSONMember] = []
            members.reserveCapacity(m.keys.count)
            for i in m.keys.indices { members.append(JSONMember(key: m.keys[i], keyLocation: m.keyLocations[i], value: json(m.values[i]))) }
            return JSONValue(.object(members), location: m.location)
        case .mapList(let a, let l): return JSONValue(.array(a.map { json(.map($0)) }), location: l)
        case .list(let a, let l): return JSONValue(.array(a.map(json)), location: l)
        case .int(let n, let l): return JSONValue(.number(JSONNumber(text: String(n), double: Double(n))), location: l)
        case .float(let d, let text, let l):
            // the literal as JSON writes numbers ("5." and ".5" are HCL's)
            var t = text
            if t.hasPrefix(".") { t = "0" + t } else if t.hasPrefix("-.") { t = "-0" + t.dropFirst() }
            if let dot = t.firstIndex(of: "."), t.index(after: dot) == t.endIndex || !t[t.index(after: dot)].isNumber {
                t.insert("0", at: t.index(after: dot))
            }
            if t.last == "e" || t.last == "E" || t.last == "+" || t.last == "-" { t = String(d) }
            return JSONValue(.number(JSONNumber(text: t, double: d)), location: l)
        case .bool(let b, let l): return JSONValue(.bool(b), location: l)
        case .string(let s, let l): return JSONValue(.string(s), location: l)
        }
    }
}
