@testable import ClusterModel
import SimKernel
import XCTest

/// A create on a full thin pool is refused in poolHasFreeSpace's words (moby/moby@v18.09.0
/// daemon/graphdriver/devmapper/deviceset.go): "devmapper: Thin Pool has %v free data blocks which
/// is less than minimum required %v free data blocks. Create more free space in thin pool or use
/// dm.min_free_space option to change behavior". The model cut the message after "data blocks"
/// when the pool was full (its other refusals had the whole text).
final class DevicemapperFullPoolRefusalTests: XCTestCase {
    func testAFullPoolRefusesInDockersWholeWords() throws {
        // a 1 GiB loop pool (16384 blocks of 64 KiB; 10% is 1638) filled by one writer at 100 MB/s
        let r = StorageTests.Run(host: StorageTests.loop { $0.loopDataSize = GiB }, duration: .hours(1))
        XCTAssertNil(r.container(1, rate: 100_000_000))
        r.run(until: SimTime.zero + .seconds(30))
        XCTAssertNotNil(r.first("poolFull"))
        let e = try XCTUnwrap(r.storage.createContainer(host: 0, task: 2, name: "app.2", image: nil, writes: nil))
        XCTAssertEqual(e, "devmapper: Thin Pool has 0 free data blocks which is less than minimum required 1638 free data blocks. Create more free space in thin pool or use dm.min_free_space option to change behavior")
    }
}
