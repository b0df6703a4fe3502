// The writer a scrape hands to the exporters. Building a sample's label set (sorting its labels,
// dropping empty values, concatenating `_bucket` and formatting `le`) and hashing it into the
// scrape cache was most of a scrape's cost (docs/monitoring.md "Cost"), so the writer keeps what
// the exporter wrote as it was written (`ScrapedSeries`) and builds label sets only on demand: a
// scrape loop compares each sample with the sample at the same position of its last scrape and
// reuses that series when they are equal (PrometheusScrape.swift), which an exporter that serves
// the same series in the same order every time hits for every sample.

/// One sample's series as an exporter wrote it: the name it passed, which part of a histogram or
/// summary it is, the bucket bound and the exporter's labels. Two equal values give equal label
/// sets (`labelSet` is a function of them alone).
public struct ScrapedSeries {
    enum Part: UInt8 { case plain, bucket, sum, count }
    public let name: String
    let part: Part
    /// A bucket's upper bound (`le`), 0 for the other parts.
    let le: Double
    public let labels: [(String, String)]

    /// The series' label set, as LabelSet(name:_:) builds it.
    public var labelSet: LabelSet {
        switch part {
        case .plain: return LabelSet(name: name, labels)
        case .bucket: return LabelSet(name: name + "_bucket", labels + [("le", MetricWriter.formatLe(le))])
        case .sum: return LabelSet(name: name + "_sum", labels)
        case .count: return LabelSet(name: name + "_count", labels)
        }
    }

    /// Equal parts, names, bounds and labels (in the order written): then the label sets are equal.
    static func == (a: ScrapedSeries, b: ScrapedSeries) -> Bool {
        guard a.part == b.part, a.le == b.le, a.labels.count == b.labels.count, a.name == b.name else { return false }
        for k in a.labels.indices where a.labels[k].0 != b.labels[k].0 || a.labels[k].1 != b.labels[k].1 { return false }
        return true
    }
}

/// Where a scrape's samples go. Families nobody needs are skipped before they are computed
/// (`wants`), so an exporter with 200 series costs only what the rules and the export read.
public final class MetricWriter {
    /// Whether any rule or export reads this series name (`name`, `name_bucket`, ...).
    public let wants: (String) -> Bool
    /// The samples written, in order: their series ...
    public internal(set) var series: [ScrapedSeries] = []
    /// ... and their values.
    public internal(set) var values: [Double] = []
    /// ... and whether each carries an explicit timestamp in the exposition (`stampedFamilies`).
    public internal(set) var stamped: [Bool] = []
    /// Families whose samples the exporter writes with an explicit timestamp (cAdvisor's
    /// container and machine metrics: `CadvisorTimestamps`); empty for the other exporters.
    public let stampedFamilies: Set<String>
    /// The family being written has explicit timestamps.
    private var stamping = false
    /// ... and each sample's place in the exposition (0-based, counting the samples of families
    /// not computed): `sample_limit` counts samples in exposition order.
    public internal(set) var positions: [Int] = []
    /// The exposition place of the next sample of the family being written.
    private var cursor = 0
    /// Every sample the target exposed, wanted or not (the exposition's size: scrape cost).
    public private(set) var exposed = 0
    /// Samples the target may expose beyond `exposed` before a platform signal names its host
    /// (`mayExpose`: cAdvisor's containers of tasks already on the agent that have not started);
    /// Prometheus takes a target's scrapes without events only while even that many samples
    /// cannot make a scrape time out (PrometheusQuietLoops.swift).
    public private(set) var possiblyMore = 0
    /// Families written (for `# TYPE` lines in an export).
    public private(set) var families: [MetricFamily] = []
    /// `wants` answers in the order they were asked during the last scrape: a scrape of the same
    /// exporter asks the same names in the same order, so a name equal to the one at the same
    /// position is answered without hashing it (exact: the answer depends on the name alone).
    private var asked: [(name: String, wanted: Bool)] = []
    private var askedAt = 0

