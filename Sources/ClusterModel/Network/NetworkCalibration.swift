import Glibc
import SimKernel

// Calibration in the open (docs/network.md, "Calibration"): the stage costs of an environment
// fitted to measurements in network.csv's columns. `NetworkPrediction` is the datapath model's
// closed form for one idle pair of hosts (what the experiments measure when nothing else runs);
// `NetworkCalibration` compares it with measured rows (ratios to host networking, CPU ratios,
// added latencies, each within its source) and fits the free costs by coordinate descent in log
// space. `clustersim calibrate` and the leave-one-source-out table of docs/network.md run it.

/// One measured row (network.csv's columns, plus the source it comes from).
public struct NetworkMeasurement: Equatable, Sendable {
    public var source: String
    public var environment: NetworkEnvironment
    public var kernel: KernelVersion?
    public var clockGHz: Double?
    public var nicGbit: Double
    public var cores: Double
    public var mode: ContainerNetworkMode
    public var experiment: NetworkResultRow.Experiment
    public var sameHost: Bool
    public var messageSize: Int64
    public var mtu: Int
    public var throughputMbit: Double?
    public var ratioToHost: Double?
    public var oneWayLatencyUs: Double?
    public var cpuPerGbit: Double?
    /// The line of the CSV it was read from (residual tables name it).
    public var line: Int
    /// udp rows: percent of the datagrams the sender offered that the receiver did not get (iperf3's loss).
    public var udpLossPct: Double?
    /// The hosts' NIC has UDP-tunnel offload (`nic_tunnel_offload`); nil: the environment's.
    public var tunnelOffload: Bool?
    public init(source: String, environment: NetworkEnvironment, kernel: KernelVersion? = nil, clockGHz: Double? = nil, nicGbit: Double,
                cores: Double, mode: ContainerNetworkMode, experiment: NetworkResultRow.Experiment = .tcp, sameHost: Bool = false,
                messageSize: Int64, mtu: Int, throughputMbit: Double? = nil, ratioToHost: Double? = nil, oneWayLatencyUs: Double? = nil,
                cpuPerGbit: Double? = nil, line: Int = 0, udpLossPct: Double? = nil, tunnelOffload: Bool? = nil) {
        self.source = source; self.environment = environment; self.kernel = kernel; self.clockGHz = clockGHz; self.nicGbit = nicGbit
        self.cores = cores; self.mode = mode; self.experiment = experiment; self.sameHost = sameHost; self.messageSize = messageSize
        self.mtu = mtu; self.throughputMbit = throughputMbit; self.ratioToHost = ratioToHost; self.oneWayLatencyUs = oneWayLatencyUs
        self.cpuPerGbit = cpuPerGbit; self.line = line; self.udpLossPct = udpLossPct; self.tunnelOffload = tunnelOffload
    }
}

/// The model's figures for one idle pair of hosts: what the experiments report for a single flow.
public enum NetworkPrediction {
    public struct Figures: Equatable, Sendable {
        /// Payload bytes per second of one flow (tcp: writes of the message size; udp: MTU-sized datagrams).
        public var bytesPerSecond: Double
        /// Network CPU on both hosts per Gbit delivered, core-seconds.
        public var cpuPerGbit: Double
        /// qperf tcp_lat one-way latency (round trip of two messages of the size / 2), nanoseconds.
        public var oneWayNs: Double
        /// udp: the fraction of what the sender offers (its core, its NIC) that the receiver does not take,
        /// as the experiments' `udp_loss_pct` (0 for tcp).
        public var udpLoss: Double = 0
    }

