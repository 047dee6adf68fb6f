import Contracts
import Foundation
import Kafka
import ServiceKit

/// One event of `bus.warrant-checks` (`Topics/bus.warrant-checks.yaml`): the whole state of a
/// release's check after a change, for the jail and prison systems that must know whether
/// they may release. Keyed by release id; a reader keeps the highest revision.
///
/// Its id is derived from the release id and the revision, and the revision is counted in the
/// check's row in the transaction that changes it: a redelivered event changes nothing and
/// sends nothing, and a replay from the beginning publishes the same ids in the same order.
public struct WarrantCheckEvent: Sendable, Hashable, Codable {
    public static let topic = BusTopic.warrantChecks
    /// The version of a check whose release names the person by state ID or FBI number.
    public static let schemaVersion = 1
    /// The version of a check whose release does not (status `unconfirmed`, outcome
    /// `released_unconfirmed`): every event of such a check, so a reader of version 1 never
    /// meets a status it does not know.
    public static let unconfirmedVersion = 2

    /// Which change an event reports.
    public enum Change: String, Sendable, Hashable, CaseIterable {
        /// A release was scheduled (or completed without a schedule): a new check.
        case opened
        /// A warrant or detainer joined or left the check, the release moved, or it escalated.
        case updated
        /// The release happened or was cancelled: the check is closed.
        case resolved

        /// `bus.warrant-check.<change>`.
        public var eventType: String { "bus.warrant-check.\(rawValue)" }
    }

    /// How a check was resolved.
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// Released while clear.
        case released
        /// Released while `pending` or `hold`: the resolver sent an URGENT alert.
        case releasedUnresolved = "released_unresolved"
        /// Released while `unconfirmed` (version 2 only): no warrant was known to match; a later
        /// link to a person with an active warrant is an URGENT alert of its own.
        case releasedUnconfirmed = "released_unconfirmed"
        case cancelled

        /// How the release of `check` (at its status when released) resolves it.
        static func ofRelease(_ check: WarrantCheck) -> Outcome {
            check.isUnresolved ? .releasedUnresolved : check.status == "unconfirmed" ? .releasedUnconfirmed : .released
        }
    }

    public struct Deadline: Sendable, Hashable, Codable {
        public var daysBefore: Int
        public var at: Date
        public var escalated: Bool
    }

    public struct ListedWarrant: Sendable, Hashable, Codable {
        public var warrantId: String
        public var warrantKind: String
        public var issuingAgencyId: String
    }

    public struct ListedDetainer: Sendable, Hashable, Codable {
        public var detainerId: String
        public var detainerKind: String
        public var holdingAgencyId: String
    }

    /// The facility releasing the person.
    public struct ReleasingFacility: Sendable, Hashable, Codable {
        public var facilityId: String
        public var name: String
    }

    /// The city released to: never the street address.
    public struct City: Sendable, Hashable, Codable {
        public var city: String
        public var state: String
    }

    public struct Cause: Sendable, Hashable, Codable {
        public var eventId: String
        public var eventType: String
        public var occurredAt: Date
    }

    public var id: String
    public var releaseId: String
    public var revision: Int
    public var status: String
    public var stateId: String?
    public var facility: ReleasingFacility
    public var releaseAt: Date
    public var deadlines: [Deadline]
    public var warrants: [ListedWarrant]
    public var detainers: [ListedDetainer]
    public var destination: City?
    public var supervisingAgencyId: String?
    public var outcome: Outcome?
    public var cause: Cause
    /// The contract version it is written in (a header, not a member of the value).
    public var version = Self.schemaVersion

    private enum CodingKeys: String, CodingKey {
        case id, releaseId, revision, status, stateId, facility, releaseAt, deadlines, warrants, detainers, destination,
             supervisingAgencyId, outcome, cause
    }

    /// The event's change: `resolved` with an outcome, else `opened` at revision 1, else `updated`.
    public var change: Change { outcome != nil ? .resolved : revision == 1 ? .opened : .updated }

    /// A UUID-shaped id (version 8) from SHA-256 of the release id and the revision.
    public static func id(releaseId: String, revision: Int) -> String {
        SHA256.derivedUUID("reentrybus.warrant-check\u{0}\(releaseId)\u{0}\(revision)")
    }

    /// The event for `check` at `revision`, listing `warrants` and `detainers`.
    init(
        _ check: WarrantCheck, revision: Int, warrants: [Warrant], detainers: [Detainer], outcome: Outcome?, cause: WarrantCheckRules.Source
    ) {
        id = Self.id(releaseId: check.releaseId, revision: revision)
        releaseId = check.releaseId
        self.revision = revision
        status = check.status
        stateId = check.stateId
        facility = ReleasingFacility(facilityId: check.facilityId, name: check.facilityName)
        let expected = check.expectedAtMilliseconds
        // Checks stored before the time was kept in milliseconds have its RFC 3339 form only.
        releaseAt = expected.map { Date(timeIntervalSince1970: Double($0) / 1000) } ?? EventCodec.parseInstant(check.releaseAt) ?? cause.occurredAt
        deadlines = expected.map { expected in
            CheckEscalation.stages.map { days in
                Deadline(
                    daysBefore: days, at: Date(timeIntervalSince1970: Double(CheckEscalation.dueAt(expectedAt: expected, days: days)) / 1000),
                    escalated: check.escalatedDays.map { days >= $0 } ?? false)
            }
        } ?? []
        self.warrants = warrants.map { ListedWarrant(warrantId: $0.warrantId, warrantKind: $0.kind, issuingAgencyId: $0.issuingAgencyId) }
        self.detainers = detainers.map { ListedDetainer(detainerId: $0.detainerId, detainerKind: $0.kind, holdingAgencyId: $0.holdingAgencyId) }
        destination = check.destination.map { City(city: $0.city, state: $0.state) }
        supervisingAgencyId = check.supervisingAgencyId
        self.outcome = outcome
        self.cause = Cause(eventId: cause.id, eventType: cause.eventType, occurredAt: cause.occurredAt)
        version = check.identifiedByNumber ? Self.schemaVersion : Self.unconfirmedVersion
    }

    /// The message value: sorted members, RFC 3339 instants.
    public func encoded() throws -> [UInt8] { try EventCodec.encodeJSON(self) }

    /// The outbox message: keyed by release id, typed and identified in the headers, kept
    /// with the person's state ID so a sealing order removes it before it goes out.
    func message() throws -> OutgoingMessage {
        OutgoingMessage(
            topic: Self.topic, key: releaseId, value: try encoded(),
            headers: [
                KafkaHeader(key: EventHeaders.eventType, value: change.eventType),
                KafkaHeader(key: EventHeaders.schemaVersion, value: String(version)),
                KafkaHeader(key: EventHeaders.eventId, value: id),
                KafkaHeader(key: EventHeaders.contentType, value: EventHeaders.json),
            ],
            subjectStateId: stateId)
    }

    /// Reads a `bus.warrant-checks` message value.
    public static func decode(_ bytes: [UInt8]) throws -> WarrantCheckEvent {
        try EventCodec.decodeJSON(WarrantCheckEvent.self, from: bytes)
    }
}
