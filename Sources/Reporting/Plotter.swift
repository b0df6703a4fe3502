import Foundation
import SimKernel
import ClusterModel

/// Renders the CSVs of a results folder with gnuplot, as PNG and SVG: the capacity timeline
/// always, Mesos and per-app charts when the run wrote mesos.csv and apps.csv.
public enum Plotter {
    public enum PlotError: Error, CustomStringConvertible {
        case gnuplotMissing
        case noTimeline(String)
        case gnuplotFailed(status: Int32, output: String)
        public var description: String {
            switch self {
            case .gnuplotMissing:
                return "gnuplot is not installed. Install it with: sudo apt-get install -y gnuplot-nox"
            case .noTimeline(let dir):
                return "\(dir) has no timeline.csv: give the folder a `clustersim run` wrote (results/<scenario>)"
            case .gnuplotFailed(let status, let output):
                return "gnuplot failed (exit \(status)): \(output)"
            }
        }
    }

    /// One chart drawn from one CSV of the results folder: the same declaration subsystems use
    /// (`SubsystemPlot`); the core charts read timeline.csv.
    public typealias Chart = SubsystemPlot

    /// The core charts (timeline.csv), then each subsystem's declared plots in list order.
    public static let charts: [Chart] = [
        Chart(file: "hosts", title: "Hosts up, down (crashed) and rebooting", ylabel: "hosts", source: "timeline.csv",
              columns: [("hosts_up", "up"), ("hosts_down", "down"), ("hosts_rebooting", "rebooting")]),
        Chart(file: "cpus", title: "CPU capacity of the hosts: usable, free, lost on hosts not up", ylabel: "cores", source: "timeline.csv",
              columns: [("cpus_total_cores", "usable"), ("cpus_free_cores", "free"), ("cpus_lost_cores", "on hosts not up")]),
        Chart(file: "memory", title: "Memory of the hosts that are up: usable and free", ylabel: "memory (MiB)", source: "timeline.csv",
              columns: [("memory_total_mib", "usable"), ("memory_free_mib", "free")]),
    ] + ClusterSimulation.standardSubsystems.flatMap { $0.outputs.plots }

