import ArgumentParser
import ClusterModel
import Foundation
import Reporting
import Scenario
import SimKernel
#if canImport(Glibc)
import Glibc
#endif

// First statement of the program: SIGINT/SIGTERM and the fatal signals are handled from here on
// (Progress.swift, `Signals`), before the arguments are parsed or anything is read.
Signals.install()

/// Exit statuses: 0 success, 1 internal error, 2 invalid input (scenario or command line), 130 interrupted.
enum ExitStatus {
    static let internalError: Int32 = 1
    static let invalidInput: Int32 = 2
    static let interrupted: Int32 = 130
}

struct ClusterSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clustersim",
        abstract: "A deterministic discrete-event simulator of a Mesos/Marathon container platform.",
        discussion: "Exit status: 0 success, 1 internal error, 2 invalid input (scenario or arguments), 130 interrupted.",
        subcommands: [Run.self, Validate.self, Plot.self, Docs.self, Export.self, Sweep.self, Plan.self, Calibrate.self]
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
        run completes; an interrupted or crashed run leaves nothing behind. --out replaces only a results \
        folder written by clustersim (a folder holding only the files it writes); an existing file, any other \
        folder, the current folder or a parent of it, the home folder, / and a folder holding the scenario \
        are refused before the run with exit status 2.
        """)

    @OptionGroup var options: ScenarioOptions

    @Option(help: "Results folder (default: results/<scenario name>).")
    var out: String?

    @Option(help: ArgumentHelp("Stop with exit status 2, writing nothing, if the run needs more than N events.",
                               valueName: "N"))
    var maxEvents: UInt64?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @Option(name: .customLong("nginx-config-at"), parsing: .singleValue,
            help: ArgumentHelp("Also write the configuration each nginx reads at this simulated time (a Go duration, or seconds) "
                               + "into DIR/nginx/<host>-<seconds>s.conf, DIR being the results folder; repeatable.", valueName: "TIME"))
    var nginxConfigAt: [String] = []

    @Option(name: .customLong("haproxy-config-at"), parsing: .singleValue,
            help: ArgumentHelp("Also write the haproxy.cfg each marathon-lb instance runs at this simulated time (a Go duration, or seconds) "
                               + "into DIR/haproxy/<host>-<seconds>s.cfg, DIR being the results folder; repeatable.", valueName: "TIME"))
    var haproxyConfigAt: [String] = []

    func validate() throws {
        if maxEvents == 0 { throw ValidationError("--max-events: expected an integer >= 1, got 0") }
        for t in nginxConfigAt where NginxConfigInstants.parse(t) == nil {
            throw ValidationError("--nginx-config-at: expected a simulated time as a Go duration (\"15m\", \"90s\") or seconds, got \"\(t)\"")
        }
        for t in haproxyConfigAt where NginxConfigInstants.parse(t) == nil {
            throw ValidationError("--haproxy-config-at: expected a simulated time as a Go duration (\"15m\", \"90s\") or seconds, got \"\(t)\"")
        }
    }

    func run() throws {
        let loaded = try options.load()
        let spec = loaded.spec
        if !quiet { for w in loaded.warnings { printErr("warning: \(w)") } }
        let nginxInstants = try NginxConfigInstants.instants(nginxConfigAt, option: "--nginx-config-at", section: "nginx",
                                                             present: spec.nginx != nil, duration: spec.duration)
        let haproxyInstants = try NginxConfigInstants.instants(haproxyConfigAt, option: "--haproxy-config-at", section: "marathonLB",
                                                               present: spec.marathonLB != nil, duration: spec.duration)
        let outPath = out ?? "results/\(spec.name)"
        let target: OutputTarget
        do {
            var home: [String] = []
            if let h = ProcessInfo.processInfo.environment["HOME"], !h.isEmpty { home.append(h) }
            if let pw = getpwuid(getuid()), let d = pw.pointee.pw_dir { home.append(String(cString: d)) }
            target = try OutputTarget.check(out: outPath, cwd: FileManager.default.currentDirectoryPath,
                                            scenarioFile: options.scenario, home: home)
        } catch let e {
            printErr("error: --out \(e.description)")
            printErr("\(options.scenario): nothing was run or written.")
            throw ExitCode(ExitStatus.invalidInput)
        }
        // test-only hook: a trap (as an internal error would) once this many events have run
        let trapAt = ProcessInfo.processInfo.environment["CLUSTERSIM_TEST_TRAP_AT_EVENT"].flatMap { UInt64($0) }
        let folder: ResultsFolder
        let writer: ResultsWriter
        let model = ClusterSimulation(spec: spec, observer: NullObserver())
        // marathon-lb keeps only the configuration texts --haproxy-config-at asks for
        model.subsystem(MarathonLB.self)?.keepHistory(textsAt: haproxyInstants.map { SimTime.zero + $0 })
        // nginx likewise: the running generation and the texts --nginx-config-at asks for
        model.subsystem(NginxProxies.self)?.keepHistory(textsAt: nginxInstants.map { SimTime.zero + $0 })
        do {
            folder = try ResultsFolder(target: target)
            do { writer = try ResultsWriter(folder: folder, model: model) } catch { folder.discard(); throw error }
            model.observer = writer
        } catch {
            printErr("error: \(error)")
            throw ExitCode(ExitStatus.internalError)
        }
        // from here to the commit an interrupt is noted and acted on between events
        Signals.set(.deferred)
        if Signals.interrupted { interrupted(folder, at: model) }

        let progress = Progress(enabled: !quiet && isatty(STDERR_FILENO) != 0, end: model.endTime)
        let wallStart = Progress.monotonicSeconds()
        var counter = 0
        var overLimit = false
        let completed = model.run {
            if Signals.interrupted { return true }
            let n = model.sim.eventsProcessed
            if let m = maxEvents, n > m { overLimit = true; return true }
            if let t = trapAt, n >= t { fatalError("CLUSTERSIM_TEST_TRAP_AT_EVENT=\(t): test trap after \(n) events") }
            counter &+= 1
            if counter & 0x3FFF == 0 { progress.update(now: model.sim.now, events: n) }
            return false
        }
        progress.finish()
        if Signals.interrupted { interrupted(folder, at: model) }
        if overLimit {
            folder.discard()
            printErr("error: --max-events \(maxEvents!): the run needed more than \(maxEvents!) events (stopped at simulated "
                     + "time \(model.sim.now.sinceStart) of \(spec.duration)); nothing was written")
            throw ExitCode(ExitStatus.invalidInput)
        }
        if !completed { interrupted(folder, at: model) }
        let wall = Progress.monotonicSeconds() - wallStart
        do {
            try writer.finish(summary: model.summary())
            // the last moment an interrupt can keep the previous results: commit is one atomic step
            if Signals.interrupted { interrupted(folder, at: model) }
            try folder.commit()
            Signals.set(.committed)
            if let nginx = model.subsystem(NginxProxies.self), !nginxInstants.isEmpty {
                try NginxConfigInstants.write(nginx, at: nginxInstants, into: folder.finalPath + "/nginx")
            }
            if let lb = model.subsystem(MarathonLB.self), !haproxyInstants.isEmpty {
                try NginxConfigInstants.write(lb, at: haproxyInstants, into: folder.finalPath + "/haproxy")
            }
        } catch let e as ExitCode {
            throw e
        } catch {
            folder.discard()
            printErr("error: \(error)")
            throw ExitCode(ExitStatus.internalError)
        }
        if !quiet {
            for line in RunReport.lines(name: spec.name, duration: spec.duration, wallSeconds: wall, summary: model.summary(),
                                        model: model, resultsPath: folder.finalPath,
                                        tool: CommandLine.arguments.first ?? "clustersim") { print(line) }
        }
    }

    /// Removes the temporary folder and ends with 130; the previous results stay as they were.
    func interrupted(_ folder: ResultsFolder, at model: ClusterSimulation) -> Never {
        folder.discard()
        printErr("interrupted at simulated time \(model.sim.now.sinceStart); no results written")
        Glibc.exit(ExitStatus.interrupted)
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a scenario or experiment file and report every error in it; writes nothing.")

    @OptionGroup var options: ScenarioOptions

    func run() throws {
        // an experiment file (docs/experiments.md): "kind": "experiment" or a "base" key
        if ExperimentLoader.isExperimentFile(path: options.scenario) {
            if !options.overrides.isEmpty || options.seed != nil {
                printErr("error: --set and --seed apply to scenarios; \(options.scenario) is an experiment")
                throw ExitCode(ExitStatus.invalidInput)
            }
            return try validateExperiment(options.scenario)
        }
        let loaded = try options.load()
        for w in loaded.warnings { printErr("warning: \(w)") }
        let s = loaded.spec
        let hosts = s.hostGroups.reduce(0) { $0 + $1.count }
        func n(_ k: Int, _ word: String) -> String { "\(k) \(word)\(k == 1 ? "" : "s")" }
        print("\(options.scenario): valid (\(s.name): \(n(hosts, "host")) in \(n(s.hostGroups.count, "group")), "
              + "\(n(s.faults.count, "fault")), duration \(s.duration), seed \(s.seed))")
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
        abstract: "Print generated reference documentation (docs/outputs.md, the scenario key tables).", shouldDisplay: false)

    @Argument(help: "Which document: outputs, scenario-keys.")
    var document: String = "outputs"

    @Option(help: "With scenario-keys: print this Markdown page with its generated key tables rewritten.")
    var fill: String?

    func run() throws {
        switch document {
        case "outputs" where fill == nil:
            print(OutputDocs.markdown(), terminator: "")
        case "scenario-keys":
            guard let file = fill else { print(ScenarioReference.markdown(), terminator: ""); return }
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                printErr("error: \(file): cannot read: \(error.localizedDescription)")
                throw ExitCode(ExitStatus.invalidInput)
            }
            do { print(try ScenarioReference.fill(text, file: file), terminator: "") } catch {
                printErr("error: \(error)")
                throw ExitCode(ExitStatus.invalidInput)
            }
        case "outputs":
            printErr("error: --fill goes with the document \"scenario-keys\"")
            throw ExitCode(ExitStatus.invalidInput)
        default:
            printErr("error: unknown document \"\(document)\"; allowed: outputs, scenario-keys")
            throw ExitCode(ExitStatus.invalidInput)
        }
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

/// `--nginx-config-at`: the text each nginx reads (its static configuration and the files
/// consul-template wrote, as they were at that instant), one file per nginx host and instant.
enum NginxConfigInstants {
    static func parse(_ s: String) -> SimDuration? {
        if let d = GoDuration.parse(s), d >= .zero { return d }
        if let x = Double(s), x >= 0, x < 1e9 { return .fromSeconds(x) }
        return nil
    }

    /// The instants of a `--*-config-at` option; exit 2 when the scenario lacks the section or an instant is after the end.
    static func instants(_ values: [String], option: String, section: String, present: Bool, duration: SimDuration) throws -> [SimDuration] {
        let list = values.compactMap(parse)
        guard !list.isEmpty else { return [] }
        if !present { printErr("error: \(option): the scenario has no \(section) section"); throw ExitCode(ExitStatus.invalidInput) }
        if let late = list.first(where: { $0 > duration }) {
            printErr("error: \(option) \(late): after the end of the run (\(duration))"); throw ExitCode(ExitStatus.invalidInput)
        }
        return list
    }

    /// `--haproxy-config-at`: the haproxy.cfg each marathon-lb instance runs at each instant.
    static func write(_ lb: MarathonLB, at instants: [SimDuration], into dir: String) throws {
        try write(instants, into: dir, suffix: "cfg", count: lb.instanceCount, host: lb.hostName(ofInstance:)) { lb.configurationText($0, at: $1) }
    }

    static func write(_ nginx: NginxProxies, at instants: [SimDuration], into dir: String) throws {
        try write(instants, into: dir, suffix: "conf", count: nginx.proxyCount, host: nginx.hostName(ofProxy:)) { nginx.configurationText(proxy: $0, at: $1) }
    }

    /// `<dir>/<host>-<seconds>s.<suffix>` per instant and instance.
    static func write(_ instants: [SimDuration], into dir: String, suffix: String, count: Int, host: (Int) -> String,
                      text: (Int, SimTime) -> String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for t in instants {
            let secs = NumberFormat.seconds(t.nanoseconds)
            for i in 0..<count {
                try Data(text(i, SimTime.zero + t).utf8).write(to: URL(fileURLWithPath: "\(dir)/\(host(i))-\(secs)s.\(suffix)"))
            }
        }
    }
}
