@testable import ClusterModel
import XCTest

/// Issue 15, the eBPF work counted per end (docs/network-calibration-log.md, "eBPF work counted per
/// end"): Cilium's and Calico's programs, their conntrack lookups and the host's forwarding passes, counted
/// in their code (`Datapath.ebpfWork`), each charged at a cost the other rows fit where one exists.
final class NetworkEBPFWorkTests: XCTestCase {
    func env(_ kernel: KernelVersion, hostRouting: Bool = true, kubeProxyReplacement: Bool = true) -> EnvironmentParameters {
        var e = EnvironmentParameters.bareMetal.adapted(clockGHz: nil, kernel: kernel)
        e.ebpfHostRouting = hostRouting; e.kubeProxyReplacement = kubeProxyReplacement
        return e
    }
    let k415 = KernelVersion(4, 15), k510 = KernelVersion(5, 10)

    /// The counts: one program and one conntrack lookup per end for every eBPF mode; a host forwarding pass
    /// per end where the packet goes through the host's stack (Cilium's native routing on the legacy path,
    /// WireGuard); none on Cilium's VXLAN path, legacy or not, nor on Calico's FIB-forwarded one.
    func testCountsPerEnd() {
        func w(_ m: ContainerNetworkMode, _ e: EnvironmentParameters) -> [Double] {
            let x = Datapath.ebpfWork(m, e)
            return [x.programs, x.conntrack, x.hostForward]
        }
        XCTAssertEqual(w(.ciliumVXLAN, env(k415)), [1, 1, 0], "[N3]'s Cilium 1.8: redirect to the tunnel, from-overlay into the pod")
        XCTAssertEqual(w(.ciliumVXLAN, env(k510)), [1, 1, 0])
        XCTAssertEqual(w(.ciliumNative, env(k415)), [1, 1, 1], "legacy: pass_to_stack, ip_forward")
        XCTAssertEqual(w(.ciliumNative, env(k510)), [1, 1, 0], "host routing: redirect_neigh, from-netdev into the pod")
        XCTAssertEqual(w(.ciliumNative, env(k510, hostRouting: false)), [1, 1, 1])
        XCTAssertEqual(w(.ciliumNative, env(k510, kubeProxyReplacement: false)), [1, 1, 1], "host routing needs the kube-proxy replacement")
        XCTAssertEqual(w(.ciliumWireGuard, env(k510)), [1, 1, 1], "WireGuard's device is reached through the stack")
        XCTAssertEqual(w(.calicoEBPF, env(k510)), [1, 1, 0])
        XCTAssertEqual(w(.calicoEBPF, env(k510, hostRouting: false)), [1, 1, 0], "FIB redirect with or without redirect to peer")
        XCTAssertEqual(w(.calicoEBPF, env(k415)), [0, 0, 0], "below 5.3 Calico's iptables data plane")
        XCTAssertEqual(w(.calicoBGP, env(k510)), [0, 0, 0])

        // legacy costs more than host routing at each end by what host routing skips
        for sending in [true, false] {
            let legacy = Datapath.endCost(.ciliumNative, mtu: 9000, env: env(k510, hostRouting: false), sending: sending)
            let routed = Datapath.endCost(.ciliumNative, mtu: 9000, env: env(k510), sending: sending)
            XCTAssertGreaterThan(legacy.kernelNsPerMessage, routed.kernelNsPerMessage)
            XCTAssertGreaterThan(legacy.kernelNsPerByte, routed.kernelNsPerByte)
        }
    }

    /// The legacy path [N3] measured (Cilium 1.8 VXLAN on 4.15): one program and one conntrack lookup per end
    /// cost the per-skb total fitted on it before the counts (1510 ns, plus 105 per segment), so [N3]'s
    /// predictions with the shipped table are unchanged.
    func testLegacyTotalOnN3sConditionsUnchanged() {
        let e = EnvironmentParameters.bareMetal
        XCTAssertEqual(e.kernel, k415)
        var p = Datapath.profile(.ciliumVXLAN)
        p.ebpfWork = Datapath.ebpfWork(.ciliumVXLAN, e)
        var none = p
        none.ebpf = false
        let s = Datapath.stageNs(p, e), b = Datapath.stageNs(none, e)
        XCTAssertEqual(s.skb - b.skb, 1510, accuracy: 1e-9)
        XCTAssertEqual(s.segment - b.segment, 105, accuracy: 1e-9)
        // at both ends, on [N3]'s TCP and UDP rows (10 GbE, MTU 8950)
        for sending in [true, false] {
            let c = Datapath.endCost(.ciliumVXLAN, mtu: 8950, env: e, sending: sending)
            let f = Datapath.endCost(.flannelVXLAN, mtu: 8950, env: e, sending: sending)
            // Cilium against Flannel (veth + bridge + its hooks + VXLAN): the program set's 1510 + 105 in place of the bridge's
            XCTAssertEqual(c.kernelNsPerMessage - f.kernelNsPerMessage, 1510 + 105 - e.bridgeNsPerPacket - e.netfilterNsPerSegment, accuracy: 1e-9)
        }
    }

    /// The counted primitives (programs at no cost of their own) say what host routing leaves: Cilium's native
    /// routing and Calico's eBPF data plane at 5.10 are then no dearer at either end than Calico BGP's veth,
    /// policy chains and netfilter hooks; on the legacy path Cilium's native routing runs the host's forwarding
    /// and is dearer than with host routing. What keeps them dearer than Calico BGP in the shipped table is the
    /// program's own cost fitted on [N3].
    func testHostRoutingNoDearerThanCalicoBGPByTheCounts() {
        var e = env(k510)
        e.ebpfNsPerPacket = 0; e.ebpfNsPerSegment = 0
        var legacy = e
        legacy.ebpfHostRouting = false
        for sending in [true, false] {
            let bgp = Datapath.endCost(.calicoBGP, mtu: 9000, env: e, sending: sending)
            for m in [ContainerNetworkMode.ciliumNative, .calicoEBPF] {
                let c = Datapath.endCost(m, mtu: 9000, env: e, sending: sending)
                XCTAssertLessThanOrEqual(c.kernelNsPerByte, bgp.kernelNsPerByte, "\(m.rawValue) sending \(sending)")
                XCTAssertLessThanOrEqual(c.kernelNsPerMessage, bgp.kernelNsPerMessage, "\(m.rawValue) sending \(sending)")
            }
            let l = Datapath.endCost(.ciliumNative, mtu: 9000, env: legacy, sending: sending)
            let r = Datapath.endCost(.ciliumNative, mtu: 9000, env: e, sending: sending)
            XCTAssertEqual(l.kernelNsPerMessage - r.kernelNsPerMessage,
                           e.netfilterNsPerSegment + e.policyNsPerPacket + (sending ? 0 : e.vethNsPerPacket + e.vethNsPerSegment), accuracy: 1e-9)
        }
    }
}
