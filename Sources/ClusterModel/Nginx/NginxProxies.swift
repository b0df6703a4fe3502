import SimKernel

// nginx's control plane (issue 10, item 5): an nginx master on each named host, the files it
// includes (what consul-template wrote), its configuration generations and reloads.
//
// A reload (nginx/nginx.org xml/en/docs/control.xml, "Changing Configuration"): the master
// parses the new text; when it is invalid it keeps the old configuration and logs the error;
// otherwise it starts new workers and asks the old ones to finish their in-flight requests and
// exit. Generation 0 is what nginx started with. New requests get a new generation once its
// workers have started (`NginxSpec.workerStart` after the signal); `.proxyReloaded` says so. A
// host that goes down takes nginx with it; when it comes back nginx starts from the files as
// they were last written.

/// How a template's `command` reloads nginx.
public enum NginxReloadCommand: Equatable, Sendable {
    /// `nginx -s reload` (also what `service nginx reload` and `systemctl reload nginx` run on
    /// Debian): the command itself parses the configuration first (nginx's main() calls
    /// ngx_init_cycle before ngx_signal_process) and exits 1 without signalling when it is invalid.
    case signalAfterTest
    /// `kill -HUP <master pid>`: the master parses; on error it logs and keeps the old configuration.
    case hangUp

    /// The command strings the simulator knows, and what they do.
    public static let known: [(String, NginxReloadCommand)] = [
        ("nginx -s reload", .signalAfterTest), ("/usr/sbin/nginx -s reload", .signalAfterTest),
        ("service nginx reload", .signalAfterTest), ("systemctl reload nginx", .signalAfterTest),
        ("/etc/init.d/nginx reload", .signalAfterTest),
        ("kill -HUP $(cat /run/nginx.pid)", .hangUp), ("pkill -HUP -F /run/nginx.pid", .hangUp),
    ]

    public static func classify(_ command: String) -> NginxReloadCommand? {
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        return known.first { $0.0 == words }?.1
    }
}

/// Which files nginx reads. Debian's /etc/nginx/nginx.conf (the nginx package's
/// debian/conf/nginx.conf) includes, inside `http { }`, `/etc/nginx/conf.d/*.conf` and then
/// `/etc/nginx/sites-enabled/*`; nginx expands an include with glob(3) (src/core/ngx_conf_file.c
/// `ngx_conf_include`, src/os/unix/ngx_files.c `ngx_open_glob`: flags 0, so the names come sorted,
/// `*` matches no `/` and no leading `.`). A destination that is nginx.conf itself is read too
/// (a text with its own `http` block is read whole). Any other destination is a file
/// consul-template writes on the host that nginx never reads.
public enum NginxIncludes {
    public static let mainFile = "/etc/nginx/nginx.conf"
    public static let patterns = ["/etc/nginx/conf.d/*.conf", "/etc/nginx/sites-enabled/*"]
    /// Where a relative `include` is looked for: Debian's nginx is built with
    /// `--conf-path=/etc/nginx/nginx.conf`, and ngx_conf_full_name resolves a relative name
    /// against the configuration prefix, the folder of that file.
    public static let prefix = "/etc/nginx/"

    /// Whether nginx reads a file written at `path`: Debian's two includes, nginx.conf itself,
    /// and `extra` (the `include` directives of the scenario's own nginx configuration).
    public static func reads(_ path: String, extra: [String] = []) -> Bool {
        path == mainFile || patterns.contains { globMatches($0, path) } || extra.contains { globMatches($0, path) }
    }

    /// The files the `include` directives of an nginx configuration name, at any depth (an
    /// include inside `http`, `server`, `upstream` or `stream` alike), relative ones made absolute
    /// against `prefix`, in text order without repeats. A text nginx would refuse gives none (the
    /// loader refuses it first).
    public static func includes(in configuration: String) -> [String] {
        guard !configuration.isEmpty, let top = try? NginxConfigText.parse(configuration) else { return [] }
        var out: [String] = []
        func walk(_ ds: [NginxDirective]) {
            for d in ds {
                if d.name == "include", d.block == nil, let a = d.args.first, !a.isEmpty {
                    let full = a.hasPrefix("/") ? a : prefix + a
                    if !out.contains(full) { out.append(full) }
                }
                if let b = d.block { walk(b) }
            }
        }
        walk(top)
        return out
    }

