import SimKernel

// The hierarchical DRF allocator (src/master/allocator/mesos/hierarchical.cpp), as the leading
// master runs it. Cost rule: a cycle visits only `candidates` (active agents whose free resources
// may be offerable to someone); an agent leaves the list when it is offered or filtered for every
// active framework, and comes back when its resources grow, a filter on it expires, or a
// framework registers or revives.

extension MesosCluster {
    // MARK: bookkeeping

    func charge(_ t: MesosTask) {
        guard !t.charged else { return }
        t.charged = true
        let a = agents[t.agent], f = frameworks[t.framework]
        touch(a)
        add(&a.allocated, t.resources)
        add(&f.allocated, t.resources)
        if a.active { add(&allocatedActive, t.resources) }
        for r in t.resources.ports.ranges { for p in r { a.freePorts.remove(p) } }
        if f.liveTasks.count >= 0 && t.frameworkSlot < 0 && !t.reported.isTerminal {
            t.frameworkSlot = f.liveTasks.count; f.liveTasks.append(t.id)
        }
        refreshOfferable(a)
    }

    func uncharge(_ t: MesosTask) {
        guard t.charged else { return }
        t.charged = false
        let a = agents[t.agent], f = frameworks[t.framework]
        touch(a)
        sub(&a.allocated, t.resources)
        sub(&f.allocated, t.resources)
        if a.active { sub(&allocatedActive, t.resources) }
        for r in t.resources.ports.ranges { a.freePorts.insert(r) }
        if a.active { markCandidate(a) }
        refreshOfferable(a)
    }

    func add(_ x: inout Resources, _ y: Resources) { x.cpus += y.cpus; x.memMB += y.memMB; x.diskMB += y.diskMB }
    func sub(_ x: inout Resources, _ y: Resources) { x.cpus -= y.cpus; x.memMB -= y.memMB; x.diskMB -= y.diskMB }

    func activate(_ a: MesosAgent) {
        guard !a.active else { return }
        touch(a)
        a.active = true
        add(&totalActive, a.total)
        add(&allocatedActive, a.allocated)
        add(&allocatedActive, a.offered)
        markCandidate(a)
        refreshOfferable(a)
    }

    /// No more offers of the agent; its outstanding offers are rescinded. `keepingTasks`: a
    /// disconnected agent (master.cpp `deactivate`: allocator `deactivateSlave`) keeps its tasks'
    /// resources allocated; an unreachable or replaced one gives them up.
    func deactivate(_ a: MesosAgent, keepingTasks: Bool = false) {
        guard a.active else { return }
        for o in a.offers { rescind(o.id, notify: true, returnResources: true) }
        touch(a)
        a.active = false
        sub(&totalActive, a.total)
        sub(&allocatedActive, a.allocated)
        sub(&allocatedActive, a.offered)
        unmarkCandidate(a)
        if !keepingTasks { for id in a.tasks { if let t = tasks[id] { uncharge(t) } } }
        refreshOfferable(a)
    }

    /// Leader lost: the allocator's state (offers, filters, agents) goes with it.
    func resetAllocator() {
        offerLayer = nil; layerStamp = 0
        offerableValid = false
        offerableList = []
        for a in agents {
            a.offerable = false
            a.offerableSlot = -1
            a.active = false
            for id in a.tasks { if let t = tasks[id] { uncharge(t) } }
            a.offered = .empty
            a.offers = []
            a.freePorts = a.total.ports
            a.candidateSlot = -1
        }
        candidates = []
        offersOutstanding = 0
        totalActive = .empty
        allocatedActive = .empty
        for f in frameworks { f.filters.removeAll(); f.allocated = .empty; f.offerCount = 0 }
        filtersActive = 0
    }

    func markCandidate(_ a: MesosAgent) {
        touch(a)
        markCandidateExplicit(a)
    }

    /// `markCandidate` of an agent not described by the offer layer.
    func markCandidateExplicit(_ a: MesosAgent) {
        guard a.active, a.candidateSlot < 0 else { return }
        a.candidateSlot = candidates.count
        candidates.append(a.index)
    }

    func unmarkCandidate(_ a: MesosAgent) {
        touch(a)
        guard a.candidateSlot >= 0 else { return }
        let last = candidates.removeLast()
        if last != a.index { candidates[a.candidateSlot] = last; agents[last].candidateSlot = a.candidateSlot }
        a.candidateSlot = -1
    }

    /// Every active agent becomes a candidate again (framework registered, revived, unsuppressed).
    func refillCandidates() {
        dissolveLayer()
        allocatorWork.refillVisits += agents.count
        for a in agents where a.active { markCandidate(a) }
    }

    /// `--min_allocatable_resources`: the free resources contain at least one alternative.
    /// Checked for every agent of every pass (after a revive, every agent): the scalars first, the
    /// free ports counted only when an alternative asks for ports, and then once.
    func allocatable(_ r: Resources) -> Bool {
        let mins = flags.minAllocatableResources
        if mins.isEmpty { return r.cpus > .zero || r.memMB > .zero || r.diskMB > .zero || !r.ports.isEmpty }
        var freePorts = -1
        for k in mins.indices where mins[k].cpus <= r.cpus && mins[k].memMB <= r.memMB && mins[k].diskMB <= r.diskMB {
            if mins[k].ports.isEmpty { return true }
            if freePorts < 0 { freePorts = r.ports.count }
            if mins[k].ports.count <= freePorts { return true }
        }
        return false
    }

