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
