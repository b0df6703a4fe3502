import ArgumentParser
import Foundation
import Reporting

/// `clustersim export openmetrics RESULTS [--out FILE]`.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a run's recorded series.",
        subcommands: [OpenMetrics.self])

    struct OpenMetrics: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "openmetrics",
            abstract: "Write RESULTS/samples.csv as OpenMetrics text (for promtool tsdb create-blocks-from openmetrics).",
            discussion: """
            Needs a results folder of a run with "prometheus": {"record": "rules"} or "all". Staleness markers are \
            left out (OpenMetrics cannot express them). Bad input (no samples.csv, a malformed row): exit status 2, \
            one error, nothing written.
            """)

        @Argument(help: "The results folder.")
        var results: String

        @Option(help: "Output file (default: standard output).")
        var out: String?

        func run() throws {
            let text: String
            do { text = try OpenMetricsExport.export(results: results) } catch {
                printErr("error: \(error.description)")
                throw ExitCode(ExitStatus.invalidInput)
            }
            guard let out else { FileHandle.standardOutput.write(Data(text.utf8)); return }
            do { try text.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                printErr("error: cannot write \(out): \(error.localizedDescription)")
                throw ExitCode(ExitStatus.invalidInput)
            }
        }
    }
}