    func filtered(_ f: FrameworkState, _ a: MesosAgent, _ free: Resources) -> Bool {
        touch(a)
        // A data center's framework (one Marathon per data center) is never offered another's agents.
        if let dc = f.datacenter, dc != a.host.datacenter { return true }
        guard f.filters.isSet(a.index), let flt = f.filters[a.index] else { return false }
        if flt.expires <= now { f.filters[a.index] = nil; filtersActive -= 1; return false }
        guard free.cpus <= flt.refused.cpus, free.memMB <= flt.refused.memMB, free.diskMB <= flt.refused.diskMB else { return false }
        for r in free.ports.ranges { for p in [r.lowerBound, r.upperBound] where !flt.refused.ports.contains(p) { return false } }
        return true
    }

    /// Dominant share of an allocation against the active cluster's total.
    func dominantShare(_ r: Resources) -> Double {
        var s = 0.0
        if totalActive.cpus > .zero { s = max(s, r.cpus.value / totalActive.cpus.value) }
        if totalActive.memMB > .zero { s = max(s, r.memMB.value / totalActive.memMB.value) }
        if totalActive.diskMB > .zero { s = max(s, r.diskMB.value / totalActive.diskMB.value) }
        return s
    }

    func roleWeight(_ role: String) -> Double { flags.weights.first { $0.role == role }?.weight ?? 1 }

    /// Active frameworks in allocation order: roles by weighted dominant share, then frameworks of
    /// a role by dominant share (ties: role name, registration order). `random` sorters shuffle.
    func frameworkOrder() -> [FrameworkState] {
        frameworkOrder(frameworks.filter { $0.registered && !$0.suppressed }) { $0.allocated }
    }

    /// `active` (in registration order) in allocation order, `allocation(f)` being what DRF counts for
    /// `f` (its tasks and outstanding offers; a fast pass adds the offers it stands for).
    func frameworkOrder(_ active: [FrameworkState], _ allocation: (FrameworkState) -> Resources) -> [FrameworkState] {
        if active.count <= 1 { return active }
        let drf = flags.roleSorter != "random" && flags.frameworkSorter != "random"
        if drf && active.allSatisfy({ $0.role == active[0].role }) {
            // One role: the role step orders nothing (and draws nothing); the frameworks by dominant
            // share, then registration order, as below without the per-role bookkeeping.
            return active.map { ($0, dominantShare(allocation($0))) }
                .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0.index < $1.0.index }.map { $0.0 }
        }
        var roleAlloc: [(String, Resources)] = []
        for f in active {
            if let i = roleAlloc.firstIndex(where: { $0.0 == f.role }) { add(&roleAlloc[i].1, allocation(f)) }
            else { roleAlloc.append((f.role, allocation(f))) }
        }
        var roleKey: [(String, Double)] = roleAlloc.map { ($0.0, dominantShare($0.1) / roleWeight($0.0)) }
        if flags.roleSorter == "random" {
            for i in stride(from: roleKey.count - 1, to: 0, by: -1) { roleKey.swapAt(i, allocatorStream.int(below: i + 1)) }
        } else {
            roleKey.sort { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
        }
        var out: [FrameworkState] = []
        for (role, _) in roleKey {
            var fs = active.filter { $0.role == role }.map { ($0, dominantShare(allocation($0))) }
            if flags.frameworkSorter == "random" {
                for i in stride(from: fs.count - 1, to: 0, by: -1) { fs.swapAt(i, allocatorStream.int(below: i + 1)) }
            } else {
                fs.sort { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0.index < $1.0.index }
            }
            out.append(contentsOf: fs.map { $0.0 })
        }
        return out
    }

    // MARK: allocation

    /// One allocation pass over `agentList` (shuffled), offering each agent's whole free resources
    /// to the first framework in DRF order that does not filter them.
    /// `withLayer`: the pass is over the candidates (`candidates` and those of the offer layer).
    func allocate(_ agentList: [Int], withLayer: Bool = false) {
        guard leaderReady else { return }
        guard !agentList.isEmpty || (withLayer && layerCandidates > 0) else { return }
        guard frameworks.contains(where: { $0.registered && !$0.suppressed }) else { return }
        allocatorWork.passes += 1
        if model.spec.fidelity.offers == .fast {
            if let f = soleFramework { allocateFast(agentList, to: f, withLayer: withLayer); return }
            if flags.roleSorter != "random" && flags.frameworkSorter != "random" {
                if withLayer && offerLayer != nil { dissolveLayer(); allocateFastShared(candidates); return }
                allocateFastShared(agentList)
                return
            }
        }
        if withLayer && offerLayer != nil { dissolveLayer(); allocateExact(candidates); return }
        allocateExact(agentList)
    }

    /// The exact pass: every agent of the shuffled list offered to the first framework in DRF order
    /// that does not filter it; the offers go out together.
    func allocateExact(_ agentList: [Int]) {
        var list = agentList
        for i in stride(from: list.count - 1, to: 0, by: -1) { list.swapAt(i, allocatorStream.int(below: i + 1)) }
        var made: [[Offer]] = Array(repeating: [], count: frameworks.count)
        // With one active framework the DRF order is trivially that framework: skip the sort
        // (hierarchical.cpp sorts per agent; the result only matters with several).
        let active = frameworks.filter { $0.registered && !$0.suppressed }
        // The DRF order is a function of the frameworks' allocations (and the active total, fixed
        // during a pass): with the drf sorters it is recomputed only after an offer changed a share
        // (hierarchical.cpp sorts per agent, with the same result). The random sorters draw per
        // agent, so they still sort per agent.
        let sortsPerAgent = flags.roleSorter == "random" || flags.frameworkSorter == "random"
        var order: [FrameworkState] = []
        var orderStale = true
        for ai in list {
            let a = agents[ai]
            allocatorWork.draws += 1
            guard a.active else { continue }
            let free = a.free
            guard allocatable(free) else { unmarkCandidate(a); continue }
            var offeredTo: FrameworkState? = nil
            if active.count == 1 {
                if !filtered(active[0], a, free) { offeredTo = active[0] }
            } else {
                if orderStale || sortsPerAgent { order = frameworkOrder(); orderStale = false }
                for f in order where !filtered(f, a, free) { offeredTo = f; break }
            }
            unmarkCandidate(a)
            guard let f = offeredTo else { continue }   // parked until a filter expires or resources change
            made[f.index].append(makeOffer(f, a, free))
            orderStale = true
        }
        for (i, o) in made.enumerated() where !o.isEmpty { enqueue(frameworks[i], .offers(o)) }
    }

