import Contracts
import Directory
import Foundation
import Gateway
import HTTPTypes
import LocalPostgres
import Kafka
import Notifications
import Policy
import ReadModels
import ServiceKit
import Storage
import Subscriptions
import Synchronization
import TestSupport
import Testing

/// Consent and Part 23 from the bus's own data (`StorageDisclosureContextSource`): the police
/// view's bulletins and the router's subscriptions, read as the gateway's inbox reads them.
@Suite struct DisclosureContextTests {
    static let police = "MO-KCPD"
    /// A police agency the bulletin's consent does not name.
    static let otherPolice = "MO-IPD"
    static let bulletinId = "MHB-2025-0042"
    static let person = SubjectIdentifiers(stateId: "MO1234567", name: PersonName(given: "Darnell", family: "Reyes"))
    static let consentScope = "Kansas City Police Department patrol and crisis intervention team"

    static func instant(_ text: String) -> Date { EventCodec.parseInstant(text)! }

    /// The police view's database, holding the bulletin published with consent from 2025-04-20
    /// through 2026-04-20 (and withdrawn when told), and `others`, each another person's with the
    /// same consent.
    static func views(withdrawn: Bool = false, others: [String] = []) async throws -> any StorageDatabase {
        try await views(withdrawn: withdrawn, others: others, in: try SQLiteStorage.inMemory())
    }

    /// ``views(withdrawn:others:)`` written into `storage` (a fresh database).
    static func views(withdrawn: Bool = false, others: [String] = [], in storage: any StorageDatabase) async throws -> any StorageDatabase {
        let view = PoliceViewStore()
        // The agency directory beside the view, as the views service keeps it.
        _ = try await storage.write { transaction in try StorageMigrator.migrate(view.migrations + DirectoryStore.migrations, in: transaction) }
        try await storage.write { transaction in
            for agency in [(police, "Kansas City Police Department", ["Kansas City"]), (otherPolice, "Independence Police Department", ["Independence"])] {
                try DirectoryStore(transaction).describe(AgencyDescribed(
                    agencyId: agency.0, kind: .police, name: agency.1, jurisdiction: AgencyJurisdiction(state: "MO", places: agency.2)))
            }
        }
        let published = EventEnvelope(
            occurredAt: instant("2025-04-21T10:00:00Z"), source: SourceAgency(agencyId: "MO-DOC-PP", agencyKind: .communitySupervision),
            subject: person,
            payload: MentalHealthBulletinPublished(
                bulletinId: bulletinId,
                consent: BulletinConsent(grantedOn: CalendarDate("2025-04-20")!, expiresOn: CalendarDate("2026-04-20")!, scope: consentScope),
                baseline: BulletinBaseline(summary: "Calm when well.", triggers: ["Raised voices"], whatHelps: ["Speak slowly"]),
                keyContacts: [KeyContact(name: "Angela Reyes", relationship: "mother", phone: "+1 816 555 0142")]))
        var events = [try admitted(published)]
        for (n, other) in others.enumerated() {
            var another = published
            another.eventId = UUID()
            another.subject = SubjectIdentifiers(stateId: "MO765432\(n)", name: PersonName(given: "Other", family: "Person\(n)"))
            another.payload.bulletinId = other
            events.append(try admitted(another))
        }
        if withdrawn {
            events.append(try admitted(EventEnvelope(
                occurredAt: instant("2025-09-01T10:00:00Z"), source: SourceAgency(agencyId: "MO-DOC-PP", agencyKind: .communitySupervision),
                subject: person, payload: MentalHealthBulletinWithdrawn(bulletinId: bulletinId, reason: .consentRevoked))))
        }
        let applied = events
        try await storage.write { transaction in
            for event in applied { try view.apply(event, in: transaction) }
        }
        return storage
    }

    static func admitted<Payload>(_ envelope: EventEnvelope<Payload>) throws -> AdmittedEvent {
        AdmittedEvent(
            topicPartition: TopicPartition(topic: PoliceViewStore.bulletinsTopic, partition: 0), offset: KafkaOffset(0),
            key: envelope.subject?.stateId ?? "", eventType: envelope.eventType, schemaVersion: envelope.schemaVersion,
            eventId: envelope.eventId.uuidString.lowercased(), value: try EventCodec.encode(envelope), timestampMilliseconds: nil)
    }

