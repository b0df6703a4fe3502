import SimKernel

// What the Network subsystem writes into a results folder: network.csv, the results of the
// network experiments (qperf-like runs per mode), written at the last sample of the run, and its
// charts by message size (NetworkPlots.swift, a plot with its own gnuplot script).

extension ClusterNetwork {
    public static let outputs = SubsystemOutputs(tables: [networkTable], plots: [messageSizePlots], columns: [hostColumns])

    /// hosts.csv's network column (row = host index); 0 without a `network` section.
    static let hostColumns = ContributedColumns(
        of: ClusterNetwork.self, table: "hosts.csv", after: "downtime_s",
        columns: [("network_cpu_cores", "mean cores the network used on this host since the previous sample (flows, messages, forwarders; 0 without a `network` section)")],
        absent: { h in h.field(0, decimals: 4) }) { net, host, _, h in
            h.field(net.cpuCoresSinceLastSample(host: host), decimals: 4)
        }

    static let networkColumns: [(String, String)] = [
        ("environment", "network environment: cloud-vm (no tunnel offload) or bare-metal (offloads)"),
        ("kernel", "the hosts' kernel release, major.minor (decides IPIP GSO/GRO and the eBPF datapaths)"),
        ("cpu_clock_ghz", "the hosts' CPU clock, GHz (CPU costs scale with the environment's reference clock / this)"),
        ("nic_gbit_s", "the client host's NIC rate, Gbit/s (one port)"),
        ("cores", "the client host's cores: its host group's cpus (a fraction when the group offers one)"),
        ("nic_tunnel_offload", "the hosts' NIC has UDP-tunnel offload (segments and merges VXLAN/Geneve itself): true or false, `network.nicTunnelOffload` or the environment's"),
        ("mode", "container network mode (docker-proxy: a published port reached from its own host)"),
        ("experiment", "tcp (qperf tcp_bw + tcp_lat at one message size), multi_flow (parallel TCP flows), udp (one stream of MTU-sized datagrams), rr and crr (parallel 1-byte request/response streams, without and with a new connection each: netperf TCP_RR, TCP_CRR), connect (a burst of new connections)"),
        ("locality", "where the two ends are: same-host, same-rack, same-datacenter or cross-datacenter"),
        ("message_size_bytes", "bytes per write (tcp, multi_flow) or per datagram (udp); empty for connect"),
        ("flows", "flows (or connections) run at once"),
        ("mtu_bytes", "container MTU of the path"),
        ("throughput_mbit_s", "payload throughput, Mbit/s (10^6 bits per second); empty for connect"),
        ("throughput_ratio_to_host", "throughput divided by host mode's in the same experiment, locality and message size"),
        ("one_way_latency_us", "tcp rows: qperf tcp_lat one-way latency (round trip / 2) for this message size, microseconds"),
        ("added_latency_us", "tcp rows: one-way latency minus host mode's at the same size, microseconds"),
        ("cpu_per_gbit_core_s", "network CPU on both hosts per Gbit delivered, core-seconds"),
        ("cpu_busy_cores", "mean cores busy with the network on the busier host during the test"),
        ("connect_mean_ms", "connect rows: mean time to establish a connection, ms"),
        ("connect_max_ms", "connect rows: longest time to establish a connection, ms"),
        ("connections_syn_retransmitted", "connect rows: connections whose SYN was dropped by the NAT conntrack race at least once"),
        ("cpu_client_cores", "mean cores busy with the network on the client's host (the sender of tcp, multi_flow and udp rows)"),
        ("cpu_server_cores", "mean cores busy with the network on the server's host (0 on the same host: all is on the client's)"),
        ("udp_loss_pct", "udp rows: datagrams the sender wrote that the receiver did not get (those its own host dropped beyond its NIC included), percent"),
        ("transactions_per_s", "rr and crr rows: transactions per second over all flows"),
        ("transaction_latency_us", "rr and crr rows: mean time of one transaction under that load, microseconds"),
    ]

    /// network.csv's column names (the columns `clustersim calibrate` reads).
    public static var networkColumnNames: [String] { networkColumns.map(\.0) }

    static let networkTable = SubsystemTable(
        of: ClusterNetwork.self, file: "network.csv",
        when: "when the scenario has `network.experiments` (one row per mode, experiment and message size, written at the last sample)",
        columns: networkColumns,
        applies: { $0.experiments != nil }) { net, time, w in
            guard time == net.model.endTime, let ex = net.experiments else { return }
            let host = net.model.infrastructure.host(named: ex.spec.from)
            let setting = NetworkRowSetting(environment: net.spec.environment.rawValue, kernel: net.env.kernel.description,
                                            clockGHz: net.env.referenceClockGHz, nicGbit: Double(host?.nicBitsPerSecond ?? 0) / 1e9,
                                            cores: host?.cpus ?? 0, tunnelOffload: net.env.tunnelOffload)
            writeNetworkRows(ex.rows, setting: setting, to: w)
        }

    /// What network.csv says about the hosts of every row.
    struct NetworkRowSetting {
        var environment: String, kernel: String, clockGHz: Double, nicGbit: Double, cores: Double, tunnelOffload: Bool
    }

    static func writeNetworkRows(_ rows: [NetworkResultRow], setting: NetworkRowSetting, to w: TableSink) {
        func baseline(_ r: NetworkResultRow) -> NetworkResultRow? {
            rows.first { $0.mode == .host && $0.experiment == r.experiment && $0.locality == r.locality && ($0.messageSize == r.messageSize || r.experiment == .udp) }
        }
        func opt(_ x: Double?, _ decimals: Int) { if let x { w.field(x, decimals: decimals) } else { w.field("") } }
        for r in rows {
            let base = baseline(r)
            w.field(setting.environment); w.field(setting.kernel); w.field(setting.clockGHz, decimals: 3)
            w.field(setting.nicGbit, decimals: 3); w.field(setting.cores, decimals: 2)
            w.field(setting.tunnelOffload ? "true" : "false"); w.field(r.mode.rawValue); w.field(r.experiment.rawValue); w.field(r.locality.rawValue)
            if let s = r.messageSize { w.field(s) } else { w.field("") }
            w.field(r.flows); w.field(r.mtu)
            opt(r.throughputBitsPerSecond.map { $0 / 1e6 }, 3)
            opt(r.throughputBitsPerSecond.flatMap { t in base?.throughputBitsPerSecond.map { $0 > 0 ? t / $0 : 0 } }, 4)
            opt(r.oneWayLatency.map { Double($0.nanoseconds) / 1e3 }, 3)
            opt(r.oneWayLatency.flatMap { l in base?.oneWayLatency.map { Double(l.nanoseconds - $0.nanoseconds) / 1e3 } }, 3)
            opt(r.cpuSecondsPerGbit, 6)
            opt(r.busyCores, 4)
            opt(r.connectMean.map { Double($0.nanoseconds) / 1e6 }, 3)
            opt(r.connectMax.map { Double($0.nanoseconds) / 1e6 }, 3)
            if let c = r.connectionsDelayed { w.field(c) } else { w.field("") }
            opt(r.clientCores, 4)
            opt(r.serverCores, 4)
            opt(r.udpLoss.map { $0 * 100 }, 3)
            opt(r.transactionsPerSecond, 1)
            opt(r.transactionLatency.map { Double($0.nanoseconds) / 1e3 }, 3)
            w.endRow()
        }
    }
}
