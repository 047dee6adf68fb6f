import Contracts
import Foundation
import Notifications
import ServiceKit
import Storage
import Subscriptions

/// The rule family of the police events: `supervisee-booked`, `supervisee-victim`,
/// `supervisee-suspect`, `supervisee-police-contact`, `investigation-named-supervisee`,
/// `investigation-closed-purge`, and the explicit person subscriptions for arrests, bookings,
/// contacts, incidents and investigations (`subscription-<kind>`, `PoliceSubscriptionRules`).
///
/// Bookings (`police.arrests`) and contacts (`police.contacts`) are keyed by the person's state
/// ID on the cases' 12 partitions: read in the group, co-partitioned with the cases. Those whose
/// subject has neither a state ID nor an FBI number (version 2 of either topic) are left to
/// `LinkedArrestRules`, which routes them once the person index links their subject. Incidents
/// and investigations are keyed by their own id on 6: every instance reads them in full
/// (reference topics), keeps the facts of the people they name, and notifies for the cases it
/// holds. Subscriptions are read by every instance too, so a subscriber of a person named in an
/// incident or investigation is sent the notification by every instance: the same id each time,
/// which the inbox keeps once.
///
/// The outcome does not depend on the order in which the topics are read: each fact is kept
/// (`PoliceFactStore`, one row per person) until its topic can no longer redeliver it, and a
/// case, an address change or a subscription read after a fact routes it then. Ids derive from
/// the source event, rule, scope (case or subscription) and recipient: nothing is sent twice,
/// whichever event completed the match.
struct PoliceEventRules: RouterRuleSet {
    static let arrestsTopic = "police.arrests"
    static let contactsTopic = "police.contacts"
    static let incidentsTopic = "police.incidents"
    static let investigationsTopic = "police.investigations"

    /// The topics' retentions in their contracts (`Topics/police.*.yaml`).
    static let defaultRetentions = PoliceRetentions(
        arrests: .days(365), contacts: .days(180), incidents: .days(730), investigations: .days(365))

    let retentions: PoliceRetentions

    init(retentions: PoliceRetentions = Self.defaultRetentions) { self.retentions = retentions }

    var topics: [String] { [Self.arrestsTopic, Self.contactsTopic, Self.incidentsTopic, Self.investigationsTopic] }
    var referenceTopics: [String] { [Self.incidentsTopic, Self.investigationsTopic] }
    var migrations: [StorageMigration] { PoliceFactStore.migrations }

    static let eventTypes: Set<String> = [
        BookingRecorded.eventType, ContactRecorded.eventType, ViolentIncidentReported.eventType, InvestigationOpened.eventType,
        InvestigationUpdated.eventType, InvestigationClosed.eventType, ArrestMade.eventType, CaseStarted.eventType,
        AddressChanged.eventType, SubscriptionRecorded.eventType, OfficerAssigned.eventType,
    ]

    func handles(eventType: String) -> Bool { Self.eventTypes.contains(eventType) }

