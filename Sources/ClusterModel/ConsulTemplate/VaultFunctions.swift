import SimKernel

// consul-template's Vault functions (hashicorp/consul-template@1deacb7 template/funcs.go
// `secretFunc`, `secretsFunc`, `pkiCertFunc`): they load like any other function, and at run time
// they are dependencies of the template as `service` is.
//
// - `secret PATH` is a read (dependency/vault_read.go NewVaultReadQuery, `vault.read(PATH)`);
//   `secret PATH "k=v" ...` is a write (vault_write.go NewVaultWriteQuery, `vault.write(PATH)`),
//   each extra argument split at its first "=" and trimmed, an empty one skipped, one without "="
//   the error `not k=v pair "x"`. `secrets PATH` lists (vault_list.go, `vault.list(PATH)`), `pkiCert
//   PATH "k=v" ...` issues a certificate (vault_pki.go, `vault.pki(PATH->DESTINATION)`).
// - No argument (`secret`, `pkiCert`) or "" (`secrets`) answers nil / an empty list and adds no
//   dependency. A path that is empty once spaces and "/" are trimmed is the error `vault.read:
//   invalid format: ""` (`vault.write`, `vault.list` likewise; pkiCert says `vault.read`).
// - While the dependency has no data the function answers nil (`secrets`: an empty list) and the
//   dependency is missing: runner.go runTemplate does not render the template (its output "cannot be
//   rendered or trusted") and waits for the watcher; the other templates render. `with secret ...`
//   (every public template read: docs/discovery.md, fifth corpus) skips its body on nil.
// - `consulTemplate.vaultServer` (VaultServerSpec below) models one Vault server with KV v1
//   secrets; a path it does not hold is Vault's 404, which vault_read.go makes an error (retried).
// - Without it (or with its host down) every fetch of a Vault dependency fails (the Vault API
//   client's default address, https://127.0.0.1:8200, answers nothing), and the watcher retries it
//   with the `vault` stanza's retry policy (config/vault.go DefaultVaultConfig: DefaultRetryConfig,
//   12 attempts, 250ms doubling to 1m); when they are used up watch/view.go sends the error to the
//   runner and consul-template exits non-zero, as it does for a Consul query (ConsulTemplateRunner).

/// A Vault dependency of a template, named as consul-template's String() methods name it.
public enum VaultDependency: Hashable, Sendable, CustomStringConvertible {
    case read(String)
    /// The path and the data pairs (sorted by key: a Go map).
    case write(String, [String])
    case list(String)
    case pki(String, destination: String)

    public var description: String {
        switch self {
        case .read(let p): return "vault.read(\(p))"
        // vault_write.go prints the SHA-1 of the data (sha1Map); the simulator has no hash, so the pairs
        case .write(let p, let d): return "vault.write(\(p) -> \(d.joined(separator: ",")))"
        case .list(let p): return "vault.list(\(p))"
        case .pki(let p, let dest): return "vault.pki(\(p)->\(dest))"
        }
    }
}

/// Data that can answer Vault dependencies (data that is not has none: the template blocks).
protocol VaultAnswering {
    /// A Vault dependency's answer (`secret`, `secrets`, `pkiCert`); nil while it has none.
    func vault(_ d: VaultDependency) -> TemplateValue?
}

extension TemplateFunctions {
    static let vaultNames: Set<String> = ["secret", "secrets", "pkiCert"]
}

