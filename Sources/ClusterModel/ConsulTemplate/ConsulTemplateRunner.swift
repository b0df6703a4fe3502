import SimKernel

// consul-template next to each nginx (issue 10, item 4), as its runner works
// (hashicorp/consul-template manager/runner.go `Start`, `Run`, `runTemplate`; watch/view.go):
//
// - one blocking query per dependency (`service "name"` on /v1/health/service/<name>,
//   `services` on /v1/catalog/services). A query returns when the servers commit a change
//   (`.catalogChanged`), `queryLatency` later; an answer equal to the last one is dropped (view.go
//   compares the data). Blocking queries that time out after `block_query_wait` with the same
//   index carry no news and are not simulated. `nodes` (/v1/catalog/nodes) returns when a node is
//   registered or deregistered (`.nodeCatalogChanged`), `node` (/v1/catalog/node/<name>) on that
//   and on any `.catalogChanged` (its index is the catalog's), `datacenters` (polled every 15 s,
//   no blocking query) never changes in a one-datacenter simulation (ConsulTemplateNodes.swift).
// - a template whose execution fails (a field of the nil `.Node` of a node the catalog does not
//   hold) ends consul-template, as runTemplate's error makes Run return it.
// - a query that fails (the catalog answers nil: no server reachable) is retried after the
//   retry policy's back-off; when the attempts are used up the watcher's error ends
//   consul-template (exit status non-zero), logged as consulTemplateExit.
// - a run renders every template whose dependencies all have data; once every template has
//   rendered, templates with `wait` get a quiescence timer (`Quiescence`) and later runs tick it
//   instead of rendering; the render happens when it fires.
// - the destination is written and the command run only when the text changed. The reload
//   commands return at once; one that exits non-zero (nginx -s reload on an invalid
//   configuration) ends consul-template, as a failed command makes Run return an error.
// - a host going down stops consul-template (its answers and timers are lost, the file stays);
//   when the host is up again it starts afresh and renders once its first queries return.

public final class ConsulTemplateRunner: Subsystem, SignalSubscriber, EventHandler {
    public static let entry = SubsystemEntry(name: "consul-template", section: "consulTemplate", outputs: ConsulTemplateRunner.outputs) { model in
        guard let spec = model.spec.consulTemplate, let nginx = model.subsystem(NginxProxies.self) else { return nil }
        return ConsulTemplateRunner(spec: spec, model: model, nginx: nginx, catalog: model.subsystem(ServiceCatalog.self),
                                    nodeCatalog: model.subsystem(NodeCatalog.self))
    }

    enum Answer: Equatable {
        /// `checks`: per instance, its checks as the servers hold them, when a template reads
        /// `.Status` or `.Checks` (else []: the answer compares instances only, and a status change
        /// the filter keeps is not news to a template that cannot show it).
        case instances([ServiceInstance], checks: [[ServiceCheckStatus]])
        case names([String])
        /// `nodes`: the hosts of the catalog's nodes, sorted as consul-template sorts them.
        case nodes([Int])
        /// `node`: its host (nil: not in the catalog) and its service registrations.
        case node(host: Int?, services: [NodeServiceRegistration])
        case datacenters([String])
        /// A Vault dependency's answer (a secret, or `secrets`' list).
        case vault(TemplateValue)
        var count: Int {
            switch self {
            case .instances(let a, _): return a.count
            case .names(let n): return n.count
            case .nodes(let h): return h.count
            case .node(_, let s): return s.count
            case .datacenters(let d): return d.count
            case .vault: return 1
            }
        }
    }

    struct Dependency {
        /// nil: `services` (or a node-catalog dependency, `node` not nil).
        var query: ServiceQuery?
        /// `nodes`, `node`, `datacenters`.
        var node: NodeDependency? = nil
        /// `secret`, `secrets`, `pkiCert` (VaultFunctions.swift): no Vault is modelled, every fetch fails.
        var vault: VaultDependency? = nil
        /// Index in the catalog's `serviceNames`; nil for `services`, or a name the catalog does not hold.
        var service: Int?
        var answer: Answer? { didSet { version &+= 1 } }
        /// Changes with every assignment of `answer` (what the range-body cache compares).
        var version = 0
        var inFlight = false
        var retries = 0
        /// A renewable Vault secret read: consul-template polls it in a loop (VaultLease.swift),
        /// which the runner does not simulate while no write or Vault outage can change an answer.
        var polling = false
        /// A leader read a server holds while there is no leader (agent/consul/rpc.go `forward`):
        /// until when, and the stale answer that preceded it (its age; whether there was one).
        var held: (until: SimTime, age: SimDuration, answered: Bool)? = nil
        /// The query hangs on the agent's dead server (its host's name) until the agent's keepalive fails.
        var stalledOn: String? = nil
    }

    struct TemplateState {
        var deps: [Int]
        var rendered = false
        /// The text the destination holds (it survives a restart of consul-template).
        var fileText: String?
        var quiescence: Quiescence?
        var timerSeq = 0
        /// Per dependency of this template, its answer's size at the last render.
        var renderedCounts: [Int]
        /// Per dependency of this template, its answer's version at the last run (a Vault answer's
        /// size is always 1: its change is told by the version).
        var renderedVersions: [Int] = []
        /// Its range bodies' output from earlier renders (RangeBodyCache.swift).
        let cache = RangeBodyCache()
        /// The KV keys and prefixes its last execution read (its blocking KV queries).
        var kvReads: [(path: String, prefix: Bool)] = []
    }

