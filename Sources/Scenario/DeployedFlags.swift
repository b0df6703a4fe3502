import ClusterModel
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Flags as they are deployed: `flagsFrom` on `mesos.masters`, `mesos.agents` and `marathon` reads
// the files an operator already has and hands the flags to the same decoders as `flags`
// (docs/scenarios.md "Flags as deployed"):
//
//   {"commandLine": "/usr/sbin/mesos-agent --master=zk://zk1:2181/mesos --work_dir=/var/lib/mesos"}
//       a command line as in a systemd unit's ExecStart or a start script (shell quoting, `\`
//       line continuations, `$VAR` from the environment files of the same list)
//   {"environmentFile": "deploy/default/mesos-slave"}
//       shell assignments (/etc/default/..., a systemd EnvironmentFile, a Docker --env-file):
//       MESOS_* (MARATHON_*) variables, and the package wrappers' own variables
//   {"folder": "deploy/etc/mesos-slave"}
//       the Mesosphere packages' flag folders: /etc/mesos-master, /etc/mesos-slave (one file per
//       flag, `?name` for a flag without value, attributes/ and resources/ subfolders),
//       /etc/marathon/conf
//   {"root": "deploy/machine"}
//       Mesos only: the deployed machine's /, from which `file://` flag values are read
//       (`mesosFlagFiles`, as stout's flags::fetch reads them)
//
// Mesos reads the result as stout does (3rdparty/stout/include/stout/flags/flags.hpp@1.4.0
// `FlagsBase::load`): the command line, then MESOS_* variables for the flags the command line
// does not give; Marathon as its start script and Scallop do (mesosphere/marathon@v1.4.0 bin/start:
// every MARATHON_* variable but MARATHON_APP* becomes `--name value` before the arguments). The
// scenario's own `flags` object is read last and wins over every deployed source.

/// What a deployed source says about one flag.
struct DeployedFlag {
    var name: String
    /// nil: given without a value (`--name`, a `?name` file).
    var value: String?
    var location: SourceLocation?
}

/// Shell words, as POSIX sh splits a command line or the value of an assignment: blanks separate
/// words; `'...'` keeps everything; `"..."` keeps all but `\"`, `\\`, `\$`, `` \` `` and a
/// backslash-newline; an unquoted backslash keeps the next character (a backslash-newline joins
/// lines); `#` at the start of a word comments out the rest of the line; `$NAME` and `${NAME}`
/// expand from `variables` (an unset one is empty, as in sh). Command substitution and other
/// expansions are not evaluated: they are reported.
enum ShellWords {
    struct Failure: Error { var message: String }

    /// A word longer than this after expansion is refused (`A=$A$A` repeated doubles a variable on
    /// every line: sh would exhaust memory).
    static let maxWordBytes = 1 << 20
    static let tooLong = Failure(message: "a word grows beyond \(maxWordBytes) bytes when its variables are expanded (each `A=$A$A` doubles A); sh would exhaust its memory")

    static func split(_ text: String, variables: [String: String], unset: inout [String]) -> Result<[String], Failure> {
        let s = Array(text.unicodeScalars)
        var words: [String] = []
        var cur = ""
        var inWord = false
        var i = 0
        /// At s[i] == "$": the expansion's value (nil: a lone "$", kept as it is), i moved past it.
        func expand() -> Result<String?, Failure> {
            if i + 1 >= s.count { i += 1; return .success(nil) }
            let n = s[i + 1]
            if n == "(" { return .failure(Failure(message: "a command substitution $(...) is not evaluated; write its output instead")) }
            if n == "{" {
                guard let close = s[(i + 2)...].firstIndex(of: "}") else { return .failure(Failure(message: "an unterminated ${ in a variable expansion")) }
                let name = String(String.UnicodeScalarView(s[(i + 2)..<close]))
                guard isName(name) else { return .failure(Failure(message: "the expansion ${\(name)} is not evaluated (only ${NAME} and $NAME are); write its value instead")) }
                i = close + 1
                if let v = variables[name] { return .success(v) }
                unset.append(name); return .success("")
            }
            if isNameStart(n) {
                var j = i + 1
                while j < s.count, isNameChar(s[j]) { j += 1 }
                let name = String(String.UnicodeScalarView(s[(i + 1)..<j]))
                i = j
                if let v = variables[name] { return .success(v) }
                unset.append(name); return .success("")
            }
            if n.properties.numericType != nil || "@*#?$!-".unicodeScalars.contains(n) {
                return .failure(Failure(message: "the special parameter $\(n) is not evaluated; write its value instead"))
            }
            i += 1; return .success(nil)
        }
        while i < s.count {
            let c = s[i]
            switch c {
            case " ", "\t", "\n", "\r":
                if inWord { words.append(cur); cur = ""; inWord = false }
                i += 1
            case "#" where !inWord:
                while i < s.count, s[i] != "\n" { i += 1 }
            case "\\":
                if i + 1 < s.count {
                    if s[i + 1] == "\n" { i += 2; continue }
                    cur.unicodeScalars.append(s[i + 1]); inWord = true; i += 2
                } else { cur.unicodeScalars.append("\\"); inWord = true; i += 1 }
            case "'":
                guard let close = s[(i + 1)...].firstIndex(of: "'") else { return .failure(Failure(message: "an unterminated single quote")) }
                cur.unicodeScalars.append(contentsOf: s[(i + 1)..<close]); inWord = true; i = close + 1
            case "\"":
                inWord = true; i += 1
                var closed = false
                while i < s.count {
                    let q = s[i]
                    if q == "\"" { closed = true; i += 1; break }
                    if q == "\\", i + 1 < s.count, "\"\\$`\n".unicodeScalars.contains(s[i + 1]) {
                        if s[i + 1] != "\n" { cur.unicodeScalars.append(s[i + 1]) }
                        i += 2; continue
                    }
                    if q == "`" { return .failure(Failure(message: "a command substitution `...` is not evaluated; write its output instead")) }
                    if q == "$" {
                        switch expand() {
                        case .failure(let f): return .failure(f)
                        case .success(let v): cur += v ?? "$"
                        }
                        if cur.utf8.count > maxWordBytes { return .failure(tooLong) }
                        continue
                    }
                    cur.unicodeScalars.append(q); i += 1
                }
                if !closed { return .failure(Failure(message: "an unterminated double quote")) }
            case "`":
                return .failure(Failure(message: "a command substitution `...` is not evaluated; write its output instead"))
            case "$":
                // unquoted: the value is split into words at blanks, and an empty one makes no word
                switch expand() {
                case .failure(let f): return .failure(f)
                case .success(nil): cur.unicodeScalars.append("$"); inWord = true
                case .success(let v?):
                    if cur.utf8.count + v.utf8.count > maxWordBytes { return .failure(tooLong) }
                    for c in v.unicodeScalars {
                        if c == " " || c == "\t" || c == "\n" {
                            if inWord { words.append(cur); cur = ""; inWord = false }
                        } else { cur.unicodeScalars.append(c); inWord = true }
                    }
                }
            case ";", "&", "|", "<", ">", "(", ")":
                return .failure(Failure(message: "the shell operator \(JSONValue.quote(String(c))) is not run; give one command's words only"))
            default:
                cur.unicodeScalars.append(c); inWord = true; i += 1
            }
        }
        if inWord { words.append(cur) }
        return .success(words)
    }

