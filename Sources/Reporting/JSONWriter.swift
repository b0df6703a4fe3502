import SimKernel

/// A small JSON builder with a fixed key order (insertion order) and deterministic numbers.
public indirect enum JSONOut {
    case string(String)
    case int(Int64)
    case uint(UInt64)
    case number(Double, decimals: Int)
    case bool(Bool)
    case null
    case array([JSONOut])
    case object([(String, JSONOut)])

    public static func num(_ x: Double, _ decimals: Int = 6) -> JSONOut { .number(x, decimals: decimals) }

    public func render(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent + 1)
        let closePad = String(repeating: "  ", count: indent)
        switch self {
        case .string(let s): return JSONOut.quote(s)
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .number(let x, let d): return x.isFinite ? NumberFormat.decimal(x, d) : "null"
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { pad + $0.render(indent: indent + 1) }.joined(separator: ",\n") + "\n" + closePad + "]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            return "{\n" + members.map { pad + JSONOut.quote($0.0) + ": " + $0.1.render(indent: indent + 1) }
                .joined(separator: ",\n") + "\n" + closePad + "}"
        }
    }

    public static func quote(_ s: String) -> String { JSONText.quote(s) }
}
