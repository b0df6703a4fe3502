import SimKernel

/// Carries out the scenario's operator actions at their times, through Marathon's API.
final class ActionInjector: EventHandler {
    let actions: [ActionSpec]
    unowned let model: ClusterSimulation
    var target: Int32 = -1

    init(actions: [ActionSpec], model: ClusterSimulation) { self.actions = actions; self.model = model }

    func start() {
        for (i, a) in actions.enumerated() {
            model.sim.schedule(at: SimTime.zero + a.at, target: target, kind: 0, arg: Int64(i), priority: -50)
        }
    }

    func handle(_ event: Event, in sim: Simulation) {
        let a = actions[Int(event.arg)]
        if case .consulKV(let key, let value) = a.kind {
            let failed = model.subsystem(ConsulTemplateRunner.self)?.kvChanged(key: key, value: value)
            model.log("action", a.name, key, "actions[\(event.arg)]: " + (value.map { "set " + JSONText.quote($0) } ?? "delete")
                      + (failed.map { "; failed: " + $0 } ?? ""))
            return
        }
        if case .vaultWrite(let path, let data, let fields) = a.kind {
            let runner = model.subsystem(ConsulTemplateRunner.self)
            let why = runner?.vaultUnavailable
            let ok = why == nil && (runner?.vaultWrite(path: path, dataJSON: data, fields: fields) ?? false)
            let what = data.map { "write " + $0 } ?? "delete"
            let failure: String = ok ? "" : "; failed: " + (why ?? "no Vault server is modelled")
            model.log("action", a.name, path, "actions[\(event.arg)]: " + what + failure)
            return
        }
        if case .vaultUnseal = a.kind {
            let runner = model.subsystem(ConsulTemplateRunner.self)
            let wasSealed = runner?.vaultSealed ?? false
            let why: String? = runner.map { $0.vaultUnseal() } ?? "no Vault server is modelled"
            let host = runner?.spec.vault?.host ?? "vault"
            let outcome: String = why.map { "failed: " + $0 } ?? (wasSealed ? "unsealed" : "already unsealed")
            model.log("action", a.name, host, "actions[\(event.arg)]: " + outcome)
            return
        }
        if case .consulCheckUpdate(let app, let host, let check, let status, let heartbeats) = a.kind {
            let what = model.subsystem(ConsulCluster.self)?.updateTTLChecks(app: app, host: host, check: check, status: status, heartbeats: heartbeats)
            model.log("action", a.name, app, "actions[\(event.arg)]: " + (what ?? "no Consul agent"))
            return
        }
        guard model.marathon != nil else { return }
        model.log("action", a.name, a.app, "actions[\(event.arg)]" + (a.force ? " force" : ""))
        // With one Marathon per data center the operator acts on each, in `marathon.datacenters` order.
        for m in model.marathons {
            switch a.kind {
            case .deploy(let def, let behaviour): m.deploy(def, behaviour: behaviour, force: a.force)
            case .scale(let app, let n): m.scale(app: app, instances: n, force: a.force)
            case .restart(let app): m.restart(app: app, force: a.force)
            case .killTasks(let app, let count, let scale): m.killTasks(app: app, count: count, scale: scale)
            case .consulKV, .vaultWrite, .vaultUnseal, .consulCheckUpdate: break
            }
        }
    }
}
