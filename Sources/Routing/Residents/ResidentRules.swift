import Contracts
import Directory
import Foundation
import Notifications
import ServiceKit
import Storage

/// The resident rule family: a police agency follows the warrants and the supervision of the
/// supervisees registered at an address in its jurisdiction (an implicit subscription, from
/// the events themselves: nobody subscribes).
///
/// - `resident-warrant`: a warrant issued, served, recalled or quashed, or a detainer lodged or
///   lifted (`courts.warrants`, co-partitioned with the cases), of a person with a supervision
///   case covering the day it happened → the police agency serving the case's registered
///   address *on that day* (the agency directory: a police agency listing the city, else a
///   sheriff; else the fallback address `agency:police:<STATE>:<City>`, see `PlaceAgencies`).
/// - `resident-supervision-started`: a case starting with a registered address → its police
///   (once: a start re-sent for the case tells nobody again).
/// - `resident-supervision-ended`: a case ending → the police of its address on the end day.
/// - `resident-moved-in` / `resident-moved-out`: an address change (of a case covering its
///   effective day) to an address another police agency serves → the new address's police
///   (moved in) and the previous one's (moved out); a move within one jurisdiction tells nobody.
///
/// Routine, routed for the case (scope), with what police may read of a warrant (criminal
/// justice information) and of the case (type, agency, officer, dates, the address).
///
/// Order: warrants and cases are separate topics. Warrant events are kept
/// (`warrantEventRetention`), and every address of a case with the day it took effect, so a case
/// read after a warrant event routes it then, and each event goes to the police of the address
/// of *its* day whichever was read first. One dependency remains, as for a reassignment: a
/// warrant event dated after a move but read before the address change also reaches the
/// previous address's police (the address as far as the router knew); the new police get it
/// when the change is read. The directory is reference state read before the rest at start; a
/// directory entry read after an event does not re-route what went to the fallback address.
struct ResidentRules: RouterRuleSet {
    static let residentWarrant = "resident-warrant"
    static let supervisionStarted = "resident-supervision-started"
    static let supervisionEnded = "resident-supervision-ended"
    static let movedIn = "resident-moved-in"
    static let movedOut = "resident-moved-out"

    static let warrantsTopic = "courts.warrants"
    /// How long a warrant event is kept for cases (and address changes) read after it, by its
    /// Kafka timestamp. The topic keeps warrants forever; a case read more than a year after a
    /// warrant event no longer learns of it (the warrant resolver still checks every release
    /// against the active warrants).
    static let warrantEventRetention = RetentionWindow.days(365)

    var topics: [String] { [Self.warrantsTopic, DirectoryStore.topic] }
    /// The directory concerns everyone (the release rules keep it).
    var referenceTopics: [String] { [DirectoryStore.topic] }
    var migrations: [StorageMigration] { ResidentStore.migrations }

    func handles(eventType: String) -> Bool {
        WarrantFact.eventTypes.contains(eventType)
            || [CaseStarted.eventType, CaseEnded.eventType, AddressChanged.eventType].contains(eventType)
    }

    func apply(_ event: AdmittedEvent, in context: RouterContext) throws {
        let store = ResidentStore(context.storage)
        switch event.eventType {
        case let type where WarrantFact.eventTypes.contains(type):
            let issued = try WarrantFact.warrantId(of: event).flatMap { try store.issued($0) }
            let fact = try WarrantFact(event, issued: issued)
            guard fact.subject?.stateId != nil || fact.subject?.fbiNumber != nil else {
                // Version 2 admits a warrant under another number: no case can be matched to it
                // here (the warrant resolver matches it through the person index).
                if event.schemaVersion == WarrantIssued.stateIdOptionalVersion { return }
                throw PoisonMessage(reason: "\(event.eventType): subject.stateId: the resident rules match a warrant's person on state ID or FBI number")
            }
            let forgetAfter = Self.warrantEventRetention.forgetAfter(event.timestampMilliseconds)
            try store.keep(fact, forgetAfterMilliseconds: forgetAfter)
            try context.sendCountingMisses(
                try warrantNotifications(fact, cases: try context.cases.cases(matching: fact.subject), store, context),
                forgetAfterMilliseconds: forgetAfter)
        case CaseStarted.eventType:
            let started = try event.decode(CaseStarted.self)
            let payload = started.payload
            if let address = payload.address {
                // A start re-sent for a case already registered somewhere tells nobody again.
                let firstAddress = try !store.hasAddresses(payload.caseId)
                try store.recordAddress(address, caseId: payload.caseId, from: payload.startDate.description, eventId: event.eventId, subject: started.subject)
                if firstAddress, let supervision = try context.cases.supervisionCase(id: payload.caseId) {
                    try context.sendCountingMisses([ResidentNotification.supervision(
                        rule: Self.supervisionStarted, what: "under \(payload.supervisionType.rawValue) supervision from \(payload.startDate)",
                        supervision: supervision, address: address, police: try police(serving: address, context), event: event,
                        occurredAt: started.occurredAt)], forgetAfterMilliseconds: nil)
                }
            }
            try rerouteKept(of: started.subject, nowMilliseconds: event.timestampMilliseconds, store, context)
        case AddressChanged.eventType:
            let changed = try event.decode(AddressChanged.self)
            let payload = changed.payload
            let supervision = try context.cases.supervisionCase(id: payload.caseId)
            let day = payload.effectiveDate.description
            try store.recordAddress(payload.address, caseId: payload.caseId, from: day, eventId: event.eventId, subject: supervision?.subject ?? changed.subject)
            if let supervision, supervision.covers(day) {
                try context.sendCountingMisses(
                    try moveNotifications(changed, event: event, supervision: supervision, store, context), forgetAfterMilliseconds: nil)
            }
            try rerouteKept(of: supervision?.subject ?? changed.subject, nowMilliseconds: event.timestampMilliseconds, store, context)
        case CaseEnded.eventType:
            let ended = try event.decode(CaseEnded.self)
            guard let supervision = try context.cases.supervisionCase(id: ended.payload.caseId),
                  let address = try address(of: supervision, on: ended.payload.endDate.description, store) else { return }
            try context.sendCountingMisses([ResidentNotification.supervision(
                rule: Self.supervisionEnded, what: "no longer under supervision from \(ended.payload.endDate) (\(ended.payload.endReason.rawValue))",
                supervision: supervision, address: address, police: try police(serving: address, context), event: event,
                occurredAt: ended.occurredAt)], forgetAfterMilliseconds: nil)
        default:
            return
        }
    }

