import ClusterModel
import SimKernel

// The `nginx` section (issue 10): the hosts nginx runs on, the static part of its configuration
// and the start time of new workers after a reload. See docs/discovery.md.

extension ScenarioSchema {
    static func decodeNginx(_ v: JSONValue, path: String, hostGroups: [HostGroupSpec], hostGroupsComplete: Bool, _ d: Diagnostics) -> NginxSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: nginxKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        var hosts: [String] = []
        let names = hostGroups.map(\.name)
        if let g = r.optional("hostGroup", .nonEmptyString) {
            if let group = hostGroups.first(where: { $0.name == g }) {
                hosts = (0..<group.count).map(group.hostName)
            } else if hostGroupsComplete {
                d.error(r.keyPath("hostGroup"), at: r.value["hostGroup"], "unknown host group \(JSONValue.quote(g))\(Suggest.didYouMean(g, among: names)); host groups: \(Suggest.listed(names))")
            }
            r.reject("hosts", "give either \"hostGroup\" (nginx on every host of the group) or \"hosts\" (a list of host names), not both")
        } else if let hv = r.value("hosts") {
            let hp = r.keyPath("hosts")
            let dir = HostDirectory(groups: hostGroups.map { ($0.name, $0.count) }, complete: hostGroupsComplete)
            if let a = hv.arrayValue, !a.isEmpty {
                for (i, e) in a.enumerated() {
                    let p = JSONPath.index(hp, i)
                    guard let n = ValueDecoder<String>.nonEmptyString.decode(e, p, d) else { continue }
                    if hosts.contains(n) { d.error(p, at: e, "host \(JSONValue.quote(n)) is listed twice"); continue }
                    if let problem = dir.problem(with: n) { d.error(p, at: e, problem); continue }
                    hosts.append(n)
                }
            } else {
                d.error(hp, at: hv, typeMismatch("a non-empty array of host names, like [\"edge-01\", \"edge-02\"]", hv))
            }
        } else {
            d.error(path, at: v, "nginx needs \"hostGroup\" (a host group name) or \"hosts\" (a list of host names): where nginx runs")
        }
        let configuration = r.optional("configuration", .string, default: "") ?? ""
        if !configuration.isEmpty {
            do { _ = try NginxConfiguration.parse(configuration) } catch {
                d.error(r.keyPath("configuration"), at: r.value["configuration"], "nginx would reject this configuration: [emerg] \(error.message) in line \(error.line) of the text")
            }
        }
        let workerStart = r.optional("workerStart", .duration(.nonNegative), default: NginxSpec.defaultWorkerStart)
        if let w = workerStart, w > .seconds(60) {
            d.error(r.keyPath("workerStart"), at: r.value["workerStart"], "workerStart must be at most 60s (new workers start in milliseconds), got \(w)")
        }
        r.finish()
        guard d.errorCount == before, let workerStart else { return nil }
        return NginxSpec(hosts: hosts, configuration: configuration, workerStart: workerStart)
    }

    static let nginxKeys = SectionKeys("nginx", [
        KeySpec("hostGroup", "string", default: "—", allowed: "A host group of `hostGroups`; exclusive with `hosts`.",
                meaning: "nginx runs on every host of this group (one of `hostGroup` or `hosts` is required)."),
        KeySpec("hosts", "array of strings", default: "—", allowed: "Host names (`edge-01`), each at most once; exclusive with `hostGroup`.",
                meaning: "nginx runs on these hosts."),
        KeySpec("configuration", "string", default: "`\"\"`", allowed: "nginx configuration text that nginx accepts (checked when the scenario is read).",
                meaning: "The static part of what nginx includes inside `http { }` (upstreams and servers not written by consul-template); after it, in path order, the destinations consul-template writes that Debian's nginx.conf includes (`/etc/nginx/conf.d/*.conf`, `/etc/nginx/sites-enabled/*`, or `/etc/nginx/nginx.conf` itself) or that an `include` line of this text names (relative names from /etc/nginx/); other destinations nginx never reads."),
        KeySpec("workerStart", "duration", default: "`100ms`", allowed: "From 0 to `60s`.",
                meaning: "After a reload signal, the time until the new workers accept requests (fork, module init, listening sockets); old workers finish their in-flight requests.",
                source: "model choice: nginx/nginx.org xml/en/docs/control.xml describes the sequence, not its duration; worker start is milliseconds on a small configuration"),
    ])
}
