import ClusterModel

// Every command-line flag Marathon 1.4 to 1.10 accepts (docs/marathon.md "Flags"): the Scallop
// options of AllConf and every trait it mixes in (MarathonConf and its traits, HttpConf, EventConf,
// DebugConf, MetricsConf / MetricsReporterConf, FeaturesConf, PluginManagerConfiguration), read at
// every release tag of mesosphere/marathon from v1.4.0 to v1.10.26 (74 tags), and chaos'
// http/HttpConf.scala (mesosphere/chaos v0.8.7, v0.8.8) for the releases that take HttpConf from
// chaos (before 1.6.486). The simulator's own table: name, how Scallop reads the value, the
// releases that have it, the file that declares it (under src/main/scala/mesosphere/marathon/).
// The flags the simulator models are also here; MarathonFlagsDecoder reads those itself.

enum MarathonFlagTable {
    /// How Scallop reads the flag's value.
    enum ValueType: Sendable, Equatable {
        /// `opt[Long]`: one argument, `String.toLong` (Java Long.parseLong).
        case long
        /// `opt[Int]`: one argument, `String.toInt` (Java Integer.parseInt).
        case int
        /// `opt[String]` or an option with its own converter (URI, ZkUrl, a role, a behaviour
        /// name, a comma-separated set): one argument.
        case string
        /// `opt[Boolean]`: Scallop's flag converter, given without a value (`--disable_http`).
        case flag
        /// `toggle(..., prefix = "disable_")`: `--foo` is true, `--disable_foo` false, no value.
        case toggle
    }

    /// Release tags `[from, last]` that have a flag; `until` is the next tag, which does not (nil:
    /// every tag from `from` on). A release that is not a tag is read as `tag(for:)`.
    struct Span: Sendable {
        var from: MarathonVersion
        var last: MarathonVersion
        var until: MarathonVersion?
        func contains(_ v: MarathonVersion) -> Bool { v >= from && (until.map { v < $0 } ?? true) }
    }

    struct Entry: Sendable {
        var name: String
        var type: ValueType
        var spans: [Span]
        /// Declaring file at the newest tag that has the flag.
        var source: String
        /// Scallop `hidden = true`: accepted, not in `--help`.
        var hidden: Bool

        func exists(in v: MarathonVersion) -> Bool {
            let t = MarathonFlagTable.tag(for: v)
            return spans.contains { $0.contains(t) }
        }
        /// "Marathon 1.5.7 to 1.5.15 and 1.6.322 and later".
        var versionsText: String {
            "Marathon " + spans.map { s in
                s.until == nil ? "\(s.from) and later" : (s.from == s.last ? "\(s.from) only" : "\(s.from) to \(s.last)")
            }.joined(separator: " and ")
        }
    }

    private static func E(_ name: String, _ type: ValueType, _ spans: [[Int]], _ source: String, hidden: Bool = false) -> Entry {
        Entry(name: name, type: type, spans: spans.map { n in
            precondition(n.count == 6 || n.count == 9, "span of \(name)")
            return Span(from: MarathonVersion(n[0], n[1], n[2]), last: MarathonVersion(n[3], n[4], n[5]),
                        until: n.count == 9 ? MarathonVersion(n[6], n[7], n[8]) : nil)
        }, source: source, hidden: hidden)
    }

