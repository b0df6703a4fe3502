import XCTest
final class SimKernelPlaceholderTests: XCTestCase { func testBuilds() {} }
