import ClusterModel

// Docker's daemon configuration as deployed (`storage.hostGroups[i].daemonConfig`: the
// /etc/docker/daemon.json of the group's hosts) and the devicemapper storage options as dockerd
// reads them (moby/moby@v18.09.0, the release the storage model follows):
//
// - daemon.json: cmd/dockerd/daemon.go `loadDaemonCliConfig` -> daemon/config/config.go
//   `getConflictFreeConfiguration`: the file's keys (nested objects flattened, but for the
//   `flatOptions`) must be dockerd flags or their named options (`findConfigurationConflicts`),
//   else "the following directives don't match any configuration option: ..."; the modelled ones
//   become the host group's keys (`storage-driver` -> driver, `storage-opts` -> storageOpts,
//   `log-driver`, `log-opts`, `max-concurrent-downloads`), the others are named in one warning.
// - storage-opts: daemon/graphdriver/devmapper/deviceset.go `NewDeviceSet` (keys lower-cased,
//   "devmapper: Unknown option ..." for others; sizes by go-units RAMInBytes, booleans by
//   strconv.ParseBool) and daemon/graphdriver/overlay2/overlay.go `parseOptions`.

/// The dockerd release whose daemon.json keys, flags and option parsers are read
/// (`storage.dockerVersion`; the model itself follows 18.09 whatever the release).
enum DockerRelease: Int, CaseIterable, Comparable, Sendable {
    case v17_03, v17_06, v17_09, v17_12, v18_03, v18_06, v18_09, v19_03, v20_10
    static let modelled = DockerRelease.v18_09
    var name: String { ["17.03", "17.06", "17.09", "17.12", "18.03", "18.06", "18.09", "19.03", "20.10"][rawValue] }
    init?(name: String) {
        guard let r = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = r
    }
    static func < (a: DockerRelease, b: DockerRelease) -> Bool { a.rawValue < b.rawValue }
}

enum DockerDaemonConfig {
    /// dockerd's flags (long names) and named options (cmd/dockerd/config.go, config_unix.go,
    /// config_common_unix.go, options.go, docker.go; registry and TLS options), plus
    /// `skipValidateOptions` (features, builder), of 17.03 to 20.10: what daemon.json may name
    /// (`flags.Lookup` finds a flag by its long name only, so a shorthand is no key). The keys
    /// not in every one of those releases are in `keyReleases`.
    static let knownKeys: Set<String> = [
        "storage-opts", "storage-opt", "authorization-plugins", "authorization-plugin", "exec-opts", "exec-opt", "pidfile",
        "graph", "exec-root", "containerd", "cri-containerd", "data-root", "restart", "storage-driver", "mtu",
        "raw-logs", "dns", "dns-opts", "dns-opt", "dns-search", "labels", "label", "log-driver", "log-opts", "log-opt",
        "cluster-advertise", "cluster-store", "cluster-store-opts", "cluster-store-opt", "api-cors-header",
        "max-concurrent-downloads", "max-concurrent-uploads", "shutdown-timeout", "network-diagnostic-port",
        "swarm-default-advertise-addr", "experimental", "metrics-addr", "node-generic-resources", "node-generic-resource",
        "network-control-plane-mtu", "deprecated-key-path", "allow-nondistributable-artifacts", "registry-mirrors",
        "registry-mirror", "insecure-registries", "insecure-registry", "disable-legacy-registry", "selinux-enabled",
        "default-ulimits", "default-ulimit", "iptables", "ip-forward", "ip-masq", "ipv6", "fixed-cidr-v6", "userland-proxy",
        "userland-proxy-path", "cgroup-parent", "userns-remap", "live-restore", "oom-score-adjust", "init", "init-path",
        "cpu-rt-period", "cpu-rt-runtime", "seccomp-profile", "default-shm-size", "no-new-privileges", "default-ipc-mode",
        "default-address-pools", "default-address-pool", "group", "bip", "bridge", "fixed-cidr", "default-gateway",
        "default-gateway-v6", "icc", "ip", "runtimes", "add-runtime", "default-runtime", "debug", "log-level", "tls",
        "tlsverify", "tlscacert", "tlscert", "tlskey", "host", "hosts", "version", "config-file", "features", "builder",
        "api-enable-cors", "rootless", "containerd-namespace", "containerd-plugins-namespace", "default-cgroupns-mode",
        "host-gateway-ip", "ip6tables", "max-download-attempts",
    ]
    /// The releases a key is in, for those not in all of 17.03 to 20.10 (read at the tags
    /// v17.03.0-ce ... v20.10.0 of moby/moby: the flags of cmd/dockerd, the named options, and
    /// daemon/config's skipValidateOptions).
    static let keyReleases: [String: ClosedRange<DockerRelease>] = [
        "api-enable-cors": .v17_03 ... .v17_06,
        "allow-nondistributable-artifacts": .v17_06 ... .v20_10, "data-root": .v17_06 ... .v20_10,
        "default-shm-size": .v17_06 ... .v20_10, "deprecated-key-path": .v17_06 ... .v20_10, "no-new-privileges": .v17_06 ... .v20_10,
        "default-ipc-mode": .v17_09 ... .v20_10, "default-ulimits": .v17_09 ... .v20_10, "network-control-plane-mtu": .v17_09 ... .v20_10,
        "node-generic-resources": .v17_09 ... .v20_10, "network-diagnostic-port": .v17_12 ... .v20_10, "node-generic-resource": .v17_12 ... .v20_10,
        "default-address-pools": .v18_06 ... .v20_10, "default-address-pool": .v18_06 ... .v20_10,
        "builder": .v18_09 ... .v20_10, "cri-containerd": .v18_09 ... .v20_10, "features": .v18_09 ... .v20_10,
        "rootless": .v19_03 ... .v20_10, "disable-legacy-registry": .v17_03 ... .v18_09,
        "containerd-namespace": .v20_10 ... .v20_10, "containerd-plugins-namespace": .v20_10 ... .v20_10,
        "default-cgroupns-mode": .v20_10 ... .v20_10, "host-gateway-ip": .v20_10 ... .v20_10, "ip6tables": .v20_10 ... .v20_10,
        "max-download-attempts": .v20_10 ... .v20_10,
    ]
    /// Whether daemon.json may name `key` at `release`. 17.12 had `--node-generic-resource` (a
    /// plain list) and no `node-generic-resources` option (17.09's flag of that name was renamed;
    /// 18.03 made it the flag's named option again).
    static func isKey(_ key: String, at release: DockerRelease) -> Bool {
        guard knownKeys.contains(key) else { return false }
        if key == "node-generic-resources" && release == .v17_12 { return false }
        return keyReleases[key]?.contains(release) ?? true
    }
    /// The release that first takes `key`, for a key the given release does not.
    static func releaseAdding(_ key: String, after release: DockerRelease) -> DockerRelease? {
        guard knownKeys.contains(key) else { return nil }
        return DockerRelease.allCases.first { $0 > release && isKey(key, at: $0) }
    }
    /// daemon/config/config.go `flatOptions`: objects read whole (others are flattened into their keys).
    static let flatOptions: Set<String> = ["cluster-store-opts", "log-opts", "runtimes", "default-ulimits", "features", "builder"]
    /// `features` and `builder` are read whole from 18.09 (before, an object is flattened into its keys).
    static func isFlat(_ key: String, at release: DockerRelease) -> Bool {
        flatOptions.contains(key) && (release >= .v18_09 || (key != "features" && key != "builder"))
    }

