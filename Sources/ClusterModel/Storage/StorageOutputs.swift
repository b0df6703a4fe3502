import SimKernel

// What the Storage subsystem writes into a results folder: storage.csv (Docker storage per
// host), containers.csv, ceph.csv, their charts, and the storage headline figures.

extension StorageModel {
    public static let outputs = SubsystemOutputs(
        tables: [storageTable, containersTable, cephTable],
        plots: storagePlots,
        columns: [hostColumns],
        headline: storageHeadlineMeanings,
        headlineIntro: "With a `storage` section the headline ends with the container-storage figures (see docs/storage.md).")

    static let GiB = 1024.0 * 1024.0 * 1024.0
    static let MiB = 1024.0 * 1024.0

    /// hosts.csv's Docker columns (row = host index); empty without a `storage` section.
    static let hostColumns = ContributedColumns(
        of: StorageModel.self, table: "hosts.csv", after: "downtime_s",
        columns: [
            ("docker_pool_free_ratio", "free data blocks of the host's devicemapper thin pool / total (details in storage.csv); empty without devicemapper"),
            ("docker_fs_used_gib", "host filesystem under /var/lib/docker used, GiB; empty without a `storage` section for the host"),
        ],
        prepare: { storage, _ in storage.sync() },
        absent: { h in h.field(""); h.field("") }) { storage, host, _, h in
            if let d = storage.dockerHost(host) {
                if d.isDeviceMapper { h.field(d.dataFreeRatio, decimals: 4) } else { h.field("") }
                h.field(d.fsUsed / GiB, decimals: 3)
            } else {
                h.field(""); h.field("")
            }
        }

    static let storageTable = SubsystemTable(
        of: StorageModel.self, file: "storage.csv", when: "when the scenario has a `storage` section with `hostGroups` (long format: one row per host and sample)",
        columns: [
            ("time_s", "simulated time of the sample, seconds"),
            ("host", "host name"),
            ("driver", "devicemapper-loop-lvm, devicemapper-direct-lvm or overlay2"),
            ("pool_data_used_gib", "thin-pool data space used, GiB (docker info `Data Space Used`; 0 for overlay2)"),
            ("pool_data_total_gib", "thin-pool data space, GiB (grows with autoextend and extendPool)"),
            ("pool_data_free_ratio", "free data blocks / total data blocks (1 for overlay2)"),
            ("pool_metadata_used_mib", "thin-pool metadata used, MiB"),
            ("pool_metadata_total_mib", "thin-pool metadata space, MiB"),
            ("pool_state", "ok, full (I/O queued), failing (I/O fails, XFS retries); overlay2: full when the filesystem is"),
            ("below_min_free", "1 while free data blocks are below dm.min_free_space (new devices refused)"),
            ("docker_daemon", "running, hung or stopped"),
            ("host_fs_used_gib", "host filesystem under /var/lib/docker used, GiB (loop files, overlay2 layers, host volumes, other use)"),
            ("host_fs_total_gib", "host filesystem size, GiB"),
            ("images", "images on the host (`docker system df` Images TOTAL)"),
            ("images_size_gib", "size of the images, GiB"),
            ("containers", "containers, running or exited and not yet removed (`docker system df` Containers TOTAL)"),
            ("containers_running", "containers whose process runs"),
            ("containers_hung", "containers whose process is blocked in I/O"),
            ("containers_size_gib", "writable layers of all containers, GiB (`docker system df` Containers SIZE)"),
            ("containers_reclaimable_gib", "writable layers of exited containers, GiB (Containers RECLAIMABLE)"),
            ("max_container_layer_gib", "largest writable layer on the host, GiB (against dm.basesize)"),
            ("local_volumes_size_gib", "host-volume log files incl. rotated ones, GiB (Local Volumes SIZE)"),
            ("container_logs_gib", "Docker's copies of the containers' stdout (json-file or local logging driver, rotated files included) under /var/lib/docker/containers, GiB; part of host_fs_used_gib (docs/storage.md \"Docker's copy of stdout\")"),
        ],
        applies: { !$0.hosts.isEmpty }) { st, time, w in
            st.sync()
            for h in st.hosts {
                w.field(time); w.field(h.name)
                w.field(h.isDeviceMapper ? "devicemapper-" + h.spec.mode.rawValue : "overlay2")
                let bs = Double(h.spec.options.blockSize)
                w.field(Double(h.dataUsedBlocks) * bs / GiB, decimals: 3)
                w.field(Double(h.dataTotalBlocks) * bs / GiB, decimals: 3)
                w.field(h.isDeviceMapper ? h.dataFreeRatio : 1, decimals: 4)
                w.field(h.isDeviceMapper ? Double(h.metadataUsedBytes) / MiB : 0, decimals: 3)
                w.field(Double(h.metadataTotalBytes) / MiB, decimals: 3)
                w.field(h.condition.rawValue)
                w.field(h.belowMinFree ? 1 : 0)
                w.field(h.daemon.rawValue)
                w.field(h.fsUsed / GiB, decimals: 3)
                w.field(h.fsCapacity / GiB, decimals: 3)
                w.field(h.images.count)
                w.field(Double(h.images.reduce(0) { $0 + $1.bytes }) / GiB, decimals: 3)
                var running = 0, hung = 0
                var size = 0.0, reclaim = 0.0, maxLayer = 0.0
                for c in h.containers {
                    if c.running { running += 1 } else { reclaim += c.layerBytes }
                    if c.hung { hung += 1 }
                    size += c.layerBytes
                    maxLayer = max(maxLayer, c.layerBytes)
                }
                w.field(h.containers.count); w.field(running); w.field(hung)
                w.field(size / GiB, decimals: 3); w.field(reclaim / GiB, decimals: 3); w.field(maxLayer / GiB, decimals: 3)
                w.field(h.volumesBytes / GiB, decimals: 3)
                w.field(h.containerLogsBytes / GiB, decimals: 3)
                w.endRow()
            }
        }

