import ClusterModel
import SimKernel

// The `consulTemplate` section: consul-template's own configuration in its JSON form (the keys of
// its HCL file: `wait`, `max_stale`, `retry`, `template` stanzas ...), plus `queryLatency`, the
// simulator's one addition. consul-template's decoder rejects keys it does not know (mapstructure
// ErrorUnused), so unknown keys are errors here too; keys it knows that change nothing the
// simulator models (log_level, pid_file, perms ...) load with a warning. See docs/discovery.md.

extension ScenarioSchema {
    /// consul-template keys accepted and ignored (hashicorp/consul-template config/config.go, template.go).
    /// The mapstructure names of config.Config's fields at hashicorp/consul-template@1deacb7 (v0.42):
    /// `deduplicate` (not "dedup"), `nomad`; `once` is a command-line flag only, so a file with it is refused.
    static let consulTemplateIgnored = ["consul", "log_level", "pid_file", "syslog", "kill_signal", "reload_signal", "vault", "exec",
                                        "deduplicate", "default_delimiters", "log_file", "nomad", "template_error_fatal", "err_on_failed_lookup"]
    static let templateIgnored = ["perms", "backup", "create_dest_dirs", "user", "group", "sandbox_path", "function_denylist", "function_blacklist",
                                  "error_fatal", "uid", "gid"]

    /// The section's keys that are the simulator's, not consul-template's: they stay in the
    /// scenario, beside `config` (consul-template refuses them in its configuration file).
    static let consulTemplateOwnKeys = ["vaultServer", "environment", "queryLatency", "retry", "sourceFolders"]

