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
}
