import Foundation
import XCTest

/// The storage keys added in session 52 (`storageOpts` `overlay2.size`, `maxDownloadAttempts`):
/// a bad value is one error naming its JSON path, exit status 2, nothing written.
final class DockerStorageKeysCLITests: XCTestCase {
    func testBadValuesExitTwoAndWriteNothing() throws {
        let cases: [(String, String, String)] = [
            ("18.09", #""driver": "overlay2", "storageOpts": {"overlay2.size": "lots"}"#,
             #"storage.hostGroups[0].storageOpts["overlay2.size"]: dockerd refuses it: invalid size: 'lots'"#),
            ("18.09", #""driver": "overlay2", "storageOpts": {"overlay2.sise": "1G"}"#,
             #"storage.hostGroups[0].storageOpts["overlay2.sise"]: overlay2: unknown option overlay2.sise"#),
            ("20.10", #""driver": "overlay2", "maxDownloadAttempts": -2"#,
             "storage.hostGroups[0].maxDownloadAttempts: invalid max download attempts: -2"),
            ("19.03", #""driver": "overlay2", "maxDownloadAttempts": 2"#,
             "storage.hostGroups[0].maxDownloadAttempts: dockerd 19.03 has no max-download-attempts"),
        ]
        for (version, group, needle) in cases {
            let dir = CLI.tempDir("dockerkeys")
            let file = dir + "/s.json"
            try """
            {"name": "t", "duration": "1h",
             "hostGroups": [{"name": "slave", "count": 1, "cpus": 8, "memory": "32GiB", "disk": "100GB"}],
             "storage": {"dockerVersion": "\(version)", "hostGroups": [{"hostGroup": "slave", \(group)}]}}
            """.write(toFile: file, atomically: true, encoding: .utf8)
            let r = try CLI.run(["run", file, "--out", dir + "/out"])
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.contains(needle), "expected «\(needle)» in:\n\(r.stderr)")
            XCTAssertTrue(r.stderr.contains("1 error") || r.stderr.components(separatedBy: "error").count <= 3, r.stderr)
            XCTAssertEqual(CLI.files(in: dir), ["s.json"], "nothing written")
        }
    }
}