    /// Release tags read (v1.4.0 ... v1.10.26), oldest first.
    static let tags: [MarathonVersion] = [
        MarathonVersion(1, 4, 0), MarathonVersion(1, 4, 1), MarathonVersion(1, 4, 2), MarathonVersion(1, 4, 3), MarathonVersion(1, 4, 4), MarathonVersion(1, 4, 5), MarathonVersion(1, 4, 6),
        MarathonVersion(1, 4, 7), MarathonVersion(1, 4, 8), MarathonVersion(1, 4, 9), MarathonVersion(1, 4, 10), MarathonVersion(1, 4, 11), MarathonVersion(1, 4, 12), MarathonVersion(1, 4, 13),
        MarathonVersion(1, 5, 0), MarathonVersion(1, 5, 1), MarathonVersion(1, 5, 2), MarathonVersion(1, 5, 3), MarathonVersion(1, 5, 4), MarathonVersion(1, 5, 5), MarathonVersion(1, 5, 6),
        MarathonVersion(1, 5, 7), MarathonVersion(1, 5, 8), MarathonVersion(1, 5, 9), MarathonVersion(1, 5, 10), MarathonVersion(1, 5, 11), MarathonVersion(1, 5, 12), MarathonVersion(1, 5, 13),
        MarathonVersion(1, 5, 14), MarathonVersion(1, 5, 15), MarathonVersion(1, 6, 0), MarathonVersion(1, 6, 322), MarathonVersion(1, 6, 352), MarathonVersion(1, 6, 392), MarathonVersion(1, 6, 486),
        MarathonVersion(1, 6, 488), MarathonVersion(1, 6, 490), MarathonVersion(1, 6, 493), MarathonVersion(1, 6, 496), MarathonVersion(1, 6, 535), MarathonVersion(1, 6, 544), MarathonVersion(1, 6, 549),
        MarathonVersion(1, 6, 564), MarathonVersion(1, 6, 567), MarathonVersion(1, 6, 590), MarathonVersion(1, 7, 37), MarathonVersion(1, 7, 50), MarathonVersion(1, 7, 149), MarathonVersion(1, 7, 174),
        MarathonVersion(1, 7, 188), MarathonVersion(1, 7, 189), MarathonVersion(1, 7, 202), MarathonVersion(1, 7, 203), MarathonVersion(1, 7, 216), MarathonVersion(1, 7, 230), MarathonVersion(1, 7, 236),
        MarathonVersion(1, 8, 180), MarathonVersion(1, 8, 207), MarathonVersion(1, 8, 218), MarathonVersion(1, 8, 222), MarathonVersion(1, 8, 230), MarathonVersion(1, 8, 232), MarathonVersion(1, 8, 244),
        MarathonVersion(1, 9, 32), MarathonVersion(1, 9, 34), MarathonVersion(1, 9, 64), MarathonVersion(1, 9, 71), MarathonVersion(1, 9, 73), MarathonVersion(1, 9, 81), MarathonVersion(1, 9, 100),
        MarathonVersion(1, 9, 109), MarathonVersion(1, 10, 5), MarathonVersion(1, 10, 17), MarathonVersion(1, 10, 26),
    ]

    /// The tag whose flags a release has: the release itself or the newest tag of its minor line
    /// before it; a release older than its line's first tag (1.10.0, 1.7.0, 1.8.0, 1.9.0) has that
    /// first tag's flags.
    static func tag(for v: MarathonVersion) -> MarathonVersion {
        let line = tags.filter { $0.major == v.major && $0.minor == v.minor }
        return line.last { $0 <= v } ?? line.first ?? v
    }