    struct Runner {
        var proxy: Int
        var host: Int
        var deps: [Dependency] = []
        var templates: [TemplateState] = []
        var epoch = 0
        var running = true
        var exited = false
    }

    public let spec: ConsulTemplateSpec
    unowned let model: ClusterSimulation
    let nginx: NginxProxies
    let catalog: ServiceCatalog?
    let nodeCatalog: NodeCatalog?
    /// Host index by name (lookup only: `node "name"`).
    let hostByName: [String: Int]
    var runners: [Runner] = []
    var target: Int32 = -1
    public private(set) var renders = 0
    /// Whether renders reuse range bodies whose reads did not change (false: every body runs,
    /// the reference the tests compare with).
    public var cacheBodies = true
    public private(set) var exits = 0
    /// Fetches of Vault dependencies (reads, lists), answered or not, over all runners.
    public private(set) var vaultReads = 0
    let hostNames: [String]
    /// Consul's KV store and consul-template's environment; `consulKV` actions change the store.
    public private(set) var inputs: TemplateInputs
    /// Whether a template reads an entry's `.Status` or `.Checks` (then answers carry the checks).
    let readsChecks: Bool
    /// The host of the modelled Vault server (`spec.vault`).
    let vaultHost: Int?
    /// What the Vault server holds now (`spec.vault`, changed by `vaultWrite` actions).
    public private(set) var vaultState: VaultServerSpec?
    /// Vault restarted with a Shamir seal and not unsealed since: it answers every request but
    /// the seal's own 503 "Vault is sealed", as Vault's Go client reports it to consul-template
    /// ("Code: 503. Errors: * Vault is sealed"). The run starts with an unsealed Vault.
    public private(set) var vaultSealed = false

    static let runnerField = ArgField("runner", shift: 0, bits: 20)
    static let indexField = runnerField.next("index", bits: 12)
    static let seqField = indexField.next("seq", bits: 31)
    static let queryReturn: Int32 = 0
    static let quiescenceFired: Int32 = 1
    static let kvReturn: Int32 = 2
    static let heldRead: Int32 = 3
    static let stalledRead: Int32 = 4

    init(spec: ConsulTemplateSpec, model: ClusterSimulation, nginx: NginxProxies, catalog: ServiceCatalog?, nodeCatalog: NodeCatalog? = nil) {
        self.spec = spec; self.model = model; self.nginx = nginx; self.catalog = catalog; self.nodeCatalog = nodeCatalog
        inputs = spec.inputs
        hostNames = model.infrastructure.hosts.map(\.name)
        var byName: [String: Int] = [:]
        for (i, n) in hostNames.enumerated() where byName[n] == nil { byName[n] = i }
        hostByName = byName
        vaultHost = spec.vault.flatMap { byName[$0.host] }
        vaultState = spec.vault
        readsChecks = spec.templates.contains { $0.parsed.readsField(["Status", "Checks"]) }
        for p in 0..<nginx.proxyCount {
            var r = Runner(proxy: p, host: nginx.host(ofProxy: p))
            r.templates = spec.templates.map { _ in TemplateState(deps: [], renderedCounts: []) }
            runners.append(r)
        }
        nginx.instanceDirectory = { [unowned self] p in self.knownInstances(runner: p) }
    }

    public var name: String { "consul-template" }
    public func register(in sim: Simulation) { target = sim.register(self) }
    public func subscribe(to signals: PlatformSignals) {
        signals.subscribe(self, to: .catalog)
        signals.subscribe(self, to: .hosts)
        signals.subscribe(self, to: .catalogNodes)
    }

    /// Time 0: consul-template has been running; its first answers are the catalog's state now
    /// and what it renders is the file nginx starts with (generation 0, no reload).
    public func start() {
        for r in runners.indices where model.infrastructure.hosts[runners[r].host].state.isUp { run(r, initial: true) }
    }

    public func receive(_ signal: PlatformSignal) {
        switch signal {
        case .catalogChanged(let s):
            for r in runners.indices where runners[r].running {
                // a Vault dependency does not watch the catalog (it has query and node nil, like `services`);
                // while no Vault is modelled it is always in flight (retrying) until consul-template exits
                for d in runners[r].deps.indices where !runners[r].deps[d].inFlight && runners[r].deps[d].vault == nil {
                    let dep = runners[r].deps[d]
                    let watches: Bool
                    switch dep.node {
                    case nil: watches = dep.query == nil || dep.service == s
                    case .node?: watches = true          // a service registration may be on the node
                    case .nodes?, .datacenters?: watches = false
                    }
                    if watches { issue(r, d, after: spec.queryLatency) }
                }
            }
        case .nodeCatalogChanged:
            for r in runners.indices where runners[r].running {
                for d in runners[r].deps.indices where !runners[r].deps[d].inFlight {
                    switch runners[r].deps[d].node {
                    case .nodes?, .node?: issue(r, d, after: spec.queryLatency)
                    default: break
                    }
                }
            }
        case .hostDown(let h, _):
            for r in runners.indices where runners[r].host == h { stop(r) }
            // a renewable secret's poll loop meets the outage at its next poll (its errors skip the rate limiter)
            if h == vaultHost { pokePolls(matching: { _ in true }, delay: { VaultLease.residual($0) }) }
        case .hostUp(let h):
            if h == vaultHost, let v = spec.vault {
                // Vault starts sealed; with auto-unseal it unseals itself at once
                vaultSealed = v.seal == .shamir
                if vaultSealed {
                    model.log("vault", "vaultSealed", v.host, "Vault started sealed (Shamir seal): every request answers 503 until a vaultUnseal action")
                }
            }
            for r in runners.indices where runners[r].host == h {
                runners[r].running = true
                runners[r].exited = false
                // its first queries: the dependencies it had (they are the template's, found again at its first run)
                for d in runners[r].deps.indices { issue(r, d, after: spec.queryLatency) }
                if runners[r].deps.isEmpty { run(r, initial: false) }
            }
        default: break
        }
    }

