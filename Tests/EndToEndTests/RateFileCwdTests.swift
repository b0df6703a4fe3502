import Foundation
import XCTest

/// `cd scenarios-folder && clustersim validate peak.json`: the scenario named without a folder
/// (its folder is `.`) reads its rate file beside it. This was refused, "\"rates.csv\" resolves
/// outside the scenario's folder .", for `peak.json` and `./peak.json` alike.
final class RateFileFromTheScenariosFolderTests: XCTestCase {
    func testValidateAndRunFromTheScenariosOwnFolder() throws {
        let dir = CLI.tempDir("rate-cwd")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        {"name": "rates-here", "duration": "10m",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "agent", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "marathon": {"apps": [{"id": "/web", "cmd": "run", "instances": 2, "cpus": 1, "mem": 512}]},
         "traffic": {"mode": "fluid", "services": [{"name": "web", "app": "/web", "via": "direct",
                     "arrivals": {"csv": "rates.csv"}, "serviceTime": "20ms"}]}}
        """.write(toFile: dir + "/peak.json", atomically: true, encoding: .utf8)
        try "time,rate\n0,10\n5m,30\n".write(toFile: dir + "/rates.csv", atomically: true, encoding: .utf8)
        for name in ["peak.json", "./peak.json"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLI.binary)
            p.arguments = ["validate", name]
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, "\(name): \(text)")
            XCTAssertFalse(text.contains("outside the scenario's folder"), text)
        }
    }
}
