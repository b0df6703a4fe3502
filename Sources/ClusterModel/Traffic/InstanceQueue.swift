import SimKernel

/// The requests an instance (one Mesos task) is working on. Processor sharing keeps a virtual
/// clock (the service each request has received: it grows at 1/n per second with n requests
/// inside) and the finish tags of its requests in a heap, so only the next completion is ever
/// scheduled; FIFO serves `concurrency` requests at once, each with its own completion, and keeps
/// the others waiting in arrival order.
final class InstanceQueue {
    let task: TaskID
    let discipline: QueueDiscipline
    /// Bumped whenever the next PS completion moves (stale completion events are ignored).
    var generation: UInt32 = 0
    // processor sharing
    private var virtualTime = 0.0
    private var lastUpdate = SimTime.zero
    private var tags: [(tag: Double, slot: Int32)] = []
    // FIFO
    private(set) var busy = 0
    private var waiting: [Int32] = []
    private var head = 0

    init(task: TaskID, discipline: QueueDiscipline) { self.task = task; self.discipline = discipline }

    /// Requests inside (served or waiting).
    var count: Int {
        switch discipline {
        case .processorSharing: return tags.count
        case .fifo: return busy + waiting.count - head
        }
    }

    // MARK: processor sharing

    private func advance(to now: SimTime) {
        if !tags.isEmpty { virtualTime += (now - lastUpdate).seconds / Double(tags.count) }
        lastUpdate = now
    }

    /// A request with `work` seconds of service joins; returns when the next completion is due.
    func psArrive(slot: Int32, work: Double, now: SimTime) -> SimTime {
        advance(to: now)
        tags.append((virtualTime + work, slot))
        siftUp(tags.count - 1)
        generation &+= 1
        return psNextCompletion()
    }

    /// The next completion's time (tags non-empty).
    func psNextCompletion() -> SimTime {
        let remaining = max(0, tags[0].tag - virtualTime) * Double(tags.count)
        // rounded up to the next nanosecond; a completion past Int64 nanoseconds (a service time
        // drawn from a huge distribution) saturates instead of trapping (fromSeconds and SimTime's +)
        return lastUpdate + SimDuration.fromSeconds((remaining * 1e9).rounded(.up) / 1e9)
    }

    /// The request with the smallest tag completes now; returns its slot and the next completion (if any).
    func psComplete(now: SimTime) -> (slot: Int32, next: SimTime?) {
        advance(to: now)
        let done = tags[0]
        virtualTime = max(virtualTime, done.tag)
        let last = tags.removeLast()
        if !tags.isEmpty { tags[0] = last; siftDown(0) }
        generation &+= 1
        return (done.slot, tags.isEmpty ? nil : psNextCompletion())
    }

    private func siftUp(_ i0: Int) {
        var i = i0
        while i > 0 {
            let p = (i - 1) / 2
            guard tags[i].tag < tags[p].tag || (tags[i].tag == tags[p].tag && tags[i].slot < tags[p].slot) else { break }
            tags.swapAt(i, p); i = p
        }
    }

    private func siftDown(_ i0: Int) {
        var i = i0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < tags.count && (tags[l].tag < tags[m].tag || (tags[l].tag == tags[m].tag && tags[l].slot < tags[m].slot)) { m = l }
            if r < tags.count && (tags[r].tag < tags[m].tag || (tags[r].tag == tags[m].tag && tags[r].slot < tags[m].slot)) { m = r }
            if m == i { return }
            tags.swapAt(i, m); i = m
        }
    }

    // MARK: FIFO

    /// A request joins: true when it starts service now (a worker was free).
    func fifoArrive(slot: Int32, concurrency: Int) -> Bool {
        if busy < concurrency { busy += 1; return true }
        waiting.append(slot)
        return false
    }

    /// A served request leaves: the next waiting one (if any) takes its worker.
    func fifoDepart() -> Int32? {
        if head < waiting.count {
            let s = waiting[head]
            head += 1
            if head > 64 && head * 2 > waiting.count { waiting.removeFirst(head); head = 0 }
            return s
        }
        busy -= 1
        return nil
    }
}
