// The functions a template may call: Go's text/template builtins and consul-template's
// (hashicorp/consul-template template/template.go funcMap, template/funcs.go): the catalog
// (`service`, `services`), the KV store and the environment (ConsulTemplateFunctions.swift), and
// the pure helpers on strings, lists, maps and numbers (TemplateHelpers.swift).

enum TemplateFunctions {
    static let builtins: Set<String> = ["eq", "ne", "lt", "le", "gt", "ge", "and", "or", "not", "len", "printf", "print", "println", "index",
                                          "slice", "html", "js", "urlquery", "call"]
    static let names: Set<String> = builtins.union(consulNames).union(helperNames).union(vaultNames)
}

extension TemplateRenderer {
    func arity(_ f: String, _ args: [TemplateValue], _ n: ClosedRange<Int>) throws(TemplateError) {
        guard n.contains(args.count) else {
            throw TemplateError(line: line, "wrong number of args for \(f): want \(n.lowerBound == n.upperBound ? "\(n.lowerBound)" : "\(n.lowerBound) to \(n.upperBound)") got \(args.count)")
        }
    }

    func string(_ f: String, _ v: TemplateValue) throws(TemplateError) -> String {
        guard case .string(let s) = v else { throw TemplateError(line: line, "\(f): expected a string, got \(v.typeName) \(v.printed)") }
        return s
    }

