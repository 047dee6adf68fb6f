import Contracts
import Foundation
import Notifications

/// The wording of rules `high-risk-release-60-days` (to the destination's police agency, the
/// supervising officer and the reentry-services agency) and `high-needs-release` (to the
/// reentry-services agency): the pre-release notices of the Kansas City practice.
///
/// What they withhold: the assessment's needs are health information (mental health, substance
/// use: `payload.needs` is classified `health`), so no notice names a need's domain; a
/// high-needs notice says only that a need was scored high, and which assessment to ask the
/// supervising agency about. The risk level, instrument date and incident (criminal justice
/// information) are given.
enum PreReleaseNotification {
    /// Who a pre-release notice is for and why.
    enum Role {
        case police(Address)
        case officer(SupervisionCase)
        case reentryServices(Address)
    }

    static func highRisk(_ release: KnownRelease, assessment: KeptAssessment, to recipient: Recipient, as role: Role) -> BusNotification {
        let person = Describe.person(release.subject)
        let explanation = switch role {
        case .police: "A person assessed high risk is releasing into your jurisdiction within 60 days: time for the pre-release meeting."
        case .officer(let supervision): "You supervise case \(supervision.caseId); the person is assessed high risk and releases within 60 days."
        case .reentryServices: "A person assessed high risk is releasing into the place you serve within 60 days."
        }
        var facts = common(release)
        facts.append(NotificationFact("assessment", "\(assessment.assessmentId) on \(assessment.completedOn): risk \(assessment.riskLevel.rawValue)"))
        facts += linkFacts(assessment)
        if case .officer(let supervision) = role { facts.append(NotificationFact("case", "\(supervision.caseId) (\(supervision.agencyId))")) }
        return BusNotification(
            recipient: recipient, priority: .high,
            summary: "High-risk release in 60 days or less: \(person) expected \(release.expectedAt.map(Describe.instant) ?? "") "
                + (release.destination.map { "to \($0.city), \($0.state)" } ?? "(destination not given)"),
            reason: NotificationReason(
                rule: ReleaseRules.highRiskRelease60Days, explanation: explanation,
                matched: matched(release, role) + [MatchedIdentifier("assessmentId", assessment.assessmentId)] + linkMatch(assessment)),
            facts: facts,
            occurredAt: release.expectedEventOccurredAt ?? release.expectedAt ?? Date(timeIntervalSince1970: 0),
            subjectStateId: release.subject?.stateId, sourceEventId: release.expectedEventId ?? release.releaseId,
            sourceEventType: release.expectedEventType ?? ReleaseScheduled.eventType, scope: release.preReleaseScope,
            recipientAgencyId: {
                if case .officer(let supervision) = role { return supervision.agencyId }
                return nil
            }(),
            subjectFbiNumber: release.subject?.fbiNumber)
    }

    static func highNeeds(
        _ release: KnownRelease, assessment: KeptAssessment?, involvements: [KeptInvolvement], to recipient: Recipient, destination: Address
    ) -> BusNotification {
        var facts = common(release)
        var why: [String] = []
        if let assessment, assessment.highNeeds {
            facts.append(NotificationFact("assessment", "\(assessment.assessmentId) on \(assessment.completedOn): a need scored high (details from the supervising agency)"))
            facts += linkFacts(assessment)
            why.append("a need scored high")
        }
        for involvement in involvements {
            facts.append(NotificationFact("violent incident", "\(involvement.incidentId) (\(involvement.kind)) on \(Describe.day(involvement.at)), as \(involvement.role)"))
        }
        if !involvements.isEmpty { why.append("involvement in a violent incident in the last 12 months") }
        var matched = matched(release, .reentryServices(destination))
        if let assessment, assessment.highNeeds { matched += [MatchedIdentifier("assessmentId", assessment.assessmentId)] + linkMatch(assessment) }
        matched += involvements.map { MatchedIdentifier("incidentId", $0.incidentId) }
        return BusNotification(
            recipient: recipient, priority: .routine,
            summary: "High needs at release: \(Describe.person(release.subject)) expected \(release.expectedAt.map(Describe.instant) ?? "") to \(destination.city), \(destination.state)",
            reason: NotificationReason(
                rule: ReleaseRules.highNeedsRelease,
                explanation: "The person releases within 60 days into the place you serve, with \(why.joined(separator: " and ")).",
                matched: matched),
            facts: facts,
            occurredAt: release.expectedEventOccurredAt ?? release.expectedAt ?? Date(timeIntervalSince1970: 0),
            subjectStateId: release.subject?.stateId, sourceEventId: release.expectedEventId ?? release.releaseId,
            sourceEventType: release.expectedEventType ?? ReleaseScheduled.eventType, scope: release.preReleaseScope,
            subjectFbiNumber: release.subject?.fbiNumber)
    }

