import XCTest
@testable import SimKernel

final class EventArgTests: XCTestCase {
    func testIndexGenerationRoundTripsIncludingNegativeGenerations() {
        for (i, g) in [(0, Int32(0)), (7, 1), (4_294_967_295, -1), (12345, Int32.min), (1, Int32.max)] {
            let a = IndexGeneration.pack(i, g)
            XCTAssertEqual(IndexGeneration.unpack(a).index, i)
            XCTAssertEqual(IndexGeneration.unpack(a).generation, g)
        }
        // the layout models relied on before the helper: generation in the high 32 bits
        XCTAssertEqual(IndexGeneration.pack(5, 3), (Int64(3) << 32) | 5)
    }

    func testFieldsDoNotOverlapAndWrappingCountersCompareOnTheirLowBits() {
        let gen = ArgField("generation", shift: 0, bits: 24)
        let idx = gen.next("index", bits: 32)
        let kind = idx.next("kind", bits: 8)
        XCTAssertEqual(kind.shift, 56)
        let counter: Int32 = (1 << 24) + 5          // wrapped past the field's width
        let a = kind.encode(3) | idx.encode(4_000_000_000) | gen.encodeWrapping(counter)
        XCTAssertEqual(kind.decode(a), 3)
        XCTAssertEqual(idx.decode(a), 4_000_000_000)
        XCTAssertEqual(gen.decode(a), 5)
        XCTAssertTrue(gen.matches(a, counter))
        XCTAssertTrue(gen.matches(a, 5))
        XCTAssertFalse(gen.matches(a, counter &+ 1))
        XCTAssertEqual(idx.maxValue, 4_294_967_295)
        XCTAssertEqual(ArgField("all", shift: 0, bits: 64).decode(-1), -1)
    }

    func testEveryFieldWidthIsChecked() {
        // encode's precondition traps in-process; what can be asserted here is the bound it checks
        let agent = ArgField("agent", shift: 0, bits: 22)
        let framework = agent.next("framework", bits: 10)
        XCTAssertEqual(agent.maxValue, (1 << 22) - 1)
        XCTAssertEqual(framework.maxValue, 1023)
        XCTAssertEqual(framework.decode(framework.encode(1023)), 1023)
        XCTAssertEqual(agent.decode(framework.encode(1023)), 0)
    }
}

final class StreamNameTests: XCTestCase {
    /// The helper writes the names streams had before it, so their draws (and golden results) stay.
    func testStreamNamesKeepTheirBytesAndDraws() {
        XCTAssertEqual(StreamName.of("agent", "slave-07"), "agent:slave-07")
        let a = RandomStream(seed: 42, name: StreamName.of("mesos", "allocator"))
        let b = RandomStream(seed: 42, name: "mesos:allocator")
        XCTAssertEqual(a.uniform(), b.uniform())
    }
}
