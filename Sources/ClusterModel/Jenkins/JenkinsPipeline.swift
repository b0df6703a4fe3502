import SimKernel

// The Jenkins release pipeline: a commit queues its job's build (after the quiet period; commits
// while it is in the queue share one build), a free executor of the master runs it once the job's
// previous build is done (a job does not build concurrently) (build, then `docker build`,
// times drawn from the job's distributions), `docker push` sends the new layers to Harbor's push
// registry, then the Marathon plugin's post-build step PUTs the app definition with the new image
// (PUT /v2/apps/{id}?force=<forceUpdate>). As MarathonRecorder.perform does, the PUT is tried up
// to 3 times 5 s apart when Marathon answers 409 (a deployment in progress) or does not answer
// (no leader); any other error fails the build. The plugin does not wait for the deployment; the
// release is followed here until Marathon's deployment_success, to measure commit-to-production.
//
// With one Marathon for every data center a release is one PUT; each data center's agents pull
// the new image from their own Harbor. With one Marathon per data center (`marathon.datacenters`)
// the job PUTs to each of its Marathons in turn (`jenkins.jobs[i].marathons`, default all), as a
// pipeline with one `marathon` step per data center does: each PUT has its own 3 attempts, each
// Marathon answers with its own deployment (its app's upgradeStrategy), and a PUT that fails
// fails the build (the later Marathons are not asked). Per data center, "deployed" is when the
// last new instance there became healthy, read at that data center's Marathon's deployment_success.
public final class JenkinsPipeline: EventHandler, HarborPushClient {
    public let spec: JenkinsSpec
    unowned let model: ClusterSimulation
    let harbor: HarborRegistries
    let marathon: MarathonScheduler
    /// Every Marathon (`marathon.all`): one, or one per data center.
    let marathons: [MarathonScheduler]
    /// Per job: the indices in `marathons` its plugin PUTs to, in order.
    let targets: [[Int]]
    let host: Int
    var target: Int32 = -1

    public struct Release {
        public let job: Int
        public let build: Int
        public let commitAt: SimTime
        public internal(set) var commits = 1
        public internal(set) var startedAt: SimTime?
        public internal(set) var builtAt: SimTime?
        public internal(set) var pushedAt: SimTime?
        public internal(set) var putAt: SimTime?
        public internal(set) var putAttempts = 0
        /// The first Marathon's deployment of the release.
        public internal(set) var deployment: Int?
        /// The deployment each Marathon answered with (by index in `marathons`; nil: not PUT to
        /// it, or no deployment), and when it reported deployment_success.
        public internal(set) var deployments: [Int?] = []
        public internal(set) var deployedBy: [SimTime?] = []
        /// The PUT under way: its position in the job's `targets`, and attempts at this Marathon.
        var putTarget = 0
        var attemptsHere = 0
        /// When the last of the job's Marathons reported deployment_success.
        public internal(set) var deployedAt: SimTime?
        /// Per registry (in `harbor.registries` order): when the last new instance in its data
        /// center became healthy (nil: none there, or not yet).
        public internal(set) var deployedIn: [SimTime?] = []
        public internal(set) var image: Int?
        public internal(set) var failure: String?
        var queued = true
        /// On an executor (from its start until the plugin's PUT is answered or it fails).
        var running = false
        /// Lost from the queue by a crash before queue.xml was saved with it.
        var lost = false
        /// Came back from queue.xml after it had started (it builds again as a new build).
        var reloaded = false
        /// When it entered Jenkins' queue (the commit; a reloaded item keeps its time).
        var queuedAt: SimTime = .zero
    }
    public internal(set) var releases: [Release] = []
    var nextBuild: [Int]
    /// Builds waiting for an executor, FIFO (release indices).
    var queue: [Int] = []
    var busy = 0
    /// First time each task of a deployed app was reported healthy (looked up only).
    var healthyAt: [TaskID: SimTime] = [:]
    var tracked: [Bool]
    let stream: RandomStream
    /// Jenkins is up and initialised (its host up for `startupTime`); builds start only then.
    public internal(set) var serving = true
    /// Jobs with commits pushed while Jenkins was down: the SCM trigger's first poll after the
    /// start finds them (one build per job).
    var missedCommits: [Bool]
    /// Tells a start-up in progress from one cut short by another crash.
    var startGeneration: Int64 = 0
    /// Builds lost to crashes of the Jenkins host (FAILURE when Jenkins loads them again).
    public internal(set) var buildsLost = 0

