import ClusterModel
import SimKernel

// `consulCheckUpdate` actions (ActionsSection.swift) checked against the `consul` section, which is
// read after the actions: Consul's agent updates only TTL checks through /v1/agent/check/pass|warn|
// fail|update (agent/agent.go `updateTTLCheck`: any other check is `CheckID "..." does not have
// associated TTL`, HTTP 500), so an action whose app registers no TTL check (or whose `check`
// names none) could never do anything: an error at load, as a call that always fails.
extension ScenarioSchema {
    static func checkConsulCheckUpdates(_ raw: JSONValue?, consul: ConsulSpec?, consulGiven: Bool, apps: [AppDefinition],
                                        hosts: HostDirectory, _ d: Diagnostics) {
        guard let list = raw?.arrayValue else { return }
        var plans: [(appId: String, plan: RegistratorPlan)]? = nil
        for (i, e) in list.enumerated() where e["kind"]?.stringValue == "consulCheckUpdate" {
            let path = JSONPath.index("actions", i)
            guard consulGiven else {
                d.error(JSONPath.key(path, "kind"), at: e["kind"] ?? e, "a consulCheckUpdate action updates checks of Consul's agents: the scenario needs a \"consul\" section")
                continue
            }
            if let h = e["host"]?.stringValue, hosts.complete, let problem = hosts.problem(with: h) {
                d.error(JSONPath.key(path, "host"), at: e["host"] ?? e, problem)
            }
            guard let consul, let raw = e["app"]?.stringValue else { continue }
            let app = MarathonPath.canonical(raw)
            guard apps.contains(where: { $0.id == app }) else { continue }   // "no Marathon app", said by the action's reader
            // the app's registrations: its definitions, else registrator's
            var defs = consul.services.first(where: { $0.appId == app })?.definitions
            if defs == nil {
                if plans == nil { plans = consul.registratorPlans(apps: apps) }
                defs = plans?.first(where: { $0.appId == app })?.plan.services.map(\.definition)
            }
            let checks = (defs ?? []).flatMap(\.checks)
            let ttl = checks.filter { $0.kind == .ttl }
            if let want = e["check"]?.stringValue {
                guard let named = checks.first(where: { $0.name == want || $0.id == want }) else {
                    let names = checks.map { $0.id ?? $0.name }.filter { !$0.isEmpty }
                    d.error(JSONPath.key(path, "check"), at: e["check"] ?? e,
                            "app \(JSONValue.quote(app)) registers no check named \(JSONValue.quote(want))\(Suggest.didYouMean(want, among: names)); its checks: \(names.isEmpty ? "none" : Suggest.listed(names))")
                    continue
                }
                if named.kind != .ttl {
                    d.error(JSONPath.key(path, "check"), at: e["check"] ?? e,
                            "check \(JSONValue.quote(want)) of app \(JSONValue.quote(app)) is a \(named.kind.rawValue) check: Consul updates only TTL checks through /v1/agent/check/... (it answers 500 CheckID \"...\" does not have associated TTL)")
                }
            } else if ttl.isEmpty {
                let what = defs == nil ? "is not registered in Consul with checks (no consul.services entry, no registrator SERVICE_CHECK_TTL)"
                    : "registers no TTL check (\(checks.isEmpty ? "no checks" : "its checks: " + checks.map(\.kind.rawValue).joined(separator: ", ")))"
                d.error(JSONPath.key(path, "app"), at: e["app"] ?? e,
                        "app \(JSONValue.quote(app)) \(what): Consul updates only TTL checks through /v1/agent/check/... (it answers 500 CheckID \"...\" does not have associated TTL)")
            }
        }
    }
}