    public func handle(_ event: Event, in sim: Simulation) {
        let r = Self.runnerField.decode(event.arg), i = Self.indexField.decode(event.arg), seq = Self.seqField.decode(event.arg)
        guard runners[r].running else { return }
        if event.kind == Self.queryReturn {
            guard seq == runners[r].epoch & Self.seqField.maxValue else { return }
            runners[r].deps[i].inFlight = false
            if let refused = staleRefusal(r, i) { holdLeaderRead(r, i, refused); return }
            answered(r, i)
        } else if event.kind == Self.heldRead {
            guard seq == runners[r].epoch & Self.seqField.maxValue, let h = runners[r].deps[i].held else { return }
            if catalog?.lastContact(from: runners[r].host) == .zero {
                // a leader was elected during the hold: the server forwards the read to it
                runners[r].deps[i].held = nil
                runners[r].deps[i].inFlight = false
                answered(r, i)
            } else if now < h.until {
                checkForLeader(r, i)
            } else {
                runners[r].deps[i].held = nil
                runners[r].deps[i].inFlight = false
                failed(r, i, noLeader: (h.age, h.answered), held: true)
            }
        } else if event.kind == Self.stalledRead {
            guard seq == runners[r].epoch & Self.seqField.maxValue, let server = runners[r].deps[i].stalledOn else { return }
            runners[r].deps[i].stalledOn = nil
            runners[r].deps[i].inFlight = false
            failed(r, i, reason: "the agent's RPC to its server on \(server), whose host is down, failed when yamux's keepalive timed out (Unexpected response code: 500)")
        } else if event.kind == Self.kvReturn {
            guard seq == runners[r].epoch & Self.seqField.maxValue else { return }
            run(r, initial: false)
        } else {
            guard seq == runners[r].templates[i].timerSeq & Self.seqField.maxValue else { return }
            runners[r].templates[i].quiescence = nil
            run(r, initial: false)
        }
    }

    // MARK: queries

    /// The query's answer: kept, and the template runs again when it changed; the next blocking query.
    func answered(_ r: Int, _ i: Int) {
        guard let a = fetch(r, i) else { failed(r, i); return }
        guard let next = vaultNext(r, i) else { return }
        runners[r].deps[i].retries = 0
        if runners[r].deps[i].answer != a {
            runners[r].deps[i].answer = a
            run(r, initial: false)
        }
        if let sleep = next, runners[r].running { issue(r, i, after: sleep + spec.queryLatency) }
    }

    /// The read that needs the leader (no stale answer allowed, or the stale one too old): the
    /// server holds it while there is no leader, checking for one every
    /// RandomStagger(rpc_hold_timeout / 16) (agent/consul/rpc.go `forward`, `CHECK_LEADER`,
    /// structs.JitterFraction), and answers `No cluster leader` at the end of rpc_hold_timeout.
    /// A leader elected meanwhile answers it. The stale answer that came first reset the view's
    /// retries (watch/view.go `poll`: successCh).
    func holdLeaderRead(_ r: Int, _ d: Int, _ refused: (age: SimDuration, answered: Bool)) {
        if refused.answered { runners[r].deps[d].retries = 0 }
        runners[r].deps[d].inFlight = true
        runners[r].deps[d].held = (now + (catalog?.leaderHold ?? .zero), refused.age, refused.answered)
        checkForLeader(r, d)
    }

    func checkForLeader(_ r: Int, _ d: Int) {
        guard let h = runners[r].deps[d].held else { return }
        let hold = catalog?.leaderHold ?? .zero
        let stream = model.stream("consul-template.hold/\(hostNames[runners[r].host])/\(r)")
        let jitter = SimDuration(nanoseconds: Int64(stream.uniform() * Double(hold.nanoseconds / 16)))
        let at = min(now + jitter, h.until)
        let arg = Self.runnerField.encode(r) | Self.indexField.encode(d) | Self.seqField.encode(runners[r].epoch & Self.seqField.maxValue)
        _ = model.sim.schedule(after: at - now, target: target, kind: Self.heldRead, arg: arg)
    }

    var now: SimTime { model.sim.now }

    func issue(_ r: Int, _ d: Int, after delay: SimDuration) {
        runners[r].deps[d].inFlight = true
        let arg = Self.runnerField.encode(r) | Self.indexField.encode(d) | Self.seqField.encode(runners[r].epoch & Self.seqField.maxValue)
        // the agent's server died under it (its host down, not noticed yet): the query hangs on the
        // dead connection and fails when the agent's yamux keepalive does (docs/consul.md, "A client's
        // server"); consul-template then retries after its back-off
        if runners[r].deps[d].vault == nil, let stall = catalog?.readStall(from: runners[r].host), stall.until > now + delay {
            runners[r].deps[d].stalledOn = stall.server
            _ = model.sim.schedule(at: stall.until, target: target, kind: Self.stalledRead, arg: arg)
            return
        }
        _ = model.sim.schedule(after: delay, target: target, kind: Self.queryReturn, arg: arg)
    }

