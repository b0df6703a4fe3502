import SimKernel

// Storage's share of the host exporters (docs/metrics.md):
// - node_exporter's filesystem collector for the filesystem under /var/lib/docker (overlay2's
//   backing filesystem, loop-lvm's sparse files, the host volumes with the containers' logs);
// - thin-pool data and metadata space through node_exporter's textfile collector (node_exporter
//   has no devicemapper collector; sites ran a cron script over `dmsetup status` / `docker info`
//   writing a .prom file);
// - cAdvisor's container_fs_* for each container's writable layer (`writableLayer`, which Mesos
//   writes with the container's labels).
// Storage advances its fluid state only at its own events; a scrape projects it to `now` at the
// rates in force without changing anything.

extension DockerHost {
    /// Seconds since the fluid state was last brought up to date.
    func pending(_ now: SimTime) -> Double { max(0, (now - lastUpdate).seconds) }

    /// A container's writable-layer bytes as of `now` (a device stops at dm.basesize).
    func layerBytes(_ c: DockerContainer, at now: SimTime) -> Double {
        let b = c.layerBytes + c.layerRate * pending(now)
        return isDeviceMapper ? min(b, Double(opts.baseSize)) : b
    }

    /// Thin-pool data blocks in use as of `now` (at most the pool).
    func dataUsedBlocks(at now: SimTime) -> Int64 {
        guard isDeviceMapper else { return 0 }
        var used = imageBlocks
        let dt = pending(now)
        for c in containers {
            if c.layerRate > 0 && dt > 0 {
                let k = Int64((layerBytes(c, at: now) / blockSize).rounded(.up))
                used += max(k, c.layerBlocks)
            } else {
                used += c.layerBlocks
            }
        }
        return min(used, dataTotalBlocks)
    }

    /// Bytes used on the host filesystem as of `now`.
    func fsUsed(at now: SimTime) -> Double {
        let dt = pending(now)
        var used = fsUsed
        guard dt > 0 else { return used }
        for f in logFiles where f.rate > 0 { used += f.rate * dt }
        if isDeviceMapper {
            if spec.mode == .loopLVM {
                // the sparse file grows to what the pool has allocated (syncLoopFile)
                let blocks = dataUsedBlocks(at: now)
                let pool = Double(blocks) * blockSize + Double(Int64(devices) * 4096 + blocks * opts.metadataBytesPerBlock)
                used += max(0, pool - loopFileBytes)
            }
        } else {
            for c in containers where c.layerRate > 0 { used += c.layerRate * dt }
        }
        return used
    }
}

extension StorageModel: MetricsContributor {
    /// The filesystem under /var/lib/docker: CentOS 7's default root logical volume, XFS (no
    /// reserved blocks, so avail = free).
    static let fsLabels: [(String, String)] = [("device", "/dev/mapper/centos-root"), ("fstype", "xfs"), ("mountpoint", "/")]

    static let nodeFamilies = [
        MetricFamily("node_filesystem_size_bytes", .gauge, "Filesystem size in bytes."),
        MetricFamily("node_filesystem_free_bytes", .gauge, "Filesystem free space in bytes."),
        MetricFamily("node_filesystem_avail_bytes", .gauge, "Filesystem space available to non-root users in bytes."),
        MetricFamily("node_devicemapper_thinpool_data_size_bytes", .gauge, "Thin pool data space total (docker info: Data Space Total), textfile collector."),
        MetricFamily("node_devicemapper_thinpool_data_free_bytes", .gauge, "Thin pool data space available (docker info: Data Space Available), textfile collector."),
        MetricFamily("node_devicemapper_thinpool_metadata_size_bytes", .gauge, "Thin pool metadata space total (docker info: Metadata Space Total), textfile collector."),
        MetricFamily("node_devicemapper_thinpool_metadata_free_bytes", .gauge, "Thin pool metadata space available (docker info: Metadata Space Available), textfile collector."),
    ]

    public func metricFamilies(for kind: ExporterKind) -> [MetricFamily] {
        kind == .node ? StorageModel.nodeFamilies : []
    }

    public func collect(_ e: MetricEndpoint, now: SimTime, into w: MetricWriter) {
        guard e.kind == .node, let h = dockerHost(e.host) else { return }
        let f = StorageModel.nodeFamilies
        let fs = StorageModel.fsLabels
        if w.begin(f[0], exposing: 1) { w.add(f[0].name, fs, h.fsCapacity) }
        let needFree = w.begin(f[1], exposing: 1), needAvail = w.begin(f[2], exposing: 1)
        if needFree || needAvail {
            let free = max(0, h.fsCapacity - h.fsUsed(at: now))
            if needFree { w.add(f[1].name, fs, free) }
            if needAvail { w.add(f[2].name, fs, free) }
        }
        let n = h.isDeviceMapper ? 1 : 0
        let pool: [(String, String)] = [("pool", "docker-thinpool")]
        if w.begin(f[3], exposing: n), n > 0 { w.add(f[3].name, pool, Double(h.dataTotalBlocks) * h.blockSize) }
        if w.begin(f[4], exposing: n), n > 0 {
            w.add(f[4].name, pool, Double(max(0, h.dataTotalBlocks - h.dataUsedBlocks(at: now))) * h.blockSize)
        }
        if w.begin(f[5], exposing: n), n > 0 { w.add(f[5].name, pool, Double(h.metadataTotalBytes)) }
        if w.begin(f[6], exposing: n), n > 0 {
            let used = Int64(h.devices) * 4096 + h.dataUsedBlocks(at: now) * h.opts.metadataBytesPerBlock
            w.add(f[6].name, pool, Double(max(0, h.metadataTotalBytes - used)))
        }
    }

    /// devicemapper: the container's thin device (`docker-<major>:<minor>-<inode>-<id>`), limit
    /// dm.basesize; overlay2: the backing filesystem, limit its size (what cAdvisor reports).
    public func writableLayer(task: TaskID, now: SimTime) -> (device: String, usage: Double, limit: Double)? {
        guard let c = byTask[task], c.host >= 0, c.host < hosts.count else { return nil }
        let h = hosts[c.host]
        let usage = h.layerBytes(c, at: now)
        if h.isDeviceMapper {
            let device = "/dev/mapper/docker-253:0-\(1_000 + h.index)-" + CadvisorContainer.dockerID(task: task)
            return (device, usage, Double(h.opts.baseSize))
        }
        return (StorageModel.fsLabels[0].1, usage, h.fsCapacity)
    }
}
