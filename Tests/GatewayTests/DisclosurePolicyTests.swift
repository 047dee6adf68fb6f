import Audit
import Contracts
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Notifications
import Policy
import Synchronization
import Testing

/// The access policy and the audit ledger behind `GET /v1/inbox`: the same notification, read
/// by different people, discloses what each may see; every response is in the ledger, by field
/// and classification, never by value.
@Suite struct DisclosurePolicyTests {
    static let agency = "MO-DOC-PP"

    func inboxItems(_ harness: GatewayHarness, token: String) async throws -> [[String: Any]] {
        let body = Mutex<ByteBuffer?>(nil)
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(token, contentType: nil))
            #expect(response.status == .ok)
            body.withLock { $0 = response.body }
        }
        let bytes = try #require(body.withLock { $0 })
        return try #require(try json(bytes)["items"] as? [[String: Any]])
    }

    static func withheld(_ item: [String: Any]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: (item["withheld"] as? [[String: Any]] ?? []).map { ($0["path"] as? String ?? "", $0["code"] as? String ?? "") })
    }

    @Test("the same notification: its agency's officer sees CJI and PII; a reentry-services user of the agency sees none, each listed as not granted")
    func sameNotificationDifferentReaders() async throws {
        let harness = try await GatewayHarness()
        try await harness.describe([(Self.agency, .communitySupervision)])
        let arrest = notification(to: .agency(Self.agency), agency: nil, minute: 1)
        try await harness.store([arrest])

        let officer = try await inboxItems(harness, token: harness.issuer.token())
        let seen = try #require(officer.first?["notification"] as? [String: Any])
        #expect(seen["summary"] as? String == arrest.summary)
        #expect(seen["subjectStateId"] as? String == "MO1234567")
        #expect(Self.withheld(try #require(officer.first)).isEmpty)

        var claims = TestIssuer.Claims()
        claims.sub = "RS-9"
        claims.roles = ["reentry-services"]
        claims.purpose = "service-referral"
        let reentry = try await inboxItems(harness, token: harness.issuer.token(claims))
        let item = try #require(reentry.first)
        // The policy grants the reentry-services role nothing at a supervision agency, not even
        // public fields: deny by default.
        #expect((item["notification"] as? [String: Any])?.isEmpty == true)
        let withheld = Self.withheld(item)
        #expect(Set(withheld.keys) == Set(seen.keys.map { "$.\($0)" }), "every member the officer saw is listed")
        #expect(Set(withheld.values) == ["not_granted"])
        #expect((item["withheld"] as? [[String: Any]])?.allSatisfy { ($0["reason"] as? String)?.isEmpty == false } == true)
    }

    @Test("the agency kind in the token is used as such; the directory is asked only without it")
    func agencyKindFromToken() async throws {
        let harness = try await GatewayHarness()
        try await harness.store([notification(to: .officer("PP-KC-118"), agency: Self.agency, minute: 1)])
        var claims = TestIssuer.Claims()
        claims.agencyKind = "community_supervision"
        let items = try await inboxItems(harness, token: harness.issuer.token(claims))
        #expect((items.first?["notification"] as? [String: Any])?["summary"] != nil)
        claims.agencyKind = "no_such_kind"
        let broken = try await harness.issuer.token(claims)
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(broken, contentType: nil))
            #expect(response.status == .unauthorized, "a kind outside the glossary is a broken token")
        }
    }

    @Test("a bulletin's notification: its health content is withheld without a consent in force, and no Part 2 notice goes with nothing")
    func bulletinWithoutConsent() async throws {
        let harness = try await GatewayHarness()
        try await harness.describe([(Self.agency, .communitySupervision)])
        var bulletin = notification(to: .officer("PP-KC-118"), agency: Self.agency, minute: 1)
        bulletin.sourceEventType = "supervision.mental-health-bulletin.published"
        bulletin.summary = "Mental-health bulletin for Darnell Reyes"
        try await harness.store([bulletin])
        let items = try await inboxItems(harness, token: harness.issuer.token())
        let item = try #require(items.first)
        let withheld = Self.withheld(item)
        #expect(withheld["$.summary"] == "consent_not_in_force")
        #expect(withheld["$.facts"] == "consent_not_in_force")
        #expect((item["notification"] as? [String: Any])?["summary"] == nil)
        #expect(item["notices"] == nil, "the Part 2 notice travels with disclosed health fields only")
        let entry = try #require(try await harness.ledger.search(person: "MO1234567").first)
        #expect(entry.withheld.contains { $0.field == "summary" && $0.classifications.contains(.health) && $0.reason == .consentNotInForce })
    }

    @Test("every response with data is one audit entry naming the persons and fields by classification, never values; the chain verifies")
    func auditEntryPerResponse() async throws {
        let harness = try await GatewayHarness()
        try await harness.describe([(Self.agency, .communitySupervision)])
        try await harness.store([
            notification(to: .agency(Self.agency), agency: nil, minute: 1, person: "MO1234567"),
            notification(to: .agency(Self.agency), agency: nil, minute: 2, person: "MO7654321"),
        ])
        let token = try await harness.issuer.token()
        _ = try await inboxItems(harness, token: token)
        _ = try await inboxItems(harness, token: token)
        #expect(try await harness.auditEntries() == 2)
        let entries = try await harness.ledger.search(person: "MO7654321")
        #expect(entries.count == 2)
        let entry = try #require(entries.first)
        #expect(entry.requester.subject == "PP-KC-118" && entry.requester.agencyId == Self.agency)
        #expect(entry.requester.agencyKind == "community_supervision" && entry.requester.roles == [.officer] && entry.purpose == .supervision)
        #expect(Set(entry.persons.map(\.value)) == ["MO1234567", "MO7654321"])
        #expect(entry.disclosed.first { $0.field == "summary" }?.classifications == [.cji, .pii])
        let body = String(decoding: try entry.encoded(), as: UTF8.self)
        #expect(!body.contains("Reyes") && !body.contains("571.030"), "the ledger holds fields, never their values")
        #expect(try await harness.ledger.pendingPublicationCount() == 2, "queued for bus.audit")
    }

    @Test("a cross-agency attempt is denied and discloses nothing; the acknowledgement of another agency's notification is recorded as a denial")
    func crossAgencyIsDenied() async throws {
        let harness = try await GatewayHarness()
        try await harness.describe([(Self.agency, .communitySupervision), ("MO-KCPD", .police)])
        let theirs = notification(to: .agency(Self.agency), agency: nil, minute: 1)
        try await harness.store([theirs])
        let police = try await harness.issuer.token(agency: "MO-KCPD", roles: ["officer"], subject: "KC-1")
        let deniedCount = Mutex(0)
        try await harness.test { client in
            let inbox = try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(police, contentType: nil))
            if inbox.status == .ok, (try json(inbox.body)["items"] as? [Any])?.isEmpty == true { deniedCount.withLock { $0 += 1 } }
            let ack = try await client.execute(uri: "/v1/notifications/\(theirs.id)/ack", method: .post, headers: .bearer(police, contentType: nil))
            if ack.status == .notFound { deniedCount.withLock { $0 += 1 } }
            #expect(!String(buffer: ack.body).contains("MO1234567"))
        }
        let denied = deniedCount.withLock { $0 }
        let entries = try await harness.ledger.entries()
        print("cross-agency attempts: 2, denied: \(denied), audited as denied: \(entries.filter(\.isDenial).count)")
        #expect(denied == 2)
        // The empty page asked for nothing of theirs; the acknowledgement named their notification.
        #expect(entries.count == 1)
        #expect(entries.first?.isDenial == true && entries.first?.denialReason == .notAddressedToCaller)
        #expect(entries.first?.disclosed.isEmpty == true && entries.first?.withheld.isEmpty == true)
        #expect(entries.first?.requester.agencyId == "MO-KCPD")
        #expect(try await harness.auditEntries() == 1, "the chain stays whole")
    }
}
