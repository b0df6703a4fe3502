import Foundation
import SimKernel

/// The routing tree with every option resolved (dispatch/route.go NewRoute): a node inherits its
/// parent's receiver, group_by and intervals unless it sets them; its matchers are sorted by name
/// then value, and its key is the parent's key, `/`, and `{matchers}` (Route.Key), the prefix of
/// the group keys of its aggregation groups.
public struct AlertmanagerRoutingTree: Sendable {
    public struct Node: Sendable {
        public var matchers: [LabelMatcher]
        public var `continue`: Bool
        public var children: [Int]
        public var receiver: String
        /// Sorted label names; ignored when `groupByAll`.
        public var groupBy: [String]
        var groupBySet: Set<String>
        public var groupByAll: Bool
        public var groupWait: SimDuration
        public var groupInterval: SimDuration
        public var repeatInterval: SimDuration
        public var key: String
        /// Indices into the configuration's time intervals.
        public var mute: [Int]
        public var active: [Int]
    }
    public private(set) var nodes: [Node] = []

    /// Time interval name → its first index (a route naming thousands of intervals looked each
    /// up by scanning them all).
    let intervals: [String: Int]
    public init(_ root: AlertmanagerRoute, timeIntervals: [String] = []) {
        var byName: [String: Int] = [:]
        for (i, n) in timeIntervals.enumerated() where byName[n] == nil { byName[n] = i }
        intervals = byName
        _ = add(root, parent: nil)
    }

    private mutating func add(_ r: AlertmanagerRoute, parent: Int?) -> Int {
        let p = parent.map { nodes[$0] }
        var groupBy = p?.groupBy ?? [], all = p?.groupByAll ?? false
        if let g = r.groupBy { groupBy = g.sorted(); all = false } else if r.groupByAll { all = true }
        let matchers = r.matchers.sorted { a, b in a.name != b.name ? a.name < b.name : a.value != b.value ? a.value < b.value : a.type.order < b.type.order }
        let own = "{" + matchers.map { "\($0.name)\($0.type.rawValue)\"\(AlertmanagerRoutingTree.openMetricsEscape($0.value))\"" }.joined(separator: ",") + "}"
        let node = Node(matchers: matchers, continue: r.continue, children: [], receiver: r.receiver ?? p?.receiver ?? "",
                        groupBy: groupBy, groupBySet: Set(groupBy), groupByAll: all,
                        groupWait: r.groupWait ?? p?.groupWait ?? AlertmanagerRoute.defaultGroupWait,
                        groupInterval: r.groupInterval ?? p?.groupInterval ?? AlertmanagerRoute.defaultGroupInterval,
                        repeatInterval: r.repeatInterval ?? p?.repeatInterval ?? AlertmanagerRoute.defaultRepeatInterval,
                        key: p.map { $0.key + "/" + own } ?? own,
                        mute: r.muteTimeIntervals.compactMap { intervals[$0] },
                        active: r.activeTimeIntervals.compactMap { intervals[$0] })
        let i = nodes.count
        nodes.append(node)
        var children: [Int] = []
        for c in r.routes { children.append(add(c, parent: i)) }
        nodes[i].children = children
        return i
    }

    /// Route.Match: depth-first, left to right; a child that matches stops the search among its
    /// siblings unless it has `continue`; a node none of whose children match is itself the match.
    public func match(_ labels: LabelSet) -> [Int] {
        var out: [Int] = []
        collect(0, labels, &out)
        return out
    }

    private func collect(_ i: Int, _ labels: LabelSet, _ out: inout [Int]) {
        let n = nodes[i]
        guard n.matchers.allSatisfy({ $0.matches(labels) }) else { return }
        let before = out.count
        for c in n.children {
            let had = out.count
            collect(c, labels, &out)
            if out.count > had && !nodes[c].continue { break }
        }
        if out.count == before { out.append(i) }
    }

    /// The labels an alert is grouped by on node `i` (dispatch.go getGroupLabels).
    public func groupLabels(_ i: Int, _ labels: LabelSet) -> LabelSet {
        let n = nodes[i]
        return n.groupByAll ? labels : labels.keeping(n.groupBySet)
    }

    /// `a="x", b="y"` inside braces, as model.LabelSet.String() prints group labels.
    public static func groupKey(route: String, labels: LabelSet) -> String {
        route + ":{" + labels.labels.map { "\($0.name)=\"\(LabelSet.escape($0.value))\"" }.joined(separator: ", ") + "}"
    }

