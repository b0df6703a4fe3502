import SimKernel

// Docker's own copy of a container's stdout/stderr: the logging driver chosen by `--log-driver`
// (the daemon's default from daemon.json `log-driver`/`log-opts`, the container's from
// `docker run --log-driver/--log-opt`, which Mesos' Docker containerizer passes from the app's
// `container.docker.parameters`). The json-file and local drivers write files under
// /var/lib/docker/containers/<id>/ on the filesystem of Docker's data-root; the others write none
// on the host. docs/storage.md "Docker's copy of stdout"; sources (moby/moby @v18.09.0):
// - daemon/logger/factory.go `ValidateLogOpts`: `none` takes anything; `mode` blocking or
//   non-blocking; `max-buffer-size` only with non-blocking; an unregistered driver is refused; then
//   the driver's own validator (daemon/logdrivers_linux.go lists the registered drivers).
// - daemon/logs.go `mergeAndVerifyLogConfig`: the container's driver, else the daemon's; with
//   the daemon's driver, each daemon option the container does not set is added.
// - daemon/logger/jsonfilelog/jsonfilelog.go: options max-file, max-size, compress, labels, env,
//   env-regex, tag; `New` parses max-size with go-units FromHumanSize (decimal: 10m = 10,000,000),
//   max-file with Atoi (default 1), compress with ParseBool; its errors (at container start).
//   Each line is written as {"log":"<line>\n","stream":"stdout","time":"<RFC3339Nano>"}\n
//   (jsonlog/jsonlogbytes.go `MarshalJSONBuf`, jsonlog/time_marshalling.go).
// - daemon/logger/local: options max-file, max-size, compress; defaults 20 MiB, 5 files,
//   compressed; each line is a protobuf LogEntry (api/types/plugins/logdriver/entry.proto)
//   between two 4-byte big-endian lengths.
// - daemon/logger/loggerutils/logfile.go: before a write, a file at or over max-size is rotated:
//   <log>.1 ... <log>.(max-file - 1) are shifted (the oldest removed), a new file is started;
//   with max-file 1 the file is truncated.

/// A logging driver and its options, as given (daemon.json, or the app's parameters).
public struct DockerLogOptions: Equatable, Sendable {
    /// `log-driver`; nil: not given (the daemon's for a container).
    public var driver: String?
    /// `log-opts` / `--log-opt key=value`, in the order given (a later key wins).
    public var opts: [(key: String, value: String)]
    /// The dockerd release whose logging code judges them (the daemon's: `storage.dockerVersion`;
    /// a container's options are judged by its daemon's release, `merge`).
    public var rules: DockerLogRules
    public init(driver: String? = nil, opts: [(key: String, value: String)] = [], rules: DockerLogRules = .modelled) {
        self.driver = driver; self.opts = opts; self.rules = rules
    }
    public static func == (a: Self, b: Self) -> Bool {
        a.driver == b.driver && a.rules == b.rules && a.opts.count == b.opts.count && zip(a.opts, b.opts).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
    public func value(_ k: String) -> String? { opts.last(where: { $0.key == k })?.value }
    public var keys: [String] { var seen: [String] = []; for o in opts where !seen.contains(o.key) { seen.append(o.key) }; return seen }

    /// dockerd's default: json-file without options (cmd/dockerd/config.go `--log-driver` default).
    public static let daemonDefault = DockerLogOptions(driver: "json-file")
}

/// The log file a container's driver keeps on the host, resolved from its options.
public struct DockerLogFile: Equatable, Sendable {
    public enum Format: String, Sendable { case jsonFile = "json-file", local }
    public var format: Format
    /// max-size in bytes; nil: never rotated.
    public var maxSize: Int64?
    /// max-file: files kept, the current one included.
    public var maxFile: Int
    public var compress: Bool

    /// Bytes the driver writes per line of `lineLength` bytes (the newline included).
    public func entryBytes(lineLength: Int) -> Int {
        let l = max(1, lineLength)
        switch format {
        case .jsonFile:
            // {"log":"<line without \n>\n","stream":"stdout","time":"2017-09-20T12:34:56.123456789Z"}\n
            // = line - 1 + 2 (the escaped newline) + 69 bytes of framing (a 30-character time)
            return l + 70
        case .local:
            // 4 + LogEntry{source "stdout" (8), time_nano (1 + 9-byte varint), line (1 + varint + line - 1)} + 4
            let body = l - 1
            var v = 1, x = body
            while x >= 128 { x >>= 7; v += 1 }
            return 4 + 8 + 10 + 1 + v + body + 4
        }
    }

