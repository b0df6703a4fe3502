import CGSL
import Glibc

/// A seeded random stream backed by GSL's `gsl_rng_mt19937` (Mersenne Twister MT19937, the
/// generator the peers' GSL benchmark uses). Each component owns one stream, seeded from the
/// scenario seed and a stable FNV-1a hash of the component's name, so adding a component never
/// changes the draws of another.
///
/// GSL seeds MT19937 from the low 32 bits of its seed (gsl/rng/mt.c); the derived seed is
/// `splitmix64(seed ^ fnv1a64(name))` truncated to 32 bits, and 0 is mapped to 1 (GSL would
/// silently replace 0 by its default 4357).
public final class RandomStream {
    @usableFromInline let rng: UnsafeMutablePointer<gsl_rng>
    public let name: String
    public let derivedSeed: UInt64

    public init(seed: UInt64, name: String) {
        self.name = name
        var s = StableHash.splitmix64(seed ^ StableHash.fnv1a64(name)) & 0xFFFF_FFFF
        if s == 0 { s = 1 }
        self.derivedSeed = s
        rng = gsl_rng_alloc(gsl_rng_mt19937)!
        gsl_rng_set(rng, UInt(s))
    }

    deinit { gsl_rng_free(rng) }

    /// The underlying GSL generator, for distributions.
    @inlinable public var gsl: UnsafeMutablePointer<gsl_rng> { rng }

    /// Uniform on [0, 1).
    @inlinable public func uniform() -> Double { gsl_rng_uniform(rng) }
    /// Uniform on (0, 1).
    @inlinable public func uniformPositive() -> Double { gsl_rng_uniform_pos(rng) }
    /// Uniform integer on 0 ..< n (n >= 1).
    @inlinable public func int(below n: Int) -> Int { Int(gsl_rng_uniform_int(rng, UInt(n))) }
    /// Exponential with the given mean.
    @inlinable public func exponential(mean: Double) -> Double { gsl_ran_exponential(rng, mean) }

    /// The number of successes before the first failure of independent trials that each fail with
    /// probability `p`: geometric on 0, 1, 2 ... with P(k) = (1-p)^k p, by inversion (one uniform draw,
    /// floor(ln U / ln(1-p))). `Int.max` when p <= 0 (never fails) or the draw is beyond any run.
    /// Equal in distribution to drawing every trial; used where only the failing trial is news
    /// (health probes of a healthy process: issue 14, docs/marathon.md "Fidelity").
    public func successesBeforeFailure(probability p: Double) -> Int {
        if !(p > 0) { return Int.max }
        if p >= 1 { return 0 }
        let g = Glibc.log(uniformPositive()) / Glibc.log1p(-p)
        return g.isFinite && g >= 0 && g < Double(Int.max / 4) ? Int(g) : Int.max
    }

    /// Picks `k` distinct indices from 0 ..< n (in increasing order), as GSL's `gsl_ran_choose`.
    public func choose(_ k: Int, from n: Int) -> [Int] {
        precondition(k >= 0 && k <= n)
        if k == 0 { return [] }
        var src = Array(0..<n)
        var dest = [Int](repeating: 0, count: k)
        src.withUnsafeMutableBytes { s in
            dest.withUnsafeMutableBytes { d in
                _ = gsl_ran_choose(rng, d.baseAddress, k, s.baseAddress, n, MemoryLayout<Int>.stride)
            }
        }
        return dest
    }
}

/// Stable (process-independent) hashes. Swift's `Hasher` is seeded per process and must never
/// reach simulation order or outputs.
public enum StableHash {
    /// FNV-1a, 64-bit, over the UTF-8 bytes.
    public static func fnv1a64(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    /// SplitMix64 finaliser: spreads nearby inputs over the whole range.
    public static func splitmix64(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
