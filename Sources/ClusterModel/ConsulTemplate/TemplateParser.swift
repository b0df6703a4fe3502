// The subset of Go's text/template (and consul-template's functions) that nginx templates for
// this platform use: text, actions `{{ pipeline }}` with `{{-`/`-}}` trimming and comments,
// `if`/`else if`/`else`, `range` (with `$i, $x :=` and `else`), `with`, variables (`$x := ...`,
// `$x = ...`, `$`), fields (`.Address`, `$s.Port`), string/number/bool literals, parentheses and
// `|` pipelines, `define`/`template`/`block` and `break`/`continue` (Go src/text/template/parse/parse.go),
// and the functions of `TemplateFunctions`. Errors are reported as Go's parser
// does: the template's name and line (`template: nginx.ctmpl:12: unexpected {{end}}`).

/// A parse or execution error with the line it points at.
public struct TemplateError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public init(line: Int, _ message: String) { self.line = line; self.message = message }
    public var description: String { "line \(line): \(message)" }
}

public indirect enum TemplateNode: Equatable, Sendable {
    case text(String)
    case action(TemplatePipeline, line: Int)
    case ifNode(TemplatePipeline, then: [TemplateNode], otherwise: [TemplateNode], line: Int)
    case rangeNode(TemplatePipeline, then: [TemplateNode], otherwise: [TemplateNode], line: Int)
    case withNode(TemplatePipeline, then: [TemplateNode], otherwise: [TemplateNode], line: Int)
    /// `{{template "name"}}` (dot nil) or `{{template "name" pipeline}}`; also what `{{block}}` leaves in place.
    case templateCall(String, TemplatePipeline?, line: Int)
    /// `{{break}}` / `{{continue}}`: only inside a `range` body (Go 1.18).
    case breakNode(line: Int)
    case continueNode(line: Int)
}

/// `$a, $b := cmd | cmd`; `declare` false for `=`.
public struct TemplatePipeline: Equatable, Sendable {
    public var variables: [String] = []
    public var declare = true
    public var commands: [[TemplateOperand]] = []
}

public indirect enum TemplateOperand: Equatable, Sendable {
    case dot
    case field([String])                      // .A.B
    case variable(String, fields: [String])   // $x.A
    case string(String)
    case number(Int)
    case float(Double)                        // only in a dialect with `floats`
    case bool(Bool)
    case nilValue
    case function(String)
    case pipeline(TemplatePipeline, fields: [String])  // (...).A
}

/// A parsed template: its nodes and the service dependencies it names (for the blocking queries).
public struct ParsedTemplate: Equatable, Sendable {
    public var nodes: [TemplateNode]
    /// The templates the file defines (`{{define "name"}}`, `{{block "name" ...}}`), by name, and
    /// the file's own template under "" (consul-template parses each file as `template.New("")`),
    /// which `{{template "name"}}` calls. Looked up only, never iterated where order matters.
    public var definitions: [String: [TemplateNode]]
    public init(nodes: [TemplateNode], definitions: [String: [TemplateNode]] = [:]) { self.nodes = nodes; self.definitions = definitions }
}

extension ParsedTemplate {
    /// Whether some field access of the template (`.Status`, `$s.Checks`, `(...).Status`) names
    /// one of `names`: what decides whether a runner's answers carry what only such fields show.
    public func readsField(_ names: Set<String>) -> Bool {
        func op(_ o: TemplateOperand) -> Bool {
            switch o {
            case .field(let fs), .variable(_, let fs): return fs.contains(where: names.contains)
            case .pipeline(let p, let fs): return fs.contains(where: names.contains) || pipe(p)
            default: return false
            }
        }
        func pipe(_ p: TemplatePipeline) -> Bool { p.commands.contains { $0.contains(where: op) } }
        func nodes(_ ns: [TemplateNode]) -> Bool {
            ns.contains { n in
                switch n {
                case .text, .breakNode, .continueNode: return false
                case .templateCall(_, let p, _): return p.map(pipe) ?? false
                case .action(let p, _): return pipe(p)
                case .ifNode(let p, let a, let b, _), .rangeNode(let p, let a, let b, _), .withNode(let p, let a, let b, _):
                    return pipe(p) || nodes(a) || nodes(b)
                }
            }
        }
        // a defined template's fields count wherever it is called from (the OR of all of them
        // does not depend on the dictionary's order)
        return nodes(self.nodes) || definitions.values.contains(where: nodes)
    }
}

