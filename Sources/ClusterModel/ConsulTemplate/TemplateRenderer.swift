// Executes a parsed template as Go's text/template does (truth of values, `range ... else`,
// variables scoped to their block, printing of lists as `[a b]` and of missing values as
// `<no value>`), with consul-template's `service` and `services` answered by a `TemplateData`.

/// A `service` dependency: `service "web"` (passing only), `"web|any"`, `"web|passing,warning"`
/// (hashicorp/consul-template dependency/health_service.go: the part after `|` lists statuses).
public struct ServiceQuery: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var filter: ServiceHealthFilter
    public init(name: String, filter: ServiceHealthFilter) { self.name = name; self.filter = filter }

    public static func parse(_ s: String) -> Result<ServiceQuery, TemplateError> {
        var name = Substring(s)
        var filter = ServiceHealthFilter.passing
        if let bar = s.firstIndex(of: "|") {
            name = s[..<bar]
            let statuses = s[s.index(after: bar)...].split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters() }
            switch Set(statuses) {
            case ["any"]: filter = .any
            case ["passing"]: filter = .passing
            case ["passing", "warning"]: filter = .passingOrWarning
            default:
                return .failure(TemplateError(line: 0, "service \(quoted(s)): the health filter must be any, passing or passing,warning (the statuses the simulated catalog distinguishes), got \(quoted(String(s[s.index(after: bar)...])))"))
            }
        }
        if name.contains("@") { return .failure(TemplateError(line: 0, "service \(quoted(s)): other datacenters (@dc) are not modelled")) }
        if name.contains(".") { return .failure(TemplateError(line: 0, "service \(quoted(s)): tag filters (tag.name) are not modelled: the simulated services have no tags")) }
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "/" }) else {
            return .failure(TemplateError(line: 0, "service \(quoted(s)): invalid service name (letters, digits, - _ /)"))
        }
        return .success(ServiceQuery(name: String(name), filter: filter))
    }

    public var description: String {
        switch filter {
        case .passing: return name
        case .any: return name + "|any"
        case .passingOrWarning: return name + "|passing,warning"
        }
    }

    static func quoted(_ s: String) -> String { "\"" + s + "\"" }
}

extension Substring {
    func trimmingCharacters() -> String { String(self).trimmingWhitespace() }
}

/// One entry of a `service` answer as the template sees it (consul-template's HealthService).
public struct TemplateInstance: Hashable, Sendable {
    public var node: String
    public var address: String
    public var id: String
    public var name: String
    public var port: Int
    public var tags: [String]
    public init(node: String, address: String, id: String, name: String, port: Int, tags: [String] = []) {
        self.node = node; self.address = address; self.id = id; self.name = name; self.port = port; self.tags = tags
    }
}

/// What `service` and `services` return.
public protocol TemplateData {
    func service(_ q: ServiceQuery) -> [TemplateInstance]
    /// Names of the catalog's services, sorted (consul-template's `services`).
    func services() -> [String]
    /// A number that changes whenever the answer of `service q` (nil: `services`) may change;
    /// nil when the data cannot tell (then range bodies that read it are not cached).
    func answerVersion(_ q: ServiceQuery?) -> Int?
}

extension TemplateData {
    public func answerVersion(_ q: ServiceQuery?) -> Int? { nil }
}

enum TemplateValue: Hashable {
    case none
    case string(String)
    case int(Int)
    case bool(Bool)
    case list([TemplateValue])
    case instance(TemplateInstance)
    case catalogService(String)

    var truth: Bool {
        switch self {
        case .none: return false
        case .string(let s): return !s.isEmpty
        case .int(let i): return i != 0
        case .bool(let b): return b
        case .list(let l): return !l.isEmpty
        case .instance, .catalogService: return true
        }
    }

    var printed: String {
        switch self {
        case .none: return "<no value>"
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .list(let l): return "[" + l.map(\.printed).joined(separator: " ") + "]"
        case .instance(let i): return "{\(i.node) \(i.address) \(i.id) \(i.name) [\(i.tags.joined(separator: " "))] \(i.port)}"
        case .catalogService(let n): return "{\(n) []}"
        }
    }

    var typeName: String {
        switch self {
        case .none: return "nil"
        case .string: return "string"
        case .int: return "int"
        case .bool: return "bool"
        case .list: return "slice"
        case .instance: return "*dependency.HealthService"
        case .catalogService: return "*dependency.CatalogSnippet"
        }
    }
}

/// Renders templates. `dependencies` collects the service queries the last render made.
public final class TemplateRenderer {
    let data: TemplateData
    public internal(set) var dependencies: [ServiceQuery] = []
    public internal(set) var usesServices = false
    var variables: [(String, TemplateValue)] = []
    var line = 1
    /// Bounds output and loop work so no template can run away (Go has no such bound; real
    /// templates render a few KB).
    static let maxOutputBytes = 16 << 20
    var output: [UInt8] = []
    /// Range bodies' output kept between renders (RangeBodyCache.swift); nil: every body runs.
    let cache: RangeBodyCache?
    /// What the body being recorded for the cache has read.
    var recording: BodyRecording?

    public init(data: TemplateData, cache: RangeBodyCache? = nil) { self.data = data; self.cache = cache }

