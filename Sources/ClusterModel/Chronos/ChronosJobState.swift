import SimKernel

/// A job as the Chronos leader keeps it: its schedule stream (persisted in ZooKeeper by Chronos,
/// so it survives a leader change), its error bookkeeping (Jobs.scala `errorsSinceLastSuccess`,
/// `lastError`, `lastSuccess`) and the counters of chronos.csv.
public final class ChronosJobState {
    public let job: ChronosJob
    public let index: Int
    let resources: Resources
    let behaviour: ChronosJobBehaviour
    /// Draws whether a run fails (the run time is drawn by Mesos with the task's stream); made
    /// when first used, so jobs that never fail cost no generator.
    private(set) lazy var stream: RandomStream = makeStream()
    private let makeStream: () -> RandomStream
    /// Indices of the job's parents, in `job.parents` order, and of its dependents, in job order.
    var parents: [Int] = []
    var children: [Int] = []
    /// JobGraph `edgeInvocationCount` of each parent edge (same order as `parents`).
    var edgeInvocations: [Int] = []

    /// Disabled by its JSON, by `disable_after_failures`, or when its recurrences are used up.
    public internal(set) var disabled: Bool
    /// The schedule stream: Unix ms of occurrence 0 (the start, or the first leader's "now" for an
    /// empty start; nil until first loaded), the index of the next occurrence, the repetitions left (-1 forever).
    var origin: Int64?
    var nextIndex: Int64 = 0
    var remaining: Int64
    /// The stream has no more occurrences (2.x: filtered by skipForward).
    var exhausted = false

    /// A `lastError` / `lastSuccess` time: Unix ms, or a text Joda's `DateTime.parse` throws on
    /// (JobScheduler.handleFailedTask then counts no recent success).
    enum Stamp: Equatable { case ms(Int64), unreadable }
    var errorsSinceLastSuccess: Int64
    /// nil: "" (never); from the job's JSON until the first error or success of the run.
    var lastError: Stamp?
    var lastSuccess: Stamp?
    /// JobScheduler.handleFailedTask `hadRecentSuccess`: both times read and the success not earlier.
    var hadRecentSuccess: Bool {
        guard case .ms(let e) = lastError, case .ms(let s) = lastSuccess else { return false }
        return s >= e
    }
    static func stamp(_ text: String) -> Stamp? {
        if text.isEmpty { return nil }
        return ChronosSchedule.parseStart(text, zone: nil).map { .ms($0) } ?? .unreadable
    }
    /// Tasks of the job between launch and a terminal state.
    var running = 0
    /// 3.x: the occurrence last counted as due and as dropped (the loop queues an overdue
    /// occurrence again after every batch of offers until it launches: counted once).
    var lastDueOccurrence: Int64 = -1
    var lastDroppedOccurrence: Int64 = -1

    // MARK: counters (chronos.csv)
    /// Runs that became due: occurrences queued (2.x: scheduled in a scan; 3.x: found overdue) and dependent triggers.
    public internal(set) var due = 0
    /// Tasks launched (first attempts and retries).
    public internal(set) var launched = 0
    public internal(set) var succeeded = 0
    /// TASK_FAILED, TASK_LOST and TASK_KILLED of its tasks.
    public internal(set) var failed = 0
    /// Retries queued after a failure (`failure_retry` later).
    public internal(set) var retried = 0
    /// 2.x `JobSkipped`: occurrences found older than now - epsilon in a scan.
    public internal(set) var skipped = 0
    /// Occurrences passed over by `skipForward` (2.x at a leader's load, 3.x when a late run launches).
    public internal(set) var skippedForward = 0
    /// Queued runs dropped at an offer: the job still running and not `concurrent` (a 3.x
    /// occurrence once, though queued again after every batch), disabled (JobExpired), or already
    /// in the same offer batch; 3.x: a retry or dependent trigger not queued because a task of the
    /// job waits in the queue (TaskManager.enqueue); 2.x: a retry still waiting for its delay or a
    /// dependent's queued run, which only the former leader's memory held (event `runLost`).
    public internal(set) var dropped = 0
    /// Lateness of first attempts: launch time minus the time the run was due.
    public internal(set) var latenessCount = 0
    public internal(set) var latenessSum = SimDuration.zero
    public internal(set) var latenessMax = SimDuration.zero
    public internal(set) var disabledAt: SimTime?

    init(job: ChronosJob, index: Int, flags: ChronosFlags, behaviour: ChronosJobBehaviour, stream: @escaping () -> RandomStream) {
        self.job = job; self.index = index; self.behaviour = behaviour; makeStream = stream
        resources = Resources(cpus: Scalar(job.cpus > 0 ? job.cpus : flags.mesosTaskCpu),
                              memMB: Scalar(job.mem > 0 ? job.mem : flags.mesosTaskMem),
                              diskMB: Scalar(job.disk > 0 ? job.disk : flags.mesosTaskDisk))
        disabled = job.disabled
        errorsSinceLastSuccess = job.errorsSinceLastSuccess
        lastError = Self.stamp(job.lastError)
        lastSuccess = Self.stamp(job.lastSuccess)
        remaining = job.schedule?.recurrences ?? -1
    }

    public var name: String { job.name }

    /// Unix ms of the next occurrence (the schedule's current start).
    func nextMs() -> Int64? {
        guard let s = job.schedule, let o = origin else { return nil }
        return s.occurrence(nextIndex, origin: o)
    }

    /// The stream moves past one occurrence (scheduled or skipped): `stream.tail`.
    func advance() {
        nextIndex += 1
        if remaining > 0 { remaining -= 1 }
    }

    /// Whether the schedule still has runs (`recurrences != 0`).
    var hasRecurrences: Bool { remaining != 0 && !exhausted }

    func recordLateness(_ d: SimDuration) {
        latenessCount += 1
        latenessSum += d
        if d > latenessMax { latenessMax = d }
    }
}
