import Foundation
import SimKernel

// The hashes and clocks Prometheus 2.42 uses to place scrapes and rule evaluations in time, so that
// a simulated Prometheus scrapes each target and evaluates each group at the phase the real one
// would. Derivations (and the test values worked out from the Go code) are in docs/monitoring.md.

public enum PromHash {
    // MARK: xxhash64 (github.com/cespare/xxhash/v2, seed 0): what labels.Labels.Hash uses

    static let p1: UInt64 = 11_400_714_785_074_694_791
    static let p2: UInt64 = 14_029_467_366_897_019_727
    static let p3: UInt64 = 1_609_587_929_392_839_161
    static let p4: UInt64 = 9_650_029_242_287_828_579
    static let p5: UInt64 = 2_870_177_450_012_600_261

    @inline(__always) static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 { rotl(acc &+ input &* p2, 31) &* p1 }
    @inline(__always) static func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 { (acc ^ round(0, v)) &* p1 &+ p4 }
    @inline(__always) static func u64(_ b: [UInt8], _ i: Int) -> UInt64 {
        var x: UInt64 = 0
        for k in 0..<8 { x |= UInt64(b[i + k]) << (8 * UInt64(k)) }
        return x
    }
    @inline(__always) static func u32(_ b: [UInt8], _ i: Int) -> UInt64 {
        var x: UInt64 = 0
        for k in 0..<4 { x |= UInt64(b[i + k]) << (8 * UInt64(k)) }
        return x
    }

    /// XXH64 with seed 0.
    public static func xxhash64(_ b: [UInt8]) -> UInt64 {
        let n = b.count
        var i = 0
        var h: UInt64
        if n >= 32 {
            var v1 = p1 &+ p2, v2 = p2, v3: UInt64 = 0, v4 = 0 &- p1
            while i + 32 <= n {
                v1 = round(v1, u64(b, i)); v2 = round(v2, u64(b, i + 8))
                v3 = round(v3, u64(b, i + 16)); v4 = round(v4, u64(b, i + 24))
                i += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = merge(h, v1); h = merge(h, v2); h = merge(h, v3); h = merge(h, v4)
        } else {
            h = p5
        }
        h = h &+ UInt64(n)
        while i + 8 <= n { h ^= round(0, u64(b, i)); h = rotl(h, 27) &* p1 &+ p4; i += 8 }
        if i + 4 <= n { h ^= u32(b, i) &* p1; h = rotl(h, 23) &* p2 &+ p3; i += 4 }
        while i < n { h ^= UInt64(b[i]) &* p5; h = rotl(h, 11) &* p1; i += 1 }
        h ^= h >> 33; h = h &* p2; h ^= h >> 29; h = h &* p3; h ^= h >> 32
        return h
    }

    /// model/labels Labels.Hash: xxhash64 over `name 0xff value 0xff` of each label in order.
    public static func labelsHash(_ ls: LabelSet) -> UInt64 {
        var b: [UInt8] = []
        for l in ls.labels { b += Array(l.name.utf8); b.append(0xff); b += Array(l.value.utf8); b.append(0xff) }
        return xxhash64(b)
    }

    /// FNV-1a 64 over bytes (hash/fnv New64a).
    public static func fnv64a(_ b: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for x in b { h ^= UInt64(x); h = h &* 0x0000_0100_0000_01b3 }
        return h
    }

    /// scrape/target.go `Target.hash`: fnv64a of `%016d` of the label hash, then the URL.
    public static func targetHash(labels: LabelSet, url: String) -> UInt64 {
        var s = String(labelsHash(labels))
        if s.utf8.count < 16 { s = String(repeating: "0", count: 16 - s.utf8.count) + s }
        return fnv64a(Array((s + url).utf8))
    }

    /// scrape/manager.go `setJitterSeed`: fnv64a of the hostname followed by the external labels'
    /// `String()` (`{a="b", c="d"}`, `{}` when none).
    public static func offsetSeed(hostname: String, externalLabels: LabelSet) -> UInt64 {
        fnv64a(Array((hostname + goLabelsString(externalLabels)).utf8))
    }

    /// labels.Labels.String (values quoted with strconv.Quote).
    public static func goLabelsString(_ ls: LabelSet) -> String {
        "{" + ls.labels.map { $0.name + "=" + goQuote($0.value) }.joined(separator: ", ") + "}"
    }

    /// strconv.Quote for the characters label values hold (ASCII escapes; other runes as they are).
    public static func goQuote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{0B}": out += "\\v"
            default:
                if u.value < 0x20 || u.value == 0x7f {
                    let hex = String(u.value, radix: 16)
                    out += "\\x" + (hex.count < 2 ? "0" : "") + hex
                } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// rules/group.go `Group.hash`: the hash of the label set {name=<group>, file=<file>}.
    public static func groupHash(name: String, file: String) -> UInt64 {
        labelsHash(LabelSet([MetricLabel("name", name), MetricLabel("file", file)]))
    }

    // MARK: phases

    /// scrape/target.go `Target.offset`: the wait from `nowUnixNs` to the target's first scrape,
    /// in (0, interval]; later scrapes follow every interval.
    public static func scrapeOffset(intervalNs: Int64, hash: UInt64, seed: UInt64, nowUnixNs: Int64) -> Int64 {
        precondition(intervalNs > 0)
        let base = intervalNs - nowUnixNs % intervalNs
        let offset = Int64((hash ^ seed) % UInt64(intervalNs))
        var next = base + offset
        if next > intervalNs { next -= intervalNs }
        return next
    }

    /// rules/group.go `EvalTimestamp`: the slot at or before `startUnixNs`; the group's first
    /// evaluation is one interval after it (`run`).
    public static func evalTimestamp(intervalNs: Int64, hash: UInt64, startUnixNs: Int64) -> Int64 {
        precondition(intervalNs > 0)
        let offset = Int64(hash % UInt64(intervalNs))
        let adj = startUnixNs - offset
        return adj - adj % intervalNs + offset
    }

    /// prometheus/common model.Duration.String ("1m30s", "1d", "2w", "0s"): `PromDuration.format`.
    public static func durationString(_ d: SimDuration) -> String { PromDuration.format(d.nanoseconds / 1_000_000) }

    /// prometheus/common model.ParseDuration (`PromDuration.parse`); nil where Prometheus refuses.
    public static func parseDuration(_ s: String) -> SimDuration? {
        guard case .success(let ms) = PromDuration.parse(s) else { return nil }
        return .milliseconds(ms)
    }

    // MARK: MD5 (relabel hashmod)

    /// model/relabel `sum64(md5.Sum(val))`: the last 8 bytes of the MD5 digest, big-endian (the
    /// first 8 are shifted out of a uint64 in Go).
    public static func md5Sum64(_ s: String) -> UInt64 {
        let d = md5(Array(s.utf8))
        var x: UInt64 = 0
        for i in 8..<16 { x = x << 8 | UInt64(d[i]) }
        return x
    }

    static let md5S: [UInt32] = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
                                 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]
    /// K[i] = floor(|sin(i + 1)| · 2^32) (RFC 1321 3.4).
    static let md5K: [UInt32] = (0..<64).map { i in UInt32((abs(sin(Double(i + 1))) * 4_294_967_296.0).rounded(.down)) }

