import ClusterModel

// Every key of Consul's agent configuration (`consul.config`), so that an agent configuration an
// operator deploys loads as Consul loads it: the modelled keys as before, every other key Consul
// knows with one warning, an unknown key refused with Consul's reason (agent/config/config.go
// `Parse`: mapstructure's unused keys become "invalid config key ..."; keys match without case).
// Read from hashicorp/consul agent/config/config.go `Config` at 00df40b9 (the `json`/`hcl` tags,
// the ACL-legacy and TLS keys at the top level) and at a later stored version (the `tls`,
// `peering`, `reporting` and `ui_config` stanzas, `DeprecatedConfig` squashed in from
// deprecated.go): the union, so both old and new configurations load. Keys added after that
// version (HCP `cloud`, `experiments`, `locality`, ...) are not in it.

enum ConsulAgentConfigKeys {
    /// The top-level keys of `Config` (and `DeprecatedConfig`), both versions.
    static let topLevel: Set<String> = [
        "acl", "acl_agent_master_token", "acl_agent_token", "acl_datacenter", "acl_default_policy", "acl_disabled_ttl",
        "acl_down_policy", "acl_enable_key_list_policy", "acl_master_token", "acl_replication_token", "acl_token", "acl_ttl",
        "addresses", "advertise_addr", "advertise_addr_ipv4", "advertise_addr_ipv6", "advertise_addr_wan",
        "advertise_addr_wan_ipv4", "advertise_addr_wan_ipv6", "advertise_reconnect_timeout", "ae_interval", "alt_domain",
        "audit", "auto_config", "auto_encrypt", "auto_reload_config", "autopilot", "bind_addr", "bootstrap",
        "bootstrap_expect", "build_date", "ca_file", "ca_path", "cache", "cert_file", "check", "check_deregister_interval_min",
        "check_output_max_size", "check_reap_interval", "check_update_interval", "checks", "client_addr", "config_entries",
        "connect", "consul", "data_dir", "datacenter", "default_query_time", "disable_anonymous_signature",
        "disable_coordinates", "disable_host_node_id", "disable_http_unprintable_char_filter", "disable_keyring_file",
        "disable_remote_exec", "disable_update_check", "discard_check_output", "discovery_max_stale", "dns_config", "domain",
        "enable_acl_replication", "enable_agent_tls_for_checks", "enable_central_service_config", "enable_debug",
        "enable_local_script_checks", "enable_script_checks", "enable_syslog", "encrypt", "encrypt_verify_incoming",
        "encrypt_verify_outgoing", "gossip_lan", "gossip_wan", "http_config", "key_file", "leave_on_terminate",
        "license_path", "license_poll_base_time", "license_poll_max_time", "license_update_base_time",
        "license_update_max_time", "limits", "log_file", "log_json", "log_level", "log_rotate_bytes", "log_rotate_duration",
        "log_rotate_max_files", "max_query_time", "node_id", "node_meta", "node_name", "non_voting_server", "partition",
        "peering", "performance", "pid_file", "ports", "primary_datacenter", "primary_gateways", "primary_gateways_interval",
        "protocol", "raft_boltdb", "raft_protocol", "raft_snapshot_interval", "raft_snapshot_threshold", "raft_trailing_logs",
        "read_replica", "reconnect_timeout", "reconnect_timeout_wan", "recursors", "rejoin_after_leave", "reporting",
        "retry_interval", "retry_interval_wan", "retry_join", "retry_join_wan", "retry_max", "retry_max_wan", "revision", "rpc",
        "segment", "segment_limit", "segment_name_limit", "segments", "serf_lan", "serf_lan_allowed_cidrs", "serf_wan",
        "serf_wan_allowed_cidrs", "server", "server_name", "service", "services", "session_ttl_min", "skip_leave_on_interrupt",
        "snapshot_agent", "start_join", "start_join_wan", "sync_coordinate_interval_min", "sync_coordinate_rate_target",
        "syslog_facility", "tagged_addresses", "telemetry", "tls", "tls_cipher_suites", "tls_min_version",
        "tls_prefer_server_cipher_suites", "translate_wan_addrs", "ui", "ui_config", "ui_content_path", "ui_dir", "unix_sockets",
        "use_streaming_backend", "verify_incoming", "verify_incoming_https", "verify_incoming_rpc", "verify_outgoing",
        "verify_server_hostname", "version", "version_metadata", "version_prerelease", "watches",
    ]

    /// `Performance` (grpc keepalives came later and are left out with the other later keys).
    static let performance: Set<String> = ["leave_drain_time", "raft_multiplier", "rpc_hold_timeout"]

    /// `DNS` (`dns_config`).
    static let dns: Set<String> = [
        "allow_stale", "a_record_limit", "disable_compression", "enable_truncate", "max_stale", "node_ttl", "only_passing",
        "recursor_strategy", "recursor_timeout", "service_ttl", "udp_answer_limit", "enable_additional_node_meta_txt", "soa",
        "use_cache", "cache_max_age", "prefer_namespace",
    ]

    /// Splits an object's members: those the simulator reads (`modelled`, under their lower-case
    /// name, as mapstructure matches them), those Consul knows and the simulator does not use
    /// (named in one warning at `path`), and unknown ones (Consul's error). Returns the object of
    /// the modelled members for the section's reader.
    static func sort(_ v: JSONValue, path: String, dotted: String, modelled: [String], known: Set<String>,
                     notes: [String: String] = [:], _ d: Diagnostics) -> JSONValue {
        guard let members = v.objectMembers else { return v }
        var kept: [JSONMember] = []
        var accepted: [String] = []
        for m in members {
            let lower = m.key.lowercased()
            if modelled.contains(lower) {
                var x = m
                x.key = lower
                kept.append(x)
            } else if known.contains(lower) {
                accepted.append(m.key)
                if let note = notes[lower] { d.warning(JSONPath.key(path, m.key), at: m.value, note) }
            } else {
                d.error(JSONPath.key(path, m.key), location: m.keyLocation ?? m.value.location,
                        "invalid config key \(dotted.isEmpty ? "" : dotted + ".")\(m.key) (Consul refuses unknown keys)\(Suggest.didYouMean(lower, among: known.sorted()))")
            }
        }
        let plain = accepted.filter { notes[$0.lowercased()] == nil }
        if !plain.isEmpty {
            d.warning(path, at: v, "accepted by Consul, not used by the simulator: \(plain.joined(separator: ", "))")
        }
        return JSONValue(.object(kept), location: v.location)
    }
}
