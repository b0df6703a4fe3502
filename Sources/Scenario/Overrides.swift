// `--set PATH=VALUE` overrides, applied after includes and before decoding.
//
// PATH is keys joined by dots with [index] for array elements: `hostGroups[0].count`,
// `faults[1].at`, `datacenters[0].racks[2]`; a key that is not a plain word may be written
// `["odd.key"]`. VALUE is parsed as JSON; when it is not valid JSON it is taken as a string, so
// `duration=2h` and `name=peak-test` work without quotes.

enum OverridePathComponent: Equatable {
    case key(String)
    case index(Int)
}

enum Overrides {
    /// The most components (keys and [index]es) a PATH may have. A value set at the end of a path
    /// stands that many levels deep, and the whole scenario may nest only `JSONParser.maxDepth`
    /// levels, so a longer path could only be refused later; this also bounds the recursion
    /// that sets it.
    static let maxPathComponents = JSONParser.maxDepth

    /// Applies each override in order. Errors name the override and the path where it failed.
    static func apply(_ overrides: [String], to root: JSONValue, diagnostics d: Diagnostics) -> JSONValue {
        var root = root
        for arg in overrides {
            let origin = SourceLocation(file: "--set " + arg, line: nil, column: nil)
            guard let eq = arg.firstIndex(of: "=") else {
                d.error("", location: origin, "expected PATH=VALUE, like hostGroups[0].count=40 or duration=2h")
                continue
            }
            let pathText = String(arg[..<eq])
            let valueText = String(arg[arg.index(after: eq)...])
            let components: [OverridePathComponent]
            switch parsePath(pathText) {
            case .failure(let e):
                d.error(pathText, location: origin, e.message)
                continue
            case .success(let c): components = c
            }
            // The value stands `components.count` levels deep in the scenario.
            let parsed = JSONParser.parse(valueText, file: nil, startDepth: components.count)
            if let e = parsed.errors.first(where: \.isNestingLimit) {
                d.error(pathText, location: origin, "the value nests deeper than the scenario allows: it stands at level \(components.count) (the length of the path), so it may nest \(JSONParser.maxDepth - components.count) more levels (JSON nesting limit \(JSONParser.maxDepth) for the whole scenario; found at column \(e.column) of the value)")
                continue
            }
            let newValue: JSONValue
            if let v = parsed.value, parsed.errors.isEmpty {
                newValue = relocate(v, origin)
            } else {
                newValue = JSONValue(.string(valueText), location: origin)
            }
            if let message = set(&root, components[...], to: newValue, path: "", origin: origin) {
                d.error(message.path, location: origin, message.message)
            }
        }
        return root
    }

    /// Gives every value of an override the override as its location.
    static func relocate(_ v: JSONValue, _ loc: SourceLocation) -> JSONValue {
        switch v.kind {
        case .array(let a): return JSONValue(.array(a.map { relocate($0, loc) }), location: loc)
        case .object(let m):
            return JSONValue(.object(m.map { JSONMember(key: $0.key, keyLocation: loc, value: relocate($0.value, loc)) }), location: loc)
        default: return JSONValue(v.kind, location: loc)
        }
    }

