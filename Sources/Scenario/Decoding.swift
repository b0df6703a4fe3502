import SimKernel

// The decoding layer. A section decoder opens an `ObjectReader` on an object, asks it for keys by
// name with a typed `ValueDecoder`, and calls `finish()`: every key it was not asked about is then
// reported as unknown, with the closest key it was asked about as a suggestion. Decoders record
// errors in a shared `Diagnostics` and return nil for a value they could not read, so one run
// reports every problem of a file.

/// Reads one JSON value as a T, recording errors (with the value's path) in the diagnostics.
/// Returns nil when the value is wrong (an error has then been recorded).
public struct ValueDecoder<T> {
    public let decode: (_ value: JSONValue, _ path: String, _ diagnostics: Diagnostics) -> T?

    public init(_ decode: @escaping (_ value: JSONValue, _ path: String, _ diagnostics: Diagnostics) -> T?) {
        self.decode = decode
    }

    /// A decoder that applies `transform` to this one's result (nil from transform means an
    /// error was recorded by it).
    public func map<U>(_ transform: @escaping (T, JSONValue, String, Diagnostics) -> U?) -> ValueDecoder<U> {
        ValueDecoder<U> { v, p, d in self.decode(v, p, d).flatMap { transform($0, v, p, d) } }
    }

    /// Adds a check: `check` returns an error message, or nil when the value is fine.
    public func check(_ check: @escaping (T) -> String?) -> ValueDecoder<T> {
        map { x, v, p, d in
            if let m = check(x) { d.error(p, at: v, m); return nil }
            return x
        }
    }
}

/// For each element equal to an earlier one: its index and the earlier one's, in list order. Linear
/// (a table of what was seen, looked up, never iterated), so a list of a million entries costs what
/// reading it costs; `items[..<i].contains(x)` per element was quadratic.
func repeatedElements<T: Hashable>(_ items: [T]) -> [(index: Int, first: Int)] {
    var seen: [T: Int] = [:]
    var out: [(index: Int, first: Int)] = []
    for (i, x) in items.enumerated() {
        if let f = seen[x] { out.append((i, f)) } else { seen[x] = i }
    }
    return out
}

func typeMismatch(_ expected: String, _ v: JSONValue) -> String {
    "expected \(expected), got \(v.described)"
}

extension ValueDecoder where T == JSONValue {
    /// The value as it is.
    public static var json: ValueDecoder<JSONValue> { ValueDecoder { v, _, _ in v } }
}

extension ValueDecoder where T == String {
    public static var string: ValueDecoder<String> {
        ValueDecoder { v, p, d in
            if let s = v.stringValue { return s }
            d.error(p, at: v, typeMismatch("a string", v)); return nil
        }
    }

    public static var nonEmptyString: ValueDecoder<String> {
        string.check { $0.isEmpty ? "must not be empty" : nil }
    }

    /// A label such as a rack or datacenter name: non-empty, at most 63 characters (a DNS label,
    /// RFC 1035 section 2.3.4; Mesos attributes and hostnames carry them).
    public static var label: ValueDecoder<String> {
        string.check { s in
            if s.isEmpty { return "must not be empty" }
            if s.utf8.count > 63 { return "\(JSONValue.quote(s)) is \(s.utf8.count) characters long; at most 63 are allowed (a DNS label, RFC 1035)" }
            return nil
        }
    }

    /// A non-empty name made of ASCII letters, digits and `extra` characters.
    /// At most `maxLength` characters (names end up in every row of a table and in host and folder names).
    public static func name(extra: String, maxLength: Int = 63) -> ValueDecoder<String> {
        let allowed = "letters A-Z a-z, digits 0-9" + (extra.isEmpty ? "" : " and " + extra.map { "'\($0)'" }.joined(separator: " "))
        return string.check { s in
            if s.isEmpty { return "must not be empty; use \(allowed)" }
            for ch in s.unicodeScalars {
                let ok = (ch.value >= 0x30 && ch.value <= 0x39) || (ch.value >= 0x41 && ch.value <= 0x5A)
                    || (ch.value >= 0x61 && ch.value <= 0x7A) || extra.unicodeScalars.contains(ch)
                if !ok { return "\(JSONValue.quote(s)) contains \(JSONValue.quote(String(ch))); use only \(allowed)" }
            }
            if s.utf8.count > maxLength { return "\(JSONValue.quote(s)) is \(s.utf8.count) characters long; at most \(maxLength) are allowed" }
            return nil
        }
    }

    /// One of `allowed` (exact spelling), with a did-you-mean otherwise.
    public static func oneOf(_ allowed: [String], what: String = "value") -> ValueDecoder<String> {
        string.check { s in
            if allowed.contains(s) { return nil }
            return "unknown \(what) \(JSONValue.quote(s))\(Suggest.didYouMean(s, among: allowed)); allowed: \(allowed.map { JSONValue.quote($0) }.joined(separator: ", "))"
        }
    }
}

