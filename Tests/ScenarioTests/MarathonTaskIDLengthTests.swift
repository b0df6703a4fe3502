import ClusterModel
@testable import Scenario
import XCTest

/// Marathon accepts an app id of any length (state/PathId.scala: each segment is checked, not the
/// whole), so an app whose Mesos task ids would be longer than the 255 characters Mesos takes
/// loads, with a warning that says so; at run time its launches end TASK_ERROR
/// (ClusterModelTests/MesosTaskIDTests).
final class MarathonTaskIDLengthTests: XCTestCase {
    func scenario(version: String, idLength n: Int, pod: Bool = false) -> String {
        let id = "/team/" + String(repeating: "a", count: n - 6)
        let app = pod
            ? #"{"id": "\#(id)", "containers": [{"name": "web", "resources": {"cpus": 0.1, "mem": 32}, "exec": {"command": {"shell": "sleep 1000"}}}]}"#
            : #"{"id": "\#(id)", "cmd": "sleep 1000", "cpus": 0.1, "mem": 32}"#
        return marathonScenario(#"{"version": "\#(version)", "apps": [\#(app)]}"#)
    }

    func idWarnings(_ text: String) throws -> [String] {
        let l = try XCTUnwrap(loadOK(text))
        return l.warnings.filter { $0.contains("marathon.apps[0].id: ") && $0.contains("Mesos ids of") }
    }

    func testAnAppWhoseTaskIdsMesosRefusesLoadsWithAWarning() throws {
        for (version, longest, format) in [("1.4", 219, "<id>.<uuid>"), ("1.7", 219, "<id>.<uuid>"),
                                           ("1.8", 203, "<id>.instance-<uuid>._app.1"), ("1.10", 203, "<id>.instance-<uuid>._app.1")] {
            XCTAssertEqual(try idWarnings(scenario(version: version, idLength: longest)), [], version)
            let w = try idWarnings(scenario(version: version, idLength: longest + 1))
            XCTAssertEqual(w.count, 1, "\(version): \(w)")
            let text = w.first ?? ""
            XCTAssertTrue(text.contains("gives this app's tasks Mesos ids of 256 characters (\(format),"), "\(version): \(text)")
            XCTAssertTrue(text.contains(#"TASK_ERROR, REASON_TASK_INVALID: "ID must not be greater than 255 characters""#), text)
            XCTAssertTrue(text.contains("keep the app id within \(longest) characters"), text)
        }
    }

    func testAPodIsCheckedWithItsLongestContainerName() throws {
        // 1.5: <id>.instance-<uuid>.web = (n - 1) + 47 + 3 -> the limit at n = 206
        XCTAssertEqual(try idWarnings(scenario(version: "1.5", idLength: 206, pod: true)), [])
        let w = try idWarnings(scenario(version: "1.5", idLength: 207, pod: true))
        XCTAssertEqual(w.count, 1, "\(w)")
        XCTAssertTrue(w.first?.contains("this pod's tasks Mesos ids of 256 characters (<id>.instance-<uuid>.<container>,") ?? false, "\(w)")
    }
}
