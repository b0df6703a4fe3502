import ClusterModel
import SimKernel

// The `storage` section (Docker storage drivers per host group, operator actions, Ceph) and the
// `logs` key of a Marathon behaviour block. Docker options are written as `--storage-opt` names
// (`dm.basesize`), Ceph options as in ceph.conf (`osd_heartbeat_grace`); see docs/storage.md.

extension ScenarioSchema {
    static let storageOptNames = ["dm.loopdatasize", "dm.loopmetadatasize", "dm.basesize", "dm.blocksize", "dm.min_free_space",
                                  "dm.blkdiscard", "dm.thinp_percent", "dm.thinp_metapercent", "dm.thinp_autoextend_threshold",
                                  "dm.thinp_autoextend_percent", "dm.xfs_nospace_max_retries"]

    static func decodeStorage(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool,
                              duration: SimDuration?, _ d: Diagnostics) -> StorageSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: storageKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        var out = StorageSpec()
        let groupNames = hostGroups.map(\.name)
        // the dockerd release whose daemon.json keys, flags and option parsers are read (DockerDaemonConfig.swift)
        let release = r.optional("dockerVersion", .oneOf(DockerRelease.allCases.map(\.name), what: "dockerd release"),
                                 default: DockerRelease.modelled.name).flatMap(DockerRelease.init(name:)) ?? .modelled
        if let hv = r.value("hostGroups") {
            if let a = hv.arrayValue {
                for (i, e) in a.enumerated() {
                    let p = JSONPath.index(r.keyPath("hostGroups"), i)
                    if let s = decodeHostStorage(e, path: p, hostGroups: hostGroups, complete: hostGroupsComplete, release: release, d) {
                        if out.hostGroups.contains(where: { $0.hostGroup == s.hostGroup }) {
                            d.error(JSONPath.key(p, "hostGroup"), at: e["hostGroup"], "storage for host group \(JSONValue.quote(s.hostGroup)) is given twice")
                        } else { out.hostGroups.append(s) }
                    }
                }
            } else { d.error(r.keyPath("hostGroups"), at: hv, typeMismatch("an array of host storage blocks, like [{\"hostGroup\": \"slave\", \"driver\": \"devicemapper\"}]", hv)) }
        }
        if let ov = r.value("operator") {
            if let a = ov.arrayValue {
                for (i, e) in a.enumerated() {
                    if let x = decodeOperator(e, path: JSONPath.index(r.keyPath("operator"), i), groups: groupNames, hostGroups: hostGroups,
                                              complete: hostGroupsComplete, duration: duration, d) { out.operatorActions.append(x) }
                }
            } else { d.error(r.keyPath("operator"), at: ov, typeMismatch("an array of operator actions", ov)) }
        }
        if let cv = r.value("ceph") { out.ceph = decodeCeph(cv, path: r.keyPath("ceph"), groups: groupNames, complete: hostGroupsComplete, d) }
        r.finish()
        return d.errorCount == before ? out : nil
    }

    static func decodeHostStorage(_ v0: JSONValue, path: String, hostGroups: [HostGroupSpec], complete: Bool,
                                  release: DockerRelease = .modelled, _ d: Diagnostics) -> HostStorageSpec? {
        // daemon.json as deployed (DockerDaemonConfig.swift): its modelled keys join the group's
        guard let v = withDaemonConfig(v0, path: path, release: release, d) else { return nil }
        let r = ObjectReader(v, path: path, diagnostics: d, keys: hostStorageKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let names = hostGroups.map(\.name)
        let gname = r.required("hostGroup", .nonEmptyString, hint: "the host group whose Docker storage this is")
        var group: HostGroupSpec? = nil
        if let g = gname {
            group = hostGroups.first { $0.name == g }
            if group == nil && complete {
                d.error(r.keyPath("hostGroup"), at: r.value["hostGroup"], "unknown host group \(JSONValue.quote(g))\(Suggest.didYouMean(g, among: names)); host groups: \(Suggest.listed(names))")
            }
        }
        // dockerd's other Linux graph drivers (daemon/graphdriver/register): dockerd takes them, the model does not
        if let dv = r.value("driver"), let name = dv.stringValue, ["aufs", "btrfs", "overlay", "vfs", "zfs"].contains(name) {
            d.error(r.keyPath("driver"), at: dv, "dockerd \(release.name) has the \(name) storage driver, but the simulator models \"devicemapper\" and \"overlay2\" only")
            return nil
        }
        let driver = r.optional("driver", .oneOf(StorageDriverKind.allCases.map(\.rawValue), what: "storage driver"), default: "devicemapper")
            .flatMap(StorageDriverKind.init(rawValue:))
        var mode = DeviceMapperMode.loopLVM
        if driver == .devicemapper {
            if let m = r.optional("mode", .oneOf(DeviceMapperMode.allCases.map(\.rawValue), what: "devicemapper mode"), default: "loop-lvm") {
                mode = DeviceMapperMode(rawValue: m)!
            }
        } else {
            r.reject("mode", "\"mode\" (loop-lvm or direct-lvm) is for driver \"devicemapper\"")
        }
        let vg: Int64?
        if driver == .devicemapper && mode == .directLVM {
            vg = r.required("volumeGroup", .size(.positive), hint: "size of the block device given to dm.directlvm_device, like \"300GB\"")
        } else {
            r.reject("volumeGroup", "\"volumeGroup\" is for devicemapper mode \"direct-lvm\"")
            vg = 0
        }
        let rootFs = r.optional("rootFilesystem", .size(.positive))
        let rootUsed = r.optional("rootFilesystemUsed", .size(.nonNegative), default: 0)
        var opts = DeviceMapperOptions()
        var overlay2Size: Int64? = nil
        if let ov = r.value("storageOpts") {
            let op = r.keyPath("storageOpts")
            if driver == .overlay2 {
                overlay2Size = decodeOverlay2Opts(ov, path: op, release: release, d)
            } else if driver != .devicemapper {
                d.error(op, at: ov, "\"storageOpts\" are for drivers \"devicemapper\" and \"overlay2\"")
            } else {
                let (sorted, direct) = sortStorageOpts(ov, path: op, release: release, d)
                if let (k, dv) = direct, mode == .loopLVM {
                    d.error(JSONPath.key(op, k), at: dv, "\(k) makes dockerd use a thin pool on a block device, devicemapper's direct-lvm; give \"mode\": \"direct-lvm\" with the size of its volume group (\"volumeGroup\")")
                }
                decodeStorageOpts(sorted, path: op, mode: mode, into: &opts, d)
            }
        }
        if let t = r.optional("noSpaceTimeout", .duration(.nonNegative)) { opts.noSpaceTimeout = t }
        let extract = r.optional("layerExtractRate", .rate(.positive)).map { Double($0) / 8 }
        let downloads = r.optional("maxConcurrentDownloads", .int(min: 1, max: 1024), default: 3)
        // dockerd's layer download attempts (distribution/xfer/download.go): 5 in all up to 19.03;
        // 20.10's --max-download-attempts N (default 5) gives 1 + N (`retries > maxDownloadAttempts`)
        var attempts = release < .v20_10 ? 5 : 6
        if let av = r.value("maxDownloadAttempts") {
            let ap = r.keyPath("maxDownloadAttempts")
            if release < .v20_10 {
                d.error(ap, at: av, "dockerd \(release.name) has no max-download-attempts (it came in 20.10; storage.dockerVersion is \(release.name)): it tries a layer 5 times in all")
            } else if let n = av.numberValue?.double, n == n.rounded(), n >= -1e9, n <= 1e9 {
                if n <= 0 { d.error(ap, at: av, "invalid max download attempts: \(Int(n)) (dockerd refuses to start; 1 or more)") }
                else if n > 1000 { d.error(ap, at: av, "expected 1 to 1000 retries, got \(Int(n))") }
                else { attempts = Int(n) + 1 }
            } else {
                d.error(ap, at: av, "expected a whole number of retries from 1 to 1000 (dockerd's --max-download-attempts), got \(av.brief)")
            }
        }
        let logOptions = decodeDaemonLogConfig(r, release: release, d)
        r.finish()
        guard d.errorCount == before, let gname, let driver, let rootUsed, let vg else { return nil }
        let disk = group?.diskBytes ?? Int64.max
        var root = rootFs ?? (disk == Int64.max ? 0 : disk - vg)
        if let g = group {
            if vg >= g.diskBytes {
                d.error(JSONPath.key(path, "volumeGroup"), at: r.value["volumeGroup"], "the thin pool's volume group (\(vg) bytes) is larger than the disk of host group \(JSONValue.quote(g.name)) (\(g.diskBytes) bytes); it must leave room for the root filesystem")
            } else if let rf = rootFs, rf + vg > g.diskBytes {
                d.error(JSONPath.key(path, "rootFilesystem"), at: r.value["rootFilesystem"], "rootFilesystem (\(rf) bytes)\(vg > 0 ? " plus the volume group (\(vg) bytes)" : "") is larger than the disk of host group \(JSONValue.quote(g.name)) (\(g.diskBytes) bytes)")
            }
            if d.errorCount == before && rootUsed >= root {
                d.error(JSONPath.key(path, "rootFilesystemUsed"), at: r.value["rootFilesystemUsed"], "rootFilesystemUsed (\(rootUsed) bytes) must be less than the root filesystem (\(root) bytes)")
            }
            if driver == .devicemapper && mode == .loopLVM && opts.loopDataSize > root - rootUsed {
                d.warning(JSONPath.key(path, "storageOpts"), at: r.value["storageOpts"], "the sparse loop data file (dm.loopdatasize \(opts.loopDataSize) bytes) is larger than the free root filesystem (\(root - rootUsed) bytes): the host filesystem can fill before the pool does")
            }
        } else { root = max(root, 1) }
        guard d.errorCount == before else { return nil }
        return HostStorageSpec(hostGroup: gname, driver: driver, mode: mode, rootFilesystemBytes: root, rootFilesystemUsedBytes: rootUsed,
                               volumeGroupBytes: vg, options: opts, layerExtractBytesPerSecond: extract,
                               maxConcurrentDownloads: downloads, logOptions: logOptions,
                               overlay2Size: overlay2Size, downloadAttempts: attempts)
    }

    /// overlay2's options (moby/moby@v18.09.0 daemon/graphdriver/overlay2/overlay.go `parseOptions`):
    /// `overlay2.size` (go-units RAMInBytes; the writable layers' xfs project quota, 0 none) and
    /// `overlay2.override_kernel_check` (ParseBool; not modelled); any other is dockerd's error.
    static func decodeOverlay2Opts(_ v: JSONValue, path: String, release: DockerRelease, _ d: Diagnostics) -> Int64? {
        guard let members = v.objectMembers else {
            d.error(path, at: v, typeMismatch("an object of overlay2 options, like {\"overlay2.size\": \"20G\"}", v)); return nil
        }
        var size: Int64? = nil
        for m in members {
            let key = m.key.lowercased(), p = JSONPath.key(path, m.key)
            if !DockerDaemonConfig.hasOption(key, at: release), let since = DockerDaemonConfig.optionSince[key] {
                d.error(p, location: m.keyLocation ?? m.value.location, "overlay2: unknown option \(key) (dockerd \(release.name) refuses to start; the option came in \(since.name); storage.dockerVersion is \(release.name))")
                continue
            }
            let text = m.value.stringValue ?? m.value.numberValue?.text ?? m.value.boolValue.map { $0 ? "true" : "false" }
            guard let s = text else { d.error(p, at: m.value, typeMismatch("a string (as in daemon.json's \"\(key)=...\")", m.value)); continue }
            switch key {
            case "overlay2.size":
                switch DockerLogging.parseSize(s, binary: true) {
                case .success(let n): size = n
                case .failure(let e): d.error(p, at: m.value, "dockerd refuses it: \(e.message) (overlay2.size is read by go-units RAMInBytes: \"20G\" and \"20GB\" are 20 GiB)")
                }
            case "overlay2.override_kernel_check":
                if DockerDaemonConfig.parseBool(s) == nil { d.error(p, at: m.value, "dockerd refuses it: strconv.ParseBool: parsing \(JSONValue.quote(s)): invalid syntax") }
                else { d.warning(p, at: m.value, "accepted by dockerd, not modelled: overlay2.override_kernel_check") }
            default:
                d.error(p, location: m.keyLocation ?? m.value.location, "overlay2: unknown option \(key) (dockerd refuses to start)\(Suggest.didYouMean(key, among: ["overlay2.override_kernel_check", "overlay2.size"]))")
            }
        }
        return size
    }

    /// daemon.json's `log-driver` and `log-opts` (a map of strings: dockerd refuses other JSON
    /// values), checked as dockerd does at its start (`setupDefaultLogConfig`: ValidateLogOpts) and
    /// as every container start would (the driver's `New`).
    static func decodeDaemonLogConfig(_ r: ObjectReader, release: DockerRelease = .modelled, _ d: Diagnostics) -> DockerLogOptions {
        var o = DockerLogOptions.daemonDefault
        o.rules = DockerLogRules.release(release.name) ?? .modelled   // that dockerd's logging code
        if let x = r.optional("log-driver", .nonEmptyString) { o.driver = x }
        if let ov = r.value("log-opts") {
            let p = r.keyPath("log-opts")
            if let members = ov.objectMembers {
                for m in members {
                    if let v = m.value.stringValue { o.opts.append((m.key, v)) }
                    else { d.error(JSONPath.key(p, m.key), at: m.value, "daemon.json's log-opts values are strings (\(JSONValue.quote(m.key)): \(JSONValue.quote(m.value.brief)), not \(m.value.brief)): dockerd refuses other JSON values (json: cannot unmarshal into Go value of type string)") }
                }
            } else { d.error(p, at: ov, typeMismatch("an object of strings, like {\"max-size\": \"10m\", \"max-file\": \"3\"}", ov)) }
        }
        let at = r.has("log-opts") ? r.keyPath("log-opts") : r.keyPath("log-driver")
        let value = r.value["log-opts"] ?? r.value["log-driver"]
        if let e = DockerLogging.validate(o) {
            d.error(at, at: value, "dockerd refuses to start: failed to set log opts: \(e)")
        } else if case .failure(let e) = DockerLogging.logFile(o) {
            d.error(at, at: value, "every container start would fail: failed to initialize logging driver: \(e.message)")
        }
        return o
    }

    /// The Docker apps' `log-driver` / `log-opt` parameters (`docker run --log-driver`, `--log-opt`,
    /// which Mesos passes as given): what `docker run` refuses is a warning (every launch fails), on
    /// every storage host group's daemon options (or dockerd's default without a `storage` section).
    static func checkDockerLogParameters(_ root: JSONValue, storage: StorageSpec?, _ d: Diagnostics) {
        let daemons: [(group: String?, options: DockerLogOptions)] = (storage?.hostGroups ?? []).isEmpty
            ? [(nil, .daemonDefault)] : storage!.hostGroups.map { ($0.hostGroup, $0.logOptions) }
        func app(_ v: JSONValue, _ path: String) {
            guard let c = v["container"], c["type"]?.stringValue ?? "DOCKER" == "DOCKER",
                  let params = c["docker"]?["parameters"]?.arrayValue else { return }
            let pp = JSONPath.key(JSONPath.key(JSONPath.key(path, "container"), "docker"), "parameters")
            var labels: [Label] = []
            var where_: [(index: Int, key: String, value: String)] = []
            for (i, e) in params.enumerated() {
                guard let k = e["key"]?.stringValue, k == "log-driver" || k == "log-opt" else { continue }
                let val = e["value"]?.stringValue ?? ""
                labels.append(Label(name: k, value: val))
                let kv = val.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                where_.append(k == "log-opt" ? (i, kv[0], kv.count > 1 ? kv[1] : "") : (i, k, val))
            }
            guard !labels.isEmpty else { return }
            let own = StorageModel.dockerLogOptions(labels)
            func locate(_ message: String) -> (String, JSONValue?) {
                // the parameter the message names: its key, else its value as Docker quotes it
                for w in where_ where message.contains("'\(w.key)'") || message.hasPrefix(w.key) || message.contains(" \(w.key) ") || message.contains("\(w.key):") {
                    return (JSONPath.index(pp, w.index), params[w.index])
                }
                for w in where_ where !w.value.isEmpty && (message.contains("'\(w.value)'") || message.contains("\"\(w.value)\"") || message.contains(": \(w.value)")) {
                    return (JSONPath.index(pp, w.index), params[w.index])
                }
                if let w = where_.first(where: { $0.key == "log-driver" }) { return (JSONPath.index(pp, w.index), params[w.index]) }
                return (pp, c["docker"]?["parameters"])
            }
            if let driver = own.driver, DockerLogging.isPluginReference(driver) {
                let (p, v) = locate("")
                d.warning(p, at: v, "log-driver \(JSONValue.quote(driver)) is a logging plugin, not one of dockerd's built-in drivers: the simulator takes it to be installed on the agents "
                          + "(docker plugin install), keeping no file under /var/lib/docker, its options unchecked; without it docker run refuses every launch "
                          + "(logger: no log driver named '\(driver)' is registered)")
            }
            // Marathon accepts any parameters and Mesos passes them on: the refusal comes from
            // `docker run` at every launch (MesosCluster `dockerRunRefusal`), so the app loads
            for (g, daemon) in daemons {
                guard let e = DockerLogging.runRefusal(own: own, daemon: daemon) else { continue }
                let on = g.map { " on host group \(JSONValue.quote($0)) (its daemon's log-opts merged in)" } ?? ""
                let (p, v) = locate(e.hasPrefix("invalid logging opts") ? "" : e)
                d.warning(p, at: v, "Marathon accepts the app, but docker run refuses it\(on): \(e): every launch of the app there fails "
                          + "(TASK_FAILED, REASON_CONTAINER_LAUNCH_FAILED) and Marathon relaunches it with its back-off"); return
            }
        }
        func group(_ v: JSONValue, _ path: String) {
            for (i, a) in (v["apps"]?.arrayValue ?? []).enumerated() where a.objectMembers != nil { app(a, JSONPath.index(JSONPath.key(path, "apps"), i)) }
            for (i, g) in (v["groups"]?.arrayValue ?? []).enumerated() where g.objectMembers != nil { group(g, JSONPath.index(JSONPath.key(path, "groups"), i)) }
        }
        if let m = root["marathon"] { group(m, "marathon") }
    }

    /// `--storage-opt` values: sizes as sizes, percentages as numbers or "10%" strings.
    static func decodeStorageOpts(_ v: JSONValue, path: String, mode: DeviceMapperMode, into o: inout DeviceMapperOptions, _ d: Diagnostics) {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: storageOptKeys)
        guard r.isObject else { return }
        let loopOnly = ["dm.loopdatasize", "dm.loopmetadatasize"]
        let directOnly = ["dm.thinp_percent", "dm.thinp_metapercent", "dm.thinp_autoextend_threshold", "dm.thinp_autoextend_percent"]
        for k in (mode == .loopLVM ? directOnly : loopOnly) {
            r.reject(k, "\(JSONValue.quote(k)) applies to devicemapper mode \(mode == .loopLVM ? "\"direct-lvm\"" : "\"loop-lvm\"") only")
        }
        let percent = ValueDecoder<Int> { v, p, d in
            var x: Double? = v.numberValue?.double
            if let s = v.stringValue { x = Double(s.hasSuffix("%") ? String(s.dropLast()) : s) }
            guard let y = x, y >= 0, y <= 100, y == y.rounded() else {
                d.error(p, at: v, "expected a whole percentage from 0 to 100 (like 10 or \"10%\"), got \(v.brief)"); return nil
            }
            return Int(y)
        }
        if mode == .loopLVM {
            if let x = r.optional("dm.loopdatasize", .size(.positive)) { o.loopDataSize = x }
            if let x = r.optional("dm.loopmetadatasize", .size(.positive)) { o.loopMetadataSize = x }
        }
        if let x = r.optional("dm.basesize", .size(.positive)) { o.baseSize = x }
        if let x = r.optional("dm.blocksize", .size(.positive)) {
            if x % (64 * KiB) != 0 || x > GiB {
                d.error(r.keyPath("dm.blocksize"), at: r.value["dm.blocksize"], "dm.blocksize must be a multiple of 64KiB between 64KiB and 1GiB (dm-thin data block size), got \(x) bytes")
            } else { o.blockSize = x }
        }
        if let x = r.optional("dm.min_free_space", percent) {
            if x == 100 { d.error(r.keyPath("dm.min_free_space"), at: r.value["dm.min_free_space"], "dm.min_free_space must be less than 100% (Docker refuses 100)") } else { o.minFreeSpacePercent = x }
        }
        if let x = r.optional("dm.blkdiscard", .bool) { o.blkdiscard = x }
        if mode == .directLVM {
            let tp = r.optional("dm.thinp_percent", percent), tm = r.optional("dm.thinp_metapercent", percent)
            if let tp { o.thinpPercent = tp }
            if let tm { o.thinpMetaPercent = tm }
            if o.thinpPercent + o.thinpMetaPercent > 100 {
                let k = tm != nil ? "dm.thinp_metapercent" : "dm.thinp_percent"
                d.error(r.keyPath(k), at: r.value[k], "dm.thinp_percent (\(o.thinpPercent)) + dm.thinp_metapercent (\(o.thinpMetaPercent)) is more than 100% of the volume group")
            }
            if o.thinpPercent == 0 { d.error(r.keyPath("dm.thinp_percent"), at: r.value["dm.thinp_percent"], "dm.thinp_percent must be greater than 0") }
            if let x = r.optional("dm.thinp_autoextend_threshold", percent) { o.autoextendThreshold = x }
            if let x = r.optional("dm.thinp_autoextend_percent", percent) { o.autoextendPercent = x }
        }
        if let x = r.optional("dm.xfs_nospace_max_retries", .int(min: 0)) { o.xfsNospaceMaxRetries = x }
        r.finish()
    }

    static func decodeOperator(_ v: JSONValue, path: String, groups: [String], hostGroups: [HostGroupSpec], complete: Bool,
                               duration: SimDuration?, _ d: Diagnostics) -> StorageOperatorAction? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: storageOperatorKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let actions = StorageOperatorAction.Action.allCases.map(\.rawValue)
        let action = r.required("action", .oneOf(actions, what: "operator action"), hint: actions.joined(separator: ", ")).flatMap(StorageOperatorAction.Action.init(rawValue:))
        let triggers = ["dockerHung", "belowMinFree", "poolFull"]
        var trigger: StorageOperatorAction.Trigger? = nil
        let hasAt = r.has("at"), hasOn = r.has("on")
        if hasAt && hasOn {
            r.reject("on", "give either \"at\" (a time) or \"on\" (an event on each host), not both")
            _ = r.value("at")
        } else if hasAt {
            let at = r.required("at", .duration(.nonNegative))
            if let at, let duration, at > duration {
                d.error(r.keyPath("at"), at: r.value["at"], "operator action at \(at) is after the end of the run (\(duration))")
            }
            let host = r.optional("host", .nonEmptyString), group = r.optional("hostGroup", .nonEmptyString)
            if let g = group, complete, !groups.contains(g) {
                d.error(r.keyPath("hostGroup"), at: r.value["hostGroup"], "unknown host group \(JSONValue.quote(g))\(Suggest.didYouMean(g, among: groups))")
            }
            if let h = host, complete {
                let all = hostGroups.flatMap { g in (0..<g.count).map { g.hostName($0) } }
                if !all.contains(h) { d.error(r.keyPath("host"), at: r.value["host"], "no host named \(JSONValue.quote(h))") }
            }
            if let at { trigger = .at(at, host: host, hostGroup: group) }
        } else if hasOn {
            if let on = r.required("on", .oneOf(triggers, what: "trigger")) {
                trigger = on == "dockerHung" ? .dockerHung : on == "belowMinFree" ? .belowMinFree : .poolFull
            }
            for k in ["host", "hostGroup"] { r.reject(k, "\(JSONValue.quote(k)) goes with \"at\"; \"on\" acts on each host where the event happens") }
        } else {
            d.error(r.keyPath("at"), at: v, "missing the trigger: give \"at\" (a time, with \"host\" or \"hostGroup\" or neither for every storage host) or \"on\" (one of \(triggers.map { JSONValue.quote($0) }.joined(separator: ", ")))")
        }
        let delay = r.optional("delay", .duration(.nonNegative), default: .zero)
        var size: Int64 = 0
        if action == .extendPool {
            size = r.required("size", .size(.positive), hint: "bytes added to the thin pool, like \"50GB\"") ?? 0
        } else { r.reject("size", "\"size\" goes with action \"extendPool\"") }
        r.finish()
        guard d.errorCount == before, let action, let trigger, let delay else { return nil }
        return StorageOperatorAction(action: action, trigger: trigger, delay: delay, size: size)
    }

    static func decodeCeph(_ v: JSONValue, path: String, groups: [String], complete: Bool, _ d: Diagnostics) -> CephSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: cephKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let g = r.required("osdHostGroup", .nonEmptyString, hint: "the host group running the OSDs")
        if let g, complete, !groups.contains(g) {
            d.error(r.keyPath("osdHostGroup"), at: r.value["osdHostGroup"], "unknown host group \(JSONValue.quote(g))\(Suggest.didYouMean(g, among: groups))")
        }
        var c = CephSpec(osdHostGroup: g ?? "")
        // ceph.conf as deployed (CephConfigFile.swift): what the OSDs and monitors start with, for
        // the options the model has; the section's own keys win
        var conf: CephConfigFile.Read? = nil
        if let cv = r.value("config"), !cv.isNull {
            guard let x = readCephConfig(cv, path: r.keyPath("config"), d) else { r.finish(); return nil }
            conf = x
        }
        if let x = r.optional("osdsPerHost", .int(min: 1, max: 64)) { c.osdsPerHost = x }
        if let x = r.optional("osdCapacity", .size(.positive)) { c.osdCapacityBytes = x }
        if let x = r.optional("osdBandwidth", .rate(.positive)) { c.osdBandwidthBytesPerSecond = Double(x) / 8 }
        if let x = r.optional("deviceClass", .oneOf(CephSpec.DeviceClass.allCases.map(\.rawValue), what: "device class")) { c.deviceClass = .init(rawValue: x)! }
        if let x = r.optional("stored", .size(.nonNegative)) { c.storedBytes = x }
        if let x = r.optional("size", .int(min: 1, max: 10)) { c.size = x }
        // Ceph's default: size - size/2 (config.h get_osd_pool_default_min_size with 0): 2 for 3, 1 for 2
        if let x = r.optional("min_size", .int(min: 1, max: 10)) { c.minSize = x } else { c.minSize = c.size - c.size / 2 }
        if c.minSize > c.size {
            d.error(r.keyPath("min_size"), at: r.value["min_size"] ?? r.value["size"], "min_size \(c.minSize) is greater than size \(c.size): a placement group could never accept I/O")
        }
        if let x = r.optional("objectSize", .size(.positive)) { c.objectBytes = x }
        if let x = r.optional("osd_heartbeat_interval", .duration(.positive)) { c.heartbeatInterval = x }
        if let x = r.optional("osd_heartbeat_grace", .duration(.positive)) { c.heartbeatGrace = x }
        if let x = r.optional("mon_osd_down_out_interval", .duration(.nonNegative)) { c.downOutInterval = x }
        if let x = r.optional("osd_max_backfills", .int(min: 1, max: 64)) { c.maxBackfills = x }
        if let x = r.optional("osd_recovery_max_active", .int(min: 1, max: 64)) { c.recoveryMaxActive = x }
        if let x = r.optional("osd_recovery_sleep", .duration(.nonNegative)) { c.recoverySleep = x }
        if let x = r.optional("clientLatency", .duration(.positive)) { c.clientLatency = x }
        if let x = r.optional("registry", .bool) { c.registry = x }
        if let x = r.optional("clientReadRate", .rate(.positive)) { c.clientReadBytesPerSecond = Double(x) / 8 }
        if let x = r.optional("clientWriteRate", .rate(.nonNegative)) { c.clientWriteBytesPerSecond = Double(x) / 8 }
        // the cluster flags: `ceph osd set <flag>` at <flag>Set, `ceph osd unset <flag>` at <flag>Unset
        for f in CephFlag.allCases {
            let set = f.rawValue + "Set", unset = f.rawValue + "Unset"
            if let x = r.optional(set, .duration(.nonNegative)) { c.flagSetAt[f] = x }
            if let x = r.optional(unset, .duration(.nonNegative)) {
                if let s = c.flagSetAt[f], x > s { c.flagUnsetAt[f] = x } else {
                    d.error(r.keyPath(unset), at: r.value[unset], c.flagSetAt[f] == nil ? "\"\(unset)\" needs \"\(set)\" (ceph osd unset \(f.rawValue) of a flag never set)" : "\(unset) \(x) is not after \(set) \(c.flagSetAt[f]!): it must come later")
                }
            }
        }
        if let conf { applyCephConfig(conf, to: &c, own: r, path: r.keyPath("config"), at: r.value["config"], d) }
        r.finish()
        return d.errorCount == before ? c : nil
    }

    /// The ceph.conf values for the keys the section does not give. A value Ceph takes that the
    /// model cannot run is an error naming the simulator's limit.
    static func applyCephConfig(_ conf: CephConfigFile.Read, to c: inout CephSpec, own r: ObjectReader, path p: String, at v: JSONValue?, _ d: Diagnostics) {
        let file = conf.file
        func loc(_ line: Int?) -> SourceLocation? { line.map { SourceLocation(file: file, line: $0, column: 1) } ?? v?.location }
        func limit(_ name: String, _ line: Int?, _ message: String) {
            d.error(p, location: loc(line), "the simulator cannot run \(file): \(name) \(message)")
        }
        let year: Int64 = 365 * 86_400
        /// An int option of seconds (TYPE_INT): the model needs 1 s to a year.
        func seconds(_ name: String, ownKey: String) -> SimDuration? {
            guard !r.has(ownKey), let (value, line) = conf.values[name], case .int(let x) = value else { return nil }
            if x <= 0 {
                limit(name, line, "= \(x): Ceph takes it, but the model needs at least 1 second; give 1 to \(year) seconds"); return nil
            }
            if x > year { limit(name, line, "= \(x) seconds: the simulator takes at most \(year) (a year)"); return nil }
            return .seconds(x)
        }
        /// A uint option the model takes from 1 to `max`.
        func count(_ name: String, ownKey: String, max: UInt64) -> Int? {
            guard !r.has(ownKey), let (value, line) = conf.values[name], case .uint(let x) = value else { return nil }
            if x < 1 || x > max { limit(name, line, "= \(x): Ceph takes it, the model runs 1 to \(max)"); return nil }
            return Int(x)
        }
        if let x = seconds("osd_heartbeat_interval", ownKey: "osd_heartbeat_interval") { c.heartbeatInterval = x }
        if let x = seconds("osd_heartbeat_grace", ownKey: "osd_heartbeat_grace") { c.heartbeatGrace = x }
        // OSDMonitor::tick marks a down OSD out only while mon_osd_down_out_interval > 0: 0 or less
        // is "never" (as the noout flag), which the model runs as a zero interval
        if !r.has("mon_osd_down_out_interval"), let (value, _) = conf.values["mon_osd_down_out_interval"], case .int(let x) = value, x <= 0 {
            c.downOutInterval = .zero
        } else if let x = seconds("mon_osd_down_out_interval", ownKey: "mon_osd_down_out_interval") { c.downOutInterval = x }
        if let x = count("osd_max_backfills", ownKey: "osd_max_backfills", max: 64) { c.maxBackfills = x }
        if let x = count("osd_recovery_max_active", ownKey: "osd_recovery_max_active", max: 64) { c.recoveryMaxActive = x }
        // OSD::get_osd_recovery_sleep: osd_recovery_sleep when not 0, else the device class's; a
        // sleep that is not > 0 means none (OSD::do_recovery)
        if !r.has("osd_recovery_sleep") {
            let byClass = ["hdd": "osd_recovery_sleep_hdd", "ssd": "osd_recovery_sleep_ssd", "hybrid": "osd_recovery_sleep_hybrid"][c.deviceClass.rawValue]!
            var chosen: (String, Double, Int?)? = nil
            if let (value, line) = conf.values["osd_recovery_sleep"], case .float(let x) = value, x != 0 { chosen = ("osd_recovery_sleep", x, line) }
            else if let (value, line) = conf.values[byClass], case .float(let x) = value { chosen = (byClass, x, line) }
            if let (name, x, line) = chosen {
                if x.isInfinite && x > 0 || x > 3600 { limit(name, line, "= \(x): the simulator takes a sleep of at most 3600 seconds") }
                else { c.recoverySleep = x > 0 ? SimDuration(nanoseconds: Int64((x * 1e9).rounded())) : .zero }
            }
        }
        if let x = count("osd_pool_default_size", ownKey: "size", max: 10) { c.size = x }
        // config.h get_osd_pool_default_min_size: min(min_size, size), or size - size/2 for 0
        if !r.has("min_size") {
            var m = c.size - c.size / 2
            if let (value, _) = conf.values["osd_pool_default_min_size"], case .uint(let x) = value, x > 0 { m = Int(min(x, UInt64(c.size))) }
            c.minSize = m
        } else if c.minSize > c.size, let (_, line) = conf.values["osd_pool_default_size"] {
            d.error(p, location: loc(line), "min_size \(c.minSize) is greater than \(file)'s osd_pool_default_size \(c.size): a placement group could never accept I/O")
        }
    }

    // MARK: behaviour `logs`

    /// A log-writing rate: a rate ("2MB/s", or a number of bits per second as every rate), or a
    /// distribution whose values are bytes per second written as sizes (`{"lognormal": {"median": "2MB", "sigma": 0.5}}`).
    static func decodeLogRate(_ v: JSONValue, path: String, _ d: Diagnostics) -> Distribution? {
        if v.objectMembers != nil {
            guard let dist = decodeDistribution(v, path: path, unit: .bytes, diagnostics: d) else { return nil }
            switch dist {
            case .constant(let x) where x < 0, .uniform(let x, _) where x < 0:
                d.error(path, at: v, "a log rate must not be negative"); return nil
            case .empirical(let xs) where xs.contains(where: { $0 < 0 }):
                d.error(path, at: v, "a log rate must not be negative"); return nil
            default: return dist
            }
        }
        guard let bits = ValueDecoder<Int64>.rate(.nonNegative).decode(v, path, d) else { return nil }
        return .constant(Double(bits) / 8)
    }

    static func decodeLogs(_ v: JSONValue, path: String, _ d: Diagnostics) -> ContainerWrites? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: logsKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        var w = ContainerWrites()
        if let rv = r.value("rate") { if let x = decodeLogRate(rv, path: r.keyPath("rate"), d) { w.rate = x } }
        if let pv = r.value("profile") {
            if let a = pv.arrayValue {
                var last: SimDuration? = nil
                for (i, e) in a.enumerated() {
                    let p = JSONPath.index(r.keyPath("profile"), i)
                    let er = ObjectReader(e, path: p, diagnostics: d)
                    guard er.isObject else { continue }
                    let at = er.required("at", .duration(.nonNegative))
                    let rate = er.required("rate", .rate(.nonNegative), hint: "bytes per second from `at` on, like \"20MB/s\"")
                    er.finish()
                    if let at, let l = last, at <= l { d.error(JSONPath.key(p, "at"), at: e["at"], "profile steps must be in increasing time order") }
                    if let at, let rate { w.profile.append(RateStep(at: at, bytesPerSecond: Double(rate) / 8)); last = at }
                }
            } else { d.error(r.keyPath("profile"), at: pv, typeMismatch("an array of {\"at\": ..., \"rate\": ...} steps", pv)) }
        }
        if let bv = r.value("burst") {
            let br = ObjectReader(bv, path: r.keyPath("burst"), diagnostics: d)
            if br.isObject {
                let every = br.required("every", .duration(.positive)), dur = br.required("duration", .duration(.positive))
                let rate = br.required("rate", .rate(.nonNegative))
                br.finish()
                if let every, let dur, dur > every { d.error(JSONPath.key(br.path, "duration"), at: bv["duration"], "a burst cannot last longer than its period \"every\"") }
                if let every, let dur, let rate { w.burst = WriteBurst(every: every, duration: dur, bytesPerSecond: Double(rate) / 8) }
            }
        }
        if let hp = r.optional("hostVolume", .nonEmptyString) {
            if !hp.hasPrefix("/") { d.error(r.keyPath("hostVolume"), at: r.value["hostVolume"], "hostVolume must be an absolute host path like \"/var/log/apps/web\"") }
            w.hostVolume = hp.count > 1 && hp.hasSuffix("/") ? String(hp.dropLast()) : hp
        }
        if let x = r.optional("unhealthyWhenDiskFull", .bool) { w.unhealthyWhenDiskFull = x }
        if let lv = r.value("logrotate") {
            let lr = ObjectReader(lv, path: r.keyPath("logrotate"), diagnostics: d)
            if lr.isObject {
                if let x = lr.optional("interval", .duration(.positive)) { w.logrotate.interval = x }
                if let x = lr.optional("size", .size(.positive)) { w.logrotate.size = x }
                if let x = lr.optional("rotate", .int(min: 0, max: 10000)) { w.logrotate.rotate = x }
                lr.finish()
            }
            if w.hostVolume == nil { d.error(r.keyPath("logrotate"), at: lv, "\"logrotate\" applies to logs in a \"hostVolume\"; logs in the writable layer are not rotated") }
        }
        if let x = r.optional("lineLength", .int(min: 1, max: 16384)) { w.lineLength = x }
        if let tv = r.value("to") {
            switch tv.stringValue {
            case "container"?:
                if r.has("lineLength") { d.error(r.keyPath("lineLength"), at: r.value["lineLength"], "\"lineLength\" applies to logs written \"to\": \"sandbox\" (the process' stdout, which Docker's logging driver frames line by line)") }
            case "sandbox"?:
                w.toSandbox = true
                // the sandbox's files are written at a rate drawn once per container (the profile,
                // bursts and the host-side options belong to the container's own log files)
                for k in ["profile", "burst", "hostVolume", "logrotate", "unhealthyWhenDiskFull"] where r.has(k) {
                    d.error(r.keyPath(k), at: r.value[k], "\"\(k)\" does not apply to logs written \"to\": \"sandbox\" (only \"rate\" and \"lineLength\" do)")
                }
            default:
                d.error(r.keyPath("to"), at: tv, "unknown destination \(tv.stringValue.map { JSONValue.quote($0) } ?? typeMismatch("a string", tv))\(tv.stringValue.map { Suggest.didYouMean($0, among: ["container", "sandbox"]) } ?? ""); allowed: \"container\" (the writable layer, or hostVolume) or \"sandbox\" (the task's stdout/stderr files in the Mesos sandbox)")
            }
        }
        if !r.has("to") && r.has("lineLength") {
            d.error(r.keyPath("lineLength"), at: r.value["lineLength"], "\"lineLength\" applies to logs written \"to\": \"sandbox\" (the process' stdout, which Docker's logging driver frames line by line)")
        }
        r.finish()
        return d.errorCount == before ? w : nil
    }

    /// Logs written `"to": "sandbox"` need the agents' work_dir (`mesos.agents.workDir`): without
    /// it sandboxes are not modelled and the writes would go nowhere.
    static func checkSandboxLogs(_ root: JSONValue, _ d: Diagnostics) {
        guard root["mesos"]?["agents"]?["workDir"] == nil, let members = root["marathon"]?["behaviour"]?.objectMembers else { return }
        for m in members {
            guard let to = m.value["logs"]?["to"], to.stringValue == "sandbox" else { continue }
            let p = JSONPath.key(JSONPath.key(JSONPath.key(JSONPath.key("marathon", "behaviour"), m.key), "logs"), "to")
            d.error(p, at: to, "logs to the sandbox fill the Mesos agents' work_dir, which needs its size: add \"mesos\": {\"agents\": {\"workDir\": {\"capacity\": \"20GB\"}}} (docs/mesos.md)")
        }
    }

    /// Two apps may not map their logs to the same host path, nor one inside the other's.
    static func checkVolumeConflicts(_ mapped: [(app: String, path: String, jsonPath: String, value: JSONValue?)], _ d: Diagnostics) {
        func report(_ m: (app: String, path: String, jsonPath: String, value: JSONValue?), _ o: (app: String, path: String, jsonPath: String, value: JSONValue?)) {
            d.error(m.jsonPath, at: m.value, "host path \(JSONValue.quote(m.path)) of app \(m.app) is \(m.path == o.path ? "the same as" : "nested with") the host path \(JSONValue.quote(o.path)) mapped by app \(o.app); each app needs its own log volume")
        }
        // Non-ASCII paths: String's == and hasPrefix compare characters (canonical equivalence),
        // not bytes, so they keep the pairwise check (rare: host paths are ASCII in practice).
        guard mapped.allSatisfy({ $0.path.utf8.allSatisfy { $0 < 0x80 } }) else {
            for (i, m) in mapped.enumerated() {
                for o in mapped[..<i] where o.app != m.app {
                    if m.path == o.path || m.path.hasPrefix(o.path + "/") || o.path.hasPrefix(m.path + "/") { report(m, o) }
                }
            }
            return
        }
        // ASCII: the same errors in the same order, found through an index of the paths instead of
        // comparing every pair (4,000 apps with their own volumes took 8 s to validate): for each
        // path, the earlier mappings of the same path, of a path above it (a prefix ending before a
        // `/`), and of a path below it (a range of the sorted paths).
        var byPath: [String: [Int]] = [:]   // lookup only, never iterated
        for (i, m) in mapped.enumerated() { byPath[m.path, default: []].append(i) }
        let order = mapped.indices.sorted { mapped[$0].path != mapped[$1].path ? mapped[$0].path < mapped[$1].path : $0 < $1 }
        for (i, m) in mapped.enumerated() {
            var earlier: [Int] = []
            for j in byPath[m.path] ?? [] where j < i { earlier.append(j) }
            let u = Array(m.path.utf8)
            for k in u.indices where u[k] == UInt8(ascii: "/") {
                let above = String(decoding: u[..<k], as: UTF8.self)
                for j in byPath[above] ?? [] where j < i { earlier.append(j) }
            }
            let below = m.path + "/"
            var lo = 0, hi = order.count
            while lo < hi { let mid = (lo + hi) / 2; if mapped[order[mid]].path < below { lo = mid + 1 } else { hi = mid } }
            while lo < order.count, mapped[order[lo]].path.hasPrefix(below) {
                if order[lo] < i { earlier.append(order[lo]) }
                lo += 1
            }
            for j in earlier.sorted() where mapped[j].app != m.app { report(m, mapped[j]) }
        }
    }
}

