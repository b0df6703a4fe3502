import ClusterModel
import Foundation
import SimKernel

// Checks Prometheus 2.42 makes on parts of prometheus.yml the simulator does not use (so they load
// with a warning) but that decide whether the file loads at all: the http client settings
// (prometheus/common v0.39.0 config/http_config.go HTTPClientConfig.Validate), marathon_sd's
// token rules (discovery/marathon/marathon.go), remote_write / remote_read sections and headers
// (config/config.go), and the relabel rules of alerting. Same messages as Prometheus.

extension PrometheusConfigFile {
    /// A member that is present and not null.
    static func given(_ v: JSONValue, _ k: String) -> JSONValue? {
        guard let x = v[k], !x.isNull else { return nil }
        return x
    }

    /// A string member that is present and non-empty (Go's `len(s) > 0`); a YAML number or boolean
    /// decodes into a string field as its text, as in Prometheus.
    static func nonEmpty(_ v: JSONValue?, _ k: String) -> Bool {
        guard let v, let x = given(v, k), let s = RuleFileReader.scalar(x) else { return false }
        return !s.isEmpty
    }

    /// The http client's nested structs as yaml.v2 decodes them strictly (prometheus/common v0.39.0,
    /// and v0.38.0 for Alertmanager 0.25, config/http_config.go): their fields, and the type name
    /// yaml.v2 gives for an unknown one (`config.plain` where the struct has its own UnmarshalYAML).
    static let httpClientStructs: [(key: String, type: String, fields: [String])] = [
        ("basic_auth", "config.plain", ["username", "password", "password_file"]),
        ("authorization", "config.Authorization", ["type", "credentials", "credentials_file"]),
        ("oauth2", "config.OAuth2", ["client_id", "client_secret", "client_secret_file", "scopes", "token_url", "endpoint_params",
                                     "proxy_url", "tls_config"]),
        ("tls_config", "config.plain", ["ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify", "min_version", "max_version"]),
    ]

    /// Unknown fields of basic_auth, authorization, oauth2 and tls_config (also oauth2's own
    /// tls_config), and TLSVersion.UnmarshalYAML: `unknown TLS version: TLS14` (TLS10 ... TLS13 only,
    /// as written). False when one was found.
    static func checkHTTPClientStructs(_ v: JSONValue, path: String, _ d: Diagnostics) -> Bool {
        let before = d.errorCount
        func check(_ owner: JSONValue, _ ownerPath: String, only: String? = nil) {
            for (key, type, fields) in httpClientStructs where only == nil || only == key {
                guard let x = given(owner, key), let members = x.objectMembers else { continue }
                let p = JSONPath.key(ownerPath, key)
                for m in members where !fields.contains(m.key) {
                    d.error(JSONPath.key(p, m.key), location: m.keyLocation ?? m.value.location, "field \(m.key) not found in type \(type)")
                }
                if key == "tls_config" {
                    for k in ["min_version", "max_version"] {
                        guard let t = given(x, k) else { continue }
                        let s = RuleFileReader.scalar(t) ?? ""
                        if !["TLS10", "TLS11", "TLS12", "TLS13"].contains(s) { d.error(JSONPath.key(p, k), at: t, "unknown TLS version: \(s)") }
                    }
                }
                if key == "oauth2" { check(x, p, only: "tls_config") }
            }
        }
        check(v, path)
        return d.errorCount == before
    }

