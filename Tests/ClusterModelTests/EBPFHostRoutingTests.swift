@testable import ClusterModel
import SimKernel
import XCTest

/// Issue 15, "kernel version (which decides offloads and eBPF availability)": from 5.10 Cilium (with its
/// kube-proxy replacement) and Calico's eBPF data plane enter the receiving pod with bpf_redirect_peer,
/// past the veth and its backlog queue, and from 5.2 Cilium resolves services at connect() (socket LB)
/// instead of kube-proxy's KUBE-SERVICES walk (`Datapath.ebpfHostRouting`, `Datapath.socketLB`).
final class EBPFHostRoutingTests: XCTestCase {
    typealias F = NetworkFidelityTests
    static let gbit40: Int64 = 40_000_000_000
    static let modes: [ContainerNetworkMode] = [.calicoBGP, .ciliumNative, .ciliumVXLAN, .calicoEBPF]

    func row(_ rows: [NetworkResultRow], _ m: ContainerNetworkMode, _ e: NetworkResultRow.Experiment, size: Int64? = nil) -> NetworkResultRow {
        rows.first { $0.mode == m && $0.experiment == e && (size == nil || $0.messageSize == size) && $0.locality != .sameHost }!
    }

    /// The 40 Gbit jumbo-frame hosts of network-modes-40g.json with kube-proxy in iptables mode, 1000 services.
    func run(_ kernel: KernelVersion, hostRouting: Bool = true, kubeProxyReplacement: Bool = true) -> [NetworkResultRow] {
        F.run(env: .bareMetal, cpus: 16, nic: Self.gbit40, underlay: 9000, modes: Self.modes, sizes: [64, 131072], flows: 8, connections: 20,
              host: HostEnvironmentSpec(kernel: kernel, serviceProxy: .iptables, services: 1000,
                                        ebpfHostRouting: hostRouting, kubeProxyReplacement: kubeProxyReplacement))
    }

    /// Which kernel and configuration turns each mechanism on: the real defaults, and the keys that turn them off.
    func testKernelAndConfigurationDecideTheMechanisms() {
        func env(_ k: KernelVersion, routing: Bool = true, kpr: Bool = true) -> EnvironmentParameters {
            var e = EnvironmentParameters.bareMetal.adapted(clockGHz: nil, kernel: k)
            e.ebpfHostRouting = routing; e.kubeProxyReplacement = kpr
            return e
        }
        let k510 = KernelVersion(5, 10), k54 = KernelVersion(5, 4), k419 = KernelVersion(4, 19)
        for m in [ContainerNetworkMode.ciliumNative, .ciliumVXLAN, .ciliumWireGuard] {
            // Cilium 1.12 falls back to legacy host routing with WireGuard, whatever the kernel
            XCTAssertEqual(Datapath.ebpfHostRouting(m, env(k510)), m != .ciliumWireGuard, m.rawValue)
            XCTAssertFalse(Datapath.ebpfHostRouting(m, env(k54)), "\(m.rawValue): no bpf_redirect_peer before 5.10")
            XCTAssertFalse(Datapath.ebpfHostRouting(m, env(k510, routing: false)), "\(m.rawValue): legacy host routing")
            XCTAssertFalse(Datapath.ebpfHostRouting(m, env(k510, kpr: false)), "\(m.rawValue): host routing needs the kube-proxy replacement")
            XCTAssertTrue(Datapath.socketLB(m, env(k54)))
            XCTAssertFalse(Datapath.socketLB(m, env(k419)), "\(m.rawValue): socket LB from 5.2 (4.19.57 not expressible)")
            XCTAssertFalse(Datapath.socketLB(m, env(k510, kpr: false)))
        }
        XCTAssertTrue(Datapath.ebpfHostRouting(.calicoEBPF, env(k510, kpr: false)), "Calico's redirect to peer does not depend on Cilium's key")
        XCTAssertFalse(Datapath.ebpfHostRouting(.calicoEBPF, env(k510, routing: false)))
        XCTAssertTrue(Datapath.socketLB(.calicoEBPF, env(k54, kpr: false)))
        XCTAssertFalse(Datapath.socketLB(.calicoEBPF, env(k419)), "below 5.3 Calico eBPF runs its iptables data plane")
        for m in [ContainerNetworkMode.host, .calicoBGP, .calicoIPIP, .antrea, .kubeOVN, .bridge] {
            XCTAssertFalse(Datapath.ebpfHostRouting(m, env(k510)), m.rawValue)
            XCTAssertFalse(Datapath.socketLB(m, env(k510)), m.rawValue)
        }
    }