    /// One flow of `mode` between two hosts with `cores` and a `nicGbit` NIC (or on one host).
    public static func figures(env e: EnvironmentParameters, mode: ContainerNetworkMode, mtu: Int, nicGbit: Double, cores: Double,
                               messageSize: Int64, experiment: NetworkResultRow.Experiment = .tcp, sameHost: Bool = false,
                               switchNs: Double = 1000) -> Figures {
        let client: ContainerNetworkMode = mode == .dockerProxy ? .host : mode
        let link = nicGbit * 1e9 / 8
        let wm: ContainerNetworkMode = mode == .dockerProxy ? .bridge : mode
        let a = Datapath.endCost(client, mtu: mtu, env: e, serverSide: false, sending: true, writeBytes: messageSize)
        let b = Datapath.endCost(mode, mtu: mtu, env: e, serverSide: true, sending: false, writeBytes: messageSize)
        var ka = a.kernelNsPerByte, kb = b.kernelNsPerByte, ua = a.userNsPerByte, ub = b.userNsPerByte
        var wire = Datapath.wireBytesPerPayloadByte(wm, mtu: mtu)
        if experiment == .udp {
            let da = Datapath.udpDatagramNs(client, mtu: mtu, env: e, sending: true), db = Datapath.udpDatagramNs(mode, mtu: mtu, env: e, sending: false)
            ka = da.kernel / Double(da.payload); ua = da.user / Double(da.payload)
            kb = db.kernel / Double(db.payload); ub = db.user / Double(db.payload)
            wire = Double(mtu + Datapath.profile(wm).encapBytes + Datapath.ethernetFramingBytes) / Double(da.payload)
        } else if messageSize > 0 {
            ka += e.syscallNs / Double(messageSize); kb += e.syscallNs / Double(messageSize)
        }
        let endA = Datapath.EndCost(kernelNsPerByte: ka, userNsPerByte: ua, kernelNsPerMessage: 0, userNsPerMessage: 0, waitNsPerMessage: 0)
        let endB = Datapath.EndCost(kernelNsPerByte: kb, userNsPerByte: ub, kernelNsPerMessage: 0, userNsPerMessage: 0, waitNsPerMessage: 0)
        var rate = min(Datapath.singleFlowCPUBound(endA, cores: cores), Datapath.singleFlowCPUBound(endB, cores: cores))
        if sameHost {
            rate = min(rate, cores * 1e9 / (ka + ua + kb + ub))
        } else {
            rate = min(rate, link / wire, cores * 1e9 / (ka + ua), cores * 1e9 / (kb + ub))
        }
        // a UDP sender runs flat out (iperf3 -u -b 0): its kernel path pays for every datagram it offers,
        // the ones lost downstream included (`Datapath.udpSenderUnpaced`); a forwarder's copies and the
        // receiver for what is delivered. iperf3 counts as lost every datagram its sender wrote that the
        // receiver did not get, those its own host dropped beyond its NIC's rate included (`Datapath.udpSenderRate`)
        var senderKernel = ka
        var udpLoss = 0.0
        if experiment == .udp, rate > 0 {
            let offered = Datapath.udpSenderRate(client, env: e, sender: endA, cores: cores, nicBytesPerSecond: sameHost ? .infinity : link, wire: wire)
            udpLoss = offered > 0 ? max(0, 1 - rate / offered) : 0
            senderKernel *= max(1, offered / rate)
        }
        let path = sameHost ? 0 : switchNs
        let l1 = Datapath.messageLatencyNs(env: e, sender: a, receiver: b, wireMode: wm, mtu: mtu, bytes: Double(messageSize), pathNs: path,
                                           linkBytesPerSecond: sameHost ? nil : link)
        let ra = Datapath.endCost(mode, mtu: mtu, env: e, serverSide: true, sending: true, writeBytes: messageSize)
        let rb = Datapath.endCost(client, mtu: mtu, env: e, serverSide: false, sending: false, writeBytes: messageSize)
        let l2 = Datapath.messageLatencyNs(env: e, sender: ra, receiver: rb, wireMode: wm, mtu: mtu, bytes: Double(messageSize), pathNs: path,
                                           linkBytesPerSecond: sameHost ? nil : link)
        return Figures(bytesPerSecond: rate, cpuPerGbit: (senderKernel + ua + kb + ub) * 0.125, oneWayNs: (l1 + l2) / 2, udpLoss: udpLoss)
    }
}

/// Fits an environment's stage costs to measurements and reports the residuals.
public enum NetworkCalibration {
    /// The costs the fit may move (the rest stay the environment's): every per-packet, per-segment
    /// and per-byte stage cost the reference rows can see, and the base costs.
    public static let freeParameters: [String] = [
        "nsPerByte", "stackNsPerSegment", "driverNsPerPacket", "syscallNs", "deferralNs", "vethNsPerPacket", "bridgeNsPerPacket", "natNsPerPacket",
        "policyNsPerPacket", "ipipNsPerPacket", "vxlanNsPerPacket", "ovsNsPerPacket", "handoffNs",
        "vethNsPerSegment", "netfilterNsPerSegment", "ebpfNsPerPacket", "ebpfNsPerSegment", "ovsNsPerSegment", "ovnACLNsPerPacket",
        "udpReceiveNsPerDatagram", "udpSendNsPerDatagram",
    ]