    /// What the query answers now; nil when no server can answer.
    func fetch(_ r: Int, _ d: Int) -> Answer? {
        guard let c = catalog else { return nil }
        let host = runners[r].host
        if let v = runners[r].deps[d].vault {
            vaultReads += 1
            guard case .success(let a)? = vaultFetch(v) else { return nil }
            return .vault(a)
        }
        if let n = runners[r].deps[d].node { return fetchNodes(n, from: host) }
        guard let q = runners[r].deps[d].query else {
            var names: [String] = []
            for (i, n) in c.serviceNames.enumerated() {
                guard let listed = c.hasInstances(service: i, from: host) else { return nil }
                if listed { names.append(n) }
            }
            return .names(names.sorted())
        }
        guard let s = runners[r].deps[d].service else { return .instances([], checks: []) }  // Consul answers [] for an unknown service
        guard var a = c.health(service: s, filter: q.filter, from: host) else { return nil }
        // `service "tag.name"` asks Consul for the instances registered with the tag
        if let t = q.tag { a = a.filter { c.tags(service: s, instance: $0).contains(t) } }
        // dependency/health_service.go sorts by node, then service ID
        let sorted = a.map { (node: hostNames[$0.host], id: id($0, service: s, q.name), instance: $0) }
            .sorted { $0.node != $1.node ? goLess($0.node, $1.node) : goLess($0.id, $1.id) }.map(\.instance)
        return .instances(sorted, checks: readsChecks ? sorted.map { c.checks(service: s, instance: $0) } : [])
    }

    /// A node-catalog answer now (nil: no server answers).
    func fetchNodes(_ n: NodeDependency, from host: Int) -> Answer? {
        guard let nc = nodeCatalog else { return nil }
        switch n {
        case .nodes:
            guard let hosts = nc.catalogNodeHosts(from: host) else { return nil }
            // ByNode: node name, then address
            return .nodes(hosts.sorted { hostNames[$0] != hostNames[$1] ? goLess(hostNames[$0], hostNames[$1])
                                                                      : goLess(Host.address(ofIndex: $0), Host.address(ofIndex: $1)) })
        case .node(let name):
            let target = name.isEmpty ? host : hostByName[name]
            guard let t = target else { return nc.catalogNodeHosts(from: host) == nil ? nil : .node(host: nil, services: []) }
            guard let registered = nc.nodeRegistered(t, from: host) else { return nil }
            guard registered else { return .node(host: nil, services: []) }
            let services = nc.nodeServices(t).sorted { a, b in
                let na = catalog?.serviceNames[a.service] ?? "", nb = catalog?.serviceNames[b.service] ?? ""
                return na != nb ? goLess(na, nb) : goLess(id(a.instance, service: a.service, na), id(b.instance, service: b.service, nb))
            }
            return .node(host: t, services: services)
        case .datacenters:
            guard nc.catalogNodeHosts(from: host) != nil else { return nil }
            return .datacenters([nc.datacenter])
        }
    }

    /// A `consulKV` action: the store changes now; every running consul-template whose last
    /// executions read the key (or a prefix of it) gets its blocking KV query's answer
    /// `queryLatency` later and runs (a blocked `key` renders, a deleted one blocks again and the
    /// file keeps its text). A KV answer is not compared with the last one: the store only
    /// changes through an action, and the render writes only a changed text. Returns why the
    /// write failed (nothing changes) when the servers have no leader, as `consul kv put` prints
    /// it (command/kv/put/kv_put.go, command/kv/del/kv_delete.go), else nil.
    public func kvChanged(key: String, value: String?) -> String? {
        if let why = catalog?.writeRefusal() {
            let error = "Unexpected response code: 500 (\(why))"
            return value == nil ? "Error! Did not delete key \(key): \(error)" : "Error! Failed writing data: \(error)"
        }
        inputs.set(key, value)
        for r in runners.indices where runners[r].running {
            guard runners[r].templates.contains(where: { t in t.kvReads.contains { $0.prefix ? key.hasPrefix($0.path) : key == $0.path } }) else { continue }
            let arg = Self.runnerField.encode(r) | Self.seqField.encode(runners[r].epoch & Self.seqField.maxValue)
            _ = model.sim.schedule(after: spec.queryLatency, target: target, kind: Self.kvReturn, arg: arg)
        }
        return nil
    }

    /// A Vault dependency's fetch now: nil when no Vault server answers (none in the scenario,
    /// or its host down), else the server's answer or error (VaultFunctions.swift).
    func vaultFetch(_ d: VaultDependency) -> Result<TemplateValue, VaultFetchError>? {
        guard let v = vaultState, let h = vaultHost, model.infrastructure.hosts[h].state.isUp else { return nil }
        if vaultSealed, let why = vaultUnavailable { return .failure(VaultFetchError(why)) }
        return v.answer(d, timeZeroUnixNs: inputs.baseMs &* 1_000_000)
    }

    /// Unix nanoseconds now (the template inputs' wall clock at time 0, plus simulated time).
    var unixNanoseconds: Int64 { inputs.baseMs &* 1_000_000 &+ model.sim.now.nanoseconds }

    func vaultStream(_ r: Int) -> RandomStream { model.stream("consul-template.vault/\(hostNames[runners[r].host])/\(r)") }

