import XCTest
@testable import ClusterModel

/// A UDP datagram's user time is a user-space forwarder's only (flanneld, the Weave router: their
/// packet work and two copies), as TCP's `endCost` charges it; the application's own copy is its
/// system call's (`nsPerByte`), and iperf3 touches only its datagram's header (docs/network-calibration-log.md,
/// "UDP's user part is a forwarder's").
final class NetworkUDPCopiesTests: XCTestCase {
    func testUDPUserTimeIsAForwardersOnly() {
        let e = EnvironmentParameters.bareMetal
        for m in [ContainerNetworkMode.host, .calicoIPIP, .flannelVXLAN, .kubeRouter] {
            for sending in [true, false] {
                XCTAssertEqual(Datapath.udpDatagramNs(m, mtu: 1440, env: e, sending: sending).user, 0, "\(m.rawValue)")
            }
        }
        // flanneld's datagram: its system calls and hand-off, and its two copies of the payload
        let f = Datapath.udpDatagramNs(.flannelUDP, mtu: 1472, env: e, sending: false)
        let c = Datapath.endCost(.flannelUDP, mtu: 1472, env: e, sending: false)
        XCTAssertEqual(f.user, c.userNsPerMessage + 2 * e.userNsPerByteCopy * Double(f.payload), accuracy: 1e-9)
    }

    /// [N3] (scripts/network-reference.csv lines 65, 66, 68): Calico IPIP's UDP at MTU 1440 costs
    /// 8.8 / 1.71 = 5.15× Flannel's at 8950 per Gbit and Canal's at 1450 4.93×; with iperf3 charged
    /// two user copies per datagram at each end the jumbo baseline was dearer and both came out
    /// 12-16 % under.
    func testSmallMTUUDPCPURatiosOfN3() {
        let e = EnvironmentParameters.bareMetal.adapted(clockGHz: nil, kernel: KernelVersion(4, 15))
        func cpu(_ m: ContainerNetworkMode, _ mtu: Int) -> Double {
            NetworkPrediction.figures(env: e, mode: m, mtu: mtu, nicGbit: 10, cores: 8, messageSize: Int64(mtu - 28), experiment: .udp).cpuPerGbit
        }
        let base = cpu(.flannelVXLAN, 8950)
        XCTAssertEqual(cpu(.calicoIPIP, 1440) / base, 8.8 / 1.71, accuracy: 0.1 * 8.8 / 1.71)
        XCTAssertEqual(cpu(.canal, 1450) / base, 8.43 / 1.71, accuracy: 0.1 * 8.43 / 1.71)
    }
}
