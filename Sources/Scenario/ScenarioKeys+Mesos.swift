import ClusterModel

// Declared keys of `zookeeper` and `mesos` (docs/mesos.md; see ScenarioKeys.swift). Our own
// camelCase keys; the Mesos master and agent flags (`flags`, snake_case as on the Mesos
// command line) are declared in ScenarioKeys+MesosFlags.swift.
extension ScenarioSchema {
    static let zooKeeperKeys = SectionKeys("zookeeper", [
        KeySpec("servers", "integer", default: "3", allowed: "3, 5 or 7, else an error (a majority must survive).",
                meaning: "One server per host of `hostGroup`, wrapping if the group is smaller.", source: "model choice: the smallest ensemble that survives a failure"),
        KeySpec("hostGroup", "string", default: "the masters' group", allowed: "An existing host group.", meaning: "Where the servers run."),
        KeySpec("tickTime", "duration", default: "2s", allowed: "> 0.", meaning: "ZooKeeper's basic time unit (session timeout bounds are 2 and 20 ticks).",
                source: "apache/zookeeper:conf/zoo_sample.cfg `tickTime=2000` (the server's built-in default without a config line is 3000 ms, ZooKeeperServer.DEFAULT_TICK_TIME)"),
        KeySpec("initLimit", "integer", default: "10", allowed: ">= 1 (ticks).", meaning: "Accepted, not used by the election model (below).", source: "apache/zookeeper:conf/zoo_sample.cfg"),
        KeySpec("syncLimit", "integer", default: "5", allowed: ">= 1 (ticks).", meaning: "Accepted, not used by the election model (below).", source: "apache/zookeeper:conf/zoo_sample.cfg"),
        KeySpec("finalizeWait", "duration", default: "200ms", allowed: ">= 0.", meaning: "How long a server waits for more votes before it settles an election.",
                source: "apache/zookeeper:zookeeper-server/.../quorum/FastLeaderElection.java `finalizeWait`"),
        KeySpec("config", "string or object", default: "none", allowed: "The path of the servers' zoo.cfg relative to the scenario (inside its folder), or its entries as an object of strings. Read as ZooKeeper 3.4 reads it (java.util.Properties, QuorumPeerConfig.parseProperties): `tickTime` (ms), `initLimit`, `syncLimit`, `minSessionTimeout`/`maxSessionTimeout` (ms) and the participants of the `server.N` lines (their number is `servers`) are read; `dataDir`, `clientPort`, observers, `group.N`/`weight.N`, `autopurge.*` and other keys are named in one warning; what ZooKeeper refuses (`dataDir is not set`, `clientPort is not set`, `initLimit is not set`, `Missing election port for server: N`, a number Integer.parseInt refuses ...) is an error in its words. The section's own keys win.",
                meaning: "ZooKeeper's configuration as deployed.",
                source: "apache/zookeeper:src/java/main/org/apache/zookeeper/server/quorum/QuorumPeerConfig.java (3.4) parseProperties; ZooKeeperServer (session timeout bounds 2 and 20 ticks)"),
        KeySpec("notificationDelay", "duration", default: "5ms", allowed: ">= 0.", meaning: "Znode change to watcher callback (LAN round trip + processing).", source: "model choice"),
    ])

    static let mesosKeys = SectionKeys("mesos", [
        KeySpec("version", "string", default: #"`"1.4"` (= 1.4.0)"#,
                allowed: #"`"major.minor"` or `"major.minor.patch"`, 1.1.0 to 1.11.x, as a string (a number is an error: 1.10 would read as 1.1)."#,
                meaning: "Mesos release. Switches the task id rule, what a failed sandbox mkdir does, TASK_DROPPED vs TASK_LOST, TASK_STARTING, and the flags and defaults that changed (docs/mesos.md \"What the version switches\").",
                source: "the release the model was built from (apache/mesos tag 1.4.0)"),
        KeySpec("masters", "object", default: "`{}`", allowed: "See `mesos.masters`.", meaning: "The Mesos masters."),
        KeySpec("agents", "object", default: "`{}`", allowed: "See `mesos.agents`.", meaning: "The Mesos agents."),
        KeySpec("registry", "object", default: "`{}`", allowed: "See `mesos.registry`.", meaning: "The image registry the agents pull from."),
        KeySpec("schedulerRegistrationBackoffFactor", "duration", default: "2s", allowed: "> 0.",
                meaning: "Frameworks' registration retries wait U[0, 2^n·b], capped at 1m (`REGISTRATION_RETRY_INTERVAL_MAX`).",
                source: "apache/mesos:src/sched/constants.hpp `DEFAULT_REGISTRATION_BACKOFF_FACTOR`"),
    ])

