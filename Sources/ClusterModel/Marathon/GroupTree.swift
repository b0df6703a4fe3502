// Marathon's group tree (state/Group.scala, state/RootGroup.scala): every group, explicit or
// implied by an app or group id, as a node keyed by (parent node, path segment). A node stores
// its own segment, not its full id, so a tree of depth n costs O(n) characters, where the full
// ids of its groups ("/a", "/a/a", "/a/a/a" ...) would add up to O(n²): an app id of 50,000
// segments (valid: Marathon limits each segment, not their number) is 50,000 implied groups.
// Full ids are built only where something asks for one (`id(of:)`, `definitions()`).

/// Marathon's groups as a tree of nodes, node 0 the root group "/".
public struct MarathonGroupTree: Equatable, Sendable {
    public struct Node: Equatable, Sendable {
        /// The enclosing group's node (-1 for the root).
        public var parent: Int
        /// The last segment of the group's id ("" for the root).
        public var segment: String
        /// The length of the group's full id in characters ("/" for the root: 1).
        public var idLength: Int
        /// Segments below the root (the root: 0).
        public var depth: Int
        /// Whether a group definition names it (else an app or group id implies it).
        public var explicit = false
        /// The group's own apps (their full ids), in file order.
        public var apps: [String] = []
        /// The explicit group definitions' dependencies, in file order.
        public var dependencies: [String] = []
    }

    public private(set) var nodes: [Node] = [Node(parent: -1, segment: "", idLength: 1, depth: 0)]
    /// (parent node, segment) -> node. Building only: `lookup` and `insert` use it.
    private var children: [ChildKey: Int] = [:]
    struct ChildKey: Hashable, Sendable { var parent: Int; var segment: String }

    public init() {}

    /// Characters held by the tree's segments: linear in the input, however deep its ids
    /// (what the tests check instead of wall time).
    public var segmentCharacters: Int { nodes.reduce(0) { $0 + $1.segment.utf8.count } }

    public static func == (a: MarathonGroupTree, b: MarathonGroupTree) -> Bool { a.nodes == b.nodes }

    /// The node of the absolute canonical group id `id`, made (with its ancestors) if missing.
    /// O(length of `id`).
    @discardableResult
    public mutating func insert(_ id: String) -> Int {
        var n = 0
        for seg in id.split(separator: "/", omittingEmptySubsequences: true) {
            let key = ChildKey(parent: n, segment: String(seg))
            if let c = children[key] { n = c; continue }
            let p = nodes[n]
            nodes.append(Node(parent: n, segment: key.segment,
                              idLength: (n == 0 ? 0 : p.idLength) + 1 + key.segment.utf8.count, depth: p.depth + 1))
            children[key] = nodes.count - 1
            n = nodes.count - 1
        }
        return n
    }

    /// The node of the group `id` (absolute, canonical), or nil when no group has that id.
    public func lookup(_ id: String) -> Int? {
        var n = 0
        for seg in id.split(separator: "/", omittingEmptySubsequences: true) {
            guard let c = children[ChildKey(parent: n, segment: String(seg))] else { return nil }
            n = c
        }
        return n
    }

    /// The full id of node `n` ("/", "/a/b"). O(its length).
    public func id(of n: Int) -> String {
        if n == 0 { return "/" }
        var segs: [String] = []
        var k = n
        while k > 0 { segs.append(nodes[k].segment); k = nodes[k].parent }
        return "/" + segs.reversed().joined(separator: "/")
    }

    public mutating func markExplicit(_ n: Int, dependencies: [String]) {
        nodes[n].explicit = true
        nodes[n].dependencies += dependencies
    }

    public mutating func addApp(_ appID: String, to n: Int) { nodes[n].apps.append(appID) }

    /// The ids of the groups whose id is within `within` characters of one of `lengths` (for a
    /// did-you-mean, which compares nothing further apart), sorted. Builds only those ids: in a
    /// chain of n groups a few per length, not the O(n²) characters of them all.
    public func ids(withLengthNear lengths: [Int], within: Int) -> [String] {
        let sorted = lengths.sorted()
        guard !sorted.isEmpty else { return [] }
        func near(_ l: Int) -> Bool {
            // the first length >= l - within, then whether it is <= l + within
            var lo = 0, hi = sorted.count
            while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] < l - within { lo = mid + 1 } else { hi = mid } }
            return lo < sorted.count && sorted[lo] <= l + within
        }
        return nodes.indices.filter { near(nodes[$0].idLength) }.map { id(of: $0) }.sorted()
    }

    /// Every group as a definition with full ids, sorted by id: O(total length of the ids), so
    /// only for callers that want them all (tests, reports), never on the load or run path.
    public func definitions() -> [GroupDefinition] {
        let ids = nodes.indices.map { id(of: $0) }
        let order = nodes.indices.sorted { ids[$0] < ids[$1] }
        var childIDs = [[String]](repeating: [], count: nodes.count)
        for n in order where n != 0 { childIDs[nodes[n].parent].append(ids[n]) }
        return order.map { n in
            GroupDefinition(id: ids[n], apps: nodes[n].apps, groups: childIDs[n], dependencies: nodes[n].dependencies)
        }
    }
}
