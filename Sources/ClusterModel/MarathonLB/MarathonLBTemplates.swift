// marathon-lb's templates (config.py v1.11.0, ConfigTemplater.load) and the part of Python's
// `str.format` they go through: marathon-lb formats each template with keyword fields
// (`{backend}`, `{servicePort}` ...), `{{`/`}}` for literal braces. A per-app override
// (`HAPROXY_{n}_<TEMPLATE>` label, ConfigTemplater.haproxy_*(app)) replaces the default text and is
// formatted with the same fields; what Python refuses (an unknown field, a lone brace) is what
// marathon-lb would raise while generating (its regeneration fails, nothing is written).

/// A value marathon-lb passes to `str.format`: a str, an int or None (printed as in Python).
enum PyValue {
    case str(String), int(Int), none
    /// A value the simulator does not render (the health check's dict): using it is refused.
    case unsupported(String)
    var text: String {
        switch self { case .str(let s): s; case .int(let i): String(i); case .none: "None"; case .unsupported(let w): w }
    }
    var typeName: String {
        switch self { case .str: "str"; case .int: "int"; case .none: "NoneType"; case .unsupported: "dict" }
    }
}

enum PyFormat {
    /// `template.format(**fields)` as Python 3.5 (marathon-lb's Debian stretch image) does it, format
    /// specs and `!r`/`!s`/`!a` conversions included; the error is Python's exception and message.
    /// `depth`: Python's recursion_depth (2 at the top; a replacement field inside a format spec
    /// formats its spec at 1, deeper is "Max string recursion exceeded").
    static func format(_ template: String, _ fields: KeyValuePairs<String, PyValue>, depth: Int = 2) -> Result<String, MarathonLBTemplateError> {
        func fail(_ m: String) -> Result<String, MarathonLBTemplateError> { .failure(MarathonLBTemplateError(message: m)) }
        if depth <= 0 { return fail("ValueError: Max string recursion exceeded") }
        var out = ""
        let s = Array(template.unicodeScalars)
        var i = 0
        var literal = String.UnicodeScalarView()
        while i < s.count {
            let c = s[i]
            if c == "}" {
                if i + 1 < s.count, s[i + 1] == "}" { literal.append("}"); i += 2; continue }
                return fail("ValueError: Single '}' encountered in format string")
            }
            if c != "{" { literal.append(c); i += 1; continue }
            if i + 1 < s.count, s[i + 1] == "{" { literal.append("{"); i += 2; continue }
            if i + 1 == s.count { return fail("ValueError: Single '{' encountered in format string") }
            // the field runs to the matching '}' (braces nest inside a format spec)
            var nesting = 1
            var j = i + 1
            while j < s.count {
                if s[j] == "{" { nesting += 1 } else if s[j] == "}" { nesting -= 1; if nesting == 0 { break } }
                j += 1
            }
            if j == s.count { return fail("ValueError: expected '}' before end of string") }
            out += String(literal); literal = String.UnicodeScalarView()
            let field = String(String.UnicodeScalarView(s[(i + 1)..<j]))
            switch replacement(field, fields, depth: depth) {
            case .success(let t): out += t
            case .failure(let e): return .failure(e)
            }
            i = j + 1
        }
        return .success(out + String(literal))
    }