    /// HTTPClientConfig.Validate: which authentications may go together.
    static func checkHTTPClient(_ v: JSONValue, path: String, _ d: Diagnostics) {
        guard checkHTTPClientStructs(v, path: path, d) else { return }
        let bearer = nonEmpty(v, "bearer_token") || nonEmpty(v, "bearer_token_file")
        let basic = given(v, "basic_auth"), oauth2 = given(v, "oauth2"), authz = given(v, "authorization")
        func fail(_ message: String) { d.error(path, at: v, message) }
        if nonEmpty(v, "bearer_token") && nonEmpty(v, "bearer_token_file") { return fail("at most one of bearer_token & bearer_token_file must be configured") }
        if (basic != nil || oauth2 != nil) && bearer { return fail("at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured") }
        if nonEmpty(basic, "password") && nonEmpty(basic, "password_file") { return fail("at most one of basic_auth password & password_file must be configured") }
        if let authz {
            if bearer { return fail("authorization is not compatible with bearer_token & bearer_token_file") }
            if nonEmpty(authz, "credentials") && nonEmpty(authz, "credentials_file") { return fail("at most one of authorization credentials & credentials_file must be configured") }
            if given(authz, "type").flatMap(RuleFileReader.scalar)?.trimmingCharacters(in: .whitespaces).lowercased() == "basic" {
                return fail(#"authorization type cannot be set to "basic", use "basic_auth" instead"#)
            }
            if basic != nil || oauth2 != nil { return fail("at most one of basic_auth, oauth2 & authorization must be configured") }
        }
        if let oauth2 {
            if basic != nil { return fail("at most one of basic_auth, oauth2 & authorization must be configured") }
            if !nonEmpty(oauth2, "client_id") { return fail("oauth2 client_id must be configured") }
            if !nonEmpty(oauth2, "client_secret") && !nonEmpty(oauth2, "client_secret_file") { return fail("either oauth2 client_secret or client_secret_file must be configured") }
            if !nonEmpty(oauth2, "token_url") { return fail("oauth2 token_url must be configured") }
            if nonEmpty(oauth2, "client_secret") && nonEmpty(oauth2, "client_secret_file") { return fail("at most one of oauth2 client_secret & client_secret_file must be configured") }
        }
        if let h = given(v, "proxy_connect_header"), !(h.objectMembers?.isEmpty ?? true), !nonEmpty(v, "proxy_url") {
            return fail("if proxy_connect_header is configured proxy_url must also be configured")
        }
    }

    /// marathon.SDConfig.UnmarshalYAML: auth_token against the other authentications.
    static func checkMarathonSDAuth(_ v: JSONValue, path: String, _ d: Diagnostics) {
        let token = nonEmpty(v, "auth_token"), tokenFile = nonEmpty(v, "auth_token_file")
        func fail(_ message: String) { d.error(path, at: v, message) }
        if token && tokenFile { return fail("marathon_sd: at most one of auth_token & auth_token_file must be configured") }
        if given(v, "basic_auth") != nil && (token || tokenFile) { return fail("marathon_sd: at most one of basic_auth, auth_token & auth_token_file must be configured") }
        if (nonEmpty(v, "bearer_token") || nonEmpty(v, "bearer_token_file")) && (token || tokenFile) {
            return fail("marathon_sd: at most one of bearer_token, bearer_token_file, auth_token & auth_token_file must be configured")
        }
        if given(v, "authorization") != nil && (token || tokenFile) { return fail("marathon_sd: at most one of auth_token, auth_token_file & authorization must be configured") }
        checkHTTPClient(v, path: path, d)
    }

    /// Relabel rules Prometheus checks but the simulator does not apply (alerting's): null entries
    /// are refused with `nullMessage`, the others are validated as relabel_configs are.
    @discardableResult
    static func checkRelabelRules(_ x: JSONValue?, path: String, nullMessage: String, _ d: Diagnostics) -> [RelabelConfig] {
        guard let a = x?.arrayValue else { return [] }
        var out: [RelabelConfig] = []
        for (i, r) in a.enumerated() {
            let p = JSONPath.index(path, i)
            if r.isNull { d.error(p, at: r, nullMessage) } else if let c = relabel(r, path: p, d) { out.append(c) }
        }
        return out
    }

    /// promtool check config (cmd/promtool/main.go checkTargetGroupsForScrapeConfig /
    /// checkTargetGroupsForAlertmanager, 2.42): the static targets are relabeled as discovery will.
    /// A scrape target left with an empty address is refused (scrape/target.go PopulateLabels: "no
    /// address", with or without relabel_configs); an address that still holds a "/" after the
    /// job's relabel_configs is refused (without them config.go refuses it directly, in
    /// `staticConfig`). Alertmanagers' (notifier.go AlertmanagerFromGroup) only check the "/", and
    /// without the instance and group.
    static func checkRelabeledTargets(_ groups: [TargetGroup], _ rules: [RelabelConfig], defaults: [MetricLabel], path: String, at v: JSONValue,
                                      scrape: Bool = true, _ d: Diagnostics) {
        guard scrape || !rules.isEmpty else { return }
        for (g, group) in groups.enumerated() {
            for (i, t) in group.targets.enumerated() {
                var ls = group.labels.filter { $0.name != "__address__" } + [MetricLabel("__address__", t)]
                for l in defaults where !ls.contains(where: { $0.name == l.name && !$0.value.isEmpty }) { ls.append(l) }
                guard let out = RelabelConfig.process(LabelSet(ls).labels, rules) else { continue }
                let addr = out.first { $0.name == "__address__" }?.value ?? ""
                let instance = scrape ? "instance \(i) in group \(g): " : ""
                if scrape && addr.isEmpty {
                    d.error(path, at: v, "instance \(i) in group \(g): no address (promtool relabels the targets as discovery will)")
                    return
                }
                // a port-less address gets the scheme's default port; a scheme other than http, https or ""
                // is refused with the configuration's scheme (scrape/target.go PopulateLabels, v2.42.0)
                if scrape && !splitsHostPort(addr) && splitsHostPort(addr + ":1234") {
                    let scheme = out.first { $0.name == "__scheme__" }?.value ?? ""
                    if !["http", "https", ""].contains(scheme) {
                        let configured = defaults.first { $0.name == "__scheme__" }?.value ?? ""
                        d.error(path, at: v, "instance \(i) in group \(g): invalid scheme: \(JSONValue.quote(configured))")
                        return
                    }
                }
                if !rules.isEmpty && addr.contains("/") {
                    d.error(path, at: v, "\(instance)\(JSONValue.quote(addr)) is not a valid hostname (promtool relabels the targets as discovery will)")
                    return
                }
            }
        }
    }

    /// Whether Go's net.SplitHostPort takes `s` (host:port, [v6]:port; the port may be empty).
    static func splitsHostPort(_ s: String) -> Bool {
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return false }
            let rest = s[s.index(after: close)...]
            guard rest.hasPrefix(":") else { return false }
            return !rest.dropFirst().contains(":") && !rest.contains("[") && !rest.contains("]") && !s[s.index(after: s.startIndex)..<close].contains("[")
        }
        guard let colon = s.lastIndex(of: ":") else { return false }
        let host = s[..<colon], port = s[s.index(after: colon)...]
        return !host.contains(":") && !host.contains("[") && !host.contains("]") && !port.contains("[") && !port.contains("]")
    }

    /// config.go reservedHeaders; "authorization" has its own message.
    static let reservedHeaders: Set<String> = ["host", "content-encoding", "content-length", "content-type", "user-agent", "connection",
                                               "keep-alive", "proxy-authenticate", "proxy-authorization", "www-authenticate",
                                               "accept-encoding", "x-prometheus-remote-write-version", "x-prometheus-remote-read-version",
                                               "x-amz-date"]

    /// remote_write / remote_read (kind "write" / "read"): RemoteWriteConfig / RemoteReadConfig
    /// UnmarshalYAML and Config.UnmarshalYAML's name check.
    /// The fields of config.go's RemoteWriteConfig / RemoteReadConfig (besides the http client's), of
    /// QueueConfig and of StorageConfig's parts, in Prometheus 2.42 (later fields such as
    /// `protobuf_message`, `storage.tsdb.retention` or `chunk_encoding` are unknown there).
    static let remoteWriteFields = ["url", "remote_timeout", "headers", "write_relabel_configs", "name", "send_exemplars",
                                    "send_native_histograms", "queue_config", "metadata_config", "sigv4"]
    static let remoteReadFields = ["url", "remote_timeout", "headers", "read_recent", "name", "required_matchers", "filter_external_labels"]
    static let queueConfigFields = ["capacity", "max_shards", "min_shards", "max_samples_per_send", "batch_send_deadline", "min_backoff",
                                    "max_backoff", "retry_on_http_429"]

    /// yaml.v2's strict decoding: a key the Go struct has no field for is refused.
    static func unknownFields(_ v: JSONValue, path: String, known: [String], type: String, _ d: Diagnostics) {
        for m in v.objectMembers ?? [] where !known.contains(m.key) {
            d.error(JSONPath.key(path, m.key), location: m.keyLocation ?? m.value.location,
                    "field \(m.key) not found in type \(type) (Prometheus 2.42, the release the simulator reads prometheus.yml as, refuses fields it does not know, those of later releases among them)")
        }
    }

    /// `storage`: StorageConfig's tsdb (out_of_order_time_window) and exemplars (max_exemplars) in 2.42.
    static func checkStorage(_ x: JSONValue?, path: String, _ d: Diagnostics) {
        guard let x else { return }
        guard x.objectMembers != nil else { d.error(path, at: x, "cannot unmarshal \(x.typeName) into config.StorageConfig (a mapping)"); return }
        unknownFields(x, path: path, known: ["tsdb", "exemplars"], type: "config.StorageConfig", d)
        if let t = given(x, "tsdb") {
            unknownFields(t, path: JSONPath.key(path, "tsdb"), known: ["out_of_order_time_window"], type: "config.plain", d)
        }
        if let e = given(x, "exemplars") {
            unknownFields(e, path: JSONPath.key(path, "exemplars"), known: ["max_exemplars"], type: "config.ExemplarsConfig", d)
        }
    }

    static func checkRemote(_ x: JSONValue?, kind: String, path: String, _ d: Diagnostics) {
        guard let x else { return }
        guard let a = x.arrayValue else { d.error(path, at: x, "cannot unmarshal \(x.typeName) into a sequence"); return }
        var names: Set<String> = []
        for (i, e) in a.enumerated() {
            let p = JSONPath.index(path, i)
            guard !e.isNull else { d.error(p, at: e, "empty or null remote \(kind) config section"); continue }
            guard e.objectMembers != nil else { d.error(p, at: e, "cannot unmarshal \(e.typeName) into config.Remote\(kind.capitalized)Config (a mapping)"); continue }
            // yaml.v2's unknown-field errors come first (UnmarshalYAML's `type plain Remote*Config`)
            unknownFields(e, path: p, known: (kind == "write" ? remoteWriteFields : remoteReadFields) + httpClient, type: "config.plain", d)
            if kind == "write" {
                if let q = given(e, "queue_config") { unknownFields(q, path: JSONPath.key(p, "queue_config"), known: queueConfigFields, type: "config.QueueConfig", d) }
                if let m = given(e, "metadata_config") { unknownFields(m, path: JSONPath.key(p, "metadata_config"), known: ["send", "send_interval", "max_samples_per_send"], type: "config.MetadataConfig", d) }
            }
            guard given(e, "url") != nil else { d.error(p, at: e, "url for remote_\(kind) is empty"); continue }
            if kind == "write" {
                checkRelabelRules(given(e, "write_relabel_configs"), path: JSONPath.key(p, "write_relabel_configs"),
                                  nullMessage: "empty or null relabeling rule in remote write config", d)
            }
            for h in given(e, "headers")?.objectMembers ?? [] {
                let lower = h.key.lowercased()
                if lower == "authorization" {
                    d.error(JSONPath.key(JSONPath.key(p, "headers"), h.key), location: h.keyLocation ?? h.value.location,
                            "authorization header must be changed via the basic_auth, authorization, oauth2, or sigv4 parameter")
                } else if reservedHeaders.contains(lower) {
                    d.error(JSONPath.key(JSONPath.key(p, "headers"), h.key), location: h.keyLocation ?? h.value.location,
                            "\(h.key) is a reserved header. It must not be changed")
                }
            }
            checkHTTPClient(e, path: p, d)
            if kind == "write", given(e, "sigv4") != nil, given(e, "basic_auth") != nil || given(e, "authorization") != nil || given(e, "oauth2") != nil {
                d.error(p, at: e, "at most one of basic_auth, authorization, oauth2, & sigv4 must be configured")
            }
            let name = given(e, "name").flatMap(RuleFileReader.scalar) ?? ""
            if !name.isEmpty && !names.insert(name).inserted {
                d.error(JSONPath.key(p, "name"), at: e["name"], "found multiple remote \(kind) configs with job name \(JSONValue.quote(name))")
            }
        }
    }
}