// MARK: declared keys (docs/storage.md; see ScenarioKeys.swift)

// Docker's devicemapper defaults are in moby/moby daemon/graphdriver/devmapper/deviceset.go
// ("deviceset.go" below) and docs/storage/storagedriver/device-mapper-driver.md; Ceph's in
// ceph/ceph src/common/options (options.cc before Quincy) and doc/rados/configuration. The sources
// named (S6-…, S7-…) are those of docs/storage.md's reference list.
extension ScenarioSchema {
    static let storageKeys = SectionKeys("storage", [
        KeySpec("hostGroups", "array", default: "`[]`", allowed: "See `storage.hostGroups[i]`; each host group at most once.",
                meaning: "Docker's storage driver on every host of a group (groups not listed have no storage model)."),
        KeySpec("operator", "array", default: "`[]`", allowed: "See `storage.operator[i]`.", meaning: "Operator actions on the storage hosts, at a time or on an event."),
        KeySpec("ceph", "object", default: "none", allowed: "See `storage.ceph`.", meaning: "A Ceph cluster (RADOS pool) on a host group."),
        KeySpec("dockerVersion", "string", default: "`\"18.09\"`", allowed: "`\"17.03\"`, `\"17.06\"`, `\"17.09\"`, `\"17.12\"`, `\"18.03\"`, `\"18.06\"`, `\"18.09\"`, `\"19.03\"` or `\"20.10\"`.",
                meaning: "The dockerd release whose daemon.json keys, command-line flags and storage-option names `daemonConfig`, `flagsFrom` and `storageOpts` are read with (a key added later, like 20.10's `ip6tables`, is refused at an earlier release, as that dockerd refuses it), with the checks that changed between them (`metrics-addr` needs `experimental` before 20.10; `docker daemon` runs dockerd before 17.12). The logging options and drivers are judged by that release's code (docs/storage.md \"Docker's copy of stdout\", *By release*: json-file's options, `mode`, `max-size` 0, the `local` driver); the storage model itself is 18.09's whatever the release.",
                source: "moby/moby tags v17.03.0-ce ... v20.10.0: cmd/dockerd flags, daemon/config/config.go, daemon/graphdriver/devmapper/deviceset.go, overlay2/overlay.go; docker/cli c6a3199"),
    ])

