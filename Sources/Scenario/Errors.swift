import SimKernel

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

    /// Every error and warning goes through here, so long values are cut in all of them
    /// (`ErrorText.shorten`): a 1 MB string in a scenario gives a one-line message, not a 1 MB one.
    public init(path: String, file: String? = nil, line: Int? = nil, column: Int? = nil, message: String) {
        self.path = ErrorText.oneLine(ErrorText.shorten(path)); self.file = file.map { ErrorText.oneLine(ErrorText.shorten($0)) }
        self.line = line; self.column = column; self.message = ErrorText.oneLine(ErrorText.shorten(message))
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
    /// The whole scenario as it is decoded (after includes and overrides), so that an error can
    /// point at a value in another section (`site(_:)`). Set by the loader; nil when a section is
    /// decoded on its own (then such errors name the path without a position).
    public var document: JSONValue?
    /// The real folder of the top-level scenario file (set by the loader), from which files a
    /// section names by relative path are read (consul-template's `source`); nil: none can be read.
    public var baseDirectory: String?
    /// The real folder of the file an `$include` brought in, by the path of the value it stands
    /// for (`consulTemplate.config`): a template named beside consul-template's configuration.
    public var includedFileDirectories: [String: String] = [:]

    public init() {}

    public var errorCount: Int { errors.count }
    public var hasErrors: Bool { !errors.isEmpty }

    /// Records an error about the value at `path`, located at `value` (its file/line) when given.
    public func error(_ path: String, at value: JSONValue?, _ message: String) {
        errors.append(ScenarioError(path: path, at: value?.location ?? nearest(path), message: message))
    }

    public func error(_ path: String, location: SourceLocation?, _ message: String) {
        errors.append(ScenarioError(path: path, at: location ?? nearest(path), message: message))
    }

    /// Where an error without a value of its own is shown: the deepest value of the document on
    /// its path (a key the scenario leaves to its default sits in an object the scenario gives).
    /// nil without a document, or when the path's first component is not in it.
    func nearest(_ path: String) -> SourceLocation? {
        guard var v = document, !path.isEmpty else { return nil }
        var found: SourceLocation? = nil
        let c = Array(path.unicodeScalars)
        var i = 0
        func isPlain(_ u: Unicode.Scalar) -> Bool {
            (u.value >= 0x30 && u.value <= 0x39) || (u.value >= 0x41 && u.value <= 0x5A) || (u.value >= 0x61 && u.value <= 0x7A) || u == "_" || u == "$" || u == "-"
        }
        while i < c.count {
            var next: JSONValue? = nil
            if c[i] == "." { i += 1; continue }
            if c[i] == "[" {
                var j = i + 1
                if j < c.count, c[j] == "\"" {
                    // ["odd key"]: JSONValue.quote's string, ended by an unescaped quote
                    var key = String.UnicodeScalarView()
                    j += 1
                    while j < c.count, c[j] != "\"" { if c[j] == "\\" { j += 1 }; if j < c.count { key.append(c[j]) }; j += 1 }
                    guard j + 1 < c.count, c[j + 1] == "]" else { break }
                    next = v[String(key)]
                    i = j + 2
                } else {
                    var digits = ""
                    while j < c.count, c[j] != "]" { digits.unicodeScalars.append(c[j]); j += 1 }
                    guard j < c.count, let n = Int(digits), let a = v.arrayValue, n >= 0, n < a.count else { break }
                    next = a[n]
                    i = j + 1
                }
            } else {
                var key = String.UnicodeScalarView()
                while i < c.count, isPlain(c[i]) { key.append(c[i]); i += 1 }
                guard !key.isEmpty else { break }
                next = v[String(key)]
            }
            guard let n = next else { break }
            v = n
            if let l = n.location { found = l }
        }
        return found
    }

    public func append(_ e: ScenarioError) { errors.append(e) }
    public func append(contentsOf es: [ScenarioError]) { errors.append(contentsOf: es) }

    public func warning(_ path: String, at value: JSONValue?, _ message: String) {
        warnings.append(ScenarioError(path: path, at: value?.location, message: message))
    }

    public func warning(_ path: String, location: SourceLocation?, _ message: String) {
        warnings.append(ScenarioError(path: path, at: location, message: message))
    }

    /// An error about the value at `path` that conflicts with another value, where either may
    /// have come from a default rather than from the scenario:
    ///
    /// - `value` is the value at `path` when the scenario gives it; when it does not, pass the
    ///   default in `defaulted`, and the error is placed at the key that brought the default in
    ///   (the object that lacks the key), saying which default applied.
    /// - `conflictsWith` is the other value, named with its path and file:line:column.
    ///
    /// `network.kvStore` without `servers`, on a one-host group, gives
    /// `s.json:9:14: network.kvStore.servers: 3 servers but host group "master" has 1 host;
    /// network.kvStore.servers is not given, so its default 3 applied (set by network.kvStore at
    /// s.json:9:14); the host group's count is hostGroups[0].count = 1 (s.json:3:42)`.
    public func error(_ path: String, at value: JSONValue?, _ message: String,
                      defaulted: AppliedDefault?, conflictsWith other: ValueSite?) {
        var text = message
        var location = value?.location
        if value == nil, let def = defaulted {
            text += "; " + def.description
            location = def.setBy.location
        }
        if let o = other { text += "; " + o.description }
        errors.append(ScenarioError(path: path, at: location, message: text))
    }

    /// Where the value at `path` (written as in messages: `hostGroups[0].count`) is in `document`;
    /// nil when there is no document or no such value.
    public func site(_ path: String, role: String? = nil) -> ValueSite? {
        guard var v = document, case .success(let components) = Overrides.parsePath(path) else { return nil }
        for c in components {
            switch c {
            case .key(let k): guard let next = v[k] else { return nil }; v = next
            case .index(let i): guard let a = v.arrayValue, i < a.count else { return nil }; v = a[i]
            }
        }
        return ValueSite(path: path, value: v, role: role)
    }

    /// The site of `key` in the element of the array at `arrayPath` whose `name` is `name`
    /// (`hostGroups`, "master", "count" -> `hostGroups[0].count`).
    public func site(in arrayPath: String, named name: String, key: String, role: String? = nil) -> ValueSite? {
        guard let a = site(arrayPath)?.value?.arrayValue,
              let i = a.firstIndex(where: { $0["name"]?.stringValue == name }) else { return nil }
        return site(JSONPath.key(JSONPath.index(arrayPath, i), key), role: role)
    }
}