extension TemplateRenderer {
    /// NewVault*Query's path: spaces, then "/" trimmed from both ends; empty is an error.
    func vaultPath(_ f: String, _ s: String, kind: String) throws(TemplateError) -> String {
        let path = Self.trim(Self.trim(s, while: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" }),
                             while: { $0 == "/" })
        if path.isEmpty { throw TemplateError(line: line, "error calling \(f): \(kind): invalid format: \"\"") }
        return path
    }

    public static func trim(_ s: String, while drop: (Character) -> Bool) -> String {
        var sub = Substring(s)
        while let c = sub.first, drop(c) { sub = sub.dropFirst() }
        while let c = sub.last, drop(c) { sub = sub.dropLast() }
        return String(sub)
    }

    /// The "k=v" arguments after the path (secretFunc, pkiCertFunc), as sorted "k=v" pairs.
    func vaultData(_ f: String, _ rest: ArraySlice<TemplateValue>) throws(TemplateError) -> [String] {
        var data: [String: String] = [:]
        for a in rest {
            let s = try string(f, a)
            if s.isEmpty { continue }
            guard let eq = s.firstIndex(of: "=") else { throw TemplateError(line: line, "error calling \(f): not k=v pair \(PromHash.goQuote(s))") }
            let spaces: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
            data[Self.trim(String(s[..<eq]), while: spaces)] = Self.trim(String(s[s.index(after: eq)...]), while: spaces)
        }
        return data.keys.sorted().map { "\($0)=\(data[$0]!)" }
    }

    /// A Vault dependency the render used; its answer, or nil while it has none (the template blocks).
    func vaultRead(_ d: VaultDependency) -> TemplateValue? {
        if !vaultDependencies.contains(d) { vaultDependencies.append(d) }
        noteImpureRead()
        guard let v = (data as? VaultAnswering)?.vault(d) else { block(d.description); return nil }
        return v
    }

    func vaultCall(_ f: String, _ args: [TemplateValue]) throws(TemplateError) -> TemplateValue? {
        switch f {
        case "secret", "pkiCert":
            guard let first = args.first else { return TemplateValue.none }
            let data = try vaultData(f, args.dropFirst())
            let d: VaultDependency
            if f == "pkiCert" {
                d = .pki(try vaultPath(f, try string(f, first), kind: "vault.read"), destination: destination)
            } else if args.count == 1 {
                d = .read(try vaultPath(f, try string(f, first), kind: "vault.read"))
            } else {
                d = .write(try vaultPath(f, try string(f, first), kind: "vault.write"), data)
            }
            return vaultRead(d) ?? TemplateValue.none
        case "secrets":
            try arity(f, args, 1...1)
            let s = try string(f, args[0])
            if s.isEmpty { return .list([]) }
            return vaultRead(.list(try vaultPath(f, s, kind: "vault.list"))) ?? .list([])
        default:
            return nil
        }
    }
}

/// A secret the modelled Vault server holds (KV version 1: a read of its path answers `data`).
public struct VaultSecretSpec: Equatable, Sendable {
    /// Without leading or trailing "/".
    public var path: String
    /// The secret's data as a JSON object text (`.Data` of the answer: objects are maps, numbers floats).
    public var dataJSON: String
    /// `.LeaseDuration` of the answer; Vault's KV v1 answers its mount's TTL, 768h by default.
    public var leaseDuration: SimDuration
    public var renewable: Bool
    /// What leaseCheckWait reads in the data (VaultLease.swift).
    public var fields: VaultLeaseFields
    /// KV version 2: the secret's version (1 at the start, +1 per write) and when it was written.
    public var version = 1
    public var written = SimDuration.zero
    public init(path: String, dataJSON: String, leaseDuration: SimDuration = .hours(768), renewable: Bool = false, fields: VaultLeaseFields = .none) {
        self.path = path; self.dataJSON = dataJSON; self.leaseDuration = leaseDuration; self.renewable = renewable; self.fields = fields
    }
}

/// A KV secrets engine mount (`vaultServer.mounts`): its path with a trailing "/", its version.
public struct VaultMountSpec: Equatable, Sendable {
    public var path: String
    public var version: Int
    public init(path: String, version: Int) { self.path = path.hasSuffix("/") ? path : path + "/"; self.version = version }
}

/// How a Vault server unseals when it starts (developer.hashicorp.com/vault/docs/concepts/seal).
public enum VaultSeal: String, Equatable, Sendable, CaseIterable {
    /// Vault's default: every start is sealed until operators give the unseal keys
    /// (`vault operator unseal`: the `vaultUnseal` action).
    case shamir
    /// Auto-unseal (a cloud KMS, an HSM or Transit): the server unseals itself when it starts.
    case auto
}

/// `consulTemplate.vaultServer`: one Vault server on a host, holding KV secrets (docs/discovery.md).
public struct VaultServerSpec: Equatable, Sendable {
    public var host: String
    /// What happens when its host comes back: sealed until a `vaultUnseal` action, or unsealed.
    public var seal: VaultSeal = .shamir
    /// Sorted by path.
    public var secrets: [VaultSecretSpec]
    /// KV mounts with their version; a path under none of them is KV version 1.
    public var mounts: [VaultMountSpec]
    public init(host: String, secrets: [VaultSecretSpec], mounts: [VaultMountSpec] = []) {
        self.host = host; self.secrets = secrets.sorted { $0.path < $1.path }; self.mounts = mounts
    }

