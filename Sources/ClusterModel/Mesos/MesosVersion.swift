// The Mesos release a scenario runs (`mesos.version`), and what it switches. Every switch below
// was read at the release tags of apache/mesos (`git show <tag>:<path>`); docs/mesos.md "What the
// version switches" has the table with the sources.

/// A Mesos release, major.minor.patch. Supported: 1.1.0 through 1.11.x. The baseline is 1.4.0, the
/// release whose sources the model was built from (docs/mesos.md), so a scenario without
/// `mesos.version` runs as before. 1.0.x is not supported: its master removes an agent that misses
/// its pings and tells it to shut down when it comes back, killing its tasks (master.cpp@1.0.0
/// `shutdownSlave`); the model has only the unreachable agents of 1.1+ (`markUnreachable`).
public struct MesosVersion: ReleaseVersion {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(_ major: Int, _ minor: Int, _ patch: Int = 0) { self.major = major; self.minor = minor; self.patch = patch }

    public static let baseline = MesosVersion(1, 4, 0)
    public static let oldestSupported = MesosVersion(1, 1, 0)
    /// Newest supported minor line (every 1.11.x patch is accepted).
    public static let newestSupportedMinor = MesosVersion(1, 11, 0)
    public static let supportedRange = "1.1.0 to 1.11.x"

    // MARK: what it switches

    /// The master refuses task ids longer than NAME_MAX (255): from 1.2.1 (commit c229d1b83 in 1.3.0,
    /// backported to 1.2.1 as 60008141e; src/common/validation.cpp `validateID`). Before, the master
    /// lets such an id through and the agent's mkdir of the sandbox fails (ENAMETOOLONG).
    public var masterRefusesLongIDs: Bool { atLeast(2, 1) }

    /// A sandbox that cannot be created aborts the agent process (`CHECK_SOME(mkdir)` in
    /// src/slave/paths.cpp `createExecutorDirectory`, reached from slave.cpp `Framework::addExecutor`)
    /// up to 1.5.x; from 1.6.0 the error is returned and the task dropped (slave.cpp@1.6.0 `_run`).
    public var agentAbortsWhenSandboxFails: Bool { !atLeast(6) }

    /// TASK_DROPPED for a PARTITION_AWARE framework where older releases send TASK_LOST: a launch to
    /// a disconnected agent (master.cpp `_accept`) and a task the agent does not know when it
    /// re-registers (slave.cpp `reregistered`, "task unknown to the agent"): from 1.2.0. In 1.1.x both
    /// are TASK_LOST for every framework (TASK_UNREACHABLE already exists in 1.1.0: `markUnreachable`).
    public var sendsTaskDropped: Bool { atLeast(2) }

    /// The command and Docker executors kill a task still running at TaskInfo.max_completion_time
    /// from 1.6.0 (include/mesos/mesos.proto@1.6.0, src/launcher/executor.cpp@1.6.0, commits 835f52bfd
    /// and 197d1ea39); earlier releases do not know the field (protobuf drops it).
    public var executorsEnforceMaxCompletionTime: Bool { atLeast(6) }

    /// The built-in executors (command, Docker, default) send TASK_STARTING when they receive the
    /// task, after the image is pulled and before the container runs: from 1.5.0 ("Send
    /// TASK_STARTING from the built-in executors", de11f0ffe; src/docker/executor.cpp,
    /// src/launcher/executor.cpp and default_executor.cpp@1.5.0). Up to 1.4.x a task goes from
    /// TASK_STAGING to TASK_RUNNING (none of the three sends it at 1.4.0).
    public var executorsSendStarting: Bool { atLeast(5) }

    /// The master's `--allocator` default: "HierarchicalDRF" before the sorter change below,
    /// "hierarchical" with it (src/master/constants.hpp `DEFAULT_ALLOCATOR`; allocator.cpp still
    /// accepts the old name).
    public var defaultAllocator: String { sortersConfigurable ? "hierarchical" : "HierarchicalDRF" }

    /// `--role_sorter`/`--framework_sorter` choose the allocator's sorters (master/main.cpp passes
    /// them to `Allocator::create`, which builds the random allocator for "random"), and
    /// `--min_allocatable_resources` sets the allocator's minimum: from 1.7.0, and in the patch
    /// releases the change was backported to, 1.4.2, 1.5.2 and 1.6.1 (read at every 1.3.0 ... 1.7.3
    /// tag: constants.hpp `DEFAULT_ALLOCATOR`, main.cpp `flags.role_sorter`, hierarchical.cpp
    /// `minAllocatableResources`). Before, the flags (`--user_sorter`, `--framework_sorter`) are
    /// parsed but read by nothing: HierarchicalDRFAllocator always sorts by DRF.
    public var sortersConfigurable: Bool {
        atLeast(7) || (minor == 6 && patch >= 1) || ((minor == 4 || minor == 5) && patch >= 2)
    }
}
