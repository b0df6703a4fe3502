import SimKernel

// PromQL (issue 11): expressions parsed and evaluated as prometheus/prometheus promql/ does in
// Prometheus 2.42 (the version the platform's Debian package runs). Lexer, parser, evaluator and
// functions live beside this file; docs/promql.md lists the subset and the departures.

/// A parse or evaluation error: what is wrong and where (a 0-based character offset into the
/// expression; `line:column` as promql/parser prints them is derived from it).
public struct PromQLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var position: Int
    public init(_ message: String, position: Int) { self.message = message; self.position = position }
    public var description: String { "\(message) (at character \(position + 1))" }
}

/// One element of an instant vector.
public struct VectorSample: Sendable, Equatable {
    public var labels: LabelSet
    public var value: Double
    public init(labels: LabelSet, value: Double) { self.labels = labels; self.value = value }
}

/// What an expression evaluates to.
public enum PromQLValue: Sendable, Equatable {
    case vector([VectorSample])
    case scalar(Double)
    case string(String)
    case matrix([SeriesSamples])

    public static func == (a: PromQLValue, b: PromQLValue) -> Bool {
        switch (a, b) {
        case let (.vector(x), .vector(y)): return x == y
        case let (.scalar(x), .scalar(y)): return x.bitPattern == y.bitPattern || x == y
        case let (.string(x), .string(y)): return x == y
        case let (.matrix(x), .matrix(y)): return x.map(\.labels) == y.map(\.labels) && x.map(\.samples) == y.map(\.samples)
        default: return false
        }
    }
}

/// A vector or matrix selector of an expression, with its range and offset: what the store must
/// keep (Prometheus' retention for rules: range + offset + lookback back from the evaluation).
public struct PromQLSelector: Sendable, Hashable {
    public var metricName: String?
    public var matchers: [LabelMatcher]
    public var rangeMs: Int64
    public var offsetMs: Int64
    public init(metricName: String?, matchers: [LabelMatcher], rangeMs: Int64, offsetMs: Int64) {
        self.metricName = metricName; self.matchers = matchers; self.rangeMs = rangeMs; self.offsetMs = offsetMs
    }
}

/// A parsed expression: parse once, evaluate at many instants.
public final class PromQLExpr: @unchecked Sendable {
    public let text: String
    let root: PromQLNode

    /// Parses `text`, or throws the first error with its position (promql/parser's messages).
    public static func parse(_ text: String) throws(PromQLError) -> PromQLExpr {
        var p = PromQLParser(text)
        return PromQLExpr(text: text, root: try p.parseTop())
    }

    private init(text: String, root: PromQLNode) { self.text = text; self.root = root }

    /// The expression's selectors, depth first and left to right (for the store's retention and for
    /// which series a scrape keeps). `matchers` holds every matcher of the selector, the metric
    /// name's `__name__` equality matcher included; a selector inside a subquery has the
    /// subquery's range and offset added to its own.
    public var selectors: [PromQLSelector] {
        var out: [PromQLSelector] = []
        root.collectSelectors(into: &out)
        return out
    }

    /// Whether the expression's result is an instant vector (what a rule must return) or a scalar.
    public var returnsVectorOrScalar: Bool { root.type == .vector || root.type == .scalar }

    /// The expression's type as promql/parser names it: "scalar", "instant vector", "range vector", "string".
    public var typeName: String { root.type.documented }

    /// Evaluates at `t` (Unix ms) with Prometheus' `lookback` (default 5 m). A subquery without a
    /// step uses `subqueryStepMs` (Prometheus: the global `evaluation_interval`, default 1 m).
    public func evaluate(at t: Int64, in store: SeriesStore, lookbackMs: Int64 = 300_000) throws(PromQLError) -> PromQLValue {
        try evaluate(at: t, in: store, lookbackMs: lookbackMs, subqueryStepMs: 60_000)
    }

    public func evaluate(at t: Int64, in store: SeriesStore, lookbackMs: Int64, subqueryStepMs: Int64) throws(PromQLError) -> PromQLValue {
        var ev = PromQLEvaluator(store: store, lookbackMs: lookbackMs, defaultStepMs: max(1, subqueryStepMs))
        return try ev.eval(root, at: t)
    }
}
