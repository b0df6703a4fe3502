import ClusterModel
import SimKernel

// zoo.cfg as ZooKeeper 3.4 reads it (`zookeeper.config`): java.util.Properties.load, then
// QuorumPeerConfig.parseProperties (apache/zookeeper src/java/main/org/apache/zookeeper/server/
// quorum/QuorumPeerConfig.java, 3.4 line): keys and values trimmed; `tickTime`, `initLimit`,
// `syncLimit`, `minSessionTimeout`, `maxSessionTimeout` and the participants of the `server.N` lines
// are modelled; `dataDir`, `clientPort`, observers, `group.N`/`weight.N` (hierarchical quorums),
// `autopurge.*` and every other key (ZooKeeper sets unknown ones as `zookeeper.<key>` system
// properties, silently) load and are named in one warning. What parseProperties refuses is
// refused in its words.

enum ZooKeeperConfigFile {
    /// java.util.Properties.load: `#`/`!` comments, `key=value`, `key:value` or `key value`, a
    /// backslash at the end of a line continues it, `\t \n \r \f \uXXXX` escapes; the last of a
    /// repeated key wins. Returns the entries in order (each key once, at its last value).
    static func properties(_ text: String, file: String) -> [(key: String, value: String, location: SourceLocation)] {
        var out: [(key: String, value: String, location: SourceLocation)] = []
        var logical: [(String, Int)] = []
        var pending = "", start = 1, n = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            n += 1
            var l = String(raw)
            if l.hasSuffix("\r") { l.removeLast() }
            if pending.isEmpty {
                let t = l.drop { $0 == " " || $0 == "\t" || $0 == "\u{0C}" }
                if t.isEmpty || t.hasPrefix("#") || t.hasPrefix("!") { continue }
                start = n
                l = String(t)
            } else {
                l = String(l.drop { $0 == " " || $0 == "\t" || $0 == "\u{0C}" })
            }
            let trailing = l.reversed().prefix { $0 == "\\" }.count
            if trailing % 2 == 1 { pending += l.dropLast(); continue }
            logical.append((pending + l, start)); pending = ""
        }
        if !pending.isEmpty { logical.append((pending, start)) }
        for (line, number) in logical {
            let chars = Array(line)
            var i = 0
            var key = ""
            func unescape(_ c: Character, _ next: inout Int) -> String {
                switch c {
                case "t": return "\t"
                case "n": return "\n"
                case "r": return "\r"
                case "f": return "\u{0C}"
                case "u":
                    let hex = String(chars[min(next, chars.count)..<min(next + 4, chars.count)])
                    if hex.count == 4, let v = UInt32(hex, radix: 16), let sc = Unicode.Scalar(v) { next += 4; return String(Character(sc)) }
                    return "u"
                default: return String(c)
                }
            }
            while i < chars.count {
                let c = chars[i]
                if c == "\\", i + 1 < chars.count { var j = i + 2; key += unescape(chars[i + 1], &j); i = j; continue }
                if c == "=" || c == ":" || c == " " || c == "\t" || c == "\u{0C}" { break }
                key.append(c); i += 1
            }
            // the separator: blanks, at most one = or :, blanks
            while i < chars.count, chars[i] == " " || chars[i] == "\t" || chars[i] == "\u{0C}" { i += 1 }
            if i < chars.count, chars[i] == "=" || chars[i] == ":" { i += 1 }
            while i < chars.count, chars[i] == " " || chars[i] == "\t" || chars[i] == "\u{0C}" { i += 1 }
            var value = ""
            while i < chars.count {
                let c = chars[i]
                if c == "\\", i + 1 < chars.count { var j = i + 2; value += unescape(chars[i + 1], &j); i = j; continue }
                value.append(c); i += 1
            }
            out.removeAll { $0.key == key }
            out.append((key, value, SourceLocation(file: file, line: number, column: 1)))
        }
        return out
    }

    /// Java's Integer.parseInt (an optional sign, decimal digits, 32 bits).
    /// Java's `String.split(":")`: trailing empty strings dropped (a string without `:` is itself).
    static func javaSplit(_ t: Substring) -> [String] {
        var parts = t.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        while let last = parts.last, last.isEmpty, !(parts.count == 1 && t.isEmpty) { parts.removeLast() }
        return parts
    }

    /// QuorumPeerConfig.splitWithLeadingHostname (3.4): an IPv6 literal `[addr]:` first (nil when its
    /// `]:` is missing), then Java's `String.split(":")`, which drops trailing empty strings.
    static func splitWithLeadingHostname(_ s: String) -> [String]? {
        if s.hasPrefix("[") {
            guard let r = s.range(of: "]:") else { return nil }
            return [String(s[s.index(after: s.startIndex)..<r.lowerBound])] + javaSplit(s[r.upperBound...])
        }
        return javaSplit(Substring(s))
    }

    /// Java's Long.parseLong.
    static func javaLong(_ s: String) -> Int64? {
        var t = Substring(s)
        if let c = t.first, c == "+" || c == "-" { t = t.dropFirst() }
        guard !t.isEmpty, t.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(s.hasPrefix("+") ? String(s.dropFirst()) : s)
    }

    static func javaInt(_ s: String) -> Int? {
        guard let x = javaLong(s), x >= Int64(Int32.min), x <= Int64(Int32.max) else { return nil }
        return Int(x)
    }

    /// What the scenario takes from a zoo.cfg.
    struct Read {
        var members: [JSONMember] = []        // tickTime, initLimit, syncLimit, servers as the section's keys
        var minSessionTimeout: SimDuration? = nil
        var maxSessionTimeout: SimDuration? = nil
        var file = "zoo.cfg"                  // the file's name, for the messages of the section's checks
    }
}