    /// The receiving end runs no veth stage and waits for no backlog run; the sending end still crosses
    /// the pod's veth into the host (bpf_redirect_neigh leaves from the host side of it). Cilium's native
    /// routing also leaves the host's IP forwarding pass at both ends (`Datapath.ebpfWork`); Calico's eBPF
    /// data plane forwards by FIB lookup on either kernel.
    func testReceivingEndSkipsTheVethAndItsBacklog() {
        let e = EnvironmentParameters.bareMetal
        // 5.4: both eBPF data planes run (Calico's needs 5.3), neither has bpf_redirect_peer
        let new = e.adapted(clockGHz: nil, kernel: KernelVersion(5, 10)), old = e.adapted(clockGHz: nil, kernel: KernelVersion(5, 4))
        for m in [ContainerNetworkMode.ciliumNative, .calicoEBPF] {
            let forward = m == .ciliumNative ? e.netfilterNsPerSegment + e.policyNsPerPacket : 0
            let rNew = Datapath.endCost(m, mtu: 9000, env: new, sending: false), rOld = Datapath.endCost(m, mtu: 9000, env: old, sending: false)
            XCTAssertEqual(rOld.waitNsPerMessage, e.deferralNs)
            XCTAssertEqual(rNew.waitNsPerMessage, 0, "\(m.rawValue): no netif_rx deferral")
            XCTAssertEqual(rOld.kernelNsPerMessage - rNew.kernelNsPerMessage, e.vethNsPerPacket + e.vethNsPerSegment + forward, accuracy: 1e-9)
            XCTAssertLessThan(rNew.kernelNsPerByte, rOld.kernelNsPerByte)
            let sNew = Datapath.endCost(m, mtu: 9000, env: new, sending: true), sOld = Datapath.endCost(m, mtu: 9000, env: old, sending: true)
            XCTAssertEqual(sOld.kernelNsPerMessage - sNew.kernelNsPerMessage, forward, accuracy: 1e-9,
                           "\(m.rawValue): the sending end keeps its veth and programs")
            XCTAssertEqual(sOld.waitNsPerMessage, sNew.waitNsPerMessage)
        }
    }

    /// Cilium at 5.10 against 4.19 on the 40 Gbit variant: a faster single flow, a 64 B message one
    /// deferral and one veth stage sooner (native routing: and the host's forwarding pass at both ends), and
    /// new connections without the KUBE-SERVICES walk.
    func testCiliumAt510Against419() {
        let new = run(KernelVersion(5, 10)), old = run(KernelVersion(4, 19))
        let e = EnvironmentParameters.bareMetal
        for m in [ContainerNetworkMode.ciliumNative, .ciliumVXLAN] {
            XCTAssertGreaterThan(row(new, m, .tcp, size: 131072).throughputBitsPerSecond!, 1.01 * row(old, m, .tcp, size: 131072).throughputBitsPerSecond!, m.rawValue)
            let saved = Double((row(old, m, .tcp, size: 64).oneWayLatency! - row(new, m, .tcp, size: 64).oneWayLatency!).nanoseconds)
            let forward = m == .ciliumNative ? 2 * (e.netfilterNsPerSegment + e.policyNsPerPacket) : 0
            XCTAssertEqual(saved, e.deferralNs + e.vethNsPerPacket + e.vethNsPerSegment + forward, accuracy: 2, m.rawValue)
            // the walk of 1000 rules (30 µs) against one map lookup at connect()
            let walk = e.iptablesNsPerServiceRule * 1000 - e.ipvsNsPerConnection
            let connect = Double((row(old, m, .connect).connectMean! - row(new, m, .connect).connectMean!).nanoseconds)
            XCTAssertEqual(connect, walk + 2 * saved, accuracy: 0.05 * walk, m.rawValue)
            XCTAssertGreaterThan(row(new, m, .connectRequestResponse).transactionsPerSecond!, 1.2 * row(old, m, .connectRequestResponse).transactionsPerSecond!)
        }
        // Calico BGP runs the same on both kernels
        for x: NetworkResultRow.Experiment in [.tcp, .connect, .connectRequestResponse] {
            XCTAssertEqual(row(new, .calicoBGP, x, size: x == .tcp ? 131072 : nil), row(old, .calicoBGP, x, size: x == .tcp ? 131072 : nil))
        }
    }

    /// The keys turn the mechanisms off at 5.10: legacy host routing runs 4.19's stages (with the socket
    /// LB); without the kube-proxy replacement Cilium pays kube-proxy's walk and runs the legacy path,
    /// while Calico's eBPF data plane keeps both.
    func testKeysTurnTheMechanismsOff() {
        let old = run(KernelVersion(4, 19)), legacy = run(KernelVersion(5, 10), hostRouting: false)
        let noKPR = run(KernelVersion(5, 10), kubeProxyReplacement: false), new = run(KernelVersion(5, 10))
        let m = ContainerNetworkMode.ciliumNative
        XCTAssertEqual(row(legacy, m, .tcp, size: 131072).throughputBitsPerSecond, row(old, m, .tcp, size: 131072).throughputBitsPerSecond)
        XCTAssertEqual(row(legacy, m, .tcp, size: 64).oneWayLatency, row(old, m, .tcp, size: 64).oneWayLatency)
        XCTAssertLessThan(row(legacy, m, .connect).connectMean!, row(old, m, .connect).connectMean!, "socket LB without host routing")
        XCTAssertEqual(row(noKPR, m, .tcp, size: 131072).throughputBitsPerSecond, row(old, m, .tcp, size: 131072).throughputBitsPerSecond)
        XCTAssertEqual(row(noKPR, m, .connect).connectMean, row(old, m, .connect).connectMean)
        XCTAssertEqual(row(noKPR, .calicoEBPF, .tcp, size: 131072).throughputBitsPerSecond, row(new, .calicoEBPF, .tcp, size: 131072).throughputBitsPerSecond)
        XCTAssertEqual(row(noKPR, .calicoEBPF, .connect).connectMean, row(new, .calicoEBPF, .connect).connectMean)
    }
}
