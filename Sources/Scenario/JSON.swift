import SimKernel
// A small JSON parser of our own: it keeps object key order and the file/line/column of every
// value and key, keeps each number's literal text (so a UInt64 seed is exact), and reports syntax
// errors with line and column. Swift's JSONSerialization does none of these.

/// Where a value or key starts. Lines and columns are 1-based; columns count Unicode scalars.
/// `file` is the name shown in messages; values set with `--set` carry the override as their
/// "file" and no line.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String?
    public var line: Int?
    public var column: Int?

    public init(file: String?, line: Int?, column: Int?) {
        self.file = file; self.line = line; self.column = column
    }

    /// "file:line:column", leaving out the parts that are unknown.
    public var description: String {
        var parts: [String] = []
        if let f = file { parts.append(f) }
        if let l = line { parts.append(String(l)); if let c = column { parts.append(String(c)) } }
        return parts.joined(separator: ":")
    }
}

/// A JSON number: the literal as written plus its value as a Double.
public struct JSONNumber: Hashable, Sendable {
    /// The literal exactly as written ("40", "1.5e3", "18446744073709551615").
    public var text: String
    public var double: Double

    public init(text: String, double: Double) { self.text = text; self.double = double }
    public init(_ value: Int) { self.text = String(value); self.double = Double(value) }

    /// True when the literal has no fraction and no exponent ("40", "-3").
    public var isIntegerLiteral: Bool { !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) }

    /// The exact integer value when the literal is an integer literal in Int64 range, or a
    /// fraction/exponent literal whose value is integral and exactly representable (2^53).
    public var int64: Int64? {
        if isIntegerLiteral { return Int64(text) }
        if double.isFinite, double == double.rounded(), Swift.abs(double) <= 9_007_199_254_740_992 { return Int64(double) }
        return nil
    }

    /// Like `int64` but for non-negative values up to UInt64.max.
    public var uint64: UInt64? {
        if isIntegerLiteral { return text == "-0" ? 0 : UInt64(text) }
        if double.isFinite, double >= 0, double == double.rounded(), double <= 9_007_199_254_740_992 { return UInt64(double) }
        return nil
    }
}

/// One `"key": value` of an object, in file order.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var keyLocation: SourceLocation?
    public var value: JSONValue

    public init(key: String, keyLocation: SourceLocation? = nil, value: JSONValue) {
        self.key = key; self.keyLocation = keyLocation; self.value = value
    }

    /// Equality ignores locations.
    public static func == (a: JSONMember, b: JSONMember) -> Bool { a.key == b.key && a.value == b.value }
}

/// A parsed JSON value with its source location. Objects are arrays of members, so key order is
/// the file's order everywhere (no Dictionary iteration reaches outputs or error order).
public struct JSONValue: Sendable, Equatable, CustomStringConvertible {
    public indirect enum Kind: Sendable, Equatable {
        case null
        case bool(Bool)
        case number(JSONNumber)
        case string(String)
        case array([JSONValue])
        case object([JSONMember])
    }

    public var kind: Kind
    public var location: SourceLocation?

    public init(_ kind: Kind, location: SourceLocation? = nil) { self.kind = kind; self.location = location }

    public static func string(_ s: String) -> JSONValue { JSONValue(.string(s)) }
    public static func number(_ n: Int) -> JSONValue { JSONValue(.number(JSONNumber(n))) }
    public static func object(_ members: [(String, JSONValue)]) -> JSONValue {
        JSONValue(.object(members.map { JSONMember(key: $0.0, value: $0.1) }))
    }
    public static func array(_ values: [JSONValue]) -> JSONValue { JSONValue(.array(values)) }