    /// `resident-warrant` for one fact: the police of the address, on the fact's day, of each
    /// case covering that day (each notification once).
    private func warrantNotifications(_ fact: WarrantFact, cases: [SupervisionCase], _ store: ResidentStore, _ context: RouterContext) throws -> [BusNotification] {
        var notifications: [BusNotification] = []
        for supervision in cases where supervision.covers(fact.day) {
            guard let address = try address(of: supervision, on: fact.day, store) else { continue }
            let notification = ResidentNotification.warrant(fact, supervision: supervision, address: address, police: try police(serving: address, context))
            if !notifications.contains(where: { $0.id == notification.id }) { notifications.append(notification) }
        }
        return notifications
    }

    /// The kept warrant events of the person, routed again against the cases and addresses now
    /// known (a case or an address read after them); ids make a repeat a no-op.
    private func rerouteKept(of subject: SubjectIdentifiers?, nowMilliseconds: Int64?, _ store: ResidentStore, _ context: RouterContext) throws {
        let facts = try store.facts(of: subject, nowMilliseconds: nowMilliseconds)
        guard !facts.isEmpty else { return }
        let cases = try context.cases.cases(matching: subject)
        for (fact, forgetAfter) in facts {
            try context.sendCountingMisses(try warrantNotifications(fact, cases: cases, store, context), forgetAfterMilliseconds: forgetAfter)
        }
    }

    /// `resident-moved-in` to the new address's police and `resident-moved-out` to the previous
    /// one's, when they differ.
    private func moveNotifications(
        _ changed: EventEnvelope<AddressChanged>, event: AdmittedEvent, supervision: SupervisionCase, _ store: ResidentStore, _ context: RouterContext
    ) throws -> [BusNotification] {
        let payload = changed.payload
        let day = payload.effectiveDate.description
        let previous = try store.hasAddresses(supervision.caseId)
            ? try store.address(of: supervision.caseId, on: day, excluding: event.eventId)
            : nil
        let newPolice = try police(serving: payload.address, context)
        let oldPolice = try previous.map { try police(serving: $0, context) }
        guard newPolice != oldPolice else { return [] }
        var notifications = [ResidentNotification.supervision(
            rule: Self.movedIn, what: "moved into your jurisdiction on \(payload.effectiveDate)", supervision: supervision,
            address: payload.address, police: newPolice, event: event, occurredAt: changed.occurredAt)]
        if let previous, let oldPolice {
            notifications.append(ResidentNotification.supervision(
                rule: Self.movedOut, what: "moved out of your jurisdiction on \(payload.effectiveDate), to \(payload.address.city), \(payload.address.state)",
                supervision: supervision, address: previous, police: oldPolice, event: event, occurredAt: changed.occurredAt))
        }
        return notifications
    }

    /// The case's registered address on `day`; for a case whose addresses were never recorded
    /// here (stored before these rules), its current address.
    private func address(of supervision: SupervisionCase, on day: String, _ store: ResidentStore) throws -> Address? {
        try store.hasAddresses(supervision.caseId) ? try store.address(of: supervision.caseId, on: day) : supervision.address
    }

    private func police(serving address: Address, _ context: RouterContext) throws -> Recipient {
        try PlaceAgencies(for: address, in: DirectoryStore(context.storage)).police(serving: address)
    }

    // MARK: Sealing and forgetting

    func seal(_ order: SealingOrder, in context: RouterContext) throws -> SealingTally {
        let store = ResidentStore(context.storage)
        switch order.scope {
        case .allRecords: return try store.removePerson(order)
        case .listedCases: return try store.removeListedCases(order)
        }
    }

    func forget(before now: Int64, limit: Int, in context: RouterContext) throws {
        try ResidentStore(context.storage).forget(before: now, limit: limit)
    }
}
