import Foundation

// The PromQL parser: recursive descent with the precedences of promql/parser/generated_parser.y
// (Prometheus 2.42): `or` < `and unless` < comparisons < `+ -` < `* / % atan2` < `^` (right
// associative); unary +/- binds like `*`; `[...]` and `offset` bind to the expression before them.
// Type checks and their messages follow parse.go's checkAST.

struct PromQLParser {
    private let tokens: [PromQLToken]
    private let lexError: PromQLError?
    private var i = 0
    private var depth = 0
    /// Nesting limit: a bound on recursion for any input.
    static let maxDepth = 200
    /// Limit on the levels of the parsed tree. Operators of one precedence chain to the left
    /// without nesting (`a + b + c ...` is a tree as deep as it has operators), and evaluating
    /// the tree recurses once per level: 4,000 levels overflowed the 8 MB stack of a debug build
    /// (16,000 a release build). Prometheus has no such bound (Go's stacks grow to 1 GB).
    static let maxTreeDepth = 1000

    static func tooDeep(at pos: Int) -> PromQLError {
        PromQLError("expression nested too deeply (more than \(maxTreeDepth) levels, counting each binary operator of a chain)",
                    position: pos)
    }

    init(_ text: String) {
        let (t, e) = PromQLLexer.tokenize(text)
        tokens = t; lexError = e
    }

    // MARK: tokens

    private func cur() throws(PromQLError) -> PromQLToken {
        if i < tokens.count { return tokens[i] }
        throw lexError ?? PromQLError("unexpected end of input", position: tokens.last?.pos ?? 0)
    }
    private mutating func next() throws(PromQLError) -> PromQLToken { let t = try cur(); i += 1; return t }
    private func isPunct(_ p: String) throws(PromQLError) -> Bool { if case .punct(p) = try cur().kind { return true }; return false }
    private func isKeyword(_ k: String) throws(PromQLError) -> Bool { try keyword() == k }
    private func keyword() throws(PromQLError) -> String? { if case .keyword(let k) = try cur().kind { return k }; return nil }
    private func unexpected(_ t: PromQLToken, _ context: String = "", _ expected: String = "") -> PromQLError {
        var m = "unexpected " + t.desc
        if !context.isEmpty { m += " in " + context }
        if !expected.isEmpty { m += ", expected " + expected }
        return PromQLError(m, position: t.pos)
    }
    private mutating func expect(_ p: String, _ context: String, _ expected: String) throws(PromQLError) {
        let t = try cur()
        guard case .punct(p) = t.kind else { throw unexpected(t, context, expected) }
        i += 1
    }

    // MARK: expressions

    mutating func parseTop() throws(PromQLError) -> PromQLNode {
        if case .eof = try cur().kind { throw PromQLError("no expression found in input", position: 0) }
        let e = try parseExpr(0)
        let t = try cur()
        guard case .eof = t.kind else { throw unexpected(t) }
        return e
    }

    private static func binaryOp(_ t: PromQLToken) -> PromQLBinaryOp? {
        switch t.kind {
        case .punct(let p): return p == "=" ? nil : PromQLBinaryOp(rawValue: p)
        case .keyword(let k): return ["and", "or", "unless", "atan2"].contains(k) ? PromQLBinaryOp(rawValue: k) : nil
        default: return nil
        }
    }

    private mutating func parseExpr(_ minPrec: Int) throws(PromQLError) -> PromQLNode {
        depth += 1
        defer { depth -= 1 }
        if depth > PromQLParser.maxDepth { throw PromQLError("expression nested too deeply", position: try cur().pos) }
        var lhs = try parseUnary()
        while true {
            let t = try cur()
            guard let op = PromQLParser.binaryOp(t), op.precedence >= minPrec else {
                // what encloses a chain (parentheses, calls, aggregations) adds to its levels
                if lhs.depth > PromQLParser.maxTreeDepth {
                    throw PromQLParser.tooDeep(at: lhs.pos)
                }
                return lhs
            }
            i += 1
            let (returnBool, matching) = try parseBinModifiers()
            let rhs = try parseExpr(op == .pow ? op.precedence : op.precedence + 1)
            let b = try PromQLParser.checkBinary(op: op, lhs: lhs, rhs: rhs, returnBool: returnBool,
                                                 matching: matching, opPos: t.pos)
            if b.depth > PromQLParser.maxTreeDepth {
                throw PromQLParser.tooDeep(at: t.pos)
            }
            lhs = .binary(b)
        }
    }