    /// The per-mode stage costs: what leave-one-source-out fits (the base costs stay the hardware's).
    public static var stageCosts: [String] { freeParameters.filter { !baseCosts.contains($0) } }

    /// The costs of the hardware rather than of a mode (host networking and microbenchmarks see
    /// them): leave-one-source-out keeps them, as a user measures them on the hardware.
    public static let baseCosts: [String] = ["nsPerByte", "stackNsPerSegment", "driverNsPerPacket", "syscallNs", "deferralNs", "handoffNs",
                                              "udpReceiveNsPerDatagram", "udpSendNsPerDatagram"]

    static func path(_ name: String) -> WritableKeyPath<EnvironmentParameters, Double>? {
        if name == "deferralNs" { return \.deferralNs }
        return EnvironmentParameters.cpuCosts.first { $0.name == name }?.path
    }

    /// One compared figure: the measured and the predicted value of a metric, and its error.
    public struct Residual: Equatable, Sendable {
        public var line: Int
        public var source: String
        public var mode: ContainerNetworkMode
        public var metric: String
        public var measured: Double
        public var predicted: Double
        /// Relative error of ratios (predicted / measured - 1); for added latency, (predicted -
        /// measured) / max(|measured|, 18 µs): the N1 chart's resolution; for udp loss, the difference
        /// in percentage points / 100.
        public var error: Double
    }

    static func params(_ base: EnvironmentParameters, _ m: NetworkMeasurement) -> EnvironmentParameters {
        base.adapted(clockGHz: m.clockGHz, kernel: m.kernel, tunnelOffload: m.tunnelOffload)
    }

    /// The baseline a row is compared with inside its source: host networking in the same
    /// experiment, size and locality, else the source's first row of the experiment.
    static func baseline(_ m: NetworkMeasurement, in rows: [NetworkMeasurement], has: (NetworkMeasurement) -> Bool) -> NetworkMeasurement? {
        let same = rows.filter { $0.source == m.source && $0.experiment == m.experiment && has($0) }
        return same.first { $0.mode == .host && $0.messageSize == m.messageSize && $0.sameHost == m.sameHost } ?? same.first
    }

    /// What each row of the environment is compared with (indices into the rows), found once per
    /// set of rows: the host row of its throughput ratio, the baselines of its CPU and latency.
    public struct Comparisons: Sendable {
        var environment: NetworkEnvironment
        var entries: [(row: Int, host: Int?, cpu: Int?, latency: Int?)]
    }

    public static func comparisons(_ rows: [NetworkMeasurement], environment: NetworkEnvironment) -> Comparisons {
        var entries: [(Int, Int?, Int?, Int?)] = []
        for (i, m) in rows.enumerated() where m.environment == environment {
            func sameRun(_ r: NetworkMeasurement) -> Bool {
                r.source == m.source && r.experiment == m.experiment && r.sameHost == m.sameHost && (r.messageSize == m.messageSize || m.experiment == .udp)
            }
            // the source's host row, else (a source that measured no host row) its row whose ratio is 1
            let host = rows.firstIndex { sameRun($0) && $0.mode == .host }
                ?? rows.firstIndex { sameRun($0) && $0.ratioToHost == 1 }
            let cpu = baseline(m, in: rows, has: { $0.cpuPerGbit != nil }).flatMap { b in rows.firstIndex(of: b) }
            let lat = baseline(m, in: rows, has: { $0.oneWayLatencyUs != nil && $0.messageSize == m.messageSize }).flatMap { b in rows.firstIndex(of: b) }
            entries.append((i, host, cpu, lat))
        }
        return Comparisons(environment: environment, entries: entries)
    }

