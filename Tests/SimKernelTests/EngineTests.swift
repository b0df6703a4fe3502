import XCTest
@testable import SimKernel

/// Records what it receives.
final class Recorder: EventHandler {
    var seen: [(time: Int64, kind: Int32, arg: Int64)] = []
    var onEvent: ((Event, Simulation) -> Void)?
    func handle(_ event: Event, in sim: Simulation) {
        XCTAssertEqual(sim.now, event.time)
        seen.append((event.time.nanoseconds, event.kind, event.arg))
        onEvent?(event, sim)
    }
    var args: [Int64] { seen.map(\.arg) }
}

final class EngineTests: XCTestCase {
    func testTimeOrder() {
        let sim = Simulation()
        let r = Recorder()
        let t = sim.register(r)
        for (i, s) in [5, 1, 4, 2, 3].enumerated() {
            sim.schedule(at: SimTime.zero + .seconds(Int64(s)), target: t, kind: 0, arg: Int64(i))
        }
        sim.run()
        XCTAssertEqual(r.seen.map(\.time), [1, 2, 3, 4, 5].map { Int64($0) * 1_000_000_000 })
        XCTAssertEqual(sim.eventsProcessed, 5)
        XCTAssertEqual(sim.now, SimTime.zero + .seconds(5))
    }

    func testSameTimeOrderIsPriorityThenFIFO() {
        let sim = Simulation()
        let r = Recorder()
        let t = sim.register(r)
        let at = SimTime.zero + .seconds(1)
        sim.schedule(at: at, target: t, kind: 0, arg: 0, priority: 0)
        sim.schedule(at: at, target: t, kind: 0, arg: 1, priority: 5)
        sim.schedule(at: at, target: t, kind: 0, arg: 2, priority: -3)
        sim.schedule(at: at, target: t, kind: 0, arg: 3, priority: 0)
        sim.schedule(at: at, target: t, kind: 0, arg: 4, priority: -3)
        sim.schedule(at: at, target: t, kind: 0, arg: 5, priority: Int16.min)
        sim.schedule(at: at, target: t, kind: 0, arg: 6, priority: Int16.max)
        sim.schedule(at: SimTime.zero + .milliseconds(999), target: t, kind: 0, arg: 7, priority: Int16.max)
        sim.run()
        XCTAssertEqual(r.args, [7, 5, 2, 4, 0, 3, 1, 6])
    }

    func testFIFOForManySameTimeEventsScheduledDuringRun() {
        // Events scheduled "now" from a handler run after those already pending at that time.
        let sim = Simulation()
        let r = Recorder()
        let t = sim.register(r)
        r.onEvent = { e, sim in
            if e.arg < 100 { sim.schedule(after: .zero, target: t, kind: 0, arg: e.arg + 100) }
        }
        for i in 0..<50 { sim.schedule(at: .zero, target: t, kind: 0, arg: Int64(i)) }
        sim.run()
        XCTAssertEqual(r.args, Array(0..<50).map(Int64.init) + Array(100..<150).map(Int64.init))
    }

    func testPriorityPacking() {
        for p: Int16 in [Int16.min, -1, 0, 1, Int16.max] {
            let e = Event(time: .zero, order: Event.packOrder(priority: p, sequence: 12345), target: 0, kind: 0, arg: 0)
            XCTAssertEqual(e.priority, p)
            XCTAssertEqual(e.sequence, 12345)
            XCTAssertEqual(e.id, EventID(sequence: 12345))
        }
    }

    func testCancellation() {
        let sim = Simulation()
        let r = Recorder()
        let t = sim.register(r)
        var ids: [EventID] = []
        for i in 0..<10 { ids.append(sim.schedule(at: SimTime.zero + .seconds(Int64(i + 1)), target: t, kind: 0, arg: Int64(i))) }
        sim.cancel(ids[3])
        sim.cancel(ids[3])  // twice: no effect
        sim.cancel(ids[9])
        sim.cancel(EventID(sequence: 1_000_000))  // never scheduled: no effect
        sim.run(until: SimTime.zero + .seconds(5))
        XCTAssertEqual(r.args, [0, 1, 2, 4])
        XCTAssertEqual(sim.eventsProcessed, 4, "cancelled events are not counted")
        sim.cancel(ids[0])  // already executed: harmless
        sim.run()
        XCTAssertEqual(r.args, [0, 1, 2, 4, 5, 6, 7, 8])
        XCTAssertEqual(sim.eventsProcessed, 8)
        XCTAssertEqual(sim.now, SimTime.zero + .seconds(9), "the cancelled last event does not move the clock")
    }