    /// glob(3)'s matching of one path, component by component: `*` any run of characters, `?`
    /// one, `[...]` a class (`!` or `^` negates, `a-z` ranges); none of them matches `/`, nor a
    /// `.` that starts a component (no GLOB_PERIOD). A `\` quotes the next character.
    public static func globMatches(_ pattern: String, _ path: String) -> Bool {
        let pc = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let sc = path.split(separator: "/", omittingEmptySubsequences: false)
        guard pc.count == sc.count else { return false }
        return zip(pc, sc).allSatisfy { p, s in
            let pa = Array(p.unicodeScalars), sa = Array(s.unicodeScalars)
            if sa.first == ".", pa.first != "." { return false }
            return component(pa, 0, sa, 0)
        }
    }

    /// Iterative matching with one back-tracking point per `*` (linear in practice, never exponential).
    static func component(_ p: [Unicode.Scalar], _ pi0: Int, _ s: [Unicode.Scalar], _ si0: Int) -> Bool {
        var pi = pi0, si = si0
        var star: (p: Int, s: Int)? = nil
        while si < s.count {
            if pi < p.count {
                switch p[pi] {
                case "*": star = (pi, si); pi += 1; continue
                case "?": pi += 1; si += 1; continue
                case "[":
                    if let (ok, next) = bracket(p, pi, s[si]) {
                        if ok { pi = next; si += 1; continue }
                    } else if s[si] == "[" { pi += 1; si += 1; continue }
                case "\\" where pi + 1 < p.count:
                    if p[pi + 1] == s[si] { pi += 2; si += 1; continue }
                default:
                    if p[pi] == s[si] { pi += 1; si += 1; continue }
                }
            }
            guard let st = star else { return false }
            star = (st.p, st.s + 1); pi = st.p + 1; si = st.s + 1
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// A `[...]` class at `p[i]`: whether `c` is in it and the index after it; nil when the
    /// bracket is not closed (then `[` is an ordinary character).
    static func bracket(_ p: [Unicode.Scalar], _ i: Int, _ c: Unicode.Scalar) -> (Bool, Int)? {
        var j = i + 1
        var negate = false
        if j < p.count, p[j] == "!" || p[j] == "^" { negate = true; j += 1 }
        var found = false, first = true
        while j < p.count {
            if p[j] == "]" && !first { return (found != negate, j + 1) }
            first = false
            if j + 2 < p.count, p[j + 1] == "-", p[j + 2] != "]" {
                if p[j].value <= c.value && c.value <= p[j + 2].value { found = true }
                j += 3
            } else {
                if p[j] == c { found = true }
                j += 1
            }
        }
        return nil
    }
}

public final class NginxProxies: Subsystem, SignalSubscriber, ProxyConfiguration, EventHandler {
    public static let entry = SubsystemEntry(name: "nginx", section: "nginx", outputs: NginxProxies.outputs) { model in
        guard let spec = model.spec.nginx else { return nil }
        return NginxProxies(spec: spec, model: model)
    }

    /// One loaded configuration.
    struct Generation {
        var text: String
        var config: NginxConfiguration
        var upstreams: [ProxyUpstream]
        /// Let go (`keepHistory`): only `config.locations` is left.
        var released = false
    }

    struct Proxy {
        var host: Int
        var name: String
        /// The files nginx includes, by destination (what consul-template last wrote), in path order.
        var files: [(path: String, text: String)] = []
        var generations = NginxGenerations()
        var active = 0
        /// Bumped when the host goes down: activations scheduled before are stale.
        var epoch: Int32 = 0
        var reloads = 0
        var failedReloads = 0
        /// (time, text of its included files) each time a file changed: `--nginx-config-at`.
        var history: [(time: SimTime, text: String)] = []
    }

    public let spec: NginxSpec
    /// The files the section's own configuration includes (`NginxIncludes.includes(in:)`).
    let configurationIncludes: [String]
    unowned let model: ClusterSimulation
    var proxies: [Proxy] = []
    /// nil: every generation and every written text is kept (`includedText(proxy:at:)` at any
    /// time, `upstreams(proxy:generation:)` of any generation). Else (`keepHistory`, what
    /// `clustersim run` and the bench call) memory does not grow with reloads: a generation nginx no
    /// longer runs keeps only its locations (the routes of requests still in flight on its
    /// workers), and a text only while it is the latest or was current at one of these instants.
    private(set) var historyInstants: [SimTime]?
    var target: Int32 = -1
    /// The instances proxy `p`'s consul-template knows, by `instanceKey(host:port:)` (set by
    /// consul-template: its last answers); nil: ask the catalog.
    public var instanceDirectory: ((_ proxy: Int) -> [Int: ServiceInstance])?
    public static func instanceKey(host: Int, port: Int) -> Int { host << 17 | (port & 0x1FFFF) }
    let catalog: ServiceCatalog?

    static let proxyField = ArgField("proxy", shift: 0, bits: 20)
    static let epochField = proxyField.next("epoch", bits: 20)
    static let generationField = epochField.next("generation", bits: 23)

    init(spec: NginxSpec, model: ClusterSimulation) {
        self.spec = spec
        self.configurationIncludes = NginxIncludes.includes(in: spec.configuration)
        self.model = model
        self.catalog = model.subsystem(ServiceCatalog.self)
        let byName = Dictionary(model.infrastructure.hosts.map { ($0.name, $0.index) }, uniquingKeysWith: { a, _ in a })
        for n in spec.hosts {
            guard let h = byName[n] else { continue }
            proxies.append(Proxy(host: h, name: n))
        }
    }

    public var name: String { "nginx" }

    /// Whether nginx reads a file written at `path` (`NginxIncludes`, with the includes of the
    /// section's own configuration).
    public func reads(path: String) -> Bool { NginxIncludes.reads(path, extra: configurationIncludes) }

    public func register(in sim: Simulation) { target = sim.register(self) }

    public func subscribe(to signals: PlatformSignals) { signals.subscribe(self, to: .hosts) }

    /// Generation 0: the static configuration and whatever consul-template renders at time 0
    /// (`installInitial`), without a reload.
    public func start() {
        for p in proxies.indices where proxies[p].generations.isEmpty { loadGenerationZero(p) }
    }

    func loadGenerationZero(_ p: Int) {
        proxies[p].generations.reset(load(p, text: text(of: p)) ?? Generation(text: "", config: NginxConfiguration(), upstreams: []))
        proxies[p].active = 0
        proxies[p].history = [(model.sim.now, includedText(p))]
    }

    // MARK: ProxyConfiguration

    public var proxyCount: Int { proxies.count }
    public func host(ofProxy p: Int) -> Int { proxies[p].host }
    public func generation(ofProxy p: Int) -> Int { proxies[p].active }
    public func upstreams(proxy p: Int, generation: Int) -> [ProxyUpstream] {
        assert(!proxies[p].generations[generation].released, "nginx: upstreams of generation \(generation), let go by keepHistory, read")
        return proxies[p].generations[generation].upstreams
    }
    public func route(proxy p: Int, generation: Int, path: String) -> ProxyRoute? {
        proxies[p].generations.locations(generation).first { path.hasPrefix($0.prefix) }?.route
    }

    /// The proxy running on `host`, if any.
    public func proxy(onHost host: Int) -> Int? { proxies.firstIndex { $0.host == host } }
    public func hostName(ofProxy p: Int) -> String { proxies[p].name }
    public func reloads(ofProxy p: Int) -> Int { proxies[p].reloads }
    public var totalReloads: Int { proxies.reduce(0) { $0 + $1.reloads } }
    /// With `keepHistory`, a generation nginx no longer runs has only its locations.
    public func configuration(proxy p: Int, generation: Int) -> NginxConfiguration { proxies[p].generations[generation].config }

    /// Keep only the running generation (and pending ones) whole, and the included texts current
    /// at `instants` (`run --nginx-config-at`); `includedText(proxy:at:)` then answers for those
    /// instants (and for times after the last write) only.
    public func keepHistory(textsAt instants: [SimTime]) { historyInstants = instants.sorted() }

    /// The generations and texts proxy `p` holds in full (tests: flat in reloads with `keepHistory`).
    func retained(proxy p: Int) -> (generations: Int, texts: Int, bytes: Int) {
        let whole = proxies[p].generations.held.filter { !$0.released }
        let bytes = whole.reduce(0) { $0 + $1.text.utf8.count } + proxies[p].history.reduce(0) { $0 + $1.text.utf8.count }
        return (whole.count, proxies[p].history.count, bytes)
    }

    /// The distinct arrays of locations proxy `p`'s generations hold (tests: equal ones are shared).
    func locationArrays(proxy p: Int) -> Int {
        Set(proxies[p].generations.locationArrays.map { l in l.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) } }).count
    }

