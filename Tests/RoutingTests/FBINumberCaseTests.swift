import TestSupport
import Contracts
import Foundation
import Notifications
import PersonIndexStore
import ServiceKit
import Storage
import Testing

@testable import Routing

/// Version 2 of `supervision.cases` and `supervision.mental-health-bulletins`: a supervisee the
/// supervising agency knows by the FBI number alone (supervised here under the Interstate
/// Compact, no state ID of this state). The router matches such a case on the FBI number as it
/// matches a case on the state ID, words its notifications under that number (so a sealing
/// order finds them), and keeps such a person's bulletin under it.
@Suite struct FBINumberCaseTests {
    let rules = ReleaseRulesTests()

    /// Reyes as an agency that has no state ID for him knows him.
    static let transferee = SubjectIdentifiers(
        fbiNumber: "734591KA2", name: PersonName(given: "Darnell", family: "Reyes"), dateOfBirth: CalendarDate("1990-07-14"))

    func cases(_ event: EventEnvelope<some EventPayload>) throws -> AdmittedEvent { try rules.cases(event) }
    func arrests(_ event: EventEnvelope<some EventPayload>) throws -> AdmittedEvent { try rules.on(RouterProjection.arrestsTopic, event) }
    func bulletins(_ event: EventEnvelope<some EventPayload>) throws -> AdmittedEvent { try rules.on(BulletinRules.bulletinsTopic, event) }
    func incidents(_ event: EventEnvelope<ViolentIncidentReported>) throws -> AdmittedEvent { try rules.on(PoliceEventRules.incidentsTopic, event) }

    /// The directory (KCPD) and Reyes's case under the FBI number, registered in Kansas City.
    func routerWithTransfereeCase() async throws -> ProjectionHarness {
        let router = try await rules.router()
        try await router.apply(rules.directory(Events.kcpdEntry))
        let started = try cases(Events.caseStarted(Self.transferee, address: Events.kansasCity))
        #expect(started.schemaVersion == 2)
        #expect(started.key == "fbi:734591KA2")
        #expect(try rules.sent(try await router.apply(started)) == ["agency:MO-KCPD routine resident-supervision-started"])
        return router
    }

    @Test func anArrestOfASuperviseeKnownByTheFBINumberReachesTheOfficer() async throws {
        let router = try await routerWithTransfereeCase()
        // Fingerprinted at arrest: the arrest names this state's new state ID and the FBI number.
        let arrested = try await router.apply(arrests(Events.arrest(Events.reyes, id: "arrest-both")))
        #expect(try rules.sent(arrested) == ["officer:PP-KC-118 high supervisee-arrested"])
        let notification = try BusNotification.decode(arrested[0].value)
        #expect(notification.reason.matched == [MatchedIdentifier("fbiNumber", "734591KA2")])
        #expect(notification.subjectStateId == "MO1234567")

        // An arrest under the FBI number alone: the notification is filed under it.
        let alone = try await router.apply(arrests(Events.arrest(Self.transferee, id: "arrest-fbi")))
        #expect(try rules.sent(alone) == ["officer:PP-KC-118 high supervisee-arrested"])
        let filed = try BusNotification.decode(alone[0].value)
        #expect(filed.subjectStateId == nil)
        #expect(filed.subjectFbiNumber == "734591KA2")
    }

