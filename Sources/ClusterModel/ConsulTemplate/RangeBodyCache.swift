// A cache of `range` bodies' output (issue 14): consul-template renders the whole file after every
// change of any service, so with N services one change costs N bodies. A body's text depends only
// on what it reads: its dot (the item), the iteration's variables, the outer variables it reads,
// the answers of the `service`/`services` calls it makes (each answer carries a version that
// changes with it: `TemplateData.answerVersion`) and pure functions. The cache keeps, per range
// body and item, the bytes the body emitted and those reads; an iteration whose reads are all
// unchanged appends the bytes and replays the dependencies the body registered, so the text is
// byte-identical to executing it and a render costs the bodies of the changed services.
//
// Only a range outside any recorded body is cached (a nested range is part of its parent's
// recording). A body that assigns to an outer variable (`{{$x = ...}}`), or reads an answer
// without a version, is never cached. Entries not used by a complete render are dropped, so the
// cache holds at most one render's items.

/// One template's cache of range bodies, kept between renders (one per consul-template runner
/// and template).
public final class RangeBodyCache {
    struct ItemKey: Hashable {
        var body: UInt
        var item: TemplateValue
        /// The iteration's index or map key when the range declares it (`range $i, $x := ...`), else nil.
        var key: TemplateValue?
    }

    struct Entry {
        var output: [UInt8]
        var outerReads: [(name: String, value: TemplateValue)]
        var dataReads: [(query: ServiceQuery?, version: Int)]
        var registered: [ServiceQuery]
        var usesServices: Bool
        /// `nodes`/`node`/`datacenters` answers read, with their versions (also replayed as dependencies).
        var nodeReads: [(dependency: NodeDependency, version: Int)]
        /// The KV store's version when the body read it (nil: it did not).
        var kvVersion: Int?
        var kvReads: [(path: String, prefix: Bool)]
        var line: Int
        var used: Int
        /// Whether the body ended at a `{{break}}` (or `{{continue}}`): replayed with the text.
        var flow: TemplateRenderer.Flow
    }

    var entries: [ItemKey: Entry] = [:]
    var renderSeq = 0
    /// Bodies appended from the cache and bodies executed (tests and the bench).
    public internal(set) var hits = 0
    public internal(set) var misses = 0

    public init() {}

    /// Drops what the render that just completed did not use.
    func sweep() {
        if entries.values.contains(where: { $0.used != renderSeq }) { entries = entries.filter { $0.value.used == renderSeq } }
    }
}

/// What one body execution read, while it runs (`TemplateRenderer.recording`).
struct BodyRecording {
    /// variables.count when the iteration started: reads below it are outer reads.
    var mark: Int
    var outerReads: [(name: String, value: TemplateValue)] = []
    var dataReads: [(query: ServiceQuery?, version: Int)] = []
    var registered: [ServiceQuery] = []
    var usesServices = false
    var nodeReads: [(dependency: NodeDependency, version: Int)] = []
    var kvVersion: Int?
    var kvReads: [(path: String, prefix: Bool)] = []
    /// Set when the body cannot be cached (it assigns an outer variable, or an answer has no version).
    var uncacheable = false
}

extension TemplateRenderer {
    /// The identity of a range body: its node array's storage, which the parsed template keeps
    /// for the whole run (nil for an empty body: nothing to cache).
    static func bodyIdentity(_ body: [TemplateNode]) -> UInt? {
        body.withUnsafeBufferPointer { b in b.baseAddress.map { UInt(bitPattern: $0) } }
    }

