// Errors and warnings about a scenario: every one names a JSON path, the file and line when known,
// what is wrong and what is allowed.

/// One problem in a scenario.
public struct ScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    /// JSON path of the offending value or key (`hostGroups[2].cpus`); empty for the document itself
    /// (syntax errors, an unreadable file).
    public var path: String
    /// File name as shown to the user (relative to where the tool was started when possible);
    /// "--set PATH=VALUE" for values that came from an override; nil when unknown.
    public var file: String?
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(path: String, file: String? = nil, line: Int? = nil, column: Int? = nil, message: String) {
        self.path = path; self.file = file; self.line = line; self.column = column; self.message = message
    }

    public init(path: String, at location: SourceLocation?, message: String) {
        self.init(path: path, file: location?.file, line: location?.line, column: location?.column, message: message)
    }

    /// `scenarios/x.json:12:5: hostGroups[0].cont: unknown key "cont"; did you mean "count"?`
    /// (parts that are unknown or empty are left out).
    public var description: String {
        var s = SourceLocation(file: file, line: line, column: column).description
        if !s.isEmpty { s += ": " }
        if !path.isEmpty { s += path + ": " }
        return s + message
    }

    /// Sort key: file, then line, then path (then column and message, so the order is total).
    static func precedes(_ a: ScenarioError, _ b: ScenarioError) -> Bool {
        if (a.file ?? "") != (b.file ?? "") { return (a.file ?? "") < (b.file ?? "") }
        if (a.line ?? 0) != (b.line ?? 0) { return (a.line ?? 0) < (b.line ?? 0) }
        if (a.column ?? 0) != (b.column ?? 0) { return (a.column ?? 0) < (b.column ?? 0) }
        if a.path != b.path { return a.path < b.path }
        return a.message < b.message
    }
}

/// Every problem found in one scenario, sorted by file, line, column and path (reading order).
public struct ScenarioErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ScenarioError]

    public init(_ errors: [ScenarioError]) {
        // Stable sort on a total order: the same input gives the same text in every process.
        self.errors = errors.enumerated().sorted { x, y in
            if ScenarioError.precedes(x.element, y.element) { return true }
            if ScenarioError.precedes(y.element, x.element) { return false }
            return x.offset < y.offset
        }.map(\.element)
    }

    public init(errors: [ScenarioError]) { self.init(errors) }

    /// One error per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Collects errors and warnings while a scenario is decoded. A class so that readers and decoders
/// can share one without `inout` plumbing; decoding is single-threaded.
public final class Diagnostics {
    public private(set) var errors: [ScenarioError] = []
    public private(set) var warnings: [ScenarioError] = []

    public init() {}

    public var errorCount: Int { errors.count }
    public var hasErrors: Bool { !errors.isEmpty }

    /// Records an error about the value at `path`, located at `value` (its file/line) when given.
    public func error(_ path: String, at value: JSONValue?, _ message: String) {
        errors.append(ScenarioError(path: path, at: value?.location, message: message))
    }

    public func error(_ path: String, location: SourceLocation?, _ message: String) {
        errors.append(ScenarioError(path: path, at: location, message: message))
    }

    public func append(_ e: ScenarioError) { errors.append(e) }
    public func append(contentsOf es: [ScenarioError]) { errors.append(contentsOf: es) }

    public func warning(_ path: String, at value: JSONValue?, _ message: String) {
        warnings.append(ScenarioError(path: path, at: value?.location, message: message))
    }
}

// MARK: - JSON paths

/// Building JSON paths for messages: `hostGroups[2].cpus`. Keys that are not plain identifiers
/// are written `["odd key"]`.
public enum JSONPath {
    public static func key(_ base: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.unicodeScalars.allSatisfy { u in
            (u.value >= 0x30 && u.value <= 0x39) || (u.value >= 0x41 && u.value <= 0x5A)
                || (u.value >= 0x61 && u.value <= 0x7A) || u == "_" || u == "$" || u == "-"
        }
        if plain { return base.isEmpty ? key : base + "." + key }
        return base + "[" + JSONValue.quote(key) + "]"
    }

    public static func index(_ base: String, _ i: Int) -> String { base + "[" + String(i) + "]" }

    /// "(top level)" for the empty path, for use inside sentences.
    public static func display(_ path: String) -> String { path.isEmpty ? "(top level)" : path }
}

// MARK: - Did you mean

enum Suggest {
    /// Levenshtein distance over Unicode scalars, case-insensitive.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased().unicodeScalars), y = Array(b.lowercased().unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev = Array(0...y.count)
        var cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[y.count]
    }

    /// The closest candidate when it is close enough (a third of the longer word's length, at
    /// least 1, at most 3 edits); ties go to the earlier candidate.
    static func closest(_ word: String, among candidates: [String]) -> String? {
        var best: (String, Int)? = nil
        for c in candidates {
            let d = distance(word, c)
            let limit = max(1, min(3, max(word.count, c.count) / 3))
            guard d <= limit else { continue }
            if best == nil || d < best!.1 { best = (c, d) }
        }
        return best?.0
    }

    /// `; did you mean "count"?` or "".
    static func didYouMean(_ word: String, among candidates: [String]) -> String {
        guard let c = closest(word, among: candidates) else { return "" }
        return "; did you mean \(JSONValue.quote(c))?"
    }

    /// `"a", "b" or "c"`.
    static func list(_ items: [String]) -> String {
        let q = items.map { JSONValue.quote($0) }
        if q.count <= 1 { return q.joined() }
        return q.dropLast().joined(separator: ", ") + " or " + q.last!
    }
}
