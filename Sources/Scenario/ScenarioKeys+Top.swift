import ClusterModel

// Declared keys of docs/scenarios.md (see ScenarioKeys.swift). The decoders read with these; the docs are generated from them.
extension ScenarioSchema {
    static let topLevelKeys = SectionKeys(#""#, [
        KeySpec(#"name"#, #"string"#, default: #"required"#, allowed: #"Letters, digits, `.`, `_`, `-`; not empty; must not start with `.` or `-`."#, meaning: #"The scenario's name; it names the results folder (`results/<name>/`)."#),
        KeySpec(#"description"#, #"string"#, default: #"`""`"#, allowed: #"Any text."#, meaning: #"Shipped scenarios say in one paragraph what they show."#),
        KeySpec(#"seed"#, #"integer"#, default: #"`1`"#, allowed: #"0 to 18446744073709551615 (read exactly, not through a double)."#, meaning: #"The seed of every random stream; `--seed N` overrides it."#),
        KeySpec(#"duration"#, #"duration"#, default: #"required"#, allowed: #"> 0."#, meaning: #"Simulated time from start to end."#),
        KeySpec(#"sampleInterval"#, #"duration"#, default: #"`"15s"`"#, allowed: #">= 1ms and <= `duration`. See [Limits](#limits) for samples and rows."#, meaning: #"Period of the timeline samples."#, source: #"Prometheus' default scrape interval"#),
        KeySpec(#"datacenters"#, #"array of datacenter"#, default: #"`[]`"#, allowed: #"Names unique."#, meaning: #"Declared data centers and their racks (below)."#),
        KeySpec(#"hostGroups"#, #"array of host group"#, default: #"required"#, allowed: #"At least one group; names unique."#, meaning: #"The hosts, in groups of identical machines (below)."#),
        KeySpec(#"faults"#, #"array of fault"#, default: #"`[]`"#, allowed: #"Kept in file order."#, meaning: #"Timed host, process and network faults (below)."#),
        KeySpec(#"zookeeper"#, #"object"#, default: #"absent (a 3-server ensemble on the masters' hosts when `mesos` is given)"#, allowed: #"Ensemble size (3, 5, 7), host group, tickTime and election timing: see [mesos.md](mesos.md)."#),
        KeySpec(#"mesos"#, #"object"#, default: #"absent (no Mesos; `{}` with every default when `marathon` is given)"#, allowed: #"Masters (count, host group, Mesos master flags), agents (host groups, ports, agent flags, container start time) and the image registry: see [mesos.md](mesos.md)."#),
        KeySpec(#"marathon"#, #"object"#, default: #"absent (no Marathon)"#, allowed: #"Marathon version, flags, apps and groups (Marathon's own v2 JSON) and the simulated apps' behaviour: see [marathon.md](marathon.md)."#),
        KeySpec(#"storage"#, #"object"#, default: #"absent (no storage model: launches never refused, nothing fills)"#, allowed: #"Docker's storage driver per host group (devicemapper loop-lvm/direct-lvm with `dm.*` options, overlay2), operator actions (`cleanPool`, `restartDocker`, `extendPool`, at a time or `on` an event with a `delay`) and a Ceph cluster (with `registry: true` the image registry's blobs are in it); per-app log writes are the `logs` key of `marathon.behaviour`, per-app ceph-fuse volumes its `cephMount` key: see [storage.md](storage.md)."#),
        KeySpec(#"network"#, #"object"#, default: #"absent (no network model: no flows, messages or network CPU)"#, allowed: #"Environment (`cloud-vm`, `bare-metal`), default container network mode, underlay MTU, named networks, the overlay's KV store, racks with top-of-rack uplinks, links between data centers and the qperf-like experiments that write network.csv: see [network.md](network.md)."#),
        KeySpec(#"actions"#, #"array of action"#, default: #"`[]`"#, allowed: #"Timed operator actions on Marathon apps (deploy, scale, restart, killTasks): see below. Needs `marathon`."#),
    ])

    static let datacenterKeys = SectionKeys(#"datacenters[i]"#, [
        KeySpec(#"name"#, #"string"#, default: #"required"#, allowed: #"Letters, digits, `.`, `_`, `-`; unique."#),
        KeySpec(#"racks"#, #"array of strings"#, default: #"`[]`"#, allowed: #"Non-empty, unique names. When given, host groups in this datacenter may only use these racks; `[]` means any rack name is accepted."#),
    ])

    static let hostGroupKeys = SectionKeys(#"hostGroups[i]"#, [
        KeySpec(#"name"#, #"string"#, default: #"required"#, allowed: #"Letters, digits, `_`, `-`; unique among host groups."#),
        KeySpec(#"count"#, #"integer"#, default: #"required"#, allowed: #"1 to 100000; all groups together at most 100000 hosts."#),
        KeySpec(#"datacenter"#, #"string"#, default: #"see below"#, allowed: #"With no `datacenters` declared: any name, default `"dc01"`. With one declared: that one (the default). With two or more declared: required, one of them."#),
        KeySpec(#"rack"#, #"string"#, default: #"see below"#, allowed: #"One rack for every host. Not together with `racks`."#),
        KeySpec(#"racks"#, #"array of strings"#, default: #"see below"#, allowed: #"Non-empty, unique; host *i* goes to `racks[i % racks.count]`. Not together with `rack`."#),
        KeySpec(#"cpus"#, #"number"#, default: #"required"#, allowed: #"> 0 and <= 1000000 (cores; fractions allowed, as Mesos offers them)."#),
        KeySpec(#"memory"#, #"size"#, default: #"required"#, allowed: #"> 0."#),
        KeySpec(#"disk"#, #"size"#, default: #"required"#, allowed: #"> 0."#),
        KeySpec(#"nic"#, #"rate"#, default: #"`"1Gbit"`"#, allowed: #"> 0."#),
        KeySpec(#"attributes"#, #"object"#, default: #"`{}`"#, allowed: #"Values are strings or numbers (Mesos text and scalar attributes); kept in file order; numbers keep their text as written (`1.50` stays `"1.50"`)."#),
    ])

    static let faultKeys = SectionKeys(#"faults[i]"#, [
        KeySpec(#"at"#, #"duration"#, default: #"required"#, allowed: #">= 0 and <= the scenario `duration`, measured from the start."#),
        KeySpec(#"kind"#, #"string"#, default: #"required"#, allowed: #"`"hostCrash"` (stops at once, like a power loss), `"hostRecover"` (a crashed host comes back), `"hostReboot"` (orderly, down for `downFor`); with a `mesos` (or `marathon`) section also `"agentCrash"` (the Mesos agent process dies, containers keep running), `"masterCrash"` (a Mesos master process dies), `"zookeeperCrash"` (a ZooKeeper server dies), `"networkPartition"` (the host is cut off from the masters and ZooKeeper, both ways)."#),
        KeySpec(#"host"#, #"string"#, default: #"one of `host` / `hostGroup`"#, allowed: #"An existing host name, e.g. `"slave-07"`. Not for `masterCrash`/`zookeeperCrash`."#),
        KeySpec(#"hostGroup"#, #"string"#, default: #"one of `host` / `hostGroup`"#, allowed: #"An existing host group; the fault applies to `count` of its hosts, picked when it fires by the fault's own seeded random stream."#),
        KeySpec(#"count"#, #"integer"#, default: #"`1`"#, allowed: #"Only with `hostGroup`; 1 to the group's `count`."#),
        KeySpec(#"recoverAfter"#, #"duration"#, default: #"none (stays down)"#, allowed: #"Only for `hostCrash`; > 0. A recovery after the end of the run is a warning, not an error."#),
        KeySpec(#"downFor"#, #"duration"#, default: #"`"2m"`"#, allowed: #"Only for `hostReboot`; > 0."#),
        KeySpec(#"restartAfter"#, #"duration"#, default: #"`agentCrash`/`zookeeperCrash`: none (stays down); `masterCrash`: `mesos.masters.restartDelay` (10s)"#, allowed: #"Only for `agentCrash`, `masterCrash`, `zookeeperCrash`; > 0: the supervisor restarts the process."#),
        KeySpec(#"healAfter"#, #"duration"#, default: #"none (until the end)"#, allowed: #"Only for `networkPartition`; > 0."#),
        KeySpec(#"master"#, #"string or integer"#, default: #"`"leader"`"#, allowed: #"Only for `masterCrash`: `"leader"` (whichever master leads when the fault fires) or a master number from 1 to `mesos.masters.count`."#),
        KeySpec(#"server"#, #"integer"#, default: #"required for `zookeeperCrash`"#, allowed: #"Only for `zookeeperCrash`: a server number from 1 to `zookeeper.servers`."#),
    ])

    static let actionKeys = SectionKeys(#"actions[i]"#, [
        KeySpec(#"at"#, #"duration"#, default: #"required"#, allowed: #">= 0 and <= `duration`."#),
        KeySpec(#"kind"#, #"string"#, default: #"required"#, allowed: #"`"deploy"` (PUT /v2/apps/{id}: a new definition), `"scale"` (PUT with `instances`), `"restart"` (POST /v2/apps/{id}/restart), `"killTasks"` (DELETE /v2/apps/{id}/tasks/{taskId}, instances picked at random by the seeded stream)."#),
        KeySpec(#"app"#, #"string"#, default: #"required"#, allowed: #"A Marathon app id of the scenario (absolute, or relative to `/`)."#),
        KeySpec(#"changes"#, #"object"#, default: #"required for `deploy`"#, allowed: #"A partial Marathon app definition merged into the app's JSON (objects key by key, anything else replaced) and decoded again with every rule of [marathon.md](marathon.md). A change of anything but `instances` makes a new version: a rolling restart following the app's `upgradeStrategy`. The `id` cannot change."#),
        KeySpec(#"instances"#, #"integer"#, default: #"required for `scale`"#, allowed: #"0 to 100000."#),
        KeySpec(#"count"#, #"integer"#, default: #"`1`"#, allowed: #"Only for `killTasks`: instances to kill."#),
        KeySpec(#"scale"#, #"boolean"#, default: #"`false`"#, allowed: #"Only for `killTasks`: `true` lowers the app's `instances` (no replacement), `false` lets Marathon replace them."#),
        KeySpec(#"force"#, #"boolean"#, default: #"`false`"#, allowed: #"Cancel a deployment of the app in progress instead of being refused."#),
    ])
}