    static func isNameStart(_ c: Unicode.Scalar) -> Bool { c == "_" || (c.isASCII && c.properties.isAlphabetic) }
    static func isNameChar(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || ("0"..."9").contains(c) }
    static func isName(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, isNameStart(f) else { return false }
        return s.unicodeScalars.allSatisfy(isNameChar)
    }
}

/// One assignment of an environment file, where it was.
struct EnvironmentAssignment { var name: String; var value: String; var location: SourceLocation }

struct EnvironmentFileError: Error { var location: SourceLocation; var message: String }

/// Who reads an environment file: sh sourcing it (the Mesosphere wrappers, a run script), or
/// systemd's `EnvironmentFile=` (dockerd's, Prometheus', Alertmanager's, Consul's and
/// consul-template's units).
enum EnvironmentFileSyntax { case sh, systemd }

enum EnvironmentFileParser {
    /// The assignments of a file as systemd reads an `EnvironmentFile=` (systemd src/basic/env-file.c
    /// `parse_env_file_internal` through `load_env_file`; systemd.exec(5)): `#` and `;` start a comment
    /// line; a line without `=` is dropped; the key and an unquoted value lose their leading and
    /// trailing blanks and keep the inner ones (`OPTS= -s overlay` is `-s overlay`, where sh would
    /// run `-s`); a backslash keeps the next character (before a newline: continues the line);
    /// `'...'` is literal, `"..."` unescapes `"`, `\`, `` ` `` and `$` and keeps any other
    /// backslash; quoted and unquoted parts of one value join; nothing expands (`$X` stays as
    /// written); an assignment whose name is not a variable name (`export X=1`) is ignored, as
    /// systemd ignores it, with a warning.
    static func parseSystemd(_ text: String, file: String, variables: inout [String: String],
                             warn: (SourceLocation, String) -> Void) -> [EnvironmentAssignment] {
        enum State { case preKey, key, preValue, value, valueEscape, single, double, doubleEscape, comment, commentEscape }
        var out: [EnvironmentAssignment] = []
        var state = State.preKey
        var key: [Unicode.Scalar] = [], value: [Unicode.Scalar] = []
        var lastKeyBlank: Int? = nil, lastValueBlank: Int? = nil
        var line = 1, keyLine = 1
        let newline: Set<Unicode.Scalar> = ["\n", "\r"], blank: Set<Unicode.Scalar> = [" ", "\t", "\n", "\r"]
        func push(chompValue: Bool) {
            if let k = lastKeyBlank { key.removeSubrange(k...) }
            if chompValue, let k = lastValueBlank { value.removeSubrange(k...) }
            let name = String(String.UnicodeScalarView(key)), v = String(String.UnicodeScalarView(value))
            let loc = SourceLocation(file: file, line: keyLine, column: 1)
            if ShellWords.isName(name) {
                variables[name] = v
                out.append(EnvironmentAssignment(name: name, value: v, location: loc))
            } else {
                warn(loc, "\(JSONValue.quote(String((name + "=" + v).prefix(80)))) is not a variable assignment; systemd ignores it (\"Ignoring invalid environment assignment\")")
            }
            key = []; value = []; lastKeyBlank = nil; lastValueBlank = nil
        }
        for c in text.unicodeScalars {
            switch state {
            case .preKey:
                if c == "#" || c == ";" { state = .comment }
                else if !blank.contains(c) { state = .key; key = [c]; keyLine = line; lastKeyBlank = nil }
            case .key:
                if newline.contains(c) { state = .preKey; key = [] }
                else if c == "=" { state = .preValue; lastValueBlank = nil }
                else {
                    if !blank.contains(c) { lastKeyBlank = nil } else if lastKeyBlank == nil { lastKeyBlank = key.count }
                    key.append(c)
                }
            case .preValue:
                if newline.contains(c) { state = .preKey; push(chompValue: false) }
                else if c == "'" { state = .single }
                else if c == "\"" { state = .double }
                else if c == "\\" { state = .valueEscape }
                else if !blank.contains(c) { state = .value; value.append(c) }
            case .value:
                if newline.contains(c) { state = .preKey; push(chompValue: true) }
                else if c == "\\" { state = .valueEscape; lastValueBlank = nil }
                else {
                    if !blank.contains(c) { lastValueBlank = nil } else if lastValueBlank == nil { lastValueBlank = value.count }
                    value.append(c)
                }
            case .valueEscape:
                state = .value
                if !newline.contains(c) { value.append(c) }
            case .single:
                if c == "'" { state = .preValue } else { value.append(c) }
            case .double:
                if c == "\"" { state = .preValue } else if c == "\\" { state = .doubleEscape } else { value.append(c) }
            case .doubleEscape:
                state = .double
                if "\"\\`$".unicodeScalars.contains(c) { value.append(c) }
                else if c != "\n" { value.append("\\"); value.append(c) }
            case .comment:
                if c == "\\" { state = .commentEscape } else if newline.contains(c) { state = .preKey }
            case .commentEscape:
                state = .comment
            }
            if c == "\n" { line += 1 }
        }
        switch state {
        case .preValue, .valueEscape, .single, .double, .doubleEscape: push(chompValue: false)
        case .value: push(chompValue: true)
        default: break
        }
        return out
    }

