import Contracts
import Foundation
import Notifications
import PersonIndexStore
import PersonLinks
import ServiceKit
import Storage

/// Rules `supervisee-arrested`, `supervisee-booked`, `supervisee-police-contact`,
/// `supervisee-release` and the supervising agency's `short-notice-release` through the person
/// index (issue 19, items 3 and 4): an arrest, a jail booking, a police contact or a release
/// whose subject has neither a state ID nor an FBI number (version 2 of `police.arrests`,
/// `police.contacts` and `custody.releases`) reaches the supervising officer once
/// `bus.identity` links its record to a person who has a supervision case — whether the link
/// arrives before or after the event (which is kept until then; a release as the notice the
/// release rules word for it, from the release as known when it was read). A contact is routed on the same grounds as one matched by state ID
/// (`SuperviseePoliceContact`: the supervisee met, a listed household member, the registered
/// address), judged against the case when the link routes it. A later
/// `unlinked` or `split` that separates the two records sends a retraction to the same
/// recipient, once (`supervisee-arrested-retracted`).
///
/// Record ids are the person index's own (`PersonRecordIds`, one derivation for both), so the
/// router names an arrest's and a case's records exactly as the index does. `bus.identity` is a
/// reference topic: it is keyed by person id, unrelated to the arrests' and cases' keys, so no
/// partition of it belongs with theirs; every instance keeps the whole mapping (a row a record).
///
/// Notification ids are those of `supervisee-arrested` and `supervisee-booked` (source event,
/// rule, case, recipient): an event matched both by FBI number and through a link notifies
/// once, and a replay or a redelivered identity event sends nothing new. Only what this family
/// sent is retracted.
struct LinkedArrestRules: RouterRuleSet {
    static let retractionRule = "supervisee-arrested-retracted"
    let arrestRetention: RetentionWindow

    var topics: [String] { [BusTopic.identity, SuperviseeArrestedRules.arrestsTopic, PoliceEventRules.contactsTopic, ReleaseRules.releasesTopic] }
    var referenceTopics: [String] { [BusTopic.identity] }
    var migrations: [StorageMigration] { PersonLinkStore.migrations }

    func handles(eventType: String) -> Bool {
        IdentityDecision.eventTypes.contains(eventType) || eventType == CaseStarted.eventType || eventType == ArrestMade.eventType
            || eventType == BookingRecorded.eventType || eventType == ContactRecorded.eventType || ReleaseEvents.eventTypes.contains(eventType)
    }

    func apply(_ event: AdmittedEvent, in context: RouterContext) throws {
        let links = PersonLinkStore(transaction: context.storage)
        switch event.eventType {
        case CaseStarted.eventType:
            guard let record = try PersonRecordIds.subject(of: event) else { return }
            let started = try event.decode(CaseStarted.self)
            if try links.sealedAfter([record], occurredAtMilliseconds: started.occurredAt.milliseconds) != nil { return }
            try links.setRecord(record, ofCase: started.payload.caseId)
            if let person = try links.link(of: record)?.personId { try route(person: person, in: context) }
        case ArrestMade.eventType:
            // An arrest with a state ID is matched on it (`SuperviseeArrestedRules`).
            try keepUnidentified(event, as: ArrestMade.self, in: context)
        case BookingRecorded.eventType:
            // As an arrest: one with a state ID is matched on it (`PoliceEventRules`); one with
            // only an FBI number is matched on it there too, and here (same notification ids).
            try keepUnidentified(event, as: BookingRecorded.self, in: context)
        case ContactRecorded.eventType:
            // One with a state ID or an FBI number is matched on it (`PoliceEventRules`).
            try keepUnidentified(event, as: ContactRecorded.self, in: context)
        case let type where ReleaseEvents.eventTypes.contains(type):
            // One with a state ID or an FBI number is matched on it (`ReleaseRules`).
            try keepUnidentifiedRelease(event, in: context)
        case let type where IdentityDecision.eventTypes.contains(type):
            // The mapping is `PersonLinks`' (shared with the warrant resolver); what it did decides.
            switch try links.identity.apply(event) {
            case .joined(let person):
                try route(person: person, in: context)
                // An assessment and a release kept under the two records now meet (`ReleaseRules`).
                try ReleaseRules.evaluateLinkedReleases(ofPerson: person, at: event.timestampMilliseconds, in: context)
            case .separated:
                try retractSeparated(in: context)
                try ReleaseRules.retractSeparatedAssessments(at: event.timestampMilliseconds, in: context)
            case .ignored: return
            }
        default:
            return
        }
    }

