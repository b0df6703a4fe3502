/// Go's regexp/syntax (Perl flags, as regexp.Compile uses it), parsed into a small tree: what the
/// simulator needs to evaluate users' regular expressions as Prometheus, Alertmanager and
/// consul-template do (RE2 semantics). The refusals carry Go's own error words
/// ("error parsing regexp: missing closing ): `(a`"), since the real tools refuse the file with them.
/// Prometheus 2.42 is built with Go 1.19: `(?<name>re)` (Go 1.22) is refused, as there.

/// A Go regexp/syntax error: `error parsing regexp: <code>: `<expr>``.
public struct GoRegexpError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Go's ErrorCode text ("missing closing )"), or the simulator's own refusal (`unsupported`).
    public var code: String
    public var expr: String
    /// True when Go accepts the construct but the simulator does not (a Unicode script class).
    public var unsupported = false
    public var description: String {
        unsupported ? "\(code): `\(expr)`" : "error parsing regexp: \(code): `\(expr)`"
    }

    static let invalidCharClass = "invalid character class"
    static let invalidCharRange = "invalid character class range"
    static let invalidEscape = "invalid escape sequence"
    static let invalidNamedCapture = "invalid named capture"
    static let invalidPerlOp = "invalid or unsupported Perl syntax"
    static let invalidRepeatOp = "invalid nested repetition operator"
    static let invalidRepeatSize = "invalid repeat count"
    static let missingBracket = "missing closing ]"
    static let missingParen = "missing closing )"
    static let missingRepeatArgument = "missing argument to repetition operator"
    static let trailingBackslash = "trailing backslash at end of expression"
    static let unexpectedParen = "unexpected )"
    static let nestingDepth = "expression nests too deeply"
    static let large = "expression too large"
}

/// A character class as Go builds it: each item (a range, a Perl or POSIX group, a Unicode category)
/// is case-folded under (?i) and then negated if it is a negated group (\W, [:^alpha:], \PL); the
/// class is the union of its items, negated as a whole by `[^...]`.
struct GoCharClass {
    var ranges: [(UInt32, UInt32)] = []
    /// Negated groups (\D, \S, \W, [:^name:]): a scalar matches when it is outside the group.
    var negatedGroups: [[(UInt32, UInt32)]] = []
    /// Unicode general categories (\pL), each possibly negated (\PL).
    var categories: [(cats: Set<Unicode.GeneralCategory>, negated: Bool)] = []
    var negated = false
    var fold = false

    mutating func add(_ lo: UInt32, _ hi: UInt32) { ranges.append((lo, hi)) }

    private static func inRanges(_ c: UInt32, _ rs: [(UInt32, UInt32)]) -> Bool {
        for (lo, hi) in rs where c >= lo && c <= hi { return true }
        return false
    }

    private func items(_ cands: [UInt32]) -> Bool {
        if cands.contains(where: { Self.inRanges($0, ranges) }) { return true }
        for g in negatedGroups where !cands.contains(where: { Self.inRanges($0, g) }) { return true }
        if !categories.isEmpty {
            let gcs = cands.map { Unicode.Scalar($0)?.properties.generalCategory }
            for (cats, neg) in categories where gcs.contains(where: { $0.map(cats.contains) ?? false }) != neg { return true }
        }
        return false
    }

    func matches(_ c: UInt32) -> Bool {
        if !fold, negatedGroups.isEmpty, categories.isEmpty { return Self.inRanges(c, ranges) != negated }
        return items(fold ? GoFold.orbit(c) : [c]) != negated
    }
}

