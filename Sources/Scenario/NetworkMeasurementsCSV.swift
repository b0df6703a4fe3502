import ClusterModel
import SimKernel

// Measurements for `clustersim calibrate` (docs/network.md, "Calibration"): a CSV in network.csv's
// columns (a results folder's network.csv loads as it is, its `nic_tunnel_offload` included: the hosts' NIC
// UDP-tunnel offload, true/false, empty or absent: the environment's), plus an optional `source` column that
// names where each row comes from. Lines starting with `#` are comments. The rows used are tcp and
// udp rows with at least one of throughput_mbit_s, throughput_ratio_to_host, one_way_latency_us,
// cpu_per_gbit_core_s, udp_loss_pct (udp rows); the others (multi_flow, rr, crr, connect) are read and skipped.

/// A CSV error at a line and column (1-based), as `file:line:column: message` prints it.
public struct MeasurementsError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String
    public var description: String { "line \(line), column \(column): \(message)" }
}

public enum NetworkMeasurementsCSV {
    /// Columns a row must fill.
    public static let required = ["environment", "mode", "experiment", "message_size_bytes", "mtu_bytes", "nic_gbit_s", "cores"]
    /// Every column accepted: network.csv's (ClusterNetwork.networkColumnNames, `nic_tunnel_offload` among them:
    /// true, false, or empty for the environment's, the hosts' NIC UDP-tunnel offload as `network.nicTunnelOffload`
    /// states it for a scenario) and `source`.
    public static var accepted: [String] { ["source"] + ClusterNetwork.networkColumnNames }

    /// Parses the text; throws the first error with its line and column.
    public static func parse(_ text: String) throws -> [NetworkMeasurement] {
        var header: [String]? = nil
        var rows: [NetworkMeasurement] = []
        var lineNo = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            func column(_ i: Int) -> Int { fields.prefix(i).reduce(1) { $0 + $1.count + 1 } }
            if let q = fields.firstIndex(where: { $0.contains("\"") }) {
                throw MeasurementsError(line: lineNo, column: column(q), message: "quoted fields are not supported (network.csv has none)")
            }
            guard let h = header else {
                for (i, name) in fields.enumerated() {
                    if !accepted.contains(name) {
                        throw MeasurementsError(line: lineNo, column: column(i), message: "unknown column \(JSONValue.quote(name)); the columns are network.csv's (clustersim docs outputs) and \"source\"")
                    }
                    if fields.prefix(i).contains(name) { throw MeasurementsError(line: lineNo, column: column(i), message: "column \(JSONValue.quote(name)) appears twice") }
                }
                for r in required where !fields.contains(r) {
                    throw MeasurementsError(line: lineNo, column: 1, message: "the header has no \(JSONValue.quote(r)) column; required: \(required.joined(separator: ", "))")
                }
                header = fields
                continue
            }
            guard fields.count == h.count else {
                throw MeasurementsError(line: lineNo, column: column(min(fields.count, h.count)), message: "\(fields.count) fields, the header has \(h.count)")
            }
            func cell(_ name: String) -> (String, Int)? {
                guard let i = h.firstIndex(of: name), !fields[i].isEmpty else { return nil }
                return (fields[i], column(i))
            }
            func need(_ name: String) throws -> (String, Int) {
                guard let c = cell(name) else {
                    throw MeasurementsError(line: lineNo, column: h.firstIndex(of: name).map(column) ?? 1, message: "\(name) is empty; it is required")
                }
                return c
            }
            func number(_ name: String, min lo: Double, max hi: Double) throws -> Double? {
                guard let (s, col) = cell(name) else { return nil }
                guard let x = Double(s), x.isFinite, x >= lo, x <= hi else {
                    throw MeasurementsError(line: lineNo, column: col, message: "\(name): expected a number from \(NumberFormat.decimal(lo)) to \(NumberFormat.decimal(hi)), got \(JSONValue.quote(s))")
                }
                return x
            }
            let (envText, envCol) = try need("environment")
            guard let env = NetworkEnvironment(rawValue: envText) else {
                throw MeasurementsError(line: lineNo, column: envCol, message: "environment: expected \(NetworkEnvironment.allCases.map { JSONValue.quote($0.rawValue) }.joined(separator: " or ")), got \(JSONValue.quote(envText))")
            }
            let (modeText, modeCol) = try need("mode")
            guard let mode = ContainerNetworkMode(rawValue: modeText) else {
                throw MeasurementsError(line: lineNo, column: modeCol, message: "mode: unknown mode \(JSONValue.quote(modeText)); modes: \(ContainerNetworkMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let (expText, expCol) = try need("experiment")
            guard let exp = NetworkResultRow.Experiment(rawValue: expText) else {
                throw MeasurementsError(line: lineNo, column: expCol, message: "experiment: expected tcp, udp, multi_flow, rr, crr or connect, got \(JSONValue.quote(expText))")
            }
            // only tcp and udp rows are fitted; the others (connect rows have no message size) are skipped
            guard exp == .tcp || exp == .udp else { continue }
            var kernel: KernelVersion? = nil
            if let (k, col) = cell("kernel") {
                guard let v = KernelVersion(k) else { throw MeasurementsError(line: lineNo, column: col, message: "kernel: expected a release like 4.15, got \(JSONValue.quote(k))") }
                kernel = v
            }
            var tunnelOffload: Bool? = nil
            if let (t, col) = cell("nic_tunnel_offload") {
                guard t == "true" || t == "false" else {
                    throw MeasurementsError(line: lineNo, column: col, message: "nic_tunnel_offload: expected true, false or empty (the environment's), got \(JSONValue.quote(t))")
                }
                tunnelOffload = t == "true"
            }
            var sameHost = false
            if let (l, col) = cell("locality") {
                guard let loc = ClusterNetwork.Locality(rawValue: l) else {
                    throw MeasurementsError(line: lineNo, column: col, message: "locality: expected same-host, same-rack, same-datacenter or cross-datacenter, got \(JSONValue.quote(l))")
                }
                sameHost = loc == .sameHost
            }
            _ = try need("message_size_bytes"); _ = try need("mtu_bytes"); _ = try need("nic_gbit_s"); _ = try need("cores")
            let size = try number("message_size_bytes", min: 1, max: 1_073_741_824)!
            let mtu = try number("mtu_bytes", min: 576, max: 65535)!
            let nic = try number("nic_gbit_s", min: 0.001, max: 1000)!
            let cores = try number("cores", min: 0.01, max: 4096)!
            let m = NetworkMeasurement(
                source: cell("source")?.0 ?? "measurements", environment: env, kernel: kernel, clockGHz: try number("cpu_clock_ghz", min: 0.5, max: 6),
                nicGbit: nic, cores: cores, mode: mode, experiment: exp, sameHost: sameHost, messageSize: Int64(size), mtu: Int(mtu),
                throughputMbit: try number("throughput_mbit_s", min: 1e-9, max: 1e7), ratioToHost: try number("throughput_ratio_to_host", min: 1e-9, max: 100),
                oneWayLatencyUs: try number("one_way_latency_us", min: 0, max: 1e9), cpuPerGbit: try number("cpu_per_gbit_core_s", min: 1e-12, max: 1e9), line: lineNo,
                udpLossPct: try number("udp_loss_pct", min: 0, max: 100), tunnelOffload: tunnelOffload)
            rows.append(m)
        }
        guard header != nil else { throw MeasurementsError(line: max(1, lineNo), column: 1, message: "no header row: the file is empty") }
        guard !rows.isEmpty else { throw MeasurementsError(line: lineNo, column: 1, message: "no tcp or udp rows with a measurement to fit") }
        return rows
    }
}