    /// The entries proxy `p`'s generation list holds (tests: flat in reloads that keep the routes).
    func generationEntries(proxy p: Int) -> Int { proxies[p].generations.entries }

    /// The text of the files nginx includes (in path order) as they were at `time`.
    public func includedText(proxy p: Int, at time: SimTime) -> String {
        proxies[p].history.last { $0.time <= time }?.text ?? ""
    }

    /// What nginx reads at `time`: the static configuration and the included files as they were then.
    public func configurationText(proxy p: Int, at time: SimTime) -> String {
        let inc = includedText(proxy: p, at: time)
        return spec.configuration.isEmpty ? inc : spec.configuration + (inc.isEmpty ? "" : "\n" + inc)
    }

    // MARK: files and reloads (called by consul-template)

    /// consul-template wrote `path` (atomically: the new text replaces the old at once).
    public func writeFile(proxy p: Int, path: String, text: String) {
        if let i = proxies[p].files.firstIndex(where: { $0.path == path }) {
            proxies[p].files[i].text = text
        } else {
            proxies[p].files.append((path, text))
            proxies[p].files.sort { $0.path < $1.path }
        }
        let now = model.sim.now
        if let last = proxies[p].history.last {
            // the text current until now is let go unless a wanted instant saw it
            if last.time == now || historyInstants.map({ w in !w.contains { $0 >= last.time && $0 < now } }) == true {
                proxies[p].history.removeLast()
            }
        }
        proxies[p].history.append((now, includedText(p)))
    }

