import SimKernel

// PromQL (issue 11): the subset the platform's rules use, parsed and evaluated as
// prometheus/prometheus promql/ does. Placeholder API until the engine lands; see docs/monitoring.md.

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

/// A parsed expression.
public final class PromQLExpr: @unchecked Sendable {
    public let text: String

    /// Parses `text`, or throws the first error with its position (promql/parser's messages).
    public static func parse(_ text: String) throws(PromQLError) -> PromQLExpr {
        throw PromQLError("PromQL is not available yet", position: 0)
    }

    private init(text: String) { self.text = text }

    /// The expression's selectors (for the store's retention and for which series a scrape keeps).
    public var selectors: [PromQLSelector] { [] }

    /// Whether the expression's result is an instant vector (what a rule must return) or a scalar.
    public var returnsVectorOrScalar: Bool { true }

    /// Evaluates at `t` (Unix ms) with Prometheus' `lookback` (default 5 m).
    public func evaluate(at t: Int64, in store: SeriesStore, lookbackMs: Int64 = 300_000) throws(PromQLError) -> PromQLValue {
        throw PromQLError("PromQL is not available yet", position: 0)
    }
}
