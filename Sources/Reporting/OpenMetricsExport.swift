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
                guard let f = SamplesCSV.fields(line), f.count >= 2 else { throw Failure("\(dir)/metrics.csv:\(n + 1): expected family,type,help") }
                types[f[0]] = f[1]
            }
        }
        // family -> series text -> samples; families and series sorted for a stable file
        var families: [String: (type: String, series: [String: [(Int64, String)]])] = [:]
        let recorded: [RecordedSeries]
        do { recorded = try SamplesCSV.read(text, path: samplesPath) } catch { throw Failure(error.description) }
        for s in recorded {
            let name = s.labels.metricName ?? ""
            var family = name, type = "unknown"
            switch types[name] {
            case "gauge": type = "gauge"
            case "counter" where name.hasSuffix("_total"): type = "counter"; family = String(name.dropLast(6))
            default: if name.hasSuffix("_total"), types[String(name.dropLast(6))] == "counter" { type = "counter"; family = String(name.dropLast(6)) }
            }
            let labels = s.labels.labels.filter { $0.name != "__name__" }
            let body = name + (labels.isEmpty ? "" : "{" + labels.map { "\($0.name)=\"\(escape($0.value))\"" }.joined(separator: ",") + "}")
            for p in s.samples where p.v != "stale" { families[family, default: (type, [:])].series[body, default: []].append((p.t, p.v)) }
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