    /// Bytes on disk after `written` bytes went through the driver: the current file plus the
    /// rotated ones it keeps (each holds `max(maxSize, one entry)`; compressed ones are counted at
    /// that size too, an upper bound).
    public func onDisk(written: Double, entry: Int) -> Double {
        guard let s0 = maxSize else { return written }
        let s = Double(max(s0, Int64(entry)))
        let k = (written / s).rounded(.down)
        let current = written - k * s
        return current + min(k, Double(max(0, maxFile - 1))) * s
    }

    /// The bound `onDisk` never exceeds; nil when unbounded.
    public func bound(entry: Int) -> Double? {
        maxSize.map { Double(max($0, Int64(entry))) * Double(max(1, maxFile)) }
    }
}

/// What one dockerd release's logging code takes; the differences between 17.03 and 20.10 (moby/moby
/// at the tags v17.03.0-ce ... v20.10.0, daemon/logger/factory.go `ValidateLogOpts`,
/// jsonfilelog/jsonfilelog.go `ValidateLogOpt` and `New`, daemon/logdrivers_linux.go):
/// - json-file's options: `max-file`, `max-size`, `labels`, `env` at 17.03; `env-regex` from 17.06;
///   `tag` from 18.03; `compress` from 18.06; `labels-regex` from 20.10;
/// - `mode` and `max-buffer-size` are the daemon's own options (`builtInLogOpts`, checked and
///   filtered before the driver's validator) from 17.06; at 17.03 they reach the driver's
///   validator (json-file: "unknown log opt 'mode' for json-file log driver");
/// - json-file refuses `max-size` 0 ("max-size must be a positive number") from 18.06; before, 0
///   rotates before every line;
/// - the `local` driver is registered from 18.09 (before: "logger: no log driver named 'local' is
///   registered"); its options are the same from 18.09 to 20.10.
public struct DockerLogRules: Equatable, Sendable {
    /// The release, "17.03" ... "20.10".
    public let release: String
    public let jsonFileOpts: [String]
    public let builtInModeOpts: Bool
    public let maxSizeMustBePositive: Bool
    public let hasLocal: Bool

    static let releases = ["17.03", "17.06", "17.09", "17.12", "18.03", "18.06", "18.09", "19.03", "20.10"]

    /// The rules of a release (nil: not one of `releases`).
    public static func release(_ name: String) -> DockerLogRules? {
        guard let i = releases.firstIndex(of: name) else { return nil }
        func since(_ r: String) -> Bool { i >= releases.firstIndex(of: r)! }
        var json = ["max-file", "max-size"]
        if since("18.06") { json.append("compress") }
        json += ["labels"]
        if since("20.10") { json.append("labels-regex") }
        json += ["env"]
        if since("17.06") { json.append("env-regex") }
        if since("18.03") { json.append("tag") }
        return DockerLogRules(release: name, jsonFileOpts: json, builtInModeOpts: since("17.06"),
                              maxSizeMustBePositive: since("18.06"), hasLocal: since("18.09"))
    }

    /// The release the storage model follows (`storage.dockerVersion`'s default).
    public static let modelled = release("18.09")!

    /// Drivers registered on Linux at this release, and `none`.
    public var drivers: [String] { DockerLogging.drivers.filter { $0 != "local" || hasLocal } }
}

public enum DockerLogging {
    /// Drivers registered in dockerd on Linux (daemon/logdrivers_linux.go @v18.09.0), and `none`.
    public static let drivers = ["awslogs", "fluentd", "gcplogs", "gelf", "journald", "json-file", "local", "logentries", "splunk", "syslog", "none"]
    static let localOpts = ["max-file", "max-size", "compress"]

    /// The container's options merged with the daemon's (`mergeAndVerifyLogConfig`).
    public static func merge(container c: DockerLogOptions?, daemon: DockerLogOptions) -> DockerLogOptions {
        let dDriver = daemon.driver ?? "json-file"
        let driver = c?.driver ?? dDriver
        var opts = c?.opts ?? []
        if driver == dDriver {
            for k in daemon.keys where !opts.contains(where: { $0.key == k }) { opts.append((k, daemon.value(k)!)) }
        }
        return DockerLogOptions(driver: driver, opts: opts, rules: daemon.rules)
    }