    /// Per-container writable-layer usage (what `docker ps --size` shows), for the containers
    /// whose process runs or hangs: exited ones are in storage.csv's reclaimable figure.
    static let containersTable = SubsystemTable(
        of: StorageModel.self, file: "containers.csv",
        when: "when the scenario has a `storage` section with `hostGroups` (long format: one row per running or hung container and sample)",
        columns: [
            ("time_s", "simulated time of the sample, seconds"),
            ("host", "host name"),
            ("container", "the task's name (Marathon task id prefix)"),
            ("state", "running or hung (blocked in I/O)"),
            ("layer_gib", "bytes written into the container's writable layer, GiB"),
            ("at_basesize", "1 once the layer reached dm.basesize (writes fail with ENOSPC), else 0"),
        ],
        applies: { !$0.hosts.isEmpty }) { st, time, w in
            st.sync()
            for h in st.hosts {
                for c in h.containers where c.running || c.hung {
                    w.field(time); w.field(h.name); w.field(c.name); w.field(c.hung ? "hung" : "running")
                    w.field(c.layerBytes / GiB, decimals: 4); w.field(c.atBaseSize ? 1 : 0)
                    w.endRow()
                }
            }
        }

    static let cephTable = SubsystemTable(
        of: StorageModel.self, file: "ceph.csv", when: "when the scenario has `storage.ceph` (one row per sample)",
        columns: [
            ("time_s", "simulated time of the sample, seconds"),
            ("osds_total", "OSDs in the cluster"),
            ("osds_up", "OSDs the monitors see up"),
            ("osds_in", "OSDs in (holding data)"),
            ("degraded_ratio", "replica copies missing / all replica copies (`ceph -s` degraded objects ratio)"),
            ("recovery_mb_s", "recovery (backfill) throughput, MB/s"),
            ("pgs_blocked_ratio", "fraction of placement groups with fewer than min_size replicas up: their client I/O blocks"),
            ("client_latency_ms", "client write latency of unblocked placement groups, ms"),
            ("app_volumes_blocked", "apps' ceph-fuse volumes with a placement group below min_size (or whose writes wait on a dead OSD still up, or on a full pool): their processes hang in I/O"),
            ("osd_max_used_ratio", "used / capacity of the fullest up and in OSD (`ceph osd df`'s highest %USE / 100): above 0.85 nearfull, 0.90 backfillfull, 0.95 full; without a `network` section the pool's replicas spread evenly over the OSDs in"),
            ("pool_full", "1 while the pool is flagged full (an up and in OSD above mon_osd_full_ratio 0.95: client writes paused), else 0"),
        ],
        applies: { $0.ceph != nil }) { st, time, w in
            guard let c = st.ceph else { return }
            let m = c.metrics()
            w.field(time); w.field(m.osdsTotal); w.field(m.osdsUp); w.field(m.osdsIn)
            w.field(m.degradedRatio, decimals: 6); w.field(m.recoveryBytesPerSecond / 1e6, decimals: 3)
            w.field(m.blockedRatio, decimals: 6); w.field(m.clientLatencyMs, decimals: 4)
            w.field(m.appVolumesBlocked)
            w.field(m.maxOSDUsedRatio, decimals: 6); w.field(m.poolFull ? 1 : 0)
            w.endRow()
        }

