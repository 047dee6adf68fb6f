import Contracts
import Foundation
import Notifications
import PersonIndexStore
import ServiceKit
import TestSupport
import Testing

@testable import Routing

/// Issue 19, item 4: an assessment whose subject names no state ID (`supervision.assessments`
/// version 2) counts for the pre-release rules once the person index links its record to the
/// released person's, in either order; at once when it shares the release's FBI number or the
/// same agency's number; and a sealing order removes it with what the rules kept of the release.
@Suite struct LinkedAssessmentTests {
    let rules = ReleaseRulesTests()
    /// Reyes as the parole office's intake knows him: a DOC number, no state ID, a typo in the given name.
    static let intake = SubjectIdentifiers(docNumber: "1198734", name: PersonName(given: "Darnel", family: "Reyes"), dateOfBirth: CalendarDate("1990-07-14"))
    static let highRiskNotices = [
        "agency:MO-KCPD high high-risk-release-60-days",
        "officer:PP-KC-118 high high-risk-release-60-days",
        "agency:MO-KC-REENTRY high high-risk-release-60-days",
    ]

    static func assessment(
        _ subject: SubjectIdentifiers, source: SourceAgency = Events.parole, risk: RiskLevel = .high, id name: String = "intake", daysAgo: Int = 5
    ) -> EventEnvelope<AssessmentCompleted> {
        EventEnvelope(
            eventId: Events.id(name), occurredAt: Events.now, recordedAt: Events.now, source: source, subject: subject,
            payload: AssessmentCompleted(assessmentId: "ORAS-\(name)", instrument: "ORAS-PIT", completedOn: Events.day(-daysAgo), riskLevel: risk))
    }

    var release: AdmittedEvent { get throws { try rules.releases(Events.releaseScheduled(expected: Events.at(days: 30))) } }
    var intakeAssessment: AdmittedEvent { get throws { try rules.assessments(Self.assessment(Self.intake)) } }

    /// The index links the intake assessment's record to the release's (scored by the model).
    func linked() throws -> AdmittedEvent {
        let assessmentRecord = try #require(try PersonRecordIds.subject(of: intakeAssessment))
        let releaseRecord = try #require(try PersonRecordIds.subject(of: release))
        return try Events.identity("bus.identity.linked", id: "00000000-0000-8000-8000-000000000031", [
            "personId": min(assessmentRecord, releaseRecord), "recordId": assessmentRecord, "linkedTo": releaseRecord,
            "decisionSource": "model", "score": 0.991, "agreed": ["familyName", "dateOfBirth"],
        ])
    }

    func notices(_ messages: [OutgoingMessage]) throws -> [BusNotification] {
        try messages.map { try BusNotification.decode($0.value) }.filter { $0.reason.rule == ReleaseRules.highRiskRelease60Days }
    }

    @Test func theVersionIsTheOneWithoutAStateId() throws {
        #expect(Self.assessment(Self.intake).schemaVersion == 2)
        #expect(try PersonRecordIds.subject(of: intakeAssessment) == "MO-DOC-PP/doc/1198734")
    }

    @Test func anAssessmentReadBeforeTheLinkCountsWhenTheLinkArrivesWithHowSureItIs() async throws {
        let router = try await rules.routerWithDirectoryAndCase()
        try await router.apply(release)
        // No state ID, no shared number: nothing to go on yet.
        #expect(try notices(try await router.apply(intakeAssessment)).isEmpty)
        let messages = try await router.apply(linked())
        #expect(try rules.sent(messages) == Self.highRiskNotices)  // signed, and nothing else
        for notice in try notices(messages) {
            #expect(notice.reason.matched.contains(MatchedIdentifier("personIndex", "model")))
            #expect(notice.facts.contains { $0.label == "assessment match" && $0.value.contains("model score 0.991; agreed: familyName, dateOfBirth") })
        }
        // A redelivered link sends nothing new.
        #expect(try await router.apply(linked()).isEmpty)
    }

    /// The index undoes the link (a reviewer decided the records are two people): each notice
    /// that used the assessment is retracted to its recipient, once.
    @Test func anUnlinkRetractsTheNoticesThatUsedTheAssessmentOnce() async throws {
        let router = try await rules.routerWithDirectoryAndCase()
        try await router.apply(release)
        try await router.apply(intakeAssessment)
        let sent = try notices(try await router.apply(linked()))
        #expect(sent.count == 3)
        let unlinked = try unlinked()
        let messages = try await router.apply(unlinked)
        let retractions = try messages.map { try BusNotification.decode($0.value) }
        #expect(retractions.map(\.reason.rule) == Array(repeating: ReleaseRules.preReleaseRetracted, count: 3))
        #expect(retractions.map(\.recipient) == sent.map(\.recipient))
        #expect(retractions.map { $0.facts.first { $0.label == "retracts" }?.value } == sent.map(\.id))
        #expect(try rules.sent(messages).count == 3)  // signed
        // Redelivered: nothing again; the notices are not sent again either.
        #expect(try await router.apply(unlinked).isEmpty)
        #expect(try await router.apply(Events.tick(Events.at(days: 1))).isEmpty)
    }