    /// Equality compares content only, never locations.
    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.kind == b.kind }

    /// "object", "array", "string", "number", "boolean" or "null", for messages.
    public var typeName: String {
        switch kind {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    public var stringValue: String? { if case .string(let s) = kind { return s }; return nil }
    public var numberValue: JSONNumber? { if case .number(let n) = kind { return n }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = kind { return b }; return nil }
    public var arrayValue: [JSONValue]? { if case .array(let a) = kind { return a }; return nil }
    public var objectMembers: [JSONMember]? { if case .object(let m) = kind { return m }; return nil }
    public var isNull: Bool { if case .null = kind { return true }; return false }

    /// The value of `key` when this is an object that has it (linear search, first match).
    public subscript(key: String) -> JSONValue? {
        objectMembers?.first(where: { $0.key == key })?.value
    }

    /// Compact JSON text, keys in file order, numbers as written.
    public var description: String { serialized() }

    /// JSON text of this value. `indent` > 0 pretty-prints with that many spaces per level.
    public func serialized(indent: Int = 0) -> String {
        var out = ""
        write(to: &out, indent: indent, level: 0)
        return out
    }

    /// A short rendering for messages: strings quoted, long values cut.
    /// The value for an error message: its type and text (`string "x"`, `array []`), null once.
    public var described: String {
        if case .null = kind { return "null" }
        return "\(typeName) \(brief)"
    }

    public var brief: String {
        let s = serialized()
        return s.count <= 60 ? s : String(s.prefix(57)) + "..."
    }

    private func write(to out: inout String, indent: Int, level: Int) {
        let nl = indent > 0 ? "\n" : ""
        func pad(_ l: Int) -> String { String(repeating: " ", count: indent * l) }
        switch kind {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n.text
        case .string(let s): out += JSONValue.quote(s)
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            out += "[" + nl
            for (i, v) in a.enumerated() {
                out += pad(level + 1)
                v.write(to: &out, indent: indent, level: level + 1)
                if i < a.count - 1 { out += indent > 0 ? "," : "," }
                out += nl
            }
            out += pad(level) + "]"
        case .object(let m):
            if m.isEmpty { out += "{}"; return }
            out += "{" + nl
            for (i, member) in m.enumerated() {
                out += pad(level + 1) + JSONValue.quote(member.key) + (indent > 0 ? ": " : ":")
                member.value.write(to: &out, indent: indent, level: level + 1)
                if i < m.count - 1 { out += "," }
                out += nl
            }
            out += pad(level) + "}"
        }
    }

    /// A JSON string literal for `s`.
    public static func quote(_ s: String) -> String { JSONText.quote(s) }
}

/// A JSON syntax error (or a duplicate key), with the position where it was found.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String?
    public var line: Int
    public var column: Int
    public var message: String
    /// True when this is the nesting limit (`JSONParser.maxDepth`), so that callers that parse a
    /// part of a larger document (an included file, a `--set` value) can say where the levels
    /// above it come from.
    public var isNestingLimit: Bool

    public init(file: String?, line: Int, column: Int, message: String, isNestingLimit: Bool = false) {
        self.file = file; self.line = line; self.column = column
        self.message = ErrorText.shorten(message); self.isNestingLimit = isNestingLimit
    }

    /// "line 12, column 5: expected ',' or '}' after object member"
    public var description: String { "line \(line), column \(column): \(message)" }
}

/// Strict RFC 8259 JSON: no comments, no trailing commas, no single quotes, no NaN/Infinity,
/// no leading zeros; duplicate keys are errors; nesting is limited to `maxDepth` levels.
public struct JSONParser {
    /// The deepest nesting of objects and arrays in a scenario, counted over the whole document
    /// after `$include`s and `--set`s (an included file starts at the level of its `$include`).
    /// Real scenarios use about 10 levels (a Marathon group of groups of apps with health
    /// checks: under 20). Every consumer of the tree (include resolution, overrides, decoders,
    /// serialisation, equality, even freeing it) recurses once per level, so this bound is what
    /// keeps them all far inside the 8 MiB main-thread stack (and the 512 KiB of a secondary
    /// thread) in debug builds.
    public static let maxDepth = 200

    /// The parsed value (nil after a syntax error) and every error found. Parsing stops at the
    /// first syntax error; duplicate keys are recorded and parsing goes on (the first value wins).
    public struct Result: Sendable {
        public var value: JSONValue?
        public var errors: [JSONSyntaxError]
    }

    /// Parses `text`. `file` is the name stored in every location. `startDepth` is the nesting
    /// level at which the text's value will stand in a larger document (an included file, a
    /// `--set` value): the text may nest only `maxDepth - startDepth` more levels.
    public static func parse(_ text: String, file: String? = nil, startDepth: Int = 0) -> Result {
        var p = JSONParser(bytes: Array(text.utf8), file: file)
        return p.run(startDepth: max(0, startDepth))
    }

    /// Parses `text` and throws the first error (syntax error or duplicate key).
    public static func parseValue(_ text: String, file: String? = nil) throws(JSONSyntaxError) -> JSONValue {
        let r = parse(text, file: file)
        if let e = r.errors.first { throw e }
        return r.value!
    }