    /// Every comparable figure of `rows` under `table` (the environment's costs; rows of other
    /// environments use their own shipped table).
    public static func residuals(_ rows: [NetworkMeasurement], table: EnvironmentParameters, environment: NetworkEnvironment) -> [Residual] {
        residuals(rows, table: table, comparisons(rows, environment: environment))
    }

    static func residuals(_ rows: [NetworkMeasurement], table: EnvironmentParameters, _ plan: Comparisons) -> [Residual] {
        var out: [Residual] = []
        var cache = [NetworkPrediction.Figures?](repeating: nil, count: rows.count)
        func fig(_ i: Int) -> NetworkPrediction.Figures {
            if let f = cache[i] { return f }
            let m = rows[i]
            let base = m.environment == plan.environment ? table : EnvironmentParameters.of(m.environment)
            let f = NetworkPrediction.figures(env: params(base, m), mode: m.mode, mtu: m.mtu, nicGbit: m.nicGbit, cores: m.cores,
                                              messageSize: m.messageSize, experiment: m.experiment, sameHost: m.sameHost)
            cache[i] = f
            return f
        }
        for (i, hostIndex, cpuBase, latBase) in plan.entries {
            let m = rows[i]
            let p = fig(i)
            // throughput: as a ratio to host when given (to the source's row of ratio 1 where it has no
            // host row, which is then the baseline and not compared itself), else absolute
            let baseline = hostIndex.map { rows[$0].mode } ?? .host
            if let r = m.ratioToHost, m.mode != .host, hostIndex != i {
                let hp = hostIndex.map { fig($0) } ?? NetworkPrediction.figures(env: params(table, m), mode: .host, mtu: m.mtu, nicGbit: m.nicGbit,
                                                                                  cores: m.cores, messageSize: m.messageSize, experiment: m.experiment, sameHost: m.sameHost)
                let pr = p.bytesPerSecond / hp.bytesPerSecond
                out.append(Residual(line: m.line, source: m.source, mode: m.mode, metric: "throughput_ratio_to_\(baseline.rawValue)", measured: r, predicted: pr,
                                    error: pr / r - 1))
            } else if m.ratioToHost == nil || m.mode == .host || hostIndex == i, let t = m.throughputMbit {
                let pr = p.bytesPerSecond * 8 / 1e6
                out.append(Residual(line: m.line, source: m.source, mode: m.mode, metric: "throughput_mbit_s", measured: t, predicted: pr, error: pr / t - 1))
            }
            if let c = m.cpuPerGbit, let bi = cpuBase, bi != i, let bc = rows[bi].cpuPerGbit, bc > 0 {
                let pr = p.cpuPerGbit / fig(bi).cpuPerGbit, meas = c / bc
                out.append(Residual(line: m.line, source: m.source, mode: m.mode, metric: "cpu_ratio_to_\(rows[bi].mode.rawValue)", measured: meas, predicted: pr, error: pr / meas - 1))
            }
            // udp loss: absolute, in percentage points (error as a fraction: 0.1 is 10 points)
            if let l = m.udpLossPct, m.experiment == .udp {
                let pr = p.udpLoss * 100
                out.append(Residual(line: m.line, source: m.source, mode: m.mode, metric: "udp_loss_pct", measured: l, predicted: pr, error: (pr - l) / 100))
            }
            if let l = m.oneWayLatencyUs, let bi = latBase, bi != i, let bl = rows[bi].oneWayLatencyUs {
                let pr = (p.oneWayNs - fig(bi).oneWayNs) / 1e3, meas = l - bl
                out.append(Residual(line: m.line, source: m.source, mode: m.mode, metric: "added_latency_us_vs_\(rows[bi].mode.rawValue)", measured: meas, predicted: pr,
                                    error: (pr - meas) / max(abs(meas), 18)))
            }
        }
        return out
    }

    static func loss(_ r: [Residual]) -> Double {
        r.reduce(0) { s, x in
            let e = x.metric.hasPrefix("added_latency") || x.metric == "udp_loss_pct" ? x.error : log(max(1e-6, 1 + x.error))
            return s + e * e
        }
    }

    /// The result of a fit: the fitted table, the costs it moved and the residuals before and after.
    public struct Fit: Sendable {
        public var table: EnvironmentParameters
        public var moved: [(name: String, before: Double, after: Double)]
        public var before: [Residual]
        public var after: [Residual]
    }

