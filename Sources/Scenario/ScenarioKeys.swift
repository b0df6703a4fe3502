import ClusterModel

// The scenario reference, declared once. Each section of a scenario file declares its keys here
// (name, type, default, allowed values, meaning, source of the default) as a `SectionKeys`; its
// decoder opens its `ObjectReader` with that declaration (the keys for strictness and did-you-mean
// come from it), and the key tables of docs/scenarios.md and of the section docs are generated
// from it: `clustersim docs scenario-keys --fill docs/mesos.md` rewrites the regions between
// `<!-- BEGIN GENERATED: scenario-keys <section> -->` and `<!-- END GENERATED -->`, and
// DocsTests checks that the committed pages match.

/// One key of a section: ClusterModel's `ScenarioKeyDoc` (the subsystem contract's hook), with
/// `path` the key's name inside its section.
public typealias KeySpec = ScenarioKeyDoc

extension ScenarioKeyDoc {
    /// A key named `name` (relative to its section).
    public init(_ name: String, _ type: String, default defaultValue: String, allowed: String, meaning: String = "", source: String = "") {
        self.init(path: name, type: type, defaultValue: defaultValue, allowed: allowed, meaning: meaning, source: source)
    }

    /// The key's name inside its section.
    public var name: String { path }
}

/// The keys of one section ("hostGroups[i]", "mesos.masters"), in the order the docs list them.
public struct SectionKeys: Sendable {
    /// The section's JSON path with `[i]` for array elements; "" is the top level.
    public let section: String
    public let keys: [KeySpec]
    public let names: [String]

    public init(_ section: String, _ keys: [KeySpec]) {
        self.section = section; self.keys = keys; self.names = keys.map(\.name)
        precondition(Set(names).count == names.count, "section \(section) declares a key twice")
    }

    public func declares(_ key: String) -> Bool { names.contains(key) }

    /// The declaration of `key` (which must be declared).
    public subscript(_ key: String) -> KeySpec {
        guard let k = keys.first(where: { $0.name == key }) else { preconditionFailure("\(key) is not declared in \(section)") }
        return k
    }

    /// The region id in the docs: the section path, "top-level" for the root.
    public var id: String { section.isEmpty ? "top-level" : section }

    /// The Markdown table: the Allowed column says what the key means, then what it accepts. A Source
    /// column appears when some key of the section names one.
    public func markdownTable() -> String {
        let withSource = keys.contains { !$0.source.isEmpty }
        var out = withSource ? "| Key | Type | Default | Allowed | Source of the default |\n|---|---|---|---|---|\n"
                             : "| Key | Type | Default | Allowed |\n|---|---|---|---|\n"
        for k in keys {
            let allowed = [k.meaning, k.allowed].filter { !$0.isEmpty }.joined(separator: " ")
            out += "| `\(k.name)` | \(k.type) | \(k.defaultValue) | \(allowed) |"
            if withSource { out += " \(k.source.isEmpty ? "—" : k.source) |" }
            out += "\n"
        }
        return out
    }
}

