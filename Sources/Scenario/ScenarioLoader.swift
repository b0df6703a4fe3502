import ClusterModel
import Foundation

/// A scenario that decoded without errors.
public struct LoadedScenario: Sendable {
    public var spec: ClusterSpec
    /// Things that are allowed but probably not meant (a recovery after the end of the run ...),
    /// formatted like errors: `file:line:col: path: message`, sorted the same way.
    public var warnings: [String]
    /// The scenario's JSON after includes and overrides (what was decoded).
    public var root: JSONValue

    public init(spec: ClusterSpec, warnings: [String], root: JSONValue) {
        self.spec = spec; self.warnings = warnings; self.root = root
    }
}

/// Reads, checks and decodes scenario files.
///
/// Stages: parse (syntax errors stop here), resolve `$include`s (problems stop here), apply
/// `--set` overrides, decode strictly. Every error found in a stage is reported together.
public enum ScenarioLoader {
    /// Loads the scenario at `path` (as the user wrote it; it is also the name used in messages).
    /// `overrides` are `--set` arguments, "PATH=VALUE". `seedOverride` replaces the scenario's seed.
    public static func load(path: String, overrides: [String] = [], seedOverride: UInt64? = nil) throws(ScenarioErrors) -> LoadedScenario {
        let text: String
        switch Paths.readText(path) {
        case .failure(let e):
            throw ScenarioErrors([ScenarioError(path: "", file: path, message: "cannot read the scenario file: \(e.message)")])
        case .success(let t): text = t
        }
        guard let real = Paths.realPath(path) else {
            throw ScenarioErrors([ScenarioError(path: "", file: path, message: "cannot read the scenario file: no such file")])
        }
        let file = SourceFile(realPath: real, realDirectory: Paths.directory(real), displayName: path,
                              displayDirectory: Paths.directory(path, relative: true))
        return try load(text: text, file: file, overrides: overrides, seedOverride: seedOverride)
    }

    /// Loads a scenario given as text, as if it were the file `fileName` in `baseDirectory`
    /// (includes are resolved from and confined to `baseDirectory`).
    public static func load(text: String, baseDirectory: String, fileName: String = "<scenario>",
                            overrides: [String] = [], seedOverride: UInt64? = nil) throws(ScenarioErrors) -> LoadedScenario {
        let abs = baseDirectory.hasPrefix("/") ? baseDirectory : FileManager.default.currentDirectoryPath + "/" + baseDirectory
        let real = Paths.realPath(abs) ?? Paths.normalize(abs)
        let file = SourceFile(realPath: nil, realDirectory: real, displayName: fileName, displayDirectory: "")
        return try load(text: text, file: file, overrides: overrides, seedOverride: seedOverride)
    }

    /// Applies `--set` overrides to a JSON tree (see docs/scenarios.md for the rules).
    public static func applyOverrides(_ overrides: [String], to root: JSONValue) throws(ScenarioErrors) -> JSONValue {
        let d = Diagnostics()
        let out = Overrides.apply(overrides, to: root, diagnostics: d)
        if d.hasErrors { throw ScenarioErrors(d.errors) }
        return out
    }

    /// Parses JSON text and resolves its includes; for tools that want the tree without decoding.
    public static func resolvedJSON(path: String) throws(ScenarioErrors) -> JSONValue {
        let text: String
        switch Paths.readText(path) {
        case .failure(let e):
            throw ScenarioErrors([ScenarioError(path: "", file: path, message: "cannot read the scenario file: \(e.message)")])
        case .success(let t): text = t
        }
        let real = Paths.realPath(path) ?? path
        let file = SourceFile(realPath: real, realDirectory: Paths.directory(real), displayName: path,
                              displayDirectory: Paths.directory(path, relative: true))
        let d = Diagnostics()
        guard let root = parseAndInclude(text, file: file, d), !d.hasErrors else { throw ScenarioErrors(d.errors) }
        return root
    }

    static func parseAndInclude(_ text: String, file: SourceFile, _ d: Diagnostics) -> JSONValue? {
        let parsed = JSONParser.parse(text, file: file.displayName)
        for e in parsed.errors {
            d.append(ScenarioError(path: "", file: file.displayName, line: e.line, column: e.column, message: e.message))
        }
        guard let tree = parsed.value else { return nil }
        let resolver = IncludeResolver(rootDirectory: file.realDirectory, diagnostics: d)
        return resolver.resolve(tree, path: "", in: file)
    }

    static func load(text: String, file: SourceFile, overrides: [String], seedOverride: UInt64?) throws(ScenarioErrors) -> LoadedScenario {
        // one budget for the suggestions of this scenario's messages (Suggest.Budget)
        let r = Suggest.$budget.withValue(Suggest.Budget()) {
            Result { () throws(ScenarioErrors) in try decode(text: text, file: file, overrides: overrides, seedOverride: seedOverride) }
        }
        return try r.get()
    }

    static func decode(text: String, file: SourceFile, overrides: [String], seedOverride: UInt64?) throws(ScenarioErrors) -> LoadedScenario {
        let d = Diagnostics()
        d.baseDirectory = file.realDirectory
        guard var root = parseAndInclude(text, file: file, d) else { throw ScenarioErrors(d.errors) }
        root = Overrides.apply(overrides, to: root, diagnostics: d)
        d.document = root   // lets an error point at a value in another section (Diagnostics.site)
        guard var spec = ScenarioSchema.decodeClusterSpec(root, diagnostics: d), !d.hasErrors else {
            throw ScenarioErrors(d.errors)
        }
        if let s = seedOverride { spec.seed = s }
        let warnings = ScenarioErrors(d.warnings).errors.map(\.description)
        return LoadedScenario(spec: spec, warnings: warnings, root: root)
    }
}
