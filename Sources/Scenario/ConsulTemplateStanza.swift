import ClusterModel
import SimKernel

// One `template` stanza of the `consulTemplate` section (hashicorp/consul-template
// config/template.go): the template text (`contents`, or `source`: a file path relative to the
// scenario file, read with the same safety checks and size limit as `$include`), where it goes,
// the command that reloads nginx and its timeout, a per-template `wait`, delimiters. The template
// is parsed and executed with stand-in answers here, so a template that cannot render is an
// error naming its file and line before anything runs.

/// Where absolute template sources are read from (`consulTemplate.sourceFolders`, and the folder of
/// the configuration file the templates came from).
struct TemplateSources {
    /// Longest prefix first.
    var folders: [(prefix: String, folder: String)] = []
    /// The real folder of consul-template's configuration file, when the templates are in it.
    var configDirectory: String? = nil
}

extension ScenarioSchema {
    /// Largest template file read (the included files' total limit; real templates are a few KB).
    static let maxTemplateBytes = IncludeLimits.maxTotalBytes

    static func decodeTemplateStanza(_ v: JSONValue, path: String, inputs: TemplateInputs = TemplateInputs(), serviceTags: [String: [String]] = [:],
                                     vault: VaultServerSpec? = nil, sources: TemplateSources = TemplateSources(),
                                     nginxIncludes: [String] = [], _ d: Diagnostics) -> TemplateStanza? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: templateStanzaKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        var text: String? = nil
        var name = "contents"
        var site = (path: r.keyPath("contents"), value: r.value["contents"], file: Optional<String>.none)
        if let c = r.optional("contents", .string) {
            text = c
            r.reject("source", "give either \"contents\" (the template text) or \"source\" (a template file), not both")
        } else if let s = r.optional("source", .nonEmptyString) {
            name = s
            if let (t, file) = readTemplateSource(s, sources, path: r.keyPath("source"), at: r.value["source"], d) {
                text = t
                site = (r.keyPath("source"), r.value["source"], file)
            }
        } else if !r.has("contents") {
            d.error(path, at: v, "a template needs \"contents\" (the template text) or \"source\" (a template file relative to the scenario)")
        }
        let destination = r.required("destination", .nonEmptyString, hint: "the file nginx includes, like \"/etc/nginx/conf.d/app.conf\"")
        if let dst = destination, !dst.hasPrefix("/") {
            d.error(r.keyPath("destination"), at: r.value["destination"], "destination must be an absolute path on the nginx host, like \"/etc/nginx/conf.d/app.conf\", got \(JSONValue.quote(dst))")
        }
        // A template's `exec { command, timeout }` (config/template.go `Finalize`: Exec.Command
        // when given, else `command`; Exec.Timeout when given, else `command_timeout`) is what
        // the runner runs (runner.go reads tmpl.Exec); its other keys change nothing modelled.
        var execCommand: (path: String, value: JSONValue)? = nil
        var execTimeout: (path: String, value: JSONValue)? = nil
        if let ev = r.value("exec") {
            let ep = r.keyPath("exec")
            let e = ConsulServiceFile.unslice(ev)
            if e.objectMembers != nil {
                ConsulServiceFile.checkShape(e, ctExec, path: ep, dotted: "template.exec", d, reason: "consul-template refuses unknown keys")
                for m in e.objectMembers ?? [] {
                    switch m.key.lowercased() {
                    case "command": execCommand = (JSONPath.key(ep, m.key), ConsulServiceFile.unslice(m.value))
                    case "timeout": execTimeout = (JSONPath.key(ep, m.key), m.value)
                    default: d.warning(JSONPath.key(ep, m.key), at: m.value, "consul-template accepts exec.\(m.key); it changes nothing the simulator models and is ignored")
                    }
                }
            } else { d.error(ep, at: ev, typeMismatch("an exec block, like exec { command = \"nginx -s reload\" timeout = \"30s\" }", ev)) }
        }
        let commandPath = execCommand?.path ?? r.keyPath("command")
        var command = "", args: [String] = []
        let plainCommand = r.value("command")
        if let cv = execCommand?.value ?? plainCommand {
            if let c = cv.stringValue {
                // config.go's decode hook StringToSliceHookFunc(","): a string becomes a list, split at commas
                command = c
                args = c.isEmpty ? [] : c.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            } else if let a = cv.arrayValue, a.allSatisfy({ $0.stringValue != nil }) {
                args = a.compactMap(\.stringValue)
                command = args.joined(separator: " ")
            } else {
                d.error(commandPath, at: cv, typeMismatch("a command string, like \"nginx -s reload\", or a list of strings, like [\"nginx\", \"-s\", \"reload\"]", cv))
            }
        }
        if execCommand != nil, r.has("command") {
            d.warning(r.keyPath("command"), at: r.value["command"], "the template's exec.command is given too: consul-template runs that one and never this")
        }
        let commandSite = execCommand?.value ?? r.value["command"]
        let run = commandRun(args)
        switch run {
        case .none, .nginx: break
        case .notModelled:
            d.warning(commandPath, at: commandSite, "command \(JSONValue.quote(command)) is not one of the nginx reloads the simulator models "
                      + "(\(NginxReloadCommand.known.map { JSONValue.quote($0.0) }.joined(separator: ", "))): consul-template would run it "
                      + "(\(args.count == 1 ? "sh -c" : "executed as a program with its arguments"), after writing the file) and wait up to command_timeout; "
                      + "the simulator logs it as run and it exits 0 at once (command_timeout never expires, nothing it restarts or signals is modelled)")
        case .cannotStart(let why):
            d.warning(commandPath, at: commandSite, "command \(JSONValue.quote(command)): \(why); consul-template loads it, and "
                      + "the first time it runs it fails to start and consul-template exits non-zero (so does the simulator); "
                      + "write it without commas, or as a list like [\"sh\", \"-c\", \"...\"]")
        }
        var timeout = r.optional("command_timeout", .duration(.nonNegative), default: .seconds(30))
        if let t = timeout, t > .hours(1) { d.error(r.keyPath("command_timeout"), at: r.value["command_timeout"], "command_timeout must be at most 1h, got \(t)") }
        if let (tp, tv) = execTimeout {
            timeout = ValueDecoder<SimDuration>.duration(.nonNegative).decode(tv, tp, d)
            if let t = timeout, t > .hours(1) { d.error(tp, at: tv, "exec.timeout must be at most 1h, got \(t)") }
        }
        let wait = decodeWait(r, "wait")
        let left = r.optional("left_delimiter", .nonEmptyString, default: "{{") ?? "{{"
        let right = r.optional("right_delimiter", .nonEmptyString, default: "}}") ?? "}}"
        let missingKey = r.optional("error_on_missing_key", .bool, default: false) ?? false
        warnIgnored(r, templateIgnored, d)
        r.finish()
        guard d.errorCount == before, let text, let destination, let timeout else { return nil }
        let parsed: ParsedTemplate
        do throws(TemplateError) {
            parsed = try TemplateParser.parse(text, leftDelimiter: left, rightDelimiter: right)
            switch TemplateValidation.check(parsed, inputs: inputs, serviceTags: serviceTags, destination: destination) {
            case .failure(let e): throw e
            case .success(let v) where vault == nil && !v.vault.isEmpty:
                // VaultFunctions.swift: consul-template loads it; with no Vault it never renders it
                d.warning(site.path, at: site.value, "template \(name) reads Vault (\(v.vault.map(\.description).joined(separator: ", "))); "
                          + "the scenario models no Vault server, so consul-template retries it with the vault stanza's retry policy "
                          + "(12 attempts, 250ms doubling to 1m), never renders this template, and exits non-zero when the retries are used up")
            case .success(let v) where vault != nil:
                // the modelled Vault: a dependency it cannot answer is retried as above
                let unanswered = v.vault.filter { vault!.answerError($0) != nil }
                if !unanswered.isEmpty {
                    d.warning(site.path, at: site.value, "template \(name) reads \(unanswered.map(\.description).joined(separator: ", ")), which consulTemplate.vaultServer "
                              + "does not answer (\(unanswered.compactMap { vault!.answerError($0) }.joined(separator: "; "))): "
                              + "consul-template retries it, never renders this template, and exits non-zero when the retries are used up")
                }
            case .success: break
            }
        } catch {
            templateError(error, name: name, site: site, d)
            return nil
        }
        if !NginxIncludes.reads(destination, extra: nginxIncludes) {
            let own = nginxIncludes.isEmpty ? "" : "; nginx.configuration includes \(nginxIncludes.joined(separator: " and "))"
            d.warning(r.keyPath("destination"), at: r.value["destination"], "\(JSONValue.quote(destination)) is not a file nginx reads (Debian's nginx.conf includes "
                      + "\(NginxIncludes.patterns.joined(separator: " and ")) inside http { }\(own); \(NginxIncludes.mainFile) is the main file): "
                      + "consul-template writes it on the host and nginx never parses it (if your nginx.conf includes it, "
                      + "add the same `include` line to nginx.configuration)")
        }
        return TemplateStanza(name: name, text: text, parsed: parsed, destination: destination, command: command,
                              commandTimeout: timeout, wait: wait, errorOnMissingKey: missingKey, commandArgs: args, commandRun: run)
    }

    /// What consul-template does with a command list (child/command-prep.go `CommandPrep`): one
    /// element of several words runs as `sh -c` (setpgid), otherwise the first element is the
    /// program (exec.Command: a name with spaces is never found) and the rest its arguments.
    static func commandRun(_ args: [String]) -> TemplateCommandRun {
        guard let first = args.first, !first.isEmpty else { return .none }    // commandList.Empty
        let words = first.split(whereSeparator: \.isWhitespace)
        if args.count == 1 && words.count > 1 {
            return NginxReloadCommand.classify(first).map { .nginx($0) } ?? .notModelled
        }
        if words.isEmpty { return .cannotStart("the program name is blank") }
        if first.contains(where: \.isWhitespace) {
            return .cannotStart("consul-template splits a command string at its commas (config.go's StringToSliceHookFunc(\",\")), "
                                + "so it executes \(JSONValue.quote(first)) as the program, which is not one (a name with spaces)")
        }
        return NginxReloadCommand.classify(args.joined(separator: " ")).map { .nginx($0) } ?? .notModelled
    }

    /// `template: NAME:LINE: message` at the template's own file and line when it came from a
    /// file; inside the scenario, at the `contents` value with the line within the text.
    static func templateError(_ e: TemplateError, name: String, site: (path: String, value: JSONValue?, file: String?), _ d: Diagnostics) {
        let msg = "template: \(name):\(e.line): \(e.message)"
        if let f = site.file {
            d.append(ScenarioError(path: site.path, file: f, line: e.line, message: msg))
        } else {
            d.error(site.path, at: site.value, msg)
        }
    }

    /// Reads a template `source`: a relative path from the scenario's folder; an absolute one (a
    /// path on consul-template's host, as deployed files have) through `sourceFolders` (longest
    /// prefix), else beside the configuration file by its name. Returns the text and the file
    /// (relative to the scenario's folder) for messages.
    static func readTemplateSource(_ s: String, _ sources: TemplateSources, path p: String, at v: JSONValue?, _ d: Diagnostics) -> (String, String)? {
        guard s.hasPrefix("/") else { return readTemplateFile(s, path: p, at: v, d).map { ($0, s) } }
        guard let root = d.baseDirectory else {
            d.error(p, at: v, "template files can only be read from a scenario file (its folder is where \"source\" paths start); use \"contents\" here")
            return nil
        }
        let abs = Paths.normalize(s)
        let base = Paths.normalize(root)
        if let f = sources.folders.first(where: { abs == $0.prefix || Paths.isInside(abs, $0.prefix) }) {
            let rest = abs == f.prefix ? "" : String(abs.dropFirst(f.prefix == "/" ? 1 : f.prefix.count + 1))
            let rel = Paths.normalize(f.folder + "/" + rest)
            if Paths.realPath(base + "/" + rel) == nil {
                d.error(p, at: v, "cannot read template \(JSONValue.quote(s)): consulTemplate.sourceFolders maps \(JSONValue.quote(f.prefix)) to \(JSONValue.quote(f.folder)), and \(JSONValue.quote(rel)) (relative to the scenario's folder) does not exist")
                return nil
            }
            return readSideFile(rel, kind: "template", base: root, maxBytes: maxTemplateBytes, path: p, at: v, d).map { ($0, rel) }
        }
        let name = String(abs.split(separator: "/").last ?? "")
        if let dir = sources.configDirectory, let realBase = Paths.realPath(base), !name.isEmpty {
            let dirRel = dir == realBase ? "" : (Paths.isInside(dir, realBase) ? String(dir.dropFirst(realBase.count + 1)) : nil) ?? ""
            let rel = dirRel.isEmpty ? name : dirRel + "/" + name
            if Paths.realPath(realBase + "/" + rel) != nil {
                return readSideFile(rel, kind: "template", base: root, maxBytes: maxTemplateBytes, path: p, at: v, d).map { ($0, rel) }
            }
        }
        let dirName = Paths.directory(abs)
        let beside = sources.configDirectory == nil ? "" : ", or put \(JSONValue.quote(name)) beside the configuration file"
        d.error(p, at: v, "template source \(JSONValue.quote(s)) is an absolute path on consul-template's host; the simulator reads templates from the scenario's folder: "
                + "map its folder with consulTemplate.sourceFolders, like {\(JSONValue.quote(dirName)): \"templates\"} (a folder relative to the scenario)\(beside), "
                + "or give a path relative to the scenario")
        return nil
    }

    static func readTemplateFile(_ rel: String, path p: String, at v: JSONValue?, _ d: Diagnostics) -> String? {
        guard let root = d.baseDirectory else {
            d.error(p, at: v, "template files can only be read from a scenario file (its folder is where \"source\" paths start); use \"contents\" here")
            return nil
        }
        return readSideFile(rel, kind: "template", base: root, maxBytes: maxTemplateBytes, path: p, at: v, d)
    }

    /// A text file a scenario names by a path relative to `base` (a template source, a rate
    /// file): not absolute, inside `base` lexically and after symbolic links, a regular file of at
    /// most `maxBytes`, read with the includes' safe reader. Every refusal is one error at `path`.
    static func readSideFile(_ rel: String, kind: String, base given: String, maxBytes: Int, path p: String, at v: JSONValue?,
                             _ d: Diagnostics) -> String? {
        // The folder as `normalize` writes the file's path: a scenario named `./peak.json` or
        // `/srv/./s.json` has its rate file at `rates.csv` / `/srv/rates.csv`, which must count as
        // inside `.` / `/srv` (they were refused as outside the scenario's folder).
        let root = Paths.normalize(given)
        if rel.hasPrefix("/") {
            d.error(p, at: v, "\(JSONValue.quote(rel)) is an absolute path; a \(kind) is read relative to the scenario's folder and must stay inside it")
            return nil
        }
        let lexical = Paths.normalize(root + "/" + rel)
        guard Paths.isInside(lexical, root), let real = Paths.realPath(lexical) else {
            d.error(p, at: v, Paths.isInside(lexical, root) ? "cannot read \(kind) \(JSONValue.quote(rel)): no such file"
                                                          : "\(JSONValue.quote(rel)) resolves outside the scenario's folder \(root); a \(kind) must stay inside it")
            return nil
        }
        guard let realRoot = Paths.realPath(root), Paths.isInside(real, realRoot) else {
            d.error(p, at: v, "\(JSONValue.quote(rel)) resolves through a symbolic link to \(real), outside the scenario's folder \(root)")
            return nil
        }
        switch Paths.regularFileSize(real) {
        case .failure(let e): d.error(p, at: v, "cannot read \(kind) \(JSONValue.quote(rel)): \(e.message)"); return nil
        case .success(let n) where n > maxBytes:
            d.error(p, at: v, "\(kind) \(JSONValue.quote(rel)) is \(n) bytes; at most \(maxBytes) bytes are read"); return nil
        default: break
        }
        switch Paths.readText(real) {
        case .failure(let e): d.error(p, at: v, "cannot read \(kind) \(JSONValue.quote(rel)): \(e.message)"); return nil
        case .success(let t): return t
        }
    }

    static let templateStanzaKeys = SectionKeys("consulTemplate.template[i]", [
        KeySpec("contents", "string", default: "—", allowed: "Go text/template text (the subset in docs/discovery.md); exclusive with `source`.",
                meaning: "The template, inline."),
        KeySpec("source", "string", default: "—", allowed: "A path relative to the scenario file, inside its folder; or an absolute path on consul-template's host, read through `consulTemplate.sourceFolders` or beside the configuration file.",
                meaning: "The template file (`nginx.ctmpl`); errors name its file and line."),
        KeySpec("destination", "string", default: "—", allowed: "An absolute path; distinct per template.",
                meaning: "The file consul-template writes when the text changed. nginx reads it when its configuration includes it (`/etc/nginx/conf.d/*.conf`, `/etc/nginx/sites-enabled/*` inside `http { }`, as Debian's nginx.conf; or `/etc/nginx/nginx.conf` itself); any other is a file on the host (a warning says so).",
                source: "nginx src/core/ngx_conf_file.c `ngx_conf_include`, src/os/unix/ngx_files.c `ngx_open_glob` (glob(3)); Debian's /etc/nginx/nginx.conf"),
        KeySpec("command", "string or array", default: "`\"\"`", allowed: "Any command string (split at commas, as consul-template's decoder does) or list of strings.",
                meaning: "Run after the file changed; a command shared by several templates runs once per run. The nginx reloads are modelled: `nginx -s reload`, `/usr/sbin/nginx -s reload`, `service nginx reload`, `systemctl reload nginx`, `/etc/init.d/nginx reload` test the configuration first and exit 1 on an invalid one (consul-template then exits); `kill -HUP $(cat /run/nginx.pid)`, `pkill -HUP -F /run/nginx.pid` leave the test to the master, which keeps its old configuration. Any other command loads with a warning and is logged as run, exiting 0 at once.",
                source: "hashicorp/consul-template:manager/runner.go `Run`, `findCommand`; child/command-prep.go `CommandPrep`; config/config.go (`StringToSliceHookFunc(\",\")`)"),
        KeySpec("command_timeout", "duration", default: "`30s`", allowed: ">= 0, at most `1h`.",
                meaning: "How long consul-template waits for the command (the modelled commands return at once); 0: it does not wait, and a failed reload does not end it.",
                source: "hashicorp/consul-template:config/template.go `DefaultTemplateCommandTimeout`; child/child.go `start`"),
        KeySpec("exec", "object", default: "absent", allowed: "consul-template's ExecConfig keys: `command` and `timeout` (read as above), `enabled`, `env`, `kill_signal`, `kill_timeout`, `reload_signal`, `splay` (warned, ignored); another key is refused, as consul-template refuses it.",
                meaning: "The command to run after a render: its `command` replaces the template's `command`, its `timeout` replaces `command_timeout` (with a warning when `command` is given as well).",
                source: "hashicorp/consul-template:config/template.go `Finalize`, config/exec.go; manager/runner.go reads `tmpl.Exec`"),
        KeySpec("wait", "object or string", default: "the section's `wait`", allowed: "As `consulTemplate.wait`.",
                meaning: "This template's quiescence (used when its min > 0).", source: "hashicorp/consul-template:manager/runner.go"),
        KeySpec("left_delimiter", "string", default: "`{{`", allowed: "Non-empty.", meaning: "Opening delimiter of actions.",
                source: "hashicorp/consul-template:config/template.go"),
        KeySpec("right_delimiter", "string", default: "`}}`", allowed: "Non-empty.", meaning: "Closing delimiter of actions.",
                source: "hashicorp/consul-template:config/template.go"),
        KeySpec("error_on_missing_key", "bool", default: "`false`", allowed: "true or false.",
                meaning: "Go's missingkey=error; the simulated answers have every field, so it changes nothing.",
                source: "hashicorp/consul-template:config/template.go"),
    ])
}
