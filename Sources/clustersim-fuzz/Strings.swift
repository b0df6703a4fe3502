import Foundation
import Scenario

// Text-level mutations: the tree mutations of Mutator.swift replace whole leaves, so the text
// inside a string never changed, and the files a scenario names by path (consul-template
// `.ctmpl` templates, Prometheus configurations, rule and target files, Alertmanager
// configurations, Chronos job files) were never touched at all. Yet much of what a scenario says
// is parsed by hand from text: PromQL expressions, Go templates, regular expressions, ISO 8601
// schedules, durations and sizes, Marathon commands, label names, `--set` paths. Two input
// families here, eight operations each, seeded like the rest:
//
//   string-OP  one string of the scenario's tree (a value, or now and then a key) changed as text
//   file-OP    one file the scenario reads (or the scenario's own JSON text) changed as text,
//              or, for a JSON file half of the time, one string inside it as string-OP does;
//              written with the rest of the files it reads into a scratch folder
//
// OP: truncate (cut at a random point), span (delete, insert or duplicate a span), hostile (parser
// metacharacters and odd Unicode: NUL, tabs, newlines, multi-byte and combining characters,
// U+FFFF), repeat (a substring or a nesting token repeated to 10-100 kB: `((((`, `{{if}}` chains,
// `a*a*`), swap (two tokens), case (upper, lower, flipped), number (a number inside the text made
// extreme, its unit kept: "1e309m", "-0s", "9999999999999999999GiB", "0x10", "1_000"), escape (raw
// JSON escapes written into the JSON text: lone surrogates `\uD800`, `\u0000`, `\uFFFF`, bad
// escapes, raw control characters).

enum TextMutator {
    static let ops = ["truncate", "span", "hostile", "repeat", "swap", "case", "number", "escape"]
    static let stringKinds = ops.map { "string-" + $0 }
    static let fileKinds = ops.map { "file-" + $0 }

    typealias Text = [Unicode.Scalar]

    static let hostileTokens: [String] = [
        "(", ")", "[", "]", "{", "}", "{{", "}}", "\"", "'", "\\", "|", "*", "+", "?", "$", "^", ".", ",", ":", ";", "=",
        "~", "!", "@", "#", "%", "&", "<", ">", "/", "-", "`", "\u{0}", "\t", "\n", "\r", "\r\n", " ", "\u{0B}",
        "é", "日本", "😀", "e\u{301}", "\u{301}", "\u{FFFF}", "\u{FFFE}", "\u{FEFF}", "\u{200B}", "\u{2028}", "\u{10FFFF}",
        "\u{7F}", "\u{85}", "ﬃ", "İ", "ß",
        // tokens of the languages inside the strings
        "{{end}}", "{{if}}", "{{ . }}", "{{-", "-}}", "{{/*", "*/}}", "{{else}}", "{{range}}", "{{$x := 1}}", "{{ $ }}",
        "=~", "!~", "!=", "[5m]", "[5m:1m]", "offset", "@", "by (", "without ()", "bool", "or", "unless", "and on()",
        "(?", "(?i)", "(?P<n>", "\\d", "\\p{", "\\Q", "\\E", "{1000}", "{1001}", "{0,}", "[^", "[[:alpha:]]", "\\1",
        "R", "R-1", "P", "PT", "T", "Z", "/", "//", "--", "-x", "$(", "${", "%{", "\\$", "0/0", "...", "..", "./",
    ]
    static let repeatUnits: [(open: String, close: String)] = [
        ("(", ")"), ("((", "))"), ("[", "]"), ("{", "}"), ("{{", "}}"), ("{{if .}}", "{{end}}"), ("{{ if true }}", "{{ end }}"),
        ("{{range .}}", "{{end}}"), ("{{with $}}", "{{end}}"), ("{{template \"a\" .}}", ""), ("(?:", ")"), ("(a|", ")"),
        ("sum(", ")"), ("rate(", "[5m])"), ("-", ""), ("!", ""), ("a*", ""), ("a*a*", ""), ("(a|a)*", ""), (".*", ""),
        ("\\", ""), ("\"", ""), ("{a=\"b\",", "}"), ("{{/*", "*/}}"), ("1h", ""), ("R", ""), (",", ""), ("$", ""),
        ("x", ""), (" ", ""), ("é", ""), ("\u{301}", ""), ("{{\"", "\"}}"), ("((a))", ""), ("[[", "]]"),
    ]
    static let extremeNumbers = ["1e309", "-0", "9999999999999999999", "0x10", "1_000", "1e-400", "NaN", "Inf", "-9223372036854775808",
                                 "9223372036854775808", "18446744073709551616", "00", "1.", ".5", "+1", "0.0000000001", "1e19",
                                 "\u{663}", "\u{FF11}", "4294967296", "2147483648", "-1", "0", "1e308", "0.5",
                                 String(repeating: "9", count: 400)]
    static let units = ["", "", "m", "s", "ms", "ns", "us", "h", "d", "w", "y", "GiB", "B", "bit", "Gbit", "MB/s", "%", "m5s"]
    static let rawEscapes = ["\\u0000", "\\uD800", "\\uDFFF", "\\uD800\\u0041", "\\uDBFF\\uDFFF", "\\uFFFF", "\\uFFFE", "\\u001F",
                             "\\u007F", "\\u0085", "\\u2028", "\\u000A", "\\t", "\\/", "\\u", "\\u12", "\\x41", "\\'", "\\U0001F600",
                             "\\uDC00\\uD800", "\u{1}", "\t", "\n", "\\", "\\uD83D\\uDE00", "\\u00E9\\u0301"]

