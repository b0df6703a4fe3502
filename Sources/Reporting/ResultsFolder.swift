#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A results folder written atomically: everything goes into a hidden temporary folder beside
/// the target (`.<name>.tmp-<pid>`), which is renamed into place only when the run completes.
/// An interrupted run therefore never leaves a half-written results folder.
public final class ResultsFolder {
    public let finalPath: String
    public let tempPath: String
    private var done = false

    public init(finalPath: String) throws {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: finalPath).standardizedFileURL
        self.finalPath = url.path
        let parent = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        tempPath = parent + "/." + name + ".tmp-" + String(getpid())
        do {
            try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
            if fm.fileExists(atPath: tempPath) { try fm.removeItem(atPath: tempPath) }
            try fm.createDirectory(atPath: tempPath, withIntermediateDirectories: false)
        } catch {
            throw OutputError("cannot create results folder beside \(finalPath): \(error.localizedDescription)")
        }
    }

    /// Path of a file inside the (temporary) folder.
    public func path(_ file: String) -> String { tempPath + "/" + file }

    /// Moves the finished folder into place, replacing an older one of the same name.
    public func commit() throws {
        let fm = FileManager.default
        var old: String? = nil
        if fm.fileExists(atPath: finalPath) {
            let o = tempPath + ".old"
            if rename(finalPath, o) != 0 {
                throw OutputError("cannot replace \(finalPath): \(String(cString: strerror(errno)))")
            }
            old = o
        }
        if rename(tempPath, finalPath) != 0 {
            let msg = String(cString: strerror(errno))
            if let o = old { _ = rename(o, finalPath) }
            throw OutputError("cannot move results into \(finalPath): \(msg)")
        }
        if let o = old { try? fm.removeItem(atPath: o) }
        done = true
    }

    /// Removes the temporary folder (interrupted or failed run).
    public func discard() {
        guard !done else { return }
        try? FileManager.default.removeItem(atPath: tempPath)
        done = true
    }
}
