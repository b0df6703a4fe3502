@testable import ClusterModel
import SimKernel
import XCTest

/// With `keepHistory`, nginx's generations before the running one are folded into runs of equal
/// routes (`NginxGenerations.fold`): a reload that keeps the routes adds no entry, so the list
/// is flat over a simulated week (issue 14 item 4: one entry per reload was what still grew in the
/// bench's nginx entry). Every generation still answers its own routes.
final class NginxGenerationFoldTests: XCTestCase {
    /// "web" has a `location /up` only while it has instances.
    static let template = """
    upstream app {
      {{range service "web"}}server {{.Address}}:{{.Port}};
      {{else}}server 127.0.0.1:65535;{{end}}
    }
    server {
      listen 80 default_server;
      location / { proxy_pass http://app; }
      {{if service "web"}}location /up { proxy_pass http://app; proxy_read_timeout 5s; }{{end}}
    }
    """

    /// A change every 20 s: all three instances and the first one in turn; with `emptyEvery`, every
    /// such change is none at all (the `/up` location goes, and comes back at the next one).
    func run(changes n: Int, emptyEvery: Int? = nil, keep: Bool) -> (NginxProxies, [LoggedEvent]) {
        let rig = DiscoveryRig(template: Self.template, duration: .seconds(Int64(20 * n + 60)))
        let changes = (1...n).map { k in
            let instances = emptyEvery.map { k % $0 == 0 } == true ? [] : k % 2 == 1 ? [rig.instances[0]] : rig.instances
            return FakeCatalog.Change(at: .seconds(Int64(20 * k)), service: 0, instances: instances)
        }
        let (model, ev) = rig.run(initial: rig.instances, changes: changes, keepHistory: keep ? [] : nil)
        return (model.subsystem(NginxProxies.self)!, ev)
    }

    /// Every generation's locations, server count and routes, as the keep-everything run has them.
    func assertSameGenerations(_ a: NginxProxies, _ b: NginxProxies, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.generation(ofProxy: 0), b.generation(ofProxy: 0), file: file, line: line)
        for g in 0...a.generation(ofProxy: 0) {
            let x = a.configuration(proxy: 0, generation: g), y = b.configuration(proxy: 0, generation: g)
            XCTAssertEqual(x.locations, y.locations, "generation \(g)", file: file, line: line)
            XCTAssertEqual(x.servers, y.servers, "generation \(g)", file: file, line: line)
            for path in ["/", "/up", "/up/x"] {
                XCTAssertEqual(a.route(proxy: 0, generation: g, path: path), b.route(proxy: 0, generation: g, path: path),
                               "generation \(g) \(path)", file: file, line: line)
            }
        }
    }

    func testReloadsThatKeepTheRoutesAddNoEntry() {
        let (kept, k) = run(changes: 30, keep: true)
        let (all, a) = run(changes: 30, keep: false)
        XCTAssertEqual(k.map(\.detail), a.map(\.detail), "the same run")
        XCTAssertEqual(kept.reloads(ofProxy: 0), 30)
        assertSameGenerations(kept, all)
        XCTAssertLessThanOrEqual(kept.generationEntries(proxy: 0), 2, "one run of the let-go generations and the running one")
        XCTAssertEqual(all.generationEntries(proxy: 0), 31, "without keepHistory: every generation")
        let (longer, _) = run(changes: 60, keep: true)
        XCTAssertEqual(longer.reloads(ofProxy: 0), 60)
        XCTAssertEqual(longer.generationEntries(proxy: 0), kept.generationEntries(proxy: 0), "flat in reloads")
        XCTAssertLessThanOrEqual(longer.locationArrays(proxy: 0), 2)
    }

    func testRoutesThatChangeFoldIntoRunsEachGenerationKeepsItsOwn() {
        let (kept, k) = run(changes: 40, emptyEvery: 5, keep: true)
        let (all, a) = run(changes: 40, emptyEvery: 5, keep: false)
        XCTAssertEqual(k.map(\.detail), a.map(\.detail), "the same run")
        XCTAssertEqual(kept.reloads(ofProxy: 0), 40)
        XCTAssertEqual(all.route(proxy: 0, generation: 5, path: "/up")?.location, "/", "no /up while web has no instance")
        XCTAssertEqual(all.route(proxy: 0, generation: 6, path: "/up")?.location, "/up")
        assertSameGenerations(kept, all)
        // the routes change twice every 5 reloads: a run per change, not per reload
        XCTAssertLessThanOrEqual(kept.generationEntries(proxy: 0), 2 * 40 / 5 + 2)
        XCTAssertLessThanOrEqual(kept.locationArrays(proxy: 0), 2 * 40 / 5 + 2)
    }
}