    /// The router's database holding `subscriptions`.
    static func router(_ subscriptions: [Subscription]) async throws -> any StorageDatabase {
        let storage = try SQLiteStorage.inMemory()
        _ = try storage.migrate(SubscriptionStore.migrations)
        try await storage.write { transaction in
            for subscription in subscriptions { try SubscriptionStore(transaction).record(subscription) }
        }
        return storage
    }

    static func subscription(id: String, basis: SubscriptionLegalBasis, status: SubscriptionStatus = .active) -> Subscription {
        Subscription(
            id: id, subscriber: Subscriber(kind: .officer, id: "KCPD-4471"), subscriberAgencyId: police,
            subject: .person(stateId: person.stateId, fbiNumber: nil), eventKinds: [.investigations], purpose: "Gang task force",
            legalBasis: LegalBasis(basis: basis, citation: "28 CFR 23.20"), startsAt: instant("2025-01-01T00:00:00Z"),
            expiresAt: instant("2025-12-31T00:00:00Z"), createdBy: "officer:KCPD-4471", createdAt: instant("2025-01-01T00:00:00Z"),
            status: status)
    }

    /// A bulletin's notification to the police agency, as the router words it.
    static var bulletinNotification: BusNotification { bulletinNotification(to: police) }

    static func bulletinNotification(to police: String, bulletin bulletinId: String = bulletinId) -> BusNotification {
        BusNotification(
            recipient: .agency(police), priority: .routine, summary: "Mental-health bulletin for crisis calls: Darnell Reyes",
            reason: NotificationReason(
                rule: "mental-health-bulletin", explanation: "The person consented to share this bulletin with police.",
                matched: [MatchedIdentifier("stateId", "MO1234567"), MatchedIdentifier("bulletinId", bulletinId)]),
            facts: [NotificationFact("bulletin", bulletinId), NotificationFact("baseline", "Calm when well.")],
            occurredAt: instant("2025-04-21T10:00:00Z"), subjectStateId: "MO1234567", sourceEventId: UUID().uuidString.lowercased(),
            sourceEventType: MentalHealthBulletinPublished.eventType, scope: bulletinId, recipientAgencyId: police)
    }

    /// An investigation's notification routed for subscription `id` (its scope), as the router's
    /// police audience words it.
    static func intelligenceNotification(subscriptionId id: String) -> BusNotification {
        BusNotification(
            recipient: .officer("KCPD-4471"), priority: .routine, summary: "A person you follow is named in investigation INV-77",
            reason: NotificationReason(
                rule: "subscription-investigations", explanation: "Your subscription \(id) (basis criminal_intelligence) follows this person",
                matched: [MatchedIdentifier("stateId", "MO1234567")]),
            facts: [NotificationFact("investigation", "INV-77"), NotificationFact("subscription", "\(id) (basis criminal_intelligence, until 2025-12-31)")],
            occurredAt: instant("2025-06-01T10:00:00Z"), subjectStateId: "MO1234567", sourceEventId: UUID().uuidString.lowercased(),
            sourceEventType: "police.investigation.updated", scope: "subscription:\(id)", recipientAgencyId: police)
    }

    func items(
        of notification: BusNotification, views: any StorageDatabase, router: any StorageDatabase, at now: String,
        roles: [String], purpose: String, subject: String = "KCPD-4471", agency: String = DisclosureContextTests.police
    ) async throws -> [[String: Any]] {
        let source = StorageDisclosureContextSource(views: { views }, subscriptions: { router }, now: { Self.instant(now) })
        let harness = try await GatewayHarness(disclosureContext: source)
        try await harness.store([notification])
        var claims = TestIssuer.Claims()
        claims.sub = subject
        claims.agency = agency
        claims.agencyKind = "police"
        claims.roles = roles
        claims.purpose = purpose
        return try await DisclosurePolicyTests().inboxItems(harness, token: harness.issuer.token(claims))
    }