    /// Weight of the prior: each free cost's squared log-distance from its start counts this much
    /// against the squared errors, so a cost the rows do not identify stays where it started
    /// instead of drifting to 0 (a ridge in log space).
    public static let priorWeight = 0.02

    static func penalty(_ t: EnvironmentParameters, _ start: EnvironmentParameters) -> Double {
        var x = 0.0
        for name in freeParameters {
            guard let p = path(name) else { continue }
            let a = t[keyPath: p], b = start[keyPath: p]
            if a > 0 && b > 0 { let l = log(a / b); x += l * l } else if a != b { x += 4 }
        }
        return priorWeight * x
    }

    /// What a source states without a row to compare (issue 15: "measured, one flow is limited by one
    /// core" on a 40 Gbit jumbo-frame link, `NetworkMechanismTests.testSingleFlowIsCPUBoundAt40Gbit`): on
    /// bare metal one TCP flow of host networking between two 16-core hosts with 40 Gbit NICs at MTU 9000
    /// stays under 0.9 of the line. The fit takes no step out of it (docs/network.md, "Calibration").
    public static func withinBounds(_ t: EnvironmentParameters, environment: NetworkEnvironment) -> Bool {
        guard environment == .bareMetal else { return true }
        let f = NetworkPrediction.figures(env: t, mode: .host, mtu: 9000, nicGbit: 40, cores: 16, messageSize: 131072)
        return f.bytesPerSecond * 8 < 0.9 * 40e9 * 8948 / (9000 + 38)
    }

    /// Fits the free costs of `start` to the rows of `environment` by coordinate descent in log
    /// space (each cost multiplied by 2 ... 1.02, coarse steps first) against the squared errors
    /// plus the prior (`priorWeight`), without a step out of `withinBounds` where the start is in
    /// them. Deterministic: the same rows give the same table.
    public static func fit(_ rows: [NetworkMeasurement], environment: NetworkEnvironment, start: EnvironmentParameters, rounds: Int = 6,
                           free: [String] = freeParameters) -> Fit {
        var t = start
        let bounded = withinBounds(start, environment: environment)
        let plan = comparisons(rows, environment: environment)
        let before = residuals(rows, table: t, plan)
        var best = loss(before)
        var moved: [(String, Double, Double)] = []
        var steps = [2.0, 1.41, 1.19, 1.09, 1.04, 1.02]
        if rounds < steps.count { steps = Array(steps.prefix(rounds)) }
        for step in steps {
            for _ in 0..<3 {
                var improved = false
                for name in free {
                    guard let p = path(name) else { continue }
                    let x0 = t[keyPath: p]
                    let base = x0 > 0 ? x0 : 50
                    for f in [step, 1 / step] {
                        var c = t
                        c[keyPath: p] = x0 > 0 ? x0 * f : (f > 1 ? base : 0)
                        if bounded && !withinBounds(c, environment: environment) { continue }
                        let l = loss(residuals(rows, table: c, plan)) + penalty(c, start)
                        if l < best - 1e-12 { best = l; t = c; improved = true; break }
                    }
                }
                if !improved { break }
            }
        }
        for name in freeParameters {
            guard let p = path(name) else { continue }
            if t[keyPath: p] != start[keyPath: p] { moved.append((name, start[keyPath: p], t[keyPath: p])) }
        }
        return Fit(table: t, moved: moved, before: before, after: residuals(rows, table: t, plan))
    }

    /// Leave-one-source-out: for each source, fit on the other sources' rows from `neutral` (the
    /// environment's table with every free cost set to one start value, so nothing the left-out
    /// source taught the shipped table leaks in), then predict the left-out source.
    public static func leaveOneSourceOut(_ rows: [NetworkMeasurement], environment: NetworkEnvironment) -> [(source: String, residuals: [Residual])] {
        var sources: [String] = []
        for r in rows where r.environment == environment && !sources.contains(r.source) { sources.append(r.source) }
        let start = neutral(environment)
        return sources.map { s in
            let train = rows.filter { $0.source != s }
            let f = fit(train, environment: environment, start: start, rounds: 4, free: stageCosts)
            return (s, residuals(rows.filter { $0.source == s }, table: f.table, environment: environment))
        }
    }

