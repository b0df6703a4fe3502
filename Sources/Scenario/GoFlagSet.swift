import ClusterModel

/// Go's flag.FlagSet.Parse (ContinueOnError), shared by consul-template's cli.go and Consul's
/// agent (AddFlags): `-name` or `--name`, `-name=value`, `-name value` unless the flag is a
/// boolean (which takes only `=value`), `--` ending the flags, the first word that is not a flag
/// ending them too (Go's flag package: src/flag/flag.go `parseOne`); every error in its words.
enum GoFlagSet {
    /// Scans `words` (the arguments after the program). `lookup` finds a flag by name, `make` checks
    /// its value and builds what the caller keeps (an error is the flag package's `invalid value`),
    /// `help` is the message for `-h`/`-help` that no flag defines, `extra` the caller's error for
    /// words left after the flags (nil: they are allowed, and returned).
    static func parse<F, G>(_ words: [(word: String, location: SourceLocation?)], lookup: (String) -> F?, isBool: (F) -> Bool,
                            make: (F, String, SourceLocation?) -> Result<G, KingpinError>, help: (String) -> String,
                            extra: ([String]) -> String) -> Result<[G], FlagFailure> {
        var out: [G] = []
        var i = 0
        while i < words.count {
            let s = words[i].word, loc = words[i].location
            if s.utf8.count < 2 || !s.hasPrefix("-") { break }
            var minuses = 1
            if s.hasPrefix("--") {
                minuses = 2
                if s == "--" { i += 1; break }     // "--" ends the flags
            }
            var name = String(s.dropFirst(minuses))
            if name.isEmpty || name.hasPrefix("-") || name.hasPrefix("=") { return .failure(FlagFailure(message: "bad flag syntax: \(s)", location: loc)) }
            i += 1
            var value: String? = nil
            if let eq = name.dropFirst().firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let f = lookup(name) else {
                if name == "help" || name == "h" { return .failure(FlagFailure(message: help(name), location: loc)) }
                return .failure(FlagFailure(message: "flag provided but not defined: -\(name)", location: loc))
            }
            if isBool(f) {
                let v = value ?? "true"
                switch make(f, v, loc) {
                case .failure(let e):
                    return .failure(FlagFailure(message: value != nil ? "invalid boolean value \(JSONValue.quote(v)) for -\(name): \(e.message)"
                                                                      : "invalid boolean flag \(name): \(e.message)", location: loc))
                case .success(let g): out.append(g)
                }
                continue
            }
            if value == nil && i < words.count { value = words[i].word; i += 1 }
            guard let v = value else { return .failure(FlagFailure(message: "flag needs an argument: -\(name)", location: loc)) }
            switch make(f, v, loc) {
            case .failure(let e): return .failure(FlagFailure(message: "invalid value \(JSONValue.quote(v)) for flag -\(name): \(e.message)", location: loc))
            case .success(let g): out.append(g)
            }
        }
        if i < words.count { return .failure(FlagFailure(message: extra(words[i...].map(\.word)), location: words[i].location)) }
        return .success(out)
    }

    struct FlagFailure: Error { let message: String; let location: SourceLocation? }
}
