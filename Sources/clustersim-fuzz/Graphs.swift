import Foundation
import Scenario
#if canImport(Glibc)
import Glibc
#endif

// Include graphs (sets of files wired with `$include` in a scratch folder) and long or odd
// `--set` paths: the two input families besides the tree mutations of Mutator.swift. Both are
// seeded like the mutations: input number i of seed s is the same on every machine.

/// A file of an include graph, relative to the scratch folder (main.json is the scenario).
struct ScratchFile {
    enum Content {
        case text(String)
        case directory
        case fifo
        /// A file of this many bytes that takes no disk space (all NUL bytes).
        case sparse(Int)
        case symlink(String)
    }
    var path: String
    var content: Content
}

/// One input: the scenario text, the other files of its include graph (none for a plain
/// mutation: its includes resolve from the scenarios folder) and its `--set` overrides.
struct FuzzInput {
    var kind: String
    var text: String
    var files: [ScratchFile] = []
    var overrides: [String] = []
    var desc: String
    /// An argument too long for execve(2) (128 KiB per argument on Linux): in-process only.
    var cliArgumentsFit: Bool { overrides.allSatisfy { $0.utf8.count < 120_000 } && overrides.reduce(0) { $0 + $1.utf8.count } < 1_500_000 }
}

/// Writes `main.json` (the input's text) and the graph's files into `dir`. Returns false when
/// the folder could not be made as asked (a harness problem, not a finding).
@discardableResult
func materialize(_ input: FuzzInput, in dir: String) -> Bool {
    let fm = FileManager.default
    guard (try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true)) != nil,
          fm.createFile(atPath: dir + "/main.json", contents: Data(input.text.utf8)) else { return false }
    var ok = true
    for f in input.files {
        let path = dir + "/" + f.path
        if let slash = path.lastIndex(of: "/") {
            try? fm.createDirectory(atPath: String(path[..<slash]), withIntermediateDirectories: true)
        }
        switch f.content {
        case .text(let t): ok = fm.createFile(atPath: path, contents: Data(t.utf8)) && ok
        case .directory: ok = (try? fm.createDirectory(atPath: path, withIntermediateDirectories: true)) != nil && ok
        case .fifo: ok = mkfifo(path, 0o644) == 0 && ok
        case .sparse(let n):
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            ok = fd >= 0 && ftruncate(fd, off_t(n)) == 0 && ok
            if fd >= 0 { close(fd) }
        case .symlink(let target): ok = symlink(target, path) == 0 && ok
        }
    }
    return ok
}

enum Graphs {
    static let includeKinds = ["include-chain-under", "include-chain-over", "include-diamond", "include-fanout", "include-cycle",
                               "include-missing", "include-directory", "include-fifo", "include-huge", "include-nesting",
                               "include-escape", "include-bad-site"]
    static let overrideKinds = ["set-long-path", "set-deep-index", "set-huge-index", "set-empty-component", "set-deep-value",
                                "set-huge-string", "set-many", "set-valid"]

    static func inc(_ ref: String) -> String { "{\"$include\": \(JSONValue.quote(ref))}" }
    static func nested(_ depth: Int, _ inner: String, object: Bool = false) -> String {
        object ? String(repeating: "{\"a\":", count: depth) + inner + String(repeating: "}", count: depth)
            : String(repeating: "[", count: depth) + inner + String(repeating: "]", count: depth)
    }

