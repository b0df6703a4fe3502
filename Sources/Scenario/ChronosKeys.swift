import ClusterModel

// Declared keys of the `chronos` section (docs/chronos.md). Chronos' own names: flags as its
// command line spells them (SchedulerConfiguration.scala), jobs in the JSON of its REST API.
extension ScenarioSchema {
    static let chronosSource = "mesos/chronos:src/main/scala/org/apache/mesos/chronos/scheduler/config/SchedulerConfiguration.scala@2.5.1"

    static let chronosKeys = SectionKeys("chronos", [
        KeySpec(#"version"#, #"string"#, default: #"`"2.x"`"#, allowed: #"`"2.x"` (the scan every `schedule_horizon`, per-job `epsilon`) or `"3.x"` (wakes at the next job's time, runs what is overdue)."#,
                meaning: #"Which scheduling loop Chronos runs."#, source: #"mesos/chronos@2.5.1 and @c1348ddfd80e JobScheduler.scala"#),
        KeySpec(#"hosts"#, #"array of strings"#, default: #"the Mesos masters' hosts"#, allowed: #"Existing host names, unique, at least one."#,
                meaning: #"One Chronos instance per host; they elect a leader through ZooKeeper (Curator LeaderLatch)."#),
        KeySpec(#"startTime"#, #"string"#, default: #"`"2017-01-01T00:00:00Z"`"#, allowed: #"RFC 3339 UTC time between 1970 and 2200."#,
                meaning: #"The wall-clock time of simulated time 0: job schedules are absolute times."#, source: #"model choice: the issue's example schedule starts then"#),
        KeySpec(#"flags"#, #"object"#, default: #"`{}`"#, allowed: #"Chronos flags by their command-line names, with or without `--` (below)."#,
                meaning: #"Scheduler flags."#),
        KeySpec(#"flagsFrom"#, #"array"#, default: #"none"#, allowed: #"Deployed sources of flags: `{"commandLine": "chronos --master zk://... --zk_hosts ..."}`, `{"folder": "deploy/etc/chronos/conf"}` (the Mesosphere package's: one file per flag, `?name` for a flag without value), `{"environmentFile": "..."}` (only for the command line's `$NAME`: Chronos reads no environment variables as flags). Paths relative to the scenario's folder. See [Flags as deployed](scenarios.md#flags-as-deployed)."#,
                meaning: #"Chronos' flags read as its Scallop reads them; `flags` is read after them and wins."#),
        KeySpec(#"jobs"#, #"array of job"#, default: #"`[]`"#, allowed: #"Chronos job JSON as `/scheduler/iso8601` and `/scheduler/dependency` take it (or `{"$include": "file.json"}` of an array exported from `/scheduler/jobs`)."#,
                meaning: #"The jobs. Fields Chronos does not read are warnings, as its JSON reader ignores them."#),
        KeySpec(#"jobsFile"#, #"string"#, default: #"none"#, allowed: #"A path relative to the scenario's folder, to a JSON array of jobs (`GET /scheduler/jobs`)."#,
                meaning: #"More jobs, after those of `jobs`."#),
        KeySpec(#"behaviour"#, #"object"#, default: #"`{}`"#, allowed: #"`"default"` and job names, each a block of the keys below."#,
                meaning: #"What the jobs' processes do (the simulator's own description, like `marathon.behaviour`)."#),
    ])

    static let chronosFlagKeys = SectionKeys("chronos.flags", [
        KeySpec(#"schedule_horizon"#, #"seconds"#, default: #"`60`"#, allowed: #"Whole seconds >= 1, or a Go duration string. 2.x only."#,
                meaning: #"2.x scans every horizon and schedules the runs due before now + horizon."#, source: chronosSource),
        KeySpec(#"task_epsilon"#, #"seconds"#, default: #"`60`"#, allowed: #"Whole seconds >= 0, or a Go duration string."#,
                meaning: #"A job's epsilon when its JSON has none (2.x)."#, source: chronosSource + " and utils/JobDeserializer.scala"),
        KeySpec(#"failure_retry"#, #"ms"#, default: #"`60000`"#, allowed: #"Whole milliseconds >= 0, or a Go duration string."#,
                meaning: #"Delay before a failed task's retry is queued."#, source: chronosSource),
        KeySpec(#"disable_after_failures"#, #"count"#, default: #"`0`"#, allowed: #"0 to 1000000; 0 never disables."#,
                meaning: #"A job is disabled after this many failures (beyond its retries) since its last success."#, source: chronosSource),
        KeySpec(#"decline_offer_duration"#, #"ms"#, default: #"none (Mesos' default filter, 5 s)"#, allowed: #"Whole milliseconds >= 0, or a Go duration string."#,
                meaning: #"refuse_seconds of the offers Chronos declines."#, source: chronosSource + "; mesos.proto Filters.refuse_seconds"),
        KeySpec(#"mesos_task_cpu"#, #"number"#, default: #"`0.1`"#, allowed: #"> 0 and <= 1000000."#,
                meaning: #"CPUs of a job that gives none (or 0)."#, source: chronosSource),
        KeySpec(#"mesos_task_mem"#, #"number (MB)"#, default: #"`128`"#, allowed: #"> 0 and <= 1e12."#,
                meaning: #"Memory of a job that gives none (or 0)."#, source: chronosSource),
        KeySpec(#"mesos_task_disk"#, #"number (MB)"#, default: #"`256`"#, allowed: #"> 0 and <= 1e12."#,
                meaning: #"Disk of a job that gives none (or 0)."#, source: chronosSource),
        KeySpec(#"mesos_role"#, #"string"#, default: #"`"*"`"#, allowed: #"A Mesos role name."#,
                meaning: #"The framework's role: the allocator's DRF sorts roles, then the frameworks of a role."#, source: chronosSource),
        KeySpec(#"zk_timeout"#, #"ms"#, default: #"`10000`"#, allowed: #"Whole milliseconds >= 1, or a Go duration string."#,
                meaning: #"ZooKeeper session timeout asked for (the ensemble clamps it)."#, source: chronosSource),
        KeySpec(#"zk_path"#, #"string"#, default: #"`"/chronos/state"`"#, allowed: #"A ZooKeeper path starting with `/`."#,
                meaning: #"Chronos' state and leader latch live under it."#, source: chronosSource),
        KeySpec(#"mesos_checkpoint"#, #"bool"#, default: #"`true`"#, allowed: #"true or false."#,
                meaning: #"FrameworkInfo.checkpoint: tasks survive an agent process restart."#, source: chronosSource),
        KeySpec(#"reconciliation_interval"#, #"seconds"#, default: #"`600`"#, allowed: #"Whole seconds >= 0, or a Go duration string."#,
                meaning: #"Chronos asks Mesos for the state of its running tasks when an offer or a status update arrives more than this long after the last time (the first time twice this long after the process started)."#, source: chronosSource + " and mesos/MesosJobFramework.scala `reconcile`"),
    ])

    static let chronosBehaviourKeys = SectionKeys("chronos.behaviour.<job>", [
        KeySpec(#"runTime"#, #"distribution (seconds)"#, default: #"`"60s"`"#, allowed: #"See [Distributions](scenarios.md#distributions); negative draws count as 0."#,
                meaning: #"Container start to the process' exit."#, source: #"model choice"#),
        KeySpec(#"failureProbability"#, #"number"#, default: #"`0`"#, allowed: #"0 to 1."#,
                meaning: #"Probability that a run exits non-zero (TASK_FAILED) at the end of its run time."#),
        KeySpec(#"imageSize"#, #"size"#, default: #"`"300MB"`"#, allowed: #"> 0."#,
                meaning: #"Size of the job's `container.image`, pulled once per agent (jobs without a container pull nothing)."#, source: #"model choice, as `marathon.behaviour`"#),
    ])

    /// The fields of a job's JSON that Chronos reads (utils/JobDeserializer.scala @2.5.1 and
    /// @c1348ddfd80e). Those the model uses are described in docs/chronos.md; the others are
    /// read and have no effect on the simulation (notifications, commands, fetches, state counters).
    static let chronosJobKeys = SectionKeys("chronos.jobs[i]", [
        KeySpec(#"name"#, #"string"#, default: #"required"#, allowed: #"Letters, digits, spaces, `.`, `#`, `_`, `-` (JobUtils.jobNamePattern); unique."#, meaning: #"The job's name."#),
        KeySpec(#"schedule"#, #"string"#, default: #"`R1//PT24H` when neither `schedule` nor `parents` is given"#, allowed: #"ISO 8601 repeating interval `R[n]/<start>/<period>`; not with `parents`."#, meaning: #"When a schedule-based job runs."#),
        KeySpec(#"scheduleTimeZone"#, #"string"#, default: #"none (the start's own zone, else UTC)"#, allowed: #"A time zone name; unknown names are GMT, as Java's TimeZone.getTimeZone makes them (a warning)."#, meaning: #"The zone the start's fields are read in."#),
        KeySpec(#"parents"#, #"array of strings"#, default: #"none"#, allowed: #"Names of other jobs; no cycles; not with `schedule`."#, meaning: #"A dependent job runs after its last parent succeeds."#),
        KeySpec(#"epsilon"#, #"string"#, default: #"`--task_epsilon` (2.x)"#, allowed: #"ISO 8601 period like `PT30M` (no years or months). Ignored by 3.x (a warning)."#, meaning: #"2.x: a run later than this past its time is skipped."#),
        KeySpec(#"retries"#, #"integer"#, default: #"`2`"#, allowed: #"0 to 1000000."#, meaning: #"Retries of a failed run."#),
        KeySpec(#"cpus"#, #"number"#, default: #"`--mesos_task_cpu` when absent or 0"#, allowed: #">= 0 and <= 1000000; a numeric string (`"0.5"`) as Chronos reads it (Jackson `asDouble`); any other string is 0 (a warning)."#, meaning: #"CPUs per task."#),
        KeySpec(#"mem"#, #"number (MB)"#, default: #"`--mesos_task_mem` when absent or 0"#, allowed: #">= 0 and <= 1e12; a numeric string as for `cpus`."#, meaning: #"Memory per task."#),
        KeySpec(#"disk"#, #"number (MB)"#, default: #"`--mesos_task_disk` when absent or 0"#, allowed: #">= 0 and <= 1e12; a numeric string as for `cpus`."#, meaning: #"Disk per task."#),
        KeySpec(#"disabled"#, #"bool"#, default: #"`false`"#, allowed: #"true or false."#, meaning: #"A disabled job is not run."#),
        KeySpec(#"concurrent"#, #"bool"#, default: #"`false`"#, allowed: #"true or false. 3.x only (2.x ignores it: a warning)."#, meaning: #"Whether a run may start while the previous one runs."#),
        KeySpec(#"highPriority"#, #"bool"#, default: #"`false`"#, allowed: #"true or false."#, meaning: #"Queued in the high-priority queue, served first."#),
        KeySpec(#"softError"#, #"bool"#, default: #"`false`"#, allowed: #"true or false."#, meaning: #"A failure beyond retries still triggers the dependents."#),
        KeySpec(#"async"#, #"bool"#, default: #"`false`"#, allowed: #"true or false. 2.x only (3.x does not read it: a warning)."#, meaning: #"TASK_FINISHED does not count as the job's success (no dependents triggered)."#),
        KeySpec(#"container"#, #"object"#, default: #"none"#, allowed: #"Chronos' container object; its `image` (a string) is pulled."#, meaning: #"The job's container."#),
        KeySpec(#"constraints"#, #"array"#, default: #"`[]`"#, allowed: #"`[attribute, "EQUALS"|"LIKE"|"UNLIKE", value]`; `hostname` is the agent's name."#, meaning: #"Where the job may run."#),
        KeySpec(#"maxCompletionTime"#, #"integer (seconds)"#, default: #"`0`"#, allowed: #"A whole number of seconds up to 2147483647; 0 or less: no limit. 3.x only (2.x ignores it: a warning)."#, meaning: #"Mesos kills a run still going this long after its container started (TaskInfo.max_completion_time: TASK_FAILED, then Chronos' retries)."#),
        KeySpec(#"command"#, #"string"#, default: #"`""`"#, allowed: #"Any text (not run)."#, meaning: #"The command."#),
        KeySpec(#"shell"#, #"bool"#, default: #"`true`"#, allowed: #"Not used by the model."#, meaning: #"Run the command through a shell."#),
        KeySpec(#"owner"#, #"string"#, default: #"`""`"#, allowed: #"Not used by the model."#, meaning: #"Notification addresses."#),
        KeySpec(#"ownerName"#, #"string"#, default: #"`""`"#, allowed: #"Not used by the model."#, meaning: #"Owner's name."#),
        KeySpec(#"description"#, #"string"#, default: #"`""`"#, allowed: #"Not used by the model."#, meaning: #"Description."#),
        KeySpec(#"runAsUser"#, #"string"#, default: #"`"root"`"#, allowed: #"Not used by the model."#, meaning: #"User the command runs as."#),
        KeySpec(#"executor"#, #"string"#, default: #"`""`"#, allowed: #"Not used by the model."#, meaning: #"Custom executor."#),
        KeySpec(#"executorFlags"#, #"string"#, default: #"`""`"#, allowed: #"Not used by the model."#, meaning: #"Custom executor's flags."#),
        KeySpec(#"uris"#, #"array"#, default: #"`[]`"#, allowed: #"Not used by the model."#, meaning: #"URIs fetched before the run (deprecated)."#),
        KeySpec(#"fetch"#, #"array"#, default: #"`[]`"#, allowed: #"Not used by the model."#, meaning: #"URIs fetched before the run."#),
        KeySpec(#"environmentVariables"#, #"array"#, default: #"`[]`"#, allowed: #"Not used by the model."#, meaning: #"Environment of the command."#),
        KeySpec(#"arguments"#, #"array"#, default: #"`[]`"#, allowed: #"Not used by the model."#, meaning: #"Arguments of the command."#),
        KeySpec(#"labels"#, #"array"#, default: #"`[]`"#, allowed: #"Not used by the model."#, meaning: #"Mesos task labels."#),
        KeySpec(#"dataProcessingJobType"#, #"bool"#, default: #"`false`"#, allowed: #"Not used by the model."#, meaning: #"Marks data-processing jobs."#),
        KeySpec(#"successCount"#, #"integer"#, default: #"`0`"#, allowed: #"Not used by the model (state of an export)."#, meaning: #"Successes so far."#),
        KeySpec(#"errorCount"#, #"integer"#, default: #"`0`"#, allowed: #"Not used by the model (state of an export)."#, meaning: #"Errors so far."#),
        KeySpec(#"errorsSinceLastSuccess"#, #"integer"#, default: #"`0`"#, allowed: #"The count `--disable_after_failures` continues from (state of an export). An integer up to +-2147483647; a numeric string as Chronos reads it (Jackson `asLong`), any other string 0 (a warning)."#, meaning: #"Errors since the last success."#),
        KeySpec(#"lastSuccess"#, #"string"#, default: #"`""`"#, allowed: #"With `lastError`, decides whether a failure is retried (state of an export). Any text; read as Joda's `DateTime.parse`, a text it cannot read counts as no success."#, meaning: #"Time of the last success."#),
        KeySpec(#"lastError"#, #"string"#, default: #"`""`"#, allowed: #"A failure is retried only when this is empty or `lastSuccess` is not earlier (JobScheduler.handleFailedTask; state of an export). Any text; read as Joda's `DateTime.parse`, a text it cannot read stops retries until an error of the run replaces it."#, meaning: #"Time of the last error."#),
    ])

    /// Job fields read and not used by the model (no warning: Chronos reads them).
    static let chronosPassiveJobFields: [String] = Array(chronosJobKeys.names.drop { $0 != "command" })
}
