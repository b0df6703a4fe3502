import SimKernel

// The contract every subsystem implements (ZooKeeper, Mesos, Marathon, Network, Storage today;
// Consul, nginx, Prometheus, Alertmanager, marathon-lb, the autoscaler, traffic, Harbor, Chronos,
// Jenkins next). See docs/architecture.md, "Subsystems and signals".
//
// Life of a subsystem, driven by `ClusterSimulation` over its ordered list:
//   1. build      `SubsystemEntry.build` from the spec; nil when its section is absent
//   2. register   its event handlers with the engine
//   3. subscribe  to platform signals (a topic and a stage)
//   4. start      at time 0, after the fault injector, in list order
//   5. sample     its tables are written every sample; its headline figures at the end
//
// What a subsystem writes is declared once on its `SubsystemEntry.outputs` (tables with their
// columns and row writers, plots, headline keys with their meanings): Reporting writes the CSVs,
// draws the plots and generates docs/outputs.md from these declarations, in list order.

/// One subsystem of the platform.
public protocol Subsystem: AnyObject {
    /// Short lower-case name ("zookeeper", "mesos"), as in the event log's component column.
    var name: String { get }
    /// Registers the subsystem's event handlers with the engine.
    func register(in sim: Simulation)
    /// Subscribes to the platform signals it reacts to (`signals.subscribe(self, to:stage:)`).
    func subscribe(to signals: PlatformSignals)
    /// Schedules its first events (time 0).
    func start()
    /// Headline figures for summary.csv / summary.json, in the order (and with the keys) of
    /// its entry's `outputs.headline`.
    func headline() -> [HeadlineFigure]
    /// The details object it writes into summary.json under its entry's `outputs.detailsKey`, in
    /// key order (Mesos: the `platform` object); others add keys and fields (`ContributedDetails`).
    func details() -> [(key: String, value: DetailValue)]
}

extension Subsystem {
    public func subscribe(to signals: PlatformSignals) {}
    public func headline() -> [HeadlineFigure] { [] }
    public func details() -> [(key: String, value: DetailValue)] { [] }
}

/// One line of the list of subsystems: how to build it and what part of the scenario it reads.
public struct SubsystemEntry {
    public var name: String
    /// The scenario section it is built from ("mesos"); absent section, absent subsystem.
    public var section: String?
    /// The keys of its section, for the generated scenario reference. Empty until the decoders
    /// declare their keys here (issue 9, item 4); docs generation reads `ClusterSimulation
    /// .standardSubsystems` and prints one table per section.
    public var keys: [ScenarioKeyDoc]
    /// Builds the subsystem, or returns nil when the scenario does not have it. Subsystems built
    /// earlier in the list can be looked up with `model.subsystem(_:)` here, and only here:
    /// that is how Mesos gets its ZooKeeper ensemble, Marathon its Mesos cluster.
    public var build: (ClusterSimulation) -> Subsystem?
    /// What it contributes to the results folder: tables, plots, headline figures (declared
    /// here, not on the instance, so docs/outputs.md can be generated without a run).
    public var outputs: SubsystemOutputs

    public init(name: String, section: String?, keys: [ScenarioKeyDoc] = [], outputs: SubsystemOutputs = SubsystemOutputs(),
                build: @escaping (ClusterSimulation) -> Subsystem?) {
        self.name = name; self.section = section; self.keys = keys; self.outputs = outputs; self.build = build
    }
}

/// One scenario key of a subsystem's section, declared once (the hook for a generated reference).
public struct ScenarioKeyDoc: Sendable {
    public var path: String
    public var type: String
    public var defaultValue: String
    public var allowed: String
    public var meaning: String
    /// Where the default comes from (repository and path, or doc page).
    public var source: String
    public init(path: String, type: String, defaultValue: String = "", allowed: String = "", meaning: String, source: String = "") {
        self.path = path; self.type = type; self.defaultValue = defaultValue; self.allowed = allowed
        self.meaning = meaning; self.source = source
    }
}

// MARK: - outputs

/// Where a table's rows go: Reporting's CSV writer, or a test's string.
public protocol TableSink: AnyObject {
    func field(_ s: String)
    func field(_ i: Int)
    func field(_ i: Int64)
    func field(_ x: Double, decimals: Int)
    func field(_ t: SimTime)
    func endRow()
}

