// The marathon-lb release a scenario runs (`marathonLB.version`) and what it switches. Every switch
// was read at the release tags of mesosphere/marathon-lb (`git show <tag>:<path>`); the table with
// the sources is docs/marathon-lb.md "Releases 1.12 to 1.15".

/// A marathon-lb release, major.minor.patch: one of the tags 1.5.0 to 1.15.0 (`releases`). The
/// baseline is 1.11.0, the release the model was built from, so a scenario without
/// `marathonLB.version` runs as before.
public struct MarathonLBVersion: ReleaseVersion {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(_ major: Int, _ minor: Int, _ patch: Int = 0) { self.major = major; self.minor = minor; self.patch = patch }

    public static let baseline = MarathonLBVersion(1, 11, 0)
    public static let oldestSupported = MarathonLBVersion(1, 5, 0)
    public static let newestSupportedMinor = MarathonLBVersion(1, 15, 0)
    public static let supportedRange = "1.5.0 to 1.15.0"

    /// The release tags of mesosphere/marathon-lb from v1.5.0 to v1.15.0 (without the betas and
    /// the 1.8.1.1 rebuilds): only these are accepted.
    public static let releases: [MarathonLBVersion] = [
        .init(1, 5, 0), .init(1, 5, 1), .init(1, 6, 0), .init(1, 7, 0), .init(1, 8, 0), .init(1, 8, 1), .init(1, 9, 0),
        .init(1, 10, 0), .init(1, 10, 1), .init(1, 10, 2), .init(1, 10, 3),
        .init(1, 11, 0), .init(1, 11, 1), .init(1, 11, 2), .init(1, 11, 3), .init(1, 11, 4), .init(1, 11, 5),
        .init(1, 12, 0), .init(1, 12, 1), .init(1, 12, 2), .init(1, 12, 3), .init(1, 13, 0), .init(1, 13, 1),
        .init(1, 14, 0), .init(1, 14, 1), .init(1, 14, 2), .init(1, 15, 0),
    ]

    public var isRelease: Bool { Self.releases.contains(self) }

    // MARK: what it switches

    /// The HAProxy its image builds (Dockerfile `HAPROXY_VERSION`): 1.7.2 (1.5.0-1.7.0), 1.7.6
    /// (1.8.0-1.11.5), 1.8.4 (1.12.x), 1.9.6/1.9.8 (1.13.0/1.13.1), 2.0.3, 2.0.6, 2.0.10 (1.14.x),
    /// 2.0.17 (1.15.0). The model reads major.minor.
    public var imageHAProxy: (major: Int, minor: Int) {
        if atLeast(14) { return (2, 0) }
        if atLeast(13) { return (1, 9) }
        if atLeast(12) { return (1, 8) }
        return (1, 7)
    }
    public var imageHAProxyText: String {
        if atLeast(15) { return "2.0.17" }
        if atLeast(14, 2) { return "2.0.10" }
        if atLeast(14, 1) { return "2.0.6" }
        if atLeast(14) { return "2.0.3" }
        if atLeast(13, 1) { return "1.9.8" }
        if atLeast(13) { return "1.9.6" }
        if atLeast(12) { return "1.8.4" }
        if atLeast(8) { return "1.7.6" }
        return "1.7.2"
    }

    /// service/haproxy/run from 1.12.0: `exec haproxy -W -f haproxy.cfg -x /var/run/haproxy/socket`
    /// (master-worker; `sv reload` sends SIGHUP, the new worker takes the listening sockets over
    /// the stats socket), and HAPROXY_HEAD's `stats socket ... expose-fd listeners`: no SYN drop,
    /// no lock, no sleep. Before, `reload()` drops SYNs with iptables, `-sf`, sleeps 1 s under flock.
    public var seamlessReload: Bool { atLeast(12) }

    /// utils.py CurlHttpEventStream: `LOW_SPEED_LIMIT 1`, `LOW_SPEED_TIME 300` from 1.10.1: an
    /// event stream that received nothing for 300 s fails with curl error 28 (before, a stream
    /// that broke silently, its Marathon's host gone, was waited on for ever).
    public var streamLowSpeedTimeout: Bool { atLeast(10, 1) }
    /// marathon_lb.py `__main__` from 1.11.2: the event processor keeps running between streams
    /// and `processor.start()` of each attempt resets from tasks (a full resync); the wait
    /// `random() * waitSeconds` is drawn before each attempt, 0 after curl error 28, and the
    /// backoff grows after every wait. Before: `process_sse_events` stops the processor when the
    /// stream ends and starts a new one (no resync) with the next; the backoff grows only after
    /// an exception.
    public var streamLoopResyncs: Bool { atLeast(11, 2) }
    /// `--max-backoff` (1.13.0) caps the wait; before, `maxWaitSeconds = 300` (1.11.2) or `if
    /// backoff > 300` (before).
    public var hasMaxBackoff: Bool { atLeast(13) }
    /// Marathon.api_req_raw from 1.13.0 (5ebb622, #630): a timeout or connection error tries the
    /// next `--marathon` URL and the first answer is returned (a 503 too); before, a connection
    /// error raises at once and a non-200 answer tries the next URL.
    public var apiTriesNextHostOnError: Bool { atLeast(13) }
    /// Marathon.get_event_stream at 1.13.0 and 1.13.1 reads `self.host` twice (`current_host`,
    /// then the URL), so each attempt skips one URL of the cycle; 1.14.0 uses `current_host`.
    public var streamSkipsAURL: Bool { atLeast(13) && !atLeast(14) }

