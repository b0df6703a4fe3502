import ClusterModel
import SimKernel

// The `consul` section: servers, agents, a subset of Consul's agent configuration under its own
// names (`config`), and per Marathon app a Consul service definition (ConsulServiceFiles.swift).
// Defaults and their sources: docs/consul.md (generated tables) and ClusterModel/Consul/ConsulSpec.swift.

extension ScenarioSchema {
    static func decodeConsul(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool, mesos: MesosSpec?,
                             marathon: MarathonSpec?, _ d: Diagnostics) -> ConsulSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: consulKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let groups = hostGroups.map { (name: $0.name, count: $0.count) }
        // Consul's agent configuration first: a deployed server's bootstrap_expect is the number
        // of servers when `servers` is not given (ConsulAgentFlags.swift)
        var config = ConsulAgentConfig()
        let facts = readConsulAgentSources(config: r.value("config"), configPath: r.keyPath("config"),
                                           flagsFrom: r.value("flagsFrom"), flagsPath: r.keyPath("flagsFrom"), into: &config, d)
        let serverCounts = [3, 5, 7]
        var expected: Int? = nil
        if !r.has("servers"), let f = facts, f.server?.value == true, f.bootstrap?.value != true, let e = f.bootstrapExpect, e.value > 0 {
            if serverCounts.contains(e.value) { expected = e.value }
            else {
                d.error(e.path, location: e.at, "bootstrap_expect = \(e.value) sets the number of Consul servers when consul.servers is not given, and Consul runs 3, 5 or 7 servers here (a majority survives 1, 2 or 3 failures; issue 10); give consul.servers or bootstrap_expect 3, 5 or 7")
            }
        }
        let servers = r.optional("servers", ValueDecoder<Int>.int().check {
            serverCounts.contains($0) ? nil : "Consul runs 3, 5 or 7 servers here (a majority survives 1, 2 or 3 failures; issue 10), got \($0)"
        }, default: expected ?? 3)
        if let f = facts, let n = servers { checkConsulServerFacts(f, servers: n, d) }
        var group = mesos?.masterHostGroup ?? defaultMasterGroup(groups) ?? ""
        if let g = r.optional("hostGroup", .nonEmptyString) {
            group = g
            _ = checkGroup(g, path: r.keyPath("hostGroup"), value: r.value["hostGroup"], groups: groups, complete: hostGroupsComplete, d)
        }
        if let n = servers, let g = groups.first(where: { $0.name == group }), g.count < n {
            d.error(r.keyPath(r.has("hostGroup") ? "hostGroup" : "servers"), at: r.value["hostGroup"] ?? r.value["servers"] ?? v,
                    "host group \(JSONValue.quote(group)) has \(g.count) hosts; \(n) Consul servers need \(n) (one per host)")
        }
        var agents: [String]? = nil
        if let a = r.optional("agents", .array(of: .nonEmptyString, nonEmpty: true)) {
            for (i, g) in a.enumerated() {
                _ = checkGroup(g, path: JSONPath.index(r.keyPath("agents"), i), value: r.value["agents"]?.arrayValue?[i], groups: groups,
                               complete: hostGroupsComplete, d)
            }
            agents = a
        }
        let registerAll = r.optional("registerAll", .bool, default: true)
        let exact = r.optional("exactChecks", .bool, default: false)
        var services: [(appId: String, definitions: [ConsulServiceDefinition])] = []
        if let sv = r.value("services") {
            services = decodeConsulServices(sv, path: r.keyPath("services"), marathon: marathon, d)
        }
        let naming = r.optional("serviceNaming", ValueDecoder<String>.oneOf(ConsulServiceNaming.allCases.map(\.rawValue), what: "service naming"), default: "appId")
        let kv = r.value("kv").map { decodeStringMap($0, path: r.keyPath("kv"), what: "KV key", maxValueBytes: 512 * 1024, d) } ?? [:]
        let registrator = r.value("registrator").flatMap { decodeRegistrator($0, path: r.keyPath("registrator"), d) }
        r.finish()
        guard d.errorCount == before, let servers, let registerAll, let exact else { return nil }
        var spec = ConsulSpec(servers: servers, hostGroup: group, agentHostGroups: agents, config: config, services: services, registerAll: registerAll)
        spec.exactChecks = exact
        spec.kv = kv
        spec.serviceNaming = naming.flatMap(ConsulServiceNaming.init(rawValue:)) ?? .appId
        spec.registrator = registrator
        warnRegistrator(spec, apps: marathon?.apps ?? [], d)
        return spec
    }

    /// What registrator ignores or Consul refuses in the apps' SERVICE_* metadata (one warning
    /// each, at the app's env key or Docker labels), and SERVICE_* metadata the model does not read:
    /// an app with a `consul.services` entry (the definition wins), or one registrator does not see.
    static func warnRegistrator(_ spec: ConsulSpec, apps: [AppDefinition], _ d: Diagnostics) {
        var plans: [String: RegistratorPlan] = [:]
        for (id, p) in spec.registratorPlans(apps: apps) where plans[id] == nil { plans[id] = p }
        let defined = Set(spec.services.map(\.appId))
        for (i, a) in apps.enumerated() {
            let appPath = JSONPath.index("marathon.apps", i)
            let entries = Registrator.metaEntries(of: a).filter { $0.key.hasPrefix("SERVICE_") }
            func path(_ key: String) -> String {
                if let e = entries.first(where: { $0.key.uppercased() == key || $0.key.uppercased().hasSuffix("_" + key.dropFirst("SERVICE_".count)) }) {
                    return e.fromLabel ? JSONPath.key(JSONPath.key(JSONPath.key(appPath, "container"), "docker"), "parameters") : JSONPath.key(JSONPath.key(appPath, "env"), e.key)
                }
                return appPath
            }
            if let p = plans[a.id] {
                for n in p.notes { d.warning(path(n.key), at: nil, "registrator, app \(JSONValue.quote(a.id)): \(n.message)") }
                continue
            }
            guard !entries.isEmpty, !a.isPod else { continue }
            let names = entries.map(\.key).joined(separator: ", ")
            if defined.contains(a.id) {
                d.warning(JSONPath.key("consul.services", a.id), at: nil, "app \(JSONValue.quote(a.id)) carries registrator metadata (\(names)): its consul.services definition is registered instead, SERVICE_* is not read")
            } else if spec.registerAll && !Registrator.seesContainers(of: a) {
                d.warning(appPath, at: nil, "app \(JSONValue.quote(a.id)) carries registrator metadata (\(names)) but is not a Docker container: registrator does not see it; registered by its app id, SERVICE_* not read")
            }
        }
    }

    /// `consul.config`: Consul's own names; the checks Consul's builder makes (agent/config/builder.go).
    static func decodeConsulConfig(_ v0: JSONValue, path: String, into c: inout ConsulAgentConfig, _ d: Diagnostics) {
        // every key of Consul's agent configuration loads (ConsulAgentConfigKeys.swift); the
        // modelled ones are read below
        let services = "Consul registers these with the agent; the simulator registers the apps' services from `consul.services` (app id → definition): give them there"
        let v = ConsulAgentConfigKeys.sort(v0, path: path, dotted: "", modelled: consulConfigKeys.names + ["ae_interval"], known: ConsulAgentConfigKeys.topLevel,
                                           notes: ["service": services, "services": services, "check": services, "checks": services], d)
        let r = ObjectReader(unsliceMembers(v), path: path, diagnostics: d, keys: consulConfigKeys)
        guard r.isObject else { return }
        if let pv0 = r.value("performance") {
            let pv = unsliceMembers(ConsulAgentConfigKeys.sort(pv0, path: r.keyPath("performance"), dotted: "performance", modelled: consulPerformanceKeys.names,
                                                               known: ConsulAgentConfigKeys.performance, d))
            let p = ObjectReader(pv, path: r.keyPath("performance"), diagnostics: d, keys: consulPerformanceKeys)
            if let m = p.optional("raft_multiplier", .int().check {
                (1...10).contains($0) ? nil : "performance.raft_multiplier cannot be \($0). Must be between 1 and 10 (Consul's MaxRaftMultiplier)"
            }) { c.raftMultiplier = m }
            if let h = p.optional("rpc_hold_timeout", .duration(.nonNegative)) { c.rpcHoldTimeout = h }
            p.finish()
        }
        if let gv0 = r.value("gossip_lan") {
            let gv = unsliceMembers(gv0)
            let g = ObjectReader(gv, path: r.keyPath("gossip_lan"), diagnostics: d, keys: consulGossipKeys)
            // memberlist has no upper bound; the model keeps gossip timers within a minute so its
            // arithmetic cannot overflow (defaults are 1s, 500ms, 200ms)
            let gossipDuration = ValueDecoder<SimDuration>.duration(.positive).check { $0 <= .minutes(1) ? nil : "must be at most 1m here (the default is under a second), got \($0)" }
            if let x = g.optional("probe_interval", gossipDuration) { c.probeInterval = x }
            if let x = g.optional("probe_timeout", gossipDuration) { c.probeTimeout = x }
            if let x = g.optional("suspicion_mult", .int(min: 1, max: 100)) { c.suspicionMult = x }
            if let x = g.optional("retransmit_mult", .int(min: 1, max: 100)) { c.retransmitMult = x }
            if let x = g.optional("gossip_interval", gossipDuration) { c.gossipInterval = x }
            if let x = g.optional("gossip_nodes", .int(min: 1, max: 100)) { c.gossipNodes = x }
            g.finish()
            if c.probeTimeout > c.probeInterval {
                d.error(JSONPath.key(r.keyPath("gossip_lan"), "probe_timeout"), at: gv["probe_timeout"],
                        "probe_timeout (\(c.probeTimeout)) must not exceed probe_interval (\(c.probeInterval)): memberlist waits for the ack within one probe interval")
            }
        }
        if let x = r.optional("reconnect_timeout", .duration(.positive)) {
            if x < .hours(8) {
                d.error(r.keyPath("reconnect_timeout"), at: r.value["reconnect_timeout"], "reconnect_timeout must be >= 8h (Consul's minimum), got \(x)")
            } else { c.reconnectTimeout = x }
        }
        if let x = r.optional("check_update_interval", .duration(.nonNegative)) { c.checkUpdateInterval = x }
        if let x = r.optional("leave_on_terminate", .bool) {
            c.leaveOnTerminate = x
            if x {
                d.warning(r.keyPath("leave_on_terminate"), at: r.value["leave_on_terminate"],
                          "applies to the client agents (their default); the servers keep false: a server leaving the Raft configuration on SIGTERM is not modelled")
            }
        }
        if let x = r.optional("enable_script_checks", .bool) { c.enableScriptChecks = x }
        // agent/config/builder.go: lower-cased, then Validate's "^[a-z0-9_-]+$"
        if let x = r.optional("datacenter", .string.check { ConsulServiceFile.datacenterProblem($0) }) { c.datacenter = x.lowercased() }
        if let dv0 = r.value("dns_config") {
            let dv = unsliceMembers(ConsulAgentConfigKeys.sort(dv0, path: r.keyPath("dns_config"), dotted: "dns_config", modelled: consulDNSKeys.names,
                                                               known: ConsulAgentConfigKeys.dns, d))
            let n = ObjectReader(dv, path: r.keyPath("dns_config"), diagnostics: d, keys: consulDNSKeys)
            if let x = n.optional("allow_stale", .bool) { c.allowStale = x }
            if let x = n.optional("max_stale", .duration(.nonNegative)) { c.maxStale = x }
            n.finish()
        }
        _ = r.rejectUndeclared("ae_interval", "ae_interval is not a Consul setting: anti-entropy runs every 1m scaled by cluster size (agent/ae/ae.go), as modelled")
        r.finish()
    }

    /// An object whose members' values are read as Consul's decoder reads them into a struct or a
    /// single value: a list of one element is that element (lib/decode HookWeakDecodeFromSlice;
    /// an HCL block `performance { ... }` decodes to a list of one object). Every key the
    /// simulator reads in `consul.config` is a struct or a single value.
    static func unsliceMembers(_ v: JSONValue) -> JSONValue {
        let x = ConsulServiceFile.unslice(v)
        guard let members = x.objectMembers else { return x }
        return JSONValue(.object(members.map { JSONMember(key: $0.key, keyLocation: $0.keyLocation, value: ConsulServiceFile.unslice($0.value)) }), location: x.location)
    }

    /// `consul.services`: app id → a Consul service definition (`{"service": …}` / `{"services": […]}`).
    static func decodeConsulServices(_ v: JSONValue, path: String, marathon: MarathonSpec?,
                                     _ d: Diagnostics) -> [(appId: String, definitions: [ConsulServiceDefinition])] {
        guard let members = v.objectMembers else {
            d.error(path, at: v, typeMismatch("an object of Marathon app id → Consul service definition, like {\"/shop/web\": {\"service\": {\"name\": \"web\"}}}", v))
            return []
        }
        let appIds = marathon?.apps.map(\.id) ?? []
        let appIdSet = Set(appIds)
        var out: [(appId: String, definitions: [ConsulServiceDefinition])] = []
        for m in members {
            let p = JSONPath.key(path, m.key)
            if marathon != nil && !appIdSet.contains(m.key) {
                d.error(p, location: m.keyLocation, "no Marathon app \(JSONValue.quote(m.key))\(Suggest.didYouMean(m.key, among: appIds))")
                continue
            }
            if let defs = ConsulServiceFile.decode(m.value, path: p, d) { out.append((m.key, defs)) }
        }
        return out
    }

    static let consulKeys = SectionKeys("consul", [
        KeySpec("servers", "integer", default: "3, or the servers' `bootstrap_expect` (`config`, `flagsFrom`)", allowed: "3, 5 or 7 (error otherwise): the sizes issue 10 asks for, each with a majority that survives 1, 2 or 3 server failures. A `bootstrap_expect` above it is an error (no leader is ever elected), below it a warning.",
                meaning: "Consul servers (Raft voters), one per host of `hostGroup`, on its first hosts.", source: "Consul's deployment guide: 3 or 5 servers per datacenter (website/content/docs/architecture/consensus.mdx deployment table)"),
        KeySpec("hostGroup", "string", default: "the Mesos masters' group", allowed: "An existing host group with at least `servers` hosts.",
                meaning: "Where the servers run (their hosts run an agent too).", source: "model choice: servers beside the masters, as the seed platform"),
        KeySpec("agents", "array of strings", default: "every Mesos agent host group", allowed: "Existing host groups, non-empty.",
                meaning: "Host groups whose hosts run a Consul agent (LAN members). Tasks on hosts without an agent are not registered.", source: "model choice: an agent on every Mesos agent host, as the seed platform"),
        KeySpec("config", "object, file or list", default: "Consul's defaults", allowed: "An object; a `.json` or `.hcl` file relative to the scenario's folder, read as Consul reads it; or a list of them, read in order (a later value wins). See `consul.config`. Every other key of Consul's agent configuration (`data_dir`, `server`, `bootstrap_expect`, `retry_join`, `acl`, `ports`, `telemetry`, ...; keys match without case) loads and is named in one warning; a key Consul does not have is its error, `invalid config key ...`.",
                meaning: "Consul's agent configuration, under Consul's own names; the keys below are modelled.",
                source: "hashicorp/consul:agent/config/config.go `Config` (at 00df40b9 and a later version with the `tls` stanza: their union), `Parse`"),
        KeySpec("flagsFrom", "array", default: "none", allowed: "`{\"commandLine\": \"consul agent -config-dir=/etc/consul.d -server ...\"}` (a string split as sh splits it, or its words), `{\"environmentFile\": \"path\"}` (its variables expand in the command line), `{\"root\": \"DIR\"}` (the deployed machine's `/`, where `-config-dir` and `-config-file` are read). Every flag of `consul agent` loads; `-dev` and a command other than `agent` are errors. See \"Consul's command line and config dir as deployed\".",
                meaning: "Consul's agent as deployed: its command line and the configuration files it reads, merged as Consul merges them; `config` is read after them and wins.",
                source: "hashicorp/consul:agent/config/flags.go `AddFlags` (0e907f5a, c9b5f08d), agent/config/builder.go `sourcesFromPath`, merge.go"),
        KeySpec("services", "object", default: "`{}`", allowed: "Keys: Marathon app ids (error for an unknown app); values: Consul service definition JSON, usually `{\"$include\": \"web.json\"}` (see below).",
                meaning: "How each app's tasks are registered: name, tags, checks."),
        KeySpec("registerAll", "boolean", default: "true", allowed: "true or false.",
                meaning: "Apps not listed in `services` are registered as registrator registers their containers: without checks, named after their app id (`/shop/web` → `shop-web`, see `serviceNaming`), unless their registrator metadata (SERVICE_* in `env` or Docker labels) says otherwise; false: not registered.", source: "model choice: registrator registers every container with a published port (gliderlabs/registrator@6bfadbc bridge/bridge.go)"),
        KeySpec("serviceNaming", "string", default: "\"appId\"", allowed: "\"appId\" or \"registrator\" (error otherwise).",
                meaning: "How `registerAll` names apps without a `services` entry. `appId`: after the app id (`/shop/web` → `shop-web`), one registration on the task's lowest host port; an app whose Docker container carries registrator's SERVICE_* metadata (`env`, Docker `label` parameters) is registered by registrator's rules with the app id as the default name. `registrator`: registrator's rules for every Docker app, the image's base name without its tag as the default name (`registry/web:1` → `web`), one registration per published port (`web-8080`, `web-8443` for several). SERVICE_NAME always wins (docs/consul.md, \"Registrator\").",
                source: "gliderlabs/registrator@6bfadbc bridge/bridge.go `newService` (defaultName); model choice: app-id names by default, so scenarios keep their service names"),
        KeySpec("registrator", "object", default: "none (registrator's default flags)", allowed: "See `consul.registrator`.",
                meaning: "Registrator's command line: how it deregisters a container that dies (`-deregister`), resyncs (`-resync`), removes dangling services (`-cleanup`), and which ports and tags it registers (`-internal`, `-explicit`, `-tags`). Given: every Docker app without a `services` entry is registered by registrator's rules (docs/consul.md \"Registrator as a process\").",
                source: "gliderlabs/registrator@6bfadbc registrator.go"),
        consulExactKey,
        KeySpec("kv", "object", default: "`{}`", allowed: "Keys: KV paths (a leading `/` is dropped, non-empty); values: strings of at most 512 KiB (Consul's limit); at most 100,000 keys.",
                meaning: "The KV store's contents, fixed for the run: what consul-template's `key`, `keyOrDefault`, `keyExists`, `ls`, `tree` read. A `key` that is not here blocks its template, as in consul-template (docs/discovery.md).",
                source: "hashicorp/consul:agent/config/default.go `limits.kv_max_value_size` (512 KiB); model choice: a static store"),
    ])

    /// An object of strings (`consul.kv`, `consulTemplate.environment`): every value a string, keys
    /// non-empty (a KV key's leading "/" dropped, as consul-template's keyRe does).
    static func decodeStringMap(_ v: JSONValue, path: String, what: String, maxValueBytes: Int, _ d: Diagnostics) -> [String: String] {
        guard let members = v.objectMembers else { d.error(path, at: v, typeMismatch("an object of strings, like {\"service/haproxy/maxconn\": \"256\"}", v)); return [:] }
        if members.count > 100_000 { d.error(path, at: v, "at most 100000 entries, got \(members.count)"); return [:] }
        var out: [String: String] = [:]
        for m in members {
            let p = JSONPath.key(path, m.key)
            var k = Substring(m.key)
            if what == "KV key", k.first == "/" { k = k.dropFirst() }
            guard !k.isEmpty else { d.error(p, location: m.keyLocation ?? m.value.location, "a \(what) must not be empty"); continue }
            guard let s = m.value.stringValue else { d.error(p, at: m.value, typeMismatch("a string", m.value)); continue }
            guard s.utf8.count <= maxValueBytes else { d.error(p, at: m.value, "value of \(s.utf8.count) bytes; at most \(maxValueBytes)"); continue }
            if out[String(k)] != nil { d.error(p, location: m.keyLocation ?? m.value.location, "\(what) \(JSONValue.quote(String(k))) given twice"); continue }
            out[String(k)] = s
        }
        return out
    }

    static let consulExactKey = KeySpec("exactChecks", "boolean", default: "false", allowed: "true or false.",
                                        meaning: "Run every check as an event, drawing each response time (the reference the computed mode is equal in distribution to; slow on large platforms).",
                                        source: "model choice (DESIGN.md: the exact mode behind a switch)")

    static let consulConfigKeys = SectionKeys("consul.config", [
        KeySpec("performance", "object", default: "`{\"raft_multiplier\": 5, \"rpc_hold_timeout\": \"7s\"}`", allowed: "`raft_multiplier`: integer 1..10 (Consul's MaxRaftMultiplier; error otherwise); `rpc_hold_timeout`: a duration >= 0.",
                meaning: "Scales Raft's timeouts: heartbeat and election timeout 1s × m, leader lease 500ms × m (5s, 5s, 2.5s by default); how long a server holds a request for a leader.",
                source: "hashicorp/consul:agent/consul/config.go `DefaultRaftMultiplier uint = 5` (since 0.7); hashicorp/raft:config.go DefaultConfig (1000ms, 1000ms, 500ms)"),
        KeySpec("gossip_lan", "object", default: "memberlist's LAN defaults", allowed: "See `consul.config.gossip_lan`.", meaning: "The LAN pool's failure detector."),
        KeySpec("reconnect_timeout", "duration", default: "72h", allowed: ">= 8h (Consul refuses less).", meaning: "A failed member is reaped (its node and services leave the catalog) this long after it failed.",
                source: "hashicorp/consul:agent/consul/config.go DefaultConfig `SerfLANConfig.ReconnectTimeout = 3 * 24 * time.Hour`"),
        KeySpec("datacenter", "string", default: "`dc1`", allowed: "Letters, digits, `-` and `_` (lower-cased, as Consul does); non-empty.",
                meaning: "The agents' datacenter: what consul-template's `nodes`, `node` and `datacenters` answer and the only `@dc` its queries may name (the simulator has one datacenter).",
                source: "hashicorp/consul:agent/config/default.go `datacenter = \"dc1\"`; agent/config/builder.go (lower-cased; Validate)"),
        KeySpec("check_update_interval", "duration", default: "5m", allowed: ">= 0.", meaning: "Output-only check changes are synced at most this often; status changes sync at once, so the model reads it but nothing depends on it.",
                source: "hashicorp/consul:agent/config/default.go `check_update_interval = \"5m\"`"),
        KeySpec("leave_on_terminate", "boolean", default: "true for client agents, false for servers", allowed: "true or false. Applies to the client agents; the servers never leave (a warning when true): a server leaving the Raft configuration is not modelled.",
                meaning: "Whether an agent leaves the LAN pool on SIGTERM (a `hostReboot`): true, the member leaves at once and the leader deregisters its node and services; false, it just stops and is detected as failed (suspect, dead: serfHealth critical), its services stay in the catalog, critical, until it rejoins.",
                source: "hashicorp/consul:agent/config/builder.go `leaveOnTerm := !b.boolVal(c.ServerMode)`; command/agent/agent.go `handleSignals`"),
        KeySpec("enable_script_checks", "boolean", default: "false", allowed: "true or false.",
                meaning: "Whether the agent accepts script checks registered through its HTTP API (registrator's SERVICE_CHECK_SCRIPT and SERVICE_CHECK_CMD). False: Consul refuses such a registration, registrator logs \"register failed\", the service is not registered (a warning when the scenario loads).",
                source: "hashicorp/consul:agent/config/default.go `enable_script_checks = false`; agent/agent.go \"Scripts are disabled on this agent\""),
        KeySpec("dns_config", "object", default: "`{\"allow_stale\": true, \"max_stale\": \"87600h\"}`", allowed: "See `consul.config.dns_config`.", meaning: "The DNS interface's settings (not modelled: they load and change nothing)."),
    ])

    static let consulPerformanceKeys = SectionKeys("consul.config.performance", [
        KeySpec("raft_multiplier", "integer", default: "5", allowed: "1..10.", meaning: "Raft timing multiplier.", source: "hashicorp/consul:agent/consul/config.go DefaultRaftMultiplier"),
        KeySpec("rpc_hold_timeout", "duration", default: "7s", allowed: ">= 0.", meaning: "Without a leader a server holds a request it must forward this long, then answers `No cluster leader`: an agent's sync held this long is committed at an election within it; consul-template's leader read fails after it.", source: "hashicorp/consul:agent/config/default.go `rpc_hold_timeout`; agent/consul/rpc.go `forward`"),
    ])

    static let consulGossipKeys = SectionKeys("consul.config.gossip_lan", [
        KeySpec("probe_interval", "duration", default: "1s", allowed: "> 0, at most 1m.", meaning: "Each member probes one member per interval (shuffled round robin).", source: "hashicorp/memberlist:config.go DefaultLANConfig `ProbeInterval`; hashicorp/consul:agent/config/default.go gossip_lan"),
        KeySpec("probe_timeout", "duration", default: "500ms", allowed: "> 0, at most `probe_interval` and 1m.", meaning: "Direct ack wait before the indirect probes.", source: "hashicorp/memberlist:config.go `ProbeTimeout`"),
        KeySpec("suspicion_mult", "integer", default: "4", allowed: "1..100.", meaning: "Suspicion timeout min = suspicion_mult × max(1, log10 N) × probe_interval; max = 6 × min; k = suspicion_mult − 2 confirmations.", source: "hashicorp/memberlist:config.go `SuspicionMult`, `SuspicionMaxTimeoutMult` 6"),
        KeySpec("retransmit_mult", "integer", default: "4", allowed: "1..100.", meaning: "Gossip retransmits (accepted; the spread time is modelled from gossip_interval and gossip_nodes).", source: "hashicorp/memberlist:config.go `RetransmitMult`"),
        KeySpec("gossip_interval", "duration", default: "200ms", allowed: "> 0, at most 1m.", meaning: "A suspect message reaches the first suspector after ⌈log(N)/log(gossip_nodes+1)⌉ gossip intervals.", source: "hashicorp/memberlist:config.go `GossipInterval`"),
        KeySpec("gossip_nodes", "integer", default: "3", allowed: "1..100.", meaning: "Members gossiped to per interval.", source: "hashicorp/memberlist:config.go `GossipNodes`"),
    ])

    static let consulDNSKeys = SectionKeys("consul.config.dns_config", [
        KeySpec("allow_stale", "boolean", default: "true", allowed: "true or false.", meaning: "Stale DNS answers (agent/dns.go reads it, nothing else): without a leader any server answers DNS queries. The simulator has no DNS, so it loads and changes nothing; HTTP reads (consul-template) are stale by their own max_stale.", source: "hashicorp/consul:agent/config/default.go dns_config"),
        KeySpec("max_stale", "duration", default: "87600h", allowed: ">= 0.", meaning: "How stale a DNS answer may be (DNS only; changes nothing in the simulator).", source: "hashicorp/consul:agent/config/default.go dns_config"),
    ])
}
