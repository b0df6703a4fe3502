import Foundation

// Alert label and annotation templates as Prometheus expands them (template/template.go and
// rules/alerting.go Eval, 2.42): Go text/template over {Labels, ExternalLabels, ExternalURL, Value}
// with `$labels`, `$externalLabels`, `$externalURL` and `$value` defined first, missingkey=zero, and
// an execution error written into the text as `<error expanding template: ...>`.
//
// Parsing reuses consul-template's Go template parser with Prometheus' dialect (its function
// names, float constants). The subset: fields and variables, `if`/`else`/`with`, pipelines, the
// functions in `functions` below. Prometheus' other functions (`query`, `first`, `label`, ...) and
// `range` parse as Prometheus parses them (a rule file using them loads, as in Prometheus:
// `unmodelled` lists them for the loader's warning); running one is an execution error, so the text
// reads `<error expanding template: ...>` and the alert still fires; `{{template}}` calls likewise.

/// The data an alert's templates see.
public struct AlertTemplateData: Sendable {
    public var labels: LabelSet
    public var externalLabels: LabelSet
    public var externalURL: String
    public var value: Double
    public init(labels: LabelSet, externalLabels: LabelSet = LabelSet(), externalURL: String = "", value: Double) {
        self.labels = labels; self.externalLabels = externalLabels; self.externalURL = externalURL; self.value = value
    }
}

/// One label value or annotation of an alerting rule, parsed.
public struct AlertTemplate: Sendable {
    public let text: String
    /// `__alert_<name>`: the template's name in Prometheus' messages.
    public let name: String
    let parsed: ParsedTemplate?

    public static let functions: Set<String> = [
        "humanize", "humanize1024", "humanizeDuration", "humanizePercentage", "humanizeTimestamp", "printf", "print",
        "toUpper", "toLower", "title", "reReplaceAll", "eq", "ne", "lt", "le", "gt", "ge", "and", "or", "not",
    ]
    static let notModelled = ["query", "first", "label", "value", "strvalue", "args", "safeHtml", "match", "graphLink",
                              "tableLink", "sortByLabel", "stripPort", "stripDomain", "toTime", "pathPrefix", "externalURL",
                              "parseDuration", "index", "len", "slice", "html", "js", "urlquery", "call", "println"]
    public static let dialect = TemplateDialect(functions: functions.union(notModelled), floats: true)
    /// The Prometheus functions (and `range`) this template uses that the simulator does not run, in
    /// first-use order; empty when it renders as in Prometheus.
    public private(set) var unmodelled: [String] = []
    static let variables: Set<String> = ["$", "$labels", "$externalLabels", "$externalURL", "$value"]

    /// Parses `text` as Prometheus does at load (`promtool check rules`), within the subset.
    public init(_ text: String, alert: String) throws(TemplateError) {
        self.text = text
        self.name = "__alert_" + alert
        guard text.contains("{{") else { parsed = nil; return }
        let t: ParsedTemplate
        do { t = try TemplateParser.parse(text, dialect: AlertTemplate.dialect) } catch {
            throw TemplateError(line: error.line, "template: \(name):\(error.line): \(error.message)")
        }
        var declared = AlertTemplate.variables
        var used: [String] = []
        try AlertTemplate.check(t.nodes, declared: &declared, used: &used, name: name)
        parsed = t
        unmodelled = used
    }

    /// Whether expanding can change the text.
    public var isLiteral: Bool { parsed == nil }

    /// The expanded text; an execution error gives `<error expanding template: ...>`.
    public func expand(_ data: AlertTemplateData) -> String {
        guard let parsed else { return text }
        let r = AlertTemplateRenderer(data: data)
        do { try r.run(parsed.nodes, dot: .none) } catch {
            return "<error expanding template: template: \(name):\(error.line): executing \"\(name)\": \(error.message)>"
        }
        return r.out
    }

    /// Expands with stand-in data and reports an execution error (a template that cannot render).
    public func renderError() -> String? {
        let out = expand(AlertTemplateData(labels: LabelSet(["instance": "host:9100", "job": "node"]),
                                           externalLabels: LabelSet(["cluster": "sim"]), value: 1))
        return out.hasPrefix("<error expanding template: ") ? String(out.dropFirst(27).dropLast()) : nil
    }

