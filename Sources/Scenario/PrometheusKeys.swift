import ClusterModel
import SimKernel

// The declared keys of the `prometheus` section (docs/monitoring.md is generated from them).
extension ScenarioSchema {
    static let prometheusKeys = SectionKeys("prometheus", [
        KeySpec("host", "string", default: "the first host of the first host group", allowed: "An existing host name (`<hostGroup>-<nn>`).",
                meaning: "Where the Prometheus server runs. While it is down nothing is scraped or evaluated; when it is back a fresh process starts (its TSDB kept, its alerts' state lost). Its name seeds the scrape offsets (scrape/manager.go setJitterSeed hashes the hostname).",
                source: "model choice: one server, as the seed platform"),
        KeySpec("config", "string or object", default: "`{}` (Prometheus' defaults, no targets)",
                allowed: "A path relative to the scenario's folder of a prometheus.yml written as JSON, or the same object inline. Read as Prometheus 2.42 reads it: unknown fields are errors, fields it accepts that the simulator does not use are warnings.",
                meaning: "global, rule_files (relative to the configuration's folder), alerting.alertmanagers, scrape_configs with static_configs, file_sd_configs, consul_sd_configs, marathon_sd_configs, relabel_configs, metric_relabel_configs (see below).",
                source: "prometheus/prometheus:config/config.go (v2.42.0)"),
        KeySpec("startTime", "string", default: "\"2017-06-01T00:00:00Z\"", allowed: "RFC 3339 UTC time between 1970 and 2200.",
                meaning: "The Unix time of simulated time 0: the timestamps of alerts.csv, samples.csv and the export, and the clock the scrape offsets and rule slots are computed on.",
                source: "model choice: the seed platform's era (PromTime.defaultBaseMs)"),
        KeySpec("exporters", "object", default: "cadvisor and node on every host, mesos-master / mesos-agent beside the Mesos masters / agents, marathon on Marathon's hosts, consul on the first Consul server, nginx beside each nginx",
                allowed: "Keys: cadvisor, node, mesos-master, mesos-agent, marathon, consul, nginx; values: `false` (not running), `true` (defaults) or `{\"hosts\"|\"hostGroups\": [...], \"port\": n}`.",
                meaning: "Which exporter processes listen where. A target whose host:port has no exporter is a refused connection (`up` 0).",
                source: "google/cadvisor :8080, prometheus/node_exporter :9100, mesos/mesos_exporter :9105, Marathon /metrics :8080, prometheus/consul_exporter :9107, nginxinc/nginx-prometheus-exporter :9113 (their READMEs' default ports)"),
        KeySpec("flags", "object", default: "Prometheus' defaults", allowed: "See `prometheus.flags`.", meaning: "Command-line flags of the server, by their real names."),
        KeySpec("flagsFrom", "array", default: "none", allowed: #"Deployed sources of flags: `{"commandLine": "/usr/bin/prometheus $ARGS --storage.tsdb.retention.time=30d"}`, `{"environmentFile": "deploy/default/prometheus"}` (only for the command line's `$NAME`s; without a command line, its `ARGS` is the command line, as the Debian unit runs it). Paths relative to the scenario's folder. See [Flags as deployed](scenarios.md#flags-as-deployed)."#,
                meaning: "The flags as deployed, read as kingpin reads a command line; `flags` wins over them."),
        KeySpec("record", "string", default: "\"none\"", allowed: "\"none\", \"rules\" (the series the rules read) or \"all\" (every series the scrapes return).",
                meaning: "What the run writes to samples.csv for `clustersim export openmetrics`. `all` computes every family of every exporter at every scrape: slow and large on big platforms.",
                source: "model choice"),
    ])

    static let prometheusExportersKeys = SectionKeys("prometheus.exporters", ExporterKind.allCases.filter { $0 != .app && $0 != .haproxy }.map { k in
        KeySpec(k.rawValue, "boolean or object", default: "see `prometheus.exporters`", allowed: "false, true, or `{\"hosts\"|\"hostGroups\", \"port\"}`.",
                meaning: "Where the \(k.rawValue) exporter runs.", source: "default port \(k.defaultPort)")
    })

    static let prometheusExporterKeys = SectionKeys("prometheus.exporters.<kind>", [
        KeySpec("hosts", "array of strings", default: "the kind's default hosts", allowed: "Existing host names; not with `hostGroups`.", meaning: "The hosts it runs on."),
        KeySpec("hostGroups", "array of strings", default: "the kind's default hosts", allowed: "Existing host groups; not with `hosts`.", meaning: "Every host of these groups runs it."),
        KeySpec("port", "integer", default: "the kind's default port", allowed: "1..65535.", meaning: "The port it listens on."),
    ])

    static let prometheusFlagsKeys = SectionKeys("prometheus.flags", [
        KeySpec("query.lookback-delta", "duration", default: "5m", allowed: "Prometheus duration, > 0, at most 1y.",
                meaning: "How far back an instant selector looks for a sample (and part of what the store keeps).",
                source: "prometheus/prometheus:cmd/prometheus/main.go `query.lookback-delta` default \"5m\""),
        KeySpec("rules.alert.resend-delay", "duration", default: "1m", allowed: "Prometheus duration, > 0, at most 1y.",
                meaning: "Minimum time before a firing alert is sent to Alertmanager again.",
                source: "prometheus/prometheus:cmd/prometheus/main.go `rules.alert.resend-delay` default \"1m\""),
        KeySpec("rules.alert.for-grace-period", "duration", default: "10m", allowed: "Prometheus duration, > 0, at most 1y.",
                meaning: "After a restart, an alert whose `for` state is restored fires no sooner than this after the restore; a rule whose `for` is shorter is not restored (it waits its `for` again).",
                source: "prometheus/prometheus:cmd/prometheus/main.go `rules.alert.for-grace-period` default \"10m\""),
        KeySpec("rules.alert.for-outage-tolerance", "duration", default: "1h", allowed: "Prometheus duration, > 0, at most 1y.",
                meaning: "After a restart, `for` state is restored only from an ALERTS_FOR_STATE sample at most this old.",
                source: "prometheus/prometheus:cmd/prometheus/main.go `rules.alert.for-outage-tolerance` default \"1h\""),
    ])
}
