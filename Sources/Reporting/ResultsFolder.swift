#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A results folder written atomically: everything goes into a hidden temporary folder beside
/// the target (`.<name>.tmp-<pid>`, or `.<start of name>-<hash>.tmp-<pid>` when that would be
/// longer than the file system allows), which is swapped into place only when the run completes.
/// An interrupted or crashed run therefore never leaves a half-written results folder, and the
/// temporary folder is flat (files only), so a signal handler can remove it with unlink and rmdir.
public final class ResultsFolder {
    public let finalPath: String
    public let tempPath: String
    /// Set when the folder was made from a checked `OutputTarget`: commit checks again, just
    /// before replacing, that what is at `finalPath` is still a results folder.
    private let checked: Bool
    private var done = false

    /// Creates the temporary folder for `finalPath` (and its missing parents) without judging what
    /// is there: the command line checks its `--out` with `OutputTarget.check` and uses `init(target:)`.
    public convenience init(finalPath: String) throws {
        let url = URL(fileURLWithPath: finalPath).standardizedFileURL
        try self.init(path: url.path, checked: false)
    }

    /// Creates the temporary folder for a target that passed `OutputTarget.check`, after removing
    /// temporary folders of the same target left by processes that no longer exist.
    public convenience init(target: OutputTarget) throws {
        try self.init(path: target.path, checked: true)
    }

    private init(path: String, checked: Bool) throws {
        let fm = FileManager.default
        finalPath = path
        self.checked = checked
        let parent = ResultsFolder.parentOf(path)
        let name = ResultsFolder.lastComponent(path)
        let prefix = ResultsFolder.tempPrefix(name)
        tempPath = parent + "/" + prefix + String(getpid())
        do {
            try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw OutputError("cannot create results folder beside \(path): \(error.localizedDescription)")
        }
        ResultsFolder.removeStaleTemporaryFolders(in: parent, prefix: prefix)
        TempCleanup.register(folder: tempPath)
        for f in ResultsWriter.fileNames { TempCleanup.register(file: tempPath + "/" + f) }
        if mkdir(tempPath, 0o755) != 0 {
            let msg = String(cString: strerror(errno))
            TempCleanup.clear()
            throw OutputError("cannot create the temporary folder \(tempPath): \(msg)")
        }
    }

    /// Path of a file inside the (temporary) folder. The folder is flat: `file` is a plain name.
    public func path(_ file: String) -> String {
        let p = tempPath + "/" + file
        TempCleanup.register(file: p)
        return p
    }

    /// Moves the finished folder into place, replacing an older one of the same name in one step
    /// (renameat2 RENAME_EXCHANGE where the system has it): at every instant `finalPath` holds
    /// either the old results or the new ones. The old folder, now at the temporary path, is removed.
    public func commit() throws {
        var st = stat()
        let exists = lstat(finalPath, &st) == 0
        if exists && checked {
            if case .refused(let why) = OutputTarget.judgeExisting(finalPath) {
                throw OutputError("not replacing \(finalPath): it changed during the run and \(why); the new results are not kept")
            }
        }
        if exists {
            if !ResultsFolder.exchange(tempPath, finalPath) {
                // no atomic exchange on this system or file system: rename the old folder aside first
                let o = tempPath + ".old"
                if rename(finalPath, o) != 0 {
                    throw OutputError("cannot replace \(finalPath): \(String(cString: strerror(errno)))")
                }
                if rename(tempPath, finalPath) != 0 {
                    let msg = String(cString: strerror(errno))
                    _ = rename(o, finalPath)
                    throw OutputError("cannot move results into \(finalPath): \(msg)")
                }
                _ = rename(o, tempPath)
            }
            // the old results are now at tempPath (still registered for the signal handlers); a
            // checked target held only files the tool writes
            if checked { ResultsFolder.removeFlatFolder(tempPath) } else { try? FileManager.default.removeItem(atPath: tempPath) }
        } else if rename(tempPath, finalPath) != 0 {
            throw OutputError("cannot move results into \(finalPath): \(String(cString: strerror(errno)))")
        }
        TempCleanup.clear()
        done = true
    }

    /// Removes the temporary folder (interrupted or failed run).
    public func discard() {
        guard !done else { return }
        ResultsFolder.removeFlatFolder(tempPath)
        TempCleanup.clear()
        done = true
    }

    // MARK: - names

    public static func parentOf(_ path: String) -> String {
        guard let i = path.lastIndex(of: "/") else { return "." }
        return i == path.startIndex ? "/" : String(path[..<i])
    }