    /// Removes the person's records, links and what was routed through them (all records), or
    /// the listed cases' records (listed cases); see `PersonLinkStore+Sealing`. Called before
    /// the router removes the cases and the release rules the releases it finds them by.
    func seal(_ order: SealingOrder, in context: RouterContext) throws -> SealingTally {
        let links = PersonLinkStore(transaction: context.storage)
        let caseIds = try context.cases.caseIds(of: order)
        switch order.scope {
        case .allRecords:
            return try links.sealPerson(
                caseIds: caseIds, otherRecords: try ReleaseStore(context.storage).records(matching: order), fbiNumber: order.fbiNumber,
                orderedAtMilliseconds: order.orderedAtMilliseconds)
        case .listedCases: return try links.sealCases(caseIds.filter(order.caseNumbers.contains))
        }
    }

    func forget(before now: Int64, limit: Int, in context: RouterContext) throws {
        try PersonLinkStore(transaction: context.storage).forget(before: now, limit: limit)
    }

    /// Keeps an arrest, a booking or a contact without a state ID or FBI number under its
    /// subject's record, and routes it at once when the record is already linked to a person;
    /// one with either is left to the rules that match on it.
    private func keepUnidentified<Payload: EventPayload>(_ event: AdmittedEvent, as payload: Payload.Type, in context: RouterContext) throws {
        let envelope = try event.decode(payload)
        guard !SuperviseeArrested.hasMatchableIdentifier(envelope.subject) else { return }
        try keep(event, value: event.value, occurredAt: envelope.occurredAt, retention: arrestRetention, in: context)
    }

    /// Keeps a release event without a state ID or FBI number as its notice, worded from the
    /// release as the release rules knew it before this event (they run after this family and
    /// keep the release), so a link read later words it as a number would have.
    private func keepUnidentifiedRelease(_ event: AdmittedEvent, in context: RouterContext) throws {
        // Version 1 always names the state ID (the topic's key): the release rules match it,
        // and the notice need not be worded twice for every release read.
        guard event.schemaVersion == ReleaseScheduled.stateIdOptionalVersion else { return }
        let previous = try ReleaseStore(context.storage).release(try ReleaseRules.releaseId(of: event))
        let (_, notice) = try ReleaseEvents.apply(event, to: previous)
        guard !SuperviseeArrested.hasMatchableIdentifier(notice.subject) else { return }
        try keep(event, value: try EventCodec.encodeJSON(notice), occurredAt: notice.occurredAt, retention: ReleaseRules.defaultReleaseRetention, in: context)
    }

    /// Keeps `value` (the event, or a release's notice) under the subject's record, and routes
    /// it at once when the record is already linked to a person.
    private func keep(_ event: AdmittedEvent, value: [UInt8], occurredAt: Date, retention: RetentionWindow, in context: RouterContext) throws {
        let links = PersonLinkStore(transaction: context.storage)
        guard let record = try PersonRecordIds.subject(of: event) else { return }
        // The runtime's ledger knows the person by state ID and FBI number only; a booking or
        // RMS number is known here, as a record a sealing order removed.
        if try links.sealedAfter([record], occurredAtMilliseconds: occurredAt.milliseconds) != nil { return }
        try links.keepArrest(eventId: event.eventId, recordId: record, fbiNumber: nil, eventType: event.eventType, value: value,
                             forgetAfterMilliseconds: retention.forgetAfter(event.timestampMilliseconds))
        if let person = try links.link(of: record)?.personId { try route(person: person, in: context) }
    }

    /// Sends what the person's kept arrests call for, to the officers of the person's cases.
    private func route(person: String, in context: RouterContext) throws {
        let links = PersonLinkStore(transaction: context.storage)
        let records = try links.records(of: person)
        let caseIds = try links.cases(ofRecords: records)
        guard !caseIds.isEmpty else { return }
        let cases = try context.cases.cases(withIds: caseIds)
        for kept in try links.arrests(ofRecords: records) {
            let event = try KeptEvent(kept.eventType, kept.value)
            for supervision in cases where event.concerns(supervision) {
                // How sure: the link of the event's record, else that of the case's record.
                var link = try links.link(of: kept.recordId)
                if link?.decisionSource == nil, let caseRecord = try links.record(ofCase: supervision.caseId) { link = try links.link(of: caseRecord) }
                for routed in event.notifications(supervision: supervision, link: link) {
                    // Linked again after a retraction: a new notice (as the pre-release rules do);
                    // none past the re-sends a sealing order follows.
                    guard let notification = try context.reissued(routed, scope: supervision.caseId, isRetracted: links.isRetracted),
                          try NotificationOutbox.emit(notification, signedWith: context.signingKey, forgetAfterMilliseconds: kept.forgetAfter,
                                                      in: context.transaction) else { continue }
                    try links.noteSent(BusNotificationRecord(
                        notificationId: notification.id, arrestEventId: event.eventId, caseId: supervision.caseId,
                        personId: person, notice: try notification.encoded(), forgetAfter: kept.forgetAfter))
                }
            }
        }
    }