/// Simple case folding as Go's unicode.SimpleFold orbits: two scalars are equal under (?i) when their
/// canonical forms (lower(upper(c)), single-scalar mappings only) are equal.
enum GoFold {
    static func lower(_ c: UInt32) -> UInt32 {
        if c < 0x80 { return c >= 0x41 && c <= 0x5A ? c + 32 : c }
        return single(Unicode.Scalar(c)?.properties.lowercaseMapping, c)
    }
    static func upper(_ c: UInt32) -> UInt32 {
        if c < 0x80 { return c >= 0x61 && c <= 0x7A ? c - 32 : c }
        return single(Unicode.Scalar(c)?.properties.uppercaseMapping, c)
    }
    private static func single(_ m: String?, _ c: UInt32) -> UInt32 {
        guard let m else { return c }
        let u = m.unicodeScalars
        return u.count == 1 ? u.first!.value : c
    }
    static func canon(_ c: UInt32) -> UInt32 {
        if c < 0x80 { return lower(c) }
        return lower(upper(c))
    }
    /// Members of the fold orbit whose canonical form is not reached by the mappings of c.
    private static let extra: [UInt32: [UInt32]] = [
        0x6B: [0x212A], 0x73: [0x17F], 0xE5: [0x212B], 0x3C9: [0x2126], 0xDF: [0x1E9E],
        0x3B8: [0x3D1, 0x3F4], 0x3B2: [0x3D0], 0x3B5: [0x3F5], 0x3BA: [0x3F0], 0x3C0: [0x3D6],
        0x3C1: [0x3F1], 0x3C3: [0x3C2], 0x3C6: [0x3D5], 0x3B9: [0x345, 0x1FBE], 0x3BC: [0xB5],
    ]
    /// The scalars equal to c under simple folding (c included).
    static func orbit(_ c: UInt32) -> [UInt32] {
        let k = canon(c)
        var o = [c, k, upper(k), lower(c), upper(c)]
        if let s = Unicode.Scalar(c), c >= 0x80, let t = s.properties.titlecaseMapping.unicodeScalars.first,
           s.properties.titlecaseMapping.unicodeScalars.count == 1 { o.append(t.value) }
        if let e = extra[k] { o += e }
        return o
    }
    static func hasCase(_ c: UInt32) -> Bool { orbit(c).contains { $0 != c } }
}

/// The parse tree.
indirect enum GoRegexpNode {
    case empty
    case literal(UInt32, fold: Bool)
    case charClass(Int)
    case anyChar, anyNotNL
    case assert(GoAssert)
    case capture(GoRegexpNode, index: Int)
    case concat([GoRegexpNode])
    case alternate([GoRegexpNode])
    /// max -1: unbounded.
    case repeated(GoRegexpNode, min: Int, max: Int, greedy: Bool)

    /// Whether it can match the empty string.
    var nullable: Bool {
        switch self {
        case .empty, .assert: return true
        case .literal, .charClass, .anyChar, .anyNotNL: return false
        case .capture(let n, _): return n.nullable
        case .concat(let ns): return ns.allSatisfy(\.nullable)
        case .alternate(let ns): return ns.contains(where: \.nullable)
        case .repeated(let n, let min, _, _): return min == 0 || n.nullable
        }
    }
}

enum GoAssert: UInt32 { case beginText, endText, beginLine, endLine, wordBoundary, noWordBoundary }

struct GoRegexpParse {
    var root: GoRegexpNode
    var classes: [GoCharClass]
    var names: [String]        // index 0: ""
}

/// Go's parser (regexp/syntax/parse.go) by recursive descent: the same language, refusals and words.
struct GoRegexpParser {
    private struct Flags { var fold = false, multiLine = false, dotNL = false, nonGreedy = false }
    private let s: [Unicode.Scalar]
    private let text: String
    private var i = 0
    private var classes: [GoCharClass] = []
    private var names = [""]
    private var depth = 0
    /// Literals of a \Q...\E before its last one (which a quantifier repeats).
    private var pending: [GoRegexpNode] = []

    /// Java's `(?<name>re)` accepted as `(?P<name>re)` (Marathon's constraints: java.util.regex).
    private let javaNamedGroups: Bool

    private init(_ pattern: String, javaNamedGroups: Bool) { text = pattern; s = Array(pattern.unicodeScalars); self.javaNamedGroups = javaNamedGroups }