    private static func replacement(_ field: String, _ fields: KeyValuePairs<String, PyValue>, depth: Int) -> Result<String, MarathonLBTemplateError> {
        func fail(_ m: String) -> Result<String, MarathonLBTemplateError> { .failure(MarathonLBTemplateError(message: m)) }
        var name = Substring(field)
        var conversion: Character? = nil
        var spec: Substring = ""
        // parse_field (3.5): the name runs to the first ':' or '!'
        if let k = name.firstIndex(where: { $0 == "!" || $0 == ":" }) {
            let rest = name[name.index(after: k)...]
            if name[k] == "!" {
                guard let conv = rest.first else { return fail("ValueError: end of string while looking for conversion specifier") }
                let after = rest.dropFirst()
                if let f = after.first, f != ":" { return fail("ValueError: expected ':' after conversion specifier") }
                guard "rsa".contains(conv) else { return fail("ValueError: Unknown conversion specifier \(conv)") }
                conversion = conv
                spec = after.dropFirst()
            } else { spec = rest }
            name = name[..<k]
        }
        let head = name.prefix { $0 != "." && $0 != "[" }
        if head.isEmpty || head.allSatisfy(\.isNumber) { return fail("IndexError: tuple index out of range") }
        guard var value = fields.first(where: { $0.key == String(head) })?.value else { return fail("KeyError: '\(head)'") }
        if case .unsupported(let why) = value {
            return fail("the field {\(head)} is refused: \(why)")
        }
        var rest = name.dropFirst(head.count)
        while let f = rest.first {
            if f == "." {
                let attr = rest.dropFirst().prefix { $0 != "." && $0 != "[" }
                if attr.isEmpty { return fail("ValueError: Empty attribute in format string") }
                return fail("AttributeError: '\(value.typeName)' object has no attribute '\(attr)'")
            }
            guard let close = rest.firstIndex(of: "]") else { return fail("ValueError: Missing ']' in format string") }
            let key = rest[rest.index(after: rest.startIndex)..<close]
            if key.isEmpty { return fail("ValueError: Empty attribute in format string") }
            guard case .str(let sv) = value else { return fail("TypeError: '\(value.typeName)' object is not subscriptable") }
            guard key.allSatisfy(\.isNumber), let n = Int(key) else { return fail("TypeError: string indices must be integers") }
            let chars = Array(sv)
            guard n < chars.count else { return fail("IndexError: string index out of range") }
            value = .str(String(chars[n]))
            rest = rest[rest.index(after: close)...]
            if let g = rest.first, g != "." && g != "[" { return fail("ValueError: Only '.' or '[' may follow ']' in format field specifier") }
        }
        // the conversion makes a str: str() or repr() (ascii() is repr() for ASCII text)
        if let conv = conversion {
            if conv == "s" { value = .str(value.text) } else {
                guard let r = repr(value) else {
                    return fail("the field {\(field)} is refused: repr() of a str with non-ASCII characters follows Unicode's printable table, not modelled")
                }
                value = .str(r)
            }
        }
        // a replacement field inside the spec is formatted first (one level deeper)
        var specText = String(spec)
        if specText.contains("{") || specText.contains("}") {
            switch format(specText, fields, depth: depth - 1) {
            case .success(let t): specText = t
            case .failure(let e): return .failure(e)
            }
        }
        return PyFormatSpec.apply(specText, to: value, field: field)
    }

    /// Python's repr() of a str (quotes: ' unless the text has ' and no "), int or None; nil for a
    /// str with non-ASCII characters.
    static func repr(_ v: PyValue) -> String? {
        guard case .str(let s) = v else { return v.text }
        guard s.unicodeScalars.allSatisfy(\.isASCII) else { return nil }
        let quote: Unicode.Scalar = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String.UnicodeScalarView([quote])
        for c in s.unicodeScalars {
            switch c {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            case quote: out.append("\\"); out.append(c)
            default:
                if c.value < 0x20 || c.value == 0x7F {
                    let h = String(c.value, radix: 16)
                    out.append(contentsOf: ("\\x" + (h.count < 2 ? "0" + h : h)).unicodeScalars)
                } else { out.append(c) }
            }
        }
        out.append(quote)
        return String(out)
    }
}

/// Python 3.5's format-spec mini-language (Objects/stringlib/unicode_format.h, Python/formatter_unicode.c)
/// for the values marathon-lb passes: str (`s`), int (`d`, `b`, `o`, `x`, `X`) and None
/// (object.__format__: only an empty spec). `[[fill]align][sign][#][0][width][,][.precision][type]`.
enum PyFormatSpec {
    struct Spec {
        var fill: Unicode.Scalar = " ", align: Unicode.Scalar? = nil, sign: Unicode.Scalar? = nil
        var alternate = false, width: Int? = nil, comma = false, precision: Int? = nil, type: Unicode.Scalar? = nil
        var fillGiven = false
    }