public enum ScenarioReference {
    /// Every declared section, in document order.
    public static var sections: [SectionKeys] {
        [ScenarioSchema.topLevelKeys, ScenarioSchema.datacenterKeys, ScenarioSchema.hostGroupKeys,
         ScenarioSchema.faultKeys, ScenarioSchema.actionKeys, ScenarioSchema.fidelityKeys,
         ScenarioSchema.zooKeeperKeys, ScenarioSchema.mesosKeys, ScenarioSchema.mesosMasterKeys, ScenarioSchema.mesosMasterFlagKeys,
         ScenarioSchema.mesosAgentKeys, ScenarioSchema.mesosWorkDirKeys, ScenarioSchema.mesosAgentFlagKeys,
         ScenarioSchema.mesosRegistryKeys, ScenarioSchema.marathonKeys, ScenarioSchema.marathonDatacenterKeys, ScenarioSchema.marathonFlagKeys, ScenarioSchema.behaviourKeys,
         ScenarioSchema.chronosKeys, ScenarioSchema.chronosFlagKeys, ScenarioSchema.chronosJobKeys, ScenarioSchema.chronosBehaviourKeys,
         ScenarioSchema.networkKeys, ScenarioSchema.namedNetworkKeys, ScenarioSchema.kvStoreKeys, ScenarioSchema.rackKeys,
         ScenarioSchema.datacenterLinkKeys, ScenarioSchema.experimentsKeys,
         ScenarioSchema.storageKeys, ScenarioSchema.hostStorageKeys, ScenarioSchema.storageOptKeys, ScenarioSchema.storageOperatorKeys,
         ScenarioSchema.cephKeys, ScenarioSchema.logsKeys, ScenarioSchema.cephMountKeys,
         ScenarioSchema.consulKeys, ScenarioSchema.consulRegistratorKeys, ScenarioSchema.consulConfigKeys, ScenarioSchema.consulPerformanceKeys, ScenarioSchema.consulGossipKeys,
         ScenarioSchema.consulDNSKeys,
         ScenarioSchema.nginxKeys, ScenarioSchema.consulTemplateKeys, ScenarioSchema.waitKeys, ScenarioSchema.retryKeys,
         ScenarioSchema.templateStanzaKeys, ScenarioSchema.vaultServerKeys, ScenarioSchema.vaultMountKeys, ScenarioSchema.vaultSecretKeys,
         ScenarioSchema.trafficKeys, ScenarioSchema.trafficServiceKeys, ScenarioSchema.stepKeys, ScenarioSchema.flashCrowdKeys,
         ScenarioSchema.alertmanagerKeys, ScenarioSchema.alertmanagerFlagKeys, ScenarioSchema.alertmanagerSilenceKeys, ScenarioSchema.alertmanagerOutageKeys,
         ScenarioSchema.alertmanagerAPIMatcherKeys,
         ScenarioSchema.prometheusKeys, ScenarioSchema.prometheusExportersKeys, ScenarioSchema.prometheusExporterKeys, ScenarioSchema.prometheusFlagsKeys,
         ScenarioSchema.marathonLBKeys, ScenarioSchema.marathonLBInstanceKeys, ScenarioSchema.marathonLBFlagKeys,
         ScenarioSchema.marathonLBReloadFailureKeys,
         ScenarioSchema.autoscaleKeys, ScenarioSchema.autoscaleFlagKeys,
         ScenarioSchema.harborKeys, ScenarioSchema.harborPoliciesFromKeys, ScenarioSchema.harborRegistryKeys, ScenarioSchema.harborLayerKeys, ScenarioSchema.harborImageKeys,
         ScenarioSchema.harborPolicyKeys, ScenarioSchema.harborTriggerKeys, ScenarioSchema.harborTriggerSettingsKeys, ScenarioSchema.harborFilterKeys,
         ScenarioSchema.harborDeletionKeys,
         ScenarioSchema.jenkinsKeys, ScenarioSchema.jenkinsJobKeys, ScenarioSchema.jenkinsCommitKeys]
    }

    /// A declared section by id: the scenario's, or an experiment file's (`experiment...`, docs/experiments.md).
    public static func section(_ id: String) -> SectionKeys? {
        sections.first { $0.id == id } ?? ExperimentSchema.sections.first { $0.id == id }
    }

    static let beginMarker = "<!-- BEGIN GENERATED: scenario-keys "
    static let endMarker = "<!-- END GENERATED -->"

    /// All tables, one heading per section: the whole reference on one page.
    public static func markdown() -> String {
        var out = "# Scenario keys\n\nGenerated from the declarations in Sources/Scenario (`clustersim docs scenario-keys`).\n"
        for s in sections {
            out += "\n## `\(s.id)`\n\n" + s.markdownTable()
        }
        return out
    }

    public struct FillError: Error, CustomStringConvertible {
        public let description: String
    }

    /// `text` with every generated region rewritten from the declarations; everything outside the
    /// regions is kept byte for byte.
    public static func fill(_ text: String, file: String = "") throws -> String {
        var out: [Substring] = []
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        var lineNo = 0
        while let line = lines.popFirst() {
            lineNo += 1
            out.append(line)
            if let table = otherRegion(line) {
                // a generated list (MarathonFlagDocs.swift): rewritten up to its end marker
                var closed = false
                while let l = lines.popFirst() { lineNo += 1; if l == endMarker { closed = true; break } }
                guard closed else { throw FillError(description: "\(file):\(lineNo): region \(line) has no \(endMarker)") }
                out.append(contentsOf: table.dropLast().split(separator: "\n", omittingEmptySubsequences: false))
                out.append(Substring(endMarker))
                continue
            }
            guard line.hasPrefix(beginMarker) else { continue }
            guard line.hasSuffix(" -->") else { throw FillError(description: "\(file):\(lineNo): malformed marker \(line)") }
            let id = String(line.dropFirst(beginMarker.count).dropLast(4))
            guard let s = section(id) else {
                throw FillError(description: "\(file):\(lineNo): unknown section \"\(id)\"; declared: \(sections.map(\.id).joined(separator: ", "))")
            }
            var closed = false
            while let l = lines.popFirst() {
                lineNo += 1
                if l == endMarker { closed = true; break }
                if l.hasPrefix(beginMarker) { break }
            }
            guard closed else { throw FillError(description: "\(file):\(lineNo): region \"\(id)\" has no \(endMarker)") }
            out.append(contentsOf: s.markdownTable().dropLast().split(separator: "\n", omittingEmptySubsequences: false))
            out.append(Substring(endMarker))
        }
        return out.joined(separator: "\n")
    }

    /// The ids of the regions in `text`.
    public static func regions(in text: String) -> [String] {
        text.split(separator: "\n").filter { $0.hasPrefix(beginMarker) && $0.hasSuffix(" -->") }
            .map { String($0.dropFirst(beginMarker.count).dropLast(4)) }
    }
}