    /// `bool`, then `on(...)`/`ignoring(...)`, then `group_left`/`group_right` with optional labels.
    private mutating func parseBinModifiers() throws(PromQLError) -> (Bool, PromQLVectorMatching) {
        var m = PromQLVectorMatching()
        var returnBool = false
        if try isKeyword("bool") { i += 1; returnBool = true }
        if let k = try keyword(), k == "on" || k == "ignoring" {
            m.on = k == "on"
            i += 1
            m.labels = try parseGroupingLabels()
            if let g = try keyword(), g == "group_left" || g == "group_right" {
                m.card = g == "group_left" ? .manyToOne : .oneToMany
                i += 1
                if try isPunct("(") { m.include = try parseGroupingLabels() }
            }
        }
        return (returnBool, m)
    }

    private mutating func parseUnary() throws(PromQLError) -> PromQLNode {
        let t = try cur()
        guard case .punct(let p) = t.kind, p == "+" || p == "-" else { return try parsePostfix(try parsePrimary()) }
        i += 1
        let e = try parseExpr(PromQLBinaryOp.pow.precedence)
        if case .number(let v, _) = e { return .number(p == "-" ? -v : v, pos: t.pos) }
        guard e.type == .scalar || e.type == .vector else {
            throw PromQLError("unary expression only allowed on expressions of type scalar or instant vector, got \"\(e.type.documented)\"", position: t.pos)
        }
        return p == "-" ? .negate(e, pos: t.pos) : e
    }

    private mutating func parsePostfix(_ base: PromQLNode) throws(PromQLError) -> PromQLNode {
        var e = base
        while true {
            let t = try cur()
            if case .punct("[") = t.kind { e = try parseRange(e, t) }
            else if case .keyword("offset") = t.kind { e = try parseOffset(e, t) }
            else if case .punct("@") = t.kind { e = try parseAt(e) }
            else { return e }
        }
    }

    private mutating func parseRange(_ e: PromQLNode, _ open: PromQLToken) throws(PromQLError) -> PromQLNode {
        i += 1
        let dt = try cur()
        guard case .duration(let range) = dt.kind else { throw unexpected(dt, "subquery selector", "duration") }
        i += 1
        let t = try next()
        if case .punct("]") = t.kind {
            guard case .vector(let vs) = e else { throw PromQLError("ranges only allowed for vector selectors", position: open.pos) }
            if vs.hasOffset { throw PromQLError("no offset modifiers allowed before range", position: open.pos) }
            if vs.at != nil { throw PromQLError("no @ modifiers allowed before range", position: open.pos) }
            return .matrix(vs, rangeMs: range)
        }
        guard case .punct(":") = t.kind else { throw unexpected(t, "subquery or range", "\":\" or \"]\"") }
        var step: Int64 = 0
        let s = try next()
        if case .duration(let d) = s.kind {
            step = d
            let c = try next()
            guard case .punct("]") = c.kind else { throw unexpected(c, "subquery selector", "\"]\"") }
        } else if case .punct("]") = s.kind {
        } else { throw unexpected(s, "subquery selector", "duration or \"]\"") }
        guard e.type == .vector else {
            throw PromQLError("subquery is only allowed on instant vector, got \(e.type == .matrix ? "matrix" : e.type.documented) instead", position: e.pos)
        }
        return .subquery(PromQLSubqueryNode(expr: e, rangeMs: range, stepMs: step, pos: e.pos))
    }

