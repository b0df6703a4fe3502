import ClusterModel
import Foundation

// kubernetes_sd_configs gives no targets here (no Kubernetes API is simulated), but Prometheus 2.42
// refuses a file whose Kubernetes settings are inconsistent, so the same file must fail here too:
// discovery/kubernetes/kubernetes.go `SDConfig.UnmarshalYAML` and `Role.UnmarshalYAML`, with the
// selectors parsed as k8s.io/apimachinery does (fields.ParseSelector, labels.Parse). And a scrape
// config's body_size_limit is read by alecthomas/units `ParseBase2Bytes`.

extension PrometheusConfigFile {
    static let kubernetesRoles = ["pod", "service", "endpoints", "endpointslice", "node", "ingress"]
    /// Which selector roles each discovery role allows (kubernetes.go `allowedSelectors`).
    static let kubernetesAllowedSelectors: [String: [String]] = [
        "pod": ["pod"], "service": ["service"], "endpointslice": ["pod", "service", "endpointslice"],
        "endpoints": ["pod", "service", "endpoints"], "node": ["node"], "ingress": ["ingress"],
    ]
    static let kubernetesFields = httpClient + ["api_server", "role", "kubeconfig_file", "namespaces", "selectors", "attach_metadata"]

    /// The first reason Prometheus 2.42 refuses one kubernetes_sd_configs entry, nil if it loads.
    static func kubernetesSDError(_ e: JSONValue) -> String? {
        func text(_ v: JSONValue?, _ k: String) -> String { v.flatMap { given($0, k) }.flatMap(RuleFileReader.scalar) ?? "" }
        // strict decoding first: unknown fields, then the role's own UnmarshalYAML
        for m in e.objectMembers ?? [] where !kubernetesFields.contains(m.key) {
            return "field \(m.key) not found in type kubernetes.plain"
        }
        let role = text(e, "role")
        if given(e, "role") != nil && !kubernetesRoles.contains(role) { return "unknown Kubernetes SD role \(JSONValue.quote(role))" }
        let selectors = given(e, "selectors")?.arrayValue ?? []
        for s in selectors {
            for m in s.objectMembers ?? [] where !["role", "label", "field"].contains(m.key) {
                return "field \(m.key) not found in type kubernetes.SelectorConfig"
            }
            let r = text(s, "role")
            if !kubernetesRoles.contains(r) { return "unknown Kubernetes SD role \(JSONValue.quote(r))" }
        }
        let namespaces = given(e, "namespaces")
        for m in namespaces?.objectMembers ?? [] where !["own_namespace", "names"].contains(m.key) {
            return "field \(m.key) not found in type kubernetes.NamespaceDiscovery"
        }
        if role.isEmpty { return "role missing (one of: pod, service, endpoints, endpointslice, node, ingress)" }
        // HTTPClientConfig.Validate runs before the Kubernetes checks
        let probe = Diagnostics()
        checkHTTPClient(e, path: "", probe)
        if let first = probe.errors.first { return first.message }
        let apiServer = !text(e, "api_server").isEmpty, kubeconfig = !text(e, "kubeconfig_file").isEmpty
        let ownNamespace = namespaces.flatMap { given($0, "own_namespace") }.flatMap(RuleFileReader.scalar) == "true"
        if apiServer && kubeconfig { return "cannot use 'kubeconfig_file' and 'api_server' simultaneously" }
        let customHTTP = hasCustomHTTPClient(e)
        if kubeconfig && customHTTP { return "cannot use a custom HTTP client configuration together with 'kubeconfig_file'" }
        if !apiServer && customHTTP { return "to use custom HTTP client configuration please provide the 'api_server' URL explicitly" }
        if apiServer && ownNamespace { return "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously" }
        if kubeconfig && ownNamespace { return "cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously" }
        var found: Set<String> = []
        for s in selectors {
            let r = text(s, "role")
            if !found.insert(r).inserted { return "duplicated selector role: \(r)" }
            let allowed = kubernetesAllowedSelectors[role] ?? []
            if !allowed.contains(r) { return "\(role) role supports only \(allowed.joined(separator: ", ")) selectors" }
            if let bad = fieldSelectorError(text(s, "field")) { return bad }
            if let bad = labelSelectorError(text(s, "label")) { return bad }
        }
        return nil
    }

    /// Whether the entry's http client settings differ from Prometheus' default client
    /// (`config.DefaultHTTPClientConfig`: follow_redirects and enable_http2 true, nothing else set).
    static func hasCustomHTTPClient(_ e: JSONValue) -> Bool {
        for k in httpClient {
            guard let v = given(e, k) else { continue }
            switch k {
            case "follow_redirects", "enable_http2": if RuleFileReader.scalar(v) != "true" { return true }
            default:
                if let m = v.objectMembers { if m.contains(where: { !$0.value.isNull }) { return true } }
                else if (RuleFileReader.scalar(v) ?? "") != "" { return true }
            }
        }
        return false
    }