    static let hostStorageKeys = SectionKeys("storage.hostGroups[i]", [
        KeySpec("hostGroup", "string", default: "required", allowed: "An existing host group, once.", meaning: "The group whose hosts this block describes."),
        KeySpec("daemonConfig", "string or object", default: "none", allowed: "A path relative to the scenario (inside its folder) of the hosts' /etc/docker/daemon.json, or its object. Read as dockerd reads it (18.09, or the release `storage.dockerVersion` names): a key that is not a dockerd option of that release is its error (`the following directives don't match any configuration option: ...`); `storage-driver`, `storage-opts` (`[\"dm.basesize=20G\", ...]`), `log-driver`, `log-opts`, `max-concurrent-downloads` and (20.10) `max-download-attempts` become `driver`, `storageOpts`, `log-driver`, `log-opts`, `maxConcurrentDownloads` and `maxDownloadAttempts` (the group's own keys win); the others (`data-root`, `live-restore`, `registry-mirrors`, ...) are named in one warning. What dockerd checks of them before it serves is checked: registry mirrors (`invalid mirror: ...`) and insecure registries, `metrics-addr` without `experimental` (before 20.10).",
                meaning: "Docker's daemon configuration as deployed.",
                source: "moby/moby@v18.09.0 daemon/config/config.go getConflictFreeConfiguration, findConfigurationConflicts; cmd/dockerd flags"),
        KeySpec("flagsFrom", "array of objects", default: "`[]`", allowed: "`{\"commandLine\": \"/usr/bin/dockerd $OPTIONS $DOCKER_STORAGE_OPTIONS\"}` (a string split as sh splits it, or a list of words; the program words before the first flag skipped) and `{\"environmentFile\": \"sysconfig/docker-storage\"}` (its variables expand in the command line); at most one command line. Read as spf13/pflag reads dockerd's flags (18.09's, or those of `storage.dockerVersion`) (`--name=value`, `--name value`, shorthands `-s`, `-D` clustered, booleans without a value); an unknown flag, a missing value, a positional argument are dockerd's errors; a directive both here and in `daemonConfig` is dockerd's conflict error; docker 1.x's `docker daemon ...` runs dockerd before 17.12 (with a warning) and is the CLI's error from 17.12 on. The modelled flags (`--storage-driver`, `--storage-opt`, `--log-driver`, `--log-opt`, `--max-concurrent-downloads`) become the group's keys as in `daemonConfig`; the others are named in one warning.",
                meaning: "dockerd's command line as deployed (a systemd unit, /etc/sysconfig/docker and docker-storage-setup's /etc/sysconfig/docker-storage).",
                source: "moby/moby@v18.09.0 vendor/github.com/spf13/pflag/flag.go parseArgs; cmd/dockerd/docker.go (cli.NoArgs), config.go flags; daemon/config/config.go findConfigurationConflicts"),
        KeySpec("driver", "string", default: "`\"devicemapper\"`", allowed: "`\"devicemapper\"` or `\"overlay2\"`.", meaning: "Docker's storage driver.",
                source: "model choice: the driver of the incident"),
        KeySpec("mode", "string", default: "`\"loop-lvm\"`", allowed: "`\"loop-lvm\"` or `\"direct-lvm\"`; devicemapper only (error otherwise).",
                meaning: "How the thin pool is backed: sparse loop files on the root filesystem, or an LVM volume group.",
                source: "device-mapper-driver.md: loop-lvm when no `dm.thinpooldev`/`dm.directlvm_device` is given"),
        KeySpec("volumeGroup", "size", default: "required for direct-lvm", allowed: "> 0, smaller than the group's `disk` (error otherwise); only with mode `\"direct-lvm\"`.",
                meaning: "Size of the block device given to `dm.directlvm_device`."),
        KeySpec("rootFilesystem", "size", default: "the host's `disk` minus `volumeGroup`", allowed: "> 0; `rootFilesystem + volumeGroup <= disk`.",
                meaning: "The filesystem holding `/var/lib/docker` and the host volumes."),
        KeySpec("rootFilesystemUsed", "size", default: "`0`", allowed: ">= 0, less than the root filesystem.", meaning: "Space already used by everything else."),
        KeySpec("storageOpts", "object", default: "`{}`", allowed: "devicemapper: see `storage.hostGroups[i].storageOpts`. overlay2: `overlay2.size` (from 17.09: every container's writable layer gets an xfs project quota of that size, its writes ENOSPC beyond it, as at `dm.basesize`; `\"0\"` none; the backing filesystem is taken to be xfs mounted with pquota, which dockerd needs) and `overlay2.override_kernel_check` (not modelled); another key is dockerd's `overlay2: unknown option ...`. Keys as dockerd reads them (lower-cased); string values as dockerd parses them (sizes by go-units RAMInBytes: `\"20G\"` and `\"20GB\"` are 20 GiB; booleans by ParseBool). devicemapper's other options of 18.09 (`dm.thinpooldev`, `dm.directlvm_device` (both need mode direct-lvm), `dm.use_deferred_removal`, `dm.use_deferred_deletion`, `dm.fs`, `dm.mkfsarg`, `dm.mountopt`, `dm.datadev`, `dm.metadatadev`, `dm.override_udev_sync_check`, `dm.directlvm_device_force`, `dm.libdm_log_level`) are checked as dockerd checks them and named in one warning; others are its error, `devmapper: Unknown option ...`.",
                meaning: "Docker's `--storage-opt` options."),
        KeySpec("noSpaceTimeout", "duration", default: "`\"60s\"`", allowed: ">= 0.", meaning: "dm-thin's `no_space_timeout`: I/O queued on a full pool fails after it.",
                source: "linux drivers/md/dm-thin.c `no_space_timeout_secs = 60`; moby/moby#9659"),
        KeySpec("layerExtractRate", "rate", default: "none (extraction takes no time)", allowed: "> 0.",
                meaning: "How fast Docker extracts a pulled image (compressed bytes per second: gunzip plus the driver's writes), after its download: a pull from `mesos.registry` takes size / bandwidth + size / this rate (Harbor pulls: not charged).",
                source: "mechanism: moby/moby distribution/xfer/download.go (DecompressStream, layerStore.Register after the download); the rate is the hardware's (docs/heldout-storage.md)"),
        KeySpec("maxConcurrentDownloads", "integer", default: "`3`", allowed: "1 to 1024.",
                meaning: "dockerd's `--max-concurrent-downloads`: layer downloads the daemon runs at once over all its pulls; a further download waits for the first slot to free (pulls from `mesos.registry`; Harbor's transfers are not limited).",
                source: "mechanism: moby/moby daemon/daemon.go (one LayerDownloadManager per daemon), distribution/xfer/download.go; dockerd `--max-concurrent-downloads` default 3 (daemon/config `DefaultMaxConcurrentDownloads`)"),
        KeySpec("maxDownloadAttempts", "integer", default: "`5` (dockerVersion 20.10 only)", allowed: "1 to 1000; only with `storage.dockerVersion` 20.10 (an earlier dockerd has no such option: error); 0 or less is dockerd's `invalid max download attempts`.",
                meaning: "dockerd 20.10's `--max-download-attempts`: a failed layer download is retried this many times (`attempt × 5` s apart), so a pull tries it 1 + this many times before it fails (20.10's `retries > maxDownloadAttempts`: 6 by default); up to 19.03 dockerd tries 5 times in all. Harbor pulls (docs/delivery.md) follow it.",
                source: "moby/moby@v20.10.0 distribution/xfer/download.go, cmd/dockerd/config.go (`DefaultDownloadAttempts` 5), daemon/config/config.go `ValidateMaxDownloadAttempts`; v18.09.0 download.go (`retries == maxDownloadAttempts`)"),
        KeySpec("log-driver", "string", default: #"`"json-file"`"#, allowed: #"A driver dockerd registers: `"json-file"`, `"local"`, `"none"`, `"syslog"`, `"journald"`, `"gelf"`, `"fluentd"`, `"awslogs"`, `"splunk"`, `"gcplogs"`, `"logentries"`, or a logging plugin's reference (`"grafana/loki-docker-driver:latest"`: taken to be installed, no file kept); error otherwise, in dockerd's words."#,
                meaning: "daemon.json `log-driver`: the containers' logging driver unless an app sets `log-driver` in `container.docker.parameters`. json-file and local keep the containers' stdout in files on this root filesystem; the others keep nothing on the host.",
                source: "moby/moby@v18.09.0 cmd/dockerd/config.go (default json-file), daemon/logdrivers_linux.go, daemon/logger/factory.go `ValidateLogOpts`"),
        KeySpec("log-opts", "object", default: "`{}`", allowed: #"daemon.json `log-opts`: strings only (`{"max-size": "10m", "max-file": "3"}`; a number is an error, as in dockerd). json-file: `max-size` (go-units decimal size, > 0), `max-file` (>= 1), `compress` (needs max-file >= 2 and max-size), `labels`, `env`, `env-regex`, `tag`; local: `max-size`, `max-file`, `compress`; any driver: `mode`, `max-buffer-size`. Other keys are errors with Docker's message; the other drivers' options are not checked."#,
                meaning: "The driver's options; an app with the same driver gets each one it does not set itself.",
                source: "moby/moby@v18.09.0 daemon/logs.go `mergeAndVerifyLogConfig`, daemon/logger/jsonfilelog/jsonfilelog.go, daemon/logger/local/local.go"),
    ])