    /// Rule `pre-release-notice-retracted`: the assessment an earlier notice used was found
    /// through a link the index has undone. Names the earlier notification and the release,
    /// nothing more about anyone.
    static func retraction(of earlier: BusNotification) -> BusNotification {
        let release = earlier.facts.first { $0.label == "release" }?.value ?? earlier.sourceEventId
        return BusNotification(
            recipient: earlier.recipient, priority: earlier.priority,
            summary: "Retraction: the earlier pre-release notice (notification \(earlier.id)) used an assessment of a different person",
            reason: NotificationReason(
                rule: ReleaseRules.preReleaseRetracted,
                explanation: "The person index no longer links the assessment that notification \(earlier.id) reported to the person releasing (release \(release)). Disregard what it said of the assessment.",
                matched: [MatchedIdentifier("notification", earlier.id)]),
            facts: [NotificationFact("retracts", earlier.id), NotificationFact("release", release)],
            occurredAt: earlier.occurredAt, subjectStateId: earlier.subjectStateId,
            sourceEventId: earlier.sourceEventId, sourceEventType: earlier.sourceEventType,
            scope: earlier.id, recipientAgencyId: earlier.recipientAgencyId, subjectFbiNumber: earlier.subjectFbiNumber)
    }

    /// How sure the match of an assessment found through the person index is (its subject named
    /// no state ID): what decided the link and which fields agreed, never their values.
    private static func linkFacts(_ assessment: KeptAssessment) -> [NotificationFact] {
        guard let link = assessment.link else { return [] }
        return [NotificationFact("assessment match", "the assessment named no state ID; the person index linked its record to this person (\(link.confidence)). Check the identity before acting.")]
    }

    private static func linkMatch(_ assessment: KeptAssessment) -> [MatchedIdentifier] {
        assessment.link.map { [MatchedIdentifier("personIndex", $0.decisionSource ?? "linked")] } ?? []
    }

    private static func common(_ release: KnownRelease) -> [NotificationFact] {
        var facts = [
            NotificationFact("who", Describe.identifiers(release.subject)),
            NotificationFact("release", release.releaseId),
            NotificationFact("expected", release.expectedAt.map(Describe.instant) ?? "not given"),
        ]
        if let facility = release.facility { facts.append(NotificationFact("from", "\(facility.name) (\(facility.facilityId))")) }
        if let releaseType = release.releaseType { facts.append(NotificationFact("release type", releaseType)) }
        facts.append(NotificationFact("destination", Describe.address(release.destination) ?? "not given"))
        return facts
    }

    private static func matched(_ release: KnownRelease, _ role: Role) -> [MatchedIdentifier] {
        var matched: [MatchedIdentifier] = []
        if let stateId = release.subject?.stateId { matched.append(MatchedIdentifier("stateId", stateId)) }
        matched.append(MatchedIdentifier("releaseId", release.releaseId))
        switch role {
        case .police(let address), .reentryServices(let address): matched.append(MatchedIdentifier("city", "\(address.city), \(address.state)"))
        case .officer(let supervision): matched.append(MatchedIdentifier("caseId", supervision.caseId))
        }
        return matched
    }
}