    /// Queue.Saver: a change of the queue (an item enters, or leaves to start) schedules a save of
    /// queue.xml DELAY_SECONDS later unless one is pending; the save writes the queue as it is then.
    /// jenkinsci/jenkins core/src/main/java/hudson/model/Queue.java (Saver, DELAY_SECONDS 60).
    /// Computed when a crash asks, not simulated: the save due, and the time of the last one.
    static let queueSaveDelay = SimDuration.seconds(60)
    var saveDue: SimTime?
    var lastSave: SimTime?

    enum Kind: Int32 { case commit = 1, quietOver, built, imageBuilt, put, started }

    init(spec: JenkinsSpec, model: ClusterSimulation, harbor: HarborRegistries, marathon: MarathonScheduler) {
        self.spec = spec; self.model = model; self.harbor = harbor; self.marathon = marathon
        let all = marathon.all
        marathons = all
        targets = spec.jobs.map { j in j.marathons.map { dcs in dcs.compactMap { dc in all.firstIndex { $0.datacenter == dc } } } ?? Array(all.indices) }
        host = model.infrastructure.hosts.first { $0.name == spec.host }?.index ?? 0
        nextBuild = spec.jobs.map(\.firstBuildNumber)
        missedCommits = Array(repeating: false, count: spec.jobs.count)
        tracked = Array(repeating: false, count: marathon.apps.count)
        for j in spec.jobs { if let i = marathon.appIndex[j.app] { tracked[i] = true } }
        stream = model.stream("jenkins")
    }

    var now: SimTime { model.sim.now }
    func log(_ event: String, _ subject: String, _ detail: String) { model.log("jenkins", event, subject, detail) }
    func subject(_ r: Int) -> String { "\(spec.jobs[releases[r].job].name) #\(releases[r].build)" }

    public func start() {
        for (k, c) in spec.commits.enumerated() {
            model.sim.schedule(at: SimTime.zero + c.at, target: target, kind: Kind.commit.rawValue, arg: Int64(k))
        }
    }

    public func handle(_ event: Event, in sim: Simulation) {
        let i = Int(event.arg)
        switch Kind(rawValue: event.kind) {
        case .commit: commit(spec.commits[i])
        case .quietOver:
            guard !releases[i].lost else { return }
            releases[i].queued = false
            queue.append(i)
            if let b = buildInProgress(releases[i].job) {
                log("buildBlocked", subject(i), "waits: \(subject(b)) is already in progress (the job does not build concurrently)")
            }
            dispatch()

        case .built: if releases[i].running { imageBuild(i) }
        case .imageBuilt: if releases[i].running { push(i) }
        case .put: if releases[i].running { put(i) }
        case .started: if event.arg == startGeneration { started() }
        case nil: break
        }
    }

