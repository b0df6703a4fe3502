import ClusterModel
import SimKernel

// Mesos flag values as written on the command line, read as stout reads them, and the pass that
// sorts the members of `mesos.masters.flags` / `mesos.agents.flags` before the modelled flags are
// decoded: every flag of the chosen release loads (MesosFlagTable.swift); the ones the simulator
// does not model are parsed by their type and listed in one warning; a flag of other releases, an
// unknown name and a value stout refuses are errors in stout's words
// (3rdparty/stout/include/stout/flags/flags.hpp `FlagsBase::load`). docs/mesos.md "Every Mesos flag".

/// A value stout refuses: its message (the part after "Failed to load value '<v>': ").
struct StoutError: Error, Equatable { let message: String }

enum StoutParse {
    /// stout Duration::parse (stout/duration.hpp): digits and dots, then exactly one of the units
    /// ns, us, ms, secs, mins, hrs, days, weeks. No sign, no space, no compound values. Nanoseconds.
    static func duration(_ s: String) -> Result<Int64, StoutError> {
        let number = s.prefix { ($0.isASCII && $0.isNumber) || $0 == "." }
        guard number.count < s.count else { return .failure(StoutError(message: "Invalid duration '\(s)'")) }
        guard let x = Double(number), x.isFinite else { return .failure(StoutError(message: "Failed to convert '\(number)' to number")) }
        let factors: [(String, Double)] = [("ns", 1), ("us", 1e3), ("ms", 1e6), ("secs", 1e9), ("mins", 60e9),
                                           ("hrs", 3600e9), ("days", 86400e9), ("weeks", 604800e9)]
        let unit = String(s.dropFirst(number.count))
        guard let f = factors.first(where: { $0.0 == unit })?.1 else {
            return .failure(StoutError(message: "Unknown duration unit '\(unit)'; supported units are 'ns', 'us', 'ms', 'secs', 'mins', 'hrs', 'days', and 'weeks'"))
        }
        let nanos = x * f
        // duration.hpp@1.11.0; older releases overflow silently, which the simulator cannot take either
        guard nanos < 9.2e18 else { return .failure(StoutError(message: "Argument out of the range that a Duration can represent due to int64_t's size limit")) }
        return .success(Int64(nanos))
    }

    /// stout flags/parse.hpp `parse<bool>`; the empty value is `true` (flags.hpp `load`: a boolean
    /// flag given without a value).
    static func bool(_ s: String) -> Result<Bool, StoutError> {
        switch s {
        case "true", "1", "": return .success(true)
        case "false", "0": return .success(false)
        default: return .failure(StoutError(message: "Expecting a boolean (e.g., true or false)"))
        }
    }

    static let spaces: Set<Character> = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}"]

    /// The generic `parse<T>` of stout: `istringstream >> t` that must reach the end: leading
    /// white space and a sign are taken, nothing may follow the number. A negative value of an
    /// unsigned type is refused here (libstdc++ would wrap it around to a huge number).
    static func integer(_ s: String, min: Int64, max: UInt64) -> Result<Int64, StoutError> {
        let fail = StoutError(message: "Failed to convert into required type")
        var t = Substring(s)
        while let c = t.first, spaces.contains(c) { t = t.dropFirst() }
        guard !t.isEmpty, t.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "+" || $0 == "-" }) else { return .failure(fail) }
        if let v = Int64(t) {
            guard v >= min, v >= 0 ? UInt64(v) <= max : true else { return .failure(fail) }
            return .success(v)
        }
        // larger than Int64 but within a size_t: Mesos takes it; the simulator keeps Int64.max
        if let u = UInt64(t.hasPrefix("+") ? t.dropFirst() : t), u <= max { return .success(Int64.max) }
        return .failure(fail)
    }

    static func double(_ s: String) -> Result<Double, StoutError> {
        var t = Substring(s)
        while let c = t.first, spaces.contains(c) { t = t.dropFirst() }
        guard let x = Double(t), x.isFinite, !t.contains(where: { $0.isLetter && $0 != "e" && $0 != "E" }) else {
            return .failure(StoutError(message: "Failed to convert into required type"))
        }
        return .success(x)
    }

    /// stout parse<std::vector<unsigned int>>: comma-separated (empty tokens skipped) numify'd numbers.
    static func unsignedList(_ s: String) -> Result<Void, StoutError> {
        for token in s.split(separator: ",") where UInt32(token) == nil {
            return .failure(StoutError(message: "Failed to numify '\(token)': Failed to convert '\(token)' to number"))
        }
        return .success(())
    }

    /// JSON::parse<JSON::Object> (and the protobuf flags, which parse a JSON object first).
    static func jsonObject(_ s: String) -> Result<JSONValue, StoutError> {
        let r = JSONParser.parse(s)
        if let e = r.errors.first { return .failure(StoutError(message: e.message)) }
        guard let v = r.value else { return .failure(StoutError(message: "Unexpected JSON type parsed")) }
        guard v.objectMembers != nil else { return .failure(StoutError(message: "Unexpected JSON type parsed")) }
        return .success(v)
    }
}

