import Foundation
import SimKernel

/// One `relabel_configs` / `metric_relabel_configs` entry, applied as model/relabel/relabel.go
/// (Prometheus 2.42) does. Defaults: regex `(.*)`, separator `;`, replacement `$1`, action replace.
public struct RelabelConfig: @unchecked Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        case replace, keep, drop, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase
        /// 2.41+ (model/relabel/relabel.go KeepEqual / DropEqual): the joined source labels
        /// compared with the value of target_label.
        case keepequal, dropequal
    }
    public var sourceLabels: [String] = []
    public var separator = ";"
    public var targetLabel = ""
    /// The regex as written (anchored when compiled: `^(?:regex)$`).
    public private(set) var regex = "(.*)"
    public var modulus: UInt64 = 0
    public var replacement = "$1"
    public var action = Action.replace
    /// `^(?:regex)$` as relabel.NewRegexp compiles it (2.42: no (?s)), with its results memoised.
    private var compiled: GoRegexpMemo

    public init() { compiled = try! GoRegexp.cached("^(?:(.*))$") }

    /// Sets the regex; throws Go's error when it does not compile.
    public mutating func setRegex(_ r: String) throws(GoRegexpError) {
        compiled = try GoRegexp.cached("^(?:" + r + ")$")
        regex = r
    }

    public static func == (a: RelabelConfig, b: RelabelConfig) -> Bool {
        a.sourceLabels == b.sourceLabels && a.separator == b.separator && a.targetLabel == b.targetLabel && a.regex == b.regex
            && a.modulus == b.modulus && a.replacement == b.replacement && a.action == b.action
    }

    /// The groups' texts of a full match, nil when it does not match.
    func match(_ s: String) -> [String?]? { compiled.submatches(s) }

    /// regexp.Expand (GoRegexp.expand): `$1`, `${1}`, `$name`, `${name}`, `$$`; `$1x` is the group "1x".
    func expand(_ template: String, _ groups: [String?]) -> String { compiled.regexp.expand(template, groups: groups) }

    /// A valid label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
    public static func isValidLabelName(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f.isASCII, f.properties.isAlphabetic || f == "_" else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }

    /// Applies one step; nil: the target or sample is dropped.
    func apply(_ labels: [MetricLabel]) -> [MetricLabel]? {
        func get(_ n: String) -> String { labels.first { $0.name == n }?.value ?? "" }
        func set(_ ls: [MetricLabel], _ n: String, _ v: String) -> [MetricLabel] {
            var o = ls.filter { $0.name != n }
            if !v.isEmpty { o.append(MetricLabel(n, v)) }
            return o
        }
        let val = sourceLabels.map(get).joined(separator: separator)
        switch action {
        case .keep: return match(val) == nil ? nil : labels
        case .drop: return match(val) == nil ? labels : nil
        case .replace:
            guard let g = match(val) else { return labels }
            let target = expand(targetLabel, g)
            guard RelabelConfig.isValidLabelName(target) else { return labels }
            return set(labels, target, expand(replacement, g))
        case .keepequal: return get(targetLabel) == val ? labels : nil
        case .dropequal: return get(targetLabel) == val ? nil : labels
        case .lowercase: return set(labels, targetLabel, val.lowercased())
        case .uppercase: return set(labels, targetLabel, val.uppercased())
        case .hashmod:
            return set(labels, targetLabel, String(PromHash.md5Sum64(val) % modulus))
        case .labelmap:
            var out = labels
            for l in labels { if let g = match(l.name) { out = set(out, expand(replacement, g), l.value) } }
            return out
        case .labeldrop: return labels.filter { match($0.name) == nil }
        case .labelkeep: return labels.filter { match($0.name) != nil }
        }
    }

    /// relabel.Process: every step in order; nil when a step drops.
    public static func process(_ labels: [MetricLabel], _ configs: [RelabelConfig]) -> [MetricLabel]? {
        var ls = labels
        for c in configs {
            guard let next = c.apply(ls) else { return nil }
            ls = next
        }
        return ls
    }
}