    /// Finds gnuplot on PATH.
    public static func gnuplotPath() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let p = String(dir) + "/gnuplot"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// A CSV as header + rows of fields (the simulator's CSVs quote only the free-text columns of
    /// events.csv, which are not plotted).
    struct Table {
        var header: [String]
        var rows: [[Substring]]
        init?(path: String) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
            let lines = text.split(separator: "\n")
            guard let first = lines.first else { return nil }
            header = first.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        }
        func index(_ c: String) -> Int? { header.firstIndex(of: c) }
    }

    /// A long table pivoted to one column per key value (keys in order of first appearance).
    static func pivot(_ t: Table, key: String, value: String) -> (keys: [String], text: String)? {
        guard let ti = t.index("time_s"), let ki = t.index(key), let vi = t.index(value) else { return nil }
        var keys: [String] = []
        var times: [Substring] = []
        var values: [[String: Substring]] = []
        for r in t.rows where r.count > max(ti, ki, vi) {
            let k = String(r[ki])
            if !keys.contains(k) { keys.append(k) }
            if times.last != r[ti] { times.append(r[ti]); values.append([:]) }
            values[values.count - 1][k] = r[vi]
        }
        guard !keys.isEmpty else { return nil }
        var text = (["time_s"] + keys).joined(separator: ",") + "\n"
        for (i, t) in times.enumerated() {
            text += ([String(t)] + keys.map { values[i][$0].map(String.init) ?? "" }).joined(separator: ",") + "\n"
        }
        return (keys, text)
    }

    /// Text inside a gnuplot single-quoted string: a quote is written twice ('node''s').
    public static func quoteTitle(_ s: String) -> String { s.replacingOccurrences(of: "'", with: "''") }

    /// The gnuplot script for the charts whose data exist; `data` maps a chart's source (or its
    /// pivoted .dat file) to the path used in the script and the header of that file.
    /// Image formats `clustersim plot` can write.
    public enum Format: String, CaseIterable, Sendable { case png, svg }

    public static let terminals: [Format: String] = [
        .png: "pngcairo noenhanced size 960,540 font 'sans,10'",
        .svg: "svg noenhanced size 960,540 dynamic font 'sans,10'",
    ]

    /// A vertical line drawn on every chart at the time of a fault or an operator action, so each
    /// picture shows what caused its steps.
    public struct Marker: Equatable {
        public var seconds: Double
        public var label: String
    }

    /// At most this many marker instants; a run with more (a day of faults) gets none, rather
    /// than a picture drowned in lines.
    static let maxMarkers = 12

    /// Markers from events.csv: host crashes, reboots and recoveries, other faults (masterCrash, zookeeperCrash
    /// ...), operator actions; rows of the same instant share one line and one label.
    static func markers(eventsCSV text: String) -> [Marker] {
        var out: [Marker] = []
        for line in text.split(separator: "\n").dropFirst() {
            // time_s,component,event,subject,detail: the first three are never quoted; a quoted subject loses its quote
            let f = line.split(separator: ",", maxSplits: 4, omittingEmptySubsequences: false)
            guard f.count >= 4, let t = Double(f[0]) else { continue }
            let subject = f[3].hasPrefix("\"") ? String(f[3].dropFirst()) : String(f[3])
            let label: String
            switch (f[1], f[2]) {
            case ("host", "crashed"): label = subject + " crashed"
            case ("host", "rebootStarted"): label = subject + " reboots"
            case ("host", "recovered"): label = subject + " back"
            case ("fault", _) where f[2] != "hostCrash" && f[2] != "hostReboot": label = "\(f[2]) \(subject)"
            case ("action", _): label = "\(f[2]) \(subject)"
            default: continue
            }
            if let last = out.last, last.seconds == t {
                if !last.label.contains(label) { out[out.count - 1].label += ", " + label }
            } else {
                out.append(Marker(seconds: t, label: label))
            }
        }
        if out.count > maxMarkers { return [] }
        return out.map { m in
            var m = m
            if m.label.count > 48 { m.label = String(m.label.prefix(45)) + "..." }
            return m
        }
    }

    /// The head of a script of charts against time: CSV input, key, grid, the time axis in s, min
    /// or h by the run's length (`div`: seconds per unit), and the fault and action markers.
    static func preamble(script: String, durationSeconds: Double, markers: [Marker]) -> (text: String, div: Int) {
        let (unit, div) = durationSeconds > 7200 ? ("h", 3600) : durationSeconds > 300 ? ("min", 60) : ("s", 1)
        var s = """
        # Generated by clustersim plot. Re-run from this folder: gnuplot \(script)
        set datafile separator ','
        set key outside bottom center horizontal
        set grid
        set xlabel 'simulated time (\(unit))'
        set yrange [0:*]

        """
        // room above the highest line for the markers' labels
        if !markers.isEmpty { s += "set offsets 0, 0, graph 0.3, 0\n" }
        // faults and actions: a dotted grey line and a rotated label at the top of every chart
        for (i, m) in markers.enumerated() {
            let x = NumberFormat.decimal(m.seconds / Double(div), 6)
            s += "set arrow \(i + 1) from \(x), graph 0 to \(x), graph 1 nohead dt 3 lw 1 lc rgb 'gray50'\n"
            s += "set label \(i + 1) '\(quoteTitle(m.label))' at \(x), graph 0.98 rotate by 90 right offset -0.8, 0 font ',8' tc rgb 'gray30'\n"
        }
        if !markers.isEmpty { s += "\n" }
        return (s, div)
    }

    static func script(plots: [(chart: Chart, dataPath: String, series: [(index: Int, label: String)])],
                       durationSeconds: Double, formats: [Format] = Format.allCases, markers: [Marker] = []) -> String {
        let head = preamble(script: "plot.gp", durationSeconds: durationSeconds, markers: markers)
        var s = head.text
        let div = head.div
        for p in plots {
            // every series its own colour and dash type (lines that coincide stay readable)
            let lines = p.series.enumerated().map { k, sr in
                "'\(p.dataPath)' using ($1/\(div)):\(sr.index) with steps lw 2 lc \(k + 1) dt \(k % 5 + 1) title '\(quoteTitle(sr.label))'"
            }.joined(separator: ", \\\n     ")
            for f in formats {
                let (term, ext) = (terminals[f]!, f.rawValue)
                s += """
                set terminal \(term)
                set output '\(p.chart.file).\(ext)'
                set title '\(quoteTitle(p.chart.title))'
                set ylabel '\(quoteTitle(p.chart.ylabel))'
                plot \(lines)
                unset output

                """
            }
        }
        return s
    }

    /// The path of `target` relative to the folder `base` (both absolute, standardized).
    static func relativePath(from base: String, to target: String) -> String {
        let b = base.split(separator: "/"), t = target.split(separator: "/")
        var i = 0
        while i < b.count, i < t.count, b[i] == t[i] { i += 1 }
        return (Array(repeating: "..", count: b.count - i) + t[i...].map(String.init)).joined(separator: "/")
    }

    /// Writes `script` as `named` into `dir` and runs gnuplot on it there (paths in scripts are
    /// relative to that folder, so the script can be re-run by hand).
    public static func runGnuplot(_ gnuplot: String, script: String, named: String, in dir: String) throws {
        try script.write(toFile: dir + "/" + named, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: gnuplot)
        p.arguments = [named]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let pipe = Pipe()
        p.standardError = pipe
        p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            throw PlotError.gnuplotFailed(status: p.terminationStatus, output: String(decoding: out, as: UTF8.self))
        }
    }

    /// Plots the results folder into `outDir` (created if needed). Returns the image files written.
    @discardableResult
    public static func plot(resultsDir: String, outDir: String, formats: [Format] = Format.allCases) throws -> [String] {
        guard let timeline = Table(path: resultsDir + "/timeline.csv") else { throw PlotError.noTimeline(resultsDir) }
        guard let gnuplot = gnuplotPath() else { throw PlotError.gnuplotMissing }
        let lastTime = timeline.rows.last.flatMap { $0.first.flatMap { Double($0) } } ?? 0
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        let absResults = URL(fileURLWithPath: resultsDir).standardizedFileURL.path
        let absOut = URL(fileURLWithPath: outDir).standardizedFileURL.path
        var tables: [String: Table] = ["timeline.csv": timeline]
        var plots: [(chart: Chart, dataPath: String, series: [(index: Int, label: String)])] = []
        var customs: [(chart: Chart, custom: CustomPlot, table: Table)] = []
        for chart in charts {
            if tables[chart.source] == nil, let t = Table(path: absResults + "/" + chart.source) { tables[chart.source] = t }
            guard let t = tables[chart.source] else { continue }
            if let c = chart.custom { customs.append((chart, c, t)); continue }
            if let pk = chart.perKey {
                guard let (keys, text) = pivot(t, key: pk.keyColumn, value: pk.column) else { continue }
                // skip a chart whose values are all zero (e.g. no app ever backed off)
                let body = text.split(separator: "\n").dropFirst()
                guard body.contains(where: { $0.split(separator: ",").dropFirst().contains { Double($0) ?? 0 != 0 } }) else { continue }
                let dat = chart.file + ".dat"
                try text.write(toFile: absOut + "/" + dat, atomically: true, encoding: .utf8)
                plots.append((chart, dat, keys.enumerated().map { ($0.offset + 2, $0.element) }))
            } else {
                let series = chart.columns.compactMap { c in t.index(c.column).map { ($0 + 1, c.label) } }
                guard !series.isEmpty else { continue }
                plots.append((chart, relativePath(from: absOut, to: absResults + "/" + chart.source), series))
            }
        }
        let events = (try? String(contentsOfFile: absResults + "/events.csv", encoding: .utf8)) ?? ""
        let gp = script(plots: plots, durationSeconds: lastTime, formats: formats, markers: markers(eventsCSV: events))
        try runGnuplot(gnuplot, script: gp, named: "plot.gp", in: absOut)
        var images = plots.flatMap { pl in formats.map { absOut + "/" + pl.chart.file + "." + $0.rawValue } }
        // charts with their own script (not against time), each `<file>.gp` beside plot.gp
        for (chart, custom, t) in customs {
            guard let (data, script) = custom.draw(PlotTable(header: t.header, rows: t.rows), formats.map(\.rawValue)) else { continue }
            for d in data { try d.text.write(toFile: absOut + "/" + d.file, atomically: true, encoding: .utf8) }
            try runGnuplot(gnuplot, script: script, named: chart.file + ".gp", in: absOut)
            images += custom.images.flatMap { f in formats.map { absOut + "/" + f + "." + $0.rawValue } }
        }
        // load vs instances vs latency per autoscaled frontend (autoscale.csv joined with traffic.csv)
        if let a = Table(path: absResults + "/autoscale.csv"),
           let chart = loadInstancesScript(autoscale: a, traffic: Table(path: absResults + "/traffic.csv"), durationSeconds: lastTime,
                                           formats: formats, markers: markers(eventsCSV: events)) {
            for d in chart.data { try d.text.write(toFile: absOut + "/" + d.file, atomically: true, encoding: .utf8) }
            try runGnuplot(gnuplot, script: chart.script, named: "autoscale_apps.gp", in: absOut)
            images += chart.images.flatMap { f in formats.map { absOut + "/" + f + "." + $0.rawValue } }
        }
        return images
    }
}
