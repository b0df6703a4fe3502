@testable import ClusterModel
import SimKernel
import XCTest

/// `network.nicTunnelOffload` and the calibration CSV's `nic_tunnel_offload` (docs/network.md, Environment): the
/// NIC's UDP-tunnel offload as the user states it, instead of the environment's fixed value.
final class NetworkTunnelOffloadTests: XCTestCase {
    typealias F = NetworkFidelityTests

    func parameters(_ env: NetworkEnvironment, _ offload: Bool?) -> EnvironmentParameters {
        NetworkSpec(environment: env, host: HostEnvironmentSpec(nicTunnelOffload: offload)).parameters
    }

    /// Unstated, the environment's value; stated as the environment's own value, the same table (the outputs
    /// of every shipped scenario are unchanged); stated otherwise, only the offload differs.
    func testDefaultIsTheEnvironmentsAndStatingItChangesOnlyTheOffload() {
        XCTAssertNil(HostEnvironmentSpec().nicTunnelOffload)
        XCTAssertEqual(parameters(.bareMetal, nil), .bareMetal)
        XCTAssertEqual(parameters(.cloudVM, nil), EnvironmentParameters.cloudVM)
        XCTAssertEqual(parameters(.bareMetal, true), .bareMetal)
        XCTAssertEqual(parameters(.cloudVM, false), .cloudVM)
        var off = EnvironmentParameters.bareMetal
        off.tunnelOffload = false
        XCTAssertEqual(parameters(.bareMetal, false), off)
        var on = EnvironmentParameters.cloudVM
        on.tunnelOffload = true
        XCTAssertEqual(parameters(.cloudVM, true), on)
        // with the clock and kernel a user states too
        let e = NetworkSpec(environment: .bareMetal, host: HostEnvironmentSpec(cpuClockGHz: 3.2, kernel: KernelVersion(5, 4), nicTunnelOffload: false)).parameters
        XCTAssertFalse(e.tunnelOffload); XCTAssertEqual(e.referenceClockGHz, 3.2); XCTAssertEqual(e.kernel, KernelVersion(5, 4))
    }

    /// The key changes what a VXLAN or Geneve mode costs at both ends (aggregation, software checksum) and
    /// nothing for modes without a UDP tunnel.
    func testTheKeyChangesVXLANsCostAndNotHosts() {
        for env in [NetworkEnvironment.bareMetal, .cloudVM] {
            let with = parameters(env, true), without = parameters(env, false)
            for sending in [true, false] {
                for m in [ContainerNetworkMode.host, .calicoBGP, .flannelHostGW, .bridge, .ciliumNative] {
                    XCTAssertEqual(Datapath.endCost(m, mtu: 1500, env: with, sending: sending),
                                   Datapath.endCost(m, mtu: 1500, env: without, sending: sending), "\(env) \(m)")
                }
                for m in [ContainerNetworkMode.flannelVXLAN, .calicoVXLAN, .ciliumVXLAN, .canal, .antrea, .kubeOVN, .overlay] {
                    let a = Datapath.endCost(m, mtu: 1450, env: with, sending: sending).kernelNsPerByte
                    let b = Datapath.endCost(m, mtu: 1450, env: without, sending: sending).kernelNsPerByte
                    XCTAssertGreaterThan(b, 1.5 * a, "\(env) \(m) sending \(sending): per-packet stack without offload")
                }
            }
            XCTAssertTrue(Datapath.keepsAggregation(.flannelVXLAN, with))
            XCTAssertFalse(Datapath.keepsAggregation(.flannelVXLAN, without))
        }
    }

    /// Through the experiments: Flannel VXLAN at MTU 1500 on 10 GbE bare metal (the conditions of [N8-f1816],
    /// which measures 0.70 of host): 0.965 of host with the NIC's offload, 0.557 without; host's row unchanged.
    func testFlannelVXLANOnTenGbEWithAndWithoutOffload() {
        func rows(_ offload: Bool?) -> [NetworkResultRow] {
            F.run(env: .bareMetal, cpus: 8, nic: 10_000_000_000, modes: [.host, .flannelVXLAN], sizes: [131072], flows: 0,
                  host: HostEnvironmentSpec(nicTunnelOffload: offload))
        }
        func rate(_ r: [NetworkResultRow], _ m: ContainerNetworkMode) -> Double {
            r.first { $0.mode == m && $0.experiment == .tcp && $0.locality != .sameHost }!.throughputBitsPerSecond!
        }
        let unstated = rows(nil), on = rows(true), off = rows(false)
        XCTAssertEqual(unstated, on)
        XCTAssertEqual(rate(on, .host), rate(off, .host))
        let rOn = rate(on, .flannelVXLAN) / rate(on, .host), rOff = rate(off, .flannelVXLAN) / rate(off, .host)
        XCTAssertEqual(rOn, 0.965, accuracy: 0.01)
        XCTAssertEqual(rOff, 0.557, accuracy: 0.01)
        // the CPU per bit tells them apart too
        let cpu = { (r: [NetworkResultRow]) in r.first { $0.mode == .flannelVXLAN && $0.experiment == .tcp && $0.locality != .sameHost }!.cpuSecondsPerGbit! }
        XCTAssertGreaterThan(cpu(off), 1.5 * cpu(on))
    }

    /// `clustersim calibrate` builds each row's environment with the row's stated offload: a row without it
    /// is predicted with the environment's, a row with it as stated.
    func testCalibrationUsesEachRowsOffload() {
        func row(_ mode: ContainerNetworkMode, _ offload: Bool?, line: Int) -> NetworkMeasurement {
            NetworkMeasurement(source: "f", environment: .bareMetal, kernel: KernelVersion(5, 15), nicGbit: 10, cores: 8, mode: mode,
                               messageSize: 131072, mtu: mode == .host ? 1500 : 1450, throughputMbit: mode == .host ? 9190 : nil,
                               ratioToHost: mode == .host ? 1 : 0.70, line: line, tunnelOffload: offload)
        }
        func predicted(_ offload: Bool?) -> Double {
            let rows = [row(.host, offload, line: 2), row(.flannelVXLAN, offload, line: 3)]
            let r = NetworkCalibration.residuals(rows, table: .bareMetal, environment: .bareMetal)
            return r.first { $0.mode == .flannelVXLAN && $0.metric == "throughput_ratio_to_host" }!.predicted
        }
        XCTAssertEqual(predicted(nil), predicted(true))
        XCTAssertEqual(predicted(nil), 0.965, accuracy: 0.01)
        XCTAssertEqual(predicted(false), 0.557, accuracy: 0.01)
    }
}