    static let storageOptKeys = SectionKeys("storage.hostGroups[i].storageOpts", [
        KeySpec("dm.loopdatasize", "size", default: "`\"100GiB\"`", allowed: "> 0; loop-lvm only (error otherwise).", meaning: "The sparse loop data file.",
                source: "deviceset.go `defaultDataLoopbackSize`; docker info \"Data Space Total: 107.4 GB\""),
        KeySpec("dm.loopmetadatasize", "size", default: "`\"2GiB\"`", allowed: "> 0; loop-lvm only (error otherwise).", meaning: "The sparse loop metadata file.",
                source: "deviceset.go `defaultMetaDataLoopbackSize`"),
        KeySpec("dm.basesize", "size", default: "`\"10GiB\"`", allowed: "> 0.", meaning: "The size of every image and container device.",
                source: "deviceset.go `defaultBaseFsSize` (\"Base Device Size: 10.74 GB\")"),
        KeySpec("dm.blocksize", "size", default: "`\"64KiB\"`", allowed: "A multiple of 64KiB up to 1GiB.", meaning: "The thin pool's data block size.",
                source: "deviceset.go `defaultThinpBlockSize` (128 sectors)"),
        KeySpec("dm.min_free_space", "percentage", default: "`\"10%\"`", allowed: "0 to 99 (0 disables the check).",
                meaning: "Docker refuses to create a device when less of the pool is free.", source: "deviceset.go `defaultMinFreeSpacePercent`, `poolHasFreeSpace`"),
        KeySpec("dm.blkdiscard", "boolean", default: "on for loop-lvm, off for direct-lvm", allowed: "`true` or `false`.",
                meaning: "Discard a removed device's blocks (returns them to the pool; slow on loop files).", source: "dockerd reference"),
        KeySpec("dm.thinp_percent", "percentage", default: "`95`", allowed: "1 to 100; with `dm.thinp_metapercent` at most 100; direct-lvm only (error otherwise).",
                meaning: "The thin pool's data volume, in % of the volume group.", source: "device-mapper-driver.md"),
        KeySpec("dm.thinp_metapercent", "percentage", default: "`1`", allowed: "0 to 100; direct-lvm only (error otherwise).",
                meaning: "The thin pool's metadata volume, in % of the volume group.", source: "device-mapper-driver.md"),
        KeySpec("dm.thinp_autoextend_threshold", "percentage", default: "`80`", allowed: "0 to 100; direct-lvm only (error otherwise).",
                meaning: "LVM extends the pool when it is this full.", source: "device-mapper-driver.md (LVM profile, `lvchange --monitor y`)"),
        KeySpec("dm.thinp_autoextend_percent", "percentage", default: "`20`", allowed: "0 to 100; direct-lvm only (error otherwise).",
                meaning: "By how much (% of the pool) LVM extends it.", source: "device-mapper-driver.md (LVM profile, `lvchange --monitor y`)"),
        KeySpec("dm.xfs_nospace_max_retries", "integer", default: "unset: XFS retries a failed write forever", allowed: ">= 0.",
                meaning: "How often XFS retries a write that failed with ENOSPC.", source: "dockerd reference; moby/moby#20707"),
    ])