    /// After a successful fetch of dependency `d`: nil when the fetch does not count (leaseCheckWait's
    /// error, retried; its panic, consul-template exits), else when the next fetch follows (`.some(nil)`:
    /// not a Vault dependency, or a renewable secret's unsimulated poll loop).
    func vaultNext(_ r: Int, _ d: Int) -> SimDuration?? {
        guard let v = runners[r].deps[d].vault else { return .some(nil) }
        switch v {
        case .list:
            return .some(VaultLease.defaultLeaseDuration)      // vault_list.go: every later fetch sleeps 5m first
        case .write, .pki:
            return .some(nil)                                  // never answered (not modelled)
        case .read(let p):
            guard let s = vaultState?.readTerms(p) else { return .some(nil) }
            if s.renewable { runners[r].deps[d].polling = true; return .some(nil) }
            runners[r].deps[d].polling = false
            let stream = vaultStream(r)
            let unix = unixNanoseconds
            let secs = unix >= 0 ? unix / 1_000_000_000 : (unix - 999_999_999) / 1_000_000_000
            switch VaultLease.checkWait(leaseSeconds: s.leaseSeconds, fields: s.fields, nowUnix: secs,
                                        uniform: { stream.uniform() }) {
            case .sleep(let sleep):
                return .some(sleep)
            case .error(let e):
                failed(r, d, reason: e)
                return nil
            case .panic(let e):
                exit(r, "\(v): \(e); consul-template exits non-zero")
                return nil
            }
        }
    }

    /// Renewable secrets' poll loops (not simulated while quiet) that `matching` concerns: each
    /// running consul-template's next poll, `delay` from now, fetches.
    func pokePolls(matching: (VaultDependency) -> Bool, delay: (() -> Double) -> SimDuration) {
        for r in runners.indices where runners[r].running {
            for d in runners[r].deps.indices where runners[r].deps[d].polling && !runners[r].deps[d].inFlight {
                guard let v = runners[r].deps[d].vault, matching(v) else { continue }
                let stream = vaultStream(r)
                issue(r, d, after: delay({ stream.uniform() }) + spec.queryLatency)
            }
        }
    }

    /// Why a request to the Vault server fails now (nil: it answers): no server, its host down, or sealed.
    public var vaultUnavailable: String? {
        guard let v = spec.vault, vaultState != nil, let h = vaultHost else { return "no Vault server is modelled" }
        if !model.infrastructure.hosts[h].state.isUp { return "Vault on \(v.host) did not answer (its host is down)" }
        if vaultSealed { return "Vault on \(v.host) is sealed (Code: 503. Errors: * Vault is sealed)" }
        return nil
    }

    /// A `vaultUnseal` action (`vault operator unseal` with the threshold of key shares): the
    /// reason it failed (its host down), or nil. Unsealing an unsealed Vault changes nothing. The
    /// fetches that failed on the sealed Vault succeed at their next retry.
    public func vaultUnseal() -> String? {
        guard let v = spec.vault, let h = vaultHost else { return "no Vault server is modelled" }
        if !model.infrastructure.hosts[h].state.isUp { return "Vault on \(v.host) did not answer (its host is down)" }
        vaultSealed = false
        return nil
    }

    /// A `vaultWrite` action (nil data: a delete) on the Vault server. False when the write fails
    /// (no Vault server modelled, its host down, or sealed). Non-renewable secrets are seen at their next
    /// re-read (already scheduled); renewable ones at the poll of their loop that passes the change.
    public func vaultWrite(path: String, dataJSON: String?, fields: VaultLeaseFields) -> Bool {
        guard vaultUnavailable == nil else { return false }
        vaultState!.write(path, dataJSON: dataJSON, fields: fields, at: model.sim.now.sinceStart)
        let change = unixNanoseconds
        pokePolls(matching: { $0 == .read(path) }, delay: { u in VaultLease.pollAfter(changeUnixNs: change, u) + VaultLease.pollGap(u) })
        return true
    }

    /// Why a Consul read of dependency `d` gets no answer consul-template keeps although a server
    /// answers: there is no leader and the stale answer is older than `max_stale` (or `max_stale`
    /// is 0, so the read is not stale). watch/view.go `fetch` reads stale when max_stale > 0,
    /// drops an answer whose LastContact exceeds max_stale and asks again without `stale`, which
    /// needs the leader. `answered`: a stale answer came first (it resets the retry count, the
    /// view's successCh). Nil: the read is answered (or no server answers at all: `fetch` is nil).
    func staleRefusal(_ r: Int, _ d: Int) -> (age: SimDuration, answered: Bool)? {
        guard runners[r].deps[d].vault == nil, let c = catalog, let age = c.lastContact(from: runners[r].host),
              age > .zero else { return nil }
        if spec.maxStale > .zero && age <= spec.maxStale { return nil }
        return (age, spec.maxStale > .zero)
    }

