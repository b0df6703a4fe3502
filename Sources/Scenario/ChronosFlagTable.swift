import ClusterModel

// Every command-line flag Chronos has (docs/chronos.md "Flags"): its Scallop options, those of
// SchedulerConfiguration, CassandraConfiguration and GraphiteConfiguration (mesos/chronos
// src/main/scala/org/apache/mesos/chronos/scheduler/config/ at 2.5.1 and at c1348ddfd80e, the
// 3.x line) and those of the chaos library's HttpConf it mixes in (chaos 0.6.7 for 2.x, 0.8.7 for
// 3.x: the lists of docs/docs/configuration.md at those commits). The modelled ones are
// `chronosFlagKeys`; the others load, are listed in a warning, and their values are checked as
// Scallop converts them.

enum ChronosFlagTable {
    /// How Scallop reads the option: `opt[String]`, `opt[Int]` (32 bits), `opt[Long]`,
    /// `opt[Double]`, `opt[Boolean]` (given without a value) or a `toggle` (`--name` /
    /// `--disable_name`).
    enum Kind { case string, int, long, double, bool, toggle }

    struct Flag { var name: String; var kind: Kind; var versions: Set<ChronosVersion> }

    static let both: Set<ChronosVersion> = [.v2, .v3]

    static let flags: [Flag] = {
        var out: [Flag] = []
        func add(_ names: [String], _ kind: Kind, _ versions: Set<ChronosVersion> = both) {
            for n in names { out.append(Flag(name: n, kind: kind, versions: versions)) }
        }
        // SchedulerConfiguration.scala
        add(["master", "user", "cluster_name", "zk_hosts", "hostname", "zk_path", "mail_server", "mail_user", "mail_password", "mail_from",
             "raven_dsn", "slack_url", "http_notification_url", "http_notification_credentials", "mesos_role", "mesos_framework_name",
             "webui_url", "mesos_authentication_principal", "mesos_authentication_secret_file"], .string)
        add(["failover_timeout", "leader_max_idle_time", "task_epsilon", "reconciliation_interval"], .int)
        add(["schedule_horizon"], .int, [.v2])
        add(["zk_timeout", "failure_retry", "disable_after_failures", "decline_offer_duration", "min_revive_offers_interval"], .long)
        add(["mesos_task_mem", "mesos_task_cpu", "mesos_task_disk"], .double)
        add(["mail_ssl", "mesos_checkpoint", "revive_offers_for_new_jobs"], .bool)
        add(["zk_auth", "mattermost_url"], .string, [.v3])
        // CassandraConfiguration.scala, GraphiteConfiguration.scala
        add(["cassandra_contact_points", "cassandra_user", "cassandra_password", "cassandra_keyspace", "cassandra_table",
             "cassandra_stat_count_table", "cassandra_consistency", "graphite_host_port", "graphite_group_prefix"], .string)
        add(["cassandra_port", "cassandra_ttl", "job_history_limit"], .int)
        add(["graphite_reporting_interval"], .long)
        // chaos HttpConf
        add(["http_address", "http_credentials", "http_realm", "ssl_keystore_path", "ssl_keystore_password"], .string)
        add(["http_port", "https_port"], .int)
        add(["assets_path"], .string, [.v2])
        add(["https_address"], .string, [.v3])
        add(["disable_http"], .bool, [.v3])
        add(["http_compression"], .toggle, [.v3])
        return out
    }()

    static func flag(_ name: String) -> Flag? { flags.first { $0.name == name } }
    static var names: [String] { flags.map(\.name) }

    /// Whether `--name` takes a value (nil: no such flag; false: a boolean or a toggle).
    static func takesValue(_ name: String) -> Bool? {
        if name.hasPrefix("disable_"), let f = flag(String(name.dropFirst(8))), f.kind == .toggle { return false }
        guard let f = flag(name) else { return nil }
        return !(f.kind == .bool || f.kind == .toggle)
    }

    /// The value Scallop's converter makes of `text`, or its complaint. Int and Long are Java's
    /// `parseInt`/`parseLong` (an optional sign and decimal digits, in range), Double is
    /// `parseDouble` (decimal or exponent notation; Infinity and NaN too).
    static func check(_ kind: Kind, _ text: String) -> Bool {
        switch kind {
        case .string: return true
        case .int: return MarathonFlagsDecoder.javaInteger(text, bits: 32) != nil
        case .long: return javaInteger(text) != nil
        case .double: return Double(text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "Infinity", with: "inf")) != nil
        case .bool, .toggle: return text == "true" || text == "false"
        }
    }

    /// Java's `parseLong` (Scala's `toLong`), shared with Marathon's flags.
    static func javaInteger(_ text: String) -> Int64? { MarathonFlagsDecoder.javaInteger(text, bits: 64) }
}