    static func parse(_ pattern: String, javaNamedGroups: Bool = false) throws(GoRegexpError) -> GoRegexpParse {
        var p = GoRegexpParser(pattern, javaNamedGroups: javaNamedGroups)
        var flags = Flags()
        let root = try p.alternation(&flags)
        if p.i < p.s.count {   // a ) with no group open
            throw GoRegexpError(code: GoRegexpError.unexpectedParen, expr: pattern)
        }
        try checkRepeats(root, pattern)
        return GoRegexpParse(root: root, classes: p.classes, names: p.names)
    }

    /// Go's repeatIsValid: nested counted repetitions multiply to at most 1000.
    private static func checkRepeats(_ n: GoRegexpNode, _ pattern: String) throws(GoRegexpError) {
        func valid(_ n: GoRegexpNode, _ budget: Int) -> Bool {
            switch n {
            case .repeated(let x, let min, let max, _):
                var m = max < 0 ? min : max
                var b = budget
                if m > 0 {
                    if m > b { return false }
                    m = Swift.max(m, 1); b /= m
                }
                return valid(x, b)
            case .capture(let x, _): return valid(x, budget)
            case .concat(let xs), .alternate(let xs): return xs.allSatisfy { valid($0, budget) }
            default: return true
            }
        }
        if !valid(n, 1000) { throw GoRegexpError(code: GoRegexpError.invalidRepeatSize, expr: pattern) }
    }

    private func str(_ a: Int, _ b: Int) -> String {
        var out = ""
        out.unicodeScalars.append(contentsOf: s[max(0, a)..<min(b, s.count)])
        return out
    }

    private func err(_ code: String, _ a: Int, _ b: Int) -> GoRegexpError { GoRegexpError(code: code, expr: str(a, b)) }

    private mutating func alternation(_ flags: inout Flags) throws(GoRegexpError) -> GoRegexpNode {
        depth += 1
        defer { depth -= 1 }
        if depth > 1000 { throw GoRegexpError(code: GoRegexpError.nestingDepth, expr: text) }
        var alts: [GoRegexpNode] = []
        while true {
            alts.append(try concatenation(&flags))
            if i < s.count, s[i] == "|" { i += 1; continue }
            break
        }
        return alts.count == 1 ? alts[0] : .alternate(alts)
    }

    private mutating func concatenation(_ flags: inout Flags) throws(GoRegexpError) -> GoRegexpNode {
        var items: [GoRegexpNode] = []
        while i < s.count {
            let c = s[i]
            if c == "|" || c == ")" { break }
            let start = i
            if c == "*" || c == "+" || c == "?" {
                throw err(GoRegexpError.missingRepeatArgument, i, i + 1)
            }
            if c == "{", let r = repeatOp(at: i) {
                if r.min < 0 { throw err(GoRegexpError.invalidRepeatSize, i, r.end) }
                throw err(GoRegexpError.missingRepeatArgument, i, r.end)
            }
            guard let atom = try atom(&flags) else { continue }   // a flag group, \Q\E: nothing to repeat
            items += pending
            pending = []
            var node = atom
            var opStart = -1
            var lastOpStart = -1
            while i < s.count {
                var min = 0, max = -1
                opStart = i
                let q = s[i]
                if q == "*" { i += 1 }
                else if q == "+" { min = 1; i += 1 }
                else if q == "?" { max = 1; i += 1 }
                else if q == "{", let r = repeatOp(at: i) {
                    if r.min < 0 || r.min > 1000 || r.max > 1000 || (r.max >= 0 && r.min > r.max) {
                        throw err(GoRegexpError.invalidRepeatSize, i, r.end)
                    }
                    min = r.min; max = r.max; i = r.end
                } else { break }
                var greedy = true
                if i < s.count, s[i] == "?" { greedy = false; i += 1 }
                if lastOpStart >= 0 { throw err(GoRegexpError.invalidRepeatOp, lastOpStart, i) }
                if flags.nonGreedy { greedy.toggle() }
                node = .repeated(node, min: min, max: max, greedy: greedy)
                lastOpStart = opStart
            }
            _ = start
            items.append(node)
        }
        if items.isEmpty { return .empty }
        return items.count == 1 ? items[0] : .concat(items)
    }