    /// RFC 1321 MD5.
    public static func md5(_ message: [UInt8]) -> [UInt8] {
        var m = message
        let bitLen = UInt64(message.count) &* 8
        m.append(0x80)
        while m.count % 64 != 56 { m.append(0) }
        for i in 0..<8 { m.append(UInt8(truncatingIfNeeded: bitLen >> (8 * UInt64(i)))) }
        var a0: UInt32 = 0x6745_2301, b0: UInt32 = 0xefcd_ab89, c0: UInt32 = 0x98ba_dcfe, d0: UInt32 = 0x1032_5476
        var w = [UInt32](repeating: 0, count: 16)
        for chunk in stride(from: 0, to: m.count, by: 64) {
            for i in 0..<16 {
                let j = chunk + 4 * i
                w[i] = UInt32(m[j]) | UInt32(m[j + 1]) << 8 | UInt32(m[j + 2]) << 16 | UInt32(m[j + 3]) << 24
            }
            var a = a0, b = b0, c = c0, d = d0
            for i in 0..<64 {
                var f: UInt32, g: Int
                switch i {
                case 0..<16: f = (b & c) | (~b & d); g = i
                case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
                case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
                default: f = c ^ (b | ~d); g = (7 * i) % 16
                }
                f = f &+ a &+ md5K[i] &+ w[g]
                a = d; d = c; c = b
                b = b &+ ((f << md5S[i]) | (f >> (32 - md5S[i])))
            }
            a0 = a0 &+ a; b0 = b0 &+ b; c0 = c0 &+ c; d0 = d0 &+ d
        }
        var out: [UInt8] = []
        for x in [a0, b0, c0, d0] { for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: x >> (8 * UInt32(k)))) } }
        return out
    }
}
