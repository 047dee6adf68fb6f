import Contracts
import Foundation
import Notifications
import ServiceKit
import Storage

/// The issuing-court rule family: a court (or paroling authority) follows the warrants it
/// issued (an implicit subscription: the warrant's `issuingAgencyId`).
///
/// - `issued-warrant-resolved`: the warrant served, or recalled or quashed by an agency other
///   than the issuing one (the event's source) → the issuing agency.
/// - `issued-warrant-subject-arrested`: an arrest (`police.arrests`) of the person at a time the
///   warrant was active (from the start of its issue day until it was served, recalled or
///   quashed) → the issuing agency; routed for the warrant (scope), from the arrest.
/// - `issued-warrant-subject-supervised`: a supervision case of the person covering a time the
///   warrant was active → the issuing agency, with the case, its agency and officer; routed for
///   the case (scope), from the warrant's issue event, once per warrant and case.
///
/// Routine. Releases are not here: the warrant resolver already tells the issuing court of a
/// release check (resolve before release), and nothing is sent twice for it.
///
/// Order: a warrant's events are read in order (one partition, keyed by the person); arrests
/// and cases are other topics, kept by the router, so whichever is read first the notification
/// is sent once, with the same id. One dependency remains: a resolution that happened before an
/// arrest (or a case's start) but is read after it — the warrant looked active when the arrest
/// was read, and the court is told.
struct IssuedWarrantRules: RouterRuleSet {
    static let resolved = "issued-warrant-resolved"
    static let subjectArrested = "issued-warrant-subject-arrested"
    static let subjectSupervised = "issued-warrant-subject-supervised"

    /// How long a resolved warrant is remembered (for arrests and cases dated before its
    /// resolution but read after it), by the resolution's Kafka timestamp.
    static let resolvedRetention = RetentionWindow.days(365)

    var topics: [String] { [ResidentRules.warrantsTopic, SuperviseeArrestedRules.arrestsTopic] }
    var migrations: [StorageMigration] { IssuedWarrantStore.migrations }

    func handles(eventType: String) -> Bool {
        [WarrantIssued.eventType, WarrantServed.eventType, WarrantRecalled.eventType, WarrantQuashed.eventType,
         ArrestMade.eventType, CaseStarted.eventType].contains(eventType)
    }

    func apply(_ event: AdmittedEvent, in context: RouterContext) throws {
        let store = IssuedWarrantStore(context.storage)
        switch event.eventType {
        case WarrantIssued.eventType:
            let issued = try event.decode(WarrantIssued.self)
            let payload = issued.payload
            try RecordAuthority.warrantIssued(issued, issuer: try store.warrant(payload.warrantId)?.issuingAgencyId)
            // A warrant under neither a state ID nor an FBI number (version 2) is not kept: no
            // case or arrest can be matched to it here, and a sealing order (which names the
            // person by those numbers) could not find it again. The warrant resolver follows it
            // through the person index.
            guard SuperviseeArrested.hasMatchableIdentifier(issued.subject) else { return }
            try store.issue(IssuedWarrant(
                warrantId: payload.warrantId, subject: issued.subject, issuingAgencyId: payload.issuingAgencyId,
                warrantKind: payload.warrantKind.rawValue, issuedOn: payload.issuedOn.description, issuedEventId: event.eventId,
                activeFromMilliseconds: payload.issuedOn.startMilliseconds))
            guard let warrant = try store.warrant(payload.warrantId) else { return }
            try context.send(
                try supervisedNotifications(warrant, cases: try context.cases.cases(matching: warrant.subject)), forgetAfterMilliseconds: nil)
            for arrest in try context.cases.arrests(matching: warrant.subject, nowMilliseconds: event.timestampMilliseconds) {
                try context.send(arrestedNotifications(arrest.event, arrestEventId: arrest.event.eventId.uuidString.lowercased(), warrants: [warrant]),
                                 forgetAfterMilliseconds: arrest.forgetAfterMilliseconds)
            }
        case WarrantServed.eventType:
            let served = try event.decode(WarrantServed.self)
            try RecordAuthority.warrantServed(served)
            try resolved(served.payload.warrantId, at: served.payload.servedAt.milliseconds, by: served.payload.servingAgencyId,
                         fact: WarrantFact(event, issued: nil), event: event, store, context)
        case WarrantRecalled.eventType:
            let recalled = try event.decode(WarrantRecalled.self)
            try RecordAuthority.warrantEnded(
                event.eventType, warrantId: recalled.payload.warrantId, by: recalled.source,
                issuer: try store.warrant(recalled.payload.warrantId)?.issuingAgencyId)
            try resolved(recalled.payload.warrantId, at: recalled.payload.recalledOn.startMilliseconds, by: recalled.source.agencyId,
                         fact: WarrantFact(event, issued: nil), event: event, store, context)
        case WarrantQuashed.eventType:
            let quashed = try event.decode(WarrantQuashed.self)
            try RecordAuthority.warrantEnded(
                event.eventType, warrantId: quashed.payload.warrantId, by: quashed.source,
                issuer: try store.warrant(quashed.payload.warrantId)?.issuingAgencyId)
            try resolved(quashed.payload.warrantId, at: quashed.payload.quashedOn.startMilliseconds, by: quashed.source.agencyId,
                         fact: WarrantFact(event, issued: nil), event: event, store, context)
        case ArrestMade.eventType:
            let arrest = try event.decode(ArrestMade.self)
            try context.send(
                arrestedNotifications(arrest, arrestEventId: event.eventId, warrants: try store.warrants(of: arrest.subject)),
                forgetAfterMilliseconds: RouterProjection.defaultArrestRetention.forgetAfter(event.timestampMilliseconds))
        case CaseStarted.eventType:
            let started = try event.decode(CaseStarted.self)
            let cases = try context.cases.cases(matching: started.subject)
            for warrant in try store.warrants(of: started.subject) {
                try context.send(try supervisedNotifications(warrant, cases: cases), forgetAfterMilliseconds: nil)
            }
        default:
            return
        }
    }