    static let storageOperatorKeys = SectionKeys("storage.operator[i]", [
        KeySpec("action", "string", default: "required", allowed: "`\"cleanPool\"`, `\"restartDocker\"` or `\"extendPool\"`.",
                meaning: "`cleanPool`: the operator stops Docker (its containers exit), removes every container's device (`docker rm`, with blkdiscard in loop mode) and starts Docker again. `restartDocker`: `systemctl restart docker`; containers exit and keep their devices until Mesos removes them (`docker_remove_delay`); Docker does not start while the pool is full (moby/moby#20272). `extendPool`: the pool grows by `size` (lvextend with a new disk in the VG; for loop-lvm the documented \"resize a loop-lvm thin pool\" procedure)."),
        KeySpec("at", "duration", default: "one of `at` / `on`", allowed: ">= 0, within the run.", meaning: "At this time, on `host`, the hosts of `hostGroup`, or every storage host."),
        KeySpec("host", "string", default: "none", allowed: "An existing host; with `at` only.", meaning: "The host an `at` action acts on."),
        KeySpec("hostGroup", "string", default: "none", allowed: "An existing host group; with `at` only.", meaning: "The group whose hosts an `at` action acts on."),
        KeySpec("on", "string", default: "one of `at` / `on`", allowed: "`\"dockerHung\"`, `\"belowMinFree\"` or `\"poolFull\"`.",
                meaning: "On each host where that happens, every time."),
        KeySpec("delay", "duration", default: "`\"0s\"`", allowed: ">= 0.", meaning: "Time the operator takes: the action takes effect this long after its time or event."),
        KeySpec("size", "size", default: "required for `extendPool`", allowed: "> 0; with `extendPool` only.", meaning: "Bytes added to the thin pool."),
    ])

