import ClusterModel
import SimKernel

// The `marathonLB` section (issue 12): marathon-lb instances per HAPROXY_GROUP, its flags under
// their command-line names (marathon_lb.py get_arg_parser, v1.5–1.11), how it follows Marathon,
// the HAProxy version; and marathon-lb's refusals of the Marathon apps' HAPROXY_* labels.
// Defaults and their sources: docs/marathon-lb.md (generated tables).

extension ScenarioSchema {
    /// marathon-lb instances a scenario may run in all (docs/scenarios.md, Limits): a fluid step goes through
    /// every instance's frontend, so a run costs instances x steps (flash-crowd.json with 4,096: about 16 CPU s).
    public static let maxMarathonLBInstances = 4096

    static func decodeMarathonLB(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool, marathon: MarathonSpec?,
                                 duration: SimDuration? = nil, _ d: Diagnostics) -> MarathonLBSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: marathonLBKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        var spec = MarathonLBSpec()
        var ownGroup: [Bool] = []      // per decoded instance: it names its group
        if let iv = r.value("instances") {
            if let list = iv.arrayValue, !list.isEmpty {
                for (k, e) in list.enumerated() {
                    if let x = decodeMarathonLBInstance(e, path: JSONPath.index(r.keyPath("instances"), k), hostGroups: hostGroups,
                                                        complete: hostGroupsComplete, d) { spec.instances.append(x); ownGroup.append(e["group"] != nil) }
                }
            } else { d.error(r.keyPath("instances"), at: iv, typeMismatch("a non-empty array of {\"hosts\": [...] or \"hostGroup\": \"lb\", \"group\": \"external\"}", iv)) }
            let total = spec.instances.reduce(0) { $0 + $1.hosts.count }
            if total > maxMarathonLBInstances {
                d.error(r.keyPath("instances"), at: iv, "\(total) marathon-lb instances (one per host of each entry); at most \(maxMarathonLBInstances) are allowed: the traffic steps through every instance's frontend at every tick it recomputes, so a run's cost grows with their number (docs/scenarios.md, Limits)")
            }
        } else {
            d.error(r.keyPath("instances"), at: v, "missing: marathon-lb needs at least one instance, like [{\"hostGroup\": \"lb\", \"group\": \"external\"}]")
        }
        // the release: the scenario's `version`, else the tag of the Marathon app's image (flagsFrom)
        var explicit: MarathonLBVersion? = nil
        if let vv = r.value("version") {
            if let x: MarathonLBVersion = decodeReleaseVersion(vv, path: r.keyPath("version"), system: "marathon-lb", examples: "\"1.11.0\", \"1.14.2\"",
                                                                short: "\"1.14.2\"", d) {
                if x.isRelease { explicit = x } else {
                    d.error(r.keyPath("version"), at: vv, "marathon-lb \(x) is no release (its tags: \(MarathonLBVersion.releases.map(\.description).joined(separator: ", ")))")
                }
            }
        }
        // flags as deployed (MarathonLBFlags.swift), then the scenario's own options over them
        var deployed = MarathonLBDeployed()
        deployed.version = explicit ?? .baseline
        if let fv = r.value("flagsFrom") {
            if let x = marathonLBDeployedFlags(fv, path: r.keyPath("flagsFrom"), version: explicit, d) { deployed = x }
        }
        let version = deployed.version
        spec.version = version
        let own = r.value("flags")
        var flagGroups: [String]? = nil
        if own != nil || !deployed.members.isEmpty {
            let ownMembers = own?.objectMembers ?? []
            let ownNames = Set(ownMembers.compactMap { m -> String? in
                if case .option(let o, _, nil) = MarathonLBArgparse.resolve(m.key, version) { return o.long }
                return nil
            })
            let merged: JSONValue
            if let own, own.objectMembers == nil { merged = own }     // the decoder's type error
            else { merged = JSONValue(.object(deployed.members.filter { !ownNames.contains($0.key) } + ownMembers), location: own?.location ?? r.value("flagsFrom")?.location) }
            // the path of the options: the scenario's object, else the deployed sources
            let (groups, sse) = decodeMarathonLBFlags(merged, path: r.keyPath(own != nil ? "flags" : "flagsFrom"), into: &spec.flags, version: version, d)
            flagGroups = groups
            if sse && deployed.mode == nil { deployed.mode = .sse }
        }
        if deployed.commandLineGiven && flagGroups == nil {
            d.error(r.keyPath("flagsFrom"), at: r.value("flagsFrom"), "marathon_lb.py: error: argument --group is required: pleasespecify at least one group name (marathon-lb's own words; it does not start without --group)")
        }
        if let g = flagGroups {
            // `--group` is every instance's that does not name its own
            for k in spec.instances.indices where !ownGroup[k] { spec.instances[k].groups = g }
        }
        if let m = r.optional("mode", .oneOf(["sse", "poll"], what: "mode")) {
            spec.mode = MarathonLBMode(rawValue: m) ?? .sse
            if let dm = deployed.mode, dm != spec.mode {
                d.error(r.keyPath("mode"), at: r.value("mode"), "\(JSONValue.quote(m)) contradicts the deployed command line, which runs marathon-lb in \(dm.rawValue) mode (\(dm == .sse ? "`run sse` or --sse" : "`run poll`, or marathon_lb.py without --sse"))")
            }
        } else if let dm = deployed.mode { spec.mode = dm }
        let pollCheck = ValueDecoder<SimDuration>.duration(.positive).check {
            $0 >= .seconds(1) && $0 <= .hours(24) ? nil : "must be 1s..24h, got \($0)"
        }
        if let p = r.optional("pollInterval", pollCheck) { spec.pollInterval = p }
        else if let (x, loc) = deployed.pollInterval {
            if x >= .seconds(1) && x <= .hours(24) { spec.pollInterval = x }
            else { d.error(r.keyPath("flagsFrom"), location: loc, "POLL_INTERVAL \(x): the simulator polls every 1s..24h") }
        }
        // the image's HAProxy (its Dockerfile) unless given
        (spec.haproxyMajor, spec.haproxyMinor) = version.imageHAProxy
        if let hv = r.optional("haproxyVersion", .string.check { MarathonLBSection.version($0) == nil ? "expected a HAProxy version major.minor like \"1.7\" or \"2.6\" (1.5 or later), got \(JSONValue.quote($0))" : nil }),
           let ver = MarathonLBSection.version(hv) {
            spec.haproxyMajor = ver.major; spec.haproxyMinor = ver.minor
            if version.seamlessReload && ver.major == 1 && ver.minor < 8 {
                d.error(r.keyPath("haproxyVersion"), at: r.value("haproxyVersion"), "marathon-lb \(version) runs `haproxy -W -f haproxy.cfg -x /var/run/haproxy/socket` (service/haproxy/run) and its HAPROXY_HEAD has `stats socket ... expose-fd listeners`: master-worker mode and socket transfer, which HAProxy \(hv) does not have (from 1.8); give 1.8 or later (its image: \(version.imageHAProxyText)), or a marathon-lb release before 1.12.0")
            }
        }
        if let x = r.optional("somaxconn", .int(min: 1, max: 65535)) { spec.somaxconn = x }
        if let fv = r.value("reloadFailures") {
            if let list = fv.arrayValue {
                let lbHosts = spec.instances.flatMap(\.hosts)
                for (k, e) in list.enumerated() {
                    if let x = decodeReloadFailure(e, path: JSONPath.index(r.keyPath("reloadFailures"), k), lbHosts: lbHosts, marathon: marathon,
                                                   duration: duration, d) { spec.reloadFailures.append(x) }
                }
            } else { d.error(r.keyPath("reloadFailures"), at: fv, typeMismatch("an array of {\"at\": \"1h\", \"for\": \"20m\", \"kind\": \"haproxyStart\"}", fv)) }
        }
        r.finish()
        // marathon-lb reads every app's HAPROXY_* labels (get_apps); what it or HAProxy refuses is refused here
        for app in marathon?.apps ?? [] {
            for p in MarathonLBLabels.parse(app).problems + MarathonLBConfig.templateProblems(app, release: version) {
                d.error("marathon.apps[\(app.id)].labels.\(p.label)", at: labelValue(app.id, p.label, d), "marathon-lb: \(p.message)")
            }
        }
        return d.errorCount == before ? spec : nil
    }

    /// The label's value in `marathon.apps` of the document (the app found by its id), so that the
    /// error has the file and line (it had none: clustersim-fuzz string-hostile on a
    /// HAPROXY_0_VHOST label); nil for an app of `marathon.groups` or one whose label came from a
    /// default.
    static func labelValue(_ id: String, _ label: String, _ d: Diagnostics) -> JSONValue? {
        guard let apps = d.document?["marathon"]?["apps"]?.arrayValue,
              let app = apps.first(where: { a in a["id"]?.stringValue.map { $0 == id || "/" + $0 == id } ?? false }) else { return nil }
        return app["labels"]?[label] ?? app["labels"]
    }

    static func decodeMarathonLBInstance(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], complete: Bool, _ d: Diagnostics) -> MarathonLBInstanceSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: marathonLBInstanceKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        var x = MarathonLBInstanceSpec()
        let allNames = hostGroups.flatMap { g in (0..<min(g.count, 100_000)).map { g.hostName($0) } }
        if let hosts = r.optional("hosts", .array(of: .nonEmptyString, nonEmpty: true)) {
            let known = Set(allNames)
            for (k, h) in hosts.enumerated() where complete && !known.contains(h) {
                d.error(JSONPath.index(r.keyPath("hosts"), k), at: r.value("hosts")?.arrayValue?[k], "unknown host \(JSONValue.quote(h))\(Suggest.didYouMean(h, among: allNames))")
            }
            x.hosts = hosts
        }
        if let g = r.optional("hostGroup", .nonEmptyString) {
            if r.has("hosts") { d.error(r.keyPath("hostGroup"), at: r.value("hostGroup"), "give either hosts or hostGroup, not both") }
            let groups = hostGroups.map { (name: $0.name, count: $0.count) }
            _ = checkGroup(g, path: r.keyPath("hostGroup"), value: r.value("hostGroup"), groups: groups, complete: complete, d)
            if let hg = hostGroups.first(where: { $0.name == g }) { x.hosts = (0..<hg.count).map { hg.hostName($0) } }
            x.hostGroup = g
        }
        if !r.has("hosts") && !r.has("hostGroup") { d.error(path, at: v, "an instance needs hosts (an array of host names) or hostGroup") }
        // `--group` once or several times (marathon-lb's action="append"): a name or a list
        if let gv = r.value("group"), !gv.isNull {
            if let g = gv.stringValue, !g.isEmpty { x.groups = [g] }
            else if let a = gv.arrayValue, !a.isEmpty, a.allSatisfy({ !($0.stringValue ?? "").isEmpty }) {
                var unique: [String] = [], seen = Set<String>()
                for g in a.map({ $0.stringValue! }) where seen.insert(g).inserted { unique.append(g) }
                x.groups = unique
            } else { d.error(r.keyPath("group"), at: gv, typeMismatch("a group name or a non-empty list of them (\"*\": every app)", gv)) }
        }
        r.finish()
        return d.errorCount == before ? x : nil
    }

    /// `marathonLB.reloadFailures[k]`: a window in which reloads fail on some marathon-lb hosts.
    static func decodeReloadFailure(_ v: JSONValue, path: String, lbHosts: [String], marathon: MarathonSpec?, duration: SimDuration?, _ d: Diagnostics) -> MarathonLBReloadFailure? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: marathonLBReloadFailureKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        var x = MarathonLBReloadFailure(at: .zero)
        if let at = r.required("at", .duration(.nonNegative), hint: "when reloads start failing, a Go duration from the start like \"1h\"") {
            if let duration, at > duration { d.error(r.keyPath("at"), at: r.value("at"), "reload failures from \(at) start after the end of the run (duration \(duration)); it must be between 0s and \(duration)") }
            x.at = at
        }
        if let f = r.optional("for", .duration(.positive)) { x.duration = f }
        if let k = r.optional("kind", .oneOf(MarathonLBReloadFailureKind.allCases.map(\.rawValue), what: "kind")) {
            x.kind = MarathonLBReloadFailureKind(rawValue: k) ?? .haproxyStart
        }
        if let hosts = r.optional("hosts", .array(of: .nonEmptyString, nonEmpty: true)) {
            for (k, h) in hosts.enumerated() where !lbHosts.contains(h) {
                d.error(JSONPath.index(r.keyPath("hosts"), k), at: r.value("hosts")?.arrayValue?[k],
                        "\(JSONValue.quote(h)) runs no marathon-lb instance; allowed: \(Suggest.listed(lbHosts))")
            }
            x.hosts = hosts
        }
        if let a = r.optional("app", .nonEmptyString) {
            if x.kind != .validation {
                d.error(r.keyPath("app"), at: r.value("app"), "app scopes a validation failure only (\"kind\": \"validation\"); a \(x.kind.rawValue) failure has no app")
            } else if let m = marathon, !m.apps.contains(where: { $0.id == a }) {
                d.error(r.keyPath("app"), at: r.value("app"), "unknown Marathon app \(JSONValue.quote(a))\(Suggest.didYouMean(a, among: m.apps.map(\.id)))")
            }
            x.app = a
        }
        r.finish()
        return d.errorCount == before ? x : nil
    }

    static let marathonLBKeys = SectionKeys("marathonLB", [
        KeySpec("instances", "array of objects", default: "(required)", allowed: "Non-empty, at most 4096 marathon-lb instances in all (one per host of each entry); see `marathonLB.instances[]`.",
                meaning: "marathon-lb instances: one marathon-lb and HAProxy per host, serving the apps of one HAPROXY_GROUP."),
        KeySpec("version", "string", default: "`\"1.11.0\"`",
                allowed: "`\"major.minor\"` or `\"major.minor.patch\"` naming a release tag, 1.5.0 to 1.15.0 (1.11 is 1.11.0); as a string. Without it, a `flagsFrom` Marathon app running `mesosphere/marathon-lb:vX.Y.Z` sets it; an explicit version the image contradicts is a warning.",
                meaning: "marathon-lb release (its image). Switches the options marathon_lb.py takes, the HAProxy of its image (`haproxyVersion`'s default), the reload script (seamless from 1.12.0), the written file (server ids from 1.12.2, HAPROXY_HEAD, the REVPROXY and redirect lines from 1.13.0, MESOS_TCP checks from 1.11.4), the cleanup of an invalid file (1.11.2), which tasks are servers (staging and unreachable ones from 1.12.0, unreachable but not staging from 1.14.0) and the `--health-check` rule (any result alive from 1.14.2, all before); docs/marathon-lb.md \"Releases 1.12 to 1.15\".",
                source: "mesosphere/marathon-lb: the tags v1.5.0 ... v1.15.0 (marathon_lb.py, config.py, Dockerfile, service/haproxy/run); 1.11.0 is the release the model was built from"),
        KeySpec("flags", "object", default: "marathon-lb's defaults", allowed: "Every option of marathon_lb.py of `version` under its own name (`--health-check`; a short name `-H` or an abbreviation argparse takes, `--health`, also loads); those not modelled are named in one warning. See `marathonLB.flags`; an unknown option is marathon-lb's error.",
                meaning: "marathon-lb's command-line options; read after `flagsFrom`, they win over it.",
                source: "mesosphere/marathon-lb:marathon_lb.py get_arg_parser at the tag of `version`; common.py set_logging_args, set_marathon_auth_args"),
        KeySpec("flagsFrom", "array of objects", default: "`[]`", allowed: "`{\"commandLine\": \"sse -m http://marathon.mesos:8080 --group external\"}` (the image's `run sse|poll` and its arguments, or marathon_lb.py's own: a string split as sh splits it, or a list of words), `{\"marathonApp\": \"marathon-lb.json\"}` (the Marathon app that runs it: its `args` or `cmd`, and `env`) and `{\"environmentFile\": \"path\"}` (POLL_INTERVAL; `$VAR` of the command line); at most one command line. Paths relative to the scenario and inside it.",
                meaning: "marathon-lb as deployed: the command line is read as argparse reads it; `run sse` or `--sse` sets `mode` sse, `run poll` (or no --sse) poll, POLL_INTERVAL `pollInterval`; `--group` (required, as marathon-lb requires it) is the group of every instance without its own.",
                source: "mesosphere/marathon-lb:run@v1.11.0 (MODE=$1; POLL_INTERVAL default 60; marathon_lb.py args after it); marathon_lb.py __main__ (`argument --group is required`)"),
        KeySpec("mode", "string", default: "`\"sse\"`", allowed: "\"sse\" or \"poll\".",
                meaning: "sse: follow Marathon's event stream (`--sse`), regenerate on api_post_event, status_update_event, health_status_changed_event; poll: regenerate every `pollInterval`.",
                source: "mesosphere/marathon-lb:marathon_lb.py `--sse` (the seed platform's DC/OS package runs it with --sse)"),
        KeySpec("pollInterval", "duration", default: "`\"60s\"`", allowed: "1s..24h.", meaning: "Poll mode: time between regenerations.",
                source: "mesosphere/marathon-lb:run (poll mode: marathon_lb.py without --sse runs once; the run script repeats it every POLL_INTERVAL, default 60 s)"),
        KeySpec("haproxyVersion", "string", default: "`\"1.7\"`", allowed: "major.minor, 1.5 or later; 1.8 or later from marathon-lb 1.12.0 (its `haproxy -W -x` and `expose-fd listeners`). Without it, the HAProxy of `version`'s image: 1.7 (1.5.0 to 1.11.5), 1.8 (1.12.x), 1.9 (1.13.x), 2.0 (1.14.0 to 1.15.0).",
                meaning: "With marathon-lb before 1.12.0 a reload drops SYNs for 0.1 s (the reload gap) and holds the reload lock 1 s more, whatever the HAProxy; from 1.12.0 (HAProxy 1.8+, master-worker with `-x` and `expose-fd listeners`) it is seamless.",
                source: "mesosphere/marathon-lb:Dockerfile `HAPROXY_VERSION` at each tag (1.7.2, 1.7.6, 1.8.4, 1.9.6, 1.9.8, 2.0.3 ... 2.0.17); service/haproxy/run (to 1.11.5: iptables SYN drop, sleep 0.1, reload -sf, sleep 1; from 1.12.0: exec haproxy -W -x)"),
        KeySpec("somaxconn", "integer", default: "`128`", allowed: "1 to 65535.",
                meaning: "The LB hosts' `net.core.somaxconn` (marathon-lb runs in the host's network namespace): a frontend at its maxconn (10000) holds min(backlog 10000, somaxconn) connections in its socket's accept queue; beyond them the kernel drops SYNs and clients retransmit (docs/traffic.md, \"maxconn: the frontend's and the servers'\").",
                source: "Linux include/linux/socket.h SOMAXCONN 128 (4096 from Linux 5.4); net/socket.c `__sys_listen` caps the backlog at it; marathon-lb's own e2e test raises it to 10000 (ci/test_marathon_lb_dcos_e2e.py@v1.14.2)"),
        KeySpec("reloadFailures", "array of objects", default: "`[]`", allowed: "See `marathonLB.reloadFailures[]`.",
                meaning: "Without any, reloads never fail. Windows in which marathon-lb's reloads fail, to replay an incident: the new HAProxy does not start, the reload command fails, or `haproxy -c` refuses the file."),
    ])

    static let marathonLBReloadFailureKeys = SectionKeys("marathonLB.reloadFailures[]", [
        KeySpec("at", "duration", default: "required", allowed: ">= 0 and <= the scenario `duration`.", meaning: "When reloads start failing."),
        KeySpec("for", "duration", default: "absent: to the end of the run", allowed: "> 0.", meaning: "How long they fail."),
        KeySpec("kind", "string", default: "`\"haproxyStart\"`", allowed: "\"haproxyStart\", \"reloadCommand\" or \"validation\".",
                meaning: "haproxyStart: no new HAProxy process comes up (bind error, file descriptors, memory): marathon-lb re-runs the reload every `--reload-interval` and gives up after `--max-reload-retries`; reloadCommand: the reload command exits non-zero (no retry); validation: `haproxy -c` refuses the candidate (not written, not reloaded; the next regeneration tries again)."),
        KeySpec("hosts", "array of strings", default: "absent: every instance", allowed: "Hosts that run a marathon-lb instance.", meaning: "The instances whose reloads fail."),
        KeySpec("app", "string", default: "absent: every candidate", allowed: "A Marathon app id; only with kind validation.",
                meaning: "Only candidates with this app's backend are refused (its labels or template break the file)."),
    ])

    static let marathonLBInstanceKeys = SectionKeys("marathonLB.instances[]", [
        KeySpec("hosts", "array of strings", default: "", allowed: "Existing host names; exactly one of hosts and hostGroup.", meaning: "One instance per host."),
        KeySpec("hostGroup", "string", default: "", allowed: "An existing host group.", meaning: "One instance per host of the group."),
        KeySpec("group", "string or array of strings", default: "`\"external\"`", allowed: "A non-empty name or a non-empty list of them (`--group a --group b`); \"*\" serves every app. Without it, the `--group` of `flags` or `flagsFrom`, else the default.",
                meaning: "marathon-lb's `--group`: apps whose HAPROXY_GROUP (or HAPROXY_{n}_GROUP) lists one of them.",
                source: "mesosphere/marathon-lb:README.md (the DC/OS package's default group is external); marathon_lb.py `has_group`"),
    ])

    static let marathonLBFlagKeys = SectionKeys("marathonLB.flags", [
        KeySpec("--health-check", "boolean", default: "`false`", allowed: "true or false.",
                meaning: "Only tasks whose Marathon health checks report alive become servers (apps with health checks).",
                source: "mesosphere/marathon-lb:marathon_lb.py get_arg_parser `--health-check` (store_true)"),
        KeySpec("--strict-mode", "boolean", default: "`false`", allowed: "true or false.",
                meaning: "A port is served only when its HAPROXY_{n}_ENABLED label is true.",
                source: "mesosphere/marathon-lb:marathon_lb.py get_arg_parser `--strict-mode` (store_true)"),
        KeySpec("--reload-interval", "integer", default: "`10`", allowed: "0..86400.", meaning: "Seconds between checks for a new HAProxy process after a reload; each check without one re-runs the reload (0: every 0.1 s, marathon-lb's polling).",
                source: "mesosphere/marathon-lb:marathon_lb.py get_arg_parser `--reload-interval` default 10"),
        KeySpec("--max-reload-retries", "integer", default: "`10`", allowed: "-1..1000000 (-1: infinite); from marathon-lb 1.11.0, as `--reload-interval`.", meaning: "Checks without a new HAProxy before marathon-lb gives up the reload (0: it never retries and waits forever).",
                source: "mesosphere/marathon-lb:marathon_lb.py get_arg_parser `--max-reload-retries` default 10"),
        KeySpec("--skip-validation", "boolean", default: "`false`", allowed: "true or false.",
                meaning: "No `haproxy -c` before a reload: a file that would be refused reaches HAProxy, whose new process then does not start.",
                source: "mesosphere/marathon-lb:marathon_lb.py get_arg_parser `--skip-validation` (store_true), validateConfig"),
        KeySpec("--skip-config-cleanup", "boolean", default: "not given (false)", allowed: "true or false; from marathon-lb 1.13.0 (before: an error naming it).",
                meaning: "A file `haproxy -c` refuses is not rebuilt without the apps that break it (make_config_valid_and_regenerate, from 1.11.2): nothing is reloaded, as before 1.11.2.",
                source: "mesosphere/marathon-lb:marathon_lb.py@v1.13.0 get_arg_parser `--skip-config-cleanup` (store_true), regenerate_config"),
        KeySpec("--min-serv-port-ip-per-task", "integer", default: "`10050`", allowed: "0..65535, at most the max; 0 only with the max at 0 (both 0: no assignment).", meaning: "Service ports for IP-per-task apps start here (read; IP-per-task apps are not modelled).",
                source: "mesosphere/marathon-lb:marathon_lb.py get_arg_parser default 10050; __main__ (`either specify both ... or neither`)"),
        KeySpec("--max-serv-port-ip-per-task", "integer", default: "`10100`", allowed: "0..65535.", meaning: "And end here.",
                source: "mesosphere/marathon-lb:marathon_lb.py get_arg_parser default 10100"),
        KeySpec("--sse", "boolean", default: "`false`", allowed: "true or false (`-s`).", meaning: "Sets `mode` to sse (marathon_lb.py follows the event stream; without it, it regenerates once per run).",
                source: "mesosphere/marathon-lb:marathon_lb.py get_arg_parser `--sse` (store_true)"),
        KeySpec("--group", "string or array of strings", default: "none", allowed: "A name or a list of names (repeatable on a command line).", meaning: "The groups of every instance that names none of its own (`marathonLB.instances[].group`).",
                source: "mesosphere/marathon-lb:marathon_lb.py get_arg_parser `--group` (action append)"),
        KeySpec("--marathon", "string or array of strings (URLs)", default: "`http://master.mesos:8080` (a name of the leader)", allowed: "URLs with a scheme and a host (`-m`; nargs \"+\" on a command line). A host of the scenario answers while it is up and runs a Marathon process (one that does not lead proxies to the leader, or answers 503 without one); another name reaches the leader.",
                meaning: "Marathon's REST API and event stream: each regeneration reads /v2/apps from the URLs in order (before 1.13.0 a connection error fails it at once; from 1.13.0 it tries the next URL); each event-stream attempt takes the next URL of the cycle. docs/marathon-lb.md \"The event stream\".",
                source: "mesosphere/marathon-lb:marathon_lb.py get_arg_parser `--marathon` (nargs +), Marathon.api_req_raw, get_event_stream"),
        KeySpec("--max-backoff", "integer", default: "not given (300)", allowed: "0..86400; from marathon-lb 1.13.0 (before: an error naming it).",
                meaning: "Seconds: the cap of the wait before the event stream reconnects (`random() * waitSeconds`, waitSeconds 3 growing 1.5x per wait).",
                source: "mesosphere/marathon-lb:marathon_lb.py@v1.13.0 get_arg_parser `--max-backoff` default 300, `__main__`"),
        KeySpec("--help", "boolean", default: "`false`", allowed: "false (`-h`; true: marathon_lb.py prints its help and exits, an error here).", meaning: "Prints the usage."),
        KeySpec("--longhelp", "boolean", default: "`false`", allowed: "false (true: marathon_lb.py prints its long help and exits, an error here).", meaning: "Prints the usage and every label template."),
        KeySpec("others", "as marathon-lb takes them", default: "marathon-lb's", allowed: "`--haproxy-config`, `--command`/`-c`, `--ssl-certs`, `--syslog-socket`, `--log-format`, `--log-level`, `--marathon-auth-credential-file`, `--auth-credentials`, `--dcos-auth-credentials`, `--marathon-ca-cert` (strings), `--lru-cache-capacity` (an integer), `--haproxy-map`, `--dont-bind-http-https`, `--dry`/`-d` (booleans); from 1.11.5 `--group-https-by-vhost` (boolean), from 1.12.0 `--archive-versions` (an integer). An option the `version` lacks is an error naming the release that has it.",
                meaning: "Accepted and not modelled: one warning names them (`--haproxy-map`, `--dont-bind-http-https` and `--group-https-by-vhost` change the file marathon-lb writes, `--dry` stops it from writing; the simulation writes the file as without them; `--archive-versions` keeps old files in /tmp).",
                source: "mesosphere/marathon-lb:marathon_lb.py get_arg_parser, common.py at the tags v1.5.0 ... v1.15.0"),
    ])
}