    /// Go's parse-time checks the shared parser leaves to its renderer: variables must be defined.
    /// Collects the functions (and `range`) the simulator does not run into `used`.
    static func check(_ nodes: [TemplateNode], declared: inout Set<String>, used: inout [String], name: String) throws(TemplateError) {
        func note(_ f: String) { if !used.contains(f) { used.append(f) } }
        func pipe(_ p: TemplatePipeline, _ line: Int) throws(TemplateError) {
            for c in p.commands { for o in c { try operand(o, line) } }
            for v in p.variables { declared.insert(v) }
        }
        func operand(_ o: TemplateOperand, _ line: Int) throws(TemplateError) {
            switch o {
            case .variable(let v, _):
                guard declared.contains(v) else { throw TemplateError(line: line, "template: \(name):\(line): undefined variable \"\(v)\"") }
            case .pipeline(let p, _): try pipe(p, line)
            case .nilValue: throw TemplateError(line: line, "template: \(name):\(line): nil is not a command")
            case .function(let f): if notModelled.contains(f) { note(f) }
            default: break
            }
        }
        for n in nodes {
            switch n {
            case .text: break
            case .action(let p, let l): try pipe(p, l)
            case .ifNode(let p, let a, let b, let l), .withNode(let p, let a, let b, let l):
                try pipe(p, l)
                try check(a, declared: &declared, used: &used, name: name)
                try check(b, declared: &declared, used: &used, name: name)
            case .breakNode, .continueNode: break  // only inside a range (unmodelled)
            case .templateCall(_, let p, let l):
                note("template")
                if let p { try pipe(p, l) }
            case .rangeNode(let p, let a, let b, let l):
                note("range")
                try pipe(p, l)
                try check(a, declared: &declared, used: &used, name: name)
                try check(b, declared: &declared, used: &used, name: name)
            }
        }
    }
}

/// Runs a parsed alert template (text/template's exec, for the subset).
final class AlertTemplateRenderer {
    let data: AlertTemplateData
    var out = ""
    var variables: [(String, GoValue)]
    var line = 1

    init(data: AlertTemplateData) {
        self.data = data
        variables = [("$labels", .labels(data.labels)), ("$externalLabels", .labels(data.externalLabels)),
                     ("$externalURL", .string(data.externalURL)), ("$value", .float(data.value))]
    }

    func run(_ nodes: [TemplateNode], dot: GoValue) throws(TemplateError) {
        let mark = variables.count
        defer { variables.removeLast(variables.count - mark) }
        for n in nodes {
            switch n {
            case .text(let s): out += s
            case .action(let p, let l):
                line = l
                let v = try pipeline(p, dot: dot)
                if p.variables.isEmpty { out += v.printed }
            case .ifNode(let p, let a, let b, let l):
                line = l
                try run(try pipeline(p, dot: dot).truth ? a : b, dot: dot)
            case .withNode(let p, let a, let b, let l):
                line = l
                let v = try pipeline(p, dot: dot)
                if v.truth { try run(a, dot: v) } else { try run(b, dot: dot) }
            case .rangeNode(_, _, _, let l), .breakNode(let l), .continueNode(let l):
                line = l
                throw TemplateError(line: line, "range is not implemented by the simulator")
            case .templateCall(_, _, let l):
                line = l
                throw TemplateError(line: line, "template is not implemented by the simulator")
            }
        }
    }

    func pipeline(_ p: TemplatePipeline, dot: GoValue) throws(TemplateError) -> GoValue {
        var piped: GoValue? = nil
        for c in p.commands { piped = try command(c, dot: dot, piped: piped) }
        let v = piped ?? .none
        if let name = p.variables.first {
            if !p.declare, let i = variables.lastIndex(where: { $0.0 == name }) { variables[i].1 = v } else { variables.append((name, v)) }
        }
        return v
    }

    func command(_ c: [TemplateOperand], dot: GoValue, piped: GoValue?) throws(TemplateError) -> GoValue {
        guard let head = c.first else { return .none }
        if case .function(let f) = head {
            var args: [GoValue] = []
            for o in c.dropFirst() { args.append(try operand(o, dot: dot)) }
            if let p = piped { args.append(p) }
            return try call(f, args)
        }
        guard c.count == 1, piped == nil else { throw TemplateError(line: line, "can't give argument to non-function") }
        return try operand(head, dot: dot)
    }

    func operand(_ o: TemplateOperand, dot: GoValue) throws(TemplateError) -> GoValue {
        switch o {
        case .dot: return dot
        case .field(let fs):
            if case .none = dot { return try fields(root(fs[0]), Array(fs.dropFirst())) }
            return try fields(dot, fs)
        case .variable(let name, let fs):
            if name == "$" { return fs.isEmpty ? .none : try fields(root(fs[0]), Array(fs.dropFirst())) }
            guard let v = variables.last(where: { $0.0 == name }) else { throw TemplateError(line: line, "undefined variable \"\(name)\"") }
            return try fields(v.1, fs)
        case .string(let s): return .string(s)
        case .number(let n): return .int(n)
        case .float(let x): return .float(x)
        case .bool(let b): return .bool(b)
        case .nilValue: throw TemplateError(line: line, "nil is not a command")
        case .function(let f): return try call(f, [])
        case .pipeline(let p, let fs): return try fields(try pipeline(p, dot: dot), fs)
        }
    }

    /// A field of the template's data (`.Labels`, `.Value`, ...); `.none` is the data itself.
    func root(_ f: String) throws(TemplateError) -> GoValue {
        switch f {
        case "Labels": return .labels(data.labels)
        case "ExternalLabels": return .labels(data.externalLabels)
        case "ExternalURL": return .string(data.externalURL)
        case "Value": return .float(data.value)
        default: throw TemplateError(line: line, "can't evaluate field \(f) in type struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value interface {} }")
        }
    }

