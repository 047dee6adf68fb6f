import Contracts
import Foundation
import Gateway
import Notifications
import Policy

/// A notification as the card template shows it, made only from what the policy let through
/// (`VisibleNotification.value`): a withheld field is said to be withheld, never guessed.
struct NotificationCard {
    let visible: VisibleNotification
    let dates: PageDates

    static let priorityLabels = ["urgent": "Urgent", "high": "High", "routine": "Routine"]

    /// When it occurred, for sorting newest first (nil when withheld or unreadable).
    var occurredAt: Date? {
        guard case .string(let text)? = visible.value["occurredAt"] else { return nil }
        return EventCodec.parseInstant(text)
    }

    /// The template's values. `acknowledged`: this view just acknowledged it (the inbox may not
    /// have recorded it yet); one the inbox accepted shows who acknowledged it and when.
    func values(acknowledged: Bool) -> [String: Any] {
        let value = visible.value
        let acknowledgements: [[String: Any]] = visible.acknowledgements.map { ack in
            let at = EventCodec.parseInstant(ack.at)
            var shown: [String: Any] = ["by": ack.by, "at": at.map(dates.text) ?? ack.at, "atISO": at.map(EventCodec.formatInstant) ?? ack.at]
            if let actor = ack.actor { shown["actor"] = actor }
            return shown
        }
        var values: [String: Any] = [
            "id": visible.id, "acknowledged": acknowledged || !acknowledgements.isEmpty, "acknowledgements": acknowledgements,
        ]
        let priority = Self.string(value["priority"]) ?? "routine"
        values["priority"] = Self.priorityLabels[priority] == nil ? "routine" : priority
        values["priorityLabel"] = Self.priorityLabels[priority] ?? "Routine"
        values["summary"] = Self.string(value["summary"]) ?? "Summary withheld (see below)"
        if let date = occurredAt {
            values["occurredAt"] = dates.text(date)
            values["occurredAtISO"] = EventCodec.formatInstant(date)
            values["hasTime"] = true
        }
        if let reason = value["reason"] {
            values["hasReason"] = true
            values["rule"] = Self.string(reason["rule"]) ?? "—"
            values["explanation"] = Self.string(reason["explanation"]) ?? ""
            // A mention's digest (`NotificationMention`) is for sealing orders, not for the reader.
            let matched: [[String: Any]] = Self.array(reason["matched"])
                .filter { Self.string($0["name"]) != NotificationMention.identifier }
                .map { ["name": Self.string($0["name"]) ?? "", "value": Self.string($0["value"]) ?? ""] }
            values["matched"] = matched
            values["hasMatched"] = !matched.isEmpty
        }
        // A fact that is an instant (`2025-06-11T22:40:00-05:00`) is shown in the agency's zone.
        let facts: [[String: Any]] = Self.array(value["facts"]).map { fact in
            let text = Self.string(fact["value"]) ?? ""
            return ["label": Self.string(fact["label"]) ?? "", "value": EventCodec.parseInstant(text).map(dates.text) ?? text]
        }
        values["facts"] = facts
        values["hasFacts"] = !facts.isEmpty
        values["sourceEventType"] = Self.string(value["sourceEventType"]) ?? "—"
        values["sourceEventId"] = Self.string(value["sourceEventId"]) ?? "—"
        if let line = Self.withheldLine(visible.withheld) {
            values["hasWithheld"] = true
            values["withheldLine"] = line
        }
        values["notices"] = visible.notices.map { ["text": $0.text] as [String: Any] }
        return values
    }

    /// One sentence per reason: which fields, their classifications, why. Nil when nothing was
    /// withheld.
    static func withheldLine(_ withheld: [WithheldField]) -> String? {
        guard !withheld.isEmpty else { return nil }
        var byReason: [WithholdingReason: [WithheldField]] = [:]
        for field in withheld { byReason[field.reason, default: []].append(field) }
        let sentences = WithholdingReason.allCases.compactMap { reason -> String? in
            guard let fields = byReason[reason] else { return nil }
            let names = fields.map(\.field).sorted().joined(separator: ", ")
            let classes = Set(fields.flatMap(\.classifications).map(\.rawValue)).sorted().joined(separator: ", ")
            return "\(names) (\(classes)): \(reason.explanation)."
        }
        let count = withheld.count
        return "\(count) field\(count == 1 ? "" : "s") withheld. " + sentences.joined(separator: " ")
    }

    static func string(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value { return text }
        return nil
    }

    static func array(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { return items }
        return []
    }
}

/// Dates as the signed-in user's agency reads them: its time zone (`WebUIConfiguration`), the
/// zone's abbreviation beside each time.
struct PageDates {
    let timeZone: TimeZone
    private let formatter: DateFormatter

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
        formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "EEE d MMM yyyy, HH:mm zzz"
    }

    func text(_ date: Date) -> String { formatter.string(from: date) }

    /// The zone's name for the footer, e.g. `America/Chicago`.
    var zoneName: String { timeZone.identifier }
}
