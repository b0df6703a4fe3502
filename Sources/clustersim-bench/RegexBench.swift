// `clustersim-bench regex VALUES SEED`: the regex engine every user regex goes through (GoRegexp, a
// Pike VM with Go's semantics) against the engine it replaced (Foundation's NSRegularExpression,
// backtracking), in the same process, on what Prometheus' matchers and relabel rules meet: VALUES
// label values (host:port targets, task ids, states, job names; from a seeded generator) against
// typical patterns, each compiled as Prometheus does (`^(?:re)$`), no memo. Both engines must agree on
// every value. Then the reason for the change: `.*.*.*.*.*y` on 1,000 and 10,000 characters, the
// Pike VM's time per character as a ratio (1 linear; the backtracker is not run there: it takes hours).

import ClusterModel
import Foundation
import SimKernel

func runRegex(values n: Int, seed: UInt64) {
    guard n >= 100 else { fail("regex: VALUES >= 100") }
    var rng = seed &+ 0x9E37_79B9_7F4A_7C15
    func next(_ bound: Int) -> Int {   // SplitMix64: the values depend on SEED only
        rng &+= 0x9E37_79B9_7F4A_7C15
        var z = rng
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
    let states = ["running", "failed", "lost", "errored", "finished", "killed", "staging"]
    let values: [String] = (0..<n).map { i in
        switch i % 4 {
        case 0: return "slave-\(String(format: "%02d", next(60) + 1)).dc0\(next(3) + 1).example.com:\(9100 + next(3))"
        case 1: return "shop_web.\(UUID(uuid: (UInt8(next(256)), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, UInt8(next(256)))).uuidString.lowercased())"
        case 2: return states[next(states.count)]
        default: return ["node", "cadvisor", "mesos-master", "marathon", "consul", "nginx"][next(6)]
        }
    }
    let patterns = ["slave-0[1-5]\\..*:9100", "failed|lost|errored", "([^:]+)(?::\\d+)?", ".*web.*", "(.+)\\.([0-9a-f-]+)",
                    "node|cadvisor", "[a-z_]+\\.[0-9a-f]{8}-.*", "(?i)RUNNING"]
    var pike = 0.0, found = 0.0, matched = 0, disagree = 0
    for p in patterns {
        guard let re = try? GoRegexp.anchored(p),
              let ns = try? NSRegularExpression(pattern: "^(?:" + p + ")$") else { fail("regex: pattern \(p) does not compile") }
        var a: [Bool] = [], b: [Bool] = []
        a.reserveCapacity(n); b.reserveCapacity(n)
        var t0 = processCPUSeconds()
        for v in values { a.append(re.matches(v)) }
        pike += processCPUSeconds() - t0
        t0 = processCPUSeconds()
        for v in values { b.append(ns.firstMatch(in: v, range: NSRange(v.startIndex..., in: v)) != nil) }
        found += processCPUSeconds() - t0
        matched += a.filter { $0 }.count
        disagree += zip(a, b).filter { $0 != $1 }.count
    }
    let m = Double(n * patterns.count)
    print("name=regex_labels impl=swift_clustersim values=\(n) patterns=\(patterns.count) matched=\(matched) disagree=\(disagree)"
          + " pike_us_per_match=\(NumberFormat.fixed(pike / m * 1e6, decimals: 3))"
          + " foundation_us_per_match=\(NumberFormat.fixed(found / m * 1e6, decimals: 3))"
          + " ratio_to_foundation=\(NumberFormat.fixed(pike / max(found, 1e-9), decimals: 2))")
    guard let bad = try? GoRegexp.anchored(".*.*.*.*.*y") else { fail("regex: pathological pattern") }
    var perChar: [Double] = []
    for len in [1_000, 10_000] {
        let s = String(repeating: "x", count: len)
        let t0 = processCPUSeconds()
        var k = 0
        for _ in 0..<(100_000 / len) where !bad.matches(s) { k += 1 }
        perChar.append((processCPUSeconds() - t0) / Double(k * len))
    }
    print("name=regex_pathological impl=swift_clustersim pattern=.*.*.*.*.*y lengths=1000,10000"
          + " us_per_char=\(NumberFormat.fixed(perChar[0] * 1e6, decimals: 4)),\(NumberFormat.fixed(perChar[1] * 1e6, decimals: 4))"
          + " per_char_ratio=\(NumberFormat.fixed(perChar[1] / max(perChar[0], 1e-12), decimals: 2)) linear=1 backtracking=100")
    if disagree > 0 { fail("regex: the engines disagree on \(disagree) matches") }
}
