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
    public var write: (ClusterSimulation, SimTime, TableSink) -> Void
}

/// Writes a run's files into a results folder as the run goes: the sampled tables
/// (timeline.csv, hosts.csv ...) and events.csv are streamed row by row; summary.json and
/// summary.csv are written at the end.
public final class ResultsWriter: RunObserver {
    public let folder: ResultsFolder
    var writers: [(SampledTable, TableSink, CSVWriter)] = []
    /// Tables contributed by the run's subsystems (`SubsystemEntry.outputs.tables`, in list
    /// order), after the core tables.
    var contributed: [(Subsystem, SubsystemTable, TableSink, CSVWriter)] = []
    /// The sinks of tables that have columns contributed by other subsystems (`begin` each sample).
    var splicers: [SplicingSink] = []
    let subsystems: [Subsystem]
    let list: [SubsystemEntry]
    let events: CSVWriter
    /// The core tables (the hosts, not a subsystem), before the subsystems' tables.
    public static var tables: [SampledTable] { [CoreTables.timeline, CoreTables.hosts] }
    /// Every subsystem's declared outputs, in the order of the standard list (for docs).
    public static var subsystemOutputs: [(name: String, outputs: SubsystemOutputs)] {
        ClusterSimulation.standardSubsystems.map { ($0.name, $0.outputs) }
    }
    /// A table's columns as written and documented: its own, with the columns the subsystems of
    /// `list` contribute (`ContributedColumns`) spliced in.
    public static func columns(of file: String, own: [(String, String)],
                               list: [SubsystemEntry] = ClusterSimulation.standardSubsystems) -> [(String, String)] {
        ContributedColumns.splice(own, table: file, entries: list)
    }

    /// The sink a table's writer writes into: the CSV file, through a splicer when other
    /// subsystems contribute columns to it.
    static func open(_ file: String, own: [(String, String)], folder: ResultsFolder, model: ClusterSimulation,
                     splicers: inout [SplicingSink]) throws -> (TableSink, CSVWriter) {
        let w = try CSVWriter(path: folder.path(file),
                              columns: ResultsWriter.columns(of: file, own: own, list: model.subsystemList).map(\.0))
        guard let s = SplicingSink(inner: w, own: own.map(\.0), table: file, model: model) else { return (w, w) }
        splicers.append(s)
        return (s, w)
    }

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
            let (sink, w) = try ResultsWriter.open(t.file, own: t.columns, folder: folder, model: model, splicers: &splicers)
            writers.append((t, sink, w))
        }
        events = try CSVWriter(path: folder.path("events.csv"), columns: ResultsWriter.eventColumns.map(\.0))
        subsystems = model.subsystems
        list = model.subsystemList
        for (e, s) in zip(model.subsystemEntries, model.subsystems) {
            for t in e.outputs.tables where t.applies(s) {
                let (sink, w) = try ResultsWriter.open(t.file, own: t.columns, folder: folder, model: model, splicers: &splicers)
                contributed.append((s, t, sink, w))
            }
        }
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
        for s in splicers { s.begin(time) }
        for (t, sink, _) in writers { t.write(model, time, sink) }
        for (s, t, sink, _) in contributed { t.write(s, time, sink) }
    }

    /// Headline figures as (key, value) pairs in a fixed order: the columns of summary.csv and
    /// the "headline" object of summary.json: the core figures, then each subsystem's, in list order.
    /// A subsystem's figures include those others contribute into it (`ContributedFigures`).
    public static func headline(_ s: RunSummary, subsystems: [Subsystem] = [],
                                list: [SubsystemEntry] = ClusterSimulation.standardSubsystems) -> [(String, JSONOut)] {
        core(s) + subsystems.flatMap { sub in
            ContributedFigures.splice(sub.headline(), key: \.key, into: sub.name, entries: list) { e, c in
                if let by = subsystems.first(where: { $0.name == e.name }) { return c.figures(by) }
                return zip(c.keys, c.absent).map { HeadlineFigure($0.key, $1) }
            }.map(\.json)
        }
    }

    /// A subsystem's headline keys and meanings as documented: its own, with the contributed ones.
    public static func headlineKeys(of name: String, own: [(key: String, meaning: String)],
                                    list: [SubsystemEntry] = ClusterSimulation.standardSubsystems) -> [(key: String, meaning: String)] {
        ContributedFigures.splice(own, key: \.key, into: name, entries: list) { _, c in c.keys }
    }

    static func core(_ s: RunSummary) -> [(String, JSONOut)] {
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

    /// summary.json's details objects (`platform`): each built subsystem with a `detailsKey`, its
    /// `details()` with what others contribute into it (`ContributedDetails`), in list order.
    public static func details(subsystems: [Subsystem], list: [SubsystemEntry] = ClusterSimulation.standardSubsystems) -> [(String, JSONOut)] {
        subsystems.compactMap { sub in
            guard let key = list.first(where: { $0.name == sub.name })?.outputs.detailsKey else { return nil }
            let object = ContributedDetails.splice(sub.details(), into: sub.name, subsystems: subsystems, entries: list)
            return (key, DetailValue.object(object).json)
        }
    }

    /// Closes the streamed files and writes the summaries. Nothing of the machine the run ran on
    /// (wall time, events per second) goes into them: the whole folder is byte-identical for the
    /// same scenario and seed (the CLI prints the wall time on stderr).
    public func finish(summary: RunSummary) throws {
        for (_, _, w) in writers { try w.close() }
        for (_, _, _, w) in contributed { try w.close() }
        try events.close()
        let head = ResultsWriter.headline(summary, subsystems: subsystems, list: list)
        let csv = try OutputFile(path: folder.path("summary.csv"))
        csv.write(head.map { $0.0 }.joined(separator: ",") + "\n")
        csv.write(head.map { kv -> String in
            if case .string(let s) = kv.1 { return s }
            if case .null = kv.1 { return "" }
            return kv.1.render()
        }.joined(separator: ",") + "\n")
        try csv.close()
        let json = JSONOut.object([
            ("headline", .object(head)),
        ] + ResultsWriter.details(subsystems: subsystems, list: list))
        let js = try OutputFile(path: folder.path("summary.json"))
        js.write(json.render() + "\n")
        try js.close()
    }
}