extension TableSink {
    public func field(_ i: Int64) { field(Int(i)) }
}

/// Everything a subsystem contributes to a results folder, declared on its `SubsystemEntry`.
public struct SubsystemOutputs {
    /// Sampled CSV files, in the order of docs/outputs.md.
    public var tables: [SubsystemTable]
    /// Charts drawn by `clustersim plot` from its tables.
    public var plots: [SubsystemPlot]
    /// Columns it adds to a table it does not own (hosts.csv, another subsystem's table).
    public var columns: [ContributedColumns]
    /// Keys and meanings of `Subsystem.headline()`, in order (the summary.csv columns it adds).
    public var headline: [(key: String, meaning: String)]
    /// Figures it adds inside another subsystem's headline (Marathon's task and deploy figures
    /// among the platform figures of Mesos).
    public var figures: [ContributedFigures]
    /// docs/outputs.md: the paragraph before its headline keys, and notes after them.
    public var headlineIntro: String
    public var headlineNotes: String
    /// The summary.json key of its `Subsystem.details()` object ("platform" for Mesos); nil: none.
    public var detailsKey: String?
    /// Keys and fields it adds inside another subsystem's details object.
    public var details: [ContributedDetails]
    public init(tables: [SubsystemTable] = [], plots: [SubsystemPlot] = [], columns: [ContributedColumns] = [],
                headline: [(key: String, meaning: String)] = [], figures: [ContributedFigures] = [],
                headlineIntro: String = "", headlineNotes: String = "",
                detailsKey: String? = nil, details: [ContributedDetails] = []) {
        self.tables = tables; self.plots = plots; self.columns = columns; self.headline = headline; self.figures = figures
        self.headlineIntro = headlineIntro; self.headlineNotes = headlineNotes
        self.detailsKey = detailsKey; self.details = details
    }
}

/// A CSV file written every sample: name, when it exists, columns (name, meaning: the source of
/// docs/outputs.md), whether the built subsystem writes it, and how to write one sample's rows.
/// The row writer gets the subsystem itself (no lookup per sample) and a sink that formats
/// numbers without allocating per field.
public struct SubsystemTable {
    public var file: String
    public var when: String
    public var columns: [(String, String)]
    public var applies: (Subsystem) -> Bool
    public var write: (Subsystem, SimTime, TableSink) -> Void
    public init<S: Subsystem>(of: S.Type, file: String, when: String, columns: [(String, String)],
                              applies: @escaping (S) -> Bool = { _ in true },
                              write: @escaping (S, SimTime, TableSink) -> Void) {
        self.file = file; self.when = when; self.columns = columns
        self.applies = { ($0 as? S).map(applies) ?? false }
        self.write = { s, t, sink in write(s as! S, t, sink) }
    }
}

/// Columns a subsystem adds to a table it does not own: hosts.csv (a core table), or another
/// subsystem's table, so that neither the table's owner nor Reporting reach into the contributor.
/// They are inserted after the column `after` of the table's own columns (contributions after the
/// same column in list order). The table exists whether the contributor is built or not, so its
/// columns always exist: `write` fills them for each row (`row`: the host index for hosts.csv, the
/// row number within the sample otherwise) when the contributor is built, `absent` when it is not.
/// `prepare` runs once per sample, before the table's rows.
public struct ContributedColumns {
    public var table: String
    public var after: String
    public var columns: [(String, String)]
    public var prepare: (Subsystem, SimTime) -> Void
    public var write: (Subsystem, Int, SimTime, TableSink) -> Void
    public var absent: (TableSink) -> Void
    public init<S: Subsystem>(of: S.Type, table: String, after: String, columns: [(String, String)],
                              prepare: @escaping (S, SimTime) -> Void = { _, _ in },
                              absent: @escaping (TableSink) -> Void,
                              write: @escaping (S, Int, SimTime, TableSink) -> Void) {
        self.table = table; self.after = after; self.columns = columns; self.absent = absent
        self.prepare = { s, t in prepare(s as! S, t) }
        self.write = { s, row, t, sink in write(s as! S, row, t, sink) }
    }