    func testCancelFromHandlerAndTimeoutReset() {
        // A timeout that is reset on every heartbeat only fires after the heartbeats stop.
        let sim = Simulation()
        let r = Recorder()
        let t = sim.register(r)
        var timeout = sim.schedule(after: .seconds(3), target: t, kind: 1)
        r.onEvent = { e, sim in
            if e.kind == 0 {
                sim.cancel(timeout)
                timeout = sim.schedule(after: .seconds(3), target: t, kind: 1)
            }
        }
        for s in 1...10 { sim.schedule(at: SimTime.zero + .seconds(Int64(s)), target: t, kind: 0) }
        sim.run()
        XCTAssertEqual(r.seen.filter { $0.kind == 1 }.map(\.time), [13_000_000_000])
        XCTAssertEqual(sim.eventsProcessed, 11)
    }

    func testCancelledSetStaysBounded() {
        // Cancelling events that already ran must not make the bookkeeping grow without bound.
        let sim = Simulation()
        let r = Recorder()
        let t = sim.register(r)
        for i in 0..<20_000 {
            let id = sim.schedule(at: SimTime(nanoseconds: Int64(i)), target: t, kind: 0)
            sim.run(until: SimTime(nanoseconds: Int64(i)))
            sim.cancel(id)
        }
        XCTAssertLessThanOrEqual(sim.cancelled.count, 1024 + 1)
        XCTAssertEqual(sim.eventsProcessed, 20_000)
    }

    func testRunUntilLeavesLaterEventsAndSetsNow() {
        let sim = Simulation()
        let r = Recorder()
        let t = sim.register(r)
        sim.schedule(at: SimTime.zero + .seconds(1), target: t, kind: 0, arg: 1)
        sim.schedule(at: SimTime.zero + .seconds(10), target: t, kind: 0, arg: 10)
        sim.schedule(at: SimTime.zero + .seconds(5), target: t, kind: 0, arg: 5)
        sim.run(until: SimTime.zero + .seconds(5))  // inclusive
        XCTAssertEqual(r.args, [1, 5])
        XCTAssertEqual(sim.pendingCount, 1)
        sim.run(until: SimTime.zero + .seconds(7))
        XCTAssertEqual(sim.now, SimTime.zero + .seconds(7))
        XCTAssertEqual(sim.nextEventTime, SimTime.zero + .seconds(10))
        sim.run()
        XCTAssertEqual(r.args, [1, 5, 10])
        XCTAssertEqual(sim.now, SimTime.zero + .seconds(10))
    }

    func testStopAndShouldStop() {
        let sim = Simulation()
        let r = Recorder()
        let t = sim.register(r)
        r.onEvent = { e, sim in if e.arg == 2 { sim.stop() } }
        for i in 0..<5 { sim.schedule(at: SimTime.zero + .seconds(Int64(i)), target: t, kind: 0, arg: Int64(i)) }
        sim.run(until: SimTime.zero + .seconds(100))
        XCTAssertEqual(r.args, [0, 1, 2])
        XCTAssertEqual(sim.now, SimTime.zero + .seconds(2), "stopped early: now stays at the last event")
        var calls = 0
        sim.run(shouldStop: { calls += 1; return calls == 1 })
        XCTAssertEqual(r.args, [0, 1, 2, 3])
        sim.run()
        XCTAssertEqual(r.args, [0, 1, 2, 3, 4])
    }

    func testSchedulingInThePastIsRejected() {
        // precondition: checked indirectly — scheduling at now is allowed.
        let sim = Simulation()
        let r = Recorder()
        let t = sim.register(r)
        sim.run(until: SimTime.zero + .seconds(3))
        sim.schedule(at: sim.now, target: t, kind: 0)
        sim.run()
        XCTAssertEqual(r.seen.count, 1)
    }

