import ClusterModel

// Every flag mesos-master and mesos-agent load, per release 1.1.0 ... 1.11.x: the flags declared
// with `add(&Flags::x, "x", ...)` in src/master/flags.cpp, src/slave/flags.cpp, src/master/main.cpp
// and src/slave/main.cpp (where 1.1.0 to 1.2.0 declare ip, port, advertise_ip, advertise_port, zk,
// ip_discovery_command and master), src/logging/flags.cpp (quiet, logging_level, log_dir,
// logbufsecs, initialize_driver_logging, external_log_file; both Flags classes inherit
// logging::Flags) and stout's FlagsBase (`help`), read at every tag of apache/mesos from 1.1.0 to
// 1.11.0 (patch releases included: several flags were backported). Flags only a Windows build
// declares are left out; flags of optional Linux builds (port mapping, XFS, seccomp, SSL) are in.
// The value type is the C++ member's type in src/*/flags.hpp, as stout parses it (MesosFlagValues.swift).
// `deprecatedName`: `flags::DeprecatedName(...)` in flags.cpp, in the releases `deprecatedIn`.
// A range ending in patch `.max` covers every later patch of that minor line. docs/mesos.md
// "Every Mesos flag".

/// How stout reads a flag's value (3rdparty/stout/include/stout/flags/parse.hpp, src/common/parse.hpp).
enum MesosFlagKind: Equatable, Sendable {
    case bool          // "true"/"1", "false"/"0"
    case duration      // stout Duration::parse: "15secs", "10mins", "100ms"
    case bytes         // stout Bytes::parse: "10MB"
    case int32         // C++ int (istringstream)
    case unsigned16    // uint16_t
    case unsigned64    // size_t
    case double        // double
    case string        // std::string, Path, SecurePathOrValue, std::set<std::string>
    case jsonObject    // JSON::Object
    case protobuf(String)   // a protobuf message given as its JSON object (common/parse.hpp)
    case unsignedList  // std::vector<unsigned int>: "0,1,2"
}

struct MesosFlagInfo: Sendable {
    let name: String
    let kind: MesosFlagKind
    let releases: [ClosedRange<MesosVersion>]
    let deprecatedName: String?
    let deprecatedIn: [ClosedRange<MesosVersion>]

    init(_ name: String, _ kind: MesosFlagKind, _ releases: [ClosedRange<MesosVersion>],
         deprecatedName: String? = nil, deprecatedIn: [ClosedRange<MesosVersion>] = []) {
        self.name = name; self.kind = kind; self.releases = releases
        self.deprecatedName = deprecatedName; self.deprecatedIn = deprecatedIn
    }

    func exists(in v: MesosVersion) -> Bool { releases.contains { $0.contains(v) } }
    /// The deprecated name when `v` has it.
    func deprecatedName(in v: MesosVersion) -> String? { deprecatedIn.contains { $0.contains(v) } ? deprecatedName : nil }
}

enum MesosFlagRole: Sendable { case master, agent }

extension ScenarioSchema {
    private static func span(_ a: Int, _ b: Int, _ c: Int, _ x: Int, _ y: Int, _ z: Int) -> ClosedRange<MesosVersion> {
        MesosVersion(a, b, c)...MesosVersion(x, y, z)
    }

    static func mesosFlagTable(_ role: MesosFlagRole) -> [MesosFlagInfo] { role == .master ? masterFlagTable : agentFlagTable }

    /// The flags whose C++ type is `Path` (`Option<Path>` in src/master/flags.hpp and
    /// src/slave/flags.hpp, 1.1.0 to 1.11.0): stout's `fetch<Path>` (3rdparty/stout/include/stout/
    /// flags/fetch.hpp) takes a `file://` value as written and reads no file. Every other flag's
    /// `file://` value is read (DeployedFlags.swift `mesosFlagFiles`).
    static func mesosPathFlags(_ role: MesosFlagRole) -> Set<String> {
        role == .master ? ["whitelist", "credentials"] : ["credential", "http_credentials", "executor_secret_key", "jwt_secret_key"]
    }