    /// `config`: consul-template's configuration as it is deployed: one file (`{"$include":
    /// "consul-template.hcl"}`, HCL or JSON, decoded and flattened as consul-template's Parse
    /// does), several merged in order, or a folder of them (ConsulTemplateConfigFiles.swift): its
    /// keys join the section's. A key given in both, or a simulator key in the file, is an error.
    /// Also returns, when the templates come from the configuration, the real folder of the file
    /// each one is in.
    static func mergeConsulTemplateConfig(_ v: JSONValue, path: String, _ d: Diagnostics) -> (value: JSONValue, templateDirectories: [String?]?) {
        guard let members = v.objectMembers else { return (v, nil) }
        let ci = members.firstIndex { $0.key == "config" }
        let fi = members.firstIndex { $0.key == "flagsFrom" }
        guard ci != nil || fi != nil else { return (v, nil) }
        var out = members.filter { $0.key != "config" && $0.key != "flagsFrom" }
        let cp = JSONPath.key(path, "config")
        let site = members[ci ?? fi!]
        // consul-template's command line (ConsulTemplateFlags.swift): its -config files, and the
        // configuration its other flags set, merged over the files as cli.go's loadConfigs does
        var flags: ConsulTemplateDeployedFlags? = nil
        var failed = false
        if let fi {
            flags = consulTemplateDeployedFlags(members[fi].value, path: JSONPath.key(path, "flagsFrom"), d)
            if flags == nil { failed = true }
        }
        var parts: [ConsulTemplateConfigPart] = []
        if let ci {
            if let p = consulTemplateConfigParts(members[ci].value, path: cp, d) { parts = p } else { failed = true }
        }
        if let f = flags, !f.configPaths.isEmpty {
            if ci != nil {
                d.error(f.path, location: f.configPaths[0].location ?? f.value?.location, "-config on the command line and consulTemplate.config (at \(cp)) both give consul-template's configuration files; give them once")
                failed = true
            } else if let p = consulTemplateFlagConfigParts(f, sourceFolders: members.first { $0.key == "sourceFolders" }?.value, d) {
                parts = p
            } else { failed = true }
        }
        if failed {
            // no second error for the keys the configuration would have given
            if !out.contains(where: { $0.key == "template" }) {
                out.append(JSONMember(key: "template", keyLocation: site.keyLocation, value: JSONValue(.null, location: site.value.location)))
            }
            return (JSONValue(.object(out), location: v.location), nil)
        }
        var (merged, dirs) = parts.isEmpty ? ([JSONMember](), [String?]()) : { let m = mergeConsulTemplateConfigParts(parts); return (m.value.objectMembers ?? [], m.templateDirectories) }()
        // Config.Merge of the flags' configuration over the files': templates appended, a block
        // field by field, any other key the flags set wins
        var flagKeys = Set<String>()
        for m in flags?.members ?? [] {
            flagKeys.insert(m.key)
            if let i = merged.firstIndex(where: { $0.key == m.key }) {
                if m.key == "template" {
                    let list = (merged[i].value.arrayValue ?? [merged[i].value]) + (m.value.arrayValue ?? [])
                    dirs += Array(repeating: nil, count: m.value.arrayValue?.count ?? 0)
                    merged[i] = JSONMember(key: m.key, keyLocation: merged[i].keyLocation, value: JSONValue(.array(list), location: merged[i].value.location))
                } else {
                    merged[i] = JSONMember(key: m.key, keyLocation: m.keyLocation, value: mergeBlock(merged[i].value, m.value))
                }
            } else {
                if m.key == "template" { dirs += Array(repeating: nil, count: m.value.arrayValue?.count ?? 0) }
                merged.append(m)
            }
        }
        var fromConfig = false
        for m in merged {
            let fromFlags = flagKeys.contains(m.key)
            let p = fromFlags ? flags!.path : JSONPath.key(cp, m.key)
            if consulTemplateOwnKeys.contains(m.key) {
                let why = m.key == "retry" ? "consul-template has no top-level retry (its query retries are consul { retry { ... } }, read as this policy)"
                                           : "it is the simulator's own key, not consul-template's (consul-template refuses it in its configuration)"
                d.error(p, location: m.keyLocation ?? m.value.location, "\(JSONValue.quote(m.key)) in consul-template's configuration: \(why); give consulTemplate.\(m.key) in the scenario, beside \"config\"")
            } else if let other = out.first(where: { $0.key == m.key }) {
                let where_ = fromFlags ? "consul-template's command line" : "consul-template's configuration"
                d.error(p, location: m.keyLocation ?? m.value.location, "\(JSONValue.quote(m.key)) is given both in \(where_) and in the section (at \(JSONPath.key(path, m.key))\(other.keyLocation.map { ", " + $0.description } ?? "")); give it once")
            } else {
                if m.key == "template" { fromConfig = true }
                out.append(m)
            }
        }
        return (JSONValue(.object(out), location: v.location), fromConfig ? dirs : nil)
    }