    /// A table's columns with the contributions of `entries` inserted (for headers and docs).
    public static func splice(_ own: [(String, String)], table: String, entries: [SubsystemEntry]) -> [(String, String)] {
        let added = entries.flatMap { $0.outputs.columns.filter { $0.table == table } }
        guard !added.isEmpty else { return own }
        var out: [(String, String)] = []
        for c in own {
            out.append(c)
            for a in added where a.after == c.0 { out += a.columns }
        }
        precondition(added.allSatisfy { a in own.contains { $0.0 == a.after } }, "contributed columns after an unknown column of \(table)")
        return out
    }
}

/// Headline figures a subsystem adds inside the headline of another (`into`), after its key
/// `after` (nil: before its first), in the order of `keys`; several after the same key go in list
/// order. They exist when `into` is built: `figures` gives them when the contributor is built too,
/// `absent` (one value per key) when it is not.
public struct ContributedFigures {
    public var into: String
    public var after: String?
    public var keys: [(key: String, meaning: String)]
    public var absent: [HeadlineFigure.Value]
    public var figures: (Subsystem) -> [HeadlineFigure]
    public init<S: Subsystem>(of: S.Type, into: String, after: String?, keys: [(key: String, meaning: String)],
                              absent: [HeadlineFigure.Value], figures: @escaping (S) -> [HeadlineFigure]) {
        precondition(absent.count == keys.count)
        self.into = into; self.after = after; self.keys = keys; self.absent = absent
        self.figures = { figures($0 as! S) }
    }

    /// `own` with the contributions of `entries` into `name` inserted; `fill` gives a contribution's figures.
    public static func splice<T>(_ own: [T], key: (T) -> String, into name: String, entries: [SubsystemEntry],
                                 fill: (SubsystemEntry, ContributedFigures) -> [T]) -> [T] {
        let added = entries.flatMap { e in e.outputs.figures.filter { $0.into == name }.map { (e, $0) } }
        guard !added.isEmpty else { return own }
        var out = added.filter { $0.1.after == nil }.flatMap { fill($0.0, $0.1) }
        for f in own {
            out.append(f)
            for (e, c) in added where c.after == key(f) { out += fill(e, c) }
        }
        return out
    }
}

/// A value of a subsystem's details object in summary.json (a JSON value, numbers with their decimals).
public indirect enum DetailValue: Sendable {
    case int(Int64)
    case number(Double, decimals: Int)
    case text(String)
    case bool(Bool)
    case none
    case array([DetailValue])
    case object([(key: String, value: DetailValue)])
    /// Seconds with 9 decimals, or none.
    public static func seconds(_ d: SimDuration?) -> DetailValue { d.map { .number($0.seconds, decimals: 9) } ?? .none }
    public static func seconds(_ t: SimTime?) -> DetailValue { t.map { .number($0.seconds, decimals: 9) } ?? .none }
}

/// Keys a subsystem adds to the details object of another (`into`), or, with `array`, fields it
/// adds to each element (an object) of that object's array `array` (Marathon's recovery in each of
/// Mesos' `faults`). They go after the key `after` (nil: before the first), several at the same
/// place in list order. `values` gives one row of values per element of `array` (one row for keys
/// of the object itself); `absent` (one value per key) fills them when the contributor is not built.
public struct ContributedDetails {
    public var into: String
    public var array: String?
    public var after: String?
    public var keys: [String]
    public var absent: [DetailValue]
    public var values: (Subsystem) -> [[DetailValue]]
    public init<S: Subsystem>(of: S.Type, into: String, array: String? = nil, after: String?, keys: [String],
                              absent: [DetailValue], values: @escaping (S) -> [[DetailValue]]) {
        precondition(absent.count == keys.count)
        self.into = into; self.array = array; self.after = after; self.keys = keys; self.absent = absent
        self.values = { values($0 as! S) }
    }