    /// pkg/labels openMetricsEscape: backslash, double quote and newline escaped.
    static func openMetricsEscape(_ v: String) -> String { LabelSet.escape(v) }
}

extension LabelMatchType {
    /// pkg/labels MatchType order (=, !=, =~, !~), the last sort key of Matchers.
    var order: Int {
        switch self { case .equal: return 0; case .notEqual: return 1; case .regexMatch: return 2; case .regexNoMatch: return 3 }
    }
}

/// Alertmanager's matcher syntax (pkg/labels/parse.go, v0.25): `name="value"`, `name=~"re"`,
/// `name!=value` (unquoted values allowed), several in a list separated by commas, optionally
/// inside braces. Used by `matchers` in routes and inhibit rules and by amtool silences.
public enum AlertmanagerMatcherSyntax {
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// ParseMatchers: splits on commas outside double quotes, then ParseMatcher on each.
    public static func parseList(_ s: String) throws(ParseError) -> [LabelMatcher] {
        var t = Substring(s)
        if t.hasPrefix("{") { t = t.dropFirst() }
        if t.hasSuffix("}") { t = t.dropLast() }
        var tokens: [String] = [], token = "", inside = false, escaped = false
        for c in t {
            switch c {
            case ",":
                if !inside { tokens.append(token); token = ""; continue }
            case "\"":
                if !escaped { inside.toggle() } else { escaped = false }
            case "\\": escaped.toggle()
            default: escaped = false
            }
            token.append(c)
        }
        let last = token.trimmingCharacters(in: .whitespacesAndNewlines)
        if !last.isEmpty { tokens.append(last) }
        var out: [LabelMatcher] = []
        for tok in tokens { out.append(try parse(tok)) }
        return out
    }

    /// ParseMatcher: `^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*((?s).*?)\s*$`.
    public static func parse(_ s: String) throws(ParseError) -> LabelMatcher {
        let bad = ParseError(message: "bad matcher format: \(s)")
        let chars = Array(s.unicodeScalars)
        var i = 0
        while i < chars.count, chars[i].properties.isWhitespace { i += 1 }
        let nameStart = i
        while i < chars.count, isNameChar(chars[i], first: i == nameStart) { i += 1 }
        guard i > nameStart else { throw bad }
        let name = String(String.UnicodeScalarView(chars[nameStart..<i]))
        while i < chars.count, chars[i].properties.isWhitespace { i += 1 }
        guard i < chars.count else { throw bad }
        var type: LabelMatchType
        let two = i + 1 < chars.count ? String(String.UnicodeScalarView(chars[i...(i + 1)])) : ""
        if two == "=~" { type = .regexMatch; i += 2 }
        else if two == "!=" { type = .notEqual; i += 2 }
        else if two == "!~" { type = .regexNoMatch; i += 2 }
        else if chars[i] == "=" { type = .equal; i += 1 }
        else { throw bad }
        let raw = String(String.UnicodeScalarView(chars[i...])).trimmingCharacters(in: .whitespacesAndNewlines)
        var rest = Substring(raw)
        var expectQuote = false
        if rest.hasPrefix("\"") { rest = rest.dropFirst(); expectQuote = true }
        let unescapedQuote = ParseError(message: "matcher value contains unescaped double quote: \(raw)")
        var value = "", escaped = false
        let scalars = Array(rest.unicodeScalars)
        for (k, c) in scalars.enumerated() {
            if escaped {
                escaped = false
                switch c {
                case "n": value.append("\n")
                case "\"", "\\": value.unicodeScalars.append(c)
                default: value.append("\\"); value.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\\":
                if k < scalars.count - 1 { escaped = true; continue }
                value.append("\\")
            case "\"":
                if !expectQuote || k < scalars.count - 1 { throw unescapedQuote }
                expectQuote = false
            default: value.unicodeScalars.append(c)
            }
        }
        if expectQuote { throw unescapedQuote }
        do { return try LabelMatcher(name, type, value) } catch {
            throw ParseError(message: (error as? LabelMatcherError)?.reason ?? "error parsing regexp: \(value)")
        }
    }

    static func isNameChar(_ c: Unicode.Scalar, first: Bool) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "_", ":": return true
        case "0"..."9": return !first
        default: return false
        }
    }

    /// model.LabelNameRE `^[a-zA-Z_][a-zA-Z0-9_]*$`.
    public static func isLabelName(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first else { return false }
        return s.unicodeScalars.allSatisfy { isNameChar($0, first: false) && $0 != ":" } && !("0"..."9").contains(f)
    }
}
