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
        // `mounts`: KV engines by path with their version (Vault's `secrets enable -version=2 -path=P kv`)
        var mounts: [VaultMountSpec] = []
        if let mv = r.value("mounts") {
            let mp = r.keyPath("mounts")
            if let members = mv.objectMembers {
                for m in members {
                    let p = JSONPath.key(mp, m.key)
                    if TemplateRenderer.trim(m.key, while: { $0 == "/" }) != m.key || m.key.isEmpty {
                        d.error(p, at: m.value, "a mount's path has no leading or trailing \"/\" and is not empty, like \"secret\", got \(JSONValue.quote(m.key))")
                        continue
                    }
                    let e = ObjectReader(m.value, path: p, diagnostics: d, keys: vaultMountKeys)
                    guard e.isObject else { continue }
                    let version = e.required("version", .int(min: 1, max: 2), hint: "the KV engine's version, 1 or 2")
                    e.finish()
                    if let version { mounts.append(VaultMountSpec(path: m.key, version: version)) }
                }
            } else {
                d.error(mp, at: mv, typeMismatch("an object of KV mounts by path, like {\"secret\": {\"version\": 2}}", mv))
            }
        }
        let probe = VaultServerSpec(host: "", secrets: [], mounts: mounts)
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
                    let kv2 = probe.kv2Mount(trimmed) != nil
                    if kv2 {
                        // a KV version 2 read answers no lease and is not renewable
                        for k in ["lease_duration", "renewable"] where e.has(k) {
                            e.reject(k, "only for KV version 1 secrets: \(JSONValue.quote(trimmed)) is on the KV version 2 mount \(JSONValue.quote(String(probe.kv2Mount(trimmed)!.dropLast()))), whose reads answer no lease")
                        }
                    }
                    let lease = kv2 ? .zero : e.optional("lease_duration", .duration(.nonNegative), default: .hours(768))
                    let renewable = kv2 ? false : (e.optional("renewable", .bool, default: false) ?? false)
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
        let seal = r.optional("seal", .oneOf(VaultSeal.allCases.map(\.rawValue)), default: VaultSeal.shamir.rawValue).flatMap(VaultSeal.init(rawValue:))
        r.finish()
        guard d.errorCount == before, let host, let seal else { return nil }
        var spec = VaultServerSpec(host: host, secrets: secrets, mounts: mounts)
        spec.seal = seal
        return spec
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
        KeySpec("seal", "string", default: "`\"shamir\"`", allowed: "`\"shamir\"` or `\"auto\"`.",
                meaning: "What Vault does when its host comes back: every Vault server starts sealed, and a sealed Vault answers every request 503 `Vault is sealed` (consul-template retries). With Vault's default Shamir seal it stays sealed until operators unseal it (a `vaultUnseal` action); `auto` is auto-unseal (a cloud KMS, an HSM, Transit: Vault 1.0+), which unseals at once. The run starts unsealed.",
                source: "developer.hashicorp.com/vault/docs/concepts/seal (\"When a Vault server is started, it starts in a sealed state\"; the default configuration uses a Shamir seal)"),
        KeySpec("mounts", "object", default: "`{}` (every path KV version 1)", allowed: "Mount paths (no leading or trailing \"/\") → `{\"version\": 1 or 2}` (`consulTemplate.vaultServer.mounts.<path>`).",
                meaning: "The KV secrets engines and their versions; a secret belongs to the longest mount that prefixes its path. Vault's dev server mounts `secret` as version 2; the simulator's default, version 1 everywhere, is Vault's before 0.10 and `vault secrets enable kv`'s."),
        KeySpec("secrets", "object", default: "`{}`", allowed: "Paths (no leading or trailing \"/\") → secrets (`consulTemplate.vaultServer.secrets.<path>`).",
                meaning: "The KV secrets Vault holds: `secret \"PATH\"` answers one (`.Data.<key>`; under a KV version 2 mount `.Data.data.<key>` and `.Data.metadata`), `secrets \"PATH\"` lists the next segments under PATH/; a read of a path it does not hold is Vault's 404, `no secret exists at PATH`, retried."),
    ])

    static let vaultMountKeys = SectionKeys("consulTemplate.vaultServer.mounts.<path>", [
        KeySpec("version", "integer", default: "—", allowed: "1 or 2.",
                meaning: "The KV secrets engine's version. On a version 2 mount consul-template reads `MOUNT/data/REST` (its `.Data.data` and `.Data.metadata`), lists `MOUNT/metadata/REST`, and re-reads every 5m x (0.9 ± 0.05) (no lease).",
                source: "hashicorp/consul-template@1deacb7 dependency/vault_common.go isKVv2, vault_read.go shimKVv2Path, vault_list.go shimKvV2ListPath"),
    ])

    static let vaultSecretKeys = SectionKeys("consulTemplate.vaultServer.secrets.<path>", [
        KeySpec("data", "object", default: "—", allowed: "A JSON object (objects are maps, numbers floats, as `parseJSON`).",
                meaning: "The secret's `.Data` (KV version 1) or `.Data.data` (version 2)."),
        KeySpec("lease_duration", "duration", default: "`768h`", allowed: ">= 0; only for KV version 1 secrets (a version 2 read answers 0).",
                meaning: "The answer's `.LeaseDuration` (seconds): what Vault's KV v1 answers, its mount's TTL.",
                source: "developer.hashicorp.com/vault/api-docs/secret/kv/kv-v1 (a read answers `lease_duration`, from the data's `ttl` when it has one); otherwise the mount's default lease TTL, Vault's system default 768h (32 days)"),
        KeySpec("renewable", "bool", default: "`false`", allowed: "true or false; only for KV version 1 secrets.", meaning: "The answer's `.Renewable` (KV v1 secrets are not; a renewable one has no lease ID, so consul-template re-reads it in a loop, about every 100-120 ms)."),
    ])
}