    @Test("a bulletin with consent in force: a crisis-response police officer sees its health content, with the Part 2 notice")
    func consentInForce() async throws {
        let items = try await items(
            of: Self.bulletinNotification, views: Self.views(), router: Self.router([]), at: "2025-06-01T12:00:00Z",
            roles: ["officer"], purpose: "crisis_response")
        let item = try #require(items.first)
        let shown = try #require(item["notification"] as? [String: Any])
        #expect((shown["summary"] as? String)?.contains("Mental-health bulletin") == true)
        #expect(shown["facts"] != nil)
        #expect(DisclosurePolicyTests.withheld(item)["$.summary"] == nil)
        let notices = (item["notices"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        #expect(notices == [DisclosureNotice.part2Redisclosure.rawValue])
    }

    @Test("a police agency the consent's scope does not name gets no consent context: the health content is withheld as consent_not_in_force")
    func consentOutsideItsScope() async throws {
        // The same bulletin's notification, reaching another police agency (sent on, or to its
        // duty desk): its consent names the Kansas City police only.
        let notification = Self.bulletinNotification(to: Self.otherPolice)
        let items = try await items(
            of: notification, views: Self.views(), router: Self.router([]), at: "2025-06-01T12:00:00Z",
            roles: ["officer"], purpose: "crisis_response", subject: "IPD-12", agency: Self.otherPolice)
        let item = try #require(items.first)
        #expect(DisclosurePolicyTests.withheld(item)["$.summary"] == WithholdingReason.consentNotInForce.rawValue)
        #expect(DisclosurePolicyTests.withheld(item)["$.facts"] == WithholdingReason.consentNotInForce.rawValue)
        #expect((item["notification"] as? [String: Any])?["summary"] == nil)
    }

    @Test("a bulletin withdrawn, or past its consent's expiry day, is withheld as consent_not_in_force, with no notice")
    func consentNotInForce() async throws {
        let cases: [(views: any StorageDatabase, at: String)] = [
            (try await Self.views(withdrawn: true), "2025-10-01T12:00:00Z"),
            (try await Self.views(), "2026-04-21T00:00:01Z"),
        ]
        for (views, at) in cases {
            let items = try await items(
                of: Self.bulletinNotification, views: views, router: Self.router([]), at: at, roles: ["officer"], purpose: "crisis_response")
            let item = try #require(items.first)
            #expect(DisclosurePolicyTests.withheld(item)["$.summary"] == WithholdingReason.consentNotInForce.rawValue, "at \(at)")
            #expect(DisclosurePolicyTests.withheld(item)["$.facts"] == WithholdingReason.consentNotInForce.rawValue, "at \(at)")
            #expect((item["notification"] as? [String: Any])?["summary"] == nil)
            #expect(item["notices"] == nil)
        }
    }

    @Test("the consent's expiry day still counts (to its end, UTC)")
    func consentLastDay() async throws {
        let lastDay = try await items(
            of: Self.bulletinNotification, views: Self.views(), router: Self.router([]), at: "2026-04-20T23:59:59Z",
            roles: ["officer"], purpose: "crisis_response")
        #expect(DisclosurePolicyTests.withheld(try #require(lastDay.first))["$.summary"] == nil)
    }

    @Test("an intelligence notification: shown to the analyst on an active Part 23 subscription, withheld as no_part23_basis otherwise")
    func part23Subscription() async throws {
        let notification = Self.intelligenceNotification(subscriptionId: "SUB-1")
        let holds = try await items(
            of: notification, views: Self.views(), router: Self.router([Self.subscription(id: "SUB-1", basis: .criminalIntelligence)]),
            at: "2025-06-01T12:00:00Z", roles: ["analyst"], purpose: "investigation")
        let shown = try #require(holds.first)
        #expect((shown["notification"] as? [String: Any])?["summary"] != nil)
        #expect(DisclosurePolicyTests.withheld(shown)["$.summary"] == nil)

        let refusals: [(subscriptions: [Subscription], at: String, why: String)] = [
            ([], "2025-06-01T12:00:00Z", "no subscription"),
            ([Self.subscription(id: "SUB-1", basis: .taskForce)], "2025-06-01T12:00:00Z", "another basis"),
            ([Self.subscription(id: "SUB-1", basis: .criminalIntelligence, status: .cancelled)], "2025-06-01T12:00:00Z", "cancelled"),
            ([Self.subscription(id: "SUB-1", basis: .criminalIntelligence)], "2026-01-02T00:00:00Z", "expired"),
            ([Self.subscription(id: "SUB-2", basis: .criminalIntelligence)], "2025-06-01T12:00:00Z", "another subscription of the same officer"),
        ]
        for refusal in refusals {
            let items = try await items(
                of: notification, views: Self.views(), router: Self.router(refusal.subscriptions), at: refusal.at,
                roles: ["analyst"], purpose: "investigation")
            let item = try #require(items.first)
            #expect(DisclosurePolicyTests.withheld(item)["$.summary"] == WithholdingReason.noPart23Basis.rawValue, "\(refusal.why)")
            #expect((item["notification"] as? [String: Any])?["summary"] == nil, "\(refusal.why)")
        }
    }

    @Test("an inbox page reads each database once, however many of its notifications name a bulletin or a subscription (not once per notification or per bulletin)")
    func onePageOneRead() async throws {
        let views = CountingDatabase(try await Self.views(others: ["MHB-2025-0043"]))
        let router = CountingDatabase(try await Self.router([Self.subscription(id: "SUB-1", basis: .criminalIntelligence)]))
        let source = StorageDisclosureContextSource(views: { views }, subscriptions: { router }, now: { Self.instant("2025-06-01T12:00:00Z") })
        let harness = try await GatewayHarness(disclosureContext: source)
        // A mixed page: the bulletin in force twice, another in force, one the view never kept,
        // an investigation routed for a Part 23 subscription, and one for a subscription that
        // does not exist. (The inbox's order is not the order stored: items are told apart by
        // what they show.)
        try await harness.store([
            Self.bulletinNotification, Self.bulletinNotification(to: Self.police, bulletin: "MHB-2025-0099"),
            Self.bulletinNotification(to: Self.police, bulletin: "MHB-2025-0043"),
            Self.intelligenceNotification(subscriptionId: "SUB-1"), Self.bulletinNotification,
            Self.intelligenceNotification(subscriptionId: "SUB-404"),
        ])
        var claims = TestIssuer.Claims()
        claims.sub = "KCPD-4471"
        claims.agency = Self.police
        claims.agencyKind = "police"
        claims.purpose = "crisis_response"
        let items = try await DisclosurePolicyTests().inboxItems(harness, token: harness.issuer.token(claims))
        #expect(items.count == 6)
        // The bulletins in force shown (one of them twice); the one the view never kept withheld
        // for consent; both investigations withheld, since a crisis-response officer holds no
        // grant for criminal intelligence (which subscription holds a Part 23 basis is this
        // suite's part23Subscription test; here the router is read once for both all the same).
        let shown = items.compactMap { ($0["notification"] as? [String: Any])?["summary"] as? String }
        #expect(shown == Array(repeating: "Mental-health bulletin for crisis calls: Darnell Reyes", count: 3))
        let withheld = items.compactMap { DisclosurePolicyTests.withheld($0)["$.summary"] }.sorted()
        #expect(withheld == [WithholdingReason.consentNotInForce, .notGranted, .notGranted].map(\.rawValue))
        #expect(views.reads.withLock { $0 } == 1)
        // In it, one query for the bulletins and one read of the agency directory their scopes
        // are judged against (not one of each per bulletin).
        #expect(views.statements.withLock { $0 } == 2)
        #expect(router.reads.withLock { $0 } == 1)
    }

    @Test("a database that cannot be read is 503 and discloses nothing")
    func unreadable() async throws {
        struct Unreadable: Error {}
        let source = StorageDisclosureContextSource(views: { throw Unreadable() }, subscriptions: { throw Unreadable() })
        let harness = try await GatewayHarness(disclosureContext: source)
        try await harness.store([Self.bulletinNotification])
        let (status, body) = try await Self.inboxAsCrisisResponsePolice(harness)
        #expect(status == .serviceUnavailable)
        #expect(!body.contains("Mental-health"))
        #expect(try await harness.auditEntries() == 0)
    }

    /// `GET /v1/inbox` as a crisis-response officer of the police agency the bulletins go to.
    static func inboxAsCrisisResponsePolice(_ harness: GatewayHarness) async throws -> (status: HTTPResponse.Status, body: String) {
        var claims = TestIssuer.Claims()
        claims.agency = Self.police
        claims.agencyKind = "police"
        claims.purpose = "crisis_response"
        let token = try await harness.issuer.token(claims)
        let answer = Mutex<(status: HTTPResponse.Status, body: String)?>(nil)
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(token, contentType: nil))
            answer.withLock { $0 = (response.status, String(buffer: response.body)) }
        }
        return try #require(answer.withLock { $0 })
    }
}