    /// The file written at time 0, before nginx started: part of generation 0.
    public func installInitial(proxy p: Int, path: String, text: String) {
        writeFile(proxy: p, path: path, text: text)
        loadGenerationZero(p)
    }

    /// Runs a reload command on the proxy's host. Returns its exit status (0, or 1 when the
    /// command tests the configuration first and it is invalid).
    public func reload(proxy p: Int, command: NginxReloadCommand) -> Int {
        let text = text(of: p)
        let config: NginxConfiguration
        do {
            config = try parse(text)
        } catch {
            proxies[p].failedReloads += 1
            model.log("nginx", "nginxReloadFailed", proxies[p].name,
                      "\(command == .hangUp ? "master keeps generation \(proxies[p].active)" : "nginx -s reload exits 1, no signal sent"): [emerg] \(error.message) in included file line \(error.line)")
            return command == .hangUp ? 0 : 1
        }
        let gen = proxies[p].generations.count
        proxies[p].generations.append(Generation(text: text, config: config, upstreams: resolve(config, proxy: p)))
        let arg = Self.proxyField.encode(p) | Self.epochField.encode(Int(proxies[p].epoch)) | Self.generationField.encode(gen)
        _ = model.sim.schedule(after: spec.workerStart, target: target, kind: 0, arg: arg)
        return 0
    }

    public func handle(_ event: Event, in sim: Simulation) {
        let p = Self.proxyField.decode(event.arg)
        guard Self.epochField.decode(event.arg) == Int(proxies[p].epoch) & Self.epochField.maxValue else { return }
        activate(p, generation: Self.generationField.decode(event.arg), restart: false)
    }

    func activate(_ p: Int, generation gen: Int, restart: Bool) {
        guard gen > proxies[p].active else { return }
        let old = proxies[p].generations[proxies[p].active]
        let new = proxies[p].generations[gen]
        if historyInstants != nil { letGo(p, before: gen) }
        proxies[p].active = gen
        proxies[p].reloads += restart ? 0 : 1
        let changes = Self.upstreamChanges(from: old.config, to: new.config)
        let detail = changes.map { "\($0.name) -\($0.removed.count) +\($0.added.count)" }.joined(separator: ", ")
        model.log("nginx", restart ? "nginxStarted" : "nginxReload", proxies[p].name,
                  "generation \(gen)" + (detail.isEmpty ? "" : ": " + detail))
        for c in changes {
            model.log("nginx", "nginxUpstreamChanged", proxies[p].name + "/" + c.name,
                      "generation \(gen): \(c.servers) servers" + c.removed.map { " -" + $0 }.joined() + c.added.map { " +" + $0 }.joined())
        }
        model.signals.publish(.proxyReloaded(proxy: p, generation: gen))
    }

    public func receive(_ signal: PlatformSignal) {
        switch signal {
        case .hostDown(let h, _):
            for p in proxies.indices where proxies[p].host == h { proxies[p].epoch &+= 1 }
        case .hostUp(let h):
            // nginx starts again from the files on disk; a configuration it cannot parse keeps it down
            for p in proxies.indices where proxies[p].host == h {
                let text = text(of: p)
                if let g = load(p, text: text), text != proxies[p].generations[proxies[p].active].text {
                    proxies[p].generations.append(g)
                    activate(p, generation: proxies[p].generations.count - 1, restart: true)
                }
            }
        default: break
        }
    }

    // MARK: helpers

    /// With `keepHistory`: generations before `gen` will never run again (the one running before a
    /// reload, and any skipped pending one): they keep only their locations, folded into runs of
    /// equal ones (requests in flight on old workers still read their routes), one array per run
    /// (`NginxGenerations.fold`).
    func letGo(_ p: Int, before gen: Int) {
        proxies[p].generations.fold(upTo: gen, newest: proxies[p].generations[gen].config.locations)
    }

