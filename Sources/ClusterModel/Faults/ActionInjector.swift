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
            model.log("action", a.name, key, "actions[\(event.arg)]: " + (value.map { "set " + JSONText.quote($0) } ?? "delete"))
            model.subsystem(ConsulTemplateRunner.self)?.kvChanged(key: key, value: value)
            return
        }
        if case .vaultWrite(let path, let data, let fields) = a.kind {
            let runner = model.subsystem(ConsulTemplateRunner.self)
            let ok = runner?.vaultWrite(path: path, dataJSON: data, fields: fields) ?? false
            let host = runner?.spec.vault?.host ?? model.spec.consulTemplate?.vault?.host ?? "?"
            model.log("action", a.name, path, "actions[\(event.arg)]: " + (data.map { "write " + $0 } ?? "delete")
                      + (ok ? "" : "; failed: Vault on \(host) did not answer (its host is down)"))
            return
        }
        guard model.marathon != nil else { return }
        model.log("action", a.name, a.app, "actions[\(event.arg)]" + (a.force ? " force" : ""))
        // With one Marathon per data center the operator acts on each, in `marathon.datacenters` order.
        for m in model.marathons {
            switch a.kind {
            case .deploy(let def): m.deploy(def, force: a.force)
            case .scale(let app, let n): m.scale(app: app, instances: n, force: a.force)
            case .restart(let app): m.restart(app: app, force: a.force)
            case .killTasks(let app, let count, let scale): m.killTasks(app: app, count: count, scale: scale)
            case .consulKV, .vaultWrite: break
            }
        }
    }
}
