import SimKernel

// Plain values for Chronos (the `chronos` scenario section): which Chronos, its flags by their
// command-line names, where its instances run, the jobs (Chronos' own job JSON, decoded) and what
// their processes do. Defaults and their sources: docs/chronos.md.

/// The scheduling loop: 2.x (mesos/chronos@2.5.1 JobScheduler.scala `run`/`iteration`/`next`:
/// a scan every `--schedule_horizon`, per-job `epsilon`, runs older than it skipped) or 3.x
/// (@c1348ddfd80e JobScheduler.scala `mainLoop`: wakes at the next job's time, runs what is overdue).
public enum ChronosVersion: String, CaseIterable, Equatable, Sendable {
    case v2 = "2.x"
    case v3 = "3.x"
}

/// Scheduler flags (src/main/scala/org/apache/mesos/chronos/scheduler/config/SchedulerConfiguration.scala).
public struct ChronosFlags: Equatable, Sendable {
    /// --schedule_horizon (2.x): seconds between scans and how far ahead a scan schedules. 60 s.
    public var scheduleHorizon = SimDuration.seconds(60)
    /// --task_epsilon: a job's epsilon when its JSON has none (2.x). 60 s.
    public var taskEpsilon = SimDuration.seconds(60)
    /// --failure_retry: delay before a failed task's retry is queued. 60000 ms.
    public var failureRetry = SimDuration.seconds(60)
    /// --disable_after_failures: disable a job after this many failures since its last success; 0 never.
    public var disableAfterFailures = 0
    /// --decline_offer_duration: refuse_seconds of declined offers; nil: Mesos' default 5 s.
    public var declineOfferDuration: SimDuration? = nil
    /// --mesos_task_cpu / --mesos_task_mem / --mesos_task_disk: a job's resources when it gives 0 or none.
    public var mesosTaskCpu = 0.1
    public var mesosTaskMem = 128.0
    public var mesosTaskDisk = 256.0
    /// --mesos_role. "*".
    public var mesosRole = "*"
    /// --zk_timeout: the ZooKeeper session timeout asked for. 10000 ms.
    public var zkTimeout = SimDuration.seconds(10)
    /// --zk_path: the leader latch lives under it. "/chronos/state".
    public var zkPath = "/chronos/state"
    /// --mesos_checkpoint. true.
    public var mesosCheckpoint = true
    /// --reconciliation_interval: seconds between task reconciliations, checked when an offer or a
    /// status update arrives (MesosJobFramework.reconcile). 600 s (@2.5.1 and @c1348ddfd80e).
    public var reconciliationInterval = SimDuration.seconds(600)
    public init() {}
}

/// One `[attribute, operator, value]` constraint (jobs/constraints/*.scala): EQUALS, LIKE, UNLIKE.
public struct ChronosConstraint: Equatable, Sendable {
    public enum Operator: String, CaseIterable, Equatable, Sendable { case equals = "EQUALS", like = "LIKE", unlike = "UNLIKE" }
    public var attribute: String
    public var op: Operator
    public var value: String
    /// LIKE / UNLIKE: Java's String.matches (the whole value).
    public var regex: ConstraintRegex?
    public init(attribute: String, op: Operator, value: String) {
        self.attribute = attribute; self.op = op; self.value = value
        regex = op == .equals ? nil : ConstraintRegex(value)
    }
}

