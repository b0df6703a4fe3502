import ClusterModel
import Foundation
import SimKernel

// Chronos job JSON (docs/docs/api.md; utils/JobDeserializer.scala): what the /scheduler/iso8601
// and /scheduler/dependency endpoints accept loads, with Chronos' defaults; what they refuse is an
// error with Chronos' reason; fields Chronos does not read are warnings (its JSON reader ignores them).
extension ScenarioSchema {
    /// JobUtils.jobNamePattern `[\w\s\.#_-]+` (Java's \w: ASCII letters, digits, `_`).
    static func isValidChronosJobName(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { u in
            (u.value >= 0x30 && u.value <= 0x39) || (u.value >= 0x41 && u.value <= 0x5A) || (u.value >= 0x61 && u.value <= 0x7A)
                || " \t\n\r\u{0B}\u{0C}.#_-".unicodeScalars.contains(u)
        }
    }

    static let maxChronosJobs = 100_000

    static func decodeChronosJobs(_ values: [(JSONValue, String)], version: ChronosVersion, _ d: Diagnostics) -> [ChronosJob]? {
        let before = d.errorCount
        if values.count > maxChronosJobs {
            d.error(values[maxChronosJobs].1, at: values[maxChronosJobs].0, "more than \(maxChronosJobs) Chronos jobs (the simulator's limit; a Chronos cluster holds a few thousand)")
            return nil
        }
        var jobs: [ChronosJob] = []
        var paths: [String] = []
        var parentValues: [JSONValue?] = []
        var jobIndex: [String: Int] = [:]
        for (v, p) in values {
            guard let (job, pv) = decodeChronosJob(v, path: p, version: version, d) else { continue }
            if let i = jobIndex[job.name] {
                d.error(JSONPath.key(p, "name"), at: v["name"], "job \(JSONValue.quote(job.name)) is already defined at \(paths[i]): Chronos' job names are unique")
                continue
            }
            jobIndex[job.name] = jobs.count
            jobs.append(job); paths.append(p); parentValues.append(pv)
        }
        let names = jobs.map(\.name)
        for (i, j) in jobs.enumerated() {
            for (k, parent) in j.parents.enumerated() where jobIndex[parent] == nil {
                d.error(JSONPath.index(JSONPath.key(paths[i], "parents"), k), at: parentValues[i]?.arrayValue?[k],
                        "parent \(JSONValue.quote(parent)) does not exist (Chronos: \"Error, parent does not exist\")\(Suggest.didYouMean(parent, among: names))")
            }
        }
        if let cycle = dependencyCycle(jobs) {
            let i = cycle[0]
            d.error(JSONPath.key(paths[i], "parents"), at: parentValues[i],
                    "dependency cycle: \(Suggest.cycle(cycle.map { jobs[$0].name })) (Chronos' job graph is a DAG: the dependency would create a cycle)")
        }
        return d.errorCount == before ? jobs : nil
    }

    /// A cycle of parent links, as job indices, or nil (depth-first search in job order, with its
    /// own stack: a chain of a hundred thousand jobs would overflow the thread's stack as recursion).
    static func dependencyCycle(_ jobs: [ChronosJob]) -> [Int]? {
        var index: [String: Int] = [:]
        for (i, j) in jobs.enumerated() where index[j.name] == nil { index[j.name] = i }
        var state = Array(repeating: 0, count: jobs.count)   // 0 new, 1 on the stack, 2 done
        var position = Array(repeating: -1, count: jobs.count)
        var stack: [Int] = []
        var frames: [(job: Int, next: Int)] = []
        for root in jobs.indices where state[root] == 0 {
            state[root] = 1; position[root] = 0; stack = [root]; frames = [(root, 0)]
            while let top = frames.last {
                let parents = jobs[top.job].parents
                guard top.next < parents.count else {
                    frames.removeLast(); stack.removeLast(); state[top.job] = 2
                    continue
                }
                frames[frames.count - 1].next += 1
                guard let j = index[parents[top.next]] else { continue }
                if state[j] == 1 { return Array(stack[position[j]...]) }
                if state[j] == 0 {
                    state[j] = 1; position[j] = stack.count; stack.append(j); frames.append((j, 0))
                }
            }
        }
        return nil
    }

