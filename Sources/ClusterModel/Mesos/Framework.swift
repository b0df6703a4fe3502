import SimKernel

// How a framework (Marathon, later Chronos) talks to Mesos, and what a task does once it runs.
// Mirrors the scheduler API (include/mesos/scheduler.hpp): callbacks in `MesosFramework`,
// calls in `SchedulerDriver`.

/// Index of a task in the cluster's task table (stable for the run). Names are for output.
public typealias TaskID = Int

/// A container image: what an agent must pull before starting a task (cached per host after).
public struct ImageRef: Hashable, Sendable {
    public var name: String
    public var sizeBytes: Int64
    public init(name: String, sizeBytes: Int64) { self.name = name; self.sizeBytes = sizeBytes }
}

/// How a task's process behaves once its container starts. Drawn with the task's own stream.
public struct TaskBehaviour: Equatable, Sendable {
    /// Time from container start until the process serves requests (health checks pass).
    public var startup: Distribution
    /// Probability that the process exits with a failure right after start (crash loop).
    public var failAtStartProbability: Double
    /// Time from "serving" to a crash (TASK_FAILED); nil: never crashes.
    public var timeToCrash: Distribution?
    /// Time from "serving" to a clean exit (TASK_FINISHED); nil: runs until killed.
    public var timeToFinish: Distribution?
    /// Health-check behaviour of the serving process.
    public var health: HealthBehaviour
    /// Time the process takes to exit after SIGTERM (seconds); nil: it does not exit on its own
    /// and is killed when the agent's executor_shutdown_grace_period ends. Capped at that period.
    public var stopTime: Distribution?
    /// TaskInfo.max_completion_time (Mesos 1.6+; Chronos 3.x `maxCompletionTime`): the executor
    /// kills the task if it is still running this long after its container started, and reports
    /// TASK_FAILED (REASON_MAX_COMPLETION_TIME_REACHED). nil: no limit.
    public var maxCompletionTime: SimDuration?
    /// Bytes per second the process writes to stdout/stderr, which the executor sends to the
    /// files `stdout`/`stderr` of the task's sandbox under the agent's `--work_dir`; drawn once per
    /// container (stream "sandbox:<task>"). nil: nothing (or nothing that lands in the sandbox).
    public var sandboxWriteRate: Distribution? = nil

    public init(startup: Distribution = .constant(0), failAtStartProbability: Double = 0,
                timeToCrash: Distribution? = nil, timeToFinish: Distribution? = nil,
                health: HealthBehaviour = .healthy(responseTime: .constant(0.005)), stopTime: Distribution? = nil,
                maxCompletionTime: SimDuration? = nil) {
        self.startup = startup; self.failAtStartProbability = failAtStartProbability
        self.timeToCrash = timeToCrash; self.timeToFinish = timeToFinish; self.health = health
        self.stopTime = stopTime; self.maxCompletionTime = maxCompletionTime
    }
}

public enum HealthBehaviour: Sendable {
    /// Answers every check, with this response time (seconds).
    case healthy(responseTime: Distribution)
    /// Answers, then hangs (never answers again, process stays alive) after this long serving.
    case hangsAfter(Distribution, responseTime: Distribution)
    /// Answers with failures (HTTP 500) always.
    case unhealthy
}

/// What a health probe of a task sees.
public enum ProbeOutcome: Equatable, Sendable {
    /// Answered "healthy" after this long.
    case passed(after: SimDuration)
    /// Answered "unhealthy" (HTTP 5xx, command exit != 0) after this long.
    case failed(after: SimDuration)
    /// Connection refused at once (nothing listening yet, or process gone).
    case refused
    /// No answer within the timeout (process hung, host down or unreachable).
    case timedOut
}

/// A Mesos-level health check run by the executor on the agent (MESOS_HTTP, MESOS_TCP, COMMAND).
public struct MesosHealthCheck: Sendable {
    public var delay: SimDuration          // 15 s
    public var interval: SimDuration
    public var timeout: SimDuration
    public var gracePeriod: SimDuration
    public var consecutiveFailures: Int    // kill when reached (>=)
    public init(delay: SimDuration, interval: SimDuration, timeout: SimDuration, gracePeriod: SimDuration, consecutiveFailures: Int) {
        self.delay = delay; self.interval = interval; self.timeout = timeout
        self.gracePeriod = gracePeriod; self.consecutiveFailures = consecutiveFailures
    }
}