    public static func lastComponent(_ path: String) -> String {
        guard let i = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: i)...])
    }

    /// The longest pid Linux gives (pid_max is at most 2^22 = 4194304: 7 digits).
    static let pidDigits = 7

    /// `.<name>.tmp-` when `.<name>.tmp-<pid>` (and its `.old` sibling) fits in NAME_MAX bytes;
    /// otherwise `.<first bytes of name>-<FNV-1a of name, 16 hex>.tmp-`.
    public static func tempPrefix(_ name: String) -> String {
        let plain = "." + name + ".tmp-"
        if plain.utf8.count + pidDigits + 4 <= Int(NAME_MAX) { return plain }
        var h: UInt64 = 0xcbf29ce484222325
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        let hex = String(h, radix: 16)
        let tag = "-" + String(repeating: "0", count: 16 - hex.count) + hex + ".tmp-"
        let room = Int(NAME_MAX) - 1 - tag.utf8.count - pidDigits - 4
        var head = ""
        for c in name where head.utf8.count + String(c).utf8.count <= room { head.append(c) }
        return "." + head + tag
    }

    /// Removes `.<name>.tmp-<pid>` folders (and `.old` ones of the fallback commit) whose process
    /// no longer exists. Only the files the tool writes are removed; a folder holding anything
    /// else is left alone.
    static func removeStaleTemporaryFolders(in parent: String, prefix: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for e in entries where e.hasPrefix(prefix) {
            var rest = Substring(e.dropFirst(prefix.count))
            if rest.hasSuffix(".old") { rest = rest.dropLast(4) }
            guard !rest.isEmpty, rest.count <= 10, rest.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let pid = Int32(rest) else { continue }
            let gone = pid == getpid() || (kill(pid, 0) != 0 && errno == ESRCH)
            guard gone else { continue }
            var st = stat()
            guard lstat(parent + "/" + e, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { continue }
            removeFlatFolder(parent + "/" + e)
        }
    }

    /// Unlinks the files the tool writes (and any other plain file registered for this folder) in
    /// `dir`, then removes `dir` if it is empty.
    /// The subfolders `run --nginx-config-at` and `run --haproxy-config-at` write
    /// (`nginx/<host>-<seconds>s.conf`, `haproxy/<host>-<seconds>s.cfg`), with their files' suffix.
    static let configFolders: [(name: String, suffix: String)] = [("nginx", ".conf"), ("haproxy", ".cfg")]

    /// `e` in `parent` is one of those subfolders holding only regular files with its suffix
    /// (nothing else, no subfolders).
    static func isConfigFolder(_ e: String, in parent: String) -> Bool {
        guard let suffix = configFolders.first(where: { $0.name == e })?.suffix else { return false }
        let dir = parent + "/" + e
        var ds = stat()
        guard lstat(dir, &ds) == 0, (ds.st_mode & S_IFMT) == S_IFDIR,
              let entries = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return false }
        return entries.allSatisfy { f in
            var st = stat()
            return f.hasSuffix(suffix) && lstat(dir + "/" + f, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
        }
    }

    static func removeFlatFolder(_ dir: String) {
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: dir) {
            for e in entries {
                var st = stat()
                let p = dir + "/" + e
                if isConfigFolder(e, in: dir) {
                    for c in (try? FileManager.default.contentsOfDirectory(atPath: p)) ?? [] { unlink(p + "/" + c) }
                    rmdir(p)
                    continue
                }
                if lstat(p, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG,
                   ResultsWriter.fileNames.contains(e) || TempCleanup.isRegistered(p) {
                    unlink(p)
                }
            }
        }
        rmdir(dir)
    }

    /// renameat2(RENAME_EXCHANGE), looked up at run time (glibc >= 2.28; not in Swift's Glibc module).
    static func exchange(_ a: String, _ b: String) -> Bool {
        typealias Fn = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return false }
        let f = unsafeBitCast(sym, to: Fn.self)
        let renameExchange: UInt32 = 2
        return f(AT_FDCWD, a, AT_FDCWD, b, renameExchange) == 0
    }
}

extension ResultsWriter {
    /// Every file name a results folder can hold: the core tables, every subsystem's tables,
    /// events.csv and the summaries.
    public static let fileNames: Set<String> = Set(tables.map(\.file) + subsystemOutputs.flatMap { $0.outputs.tables.map(\.file) }
                                                    + ["events.csv", "summary.csv", "summary.json"])
}