    static func decodeConsulTemplate(_ v: JSONValue, path: String, consul: ConsulSpec?, nginx: NginxSpec?, consulGiven: Bool, nginxGiven: Bool,
                                     apps: [AppDefinition] = [], hostGroups: [HostGroupSpec] = [], hostGroupsComplete: Bool = true,
                                     _ d: Diagnostics) -> ConsulTemplateSpec? {
        // templates that come from a configuration file may have theirs beside it
        let beforeMerge = d.errorCount
        let (v, templateDirectories) = mergeConsulTemplateConfig(v, path: path, d)
        let r = ObjectReader(v, path: path, diagnostics: d, keys: consulTemplateKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        if !consulGiven { d.error(path, at: v, "consulTemplate needs a \"consul\" section: consul-template reads the service catalog from Consul") }
        if !nginxGiven { d.error(path, at: v, "consulTemplate needs an \"nginx\" section: consul-template runs next to each nginx and reloads it") }
        var out = ConsulTemplateSpec()
        if let w = decodeWait(r, "wait") { out.wait = w }
        if let x = r.optional("max_stale", .duration(.nonNegative)) { out.maxStale = x }
        if let x = r.optional("block_query_wait", .duration(.positive)) {
            // consul (agent/structs) caps a blocking query's wait at 10 minutes
            if x > .minutes(10) { d.error(r.keyPath("block_query_wait"), at: r.value["block_query_wait"], "block_query_wait must be at most 10m (Consul's maximum query wait), got \(x)") } else { out.blockQueryWait = x }
        }
        if let rv = r.value("retry") { decodeRetry(rv, path: r.keyPath("retry"), into: &out.retry, d) }
        let folders = r.value("sourceFolders").map { decodeSourceFolders($0, path: r.keyPath("sourceFolders"), d) } ?? []
        if let x = r.optional("queryLatency", .duration(.positive)) {
            if x > .seconds(10) { d.error(r.keyPath("queryLatency"), at: r.value["queryLatency"], "queryLatency must be at most 10s, got \(x)") } else { out.queryLatency = x }
        }
        if let vv = r.value("vaultServer") { out.vault = decodeVaultServer(vv, path: r.keyPath("vaultServer"), hostGroups: hostGroups, hostGroupsComplete: hostGroupsComplete, d) }
        let env = r.value("environment").map { decodeStringMap($0, path: r.keyPath("environment"), what: "variable name", maxValueBytes: 128 * 1024, d) } ?? [:]
        out.inputs = TemplateInputs(kv: consul?.kv ?? [:], environment: env)
        out.inputs.datacenter = consul?.config.datacenter ?? "dc1"
        var tags: [String: [String]] = [:]
        if let byName = consul?.tagsByServiceName(apps: apps) { for (n, t) in zip(byName.names, byName.tags) { tags[n] = t } }
        if let tv = r.value["template"], tv.isNull, d.errorCount > beforeMerge {
            _ = r.value("template")
            // the configuration could not be read (its error is recorded)
        } else if let tv = r.value("template") {
            let tp = r.keyPath("template")
            let nginxIncludes = NginxIncludes.includes(in: nginx?.configuration ?? "")
            if let a = tv.arrayValue, !a.isEmpty {
                for (i, e) in a.enumerated() {
                    if let t = decodeTemplateStanza(e, path: JSONPath.index(tp, i), inputs: out.inputs, serviceTags: tags, vault: out.vault,
                                                     sources: TemplateSources(folders: folders, configDirectory: templateDirectories.flatMap { i < $0.count ? $0[i] : nil }),
                                                     nginxIncludes: nginxIncludes, d) {
                        if out.templates.contains(where: { $0.destination == t.destination }) {
                            d.error(JSONPath.key(JSONPath.index(tp, i), "destination"), at: e["destination"], "two templates write \(JSONValue.quote(t.destination))")
                        } else { out.templates.append(t) }
                    }
                }
            } else { d.error(tp, at: tv, typeMismatch("a non-empty array of template stanzas, like [{\"source\": \"nginx.ctmpl\", \"destination\": \"/etc/nginx/conf.d/app.conf\", \"command\": \"nginx -s reload\"}]", tv)) }
            if d.errorCount == before, let a = tv.arrayValue, a.count == out.templates.count { checkWaitLoop(out, r, tp, a, d) }
        } else {
            d.error(path, at: v, "missing required key \"template\" (the templates consul-template renders for nginx)")
        }
        let beforeIgnored = d.errorCount
        warnIgnored(r, consulTemplateIgnored, d)
        if d.errorCount == beforeIgnored { mapConsulRetry(v, path: path, scenarioRetry: r.has("retry"), into: &out.retry, d) }
        r.finish()
        return d.errorCount == before ? out : nil
    }

    /// The keys of consul-template's blocks the simulator ignores (hashicorp/consul-template@1deacb7
    /// config/consul.go, auth.go, retry.go, ssl.go, transport.go, dedup.go, exec.go, env.go,
    /// syslog.go, logfile.go, default_delimiters.go, nomad.go, vault.go: mapstructure tags, or the
    /// field's name where it has none; mapstructure matches them without case). Its decode has
    /// ErrorUnused, so a key they do not have fails the whole file ("invalid keys").
    static let ctRetry = ConsulServiceFile.Shape.object(Dictionary(uniqueKeysWithValues: ["attempts", "backoff", "max_backoff", "enabled"].map { ($0, .leaf) }))
    static let ctSSL = ConsulServiceFile.Shape.object(Dictionary(uniqueKeysWithValues:
        ["ca_cert", "ca_cert_bytes", "ca_path", "cert", "enabled", "key", "server_name", "verify"].map { ($0, .leaf) }))
    static let ctTransport = ConsulServiceFile.Shape.object(Dictionary(uniqueKeysWithValues:
        ["dial_keep_alive", "dial_timeout", "disable_keep_alives", "idle_conn_timeout", "max_idle_conns", "max_idle_conns_per_host",
         "max_conns_per_host", "tls_handshake_timeout"].map { ($0, .leaf) }))
    static let ctExec = ConsulServiceFile.Shape.object(Dictionary(uniqueKeysWithValues:
        ["command", "enabled", "kill_signal", "kill_timeout", "reload_signal", "splay", "timeout"].map { ($0, ConsulServiceFile.Shape.leaf) }
        + [("env", .object(Dictionary(uniqueKeysWithValues: ["denylist", "blacklist", "custom", "pristine", "allowlist", "whitelist"].map { ($0, .leaf) })))]))
    static func ctLeaves(_ keys: [String], _ more: [(String, ConsulServiceFile.Shape)] = []) -> ConsulServiceFile.Shape {
        .object(Dictionary(uniqueKeysWithValues: keys.map { ($0, ConsulServiceFile.Shape.leaf) } + more))
    }
    static let consulTemplateBlockShapes: [String: ConsulServiceFile.Shape] = [
        "consul": ctLeaves(["address", "namespace", "token", "token_file"],
                           [("auth", ctLeaves(["enabled", "username", "password"])), ("retry", ctRetry), ("ssl", ctSSL), ("transport", ctTransport)]),
        "vault": ctLeaves(["address", "enabled", "namespace", "renew_token", "token", "vault_agent_token_file", "unwrap_token", "client_user_agent",
                           "default_lease_duration", "lease_renewal_threshold", "k8s_auth_role_name", "k8s_service_account_token_path",
                           "k8s_service_account_token", "k8s_service_mount_path"],
                          [("retry", ctRetry), ("ssl", ctSSL), ("transport", ctTransport)]),
        "nomad": ctLeaves(["address", "enabled", "namespace", "token", "auth_username", "auth_password"],
                          [("retry", ctRetry), ("ssl", ctSSL), ("transport", ctTransport)]),
        "deduplicate": ctLeaves(["enabled", "max_stale", "prefix", "ttl", "block_query_wait"]),
        "exec": ctExec,
        "syslog": ctLeaves(["enabled", "facility", "name"]),
        "log_file": ctLeaves(["path", "log_rotate_bytes", "log_rotate_duration", "log_rotate_max_files"]),
        "default_delimiters": ctLeaves(["left", "right"]),
    ]

    /// `consul { retry { ... } }`: consul-template's retry of its Consul queries
    /// (config/consul.go `Retry`, config/retry.go) is the policy the section's `retry` models, so
    /// it is read into it. Given both here and as the scenario's `retry` it is an error (each
    /// consul-template key is given once).
    static func mapConsulRetry(_ v: JSONValue, path: String, scenarioRetry: Bool, into out: inout ConsulTemplateRetry, _ d: Diagnostics) {
        guard let consul = v.objectMembers?.first(where: { $0.key == "consul" }).map({ ConsulServiceFile.unslice($0.value) }),
              let m = consul.objectMembers?.first(where: { $0.key.lowercased() == "retry" }) else { return }
        let p = JSONPath.key(JSONPath.key(path, "consul"), m.key)
        if scenarioRetry {
            d.error(p, location: m.keyLocation ?? m.value.location, "consul-template's Consul retry is given both in consul { retry { } } and as the section's \"retry\" (at \(JSONPath.key(path, "retry"))); give it once")
            return
        }
        let rv = ConsulServiceFile.unslice(m.value)
        // mapstructure matches the keys without case
        let lowered = rv.objectMembers.map { ms in JSONValue(.object(ms.map { JSONMember(key: $0.key.lowercased(), keyLocation: $0.keyLocation, value: $0.value) }), location: rv.location) } ?? rv
        decodeRetry(lowered, path: p, into: &out, d)
    }

    static func warnIgnored(_ r: ObjectReader, _ ignored: [String], _ d: Diagnostics) {
        for (m, suggestion) in r.takeUnread() {
            let p = r.keyPath(m.key)
            if ignored.contains(m.key) {
                if let shape = consulTemplateBlockShapes[m.key], m.value.objectMembers != nil {
                    ConsulServiceFile.checkShape(m.value, shape, path: p, dotted: m.key, d, reason: "consul-template refuses unknown keys")
                }
                if m.key == "consul", ConsulServiceFile.unslice(m.value).objectMembers?.contains(where: { $0.key.lowercased() == "retry" }) == true {
                    d.warning(p, at: m.value, "consul-template accepts \"consul\"; its retry is read as the section's retry policy (consulTemplate.retry), the rest changes nothing the simulator models and is ignored")
                } else {
                    d.warning(p, at: m.value, "consul-template accepts \(JSONValue.quote(m.key)); it changes nothing the simulator models and is ignored")
                }
            } else {
                d.error(p, location: m.keyLocation ?? m.value.location, "unknown key \(JSONValue.quote(m.key)) (consul-template rejects it too)"
                        + (suggestion.map { "; did you mean \(JSONValue.quote($0))?" } ?? ""))
            }
        }
    }

    /// The shortest `wait.min` when two or more templates wait.
    static let minLoopWait = SimDuration.milliseconds(100)

    /// consul-template runs every template whenever one template's quiescence timer fires
    /// (manager/runner.go: the fired timer is deleted, then Run executes all templates and ticks
    /// the timers of the others): with two or more templates waiting, their timers re-arm each
    /// other and each template is executed again every `min` even when nothing changes
    /// (hashicorp/consul-template issues #1140, #1195, #994). The simulator runs that loop as it
    /// is, an execution per `min`; a 1ns `min` would be 10^9 executions per simulated second, so
    /// below `minLoopWait` the scenario is refused at the first template that waits that little.
    static func checkWaitLoop(_ spec: ConsulTemplateSpec, _ r: ObjectReader, _ tp: String, _ stanzas: [JSONValue], _ d: Diagnostics) {
        func effective(_ i: Int) -> ConsulTemplateWait {
            if let w = spec.templates[i].wait, w.enabled { return w }
            return spec.wait
        }
        let waiting = spec.templates.indices.filter { effective($0).enabled }
        guard waiting.count >= 2, let i = waiting.first(where: { effective($0).min < minLoopWait }) else { return }
        let own = spec.templates[i].wait?.enabled == true
        let path = own ? JSONPath.key(JSONPath.index(tp, i), "wait") : r.keyPath("wait")
        d.error(path, at: own ? stanzas[i]["wait"] : r.value("wait"),
                "wait min \(effective(i).min) with \(waiting.count) templates waiting: consul-template runs every template when "
                + "any one's quiescence timer fires, so the timers re-arm each other and every template is executed again every "
                + "min even when nothing changes (consul-template issues #1140, #1195); below \(minLoopWait) that loop is more "
                + "steps than the simulator takes in reasonable time; use a min of at least \(minLoopWait), or a wait on one template only")
    }

    /// `wait`: {"min": "5s", "max": "10s"} or "5s:10s" or "5s" (max = 4 x min; config/wait.go).
    static func decodeWait(_ r: ObjectReader, _ key: String) -> ConsulTemplateWait? {
        guard let v = r.value(key) else { return nil }
        let p = r.keyPath(key), d = r.diagnostics
        var min: SimDuration?, max: SimDuration?
        if let s = v.stringValue {
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2, let a = GoDuration.parse(String(parts[0])), a >= .zero else {
                d.error(p, at: v, "expected \"MIN\" or \"MIN:MAX\" Go durations, like \"5s:10s\" (consul-template's -wait syntax), got \(v.brief)")
                return nil
            }
            min = a
            if parts.count == 2 {
                guard let b = GoDuration.parse(String(parts[1])), b >= .zero else { d.error(p, at: v, "expected \"MIN:MAX\" Go durations, like \"5s:10s\", got \(v.brief)"); return nil }
                max = b
            }
        } else if v.objectMembers != nil {
            let w = ObjectReader(v, path: p, diagnostics: d, keys: waitKeys)
            min = w.optional("min", .duration(.nonNegative))
            max = w.optional("max", .duration(.nonNegative))
            // config/wait.go: WaitConfig.Enabled is tagged mapstructure:"bool", so a file's
            // `enabled` is an unused key, which consul-template's decode refuses (ErrorUnused)
            if let e = v.objectMembers?.first(where: { $0.key == "enabled" }) {
                d.error(JSONPath.key(p, "enabled"), location: e.keyLocation ?? e.value.location,
                        "consul-template refuses wait.enabled (its WaitConfig field is named \"bool\"; it is derived from min by Finalize): leave it out")
                _ = w.value("enabled")
            }
            w.finish()
            if min == nil && max == nil && v.objectMembers?.isEmpty == false { return nil }
        } else {
            d.error(p, at: v, typeMismatch("a wait object {\"min\": \"5s\", \"max\": \"10s\"} or a string \"5s:10s\"", v))
            return nil
        }
        let lo = min ?? .zero
        let hi = max ?? SimDuration(nanoseconds: lo.nanoseconds.multipliedReportingOverflow(by: 4).overflow ? .max : lo.nanoseconds * 4)
        if hi < lo { d.error(p, at: v, "wait max (\(hi)) must not be less than min (\(lo))"); return nil }
        if lo > .hours(24) { d.error(p, at: v, "wait min must be at most 24h, got \(lo)"); return nil }
        if hi > .hours(96) { d.error(p, at: v, "wait max must be at most 96h, got \(hi)"); return nil }
        return ConsulTemplateWait(min: lo, max: hi)
    }

    static func decodeRetry(_ v: JSONValue, path: String, into out: inout ConsulTemplateRetry, _ d: Diagnostics) {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: retryKeys)
        guard r.isObject else { return }
        if let x = r.optional("enabled", .bool) { out.enabled = x }
        if let x = r.optional("attempts", .int(min: 0, max: 1_000_000)) { out.attempts = x }
        if let x = r.optional("backoff", .duration(.positive)) { out.backoff = x }
        if let x = r.optional("max_backoff", .duration(.nonNegative)) { out.maxBackoff = x }
        if out.backoff > .hours(1) { d.error(r.keyPath("backoff"), at: r.value["backoff"], "retry backoff must be at most 1h, got \(out.backoff)") }
        if out.maxBackoff > .hours(24) { d.error(r.keyPath("max_backoff"), at: r.value["max_backoff"], "retry max_backoff must be at most 24h, got \(out.maxBackoff)") }
        r.finish()
    }

