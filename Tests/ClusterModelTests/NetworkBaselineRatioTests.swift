import ClusterModel
import XCTest

/// A source that measured no host row (docs/network-calibration-log.md, "More sources"):
/// its throughput ratios are to its own row of ratio 1, as [N8-fudp] (kubernetes/kubernetes PR
/// #17877) gives Flannel UDP as 0.60 of Flannel VXLAN. Before, the ratio was taken to a host flow
/// the model predicted under the row's conditions, which the source never measured.
final class NetworkBaselineRatioTests: XCTestCase {
    let env = EnvironmentParameters.of(.cloudVM)

    func row(_ mode: ContainerNetworkMode, mtu: Int, ratio: Double?, size: Int64 = 65536, latencyUs: Double? = nil, line: Int) -> NetworkMeasurement {
        NetworkMeasurement(source: "S", environment: .cloudVM, kernel: KernelVersion(3, 13), nicGbit: 10, cores: 2, mode: mode,
                           messageSize: size, mtu: mtu, ratioToHost: ratio, oneWayLatencyUs: latencyUs, line: line)
    }

    func testRatioIsToTheSourcesRowOfRatioOneWhereItHasNoHostRow() throws {
        let rows = [row(.flannelVXLAN, mtu: 1450, ratio: 1, line: 1), row(.flannelUDP, mtu: 1472, ratio: 0.6, line: 2)]
        let res = NetworkCalibration.residuals(rows, table: env, environment: .cloudVM)
        // the baseline row is not compared with itself; the other row is compared with it
        XCTAssertEqual(res.map(\.line), [2], "\(res)")
        let r = try XCTUnwrap(res.first)
        XCTAssertEqual(r.metric, "throughput_ratio_to_flannel-vxlan")
        let e = env.adapted(clockGHz: nil, kernel: KernelVersion(3, 13))
        func rate(_ m: ContainerNetworkMode, _ mtu: Int) -> Double {
            NetworkPrediction.figures(env: e, mode: m, mtu: mtu, nicGbit: 10, cores: 2, messageSize: 65536).bytesPerSecond
        }
        let expected = rate(.flannelUDP, 1472) / rate(.flannelVXLAN, 1450)
        XCTAssertEqual(r.predicted, expected, accuracy: 1e-12)
        XCTAssertNotEqual(r.predicted, rate(.flannelUDP, 1472) / rate(.host, 1472), accuracy: 1e-3, "a ratio to a predicted host flow")
        XCTAssertEqual(r.error, expected / 0.6 - 1, accuracy: 1e-12)
    }

    /// A host row, where the source has one, stays the baseline even with a ratio-1 row before it;
    /// and the metric keeps its name.
    func testHostRowStaysTheBaseline() throws {
        let rows = [row(.macvlan, mtu: 1500, ratio: 1, line: 1), row(.host, mtu: 1500, ratio: 1, line: 2), row(.flannelUDP, mtu: 1472, ratio: 0.3, line: 3)]
        let res = NetworkCalibration.residuals(rows, table: env, environment: .cloudVM)
        XCTAssertEqual(res.map(\.metric), ["throughput_ratio_to_host", "throughput_ratio_to_host"], "\(res)")
        XCTAssertEqual(res.map(\.line), [1, 3])
    }

    /// The leave-one-source-out table counts the new metric with the other throughput ratios.
    func testTableCountsItAsAThroughputRatio() {
        let rows = [row(.flannelVXLAN, mtu: 1450, ratio: 1, line: 1), row(.flannelUDP, mtu: 1472, ratio: 0.6, line: 2),
                    row(.flannelVXLAN, mtu: 1450, ratio: nil, size: 1, latencyUs: 127, line: 3),
                    row(.flannelUDP, mtu: 1472, ratio: nil, size: 1, latencyUs: 200, line: 4)]
        var other = rows.map { r -> NetworkMeasurement in var x = r; x.source = "T"; return x }
        other[1].ratioToHost = 0.5
        let text = NetworkCalibration.leaveOneSourceOutText(rows + other)
        XCTAssertTrue(text.contains("| cloud-vm | S | throughput ratio | 1 |"), text)
        XCTAssertTrue(text.contains("| cloud-vm | S | added latency | 1 |"), text)
        XCTAssertFalse(text.contains("| cloud-vm | S | throughput |"), text)
    }
}
