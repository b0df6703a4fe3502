import SimKernel

// Marathon placement constraints, evaluated per offer against the hosts of the app's currently
// placed instances (mesosphere/marathon:src/main/scala/mesosphere/mesos/Constraints.scala,
// docs/docs/constraints.md). Two rule sets: `.legacy` (Marathon 1.4-1.5) and `.current` (1.6+).
// `Constraints.meets` below walks the placed list as Marathon does; the scheduler answers from
// counts kept per app (`AppPlacement`, PlacementIndex.swift), and the list form is the reference
// it is tested against (PlacementIndexTests).

public enum ConstraintOperator: String, Equatable, Sendable, CaseIterable {
    case unique = "UNIQUE", cluster = "CLUSTER", groupBy = "GROUP_BY", like = "LIKE", unlike = "UNLIKE"
    case maxPer = "MAX_PER", `is` = "IS"
}

public enum ConstraintRules: Equatable, Sendable {
    /// Marathon 1.4-1.5: only "hostname" names the host (anything else is an agent attribute);
    /// no IS operator; CLUSTER needs a value and also requires every placed instance to share the
    /// offer's value; in 1.4.0-1.4.3 MAX_PER on an attribute looks the offer's *hostname* up among the
    /// attribute values (so it only limits when an attribute value equals a hostname: a bug of those
    /// releases, kept; `PlacementConstraint.maxPerByHostname`); scalar attributes formatted with the en-US NumberFormat ("1,234.5").
    case legacy
    /// Marathon 1.6+: "hostname"/"@hostname", "@region", "@zone" or an attribute; IS; CLUSTER with
    /// an empty value pins to the first placement's value; scalars formatted "0.###" (half-even).
    case current

    public var operators: [ConstraintOperator] {
        self == .legacy ? [.unique, .cluster, .groupBy, .like, .unlike, .maxPer] : ConstraintOperator.allCases
    }
}

/// What a constraint's field names.
public enum ConstraintField: Equatable, Sendable {
    case hostname, region, zone
    case attribute(String)

    public init(_ name: String, rules: ConstraintRules) {
        switch (name, rules) {
        case ("hostname", _): self = .hostname
        case ("@hostname", .current): self = .hostname
        case ("@region", .current): self = .region
        case ("@zone", .current): self = .zone
        default: self = .attribute(name)
        }
    }
}

/// A compiled regular expression for LIKE/UNLIKE: Java's String.matches (the whole value must
/// match), evaluated by the linear-time engine (GoRegexp: `^(?:pattern)$`, Java's `(?<name>...)`
/// accepted), so no pattern can hang the run. Java-only syntax RE2 lacks (lookaround, backreferences,
/// atomic groups, possessive quantifiers) does not compile here: the scenario is refused with the
/// construct named (docs/marathon.md). Results are memoised per value.
public final class ConstraintRegex: @unchecked Sendable, Equatable {
    public let pattern: String
    private let memo: GoRegexpMemo

    /// Nil when the pattern uses syntax the engine does not evaluate (`compile` says why).
    public init?(_ pattern: String) {
        guard case .success(let r) = Self.compile(pattern) else { return nil }
        self.pattern = pattern; memo = GoRegexpMemo(r)
    }

    /// The whole-value matcher, or Go's error naming the construct it cannot evaluate.
    public static func compile(_ pattern: String) -> Result<GoRegexp, GoRegexpError> {
        do throws(GoRegexpError) { return .success(try GoRegexp("^(?:" + pattern + ")$", javaNamedGroups: true)) }
        catch { return .failure(error) }
    }

    /// Why the pattern is refused, after its quoted text (nil: it compiles).
    public static func problem(_ pattern: String) -> String? {
        guard case .failure(let e) = compile(pattern) else { return nil }
        return "uses regular-expression syntax the simulator does not evaluate (\(e.code): `\(e.expr)`): Java's lookaround, backreferences, "
            + "atomic groups and possessive quantifiers have no linear-time matcher (RE2 syntax does); rewrite the pattern without them"
    }

