import SimKernel

// marathon-lb regenerates its whole haproxy.cfg on every Marathon event of any app (reset_from_tasks),
// and the file must stay exactly what it writes. At 1,000 agents that was 31 % of a run: every
// regeneration listed, named and sorted the servers of every labelled app. This cache keeps, per
// HAPROXY_GROUP and per app, what the app adds to the file (MarathonLBConfig.services) with the
// inputs it was made from (the definition's id, ports, labels and health checks; the tasks
// marathon-lb would list, in Marathon's order), rebuilds an app's services only when those
// changed, and assembles the file from the services; when no app changed, the last file is the
// answer. Checking an app costs a pass over its instances comparing task ids (no names, no sort).
// An app whose `MarathonAppState.revision` (bumped by Marathon at every change of its definition or
// of its instances' list, state, reachability or health) has not moved since it was checked, and
// whose listed tasks Mesos still holds, is skipped without reading its definition (issue 14).

/// The parts of an app definition marathon-lb's file depends on (`MarathonLBConfig.services`).
struct MarathonLBAppInputs: Equatable {
    var id: String
    var ports: [AppPort]
    var labels: [Label]
    var healthChecks: [HealthCheck]
    init(_ d: AppDefinition) { id = d.id; ports = d.ports; labels = d.labels; healthChecks = d.healthChecks }
}

/// One listed task, as the cache compares it: the task (ids are unique for the run, the Mesos
/// object is its identity) and its host; `listed` is nil when the task lacks the app's ports.
struct MarathonLBCachedTask {
    let task: TaskID
    let host: Int
    let mesosTask: MesosTask
    let listed: MarathonLBTask?
}

/// The cache of one HAPROXY_GROUP (instances of the same group generate the same file).
final class MarathonLBCache {
    struct App {
        var inputs: MarathonLBAppInputs
        var served: Bool
        var services: [MarathonLBService] = []
    }
    let groups: [String]
    /// The same, for the per-port test (an instance may serve many groups).
    let groupSet: Set<String>
    let strictMode: Bool
    /// The marathon-lb release whose text is written.
    let release: MarathonLBVersion
    /// By position in Marathon's app list; beside them (read without copying an `App`), each
    /// app's `revision` when it was last checked (-1: never) and its listed tasks.
    var apps: [App?] = []
    var revisions: [Int] = []
    var tasks: [[MarathonLBCachedTask]] = []
    var last: HAProxyConfiguration?
    /// Regenerations answered from the cache without rebuilding any app, and apps rebuilt.
    private(set) var unchanged = 0
    private(set) var rebuilt = 0

    init(groups: [String], strictMode: Bool, release: MarathonLBVersion = .baseline) {
        self.groups = groups; self.groupSet = Set(groups); self.strictMode = strictMode; self.release = release
    }

    /// What marathon-lb generates now for this group, as `MarathonLBConfig.generate` over every app
    /// (`healthCheck`: the --health-check flag).
    func configuration(marathon: MarathonScheduler, healthCheck: Bool, hostName: (Int) -> String) -> HAProxyConfiguration {
        let list = marathon.apps
        var changed = last == nil || apps.count != list.count
        if apps.count > list.count {
            let n = apps.count - list.count
            apps.removeLast(n); revisions.removeLast(n); tasks.removeLast(n)
        }
        while apps.count < list.count { apps.append(nil); revisions.append(-1); tasks.append([]) }
        let byRevision = marathon.cacheByRevision
        for (k, a) in list.enumerated() {
            if byRevision, revisions[k] == a.revision, stillHeld(tasks[k], marathon.mesos) { continue }
            revisions[k] = a.revision
            let def = a.definition
            if var c = apps[k], c.inputs.ports == def.ports, c.inputs.id == def.id, c.inputs.labels == def.labels,
               c.inputs.healthChecks == def.healthChecks {
                guard c.served else { continue }
                // the same definition: rebuilt only when its listed tasks changed
                if refresh(&tasks[k], a, def, marathon: marathon, healthCheck: healthCheck) {
                    apps[k] = nil   // no second reference while `c.services` is replaced
                    c.services = MarathonLBConfig.services(of: def, index: a.index, tasks: tasks[k].compactMap(\.listed), groups: groupSet,
                                                           strictMode: strictMode, release: release, hostName: hostName)
                    apps[k] = c
                    rebuilt += 1; changed = true
                }
                continue
            }
            // a new or changed definition: an app no port of which this group serves adds nothing
            changed = true
            let served = !def.ports.isEmpty && MarathonLBConfig.serves(def, groups: groupSet, strictMode: strictMode)
            var c = App(inputs: MarathonLBAppInputs(def), served: served)
            tasks[k] = []
            if served {
                _ = refresh(&tasks[k], a, def, marathon: marathon, healthCheck: healthCheck)
                c.services = MarathonLBConfig.services(of: def, index: a.index, tasks: tasks[k].compactMap(\.listed), groups: groupSet,
                                                       strictMode: strictMode, release: release, hostName: hostName)
                rebuilt += 1
            }
            apps[k] = c
        }
        if !changed, let cfg = last { unchanged += 1; return cfg }
        var services: [MarathonLBService] = []
        for c in apps { if let c, c.served { services += c.services } }
        let cfg = MarathonLBConfig.assemble(services, release: release)
        last = cfg
        return cfg
    }