extension MesosFlagKind {
    /// The kind in words, with an example of its command-line form.
    var described: String {
        switch self {
        case .bool: return "a boolean (\"true\", \"false\", \"1\", \"0\" or a JSON boolean)"
        case .duration: return "a duration (like \"15secs\", \"10mins\", \"100ms\", a Go duration like \"15s\", or a number of seconds)"
        case .bytes: return "a size (like \"512MB\", \"10GB\")"
        case .int32, .unsigned16, .unsigned64: return "an integer (a number or its digits as a string)"
        case .double: return "a number (or its digits as a string)"
        case .string, .unsignedList: return "a string as on the Mesos command line"
        case .jsonObject: return "a JSON object (or its text as a string)"
        case .protobuf(let m): return "a JSON object (the \(m) message, or its text as a string)"
        }
    }
}

extension ScenarioSchema {
    /// The names the chosen release loads for `role` (flags and deprecated names), sorted.
    static func mesosFlagNames(_ role: MesosFlagRole, version: MesosVersion) -> [String] {
        var out: [String] = []
        for f in mesosFlagTable(role) where f.exists(in: version) {
            out.append(f.name)
            if let old = f.deprecatedName(in: version) { out.append(old) }
        }
        return out.sorted()
    }

    /// "1.1.0 to 1.11.x" or "1.1.3 to 1.1.x, 1.2.2 to 1.2.x and 1.3.1 to 1.11.x".
    static func mesosReleasesText(_ ranges: [ClosedRange<MesosVersion>]) -> String {
        func text(_ v: MesosVersion) -> String { v.patch == .max ? "\(v.major).\(v.minor).x" : "\(v.major).\(v.minor).\(v.patch)" }
        let parts = ranges.map { "\(text($0.lowerBound)) to \(text($0.upperBound))" }
        return parts.count <= 1 ? parts.joined() : parts.dropLast().joined(separator: ", ") + " and " + parts.last!
    }

    /// What the model does in a release without the (modelled) flag.
    static let mesosFlagAbsenceNotes: [String: String] = [
        "executor_reregistration_timeout": "; without it the agent waits the fixed 2s (src/slave/constants.hpp@1.3.0 EXECUTOR_REREGISTER_TIMEOUT)",
        "role_sorter": "; before, the flag is called user_sorter (and nothing reads it: the allocator always sorts by DRF)",
        "min_allocatable_resources": "; before, the allocator's minimum is fixed at cpus:0.01|mem:32 (src/master/constants.hpp MIN_CPUS, MIN_MEM)",
    ]

    /// Parses a string value of `kind` as stout does. Returns the value the modelled readers take
    /// (a JSON boolean, number, Go duration or object in place of the string), or the stout error.
    static func stoutValue(_ s: String, kind: MesosFlagKind, at v: JSONValue) -> Result<JSONValue, StoutError> {
        func number(_ text: String) -> JSONValue { JSONValue(.number(JSONNumber(text: text, double: Double(text) ?? 0)), location: v.location) }
        switch kind {
        case .bool: return StoutParse.bool(s).map { JSONValue(.bool($0), location: v.location) }
        case .duration:
            switch StoutParse.duration(s) {
            case .success(let ns): return .success(JSONValue(.string(SimDuration(nanoseconds: ns).description), location: v.location))
            case .failure(let e):
                // the simulator's own forms, kept: a Go duration ("15s", "1m30s")
                if GoDuration.parse(s.trimmingSpaces) != nil { return .success(v) }
                return .failure(e)
            }
        case .bytes: return stoutBytes(s).map { _ in v }.mapError { StoutError(message: $0.message) }
        case .int32: return StoutParse.integer(s, min: Int64(Int32.min), max: UInt64(Int32.max)).map { number(String($0)) }
        case .unsigned16: return StoutParse.integer(s, min: 0, max: UInt64(UInt16.max)).map { number(String($0)) }
        case .unsigned64: return StoutParse.integer(s, min: 0, max: UInt64.max).map { number(String($0)) }
        case .double: return StoutParse.double(s).map { number(String($0)) }
        case .string: return .success(v)
        case .unsignedList: return StoutParse.unsignedList(s).map { v }
        case .jsonObject, .protobuf:
            // parse.hpp: a value starting with '/' is a file Mesos reads (deprecated form of file://)
            if s.hasPrefix("/") { return .success(v) }
            return StoutParse.jsonObject(s).map { JSONValue($0.kind, location: v.location) }
        }
    }