    static func decodeChronosJob(_ v: JSONValue, path: String, version: ChronosVersion, _ d: Diagnostics) -> (ChronosJob, JSONValue?)? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: chronosJobKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let name = r.required("name", .string)
        if let n = name, !isValidChronosJobName(n) {
            d.error(r.keyPath("name"), at: r.value["name"], "the job's name is invalid. Allowed names: '([\\w\\s\\.#_-]+)' (Chronos' JobUtils.jobNamePattern), got \(JSONValue.quote(n))")
        }
        let zone = r.optional("scheduleTimeZone", .string)
        var zoneUsed: String? = nil
        if let z = zone, !z.isEmpty {
            if TimeZone(identifier: z) != nil { zoneUsed = z } else {
                d.warning(r.keyPath("scheduleTimeZone"), at: r.value["scheduleTimeZone"], "unknown time zone \(JSONValue.quote(z)): Java's TimeZone.getTimeZone makes it GMT, and so does the simulation")
                zoneUsed = "GMT"
            }
        }
        let scheduleText = r.optional("schedule", .string)
        let parents = r.optional("parents", .array(of: .string))
        var schedule: ChronosSchedule? = nil
        if scheduleText != nil && parents != nil {
            _ = r.reject("parents", "a job has either \"schedule\" (POST /scheduler/iso8601) or \"parents\" (POST /scheduler/dependency), not both")
        } else if let p = parents {
            if p.isEmpty { d.error(r.keyPath("parents"), at: r.value["parents"], "Error, parent does not exist: a dependent job needs at least one parent") }
        } else {
            // JobDeserializer: no parents and no schedule gives "R1//PT24H" (one run, now).
            switch ChronosSchedule.parse(scheduleText ?? "R1//PT24H", timeZone: zoneUsed) {
            case .success(let s):
                schedule = s
                if let b = s.startBeyondRange {
                    d.warning(r.keyPath("schedule"), at: r.value["schedule"], "start \(b) is after 2200: Chronos takes the job, and no simulated run reaches its first run (read as 2200-01-01T00:00:00Z)")
                }
            case .failure(let e):
                d.error(r.keyPath("schedule"), at: r.value["schedule"], "schedule \(JSONValue.quote(scheduleText ?? "")) \(e.message)\(e.chronosRefuses ? " (Chronos answers 400 Bad Request: Iso8601Expressions.canParse is false)" : "")")
            }
        }
        var job = ChronosJob(name: name ?? "", schedule: schedule)
        job.parents = parents ?? []
        if let e = r.optional("epsilon", .string) {
            if version == .v3 {
                d.warning(r.keyPath("epsilon"), at: r.value["epsilon"], "Chronos 3.x has no epsilon (overdue jobs simply run): ignored")
            } else if let p = ChronosSchedule.parsePeriodForEpsilon(e) {
                job.epsilon = p
            } else {
                d.error(r.keyPath("epsilon"), at: r.value["epsilon"], "epsilon \(JSONValue.quote(e)) is not an ISO 8601 period of fixed length like PT30M (Joda Period.parse; years and months have no fixed length), up to 100 years")
            }
        }
        if let n = r.optional("retries", .int(min: 0, max: 1_000_000)) { job.retries = n }
        if let x = r.optional("cpus", chronosResource(atMost: 1_000_000)) { job.cpus = x }
        if let x = r.optional("mem", chronosResource(atMost: 1e12)) { job.mem = x }
        if let x = r.optional("disk", chronosResource(atMost: 1e12)) { job.disk = x }
        if let b = r.optional("disabled", .bool) { job.disabled = b }
        if let b = r.optional("concurrent", .bool) {
            if version == .v2 { d.warning(r.keyPath("concurrent"), at: r.value["concurrent"], "Chronos 2.x does not read \"concurrent\" (a run due while the job runs is dropped): ignored") }
            else { job.concurrent = b }
        }
        if let mv = r.value("maxCompletionTime") {
            // JobDeserializer@c1348ddfd80e reads it with Jackson asLong; MesosTaskBuilder sets
            // TaskInfo.max_completion_time (seconds) only when it is > 0. 2.5.1 has no such field.
            if version == .v2 {
                d.warning(r.keyPath("maxCompletionTime"), at: mv, "Chronos 2.x does not read \"maxCompletionTime\" (added in 3.0): ignored")
            } else if let n = ValueDecoder<Int>.int().decode(mv, r.keyPath("maxCompletionTime"), d), n > 0 {
                job.maxCompletionTime = .seconds(Int64(n))
            }
        }
        if let b = r.optional("highPriority", .bool) { job.highPriority = b }
        if let b = r.optional("softError", .bool) { job.softError = b }
        if let b = r.optional("async", .bool) {
            // JobDeserializer@c1348ddfd80e has no "async" (async jobs went in 3.0.0, #734; #761 removed the rest)
            if version == .v3 { d.warning(r.keyPath("async"), at: r.value["async"], "Chronos 3.x does not read \"async\" (async jobs were removed in 3.0.0): ignored, a TASK_FINISHED is the job's success") }
            else { job.async = b }
        }
        if let cv = r.value("container") {
            if let members = cv.objectMembers {
                if let iv = members.first(where: { $0.key == "image" })?.value {
                    if let s = iv.stringValue, !s.isEmpty { job.image = s }
                    else { d.error(JSONPath.key(r.keyPath("container"), "image"), at: iv, typeMismatch("the image name, a non-empty string", iv)) }
                }
            } else { d.error(r.keyPath("container"), at: cv, typeMismatch("Chronos' container object, like {\"type\": \"DOCKER\", \"image\": \"busybox\"}", cv)) }
        }
        if let cv = r.value("constraints") { job.constraints = decodeChronosConstraints(cv, path: r.keyPath("constraints"), d) }
        // JobDeserializer reads the export's error bookkeeping and the endpoints keep it;
        // JobScheduler.handleFailedTask decides retries and disabling with it.
        if let v = r.value("lastError") { job.lastError = jacksonText(v) }
        if let v = r.value("lastSuccess") { job.lastSuccess = jacksonText(v) }
        if let v = r.value("errorsSinceLastSuccess"), let n = jacksonLong(v, r.keyPath("errorsSinceLastSuccess"), d) { job.errorsSinceLastSuccess = n }
        for k in chronosPassiveJobFields { _ = r.value(k) }
        // the arguments end the job's Mesos task ids (ChronosJob.mesosTaskIDLength)
        if let a = r.value("arguments")?.arrayValue { job.arguments = a.compactMap(\.stringValue) }
        let uris = r.value("uris")?.arrayValue ?? [], fetch = r.value("fetch")?.arrayValue ?? []
        if !uris.isEmpty && !fetch.isEmpty {
            d.error(r.keyPath("fetch"), at: r.value["fetch"], "both \"uris\" (deprecated) and \"fetch\" are given: Chronos answers 400 Bad Request (JobUtils.isValidURIDefinition)")
        }
        for (m, suggestion) in r.takeUnread() {
            d.warning(r.keyPath(m.key), at: m.value, "unknown field \(JSONValue.quote(m.key)) ignored, as Chronos' JSON reader ignores fields it does not know" + (suggestion.map { "; did you mean \(JSONValue.quote($0))?" } ?? ""))
        }
        r.finish()
        return d.errorCount == before ? (job, r.value("parents")) : nil
    }

    /// Jackson `JsonNode.asText` as JobDeserializer reads `lastError` / `lastSuccess`: a string's
    /// text, `null` "null", a boolean "true"/"false", a number its JSON text, an array or object "".
    static func jacksonText(_ v: JSONValue) -> String {
        if let s = v.stringValue { return s }
        if v.isNull { return "null" }
        if let b = v.boolValue { return b ? "true" : "false" }
        if let n = v.numberValue { return n.text }
        return ""
    }

    /// Jackson `JsonNode.asLong` as JobDeserializer reads `errorsSinceLastSuccess`: a number
    /// truncated, a numeric string parsed, `true` 1, anything else 0 (a warning for a string that
    /// is no number). Beyond +-2147483647 it is an error (the simulator's limit; Chronos' is a Long).
    static func jacksonLong(_ v: JSONValue, _ p: String, _ d: Diagnostics) -> Int64? {
        let limit = Double(maxScenarioInteger)
        func ranged(_ x: Double, _ text: String) -> Int64? {
            guard x.isFinite, abs(x) <= limit else {
                d.error(p, at: v, "expected an integer from \(-maxScenarioInteger) to \(maxScenarioInteger) (the simulator's limit), got \(text)")
                return nil
            }
            return Int64(x.rounded(.towardZero))
        }
        if let n = v.numberValue { return ranged(n.double, n.text) }
        if let b = v.boolValue { return b ? 1 : 0 }
        if let text = v.stringValue {
            if let x = Double(text.trimmingCharacters(in: .whitespaces)) { return ranged(x, JSONValue.quote(text)) }
            d.warning(p, at: v, "\(JSONValue.quote(text)) is not a number: Chronos reads it as 0 (Jackson asLong)")
            return 0
        }
        return 0
    }

    /// `[attribute, operator, value]` (JobDeserializer: EQUALS, LIKE, UNLIKE).
    static func decodeChronosConstraints(_ v: JSONValue, path: String, _ d: Diagnostics) -> [ChronosConstraint] {
        guard let a = v.arrayValue else { d.error(path, at: v, typeMismatch("an array of [attribute, operator, value]", v)); return [] }
        var out: [ChronosConstraint] = []
        for (i, e) in a.enumerated() {
            let p = JSONPath.index(path, i)
            guard let parts = e.arrayValue, parts.count == 3, let attr = parts[0].stringValue, let op = parts[1].stringValue, let value = parts[2].stringValue else {
                d.error(p, at: e, "expected [attribute, operator, value] of three strings, like [\"rack_id\", \"EQUALS\", \"rack-1\"]")
                continue
            }
            guard let o = ChronosConstraint.Operator(rawValue: op) else {
                d.error(JSONPath.index(p, 1), at: parts[1], "unknown constraint operator \(JSONValue.quote(op)); Chronos knows \(ChronosConstraint.Operator.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            let c = ChronosConstraint(attribute: attr, op: o, value: value)
            if o != .equals && c.regex == nil {
                d.error(JSONPath.index(p, 2), at: parts[2], "\(JSONValue.quote(value)) \(ConstraintRegex.problem(value) ?? "is not a regular expression")")
                continue
            }
            out.append(c)
        }
        return out
    }
}

extension ChronosSchedule {
    /// A job's `epsilon` (Joda `Period.parse`), when its length is fixed.
    static func parsePeriodForEpsilon(_ s: String) -> SimDuration? {
        guard let p = parsePeriod(s), p.years == 0, p.months == 0, p.standardMillis <= maxPeriodMillis else { return nil }
        return .milliseconds(p.standardMillis)
    }
}

extension ScenarioSchema {
    /// `cpus`, `mem`, `disk` as Chronos' JobDeserializer reads them: Jackson's `JsonNode.asDouble`, so a number, a
    /// numeric string (`"0.5"`, as Chronos' own docs write them), `true` (1) or `false`/`null`/any other string (0,
    /// a warning); 0 then means the flag's default (`--mesos_task_cpu` ...). mesos/chronos:src/main/scala/org/apache/
    /// mesos/chronos/scheduler/jobs/JobSerializer.scala (JobDeserializer)@2.5.1. Negative or over `atMost`: an error.
    static func chronosResource(atMost: Double) -> ValueDecoder<Double> {
        let number = ValueDecoder<Double>.number(atLeast: 0, atMost: atMost)
        return ValueDecoder { v, p, d in
            if v.numberValue != nil { return number.decode(v, p, d) }
            if let b = v.boolValue { return b ? 1 : 0 }
            if let text = v.stringValue {
                let t = text.trimmingCharacters(in: .whitespaces)
                if let x = Double(t), x.isFinite {
                    guard x >= 0, x <= atMost else {
                        d.error(p, at: v, "expected a number >= 0 and <= \(NumberFormat.decimal(atMost)) (Chronos reads the string as a number), got \(JSONValue.quote(text))")
                        return nil
                    }
                    return x
                }
                d.warning(p, at: v, "\(JSONValue.quote(text)) is not a number: Chronos reads it as 0 (Jackson asDouble), so the flag's default applies")
                return 0
            }
            if v.isNull { return 0 }
            d.error(p, at: v, "expected a number or a numeric string (Chronos reads it with Jackson asDouble), got \(v.arrayValue != nil ? "an array" : "an object")")
            return nil
        }
    }
}