    /// A driver name written as a plugin reference (`grafana/loki-docker-driver:latest`,
    /// `loki:2.9`): a logging plugin (`docker plugin install`), which dockerd finds by that name
    /// when it is installed (daemon/logger/plugin.go). The simulator takes it to be installed; its
    /// options are the plugin's own (not checked) and it keeps no file under /var/lib/docker. A
    /// bare unknown name (`json`) is refused as dockerd refuses it without such a plugin.
    public static func isPluginReference(_ name: String) -> Bool {
        !drivers.contains(name) && (name.contains("/") || name.contains(":"))
    }
    static func isPluginReference(_ name: String, _ r: DockerLogRules) -> Bool {
        !r.drivers.contains(name) && (name.contains("/") || name.contains(":"))
    }

    /// What `docker run` answers for a container whose `--log-driver` / `--log-opt` are `own`
    /// on a daemon with `daemon`'s options: nil (it runs), or Docker's error. docker/cli
    /// `parseLoggingOpts` first (options for driver none), then the daemon's `ValidateLogOpts`
    /// of the merged options at create, then the driver's `New` at start.
    public static func runRefusal(own: DockerLogOptions, daemon: DockerLogOptions) -> String? {
        if own.driver == "none" && !own.opts.isEmpty { return "invalid logging opts for driver none" }
        let merged = merge(container: own, daemon: daemon)
        if let e = validate(merged) { return e }
        if case .failure(let e) = logFile(merged) { return "failed to initialize logging driver: \(e.message)" }
        return nil
    }

    /// `ValidateLogOpts` (checked at `docker create`/`run`, and for daemon.json at dockerd's start):
    /// nil, or Docker's error.
    public static func validate(_ o: DockerLogOptions) -> String? {
        let name = o.driver ?? "json-file"
        if name == "none" { return nil }
        let r = o.rules
        if r.builtInModeOpts {
            let mode = o.value("mode") ?? ""
            if !["", "blocking", "non-blocking"].contains(mode) { return "logger: logging mode not supported: \(mode)" }
            if let s = o.value("max-buffer-size") {
                if mode != "non-blocking" { return "logger: max-buffer-size option is only supported with 'mode=non-blocking'" }
                if case .failure(let e) = parseSize(s, binary: true) { return "error parsing option max-buffer-size: \(e)" }
            }
        }
        guard r.drivers.contains(name) || isPluginReference(name, r) else { return "logger: no log driver named '\(name)' is registered" }
        // the driver's validator, in Go's random map order: the first unknown key in file order here
        let keys = r.builtInModeOpts ? o.keys.filter { $0 != "mode" && $0 != "max-buffer-size" } : o.keys
        switch name {
        case "json-file":
            if let k = keys.first(where: { !r.jsonFileOpts.contains($0) }) { return "unknown log opt '\(k)' for json-file log driver" }
        case "local":
            if let k = keys.first(where: { !localOpts.contains($0) }) { return "unknown log opt '\(k)' for log driver local" }
        default: break   // the other drivers' validators are not modelled (docs/storage.md)
        }
        return nil
    }

