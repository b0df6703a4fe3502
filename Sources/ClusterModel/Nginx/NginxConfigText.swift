import SimKernel

// nginx's configuration file syntax (src/core/ngx_conf_file.c `ngx_conf_read_token`): directives
// are words separated by whitespace and ended by `;`, or followed by a `{ ... }` block; `#` starts
// a comment to the end of the line; words may be quoted with "..." or '...' (backslash escapes).
// Values use nginx's units (src/core/ngx_parse.c): times "500ms", "10s", "1m30s", "1h", a bare
// number is seconds; sizes "512", "64k", "1m", "2g".

/// One directive of a configuration: its name, arguments, the line it starts on, and its block.
public struct NginxDirective: Equatable, Sendable {
    public var name: String
    public var args: [String]
    public var line: Int
    /// nil: a simple directive ended by `;`.
    public var block: [NginxDirective]?
}

/// Why nginx rejects a configuration, as `nginx -t` says it ("[emerg] ... in FILE:LINE").
public struct NginxConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public init(line: Int, _ message: String) { self.line = line; self.message = message }
    public var description: String { "line \(line): \(message)" }
}

public enum NginxConfigText {
    /// Cap on nesting (nginx has no fixed limit; no real file nests more than a few levels).
    static let maxDepth = 64

    /// The directives of `text` (ngx_conf_read_token's grammar).
    public static func parse(_ text: String) throws(NginxConfigError) -> [NginxDirective] {
        var tokens = Tokens(Array(text.utf8))
        let out = try block(&tokens, depth: 0, closeLine: nil)
        return out
    }

    private static func block(_ t: inout Tokens, depth: Int, closeLine: Int?) throws(NginxConfigError) -> [NginxDirective] {
        guard depth < maxDepth else { throw NginxConfigError(line: t.line, "blocks nested more than \(maxDepth) deep") }
        var out: [NginxDirective] = []
        var words: [String] = []
        var first = 0
        while true {
            let tok = try t.next()
            switch tok {
            case .end:
                if !words.isEmpty { throw NginxConfigError(line: t.line, "unexpected end of file, expecting \";\" or \"}\"") }
                if let l = closeLine { throw NginxConfigError(line: t.line, "unexpected end of file, expecting \"}\" (block opened on line \(l))") }
                return out
            case .word(let w, let line):
                if words.isEmpty { first = line }
                words.append(w)
            case .semicolon:
                guard let name = words.first else { throw NginxConfigError(line: t.line, "unexpected \";\"") }
                out.append(NginxDirective(name: name, args: Array(words.dropFirst()), line: first, block: nil))
                words = []
            case .open:
                guard let name = words.first else { throw NginxConfigError(line: t.line, "unexpected \"{\"") }
                let inner = try block(&t, depth: depth + 1, closeLine: first)
                out.append(NginxDirective(name: name, args: Array(words.dropFirst()), line: first, block: inner))
                words = []
            case .close:
                if !words.isEmpty { throw NginxConfigError(line: t.line, "unexpected \"}\"") }
                guard closeLine != nil else { throw NginxConfigError(line: t.line, "unexpected \"}\"") }
                return out
            }
        }
    }

    enum Token { case word(String, line: Int), semicolon, open, close, end }

    struct Tokens {
        let bytes: [UInt8]
        var i = 0
        var line = 1
        init(_ b: [UInt8]) { bytes = b }

        static func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 }

