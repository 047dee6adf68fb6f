import Contracts
import Foundation
import Timers

/// The release, pre-release, bulletin and subscription-expiry rules in `dev --demo` (steps R1–R6,
/// after flows A, B and C, which already show `supervisee-release` to an agency,
/// `release-into-jurisdiction` and `short-notice-release` for Hill's and Grant's releases):
///
/// - R1: the reentry-services agency serving Kansas City joins the directory.
/// - R2: the KCPD's probation and parole squad follows Hill's releases (a subscription expiring
///   in 20 days): Hill's scheduled release B2, read before, reaches it (`subscription-release`).
/// - R3: Hill is assessed high risk with a high need: his release in 60 days reaches the KCPD and
///   reentry services (`high-risk-release-60-days`) and reentry services (`high-needs-release`).
/// - R4: a mental-health bulletin for Reyes, with consent for police, reaches the KCPD
///   (`mental-health-bulletin`).
/// - R5: a tick of the bus's clock: the subscription of R2 expires within 30 days
///   (`subscription-expiring`).
/// - R6: Reyes, on parole, is to be released from the county jail in two days to Independence:
///   his officer (`supervisee-release`), and URGENT the parole agency and the Independence police
///   (`short-notice-release`).
///
/// Not shown: `mental-health-bulletin-withdrawn`. A replay reads the bulletins (a reference topic)
/// before the cases, so a bulletin withdrawn before its person's case is read is never delivered,
/// while the demo read in steps would deliver and then withdraw it: the replay tests, which
/// compare both, would differ (the rule's tests show it).
extension DemoScenario {
    public static let kcReentry = AgencyDescribed(
        agencyId: "MO-KC-REENTRY", kind: .reentryServices, name: "Kansas City Reentry Partners",
        jurisdiction: AgencyJurisdiction(state: "MO", counties: ["Jackson"], places: ["Kansas City"]), dutyContact: DutyContact(phone: "+1 816 555 0190"))

    /// The id of R2's subscription (the source of its expiry warning).
    public static func hillSubscriptionId(run: String) -> String { ScenarioEvent.eventId("\(run)/R2-subscription").uuidString.lowercased() }

    static func releaseSteps(now: Date, run: String) throws -> [Step] {
        let id = { (step: String) in ScenarioEvent.eventId("\(run)/\(step)") }
        let parole = SourceAgency(agencyId: "MO-DOC-PP", agencyKind: .communitySupervision)
        let subscription = SubscriptionRecorded(
            subscriptionId: hillSubscriptionId(run: run), subscriber: "unit:MO-KCPD-PPS", subscriberAgencyId: "MO-KCPD",
            subject: SubscriptionSubject(person: SubscribedPerson(stateId: hill.stateId)), eventKinds: [.releases],
            purpose: "Save KC probation and parole squad: pre-release meeting", legalBasis: LegalBasis(basis: .informationSharingAgreement, citation: "MOU KCPD-MODOC 2024-07"),
            startsAt: now.addingTimeInterval(-345 * 86_400), expiresAt: now.addingTimeInterval(20 * 86_400), createdBy: "operator:bus-ops-1",
            createdAt: now.addingTimeInterval(-345 * 86_400))
        let tick = TimerTick(minuteOf: now)
        return [
            Step(name: "R1 MO-KC-REENTRY described", event: try agencyDescribed(kcReentry, now: now, id: id("R1")), readBy: .router),
            Step(name: "R2 subscription recorded", event: try ScenarioEvent(topic: "bus.subscriptions", key: subscription.subscriptionId, EventEnvelope(
                eventId: id("R2"), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-KCPD", agencyKind: .police), subject: nil,
                payload: subscription)), readBy: .router),
            Step(name: "R3 assessment", event: try ScenarioEvent(topic: "supervision.assessments", EventEnvelope(
                eventId: id("R3"), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-DOC", agencyKind: .prison), subject: hill,
                payload: AssessmentCompleted(assessmentId: "ORAS-25-55102", instrument: "ORAS-RT", completedOn: day(now, -3), riskLevel: .high, score: 27,
                                             historyOfViolence: true, needs: [AssessedNeed(domain: .housing, level: .high)]))), readBy: .router),
            Step(name: "R4 bulletin published", event: try ScenarioEvent(topic: "supervision.mental-health-bulletins", EventEnvelope(
                eventId: id("R4"), occurredAt: now, recordedAt: now, source: parole, subject: reyes,
                payload: MentalHealthBulletinPublished(
                    bulletinId: "MHB-KC-0193",
                    consent: BulletinConsent(grantedOn: day(now, -1), expiresOn: day(now, 300), scope: "Kansas City Police Department patrol and crisis intervention team"),
                    baseline: BulletinBaseline(summary: "Calm and talkative when well; becomes withdrawn and may not answer questions when unwell.",
                                               triggers: ["Raised voices"], whatHelps: ["Speak slowly", "Offer to call his mother"]),
                    keyContacts: [KeyContact(name: "Angela Reyes", relationship: "mother", phone: "+1 816 555 0142")]))), readBy: .router),
            Step(name: "R5 clock tick", event: ScenarioEvent(
                topic: TimerTick.topic, key: TimerTick.minuteClock, eventId: tick.id, eventType: TimerTick.eventType, value: tick.encoded()), readBy: .router),
            Step(name: "R6 release scheduled at short notice", event: try ScenarioEvent(topic: "custody.releases", EventEnvelope(
                eventId: id("R6"), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-JCSO", agencyKind: .jail), subject: reyes,
                payload: ReleaseScheduled(releaseId: "JCDC-R-88240", facility: jacksonJail, expectedAt: now.addingTimeInterval(2 * 86_400),
                                          releaseType: .ownRecognizance, destination: independence))), readBy: .router),
        ]
    }
}