extension PrometheusConfigFile {
    /// The load-time checks of service discoveries the simulator does not run (they give no
    /// targets) but whose settings Prometheus 2.42 refuses: discovery/azure, eureka, uyuni, aws/ec2,
    /// dns, moby (docker, dockerswarm) and http SDConfig.UnmarshalYAML, and kubernetes
    /// (PrometheusKubernetesSD.swift), with their messages.
    static func checkOtherSD(_ kind: String, _ x: JSONValue, path: String, _ d: Diagnostics) {
        for (i, e) in (x.arrayValue ?? []).enumerated() where e.objectMembers != nil {
            let p = JSONPath.index(path, i)
            func text(_ k: String) -> String { given(e, k).flatMap(RuleFileReader.scalar) ?? "" }
            func fail(_ message: String) { d.error(p, at: e, message) }
            switch kind {
            case "azure_sd_configs":
                let method = given(e, "authentication_method") == nil ? "OAuth" : text("authentication_method")
                if text("subscription_id").isEmpty { fail("azure SD configuration requires a subscription_id"); continue }
                if method == "OAuth", let missing = ["tenant_id", "client_id", "client_secret"].first(where: { text($0).isEmpty }) {
                    fail("azure SD configuration requires a \(missing)"); continue
                }
                if method != "OAuth" && method != "ManagedIdentity" {
                    fail("unknown authentication_type \(JSONValue.quote(method)). Supported types are \"OAuth\" or \"ManagedIdentity\"")
                }
            case "eureka_sd_configs":
                let server = text("server")
                if server.isEmpty { fail("eureka_sd: empty or null eureka server"); continue }
                let u = URLComponents(string: server)
                if (u?.scheme ?? "").isEmpty || (u?.host ?? "").isEmpty { fail("eureka_sd: invalid eureka server URL") }
            case "uyuni_sd_configs":
                if text("server").isEmpty { fail("Uyuni SD configuration requires server host") }
                else if text("username").isEmpty { fail("Uyuni SD configuration requires a username") }
                else if text("password").isEmpty { fail("Uyuni SD configuration requires a password") }
            case "kubernetes_sd_configs":
                if let reason = kubernetesSDError(e) { fail(reason) }
            case "ec2_sd_configs":
                for f in given(e, "filters")?.arrayValue ?? [] where (given(f, "values")?.arrayValue ?? []).isEmpty {
                    fail("EC2 SD configuration filter values cannot be empty"); break
                }
            case "dns_sd_configs":
                // discovery/dns/dns.go SDConfig.UnmarshalYAML (v2.42.0): type SRV by default, A/AAAA/MX need a port
                if (given(e, "names")?.arrayValue ?? []).isEmpty { fail("DNS-SD config must contain at least one SRV record name"); continue }
                let type = given(e, "type") == nil ? "SRV" : text("type")
                switch type.uppercased() {
                case "SRV": break
                case "A", "AAAA", "MX":
                    if (given(e, "port")?.numberValue?.int64 ?? 0) == 0 { fail("a port is required in DNS-SD configs for all record types except SRV") }
                default: fail("invalid DNS-SD records type \(type)")
                }
            case "dockerswarm_sd_configs":
                // discovery/moby/dockerswarm.go DockerSwarmSDConfig.UnmarshalYAML (v2.42.0)
                if text("host").isEmpty { fail("host missing"); continue }
                switch text("role") {
                case "services", "nodes", "tasks": break
                case "": fail("role missing (one of: tasks, services, nodes)")
                case let r: fail("invalid role \(r), expected tasks, services, or nodes")
                }
            case "docker_sd_configs":
                // discovery/moby/docker.go DockerSDConfig.UnmarshalYAML (v2.42.0)
                if text("host").isEmpty { fail("host missing") }
            case "scaleway_sd_configs":
                if let reason = scalewaySDError(e) { fail(reason) }
            case "http_sd_configs":
                // discovery/http/http.go SDConfig.UnmarshalYAML (v2.42.0); url.Parse lowercases the scheme
                let url = text("url")
                if url.isEmpty { fail("URL is missing"); continue }
                let u = URLComponents(string: url)
                let scheme = (u?.scheme ?? "").lowercased()
                if scheme != "http" && scheme != "https" { fail("URL scheme must be 'http' or 'https'") }
                else if (u?.host ?? "").isEmpty { fail("host is missing in URL") }
            default: break
            }
        }
    }

