import SimKernel

// What Alertmanager writes: notifications.csv (one row per notification sent, written at the
// sample after it), the headline figures and an `alertmanager` details object per fault.

extension AlertmanagerCluster {
    public static let outputs = SubsystemOutputs(
        tables: [notificationsTable],
        headline: [
            ("notifications_sent", "notifications sent by the Alertmanager instances (one per receiver integration that sent; HA peers that deduplicated send none)"),
            ("first_notification_s", "seconds from the first fault that fired to the first notification sent at or after it (empty without a fault or without such a notification)"),
        ],
        headlineIntro: "With an `alertmanager` section the headline ends with the notification figures (see docs/alertmanager.md); summary.json gains an `alertmanager` object whose `faults` array has, per fault that fired, `fault` (its index in `faults`), `at_s` and `first_notification_s` (seconds from the fault to the first notification at or after it; null when none).",
        detailsKey: "alertmanager")

    static let notificationsTable = SubsystemTable(
        of: AlertmanagerCluster.self, file: "notifications.csv",
        when: "when the scenario has an `alertmanager` section (one row per notification sent since the previous sample; none when nothing was sent)",
        columns: [
            ("time_s", "simulated time the notification was sent, seconds"),
            ("instance", "host of the Alertmanager instance that sent it"),
            ("receiver", "the receiver's name (`receivers[].name` of the configuration)"),
            ("integration", "the receiver's integration that sent it: its type and index (`webhook[0]`, `email[1]`)"),
            ("group_key", "the aggregation group's key as Alertmanager prints it: route key and group labels (`{}/{severity=\"page\"}:{alertname=\"NodeDown\"}`)"),
            ("firing", "firing alerts in the notification"),
            ("resolved", "resolved alerts in the notification (0 for integrations without send_resolved)"),
            ("alerts", "the alerts, `;`-separated and sorted: alertname and the labels not common to every alert of the notification (all of them for a single alert: `NodeDown{instance=\"slave-03\"}`), resolved ones suffixed ` (resolved)`"),
        ]) { am, _, w in
            for n in am.pendingRows {
                w.field(n.time); w.field(n.instance); w.field(n.receiver); w.field(n.integration); w.field(n.groupKey)
                w.field(n.firing.count); w.field(n.resolved.count)
                w.field(AlertmanagerCluster.describe(n))
                w.endRow()
            }
            am.pendingRows.removeAll(keepingCapacity: true)
        }

    /// The `alerts` column of a notification.
    public static func describe(_ n: Notification) -> String {
        let shared = commonLabels(n.firing + n.resolved)
        func text(_ l: LabelSet) -> String {
            let rest = l.labels.filter { $0.name != "alertname" && !shared.contains($0) }
            let inner = rest.map { "\($0.name)=\"\(LabelSet.escape($0.value))\"" }.joined(separator: ",")
            return (l["alertname"] ?? "") + (inner.isEmpty ? "" : "{" + inner + "}")
        }
        let items = n.firing.map(text) + n.resolved.map { text($0) + " (resolved)" }
        return items.sorted().joined(separator: ";")
    }

    /// Labels every alert has with the same value (none for a single alert: it shows all).
    static func commonLabels(_ sets: [LabelSet]) -> [MetricLabel] {
        guard sets.count > 1, let first = sets.first else { return [] }
        return first.labels.filter { l in sets.allSatisfy { $0[l.name] == l.value } }
    }

    /// Per fault that fired: its index, time and the delay to the first notification after it.
    func faultRows() -> [(fault: Int, at: SimTime, delay: SimDuration?)] {
        model.faultInjector.fired.enumerated().map { i, f in
            (f.index, f.time, (i < firstAfterFault.count ? firstAfterFault[i] : nil).map { $0 - f.time })
        }
    }

    public func headline() -> [HeadlineFigure] {
        let first = faultRows().first.flatMap { $0.delay }
        return [HeadlineFigure("notifications_sent", .int(Int64(sent))),
                HeadlineFigure("first_notification_s", first.map { .number($0.seconds, decimals: 3) } ?? .none)]
    }

    public func details() -> [(key: String, value: DetailValue)] {
        [(key: "faults", value: .array(faultRows().map { r in
            .object([(key: "fault", value: .int(Int64(r.fault))), (key: "at_s", value: .seconds(r.at)),
                     (key: "first_notification_s", value: .seconds(r.delay))])
        }))]
    }
}