    /// The one registered framework when it is the only one and not suppressed (fidelity.offers
    /// `fast` needs no DRF order then); nil otherwise.
    var soleFramework: FrameworkState? {
        var found: FrameworkState? = nil
        for f in frameworks where f.registered {
            if found != nil { return nil }
            found = f
        }
        return found.flatMap { $0.suppressed ? nil : $0 }
    }

    /// fidelity.offers `fast` with one framework (docs/mesos.md "Fidelity"). The exact pass offers
    /// every candidate agent in a uniform shuffle and the framework launches on the first ones that
    /// fit, declining the rest. Here the shuffle is drawn lazily, one agent at a time; the framework
    /// is asked first (`offerOutlook`): an agent it would decline gets the decline filter at once,
    /// without an offer (counted as offered and declined), an agent it wants gets a real offer,
    /// delivered before the next agent is drawn (so a launch is seen by the next answer), and once
    /// it would decline anything the rest of the pass is declined in list order with no more draws.
    /// The launches land on the same agents in distribution: the first agent of a uniform order
    /// that fits is a uniform draw among those that fit.
    ///
    /// With the offer layer (`withLayer`), the candidates are `agentList` plus the offerable agents of
    /// the layer: each draw picks among all those not drawn yet, a layer agent by rejection from
    /// `offerableList` (it then joins `fastPass`), so the order is still a uniform shuffle of the
    /// agents that matter (a layer agent that is not offerable would be skipped: it is left out).
    /// When the framework declines everything, the layer's agents are declined as one record.
    func allocateFast(_ agentList: [Int], to f: FrameworkState, withLayer: Bool) {
        let outer = (fastPass, inFastPass)
        defer { (fastPass, inFastPass) = outer }
        fastPass = agentList
        inFastPass = withLayer
        var batch: [Offer] = []   // `.wantedInBatch`: delivered together after the pass
        defer { if !batch.isEmpty { enqueue(f, .offers(batch)) } }
        var delivered = false
        var k = 0
        while true {
            if withLayer, let L = offerLayer, !L.declined, L.offerable > 0, L.offerable * 4 < offerableList.count {
                dissolveLayer()   // most offerable agents are explicit already: draw them from the list
            }
            let fromList = fastPass.count - k
            let fromLayer = withLayer ? layerCandidates : 0
            if fromList + fromLayer == 0 { return }
            let u = allocatorStream.int(below: fromList + fromLayer)
            if u < fromList {
                if u != 0 { fastPass.swapAt(k, k + u) }
            } else {
                drawLayerAgent()
                fastPass.swapAt(k, fastPass.count - 1)
            }
            let a = agents[fastPass[k]]
            k += 1
            allocatorWork.draws += 1
            guard a.active else { continue }
            let free = a.free
            guard allocatable(free) else { unmarkCandidate(a); continue }
            let isFiltered = filtered(f, a, free)
            unmarkCandidate(a)
            if isFiltered { continue }
            switch f.framework.offerOutlook(host: a.hostIndex, resources: free) {
            case .matchEveryOffer:
                dissolveLayer()
                allocateExact(Array(fastPass[(k - 1)...]))
                return
            case .wanted:
                deliverAtOnce(f, makeOffer(f, a, free), first: &delivered)
            case .wantedInBatch:
                batch.append(makeOffer(f, a, free))
            case .declined(let r):
                offersMade += 1; offersDeclined += 1
                addFilter(f, a, refused: free, refuseSeconds: r)
            case .allDeclined(let r):
                offersMade += 1; offersDeclined += 1
                addFilter(f, a, refused: free, refuseSeconds: r)
                if withLayer && layerCandidates > 0 && filterDuration(r) == nil { dissolveLayer() }
                declineRest(fastPass[k...], f, refuseSeconds: r)
                if withLayer { declineLayer(f, refuseSeconds: r) }
                return
            }
        }
    }