    /// `{n}`, `{n,}`, `{n,m}` at j: min -1 when a number is too big; nil when it is not a repeat
    /// (then `{` is a literal), as Go's parseRepeat.
    private func repeatOp(at j: Int) -> (min: Int, max: Int, end: Int)? {
        var k = j + 1
        func number() -> Int?? {   // nil: no digits; .some(nil): too big
            let st = k
            while k < s.count, ("0"..."9").contains(s[k]) { k += 1 }
            if k == st { return nil }
            if k - st >= 2, s[st] == "0" { return .some(nil) }   // leading zero: not a repeat
            if k - st > 8 { return .some(-2) }
            return .some(Int(str(st, k)))
        }
        guard let lo = number() else { return nil }
        guard let lov = lo else { return nil }
        var hiv = lov
        if k < s.count, s[k] == "," {
            k += 1
            if k < s.count, s[k] == "}" { hiv = -1 } else {
                guard let hi = number(), let h = hi else { return nil }
                hiv = h
            }
        }
        guard k < s.count, s[k] == "}" else { return nil }
        if lov < 0 || (hiv < -1) { return (-1, -1, k + 1) }
        return (lov, hiv, k + 1)
    }

    private mutating func atom(_ flags: inout Flags) throws(GoRegexpError) -> GoRegexpNode? {
        let c = s[i]
        switch c {
        case "(":
            return try group(&flags)
        case "[":
            return .charClass(try charClass(flags))
        case ".":
            i += 1
            return flags.dotNL ? .anyChar : .anyNotNL
        case "^":
            i += 1
            return .assert(flags.multiLine ? .beginLine : .beginText)
        case "$":
            i += 1
            return .assert(flags.multiLine ? .endLine : .endText)
        case "\\":
            return try escapeAtom(flags)
        default:
            i += 1
            return literal(c.value, flags)
        }
    }

    private func literal(_ c: UInt32, _ flags: Flags) -> GoRegexpNode {
        if flags.fold && GoFold.hasCase(c) { return .literal(GoFold.canon(c), fold: true) }
        return .literal(c, fold: false)
    }

