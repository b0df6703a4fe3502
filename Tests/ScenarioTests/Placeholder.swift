import XCTest
final class ScenarioPlaceholderTests: XCTestCase { func testBuilds() {} }