    /// The modelled keys and the host group key each becomes.
    static let modelled: [(daemon: String, key: String)] = [
        ("storage-driver", "driver"), ("storage-opts", "storageOpts"), ("log-driver", "log-driver"), ("log-opts", "log-opts"),
        ("max-concurrent-downloads", "maxConcurrentDownloads"), ("max-download-attempts", "maxDownloadAttempts"),
    ]

    /// devmapper's options that the model reads (the host group's `storageOpts` keys).
    static let devmapperModelled: Set<String> = [
        "dm.basesize", "dm.loopdatasize", "dm.loopmetadatasize", "dm.blkdiscard", "dm.blocksize", "dm.min_free_space",
        "dm.xfs_nospace_max_retries", "dm.thinp_percent", "dm.thinp_metapercent", "dm.thinp_autoextend_percent",
        "dm.thinp_autoextend_threshold",
    ]
    /// The others of NewDeviceSet@v18.09.0, with how dockerd checks their values.
    enum Check { case text, bool, filesystem, logLevel }
    static let devmapperOthers: [String: Check] = [
        "dm.fs": .filesystem, "dm.mkfsarg": .text, "dm.mountopt": .text, "dm.metadatadev": .text, "dm.datadev": .text,
        "dm.thinpooldev": .text, "dm.override_udev_sync_check": .bool, "dm.use_deferred_removal": .bool,
        "dm.use_deferred_deletion": .bool, "dm.directlvm_device": .text, "dm.directlvm_device_force": .bool,
        "dm.libdm_log_level": .logLevel,
    ]
    static let overlay2Options: Set<String> = ["overlay2.override_kernel_check", "overlay2.size"]
    /// Options of NewDeviceSet and overlay2's parseOptions added after 17.03 (deviceset.go and
    /// overlay.go at the tags): direct-lvm's and the thin pool's autoextend in 17.06,
    /// dm.libdm_log_level and overlay2.size in 17.09.
    static let optionSince: [String: DockerRelease] = [
        "dm.directlvm_device": .v17_06, "dm.directlvm_device_force": .v17_06, "dm.thinp_percent": .v17_06,
        "dm.thinp_metapercent": .v17_06, "dm.thinp_autoextend_percent": .v17_06, "dm.thinp_autoextend_threshold": .v17_06,
        "dm.libdm_log_level": .v17_09, "overlay2.size": .v17_09,
    ]
    static func hasOption(_ key: String, at release: DockerRelease) -> Bool { (optionSince[key] ?? .v17_03) <= release }

