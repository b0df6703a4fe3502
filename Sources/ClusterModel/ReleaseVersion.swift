// A release number of a modelled system (Mesos, Marathon): major.minor.patch, what both version keys share.

/// A 1.x release, major.minor.patch, with the range the model supports. Conformers give the stored
/// numbers and the range; parsing ("1.4", "1.4.9", "1.10": a missing patch means .0), ordering, the
/// support check and `atLeast` come from the extension.
public protocol ReleaseVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
    var major: Int { get }
    var minor: Int { get }
    var patch: Int { get }
    init(_ major: Int, _ minor: Int, _ patch: Int)
    static var oldestSupported: Self { get }
    /// Newest supported minor line (every patch of it is accepted).
    static var newestSupportedMinor: Self { get }
    /// The supported releases in words ("1.1.0 to 1.11.x").
    static var supportedRange: String { get }
}

extension ReleaseVersion {
    /// Parses "1.4", "1.4.3", "1.11". Nil when malformed.
    public init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        var nums: [Int] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 6, p.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(p) else { return nil }
            nums.append(n)
        }
        self.init(nums[0], nums[1], nums.count == 3 ? nums[2] : 0)
    }

    public var isSupported: Bool {
        self >= Self.oldestSupported && (major, minor) <= (Self.newestSupportedMinor.major, Self.newestSupportedMinor.minor)
    }

    public static func < (a: Self, b: Self) -> Bool { (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch) }
    public var description: String { "\(major).\(minor).\(patch)" }

    /// This release is 1.minor.patch or later.
    public func atLeast(_ minor: Int, _ patch: Int = 0) -> Bool { self >= Self(1, minor, patch) }
}
