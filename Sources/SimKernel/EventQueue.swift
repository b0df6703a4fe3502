// The pending-event set: a 4-ary min-heap of 16-byte keys (time, slot) whose payloads
// (order, target, kind, arg) stay in a slab that sifts never touch.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// LLVM's prefetch intrinsic (`prefetcht0` on x86-64), reached by its symbol name: Swift has no
/// prefetch function. Arguments: address, 0 = read, locality 3 = keep in all cache levels,
/// 1 = data cache. A hint only: it never faults and has no visible effect.
@usableFromInline @_silgen_name("llvm.prefetch.p0")
func _llvmPrefetch(_ address: UnsafeRawPointer, _ rw: Int32, _ locality: Int32, _ cache: Int32)

/// What the heap moves: the event's time and the slab slot of everything else. 16 bytes, so the
/// four children of a node fill exactly one 64-byte cache line.
@frozen @usableFromInline
struct HeapKey {
    @usableFromInline var time: Int64
    @usableFromInline var slot: Int
    @inlinable init(time: Int64, slot: Int) { self.time = time; self.slot = slot }
}

/// The rest of an event, stored once per pending event at a fixed slot. 32 bytes (padded) so a
/// payload never straddles two cache lines.
@frozen @usableFromInline
struct EventPayload {
    @usableFromInline var order: UInt64
    @usableFromInline var target: Int32
    @usableFromInline var kind: Int32
    @usableFromInline var arg: Int64
    @usableFromInline var pad: Int64 = 0
    @inlinable init(order: UInt64, target: Int32, kind: Int32, arg: Int64) {
        self.order = order; self.target = target; self.kind = kind; self.arg = arg
    }
}

/// Heap memory. Three manually managed buffers:
///
/// - `keys`: the 4-ary heap of `HeapKey`s, 64-byte aligned; buffer slot `k + 3` holds heap node
///   `k`, so the four children of node k (4k+1 ... 4k+4, buffer slots 4k+4 ... 4k+7) share one
///   aligned cache line.
/// - `payloads`: one `EventPayload` per pending event, at the slot named by its key. Sifts move
///   only keys; a payload is written once by `push` and read once by `pop`.
/// - `freeSlots`: a stack of unused slots; entries `count ..< capacity` are free, the top is at
///   `count`. `pop` frees the head's slot and the next `push` takes that same slot again, so in
///   the common pop-then-push pattern the payload write hits a line the pop just read.
///
/// Order: by time, then by the payload's `order` (priority, then sequence). Keys with equal
/// times compare their payloads' `order`s (an extra load, only on ties).
@usableFromInline
final class EventHeapStorage {
    @usableFromInline static let offset = 3
    // Exclusivity is checked by construction (only this class touches them, never re-entrantly);
    // dynamic checks would cost more than the heap operations themselves.
    @exclusivity(unchecked) @usableFromInline var keyBase: UnsafeMutablePointer<HeapKey>  // buffer slot 0
    @exclusivity(unchecked) @usableFromInline var payloads: UnsafeMutablePointer<EventPayload>
    @exclusivity(unchecked) @usableFromInline var freeSlots: UnsafeMutablePointer<Int32>
    @exclusivity(unchecked) @usableFromInline var capacity: Int  // events
    @exclusivity(unchecked) @usableFromInline var count: Int = 0
    /// Heaps from this many events up prefetch the grandchildren's cache lines while popping.
    @usableFromInline static let prefetchThreshold = 1 << 12

    @usableFromInline init(capacity: Int) {
        let c = Swift.min(Swift.max(capacity, 16), Int(Int32.max))
        self.capacity = c
        keyBase = EventHeapStorage.allocate(HeapKey.self, c + EventHeapStorage.offset)
        payloads = EventHeapStorage.allocate(EventPayload.self, c)
        freeSlots = EventHeapStorage.allocate(Int32.self, c)
        for i in 0..<c { freeSlots[i] = Int32(truncatingIfNeeded: i) }
    }

