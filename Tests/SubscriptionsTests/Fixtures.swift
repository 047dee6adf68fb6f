import Contracts
import Directory
import Foundation
import Kafka
import ServiceKit
import Subscriptions

/// The moment, agencies and requests the subscription tests share.
enum Fixtures {
    /// 2025-03-03T14:00:00Z.
    static let now = EventCodec.parseInstant("2025-03-03T14:00:00Z")!

    static func at(days: Double, hours: Double = 0) -> Date {
        now.addingTimeInterval(days * 86_400 + hours * 3_600)
    }

    static func instant(_ text: String) -> Date { EventCodec.parseInstant(text)! }

    static func agency(_ id: String, _ kind: AgencyKind, places: [String] = ["Kansas City"]) -> AgencyDescribed {
        AgencyDescribed(agencyId: id, kind: kind, name: "Agency \(id)", jurisdiction: AgencyJurisdiction(state: "MO", places: places))
    }

    /// Supervision, police, a jail, reentry services and a court.
    static let directory = AgencyDirectory(entries: [
        agency("MO-DOC-PP", .communitySupervision), agency("MO-KCPD", .police), agency("MO-JCSO", .jail),
        agency("MO-REENTRY", .reentryServices), agency("MO-CIRCUIT16", .court),
    ])

    static let rules = SubscriptionRules(moment: now, directory: directory)

    /// An officer of MO-DOC-PP following MO1234567's releases and arrests, on their supervision authority.
    static func request(
        subscriber: String = "officer:PP-KC-118", agency: String? = "MO-DOC-PP",
        subject: Subscription.Subject = .person(stateId: "MO1234567", fbiNumber: nil),
        events: [SubscriptionEventKind] = [.releases, .arrests], purpose: String? = "Pre-release planning for his parole",
        basis: LegalBasis? = LegalBasis(basis: .supervisionAuthority, citation: "RSMo 217.690"),
        startsAt: Date? = nil, expiresAt: Date? = nil, createdBy: String = "officer:PP-KC-118"
    ) -> SubscriptionRequest {
        SubscriptionRequest(
            subscriber: subscriber, subscriberAgencyId: agency, subject: subject, eventKinds: events, purpose: purpose, legalBasis: basis,
            startsAt: startsAt, expiresAt: expiresAt, createdBy: createdBy)
    }

    /// A subscription built directly (no rules), for the store: `n` names it (its id ends in n).
    static func subscription(
        _ n: Int, subscriber: String = "officer:PP-KC-118", subject: Subscription.Subject = .person(stateId: "MO1234567", fbiNumber: nil),
        events: [SubscriptionEventKind] = [.arrests], startsAt: Date = now, expiresAt: Date? = nil, status: SubscriptionStatus = .active
    ) -> Subscription {
        Subscription(
            id: "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - String(n).count) + String(n), subscriber: Subscriber(subscriber)!, subscriberAgencyId: "MO-DOC-PP",
            subject: subject, eventKinds: events, purpose: "Test \(n)", legalBasis: LegalBasis(basis: .supervisionAuthority),
            startsAt: startsAt, expiresAt: expiresAt ?? Subscription.oneYear(after: startsAt), createdBy: "operator:tests",
            createdAt: startsAt, status: status,
            cancellation: status == .cancelled ? SubscriptionCancellation(cancelledAt: startsAt, cancelledBy: "operator:tests") : nil)
    }

    /// `subscription` as the runtime hands its event to a store.
    static func admitted(_ subscription: Subscription, offset: Int64 = 0) throws -> AdmittedEvent {
        let event = EventEnvelope(
            occurredAt: subscription.createdAt, recordedAt: subscription.createdAt,
            source: SourceAgency(agencyId: subscription.subscriberAgencyId, agencyKind: .communitySupervision), subject: nil,
            payload: subscription.recorded)
        return AdmittedEvent(
            topicPartition: TopicPartition(topic: BusTopic.subscriptions, partition: 0), offset: KafkaOffset(offset), key: subscription.id,
            eventType: event.eventType, schemaVersion: event.schemaVersion, eventId: event.eventId.uuidString.lowercased(),
            value: try EventCodec.encode(event), timestampMilliseconds: nil)
    }

    /// The repository's contracts.
    static let catalog: TopicCatalog = {
        let topics = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Topics", isDirectory: true)
        return try! TopicCatalog.load(from: topics)
    }()
}
