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
        let r = ObjectReader(v, path: path, diagnostics: d)
        guard r.isObject else { return nil }
        let before = d.errorCount
        var out = StorageSpec()
        let groupNames = hostGroups.map(\.name)
        if let hv = r.value("hostGroups") {
            if let a = hv.arrayValue {
                for (i, e) in a.enumerated() {
                    let p = JSONPath.index(r.keyPath("hostGroups"), i)
                    if let s = decodeHostStorage(e, path: p, hostGroups: hostGroups, complete: hostGroupsComplete, d) {
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

    static func decodeHostStorage(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], complete: Bool, _ d: Diagnostics) -> HostStorageSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let names = hostGroups.map(\.name)
        let gname = r.required("hostGroup", .nonEmptyString, hint: "the host group whose Docker storage this is")
        var group: HostGroupSpec? = nil
        if let g = gname {
            group = hostGroups.first { $0.name == g }
            if group == nil && complete {
                d.error(r.keyPath("hostGroup"), at: r.value["hostGroup"], "unknown host group \(JSONValue.quote(g))\(Suggest.didYouMean(g, among: names)); host groups: \(names.map { JSONValue.quote($0) }.joined(separator: ", "))")
            }
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
        if let ov = r.value("storageOpts") {
            let op = r.keyPath("storageOpts")
            if driver != .devicemapper {
                d.error(op, at: ov, "\"storageOpts\" (dm.* options) are for driver \"devicemapper\"; overlay2 has none modelled")
            } else {
                decodeStorageOpts(ov, path: op, mode: mode, into: &opts, d)
            }
        }
        if let t = r.optional("noSpaceTimeout", .duration(.nonNegative)) { opts.noSpaceTimeout = t }
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
                               volumeGroupBytes: vg, options: opts)
    }

    /// `--storage-opt` values: sizes as sizes, percentages as numbers or "10%" strings.
    static func decodeStorageOpts(_ v: JSONValue, path: String, mode: DeviceMapperMode, into o: inout DeviceMapperOptions, _ d: Diagnostics) {
        let r = ObjectReader(v, path: path, diagnostics: d)
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
        let r = ObjectReader(v, path: path, diagnostics: d)
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
        let r = ObjectReader(v, path: path, diagnostics: d)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let g = r.required("osdHostGroup", .nonEmptyString, hint: "the host group running the OSDs")
        if let g, complete, !groups.contains(g) {
            d.error(r.keyPath("osdHostGroup"), at: r.value["osdHostGroup"], "unknown host group \(JSONValue.quote(g))\(Suggest.didYouMean(g, among: groups))")
        }
        var c = CephSpec(osdHostGroup: g ?? "")
        if let x = r.optional("osdsPerHost", .int(min: 1, max: 64)) { c.osdsPerHost = x }
        if let x = r.optional("osdCapacity", .size(.positive)) { c.osdCapacityBytes = x }
        if let x = r.optional("osdBandwidth", .rate(.positive)) { c.osdBandwidthBytesPerSecond = Double(x) / 8 }
        if let x = r.optional("deviceClass", .oneOf(CephSpec.DeviceClass.allCases.map(\.rawValue), what: "device class")) { c.deviceClass = .init(rawValue: x)! }
        if let x = r.optional("stored", .size(.nonNegative)) { c.storedBytes = x }
        if let x = r.optional("size", .int(min: 1, max: 10)) { c.size = x }
        if let x = r.optional("min_size", .int(min: 1, max: 10)) { c.minSize = x }
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
        r.finish()
        return d.errorCount == before ? c : nil
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
        let r = ObjectReader(v, path: path, diagnostics: d)
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
        r.finish()
        return d.errorCount == before ? w : nil
    }

    /// Two apps may not map their logs to the same host path, nor one inside the other's.
    static func checkVolumeConflicts(_ mapped: [(app: String, path: String, jsonPath: String, value: JSONValue?)], _ d: Diagnostics) {
        for (i, m) in mapped.enumerated() {
            for o in mapped[..<i] where o.app != m.app {
                let inside = m.path == o.path || m.path.hasPrefix(o.path + "/") || o.path.hasPrefix(m.path + "/")
                if inside {
                    d.error(m.jsonPath, at: m.value, "host path \(JSONValue.quote(m.path)) of app \(m.app) is \(m.path == o.path ? "the same as" : "nested with") the host path \(JSONValue.quote(o.path)) mapped by app \(o.app); each app needs its own log volume")
                }
            }
        }
    }
}
