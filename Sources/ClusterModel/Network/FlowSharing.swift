// Max-min fair sharing of capacities among flows (progressive filling, as SimGrid's flow model):
// every flow's rate rises together until a resource it crosses is saturated or the flow reaches
// its own bound; flows stopped by one bottleneck leave the rest to the others. A flow uses
// `coefficient × rate` of each resource it crosses (wire bytes per payload byte on a NIC, CPU
// seconds per byte on a host), so flows with different overheads share fairly in payload terms.
//
// Re-sharing is incremental: when a flow starts or ends only the flows connected to it through
// shared resources (its component) are recomputed, with a heap over bottleneck levels, in
// O((flows × resources per flow) log) of that component. Nothing iterates a Dictionary or a Set:
// the order of everything follows the order of calls.

public final class MaxMinSharing {
    public typealias ResourceID = Int32
    public typealias FlowID = Int32

    // resources
    public private(set) var capacity: [Double] = []
    /// Flows crossing each resource (unordered; a flow's slot is kept in `slotInResource`).
    var members: [[FlowID]] = []
    // flows (slots are reused; `alive` says whether a slot holds a flow), routes stored flat with
    // a fixed stride so the hot loops touch no nested arrays
    public static let maxRoute = 12
    @exclusivity(unchecked) var routeLength: [Int32] = []
    @exclusivity(unchecked) var routeRes: [ResourceID] = []
    @exclusivity(unchecked) var routeCoef: [Double] = []
    var routeSlot: [Int32] = []
    public private(set) var bound: [Double] = []
    @exclusivity(unchecked) public private(set) var rate: [Double] = []
    public private(set) var alive: [Bool] = []
    var freeSlots: [FlowID] = []
    public private(set) var flowCount = 0

    // scratch of a re-share, stamped with an epoch instead of cleared
    var epoch: UInt32 = 0
    @exclusivity(unchecked) var resourceSeen: [UInt32] = []
    @exclusivity(unchecked) var flowSeen: [UInt32] = []
    @exclusivity(unchecked) var frozen: [UInt32] = []
    @exclusivity(unchecked) var remaining: [Double] = []
    @exclusivity(unchecked) var activeCoefficientSum: [Double] = []
    @exclusivity(unchecked) var activeCount: [Int32] = []
    var componentFlows: [FlowID] = []
    var componentResources: [ResourceID] = []
    var stack: [ResourceID] = []
    /// Resources of the component not yet saturated, an indexed min-heap by (level, id).
    @exclusivity(unchecked) var heap: [ResourceID] = []
    @exclusivity(unchecked) var heapPos: [Int32] = []
    @exclusivity(unchecked) var levelOf: [Double] = []
    var capOrder: [FlowID] = []
    /// Flows whose rate was recomputed by the last re-share (the component), in a fixed order.
    public private(set) var lastComponent: [FlowID] = []
    /// Total flows re-shared since creation (for the benchmark).
    public private(set) var flowsReshared: Int = 0

    public init() {}

    public var resourceCount: Int { capacity.count }

    @discardableResult
    public func addResource(capacity c: Double) -> ResourceID {
        precondition(c >= 0)
        capacity.append(c); members.append([]); resourceSeen.append(0); remaining.append(0)
        activeCoefficientSum.append(0); activeCount.append(0); heapPos.append(-1); levelOf.append(0)
        return ResourceID(capacity.count - 1)
    }

    /// Changes a capacity; call `reshare(resource:)` afterwards.
    public func setCapacity(_ r: ResourceID, _ c: Double) { capacity[Int(r)] = c }

    /// Adds a flow (not yet shared: call `reshare(from:)`). `bound` caps its rate (e.g. one core's
    /// budget); `.infinity` for none. A flow must cross at least one resource.
    public func addFlow(route: [ResourceID], coefficients c: [Double], bound b: Double) -> FlowID {
        precondition(!route.isEmpty && route.count == c.count && route.count <= MaxMinSharing.maxRoute)
        let id: FlowID
        if let s = freeSlots.popLast() {
            id = s
            bound[Int(id)] = b; rate[Int(id)] = 0; alive[Int(id)] = true
        } else {
            id = FlowID(bound.count)
            bound.append(b); rate.append(0); alive.append(true); flowSeen.append(0); frozen.append(0); routeLength.append(0)
            routeRes.append(contentsOf: repeatElement(0, count: MaxMinSharing.maxRoute))
            routeCoef.append(contentsOf: repeatElement(0, count: MaxMinSharing.maxRoute))
            routeSlot.append(contentsOf: repeatElement(0, count: MaxMinSharing.maxRoute))
        }
        let base = Int(id) * MaxMinSharing.maxRoute
        routeLength[Int(id)] = Int32(route.count)
        for (j, r) in route.enumerated() {
            routeRes[base + j] = r; routeCoef[base + j] = c[j]
            routeSlot[base + j] = Int32(members[Int(r)].count)
            members[Int(r)].append(id)
        }
        flowCount += 1
        return id
    }