extension ValueDecoder where T == Bool {
    public static var bool: ValueDecoder<Bool> {
        ValueDecoder { v, p, d in
            if let b = v.boolValue { return b }
            d.error(p, at: v, typeMismatch("true or false", v)); return nil
        }
    }
}

/// The largest integer a scenario key takes unless the key says less: 2147483647, the 32-bit
/// `Int` of Marathon's Scala flags (Scallop `opt[Int]`) and Mesos' C++ `int` flags. Counts stay
/// far from Int64 overflow when the model multiplies or adds them.
public let maxScenarioInteger = Int(Int32.max)

extension ValueDecoder where T == Int {
    /// An integer in min...max (max at most `maxScenarioInteger`, min at least its negative).
    /// Fractions like 2.5 and strings like "4" are errors.
    public static func int(min: Int = -maxScenarioInteger, max: Int = maxScenarioInteger) -> ValueDecoder<Int> {
        let min = Swift.max(min, -maxScenarioInteger), max = Swift.min(max, maxScenarioInteger)
        let rangeText: String = {
            "an integer from \(min) to \(max)"
        }()
        return ValueDecoder { v, p, d in
            guard let n = v.numberValue else { d.error(p, at: v, typeMismatch(rangeText, v)); return nil }
            guard let i = n.int64, let x = Int(exactly: i) else { d.error(p, at: v, "expected \(rangeText), got \(n.text)"); return nil }
            if x < min || x > max { d.error(p, at: v, "expected \(rangeText), got \(n.text)"); return nil }
            return x
        }
    }
}

extension ValueDecoder where T == UInt64 {
    /// A non-negative integer up to 18446744073709551615, exact.
    public static var uint64: ValueDecoder<UInt64> {
        let what = "a non-negative integer (0 to 18446744073709551615)"
        return ValueDecoder { v, p, d in
            guard let n = v.numberValue else { d.error(p, at: v, typeMismatch(what, v)); return nil }
            guard let x = n.uint64 else { d.error(p, at: v, "expected \(what), got \(n.text)"); return nil }
            return x
        }
    }
}

/// The largest plain number (in size) a scenario key takes: 1e15. Beyond it Mesos' fixed-point
/// scalars (llround(x * 1000) in a 64-bit integer, apache/mesos src/common/values.cpp) and our
/// Int64 conversions are out of range; every key with a natural bound says less.
public let maxScenarioNumber = 1e15

extension ValueDecoder where T == Double {
    /// A finite number; `greaterThan` / `atLeast` bound it from below.
    public static func number(greaterThan: Double? = nil, atLeast: Double? = nil, atMost: Double? = nil) -> ValueDecoder<Double> {
        var parts: [String] = []
        if let g = greaterThan { parts.append("> \(NumberFormat.decimal(g))") }
        if let a = atLeast { parts.append(">= \(NumberFormat.decimal(a))") }
        if let m = atMost { parts.append("<= \(NumberFormat.decimal(m))") }
        let what = "a number" + (parts.isEmpty ? "" : " " + parts.joined(separator: " and "))
        return ValueDecoder { v, p, d in
            guard let n = v.numberValue else { d.error(p, at: v, typeMismatch(what, v)); return nil }
            let x = n.double
            if let g = greaterThan, !(x > g) { d.error(p, at: v, "expected \(what), got \(n.text)"); return nil }
            if let a = atLeast, !(x >= a) { d.error(p, at: v, "expected \(what), got \(n.text)"); return nil }
            if let m = atMost, !(x <= m) { d.error(p, at: v, "expected \(what), got \(n.text)"); return nil }
            guard x.isFinite, Swift.abs(x) <= maxScenarioNumber else {
                d.error(p, at: v, "expected \(what), got \(n.text), which is out of range: a number is at most 1e15 in size"); return nil
            }
            return x
        }
    }
}

/// Lower bounds for durations, sizes and rates.
public enum ValueBound: Sendable {
    case any, nonNegative, positive
}

extension ValueDecoder where T == SimDuration {
    /// A Go duration string or a number of seconds. `.nonNegative` by default.
    public static func duration(_ bound: ValueBound = .nonNegative) -> ValueDecoder<SimDuration> {
        ValueDecoder { v, p, d in
            switch ScenarioUnits.duration(v) {
            case .failure(let e): d.error(p, at: v, e.message); return nil
            case .success(let x):
                if bound == .nonNegative && x < .zero { d.error(p, at: v, "\(v.brief) is negative; the duration must be >= 0"); return nil }
                if bound == .positive && x <= .zero { d.error(p, at: v, "the duration must be greater than 0, got \(v.brief)"); return nil }
                return x
            }
        }
    }
}

