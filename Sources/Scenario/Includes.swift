import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// `{"$include": "relative/path.json"}` anywhere a value may stand is replaced by the parsed content
// of that file, relative to the including file's folder. Includes may nest; they must stay inside
// the top-level scenario's folder (after resolving "..", "." and symbolic links).

/// A file being read: where it really is and how it is named in messages.
struct SourceFile {
    /// Real (symlink-resolved, absolute) path; nil for text given directly.
    var realPath: String?
    /// Real folder that relative includes start from.
    var realDirectory: String
    /// Name shown in messages.
    var displayName: String
    /// Folder part of the display name ("" for the current folder).
    var displayDirectory: String
}

final class IncludeResolver {
    let rootDirectory: String   // real path of the top-level scenario's folder
    let diagnostics: Diagnostics
    /// Real paths of the files being included, outermost first (for cycle detection).
    private var stack: [(real: String, display: String)] = []

    init(rootDirectory: String, diagnostics: Diagnostics) {
        self.rootDirectory = rootDirectory; self.diagnostics = diagnostics
    }

    /// Resolves every include in `value` (which was read from `file`). Returns nil when an
    /// include could not be resolved (errors recorded).
    func resolve(_ value: JSONValue, path: String, in file: SourceFile) -> JSONValue? {
        if let real = file.realPath, stack.isEmpty { stack.append((real, file.displayName)) }
        return walk(value, path: path, file: file)
    }

    private func walk(_ value: JSONValue, path: String, file: SourceFile) -> JSONValue? {
        switch value.kind {
        case .object(let members):
            if let inc = members.first(where: { $0.key == "$include" }) {
                let p = JSONPath.key(path, "$include")
                if members.count > 1 {
                    let others = members.filter { $0.key != "$include" }.map { JSONValue.quote($0.key) }
                    diagnostics.error(p, location: inc.keyLocation,
                        "an {\"$include\": \"file.json\"} object must have no other keys; found \(others.joined(separator: ", "))")
                    return nil
                }
                return include(inc.value, sitePath: path, includePath: p, from: file)
            }
            var out: [JSONMember] = []
            var ok = true
            for m in members {
                if let v = walk(m.value, path: JSONPath.key(path, m.key), file: file) {
                    out.append(JSONMember(key: m.key, keyLocation: m.keyLocation, value: v))
                } else { ok = false }
            }
            return ok ? JSONValue(.object(out), location: value.location) : nil
        case .array(let elements):
            var out: [JSONValue] = []
            var ok = true
            for (i, e) in elements.enumerated() {
                if let v = walk(e, path: JSONPath.index(path, i), file: file) { out.append(v) } else { ok = false }
            }
            return ok ? JSONValue(.array(out), location: value.location) : nil
        default:
            if value.stringValue != nil, MarathonSection.isFileReferenceSite(path) { return include(value, sitePath: path, includePath: path, from: file) }
            return value
        }
    }

    private func include(_ ref: JSONValue, sitePath: String, includePath p: String, from file: SourceFile) -> JSONValue? {
        guard let rel = ref.stringValue, !rel.isEmpty else {
            diagnostics.error(p, at: ref, "expected a relative file path string, got \(ref.typeName) \(ref.brief)")
            return nil
        }
        if rel.hasPrefix("/") {
            diagnostics.error(p, at: ref, "\(JSONValue.quote(rel)) is an absolute path; includes are relative to the including file's folder and must stay inside the scenario's folder")
            return nil
        }
        let lexical = Paths.normalize(file.realDirectory + "/" + rel)
        let displayName = Paths.normalize(file.displayDirectory.isEmpty ? rel : file.displayDirectory + "/" + rel)
        guard Paths.isInside(lexical, rootDirectory) else {
            diagnostics.error(p, at: ref, "\(JSONValue.quote(rel)) resolves to \(lexical), outside the scenario's folder \(rootDirectory); includes must stay inside the folder of the top-level scenario")
            return nil
        }
        guard let real = Paths.realPath(lexical) else {
            diagnostics.error(p, at: ref, "cannot read included file \(JSONValue.quote(rel)) (\(displayName)): no such file")
            return nil
        }
        guard Paths.isInside(real, rootDirectory) else {
            diagnostics.error(p, at: ref, "\(JSONValue.quote(rel)) resolves through a symbolic link to \(real), outside the scenario's folder \(rootDirectory); includes must stay inside the folder of the top-level scenario")
            return nil
        }
        if let i = stack.firstIndex(where: { $0.real == real }) {
            let chain = stack[i...].map(\.display) + [displayName]
            diagnostics.error(p, at: ref, "include cycle: \(chain.joined(separator: " -> "))")
            return nil
        }
        let text: String
        switch Paths.readText(real) {
        case .failure(let e):
            diagnostics.error(p, at: ref, "cannot read included file \(JSONValue.quote(rel)) (\(displayName)): \(e.message)")
            return nil
        case .success(let t): text = t
        }
        let parsed = JSONParser.parse(text, file: displayName)
        for e in parsed.errors {
            diagnostics.append(ScenarioError(path: sitePath, file: displayName, line: e.line, column: e.column, message: e.message))
        }
        guard let content = parsed.value else { return nil }
        let child = SourceFile(realPath: real, realDirectory: Paths.directory(real),
                               displayName: displayName, displayDirectory: Paths.directory(displayName, relative: true))
        stack.append((real, displayName))
        defer { stack.removeLast() }
        return walk(content, path: sitePath, file: child)
    }
}

/// Path helpers that do not depend on Foundation's platform differences.
enum Paths {
    /// Removes "." and empty components and resolves ".." lexically. Keeps a leading "/" and
    /// leading ".." of relative paths.
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var out: [Substring] = []
        for c in path.split(separator: "/", omittingEmptySubsequences: true) {
            if c == "." { continue }
            if c == ".." {
                if let last = out.last, last != ".." { out.removeLast(); continue }
                if absolute { continue }
                out.append(c); continue
            }
            out.append(c)
        }
        let body = out.joined(separator: "/")
        return absolute ? "/" + body : (body.isEmpty ? "." : body)
    }

    static func isInside(_ path: String, _ directory: String) -> Bool {
        directory == "/" ? path.hasPrefix("/") : path.hasPrefix(directory + "/")
    }

    /// The folder part: "a/b/c.json" -> "a/b"; "c.json" -> "" when `relative`, else ".".
    static func directory(_ path: String, relative: Bool = false) -> String {
        guard let slash = path.lastIndex(of: "/") else { return relative ? "" : "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// realpath(3): absolute, symlinks resolved; nil when the path does not exist.
    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    static func readText(_ path: String) -> Result<String, UnitError> {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return .failure(UnitError("no such file")) }
        if isDir.boolValue { return .failure(UnitError("it is a folder, not a file")) }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(UnitError("the file cannot be read (permissions?)"))
        }
        guard let s = String(validating: data, as: UTF8.self) else { return .failure(UnitError("the file is not valid UTF-8 text")) }
        return .success(s)
    }
}