    func failed(_ r: Int, _ d: Int, reason: String? = nil, noLeader: (age: SimDuration, answered: Bool)? = nil, held: Bool = false) {
        // view.go Poll: the stale answer's successCh resets the count before the leader read fails
        if noLeader?.answered == true { runners[r].deps[d].retries = 0 }
        let n = runners[r].deps[d].retries
        let vault = runners[r].deps[d].vault
        let what = vault?.description ?? runners[r].deps[d].node?.description ?? runners[r].deps[d].query.map { "health.service(\($0))" } ?? "catalog.services"
        // watch/watcher.go: a Vault dependency retries with the `vault` stanza's policy, the others with `retry`'s
        let policy = vault == nil ? spec.retry : spec.vaultRetry
        let noAnswer: String
        switch vault.map(vaultFetch) {
        case nil:
            if let reason { noAnswer = reason } else if let (age, answered) = noLeader {
                noAnswer = (answered ? "a stale answer (last contact \(age), over max_stale \(spec.maxStale)), then " : "")
                    + "Unexpected response code: 500 (No cluster leader)"
            } else { noAnswer = "no server answered" }
        case .some(nil): noAnswer = spec.vault.map { "Vault on \($0.host) did not answer (its host is down)" } ?? "no Vault server answered (the scenario models none)"
        case .some(.some(.failure(let e))): noAnswer = e.message
        case .some(.some(.success)): noAnswer = reason ?? "answered"
        }
        guard let sleep = policy.sleep(retry: n) else {
            exit(r, "\(what): \(noAnswer) after \(n) retries; consul-template exits non-zero")
            return
        }
        runners[r].deps[d].retries = n + 1
        model.log("consul-template", "consulTemplateRetry", hostNames[runners[r].host],
                  "\(what): \(noAnswer); retry \(n + 1)\(policy.attempts > 0 ? "/\(policy.attempts)" : "") in \(sleep)")
        // vault_list.go: after its first list, every fetch (a retry too) sleeps 5m first
        let listWait: SimDuration
        if case .list? = vault, runners[r].deps[d].answer != nil { listWait = VaultLease.defaultLeaseDuration } else { listWait = .zero }
        // the leader read's error comes after the server's hold (rpc_hold_timeout, agent/consul/rpc.go `forward`)
        let hold = noLeader == nil || held ? SimDuration.zero : (catalog?.leaderHold ?? .zero)
        issue(r, d, after: hold + sleep + listWait + spec.queryLatency)
    }

    func stop(_ r: Int) {
        runners[r].running = false
        runners[r].epoch += 1
        for d in runners[r].deps.indices {
            runners[r].deps[d].answer = nil; runners[r].deps[d].inFlight = false; runners[r].deps[d].retries = 0; runners[r].deps[d].polling = false
            runners[r].deps[d].held = nil; runners[r].deps[d].stalledOn = nil
        }
        for t in runners[r].templates.indices {
            runners[r].templates[t].rendered = false
            runners[r].templates[t].quiescence = nil
            runners[r].templates[t].timerSeq += 1
        }
    }

    func exit(_ r: Int, _ why: String) {
        stop(r)
        runners[r].exited = true
        exits += 1
        model.log("consul-template", "consulTemplateExit", hostNames[runners[r].host], why)
    }

    // MARK: runs

    /// The dependency for `query` (nil: `services`), created (and queried) when new.
    func dependency(_ r: Int, _ query: ServiceQuery?, initial: Bool) -> Int {
        if let i = runners[r].deps.firstIndex(where: { $0.query == query && $0.node == nil && $0.vault == nil }) { return i }
        let service = query.flatMap { q in catalog?.serviceNames.firstIndex(of: q.name) }
        runners[r].deps.append(Dependency(query: query, service: service))
        return firstAnswer(r, runners[r].deps.count - 1, initial: initial)
    }

    /// The dependency for a node-catalog query, created (and queried) when new.
    func dependency(_ r: Int, node: NodeDependency, initial: Bool) -> Int {
        dependency(r, initial: initial, matching: { $0.node == node }, making: { $0.node = node })
    }

    /// The dependency for a Vault query, created (and queried) when new.
    func dependency(_ r: Int, vault: VaultDependency, initial: Bool) -> Int {
        dependency(r, initial: initial, matching: { $0.vault == vault }, making: { $0.vault = vault })
    }

    /// The runner's dependency `matching` says is the one, or a new one set up by `making`, queried.
    private func dependency(_ r: Int, initial: Bool, matching: (Dependency) -> Bool, making: (inout Dependency) -> Void) -> Int {
        if let i = runners[r].deps.firstIndex(where: matching) { return i }
        var dep = Dependency(query: nil, service: nil)
        making(&dep)
        runners[r].deps.append(dep)
        return firstAnswer(r, runners[r].deps.count - 1, initial: initial)
    }

    func firstAnswer(_ r: Int, _ d: Int, initial: Bool) -> Int {
        if initial {
            if let refused = staleRefusal(r, d) {
                holdLeaderRead(r, d, refused)
            } else if let a = fetch(r, d) {
                guard let next = vaultNext(r, d) else { return d }
                runners[r].deps[d].answer = a
                if let sleep = next { issue(r, d, after: sleep + spec.queryLatency) }
            } else { failed(r, d) }
        } else {
            issue(r, d, after: spec.queryLatency)
        }
        return d
    }

