import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Several consul-template configuration files, merged as consul-template merges them
// (hashicorp/consul-template@1deacb7): every `-config` is a file or a folder (config/config.go
// `FromPath`: a folder is walked with filepath.Walk, in lexical order, into its subfolders, and every
// file in it is parsed, whatever its name); each parsed file is merged into the ones before
// (`Config.Merge`): the templates are appended (`TemplateConfigs.Merge`), a block merges field by
// field (`ConsulConfig.Merge`, `WaitConfig.Merge`, ...: a field the later file sets wins), and any
// other key the later file sets wins.
//
// `consulTemplate.config` is one configuration (an object, usually `{"$include": "ct.hcl"}`), a
// list of them (`[{"$include": "base.hcl"}, {"$include": "nginx.hcl"}]`, merged in order), or a
// string naming a folder (or file) relative to the scenario's folder, read as FromPath reads it.

extension ScenarioSchema {
    /// At most this many files are read from a configuration folder (a real one has a few).
    static let maxConfigFolderFiles = 1000

    /// One configuration and the real folder its file is in (for templates named beside it).
    typealias ConsulTemplateConfigPart = (value: JSONValue, directory: String?)

    /// The configurations `config` stands for, in merge order; nil after an error.
    static func consulTemplateConfigParts(_ cfg: JSONValue, path cp: String, _ d: Diagnostics) -> [ConsulTemplateConfigPart]? {
        let expected = "consul-template's configuration: an object, usually {\"$include\": \"consul-template.hcl\"}; a list of them, merged in order; or a folder of configuration files relative to the scenario, like \"consul-template.d\""
        if cfg.objectMembers != nil { return [(cfg, d.includedFileDirectories[cp])] }
        if let a = cfg.arrayValue {
            guard !a.isEmpty else { d.error(cp, at: cfg, "config is an empty list; give at least one configuration"); return nil }
            var out: [ConsulTemplateConfigPart] = []
            for (i, e) in a.enumerated() {
                let p = JSONPath.index(cp, i)
                guard e.objectMembers != nil else { d.error(p, at: e, typeMismatch(expected, e)); return nil }
                out.append((e, d.includedFileDirectories[p]))
            }
            return out
        }
        if let s = cfg.stringValue, !s.isEmpty { return readConsulTemplateConfigPath(s, path: cp, at: cfg, d) }
        d.error(cp, at: cfg, typeMismatch(expected, cfg))
        return nil
    }