    static func apply(_ specText: String, to value: PyValue, field: String) -> Result<String, MarathonLBTemplateError> {
        func fail(_ m: String) -> Result<String, MarathonLBTemplateError> { .failure(MarathonLBTemplateError(message: m)) }
        // an empty spec is str(value)
        if specText.isEmpty { return .success(value.text) }
        if case .none = value { return fail("TypeError: non-empty format string passed to object.__format__") }
        let isInt: Bool
        switch value { case .int: isInt = true; default: isInt = false }
        var sp: Spec
        switch parse(Array(specText.unicodeScalars), defaultType: isInt ? "d" : "s") {
        case .success(let x): sp = x
        case .failure(let e): return .failure(e)
        }
        guard case .int(let n) = value else {
            // format_string_internal
            let s = value.text
            guard sp.type == "s" else { return fail("ValueError: Unknown format code '\(sp.type!)' for object of type 'str'") }
            if sp.sign != nil { return fail("ValueError: Sign not allowed in string format specifier") }
            if sp.alternate { return fail("ValueError: Alternate form (#) not allowed in string format specifier") }
            if sp.align == "=" { return fail("ValueError: '=' alignment not allowed in string format specifier") }
            var body = Array(s.unicodeScalars)
            if let p = sp.precision, body.count > p { body = Array(body.prefix(p)) }
            return .success(pad(String(String.UnicodeScalarView(body)), prefix: "", sp, defaultAlign: "<"))
        }
        let t = sp.type!
        let radix: Int
        switch t {
        case "d": radix = 10
        case "b": radix = 2
        case "o": radix = 8
        case "x", "X": radix = 16
        case "c", "n", "e", "E", "f", "F", "g", "G", "%":
            return fail("the field {\(field)} is refused: the format code '\(t)' (int as a character, locale or float) is not modelled; d, b, o, x and X are")
        default: return fail("ValueError: Unknown format code '\(t)' for object of type 'int'")
        }
        if sp.precision != nil { return fail("ValueError: Precision not allowed in integer format specifier") }
        var digits = String(n.magnitude, radix: radix)
        if t == "X" { digits = digits.uppercased() }
        if sp.comma {
            if sp.fill == "0" && (sp.align ?? "=") == "=" && sp.width != nil {
                return fail("the field {\(field)} is refused: ',' with zero padding (Python groups the padding) is not modelled")
            }
            var g = ""
            for (k, ch) in digits.reversed().enumerated() { if k > 0 && k % 3 == 0 { g.append(",") }; g.append(ch) }
            digits = String(g.reversed())
        }
        var prefix = n < 0 ? "-" : (sp.sign == "+" ? "+" : (sp.sign == " " ? " " : ""))
        if sp.alternate { prefix += ["b": "0b", "o": "0o", "x": "0x", "X": "0X"][t] ?? "" }
        return .success(pad(digits, prefix: prefix, sp, defaultAlign: ">"))
    }

    /// calc_padding, with '=' putting the fill between the sign (and 0x prefix) and the digits.
    static func pad(_ body: String, prefix: String, _ sp: Spec, defaultAlign: Unicode.Scalar) -> String {
        let len = body.unicodeScalars.count + prefix.unicodeScalars.count
        let total = max(len, sp.width ?? 0)
        let align = sp.align ?? defaultAlign
        let left = align == ">" ? total - len : (align == "^" ? (total - len) / 2 : 0)
        let right = align == "=" ? 0 : total - len - left
        let fill = String(String.UnicodeScalarView(repeatElement(sp.fill, count: 1)))
        func f(_ k: Int) -> String { String(repeating: fill, count: k) }
        if align == "=" { return prefix + f(total - len) + body }
        return f(left) + prefix + body + f(right)
    }

