import SimKernel

/// The `autoscale` section (issue 12): marathon-lb-autoscale's options as autoscale.rb's
/// `Optparser.parse` leaves them (mesosphere/marathon-lb-autoscale:autoscale.rb lines 23-37 for
/// the defaults). docs/autoscale.md has the flags, their sources and the algorithm line by line.
public struct AutoscaleSpec: Equatable, Sendable {
    /// `--target-rps` (autoscale.rb:29, default 1000).
    public var targetRPS: Int = 1000
    /// `--interval` in seconds, a Float (autoscale.rb:26, default 60).
    public var interval: Double = 60
    /// `--samples` (autoscale.rb:27, default 10).
    public var samples: Int = 10
    /// `--cooldown`, in intervals (autoscale.rb:28, default 5).
    public var cooldown: Int = 5
    /// `--apps`: `<app>_<service port>` frontends, in the order given, duplicates dropped (a Ruby
    /// Set keeps insertion order; autoscale.rb:30, 77).
    public var apps: [String] = []
    /// `--threshold-percent` (autoscale.rb:31, default 0.5).
    public var thresholdPercent: Double = 0.5
    /// `--threshold-instances` (autoscale.rb:32, default 3).
    public var thresholdInstances: Int = 3
    /// Not a flag: autoscale.rb:33 fixes it at 3.
    public var intervalsPastThreshold: Int = 3
    /// `--max-instances` (autoscale.rb:36, default Integer::MAX = 2**62 - 1 as its lines 14-19 define it).
    public var maxInstances: Int = (1 << 62) - 1
    /// `--min-instances` (autoscale.rb:37, default 1).
    public var minInstances: Int = 1
    /// The host names of the `--haproxy` URLs, in order (each resolves to the marathon-lb
    /// instances on that host; every one is polled).
    public var haproxyHosts: [String] = []
    /// The `--marathon` URL. A host of the scenario answers while it is up and runs a live Marathon
    /// process (which proxies to the leader); a name the scenario does not have stands for a name
    /// that reaches the leader (docs/autoscale.md).
    public var marathon: String = ""
    /// The host the autoscaler runs on (nil: it never stops).
    public var host: String? = nil

    public init() {}

    /// The host of a URL (`scheme://[user@]host[:port]/...`; nil without one): what Net::HTTP
    /// connects to (autoscale.rb:277, 363 take `@options.marathon.host`).
    public static func urlHost(_ s: String) -> String? {
        guard let r = s.range(of: "://") else { return nil }
        let rest = s[r.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPort = authority.split(separator: "@").last.map(String.init) ?? ""
        let host = hostPort.split(separator: ":", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) else { return nil }
        return host
    }

    /// The Marathon app id part of a `--apps` entry: `(.*)_\d+$`'s group (autoscale.rb:290, 313);
    /// nil when the entry does not match (autoscale.rb would raise NoMethodError every interval).
    public static func appPart(_ frontend: String) -> Substring? {
        let u = frontend.utf8
        var i = u.endIndex, digits = 0
        while i > u.startIndex {
            let j = u.index(before: i)
            guard u[j] >= UInt8(ascii: "0") && u[j] <= UInt8(ascii: "9") else { break }
            i = j; digits += 1
        }
        guard digits > 0, i > u.startIndex else { return nil }
        let us = u.index(before: i)
        guard u[us] == UInt8(ascii: "_") else { return nil }
        return frontend[frontend.startIndex..<us]
    }

    /// The Marathon app id the PUT goes to: the app part with every `_` made `/` (autoscale.rb:314,
    /// "support for folders"), under the root group.
    public static func putAppID(_ frontend: String) -> String? {
        appPart(frontend).map { "/" + String($0.map { $0 == "_" ? "/" : $0 }) }
    }

    /// The key a Marathon app id matches in `update_current_marathon_instances`: the id without its
    /// first character, `/` made `_` (autoscale.rb:285).
    public static func currentKey(ofMarathonID id: String) -> String {
        String(id.dropFirst().map { $0 == "/" ? "_" : $0 })
    }
}