    /// fidelity.offers `fast` with several frameworks (drf sorters; docs/mesos.md "Several frameworks").
    /// The exact pass offers each agent of a uniform shuffle to the first framework in DRF order that
    /// does not filter it; every offer counts in that framework's share until the pass ends, and the
    /// frameworks answer after the pass. Here the shuffle is drawn lazily and the chosen framework is
    /// asked first (`offerOutlook`): an agent it would decline gets its filter at once, without an offer
    /// record (counted as offered and declined), and becomes a candidate again, as the decline would
    /// make it, so the next pass offers it to the next framework; an agent it wants gets a real offer,
    /// delivered at once (`.wanted`: its launch is seen by the next answer) or with the pass's other
    /// offers to it (`.wantedInBatch`). The DRF order is that of the exact pass: the shares count the
    /// allocations at the start of the pass plus every offer the pass made or stands for (whatever the
    /// framework did with a delivered one since), and it is sorted again only after such an offer.
    ///
    /// With one framework active (the others suppressed: Marathon 1.7+ while it has nothing to launch)
    /// the exact pass is the one-framework pass, so the pass is `allocateFast`'s: an idle Chronos'
    /// decline of every agent is one draw and a filter per agent in list order (`declineRest`), not
    /// a draw, a DRF order and a visit per agent plus one more visit at the next pass.
    func allocateFastShared(_ agentList: [Int]) {
        let active = frameworks.filter { $0.registered && !$0.suppressed }
        if active.count == 1 { allocateFast(agentList, to: active[0], withLayer: false); return }
        var passAlloc = frameworks.map(\.allocated)
        var order: [FrameworkState] = []
        var orderStale = true
        // Two frameworks of one role (Marathon and Chronos): `frameworkOrder` sorts them by dominant
        // share, ties in registration order (`active` is in it); the same order without its arrays.
        let pair = active.count == 2 && active[0].role == active[1].role
        if pair { order = active }
        var batches: [[Offer]] = Array(repeating: [], count: frameworks.count)
        defer { for (i, o) in batches.enumerated() where !o.isEmpty { enqueue(frameworks[i], .offers(o)) } }
        var delivered = Array(repeating: false, count: frameworks.count)
        // A framework that answered `.allDeclined(r)` declines the rest of the pass with `r`: its answer
        // changes only with what is delivered to it, and nothing is delivered to it any more. It is not
        // asked again (the exact pass hands it all of the pass's offers in one message, declined alike).
        var declinesAll: [Double?] = Array(repeating: nil, count: frameworks.count)
        var list = agentList
        var k = 0
        while k < list.count {
            let u = allocatorStream.int(below: list.count - k)
            if u != 0 { list.swapAt(k, k + u) }
            // unowned(unsafe): `agents` holds every agent for the whole run (as in `declineRest`).
            unowned(unsafe) let a = agents[list[k]]
            k += 1
            allocatorWork.draws += 1
            guard a.active else { continue }
            let free = a.free
            guard allocatable(free) else { unmarkCandidate(a); continue }
            if orderStale {
                if pair {
                    let later = dominantShare(passAlloc[active[1].index]) < dominantShare(passAlloc[active[0].index])
                    if (order[0] === active[1]) != later { order.swapAt(0, 1) }
                } else {
                    order = frameworkOrder(active) { passAlloc[$0.index] }
                }
                orderStale = false
            }
            var chosen: FrameworkState? = nil
            for f in order where !filtered(f, a, free) { chosen = f; break }
            unmarkCandidate(a)
            guard let f = chosen else { continue }   // parked until a filter expires or resources change
            let outlook = declinesAll[f.index].map { OfferOutlook.allDeclined(refuseSeconds: $0) }
                ?? f.framework.offerOutlook(host: a.host.index, resources: free)
            switch outlook {
            case .matchEveryOffer:
                // The rest of the pass is exact, with the shares as this pass left them.
                var held: [Resources] = []
                for g in frameworks {
                    var d = passAlloc[g.index]
                    sub(&d, g.allocated)
                    add(&g.allocated, d)
                    held.append(d)
                }
                allocateExact(Array(list[(k - 1)...]))
                for g in frameworks { sub(&g.allocated, held[g.index]) }
                return
            case .wanted:
                deliverAtOnce(f, makeOffer(f, a, free), first: &delivered[f.index])
            case .wantedInBatch:
                batches[f.index].append(makeOffer(f, a, free))
            case .declined(let r), .allDeclined(let r):
                if case .allDeclined = outlook { declinesAll[f.index] = r }
                offersMade += 1; offersDeclined += 1
                addFilter(f, a, refused: free, refuseSeconds: r)
                // The decline makes the agent a candidate again, for the next pass to offer it to the next
                // framework; when every active one filters it (Chronos' 5 s filter and Marathon's) that
                // visit would only drop it: it stays out until a filter expires or its resources change,
                // which make it a candidate then. (Those before `f` in the order filter it: `f` was chosen.)
                var takenLater = filterDuration(r) == nil
                if !takenLater, var i = order.firstIndex(where: { $0 === f }) {
                    i += 1
                    while i < order.count && !takenLater { takenLater = !filtered(order[i], a, free); i += 1 }
                }
                if takenLater { markCandidate(a) }
            }
            add(&passAlloc[f.index], free)
            orderStale = true
        }
    }

    /// A fast pass's offer, delivered at once (`.wanted`) where the exact pass's message would reach
    /// `f` after the pass: behind what was queued for `f` before the pass (flushed at the pass's first
    /// such delivery, `first`) and ahead of what the pass's own launches queued since. The status
    /// updates of those launches (TASK_STAGING) wait for the flush event, as they would wait behind the
    /// exact pass's offers: Marathon matches every offer of a pass before it sees a launch's STAGING,
    /// which advances its launch delay (1.4.8+ `advanceDelay`) and would hold the app's other queued
    /// instances for one more delay (docs/mesos.md "Fidelity").
    func deliverAtOnce(_ f: FrameworkState, _ offer: Offer, first: inout Bool) {
        if !first {
            first = true
            flush(f)
        }
        if offerRecord(offer.id) != nil { f.framework.resourceOffers([offer]) }
    }

    // MARK: the offer layer (fidelity.offers fast, one framework)