    /// The assignments of a file of shell assignments (`NAME=value`, optionally `export`), as sh
    /// sources it with `set -o allexport` (the Mesosphere wrappers) or systemd reads an
    /// EnvironmentFile. Earlier assignments (also of earlier files) expand in later values. A line
    /// that is no assignment (`ulimit -n 8192`, `if ...`) is skipped with a warning: the simulator
    /// runs no shell commands. Errors are returned with their line.
    static func parse(_ text: String, file: String, variables: inout [String: String],
                      warn: (SourceLocation, String) -> Void) -> Result<[EnvironmentAssignment], EnvironmentFileError> {
        var out: [EnvironmentAssignment] = []
        // logical lines: a backslash-newline continues the line
        var lines: [(text: String, line: Int)] = []
        var pending = "", start = 1, n = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            n += 1
            var l = String(raw)
            if l.hasSuffix("\r") { l.removeLast() }
            if pending.isEmpty { start = n }
            if l.hasSuffix("\\") && !l.hasSuffix("\\\\") { pending += l.dropLast() ; continue }
            lines.append((pending + l, start)); pending = ""
        }
        if !pending.isEmpty { lines.append((pending, start)) }
        for (l, line) in lines {
            let loc = SourceLocation(file: file, line: line, column: 1)
            var t = l.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("#") { continue }
            if t.hasPrefix("export ") || t.hasPrefix("export\t") { t = String(t.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let eq = t.firstIndex(of: "="), ShellWords.isName(String(t[..<eq])) else {
                warn(loc, "not an assignment NAME=value; skipped (the simulator runs no shell commands): \(JSONValue.quote(String(t.prefix(80))))")
                continue
            }
            let name = String(t[..<eq])
            var unset: [String] = []
            switch ShellWords.split(String(t[t.index(after: eq)...]), variables: variables, unset: &unset) {
            case .failure(let f) where f.message == ShellWords.tooLong.message:
                return .failure(EnvironmentFileError(location: loc, message: "\(name)=...: \(f.message)"))
            case .failure(let f):
                warn(loc, "\(name) is not set: \(f.message)")
                continue
            case .success(let words):
                if words.count > 1 {
                    return .failure(EnvironmentFileError(location: loc, message: "\(name)=... has more than one word (\(words.map { JSONValue.quote($0) }.joined(separator: " "))): sh would run \(JSONValue.quote(words[1])) as a command; quote the value"))
                }
                for u in unset { warn(loc, "$\(u) is not set here; it expands to nothing") }
                let v = words.first ?? ""
                variables[name] = v
                out.append(EnvironmentAssignment(name: name, value: v, location: loc))
            }
        }
        return .success(out)
    }
}

extension ScenarioSchema {
    /// Which program's flags a `flagsFrom` list is read for.
    enum FlagProgram {
        case mesosMaster, mesosAgent, marathon, chronos
        /// kingpin's programs (KingpinFlags.swift): environment files only give the command line's `$NAME`s.
        case prometheus, alertmanager
        /// Scallop's programs (Marathon, Chronos) take `--name value`; stout's `--name=value`.
        var isScallop: Bool { self == .marathon || self == .chronos }
        /// The Mesosphere packages' wrapper variables (mesos-init-wrapper, /etc/default/mesos*):
        /// each becomes the flag on the command line, before the folder's flags.
        var wrapperVariables: [(variable: String, flag: String)] {
            switch self {
            case .mesosAgent: return [("MASTER", "master"), ("IP", "ip"), ("LOGS", "log_dir"), ("ISOLATION", "isolation")]
            case .mesosMaster: return [("ZK", "zk"), ("IP", "ip"), ("PORT", "port"), ("CLUSTER", "cluster"), ("LOGS", "log_dir")]
            case .marathon, .chronos: return []
            case .prometheus, .alertmanager: return []
            }
        }
    }

    /// Unknown flag names of the deployed sources passed on to the decoders (each reports one error;
    /// the real programs stop at the first).
    static let maxUnknownFlagsReported = 20

    /// At most this many files are read from a flag folder (a real one has a few dozen).
    static let maxFlagFolderFiles = 1000

    /// A file or folder of `flagsFrom`, relative to the scenario's folder and inside it (also after
    /// symbolic links); nil after an error.
    static func deployedPath(_ rel: String, path p: String, at v: JSONValue, folder: Bool, _ d: Diagnostics) -> (real: String, display: String)? {
        guard let given = d.baseDirectory, let root = Paths.realPath(Paths.normalize(given)) else {
            d.error(p, at: v, "deployed flag files can only be read from a scenario file (its folder is where the path starts)"); return nil
        }
        if rel.isEmpty { d.error(p, at: v, "an empty path; give a \(folder ? "folder" : "file") relative to the scenario's folder"); return nil }
        if rel.hasPrefix("/") {
            d.error(p, at: v, "\(JSONValue.quote(rel)) is an absolute path; copy the deployed \(folder ? "folder" : "file") beside the scenario and name it relative to the scenario's folder"); return nil
        }
        let lexical = Paths.normalize(root + "/" + rel)
        guard Paths.isInside(lexical, root) else { d.error(p, at: v, "\(JSONValue.quote(rel)) resolves outside the scenario's folder \(root); it must stay inside it"); return nil }
        guard let real = Paths.realPath(lexical) else { d.error(p, at: v, "cannot read \(JSONValue.quote(rel)): no such \(folder ? "folder" : "file")"); return nil }
        guard Paths.isInside(real, root) else { d.error(p, at: v, "\(JSONValue.quote(rel)) resolves through a symbolic link to \(real), outside the scenario's folder \(root)"); return nil }
        var st = stat()
        guard stat(real, &st) == 0 else { d.error(p, at: v, "cannot read \(JSONValue.quote(rel)): \(Paths.errnoText(errno))"); return nil }
        let isDir = st.st_mode & S_IFMT == S_IFDIR
        if folder && !isDir { d.error(p, at: v, "\(JSONValue.quote(rel)) is not a folder; a flag folder holds one file per flag (like /etc/mesos-slave)"); return nil }
        if !folder && isDir { d.error(p, at: v, "\(JSONValue.quote(rel)) is a folder; give the file (a folder of flag files is {\"folder\": ...})"); return nil }
        return (real, Paths.normalize(rel))
    }

    static func readDeployedText(_ real: String, display: String, path p: String, at v: JSONValue, budget: inout Int, _ d: Diagnostics) -> String? {
        switch Paths.regularFileSize(real) {
        case .failure(let e): d.error(p, at: v, "cannot read \(JSONValue.quote(display)): \(e.message)"); return nil
        case .success(let n):
            budget += n
            if budget > IncludeLimits.maxTotalBytes { d.error(p, at: v, "the deployed flag files total more than \(IncludeLimits.maxTotalBytes) bytes"); return nil }
        }
        switch Paths.readText(real) {
        case .failure(let e): d.error(p, at: v, "cannot read \(JSONValue.quote(display)): \(e.message)"); return nil
        case .success(let t): return t
        }
    }

