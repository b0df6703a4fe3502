import ClusterModel

// Declared keys of docs/scenarios.md (see ScenarioKeys.swift). The decoders read with these; the docs are generated from them.
extension ScenarioSchema {
    static let topLevelKeys = SectionKeys(#""#, [
        KeySpec(#"name"#, #"string"#, default: #"required"#, allowed: #"Letters, digits, `.`, `_`, `-`; not empty; at most 255 characters (a file name); must not start with `.` or `-`."#, meaning: #"The scenario's name; it names the results folder (`results/<name>/`)."#),
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
        KeySpec(#"consul"#, #"object"#, default: #"absent (no Consul)"#, allowed: #"Consul servers (3, 5, 7 on a host group), agents on the Mesos agents' hosts, gossip and Raft settings, service definitions (Consul's own JSON) for Marathon apps: see [consul.md](consul.md)."#),
        KeySpec(#"nginx"#, #"object"#, default: #"absent (no nginx)"#, allowed: #"nginx proxies on named hosts, their configuration (written by consul-template) and request path settings: see [discovery.md](discovery.md)."#),
        KeySpec(#"consulTemplate"#, #"object"#, default: #"absent (no consul-template)"#, allowed: #"consul-template next to each nginx: template, `wait`, reload command and its timeout, retry: see [discovery.md](discovery.md). Needs `consul` and `nginx`."#),
        KeySpec(#"traffic"#, #"object"#, default: #"absent (no user traffic)"#, allowed: #"Requests users send per service: arrivals, service times, instance queues, timeouts, per-request or fluid: see [traffic.md](traffic.md)."#),
        KeySpec(#"actions"#, #"array of action"#, default: #"`[]`"#, allowed: #"Timed operator actions on Marathon apps (deploy, scale, restart, killTasks): see below. Needs `marathon`."#),
    ])

    static let datacenterKeys = SectionKeys(#"datacenters[i]"#, [
        KeySpec(#"name"#, #"string"#, default: #"required"#, allowed: #"Letters, digits, `.`, `_`, `-`; at most 63 characters; unique."#,
                meaning: #"The data center's name, used by `hostGroups[i].datacenter` and `network.datacenterLinks`."#),
        KeySpec(#"racks"#, #"array of strings"#, default: #"`[]`"#, allowed: #"Non-empty, unique names of at most 63 characters; `[]` means any rack name is accepted."#,
                meaning: #"The racks host groups in this data center may use (and are spread over when they name none)."#),
    ])

    static let hostGroupKeys = SectionKeys(#"hostGroups[i]"#, [
        KeySpec(#"name"#, #"string"#, default: #"required"#, allowed: #"Letters, digits, `_`, `-`; at most 56 characters (host names `<name>-<nn>` are DNS labels of at most 63); unique among host groups."#,
                meaning: #"The group's name; its hosts are `<name>-01`, `<name>-02`, ..."#),
        KeySpec(#"count"#, #"integer"#, default: #"required"#, allowed: #"1 to 100000; all groups together at most 100000 hosts."#,
                meaning: #"Number of identical hosts."#),
        KeySpec(#"datacenter"#, #"string"#, default: #"`"dc01"`, or the only declared data center"#, allowed: #"With no `datacenters` declared: any name. With one declared: that one. With two or more declared: required, one of them."#,
                meaning: #"The data center the hosts stand in."#),
        KeySpec(#"rack"#, #"string"#, default: #"see `racks`"#, allowed: #"A rack name of at most 63 characters (one of the data center's declared racks, if it declares any). Not together with `racks`."#,
                meaning: #"One rack for every host."#),
        KeySpec(#"racks"#, #"array of strings"#, default: #"all the data center's declared racks, else `["rack-01"]`"#, allowed: #"Non-empty, unique (declared racks of the data center, if it declares any). Not together with `rack`."#,
                meaning: #"Host *i* goes to `racks[i % racks.count]`."#),
        KeySpec(#"cpus"#, #"number"#, default: #"required"#, allowed: #"> 0 and <= 1000000; fractions allowed, as Mesos offers them."#,
                meaning: #"Cores per host."#),
        KeySpec(#"memory"#, #"size"#, default: #"required"#, allowed: #"> 0."#,
                meaning: #"Memory per host."#),
        KeySpec(#"disk"#, #"size"#, default: #"required"#, allowed: #"> 0."#,
                meaning: #"Disk per host."#),
        KeySpec(#"nic"#, #"rate"#, default: #"`"1Gbit"`"#, allowed: #"> 0."#,
                meaning: #"Network interface speed per host."#, source: #"model choice: a common server NIC"#),
        KeySpec(#"attributes"#, #"object"#, default: #"`{}`"#, allowed: #"Values are strings or numbers; kept in file order; numbers keep their text as written (`1.50` stays `"1.50"`)."#,
                meaning: #"Mesos agent attributes (text and scalar) of every host."#),
    ])

    static let faultKeys = SectionKeys(#"faults[i]"#, [
        KeySpec(#"at"#, #"duration"#, default: #"required"#, allowed: #">= 0 and <= the scenario `duration`."#,
                meaning: #"When the fault fires, measured from the start."#),
        KeySpec(#"kind"#, #"string"#, default: #"required"#, allowed: #"`"hostCrash"`, `"hostRecover"`, `"hostReboot"`; with a `mesos` (or `marathon`) section also `"agentCrash"`, `"masterCrash"`, `"zookeeperCrash"`, `"networkPartition"`."#,
                meaning: #"What fails: `hostCrash` stops a host at once, like a power loss; `hostRecover` brings a crashed host back; `hostReboot` is orderly, down for `downFor`; `agentCrash` kills the Mesos agent process (containers keep running); `masterCrash` a Mesos master process; `zookeeperCrash` a ZooKeeper server; `networkPartition` cuts the host off from the masters and ZooKeeper, both ways."#),
        KeySpec(#"host"#, #"string"#, default: #"one of `host` / `hostGroup`"#, allowed: #"An existing host name, e.g. `"slave-07"`. Not for `masterCrash`/`zookeeperCrash`."#,
                meaning: #"The host the fault hits."#),
        KeySpec(#"hostGroup"#, #"string"#, default: #"one of `host` / `hostGroup`"#, allowed: #"An existing host group."#,
                meaning: #"The fault hits `count` of its hosts, picked when it fires by the fault's own seeded random stream."#),
        KeySpec(#"count"#, #"integer"#, default: #"`1`"#, allowed: #"Only with `hostGroup`; 1 to the group's `count`."#,
                meaning: #"Hosts of `hostGroup` the fault hits."#),
        KeySpec(#"recoverAfter"#, #"duration"#, default: #"none (stays down)"#, allowed: #"Only for `hostCrash`; > 0. A recovery after the end of the run is a warning, not an error."#,
                meaning: #"The crashed host comes back after it."#),
        KeySpec(#"downFor"#, #"duration"#, default: #"`"2m"`"#, allowed: #"Only for `hostReboot`; > 0."#,
                meaning: #"How long the rebooting host is down."#, source: #"model choice"#),
        KeySpec(#"restartAfter"#, #"duration"#, default: #"`agentCrash`/`zookeeperCrash`: none (stays down); `masterCrash`: `mesos.masters.restartDelay` (10s)"#, allowed: #"Only for `agentCrash`, `masterCrash`, `zookeeperCrash`; > 0."#,
                meaning: #"The supervisor restarts the process after it."#),
        KeySpec(#"healAfter"#, #"duration"#, default: #"none (until the end)"#, allowed: #"Only for `networkPartition`; > 0."#,
                meaning: #"The partition heals after it."#),
        KeySpec(#"master"#, #"string or integer"#, default: #"`"leader"`"#, allowed: #"Only for `masterCrash`: `"leader"` or a master number from 1 to `mesos.masters.count`."#,
                meaning: #"The master that crashes; `"leader"` is whichever master leads when the fault fires."#),
        KeySpec(#"server"#, #"integer"#, default: #"required for `zookeeperCrash`"#, allowed: #"Only for `zookeeperCrash`: 1 to `zookeeper.servers`."#,
                meaning: #"The ZooKeeper server that crashes."#),
    ])

    static let actionKeys = SectionKeys(#"actions[i]"#, [
        KeySpec(#"at"#, #"duration"#, default: #"required"#, allowed: #">= 0 and <= `duration`."#,
                meaning: #"When the action is sent to the Marathon leader."#),
        KeySpec(#"kind"#, #"string"#, default: #"required"#, allowed: #"`"deploy"`, `"scale"`, `"restart"`, `"killTasks"`."#,
                meaning: #"The REST call: `deploy` is PUT /v2/apps/{id} with a new definition, `scale` PUT with `instances`, `restart` POST /v2/apps/{id}/restart, `killTasks` DELETE /v2/apps/{id}/tasks/{taskId} (instances picked at random by the seeded stream)."#),
        KeySpec(#"app"#, #"string"#, default: #"required"#, allowed: #"A Marathon app id of the scenario (absolute, or relative to `/`)."#,
                meaning: #"The app acted on."#),
        KeySpec(#"changes"#, #"object"#, default: #"required for `deploy`"#, allowed: #"A partial Marathon app definition; decoded again with every rule of [marathon.md](marathon.md). The `id` cannot change."#,
                meaning: #"Merged into the app's JSON (objects key by key, anything else replaced). A change of anything but `instances` makes a new version: a rolling restart following the app's `upgradeStrategy`."#),
        KeySpec(#"instances"#, #"integer"#, default: #"required for `scale`"#, allowed: #"0 to 100000."#,
                meaning: #"The app's new instance count."#),
        KeySpec(#"count"#, #"integer"#, default: #"`1`"#, allowed: #"Only for `killTasks`; 1 to 100000."#,
                meaning: #"Instances to kill."#),
        KeySpec(#"scale"#, #"boolean"#, default: #"`false`"#, allowed: #"Only for `killTasks`."#,
                meaning: #"`true` lowers the app's `instances` (no replacement), `false` lets Marathon replace them."#),
        KeySpec(#"force"#, #"boolean"#, default: #"`false`"#, allowed: #"`true` or `false`."#,
                meaning: #"Cancel a deployment of the app in progress instead of being refused (HTTP 409)."#),
    ])
}