/// A task to launch on an offer.
public struct TaskLaunch: Sendable {
    public var name: String                 // "<app id>.<instance>", for output
    public var framework: String
    public var resources: Resources         // including the ports taken from the offer
    public var image: ImageRef?
    public var behaviour: TaskBehaviour
    public var mesosHealthCheck: MesosHealthCheck?
    /// The container network the task asks for (nil: none asked; the containerizer's network
    /// plugin, when there is one, maps it to a network of the scenario).
    public var network: TaskNetwork?
    /// What the framework groups the task under (ExecutorInfo.source; Marathon: the app id).
    /// Mesos passes it to the containerizer's plugins, which may keep their own configuration by
    /// it (container storage: the app's writes and Ceph mount); Mesos itself does not read it.
    public var source: String?
    /// The framework never launches this name again (Marathon: app id and a per-app counter, as
    /// its task ids are unique): Mesos then keeps no launch count for it (`taskLaunchCounts`, which
    /// names each task's random stream "task:<name>#<k>"), so the counts do not grow with every
    /// task ever launched. A name launched before, flagged or not, is still counted.
    public var nameNeverRepeats: Bool
    /// The length of the longest id the framework sets in the launch (TaskInfo.task_id, and
    /// ExecutorInfo.executor_id when it gives one), which the master validates (MesosIDs.swift);
    /// nil: the framework's ids are not modelled, nothing is checked. Only the length: the ids
    /// the modelled frameworks build cannot break Mesos' other ID rules.
    public var idLength: Int?
    /// The agent runs the task in the Mesos containerizer (no ContainerInfo, or type MESOS), whose
    /// isolators apply (the disk/du quota, MesosSandboxes.swift); false: the Docker containerizer
    /// (type DOCKER), which has none, or a framework that does not say (not checked).
    public var mesosContainerizer: Bool
    public init(name: String, framework: String, resources: Resources, image: ImageRef?, behaviour: TaskBehaviour,
                mesosHealthCheck: MesosHealthCheck? = nil, network: TaskNetwork? = nil, source: String? = nil,
                nameNeverRepeats: Bool = false, idLength: Int? = nil, mesosContainerizer: Bool = false) {
        self.mesosContainerizer = mesosContainerizer
        self.name = name; self.framework = framework; self.resources = resources; self.image = image
        self.behaviour = behaviour; self.mesosHealthCheck = mesosHealthCheck; self.network = network
        self.source = source; self.nameNeverRepeats = nameNeverRepeats; self.idLength = idLength
    }
}

/// A status update, as the scheduler receives it.
public struct TaskStatusUpdate: Sendable {
    public var task: TaskID
    public var state: TaskState
    public var reason: TaskReason
    public var agent: Int
    public var message: String
    /// Set by Mesos-level health checks (TaskStatus.healthy).
    public var healthy: Bool?
    public init(task: TaskID, state: TaskState, reason: TaskReason = .none, agent: Int, message: String = "", healthy: Bool? = nil) {
        self.task = task; self.state = state; self.reason = reason; self.agent = agent; self.message = message; self.healthy = healthy
    }
}

/// The master's answer about one task to an explicit reconciliation (TaskStatus with
/// REASON_RECONCILIATION, no message, no health): `update` is it as a single status update.
public struct ReconciliationAnswer: Sendable {
    public var task: TaskID
    public var state: TaskState
    /// The host of the task's agent (`TaskStatusUpdate.agent`).
    public var agent: Int
    public init(task: TaskID, state: TaskState, agent: Int) { self.task = task; self.state = state; self.agent = agent }
    public var update: TaskStatusUpdate { TaskStatusUpdate(task: task, state: state, reason: .reconciliation, agent: agent) }
}

/// The answers to one `SchedulerDriver.reconcileChanges`. `full`: `examined` is every task asked
/// about and `answers` all the answers (as `reconciliationAnswers`). Else `examined` (ascending)
/// holds the framework's `loud` tasks and the tasks whose answer may have changed since the last
/// one, `answers` the answers among them; every other task asked about has the answer it had then.
public struct ReconciliationDelta: Sendable {
    public var full: Bool
    public var examined: [TaskID]
    public var answers: [ReconciliationAnswer]
}