    /// discovery/scaleway/scaleway.go SDConfig.UnmarshalYAML (v2.42.0): its own checks, then
    /// scw.NewClient(scw.WithProfile(loadProfile(c))), whose settings.validate (scaleway-sdk-go
    /// v1.0.0-beta.12) checks the access key (`SCW` and 17 of [A-Z0-9]), the secret key (a UUID; a
    /// secret_key_file stands in as the zero UUID), the project ID (a UUID), the zone (`fr-par-1` when
    /// not given; two letters, three, a digit 1-9) and the API URL (url.Parse, no trailing slash); the
    /// wording is promtool 2.42's, each case judged by it (PublicFileShapeTests.promCases).
    static func scalewaySDError(_ e: JSONValue) -> String? {
        func text(_ k: String) -> String { given(e, k).flatMap(RuleFileReader.scalar) ?? "" }
        let role = text("role")
        // role.UnmarshalYAML runs for any value given, "" included
        if !(given(e, "role")?.isNull ?? true) && role != "instance" && role != "baremetal" { return "unknown role \(JSONValue.quote(role))" }
        if role.isEmpty { return "role missing (one of: instance, baremetal)" }
        if text("project_id").isEmpty { return "project_id is mandatory" }
        let secret = text("secret_key"), secretFile = text("secret_key_file")
        if secret.isEmpty && secretFile.isEmpty { return "one of secret_key & secret_key_file must be configured" }
        if !secret.isEmpty && !secretFile.isEmpty { return "at most one of secret_key & secret_key_file must be configured" }
        let access = text("access_key")
        if access.isEmpty { return "access_key is mandatory" }
        func isUUID(_ s: String) -> Bool {
            let parts = s.split(separator: "-", omittingEmptySubsequences: false)
            return parts.map(\.count) == [8, 4, 4, 4, 12] && parts.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isHexDigit } }
        }
        let sdk = "scaleway-sdk-go: "
        let keyChars = access.dropFirst(3)
        if !(access.hasPrefix("SCW") && keyChars.count == 17 && keyChars.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) })) {
            return sdk + "invalid access key format '\(access)', expected SCWXXXXXXXXXXXXXXXXX format"
        }
        if secretFile.isEmpty && !isUUID(secret) { return sdk + "invalid secret key format '\(secret)', expected a UUID: xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" }
        let project = text("project_id")
        if !isUUID(project) { return sdk + "invalid project ID format '\(project)', expected a UUID: xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" }
        if given(e, "zone") != nil {
            let zone = text("zone")
            if zone.isEmpty { return sdk + "default zone cannot be empty" }
            let z = zone.split(separator: "-", omittingEmptySubsequences: false)
            let lower: (Substring) -> Bool = { $0.allSatisfy { $0.isASCII && $0.isLowercase } }
            if !(z.count == 3 && z[0].count == 2 && lower(z[0]) && z[1].count == 3 && lower(z[1]) && z[2].count == 1 && ("1"..."9").contains(z[2])) {
                return sdk + "invalid default zone format '\(zone)', available zones are: fr-par-1, fr-par-2, fr-par-3, nl-ams-1, nl-ams-2, pl-waw-1, pl-waw-2"
            }
        }
        if given(e, "api_url") != nil {
            let api = text("api_url")
            // an empty api_url makes validateAPIURL slice s.apiURL[-1:]: promtool 2.42 panics on it
            if api.isEmpty { return "an empty api_url: Prometheus 2.42 panics on it (scaleway-sdk-go's validateAPIURL: slice bounds out of range [-1:])" }
            // url.Parse: a leading ':' (missing protocol scheme), a control character, a bad %-escape
            var badEscape = false
            let u = Array(api.utf8)
            for (i, c) in u.enumerated() where c == 37 {
                let hex: (UInt8) -> Bool = { ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 102) }
                if i + 2 >= u.count || !hex(u[i + 1]) || !hex(u[i + 2]) { badEscape = true }
            }
            if api.hasPrefix(":") || api.utf8.contains(where: { $0 < 0x20 || $0 == 0x7f }) || badEscape { return sdk + "invalid url \(api)" }
            if api.hasSuffix("/") { return sdk + "invalid url \(api) it should not have a trailing slash" }
        }
        return nil
    }

    /// config.go TracingConfig.UnmarshalYAML (validateHeadersForTracing first).
    static func checkTracing(_ x: JSONValue?, path: String, _ d: Diagnostics) {
        guard let x, x.objectMembers != nil else { return }
        for h in given(x, "headers")?.objectMembers ?? [] {
            let lower = h.key.lowercased()
            let p = JSONPath.key(JSONPath.key(path, "headers"), h.key)
            if lower == "authorization" { d.error(p, location: h.keyLocation ?? h.value.location, "custom authorization header configuration is not yet supported"); return }
            if reservedHeaders.contains(lower) { d.error(p, location: h.keyLocation ?? h.value.location, "\(h.key) is a reserved header. It must not be changed"); return }
        }
        let endpoint = given(x, "endpoint").flatMap(RuleFileReader.scalar) ?? ""
        if endpoint.isEmpty { d.error(path, at: x, "tracing endpoint must be set"); return }
        let compression = given(x, "compression").flatMap(RuleFileReader.scalar) ?? ""
        if !compression.isEmpty && compression != "gzip" {
            d.error(JSONPath.key(path, "compression"), at: x["compression"], "invalid compression type \(compression) provided, valid options: gzip")
        }
    }
}
