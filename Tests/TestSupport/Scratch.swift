import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Temporary folders for tests, all under one folder per test process
/// (`$TMPDIR/clustersim-tests-<pid>`), removed when the process exits, so `make test` run again and again
/// does not fill /tmp. A process that died before its exit handler ran (a trap, a kill) leaves its folder;
/// the next test process removes every such folder whose process is gone.
public enum Scratch {
    /// Where this process's folders go (created on first use).
    public static var root: String { state.root }

    /// A fresh empty folder `<root>/<tag>-<uuid>`.
    public static func folder(_ tag: String) -> String {
        let d = state.root + "/" + tag + "-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    static let prefix = "clustersim-tests-"

    /// The folders of test processes that no longer run, under `tmp` (the current one's excluded).
    public static func stale(in tmp: String, isRunning: (Int32) -> Bool) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []
        return names.sorted().compactMap { name in
            guard name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count)), pid > 0 else { return nil }
            return pid == getpid() || isRunning(pid) ? nil : tmp + "/" + name
        }
    }

    private static func running(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

    private final class State: Sendable {
        let root: String
        init() {
            var tmp = NSTemporaryDirectory()
            while tmp.count > 1 && tmp.hasSuffix("/") { tmp.removeLast() }
            for d in Scratch.stale(in: tmp, isRunning: Scratch.running) { try? FileManager.default.removeItem(atPath: d) }
            root = tmp + "/" + Scratch.prefix + String(getpid())
            try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            atexit { Scratch.removeRoot() }
        }
    }

    private static let state = State()

    /// Removes this process's folder (the exit handler; tests of the helper call it too).
    static func removeRoot() { try? FileManager.default.removeItem(atPath: state.root) }
}