    /// `$(cat file)` and `$(< file)`: the content without its trailing newlines.
    static func commandSubstitutionValue(_ text: String) -> String {
        var t = Substring(text)
        while t.hasSuffix("\n") { t = t.dropLast() }
        return String(t)
    }

    /// The regular files of a folder whose names do not start with "." (sh's `*`), in byte order
    /// (the wrappers' glob sorts by the locale; for flag names, which are ASCII, the same).
    static func flagFolderEntries(_ real: String) -> [(name: String, isFile: Bool, isDir: Bool)]? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: real) else { return nil }
        return names.filter { !$0.hasPrefix(".") }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .prefix(maxFlagFolderFiles + 1)
            .map { n in
                var st = stat()
                let ok = stat(real + "/" + n, &st) == 0
                return (n, ok && st.st_mode & S_IFMT == S_IFREG, ok && st.st_mode & S_IFMT == S_IFDIR)
            }
    }

    /// The deployed machine's `/` (`{"root": "DIR"}`): where Mesos' `file://` flag values are read.
    typealias FlagRoot = (real: String, display: String)

    /// What `flagsFrom` gives: the deployed sources' words (command-line arguments, in order), their
    /// environment, the `root` (Mesos only) and the bytes read so far (of `IncludeLimits.maxTotalBytes`).
    typealias DeployedSources = (args: [(word: String, location: SourceLocation?)], environment: [EnvironmentAssignment], root: FlagRoot?, budget: Int)

    /// The deployed sources' words, environment and root, read from `flagsFrom`; nil after an error.
    static func deployedFlagWords(_ v: JSONValue, path: String, program: FlagProgram, _ d: Diagnostics) -> DeployedSources? {
        let sourceKeys = ["commandLine", "environmentFile", "folder", "root"]
        let expected = "a list of deployed flag sources: {\"commandLine\": \"...\"}, {\"environmentFile\": \"path\"}, {\"folder\": \"path\"}\(program == .mesosMaster || program == .mesosAgent ? " or {\"root\": \"folder\"} (the deployed machine's /, where file:// values are read)" : "")"
        guard let sources = deployedSources(v, path: path, kinds: sourceKeys, expected: expected, d) else { return nil }
        let count = v.arrayValue?.count ?? 0
        let before = d.errorCount
        var args: [(word: String, location: SourceLocation?)] = []
        var wrapperArgs: [(word: String, location: SourceLocation?)] = []
        var environment: [EnvironmentAssignment] = []
        var variables: [String: String] = [:]
        var budget = 0
        var root: FlagRoot?
        var rootIndex: Int?
        var commandArgs: [Int: [(word: String, location: SourceLocation?)]] = [:]
        for (i, key, value, mp) in sources {
            let m = (key: key, value: value)
            switch m.key {
            case "root":
                // stout's flags::fetch reads `file://` values (Mesos); Scallop reads none
                if program != .mesosMaster && program != .mesosAgent {
                    let name = [FlagProgram.marathon: "Marathon", .chronos: "Chronos", .prometheus: "Prometheus", .alertmanager: "Alertmanager"][program] ?? "This program"
                    d.error(mp, at: m.value, "\(name) reads no flag value from a file (\(program.isScallop ? "Scallop" : "kingpin") takes a value as written); {\"root\": ...} is for mesos.masters and mesos.agents"); continue
                }
                if let first = rootIndex {
                    d.error(mp, at: m.value, "a second root; one list has one deployed machine's / (the first is \(JSONPath.key(JSONPath.index(path, first), "root")))"); continue
                }
                rootIndex = i
                guard let rel = m.value.stringValue else { d.error(mp, at: m.value, typeMismatch("a folder holding the deployed machine's files as under its / (etc/mesos/...), relative to the scenario's folder", m.value)); continue }
                root = deployedPath(rel, path: mp, at: m.value, folder: true, d)
            case "commandLine":
                var words = commandLineWords(m.value, path: mp, variables: variables, d) ?? []
                // Marathon: the words before the first option are the program (and the JVM's
                // options: `java -Xmx1g -jar marathon.jar --master ...`); stout skips them itself
                if program.isScallop { words = Array(words.drop { !$0.word.hasPrefix("--") }) }
                commandArgs[i] = words
            case "environmentFile":
                // the Mesosphere wrappers source theirs; Debian's prometheus units read theirs as EnvironmentFile=
                let syntax: EnvironmentFileSyntax = program == .prometheus || program == .alertmanager ? .systemd : .sh
                if let assigned = readEnvironmentFile(m.value, path: mp, variables: &variables, budget: &budget, syntax: syntax, d) { environment += assigned }
            default:
                guard let rel = m.value.stringValue else { d.error(mp, at: m.value, typeMismatch("a flag folder (one file per flag), relative to the scenario's folder", m.value)); continue }
                guard let f = deployedPath(rel, path: mp, at: m.value, folder: true, d) else { continue }
                guard let entries = flagFolderEntries(f.real) else { d.error(mp, at: m.value, "cannot list the folder \(JSONValue.quote(rel))"); continue }
                if entries.count > maxFlagFolderFiles { d.error(mp, at: m.value, "more than \(maxFlagFolderFiles) files in \(JSONValue.quote(rel))"); continue }
                var words: [(word: String, location: SourceLocation?)] = []
                var failed = false
                for e in entries where e.isFile {
                    let display = f.display + "/" + e.name
                    let loc = SourceLocation(file: display, line: 1, column: 1)
                    if e.name.hasPrefix("?") { words.append(("--" + e.name.dropFirst(), loc)); continue }
                    guard let text = readDeployedText(f.real + "/" + e.name, display: display, path: mp, at: m.value, budget: &budget, d) else { failed = true; break }
                    let value = commandSubstitutionValue(text)
                    // mesos-init-wrapper: --name="$(cat f)"; marathon's: --name "$(< f)"
                    if program.isScallop { words.append(("--" + e.name, loc)); words.append((value, loc)) }
                    else { words.append(("--\(e.name)=\(value)", loc)) }
                }
                if failed { continue }
                // mesos-init-wrapper (agent): attributes/ and resources/ hold one file per key;
                // the non-empty ones join as key:value;key:value
                if program == .mesosAgent {
                    for sub in ["attributes", "resources"] where entries.contains(where: { $0.name == sub && $0.isDir }) {
                        guard let inner = flagFolderEntries(f.real + "/" + sub) else { continue }
                        var pairs: [String] = []
                        for e in inner where e.isFile {
                            let display = "\(f.display)/\(sub)/\(e.name)"
                            guard let text = readDeployedText("\(f.real)/\(sub)/\(e.name)", display: display, path: mp, at: m.value, budget: &budget, d) else { failed = true; break }
                            if !text.isEmpty { pairs.append("\(e.name):\(commandSubstitutionValue(text))") }
                        }
                        if !pairs.isEmpty { words.append(("--\(sub)=\(pairs.joined(separator: ";"))", SourceLocation(file: "\(f.display)/\(sub)", line: nil, column: nil))) }
                    }
                }
                commandArgs[i] = words
            }
        }
        guard d.errorCount == before else { return nil }
        // the wrappers' own variables, on the command line before the folder's flags
        var last: [String: EnvironmentAssignment] = [:]
        for a in environment { last[a.name] = a }
        for w in program.wrapperVariables {
            if let a = last[w.variable], !a.value.isEmpty { wrapperArgs.append(("--\(w.flag)=\(a.value)", a.location)) }
        }
        args = wrapperArgs
        for i in 0..<count { args += commandArgs[i] ?? [] }
        return (args, environment, root, budget)
    }

    // MARK: Mesos

    /// stout's reading of a command line and the MESOS_* environment into flags: the values
    /// `FlagsBase::load` hands each flag (a boolean given without a value is "true", `--no-name`
    /// is "false"), as a JSON object of strings for the flag decoders; nil after an error.
    /// `isBoolean`: nil for a name Mesos does not know (left for the decoder's unknown-flag error).
    static func mesosDeployedFlags(_ v: JSONValue, path: String, flagsPath: String, program: FlagProgram,
                                   isBoolean: (String) -> Bool?, _ d: Diagnostics) -> (members: [JSONMember], root: FlagRoot?, budget: Int)? {
        guard let (args, environment, root, budget) = deployedFlagWords(v, path: path, program: program, d) else { return nil }
        let before = d.errorCount
        var values: [DeployedFlag] = []
        for (word, loc) in args {
            let arg = word.trimmingCharacters(in: .whitespacesAndNewlines)
            if arg == "--" { break }
            guard arg.hasPrefix("--") else { continue }   // stout skips what does not look like a flag
            var name: String, value: String? = nil
            if let eq = arg.firstIndex(of: "=") {
                name = String(arg[arg.index(arg.startIndex, offsetBy: 2)..<eq]); value = String(arg[arg.index(after: eq)...])
            } else { name = String(arg.dropFirst(2)) }
            name = name.lowercased()
            values.append(DeployedFlag(name: name, value: value, location: loc))
        }
        // MESOS_NAME or MESOS_name: the known flags the command line does not give (`extract`)
        var fromEnvironment: [String: EnvironmentAssignment] = [:]
        for a in environment where a.name.hasPrefix("MESOS_") {
            let name = String(a.name.dropFirst(6)).lowercased()
            let flagName = name.hasPrefix("no-") ? String(name.dropFirst(3)) : name
            if isBoolean(flagName) == nil {
                d.warning(path, location: a.location, "\(a.name): Mesos reads MESOS_* variables only for its flags, and \(JSONValue.quote(flagName)) is none; ignored")
                continue
            }
            fromEnvironment[name] = a
        }
        for name in fromEnvironment.keys.sorted() where !values.contains(where: { $0.name == name }) {
            let a = fromEnvironment[name]!
            values.append(DeployedFlag(name: name, value: a.value, location: a.location))
        }
        var out: [JSONMember] = []
        var loadedBy: [String: String] = [:]
        var reported: Set<String> = []
        var unknown: Set<String> = []
        for f in values {
            let negated = f.name.hasPrefix("no-")
            let flagName = negated ? String(f.name.dropFirst(3)) : f.name
            let p = JSONPath.key(flagsPath, flagName)
            guard let boolean = isBoolean(flagName) else {
                // unknown: the decoder reports it in stout's words (stout stops at the first; each
                // distinct name is passed once, at most `maxUnknownFlagsReported` of them)
                if unknown.insert(flagName).inserted, unknown.count <= maxUnknownFlagsReported {
                    out.append(JSONMember(key: flagName, keyLocation: f.location, value: JSONValue(.string(f.value ?? ""), location: f.location)))
                }
                continue
            }
            if let earlier = loadedBy[flagName] {
                // once per flag, however often it is repeated
                if reported.insert(flagName).inserted {
                    d.error(p, location: f.location, "Flag '\(flagName)' is already loaded via name '\(earlier)' (stout refuses a flag given twice)")
                }
                continue
            }
            loadedBy[flagName] = flagName
            let value: String
            if !boolean {
                if negated { d.error(p, location: f.location, "Failed to load non-boolean flag '\(flagName)' via '\(f.name)'"); continue }
                guard let v = f.value else { d.error(p, location: f.location, "Failed to load non-boolean flag '\(flagName)': Missing value (stout reads --\(flagName)=VALUE; --\(flagName) VALUE leaves VALUE as an argument)"); continue }
                value = v
            } else if f.value == nil || f.value == "" {
                value = negated ? "false" : "true"
            } else if !negated {
                value = f.value!
            } else {
                d.error(p, location: f.location, "Failed to load boolean flag '\(flagName)' via '\(f.name)' with value '\(f.value!)'"); continue
            }
            out.append(JSONMember(key: flagName, keyLocation: f.location, value: JSONValue(.string(value), location: f.location)))
        }
        return d.errorCount == before ? (out, root, budget) : nil
    }

    // MARK: Marathon

    /// Marathon's start script and Scallop: MARATHON_* variables (not MARATHON_APP*) become words
    /// as bin/start's awk makes them (every "MARATHON_" removed and every "=" made a blank, the
    /// first field lower-cased after "--", the line split at blanks), then the other sources' words;
    /// `--name value` or `--name=value`, a toggle (`--name`, `--disable_name`) without a value.
    /// `takesValue`: nil for a name Marathon does not know (its value is the next word, if any,
    /// and the decoder reports the name).
    /// Chronos (`program` .chronos) reads no environment variables as flags: its environment files
    /// only give the command line's `$NAME`s.
    static func scallopDeployedFlags(_ v: JSONValue, path: String, flagsPath: String, program: FlagProgram,
                                     takesValue: (String) -> Bool?, _ d: Diagnostics) -> [JSONMember]? {
        guard let (args, environment, _, _) = deployedFlagWords(v, path: path, program: program, d) else { return nil }
        let before = d.errorCount
        var words: [(word: String, location: SourceLocation?)] = []
        for a in environment where program == .marathon && a.name.hasPrefix("MARATHON_") && !a.name.hasPrefix("MARATHON_APP") {
            let line = "\(a.name)=\(a.value)".replacingOccurrences(of: "MARATHON_", with: "").replacingOccurrences(of: "=", with: " ")
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = fields.first else { continue }
            words.append(("--" + first.lowercased(), a.location))
            for f in fields.dropFirst() { words.append((f, a.location)) }
        }
        words += args
        var out: [JSONMember] = []
        var excess: [String] = []
        var unknown: Set<String> = []
        var i = 0
        while i < words.count {
            let (w, loc) = words[i]; i += 1
            guard w.hasPrefix("--"), w.count > 2 else { excess.append(w); continue }
            var name = String(w.dropFirst(2)), value: String? = nil
            if let eq = name.firstIndex(of: "=") { value = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
            let takes = takesValue(name)
            // an unknown option: Scallop stops at it; each distinct name is passed on once, at most
            // `maxUnknownFlagsReported` of them (a command line of 50,000 makes one error each, not a hang)
            if takes == nil {
                if value == nil, i < words.count, !words[i].word.hasPrefix("--") { value = words[i].word; i += 1 }
                if unknown.insert(name).inserted, unknown.count <= maxUnknownFlagsReported {
                    out.append(JSONMember(key: name, keyLocation: loc, value: value.map { JSONValue(.string($0), location: loc) } ?? JSONValue(.bool(true), location: loc)))
                }
                continue
            }
            if value == nil, takes ?? true, i < words.count, !words[i].word.hasPrefix("--") { value = words[i].word; i += 1 }
            let p = JSONPath.key(flagsPath, name)
            // an option given twice is left to the flags decoder, which says it as Scallop does
            if takes == true && value == nil { d.error(p, location: loc, "--\(name) needs a value (Marathon: Bad arguments for option '\(name)')"); continue }
            if takes == false, let v = value {
                // a toggle takes no value: `--name=value` is not a toggle's form
                d.error(p, location: loc, "--\(name) is a toggle and takes no value, got \(JSONValue.quote(v)) (write --\(name) or --disable_\(name.hasPrefix("disable_") ? String(name.dropFirst(8)) : name))"); continue
            }
            out.append(JSONMember(key: name, keyLocation: loc, value: value.map { JSONValue(.string($0), location: loc) } ?? JSONValue(.bool(true), location: loc)))
        }
        if !excess.isEmpty {
            let why = program == .marathon ? "Marathon takes only options; a value with blanks in a MARATHON_* variable becomes several words in its start script"
                : "Chronos takes only options; its short options (-z) are not read here: write the long name"
            d.error(path, location: words.first(where: { excess.contains($0.word) })?.location, "\(program == .marathon ? "Marathon" : "Chronos") refuses it: [scallop] Error: Excess arguments provided: '\(excess.joined(separator: " "))' (\(why))")
        }
        return d.errorCount == before ? out : nil
    }

    /// The `flags` object a section's decoders read: the deployed sources' flags, then the
    /// scenario's own `flags` members, which replace a deployed flag of the same name.
    static func mergedFlags(deployed: [JSONMember], own: JSONValue?, from: JSONValue) -> JSONValue {
        let ownMembers = own?.objectMembers ?? []
        let ownNames = Set(ownMembers.map { $0.key.hasPrefix("--") ? String($0.key.dropFirst(2)) : $0.key })
        let kept = deployed.filter { !ownNames.contains($0.key) }
        return JSONValue(.object(kept + ownMembers), location: own?.location ?? from.location)
    }
}