extension DisclosureContextTests {
    /// A source that answers a page with one context fewer than its notifications (a defect of
    /// some future source): the page must not go out short, nor be skipped past.
    struct ShortSource: DisclosureContextSource {
        func context(for requester: Requester, notification: BusNotification) async throws -> DisclosureContext { DisclosureContext() }
        func contexts(for requester: Requester, notifications: [BusNotification]) async throws -> [DisclosureContext] {
            Array(repeating: DisclosureContext(), count: max(0, notifications.count - 1))
        }
    }

    @Test("contexts fewer than the notifications: 503, nothing disclosed, nothing recorded (not a page missing its last items)")
    func contextsShortOfThePage() async throws {
        let harness = try await GatewayHarness(disclosureContext: ShortSource())
        try await harness.store([Self.bulletinNotification, Self.bulletinNotification])
        #expect(try await Self.inboxAsCrisisResponsePolice(harness).status == .serviceUnavailable)
        #expect(try await harness.auditEntries() == 0)
    }
}

/// A database that counts its read transactions and the statements they ran.
final class CountingDatabase: StorageDatabase {
    let base: any StorageDatabase
    let reads = Mutex(0)
    let statements = Mutex(0)

    init(_ base: any StorageDatabase) { self.base = base }

    var dialect: StorageDialect { base.dialect }
    var location: String { base.location }