/// What one template language adds to Go's syntax: the functions it defines (a name outside them
/// is Go's "function not defined"), names it refuses with a reason of its own, and whether float
/// constants (`0.5`) lex. consul-template's by default; Prometheus' alert templates have their own.
public struct TemplateDialect: Sendable {
    public var functions: Set<String>
    public var refused: [String: String]
    public var floats: Bool
    public init(functions: Set<String>, refused: [String: String] = [:], floats: Bool = false) {
        self.functions = functions; self.refused = refused; self.floats = floats
    }
    public static let consulTemplate = TemplateDialect(functions: TemplateFunctions.names, refused: TemplateFunctions.refused, floats: true)
}

public enum TemplateParser {
    static let maxDepth = 100

    public static func parse(_ text: String, leftDelimiter: String = "{{", rightDelimiter: String = "}}",
                             dialect: TemplateDialect = .consulTemplate) throws(TemplateError) -> ParsedTemplate {
        let items = try lex(text, left: leftDelimiter, right: rightDelimiter, floats: dialect.floats)
        var p = Parser(items: items, dialect: dialect)
        let nodes = try p.list(depth: 0, terminators: [])
        if p.i < p.items.count {
            let it = p.items[p.i]
            throw TemplateError(line: it.line, "unexpected {{\(it.keyword ?? "")}}")
        }
        // text/template's Parse adds the file's own tree last, under the template's name ("" in
        // consul-template), with the same rule as a {{define}} of that name
        try p.add("", nodes, line: items.last?.line ?? 1)
        return ParsedTemplate(nodes: p.definitions[""] ?? nodes, definitions: p.definitions)
    }

    // MARK: lexing into text and action items

    struct Item {
        var text: String?          // a text item
        var tokens: [Token] = []   // an action item
        var line: Int
        var keyword: String? { if case .ident(let k)? = tokens.first { return ["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"].contains(k) ? k : nil }; return nil }
    }

    enum Token: Equatable {
        case ident(String), field(String), variable(String), string(String), number(Int), float(Double)
        /// `.Set` right after an identifier, with no space (`scratch.Set`): a chain on what it returns.
        case chainField(String)
        case declare, assign, pipe, comma, lparen, rparen
    }

