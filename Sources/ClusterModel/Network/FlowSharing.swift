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
    // flows (slots are reused; `alive` says whether a slot holds a flow)
    var routes: [[ResourceID]] = []
    var coefficients: [[Double]] = []
    var slotInResource: [[Int32]] = []
    public private(set) var bound: [Double] = []
    public private(set) var rate: [Double] = []
    public private(set) var alive: [Bool] = []
    var freeSlots: [FlowID] = []
    public private(set) var flowCount = 0

    // scratch of a re-share, stamped with an epoch instead of cleared
    var epoch: UInt32 = 0
    var resourceSeen: [UInt32] = []
    var flowSeen: [UInt32] = []
    var frozen: [UInt32] = []
    var remaining: [Double] = []
    var activeCoefficientSum: [Double] = []
    var activeCount: [Int32] = []
    var version: [UInt32] = []
    var componentFlows: [FlowID] = []
    var componentResources: [ResourceID] = []
    var stack: [ResourceID] = []
    var heap: [(level: Double, resource: ResourceID, version: UInt32)] = []
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
        activeCoefficientSum.append(0); activeCount.append(0); version.append(0)
        return ResourceID(capacity.count - 1)
    }

    /// Changes a capacity; call `reshare(resource:)` afterwards.
    public func setCapacity(_ r: ResourceID, _ c: Double) { capacity[Int(r)] = c }

    /// Adds a flow (not yet shared: call `reshare(from:)`). `bound` caps its rate (e.g. one core's
    /// budget); `.infinity` for none. A flow must cross at least one resource.
    public func addFlow(route: [ResourceID], coefficients c: [Double], bound b: Double) -> FlowID {
        precondition(!route.isEmpty && route.count == c.count)
        let id: FlowID
        if let s = freeSlots.popLast() {
            id = s
            routes[Int(id)] = route; coefficients[Int(id)] = c; bound[Int(id)] = b; rate[Int(id)] = 0; alive[Int(id)] = true
            slotInResource[Int(id)] = []
        } else {
            id = FlowID(routes.count)
            routes.append(route); coefficients.append(c); bound.append(b); rate.append(0); alive.append(true)
            slotInResource.append([]); flowSeen.append(0); frozen.append(0)
        }
        var slots: [Int32] = []
        slots.reserveCapacity(route.count)
        for r in route {
            slots.append(Int32(members[Int(r)].count))
            members[Int(r)].append(id)
        }
        slotInResource[Int(id)] = slots
        flowCount += 1
        return id
    }

    /// Removes a flow; its resources are returned for `reshare(resources:)`.
    @discardableResult
    public func removeFlow(_ id: FlowID) -> [ResourceID] {
        let f = Int(id)
        precondition(alive[f])
        let route = routes[f]
        for (i, r) in route.enumerated() {
            let slot = Int(slotInResource[f][i])
            var list = members[Int(r)]
            let last = list.removeLast()
            if last != id {
                list[slot] = last
                // fix the moved flow's slot for this resource
                let lr = routes[Int(last)]
                for j in 0..<lr.count where lr[j] == r && Int(slotInResource[Int(last)][j]) == list.count { slotInResource[Int(last)][j] = Int32(slot); break }
            }
            members[Int(r)] = list
        }
        alive[f] = false; rate[f] = 0
        freeSlots.append(id)
        flowCount -= 1
        return route
    }

    /// Re-shares the component of a flow (after `addFlow`).
    public func reshare(from id: FlowID) { reshare(resources: routes[Int(id)]) }

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
                for r2 in routes[Int(f)] where resourceSeen[Int(r2)] != e { resourceSeen[Int(r2)] = e; stack.append(r2) }
            }
        }
        fill(e)
        lastComponent = componentFlows
        flowsReshared += componentFlows.count
    }

    /// Progressive filling of the current component: all unfrozen flows run at `level`.
    private func fill(_ e: UInt32) {
        heap.removeAll(keepingCapacity: true)
        for r in componentResources {
            let i = Int(r)
            remaining[i] = capacity[i]; activeCoefficientSum[i] = 0; activeCount[i] = 0
        }
        for f in componentFlows {
            let fi = Int(f)
            let c = coefficients[fi]
            for (j, r) in routes[fi].enumerated() { activeCoefficientSum[Int(r)] += c[j]; activeCount[Int(r)] += 1 }
        }
        for r in componentResources {
            let i = Int(r)
            version[i] &+= 1
            if activeCount[i] > 0 { heapPush((level(i, base: 0), r, version[i])) }
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
            // next resource event (skip stale heap entries)
            while let top = heap.first, top.version != version[Int(top.resource)] || activeCount[Int(top.resource)] == 0 { heapPop() }
            while capIndex < capOrder.count, frozen[Int(capOrder[capIndex])] == e { capIndex += 1 }
            let resLevel = heap.first?.level ?? .infinity
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
                let top = heapPop()
                current = max(current, top.level)
                // freeze every unfrozen flow of this resource
                let r = Int(top.resource)
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
        let c = coefficients[fi]
        for (j, r) in routes[fi].enumerated() {
            let i = Int(r)
            // remaining is "capacity minus frozen use"; the level formula uses it with the
            // coefficient sum of unfrozen flows: level = remaining / sum
            remaining[i] -= c[j] * x
            activeCoefficientSum[i] -= c[j]
            activeCount[i] -= 1
            if activeCount[i] > 0 {
                if activeCoefficientSum[i] < 1e-300 { activeCoefficientSum[i] = 1e-300 }
                version[i] &+= 1
                heapPush((max(0, remaining[i]) / activeCoefficientSum[i], r, version[i]))
            } else {
                activeCoefficientSum[i] = 0
            }
        }
    }

    // A binary min-heap ordered by (level, resource).
    @inline(__always) private func less(_ a: (level: Double, resource: ResourceID, version: UInt32), _ b: (level: Double, resource: ResourceID, version: UInt32)) -> Bool {
        a.level != b.level ? a.level < b.level : a.resource < b.resource
    }
    private func heapPush(_ x: (level: Double, resource: ResourceID, version: UInt32)) {
        heap.append(x)
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if less(heap[i], heap[p]) { heap.swapAt(i, p); i = p } else { break }
        }
    }
    @discardableResult
    private func heapPop() -> (level: Double, resource: ResourceID, version: UInt32) {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            let n = heap.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < n && less(heap[l], heap[m]) { m = l }
                if r < n && less(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m); i = m
            }
        }
        return top
    }

    /// Use of a resource by its flows (for tests and accounting).
    public func load(_ r: ResourceID) -> Double {
        var s = 0.0
        for f in members[Int(r)] {
            let fi = Int(f)
            for (j, x) in routes[fi].enumerated() where x == r { s += coefficients[fi][j] * rate[fi] }
        }
        return s
    }
}
