import ArgumentParser
import ClusterModel
import Foundation
import Reporting
import Scenario
import SimKernel
#if canImport(Glibc)
import Glibc
#endif

/// Exit statuses: 0 success, 1 internal error, 2 invalid input (scenario or command line).
enum ExitStatus {
    static let internalError: Int32 = 1
    static let invalidInput: Int32 = 2
    static let interrupted: Int32 = 130
}

/// Set by SIGINT/SIGTERM; the run loop checks it after every event.
nonisolated(unsafe) var interruptRequested: sig_atomic_t = 0

struct ClusterSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clustersim",
        abstract: "A deterministic discrete-event simulator of a Mesos/Marathon container platform.",
        discussion: "Exit status: 0 success, 1 internal error, 2 invalid input (scenario or arguments), 130 interrupted.",
        subcommands: [Run.self, Validate.self, Plot.self, Docs.self]
    )
}

struct ScenarioOptions: ParsableArguments {
    @Argument(help: "The scenario JSON file.")
    var scenario: String

    @Option(name: .customLong("set"), parsing: .singleValue,
            help: ArgumentHelp("Override a scenario field, e.g. --set hostGroups[0].count=40 (value as JSON; a non-JSON value is a string).",
                               valueName: "PATH=JSON"))
    var overrides: [String] = []

    @Option(help: "Override the scenario's seed.")
    var seed: UInt64?

    func load() throws -> LoadedScenario {
        do {
            return try ScenarioLoader.load(path: scenario, overrides: overrides, seedOverride: seed)
        } catch let e {
            FileHandle.standardError.write(Data((e.description + "\n").utf8))
            let n = e.errors.count
            FileHandle.standardError.write(Data("\(scenario): \(n) error\(n == 1 ? "" : "s"); nothing was run or written.\n".utf8))
            throw ExitCode(ExitStatus.invalidInput)
        }
    }
}

func printErr(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario and write its results folder.",
        discussion: """
        Writes timeline.csv, hosts.csv, events.csv, summary.json and summary.csv into results/<scenario name>/ \
        (or --out DIR). Files are written to a temporary folder beside it and moved into place only when the \
        run completes; an interrupted run leaves nothing behind.
        """)

    @OptionGroup var options: ScenarioOptions

    @Option(help: "Results folder (default: results/<scenario name>).")
    var out: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        let loaded = try options.load()
        let spec = loaded.spec
        if !quiet { for w in loaded.warnings { printErr("warning: \(w)") } }
        let outPath = out ?? "results/\(spec.name)"
        let folder: ResultsFolder
        let writer: ResultsWriter
        let model = ClusterSimulation(spec: spec, observer: NullObserver())
        do {
            folder = try ResultsFolder(finalPath: outPath)
            do { writer = try ResultsWriter(folder: folder, model: model) } catch { folder.discard(); throw error }
            model.observer = writer
        } catch {
            printErr("error: \(error)")
            throw ExitCode(ExitStatus.internalError)
        }
        signal(SIGINT) { _ in interruptRequested = 1 }
        signal(SIGTERM) { _ in interruptRequested = 1 }

        let progress = Progress(enabled: !quiet && isatty(STDERR_FILENO) != 0, end: model.endTime)
        let wallStart = Progress.monotonicSeconds()
        var counter = 0
        let completed = model.run {
            if interruptRequested != 0 { return true }
            counter &+= 1
            if counter & 0x3FFF == 0 { progress.update(now: model.sim.now, events: model.sim.eventsProcessed) }
            return false
        }
        progress.finish()
        if !completed || interruptRequested != 0 {
            folder.discard()
            printErr("interrupted at simulated time \(model.sim.now.sinceStart); no results written")
            throw ExitCode(ExitStatus.interrupted)
        }
        let wall = Progress.monotonicSeconds() - wallStart
        do {
            try writer.finish(summary: model.summary(), platform: model.platformSummary(), storage: model.storage?.summary(), wallSeconds: wall)
            if interruptRequested != 0 {
                folder.discard()
                printErr("interrupted; no results written")
                throw ExitCode(ExitStatus.interrupted)
            }
            try folder.commit()
        } catch let e as ExitCode {
            throw e
        } catch {
            folder.discard()
            printErr("error: \(error)")
            throw ExitCode(ExitStatus.internalError)
        }
        if !quiet {
            for line in RunReport.lines(name: spec.name, duration: spec.duration, wallSeconds: wall, summary: model.summary(),
                                        platform: model.platformSummary(), resultsPath: folder.finalPath,
                                        tool: CommandLine.arguments.first ?? "clustersim") { print(line) }
        }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a scenario file and report every error in it; writes nothing.")

    @OptionGroup var options: ScenarioOptions

    func run() throws {
        let loaded = try options.load()
        for w in loaded.warnings { printErr("warning: \(w)") }
        let s = loaded.spec
        let hosts = s.hostGroups.reduce(0) { $0 + $1.count }
        print("\(options.scenario): valid (\(s.name): \(hosts) hosts in \(s.hostGroups.count) groups, "
              + "\(s.faults.count) faults, duration \(s.duration), seed \(s.seed))")
    }
}

struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render the timelines of a results folder with gnuplot (PNG and SVG).")

    @Argument(help: "A results folder written by `clustersim run` (results/<name>).")
    var resultsDir: String

    @Option(help: "Where to write the plots (default: plots/<name of the results folder>).")
    var out: String?

    @Option(help: "Image formats: png, svg or both (comma-separated).")
    var format: String = "png,svg"

    func run() throws {
        let name = URL(fileURLWithPath: resultsDir).standardizedFileURL.lastPathComponent
        let dest = out ?? "plots/\(name)"
        do {
            var formats: [Plotter.Format] = []
            for f in format.split(separator: ",") {
                guard let x = Plotter.Format(rawValue: f.trimmingCharacters(in: .whitespaces).lowercased()) else {
                    printErr("error: --format: unknown format \"\(f)\"; allowed: png, svg (comma-separated)")
                    throw ExitCode(ExitStatus.invalidInput)
                }
                if !formats.contains(x) { formats.append(x) }
            }
            let files = try Plotter.plot(resultsDir: resultsDir, outDir: dest, formats: formats)
            print("plots: \(files.count) files in \(dest)")
        } catch let e as Plotter.PlotError {
            printErr("error: \(e)")
            if case .noTimeline = e { throw ExitCode(ExitStatus.invalidInput) }
            throw ExitCode(ExitStatus.internalError)
        }
    }
}

struct Docs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print generated reference documentation (docs/outputs.md).", shouldDisplay: false)

    @Argument(help: "Which document: outputs.")
    var document: String = "outputs"

    func run() throws {
        guard document == "outputs" else {
            printErr("error: unknown document \"\(document)\"; allowed: outputs")
            throw ExitCode(ExitStatus.invalidInput)
        }
        print(OutputDocs.markdown(), terminator: "")
    }
}

/// Command-line usage errors exit with 2 (invalid input) rather than ArgumentParser's 64.
do {
    var command = try ClusterSim.parseAsRoot()
    try command.run()
} catch {
    let code = ClusterSim.exitCode(for: error)
    if code == .success || code.rawValue == ExitStatus.invalidInput || code.rawValue == ExitStatus.internalError
        || code.rawValue == ExitStatus.interrupted {
        ClusterSim.exit(withError: error)
    }
    if code == .validationFailure {
        let msg = ClusterSim.fullMessage(for: error)
        printErr(msg)
        exit(ExitStatus.invalidInput)
    }
    ClusterSim.exit(withError: error)
}
