import Foundation

// Go's fmt for the values alert templates print (text/template prints with fmt.Sprint; printf is
// fmt.Sprintf): float64 as %v (strconv 'g' with the shortest digits: an exponent when the decimal
// exponent is < -4 or >= 6 — strconv/ftoa.go uses eprec 6 for shortest — written with at least two
// digits), and the printf verbs rules use.

/// A value as Go's fmt sees it.
public enum GoValue: Sendable, Equatable {
    case string(String)
    case float(Double)
    case int(Int)
    case bool(Bool)
    /// A map[string]string (`.Labels`), printed `map[a:b c:d]`.
    case labels(LabelSet)
    case none

    public var typeName: String {
        switch self {
        case .string: return "string"
        case .float: return "float64"
        case .int: return "int"
        case .bool: return "bool"
        case .labels: return "map[string]string"
        case .none: return "<nil>"
        }
    }

    /// fmt.Sprint of the value.
    public var printed: String {
        switch self {
        case .string(let s): return s
        case .float(let x): return GoFormat.shortest(x)
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .labels(let l): return "map[" + l.labels.map { $0.name + ":" + $0.value }.joined(separator: " ") + "]"
        case .none: return "<no value>"
        }
    }

    /// text/template's truth (`if`, `with`, `and`, `or`, `not`).
    public var truth: Bool {
        switch self {
        case .string(let s): return !s.isEmpty
        case .float(let x): return x != 0
        case .int(let i): return i != 0
        case .bool(let b): return b
        case .labels(let l): return !l.isEmpty
        case .none: return false
        }
    }
}

public enum GoFormat {
    /// strconv.FormatFloat(x, 'g', -1, 64), which fmt's %v uses.
    public static func shortest(_ x: Double) -> String {
        if let s = special(x) { return s }
        if x == 0 { return x.sign == .minus ? "-0" : "0" }
        // Swift's description has the shortest round-tripping digits too; re-lay them out as Go.
        let (neg, digits, exp) = decompose(x)
        var out = neg ? "-" : ""
        if exp < -4 || exp >= 6 {
            out += String(digits.first!)
            if digits.count > 1 { out += "." + digits.dropFirst() }
            out += "e" + (exp < 0 ? "-" : "+") + (abs(exp) < 10 ? "0" : "") + String(abs(exp))
        } else if exp < 0 {
            out += "0." + String(repeating: "0", count: -exp - 1) + digits
        } else if digits.count <= exp + 1 {
            out += digits + String(repeating: "0", count: exp + 1 - digits.count)
        } else {
            let cut = digits.index(digits.startIndex, offsetBy: exp + 1)
            out += digits[..<cut] + "." + digits[cut...]
        }
        return out
    }

    /// NaN and the infinities as Go prints them.
    static func special(_ x: Double) -> String? {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-Inf" : "+Inf" }
        return nil
    }

    /// Sign, significant digits (no leading/trailing zeros) and decimal exponent of the first digit.
    static func decompose(_ x: Double) -> (Bool, String, Int) {
        var s = "\(abs(x))"
        var exp = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exp = Int(s[s.index(after: e)...]) ?? 0
            s = String(s[..<e])
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0]), frac = parts.count > 1 ? String(parts[1]) : ""
        var all = intPart + frac
        var pointAt = intPart.count + exp
        while all.first == "0" { all.removeFirst(); pointAt -= 1 }
        while all.last == "0" { all.removeLast() }
        if all.isEmpty { all = "0" }
        return (x < 0, all, pointAt - 1)
    }

    /// fmt.Sprintf with the verbs `%v %s %d %f %F %e %E %g %G %q %x %%`, flags `+- #0`, width and
    /// precision; a mismatch prints Go's `%!verb(type=value)`.
    public static func sprintf(_ format: String, _ args: [GoValue]) -> String {
        var out = ""
        let f = Array(format)
        var i = 0, argi = 0
        while i < f.count {
            if f[i] != "%" { out.append(f[i]); i += 1; continue }
            i += 1
            var flags = ""
            while i < f.count, "+- #0".contains(f[i]) { flags.append(f[i]); i += 1 }
            var width = ""
            while i < f.count, f[i].isASCII, f[i].isNumber, width.count < 4 { width.append(f[i]); i += 1 }
            var prec: String? = nil
            if i < f.count, f[i] == "." {
                i += 1
                var p = ""
                while i < f.count, f[i].isASCII, f[i].isNumber, p.count < 4 { p.append(f[i]); i += 1 }
                prec = p
            }
            guard i < f.count else { out += "%!(NOVERB)"; break }
            let verb = f[i]; i += 1
            if verb == "%" { out += "%"; continue }
            guard argi < args.count else { out += "%!\(verb)(MISSING)"; continue }
            let a = args[argi]; argi += 1
            out += one(verb, flags: flags, width: width, prec: prec, a)
        }
        if argi < args.count {
            out += "%!(EXTRA " + args[argi...].map { "\($0.typeName)=\($0.printed)" }.joined(separator: ", ") + ")"
        }
        return out
    }

    static func one(_ verb: Character, flags: String, width: String, prec: String?, _ a: GoValue) -> String {
        let spec = flags + width + (prec.map { "." + ($0.isEmpty ? "0" : $0) } ?? "")
        let bad = "%!\(verb)(\(a.typeName)=\(a.printed))"
        func pad(_ s: String) -> String {
            guard let w = Int(width), s.count < w else { return s }
            let fill = String(repeating: flags.contains("0") && !flags.contains("-") ? "0" : " ", count: w - s.count)
            return flags.contains("-") ? s + fill : fill + s
        }
        switch (verb, a) {
        case ("v", .float(let x)) where prec == nil: return pad(shortest(x))
        case ("v", _), ("s", .string), ("s", .bool), ("s", .labels), ("s", .none):
            var s = a.printed
            if let p = prec.flatMap({ Int($0) }), case .string = a { s = String(s.prefix(p)) }
            return pad(s)
        case ("q", .string(let s)): return pad("\"" + LabelSet.escape(s) + "\"")
        case ("d", .int(let n)): return String(format: "%" + spec + "ld", n)
        case ("x", .int(let n)): return String(format: "%" + spec + "lx", n)
        case ("x", .string(let s)): return pad(s.utf8.map { String(format: "%02x", $0) }.joined())
        case ("f", .float(let x)), ("F", .float(let x)), ("e", .float(let x)), ("E", .float(let x)),
             ("g", .float(let x)), ("G", .float(let x)), ("v", .float(let x)):
            if let s = special(x) { return pad(s) }
            if (verb == "g" || verb == "G" || verb == "v") && prec == nil {
                let s = shortest(x)
                return pad(verb == "G" ? s.uppercased() : s)
            }
            let c = verb == "F" || verb == "v" ? (verb == "v" ? "g" : "f") : String(verb)
            return String(format: "%" + spec + c, x)
        default: return bad
        }
    }
}