    /// Buffers from this size up are 2 MiB aligned and asked to be backed by transparent huge
    /// pages: a large heap's lower levels are touched at random, and with 4 KiB pages nearly every
    /// level of a pop would also miss the TLB.
    @usableFromInline static let hugePageThreshold = 4 << 20

    @usableFromInline static func allocate<T>(_ type: T.Type, _ n: Int) -> UnsafeMutablePointer<T> {
        let bytes = n * MemoryLayout<T>.stride
        let huge = bytes >= hugePageThreshold
        let alignment = huge ? 2 << 20 : 64
        let rounded = Swift.max((bytes + alignment - 1) / alignment * alignment, alignment)
        guard let raw = aligned_alloc(alignment, rounded) else {
            fatalError("EventQueue: out of memory for \(n) entries")
        }
        #if os(Linux)
        if huge { _ = madvise(raw, rounded, MADV_HUGEPAGE) }  // advisory; failure is harmless
        #endif
        return raw.bindMemory(to: T.self, capacity: n)
    }

    deinit {
        free(keyBase)
        free(payloads)
        free(freeSlots)
    }

    /// Heap node 0.
    @inlinable var keys: UnsafeMutablePointer<HeapKey> { keyBase + EventHeapStorage.offset }

    @usableFromInline func copy() -> EventHeapStorage {
        let c = EventHeapStorage(capacity: capacity)
        c.keys.initialize(from: keys, count: count)
        for i in 0..<count { c.payloads[keys[i].slot] = payloads[keys[i].slot] }
        (c.freeSlots + count).update(from: freeSlots + count, count: capacity - count)
        c.count = count
        return c
    }

    @usableFromInline @inline(never) func grow() {
        precondition(capacity < Int(Int32.max), "EventQueue: more than 2^31 - 1 pending events")
        let newCapacity = Swift.min(capacity * 2, Int(Int32.max))
        let nk = EventHeapStorage.allocate(HeapKey.self, newCapacity + EventHeapStorage.offset)
        (nk + EventHeapStorage.offset).moveInitialize(from: keys, count: count)
        free(keyBase)
        keyBase = nk
        let np = EventHeapStorage.allocate(EventPayload.self, newCapacity)
        np.moveInitialize(from: payloads, count: capacity)  // full: every slot is in use
        free(payloads)
        payloads = np
        let nf = EventHeapStorage.allocate(Int32.self, newCapacity)
        for i in capacity..<newCapacity { nf[i] = Int32(truncatingIfNeeded: i) }
        free(freeSlots)
        freeSlots = nf
        capacity = newCapacity
    }

    /// Empties the heap, returning every slot to the free stack.
    @usableFromInline func removeAll() {
        let k = keys
        for i in 0..<count { freeSlots[i] = Int32(truncatingIfNeeded: k[i].slot) }
        count = 0
    }

    /// True when `a` must run before `b`: earlier time, or the same time and a smaller `order`.
    @inlinable @inline(__always)
    func precedes(_ a: HeapKey, _ b: HeapKey) -> Bool {
        if _slowPath(a.time == b.time) { return payloads[a.slot].order < payloads[b.slot].order }
        return a.time < b.time
    }

    /// `precedes` as 0 or 1 for the branch-free tournament: the time comparison is a select, the
    /// (rare) tie a predictable branch.
    @inlinable @inline(__always)
    func precedesBit(_ a: HeapKey, _ b: HeapKey) -> Int {
        if _slowPath(a.time == b.time) { return Int(bit: payloads[a.slot].order < payloads[b.slot].order) }
        return Int(bit: a.time < b.time)
    }

    @inlinable @inline(__always)
    func event(_ k: HeapKey) -> Event {
        let p = payloads[k.slot]
        return Event(time: SimTime(nanoseconds: k.time), order: p.order, target: p.target, kind: p.kind, arg: p.arg)
    }