    static let storagePlots: [SubsystemPlot] = [
        SubsystemPlot(file: "storage_pool_free", title: "Thin pool free data ratio per host", ylabel: "ratio", source: "storage.csv",
                      perKey: ("host", "pool_data_free_ratio")),
        SubsystemPlot(file: "storage_host_fs", title: "Host filesystem used per host", ylabel: "GiB", source: "storage.csv",
                      perKey: ("host", "host_fs_used_gib")),
        SubsystemPlot(file: "storage_hung", title: "Hung containers per host", ylabel: "containers", source: "storage.csv",
                      perKey: ("host", "containers_hung")),
        SubsystemPlot(file: "ceph_degraded", title: "Ceph degraded ratio and blocked PGs", ylabel: "ratio", source: "ceph.csv",
                      columns: [("degraded_ratio", "degraded"), ("pgs_blocked_ratio", "PGs below min_size")]),
        SubsystemPlot(file: "ceph_recovery", title: "Ceph recovery throughput", ylabel: "MB/s", source: "ceph.csv",
                      columns: [("recovery_mb_s", "recovery")]),
    ]

    /// Headline figures of container storage, in the order of `storageHeadlineMeanings`.
    public func headline() -> [HeadlineFigure] {
        let s = summary()
        func opt(_ t: SimTime?) -> HeadlineFigure.Value { t.map { .number($0.seconds, decimals: 9) } ?? .none }
        return [
            HeadlineFigure("storage_first_refusal_s", opt(s.firstRefusal)),
            HeadlineFigure("storage_first_pool_full_s", opt(s.firstPoolFull)),
            HeadlineFigure("storage_first_hang_s", opt(s.firstHang)),
            HeadlineFigure("storage_refusals", .int(Int64(s.refusals))),
            HeadlineFigure("storage_tasks_lost", .int(Int64(s.tasksLost))),
            HeadlineFigure("storage_tasks_hung", .int(Int64(s.tasksHung))),
            HeadlineFigure("storage_hosts_hung", .int(Int64(s.hostsHung.count))),
            HeadlineFigure("storage_reduced_capacity_min", .number(s.reducedCapacity.seconds / 60, decimals: 3)),
            HeadlineFigure("storage_pool_extensions", .int(Int64(s.poolExtensions))),
            HeadlineFigure("storage_operator_actions", .int(Int64(s.operatorActions))),
        ]
    }

    public static let storageHeadlineMeanings: [(key: String, meaning: String)] = [
        ("storage_first_refusal_s", "first image pull or container create refused by the storage driver (below dm.min_free_space, or no space), seconds; empty when none"),
        ("storage_first_pool_full_s", "first time a thin pool (or the filesystem under the loop files / overlay2) was full, seconds"),
        ("storage_first_hang_s", "first time a container process or a Docker daemon hung in I/O, seconds"),
        ("storage_refusals", "pulls and container creations refused by the storage driver"),
        ("storage_tasks_lost", "containers storage took out of service: process hung in I/O, writable layer full at dm.basesize (writes fail with ENOSPC), or running when the Docker daemon was stopped"),
        ("storage_tasks_hung", "container processes that hung in I/O (their instances were lost)"),
        ("storage_hosts_hung", "hosts whose Docker daemon hung"),
        ("storage_reduced_capacity_min", "host-minutes during which a host could not start containers (daemon not running, pool full or below dm.min_free_space)"),
        ("storage_pool_extensions", "thin-pool extensions (autoextend and extendPool)"),
        ("storage_operator_actions", "operator actions carried out (cleanPool, restartDocker, extendPool)"),
    ]
}