    public func render(_ t: ParsedTemplate) throws(TemplateError) -> String {
        dependencies = []; usesServices = false; output = []; variables = [("$", .none)]; recording = nil
        cache?.renderSeq += 1
        try run(t.nodes, dot: .none)
        cache?.sweep()
        return String(decoding: output, as: UTF8.self)
    }

    func emit(_ s: String) throws(TemplateError) {
        output.append(contentsOf: s.utf8)
        if output.count > Self.maxOutputBytes { throw TemplateError(line: line, "rendered output larger than \(Self.maxOutputBytes) bytes") }
    }

    func run(_ nodes: [TemplateNode], dot: TemplateValue) throws(TemplateError) {
        for n in nodes {
            switch n {
            case .text(let s): try emit(s)
            case .action(let p, let l):
                line = l
                let v = try eval(p, dot: dot)
                if p.variables.isEmpty { try emit(v.printed) }
            case .ifNode(let p, let a, let b, let l):
                line = l
                let mark = variables.count
                let v = try eval(p, dot: dot)
                try run(v.truth ? a : b, dot: dot)
                variables.removeSubrange(mark...)
            case .withNode(let p, let a, let b, let l):
                line = l
                let mark = variables.count
                let v = try eval(p, dot: dot)
                if v.truth { try run(a, dot: v) } else { try run(b, dot: dot) }
                variables.removeSubrange(mark...)
            case .rangeNode(let p, let a, let b, let l):
                line = l
                let mark = variables.count
                var q = p
                q.variables = []
                let v = try eval(q, dot: dot)
                let items: [TemplateValue]
                switch v {
                case .list(let xs): items = xs
                case .none: items = []
                default: throw TemplateError(line: l, "range can't iterate over \(v.printed)")
                }
                if items.isEmpty { try run(b, dot: dot) }
                let id = cache == nil ? nil : Self.bodyIdentity(a)
                for (i, x) in items.enumerated() {
                    try iterate(a, id: id, cache: cache, item: x, index: i, variables: p.variables)
                }
                variables.removeSubrange(mark...)
            }
        }
    }

    func eval(_ p: TemplatePipeline, dot: TemplateValue) throws(TemplateError) -> TemplateValue {
        var value: TemplateValue? = nil
        for cmd in p.commands {
            value = try command(cmd, dot: dot, piped: value)
        }
        let v = value ?? .none
        if let name = p.variables.first {
            if p.declare {
                variables.append((name, v))
            } else {
                guard let i = variables.lastIndex(where: { $0.0 == name }) else { throw TemplateError(line: line, "undefined variable: \(name)") }
                noteVariableWrite(i)
                variables[i].1 = v
            }
        }
        return v
    }

    func command(_ c: [TemplateOperand], dot: TemplateValue, piped: TemplateValue?) throws(TemplateError) -> TemplateValue {
        guard let head = c.first else { return .none }
        if case .function(let f) = head {
            var args: [TemplateValue] = []
            for o in c.dropFirst() { args.append(try operand(o, dot: dot)) }
            if let p = piped { args.append(p) }
            return try call(f, args)
        }
        guard c.count == 1 else { throw TemplateError(line: line, "can't give argument to non-function \(head)") }
        guard piped == nil else { throw TemplateError(line: line, "can't give argument to non-function \(head)") }
        return try operand(head, dot: dot)
    }

    func operand(_ o: TemplateOperand, dot: TemplateValue) throws(TemplateError) -> TemplateValue {
        switch o {
        case .dot: return dot
        case .field(let fs): return try fields(dot, fs)
        case .variable(let name, let fs):
            guard let i = variables.lastIndex(where: { $0.0 == name }) else { throw TemplateError(line: line, "undefined variable \"\(name)\"") }
            noteVariableRead(i)
            return try fields(variables[i].1, fs)
        case .string(let s): return .string(s)
        case .number(let n): return .int(n)
        case .float: throw TemplateError(line: line, "float constants are not supported in consul-template templates")
        case .bool(let b): return .bool(b)
        case .nilValue: throw TemplateError(line: line, "nil is not a command")
        case .function(let f): return try call(f, [])
        case .pipeline(let p, let fs): return try fields(try eval(p, dot: dot), fs)
        }
    }

    func fields(_ v: TemplateValue, _ fs: [String]) throws(TemplateError) -> TemplateValue {
        var v = v
        for f in fs {
            switch v {
            case .instance(let i):
                switch f {
                case "Node": v = .string(i.node)
                case "Address", "NodeAddress", "ServiceAddress": v = .string(i.address)
                case "ID", "ServiceID": v = .string(i.id)
                case "Name": v = .string(i.name)
                case "Port": v = .int(i.port)
                case "Tags": v = .list(i.tags.map { .string($0) })
                default: throw TemplateError(line: line, "can't evaluate field \(f) in type *dependency.HealthService (fields: Node, Address, NodeAddress, ID, Name, Port, Tags)")
                }
            case .catalogService(let n):
                switch f {
                case "Name": v = .string(n)
                case "Tags": v = .list([])
                default: throw TemplateError(line: line, "can't evaluate field \(f) in type *dependency.CatalogSnippet (fields: Name, Tags)")
                }
            case .none:
                throw TemplateError(line: line, "can't evaluate field \(f): the value is empty (the template's top-level dot has no fields; use them inside range or with)")
            default:
                throw TemplateError(line: line, "can't evaluate field \(f) in type \(v.typeName)")
            }
        }
        return v
    }
}