    /// `sourceFolders`: absolute folder on consul-template's host → folder relative to the
    /// scenario; longest first, so the longest prefix wins.
    static func decodeSourceFolders(_ v: JSONValue, path: String, _ d: Diagnostics) -> [(prefix: String, folder: String)] {
        guard let ms = v.objectMembers else {
            d.error(path, at: v, typeMismatch("an object mapping absolute folders on consul-template's host to folders relative to the scenario, like {\"/etc/consul-template/templates\": \"templates\"}", v))
            return []
        }
        var out: [(prefix: String, folder: String)] = []
        for m in ms {
            let p = JSONPath.key(path, m.key)
            guard m.key.hasPrefix("/") else {
                d.error(p, location: m.keyLocation ?? m.value.location, "\(JSONValue.quote(m.key)) must be an absolute folder on consul-template's host, like \"/etc/consul-template/templates\""); continue
            }
            guard let f = m.value.stringValue, !f.isEmpty else { d.error(p, at: m.value, typeMismatch("a folder relative to the scenario, like \"templates\"", m.value)); continue }
            let rel = Paths.normalize(f)
            if f.hasPrefix("/") || !(rel == "." || Paths.isInside(rel, ".")) {
                d.error(p, at: m.value, "\(JSONValue.quote(f)) must be a folder relative to the scenario's folder, inside it"); continue
            }
            let prefix = Paths.normalize(m.key)
            if out.contains(where: { $0.prefix == prefix }) { d.error(p, location: m.keyLocation ?? m.value.location, "the folder \(JSONValue.quote(prefix)) is mapped twice"); continue }
            out.append((prefix, rel))
        }
        return out.sorted { $0.prefix.count != $1.prefix.count ? $0.prefix.count > $1.prefix.count : $0.prefix < $1.prefix }
    }