    /// config.py HAPROXY_HEAD from 1.12.0: no `daemon` (the master-worker HAProxy runs in the
    /// foreground under runit), `expose-fd listeners` on the stats socket.
    public var headHasDaemon: Bool { !atLeast(12) }
    /// config.py HAPROXY_HEAD from 1.15.0: `http-request use-service prometheus-exporter if { path
    /// /metrics }` in `listen stats` (the image builds HAProxy with the exporter, EXTRA_OBJS).
    public var headHasPrometheusExporter: Bool { atLeast(15) }
    /// marathon_lb.py `calculate_server_id` and config.py BACKEND_SERVER_OPTIONS ` id {serverId}`
    /// from 1.12.2.
    public var serverIDs: Bool { atLeast(12, 2) }
    /// config.py HTTP_BACKEND_REVPROXY_GLUE from 1.13.0: `"Location: {rootpath}" if hdr_location`
    /// (before: the closing quote after `if hdr_location`).
    public var revProxyQuoteFixed: Bool { atLeast(13) }
    /// marathon_lb.py config() from 1.11.4: a MESOS_TCP health check takes the TCP check templates
    /// as a TCP one does (before: the HTTP ones in http mode).
    public var mesosTCPChecksAsTCP: Bool { atLeast(11, 4) }
    /// marathon_lb.py generateHttpVhostAcl from 1.13.0: one VHOST with REDIRECT_TO_HTTPS and no
    /// PATH writes HTTP_FRONTEND_ACL (the host ACL and its `use_backend`) before the redirect;
    /// before, HTTP_FRONTEND_ACL_ONLY (the ACL alone).
    public var vhostRedirectWritesUseBackend: Bool { atLeast(13) }
    /// config.py set_label from 1.13.0: `normalize_line_endings` (CRLF to LF) of a template label.
    public var normalizesLineEndings: Bool { atLeast(13) }
    /// marathon_lb.py regenerate_config from 1.11.2: a candidate `haproxy -c` refuses is rebuilt
    /// app by app (make_config_valid_and_regenerate), leaving out the apps that make it invalid,
    /// and that file is reloaded; from 1.13.0 `--skip-config-cleanup` turns it off.
    public var cleansUpInvalidConfig: Bool { atLeast(11, 2) }

    /// marathon_lb.py get_apps: which of Marathon's tasks (by the `state` /v2/apps?embed=apps.tasks
    /// gives) become servers. From 1.14.0 (`EXCLUDED_TASK_STATES`, commit 755efde, #645) only
    /// TASK_RUNNING, TASK_LOST and TASK_UNREACHABLE ("let's be optimistic here and route traffic to
    /// tasks in this state"); 1.12.0 to 1.13.1 (`excluded_states`, from the beta merge 49afb4d) every
    /// state but TASK_KILLING, TASK_KILLED, TASK_FINISHED and TASK_ERROR, so also TASK_STAGING and
    /// TASK_STARTING. Before 1.12.0 get_apps filters no state at all; for those releases the model
    /// keeps the rule it was built with, running and reachable tasks (docs/marathon-lb.md "Task
    /// states and health by release": following v1.11 would change every shipped result).
    public func listsTask(_ state: TaskState, unreachable: Bool) -> Bool {
        if atLeast(14) { return state == .running || state == .lost || state == .unreachable }
        if atLeast(12) { return state != .killing && state != .killed && state != .finished && state != .error }
        return state == .running && !unreachable
    }

    /// marathon_lb.py get_apps with `--health-check`: from 1.14.2 a task is up when *any* of its
    /// `healthCheckResults` is alive (`alive = False` ... `if result['alive']: alive = True`,
    /// commit 4207efe, #656, the backport of 80771bf #655 that 1.15.0 has); to 1.14.1 when all of
    /// them are. Without results (Marathon leaves the key out: EnrichedTaskWrites writes it only
    /// when non-empty) the task is left out (healthCheckResultCache's default False) at every release.
    public var anyHealthResultAlive: Bool { atLeast(14, 2) }
}
