import ClusterModel
import Reporting
import SimKernel

/// The closing summary `clustersim run` prints on the terminal (not with --quiet): what happened,
/// in a few lines, and where the files are. Every figure is one of summary.json's, rounded to
/// 0.1 s, so a user can find it again there.
enum RunReport {
    static func s(_ x: Double) -> String { NumberFormat.fixed(x, decimals: 1) + " s" }
    static func s(_ d: SimDuration) -> String { s(d.seconds) }
    static func at(_ t: SimTime) -> String { "at " + s(t.seconds) }
    /// A scenario of thousands of apps, faults or deployments keeps the report a few lines long:
    /// the first ones are shown and the rest counted (events.csv has every one).
    static let shownApps = 20
    static let shownLines = 20

    /// The figures come from the subsystems that compute them: Mesos' detection of each fault
    /// (`MesosCluster.faultDetections()`), Marathon's deploys, deployments, task counts and recovery
    /// (`MarathonScheduler.figures()`, `.deploymentRecords`, `.faultRecoveries()`), the fault
    /// injector's facts (`FaultInjector.fired`).
    static func lines(name: String, duration: SimDuration, wallSeconds: Double, summary r: RunSummary,
                      model: ClusterSimulation, resultsPath: String, tool: String) -> [String] {
        var out: [String] = []
        out.append("\(name): \(r.hosts) hosts, \(duration) simulated, \(r.eventsProcessed) events in "
                   + NumberFormat.fixed(wallSeconds, decimals: 2) + " s wall")
        if let mesos = model.mesos {
            let marathon = model.marathon
            let p = marathon?.figures() ?? MarathonFigures()
            let deployed = p.deploys.filter { $0.seconds != nil }
            if !p.deploys.isEmpty {
                var each = p.deploys.prefix(shownApps).map { d in d.app + " " + (d.seconds.map(s) ?? "never") }.joined(separator: ", ")
                if p.deploys.count > shownApps { each += ", and \(p.deploys.count - shownApps) more (events.csv: appDeployed rows)" }
                out.append("apps deployed: \(deployed.count) of \(p.deploys.count) (deploy time from the deployment's start): \(each)")
            }
            let injector = model.faultInjector
            let agentHosts = Set(mesos.agents.map(\.name))   // looked up only, never iterated
            let recoveries = marathon?.faultRecoveries()
            let fired = injector.fired.count
            for (k, (f, d)) in zip(injector.fired, mesos.faultDetections()).enumerated() {
                if k == shownLines, fired > shownLines {
                    out.append("and \(fired - shownLines) more faults (events.csv has every one)")
                    break
                }
                let kind = injector.faults[f.index].kind
                var line = "fault \(f.index) \(kind.rawValue) of \(d.targets.joined(separator: ", ")) \(at(f.time))"
                switch kind {
                case .hostCrash, .hostReboot, .agentCrash, .networkPartition:
                    if d.detectedAfter == nil, !d.targets.isEmpty, !d.targets.contains(where: agentHosts.contains) {
                        // a master, Consul server, edge or monitoring host: no Mesos agent to lose,
                        // so "not detected" would read as a detection failure
                        line += ": \(d.targets.count == 1 ? "the host runs" : "the hosts run") no Mesos agent (nothing for Mesos to mark unreachable)"
                    } else {
                        line += d.detectedAfter.map { ": agent marked unreachable after " + s($0) } ?? ": not detected by Mesos"
                    }
                case .masterCrash:
                    line += d.detectedAfter.map { ": a new leading master ready after " + s($0) } ?? ": no new leader"
                case .zookeeperCrash:
                    let zk = mesos.zooKeeper
                    if let o = zk.outages.first(where: { $0.lost == f.time }) {
                        line += ": the ensemble lost its quorum" + (o.regained.map { ", serving again after " + s($0 - f.time) } ?? " until the end")
                    } else {
                        line += ": the ensemble kept serving"
                    }
                case .hostRecover:
                    out.append(line)
                    continue
                }
                if let rec = recoveries?[k], rec.degradedApps {
                    line += rec.recoveredAfter.map { "; instances replaced, every app back at its healthy target after " + s($0) }
                        ?? "; apps still below their healthy target at the end"
                } else {
                    line += "; no app fell below its healthy target"
                }
                out.append(line)
            }
            // every Marathon's (one per data center with `marathon.datacenters`), each without its
            // initial deployment, labelled as summary.json labels them
            var deploymentLines: [String] = []
            for m in model.marathons {
                for (k, d) in m.deploymentRecords.enumerated() where k > 0 || !d.waitingFor.isEmpty {
                    deploymentLines.append(deploymentLine(m.deploymentLabel(d.id), d, healthy: m.healthyOfTarget))
                }
            }
            out += deploymentLines.prefix(shownLines)
            if deploymentLines.count > shownLines {
                out.append("and \(deploymentLines.count - shownLines) more deployments (events.csv has every one)")
            }
            out.append("tasks: \(p.tasksLaunched) launched, \(p.tasksFailed) failed, \(p.tasksKilled) killed, \(p.tasksLost) lost; "
                       + "\(p.appsBelowTargetAtEnd) app\(p.appsBelowTargetAtEnd == 1 ? "" : "s") below target at the end")
        } else if r.faultsFired > 0 {
            out.append("faults: \(r.faultsFired) fired, \(r.hostCrashes) host crashes, \(r.hostReboots) reboots; "
                       + "fewest hosts up: \(r.minHostsUp) of \(r.hosts) \(at(r.minHostsUpAt))")
        }
        out += subsystemLines(model)
        out.append("results: \(resultsPath)/ (summary.json: these figures; events.csv: every event; docs/outputs.md: every column)")
        let base = resultsPath.split(separator: "/").last.map(String.init) ?? name
        // the core charts and those of the subsystems this run has (`clustersim plot` draws the ones whose data exist)
        let charts = Plotter.charts.prefix(3).map(\.file) + model.subsystemEntries.flatMap { $0.outputs.plots.map(\.file) }
        out.append("plots: \(tool) plot \(resultsPath)   (writes plots/\(base)/*.png and *.svg: those of \(charts.joined(separator: ", ")) the run has data for)")
        return out
    }

