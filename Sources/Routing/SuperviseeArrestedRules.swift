import Contracts
import Notifications
import ServiceKit

/// The rule family of `supervisee-arrested` (`SuperviseeArrested`): arrests from
/// `police.arrests`, kept so that a case read after an arrest still matches it.
///
/// The outcome does not depend on the order in which the two topics are read: a case that
/// arrives after an arrest it covers sends the notification then. Kept arrests (and the record
/// of the notifications sent about them) are forgotten once the arrests topic can no longer
/// redeliver their arrest (`arrestRetention`, by the events' Kafka timestamps).
struct SuperviseeArrestedRules: RouterRuleSet {
    static let arrestsTopic = "police.arrests"
    let arrestRetention: RetentionWindow

    var topics: [String] { [Self.arrestsTopic] }

    func handles(eventType: String) -> Bool {
        eventType == CaseStarted.eventType || eventType == OfficerAssigned.eventType || eventType == ArrestMade.eventType
    }

    func apply(_ event: AdmittedEvent, in context: RouterContext) throws {
        let store = context.cases
        switch event.eventType {
        case CaseStarted.eventType, OfficerAssigned.eventType:
            // Arrests already known that this case covers, or that its new officer takes over
            // (each against every case of its person; ids make a repeat a no-op).
            let subject = try event.eventType == CaseStarted.eventType ? event.decode(CaseStarted.self).subject : event.decode(OfficerAssigned.self).subject
            for arrest in try store.arrests(matching: subject, nowMilliseconds: event.timestampMilliseconds) {
                try context.send(SuperviseeArrested.notifications(for: arrest.event, cases: try store.cases(matching: arrest.event.subject)),
                                 forgetAfterMilliseconds: arrest.forgetAfterMilliseconds)
            }
        case ArrestMade.eventType:
            let arrest = try event.decode(ArrestMade.self)
            // Matched here on state ID or FBI number only. An arrest with neither could never be
            // matched from this table, nor found in it by a sealing order: the person-link
            // family (`LinkedArrestRules`) keeps it under its record instead.
            guard SuperviseeArrested.hasMatchableIdentifier(arrest.subject) else { return }
            let forgetAfter = arrestRetention.forgetAfter(event.timestampMilliseconds)
            try store.recordArrest(arrest, eventId: event.eventId, value: event.value, forgetAfterMilliseconds: forgetAfter)
            try context.send(SuperviseeArrested.notifications(for: arrest, cases: try store.cases(matching: arrest.subject)),
                             forgetAfterMilliseconds: forgetAfter)
        default:
            return
        }
    }

    func forget(before now: Int64, limit: Int, in context: RouterContext) throws {
        try context.cases.forgetArrests(before: now, limit: limit)
    }
}