    /// The SCM trigger: a build enters the queue; a commit while its job's build still waits in
    /// the queue (in its quiet period, or blocked behind the job's build in progress) joins that
    /// build: Queue.scheduleInternal folds a request into any item of the task still in the queue
    /// and keeps the earlier due time (jenkinsci/jenkins core/src/main/java/hudson/model/Queue.java).
    func commit(_ c: JenkinsCommitSpec) {
        guard serving else {
            // the push's webhook/poll finds no Jenkins: the commit waits in git for the first poll after the start
            if !missedCommits[c.job] { log("commitMissed", spec.jobs[c.job].name, "Jenkins is down; the first SCM poll after its start finds the commit") }
            missedCommits[c.job] = true
            return
        }
        if let r = releases.lastIndex(where: { $0.job == c.job && $0.queued }) {
            releases[r].commits += 1
            log("commitQueued", subject(r), "joins the queued build (quiet period)")
            return
        }
        if let r = queue.last(where: { releases[$0].job == c.job }) {
            releases[r].commits += 1
            log("commitQueued", subject(r), "joins the queued build (waiting for an executor or for the job's build in progress)")
            return
        }
        let build = nextBuild[c.job]
        nextBuild[c.job] += 1
        var release = Release(job: c.job, build: build, commitAt: now, deployedIn: Array(repeating: nil, count: harbor.registries.count))
        release.deployments = Array(repeating: nil, count: marathons.count)
        release.deployedBy = Array(repeating: nil, count: marathons.count)
        releases.append(release)
        let r = releases.count - 1
        releases[r].queuedAt = now
        log("buildQueued", subject(r), "commit; quiet period \(spec.quietPeriod)")
        model.sim.schedule(after: spec.quietPeriod, target: target, kind: Kind.quietOver.rawValue, arg: Int64(r))
        queueChanged()
    }

    /// The job's build on an executor, if any. A freestyle job does not build concurrently by
    /// default (AbstractProject.concurrentBuild false): getCauseOfBlockage blocks its next queue
    /// item while the last build runs, post-build steps (the Marathon plugin's PUT) included
    /// (jenkinsci/jenkins core/src/main/java/hudson/model/AbstractProject.java).
    func buildInProgress(_ job: Int) -> Int? {
        releases.lastIndex { $0.job == job && $0.running }
    }

    /// Free executors take the oldest queue items that are not blocked.
    func dispatch() {
        while busy < spec.executors && serving,
              let q = queue.firstIndex(where: { buildInProgress(releases[$0].job) == nil }) {
            let r = queue.remove(at: q)
            busy += 1
            releases[r].running = true
            queueChanged()
            releases[r].startedAt = now
            let job = spec.jobs[releases[r].job]
            let d = SimDuration.fromSeconds(max(0, job.buildTime.sample(stream)))
            log("buildStarted", subject(r), "on an executor of \(model.infrastructure.hosts[host].name); build \(d)")
            model.sim.schedule(after: d, target: target, kind: Kind.built.rawValue, arg: Int64(r))
        }
    }

    func imageBuild(_ r: Int) {
        let d = SimDuration.fromSeconds(max(0, spec.jobs[releases[r].job].imageBuildTime.sample(stream)))
        model.sim.schedule(after: d, target: target, kind: Kind.imageBuilt.rawValue, arg: Int64(r))
    }

    /// `docker push`: the base image's layers and the build's new ones.
    func push(_ r: Int) {
        releases[r].builtAt = now
        let job = spec.jobs[releases[r].job]
        var layers: [HarborLayer] = []
        if let b = harbor.image(job.baseImage) { layers = harbor.images[b].layers.map { harbor.layers[$0] } }
        for (k, size) in job.newLayerBytes.enumerated() {
            layers.append(HarborLayer(digest: "sha256:\(job.name)-\(releases[r].build)-\(k)", sizeBytes: size))
        }
        log("imageBuilt", subject(r), "\(job.repository):\(releases[r].build), \(job.newLayerBytes.count) new layer(s); pushing")
        releases[r].image = harbor.push(repository: job.repository, tag: String(releases[r].build), layers: layers, from: host, client: self, token: Int64(r))
    }

    public func pushFinished(token: Int64, image: Int, error: String?) {
        let r = Int(token)
        // a push cut by the crash of Jenkins' own host: the crash aborts the build
        guard releases[r].running, serving, model.infrastructure.hosts[host].state.isUp else { return }
        if let e = error {
            fail(r, "docker push failed: \(e)")
            return
        }
        releases[r].pushedAt = now
        put(r)
    }

