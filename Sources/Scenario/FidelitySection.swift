import ClusterModel

// The `fidelity` section (docs/scenarios.md): exact or fast (equal in distribution) paths of the model, per path.
extension ScenarioSchema {
    static func decodeFidelity(_ v: JSONValue, path: String, _ d: Diagnostics) -> FidelitySpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: fidelityKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        var spec = FidelitySpec()
        let mode = ValueDecoder<String>.oneOf(FidelitySpec.Mode.allCases.map(\.rawValue), what: "fidelity mode")
        func read(_ key: String) -> FidelitySpec.Mode? { r.optional(key, mode).flatMap(FidelitySpec.Mode.init(rawValue:)) }
        if let m = read("healthChecks") { spec.healthChecks = m }
        if let m = read("offers") { spec.offers = m }
        if let m = read("consulChecks") { spec.consulChecks = m }
        if let m = read("gossip") { spec.gossip = m }
        r.finish()
        return d.errorCount == before ? spec : nil
    }

    static let fidelityKeys = SectionKeys(#"fidelity"#, [
        KeySpec(#"healthChecks"#, #"string"#, default: #"`"fast"`"#, allowed: #"`"exact"`, `"fast"`."#,
                meaning: #"Marathon-level and Mesos-level health checks. `exact` probes every instance every interval with a response-time draw; `fast` draws a healthy instance's next failing probe directly (equal in distribution)."#,
                source: #"issue 14; docs/benchmarks.md"#),
        KeySpec(#"offers"#, #"string"#, default: #"`"fast"`"#, allowed: #"`"exact"`, `"fast"`."#,
                meaning: #"Offers after a revive. `exact` makes one offer per agent and Marathon declines each; `fast` draws the accepting agent among the agents that fit and files the declines as one batch (equal in distribution)."#,
                source: #"issue 14; docs/benchmarks.md"#),
        KeySpec(#"consulChecks"#, #"string"#, default: #"`"fast"`"#, allowed: #"`"exact"`, `"fast"`."#,
                meaning: #"Consul agents' service checks. `exact` runs every check every interval as an event drawing its response time (the same as `consul.exactChecks: true`: either one selects it); `fast` draws a passing check's next slow run directly (geometric, equal in distribution)."#,
                source: #"issue 14; docs/consul.md "Check model""#),
        KeySpec(#"gossip"#, #"string"#, default: #"`"fast"`"#, allowed: #"`"exact"`, `"fast"`."#,
                meaning: #"Memberlist's failure detector. `exact` simulates every member's probe loop tick by tick (shuffled round robin, indirect probes, suspicion timers confirmed by each prober; an event per member per probe interval); `fast` computes a dead member's suspect and dead times from the probe schedule when its host goes down, and a healthy pool schedules nothing (equal in distribution)."#,
                source: #"issue 14; hashicorp/memberlist:state.go, suspicion.go; docs/consul.md"#),
    ])
}