    func apply(_ event: AdmittedEvent, in context: RouterContext) throws {
        let store = PoliceFactStore(context.storage)
        let now = event.timestampMilliseconds
        switch event.eventType {
        case BookingRecorded.eventType:
            let booking = try event.decode(BookingRecorded.self)
            // Without a state ID or FBI number (police.arrests v2), the person-link family keeps
            // it until the person index links its record (`LinkedArrestRules`).
            guard SuperviseeArrested.hasMatchableIdentifier(booking.subject) else { return }
            try keepAndRoute(.booking(booking), factId: event.eventId, forgetAfter: retentions.arrests.forgetAfter(now), in: context)
        case ContactRecorded.eventType:
            var contact = try event.decode(ContactRecorded.self)
            try SuperviseePoliceContact.check(contact)
            // Without a state ID or FBI number (police.contacts v2), the person-link family keeps
            // it until the person index links its subject's record (`LinkedArrestRules`).
            guard SuperviseeArrested.hasMatchableIdentifier(contact.subject) else { return }
            // The person police met, when a sealing order covers them (a late delivery, a
            // replay): the contact is the subject's record, kept and routed without them.
            if let met = contact.payload.personContacted, try Self.isSealed(met, occurredAt: contact.occurredAt, context) {
                contact.payload.personContacted = nil
            }
            try keepAndRoute(.contact(contact), factId: event.eventId, forgetAfter: retentions.contacts.forgetAfter(now), in: context)
        case ViolentIncidentReported.eventType:
            let incident = try event.decode(ViolentIncidentReported.self)
            for fact in SuperviseeIncident.facts(of: incident) {
                guard try !Self.isSealed(fact.person, occurredAt: incident.occurredAt, context) else { continue }
                try keepAndRoute(
                    .incident(fact), factId: "\(event.eventId)/\(SuperviseeIncident.personKey(fact.person) ?? "")",
                    forgetAfter: retentions.incidents.forgetAfter(now), in: context)
            }
        case InvestigationOpened.eventType:
            let opened = try event.decode(InvestigationOpened.self)
            let id = opened.payload.investigationId
            guard try store.investigation(id) != .closed else { return }
            try investigationChanged(
                id, state: InvestigationNamedSupervisee.state(opened.payload), persons: opened.payload.personsOfInterest,
                event: event, occurredAt: opened.occurredAt, in: context)
        case InvestigationUpdated.eventType:
            let updated = try event.decode(InvestigationUpdated.self)
            let id = updated.payload.investigationId
            let state: InvestigationState
            switch try store.investigation(id) {
            case .closed?: return
            case .open(let known)?: state = InvestigationNamedSupervisee.state(known, after: updated.payload)
            case nil:
                guard let sensitivity = updated.payload.sensitivity else {
                    throw PoisonMessage(reason: "\(InvestigationUpdated.eventType): payload.sensitivity is missing for an investigation not opened here: it decides who may be told")
                }
                state = InvestigationState(
                    leadAgencyId: updated.source.agencyId, sensitivity: sensitivity, summary: updated.payload.summary,
                    area: updated.payload.area, contact: nil)
            }
            let persons = try updated.payload.personsOfInterest ?? store.personsOfInterest(of: id)
            try investigationChanged(id, state: state, persons: persons, event: event, occurredAt: updated.occurredAt, in: context)
        case InvestigationClosed.eventType:
            let closed = try event.decode(InvestigationClosed.self)
            let id = closed.payload.investigationId
            let forgetAfter = retentions.investigations.forgetAfter(now)
            try context.send(InvestigationClosedPurge.notifications(for: closed, receipts: try store.receipts(of: id)), forgetAfterMilliseconds: forgetAfter)
            try store.close(id, forgetAfterMilliseconds: forgetAfter)
        case ArrestMade.eventType:
            // The supervising officer's notification is `supervisee-arrested`'s; subscribers' here.
            let arrest = try event.decode(ArrestMade.self)
            try routeArrest(arrest, to: try personSubscriptions(arrest.subject, at: arrest.payload.arrestedAt, context),
                            forgetAfter: retentions.arrests.forgetAfter(now), in: context)
        case CaseStarted.eventType:
            let started = try event.decode(CaseStarted.self)
            for kept in try store.facts(about: started.subject, nowMilliseconds: now) {
                guard let current = try Self.asItStandsNow(kept, store) else { continue }
                try route(current, cases: try cases(of: current.fact, context), subscriptions: [], in: context)
            }
        case OfficerAssigned.eventType:
            // A new officer takes over what happened in the handover window before: the kept facts again.
            let assigned = try event.decode(OfficerAssigned.self)
            guard let supervision = try context.cases.supervisionCase(id: assigned.payload.caseId) else { return }
            for kept in try store.facts(about: supervision.subject, nowMilliseconds: now) {
                guard let current = try Self.asItStandsNow(kept, store) else { continue }
                try route(current, cases: try cases(of: current.fact, context), subscriptions: [], in: context)
            }
        case AddressChanged.eventType:
            // The address and household a contact is compared with changed: the kept contacts again.
            let changed = try event.decode(AddressChanged.self)
            guard let supervision = try context.cases.supervisionCase(id: changed.payload.caseId) else { return }
            for kept in try store.facts(about: supervision.subject, nowMilliseconds: now) {
                guard case .contact = kept.fact else { continue }
                try route(kept, cases: try cases(of: kept.fact, context), subscriptions: [], in: context)
            }
        case SubscriptionRecorded.eventType:
            try subscriptionRecorded(event, in: context)
        default:
            return
        }
    }

    func seal(_ order: SealingOrder, in context: RouterContext) throws -> SealingTally {
        try PoliceFactStore(context.storage).seal(order, stateIds: try context.cases.stateIds(of: order))
    }

    func forget(before now: Int64, limit: Int, in context: RouterContext) throws {
        try PoliceFactStore(context.storage).forget(before: now, limit: limit)
    }

    // MARK: Steps