    /// A case management system and a jail that both write "UNKNOWN" where they have no FBI
    /// number: that is no number, so a stranger's arrest filed so does not reach the officer of
    /// the supervisee filed so (it did, matched on the FBI number "UNKNOWN"); the supervisee's
    /// own arrest still does, on the state ID.
    @Test func aPlaceholderFBINumberMatchesNobody() async throws {
        let router = try await rules.router()
        let unknown = { (stateId: String, given: String, family: String) in
            SubjectIdentifiers(stateId: stateId, fbiNumber: "UNKNOWN", name: PersonName(given: given, family: family))
        }
        try await router.apply(cases(Events.caseStarted(unknown("MO1234567", "Darnell", "Reyes"), address: nil)))
        let stranger = try await router.apply(arrests(Events.arrest(unknown("MO7654321", "Marcus", "Hill"), id: "stranger")))
        #expect(try rules.sent(stranger).isEmpty)
        let own = try await router.apply(arrests(Events.arrest(unknown("MO1234567", "Darnell", "Reyes"), id: "own")))
        #expect(try rules.sent(own) == ["officer:PP-KC-118 high supervisee-arrested"])
        #expect(try BusNotification.decode(own[0].value).reason.matched == [MatchedIdentifier("stateId", "MO1234567")])
    }

    /// An arrest under a records-system number alone, linked by the person index to the case
    /// under the FBI number: the notice names the link and stays filed under the FBI number.
    @Test func aLinkedArrestOfSuchASuperviseeIsFiledUnderTheFBINumber() async throws {
        let router = try await routerWithTransfereeCase()
        let arrest = try arrests(Events.arrest(LinkedArrestRulesTests.unknown, id: "arrest-rms"))
        #expect(try await router.apply(arrest).isEmpty)
        let arrestRecord = try #require(try PersonRecordIds.subject(of: arrest))
        let caseRecord = try #require(try PersonRecordIds.subject(of: try cases(Events.caseStarted(Self.transferee, address: Events.kansasCity))))
        let linked = try await router.apply(try Events.identity("bus.identity.linked", id: "00000000-0000-8000-8000-000000000001", [
            "personId": min(arrestRecord, caseRecord), "recordId": arrestRecord, "linkedTo": caseRecord, "decisionSource": "model",
            "score": 0.987, "agreed": ["familyName", "dateOfBirth"],
        ]))
        #expect(try rules.sent(linked) == ["officer:PP-KC-118 high supervisee-arrested"])
        let notice = try BusNotification.decode(linked[0].value)
        #expect(notice.reason.matched == [MatchedIdentifier("fbiNumber", "734591KA2"), MatchedIdentifier("personIndex", "model")])
        #expect(notice.subjectFbiNumber == "734591KA2")
    }