    private mutating func parseOffset(_ e: PromQLNode, _ kw: PromQLToken) throws(PromQLError) -> PromQLNode {
        i += 1
        var negative = false
        if try isPunct("-") { negative = true; i += 1 }
        let dt = try cur()
        guard case .duration(let d) = dt.kind else { throw unexpected(dt, "offset", "duration") }
        i += 1
        let off = negative ? -d : d
        switch e {
        case .vector(var vs):
            if vs.hasOffset { throw PromQLError("offset may not be set multiple times", position: e.pos) }
            vs.offsetMs = off; vs.hasOffset = true
            return .vector(vs)
        case .matrix(var vs, let r):
            if vs.hasOffset { throw PromQLError("offset may not be set multiple times", position: e.pos) }
            vs.offsetMs = off; vs.hasOffset = true
            return .matrix(vs, rangeMs: r)
        case .subquery(let s):
            if s.hasOffset { throw PromQLError("offset may not be set multiple times", position: e.pos) }
            s.offsetMs = off; s.hasOffset = true
            return e
        default:
            throw PromQLError("offset modifier must be preceded by an instant vector selector or range vector selector or a subquery", position: e.pos)
        }
    }

    /// `@ <number>` (Unix seconds) or `@ start()` / `@ end()` (parse.go setTimestamp).
    private mutating func parseAt(_ e: PromQLNode) throws(PromQLError) -> PromQLNode {
        i += 1
        var at: PromQLAt
        let t = try next()
        switch t.kind {
        case .keyword(let k) where k == "start" || k == "end":
            try expect("(", "@", "timestamp")
            try expect(")", "@", "timestamp")
            at = k == "start" ? .start : .end
        default:
            var sign = 1.0
            var n = t
            if case .punct(let p) = t.kind, p == "+" || p == "-" { sign = p == "-" ? -1 : 1; n = try next() }
            guard case .number(let v) = n.kind else { throw unexpected(n, "@", "timestamp") }
            let ts = sign * v
            guard ts.isFinite, Swift.abs(ts * 1000) < 9.2e18 else {
                throw PromQLError("timestamp out of bounds for @ modifier: \(PromQLFunctions.goPercentF(ts))", position: e.pos)
            }
            at = .time(Int64((ts * 1000).rounded(.toNearestOrAwayFromZero)))
        }
        let twice = PromQLError("@ <timestamp> may not be set multiple times", position: e.pos)
        switch e {
        case .vector(var vs):
            if vs.at != nil { throw twice }
            vs.at = at
            return .vector(vs)
        case .matrix(var vs, let r):
            if vs.at != nil { throw twice }
            vs.at = at
            return .matrix(vs, rangeMs: r)
        case .subquery(let s):
            if s.at != nil { throw twice }
            s.at = at
            return e
        default:
            throw PromQLError("@ modifier must be preceded by an instant vector selector or range vector selector or a subquery", position: e.pos)
        }
    }

    private mutating func parsePrimary() throws(PromQLError) -> PromQLNode {
        let t = try cur()
        switch t.kind {
        case .number(let v): i += 1; return .number(v, pos: t.pos)
        case .string(let s): i += 1; return .string(s, pos: t.pos)
        case .punct("("):
            i += 1
            let e = try parseExpr(0)
            try expect(")", "paren expression", "\")\"")
            return .paren(e, pos: t.pos)
        case .punct("{"):
            return .vector(try parseSelector(name: nil, pos: t.pos))
        case .identifier(let name):
            i += 1
            if try isPunct("(") { return .call(try parseCall(name, t)) }
            return .vector(try parseSelector(name: name, pos: t.pos))
        case .metricIdentifier(let name):
            i += 1
            return .vector(try parseSelector(name: name, pos: t.pos))
        case .keyword(let k):
            // generated_parser.y's metric_identifier: these keywords also name metrics.
            let names: Set<String> = ["by", "and", "or", "unless", "offset", "without", "start", "end"]
            guard let op = PromQLAggregateOp(rawValue: k) else {
                guard names.contains(k) else { throw unexpected(t) }
                i += 1
                return .vector(try parseSelector(name: t.text, pos: t.pos))
            }
            i += 1
            if let next = try keyword(), next == "by" || next == "without" { return .aggregate(try parseAggregate(op, t)) }
            if try isPunct("(") { return .aggregate(try parseAggregate(op, t)) }
            return .vector(try parseSelector(name: t.text, pos: t.pos))
        default:
            throw unexpected(t)
        }
    }