    /// Whether a typed JSON value (not a string) suits `kind`; nil when it does, else the problem.
    static func typedValueProblem(_ v: JSONValue, kind: MesosFlagKind) -> String? {
        switch (kind, v.kind) {
        case (.bool, .bool): return nil
        case (.duration, .number(let n)):
            return n.double.isFinite && abs(n.double) <= ScenarioUnits.maxDuration.seconds ? nil : "\(n.text) seconds is out of range; a duration is at most \(ScenarioUnits.maxDurationText)"
        case (.int32, .number(let n)):
            return n.int64.map { $0 >= Int64(Int32.min) && $0 <= Int64(Int32.max) } == true ? nil : "expected an integer from \(Int32.min) to \(Int32.max), got \(n.text)"
        case (.unsigned16, .number(let n)):
            return n.int64.map { $0 >= 0 && $0 <= 65535 } == true ? nil : "expected an integer from 0 to 65535, got \(n.text)"
        case (.unsigned64, .number(let n)):
            return n.int64.map { $0 >= 0 } == true ? nil : "expected an integer >= 0, got \(n.text)"
        case (.double, .number(let n)): return n.double.isFinite ? nil : "expected a finite number, got \(n.text)"
        case (.jsonObject, .object), (.protobuf, .object): return nil
        default: return "expected \(kind.described), got \(v.described)"
        }
    }