    /// The person's own assessment (under the state ID, older than the intake) is high risk
    /// too: after the retraction, each recipient gets a new notice built on it, under a new id;
    /// a redelivered unlink sends nothing again.
    @Test func afterARetractionTheOwnAssessmentsNoticeGoesOutAnew() async throws {
        let router = try await rules.routerWithDirectoryAndCase()
        try await router.apply(release)
        // Older than the intake: the intake, once linked, is the latest.
        let own = try rules.assessments(Self.assessment(Events.reyes, id: "own", daysAgo: 40))
        let first = try notices(try await router.apply(own))
        #expect(first.map { "\($0.recipient) \($0.priority.rawValue) \($0.reason.rule)" } == Self.highRiskNotices)
        try await router.apply(intakeAssessment)
        // The link changes the latest assessment, not the notice: one per release and date.
        #expect(try notices(try await router.apply(linked())).isEmpty)

        // Now the other order: a router that saw the intake through the link first.
        let other = try await rules.routerWithDirectoryAndCase()
        try await other.apply(release)
        try await other.apply(intakeAssessment)
        let throughLink = try notices(try await other.apply(linked()))
        #expect(throughLink.count == 3)
        // The own assessment, read now, is older than the linked one: nothing new.
        #expect(try notices(try await other.apply(own)).isEmpty)
        let messages = try await other.apply(unlinked())
        let sent = try messages.map { try BusNotification.decode($0.value) }
        #expect(sent.filter { $0.reason.rule == ReleaseRules.preReleaseRetracted }.map(\.recipient) == throughLink.map(\.recipient))
        let anew = try notices(messages)
        #expect(anew.map { "\($0.recipient) \($0.priority.rawValue) \($0.reason.rule)" } == Self.highRiskNotices)
        for (notice, earlier) in zip(anew, throughLink) {
            #expect(notice.id != earlier.id)
            #expect(notice.reason.matched.contains(MatchedIdentifier("assessmentId", "ORAS-own")))
            #expect(!notice.reason.matched.contains { $0.name == "personIndex" })
            #expect(!notice.facts.contains { $0.label == "assessment match" })
        }
        #expect(try rules.sent(messages).count == 6)  // signed
        #expect(try await other.apply(unlinked()).isEmpty)
        #expect(try await other.apply(Events.tick(Events.at(days: 1))).isEmpty)
    }

    /// The index undoes `linked()` (a reviewer decided the records are two people).
    func unlinked() throws -> AdmittedEvent {
        let assessmentRecord = try #require(try PersonRecordIds.subject(of: intakeAssessment))
        let releaseRecord = try #require(try PersonRecordIds.subject(of: release))
        return try Events.identity("bus.identity.unlinked", id: "00000000-0000-8000-8000-000000000033", [
            // The record that is not the person's id (the smaller id survives) moves out.
            "personId": min(assessmentRecord, releaseRecord), "recordId": max(assessmentRecord, releaseRecord),
            "newPersonId": max(assessmentRecord, releaseRecord),
            "reason": "human_distinct", "decidedBy": "analyst.reyes",
        ])
    }

    @Test func anAssessmentReadAfterTheLinkCountsAtOnce() async throws {
        let router = try await rules.routerWithDirectoryAndCase()
        try await router.apply(release)
        #expect(try notices(try await router.apply(linked())).isEmpty)
        #expect(try notices(try await router.apply(intakeAssessment)).map { "\($0.recipient) \($0.priority.rawValue) \($0.reason.rule)" } == Self.highRiskNotices)
    }

    @Test func aLowRiskAssessmentThroughALinkAnnouncesNothing() async throws {
        let router = try await rules.routerWithDirectoryAndCase()
        try await router.apply(release)
        try await router.apply(rules.assessments(Self.assessment(Self.intake, risk: .low)))
        #expect(try notices(try await router.apply(linked())).isEmpty)
    }

    @Test func theSameAgencysNumberOrTheFBINumberNeedNoLink() async throws {
        // The prison's release and its own intake assessment name the DOC number: the same record.
        let router = try await rules.routerWithDirectoryAndCase()
        var subject = Events.reyes
        subject.docNumber = "1198734"
        try await router.apply(rules.releases(Events.releaseScheduled(subject, expected: Events.at(days: 30))))
        let sameAgency = try notices(try await router.apply(rules.assessments(Self.assessment(Self.intake, source: Events.prison, id: "prison-intake"))))
        #expect(sameAgency.map { "\($0.recipient) \($0.priority.rawValue) \($0.reason.rule)" } == Self.highRiskNotices)
        #expect(!sameAgency.contains { notice in notice.facts.contains { $0.label == "assessment match" } })

        // An assessment naming only the FBI number matches the release's.
        let other = try await rules.routerWithDirectoryAndCase()
        try await other.apply(release)
        let byFBI = SubjectIdentifiers(fbiNumber: Events.reyes.fbiNumber, name: Events.reyes.name)
        let sent = try notices(try await other.apply(rules.assessments(Self.assessment(byFBI, id: "fbi-intake"))))
        #expect(sent.map { "\($0.recipient) \($0.priority.rawValue) \($0.reason.rule)" } == Self.highRiskNotices)
        #expect(!sent.contains { notice in notice.facts.contains { $0.label == "assessment match" } })
    }