    /// Version 2 of a violent incident names a victim by the FBI number: the router matches such
    /// a supervisee's case on it as it would on the state ID (not against another date of
    /// birth), files the notification under it, keeps the fact for a case read later, and an
    /// order naming the number removes the facts kept under it.
    @Test func anIncidentNamingSuchASuperviseeByTheFBINumberReachesTheOfficer() async throws {
        let router = try await routerWithTransfereeCase()
        let victim = InvolvedPerson(fbiNumber: "734591KA2", name: PersonName(given: "Darnell", family: "Reyes"), underSupervision: true)
        let incident = try incidents(Events.incident(victims: [victim], id: "shot-fbi"))
        #expect(incident.schemaVersion == 2)
        #expect(try incidents(Events.incident(victims: [Events.reyesInvolved], id: "by-state-id")).schemaVersion == 1)
        let sent = try await router.apply(incident)
        #expect(try rules.sent(sent) == ["officer:PP-KC-118 high supervisee-victim"])
        let notification = try BusNotification.decode(try #require(sent.first).value)
        #expect(notification.reason.matched.first == MatchedIdentifier("fbiNumber", "734591KA2"))
        #expect(notification.subjectStateId == nil)
        #expect(notification.subjectFbiNumber == "734591KA2")
        var otherBirth = victim
        otherBirth.dateOfBirth = CalendarDate("1985-01-01")
        #expect(try await router.apply(incidents(Events.incident(victims: [otherBirth], id: "other-birth"))).isEmpty)

        // Read before the case: kept, and routed when the case starts.
        let later = try await rules.router()
        try await later.apply(rules.directory(Events.kcpdEntry))
        #expect(try await later.apply(incident).isEmpty)
        let started = try await later.apply(cases(Events.caseStarted(Self.transferee, address: Events.kansasCity)))
        #expect(try rules.sent(started).contains("officer:PP-KC-118 high supervisee-victim"))

        // Both incidents' facts are kept under the number (the second names another birth date,
        // but the same number): an order naming it removes both.
        let order = try Events.sealingOrder(SubjectIdentifiers(fbiNumber: "734591KA2"), expunged: true)
        let projection = router.projection
        let tally = try await router.write { _, transaction in try projection.seal(order, in: transaction) }
        #expect(tally.rowsByTable["police_facts"] == 2)
    }

    /// Version 2 of an investigation names a person of interest by the FBI number: the officer
    /// of a case under it is told (filed under the number), the closure's purge notice is filed
    /// under it too, and an order naming the number removes the person of interest, the fact and
    /// the receipt of an investigation still open.
    @Test func anInvestigationNamingSuchASuperviseeByTheFBINumberReachesTheOfficerAndItsClosurePurges() async throws {
        let person = InvolvedPerson(fbiNumber: "734591KA2", underSupervision: true)
        let opened = try rules.on(PoliceEventRules.investigationsTopic, Events.investigationOpened(.routine, persons: [person]))
        #expect(opened.schemaVersion == 2)
        #expect(try rules.on(PoliceEventRules.investigationsTopic, Events.investigationOpened(.routine, id: "by-state-id")).schemaVersion == 1)

        let router = try await routerWithTransfereeCase()
        let sent = try await router.apply(opened)
        #expect(try rules.sent(sent) == ["officer:PP-KC-118 high investigation-named-supervisee"])
        let notice = try BusNotification.decode(try #require(sent.first).value)
        #expect(notice.reason.matched.first == MatchedIdentifier("fbiNumber", "734591KA2"))
        #expect(notice.subjectStateId == nil && notice.subjectFbiNumber == "734591KA2")
        #expect(try await router.count("police_investigation_people") == 1)
        let purges = try await router.apply(rules.on(PoliceEventRules.investigationsTopic, Events.investigationClosed()))
        #expect(try rules.sent(purges) == ["officer:PP-KC-118 high investigation-closed-purge"])
        #expect(try BusNotification.decode(try #require(purges.first).value).subjectFbiNumber == "734591KA2")

        let sealed = try await routerWithTransfereeCase()
        #expect(try await sealed.apply(opened).count == 1)
        let order = try Events.sealingOrder(SubjectIdentifiers(fbiNumber: "734591KA2"), expunged: true)
        let projection = sealed.projection
        let tally = try await sealed.write { _, transaction in try projection.seal(order, in: transaction) }
        #expect(tally.rowsByTable["police_investigation_people"] == 1)
        #expect(tally.rowsByTable["police_investigation_receipts"] == 1)
        #expect(tally.rowsByTable["police_facts"] == 1)
    }

    /// A violent incident in the last 12 months counts as a high need for the release of a
    /// person it names by the FBI number alone (the release rules keep its involvement under the
    /// number), and an order naming the number removes the involvement.
    @Test func anIncidentNamingTheFBINumberMakesItsReleaseAHighNeed() async throws {
        let router = try await rules.router()
        try await router.apply(rules.directory(Events.kcpdEntry))
        try await router.apply(rules.directory(Events.kcReentryEntry))
        let released = SubjectIdentifiers(fbiNumber: "734591KA2", name: PersonName(given: "Darnell", family: "Reyes"))
        let scheduled = try rules.releases(Events.releaseScheduled(released, expected: Events.at(days: 90)))
        #expect(scheduled.schemaVersion == 2)
        try await router.apply(scheduled)
        #expect(try await router.apply(Events.tick(Events.at(days: 31))).isEmpty)  // no need known yet
        let read = try rules.incidents(Events.incident(
            victims: [InvolvedPerson(fbiNumber: "734591KA2", underSupervision: false)], at: Events.at(days: -100), id: "incident-fbi"))
        #expect(read.schemaVersion == 2)
        #expect(try rules.sent(try await router.apply(read)) == ["agency:MO-KC-REENTRY routine high-needs-release"])
        #expect(try await router.count("releases_involvements") == 1)

        let order = try Events.sealingOrder(SubjectIdentifiers(fbiNumber: "734591KA2"), expunged: true)
        let projection = router.projection
        let tally = try await router.write { _, transaction in try projection.seal(order, in: transaction) }
        #expect(tally.rowsByTable["releases_involvements"] == 1)
    }

    @Test func anOfficerAssignedUnderTheFBINumberTakesTheCaseOver() async throws {
        let router = try await routerWithTransfereeCase()
        try await router.apply(cases(Events.officerAssigned(Events.lee, subject: Self.transferee)))
        let arrested = try await router.apply(arrests(Events.arrest(Events.reyes, at: Events.now.addingTimeInterval(60), id: "arrest-after")))
        #expect(try rules.sent(arrested) == ["officer:PP-KC-200 high supervisee-arrested"])
    }

    @Test func theResidentNoticesOfSuchACaseAreFiledUnderTheFBINumber() async throws {
        let router = try await rules.router()
        try await router.apply(rules.directory(Events.kcpdEntry))
        try await router.apply(rules.directory(Events.independencePDEntry))
        try await router.apply(cases(Events.caseStarted(Self.transferee, address: Events.kansasCity)))
        let moved = try await router.apply(cases(Events.movedToIndependence(subject: Self.transferee)))
        #expect(try rules.sent(moved) == ["agency:MO-INDEP-PD routine resident-moved-in", "agency:MO-KCPD routine resident-moved-out"])
        for message in moved {
            let notification = try BusNotification.decode(message.value)
            #expect(notification.subjectStateId == nil)
            #expect(notification.subjectFbiNumber == "734591KA2")
            #expect(notification.reason.matched.first == MatchedIdentifier("fbiNumber", "734591KA2"))
        }
    }

    /// The agency learned the state ID mid-case and wrote on under it (version 1, another key,
    /// another partition): a move and an end read before the case's start are kept, and applied
    /// when the start is read, with what they call for — as if read in order.
    @Test func aMoveAndAnEndReadBeforeTheirCasesStartAreAppliedWithIt() async throws {
        let inOrder = try await rules.router()
        let early = try await rules.router()
        for router in [inOrder, early] {
            try await router.apply(rules.directory(Events.kcpdEntry))
            try await router.apply(rules.directory(Events.independencePDEntry))
        }
        let started = try cases(Events.caseStarted(Self.transferee, address: Events.kansasCity))
        let moved = try Events.admitted(Events.movedToIndependence(), topic: RouterProjection.casesTopic, kafkaTime: Events.nowMilliseconds + 1)
        let ended = try Events.admitted(Events.caseEnded(on: Events.day(-1)), topic: RouterProjection.casesTopic, kafkaTime: Events.nowMilliseconds + 2)
        #expect(moved.schemaVersion == 1 && ended.schemaVersion == 1)
        var expected: [String] = []
        for event in [started, moved, ended] { expected += try rules.sent(try await inOrder.apply(event)) }
        #expect(expected.contains("agency:MO-INDEP-PD routine resident-supervision-ended"))

        #expect(try await early.apply(ended).isEmpty)
        #expect(try await early.apply(moved).isEmpty)
        #expect(try await early.count("router_early_case_events") == 2)
        #expect(try rules.sent(try await early.apply(started)) == expected)
        #expect(try await early.count("router_early_case_events") == 0)
        let checksums = (try await inOrder.write { db, _ in try RouterStore(db).checksum() }, try await early.write { db, _ in try RouterStore(db).checksum() })
        #expect(checksums.0 == checksums.1)

        // Kept, and removed by an order about the person.
        let sealed = try await rules.router()
        #expect(try await sealed.apply(moved).isEmpty)
        let order = try Events.sealingOrder(SubjectIdentifiers(stateId: "MO1234567"))
        let projection = sealed.projection
        let tally = try await sealed.write { _, transaction in try projection.seal(order, in: transaction) }
        #expect(tally.rowsByTable["router_early_case_events"] == 1)
    }

    @Test func aBulletinUnderTheFBINumberReachesThePoliceAndItsWithdrawalToo() async throws {
        let router = try await routerWithTransfereeCase()
        let published = try bulletins(Events.bulletinPublished(Self.transferee))
        #expect(published.schemaVersion == 2)
        let sent = try await router.apply(published)
        #expect(try rules.sent(sent) == ["agency:MO-KCPD routine mental-health-bulletin"])
        #expect(try BusNotification.decode(sent[0].value).subjectFbiNumber == "734591KA2")
        #expect(try await router.apply(published).isEmpty)  // redelivered
        let withdrawn = try await router.apply(bulletins(Events.bulletinWithdrawn(Self.transferee)))
        #expect(try rules.sent(withdrawn) == ["agency:MO-KCPD routine mental-health-bulletin-withdrawn"])
        #expect(try BusNotification.decode(withdrawn[0].value).subjectFbiNumber == "734591KA2")
    }

    /// A bulletin under the FBI number reaches the police of a case that names both numbers,
    /// and one under the state ID the police of a case under the FBI number, when the bulletin
    /// names the FBI number too.
    @Test func aBulletinAndACaseMeetOnTheFBINumberWhicheverNamesTheStateId() async throws {
        let router = try await rules.routerWithDirectoryAndCase()  // Reyes's case names both numbers
        #expect(try rules.sent(try await router.apply(bulletins(Events.bulletinPublished(Self.transferee)))) == [
            "agency:MO-KCPD routine mental-health-bulletin"
        ])
        let other = try await routerWithTransfereeCase()
        #expect(try rules.sent(try await other.apply(bulletins(Events.bulletinPublished(Events.reyes)))) == [
            "agency:MO-KCPD routine mental-health-bulletin"
        ])
    }

    /// Version 1 (keyed by the state ID) and version 2 (by the FBI number) are read in no set
    /// order: the later bulletin replaces the earlier whichever number each names, and a
    /// withdrawal naming both numbers withdraws one kept under the FBI number.
    @Test func theLaterBulletinWinsWhicheverNumberItIsKeptUnder() async throws {
        let router = try await routerWithTransfereeCase()
        try await router.apply(bulletins(Events.bulletinPublished(Self.transferee, id: "first")))
        var renewed = Events.bulletinPublished(Events.reyes, id: "renewed")
        renewed.occurredAt = Events.now.addingTimeInterval(3_600)
        let sent = try await router.apply(bulletins(renewed))
        // KCPD receives the renewed bulletin and is told to delete the first, which it replaces.
        #expect(try rules.sent(sent) == ["agency:MO-KCPD routine mental-health-bulletin", "agency:MO-KCPD routine mental-health-bulletin-withdrawn"])
        #expect(try BusNotification.decode(sent[0].value).facts.contains(NotificationFact("bulletin", "MHB-renewed")))
        #expect(try BusNotification.decode(sent[1].value).facts.contains(NotificationFact("bulletin", "MHB-first")))
        #expect(try await router.count("bulletins_current") == 1)
        // The first, read again (a replay of the other partition): not kept over the later one.
        #expect(try await router.apply(bulletins(Events.bulletinPublished(Self.transferee, id: "first"))).isEmpty)
        #expect(try await router.write { db, _ in try BulletinStore(db).published(of: Self.transferee)?.payload.bulletinId } == "MHB-renewed")

        let other = try await routerWithTransfereeCase()
        try await other.apply(bulletins(Events.bulletinPublished(Self.transferee)))
        let withdrawn = try await other.apply(bulletins(Events.bulletinWithdrawn(Events.reyes)))
        #expect(try rules.sent(withdrawn) == ["agency:MO-KCPD routine mental-health-bulletin-withdrawn"])
        #expect(try await other.write { db, _ in try BulletinStore(db).published(of: Self.transferee) } == nil)
        // A later address change does not deliver the withdrawn bulletin again.
        #expect(try rules.sent(try await other.apply(cases(Events.movedToIndependence(subject: Self.transferee)))).allSatisfy { !$0.hasSuffix("mental-health-bulletin") })
    }

    @Test func aBulletinNamingNeitherNumberIsRefusedNamingTheFields() async throws {
        let router = try await routerWithTransfereeCase()
        let nameless = SubjectIdentifiers(docNumber: "1198734", name: PersonName(given: "Darnell", family: "Reyes"))
        await #expect {
            try await router.apply(bulletins(Events.bulletinPublished(nameless)))
        } throws: { error in
            (error as? PoisonMessage)?.reason.contains("subject.stateId and subject.fbiNumber are both missing") == true
        }
        #expect(try await router.count("bulletins_current") == 0)
    }

    /// An order naming the FBI number removes the case, the bulletin and its deliveries, and an
    /// order naming only the state ID does too once the router has seen the two numbers
    /// together: in an arrest, or in the bulletin itself.
    @Test(arguments: [OrderCase.fbiNumber, .stateIdPairedByAnArrest, .stateIdPairedByTheBulletin])
    func anOrderRemovesTheCaseAndTheBulletinUnderTheFBINumber(_ naming: OrderCase) async throws {
        let router = try await routerWithTransfereeCase()
        if naming == .stateIdPairedByTheBulletin {
            try await router.apply(bulletins(Events.bulletinPublished(Events.reyes)))  // names both numbers
        } else {
            try await router.apply(bulletins(Events.bulletinPublished(Self.transferee)))
            try await router.apply(arrests(Events.arrest(Events.reyes, id: "arrest-both")))  // pairs the two numbers
        }
        #expect(try await router.count("bulletins_deliveries") == 1)
        let order = try Events.sealingOrder(naming == .fbiNumber ? SubjectIdentifiers(fbiNumber: "734591KA2") : SubjectIdentifiers(stateId: "MO1234567"))
        let projection = router.projection
        let tally = try await router.write { _, transaction in try projection.seal(order, in: transaction) }
        #expect(tally.rowsByTable["router_cases"] == 1)
        #expect(tally.rowsByTable["bulletins_current"] == 1)
        #expect(tally.rowsByTable["bulletins_deliveries"] == 1)
        let left = try await router.write { db, _ in
            Set(try findOccurrences(of: ["MO1234567", "734591KA2", "Reyes"], in: db).map(\.table).filter { !$0.hasPrefix("kit_") })
        }
        #expect(left.isEmpty)
    }

    enum OrderCase: Sendable { case fbiNumber, stateIdPairedByAnArrest, stateIdPairedByTheBulletin }

    @Test func personsOfInterestKeptBeforeTheFBINumberCouldStandInAreKeptUnderTheStateId() async throws {
        try await Self.personsOfInterestKeptBeforeVersion2(try SQLiteStorage.inMemory())
    }

    /// `police-events-v2` on rows written before it: a person of interest and a receipt kept by
    /// state ID are read as before, and an order naming the state ID removes both.
    static func personsOfInterestKeptBeforeVersion2(_ db: any StorageDatabase) async throws {
        let steps = PoliceFactStore.migrations
        let before = Array(steps.prefix { $0.id != "police-events-v2" })
        #expect(before.count < steps.count)
        try await db.write { db in
            try StorageMigrator.migrate(before, in: db)
            try db.execute(
                "INSERT INTO police_investigation_people (investigation_id, state_id, person) VALUES ('INV-1', 'MO1234567', $1)",
                [.bytes(try EventCodec.encodeJSON(Events.reyesInvolved))])
            try db.execute(
                """
                INSERT INTO police_investigation_receipts (notification_id, investigation_id, recipient, recipient_agency_id, subject_state_id)
                VALUES ('n-1', 'INV-1', 'officer:PP-KC-118', 'MO-DOC-PP', 'MO1234567')
                """)
            try StorageMigrator.migrate(steps, in: db)
        }
        try await db.write { db in
            let store = PoliceFactStore(db)
            #expect(try store.personsOfInterest(of: "INV-1") == [Events.reyesInvolved])
            #expect(try store.receipts(of: "INV-1").map(\.subjectStateId) == ["MO1234567"])
            let tally = try store.seal(try Events.sealingOrder(SubjectIdentifiers(stateId: "MO1234567")), stateIds: [])
            #expect(tally.rowsByTable["police_investigation_people"] == 1)
            #expect(tally.rowsByTable["police_investigation_receipts"] == 1)
        }
    }

    @Test func involvementsKeptBeforeTheFBINumberCouldStandInAreKeptUnderTheStateId() async throws {
        try await Self.involvementsKeptBeforeVersion4(try SQLiteStorage.inMemory())
    }

    /// `releases-v4` on rows written before it: an involvement is found by the state ID it was
    /// kept under, a new one under the FBI number beside it, and an order removes each.
    static func involvementsKeptBeforeVersion4(_ db: any StorageDatabase) async throws {
        let steps = ReleaseStore.migrations
        let before = Array(steps.prefix { $0.id != "releases-v4" })
        #expect(before.count < steps.count)
        try await db.write { db in
            try StorageMigrator.migrate(before, in: db)
            try db.execute(
                """
                INSERT INTO releases_involvements (incident_id, state_id, role, incident_kind, incident_at_ms, forget_after_ms)
                VALUES ('KCPD-I-1', 'MO1234567', 'victim', 'shooting', 1000, 2000)
                """)
            try StorageMigrator.migrate(steps, in: db)
        }
        try await db.write { db in
            let store = ReleaseStore(db)
            #expect(try store.involvements(of: SubjectIdentifiers(stateId: "MO1234567"), from: 0, until: 5_000).map(\.incidentId) == ["KCPD-I-1"])
            try store.keepInvolvement(
                incidentId: "KCPD-I-2", person: InvolvedPerson(fbiNumber: "734591KA2"), role: "suspect", kind: "robbery", at: Date(timeIntervalSince1970: 3))
            #expect(try store.involvements(of: FBINumberCaseTests.transferee, from: 0, until: 5_000).map(\.incidentId) == ["KCPD-I-2"])
            #expect(try store.removePerson(try Events.sealingOrder(SubjectIdentifiers(stateId: "MO1234567"))).rowsByTable["releases_involvements"] == 1)
            #expect(try store.removePerson(try Events.sealingOrder(FBINumberCaseTests.transferee)).rowsByTable["releases_involvements"] == 1)
        }
    }

    @Test func bulletinsKeptBeforeTheFBINumberCouldStandInAreKeptUnderTheStateId() async throws {
        try await Self.bulletinsKeptBeforeVersion2(try SQLiteStorage.inMemory())
    }

    /// `bulletins-v2` on rows written before it: the bulletin is found by the state ID it was
    /// kept under and by its FBI number, its delivery still reaches the withdrawal, and an order
    /// naming the state ID removes both.
    static func bulletinsKeptBeforeVersion2(_ db: any StorageDatabase) async throws {
        let steps = BulletinStore.migrations
        let before = Array(steps.prefix { $0.id != "bulletins-v2" })
        #expect(before.count < steps.count)
        let published = Events.bulletinPublished()
        try await db.write { db in
            try StorageMigrator.migrate(before, in: db)
            try db.execute(
                """
                INSERT INTO bulletins_current (state_id, fbi_number, bulletin_id, status, granted_from_ms, expires_after_ms, event)
                VALUES ('MO1234567', '734591KA2', 'MHB-bulletin', 'published', 0, 1, $1)
                """,
                [.bytes(try EventCodec.encode(published))])
            try db.execute(
                "INSERT INTO bulletins_deliveries (bulletin_id, recipient, state_id, recipient_agency_id) VALUES ('MHB-bulletin', 'agency:MO-KCPD', 'MO1234567', 'MO-KCPD')")
            try StorageMigrator.migrate(steps, in: db)
        }
        try await db.write { db in
            let store = BulletinStore(db)
            #expect(try store.published(of: SubjectIdentifiers(stateId: "MO1234567"))?.eventId == published.eventId)
            #expect(try store.published(of: FBINumberCaseTests.transferee)?.eventId == published.eventId)
            #expect(try store.deliveries(of: "MHB-bulletin") == ["agency:MO-KCPD"])
            try store.setStatus("withdrawn", of: SubjectIdentifiers(stateId: "MO1234567"), bulletinId: "MHB-bulletin")
            #expect(try store.published(of: SubjectIdentifiers(stateId: "MO1234567")) == nil)
            let tally = try store.removePerson(try Events.sealingOrder(SubjectIdentifiers(stateId: "MO1234567")))
            #expect(tally.rowsByTable == ["bulletins_current": 1, "bulletins_deliveries": 1])
            #expect(tally.pairedFbiNumbers == ["734591KA2"])
        }
    }
}

