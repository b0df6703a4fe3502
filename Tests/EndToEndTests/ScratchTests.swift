import Foundation
import TestSupport
import XCTest

/// The tests' temporary folders live under one folder per test process, so repeated `make test` runs do not
/// fill /tmp: the process removes its folder at exit, and the next one removes those of processes that died.
final class ScratchTests: XCTestCase {
    func testFoldersAreFreshAndUnderTheProcessFolder() throws {
        let a = Scratch.folder("t"), b = Scratch.folder("t")
        XCTAssertNotEqual(a, b)
        XCTAssertTrue(Scratch.root.hasSuffix("/clustersim-tests-\(getpid())"), Scratch.root)
        for d in [a, b] {
            XCTAssertTrue(d.hasPrefix(Scratch.root + "/t-"), d)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: d), [])
        }
        XCTAssertEqual(CLI.tempDir("x").hasPrefix(Scratch.root + "/e2e-x-"), true)
    }

    func testOnlyTheFoldersOfProcessesThatAreGoneAreStale() throws {
        let tmp = Scratch.folder("stale")
        for name in ["clustersim-tests-101", "clustersim-tests-202", "clustersim-tests-\(getpid())",
                     "clustersim-tests-x", "clustersim-tests-0", "other-303", "clustersim-e2e-bad-1"] {
            try FileManager.default.createDirectory(atPath: tmp + "/" + name, withIntermediateDirectories: true)
        }
        let stale = Scratch.stale(in: tmp) { $0 == 202 }
        XCTAssertEqual(stale, [tmp + "/clustersim-tests-101"])
        XCTAssertEqual(Scratch.stale(in: tmp + "/none") { _ in false }, [])
    }
}