    /// Records the resolution and tells the issuing agency when someone else resolved it.
    private func resolved(
        _ warrantId: String, at milliseconds: Int64, by agencyId: String, fact: WarrantFact, event: AdmittedEvent,
        _ store: IssuedWarrantStore, _ context: RouterContext
    ) throws {
        let forgetAfter = Self.resolvedRetention.forgetAfter(event.timestampMilliseconds)
        try store.resolve(warrantId, at: milliseconds, forgetAfterMilliseconds: forgetAfter)
        guard let warrant = try store.warrant(warrantId), warrant.issuingAgencyId != agencyId else { return }
        try context.send([IssuedWarrantNotification.resolved(fact, warrant: warrant, by: agencyId)], forgetAfterMilliseconds: forgetAfter)
    }

    /// `issued-warrant-subject-arrested`: one per warrant active at the arrest.
    private func arrestedNotifications(_ arrest: EventEnvelope<ArrestMade>, arrestEventId: String, warrants: [IssuedWarrant]) -> [BusNotification] {
        let at = arrest.payload.arrestedAt.milliseconds
        return warrants.filter { $0.isActive(at: at) }.map { IssuedWarrantNotification.arrested(arrest, arrestEventId: arrestEventId, warrant: $0) }
    }

    /// `issued-warrant-subject-supervised`: one per case of the person covering a time the warrant was active.
    private func supervisedNotifications(_ warrant: IssuedWarrant, cases: [SupervisionCase]) throws -> [BusNotification] {
        cases.filter { supervision in
            guard let start = CalendarDate(supervision.startDate)?.startMilliseconds else { return false }
            let end = supervision.endDate.flatMap { CalendarDate($0)?.startMilliseconds }.map { $0 + 86_400_000 } ?? Int64.max
            return warrant.activeFromMilliseconds < end && warrant.resolvedMilliseconds.map { $0 > start } ?? true
        }.map { IssuedWarrantNotification.supervised(warrant, supervision: $0) }
    }

    // MARK: Sealing and forgetting

    func seal(_ order: SealingOrder, in context: RouterContext) throws -> SealingTally {
        guard order.scope == .allRecords else { return SealingTally() }  // a warrant belongs to no supervision case
        return try IssuedWarrantStore(context.storage).removePerson(order)
    }

    func forget(before now: Int64, limit: Int, in context: RouterContext) throws {
        try IssuedWarrantStore(context.storage).forget(before: now, limit: limit)
    }
}