    /// `own` (the details of `name`) with the contributions of `entries` inserted: from the built
    /// subsystem of that name in `subsystems`, else their `absent` values.
    public static func splice(_ own: [(key: String, value: DetailValue)], into name: String, subsystems: [Subsystem],
                              entries: [SubsystemEntry]) -> [(key: String, value: DetailValue)] {
        let added: [(ContributedDetails, [[DetailValue]]?)] = entries.flatMap { e in
            e.outputs.details.filter { $0.into == name }.map { c in (c, subsystems.first { $0.name == e.name }.map(c.values)) }
        }
        guard !added.isEmpty else { return own }
        func fields(_ c: ContributedDetails, _ rows: [[DetailValue]]?, _ i: Int) -> [(key: String, value: DetailValue)] {
            let values = rows.map { $0[i] } ?? c.absent
            precondition(values.count == c.keys.count, "details of \(name): \(c.keys) got \(values.count) values")
            return zip(c.keys, values).map { (key: $0, value: $1) }
        }
        func splice(_ object: [(key: String, value: DetailValue)], array: String?, element i: Int) -> [(key: String, value: DetailValue)] {
            let here = added.filter { $0.0.array == array }
            precondition(here.allSatisfy { c in c.0.after.map { a in object.contains { $0.key == a } } ?? true },
                         "contributed details after an unknown key of \(name)")
            var out = here.filter { $0.0.after == nil }.flatMap { fields($0.0, $0.1, i) }
            for f in object {
                out.append(f)
                for (c, rows) in here where c.after == f.key { out += fields(c, rows, i) }
            }
            return out
        }
        var top = splice(own, array: nil, element: 0)
        for k in top.indices where added.contains(where: { $0.0.array == top[k].key }) {
            guard case .array(let elements) = top[k].value else { preconditionFailure("\(top[k].key) of \(name) is not an array") }
            for (c, rows) in added where c.array == top[k].key {
                precondition(rows.map { $0.count == elements.count } ?? true, "\(c.keys): one row per element of \(top[k].key)")
            }
            top[k].value = .array(elements.enumerated().map { i, e in
                guard case .object(let o) = e else { preconditionFailure("elements of \(top[k].key) must be objects") }
                return .object(splice(o, array: top[k].key, element: i))
            })
        }
        return top
    }
}

/// A line chart against `time_s` of one of the subsystem's tables: wide tables draw `columns`
/// (one line each); long tables (one row per key and sample) draw `perKey.column` with one line
/// per value of `perKey.keyColumn`.
public struct SubsystemPlot: Sendable {
    public var file: String
    public var title: String
    public var ylabel: String
    /// The CSV it reads (one of the subsystem's tables).
    public var source: String
    public var columns: [(column: String, label: String)]
    public var perKey: (keyColumn: String, column: String)?
    /// A chart that is not a line against `time_s` (Network's charts by message size): it brings
    /// its own gnuplot script; `columns` and `perKey` are unused.
    public var custom: CustomPlot?
    public init(file: String, title: String, ylabel: String, source: String,
                columns: [(column: String, label: String)] = [], perKey: (keyColumn: String, column: String)? = nil) {
        self.file = file; self.title = title; self.ylabel = ylabel; self.source = source
        self.columns = columns; self.perKey = perKey
    }
    /// A chart (or a set of charts) drawn by its own script, `<file>.gp`, from `source`.
    public init(file: String, title: String, source: String, custom: CustomPlot) {
        self.init(file: file, title: title, ylabel: "", source: source)
        self.custom = custom
    }
}

/// A plot declaration that carries its own gnuplot body: `draw` gets the source table and the
/// image formats asked for ("png", "svg") and returns the data files to write beside the script
/// and the script (which names its images with paths relative to that folder), or nil when the
/// table has nothing to draw. `images` are the file names (without extension) the script writes.
/// Reporting writes the files, runs gnuplot on `<file>.gp` after the time charts' plot.gp and
/// reports the images.
public struct CustomPlot: Sendable {
    public var images: [String]
    public var draw: @Sendable (PlotTable, [String]) -> (data: [(file: String, text: String)], script: String)?
    public init(images: [String], draw: @escaping @Sendable (PlotTable, [String]) -> (data: [(file: String, text: String)], script: String)?) {
        self.images = images; self.draw = draw
    }
}

/// A CSV of a results folder as `clustersim plot` reads it: header and rows of fields.
public struct PlotTable: Sendable {
    public var header: [String]
    public var rows: [[Substring]]
    public init(header: [String], rows: [[Substring]]) { self.header = header; self.rows = rows }
    public func index(_ c: String) -> Int? { header.firstIndex(of: c) }
}

/// One headline figure: a column of summary.csv.
public struct HeadlineFigure: Sendable {
    public enum Value: Sendable, Equatable {
        case int(Int64)
        case number(Double, decimals: Int)
        case text(String)
        case none
    }
    public var key: String
    public var value: Value
    public init(_ key: String, _ value: Value) { self.key = key; self.value = value }
}