    func call(_ f: String, _ args: [TemplateValue]) throws(TemplateError) -> TemplateValue {
        switch f {
        case "service":
            // funcs.go serviceFunc: no argument (or "") answers nothing; the arguments are joined
            // with "|" (`service "web" "any"` is "web|any")
            var parts: [String] = []
            for a in args { parts.append(try string(f, a)) }
            guard let first = parts.first, !first.isEmpty else { return .list([]) }
            let q: ServiceQuery
            switch ServiceQuery.parse(parts.joined(separator: "|"), datacenter: inputs.datacenter) {
            case .success(let x): q = x
            case .failure(var e): e.line = line; throw e
            }
            if !dependencies.contains(q) { dependencies.append(q) }
            noteDataRead(q)
            return .list(data.service(q).map { .instance($0) })
        case "services":
            try arity(f, args, 0...0)
            usesServices = true
            noteDataRead(nil)
            return .list(data.services().map { .catalogService($0, tags: data.serviceTags($0)) })
        case "eq", "ne":
            try arity(f, args, 2...(f == "eq" ? 64 : 2))
            for b in args.dropFirst() {
                guard Self.comparable(args[0], b) else { throw TemplateError(line: line, "incompatible types for comparison: \(args[0].typeName) and \(b.typeName)") }
            }
            let equal = args.dropFirst().contains(args[0])
            return .bool(f == "eq" ? equal : !equal)
        case "lt", "le", "gt", "ge":
            try arity(f, args, 2...2)
            let c: Int
            switch (args[0], args[1]) {
            case (.int(let a), .int(let b)): c = a < b ? -1 : (a == b ? 0 : 1)
            case (.float(let a), .float(let b)): c = a < b ? -1 : (a == b ? 0 : 1)
            case (.string(let a), .string(let b)): c = Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) ? -1 : (a == b ? 0 : 1)
            default: throw TemplateError(line: line, "incompatible types for comparison: \(args[0].typeName) and \(args[1].typeName)")
            }
            switch f {
            case "lt": return .bool(c < 0)
            case "le": return .bool(c <= 0)
            case "gt": return .bool(c > 0)
            default: return .bool(c >= 0)
            }
        case "and":
            try arity(f, args, 1...64)
            return args.first { !$0.truth } ?? args.last!
        case "or":
            try arity(f, args, 1...64)
            return args.first { $0.truth } ?? args.last!
        case "not":
            try arity(f, args, 1...1)
            return .bool(!args[0].truth)
        case "len":
            try arity(f, args, 1...1)
            switch args[0] {
            case .list(let l): return .int(l.count)
            case .map(let m): return .int(m.keys.count)
            case .string(let s): return .int(s.utf8.count)
            default: throw TemplateError(line: line, "len of type \(args[0].typeName)")
            }
        case "index":
            try arity(f, args, 1...64)
            var v = args[0]
            for k in args.dropFirst() {
                switch (v, k) {
                case (.list(let l), .int(let i)):
                    guard i >= 0 && i < l.count else { throw TemplateError(line: line, "error calling index: index out of range: \(i)") }
                    v = l[i]
                case (.map(let m), .string(let key)): v = m[key] ?? (m.stringValued ? .string("") : .none)  // the map's zero value
                case (.string(let s), .int(let i)):
                    let b = Array(s.utf8)
                    guard i >= 0 && i < b.count else { throw TemplateError(line: line, "error calling index: index out of range: \(i)") }
                    v = .int(Int(b[i]))
                default: throw TemplateError(line: line, "error calling index: can't index item of type \(v.typeName) with \(k.typeName)")
                }
            }
            return v
        case "slice":
            return try slice(args)
        case "html":
            return .string(Self.htmlEscape(Self.sprint(args)))
        case "js":
            return .string(Self.jsEscape(Self.sprint(args)))
        case "urlquery":
            return .string(Self.queryEscape(Self.sprint(args)))
        case "call":
            // funcs.go call: no value of consul-template's data is a function
            try arity(f, args, 1...64)
            if case .none = args[0] { throw TemplateError(line: line, "error calling call: call of nil") }
            throw TemplateError(line: line, "error calling call: non-function \(args[0].printed) of type \(args[0].typeName)")
        case "print":
            return .string(Self.sprint(args))
        case "println":
            return .string(args.map(\.printed).joined(separator: " ") + "\n")
        case "printf":
            try arity(f, args, 1...64)
            return .string(Self.printf(try string(f, args[0]), Array(args.dropFirst())))
        default:
            if let v = try consulCall(f, args) { return v }
            if let v = try nodeCall(f, args) { return v }
            if let v = try vaultCall(f, args) { return v }
            if let v = try helperCall(f, args) { return v }
            throw TemplateError(line: line, "function \"\(f)\" not defined")
        }
    }

    /// Go's fmt.Sprint, as `print` and the escapers' evalArgs join their arguments: a space
    /// between two operands when neither is a string (`{{print 1 2}}` is "1 2", `{{print "a" 1}}` "a1").
    static func sprint(_ args: [TemplateValue]) -> String {
        var out = ""
        var previousIsString = true
        for (i, a) in args.enumerated() {
            var isString = false
            if case .string = a { isString = true }
            if i > 0 && !isString && !previousIsString { out += " " }
            out += a.printed
            previousIsString = isString
        }
        return out
    }

    static func comparable(_ a: TemplateValue, _ b: TemplateValue) -> Bool {
        switch (a, b) {
        case (.string, .string), (.int, .int), (.float, .float), (.bool, .bool), (.none, _), (_, .none): return true
        default: return false
        }
    }

    /// fmt.Sprintf for the verbs templates use: %s %d %v %q %%, with a width (%5d, %-10s; at most 4096).
    static func printf(_ format: String, _ args: [TemplateValue]) -> String {
        var out = ""
        var it = format.makeIterator()
        var next = 0
        while let c = it.next() {
            guard c == "%" else { out.append(c); continue }
            var flags = "", width = ""
            var verb: Character? = nil
            while let d = it.next() {
                if d == "-" && width.isEmpty { flags.append(d); continue }
                if d.isNumber { width.append(d); continue }
                verb = d; break
            }
            guard let v = verb else { out += "%!(NOVERB)"; break }
            if v == "%" { out.append("%"); continue }
            guard next < args.count else { out += "%!\(v)(MISSING)"; continue }
            let a = args[next]
            next += 1
            var s: String
            switch v {
            case "s", "v": s = a.printed
            case "d": if case .int(let i) = a { s = String(i) } else { s = "%!d(\(a.typeName)=\(a.printed))" }
            case "t": if case .bool(let b) = a { s = b ? "true" : "false" } else { s = "%!t(\(a.typeName)=\(a.printed))" }
            case "q": s = "\"" + a.printed.replacingAll("\\", "\\\\").replacingAll("\"", "\\\"") + "\""
            default: s = "%!\(v)(\(a.typeName)=\(a.printed))"
            }
            // widths are bounded so that no template can ask for gigabytes of padding
            if let w = Int(width.prefix(4)).map({ min($0, 4096) }), s.count < w {
                let pad = String(repeating: " ", count: w - s.count)
                s = flags.contains("-") ? s + pad : pad + s
            }
            out += s
        }
        if next < args.count { out += "%!(EXTRA " + args[next...].map { "\($0.typeName)=\($0.printed)" }.joined(separator: ", ") + ")" }
        return out
    }
}

