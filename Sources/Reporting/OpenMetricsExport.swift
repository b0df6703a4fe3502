import Foundation

// `clustersim export openmetrics RESULTS`: the samples a run recorded (samples.csv, written with
// `prometheus.record`) as OpenMetrics text, the input of `promtool tsdb create-blocks-from
// openmetrics` (and so of a real Prometheus and Grafana). Families get their `# TYPE` from
// metrics.csv (what the exporters declared): gauges stay gauges, a counter whose series end in
// `_total` is a counter family, everything else (histogram series, recording rules, counters
// without `_total`) is `unknown`, whose sample names are the family names. Staleness markers
// are left out: OpenMetrics has no way to write them (a marker is a special NaN Prometheus
// writes itself), so after an import a series ends `--query.lookback-delta` after its last
// sample instead of at its marker.

public enum OpenMetricsExport {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        init(_ s: String) { description = s }
    }

    /// One row of a CSV file, fields unquoted (RFC 4180 quoting with doubled quotes).
    static func fields(_ line: Substring) -> [String]? {
        var out: [String] = [], cur = "", quoted = false, i = line.startIndex
        var atStart = true
        while i < line.endIndex {
            let c = line[i]
            if quoted {
                if c == "\"" {
                    let n = line.index(after: i)
                    if n < line.endIndex, line[n] == "\"" { cur.append("\""); i = line.index(after: n); continue }
                    quoted = false
                } else { cur.append(c) }
            } else if c == "\"" && atStart { quoted = true; atStart = false
            } else if c == "," { out.append(cur); cur = ""; atStart = true; i = line.index(after: i); continue
            } else { cur.append(c); atStart = false }
            i = line.index(after: i)
        }
        if quoted { return nil }
        out.append(cur)
        return out
    }

    /// A series as Prometheus prints it, `name{a="x", b="y"}`, split into its name and labels.
    static func parseSeries(_ s: String) -> (name: String, labels: [(String, String)])? {
        let u = Array(s.unicodeScalars)
        var i = 0
        func isName(_ c: Unicode.Scalar, first: Bool) -> Bool {
            c.isASCII && (c.properties.isAlphabetic || c == "_" || c == ":" || (!first && ("0"..."9").contains(c)))
        }
        var name = ""
        while i < u.count, isName(u[i], first: name.isEmpty) { name.unicodeScalars.append(u[i]); i += 1 }
        guard !name.isEmpty else { return nil }
        if i == u.count { return (name, []) }
        guard u[i] == "{" else { return nil }
        i += 1
        var labels: [(String, String)] = []
        while i < u.count, u[i] != "}" {
            var ln = ""
            while i < u.count, isName(u[i], first: ln.isEmpty), u[i] != ":" { ln.unicodeScalars.append(u[i]); i += 1 }
            guard !ln.isEmpty, i + 1 < u.count, u[i] == "=", u[i + 1] == "\"" else { return nil }
            i += 2
            var v = ""
            while i < u.count, u[i] != "\"" {
                if u[i] == "\\" {
                    guard i + 1 < u.count else { return nil }
                    switch u[i + 1] { case "n": v += "\n"; case "\\": v += "\\"; case "\"": v += "\""; default: return nil }
                    i += 2
                } else { v.unicodeScalars.append(u[i]); i += 1 }
            }
            guard i < u.count else { return nil }
            i += 1
            labels.append((ln, v))
            if i < u.count, u[i] == "," { i += 1; if i < u.count, u[i] == " " { i += 1 } }
        }
        guard i == u.count - 1 else { return nil }
        return (name, labels)
    }

    static func escape(_ v: String) -> String {
        v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Unix ms as seconds with three decimals.
    static func seconds(_ ms: Int64) -> String {
        let neg = ms < 0, a = neg ? -ms : ms
        let frac = String(a % 1000)
        return (neg ? "-" : "") + "\(a / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }

    /// The OpenMetrics text for a results folder, or the first problem (file and line).
    public static func export(results dir: String) throws(Failure) -> String {
        let samplesPath = dir + "/samples.csv"
        guard let text = try? String(contentsOfFile: samplesPath, encoding: .utf8) else {
            throw Failure("\(samplesPath): cannot read it (run the scenario with \"prometheus\": {\"record\": \"rules\"} or \"all\" to write it)")
        }
        var types: [String: String] = [:]
        if let m = try? String(contentsOfFile: dir + "/metrics.csv", encoding: .utf8) {
            for (n, line) in m.split(separator: "\n").enumerated().dropFirst() {
                guard let f = fields(line), f.count >= 2 else { throw Failure("\(dir)/metrics.csv:\(n + 1): expected family,type,help") }
                types[f[0]] = f[1]
            }
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == "series,timestamp_ms,value" else { throw Failure("\(samplesPath):1: expected the header series,timestamp_ms,value") }
        // family -> series text -> samples; families and series sorted for a stable file
        var families: [String: (type: String, series: [String: [(Int64, String)]])] = [:]
        for (n, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            guard let f = fields(line), f.count == 3, let t = Int64(f[1]) else { throw Failure("\(samplesPath):\(n + 1): expected series,timestamp_ms,value") }
            if f[2] == "stale" { continue }
            guard f[2] == "NaN" || f[2] == "+Inf" || f[2] == "-Inf" || Double(f[2]) != nil else { throw Failure("\(samplesPath):\(n + 1): bad value \(f[2])") }
            guard let s = parseSeries(f[0]) else { throw Failure("\(samplesPath):\(n + 1): bad series \(f[0])") }
            var family = s.name, type = "unknown"
            switch types[s.name] {
            case "gauge": type = "gauge"
            case "counter" where s.name.hasSuffix("_total"): type = "counter"; family = String(s.name.dropLast(6))
            default: if s.name.hasSuffix("_total"), types[String(s.name.dropLast(6))] == "counter" { type = "counter"; family = String(s.name.dropLast(6)) }
            }
            let body = s.name + (s.labels.isEmpty ? "" : "{" + s.labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}")
            families[family, default: (type, [:])].series[body, default: []].append((t, f[2]))
        }
        var out = ""
        for fam in families.keys.sorted() {
            guard let entry = families[fam] else { continue }
            out += "# TYPE \(fam) \(entry.type)\n"
            for series in entry.series.keys.sorted() {
                for (t, v) in entry.series[series] ?? [] { out += "\(series) \(v) \(seconds(t))\n" }
            }
        }
        return out + "# EOF\n"
    }
}