    func testHandlersRegisteredDuringRun() {
        let sim = Simulation()
        let a = Recorder(), b = Recorder()
        let ta = sim.register(a)
        a.onEvent = { _, sim in
            let tb = sim.register(b)
            sim.schedule(after: .seconds(1), target: tb, kind: 0, arg: 42)
        }
        sim.schedule(at: .zero, target: ta, kind: 0)
        sim.run()
        XCTAssertEqual(b.args, [42])
    }

    func testEventQueueMatchesSortedOrder() {
        // Random pushes and pops against a reference (sorted array) — heap invariants at every size.
        var q = EventQueue()
        var reference: [(Int64, UInt64)] = []
        let rng = RandomStream(seed: 7, name: "queue-test")
        var seq: UInt64 = 0
        func insertSorted(_ x: (Int64, UInt64)) {
            var lo = 0, hi = reference.count
            while lo < hi { let mid = (lo + hi) / 2; if reference[mid] < x { lo = mid + 1 } else { hi = mid } }
            reference.insert(x, at: lo)
        }
        for step in 0..<20_000 {
            let pushBias = step < 10_000 ? 3 : 1
            if rng.int(below: 4) < pushBias || reference.isEmpty {
                let t = Int64(rng.int(below: 1000))  // many equal times
                let p = Int16(rng.int(below: 3)) - 1
                let e = Event(time: SimTime(nanoseconds: t), order: Event.packOrder(priority: p, sequence: seq), target: 0, kind: 0, arg: 0)
                seq += 1
                q.push(e)
                insertSorted((t, e.order))
            } else {
                let e = q.pop()!
                let want = reference.removeFirst()
                XCTAssertEqual(e.time.nanoseconds, want.0)
                XCTAssertEqual(e.order, want.1)
            }
            XCTAssertEqual(q.count, reference.count)
        }
        while let e = q.pop() {
            XCTAssertEqual(e.order, reference.removeFirst().1)
        }
        XCTAssertTrue(reference.isEmpty)
        XCTAssertNil(q.first)
    }

    func testLargeQueueWithPrefetchPath() {
        // Above the prefetch threshold the pop path differs; check ordering there too.
        var q = EventQueue(reservingCapacity: 10)
        let n = EventHeapStorage.prefetchThreshold + 1000
        let rng = RandomStream(seed: 3, name: "big")
        for i in 0..<n {
            q.push(Event(time: SimTime(nanoseconds: Int64(rng.int(below: 1 << 30))), order: UInt64(i), target: 0, kind: 0, arg: Int64(i)))
        }
        var last = Int64.min
        for _ in 0..<50_000 {
            let e = q.pop()!
            XCTAssertGreaterThanOrEqual(e.time.nanoseconds, last)
            last = e.time.nanoseconds
            q.push(Event(time: SimTime(nanoseconds: last + Int64(rng.int(below: 1 << 20))), order: e.order + UInt64(n), target: 0, kind: 0, arg: 0))
        }
        XCTAssertEqual(q.count, n)
    }

    func testEventQueueIsAValue() {
        var a = EventQueue()
        a.push(Event(time: .zero, order: 0, target: 0, kind: 0, arg: 1))
        var b = a
        b.push(Event(time: .zero, order: 1, target: 0, kind: 0, arg: 2))
        XCTAssertEqual(a.count, 1)
        XCTAssertEqual(b.count, 2)
        _ = a.pop()
        XCTAssertEqual(b.count, 2)
        XCTAssertEqual(b.first?.arg, 1)
    }

    func testDeterministicReplay() {
        func run() -> [Int64] {
            let sim = Simulation()
            let r = Recorder()
            let t = sim.register(r)
            let rng = RandomStream(seed: 99, name: "replay")
            r.onEvent = { e, sim in
                if e.arg < 2000 {
                    sim.schedule(after: .fromSeconds(rng.exponential(mean: 0.01)), target: t, kind: 0, arg: e.arg + 1)
                    if rng.uniform() < 0.3 { sim.schedule(after: .zero, target: t, kind: 1, arg: e.arg + 5000) }
                }
            }
            sim.schedule(at: .zero, target: t, kind: 0, arg: 0)
            sim.run()
            return r.seen.map { $0.time &* 31 &+ $0.arg }
        }
        XCTAssertEqual(run(), run())
    }
}
