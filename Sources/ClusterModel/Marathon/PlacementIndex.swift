import SimKernel

// Constraint evaluation from counts kept per app (docs/marathon.md "Constraints").
//
// Marathon evaluates an app's constraints against the list of its placed instances for every offer
// (mesosphere/marathon:src/main/scala/mesosphere/mesos/Constraints.scala, `meetsConstraint(allPlaced,
// offer, constraint)` at v1.4.13 and v1.10.26; `Constraints.meets` here, kept as the reference). The
// answer depends only on how many placed instances have each value of the constraint's field (and,
// for CLUSTER without a value, on the first placed instance's value), so the simulator keeps those
// counts as instances come and go (`MarathonInstance.recount`) and answers an offer in time
// independent of the app's instance count: O(1) per UNIQUE, CLUSTER, MAX_PER, LIKE, UNLIKE or IS
// constraint, O(1) per GROUP_BY (O(k) with k instances of the app already placed on the same offer).
// The list form was O(instances) per offer, so a deployment of n constrained instances on n agents
// cost O(n^2) per allocation cycle (PlacementIndexTests, docs/benchmarks.md "Constraint placement").

/// Agents' values of the constraint fields used by one Marathon's apps, interned per field: an
/// app's counts are keyed by small integers, and an offer's value is read once per agent and field.
final class PlacementValues {
    private var hosts: [PlacementHost?]
    private let build: (Int) -> PlacementHost
    private var fields: [ConstraintField] = []
    private var ids: [[String: Int32]] = []
    private var names: [[String]] = []
    /// Per field and host: the value's id, `Self.absent` for a host without the field, `unknown`
    /// before it is read.
    private var byHost: [[Int32]] = []
    static let absent: Int32 = -1
    private static let unknown: Int32 = .min

    init(hostCount: Int, build: @escaping (Int) -> PlacementHost) {
        hosts = Array(repeating: nil, count: hostCount)
        self.build = build
    }

    /// The agent as constraints see it, built at the first use and kept.
    func host(_ h: Int) -> PlacementHost {
        if let p = hosts[h] { return p }
        let p = build(h)
        hosts[h] = p
        return p
    }

    /// The index of `field`, registered at its first use (a handful per Marathon: a linear search).
    func field(_ f: ConstraintField) -> Int {
        if let i = fields.firstIndex(of: f) { return i }
        fields.append(f); ids.append([:]); names.append([])
        byHost.append(Array(repeating: Self.unknown, count: hosts.count))
        return fields.count - 1
    }

    /// The id of host `h`'s value of field `f` (`absent` when it has none).
    @inline(__always) func value(_ f: Int, host h: Int) -> Int32 {
        let v = byHost[f][h]
        return v != Self.unknown ? v : lookUp(f, host: h)
    }

    private func lookUp(_ f: Int, host h: Int) -> Int32 {
        let v = host(h).value(of: fields[f]).map { intern(f, $0) } ?? Self.absent
        byHost[f][h] = v
        return v
    }

    private func intern(_ f: Int, _ s: String) -> Int32 {
        if let id = ids[f][s] { return id }
        let id = Int32(names[f].count)
        ids[f][s] = id
        names[f].append(s)
        return id
    }

    /// The text of value `id` of field `f`.
    func name(_ f: Int, _ id: Int32) -> String { names[f][Int(id)] }

    /// The id of `s` among field `f`'s values seen so far (nil: no agent read so far has it).
    func id(_ f: Int, of s: String) -> Int32? { ids[f][s] }
}

/// One app's placed instances counted per value of each field its constraints use, kept by
/// `add`/`remove` as instances become placed (active, in the app's instances) or stop being so;
/// `meetsAll` answers what `Constraints.meetsAll` answers for the same placed instances.
final class AppPlacement {
    /// The placed instances' count per value of one field. With a GROUP_BY on the field also how
    /// many values have each count (`levels`) and the smallest count, so the smallest group is
    /// known without a walk over the values.
    struct FieldCounts {
        let field: Int
        var count: [Int32: Int] = [:]
        let tracksLevels: Bool
        /// levels[k]: values with count k (k >= 1; index 0 unused).
        var levels: [Int] = [0, 0]
        /// The smallest count of a value (0 when no instance is placed).
        var minCount = 0

        init(field: Int, tracksLevels: Bool) { self.field = field; self.tracksLevels = tracksLevels }

        @inline(__always) func of(_ v: Int32) -> Int { count[v] ?? 0 }

        mutating func add(_ v: Int32) {
            let old = count[v] ?? 0, new = old + 1
            count[v] = new
            guard tracksLevels else { return }
            if old > 0 { levels[old] -= 1 }
            if new >= levels.count { levels.append(0) }
            levels[new] += 1
            if old == 0 { minCount = 1 } else if old == minCount && levels[old] == 0 { minCount = new }
        }

