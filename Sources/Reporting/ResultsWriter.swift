import ClusterModel
import SimKernel

/// A CSV file with one group of rows per sample: its name, when it is written, its columns
/// (name, meaning: the source of docs/outputs.md) and how to fill a sample's rows.
public struct SampledTable {
    public var file: String
    /// When the file is written, for the docs ("always", "when the scenario has a `mesos` section").
    public var when: String
    public var columns: [(String, String)]
    public var applies: (ClusterSimulation) -> Bool
    public var write: (ClusterSimulation, SimTime, CSVWriter) -> Void
}

/// Writes a run's files into a results folder as the run goes: the sampled tables
/// (timeline.csv, hosts.csv ...) and events.csv are streamed row by row; summary.json and
/// summary.csv are written at the end.
public final class ResultsWriter: RunObserver {
    public let folder: ResultsFolder
    var writers: [(SampledTable, CSVWriter)] = []
    let events: CSVWriter
    /// The sampled tables, in the order of docs/outputs.md.
    public static var tables: [SampledTable] { [CoreTables.timeline, CoreTables.hosts] }

    public static let eventColumns: [(String, String)] = [
        ("time_s", "simulated time of the event, seconds"),
        ("component", "platform component reporting it (run, fault, host ...)"),
        ("event", "what happened (crashed, recovered, rebootStarted, rebootCompleted ...)"),
        ("subject", "what it happened to (a host name, a task, an app id)"),
        ("detail", "free text: cause, durations"),
    ]

    public init(folder: ResultsFolder, model: ClusterSimulation) throws {
        self.folder = folder
        for t in ResultsWriter.tables where t.applies(model) {
            writers.append((t, try CSVWriter(path: folder.path(t.file), columns: t.columns.map(\.0))))
        }
        events = try CSVWriter(path: folder.path("events.csv"), columns: ResultsWriter.eventColumns.map(\.0))
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
        for (t, w) in writers { t.write(model, time, w) }
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
        for (_, w) in writers { try w.close() }
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
