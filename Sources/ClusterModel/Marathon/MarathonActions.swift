import SimKernel

// What an operator (or Jenkins through the REST API) asks Marathon to do: the scenario's
// `actions`. Each is answered as Marathon's API would: a deployment, or a refusal (409) when the
// app is already being deployed and `force` is not set.
extension MarathonScheduler {
    public enum ActionResult: Equatable, Sendable {
        case deployment(Int)
        case done
        case conflict(deployment: Int)
        case unknownApp
        case noLeader
    }

    /// Whether the API can take a write now: some instance leads and its process runs. A leader
    /// whose host crashed leads in ZooKeeper until its session expires, but the request the other
    /// instances proxy to it times out (LeaderProxyFilter.scala@v1.4.9: 504 "Connection to leader
    /// timed out."). A leader still preparing holds requests (`waitForConsistentLeadership`) and
    /// takes them.
    func apiRefusal(_ subject: String) -> ActionResult? {
        guard let l = leader else { log("actionRefused", subject, "no Marathon leader"); return .noLeader }
        guard processes[l].alive else {
            log("actionRefused", subject, "leader \(processName(l)) is down: 504 Connection to leader timed out.")
            return .noLeader
        }
        return nil
    }

    func conflictCheck(_ a: MarathonAppState, force: Bool, what: String) -> ActionResult? {
        if let d = deployments.deployment(of: a.index) {
            if !force {
                log("deploymentConflict", a.id, "\(what) refused: deployment-\(d.id) in progress (HTTP 409; use force)")
                return .conflict(deployment: d.id)
            }
            deployments.cancel(d, reason: "cancelled by a forced \(what) of \(a.id)")
        }
        return nil
    }

    /// PUT /v2/apps/{id}: a new definition. A change of anything but `instances` is a config
    /// change: a new version whose instances replace the old ones (restart); otherwise a scale.
    /// `behaviour`: what the new version's processes do, if not what the version before did (the
    /// scenario's `actions[i].behaviour`; only a config change brings one).
    @discardableResult
    public func deploy(_ definition: AppDefinition, behaviour: AppBehaviour? = nil, force: Bool = false) -> ActionResult {
        if let r = apiRefusal(definition.id) { return r }
        guard let i = appIndex[definition.id] else { log("actionRefused", definition.id, "unknown app"); return .unknownApp }
        let a = apps[i]
        if let c = conflictCheck(a, force: force, what: "deploy") { return c }
        var scaledOnly = a.definition
        scaledOnly.instances = definition.instances
        let configChange = scaledOnly != definition
        let from = a.definition.instances
        a.definition = definition
        if from != definition.instances { model.signals.publish(.appScaled(app: i, from: from, to: definition.instances)) }
        defer { refreshSatisfied(a) }
        if configChange {
            if let behaviour { a.behaviour = behaviour }
            a.configVersion += 1
            a.tickGeneration += 1
            startHealthChecks(a)
            let d = deployments.create(name: "deploy \(a.id) version \(a.configVersion)", steps: [[Deployments.AppAction(app: i, kind: .restart)]])
            return .deployment(d.id)
        }
        let d = deployments.create(name: "scale \(a.id) to \(definition.instances)", steps: [[Deployments.AppAction(app: i, kind: .scale)]])
        return .deployment(d.id)
    }

    /// PUT /v2/apps/{id} with only `instances`.
    @discardableResult
    public func scale(app id: String, instances: Int, force: Bool = false) -> ActionResult {
        guard let i = appIndex[id] else { log("actionRefused", id, "unknown app"); return .unknownApp }
        var def = apps[i].definition
        def.instances = instances
        return deploy(def, force: force)
    }

    /// POST /v2/apps/{id}/restart: a new version with the same definition, replacing every instance.
    @discardableResult
    public func restart(app id: String, force: Bool = false) -> ActionResult {
        if let r = apiRefusal(id) { return r }
        guard let i = appIndex[id] else { log("actionRefused", id, "unknown app"); return .unknownApp }
        let a = apps[i]
        if let c = conflictCheck(a, force: force, what: "restart") { return c }
        a.configVersion += 1
        a.tickGeneration += 1
        startHealthChecks(a)
        let d = deployments.create(name: "restart \(a.id)", steps: [[Deployments.AppAction(app: i, kind: .restart)]])
        return .deployment(d.id)
    }

    /// DELETE /v2/apps/{id}/tasks/{taskId}?scale=…: kill `count` running instances picked at random
    /// (the operator's choice). Without scale, Marathon launches replacements.
    @discardableResult
    public func killTasks(app id: String, count: Int, scale: Bool) -> ActionResult {
        guard leaderReady else { log("actionRefused", id, "no Marathon leader"); return .noLeader }
        guard let i = appIndex[id] else { log("actionRefused", id, "unknown app"); return .unknownApp }
        let a = apps[i]
        var cands = a.instances.filter { $0.isActive && $0.goal == .running }
        var picked: [MarathonInstance] = []
        while picked.count < count && !cands.isEmpty {
            picked.append(cands.remove(at: killStream.int(below: cands.count)))
        }
        if scale {
            a.definition.instances = max(0, a.definition.instances - picked.count)
            for inst in picked { kill(inst, reason: "killed by operator (scale=true)") }
        } else {
            for inst in picked { kill(inst, reason: "killed by operator", replace: true) }
        }
        return .done
    }
}