    /// The driver's `New` at container start: the file it keeps (nil: no file on the host), or its error.
    public static func logFile(_ o: DockerLogOptions) -> Result<DockerLogFile?, LogOptError> {
        switch o.driver ?? "json-file" {
        case "json-file":
            var cap: Int64? = nil
            if let s = o.value("max-size") {
                switch parseSize(s, binary: false) {
                case .failure(let e): return .failure(e)
                case .success(let v):
                    if v <= 0 && o.rules.maxSizeMustBePositive { return .failure(LogOptError("max-size must be a positive number")) }
                    cap = v
                }
            }
            var files = 1
            if let s = o.value("max-file") {
                guard let n = goAtoi(s) else { return .failure(LogOptError("strconv.Atoi: parsing \(goQuote(s)): \(atoiProblem(s))")) }
                if n < 1 { return .failure(LogOptError("max-file cannot be less than 1")) }
                files = n
            }
            var compress = false
            if o.rules.jsonFileOpts.contains("compress"), let s = o.value("compress") {
                guard let b = goParseBool(s) else { return .failure(LogOptError("strconv.ParseBool: parsing \(goQuote(s)): invalid syntax")) }
                if b && (files == 1 || cap == nil) { return .failure(LogOptError("compress cannot be true when max-file is less than 2 or max-size is not set")) }
                compress = b
            }
            return .success(DockerLogFile(format: .jsonFile, maxSize: cap, maxFile: files, compress: compress))
        case "local":
            var size: Int64 = 20 * MiB, files = 5, compress = true
            if let s = o.value("max-size") {
                switch parseSize(s, binary: false) {
                case .failure(let e): return .failure(LogOptError("invalid value for max-size: \(s): \(e.message)"))
                case .success(let v): size = v
                }
            }
            if let s = o.value("max-file") {
                guard let n = goAtoi(s) else { return .failure(LogOptError("invalid value for max-file: \(s): strconv.Atoi: parsing \(goQuote(s)): \(atoiProblem(s))")) }
                files = n
            }
            if let s = o.value("compress") {
                guard let b = goParseBool(s) else { return .failure(LogOptError("error reading compress log option: strconv.ParseBool: parsing \(goQuote(s)): invalid syntax")) }
                compress = b
            }
            if size < 0 { return .failure(LogOptError("max size should be a positive number")) }
            if files < 0 { return .failure(LogOptError("max file count cannot be less than 0")) }
            if compress && files <= 1 { return .failure(LogOptError("compression cannot be enabled when max file count is 1")) }
            return .success(DockerLogFile(format: .local, maxSize: size == 0 ? 0 : size, maxFile: max(1, files), compress: compress))
        default:
            return .success(nil)   // none, syslog, journald, gelf, fluentd...: nothing under /var/lib/docker
        }
    }

    /// The largest size the simulator takes (an exabyte); go-units converts larger floats with
    /// Go's undefined int64 conversion.
    static let maxSize = 1e18

    /// go-units `parseSize`: `^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$`, decimal (FromHumanSize)
    /// or binary (RAMInBytes) multipliers, truncated to an integer.
    public static func parseSize(_ s: String, binary: Bool) -> Result<Int64, LogOptError> {
        let bad = LogOptError("invalid size: '\(s)'")
        let b = Array(s.utf8)
        var i = 0
        func digits() -> Bool { let st = i; while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }; return i > st }
        guard digits() else { return .failure(bad) }
        while i < b.count, b[i] == 46 { i += 1; guard digits() else { return .failure(bad) } }
        let number = String(decoding: b[0..<i], as: UTF8.self)
        if i < b.count, b[i] == 32 { i += 1 }
        var unit: UInt8? = nil
        if i < b.count, "kKmMgGtTpP".utf8.contains(b[i]) { unit = b[i] | 0x20; i += 1 }
        if i < b.count, b[i] == 105 || b[i] == 73 { i += 1 }
        if i < b.count, b[i] == 98 || b[i] == 66 { i += 1 }
        guard i == b.count else { return .failure(bad) }
        guard let x = Double(number), number.filter({ $0 == "." }).count <= 1 else {
            return .failure(LogOptError("strconv.ParseFloat: parsing \(goQuote(number)): invalid syntax"))
        }
        let base: Double = binary ? 1024 : 1000
        var mul = 1.0
        if let u = unit { for c in "kmgtp".utf8 { mul *= base; if c == u { break } } }
        let v = (x * mul).rounded(.towardZero)
        guard v <= maxSize else { return .failure(LogOptError("size \(s) is more than the simulator takes (at most 1e18 bytes)")) }
        return .success(Int64(v))
    }

    static func goAtoi(_ s: String) -> Int? {
        var t = Substring(s)
        if t.first == "+" { t = t.dropFirst() }
        guard !t.isEmpty, t.first != "+" else { return nil }
        return Int(t)
    }
    static func atoiProblem(_ s: String) -> String {
        let t = s.hasPrefix("+") || s.hasPrefix("-") ? String(s.dropFirst()) : s
        return !t.isEmpty && t.allSatisfy({ $0.isASCII && $0.isNumber }) ? "value out of range" : "invalid syntax"
    }
    /// Go's strconv.ParseBool.
    static func goParseBool(_ s: String) -> Bool? {
        switch s {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: return nil
        }
    }
    static func goQuote(_ s: String) -> String { JSONText.quote(s) }
}

/// An error of Docker's log option handling, in its words.
public struct LogOptError: Error, Equatable, Sendable {
    public let message: String
    public init(_ m: String) { message = m }
}
extension LogOptError: CustomStringConvertible { public var description: String { message } }
