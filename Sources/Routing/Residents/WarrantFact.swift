import Contracts
import Foundation
import Notifications
import ServiceKit

/// One event of `courts.warrants` (a warrant issued, served, recalled or quashed; a detainer
/// lodged or lifted) as the resident rules keep it: what happened to which warrant of whom, on
/// which day, completed with what an earlier event of the same warrant said (a service names
/// only the warrant id). Kept (JSON) so that a case read after the event still routes it;
/// built from events only, never from a clock.
struct WarrantFact: Codable, Sendable, Hashable {
    enum Kind: String, Codable, Sendable {
        case issued, served, recalled, quashed
        case detainerLodged = "detainer-lodged"
        case detainerLifted = "detainer-lifted"
    }

    var eventId: String
    var eventType: String
    var kind: Kind
    var occurredAt: Date
    var subject: SubjectIdentifiers?
    /// The warrant's id (a detainer's when it names one).
    var warrantId: String?
    var detainerId: String?
    /// The day it happened (`YYYY-MM-DD`): issued, served (UTC), recalled, quashed, lodged or lifted on.
    var day: String
    /// The court (or paroling authority) that issued the warrant, when this or an earlier event says.
    var issuingAgencyId: String?
    var warrantKind: String?
    /// What happened, as the "what" fact says it.
    var what: String
    /// The event's other details police may read (all criminal justice information).
    var details: [NotificationFact]

    /// The warrant event types the resident rules read.
    static let eventTypes: Set<String> = [
        WarrantIssued.eventType, WarrantServed.eventType, WarrantRecalled.eventType, WarrantQuashed.eventType,
        DetainerLodged.eventType, DetainerLifted.eventType,
    ]

    /// The warrant id an event names, if any (decoded by its type).
    static func warrantId(of event: AdmittedEvent) throws -> String? {
        switch event.eventType {
        case WarrantIssued.eventType: try event.decode(WarrantIssued.self).payload.warrantId
        case WarrantServed.eventType: try event.decode(WarrantServed.self).payload.warrantId
        case WarrantRecalled.eventType: try event.decode(WarrantRecalled.self).payload.warrantId
        case WarrantQuashed.eventType: try event.decode(WarrantQuashed.self).payload.warrantId
        case DetainerLodged.eventType: try event.decode(DetainerLodged.self).payload.warrantId
        default: nil
        }
    }

    /// The fact of `event`; `issued` is the kept fact of the warrant's issue, if read before
    /// (same topic and key: read before whenever it was published before).
    init(_ event: AdmittedEvent, issued: WarrantFact?) throws {
        eventId = event.eventId
        eventType = event.eventType
        issuingAgencyId = issued?.issuingAgencyId
        warrantKind = issued?.warrantKind
        details = []
        switch event.eventType {
        case WarrantIssued.eventType:
            let envelope = try event.decode(WarrantIssued.self)
            let payload = envelope.payload
            (kind, occurredAt, subject) = (.issued, envelope.occurredAt, envelope.subject)
            (warrantId, detainerId, day) = (payload.warrantId, nil, payload.issuedOn.description)
            issuingAgencyId = payload.issuingAgencyId
            warrantKind = payload.warrantKind.rawValue
            what = "warrant issued on \(payload.issuedOn) by \(payload.issuingAgencyId)"
            if let caseNumber = payload.caseNumber { details.append(NotificationFact("court case", caseNumber)) }
            if let charges = payload.charges, !charges.isEmpty { details.append(NotificationFact("charges", Describe.charges(charges))) }
            if let bond = payload.bondAmount { details.append(NotificationFact("bond", "$\(bond)")) }
            if let extraditable = payload.extraditable { details.append(NotificationFact("extraditable", extraditable ? "yes" : "no")) }
        case WarrantServed.eventType:
            let envelope = try event.decode(WarrantServed.self)
            let payload = envelope.payload
            (kind, occurredAt, subject) = (.served, envelope.occurredAt, envelope.subject)
            (warrantId, detainerId, day) = (payload.warrantId, nil, Describe.day(payload.servedAt).description)
            what = "warrant served at \(Describe.instant(payload.servedAt)) by \(payload.servingAgencyId)"
        case WarrantRecalled.eventType:
            let envelope = try event.decode(WarrantRecalled.self)
            let payload = envelope.payload
            (kind, occurredAt, subject) = (.recalled, envelope.occurredAt, envelope.subject)
            (warrantId, detainerId, day) = (payload.warrantId, nil, payload.recalledOn.description)
            what = "warrant recalled on \(payload.recalledOn): \(payload.reason)"
        case WarrantQuashed.eventType:
            let envelope = try event.decode(WarrantQuashed.self)
            let payload = envelope.payload
            (kind, occurredAt, subject) = (.quashed, envelope.occurredAt, envelope.subject)
            (warrantId, detainerId, day) = (payload.warrantId, nil, payload.quashedOn.description)
            what = "warrant quashed on \(payload.quashedOn): \(payload.reason)"
        case DetainerLodged.eventType:
            let envelope = try event.decode(DetainerLodged.self)
            let payload = envelope.payload
            (kind, occurredAt, subject) = (.detainerLodged, envelope.occurredAt, envelope.subject)
            (warrantId, detainerId, day) = (payload.warrantId, payload.detainerId, payload.lodgedOn.description)
            what = "detainer (\(payload.detainerKind.rawValue)) lodged on \(payload.lodgedOn) by \(payload.requestingAgencyId)"
            if let facility = payload.facility { details.append(NotificationFact("held at", "\(facility.name) (\(facility.facilityId))")) }
        default:
            let envelope = try event.decode(DetainerLifted.self)
            let payload = envelope.payload
            (kind, occurredAt, subject) = (.detainerLifted, envelope.occurredAt, envelope.subject)
            (warrantId, detainerId, day) = (nil, payload.detainerId, payload.liftedOn.description)
            what = "detainer lifted on \(payload.liftedOn)" + (payload.reason.map { ": \($0)" } ?? "")
        }
    }

    /// Who, what, which warrant or detainer, and the details.
    var facts: [NotificationFact] {
        var facts = [NotificationFact("who", Describe.identifiers(subject)), NotificationFact("what", what)]
        if let warrantId { facts.append(NotificationFact("warrant", warrantId + (warrantKind.map { " (\($0))" } ?? ""))) }
        if let detainerId { facts.append(NotificationFact("detainer", detainerId)) }
        if let issuingAgencyId { facts.append(NotificationFact("issuing agency", issuingAgencyId)) }
        return facts + details
    }

    /// The state ID (or FBI number) and the warrant or detainer id.
    var matched: [MatchedIdentifier] {
        var matched: [MatchedIdentifier] = []
        if let stateId = subject?.stateId { matched.append(MatchedIdentifier("stateId", stateId)) }
        else if let fbi = subject?.fbiNumber { matched.append(MatchedIdentifier("fbiNumber", fbi)) }
        if let warrantId { matched.append(MatchedIdentifier("warrantId", warrantId)) }
        if let detainerId { matched.append(MatchedIdentifier("detainerId", detainerId)) }
        return matched
    }
}
