import SimKernel

// Chronos as a subsystem: built from the `chronos` section on top of the Mesos cluster (a second
// framework through the same contract as Marathon) and the ZooKeeper ensemble (leader election);
// its instances learn about their hosts through `.hosts` signals, at the `frameworks` stage.

extension ChronosScheduler: Subsystem, SignalSubscriber {
    public static let entry = SubsystemEntry(name: "chronos", section: "chronos", outputs: ChronosScheduler.outputs) { model in
        guard let spec = model.spec.chronos, let mesos = model.subsystem(MesosCluster.self),
              let zk = model.subsystem(ZooKeeperEnsemble.self) else { return nil }
        return ChronosScheduler(spec: spec, model: model, mesos: mesos, zooKeeper: zk)
    }

    public var name: String { "chronos" }

    public func subscribe(to signals: PlatformSignals) {
        signals.subscribe(self, to: .hosts, stage: .frameworks)
    }

    public func receive(_ signal: PlatformSignal) {
        switch signal {
        case .hostDown(let h, let rebooting): hostWentDown(h, orderly: rebooting)
        case .hostUp(let h): hostCameUp(h)
        default: break
        }
    }

    /// The leading instance's name, or nil.
    public var leaderName: String? { leader.map(processName) }

    public static let outputs = SubsystemOutputs(
        tables: [jobsTable],
        plots: [
            SubsystemPlot(file: "chronos_runs", title: "Chronos runs launched per job (cumulative)", ylabel: "runs launched", source: "chronos.csv",
                          perKey: ("job", "launched")),
            SubsystemPlot(file: "chronos_lateness", title: "Chronos: largest lateness of a run per job so far", ylabel: "max lateness (s)", source: "chronos.csv",
                          perKey: ("job", "max_lateness_s")),
        ],
        headline: [
            ("chronos_runs", "Chronos tasks launched (first attempts, retries and dependent runs)"),
            ("chronos_max_lateness_s", "largest lateness of a first attempt over all jobs: launch time minus the time the run was due, seconds (empty when nothing launched)"),
            ("chronos_mean_lateness_s", "mean lateness of first attempts over all jobs, seconds (empty when nothing launched)"),
            ("chronos_runs_skipped", "runs never queued: 2.x `JobSkipped` (older than now - epsilon at a scan) plus runs passed over by `skipForward`"),
            ("chronos_failures", "Chronos tasks that ended TASK_FAILED, TASK_LOST or TASK_KILLED"),
            ("chronos_retries", "retries queued after a failure"),
            ("chronos_jobs_disabled", "jobs disabled at the end (by their JSON, `disable_after_failures`, or finished recurrences)"),
            ("chronos_failovers", "times the Chronos leader was lost"),
        ],
        headlineIntro: "With a `chronos` section: Chronos' jobs, summed over the jobs of chronos.csv.")

    static let jobsTable = SubsystemTable(
        of: ChronosScheduler.self, file: "chronos.csv", when: "when the scenario has a `chronos` section (long format: one row per job and sample; counts are cumulative)",
        columns: [
            ("time_s", "simulated time of the sample, seconds"),
            ("job", "Chronos job name"),
            ("due", "runs that became due: occurrences queued (2.x: in a scan; 3.x: found overdue) and dependent triggers"),
            ("launched", "tasks launched (first attempts and retries)"),
            ("succeeded", "tasks that ended TASK_FINISHED"),
            ("failed", "tasks that ended TASK_FAILED, TASK_LOST or TASK_KILLED"),
            ("retries", "retries queued after a failure (`--failure_retry` later)"),
            ("skipped", "2.x `JobSkipped`: occurrences older than now - epsilon at a scan"),
            ("skipped_forward", "occurrences passed over by `skipForward` (2.x at a leader's load; 3.x when a late run launches)"),
            ("dropped", "queued runs dropped: at an offer, the job still running and not `concurrent` (a 3.x occurrence counted once though queued again after every batch), or disabled; in 3.x also a retry or dependent trigger not queued because a task of the job waits in the queue; in 2.x also a waiting retry or a dependent's queued run that a leader change lost (not persisted)"),
            ("running", "tasks of the job launched and not finished"),
            ("max_lateness_s", "largest lateness of a first attempt so far: launch time minus due time, seconds (empty before the first launch)"),
            ("mean_lateness_s", "mean lateness of first attempts so far, seconds (empty before the first launch)"),
            ("disabled", "1 when the job is disabled, else 0"),
        ]) { c, time, out in
            for s in c.jobs {
                out.field(time); out.field(s.name)
                out.field(s.due); out.field(s.launched); out.field(s.succeeded); out.field(s.failed); out.field(s.retried)
                out.field(s.skipped); out.field(s.skippedForward); out.field(s.dropped); out.field(s.running)
                if s.latenessCount > 0 {
                    out.field(s.latenessMax.seconds, decimals: 3)
                    out.field(s.latenessSum.seconds / Double(s.latenessCount), decimals: 3)
                } else { out.field(""); out.field("") }
                out.field(s.disabled ? 1 : 0)
                out.endRow()
            }
        }

    public func headline() -> [HeadlineFigure] {
        var n = 0, sum = SimDuration.zero, maxL: SimDuration? = nil
        for s in jobs where s.latenessCount > 0 {
            n += s.latenessCount; sum += s.latenessSum
            maxL = max(maxL ?? .zero, s.latenessMax)
        }
        func total(_ f: (ChronosJobState) -> Int) -> HeadlineFigure.Value { .int(Int64(jobs.reduce(0) { $0 + f($1) })) }
        return [
            HeadlineFigure("chronos_runs", total(\.launched)),
            HeadlineFigure("chronos_max_lateness_s", maxL.map { .number($0.seconds, decimals: 3) } ?? .none),
            HeadlineFigure("chronos_mean_lateness_s", n > 0 ? .number(sum.seconds / Double(n), decimals: 3) : .none),
            HeadlineFigure("chronos_runs_skipped", total { $0.skipped + $0.skippedForward }),
            HeadlineFigure("chronos_failures", total(\.failed)),
            HeadlineFigure("chronos_retries", total(\.retried)),
            HeadlineFigure("chronos_jobs_disabled", total { $0.disabled ? 1 : 0 }),
            HeadlineFigure("chronos_failovers", .int(Int64(failovers.count))),
        ]
    }
}
