import ClusterModel
import SimKernel

/// Writes a run's files into a results folder as the run goes: timeline.csv, hosts.csv and
/// events.csv are streamed row by row; summary.json and summary.csv are written at the end.
/// Column names and meanings are listed in docs/outputs.md (kept in sync by `columns`).
public final class ResultsWriter: RunObserver {
    public let folder: ResultsFolder
    let timeline: CSVWriter
    let hostsCSV: CSVWriter
    let events: CSVWriter
    static let mib = 1024.0 * 1024.0
    static let gib = 1024.0 * 1024.0 * 1024.0

    /// Columns of each CSV file, in order, with their meaning (the source of docs/outputs.md).
    public static let columns: [(file: String, columns: [(String, String)])] = [
        ("timeline.csv", [
            ("time_s", "simulated time of the sample, seconds since the start"),
            ("hosts_total", "hosts in the scenario"),
            ("hosts_up", "hosts up"),
            ("hosts_down", "hosts crashed (hostCrash) and not yet recovered"),
            ("hosts_rebooting", "hosts in an orderly reboot (hostReboot)"),
            ("cpus_total_cores", "cpus of the hosts that are up (a host that is not up offers nothing)"),
            ("cpus_free_cores", "cpus of up hosts not allocated to anything"),
            ("cpus_lost_cores", "cpus of the hosts that are not up"),
            ("memory_total_mib", "memory of the hosts that are up, MiB"),
            ("memory_free_mib", "memory of up hosts not allocated, MiB"),
            ("disk_total_gib", "disk of the hosts that are up, GiB"),
            ("disk_free_gib", "disk of up hosts not allocated, GiB"),
        ]),
        ("hosts.csv", [
            ("time_s", "simulated time of the sample, seconds"),
            ("host", "host name, <group>-<nn>"),
            ("group", "host group"),
            ("datacenter", "data center"),
            ("rack", "rack"),
            ("state", "up, down or rebooting"),
            ("up", "1 when up, else 0"),
            ("cpus_total_cores", "usable cpus (0 when not up)"),
            ("cpus_free_cores", "usable cpus not allocated"),
            ("memory_total_mib", "usable memory, MiB"),
            ("memory_free_mib", "usable memory not allocated, MiB"),
            ("disk_total_gib", "usable disk, GiB"),
            ("disk_free_gib", "usable disk not allocated, GiB"),
            ("downtime_s", "time this host has spent not up since the start, seconds"),
        ]),
        ("events.csv", [
            ("time_s", "simulated time of the event, seconds"),
            ("component", "platform component reporting it (run, fault, host)"),
            ("event", "what happened (crashed, recovered, rebootStarted, rebootCompleted ...)"),
            ("subject", "what it happened to (a host name, a scenario name)"),
            ("detail", "free text: cause, durations"),
        ]),
    ]

    static func names(_ file: String) -> [String] {
        columns.first { $0.file == file }!.columns.map { $0.0 }
    }

    public init(folder: ResultsFolder) throws {
        self.folder = folder
        timeline = try CSVWriter(path: folder.path("timeline.csv"), columns: ResultsWriter.names("timeline.csv"))
        hostsCSV = try CSVWriter(path: folder.path("hosts.csv"), columns: ResultsWriter.names("hosts.csv"))
        events = try CSVWriter(path: folder.path("events.csv"), columns: ResultsWriter.names("events.csv"))
    }

    public func record(_ e: LoggedEvent) {
        events.field(e.time)
        events.field(e.component)
        events.field(e.event)
        events.field(e.subject)
        events.field(e.detail)
        events.endRow()
    }

    public func sample(_ model: ClusterSimulation, at time: SimTime) {
        let infra = model.infrastructure
        let t = timeline
        t.field(time)
        t.field(infra.hosts.count)
        t.field(infra.hostsUp)
        t.field(infra.hostsDown)
        t.field(infra.hostsRebooting)
        t.field(infra.usableCpus, decimals: 3)
        t.field(infra.freeCpus, decimals: 3)
        t.field(infra.installedCpus - infra.usableCpus, decimals: 3)
        t.field(Double(infra.usableMemoryBytes) / Self.mib, decimals: 3)
        t.field(Double(infra.freeMemoryBytes) / Self.mib, decimals: 3)
        t.field(Double(infra.usableDiskBytes) / Self.gib, decimals: 3)
        t.field(Double(infra.freeDiskBytes) / Self.gib, decimals: 3)
        t.endRow()

        let h = hostsCSV
        for host in infra.hosts {
            h.field(time)
            h.field(host.name)
            h.field(host.group)
            h.field(host.datacenter)
            h.field(host.rack)
            h.field(host.state.rawValue)
            h.field(host.state.isUp ? 1 : 0)
            h.field(host.usableCpus, decimals: 3)
            h.field(host.freeCpus, decimals: 3)
            h.field(Double(host.usableMemoryBytes) / Self.mib, decimals: 3)
            h.field(Double(host.freeMemoryBytes) / Self.mib, decimals: 3)
            h.field(Double(host.usableDiskBytes) / Self.gib, decimals: 3)
            h.field(Double(host.freeDiskBytes) / Self.gib, decimals: 3)
            h.field(NumberFormat.seconds(host.downtime(at: time).nanoseconds))
            h.endRow()
        }
    }

    /// Headline figures as (key, value) pairs in a fixed order: the columns of summary.csv and
    /// the "headline" object of summary.json.
    public static func headline(_ s: RunSummary) -> [(String, JSONOut)] {
        [
            ("scenario", .string(s.scenario)),
            ("seed", .uint(s.seed)),
            ("simulated_s", .num(s.simulatedSeconds, 9)),
            ("events_processed", .uint(s.eventsProcessed)),
            ("samples", .int(Int64(s.samples))),
            ("hosts", .int(Int64(s.hosts))),
            ("hosts_up_at_end", .int(Int64(s.hostsUpAtEnd))),
            ("min_hosts_up", .int(Int64(s.minHostsUp))),
            ("min_hosts_up_at_s", .num(s.minHostsUpAt.seconds, 9)),
            ("faults_fired", .int(Int64(s.faultsFired))),
            ("host_crashes", .int(Int64(s.hostCrashes))),
            ("host_reboots", .int(Int64(s.hostReboots))),
            ("host_downtime_s", .num(s.hostDowntime.seconds, 9)),
            ("degraded_s", .num(s.degraded.seconds, 9)),
            ("cpu_availability_ratio", .num(s.cpuAvailability, 6)),
        ]
    }

    /// Closes the streamed files and writes the summaries. `wallSeconds` goes into summary.json
    /// only, so every CSV stays byte-identical between runs.
    public func finish(summary: RunSummary, wallSeconds: Double, extra: [(String, JSONOut)] = []) throws {
        try timeline.close()
        try hostsCSV.close()
        try events.close()
        let head = ResultsWriter.headline(summary)
        let csv = try OutputFile(path: folder.path("summary.csv"))
        csv.write(head.map { $0.0 }.joined(separator: ",") + "\n")
        csv.write(head.map { kv -> String in
            if case .string(let s) = kv.1 { return s }
            return kv.1.render()
        }.joined(separator: ",") + "\n")
        try csv.close()
        let json = JSONOut.object([
            ("headline", .object(head)),
            ("run", .object([("wall_time_s", .num(wallSeconds, 3)),
                             ("events_per_wall_s", .num(wallSeconds > 0 ? Double(summary.eventsProcessed) / wallSeconds : 0, 0))]
                            + extra)),
        ])
        let js = try OutputFile(path: folder.path("summary.json"))
        js.write(json.render() + "\n")
        try js.close()
    }
}
