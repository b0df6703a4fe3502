// The engine: a value-type event, a binary heap ordered by (time, priority, sequence),
// lazy O(1) cancellation and the run loop. It knows nothing about clusters.

/// Identifies a scheduled event so it can be cancelled (its insertion sequence number).
public struct EventID: Hashable, Sendable {
    public let sequence: UInt64
    @inlinable public init(sequence: UInt64) { self.sequence = sequence }
}

/// A scheduled event. Plain value: who handles it (`target`), what it means to that handler
/// (`kind`) and one integer of payload (`arg`: an index, a generation number ...).
///
/// Same-time order: events at the same `time` run by ascending `priority` (lower first), then in
/// the order they were scheduled (FIFO by insertion sequence). Both are packed into `order`:
/// the priority, biased to be unsigned, in the top 16 bits and the sequence in the low 48 bits.
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
    @inlinable public func precedes(_ other: Event) -> Bool {
        time.nanoseconds < other.time.nanoseconds
            || (time.nanoseconds == other.time.nanoseconds && order < other.order)
    }
}

/// Models receive their events through this protocol.
public protocol EventHandler: AnyObject {
    func handle(_ event: Event, in sim: Simulation)
}

/// A binary min-heap of events. No per-operation allocation once its storage has grown.
public struct EventQueue {
    @usableFromInline var heap: [Event] = []

    public init(reservingCapacity n: Int = 0) { heap.reserveCapacity(n) }

    @inlinable public var count: Int { heap.count }
    @inlinable public var isEmpty: Bool { heap.isEmpty }
    @inlinable public var first: Event? { heap.first }

    @inlinable public mutating func push(_ e: Event) {
        heap.append(e)
        heap.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            while i > 0 {
                let p = (i - 1) >> 1
                if !e.precedes(h[p]) { break }
                h[i] = h[p]
                i = p
            }
            h[i] = e
        }
    }

    @inlinable public mutating func pop() -> Event? {
        guard let last = heap.popLast() else { return nil }
        if heap.isEmpty { return last }
        let top = heap[0]
        heap.withUnsafeMutableBufferPointer { h in
            let n = h.count
            var i = 0
            while true {
                var c = 2 * i + 1
                if c >= n { break }
                if c + 1 < n && h[c + 1].precedes(h[c]) { c += 1 }
                if !h[c].precedes(last) { break }
                h[i] = h[c]
                i = c
            }
            h[i] = last
        }
        return top
    }

    public mutating func removeAll() { heap.removeAll(keepingCapacity: true) }
}

/// The run loop: a clock, the event queue, registered handlers and cancellation.
public final class Simulation {
    public private(set) var now: SimTime = .zero
    /// Events handed to a handler so far (cancelled events are not counted).
    public private(set) var eventsProcessed: UInt64 = 0
    @usableFromInline var queue = EventQueue()
    @usableFromInline var nextSequence: UInt64 = 0
    @usableFromInline var handlers: [EventHandler] = []
    @usableFromInline var cancelled: Set<UInt64> = []
    @usableFromInline var stopRequested = false

    public init() {}

    /// Registers a handler and returns the `target` index that addresses it in events.
    public func register(_ handler: EventHandler) -> Int32 {
        handlers.append(handler)
        return Int32(handlers.count - 1)
    }

    /// Events waiting (including cancelled ones not yet popped).
    public var pendingCount: Int { queue.count }

    /// Schedules an event at an absolute time (never earlier than `now`).
    @discardableResult @inlinable
    public func schedule(at time: SimTime, target: Int32, kind: Int32, arg: Int64 = 0, priority: Int16 = 0) -> EventID {
        precondition(time >= now, "event scheduled in the past")
        let seq = nextSequence
        nextSequence &+= 1
        queue.push(Event(time: time, order: Event.packOrder(priority: priority, sequence: seq),
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
        if id.sequence < nextSequence { cancelled.insert(id.sequence) }
    }

    /// Ends the current `run` after the event being handled.
    public func stop() { stopRequested = true }

    /// Runs events with time <= `end`, in order, until the queue is empty, `stop()` is called
    /// or `shouldStop` (checked after each event) returns true. Returns with `now == end` when
    /// it ran to the end, or at the time of the last event when stopped early.
    public func run(until end: SimTime = .distantFuture, shouldStop: (() -> Bool)? = nil) {
        stopRequested = false
        while let head = queue.first, head.time <= end {
            let e = queue.pop()!
            if !cancelled.isEmpty, cancelled.remove(e.sequence) != nil { continue }
            now = e.time
            eventsProcessed &+= 1
            handlers[Int(e.target)].handle(e, in: self)
            if stopRequested { return }
            if let s = shouldStop, s() { return }
        }
        if end != .distantFuture && now < end { now = end }
    }
}
