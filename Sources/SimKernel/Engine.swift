// The engine: a value-type event, a 4-ary heap ordered by (time, priority, sequence),
// O(1) lazy cancellation and the run loop. It knows nothing about clusters.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Identifies a scheduled event so it can be cancelled (its insertion sequence number).
public struct EventID: Hashable, Sendable {
    public let sequence: UInt64
    @inlinable public init(sequence: UInt64) { self.sequence = sequence }
}

/// A scheduled event. Plain value: who handles it (`target`), what it means to that handler
/// (`kind`) and one integer of payload (`arg`: an index, a generation number ...). 32 bytes.
///
/// Same-time order: events at the same `time` run by ascending `priority` (lower first), then in
/// the order they were scheduled (FIFO by insertion sequence). Both are packed into `order`:
/// the priority, biased to be unsigned, in the top 16 bits and the sequence in the low 48 bits.
@frozen
public struct Event: Sendable {
    public var time: SimTime
    public var order: UInt64
    public var target: Int32
    public var kind: Int32
    public var arg: Int64

    @inlinable public var priority: Int16 { Int16(truncatingIfNeeded: Int64(order >> 48) - 32768) }
    @inlinable public var sequence: UInt64 { order & Event.sequenceMask }
    @inlinable public var id: EventID { EventID(sequence: sequence) }

    public static let sequenceMask: UInt64 = (1 << 48) - 1

    @inlinable public init(time: SimTime, order: UInt64, target: Int32, kind: Int32, arg: Int64) {
        self.time = time; self.order = order; self.target = target; self.kind = kind; self.arg = arg
    }

    @inlinable public static func packOrder(priority: Int16, sequence: UInt64) -> UInt64 {
        (UInt64(Int64(priority) + 32768) << 48) | (sequence & sequenceMask)
    }

    /// 1 when `a` must run before `b`, else 0, computed without branches (for the heap's
    /// tournament, whose outcomes are unpredictable).
    @inlinable @inline(__always)
    static func precedesBit(_ a: Event, _ b: Event) -> Int {
        let lt = UInt8(truncatingIfNeeded: Int(bit: a.time.nanoseconds < b.time.nanoseconds))
        let eq = UInt8(truncatingIfNeeded: Int(bit: a.time.nanoseconds == b.time.nanoseconds))
        let ol = UInt8(truncatingIfNeeded: Int(bit: a.order < b.order))
        return Int(lt | (eq & ol))
    }

    /// True when `self` must run before `other`.
    @inlinable @inline(__always)
    public func precedes(_ other: Event) -> Bool {
        time.nanoseconds != other.time.nanoseconds
            ? time.nanoseconds < other.time.nanoseconds
            : order < other.order
    }
}

extension Int {
    @inlinable @inline(__always) init(bit b: Bool) { self = Int(unsafeBitCast(b, to: UInt8.self)) }
}

/// Models receive their events through this protocol.
public protocol EventHandler: AnyObject {
    func handle(_ event: Event, in sim: Simulation)
}

/// Heap memory: a manually managed, 128-byte aligned buffer. Slot `k + 3` holds heap node `k`, so
/// the four children of node k (4k+1 ... 4k+4, slots 4k+4 ... 4k+7) share one aligned 128-byte
/// block (two cache lines) .
@usableFromInline
final class EventHeapStorage {
    @usableFromInline static let offset = 3
    // Exclusivity is checked by construction (only this class touches them, never re-entrantly);
    // dynamic checks would cost more than the heap operations themselves.
    @exclusivity(unchecked) @usableFromInline var base: UnsafeMutablePointer<Event>  // slot 0
    @exclusivity(unchecked) @usableFromInline var capacity: Int                      // heap nodes
    @exclusivity(unchecked) @usableFromInline var count: Int = 0
    /// Receives the software-prefetch loads so the optimiser keeps them.
    @exclusivity(unchecked) @usableFromInline var sink: Int64 = 0
    /// Heaps from this many events up (8 MiB) prefetch grandchildren while popping.
    @usableFromInline static let prefetchThreshold = 1 << 18

    @usableFromInline init(capacity: Int) {
        self.capacity = Swift.max(capacity, 16)
        base = EventHeapStorage.allocate(self.capacity)
    }

    /// Buffers from this size up are 2 MiB aligned and asked to be backed by transparent huge
    /// pages: a large heap's lower levels are touched at random, and with 4 KiB pages nearly every
    /// level of a pop would also miss the TLB.
    @usableFromInline static let hugePageThreshold = 4 << 20