    /// Names daemon.json takes that are no command-line flag (named options: the flag is the
    /// singular, `--storage-opt`; `skipValidateOptions`).
    static let fileOnly: Set<String> = [
        "storage-opts", "authorization-plugins", "exec-opts", "dns-opts", "labels", "log-opts", "cluster-store-opts",
        "node-generic-resources", "registry-mirrors", "insecure-registries", "default-ulimits", "default-address-pools",
        "hosts", "runtimes", "features", "builder",
    ]
    /// Boolean flags (pflag: no value needed, `--name=false` to clear).
    static let booleanFlags: Set<String> = [
        "cri-containerd", "restart", "raw-logs", "experimental", "disable-legacy-registry", "selinux-enabled", "iptables",
        "ip-forward", "ip-masq", "ipv6", "userland-proxy", "live-restore", "init", "no-new-privileges", "icc", "debug", "tls",
        "tlsverify", "version", "api-enable-cors", "rootless", "ip6tables",
    ]
    static let intFlags: Set<String> = ["mtu", "max-concurrent-downloads", "max-concurrent-uploads", "shutdown-timeout",
                                        "network-diagnostic-port", "network-control-plane-mtu", "oom-score-adjust", "max-download-attempts"]
    /// Shorthands of dockerd 18.09's flags.
    static let shorthands: [Character: String] = [
        "p": "pidfile", "g": "graph", "r": "restart", "s": "storage-driver", "G": "group", "b": "bridge", "D": "debug",
        "l": "log-level", "H": "host", "v": "version",
    ]
    /// The flag a daemon.json name stands for on the command line (the named options' flags).
    static let flagOfFileName: [String: String] = [
        "storage-opts": "storage-opt", "log-opts": "log-opt", "labels": "label", "dns-opts": "dns-opt", "exec-opts": "exec-opt",
        "authorization-plugins": "authorization-plugin", "cluster-store-opts": "cluster-store-opt",
        "node-generic-resources": "node-generic-resource", "registry-mirrors": "registry-mirror",
        "insecure-registries": "insecure-registry", "default-ulimits": "default-ulimit", "default-address-pools": "default-address-pool",
        "hosts": "host", "runtimes": "add-runtime",
    ]

    struct Given { var values: [String]; var location: SourceLocation? }

    /// dockerd's command line as spf13/pflag parses it (flag.go `parseArgs`, `parseLongArg`,
    /// `parseShortArg`): returns the flags given, by long name, with their values in order; the
    /// first problem is pflag's (or cobra's) error.
    static func parseFlags(_ words: [(word: String, location: SourceLocation?)], release: DockerRelease = .modelled) -> Result<[(String, Given)], ArgparseFailure> {
        var out: [(String, Given)] = []
        var positional: [String] = []
        var i = 0
        func add(_ name: String, _ value: String, _ loc: SourceLocation?) -> ArgparseFailure? {
            if booleanFlags.contains(name), parseBool(value) == nil {
                return ArgparseFailure(message: "invalid argument \(JSONValue.quote(value)) for \"--\(name)\" flag: strconv.ParseBool: parsing \(JSONValue.quote(value)): invalid syntax", location: loc)
            }
            if intFlags.contains(name), Int(value) == nil {
                return ArgparseFailure(message: "invalid argument \(JSONValue.quote(value)) for \"--\(name)\" flag: strconv.ParseInt: parsing \(JSONValue.quote(value)): invalid syntax", location: loc)
            }
            if let k = out.firstIndex(where: { $0.0 == name }) { out[k].1.values.append(value); out[k].1.location = loc }
            else { out.append((name, Given(values: [value], location: loc))) }
            return nil
        }
        while i < words.count {
            let (w, loc) = words[i]
            i += 1
            if w == "--" { positional += words[i...].map(\.word); break }
            if !w.hasPrefix("-") || w == "-" { positional.append(w); continue }
            if w.hasPrefix("--") {
                let body = w.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                let explicit = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
                // 17.09's --node-generic-resources was a flag of its own (17.12 renamed it)
                guard isKey(name, at: release), !fileOnly.contains(name) || (name == "node-generic-resources" && release == .v17_09) else {
                    return .failure(ArgparseFailure(message: "unknown flag: --\(name)", location: loc))
                }
                let value: String
                if let e = explicit { value = e }
                else if booleanFlags.contains(name) { value = "true" }
                else if i < words.count { value = words[i].word; i += 1 }
                else { return .failure(ArgparseFailure(message: "flag needs an argument: --\(name)", location: loc)) }
                if let f = add(name, value, loc) { return .failure(f) }
            } else {
                var rest = Substring(w.dropFirst())
                while let c = rest.first {
                    rest = rest.dropFirst()
                    guard let name = shorthands[c] else {
                        return .failure(ArgparseFailure(message: "unknown shorthand flag: '\(c)' in \(w)", location: loc))
                    }
                    let value: String
                    if rest.first == "=" { value = String(rest.dropFirst()); rest = "" }
                    else if booleanFlags.contains(name) { value = "true" }
                    else if !rest.isEmpty { value = String(rest); rest = "" }
                    else if i < words.count { value = words[i].word; i += 1 }
                    else { return .failure(ArgparseFailure(message: "flag needs an argument: '\(c)' in -\(c)", location: loc)) }
                    if let f = add(name, value, loc) { return .failure(f) }
                }
            }
        }
        if !positional.isEmpty {
            return .failure(ArgparseFailure(message: "\"dockerd\" accepts no argument(s) (got \(positional.map { JSONValue.quote($0) }.joined(separator: " ")))", location: words.last?.location))
        }
        return .success(out)
    }

    struct ArgparseFailure: Error { var message: String; var location: SourceLocation? }

    /// Go's strconv.ParseBool.
    static func parseBool(_ s: String) -> Bool? {
        switch s {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: return nil
        }
    }
}