    /// A cluster flag's pair of keys: `<flag>Set` (`ceph osd set <flag>` at a time) and `<flag>Unset`.
    static func cephFlagKeys(_ flag: String, meaning: String, source: String) -> [KeySpec] {
        [KeySpec("\(flag)Set", "duration", default: "none", allowed: ">= 0.", meaning: meaning, source: source),
         KeySpec("\(flag)Unset", "duration", default: "none (the flag stays)", allowed: "After `\(flag)Set` (error otherwise, and without it).",
                 meaning: "`ceph osd unset \(flag)` at this time.")]
    }

    static let cephKeys = SectionKeys("storage.ceph", [
        KeySpec("config", "string or object", default: "none",
                allowed: #"The path of a ceph.conf (relative to the scenario's folder, inside it), or its sections as an object (`{"global": {"osd pool default size": "3"}, "osd": {"osd max backfills": "2"}}`). Read as Ceph 14.2 (Nautilus) reads it: its parse errors, values an option refuses, old-style section names are warnings in Ceph's words (the daemons start, the option keeps its default); a value Ceph takes that the model cannot run is an error."#,
                meaning: "The cluster's /etc/ceph/ceph.conf: `osd_heartbeat_interval`, `osd_heartbeat_grace`, `osd_max_backfills`, `osd_recovery_max_active`, `osd_recovery_sleep` and `_hdd`/`_ssd`/`_hybrid` (by `deviceClass`) as the OSDs read them ([osd], then [global]), `mon_osd_down_out_interval`, `osd_pool_default_size` and `osd_pool_default_min_size` (for `size`, `min_size`) as the monitors do ([mon], then [global]); the section's own keys win. Other options: one warning naming them. See docs/storage.md \"ceph.conf as deployed\".",
                source: "ceph/ceph v14.2.16 src/common/ConfUtils.cc, src/common/config.cc `parse_config_files`, src/common/options.cc"),
        KeySpec("osdHostGroup", "string", default: "required", allowed: "An existing host group.", meaning: "Hosts running OSDs; the CRUSH failure domain is the host."),
        KeySpec("osdsPerHost", "integer", default: "`1`", allowed: "1 to 64.", meaning: "OSDs (disks) per host.", source: "model choice"),
        KeySpec("osdCapacity", "size", default: "`\"4TB\"`", allowed: "> 0.", meaning: "One OSD's disk. With a `network` section an OSD refuses a backfill that would take it above `mon_osd_backfillfull_ratio` 0.90 of it (the PG stays degraded, backfill_toofull).", source: "model choice; 0.90: ceph/ceph src/common/options.cc `mon_osd_backfillfull_ratio`"),
        KeySpec("osdBandwidth", "rate", default: "`\"150MB/s\"`", allowed: "> 0.", meaning: "One OSD's disk rate.",
                source: "model choice: one HDD's sequential rate (S6-small: 75-165 MB/s single OSD)"),
        KeySpec("deviceClass", "string", default: "`\"hdd\"`", allowed: "`\"hdd\"`, `\"ssd\"` or `\"hybrid\"`.", meaning: "Selects `osd_recovery_sleep`."),
        KeySpec("stored", "size", default: "`\"1TB\"`", allowed: ">= 0.", meaning: "Client data in the pool, before replication.", source: "model choice"),
        KeySpec("size", "integer", default: "`3`", allowed: "1 to 10.", meaning: "Replicas of each object.", source: "ceph options `osd_pool_default_size`"),
        KeySpec("min_size", "integer", default: "size - size/2 (`2` for `size` 3, `1` for 2)", allowed: "1 to 10, at most `size` (error otherwise).", meaning: "Replicas a placement group needs to accept I/O.",
                source: "ceph options `osd_pool_default_min_size` (size - size/2)"),
        KeySpec("objectSize", "size", default: "`\"4MiB\"`", allowed: "> 0.", meaning: "RADOS object size.", source: "RBD/CephFS default object size"),
        KeySpec("osd_heartbeat_interval", "duration", default: "`\"6s\"`", allowed: "> 0.", meaning: "OSDs ping their peers this often.", source: "mon-osd-interaction.rst (S7-hb)"),
        KeySpec("osd_heartbeat_grace", "duration", default: "`\"20s\"`", allowed: "> 0.", meaning: "A peer silent this long is reported down.", source: "mon-osd-interaction.rst (S7-hb)"),
        KeySpec("mon_osd_down_out_interval", "duration", default: "`\"600s\"`", allowed: ">= 0; `0` (or `0s`): never, as in Ceph, whose monitors mark a down OSD out only while the interval is > 0 (a down host's PGs stay degraded, no recovery starts, until it is back).", meaning: "A down OSD is marked out (recovery starts) after it.", source: "ceph options (S7-out); `0`: ceph/ceph v14.2.16 src/mon/OSDMonitor.cc `OSDMonitor::tick`"),
        KeySpec("osd_max_backfills", "integer", default: "`1`", allowed: "1 to 64.", meaning: "Concurrent backfills per OSD.", source: "ceph options (S7-throttle, pre-mClock releases)"),
        KeySpec("osd_recovery_max_active", "integer", default: "`3`", allowed: "1 to 64.", meaning: "Recovery objects in flight per OSD. Each is in flight for the source's read and the target's write, so an OSD recovers at most max_active × `osdBandwidth` / 2 (half the disk with 1; from 2 on the disk or the sleep binds: with a sleep the OSD starts one object per sleep, docs/storage.md).", source: "ceph options (S7-throttle, pre-mClock releases)"),
        KeySpec("osd_recovery_sleep", "duration", default: "hdd 0.1s, ssd 0, hybrid 0.025s", allowed: ">= 0.", meaning: "Pause between recovery operations: one timer per OSD, each wake-up starts one object (`osd_recovery_max_single_start` 1), so an OSD recovers at most objectSize / sleep per second (41.9 MB/s for an HDD).",
                source: "ceph options `osd_recovery_sleep_hdd/_ssd/_hybrid`"),
        KeySpec("clientLatency", "duration", default: "`\"0.5ms\"`", allowed: "> 0.", meaning: "One client operation's latency besides the transfer.", source: "Ceph Reef RBD 4K sync writes p99 < 0.5 ms (S6-reef)"),
        KeySpec("registry", "boolean", default: "`false`", allowed: "`true` or `false`; `true` needs a `network` section (error otherwise).",
                meaning: "`true`: the image registry keeps its blobs in the pool; pulls read them through a Ceph client."),
        KeySpec("clientReadRate", "rate", default: "`\"500MB/s\"`", allowed: "> 0.", meaning: "One client's read rate.",
                source: "S6-rook13483 128K random reads on RBD 1.50 GB/s, divided by 3 for CephFS (S6-rook1706: CephFS about 3× lower than RBD; S6-fuse: FUSE no faster than the kernel client)"),
    ] + cephFlagKeys("noout", meaning: "`ceph osd set noout` at this time: the monitors mark no down OSD out (OSDMonitor::can_mark_out), and keep each OSD's down time, so when the flag is unset every OSD down for `mon_osd_down_out_interval` is marked out at once.",
                     source: "ceph/ceph v14.2.16 src/mon/OSDMonitor.cc `can_mark_out`, `tick`")
      + cephFlagKeys("nodown", meaning: "`ceph osd set nodown` at this time: the monitors mark no OSD down (OSDMonitor::can_mark_down refuses failure reports, beacon timeouts and an orderly shutdown's MOSDMarkMeDown), so a dead host's OSDs stay up and I/O to its PGs waits; when the flag is unset the dead ones are marked down at once.",
                     source: "ceph/ceph v14.2.16 src/mon/OSDMonitor.cc `can_mark_down`, `preprocess_failure`, `preprocess_mark_me_down`, `handle_osd_timeouts`")
      + cephFlagKeys("noup", meaning: "`ceph osd set noup` at this time: the monitors ignore a booting OSD (OSDMonitor::can_mark_up), so a host that comes back stays down (its out timer runs on) until the flag is unset, when it is marked up (and in).",
                     source: "ceph/ceph v14.2.16 src/mon/OSDMonitor.cc `can_mark_up`, `preprocess_boot`; src/osd/OSD.cc `_preboot`")
      + cephFlagKeys("nobackfill", meaning: "`ceph osd set nobackfill` at this time: PGs still take their backfill reservations but start no backfill op (their flows stop, keeping what they copied) until the flag is unset.",
                     source: "ceph/ceph v14.2.16 src/osd/PrimaryLogPG.cc `start_recovery_ops`, src/osd/PG.cc")
      + cephFlagKeys("norebalance", meaning: "`ceph osd set norebalance` at this time: as `nobackfill` for the PGs that are not degraded (a host marked in again), degraded PGs backfill on.",
                     source: "ceph/ceph v14.2.16 src/osd/PrimaryLogPG.cc `start_recovery_ops`")
      + cephFlagKeys("norecover", meaning: "`ceph osd set norecover` at this time: every OSD pauses its recovery queue, so no recovery or backfill op starts (reservations are kept) until the flag is unset.",
                     source: "ceph/ceph v14.2.16 src/osd/OSD.cc (`OSDService::pause_recovery`, `_recover_now`)") + [
        KeySpec("clientWriteRate", "rate", default: "`0`", allowed: ">= 0; above 0 needs a `network` section (error otherwise).", meaning: "Client data written to the pool (before replication): every PG grows by rate / pg_num on each OSD holding it. An OSD above `mon_osd_nearfull_ratio` 0.85 of `osdCapacity` is nearfull (HEALTH_WARN), above 0.90 backfillfull (refuses backfills), above `mon_osd_full_ratio` 0.95 full: the pool is flagged full, clients pause every write to it (app volumes hang), the pool stops growing.",
                source: "model choice (0: no writes); ratios ceph/ceph src/common/options.cc; src/osd/OSDMap.cc `get_full_pools`, src/osdc/Objecter.cc"),
    ])