/// Callbacks from Mesos to a framework's scheduler.
public protocol MesosFramework: AnyObject {
    var frameworkName: String { get }
    /// The framework's role (Marathon: "*" by default, --mesos_role).
    var role: String { get }
    /// Registered (or re-registered after a master failover) with the leading master.
    func registered(reregistered: Bool)
    /// The leading master went away; offers are void until `registered` again.
    func disconnected()
    func resourceOffers(_ offers: [Offer])
    func offerRescinded(_ offer: Int64)
    func statusUpdate(_ update: TaskStatusUpdate)
    /// Whether a process of the framework is there to take a message now (Marathon, Chronos: while
    /// a leader is ready; a scheduler whose leader is gone or still preparing has no driver). A
    /// status update sent meanwhile is lost: an agent's is resent after its back-off, the master's
    /// own is learned by reconciliation. Default true.
    var receivesUpdates: Bool { get }
    /// The answers to one explicit reconciliation, in the order Mesos sent them, delivered where
    /// their single status updates would have been (one message instead of one per task). Must have
    /// the effect of `statusUpdate` of each `answer.update` in order (the default does just that); a
    /// framework may skip the answers that repeat what it knows.
    func reconciliationAnswers(_ answers: [ReconciliationAnswer])
    /// The answers to `SchedulerDriver.reconcileChanges` (default: `reconciliationAnswers` of the
    /// answers, right for a full one: a framework that asks that way implements it).
    func reconciliationDelta(_ delta: ReconciliationDelta)
    /// fidelity.offers `fast`: what the framework would do with an offer of `resources` on the
    /// agent of host `host` now, without drawing or launching (default `.wanted`).
    func offerOutlook(host: Int, resources: Resources) -> OfferOutlook
    /// FrameworkInfo.capabilities PARTITION_AWARE (Marathon: yes): agents marked unreachable
    /// turn tasks TASK_UNREACHABLE instead of TASK_LOST. Default true.
    var partitionAware: Bool { get }
    /// FrameworkInfo.checkpoint (Marathon --checkpoint, default true): tasks survive an agent
    /// process restart. Default true.
    var checkpoint: Bool { get }
    /// FrameworkInfo.capabilities TASK_KILLING_STATE: the executors send TASK_KILLING before they
    /// kill a task (src/launcher/executor.cpp, src/docker/executor.cpp@1.4.0 "Send TASK_KILLING if
    /// the framework can handle it"). Marathon: only with `--enable_features task_killing`; Chronos
    /// declares no capability. Default false.
    var taskKillingState: Bool { get }
    /// A framework that stands for the scheduler of one data center's own Mesos cluster (one
    /// Marathon per data center): the allocator offers it that data center's agents only. nil
    /// (the default): every agent.
    var agentDatacenter: String? { get }
}

/// What a framework would do with an offer, answered without drawing or launching
/// (fidelity.offers `fast`, `MesosFramework.offerOutlook`).
public enum OfferOutlook: Equatable, Sendable {
    /// Make the offer: the framework may launch on it. It matches offers one at a time (Marathon's
    /// offer matcher), so the allocator may deliver it at once and ask again for the next agent.
    case wanted
    /// Make the offer, delivered with the pass's other offers to this framework (after the pass, as
    /// `exact` does): the framework matches a batch of offers together (Chronos'
    /// `generateLaunchableTasks` puts each queued task on the first offer of the batch it fits).
    case wantedInBatch
    /// It would decline this offer with this refuse_seconds.
    case declined(refuseSeconds: Double)
    /// It would decline any offer now (nothing to launch), with this refuse_seconds.
    case allDeclined(refuseSeconds: Double)
    /// It cannot tell agent by agent (Marathon: a launch with constraints, which depend on where
    /// the other instances land): the rest of the pass is the exact one.
    case matchEveryOffer
}

