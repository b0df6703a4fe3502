import ArgumentParser
import ClusterModel
import Foundation
import Scenario

/// `clustersim calibrate MEASUREMENTS.csv`: fits the network model's stage costs to measurements
/// in network.csv's columns and prints the fitted table and the residuals (docs/network.md,
/// "Calibration"). A bad CSV is one error with its line and column, exit status 2.
struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit the network model's stage costs to measurements (network.csv's columns) and print the table and residuals.",
        discussion: """
        MEASUREMENTS.csv has network.csv's columns (a results folder's network.csv loads as it is) and an optional \
        `source` column. Only environment, mode, experiment, message_size_bytes, mtu_bytes, nic_gbit_s and cores \
        are required; an empty or absent nic_tunnel_offload (true, false) is the environment's NIC UDP-tunnel \
        offload, as network.nicTunnelOffload. tcp and udp rows are fitted: throughput as a ratio to host \
        networking (or absolute), CPU per Gbit as a ratio within the source, latency as added over host. \
        scripts/network-reference.csv holds the reference rows the shipped tables come from.
        """)

    @Argument(help: "A CSV of measurements in network.csv's columns.")
    var measurements: String

    @Option(help: "Fit only this environment (cloud-vm or bare-metal; default: every environment in the file).")
    var environment: String?

    @Flag(help: "Print the leave-one-source-out table instead (fit on every source but one, predict that one).")
    var leaveOneSourceOut = false

    @Flag(help: "With --leave-one-source-out: also print each left-out source's residuals.")
    var residuals = false

    func run() throws {
        guard let data = FileManager.default.contents(atPath: measurements), let text = String(data: data, encoding: .utf8) else {
            printErr("error: \(measurements): cannot read the file (missing, unreadable or not UTF-8)")
            throw ExitCode(ExitStatus.invalidInput)
        }
        let rows: [NetworkMeasurement]
        do { rows = try NetworkMeasurementsCSV.parse(text) } catch let e as MeasurementsError {
            printErr("error: \(measurements):\(e.line):\(e.column): \(e.message)")
            throw ExitCode(ExitStatus.invalidInput)
        }
        var envs = NetworkEnvironment.allCases.filter { e in rows.contains { $0.environment == e } }
        if let name = environment {
            guard let e = NetworkEnvironment(rawValue: name) else {
                printErr("error: --environment: expected cloud-vm or bare-metal, got \(name)")
                throw ExitCode(ExitStatus.invalidInput)
            }
            envs = [e]
        }
        if leaveOneSourceOut {
            let chosen = rows.filter { envs.contains($0.environment) }
            print(NetworkCalibration.leaveOneSourceOutText(chosen), terminator: "")
            if residuals {
                for env in envs {
                    for (source, res) in NetworkCalibration.leaveOneSourceOut(chosen, environment: env) {
                        print("\n## \(env.rawValue), \(source) left out\n")
                        print(NetworkCalibration.residualText(res), terminator: "")
                    }
                }
            }
            return
        }
        for env in envs {
            let fit = NetworkCalibration.fit(rows, environment: env, start: EnvironmentParameters.of(env))
            print("## \(env.rawValue): \(fit.after.count) figures\n")
            print(NetworkCalibration.tableText(fit, environment: env))
            print("Residuals with the shipped table:\n")
            print(NetworkCalibration.residualText(fit.before))
            print("Residuals with the fitted table:\n")
            print(NetworkCalibration.residualText(fit.after))
        }
    }
}
