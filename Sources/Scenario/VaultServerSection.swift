import ClusterModel
import SimKernel

// `consulTemplate.vaultServer`: the simulator's own key (consul-template has none: its `vault`
// stanza says where Vault is, not what it holds): one Vault server on a named host holding KV
// version 1 secrets by path, which `secret` reads and `secrets` lists (VaultFunctions.swift,
// docs/discovery.md "Templates that read Vault").

extension ScenarioSchema {
    static func decodeVaultServer(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool, _ d: Diagnostics) -> VaultServerSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: vaultServerKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let host = r.required("host", .nonEmptyString, hint: "the host Vault runs on, like \"master-01\"")
        if let h = host, let problem = HostDirectory(groups: hostGroups.map { ($0.name, $0.count) }, complete: hostGroupsComplete).problem(with: h) {
            d.error(r.keyPath("host"), at: r.value["host"], problem)
        }
        var secrets: [VaultSecretSpec] = []
        if let sv = r.value("secrets") {
            let sp = r.keyPath("secrets")
            if let members = sv.objectMembers {
                for m in members {
                    let p = JSONPath.key(sp, m.key)
                    let trimmed = TemplateRenderer.trim(m.key, while: { $0 == "/" })
                    if trimmed.isEmpty || trimmed != m.key {
                        d.error(p, at: m.value, "a secret's path has no leading or trailing \"/\" and is not empty, like \"secret/app\", got \(JSONValue.quote(m.key))")
                        continue
                    }
                    let e = ObjectReader(m.value, path: p, diagnostics: d, keys: vaultSecretKeys)
                    guard e.isObject else { continue }
                    var dataJSON: String? = nil
                    if let dv = e.value("data") {
                        if dv.objectMembers != nil { dataJSON = dv.serialized() } else {
                            d.error(e.keyPath("data"), at: dv, typeMismatch("an object (the secret's key/value data, like {\"username\": \"app\", \"password\": \"s3cret\"})", dv))
                        }
                    } else {
                        d.error(p, at: m.value, "missing required key \"data\" (the secret's key/value data)")
                    }
                    let lease = e.optional("lease_duration", .duration(.nonNegative), default: .hours(768))
                    let renewable = e.optional("renewable", .bool, default: false) ?? false
                    e.finish()
                    if let dataJSON, let lease {
                        secrets.append(VaultSecretSpec(path: trimmed, dataJSON: dataJSON, leaseDuration: lease, renewable: renewable,
                                                       fields: vaultLeaseFields(e.value["data"]!)))
                    }
                }
            } else {
                d.error(sp, at: sv, typeMismatch("an object of secrets by path, like {\"secret/app\": {\"data\": {\"password\": \"s3cret\"}}}", sv))
            }
        }
        r.finish()
        guard d.errorCount == before, let host else { return nil }
        return VaultServerSpec(host: host, secrets: secrets)
    }

    /// What consul-template's leaseCheckWait reads in a secret's data (VaultLease.swift): the
    /// members it type-asserts to json.Number, as Vault's client decodes them (UseNumber: a
    /// number keeps its literal, which json.Number.Int64 parses as a base-10 integer).
    static func vaultLeaseFields(_ data: JSONValue) -> VaultLeaseFields {
        func number(_ key: String) -> VaultNumberField {
            guard let v = data[key] else { return .absent }
            if let n = v.numberValue { return n.isIntegerLiteral ? Int64(n.text).map { .integer($0) } ?? .otherNumber : .otherNumber }
            if v.stringValue != nil { return .notNumber("string") }
            if v.objectMembers != nil { return .notNumber("map[string]interface {}") }
            if v.arrayValue != nil { return .notNumber("[]interface {}") }
            if case .bool = v.kind { return .notNumber("bool") }
            return .notNumber("nil")
        }
        var f = VaultLeaseFields()
        f.certificate = data["certificate"] != nil; f.expiration = number("expiration")
        f.secretID = data["secret_id"] != nil; f.secretIDTTL = number("secret_id_ttl")
        f.rotationPeriod = data["rotation_period"] != nil; f.ttl = number("ttl")
        return f
    }

    static let vaultServerKeys = SectionKeys("consulTemplate.vaultServer", [
        KeySpec("host", "string", default: "—", allowed: "A host name of the scenario.",
                meaning: "The host Vault runs on: while it is down, every Vault fetch fails and is retried."),
        KeySpec("secrets", "object", default: "`{}`", allowed: "Paths (no leading or trailing \"/\") → secrets (`consulTemplate.vaultServer.secrets.<path>`).",
                meaning: "The KV version 1 secrets Vault holds: `secret \"PATH\"` answers one (`.Data.<key>`), `secrets \"PATH\"` lists the next segments under PATH/; a read of a path it does not hold is Vault's 404, `no secret exists at PATH`, retried."),
    ])

    static let vaultSecretKeys = SectionKeys("consulTemplate.vaultServer.secrets.<path>", [
        KeySpec("data", "object", default: "—", allowed: "A JSON object (objects are maps, numbers floats, as `parseJSON`).",
                meaning: "The secret's `.Data`."),
        KeySpec("lease_duration", "duration", default: "`768h`", allowed: ">= 0.",
                meaning: "The answer's `.LeaseDuration` (seconds): what Vault's KV v1 answers, its mount's TTL.",
                source: "developer.hashicorp.com/vault/api-docs/secret/kv/kv-v1 (a read answers `lease_duration`, from the data's `ttl` when it has one); otherwise the mount's default lease TTL, Vault's system default 768h (32 days)"),
        KeySpec("renewable", "bool", default: "`false`", allowed: "true or false.", meaning: "The answer's `.Renewable` (KV v1 secrets are not)."),
    ])
}
