import SimKernel

// The checks of an experiment against its base scenario, before any run starts: the base must
// load; every axis value is decoded into the base alone (an unknown path or a value of the wrong
// type is reported at the axis value: `axes[1].values[2]: hostGroups[0].count: ...`); then, with
// two or more axes, every point is decoded with all its overrides (combinations can conflict).

extension ExperimentLoader {
    /// Points whose errors are shown; the rest are counted.
    static let pointErrorsShown = 5

    static func checkAgainstBase(_ spec: inout ExperimentSpec, root: JSONValue, diagnostics d: Diagnostics) {
        let baseAt = root["base"]
        let tree: JSONValue
        do { tree = try ScenarioLoader.resolvedJSON(path: spec.base) } catch let e {
            if e.errors.count == 1, e.errors[0].path.isEmpty, e.errors[0].line == nil {
                d.error("base", at: baseAt, "cannot read the base scenario \(spec.base): " + e.errors[0].message.replacingOccurrences(of: "cannot read the scenario file: ", with: ""))
                return
            }
            d.append(contentsOf: e.errors)
            d.error("base", at: baseAt, "the base scenario \(spec.base) has errors (above); fix them first")
            return
        }
        // relative files a section names (consul-template's `source`) are read from the base's folder
        let directory = Paths.realPath(spec.base).map { Paths.directory($0) } ?? Paths.directory(spec.base)
        let baseErrors = decodeErrors(tree, overrides: [], directory)
        if !baseErrors.isEmpty {
            d.append(contentsOf: baseErrors)
            d.error("base", at: baseAt, "the base scenario \(spec.base) has errors (above); fix them first")
            return
        }
        for a in spec.axes.indices { spec.axes[a].baseIndex = baseIndex(spec.axes[a], in: tree) }
        var bad = false
        for (a, axis) in spec.axes.enumerated() {
            for k in axis.values.indices {
                let overrides = zip(axis.paths, axis.values[k]).map { $0 + "=" + $1 }
                for e in decodeErrors(tree, overrides: overrides, directory) {
                    d.append(mapped(e, axis: a, value: k, spec: spec, root: root))
                    bad = true
                }
            }
        }
        if bad || spec.axes.count < 2 { return }
        var failed = 0
        for p in spec.points {
            let errors = decodeErrors(tree, overrides: p.overrides, directory)
            if errors.isEmpty { continue }
            failed += 1
            guard failed <= pointErrorsShown else { continue }
            for e in errors {
                d.error("axes", at: root["axes"], "point \(p.id) (--set \(p.overrides.joined(separator: " --set "))) is not a valid scenario: \(e.description)")
            }
        }
        if failed > pointErrorsShown {
            d.error("axes", at: root["axes"], "\(failed - pointErrorsShown) more points are not valid scenarios (\(failed) in all)")
        }
    }

    /// The errors of the base scenario's tree with `overrides` applied, as `clustersim run --set` would report them.
    static func decodeErrors(_ tree: JSONValue, overrides: [String], _ directory: String) -> [ScenarioError] {
        let d = Diagnostics()
        d.baseDirectory = directory
        let root = Overrides.apply(overrides, to: tree, diagnostics: d)
        d.document = root
        _ = ScenarioSchema.decodeClusterSpec(root, diagnostics: d)
        return ScenarioErrors(d.errors).errors
    }

    /// An error of the base scenario with one axis value, placed at that value in the experiment file.
    static func mapped(_ e: ScenarioError, axis a: Int, value k: Int, spec: ExperimentSpec, root: JSONValue) -> ScenarioError {
        let axis = spec.axes[a]
        let axisPath = JSONPath.index("axes", a)
        let axisValue = root["axes"]?.arrayValue?[a]
        var path = axisPath
        var site: JSONValue? = axisValue
        var prefix = ""
        let j = axis.paths.indices.first { e.file == "--set " + axis.paths[$0] + "=" + axis.values[k][$0] }
        if axisValue?["values"] != nil {
            path = JSONPath.index(axisPath + ".values", k); site = axisValue?["values"]?.arrayValue?[k]
        } else if let linked = axisValue?["linked"] {
            let p = axis.paths[j ?? 0]
            path = JSONPath.index(JSONPath.key(axisPath + ".linked", p), k); site = linked[p]?.arrayValue?[k]
        } else if let range = axisValue?["range"] {
            path = axisPath + ".range"; site = range; prefix = "value \(axis.labels[k]): "
        }
        let detail = j != nil ? (e.path.isEmpty ? "" : e.path + ": ") + e.message
            : "with --set \(zip(axis.paths, axis.values[k]).map { $0 + "=" + $1 }.joined(separator: " --set ")) the base scenario fails: \(e.description)"
        return ScenarioError(path: path, at: site?.location, message: prefix + detail)
    }

    /// The index of the axis value the base scenario already has at every one of the axis' paths.
    static func baseIndex(_ axis: ExperimentAxis, in tree: JSONValue) -> Int? {
        let current = axis.paths.map { value(at: $0, in: tree) }
        if current.contains(where: { $0 == nil }) { return nil }
        return axis.values.indices.first { k in
            zip(current, axis.values[k]).allSatisfy { cur, text in
                guard let cur, let v = JSONParser.parse(text).value else { return false }
                return sameValue(cur, v)
            }
        }
    }

    static func value(at path: String, in tree: JSONValue) -> JSONValue? {
        let d = Diagnostics()
        d.document = tree
        return d.site(path)?.value
    }

    /// Equal JSON, numbers by value (40 and 40.0 are the same value).
    static func sameValue(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.numberValue, let y = b.numberValue { return x.double == y.double }
        return a.serialized() == b.serialized()
    }
}
