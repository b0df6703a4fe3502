import SimKernel

// Executes a parsed template as Go's text/template does (truth of values, `range ... else`,
// variables scoped to their block, printing of lists as `[a b]` and of missing values as
// `<no value>`), with consul-template's `service` and `services` answered by a `TemplateData`.

/// A `service` dependency: `service "web"` (passing only), `"web|any"`, `"web|passing,warning"`
/// (hashicorp/consul-template dependency/health_service.go: the part after `|` lists statuses).
public struct ServiceQuery: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var filter: ServiceHealthFilter
    /// `"tag.name"`: only the instances registered with this tag (nil: every instance).
    public var tag: String?
    public init(name: String, filter: ServiceHealthFilter, tag: String? = nil) { self.name = name; self.filter = filter; self.tag = tag }

    /// `datacenter`: the agent's own, which a query may name (`web@dc1`: the same catalog); any
    /// other datacenter is refused (the simulator has one).
    public static func parse(_ s: String, datacenter: String? = nil) -> Result<ServiceQuery, TemplateError> {
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
        if let at = name.firstIndex(of: "@") {
            // dependency/health_service.go: `name@dc` (then `~near`)
            let dc = name[name.index(after: at)...].prefix { $0 != "~" && $0 != "?" }
            guard let own = datacenter, dc == own else {
                return .failure(TemplateError(line: 0, "service \(quoted(s)): other datacenters (@\(dc)) are not modelled" + (datacenter.map { " (the simulator has one datacenter, \($0))" } ?? "")))
            }
            name = name[..<at] + name[name.index(at, offsetBy: 1 + dc.count)...]
        }
        if name.contains("~") || name.contains("?") { return .failure(TemplateError(line: 0, "service \(quoted(s)): near (~node) and query parameters (?ns=) are not modelled")) }
        // dependency.go tagRe: `((?P<tag>[[:word:]=:.-]+)\.)?` before the name, which has no dot
        var tag: String? = nil
        if let dot = name.lastIndex(of: ".") {
            let t = name[..<dot]
            guard !t.isEmpty, t.allSatisfy({ $0.isLetter || $0.isNumber || "_=:.-".contains($0) }) else {
                return .failure(TemplateError(line: 0, "service \(quoted(s)): invalid tag (letters, digits, _ = : . -)"))
            }
            tag = String(t)
            name = name[name.index(after: dot)...]
        }
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "/" }) else {
            return .failure(TemplateError(line: 0, "service \(quoted(s)): invalid service name (letters, digits, - _ /)"))
        }
        return .success(ServiceQuery(name: String(name), filter: filter, tag: tag))
    }

    public var description: String {
        let n = tag.map { $0 + "." + name } ?? name
        switch filter {
        case .passing: return n
        case .any: return n + "|any"
        case .passingOrWarning: return n + "|passing,warning"
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
    /// The entry's aggregated status (api.HealthChecks.AggregatedStatus: the worst of its checks).
    public var status: String
    public var checks: [TemplateCheck]
    public init(node: String, address: String, id: String, name: String, port: Int, tags: [String] = [], checks: [TemplateCheck] = []) {
        self.node = node; self.address = address; self.id = id; self.name = name; self.port = port; self.tags = tags; self.checks = checks
        status = TemplateCheck.aggregated(checks)
    }
}

/// One check of a `service` entry's `.Checks` (api.HealthCheck; Notes, Output and Type are empty:
/// the simulator does not model what a check prints).
public struct TemplateCheck: Hashable, Sendable {
    public var node: String
    public var checkID: String
    public var name: String
    public var status: String
    public var serviceID: String
    public var serviceName: String
    public var serviceTags: [String]
    public init(node: String, checkID: String, name: String, status: String, serviceID: String = "", serviceName: String = "", serviceTags: [String] = []) {
        self.node = node; self.checkID = checkID; self.name = name; self.status = status
        self.serviceID = serviceID; self.serviceName = serviceName; self.serviceTags = serviceTags
    }

    /// api.HealthChecks.AggregatedStatus: critical over warning over passing; no check is passing.
    static func aggregated(_ checks: [TemplateCheck]) -> String {
        var warning = false
        for c in checks {
            if c.status == "critical" { return "critical" }
            if c.status == "warning" { warning = true }
        }
        return warning ? "warning" : "passing"
    }

    /// The checks of an entry as the health endpoint lists them: the node's serfHealth, then the
    /// service's checks, with the IDs and default names the agent gives them (agent/agent.go:
    /// `service:<id>`, `service:<id>:<n>` when the service has several; "Service '<name>' check").
    static func entry(_ cs: [ServiceCheckStatus], node: String, serviceID: String, service: String, tags: [String]) -> [TemplateCheck] {
        let own = cs.filter(\.serviceCheck).count
        var k = 0
        return cs.map { c in
            guard c.serviceCheck else { return TemplateCheck(node: node, checkID: "serfHealth", name: c.name, status: c.status.rawValue) }
            k += 1
            return TemplateCheck(node: node, checkID: own > 1 ? "service:\(serviceID):\(k)" : "service:\(serviceID)",
                                 name: c.name.isEmpty ? "Service '\(service)' check" : c.name, status: c.status.rawValue,
                                 serviceID: serviceID, serviceName: service, serviceTags: tags)
        }
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
    /// The tags of a service in `/v1/catalog/services` (the union of its instances' tags).
    func serviceTags(_ name: String) -> [String]
    /// The agent's datacenter (`@dc` of a query must name it).
    var datacenter: String { get }
    /// `nodes`: the catalog's nodes, sorted by name then address.
    func nodes() -> [TemplateNodeInfo]
    /// `node` (name "": the local agent's); nil while there is no answer yet.
    func node(_ name: String) -> TemplateNodeDetail?
    /// `datacenters`, sorted.
    func datacenters() -> [String]
    /// As `answerVersion`, for a node-catalog dependency.
    func nodeAnswerVersion(_ d: NodeDependency) -> Int?
}

extension TemplateData {
    public func answerVersion(_ q: ServiceQuery?) -> Int? { nil }
    public func serviceTags(_ name: String) -> [String] { [] }
    public var datacenter: String { "dc1" }
    public func nodes() -> [TemplateNodeInfo] { [] }
    public func node(_ name: String) -> TemplateNodeDetail? { nil }
    public func datacenters() -> [String] { [datacenter] }
    public func nodeAnswerVersion(_ d: NodeDependency) -> Int? { nil }
}

/// What a template reads besides Consul's catalog: Consul's KV store (the
/// scenario's `consul.kv`), consul-template's environment (`consulTemplate.environment`), and the
/// wall clock of simulated time 0 (`timestamp`).
public struct TemplateInputs: Sendable, Equatable {
    /// Keys without a leading `/`, sorted (Consul lists keys in byte order).
    public var kv: [(key: String, value: String)]
    public var environment: [String: String]
    /// Moves with every `set` (what the range-body cache compares for bodies that read the store).
    public internal(set) var version = 0
    /// Unix milliseconds at simulated time 0 (Prometheus' default start: 2017-06-01T00:00:00Z).
    public var baseMs: Int64
    /// The agent's datacenter (`consul.config.datacenter`): the only `@dc` a node query may name.
    public var datacenter = "dc1"
    public init(kv: [String: String] = [:], environment: [String: String] = [:], baseMs: Int64 = PromTime.defaultBaseMs) {
        self.kv = kv.map { (key: $0.key.hasPrefix("/") ? String($0.key.dropFirst()) : $0.key, value: $0.value) }.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        self.environment = environment; self.baseMs = baseMs
    }
    public static func == (a: TemplateInputs, b: TemplateInputs) -> Bool {
        a.kv.map(\.key) == b.kv.map(\.key) && a.kv.map(\.value) == b.kv.map(\.value) && a.environment == b.environment && a.baseMs == b.baseMs
            && a.datacenter == b.datacenter
    }
    func value(_ key: String) -> String? {
        let lo = position(key)
        return lo < kv.count && kv[lo].key == key ? kv[lo].value : nil
    }

    /// Where `key` is or would be in `kv` (byte order).
    func position(_ key: String) -> Int {
        var lo = 0, hi = kv.count
        let k = Array(key.utf8)
        while lo < hi {
            let m = (lo + hi) / 2
            if Array(kv[m].key.utf8).lexicographicallyPrecedes(k) { lo = m + 1 } else { hi = m }
        }
        return lo
    }

    /// PUT (a value) or DELETE (nil) of a key, as a `consulKV` action makes it.
    public mutating func set(_ key: String, _ value: String?) {
        let i = position(key)
        let present = i < kv.count && kv[i].key == key
        switch (value, present) {
        case (let v?, true): kv[i].value = v
        case (let v?, false): kv.insert((key, v), at: i)
        case (nil, true): kv.remove(at: i)
        case (nil, false): return
        }
        version += 1
    }
}

/// A key of a `ls`/`tree` answer (dependency/kv_list.go KeyPair): `Path` the full key, `Key`
/// relative to the prefix.
public struct TemplateKeyPair: Hashable, Sendable {
    public var path: String
    public var key: String
    public var value: String
}

/// A Go map with string keys (parseJSON's objects, byTag's and byKey's answers): ranged and
/// printed in key order, as text/template and fmt do.
struct TemplateMap: Hashable {
    var keys: [String] = []
    var values: [TemplateValue] = []
    /// A Go map[string]string (a node's `.Meta`, `.TaggedAddresses`): `index` of a missing key
    /// is "" (the element type's zero value), not `<no value>`.
    var stringValued = false
    init(_ pairs: [(String, TemplateValue)]) {
        for (k, v) in pairs.sorted(by: { $0.0 < $1.0 }) {
            if keys.last == k { values[values.count - 1] = v } else { keys.append(k); values.append(v) }
        }
    }
    subscript(_ k: String) -> TemplateValue? {
        var lo = 0, hi = keys.count
        while lo < hi { let m = (lo + hi) / 2; if keys[m] < k { lo = m + 1 } else { hi = m } }
        return lo < keys.count && keys[lo] == k ? values[lo] : nil
    }
}

enum TemplateValue: Hashable {
    case none
    case string(String)
    case int(Int)
    case bool(Bool)
    case float(Double)
    case list([TemplateValue])
    case map(TemplateMap)
    case instance(TemplateInstance)
    case catalogService(String, tags: [String])
    case keyPair(TemplateKeyPair)
    case check(TemplateCheck)
    /// consul-template's `scratch`: the render's scratch pad (its methods are called on it).
    case scratch
    /// A `nodes` entry or a `node` answer's `.Node` (*dependency.Node), a `node` answer
    /// (*dependency.CatalogNode), one of its `.Services` (*dependency.CatalogNodeService), and the
    /// nil *dependency.Node of a node the catalog does not hold (ConsulTemplateNodes.swift).
    case catalogNode(TemplateNodeInfo)
    case nodeDetail(TemplateNodeDetail)
    case nodeService(TemplateNodeService)
    case nilNode

    var truth: Bool {
        switch self {
        case .none: return false
        case .string(let s): return !s.isEmpty
        case .int(let i): return i != 0
        case .bool(let b): return b
        case .float(let x): return x != 0
        case .list(let l): return !l.isEmpty
        case .map(let m): return !m.keys.isEmpty
        case .instance, .catalogService, .keyPair, .check, .scratch, .catalogNode, .nodeDetail, .nodeService: return true
        case .nilNode: return false
        }
    }

    var printed: String {
        switch self {
        case .none: return "<no value>"
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .float(let x): return GoFormat.shortest(x)
        case .list(let l): return "[" + l.map(\.printed).joined(separator: " ") + "]"
        case .map(let m): return "map[" + zip(m.keys, m.values).map { $0 + ":" + $1.printed }.joined(separator: " ") + "]"
        case .instance(let i): return "{\(i.node) \(i.address) \(i.id) \(i.name) [\(i.tags.joined(separator: " "))] \(i.port)}"
        case .catalogService(let n, let t): return "{\(n) [\(t.joined(separator: " "))]}"
        case .keyPair(let p): return "{\(p.path) \(p.key) \(p.value) 0 0 0 0 }"
        case .check(let c): return "{\(c.node) \(c.checkID) \(c.name) \(c.status)   \(c.serviceID) \(c.serviceName) [\(c.serviceTags.joined(separator: " "))]}"
        case .scratch: return "&{{0 0} {{0 0} 0 0 {0 0} {0 0}} map[]}"
        case .catalogNode(let n):
            return "{\(n.id) \(n.node) \(n.address) \(n.datacenter) \(TemplateValue.map(n.taggedAddresses).printed) \(TemplateValue.map(n.meta).printed)}"
        case .nodeDetail(let d):
            return "{\(d.node.map { TemplateValue.catalogNode($0).printed } ?? "<nil>") [\(d.services.map { TemplateValue.nodeService($0).printed }.joined(separator: " "))]}"
        case .nodeService(let x): return "{\(x.id) \(x.service) [\(x.tags.joined(separator: " "))] map[] \(x.port) \(x.address) false}"
        case .nilNode: return "<nil>"
        }
    }

    var typeName: String {
        switch self {
        case .none: return "nil"
        case .string: return "string"
        case .int: return "int"
        case .bool: return "bool"
        case .float: return "float64"
        case .list: return "slice"
        case .map: return "map"
        case .instance: return "*dependency.HealthService"
        case .catalogService: return "*dependency.CatalogSnippet"
        case .keyPair: return "*dependency.KeyPair"
        case .check: return "*api.HealthCheck"
        case .scratch: return "*template.Scratch"
        case .catalogNode, .nilNode: return "*dependency.Node"
        case .nodeDetail: return "*dependency.CatalogNode"
        case .nodeService: return "*dependency.CatalogNodeService"
        }
    }
}

/// Renders templates. `dependencies` collects the service queries the last render made.
public final class TemplateRenderer {
    let data: TemplateData
    public internal(set) var dependencies: [ServiceQuery] = []
    public internal(set) var usesServices = false
    /// The node-catalog dependencies (`nodes`, `node`, `datacenters`) the last render read.
    public internal(set) var nodeDependencies: [NodeDependency] = []
    /// The Vault dependencies (`secret`, `secrets`, `pkiCert`) the last render used.
    public internal(set) var vaultDependencies: [VaultDependency] = []
    /// The template's destination (`pkiCert` names its dependency with it).
    public var destination = ""
    var variables: [(String, TemplateValue)] = []
    /// Where the running template's variables start in `variables` (a `{{template}}` call starts a
    /// frame of its own), and how many template and block bodies are running (`maxTemplateDepth`).
    var frameBase = 0
    var templateDepth = 0
    /// The parsed file's templates, by name (`ParsedTemplate.definitions`).
    var definitions: [String: [TemplateNode]] = [:]
    var line = 1
    /// Bounds output and loop work so no template can run away (Go has no such bound; real
    /// templates render a few KB).
    static let maxOutputBytes = 16 << 20
    var output: [UInt8] = []
    /// Range bodies' output kept between renders (RangeBodyCache.swift); nil: every body runs.
    let cache: RangeBodyCache?
    /// What the body being recorded for the cache has read.
    var recording: BodyRecording?

    let inputs: TemplateInputs
    /// The simulated time of the render (`timestamp`).
    public var now = SimTime.zero
    /// Set when the render read a key that does not exist (`key`) or an empty prefix (`safeLs`,
    /// `safeTree`): consul-template waits for it and does not render the template (watch/view.go
    /// BlockOnNil) until a `consulKV` action sets it.
    public internal(set) var blockedOn: String?
    var scratch: [String: TemplateValue] = [:]
    /// The KV keys (`prefix` false) and prefixes the render read: what its blocking KV queries watch.
    public internal(set) var kvReads: [(path: String, prefix: Bool)] = []

    public init(data: TemplateData, cache: RangeBodyCache? = nil, inputs: TemplateInputs = TemplateInputs()) {
        self.data = data; self.cache = cache; self.inputs = inputs
    }

    public func render(_ t: ParsedTemplate) throws(TemplateError) -> String {
        dependencies = []; usesServices = false; nodeDependencies = []; vaultDependencies = []; output = []; variables = [("$", .none)]; recording = nil; blockedOn = nil; scratch = [:]; kvReads = []
        definitions = t.definitions; frameBase = 0; templateDepth = 0
        cache?.renderSeq += 1
        try run(t.nodes, dot: .none)
        cache?.sweep()
        return String(decoding: output, as: UTF8.self)
    }

    func emit(_ s: String) throws(TemplateError) {
        output.append(contentsOf: s.utf8)
        if output.count > Self.maxOutputBytes { throw TemplateError(line: line, "rendered output larger than \(Self.maxOutputBytes) bytes") }
    }

    /// How a list of nodes ended: normally, or at a `{{break}}`/`{{continue}}` that the enclosing
    /// `range` consumes (exec.go walkBreak, walkContinue).
    enum Flow { case normal, breakLoop, continueLoop }

    @discardableResult
    func run(_ nodes: [TemplateNode], dot: TemplateValue) throws(TemplateError) -> Flow {
        guard templateDepth < Self.maxTemplateDepth else { throw TemplateError(line: line, "exceeded maximum template depth (\(Self.maxTemplateDepth))") }
        templateDepth += 1
        defer { templateDepth -= 1 }
        for n in nodes {
            switch n {
            case .text(let s): try emit(s)
            case .action(let p, let l):
                line = l
                let v = try eval(p, dot: dot)
                if p.variables.isEmpty { try emit(v.printed) }
            case .breakNode(let l):
                line = l
                return .breakLoop
            case .continueNode(let l):
                line = l
                return .continueLoop
            case .templateCall(let name, let p, let l):
                line = l
                try callTemplate(name, p, dot: dot)
            case .ifNode(let p, let a, let b, let l):
                line = l
                let mark = variables.count
                let v = try eval(p, dot: dot)
                let f = try run(v.truth ? a : b, dot: dot)
                variables.removeSubrange(mark...)
                if f != .normal { return f }
            case .withNode(let p, let a, let b, let l):
                line = l
                let mark = variables.count
                let v = try eval(p, dot: dot)
                let f = v.truth ? try run(a, dot: v) : try run(b, dot: dot)
                variables.removeSubrange(mark...)
                if f != .normal { return f }
            case .rangeNode(let p, let a, let b, let l):
                line = l
                let mark = variables.count
                var q = p
                q.variables = []
                let v = try eval(q, dot: dot)
                // a list's index or a map's key (text/template ranges a map in key order)
                let items: [(key: TemplateValue, value: TemplateValue)]
                switch v {
                case .list(let xs): items = xs.enumerated().map { (.int($0.offset), $0.element) }
                case .map(let m): items = zip(m.keys, m.values).map { (.string($0), $1) }
                case .int(let n):
                    // text/template since Go 1.24 (consul-template builds with 1.26): 0 ..< n, none
                    // when n <= 0, one variable only (exec.go walkRange); bounded as loop is
                    guard p.variables.count < 2 else { throw TemplateError(line: l, "can't use \(n) to iterate over more than one variable") }
                    guard n <= Self.maxLoop else { throw TemplateError(line: l, "range over \(n): at most \(Self.maxLoop) iterations") }
                    items = (0..<max(n, 0)).map { (.int($0), .int($0)) }
                case .none: items = []
                default: throw TemplateError(line: l, "range can't iterate over \(v.printed)")
                }
                if items.isEmpty { try run(b, dot: dot) }
                let id = cache == nil ? nil : Self.bodyIdentity(a)
                for x in items {
                    if try iterate(a, id: id, cache: cache, item: x.value, key: x.key, variables: p.variables) == .breakLoop { break }
                }
                variables.removeSubrange(mark...)
            }
        }
        return .normal
    }

    /// Bound on nested executions: each `{{template}}` call and each `if`/`with`/`range` body that
    /// runs inside another counts one level. Go bounds template calls at 100,000 (exec.go
    /// maxExecDepth) and grows its goroutine stack; this renderer recurses on the machine stack,
    /// where one level costs up to 12.5 KB in a debug build (a range body: run + iterate; measured),
    /// so 256 levels take at most 3.2 MB of the main thread's 8 MB (docs/discovery.md, "The
    /// template language"). Without template calls the parser's 100 levels of blocks stay below it.
    static let maxTemplateDepth = 256

    /// `{{template "name" pipeline}}` (exec.go walkTemplate): the named template runs with dot the
    /// pipeline's value (nil without one) and only `$` (set to it) as variables; variables the
    /// pipeline declares stay in the caller's scope.
    func callTemplate(_ name: String, _ p: TemplatePipeline?, dot: TemplateValue) throws(TemplateError) {
        guard let body = definitions[name] else { throw TemplateError(line: line, "template \"\(name)\" not defined") }
        let value = try p.map { p throws(TemplateError) in try eval(p, dot: dot) } ?? .none
        let savedBase = frameBase
        frameBase = variables.count
        variables.append(("$", value))
        try run(body, dot: value)
        variables.removeSubrange(frameBase...)
        frameBase = savedBase
    }

    /// The innermost variable named `name` visible in the running template (a called template
    /// sees only its own: indices from `frameBase`).
    func variableIndex(_ name: String) -> Int? {
        var i = variables.count - 1
        while i >= frameBase {
            if variables[i].0 == name { return i }
            i -= 1
        }
        return nil
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
                guard let i = variableIndex(name) else { throw TemplateError(line: line, "undefined variable: \(name)") }
                noteVariableWrite(i)
                variables[i].1 = v
            }
        }
        return v
    }

    func command(_ c: [TemplateOperand], dot: TemplateValue, piped: TemplateValue?) throws(TemplateError) -> TemplateValue {
        guard let head = c.first else { return .none }
        if case .function(let f) = head {
            if f == "call", c.count > 1, c[1] == .nilValue { throw TemplateError(line: line, "error calling call: call of nil") }
            var args: [TemplateValue] = []
            for o in c.dropFirst() { args.append(try operand(o, dot: dot)) }
            if let p = piped { args.append(p) }
            if f == "call", c.count > 1, !args.isEmpty {
                // exec.go evalCall names the callee by its source text (`.Port`, `$x`)
                if case .none = args[0] { throw TemplateError(line: line, "error calling call: call of nil") }
                throw TemplateError(line: line, "error calling call: non-function \(Self.source(c[1])) of type \(args[0].typeName)")
            }
            return try call(f, args)
        }
        if let v = try method(head, Array(c.dropFirst()), dot: dot, piped: piped) { return v }
        guard c.count == 1 else { throw TemplateError(line: line, "can't give argument to non-function \(head)") }
        guard piped == nil else { throw TemplateError(line: line, "can't give argument to non-function \(head)") }
        return try operand(head, dot: dot)
    }

    /// An operand as text/template prints its parse node (parse/node.go String).
    static func source(_ o: TemplateOperand) -> String {
        switch o {
        case .dot: return "."
        case .field(let fs): return fs.map { "." + $0 }.joined()
        case .variable(let v, let fs): return v + fs.map { "." + $0 }.joined()
        case .string(let s): return "\"" + s + "\""
        case .number(let n): return String(n)
        case .float(let x): return GoFormat.shortest(x)
        case .bool(let b): return b ? "true" : "false"
        case .nilValue: return "nil"
        case .function(let f): return f
        case .pipeline(let p, let fs):
            return "(" + p.commands.map { $0.map(source).joined(separator: " ") }.joined(separator: " | ") + ")" + fs.map { "." + $0 }.joined()
        }
    }

    /// A method call (`scratch.Set "k" v`, `$s.Get "k"`): the command's head is a chain whose
    /// last field names a method of the value before it (the only values with methods are the
    /// scratch pad's); nil when the head is not such a chain.
    func method(_ head: TemplateOperand, _ rest: [TemplateOperand], dot: TemplateValue, piped: TemplateValue?) throws(TemplateError) -> TemplateValue? {
        let receiver: TemplateValue
        let name: String
        switch head {
        case .pipeline(let p, let fs) where !fs.isEmpty && p.commands == [[.function("scratch")]]:
            receiver = try fields(try eval(p, dot: dot), Array(fs.dropLast())); name = fs.last!
        case .variable(let v, let fs) where !fs.isEmpty:
            receiver = try operand(.variable(v, fields: Array(fs.dropLast())), dot: dot); name = fs.last!
        default: return nil
        }
        guard case .scratch = receiver else { return nil }
        var args: [TemplateValue] = []
        for o in rest { args.append(try operand(o, dot: dot)) }
        if let p = piped { args.append(p) }
        return try scratchCall(name, args)
    }

    func operand(_ o: TemplateOperand, dot: TemplateValue) throws(TemplateError) -> TemplateValue {
        switch o {
        case .dot: return dot
        case .field(let fs): return try fields(dot, fs)
        case .variable(let name, let fs):
            guard let i = variableIndex(name) else { throw TemplateError(line: line, "undefined variable \"\(name)\"") }
            noteVariableRead(i)
            return try fields(variables[i].1, fs)
        case .string(let s): return .string(s)
        case .number(let n): return .int(n)
        case .float(let x): return .float(x)
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
                case "ServiceMeta", "NodeMeta", "NodeTaggedAddresses", "ServiceTaggedAddresses": v = .map(TemplateMap([]))
                case "NodeID", "NodeDatacenter", "Namespace", "Partition", "Kind": v = .string("")
                case "Status": v = .string(i.status)
                case "Checks": v = .list(i.checks.map { .check($0) })
                default: throw TemplateError(line: line, "can't evaluate field \(f) in type *dependency.HealthService (fields: Node, Address, NodeAddress, ID, Name, Port, Tags, Status, Checks, ServiceMeta, NodeMeta)")
                }
            case .check(let c):
                switch f {
                case "Node": v = .string(c.node)
                case "CheckID": v = .string(c.checkID)
                case "Name": v = .string(c.name)
                case "Status": v = .string(c.status)
                case "ServiceID": v = .string(c.serviceID)
                case "ServiceName": v = .string(c.serviceName)
                case "ServiceTags": v = .list(c.serviceTags.map { .string($0) })
                case "Notes", "Output", "Type", "Namespace", "Partition": v = .string("")
                case "CreateIndex", "ModifyIndex": v = .int(0)
                default: throw TemplateError(line: line, "can't evaluate field \(f) in type *api.HealthCheck (fields: Node, CheckID, Name, Status, Notes, Output, ServiceID, ServiceName, ServiceTags, Type)")
                }
            case .catalogService(let n, let tags):
                switch f {
                case "Name": v = .string(n)
                case "Tags": v = .list(tags.map { .string($0) })
                default: throw TemplateError(line: line, "can't evaluate field \(f) in type *dependency.CatalogSnippet (fields: Name, Tags)")
                }
            case .keyPair(let p):
                switch f {
                case "Path": v = .string(p.path)
                case "Key": v = .string(p.key)
                case "Value": v = .string(p.value)
                case "CreateIndex", "ModifyIndex", "LockIndex", "Flags": v = .int(0)
                case "Session": v = .string("")
                default: throw TemplateError(line: line, "can't evaluate field \(f) in type *dependency.KeyPair (fields: Path, Key, Value, CreateIndex, ModifyIndex, LockIndex, Flags, Session)")
                }
            case .scratch:
                v = try scratchCall(f, [])
            case .catalogNode, .nodeDetail, .nodeService, .nilNode:
                v = try nodeField(v, f)!
            case .map(let m):
                // a map's field is its key; a missing key is the zero value, printed <no value>
                v = m[f] ?? .none
            case .none:
                throw TemplateError(line: line, "can't evaluate field \(f): the value is empty (the template's top-level dot has no fields; use them inside range or with)")
            default:
                throw TemplateError(line: line, "can't evaluate field \(f) in type \(v.typeName)")
            }
        }
        return v
    }
}