    /// An include graph: a node of `base` (sometimes the whole document) is replaced by an
    /// `$include`; where the graph is well formed its last file holds the node's old value, so
    /// a chain within the limits still runs.
    static func includeInput(_ sub: Int, base: Base, _ r: inout SplitMix) -> FuzzInput {
        let kind = includeKinds[sub % includeKinds.count]
        var tree = base.tree
        var all: [[Mutator.Step]] = []
        Mutator.nodes(tree, into: &all)
        let site = r.chance(0.1) || all.count < 2 ? [] : r.pick(Array(all.dropFirst()))
        let value = Mutator.get(tree, site[...]).serialized()
        var files: [ScratchFile] = []
        var ref = "g0.json"
        var note = ""
        func text(_ p: String, _ t: String) { files.append(ScratchFile(path: p, content: .text(t))) }
        let maxDepth = IncludeLimits.maxDepth
        switch kind {
        case "include-chain-under", "include-chain-over":
            // n files below main.json, each including the next; at most maxDepth are allowed
            let n = kind == "include-chain-under" ? maxDepth - r.below(3) : (r.chance(0.1) ? 100 : maxDepth + 1 + r.below(3))
            let sub = r.chance(0.3)   // files in nested folders, reached with ../ and ./
            func name(_ i: Int) -> String { sub ? "d\(i % 3)/g\(i).json" : "g\(i).json" }
            func rel(_ i: Int) -> String { sub ? (i % 2 == 0 ? "./../" : "../") + name(i + 1) : name(i + 1) }
            ref = sub ? "./" + name(0) : name(0)
            for i in 0..<n { text(name(i), i == n - 1 ? value : inc(rel(i))) }
            note = "\(n) files"
        case "include-diamond":
            // each file includes the next several times: width^levels includes, no cycle
            // (2^12 and 3^8 resolve in full; 2^14 and 3^9 pass the include limit; 40 levels the depth limit)
            let width = r.pick([2, 3])
            let levels = width == 2 ? r.pick([12, 14, 40]) : r.pick([8, 9, 40])
            let object = r.chance(0.5)
            for i in 0..<levels {
                let refs = (0..<width).map { _ in inc("g\(i + 1).json") }
                text("g\(i).json", object ? "{" + refs.enumerated().map { "\"k\($0.offset)\": \($0.element)" }.joined(separator: ", ") + "}"
                                          : "[" + refs.joined(separator: ", ") + "]")
            }
            text("g\(levels).json", value)
            note = "\(levels) levels of \(width)"
        case "include-fanout":
            // one file including another (the same one, or many small ones) thousands of times
            let n = r.pick([2_000, 9_999, 10_001])
            let many = r.chance(0.3) ? min(n, 500) : 1
            text("g0.json", "[" + (0..<n).map { inc("leaf\($0 % many).json") }.joined(separator: ",") + "]")
            for j in 0..<many { text("leaf\(j).json", value) }
            note = "\(n) includes of \(many) files"
        case "include-cycle":
            let c = r.below(4)   // 0: main.json includes itself
            if c == 0 { ref = r.pick(["main.json", "./main.json", "d/../main.json"]) }
            for i in 0..<c {
                let next = i == c - 1 ? r.pick(["g0.json", "./g0.json", "x/../g0.json", "main.json"]) : "g\(i + 1).json"
                text("g\(i).json", r.chance(0.5) ? inc(next) : "[" + value + ", " + inc(next) + "]")
            }
            note = c == 0 ? "self" : "\(c) files"
        case "include-missing":
            switch r.below(4) {
            case 0: ref = r.pick(["nope.json", "sub/nope.json", "g0.json/", "g0.json/x.json"]); text("g0.json", value)
            case 1: text("g0.json", inc("nope.json"))   // missing one level down
            case 2:   // a symbolic link loop
                files.append(ScratchFile(path: "g0.json", content: .symlink("g1.json")))
                files.append(ScratchFile(path: "g1.json", content: .symlink("g0.json")))
            default:  // a dangling symbolic link
                files.append(ScratchFile(path: "g0.json", content: .symlink("gone.json")))
            }
        case "include-directory":
            files.append(ScratchFile(path: "d.json", content: .directory))
            ref = r.pick(["d.json", "d.json/", ".", "./", "d.json/.."])
            if r.chance(0.3) { text("g0.json", inc(ref)); ref = "g0.json" }
        case "include-fifo":
            files.append(ScratchFile(path: "p.json", content: .fifo))
            switch r.below(3) {
            case 0: ref = "p.json"
            case 1: text("g0.json", inc("p.json"))
            default: files.append(ScratchFile(path: "g0.json", content: .symlink("p.json")))
            }
        case "include-huge":
            let limit = IncludeLimits.maxTotalBytes
            switch r.below(3) {
            case 0: files.append(ScratchFile(path: "g0.json", content: .sparse(limit + 1 + r.below(1 << 20))))   // refused from its size
            case 1: files.append(ScratchFile(path: "g0.json", content: .sparse(r.pick([limit, 1 << 20]))))   // read: NUL bytes
            default:
                // a big (valid) file included until the total crosses the limit
                let size = r.pick([limit / 3, limit / 2 + 1])
                text("big.json", String(repeating: " ", count: size - 1) + "1")
                text("g0.json", "[" + Array(repeating: inc("big.json"), count: 3).joined(separator: ",") + "]")
            }
        case "include-nesting":
            // the site stands deep in main.json and the included file nests so that together
            // they are just under, at or just over JSONParser.maxDepth
            let limit = JSONParser.maxDepth
            if r.chance(0.5) {
                let outer = r.pick([0, 100, 150, 190, limit - 1])
                let inner = max(0, limit - outer - site.count + r.pick([-2, -1, 0, 1, 2]))
                text("g0.json", nested(inner, "1", object: r.chance(0.5)))
                ref = "__WRAP\(outer)"
            } else {
                // a chain of files, each adding 25 levels before including the next
                let n = r.pick([6, 7, 8, 9, 10])
                for i in 0..<n { text("g\(i).json", nested(25, i == n - 1 ? value : inc("g\(i + 1).json"))) }
            }
        case "include-escape":
            switch r.below(4) {
            case 0: ref = r.pick(["../x.json", "d/../../x.json", "/etc/hostname", "/dev/zero", "..", "../", "~/x.json"])
            case 1: files.append(ScratchFile(path: "g0.json", content: .symlink(r.pick(["/etc/hostname", "..", "../../x.json", "/dev/zero", "/dev/null"]))))
            case 2: ref = "__SELFABS"   // the file by its absolute path: refused as absolute
            default: ref = "__OUTANDBACK"   // out of the folder and back in by its name: lexically inside
                text("g0.json", value)
            }
        default:   // include-bad-site
            let bad = r.pick(["{\"$include\": 5}", "{\"$include\": \"\"}", "{\"$include\": null}", "{\"$include\": [\"g0.json\"]}",
                               "{\"$include\": \"g0.json\", \"x\": 1}", "{\"x\": 1, \"$include\": \"g0.json\"}",
                               "{\"$include\": {\"$include\": \"g0.json\"}}", "{\"$include\": \"g0.json\\u0000\"}",
                               "{\"$include\": \"" + String(repeating: "a", count: 5000) + ".json\"}"])
            text("g0.json", value)
            ref = "__RAW" + bad
        }
        // main.json: the base with the site replaced by the include (as text, so any form fits)
        let marker = "\u{1}SITE\u{1}"
        Mutator.replace(&tree, site, with: .string(marker))
        let siteText: String
        if ref.hasPrefix("__WRAP") {
            siteText = nested(Int(ref.dropFirst(6))!, inc("g0.json"))
        } else if ref.hasPrefix("__RAW") {
            siteText = String(ref.dropFirst(5))
        } else if ref == "__SELFABS" || ref == "__OUTANDBACK" {
            siteText = ref   // completed when the folder's name is known (see `placeFolder`)
        } else {
            siteText = inc(ref)
        }
        let main = tree.serialized().replacingOccurrences(of: JSONValue.quote(marker), with: siteText)
        let desc = "\(base.name): \(kind)" + (note.isEmpty ? "" : " (\(note))") + " at " + (site.isEmpty ? "the root" : "depth \(site.count)")
        return FuzzInput(kind: kind, text: main, files: files, desc: desc)
    }