    static let consulTemplateKeys = SectionKeys("consulTemplate", [
        KeySpec("config", "object, array or string", default: "absent", allowed: "consul-template's configuration, usually `{\"$include\": \"consul-template.hcl\"}` (HCL or JSON); a list of them, or a folder of them relative to the scenario (`\"consul-template.d\"`, every file in lexical order), merged as consul-template merges its `-config` files; its keys are this section's consul-template keys, each given once (here or in the file); the simulator's keys (`vaultServer`, `environment`, `queryLatency`, `retry`, `sourceFolders`) are refused in it; its `consul { retry { } }` is the section's `retry`.",
                meaning: "The configuration file consul-template is deployed with, read as consul-template reads it (hcl.Decode, blocks flattened): see docs/discovery.md \"consul-template configuration files\".",
                source: "hashicorp/consul-template:config/config.go `Parse`"),
        KeySpec("flagsFrom", "array", default: "absent", allowed: "A list of `{\"commandLine\": \"consul-template -config /etc/consul-template/config.hcl -wait 2s:10s\"}` (split as sh splits it, `$VAR` from the environment files; or a list of words; the program words before the first flag are skipped; one command line) and `{\"environmentFile\": \"path\"}` (shell assignments, relative to the scenario's folder).",
                meaning: "consul-template's command line as deployed, parsed as its cli.go parses it (Go's flag package): `-template`, `-wait`, `-max-stale`, `-consul-retry*`, `-retry` set what the configuration file's keys set, merged over the `-config` files (read through `sourceFolders`; not together with `config`); every other flag loads and is named in one warning; `-dry`, `-once`, `-parse-only`, `-v`, `-h` are refused. A key both the command line and the section give is an error. See docs/discovery.md \"consul-template's command line\".",
                source: "hashicorp/consul-template:cli.go `ParseFlags`, `loadConfigs`; flags.go"),
        KeySpec("sourceFolders", "object", default: "`{}`", allowed: "Absolute folders on consul-template's host → folders relative to the scenario, inside its folder.",
                meaning: "The simulator's own key: where an absolute template `source` (`/etc/consul-template/templates/nginx.ctmpl`) is read from, the longest matching folder winning; a source no folder maps is read beside the configuration file (`config`), else it is an error. See docs/discovery.md \"Template sources and commands of a deployed file\"."),
        KeySpec("vaultServer", "object", default: "absent (no Vault: templates that read it never render)", allowed: "See `consulTemplate.vaultServer`.",
                meaning: "The simulator's own key: a Vault server holding KV secrets (version 1, or 2 per mount), which `secret` and `secrets` read and `vaultWrite` actions change (docs/discovery.md, \"Templates that read Vault\" and \"Secrets that change\")."),
        KeySpec("environment", "object", default: "`{}`", allowed: "Variable names → string values (at most 128 KiB each).",
                meaning: "consul-template's environment, read by `env` (an unset variable is \"\", as os.Getenv), `envOrDefault`, `mustEnv`. The simulator's own key: consul-template reads its process's environment.",
                source: "hashicorp/consul-template:template/funcs.go envFunc"),
        KeySpec("template", "array", default: "—", allowed: "See `consulTemplate.template[i]`; at least one, destinations distinct.",
                meaning: "The templates each consul-template renders; nginx reads the destinations its configuration includes (`/etc/nginx/conf.d/*.conf`, `/etc/nginx/sites-enabled/*`, `/etc/nginx/nginx.conf`), others are files on the host."),
        KeySpec("wait", "object or string", default: "disabled", allowed: "`{\"min\": D, \"max\": D}`, `\"MIN:MAX\"` or `\"MIN\"` (max = 4 x min); max >= min; min >= `100ms` when two or more templates wait.",
                meaning: "Quiescence for every template without its own: render `min` after the last change, at most `max` after the first.",
                source: "hashicorp/consul-template:config/wait.go `DefaultWaitConfig`, `Finalize`, `ParseWaitConfig`"),
        KeySpec("max_stale", "duration", default: "`2s`", allowed: ">= 0.", meaning: "Stale reads allowed from any server (the catalog decides who can answer).",
                source: "hashicorp/consul-template:config/config.go `DefaultMaxStale`"),
        KeySpec("block_query_wait", "duration", default: "`60s`", allowed: "> 0, at most `10m`.",
                meaning: "How long a blocking query waits for a change; a timeout with no change carries no news and is not simulated.",
                source: "hashicorp/consul-template:config/config.go `DefaultBlockQueryWaitTime`"),
        KeySpec("retry", "object", default: "see `consulTemplate.retry`", allowed: "See `consulTemplate.retry`.",
                meaning: "Back-off of a query that failed (no server answered).", source: "hashicorp/consul-template:config/retry.go"),
        KeySpec("queryLatency", "duration", default: "`1ms`", allowed: "> 0, at most `10s`.",
                meaning: "Simulator key: from the servers committing a change to the blocking query's answer reaching consul-template (server response and agent forward on the LAN).",
                source: "model choice: one LAN round trip"),
    ])

