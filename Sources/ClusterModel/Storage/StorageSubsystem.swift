import SimKernel

// Container storage as a subsystem: built from the `storage` section, plugged into the Mesos
// agents' containerizer (the `Containerizer` contract, both ways), Ceph's recovery and client I/O
// on the network subsystem's flows, and told about hosts through `.hosts` signals.

extension StorageModel: Subsystem, SignalSubscriber {
    public static let entry = SubsystemEntry(name: "storage", section: "storage", outputs: StorageModel.outputs) { model in
        guard let spec = model.spec.storage else { return nil }
        let s = StorageModel(spec: spec, model: model, apps: StorageModel.appStorage(model.spec))
        s.ceph?.network = model.subsystem(ClusterNetwork.self)
        if let c = model.subsystem(Containerizer.self) {
            c.attach(storage: s)
            s.containerizer = c
            s.ceph?.containerizer = c
        }
        return s
    }

    public var name: String { "storage" }

    /// Each app's storage behaviour by app id, from the scenario's `marathon.behaviour` blocks
    /// (the spec's per-app `AppBehaviour.storage`; Marathon's scheduler never reads it).
    static func appStorage(_ spec: ClusterSpec) -> [String: AppStorage] {
        var out: [String: AppStorage] = [:]
        guard let m = spec.marathon else { return out }
        for (i, app) in m.apps.enumerated() where i < m.behaviour.count {
            var st = m.behaviour[i].storage
            // stdout of a Docker-containerizer task also goes through Docker's logging driver:
            // the app's `log-driver` / `log-opt` parameters (Mesos passes each as `--key=value`
            // to `docker run`: apache/mesos 1.4.0 src/docker/docker.cpp)
            if var out = st.dockerStdout {
                if app.usesMesosContainerizer { st.dockerStdout = nil } else {
                    out.options = dockerLogOptions(app.container?.parameters ?? [])
                    st.dockerStdout = out
                }
            }
            if !st.isEmpty { out[app.id] = st }
        }
        return out
    }

    /// The app's `log-driver` and `log-opt` parameters (`log-opt` is `key=value`; a value without
    /// `=` is a key with an empty value, docker/cli opts.ConvertKVStringsToMap).
    public static func dockerLogOptions(_ params: [Label]) -> DockerLogOptions {
        var o = DockerLogOptions()
        for p in params {
            if p.name == "log-driver" { o.driver = p.value }
            if p.name == "log-opt" {
                if let eq = p.value.firstIndex(of: "=") { o.opts.append((String(p.value[..<eq]), String(p.value[p.value.index(after: eq)...]))) }
                else { o.opts.append((p.value, "")) }
            }
        }
        return o
    }

    /// Hosts at `.containers`: after Mesos has stopped (or restarted) the agent on the host.
    public func subscribe(to signals: PlatformSignals) {
        signals.subscribe(self, to: .hosts, stage: .containers)
    }

    public func receive(_ signal: PlatformSignal) {
        switch signal {
        case .hostDown(let h, let rebooting): hostWentDown(model.infrastructure.hosts[h], orderly: rebooting)
        case .hostUp(let h): hostCameUp(model.infrastructure.hosts[h])
        default: break
        }
    }
}