    /// Keeps `fact` and routes it to the cases and subscriptions that match it now.
    private func keepAndRoute(_ fact: PoliceFact, factId: String, investigationId: String? = nil, forgetAfter: Int64?, in context: RouterContext) throws {
        try PoliceFactStore(context.storage).keep(fact, factId: factId, investigationId: investigationId, forgetAfterMilliseconds: forgetAfter)
        let kept = KeptPoliceFact(fact: fact, forgetAfterMilliseconds: forgetAfter)
        let subject = fact.person
        try route(
            kept, cases: try cases(of: fact, context),
            subscriptions: try context.subscriptions.active(forPerson: subject.stateId, fbiNumber: subject.fbiNumber, asOf: fact.occurredAt),
            in: context)
    }

    /// An investigation opened or updated: its state and persons of interest (those with a state
    /// ID, or an FBI number instead, whom no sealing order covers) recorded, and a fact kept and
    /// routed per person.
    private func investigationChanged(
        _ id: String, state: InvestigationState, persons: [InvolvedPerson], event: AdmittedEvent, occurredAt: Date, in context: RouterContext
    ) throws {
        let store = PoliceFactStore(context.storage)
        var named: [InvolvedPerson] = []
        for person in persons {
            guard let key = SuperviseeIncident.personKey(person), try !Self.isSealed(person, occurredAt: occurredAt, context),
                !named.contains(where: { SuperviseeIncident.personKey($0) == key })
            else { continue }
            named.append(person)
        }
        let forgetAfter = retentions.investigations.forgetAfter(event.timestampMilliseconds)
        try store.saveInvestigation(id, state: state, forgetAfterMilliseconds: forgetAfter)
        try store.replacePersonsOfInterest(of: id, with: named)
        for person in named {
            let fact = InvestigationFact(
                eventId: event.eventId, eventType: event.eventType, occurredAt: occurredAt, investigationId: id, state: state, person: person)
            try keepAndRoute(
                .investigation(fact), factId: "\(event.eventId)/\(SuperviseeIncident.personKey(person) ?? "")", investigationId: id,
                forgetAfter: forgetAfter, in: context)
        }
    }

    /// Sends what `kept` calls for among `cases` (those covering its day whose person it is)
    /// and `subscriptions` (those following its person, active at its time, for its kind);
    /// notifications about an investigation are noted for its closure.
    private func route(_ kept: KeptPoliceFact, cases: [SupervisionCase], subscriptions: [Subscription], in context: RouterContext) throws {
        let fact = kept.fact
        let day = Describe.day(fact.occurredAt).description
        let person = fact.person
        let at = fact.occurredAt.milliseconds
        // A contact is compared with the address and household registered on its day.
        let store = context.cases
        var audiences = try cases.filter { $0.covers(day) && Self.isPerson(fact, of: $0) }.flatMap { found in
            let supervision = if case .contact = fact { try store.registered(found, on: day) } else { found }
            return supervision.recipients(forEventAt: at).map { PoliceAudience.supervision(supervision, $0) }
        }
        audiences += PoliceSubscriptionRules.audiences(
            subscriptions.filter { PoliceSubscriptionRules.follows($0, person) }, kind: fact.subscriptionKind, at: fact.occurredAt)
        guard !audiences.isEmpty else { return }
        let notifications: [BusNotification]
        switch fact {
        case .booking(let booking): notifications = SuperviseeBooked.notifications(for: booking, audiences: audiences)
        case .contact(let contact): notifications = SuperviseePoliceContact.notifications(for: contact, audiences: audiences)
        case .incident(let incident): notifications = SuperviseeIncident.notifications(for: incident, audiences: audiences)
        case .investigation(let investigation):
            notifications = InvestigationNamedSupervisee.notifications(for: investigation, audiences: audiences)
            let store = PoliceFactStore(context.storage)
            for notification in notifications {
                try store.recordReceipt(of: InvestigationReceipt(
                    notificationId: notification.id, investigationId: investigation.investigationId,
                    recipient: notification.recipient.description, recipientAgencyId: notification.recipientAgencyId,
                    subjectStateId: notification.subjectStateId, subjectFbiNumber: notification.subjectFbiNumber))
            }
        }
        try context.send(notifications, forgetAfterMilliseconds: kept.forgetAfterMilliseconds)
    }

    /// Subscribers' notifications of an arrest.
    private func routeArrest(_ arrest: EventEnvelope<ArrestMade>, to subscriptions: [Subscription], forgetAfter: Int64?, in context: RouterContext) throws {
        guard let subject = arrest.subject else { return }
        let audiences = PoliceSubscriptionRules.audiences(
            subscriptions.filter { PoliceSubscriptionRules.follows($0, subject) }, kind: .arrests, at: arrest.payload.arrestedAt)
        try context.send(audiences.map { ArrestSubscriptionNotification.make(arrest, for: $0) }, forgetAfterMilliseconds: forgetAfter)
    }

