import ClusterModel
import SimKernel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// ceph.conf as Ceph Nautilus (14.2) reads it (`storage.ceph.config`): ceph/ceph v14.2.16
// src/common/ConfUtils.cc (`ConfFile::load_from_buffer`, `process_line`, `normalize_key_name`),
// src/common/config.cc (`md_config_t::parse_config_files`, `_get_my_sections`,
// `_get_val_from_conf_file`), src/common/options.cc (`Option::parse_value`, `validate`, the
// modelled options' types and limits) and src/common/strtol.cc (`strict_si_cast`, `strict_strtod`).
// Nautilus takes every ceph.conf it can open: a line it cannot parse is logged ("Errors while
// parsing config file!") and skipped, a value an option refuses is logged ("parse error setting
// ...") and the option keeps its default, names that are not options are never looked at. The
// daemons start either way, so those are warnings here, in Ceph's words; what the simulator
// cannot run (a value Ceph takes outside the model's range) is an error naming the simulator.

enum CephConfigFile {
    /// One `key = value` line, as Ceph keeps it (the last of a repeated key in a section).
    struct Entry: Equatable {
        var section: String
        var key: String
        var value: String
        var line: Int?
    }

    struct Parsed {
        var sections: [String] = []          // in the order of their first header ("global" first)
        var entries: [Entry] = []            // per section, each key once at its last value
        var errors: [(line: Int?, message: String)] = []     // ConfFile's parse errors (line skipped)
        var warnings: [(line: Int?, message: String)] = []   // its warnings (a key redefined)
    }