    /// parse_internal_render_format_spec (Python 3.5).
    static func parse(_ s: [Unicode.Scalar], defaultType: Unicode.Scalar) -> Result<Spec, MarathonLBTemplateError> {
        func fail(_ m: String) -> Result<Spec, MarathonLBTemplateError> { .failure(MarathonLBTemplateError(message: m)) }
        var sp = Spec()
        var i = 0
        let aligns: Set<Unicode.Scalar> = ["<", ">", "=", "^"]
        if s.count >= 2, aligns.contains(s[1]) { sp.fill = s[0]; sp.align = s[1]; sp.fillGiven = true; i = 2 }
        else if let c = s.first, aligns.contains(c) { sp.align = c; i = 1 }
        if i < s.count, s[i] == "+" || s[i] == "-" || s[i] == " " { sp.sign = s[i]; i += 1 }
        if i < s.count, s[i] == "#" { sp.alternate = true; i += 1 }
        if !sp.fillGiven, i < s.count, s[i] == "0" { sp.fill = "0"; if sp.align == nil { sp.align = "=" }; i += 1 }
        func integer() -> Result<Int?, MarathonLBTemplateError> {
            var v: Int? = nil
            while i < s.count, let d = Int(String(s[i])), s[i].isASCII {
                let (m, o1) = (v ?? 0).multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(d)
                // Py_ssize_t's limit: get_integer's "Too many decimal digits in format string"
                if o1 || o2 { return .failure(MarathonLBTemplateError(message: "ValueError: Too many decimal digits in format string")) }
                v = a; i += 1
            }
            return .success(v)
        }
        switch integer() { case .success(let w): sp.width = w; case .failure(let e): return .failure(e) }
        // Python pads to any width; beyond HAProxy's line length (LINESIZE 2048) the file is refused anyway
        if let w = sp.width, w > 1_000_000 { return fail("ValueError: a width of \(w) is refused by the simulator (no HAProxy line is that long)") }
        if i < s.count, s[i] == "," { sp.comma = true; i += 1 }
        if i < s.count, s[i] == "." {
            i += 1
            switch integer() {
            case .success(let p):
                guard let p else { return fail("ValueError: Format specifier missing precision") }
                sp.precision = p
            case .failure(let e): return .failure(e)
            }
        }
        if s.count - i > 1 { return fail("ValueError: Invalid format specifier") }
        sp.type = i < s.count ? s[i] : defaultType
        if sp.comma, !["d", "e", "f", "g", "E", "G", "%", "F"].contains(sp.type!) {
            return fail("ValueError: Cannot specify ',' with '\(sp.type!)'.")
        }
        return .success(sp)
    }
}

public struct MarathonLBTemplateError: Error, Equatable, Sendable {
    public var message: String
}

extension String {
    fileprivate func replacingOccurrences(of a: String, with b: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let r = rest.range(of: a) { out += rest[..<r.lowerBound]; out += b; rest = rest[r.upperBound...] }
        return out + rest
    }
}