extension ScenarioSchema {
    /// Whether Mesos' `program` has the boolean flag `name` (nil: no such flag in `version`, under
    /// its name or its deprecated name: MesosFlagTable.swift).
    static func mesosFlagIsBoolean(_ name: String, program: FlagProgram, version: MesosVersion) -> Bool? {
        let table = mesosFlagTable(program == .mesosMaster ? .master : .agent)
        guard let f = table.first(where: { ($0.name == name || $0.deprecatedName(in: version) == name) && $0.exists(in: version) }) else { return nil }
        return f.kind == .bool
    }

    /// The flags object of `mesos.masters` / `mesos.agents`: `flagsFrom`'s flags with `flags` over
    /// them, `file://` values read (`mesosFlagFiles`); nil when neither is given or `flagsFrom` or a
    /// flag's file has an error (reported).
    static func sectionFlags(_ r: ObjectReader, program: FlagProgram, version: MesosVersion, _ d: Diagnostics) -> JSONValue? {
        var flags = r.value("flags")
        var root: FlagRoot?, budget = 0
        if let from = r.value("flagsFrom") {
            guard let deployed = mesosDeployedFlags(from, path: r.keyPath("flagsFrom"), flagsPath: r.keyPath("flags"), program: program,
                                                    isBoolean: { mesosFlagIsBoolean($0, program: program, version: version) }, d) else { return nil }
            flags = mergedFlags(deployed: deployed.members, own: flags, from: from)
            root = deployed.root; budget = deployed.budget
        }
        guard let flags else { return nil }
        guard let loaded = mesosFlagFiles(flags, root: root, flagsPath: r.keyPath("flags"), program: program, version: version, budget: budget, d) else { return nil }
        // stout checks the required flags after loading every value (flags.hpp load)
        // (an unknown name is stout's error first: the decoder reports it)
        let unknown = loaded.objectMembers?.contains { m in
            var n = m.key.hasPrefix("--") ? String(m.key.dropFirst(2)) : m.key
            if n.hasPrefix("no-") { n = String(n.dropFirst(3)) }
            return mesosFlagIsBoolean(n, program: program, version: version) == nil
        } ?? false
        if program == .mesosAgent, !unknown, let from = r.value("flagsFrom"), !agentWorkDirGiven(flags: loaded, sources: from) {
            d.error(r.keyPath("flagsFrom"), at: from, "Flag 'work_dir' is required, but it was not provided (mesos-agent \(version) does not start): the deployed command line and environment give no --work_dir (MESOS_WORK_DIR); add --work_dir=/var/lib/mesos, as the Mesosphere package's /etc/mesos-slave/work_dir gives it")
            return nil
        }
        if program == .mesosMaster, !unknown, let from = r.value("flagsFrom"), let problem = masterRegistryProblem(flags: loaded, sources: from, version: version) {
            d.error(r.keyPath("flagsFrom"), at: from, problem)
            return nil
        }
        return loaded
    }

