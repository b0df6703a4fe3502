import XCTest

/// The judges' versions as the agreement tests read them (Judge).
final class JudgeVersionTests: XCTestCase {
    func testVersionOutputsOfDebian12And13() {
        XCTAssertEqual(Judge.majorMinor("promtool", "promtool, version 2.42.0+ds (branch: debian/sid, revision: 2.42.0+ds-5+deb12u1)\n  build user: ..."), "2.42")
        XCTAssertEqual(Judge.majorMinor("promtool", "promtool, version 2.53.3+ds1 (branch: debian/sid, revision: 2.53.3+ds1-2)"), "2.53")
        XCTAssertEqual(Judge.majorMinor("amtool", "amtool, version 0.25.0 (branch: debian/sid, revision: 0.25.0-1+b4)"), "0.25")
        XCTAssertEqual(Judge.majorMinor("amtool", "amtool, version 0.28.1+ds (branch: debian/sid, revision: 0.28.1+ds-1)"), "0.28")
        XCTAssertEqual(Judge.majorMinor("amtool", "promtool, version 2.42.0"), nil)
        XCTAssertEqual(Judge.majorMinor("promtool", "promtool, version 3"), nil)
    }

    func testOnlyTheModelledReleaseDecides() {
        func use(_ path: String?, _ version: String?) -> Judge.Use {
            Judge(name: "promtool", path: path, modelled: "2.42", recorded: ["2.53"], version: version).use
        }
        XCTAssertEqual(use("/usr/bin/promtool", "2.42"), .decides)
        XCTAssertEqual(use("/usr/bin/promtool", "2.53"), .recordedRelease("2.53"))
        XCTAssertEqual(use("/usr/bin/promtool", "2.45"), .unrecorded("2.45"))
        XCTAssertEqual(use("/usr/bin/promtool", nil), .unrecorded("of unknown version"))
        XCTAssertEqual(use(nil, nil), .absent)
        let other = Judge(name: "amtool", path: "/usr/bin/amtool", modelled: "0.25", recorded: ["0.28"], version: "0.26")
        XCTAssertFalse(other.runs)
        XCTAssertTrue(other.skipReason.contains("amtool 0.26 is installed"), other.skipReason)
        XCTAssertTrue(Judge(name: "amtool", path: "/usr/bin/amtool", modelled: "0.25", recorded: ["0.28"], version: "0.28").runs)
    }
}
