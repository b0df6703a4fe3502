import Foundation

// The functions the engine knows, with promql/parser/functions.go's signatures (Prometheus 2.42).

struct PromQLFunction {
    let name: String
    let argTypes: [PromQLType]
    /// 0: exactly `argTypes`; n > 0: the last argument type may be left out or given up to n times; -1: any number.
    let variadic: Int
    let returnType: PromQLType

    private init(_ name: String, _ argTypes: [PromQLType], _ returnType: PromQLType = .vector, variadic: Int = 0) {
        self.name = name; self.argTypes = argTypes; self.variadic = variadic; self.returnType = returnType
    }

    static func named(_ name: String) -> PromQLFunction? { table[name] }

    /// Functions Prometheus 2.42 has that the simulator does not evaluate (native histograms,
    /// holt_winters): rejected at parse time with their name.
    static let unsupported: Set<String> = ["holt_winters", "histogram_count", "histogram_sum", "histogram_fraction"]

    /// Instant-vector functions of one value (simpleFunc): the metric name is dropped.
    static let simple: [String: @Sendable (Double) -> Double] = [
        "abs": { Swift.abs($0) }, "ceil": { Foundation.ceil($0) }, "floor": { Foundation.floor($0) },
        "exp": { Foundation.exp($0) }, "sqrt": { Foundation.sqrt($0) }, "ln": { Foundation.log($0) },
        "log2": { GoMath.log2($0) }, "log10": { GoMath.log10($0) },
        "sin": { Foundation.sin($0) }, "cos": { Foundation.cos($0) }, "tan": { Foundation.tan($0) },
        "asin": { Foundation.asin($0) }, "acos": { Foundation.acos($0) }, "atan": { GoMath.atan($0) },
        "sinh": { Foundation.sinh($0) }, "cosh": { Foundation.cosh($0) }, "tanh": { Foundation.tanh($0) },
        "asinh": { Foundation.asinh($0) }, "acosh": { Foundation.acosh($0) }, "atanh": { Foundation.atanh($0) },
        "deg": { $0 * 180 / Double.pi }, "rad": { $0 * Double.pi / 180 },
        "sgn": { $0 < 0 ? -1 : ($0 > 0 ? 1 : $0) },
    ]

    private static let table: [String: PromQLFunction] = {
        var t: [String: PromQLFunction] = [:]
        func add(_ f: PromQLFunction) { t[f.name] = f }
        for name in simple.keys { add(PromQLFunction(name, [.vector])) }
        for name in ["rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes",
                     "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
                     "stddev_over_time", "stdvar_over_time", "last_over_time", "present_over_time", "absent_over_time"] {
            add(PromQLFunction(name, [.matrix]))
        }
        for name in ["minute", "hour", "day_of_week", "day_of_month", "day_of_year", "days_in_month", "month", "year"] {
            add(PromQLFunction(name, [.vector], variadic: 1))
        }
        add(PromQLFunction("predict_linear", [.matrix, .scalar]))
        add(PromQLFunction("quantile_over_time", [.scalar, .matrix]))
        add(PromQLFunction("histogram_quantile", [.scalar, .vector]))
        add(PromQLFunction("absent", [.vector]))
        add(PromQLFunction("clamp", [.vector, .scalar, .scalar]))
        add(PromQLFunction("clamp_min", [.vector, .scalar]))
        add(PromQLFunction("clamp_max", [.vector, .scalar]))
        add(PromQLFunction("round", [.vector, .scalar], variadic: 1))
        add(PromQLFunction("scalar", [.vector], .scalar))
        add(PromQLFunction("vector", [.scalar]))
        add(PromQLFunction("time", [], .scalar))
        add(PromQLFunction("pi", [], .scalar))
        add(PromQLFunction("timestamp", [.vector]))
        add(PromQLFunction("label_replace", [.vector, .string, .string, .string, .string]))
        add(PromQLFunction("label_join", [.vector, .string, .string, .string], variadic: -1))
        add(PromQLFunction("sort", [.vector]))
        add(PromQLFunction("sort_desc", [.vector]))
        return t
    }()

    /// Every function name the engine evaluates, sorted (for docs and tests).
    static var allNames: [String] { table.keys.sorted() }
}