/// What a signal handler needs to remove the temporary folder of the running process without
/// allocating or locking: C strings made in advance. `prepare()` runs before any handler is
/// installed; the handlers call `removeNow()`, which only reads these and calls unlink and rmdir.
///
/// The folder and the count are atomics, not Swift variables: a handler that reads a Swift global
/// while the interrupted code is modifying it (`register`, `clear`) is an access conflict, which
/// Swift's exclusivity checks (on in debug and release builds) end with "Fatal access conflict
/// detected" and SIGABRT instead of exit status 130. Atomic loads and stores are not checked and
/// are async-signal-safe.
public enum TempCleanup {
    static let capacity = 256
    /// The registered file names; slot `i` is written before `count` is raised past it.
    static let files: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        p.initialize(repeating: nil, count: capacity)
        return p
    }()
    static let count = Atomic<Int>(0)
    static let folder = Atomic<UnsafeMutablePointer<CChar>?>(nil)

    /// Initialises the storage (Swift initialises globals lazily; a handler must not be the first
    /// to touch them).
    public static func prepare() { _ = files; _ = count.load(ordering: .relaxed); _ = folder.load(ordering: .relaxed) }

    static func register(folder path: String) {
        count.store(0, ordering: .releasing)
        folder.store(strdup(path), ordering: .releasing)
    }

    static func register(file path: String) {
        let n = count.load(ordering: .acquiring)
        guard folder.load(ordering: .acquiring) != nil, !isRegistered(path), n < capacity else { return }
        files[n] = strdup(path)
        count.store(n + 1, ordering: .releasing)
    }

    static func isRegistered(_ path: String) -> Bool {
        for i in 0..<count.load(ordering: .acquiring) where files[i].map({ String(cString: $0) == path }) ?? false { return true }
        return false
    }

    static func clear() {
        folder.store(nil, ordering: .releasing)
        count.store(0, ordering: .releasing)
    }

    /// Async-signal-safe: unlinks every registered file, then removes the folder.
    public static func removeNow() {
        guard let dir = folder.load(ordering: .acquiring) else { return }
        let n = count.load(ordering: .acquiring)
        var i = 0
        while i < n {
            if let f = files[i] { unlink(f) }
            i += 1
        }
        rmdir(dir)
    }
}

/// A checked `--out` target: the absolute path with symbolic links resolved, and whether a
/// results folder is there already. Made by `OutputTarget.check` before the simulation starts.
public struct OutputTarget {
    public let path: String
    public let replaces: Bool

    /// Why a target is refused, for a message "<path>: <why>".
    public struct Refused: Error, CustomStringConvertible {
        public let path: String
        public let why: String
        public var description: String { "\(path): \(why)" }
    }

    enum Judgement { case ours, refused(String) }

    /// Everything that can be known before the run: resolves `out` (relative to `cwd`) through
    /// symbolic links, refuses `/`, the current folder and its parents, the home folder and its
    /// parents, any folder holding the scenario file, an existing file, a folder that is not a
    /// results folder of clustersim, a mount point, a parent that is a file or not writable, and
    /// names longer than the file system allows.
    public static func check(out: String, cwd: String, scenarioFile: String, home: [String]) throws(Refused) -> OutputTarget {
        guard !out.isEmpty else { throw Refused(path: "\"\"", why: "an empty path is not a folder") }
        let shown = out
        let abs = out.hasPrefix("/") ? out : cwd + "/" + out
        let (t, firstMissing) = try resolve(abs, shown: shown)
        func refuse(_ why: String) -> Refused {
            Refused(path: t == shown ? shown : "\(shown) (\(t))", why: why)
        }
        if t == "/" { throw refuse("is the root folder") }
        func inside(_ p: String) -> Bool { p == t || p.hasPrefix(t + "/") }
        let realCwd = realpathString(cwd) ?? cwd
        if realCwd == t { throw refuse("is the current folder") }
        if inside(realCwd) { throw refuse("contains the current folder \(realCwd)") }
        for h in home {
            guard let rh = realpathString(h) else { continue }
            if rh == t { throw refuse("is the home folder") }
            if inside(rh) { throw refuse("contains the home folder \(rh)") }
        }
        if let sf = realpathString(scenarioFile) {
            if sf == t { throw refuse("is the scenario file") }
            if inside(sf) { throw refuse("holds the scenario file \(scenarioFile)") }
        }
        let name = ResultsFolder.lastComponent(t)
        let nameMax = Int(NAME_MAX)
        if name.utf8.count > nameMax {
            throw refuse("its name is \(name.utf8.count) bytes long; the file system allows at most \(nameMax)")
        }
        let longest = ResultsWriter.fileNames.map(\.utf8.count).max() ?? 0
        if t.utf8.count + 1 + longest >= Int(PATH_MAX) {
            throw refuse("the path is too long (\(t.utf8.count) bytes; its files must stay under \(PATH_MAX))")
        }
        var st = stat()
        let exists = firstMissing == nil && lstat(t, &st) == 0
        if exists, case .refused(let why) = judgeExisting(t) { throw refuse(why) }
        // the folder that will hold the target (and the temporary folder): the nearest existing one
        let holder = ResultsFolder.parentOf(firstMissing ?? t)
        var hs = stat()
        if lstat(holder, &hs) != 0 {
            throw refuse("cannot use \(holder): \(String(cString: strerror(errno)))")
        }
        if (hs.st_mode & S_IFMT) != S_IFDIR { throw refuse("\(holder) is not a folder") }
        if access(holder, W_OK | X_OK) != 0 {
            throw refuse("cannot write in \(holder): \(String(cString: strerror(errno)))")
        }
        return OutputTarget(path: t, replaces: exists)
    }

