import ClusterModel

// The generated list of docs/marathon.md "Flags": every flag Marathon 1.4 to 1.10 accepts that the
// simulator does not model, with the releases that have it and the check the simulator makes
// (`make docs`, region `<!-- BEGIN GENERATED: marathon-flag-table -->`).

extension MarathonFlagTable {
    static let docsMarker = "<!-- BEGIN GENERATED: marathon-flag-table -->"

    /// How the value is read and checked, in words.
    static func checkText(_ e: Entry) -> String {
        var t: String
        switch e.type {
        case .long: t = "Long (whole number)"
        case .int: t = "Int (whole number, 32 bits)"
        case .string: t = "string"
        case .flag: t = "flag, no value"
        case .toggle: t = "toggle, no value; `disable_\(e.name)` = off"
        }
        switch e.name {
        case "enable_features": t += "; the release's features (vips, task_killing, external_volumes, secrets, gpu_resources; maintenance_mode 1.6.0-1.7.x). `task_killing` is modelled: Marathon declares TASK_KILLING_STATE and Mesos sends TASK_KILLING before a kill (docs/marathon.md); the others have no effect"
        case "gpu_scheduling_behavior": t += "; undefined, restricted, unrestricted (before 1.8 needs the gpu_resources feature; undefined refused from 1.9)"
        case "zk": t += "; a zk:// URL (ZookeeperConf pattern)"
        case "master": t += "; a zk:// value is a zk URL (1.5.12+)"
        default:
            let v = e.spans.last!.from
            if let c = MarathonFlagsDecoder.choices(e.name, v) {
                let old = MarathonFlagsDecoder.choices(e.name, MarathonVersion(1, 4, 0))!.names
                t += "; " + (old == c.names ? c.names.joined(separator: ", ") : "\(old.joined(separator: ", ")) (1.4), \(c.names.joined(separator: ", ")) (1.5+)")
            } else if let s = MarathonFlagsDecoder.settings(e.name, v) {
                t += "; " + s.joined(separator: ", ") + " (any case)"
            } else if e.type == .long || e.type == .int, let bounds = numberBoundsText(e.name) {
                t += "; " + bounds
            }
        }
        if e.hidden { t += "; hidden in `--help`" }
        return t
    }

    static func numberBoundsText(_ name: String) -> String? {
        let probes: [Int64] = [-1, 0, 1, 2, 5, 6]
        guard MarathonFlagsDecoder.numberValid(name, 0) != nil else { return nil }
        let ok = probes.filter { MarathonFlagsDecoder.numberValid(name, $0) == true }
        switch ok {
        case [0, 1, 2, 5, 6]: return ">= 0"
        case [1, 2, 5, 6]: return "> 0"
        case [2, 5, 6]: return "> 1"
        case [0, 1, 2, 5]: return "0 to 5"
        case [0, 2, 5, 6]: return "0 or >= 2"
        default: return nil
        }
    }

    /// The markdown table (ending with a newline).
    static func markdown() -> String {
        var out = "| Flag | Releases | Value and check | Declared in |\n|---|---|---|---|\n"
        for e in entries where MarathonFlagsDecoder.flag(e.name) == nil {
            let versions = String(e.versionsText.dropFirst("Marathon ".count))
            let source: String
            if let r = e.source.range(of: " (") { source = "`\(e.source[..<r.lowerBound])`\(e.source[r.lowerBound...])" } else { source = "`\(e.source)`" }
            out += "| `\(e.name)` | \(versions) | \(checkText(e)) | \(source) |\n"
        }
        return out
    }
}

extension ScenarioReference {
    /// A generated region other than a key table, by its marker line (nil: not one).
    static func otherRegion(_ line: Substring) -> String? {
        line == MarathonFlagTable.docsMarker ? MarathonFlagTable.markdown() : nil
    }
}
