import ClusterModel

// samples.csv, written by a run with `prometheus.record` (`series,timestamp_ms,value,appended_ms`):
// one reader for `clustersim export openmetrics` and the promtool agreement harness.

/// One series of samples.csv.
public struct RecordedSeries {
    public var labels: LabelSet
    public var text: String
    /// (Unix ms, value as samples.csv and promtool's series notation write it: a number, `NaN`,
    /// `+Inf`, `-Inf` or `stale`, Unix ms when it was stored: visible to queries).
    public var samples: [(t: Int64, v: String, appended: Int64)]
}

public enum SamplesCSV {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        init(_ s: String) { description = s }
    }

    public static let header = "series,timestamp_ms,value,appended_ms"

    /// The series of a samples.csv text in order of first appearance, or the first problem (file and line).
    public static func read(_ text: String, path: String) throws(Failure) -> [RecordedSeries] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first.map(String.init) == header else { throw Failure("\(path):1: expected the header \(header)") }
        var order: [RecordedSeries] = []
        var index: [String: Int] = [:]
        for (n, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            guard let f = fields(line), f.count == 4, let t = Int64(f[1]), let appended = Int64(f[3]) else {
                throw Failure("\(path):\(n + 1): expected \(header)")
            }
            guard f[2] == "stale" || f[2] == "NaN" || f[2] == "+Inf" || f[2] == "-Inf" || Double(f[2]) != nil else {
                throw Failure("\(path):\(n + 1): bad value \(f[2])")
            }
            if let i = index[f[0]] { order[i].samples.append((t, f[2], appended)); continue }
            guard let s = parseSeries(f[0]) else { throw Failure("\(path):\(n + 1): bad series \(f[0])") }
            index[f[0]] = order.count
            order.append(RecordedSeries(labels: LabelSet(name: s.name, s.labels), text: f[0], samples: [(t, f[2], appended)]))
        }
        return order
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

    /// A series as Prometheus prints it, `name{a="x", b="y"}` (or a bare `{a="x"}`), split into its name and labels.
    static func parseSeries(_ s: String) -> (name: String, labels: [(String, String)])? {
        let u = Array(s.unicodeScalars)
        var i = 0
        func isName(_ c: Unicode.Scalar, first: Bool) -> Bool {
            c.isASCII && (c.properties.isAlphabetic || c == "_" || c == ":" || (!first && ("0"..."9").contains(c)))
        }
        var name = ""
        while i < u.count, isName(u[i], first: name.isEmpty) { name.unicodeScalars.append(u[i]); i += 1 }
        // a bare label set (`{alertname="X"}`, as alerts.csv writes an alert's labels) has no name
        guard !name.isEmpty || (i < u.count && u[i] == "{") else { return nil }
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
}