        mutating func remove(_ v: Int32) {
            guard let old = count[v] else { preconditionFailure("removing a value that was never placed") }
            let new = old - 1
            if new == 0 { count[v] = nil } else { count[v] = new }
            guard tracksLevels else { return }
            levels[old] -= 1
            if new > 0 {
                levels[new] += 1
                if new < minCount { minCount = new }
            } else if old == minCount && levels[old] == 0 {
                // the only value with the smallest count left: the next level up holds the new
                // smallest (a value vanishing is an instance leaving, never a per-offer cost)
                if count.isEmpty { minCount = 0; return }
                var k = old + 1
                while levels[k] == 0 { k += 1 }
                minCount = k
            }
        }
    }

    let values: PlacementValues
    let constraints: [PlacementConstraint]
    /// Per constraint: its field's entry of `counts` (constraints on the same field share one).
    private let slot: [Int]
    private(set) var counts: [FieldCounts]
    /// Placed instances.
    private(set) var placed = 0
    /// A CLUSTER without a value (1.6+) reads the first placed instance's value.
    let needsFirst: Bool

    init(constraints: [PlacementConstraint], values: PlacementValues) {
        self.values = values
        self.constraints = constraints
        var counts: [FieldCounts] = [], slot: [Int] = []
        for c in constraints {
            let f = values.field(c.field)
            if let i = counts.firstIndex(where: { $0.field == f }) { slot.append(i); continue }
            let groupBy = constraints.contains { $0.operator == .groupBy && $0.field == c.field }
            counts.append(FieldCounts(field: f, tracksLevels: groupBy))
            slot.append(counts.count - 1)
        }
        self.counts = counts; self.slot = slot
        needsFirst = constraints.contains { $0.operator == .cluster && $0.rules == .current && ($0.value ?? "").isEmpty }
    }

    /// An instance on agent `host` became placed.
    func add(host h: Int) {
        placed += 1
        for i in counts.indices { counts[i].add(values.value(counts[i].field, host: h)) }
    }

    /// An instance on agent `host` stopped being placed.
    func remove(host h: Int) {
        placed -= 1
        for i in counts.indices { counts[i].remove(values.value(counts[i].field, host: h)) }
    }

    /// Whether an offer from agent `offer` meets every constraint, with the placed instances
    /// counted here plus `extra` instances of the app already taken from this same offer; `first`:
    /// the agent of the first placed instance (the app's instance order), read only when
    /// `needsFirst`. The rules are `Constraints.meets`'s, case by case.
    func meetsAll(offer h: Int, extra: Int = 0, first: Int? = nil) -> Bool {
        for k in constraints.indices {
            let c = constraints[k]
            let fc = counts[slot[k]]   // a copy of the entry's references, not of its storage
            let v = values.value(fc.field, host: h)
            if v == PlacementValues.absent {
                if c.operator != .unlike { return false }   // only UNLIKE matches an offer without the field
                continue
            }
            switch c.operator {
            case .like, .unlike, .is:
                if !Constraints.meetsByOfferAlone(c, offerValue: values.name(fc.field, v)) { return false }
            case .unique:
                if fc.of(v) + extra != 0 { return false }
            case .maxPer:
                var n = fc.of(v) + extra
                if c.maxPerByHostname, case .attribute = c.field {
                    // 1.4.0-1.4.3 as kept in `Constraints.meets`: the offer's hostname looked up among the values
                    if let hid = values.id(fc.field, of: values.host(h).hostname) {
                        n = fc.of(hid) + (hid == v ? extra : 0)
                    } else { n = 0 }
                }
                if n >= c.count { return false }
            case .cluster:
                let value = c.value ?? ""
                if c.rules == .legacy {
                    // every placed instance (those of this offer have the offer's value) shares the offer's value
                    if !(value.isEmpty || value == values.name(fc.field, v)) || fc.of(v) != placed { return false }
                } else if value.isEmpty {
                    if placed > 0, let f = first, values.value(fc.field, host: f) != v { return false }
                } else if values.name(fc.field, v) != value {
                    return false
                }
            case .groupBy:
                if !Self.groupByAccepts(fc, v, extra: extra, minimumGroups: c.count) { return false }
            }
        }
        return true
    }

    /// `Constraints.groupByAccepts` from the counts: the placed instances plus `extra` of the offer's
    /// value `v` grouped by value; accepted when `v` has no instance, else when there are at least
    /// `minimumGroups` groups and `v`'s group is (one of) the smallest.
    static func groupByAccepts(_ fc: FieldCounts, _ v: Int32, extra: Int, minimumGroups: Int) -> Bool {
        let cv = fc.of(v)
        if cv + extra == 0 { return true }
        let groups = fc.count.count + (cv == 0 ? 1 : 0)
        guard groups >= minimumGroups else { return false }
        if fc.count.isEmpty { return true }          // the offer's instances are the only group
        let m = fc.minCount
        if cv == 0 { return extra <= m }             // a new group of `extra`, the others as they are
        if cv > m { return false }
        if extra == 0 { return true }
        if fc.levels[m] >= 2 { return false }        // another group stays at m < m + extra
        // v alone at m: the next smallest group must hold at least m + extra
        var k = m + 1
        while k < m + extra && k < fc.levels.count {
            if fc.levels[k] > 0 { return false }
            k += 1
        }
        return true
    }
}
