@testable import ClusterModel
import XCTest

/// Issue 15, OVS datapaths from shared primitives (docs/network.md, "Leave one source out"): Antrea,
/// Kube-OVN and Weave fastdp pay per skb the flow-table passes and ct() actions counted in the
/// pipelines their projects install, each ct() at the conntrack cost the netfilter hooks of the
/// bridged and routed modes share, so what other sources fit of that cost carries over to them.
final class NetworkOVSPrimitiveTests: XCTestCase {
    /// The OVS work per skb: (stage cost of the skb, of the encapsulation) in environment `e`.
    func ovs(_ m: ContainerNetworkMode, _ e: EnvironmentParameters) -> Double {
        let s = Datapath.stageNs(Datapath.profile(m), e)
        return s.skb + s.encap + s.segment
    }

    func testOVSModesCountFlowPassesAndConntrackActions() {
        let e = EnvironmentParameters.bareMetal
        // counted in the projects' pipelines: Weave 1 pass; Antrea 2 passes, 1 ct(); Kube-OVN 3 passes, 2 ct()
        XCTAssertEqual(Datapath.profile(.weaveFastDP).ovsWork.passes, 1)
        XCTAssertEqual(Datapath.profile(.weaveFastDP).ovsWork.conntrack, 0)
        XCTAssertEqual(Datapath.profile(.antrea).ovsWork.passes, 2)
        XCTAssertEqual(Datapath.profile(.antrea).ovsWork.conntrack, 1)
        XCTAssertEqual(Datapath.profile(.kubeOVN).ovsWork.passes, 3)
        XCTAssertEqual(Datapath.profile(.kubeOVN).ovsWork.conntrack, 2)
        XCTAssertEqual(Datapath.profile(.flannelVXLAN).ovsWork.passes, 0)

        // one more nanosecond of the conntrack lookup the netfilter hooks share costs Antrea one per skb,
        // Kube-OVN two, Flannel (its FORWARD hooks) one, Weave fastdp (no ct() in its flows) only its
        // bridge's hooks
        var c = e
        c.netfilterNsPerSegment += 100
        XCTAssertEqual(ovs(.antrea, c) - ovs(.antrea, e), 100, accuracy: 1e-9)
        XCTAssertEqual(ovs(.kubeOVN, c) - ovs(.kubeOVN, e), 200, accuracy: 1e-9)
        XCTAssertEqual(ovs(.flannelVXLAN, c) - ovs(.flannelVXLAN, e), 100, accuracy: 1e-9)
        XCTAssertEqual(ovs(.weaveFastDP, c) - ovs(.weaveFastDP, e), 100, accuracy: 1e-9)
        // a flow-table pass: once for Weave, twice for Antrea (recirculated after ct()), three times for Kube-OVN
        var p = e
        p.ovsNsPerPacket += 10
        XCTAssertEqual(ovs(.weaveFastDP, p) - ovs(.weaveFastDP, e), 10, accuracy: 1e-9)
        XCTAssertEqual(ovs(.antrea, p) - ovs(.antrea, e), 20, accuracy: 1e-9)
        XCTAssertEqual(ovs(.kubeOVN, p) - ovs(.kubeOVN, e), 30, accuracy: 1e-9)
        XCTAssertEqual(ovs(.flannelVXLAN, p) - ovs(.flannelVXLAN, e), 0, accuracy: 1e-9)
        // the ct() action's own work: once for Antrea, twice for Kube-OVN
        var k = e
        k.ovsNsPerSegment += 10
        XCTAssertEqual(ovs(.antrea, k) - ovs(.antrea, e), 10, accuracy: 1e-9)
        XCTAssertEqual(ovs(.kubeOVN, k) - ovs(.kubeOVN, e), 20, accuracy: 1e-9)
        XCTAssertEqual(ovs(.weaveFastDP, k) - ovs(.weaveFastDP, e), 0, accuracy: 1e-9)
    }

    /// With every stage cost at one neutral value (as leave-one-source-out starts), the counts alone
    /// order the OVS modes as [N3] measures them: Kube-OVN dearer than Antrea, dearer than Flannel.
    func testCountsOrderTheOVSModesAtNeutralCosts() {
        let e = NetworkCalibration.neutral(.bareMetal)
        func cpu(_ m: ContainerNetworkMode, _ mtu: Int) -> Double {
            NetworkPrediction.figures(env: e, mode: m, mtu: mtu, nicGbit: 10, cores: 8, messageSize: 131072).cpuPerGbit
        }
        XCTAssertGreaterThan(cpu(.antrea, 8950), 1.02 * cpu(.flannelVXLAN, 8950))
        XCTAssertGreaterThan(cpu(.kubeOVN, 8900), 1.05 * cpu(.antrea, 8950))
    }
}
