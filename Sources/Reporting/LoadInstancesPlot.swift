import Foundation

// The chart issue 12 asks for, "load vs instances vs latency": one image per autoscaled frontend
// (autoscale.csv's `app`), two panels over simulated time. Top: the requests per second the
// autoscaler read (Σ rate + qcur over the HAProxy instances) and its moving average, with the 99th
// percentile latency of the frontend's traffic service (traffic.csv, matched by autoscale.csv's
// `service`) on the right axis in ms. Bottom: tasks running, the autoscaler's target and Marathon's
// instances. It joins two subsystems' tables, so Reporting draws it rather than one entry's plots.
extension Plotter {
    /// The series of the two panels: (column of the frontend's .dat file, title); the p99 comes from
    /// its own file. Colour and dash type follow the series' position, so no two look alike.
    static let loadSeries: [(column: Int, title: String)] = [(2, "requests/s read by the autoscaler (sum of rate + qcur)"), (3, "moving average over --samples (requests/s)")]
    static let instanceSeries: [(column: Int, title: String)] = [(4, "tasks running"), (5, "autoscaler target"), (6, "Marathon instances")]

    /// Six colours that stay apart on white (matplotlib's tab10), by series position.
    static let seriesColours = ["#1f77b4", "#2ca02c", "#d62728", "#ff7f0e", "#9467bd", "#111111"]

    /// File-name part for a frontend (letters, digits, '-' and '_' kept).
    static func fileSafe(_ s: String) -> String {
        String(s.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
    }

    /// The data files, the script autoscale_apps.gp and its image names (`autoscale_app_<frontend>`);
    /// nil when autoscale.csv has no rows to draw.
    static func loadInstancesScript(autoscale a: Table, traffic: Table?, durationSeconds: Double, formats: [Format],
                                    markers: [Marker] = []) -> (data: [(file: String, text: String)], script: String, images: [String])? {
        guard let ti = a.index("time_s"), let fi = a.index("app"), let si = a.index("sample"), let ai = a.index("avg"),
              let ri = a.index("running"), let gi = a.index("target"), let ci = a.index("current"),
              let di = a.index("decision"), let svi = a.index("service") else { return nil }
        var frontends: [String] = []
        var rows: [String: String] = [:]
        var service: [String: String] = [:]
        for r in a.rows where r.count == a.header.count && r[di] != "failed" {   // a rescued iteration read nothing
            let f = String(r[fi])
            if rows[f] == nil { frontends.append(f); rows[f] = "time_s,requests_per_s,moving_avg,running,target,marathon_instances\n" }
            rows[f]! += [r[ti], r[si], r[ai], r[ri], r[gi], r[ci]].joined(separator: ",") + "\n"
            if !r[svi].isEmpty { service[f] = String(r[svi]) }
        }
        guard !frontends.isEmpty else { return nil }
        let head = preamble(script: "autoscale_apps.gp", durationSeconds: durationSeconds, markers: markers)
        let div = head.div
        var gp = head.text + "set datafile missing ''\n"
        var data: [(file: String, text: String)] = []
        var images: [String] = []
        for f in frontends {
            let name = fileSafe(f)
            let dat = "autoscale_app_\(name).dat", p99 = "autoscale_app_\(name)_p99.dat"
            data.append((dat, rows[f]!))
            var latency = "time_s,p99_latency_ms\n"
            if let t = traffic, let s = service[f], let tt = t.index("time_s"), let sv = t.index("service"), let li = t.index("latency_p99_ms") {
                for r in t.rows where r.count == t.header.count && r[sv] == s && !r[li].isEmpty { latency += "\(r[tt]),\(r[li])\n" }
            }
            let hasLatency = latency.split(separator: "\n").count > 1
            if hasLatency { data.append((p99, latency)) }
            func line(_ file: String, _ col: Int, _ k: Int, _ title: String, y2: Bool = false) -> String {
                "'\(file)' using ($1/\(div)):\(col)\(y2 ? " axes x1y2" : "") with steps lw 2 lc rgb '\(seriesColours[(k - 1) % seriesColours.count])' dt \(k) title '\(quoteTitle(title))'"
            }
            var top = loadSeries.enumerated().map { line(dat, $0.element.column, $0.offset + 1, $0.element.title) }
            if hasLatency { top.append(line(p99, 2, top.count + 1, "p99 latency of service \(service[f]!) (ms, right axis)", y2: true)) }
            let bottom = instanceSeries.enumerated().map { line(dat, $0.element.column, loadSeries.count + 2 + $0.offset, $0.element.title) }
            images.append("autoscale_app_\(name)")
            for fmt in formats {
                let term = (terminals[fmt] ?? "").replacingOccurrences(of: "size 960,540", with: "size 960,800")
                gp += """
                set terminal \(term)
                set output 'autoscale_app_\(name).\(fmt.rawValue)'
                set multiplot layout 2,1 title '\(quoteTitle(f)): load vs instances vs latency'
                set title 'Requests per second at HAProxy\(hasLatency ? " and 99th percentile latency" : "")'
                set ylabel 'requests/s'
                \(hasLatency ? "set y2label 'p99 latency (ms)'\nset y2tics\nset ytics nomirror\nset y2range [0:*]" : "")
                plot \(top.joined(separator: ", \\\n     "))
                unset y2label
                unset y2tics
                set ytics mirror
                set title 'Instances of the app: running, the autoscaler target, Marathon instances'
                set ylabel 'instances'
                plot \(bottom.joined(separator: ", \\\n     "))
                unset multiplot
                unset output

                """
            }
        }
        return (data, gp, images)
    }
}
