// cAdvisor writes most of its samples with an explicit timestamp, and Prometheus keeps it.
//
// google/cadvisor metrics/prometheus.go `collectContainersInfo` (v0.33.0 on; the same in v0.47.0)
// sends every metric of its `containerMetrics` table (the container's stats: cpu, memory,
// filesystem, network, `container_last_seen` ...) with `prometheus.NewMetricWithTimestamp`, the
// stats' housekeeping time; the container's spec (`container_start_time_seconds`,
// `container_spec_*`) goes without one. metrics/prometheus_machine.go (v0.37.0 on) stamps
// `machine_*` with the machine info's time. The model's cAdvisor is of that kind (v0.47.0).
//
// Prometheus 2.42 (`honor_timestamps: true`, the default) keeps those timestamps and, for a sample
// that has one, skips staleness tracking (scrape/scrape.go `scrapeLoop.append`: `trackStaleness` only
// when `parsedTimestamp == nil`; `checkAddError` likewise): when a container goes away, when the
// scrape fails and when the target is dropped, its stamped series get no staleness marker and stay
// visible to instant queries for the lookback delta (5m) after their last sample. Prometheus 2.50
// added `track_timestamps_staleness` to change that; 2.42 has no such option. With
// `honor_timestamps: false` the timestamps are dropped and the series are tracked as any other.
//
// Not modelled: the timestamp itself (the housekeeping time, at most `--housekeeping_interval` 1s
// old for a busy container, up to `--max_housekeeping_interval` 60s under dynamic housekeeping,
// the machine info's up to `--update_machine_info_interval` 5m): the samples carry the scrape's
// timestamp.

public enum CadvisorTimestamps {
    /// The cAdvisor families (of those the model writes) whose samples carry a timestamp.
    public static let stampedFamilies: Set<String> = [
        "container_cpu_usage_seconds_total", "container_memory_usage_bytes", "container_memory_working_set_bytes",
        "container_fs_usage_bytes", "container_fs_limit_bytes", "container_last_seen",
        "container_network_receive_bytes_total", "container_network_transmit_bytes_total",
        "machine_cpu_cores", "machine_memory_bytes",
    ]
}