    /// What keeps a master deployed by `flagsFrom` from starting with its registry: with the
    /// replicated log (`--registry`'s default) it needs `--work_dir`, and with `--zk` also
    /// `--quorum` (src/master/main.cpp, every tag 1.1.0 to 1.11.x: "--work_dir needed for replicated
    /// log based registry", "Need to specify --quorum for replicated log based registry when using
    /// ZooKeeper"). As for the agent's work_dir, only a deployed command line is checked, and a
    /// `folder` (the Mesosphere package's /etc/mesos-master, which ships work_dir and quorum files)
    /// counts as giving both.
    static func masterRegistryProblem(flags: JSONValue, sources: JSONValue, version: MesosVersion) -> String? {
        guard startsFromCommandLine(sources) else { return nil }
        func value(_ n: String) -> JSONValue? { flags.objectMembers?.first { $0.key == n || $0.key == "--" + n }?.value }
        if value("registry")?.stringValue == "in_memory" { return nil }
        if value("work_dir") == nil {
            return "--work_dir needed for replicated log based registry (mesos-master \(version) exits): the deployed command line and environment give no --work_dir (MESOS_WORK_DIR); add --work_dir=/var/lib/mesos, as the Mesosphere package's /etc/mesos-master/work_dir gives it"
        }
        if value("zk") != nil && value("quorum") == nil {
            return "Need to specify --quorum for replicated log based registry when using ZooKeeper (mesos-master \(version) exits): the deployed command line and environment give --zk but no --quorum (MESOS_QUORUM); add --quorum=N, a majority of the masters"
        }
        return nil
    }

