import ClusterModel
import SimKernel

// What subsystems contribute through the `Subsystem` contract (tables, headline figures) reaches
// the results folder here: the CSV writer is a `TableSink`, figures become summary columns.

extension CSVWriter: TableSink {}

extension HeadlineFigure {
    var json: (String, JSONOut) {
        switch value {
        case .int(let i): return (key, .int(i))
        case .number(let x, let d): return (key, .num(x, d))
        case .text(let s): return (key, .string(s))
        case .none: return (key, .null)
        }
    }
}

extension DetailValue {
    var json: JSONOut {
        switch self {
        case .int(let i): return .int(i)
        case .number(let x, let d): return .num(x, d)
        case .text(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .none: return .null
        case .array(let a): return .array(a.map(\.json))
        case .object(let o): return .object(o.map { ($0.key, $0.value.json) })
        }
    }
}

/// The sink of a table that other subsystems add columns to (`ContributedColumns`): the table's
/// writer writes its own fields; before the field that follows a contribution's `after` column
/// (or before the end of the row) the contributor writes its fields, or its `absent` filler when
/// it is not built. Contributions at the same place go in list order.
final class SplicingSink: TableSink {
    let inner: TableSink
    /// (own fields written before it, the built contributor or nil, the contribution), in row order.
    let inserts: [(at: Int, subsystem: Subsystem?, columns: ContributedColumns)]
    var fields = 0, next = 0, row = 0
    var time = SimTime.zero

    /// nil when no subsystem of the model's list adds columns to `table`.
    init?(inner: TableSink, own: [String], table: String, model: ClusterSimulation) {
        var ins: [(at: Int, subsystem: Subsystem?, columns: ContributedColumns)] = []
        for (k, c) in own.enumerated() {
            for e in model.subsystemList {
                for cc in e.outputs.columns where cc.table == table && cc.after == c {
                    let built = zip(model.subsystemEntries, model.subsystems).first { $0.0.name == e.name }?.1
                    ins.append((k + 1, built, cc))
                }
            }
        }
        guard !ins.isEmpty else { return nil }
        self.inner = inner; inserts = ins
    }

    func begin(_ t: SimTime) {
        time = t; row = 0
        for i in inserts { if let s = i.subsystem { i.columns.prepare(s, t) } }
    }

    @inline(__always) private func splice() {
        while next < inserts.count && inserts[next].at == fields {
            let i = inserts[next]
            if let s = i.subsystem { i.columns.write(s, row, time, inner) } else { i.columns.absent(inner) }
            next += 1
        }
    }

    func field(_ s: String) { splice(); inner.field(s); fields += 1 }
    func field(_ i: Int) { splice(); inner.field(i); fields += 1 }
    func field(_ i: Int64) { splice(); inner.field(i); fields += 1 }
    func field(_ x: Double, decimals: Int) { splice(); inner.field(x, decimals: decimals); fields += 1 }
    func field(_ t: SimTime) { splice(); inner.field(t); fields += 1 }
    func endRow() { splice(); inner.endRow(); fields = 0; next = 0; row += 1 }
}
