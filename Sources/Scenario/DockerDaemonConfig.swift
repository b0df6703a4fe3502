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

enum DockerDaemonConfig {
    /// dockerd 18.09's flags (long and short names) and named options (cmd/dockerd/config.go,
    /// config_unix.go, config_common_unix.go, options.go, docker.go; registry and TLS options),
    /// plus `skipValidateOptions` (features, builder): what daemon.json may name.
    static let knownKeys: Set<String> = [
        "storage-opts", "storage-opt", "authorization-plugins", "authorization-plugin", "exec-opts", "exec-opt", "pidfile", "p",
        "graph", "g", "exec-root", "containerd", "cri-containerd", "data-root", "restart", "r", "storage-driver", "s", "mtu",
        "raw-logs", "dns", "dns-opts", "dns-opt", "dns-search", "labels", "label", "log-driver", "log-opts", "log-opt",
        "cluster-advertise", "cluster-store", "cluster-store-opts", "cluster-store-opt", "api-cors-header",
        "max-concurrent-downloads", "max-concurrent-uploads", "shutdown-timeout", "network-diagnostic-port",
        "swarm-default-advertise-addr", "experimental", "metrics-addr", "node-generic-resources", "node-generic-resource",
        "network-control-plane-mtu", "deprecated-key-path", "allow-nondistributable-artifacts", "registry-mirrors",
        "registry-mirror", "insecure-registries", "insecure-registry", "disable-legacy-registry", "selinux-enabled",
        "default-ulimits", "default-ulimit", "iptables", "ip-forward", "ip-masq", "ipv6", "fixed-cidr-v6", "userland-proxy",
        "userland-proxy-path", "cgroup-parent", "userns-remap", "live-restore", "oom-score-adjust", "init", "init-path",
        "cpu-rt-period", "cpu-rt-runtime", "seccomp-profile", "default-shm-size", "no-new-privileges", "default-ipc-mode",
        "default-address-pools", "default-address-pool", "group", "G", "bip", "bridge", "b", "fixed-cidr", "default-gateway",
        "default-gateway-v6", "icc", "ip", "runtimes", "add-runtime", "default-runtime", "debug", "D", "log-level", "l", "tls",
        "tlsverify", "tlscacert", "tlscert", "tlskey", "host", "H", "hosts", "version", "v", "config-file", "features", "builder",
    ]
    /// daemon/config/config.go `flatOptions`: objects read whole (others are flattened into their keys).
    static let flatOptions: Set<String> = ["cluster-store-opts", "log-opts", "runtimes", "default-ulimits", "features", "builder"]