    // MARK: selectors

    private mutating func parseSelector(name: String?, pos: Int) throws(PromQLError) -> PromQLVectorSelector {
        var matchers: [LabelMatcher] = []
        if try isPunct("{") {
            i += 1
            while true {
                let t = try next()
                if case .punct("}") = t.kind { break }
                guard case .identifier(let label) = t.kind else { throw unexpected(t, "label matching", "identifier or \"}\"") }
                let opTok = try next()
                guard case .punct(let o) = opTok.kind, let type = LabelMatchType(rawValue: o) else {
                    throw unexpected(opTok, "label matching", "label matching operator")
                }
                let v = try next()
                guard case .string(let value) = v.kind else { throw unexpected(v, "label matching", "string") }
                do { matchers.append(try LabelMatcher(label, type, value)) }
                catch { throw PromQLError("error parsing regexp in matcher \(label)\(o)\(v.text): \((error as? LabelMatcherError)?.reason ?? "")", position: t.pos) }
                let sep = try next()
                if case .punct("}") = sep.kind { break }
                guard case .punct(",") = sep.kind else { throw unexpected(sep, "label matching", "\",\" or \"}\"") }
            }
        }
        if let name {
            if let m = matchers.first(where: { $0.name == "__name__" }) {
                throw PromQLError("metric name must not be set twice: \"\(name)\" or \"\(m.value)\"", position: pos)
            }
            // A metric name is a valid name: the matcher always compiles.
            if let m = try? LabelMatcher("__name__", .equal, name) { matchers.append(m) }
        } else if !matchers.contains(where: { !$0.matches("") }) {
            throw PromQLError("vector selector must contain at least one non-empty matcher", position: pos)
        }
        let metricName = name ?? matchers.first(where: { $0.name == "__name__" && $0.type == .equal })?.value
        return PromQLVectorSelector(name: metricName, matchers: matchers, pos: pos)
    }

    /// `(label, ...)` with an optional trailing comma; keywords are label names here.
    private mutating func parseGroupingLabels() throws(PromQLError) -> [String] {
        try expect("(", "grouping opts", "\"(\"")
        var out: [String] = []
        while true {
            let t = try next()
            if case .punct(")") = t.kind { return out }
            switch t.kind {
            case .identifier(let l): out.append(l)
            case .keyword(let k) where k != "inf" && k != "nan": out.append(t.text.isEmpty ? k : t.text)
            default: throw unexpected(t, "grouping opts", "label")
            }
            let sep = try next()
            if case .punct(")") = sep.kind { return out }
            guard case .punct(",") = sep.kind else { throw unexpected(sep, "grouping opts", "\",\" or \")\"") }
        }
    }

    // MARK: calls and aggregations

    /// `(expr, expr, ...)`; a trailing comma is an error.
    private mutating func parseArgs() throws(PromQLError) -> [PromQLNode] {
        try expect("(", "function call", "\"(\"")
        if try isPunct(")") { i += 1; return [] }
        var args: [PromQLNode] = []
        while true {
            args.append(try parseExpr(0))
            let t = try next()
            if case .punct(")") = t.kind { return args }
            guard case .punct(",") = t.kind else { throw unexpected(t, "function call", "\",\" or \")\"") }
            if try isPunct(")") { throw PromQLError("trailing commas not allowed in function call args", position: t.pos) }
        }
    }

    private mutating func parseCall(_ name: String, _ t: PromQLToken) throws(PromQLError) -> PromQLCallNode {
        guard let f = PromQLFunction.named(name) else {
            throw PromQLError("unknown function with name \"\(name)\"", position: t.pos)
        }
        let args = try parseArgs()
        let n = f.argTypes.count
        if f.variadic == 0 {
            if n != args.count { throw PromQLError("expected \(n) argument(s) in call to \"\(name)\", got \(args.count)", position: t.pos) }
        } else if n - 1 > args.count {
            throw PromQLError("expected at least \(n - 1) argument(s) in call to \"\(name)\", got \(args.count)", position: t.pos)
        } else if f.variadic > 0, n - 1 + f.variadic < args.count {
            throw PromQLError("expected at most \(n - 1 + f.variadic) argument(s) in call to \"\(name)\", got \(args.count)", position: t.pos)
        }
        for (k, a) in args.enumerated() {
            let want = f.argTypes[min(k, n - 1)]
            if a.type != want {
                throw PromQLError("expected type \(want.documented) in call to function \"\(name)\", got \(a.type.documented)", position: a.pos)
            }
        }
        return PromQLCallNode(function: f, args: args, pos: t.pos)
    }