/// A Chronos job as its JSON gives it (Jobs.scala `ScheduleBasedJob` / `DependencyBasedJob`).
public struct ChronosJob: Equatable, Sendable {
    public var name: String
    /// Schedule-based: the parsed `schedule`; nil for a dependent job.
    public var schedule: ChronosSchedule?
    /// Dependent: the names of its parents (empty for a schedule-based job).
    public var parents: [String] = []
    /// `epsilon` (2.x); nil: `--task_epsilon`.
    public var epsilon: SimDuration? = nil
    /// `retries`: 2.
    public var retries = 2
    /// `cpus`/`mem`/`disk`; 0: the `--mesos_task_*` flag.
    public var cpus = 0.0
    public var mem = 0.0
    public var disk = 0.0
    public var disabled = false
    public var concurrent = false
    public var highPriority = false
    /// `softError`: a failure beyond retries still triggers the dependents.
    public var softError = false
    /// `async`: TASK_FINISHED does not count as the job's success (MesosJobFramework.statusUpdate).
    public var async = false
    /// `container.image`, when the job runs in a container.
    public var image: String? = nil
    public var constraints: [ChronosConstraint] = []
    /// `maxCompletionTime` (3.x, seconds; nil when absent or <= 0): MesosTaskBuilder@c1348ddfd80e
    /// sets TaskInfo.max_completion_time, and Mesos' executor kills a run still going then.
    public var maxCompletionTime: SimDuration? = nil
    /// `arguments`: they end the job's Mesos task ids (`mesosTaskIDLength`).
    public var arguments: [String] = []
    /// `lastError`, `lastSuccess` (Jackson `asText`; "" when absent) and `errorsSinceLastSuccess`
    /// (`asLong`) as the job's JSON gives them (JobDeserializer at 2.5.1 and c1348ddfd80e): the
    /// iso8601 and dependency endpoints keep them, and JobScheduler.handleFailedTask reads them (a
    /// failure is retried only with no `lastError` or a `lastSuccess` at or after it; the count
    /// decides `--disable_after_failures`).
    public var lastError = ""
    public var lastSuccess = ""
    public var errorsSinceLastSuccess: Int64 = 0
    public init(name: String, schedule: ChronosSchedule?) { self.name = name; self.schedule = schedule }

    /// The length (bytes, as Mesos counts: `std::string::size` in src/common/validation.cpp) of the
    /// Mesos task id Chronos gives a run: TaskUtils.getTaskId, "ct:%d:%d:%s:%s" with the due time in
    /// epoch ms, the attempt, the job's name and its arguments joined by " " (2.5.0 and 3.x drop
    /// every ';' from them: `commandInjectionFilter`); mesos/chronos 2.5.1 and v3.0.2
    /// src/main/scala/org/apache/mesos/chronos/scheduler/jobs/TaskUtils.scala. The model names the
    /// task `ct:<due>:<attempt>:<name>` (without the arguments' part); only the length is checked.
    public func mesosTaskIDLength(dueMs: Int64, attempt: Int) -> Int {
        let args = arguments.joined(separator: " ").filter { $0 != ";" }
        return 3 + String(dueMs).utf8.count + 1 + String(attempt).utf8.count + 1 + name.utf8.count + 1 + args.utf8.count
    }
}

/// What a job's process does (the simulator's own description, like `marathon.behaviour`).
public struct ChronosJobBehaviour: Equatable, Sendable {
    /// Time from container start to the process' exit.
    public var runTime: Distribution = .constant(60)
    /// Probability that a run exits non-zero (TASK_FAILED) at the end of its run time.
    public var failureProbability = 0.0
    /// Image size for the pull (per host, cached after).
    public var imageSizeBytes: Int64 = AppBehaviour.defaultImageSizeBytes
    public init() {}
}

public struct ChronosSpec: Equatable, Sendable {
    public var version: ChronosVersion = .v2
    public var flags = ChronosFlags()
    /// Chronos instances: one per host, in this order (the first to connect leads).
    public var hosts: [String] = []
    /// Wall-clock time of simulated time 0, Unix ms (schedules are absolute times).
    public var startMs: Int64 = ChronosSpec.defaultStartMs
    public var jobs: [ChronosJob] = []
    /// Behaviour per job name; jobs not named use `defaultBehaviour`.
    public var defaultBehaviour = ChronosJobBehaviour()
    public var behaviours: [String: ChronosJobBehaviour] = [:]

    /// 2017-01-01T00:00:00Z.
    public static let defaultStartMs: Int64 = 1_483_228_800_000

    public init() {}

    public func behaviour(of job: String) -> ChronosJobBehaviour { behaviours[job] ?? defaultBehaviour }
}
