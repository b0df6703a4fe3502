import Reporting
import Scenario

/// The headline figures an experiment may collect: the numeric keys of summary.json's
/// "headline" object, as docs/outputs.md documents them (every key but `scenario`, a name).
public enum ExperimentFigures {
    public static var known: [(key: String, meaning: String)] {
        OutputDocs.summaryMeanings.filter { $0.0 != "scenario" }.map { (key: $0.0, meaning: $0.1) }
            + ResultsWriter.subsystemOutputs.flatMap { ResultsWriter.headlineKeys(of: $0.name, own: $0.outputs.headline) }
    }

    public static var names: [String] { known.map(\.key) }
}

extension ExperimentLoader {
    /// Loads and checks the experiment at `path` (docs/experiments.md): the contract's loader,
    /// with the documented headline figures.
    public static func load(path: String) throws(ScenarioErrors) -> ExperimentSpec {
        try load(path: path, knownFigures: ExperimentFigures.names)
    }
}