/// marathon-lb's default templates (config.py v1.11.0), by name without `HAPROXY_`.
enum MarathonLBTemplates {
    /// The templates an app may override with `HAPROXY_{n}_<name>` (ConfigTemplate overridable=True,
    /// and a `set_label` entry in config.py's `labels`), with their default text.
    static let defaults: [String: String] = [
        "USERLIST_HEAD": "\nuserlist user_{backend}\n  user {user} password {passwd}\n",
        "FRONTEND_HEAD": "\nfrontend {backend}\n  bind {bindAddr}:{servicePort}{sslCert}{bindOptions}\n  mode {mode}\n",
        "BACKEND_HEAD": "\nbackend {backend}\n  balance {balance}\n  mode {mode}\n",
        "BACKEND_REDIRECT_HTTP_TO_HTTPS": "  redirect scheme https code 301 if !{{ ssl_fc }} host_{cleanedUpHostname}\n",
        "BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH": "  redirect scheme https code 301 if !{{ ssl_fc }} host_{cleanedUpHostname} path_{backend}\n",
        "BACKEND_HSTS_OPTIONS": "  rspadd  Strict-Transport-Security:\\ max-age=15768000\n",
        "HTTP_FRONTEND_ACL": "  acl host_{cleanedUpHostname} hdr(host) -i {hostname}\n  use_backend {backend} if host_{cleanedUpHostname}\n",
        "MAP_HTTP_FRONTEND_ACL": "  use_backend %[req.hdr(host),lower,regsub(:.*$,,),map({haproxy_dir}/domain2backend.map)]\n",
        "HTTP_FRONTEND_ACL_WITH_AUTH": "  acl host_{cleanedUpHostname} hdr(host) -i {hostname}\n  acl auth_{cleanedUpHostname} http_auth(user_{backend})\n  http-request auth realm \"{realm}\" if host_{cleanedUpHostname} !auth_{cleanedUpHostname}\n  use_backend {backend} if host_{cleanedUpHostname}\n",
        "HTTP_FRONTEND_ACL_ONLY": "  acl host_{cleanedUpHostname} hdr(host) -i {hostname}\n",
        "MAP_HTTP_FRONTEND_ACL_ONLY": "  use_backend %[req.hdr(host),lower,regsub(:.*$,,),map({haproxy_dir}/domain2backend.map)]\n",
        "HTTP_FRONTEND_ROUTING_ONLY": "  use_backend {backend} if host_{cleanedUpHostname}\n",
        "HTTP_FRONTEND_ROUTING_ONLY_WITH_AUTH": "  acl auth_{cleanedUpHostname} http_auth(user_{backend})\n  http-request auth realm \"{realm}\" if host_{cleanedUpHostname} !auth_{cleanedUpHostname}\n  use_backend {backend} if host_{cleanedUpHostname}\n",
        "HTTP_FRONTEND_ACL_WITH_PATH": "  acl host_{cleanedUpHostname} hdr(host) -i {hostname}\n  acl path_{backend} path_beg {path}\n  use_backend {backend} if host_{cleanedUpHostname} path_{backend}\n",
        "HTTP_FRONTEND_ACL_WITH_AUTH_AND_PATH": "  acl host_{cleanedUpHostname} hdr(host) -i {hostname}\n  acl auth_{cleanedUpHostname} http_auth(user_{backend})\n  acl path_{backend} path_beg {path}\n  http-request auth realm \"{realm}\" if host_{cleanedUpHostname} path_{backend} !auth_{cleanedUpHostname}\n  use_backend {backend} if host_{cleanedUpHostname} path_{backend}\n",
        "HTTP_FRONTEND_ACL_ONLY_WITH_PATH": "  acl path_{backend} path_beg {path}\n",
        "HTTP_FRONTEND_ACL_ONLY_WITH_PATH_AND_AUTH": "  acl path_{backend} path_beg {path}\n  acl auth_{cleanedUpHostname} http_auth(user_{backend})\n",
        "HTTPS_FRONTEND_ACL_ONLY_WITH_PATH": "  acl path_{backend} path_beg {path}\n",
        "HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH": "  use_backend {backend} if host_{cleanedUpHostname} path_{backend}\n",
        "HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH": "  http-request auth realm \"{realm}\" if host_{cleanedUpHostname} path_{backend} !auth_{cleanedUpHostname}\n  use_backend {backend} if host_{cleanedUpHostname} path_{backend}\n",
        "HTTP_FRONTEND_APPID_ACL": "  acl app_{cleanedUpAppId} hdr(x-marathon-app-id) -i {appId}\n  use_backend {backend} if app_{cleanedUpAppId}\n",
        "MAP_HTTP_FRONTEND_APPID_ACL": "  use_backend %[req.hdr(x-marathon-app-id),lower,map({haproxy_dir}/app2backend.map)]\n",
        "HTTPS_FRONTEND_ACL": "  use_backend {backend} if {{ ssl_fc_sni {hostname} }}\n",
        "MAP_HTTPS_FRONTEND_ACL": "  use_backend %[ssl_fc_sni,lower,map({haproxy_dir}/domain2backend.map)]\n",
        "HTTPS_FRONTEND_ACL_WITH_AUTH": "  acl auth_{cleanedUpHostname} http_auth(user_{backend})\n  http-request auth realm \"{realm}\" if {{ ssl_fc_sni {hostname} }} !auth_{cleanedUpHostname}\n  use_backend {backend} if {{ ssl_fc_sni {hostname} }}\n",
        "HTTPS_FRONTEND_ACL_WITH_PATH": "  use_backend {backend} if {{ ssl_fc_sni {hostname} }} path_{backend}\n",
        "HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH": "  acl auth_{cleanedUpHostname} http_auth(user_{backend})\n  http-request auth realm \"{realm}\" if {{ ssl_fc_sni {hostname} }} path_{backend} !auth_{cleanedUpHostname}\n  use_backend {backend} if {{ ssl_fc_sni {hostname} }} path_{backend}\n",
        "BACKEND_HTTP_OPTIONS": "  option forwardfor\n  http-request set-header X-Forwarded-Port %[dst_port]\n  http-request add-header X-Forwarded-Proto https if { ssl_fc }\n",
        "HTTP_BACKEND_PROXYPASS_GLUE": "  http-request set-header Host {hostname}\n  reqirep  \"^([^ :]*)\\ {proxypath}/?(.*)\" \"\\1\\ /\\2\"\n",
        "HTTP_BACKEND_REVPROXY_GLUE": "  acl hdr_location res.hdr(Location) -m found\n  rspirep \"^Location: (https?://{hostname}(:[0-9]+)?)?(/.*)\" \"Location:   {rootpath} if hdr_location\"\n",
        "HTTP_BACKEND_REDIR": "  acl is_root path -i /\n  acl is_domain hdr(host) -i {hostname}\n  redirect code 301 location {redirpath} if is_domain is_root\n",
        "BACKEND_HTTP_HEALTHCHECK_OPTIONS": "  option  httpchk GET {healthCheckPath}\n  timeout check {healthCheckTimeoutSeconds}s\n",
        "BACKEND_TCP_HEALTHCHECK_OPTIONS": "",
        "BACKEND_STICKY_OPTIONS": "  cookie mesosphere_server_id insert indirect nocache\n",
        "BACKEND_SERVER_OPTIONS": "  server {serverName} {host_ipv4}:{port}{cookieOptions}{healthCheckOptions}{otherOptions}\n",
        "BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS": "  check inter {healthCheckIntervalSeconds}s fall {healthCheckFalls}{healthCheckPortOptions}\n",
        "BACKEND_SERVER_TCP_HEALTHCHECK_OPTIONS": "  check inter {healthCheckIntervalSeconds}s fall {healthCheckFalls}{healthCheckPortOptions}\n",
        "FRONTEND_BACKEND_GLUE": "  use_backend {backend}\n",
        "HTTP_BACKEND_NETWORK_ALLOWED_ACL": "  acl network_allowed src {network_allowed}\n",
        "TCP_BACKEND_NETWORK_ALLOWED_ACL": "  acl network_allowed src {network_allowed}\n",
    ]