    private struct Failure: Error { var error: JSONSyntaxError }

    private let bytes: [UInt8]
    private let file: String?
    private var pos = 0
    private var line = 1
    private var column = 1
    private var duplicates: [JSONSyntaxError] = []
    /// Keys and indexes from the root to the value being read (`["hostGroups", "[0]", "cpus"]`), for
    /// an error about the value itself (a number out of range) to name its path as the readers do.
    private var path: [String] = []

    private init(bytes: [UInt8], file: String?) { self.bytes = bytes; self.file = file }

    private mutating func run(startDepth: Int) -> Result {
        // A UTF-8 byte order mark is skipped.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { pos = 3 }
        do throws(Failure) {
            skipWhitespace()
            if pos >= bytes.count { throw fail("the document is empty; expected a JSON value") }
            let v = try parseValue(depth: startDepth)
            skipWhitespace()
            if pos < bytes.count {
                var end = pos
                while end < bytes.count, isWordByte(bytes[end]) { end += 1 }
                let what = end > pos + 1 ? "'" + String(decoding: bytes[pos..<end], as: UTF8.self) + "'" : describeHere()
                throw fail("unexpected \(what) after the end of the top-level value")
            }
            return Result(value: v, errors: duplicates)
        } catch {
            return Result(value: nil, errors: duplicates + [error.error])
        }
    }

    // MARK: positions

    private var here: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    private func fail(_ message: String, at loc: SourceLocation? = nil, nesting: Bool = false) -> Failure {
        let l = loc ?? here
        return Failure(error: JSONSyntaxError(file: file, line: l.line!, column: l.column!, message: message, isNestingLimit: nesting))
    }

    /// Moves past one byte, keeping line and column (columns count scalars: continuation bytes don't count).
    private mutating func advance() {
        let b = bytes[pos]
        pos += 1
        if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
    }

    private mutating func skipWhitespace() {
        while pos < bytes.count {
            let b = bytes[pos]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { advance() } else { break }
        }
    }