    /// Retracts, once, every notice sent through a link whose arrest and case records are no
    /// longer one person.
    private func retractSeparated(in context: RouterContext) throws {
        let links = PersonLinkStore(transaction: context.storage)
        for notice in try links.openNotices() {
            guard let arrestRecord = try links.record(ofArrest: notice.arrestEventId), let caseRecord = try links.record(ofCase: notice.caseId) else { continue }
            let arrestPerson = try links.link(of: arrestRecord)?.personId
            let casePerson = try links.link(of: caseRecord)?.personId
            guard arrestPerson != casePerson else { continue }
            let earlier = try BusNotification.decode(notice.notice)
            let retraction = LinkedArrestNotification.retraction(of: earlier, arrestEventId: notice.arrestEventId, caseId: notice.caseId)
            _ = try NotificationOutbox.emit(retraction, signedWith: context.signingKey, forgetAfterMilliseconds: notice.forgetAfter, in: context.transaction)
            try links.markRetracted(notice.notificationId)
        }
    }
}

/// An event kept under its record until a link routes it: an arrest, a booking, a contact, or
/// a release event's notice.
private enum KeptEvent {
    case arrest(EventEnvelope<ArrestMade>)
    case booking(EventEnvelope<BookingRecorded>)
    case contact(EventEnvelope<ContactRecorded>)
    case release(ReleaseNotice)

    init(_ eventType: String, _ value: [UInt8]) throws {
        switch eventType {
        case BookingRecorded.eventType: self = .booking(try EventCodec.decode(BookingRecorded.self, from: value))
        case ContactRecorded.eventType: self = .contact(try EventCodec.decode(ContactRecorded.self, from: value))
        case let type where ReleaseEvents.eventTypes.contains(type): self = .release(try EventCodec.decodeJSON(ReleaseNotice.self, from: value))
        default: self = .arrest(try EventCodec.decode(ArrestMade.self, from: value))
        }
    }

    var eventId: String {
        switch self {
        case .arrest(let arrest): arrest.eventId.uuidString.lowercased()
        case .booking(let booking): booking.eventId.uuidString.lowercased()
        case .contact(let contact): contact.eventId.uuidString.lowercased()
        case .release(let notice): notice.eventId
        }
    }

    /// When it happened: the arrest, the booking, the contact, the release event.
    var at: Date {
        switch self {
        case .arrest(let arrest): arrest.payload.arrestedAt
        case .booking(let booking): booking.payload.bookedAt
        case .contact(let contact): contact.payload.contactedAt
        case .release(let notice): notice.occurredAt
        }
    }

    /// Whether `supervision` was active on the day it happened (a release: on the day of the
    /// release or of the event, as `ReleaseRules.caseNotifications` judges).
    func concerns(_ supervision: SupervisionCase) -> Bool {
        if case .release(let notice) = self { return supervision.covers(notice.releaseDay) || supervision.covers(notice.eventDay) }
        return supervision.covers(Describe.day(at).description)
    }

    /// What it calls for from `supervision`: a notice to each recipient of the case (a contact
    /// on no ground: none); for a release, what the release rules send for the case
    /// (`supervisee-release`, and the agency's `short-notice-release`), less what they send
    /// without one (to the agency the release names), which went out when it was read.
    func notifications(supervision: SupervisionCase, link: PersonLinkStore.Link?) -> [BusNotification] {
        if case .release(let notice) = self {
            let sentWithoutCase = Set(ReleaseRules.caseNotifications(notice, cases: []).map(\.id))
            return ReleaseRules.caseNotifications(notice, cases: [supervision]).filter { !sentWithoutCase.contains($0.id) }.map {
                LinkedArrestNotification.matched($0, supervision: supervision, link: link)
            }
        }
        return supervision.recipients(forEventAt: at.milliseconds).compactMap { notification(supervision: supervision, recipient: $0, link: link) }
    }

    /// The notice for `recipient` of `supervision`; nil for a contact that concerns the case on
    /// no ground (an associate met elsewhere).
    func notification(supervision: SupervisionCase, recipient: Recipient, link: PersonLinkStore.Link?) -> BusNotification? {
        switch self {
        case .arrest(let arrest): LinkedArrestNotification.make(arrest, supervision: supervision, recipient: recipient, link: link)
        case .booking(let booking): LinkedArrestNotification.make(booking, supervision: supervision, recipient: recipient, link: link)
        case .contact(let contact): LinkedArrestNotification.make(contact, supervision: supervision, recipient: recipient, link: link)
        case .release: nil  // `notifications(supervision:link:)` words a release for the whole case
        }
    }
}