extension ScenarioSchema {
    /// `zookeeper.config`: the path of a zoo.cfg relative to the scenario (or its entries as an
    /// object of strings); nil after an error.
    static func readZooConfig(_ v: JSONValue, path p: String, _ d: Diagnostics) -> ZooKeeperConfigFile.Read? {
        var entries: [(key: String, value: String, location: SourceLocation?)] = []
        var file = "zoo.cfg"
        if let rel = v.stringValue {
            guard let base = d.baseDirectory else { d.error(p, at: v, "a zoo.cfg can only be read from a scenario file (its folder is where the path starts); give its entries inline"); return nil }
            guard let text = readSideFile(rel, kind: "zoo.cfg", base: base, maxBytes: IncludeLimits.maxTotalBytes, path: p, at: v, d) else { return nil }
            entries = ZooKeeperConfigFile.properties(text, file: rel).map { ($0.key, $0.value, $0.location) }
            file = rel
        } else if let members = v.objectMembers {
            for m in members {
                guard let s = m.value.stringValue ?? m.value.numberValue?.text else { d.error(JSONPath.key(p, m.key), at: m.value, typeMismatch("a string (a zoo.cfg value)", m.value)); return nil }
                entries.removeAll { $0.key == m.key }
                entries.append((m.key, s, m.value.location))
            }
        } else { d.error(p, at: v, typeMismatch("the path of a zoo.cfg, or its entries as an object of strings", v)); return nil }
        func fail(_ loc: SourceLocation?, _ message: String) -> ZooKeeperConfigFile.Read? {
            d.error(p, location: loc ?? v.location, "ZooKeeper refuses \(file): \(message)"); return nil
        }
        var out = ZooKeeperConfigFile.Read()
        out.file = file
        var ints: [String: Int] = [:]
        var participants: [Int64] = [], observers: [Int64] = []
        var notModelled: [String] = []
        var electionAlg = 3
        var withoutElectionPort: [(Int64, SourceLocation?)] = []
        var serverGroup: [Int64: Int64] = [:]          // looked up, never iterated
        var sasl = (enabled: false, server: false, learner: false)
        for (rawKey, rawValue, loc) in entries {
            let key = rawKey.trimmingCharacters(in: .whitespaces), value = rawValue.trimmingCharacters(in: .whitespaces)
            func int() -> Int? { ZooKeeperConfigFile.javaInt(value) }
            switch key {
            case "tickTime", "initLimit", "syncLimit", "minSessionTimeout", "maxSessionTimeout", "clientPort", "maxClientCnxns",
                 "electionAlg", "autopurge.snapRetainCount", "autopurge.purgeInterval":
                guard let x = int() else { return fail(loc, "Error processing \(file): For input string: \(JSONValue.quote(value))") }
                ints[key] = x
                if key == "electionAlg" { electionAlg = x }
                if !["tickTime", "initLimit", "syncLimit", "minSessionTimeout", "maxSessionTimeout"].contains(key) { notModelled.append(key) }
            case "peerType":
                guard ["observer", "participant"].contains(value.lowercased()) else { return fail(loc, "Unrecognised peertype: \(value)") }
                notModelled.append(key)
            default:
                if key.hasPrefix("server.") {
                    guard let sid = ZooKeeperConfigFile.javaLong(String(key.dropFirst(7))) else { return fail(loc, "Error processing \(file): For input string: \(JSONValue.quote(String(key.dropFirst(7))))") }
                    guard let parts = ZooKeeperConfigFile.splitWithLeadingHostname(value) else {
                        return fail(loc, "\(value) starts with '[' but has no matching ']:'")
                    }
                    // other counts are only logged (LOG.error); then parts[1] must exist
                    if parts.count < 2 {
                        return fail(loc, "\(value) does not have the form host:port or host:port:port or host:port:port:type (logged), then java.lang.ArrayIndexOutOfBoundsException: \(parts.count)")
                    }
                    if parts.count > 4 {
                        d.warning(p, location: loc ?? v.location, "\(file): ZooKeeper logs \"\(value) does not have the form host:port or host:port:port  or host:port:port:type\" and reads its first four parts")
                    }
                    for port in parts[1..<min(parts.count, 3)] where ZooKeeperConfigFile.javaInt(port) == nil {
                        return fail(loc, "Error processing \(file): For input string: \(JSONValue.quote(port))")
                    }
                    if parts.count == 2 { withoutElectionPort.append((sid, loc)) }
                    if parts.count >= 4 {
                        switch parts[3].lowercased() {
                        case "observer": observers.append(sid); continue
                        case "participant": break
                        default: return fail(loc, "Unrecognised peertype: \(value)")
                        }
                    }
                    participants.removeAll { $0 == sid }
                    participants.append(sid)
                } else if key.hasPrefix("group") || key.hasPrefix("weight") {
                    // hierarchical quorums: Long.parseLong of what follows the first '.' (all of the
                    // key without one), then of each server id (group.N=1:2:3) or of the weight
                    let suffix = key.firstIndex(of: ".").map { String(key[key.index(after: $0)...]) } ?? key
                    guard let gid = ZooKeeperConfigFile.javaLong(suffix) else { return fail(loc, "Error processing \(file): For input string: \(JSONValue.quote(suffix))") }
                    if key.hasPrefix("group") {
                        for part in ZooKeeperConfigFile.javaSplit(Substring(value)) {
                            guard let sid = ZooKeeperConfigFile.javaLong(part) else { return fail(loc, "Error processing \(file): For input string: \(JSONValue.quote(part))") }
                            if serverGroup[sid] != nil { return fail(loc, "Server \(sid)is in multiple groups") }
                            serverGroup[sid] = gid
                        }
                    } else if ZooKeeperConfigFile.javaLong(value) == nil {
                        return fail(loc, "Error processing \(file): For input string: \(JSONValue.quote(value))")
                    }
                    notModelled.append(key)
                } else if key == "quorum.auth.enableSasl" || key == "quorum.auth.serverRequireSasl" || key == "quorum.auth.learnerRequireSasl" {
                    let on = value.lowercased() == "true"      // Boolean.parseBoolean
                    if key == "quorum.auth.enableSasl" { sasl.enabled = on } else if key == "quorum.auth.serverRequireSasl" { sasl.server = on } else { sasl.learner = on }
                    notModelled.append(key)
                } else if key == "quorum.cnxn.threads.size" {
                    guard int() != nil else { return fail(loc, "Error processing \(file): For input string: \(JSONValue.quote(value))") }
                    notModelled.append(key)
                } else {
                    // dataDir, dataLogDir, clientPortAddress, and anything else
                    // (System.setProperty("zookeeper." + key))
                    notModelled.append(key)
                }
            }
        }
        // the quorum SASL settings must agree (3.4.10 and later)
        if !sasl.enabled && sasl.server { return fail(nil, "quorum.auth.enableSasl is disabled, so cannot enable quorum.auth.serverRequireSasl") }
        if !sasl.enabled && sasl.learner { return fail(nil, "quorum.auth.enableSasl is disabled, so cannot enable quorum.auth.learnerRequireSasl") }
        if !sasl.learner && sasl.server { return fail(nil, "quorum.auth.learnerRequireSasl is disabled, so cannot enable quorum.auth.serverRequireSasl") }
        if entries.first(where: { $0.key == "dataDir" }) == nil { return fail(nil, "dataDir is not set") }
        if ints["clientPort"] == nil || ints["clientPort"] == 0 { return fail(nil, "clientPort is not set") }
        let tick = ints["tickTime"] ?? 3000     // ZooKeeperServer.DEFAULT_TICK_TIME
        if tick == 0 { return fail(nil, "tickTime is not set") }
        if tick < 0 { return fail(nil, "tickTime \(tick) is negative; the simulator needs a positive tick") }
        let minS = ints["minSessionTimeout"] ?? -1, maxS = ints["maxSessionTimeout"] ?? -1
        if minS > maxS { return fail(nil, "minSessionTimeout must not be larger than maxSessionTimeout") }
        if participants.isEmpty && !observers.isEmpty { return fail(nil, "Observers w/o participants is an invalid configuration") }
        if participants.count == 1 && !observers.isEmpty { return fail(nil, "Observers w/o quorum is an invalid configuration") }
        if participants.count > 1 {
            if (ints["initLimit"] ?? 0) == 0 { return fail(nil, "initLimit is not set") }
            if (ints["syncLimit"] ?? 0) == 0 { return fail(nil, "syncLimit is not set") }
        }
        // with fast leader election (electionAlg 3, any but 0) every participant needs an election port
        if participants.count > 1, electionAlg != 0, let (sid, loc) = withoutElectionPort.first(where: { w in participants.contains(w.0) }) {
            return fail(loc, "Missing election port for server: \(sid)")
        }
        if participants.count > 1, !serverGroup.isEmpty, participants.count != serverGroup.count {
            return fail(nil, "Every server must be in exactly one group")
        }
        // what ZooKeeper takes but the simulator does not model: its words are the simulator's, not ZooKeeper's
        func limit(_ message: String) -> ZooKeeperConfigFile.Read? {
            d.error(p, at: v, "the simulator cannot run \(file): \(message)"); return nil
        }
        if participants.count == 1 { return limit("it has one server line, which ZooKeeper 3.4 ignores (\"Invalid configuration, only one server specified (ignoring)\") and runs standalone, which the simulator does not model; give 3, 5 or 7 server.N lines") }
        if participants.isEmpty { return limit("it has no server.N line, so ZooKeeper 3.4 runs standalone, which the simulator does not model; give 3, 5 or 7 server.N lines") }
        func member(_ k: String, _ x: JSONValue) { out.members.append(JSONMember(key: k, value: x)) }
        member("servers", JSONValue(.number(JSONNumber(participants.count)), location: v.location))
        member("tickTime", JSONValue(.string("\(tick)ms"), location: v.location))
        for k in ["initLimit", "syncLimit"] { if let x = ints[k] { member(k, JSONValue(.number(JSONNumber(x)), location: v.location)) } }
        if minS > 0 { out.minSessionTimeout = .milliseconds(Int64(minS)) }
        if maxS > 0 { out.maxSessionTimeout = .milliseconds(Int64(maxS)) }
        if !observers.isEmpty { notModelled.append("observers (server.N ...:observer)") }
        if !notModelled.isEmpty {
            d.warning(p, at: v, "\(file): accepted by ZooKeeper, not modelled: \(notModelled.joined(separator: ", "))")
        }
        return out
    }
}
