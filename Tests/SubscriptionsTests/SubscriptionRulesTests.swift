import Contracts
import Directory
import Foundation
import Subscriptions
import Testing

/// What a new, renewed or cancelled subscription must meet; every refusal names its field.
@Suite struct SubscriptionRulesTests {
    typealias F = Fixtures
    let id = UUID(uuidString: "2F6D9C1A-4B7E-4E21-9A3C-5D8E7F60A1B2")!

    /// The error `request` is refused with, or nil when it is admitted.
    func refusal(_ request: SubscriptionRequest, rules: SubscriptionRules = F.rules) -> SubscriptionError? {
        do {
            _ = try rules.admit(request, id: id)
            return nil
        } catch {
            return error
        }
    }

    @Test func aCompleteRequestIsAdmittedWithItsDefaults() throws {
        let subscription = try F.rules.admit(F.request(events: [.releases, .arrests, .releases]), id: id)
        #expect(subscription.id == "2f6d9c1a-4b7e-4e21-9a3c-5d8e7f60a1b2")
        #expect(subscription.eventKinds == [.arrests, .releases], "sorted, each once")
        #expect(subscription.startsAt == F.now)
        #expect(subscription.expiresAt == F.instant("2026-03-03T14:00:00Z"), "one year after the start")
        #expect(subscription.createdAt == F.now)
        #expect(subscription.status == .active && subscription.renewals.isEmpty && subscription.cancellation == nil)
        // An agency subscribing for itself needs not repeat its id.
        let agency = try F.rules.admit(F.request(subscriber: "agency:MO-KCPD", agency: nil, subject: .place(state: "MO", place: "Kansas City")), id: id)
        #expect(agency.subscriberAgencyId == "MO-KCPD")
    }

    @Test func noPurposeIsRefused() {
        #expect(refusal(F.request(purpose: nil)) == .missingPurpose)
        #expect(refusal(F.request(purpose: " \n ")) == .missingPurpose)
        #expect(SubscriptionError.missingPurpose.field == "purpose")
    }

    @Test func noLegalBasisIsRefused() {
        #expect(refusal(F.request(basis: nil)) == .missingLegalBasis)
        #expect(SubscriptionError.missingLegalBasis.field == "legalBasis")
        // other stands only with its text.
        #expect(refusal(F.request(basis: LegalBasis(basis: .other))) == .missingLegalBasisText)
        #expect(refusal(F.request(basis: LegalBasis(basis: .other, text: "  "))) == .missingLegalBasisText)
        #expect(SubscriptionError.missingLegalBasisText.field == "legalBasis.text")
        #expect(refusal(F.request(basis: LegalBasis(basis: .other, text: "Local rule 33.01"))) == nil)
    }

    @Test func anExpiryInThePastIsRefused() {
        let error = refusal(F.request(startsAt: F.at(days: -30), expiresAt: F.at(days: -1)))
        #expect(error == .expiryInPast(expiresAt: F.at(days: -1), moment: F.now))
        #expect(error?.field == "expiresAt")
        #expect(error?.description == "expiresAt: 2025-03-02T14:00:00Z is in the past (now 2025-03-03T14:00:00Z)")
        #expect(refusal(F.request(startsAt: F.at(days: -1), expiresAt: F.now)) == .expiryInPast(expiresAt: F.now, moment: F.now), "expiring at the very moment")
        let beforeStart = refusal(F.request(startsAt: F.at(days: 10), expiresAt: F.at(days: 5)))
        #expect(beforeStart == .expiryNotAfterStart(startsAt: F.at(days: 10), expiresAt: F.at(days: 5)))
        #expect(beforeStart?.field == "expiresAt")
    }

    @Test("a new subscription cannot start before it is created: it would route, at once, what happened before anyone asked")
    func aBackdatedStartIsRefused() {
        let error = refusal(F.request(startsAt: F.at(days: -300), expiresAt: F.at(days: 30)))
        #expect(error == .startBeforeCreation(startsAt: F.at(days: -300), moment: F.now))
        #expect(error?.field == "startsAt")
        #expect(refusal(F.request(startsAt: F.now)) == nil, "starting at the moment it is created")
        #expect(refusal(F.request()) == nil, "by default it starts when created")
    }

    @Test("a subscription written with a start before its creation routes only from its creation")
    func aBackdatedStartRoutesOnlyFromCreation() {
        var backdated = F.subscription(1, startsAt: F.at(days: -300), expiresAt: F.at(days: 30))
        backdated.createdAt = F.now
        #expect(!backdated.isActive(asOf: F.at(days: -10)), "before it was created")
        #expect(backdated.isActive(asOf: F.now) && backdated.isActive(asOf: F.at(days: 10)))
    }