    /// A jail's release under its booking number only (`custody.releases` version 2) finds the
    /// linked assessment too: the destination's police and reentry services are told. The
    /// officer is not: the pre-release rules find cases by the release's numbers.
    @Test func aReleaseUnderABookingNumberFindsTheLinkedAssessment() async throws {
        let router = try await rules.routerWithDirectoryAndCase()
        let booked = SubjectIdentifiers(bookingNumber: "2025-005120", name: PersonName(given: "Darnell", family: "Reyes"), dateOfBirth: CalendarDate("1990-07-14"))
        let release = try rules.releases(Events.releaseScheduled(booked, expected: Events.at(days: 30)))
        try await router.apply(release)
        try await router.apply(intakeAssessment)
        let assessmentRecord = try #require(try PersonRecordIds.subject(of: intakeAssessment))
        let releaseRecord = try #require(try PersonRecordIds.subject(of: release))
        let link = try Events.identity("bus.identity.linked", id: "00000000-0000-8000-8000-000000000032", [
            "personId": min(assessmentRecord, releaseRecord), "recordId": assessmentRecord, "linkedTo": releaseRecord,
            "decisionSource": "model", "score": 0.991, "agreed": ["familyName", "dateOfBirth"],
        ])
        #expect(try notices(try await router.apply(link)).map { "\($0.recipient) \($0.priority.rawValue) \($0.reason.rule)" } == [
            "agency:MO-KCPD high high-risk-release-60-days", "agency:MO-KC-REENTRY high high-risk-release-60-days",
        ])
    }

    @Test func aSealingOrderRemovesTheLinkedAssessmentAndALateCopyIsNotKept() async throws {
        let router = try await rules.routerWithDirectoryAndCase()
        try await router.apply(release)
        try await router.apply(intakeAssessment)
        try await router.apply(linked())
        #expect(try await router.count("releases_linked_assessments") == 1)
        #expect(try await router.count("releases_subject_records") == 1)
        let projection = router.projection
        let order = try Events.sealingOrder(Events.reyes, at: Events.at(days: 1))
        let tally = try await router.write { _, transaction in try projection.seal(order, in: transaction) }
        #expect(tally.rowsByTable["releases_linked_assessments"] == 1)
        #expect(tally.rowsByTable["releases_subject_records"] == 1)
        #expect(tally.rowsByTable["releases_linked_notices"] == 3)
        #expect(try await router.count("releases_linked_assessments") == 0)
        #expect(try await router.count("releases_subject_records") == 0)
        #expect(try await ReleasesSealingTests().tablesNaming(["1198734", "MO-DOC-PP/doc"], router).isEmpty)
        // The assessment delivered again (it occurred before the order) is not kept.
        #expect(try await router.apply(intakeAssessment).isEmpty)
        #expect(try await router.count("releases_linked_assessments") == 0)
    }
}

@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct LinkedAssessmentPostgresTests {
    @Test func anAssessmentReadBeforeTheLinkCountsWhenTheLinkArrivesWithHowSureItIs() async throws {
        try await LinkedAssessmentTests().anAssessmentReadBeforeTheLinkCountsWhenTheLinkArrivesWithHowSureItIs()
    }
    @Test func afterARetractionTheOwnAssessmentsNoticeGoesOutAnew() async throws {
        try await LinkedAssessmentTests().afterARetractionTheOwnAssessmentsNoticeGoesOutAnew()
    }
    @Test func anAssessmentReadAfterTheLinkCountsAtOnce() async throws { try await LinkedAssessmentTests().anAssessmentReadAfterTheLinkCountsAtOnce() }
    @Test func anUnlinkRetractsTheNoticesThatUsedTheAssessmentOnce() async throws {
        try await LinkedAssessmentTests().anUnlinkRetractsTheNoticesThatUsedTheAssessmentOnce()
    }
    @Test func theSameAgencysNumberOrTheFBINumberNeedNoLink() async throws { try await LinkedAssessmentTests().theSameAgencysNumberOrTheFBINumberNeedNoLink() }
    @Test func aReleaseUnderABookingNumberFindsTheLinkedAssessment() async throws { try await LinkedAssessmentTests().aReleaseUnderABookingNumberFindsTheLinkedAssessment() }
    @Test func aSealingOrderRemovesTheLinkedAssessmentAndALateCopyIsNotKept() async throws {
        try await LinkedAssessmentTests().aSealingOrderRemovesTheLinkedAssessmentAndALateCopyIsNotKept()
    }
}
