import ClusterModel
import SimKernel

// One `template` stanza of the `consulTemplate` section (hashicorp/consul-template
// config/template.go): the template text (`contents`, or `source`: a file path relative to the
// scenario file, read with the same safety checks and size limit as `$include`), where it goes,
// the command that reloads nginx and its timeout, a per-template `wait`, delimiters. The template
// is parsed and executed with stand-in answers here, so a template that cannot render is an
// error naming its file and line before anything runs.

extension ScenarioSchema {
    /// Largest template file read (the included files' total limit; real templates are a few KB).
    static let maxTemplateBytes = IncludeLimits.maxTotalBytes

    static func decodeTemplateStanza(_ v: JSONValue, path: String, inputs: TemplateInputs = TemplateInputs(), serviceTags: [String: [String]] = [:],
                                     vault: VaultServerSpec? = nil,
                                     _ d: Diagnostics) -> TemplateStanza? {
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
            site = (r.keyPath("source"), r.value["source"], s)
            text = readTemplateFile(s, path: r.keyPath("source"), at: r.value["source"], d)
        } else if !r.has("contents") {
            d.error(path, at: v, "a template needs \"contents\" (the template text) or \"source\" (a template file relative to the scenario)")
        }
        let destination = r.required("destination", .nonEmptyString, hint: "the file nginx includes, like \"/etc/nginx/conf.d/app.conf\"")
        if let dst = destination, !dst.hasPrefix("/") {
            d.error(r.keyPath("destination"), at: r.value["destination"], "destination must be an absolute path on the nginx host, like \"/etc/nginx/conf.d/app.conf\", got \(JSONValue.quote(dst))")
        }
        let command = r.optional("command", .string, default: "") ?? ""
        if !command.isEmpty && NginxReloadCommand.classify(command) == nil {
            d.error(r.keyPath("command"), at: r.value["command"], "the simulator runs only commands that reload nginx: \(NginxReloadCommand.known.map { JSONValue.quote($0.0) }.joined(separator: ", ")); or leave it out (the file is written, nginx is not reloaded)")
        }
        let timeout = r.optional("command_timeout", .duration(.positive), default: .seconds(30))
        if let t = timeout, t > .hours(1) { d.error(r.keyPath("command_timeout"), at: r.value["command_timeout"], "command_timeout must be at most 1h, got \(t)") }
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
        return TemplateStanza(name: name, text: text, parsed: parsed, destination: destination, command: command,
                              commandTimeout: timeout, wait: wait, errorOnMissingKey: missingKey)
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
        KeySpec("source", "string", default: "—", allowed: "A path relative to the scenario file, inside its folder.",
                meaning: "The template file (`nginx.ctmpl`); errors name its file and line."),
        KeySpec("destination", "string", default: "—", allowed: "An absolute path; distinct per template.",
                meaning: "The file nginx includes inside `http { }` (consul-template writes it when the text changed)."),
        KeySpec("command", "string", default: "`\"\"`", allowed: "`nginx -s reload`, `service nginx reload`, `systemctl reload nginx`, `/usr/sbin/nginx -s reload`, `/etc/init.d/nginx reload`, `kill -HUP $(cat /run/nginx.pid)`, `pkill -HUP -F /run/nginx.pid`, or empty.",
                meaning: "Run after the file changed. The `nginx -s reload` family tests the configuration first and exits 1 on an invalid one (consul-template then exits); `kill -HUP` leaves the test to the master, which keeps its old configuration."),
        KeySpec("command_timeout", "duration", default: "`30s`", allowed: "> 0, at most `1h`.",
                meaning: "How long consul-template waits for the command (the modelled commands return at once).",
                source: "hashicorp/consul-template:config/template.go `DefaultTemplateCommandTimeout`"),
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
