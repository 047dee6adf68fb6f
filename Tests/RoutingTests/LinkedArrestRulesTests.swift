import Contracts
import Foundation
import Kafka
import Notifications
import PersonIndexStore
import ServiceKit
import TestSupport
import Testing

@testable import Routing

/// Issue 19, item 3: an arrest without a state ID reaches the supervising officer through the
/// person index's links (`bus.identity`), in either order; an unlink retracts it, once.
@Suite struct LinkedArrestRulesTests {
    let key = NotificationSigningKey.random()
    /// Reyes as a records system knows him: no state ID, a typo in the given name.
    static let unknown = SubjectIdentifiers(rmsNumber: "KC-25-1", name: PersonName(given: "Darnel", family: "Reyes"), dateOfBirth: CalendarDate("1990-07-14"))

    private func router() async throws -> ProjectionHarness {
        try await ProjectionHarness.onCurrentDatabase(RouterProjection(signingKey: key))
    }

    private func notifications(_ messages: [OutgoingMessage]) throws -> [BusNotification] {
        try messages.map { message in
            try NotificationSignature.verify(message.value, headers: message.headers, keys: [key])
            return try BusNotification.decode(message.value)
        }
    }

    private var caseEvent: AdmittedEvent { get throws { try Events.admitted(Events.caseStarted(), topic: RouterProjection.casesTopic) } }
    private var arrestEvent: AdmittedEvent { get throws { try Events.admitted(Events.arrest(Self.unknown), topic: RouterProjection.arrestsTopic) } }

    private func identity(_ type: String, id: String, at: String = "2025-06-15T15:06:40Z", _ members: [String: Any]) throws -> AdmittedEvent {
        try Events.identity(type, id: id, at: at, members)
    }