    /// Removes a flow; its resources are returned for `reshare(resources:)`.
    @discardableResult
    public func removeFlow(_ id: FlowID) -> [ResourceID] {
        let f = Int(id)
        precondition(alive[f])
        let route = self.route(id)
        let base = f * MaxMinSharing.maxRoute
        for (i, r) in route.enumerated() {
            let slot = Int(routeSlot[base + i])
            let last = members[Int(r)].removeLast()
            if last != id {
                members[Int(r)][slot] = last
                // fix the moved flow's slot for this resource
                let lb = Int(last) * MaxMinSharing.maxRoute
                let n = members[Int(r)].count
                for j in 0..<Int(routeLength[Int(last)]) where routeRes[lb + j] == r && Int(routeSlot[lb + j]) == n { routeSlot[lb + j] = Int32(slot); break }
            }
        }
        alive[f] = false; rate[f] = 0
        freeSlots.append(id)
        flowCount -= 1
        return route
    }

    /// The resources a flow crosses.
    public func route(_ id: FlowID) -> [ResourceID] {
        let base = Int(id) * MaxMinSharing.maxRoute
        return Array(routeRes[base..<base + Int(routeLength[Int(id)])])
    }

    /// Re-shares the component of a flow (after `addFlow`).
    public func reshare(from id: FlowID) { reshare(resources: route(id)) }

    /// Re-shares every flow connected to these resources; the recomputed flows are in
    /// `lastComponent` (their previous rates can be read before calling).
    public func reshare(resources seeds: [ResourceID]) {
        epoch &+= 1
        if epoch == 0 { epoch = 1; for i in resourceSeen.indices { resourceSeen[i] = 0 }; for i in flowSeen.indices { flowSeen[i] = 0; frozen[i] = 0 } }
        let e = epoch
        componentFlows.removeAll(keepingCapacity: true)
        componentResources.removeAll(keepingCapacity: true)
        stack.removeAll(keepingCapacity: true)
        for r in seeds where resourceSeen[Int(r)] != e { resourceSeen[Int(r)] = e; stack.append(r) }
        while let r = stack.popLast() {
            componentResources.append(r)
            for f in members[Int(r)] where flowSeen[Int(f)] != e {
                flowSeen[Int(f)] = e
                componentFlows.append(f)
                let base = Int(f) * MaxMinSharing.maxRoute
                for j in 0..<Int(routeLength[Int(f)]) {
                    let r2 = routeRes[base + j]
                    if resourceSeen[Int(r2)] != e { resourceSeen[Int(r2)] = e; stack.append(r2) }
                }
            }
        }
        fill(e)
        lastComponent = componentFlows
        flowsReshared += componentFlows.count
    }

    /// Progressive filling of the current component: all unfrozen flows run at `level`.
    private func fill(_ e: UInt32) {
        for r in heap { heapPos[Int(r)] = -1 }
        heap.removeAll(keepingCapacity: true)
        for r in componentResources {
            let i = Int(r)
            remaining[i] = capacity[i]; activeCoefficientSum[i] = 0; activeCount[i] = 0
        }
        for f in componentFlows {
            let base = Int(f) * MaxMinSharing.maxRoute
            for j in 0..<Int(routeLength[Int(f)]) {
                let r = Int(routeRes[base + j])
                activeCoefficientSum[r] += routeCoef[base + j]; activeCount[r] += 1
            }
        }
        for r in componentResources {
            let i = Int(r)
            if activeCount[i] > 0 { levelOf[i] = level(i, base: 0); heapPush(r) }
        }
        // flows with a finite bound, by bound then id
        capOrder.removeAll(keepingCapacity: true)
        for f in componentFlows where bound[Int(f)].isFinite { capOrder.append(f) }
        capOrder.sort { bound[Int($0)] != bound[Int($1)] ? bound[Int($0)] < bound[Int($1)] : $0 < $1 }
        var capIndex = 0
        var current = 0.0   // the common level of unfrozen flows
        var unfrozen = componentFlows.count
        // frozen[] uses the epoch: frozen[f] == e means frozen in this fill
        while unfrozen > 0 {
            while capIndex < capOrder.count, frozen[Int(capOrder[capIndex])] == e { capIndex += 1 }
            let resLevel = heap.first.map { levelOf[Int($0)] } ?? .infinity
            let capLevel = capIndex < capOrder.count ? bound[Int(capOrder[capIndex])] : .infinity
            if resLevel == .infinity && capLevel == .infinity {
                // unconstrained flows (cannot happen with finite capacities); leave them at `current`
                for f in componentFlows where frozen[Int(f)] != e { freeze(f, at: current, e) }
                break
            }
            if capLevel <= resLevel {
                let f = capOrder[capIndex]; capIndex += 1
                current = max(current, capLevel)
                freeze(f, at: current, e); unfrozen -= 1
            } else {
                let top = heap[0]
                current = max(current, levelOf[Int(top)])
                heapRemove(top)
                // freeze every unfrozen flow of this resource
                let r = Int(top)
                for f in members[r] where flowSeen[Int(f)] == e && frozen[Int(f)] != e {
                    freeze(f, at: current, e); unfrozen -= 1
                }
                activeCount[r] = 0
            }
        }
    }