    /// The character at the current position, for messages.
    private func describeHere() -> String {
        guard pos < bytes.count else { return "end of input" }
        let b = bytes[pos]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        // decode one UTF-8 scalar for the message
        var end = pos + 1
        while end < bytes.count, end < pos + 4, bytes[end] & 0xC0 == 0x80 { end += 1 }
        if let s = String(validating: bytes[pos..<end], as: UTF8.self), let u = s.unicodeScalars.first {
            let hex = String(u.value, radix: 16, uppercase: true)
            return "character U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
        return "byte 0x" + String(b, radix: 16, uppercase: true)
    }

    // MARK: values

    private mutating func parseValue(depth: Int) throws(Failure) -> JSONValue {
        guard pos < bytes.count else { throw fail("unexpected end of input; expected a value") }
        let start = here
        switch bytes[pos] {
        case UInt8(ascii: "{"):
            if depth >= JSONParser.maxDepth { throw fail("nesting deeper than \(JSONParser.maxDepth) levels", nesting: true) }
            return try parseObject(depth: depth)
        case UInt8(ascii: "["):
            if depth >= JSONParser.maxDepth { throw fail("nesting deeper than \(JSONParser.maxDepth) levels", nesting: true) }
            return try parseArray(depth: depth)
        case UInt8(ascii: "\""):
            return JSONValue(.string(try parseString()), location: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONValue(.number(try parseNumber()), location: start)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            for (word, kind) in [("true", JSONValue.Kind.bool(true)), ("false", .bool(false)), ("null", .null)] {
                let n = word.utf8.count
                if matches(word), !(pos + n < bytes.count && isWordByte(bytes[pos + n])) {
                    for _ in 0..<n { advance() }
                    return JSONValue(kind, location: start)
                }
            }
            throw fail(unexpectedValueMessage())
        case UInt8(ascii: "'"):
            throw fail("strings must be in double quotes (\"...\"), not single quotes")
        case UInt8(ascii: "/"):
            throw fail("comments are not allowed in JSON")
        default:
            throw fail(unexpectedValueMessage())
        }
    }

    private func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }

    private func unexpectedValueMessage() -> String {
        // Show a bare word whole: NaN, Infinity, an unquoted string.
        var end = pos
        while end < bytes.count, isWordByte(bytes[end]) || bytes[end] >= 0x80 { end += 1 }
        if end > pos, let word = String(validating: bytes[pos..<end], as: UTF8.self) {
            return "unexpected '\(word)'; expected a value (object, array, string in double quotes, number, true, false or null)"
        }
        return "unexpected \(describeHere()); expected a value (object, array, string, number, true, false or null)"
    }

    private func matches(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard pos + w.count <= bytes.count else { return false }
        for i in 0..<w.count where bytes[pos + i] != w[i] { return false }
        return true
    }

    private mutating func parseObject(depth: Int) throws(Failure) -> JSONValue {
        let start = here
        advance() // {
        var members: [JSONMember] = []
        var firstSeen: [String: SourceLocation] = [:]   // lookup only; never iterated
        skipWhitespace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") {
            advance()
            return JSONValue(.object([]), location: start)
        }
        while true {
            skipWhitespace()
            guard pos < bytes.count else { throw fail("unexpected end of input inside the object that starts at line \(start.line!), column \(start.column!); expected a key in double quotes") }
            guard bytes[pos] == UInt8(ascii: "\"") else {
                if bytes[pos] == UInt8(ascii: "}") && !members.isEmpty {
                    throw fail("trailing comma before '}' is not allowed in JSON")
                }
                if bytes[pos] == UInt8(ascii: "'") { throw fail("object keys must be in double quotes, not single quotes") }
                if bytes[pos] == UInt8(ascii: "/") { throw fail("comments are not allowed in JSON") }
                throw fail("expected an object key in double quotes, found \(describeHere())")
            }
            let keyLoc = here
            let key = try parseString()
            skipWhitespace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else {
                throw fail("expected ':' after object key \(JSONValue.quote(key)), found \(describeHere())")
            }
            advance()
            skipWhitespace()
            path.append(key)
            let value = try parseValue(depth: depth + 1)
            path.removeLast()
            if let first = firstSeen[key] {
                duplicates.append(JSONSyntaxError(file: file, line: keyLoc.line!, column: keyLoc.column!,
                    message: "duplicate key \(JSONValue.quote(key)) (first given at line \(first.line!), column \(first.column!))"))
            } else {
                firstSeen[key] = keyLoc
                members.append(JSONMember(key: key, keyLocation: keyLoc, value: value))
            }
            skipWhitespace()
            guard pos < bytes.count else {
                throw fail("unexpected end of input inside the object that starts at line \(start.line!), column \(start.column!); expected ',' or '}'")
            }
            if bytes[pos] == UInt8(ascii: ",") { advance(); continue }
            if bytes[pos] == UInt8(ascii: "}") { advance(); break }
            throw fail("expected ',' or '}' after object member, found \(describeHere())")
        }
        return JSONValue(.object(members), location: start)
    }