extension ScenarioSchema {
    /// `storageOpts` as dockerd reads them: keys lower-cased; devmapper's unmodelled options
    /// checked as NewDeviceSet checks them and named in one warning; an unknown one is its error.
    /// Returns the object of the modelled options (string values as dockerd parses them: sizes by
    /// RAMInBytes, booleans by ParseBool), and whether an option names an existing thin pool or
    /// the device direct-lvm sets up (`dm.thinpooldev`, `dm.directlvm_device`).
    static func sortStorageOpts(_ v: JSONValue, path: String, release: DockerRelease = .modelled, _ d: Diagnostics) -> (JSONValue, directLVM: (String, JSONValue)?) {
        guard let members = v.objectMembers else { return (v, nil) }
        var kept: [JSONMember] = []
        var accepted: [String] = []
        var direct: (String, JSONValue)? = nil
        let sizes: Set<String> = ["dm.basesize", "dm.loopdatasize", "dm.loopmetadatasize", "dm.blocksize"]
        // NewDeviceSet: deferred removal and deletion are on by default from 17.09 (where the
        // kernel's dm driver and libdm support them, taken as given), off before
        var deferred: [String: (Bool, String, JSONMember)] = [:]
        for m in members {
            let key = m.key.lowercased()
            let p = JSONPath.key(path, m.key)
            let text = m.value.stringValue
            if key == "dm.min_free_space", let s = text, !s.hasSuffix("%") {
                // deviceset.go@v18.09.0: a string without "%" is refused (a number is this
                // simulator's own percentage)
                d.error(p, at: m.value, "devmapper: Option dm.min_free_space requires % suffix (dockerd refuses \(JSONValue.quote(s)) and does not start; write \"\(s)%\")"); continue
            }
            if key == "dm.use_deferred_removal" || key == "dm.use_deferred_deletion",
               let s = text ?? m.value.boolValue.map({ $0 ? "true" : "false" }), let b = DockerDaemonConfig.parseBool(s) {
                deferred[key] = (b, p, m)
            }
            if !DockerDaemonConfig.hasOption(key, at: release), let since = DockerDaemonConfig.optionSince[key] {
                d.error(p, location: m.keyLocation ?? m.value.location, "devmapper: Unknown option \(key) (dockerd \(release.name) refuses to start; the option came in \(since.name); storage.dockerVersion is \(release.name))")
                continue
            }
            if DockerDaemonConfig.devmapperModelled.contains(key) {
                var x = m
                x.key = key
                if let s = text {
                    if sizes.contains(key) {
                        switch DockerLogging.parseSize(s, binary: true) {
                        case .success(let n): x.value = JSONValue(.number(JSONNumber(text: String(n), double: Double(n))), location: m.value.location)
                        case .failure(let e): d.error(p, at: m.value, "dockerd refuses it: \(e.message) (\(key) is read by go-units RAMInBytes: \"20G\" and \"20GB\" are 20 GiB)"); continue
                        }
                    } else if key == "dm.blkdiscard" {
                        guard let b = DockerDaemonConfig.parseBool(s) else { d.error(p, at: m.value, "dockerd refuses it: strconv.ParseBool: parsing \(JSONValue.quote(s)): invalid syntax"); continue }
                        x.value = JSONValue(.bool(b), location: m.value.location)
                    } else if key == "dm.xfs_nospace_max_retries" {
                        guard let n = UInt64(s), n <= UInt64(Int64.max) else { d.error(p, at: m.value, "dockerd refuses it: strconv.ParseUint: parsing \(JSONValue.quote(s)): invalid syntax"); continue }
                        x.value = JSONValue(.number(JSONNumber(text: String(n), double: Double(n))), location: m.value.location)
                    }
                }
                kept.append(x)
            } else if let check = DockerDaemonConfig.devmapperOthers[key] {
                let s = text ?? (m.value.boolValue.map { $0 ? "true" : "false" }) ?? m.value.numberValue?.text
                guard let s else { d.error(p, at: m.value, typeMismatch("a string (as in daemon.json's \"\(key)=...\")", m.value)); continue }
                switch check {
                case .text: break
                case .bool:
                    if DockerDaemonConfig.parseBool(s) == nil { d.error(p, at: m.value, "dockerd refuses it: strconv.ParseBool: parsing \(JSONValue.quote(s)): invalid syntax"); continue }
                case .filesystem:
                    if s != "ext4" && s != "xfs" { d.error(p, at: m.value, "devmapper: Unsupported filesystem \(s) (dockerd takes ext4 or xfs)"); continue }
                case .logLevel:
                    guard let n = Int(s), (2...7).contains(n) else { d.error(p, at: m.value, "dm.libdm_log_level must be in range [2,7] (dockerd refuses \(JSONValue.quote(s)))"); continue }
                }
                if key == "dm.thinpooldev" || key == "dm.directlvm_device", direct == nil { direct = (m.key, m.value) }
                accepted.append(key)
            } else {
                let all = (DockerDaemonConfig.devmapperModelled.union(DockerDaemonConfig.devmapperOthers.keys)).sorted()
                d.error(p, location: m.keyLocation ?? m.value.location, "devmapper: Unknown option \(key) (dockerd refuses to start)\(Suggest.didYouMean(key, among: all))")
            }
        }
        // enableDeferredRemovalDeletion (deviceset.go@v18.09.0, the same from 17.09 to 20.10)
        let byDefault = release >= .v17_09
        let removal = deferred["dm.use_deferred_removal"]?.0 ?? byDefault
        if deferred["dm.use_deferred_deletion"]?.0 ?? byDefault, !removal, let at = deferred["dm.use_deferred_deletion"] ?? deferred["dm.use_deferred_removal"] {
            d.error(at.1, location: at.2.keyLocation ?? at.2.value.location, "devmapper: Deferred deletion can not be enabled as deferred removal is not enabled. Enable deferred removal using --storage-opt dm.use_deferred_removal=true parameter (dockerd \(release.name) refuses to start\(deferred["dm.use_deferred_deletion"] == nil ? "; from 17.09 deferred deletion is on by default, so turning deferred removal off needs dm.use_deferred_deletion=false too" : ""))")
        }
        if !accepted.isEmpty {
            d.warning(path, at: v, "devicemapper options accepted by dockerd, not modelled: \(accepted.joined(separator: ", "))")
        }
        return (JSONValue(.object(kept), location: v.location), direct)
    }

