@testable import ClusterModel
import Foundation
import SimKernel
import XCTest

/// consul-template's range-body cache (issue 14): a render reuses the text of the bodies whose
/// reads did not change, byte-identical to executing every body, and runs only the changed ones.
final class RangeBodyCacheTests: XCTestCase {
    /// Answers that change between renders, each service's answer with a version.
    final class Answers: TemplateData {
        var byService: [(name: String, instances: [TemplateInstance], version: Int)] = []
        func set(_ name: String, ports: [Int]) {
            let inst = ports.map { TemplateInstance(node: "slave-\($0 % 7)", address: "10.0.0.\($0 % 7)", id: "\(name)-\($0)", name: name, port: $0) }
            if let i = byService.firstIndex(where: { $0.name == name }) {
                byService[i].instances = inst; byService[i].version += 1
            } else { byService.append((name, inst, 0)); byService.sort { $0.name < $1.name } }
        }
        func service(_ q: ServiceQuery) -> [TemplateInstance] { byService.first { $0.name == q.name }?.instances ?? [] }
        func services() -> [String] { byService.filter { !$0.instances.isEmpty }.map(\.name) }
        func answerVersion(_ q: ServiceQuery?) -> Int? {
            guard let q else { return byService.filter { !$0.instances.isEmpty }.count * 1_000 + byService.reduce(0) { $0 + $1.version } }
            return byService.first { $0.name == q.name }?.version ?? -1
        }
    }

    /// The shipped scenarios/templates/nginx-upstreams.ctmpl (one upstream per service, one location per service).
    let upstreams = try! String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../scenarios/templates/nginx-upstreams.ctmpl"), encoding: .utf8)

    /// Renders `template` after each step with a cache kept across renders and without one;
    /// the texts must be equal. Returns the cache.
    func compare(_ template: String, _ answers: Answers, steps: [(Answers) -> Void], file: StaticString = #filePath, line: UInt = #line) throws -> RangeBodyCache {
        let parsed = try TemplateParser.parse(template)
        let cache = RangeBodyCache()
        for (k, step) in ([{ _ in }] + steps).enumerated() {
            step(answers)
            let cached = TemplateRenderer(data: answers, cache: cache)
            let plain = TemplateRenderer(data: answers)
            let a = try cached.render(parsed), b = try plain.render(parsed)
            XCTAssertEqual(a, b, "step \(k)", file: file, line: line)
            XCTAssertEqual(cached.dependencies, plain.dependencies, "step \(k): the dependencies the cached bodies registered", file: file, line: line)
            XCTAssertEqual(cached.usesServices, plain.usesServices, file: file, line: line)
        }
        return cache
    }

    func testAChangeOfOneServiceRunsOnlyItsBodies() throws {
        let a = Answers()
        for (k, s) in ["api", "auth", "web", "search"].enumerated() { a.set(s, ports: [31000 + k, 31100 + k]) }
        let cache = try compare(upstreams, a, steps: [
            { $0.set("web", ports: [31002]) },                 // one service changes
            { _ in },                                           // nothing changes
        ])
        // first render: 4 upstream bodies + 4 location bodies. Second: `services` is unchanged
        // (same names), web's upstream body runs again, the other 7 bodies come from the cache.
        // Third: all 8 from the cache.
        XCTAssertEqual(cache.misses, 8 + 1)
        XCTAssertEqual(cache.hits, 7 + 8)
    }

    func testServicesComingAndGoingAndEmptyAnswers() throws {
        let a = Answers()
        for (k, s) in ["api", "web"].enumerated() { a.set(s, ports: [31000 + k]) }
        let cache = try compare(upstreams, a, steps: [
            { $0.set("search", ports: [31005, 31006]) },        // a new service
            { $0.set("api", ports: []) },                       // a service without instances leaves `services`
            { $0.set("api", ports: [31007]) },                  // and comes back
            { $0.set("web", ports: []) },
        ])
        XCTAssertEqual(cache.entries.count, 4, "only the last render's bodies are kept: api's and search's upstream and location")
    }

    /// A body that reads an outer variable is reused only while that variable has the same value.
    func testAnOuterVariableThatChangesRerunsTheBody() throws {
        let t = #"{{$n := len (service "api")}}{{range services}}{{.Name}}:{{$n}};{{end}}"#
        let a = Answers()
        a.set("api", ports: [1]); a.set("web", ports: [2])
        let cache = try compare(t, a, steps: [{ $0.set("api", ports: [1, 3]) }])
        XCTAssertEqual(cache.misses, 4, "api's count changed: both bodies read it")
    }

    /// A body that assigns an outer variable is never taken from the cache (its effect would be lost).
    func testABodyThatAssignsAnOuterVariableIsNotCached() throws {
        let t = #"{{$last := ""}}{{range services}}{{$last = .Name}}{{.Name}} {{end}}last={{$last}}"#
        let a = Answers()
        a.set("api", ports: [1]); a.set("web", ports: [2])
        let cache = try compare(t, a, steps: [{ _ in }, { $0.set("zz", ports: [3]) }])
        XCTAssertEqual(cache.hits, 0)
        XCTAssertTrue(cache.entries.isEmpty)
    }

