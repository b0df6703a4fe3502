import Foundation

/// Runs a judge (nginx -t, haproxy -c, promtool) and returns its exit status with what it printed
/// (stdout and stderr together), for the test targets that call the real tools.
public enum ToolRun {
    public static func run(_ program: String, _ args: [String], in directory: String? = nil) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        if let d = directory { p.currentDirectoryURL = URL(fileURLWithPath: d) }
        let pipe = Pipe()
        p.standardOutput = pipe; p.standardError = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self))
    }
}
