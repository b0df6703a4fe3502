import SimKernel

// Mesos' own platform figures, computed from its state: master failovers, agent detections and,
// for each fault the injector fired, how long Mesos took to notice it. The fault times, kinds and
// hosts are the fault injector's published facts (`FaultInjector.fired`, `.faults`).

/// How Mesos saw one fired fault: when it noticed it, and what it was aimed at as Mesos names it.
public struct FaultDetection: Sendable {
    /// Index of the fault in the scenario's `faults`.
    public var index: Int
    /// Fault -> the platform noticed (agent marked unreachable, new leading master ready); nil: not noticed.
    public var detectedAfter: SimDuration?
    /// The fault's targets: the hosts it hit, or for a master crash the master that led.
    public var targets: [String]
}

extension MesosCluster {
    /// One entry per fired fault, in firing order.
    public func faultDetections() -> [FaultDetection] {
        let injector = model.faultInjector
        return injector.fired.map { f in
            var out = FaultDetection(index: f.index, detectedAfter: nil, targets: f.hosts)
            switch injector.faults[f.index].kind {
            case .hostCrash, .hostReboot, .agentCrash, .networkPartition:
                var worst: SimDuration? = nil
                for h in f.hosts {
                    if let d = detections.first(where: { $0.agent == h && $0.unreachableAt >= f.time }) {
                        worst = max(worst ?? .zero, d.unreachableAt - f.time)
                    }
                }
                out.detectedAfter = worst
            case .masterCrash:
                let fo = failovers.first(where: { $0.lostAt >= f.time })
                if let fo, let r = fo.readyAt { out.detectedAfter = r - f.time }
                out.targets = [fo?.from ?? "leader"]
            case .zookeeperCrash:
                if case .zookeeperServer(let z) = injector.faults[f.index].target { out.targets = [zooKeeper.serverName(z)] }
            case .hostRecover:
                break
            }
            return out
        }
    }

    /// Mesos' headline figures, in the order of `platformHeadlineMeanings`. Marathon adds its task,
    /// deploy, failover and recovery figures among them (`MarathonScheduler.headlineFigures`).
    public func headline() -> [HeadlineFigure] {
        func opt(_ d: SimDuration?) -> HeadlineFigure.Value { d.map { .number($0.seconds, decimals: 9) } ?? .none }
        let detected = faultDetections().compactMap(\.detectedAfter)
        let masterFailover = failovers.compactMap { f in f.readyAt.map { $0 - f.lostAt } }
        return [
            HeadlineFigure("master_failovers", .int(Int64(failovers.count))),
            HeadlineFigure("max_master_failover_s", opt(masterFailover.max())),
            HeadlineFigure("faults_detected", .int(Int64(detected.count))),
            HeadlineFigure("max_detection_s", opt(detected.max())),
        ]
    }
}

extension MesosCluster {
    /// summary.json's `platform` object as Mesos writes it: each fired fault (the injector's facts
    /// and Mesos' detection), each agent detection, each master failover. Marathon adds its deploys,
    /// deployments, failovers and each fault's recovery (`MarathonScheduler.platformDetails`).
    public func details() -> [(key: String, value: DetailValue)] {
        let injector = model.faultInjector
        let faults = zip(injector.fired, faultDetections()).map { f, d -> DetailValue in
            .object([
                ("fault", .int(Int64(f.index))), ("kind", .text(injector.faults[f.index].kind.rawValue)),
                ("at_s", .seconds(f.time)), ("targets", .array(d.targets.map { .text($0) })),
                ("detected_after_s", .seconds(d.detectedAfter)),
            ])
        }
        return [
            ("faults", .array(faults)),
            ("agent_detections", .array(detections.map { d in .object([
                ("agent", .text(d.agent)), ("down_at_s", .seconds(d.downAt)), ("unreachable_at_s", .seconds(d.unreachableAt)),
                ("delay_s", .seconds(d.delay)),
            ]) })),
            ("master_failovers", .array(failovers.map { f in .object([
                ("lost_at_s", .seconds(f.lostAt)), ("from", .text(f.from)),
                ("ready_at_s", .seconds(f.readyAt)), ("to", f.to.map { .text($0) } ?? .none),
            ]) })),
        ]
    }
}