    /// Renders template `t` with the current answers, registering the dependencies it uses
    /// (runner.go runTemplate: new dependencies are watched and the template waits for their
    /// data). Nil when some dependency has no data yet.
    func execute(_ r: Int, _ t: Int, initial: Bool) -> String? {
        // a template's dependencies can depend on answers (`range services` then `service .Name`):
        // at time 0 the answers come at once, so execute again until the set is stable
        for _ in 0..<8 {
            let renderer = TemplateRenderer(data: RunnerData(runner: runners[r], owner: self), cache: cacheBodies ? runners[r].templates[t].cache : nil,
                                            inputs: inputs)
            renderer.now = model.sim.now
            renderer.destination = spec.templates[t].destination
            let text: String?
            var failure: TemplateError? = nil
            do { text = try renderer.render(spec.templates[t].parsed) } catch { text = nil; failure = error }
            runners[r].templates[t].kvReads = renderer.kvReads
            let before = runners[r].deps.count
            var deps = renderer.dependencies.map { dependency(r, $0, initial: initial) }
            if renderer.usesServices { deps.append(dependency(r, nil, initial: initial)) }
            deps += renderer.nodeDependencies.map { dependency(r, node: $0, initial: initial) }
            deps += renderer.vaultDependencies.map { dependency(r, vault: $0, initial: initial) }
            // the template was checked when the scenario was read; what fails now is an answer it
            // did not expect (a field of the nil .Node of a node not in the catalog): with every
            // answer in, the execution error ends consul-template (runner.go Run returns it)
            if let e = failure, deps.allSatisfy({ runners[r].deps[$0].answer != nil }), !(runners[r].deps.count > before && initial) {
                exit(r, "\(spec.templates[t].name):\(e.line): \(e.message); consul-template exits non-zero")
                return nil
            }
            runners[r].templates[t].deps = deps
            if runners[r].deps.count > before && initial { continue }
            guard deps.allSatisfy({ runners[r].deps[$0].answer != nil }) else { return nil }
            // a key that does not exist: consul-template waits for it (until a consulKV action sets it)
            guard renderer.blockedOn == nil else { return nil }
            return text
        }
        return nil
    }

    func run(_ r: Int, initial: Bool) {
        var commands: [(stanza: Int, destination: String)] = []
        for t in runners[r].templates.indices {
            guard let text = execute(r, t, initial: initial) else {
                if !runners[r].running { return }    // the execution failed: consul-template exited
                continue
            }
            let st = runners[r].templates[t]
            if var q = st.quiescence {
                if q.tick(now: model.sim.now), let at = q.fireAt {
                    runners[r].templates[t].timerSeq += 1
                    let arg = Self.runnerField.encode(r) | Self.indexField.encode(t)
                        | Self.seqField.encode(runners[r].templates[t].timerSeq & Self.seqField.maxValue)
                    _ = model.sim.schedule(at: at, target: target, kind: Self.quiescenceFired, arg: arg)
                }
                runners[r].templates[t].quiescence = q
                continue
            }
            let stanza = spec.templates[t]
            runners[r].templates[t].rendered = true
            let counts = st.deps.map { runners[r].deps[$0].answer?.count ?? 0 }
            let previous = st.renderedCounts.count == counts.count ? st.renderedCounts : counts
            runners[r].templates[t].renderedCounts = counts
            let versions = st.deps.map { runners[r].deps[$0].version }
            let previousVersions = st.renderedVersions.count == versions.count ? st.renderedVersions : versions
            runners[r].templates[t].renderedVersions = versions
            guard text != st.fileText else { continue }
            runners[r].templates[t].fileText = text
            // a destination nginx's configuration does not include is a file on the host only
            let read = nginx.reads(path: stanza.destination)
            if initial {
                if read { nginx.installInitial(proxy: r, path: stanza.destination, text: text) }
                continue
            }
            renders += 1
            if read { nginx.writeFile(proxy: r, path: stanza.destination, text: text) }
            let changes = zip(st.deps, zip(previous, counts)).filter { $1.0 != $1.1 }.map { d, c in
                "\(runners[r].deps[d].vault?.description ?? runners[r].deps[d].node?.description ?? runners[r].deps[d].query?.description ?? "services") \(c.0)->\(c.1)"
            } + zip(st.deps, zip(previousVersions, versions)).compactMap { d, v in
                runners[r].deps[d].vault.flatMap { v.0 != v.1 ? "\($0) changed" : nil }
            }
            model.log("consul-template", "templateRendered", stanza.destination,
                      "\(hostNames[runners[r].host])" + (changes.isEmpty ? "" : ": " + changes.joined(separator: ", ")))
            if stanza.commandRun != .none && !commands.contains(where: { spec.templates[$0.stanza].commandArgs == stanza.commandArgs }) {
                commands.append((t, stanza.destination))
            }
        }
        if runners[r].templates.allSatisfy(\.rendered) {
            for t in runners[r].templates.indices where runners[r].templates[t].quiescence == nil {
                let w = spec.templates[t].wait ?? spec.wait
                let wait = w.enabled ? w : spec.wait
                if wait.enabled { runners[r].templates[t].quiescence = Quiescence(min: wait.min, max: wait.max) }
            }
        }
        // every command runs, in the order of their templates; then any failure ends
        // consul-template (manager/runner.go Run: errors are collected, Run returns them)
        var failures: [String] = []
        for c in commands {
            let stanza = spec.templates[c.stanza]
            let waited = stanza.commandTimeout > .zero
            var detail: String
            switch stanza.commandRun {
            case .none: continue
            case .nginx(let kind):
                let status = nginx.reload(proxy: r, command: kind)
                detail = "exit \(status)"
                if status != 0 && waited { failures.append("command \(stanza.command) exited with a non-zero exit status (\(status))") }
            case .notModelled:
                detail = "exit 0 (not modelled: the simulator does not run it)"
            case .cannotStart(let why):
                detail = "cannot start: \(why)"
                failures.append("failed to execute command \(stanza.command): \(why)")
            }
            if !waited, case .nginx = stanza.commandRun { detail += " (command_timeout 0: not waited for)" }
            model.log("consul-template", "templateCommand", c.destination, "\(hostNames[runners[r].host]): \(stanza.command): \(detail)")
        }
        if !failures.isEmpty {
            exit(r, failures.joined(separator: "; ") + "; consul-template exits non-zero")
        }
    }