    @inline(__always) private func level(_ i: Int, base: Double) -> Double {
        activeCoefficientSum[i] > 0 ? remaining[i] / activeCoefficientSum[i] : .infinity
    }

    /// Fixes a flow's rate; its resources lose its share of capacity and its coefficient.
    private func freeze(_ f: FlowID, at x: Double, _ e: UInt32) {
        let fi = Int(f)
        frozen[fi] = e
        rate[fi] = x
        let base = fi * MaxMinSharing.maxRoute
        for j in 0..<Int(routeLength[fi]) {
            let r = routeRes[base + j], c = routeCoef[base + j]
            let i = Int(r)
            // remaining is "capacity minus frozen use"; the level formula uses it with the
            // coefficient sum of unfrozen flows: level = remaining / sum
            remaining[i] -= c * x
            activeCoefficientSum[i] -= c
            activeCount[i] -= 1
            if activeCount[i] > 0 {
                if activeCoefficientSum[i] < 1e-300 { activeCoefficientSum[i] = 1e-300 }
                levelOf[i] = max(0, remaining[i]) / activeCoefficientSum[i]
                if heapPos[i] >= 0 { heapFix(r) }
            } else {
                activeCoefficientSum[i] = 0
                if heapPos[i] >= 0 { heapRemove(r) }
            }
        }
    }

    // An indexed binary min-heap of resources ordered by (level, resource).
    @inline(__always) private func less(_ a: ResourceID, _ b: ResourceID) -> Bool {
        let x = levelOf[Int(a)], y = levelOf[Int(b)]
        return x != y ? x < y : a < b
    }
    @inline(__always) private func place(_ i: Int, _ r: ResourceID) { heap[i] = r; heapPos[Int(r)] = Int32(i) }
    private func siftUp(_ i0: Int) {
        var i = i0
        let x = heap[i]
        while i > 0 {
            let p = (i - 1) / 2
            if less(x, heap[p]) { place(i, heap[p]); i = p } else { break }
        }
        place(i, x)
    }
    private func siftDown(_ i0: Int) {
        var i = i0
        let x = heap[i]
        let n = heap.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = x, mi = i
            if l < n && less(heap[l], m) { m = heap[l]; mi = l }
            if r < n && less(heap[r], m) { m = heap[r]; mi = r }
            if mi == i { break }
            place(i, m); i = mi
        }
        place(i, x)
    }
    private func heapPush(_ r: ResourceID) {
        heap.append(r)
        heapPos[Int(r)] = Int32(heap.count - 1)
        siftUp(heap.count - 1)
    }
    private func heapFix(_ r: ResourceID) { siftUp(Int(heapPos[Int(r)])); siftDown(Int(heapPos[Int(r)])) }
    private func heapRemove(_ r: ResourceID) {
        let i = Int(heapPos[Int(r)])
        heapPos[Int(r)] = -1
        let last = heap.removeLast()
        if i < heap.count {
            place(i, last)
            siftUp(i); siftDown(Int(heapPos[Int(last)]))
        }
    }

    /// Use of a resource by its flows (for tests and accounting).
    public func load(_ r: ResourceID) -> Double {
        var s = 0.0
        for f in members[Int(r)] {
            let base = Int(f) * MaxMinSharing.maxRoute
            for j in 0..<Int(routeLength[Int(f)]) where routeRes[base + j] == r { s += routeCoef[base + j] * rate[Int(f)] }
        }
        return s
    }
}