    static let masterFlagTable: [MesosFlagInfo] = [
        MesosFlagInfo("acls", .protobuf("ACLs"), [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("advertise_ip", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("advertise_port", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("agent_ping_timeout", .duration, [span(1, 1, 0, 1, 11, .max)], deprecatedName: "slave_ping_timeout", deprecatedIn: [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("agent_removal_rate_limit", .string, [span(1, 1, 0, 1, 11, .max)], deprecatedName: "slave_removal_rate_limit", deprecatedIn: [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("agent_reregister_timeout", .duration, [span(1, 1, 0, 1, 11, .max)], deprecatedName: "slave_reregister_timeout", deprecatedIn: [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("allocation_interval", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("allocator", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("allocator_agent_recovery_factor", .double, [span(1, 11, 0, 1, 11, .max)]),
        MesosFlagInfo("allocator_recovery_timeout", .duration, [span(1, 11, 0, 1, 11, .max)]),
        MesosFlagInfo("authenticate_agents", .bool, [span(1, 1, 0, 1, 11, .max)], deprecatedName: "authenticate_slaves", deprecatedIn: [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("authenticate_frameworks", .bool, [span(1, 1, 0, 1, 11, .max)], deprecatedName: "authenticate", deprecatedIn: [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("authenticate_http_frameworks", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("authenticate_http_readonly", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("authenticate_http_readwrite", .bool, [span(1, 1, 0, 1, 11, .max)], deprecatedName: "authenticate_http", deprecatedIn: [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("authentication_v0_timeout", .duration, [span(1, 4, 3, 1, 4, .max), span(1, 5, 2, 1, 5, .max), span(1, 6, 2, 1, 11, .max)]),
        MesosFlagInfo("authenticators", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("authorizers", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("cluster", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("credentials", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("domain", .protobuf("DomainInfo"), [span(1, 4, 0, 1, 11, .max)]),
        MesosFlagInfo("external_log_file", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("fair_sharing_excluded_resource_names", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("filter_gpu_resources", .bool, [span(1, 4, 0, 1, 11, .max)]),
        MesosFlagInfo("firewall_rules", .protobuf("Firewall"), [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("framework_sorter", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("help", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("hooks", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("hostname", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("hostname_lookup", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("http_authenticators", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("http_framework_authenticators", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("initialize_driver_logging", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("ip", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("ip_discovery_command", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("log_auto_initialize", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("log_dir", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("logbufsecs", .int32, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("logging_level", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("master_contender", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("master_detector", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("max_agent_ping_timeouts", .unsigned64, [span(1, 1, 0, 1, 11, .max)], deprecatedName: "max_slave_ping_timeouts", deprecatedIn: [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("max_completed_frameworks", .unsigned64, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("max_completed_tasks_per_framework", .unsigned64, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("max_executors_per_agent", .unsigned64, [span(1, 1, 0, 1, 11, .max)], deprecatedName: "max_executors_per_slave", deprecatedIn: [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("max_operator_event_stream_subscribers", .unsigned64, [span(1, 8, 0, 1, 11, .max)]),
        MesosFlagInfo("max_unreachable_tasks_per_framework", .unsigned64, [span(1, 2, 0, 1, 11, .max)]),
        MesosFlagInfo("memory_profiling", .bool, [span(1, 6, 0, 1, 11, .max)]),
        MesosFlagInfo("min_allocatable_resources", .string, [span(1, 4, 2, 1, 4, .max), span(1, 5, 2, 1, 5, .max), span(1, 6, 1, 1, 11, .max)]),
        MesosFlagInfo("modules", .protobuf("Modules"), [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("modules_dir", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("offer_constraints_re2_max_mem", .bytes, [span(1, 11, 0, 1, 11, .max)]),
        MesosFlagInfo("offer_constraints_re2_max_program_size", .int32, [span(1, 11, 0, 1, 11, .max)]),
        MesosFlagInfo("offer_timeout", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("port", .unsigned16, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("publish_per_framework_metrics", .bool, [span(1, 8, 0, 1, 11, .max)]),
        MesosFlagInfo("quiet", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("quorum", .int32, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("rate_limits", .protobuf("RateLimits"), [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("recovery_agent_removal_limit", .string, [span(1, 1, 0, 1, 11, .max)], deprecatedName: "recovery_slave_removal_limit", deprecatedIn: [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("registry", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("registry_fetch_timeout", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("registry_gc_interval", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("registry_max_agent_age", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("registry_max_agent_count", .unsigned64, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("registry_store_timeout", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("registry_strict", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("require_agent_domain", .bool, [span(1, 5, 0, 1, 11, .max)]),
        MesosFlagInfo("role_sorter", .string, [span(1, 4, 2, 1, 4, .max), span(1, 5, 2, 1, 5, .max), span(1, 6, 1, 1, 11, .max)], deprecatedName: "user_sorter", deprecatedIn: [span(1, 4, 2, 1, 4, .max), span(1, 5, 2, 1, 5, .max), span(1, 6, 1, 1, 11, .max)]),
        MesosFlagInfo("roles", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("root_submissions", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("user_sorter", .string, [span(1, 1, 0, 1, 4, 1), span(1, 5, 0, 1, 5, 1), span(1, 6, 0, 1, 6, 0)]),
        MesosFlagInfo("version", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("webui_dir", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("weights", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("whitelist", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("work_dir", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("zk", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("zk_session_timeout", .duration, [span(1, 1, 0, 1, 11, .max)]),
    ]
    static let agentFlagTable: [MesosFlagInfo] = [
        MesosFlagInfo("acls", .protobuf("ACLs"), [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("advertise_ip", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("advertise_port", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("agent_features", .protobuf("SlaveCapabilities"), [span(1, 5, 0, 1, 11, .max)]),
        MesosFlagInfo("agent_subsystems", .string, [span(1, 1, 0, 1, 11, .max)], deprecatedName: "slave_subsystems", deprecatedIn: [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("allowed_capabilities", .protobuf("CapabilityInfo"), [span(1, 1, 0, 1, 3, .max)]),
        MesosFlagInfo("allowed_devices", .protobuf("DeviceWhitelist"), [span(1, 3, 0, 1, 11, .max)]),
        MesosFlagInfo("appc_simple_discovery_uri_prefix", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("appc_store_dir", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("attributes", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("authenticate_http_executors", .bool, [span(1, 3, 0, 1, 11, .max)]),
        MesosFlagInfo("authenticate_http_readonly", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("authenticate_http_readwrite", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("authenticatee", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("authentication_backoff_factor", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("authentication_timeout_max", .duration, [span(1, 4, 3, 1, 4, .max), span(1, 5, 2, 1, 5, .max), span(1, 6, 2, 1, 11, .max)]),
        MesosFlagInfo("authentication_timeout_min", .duration, [span(1, 4, 3, 1, 4, .max), span(1, 5, 2, 1, 5, .max), span(1, 6, 2, 1, 11, .max)]),
        MesosFlagInfo("authorizer", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("bounding_capabilities", .protobuf("CapabilityInfo"), [span(1, 4, 0, 1, 11, .max)]),
        MesosFlagInfo("cgroups_cpu_enable_pids_and_tids_count", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("cgroups_destroy_timeout", .duration, [span(1, 7, 0, 1, 11, .max)]),
        MesosFlagInfo("cgroups_enable_cfs", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("cgroups_hierarchy", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("cgroups_limit_swap", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("cgroups_net_cls_primary_handle", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("cgroups_net_cls_secondary_handles", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("cgroups_root", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("check_agent_port_range_only", .bool, [span(1, 5, 0, 1, 11, .max)]),
        MesosFlagInfo("container_disk_watch_interval", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("container_logger", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("container_ports_isolated_range", .string, [span(1, 8, 0, 1, 11, .max)]),
        MesosFlagInfo("container_ports_watch_interval", .duration, [span(1, 5, 0, 1, 11, .max)]),
        MesosFlagInfo("containerizers", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("credential", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("csi_plugin_config_dir", .string, [span(1, 11, 0, 1, 11, .max)]),
        MesosFlagInfo("default_container_dns", .protobuf("ContainerDNSInfo"), [span(1, 4, 0, 1, 11, .max)]),
        MesosFlagInfo("default_container_info", .protobuf("ContainerInfo"), [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("default_container_shm_size", .bytes, [span(1, 9, 0, 1, 11, .max)]),
        MesosFlagInfo("default_role", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("disallow_sharing_agent_ipc_namespace", .bool, [span(1, 9, 0, 1, 11, .max)]),
        MesosFlagInfo("disallow_sharing_agent_pid_namespace", .bool, [span(1, 4, 0, 1, 11, .max)]),
        MesosFlagInfo("disk_profile_adaptor", .string, [span(1, 5, 0, 1, 11, .max)]),
        MesosFlagInfo("disk_watch_interval", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("docker", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("docker_config", .jsonObject, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("docker_ignore_runtime", .bool, [span(1, 9, 0, 1, 11, .max)]),
        MesosFlagInfo("docker_kill_orphans", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("docker_mesos_image", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("docker_registry", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("docker_remove_delay", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("docker_socket", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("docker_stop_timeout", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("docker_store_dir", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("docker_volume_checkpoint_dir", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("docker_volume_chown", .bool, [span(1, 9, 0, 1, 11, .max)]),
        MesosFlagInfo("domain", .protobuf("DomainInfo"), [span(1, 4, 0, 1, 11, .max)]),
        MesosFlagInfo("domain_socket_location", .string, [span(1, 10, 0, 1, 11, .max)]),
        MesosFlagInfo("effective_capabilities", .protobuf("CapabilityInfo"), [span(1, 4, 0, 1, 11, .max)], deprecatedName: "allowed_capabilities", deprecatedIn: [span(1, 4, 0, 1, 11, .max)]),
        MesosFlagInfo("egress_flow_classifier_parent", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("egress_rate_limit_per_container", .bytes, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("egress_unique_flow_per_container", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("enforce_container_disk_quota", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("enforce_container_ports", .bool, [span(1, 7, 0, 1, 11, .max)]),
        MesosFlagInfo("ephemeral_ports_per_container", .unsigned16, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("eth0_name", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("executor_environment_variables", .jsonObject, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("executor_registration_timeout", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("executor_reregistration_retry_interval", .duration, [span(1, 1, 3, 1, 1, .max), span(1, 2, 2, 1, 2, .max), span(1, 3, 1, 1, 11, .max)]),
        MesosFlagInfo("executor_reregistration_timeout", .duration, [span(1, 1, 3, 1, 1, .max), span(1, 2, 2, 1, 2, .max), span(1, 3, 1, 1, 11, .max)]),
        MesosFlagInfo("executor_secret_key", .string, [span(1, 3, 0, 1, 4, .max)]),
        MesosFlagInfo("executor_shutdown_grace_period", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("external_log_file", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("fetcher_cache_dir", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("fetcher_cache_size", .bytes, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("fetcher_stall_timeout", .duration, [span(1, 4, 3, 1, 4, .max), span(1, 5, 2, 1, 11, .max)]),
        MesosFlagInfo("firewall_rules", .protobuf("Firewall"), [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("frameworks_home", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("gc_delay", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("gc_disk_headroom", .double, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("gc_non_executor_container_sandboxes", .bool, [span(1, 7, 0, 1, 11, .max)]),
        MesosFlagInfo("hadoop_home", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("help", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("hooks", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("host_path_volume_force_creation", .string, [span(1, 8, 0, 1, 11, .max)]),
        MesosFlagInfo("hostname", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("hostname_lookup", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("http_authenticators", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("http_command_executor", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("http_credentials", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("http_executor_domain_sockets", .bool, [span(1, 10, 0, 1, 11, .max)]),
        MesosFlagInfo("http_heartbeat_interval", .duration, [span(1, 2, 0, 1, 11, .max)]),
        MesosFlagInfo("image_gc_config", .protobuf("ImageGcConfig"), [span(1, 5, 0, 1, 11, .max)]),
        MesosFlagInfo("image_providers", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("image_provisioner_backend", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("initialize_driver_logging", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("ip", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("ip6", .string, [span(1, 4, 0, 1, 11, .max)]),
        MesosFlagInfo("ip6_discovery_command", .string, [span(1, 4, 0, 1, 11, .max)]),
        MesosFlagInfo("ip_discovery_command", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("isolation", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("jwt_secret_key", .string, [span(1, 5, 0, 1, 11, .max)], deprecatedName: "executor_secret_key", deprecatedIn: [span(1, 5, 0, 1, 11, .max)]),
        MesosFlagInfo("launcher", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("launcher_dir", .string, [span(1, 1, 0, 1, 11, .max)]),   // src/slave/flags.cpp has a comment line between `add(&Flags::launcher_dir,` and the name, so the table script missed it at first
        MesosFlagInfo("lo_name", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("log_dir", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("logbufsecs", .int32, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("logging_level", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("master", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("master_detector", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("max_completed_executors_per_framework", .unsigned64, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("memory_profiling", .bool, [span(1, 6, 0, 1, 11, .max)]),
        MesosFlagInfo("modules", .protobuf("Modules"), [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("modules_dir", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("network_cni_config_dir", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("network_cni_metrics", .bool, [span(1, 7, 0, 1, 11, .max)]),
        MesosFlagInfo("network_cni_plugins_dir", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("network_cni_root_dir_persist", .bool, [span(1, 4, 3, 1, 4, .max), span(1, 5, 2, 1, 5, .max), span(1, 6, 2, 1, 6, .max), span(1, 7, 1, 1, 11, .max)]),
        MesosFlagInfo("network_enable_snmp_statistics", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("network_enable_socket_statistics_details", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("network_enable_socket_statistics_summary", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("nvidia_gpu_devices", .unsignedList, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("oversubscribed_resources_interval", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("perf_duration", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("perf_events", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("perf_interval", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("port", .unsigned16, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("qos_controller", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("qos_correction_interval_min", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("quiet", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("reconfiguration_policy", .string, [span(1, 5, 0, 1, 11, .max)]),
        MesosFlagInfo("recover", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("recovery_timeout", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("registration_backoff_factor", .duration, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("resource_estimator", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("resource_provider_config_dir", .string, [span(1, 4, 0, 1, 11, .max)]),
        MesosFlagInfo("resources", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("revocable_cpu_low_priority", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("runtime_dir", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("sandbox_directory", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("seccomp_config_dir", .string, [span(1, 8, 0, 1, 11, .max)]),
        MesosFlagInfo("seccomp_profile_name", .string, [span(1, 8, 0, 1, 11, .max)]),
        MesosFlagInfo("secret_resolver", .string, [span(1, 4, 0, 1, 11, .max)]),
        MesosFlagInfo("strict", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("switch_user", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("systemd_enable_support", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("systemd_runtime_directory", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("version", .bool, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("volume_gid_range", .string, [span(1, 8, 0, 1, 11, .max)]),
        MesosFlagInfo("work_dir", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("xfs_kill_containers", .bool, [span(1, 6, 0, 1, 11, .max)]),
        MesosFlagInfo("xfs_project_range", .string, [span(1, 1, 0, 1, 11, .max)]),
        MesosFlagInfo("zk_session_timeout", .duration, [span(1, 5, 0, 1, 11, .max)]),
    ]
}
