import ClusterModel
import SimKernel

/// The example subsystem of docs/architecture.md: counts the tasks that reached TASK_RUNNING on
/// each host, from Mesos' `.statusUpdate` signals, and contributes task_starts.csv (one row per
/// host and sample) and one headline figure. It knows no other subsystem: it listens to signals.
/// Test fixture only; a shipped subsystem would live in Sources/ClusterModel/<Name>/.
final class TaskStartCounter: Subsystem, SignalSubscriber {
    /// Built for every scenario with a `mesos` section (where tasks exist).
    static let entry = SubsystemEntry(name: "taskStarts", section: nil, outputs: outputs) { model in
        model.spec.mesos == nil ? nil : TaskStartCounter(model: model)
    }

    /// What it adds to a results folder: task_starts.csv and one summary.csv column.
    static let outputs = SubsystemOutputs(
        tables: [SubsystemTable(of: TaskStartCounter.self, file: "task_starts.csv", when: "with a `mesos` section",
                                columns: [("time_s", "simulated time of the sample, seconds"),
                                          ("host", "host name"),
                                          ("task_starts", "tasks that reached TASK_RUNNING on the host since the start")]) { c, time, out in
            for h in c.model.infrastructure.hosts where c.starts[h.index] > 0 {
                out.field(time); out.field(h.name); out.field(c.starts[h.index]); out.endRow()
            }
        }],
        headline: [("task_starts", "tasks that reached TASK_RUNNING")])

    unowned let model: ClusterSimulation
    /// Starts per host index.
    private(set) var starts: [Int]

    init(model: ClusterSimulation) {
        self.model = model
        starts = Array(repeating: 0, count: model.infrastructure.hosts.count)
    }

    var name: String { "taskStarts" }
    func register(in sim: Simulation) {}   // no events of its own
    func start() {}

    func subscribe(to signals: PlatformSignals) {
        signals.subscribe(self, to: .taskStatus)   // stage .observers: after everything that acts
    }

    func receive(_ signal: PlatformSignal) {
        if case .statusUpdate(_, .running, _, let host, _) = signal { starts[host] += 1 }
    }

    func headline() -> [HeadlineFigure] { [HeadlineFigure("task_starts", .int(Int64(starts.reduce(0, +))))] }
}