    static func scalars(_ s: String) -> Text { Array(s.unicodeScalars) }
    static func string(_ t: Text) -> String { var s = String.UnicodeScalarView(); s.append(contentsOf: t); return String(s) }

    /// Where to put something: anywhere half of the time, else just after a metacharacter (inside
    /// an action, a group, a label set, a JSON string), where the parsers do their work.
    static func position(_ t: Text, _ r: inout SplitMix) -> Int {
        if r.chance(0.5) { return r.below(t.count + 1) }
        let anchors = Set("{}()[]\"=,|: ".unicodeScalars)
        let at = t.indices.filter { anchors.contains(t[$0]) }
        return at.isEmpty ? r.below(t.count + 1) : r.pick(at) + 1
    }

    /// Tokens: runs of letters and digits, runs of white space, and single other characters.
    static func tokens(_ t: Text) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var i = 0
        func cls(_ c: Unicode.Scalar) -> Int {
            c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" ? 0 : c.properties.isWhitespace ? 1 : 2
        }
        while i < t.count {
            var j = i + 1
            let k = cls(t[i])
            if k != 2 { while j < t.count && cls(t[j]) == k { j += 1 } }
            out.append(i..<j)
            i = j
        }
        return out
    }

    /// One operation (an index into `ops`) on a text; the new text and a short note of what changed.
    /// `escape` on a JSON string leaf is done by the caller on the serialized tree (`escapeLeaf`);
    /// here it writes a raw escape into a file's text, after a quote when there is one.
    /// One to five of `tokens` inserted at random places of `s` (the HCL and deployed-flag
    /// families' own syntax); the number inserted.
    static func insertTokens(_ s: inout [Unicode.Scalar], _ tokens: [String], _ r: inout SplitMix) -> Int {
        let n = 1 + r.below(5)
        for _ in 0..<n {
            let at = r.below(s.count + 1)   // the place first: HCL inputs of earlier seeds stay as they were
            s.insert(contentsOf: Array(r.pick(tokens).unicodeScalars), at: at)
        }
        return n
    }

    static func apply(_ op: Int, _ text: String, _ r: inout SplitMix) -> (String, String) {
        var t = scalars(text)
        let n = t.count
        var note = ""
        switch ops[op % ops.count] {
        case "truncate":
            let cut = r.below(n + 1)
            if r.chance(0.25) { t = Array(t[cut...]); note = "from \(cut) of \(n)" } else { t = Array(t[..<cut]); note = "at \(cut) of \(n)" }
        case "span":
            let a = r.below(max(1, n))
            let len = min(n - a, r.chance(0.7) ? 1 + r.below(8) : 1 + r.below(n + 1))
            switch r.below(3) {
            case 0: t.removeSubrange(a..<(a + len)); note = "delete \(len) at \(a)"
            case 1:
                let alphabet = scalars("abcXYZ019_-.:/{}()[]\"'\\|*+?$^=~!@#%&<> \t\né日")
                let ins = (0..<(1 + r.below(8))).map { _ in r.pick(alphabet) }
                t.insert(contentsOf: ins, at: position(t, &r)); note = "insert \(ins.count)"
            default:
                let span = Array(t[a..<(a + len)])
                t.insert(contentsOf: span, at: r.chance(0.5) ? a + len : position(t, &r)); note = "duplicate \(len) at \(a)"
            }
        case "hostile":
            var tokens: [String] = []
            for _ in 0..<(1 + r.below(3)) {
                let tok = r.pick(hostileTokens)
                t.insert(contentsOf: scalars(tok), at: position(t, &r))
                tokens.append(tok)
            }
            note = tokens.map { JSONValue.quote($0) }.joined(separator: " ")
        case "repeat":
            let size = r.pick([10_000, 30_000, 100_000])
            let at = position(t, &r)
            var open: Text, close: Text = []
            if n > 0 && r.chance(0.4) {
                let a = r.below(n)
                open = Array(t[a..<min(n, a + 1 + r.below(8))])
            } else {
                let u = r.pick(repeatUnits)
                open = scalars(u.open)
                if r.chance(0.6) { close = scalars(u.close) }
            }
            let times = max(1, size / max(1, open.count + close.count))
            var ins: Text = []
            ins.reserveCapacity(size + 16)
            for _ in 0..<times { ins.append(contentsOf: open) }
            if !close.isEmpty {
                ins.append(contentsOf: r.chance(0.5) ? scalars("x") : [])
                for _ in 0..<times { ins.append(contentsOf: close) }
            }
            t.insert(contentsOf: ins, at: at)
            note = "\(JSONValue.quote(String(string(open).prefix(20)))) x \(times)" + (close.isEmpty ? "" : " closed")
        case "swap":
            let toks = tokens(t).filter { !t[$0].allSatisfy { $0.properties.isWhitespace } }
            if toks.count >= 2 {
                var i = r.below(toks.count), j = r.below(toks.count)
                if i == j { j = (i + 1) % toks.count }
                if i > j { swap(&i, &j) }
                let a = toks[i], b = toks[j]
                note = "\(JSONValue.quote(String(string(Array(t[a])).prefix(20)))) and \(JSONValue.quote(String(string(Array(t[b])).prefix(20))))"
                t = Array(t[..<a.lowerBound]) + t[b] + t[a.upperBound..<b.lowerBound] + t[a] + t[b.upperBound...]
            } else {
                t.reverse(); note = "reversed"
            }
        case "case":
            let s = string(t)
            switch r.below(4) {
            case 0: t = scalars(s.uppercased()); note = "upper"
            case 1: t = scalars(s.lowercased()); note = "lower"
            default:
                let a = r.below(n + 1), b = min(n, a + 1 + r.below(12))
                let flipped = string(Array(t[a..<b])).map { c -> String in
                    let u = String(c).uppercased()
                    return u == String(c) ? String(c).lowercased() : u
                }.joined()
                t = Array(t[..<a]) + scalars(flipped) + Array(t[b...]); note = "flip \(a)..<\(b)"
            }
        case "number":
            // digit runs (a sign and a decimal part with them); one replaced, its unit kept
            var runs: [Range<Int>] = []
            var i = 0
            func digit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
            while i < n {
                if digit(t[i]) {
                    var a = i, j = i
                    while j < n && (digit(t[j]) || (t[j] == "." && j + 1 < n && digit(t[j + 1]))) { j += 1 }
                    if a > 0 && t[a - 1] == "-" { a -= 1 }
                    runs.append(a..<j); i = j
                } else { i += 1 }
            }
            let x = r.pick(extremeNumbers)
            if let run = runs.isEmpty ? nil : r.pick(runs) {
                t.replaceSubrange(run, with: scalars(x)); note = "\(JSONValue.quote(x)) for \(JSONValue.quote(string(Array(scalars(text)[run]))))"
            } else {
                let u = x + r.pick(units)
                t.insert(contentsOf: scalars(u), at: position(t, &r)); note = JSONValue.quote(u)
            }
        default:   // escape, in a file: after an opening quote (inside a JSON string) when there is one
            let raw = r.pick(rawEscapes)
            let quotes = t.indices.filter { i in
                guard t[i] == "\"" else { return false }
                var j = i - 1
                while j >= 0 && t[j].properties.isWhitespace { j -= 1 }
                return j >= 0 && ":[,{".unicodeScalars.contains(t[j])
            }
            let at = quotes.isEmpty || r.chance(0.2) ? r.below(n + 1) : r.pick(quotes) + 1
            t.insert(contentsOf: scalars(raw), at: at); note = "raw \(JSONValue.quote(raw))"
        }
        return (string(t), note)
    }

    /// The JSON text of a string with a raw escape (a lone surrogate, a bad escape, a raw control
    /// character) written in at a random point: not expressible as a Swift String, so it is
    /// spliced into the serialized tree.
    static func escapedJSON(_ s: String, _ r: inout SplitMix) -> (String, String) {
        let t = scalars(s)
        let at = r.below(t.count + 1)
        let raw = r.pick(rawEscapes)
        let a = JSONValue.quote(string(Array(t[..<at]))), b = JSONValue.quote(string(Array(t[at...])))
        return (String(a.dropLast()) + raw + String(b.dropFirst()), "raw \(JSONValue.quote(raw)) at \(at)")
    }

    // MARK: - string leaves

    /// A JSON path for messages: `a.b[2]["odd key"]`.
    static func pathText(_ tree: JSONValue, _ steps: [Mutator.Step]) -> String {
        var out = ""
        var v = tree
        for s in steps {
            switch (s, v.kind) {
            case (.member(let i), .object(let ms)):
                let k = ms[i].key
                let plain = !k.isEmpty && k.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "$" }
                out += plain ? (out.isEmpty ? k : "." + k) : "[" + JSONValue.quote(String(k.prefix(40))) + "]"
                v = ms[i].value
            case (.element(let i), .array(let a)): out += "[\(i)]"; v = a[i]
            default: break
            }
        }
        return out.isEmpty ? "the root" : out
    }

    /// A string-level mutation of the tree: one string value (half of the time one with parser
    /// metacharacters in it; one time in seven an object's key instead) changed by operation `op`.
    /// Returns the JSON text and a description.
    static func mutateString(_ op: Int, _ tree: JSONValue, _ r: inout SplitMix) -> (String, String) {
        var tree = tree
        var all: [[Mutator.Step]] = []
        Mutator.nodes(tree, into: &all)
        // the scenario's own description is prose nothing parses
        func isDescription(_ p: [Mutator.Step]) -> Bool {
            guard p.count == 1, case .member(let i) = p[0], case .object(let ms) = tree.kind else { return false }
            return ms[i].key == "description"
        }
        let strings = all.filter { p in
            if case .string = Mutator.get(tree, p[...]).kind { return !isDescription(p) }
            return false
        }
        let keys = all.filter { p in
            if case .member = p.last { return !isDescription(p) }
            return false
        }
        // half of the time a string with metacharacters in it (a PromQL expression, a template,
        // a regular expression, a constraint, a command line, a schedule): someone parses those
        let marks = Set("{}()[]|*=~$\\^,:/".unicodeScalars)
        let parsed = strings.filter { p in
            if case .string(let s) = Mutator.get(tree, p[...]).kind { return s.unicodeScalars.contains(where: marks.contains) }
            return false
        }
        let useKey = strings.isEmpty || (!keys.isEmpty && r.chance(1.0 / 7))
        let pool = !parsed.isEmpty && r.chance(0.5) ? parsed : strings
        guard let p = useKey ? (keys.isEmpty ? nil : r.pick(keys)) : r.pick(pool) else {
            return (tree.serialized(), "no string")
        }
        let where_ = pathText(tree, p) + (useKey ? " (key)" : "")
        let old: String
        if useKey, case .member(let i) = p.last!, case .object(let ms) = Mutator.get(tree, p.dropLast()).kind {
            old = ms[i].key
        } else if case .string(let s) = Mutator.get(tree, p[...]).kind {
            old = s
        } else { old = "" }
        let isEscape = ops[op % ops.count] == "escape"
        var note: String
        var new: String
        var raw: String? = nil
        if isEscape {
            (new, note) = ("\u{1}FUZZ\u{1}", "")
            let (json, n) = escapedJSON(old, &r)
            raw = json; note = n
        } else {
            (new, note) = apply(op, old, &r)
        }
        if useKey {
            Mutator.update(&tree, p[...]) { parent, step in
                if case .member(let i) = step, case .object(var ms) = parent.kind { ms[i].key = new; parent.kind = .object(ms) }
            }
        } else {
            Mutator.replace(&tree, p, with: .string(new))
        }
        var text = tree.serialized()
        if let raw {
            // the marker is unique: it holds control characters no shipped scenario has
            text = text.replacingOccurrences(of: JSONValue.quote(new), with: raw)
        }
        return (text, "\(where_): \(note)")
    }
}