    // MARK: what templates and nginx see

    /// The instance's `.ID` (the health answer's ServiceID): the one the catalog holds (registrator's
    /// `host:container:port`, a SERVICE_ID, a service definition's `id`); a catalog that names none
    /// gets `host:service-task:port`.
    func id(_ i: ServiceInstance, service s: Int?, _ name: String) -> String {
        if let s, let sid = catalog?.serviceID(service: s, instance: i) { return sid }
        return "\(hostNames[i.host]):\(name)-\(i.task):\(i.port)"
    }

    /// The instances in the runner's last answers, by NginxProxies.instanceKey (first answer wins).
    func knownInstances(runner r: Int) -> [Int: ServiceInstance] {
        var out: [Int: ServiceInstance] = [:]
        for d in runners[r].deps {
            guard case .instances(let a, _)? = d.answer else { continue }
            for i in a where out[NginxProxies.instanceKey(host: i.host, port: i.port)] == nil { out[NginxProxies.instanceKey(host: i.host, port: i.port)] = i }
        }
        return out
    }

    struct RunnerData: TemplateData, VaultAnswering {
        func vault(_ d: VaultDependency) -> TemplateValue? {
            guard case .vault(let v)? = runner.deps.first(where: { $0.vault == d })?.answer else { return nil }
            return v
        }
        let runner: Runner
        unowned let owner: ConsulTemplateRunner
        func service(_ q: ServiceQuery) -> [TemplateInstance] {
            guard let d = runner.deps.first(where: { $0.query == q }), case .instances(let a, let checks)? = d.answer else { return [] }
            // a service no definition gives tags has none (and most do not: no lookup per instance)
            let tagged = d.service.flatMap { s in owner.catalog.map { !$0.serviceTags(service: s).isEmpty } } ?? false
            return a.indices.map { k in
                let i = a[k], node = owner.hostNames[i.host], id = owner.id(i, service: d.service, q.name)
                let tags = tagged ? owner.catalog!.tags(service: d.service!, instance: i) : []
                return TemplateInstance(node: node, address: Host.address(ofIndex: i.host), id: id, name: q.name, port: i.port, tags: tags,
                                        checks: k < checks.count ? TemplateCheck.entry(checks[k], node: node, serviceID: id, service: q.name, tags: tags) : [])
            }
        }
        func serviceTags(_ name: String) -> [String] {
            guard let c = owner.catalog, let s = c.serviceNames.firstIndex(of: name) else { return [] }
            return c.serviceTags(service: s)
        }
        func services() -> [String] {
            guard case .names(let n)? = runner.deps.first(where: { $0.query == nil && $0.node == nil && $0.vault == nil })?.answer else { return [] }
            return n
        }
        /// The dependency's version; -1 while it does not exist (its answer is empty then).
        func answerVersion(_ q: ServiceQuery?) -> Int? { runner.deps.first(where: { $0.query == q && $0.node == nil && $0.vault == nil })?.version ?? -1 }

        var datacenter: String { owner.nodeCatalog?.datacenter ?? "dc1" }
        func nodeInfo(_ h: Int) -> TemplateNodeInfo {
            let name = owner.hostNames[h]
            return TemplateNodeInfo(id: TemplateNodeInfo.nodeID(name), node: name, address: Host.address(ofIndex: h), datacenter: datacenter)
        }
        func nodes() -> [TemplateNodeInfo] {
            guard case .nodes(let hosts)? = runner.deps.first(where: { $0.node == .nodes })?.answer else { return [] }
            return hosts.map(nodeInfo)
        }
        func node(_ name: String) -> TemplateNodeDetail? {
            guard case .node(let h, let regs)? = runner.deps.first(where: { $0.node == .node(name) })?.answer else { return nil }
            guard let h else { return TemplateNodeDetail(node: nil, services: []) }
            let names = owner.catalog?.serviceNames ?? []
            return TemplateNodeDetail(node: nodeInfo(h), services: regs.map { x in
                let n = x.service < names.count ? names[x.service] : ""
                return TemplateNodeService(id: owner.id(x.instance, service: x.service, n), service: n, tags: x.tags, port: x.instance.port, address: Host.address(ofIndex: h))
            })
        }
        func datacenters() -> [String] {
            for d in runner.deps { if case .datacenters(let l)? = d.answer { return l } }
            return []
        }
        func nodeAnswerVersion(_ d: NodeDependency) -> Int? { runner.deps.first(where: { $0.node == d })?.version ?? -1 }
    }

    /// The text of each template's destination (tests and the CLI).
    public func destinationText(proxy p: Int, template t: Int) -> String? { runners[p].templates[t].fileText }
}

extension ConsulTemplateRunner {
    public static let outputs = SubsystemOutputs(
        headline: [
            ("template_renders", "renders that changed a destination file, summed over the consul-template runners (events.csv templateRendered rows)"),
            ("consul_template_exits", "times a consul-template ended with an error (retries used up, or a command that failed)"),
        ],
        headlineIntro: "With a `consulTemplate` section the headline gains consul-template's renders and exits (see docs/discovery.md).")

    public func headline() -> [HeadlineFigure] {
        [HeadlineFigure("template_renders", .int(Int64(renders))), HeadlineFigure("consul_template_exits", .int(Int64(exits)))]
    }
}
