import Contracts
import Foundation
import Kafka
import Routing
import ServiceKit

/// Events for the resident and issuing-court rules' tests: warrants of Reyes issued by the
/// 16th Circuit, served by KCPD, recalled or quashed; a detainer; a move to Independence.
extension Events {
    static let court = SourceAgency(agencyId: "MO-CIRCUIT16", agencyKind: .court)
    static let independencePDEntry = agency("MO-INDEP-PD", .police, name: "Independence Police Department", places: ["Independence"])

    static func warrantIssued(
        _ subject: SubjectIdentifiers = reyes, warrantId: String = "W-1", on day: CalendarDate = Events.day(-20), id name: String = "issued"
    ) -> EventEnvelope<WarrantIssued> {
        EventEnvelope(
            eventId: id(name), occurredAt: now, recordedAt: now, source: court, subject: subject,
            payload: WarrantIssued(warrantId: warrantId, warrantKind: .failureToAppear, issuedOn: day, issuingAgencyId: "MO-CIRCUIT16",
                                   caseNumber: "1616-CR02291", bondAmount: 2500, extraditable: false))
    }

    static func warrantServed(
        _ subject: SubjectIdentifiers = reyes, warrantId: String = "W-1", at: Date = Events.at(days: -5), by agency: String = "MO-KCPD", id name: String = "served"
    ) -> EventEnvelope<WarrantServed> {
        EventEnvelope(
            eventId: id(name), occurredAt: at, recordedAt: at, source: SourceAgency(agencyId: agency, agencyKind: .police), subject: subject,
            payload: WarrantServed(warrantId: warrantId, servedAt: at, servingAgencyId: agency))
    }

    static func warrantRecalled(
        _ subject: SubjectIdentifiers = reyes, warrantId: String = "W-1", on day: CalendarDate = Events.day(-5), by source: SourceAgency = court, id name: String = "recalled"
    ) -> EventEnvelope<WarrantRecalled> {
        EventEnvelope(
            eventId: id(name), occurredAt: now, recordedAt: now, source: source, subject: subject,
            payload: WarrantRecalled(warrantId: warrantId, recalledOn: day, reason: "Defendant appeared"))
    }

    static func warrantQuashed(
        _ subject: SubjectIdentifiers = reyes, warrantId: String = "W-1", on day: CalendarDate = Events.day(-5), by source: SourceAgency, id name: String = "quashed"
    ) -> EventEnvelope<WarrantQuashed> {
        EventEnvelope(
            eventId: id(name), occurredAt: now, recordedAt: now, source: source, subject: subject,
            payload: WarrantQuashed(warrantId: warrantId, quashedOn: day, reason: "Issued in error"))
    }

    static func detainerLodged(_ subject: SubjectIdentifiers = reyes, on day: CalendarDate = Events.day(-3), id name: String = "detainer") -> EventEnvelope<DetainerLodged> {
        EventEnvelope(
            eventId: id(name), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "KS-JOCO-SO", agencyKind: .sheriff), subject: subject,
            payload: DetainerLodged(detainerId: "D-\(name)", detainerKind: .otherJurisdiction, requestingAgencyId: "KS-JOCO-SO", lodgedOn: day))
    }

    /// Reyes's case moves to Independence from `day`.
    static func movedToIndependence(
        on day: CalendarDate = Events.day(-10), subject: SubjectIdentifiers = reyes, id name: String = "moved-indep"
    ) -> EventEnvelope<AddressChanged> {
        EventEnvelope(
            eventId: id(name), occurredAt: now, recordedAt: now, source: parole, subject: subject,
            payload: AddressChanged(caseId: "CASE-1", address: independence, effectiveDate: day))
    }
}
