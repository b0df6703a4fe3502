import ClusterModel
import SimKernel

// `receivers[]` of an alertmanager.yml: every integration type of Alertmanager v0.25 is accepted
// (config/notifiers.go), with its fields, its required settings and its send_resolved default.
// An integration is a sink here: nothing is rendered or sent over the network.

enum AlertmanagerReceiverConfig {
    struct IntegrationType {
        var key: String
        var fields: [String]
        var sendResolved: Bool
    }

    /// Each type's fields (its yaml tags) and `VSendResolved` default (Default*Config in
    /// prometheus/alertmanager:config/notifiers.go v0.25).
    static let types: [IntegrationType] = [
        IntegrationType(key: "discord_configs", fields: ["http_config", "webhook_url", "title", "message"], sendResolved: true),
        IntegrationType(key: "email_configs", fields: ["to", "from", "hello", "smarthost", "auth_username", "auth_password", "auth_password_file", "auth_secret",
                                                     "auth_identity", "headers", "html", "text", "require_tls", "tls_config"], sendResolved: false),
        IntegrationType(key: "pagerduty_configs", fields: ["http_config", "service_key", "service_key_file", "routing_key", "routing_key_file", "url", "client",
                                                         "client_url", "description", "details", "images", "links", "source", "severity", "class",
                                                         "component", "group"], sendResolved: true),
        IntegrationType(key: "slack_configs", fields: ["http_config", "api_url", "api_url_file", "channel", "username", "color", "title", "title_link", "pretext",
                                                     "text", "fields", "short_fields", "footer", "fallback", "callback_id", "icon_emoji", "icon_url",
                                                     "image_url", "thumb_url", "link_names", "mrkdwn_in", "actions"], sendResolved: false),
        IntegrationType(key: "webhook_configs", fields: ["http_config", "url", "max_alerts"], sendResolved: true),
        IntegrationType(key: "opsgenie_configs", fields: ["http_config", "api_key", "api_key_file", "api_url", "message", "description", "source", "details",
                                                        "entity", "responders", "actions", "tags", "note", "priority", "update_alerts"], sendResolved: true),
        IntegrationType(key: "wechat_configs", fields: ["http_config", "api_secret", "corp_id", "message", "api_url", "to_user", "to_party", "to_tag",
                                                      "agent_id", "message_type"], sendResolved: false),
        IntegrationType(key: "pushover_configs", fields: ["http_config", "user_key", "token", "title", "message", "url", "url_title", "sound", "priority",
                                                        "retry", "expire", "html"], sendResolved: true),
        IntegrationType(key: "victorops_configs", fields: ["http_config", "api_key", "api_key_file", "api_url", "routing_key", "message_type",
                                                         "state_message", "entity_display_name", "monitoring_tool", "custom_fields"], sendResolved: true),
        IntegrationType(key: "sns_configs", fields: ["http_config", "api_url", "sigv4", "topic_arn", "phone_number", "target_arn", "subject", "message",
                                                   "attributes"], sendResolved: true),
        IntegrationType(key: "telegram_configs", fields: ["http_config", "api_url", "bot_token", "chat_id", "message", "disable_notifications",
                                                        "parse_mode"], sendResolved: true),
        IntegrationType(key: "webex_configs", fields: ["http_config", "api_url", "message", "room_id"], sendResolved: true),
    ]

    typealias F = AlertmanagerConfigFile

    enum FieldKind { case bool, int64, uint64 }
    /// The fields of each type that are not strings, URLs or maps (their Go types in config/notifiers.go
    /// v0.25): yaml.v2 refuses a string there (`cannot unmarshal !!str `YOUR_CH...` into int64`).
    static let typedFields: [String: [(String, FieldKind)]] = [
        "email_configs": [("require_tls", .bool)],
        "slack_configs": [("short_fields", .bool), ("link_names", .bool)],
        "opsgenie_configs": [("update_alerts", .bool)],
        "pushover_configs": [("html", .bool)],
        "telegram_configs": [("chat_id", .int64), ("disable_notifications", .bool)],
        "webhook_configs": [("max_alerts", .uint64)],
    ]

    /// An integer as yaml.v2 decodes one into int64 / uint64; nil (with the error) otherwise.
    static func integer(_ v: JSONValue, _ kind: FieldKind, _ path: String, _ d: Diagnostics) -> Int64? {
        let goType = kind == .uint64 ? "uint64" : "int64"
        guard let n = v.numberValue, n.isIntegerLiteral, let x = n.int64, kind == .int64 || x >= 0 else {
            d.error(path, at: v, RuleFileReader.unmarshal(v, into: goType)); return nil
        }
        return x
    }

