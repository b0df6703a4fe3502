import ClusterModel
@testable import Scenario
import XCTest

/// `network.ebpfHostRouting` and `network.kubeProxyReplacement` (issue 15): defaults, values, bad values.
final class EBPFHostRoutingKeysTests: XCTestCase {
    let base = #"{"name": "t", "duration": "1h", "hostGroups": [{"name": "node", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB", "nic": "40Gbit"}], "network": NET}"#

    func scenario(_ net: String) -> String { base.replacingOccurrences(of: "NET", with: net) }

    func testDefaultsAreTheRealSystemsDefaults() throws {
        let s = try XCTUnwrap(loadOK(scenario(#"{"environment": "bare-metal", "kernel": "5.10"}"#))?.spec.network)
        XCTAssertTrue(s.host.ebpfHostRouting); XCTAssertTrue(s.host.kubeProxyReplacement)
        XCTAssertTrue(s.parameters.ebpfHostRouting); XCTAssertTrue(s.parameters.kubeProxyReplacement)
        XCTAssertTrue(Datapath.ebpfHostRouting(.ciliumNative, s.parameters))
    }

    func testKeysReachTheParameters() throws {
        let s = try XCTUnwrap(loadOK(scenario(#"{"environment": "bare-metal", "kernel": "5.10", "ebpfHostRouting": false, "kubeProxyReplacement": false}"#))?.spec.network)
        XCTAssertEqual(s.host, HostEnvironmentSpec(kernel: KernelVersion(5, 10), ebpfHostRouting: false, kubeProxyReplacement: false))
        XCTAssertFalse(s.parameters.ebpfHostRouting); XCTAssertFalse(s.parameters.kubeProxyReplacement)
        XCTAssertFalse(Datapath.ebpfHostRouting(.calicoEBPF, s.parameters))
        XCTAssertFalse(Datapath.socketLB(.ciliumVXLAN, s.parameters))
        let o = try XCTUnwrap(loadOK(scenario(#"{"kernel": "5.10"}"#), overrides: ["network.kubeProxyReplacement=false"])?.spec.network)
        XCTAssertFalse(o.host.kubeProxyReplacement); XCTAssertTrue(o.host.ebpfHostRouting)
    }

    func testBadValuesNameThePath() {
        assertSingleError(scenario(#"{"ebpfHostRouting": "yes"}"#), path: "network.ebpfHostRouting", ["true or false", "\"yes\""])
        assertSingleError(scenario(#"{"kubeProxyReplacement": 1}"#), path: "network.kubeProxyReplacement", ["true or false"])
        assertSingleError(scenario(#"{"kubeProxyReplacement": null}"#), path: "network.kubeProxyReplacement", ["true or false"])
        assertSingleError(scenario(#"{"ebpfHostRoute": true}"#), path: "network.ebpfHostRoute", ["did you mean \"ebpfHostRouting\"?"])
    }
}
