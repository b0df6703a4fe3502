import ClusterModel
import Foundation
import SimKernel

// The `chronos` section: version, flags by Chronos' command-line names, the hosts of its
// instances, the jobs (Chronos' own job JSON: ChronosJobs.swift) and their behaviour. See docs/chronos.md.
extension ScenarioSchema {
    static func decodeChronos(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool,
                              mesos: MesosSpec?, mesosGiven: Bool, _ d: Diagnostics) -> ChronosSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: chronosKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        var spec = ChronosSpec()
        if !mesosGiven {
            d.error(path, at: v, "Chronos is a Mesos framework: the scenario needs a \"mesos\" (or \"marathon\") section")
        }
        if let s = r.optional("version", .oneOf(ChronosVersion.allCases.map(\.rawValue), what: "Chronos version")) {
            spec.version = ChronosVersion(rawValue: s) ?? .v2
        }
        let hosts = HostDirectory(groups: hostGroups.map { ($0.name, $0.count) }, complete: hostGroupsComplete)
        if let hv = r.value("hosts") {
            if let list = ValueDecoder<[String]>.array(of: .nonEmptyString, nonEmpty: true).decode(hv, r.keyPath("hosts"), d) {
                var seen = Set<String>()
                for (i, h) in list.enumerated() {
                    let p = JSONPath.index(r.keyPath("hosts"), i)
                    if !seen.insert(h).inserted { d.error(p, at: hv.arrayValue?[i], "host \(JSONValue.quote(h)) is given twice: one Chronos instance per host") }
                    else if hostGroupsComplete, let m = hosts.problem(with: h) { d.error(p, at: hv.arrayValue?[i], m) }
                }
                spec.hosts = list
            }
        } else if let m = mesos {
            // Chronos beside the Mesos masters, one per master host.
            let group = m.masterHostGroup ?? (hostGroups.contains { $0.name == "master" } ? "master" : hostGroups.first?.name)
            if let g = hostGroups.first(where: { $0.name == group }) {
                spec.hosts = (0..<min(m.masters, g.count)).map { g.hostName($0) }
            }
        }
        if let s = r.optional("startTime", .string) {
            if let ms = parseRFC3339(s) { spec.startMs = ms } else {
                d.error(r.keyPath("startTime"), at: r.value["startTime"], "expected an RFC 3339 UTC time like \"2017-01-01T00:00:00Z\" between 1970 and 2200, got \(JSONValue.quote(s))")
            }
        }
        if let fv = chronosSectionFlags(r, d) { decodeChronosFlags(fv, path: r.keyPath("flags"), into: &spec.flags, version: spec.version, d) }

