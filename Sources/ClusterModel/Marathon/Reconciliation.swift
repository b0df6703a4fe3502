import SimKernel

/// What Marathon knows about its tasks' reconciliation answers between two explicit
/// reconciliations (`MarathonScheduler.reconcileTasks`, `SchedulerDriver.reconcileChanges`). An
/// instance is *quiet* (`MarathonInstance.reconQuiet`) when its last answer repeated its state (not
/// TASK_UNREACHABLE) and its state has not been set since: while Mesos' answer does not change
/// either, the next answer is again a plain repeat, whose only effect is its app's
/// `refreshSatisfied`. Every other instance is *loud*: Mesos answers it one by one.
final class ReconciliationTracker {
    /// Tasks whose instance is not known quiet (repeats, forgotten and since-quiet ids are dropped
    /// at each reconciliation).
    var loud: [TaskID] = []
    /// Quiet instances.
    var quiet = 0
    /// From a `reconcileChanges` until its answers are handled: instances quiet at the call whose
    /// state was set since (and not handled yet, task > `cursor`), with the answer they had then.
    var awaiting = false
    var captured: [ReconciliationAnswer] = []
    /// While answers are handled: the last task handled.
    var cursor = -1
    /// While answers are handled: apps whose `ChangeCount` moved.
    var watching = false
    var bumped: [Int] = []

    /// A quiet instance's state was set (`MarathonInstance.state`): `state` is the one before.
    func dirtied(_ task: TaskID, _ state: TaskState, _ agent: Int) {
        quiet -= 1
        loud.append(task)
        if awaiting && task > cursor { captured.append(ReconciliationAnswer(task: task, state: state, agent: agent)) }
    }
}

/// Binary search in an ascending list.
func sortedContains(_ list: [TaskID], _ x: TaskID) -> Bool {
    var lo = 0, hi = list.count
    while lo < hi {
        let m = (lo + hi) / 2
        if list[m] < x { lo = m + 1 } else { hi = m }
    }
    return lo < list.count && list[lo] == x
}

extension MarathonScheduler {
    /// The loud tasks to ask Mesos about (each once, ascending), apps pointed at the tracker.
    func prepareReconciliation() -> [TaskID] {
        for a in apps where a.changes.recon == nil {
            // instances made before: loud (later ones are entered by their init)
            a.changes.recon = recon
            for i in a.instances { recon.loud.append(i.task) }
        }
        let l = sortedUnique(recon.loud.filter { byTask[$0].map { !$0.reconQuiet } ?? false })
        recon.loud = l
        recon.awaiting = true
        recon.captured = []
        recon.cursor = -1
        return l
    }

    /// One answer as `reconciliationAnswers` handles it; an answer that is a plain repeat makes its
    /// instance quiet.
    func handleAnswer(_ r: ReconciliationAnswer) {
        if leaderReady, let inst = byTask[r.task], inst.state == r.state, r.state != .unreachable {
            refreshSatisfied(apps[inst.app])
            if !inst.reconQuiet {
                inst.reconQuiet = true
                inst.reconAgent = r.agent
                recon.quiet += 1
            }
        } else {
            statusUpdate(r.update)
        }
    }

    /// The answers to `reconcileTasks` (MesosFramework.reconciliationDelta). Full: each handled in
    /// order (`reconciliationAnswers`). Else the examined answers and the answers of instances quiet
    /// at the call that changed since are handled in task order; every other task's answer is a
    /// plain repeat, whose effect is its app's `refreshSatisfied`: that does something only for an
    /// app whose count moved since its last one (`satisfiedCountedAt`), so it is done for such an
    /// app at its first quiet task after the move, in task order among the answers.
    public func reconciliationDelta(_ d: ReconciliationDelta) {
        defer {
            recon.awaiting = false; recon.captured = []; recon.cursor = -1
            recon.watching = false; recon.bumped = []
            for id in d.examined { if let inst = byTask[id], !inst.reconQuiet { recon.loud.append(id) } }
        }
        // Examined tasks are handled by their answers (or have none): quiet again only by a repeat.
        for id in d.examined { if let inst = byTask[id], inst.reconQuiet { inst.reconQuiet = false; recon.quiet -= 1 } }
        if d.full {
            recon.awaiting = false
            for r in d.answers { handleAnswer(r) }
            return
        }
        guard leaderReady else { return materialized(d, answerIndex: 0) }
        var pendingFlag = [Bool](repeating: false, count: apps.count)
        var pending: [(app: Int, next: TaskID)] = []
        func addIfPending(_ k: Int) {
            guard k < pendingFlag.count else { return }
            let a = apps[k]
            guard !pendingFlag[k], a.firstDeployFinished != nil, a.satisfiedCountedAt != a.changes.version else { return }
            pendingFlag[k] = true
            pending.append((k, -1))
        }
        // The app's first quiet task after the cursor that was not examined (nil: none).
        func nextQuiet(_ k: Int) -> TaskID? {
            var best: TaskID?
            for inst in apps[k].instances where inst.reconQuiet && inst.task > recon.cursor && (best == nil || inst.task < best!) {
                if !sortedContains(d.examined, inst.task) { best = inst.task }
            }
            return best
        }
        for k in apps.indices { addIfPending(k) }
        recon.watching = true
        var ai = 0
        while true {
            // The next answer: examined, or captured (not examined).
            var p = ai < d.answers.count ? d.answers[ai].task : Int.max
            var ci = -1
            for (i, c) in recon.captured.enumerated() where c.task > recon.cursor && c.task < p && !sortedContains(d.examined, c.task) {
                p = c.task; ci = i
            }
            // Quiet repeats before it, for the apps whose count moved.
            while !pending.isEmpty {
                var best = -1
                for i in pending.indices.reversed() {
                    let q = pending[i].next > recon.cursor && byTask[pending[i].next]?.reconQuiet == true ? pending[i].next : nextQuiet(pending[i].app)
                    guard let q else { pendingFlag[pending[i].app] = false; pending.remove(at: i); if best > i { best -= 1 }; continue }
                    pending[i].next = q
                    if best < 0 || q < pending[best].next { best = i }
                }
                guard best >= 0, pending[best].next < p else { break }
                let (k, q) = pending.remove(at: best)
                pendingFlag[k] = false
                recon.cursor = q
                refreshSatisfied(apps[k])
                recon.bumped.removeAll(keepingCapacity: true)
            }
            if p == Int.max { break }
            let r: ReconciliationAnswer
            if ci >= 0 { r = recon.captured[ci] } else { r = d.answers[ai]; ai += 1 }
            recon.cursor = p
            handleAnswer(r)
            if !leaderReady { return materialized(d, answerIndex: ai) }
            for k in recon.bumped { addIfPending(k) }
            recon.bumped.removeAll(keepingCapacity: true)
        }
    }

    /// The rest of a delta (tasks after the cursor) as a full list of answers, handled one by one:
    /// for a leader that is not ready (the answers queue as status updates).
    private func materialized(_ d: ReconciliationDelta, answerIndex: Int) {
        let from = recon.cursor
        var rest = Array(d.answers[answerIndex...])
        rest += recon.captured.filter { $0.task > from && !sortedContains(d.examined, $0.task) }
        for id in byTask.indices where id > from && !sortedContains(d.examined, id) {
            if let inst = byTask[id], inst.reconQuiet { rest.append(ReconciliationAnswer(task: id, state: inst.state, agent: inst.reconAgent)) }
        }
        rest.sort { $0.task < $1.task }
        recon.awaiting = false
        for r in rest { handleAnswer(r) }
    }
}