    /// Resolves `abs` component by component: symbolic links of existing parts are followed
    /// (realpath), `.` and `..` are applied to the resolved path. Returns the path and the first
    /// component that does not exist (nil when all do).
    static func resolve(_ abs: String, shown: String) throws(Refused) -> (String, String?) {
        var cur = "/"
        var missing: String? = nil
        for c in abs.split(separator: "/", omittingEmptySubsequences: true).map(String.init) {
            if c == "." { continue }
            if c == ".." {
                cur = ResultsFolder.parentOf(cur)
                if let m = missing, !(cur == m || cur.hasPrefix(m + "/")) { missing = nil }
                continue
            }
            let next = cur == "/" ? "/" + c : cur + "/" + c
            if missing != nil { cur = next; continue }
            var st = stat()
            if lstat(next, &st) != 0 {
                // a name too long is reported by the name check, as a name that does not exist yet
                if errno == ENOENT || errno == ENAMETOOLONG { missing = next; cur = next; continue }
                if errno == ENOTDIR { throw Refused(path: shown, why: "\(cur) is a file, not a folder") }
                throw Refused(path: shown, why: "cannot use \(next): \(String(cString: strerror(errno)))")
            }
            if (st.st_mode & S_IFMT) == S_IFLNK {
                guard let r = realpathString(next) else {
                    throw Refused(path: shown, why: "\(next) is a symbolic link to nothing (\(String(cString: strerror(errno))))")
                }
                cur = r
            } else {
                cur = next
            }
        }
        return (cur, missing)
    }

    static func realpathString(_ p: String) -> String? {
        guard let r = realpath(p, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }

    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: return "a file"
        case S_IFDIR: return "a folder"
        case S_IFLNK: return "a symbolic link"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        default: return "not a regular file"
        }
    }

    /// Whether the existing `path` (symbolic links resolved) is a results folder of clustersim:
    /// an empty folder, or one holding only files the tool writes (ResultsWriter.fileNames), one of
    /// them a summary.json that starts as the tool writes it. Folders written by any version of the
    /// tool pass; a user's folder (or a results folder the user added files to) does not.
    static func judgeExisting(_ path: String) -> Judgement {
        var st = stat()
        guard lstat(path, &st) == 0 else { return .ours }
        let k = kind(st.st_mode)
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            return .refused("exists and is \(k), not a results folder; clustersim replaces only results folders it wrote")
        }
        var ps = stat()
        if lstat(ResultsFolder.parentOf(path), &ps) == 0 && ps.st_dev != st.st_dev {
            return .refused("is a mount point; clustersim replaces only results folders it wrote")
        }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            return .refused("is a folder that cannot be read (\(String(cString: strerror(errno))))")
        }
        if entries.isEmpty { return .ours }
        for e in entries.sorted() {
            var es = stat()
            guard lstat(path + "/" + e, &es) == 0 else { continue }
            if ResultsFolder.isConfigFolder(e, in: path) { continue }
            if !ResultsWriter.fileNames.contains(e) || (es.st_mode & S_IFMT) != S_IFREG {
                return .refused("is a folder holding \(e) (\(kind(es.st_mode))), which clustersim does not write: "
                                + "not a results folder; clustersim replaces only results folders it wrote")
            }
        }
        guard entries.contains("summary.json"), summaryLooksOurs(path + "/summary.json") else {
            return .refused("is a folder without a summary.json written by clustersim: not a results folder; "
                            + "clustersim replaces only results folders it wrote")
        }
        return .ours
    }

    /// summary.json as ResultsWriter writes it: `{"headline": {"scenario": ...` (whitespace aside).
    static func summaryLooksOurs(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let head = (try? h.read(upToCount: 128)) ?? Data()
        let compact = String(decoding: head.filter { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }, as: UTF8.self)
        return compact.hasPrefix("{\"headline\":{\"scenario\":")
    }
}
