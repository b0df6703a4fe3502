// The engine: a value-type event ordered by (time, priority, sequence), O(1) lazy cancellation
// and the run loop. The event queue itself is in EventQueue.swift. It knows nothing about clusters.

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
    /// Events scheduled so far (the next event's insertion sequence). A model that folds several
    /// same-time timers into one checks with it that nothing was scheduled between them, so the
    /// folded timer keeps their place in the (time, priority, sequence) order.
    @inlinable public var scheduledCount: UInt64 { nextSequence }
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
    public var nextEventTime: SimTime? { heap.count > 0 ? SimTime(nanoseconds: heap.keys[0].time) : nil }

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
        let h = heap.keys
        for i in 0..<heap.count {
            let sequence = heap.payloads[h[i].slot].order & Event.sequenceMask
            if cancelled.contains(sequence) { keep.insert(sequence) }
        }
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
        let endNs = end.nanoseconds
        while heap.count > 0 && heap.keys[0].time <= endNs {
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