/// A value somewhere in the scenario, named in a message about another one:
/// `the host group's count is hostGroups[0].count = 1 (s.json:3:42)`.
public struct ValueSite: Sendable, CustomStringConvertible {
    public var path: String
    /// The value; nil when the key is absent (then `location` is where it would go).
    public var value: JSONValue?
    public var location: SourceLocation?
    /// What the value is to the reader ("the host group's count"), or nil.
    public var role: String?

    public init(path: String, value: JSONValue?, location: SourceLocation? = nil, role: String? = nil) {
        self.path = path; self.value = value; self.location = location ?? value?.location; self.role = role
    }

    public var description: String {
        var s = role.map { $0 + " is " } ?? ""
        s += path
        if let v = value { s += " = " + v.brief }
        let at = location?.description ?? ""
        return at.isEmpty ? s : s + " (" + at + ")"
    }
}

/// A default that applied because the scenario left a key out.
public struct AppliedDefault: Sendable, CustomStringConvertible {
    /// Path of the key that was left out (`network.kvStore.servers`) and the value it took.
    public var key: String
    public var value: String
    /// The key that brought the default in: the object without `key` (`network.kvStore`), or the
    /// section that implies a whole default section (`marathon` implies `mesos`).
    public var setBy: ValueSite
    /// Why that key brings the default in, or where the default comes from; nil when obvious.
    public var note: String?

    public init(key: String, value: String, setBy: ValueSite, note: String? = nil) {
        self.key = key; self.value = value; self.setBy = setBy; self.note = note
    }

    /// `network.kvStore.servers is not given, so its default 3 applied (set by network.kvStore at s.json:9:14)`.
    public var description: String {
        var s = "\(key) is not given, so its default \(value) applied (set by \(JSONPath.display(setBy.path))"
        if let at = setBy.location?.description, !at.isEmpty { s += " at " + at }
        if let n = note { s += ", " + n }
        return s + ")"
    }
}

// MARK: - Long values in messages

/// Cutting long values out of messages. Applied to every `ScenarioError` and `JSONSyntaxError`,
/// so no message needs to take care of it itself.
public enum ErrorText {
    /// A quoted string longer than this (Unicode characters of its value) is cut: long enough for
    /// any name, id, path or command line a message needs to show whole.
    public static let maxQuotedCharacters = 100
    /// How many characters of a cut string are kept.
    public static let keptQuotedCharacters = 60
    /// Any other run of characters without a space (a bare word, a JSON path with long keys, a
    /// number literal) longer than this is cut; longer than any real JSON path or file path
    /// a message shows.
    public static let maxWordCharacters = 300
    public static let keptWordCharacters = 120

