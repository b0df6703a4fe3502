import XCTest
@testable import ClusterModel
import SimKernel

/// Issue 14 follow-up, memory per task ever launched: Mesos' task table, Marathon's instances by
/// task id and Mesos' launch counts per task name follow the live tasks, not every task ever
/// launched (before: a slot per task id and a count per name, for the whole run). Task ids stay
/// monotonic (only the storage is recycled), so every output is the same (the event-log digests
/// and golden results of docs/benchmarks.md).
final class TaskTableMemoryTests: XCTestCase {
    /// The table against a dictionary under ids given in order and removed in a random order
    /// (long-lived ones among many short-lived): same answers, ids ascending, and slots held within
    /// 8 x the entries + the minimum.
    func testSlotTableMatchesADictionaryAndFollowsTheEntries() {
        var t = SlotTable<MarathonInstance>()
        var ref: [TaskID: MarathonInstance] = [:]
        let r = RandomStream(seed: 7, name: "slot-table")
        let changes = ChangeCount(app: 0)
        var next = 0
        var peakCapacity = 0
        var keys: [TaskID] = []   // the live ids, ascending (given in order)
        for step in 0..<24_000 {
            // phases: grow to ~3,000 live, then churn around 3,000, then drain to a few long-lived ones
            let live = keys.count
            let wantAdd = step < 8_000 ? r.uniform() < 0.7 : step < 16_000 ? (live < 3_000) == (r.uniform() < 0.9) : r.uniform() < 0.1
            if wantAdd || live == 0 {
                let i = MarathonInstance(task: next, name: "a.\(next)", app: 0, version: 1, host: 0, launchedAt: .zero, checks: 0,
                                         hasReadiness: false, changes: changes)
                t[next] = i; ref[next] = i; keys.append(next); next += 1
            } else {
                // mostly recent ids; now and then an old one (the long-lived tasks stay)
                let at = r.uniform() < 0.8 ? keys.count - 1 - r.int(below: min(keys.count, 50)) : r.int(below: keys.count)
                let k = keys.remove(at: at)
                t[k] = nil; ref[k] = nil
                t[k] = nil   // removing an absent id changes nothing
            }
            XCTAssertEqual(t.count, ref.count)
            XCTAssertLessThanOrEqual(t.capacity, 8 * t.count + SlotTable<MarathonInstance>.minimumCapacity, "step \(step)")
            peakCapacity = max(peakCapacity, t.capacity)
            if step % 997 == 0 {
                XCTAssertEqual(t.indices, keys, "step \(step)")
                for id in max(0, next - 200)..<(next + 3) { XCTAssertTrue(t[id] === ref[id], "id \(id)") }
                for (id, i) in ref { XCTAssertTrue(t[id] === i) }
            }
        }
        XCTAssertNil(t[-1]); XCTAssertNil(t[next + 1_000])
        XCTAssertGreaterThan(next, 10_000)
        XCTAssertGreaterThanOrEqual(peakCapacity, 4_096)
        XCTAssertLessThan(ref.count, 200)
        XCTAssertLessThanOrEqual(t.capacity, 8 * ref.count + SlotTable<MarathonInstance>.minimumCapacity)
    }

    struct Sizes {
        var launched = 0
        var peakLive = 0
        /// Largest (slots held - 8 x live) seen at any event, Mesos' and Marathon's tables.
        var mesosExcess = Int.min, marathonExcess = Int.min
        var mesosCapacityEnd = 0, marathonCapacityEnd = 0, liveEnd = 0
        var launchCounts = 0
        var crashes = 0
    }