    static func decode(_ v: JSONValue, _ path: String, global: JSONValue?, _ d: Diagnostics) -> AlertmanagerReceiver? {
        guard let f = F.fields(v, path, known: ["name"] + types.map(\.key), d) else { return nil }
        let before = d.errorCount
        let name = f["name"].flatMap { F.string($0, f.path("name"), d) } ?? ""
        if name.isEmpty { d.error(path, at: v, "missing name in receiver") }
        let g = global.flatMap { $0.objectMembers }.map { Dictionary($0.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }) } ?? [:]
        var integrations: [AlertmanagerIntegration] = []
        for t in types {
            guard let lv = f[t.key] else { continue }
            for (i, e) in F.list(lv, f.path(t.key), d).enumerated() {
                let p = JSONPath.index(f.path(t.key), i)
                guard let c = F.fields(e, p, known: ["send_resolved"] + t.fields, d) else { continue }
                var sendResolved = t.sendResolved
                if let s = c["send_resolved"] { sendResolved = F.bool(s, c.path("send_resolved"), d) ?? sendResolved }
                F.httpConfig(c["http_config"], c.path("http_config"), d)
                check(t.key, c, p, e, global: g, d)
                integrations.append(AlertmanagerIntegration(type: String(t.key.dropLast("_configs".count)), index: i, sendResolved: sendResolved))
            }
        }
        return d.errorCount == before ? AlertmanagerReceiver(name: name, integrations: integrations) : nil
    }

    /// The checks of each config's UnmarshalYAML and of Config.UnmarshalYAML (global fallbacks).
    static func check(_ key: String, _ c: F.Fields, _ p: String, _ v: JSONValue, global g: [String: JSONValue], _ d: Diagnostics) {
        func need(_ ok: Bool, _ message: String) { if !ok { d.error(p, at: v, message) } }
        func has(_ k: String) -> Bool { (c[k]?.stringValue.map { !$0.isEmpty }) ?? (c[k] != nil) }
        func global(_ k: String) -> Bool { (g[k]?.stringValue.map { !$0.isEmpty }) ?? (g[k].map { !$0.isNull } ?? false) }
        func exclusive(_ a: String, _ b: String) { if has(a) && has(b) { d.error(c.path(b), at: c[b], "at most one of \(a) & \(b) must be configured") } }
        for k in ["url", "api_url", "webhook_url"] where c[k] != nil && !(key == "slack_configs" && k == "api_url") { _ = F.url(c[k]!, c.path(k), d) }
        var typedOK = true
        for (k, kind) in typedFields[key] ?? [] {
            guard let x = c[k], !x.isNull else { continue }
            let ok = kind == .bool ? F.bool(x, c.path(k), d) != nil : integer(x, kind, c.path(k), d) != nil
            typedOK = typedOK && ok
        }
        guard typedOK else { return }   // yaml.v2's unmarshal error comes before UnmarshalYAML's checks
        switch key {
        case "webhook_configs":
            need(has("url"), "missing URL in webhook config")
        case "email_configs":
            need(has("to"), "missing to address in email config")
            if has("to") {
                need(has("smarthost") || global("smtp_smarthost"), "no global SMTP smarthost set")
                need(has("from") || global("smtp_from"), "no global SMTP from set")
            }
            if let s = c["smarthost"] { _ = F.hostPort(s, c.path("smarthost"), d) }
        case "pagerduty_configs":
            need(has("routing_key") || has("service_key") || has("routing_key_file") || has("service_key_file"), "missing service or routing key in PagerDuty config")
            exclusive("routing_key", "routing_key_file"); exclusive("service_key", "service_key_file")
        case "slack_configs":
            exclusive("api_url", "api_url_file")
            if let u = c["api_url"] { _ = F.url(u, c.path("api_url"), d) }
            need(has("api_url") || has("api_url_file") || global("slack_api_url") || global("slack_api_url_file"), "no global Slack API URL set either inline or in a file")
        case "opsgenie_configs":
            exclusive("api_key", "api_key_file")
            need(has("api_key") || has("api_key_file") || global("opsgenie_api_key") || global("opsgenie_api_key_file"), "no global OpsGenie API Key set either inline or in a file")
        case "wechat_configs":
            need(has("api_secret") || global("wechat_api_secret"), "no global Wechat ApiSecret set")
            need(has("corp_id") || global("wechat_api_corp_id"), "no global Wechat CorpID set")
        case "pushover_configs":
            need(has("user_key"), "missing user key in Pushover config")
            need(has("token"), "missing token in Pushover config")
        case "victorops_configs":
            need(has("routing_key"), "missing Routing key in VictorOps config")
            exclusive("api_key", "api_key_file")
            need(has("api_key") || has("api_key_file") || global("victorops_api_key") || global("victorops_api_key_file"), "no global VictorOps API Key set")
        case "sns_configs":
            need(has("target_arn") || has("topic_arn") || has("phone_number"), "must provide either a Target ARN, Topic ARN, or Phone Number for SNS config")
        case "telegram_configs":
            need(has("bot_token"), "missing bot_token on telegram_config")
            need((c["chat_id"]?.numberValue?.int64 ?? 0) != 0, "missing chat_id on telegram_config")
            if let m = c["parse_mode"]?.stringValue, !["", "Markdown", "MarkdownV2", "HTML"].contains(m) {
                d.error(c.path("parse_mode"), at: c["parse_mode"], "unknown parse_mode on telegram_config, must be Markdown, MarkdownV2, HTML or empty string")
            }
        case "webex_configs":
            need(has("room_id"), "missing room_id on webex_config")
        case "discord_configs":
            need(has("webhook_url"), "no discord webhook URL provided")
        default: break
        }
    }
}
