import XCTest
@testable import ClusterModel
import SimKernel

/// What iperf3 counts as lost (docs/network-calibration-log.md, "UDP loss counted as iperf3
/// counts it"): every datagram its sender writes carries the next sequence number (esnet/iperf
/// src/iperf_udp.c `iperf_udp_send`) and its receiver counts the gaps (`iperf_udp_recv`), so a
/// container's unpaced sender (`Datapath.udpSenderUnpaced`) faster than its NIC loses the surplus its
/// own host drops beyond the line, though the receiver keeps up. [N3] at MTU 8950 (Antrea: 9.80 Gbit/s
/// delivered with 26.8 % lost, 13.4 Gbit/s written into a 10 GbE line) measures such losses with the
/// delivered rate at the line. A sender its socket paces at its NIC (host networking) writes no
/// more than the line and loses nothing at a receiver that keeps up.
final class NetworkUDPSenderSurplusTests: XCTestCase {
    private let e = EnvironmentParameters.bareMetal

    /// The sender's core rate and the line's payload rate for one flow on 10 GbE.
    private func rates(_ m: ContainerNetworkMode, mtu: Int) -> (core: Double, line: Double) {
        let d = Datapath.udpDatagramNs(m, mtu: mtu, env: e, sending: true)
        let end = Datapath.EndCost(kernelNsPerByte: d.kernel / Double(d.payload), userNsPerByte: d.user / Double(d.payload),
                                   kernelNsPerMessage: 0, userNsPerMessage: 0, waitNsPerMessage: 0)
        let wire = Double(mtu + Datapath.profile(m).encapBytes + Datapath.ethernetFramingBytes) / Double(d.payload)
        return (Datapath.singleFlowCPUBound(end, cores: 16), 10e9 / 8 / wire)
    }

    func testAnUnpacedSenderFasterThanItsLineLosesTheSurplus() {
        let r = rates(.calicoBGP, mtu: 9000)
        XCTAssertGreaterThan(r.core, 1.05 * r.line, "the container's sender writes more than 10 GbE carries at MTU 9000")
        let p = NetworkPrediction.figures(env: e, mode: .calicoBGP, mtu: 9000, nicGbit: 10, cores: 16, messageSize: 8972, experiment: .udp)
        // the receiver keeps up: the line is delivered, and the surplus written beyond it is lost
        XCTAssertEqual(p.bytesPerSecond, r.line, accuracy: 1e-6 * r.line)
        XCTAssertEqual(p.udpLoss, 1 - r.line / r.core, accuracy: 1e-9)
        XCTAssertGreaterThan(p.udpLoss, 0.05)
    }

    func testAPacedHostSenderBelowItsReceiverLosesNothing() {
        let r = rates(.host, mtu: 9000)
        XCTAssertGreaterThan(r.core, r.line)
        XCTAssertFalse(Datapath.udpSenderUnpaced(.host, e))
        let p = NetworkPrediction.figures(env: e, mode: .host, mtu: 9000, nicGbit: 10, cores: 16, messageSize: 8972, experiment: .udp)
        XCTAssertEqual(p.bytesPerSecond, r.line, accuracy: 1e-6 * r.line)
        XCTAssertEqual(p.udpLoss, 0, accuracy: 1e-12)
    }

    /// The platform's experiments count the same loss as the closed form: the rate a flow's sender
    /// writes (`ClusterNetwork.udpSenderRate`) is its core's where no socket paces it.
    func testTheExperimentsCountWhatTheSenderWrites() throws {
        let rows = NetworkFidelityTests.run(env: .bareMetal, cpus: 16, nic: 10_000_000_000, underlay: 9000, modes: [.host, .calicoBGP],
                                            sizes: [131072], flows: 0)
        for m in [ContainerNetworkMode.host, .calicoBGP] {
            let row = try XCTUnwrap(rows.first { $0.mode == m && $0.experiment == .udp && $0.locality != .sameHost })
            let p = NetworkPrediction.figures(env: e, mode: m, mtu: row.mtu, nicGbit: 10, cores: 16, messageSize: row.messageSize!, experiment: .udp)
            XCTAssertEqual(row.udpLoss!, p.udpLoss, accuracy: 1e-4, m.rawValue)
        }
        XCTAssertGreaterThan(rows.first { $0.mode == .calicoBGP && $0.experiment == .udp && $0.locality != .sameHost }!.udpLoss!, 0.05)
    }
}
