import Contracts
import Foundation
import Notifications
import Testing

@Suite("The bus's own topics have contracts")
struct BusTopicContractTests {
    let catalog = try! TopicCatalog.load(from: repositoryTopics)

    /// The headers a service sends with a notification (signature values are made up: the
    /// contract checks their form, the readers verify them).
    func headers(_ notification: BusNotification) -> [String: String] {
        [
            EventHeaders.eventType: BusNotification.eventType, EventHeaders.schemaVersion: String(BusNotification.schemaVersion),
            EventHeaders.eventId: notification.id, EventHeaders.contentType: EventHeaders.json,
            "notification-signature": "q5Xw0V1m0Yb3tq7rJ2v8lA9Zc3Ff6Hh1Kk4Mm7Pp0Ss=", "notification-key-id": "router-2026-11",
        ]
    }

    let notification = BusNotification(
        recipient: .officer("PP-KC-118"), priority: .urgent,
        summary: "Your supervisee Darnell Reyes (MO1234567) was arrested by MO-KCPD",
        reason: NotificationReason(rule: "supervisee-arrested", explanation: "You supervise this person.", matched: [MatchedIdentifier("stateId", "MO1234567")]),
        facts: [NotificationFact("who", "Darnell Reyes"), NotificationFact("report", "")],
        occurredAt: Date(timeIntervalSince1970: 1_749_700_000.25), subjectStateId: "MO1234567",
        sourceEventId: "6F1C2A7E-3B1D-4C55-9A0E-2D9B8F4E1A01".lowercased(), sourceEventType: "police.arrest.made")

    @Test("every name in BusTopic.all has a contract, so topics apply creates it")
    func everyBusTopicHasAContract() {
        for name in BusTopic.all {
            #expect(catalog.topic(named: name) != nil, "no contract for \(name)")
        }
        #expect(catalog.topic(named: BusTopic.notifications)?.valueFormat == .message)
        #expect(catalog.topic(named: BusTopic.deadLetters)?.valueFormat == .opaque)
        #expect(catalog.topic(forEventType: BusNotification.eventType)?.name == BusTopic.notifications)
    }

    /// Subscriptions are enveloped events like the agencies', compacted like the directory, so
    /// a reader from the start has each one's latest state.
    @Test("bus.subscriptions: enveloped events, compacted by subscription id")
    func subscriptionsTopic() throws {
        let topic = try #require(catalog.topic(named: BusTopic.subscriptions))
        #expect(topic.valueFormat == .event)
        #expect(topic.cleanupPolicy == .compact)
        #expect(topic.key.field == "payload.subscriptionId")
        #expect(catalog.topic(forEventType: SubscriptionRecorded.eventType)?.name == BusTopic.subscriptions)
    }

    @Test("an acknowledgement as `reentrybus ack` encodes it passes the bus.notification-acks contract, keyed by its notification")
    func encodedAcknowledgementIsValid() throws {
        let validator = EventValidator(catalog: catalog)
        for note in [nil, "Calling the jail \"now\""] {
            let ack = NotificationAcknowledgement(
                notificationId: notification.id, by: .duty("MO-KCPD"), at: Date(timeIntervalSince1970: 1_750_000_000.25), note: note)
            let headers = [EventHeaders.eventType: NotificationAcknowledgement.eventType, EventHeaders.schemaVersion: "1", EventHeaders.eventId: ack.id]
            let event = try validator.validateMessage(
                topic: BusTopic.notificationAcks, key: Array(notification.id.utf8), value: ack.encoded(), headers: headers)
            #expect(event.eventType == NotificationAcknowledgement.eventType)
            #expect(try EventCodec.decodeJSON(NotificationAcknowledgement.self, from: ack.encoded()) == ack)
        }
        #expect(catalog.topic(named: BusTopic.notificationAcks)?.key.field == "notificationId")
    }