    private mutating func parseAggregate(_ op: PromQLAggregateOp, _ t: PromQLToken) throws(PromQLError) -> PromQLAggregateNode {
        var grouping: [String] = []
        var without = false
        var hasModifier = false
        if let k = try keyword(), k == "by" || k == "without" {
            without = k == "without"; i += 1
            grouping = try parseGroupingLabels(); hasModifier = true
        }
        let argTok = try cur()
        guard case .punct("(") = argTok.kind else { throw unexpected(argTok, "aggregation", "\"(\"") }
        let args = try parseArgs()
        if !hasModifier, let k = try keyword(), k == "by" || k == "without" {
            without = k == "without"; i += 1
            grouping = try parseGroupingLabels()
        }
        if args.isEmpty { throw PromQLError("no arguments for aggregate expression provided", position: t.pos) }
        let want = op.hasParam ? 2 : 1
        if args.count != want {
            throw PromQLError("wrong number of arguments for aggregate expression provided, expected \(want), got \(args.count)", position: t.pos)
        }
        let expr = args[want - 1]
        if expr.type != .vector {
            throw PromQLError("expected type instant vector in aggregation expression, got \(expr.type.documented)", position: expr.pos)
        }
        let param = op.hasParam ? args[0] : nil
        if let param {
            let pt: PromQLType = op == .countValues ? .string : .scalar
            if param.type != pt {
                throw PromQLError("expected type \(pt.documented) in aggregation parameter, got \(param.type.documented)", position: param.pos)
            }
        }
        return PromQLAggregateNode(op: op, expr: expr, param: param, grouping: grouping, without: without, pos: t.pos)
    }

    // MARK: binary expressions (checkAST)

    private static func checkBinary(op: PromQLBinaryOp, lhs: PromQLNode, rhs: PromQLNode, returnBool: Bool,
                                    matching m: PromQLVectorMatching, opPos: Int) throws(PromQLError) -> PromQLBinaryNode {
        var m = m
        let lt = lhs.type, rt = rhs.type
        if returnBool && !op.isComparison {
            throw PromQLError("bool modifier can only be used on comparison operators", position: opPos)
        }
        if op.isComparison && !returnBool && lt == .scalar && rt == .scalar {
            throw PromQLError("comparisons between scalars must use BOOL modifier", position: opPos)
        }
        if op.isSetOperator && m.card == .oneToOne { m.card = .manyToMany }
        if m.on, let l = m.labels.first(where: { m.include.contains($0) }) {
            throw PromQLError("label \"\(l)\" must not occur in ON and GROUP clause at once", position: opPos)
        }
        if lt != .scalar && lt != .vector {
            throw PromQLError("binary expression must contain only scalar and instant vector types", position: lhs.pos)
        }
        if rt != .scalar && rt != .vector {
            throw PromQLError("binary expression must contain only scalar and instant vector types", position: rhs.pos)
        }
        var matching: PromQLVectorMatching? = m
        if lt != .vector || rt != .vector {
            if !m.labels.isEmpty { throw PromQLError("vector matching only allowed between instant vectors", position: lhs.pos) }
            matching = nil
        } else if op.isSetOperator {
            if m.card == .oneToMany || m.card == .manyToOne {
                throw PromQLError("no grouping allowed for \"\(op.rawValue)\" operation", position: lhs.pos)
            }
        }
        if (lt == .scalar || rt == .scalar) && op.isSetOperator {
            throw PromQLError("set operator \"\(op.rawValue)\" not allowed in binary scalar expression", position: lhs.pos)
        }
        return PromQLBinaryNode(op: op, lhs: lhs, rhs: rhs, returnBool: returnBool, matching: matching, pos: lhs.pos)
    }
}
