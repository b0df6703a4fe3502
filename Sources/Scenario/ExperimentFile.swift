import SimKernel

// The experiment file decoder (issue 13; docs/experiments.md). Strict like scenarios: unknown keys
// are errors with their JSON path, every number is range-checked, and the axes are checked against
// the base scenario's schema before any run starts (ExperimentFile+Checks.swift).

/// The declared keys of an experiment file (docs/experiments.md's tables are generated from them).
public enum ExperimentSchema {
    static let topKeys = SectionKeys(#"experiment"#, [
        KeySpec(#"kind"#, #"string"#, default: #"absent"#, allowed: #"`"experiment"`."#,
                meaning: #"Marks the file as an experiment for `clustersim validate` (a file with a `base` key is one anyway)."#),
        KeySpec(#"name"#, #"string"#, default: #"the file name without `.json`"#, allowed: #"Letters, digits, `.`, `_`, `-`; at most 100 characters; must not start with `.` or `-`."#,
                meaning: #"Names the results folder `results/<name>/` and the plots folder `plots/<name>/`."#),
        KeySpec(#"description"#, #"string"#, default: #"`""`"#, allowed: #"Any text."#, meaning: #"What the experiment asks."#),
        KeySpec(#"base"#, #"string"#, default: #"required"#, allowed: #"A scenario file, relative to the experiment file's folder (or absolute)."#,
                meaning: #"The scenario every run starts from."#),
        KeySpec(#"seed"#, #"integer"#, default: #"`1`"#, allowed: #"0 to 18446744073709551615."#,
                meaning: #"The experiment seed; each run's seed is derived from it (see [Seeds](#seeds))."#),
        KeySpec(#"replications"#, #"integer"#, default: #"required"#, allowed: #"1 to 1000; points × replications at most 100000."#,
                meaning: #"Runs per point, each with its own seed."#),
        KeySpec(#"axes"#, #"array of axis"#, default: #"`[]` (one point: the base scenario)"#, allowed: #"At most 16 axes; at most 10000 points in all; no path on two axes; names unique."#,
                meaning: #"What varies (below); the points are every combination (row-major, first axis slowest)."#),
        KeySpec(#"figures"#, #"array of strings"#, default: #"required"#, allowed: #"Non-empty, unique; numeric headline keys of summary.json ([outputs.md](outputs.md))."#,
                meaning: #"The headline figures aggregated into points.csv and plotted."#),
        KeySpec(#"plan"#, #"object"#, default: #"absent"#, allowed: #"See below."#, meaning: #"The planning question `clustersim plan` answers."#),
    ])

    static let axisKeys = SectionKeys(#"experiment.axes[i]"#, [
        KeySpec(#"name"#, #"string"#, default: #"the path (required with `linked`)"#, allowed: #"Letters, digits, `.`, `_`, `-`, `[`, `]`; at most 100 characters; unique."#,
                meaning: #"The axis' name in points.csv, point ids and plots."#),
        KeySpec(#"path"#, #"string"#, default: #"required without `linked`"#, allowed: #"A scenario path in `--set` syntax (`hostGroups[1].count`, `network.mode`) that the scenario schema accepts."#,
                meaning: #"The scenario value the axis sets."#),
        KeySpec(#"values"#, #"array"#, default: #"—"#, allowed: #"Non-empty, no value twice; each of the type the path takes (checked by decoding the base scenario with it)."#,
                meaning: #"The axis' values, in order. Exactly one of `values`, `range`, `linked`."#),
        KeySpec(#"range"#, #"object"#, default: #"—"#, allowed: #"`from`, `to`, `step`: plain numbers (no exponent, at most 9 decimals), `step` > 0, `from` <= `to`, at most 10000 values."#,
                meaning: #"`from`, `from + step`, ... up to `to` (decimal arithmetic: no rounding drift); integers when all three are."#),
        KeySpec(#"linked"#, #"object"#, default: #"—"#, allowed: #"Paths to non-empty arrays of equal length; at least one path."#,
                meaning: #"Several paths that move together: the k-th value of the axis sets every path to its k-th value."#),
    ])

    static let rangeKeys = SectionKeys(#"experiment.axes[i].range"#, [
        KeySpec(#"from"#, #"number"#, default: #"required"#, allowed: #"A plain number."#, meaning: #"First value."#),
        KeySpec(#"to"#, #"number"#, default: #"required"#, allowed: #">= `from`."#, meaning: #"Last value (included when `from + k*step` reaches it exactly)."#),
        KeySpec(#"step"#, #"number"#, default: #"required"#, allowed: #"> 0."#, meaning: #"Distance between values."#),
    ])

    static let planKeys = SectionKeys(#"experiment.plan"#, [
        KeySpec(#"minimise"#, #"string"#, default: #"required"#, allowed: #"The name of an axis of integers in strictly increasing order."#,
                meaning: #"The axis whose smallest sufficient value `clustersim plan` looks for."#),
        KeySpec(#"require"#, #"array of strings"#, default: #"required"#, allowed: #"Non-empty; each `FIGURE OP NUMBER` with OP one of `<`, `<=`, `==`, `>=`, `>` and FIGURE a numeric headline key."#,
                meaning: #"What must hold at the answer (every requirement, on the mean over replications, with the stated confidence)."#),
        KeySpec(#"confidence"#, #"number"#, default: #"`0.95`"#, allowed: #"> 0.5 and < 1."#, meaning: #"Confidence level of the one-sided Student-t bounds that decide a point."#),
        KeySpec(#"maxReplications"#, #"integer"#, default: #"`replications`"#, allowed: #"`replications` to 1000."#,
                meaning: #"Replications a point may use at most before it is decided on its mean."#),
    ])

    /// The experiment sections, in the order docs/experiments.md shows them.
    public static var sections: [SectionKeys] { [topKeys, axisKeys, rangeKeys, planKeys] }
}

public enum ExperimentLoader {
    public static let maxAxes = 16
    public static let maxPoints = 10_000
    public static let maxReplications = 1_000
    public static let maxRuns = 100_000

    /// Whether a parsed JSON document is an experiment rather than a scenario: `"kind":
    /// "experiment"`, or a `base` key (scenarios have none).
    public static func isExperiment(_ root: JSONValue) -> Bool {
        if let k = root["kind"]?.stringValue { return k == "experiment" }
        return root["base"] != nil
    }

    /// Whether the file at `path` is an experiment (false when it cannot be read or parsed: the
    /// scenario loader then reports why).
    public static func isExperimentFile(path: String) -> Bool {
        guard case .success(let text) = Paths.readText(path), let root = JSONParser.parse(text).value else { return false }
        return isExperiment(root)
    }

    /// Loads and checks the experiment at `path`; `knownFigures` are the numeric headline keys
    /// (the Experiment module's `ExperimentLoader.load(path:)` passes the documented list).
    public static func load(path: String, knownFigures: [String]) throws(ScenarioErrors) -> ExperimentSpec {
        // one budget for the suggestions of this file's messages (Suggest.Budget)
        let r = Suggest.$budget.withValue(Suggest.Budget()) {
            Result { () throws(ScenarioErrors) in try loadChecked(path: path, knownFigures: knownFigures) }
        }
        return try r.get()
    }

    static func loadChecked(path: String, knownFigures: [String]) throws(ScenarioErrors) -> ExperimentSpec {
        let text: String
        switch Paths.readText(path) {
        case .failure(let e):
            throw ScenarioErrors([ScenarioError(path: "", file: path, message: "cannot read the experiment file: \(e.message)")])
        case .success(let t): text = t
        }
        let d = Diagnostics()
        let parsed = JSONParser.parse(text, file: path)
        for e in parsed.errors {
            d.append(ScenarioError(path: "", file: path, line: e.line, column: e.column, message: e.message))
        }
        guard let root = parsed.value, !d.hasErrors else { throw ScenarioErrors(d.errors) }
        guard var spec = decode(root, file: path, knownFigures: knownFigures, diagnostics: d), !d.hasErrors else {
            throw ScenarioErrors(d.errors)
        }
        checkAgainstBase(&spec, root: root, diagnostics: d)
        if d.hasErrors { throw ScenarioErrors(d.errors) }
        return spec
    }

    /// Decodes the experiment's own keys (nothing about the base scenario yet).
    static func decode(_ root: JSONValue, file: String, knownFigures: [String], diagnostics d: Diagnostics) -> ExperimentSpec? {
        let r = ObjectReader(root, path: "", diagnostics: d, keys: ExperimentSchema.topKeys)
        guard r.isObject else { return nil }
        _ = r.optional("kind", .oneOf(["experiment"], what: "kind"))
        let fileName = String(file.split(separator: "/").last ?? Substring(file))
        let defaultName = fileName.hasSuffix(".json") ? String(fileName.dropLast(5)) : fileName
        let name = r.optional("name", fileNameDecoder, default: defaultName)
        _ = r.optional("description", .string)
        let base = r.required("base", .nonEmptyString, hint: "the base scenario, relative to this file")
        let seed = r.optional("seed", .uint64, default: 1)
        let reps = r.required("replications", .int(min: 1, max: maxReplications))
        let axes = r.optional("axes", .array(of: axisDecoder), default: []) ?? []
        let figuresDecoder = ValueDecoder<[String]>.array(of: figureDecoder(knownFigures), nonEmpty: true)
        let figures = r.required("figures", figuresDecoder)
        var plan: ExperimentPlan?
        if let v = r.value("plan") { plan = planDecoder(knownFigures, replications: reps ?? 1).decode(v, "plan", d) }
        r.finish()
        if let figures { checkUnique(figures.map { $0 }, path: "figures", what: "figure", root["figures"], d) }
        checkAxes(axes, root["axes"], reps, d)
        if let plan, let reps { checkPlan(plan, axes: axes, replications: reps, root["plan"], d) }
        guard let name, let base, let seed, let reps, let figures, !d.hasErrors else { return nil }
        let unsafeDefault = root["name"] == nil && fileNameDecoder.decode(.string(name), "", Diagnostics()) == nil
        if unsafeDefault || name.hasPrefix(".") || name.hasPrefix("-") {
            let what = root["name"] == nil ? "the file name \(JSONValue.quote(name)) (the default name)" : JSONValue.quote(name)
            d.error("name", at: root["name"] ?? root, "\(what) cannot name the results folder: use letters, digits, '.', '_', '-', at most 100 characters, not starting with '.' or '-'\(root["name"] == nil ? "; give a \"name\"" : "")")
            return nil
        }
        let dir = Paths.directory(file, relative: true)
        let resolved = base.hasPrefix("/") || dir.isEmpty ? base : dir + "/" + base
        var warnings: [String] = []
        for (i, a) in axes.enumerated() where a.paths.contains("seed") {
            warnings.append(ScenarioError(path: JSONPath.index("axes", i), at: root["axes"]?.arrayValue?[i].location,
                                          message: "every run gets its own --seed (derived from the experiment seed), which replaces the scenario's seed: an axis on seed only changes the derived seeds").description)
        }
        return ExperimentSpec(name: name, file: file, base: resolved, seed: seed, replications: reps, axes: axes,
                              figures: figures, plan: plan, warnings: warnings)
    }

    static let fileNameDecoder = ValueDecoder<String>.name(extra: "._-", maxLength: 100)
    static let axisNameDecoder = ValueDecoder<String>.name(extra: "._-[]", maxLength: 100)

    static func figureDecoder(_ known: [String]) -> ValueDecoder<String> {
        ValueDecoder<String>.string.check { s in
            known.contains(s) ? nil : "unknown headline figure \(JSONValue.quote(s))\(Suggest.didYouMean(s, among: known)); the numeric keys of summary.json's \"headline\" are allowed (docs/outputs.md)"
        }
    }

    static func checkUnique(_ names: [String], path: String, what: String, _ v: JSONValue?, _ d: Diagnostics) {
        var seen: [String: Int] = [:]
        for (i, n) in names.enumerated() {
            if let j = seen[n] {
                d.error(JSONPath.index(path, i), at: v?.arrayValue?[i], "\(what) \(JSONValue.quote(n)) appears twice (also at \(JSONPath.index(path, j)))")
            } else { seen[n] = i }
        }
    }

    static func checkAxes(_ axes: [ExperimentAxis], _ v: JSONValue?, _ reps: Int?, _ d: Diagnostics) {
        if axes.count > maxAxes { d.error("axes", at: v, "\(axes.count) axes; at most \(maxAxes) are allowed") ; return }
        checkUnique(axes.map(\.name), path: "axes", what: "axis name", v, d)
        var owner: [String: Int] = [:]
        for (i, a) in axes.enumerated() {
            for p in a.paths {
                if let j = owner[p] {
                    d.error(JSONPath.index("axes", i), at: v?.arrayValue?[i], "path \(p) is already on axes[\(j)]; a path may be on one axis only")
                } else { owner[p] = i }
            }
        }
        var points = 1
        for a in axes {
            points *= Swift.max(1, a.values.count)
            if points > maxPoints {
                d.error("axes", at: v, "the axes make more than \(maxPoints) points (\(axes.map { String($0.values.count) }.joined(separator: " × ")) values); at most \(maxPoints) are allowed")
                return
            }
        }
        if let reps, points * reps > maxRuns {
            d.error("replications", at: nil, "\(points) points × \(reps) replications = \(points * reps) runs; at most \(maxRuns) are allowed")
        }
    }
}
