import Audit
import Contracts
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Notifications
import Policy
import Testing

/// `GET /v1/inbox` and `POST /v1/notifications/{id}/ack`: only the caller's notifications,
/// deny-by-default fields, stable cursors, acknowledgements on the bus.
@Suite struct InboxTests {
    static let officer = Recipient.officer("PP-KC-118")

    @Test("the caller sees their own, their agency's and their role's notifications, never another agency's")
    func onlyTheCallersNotifications() async throws {
        let harness = try await GatewayHarness()
        let mine = notification(to: Self.officer, agency: "MO-DOC-PP", minute: 1)
        let agency = notification(to: .agency("MO-DOC-PP"), agency: nil, minute: 2)
        let role = notification(to: .role("officer", of: "MO-DOC-PP"), agency: "MO-DOC-PP", minute: 3)
        let sameOfficerIdOtherAgency = notification(to: Self.officer, agency: "MO-KCPD", minute: 4)
        let officerWithoutAgency = notification(to: Self.officer, agency: nil, minute: 5)
        let otherAgency = notification(to: .agency("MO-KCPD"), agency: nil, minute: 6)
        try await harness.store([mine, agency, role, sameOfficerIdOtherAgency, officerWithoutAgency, otherAgency])
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(token, contentType: nil))
            #expect(response.status == .ok)
            let items = try #require(try json(response.body)["items"] as? [[String: Any]])
            let ids = items.compactMap { ($0["notification"] as? [String: Any])?["id"] as? String }
            #expect(ids == [mine.id, agency.id, role.id])
        }
        #expect(try await harness.auditEntries() == 1, "one response, one audit entry")
        let entries = try await harness.ledger.search(person: "MO1234567")
        #expect(entries.count == 1)
        #expect(entries.first?.resource == BusNotification.eventType)
        #expect(entries.first?.channel == .api)
    }

    @Test("a mention's digest (an unkeyed digest of another person's state ID) is in no document; what matched is")
    func mentionDigestsAreNotDisclosed() async throws {
        let harness = try await GatewayHarness()
        try await harness.describe([("MO-DOC-PP", .communitySupervision)])
        var contact = notification(to: Self.officer, agency: "MO-DOC-PP", minute: 1)
        let mention = NotificationMention.mention(stateId: "MO5550001")
        contact.reason.matched.append(mention)
        try await harness.store([contact])
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(token, contentType: nil))
            #expect(response.status == .ok)
            let text = String(buffer: response.body)
            #expect(text.contains("MO1234567"), "the subject's state ID, what matched, is shown to the officer")
            #expect(!text.contains(mention.value) && !text.contains(NotificationMention.identifier))
        }
    }

    @Test("an agency whose kind neither the token nor the directory knows sees public fields only; every other one is absent and listed")
    func onlyPublicFieldsAreDisclosed() async throws {
        let harness = try await GatewayHarness()
        try await harness.store([notification(to: Self.officer, agency: "MO-DOC-PP", minute: 1)])
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(token, contentType: nil))
            let text = String(buffer: response.body)
            #expect(!text.contains("Reyes") && !text.contains("MO1234567") && !text.contains("571.030"), "no cji or pii value leaks")
            let item = try #require((try json(response.body)["items"] as? [[String: Any]])?.first)
            let shown = Set((item["notification"] as? [String: Any] ?? [:]).keys)
            #expect(shown == ["id", "recipient", "recipientAgencyId", "priority", "sourceEventId", "sourceEventType"])
            let withheld = try #require(item["withheld"] as? [[String: Any]])
            let byPath = Dictionary(uniqueKeysWithValues: withheld.map { ($0["path"] as? String ?? "", $0["classifications"] as? [String] ?? []) })
            #expect(byPath["$.summary"] == ["cji", "pii"])
            #expect(byPath["$.subjectStateId"] == ["cji", "pii"])
            #expect(byPath["$.occurredAt"] == ["cji", "pii"], "a notification is as sensitive as the arrest it was made from")
            #expect(Set(byPath.keys) == ["$.summary", "$.reason", "$.facts", "$.occurredAt", "$.subjectStateId"])
        }
    }

    @Test("the policy never passes through: a member the contract does not classify is withheld, even from an admin")
    func unclassifiedMembersAreWithheld() {
        let policy = DisclosurePolicy(policy: accessPolicy)
        let caller = Caller(subject: "S", agencyId: "MO-DOC-PP", roles: [.admin], purpose: .administration, agencyKind: .communitySupervision)
        let requester = policy.requester(for: caller, directoryKind: nil)
        #expect(requester.agencyKind == "community_supervision")
        let redaction = policy.redact(
            ["id": "x", "secretNote": "y"], eventType: BusNotification.eventType, schemaVersion: 1, for: requester, context: DisclosureContext())
        #expect(redaction.value == ["id": "x"])
        #expect(redaction.withheld.map(\.field) == ["secretNote"])
        #expect(redaction.withheld.first?.reason == .unclassified)
        let unknown = policy.redact(["id": "x"], eventType: "no.such.event", schemaVersion: 1, for: requester, context: DisclosureContext())
        #expect(unknown.value == [:])
    }

    @Test("pages follow a stable cursor, even when notifications arrive between pages; a forged cursor is 400")
    func paginationWithStableCursor() async throws {
        let harness = try await GatewayHarness()
        let first = (1...5).map { notification(to: Self.officer, agency: "MO-DOC-PP", minute: $0 * 10) }
        try await harness.store(first)
        let token = try await harness.issuer.token()
        try await harness.test { client in
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let uri = "/v1/inbox?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let response = try await client.execute(uri: uri, method: .get, headers: .bearer(token, contentType: nil))
                #expect(response.status == .ok)
                let body = try json(response.body)
                seen += (body["items"] as? [[String: Any]] ?? []).compactMap { ($0["notification"] as? [String: Any])?["id"] as? String }
                cursor = body["nextCursor"] as? String
                pages += 1
                // One that occurred earlier than everything arrives after the first page: the
                // cursor neither repeats nor skips what it already passed.
                if pages == 1 { try await harness.store([notification(to: Self.officer, agency: "MO-DOC-PP", minute: 0)]) }
            } while cursor != nil && pages < 10
            #expect(seen == first.map(\.id))
            let forged = try await client.execute(uri: "/v1/inbox?cursor=bm90LWEtY3Vyc29y", method: .get, headers: .bearer(token, contentType: nil))
            #expect(forged.status == .badRequest)
            let tooMany = try await client.execute(uri: "/v1/inbox?limit=100000", method: .get, headers: .bearer(token, contentType: nil))
            #expect(tooMany.status == .badRequest)
        }
    }

    @Test("a response is sent only once its disclosure is in the audit ledger: a ledger that cannot append means 503 and no data")
    func unrecordedDisclosureIsWithheld() async throws {
        let harness = try await GatewayHarness(ledgerFails: true)
        try await harness.store([notification(to: Self.officer, agency: "MO-DOC-PP", minute: 1)])
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(token, contentType: nil))
            #expect(response.status == .serviceUnavailable)
            let text = String(buffer: response.body)
            #expect(!text.contains("PP-KC-118") && !text.contains("MO1234567"))
        }
        #expect(try await harness.auditEntries() == 0)
    }

    @Test("acknowledging one's own notification publishes the acknowledgement; someone else's, or a bad id, is a plain 404")
    func acknowledge() async throws {
        let harness = try await GatewayHarness()
        let mine = notification(to: Self.officer, agency: "MO-DOC-PP", minute: 1)
        let theirs = notification(to: .agency("MO-KCPD"), agency: nil, minute: 2)
        try await harness.store([mine, theirs])
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let acked = try await client.execute(
                uri: "/v1/notifications/\(mine.id)/ack", method: .post, headers: .bearer(token), body: ByteBuffer(string: #"{"note":"on my way"}"#))
            #expect(acked.status == .accepted)
            let body = try json(acked.body)
            #expect(body["notificationId"] as? String == mine.id)
            #expect(body["by"] as? String == "officer:PP-KC-118")

            let other = try await client.execute(uri: "/v1/notifications/\(theirs.id)/ack", method: .post, headers: .bearer(token, contentType: nil))
            let missing = try await client.execute(uri: "/v1/notifications/\(UUID().uuidString)/ack", method: .post, headers: .bearer(token, contentType: nil))
            let traversal = try await client.execute(uri: "/v1/notifications/..%2F..%2Finbox.sqlite/ack", method: .post, headers: .bearer(token, contentType: nil))
            let dots = try await client.execute(uri: "/v1/notifications/../../etc/passwd/ack", method: .post, headers: .bearer(token, contentType: nil))
            #expect(other.status == .notFound)
            #expect(missing.status == .notFound)
            #expect(traversal.status == .notFound)
            #expect(dots.status == .notFound)
            #expect(String(buffer: other.body) == String(buffer: missing.body), "no hint that it exists")
        }
        let sent = harness.sink.sent
        #expect(sent.count == 1)
        #expect(sent.first?.topic == BusTopic.notificationAcks)
        #expect(sent.first.map { String(decoding: $0.key ?? [], as: UTF8.self) } == mine.id)
    }

    @Test("an integrator's or an auditor's token may not acknowledge (it would stop an urgent notification's escalation); an officer of the agency may")
    func onlyRolesThatActOnNotificationsAcknowledge() async throws {
        let harness = try await GatewayHarness()
        let urgent = notification(to: .duty("MO-KCPD"), agency: "MO-KCPD", minute: 1)
        try await harness.store([urgent])
        let integrator = try await harness.issuer.token(agency: "MO-KCPD", roles: ["integrator"], agencyKind: "police")
        let auditor = try await harness.issuer.token(agency: "MO-KCPD", roles: ["auditor"], agencyKind: "police")
        // The longest subject a token may carry (128 characters): the acknowledgement names it.
        let subject = "KCPD-" + String(repeating: "7", count: 123)
        let officer = try await harness.issuer.token(agency: "MO-KCPD", roles: ["officer"], agencyKind: "police", subject: subject)
        try await harness.test { client in
            for token in [integrator, auditor] {
                let refused = try await client.execute(uri: "/v1/notifications/\(urgent.id)/ack", method: .post, headers: .bearer(token, contentType: nil))
                #expect(refused.status == .forbidden)
            }
            #expect(harness.sink.sent.isEmpty)
            let acked = try await client.execute(uri: "/v1/notifications/\(urgent.id)/ack", method: .post, headers: .bearer(officer, contentType: nil))
            #expect(acked.status == .accepted)
            let body = try json(acked.body)
            #expect(body["by"] as? String == "duty:MO-KCPD")
            #expect(body["actor"] as? String == subject, "who acted for the duty desk: the token's subject")
        }
        let sent = try #require(harness.sink.sent.first)
        #expect(harness.sink.sent.count == 1)
        let headers = Dictionary(uniqueKeysWithValues: sent.headers.map { ($0.key, $0.stringValue ?? "") })
        #expect(headers["schema-version"] == "2")
        #expect(String(decoding: sent.value, as: UTF8.self).contains(#""actor":"\#(subject)""#))
    }
}