    func write<T: Sendable>(_ body: @escaping @Sendable (any StorageTransaction) throws -> T) async throws -> T { try await base.write(body) }

    func read<T: Sendable>(_ body: @escaping @Sendable (any StorageTransaction) throws -> T) async throws -> T {
        reads.withLock { $0 += 1 }
        return try await base.read { transaction in
            let result = try body(transaction)
            self.statements.withLock { $0 += transaction.statementCount }
            return result
        }
    }

    func readBlocking<T>(_ body: (any StorageTransaction) throws -> T) throws -> T {
        reads.withLock { $0 += 1 }
        return try base.readBlocking(body)
    }

    func writeBlocking<T>(_ body: (any StorageTransaction) throws -> T) throws -> T { try base.writeBlocking(body) }
}

/// The police view's consent check on PostgreSQL: several bulletins in one query, as on SQLite.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct DisclosureContextPostgresTests {
    @Test("the bulletins whose consent is in force for the asking agency, several at once")
    func consentsInForce() async throws {
        try await onFreshPostgres { storage in
            let views = try await DisclosureContextTests.views(others: ["MHB-2025-0043"], in: storage)
            let asked: Set<String> = [DisclosureContextTests.bulletinId, "MHB-2025-0043", "MHB-2025-0099"]
            let view = PoliceViewStore()
            for (agency, at, expected) in [
                (DisclosureContextTests.police, "2025-06-01T12:00:00Z", [DisclosureContextTests.bulletinId, "MHB-2025-0043"]),
                (DisclosureContextTests.otherPolice, "2025-06-01T12:00:00Z", []),
                (DisclosureContextTests.police, "2026-04-21T00:00:01Z", []),
            ] {
                let inForce = try await views.read { transaction in
                    try view.consentsInForce(bulletinIds: asked, for: agency, asOf: DisclosureContextTests.instant(at), in: transaction)
                }
                #expect(inForce.keys.sorted() == expected, "\(agency) at \(at)")
            }
        }
    }
}