    /// The modelled keys and the host group key each becomes.
    static let modelled: [(daemon: String, key: String)] = [
        ("storage-driver", "driver"), ("storage-opts", "storageOpts"), ("log-driver", "log-driver"), ("log-opts", "log-opts"),
        ("max-concurrent-downloads", "maxConcurrentDownloads"),
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
        "tlsverify", "version",
    ]
    static let intFlags: Set<String> = ["mtu", "max-concurrent-downloads", "max-concurrent-uploads", "shutdown-timeout",
                                        "network-diagnostic-port", "network-control-plane-mtu", "oom-score-adjust"]
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
    static func parseFlags(_ words: [(word: String, location: SourceLocation?)]) -> Result<[(String, Given)], ArgparseFailure> {
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
                guard knownKeys.contains(name), !fileOnly.contains(name), name.count > 1 else {
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
    static func sortStorageOpts(_ v: JSONValue, path: String, _ d: Diagnostics) -> (JSONValue, directLVM: (String, JSONValue)?) {
        guard let members = v.objectMembers else { return (v, nil) }
        var kept: [JSONMember] = []
        var accepted: [String] = []
        var direct: (String, JSONValue)? = nil
        let sizes: Set<String> = ["dm.basesize", "dm.loopdatasize", "dm.loopmetadatasize", "dm.blocksize"]
        for m in members {
            let key = m.key.lowercased()
            let p = JSONPath.key(path, m.key)
            let text = m.value.stringValue
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
        if !accepted.isEmpty {
            d.warning(path, at: v, "devicemapper options accepted by dockerd, not modelled: \(accepted.joined(separator: ", "))")
        }
        return (JSONValue(.object(kept), location: v.location), direct)
    }

    /// `flagsFrom` of a storage host group: dockerd's command line as deployed (a systemd
    /// `ExecStart`, `$OPTIONS $DOCKER_STORAGE_OPTIONS` from /etc/sysconfig/docker and
    /// /etc/sysconfig/docker-storage, which docker-storage-setup writes) read as pflag reads it.
    static func dockerdFlags(_ v: JSONValue, path: String, _ d: Diagnostics) -> [(String, DockerDaemonConfig.Given)]? {
        let kinds = ["commandLine", "environmentFile"]
        let expected = "a list of deployed sources: {\"commandLine\": \"/usr/bin/dockerd --storage-driver devicemapper ...\"} or {\"environmentFile\": \"path\"}"
        guard let (command, _) = deployedCommand(v, path: path, program: "dockerd", kinds: kinds, expected: expected, d) else { return nil }
        // the program (`/usr/bin/dockerd`, `dockerd-current`, docker 1.x's `docker daemon`) up to the first flag
        let words = Array((command?.words ?? []).drop { !$0.word.hasPrefix("-") })
        let commandPath = command?.path ?? path
        switch DockerDaemonConfig.parseFlags(words) {
        case .failure(let f): d.error(commandPath, location: f.location ?? v.location, "dockerd: \(f.message)"); return nil
        case .success(let x): return x
        }
    }

    /// `daemonConfig`: a daemon.json (a path relative to the scenario, or the object inline) read
    /// as dockerd 18.09 reads it; returns the host group object with the modelled keys added
    /// (the group's own keys win), nil after an error.
    static func withDaemonConfig(_ v: JSONValue, path: String, _ d: Diagnostics) -> JSONValue? {
        guard let own = v.objectMembers else { return v }
        let fv = v["flagsFrom"].flatMap { $0.isNull ? nil : $0 }
        let dv0 = v["daemonConfig"].flatMap { $0.isNull ? nil : $0 }
        if fv == nil && dv0 == nil { return v }
        // dockerd's command line (flagsFrom), read as pflag reads it
        var flags: [(String, DockerDaemonConfig.Given)] = []
        let fp = JSONPath.key(path, "flagsFrom")
        if let fv {
            guard let f = dockerdFlags(fv, path: fp, d) else { return nil }
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
        for m in members {
            if let inner = m.value.objectMembers, !DockerDaemonConfig.flatOptions.contains(m.key) {
                keys += inner.map { ($0.key, $0.value, $0.keyLocation) }
            } else { keys.append((m.key, m.value, m.keyLocation)) }
        }
        let unknown = keys.filter { !DockerDaemonConfig.knownKeys.contains($0.0) }
        if let first = unknown.first {
            let names = unknown.map(\.0)
            d.error(p, location: first.2 ?? first.1.location,
                    "unable to configure the Docker daemon with file \(file): the following directives don't match any configuration option: \(names.joined(separator: ", "))\(Suggest.didYouMean(names[0], among: DockerDaemonConfig.knownKeys.sorted()))")
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
            case "max-concurrent-downloads": value = JSONValue(.number(JSONNumber(text: g.values.last!, double: Double(g.values.last!) ?? 0)), location: g.location)
            default: value = JSONValue(.string(g.values.last!), location: g.location)
            }
            keys.append((flag, value, g.location))
        }
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
                    // overlay2's parseOptions@v18.09.0: its two options (not modelled), else its error
                    for o in opts {
                        let k = o.key.lowercased()
                        if DockerDaemonConfig.overlay2Options.contains(k) { notModelled.append("storage-opts \(k)") }
                        else { d.error(p, at: o.value, "\(file): overlay2: unknown option \(k) (dockerd refuses to start)"); return nil }
                    }
                    continue
                }
                x = JSONValue(.object(opts), location: value.location)
            case "max-concurrent-downloads":
                guard value.numberValue != nil else { d.error(p, at: value, "\(file): json: cannot unmarshal \(value.typeName) into Go struct field Config.max-concurrent-downloads of type int"); return nil }
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