    @Test("a notification as the services encode it passes the bus.notifications contract")
    func encodedNotificationIsValid() throws {
        let value = try notification.encoded()
        let event = try EventValidator(catalog: catalog).validateMessage(
            topic: BusTopic.notifications, key: Array(notification.recipient.description.utf8), value: value, headers: headers(notification))
        #expect(event.eventType == BusNotification.eventType)
        #expect(event.eventId == notification.id)
        #expect(event.key == "officer:PP-KC-118")
        // A notification without the optional state ID is valid too.
        var anonymous = notification
        anonymous.subjectStateId = nil
        _ = try EventValidator(catalog: catalog).validateMessage(
            topic: BusTopic.notifications, key: Array(anonymous.recipient.description.utf8), value: try anonymous.encoded(), headers: headers(anonymous))
    }

    @Test("a notification is refused when its headers, key or value break the contract")
    func brokenNotificationIsRefused() throws {
        let validator = EventValidator(catalog: catalog)
        let value = try notification.encoded()
        func reason(key: [UInt8]? = nil, value: [UInt8]? = nil, editing edit: (inout [String: String]) -> Void = { _ in }) -> String? {
            var headers = self.headers(notification)
            edit(&headers)
            do {
                _ = try validator.validateMessage(topic: BusTopic.notifications, key: key ?? Array(notification.recipient.description.utf8), value: value ?? Array(try notification.encoded()), headers: headers)
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(reason { $0["notification-signature"] = nil } == "header notification-signature: missing")
        #expect(reason { $0["notification-key-id"] = "key id with spaces" }?.hasPrefix("header notification-key-id: does not match") == true)
        #expect(reason { $0[EventHeaders.eventId] = UUID().uuidString.lowercased() } == "header event-id: differs from the message's id")
        #expect(reason { $0[EventHeaders.eventType] = "Bus.Notification.Routed" }?.contains("no contract defines Bus.Notification.Routed") == true)
        #expect(reason(key: Array("officer:someone-else".utf8)) == "message key: must equal the event's recipient")
        let forged = String(decoding: value, as: UTF8.self).replacingOccurrences(of: "\"officer:PP-KC-118\"", with: "\"bogus:kind:x\"")
        #expect(reason(key: Array("bogus:kind:x".utf8), value: Array(forged.utf8))?.contains("$.recipient") == true)
    }

    @Test("dead letters: the headers are checked, the value never is")
    func deadLetterHeaders() throws {
        let validator = EventValidator(catalog: catalog)
        let copy = ["dead-letter-reason": "not JSON", "dead-letter-source": "police.arrests[3]@1187", "event-type": "police.arrest.made"]
        try validator.validateHeaders(copy, topic: BusTopic.deadLetters)
        let reference = ["dead-letter-reason": "too large", "dead-letter-source": "police.arrests[7]@52011", "dead-letter-form": "reference", "dead-letter-size": "999800"]
        try validator.validateHeaders(reference, topic: BusTopic.deadLetters)
        #expect(throws: EventValidationError.self) { try validator.validateHeaders(["dead-letter-source": "police.arrests[3]@1187"], topic: BusTopic.deadLetters) }
        var badForm = reference
        badForm["dead-letter-form"] = "truncated"
        #expect(throws: EventValidationError.self) { try validator.validateHeaders(badForm, topic: BusTopic.deadLetters) }
        var sizeless = reference
        sizeless["dead-letter-size"] = nil
        #expect(throws: EventValidationError.self) { try validator.validateHeaders(sizeless, topic: BusTopic.deadLetters) }
        do {
            _ = try validator.validateMessage(topic: BusTopic.deadLetters, key: nil, value: [0xff, 0x00], headers: copy)
            Issue.record("a dead letter's value cannot be validated as an event")
        } catch {
            guard case .opaqueValue(let topic) = error.reason else { Issue.record("unexpected \(error)"); return }
            #expect(topic == BusTopic.deadLetters)
        }
    }

    @Test("a header example that no longer fails as declared is reported")
    func headerExamplesAreChecked() throws {
        let copy = try copyOfTopics()
        defer { try? FileManager.default.removeItem(at: copy) }
        try edit("bus.dead-letters.yaml", in: copy, replacing: "    values: [copy, reference]", with: "    values: [copy, reference, truncated]")
        let problems = TopicCatalog.check(directory: copy).problems
        #expect(problems.map(\.description) == [
            "bus.dead-letters.yaml: $.examples.invalid[2]: invalid example (a form other than copy or reference) does not fail at header dead-letter-form"
        ])
    }
}
