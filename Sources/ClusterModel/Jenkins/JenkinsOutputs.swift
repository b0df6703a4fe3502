import SimKernel

// What Jenkins writes: releases.csv (one row per release and data center, at the last sample)
// and the headline figures of the releases.
extension JenkinsPipeline {
    static let outputs = SubsystemOutputs(
        tables: [
            SubsystemTable(of: JenkinsPipeline.self, file: "releases.csv",
                           when: "when the scenario has a `jenkins` section (one row per release and Harbor registry's data center, written at the last sample)",
                           columns: [
                            ("job", "The Jenkins job."),
                            ("build", "Its build number (the image's tag)."),
                            ("commits", "Commits the build took (commits while it waits in the queue, in its quiet period or behind the job's build in progress, share it)."),
                            ("commit_s", "When the first of them was pushed."),
                            ("build_started_s", "When an executor took the build (empty: still queued)."),
                            ("built_s", "When `docker build` finished."),
                            ("pushed_s", "When `docker push` to the push registry finished."),
                            ("deploy_put_s", "When the Marathon plugin's first PUT was sent."),
                            ("datacenter", "A data center with a Harbor registry."),
                            ("replicated_s", "When the image arrived in that data center's registry (pushed or replicated; empty: never)."),
                            ("deployed_s", "When the last new instance in that data center became healthy (empty: none there, or the deployment did not finish), read at the deployment_success of the Marathon that runs it (with one Marathon per data center: that data center's)."),
                            ("commit_to_production_s", "deployed_s - commit_s."),
                            ("deployment_done_s", "Marathon's deployment_success of the release (the last instance healthy everywhere); with one Marathon per data center, the last of its Marathons' deployment_success."),
                            ("result", "`released`, `deploying` (at the end of the run), or why the build failed."),
                           ]) { j, time, out in
                guard time + j.model.spec.sampleInterval > j.model.endTime else { return }
                j.writeRows(out)
            },
        ],
        headline: [
            ("releases", "Builds the commits started."),
            ("releases_in_production", "Releases whose deployment finished."),
            ("commit_to_production_max_s", "The longest commit-to-production over releases and data centers (empty: none finished); per data center in summary.json's `delivery`."),
        ],
        headlineIntro: "With a `jenkins` section (docs/delivery.md):",
        detailsKey: "delivery")

    func writeRows(_ out: TableSink) {
        func opt(_ t: SimTime?) { if let t { out.field(t) } else { out.field("") } }
        for r in releases {
            for (g, reg) in harbor.registries.enumerated() {
                out.field(spec.jobs[r.job].name); out.field(r.build); out.field(r.commits); out.field(r.commitAt)
                opt(r.startedAt); opt(r.builtAt); opt(r.pushedAt); opt(r.putAt)
                out.field(reg.datacenter)
                opt(r.image.flatMap { harbor.arrival(image: $0, registry: g) })
                opt(r.deployedIn[g])
                if let d = r.deployedIn[g] { out.field((d - r.commitAt).seconds, decimals: 3) } else { out.field("") }
                opt(r.deployedAt)
                out.field(r.failure ?? (r.deployedAt == nil ? "deploying" : "released"))
                out.endRow()
            }
        }
    }

    public func headline() -> [HeadlineFigure] {
        let worst = releases.flatMap { r in r.deployedIn.compactMap { $0.map { ($0 - r.commitAt).seconds } } }.max()
        return [
            HeadlineFigure("releases", .int(Int64(releases.count))),
            HeadlineFigure("releases_in_production", .int(Int64(releases.filter { $0.deployedAt != nil }.count))),
            HeadlineFigure("commit_to_production_max_s", worst.map { .number($0, decimals: 3) } ?? .none),
        ]
    }

    /// summary.json's `delivery`: per release, per data center, commit-to-production.
    public func details() -> [(key: String, value: DetailValue)] {
        let rows: [DetailValue] = releases.map { r in
            .object([
                (key: "job", value: .text(spec.jobs[r.job].name)),
                (key: "build", value: .int(Int64(r.build))),
                (key: "commit_s", value: .seconds(r.commitAt)),
                (key: "commit_to_production_s", value: .object(harbor.registries.enumerated().map { g, reg in
                    (key: reg.datacenter, value: .seconds(r.deployedIn[g].map { $0 - r.commitAt }))
                })),
            ])
        }
        return [(key: "releases", value: .array(rows))]
    }
}
