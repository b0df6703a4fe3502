import XCTest
@testable import Scenario
@testable import ClusterModel

/// Flags that exist only in some Marathon releases, checked at the tags where they appear
/// (docs/marathon.md, "Version boundaries checked against the tags"): each is accepted at the first
/// tag of a line that has it and refused at the tag before.
final class MarathonVersionBoundaryDecodingTests: XCTestCase {
    func flagsLoad(_ version: String, _ flags: String, file: StaticString = #filePath, line: UInt = #line) -> MarathonFlags? {
        loadOK(marathonScenario(#"{"version": "\#(version)", "flags": \#(flags)}"#), file: file, line: line)?.spec.marathon?.flags
    }

    /// core/flow/ReviveOffersConfig.scala: `suppress_offers` from v1.5.11, v1.6.535 and 1.7 (default
    /// false), default true from v1.8.180.
    func testSuppressOffersFlagFrom1_5_11And1_6_535() throws {
        for v in ["1.5.11", "1.6.535", "1.7.37"] {
            XCTAssertEqual(try XCTUnwrap(flagsLoad(v, #"{"suppress_offers": true}"#), v).suppressOffers, true, v)
            XCTAssertEqual(try XCTUnwrap(flagsLoad(v, #"{}"#), v).suppressOffers, false, v)
        }
        XCTAssertEqual(try XCTUnwrap(flagsLoad("1.8.180", #"{}"#)).suppressOffers, true)
        for v in ["1.5.10", "1.6.496", "1.6"] {
            assertSingleError(marathonScenario(#"{"version": "\#(v)", "flags": {"suppress_offers": true}}"#), path: "marathon.flags.suppress_offers",
                              ["from Marathon 1.5.11, 1.6.535 and 1.7"])
        }
    }

    /// core/group/GroupManagerConfig.scala: `max_running_deployments` (default 100) from v1.5.9, v1.6.486 and 1.7.
    func testMaxRunningDeploymentsFlagFrom1_5_9And1_6_486() throws {
        for v in ["1.5.9", "1.6.486"] {
            XCTAssertEqual(try XCTUnwrap(flagsLoad(v, #"{"max_running_deployments": 7}"#), v).maxRunningDeployments, 7, v)
            XCTAssertEqual(try XCTUnwrap(flagsLoad(v, #"{}"#), v).maxRunningDeployments, 100, v)
        }
        for v in ["1.5.8", "1.6.392"] {
            XCTAssertNil(try XCTUnwrap(flagsLoad(v, #"{}"#), v).maxRunningDeployments, v)
            assertSingleError(marathonScenario(#"{"version": "\#(v)", "flags": {"max_running_deployments": 7}}"#), path: "marathon.flags.max_running_deployments",
                              ["from Marathon 1.5.9, 1.6.486 and 1.7"])
        }
    }

    /// ZookeeperConf.scala: `zk_connection_timeout` from v1.4.9 (absent at v1.4.8) and v1.5.0.
    func testZkConnectionTimeoutFlagFrom1_4_9() throws {
        XCTAssertEqual(try XCTUnwrap(flagsLoad("1.4.9", #"{"zk_connection_timeout": 5000}"#)).zkConnectionTimeout, .seconds(5))
        assertSingleError(marathonScenario(#"{"version": "1.4.8", "flags": {"zk_connection_timeout": 5000}}"#), path: "marathon.flags.zk_connection_timeout",
                          ["from Marathon 1.4.9 and 1.5"])
    }

    /// A version without patch is the .0 release: "1.8" is 1.8.0 (before 1.8.218's 30 s revive interval).
    func testMinReviveOffersIntervalDefaultIs30sIn1_8_218To1_8_244() throws {
        XCTAssertEqual(try XCTUnwrap(flagsLoad("1.8", #"{}"#)).minReviveOffersInterval, .seconds(5))
        XCTAssertEqual(try XCTUnwrap(flagsLoad("1.8.207", #"{}"#)).minReviveOffersInterval, .seconds(5))
        XCTAssertEqual(try XCTUnwrap(flagsLoad("1.8.218", #"{}"#)).minReviveOffersInterval, .seconds(30))
        XCTAssertEqual(try XCTUnwrap(flagsLoad("1.8.244", #"{}"#)).minReviveOffersInterval, .seconds(30))
        XCTAssertEqual(try XCTUnwrap(flagsLoad("1.9.32", #"{}"#)).minReviveOffersInterval, .seconds(5))
    }
}