    // A revive makes every active agent a candidate and drops the framework's filters; the decline
    // of every agent that follows gives each a filter refusing its free resources. Per agent, that
    // is O(agents) per revive, and revives grow with the agents (a series per relaunch). The layer
    // keeps both as one record: an agent the allocator has not changed since the revive (`touch`
    // below the layer's stamp) is, before the decline, a candidate without a filter and, after it,
    // filtered with its free resources (unchanged since) refused until the layer's expiry. Before
    // anything changes such an agent (its resources, offers, activity, candidacy or filters),
    // `touch` writes that state into its own fields (`materialize`). Equal in distribution to the
    // per-agent path (fidelity.offers `fast`): the pass draws each candidate with the same chance;
    // only the order of the draws differs.

    /// Whether a revive makes a layer: fidelity.offers `fast` with one framework.
    var layersOn: Bool { offerLayers && model.spec.fidelity.offers == .fast && frameworks.count == 1 }

    /// Offerable agents of the layer that are candidates (none once declined).
    var layerCandidates: Int {
        guard let L = offerLayer, !L.declined else { return 0 }
        return L.offerable
    }

    /// Before the allocator changes `a`: if the layer describes it, its state becomes its own.
    @inline(__always) func touch(_ a: MesosAgent) {
        if a.touch < layerStamp { materialize(a) }
    }

    func materialize(_ a: MesosAgent) {
        a.touch = layerClock
        touchStamps[a.index] = layerClock
        guard let L = offerLayer else { return }
        if a.offerable { offerLayer!.offerable -= 1 }
        if !L.declined {
            if a.active {
                markCandidateExplicit(a)
                if inFastPass { fastPass.append(a.index) }
            }
        } else if a.offerable {
            // the blanket filter becomes this agent's own (filtersActive counted it already)
            let f = frameworks[0]
            filterGen &+= 1
            f.filters[a.index] = OfferFilter(refused: a.free, expires: L.expires, gen: filterGen)
            filterBatches[IndexGeneration.unpack(L.batch).0].filters.append((a.index, filterGen))
        }
    }

    /// Every agent of the layer made explicit (the offerable ones; the others have no filter and
    /// would be skipped by a pass), and no layer.
    func dissolveLayer() {
        guard let L = offerLayer else { return }
        allocatorWork.dissolveVisits += offerableList.count
        for ai in offerableList where touchStamps[ai] < L.stamp { materialize(agents[ai]) }
        offerLayer = nil
        layerStamp = 0
    }

    func offerableNow(_ a: MesosAgent) -> Bool {
        guard a.active, allocatable(a.free) else { return false }
        if let dc = frameworks.first?.datacenter, dc != a.host.datacenter { return false }
        return true
    }

    /// After the allocator changed `a` (touched before): its place in `offerableList`.
    func refreshOfferable(_ a: MesosAgent) {
        guard offerableValid else { return }
        let o = offerableNow(a)
        guard o != a.offerable else { return }
        a.offerable = o
        if o {
            a.offerableSlot = offerableList.count
            offerableList.append(a.index)
        } else {
            let last = offerableList.removeLast()
            if last != a.index { offerableList[a.offerableSlot] = last; agents[last].offerableSlot = a.offerableSlot }
            a.offerableSlot = -1
        }
    }

    /// A revive with the layer: every agent is a candidate without a filter, in O(explicit candidates).
    func reviveLayer() {
        if !offerableValid {
            offerableValid = true
            offerableList = []
            allocatorWork.refillVisits += agents.count
            for a in agents { a.offerable = false; a.offerableSlot = -1; refreshOfferable(a) }
        }
        for ai in candidates { agents[ai].candidateSlot = -1 }
        candidates.removeAll(keepingCapacity: true)
        layerClock += 1
        layerRevives += 1
        offerLayer = OfferLayer(stamp: layerClock, offerable: offerableList.count)
        layerStamp = layerClock
    }

    /// A uniform draw among the layer's offerable agents (by rejection from `offerableList`, at least a
    /// quarter of which are in the layer); it becomes explicit and joins `fastPass`.
    func drawLayerAgent() {
        while true {
            let ai = offerableList[allocatorStream.int(below: offerableList.count)]
            if touchStamps[ai] < layerStamp { materialize(agents[ai]); return }
        }
    }

    /// The framework declined every offerable agent of the layer (as `declineRest` would, one by one).
    func declineLayer(_ f: FrameworkState, refuseSeconds: Double) {
        guard var L = offerLayer, !L.declined else { return }
        guard let d = filterDuration(refuseSeconds) else { return }   // dissolved before: never here
        L.declined = true
        L.expires = now + d
        let slot = filterBatch(f, expires: L.expires)
        L.batch = IndexGeneration.pack(slot, filterBatches[slot].gen)
        offersMade += L.offerable; offersDeclined += L.offerable
        filtersActive += L.offerable
        offerLayer = L
    }

    /// The rest of a fast pass once the framework declines everything: each agent as the pass
    /// would treat it (skipped when inactive, unmarked when not allocatable or filtered, else
    /// counted as offered and declined and filtered), in list order, the filters in one batch
    /// (`addFilter` would find the same open batch for each: nothing is scheduled in between).
    /// After a revive this is every agent, so it is kept to reads of the agent and one filter write.
    func declineRest(_ rest: ArraySlice<Int>, _ f: FrameworkState, refuseSeconds: Double) {
        let d = filterDuration(refuseSeconds)
        let expires = now + (d ?? .zero)
        var batch = -1
        allocatorWork.declineRestVisits += rest.count
        for ai in rest {
            // unowned(unsafe): `agents` holds every agent for the whole run and nothing here
            // removes one; a counted reference is an atomic write to a line of each agent that
            // the pass does not otherwise read (after a revive, every agent of the cluster).
            unowned(unsafe) let a = agents[ai]
            guard a.active else { continue }
            let free = a.free
            guard allocatable(free), !filtered(f, a, free) else { unmarkCandidate(a); continue }
            unmarkCandidate(a)
            offersMade += 1; offersDeclined += 1
            if d == nil { continue }
            if !f.filters.isSet(ai) { filtersActive += 1 }
            filterGen &+= 1
            f.filters[ai] = OfferFilter(refused: free, expires: expires, gen: filterGen)
            if batch < 0 { batch = filterBatch(f, expires: expires) }
            filterBatches[batch].filters.append((ai, filterGen))
        }
    }

