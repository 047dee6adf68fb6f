import Contracts
import Foundation
import Testing

@testable import Notifications

/// The notification's own JSON writer must give the bytes Foundation's encoder gives (the form
/// notifications had before it): the inbox and any agency that stored one compare, verify and
/// de-duplicate by those bytes.
@Suite struct BusNotificationJSONTests {
    static let awkward: [String] = [
        "",
        String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }),
        #"quote " backslash \ slash / both \/ DEL \#u{7F}"#,
        "Réentrée — Zoë’s café, 東京, 🚔 and U+2028 \u{2028} U+2029 \u{2029}",
        "tab\tnewline\ncarriage\rform\u{0C}backspace\u{08}nul\u{0}",
    ]

    static func notification(text: String, stateId: String?, facts: Int, milliseconds: Bool) -> BusNotification {
        BusNotification(
            recipient: .officer("PP-KC-118"), priority: .urgent, summary: "Summary: \(text)",
            reason: NotificationReason(
                rule: "supervisee-arrested", explanation: "Because \(text)",
                matched: [MatchedIdentifier("stateId", "MO\(text)"), MatchedIdentifier("fbiNumber", "734591KA2")]),
            facts: (0..<facts).map { NotificationFact("label \($0) \(text)", "value \(text)") },
            occurredAt: Date(timeIntervalSince1970: milliseconds ? 1_750_000_000.25 : 1_750_000_000),
            subjectStateId: stateId, sourceEventId: "e-\(text)", sourceEventType: "police.arrest.made", scope: text)
    }

    @Test(arguments: awkward)
    func writesTheBytesFoundationsEncoderWrites(text: String) throws {
        for stateId in [nil, "MO1234567", text] as [String?] {
            for facts in [0, 1, 3] {
                for milliseconds in [false, true] {
                    let notification = Self.notification(text: text, stateId: stateId, facts: facts, milliseconds: milliseconds)
                    let written = notification.writtenJSON()
                    #expect(written == (try EventCodec.encodeJSON(notification)),
                            "\(String(decoding: written, as: UTF8.self))")
                    #expect(try BusNotification.decode(written) == notification)
                }
            }
        }
    }

    @Test func matchedIdentifiersCanBeEmpty() throws {
        var notification = Self.notification(text: "x", stateId: nil, facts: 0, milliseconds: false)
        notification.reason.matched = []
        #expect(notification.writtenJSON() == (try EventCodec.encodeJSON(notification)))
    }

    /// A notification to a stand-in address (`agency:police:MO:Independence`, used until the
    /// directory names the city's agency) answers to no agency yet: it carries no
    /// `recipientAgencyId`, and so stays valid under `bus.notifications` (whose pattern a stand-in
    /// would fail, dead-lettering the notice at every reader); a real agency id is carried.
    @Test func onlyARealAgencyIdBecomesTheRecipientsAgency() throws {
        let validator = EventValidator(catalog: try TopicCatalog.embedded())
        for (recipient, agencyId) in [(Recipient.agency("police:MO:Independence"), nil), (.agency("MO-KCPD"), "MO-KCPD")] as [(Recipient, String?)] {
            var notification = Self.notification(text: "x", stateId: "MO1234567", facts: 1, milliseconds: false)
            notification = BusNotification(
                recipient: recipient, priority: notification.priority, summary: notification.summary, reason: notification.reason,
                facts: notification.facts, occurredAt: notification.occurredAt, subjectStateId: notification.subjectStateId,
                sourceEventId: "6f1c2a7e-3b1d-4c55-9a0e-2d9b8f4e1a01", sourceEventType: notification.sourceEventType)
            #expect(notification.recipientAgencyId == agencyId)
            let body = try notification.encoded()
            var headers = [
                EventHeaders.eventType: BusNotification.eventType, EventHeaders.schemaVersion: String(BusNotification.schemaVersion),
                EventHeaders.eventId: notification.id, EventHeaders.contentType: EventHeaders.json,
            ]
            for header in NotificationSignature.headers(signing: body, with: .random()) { headers[header.key] = header.stringValue }
            _ = try validator.validateMessage(topic: "bus.notifications", key: Array(recipient.description.utf8), value: body, headers: headers)
        }
    }
}