extension ValueDecoder where T == Int64 {
    /// Bytes: "100GB", "2GiB", a number of bytes. Never negative; `.positive` also refuses 0.
    public static func size(_ bound: ValueBound = .positive) -> ValueDecoder<Int64> {
        ValueDecoder { v, p, d in
            switch ScenarioUnits.size(v) {
            case .failure(let e): d.error(p, at: v, e.message); return nil
            case .success(let x):
                if bound == .positive && x == 0 { d.error(p, at: v, "the size must be greater than 0, got \(v.brief)"); return nil }
                return x
            }
        }
    }

    /// Bits per second: "10Gbit", "250MB/s", a number of bits per second. Never negative.
    public static func rate(_ bound: ValueBound = .positive) -> ValueDecoder<Int64> {
        ValueDecoder { v, p, d in
            switch ScenarioUnits.rate(v) {
            case .failure(let e): d.error(p, at: v, e.message); return nil
            case .success(let x):
                if bound == .positive && x == 0 { d.error(p, at: v, "the rate must be greater than 0, got \(v.brief)"); return nil }
                return x
            }
        }
    }
}

extension ValueDecoder {
    /// An array whose elements are read with `element`. Nil when the value is not an array or any
    /// element is wrong (all elements are checked).
    public static func array<E>(of element: ValueDecoder<E>, nonEmpty: Bool = false) -> ValueDecoder<[E]> where T == [E] {
        ValueDecoder<[E]> { v, p, d in
            guard let a = v.arrayValue else { d.error(p, at: v, typeMismatch("an array", v)); return nil }
            if nonEmpty && a.isEmpty { d.error(p, at: v, "must not be empty"); return nil }
            var out: [E] = []
            var ok = true
            for (i, e) in a.enumerated() {
                if let x = element.decode(e, JSONPath.index(p, i), d) { out.append(x) } else { ok = false }
            }
            return ok ? out : nil
        }
    }

    /// An object read with `body`, which gets an `ObjectReader`; `finish()` is called afterwards.
    public static func object(_ body: @escaping (ObjectReader) -> T?) -> ValueDecoder<T> {
        ValueDecoder { v, p, d in
            let r = ObjectReader(v, path: p, diagnostics: d)
            guard r.isObject else { return nil }
            let before = d.errorCount
            let x = body(r)
            r.finish()
            return d.errorCount == before ? x : nil
        }
    }
}

/// Reads the keys of one JSON object. Ask for each key you know with `required`, `optional`,
/// `value` or `has`; then call `finish()`, which reports every key nobody read as unknown, with
/// a "did you mean" among the keys that were asked about.
public final class ObjectReader {
    public let path: String
    public let value: JSONValue
    public let diagnostics: Diagnostics
    /// False when the value was not an object (an error has been recorded; every lookup then
    /// returns nil and records nothing more).
    public let isObject: Bool
    /// When true, `"key": null` counts as absent (for real formats such as Marathon's REST JSON).
    public var nullMeansAbsent: Bool

    public private(set) var members: [JSONMember]
    private var consumed: [Bool]
    private var known: [String] = []
    private var finished = false
    /// The section's declared keys (docs/scenarios.md and the section docs are generated from the
    /// same declaration). When given, the known keys for unknown-key errors and did-you-mean are
    /// exactly the declared ones (listed in the order they were asked for, then the declared keys
    /// this object did not ask about), and asking for an undeclared key is a programming error.
    public let keys: SectionKeys?

    public init(_ value: JSONValue, path: String, diagnostics: Diagnostics, nullMeansAbsent: Bool = false, keys: SectionKeys? = nil) {
        self.path = path; self.value = value; self.diagnostics = diagnostics; self.nullMeansAbsent = nullMeansAbsent
        self.keys = keys
        if let m = value.objectMembers {
            members = m; isObject = true
        } else {
            members = []; isObject = false
            diagnostics.error(path, at: value, typeMismatch("an object", value))
        }
        consumed = [Bool](repeating: false, count: members.count)
    }

    /// The JSON path of `key` in this object.
    public func keyPath(_ key: String) -> String { JSONPath.key(path, key) }

    private func index(_ key: String) -> Int? {
        if let keys, !keys.declares(key) {
            assertionFailure("ObjectReader at \(path.isEmpty ? "(top level)" : path): key \(JSONValue.quote(key)) is not declared in section \(keys.section)")
        }
        if !known.contains(key) { known.append(key) }
        guard let i = members.firstIndex(where: { $0.key == key }) else { return nil }
        if nullMeansAbsent && members[i].value.isNull { consumed[i] = true; return nil }
        return i
    }

    /// Whether the key is present (does not consume it; a key only checked with `has` is still
    /// reported as unknown by `finish()` unless it is read or rejected).
    public func has(_ key: String) -> Bool { index(key) != nil }