    @Test func anExpiryBeyondOneYearIsRefused() throws {
        let limit = F.instant("2026-03-03T14:00:00Z")
        #expect(refusal(F.request(expiresAt: limit)) == nil, "exactly one year is allowed")
        let error = refusal(F.request(expiresAt: limit.addingTimeInterval(1)))
        #expect(error == .expiryBeyondLimit(expiresAt: limit.addingTimeInterval(1), limit: limit))
        #expect(error?.field == "expiresAt")
        // The year counts from the start: a later start allows a later expiry.
        #expect(refusal(F.request(startsAt: F.at(days: 10), expiresAt: F.at(days: 370))) == nil)
        // A calendar year in UTC: from 29 February to 28 February.
        let leap = SubscriptionRules(moment: F.instant("2024-02-29T08:00:00Z"), directory: F.directory)
        #expect(refusal(F.request(), rules: leap) == nil)
        #expect(try leap.admit(F.request(), id: id).expiresAt == F.instant("2025-02-28T08:00:00Z"))
        #expect(refusal(F.request(expiresAt: F.instant("2025-03-01T08:00:00Z")), rules: leap)?.field == "expiresAt")
    }

    @Test func anUnknownOrRetiredSubscriberAgencyIsRefused() {
        let error = refusal(F.request(agency: "MO-NOWHERE"))
        #expect(error == .unknownSubscriberAgency("MO-NOWHERE"))
        #expect(error?.field == "subscriberAgencyId")
        #expect(refusal(F.request(subscriber: "agency:MO-GONE", agency: nil)) == .unknownSubscriberAgency("MO-GONE"))
        var directory = F.directory
        directory.retire("MO-DOC-PP")
        #expect(refusal(F.request(), rules: SubscriptionRules(moment: F.now, directory: directory)) == .unknownSubscriberAgency("MO-DOC-PP"))
    }

    @Test func anUnknownSubjectAgencyIsRefused() {
        #expect(refusal(F.request(subject: .agencyFeed(agencyId: "MO-JCSO"))) == nil)
        let error = refusal(F.request(subject: .agencyFeed(agencyId: "MO-NOWHERE")))
        #expect(error == .unknownSubjectAgency("MO-NOWHERE"))
        #expect(error?.field == "subject.agencyFeed.agencyId")
    }

    @Test func theSubscriberAndItsAgencyMustAgree() {
        #expect(refusal(F.request(agency: nil)) == .missingSubscriberAgency(Subscriber(kind: .officer, id: "PP-KC-118")))
        #expect(refusal(F.request(subscriber: "unit:MO-KCPD-VCU", agency: nil))?.field == "subscriberAgencyId")
        let mismatch = refusal(F.request(subscriber: "agency:MO-KCPD", agency: "MO-DOC-PP"))
        #expect(mismatch == .subscriberAgencyMismatch(subscriber: Subscriber(kind: .agency, id: "MO-KCPD"), agencyId: "MO-DOC-PP"))
        #expect(mismatch?.field == "subscriberAgencyId")
        for bad in ["person:MO1234567", "officer:", "PP-KC-118", "officer: PP", "Officer:PP-KC-118"] {
            #expect(refusal(F.request(subscriber: bad)) == .invalidSubscriber(bad), "\(bad)")
        }
    }

    @Test func whoCreatesItIsAnOfficerOrAnOperator() {
        #expect(refusal(F.request(createdBy: "operator:bus-ops-1")) == nil)
        let error = refusal(F.request(createdBy: "jdoe"))
        #expect(error == .invalidActor(field: "createdBy", value: "jdoe"))
        #expect(error?.field == "createdBy")
    }

    @Test func atLeastOneKindOfEvent() {
        #expect(refusal(F.request(events: [])) == .noEventKinds)
        #expect(SubscriptionError.noEventKinds.field == "eventKinds")
    }

    /// 28 CFR 23.20(e): criminal intelligence goes to law-enforcement authorities only.
    @Test func criminalIntelligenceOnlyForLawEnforcement() {
        let basis = LegalBasis(basis: .criminalIntelligence, citation: "28 CFR 23.20(a); KCPD-INV-25-0091")
        #expect(refusal(F.request(subscriber: "unit:MO-KCPD-VCU", agency: "MO-KCPD", events: [.investigations], basis: basis)) == nil)
        let error = refusal(F.request(subscriber: "agency:MO-REENTRY", agency: nil, events: [.investigations], basis: basis))
        #expect(error == .legalBasisNotForAgency(basis: .criminalIntelligence, agencyId: "MO-REENTRY", kind: .reentryServices))
        #expect(error?.field == "legalBasis.basis")
        #expect(refusal(F.request(subscriber: "agency:MO-CIRCUIT16", agency: nil, basis: basis))?.field == "legalBasis.basis")
    }