    /// A subscription read (new, renewed, cancelled): the kept facts and arrests of its person
    /// that it covers are routed to it now (those already sent keep their ids).
    private func subscriptionRecorded(_ event: AdmittedEvent, in context: RouterContext) throws {
        let recorded = try event.decode(SubscriptionRecorded.self)
        // The store's copy: none when a sealing order covers its person (it was not kept).
        guard let subscription = try context.subscriptions.subscription(recorded.payload.subscriptionId),
              case .person(let stateId, let fbiNumber) = subscription.subject,
              !PoliceSubscriptionRules.kinds.isDisjoint(with: subscription.eventKinds) else { return }
        let subject = SubjectIdentifiers(stateId: stateId, fbiNumber: fbiNumber)
        let now = event.timestampMilliseconds
        let store = PoliceFactStore(context.storage)
        for kept in try store.facts(about: subject, nowMilliseconds: now) {
            guard let current = try Self.asItStandsNow(kept, store) else { continue }
            try route(current, cases: [], subscriptions: [subscription], in: context)
        }
        if subscription.covers(.arrests) {
            for arrest in try context.cases.arrests(matching: subject, nowMilliseconds: now) {
                try routeArrest(arrest.event, to: [subscription], forgetAfter: arrest.forgetAfterMilliseconds, in: context)
            }
        }
    }

    /// A kept fact as it may be sent again now (a case started, an officer assigned, a
    /// subscription recorded after it): an investigation fact judged by the investigation's
    /// current state (its latest sensitivity, summary and area: a routine investigation made
    /// restricted since reaches no officer), and not at all once the investigation is closed,
    /// forgotten, or no longer names the person. Other facts as kept.
    private static func asItStandsNow(_ kept: KeptPoliceFact, _ store: PoliceFactStore) throws -> KeptPoliceFact? {
        guard case .investigation(var fact) = kept.fact else { return kept }
        guard case .open(let state)? = try store.investigation(fact.investigationId) else { return nil }
        let key = SuperviseeIncident.personKey(fact.person)
        guard key != nil, try store.personsOfInterest(of: fact.investigationId).contains(where: { SuperviseeIncident.personKey($0) == key }) else {
            return nil
        }
        fact.state = state
        return KeptPoliceFact(fact: .investigation(fact), forgetAfterMilliseconds: kept.forgetAfterMilliseconds)
    }

    // MARK: Matching

    /// The cases of the person a fact is about (by state ID or FBI number).
    private func cases(of fact: PoliceFact, _ context: RouterContext) throws -> [SupervisionCase] {
        try context.cases.cases(matching: fact.person)
    }

    private func personSubscriptions(_ subject: SubjectIdentifiers?, at moment: Date, _ context: RouterContext) throws -> [Subscription] {
        guard let subject else { return [] }
        return try context.subscriptions.active(forPerson: subject.stateId, fbiNumber: subject.fbiNumber, asOf: moment)
    }

    /// Whether `supervision` is the case of the person `fact` is about: a booking's or contact's
    /// subject is (the store matched it); a person an incident or investigation names must be
    /// by state ID (or FBI number) with no date of birth against it.
    private static func isPerson(_ fact: PoliceFact, of supervision: SupervisionCase) -> Bool {
        switch fact {
        case .booking, .contact: true
        case .incident(let incident): PoliceMatching.isSupervisee(incident.person, of: supervision)
        case .investigation(let investigation): PoliceMatching.isSupervisee(investigation.person, of: supervision)
        }
    }

    /// Whether a sealing order applied here covers `person` as named by an event that occurred
    /// at `occurredAt` (the runtime checks a subject, not the people a payload names).
    private static func isSealed(_ person: InvolvedPerson, occurredAt: Date, _ context: RouterContext) throws -> Bool {
        try SealingLedger(context.storage).covers(
            stateId: person.stateId, fbiNumber: person.fbiNumber, occurredAtMilliseconds: SealingOrder.milliseconds(occurredAt))
    }

}

/// How long each police topic can redeliver its events: how long the facts and the record of
/// the notifications about them are kept.
struct PoliceRetentions: Sendable, Hashable {
    var arrests: RetentionWindow
    var contacts: RetentionWindow
    var incidents: RetentionWindow
    var investigations: RetentionWindow
}