    /// The raw member, consumed.
    public func member(_ key: String) -> JSONMember? {
        guard let i = index(key) else { return nil }
        consumed[i] = true
        return members[i]
    }

    /// The raw value, consumed.
    public func value(_ key: String) -> JSONValue? { member(key)?.value }

    /// Declares keys as known without reading them (they count for "did you mean" only).
    public func declare(_ keys: String...) {
        for k in keys where !known.contains(k) {
            if let declared = self.keys, !declared.declares(k) {
                assertionFailure("ObjectReader at \(path): key \(JSONValue.quote(k)) is not declared in section \(declared.section)")
            }
            known.append(k)
        }
    }

    /// The value of a key that must be present. `hint` says what is expected ("a Go duration like \"2h\"").
    public func required<T>(_ key: String, _ decoder: ValueDecoder<T>, hint: String? = nil) -> T? {
        guard isObject else { return nil }
        guard let v = value(key) else {
            diagnostics.error(keyPath(key), at: value, "missing required key \(JSONValue.quote(key))" + (hint.map { " (\($0))" } ?? ""))
            return nil
        }
        return decoder.decode(v, keyPath(key), diagnostics)
    }

    /// The value of an optional key: nil when absent or wrong (then an error is recorded).
    public func optional<T>(_ key: String, _ decoder: ValueDecoder<T>) -> T? {
        guard isObject, let v = value(key) else { return nil }
        return decoder.decode(v, keyPath(key), diagnostics)
    }

    /// The value of an optional key, `defaultValue` when absent, nil when wrong.
    public func optional<T>(_ key: String, _ decoder: ValueDecoder<T>, default defaultValue: T) -> T? {
        guard isObject else { return nil }
        guard let v = value(key) else { return defaultValue }
        return decoder.decode(v, keyPath(key), diagnostics)
    }

    /// Reports a present key as not allowed here (`message` says why and what is allowed),
    /// and consumes it. Returns true when the key was present.
    @discardableResult
    public func reject(_ key: String, _ message: String) -> Bool {
        guard let m = member(key) else { return false }
        diagnostics.error(keyPath(key), location: m.keyLocation ?? m.value.location, message)
        return true
    }

    /// Consumes every key nobody read and returns it with the closest key that was asked about
    /// (for real formats whose system ignores unknown fields: the caller warns instead of
    /// `finish()` reporting them as errors).
    public func takeUnread() -> [(member: JSONMember, suggestion: String?)] {
        guard isObject, !finished else { return [] }
        addDeclaredKeys()
        var out: [(member: JSONMember, suggestion: String?)] = []
        for (i, m) in members.enumerated() where !consumed[i] {
            consumed[i] = true
            out.append((m, Suggest.closest(m.key, among: known)))
        }
        return out
    }

    private func addDeclaredKeys() {
        guard let keys else { return }
        for k in keys.names where !known.contains(k) { known.append(k) }
    }

    /// Reports every key that was not consumed as unknown. Called once, after all lookups.
    public func finish() {
        guard isObject, !finished else { return }
        finished = true
        addDeclaredKeys()
        for (i, m) in members.enumerated() where !consumed[i] {
            let suggestion = Suggest.closest(m.key, among: known)
            var msg = "unknown key \(JSONValue.quote(m.key))"
            if let s = suggestion {
                msg += "; did you mean \(JSONValue.quote(s))?"
            } else if !known.isEmpty {
                msg += "; allowed keys here: " + known.joined(separator: ", ")
            }
            diagnostics.error(keyPath(m.key), location: m.keyLocation ?? m.value.location, msg)
        }
    }
}

extension ObjectReader {
    /// `reject(_:_:)` for a key that is deliberately not declared (an old name with a pointed
    /// message, like Mesos' `slave_*` flags): consumes it and reports `message`, as `reject` does
    /// for a reader without declared keys (the key also counts for did-you-mean, as there).
    public func rejectUndeclared(_ key: String, _ message: String) -> Bool {
        guard let i = members.firstIndex(where: { $0.key == key }) else { return false }
        if !known.contains(key) { known.append(key) }
        if nullMeansAbsent && members[i].value.isNull { consumed[i] = true; return false }
        consumed[i] = true
        diagnostics.error(keyPath(key), location: members[i].keyLocation ?? members[i].value.location, message)
        return true
    }
}

extension ValueDecoder {
    /// `object(_:)` for a section with declared keys: the reader knows exactly `keys`.
    public static func object(keys: SectionKeys, _ body: @escaping (ObjectReader) -> T?) -> ValueDecoder<T> {
        ValueDecoder { v, p, d in
            let r = ObjectReader(v, path: p, diagnostics: d, keys: keys)
            guard r.isObject else { return nil }
            let before = d.errorCount
            let x = body(r)
            r.finish()
            return d.errorCount == before ? x : nil
        }
    }
}