extension MesosFramework {
    /// fidelity.offers `fast` (docs/mesos.md "Fidelity"): the allocator asks before it makes an
    /// offer; a framework that cannot tell answers `.wanted` (every offer is made, as in `exact`).
    public func offerOutlook(host: Int, resources: Resources) -> OfferOutlook { .wanted }
    public func reconciliationAnswers(_ answers: [ReconciliationAnswer]) { for r in answers { statusUpdate(r.update) } }
    public func reconciliationDelta(_ delta: ReconciliationDelta) { reconciliationAnswers(delta.answers) }
    public var partitionAware: Bool { true }
    public var checkpoint: Bool { true }
    public var taskKillingState: Bool { false }
    public var agentDatacenter: String? { nil }
    public var receivesUpdates: Bool { true }
}

/// Calls from a framework's scheduler to Mesos (through the leading master).
public protocol SchedulerDriver: AnyObject {
    /// Accepts an offer with tasks; the rest of the offer is declined with `refuseSeconds`.
    /// Returns the ids given to the tasks (TASK_STAGING follows as a status update), or nil when
    /// the offer is no longer valid (rescinded, master gone): the tasks are then TASK_DROPPED.
    func launch(offer: Int64, tasks: [TaskLaunch], refuseSeconds: Double) -> [TaskID]?
    func decline(offer: Int64, refuseSeconds: Double)
    /// Stop receiving offers until `revive`.
    func suppressOffers()
    /// Clear this framework's decline filters and receive offers again.
    func reviveOffers()
    /// Kill a task (TASK_KILLING, then TASK_KILLED).
    func kill(task: TaskID)
    /// Ask for the latest state of tasks (explicit reconciliation).
    func reconcile(tasks: [TaskID])
    /// An explicit reconciliation of all of `all()` answered with a `ReconciliationDelta`
    /// (`MesosCluster.reconcileChanges`): `loud` are the tasks whose last answer the framework did
    /// not find a plain repeat (or that changed on its side since), `quiet` how many it did,
    /// `known(task)` whether a task is in `all()`. Default: `reconcile(tasks: all())`.
    func reconcileChanges(loud: [TaskID], quiet: Int, all: () -> [TaskID], known: (TaskID) -> Bool)
    /// What a health probe (Marathon HTTP/TCP check from the Marathon leader's host) sees now.
    func probe(task: TaskID, from host: Int, timeout: SimDuration) -> ProbeOutcome
    /// fidelity.healthChecks `fast`: the probe without a draw when its outcome depends on the task's
    /// response-time distribution alone (nil: probe exactly). `state` is the caller's, one per
    /// (task, check). See `MesosCluster.routineProbe`.
    func routineProbe(task: TaskID, from host: Int, timeout: SimDuration, state: inout RoutineProbe) -> ProbeOutcome?
    /// Grows whenever a routine probe may stop being one (a host down or up, a partition starts or
    /// heals): `RoutineProbe.passes` trusts its answer only while this is unchanged.
    var probeEpoch: Int { get }
}

/// A prober's state for fidelity.healthChecks `fast`: the passing probes left before the next
/// failing one (negative: not drawn), and how long the probe stays routine without asking Mesos
/// (while Mesos' `probeEpoch` is `epoch`, the prober is `from` and the time is before `until`,
/// the process' hang).
public struct RoutineProbe: Sendable {
    public var passesLeft = -1
    public var epoch = -1
    public var from = -1
    public var until = SimTime.zero
    public init() {}

    /// The next probe is a pass that needs no word from Mesos: counted, true. False: ask
    /// `SchedulerDriver.routineProbe`.
    @inline(__always)
    public mutating func passes(epoch e: Int, from f: Int, now: SimTime) -> Bool {
        guard passesLeft > 0, epoch == e, from == f, now < until else { return false }
        if passesLeft != Int.max { passesLeft -= 1 }
        return true
    }
}

extension SchedulerDriver {
    public func reconcileChanges(loud: [TaskID], quiet: Int, all: () -> [TaskID], known: (TaskID) -> Bool) {
        reconcile(tasks: all())
    }
}

/// The task ids of `list`, each once, ascending.
func sortedUnique(_ list: [TaskID]) -> [TaskID] {
    var l = list.sorted()
    var n = 0
    for i in l.indices where n == 0 || l[i] != l[n - 1] { l[n] = l[i]; n += 1 }
    l.removeLast(l.count - n)
    return l
}