    public func matchesWhole(_ s: String) -> Bool { memo.matches(s) }

    public static func == (a: ConstraintRegex, b: ConstraintRegex) -> Bool { a.pattern == b.pattern }
}

/// One constraint, `[field, operator, value?]`, checked when decoded (see `problem`).
public struct PlacementConstraint: Equatable, Sendable {
    public var fieldName: String
    public var field: ConstraintField
    public var `operator`: ConstraintOperator
    public var value: String?
    public var rules: ConstraintRules
    /// LIKE/UNLIKE.
    public var regex: ConstraintRegex?
    /// MAX_PER n; GROUP_BY minimum group count (0 when absent, Int32.max for "inf").
    public var count: Int
    /// MAX_PER on an attribute counts the group of the offer's *hostname* among the attribute's values
    /// (Marathon 1.4.0-1.4.3 only: `checkMaxPer(offer.getHostname, ...)` in checkAttribute; 1.4.4 and every
    /// later release look up the offer's attribute value, `getValueString(attr.get)`). Set by the decoder
    /// from the version (`MarathonVersion.maxPerLooksUpHostname`).
    public var maxPerByHostname = false

    public init(field: String, operator op: ConstraintOperator, value: String? = nil, rules: ConstraintRules = .current) {
        fieldName = field; self.field = ConstraintField(field, rules: rules); self.operator = op; self.value = value
        self.rules = rules
        regex = (op == .like || op == .unlike) ? value.flatMap { ConstraintRegex($0) } : nil
        switch op {
        case .maxPer: count = value.flatMap { Int32($0) }.map(Int.init) ?? 0
        case .groupBy: count = max(0, value == "inf" ? Int(Int32.max) : (value.flatMap { Int32($0) }.map(Int.init) ?? 0))
        default: count = 0
        }
    }

    /// Marathon's validation of a constraint (state/AppDefinition.scala complyWithConstraintRules
    /// for 1.4-1.5; api/v2/validation/SchedulingValidation.scala for 1.6+): nil when valid.
    /// LIKE/UNLIKE patterns must also compile (`regex != nil`); the decoder checks that with
    /// NSRegularExpression as well.
    public static func problem(field: String, operator op: ConstraintOperator, value: String?, rules: ConstraintRules) -> String? {
        if field.isEmpty { return "the field (first element) must not be empty" }
        if !rules.operators.contains(op) {
            return "operator \(op.rawValue) needs Marathon 1.6 or later; valid operators: " + rules.operators.map(\.rawValue).joined(separator: ", ")
        }
        switch op {
        case .unique:
            if rules == .legacy ? !(value ?? "").isEmpty : value != nil { return "UNIQUE does not accept a value" }
        case .cluster:
            if rules == .legacy && (value ?? "").isEmpty { return "CLUSTER needs a value in Marathon 1.4-1.5 (\"Missing value\")" }
        case .groupBy:
            if let v = value, Int32(v) == nil { return "GROUP_BY takes no value or an integer (the minimum number of groups), got \"\(v)\"" }
        case .maxPer:
            guard let v = value, Int32(v) != nil else { return "MAX_PER needs an integer value (the most instances per value of the field)" + (value.map { ", got \"\($0)\"" } ?? "") }
        case .like, .unlike:
            guard let v = value, !v.isEmpty else { return "\(op.rawValue) needs a non-empty regular expression value" }
        case .is:
            let v = value ?? ""
            if !v.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_/.-".unicodeScalars.contains($0) }) {
                return "IS only supports text or scalar values ([a-zA-Z0-9_/.-]*), got \"\(v)\""
            }
        }
        return nil
    }
}

/// A host as constraints see it: hostname, fault domain and attribute values formatted the way
/// Marathon compares them. Build one per agent once (the formatting is not free) and reuse it
/// for offers from that agent and for the instances placed on it.
public struct PlacementHost: Equatable, Sendable {
    public var hostname: String
    public var region: String?
    public var zone: String?
    /// (name, value as Marathon formats it), in the agent's order.
    public var attributes: [(name: String, value: String)]