    static let mesosMasterKeys = SectionKeys("mesos.masters", [
        KeySpec("count", "integer", default: "3", allowed: "1 to 7, at most the hosts of `hostGroup` (error otherwise).", meaning: "Masters, one per host.", source: "model choice: the usual HA setup"),
        KeySpec("hostGroup", "string", default: "`\"master\"` if such a group exists, else the first group", allowed: "An existing host group.", meaning: "Where the masters run."),
        KeySpec("restartDelay", "duration", default: "10s", allowed: ">= 0.", meaning: "The supervisor restarts an aborted or crashed master after it.",
                source: "model choice: systemd `Restart=always`, `RestartSec=10s` is a common unit setting"),
        KeySpec("registryFetchTime", "duration", default: "1s", allowed: ">= 0.", meaning: "Replicated-log recovery and registry read by a new leader (needs a quorum of masters).", source: "model choice"),
        KeySpec("registryStoreTime", "duration", default: "50ms", allowed: ">= 0.", meaning: "One registry write (e.g. marking an agent unreachable).", source: "model choice"),
        KeySpec("flags", "object", default: "`{}`", allowed: "Mesos master flags, table below.", meaning: "As on the Mesos master's command line."),
        KeySpec("flagsFrom", "array", default: "none", allowed: #"Deployed sources of flags: `{"commandLine": "mesos-master --quorum=2 ..."}`, `{"environmentFile": "deploy/default/mesos-master"}` (MESOS_* and the package wrapper's ZK, IP, PORT, CLUSTER, LOGS), `{"folder": "deploy/etc/mesos-master"}` (one file per flag), `{"root": "deploy/machine"}` (at most one: the deployed machine's `/`, where `file:///...` flag values are read). Paths relative to the scenario's folder. See [Flags as deployed](scenarios.md#flags-as-deployed)."#,
                meaning: "The master's flags read as Mesos reads them (the command line, then MESOS_* for the flags it does not give); `flags` is read after them and wins."),
    ])

    static let mesosAgentKeys = SectionKeys("mesos.agents", [
        KeySpec("hostGroups", "array of strings", default: "every group that runs no master", allowed: "Non-empty; existing host groups.", meaning: "Where agents run."),
        KeySpec("ports", "string", default: "`\"[31000-32000]\"`", allowed: "Mesos ranges, like `\"[31000-32000]\"`.", meaning: "Port resources each agent offers.",
                source: "apache/mesos:src/slave/constants.hpp `DEFAULT_PORTS`"),
        KeySpec("containerStartTime", "distribution (seconds)", default: "lognormal, median 0.8 s, σ 0.4 (p95 ≈ 1.5 s)", allowed: "See [Distributions](scenarios.md#distributions).",
                meaning: "Container start after the image is there.",
                source: "`../shared/reference/network-storage-measurements.md` §2.4: 568 ms SSD / 1157 ms HDD cached overlay2 (S4-a), devicemapper create 0.38–0.55 s (S4-b); median between them"),
        KeySpec("restartDelay", "duration", default: "10s", allowed: ">= 0.", meaning: "Default delay of an agent-process-crash fault's restart.", source: "model choice"),
        KeySpec("workDir", "object", default: "none (sandboxes not modelled)", allowed: "See `mesos.agents.workDir`.",
                meaning: "The filesystem of every agent's `--work_dir`: the tasks' sandboxes fill it, the agent's GC prunes them (`gc_delay`, `gc_disk_headroom`, `disk_watch_interval`)."),
        KeySpec("flags", "object", default: "`{}`", allowed: "Mesos agent flags, table below.", meaning: "As on the Mesos agent's command line."),
        KeySpec("flagsFrom", "array", default: "none", allowed: #"Deployed sources of flags: `{"commandLine": "mesos-agent --work_dir=/var/lib/mesos ..."}`, `{"environmentFile": "deploy/default/mesos-slave"}` (MESOS_* and the package wrapper's MASTER, IP, LOGS, ISOLATION), `{"folder": "deploy/etc/mesos-slave"}` (one file per flag, `attributes/` and `resources/` subfolders), `{"root": "deploy/machine"}` (at most one: the deployed machine's `/`, where `file:///...` flag values are read). Paths relative to the scenario's folder. See [Flags as deployed](scenarios.md#flags-as-deployed)."#,
                meaning: "The agents' flags read as Mesos reads them (the command line, then MESOS_* for the flags it does not give); `flags` is read after them and wins."),
    ])

    static let mesosWorkDirKeys = SectionKeys("mesos.agents.workDir", [
        KeySpec("capacity", "size", default: "required", allowed: "> 0.",
                meaning: "Size of the filesystem holding the work_dir (/var/lib/mesos), what the agent (root) can write.", source: "model choice: the partition you give /var/lib/mesos"),
        KeySpec("used", "size", default: "0", allowed: ">= 0 and below `capacity`.",
                meaning: "Used on it by everything else (the OS, other services), constant; counts in the usage the agent's GC reads.", source: "model choice"),
    ])

    static let mesosRegistryKeys = SectionKeys("mesos.registry", [
        KeySpec("bandwidth", "rate", default: "100MB/s", allowed: "> 0.", meaning: "One download (one TCP stream) runs at most at this rate, and at most at the host's `nic`; the downloads running at once on a host share its `nic` (max-min fair).", source: "model choice"),
        KeySpec("capacity", "rate", default: "none (no limit)", allowed: "> 0.", meaning: "The registry's total serving rate (its NIC, its storage), shared max-min fair by every download running at once from it, on every host: a mass deploy of a new image waits for it.", source: "model choice; set it to the registry host's NIC or its measured egress"),
    ])
}