    /// Sorted by name. The comment after each is the Scallop type at the tags.
    static let entries: [Entry] = [
        E("accepted_resource_roles_default_behavior", .string, [[1, 9, 64, 1, 10, 26]], "MarathonConf.scala"),  // AcceptedResourceRolesDefaultBehavior
        E("access_control_allow_origin", .string, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // String
        E("app_info_module_execution_context_size", .int, [[1, 5, 7, 1, 5, 15, 1, 6, 0], [1, 6, 322, 1, 10, 26]], "core/appinfo/AppInfoConfig.scala", hidden: true),  // Int
        E("artifact_store", .string, [[1, 4, 0, 1, 4, 13, 1, 5, 0]], "MarathonConf.scala"),  // String
        E("assets_path", .string, [[1, 4, 0, 1, 10, 26]], "HttpConf.scala (chaos http/HttpConf.scala before 1.6.486)", hidden: true),  // String
        E("backup_location", .string, [[1, 5, 0, 1, 10, 26]], "core/storage/backup/BackupConf.scala"),  // String
        E("checkpoint", .toggle, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // toggle
        E("decline_offer_duration", .long, [[1, 4, 0, 1, 10, 26]], "core/launcher/OfferProcessorConfig.scala"),  // Long
        E("default_accepted_resource_roles", .string, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // String
        E("default_info_service_execution_context_size", .int, [[1, 5, 7, 1, 5, 15, 1, 6, 0], [1, 6, 322, 1, 10, 26]], "core/appinfo/AppInfoConfig.scala", hidden: true),  // Int
        E("default_network_name", .string, [[1, 4, 0, 1, 10, 26]], "NetworkConf.scala"),  // String
        E("deployment_manager_request_timeout", .int, [[1, 5, 0, 1, 10, 26]], "core/deployment/DeploymentConfig.scala", hidden: true),  // Int
        E("deprecated_features", .string, [[1, 6, 490, 1, 10, 26]], "FeaturesConf.scala"),  // DeprecatedFeatureConfig/DeprecatedFeatureSet/Set[DeprecatedFeature]
        E("disable_http", .flag, [[1, 4, 0, 1, 10, 26]], "HttpConf.scala (chaos http/HttpConf.scala before 1.6.486)"),  // Boolean
        E("draining_seconds", .long, [[1, 5, 7, 1, 10, 26]], "MarathonConf.scala"),  // Long
        E("enable_features", .string, [[1, 4, 0, 1, 10, 26]], "FeaturesConf.scala"),  // Set[String]/String
        E("env_vars_prefix", .string, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // String
        E("event_stream_max_outstanding_messages", .int, [[1, 4, 0, 1, 10, 26]], "core/event/EventConf.scala"),  // Int
        E("event_subscriber", .string, [[1, 4, 0, 1, 4, 13, 1, 5, 0]], "core/event/EventConf.scala"),  // String
        E("executor", .string, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // String
        E("failover_timeout", .long, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // Long
        E("feature_akka_http_service_backend", .flag, [[1, 5, 0, 1, 6, 488, 1, 6, 490]], "FeaturesConf.scala", hidden: true),  // Boolean
        E("framework_name", .string, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // String
        E("gc_actor_scan_batch_size", .int, [[1, 5, 9, 1, 5, 15, 1, 6, 0]], "storage/StorageConf.scala"),  // Int
        E("gpu_scheduling_behavior", .string, [[1, 5, 7, 1, 5, 15, 1, 6, 0], [1, 6, 352, 1, 10, 26]], "MarathonConf.scala"),  // GpuSchedulingBehavior/String
        E("graceful_shutdown_timeout", .long, [[1, 8, 180, 1, 10, 26]], "MarathonConf.scala"),  // Long
        E("group_manager_execution_context_size", .int, [[1, 5, 7, 1, 5, 15, 1, 6, 0], [1, 6, 322, 1, 10, 26]], "core/group/GroupManagerConfig.scala", hidden: true),  // Int
        E("group_manager_request_timeout", .int, [[1, 4, 0, 1, 10, 26]], "core/group/GroupManagerConfig.scala", hidden: true),  // Int
        E("group_role_behavior", .string, [[1, 9, 32, 1, 9, 34, 1, 9, 64]], "MarathonConf.scala"),  // GroupRoleBehavior
        E("group_versions_cache_size", .int, [[1, 7, 37, 1, 10, 26]], "storage/StorageConf.scala"),  // Int
        E("ha", .toggle, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // toggle
        E("hostname", .string, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // String
        E("http_address", .string, [[1, 4, 0, 1, 10, 26]], "HttpConf.scala (chaos http/HttpConf.scala before 1.6.486)"),  // String
        E("http_compression", .toggle, [[1, 4, 0, 1, 10, 26]], "HttpConf.scala (chaos http/HttpConf.scala before 1.6.486)"),  // toggle
        E("http_credentials", .string, [[1, 4, 0, 1, 10, 26]], "HttpConf.scala (chaos http/HttpConf.scala before 1.6.486)"),  // String
        E("http_endpoints", .string, [[1, 4, 0, 1, 4, 13, 1, 5, 0]], "core/event/EventConf.scala"),  // String
        E("http_event_callback_slow_consumer_timeout", .long, [[1, 4, 0, 1, 4, 13, 1, 5, 0]], "core/event/EventConf.scala"),  // Long
        E("http_event_request_timeout", .long, [[1, 4, 0, 1, 4, 13, 1, 5, 0]], "core/event/EventConf.scala"),  // Long
        E("http_max_concurrent_requests", .int, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // Int
        E("http_port", .int, [[1, 4, 0, 1, 10, 26]], "HttpConf.scala (chaos http/HttpConf.scala before 1.6.486)"),  // Int
        E("http_realm", .string, [[1, 4, 0, 1, 10, 26]], "HttpConf.scala (chaos http/HttpConf.scala before 1.6.486)"),  // String
        E("https_address", .string, [[1, 4, 0, 1, 10, 26]], "HttpConf.scala (chaos http/HttpConf.scala before 1.6.486)"),  // String
        E("https_port", .int, [[1, 4, 0, 1, 10, 26]], "HttpConf.scala (chaos http/HttpConf.scala before 1.6.486)"),  // Int
        E("instance_tracker_num_parallel_loads", .int, [[1, 8, 180, 1, 10, 26]], "core/task/tracker/InstanceTrackerConfig.scala", hidden: true),  // Int
        E("instance_tracker_num_parallel_updates", .int, [[1, 8, 180, 1, 10, 26]], "core/task/tracker/InstanceTrackerConfig.scala", hidden: true),  // Int
        E("instance_tracker_update_queue_size", .int, [[1, 8, 180, 1, 10, 26]], "core/task/tracker/InstanceTrackerConfig.scala", hidden: true),  // Int
        E("internal_store_backend", .string, [[1, 4, 0, 1, 10, 26]], "storage/StorageConf.scala", hidden: true),  // String
        E("internal_version_caching", .toggle, [[1, 4, 0, 1, 10, 26]], "storage/StorageConf.scala", hidden: true),  // toggle
        E("killBatchDuration", .long, [[1, 4, 0, 1, 10, 26]], "core/deployment/DeploymentConfig.scala", hidden: true),  // Long
        E("kill_chunk_size", .int, [[1, 4, 0, 1, 10, 26]], "core/task/termination/KillConfig.scala", hidden: true),  // Int
        E("kill_retry_timeout", .long, [[1, 4, 0, 1, 10, 26]], "core/task/termination/KillConfig.scala", hidden: true),  // Long
        E("killsPerBatch", .int, [[1, 4, 0, 1, 10, 26]], "core/deployment/DeploymentConfig.scala", hidden: true),  // Int
        E("launch_queue_request_timeout", .int, [[1, 4, 0, 1, 10, 26]], "core/launchqueue/LaunchQueueConfig.scala", hidden: true),  // Int
        E("launch_token_refresh_interval", .long, [[1, 4, 0, 1, 10, 26]], "core/flow/LaunchTokenConfig.scala"),  // Long
        E("launch_tokens", .int, [[1, 4, 0, 1, 10, 26]], "core/flow/LaunchTokenConfig.scala"),  // Int
        E("leader_election_backend", .string, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala", hidden: true),  // String
        E("leader_proxy_connection_timeout", .int, [[1, 4, 0, 1, 10, 26]], "LeaderProxyConf.scala"),  // Int
        E("leader_proxy_max_open_connections", .int, [[1, 6, 564, 1, 6, 590, 1, 7, 37], [1, 7, 149, 1, 10, 26]], "LeaderProxyConf.scala"),  // Int
        E("leader_proxy_read_timeout", .int, [[1, 4, 0, 1, 10, 26]], "LeaderProxyConf.scala"),  // Int
        E("leader_proxy_ssl_ignore_hostname", .flag, [[1, 4, 0, 1, 10, 26]], "LeaderProxyConf.scala"),  // Boolean
        E("local_port_max", .int, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // Int
        E("local_port_min", .int, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // Int
        E("logging_level", .string, [[1, 4, 0, 1, 10, 26]], "DebugConf.scala"),  // String
        E("logstash", .string, [[1, 4, 0, 1, 10, 26]], "DebugConf.scala"),  // URI
        E("maintenance_mode", .toggle, [[1, 7, 149, 1, 10, 26]], "MarathonConf.scala"),  // toggle
        E("master", .string, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // MesosMasterConnection/String
        E("max_actor_startup_time", .long, [[1, 4, 0, 1, 10, 26]], "MarathonSchedulerServiceConfig.scala", hidden: true),  // Long
        E("max_apps", .int, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // Int
        E("max_concurrent_marathon_health_checks", .int, [[1, 5, 14, 1, 5, 15, 1, 6, 0], [1, 6, 590, 1, 6, 590, 1, 7, 37], [1, 7, 216, 1, 10, 26]], "MarathonConf.scala"),  // Int
        E("max_instances_per_offer", .int, [[1, 4, 0, 1, 10, 26]], "core/matcher/manager/OfferMatcherManagerConfig.scala"),  // Int
        E("max_parallel_offers", .int, [[1, 5, 0, 1, 10, 26]], "core/matcher/manager/OfferMatcherManagerConfig.scala", hidden: true),  // Int
        E("max_parallel_status_updates", .int, [[1, 4, 0, 1, 10, 26]], "core/task/update/TaskStatusUpdateConfig.scala", hidden: true),  // Int
        E("max_queued_offers", .int, [[1, 5, 0, 1, 10, 26]], "core/matcher/manager/OfferMatcherManagerConfig.scala", hidden: true),  // Int
        E("max_queued_root_group_updates", .int, [[1, 4, 0, 1, 10, 26]], "core/group/GroupManagerConfig.scala", hidden: true),  // Int
        E("max_queued_status_updates", .int, [[1, 4, 0, 1, 10, 26]], "core/task/update/TaskStatusUpdateConfig.scala", hidden: true),  // Int
        E("max_running_deployments", .int, [[1, 5, 9, 1, 5, 15, 1, 6, 0], [1, 6, 486, 1, 10, 26]], "core/group/GroupManagerConfig.scala"),  // Int
        E("max_tasks_per_offer", .int, [[1, 4, 0, 1, 4, 13, 1, 5, 0]], "core/matcher/manager/OfferMatcherManagerConfig.scala"),  // Int
        E("mesos_authentication", .toggle, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // toggle
        E("mesos_authentication_principal", .string, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // String
        E("mesos_authentication_secret", .string, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // String
        E("mesos_authentication_secret_file", .string, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // String
        E("mesos_bridge_name", .string, [[1, 5, 0, 1, 10, 26]], "NetworkConf.scala"),  // String
        E("mesos_heartbeat_failure_threshold", .int, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala", hidden: true),  // Int
        E("mesos_heartbeat_interval", .long, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala", hidden: true),  // Long
        E("mesos_leader_ui_url", .string, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // String
        E("mesos_role", .string, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // Role/String
        E("mesos_user", .string, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // String
        E("metrics", .toggle, [[1, 4, 0, 1, 10, 26]], "DebugConf.scala"),  // toggle
        E("metrics_averaging_window", .long, [[1, 5, 8, 1, 5, 15, 1, 6, 0], [1, 6, 392, 1, 7, 236, 1, 8, 180]], "metrics/MetricsConf.scala"),  // Long
        E("metrics_datadog", .toggle, [[1, 7, 50, 1, 10, 26]], "metrics/MetricsConf.scala"),  // toggle
        E("metrics_datadog_api_key", .string, [[1, 7, 50, 1, 10, 26]], "metrics/MetricsConf.scala"),  // String
        E("metrics_datadog_host", .string, [[1, 7, 50, 1, 10, 26]], "metrics/MetricsConf.scala"),  // String
        E("metrics_datadog_port", .int, [[1, 7, 50, 1, 10, 26]], "metrics/MetricsConf.scala"),  // Int
        E("metrics_datadog_protocol", .string, [[1, 7, 50, 1, 10, 26]], "metrics/MetricsConf.scala"),  // String
        E("metrics_datadog_transmission_interval_ms", .long, [[1, 7, 50, 1, 10, 26]], "metrics/MetricsConf.scala"),  // Long
        E("metrics_histogram_reservoir_highest_trackable_value", .long, [[1, 7, 149, 1, 10, 26]], "metrics/MetricsConf.scala"),  // Long
        E("metrics_histogram_reservoir_reset_periodically", .toggle, [[1, 7, 50, 1, 10, 26]], "metrics/MetricsConf.scala"),  // toggle
        E("metrics_histogram_reservoir_resetting_chunks", .int, [[1, 7, 50, 1, 10, 26]], "metrics/MetricsConf.scala"),  // Int
        E("metrics_histogram_reservoir_resetting_interval_ms", .long, [[1, 7, 50, 1, 10, 26]], "metrics/MetricsConf.scala"),  // Long
        E("metrics_histogram_reservoir_significant_digits", .int, [[1, 7, 50, 1, 10, 26]], "metrics/MetricsConf.scala"),  // Int
        E("metrics_name_prefix", .string, [[1, 7, 50, 1, 10, 26]], "metrics/MetricsConf.scala"),  // String
        E("metrics_prometheus", .toggle, [[1, 7, 50, 1, 10, 26]], "metrics/MetricsConf.scala"),  // toggle
        E("metrics_statsd", .toggle, [[1, 7, 50, 1, 10, 26]], "metrics/MetricsConf.scala"),  // toggle
        E("metrics_statsd_host", .string, [[1, 7, 50, 1, 10, 26]], "metrics/MetricsConf.scala"),  // String
        E("metrics_statsd_port", .int, [[1, 7, 50, 1, 10, 26]], "metrics/MetricsConf.scala"),  // Int
        E("metrics_statsd_transmission_interval_ms", .long, [[1, 7, 50, 1, 10, 26]], "metrics/MetricsConf.scala"),  // Long
        E("min_revive_offers_interval", .long, [[1, 4, 0, 1, 10, 26]], "core/launchqueue/ReviveOffersConfig.scala"),  // Long
        E("minimum_viable_task_execution_duration", .long, [[1, 5, 0, 1, 5, 0, 1, 5, 1]], "core/launchqueue/LaunchQueueConfig.scala"),  // Long
        E("new_group_enforce_role", .string, [[1, 9, 64, 1, 10, 26]], "MarathonConf.scala"),  // GroupRoleBehavior/NewGroupEnforceRoleBehavior
        E("offer_matching_timeout", .int, [[1, 4, 0, 1, 10, 26]], "core/matcher/manager/OfferMatcherManagerConfig.scala"),  // Int
        E("on_elected_prepare_timeout", .long, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // Long
        E("plugin_conf", .string, [[1, 4, 0, 1, 10, 26]], "core/plugin/PluginManagerConfiguration.scala"),  // String
        E("plugin_dir", .string, [[1, 4, 0, 1, 10, 26]], "core/plugin/PluginManagerConfiguration.scala"),  // String
        E("reconciliation_initial_delay", .long, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // Long
        E("reconciliation_interval", .long, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // Long
        E("reporter_datadog", .string, [[1, 4, 0, 1, 7, 236, 1, 8, 180]], "metrics/MetricsConf.scala"),  // String
        E("reporter_graphite", .string, [[1, 4, 0, 1, 7, 236, 1, 8, 180]], "metrics/MetricsConf.scala"),  // String
        E("revive_offers_for_new_apps", .toggle, [[1, 4, 0, 1, 9, 109, 1, 10, 5]], "core/launchqueue/ReviveOffersConfig.scala", hidden: true),  // toggle
        E("revive_offers_repetitions", .int, [[1, 4, 0, 1, 9, 109, 1, 10, 5]], "core/launchqueue/ReviveOffersConfig.scala"),  // Int
        E("save_tasks_to_launch_timeout", .int, [[1, 4, 0, 1, 7, 236, 1, 8, 180]], "core/launcher/OfferProcessorConfig.scala", hidden: true),  // Int
        E("scale_apps_initial_delay", .long, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // Long
        E("scale_apps_interval", .long, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // Long
        E("scheduler_actions_execution_context_size", .int, [[1, 5, 7, 1, 5, 15, 1, 6, 0], [1, 6, 322, 1, 10, 26]], "MarathonSchedulerServiceConfig.scala", hidden: true),  // Int
        E("sentry", .string, [[1, 4, 0, 1, 10, 26]], "DebugConf.scala"),  // URI
        E("sentry_tags", .string, [[1, 4, 0, 1, 10, 26]], "DebugConf.scala"),  // String
        E("ssl_keystore_password", .string, [[1, 4, 0, 1, 10, 26]], "HttpConf.scala (chaos http/HttpConf.scala before 1.6.486)"),  // String
        E("ssl_keystore_path", .string, [[1, 4, 0, 1, 10, 26]], "HttpConf.scala (chaos http/HttpConf.scala before 1.6.486)"),  // String
        E("storage_compaction_interval", .int, [[1, 6, 486, 1, 10, 26]], "storage/StorageConf.scala"),  // Int
        E("storage_compaction_scan_batch_size", .int, [[1, 6, 486, 1, 10, 26]], "storage/StorageConf.scala"),  // Int
        E("storage_execution_context_size", .int, [[1, 5, 7, 1, 5, 15, 1, 6, 0], [1, 6, 322, 1, 10, 26]], "storage/StorageConf.scala", hidden: true),  // Int
        E("store_cache", .toggle, [[1, 4, 0, 1, 10, 26]], "storage/StorageConf.scala"),  // toggle
        E("suppress_offers", .toggle, [[1, 5, 11, 1, 5, 15, 1, 6, 0], [1, 6, 535, 1, 10, 26]], "core/launchqueue/ReviveOffersConfig.scala"),  // toggle
        E("task_launch_confirm_timeout", .long, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // Long
        E("task_launch_timeout", .long, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // Long
        E("task_lost_expunge_gc", .long, [[1, 4, 0, 1, 6, 0, 1, 6, 322]], "core/task/jobs/TaskJobsConfig.scala", hidden: true),  // Long
        E("task_lost_expunge_initial_delay", .long, [[1, 4, 0, 1, 10, 26]], "core/task/jobs/TaskJobsConfig.scala"),  // Long
        E("task_lost_expunge_interval", .long, [[1, 4, 0, 1, 10, 26]], "core/task/jobs/TaskJobsConfig.scala"),  // Long
        E("task_operation_notification_timeout", .int, [[1, 4, 0, 1, 10, 26]], "core/launchqueue/LaunchQueueConfig.scala", hidden: true),  // Int
        E("task_reservation_timeout", .long, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // Long
        E("task_tracker_request_timeout", .int, [[1, 4, 0, 1, 10, 26]], "core/task/tracker/InstanceTrackerConfig.scala", hidden: true),  // Int
        E("task_update_request_timeout", .int, [[1, 4, 0, 1, 10, 26]], "core/task/tracker/InstanceTrackerConfig.scala", hidden: true),  // Int
        E("tracing", .toggle, [[1, 4, 0, 1, 4, 13, 1, 5, 0]], "DebugConf.scala"),  // toggle
        E("webui_url", .string, [[1, 4, 0, 1, 10, 26]], "MarathonConf.scala"),  // String
        E("zk", .string, [[1, 4, 0, 1, 10, 26]], "ZookeeperConf.scala"),  // String/ZkUrl
        E("zk_compression", .toggle, [[1, 4, 0, 1, 10, 26]], "ZookeeperConf.scala"),  // toggle
        E("zk_compression_threshold", .long, [[1, 4, 0, 1, 10, 26]], "ZookeeperConf.scala"),  // Long
        E("zk_connection_timeout", .long, [[1, 4, 9, 1, 10, 26]], "ZookeeperConf.scala"),  // Long
        E("zk_max_concurrency", .int, [[1, 4, 0, 1, 10, 26]], "storage/StorageConf.scala", hidden: true),  // Int
        E("zk_max_node_size", .long, [[1, 4, 0, 1, 10, 26]], "ZookeeperConf.scala"),  // Long
        E("zk_max_versions", .int, [[1, 4, 0, 1, 10, 26]], "storage/StorageConf.scala"),  // Int
        E("zk_operation_base_retry_sleep_ms", .int, [[1, 5, 12, 1, 5, 15, 1, 6, 0], [1, 6, 486, 1, 10, 26]], "ZookeeperConf.scala", hidden: true),  // Int
        E("zk_operation_max_retries", .int, [[1, 5, 12, 1, 5, 15, 1, 6, 0], [1, 6, 486, 1, 10, 26]], "ZookeeperConf.scala", hidden: true),  // Int
        E("zk_session_timeout", .long, [[1, 4, 0, 1, 10, 26]], "ZookeeperConf.scala"),  // Long
        E("zk_timeout", .long, [[1, 4, 0, 1, 10, 26]], "ZookeeperConf.scala"),  // Long
    ]

    static func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }

    /// The flag a key names: the flag itself, or a toggle's negative form `disable_<toggle>`
    /// (`negated` true). A real flag wins over the prefix reading (`disable_http` is a flag).
    static func lookup(_ key: String) -> (entry: Entry, negated: Bool)? {
        if let e = entry(key) { return (e, false) }
        if key.hasPrefix("disable_"), let e = entry(String(key.dropFirst(8))), e.type == .toggle { return (e, true) }
        return nil
    }

    /// Scallop's release in a Marathon release (project/Dependencies.scala at the tags; through
    /// chaos 0.8.x before 1.6.486, whose build names Scallop 1.0.0): 1.0.0 up to 1.6.486, 3.1.2
    /// from 1.6.488, 3.3.2 from 1.10.5. Their messages differ for a number that does not parse.
    static func scallopNumberMessage(_ type: ValueType, version v: MarathonVersion) -> String {
        if v < MarathonVersion(1, 6, 488) { return "wrong arguments format" }
        return type == .int ? "bad Int value" : "bad Long value"
    }
}