    func text(of p: Int) -> String { configurationText(proxy: p, at: model.sim.now) }

    func includedText(_ p: Int) -> String { proxies[p].files.map(\.text).joined(separator: "\n") }

    /// A start (generation 0, or the host up again): a text nginx cannot parse is `nginxStartFailed`,
    /// not a reload (`nginx_reloads_failed` counts the reloads, its `nginxReloadFailed` rows).
    func load(_ p: Int, text: String) -> Generation? {
        do {
            let c = try parse(text)
            return Generation(text: text, config: c, upstreams: resolve(c, proxy: p))
        } catch {
            model.log("nginx", "nginxStartFailed", proxies[p].name, "cannot start: [emerg] \(error.message) in line \(error.line)")
            return nil
        }
    }

    /// The last text parsed and its configuration: the proxies render the same files, so the
    /// second proxy's reload reads what the first one's parsed (parsing is a function of the text).
    private var lastParse: (text: String, config: NginxConfiguration)?

    /// The directives of the last text, read again only where they changed (`NginxParseCache`).
    var parseCache = NginxParseCache()

    func parse(_ text: String) throws(NginxConfigError) -> NginxConfiguration {
        if let l = lastParse, l.text == text { return l.config }
        let c = try parseCache.parse(text)
        lastParse = (text, c)
        return c
    }

    /// `Host.index(ofAddress:)` of each address an upstream server named (-1: not a host's),
    /// read at every reload for every server: as many entries as addresses, not reloads.
    private var hostOfAddress: [String: Int] = [:]

    func hostIndex(ofAddress a: String) -> Int? {
        if let h = hostOfAddress[a] { return h < 0 ? nil : h }
        let h = Host.index(ofAddress: a)
        hostOfAddress[a] = h ?? -1
        return h
    }

    func resolve(_ c: NginxConfiguration, proxy p: Int) -> [ProxyUpstream] {
        let known = instanceDirectory?(p) ?? catalogInstances(proxy: p)
        return c.upstreams.map { u in
            ProxyUpstream(name: u.name, method: u.method, servers: u.servers.map { s in
                let i = hostIndex(ofAddress: s.address).flatMap { known[Self.instanceKey(host: $0, port: s.port)] }
                return UpstreamServer(address: s.address, port: s.port, instance: i,
                                      weight: s.weight, maxFails: s.maxFails, failTimeout: s.failTimeout, backup: s.backup, down: s.down)
            })
        }
    }

    /// Every instance the catalog answers to the proxy's host (nginx without consul-template).
    func catalogInstances(proxy p: Int) -> [Int: ServiceInstance] {
        var out: [Int: ServiceInstance] = [:]
        guard let c = catalog else { return out }
        for s in c.serviceNames.indices {
            for i in c.health(service: s, filter: .any, from: proxies[p].host) ?? [] { out[Self.instanceKey(host: i.host, port: i.port)] = i }
        }
        return out
    }

    struct UpstreamChange { var name: String; var servers: Int; var removed: [String]; var added: [String] }

    /// Per upstream (in the new configuration's order, then removed upstreams), the servers that
    /// left and came (addr:port).
    static func upstreamChanges(from a: NginxConfiguration, to b: NginxConfiguration) -> [UpstreamChange] {
        var out: [UpstreamChange] = []
        func keys(_ u: NginxUpstreamBlock?) -> [String] { u?.servers.map { "\($0.address):\($0.port)" } ?? [] }
        // the first block of each name (names are unique in a parsed configuration)
        var before: [String: Int] = [:], after: Set<String> = []
        for (i, u) in a.upstreams.enumerated() where before[u.name] == nil { before[u.name] = i }
        for u in b.upstreams {
            after.insert(u.name)
            let was = before[u.name].map { a.upstreams[$0] }
            // the same servers in the same order: nothing left or came (most blocks at a reload)
            if let w = was, w.servers.count == u.servers.count,
               zip(w.servers, u.servers).allSatisfy({ $0.port == $1.port && $0.address == $1.address }) { continue }
            let old = keys(was), new = keys(u)
            let removed = old.filter { !new.contains($0) }, added = new.filter { !old.contains($0) }
            if !removed.isEmpty || !added.isEmpty { out.append(UpstreamChange(name: u.name, servers: new.count, removed: removed, added: added)) }
        }
        for u in a.upstreams where !after.contains(u.name) {
            out.append(UpstreamChange(name: u.name, servers: 0, removed: keys(u), added: []))
        }
        return out
    }
}