    /// Records an offer of the agent's free resources to `f` (its timeout too).
    func makeOffer(_ f: FrameworkState, _ a: MesosAgent, _ free: Resources) -> Offer {
        touch(a)
        let id = Self.offerID(sequence: nextOfferID, agent: a.index)
        nextOfferID += 1
        a.offers.append(OfferRecord(id: id, framework: f.index, agent: a.index, resources: free))
        offersOutstanding += 1
        add(&a.offered, free)
        a.freePorts = PortSet()
        add(&f.allocated, free)
        add(&allocatedActive, free)
        f.offerCount += 1
        offersMade += 1
        if let t = flags.offerTimeout { schedule(.offerTimeout, after: t, id) }
        refreshOfferable(a)
        return Offer(id: id, agent: a.host.index, resources: free)
    }

    /// An offer id: the allocation's sequence number above the agent's index, so the record is
    /// found on its agent (no table of every outstanding offer). Only its identity matters.
    static func offerID(sequence: Int64, agent: Int) -> Int64 { sequence << offerAgentBits | Int64(agent) }
    static let offerAgentBits: Int64 = 22

    /// The outstanding offer `id`, if it still is; `slot` is its place in its agent's list.
    func offerRecord(_ id: Int64) -> (record: OfferRecord, slot: Int)? {
        let ai = Int(id & ((1 << Self.offerAgentBits) - 1))
        guard id > 0, ai < agents.count else { return nil }
        let list = agents[ai].offers
        for k in list.indices where list[k].id == id { return (list[k], k) }
        return nil
    }

    /// Removes an outstanding offer; returns its record.
    @discardableResult
    func takeOffer(_ id: Int64) -> OfferRecord? {
        guard let (o, slot) = offerRecord(id) else { return nil }
        let a = agents[o.agent], f = frameworks[o.framework]
        touch(a)
        a.offers.remove(at: slot)
        offersOutstanding -= 1
        sub(&a.offered, o.resources)
        sub(&f.allocated, o.resources)
        if a.active { sub(&allocatedActive, o.resources) }
        f.offerCount -= 1
        refreshOfferable(a)
        return o
    }

    func returnToAgent(_ a: MesosAgent, ports: PortSet) {
        touch(a)
        // An agent whose ports all went into the offer gets the set back as it was (already sorted
        // and merged: what inserting its ranges one by one into an empty set gives).
        if a.freePorts.isEmpty { a.freePorts = ports } else { for r in ports.ranges { a.freePorts.insert(r) } }
        markCandidate(a)
        refreshOfferable(a)
    }

    func rescind(_ id: Int64, notify: Bool, returnResources: Bool) {
        guard let o = takeOffer(id) else { return }
        offersRescinded += 1
        if returnResources { returnToAgent(agents[o.agent], ports: o.resources.ports) }
        if notify { enqueue(frameworks[o.framework], .rescind(id)) }
    }

    /// Filters.refuse_seconds: negative means the default 5 s, capped at 365 days; 0 installs no
    /// filter at all (`if (timeout.get() != Duration::zero())`); a filter lasts at least one
    /// allocation interval (MESOS-4302). apache/mesos:src/master/allocator/mesos/hierarchical.cpp
    /// `recoverResources`@1.4.0. The filter's timer is its batch's (`FilterBatch`): filters a
    /// framework installs one after the other with one duration (a decline storm) share one timer.
    func addFilter(_ f: FrameworkState, _ a: MesosAgent, refused: Resources, refuseSeconds: Double) {
        guard let d = filterDuration(refuseSeconds) else { return }
        touch(a)
        if !f.filters.isSet(a.index) { filtersActive += 1 }
        filterGen &+= 1
        f.filters[a.index] = OfferFilter(refused: refused, expires: now + d, gen: filterGen)
        filterBatches[filterBatch(f, expires: now + d)].filters.append((a.index, filterGen))
    }

    /// How long a decline filter with this refuse_seconds lasts (nil: none is installed).
    func filterDuration(_ refuseSeconds: Double) -> SimDuration? {
        var secs = refuseSeconds < 0 ? 5 : min(refuseSeconds, 365 * 86400)
        if secs.isNaN { secs = 5 }
        if secs == 0 { return nil }
        return max(SimDuration.fromSeconds(secs), flags.allocationInterval)
    }