    /// k8s.io/apimachinery fields.ParseSelector: comma-separated `key=value`, `key==value`, `key!=value`.
    static func fieldSelectorError(_ s: String) -> String? {
        if s.isEmpty { return nil }
        for term in s.split(separator: ",", omittingEmptySubsequences: false).map(String.init) where !term.isEmpty {
            if !term.contains("=") {  // every operator (=, ==, !=) holds one
                return "invalid selector: '\(s)'; can't understand '\(term)'"
            }
        }
        return nil
    }

    /// k8s.io/apimachinery labels.Parse, the requirement forms and the key and value syntax:
    /// `key`, `!key`, `key=v`, `key==v`, `key!=v`, `key in (a,b)`, `key notin (a,b)`, `key>n`, `key<n`.
    static func labelSelectorError(_ s: String) -> String? {
        var terms: [String] = [], depth = 0, cur = ""
        for c in s {
            if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
            if c == "," && depth == 0 { terms.append(cur); cur = "" } else { cur.append(c) }
        }
        terms.append(cur)
        if depth != 0 { return "unable to parse requirement: found '\(s)', expected: ')'" }
        if s.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
        for raw in terms {
            let t = raw.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { return "found ',', expected: !, identifier, or 'end of string'" }
            var key = t, values: [String] = []
            if t.hasPrefix("!") { key = String(t.dropFirst()).trimmingCharacters(in: .whitespaces) }
            else if let r = t.range(of: #"\s+(notin|in)\s*\("#, options: .regularExpression) {
                key = String(t[..<r.lowerBound])
                guard t.hasSuffix(")") else { return "found '\(t)', expected: ')'" }
                let inside = t[r.upperBound..<t.index(before: t.endIndex)]
                values = inside.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            } else if let r = t.range(of: "!=|==|=|>|<", options: .regularExpression) {
                key = t[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
                let v = t[r.upperBound...].trimmingCharacters(in: .whitespaces)
                if t[r] == ">" || t[r] == "<" {
                    if Int64(v) == nil { return "for 'Gt', 'Lt' operators, the value must be an integer" }
                } else { values = [v] }
            }
            if let bad = labelKeyError(key) { return bad }
            for v in values where !isLabelName(v, allowEmpty: true) {
                return "values[0]: Invalid value: \(JSONValue.quote(v)): a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
            }
        }
        return nil
    }

    /// A qualified name: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters.
    static func labelKeyError(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let name = parts.last ?? ""
        let prefixOK = parts.count == 1 || (parts.count == 2 && !parts[0].isEmpty && parts[0].count <= 253
            && parts[0].range(of: #"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"#, options: .regularExpression) != nil)
        if !prefixOK || !isLabelName(name, allowEmpty: false) {
            return "key: Invalid value: \(JSONValue.quote(key)): name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        }
        return nil
    }

    static func isLabelName(_ s: String, allowEmpty: Bool) -> Bool {
        if s.isEmpty { return allowEmpty }
        return s.count <= 63 && s.range(of: #"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"#, options: .regularExpression) != nil
    }

    /// alecthomas/units ParseBase2Bytes (what body_size_limit is read with): `0`, or one or more
    /// number-and-unit pairs, the units B, KB … EB and KiB … EiB.
    static func base2BytesError(_ s: String) -> String? {
        var rest = Substring(s)
        if let c = rest.first, c == "-" || c == "+" { rest = rest.dropFirst() }
        if rest == "0" { return nil }
        if rest.isEmpty { return "units: invalid \(s)" }
        let units: Set<String> = ["B", "KB", "MB", "GB", "TB", "PB", "EB", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        while !rest.isEmpty {
            let number = rest.prefix { $0 == "." || $0.isASCII && $0.isNumber }
            if number.isEmpty || number == "." { return "units: invalid \(s)" }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !($0 == "." || $0.isASCII && $0.isNumber) }
            rest = rest.dropFirst(unit.count)
            if !units.contains(String(unit)) { return "units: unknown unit \(unit) in \(s)" }
        }
        return nil
    }

    /// body_size_limit of a scrape config or the global section: an error with units' reason.
    static func checkBodySizeLimit(_ v: JSONValue, path: String, _ d: Diagnostics) {
        guard let x = given(v, "body_size_limit") else { return }
        let text = RuleFileReader.scalar(x) ?? ""
        if x.objectMembers != nil || x.arrayValue != nil {
            d.error(JSONPath.key(path, "body_size_limit"), at: x, "cannot unmarshal \(x.typeName) into units.Base2Bytes")
        } else if let reason = base2BytesError(text) {
            d.error(JSONPath.key(path, "body_size_limit"), at: x, reason)
        }
    }
}
