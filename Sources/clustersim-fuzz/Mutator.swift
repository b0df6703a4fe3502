import Scenario

/// A small deterministic generator (SplitMix64): the same seed gives the same mutations on every
/// machine and in every process.
struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
}

/// Mutations of a scenario's JSON tree: deleted keys, wrong types, extreme and zero numbers,
/// NaN-like strings, extreme durations, sizes and rates, huge counts, duplicated array elements.
enum Mutator {
    static func num(_ text: String) -> JSONValue {
        JSONValue(.number(JSONNumber(text: text, double: Double(text) ?? .infinity)))
    }

    static let extremeNumbers = ["0", "-1", "1", "0.0001", "1e-9", "1e19", "1e308", "9223372036854775807", "9223372036854775808",
                                 "18446744073709551615", "18446744073709551616", "2147483647", "2147483648", "4294967296",
                                 "100000", "1000000", "0.5", "-0.5", "1e15", "1e16", "3", "65536"]
    static let nanLike = ["NaN", "nan", "inf", "-inf", "Infinity", "-Infinity", "1e400", "", " ", "0x10", "1,5", "\u{00B5}"]
    static let durations = ["0s", "0", "1ns", "1us", "1ms", "1s", "1000000h", "876000h", "876001h", "2562047h", "-1s",
                            "9223372036s", "0.000000001s", "1h1ns", "24h", "30m"]
    static let sizes = ["0", "0B", "1B", "1bit", "1EB", "1PiB", "1024PiB", "100000PB", "9223372036854775807", "1.5GiB", "-1GB", "1g"]
    static let rates = ["1B/s", "1bit", "0bit", "1Tbit", "1000Tbit", "9223372036854775807", "1Mb/s", "0B/s", "1GiB/s", "-1bit"]
    static let wrongTypes: [JSONValue] = [.string("x"), JSONValue(.bool(true)), JSONValue(.null), .array([]), .object([]),
                                          .array([.number(1)]), .object([("x", .number(1))])]

    /// Every node of the tree as a path of steps (object member index or array index).
    enum Step { case member(Int), element(Int) }

    static func nodes(_ v: JSONValue, _ prefix: [Step] = [], into out: inout [[Step]]) {
        out.append(prefix)
        switch v.kind {
        case .object(let ms): for (i, m) in ms.enumerated() { nodes(m.value, prefix + [.member(i)], into: &out) }
        case .array(let a): for (i, e) in a.enumerated() { nodes(e, prefix + [.element(i)], into: &out) }
        default: break
        }
    }

    static func get(_ v: JSONValue, _ path: ArraySlice<Step>) -> JSONValue {
        guard let s = path.first else { return v }
        switch (s, v.kind) {
        case (.member(let i), .object(let ms)): return get(ms[i].value, path.dropFirst())
        case (.element(let i), .array(let a)): return get(a[i], path.dropFirst())
        default: return v
        }
    }

    /// Applies `f` to the parent container of the node at `path` (with the node's step).
    static func update(_ v: inout JSONValue, _ path: ArraySlice<Step>, _ f: (inout JSONValue, Step) -> Void) {
        guard let s = path.first else { return }
        if path.count == 1 { f(&v, s); return }
        switch (s, v.kind) {
        case (.member(let i), .object(var ms)):
            update(&ms[i].value, path.dropFirst(), f); v.kind = .object(ms)
        case (.element(let i), .array(var a)):
            update(&a[i], path.dropFirst(), f); v.kind = .array(a)
        default: break
        }
    }

    static func replace(_ root: inout JSONValue, _ path: [Step], with new: JSONValue) {
        if path.isEmpty { root = new; return }
        update(&root, path[...]) { parent, step in
            switch (step, parent.kind) {
            case (.member(let i), .object(var ms)): ms[i].value = new; parent.kind = .object(ms)
            case (.element(let i), .array(var a)): a[i] = new; parent.kind = .array(a)
            default: break
            }
        }
    }

    /// A value for a node, biased by what the node holds now (a duration string gets extreme
    /// durations more often, a number extreme numbers ...).
    static func replacement(for old: JSONValue, _ r: inout SplitMix) -> JSONValue {
        let roll = r.below(10)
        if roll == 0 { return r.pick(wrongTypes) }
        if roll == 1 { return .string(r.pick(nanLike)) }
        switch old.kind {
        case .number:
            return r.chance(0.8) ? num(r.pick(extremeNumbers)) : .string(r.pick(durations + sizes + rates))
        case .string(let s):
            let last = s.last
            if s.hasSuffix("B/s") || s.hasSuffix("bit") || s.hasSuffix("bps") { return .string(r.pick(rates)) }
            if s.hasSuffix("B") { return .string(r.pick(sizes)) }
            if let l = last, "smh".contains(l), s.first?.isNumber == true { return .string(r.pick(durations)) }
            return r.chance(0.5) ? .string(r.pick(durations + sizes + rates)) : num(r.pick(extremeNumbers))
        case .bool: return r.chance(0.5) ? JSONValue(.bool(r.chance(0.5))) : num(r.pick(extremeNumbers))
        default: return r.chance(0.5) ? num(r.pick(extremeNumbers)) : .string(r.pick(durations + sizes + rates))
        }
    }

    /// One mutation somewhere in the tree. Returns a short description.
    @discardableResult
    static func mutate(_ root: inout JSONValue, _ r: inout SplitMix) -> String {
        var all: [[Step]] = []
        nodes(root, into: &all)
        let leaves = all.filter { p in
            switch get(root, p[...]).kind { case .object, .array: return false; default: return true }
        }
        let kind = r.below(10)
        if kind <= 1, all.count > 1 {
            // delete a key or an array element
            let p = r.pick(Array(all.dropFirst()))
            update(&root, p[...]) { parent, step in
                switch (step, parent.kind) {
                case (.member(let i), .object(var ms)): ms.remove(at: i); parent.kind = .object(ms)
                case (.element(let i), .array(var a)): a.remove(at: i); parent.kind = .array(a)
                default: break
                }
            }
            return "delete"
        }
        if kind == 2 {
            // duplicate an array element, sometimes many times (huge counts of things)
            let arrays = all.filter { if case .array(let a) = get(root, $0[...]).kind { return !a.isEmpty }; return false }
            if let p = arrays.isEmpty ? nil : r.pick(arrays), case .array(var a) = get(root, p[...]).kind {
                let e = a[r.below(a.count)]
                let times = r.chance(0.2) ? 200 : 1 + r.below(3)
                for _ in 0..<times { a.append(e) }
                replace(&root, p, with: JSONValue(.array(a)))
                return "duplicate"
            }
        }
        if kind == 3 {
            // a count-like integer anywhere made huge or zero
            let p = r.pick(leaves.isEmpty ? all : leaves)
            replace(&root, p, with: num(r.pick(["0", "100000", "1000000", "2147483647", "99999999999"])))
            return "count"
        }
        let p = r.pick(leaves.isEmpty ? all : leaves)
        replace(&root, p, with: replacement(for: get(root, p[...]), &r))
        return "replace"
    }
}