    /// The slot of the batch taking filters of `f` expiring at `expires` (a new one, with its timer, if the
    /// open one was made earlier or is for another framework or expiry).
    func filterBatch(_ f: FrameworkState, expires: SimTime) -> Int {
        let sim = model.sim
        if openFilterBatch < 0 || filterBatches[openFilterBatch].nextSequence != sim.scheduledCount
            || filterBatches[openFilterBatch].created != now
            || filterBatches[openFilterBatch].framework != f.index || filterBatches[openFilterBatch].expires != expires {
            let b = FilterBatch(framework: f.index, created: now, expires: expires)
            if let slot = freeFilterBatches.popLast() {
                let g = filterBatches[slot].gen &+ 1
                filterBatches[slot] = b
                filterBatches[slot].gen = g
                openFilterBatch = slot
            } else {
                openFilterBatch = filterBatches.count
                filterBatches.append(b)
            }
            sim.schedule(at: expires, target: target, kind: Kind.filterExpire.rawValue,
                         arg: IndexGeneration.pack(openFilterBatch, filterBatches[openFilterBatch].gen))
            filterBatches[openFilterBatch].nextSequence = sim.scheduledCount
        }
        return openFilterBatch
    }

    func filterExpired(_ arg: Int64) {
        let (slot, g) = IndexGeneration.unpack(arg)
        guard slot < filterBatches.count, filterBatches[slot].gen == g else { return }
        let f = frameworks[filterBatches[slot].framework]
        for (ai, gen) in filterBatches[slot].filters {
            guard let flt = f.filters[ai], flt.gen == gen else { continue }
            f.filters[ai] = nil
            filtersActive -= 1
            markCandidate(agents[ai])
        }
        filterBatches[slot].filters = []
        if var L = offerLayer, L.declined, L.batch == arg {
            // the blanket filter expires: the layer's agents are candidates again
            L.declined = false
            L.batch = -1
            filtersActive -= L.offerable
            offerLayer = L
        }
        filterBatches[slot].gen &+= 1
        if openFilterBatch == slot { openFilterBatch = -1 }
        freeFilterBatches.append(slot)
    }

    // MARK: driver calls

    func launch(_ fi: Int, offer id: Int64, _ launches: [TaskLaunch], refuseSeconds: Double) -> [TaskID]? {
        let f = frameworks[fi]
        guard leaderReady, f.registered, let o = offerRecord(id)?.record, o.framework == fi else { return nil }
        takeOffer(id)
        offersAccepted += 1
        let a = agents[o.agent]
        var remaining = o.resources
        var ids: [TaskID] = []
        var created: [MesosTask] = []
        // refused by the master, in launch order: (task, reason, message)
        var invalid: [(MesosTask, TaskReason, String)] = []
        for l in launches {
            let k = launchOrdinal(name: l.name, neverRepeats: l.nameNeverRepeats)
            let t = MesosTask(id: nextTaskID, launch: l, framework: fi, agent: o.agent, agentIdEpoch: a.agentIdEpoch,
                              stream: RandomStream(seed: model.spec.seed, name: "task:\(l.name)#\(k)"), now: now)
            nextTaskID += 1
            tasks[t.id] = t
            ids.append(t.id)
            // validateTaskID comes first among the task's validators (master/validation.cpp
            // `task::internal::validateTask` @1.4.0): a refused task takes nothing from the offer
            if spec.version.masterRefusesLongIDs, let n = l.idLength, let problem = MesosIDRules.lengthProblem(n) {
                invalid.append((t, .taskInvalid, problem))
                continue
            }
            let fits = l.resources.cpus <= remaining.cpus && l.resources.memMB <= remaining.memMB
                && l.resources.diskMB <= remaining.diskMB
                && l.resources.ports.ranges.allSatisfy { r in r.allSatisfy { remaining.ports.contains($0) } }
            if fits {
                sub(&remaining, l.resources)
                for r in l.resources.ports.ranges { for p in r { remaining.ports.remove(p) } }
                created.append(t)
            } else {
                invalid.append((t, .invalidOffers, "task does not fit in the offer"))
            }
        }
        returnToAgent(a, ports: remaining.ports)
        if allocatable(remaining) || remaining.cpus > .zero || remaining.memMB > .zero {
            addFilter(f, a, refused: remaining, refuseSeconds: refuseSeconds)
        }
        for (t, reason, message) in invalid {
            t.state = .error
            masterUpdate(t, .error, reason, message: message)
        }
        // Whether the master holds the agent connected is decided once for the whole ACCEPT: an
        // agent that aborts on one of these launches (MesosSandboxes.swift, `abortAgent`) loses the
        // launch messages behind it, which the master learns only when it re-registers.
        // The master's view: an agent whose socket closed was deactivated and its offers rescinded
        // (`disconnectAgent`), so this holds for every valid offer; the `_accept` path below is the
        // real master's for an agent that disconnects while the ACCEPT is being authorized, a gap
        // the model does not have. An agent process that died unnoticed (behind a partition, or
        // aborting on an earlier task of this ACCEPT) loses the launch: STAGING until it
        // re-registers without it (reconciled, `admit`) or is marked unreachable.
        let connected = a.active
        for t in created {
            charge(t)
            masterUpdate(t, .staging, .none)
            if connected && a.agentIdEpoch == t.agentIdEpoch {
                t.agentSlot = a.tasks.count
                a.tasks.append(t.id)
                if agentReachesLeader(a) { runOnAgent(t) }   // else the launch message is lost in the partition
            } else {
                // the master knows the agent is disconnected (socket closed): TASK_DROPPED to a
                // partition-aware framework from Mesos 1.2, TASK_LOST before (MesosVersion.swift)
                t.state = f.partitionAware && spec.version.sendsTaskDropped ? .dropped : .lost
                masterUpdate(t, t.state, .agentDisconnected, message: "agent disconnected")
            }
        }
        return ids
    }

    /// Earlier launches of `name`, counted (`taskLaunchCounts`) unless its framework never launches
    /// it again and it was not launched before: the counts follow the names that repeat.
    func launchOrdinal(name: String, neverRepeats: Bool) -> Int {
        let k = taskLaunchCounts[name, default: 0]
        if k > 0 || !neverRepeats { taskLaunchCounts[name] = k + 1 }
        return k
    }

