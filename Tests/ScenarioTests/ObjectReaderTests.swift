@testable import Scenario
import SimKernel
import XCTest

/// The decoding layer later sections build on.
final class ObjectReaderTests: XCTestCase {
    func testReaderReportsUnreadKeysWithSuggestionsAndRejections() throws {
        let v = try JSONParser.parseValue(#"{"cpus": 2, "Memory": "1GB", "cmd": null, "mode": "x", "extra": true}"#, file: "f.json")
        let d = Diagnostics()
        let r = ObjectReader(v, path: "apps[0]", diagnostics: d, nullMeansAbsent: true)
        XCTAssertEqual(r.required("cpus", .number(greaterThan: 0)), 2)
        XCTAssertNil(r.optional("memory", .size()))                         // absent ("Memory" differs in case)
        XCTAssertEqual(r.optional("cmd", .string, default: "sleep"), "sleep") // null counts as absent here
        XCTAssertNil(r.required("instances", .int(min: 0)))
        r.reject("mode", "\"mode\" is only allowed for kind \"x\"")
        r.finish()
        r.finish()   // idempotent
        XCTAssertEqual(ScenarioErrors(d.errors).description.split(separator: "\n"), [
            // one line: sorted by column (reading order)
            "f.json:1:1: apps[0].instances: missing required key \"instances\"",
            "f.json:1:13: apps[0].Memory: unknown key \"Memory\"; did you mean \"memory\"?",
            "f.json:1:43: apps[0].mode: \"mode\" is only allowed for kind \"x\"",
            "f.json:1:56: apps[0].extra: unknown key \"extra\"; allowed keys here: cpus, memory, cmd, instances, mode",
        ])
    }

    func testObjectAndArrayDecodersCollectEveryElementError() throws {
        struct Port: Equatable { var number: Int; var name: String }
        let port = ValueDecoder<Port>.object { r in
            let n = r.required("number", .int(min: 1, max: 65535))
            let name = r.optional("name", .string, default: "")
            guard let n, let name else { return nil }
            return Port(number: n, name: name)
        }
        let d = Diagnostics()
        let v = try JSONParser.parseValue(#"[{"number": 80}, {"number": 0}, "x", {"number": 443, "nme": "https"}]"#)
        XCTAssertNil(ValueDecoder.array(of: port).decode(v, "ports", d))
        XCTAssertEqual(d.errors.map(\.path), ["ports[1].number", "ports[2]", "ports[3].nme"])
        let ok = Diagnostics()
        XCTAssertEqual(ValueDecoder.array(of: port).decode(try JSONParser.parseValue(#"[{"number": 80, "name": "http"}]"#), "ports", ok),
                       [Port(number: 80, name: "http")])
        XCTAssertEqual(ok.errors, [])
    }

    func testDidYouMeanThresholds() {
        XCTAssertEqual(Suggest.closest("cont", among: ["name", "count"]), "count")
        XCTAssertEqual(Suggest.closest("duratoin", among: ["name", "duration"]), "duration")
        XCTAssertEqual(Suggest.closest("hostgroups", among: ["hostGroups"]), "hostGroups")
        XCTAssertNil(Suggest.closest("zzzz", among: ["name", "seed"]))
        XCTAssertNil(Suggest.closest("colour", among: ["count", "cpus"]))
    }
}