    func fields(_ v: GoValue, _ fs: [String]) throws(TemplateError) -> GoValue {
        var v = v
        for f in fs {
            guard case .labels(let l) = v else { throw TemplateError(line: line, "can't evaluate field \(f) in type \(v.typeName)") }
            v = .string(l[f] ?? "")  // missingkey=zero
        }
        return v
    }

    func call(_ f: String, _ args: [GoValue]) throws(TemplateError) -> GoValue {
        func arity(_ n: Int) throws(TemplateError) {
            guard args.count == n else { throw TemplateError(line: line, "wrong number of args for \(f): want \(n) got \(args.count)") }
        }
        func str(_ v: GoValue) throws(TemplateError) -> String {
            guard case .string(let s) = v else { throw TemplateError(line: line, "error calling \(f): wrong type for value; expected string; got \(v.typeName)") }
            return s
        }
        if AlertTemplate.notModelled.contains(f) {
            throw TemplateError(line: line, "error calling \(f): the function is not implemented by the simulator")
        }
        switch f {
        case "humanize", "humanize1024", "humanizeDuration", "humanizePercentage", "humanizeTimestamp":
            try arity(1)
            let x: Double
            switch args[0] {
            case .float(let d): x = d
            case .int(let i): x = Double(i)
            case .string(let s):
                guard s.utf8.count <= 400, let d = PromQLFunctions.parseGoFloat(s) else { throw TemplateError(line: line, "error calling \(f): strconv.ParseFloat: parsing \"\(s)\": invalid syntax") }
                x = d
            default: throw TemplateError(line: line, "error calling \(f): can't convert \(args[0].typeName) to float")
            }
            guard let text = Humanize.apply(f, x) else {
                throw TemplateError(line: line, "error calling \(f): \(GoFormat.shortest(x)) cannot be represented as a nanoseconds timestamp since it overflows int64")
            }
            return .string(text)
        case "printf":
            guard let first = args.first else { throw TemplateError(line: line, "wrong number of args for printf: want at least 1 got 0") }
            return .string(GoFormat.sprintf(try str(first), Array(args.dropFirst())))
        case "print":
            // fmt.Sprint: spaces between operands when neither is a string
            var s = ""
            for (i, a) in args.enumerated() {
                if i > 0, case .string = a {} else if i > 0, case .string = args[i - 1] {} else if i > 0 { s += " " }
                s += a.printed
            }
            return .string(s)
        case "toUpper": try arity(1); return .string(try str(args[0]).uppercased())
        case "toLower": try arity(1); return .string(try str(args[0]).lowercased())
        case "title": try arity(1); return .string(Humanize.title(try str(args[0])))
        case "reReplaceAll":
            try arity(3)
            let (pattern, repl, text) = (try str(args[0]), try str(args[1]), try str(args[2]))
            // regexp.MustCompile(pattern).ReplaceAllString(text, repl); MustCompile's panic is the error
            let re: GoRegexpMemo
            do { re = try GoRegexp.cached(pattern) } catch {
                throw TemplateError(line: line, "error calling reReplaceAll: regexp: Compile(\(GoRegexp.quote(pattern))): \(error)")
            }
            return .string(re.regexp.replaceAll(text, repl))
        case "not": try arity(1); return .bool(!args[0].truth)
        case "and":
            guard !args.isEmpty else { throw TemplateError(line: line, "wrong number of args for and: want at least 1 got 0") }
            return args.first(where: { !$0.truth }) ?? args[args.count - 1]
        case "or":
            guard !args.isEmpty else { throw TemplateError(line: line, "wrong number of args for or: want at least 1 got 0") }
            return args.first(where: { $0.truth }) ?? args[args.count - 1]
        default:
            return .bool(try compare(f, args))
        }
    }

    /// text/template's eq/ne/lt/le/gt/ge: same basic kind (int, float, string, bool) on both sides.
    func compare(_ f: String, _ args: [GoValue]) throws(TemplateError) -> Bool {
        guard args.count >= 2, f == "eq" || args.count == 2 else { throw TemplateError(line: line, "wrong number of args for \(f): want 2 got \(args.count)") }
        func order(_ a: GoValue, _ b: GoValue) throws(TemplateError) -> Int {
            switch (a, b) {
            case let (.int(x), .int(y)): return x < y ? -1 : x == y ? 0 : 1
            case let (.float(x), .float(y)): return x < y ? -1 : x == y ? 0 : (x > y ? 1 : 2)
            case let (.string(x), .string(y)): return x < y ? -1 : x == y ? 0 : 1
            case let (.bool(x), .bool(y)):
                guard f == "eq" || f == "ne" else { throw TemplateError(line: line, "error calling \(f): invalid type for comparison") }
                return x == y ? 0 : 1
            default: throw TemplateError(line: line, "error calling \(f): incompatible types for comparison")
            }
        }
        switch f {
        case "eq":
            for b in args.dropFirst() where try order(args[0], b) == 0 { return true }
            return false
        case "ne": return try order(args[0], args[1]) != 0
        case "lt": return try order(args[0], args[1]) == -1
        case "le": let o = try order(args[0], args[1]); return o == -1 || o == 0
        case "gt": return try order(args[0], args[1]) == 1
        default: let o = try order(args[0], args[1]); return o == 1 || o == 0
        }
    }
}
