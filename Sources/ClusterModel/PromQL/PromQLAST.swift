// The parsed form of an expression (promql/parser/ast.go, the subset the engine evaluates).

/// promql/parser's value types, named as its error messages name them (DocumentedType).
enum PromQLType: Equatable {
    case scalar, vector, matrix, string
    var documented: String {
        switch self {
        case .scalar: return "scalar"
        case .vector: return "instant vector"
        case .matrix: return "range vector"
        case .string: return "string"
        }
    }
}

/// An instant vector selector: its matchers (the name's `__name__` equality matcher last, as
/// promql/parser appends it) and offset.
struct PromQLVectorSelector {
    var name: String?
    var matchers: [LabelMatcher]
    var offsetMs: Int64 = 0
    var hasOffset = false
    var pos: Int
    var at: PromQLAt?
}

/// The `@` modifier: an absolute time (Unix ms), or the query's start or end (for an instant
/// evaluation both are its time).
enum PromQLAt: Equatable {
    case time(Int64)
    case start, end

    /// The time a selector reads at (before its offset) when evaluated at `t` in a query at `queryTime`.
    func base(_ t: Int64, queryTime: Int64) -> Int64 {
        if case .time(let ms) = self { return ms }
        return queryTime
    }
}

/// How two vectors' elements are paired (parser.VectorMatching).
struct PromQLVectorMatching {
    enum Card { case oneToOne, manyToOne, oneToMany, manyToMany }
    var card: Card = .oneToOne
    /// `on(...)` (true) or `ignoring(...)` (false; also without any modifier).
    var on = false
    var labels: [String] = []
    /// `group_left(...)` / `group_right(...)` labels taken from the "one" side.
    var include: [String] = []
}

enum PromQLBinaryOp: String {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "^", atan2
    case eql = "==", neq = "!=", gtr = ">", lss = "<", gte = ">=", lte = "<="
    case and, or, unless

    var precedence: Int {
        switch self {
        case .or: return 1
        case .and, .unless: return 2
        case .eql, .neq, .gtr, .lss, .gte, .lte: return 3
        case .add, .sub: return 4
        case .mul, .div, .mod, .atan2: return 5
        case .pow: return 6
        }
    }
    var isComparison: Bool { precedence == 3 }
    var isSetOperator: Bool { self == .and || self == .or || self == .unless }
    /// shouldDropMetricName: arithmetic except atan2.
    var dropsMetricName: Bool { [.add, .sub, .mul, .div, .mod, .pow].contains(self) }
}

final class PromQLBinaryNode {
    let op: PromQLBinaryOp
    let lhs: PromQLNode
    let rhs: PromQLNode
    let returnBool: Bool
    /// nil unless both sides are instant vectors.
    let matching: PromQLVectorMatching?
    let pos: Int
    /// Scalar when both sides are, else vector; kept so that a long chain `a + b + c ...` (a left
    /// spine as deep as it has operators) is not walked again for every operator added to it.
    let type: PromQLType
    /// Levels of the tree below and including this node (PromQLNode.depth).
    let depth: Int
    init(op: PromQLBinaryOp, lhs: PromQLNode, rhs: PromQLNode, returnBool: Bool, matching: PromQLVectorMatching?, pos: Int) {
        self.op = op; self.lhs = lhs; self.rhs = rhs; self.returnBool = returnBool; self.matching = matching; self.pos = pos
        type = lhs.type == .scalar && rhs.type == .scalar ? .scalar : .vector
        depth = 1 + max(lhs.depth, rhs.depth)
    }
}

enum PromQLAggregateOp: String, CaseIterable {
    case sum, avg, count, min, max, group, stddev, stdvar, topk, bottomk, quantile
    case countValues = "count_values"
    var hasParam: Bool { self == .topk || self == .bottomk || self == .quantile || self == .countValues }
}

final class PromQLAggregateNode {
    let op: PromQLAggregateOp
    let expr: PromQLNode
    let param: PromQLNode?
    let grouping: [String]
    let without: Bool
    let pos: Int
    init(op: PromQLAggregateOp, expr: PromQLNode, param: PromQLNode?, grouping: [String], without: Bool, pos: Int) {
        self.op = op; self.expr = expr; self.param = param; self.grouping = grouping; self.without = without; self.pos = pos
    }
}

final class PromQLCallNode {
    let function: PromQLFunction
    let args: [PromQLNode]
    let pos: Int
    init(function: PromQLFunction, args: [PromQLNode], pos: Int) { self.function = function; self.args = args; self.pos = pos }
}

final class PromQLSubqueryNode {
    let expr: PromQLNode
    let rangeMs: Int64
    /// 0: the default evaluation interval.
    let stepMs: Int64
    var offsetMs: Int64 = 0
    var hasOffset = false
    var at: PromQLAt?
    let pos: Int
    init(expr: PromQLNode, rangeMs: Int64, stepMs: Int64, pos: Int) {
        self.expr = expr; self.rangeMs = rangeMs; self.stepMs = stepMs; self.pos = pos
    }
}