        mutating func next() throws(NginxConfigError) -> Token {
            while i < bytes.count {
                let c = bytes[i]
                if c == 10 { line += 1; i += 1; continue }
                if Tokens.isSpace(c) { i += 1; continue }
                if c == UInt8(ascii: "#") {
                    while i < bytes.count && bytes[i] != 10 { i += 1 }
                    continue
                }
                break
            }
            guard i < bytes.count else { return .end }
            let c = bytes[i]
            switch c {
            case UInt8(ascii: ";"): i += 1; return .semicolon
            case UInt8(ascii: "{"): i += 1; return .open
            case UInt8(ascii: "}"): i += 1; return .close
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let start = line
                i += 1
                var w: [UInt8] = []
                while true {
                    guard i < bytes.count else { throw NginxConfigError(line: start, "unexpected end of file in a quoted string") }
                    let b = bytes[i]
                    if b == c { i += 1; break }
                    if b == UInt8(ascii: "\\"), i + 1 < bytes.count { w.append(bytes[i + 1]); i += 2; continue }
                    if b == 10 { line += 1 }
                    w.append(b); i += 1
                }
                if i < bytes.count, !Tokens.isSpace(bytes[i]), bytes[i] != UInt8(ascii: ";"), bytes[i] != UInt8(ascii: "{") {
                    throw NginxConfigError(line: line, "unexpected \"\(Character(UnicodeScalar(bytes[i])))\"")
                }
                return .word(String(decoding: w, as: UTF8.self), line: start)
            default:
                let start = i
                while i < bytes.count {
                    let b = bytes[i]
                    if Tokens.isSpace(b) || b == UInt8(ascii: ";") || b == UInt8(ascii: "{") { break }
                    if b == UInt8(ascii: "}") { break }
                    i += 1
                }
                return .word(String(decoding: bytes[start..<i], as: UTF8.self), line: line)
            }
        }
    }

    // MARK: units

    /// ngx_parse_time: number+unit groups in decreasing unit order, optionally separated by
    /// spaces, and a bare number (seconds) only at the end. `seconds` is nginx's is_sec (parameters
    /// such as `fail_timeout`): units y M w d h m s; otherwise (the `*_timeout` directives, kept in
    /// milliseconds) units w d h m s ms. Checked against nginx 1.22's `nginx -t`.
    public static func time(_ s: String, seconds: Bool = false) -> SimDuration? {
        let b = Array(s.utf8)
        var total: Int64 = 0
        var i = 0
        var lastRank = Int.max
        var groups = 0
        let day: Int64 = 86_400 * 1_000_000_000
        while i < b.count {
            if b[i] == 32 { i += 1; continue }
            var n: Int64 = 0
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(b[i] - 48))
                guard !o1, !o2 else { return nil }
                n = a; digits += 1; i += 1
            }
            guard digits > 0 else { return nil }
            var unitNs: Int64
            var rank: Int
            if i == b.count || b[i] == 32 {
                // a bare number: seconds, and nothing may follow
                while i < b.count, b[i] == 32 { i += 1 }
                guard i == b.count else { return nil }
                unitNs = 1_000_000_000; rank = 1
            } else {
                let u = b[i]
                i += 1
                switch u {
                case UInt8(ascii: "y") where seconds: unitNs = 365 * day; rank = 9
                case UInt8(ascii: "M") where seconds: unitNs = 30 * day; rank = 8
                case UInt8(ascii: "w"): unitNs = 7 * day; rank = 7
                case UInt8(ascii: "d"): unitNs = day; rank = 6
                case UInt8(ascii: "h"): unitNs = 3_600 * 1_000_000_000; rank = 5
                case UInt8(ascii: "m"):
                    if i < b.count, b[i] == UInt8(ascii: "s") {
                        guard !seconds else { return nil }
                        i += 1; unitNs = 1_000_000; rank = 2
                    } else { unitNs = 60 * 1_000_000_000; rank = 4 }
                case UInt8(ascii: "s"): unitNs = 1_000_000_000; rank = 3
                default: return nil
                }
            }
            guard rank < lastRank else { return nil }
            lastRank = rank
            groups += 1
            let (p, o) = n.multipliedReportingOverflow(by: unitNs)
            guard !o else { return nil }
            let (t, o2) = total.addingReportingOverflow(p)
            guard !o2 else { return nil }
            total = t
        }
        return groups > 0 ? SimDuration(nanoseconds: total) : nil
    }

    /// ngx_parse_size: a number with an optional k/K (x1024), m/M (x1024^2) or g/G (x1024^3).
    public static func size(_ s: String) -> Int64? {
        guard var body = Optional(Substring(s)), !body.isEmpty else { return nil }
        var scale: Int64 = 1
        switch body.last! {
        case "k", "K": scale = 1 << 10; body = body.dropLast()
        case "m", "M": scale = 1 << 20; body = body.dropLast()
        case "g", "G": scale = 1 << 30; body = body.dropLast()
        default: break
        }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int64(body) else { return nil }
        let (v, o) = n.multipliedReportingOverflow(by: scale)
        return o ? nil : v
    }
}