    static let waitKeys = SectionKeys("consulTemplate.wait", [
        KeySpec("min", "duration", default: "`0s` (disabled)", allowed: ">= 0, at most `24h`.", meaning: "Quiet time after the last change before rendering.",
                source: "hashicorp/consul-template:config/wait.go"),
        KeySpec("max", "duration", default: "4 x `min`", allowed: ">= `min`, at most `96h`.", meaning: "Longest wait after the first change.",
                source: "hashicorp/consul-template:config/wait.go `Finalize`"),
        KeySpec("enabled", "bool", default: "`min` > 0", allowed: "Refused, as consul-template refuses it (the field is tagged `bool`; derived from `min`).", meaning: "",
                source: "hashicorp/consul-template:config/wait.go `WaitConfig`, `Finalize`"),
    ])

    static let retryKeys = SectionKeys("consulTemplate.retry", [
        KeySpec("enabled", "bool", default: "`true`", allowed: "true or false.", meaning: "Retry failed queries at all (false: the first failure ends consul-template).",
                source: "hashicorp/consul-template:config/retry.go `Finalize`"),
        KeySpec("attempts", "integer", default: "`12`", allowed: "0 (unlimited) to 1000000.", meaning: "Retries before consul-template gives up and exits.",
                source: "hashicorp/consul-template:config/retry.go `DefaultRetryAttempts`"),
        KeySpec("backoff", "duration", default: "`250ms`", allowed: "> 0, at most `1h`.", meaning: "Sleep before retry n (0-based) is backoff x 2^n ...",
                source: "hashicorp/consul-template:config/retry.go `DefaultRetryBackoff`, `RetryFunc`"),
        KeySpec("max_backoff", "duration", default: "`1m`", allowed: ">= 0 (0: no cap), at most `24h`.",
                meaning: "... capped at max_backoff once n > floor(log2(max_backoff / backoff)).",
                source: "hashicorp/consul-template:config/retry.go `DefaultRetryMaxBackoff`, `RetryFunc`"),
    ])
}
