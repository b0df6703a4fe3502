import SimKernel

// The Jenkins release pipeline: a commit queues its job's build (after the quiet period; commits
// inside it share one build), a free executor of the master runs it (build, then `docker build`,
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

    enum Kind: Int32 { case commit = 1, quietOver, built, imageBuilt, put }

    init(spec: JenkinsSpec, model: ClusterSimulation, harbor: HarborRegistries, marathon: MarathonScheduler) {
        self.spec = spec; self.model = model; self.harbor = harbor; self.marathon = marathon
        let all = marathon.all
        marathons = all
        targets = spec.jobs.map { j in j.marathons.map { dcs in dcs.compactMap { dc in all.firstIndex { $0.datacenter == dc } } } ?? Array(all.indices) }
        host = model.infrastructure.hosts.first { $0.name == spec.host }?.index ?? 0
        nextBuild = spec.jobs.map(\.firstBuildNumber)
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
            releases[i].queued = false
            queue.append(i)
            dispatch()
        case .built: imageBuild(i)
        case .imageBuilt: push(i)
        case .put: put(i)
        case nil: break
        }
    }

    /// The SCM trigger: a build enters the queue; a commit while its job's build still waits in
    /// the quiet period joins that build.
    func commit(_ c: JenkinsCommitSpec) {
        if let r = releases.lastIndex(where: { $0.job == c.job && $0.queued }) {
            releases[r].commits += 1
            log("commitQueued", subject(r), "joins the queued build (quiet period)")
            return
        }
        let build = nextBuild[c.job]
        nextBuild[c.job] += 1
        var release = Release(job: c.job, build: build, commitAt: now, deployedIn: Array(repeating: nil, count: harbor.registries.count))
        release.deployments = Array(repeating: nil, count: marathons.count)
        release.deployedBy = Array(repeating: nil, count: marathons.count)
        releases.append(release)
        let r = releases.count - 1
        log("buildQueued", subject(r), "commit; quiet period \(spec.quietPeriod)")
        model.sim.schedule(after: spec.quietPeriod, target: target, kind: Kind.quietOver.rawValue, arg: Int64(r))
    }

    func dispatch() {
        while busy < spec.executors && !queue.isEmpty && model.infrastructure.hosts[host].state.isUp {
            let r = queue.removeFirst()
            busy += 1
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
        busy -= 1
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