    /// vault_common.go isKVv2: Vault's sys/internal/ui/mounts/PATH answers the mount holding the
    /// path (the longest); consul-template shims paths only on a "kv" mount of version "2". A path
    /// under no mount is an error there, which isKVv2's caller takes as version 1.
    public func kv2Mount(_ path: String) -> String? {
        var best: VaultMountSpec? = nil
        for m in mounts where (path + "/").hasPrefix(m.path) && m.path.count > (best?.path.count ?? 0) { best = m }
        guard let b = best, b.version == 2 else { return nil }
        return b.path
    }

    /// vault_read.go shimKVv2Path (no namespace): `data/` inserted after the mount unless the rest
    /// already starts with data/, metadata/ or subkeys/; the mount itself reads MOUNT/data.
    static func shimKVv2(_ raw: String, mount: String) -> String {
        if raw == mount || raw + "/" == mount { return mount + "data" }
        let rest = raw.hasPrefix(mount) ? String(raw.dropFirst(mount.count)) : raw
        if rest.hasPrefix("data/") || rest.hasPrefix("metadata/") || rest.hasPrefix("subkeys/") { return raw }
        return mount + "data/" + rest
    }

    /// vault_list.go shimKvV2ListPath: `metadata` inserted after the mount unless already there.
    static func shimKVv2List(_ raw: String, mount: String) -> String {
        let m = String(mount.dropLast())
        if raw.hasPrefix(m + "/metadata") { return raw }
        if raw == m { return m + "/metadata" }
        return m + "/metadata/" + raw.dropFirst(raw.hasPrefix(m + "/") ? m.count + 1 : 0)
    }

    /// What a read of `raw` gives leaseCheckWait: the secret's lease, data fields and renewability;
    /// nil when the read fails. A KV version 2 read answers no lease (0) and `.Data` holds only
    /// `data` and `metadata`.
    public func readTerms(_ raw: String) -> (leaseSeconds: Int64, fields: VaultLeaseFields, renewable: Bool)? {
        if kv2Mount(raw) != nil { return (0, .none, false) }
        return secret(raw).map { ($0.leaseDuration.nanoseconds / 1_000_000_000, $0.fields, $0.renewable) }
    }

    /// The secret at `path`, if held.
    public func secret(_ path: String) -> VaultSecretSpec? { secrets.first { $0.path == path } }

    /// A `vaultWrite` action: KV v1's write replaces the secret at the path (a new path gets
    /// the default lease); nil data deletes it.
    public mutating func write(_ path: String, dataJSON: String?, fields: VaultLeaseFields, at now: SimDuration = .zero) {
        let old = secrets.firstIndex { $0.path == path }
        guard let dataJSON else { if let old { secrets.remove(at: old) }; return }
        if let old {
            secrets[old].dataJSON = dataJSON; secrets[old].fields = fields; secrets[old].version += 1; secrets[old].written = now
            return
        }
        var s = VaultSecretSpec(path: path, dataJSON: dataJSON, fields: fields)
        s.written = now
        secrets.append(s)
        secrets.sort { $0.path < $1.path }
    }

    /// What a Vault dependency fetches from this server (the server up): its answer, or the error
    /// consul-template gets (then it retries).
    public func answerError(_ d: VaultDependency) -> String? { if case .failure(let e) = answer(d) { return e.message }; return nil }