    public init(hostname: String, region: String? = nil, zone: String? = nil, attributes: [Attribute], rules: ConstraintRules) {
        self.hostname = hostname; self.region = region; self.zone = zone
        self.attributes = attributes.map { ($0.name, MarathonAttributeFormat.format($0.value, rules: rules)) }
    }

    @inlinable public func value(of field: ConstraintField) -> String? {
        switch field {
        case .hostname: return hostname
        case .region: return region
        case .zone: return zone
        case .attribute(let n):
            for a in attributes where a.name == n { return a.value }
            return nil
        }
    }

    public static func == (a: PlacementHost, b: PlacementHost) -> Bool {
        a.hostname == b.hostname && a.region == b.region && a.zone == b.zone
            && a.attributes.map(\.name) == b.attributes.map(\.name) && a.attributes.map(\.value) == b.attributes.map(\.value)
    }
}

/// Formatting of agent attribute values as Marathon compares them (Constraints.getValueString):
/// a value Mesos parses as a scalar is printed with at most 3 decimals, rounded half-even on
/// the exact binary value (java.text.DecimalFormat); text is kept as it is.
public enum MarathonAttributeFormat {
    public static func format(_ raw: String, rules: ConstraintRules) -> String {
        guard isMesosScalar(raw), let x = Double(raw), x.isFinite else { return raw }
        return formatScalar(x, grouping: rules == .legacy)
    }

    /// Mesos treats an attribute value as a scalar when it is a plain number (src/common/values.cpp
    /// parse: not a range "[..]" or set "{..}", and numify<double> succeeds).
    public static func isMesosScalar(_ s: String) -> Bool {
        var u = Array(s.utf8)[...]
        if u.first == UInt8(ascii: "+") || u.first == UInt8(ascii: "-") { u = u.dropFirst() }
        var digits = 0, dot = false, i = u.startIndex
        while i < u.endIndex {
            let c = u[i]
            if c >= 48 && c <= 57 { digits += 1 } else if c == UInt8(ascii: ".") && !dot { dot = true } else { break }
            i += 1
        }
        guard digits > 0 else { return false }
        if i < u.endIndex {
            guard u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") else { return false }
            i += 1
            if i < u.endIndex && (u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-")) { i += 1 }
            var expDigits = 0
            while i < u.endIndex, u[i] >= 48, u[i] <= 57 { expDigits += 1; i += 1 }
            return expDigits > 0 && i == u.endIndex
        }
        return true
    }

    /// "0.###" (grouping false) or "#,##0.###" (grouping true), ROUND_HALF_EVEN on the exact value.
    public static func formatScalar(_ v: Double, grouping: Bool) -> String {
        let neg = v < 0
        let x = abs(v)
        guard x < 9.0e15 else {
            // an integer; past UInt64 (a rack named "99999999999999999999") Swift's shortest form, never a trap
            return (neg ? "-" : "") + (x < 1.8e19 ? String(UInt64(x.rounded(.toNearestOrEven))) : String(x))
        }
        // thousandths, rounded half-even against the exact binary value (fma keeps the sign exact)
        var f = (x * 1000).rounded(.down)
        if (-f).addingProduct(1000, x) < 0 { f -= 1 }          // x*1000 rounded up across an integer
        let half = (-(2 * f + 1)).addingProduct(2000, x)         // sign of 2000x - (2f+1), exact
        var n = Int64(f)
        if half > 0 || (half == 0 && n % 2 == 1) { n += 1 }
        let intPart = n / 1000
        var frac = n % 1000
        var fracDigits = 3
        while fracDigits > 0 && frac % 10 == 0 { frac /= 10; fracDigits -= 1 }
        var s = String(intPart)
        if grouping && s.count > 3 {
            var out = ""
            for (i, ch) in s.enumerated() {
                if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
                out.append(ch)
            }
            s = out
        }
        if fracDigits > 0 {
            let fs = String(frac)
            s += "." + String(repeating: "0", count: fracDigits - fs.count) + fs
        }
        return (neg && n != 0 ? "-" : "") + s
    }

    /// IS compares with the constraint value formatted as a scalar when it looks like one
    /// (MesosScalarValue "([0-9]+(?:\.[0-9]+)?)").
    public static func isOperand(_ value: String) -> String {
        let u = value.utf8
        var seenDot = false, digitsBefore = 0, digitsAfter = 0
        for c in u {
            if c >= 48 && c <= 57 { if seenDot { digitsAfter += 1 } else { digitsBefore += 1 } }
            else if c == UInt8(ascii: ".") && !seenDot { seenDot = true }
            else { return value }
        }
        guard digitsBefore > 0, !seenDot || digitsAfter > 0, let x = Double(value) else { return value }
        return formatScalar(x, grouping: false)
    }
}

public enum Constraints {
    /// Whether an offer from `offer` meets every constraint, given the hosts of the app's
    /// currently placed instances (one entry per instance; several entries may be the same host).
    @inlinable public static func meetsAll(_ constraints: [PlacementConstraint], offer: PlacementHost, placed: [PlacementHost]) -> Bool {
        for c in constraints where !meets(c, offer: offer, placed: placed) { return false }
        return true
    }

