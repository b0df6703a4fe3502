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

/// The bounds on `$include` (and Marathon file references, which are includes too). Every one
/// of them is far beyond what a real scenario needs; they exist so that no input can make the
/// tool hang or run out of memory while resolving includes (a file that includes another twice,
/// which includes the next twice, ... grows exponentially without ever making a cycle).
public enum IncludeLimits {
    /// Files including files: at most this many links from the top-level file to the deepest
    /// included one. Real scenarios use 2 or 3 (scenario -> group file -> app file).
    public static let maxDepth = 32
    /// Includes resolved in total, counting a file again each time it is included. A
    /// platform's worth of Marathon app files is a few hundred.
    public static let maxIncludes = 10_000
    /// Bytes read from included files in total (counting a file again each time it is included).
    /// The largest real inputs, a `GET /v2/groups` export of a few thousand apps, are a few MB;
    /// 16 MiB keeps the parsed tree under about 1.5 GB even for a file of one-digit numbers.
    public static let maxTotalBytes = 16 << 20
}

final class IncludeResolver {
    let rootDirectory: String   // real path of the top-level scenario's folder
    let diagnostics: Diagnostics
    /// The files being included, outermost (the top-level file) first: real paths for cycle
    /// detection ("" for text given directly), display names for messages.
    private var stack: [(real: String, display: String)] = []
    private var includeCount = 0
    private var includedBytes = 0
    /// Set when a limit was hit: resolution stops there (one error, not thousands).
    private var stopped = false

    init(rootDirectory: String, diagnostics: Diagnostics) {
        self.rootDirectory = rootDirectory; self.diagnostics = diagnostics
    }

    /// Resolves every include in `value` (which was read from `file`). Returns nil when an
    /// include could not be resolved (errors recorded).
    func resolve(_ value: JSONValue, path: String, in file: SourceFile) -> JSONValue? {
        if stack.isEmpty { stack.append((file.realPath ?? "", file.displayName)) }
        return walk(value, path: path, file: file, depth: 0)
    }

