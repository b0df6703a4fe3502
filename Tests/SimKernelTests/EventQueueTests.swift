import XCTest
@testable import SimKernel

/// The queue keeps 16-byte (time, slot) keys in the heap and each event's order, target, kind and
/// arg in a slab slot: these tests check that every field comes back with its event, in
/// (time, order) order, through ties, slot reuse, growth, copies and cancellation.
final class EventQueueTests: XCTestCase {
    /// An independent reference: a plain binary min-heap of whole events, ordered by
    /// (time, order) with `Event.precedes`.
    struct ReferenceHeap {
        var a: [Event] = []
        var count: Int { a.count }
        mutating func push(_ e: Event) {
            a.append(e)
            var i = a.count - 1
            while i > 0 {
                let p = (i - 1) / 2
                if !a[i].precedes(a[p]) { break }
                a.swapAt(i, p)
                i = p
            }
        }
        mutating func pop() -> Event? {
            guard !a.isEmpty else { return nil }
            let top = a[0]
            let last = a.removeLast()
            if !a.isEmpty {
                a[0] = last
                var i = 0
                while true {
                    let l = 2 * i + 1, r = l + 1
                    var m = i
                    if l < a.count && a[l].precedes(a[m]) { m = l }
                    if r < a.count && a[r].precedes(a[m]) { m = r }
                    if m == i { break }
                    a.swapAt(i, m)
                    i = m
                }
            }
            return top
        }
    }

    func assertSame(_ got: Event?, _ want: Event?, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
        guard let g = got, let w = want else {
            XCTAssertEqual(got == nil, want == nil, "one side empty \(message)", file: file, line: line)
            return
        }
        XCTAssertEqual(g.time, w.time, message, file: file, line: line)
        XCTAssertEqual(g.order, w.order, message, file: file, line: line)
        XCTAssertEqual(g.target, w.target, message, file: file, line: line)
        XCTAssertEqual(g.kind, w.kind, message, file: file, line: line)
        XCTAssertEqual(g.arg, w.arg, message, file: file, line: line)
    }

    /// An event whose payload fields are all derived from `seq`, so a payload mixed up with
    /// another slot's is caught.
    func event(time: Int64, priority: Int16, seq: UInt64) -> Event {
        Event(time: SimTime(nanoseconds: time), order: Event.packOrder(priority: priority, sequence: seq),
              target: Int32(truncatingIfNeeded: seq &* 7), kind: Int32(truncatingIfNeeded: seq % 5),
              arg: Int64(bitPattern: seq &* 0x9E37_79B9_7F4A_7C15))
    }

    func testTiesFollowOrderAndPayloadsTravelWithTheirEvents() {
        // Everything at one time: the order is decided by priority, then sequence, both of which
        // live in the slab; push in an order that is neither sorted nor reversed.
        var q = EventQueue()
        var all: [Event] = []
        let priorities: [Int16] = [0, Int16.max, -1, Int16.min, 1, 0, -1]
        for s in 0..<700 {
            let e = event(time: 5, priority: priorities[(s * 3) % priorities.count], seq: UInt64((s * 389) % 700))
            all.append(e)
            q.push(e)
        }
        let sorted = all.sorted { $0.precedes($1) }
        for want in sorted { assertSame(q.pop(), want) }
        XCTAssertNil(q.pop())
    }

    func testRandomMixAgainstReferenceWithManyTies() {
        var q = EventQueue()
        var ref = ReferenceHeap()
        let rng = RandomStream(seed: 11, name: "queue-ties")
        var seq: UInt64 = 0
        for step in 0..<30_000 {
            let pushBias = step < 15_000 ? 3 : 1
            if rng.int(below: 4) < pushBias || ref.count == 0 {
                // times in 0..<50: most pushes tie with pending events; some earlier than the last
                // pop (the queue itself does not require monotone time)
                let e = event(time: Int64(rng.int(below: 50)), priority: Int16(rng.int(below: 5)) - 2, seq: seq)
                seq += 1
                q.push(e)
                ref.push(e)
            } else {
                assertSame(q.first, ref.a.first)
                assertSame(q.pop(), ref.pop(), "step \(step)")
            }
            XCTAssertEqual(q.count, ref.count)
        }
        while ref.count > 0 { assertSame(q.pop(), ref.pop()) }
        XCTAssertNil(q.pop())
        XCTAssertTrue(q.isEmpty)
    }

    func testLargeRandomSequenceAgainstReference() {
        // Large enough for the prefetching pop path and several growths from a tiny reservation.
        let n = EventHeapStorage.prefetchThreshold * 8 + 123
        var q = EventQueue(reservingCapacity: 1)
        var ref = ReferenceHeap()
        ref.a.reserveCapacity(n + 1)
        let rng = RandomStream(seed: 5, name: "queue-large")
        var seq: UInt64 = 0
        for _ in 0..<n {
            let e = event(time: Int64(rng.int(below: 1 << 24)), priority: 0, seq: seq)
            seq += 1
            q.push(e)
            ref.push(e)
        }
        // hold-like phase: pop then push a later event; one push in 16 goes anywhere
        var now: Int64 = 0
        for i in 0..<40_000 {
            let got = q.pop()
            let want = ref.pop()
            assertSame(got, want, "pop \(i)")
            now = want!.time.nanoseconds
            let t = i % 16 == 0 ? Int64(rng.int(below: 1 << 24)) : now + Int64(rng.int(below: 1 << 16))
            let e = event(time: t, priority: Int16(rng.int(below: 3)) - 1, seq: seq)
            seq += 1
            q.push(e)
            ref.push(e)
        }
        XCTAssertEqual(q.count, n)
        // drain part of it, then push again so freed slots are reused at a different count
        for _ in 0..<(n / 2) { assertSame(q.pop(), ref.pop()) }
        for _ in 0..<1000 {
            let e = event(time: Int64(rng.int(below: 1 << 25)), priority: 0, seq: seq)
            seq += 1
            q.push(e)
            ref.push(e)
        }
        while ref.count > 0 { assertSame(q.pop(), ref.pop()) }
        XCTAssertTrue(q.isEmpty)
    }