    private mutating func parseArray(depth: Int) throws(Failure) -> JSONValue {
        let start = here
        advance() // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") {
            advance()
            return JSONValue(.array([]), location: start)
        }
        while true {
            skipWhitespace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "]"), !elements.isEmpty {
                throw fail("trailing comma before ']' is not allowed in JSON")
            }
            if pos >= bytes.count {
                throw fail("unexpected end of input inside the array that starts at line \(start.line!), column \(start.column!); expected a value")
            }
            path.append("[\(elements.count)]")
            elements.append(try parseValue(depth: depth + 1))
            path.removeLast()
            skipWhitespace()
            guard pos < bytes.count else {
                throw fail("unexpected end of input inside the array that starts at line \(start.line!), column \(start.column!); expected ',' or ']'")
            }
            if bytes[pos] == UInt8(ascii: ",") { advance(); continue }
            if bytes[pos] == UInt8(ascii: "]") { advance(); break }
            throw fail("expected ',' or ']' after array element, found \(describeHere())")
        }
        return JSONValue(.array(elements), location: start)
    }

    private mutating func parseNumber() throws(Failure) -> JSONNumber {
        let start = pos
        let startLoc = here
        func digit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
        if bytes[pos] == UInt8(ascii: "-") { advance() }
        guard digit(pos) else { throw fail("invalid number: expected a digit after '-'") }
        if bytes[pos] == UInt8(ascii: "0") {
            advance()
            if digit(pos) { throw fail("invalid number: leading zeros are not allowed", at: startLoc) }
        } else {
            while digit(pos) { advance() }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            advance()
            guard digit(pos) else { throw fail("invalid number: expected a digit after '.'") }
            while digit(pos) { advance() }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            advance()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { advance() }
            guard digit(pos) else { throw fail("invalid number: expected a digit in the exponent") }
            while digit(pos) { advance() }
        }
        if pos < bytes.count, isWordByte(bytes[pos]) {
            // "2h", "100GB" written without quotes
            var end = pos
            while end < bytes.count, isWordByte(bytes[end]) || bytes[end] == UInt8(ascii: "/") { end += 1 }
            let word = String(decoding: bytes[start..<end], as: UTF8.self)
            throw fail("invalid number \"\(word)\"; values with units must be strings, like \"\(word)\"", at: startLoc)
        }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        guard let d = Double(text), d.isFinite else {
            // Go's strconv.ParseFloat gives ErrRange here too; no key takes a number this large
            var where_ = ""
            for c in path { where_ += c.hasPrefix("[") || where_.isEmpty ? c : "." + c }
            throw fail((where_.isEmpty ? "" : where_ + ": ") + "the number \(text) is out of range: a JSON number here must be within ±1.7976931348623157e308 (a double), and each key allows less", at: startLoc)
        }
        return JSONNumber(text: text, double: d)
    }

    private mutating func parseString() throws(Failure) -> String {
        let startLoc = here
        advance() // opening quote
        var out: [UInt8] = []
        while true {
            guard pos < bytes.count else {
                throw fail("unterminated string that starts at line \(startLoc.line!), column \(startLoc.column!)")
            }
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") { advance(); break }
            if b < 0x20 {
                if b == 0x0A {
                    throw fail("unterminated string that starts at line \(startLoc.line!), column \(startLoc.column!) (a newline in a string must be written \\n)")
                }
                throw fail("control character U+00\(b < 0x10 ? "0" : "")\(String(b, radix: 16, uppercase: true)) in a string must be escaped (\\t, \\n, \\u00XX)")
            }
            if b == UInt8(ascii: "\\") {
                let escLoc = here
                advance()
                guard pos < bytes.count else { throw fail("unterminated string that starts at line \(startLoc.line!), column \(startLoc.column!)") }
                let e = bytes[pos]
                advance()
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    let hi = try hex4(escLoc)
                    var scalarValue = UInt32(hi)
                    if hi >= 0xD800 && hi <= 0xDBFF {
                        // needs a following \uDC00-\uDFFF
                        guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") else {
                            throw fail("unpaired UTF-16 high surrogate \\u\(String(hi, radix: 16, uppercase: true)); it must be followed by a \\uDC00-\\uDFFF low surrogate", at: escLoc)
                        }
                        let lowLoc = here
                        advance(); advance()
                        let lo = try hex4(lowLoc)
                        guard lo >= 0xDC00 && lo <= 0xDFFF else {
                            throw fail("unpaired UTF-16 high surrogate \\u\(String(hi, radix: 16, uppercase: true)); \\u\(String(lo, radix: 16, uppercase: true)) is not a low surrogate", at: escLoc)
                        }
                        scalarValue = 0x10000 + ((UInt32(hi) - 0xD800) << 10) + (UInt32(lo) - 0xDC00)
                    } else if hi >= 0xDC00 && hi <= 0xDFFF {
                        throw fail("unpaired UTF-16 low surrogate \\u\(String(hi, radix: 16, uppercase: true))", at: escLoc)
                    }
                    out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalarValue)!)).utf8))
                default:
                    throw fail("invalid escape '\\\(Character(Unicode.Scalar(e)))' in a string; allowed: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX", at: escLoc)
                }
                continue
            }
            out.append(b)
            advance()
        }
        guard let s = String(validating: out, as: UTF8.self) else {
            throw fail("the string is not valid UTF-8", at: startLoc)
        }
        return s
    }

    private mutating func hex4(_ escLoc: SourceLocation) throws(Failure) -> UInt16 {
        var v: UInt16 = 0
        for _ in 0..<4 {
            guard pos < bytes.count else { throw fail("invalid \\u escape: expected 4 hex digits", at: escLoc) }
            let b = bytes[pos]
            let d: UInt16
            switch b {
            case 0x30...0x39: d = UInt16(b - 0x30)
            case 0x41...0x46: d = UInt16(b - 0x41 + 10)
            case 0x61...0x66: d = UInt16(b - 0x61 + 10)
            default: throw fail("invalid \\u escape: expected 4 hex digits", at: escLoc)
            }
            v = v * 16 + d
            advance()
        }
        return v
    }
}