extension TemplateRenderer {
    /// funcs.go slice: `slice x` is x[:], `slice x 1` x[1:], `slice x 1 2` x[1:2], `slice x 1 2 3`
    /// x[1:2:3] (not of a string); indexes up to the length (a list's capacity is its length here).
    func slice(_ args: [TemplateValue]) throws(TemplateError) -> TemplateValue {
        guard let item = args.first else { throw TemplateError(line: line, "wrong number of args for slice: want at least 1 got 0") }
        func fail(_ m: String) -> TemplateError { TemplateError(line: line, "error calling slice: " + m) }
        if case .none = item { throw fail("slice of untyped nil") }
        let indexes = args.dropFirst()
        if indexes.count > 3 { throw fail("too many slice indexes: \(indexes.count)") }
        let count: Int
        switch item {
        case .string(let s):
            if indexes.count == 3 { throw fail("cannot 3-index slice a string") }
            count = s.utf8.count
        case .list(let l): count = l.count
        default: throw fail("can't slice item of type \(item.typeName)")
        }
        var idx = [0, count, count]
        for (k, v) in indexes.enumerated() {
            switch v {
            case .int(let x):
                guard x >= 0 && x <= count else { throw fail("index out of range: \(x)") }
                idx[k] = x
            case .none: throw fail("cannot index slice/array with nil")
            default: throw fail("cannot index slice/array with type \(v.typeName)")
            }
        }
        if idx[0] > idx[1] { throw fail("invalid slice index: \(idx[0]) > \(idx[1])") }
        if indexes.count == 3 && idx[1] > idx[2] { throw fail("invalid slice index: \(idx[1]) > \(idx[2])") }
        switch item {
        case .string(let s): return .string(String(decoding: Array(s.utf8)[idx[0]..<idx[1]], as: UTF8.self))
        case .list(let l): return .list(Array(l[idx[0]..<idx[1]]))
        default: return .none
        }
    }

    /// funcs.go HTMLEscape: " ' & < > and NUL.
    static func htmlEscape(_ s: String) -> String {
        var out: [UInt8] = []
        for c in s.utf8 {
            switch c {
            case 0: out += Array("\u{FFFD}".utf8)
            case UInt8(ascii: "\""): out += Array("&#34;".utf8)
            case UInt8(ascii: "'"): out += Array("&#39;".utf8)
            case UInt8(ascii: "&"): out += Array("&amp;".utf8)
            case UInt8(ascii: "<"): out += Array("&lt;".utf8)
            case UInt8(ascii: ">"): out += Array("&gt;".utf8)
            default: out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// funcs.go JSEscape: \\ \' \" escaped, < > & = as \u003C ..., other control bytes as \u00XX,
    /// non-ASCII kept when printable (unicode.IsPrint: letters, marks, numbers, punctuation,
    /// symbols), else \uXXXX.
    static func jsEscape(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "<": out += "\\u003C"
            case ">": out += "\\u003E"
            case "&": out += "\\u0026"
            case "=": out += "\\u003D"
            default:
                if u.value < 0x20 {
                    out += "\\u00" + String(decoding: [hex[Int(u.value >> 4)], hex[Int(u.value & 15)]], as: UTF8.self)
                } else if u.value < 0x80 || isPrint(u) {
                    out.unicodeScalars.append(u)
                } else {
                    var h = String(u.value, radix: 16, uppercase: true)
                    while h.count < 4 { h = "0" + h }
                    out += "\\u" + h
                }
            }
        }
        return out
    }

    static func isPrint(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default: return u == " "
        }
    }

    /// net/url QueryEscape: letters, digits and - _ . ~ kept, space as +, every other byte %XX.
    static func queryEscape(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"): out.append(c)
            case UInt8(ascii: " "): out.append(UInt8(ascii: "+"))
            default: out += [UInt8(ascii: "%"), hex[Int(c >> 4)], hex[Int(c & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension String {
    func replacingAll(_ a: String, _ b: String) -> String {
        guard !a.isEmpty else { return self }
        return self.split(separator: a, omittingEmptySubsequences: false).joined(separator: b)
    }
}