    /// The environment's table with its free per-packet/per-segment stage costs at one start
    /// value (the base costs, which every source sees through host networking, stay).
    public static func neutral(_ environment: NetworkEnvironment) -> EnvironmentParameters {
        var t = EnvironmentParameters.of(environment)
        let stages = stageCosts
        let startNs = environment == .cloudVM ? 500.0 : 100.0
        for name in stages { if let p = path(name) { t[keyPath: p] = startNs } }
        return t
    }
}

// MARK: - Printed tables (clustersim calibrate; docs/network.md's leave-one-source-out table)

extension NetworkCalibration {
    static func pct(_ x: Double) -> String { NumberFormat.decimal((x * 1000).rounded() / 10) + " %" }
    static func num(_ x: Double) -> String { NumberFormat.decimal((x * 1000).rounded() / 1000) }

    /// The fitted table: every free cost, the environment's value and the fitted one.
    public static func tableText(_ f: Fit, environment: NetworkEnvironment) -> String {
        var s = "| cost (\(environment.rawValue)) | shipped | fitted |\n|---|---|---|\n"
        let base = EnvironmentParameters.of(environment)
        for name in freeParameters {
            guard let p = path(name) else { continue }
            s += "| `\(name)` | \(num(base[keyPath: p])) | \(num(f.table[keyPath: p])) |\n"
        }
        return s
    }

    /// One line per compared figure: where it comes from, measured, predicted, error.
    public static func residualText(_ r: [Residual]) -> String {
        var s = "| line | source | mode | metric | measured | predicted | error |\n|---|---|---|---|---|---|---|\n"
        for x in r {
            s += "| \(x.line) | \(x.source) | \(x.mode.rawValue) | \(x.metric) | \(num(x.measured)) | \(num(x.predicted)) | \(pct(x.error)) |\n"
        }
        return s
    }

    /// Ranking check inside each source and metric: pairs of modes whose measured order the
    /// prediction keeps, out of the pairs (ties within 2 % measured are not counted).
    public static func rankings(_ r: [Residual]) -> (kept: Int, pairs: Int) {
        var kept = 0, pairs = 0
        for i in r.indices {
            for j in r.indices where j > i && r[j].source == r[i].source && r[j].metric == r[i].metric {
                let dm = r[i].measured - r[j].measured
                guard abs(dm) > 0.02 * max(abs(r[i].measured), abs(r[j].measured)) else { continue }
                pairs += 1
                if (r[i].predicted - r[j].predicted) * dm > 0 { kept += 1 }
            }
        }
        return (kept, pairs)
    }

    /// The leave-one-source-out table: per left-out source and metric kind, the figures compared,
    /// the mean and largest error, how many are within 10 %, and the rankings kept.
    public static func leaveOneSourceOutText(_ rows: [NetworkMeasurement]) -> String {
        var s = "| environment | left-out source | metric | figures | mean abs error | largest abs error | within 10 % | rankings kept |\n|---|---|---|---|---|---|---|---|\n"
        for env in NetworkEnvironment.allCases {
            for (source, res) in leaveOneSourceOut(rows, environment: env) {
                var kinds: [String] = []
                for x in res {
                    let k = kind(x.metric)
                    if !kinds.contains(k) { kinds.append(k) }
                }
                for k in kinds {
                    let xs = res.filter { kind($0.metric) == k }
                    let errs = xs.map { abs($0.error) }
                    let rk = rankings(xs)
                    s += "| \(env.rawValue) | \(source) | \(k) | \(xs.count) | \(pct(errs.reduce(0, +) / Double(errs.count))) | \(pct(errs.max() ?? 0)) | \(errs.filter { $0 <= 0.1 }.count) of \(errs.count) | \(rk.pairs == 0 ? "-" : "\(rk.kept) of \(rk.pairs)") |\n"
                }
            }
        }
        return s
    }

    static func kind(_ metric: String) -> String {
        if metric.hasPrefix("cpu_ratio") { return "cpu ratio" }
        if metric.hasPrefix("added_latency") { return "added latency" }
        if metric == "udp_loss_pct" { return "udp loss" }
        return metric.hasPrefix("throughput_ratio_to_") ? "throughput ratio" : "throughput"
    }
}
