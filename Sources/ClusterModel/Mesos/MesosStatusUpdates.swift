import SimKernel

/// One task's stream in an agent's status update manager (src/slave/status_update_manager.cpp@1.4.0
/// `StatusUpdateStream`): the updates the framework has not acknowledged yet, in order; only the
/// first is in flight, the next is sent when it is acknowledged.
struct UpdateStream {
    let task: TaskID
    let framework: Int
    /// The task's name, for the log (the task may be forgotten before its stream ends).
    let name: String
    var updates: [TaskStatusUpdate]
    /// How many of `updates` the master has recorded: a resent update carries the task's latest
    /// state (`StatusUpdate.latest_state`, set by `Slave::forward`), so the master learns the ones
    /// queued behind it too.
    var recorded = 0
    /// The back-off of the update in flight: 10 s at its first send, doubled at each resend, at most
    /// 10 min (`STATUS_UPDATE_RETRY_INTERVAL_MIN`/`_MAX`, src/slave/constants.hpp).
    var interval = SimDuration.zero
    var sentAt = SimTime.zero
    /// The armed resend timer's generation (`MesosAgent.streamTimerSeq`); 0: none.
    var timer: Int32 = 0
    /// How many of the stream's updates were acknowledged: the number of the one in flight. A copy
    /// of an update already acknowledged (a resend that crossed its acknowledgement) is a duplicate
    /// whose acknowledgement changes nothing (the update's UUID no longer matches).
    var acknowledged = 0
}

/// The status update manager of the agents (docs/mesos.md "Status updates"). An update goes out
/// when its stream is empty and the manager is not paused (the agent is registered with the leader
/// from its own point of view); the master records it and forwards it to the framework if that is
/// connected (master.cpp@1.4.0 `statusUpdate`: "Received status update ... for a disconnected
/// framework" otherwise), and the framework's acknowledgement (taken to reach the agent at once)
/// sends the stream's next update. An update lost on the way (the agent cut from the leader, the
/// leader not ready, the framework disconnected or without a leading scheduler) is resent after
/// its back-off (`StatusUpdateManagerProcess::timeout`), and every stream's first update is resent
/// at once when the agent (re)registers (`resume`). The timer is armed only when the update is
/// lost (at the instant it was sent), so an update acknowledged at once costs no event.
extension MesosCluster {
    static let statusUpdateRetryMin = SimDuration.seconds(10)
    static let statusUpdateRetryMax = SimDuration.minutes(10)

    /// `StatusUpdateManagerProcess::pause`/`resume`: paused from the agent's loss of its master
    /// (`Slave::detected`) to its (re)registration, and while its process is down.
    func updatesPaused(_ a: MesosAgent) -> Bool { !a.processRunning || a.masterState != .registered }

    /// A status update produced on the agent enters its task's stream.
    func deliverFromAgent(_ a: MesosAgent, _ u: TaskStatusUpdate) {
        guard let t = tasks[u.task], t.agentIdEpoch == a.agentIdEpoch else { return }
        if let i = a.streams.firstIndex(where: { $0.task == u.task }) {
            a.streams[i].updates.append(u)
            return
        }
        a.streams.append(UpdateStream(task: u.task, framework: t.framework, name: t.name, updates: [u]))
        if !updatesPaused(a) { sendHead(a, a.streams.count - 1, interval: Self.statusUpdateRetryMin) }
    }

    /// `resume`: every stream's first update is sent again now, with the first back-off.
    func resumeStatusUpdates(_ a: MesosAgent) {
        for task in a.streams.map(\.task) {
            guard let i = a.streams.firstIndex(where: { $0.task == task }) else { continue }
            a.streams[i].timer = 0
            sendHead(a, i, interval: Self.statusUpdateRetryMin)
        }
    }

    /// `forward`: sends the stream's first update towards the leading master. The master records
    /// it, and the updates queued behind it (`latest_state`), and forwards the first one.
    func sendHead(_ a: MesosAgent, _ i: Int, interval: SimDuration) {
        a.streams[i].interval = interval
        a.streams[i].sentAt = now
        let task = a.streams[i].task
        guard a.masterState == .registered && leaderReady && agentReachesLeader(a) else {
            armStatusRetry(a, task: task)
            return
        }
        let s = a.streams[i]
        let head = s.updates[0]
        if let t = tasks[task] {
            for u in s.updates[s.recorded...] {
                masterRecord(t, u.state, u.reason, message: u.message, healthy: u.healthy)
            }
        }
        if let j = a.streams.firstIndex(where: { $0.task == task }) { a.streams[j].recorded = max(a.streams[j].recorded, s.updates.count) }
        if !forwardToFramework(head, framework: s.framework, agent: (a.index, s.acknowledged)) { armStatusRetry(a, task: task) }
        if let t = tasks[task] { forgetIfDone(t) }
    }

    /// The update in flight of `task`'s stream was lost: it is resent when its back-off, counted
    /// from its sending, ends.
    func armStatusRetry(_ a: MesosAgent, task: TaskID, serial: Int? = nil) {
        guard let i = a.streams.firstIndex(where: { $0.task == task }), a.streams[i].timer == 0,
              serial == nil || serial == a.streams[i].acknowledged else { return }
        a.streamTimerSeq = a.streamTimerSeq == Int32.max ? 1 : a.streamTimerSeq + 1
        a.streams[i].timer = a.streamTimerSeq
        let due = a.streams[i].sentAt + a.streams[i].interval
        schedule(.statusUpdateRetry, after: due > now ? due - now : .zero, pack(a.index, a.streamTimerSeq))
    }

    /// `timeout`: the update in flight was not acknowledged within its back-off: resent with the
    /// back-off doubled (at most 10 min), unless the manager is paused (then `resume` resends it).
    func statusUpdateRetry(_ a: MesosAgent, timer g: Int32) {
        guard let i = a.streams.firstIndex(where: { $0.timer == g }) else { return }
        a.streams[i].timer = 0
        guard !updatesPaused(a) else { return }
        let s = a.streams[i]
        let next = min(s.interval + s.interval, Self.statusUpdateRetryMax)
        log("statusUpdateResent", s.name, "\(a.name) \(s.updates[0].state.rawValue); next in \(next)")
        sendHead(a, i, interval: next)
    }

    /// The framework received the update in flight of `task`'s stream on `agent` and acknowledged
    /// it (`acknowledgement`): the next one goes out; a terminal one ends the stream.
    func statusUpdateAcknowledged(agent ai: Int, task: TaskID, serial: Int) {
        let a = agents[ai]
        guard let i = a.streams.firstIndex(where: { $0.task == task }), a.streams[i].acknowledged == serial else { return }
        a.streams[i].timer = 0
        a.streams[i].acknowledged += 1
        let acked = a.streams[i].updates.removeFirst()
        a.streams[i].recorded = max(0, a.streams[i].recorded - 1)
        if acked.state.isTerminal || a.streams[i].updates.isEmpty {
            a.streams.remove(at: i)
            return
        }
        if !updatesPaused(a) { sendHead(a, i, interval: Self.statusUpdateRetryMin) }
    }
}