    /// Runs one iteration of a range body, from the cache when its reads are unchanged.
    func iterate(_ body: [TemplateNode], id: UInt?, cache: RangeBodyCache?, item x: TemplateValue, key i: TemplateValue, variables names: [String]) throws(TemplateError) -> Flow {
        let inner = variables.count
        guard let cache, let id, recording == nil else {
            pushIteration(names, item: x, key: i)
            let flow = try run(body, dot: x)
            variables.removeSubrange(inner...)
            return flow
        }
        let key = RangeBodyCache.ItemKey(body: id, item: x, key: names.count == 2 ? i : nil)
        if var e = cache.entries[key], valid(e) {
            cache.hits += 1
            e.used = cache.renderSeq
            output.append(contentsOf: e.output)
            if output.count > Self.maxOutputBytes { throw TemplateError(line: line, "rendered output larger than \(Self.maxOutputBytes) bytes") }
            for q in e.registered where !dependencies.contains(q) { dependencies.append(q) }
            if e.usesServices { usesServices = true }
            for r in e.nodeReads where !nodeDependencies.contains(r.dependency) { nodeDependencies.append(r.dependency) }
            kvReads += e.kvReads
            line = e.line
            cache.entries[key] = e
            return e.flow
        }
        cache.misses += 1
        recording = BodyRecording(mark: inner)
        let start = output.count
        pushIteration(names, item: x, key: i)
        let flow = try run(body, dot: x)
        variables.removeSubrange(inner...)
        let r = recording!
        recording = nil
        guard !r.uncacheable else { cache.entries[key] = nil; return flow }
        cache.entries[key] = RangeBodyCache.Entry(output: Array(output[start...]), outerReads: r.outerReads, dataReads: r.dataReads,
                                                  registered: r.registered, usesServices: r.usesServices, nodeReads: r.nodeReads, kvVersion: r.kvVersion, kvReads: r.kvReads,
                                                  line: line, used: cache.renderSeq, flow: flow)
        return flow
    }

    func pushIteration(_ names: [String], item x: TemplateValue, key i: TemplateValue) {
        if names.count == 1 { variables.append((names[0], x)) }
        if names.count == 2 { variables.append((names[0], i)); variables.append((names[1], x)) }
    }

    /// Whether every read of the entry gives the same value now (checked before the iteration's
    /// variables are pushed, so a name resolves as it did below the body's mark).
    func valid(_ e: RangeBodyCache.Entry) -> Bool {
        for r in e.outerReads {
            guard let v = variableIndex(r.name), variables[v].1 == r.value else { return false }
        }
        for r in e.dataReads where data.answerVersion(r.query) != r.version { return false }
        for r in e.nodeReads where data.nodeAnswerVersion(r.dependency) != r.version { return false }
        return e.kvVersion.map { $0 == inputs.version } ?? true
    }

    /// A variable read at `index` of `variables`.
    func noteVariableRead(_ index: Int) {
        guard recording != nil, index < recording!.mark else { return }
        recording!.outerReads.append((variables[index].0, variables[index].1))
    }

    func noteVariableWrite(_ index: Int) {
        guard recording != nil, index < recording!.mark else { return }
        recording!.uncacheable = true
    }

    /// A read of something that is not a pure function of the body's reads (`timestamp`, the
    /// render's `scratch`): the body is executed at every render.
    func noteImpureRead() {
        if recording != nil { recording!.uncacheable = true }
    }

    /// A read of the KV store (`key` ... `tree`): the body's text holds while the store is unchanged.
    func noteKVRead(_ path: String, prefix: Bool) {
        kvReads.append((path, prefix))
        guard recording != nil else { return }
        recording!.kvVersion = inputs.version
        recording!.kvReads.append((path, prefix))
    }

    /// A `service` (query) or `services` (nil) call.
    func noteDataRead(_ query: ServiceQuery?) {
        guard recording != nil else { return }
        guard let v = data.answerVersion(query) else { recording!.uncacheable = true; return }
        recording!.dataReads.append((query, v))
        if let q = query { if !recording!.registered.contains(q) { recording!.registered.append(q) } } else { recording!.usesServices = true }
    }
}

extension TemplateRenderer {
    /// A `nodes`, `node` or `datacenters` call: a dependency of the template, and a read the body's
    /// cached text depends on (its answer's version).
    func noteNodeRead(_ d: NodeDependency) {
        if !nodeDependencies.contains(d) { nodeDependencies.append(d) }
        guard recording != nil else { return }
        guard let v = data.nodeAnswerVersion(d) else { recording!.uncacheable = true; return }
        if !recording!.nodeReads.contains(where: { $0.dependency == d }) { recording!.nodeReads.append((d, v)) }
    }
}
