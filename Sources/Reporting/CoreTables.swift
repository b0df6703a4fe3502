import ClusterModel
import SimKernel

/// timeline.csv and hosts.csv: cluster-wide and per-host capacity, always written. Subsystems add
/// columns to hosts.csv through `SubsystemOutputs.columns` (Network: `network_cpu_cores`; Storage:
/// `docker_*`); `ResultsWriter` splices them in after `downtime_s`.
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
        ],
        applies: { _ in true },
        write: { model, time, h in
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
                h.endRow()
            }
        })
}