    /// `flagsFrom` of a storage host group: dockerd's command line as deployed (a systemd
    /// `ExecStart`, `$OPTIONS $DOCKER_STORAGE_OPTIONS` from /etc/sysconfig/docker and
    /// /etc/sysconfig/docker-storage, which docker-storage-setup writes) read as pflag reads it.
    static func dockerdFlags(_ v: JSONValue, path: String, release: DockerRelease, _ d: Diagnostics) -> [(String, DockerDaemonConfig.Given)]? {
        let kinds = ["commandLine", "environmentFile"]
        let expected = "a list of deployed sources: {\"commandLine\": \"/usr/bin/dockerd --storage-driver devicemapper ...\"} or {\"environmentFile\": \"path\"}"
        guard let (command, _) = deployedCommand(v, path: path, program: "dockerd", kinds: kinds, environmentSyntax: .systemd, expected: expected, d) else { return nil }
        // the program (`/usr/bin/dockerd`, `dockerd-current`, docker 1.x's `docker daemon`) up to the first flag
        let all = command?.words ?? []
        let program = Array(all.prefix { !$0.word.hasPrefix("-") })
        let words = Array(all.dropFirst(program.count))
        let commandPath = command?.path ?? path
        // docker 1.x's `docker daemon` (the CLI exec'd dockerd with the flags from 1.12 on; deprecated in
        // 1.13, removed from the CLI in 17.12: docker/cli c6a3199 "Remove deprecated daemon subcommand")
        if let i = program.firstIndex(where: { w in
            let base = w.word.split(separator: "/").last.map(String.init) ?? w.word
            return base.hasPrefix("docker") && !base.hasPrefix("dockerd")
        }), i + 1 < program.count, program[i + 1].word == "daemon" {
            if release >= .v17_12 {
                d.error(commandPath, location: program[i + 1].location ?? v.location, "docker: 'daemon' is not a docker command: the docker CLI of 17.12 and later has no `daemon` subcommand (deprecated in 1.13; run dockerd); storage.dockerVersion is \(release.name)")
                return nil
            }
            d.warning(commandPath, at: command?.value ?? v, "`docker daemon` is deprecated (1.13) and removed from the CLI in 17.12; docker \(release.name) runs dockerd with these flags")
        }
        switch DockerDaemonConfig.parseFlags(words, release: release) {
        case .failure(let f): d.error(commandPath, location: f.location ?? v.location, "dockerd: \(f.message)"); return nil
        case .success(let x): return x
        }
    }