    /// Sorts a flags object: returns the members for the modelled readers (`modelled` names, values
    /// given as command-line strings turned into the typed JSON those readers take); every other
    /// flag of `version` is parsed by its type and named in one warning; flags of other releases,
    /// unknown names and refused values are errors. `legacyReleaseChecks`: modelled flags whose
    /// release check the reader makes itself (`rejectMissingFlags`, with its own note).
    static func prepareMesosFlags(_ v: JSONValue, path: String, role: MesosFlagRole, version: MesosVersion,
                                  modelled: SectionKeys, legacyReleaseChecks: [String], _ d: Diagnostics) -> JSONValue {
        guard let members = v.objectMembers else { return v }
        let table = mesosFlagTable(role)
        let binary = role == .master ? "mesos-master" : "mesos-agent"
        var kept: [JSONMember] = []
        var notModelled: [String] = []
        var loadedVia: [(flag: String, name: String)] = []   // unmodelled flags loaded, by the name used
        for m in members {
            let key = m.key
            let p = JSONPath.key(path, key)
            let keyLocation = m.keyLocation ?? m.value.location
            func valueError(_ flag: String, _ e: StoutError) {
                let shown = m.value.stringValue ?? m.value.brief
                d.error(p, at: m.value, "Failed to load flag '\(flag)': Failed to load value '\(shown)': \(e.message) (\(binary) \(version) does not start)")
            }
            let own = table.first { $0.name == key }
            let viaOld = table.first { $0.deprecatedName(in: version) == key && $0.exists(in: version) }
            if modelled.declares(key) {
                let info = own ?? viaOld
                if let info, !info.exists(in: version), viaOld == nil, !legacyReleaseChecks.contains(key) {
                    d.error(p, location: keyLocation, "--\(key) exists in Mesos \(mesosReleasesText(info.releases))\(mesosFlagAbsenceNotes[key] ?? ""); mesos.version is \(version)")
                    continue
                }
                var out = m
                if let info, let s = m.value.stringValue {
                    switch stoutValue(s, kind: info.kind, at: m.value) {
                    case .success(let x): out.value = x
                    case .failure(let e): valueError(key, e); continue
                    }
                }
                kept.append(out)
                continue
            }
            if let info = (own.flatMap { $0.exists(in: version) ? $0 : nil }) ?? viaOld {
                if let earlier = loadedVia.first(where: { $0.flag == info.name }) {
                    d.error(p, location: keyLocation, "Flag '\(key)' is already loaded via name '\(earlier.name)' (\(binary) \(version) does not start: give one of them)")
                    continue
                }
                loadedVia.append((info.name, key))
                if info.name != key {
                    d.warning(p, at: m.value, "Loaded deprecated flag '\(key)' (Mesos' warning: it is the old name of --\(info.name))")
                }
                if let s = m.value.stringValue {
                    if case .failure(let e) = stoutValue(s, kind: info.kind, at: m.value) { valueError(key, e); continue }
                } else if let problem = typedValueProblem(m.value, kind: info.kind) {
                    d.error(p, at: m.value, problem); continue
                }
                if (info.name == "help" || info.name == "version"), m.value.boolValue ?? (m.value.stringValue.map { (try? StoutParse.bool($0).get()) ?? false } ?? false) {
                    d.error(p, at: m.value, "with --\(info.name) \(binary) prints its \(info.name == "help" ? "usage" : "version") and exits without starting; remove it")
                    continue
                }
                notModelled.append(key)
                continue
            }
            if let info = own {
                d.error(p, location: keyLocation, "--\(key) exists in Mesos \(mesosReleasesText(info.releases)); mesos.version is \(version)")
                continue
            }
            if let old = table.first(where: { $0.deprecatedName == key }) {
                d.error(p, location: keyLocation, "--\(key) is a name of --\(old.name) in Mesos \(mesosReleasesText(old.deprecatedIn)); mesos.version is \(version)")
                continue
            }
            // stout's map form takes "no-<flag>" for a boolean flag without a value
            if key.hasPrefix("no-") {
                let base = String(key.dropFirst(3))
                let info = table.first { $0.name == base && $0.exists(in: version) } ?? table.first { $0.deprecatedName(in: version) == base && $0.exists(in: version) }
                guard let info else {
                    d.error(p, location: keyLocation, "Failed to load unknown flag '\(base)' via '\(key)' (\(binary) \(version) does not start)")
                    continue
                }
                guard info.kind == .bool else {
                    d.error(p, location: keyLocation, "Failed to load non-boolean flag '\(base)' via '\(key)' (\(binary) \(version) does not start)")
                    continue
                }
                guard m.value.stringValue == "" else {
                    let shown = m.value.stringValue ?? m.value.brief
                    d.error(p, at: m.value, "Failed to load boolean flag '\(base)' via '\(key)' with value '\(shown)' (\(binary) \(version) does not start; write \"\(base)\": \"false\")")
                    continue
                }
                let falseValue = JSONValue(.bool(false), location: m.value.location)
                if modelled.declares(base) {
                    kept.append(JSONMember(key: base, keyLocation: m.keyLocation, value: falseValue))
                } else {
                    loadedVia.append((info.name, key)); notModelled.append(key)
                }
                continue
            }
            d.error(p, location: keyLocation, "Failed to load unknown flag '\(key)' (\(binary) \(version) does not start)\(Suggest.didYouMean(key, among: mesosFlagNames(role, version: version)))")
        }
        if !notModelled.isEmpty {
            d.warning(path, at: v, "flags accepted but not modelled: \(notModelled.sorted().joined(separator: ", "))")
        }
        return JSONValue(.object(kept), location: v.location)
    }
}

extension ScenarioSchema {
    /// The period of `--agent_removal_rate_limit` "N/period": a stout duration as Mesos reads it
    /// (master/main.cpp: `Duration::parse` of the part after '/', e.g. "1/10mins"), or the Go
    /// durations the simulator took before ("1/10m", and "1/m" for one minute).
    static func mesosRatePeriod(_ s: String) -> SimDuration? {
        if case .success(let ns) = StoutParse.duration(s) { return SimDuration(nanoseconds: ns) }
        return SimDuration(goString: s) ?? GoDuration.parse(s == "" ? "x" : "1" + s)
    }
}
