import ClusterModel

// Declared keys of `marathon` and of a `marathon.behaviour` block (docs/marathon.md; see
// ScenarioKeys.swift). Our own keys only: Marathon's flags and its app and group JSON follow
// Marathon's rules and keep their hand-written tables.
extension ScenarioSchema {
    static let marathonKeys = SectionKeys("marathon", [
        KeySpec("version", "string", default: #"`"1.4"` (= 1.4.0)"#,
                allowed: #"`"major.minor"` or `"major.minor.patch"`; supported 1.4.0 to 1.10.x. Must be a string (`1.10` as a JSON number would read 1.1)."#,
                meaning: "Marathon release. Switches the version-dependent defaults and algorithms below."),
        KeySpec("flags", "object", default: "per version", allowed: "Marathon command-line flags by their own names (`task_launch_timeout`, optionally with a leading `--`), in Marathon's units.",
                meaning: "See [Flags](#flags-marathonflags)."),
        KeySpec("hostGroup", "string", default: "absent = the Mesos masters' group", allowed: "Must name a host group.",
                meaning: "Host group the Marathon instances run on (as usual: Marathon next to the Mesos masters)."),
        KeySpec("instances", "integer", default: "`3`", allowed: "1 to 99.", meaning: "Marathon instances (HA: one leader elected through ZooKeeper, the others stand by and proxy)."),
        KeySpec("apps", "array", default: "`[]`", allowed: #"An object, `{"$include": "file.json"}`, or a string = relative path of a JSON file holding an app **or a group**. An object with `apps`, `groups` or `pods` is read as a group."#,
                meaning: "App definitions."),
        KeySpec("groups", "array", default: "`[]`", allowed: "Inline, `$include`d or by relative path.", meaning: "Group definitions."),
        KeySpec("behaviour", "object", default: "see below", allowed: #"`"default"` and app ids, each a behaviour block."#,
                meaning: "The simulator's own description of what each app's processes do."),
    ])

    static let behaviourKeys = SectionKeys("marathon.behaviour.<app>", [
        KeySpec("startupTime", "distribution (seconds)", default: "`5s` (constant)", allowed: "See [Distributions](scenarios.md#distributions).", meaning: "Container start → serving (health checks pass)."),
        KeySpec("failAtStartProbability", "number", default: "0", allowed: "0 to 1.", meaning: "Probability the process exits with a failure right after start (crash loop)."),
        KeySpec("meanTimeBetweenCrashes", "duration", default: "none (never crashes)", allowed: "> 0. Not together with `timeToCrash`.", meaning: "Exponential time from serving to TASK_FAILED."),
        KeySpec("timeToCrash", "distribution (seconds)", default: "none", allowed: "Any distribution. Not together with `meanTimeBetweenCrashes`.", meaning: "Time from serving to TASK_FAILED."),
        KeySpec("timeToFinish", "distribution (seconds)", default: "none (runs until killed)", allowed: "Any distribution.", meaning: "Serving → clean exit (TASK_FINISHED)."),
        KeySpec("health", "string or object", default: #"`"healthy"`"#, allowed: #"`"healthy"`, `"unhealthy"` (answers checks with failures) or `{"hangsAfter": <distribution>}` (stops answering, process alive)."#,
                meaning: "How the process answers health checks."),
        KeySpec("responseTime", "distribution (seconds)", default: "`5ms`", allowed: "Any distribution.", meaning: "Health-check response time."),
        KeySpec("logs", "object", default: "none", allowed: "See [storage.md](storage.md).", meaning: "The process' log writes (writable layer or a host volume)."),
        KeySpec("cephMount", "object", default: "none", allowed: #"`{"pgs": 8}`. Needs `storage.ceph` and a `network` section: see [storage.md](storage.md)."#,
                meaning: "The app's processes mount its own Ceph volume through ceph-fuse; they hang while one of its PGs is below `min_size`."),
        KeySpec("image", "object", default: #"`{"size": "300MB"}`"#, allowed: #"`{"size": ...}` or `{"sizeBytes": ...}`."#, meaning: "Image size pulled by each agent once."),
    ])
}