    /// The index of `range $i, $x := ...` is part of the key: a body printing it reruns when its
    /// item moves.
    func testTheIterationIndexIsPartOfTheKey() throws {
        let t = #"{{range $i, $s := services}}{{$i}}={{$s.Name}} {{end}}"#
        let a = Answers()
        a.set("b", ports: [1]); a.set("c", ports: [2])
        _ = try compare(t, a, steps: [{ $0.set("a", ports: [3]) }])
    }

    /// The functions beyond the catalog: a body that reads `timestamp` reruns at every render (the
    /// time moved), bodies that read the KV store, the environment, `byTag` maps (ranged by key)
    /// and JSON are cached while their services do not change; cached and uncached texts equal.
    func testBodiesWithTheNewFunctionsCacheCorrectly() throws {
        let t = #"""
            {{range services}}{{$n := .Name}}{{range $tag, $xs := service .Name | byTag}}{{$n}}/{{$tag}}={{len $xs}} {{end}}{{end}}
            {{range services}}{{.Name}} {{key "max"}} {{env "E"}} {{timestamp "unix"}}{{range $k, $v := `{"a":1}` | parseJSON}} {{$k}}{{$v}}{{end}};{{end}}
            {{range $i := loop 2}}{{timestamp "unix"}}{{end}}
            """#
        let parsed = try TemplateParser.parse(t)
        let a = Answers()
        a.set("api", ports: [1, 2]); a.set("web", ports: [3])
        let inputs = TemplateInputs(kv: ["max": "9"], environment: ["E": "e"])
        let cache = RangeBodyCache()
        let steps: [(Answers) -> Void] = [{ _ in }, { $0.set("web", ports: [3, 4]) }, { _ in }]
        for (k, step) in steps.enumerated() {
            step(a)
            let cached = TemplateRenderer(data: a, cache: cache, inputs: inputs), plain = TemplateRenderer(data: a, inputs: inputs)
            cached.now = SimTime.zero + .seconds(Int64(k)); plain.now = cached.now
            XCTAssertEqual(try cached.render(parsed), try plain.render(parsed), "step \(k)")
            XCTAssertTrue(try plain.render(parsed).contains("web \(9) e \(1_496_275_200 + k) a1;"), "step \(k)")
        }
        XCTAssertGreaterThan(cache.hits, 0, "the byTag bodies of the unchanged service come from the cache")
    }

    /// Bodies that write or read `scratch` run at every render (their effect is not in their
    /// text): a body that only reads the pad, after a body that fills it, sees this render's values.
    func testScratchBodiesAreExecutedEveryRender() throws {
        let t = #"""
            {{range services}}{{range service .Name}}{{scratch.MapSet "all" .ID .Port}}{{end}}{{end}}
            {{range services}}{{.Name}}:{{scratch.MapValues "all"}};{{end}}
            """#
        let a = Answers()
        a.set("api", ports: [1, 2]); a.set("web", ports: [3])
        let cache = try compare(t, a, steps: [{ $0.set("web", ports: [3, 4]) }, { _ in }, { $0.set("api", ports: []) }])
        XCTAssertEqual(cache.hits, 0, "every body touches the pad")
    }

    /// The runner with the cache and without it over a stream of catalog changes: the same
    /// event log (renders, reloads, their times and details) and the same files.
    func testRunnerWithAndWithoutTheCacheGiveTheSameRun() {
        let rig = DiscoveryRig(instances: 4, template: upstreams)
        let i = rig.instances
        let changes: [FakeCatalog.Change] = [
            .init(at: .seconds(30), service: 1, instances: [i[2]]),
            .init(at: .seconds(60), service: 0, instances: [i[0], i[1]]),
            .init(at: .seconds(90), service: 2, instances: []),
            .init(at: .seconds(120), service: 1, instances: [i[2], i[3]]),
            .init(at: .seconds(150), service: 0, instances: nil),
            .init(at: .seconds(180), service: 0, instances: [i[3]]),
        ]
        func run(cache: Bool) -> (ClusterSimulation, [LoggedEvent]) {
            let obs = MemoryObserver()
            let model = ClusterSimulation(spec: rig.spec, observer: obs, subsystems: [
                FakeCatalog.entry(services: ["web", "api", "search"], initial: [i, [i[1]], [i[0], i[3]]], changes: changes),
            ] + ClusterSimulation.standardSubsystems)
            model.subsystem(ConsulTemplateRunner.self)!.cacheBodies = cache
            model.run()
            return (model, obs.events)
        }
        let (m1, e1) = run(cache: true), (m2, e2) = run(cache: false)
        let line = { (e: LoggedEvent) in "\(e.time.nanoseconds) \(e.component) \(e.event) \(e.subject) \(e.detail)" }
        XCTAssertEqual(e1.map(line), e2.map(line))
        XCTAssertGreaterThan(e1.named("templateRendered").count, 3)
        let r1 = m1.subsystem(ConsulTemplateRunner.self)!, r2 = m2.subsystem(ConsulTemplateRunner.self)!
        XCTAssertEqual(r1.destinationText(proxy: 0, template: 0), r2.destinationText(proxy: 0, template: 0))
        XCTAssertGreaterThan(r1.runners[0].templates[0].cache.hits, 0)
        XCTAssertEqual(r2.runners[0].templates[0].cache.hits + r2.runners[0].templates[0].cache.misses, 0)
    }
}