    /// Constraints.meetsConstraint for one constraint.
    public static func meets(_ c: PlacementConstraint, offer: PlacementHost, placed: [PlacementHost]) -> Bool {
        guard let offerValue = offer.value(of: c.field) else {
            return c.operator == .unlike   // only UNLIKE matches an offer without the field
        }
        let value = c.value ?? ""
        switch c.operator {
        case .like, .unlike, .is:
            return meetsByOfferAlone(c, offerValue: offerValue)
        case .unique:
            return placed.allSatisfy { $0.value(of: c.field) != offerValue }
        case .groupBy:
            return groupByAccepts(offerValue, c, placed)
        case .maxPer:
            if c.maxPerByHostname, case .attribute = c.field {
                // 1.4.0-1.4.3: groups by the attribute but looks up the offer's hostname
                return countOf(offer.hostname, c.field, placed) < c.count
            }
            return countOf(offerValue, c.field, placed) < c.count
        case .cluster:
            if c.rules == .legacy {
                return (value.isEmpty || value == offerValue) && placed.allSatisfy { $0.value(of: c.field) == offerValue }
            }
            if value.isEmpty { return placed.first.map { $0.value(of: c.field) == offerValue } ?? true }
            return offerValue == value
        }
    }

    /// LIKE, UNLIKE and IS read only the offer's value of the field (present).
    public static func meetsByOfferAlone(_ c: PlacementConstraint, offerValue: String) -> Bool {
        let value = c.value ?? ""
        switch c.operator {
        case .like: return !value.isEmpty && (c.regex?.matchesWhole(offerValue) ?? false)
        case .unlike: return !value.isEmpty && !(c.regex?.matchesWhole(offerValue) ?? true)
        case .is: return offerValue == MarathonAttributeFormat.isOperand(value)
        default: preconditionFailure("\(c.operator.rawValue) reads the placed instances")
        }
    }

    static func countOf(_ v: String, _ field: ConstraintField, _ placed: [PlacementHost]) -> Int {
        var n = 0
        for p in placed where p.value(of: field) == v { n += 1 }
        return n
    }

    /// GROUP_BY (every released version, 1.4-1.10): an offer whose value has no instance yet is
    /// accepted; otherwise only when at least `count` groups are known and the value's group is
    /// (one of) the smallest. Placed instances without the field form their own group.
    static func groupByAccepts(_ offerValue: String, _ c: PlacementConstraint, _ placed: [PlacementHost]) -> Bool {
        var keys: [String?] = []
        var counts: [Int] = []
        for p in placed {
            let k = p.value(of: c.field)
            if let i = keys.firstIndex(where: { $0 == k }) { counts[i] += 1 } else { keys.append(k); counts.append(1) }
        }
        guard let i = keys.firstIndex(where: { $0 == offerValue }) else { return true }
        let minCount = counts.min() ?? 0
        return keys.count >= c.count && counts[i] == minCount
    }
}
