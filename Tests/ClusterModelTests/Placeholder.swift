import XCTest
final class ClusterModelPlaceholderTests: XCTestCase { func testBuilds() {} }
