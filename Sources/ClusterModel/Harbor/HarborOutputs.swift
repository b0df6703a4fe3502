import SimKernel

// What Harbor writes: registry.csv (one row per registry and sample) and its headline figures.
extension HarborRegistries {
    static let outputs = SubsystemOutputs(
        tables: [
            SubsystemTable(of: HarborRegistries.self, file: "registry.csv",
                           when: "when the scenario has a `harbor` section (long format: one row per registry and sample)",
                           columns: [
                            ("time_s", "Sample time."),
                            ("registry", "The registry's name (`harbor.registries[i].name`)."),
                            ("datacenter", "The data center of its host: the agents there pull from it."),
                            ("up", "1 while its host is up, else 0."),
                            ("images", "Images (repository:tag) it holds."),
                            ("replication_queued", "Replication tasks waiting for a worker of its job service."),
                            ("replication_running", "Replication tasks its job service runs (at most `maxJobWorkers`)."),
                            ("replicated_bytes", "Bytes of blobs replicated into it since the start."),
                            ("blob_failures", "Blob copy attempts into it that failed since the start (each is retried)."),
                            ("replications_done", "Replication tasks into it that finished (copied, or found the image there)."),
                            ("replications_dead", "Replication tasks into it that failed `jobMaxFails` runs."),
                            ("pulls_served", "`docker pull`s it answered with the whole image (layers cached on the host included)."),
                            ("pulls_failed", "`docker pull`s that failed on it (host down, manifest unknown, a download cut 5 times)."),
                            ("pulls_manifest_unknown", "Of those, pulls of an image it did not hold (`manifest unknown`)."),
                            ("pulled_bytes", "Bytes its pulls sent to Docker hosts since the start: only the layers each host lacked."),
                           ]) { h, time, out in
                for r in h.registries {
                    out.field(time); out.field(r.name); out.field(r.datacenter)
                    out.field(h.up(r.host) ? 1 : 0); out.field(r.images); out.field(r.queued); out.field(r.running)
                    out.field(Int64(r.replicatedBytes)); out.field(r.blobFailures); out.field(r.tasksDone); out.field(r.tasksDead)
                    out.field(r.pullsServed); out.field(r.pullsFailed); out.field(r.pullsManifestUnknown); out.field(r.pulledBytes)
                    out.endRow()
                }
            },
        ],
        plots: [
            SubsystemPlot(file: "registry_images", title: "Images held by each Harbor registry", ylabel: "images",
                          source: "registry.csv", perKey: ("registry", "images")),
            SubsystemPlot(file: "registry_replicated", title: "Bytes replicated into each Harbor registry (cumulative)", ylabel: "bytes",
                          source: "registry.csv", perKey: ("registry", "replicated_bytes")),
        ],
        headline: [
            ("replicated_bytes", "Bytes of blobs replicated between registries over the run."),
            ("replications_dead", "Replication tasks that failed every run (`jobMaxFails`)."),
            ("pulls_failed", "`docker pull`s that failed on a Harbor registry (host down, manifest unknown, a download cut 5 times)."),
            ("launches_failed_replication_lag", "Launches that failed with `manifest unknown` while another registry held the image already: the data center deployed before replication brought it."),
        ],
        headlineIntro: "With a `harbor` section (docs/delivery.md):")

    public func headline() -> [HeadlineFigure] {
        [
            HeadlineFigure("replicated_bytes", .int(Int64(registries.reduce(0.0) { $0 + $1.replicatedBytes }))),
            HeadlineFigure("replications_dead", .int(Int64(registries.reduce(0) { $0 + $1.tasksDead }))),
            HeadlineFigure("pulls_failed", .int(Int64(registries.reduce(0) { $0 + $1.pullsFailed }))),
            HeadlineFigure("launches_failed_replication_lag", .int(Int64(launchesFailedByLag))),
        ]
    }
}