    /// One line per subsystem beyond Mesos and Marathon whose answer a user ran the scenario for:
    /// what users saw (traffic), what monitoring noticed (Prometheus' alerts, Alertmanager's
    /// notifications), how the batch jobs ran (Chronos). Each figure is the subsystem's headline
    /// figure of summary.json under the same name (docs/outputs.md), so it can be found again.
    /// These answers used to be in summary.json only, so a run whose question was "when is the
    /// on-call paged?" printed nothing about pages.
    static func subsystemLines(_ model: ClusterSimulation) -> [String] {
        var out: [String] = []
        let firstFault = model.faultInjector.fired.first.map { "the first fault (fault \($0.index) \(at($0.time)))" }
        // in the order of the story: what users saw, the batch jobs, then monitoring's alerts and
        // the notifications they led to
        for name in ["traffic", "chronos", "prometheus", "alertmanager"] {
            guard let sub = model.subsystems.first(where: { $0.name == name }) else { continue }
            let h = sub.headline()
            func v(_ key: String) -> HeadlineFigure.Value? { h.first { $0.key == key }?.value }
            func text(_ key: String, unit: String = "", decimals: Int? = nil) -> String {
                switch v(key) ?? .none {
                case .int(let n): return "\(n)" + unit
                case .number(let x, let d): return NumberFormat.fixed(x, decimals: decimals ?? d) + unit
                case .text(let t): return t + unit
                case .none: return "none"
                }
            }
            func seconds(_ key: String) -> Double? {
                if case .number(let x, _)? = v(key) { return x }
                return nil
            }
            switch name {
            case "traffic":
                var line = "users: \(text("requests_total")) requests, \(text("requests_failed")) failed (availability \(text("availability"))); "
                    + "p99 latency \(text("latency_p99_ms", unit: " ms", decimals: 1)) over the run, \(text("peak_p99_latency_ms", unit: " ms", decimals: 1)) in the worst sample"
                if model.faultInjector.fired.count > 0 { line += "; \(text("requests_failed_per_fault", decimals: 1)) failed per fault" }
                out.append(line + " (traffic.csv)")
            case "prometheus":
                var line = "alerts: \(text("alerts_fired")) fired"
                if let f = seconds("first_firing_s"), let ff = firstFault { line += ", the first \(s(f)) after \(ff)" }
                out.append(line + "; \(text("scrapes_failed")) scrapes failed (alerts.csv)")
            case "alertmanager":
                var line = "notifications: \(text("notifications_sent")) sent"
                if let f = seconds("first_notification_s"), let ff = firstFault { line += ", the first \(s(f)) after \(ff)" }
                else if firstFault != nil { line += ", none after the first fault" }
                out.append(line + " (notifications.csv)")
            case "chronos":
                out.append("chronos: \(text("chronos_runs")) runs, \(text("chronos_failures")) failed, \(text("chronos_retries")) retries, "
                           + "\(text("chronos_runs_skipped")) skipped; lateness max \(text("chronos_max_lateness_s", unit: " s", decimals: 1)), "
                           + "mean \(text("chronos_mean_lateness_s", unit: " s", decimals: 1)) (chronos.csv)")
            default:
                break
            }
        }
        return out
    }

    /// One deployment: how long it took, or when it was cancelled, or what it still waits for at
    /// the end (the apps of its current step not done, with their healthy and target counts from
    /// `healthy`), so that "never" in the deploys line has its reason next to it. The initial
    /// deployment has a line only when it did not finish.
    static func deploymentLine(_ label: String, _ d: DeploymentRecord, healthy: (String) -> (healthy: Int, target: Int)?) -> String {
        var line = "\(label) (\(d.name)) \(at(d.startedAt)): "
        if let f = d.finishedAt { line += "done in " + s(f - d.startedAt) }
        else if let c = d.cancelledAt { line += "cancelled \(at(c))" }
        else {
            line += "still running at the end"
            if !d.waitingFor.isEmpty {
                let shown = d.waitingFor.prefix(3).map { app in
                    app + (healthy(app).map { " (\($0.healthy) of \($0.target) healthy)" } ?? "")
                }
                line += ", step \(d.step + 1) of \(d.steps) waiting for " + shown.joined(separator: ", ")
                if d.waitingFor.count > 3 { line += " and \(d.waitingFor.count - 3) more (summary.json: waiting_for)" }
            }
        }
        return line
    }
}