    /// A default template split once into text and `{field}`s (they use nothing else), so that a
    /// regeneration renders it without parsing: what `PyFormat.format` gives for it.
    enum Part { case text(String), field(String) }
    static let compiled: [String: [Part]] = defaults.mapValues(compile)
    /// The server check options as ConfigTemplater gives them: ' ' + the default stripped.
    static let compiledServerChecks: [String: [Part]] = Dictionary(uniqueKeysWithValues: ["BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS", "BACKEND_SERVER_TCP_HEALTHCHECK_OPTIONS"].map {
        ($0, compile(" " + MarathonLBConfig.pyStrip(defaults[$0]!)))
    })

    static func compile(_ t: String) -> [Part] {
        var parts: [Part] = []
        var text = ""
        var i = t.startIndex
        while i < t.endIndex {
            let c = t[i]
            let next = t.index(after: i)
            if (c == "{" || c == "}"), next < t.endIndex, t[next] == c { text.append(c); i = t.index(after: next); continue }
            if c == "{", let close = t[next...].firstIndex(of: "}") {
                if !text.isEmpty { parts.append(.text(text)); text = "" }
                parts.append(.field(String(t[next..<close])))
                i = t.index(after: close)
                continue
            }
            text.append(c); i = next
        }
        if !text.isEmpty { parts.append(.text(text)) }
        return parts
    }

    /// The default template `name` with these fields (each of its fields is given).
    static func render(_ name: String, _ fields: KeyValuePairs<String, PyValue>, serverCheck: Bool = false) -> String {
        var out = ""
        for part in (serverCheck ? compiledServerChecks : compiled)[name]! {
            switch part {
            case .text(let s): out += s
            case .field(let f): out += fields.first { $0.key == f }?.value.text ?? ""
            }
        }
        return out
    }

    /// Global templates (not overridable per app) marathon-lb appends as they are.
    static let httpBackendACLAllowDeny = "  http-request allow if network_allowed\n  http-request deny\n"
    static let tcpBackendACLAllowDeny = "  tcp-request content accept if network_allowed\n  tcp-request content reject\n"
    static let httpFrontendAppIdHead = "\nfrontend marathon_http_appid_in\n  bind *:9091\n  mode http\n"

    /// The per-port value labels config.py's `labels` table reads (Label.func not None), besides the templates.
    static let valueLabels: Set<String> = ["AUTH", "VHOST", "GROUP", "PATH", "STICKY", "ENABLED", "REDIRECT_TO_HTTPS", "USE_HSTS",
                                           "SSL_CERT", "BIND_OPTIONS", "BIND_ADDR", "PORT", "MODE", "BALANCE",
                                           "HTTP_BACKEND_PROXYPASS_PATH", "HTTP_BACKEND_REVPROXY_PATH", "HTTP_BACKEND_REDIR",
                                           "BACKEND_WEIGHT", "BACKEND_NETWORK_ALLOWED_ACL", "BACKEND_HEALTHCHECK_PORT_INDEX"]
    /// Per-app labels of config.py's table without a function (the blue/green deployment's): known, not read.
    static let appLabels: Set<String> = ["GROUP", "DEPLOYMENT_GROUP", "DEPLOYMENT_ALT_PORT", "DEPLOYMENT_COLOUR", "DEPLOYMENT_STARTED_AT",
                                         "DEPLOYMENT_TARGET_INSTANCES", "DEPLOYMENT_NEW_INSTANCES"]
}