        var jobValues: [(JSONValue, String)] = []
        if let jv = r.value("jobs") {
            if let a = jv.arrayValue {
                for (i, e) in a.enumerated() { jobValues.append((e, JSONPath.index(r.keyPath("jobs"), i))) }
            } else { d.error(r.keyPath("jobs"), at: jv, typeMismatch("an array of Chronos jobs", jv)) }
        }
        if let fv = r.value("jobsFile") {
            let p = r.keyPath("jobsFile")
            if let s = ValueDecoder<String>.nonEmptyString.decode(fv, p, d) {
                if let root = d.baseDirectory {
                    if let text = readSideFile(s, kind: "Chronos jobs file", base: root, maxBytes: 16 << 20, path: p, at: fv, d) {
                        let parsed = JSONParser.parse(text, file: s)
                        if let e = parsed.errors.first { d.error(p, at: fv, "\(s): \(e)") }
                        else if let a = parsed.value?.arrayValue {
                            for (i, e) in a.enumerated() { jobValues.append((e, "\(s)[\(i)]")) }
                        } else { d.error(p, at: fv, "\(s): expected a JSON array of jobs, as GET /scheduler/jobs returns") }
                    }
                } else {
                    d.error(p, at: fv, "a jobs file can only be read from a scenario file (its folder is where the path starts); give the jobs inline in \"jobs\"")
                }
            }
        }
        if let jobs = decodeChronosJobs(jobValues, version: spec.version, d) {
            spec.jobs = jobs
            warnLongChronosTaskIDs(jobs, paths: jobValues, startMs: spec.startMs, chronos: spec.version, mesos: mesos?.version ?? .baseline, d)
            // TaskInfo.max_completion_time exists from Mesos 1.6.0 (MesosVersion.executorsEnforceMaxCompletionTime)
            let mv = mesos?.version ?? .baseline
            if !mv.executorsEnforceMaxCompletionTime {
                for (i, job) in jobs.enumerated() where job.maxCompletionTime != nil && i < jobValues.count {
                    d.warning(JSONPath.key(jobValues[i].1, "maxCompletionTime"), at: jobValues[i].0["maxCompletionTime"],
                              "Mesos \(mv) has no TaskInfo.max_completion_time (from Mesos 1.6): its executors ignore it and a run is never killed for its time")
                }
            }
        }
        if let bv = r.value("behaviour") {
            decodeChronosBehaviour(bv, path: r.keyPath("behaviour"), jobs: spec.jobs.map(\.name), into: &spec, d)
        }
        r.finish()
        return d.errorCount == before ? spec : nil
    }

    /// A duration flag in Chronos' unit (`unit` ns: seconds or milliseconds): a whole number of
    /// that unit, or a Go duration string.
    static func chronosDurationFlag(_ v: JSONValue, _ p: String, unit: Int64, unitName: String, least: Int64, _ d: Diagnostics) -> SimDuration? {
        let maxUnits = ScenarioUnits.maxDuration.nanoseconds / unit
        if let n = v.numberValue {
            if let i = n.int64, i >= least, i <= maxUnits { return SimDuration(nanoseconds: i * unit) }
            d.error(p, at: v, "expected a whole number of \(unitName) from \(least) to \(maxUnits) (Chronos' unit for this flag), or a Go duration string like \"5s\", got \(n.text)")
            return nil
        }
        guard let dur = ValueDecoder<SimDuration>.duration(.nonNegative).decode(v, p, d) else { return nil }
        if dur.nanoseconds < least * unit { d.error(p, at: v, "must be at least \(least) \(unitName), got \(dur)"); return nil }
        return dur
    }

    /// Chronos sets no limit on a job's name or arguments; Mesos refuses task ids over 255
    /// characters (from 1.2.1; before, the agent aborts on the sandbox's mkdir): the job loads and
    /// every run fails (ChronosJob.mesosTaskIDLength, Mesos/MesosIDs.swift). A warning, as for
    /// Marathon's apps (MarathonSection.swift). The due time's digits are those of the simulated start.
    static func warnLongChronosTaskIDs(_ jobs: [ChronosJob], paths: [(JSONValue, String)], startMs: Int64, chronos: ChronosVersion,
                                       mesos: MesosVersion, _ d: Diagnostics) {
        for (i, job) in jobs.enumerated() where i < paths.count {
            let n = job.mesosTaskIDLength(dueMs: startMs, attempt: 0)
            guard MesosIDRules.lengthProblem(n) != nil else { continue }
            let what = longMesosIDConsequence(mesos) + (mesos.masterRefusesLongIDs
                ? ", which Chronos only logs (\"Unknown TaskState\"), so the job never runs"
                : ", so every run takes an agent down and is lost")
            d.warning(JSONPath.key(paths[i].1, "name"), at: paths[i].0["name"],
                      "Chronos \(chronos.rawValue) gives this job's tasks Mesos ids of \(n) characters (ct:<due ms>:<attempt>:<name>:<arguments>); \(what); Chronos sets no limit on a job's name or arguments: shorten them")
        }
    }

    static func decodeChronosFlags(_ v: JSONValue, path: String, into f: inout ChronosFlags, version: ChronosVersion, _ d: Diagnostics) {
        guard let members = v.objectMembers else { d.error(path, at: v, typeMismatch("an object of Chronos flags", v)); return }
        let names = chronosFlagKeys.names
        let second: Int64 = 1_000_000_000, ms: Int64 = 1_000_000
        var notModelled: [String] = []
        var given: Set<String> = []
        for m in members {
            let p = JSONPath.key(path, m.key)
            let key = m.key.hasPrefix("--") ? String(m.key.dropFirst(2)) : m.key
            // a toggle's other name: --disable_http_compression
            let toggleOff = key.hasPrefix("disable_") && ChronosFlagTable.flag(String(key.dropFirst(8)))?.kind == .toggle
            let name = toggleOff ? String(key.dropFirst(8)) : key
            guard let flag = ChronosFlagTable.flag(name) else {
                d.error(p, location: m.keyLocation ?? m.value.location, "Chronos refuses it: [scallop] Error: Unknown option '\(key)'\(Suggest.didYouMean(key, among: ChronosFlagTable.names)); see docs/chronos.md for its flags")
                continue
            }
            guard flag.versions.contains(version) else {
                let has = flag.versions.map(\.rawValue).sorted().joined(separator: " and ")
                let why = name == "schedule_horizon" ? " (its loop wakes at the next job's time)" : ""
                d.error(p, location: m.keyLocation ?? m.value.location, "--\(key) is not a flag of Chronos \(version.rawValue)\(why): Scallop refuses it as an unknown option; only Chronos \(has) has it")
                continue
            }
            if !given.insert(name).inserted {
                let why = flag.kind == .toggle ? "wrong arguments format" : flag.kind == .bool ? "too many arguments for flag option" : "you should provide exactly one argument for this option"
                d.error(p, location: m.keyLocation ?? m.value.location, "--\(name) is given more than once; Chronos refuses it: [scallop] Error: Bad arguments for option '\(name)': \(why)"); continue
            }
            guard names.contains(name) else {
                checkChronosFlagValue(flag, key: key, m.value, p, d)
                notModelled.append(key)
                continue
            }
            let x = chronosCommandLineValue(m.value, kind: flag.kind)
            switch key {
            case "schedule_horizon":
                if let dur = chronosDurationFlag(x, p, unit: second, unitName: "seconds", least: 1, d) { f.scheduleHorizon = dur }
            case "task_epsilon": if let dur = chronosDurationFlag(x, p, unit: second, unitName: "seconds", least: 0, d) { f.taskEpsilon = dur }
            case "failure_retry": if let dur = chronosDurationFlag(x, p, unit: ms, unitName: "milliseconds", least: 0, d) { f.failureRetry = dur }
            case "decline_offer_duration": if let dur = chronosDurationFlag(x, p, unit: ms, unitName: "milliseconds", least: 0, d) { f.declineOfferDuration = dur }
            case "zk_timeout": if let dur = chronosDurationFlag(x, p, unit: ms, unitName: "milliseconds", least: 1, d) { f.zkTimeout = dur }
            case "disable_after_failures": if let n = ValueDecoder<Int>.int(min: 0, max: 1_000_000).decode(x, p, d) { f.disableAfterFailures = n }
            case "mesos_task_cpu": if let n = ValueDecoder<Double>.number(greaterThan: 0, atMost: 1_000_000).decode(x, p, d) { f.mesosTaskCpu = n }
            case "mesos_task_mem": if let n = ValueDecoder<Double>.number(greaterThan: 0, atMost: 1e12).decode(x, p, d) { f.mesosTaskMem = n }
            case "mesos_task_disk": if let n = ValueDecoder<Double>.number(greaterThan: 0, atMost: 1e12).decode(x, p, d) { f.mesosTaskDisk = n }
            case "mesos_role": if let s = ValueDecoder<String>.nonEmptyString.decode(x, p, d) { f.mesosRole = s }
            case "zk_path":
                if let s = ValueDecoder<String>.nonEmptyString.decode(x, p, d) {
                    if s.hasPrefix("/") { f.zkPath = s } else { d.error(p, at: x, "a ZooKeeper path starts with \"/\", got \(JSONValue.quote(s))") }
                }
            case "mesos_checkpoint": if let b = ValueDecoder<Bool>.bool.decode(x, p, d) { f.mesosCheckpoint = b }
            case "reconciliation_interval": if let dur = chronosDurationFlag(x, p, unit: second, unitName: "seconds", least: 0, d) { f.reconciliationInterval = dur }
            default: break
            }
        }
        if !notModelled.isEmpty {
            d.warning(path, at: v, "Chronos flags accepted but not modelled: \(notModelled.joined(separator: ", "))")
        }
    }

    /// A command-line value (a string, as Scallop gets it) of a number or boolean flag as the JSON
    /// value the modelled flags' readers take; other values unchanged.
    static func chronosCommandLineValue(_ v: JSONValue, kind: ChronosFlagTable.Kind) -> JSONValue {
        guard let s = v.stringValue else { return v }
        switch kind {
        case .int, .long:
            if let n = ChronosFlagTable.javaInteger(s) { return JSONValue(.number(JSONNumber(text: String(n), double: Double(n))), location: v.location) }
        case .double:
            if ChronosFlagTable.check(.double, s), let x = Double(s), x.isFinite { return JSONValue(.number(JSONNumber(text: s, double: x)), location: v.location) }
        case .bool, .toggle:
            if s == "true" || s == "false" { return JSONValue(.bool(s == "true"), location: v.location) }
        case .string: break
        }
        return v
    }

    /// The value of a flag the simulator does not model, checked as Scallop converts it: a string
    /// (or a JSON number) for `opt[String]`, an Int, Long or Double written in Java's syntax, a
    /// boolean or toggle given without a value (JSON `true`, `false` or null).
    static func checkChronosFlagValue(_ f: ChronosFlagTable.Flag, key: String, _ v: JSONValue, _ p: String, _ d: Diagnostics) {
        let what: String
        switch f.kind {
        case .string: what = "a string"
        case .int: what = "a whole number from \(Int32.min) to \(Int32.max) (Scallop's Int)"
        case .long: what = "a whole number (Scallop's Long)"
        case .double: what = "a number (Scallop's Double)"
        case .bool, .toggle: what = "true or false (on the command line the flag is given without a value)"
        }
        switch v.kind {
        case .string(let s) where ChronosFlagTable.check(f.kind, s): return
        case .number(let n) where f.kind == .string || ChronosFlagTable.check(f.kind, n.text): return
        case .bool where f.kind == .bool || f.kind == .toggle: return
        case .null where f.kind == .bool || f.kind == .toggle: return
        default: break
        }
        d.error(p, at: v, "--\(key) is \(what), got \(v.brief); Chronos refuses it: [scallop] Error: Bad arguments for option '\(key)': '\(v.stringValue ?? v.brief)' - wrong arguments format")
    }

    static func decodeChronosBehaviour(_ v: JSONValue, path: String, jobs: [String], into spec: inout ChronosSpec, _ d: Diagnostics) {
        guard let members = v.objectMembers else {
            d.error(path, at: v, typeMismatch("an object of job names (or \"default\") to behaviour blocks, like {\"default\": {\"runTime\": \"5m\"}}", v))
            return
        }
        var seen: [String] = []
        var blocks: [(key: String, value: JSONValue, path: String)] = []
        for m in members {
            let p = JSONPath.key(path, m.key)
            if m.key != "default" && !jobs.contains(m.key) {
                d.error(p, location: m.keyLocation ?? m.value.location, "behaviour for \(JSONValue.quote(m.key)), but there is no such job\(Suggest.didYouMean(m.key, among: jobs)); keys are \"default\" or job names")
                continue
            }
            if seen.contains(m.key) { d.error(p, location: m.keyLocation, "behaviour for \(m.key) is given twice"); continue }
            seen.append(m.key)
            blocks.append((m.key, m.value, p))
        }
        // "default" first: a job's block starts from it, key by key.
        func block(_ v: JSONValue, _ p: String, base: ChronosJobBehaviour) -> ChronosJobBehaviour? {
            let r = ObjectReader(v, path: p, diagnostics: d, keys: chronosBehaviourKeys)
            guard r.isObject else { return nil }
            var b = base
            if let x = r.optional("runTime", .distribution(.seconds)) { b.runTime = x }
            if let x = r.optional("failureProbability", .number(atLeast: 0, atMost: 1)) { b.failureProbability = x }
            if let x = r.optional("imageSize", .size(.positive)) { b.imageSizeBytes = x }
            r.finish()
            return b
        }
        if let def = blocks.first(where: { $0.key == "default" }), let b = block(def.value, def.path, base: ChronosJobBehaviour()) {
            spec.defaultBehaviour = b
        }
        for (k, v, p) in blocks where k != "default" {
            if let b = block(v, p, base: spec.defaultBehaviour) { spec.behaviours[k] = b }
        }
    }
}
