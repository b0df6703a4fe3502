import ClusterModel
import SimKernel

/// timeline.csv and hosts.csv: cluster-wide and per-host capacity, always written.
enum CoreTables {
    static let mib = 1024.0 * 1024.0
    static let gib = 1024.0 * 1024.0 * 1024.0

    static let timeline = SampledTable(
        file: "timeline.csv", when: "always",
        columns: [
            ("time_s", "simulated time of the sample, seconds since the start"),
            ("hosts_total", "hosts in the scenario"),
            ("hosts_up", "hosts up"),
            ("hosts_down", "hosts crashed (hostCrash) and not yet recovered"),
            ("hosts_rebooting", "hosts in an orderly reboot (hostReboot)"),
            ("cpus_total_cores", "cpus of the hosts that are up (a host that is not up offers nothing)"),
            ("cpus_free_cores", "cpus of up hosts not allocated to anything"),
            ("cpus_lost_cores", "cpus of the hosts that are not up"),
            ("memory_total_mib", "memory of the hosts that are up, MiB"),
            ("memory_free_mib", "memory of up hosts not allocated, MiB"),
            ("disk_total_gib", "disk of the hosts that are up, GiB"),
            ("disk_free_gib", "disk of up hosts not allocated, GiB"),
        ],
        applies: { _ in true },
        write: { model, time, t in
            let infra = model.infrastructure
            t.field(time)
            t.field(infra.hosts.count)
            t.field(infra.hostsUp)
            t.field(infra.hostsDown)
            t.field(infra.hostsRebooting)
            t.field(infra.usableCpus, decimals: 3)
            t.field(infra.freeCpus, decimals: 3)
            t.field(infra.installedCpus - infra.usableCpus, decimals: 3)
            t.field(Double(infra.usableMemoryBytes) / mib, decimals: 3)
            t.field(Double(infra.freeMemoryBytes) / mib, decimals: 3)
            t.field(Double(infra.usableDiskBytes) / gib, decimals: 3)
            t.field(Double(infra.freeDiskBytes) / gib, decimals: 3)
            t.endRow()
        })

    static let hosts = SampledTable(
        file: "hosts.csv", when: "always (long format: one row per host and sample)",
        columns: [
            ("time_s", "simulated time of the sample, seconds"),
            ("host", "host name, <group>-<nn>"),
            ("group", "host group"),
            ("datacenter", "data center"),
            ("rack", "rack"),
            ("state", "up, down or rebooting"),
            ("up", "1 when up, else 0"),
            ("cpus_total_cores", "usable cpus (0 when not up)"),
            ("cpus_free_cores", "usable cpus not allocated"),
            ("memory_total_mib", "usable memory, MiB"),
            ("memory_free_mib", "usable memory not allocated, MiB"),
            ("disk_total_gib", "usable disk, GiB"),
            ("disk_free_gib", "usable disk not allocated, GiB"),
            ("downtime_s", "time this host has spent not up since the start, seconds"),
            ("network_cpu_cores", "mean cores the network used on this host since the previous sample (flows, messages, forwarders; 0 without a `network` section)"),
            ("docker_pool_free_ratio", "free data blocks of the host's devicemapper thin pool / total (details in storage.csv); empty without devicemapper"),
            ("docker_fs_used_gib", "host filesystem under /var/lib/docker used, GiB; empty without a `storage` section for the host"),
        ],
        applies: { _ in true },
        write: { model, time, h in
            model.storage?.sync()
            for host in model.infrastructure.hosts {
                h.field(time)
                h.field(host.name)
                h.field(host.group)
                h.field(host.datacenter)
                h.field(host.rack)
                h.field(host.state.rawValue)
                h.field(host.state.isUp ? 1 : 0)
                h.field(host.usableCpus, decimals: 3)
                h.field(host.freeCpus, decimals: 3)
                h.field(Double(host.usableMemoryBytes) / mib, decimals: 3)
                h.field(Double(host.freeMemoryBytes) / mib, decimals: 3)
                h.field(Double(host.usableDiskBytes) / gib, decimals: 3)
                h.field(Double(host.freeDiskBytes) / gib, decimals: 3)
                h.field(NumberFormat.seconds(host.downtime(at: time).nanoseconds))
                h.field(model.network?.cpuCoresSinceLastSample(host: host.index) ?? 0, decimals: 4)
                if let d = model.storage?.dockerHost(host.index) {
                    if d.isDeviceMapper { h.field(d.dataFreeRatio, decimals: 4) } else { h.field("") }
                    h.field(d.fsUsed / gib, decimals: 3)
                } else {
                    h.field(""); h.field("")
                }
                h.endRow()
            }
        })
}
