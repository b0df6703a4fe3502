import Foundation
import ClusterModel
import SimKernel

// `arrivals: {"csv": "rates.csv"}`: a file of `time,rate` rows beside the scenario (relative to
// the folder of the file that names it, which must stay inside it, as includes do; read with
// the includes' safe reader). Times are Go durations or seconds, non-decreasing; rates are
// requests per second, linear between rows, the last rate held after the last row. One header
// row (any line whose first field is not a time) is allowed; `#` starts a comment line.

extension ScenarioSchema {
    /// Bytes of one rate file (the includes' total limit).
    static let maxRateFileBytes = IncludeLimits.maxTotalBytes
    /// Rows of one rate file: a day at one row per second is 86,400.
    static let maxRateFileRows = 1_000_000

    static func readRateFile(_ rel: String, value: JSONValue, path: String, _ d: Diagnostics) -> [RateProfile.Point]? {
        guard let shown = value.location?.file, !shown.hasPrefix("<") else {
            d.error(path, at: value, "a rate file is read relative to the scenario file; this scenario was not read from a file")
            return nil
        }
        let dir = Paths.directory(shown, relative: true)
        guard let text = readSideFile(rel, kind: "rate file", base: dir.isEmpty ? "." : dir, maxBytes: maxRateFileBytes,
                                      path: path, at: value, d) else { return nil }
        return parseRates(text, file: rel, value: value, path: path, d)
    }

    /// The rows of a rate file (errors name the file and line).
    static func parseRates(_ text: String, file: String, value: JSONValue, path: String, _ d: Diagnostics) -> [RateProfile.Point]? {
        var out: [RateProfile.Point] = []
        var lineNo = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let where_ = "\(file) line \(lineNo)"
            let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 2 else {
                d.error(path, at: value, "\(where_): expected two fields, time,rate; got \(fields.count)"); return nil
            }
            let t = Double(fields[0]).flatMap { $0.isFinite && $0 >= 0 && $0 <= 9e9 ? SimDuration.fromSeconds($0) : nil } ?? GoDuration.parse(fields[0])
            guard let t else {
                if out.isEmpty && lineNo == firstDataLine(text) { continue }   // a header row
                d.error(path, at: value, "\(where_): \(JSONValue.quote(fields[0])) is not a time (a Go duration like \"90s\" or a number of seconds >= 0)"); return nil
            }
            guard t >= .zero else { d.error(path, at: value, "\(where_): the time must be >= 0, got \(fields[0])"); return nil }
            guard let r = Double(fields[1]), r.isFinite, r >= 0, r <= maxRequestRate else {
                d.error(path, at: value, "\(where_): the rate must be a number from 0 to \(Int64(maxRequestRate)) requests per second, got \(JSONValue.quote(fields[1]))"); return nil
            }
            if let last = out.last, t < last.at {
                d.error(path, at: value, "\(where_): times must not go back: \(t) comes after \(last.at)"); return nil
            }
            out.append(.init(at: t, rate: r))
            if out.count > maxRateFileRows {
                d.error(path, at: value, "\(file): more than \(maxRateFileRows) rows; at most \(maxRateFileRows) are allowed"); return nil
            }
        }
        guard !out.isEmpty else { d.error(path, at: value, "rate file \(JSONValue.quote(file)) has no time,rate rows"); return nil }
        return out
    }

    /// The line number of the first line that is neither empty nor a comment.
    private static func firstDataLine(_ text: String) -> Int {
        var n = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            n += 1
            let t = raw.trimmingCharacters(in: .whitespaces)
            if !t.isEmpty && !t.hasPrefix("#") { return n }
        }
        return 0
    }
}
