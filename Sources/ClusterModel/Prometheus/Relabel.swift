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
    private var compiled: NSRegularExpression

    public init() { compiled = try! NSRegularExpression(pattern: "^(?:(.*))$", options: [.dotMatchesLineSeparators]) }

    /// Sets the regex; throws when it does not compile (the caller reports Prometheus' reason).
    public mutating func setRegex(_ r: String) throws {
        if let why = SafeRegex.problem(r) { throw LabelMatcherError(name: "regex", value: r, reason: why) }
        compiled = try NSRegularExpression(pattern: "^(?:" + SafeRegex.foundationPattern(r) + ")$", options: [.dotMatchesLineSeparators])
        regex = r
    }

    public static func == (a: RelabelConfig, b: RelabelConfig) -> Bool {
        a.sourceLabels == b.sourceLabels && a.separator == b.separator && a.targetLabel == b.targetLabel && a.regex == b.regex
            && a.modulus == b.modulus && a.replacement == b.replacement && a.action == b.action
    }

    /// The submatch ranges of a full match, nil when it does not match.
    func match(_ s: String) -> [String?]? {
        let ns = s as NSString
        guard let m = compiled.firstMatch(in: s, options: [], range: NSRange(location: 0, length: ns.length)) else { return nil }
        return (0..<m.numberOfRanges).map { i in
            let r = m.range(at: i)
            return r.location == NSNotFound ? nil : ns.substring(with: r)
        }
    }

    /// regexp.Expand: `$1`, `${1}`; a name is the longest run of letters, digits and `_`, so
    /// `$1x` is the (absent) group "1x" and expands to nothing, as in Go. Named groups expand to
    /// nothing here (documented). `$$` is a dollar.
    static func expand(_ template: String, _ groups: [String?]) -> String {
        var out = ""
        var it = Array(template.unicodeScalars)[...]
        while let c = it.first {
            it = it.dropFirst()
            guard c == "$", let n = it.first else { out.unicodeScalars.append(c); continue }
            if n == "$" { out += "$"; it = it.dropFirst(); continue }
            var name = ""
            if n == "{" {
                guard let close = it.firstIndex(of: "}") else { out += "$"; continue }
                name = String(String.UnicodeScalarView(it[it.index(after: it.startIndex)..<close]))
                it = it[it.index(after: close)...]
            } else {
                while let x = it.first, x.properties.isAlphabetic || ("0"..."9").contains(x) || x == "_" { name.unicodeScalars.append(x); it = it.dropFirst() }
                if name.isEmpty { out += "$"; continue }
            }
            if let i = Int(name), i >= 0, i < groups.count, let g = groups[i] { out += g }
        }
        return out
    }

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
            let target = RelabelConfig.expand(targetLabel, g)
            guard RelabelConfig.isValidLabelName(target) else { return labels }
            return set(labels, target, RelabelConfig.expand(replacement, g))
        case .keepequal: return get(targetLabel) == val ? labels : nil
        case .dropequal: return get(targetLabel) == val ? nil : labels
        case .lowercase: return set(labels, targetLabel, val.lowercased())
        case .uppercase: return set(labels, targetLabel, val.uppercased())
        case .hashmod:
            return set(labels, targetLabel, String(PromHash.md5Sum64(val) % modulus))
        case .labelmap:
            var out = labels
            for l in labels { if let g = match(l.name) { out = set(out, RelabelConfig.expand(replacement, g), l.value) } }
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
