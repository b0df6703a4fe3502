import XCTest
@testable import SimKernel

final class JSONTextTests: XCTestCase {
    /// Characters that print as nothing are escaped, so that a message shows them (clustersim-fuzz
    /// wrote DEL, NEL and U+FFFF into strings and the messages quoted them invisibly); the others,
    /// accents, combining marks and emoji among them, stay as they are.
    func testQuoteShowsInvisibleCharacters() {
        XCTAssertEqual(JSONText.quote("10m\u{7F}"), #""10m\u007f""#)
        XCTAssertEqual(JSONText.quote("\u{85}static_configs"), #""\u0085static_configs""#)
        XCTAssertEqual(JSONText.quote("a\u{FFFF}b\u{FEFF}c\u{200B}d\u{2028}"), #""a\uffffb\ufeffc\u200bd\u2028""#)
        // beyond the BMP as a surrogate pair, so the literal stays valid JSON
        XCTAssertEqual(JSONText.quote("x\u{10FFFF}"), #""x\udbff\udfff""#)
        XCTAssertEqual(JSONText.quote("\u{1}\t\"\\"), #""\u0001\t\"\\""#)
        XCTAssertEqual(JSONText.quote("café e\u{301} 日本 😀 — ß"), "\"café e\u{301} 日本 😀 — ß\"")
    }
}