    /// `daemonConfig`: a daemon.json (a path relative to the scenario, or the object inline) read
    /// as dockerd 18.09 reads it; returns the host group object with the modelled keys added
    /// (the group's own keys win), nil after an error.
    static func withDaemonConfig(_ v: JSONValue, path: String, release: DockerRelease = .modelled, _ d: Diagnostics) -> JSONValue? {
        guard let own = v.objectMembers else { return v }
        let fv = v["flagsFrom"].flatMap { $0.isNull ? nil : $0 }
        let dv0 = v["daemonConfig"].flatMap { $0.isNull ? nil : $0 }
        if fv == nil && dv0 == nil { return v }
        // dockerd's command line (flagsFrom), read as pflag reads it
        var flags: [(String, DockerDaemonConfig.Given)] = []
        let fp = JSONPath.key(path, "flagsFrom")
        if let fv {
            guard let f = dockerdFlags(fv, path: fp, release: release, d) else { return nil }
            flags = f
        }
        let p = JSONPath.key(path, "daemonConfig")
        let dv = dv0 ?? JSONValue(.object([]))
        var config = dv
        var file = "daemon.json"
        if let rel = dv.stringValue {
            guard let base = d.baseDirectory else { d.error(p, at: dv, "a daemon.json file can only be read from a scenario file (its folder is where the path starts); give the object inline"); return nil }
            guard let text = readSideFile(rel, kind: "daemon.json", base: base, maxBytes: IncludeLimits.maxTotalBytes, path: p, at: dv, d) else { return nil }
            let parsed = JSONParser.parse(text, file: rel)
            for e in parsed.errors { d.append(ScenarioError(path: "", file: rel, line: e.line, column: e.column, message: "\(e.message) (dockerd: unable to configure the Docker daemon with file \(rel))")) }
            guard parsed.errors.isEmpty, let c = parsed.value else { return nil }
            config = c
            file = rel
        }
        guard let members = config.objectMembers else { d.error(p, at: config, typeMismatch("daemon.json's object (a path to the file, or the object)", config)); return nil }
        // configValuesSet: nested objects but the flat options are read as their keys
        var keys: [(String, JSONValue, SourceLocation?)] = []
        var flattenedFrom: [String: String] = [:]
        for m in members {
            if let inner = m.value.objectMembers, !DockerDaemonConfig.isFlat(m.key, at: release) {
                keys += inner.map { ($0.key, $0.value, $0.keyLocation) }
                for i in inner { flattenedFrom[i.key] = m.key }
            } else { keys.append((m.key, m.value, m.keyLocation)) }
        }
        let unknown = keys.filter { !DockerDaemonConfig.isKey($0.0, at: release) }
        if let first = unknown.first {
            let names = unknown.map(\.0)
            // a key of another release: say which (storage.dockerVersion selects the release read)
            let other = names.compactMap { n -> String? in
                if let parent = flattenedFrom[n], DockerDaemonConfig.flatOptions.contains(parent) {
                    return "\(parent) is read whole from dockerd 18.09; before, its object's keys are read as directives"
                }
                return DockerDaemonConfig.releaseAdding(n, after: release).map { "\(n) came in dockerd \($0.name)" }
                    ?? (DockerDaemonConfig.knownKeys.contains(n) ? "\(n) is not in dockerd \(release.name)" : nil)
            }
            let note = other.isEmpty ? Suggest.didYouMean(names[0], among: DockerDaemonConfig.knownKeys.filter { DockerDaemonConfig.isKey($0, at: release) }.sorted())
                : " (\(other.joined(separator: "; ")); storage.dockerVersion is \(release.name))"
            d.error(p, location: first.2 ?? first.1.location,
                    "unable to configure the Docker daemon with file \(file): the following directives don't match any configuration option: \(names.joined(separator: ", "))\(note)")
            return nil
        }
        if members.contains(where: { $0.key == "graph" }) && members.contains(where: { $0.key == "data-root" }) {
            d.error(p, at: config, "cannot specify both \"graph\" and \"data-root\" config file options (dockerd refuses \(file))"); return nil
        }
        // a directive both on the command line and in the file: dockerd's error (findConfigurationConflicts)
        var conflicts: [String] = []
        for (flag, g) in flags {
            let fileName = DockerDaemonConfig.flagOfFileName.first { $0.value == flag }?.key ?? flag
            if fileName != "runtimes", let fileValue = keys.first(where: { $0.0 == fileName || $0.0 == flag }) {
                conflicts.append("\(fileValue.0): (from flag: \(g.values.count == 1 ? g.values[0] : "[" + g.values.joined(separator: " ") + "]"), from file: \(fileValue.1.brief))")
            }
        }
        if !conflicts.isEmpty {
            d.error(fp, at: fv, "unable to configure the Docker daemon with file \(file): the following directives are specified both as a flag and in the configuration file: \(conflicts.joined(separator: ", "))"); return nil
        }
        // the command line's directives under their daemon.json names
        for (flag, g) in flags {
            let value: JSONValue
            switch flag {
            case "storage-opt": keys.append(("storage-opts", JSONValue(.array(g.values.map { JSONValue(.string($0), location: g.location) }), location: g.location), g.location)); continue
            case "log-opt":
                // opts.MapOpts.Set: key=value, a value without "=" is a key with an empty value
                var members: [JSONMember] = []
                for s in g.values {
                    let k = String(s.prefix { $0 != "=" }), val = s.contains("=") ? String(s.drop { $0 != "=" }.dropFirst()) : ""
                    members.removeAll { $0.key == k }
                    members.append(JSONMember(key: k, keyLocation: g.location, value: JSONValue(.string(val), location: g.location)))
                }
                keys.append(("log-opts", JSONValue(.object(members), location: g.location), g.location)); continue
            case "max-concurrent-downloads", "max-download-attempts": value = JSONValue(.number(JSONNumber(text: g.values.last!, double: Double(g.values.last!) ?? 0)), location: g.location)
            default: value = JSONValue(.string(g.values.last!), location: g.location)
            }
            keys.append((flag, value, g.location))
        }
        guard checkDaemonSettings(keys: keys, flags: flags, file: file, path: dv0 == nil ? fp : p, at: dv0 ?? fv ?? v, release: release, d) else { return nil }
        let ownKeys = Set(own.map(\.key))
        // the driver the group runs: its own `driver`, else daemon.json's, else devicemapper
        let driver = v["driver"]?.stringValue ?? keys.last(where: { $0.0 == "storage-driver" })?.1.stringValue ?? "devicemapper"
        var added: [JSONMember] = []
        var notModelled: [String] = []
        for (name, value, loc) in keys {
            guard let target = DockerDaemonConfig.modelled.first(where: { $0.daemon == name })?.key else { notModelled.append(name); continue }
            if ownKeys.contains(target) { continue }
            var x = value
            switch name {
            case "storage-opts":
                // ["dm.basesize=20G", ...]: dockerd's key=value list (parsers.ParseKeyValueOpt)
                guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                    d.error(p, at: value, "\(file): storage-opts is a list of strings like [\"dm.basesize=20G\"] (json: cannot unmarshal into Go struct field of type []string)"); return nil
                }
                var opts: [JSONMember] = []
                for e in list {
                    let s = e.stringValue!
                    guard let eq = s.firstIndex(of: "=") else { d.error(p, at: e, "\(file): storage-opts: Unable to parse key/value option: \(s)"); return nil }
                    let k = String(s[..<eq]).trimmingCharacters(in: .whitespaces), val = String(s[s.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
                    opts.removeAll { $0.key.lowercased() == k.lowercased() }
                    opts.append(JSONMember(key: k, keyLocation: e.location, value: JSONValue(.string(val), location: e.location)))
                }
                if driver == "overlay2" {
                    // overlay2's parseOptions@v18.09.0: overlay2.size is modelled (the layers'
                    // quota), override_kernel_check is not; another option is its error
                    for o in opts {
                        let k = o.key.lowercased()
                        if !DockerDaemonConfig.overlay2Options.contains(k) { d.error(p, at: o.value, "\(file): overlay2: unknown option \(k) (dockerd refuses to start)"); return nil }
                        if k != "overlay2.size" { notModelled.append("storage-opts \(k)") }
                    }
                    opts.removeAll { $0.key.lowercased() != "overlay2.size" }
                    if opts.isEmpty { continue }
                }
                x = JSONValue(.object(opts), location: value.location)
            case "max-concurrent-downloads", "max-download-attempts":
                guard value.numberValue != nil else { d.error(p, at: value, "\(file): json: cannot unmarshal \(value.typeName) into Go struct field Config.\(name) of type int"); return nil }
            default: break
            }
            added.append(JSONMember(key: target, keyLocation: loc, value: x))
        }
        if !notModelled.isEmpty {
            let source = dv0 == nil ? "dockerd's command line" : flags.isEmpty ? file : "\(file) and dockerd's command line"
            d.warning(dv0 == nil ? fp : p, at: dv0 ?? fv, "\(source): accepted by dockerd, not modelled: \(notModelled.joined(separator: ", "))")
        }
        let rest = own.filter { $0.key != "daemonConfig" && $0.key != "flagsFrom" }
        return JSONValue(.object(added + rest), location: v.location)
    }
}

extension ScenarioSchema {
    /// What dockerd checks of the unmodelled settings before it serves (moby/moby at the release's
    /// tag): `metrics-addr` needs `experimental` until 20.10 (cmd/dockerd/daemon.go); 20.10's
    /// `ip6tables` needs it too (daemon/daemon_unix.go verifyDaemonSettings); the registry service's
    /// mirrors and insecure registries (registry/config.go newServiceConfig: LoadMirrors,
    /// LoadInsecureRegistries). False after an error.
    static func checkDaemonSettings(keys: [(String, JSONValue, SourceLocation?)], flags: [(String, DockerDaemonConfig.Given)], file: String,
                                    path: String, at v: JSONValue, release: DockerRelease, _ d: Diagnostics) -> Bool {
        func truth(_ name: String) -> Bool {
            if let g = flags.first(where: { $0.0 == name }) { return DockerDaemonConfig.parseBool(g.1.values.last ?? "") ?? false }
            if let k = keys.last(where: { $0.0 == name }) { return k.1.boolValue ?? false }
            return false
        }
        func text(_ name: String) -> (String, SourceLocation?)? {
            if let g = flags.first(where: { $0.0 == name }) { return (g.1.values.last ?? "", g.1.location) }
            if let k = keys.last(where: { $0.0 == name }) { return (k.1.stringValue ?? "", k.2 ?? k.1.location) }
            return nil
        }
        let experimental = truth("experimental")
        if release < .v20_10, let (addr, loc) = text("metrics-addr"), !addr.isEmpty, !experimental {
            d.error(path, location: loc ?? v.location, "metrics-addr is only supported when experimental is enabled (dockerd \(release.name) refuses to start; 20.10 made it stable; storage.dockerVersion is \(release.name))")
            return false
        }
        if release >= .v20_10, truth("ip6tables"), !experimental {
            d.error(path, location: text("ip6tables")?.1 ?? v.location, "ip6tables rules are only available if experimental features are enabled (dockerd 20.10 refuses to start)")
            return false
        }
        // the registry lists: daemon.json's arrays of strings and the repeated flags
        func list(_ fileName: String, _ flag: String) -> [(String, SourceLocation?)]? {
            var out: [(String, SourceLocation?)] = []
            if let k = keys.last(where: { $0.0 == fileName }) {
                guard let a = k.1.arrayValue, a.allSatisfy({ $0.stringValue != nil }) else {
                    d.error(path, location: k.2 ?? k.1.location, "\(file): json: cannot unmarshal \(k.1.typeName) into Go struct field Config.\(fileName) of type []string")
                    return nil
                }
                out += a.map { ($0.stringValue!, $0.location ?? k.2) }
            }
            if let g = flags.first(where: { $0.0 == flag }) { out += g.1.values.map { ($0, g.1.location) } }
            return out
        }
        guard let mirrors = list("registry-mirrors", "registry-mirror"), let insecure = list("insecure-registries", "insecure-registry") else { return false }
        for (m, loc) in mirrors {
            if let why = DockerRegistryNames.mirrorProblem(m, release: release) {
                d.error(path, location: loc ?? v.location, "\(why) (dockerd refuses to start: registry.ValidateMirror)")
                return false
            }
        }
        if release >= .v17_06 {
            for (r, loc) in insecure {
                if let why = DockerRegistryNames.insecureRegistryProblem(r) {
                    d.error(path, location: loc ?? v.location, "\(why) (dockerd refuses to start: registry LoadInsecureRegistries)")
                    return false
                }
            }
        }
        return true
    }
}

/// The registry service's checks of its names (moby/moby@v18.09.0 registry/config.go).
enum DockerRegistryNames {
    /// ValidateMirror: an http or https URL (Go's url.Parse: the scheme lower-cased) with no path
    /// but "/", no query, fragment or user; 17.03's words and rule (no path at all) before 17.06.
    static func mirrorProblem(_ val: String, release: DockerRelease) -> String? {
        var scheme = ""
        var rest = Substring(val)
        if let r = val.range(of: ":"), val[..<r.lowerBound].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }),
           let first = val.first, first.isLetter {
            scheme = val[..<r.lowerBound].lowercased()
            rest = val[r.upperBound...]
        }
        guard scheme == "http" || scheme == "https" else {
            return release >= .v17_06 ? "invalid mirror: unsupported scheme \(JSONValue.quote(scheme)) in \(JSONValue.quote(val))" : "Unsupported scheme \(scheme)"
        }
        var hostAndPath = rest.hasPrefix("//") ? rest.dropFirst(2) : rest
        var query = false, fragment = false
        if let h = hostAndPath.firstIndex(of: "#") { fragment = true; hostAndPath = hostAndPath[..<h] }
        if let q = hostAndPath.firstIndex(of: "?") { query = !hostAndPath[hostAndPath.index(after: q)...].isEmpty; hostAndPath = hostAndPath[..<q] }
        let authorityEnd = rest.hasPrefix("//") ? (hostAndPath.firstIndex(of: "/") ?? hostAndPath.endIndex) : hostAndPath.startIndex
        let pathPart = hostAndPath[authorityEnd...]
        let authority = hostAndPath[..<authorityEnd]
        if release < .v17_06 {
            if !pathPart.isEmpty || query || fragment { return "Unsupported path/query/fragment at end of the URI" }
            return nil
        }
        if (!pathPart.isEmpty && pathPart != "/") || query || fragment {
            return "invalid mirror: path, query, or fragment at end of the URI \(JSONValue.quote(val))"
        }
        if authority.contains("@") { return "invalid mirror: username/password not allowed in URI \(JSONValue.quote(val))" }
        return nil
    }

    /// LoadInsecureRegistries: ValidateIndexName (no leading or trailing hyphen); an http:// or
    /// https:// prefix is dropped (with dockerd's warning); another scheme is an error; then a CIDR
    /// or host[:port] (reference.DomainRegexp, or an IP address, and a port 0-65535).
    static func insecureRegistryProblem(_ val: String) -> String? {
        var r = val == "index.docker.io" ? "docker.io" : val
        if r.hasPrefix("-") || r.hasSuffix("-") { return "invalid index name (\(r)). Cannot begin or end with a hyphen" }
        if r.lowercased().hasPrefix("http://") { r = String(r.dropFirst(7)) }
        else if r.lowercased().hasPrefix("https://") { r = String(r.dropFirst(8)) }
        else if r.contains("://") { return "insecure registry \(r) should not contain '://'" }
        if isCIDR(r) { return nil }
        // net.SplitHostPort, else the whole as the host
        var host = r, port = ""
        if r.hasPrefix("["), let close = r.firstIndex(of: "]") {
            let after = r[r.index(after: close)...]
            if after.hasPrefix(":") { host = String(r[r.index(after: r.startIndex)..<close]); port = String(after.dropFirst()) }
        } else if r.filter({ $0 == ":" }).count == 1, let c = r.firstIndex(of: ":") {
            host = String(r[..<c]); port = String(r[r.index(after: c)...])
        }
        if !isDomain(r) && !isIP(host) { return "insecure registry \(r) is not valid: invalid host \(JSONValue.quote(host))" }
        if !port.isEmpty {
            guard let n = Int(port) else { return "insecure registry \(r) is not valid: strconv.Atoi: parsing \(JSONValue.quote(port)): invalid syntax" }
            if n < 0 || n > 65535 { return "insecure registry \(r) is not valid: invalid port \(JSONValue.quote(port))" }
        }
        return nil
    }

    /// reference.DomainRegexp: dot-separated components of letters, digits and inner hyphens, an optional :port.
    static func isDomain(_ s: String) -> Bool {
        var name = Substring(s)
        if let c = s.lastIndex(of: ":") {
            let port = s[s.index(after: c)...]
            guard !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            name = s[..<c]
        }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy { p in
            !p.isEmpty && p.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } && p.first != "-" && p.last != "-"
        }
    }
    static func isIP(_ s: String) -> Bool {
        let four = s.split(separator: ".", omittingEmptySubsequences: false)
        if four.count == 4 && four.allSatisfy({ p in !p.isEmpty && p.count <= 3 && p.allSatisfy { $0.isASCII && $0.isNumber } && Int(p)! <= 255 }) { return true }
        return s.contains(":") && s.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } && s.filter({ $0 == ":" }).count >= 2
    }
    static func isCIDR(_ s: String) -> Bool {
        guard let slash = s.firstIndex(of: "/") else { return false }
        let ip = String(s[..<slash]), bits = s[s.index(after: slash)...]
        guard isIP(ip), !bits.isEmpty, bits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(bits) else { return false }
        return n <= (ip.contains(":") ? 128 : 32)
    }
}
