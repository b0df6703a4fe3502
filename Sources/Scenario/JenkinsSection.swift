import ClusterModel
import SimKernel

// The `jenkins` section: the Jenkins master (host, executors, quiet period), release jobs and the
// commits that trigger them (docs/delivery.md). Our own keys: strict.
extension ScenarioSchema {
    static func decodeJenkins(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool,
                              harbor: HarborSpec?, harborGiven: Bool, marathon: MarathonSpec?, marathonGiven: Bool,
                              duration: SimDuration?, _ d: Diagnostics) -> JenkinsSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: jenkinsKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        if !harborGiven { d.error(path, at: v, "jenkins needs a `harbor` section: its builds push their images there") }
        if !marathonGiven { d.error(path, at: v, "jenkins needs a `marathon` section: its builds deploy there") }
        let directory = HostDirectory(groups: hostGroups.map { ($0.name, $0.count) }, complete: hostGroupsComplete)
        let host = r.required("host", .nonEmptyString, hint: "the host running the Jenkins master")
        if let h = host, directory.complete, let problem = directory.problem(with: h) { d.error(r.keyPath("host"), at: r.value("host"), problem) }
        var spec = JenkinsSpec(host: host ?? "", jobs: [], commits: [])
        if let x = r.optional("executors", .int(min: 1, max: 10_000), default: 2) { spec.executors = x }
        if let x = r.optional("quietPeriod", .duration(.nonNegative).check { $0 > .hours(24) ? "at most 24h here" : nil }, default: .seconds(5)) { spec.quietPeriod = x }
        if let x = r.optional("startupTime", .duration(.nonNegative).check { $0 > .hours(24) ? "at most 24h here" : nil }, default: .seconds(60)) { spec.startupTime = x }
        // every job's name, valid or not, in order (commits name them; a wrong job is reported once)
        var names: [String] = []
        if let a = r.required("jobs", .array(of: .json, nonEmpty: true)) {
            for (i, e) in a.enumerated() {
                let jr = ObjectReader(e, path: JSONPath.index(r.keyPath("jobs"), i), diagnostics: d, keys: jenkinsJobKeys)
                guard jr.isObject else { names.append(""); continue }
                let name = jr.required("name", .label)
                names.append(name ?? "")
                var app: String? = nil
                if let raw = jr.required("app", .nonEmptyString, hint: "the Marathon app id it deploys") {
                    let id = MarathonPath.canonical(raw)
                    if let m = marathon {
                        if let def = m.app(id) {
                            if def.container?.type != .docker || def.image == nil {
                                d.error(jr.keyPath("app"), at: jr.value("app"), "Marathon app \(id) has no Docker container image; the plugin replaces `container.docker.image`")
                            } else { app = id }
                        } else {
                            let ids = m.apps.map(\.id)
                            d.error(jr.keyPath("app"), at: jr.value("app"), "no Marathon app \(JSONValue.quote(id))\(Suggest.didYouMean(id, among: ids))")
                        }
                    }
                }
                let repository = jr.required("repository", ValueDecoder<String>.nonEmptyString.check { s in
                    s.contains(":") || !s.contains("/") ? "\(JSONValue.quote(s)) is not project/repository (no tag: builds are tagged with their number)" : nil
                })
                let base = jr.required("baseImage", .nonEmptyString, hint: "an image of harbor.images its Dockerfile starts FROM")
                if let b = base, let h = harbor, !h.images.contains(where: { $0.reference == b }) {
                    d.error(jr.keyPath("baseImage"), at: jr.value("baseImage"), "no image \(JSONValue.quote(b)) in harbor.images\(Suggest.didYouMean(b, among: h.images.map(\.reference)))")
                }
                let layers = jr.optional("newLayers", .array(of: .size(.positive)), default: [])
                let build = jr.required("buildTime", .distribution(.seconds))
                let image = jr.required("imageBuildTime", .distribution(.seconds))
                let force = jr.optional("forceUpdate", .bool, default: false)
                let first = jr.optional("nextBuildNumber", .int(min: 1, max: 1_000_000_000), default: 1)
                var targets: [String]? = nil
                if let mv = jr.value("marathons"), let list = ValueDecoder<[String]>.array(of: .nonEmptyString, nonEmpty: true).decode(mv, jr.keyPath("marathons"), d) {
                    let dcs = marathon?.datacenters.map(\.name) ?? []
                    if marathon != nil && dcs.isEmpty {
                        d.error(jr.keyPath("marathons"), at: mv, "only with one Marathon per data center (`marathon.datacenters`); this scenario has one Marathon")
                    } else {
                        var seen = Set<String>()
                        for (k, dc) in list.enumerated() where marathon != nil {
                            let p = JSONPath.index(jr.keyPath("marathons"), k)
                            if !dcs.contains(dc) {
                                d.error(p, at: mv, "no Marathon for data center \(JSONValue.quote(dc))\(Suggest.didYouMean(dc, among: dcs)); marathon.datacenters: \(Suggest.listed(dcs))")
                            } else if !seen.insert(dc).inserted {
                                d.error(p, at: mv, "duplicate data center \(JSONValue.quote(dc)): the plugin PUTs to each Marathon once")
                            }
                        }
                        targets = list
                    }
                }
                jr.finish()
                if let n = name, spec.jobs.contains(where: { $0.name == n }) {
                    d.error(jr.keyPath("name"), at: jr.value("name"), "duplicate job name \(JSONValue.quote(n))")
                } else if let n = name, let a = app, let repo = repository, let b = base, let l = layers, let bt = build, let it = image, let f = force, let fb = first {
                    var j = JenkinsJobSpec(name: n, app: a, repository: repo, baseImage: b, newLayerBytes: l, buildTime: bt, imageBuildTime: it)
                    j.forceUpdate = f; j.firstBuildNumber = fb; j.marathons = targets
                    spec.jobs.append(j)
                }
            }
        }
        if let a = r.optional("commits", .array(of: .json)) {
            for (i, e) in a.enumerated() {
                let cr = ObjectReader(e, path: JSONPath.index(r.keyPath("commits"), i), diagnostics: d, keys: jenkinsCommitKeys)
                guard cr.isObject else { continue }
                let at = cr.required("at", .duration(.nonNegative))
                if let t = at, let dur = duration, t > dur { d.error(cr.keyPath("at"), at: cr.value("at"), "\(t) is after the end of the run (\(dur))") }
                let job = cr.required("job", .label)
                var index: Int? = nil
                if let j = job {
                    index = names.firstIndex(of: j)
                    if index == nil { d.error(cr.keyPath("job"), at: cr.value("job"), "no job \(JSONValue.quote(j))\(Suggest.didYouMean(j, among: names))") }
                }
                cr.finish()
                if let t = at, let k = index { spec.commits.append(JenkinsCommitSpec(at: t, job: k)) }
            }
        }
        r.finish()
        return d.errorCount == before ? spec : nil
    }
}
