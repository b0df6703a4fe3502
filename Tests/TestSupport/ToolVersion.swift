import Foundation

/// The release of a real tool the tests use as a judge (promtool, amtool), shared by the test targets that
/// gate on it (ScenarioTests' `Judge`, ClusterModelTests' `PromtoolRelease`).
public enum ToolVersion {
    /// What `<path> --version` prints (stdout and stderr), nil when it cannot be run.
    public static func output(_ path: String) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = ["--version"]
        let pipe = Pipe()
        p.standardOutput = pipe; p.standardError = pipe
        guard (try? p.run()) != nil else { return nil }
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: out, as: UTF8.self)
    }

    /// "promtool, version 2.53.3+ds1 (branch: ...)" → "2.53"; amtool's first line has the same form. nil when
    /// the output is not `name`'s or has no major.minor.
    public static func majorMinor(_ name: String, _ output: String) -> String? {
        guard let r = output.range(of: name + ", version ") else { return nil }
        let parts = output[r.upperBound...].prefix { $0.isNumber || $0 == "." }.split(separator: ".")
        guard parts.count >= 2 else { return nil }
        return parts[0] + "." + parts[1]
    }
}