    /// Fills in the parts of main.json that depend on the scratch folder's absolute path.
    static func placeFolder(_ input: FuzzInput, _ dir: String) -> FuzzInput {
        var out = input
        let name = (dir as NSString).lastPathComponent
        out.text = out.text.replacingOccurrences(of: "__SELFABS", with: inc(dir + "/main.json"))
            .replacingOccurrences(of: "__OUTANDBACK", with: inc("../" + name + "/g0.json"))
        return out
    }

    // MARK: - --set paths

    /// The `--set` path of a node of the tree: keys with `.`, odd keys as `["key"]`, indexes as `[i]`.
    static func render(_ tree: JSONValue, _ steps: [Mutator.Step]) -> String? {
        var out = ""
        var v = tree
        for s in steps {
            switch (s, v.kind) {
            case (.member(let i), .object(let ms)):
                let k = ms[i].key
                if k.contains("\"") || k.contains("=") { return nil }
                let plain = !k.isEmpty && !k.contains(where: { ".[]=".contains($0) })
                out += plain ? (out.isEmpty ? k : "." + k) : "[\"" + k + "\"]"
                if out.hasPrefix("[") { return nil }   // a path must start with a plain key
                v = ms[i].value
            case (.element(let i), .array(let a)):
                out += "[\(i)]"; v = a[i]
            default: return nil
            }
        }
        return out.isEmpty ? nil : out
    }