    @usableFromInline static func allocate(_ nodes: Int) -> UnsafeMutablePointer<Event> {
        let bytes = (nodes + offset) * MemoryLayout<Event>.stride
        let huge = bytes >= hugePageThreshold
        let alignment = huge ? 2 << 20 : 128
        let rounded = (bytes + alignment - 1) / alignment * alignment
        guard let raw = aligned_alloc(alignment, rounded) else {
            fatalError("EventQueue: out of memory for \(nodes) events")
        }
        #if os(Linux)
        if huge { _ = madvise(raw, rounded, MADV_HUGEPAGE) }  // advisory; failure is harmless
        #endif
        return raw.bindMemory(to: Event.self, capacity: nodes + offset)
    }

    deinit { free(base) }

    /// Heap node 0.
    @inlinable var nodes: UnsafeMutablePointer<Event> { base + EventHeapStorage.offset }

    @usableFromInline func copy() -> EventHeapStorage {
        let c = EventHeapStorage(capacity: capacity)
        c.nodes.initialize(from: nodes, count: count)
        c.count = count
        return c
    }

    @usableFromInline @inline(never) func grow() {
        let newCapacity = capacity * 2
        let nb = EventHeapStorage.allocate(newCapacity)
        (nb + EventHeapStorage.offset).moveInitialize(from: nodes, count: count)
        free(base)
        base = nb
        capacity = newCapacity
    }

    @inlinable @inline(__always)
    func push(_ e: Event) {
        if count == capacity { grow() }
        let h = nodes
        var i = count
        count = i + 1
        while i > 0 {
            let p = (i - 1) >> 2
            if !e.precedes(h[p]) { break }
            h[i] = h[p]
            i = p
        }
        h[i] = e
    }

    /// Removes the head; the heap must not be empty.
    @inlinable @inline(__always)
    func popMin() -> Event {
        let h = nodes
        let top = h[0]
        let n = count - 1
        count = n
        if n == 0 { return top }
        let last = h[n]
        // Hole sifting: move the smallest child up until `last` fits.
        var i = 0
        var touched: Int64 = 0
        let prefetch = n >= EventHeapStorage.prefetchThreshold
        while true {
            let c = 4 &* i &+ 1
            if c &+ 3 < n {
                // all four children present
                if prefetch {
                    // Software prefetch without a prefetch instruction: touch the 8 cache lines
                    // holding all 16 grandchildren (nodes 4c+1 ... 4c+16) now, while the children
                    // are being compared, so the next level's misses overlap with this one's.
                    let g = 4 &* c &+ 1
                    if g &+ 15 < n {
                        touched ^= h[g].time.nanoseconds ^ h[g &+ 2].time.nanoseconds
                            ^ h[g &+ 4].time.nanoseconds ^ h[g &+ 6].time.nanoseconds
                            ^ h[g &+ 8].time.nanoseconds ^ h[g &+ 10].time.nanoseconds
                            ^ h[g &+ 12].time.nanoseconds ^ h[g &+ 14].time.nanoseconds
                    }
                }
                // Branch-free tournament (selects, not jumps: the outcomes are coin flips).
                let m01 = c &+ Event.precedesBit(h[c &+ 1], h[c])
                let m23 = c &+ 2 &+ Event.precedesBit(h[c &+ 3], h[c &+ 2])
                let m = m01 &+ (m23 &- m01) &* Event.precedesBit(h[m23], h[m01])
                if !h[m].precedes(last) { break }
                h[i] = h[m]
                i = m
            } else {
                if c >= n { break }
                var m = c
                var k = c &+ 1
                while k < n {
                    if h[k].precedes(h[m]) { m = k }
                    k &+= 1
                }
                if h[m].precedes(last) {
                    h[i] = h[m]
                    i = m
                }
                break
            }
        }
        h[i] = last
        sink = touched
        return top
    }
}

/// A 4-ary min-heap of events in a cache-aligned buffer. No per-operation allocation once its
/// storage has grown. A value type (copy-on-write), like the Array it replaces.
public struct EventQueue {
    @usableFromInline var storage: EventHeapStorage

    public init(reservingCapacity n: Int = 0) { storage = EventHeapStorage(capacity: n) }

    @inlinable public var count: Int { storage.count }
    @inlinable public var isEmpty: Bool { storage.count == 0 }
    @inlinable public var first: Event? { storage.count > 0 ? storage.nodes[0] : nil }

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
        storage.count = 0
    }

    /// Visits the pending events in heap (not time) order.
    @inlinable func forEachUnordered(_ body: (Event) -> Void) {
        let h = storage.nodes
        for i in 0..<storage.count { body(h[i]) }
    }
}