    func decline(_ fi: Int, offer id: Int64, refuseSeconds: Double) {
        let f = frameworks[fi]
        guard let o = offerRecord(id)?.record, o.framework == fi else { return }
        takeOffer(id)
        offersDeclined += 1
        let a = agents[o.agent]
        returnToAgent(a, ports: o.resources.ports)
        addFilter(f, a, refused: o.resources, refuseSeconds: refuseSeconds)
    }

    func suppress(_ fi: Int) {
        let f = frameworks[fi]
        guard !f.suppressed else { return }
        f.suppressed = true
        log("frameworkSuppressed", f.name, "")
    }

    func revive(_ fi: Int) {
        let f = frameworks[fi]
        let layered = layersOn && leaderReady && f.registered && !inFastPass
        if !layered { dissolveLayer() }
        filtersActive -= f.filters.count
        if let L = offerLayer, L.declined { filtersActive -= L.offerable }
        f.filters.removeAll()
        f.suppressed = false
        guard leaderReady, f.registered else { return }
        if layered { reviveLayer() } else { refillCandidates() }
        schedule(.allocateAll, after: .zero, Int64(leaderEpoch))
    }

    func kill(_ fi: Int, task id: TaskID) {
        guard leaderReady, frameworks[fi].registered, let t = tasks[id], t.framework == fi else { return }
        guard !t.reported.isTerminal else { return }
        let a = agents[t.agent]
        guard t.atAgent, a.agentIdEpoch == t.agentIdEpoch, agentReachesLeader(a), !t.state.isTerminal else {
            if !t.atAgent && a.masterState == .registered {
                // never reached the agent: the master kills it itself
                t.state = .killed
                masterUpdate(t, .killed, .taskKilledDuringLaunch)
                releaseTask(t)
            }
            return
        }
        killOnAgent(t)
    }

    func reconcile(_ fi: Int, tasks ids: [TaskID]) {
        let f = frameworks[fi]
        guard leaderReady, f.registered else { return }
        let list = ids.isEmpty ? f.liveTasks.sorted() : ids
        // One message with every answer, where the first single update would have been queued (nothing
        // else is queued meanwhile): the framework sees them in the same order at the same instant.
        let answers = reconciliationAnswers(fi, list)
        if !bulkReconciliation {
            for r in answers { enqueue(f, .status(r.update)) }
        } else if !answers.isEmpty {
            enqueue(f, .reconciliation(answers))
        }
    }

    /// The master's answer to an explicit reconciliation of each of `list` (master.cpp
    /// `_reconcileTasks`): none for a task it does not know or whose agent it still awaits.
    func reconciliationAnswers(_ fi: Int, _ list: [TaskID]) -> [ReconciliationAnswer] {
        var answers: [ReconciliationAnswer] = []
        answers.reserveCapacity(list.count)
        for id in list {
            guard let t = tasks[id], t.framework == fi else { continue }
            let a = agents[t.agent]
            var state = t.reported
            if t.agentIdEpoch == a.agentIdEpoch {
                if a.masterState == .recovered { continue }   // master waits for the agent to re-register
                if a.masterState == .unreachable && !state.isTerminal { state = .unreachable }
            } else if a.oldIdState == .unreachable && !state.isTerminal { state = .unreachable }
            answers.append(ReconciliationAnswer(task: id, state: state, agent: a.host.index))
        }
        reconciliationAnswersMade += answers.count
        return answers
    }

    /// `SchedulerDriver.reconcileChanges`: an explicit reconciliation of all of `all()` whose answers
    /// go as a `ReconciliationDelta`. When no agent or leader state changed since the framework's
    /// last one (`reconciliationEpoch`) and its changed tasks were all noted, only the framework's
    /// `loud` tasks and the tasks whose answer may have changed (their reported state changed, or
    /// the master forgot them) are answered; the answers to the rest are those of last time.
    func reconcileChanges(_ fi: Int, loud: [TaskID], quiet: Int, all: () -> [TaskID], known: (TaskID) -> Bool) {
        let f = frameworks[fi]
        guard leaderReady, f.registered else { return }
        guard bulkReconciliation, deltaReconciliation else {
            f.reconTracking = false; f.reconChanged = []
            reconcile(fi, tasks: all())
            return
        }
        let full = !f.reconTracking || f.reconStamp != reconciliationEpoch
        var ids: [TaskID]
        if full {
            ids = all()
        } else {
            ids = loud
            for c in f.reconChanged where known(c) { ids.append(c) }
            ids = sortedUnique(ids)
        }
        f.reconChanged.removeAll(keepingCapacity: true)
        f.reconTracking = true
        f.reconStamp = reconciliationEpoch
        let answers = reconciliationAnswers(fi, ids)
        guard !answers.isEmpty || (!full && quiet > 0) else { return }
        enqueue(f, .reconciliationDelta(ReconciliationDelta(full: full, examined: ids, answers: answers)))
    }

    /// A task's answer to reconciliation may have changed (reported state, forgotten): noted for
    /// `reconcileChanges` while its framework reconciles that way; a list longer than its tasks
    /// gives up (the next one answers all).
    func noteReconciliationChange(_ t: MesosTask) {
        let f = frameworks[t.framework]
        guard f.reconTracking else { return }
        if f.reconChanged.count > 256 + 2 * f.liveTasks.count {
            f.reconTracking = false
            f.reconChanged = []
        } else {
            f.reconChanged.append(t.id)
        }
    }
}