    func answer(_ d: VaultDependency, timeZeroUnixNs: Int64 = PromTime.defaultBaseMs * 1_000_000) -> Result<TemplateValue, VaultFetchError> {
        switch d {
        case .read(let raw) where kv2Mount(raw) != nil:
            // KV version 2: GET MOUNT/data/REST answers {data, metadata}, no lease
            let mount = kv2Mount(raw)!, secretPath = Self.shimKVv2(raw, mount: mount)
            guard secretPath.hasPrefix(mount + "data/") else {
                if secretPath == mount + "data" { return .failure(VaultFetchError("no secret exists at \(secretPath)")) }
                return .failure(VaultFetchError("\(d) reads \(secretPath): KV version 2 metadata and subkeys are not modelled"))
            }
            guard let s = secret(mount + secretPath.dropFirst(mount.count + 5)) else { return .failure(VaultFetchError("no secret exists at \(secretPath)")) }
            var j = TemplateJSON(Array(s.dataJSON.utf8))
            let created = GoTimeLayout.format("2006-01-02T15:04:05.999999999Z07:00", unixNanos: timeZeroUnixNs &+ s.written.nanoseconds)
            let metadata = TemplateValue.map(TemplateMap([("created_time", .string(created)), ("custom_metadata", .none), ("deletion_time", .string("")),
                                                          ("destroyed", .bool(false)), ("version", .int(s.version))]))
            return .success(.map(TemplateMap([("Data", .map(TemplateMap([("data", j.document() ?? .map(TemplateMap([]))), ("metadata", metadata)]))),
                                              ("LeaseDuration", .int(0)), ("LeaseID", .string("")), ("Renewable", .bool(false)),
                                              ("RequestID", .string("")), ("Warnings", .list([]))])))
        case .list(let raw) where kv2Mount(raw) != nil:
            // LIST MOUNT/metadata/REST lists the keys under MOUNT/REST
            let mount = kv2Mount(raw)!, listPath = Self.shimKVv2List(raw, mount: mount)
            let under = String(listPath.dropFirst(mount.count + "metadata".count))
            return .success(list(TemplateRenderer.trim(String(mount.dropLast()) + under, while: { $0 == "/" })))
        case .read(let p):
            // vault_read.go readSecret: a nil secret (Vault's 404) is `no secret exists at PATH`
            guard let s = secrets.first(where: { $0.path == p }) else { return .failure(VaultFetchError("no secret exists at \(p)")) }
            var j = TemplateJSON(Array(s.dataJSON.utf8))
            let data = j.document() ?? .map(TemplateMap([]))
            return .success(.map(TemplateMap([("Data", data), ("LeaseDuration", .int(Int(s.leaseDuration.nanoseconds / 1_000_000_000))),
                                              ("LeaseID", .string("")), ("Renewable", .bool(s.renewable)), ("RequestID", .string("")),
                                              ("Warnings", .list([]))])))
        case .list(let p):
            return .success(list(p))
        case .write, .pki:
            return .failure(VaultFetchError("\(d) is not modelled by the simulated Vault (it holds KV secrets only)"))
        }
    }
}

extension VaultServerSpec {
    /// A list of PATH (no mount shim): every held path's next segment under PATH/.
    func list(_ p: String) -> TemplateValue {
        // Vault's LIST: the next segment of every path under PATH/, a folder with its "/";
        // vault_list.go sorts them, and nothing under the path (404) is an empty list
        var keys: [String] = []
        for s in secrets where s.path.hasPrefix(p + "/") {
            let rest = s.path.dropFirst(p.count + 1)
            let k = rest.firstIndex(of: "/").map { String(rest[...$0]) } ?? String(rest)
            if !keys.contains(k) { keys.append(k) }
        }
        return .list(keys.sorted { goLess($0, $1) }.map { .string($0) })
    }
}

public struct VaultFetchError: Error { public let message: String; init(_ m: String) { message = m } }