    func testCopiesAreIndependent() {
        var a = EventQueue(reservingCapacity: 4)
        for s in 0..<40 { a.push(event(time: Int64(40 - s), priority: 0, seq: UInt64(s))) }
        var b = a
        // Pops free slots in `b` that the pushes below reuse: `a`'s payloads must not change.
        for _ in 0..<20 { _ = b.pop() }
        for s in 100..<200 { b.push(event(time: Int64(s % 7), priority: 1, seq: UInt64(s))) }
        var refA: [Event] = (0..<40).map { event(time: Int64(40 - $0), priority: 0, seq: UInt64($0)) }
        refA.sort { $0.precedes($1) }
        for want in refA { assertSame(a.pop(), want) }
        XCTAssertTrue(a.isEmpty)
        var refB: [Event] = (0..<20).map { event(time: Int64(40 - $0), priority: 0, seq: UInt64($0)) }
        refB += (100..<200).map { event(time: Int64($0 % 7), priority: 1, seq: UInt64($0)) }
        refB.sort { $0.precedes($1) }
        XCTAssertEqual(b.count, refB.count)
        for want in refB { assertSame(b.pop(), want) }
    }

    func testRemoveAllRecyclesSlots() {
        var q = EventQueue(reservingCapacity: 16)
        for round in 0..<3 {
            for s in 0..<100 { q.push(event(time: Int64((s * 37) % 100), priority: 0, seq: UInt64(round * 1000 + s))) }
            for _ in 0..<30 { _ = q.pop() }
            q.removeAll()
            XCTAssertTrue(q.isEmpty)
            XCTAssertNil(q.first)
        }
        var ref: [Event] = []
        for s in 0..<200 {
            let e = event(time: Int64(s % 13), priority: Int16(s % 3), seq: UInt64(5000 + s))
            ref.append(e)
            q.push(e)
        }
        ref.sort { $0.precedes($1) }
        for want in ref { assertSame(q.pop(), want) }
    }

    /// Delivers events to handlers and cancels at random, against a reference computed from the
    /// same schedule with the cancelled ids left out.
    final class Log: EventHandler {
        var record: (Event) -> Void = { _ in }
        func handle(_ event: Event, in sim: Simulation) {
            XCTAssertEqual(sim.now, event.time)
            record(event)
        }
    }

    func testSimulationCancellationAgainstReference() {
        let sim = Simulation()
        var delivered: [Event] = []
        let logs = [Log(), Log(), Log()]
        for log in logs { log.record = { delivered.append($0) } }
        let targets = logs.map { sim.register($0) }
        let rng = RandomStream(seed: 23, name: "cancel-ref")
        var scheduled: [Event] = []
        var ids: [EventID] = []
        for i in 0..<6000 {
            let t = SimTime(nanoseconds: Int64(rng.int(below: 300)))  // many ties
            let p = Int16(rng.int(below: 3)) - 1
            let target = targets[i % 3]
            let id = sim.schedule(at: t, target: target, kind: Int32(i % 4), arg: Int64(i) * 3, priority: p)
            ids.append(id)
            scheduled.append(Event(time: t, order: Event.packOrder(priority: p, sequence: id.sequence),
                                   target: target, kind: Int32(i % 4), arg: Int64(i) * 3))
        }
        // First wave: about half, some twice (past max(1024, 2 x pending) the set is pruned).
        var early = Set<UInt64>()
        for id in ids where rng.int(below: 2) == 0 {
            sim.cancel(id)
            early.insert(id.sequence)
            if rng.int(below: 10) == 0 { sim.cancel(id) }
        }
        sim.run(until: SimTime(nanoseconds: 100))
        // Second wave, after part of the run: ids that already ran are no-ops (and get pruned),
        // pending ones must still be dropped after pruning.
        var late = Set<UInt64>()
        for id in ids where !early.contains(id.sequence) && rng.int(below: 3) == 0 {
            sim.cancel(id)
            late.insert(id.sequence)
        }
        sim.run()
        let want = scheduled.sorted { $0.precedes($1) }.filter { e in
            !early.contains(e.sequence) && !(late.contains(e.sequence) && e.time.nanoseconds > 100)
        }
        XCTAssertGreaterThan(want.count, 1000)
        XCTAssertEqual(delivered.count, want.count)
        for (g, w) in zip(delivered, want) { assertSame(g, w) }
        XCTAssertEqual(sim.eventsProcessed, UInt64(want.count))
        XCTAssertEqual(sim.pendingCount, 0)
    }
}
