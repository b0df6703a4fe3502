// Where an included `.hcl` file is read as HCL: where the real program reads that file as HCL.
//
// - Consul service definitions, `consul.services.<app id>`: Consul's agent reads a config file
//   by its extension (hashicorp/consul agent/config/builder.go newSourceFromFile /
//   formatFromFileExtension: `strings.HasSuffix(name, ".hcl")` → "hcl", `.json` → "json",
//   others skipped: "extension must be .hcl or .json, or config format must be set"), then
//   agent/config/config.go Parse decodes "hcl" with hcl.Decode.
// - consul-template's configuration, `consulTemplate.config`: consul-template reads every config
//   file with hcl.Decode (config/config.go Parse), HCL or JSON alike, then flattens its blocks.
//
// Everywhere else (the simulator's own keys, Marathon, Prometheus and Alertmanager files) an
// .hcl include is an error naming these places.

enum HCLFiles {
    /// The places, for messages.
    static let sites = "consul.services.<app id> (a Consul service definition) and consulTemplate.config (consul-template's configuration, or consulTemplate.config[i] for several)"

    static let notReadHere = "HCL is read only where Consul or consul-template read it, \(sites); here write JSON"

    /// Consul's rule: the name ends in ".hcl" (case-sensitive, as strings.HasSuffix).
    static func isHCLName(_ name: String) -> Bool { name.hasSuffix(".hcl") }

    /// The program that reads an include standing at `sitePath`, when it reads HCL there.
    static func reader(sitePath: String) -> HCLParser.Reader? {
        if sitePath == "consulTemplate.config" { return .consulTemplate }
        // one of several configuration files, merged in order: consulTemplate.config[2]
        if sitePath.hasPrefix("consulTemplate.config["), sitePath.hasSuffix("]"),
           let n = Int(sitePath.dropFirst("consulTemplate.config[".count).dropLast()), n >= 0, JSONPath.index("consulTemplate.config", n) == sitePath {
            return .consulTemplate
        }
        let prefix = "consul.services"
        guard sitePath.hasPrefix(prefix) else { return nil }
        let rest = sitePath.dropFirst(prefix.count)
        if rest.hasPrefix("."), rest.count > 1, !rest.dropFirst().contains(where: { $0 == "." || $0 == "[" }) { return .consul }
        // a key that is not an identifier: consul.services["/shop/web"]
        if rest.hasPrefix("[\""), rest.hasSuffix("\"]"),
           let key = JSONParser.parse(String(rest.dropFirst().dropLast())).value?.stringValue,
           JSONPath.key(prefix, key) == sitePath { return .consul }
        return nil
    }
}