    static func parsePath(_ text: String) -> Result<[OverridePathComponent], UnitError> {
        let s = Array(text.unicodeScalars)
        var out: [OverridePathComponent] = []
        var i = 0
        var expectKey = true   // at the start or after a '.'
        if s.isEmpty { return .failure(UnitError("empty path; expected PATH=VALUE, like hostGroups[0].count=40")) }
        while i < s.count {
            if out.count > maxPathComponents {
                return .failure(UnitError("the path has more than \(maxPathComponents) components (keys and [index]es); a scenario nests at most \(JSONParser.maxDepth) levels, so no value can be deeper"))
            }
            if s[i] == "[" {
                i += 1
                if i < s.count, s[i] == "\"" {
                    var j = i + 1
                    while j < s.count, s[j] != "\"" { j += 1 }
                    guard j + 1 < s.count, s[j + 1] == "]" else { return .failure(UnitError("unterminated [\"key\"] in path \(text)")) }
                    out.append(.key(String(String.UnicodeScalarView(s[(i + 1)..<j]))))
                    i = j + 2
                } else {
                    var j = i
                    while j < s.count, s[j].value >= 0x30, s[j].value <= 0x39 { j += 1 }
                    guard j > i, j < s.count, s[j] == "]", let n = Int(String(String.UnicodeScalarView(s[i..<j]))) else {
                        return .failure(UnitError("bad index in path \(text): write [0], [1], ... (non-negative integers)"))
                    }
                    if out.isEmpty { return .failure(UnitError("path \(text) must start with a key: the scenario is an object")) }
                    out.append(.index(n))
                    i = j + 1
                }
                expectKey = false
                continue
            }
            if s[i] == "." {
                if expectKey { return .failure(UnitError("empty key in path \(text)")) }
                expectKey = true
                i += 1
                continue
            }
            if s[i] == "]" { return .failure(UnitError("unexpected ']' in path \(text)")) }
            if !expectKey { return .failure(UnitError("expected '.' or '[' after \(render(out)) in path \(text)")) }
            var j = i
            while j < s.count, s[j] != ".", s[j] != "[", s[j] != "]" { j += 1 }
            out.append(.key(String(String.UnicodeScalarView(s[i..<j]))))
            i = j
            expectKey = false
        }
        if expectKey { return .failure(UnitError("path \(text) ends with '.'")) }
        if out.count > maxPathComponents {
            return .failure(UnitError("the path has more than \(maxPathComponents) components (keys and [index]es); a scenario nests at most \(JSONParser.maxDepth) levels, so no value can be deeper"))
        }
        return .success(out)
    }

    static func render(_ c: [OverridePathComponent]) -> String {
        var p = ""
        for x in c {
            switch x {
            case .key(let k): p = JSONPath.key(p, k)
            case .index(let i): p = JSONPath.index(p, i)
            }
        }
        return p
    }

    struct Failure { var path: String; var message: String }

    /// Sets `components` inside `value` to `newValue`. Returns the failure, if any.
    static func set(_ value: inout JSONValue, _ components: ArraySlice<OverridePathComponent>, to newValue: JSONValue,
                    path: String, origin: SourceLocation) -> Failure? {
        guard let first = components.first else { value = newValue; return nil }
        let rest = components.dropFirst()
        switch first {
        case .key(let k):
            let p = JSONPath.key(path, k)
            guard case .object(var members) = value.kind else {
                return Failure(path: JSONPath.display(path), message: "\(JSONPath.display(path)) is \(article(value.typeName)), not an object, so it has no key \(JSONValue.quote(k))")
            }
            if let i = members.firstIndex(where: { $0.key == k }) {
                if let f = set(&members[i].value, rest, to: newValue, path: p, origin: origin) { return f }
            } else if rest.isEmpty {
                members.append(JSONMember(key: k, keyLocation: origin, value: newValue))
            } else if case .key = rest.first! {
                var fresh = JSONValue(.object([]), location: origin)
                if let f = set(&fresh, rest, to: newValue, path: p, origin: origin) { return f }
                members.append(JSONMember(key: k, keyLocation: origin, value: fresh))
            } else {
                return Failure(path: p, message: "there is no key \(JSONValue.quote(k)) at \(JSONPath.display(path)), so it has no elements to index; set the whole array instead, like \(p)=[...]")
            }
            value.kind = .object(members)
            return nil
        case .index(let i):
            let p = JSONPath.index(path, i)
            guard case .array(var elements) = value.kind else {
                return Failure(path: path, message: "\(path) is \(article(value.typeName)), not an array, so it cannot be indexed with [\(i)]")
            }
            guard i < elements.count else {
                let range = elements.isEmpty ? "is empty" : "has \(elements.count) element\(elements.count == 1 ? "" : "s"), [0] to [\(elements.count - 1)]"
                return Failure(path: p, message: "index \(i) is out of range: \(path) \(range)")
            }
            if let f = set(&elements[i], rest, to: newValue, path: p, origin: origin) { return f }
            value.kind = .array(elements)
            return nil
        }
    }

    static func article(_ typeName: String) -> String {
        (typeName.first.map { "aeiou".contains($0) } ?? false) ? "an " + typeName : "a " + typeName
    }
}