// MARK: - the files a scenario reads

/// Every file in the subfolders of the scenarios folder (templates, monitoring configurations,
/// included groups and apps ...), by path relative to it, and which of them a scenario reads.
struct SupportFiles {
    var texts: [(path: String, text: String)] = []

    init(_ dir: String) {
        let fm = FileManager.default
        guard let e = fm.enumerator(atPath: dir) else { return }
        var found: [String] = []
        while let f = e.nextObject() as? String {
            // not the scenarios themselves, not hidden files (the CLI sample's), not the experiments
            if !f.contains("/") || f.hasPrefix("experiments/") || f.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: dir + "/" + f, isDirectory: &isDir), !isDir.boolValue { found.append(f) }
        }
        for f in found.sorted() {
            if let t = try? String(contentsOfFile: dir + "/" + f, encoding: .utf8), t.utf8.count <= 1 << 20 { texts.append((f, t)) }
        }
    }

    /// The files a text in folder `dir` names (by a relative path inside the folder, or a glob of
    /// its folder as `rule_files: ["rules/*.json"]`), and theirs in turn, in a stable order.
    func closure(of text: String) -> [Int] {
        var used: [Int] = []
        var queue: [(dir: String, text: String)] = [("", text)]
        while let (dir, t) = queue.popLast() {
            for (i, f) in texts.enumerated() where !used.contains(i) {
                guard dir.isEmpty || f.path.hasPrefix(dir + "/") else { continue }
                let rel = dir.isEmpty ? f.path : String(f.path.dropFirst(dir.count + 1))
                let folder = (rel as NSString).deletingLastPathComponent
                if t.contains("\"" + rel + "\"") || t.contains("\"./" + rel + "\"") || (!folder.isEmpty && t.contains("\"" + folder + "/*")) {
                    used.append(i)
                    queue.append(((f.path as NSString).deletingLastPathComponent, f.text))
                }
            }
        }
        return used.sorted()
    }

    /// A text-level mutation of one file a scenario reads (a template four times in ten when it
    /// reads one; the scenario's own text one time in eight), the files written beside it.
    func fileInput(_ op: Int, bases: [Base], _ r: inout SplitMix) -> FuzzInput {
        let kind = TextMutator.fileKinds[op % TextMutator.fileKinds.count]
        // as written, with their includes: those are files too
        // (four times in five one that reads files of its folder)
        let written = bases.filter { !$0.name.hasSuffix("(includes resolved)") }
        let reading = written.filter { !closure(of: $0.tree.serialized()).isEmpty }
        let base = r.pick(r.chance(0.8) && !reading.isEmpty ? reading : written.isEmpty ? bases : written)
        var main = base.tree.serialized()
        let used = closure(of: main)
        var files = used.map { ScratchFile(path: texts[$0].path, content: .text(texts[$0].text)) }
        let templates = used.indices.filter { texts[used[$0]].path.hasSuffix(".ctmpl") }
        let target: Int?   // index into files; nil: main.json
        if files.isEmpty || r.chance(0.125) { target = nil }
        else if !templates.isEmpty && r.chance(0.4) { target = r.pick(templates) }
        else { target = r.below(files.count) }
        let name: String
        if let k = target, case .text(let t) = files[k].content {
            // a JSON file (a rule file, prometheus.yml, alertmanager.yml ...) half of the time has
            // one of its strings changed, as string-OP does: its PromQL, templates and regular
            // expressions are reached, which text changes mostly stop at the JSON syntax
            let (m, note): (String, String)
            if files[k].path.hasSuffix(".json"), r.chance(0.5), let tree = JSONParser.parse(t).value {
                let (mm, n) = TextMutator.mutateString(op, tree, &r)
                (m, note) = (mm, "in the string at " + n)
            } else {
                (m, note) = TextMutator.apply(op, t, &r)
            }
            files[k].content = .text(m); name = files[k].path + ": " + note
        } else {
            let (m, note) = TextMutator.apply(op, main, &r)
            main = m; name = "main.json: " + note
        }
        return FuzzInput(kind: kind, text: main, files: files, desc: "\(base.name): \(kind) \(name)")
    }
}