enum MarathonLBSection {
    /// "1.7" → (1, 7); at most 3 digits each; 1.5 or later.
    static func version(_ s: String) -> (major: Int, minor: Int)? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let a = Int(parts[0]), let b = Int(parts[1]), a > 1 || (a == 1 && b >= 5) else { return nil }
        return (a, b)
    }
}

/// The app versions `actions` deploy, whose HAPROXY_* labels marathon-lb reads as it reads the
/// scenario's apps: checked (the labels the deploy sets) by the scenario's release once
/// `marathonLB` is decoded, since `actions` are decoded before it (a `{serverId}` template loads
/// from 1.12.2 and is KeyError before). A `marathonLB` section with errors checks nothing here.
final class MarathonLBActionLabels {
    private var entries: [(app: AppDefinition, labels: JSONValue?, path: String)] = []

    func add(_ app: AppDefinition, labels: JSONValue?, path: String) { entries.append((app, labels, path)) }

    func check(release: MarathonLBVersion, _ d: Diagnostics) {
        for e in entries {
            for p in MarathonLBLabels.parse(e.app).problems + MarathonLBConfig.templateProblems(e.app, release: release) where e.labels?[p.label] != nil {
                d.error(JSONPath.key(e.path, p.label), at: e.labels?[p.label], "marathon-lb: \(p.message)")
            }
        }
    }
}