    /// The plugin's PUT /v2/apps/{id} with the new image to the job's current Marathon
    /// (MarathonRecorder: 3 attempts, 5 s apart, on 409 or no answer); then the next Marathon's.
    func put(_ r: Int) {
        let job = spec.jobs[releases[r].job]
        let k = targets[releases[r].job][releases[r].putTarget]
        let m = marathons[k]
        releases[r].putAttempts += 1
        releases[r].attemptsHere += 1
        if releases[r].putAt == nil { releases[r].putAt = now }
        // With one Marathon per data center, which one answered (the detail names it).
        let at = m.datacenter == nil ? "" : " (\(m.instanceName))"
        guard let ai = m.appIndex[job.app] else { fail(r, "PUT \(job.app)\(at): 404 app not found"); return }
        var def = m.apps[ai].definition
        def.container?.image = "\(harbor.spec.domain)/\(job.repository):\(releases[r].build)"
        switch m.deploy(def, force: job.forceUpdate) {
        case .deployment(let d):
            if k == 0 { releases[r].deployment = d }
            releases[r].deployments[k] = d
            log("deployRequested", subject(r), "PUT \(job.app)\(at) image \(def.image ?? ""): deployment-\(d)")
            nextPut(r)
        case .done: nextPut(r)
        case .conflict(let d):
            retryOrFail(r, "409 Conflict\(at): deployment-\(d) in progress")
        case .noLeader:
            retryOrFail(r, "no Marathon leader answers\(at)")
        case .unknownApp:
            fail(r, "PUT \(job.app)\(at): 404 app not found")
        }
    }

    /// The PUT to the current Marathon was accepted: the next of the job's Marathons, or the
    /// build is over.
    func nextPut(_ r: Int) {
        releases[r].putTarget += 1
        releases[r].attemptsHere = 0
        if releases[r].putTarget < targets[releases[r].job].count { put(r) } else { done(r) }
    }

    func retryOrFail(_ r: Int, _ why: String) {
        if releases[r].attemptsHere < 3 {
            log("deployRetry", subject(r), "\(why); attempt \(releases[r].attemptsHere) of 3, again in 5s")
            model.sim.schedule(after: .seconds(5), target: target, kind: Kind.put.rawValue, arg: Int64(r))
        } else {
            fail(r, "\(why) after 3 attempts")
        }
    }

    func fail(_ r: Int, _ why: String) {
        releases[r].failure = why
        log("buildFailed", subject(r), why)
        done(r)
    }

    /// The build is over: its executor takes the next.
    func done(_ r: Int) {
        guard releases[r].running else { return }
        releases[r].running = false
        busy -= 1
        dispatch()
    }

    // MARK: crash and restart of the Jenkins host

    /// The host went down: builds on its executors are lost (a freestyle build in progress is not
    /// resumed; at the next start Jenkins loads its record, which has no result, as COMPLETED with
    /// FAILURE: jenkinsci/jenkins core/src/main/java/hudson/model/Run.java reload());
    /// the queue survives, as Jenkins saves it to queue.xml on every change and loads it at start.
    /// Queue.Saver.push: a save DELAY_SECONDS from now unless one is pending.
    func queueChanged() {
        catchUpSave()
        if saveDue == nil { saveDue = now + Self.queueSaveDelay }
    }

    /// The save that was due by now has happened.
    func catchUpSave() {
        if let due = saveDue, due <= now { lastSave = due; saveDue = nil }
    }

    /// The items of Jenkins' queue, oldest first: in their quiet period or waiting for an executor.
    func waitingItems() -> [Int] {
        releases.indices.filter { !releases[$0].lost && (releases[$0].queued || queue.contains($0)) }
    }

    /// Whether queue.xml's last save holds item `r`: it had entered the queue and not yet left it.
    /// (An item reloaded after an earlier crash entered before that crash's last save.)
    func saved(_ r: Int) -> Bool {
        guard let t = lastSave else { return false }
        return releases[r].queuedAt <= t && (releases[r].startedAt.map { $0 > t } ?? true)
    }

