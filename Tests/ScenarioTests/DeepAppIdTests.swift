import ClusterModel
@testable import Scenario
import XCTest

/// A valid app id of tens of thousands of segments (Marathon's PathId rules limit each segment,
/// not their number) loads in work linear in its length: the groups it implies are nodes of a
/// tree keyed by (parent, segment), not full ids (the full ids of 50,000 nested groups add up to
/// 1.25 billion characters). Found by the fuzz campaign (docs/scenarios.md, seed 404 input 2335).
final class DeepAppIdTests: XCTestCase {
    func deepApp(_ segments: Int, extra: String = "") -> String {
        let id = "/" + Array(repeating: "w", count: segments).joined(separator: "/")
        return marathonScenario(#"{"apps": [{"id": "\#(id)", "cmd": "sleep 1000", "cpus": 0.1, "mem": 32}\#(extra)]}"#)
    }

    func testADeepAppIdLoadsWithTheGroupTreeLinearInItsLength() throws {
        let n = 20_000
        let l = try XCTUnwrap(loadOK(deepApp(n)))
        let m = try XCTUnwrap(l.spec.marathon)
        XCTAssertEqual(m.apps.count, 1)
        XCTAssertEqual(m.apps[0].id.count, 2 * n)
        let tree = m.groupTree
        // the root and the n - 1 groups above the app, one character of segment each
        XCTAssertEqual(tree.nodes.count, n)
        XCTAssertEqual(tree.segmentCharacters, n - 1)
        XCTAssertEqual(tree.nodes.last?.depth, n - 1)
        XCTAssertEqual(tree.nodes.last?.idLength, 2 * (n - 1))
        XCTAssertEqual(tree.nodes.last?.apps.count, 1, "the app is in its group")
        // the app's own group, found without building any other full id
        let parent = try XCTUnwrap(tree.lookup(MarathonPath.parent(m.apps[0].id)))
        XCTAssertEqual(parent, n - 1)
        XCTAssertEqual(tree.id(of: 3), "/w/w/w")
    }

    /// The same answers as full ids gave: groups sorted by id with their own apps and groups,
    /// explicit groups' dependencies, an app that is also a group refused, dependencies on
    /// groups expanded to their apps, a missing one suggested from the ids of its length.
    func testTheTreeGivesTheGroupsAndDependenciesFullIdsGave() throws {
        let l = try XCTUnwrap(loadOK(marathonScenario(#"""
        {"apps": [{"id": "/a/b/c/web", "cmd": "x", "cpus": 0.1, "mem": 32},
                  {"id": "/a/db", "cmd": "x", "cpus": 0.1, "mem": 32, "dependencies": ["/a/b"]}],
         "groups": [{"id": "/z", "dependencies": ["/a/b/c"], "apps": [{"id": "api", "cmd": "x", "cpus": 0.1, "mem": 32}]}]}
        """#)))
        let m = try XCTUnwrap(l.spec.marathon)
        XCTAssertEqual(m.groups.map(\.id), ["/", "/a", "/a/b", "/a/b/c", "/z"])
        XCTAssertEqual(m.groups.map(\.apps), [[], ["/a/db"], [], ["/a/b/c/web"], ["/z/api"]])
        XCTAssertEqual(m.groups.map(\.groups), [["/a", "/z"], ["/a/b"], ["/a/b/c"], [], []])
        XCTAssertEqual(m.groups.map(\.dependencies), [[], [], [], [], ["/a/b/c"]])
        XCTAssertEqual(m.app("/a/db")?.effectiveDependencies, ["/a/b/c/web"])
        XCTAssertEqual(m.app("/z/api")?.effectiveDependencies, ["/a/b/c/web"])

        let both = loadErrors(marathonScenario(#"{"apps": [{"id": "/a/b", "cmd": "x"}, {"id": "/a/b/c", "cmd": "x"}]}"#))
        XCTAssertTrue(both.contains { $0.message.contains("/a/b is both an app and a group") }, "\(both)")

        let w = try XCTUnwrap(loadOK(marathonScenario(#"""
        {"apps": [{"id": "/a/b/c/web", "cmd": "x", "cpus": 0.1, "mem": 32},
                  {"id": "/db", "cmd": "x", "cpus": 0.1, "mem": 32, "dependencies": ["/a/b/d"]}]}
        """#))).warnings
        XCTAssertTrue(w.contains { $0.contains("depends on /a/b/d, which is neither an app nor a group here; did you mean \"/a/b/c\"?") }, "\(w)")
    }

    /// A missing dependency next to a deep id: the did-you-mean builds only the ids of about its
    /// length, so the warning costs no quadratic work either.
    func testAMissingDependencyBesideADeepIdIsSuggestedCheaply() throws {
        let l = try XCTUnwrap(loadOK(deepApp(20_000, extra: #", {"id": "/db", "cmd": "x", "cpus": 0.1, "mem": 32, "dependencies": ["/w/w/x"]}"#)))
        XCTAssertTrue(l.warnings.contains { $0.contains("depends on /w/w/x, which is neither an app nor a group here; did you mean \"/w/w/w\"?") }, "\(l.warnings)")
        XCTAssertEqual(l.spec.marathon?.groupTree.ids(withLengthNear: [6], within: 3), ["/w/w", "/w/w/w", "/w/w/w/w"])
    }
}
