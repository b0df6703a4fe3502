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
        let text: String
        switch Paths.readText(spec.base) {
        case .failure(let e):
            d.error("base", at: baseAt, "cannot read the base scenario \(spec.base): \(e.message)"); return
        case .success(let t): text = t
        }
        guard let real = Paths.realPath(spec.base) else { d.error("base", at: baseAt, "cannot read the base scenario \(spec.base): no such file"); return }
        let file = SourceFile(realPath: real, realDirectory: Paths.directory(real), displayName: spec.base,
                              displayDirectory: Paths.directory(spec.base, relative: true))
        let pd = Diagnostics()
        guard let tree = ScenarioLoader.parseAndInclude(text, file: file, pd), !pd.hasErrors else {
            d.append(contentsOf: pd.errors)
            d.error("base", at: baseAt, "the base scenario \(spec.base) has errors (above); fix them first")
            return
        }
        let baseErrors = decodeErrors(tree, overrides: [], file)
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
                for e in decodeErrors(tree, overrides: overrides, file) {
                    d.append(mapped(e, axis: a, value: k, spec: spec, root: root))
                    bad = true
                }
            }
        }
        if bad || spec.axes.count < 2 { return }
        var failed = 0
        for p in spec.points {
            let errors = decodeErrors(tree, overrides: p.overrides, file)
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
    static func decodeErrors(_ tree: JSONValue, overrides: [String], _ file: SourceFile) -> [ScenarioError] {
        let d = Diagnostics()
        d.baseDirectory = file.realDirectory
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
        guard case .success(let components) = Overrides.parsePath(path) else { return nil }
        var v = tree
        for c in components {
            switch c {
            case .key(let k): guard let next = v[k] else { return nil }; v = next
            case .index(let i): guard let a = v.arrayValue, i < a.count else { return nil }; v = a[i]
            }
        }
        return v
    }

    /// Equal JSON, numbers by value (40 and 40.0 are the same value).
    static func sameValue(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.numberValue, let y = b.numberValue { return x.double == y.double }
        return a.serialized() == b.serialized()
    }
}