    public init(wants: @escaping (String) -> Bool, stampedFamilies: Set<String> = []) {
        self.wants = wants; self.stampedFamilies = stampedFamilies
    }

    /// Empties the writer for the next scrape, keeping its storage and its memo of `wants`.
    public func reset() {
        series.removeAll(keepingCapacity: true); values.removeAll(keepingCapacity: true)
        stamped.removeAll(keepingCapacity: true); stamping = false
        positions.removeAll(keepingCapacity: true); cursor = 0
        families.removeAll(keepingCapacity: true)
        exposed = 0; possiblyMore = 0; askedAt = 0
    }

    /// The exposition may grow by `count` samples without a signal (see `possiblyMore`).
    public func mayExpose(_ count: Int) { possiblyMore += max(0, count) }

    /// The samples with their label sets (built here: for tests, the bench and exports).
    public var samples: [(labels: LabelSet, value: Double)] { zip(series, values).map { ($0.labelSet, $1) } }

    /// `wants(name)`, memoised by position.
    func isWanted(_ name: String) -> Bool {
        let k = askedAt
        askedAt += 1
        if k < asked.count {
            if asked[k].name == name { return asked[k].wanted }
            let w = wants(name)
            asked[k] = (name, w)
            return w
        }
        let w = wants(name)
        asked.append((name, w))
        return w
    }

    /// Whether the family is worth computing (any of its series is wanted).
    public func needs(_ family: MetricFamily) -> Bool {
        switch family.type {
        case .histogram: return isWanted(family.name + "_bucket") || isWanted(family.name + "_sum") || isWanted(family.name + "_count")
        case .summary: return isWanted(family.name + "_sum") || isWanted(family.name + "_count")
        default: return isWanted(family.name)
        }
    }

    /// Declares a family about to be written (its `# TYPE`), and whether to compute it. `count`:
    /// how many samples it exposes whether computed or not (a histogram: buckets + 2 per series).
    public func begin(_ family: MetricFamily, exposing count: Int) -> Bool {
        cursor = exposed
        exposed += count
        guard needs(family) else { return false }
        stamping = !stampedFamilies.isEmpty && stampedFamilies.contains(family.name)
        families.append(family)
        return true
    }

    /// One sample of a counter, gauge or untyped family.
    public func add(_ name: String, _ labels: [(String, String)], _ value: Double) {
        guard isWanted(name) else { return }
        series.append(ScrapedSeries(name: name, part: .plain, le: 0, labels: labels)); values.append(value); stamped.append(stamping)
        positions.append(cursor); cursor += 1
    }

    /// One histogram series: cumulative bucket counts for the upper bounds `le` (ascending; +Inf
    /// is added with `count`), the sum and the count.
    public func addHistogram(_ name: String, _ labels: [(String, String)], le: [Double], cumulative: [Double], sum: Double, count: Double) {
        // client_golang writes a histogram's buckets, then its _sum and _count
        let base = cursor, nb = min(le.count, cumulative.count)
        cursor += nb + 3
        if isWanted(name + "_bucket") {
            for (j, (b, c)) in zip(le, cumulative).enumerated() {
                series.append(ScrapedSeries(name: name, part: .bucket, le: b, labels: labels)); values.append(c); stamped.append(stamping)
                positions.append(base + j)
            }
            series.append(ScrapedSeries(name: name, part: .bucket, le: .infinity, labels: labels)); values.append(count); stamped.append(stamping)
            positions.append(base + nb)
        }
        if isWanted(name + "_sum") {
            series.append(ScrapedSeries(name: name, part: .sum, le: 0, labels: labels)); values.append(sum); stamped.append(stamping)
            positions.append(base + nb + 1)
        }
        if isWanted(name + "_count") {
            series.append(ScrapedSeries(name: name, part: .count, le: 0, labels: labels)); values.append(count); stamped.append(stamping)
            positions.append(base + nb + 2)
        }
    }

    /// `le` as client_golang prints it (shortest float, "+Inf").
    public static func formatLe(_ x: Double) -> String {
        if x == .infinity { return "+Inf" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }
}