    private func records() throws -> (arrest: String, case: String) {
        (try #require(try PersonRecordIds.subject(of: arrestEvent)), try #require(try PersonRecordIds.subject(of: caseEvent)))
    }

    /// The index links the arrest's record to the case's (scored by the model).
    private func linked(id: String = "00000000-0000-8000-8000-000000000001", at: String = "2025-06-15T15:06:40Z") throws -> AdmittedEvent {
        let (arrest, supervision) = try records()
        return try identity("bus.identity.linked", id: id, at: at, [
            "personId": min(arrest, supervision), "recordId": arrest, "linkedTo": supervision, "decisionSource": "model",
            "score": 0.987, "agreed": ["familyName", "dateOfBirth"],
        ])
    }

    private func unlinked(id: String = "00000000-0000-8000-8000-000000000002", at: String = "2025-06-15T15:06:40Z") throws -> AdmittedEvent {
        let (arrest, supervision) = try records()
        return try identity("bus.identity.unlinked", id: id, at: at, [
            "personId": min(arrest, supervision), "recordId": arrest, "newPersonId": arrest, "reason": "human_distinct", "decidedBy": "analyst.reyes",
        ])
    }

    @Test func recordIdsAreTheIndexsOwn() throws {
        let (arrest, _) = try records()
        #expect(arrest == "MO-KCPD/rms/KC-25-1")
    }

    @Test func aLinkAfterTheArrestRoutesItWithItsConfidence() async throws {
        let router = try await router()
        #expect(try await router.apply(caseEvent).isEmpty)
        // No state ID, no FBI number: nothing to match on yet.
        #expect(try await router.apply(arrestEvent).isEmpty)
        let sent = try notifications(try await router.apply(linked()))
        #expect(sent.map(\.recipient) == [.officer("PP-KC-118")])
        let notice = try #require(sent.first)
        #expect(notice.reason.rule == "supervisee-arrested")
        #expect(notice.reason.matched == [MatchedIdentifier("personIndex", "model")])
        #expect(notice.facts.contains(NotificationFact("match", "model score 0.987; agreed: familyName, dateOfBirth")))
        // A redelivered link changes nothing.
        #expect(try await router.apply(linked()).isEmpty)
    }

    @Test func aLinkBeforeTheArrestRoutesItOnArrival() async throws {
        let router = try await router()
        #expect(try await router.apply(caseEvent).isEmpty)
        #expect(try await router.apply(linked()).isEmpty)
        let sent = try notifications(try await router.apply(arrestEvent))
        #expect(sent.map(\.recipient) == [.officer("PP-KC-118")])
        #expect(try await router.apply(arrestEvent).isEmpty)
    }

    @Test func anUnlinkRetractsOnceToTheSameRecipient() async throws {
        let router = try await router()
        _ = try await router.apply(caseEvent)
        _ = try await router.apply(arrestEvent)
        let first = try #require(try notifications(try await router.apply(linked())).first)
        let retractions = try notifications(try await router.apply(unlinked()))
        #expect(retractions.map(\.recipient) == [first.recipient])
        let retraction = try #require(retractions.first)
        #expect(retraction.reason.rule == "supervisee-arrested-retracted")
        #expect(retraction.summary.contains("concerned a different person"))
        #expect(retraction.facts.contains(NotificationFact("retracts", first.id)))
        // Nothing personal beyond what the first notice named: no name, no charges.
        #expect(!retraction.summary.contains("Reyes") && !retraction.facts.contains { $0.value.contains("weapon") })
        // Redelivered: not again.
        #expect(try await router.apply(unlinked()).isEmpty)
    }

    /// Linked again after the retraction: the officer is told again, under a new id (the first
    /// was retracted), and a later unlink retracts that one.
    @Test func aRelinkAfterARetractionNotifiesAgainAndALaterUnlinkRetractsIt() async throws {
        let router = try await router()
        _ = try await router.apply(caseEvent)
        _ = try await router.apply(arrestEvent)
        let first = try #require(try notifications(try await router.apply(linked())).first)
        #expect(try notifications(try await router.apply(unlinked())).count == 1)
        let again = try notifications(try await router.apply(linked(id: "00000000-0000-8000-8000-000000000003", at: "2025-06-16T10:00:00Z")))
        #expect(again.map(\.recipient) == [first.recipient])
        #expect(again.map(\.reason.rule) == ["supervisee-arrested"])
        let second = try #require(again.first)
        #expect(second.id != first.id)
        let retractions = try notifications(try await router.apply(unlinked(id: "00000000-0000-8000-8000-000000000004", at: "2025-06-17T10:00:00Z")))
        #expect(retractions.map(\.reason.rule) == ["supervisee-arrested-retracted"])
        #expect(retractions.first?.facts.contains(NotificationFact("retracts", second.id)) == true)
    }

    /// The person index's decisions reach the router from several partitions (a merge is keyed
    /// by the survivor, the link it absorbs by the absorbed person): a merge read before the
    /// link it absorbs leaves the same mapping, and sends the same notice, as the other order.
    @Test func aMergeReadBeforeTheLinkItAbsorbsEndsTheSame() async throws {
        let (arrest, supervision) = try records()
        let caseLinked = try identity("bus.identity.linked", id: "00000000-0000-8000-8000-000000000010", at: "2025-06-15T15:00:00Z", [
            "personId": "P-CASE", "recordId": supervision, "linkedTo": "MO-DOC/doc/other", "decisionSource": "strong_identifier", "score": 1,
        ])
        let arrestLinked = try identity("bus.identity.linked", id: "00000000-0000-8000-8000-000000000011", at: "2025-06-15T15:01:00Z", [
            "personId": "P-ARREST", "recordId": arrest, "linkedTo": "MO-KCPD/rms/other", "decisionSource": "model", "score": 0.97,
        ])
        let merged = try identity("bus.identity.merged", id: "00000000-0000-8000-8000-000000000012", at: "2025-06-15T15:02:00Z", [
            "personId": "P-CASE", "mergedPersonId": "P-ARREST", "decisionSource": "model",
        ])
        var outcomes: [(mapping: [String], sent: [String])] = []
        for order in [[caseLinked, arrestLinked, merged], [merged, caseLinked, arrestLinked], [arrestLinked, merged, caseLinked]] {
            let router = try await router()
            _ = try await router.apply(caseEvent)
            _ = try await router.apply(arrestEvent)
            var sent: [String] = []
            for event in order { sent += try notifications(try await router.apply(event)).map(\.id) }
            let mapping = try await router.write { db, _ in
                try db.fetchAll("SELECT record_id, person_id FROM router_person_records ORDER BY record_id").map {
                    "\(try $0.get("record_id", as: String.self)) -> \(try $0.get("person_id", as: String.self))"
                }
            }
            outcomes.append((mapping, sent))
        }
        #expect(outcomes[0].mapping.count == 4 && outcomes[0].mapping.allSatisfy { $0.hasSuffix("-> P-CASE") }, "\(outcomes[0].mapping)")
        #expect(outcomes[0].sent.count == 1)
        for outcome in outcomes.dropFirst() {
            #expect(outcome.mapping == outcomes[0].mapping)
            #expect(outcome.sent == outcomes[0].sent)
        }
    }

    /// An expungement of the supervisee removes every row naming the person's records (their
    /// ids hold agencies' numbers), the arrest kept under one, and the notice sent through it.
    @Test func anExpungementRemovesThePersonsRecordsAndWhatWasRoutedThroughThem() async throws {
        let router = try await router()
        _ = try await router.apply(caseEvent)
        _ = try await router.apply(arrestEvent)
        #expect(try notifications(try await router.apply(linked())).count == 1)
        let projection = router.projection
        let order = try Events.sealingOrder(Events.reyes, expunged: true)
        let tally = try await router.write { _, transaction in try projection.seal(order, in: transaction) }
        for table in ["router_person_records", "router_case_records", "router_unmatched_arrests", "router_linked_notices"] {
            #expect(try await router.count(table) == 0, "\(table)")
            #expect(tally.rowsByTable[table, default: 0] > 0, "\(table)")
        }
    }

    /// Identity events name no subject, so the runtime cannot tell they are about a sealed
    /// person: the router remembers the records it removed. Read again after the order (a late
    /// delivery, a replay), the link, the arrest without a state ID and a link joining one more
    /// record to the person leave nothing and send nothing; a decision made after the order is new.
    @Test func afterAnExpungementTheLinksAndTheArrestReadAgainAreNotKept() async throws {
        let router = try await router()
        _ = try await router.apply(caseEvent)
        _ = try await router.apply(arrestEvent)
        #expect(try notifications(try await router.apply(linked())).count == 1)
        let projection = router.projection
        let order = try Events.sealingOrder(Events.reyes, expunged: true, at: Events.now.addingTimeInterval(3_600))
        _ = try await router.write { _, transaction in try projection.seal(order, in: transaction) }

        let (_, supervision) = try records()
        let another = try identity("bus.identity.linked", id: "00000000-0000-8000-8000-000000000020", [
            "personId": supervision, "recordId": "MO-KCJ/booking/B-77", "linkedTo": supervision, "decisionSource": "model", "score": 0.99,
        ])
        let anotherSplit = try identity("bus.identity.split", id: "00000000-0000-8000-8000-000000000021", [
            "personId": supervision, "persons": [["personId": "MO-KCJ/booking/B-77", "recordIds": ["MO-KCJ/booking/B-77"]]],
        ])
        for late in [try linked(), try arrestEvent, another, anotherSplit, try unlinked()] {
            #expect(try await router.apply(late).isEmpty)
        }
        for table in ["router_person_records", "router_unmatched_arrests", "router_linked_notices", "router_person_merges"] {
            #expect(try await router.count(table) == 0, "\(table)")
        }
        // The digests name no one.
        let digests = try await router.write { db, _ in try findOccurrences(of: ["KC-25-1", "B-77", "1198734"], in: db) }
        #expect(digests.isEmpty, "\(digests)")

        // A link the index made after the order (the same agency number, a new record) is kept.
        let after = try identity("bus.identity.linked", id: "00000000-0000-8000-8000-000000000022", at: "2025-06-16T09:00:00Z", [
            "personId": "MO-KCJ/booking/B-77", "recordId": "MO-KCJ/booking/B-77", "linkedTo": "MO-KCJ/booking/B-78", "decisionSource": "strong_identifier", "score": 1,
        ])
        _ = try await router.apply(after)
        #expect(try await router.count("router_person_records") == 2)
    }

    /// A jail booking that names only its booking number (police.arrests v2) is not dead-lettered
    /// for lacking a state ID: once the index links its record to the supervisee's, the officer
    /// gets `supervisee-booked` with the match's confidence; an unlink retracts it.
    @Test func aBookingWithoutAStateIdIsRoutedThroughTheLinkAndRetracted() async throws {
        let router = try await router()
        let subject = SubjectIdentifiers(bookingNumber: "B-booking", name: PersonName(given: "Darnell", family: "Reyes"), dateOfBirth: CalendarDate("1990-07-14"))
        let booking = try Events.admitted(Events.booking(subject), topic: RouterProjection.arrestsTopic)
        let record = try #require(try PersonRecordIds.subject(of: booking))
        let (_, supervision) = try records()
        _ = try await router.apply(caseEvent)
        #expect(try await router.apply(booking).isEmpty)
        let sent = try notifications(try await router.apply(identity("bus.identity.linked", id: "00000000-0000-8000-8000-000000000030", [
            "personId": min(record, supervision), "recordId": record, "linkedTo": supervision, "decisionSource": "model",
            "score": 0.991, "agreed": ["givenName", "familyName", "dateOfBirth"],
        ])))
        #expect(sent.map(\.recipient) == [.officer("PP-KC-118")])
        let notice = try #require(sent.first)
        #expect(notice.reason.rule == "supervisee-booked")
        #expect(notice.reason.explanation.contains("The booking named no state ID"))
        #expect(notice.facts.contains(NotificationFact("match", "model score 0.991; agreed: givenName, familyName, dateOfBirth")))
        let retractions = try notifications(try await router.apply(identity("bus.identity.unlinked", id: "00000000-0000-8000-8000-000000000031", [
            "personId": min(record, supervision), "recordId": record, "newPersonId": record, "reason": "human_distinct",
        ])))
        #expect(retractions.map(\.recipient) == [notice.recipient])
        #expect(retractions.first?.summary.contains("earlier notice of a booking") == true)
        #expect(retractions.first?.sourceEventType == "police.booking.recorded")
    }

    /// A police contact recorded under the records system's number only (police.contacts v2) is
    /// not dead-lettered: once the index links its subject to the supervisee, the officer gets
    /// `supervisee-police-contact` on the rule's own ground with the match's confidence; an
    /// unlink retracts it. A contact on no ground (an associate met away from the registered
    /// address) tells nobody, linked or not.
    @Test func aContactWithoutAStateIdIsRoutedThroughTheLinkOnItsGroundAndRetracted() async throws {
        let router = try await router()
        let contact = Events.contact(.subject, subject: Self.unknown, id: "contact-unidentified")
        #expect(contact.schemaVersion == 2)
        let event = try Events.admitted(contact, topic: PoliceEventRules.contactsTopic)
        let associate = try Events.admitted(
            Events.contact(.associate, met: InvolvedPerson(name: PersonName(given: "Tony", family: "Vale")), subject: Self.unknown, id: "contact-associate"),
            topic: PoliceEventRules.contactsTopic)
        let (arrestRecord, supervision) = try records()
        #expect(try PersonRecordIds.subject(of: event) == arrestRecord)  // the same records system number
        _ = try await router.apply(caseEvent)
        #expect(try await router.apply(event).isEmpty)
        #expect(try await router.apply(associate).isEmpty)
        let sent = try notifications(try await router.apply(linked()))
        #expect(sent.map(\.reason.rule) == ["supervisee-police-contact"], "the associate's contact has no ground: \(sent.map(\.summary))")
        let notice = try #require(sent.first)
        #expect(notice.recipient == .officer("PP-KC-118"))
        #expect(notice.reason.matched.first == MatchedIdentifier("personIndex", "model"))
        #expect(notice.reason.explanation.contains("The police contact named no state ID"))
        #expect(notice.facts.contains(NotificationFact("reason", "supervisee")))
        #expect(notice.facts.contains(NotificationFact("match", "model score 0.987; agreed: familyName, dateOfBirth")))
        // Linked again (a redelivery), nothing new; unlinked, retracted once to the same officer.
        #expect(try await router.apply(linked()).isEmpty)
        let retractions = try notifications(try await router.apply(unlinked()))
        #expect(retractions.map(\.recipient) == [notice.recipient])
        #expect(retractions.first?.summary.contains("earlier notice of a police contact") == true)
        #expect(retractions.first?.sourceEventType == ContactRecorded.eventType)
        _ = supervision
    }

    /// A jail's release of a supervisee known to it by the booking number only (custody.releases
    /// v2), completed without a schedule: the destination's police hear of it when it is read;
    /// once the index links its subject to the supervisee, the officer gets `supervisee-release`
    /// and the supervising agency the URGENT `short-notice-release`, each stating the match; an
    /// unlink retracts both, once each.
    @Test func aReleaseWithoutAStateIdReachesTheOfficerThroughTheLinkAndIsRetracted() async throws {
        let router = try await router()
        let booked = SubjectIdentifiers(bookingNumber: "B-release", name: PersonName(given: "Darnell", family: "Reyes"), dateOfBirth: CalendarDate("1990-07-14"))
        let completed = Events.releaseCompleted(booked)
        #expect(completed.schemaVersion == 2)
        let release = try Events.admitted(completed, topic: ReleaseRules.releasesTopic)
        let record = try #require(try PersonRecordIds.subject(of: release))
        let (_, supervision) = try records()
        _ = try await router.apply(caseEvent)
        let atRelease = try notifications(try await router.apply(release))
        #expect(atRelease.allSatisfy { $0.recipient != .officer("PP-KC-118") } && !atRelease.isEmpty, "\(atRelease.map(\.recipient))")
        let link = try identity("bus.identity.linked", id: "00000000-0000-8000-8000-000000000040", [
            "personId": min(record, supervision), "recordId": record, "linkedTo": supervision, "decisionSource": "model",
            "score": 0.993, "agreed": ["givenName", "familyName", "dateOfBirth"],
        ])
        let sent = try notifications(try await router.apply(link))
        #expect(sent.map { "\($0.recipient) \($0.priority.rawValue) \($0.reason.rule)" } == [
            "officer:PP-KC-118 routine supervisee-release", "agency:MO-DOC-PP urgent short-notice-release",
        ])
        for notice in sent {
            #expect(notice.reason.matched == [MatchedIdentifier("personIndex", "model")])
            #expect(notice.reason.explanation.contains("The release named no state ID"))
            #expect(notice.facts.contains(NotificationFact("match", "model score 0.993; agreed: givenName, familyName, dateOfBirth")))
        }
        // Linked again (a redelivery), nothing new; unlinked, one retraction to each.
        #expect(try await router.apply(link).isEmpty)
        let retractions = try notifications(try await router.apply(identity("bus.identity.unlinked", id: "00000000-0000-8000-8000-000000000041", [
            "personId": min(record, supervision), "recordId": record, "newPersonId": record, "reason": "human_distinct",
        ])))
        #expect(Set(retractions.map(\.recipient)) == Set(sent.map(\.recipient)) && retractions.count == sent.count)
        #expect(retractions.allSatisfy { $0.summary.contains("earlier notice of a release") })
    }

    /// Expunged after the index linked the release kept under its booking number: what the
    /// release rules keep of it (the release, its notices) goes with the person's records,
    /// though it names neither of the order's numbers.
    @Test func anExpungementRemovesALinkedReleaseKeptUnderItsBookingNumber() async throws {
        let router = try await router()
        let booked = SubjectIdentifiers(bookingNumber: "B-release", name: PersonName(given: "Darnell", family: "Reyes"), dateOfBirth: CalendarDate("1990-07-14"))
        let release = try Events.admitted(Events.releaseCompleted(booked), topic: ReleaseRules.releasesTopic)
        let record = try #require(try PersonRecordIds.subject(of: release))
        let (_, supervision) = try records()
        _ = try await router.apply(caseEvent)
        _ = try await router.apply(release)
        #expect(try await router.count("releases_known") == 1)
        #expect(try await router.count("releases_events") == 1)
        _ = try await router.apply(identity("bus.identity.linked", id: "00000000-0000-8000-8000-000000000050", [
            "personId": min(record, supervision), "recordId": record, "linkedTo": supervision, "decisionSource": "model", "score": 0.993,
        ]))
        let projection = router.projection
        let order = try Events.sealingOrder(Events.reyes, expunged: true, at: Events.now.addingTimeInterval(3_600))
        let tally = try await router.write { _, transaction in try projection.seal(order, in: transaction) }
        for table in ["releases_known", "releases_events", "router_unmatched_arrests"] {
            #expect(try await router.count(table) == 0, "\(table)")
            #expect(tally.rowsByTable[table, default: 0] > 0, "\(table)")
        }
        // The police's notices of the release, queued when it was read (before the link), are
        // messages the bus delivers within moments; everything the router keeps names him no more.
        let found = try await router.write { db, _ in try findOccurrences(of: ["B-release", "Darnell"], in: db) }
        #expect(found.filter { $0.table != "kit_outbox" }.isEmpty, "\(found)")
    }

    /// A case number started again for another person (a data-entry correction, or a number
    /// reused) is that person's from then on: an expungement of the first person does not reach
    /// the second through it (the warrant resolver once followed a re-issued warrant's first
    /// subject into another person's records).
    @Test func aCaseStartedAgainForAnotherPersonDoesNotLeadAnExpungementToThem() async throws {
        let router = try await router()
        _ = try await router.apply(caseEvent)
        let again = try Events.admitted(Events.caseStarted(Events.hill, id: "case-again"), topic: RouterProjection.casesTopic)
        _ = try await router.apply(again)
        let hillRecord = try #require(try PersonRecordIds.subject(of: again))
        _ = try await router.apply(identity("bus.identity.linked", id: "00000000-0000-8000-8000-000000000040", [
            "personId": hillRecord, "recordId": "MO-KCJ/booking/H-1", "linkedTo": hillRecord, "decisionSource": "strong_identifier", "score": 1,
        ]))
        let mapping = { try await router.write { db, _ in
            try db.fetchAll("SELECT record_id, person_id FROM router_person_records ORDER BY record_id").map {
                "\(try $0.get("record_id", as: String.self)) -> \(try $0.get("person_id", as: String.self))"
            }
        } }
        let before = try await mapping()
        #expect(before.count == 2, "\(before)")
        let projection = router.projection
        let order = try Events.sealingOrder(Events.reyes, expunged: true)
        _ = try await router.write { _, transaction in try projection.seal(order, in: transaction) }
        #expect(try await mapping() == before, "Hill's records stay")
        #expect(try await router.write { db, _ in
            try db.fetchAll("SELECT record_id FROM router_case_records WHERE case_id = 'CASE-1'").map { try $0.get("record_id", as: String.self) }
        } == [hillRecord])
    }

    /// The clock forgets kept arrests in bounded steps: at most `limit` a pass, soonest first.
    @Test func forgettingTakesAtMostTheLimitAPass() async throws {
        let router = try await router()
        for number in 1...3 {
            _ = try await router.apply(try Events.admitted(Events.arrest(Self.unknown, id: "arrest-\(number)"), topic: RouterProjection.arrestsTopic))
        }
        #expect(try await router.count("router_unmatched_arrests") == 3)
        let projection = router.projection
        let later = Int64.max / 2
        try await router.write { _, transaction in try projection.forget(before: later, limit: 2, in: transaction) }
        #expect(try await router.count("router_unmatched_arrests") == 1)
        try await router.write { _, transaction in try projection.forget(before: later, limit: 2, in: transaction) }
        #expect(try await router.count("router_unmatched_arrests") == 0)
    }

    @Test func anArrestWithoutLinkNotifiesNobody() async throws {
        let router = try await router()
        _ = try await router.apply(caseEvent)
        #expect(try await router.apply(arrestEvent).isEmpty)
        #expect(try await router.apply(unlinked()).isEmpty)
    }
}