    static func overrideInput(_ sub: Int, base: Base, _ r: inout SplitMix) -> FuzzInput {
        let kind = overrideKinds[sub % overrideKinds.count]
        let tree = base.tree
        var all: [[Mutator.Step]] = []
        Mutator.nodes(tree, into: &all)
        let named = all.compactMap { p -> (path: String, steps: [Mutator.Step])? in render(tree, p).map { ($0, p) } }
        func pathOf(_ f: (JSONValue) -> Bool) -> (path: String, steps: [Mutator.Step]) {
            let fit = named.filter { f(Mutator.get(tree, $0.steps[...])) }
            return fit.isEmpty ? ("hostGroups", []) : r.pick(fit)
        }
        let anyPath = named.isEmpty ? "duration" : r.pick(named).path
        func isLeaf(_ v: JSONValue) -> Bool { switch v.kind { case .object, .array: return false; default: return true } }
        func isArray(_ v: JSONValue) -> Bool { if case .array = v.kind { return true }; return false }
        var sets: [String] = []
        var note = ""
        switch kind {
        case "set-long-path":
            let n = r.pick([50, 199, 200, 201, 202, 1_000, 5_000, 50_000])
            let style = r.below(3)
            var comps: [String] = []
            for j in 0..<n {
                switch style {
                case 0: comps.append(j == 0 ? "a" : ".a")
                case 1: comps.append(j == 0 ? "x" : (j % 2 == 0 ? ".k\(j)" : "[0]"))
                default: comps.append(j == 0 ? anyPath : "[\"k.\(j)\"]")
                }
            }
            sets.append(comps.joined() + "=" + r.pick(["1", "{}", "[]", "\"x\"", "2h"]))
            note = "\(n) components"
        case "set-deep-index":
            let k = r.pick([1, 2, 10, 199, 300, 5_000])
            let p = r.chance(0.7) ? pathOf(isArray).path : anyPath
            sets.append(p + String(repeating: "[0]", count: k) + "=" + r.pick(["1", "[]", "{\"a\": 1}"]))
            note = "\(k) indexes"
        case "set-huge-index":
            let bad = r.pick(["9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
                              "-1", "-9223372036854775808", "99999999999999999999999999999999", "4294967296", "1e3", "0x1",
                              " 0", "00", "0", "", "+1", String(repeating: "9", count: 10_000)])
            sets.append(pathOf(isArray).path + "[" + bad + "]" + (r.chance(0.5) ? "" : ".count") + "=1")
            note = "[\(bad.prefix(30))]"
        case "set-empty-component":
            let p = pathOf(isLeaf).path
            sets.append(r.pick(["", ".", "..", "a..b", "[0]", "[]", "[\"\"]", ".duration", "duration.", p + ".", p + "..x",
                                "hostGroups[0]..count", "[\"", "[\"a", "]", "a]b", "hostGroups[0]count", "hostGroups[[0]]",
                                "[\"\"].x", "x[\"\"][\"\"]", p + "[\"\"]", "\u{0}", "a.\u{0}.b"]) + r.pick(["=1", "=", "==", ""]))
        case "set-deep-value":
            let p = pathOf(isLeaf)
            let room = JSONParser.maxDepth - p.path.split(whereSeparator: { ".[".contains($0) }).count
            let d = r.chance(0.2) ? r.pick([10_000, 100_000]) : max(1, room + r.pick([-2, -1, 0, 1, 2]))
            let closed = r.chance(0.8)
            let v = r.chance(0.5) ? String(repeating: "[", count: d) + "1" + (closed ? String(repeating: "]", count: d) : "")
                : String(repeating: "{\"a\":", count: d) + "1" + (closed ? String(repeating: "}", count: d) : "")
            sets.append(p.path + "=" + v)
            note = "depth \(d)" + (closed ? "" : ", unclosed")
        case "set-huge-string":
            let p = pathOf(isLeaf).path
            let n = r.pick([1_000, 100_000, 100_000, 1_000_000])
            switch r.below(4) {
            case 0: sets.append(p + "=" + String(repeating: "a", count: n))
            case 1: sets.append(p + "=\"" + String(repeating: "b", count: n) + "\"")
            case 2: sets.append(p + "=" + String(repeating: "7", count: n))   // a huge number
            default: sets.append(p + "." + String(repeating: "k", count: n) + "=1")   // a huge key
            }
            note = "\(n) characters"
        case "set-many":
            let n = r.pick([500, 2_000, 5_000])
            let leaves = named.filter { isLeaf(Mutator.get(tree, $0.steps[...])) }
            // the values they have (the scenario still runs), one of them mutated a third of the time
            let mutated = r.chance(0.3) ? r.below(n) : -1
            for j in 0..<n {
                guard let l = leaves.isEmpty ? nil : r.pick(leaves) else { sets.append("description=x"); continue }
                let old = Mutator.get(tree, l.steps[...])
                sets.append(l.path + "=" + (j == mutated ? Mutator.replacement(for: old, &r) : old).serialized())
            }
            note = "\(n) overrides"
        default:   // set-valid: existing leaves, set to their own value or to a mutation
            for _ in 0..<(1 + r.below(3)) {
                let l = pathOf(isLeaf)
                let old = Mutator.get(tree, l.steps[...])
                sets.append(l.path + "=" + (r.chance(0.6) ? old : Mutator.replacement(for: old, &r)).serialized())
            }
        }
        let desc = "\(base.name): \(kind)" + (note.isEmpty ? "" : " (\(note))") + " --set " + (sets.first.map { String($0.prefix(80)) } ?? "")
        return FuzzInput(kind: kind, text: tree.serialized(), overrides: sets, desc: desc)
    }
}
