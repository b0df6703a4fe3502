import SimKernel

/// Registrator's command line (gliderlabs/registrator@6bfadbc registrator.go, the flags it defines
/// with Go's `flag` package and the checks `main` makes on them). One registrator runs on every
/// host with a Consul agent and registers in that agent (`consul://localhost:8500`).
/// Defaults are registrator's; docs/consul.md "Registrator as a process".
public struct RegistratorFlags: Equatable, Sendable {
    /// `-deregister`: "always" (default) or "on-success" (bridge.go `shouldRemove`: a container
    /// that exited with code 0, or by a signal (exit code with bit 128), is deregistered; one that
    /// exited with another code stays registered).
    public enum Deregister: String, Equatable, Sendable, CaseIterable {
        case always
        case onSuccess = "on-success"
    }
    /// `-ip`: the address of every registration (not modelled: the model addresses a registration by its host).
    public var ip = ""
    /// `-internal`: register the container's exposed port (and its IP) instead of the published host port,
    /// and ports that are not published.
    public var `internal` = false
    /// `-explicit`: only ports whose SERVICE_NAME (or SERVICE_<port>_NAME) is set.
    public var explicit = false
    /// `-useIpFromLabel` (not modelled).
    public var useIpFromLabel = ""
    /// `-ttl`, `-ttl-refresh` (seconds): the consul adapter's `Refresh` does nothing and its
    /// `Register` does not pass the TTL: no effect on Consul.
    public var ttl = 0
    public var ttlRefresh = 0
    /// `-tags`: tags appended to every registration after SERVICE_TAGS (a Go template; text
    /// without actions is its own result).
    public var tags = ""
    /// `-resync` (seconds, 0: never): every so often `Bridge.Sync(true)` registers again what
    /// registrator holds for the running containers, and with `-cleanup` removes dangling services.
    public var resync = 0
    public var deregister = Deregister.always
    /// `-retry-attempts` (0; -1 forever), `-retry-interval` (ms, 2000): registrator's `Ping` of the
    /// backend at start.
    public var retryAttempts = 0
    public var retryInterval = 2000
    /// `-cleanup`: `Sync` removes the agent's services whose id has registrator's form
    /// `<hostname>:<container>:<port>[:udp]` with this host's name and no running container behind them.
    public var cleanup = false
    /// The registry URI (its one argument).
    public var registryURI = "consul://localhost:8500"
    public init() {}

    /// The period of `Sync(true)`, nil when `-resync` is 0.
    public var resyncInterval: SimDuration? { resync > 0 ? .seconds(Int64(resync)) : nil }

    /// bridge.go `serviceIDPattern` `^(.+?):([a-zA-Z0-9][a-zA-Z0-9_.-]+):[0-9]+(?::udp)?$`: the
    /// hostname part (the shortest that lets the rest match) when `id` has registrator's form.
    public static func hostnameOfServiceID(_ id: String) -> String? {
        var s = Substring(id)
        if s.hasSuffix(":udp") { s = s.dropLast(4) }
        guard let c = s.lastIndex(of: ":") else { return nil }
        let port = s[s.index(after: c)...]
        guard !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let head = s[..<c]
        // (.+?) lazy: the first colon (after at least one character) whose rest is a container name
        var i = head.startIndex
        while i < head.endIndex {
            if head[i] == ":", i > head.startIndex {
                let name = head[head.index(after: i)...]
                if name.count >= 2, let f = name.first, isAlnum(f), name.allSatisfy({ isAlnum($0) || $0 == "_" || $0 == "." || $0 == "-" }) {
                    return String(head[..<i])
                }
            }
            i = head.index(after: i)
        }
        return nil
    }

    static func isAlnum(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }
}
