import SimKernel

// The points of an experiment and the seeds of its runs (docs/experiments.md, Points and Seeds).

extension ExperimentSpec {
    /// Every point of the grid in row-major order (first axis slowest). Computed on each call:
    /// keep the array when you index it repeatedly.
    public var points: [ExperimentPoint] {
        let counts = axes.map(\.values.count)
        let total = counts.reduce(1, *)
        var raw: [(coordinates: [Int], id: String, overrides: [String])] = []
        raw.reserveCapacity(total)
        var c = [Int](repeating: 0, count: axes.count)
        for _ in 0..<total {
            var parts: [String] = []
            var overrides: [String] = []
            for (a, axis) in axes.enumerated() {
                parts.append(ExperimentSpec.safe(axis.name) + "=" + ExperimentSpec.safe(axis.labels[c[a]]))
                for (j, p) in axis.paths.enumerated() { overrides.append(p + "=" + axis.values[c[a]][j]) }
            }
            raw.append((c, parts.isEmpty ? "base" : parts.joined(separator: ","), overrides))
            var a = axes.count - 1
            while a >= 0 {
                c[a] += 1
                if c[a] < counts[a] { break }
                c[a] = 0; a -= 1
            }
        }
        // ids that are too long or collide after the unsafe characters were replaced get a hash of
        // the exact overrides
        var uses: [String: Int] = [:]
        for r in raw { uses[r.id, default: 0] += 1 }
        return raw.enumerated().map { i, r in
            var id = r.id
            if id.utf8.count > ExperimentSpec.maxIDLength || uses[id, default: 0] > 1 {
                let h = StableHash.fnv1a64(r.overrides.joined(separator: "\n"))
                id = String(decoding: id.utf8.prefix(ExperimentSpec.maxIDLength - 17), as: UTF8.self) + "~" + ExperimentSpec.hex(h)
            }
            return ExperimentPoint(index: i, coordinates: r.coordinates, id: id, overrides: r.overrides)
        }
    }

    /// The longest point id (a folder name).
    public static let maxIDLength = 120

    /// Letters, digits and `. _ - +` stay; anything else becomes `_`; a leading `.` too (a file name).
    public static func safe(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            let ok = (u.value >= 0x30 && u.value <= 0x39) || (u.value >= 0x41 && u.value <= 0x5A)
                || (u.value >= 0x61 && u.value <= 0x7A) || u == "." || u == "_" || u == "-" || u == "+"
            out.unicodeScalars.append(ok ? u : "_")
        }
        if out.hasPrefix(".") { out = "_" + out.dropFirst() }
        return out
    }

    static func hex(_ x: UInt64) -> String {
        let s = String(x, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// The seed of a run: SplitMix64 over the experiment seed, the FNV-1a hash of the point's
    /// `PATH=JSON` pairs that differ from the base scenario (sorted by path, one per line) and the
    /// replication. A value equal to the base scenario's does not enter it, so adding an axis
    /// keeps the seeds of the points at the base value, and reordering axes changes no seed.
    public func seed(point: ExperimentPoint, replication: Int) -> UInt64 {
        var pairs: [String] = []
        for (a, axis) in axes.enumerated() where a < point.coordinates.count {
            let k = point.coordinates[a]
            if k == axis.baseIndex { continue }
            for (j, p) in axis.paths.enumerated() { pairs.append(p + "=" + axis.values[k][j]) }
        }
        pairs.sort()
        let pointHash = StableHash.fnv1a64(pairs.joined(separator: "\n"))
        return StableHash.splitmix64(StableHash.splitmix64(seed ^ pointHash) ^ UInt64(truncatingIfNeeded: replication))
    }
}
