import Foundation
import Scenario

// HCL inputs (`hcl-OP`, inputs 16k+14): a scenario that includes a Consul service definition in
// HCL at consul.services and a consul-template configuration in HCL at consulTemplate.config
// (the two places an .hcl file is read), one of the two changed as text: by the text operations
// of Strings.swift (OP taken in turn), or, half of the time, by HCL's own syntax: its tokens
// inserted (`{`, `=`, `<<EOF`, `${`, `/*`, `0x`, labels ...), a block nesting or a label list
// repeated past the nesting limit, a heredoc or comment left open. The seed files are our own,
// written in the style of the public files of docs/consul.md and docs/discovery.md (sixth corpora).

enum HCLInputs {
    static let kinds = TextMutator.ops.map { "hcl-" + $0 }

    static let services: [String] = [
        """
        # web: one service, an HTTP check and a TCP check
        service {
          name = "web"
          id   = "web-1"
          tags = ["shop", "v1",]
          port = 8080
          meta = {
            team = "shop"
          }
          check {
            id       = "web-http"
            http     = "http://localhost:8080/health"
            interval = "10s"
            timeout  = "2s"
          }
          checks = [
            { name = "port", tcp = "localhost:8080", interval = "30s" },
            {
              ttl    = "1m"
              status = "passing"
              notes  = <<-EOT
                heartbeat from the app
                EOT
            },
          ]
        }
        """,
        """
        // agent configuration beside the service, as many consul.d files have
        datacenter = "dc1"
        retry_join = ["consul-server1", "consul-server2"]
        services {
          name = "web"
          port = 0x1F90
          checks = [
            {
              id                  = "web-health"
              http                = "http://localhost:8080/healthz"
              tls_skip_verify     = true
              interval            = "15s"
              timeout             = "1s"
              failures_before_critical = 3
              deregister_critical_service_after = "90m"
            }
          ]
        }
        /* a second registration of the same app */
        services {
          name = "web-admin"
          id   = "web-admin"
          port = 8081
          check { args = ["/bin/check", "${NODE}"] interval = "1m" }
        }
        """,
    ]

    static let templates: [String] = [
        """
        consul {
          address = "127.0.0.1:8500"
          retry {
            enabled  = true
            attempts = 12
            backoff  = "250ms"
          }
        }
        log_level = "warn"
        max_stale = "2s"
        wait {
          min = "2s"
          max = "10s"
        }
        template {
          contents    = <<EOF
        upstream web {
        {{- range service "web" }}
          server {{ .Address }}:{{ .Port }};
        {{- else }}
          server 127.0.0.1:65535; # force a 502
        {{- end }}
        }
        EOF
          destination = "/etc/nginx/conf.d/web.conf"
          command     = "nginx -s reload"
          perms       = 0644
          wait {
            min = "1s"
          }
        }
        """,
        """
        wait = "1s:5s"
        deduplicate {
          enabled = false
        }
        syslog { enabled = true, facility = "LOCAL5" }
        template {
          contents = "{{ range services }}# {{ .Name }}\\n{{ end }}"
          destination = "/etc/nginx/conf.d/services.conf"
          command = "service nginx reload"
          left_delimiter = "{{"
        }
        template {
          contents = "{{ keyOrDefault \\"a\\" \\"b\\" }}"
          destination = "/etc/nginx/conf.d/b.conf"
        }
        """,
    ]

    static let scenario = """
    {"name": "hcl", "seed": 1, "duration": "20m", "sampleInterval": "1m",
     "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                    {"name": "edge", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                    {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
     "mesos": {"masters": {"count": 3}},
     "marathon": {"apps": [{"id": "/web", "instances": 2, "cpus": 0.5, "mem": 128, "cmd": "serve",
                            "portDefinitions": [{"port": 0}]}]},
     "consul": {"hostGroup": "master", "services": {"/web": {"$include": "web.hcl"}}},
     "nginx": {"hostGroup": "edge"},
     "consulTemplate": {"config": {"$include": "consul-template.hcl"}, "queryLatency": "2ms"},
     "faults": [{"at": "5m", "kind": "hostCrash", "host": "slave-02", "recoverAfter": "5m"}]}
    """

    static let tokens = ["{", "}", "[", "]", "=", ",", "\"", "\n", "<<EOF\n", "<<-EOF\n", "EOF\n", "  EOF\n", "${", "${a{b}", "#", "//",
                         "/*", "*/", "0x", "0X1G", "017", "09", "1e", "1.5e+", "-", ".", "\\", "\\q", "\\777", "\\xff", "\\U0010FFFF",
                         "\\uD800", "true", "false", "service", "check", "template", "wait", "\"label\"", "a b c", "= {}", "{ }",
                         "\u{0}", "\u{E123}", "\u{FEFF}", "é", "\r", "\r\n", "99999999999999999999", "1e999"]

    static func input(_ i: Int, _ r: inout SplitMix) -> FuzzInput {
        let op = (i / 16) % TextMutator.ops.count
        let kind = kinds[op]
        var web = r.pick(services), ct = r.pick(templates)
        let onWeb = r.chance(0.5)
        var text = onWeb ? web : ct
        var note: String
        if r.chance(0.5) {
            (text, note) = TextMutator.apply(op, text, &r)
        } else {
            var s = Array(text.unicodeScalars)
            switch r.below(4) {
            case 0:
                note = "\(TextMutator.insertTokens(&s, tokens, &r)) HCL tokens inserted"
            case 1:
                let n = r.pick([50, 99, 100, 101, 150, 199, 200, 201, 1000, 20_000])
                let unit = r.pick(["a {", "a = [", "a = {", "l ", "\"l\" ", "a = [{b = "])
                s = Array((String(repeating: unit, count: n) + (r.chance(0.5) ? "" : String(repeating: "}", count: n))).unicodeScalars) + s
                note = "\(JSONValue.quote(unit)) x \(n) in front"
            case 2:
                // an opened construct never closed
                let open = r.pick(["<<EOF\nx\n", "/* ", "\"${", "[", "{", "<<-EOF\nEOF\n", "\"a\\"])
                s += Array(("\nz = " + open).unicodeScalars)
                note = "unterminated \(JSONValue.quote(open))"
            default:
                // a block or item duplicated many times (repeated keys append)
                let lines = String(String.UnicodeScalarView(s)).split(separator: "\n", omittingEmptySubsequences: false)
                let k = r.below(max(1, lines.count))
                let n = r.pick([2, 10, 1000, 50_000])
                var out = lines.map(String.init)
                out.insert(contentsOf: Array(repeating: String(lines[k]), count: n), at: k)
                s = Array(out.joined(separator: "\n").unicodeScalars)
                note = "line \(k + 1) x \(n)"
            }
            var v = String.UnicodeScalarView(); v.append(contentsOf: s); text = String(v)
        }
        if onWeb { web = text } else { ct = text }
        return FuzzInput(kind: kind, text: scenario,
                         files: [ScratchFile(path: "web.hcl", content: .text(web)), ScratchFile(path: "consul-template.hcl", content: .text(ct))],
                         desc: "hcl: \(kind) \(onWeb ? "web.hcl" : "consul-template.hcl"): \(note)")
    }
}