    static func lex(_ text: String, left: String, right: String, floats: Bool) throws(TemplateError) -> [Item] {
        let s = Array(text.utf8), l = Array(left.utf8), r = Array(right.utf8)
        guard !l.isEmpty, !r.isEmpty else { throw TemplateError(line: 1, "empty delimiter") }
        var items: [Item] = []
        var i = 0, line = 1
        func starts(_ p: [UInt8], at k: Int) -> Bool { k + p.count <= s.count && Array(s[k..<k + p.count]) == p }
        func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 }
        var trimNext = false
        while i < s.count {
            var j = i
            while j < s.count && !starts(l, at: j) { j += 1 }
            var chunk = Array(s[i..<j])
            if trimNext { while let f = chunk.first, isSpace(f) { chunk.removeFirst() } }
            trimNext = false
            // left trim marker: "{{- " trims the text before
            var k = j + l.count
            if j < s.count, k + 1 < s.count, s[k] == UInt8(ascii: "-"), isSpace(s[k + 1]) {
                while let f = chunk.last, isSpace(f) { chunk.removeLast() }
                k += 2
            }
            if !chunk.isEmpty { items.append(Item(text: String(decoding: chunk, as: UTF8.self), line: line)) }
            line += s[i..<min(j, s.count)].filter { $0 == 10 }.count
            guard j < s.count else { break }
            let actionLine = line
            // find the right delimiter (outside quotes)
            var e = k
            var quote: UInt8? = nil
            while e < s.count {
                let c = s[e]
                if let q = quote {
                    if c == UInt8(ascii: "\\") && q != UInt8(ascii: "`") { e += 2; continue }
                    if c == q { quote = nil }
                    if c == 10 && q != UInt8(ascii: "`") { throw TemplateError(line: line, "unterminated quoted string") }
                } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "`") || c == UInt8(ascii: "'") {
                    quote = c
                } else if starts(r, at: e) { break }
                else if c == UInt8(ascii: "/"), e + 1 < s.count, s[e + 1] == UInt8(ascii: "*") {
                    // comment: up to "*/" then the right delimiter
                    var m = e + 2
                    while m + 1 < s.count && !(s[m] == UInt8(ascii: "*") && s[m + 1] == UInt8(ascii: "/")) { m += 1 }
                    guard m + 1 < s.count else { throw TemplateError(line: line, "unclosed comment") }
                    e = m + 2
                    continue
                }
                e += 1
            }
            if quote != nil { throw TemplateError(line: actionLine, "unterminated quoted string") }
            guard e < s.count else { throw TemplateError(line: actionLine, "unclosed action") }
            var body = Array(s[k..<e])
            if let last = body.last, last == UInt8(ascii: "-"), body.count >= 2, isSpace(body[body.count - 2]) {
                body.removeLast(); trimNext = true
            }
            line += body.filter { $0 == 10 }.count
            let trimmed = String(decoding: body, as: UTF8.self).trimmingWhitespace()
            if !(trimmed.hasPrefix("/*") && trimmed.hasSuffix("*/")) {
                let toks = try tokens(trimmed, line: actionLine, floats: floats)
                if toks.isEmpty { throw TemplateError(line: actionLine, "missing value for command") }
                items.append(Item(text: nil, tokens: toks, line: actionLine))
            }
            i = e + r.count
        }
        return items
    }

    static func tokens(_ a: String, line: Int, floats: Bool) throws(TemplateError) -> [Token] {
        let b = Array(a.utf8)
        var out: [Token] = []
        var i = 0
        func isIdent(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 95 }
        // `.B` right after a field, variable, `)` or identifier, with no space, continues its
        // chain (`.A.B`, `$x.A`, `(...).A`, `scratch.Set`); after a space it is an operand of its own
        func chain(_ i: inout Int) {
            while i + 1 < b.count && b[i] == UInt8(ascii: ".") && isIdent(b[i + 1]) {
                var j = i + 1
                while j < b.count && isIdent(b[j]) { j += 1 }
                out.append(.chainField(String(decoding: b[(i + 1)..<j], as: UTF8.self))); i = j
            }
        }
        while i < b.count {
            let c = b[i]
            if c == 32 || c == 9 || c == 10 || c == 13 { i += 1; continue }
            switch c {
            case UInt8(ascii: "|"): out.append(.pipe); i += 1
            case UInt8(ascii: ","): out.append(.comma); i += 1
            case UInt8(ascii: "("): out.append(.lparen); i += 1
            case UInt8(ascii: ")"): out.append(.rparen); i += 1; chain(&i)
            case UInt8(ascii: "="): out.append(.assign); i += 1
            case UInt8(ascii: ":"):
                guard i + 1 < b.count, b[i + 1] == UInt8(ascii: "=") else { throw TemplateError(line: line, "expected :=") }
                out.append(.declare); i += 2
            case UInt8(ascii: "\""):
                var w: [UInt8] = []
                i += 1
                while i < b.count && b[i] != UInt8(ascii: "\"") {
                    if b[i] == UInt8(ascii: "\\"), i + 1 < b.count {
                        let n = b[i + 1]
                        switch n {
                        case UInt8(ascii: "n"): w.append(10)
                        case UInt8(ascii: "t"): w.append(9)
                        case UInt8(ascii: "\\"), UInt8(ascii: "\""): w.append(n)
                        default: throw TemplateError(line: line, "unknown escape sequence in quoted string")
                        }
                        i += 2; continue
                    }
                    w.append(b[i]); i += 1
                }
                guard i < b.count else { throw TemplateError(line: line, "unterminated quoted string") }
                i += 1
                out.append(.string(String(decoding: w, as: UTF8.self)))
            case UInt8(ascii: "`"):
                var j = i + 1
                while j < b.count && b[j] != UInt8(ascii: "`") { j += 1 }
                guard j < b.count else { throw TemplateError(line: line, "unterminated raw quoted string") }
                out.append(.string(String(decoding: b[(i + 1)..<j], as: UTF8.self))); i = j + 1
            case UInt8(ascii: "."):
                var j = i + 1
                while j < b.count && isIdent(b[j]) { j += 1 }
                out.append(.field(String(decoding: b[(i + 1)..<j], as: UTF8.self))); i = j
                chain(&i)
            case UInt8(ascii: "$"):
                var j = i + 1
                while j < b.count && isIdent(b[j]) { j += 1 }
                out.append(.variable(String(decoding: b[i..<j], as: UTF8.self))); i = j
                chain(&i)
            case UInt8(ascii: "-"), 48...57:
                var j = i + 1
                while j < b.count && b[j] >= 48 && b[j] <= 57 { j += 1 }
                if floats, j < b.count, b[j] == UInt8(ascii: ".") || b[j] == UInt8(ascii: "e") || b[j] == UInt8(ascii: "E") {
                    j += 1
                    while j < b.count && (isIdent(b[j]) || b[j] == UInt8(ascii: ".") || ((b[j] == 43 || b[j] == 45) && (b[j - 1] | 0x20) == UInt8(ascii: "e"))) { j += 1 }
                    guard let x = Double(String(decoding: b[i..<j], as: UTF8.self)), x.isFinite else {
                        throw TemplateError(line: line, "bad number syntax: \"\(String(decoding: b[i..<j], as: UTF8.self))\"")
                    }
                    out.append(.float(x)); i = j; continue
                }
                guard let n = Int(String(decoding: b[i..<j], as: UTF8.self)) else { throw TemplateError(line: line, "bad number syntax") }
                out.append(.number(n)); i = j
            default:
                // text/template: the lexer emits another printable ASCII character as itemChar, and
                // parse.go command() stops at it: t.unexpected(token, "operand") (`{{range service #svc}}`)
                // (lexInsideAction); a control character is `unrecognized character in action: %#U`
                guard isIdent(c) else {
                    if c > 0x20 && c < 0x7f { throw TemplateError(line: line, "unexpected \"\(Character(UnicodeScalar(c)))\" in operand") }
                    let h = String(c, radix: 16, uppercase: true)
                    throw TemplateError(line: line, "unrecognized character in action: U+" + String(repeating: "0", count: max(0, 4 - h.count)) + h)
                }
                var j = i
                while j < b.count && isIdent(b[j]) { j += 1 }
                out.append(.ident(String(decoding: b[i..<j], as: UTF8.self))); i = j
                chain(&i)
            }
        }
        return out
    }

    // MARK: parsing items into nodes

    struct Parser {
        let items: [Item]
        let dialect: TemplateDialect
        var i = 0
        /// `{{define}}`d and `{{block}}` templates so far.
        var definitions: [String: [TemplateNode]] = [:]
        /// How many `range` bodies enclose the item being parsed, within the current template
        /// (parse.go rangeDepth: a {{define}} or {{block}} body starts at 0; a range's {{else}} is outside).
        var rangeDepth = 0

        /// Nodes up to one of `terminators` ("end", "else"), which is left unconsumed.
        mutating func list(depth: Int, terminators: [String], opened: (keyword: String, line: Int)? = nil) throws(TemplateError) -> [TemplateNode] {
            guard depth < TemplateParser.maxDepth else { throw TemplateError(line: items[max(0, i - 1)].line, "blocks nested too deeply") }
            var out: [TemplateNode] = []
            while i < items.count {
                let it = items[i]
                if let t = it.text { out.append(.text(t)); i += 1; continue }
                if let k = it.keyword {
                    if k == "end" || k == "else" {
                        if terminators.contains(k) { return out }
                        throw TemplateError(line: it.line, "unexpected {{\(k)}}")
                    }
                    i += 1
                    if k == "define" {
                        // parse.go: only the top-level parse loop reads {{define}}; anywhere else the
                        // keyword is not an operand
                        guard depth == 0 else { throw TemplateError(line: it.line, "unexpected <define> in command") }
                        try definition(it, depth: depth)
                        continue
                    }
                    out.append(try control(k, it, depth: depth))
                    continue
                }
                var ts = it.tokens[...]
                let pipe = try TemplateParser.pipeline(&ts, line: it.line, allowDeclare: true, dialect: dialect)
                out.append(.action(pipe, line: it.line))
                i += 1
            }
            if let o = opened { throw TemplateError(line: o.line, "unexpected EOF: {{\(o.keyword)}} has no {{end}}") }
            return out
        }

        /// A token as Go's parser names it in "unexpected ... in ..." (parse/lex.go item.String).
        static func describe(_ t: Token) -> String {
            switch t {
            case .ident(let n): return ["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue", "nil"].contains(n) ? "<\(n)>" : "\"\(n)\""
            case .string(let s): return "\"\\\"\(s)\\\"\""
            case .number(let n): return "\"\(n)\""
            case .float(let x): return "\"\(x)\""
            case .field(let f), .chainField(let f): return "\".\(f)\""
            case .variable(let v): return "\"\(v)\""
            case .declare: return "\":=\""
            case .assign: return "\"=\""
            case .pipe: return "\"|\""
            case .comma: return "\",\""
            case .lparen: return "\"(\""
            case .rparen: return "\")\""
            }
        }

        /// The name of `{{template "name" ...}}`, `{{block "name" ...}}`, `{{define "name"}}`.
        func templateName(_ it: Item, _ context: String) throws(TemplateError) -> String {
            guard it.tokens.count > 1 else { throw TemplateError(line: it.line, "unexpected \"}}\" in \(context)") }
            guard case .string(let name) = it.tokens[1] else { throw TemplateError(line: it.line, "unexpected \(Self.describe(it.tokens[1])) in \(context)") }
            return name
        }

        /// parse.go Tree.add: a name is defined once; an empty body (only spaces) neither replaces a
        /// non-empty one nor is an error, and a non-empty one replaces an empty one.
        mutating func add(_ name: String, _ body: [TemplateNode], line: Int) throws(TemplateError) {
            if let old = definitions[name], !Self.isEmpty(old) {
                if !Self.isEmpty(body) { throw TemplateError(line: line, "template: multiple definition of template \"\(name)\"") }
                return
            }
            definitions[name] = body
        }

        /// parse.IsEmptyTree: nothing but white space (comments are dropped when lexing).
        static func isEmpty(_ body: [TemplateNode]) -> Bool {
            body.allSatisfy { n in
                if case .text(let s) = n { return s.utf8.allSatisfy { $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 || $0 == 11 || $0 == 12 } }
                return false
            }
        }

        /// The body of a {{define}} or {{block}} up to its {{end}} (a template of its own: range depth 0).
        mutating func body(_ context: String, _ it: Item, depth: Int) throws(TemplateError) -> (nodes: [TemplateNode], endLine: Int) {
            let saved = rangeDepth
            rangeDepth = 0
            let nodes = try list(depth: depth + 1, terminators: ["end", "else"], opened: (context, it.line))
            rangeDepth = saved
            let term = items[i]
            i += 1
            if term.keyword == "else" { throw TemplateError(line: term.line, "unexpected {{else}} in \(context) clause") }
            if term.tokens.count > 1 { throw TemplateError(line: term.line, "unexpected \(Self.describe(term.tokens[1])) in end") }
            return (nodes, term.line)
        }

        mutating func definition(_ it: Item, depth: Int) throws(TemplateError) {
            let name = try templateName(it, "define clause")
            if it.tokens.count > 2 { throw TemplateError(line: it.line, "unexpected \(Self.describe(it.tokens[2])) in define clause") }
            let b = try body("define", it, depth: depth)
            try add(name, b.nodes, line: b.endLine)
        }

        mutating func control(_ k: String, _ it: Item, depth: Int) throws(TemplateError) -> TemplateNode {
            switch k {
            case "break", "continue":
                if it.tokens.count > 1 { throw TemplateError(line: it.line, "unexpected \(Self.describe(it.tokens[1])) in {{\(k)}}") }
                guard rangeDepth > 0 else { throw TemplateError(line: it.line, "{{\(k)}} outside {{range}}") }
                return k == "break" ? .breakNode(line: it.line) : .continueNode(line: it.line)
            case "template":
                let name = try templateName(it, "template clause")
                var ts = it.tokens.dropFirst(2)
                guard !ts.isEmpty else { return .templateCall(name, nil, line: it.line) }
                let pipe = try TemplateParser.pipeline(&ts, line: it.line, allowDeclare: true, dialect: dialect)
                return .templateCall(name, pipe, line: it.line)
            case "block":
                let name = try templateName(it, "block clause")
                var ts = it.tokens.dropFirst(2)
                if ts.isEmpty { throw TemplateError(line: it.line, "missing value for block clause") }
                let pipe = try TemplateParser.pipeline(&ts, line: it.line, allowDeclare: true, dialect: dialect)
                let b = try body("block", it, depth: depth)
                try add(name, b.nodes, line: b.endLine)
                return .templateCall(name, pipe, line: it.line)
            default: break
            }
            var ts = it.tokens.dropFirst()
            if ts.isEmpty { throw TemplateError(line: it.line, "missing value for \(k)") }
            let pipe = try TemplateParser.pipeline(&ts, line: it.line, allowDeclare: true, dialect: dialect)
            if k == "range" { rangeDepth += 1 }
            let then = try list(depth: depth + 1, terminators: ["end", "else"], opened: (k, it.line))
            if k == "range" { rangeDepth -= 1 }
            var otherwise: [TemplateNode] = []
            let term = items[i]
            i += 1
            if term.keyword == "else" {
                if term.tokens.count > 1 {
                    // {{else if ...}} / {{else with ...}}: a nested node that shares our {{end}}
                    guard case .ident(let k2) = term.tokens[1], (k == "if" || k == "with") && k2 == k else {
                        throw TemplateError(line: term.line, "unexpected tokens after {{else}}")
                    }
                    let nested = Item(text: nil, tokens: Array(term.tokens.dropFirst()), line: term.line)
                    otherwise = [try control(k2, nested, depth: depth + 1)]
                    return make(k, pipe, then, otherwise, it.line)
                }
                otherwise = try list(depth: depth + 1, terminators: ["end"], opened: (k, it.line))
                guard i < items.count, items[i].keyword == "end" else { throw TemplateError(line: items.last?.line ?? it.line, "expected end") }
                if items[i].tokens.count > 1 { throw TemplateError(line: items[i].line, "unexpected tokens after {{end}}") }
                i += 1
            } else if term.tokens.count > 1 {
                throw TemplateError(line: term.line, "unexpected tokens after {{end}}")
            }
            return make(k, pipe, then, otherwise, it.line)
        }

        func make(_ k: String, _ p: TemplatePipeline, _ a: [TemplateNode], _ b: [TemplateNode], _ line: Int) -> TemplateNode {
            switch k {
            case "if": return .ifNode(p, then: a, otherwise: b, line: line)
            case "range": return .rangeNode(p, then: a, otherwise: b, line: line)
            default: return .withNode(p, then: a, otherwise: b, line: line)
            }
        }
    }

    static func pipeline(_ ts: inout ArraySlice<Token>, line: Int, allowDeclare: Bool, dialect: TemplateDialect, depth: Int = 0) throws(TemplateError) -> TemplatePipeline {
        guard depth < maxDepth else { throw TemplateError(line: line, "parentheses nested more than \(maxDepth) deep") }
        var p = TemplatePipeline()
        // declarations: $x := / $i, $x := / $x =
        if allowDeclare, case .variable(let v)? = ts.first {
            let rest = ts.dropFirst()
            if rest.first == .declare || rest.first == .assign {
                p.variables = [v]; p.declare = rest.first == .declare; ts = rest.dropFirst()
            } else if rest.first == .comma, case .variable(let v2)? = rest.dropFirst().first, rest.dropFirst(2).first == .declare {
                p.variables = [v, v2]; ts = rest.dropFirst(3)
            }
        }
        var cmd: [TemplateOperand] = []
        while let t = ts.first {
            if t == .rparen { break }
            ts = ts.dropFirst()
            switch t {
            case .pipe:
                guard !cmd.isEmpty else { throw TemplateError(line: line, "missing command before |") }
                p.commands.append(cmd); cmd = []
            case .lparen:
                let inner = try pipeline(&ts, line: line, allowDeclare: false, dialect: dialect, depth: depth + 1)
                guard ts.first == .rparen else { throw TemplateError(line: line, "unclosed left paren") }
                ts = ts.dropFirst()
                var fields: [String] = []
                while case .chainField(let f)? = ts.first { fields.append(f); ts = ts.dropFirst() }
                cmd.append(.pipeline(inner, fields: fields))
            case .field(let f):
                var fields = f.isEmpty ? [] : [f]
                while case .chainField(let g)? = ts.first { fields.append(g); ts = ts.dropFirst() }
                cmd.append(fields.isEmpty ? .dot : .field(fields))
            case .variable(let v):
                var fields: [String] = []
                while case .chainField(let g)? = ts.first { fields.append(g); ts = ts.dropFirst() }
                cmd.append(.variable(v, fields: fields))
            case .string(let s): cmd.append(.string(s))
            case .number(let n): cmd.append(.number(n))
            case .float(let x): cmd.append(.float(x))
            case .ident(let n):
                switch n {
                case "true": cmd.append(.bool(true))
                case "false": cmd.append(.bool(false))
                case "nil": cmd.append(.nilValue)
                default:
                    guard dialect.functions.contains(n) else {
                        // consul-template adds Masterminds/sprig's functions as sprig_<name> (template.go sprigFuncMap)
                        if let why = dialect.refused[n] ?? (n.hasPrefix("sprig_") ? dialect.refused["sprig_*"] : nil) {
                            throw TemplateError(line: line, "function \"\(n)\" \(why)")
                        }
                        throw TemplateError(line: line, "function \"\(n)\" not defined")
                    }
                    // `scratch.Set "k" v`: a method of what the function returns (text/template's chain node)
                    var fields: [String] = []
                    while case .chainField(let g)? = ts.first { fields.append(g); ts = ts.dropFirst() }
                    cmd.append(fields.isEmpty ? .function(n) : .pipeline(TemplatePipeline(commands: [[.function(n)]]), fields: fields))
                }
            default: throw TemplateError(line: line, "unexpected \(t) in command")
            }
        }
        if !cmd.isEmpty { p.commands.append(cmd) }
        if p.commands.isEmpty { throw TemplateError(line: line, "missing value for command") }
        return p
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