    /// `"aaaa…" (1048576 characters)` for every quoted string longer than `maxQuotedCharacters`,
    /// `aaaa… (5000 characters)` for every other space-free run longer than `maxWordCharacters`.
    /// A message is one line: a line break inside a value it quotes (a flag file's content, a
    /// mutated string) is shown escaped, `\n`, so every printed line still starts with its place.
    public static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { "\n\r\u{0B}\u{0C}\u{85}\u{2028}\u{2029}".unicodeScalars.contains($0) }) else { return text }
        var out = String.UnicodeScalarView()
        for c in text.unicodeScalars {
            switch c {
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            case "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}":
                out.append(contentsOf: "\\u{\(String(c.value, radix: 16, uppercase: true))}".unicodeScalars)
            default: out.append(c)
            }
        }
        return String(out)
    }

    public static func shorten(_ text: String) -> String {
        if text.utf8.count <= maxQuotedCharacters + 2 { return text }   // nothing in it can be too long
        return cutWords(cutQuoted(text))
    }

    static func cutQuoted(_ text: String) -> String {
        let c = Array(text)
        var out = ""
        var copied = 0   // c[copied..<i] not yet in out
        var i = 0
        while i < c.count {
            guard c[i] == "\"" else { i += 1; continue }
            // A string literal in a message starts a word or follows an opening bracket or a
            // separator; any other quote is a quoted quote character ('"'), not an opening one.
            if i > 0, !c[i - 1].isWhitespace, !"([{:,=".contains(c[i - 1]) { i += 1; continue }
            var j = i + 1
            while j < c.count, c[j] != "\"" { j += c[j] == "\\" ? 2 : 1 }
            guard j < c.count else { break }   // no closing quote: not a string literal
            if j - i - 1 > maxQuotedCharacters {
                // Long: cut it if it really is a string literal; otherwise the quote was a stray
                // one (a message quoting a '"') and the next quote may open a real literal.
                guard let v = try? JSONParser.parseValue(String(c[i...j])), let s = v.stringValue else { i += 1; continue }
                if s.count > maxQuotedCharacters {
                    out += String(c[copied..<i])
                    out += JSONText.quote(String(s.prefix(keptQuotedCharacters)) + "…") + " (\(s.count) characters)"
                    copied = j + 1
                }
            }
            i = j + 1
        }
        if copied == 0 { return text }
        out += String(c[copied...])
        return out
    }

    static func cutWords(_ text: String) -> String {
        let c = Array(text)
        var out = ""
        var copied = 0
        var i = 0
        while i < c.count {
            if c[i].isWhitespace { i += 1; continue }
            var j = i
            while j < c.count, !c[j].isWhitespace { j += 1 }
            if j - i > maxWordCharacters {
                out += String(c[copied..<i]) + String(c[i..<(i + keptWordCharacters)]) + "… (\(j - i) characters)"
                copied = j
            }
            i = j
        }
        if copied == 0 { return text }
        out += String(c[copied...])
        return out
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

    /// The Levenshtein distance of two lower-cased scalar arrays when it is at most `limit`, else
    /// nil: only the band of width 2·limit+1 around the diagonal is computed, and a row whose
    /// every cell is over the limit ends it (Ukkonen's cut-off), so a comparison costs
    /// O(length × limit) instead of O(length²).
    static func boundedDistance(_ x: [Unicode.Scalar], _ y: [Unicode.Scalar], limit k: Int) -> Int? {
        let n = x.count, m = y.count
        if Swift.abs(n - m) > k { return nil }
        if n == 0 || m == 0 { return max(n, m) }
        let over = k + 1
        var prev = [Int](repeating: over, count: m + 2), cur = prev
        for j in 0...min(m, k) { prev[j] = j }
        for i in 1...n {
            let lo = max(1, i - k), hi = min(m, i + k)
            cur[lo - 1] = lo == 1 ? min(i, over) : over
            var rowMin = cur[lo - 1]
            for j in lo...hi {
                let c = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
                cur[j] = min(c, over)
                rowMin = min(rowMin, cur[j])
            }
            cur[hi + 1] = over
            if rowMin > k { return nil }
            swap(&prev, &cur)
        }
        return prev[m] <= k ? prev[m] : nil
    }

    /// What suggestions may still cost while one scenario is read (`ScenarioLoader`,
    /// `ExperimentFile.load` bind one): a file with a hundred thousand unknown names among a
    /// hundred thousand candidates would otherwise compare 10¹⁰ pairs. Counted in band cells;
    /// once spent, messages carry no "did you mean" (the error itself is unchanged). The count
    /// follows the order errors are found in, which is fixed, so the messages are the same on
    /// every run.
    final class Budget: @unchecked Sendable {
        var cells: Int
        init(cells: Int = Budget.perScenario) { self.cells = cells }
        /// About 0.1 s of comparisons in a release build.
        static let perScenario = 30_000_000
    }
    @TaskLocal static var budget: Budget? = nil

    /// The closest candidate when it is close enough (a third of the longer word's length, at
    /// least 1, at most 3 edits); ties go to the earlier candidate.
    static func closest(_ word: String, among candidates: [String]) -> String? {
        var best: (String, Int)? = nil
        let w = Array(word.lowercased().unicodeScalars)
        let budget = Suggest.budget
        for c in candidates {
            // more than 3 characters apart in length is more than 3 edits: skip the comparison
            // (an unknown key of a million characters must not cost seconds)
            let lc = c.unicodeScalars.count
            if Swift.abs(w.count - lc) > 3 { continue }
            let limit = max(1, min(3, max(w.count, lc) / 3))
            if let b = budget {
                let cost = (min(w.count, lc) + 1) * (2 * limit + 1)
                guard b.cells >= cost else { return best?.0 }
                b.cells -= cost
            }
            guard let d = boundedDistance(w, Array(c.lowercased().unicodeScalars), limit: limit) else { continue }
            if best == nil || d < best!.1 { best = (c, d) }
        }
        return best?.0
    }

    /// `; did you mean "count"?` or "".
    static func didYouMean(_ word: String, among candidates: [String]) -> String {
        guard let c = closest(word, among: candidates) else { return "" }
        return "; did you mean \(JSONValue.quote(c))?"
    }

    /// A dependency cycle as `a -> b -> c -> a`; a long one keeps its first and last five
    /// members (`a -> ... -> f -> (990 more) -> u -> ... -> z -> a`), so a cycle through a
    /// hundred thousand apps is one readable line.
    static func cycle(_ members: [String]) -> String {
        guard let first = members.first else { return "" }
        let shown = members.count <= 12 ? members
            : Array(members.prefix(5)) + ["(\(members.count - 10) more)"] + Array(members.suffix(5))
        return (shown + [first]).joined(separator: " -> ")
    }

    /// `"a", "b", "c"`: the user's own names (apps, host groups, racks ...) in a message, at most
    /// twelve, then how many there are (`, ... (100000 in all)`): a scenario of a hundred thousand
    /// host groups with a hundred thousand misspelt references must not print each list whole.
    static func listed(_ names: [String], limit: Int = 12) -> String {
        let shown = names.prefix(limit).map { JSONValue.quote($0) }.joined(separator: ", ")
        return names.count > limit ? shown + ", ... (\(names.count) in all)" : shown
    }

    /// `"a", "b" or "c"`.
    static func list(_ items: [String]) -> String {
        let q = items.map { JSONValue.quote($0) }
        if q.count <= 1 { return q.joined() }
        return q.dropLast().joined(separator: ", ") + " or " + q.last!
    }
}

/// What a file in a real tool's YAML format that does not parse as JSON is told: how to convert it.
public enum YAMLFiles {
    /// "<kind> is read as JSON here ...": the hint after the parser's own message.
    public static func hint(_ kind: String) -> String {
        "\(kind) is read as JSON here, the subset of YAML the real tool reads too: convert a YAML file with "
            + "scripts/yaml-to-json.py FILE > FILE.json (python3-yaml)"
    }

    /// The hint for an included file whose name says it is YAML or HCL (nil for any other name).
    public static func formatHint(fileName: String) -> String? {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".yml") || lower.hasSuffix(".yaml") { return hint("an included YAML file") }
        if lower.hasSuffix(".hcl") {
            return "an included file is read as JSON here; a file named .hcl (lower case, as Consul picks the format) is read as HCL where "
                + "Consul or consul-template read it: " + HCLFiles.sites
        }
        return nil
    }
}