/// SHA-1 (FIPS 180-4), for marathon-lb's sticky cookie: `hashlib.sha1(serverName.encode()).hexdigest()[:10]`.
enum SHA1 {
    static func hex(_ s: String) -> String {
        var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
        var m = Array(s.utf8)
        let bits = UInt64(m.count) * 8
        m.append(0x80)
        while m.count % 64 != 56 { m.append(0) }
        for k in (0..<8).reversed() { m.append(UInt8(truncatingIfNeeded: bits >> (UInt64(k) * 8))) }
        var w = [UInt32](repeating: 0, count: 80)
        for chunk in stride(from: 0, to: m.count, by: 64) {
            for t in 0..<16 {
                w[t] = m[chunk + 4 * t..<chunk + 4 * t + 4].reduce(0) { $0 << 8 | UInt32($1) }
            }
            for t in 16..<80 {
                let x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]
                w[t] = x << 1 | x >> 31
            }
            var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
            for t in 0..<80 {
                let (f, k): (UInt32, UInt32) = t < 20 ? ((b & c) | (~b & d), 0x5A82_7999)
                    : t < 40 ? (b ^ c ^ d, 0x6ED9_EBA1)
                    : t < 60 ? ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
                    : (b ^ c ^ d, 0xCA62_C1D6)
                let temp = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[t]
                e = d; d = c; c = b << 30 | b >> 2; b = a; a = temp
            }
            h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d; h[4] = h[4] &+ e
        }
        let digits = Array("0123456789abcdef")
        var out = ""
        for v in h { for k in (0..<8).reversed() { out.append(digits[Int(v >> (UInt32(k) * 4) & 0xF)]) } }
        return out
    }
}

/// SHA-256 (FIPS 180-4), for marathon-lb's server ids (1.12.2+): `hashlib.sha256(name.encode('utf-8'))`.
enum SHA256 {
    static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    static func digest(_ input: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var m = input
        let bits = UInt64(m.count) * 8
        m.append(0x80)
        while m.count % 64 != 56 { m.append(0) }
        for s in (0..<8).reversed() { m.append(UInt8(truncatingIfNeeded: bits >> (UInt64(s) * 8))) }
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }
        var w = [UInt32](repeating: 0, count: 64)
        for chunk in stride(from: 0, to: m.count, by: 64) {
            for t in 0..<16 { w[t] = m[chunk + 4 * t..<chunk + 4 * t + 4].reduce(0) { $0 << 8 | UInt32($1) } }
            for t in 16..<64 {
                let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for t in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let ch = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ ch &+ k[t] &+ w[t]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ maj
                hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
            }
            h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d
            h[4] = h[4] &+ e; h[5] = h[5] &+ f; h[6] = h[6] &+ g; h[7] = h[7] &+ hh
        }
        var out: [UInt8] = []
        for v in h { for s in (0..<4).reversed() { out.append(UInt8(truncatingIfNeeded: v >> (UInt32(s) * 8))) } }
        return out
    }
}

extension MarathonLBTemplates {
    /// config.py HTTP_BACKEND_REVPROXY_GLUE from 1.13.0: the quote closes after `{rootpath}`.
    static let revProxyGlue113 = "  acl hdr_location res.hdr(Location) -m found\n  rspirep \"^Location: (https?://{hostname}(:[0-9]+)?)?(/.*)\" \"Location:   {rootpath}\" if hdr_location\n"
    static let none: [String: String] = [:]
    static let from113: [String: String] = ["HTTP_BACKEND_REVPROXY_GLUE": revProxyGlue113]

    /// The default templates whose text `release` changed from v1.11.0's (`defaults`).
    static func changed(in release: MarathonLBVersion) -> [String: String] { release.revProxyQuoteFixed ? from113 : none }
}