    @inlinable @inline(__always)
    func push(_ e: Event) {
        if count == capacity { grow() }
        let slot = Int(freeSlots[count])
        payloads[slot] = EventPayload(order: e.order, target: e.target, kind: e.kind, arg: e.arg)
        let key = HeapKey(time: e.time.nanoseconds, slot: slot)
        let h = keys
        var i = count
        count = i + 1
        while i > 0 {
            let p = (i - 1) >> 2
            if !precedes(key, h[p]) { break }
            h[i] = h[p]
            i = p
        }
        h[i] = key
    }

    /// Removes the head; the heap must not be empty.
    @inlinable @inline(__always)
    func popMin() -> Event {
        let h = keys
        let top = h[0]
        let result = event(top)  // an independent load: its miss overlaps the sift below
        let n = count - 1
        count = n
        freeSlots[n] = Int32(truncatingIfNeeded: top.slot)
        if n == 0 { return result }
        let last = h[n]
        // Hole sifting: move the smallest child up until `last` fits.
        var i = 0
        let prefetch = n >= EventHeapStorage.prefetchThreshold
        while true {
            let c = 4 &* i &+ 1
            if c &+ 3 < n {
                // all four children present
                if prefetch {
                    // Fetch the four lines holding the 16 grandchildren (nodes 4c+1 ... 4c+16)
                    // while the children are compared, so the next level's miss overlaps this one.
                    let g = UnsafeRawPointer(h + (4 &* c &+ 1))
                    _llvmPrefetch(g, 0, 3, 1)
                    _llvmPrefetch(g + 64, 0, 3, 1)
                    _llvmPrefetch(g + 128, 0, 3, 1)
                    _llvmPrefetch(g + 192, 0, 3, 1)
                }
                // Branch-free tournament (selects, not jumps: the outcomes are coin flips).
                let m01 = c &+ precedesBit(h[c &+ 1], h[c])
                let m23 = c &+ 2 &+ precedesBit(h[c &+ 3], h[c &+ 2])
                let m = m01 &+ (m23 &- m01) &* precedesBit(h[m23], h[m01])
                if !precedes(h[m], last) { break }
                h[i] = h[m]
                i = m
            } else {
                if c >= n { break }
                var m = c
                var k = c &+ 1
                while k < n {
                    if precedes(h[k], h[m]) { m = k }
                    k &+= 1
                }
                if precedes(h[m], last) {
                    h[i] = h[m]
                    i = m
                }
                break
            }
        }
        h[i] = last
        // The next pop reads the new head's payload first: fetch its line now, while the caller
        // handles this event (a payload was written when its event was scheduled, usually long
        // enough ago to have left the core's caches).
        _llvmPrefetch(UnsafeRawPointer(payloads + h[0].slot), 0, 3, 1)
        return result
    }
}

/// A 4-ary min-heap of events: 16-byte keys in a cache-aligned buffer, payloads in a slab. No
/// per-operation allocation once its storage has grown. A value type (copy-on-write), like the
/// Array it replaces.
public struct EventQueue {
    @usableFromInline var storage: EventHeapStorage

    public init(reservingCapacity n: Int = 0) { storage = EventHeapStorage(capacity: n) }

    @inlinable public var count: Int { storage.count }
    @inlinable public var isEmpty: Bool { storage.count == 0 }
    @inlinable public var first: Event? { storage.count > 0 ? storage.event(storage.keys[0]) : nil }

    @inlinable @inline(__always)
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    @inlinable @inline(__always) public mutating func push(_ e: Event) {
        makeUnique()
        storage.push(e)
    }

    @inlinable @inline(__always) public mutating func pop() -> Event? {
        if storage.count == 0 { return nil }
        makeUnique()
        return storage.popMin()
    }

    public mutating func removeAll() {
        makeUnique()
        storage.removeAll()
    }

    /// Visits the pending events in heap (not time) order.
    @inlinable func forEachUnordered(_ body: (Event) -> Void) {
        let h = storage.keys
        for i in 0..<storage.count { body(storage.event(h[i])) }
    }
}