    /// `depth` is the nesting level of `value` in the whole document (the top-level value is at
    /// 0): an object or array there may hold `JSONParser.maxDepth - depth - 1` more levels. The
    /// parser enforces the limit in every file; this recursion is bounded by it.
    private func walk(_ value: JSONValue, path: String, file: SourceFile, depth: Int) -> JSONValue? {
        if stopped { return nil }
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
                return include(inc.value, sitePath: path, includePath: p, from: file, depth: depth)
            }
            var out: [JSONMember] = []
            var ok = true
            for m in members {
                if let v = walk(m.value, path: JSONPath.key(path, m.key), file: file, depth: depth + 1) {
                    out.append(JSONMember(key: m.key, keyLocation: m.keyLocation, value: v))
                } else { ok = false }
                if stopped { return nil }
            }
            return ok ? JSONValue(.object(out), location: value.location) : nil
        case .array(let elements):
            var out: [JSONValue] = []
            var ok = true
            for (i, e) in elements.enumerated() {
                if let v = walk(e, path: JSONPath.index(path, i), file: file, depth: depth + 1) { out.append(v) } else { ok = false }
                if stopped { return nil }
            }
            return ok ? JSONValue(.array(out), location: value.location) : nil
        default:
            if value.stringValue != nil, MarathonSection.isFileReferenceSite(path) {
                return include(value, sitePath: path, includePath: path, from: file, depth: depth)
            }
            return value
        }
    }

    /// "a.json -> b.json -> c.json": the files being included, then `next`.
    private func chain(_ next: String) -> String {
        (stack.map(\.display) + [next]).joined(separator: " -> ")
    }

    private func include(_ ref: JSONValue, sitePath: String, includePath p: String, from file: SourceFile, depth: Int) -> JSONValue? {
        guard let rel = ref.stringValue, !rel.isEmpty else {
            diagnostics.error(p, at: ref, "expected a relative file path string, got \(ref.described)")
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
        // The limits: each stops resolution with one error naming the chain of files.
        if stack.count > IncludeLimits.maxDepth {
            diagnostics.error(p, at: ref, "includes nested more than \(IncludeLimits.maxDepth) files deep: \(chain(displayName)); at most \(IncludeLimits.maxDepth) files may include one another in a chain")
            stopped = true
            return nil
        }
        includeCount += 1
        if includeCount > IncludeLimits.maxIncludes {
            diagnostics.error(p, at: ref, "more than \(IncludeLimits.maxIncludes) includes in total (a file is counted each time it is included; files that include the same files several times through others multiply), reached at \(chain(displayName)); at most \(IncludeLimits.maxIncludes) are allowed")
            stopped = true
            return nil
        }
        let size: Int
        switch Paths.regularFileSize(real) {
        case .failure(let e):
            diagnostics.error(p, at: ref, "cannot read included file \(JSONValue.quote(rel)) (\(displayName)): \(e.message)")
            return nil
        case .success(let n): size = n
        }
        if includedBytes + size > IncludeLimits.maxTotalBytes {
            diagnostics.error(p, at: ref, "included files total more than \(IncludeLimits.maxTotalBytes) bytes (\(IncludeLimits.maxTotalBytes >> 20) MiB; a file is counted each time it is included), reached at \(chain(displayName)) (\(size) bytes); at most \(IncludeLimits.maxTotalBytes) bytes may be included")
            stopped = true
            return nil
        }
        let text: String
        switch Paths.readText(real) {
        case .failure(let e):
            diagnostics.error(p, at: ref, "cannot read included file \(JSONValue.quote(rel)) (\(displayName)): \(e.message)")
            return nil
        case .success(let t): text = t
        }
        includedBytes += text.utf8.count
        // The file's value takes the place of the $include at `depth`, so it may nest only as
        // deep as the rest of the document allows.
        // An .hcl file is read as HCL where the real program reads HCL (HCLFiles.reader), and
        // refused elsewhere.
        let hcl = HCLFiles.isHCLName(rel)
        let reader = HCLFiles.reader(sitePath: sitePath)
        if hcl && reader == nil {
            diagnostics.error(p, at: ref, "\(JSONValue.quote(rel)) is an HCL file: " + HCLFiles.notReadHere)
            return nil
        }
        let parsed = hcl ? HCLParser.parse(text, file: displayName, startDepth: depth, reader: reader!)
                         : JSONParser.parse(text, file: displayName, startDepth: depth)
        for (k, e) in parsed.errors.enumerated() {
            var message = e.message
            if k == 0, !hcl, !e.isNestingLimit, let hint = YAMLFiles.formatHint(fileName: rel) { message += " (\(hint))" }
            if e.isNestingLimit, depth > 0 {
                message = "nesting deeper than \(JSONParser.maxDepth) levels in the scenario after includes: this file's value stands at level \(depth) of \(stack[0].display) (\(chain(displayName))), so it may nest \(JSONParser.maxDepth - depth) more levels; the limit holds for the whole document, not for each file"
            }
            diagnostics.append(ScenarioError(path: sitePath, file: displayName, line: e.line, column: e.column, message: message))
        }
        guard let content = parsed.value else { return nil }
        diagnostics.includedFileDirectories[sitePath] = Paths.directory(real)
        let child = SourceFile(realPath: real, realDirectory: Paths.directory(real),
                               displayName: displayName, displayDirectory: Paths.directory(displayName, relative: true))
        stack.append((real, displayName))
        defer { stack.removeLast() }
        return walk(content, path: sitePath, file: child, depth: depth)
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

    /// Whether normalized `path` lies strictly below normalized `directory`. The current folder
    /// `"."` (what `normalize` makes of `""`, `"./"` or `"a/.."`) holds every relative path that
    /// does not climb out of it: `normalize` drops the leading `./`, so `"rates.csv"` is inside `"."`.
    static func isInside(_ path: String, _ directory: String) -> Bool {
        if directory == "." {
            return !path.hasPrefix("/") && path != "." && path != ".." && !path.hasPrefix("../")
        }
        return directory == "/" ? path.hasPrefix("/") : path.hasPrefix(directory + "/")
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

    /// What kind of file is at `path` when it is not a regular file ("a FIFO (named pipe)").
    static func kindName(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }

    static func notRegular(_ kind: String) -> UnitError {
        kind == "a folder" ? UnitError("it is a folder, not a file")
            : UnitError("it is \(kind), not a regular file; scenarios and included files must be regular files")
    }

    static func errnoText(_ e: Int32) -> String {
        switch e {
        case ENOENT: return "no such file"
        case EACCES: return "permission denied"
        case ENOTDIR: return "a part of the path is not a folder"
        case ELOOP: return "too many symbolic links"
        default: return String(cString: strerror(e))
        }
    }

    /// The size of the regular file at `path` (symlinks followed), or why it cannot be read as
    /// one. Only stat(2): it never opens the file, so a FIFO or a device cannot block it.
    static func regularFileSize(_ path: String) -> Result<Int, UnitError> {
        var st = stat()
        guard stat(path, &st) == 0 else { return .failure(UnitError(errnoText(errno))) }
        if let kind = kindName(st.st_mode) { return .failure(notRegular(kind)) }
        return .success(Int(st.st_size))
    }

    /// The text of the regular file at `path`. Anything else (a folder, a FIFO, a device, a
    /// socket) is refused by its kind, checked with stat(2) before opening and again on the
    /// open descriptor (opened non-blocking, so a FIFO swapped in between cannot block either).
    static func readText(_ path: String) -> Result<String, UnitError> {
        if case .failure(let e) = regularFileSize(path) { return .failure(e) }
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .failure(UnitError(errno == EACCES ? "permission denied: the file cannot be read" : errnoText(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(UnitError(errnoText(errno))) }
        if let kind = kindName(st.st_mode) { return .failure(notRegular(kind)) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(st.st_size))
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(UnitError("the file cannot be read: \(errnoText(errno))"))
            }
            bytes.append(contentsOf: buffer[0..<n])
        }
        guard let s = String(validating: bytes, as: UTF8.self) else { return .failure(UnitError("the file is not valid UTF-8 text")) }
        return .success(s)
    }
}
