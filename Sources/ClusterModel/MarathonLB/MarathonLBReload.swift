import SimKernel

// marathon-lb's reloadConfig (marathon_lb.py v1.5–1.11): run the reload command, then wait for a
// new HAProxy pid; every `--reload-interval` seconds without one, run the command again, until
// `--max-reload-retries` checkpoints have passed (0: never retry and wait forever; -1: retry
// forever). The file on disk was replaced before the reload, so after a reload that gave up the
// next regenerations find the same text and reload nothing: the old HAProxy serves the old
// configuration until the configuration changes again. Failures come from the scenario's
// `marathonLB.reloadFailures` windows (docs/marathon-lb.md).
extension MarathonLB {
    /// Whether a `kind` failure window covers instance `i` now (`candidate`: for an app-scoped
    /// validation failure, whether it has that app's backend).
    func failing(_ i: Int, _ kind: MarathonLBReloadFailureKind, candidate: HAProxyConfiguration?) -> Bool {
        let now = model.sim.now - SimTime.zero
        for (k, f) in spec.reloadFailures.enumerated() where f.kind == kind && f.active(at: now) {
            guard f.hosts.isEmpty || failureHosts[k].contains(instances[i].host) else { continue }
            guard let a = failureApps[k] else { return true }
            if candidate?.backends.contains(where: { $0.app == a }) == true { return true }
        }
        return false
    }

    /// One run of the reload command (the first, or a retry at a checkpoint).
    func attemptReload(_ i: Int) {
        guard let c = instances[i].candidate else { finished(i); return }
        let host = hostName(ofInstance: i)
        if failing(i, .reloadCommand, candidate: c) {
            // subprocess.CalledProcessError: logged, reloadConfig returns; nothing retries it
            giveUp(i, "the reload command exited non-zero: no retry")
            return
        }
        // an invalid file that was not validated (--skip-validation) stops the new HAProxy too
        let fails = failing(i, .haproxyStart, candidate: c) || (spec.flags.skipValidation && failing(i, .validation, candidate: c))
        if !spec.seamlessReload {
            // the reload script drops SYNs until the new process is started (or failed to start),
            // then removes the rules and sleeps 1 s holding its lock (MarathonLB.synDropBeforeReload)
            let now = model.sim.now
            if now >= instances[i].gapUntil { instances[i].gapFrom = now }
            instances[i].gapUntil = now + MarathonLB.synDropBeforeReload
        }
        if !fails {
            if spec.seamlessReload {
                activate(i); finished(i)
            } else {
                schedule(.activate, i, after: MarathonLB.synDropBeforeReload)
                schedule(.reloadDone, i, after: MarathonLB.reloadScriptTime)
            }
            return
        }
        if spec.flags.maxReloadRetries == 0 {
            // enable_retries is False: the loop waits for a new pid that nobody starts
            instances[i].reloadFailures += 1
            model.log("marathon-lb", "haproxyReloadFailed", host, "no new HAProxy process; --max-reload-retries 0: marathon-lb waits for one forever and regenerates nothing more")
            return
        }
        model.log("marathon-lb", "haproxyReloadStalled", host, "no new HAProxy process; checking again in \(retrySpacing)")
        schedule(.retry, i, after: retrySpacing)
    }

    /// The loop polls every 0.1 s and re-runs the command once `--reload-interval` has passed.
    var retrySpacing: SimDuration { max(.seconds(Int64(spec.flags.reloadInterval)), .milliseconds(100)) }

    /// A checkpoint of reloadConfig's loop: count it, give up at zero, else run the command again.
    func retry(_ i: Int) {
        if spec.flags.maxReloadRetries > 0 {
            instances[i].retriesLeft -= 1
            if instances[i].retriesLeft <= 0 {
                giveUp(i, "no new HAProxy process after \(spec.flags.maxReloadRetries) checkpoints of \(retrySpacing): reload failed")
                return
            }
        }
        instances[i].reloadRetries += 1
        model.log("marathon-lb", "haproxyReloadRetry", hostName(ofInstance: i), "attempting reload again (retry \(instances[i].reloadRetries))")
        attemptReload(i)
    }

    /// reloadConfig returns without a new HAProxy: the old one keeps its configuration, and the
    /// file on disk (the candidate) is what the next regeneration compares with.
    func giveUp(_ i: Int, _ why: String) {
        instances[i].reloadFailures += 1
        instances[i].candidate = nil
        model.log("marathon-lb", "haproxyReloadFailed", hostName(ofInstance: i), why + "; HAProxy keeps generation \(instances[i].configs.count)")
        finished(i)
    }

    /// Host indices and Marathon app indices of the scenario's failure windows.
    static func resolveFailures(_ spec: MarathonLBSpec, model: ClusterSimulation, marathon: MarathonScheduler) -> (hosts: [[Int]], apps: [Int?]) {
        let hosts = spec.reloadFailures.map { f in f.hosts.compactMap { model.infrastructure.host(named: $0)?.index } }
        let apps = spec.reloadFailures.map { f in f.app.flatMap { marathon.appIndex[$0] } }
        return (hosts, apps)
    }
}