    private mutating func group(_ flags: inout Flags) throws(GoRegexpError) -> GoRegexpNode? {
        let open = i
        if i + 1 < s.count, s[i + 1] == "?" {
            // (?P<name>re)
            let java = javaNamedGroups && i + 3 < s.count && s[i + 2] == "<" && s[i + 3] != "=" && s[i + 3] != "!"
            if java || (i + 3 < s.count && s[i + 2] == "P" && s[i + 3] == "<") {
                let nameStart = java ? i + 3 : i + 4
                var k = nameStart
                while k < s.count, s[k] != ">" { k += 1 }
                guard k < s.count else { throw err(GoRegexpError.invalidNamedCapture, open, s.count) }
                let name = str(nameStart, k)
                guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }) else {
                    throw err(GoRegexpError.invalidNamedCapture, open, k + 1)
                }
                i = k + 1
                return try captureBody(flags, name: name, open: open)
            }
            // flags: (?i) (?i-s) (?i:re)
            var nf = flags
            var sign = 1
            var sawFlag = false
            var k = i + 2
            while k < s.count {
                let f = s[k]
                k += 1
                switch f {
                case "i": if sign > 0 { nf.fold = true } else { nf.fold = false }; sawFlag = true; continue
                case "m": if sign > 0 { nf.multiLine = true } else { nf.multiLine = false }; sawFlag = true; continue
                case "s": if sign > 0 { nf.dotNL = true } else { nf.dotNL = false }; sawFlag = true; continue
                case "U": if sign > 0 { nf.nonGreedy = true } else { nf.nonGreedy = false }; sawFlag = true; continue
                case "-":
                    if sign < 0 { break }
                    sign = -1; sawFlag = false; continue
                case ":", ")":
                    if sign < 0 && !sawFlag { break }
                    i = k
                    if f == ")" { flags = nf; return nil }
                    var inner = nf
                    let body = try alternation(&inner)
                    guard i < s.count, s[i] == ")" else { throw GoRegexpError(code: GoRegexpError.missingParen, expr: text) }
                    i += 1
                    return body
                default: break
                }
                break
            }
            throw err(GoRegexpError.invalidPerlOp, open, k)
        }
        i += 1
        return try captureBody(flags, name: "", open: open)
    }

    private mutating func captureBody(_ flags: Flags, name: String, open: Int) throws(GoRegexpError) -> GoRegexpNode {
        let index = names.count
        names.append(name)
        var inner = flags
        let body = try alternation(&inner)
        guard i < s.count, s[i] == ")" else { throw GoRegexpError(code: GoRegexpError.missingParen, expr: text) }
        i += 1
        return .capture(body, index: index)
    }

    /// An escape outside a class.
    private mutating func escapeAtom(_ flags: Flags) throws(GoRegexpError) -> GoRegexpNode? {
        let start = i
        guard i + 1 < s.count else { throw GoRegexpError(code: GoRegexpError.trailingBackslash, expr: "") }
        let c = s[i + 1]
        switch c {
        case "A": i += 2; return .assert(.beginText)
        case "z": i += 2; return .assert(.endText)
        case "b": i += 2; return .assert(.wordBoundary)
        case "B": i += 2; return .assert(.noWordBoundary)
        case "C": i += 2; return .anyChar
        case "Q":
            // literal text up to \E or the end
            // Go: everything up to \E is literal (a quantifier after \E repeats the last one)
            var k = i + 2
            var lits: [GoRegexpNode] = []
            while k < s.count, !(s[k] == "\\" && k + 1 < s.count && s[k + 1] == "E") {
                lits.append(literal(s[k].value, flags))
                k += 1
            }
            i = min(k + 2, s.count)
            guard let last = lits.popLast() else { return nil }
            pending = lits
            return last
        case "E":
            throw err(GoRegexpError.invalidEscape, start, start + 2)
        case "d", "D", "s", "S", "w", "W", "p", "P":
            var cls = GoCharClass()
            try classEscape(into: &cls)
            cls.fold = flags.fold
            classes.append(cls)
            return .charClass(classes.count - 1)
        default:
            return literal(try escapeChar(), flags)
        }
    }

    private static let perlDigit: [(UInt32, UInt32)] = [(0x30, 0x39)]
    private static let perlSpace: [(UInt32, UInt32)] = [(0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)]
    private static let perlWord: [(UInt32, UInt32)] = [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)]
    static let posix: [String: [(UInt32, UInt32)]] = [
        "alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
        "alpha": [(0x41, 0x5A), (0x61, 0x7A)],
        "ascii": [(0, 0x7F)],
        "blank": [(0x09, 0x09), (0x20, 0x20)],
        "cntrl": [(0, 0x1F), (0x7F, 0x7F)],
        "digit": [(0x30, 0x39)],
        "graph": [(0x21, 0x7E)],
        "lower": [(0x61, 0x7A)],
        "print": [(0x20, 0x7E)],
        "punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
        "space": [(0x09, 0x0D), (0x20, 0x20)],
        "upper": [(0x41, 0x5A)],
        "word": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A), (0x5F, 0x5F)],
        "xdigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
    ]

    /// Go's unicode.Categories names (general categories).
    private static let categories: [String: Set<Unicode.GeneralCategory>] = {
        let all: [(String, Unicode.GeneralCategory)] = [
            ("Cc", .control), ("Cf", .format), ("Co", .privateUse), ("Cs", .surrogate),
            ("Ll", .lowercaseLetter), ("Lm", .modifierLetter), ("Lo", .otherLetter), ("Lt", .titlecaseLetter), ("Lu", .uppercaseLetter),
            ("Mc", .spacingMark), ("Me", .enclosingMark), ("Mn", .nonspacingMark),
            ("Nd", .decimalNumber), ("Nl", .letterNumber), ("No", .otherNumber),
            ("Pc", .connectorPunctuation), ("Pd", .dashPunctuation), ("Pe", .closePunctuation), ("Pf", .finalPunctuation),
            ("Pi", .initialPunctuation), ("Po", .otherPunctuation), ("Ps", .openPunctuation),
            ("Sc", .currencySymbol), ("Sk", .modifierSymbol), ("Sm", .mathSymbol), ("So", .otherSymbol),
            ("Zl", .lineSeparator), ("Zp", .paragraphSeparator), ("Zs", .spaceSeparator),
        ]
        var m: [String: Set<Unicode.GeneralCategory>] = [:]
        for (n, g) in all { m[n] = [g]; m[String(n.prefix(1)), default: []].insert(g) }
        return m
    }()

    /// Go's unicode.Scripts names the simulator does not evaluate (Unicode.Scalar.Properties has no script).
    private static let scripts: Set<String> = [
        "Adlam", "Ahom", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum", "Batak", "Bengali", "Bopomofo", "Braille",
        "Buginese", "Buhid", "Canadian_Aboriginal", "Carian", "Cham", "Cherokee", "Common", "Coptic", "Cuneiform", "Cypriot",
        "Cyrillic", "Deseret", "Devanagari", "Egyptian_Hieroglyphs", "Ethiopic", "Georgian", "Glagolitic", "Gothic", "Greek",
        "Gujarati", "Gurmukhi", "Han", "Hangul", "Hanunoo", "Hebrew", "Hiragana", "Inherited", "Javanese", "Kannada",
        "Katakana", "Kayah_Li", "Khmer", "Lao", "Latin", "Lepcha", "Limbu", "Lisu", "Malayalam", "Mongolian", "Myanmar",
        "Nko", "Ogham", "Ol_Chiki", "Oriya", "Runic", "Samaritan", "Saurashtra", "Sinhala", "Sundanese", "Syriac",
        "Tagalog", "Tai_Le", "Tamil", "Telugu", "Thaana", "Thai", "Tibetan", "Tifinagh", "Vai", "Yi",
    ]

    /// \d \D \s \S \w \W \pX \p{..} \PX at i, into a class.
    private mutating func classEscape(into cls: inout GoCharClass) throws(GoRegexpError) {
        let start = i
        let c = s[i + 1]
        i += 2
        switch c {
        case "d": cls.ranges += Self.perlDigit
        case "D": cls.negatedGroups.append(Self.perlDigit)
        case "s": cls.ranges += Self.perlSpace
        case "S": cls.negatedGroups.append(Self.perlSpace)
        case "w": cls.ranges += Self.perlWord
        case "W": cls.negatedGroups.append(Self.perlWord)
        default:   // p, P
            var negated = c == "P"
            var name: String
            guard i < s.count else { throw err(GoRegexpError.invalidCharRange, start, i) }
            if s[i] == "{" {
                var k = i + 1
                while k < s.count, s[k] != "}" { k += 1 }
                guard k < s.count else { throw err(GoRegexpError.invalidCharRange, start, s.count) }
                name = str(i + 1, k)
                i = k + 1
            } else {
                name = String(Character(s[i]))
                i += 1
            }
            if name.hasPrefix("^") { negated.toggle(); name.removeFirst() }
            if name == "Any" {
                if negated { cls.categories.append(([], false)) } else { cls.add(0, 0x10FFFF) }
            } else if let cats = Self.categories[name] {
                cls.categories.append((cats, negated))
            } else if Self.scripts.contains(name) {
                throw GoRegexpError(code: "the Unicode script class is not supported by the simulator (general categories such as \\pL, \\p{Lu}, \\PN are)",
                                    expr: str(start, i), unsupported: true)
            } else {
                throw err(GoRegexpError.invalidCharRange, start, i)
            }
        }
    }

    /// A single-character escape (\n, \x{..}, \123, \.) at i; Go's parseEscape.
    private mutating func escapeChar() throws(GoRegexpError) -> UInt32 {
        let start = i
        guard i + 1 < s.count else { throw GoRegexpError(code: GoRegexpError.trailingBackslash, expr: "") }
        let c = s[i + 1]
        i += 2
        func isOctal(_ k: Int) -> Bool { k < s.count && ("0"..."7").contains(s[k]) }
        func hexValue(_ u: Unicode.Scalar) -> UInt32? {
            switch u {
            case "0"..."9": return u.value - 0x30
            case "a"..."f": return u.value - 0x61 + 10
            case "A"..."F": return u.value - 0x41 + 10
            default: return nil
            }
        }
        switch c {
        case "1"..."7" where isOctal(i), "0":
            var r = c.value - 0x30
            for _ in 1..<3 {
                guard isOctal(i) else { break }
                r = r * 8 + s[i].value - 0x30
                i += 1
            }
            return r
        case "x":
            guard i < s.count else { throw err(GoRegexpError.invalidEscape, start, i) }
            if s[i] == "{" {
                i += 1
                var r: UInt32 = 0, n = 0
                while i < s.count, let h = hexValue(s[i]) {
                    r = r * 16 + h; n += 1; i += 1
                    if r > 0x10FFFF { throw err(GoRegexpError.invalidEscape, start, i) }
                }
                guard n > 0, i < s.count, s[i] == "}" else { throw err(GoRegexpError.invalidEscape, start, i + 1) }
                i += 1
                return r
            }
            guard let h1 = hexValue(s[i]), i + 1 < s.count, let h2 = hexValue(s[i + 1]) else {
                throw err(GoRegexpError.invalidEscape, start, i + 2)
            }
            i += 2
            return h1 * 16 + h2
        case "a": return 7
        case "f": return 12
        case "n": return 10
        case "r": return 13
        case "t": return 9
        case "v": return 11
        default:
            if c.isASCII, !(c.properties.isAlphabetic || ("0"..."9").contains(c)) { return c.value }
            throw err(GoRegexpError.invalidEscape, start, i)
        }
    }

    /// `[...]` at i.
    private mutating func charClass(_ flags: Flags) throws(GoRegexpError) -> Int {
        let open = i
        var cls = GoCharClass()
        cls.fold = flags.fold
        i += 1
        if i < s.count, s[i] == "^" { cls.negated = true; i += 1 }
        var first = true
        while i < s.count, s[i] != "]" || first {
            // POSIX class [:alpha:]
            if s[i] == "[", i + 1 < s.count, s[i + 1] == ":" {
                var k = i + 2
                while k + 1 < s.count, !(s[k] == ":" && s[k + 1] == "]") { k += 1 }
                if k + 1 < s.count {
                    var name = str(i + 2, k)
                    var neg = false
                    if name.hasPrefix("^") { neg = true; name.removeFirst() }
                    guard let rs = Self.posix[name] else { throw err(GoRegexpError.invalidCharRange, i, k + 2) }
                    if neg { cls.negatedGroups.append(rs) } else { cls.ranges += rs }
                    i = k + 2
                    first = false
                    continue
                }
            }
            first = false
            if s[i] == "\\", i + 1 < s.count, "dDsSwWpP".unicodeScalars.contains(s[i + 1]) {
                try classEscape(into: &cls)
                continue
            }
            let rangeStart = i
            let lo = try classChar(open)
            var hi = lo
            if i + 1 < s.count, s[i] == "-", s[i + 1] != "]" {
                i += 1
                hi = try classChar(open)
                if hi < lo { throw err(GoRegexpError.invalidCharRange, rangeStart, i) }
            }
            cls.add(lo, hi)
        }
        guard i < s.count else { throw err(GoRegexpError.missingBracket, open, s.count) }
        i += 1
        classes.append(cls)
        return classes.count - 1
    }

    private mutating func classChar(_ open: Int) throws(GoRegexpError) -> UInt32 {
        guard i < s.count else { throw err(GoRegexpError.missingBracket, open, s.count) }
        if s[i] == "\\" { return try escapeChar() }
        i += 1
        return s[i - 1].value
    }
}