/// Holds one registered handler; the run loop reaches it through `Unmanaged`, borrowing instead
/// of retaining and releasing it around every event.
@usableFromInline final class HandlerBox {
    @usableFromInline let handler: EventHandler
    @usableFromInline init(_ h: EventHandler) { handler = h }
}

/// The run loop: a clock, the event queue, registered handlers and cancellation.
public final class Simulation {
    // @exclusivity(unchecked): the run loop reads and writes these around every event; they are
    // plain values never passed inout across a handler call, so dynamic checks buy nothing.
    @exclusivity(unchecked) public private(set) var now: SimTime = .zero
    /// Events handed to a handler so far (cancelled events are not counted).
    @exclusivity(unchecked) public private(set) var eventsProcessed: UInt64 = 0
    @usableFromInline let heap = EventHeapStorage(capacity: 1024)
    @exclusivity(unchecked) @usableFromInline var nextSequence: UInt64 = 0
    /// Keeps the handlers alive; the run loop reads `fastHandlers`, the same boxes unretained.
    @usableFromInline var handlers: [HandlerBox] = []
    @usableFromInline var fastHandlers: ContiguousArray<Unmanaged<HandlerBox>> = []
    /// Sequences of cancelled events that may still be in the heap. Only membership is ever used
    /// (never iterated), so Set's per-process ordering cannot leak into the simulation.
    @usableFromInline var cancelled: Set<UInt64> = []
    @exclusivity(unchecked) @usableFromInline var stopRequested = false

    public init() {}

    /// Registers a handler and returns the `target` index that addresses it in events.
    public func register(_ handler: EventHandler) -> Int32 {
        let box = HandlerBox(handler)
        handlers.append(box)
        fastHandlers.append(Unmanaged.passUnretained(box))
        return Int32(handlers.count - 1)
    }

    /// Events waiting (including cancelled ones not yet popped).
    public var pendingCount: Int { heap.count }

    /// Time of the next pending event (possibly a cancelled one), nil when none is pending.
    public var nextEventTime: SimTime? { heap.count > 0 ? heap.nodes[0].time : nil }

    /// Schedules an event at an absolute time (never earlier than `now`).
    @discardableResult @inlinable
    public func schedule(at time: SimTime, target: Int32, kind: Int32, arg: Int64 = 0, priority: Int16 = 0) -> EventID {
        precondition(time >= now, "event scheduled in the past")
        let seq = nextSequence
        nextSequence = seq &+ 1
        heap.push(Event(time: time, order: Event.packOrder(priority: priority, sequence: seq),
                        target: target, kind: kind, arg: arg))
        return EventID(sequence: seq)
    }

    @discardableResult @inlinable
    public func schedule(after delay: SimDuration, target: Int32, kind: Int32, arg: Int64 = 0, priority: Int16 = 0) -> EventID {
        schedule(at: now + delay, target: target, kind: kind, arg: arg, priority: priority)
    }

    /// Cancels a pending event in O(1): it is skipped when it reaches the head of the queue.
    /// Cancelling an event that already ran, or twice, has no effect.
    public func cancel(_ id: EventID) {
        guard id.sequence < nextSequence else { return }
        cancelled.insert(id.sequence)
        // Entries for events that already ran are never removed by the run loop; keep the set
        // no larger than the heap by dropping them once in a while (amortised O(1) per cancel).
        if cancelled.count > Swift.max(1024, 2 * heap.count) { pruneCancelled() }
    }

    @usableFromInline func pruneCancelled() {
        var keep = Set<UInt64>(minimumCapacity: Swift.min(cancelled.count, heap.count))
        let h = heap.nodes
        for i in 0..<heap.count where cancelled.contains(h[i].sequence) { keep.insert(h[i].sequence) }
        cancelled = keep
    }

    /// Ends the current `run` after the event being handled.
    public func stop() { stopRequested = true }

    /// Runs events with time <= `end`, in order, until the queue is empty, `stop()` is called
    /// or `shouldStop` (checked after each event) returns true. Returns with `now == end` when
    /// it ran to the end, or at the time of the last event when stopped early.
    public func run(until end: SimTime = .distantFuture, shouldStop: (() -> Bool)? = nil) {
        stopRequested = false
        let heap = self.heap
        while heap.count > 0 && heap.nodes[0].time <= end {
            let e = heap.popMin()
            if !cancelled.isEmpty, cancelled.remove(e.sequence) != nil { continue }
            now = e.time
            eventsProcessed &+= 1
            fastHandlers[Int(e.target)]._withUnsafeGuaranteedRef { $0.handler.handle(e, in: self) }
            if stopRequested { return }
            if let s = shouldStop, s() { return }
        }
        if end != .distantFuture && now < end { now = end }
    }
}