/// The same on PostgreSQL 15; skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct FBINumberCasePostgresTests {
    @Test func arrest() async throws { try await FBINumberCaseTests().anArrestOfASuperviseeKnownByTheFBINumberReachesTheOfficer() }
    @Test func placeholder() async throws { try await FBINumberCaseTests().aPlaceholderFBINumberMatchesNobody() }
    @Test func residents() async throws { try await FBINumberCaseTests().theResidentNoticesOfSuchACaseAreFiledUnderTheFBINumber() }
    @Test func bulletin() async throws { try await FBINumberCaseTests().aBulletinUnderTheFBINumberReachesThePoliceAndItsWithdrawalToo() }
    @Test func earlyCaseEvents() async throws { try await FBINumberCaseTests().aMoveAndAnEndReadBeforeTheirCasesStartAreAppliedWithIt() }
    @Test func laterBulletin() async throws { try await FBINumberCaseTests().theLaterBulletinWinsWhicheverNumberItIsKeptUnder() }
    @Test func linkedArrest() async throws { try await FBINumberCaseTests().aLinkedArrestOfSuchASuperviseeIsFiledUnderTheFBINumber() }
    @Test func reassignment() async throws { try await FBINumberCaseTests().anOfficerAssignedUnderTheFBINumberTakesTheCaseOver() }
    @Test func incident() async throws { try await FBINumberCaseTests().anIncidentNamingSuchASuperviseeByTheFBINumberReachesTheOfficer() }
    @Test func highNeed() async throws { try await FBINumberCaseTests().anIncidentNamingTheFBINumberMakesItsReleaseAHighNeed() }
    @Test func investigation() async throws {
        try await FBINumberCaseTests().anInvestigationNamingSuchASuperviseeByTheFBINumberReachesTheOfficerAndItsClosurePurges()
    }
    @Test func involvementsMigration() async throws { try await onFreshPostgres(FBINumberCaseTests.involvementsKeptBeforeVersion4) }
    @Test func personsOfInterestMigration() async throws { try await onFreshPostgres(FBINumberCaseTests.personsOfInterestKeptBeforeVersion2) }
    @Test func migration() async throws { try await onFreshPostgres(FBINumberCaseTests.bulletinsKeptBeforeVersion2) }
    @Test func sealing() async throws {
        for naming in [FBINumberCaseTests.OrderCase.fbiNumber, .stateIdPairedByAnArrest, .stateIdPairedByTheBulletin] {
            try await FBINumberCaseTests().anOrderRemovesTheCaseAndTheBulletinUnderTheFBINumber(naming)
        }
    }
}
