import Contracts
import Notifications

/// Rules `supervisee-victim` and `supervisee-suspect`: a violent incident
/// (`police.violent-incident.reported`, `police.incidents`) naming a supervisee among its victims
/// or suspects goes to the supervising officer (or agency) of every case of the person that
/// covers the incident's day (UTC).
///
/// The person is matched on the state ID the incident gives them, or on the FBI number when it
/// gives none (version 2: a supervisee transferred from another state is known here by it),
/// and not when a date of birth on both sides disagrees (`PoliceMatching.isSupervisee`); a
/// person named by neither number matches no one: never a name alone.
///
/// - `supervisee-suspect`: high priority (the brief's officer-safety practice: a supervisee
///   suspected of violence; acknowledgement asked).
/// - `supervisee-victim`: high priority too. The brief's victimisation practice: people returning
///   home are at high risk of violence, often retaliatory, which puts at risk their household, the
///   bystanders and the officer's next home visit (joint visits "where there is a risk of
///   retaliation"); the officer is to act on it — support, a safety plan, a joint visit — not
///   merely file it, so it asks an acknowledgement. It is not urgent: nobody's duty desk is woken.
/// - Listed as both, the person gets one notification, `supervisee-suspect`, saying both.
///
/// Incidents are keyed by incident id on 6 partitions: every router instance reads them in
/// full (a reference topic), keeps the named people's facts, and notifies for its own cases.
enum SuperviseeIncident {
    static let victimRule = "supervisee-victim"
    static let suspectRule = "supervisee-suspect"

    /// The rule of a person's role in an incident.
    static func rule(_ incident: IncidentFact) -> String { incident.suspect ? suspectRule : victimRule }

    /// The key a person an incident names is told apart by: `sid:<state ID>`, else
    /// `fbi:<FBI number>`; nil for a person named by neither (never matched).
    static func personKey(_ person: InvolvedPerson) -> String? { PersonNumberKey.of(person) }

    /// The people an incident names, each with a state ID or an FBI number once (victim,
    /// suspect or both; by ``personKey(_:)``), in the order of their first mention; the others
    /// are counted in each row.
    static func facts(of incident: EventEnvelope<ViolentIncidentReported>) -> [IncidentFact] {
        let payload = incident.payload
        let victims = payload.victims ?? []
        let suspects = payload.suspects ?? []
        var keys: [String] = []
        for person in victims + suspects { if let key = personKey(person), !keys.contains(key) { keys.append(key) } }
        return keys.map { key in
            let asVictim = victims.filter { personKey($0) == key }
            let asSuspect = suspects.filter { personKey($0) == key }
            let person = (asVictim + asSuspect).reduce(InvolvedPerson()) { known, next in
                InvolvedPerson(
                    stateId: known.stateId ?? next.stateId, fbiNumber: known.fbiNumber ?? next.fbiNumber, name: known.name ?? next.name,
                    dateOfBirth: known.dateOfBirth ?? next.dateOfBirth, underSupervision: known.underSupervision ?? next.underSupervision)
            }
            return IncidentFact(
                eventId: incident.eventId.uuidString.lowercased(), sourceAgencyId: incident.source.agencyId, incidentId: payload.incidentId,
                incidentKind: payload.incidentKind, incidentAt: payload.incidentAt, location: payload.location,
                reportNumber: payload.reportNumber, person: person, victim: !asVictim.isEmpty, suspect: !asSuspect.isEmpty,
                otherVictims: victims.count - asVictim.count, otherSuspects: suspects.count - asSuspect.count)
        }
    }

    static func notifications(for incident: IncidentFact, audiences: [PoliceAudience]) -> [BusNotification] {
        audiences.map { IncidentNotification.make(incident, for: $0) }
    }
}