    /// `rebooting`: an orderly shutdown (Jenkins' cleanUp saves the queue and aborts the builds);
    /// otherwise a crash.
    func hostDown(rebooting: Bool) {
        serving = false
        startGeneration += 1
        catchUpSave()
        saveDue = nil
        if rebooting { lastSave = now }
        // the queue comes back as queue.xml has it: items that entered after its last save are
        // lost (the SCM poll after the start finds their commits again); items that left it to
        // start since then come back and build again (here: one new build of their job)
        for r in waitingItems() where !saved(r) {
            releases[r].lost = true
            releases[r].queued = false
            releases[r].failure = "lost from the queue: the Jenkins host went down before queue.xml was saved with it"
            missedCommits[releases[r].job] = true
            log("queueItemLost", subject(r), "queued after the last save of queue.xml; the first SCM poll after the start finds its commit")
        }
        queue.removeAll { releases[$0].lost }
        for r in releases.indices where releases[r].startedAt != nil && !releases[r].reloaded && saved(r) {
            releases[r].reloaded = true
            missedCommits[releases[r].job] = true
            log("queueItemReloaded", subject(r), "queue.xml still holds it (saved before it started): it builds again after the start")
        }
        for r in releases.indices where releases[r].running {
            releases[r].running = false
            // an orderly shutdown interrupts the executors (ABORTED); after a crash the record has no result
            releases[r].failure = rebooting ? "ABORTED: Jenkins shut down with the host (orderly reboot) during the build"
                : "FAILURE: the Jenkins host went down during the build (its record loads without a result)"
            buildsLost += 1
            log("buildLost", subject(r), "the Jenkins host \(model.infrastructure.hosts[host].name) went down; the build is not resumed")
        }
        busy = 0
    }

    /// The host is back: Jenkins starts (`startupTime`), then takes its queue again.
    func hostUp() {
        startGeneration += 1
        log("jenkinsStarting", model.infrastructure.hosts[host].name, "host up; Jenkins serves after \(spec.startupTime)")
        model.sim.schedule(after: spec.startupTime, target: target, kind: Kind.started.rawValue, arg: startGeneration)
    }

    func started() {
        serving = true
        // Queue.load consumed queue.xml (it keeps it as queue.xml.bak): until the next save a crash loses the queue
        lastSave = nil
        log("jenkinsStarted", model.infrastructure.hosts[host].name, "queue.xml loaded: \(queue.count) build(s) waiting")
        for j in missedCommits.indices where missedCommits[j] {
            missedCommits[j] = false
            commit(JenkinsCommitSpec(at: .zero, job: j))
        }
        dispatch()
    }

    /// deployment_success of a release's deployment at one Marathon (deployment ids are per
    /// Marathon: the one whose deployment `d` finished now): per data center of its instances, when
    /// its last new instance became healthy. The release is in production when every Marathon it
    /// was PUT to has reported.
    func deploymentSucceeded(_ d: Int) {
        for (k, m) in marathons.enumerated() {
            guard let r = releases.lastIndex(where: { $0.deployments[k] == d && $0.deployedBy[k] == nil }),
                  m.deploymentFinished(d, at: now) else { continue }
            releases[r].deployedBy[k] = now
            guard let ai = m.appIndex[spec.jobs[releases[r].job].app] else { continue }
            let a = m.apps[ai]
            let hosts = model.infrastructure.hosts
            for inst in a.instances where inst.version == a.configVersion && inst.isActive {
                let dc = hosts[inst.host].datacenter
                guard let reg = harbor.registries.firstIndex(where: { $0.datacenter == dc }) else { continue }
                let t = healthyAt[inst.task] ?? inst.runningSince ?? now
                releases[r].deployedIn[reg] = max(releases[r].deployedIn[reg] ?? t, t)
            }
            let job = targets[releases[r].job]
            let label = m.deploymentLabel(d)
            guard releases[r].putTarget >= job.count, job.allSatisfy({ releases[r].deployedBy[$0] != nil }) else {
                log("deployedIn", subject(r), "\(label) done \(NumberFormat.decimal((now - releases[r].commitAt).seconds)) s after the commit")
                continue
            }
            releases[r].deployedAt = now
            log("released", subject(r), "\(label) done \(NumberFormat.decimal((now - releases[r].commitAt).seconds)) s after the commit")
        }
    }
}