    static let logsKeys = SectionKeys("marathon.behaviour.<app>.logs", [
        KeySpec("rate", "rate or distribution", default: "`0`", allowed: #"A rate (`"10MB/s"`; a bare number is bits per second, as every rate) or a distribution whose values are bytes per second written as sizes (`{"lognormal": {"median": "40kB", "sigma": 0.5}}`); never negative."#,
                meaning: "Bytes per second, drawn once per container."),
        KeySpec("profile", "array", default: "`[]`", allowed: #"Steps `{"at", "rate"}` in increasing time order."#, meaning: "From a step on, its rate replaces the drawn one."),
        KeySpec("burst", "object", default: "none", allowed: #"`{"every", "duration", "rate"}`, `duration <= every`."#,
                meaning: "That much more during the last `duration` of every `every` from the container's start."),
        KeySpec("hostVolume", "string", default: "none (logs go to the writable layer)", allowed: "An absolute host path. Two apps may not map the same path or paths inside each other (error).",
                meaning: "Each container writes `<path>/<task>.log` on the root filesystem."),
        KeySpec("logrotate", "object", default: #"`{"interval": "24h", "rotate": 4}`"#, allowed: #"`{"interval", "size", "rotate"}`; `size` none rotates at every run. Only with `hostVolume` (error otherwise)."#,
                meaning: "logrotate on the host for the volume's log files.", source: "`interval` cron.daily, `rotate` the distributions' /etc/logrotate.conf"),
        KeySpec("to", "string", default: "`\"container\"`", allowed: #"`"container"` or `"sandbox"`; with `"sandbox"` only `rate` applies (error for the others)."#,
                meaning: #"Where the logs go: `"container"`, the writable layer (or `hostVolume`); `"sandbox"`, the process' stdout/stderr, which the Mesos executor writes to the files `stdout`/`stderr` of the task's sandbox under the agent's work_dir (`mesos.agents.workDir`; not modelled without it)."#,
                source: "apache/mesos src/slave/container_loggers/sandbox.cpp (the default container logger)"),
        KeySpec("lineLength", "integer", default: "`100`", allowed: #"1 to 16384 bytes (dockerd splits longer lines into 16 KiB messages); with `"to": "sandbox"` only (error otherwise)."#,
                meaning: "Bytes per line of the process' output, the newline included. Docker's logging driver keeps a copy of a DOCKER app's output with a per-line framing: json-file writes line + 70 bytes, local line + 27 (docs/storage.md \"Docker's copy of stdout\").",
                source: "model choice; framing: moby/moby@v18.09.0 daemon/logger/jsonfilelog/jsonlog/jsonlogbytes.go, daemon/logger/local/local.go"),
        KeySpec("unhealthyWhenDiskFull", "boolean", default: "`false`", allowed: "`true` or `false`.",
                meaning: "The app's health check fails once its writable layer is full: its device at `dm.basesize` (devicemapper), the root filesystem full (overlay2, whose layer is that filesystem; it passes again when space is freed).", source: "Spring Boot's DiskSpaceHealthIndicator reports DOWN below 10 MB free"),
    ])

    static let cephMountKeys = SectionKeys("marathon.behaviour.<app>.cephMount", [
        KeySpec("pgs", "integer", default: "`8`", allowed: "1 to 65536; at most `pg_num` are used.", meaning: "Placement groups the app's volume maps to.",
                source: "model choice: how much of the pool an app's objects touch"),
    ])
}