    /// What needs no directory is refused by `draft` alone (a tool refuses it before contacting
    /// the cluster); the agencies are left to `admit`.
    @Test func theDraftChecksAllButTheDirectory() throws {
        #expect(throws: SubscriptionError.missingPurpose) { try SubscriptionRules.draft(F.request(purpose: ""), id: id, at: F.now) }
        #expect(throws: SubscriptionError.missingLegalBasis) { try SubscriptionRules.draft(F.request(basis: nil), id: id, at: F.now) }
        let draft = try SubscriptionRules.draft(F.request(agency: "MO-NOWHERE"), id: id, at: F.now)
        #expect(draft.subscriberAgencyId == "MO-NOWHERE")
    }

    // MARK: Renewal and cancellation

    @Test func aRenewalMovesTheExpiryAndTheLimitCountsFromIt() throws {
        let subscription = try F.rules.admit(F.request(expiresAt: F.at(days: 90)), id: id)
        let later = SubscriptionRules(moment: F.at(days: 80), directory: F.directory)
        let renewed = try later.renew(subscription, by: "officer:PP-KC-118")
        #expect(renewed.expiresAt == Subscription.oneYear(after: F.at(days: 80)))
        #expect(renewed.renewals == [SubscriptionRenewal(renewedAt: F.at(days: 80), renewedBy: "officer:PP-KC-118", expiresAt: renewed.expiresAt)])
        #expect(renewed.renewalBase == F.at(days: 80))
        #expect(renewed.isActive(asOf: F.at(days: 400)) && !renewed.isActive(asOf: F.at(days: 446)))
        // At most a year from the renewal.
        let beyond = F.at(days: 80 + 366)
        #expect(throws: SubscriptionError.expiryBeyondLimit(expiresAt: beyond, limit: Subscription.oneYear(after: F.at(days: 80)))) {
            try later.renew(subscription, until: beyond, by: "officer:PP-KC-118")
        }
        #expect(throws: SubscriptionError.expiryInPast(expiresAt: F.at(days: 70), moment: F.at(days: 80))) {
            try later.renew(subscription, until: F.at(days: 70), by: "officer:PP-KC-118")
        }
        #expect(throws: SubscriptionError.invalidActor(field: "renewedBy", value: "someone")) {
            try later.renew(subscription, by: "someone")
        }
    }

    @Test func anExpiredOrCancelledSubscriptionIsNotRenewed() throws {
        let subscription = try F.rules.admit(F.request(expiresAt: F.at(days: 30)), id: id)
        let after = SubscriptionRules(moment: F.at(days: 31), directory: F.directory)
        let expired = #expect(throws: SubscriptionError.self) { try after.renew(subscription, by: "officer:PP-KC-118") }
        #expect(expired == .expired(id: subscription.id, at: F.at(days: 30)))
        #expect(expired?.field == "expiresAt")
        let cancelled = try F.rules.cancel(subscription, by: "operator:bus-ops-1", reason: "Case transferred")
        let refused = #expect(throws: SubscriptionError.self) { try F.rules.renew(cancelled, by: "officer:PP-KC-118") }
        #expect(refused == .cancelled(id: subscription.id))
        #expect(refused?.field == "status")
    }

    @Test func aRenewalNeedsTheAgenciesStillInTheDirectory() throws {
        let subscription = try F.rules.admit(F.request(subject: .agencyFeed(agencyId: "MO-JCSO")), id: id)
        var directory = F.directory
        directory.retire("MO-JCSO")
        #expect(throws: SubscriptionError.unknownSubjectAgency("MO-JCSO")) {
            try SubscriptionRules(moment: F.at(days: 10), directory: directory).renew(subscription, by: "officer:PP-KC-118")
        }
    }

    @Test func aCancellationIsRecordedOnceWithWhoAndWhy() throws {
        let subscription = try F.rules.admit(F.request(), id: id)
        let later = SubscriptionRules(moment: F.at(days: 3), directory: AgencyDirectory())
        let cancelled = try later.cancel(subscription, by: "operator:bus-ops-1", reason: " Case transferred ")
        #expect(cancelled.status == .cancelled)
        #expect(cancelled.cancellation == SubscriptionCancellation(cancelledAt: F.at(days: 3), cancelledBy: "operator:bus-ops-1", reason: "Case transferred"))
        #expect(!cancelled.isActive(asOf: F.at(days: 4)) && subscription.isActive(asOf: F.at(days: 4)))
        #expect(throws: SubscriptionError.cancelled(id: subscription.id)) { try later.cancel(cancelled, by: "operator:bus-ops-1") }
        #expect(throws: SubscriptionError.invalidActor(field: "cancelledBy", value: "x")) { try later.cancel(subscription, by: "x") }
    }
}