    /// Whether a `flagsFrom` list gives the whole start of a Mesos daemon: a command line and no
    /// package flag folder (whose shipped files, work_dir and quorum, a hand-written copy may leave
    /// out). Only such a start is checked for the flags Mesos cannot start without.
    static func startsFromCommandLine(_ sources: JSONValue) -> Bool {
        let kinds = sources.arrayValue?.compactMap { $0.objectMembers?.first?.key } ?? []
        return kinds.contains("commandLine") && !kinds.contains("folder")
    }

    /// Whether an agent deployed by `flagsFrom` has its `--work_dir`: stout's FlagsBase::load
    /// refuses to start without it (src/slave/flags.hpp declares `std::string work_dir` and
    /// flags.cpp adds it without a default, so stout marks it required: flags.hpp "Flag '...' is
    /// required, but it was not provided", every tag 1.1.0 to 1.11.x). A `folder` source stands
    /// for a Mesosphere package's /etc/mesos-slave, which ships a work_dir file (/var/lib/mesos):
    /// the folder written by hand may leave that file out, so a folder counts as giving it. Only a
    /// deployed command line is checked: without one (environment files of the package wrapper, a
    /// `root` with `flags`) the deployment is not known whole.
    static func agentWorkDirGiven(flags: JSONValue, sources: JSONValue) -> Bool {
        guard startsFromCommandLine(sources) else { return true }
        return flags.objectMembers?.contains { $0.key == "work_dir" || $0.key == "--work_dir" } == true
    }

    /// The flags object of `marathon`, as `sectionFlags`.
    static func marathonSectionFlags(_ r: ObjectReader, version: MarathonVersion, _ d: Diagnostics) -> JSONValue? {
        let own = r.value("flags")
        guard let from = r.value("flagsFrom") else { return own }
        guard let deployed = scallopDeployedFlags(from, path: r.keyPath("flagsFrom"), flagsPath: r.keyPath("flags"), program: .marathon,
                                                  takesValue: { MarathonFlagsDecoder.takesValue($0, version: version) }, d) else { return nil }
        return mergedFlags(deployed: deployed, own: own, from: from)
    }

    /// The flags object of `chronos`, as `sectionFlags`.
    static func chronosSectionFlags(_ r: ObjectReader, _ d: Diagnostics) -> JSONValue? {
        let own = r.value("flags")
        guard let from = r.value("flagsFrom") else { return own }
        guard let deployed = scallopDeployedFlags(from, path: r.keyPath("flagsFrom"), flagsPath: r.keyPath("flags"), program: .chronos,
                                                  takesValue: ChronosFlagTable.takesValue, d) else { return nil }
        return mergedFlags(deployed: deployed, own: own, from: from)
    }
}

extension ScenarioSchema {
    /// stout's warning for a JSON flag's value that starts with '/' (3rdparty/stout/include/stout/
    /// flags/parse.hpp `parse<JSON::Object>`, 1.1.0 to 1.11.0), quoted as it is printed.
    static let stoutAbsolutePathWarning = "Specifying an absolute filename to read a command line option out of without using 'file:// is deprecated and will be removed in a future release. Simply adding 'file://' to the beginning of the path should eliminate this warning."

