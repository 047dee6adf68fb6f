import Contracts
import Notifications

/// Rule `supervisee-arrested`: an arrest goes to the supervising officer (or, without one, the
/// supervising agency) of every case of the arrested person that covers the day of the arrest
/// (UTC): the case's start date ≤ the arrest's day ≤ its end date, if it has ended. The
/// officer is the one in charge at the time of the arrest, and an officer who takes the case
/// over within the handover window after it is told too (`SupervisionCase.recipients(forEventAt:)`).
///
/// A plain function of the arrest and the cases the store found for its subject (matched on
/// state ID or FBI number): no storage, no clock.
enum SuperviseeArrested {
    static let rule = "supervisee-arrested"

    /// Whether the store can match `subject` to a case: it names a state ID or an FBI number.
    static func hasMatchableIdentifier(_ subject: SubjectIdentifiers?) -> Bool {
        !(subject?.stateId ?? "").isEmpty || !(subject?.fbiNumber ?? "").isEmpty
    }

    /// The notifications `arrest` calls for, given the cases matching its subject, in the
    /// cases' order.
    static func notifications(for arrest: EventEnvelope<ArrestMade>, cases: [SupervisionCase]) -> [BusNotification] {
        let day = Describe.day(arrest.payload.arrestedAt).description
        let at = arrest.payload.arrestedAt.milliseconds
        return cases.filter { $0.covers(day) }.flatMap { supervision in
            supervision.recipients(forEventAt: at).map { ArrestNotification.make(arrest, supervision: supervision, recipient: $0) }
        }
    }
}