    /// The last configuration without the services of the apps `excluded` (Marathon app indices):
    /// make_config_valid_and_regenerate's file, which leaves out the apps that made `haproxy -c`
    /// refuse the candidate.
    func configuration(excluding excluded: Set<Int>) -> HAProxyConfiguration {
        var services: [MarathonLBService] = []
        for c in apps {
            if let c, c.served { services += c.services.filter { s in s.backend.map { !excluded.contains($0.app) } ?? true } }
        }
        return MarathonLBConfig.assemble(services, release: release)
    }

    /// Whether Mesos still holds every listed task (it forgets a task once it is over everywhere,
    /// which may come before Marathon hears of its end: marathon-lb lists only tasks it finds).
    private func stillHeld(_ tasks: [MarathonLBCachedTask], _ mesos: MesosCluster) -> Bool {
        for t in tasks where mesos.task(t.task) !== t.mesosTask { return false }
        return true
    }

    /// Whether marathon-lb `release` lists instance `inst` of an app with health checks `checks` as
    /// a server (get_apps): its state (`MarathonLBVersion.listsTask`), then with `--health-check`
    /// (`healthCheck`) and health checks its results: one per check that has one (a Marathon-level
    /// check once it has a success or a failure, a Mesos-level one once Mesos reported `healthy`,
    /// which Marathon's health actor takes as the check's result); none: not listed; else all of
    /// them alive, or from 1.14.2 any (`anyHealthResultAlive`).
    static func lists(_ inst: MarathonInstance, checks: [HealthCheck], healthCheck: Bool, release: MarathonLBVersion) -> Bool {
        guard release.listsTask(inst.state, unreachable: inst.isUnreachable) else { return false }
        guard healthCheck && !checks.isEmpty else { return true }
        var results = 0, alive = 0
        for (i, c) in checks.enumerated() {
            if c.protocol.isMesosLevel {
                guard let h = inst.mesosHealthy else { continue }
                results += 1; if h { alive += 1 }
            } else if i < inst.health.count, inst.health[i].lastSuccess != nil || inst.health[i].lastFailure != nil {
                results += 1; if inst.health[i].alive { alive += 1 }
            }
        }
        guard results > 0 else { return false }
        return release.anyHealthResultAlive ? alive > 0 : alive == results
    }

    /// The tasks marathon-lb lists for app `a` now (`lists`), compared in place with `tasks`; a
    /// difference replaces the list from there on. Returns whether it changed.
    private func refresh(_ tasks: inout [MarathonLBCachedTask], _ a: MarathonAppState, _ def: AppDefinition,
                         marathon: MarathonScheduler, healthCheck: Bool) -> Bool {
        var n = 0
        var changed = false
        for inst in a.instances where Self.lists(inst, checks: def.healthChecks, healthCheck: healthCheck, release: release) {
            guard let t = marathon.mesos.task(inst.task) else { continue }
            if !changed, n < tasks.count, tasks[n].task == inst.task, tasks[n].host == inst.host, tasks[n].mesosTask === t {
                n += 1
                continue
            }
            if !changed { changed = true; tasks.removeLast(tasks.count - n) }
            let listed = t.resources.ports.lowest(def.ports.count).map { MarathonLBTask(task: inst.task, host: inst.host, ports: $0) }
            tasks.append(MarathonLBCachedTask(task: inst.task, host: inst.host, mesosTask: t, listed: listed))
            n += 1
        }
        if !changed && n < tasks.count { changed = true; tasks.removeLast(tasks.count - n) }
        return changed
    }
}