    /// Mesos' flag values that name files, read as stout reads them: `file://ABS` for every flag but
    /// the `Path` ones (flags/fetch.hpp `fetch<T>`: os::read, then the content parsed as the flag's
    /// type), and for JSON flags also `/ABS` (parse.hpp, deprecated, with its warning). ABS is read
    /// from the `root` folder (the deployed machine's /). The content replaces the value, exactly as
    /// read (with its final newline): a JSON flag's content becomes its parsed object (located in
    /// the file), any other the string the flag's parser takes, checked here by `stoutValue` so that
    /// a refused content is reported with the `file://` value as stout says it. Without a root, a
    /// modelled flag's file value is an error; an unmodelled flag's is left out with a warning.
    /// nil after an error (reported). docs/mesos.md "Every Mesos flag", docs/scenarios.md "Flags as deployed".
    static func mesosFlagFiles(_ flags: JSONValue, root: FlagRoot?, flagsPath: String, program: FlagProgram,
                               version: MesosVersion, budget: Int, _ d: Diagnostics) -> JSONValue? {
        guard let members = flags.objectMembers else { return flags }
        let role: MesosFlagRole = program == .mesosMaster ? .master : .agent
        let binary = role == .master ? "mesos-master" : "mesos-agent"
        let modelled = role == .master ? mesosMasterFlagKeys : mesosAgentFlagKeys
        let table = mesosFlagTable(role), pathFlags = mesosPathFlags(role)
        var budget = budget
        let before = d.errorCount
        var out: [JSONMember] = []
        for m in members {
            let key = m.key
            guard let s = m.value.stringValue,
                  let info = table.first(where: { ($0.name == key || $0.deprecatedName(in: version) == key) && $0.exists(in: version) }),
                  !pathFlags.contains(info.name) else { out.append(m); continue }
            let isJSON: Bool
            switch info.kind { case .jsonObject, .protobuf: isJSON = true; default: isJSON = false }
            let fetched = s.hasPrefix("file://")
            guard fetched || (isJSON && s.hasPrefix("/")) else { out.append(m); continue }
            let p = JSONPath.key(flagsPath, key)
            let prefix = "Failed to load flag '\(key)': Failed to load value '\(s)'"
            let stops = "\(binary) \(version) does not start"
            if !fetched { d.warning(p, at: m.value, "\(stoutAbsolutePathWarning) (Mesos' warning for --\(key)=\(s))") }
            var abs = fetched ? String(s.dropFirst(7)) : s
            guard abs.hasPrefix("/") else {
                d.error(p, at: m.value, "\(prefix): \(JSONValue.quote(abs)) is a relative path, which Mesos reads from its working directory; write file:///ABSOLUTE/PATH (the file as on the deployed machine, under {\"root\": ...})")
                continue
            }
            guard let root else {
                // --attributes is read beside the decoders (`agentAttributesFlag`): modelled too
                if modelled.declares(key) || (role == .agent && info.name == "attributes") {
                    d.error(p, at: m.value, "\(prefix): Mesos reads the file \(abs) (stout's flags::fetch) and the simulator cannot without the deployed machine's files: add {\"root\": \"DIR\"} to flagsFrom, DIR holding \(abs.dropFirst()) relative to the scenario's folder, or give the value itself")
                } else {
                    d.warning(p, at: m.value, "--\(key)=\(s) is not read: no {\"root\": ...} in flagsFrom (Mesos reads the file and parses it as \(info.kind.described)); the flag is not modelled, so it loads unread")
                }
                continue
            }
            // At most two reads: `file://` of a JSON flag whose content starts with '/' is read again
            // (fetch<T> reads the file, then parse<JSON::Object> the path it holds).
            var content: (text: String, display: String)?
            var reads = 0
            while true {
                reads += 1
                guard let c = readMesosFlagFile(abs, root: root, version: version, path: p, at: m.value, prefix: prefix, stops: stops, budget: &budget, d) else { break }
                content = c
                guard isJSON, fetched, reads == 1, c.text.hasPrefix("/") else { break }
                d.warning(p, location: SourceLocation(file: c.display, line: 1, column: 1), "\(stoutAbsolutePathWarning) (Mesos' warning for the path in \(c.display), the content of --\(key)=\(s))")
                abs = c.text; content = nil
            }
            guard let content else { continue }
            let at = SourceLocation(file: content.display, line: 1, column: 1)
            if isJSON {
                // JSON::parse<JSON::Object> of the content; its errors are placed in the file
                let r = JSONParser.parse(content.text, file: content.display, startDepth: 3)
                if let e = r.errors.first {
                    d.error(p, location: SourceLocation(file: e.file ?? content.display, line: e.line, column: e.column), "\(prefix): \(e.message) (\(stops))"); continue
                }
                guard let v = r.value, v.objectMembers != nil else { d.error(p, location: at, "\(prefix): Unexpected JSON type parsed (\(stops); a JSON object is expected)"); continue }
                out.append(JSONMember(key: key, keyLocation: m.keyLocation, value: v))
                continue
            }
            let v = JSONValue(.string(content.text), location: at)
            if case .failure(let e) = stoutValue(content.text, kind: info.kind, at: v) { d.error(p, location: at, "\(prefix): \(e.message) (\(stops))"); continue }
            out.append(JSONMember(key: key, keyLocation: m.keyLocation, value: v))
        }
        return d.errorCount == before ? JSONValue(.object(out), location: flags.location) : nil
    }

    /// os::read of the deployed machine's ABS: `root`/ABS, inside the scenario's folder also after
    /// symbolic links, a regular file, within the deployed files' byte budget. Errors in stout's
    /// words (stout/os/read.hpp: "Failed to open file: " + strerror before 1.6.0, strerror alone since).
    static func readMesosFlagFile(_ abs: String, root: FlagRoot, version: MesosVersion, path p: String, at v: JSONValue, prefix: String, stops: String,
                                  budget: inout Int, _ d: Diagnostics) -> (text: String, display: String)? {
        // the machine's own ".." stops at its /: so does it under root
        let inner = Paths.normalize(abs)
        let display = root.display + (inner == "/" ? "" : inner)
        let lexical = root.real + (inner == "/" ? "" : inner)
        func osError(_ code: Int32) -> String {
            let text = String(cString: strerror(code))
            return version < MesosVersion(1, 6) && code != EISDIR ? "Failed to open file: \(text)" : text
        }
        guard let real = Paths.realPath(lexical) else {
            let code = errno
            d.error(p, at: v, "\(prefix): Error reading file '\(abs)': \(osError(code)) (\(stops); the deployed machine's \(abs) is \(display) here: copy the file there)")
            return nil
        }
        guard let scenario = d.baseDirectory.flatMap({ Paths.realPath(Paths.normalize($0)) }), Paths.isInside(real, scenario) else {
            d.error(p, at: v, "\(prefix): \(display) resolves through a symbolic link to \(real), outside the scenario's folder; it must stay inside it")
            return nil
        }
        var st = stat()
        if stat(real, &st) == 0, st.st_mode & S_IFMT == S_IFDIR {
            d.error(p, at: v, "\(prefix): Error reading file '\(abs)': \(osError(EISDIR)) (\(stops); \(display) is a folder)")
            return nil
        }
        guard let text = readDeployedText(real, display: display, path: p, at: v, budget: &budget, d) else { return nil }
        return (text, display)
    }
}

extension ScenarioSchema {
    /// The agents' `--attributes` as Mesos parses it (src/common/attributes.cpp@1.4.0
    /// `Attributes::parse`: tokens between `;` and newlines, each `name:value` split at its first
    /// `:`; an empty name or value aborts the agent, LOG(FATAL)); nil when not given.
    static func agentAttributesFlag(_ flags: JSONValue, path: String, _ d: Diagnostics) -> [Attribute]? {
        guard let m = flags.objectMembers?.last(where: { $0.key == "attributes" || $0.key == "--attributes" }), let text = m.value.stringValue else { return nil }
        var out: [Attribute] = []
        for token in text.split(whereSeparator: { $0 == ";" || $0 == "\n" }) {
            let parts = token.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                d.error(JSONPath.key(path, "attributes"), at: m.value, "Invalid attribute key:value pair '\(token)' (the agent aborts at start: LOG(FATAL) in Attributes::parse); write name:value pairs joined by ';', like \"rack:r1;zone:a\"")
                return nil
            }
            out.append(Attribute(name: String(parts[0]), value: String(parts[1])))
        }
        return out
    }
}