    /// `FromPath` on `rel` (relative to the scenario's folder): a file, or every file under a folder
    /// in filepath.Walk's order. Each file is parsed as consul-template parses it (hcl.Decode, HCL or
    /// JSON, then its blocks flattened). Inside the scenario's folder, also after symbolic links.
    static func readConsulTemplateConfigPath(_ rel: String, path p: String, at v: JSONValue, _ d: Diagnostics) -> [ConsulTemplateConfigPart]? {
        guard let given = d.baseDirectory, let root = Paths.realPath(Paths.normalize(given)) else {
            d.error(p, at: v, "a configuration folder can only be read from a scenario file (its folder is where the path starts)")
            return nil
        }
        if rel.hasPrefix("/") {
            d.error(p, at: v, "\(JSONValue.quote(rel)) is an absolute path; a configuration folder is read relative to the scenario's folder and must stay inside it")
            return nil
        }
        let lexical = Paths.normalize(root + "/" + rel)
        guard Paths.isInside(lexical, root) || lexical == root else {
            d.error(p, at: v, "\(JSONValue.quote(rel)) resolves outside the scenario's folder \(root); a configuration folder must stay inside it")
            return nil
        }
        var files: [(real: String, display: String)] = []
        var failure: String?
        // filepath.Walk: lstat; a folder's entries sorted by name; a symbolic link is not walked
        // into, it is read as a file (FromFile follows it; to a folder, the read fails)
        func walk(_ path: String, display: String, depth: Int) {
            if failure != nil { return }
            var st = stat()
            guard lstat(path, &st) == 0 else { failure = "cannot read \(JSONValue.quote(display)): \(Paths.errnoText(errno))"; return }
            if st.st_mode & S_IFMT == S_IFDIR {
                guard depth < 32 else { failure = "\(JSONValue.quote(display)) is nested more than 32 folders deep"; return }
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { failure = "cannot list the folder \(JSONValue.quote(display))"; return }
                for n in names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
                    walk(path + "/" + n, display: display + "/" + n, depth: depth + 1)
                }
                return
            }
            guard let real = Paths.realPath(path) else { failure = "cannot read \(JSONValue.quote(display)): no such file"; return }
            guard Paths.isInside(real, root) else { failure = "\(JSONValue.quote(display)) resolves through a symbolic link to \(real), outside the scenario's folder \(root)"; return }
            files.append((real, display))
            if files.count > maxConfigFolderFiles { failure = "more than \(maxConfigFolderFiles) files under \(JSONValue.quote(rel))" }
        }
        walk(lexical, display: Paths.normalize(rel), depth: 0)
        if let failure { d.error(p, at: v, failure); return nil }
        if files.isEmpty { d.error(p, at: v, "the folder \(JSONValue.quote(rel)) holds no configuration file"); return nil }
        var out: [ConsulTemplateConfigPart] = []
        var total = 0
        for f in files {
            let text: String
            switch Paths.regularFileSize(f.real) {
            case .failure(let e): d.error(p, at: v, "cannot read configuration file \(JSONValue.quote(f.display)): \(e.message)"); return nil
            case .success(let n):
                total += n
                if total > IncludeLimits.maxTotalBytes {
                    d.error(p, at: v, "the configuration files under \(JSONValue.quote(rel)) total more than \(IncludeLimits.maxTotalBytes) bytes"); return nil
                }
            }
            switch Paths.readText(f.real) {
            case .failure(let e): d.error(p, at: v, "cannot read configuration file \(JSONValue.quote(f.display)): \(e.message)"); return nil
            case .success(let t): text = t
            }
            // config sits at level 2 of the document (consulTemplate.config)
            let parsed = HCLParser.parse(text, file: f.display, startDepth: 2, reader: .consulTemplate)
            for e in parsed.errors { d.append(ScenarioError(path: p, file: f.display, line: e.line, column: e.column, message: e.message)) }
            guard let value = parsed.value else { return nil }
            guard value.objectMembers != nil else { d.error(p, at: value, typeMismatch("a consul-template configuration (an object) in \(f.display)", value)); return nil }
            out.append((value, Paths.directory(f.real)))
        }
        return out
    }

    /// `Config.Merge` of `parts` in order, and the folder of the file each template came from.
    static func mergeConsulTemplateConfigParts(_ parts: [ConsulTemplateConfigPart]) -> (value: JSONValue, templateDirectories: [String?]) {
        var merged: [JSONMember] = []
        var templates: [JSONValue] = []
        var dirs: [String?] = []
        var templateMember: JSONMember?
        for part in parts {
            for m in part.value.objectMembers ?? [] {
                if m.key == "template" {
                    // TemplateConfigs.Merge: appended
                    let list = m.value.arrayValue ?? [m.value]
                    templates += list
                    dirs += Array(repeating: part.directory, count: list.count)
                    if templateMember == nil { templateMember = m }
                } else if let i = merged.firstIndex(where: { $0.key == m.key }) {
                    merged[i] = JSONMember(key: m.key, keyLocation: m.keyLocation, value: mergeBlock(merged[i].value, m.value))
                } else {
                    merged.append(m)
                }
            }
        }
        if let t = templateMember {
            let value = parts.count == 1 ? t.value : JSONValue(.array(templates), location: t.value.location)
            merged.append(JSONMember(key: "template", keyLocation: t.keyLocation, value: value))
        }
        return (JSONValue(.object(merged), location: parts.first?.value.location), dirs)
    }

    /// A block (`consul`, `wait`, `vault`, ...) set in two files: field by field, the later wins;
    /// anything else: the later value.
    static func mergeBlock(_ a: JSONValue, _ b: JSONValue) -> JSONValue {
        guard let am = a.objectMembers, let bm = b.objectMembers else { return b }
        var out = am
        for m in bm {
            if let i = out.firstIndex(where: { $0.key == m.key }) {
                out[i] = JSONMember(key: m.key, keyLocation: m.keyLocation, value: mergeBlock(out[i].value, m.value))
            } else { out.append(m) }
        }
        return JSONValue(.object(out), location: b.location)
    }
}
