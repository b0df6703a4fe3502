// Network's charts of network.csv, declared as its plot contribution (`SubsystemPlot` with a
// `CustomPlot`: they are drawn against message size, not time, by their own script network.gp):
// throughput and one-way latency against message size (one line per mode, log-scaled sizes) and
// CPU per Gbit per mode (bars), transactions per second of the rr and crr runs per mode (bars),
// UDP throughput and loss per mode (bars), as PNG and SVG. Lines differ by colour and dash type.

extension ClusterNetwork {
    static let messageSizePlots = SubsystemPlot(
        file: "network", title: "TCP throughput, latency and CPU per Gbit by message size", source: "network.csv",
        custom: CustomPlot(images: ["network_throughput", "network_latency", "network_cpu", "network_transactions", "network_udp"], draw: messageSizeScript))

    /// network.gp and its data files from network.csv; nil when it has no tcp rows.
    @Sendable static func messageSizeScript(_ t: PlotTable, formats: [String]) -> (data: [(file: String, text: String)], script: String)? {
        guard let mi = t.index("mode"), let ei = t.index("experiment"), let li = t.index("locality"),
              let si = t.index("message_size_bytes"), let ti = t.index("throughput_mbit_s"),
              let lati = t.index("one_way_latency_us"), let ci = t.index("cpu_per_gbit_core_s") else { return nil }
        var series: [String] = []
        var sizes: [String] = []
        var tput: [String: [String: String]] = [:], lat: [String: [String: String]] = [:]
        var cpu: [(String, String)] = []
        var trans: [(String, [String: String])] = [], udp: [(String, String, String)] = []
        let tpi = t.index("transactions_per_s"), lossi = t.index("udp_loss_pct")
        var cpuSize = "65536"
        for r in t.rows where r.count == t.header.count && r[ei] == "tcp" {
            if (Int(r[si]) ?? 0) > (Int(cpuSize) ?? 0) { cpuSize = String(r[si]) }
        }
        for r in t.rows where r.count == t.header.count {
            let key = String(r[mi]) + (r[li] == "same-host" && r[mi] != "docker-proxy" ? " (same host)" : "")
            if r[ei] == "tcp" {
                if !series.contains(key) { series.append(key) }
                let s = String(r[si])
                if !sizes.contains(s) { sizes.append(s) }
                tput[key, default: [:]][s] = String(r[ti])
                lat[key, default: [:]][s] = String(r[lati])
                if s == cpuSize { cpu.append((key, String(r[ci]))) }
            }
            if (r[ei] == "rr" || r[ei] == "crr"), let tpi {
                if let i = trans.firstIndex(where: { $0.0 == key }) { trans[i].1[String(r[ei])] = String(r[tpi]) }
                else { trans.append((key, [String(r[ei]): String(r[tpi])])) }
            }
            if r[ei] == "udp", let lossi { udp.append((key, String(r[ti]), String(r[lossi]))) }
        }
        guard !series.isEmpty else { return nil }
        // the hosts the figures are for, from the first row: every title carries them
        var hosts: [String] = []
        if let r = t.rows.first(where: { $0.count == t.header.count }) {
            func v(_ c: String) -> String? { t.index(c).map { String(r[$0]) }.flatMap { $0.isEmpty ? nil : $0 } }
            if let e = v("environment") { hosts.append(e) }
            if let k = v("kernel") { hosts.append("kernel " + k) }
            if let c = v("cpu_clock_ghz") { hosts.append(c + " GHz") }
            if let n = v("nic_gbit_s") { hosts.append(n + " Gbit/s NIC") }
            if let o = v("nic_tunnel_offload") { hosts.append(o == "true" ? "tunnel offload" : "no tunnel offload") }
        }
        let on = hosts.isEmpty ? "" : "\\n" + hosts.joined(separator: ", ")   // a second line of the title (double-quoted in gnuplot)
        sizes.sort { (Int($0) ?? 0) < (Int($1) ?? 0) }
        func table(_ v: [String: [String: String]]) -> String {
            var s = (["message_size_bytes"] + series).joined(separator: ",") + "\n"
            for z in sizes { s += ([z] + series.map { v[$0]?[z] ?? "" }).joined(separator: ",") + "\n" }
            return s
        }
        func label(_ k: String) -> String { String(k.map { $0 == " " ? "_" : $0 }) }
        var bars = "mode,cpu_per_gbit_core_s\n"
        for (k, v) in cpu { bars += "\(label(k)),\(v)\n" }
        var tbars = "mode,rr_transactions_per_s,crr_transactions_per_s\n"
        for (k, v) in trans { tbars += "\(label(k)),\(v["rr"] ?? ""),\(v["crr"] ?? "")\n" }
        var ubars = "mode,udp_mbit_s,udp_loss_pct\n"
        for (k, mbit, loss) in udp { ubars += "\(label(k)),\(mbit),\(loss)\n" }

        /// A chart with nothing to draw says why (gnuplot refuses an empty data file).
        func empty(_ why: String) -> String {
            "unset logscale y\nset label 1 '\(why)' at graph 0.5, 0.5 center\nset xrange [0:1]\nset yrange [0:1]\nplot 2 notitle\nunset label 1\nset autoscale x\nset autoscale y"
        }
        func lines(_ file: String) -> String {
            // colour cycles through 8, the dash type changes every 8 series: no two series look alike
            series.enumerated().map { i, k in "'\(file)' using 1:\(i + 2) with linespoints lw 2 lc \(i % 8 + 1) dt \(i / 8 + 1) pt \(i % 13 + 1) title '\(k.filter { $0 != "'" })'" }
                .joined(separator: ", \\\n     ")
        }
        var gp = """
        # Generated by clustersim plot. Re-run from this folder: gnuplot network.gp
        set datafile separator ','
        set datafile missing ''
        set key outside right top vertical
        set grid
        set logscale x 2
        set xlabel 'message size (bytes)'

        """
        let charts: [(String, String, String, String, Bool)] = [
            ("network_throughput", "TCP throughput by message size, one flow (qperf tcp_bw)\(on)", "Mbit/s", "network_throughput.dat", false),
            ("network_latency", "One-way latency by message size (qperf tcp_lat)\(on)", "microseconds", "network_latency.dat", true),
        ]
        let terms: [String: String] = ["png": "pngcairo noenhanced size 1100,600 font 'sans,10'",
                                       "svg": "svg noenhanced size 1100,600 dynamic font 'sans,10'"]
        for f in formats {
            guard let term = terms[f] else { continue }
            let ext = f
            for (file, title, ylabel, dat, logy) in charts {
                gp += """
                set terminal \(term)
                set output '\(file).\(ext)'
                set title "\(title)"
                set ylabel '\(ylabel)'
                \(logy ? "set logscale y" : "unset logscale y")
                plot \(lines(dat))
                unset output

                """
            }
            gp += """
            set terminal \(term)
            set output 'network_cpu.\(ext)'
            unset logscale x
            unset logscale y
            set title "Network CPU per Gbit of one TCP flow at \(cpuSize)-byte writes (both hosts)\(on)"
            set ylabel 'core-seconds per Gbit'
            set xlabel ''
            set style fill solid 0.8
            set boxwidth 0.7
            set xtics rotate by -40 left
            set yrange [0:*]
            plot 'network_cpu.dat' every ::1 using 0:2:xtic(1) with boxes lc 1 notitle
            unset output
            set terminal \(term)
            set output 'network_transactions.\(ext)'
            set title "Request/response rate of the parallel flows (1-byte messages): rr without, crr with a new connection each\(on)"
            set ylabel 'transactions per second'
            set logscale y
            set yrange [*:*]
            set style data histograms
            set style histogram clustered gap 1
            set style fill solid 0.8 border -1
            \(trans.isEmpty ? empty("no rr or crr rows (network.experiments.flows is 0)") : """
            plot 'network_transactions.dat' every ::1 using 2:xtic(1) lc 1 fillstyle solid 0.8 title 'rr (keep-alive)', \\
                 '' every ::1 using 3 lc 2 fillstyle pattern 4 title 'crr (connect + request + close)'
            """)
            unset output
            unset logscale y
            set terminal \(term)
            set output 'network_udp.\(ext)'
            set title "One UDP stream of MTU-sized datagrams: delivered rate and loss at the receiver\(on)"
            set ylabel 'delivered Mbit/s'
            set y2label 'datagrams lost (%)'
            set y2tics
            set yrange [0:*]
            set y2range [0:100]
            \(udp.isEmpty ? empty("no udp rows") : """
            plot 'network_udp.dat' every ::1 using 2:xtic(1) axes x1y1 lc 1 fillstyle solid 0.8 title 'delivered (Mbit/s, left)', \\
                 '' every ::1 using 3 axes x1y2 lc 7 fillstyle pattern 2 title 'lost (%, right)'
            """)
            unset output
            unset y2tics
            unset y2label
            set style data lines
            set logscale x 2
            set xtics norotate
            set xlabel 'message size (bytes)'
            set autoscale y

            """
        }
        return ([("network_throughput.dat", table(tput)), ("network_latency.dat", table(lat)), ("network_cpu.dat", bars),
                 ("network_transactions.dat", tbars), ("network_udp.dat", ubars)], gp)
    }
}