indirect enum PromQLNode {
    case number(Double, pos: Int)
    case string(String, pos: Int)
    case vector(PromQLVectorSelector)
    case matrix(PromQLVectorSelector, rangeMs: Int64)
    case subquery(PromQLSubqueryNode)
    case paren(PromQLNode, pos: Int)
    case negate(PromQLNode, pos: Int)
    case binary(PromQLBinaryNode)
    case aggregate(PromQLAggregateNode)
    case call(PromQLCallNode)

    var type: PromQLType {
        switch self {
        case .number: return .scalar
        case .string: return .string
        case .vector, .aggregate: return .vector
        case .matrix, .subquery: return .matrix
        case .paren(let e, _), .negate(let e, _): return e.type
        case .binary(let b): return b.type
        case .call(let c): return c.function.returnType
        }
    }

    /// Levels of the tree (a selector or number is 1). Binary nodes keep theirs; the other nodes
    /// are one parser nesting level each (at most PromQLParser.maxDepth), so this recursion is
    /// bounded whatever the input.
    var depth: Int {
        switch self {
        case .number, .string, .vector, .matrix: return 1
        case .subquery(let s): return 1 + s.expr.depth
        case .paren(let e, _), .negate(let e, _): return 1 + e.depth
        case .binary(let b): return b.depth
        case .aggregate(let a): return 1 + max(a.param?.depth ?? 0, a.expr.depth)
        case .call(let c): return 1 + c.args.reduce(0) { max($0, $1.depth) }
        }
    }

    var pos: Int {
        switch self {
        case .number(_, let p), .string(_, let p), .paren(_, let p), .negate(_, let p): return p
        case .vector(let v), .matrix(let v, _): return v.pos
        case .subquery(let s): return s.pos
        case .binary(let b): return b.pos
        case .aggregate(let a): return a.pos
        case .call(let c): return c.pos
        }
    }

    /// The node without enclosing parentheses.
    var unwrapped: PromQLNode {
        if case .paren(let e, _) = self { return e.unwrapped }
        return self
    }

    /// Whether any selector or subquery has an `@` modifier.
    var usesAt: Bool {
        switch self {
        case .number, .string: return false
        case .vector(let v), .matrix(let v, _): return v.at != nil
        case .subquery(let s): return s.at != nil || s.expr.usesAt
        case .paren(let e, _), .negate(let e, _): return e.usesAt
        case .binary(let b): return b.lhs.usesAt || b.rhs.usesAt
        case .aggregate(let a): return (a.param?.usesAt ?? false) || a.expr.usesAt
        case .call(let c): return c.args.contains { $0.usesAt }
        }
    }

    /// Every selector, depth first, left to right.
    func collectSelectors(into out: inout [PromQLSelector]) {
        switch self {
        case .number, .string: break
        case .vector(let v): out.append(PromQLSelector(metricName: v.name, matchers: v.matchers, rangeMs: 0, offsetMs: v.offsetMs))
        case .matrix(let v, let r): out.append(PromQLSelector(metricName: v.name, matchers: v.matchers, rangeMs: r, offsetMs: v.offsetMs))
        case .subquery(let s):
            var inner: [PromQLSelector] = []
            s.expr.collectSelectors(into: &inner)
            for var sel in inner { sel.rangeMs += s.rangeMs; sel.offsetMs += s.offsetMs; out.append(sel) }
        case .paren(let e, _), .negate(let e, _): e.collectSelectors(into: &out)
        case .binary(let b): b.lhs.collectSelectors(into: &out); b.rhs.collectSelectors(into: &out)
        case .aggregate(let a): a.param?.collectSelectors(into: &out); a.expr.collectSelectors(into: &out)
        case .call(let c): for a in c.args { a.collectSelectors(into: &out) }
        }
    }
}

extension PromQLNode {
    /// A fully parenthesised rendering (tests read precedence and associativity from it).
    var sexpr: String {
        switch self {
        case .number(let v, _): return PromQLFunctions.goFormat(v)
        case .string(let s, _): return "\"\(LabelSet.escape(s))\""
        case .vector(let v): return PromQLNode.selectorText(v) + (v.hasOffset ? " offset \(v.offsetMs)ms" : "")
        case .matrix(let v, let r): return PromQLNode.selectorText(v) + "[\(r)ms]" + (v.hasOffset ? " offset \(v.offsetMs)ms" : "")
        case .subquery(let s): return s.expr.sexpr + "[\(s.rangeMs)ms:\(s.stepMs)ms]" + (s.hasOffset ? " offset \(s.offsetMs)ms" : "")
        case .paren(let e, _): return e.sexpr
        case .negate(let e, _): return "(-" + e.sexpr + ")"
        case .binary(let b):
            var mod = b.returnBool ? " bool" : ""
            if let m = b.matching, m.on || !m.labels.isEmpty { mod += (m.on ? " on(" : " ignoring(") + m.labels.joined(separator: ",") + ")" }
            if let m = b.matching, m.card == .manyToOne || m.card == .oneToMany {
                mod += (m.card == .manyToOne ? " group_left(" : " group_right(") + m.include.joined(separator: ",") + ")"
            }
            return "(" + b.lhs.sexpr + " " + b.op.rawValue + mod + " " + b.rhs.sexpr + ")"
        case .aggregate(let a):
            let g = a.without || !a.grouping.isEmpty ? (a.without ? " without(" : " by(") + a.grouping.joined(separator: ",") + ")" : ""
            return a.op.rawValue + g + "(" + ([a.param, a.expr].compactMap { $0?.sexpr }).joined(separator: ", ") + ")"
        case .call(let c): return c.function.name + "(" + c.args.map(\.sexpr).joined(separator: ", ") + ")"
        }
    }

    private static func selectorText(_ v: PromQLVectorSelector) -> String {
        let ms = v.matchers.filter { !($0.name == "__name__" && $0.type == .equal && $0.value == v.name) }
        let body = ms.isEmpty && v.name != nil ? "" : "{" + ms.map(\.description).joined(separator: ",") + "}"
        return (v.name ?? "") + body
    }
}