    /// C's isspace in the "C" locale.
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }

    /// ConfFile::trim_whitespace: leading and trailing blanks removed; with `internal`, every run
    /// of blanks inside becomes its first character.
    static func trim(_ s: [UInt8], internal collapse: Bool) -> [UInt8] {
        var lo = 0, hi = s.count
        while lo < hi, isSpace(s[lo]) { lo += 1 }
        while hi > lo, isSpace(s[hi - 1]) { hi -= 1 }
        let t = Array(s[lo..<hi])
        guard collapse else { return t }
        var out: [UInt8] = []
        var previous = false
        for c in t {
            if isSpace(c) { if !previous { out.append(c) }; previous = true } else { out.append(c); previous = false }
        }
        return out
    }

    /// ConfFile::normalize_key_name (14.2): trimmed, blanks collapsed, spaces become underscores.
    /// Dashes stay dashes and a tab stays a tab: `osd-max-backfills` is not `osd_max_backfills`.
    static func normalizeKey(_ key: [UInt8]) -> [UInt8] {
        trim(key, internal: true).map { $0 == 0x20 ? 0x5F : $0 }
    }

    static func string(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }

    /// ConfFile::process_line: nil for a blank line or an error (appended to `errors`).
    static func processLine(_ line: [UInt8], number n: Int, errors: inout [(line: Int?, message: String)])
        -> (key: [UInt8], value: [UInt8], section: [UInt8])? {
        enum State { case initial, sectionName, key, valueStart, unquoted, quoted, commentStart, commentText }
        var state = State.initial
        var key: [UInt8] = [], value: [UInt8] = [], section: [UInt8] = []
        var escaping = false
        var i = 0
        func fail(_ m: String) -> (key: [UInt8], value: [UInt8], section: [UInt8])? { errors.append((n, m)); return nil }
        while true {
            let c: UInt8 = i < line.count ? line[i] : 0
            i += 1
            let at = i          // (l - line) after the read
            let comment = c == UInt8(ascii: "#") || c == UInt8(ascii: ";")
            switch state {
            case .initial:
                if c == 0 { return nil }
                else if c == UInt8(ascii: "[") { state = .sectionName }
                else if comment { state = .commentText }
                else if c == UInt8(ascii: "]") { return fail("unexpected right bracket at char \(at), line \(n)") }
                else if isSpace(c) {}
                else { state = .key; i -= 1 }
            case .sectionName:
                if c == 0 { return fail("error parsing new section name: expected right bracket at char \(at), line \(n)") }
                else if c == UInt8(ascii: "]") && !escaping {
                    section = trim(section, internal: true)
                    if section.isEmpty { return fail("error parsing new section name: no section name found? at char \(at), line \(n)") }
                    state = .commentStart
                } else if comment && !escaping {
                    return fail("unexpected comment marker while parsing new section name, at char \(at), line \(n)")
                } else if c == UInt8(ascii: "\\") && !escaping { escaping = true }
                else { escaping = false; section.append(c) }
            case .key:
                if (comment && !escaping) || c == 0 {
                    return fail(c == 0 ? "end of key=val line \(n) reached, no \"=val\" found...missing =?"
                                       : "unexpected character while parsing putative key value, at char \(at), line \(n)")
                } else if c == UInt8(ascii: "=") && !escaping {
                    key = normalizeKey(key)
                    if key.isEmpty { return fail("error parsing key name: no key name found? at char \(at), line \(n)") }
                    state = .valueStart
                } else if c == UInt8(ascii: "\\") && !escaping { escaping = true }
                else { escaping = false; key.append(c) }
            case .valueStart:
                if c == 0 { return (key, value, section) }
                else if comment { state = .commentText }
                else if c == UInt8(ascii: "\"") { state = .quoted }
                else if isSpace(c) {}
                else { state = .unquoted; i -= 1 }
            case .unquoted:
                if c == 0 {
                    if escaping { return fail("error parsing value name: unterminated escape sequence at char \(at), line \(n)") }
                    return (key, trim(value, internal: false), section)
                } else if comment && !escaping { value = trim(value, internal: false); state = .commentText }
                else if c == UInt8(ascii: "\\") && !escaping { escaping = true }
                else { escaping = false; value.append(c) }
            case .quoted:
                if c == 0 { return fail("found opening quote for value, but not the closing quote. line \(n)") }
                else if c == UInt8(ascii: "\"") && !escaping { state = .commentStart }
                else if c == UInt8(ascii: "\\") && !escaping { escaping = true }
                else { escaping = false; value.append(c) }
            case .commentStart:
                if c == 0 { return (key, value, section) }
                else if comment { state = .commentText }
                else if isSpace(c) {}
                else { return fail("unexpected character at char \(at) of line \(n)") }
            case .commentText:
                if c == 0 { return (key, value, section) }
            }
        }
    }

    /// ConfFile::load_from_buffer: lines end with `\n` (a last line without one is skipped with an
    /// error), a line with a NUL byte is skipped, a backslash at the end joins the next line; the
    /// lines before the first header are in [global]; a repeated key in a section replaces the
    /// earlier one (a warning); a header seen again continues its section.
    static func parse(_ text: String) -> Parsed {
        var out = Parsed()
        out.sections = ["global"]
        var lines: [String: [(key: String, value: String, line: Int)]] = ["global": []]   // looked up, never iterated
        var current = "global"
        let bytes = Array(text.utf8)
        var acc: [UInt8] = []
        var start = 0, n = 0
        while start < bytes.count {
            n += 1
            guard let end = bytes[start...].firstIndex(of: 0x0A) else {
                out.errors.append((n, "read_conf: ignoring line \(n) because it doesn't end with a newline! Please end the config file with a newline."))
                break
            }
            let line = Array(bytes[start..<end])
            start = end + 1
            if line.contains(0) {
                out.errors.append((n, "read_conf: ignoring line \(n) because it has an embedded null."))
                acc.removeAll(); continue
            }
            if line.last == UInt8(ascii: "\\") { acc += line.dropLast(); continue }
            acc += line
            let parsed = processLine(acc, number: n, errors: &out.errors)
            acc.removeAll()
            guard let (k, v, s) = parsed else { continue }
            if !s.isEmpty {
                current = string(s)
                if lines[current] == nil { lines[current] = []; out.sections.append(current) }
                continue
            }
            guard !k.isEmpty else { continue }      // a comment line
            let key = string(k)
            if let i = lines[current]!.firstIndex(where: { $0.key == key }) {
                lines[current]!.remove(at: i)
                out.warnings.append((n, "warning: line \(n): '\(key)' in section '\(current)' redefined "))
            }
            lines[current]!.append((key, string(v), n))
        }
        if !acc.isEmpty { out.errors.append((nil, "read_conf: don't end with lines that end in backslashes!")) }
        for s in out.sections { for e in lines[s]! { out.entries.append(Entry(section: s, key: e.key, value: e.value, line: e.line)) } }
        return out
    }

    // MARK: the modelled options (options.cc, 14.2)

    enum Kind { case int, uint, float }
    enum Daemon { case osd, mon }
    struct Option {
        let name: String
        let kind: Kind
        let daemon: Daemon
        let min: Int64?
        let max: Int64?
    }

    static let options: [Option] = [
        Option(name: "osd_heartbeat_interval", kind: .int, daemon: .osd, min: 1, max: 60),
        Option(name: "osd_heartbeat_grace", kind: .int, daemon: .osd, min: nil, max: nil),
        Option(name: "mon_osd_down_out_interval", kind: .int, daemon: .mon, min: nil, max: nil),
        Option(name: "osd_max_backfills", kind: .uint, daemon: .osd, min: nil, max: nil),
        Option(name: "osd_recovery_max_active", kind: .uint, daemon: .osd, min: nil, max: nil),
        Option(name: "osd_recovery_sleep", kind: .float, daemon: .osd, min: nil, max: nil),
        Option(name: "osd_recovery_sleep_hdd", kind: .float, daemon: .osd, min: nil, max: nil),
        Option(name: "osd_recovery_sleep_ssd", kind: .float, daemon: .osd, min: nil, max: nil),
        Option(name: "osd_recovery_sleep_hybrid", kind: .float, daemon: .osd, min: nil, max: nil),
        Option(name: "osd_pool_default_size", kind: .uint, daemon: .mon, min: 0, max: 10),
        Option(name: "osd_pool_default_min_size", kind: .uint, daemon: .mon, min: 0, max: 255),
    ]

    enum Value: Equatable { case int(Int64), uint(UInt64), float(Double) }
    enum Outcome<T> { case ok(T), bad(String) }

    /// strict_strtoll: the whole text is a base-10 integer (strtoll: leading blanks, a sign).
    static func strictStrtoll(_ s: [UInt8]) -> Outcome<Int64> {
        var i = 0
        while i < s.count, isSpace(s[i]) { i += 1 }
        var negative = false
        if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { negative = s[i] == UInt8(ascii: "-"); i += 1 }
        let digits = i
        var magnitude: UInt64 = 0
        var overflow = false
        while i < s.count, s[i] >= 0x30, s[i] <= 0x39 {
            let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(UInt64(s[i] - 0x30))
            if o1 || o2 { overflow = true } else { magnitude = m2 }
            i += 1
        }
        let text = string(s)
        if i == digits || i != s.count { return .bad("Expected option value to be integer, got '\(text)'") }
        let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        if overflow || magnitude > limit { return .bad("The option value '\(text)' seems to be invalid") }
        return .ok(negative ? (magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)) : Int64(magnitude))
    }

    /// strict_si_cast<int64_t / uint64_t>: an optional K M G T P E suffix (powers of 1000).
    static func strictSICast(_ s: [UInt8], unsigned: Bool) -> Outcome<Value> {
        if s.isEmpty { return .bad("strict_sistrtoll: value not specified") }
        var n = s
        var m = 0
        if s.contains(where: { !(($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-")) }) {
            switch s.last! {
            case UInt8(ascii: "K"): m = 3
            case UInt8(ascii: "M"): m = 6
            case UInt8(ascii: "G"): m = 9
            case UInt8(ascii: "T"): m = 12
            case UInt8(ascii: "P"): m = 15
            case UInt8(ascii: "E"): m = 18
            case UInt8(ascii: "B"): break
            default: return .bad("strict_si_cast: unit prefix not recognized")
            }
            if m >= 3 { n = Array(s.dropLast()) }
        }
        let ll: Int64
        switch strictStrtoll(n) {
        case .bad(let e): return .bad(e)
        case .ok(let x): ll = x
        }
        if ll < 0 && unsigned { return .bad("strict_sistrtoll: value should not be negative") }
        var scale: Int64 = 1
        for _ in 0..<(m / 3) { scale *= 1000 }
        let maxT: Double = unsigned ? Double(UInt64.max) : Double(Int64.max)
        let minT: Double = unsigned ? 0 : Double(Int64.min)
        if Double(ll) < minT / Double(scale) { return .bad("strict_sistrtoll: value seems to be too small") }
        if Double(ll) > maxT / Double(scale) { return .bad("strict_sistrtoll: value seems to be too large") }
        if unsigned {
            let (v, o) = UInt64(ll).multipliedReportingOverflow(by: UInt64(scale))
            return .ok(.uint(o ? UInt64.max : v))
        }
        let (v, o) = ll.multipliedReportingOverflow(by: scale)
        return .ok(.int(o ? (ll < 0 ? Int64.min : Int64.max) : v))
    }

    /// strict_strtod: glibc's strtod over the whole text.
    static func strictStrtod(_ text: String) -> Outcome<Double> {
        var endIndex = 0
        var failed = false
        let value: Double = text.withCString { p in
            var end: UnsafeMutablePointer<CChar>? = nil
            errno = 0
            let x = strtod(p, &end)
            failed = errno == ERANGE
            endIndex = end.map { $0 - UnsafeMutablePointer(mutating: p) } ?? 0
            return x
        }
        if failed { return .bad("strict_strtod: floating point overflow or underflow parsing '\(text)'") }
        if endIndex == 0 { return .bad("strict_strtod: expected double, got: '\(text)'") }
        if endIndex != text.utf8.count { return .bad("strict_strtod: garbage at end of string. got: '\(text)'") }
        return .ok(value)
    }

    /// Option::parse_value then Option::validate for one modelled option.
    static func parseValue(_ raw: String, _ o: Option) -> Outcome<Value> {
        let v: Value
        switch o.kind {
        case .int, .uint:
            switch strictSICast(Array(raw.utf8), unsigned: o.kind == .uint) {
            case .bad(let e): return .bad(e)
            case .ok(let x): v = x
            }
        case .float:
            // a NUL cannot reach here: load_from_buffer skips lines holding one
            switch strictStrtod(raw) {
            case .bad(let e): return .bad(e)
            case .ok(let x): v = .float(x)
            }
        }
        func text(_ v: Value) -> String {
            switch v { case .int(let x): return "\(x)"; case .uint(let x): return "\(x)"; case .float(let x): return "\(x)" }
        }
        if let lo = o.min {
            let below: Bool
            switch v { case .int(let x): below = x < lo; case .uint(let x): below = lo > 0 && x < UInt64(lo); case .float(let x): below = x < Double(lo) }
            if below { return .bad("Value '\(text(v))' is below minimum \(lo)") }
        }
        if let hi = o.max {
            let above: Bool
            switch v { case .int(let x): above = x > hi; case .uint(let x): above = x > UInt64(hi); case .float(let x): above = x > Double(hi) }
            if above { return .bad("Value '\(text(v))' exceeds maximum \(hi)") }
        }
        return .ok(v)
    }

    /// What the scenario takes from a ceph.conf: the values the OSDs and the monitors start with,
    /// for the options the model has (nil: the file does not set it, or Ceph refused its value).
    struct Read {
        var values: [String: (value: Value, line: Int?)] = [:]     // looked up by name, never iterated
        var file = "ceph.conf"
    }
}

extension ScenarioSchema {
    /// `storage.ceph.config`: the path of a ceph.conf relative to the scenario (or its sections as an
    /// object of objects of strings); nil after an error.
    static func readCephConfig(_ v: JSONValue, path p: String, _ d: Diagnostics) -> CephConfigFile.Read? {
        var parsed = CephConfigFile.Parsed()
        var file = "ceph.conf"
        var fileLocations = false
        if let rel = v.stringValue {
            guard let base = d.baseDirectory else { d.error(p, at: v, "a ceph.conf can only be read from a scenario file (its folder is where the path starts); give its sections inline"); return nil }
            guard let text = readSideFile(rel, kind: "ceph.conf", base: base, maxBytes: IncludeLimits.maxTotalBytes, path: p, at: v, d) else { return nil }
            parsed = CephConfigFile.parse(text)
            file = rel
            fileLocations = true
        } else if let sections = v.objectMembers {
            parsed.sections = ["global"]
            for s in sections {
                guard let members = s.value.objectMembers else {
                    d.error(JSONPath.key(p, s.key), at: s.value, typeMismatch("a ceph.conf section as an object of strings, like {\"osd max backfills\": \"1\"}", s.value)); return nil
                }
                let name = CephConfigFile.string(CephConfigFile.trim(Array(s.key.utf8), internal: true))
                guard !name.isEmpty else { d.error(JSONPath.key(p, s.key), at: s.value, "a ceph.conf section needs a name ([global], [osd], [mon], [osd.3], ...)"); return nil }
                if !parsed.sections.contains(name) { parsed.sections.append(name) }
                for m in members {
                    guard let text = m.value.stringValue ?? m.value.numberValue?.text else {
                        d.error(JSONPath.key(JSONPath.key(p, s.key), m.key), at: m.value, typeMismatch("a string (a ceph.conf value)", m.value)); return nil
                    }
                    let key = CephConfigFile.string(CephConfigFile.normalizeKey(Array(m.key.utf8)))
                    guard !key.isEmpty, !text.utf8.contains(0) else {
                        d.error(JSONPath.key(JSONPath.key(p, s.key), m.key), at: m.value, "a ceph.conf entry needs a name and a value without NUL characters"); return nil
                    }
                    parsed.entries.removeAll { $0.section == name && $0.key == key }
                    parsed.entries.append(.init(section: name, key: key, value: text, line: nil))
                }
            }
            parsed.entries.sort { parsed.sections.firstIndex(of: $0.section)! < parsed.sections.firstIndex(of: $1.section)! }
        } else { d.error(p, at: v, typeMismatch("the path of a ceph.conf, or its sections as an object of objects of strings", v)); return nil }
        func at(_ line: Int?) -> SourceLocation? { fileLocations && line != nil ? SourceLocation(file: file, line: line, column: 1) : v.location }
        // Ceph logs its parse errors (at most 20, then how many more) and starts: warnings here
        let complaints = parsed.errors + parsed.warnings.map { ($0.line, $0.message) }
        for (i, e) in complaints.sorted(by: { ($0.line ?? Int.max) < ($1.line ?? Int.max) }).enumerated() {
            if i == 20 {
                d.warning(p, location: at(nil), "\(file): Ceph 14.2 logs: Suppressed \(complaints.count - 20) more errors."); break
            }
            let isError = parsed.errors.contains { $0.line == e.line && $0.message == e.message }
            d.warning(p, location: at(e.line), isError ? "\(file): Ceph 14.2 logs, under \"Errors while parsing config file!\": \(e.message); it skips the line and the daemons start"
                                                      : "\(file): Ceph 14.2 prints: \(e.message.hasSuffix(" ") ? String(e.message.dropLast()) : e.message); the last value counts")
        }
        let oldStyle = parsed.sections.filter { s in (s.hasPrefix("mds") || s.hasPrefix("mon") || s.hasPrefix("osd")) && s.utf8.count > 3 && Array(s.utf8)[3] != UInt8(ascii: ".") }
        if !oldStyle.isEmpty {
            d.warning(p, location: at(nil), "\(file): Ceph 14.2 prints: ERROR! old-style section name(s) found: \(oldStyle.joined(separator: ", ")). Please use the new style section names that include a period. It reads those sections for no daemon; the daemons start")
        }
        // the sections each modelled daemon reads: osd.N, osd, global; mon.X, mon, global
        var out = CephConfigFile.Read()
        out.file = file
        var perDaemon: [String] = [], elsewhere: [String] = [], dashed: [String] = [], notModelled: [String] = []
        let names = CephConfigFile.options.map(\.name)
        for e in parsed.entries {
            let option = CephConfigFile.options.first { $0.name == e.key }
            let readBy: CephConfigFile.Daemon? = e.section == "global" ? option?.daemon
                : e.section == "osd" ? .osd : e.section == "mon" ? .mon : nil
            if let o = option {
                let prefix = o.daemon == .osd ? "osd." : "mon."
                if e.section.hasPrefix(prefix) {
                    perDaemon.append("[\(e.section)] \(e.key)"); continue
                }
                guard readBy == o.daemon else { elsewhere.append("[\(e.section)] \(e.key)"); continue }
                // [osd] / [mon] win over [global] (_get_val_from_conf_file takes the first section holding it)
                if e.section == "global", parsed.entries.contains(where: { $0.key == e.key && $0.section == (o.daemon == .osd ? "osd" : "mon") }) { continue }
                switch CephConfigFile.parseValue(e.value, o) {
                case .bad(let m):
                    d.warning(p, location: at(e.line), "\(file): Ceph 14.2 prints: parse error setting '\(o.name)' to '\(e.value)' (\(m)); the option keeps its default and the daemons start")
                case .ok(let x): out.values[o.name] = (x, e.line)
                }
            } else if ["global", "osd", "mon"].contains(e.section) || e.section.hasPrefix("osd.") || e.section.hasPrefix("mon.") {
                let underscored = e.key.replacingOccurrences(of: "-", with: "_")
                if underscored != e.key && names.contains(underscored) {
                    dashed.append("[\(e.section)] \(e.key)")
                } else if !notModelled.contains(e.key) { notModelled.append(e.key) }
            }
        }
        if !dashed.isEmpty {
            d.warning(p, location: at(parsed.entries.first { dashed.contains("[\($0.section)] \($0.key)") }?.line),
                      "\(file): \(dashed.joined(separator: ", ")): Ceph 14.2 turns the spaces of a ceph.conf key into underscores but keeps its dashes (ConfFile::normalize_key_name), so no option has this name and the daemons never read the line; the option keeps its value")
        }
        if !perDaemon.isEmpty {
            d.warning(p, location: at(nil), "\(file): \(perDaemon.joined(separator: ", ")): a section of one daemon sets it for that daemon only; the simulator runs every OSD (and monitor) with one value, that of [osd] / [mon] or [global], so these are not used")
        }
        if !elsewhere.isEmpty {
            d.warning(p, location: at(nil), "\(file): \(elsewhere.joined(separator: ", ")): the simulator takes the OSDs' options (osd_heartbeat_*, osd_max_backfills, osd_recovery_*) from [osd] and [global], the monitors' (mon_osd_down_out_interval, osd_pool_default_*) from [mon] and [global], as those daemons look them up after their own [osd.N] / [mon.X]; these values sit in other sections, so the simulator does not use them")
        }
        if !notModelled.isEmpty {
            let shown = notModelled.prefix(40).joined(separator: ", ") + (notModelled.count > 40 ? " and \(notModelled.count - 40) more" : "")
            d.warning(p, location: at(nil), "\(file): not modelled (Ceph 14.2 reads those that are its options and ignores other names without a word): \(shown)")
        }
        return out
    }
}