    /// An app whose tasks crash seconds after they start, relaunched at once (back-off 0.1 s, at
    /// most 1 s), beside a steady app of long-lived tasks; scaled from 30 to 2 instances after 2 h.
    static func crashLoop(seed: UInt64, hours: Int64) -> Sizes {
        let web = MarathonRuntimeTests.app("/web", instances: 5, cpus: 0.25)
        var crashy = MarathonRuntimeTests.app("/crashy", instances: 30, cpus: 0.25)
        crashy.backoff = BackoffStrategy(backoff: .milliseconds(100), factor: 1, maxLaunchDelay: .seconds(1))
        let beh = [AppBehaviour(task: TaskBehaviour(startup: .constant(5)), imageSizeBytes: 1_000_000),
                   AppBehaviour(task: TaskBehaviour(startup: .constant(1), timeToCrash: .exponential(mean: 20)), imageSizeBytes: 1_000_000)]
        let spec = ReconciliationBulkTests.reconcilingSpec(seed: seed, duration: .hours(hours), apps: [web, crashy], behaviour: beh)
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        let mesos = m.mesos!, mar = m.marathon!
        let calls = TimedCalls(m.sim)
        calls.at(.zero + .hours(2), priority: 0) { _ = mar.scale(app: "/crashy", instances: 2, force: true) }
        var s = Sizes()
        XCTAssertTrue(m.run {
            // live: the instances Marathon holds (what the tables must follow, whatever they count)
            var live = 0
            for a in mar.apps { live += a.instances.count }
            s.peakLive = max(s.peakLive, live)
            s.mesosExcess = max(s.mesosExcess, mesos.tasks.capacity - 8 * live)
            s.marathonExcess = max(s.marathonExcess, mar.byTask.capacity - 8 * live)
            return false
        })
        s.launched = mesos.nextTaskID
        s.mesosCapacityEnd = mesos.tasks.capacity
        s.marathonCapacityEnd = mar.byTask.capacity
        s.liveEnd = mar.apps.reduce(0) { $0 + $1.instances.count }
        s.launchCounts = mesos.taskLaunchCounts.count
        s.crashes = o.events.filter { $0.event == TaskState.failed.rawValue }.count
        return s
    }

    func testCrashLoopingAppKeepsTheTablesBoundedByTheLiveTasks() {
        let s = Self.crashLoop(seed: 3, hours: 4)
        // many more tasks launched than ever live at once
        XCTAssertGreaterThan(s.crashes, 3_000)
        XCTAssertGreaterThan(s.launched, 3_000)
        XCTAssertLessThan(s.peakLive, 60)
        // at every event, slots held <= 8 x live + the minimum (the old slot per id ever launched
        // grew to `launched`)
        let minimum = SlotTable<MesosTask>.minimumCapacity
        XCTAssertLessThanOrEqual(s.mesosExcess, minimum)
        XCTAssertLessThanOrEqual(s.marathonExcess, minimum)
        // after the scale-down the storage went back down with the live tasks
        XCTAssertLessThan(s.liveEnd, 15)
        XCTAssertLessThanOrEqual(s.mesosCapacityEnd, 8 * s.liveEnd + minimum)
        XCTAssertLessThanOrEqual(s.marathonCapacityEnd, 8 * s.liveEnd + minimum)
        XCTAssertLessThanOrEqual(s.mesosCapacityEnd, 128)
        // Marathon's task names never repeat: no launch count kept for them
        XCTAssertEqual(s.launchCounts, 0)
    }

    /// A name launched again is still counted (its stream "task:<name>#<k>" takes the next k),
    /// flagged or not; a flagged name launched once leaves no count.
    func testLaunchCountsKeepRepeatedNames() {
        let spec = ReconciliationBulkTests.reconcilingSpec(seed: 1, duration: .minutes(5), apps: [], behaviour: [])
        let m = ClusterSimulation(spec: spec, observer: MemoryObserver())
        let mesos = m.mesos!
        XCTAssertEqual(mesos.launchOrdinal(name: "a.1", neverRepeats: true), 0)
        XCTAssertNil(mesos.taskLaunchCounts["a.1"])
        XCTAssertEqual(mesos.launchOrdinal(name: "b", neverRepeats: false), 0)
        XCTAssertEqual(mesos.launchOrdinal(name: "b", neverRepeats: true), 1)
        XCTAssertEqual(mesos.launchOrdinal(name: "b", neverRepeats: false), 2)
        XCTAssertEqual(mesos.taskLaunchCounts["b"], 3)
    }
}
