import TestSupport
import Contracts
import Foundation
import Notifications
import ServiceKit
import Testing

@testable import Warrants

/// Sealing orders in the warrant resolver: what `seal` removes (the person's warrants, checks,
/// check items and the notifications sent about them, or only the listed cases' warrants and
/// what derives from them), what it leaves, what it counts, and that a late event does not
/// store a sealed warrant again.
@Suite struct WarrantResolverSealingTests {
    let key = NotificationSigningKey.random()
    /// When the tests' orders are recorded: an hour after the events.
    static let orderTime = Events.now.addingTimeInterval(3_600)

    private func resolver() async throws -> ProjectionHarness {
        let resolver = try await ProjectionHarness.onCurrentDatabase(WarrantResolverProjection(signingKey: key))
        for entry in Events.directory { try await resolver.notifications(Events.admitted(Events.described(entry))) }
        return resolver
    }

    /// Hill: W-1 (case CR-1, MO-CIRCUIT16) and W-2 (case CR-2, MO-CIRCUIT7), release R-1 to
    /// Kansas City, pending: each court and the police told (3 notifications). Reyes: W-9
    /// (case CR-9), release R-9, pending (2 notifications).
    private func resolverWithTwoPeople() async throws -> ProjectionHarness {
        let resolver = try await resolver()
        try await resolver.notifications(Events.admitted(Events.issued("W-1", agency: "MO-CIRCUIT16", caseNumber: "CR-1")))
        try await resolver.notifications(Events.admitted(Events.issued("W-2", agency: "MO-CIRCUIT7", caseNumber: "CR-2")))
        #expect(try await resolver.notifications(Events.admitted(Events.scheduled("R-1"))).count == 3)
        try await resolver.notifications(Events.admitted(Events.issued("W-9", subject: Events.reyes, caseNumber: "CR-9")))
        #expect(try await resolver.notifications(Events.admitted(Events.scheduled("R-9", subject: Events.reyes))).count == 2)
        return resolver
    }

    private func seal(_ resolver: ProjectionHarness, _ order: SealingOrder) async throws -> SealingTally {
        let projection = resolver.projection
        return try await resolver.write { _, transaction in try projection.seal(order, in: transaction) }
    }

    private func warrantIds(_ resolver: ProjectionHarness) async throws -> [String] {
        try await resolver.write { db, _ in try db.fetchAll("SELECT warrant_id FROM warrants ORDER BY warrant_id").map { try $0.get("warrant_id") } }
    }

    private func items(_ resolver: ProjectionHarness) async throws -> [String] {
        try await resolver.write { db, _ in
            try db.fetchAll("SELECT release_id, warrant_id FROM warrant_check_items ORDER BY release_id, warrant_id").map {
                "\(try $0.get("release_id", as: String.self)) \(try $0.get("warrant_id", as: String.self))"
            }
        }
    }

    private func sent(_ resolver: ProjectionHarness) async throws -> [SentNotification] {
        try await resolver.write { db, _ in try NotificationOutbox.sent(db) }
    }

    private func check(_ resolver: ProjectionHarness, _ releaseId: String) async throws -> WarrantCheck? {
        try await resolver.write { db, _ in try WarrantResolverProjection.check(releaseId, db) }
    }

    /// Hill known by an FBI number alone, one no order of these tests pairs with him.
    static let hillByFbiNumber = SubjectIdentifiers(fbiNumber: "481205MA9", name: Events.hill.name, dateOfBirth: Events.hill.dateOfBirth)

    /// A late recall of W-1 and a detainer D-3 lodged on W-2, each naming Hill by
    /// ``hillByFbiNumber`` alone: both refused (no notification), and counted as matching the
    /// digest of a kind of number the resolver knew none of for him.
    private func expectLateRecallAndLodgingByFbiNumberAloneRefused(_ resolver: ProjectionHarness) async throws {
        var recalled = Events.recalled("W-1", id: "recalled-by-fbi-number")
        recalled.subject = Self.hillByFbiNumber
        #expect(try await resolver.refused(Events.admitted(recalled)) == ["record_kind=warrant reason=unknown_number_kind"])
        #expect(try await resolver.refused(Events.admitted(Events.lodged("D-3", subject: Self.hillByFbiNumber, warrantId: "W-2")))
            == ["record_kind=detainer reason=unknown_number_kind"])
    }

    /// The service's own tables that name any of `texts` (TestSupport's search of every column);
    /// the runtime's (`kit_*`) are left out: the runtime removes the outbox's messages about a
    /// sealed person, not the projection (tested in ServiceKit).
    private func tablesNaming(_ texts: [String], _ harness: ProjectionHarness) async throws -> Set<String> {
        try await harness.write { db, _ in Set(try findOccurrences(of: texts, in: db).map(\.table).filter { !$0.hasPrefix("kit_") }) }
    }

    @Test func allRecordsRemovesEveryRowOfThePersonAndNoOneElses() async throws {
        let resolver = try await resolverWithTwoPeople()
        let hill = ["MO7654321", "Hill"]
        // What the resolver remembers of a sent notification names nobody: ids, rule, recipient, a digest.
        #expect(try await tablesNaming(hill, resolver) == ["warrants", "warrant_checks"])

        let tally = try await seal(resolver, try Events.sealingOrder(Events.hill, at: Self.orderTime))
        // With the person index's record of each subject (the release and the two warrants).
        #expect(tally.rowsByTable == [
            "warrants": 2, "warrant_checks": 1, "warrant_check_items": 2, "warrant_check_told": 3, "notifications_sent": 3, "warrant_subject_records": 3,
        ])
        #expect(try await tablesNaming(hill, resolver).isEmpty)
        // Reyes's warrant, check, its item and the notifications about him are untouched.
        #expect(try await tablesNaming(["MO1234567"], resolver) == ["warrants", "warrant_checks"])
        #expect(try await sent(resolver).filter { $0.isAbout(stateId: "MO1234567") }.count == 2)
        #expect(try await items(resolver) == ["R-9 W-9"])
        #expect(try await check(resolver, "R-9")?.status == "pending")
    }

    /// An order for all records removes the person's detainers and the checks' detainer items
    /// too; another person's detainer stays.
    /// A release under the FBI number alone (`custody.releases` version 2) meets Reyes's warrant
    /// (state ID and FBI number) by the FBI number; an order naming the state ID alone finds the
    /// release's check through the FBI number the warrant pairs with it, and the notices filed
    /// under that number.
    @Test func anOrderNamingTheStateIdFindsTheCheckOfAReleaseUnderTheFBINumberAlone() async throws {
        let resolver = try await resolver()
        try await resolver.notifications(Events.admitted(Events.issued("W-5", subject: Events.reyes, caseNumber: "CR-5")))
        let byFBI = SubjectIdentifiers(fbiNumber: Events.reyes.fbiNumber, name: Events.reyes.name, dateOfBirth: Events.reyes.dateOfBirth)
        let told = try await resolver.notifications(Events.admitted(Events.scheduled("R-5", subject: byFBI)))
        #expect(!told.isEmpty)
        #expect(try told.map { try BusNotification.decode($0.value) }.allSatisfy { $0.subjectStateId == nil && $0.subjectFbiNumber == "734591KA2" })
        #expect(try await check(resolver, "R-5")?.status == "pending")

        let stateIdOnly = SubjectIdentifiers(stateId: Events.reyes.stateId, name: Events.reyes.name)
        let tally = try await seal(resolver, try Events.sealingOrder(stateIdOnly, at: Self.orderTime))
        #expect(tally.pairedFbiNumbers == ["734591KA2"])
        #expect(try await check(resolver, "R-5") == nil)
        #expect(try await sent(resolver).isEmpty)
        #expect(try await tablesNaming(["734591KA2", "MO1234567", "Reyes"], resolver).isEmpty)
    }

    @Test func allRecordsRemovesThePersonsDetainers() async throws {
        let resolver = try await resolver()
        try await resolver.notifications(Events.admitted(Events.lodged("D-1")))
        try await resolver.notifications(Events.admitted(Events.lodged("D-9", subject: Events.reyes)))
        #expect(try await resolver.notifications(Events.admitted(Events.scheduled("R-1"))).count == 1)
        #expect(try await resolver.notifications(Events.admitted(Events.scheduled("R-9", subject: Events.reyes))).count == 1)
        let tally = try await seal(resolver, try Events.sealingOrder(Events.hill, at: Self.orderTime))
        #expect(tally.rowsByTable == [
            "detainers": 1, "warrant_check_detainers": 1, "warrant_checks": 1, "warrant_check_told": 1, "notifications_sent": 1, "warrant_subject_records": 2,
        ])
        let left = try await resolver.write { db, _ in
            (try db.fetchAll("SELECT detainer_id FROM detainers").map { try $0.get("detainer_id", as: String.self) },
             try db.fetchAll("SELECT release_id FROM warrant_check_detainers").map { try $0.get("release_id", as: String.self) })
        }
        #expect(left.0 == ["D-9"] && left.1 == ["R-9"])
        #expect(try await check(resolver, "R-9")?.status == "hold")
    }

    /// The listed case's warrant goes, with its check item and every notification naming it;
    /// the check stays pending on the other warrant, and the court of that warrant keeps its
    /// notification. A listed case of another person is not the order's to seal.
    @Test func listedCasesRemoveOnlyTheirWarrantsAndWhatNamesThem() async throws {
        let resolver = try await resolverWithTwoPeople()
        let order = try Events.sealingOrder(Events.hill, cases: ["CR-1", "CR-9"], expunged: true, at: Self.orderTime)
        let tally = try await seal(resolver, order)
        #expect(tally.rowsByTable == ["warrants": 1, "warrant_check_items": 1, "notifications_sent": 2, "warrant_subject_records": 1])
        #expect(try await warrantIds(resolver) == ["W-2", "W-9"])
        #expect(try await items(resolver) == ["R-1 W-2", "R-9 W-9"])
        #expect(try await check(resolver, "R-1")?.status == "pending")
        let left = try await sent(resolver)
        #expect(left.filter { $0.isAbout(stateId: "MO7654321") }.map(\.recipient) == ["agency:MO-CIRCUIT7"])
        #expect(left.filter { $0.isAbout(stateId: "MO1234567") }.count == 2)
        #expect(try await tablesNaming(["W-1"], resolver).isEmpty)
    }

    /// A check whose only warrant is sealed becomes clear and nobody is told; the warrant's
    /// issue or recall read after the order (they occurred before it) does not store it again,
    /// while a recall that occurs after the order is a new record.
    @Test func aCheckLeftWithoutWarrantClearsSilentlyAndLateEventsDoNotBringTheWarrantBack() async throws {
        let resolver = try await resolver()
        try await resolver.notifications(Events.admitted(Events.issued("W-1", caseNumber: "CR-1")))
        #expect(try await resolver.notifications(Events.admitted(Events.scheduled("R-1"))).count == 2)
        let outbox = try await resolver.count("kit_outbox")

        let tally = try await seal(resolver, try Events.sealingOrder(Events.hill, cases: ["CR-1"], at: Self.orderTime))
        #expect(tally.rowsByTable == ["warrants": 1, "warrant_check_items": 1, "notifications_sent": 2, "warrant_subject_records": 1])
        #expect(try await check(resolver, "R-1")?.status == "clear")
        #expect(try await resolver.count("kit_outbox") == outbox)

        // Refused, and counted with the digest that matched: the issue by its agency, the
        // recall by Hill's state ID.
        #expect(try await resolver.refused(Events.admitted(Events.issued("W-1", caseNumber: "CR-1", id: "issued-again")))
            == ["record_kind=warrant reason=agency"])
        #expect(try await resolver.refused(Events.admitted(Events.recalled("W-1"))) == ["record_kind=warrant reason=person"])
        #expect(try await warrantIds(resolver).isEmpty)
        #expect(try await tablesNaming(["W-1"], resolver).isEmpty)

        let afterTheOrder = Self.orderTime.addingTimeInterval(60)
        #expect(try await resolver.refused(Events.admitted(Events.recalled("W-1", at: afterTheOrder, id: "recalled-later"))).isEmpty)
        #expect(try await warrantIds(resolver) == ["W-1"])
    }

    /// A detainer lodged on a warrant of a listed case rests on it and goes with it: its row,
    /// its place on the check (whose hold ends: the other warrant keeps it pending), the hold
    /// notification naming it. A detainer lodged on that warrant that occurred before the order
    /// but is read after it is not stored, and holds nothing.
    @Test func listedCasesRemoveTheDetainersLodgedOnTheirWarrantsAndALateOneStaysOut() async throws {
        let resolver = try await resolver()
        try await resolver.notifications(Events.admitted(Events.issued("W-1", agency: "MO-CIRCUIT16", caseNumber: "CR-1")))
        try await resolver.notifications(Events.admitted(Events.issued("W-2", agency: "MO-CIRCUIT7", caseNumber: "CR-2")))
        try await resolver.notifications(Events.admitted(Events.lodged("D-1", warrantId: "W-1")))
        try await resolver.notifications(Events.admitted(Events.lodged("D-9", subject: Events.reyes, warrantId: "W-1")))
        #expect(try await resolver.notifications(Events.admitted(Events.scheduled("R-1"))).count == 4)
        #expect(try await check(resolver, "R-1")?.status == "hold")

        let tally = try await seal(resolver, try Events.sealingOrder(Events.hill, cases: ["CR-1"], at: Self.orderTime))
        #expect(tally.rowsByTable["detainers"] == 1)
        #expect(tally.rowsByTable["warrant_check_detainers"] == 1)
        #expect(try await check(resolver, "R-1")?.status == "pending")
        #expect(try await resolver.write { db, _ in try WarrantResolverProjection.activeDetainers(on: "R-1", db) }.isEmpty)
        #expect(try await tablesNaming(["D-1", "W-1"], resolver) == ["detainers"], "only Reyes's detainer, naming a warrant of the same id")
        #expect(try await sent(resolver).filter { $0.isAbout(stateId: "MO7654321") }.map(\.recipient) == ["agency:MO-CIRCUIT7"], "the hold notification goes with the police's naming W-1")

        let late = try await resolver.notifications(Events.admitted(Events.lodged("D-3", warrantId: "W-1")))
        #expect(late.count == 0)
        #expect(try await check(resolver, "R-1")?.status == "pending")
        #expect(try await tablesNaming(["D-3"], resolver).isEmpty)
        // Lodged after the order, it is a new record.
        var later = Events.lodged("D-4", id: "lodged-later", warrantId: "W-1")
        later.occurredAt = Self.orderTime.addingTimeInterval(60)
        #expect(try await !resolver.notifications(Events.admitted(later)).isEmpty)
        #expect(try await check(resolver, "R-1")?.status == "hold")
    }

    /// A detainer lodged on a warrant of a listed case, its lodging read after the order, is
    /// refused and remembered: its lifting and a lodging sent again, though they occur after the
    /// order, store nothing either. The same when the runtime, not the resolver, kept the
    /// warrant out (a replay reads the order first and notes the warrant in its ledger).
    @Test func aDetainerRefusedAsASealedCasesRefusesEveryLaterEventAboutIt() async throws {
        let resolver = try await resolver()
        try await resolver.notifications(Events.admitted(Events.issued("W-1", caseNumber: "CR-1")))
        _ = try await seal(resolver, try Events.sealingOrder(Events.hill, cases: ["CR-1"], at: Self.orderTime))
        try await resolver.write { db, _ in
            try SealingLedger(db).noteRemoved(
                recordOf: SealingLedger.warrantRecord, "W-7", orderId: "ORDER-replayed", orderedAtMilliseconds: SealingOrder.milliseconds(Self.orderTime))
        }
        let hill = ["MO7654321", "Hill"]
        #expect(try await tablesNaming(hill, resolver).isEmpty)

        let afterTheOrder = Self.orderTime.addingTimeInterval(60)
        // Counted: the lodging by the digest that matched (W-1 by Hill's state ID; W-7 by the
        // ledger's id-alone digest, written before warrants were remembered with their person),
        // each later event as refused before.
        for (detainerId, warrantId, reason) in [("D-3", "W-1", "person"), ("D-7", "W-7", "id_alone")] {
            #expect(try await resolver.refused(Events.admitted(Events.lodged(detainerId, warrantId: warrantId))) == ["record_kind=detainer reason=\(reason)"])
            var lifted = Events.lifted(detainerId)
            lifted.occurredAt = afterTheOrder
            #expect(try await resolver.refused(Events.admitted(lifted)) == ["record_kind=detainer reason=refused_before"])
            var again = Events.lodged(detainerId, id: "lodged-again-\(detainerId)", warrantId: warrantId)
            again.occurredAt = afterTheOrder
            #expect(try await resolver.refused(Events.admitted(again)) == ["record_kind=detainer reason=refused_before"])
        }
        #expect(try await tablesNaming(hill + ["D-3", "D-7"], resolver).isEmpty)
        #expect(try await resolver.count("detainers") == 0)
    }

    /// A warrant id is unique only within its issuing agency: a listed-case order removing
    /// Hill's W-1 and W-2 (MO-CIRCUIT16) refuses a late issue of either by that court, their
    /// late recall and a detainer lodged on one naming Hill; but MO-CIRCUIT7's W-1 of Reyes is
    /// another warrant (stored, and his detainer on it holds his release), and a recall of a W-2
    /// naming Reyes is his.
    @Test func aSealedWarrantIsRememberedWithItsAgencyAndPersonNotByItsIdAlone() async throws {
        let resolver = try await resolver()
        try await resolver.notifications(Events.admitted(Events.issued("W-1", caseNumber: "CR-1")))
        try await resolver.notifications(Events.admitted(Events.issued("W-2", caseNumber: "CR-1")))
        _ = try await seal(resolver, try Events.sealingOrder(Events.hill, cases: ["CR-1"], at: Self.orderTime))
        #expect(try await warrantIds(resolver).isEmpty)

        // Hill's, read late: refused, and counted.
        #expect(try await resolver.refused(Events.admitted(Events.issued("W-1", caseNumber: "CR-1", id: "issued-again")))
            == ["record_kind=warrant reason=agency"])
        #expect(try await resolver.refused(Events.admitted(Events.recalled("W-2"))) == ["record_kind=warrant reason=person"])
        #expect(try await resolver.refused(Events.admitted(Events.lodged("D-3", warrantId: "W-1"))) == ["record_kind=detainer reason=person"])
        var unnumbered = Events.hill
        unnumbered.stateId = nil
        #expect(try await resolver.refused(Events.admitted(Events.lodged("D-4", subject: unnumbered, warrantId: "W-2")))
            == ["record_kind=detainer reason=unnumbered"], "naming no number: nothing says whose it is")
        #expect(try await tablesNaming(["MO7654321", "D-3", "D-4"], resolver).isEmpty)
        #expect(try await warrantIds(resolver).isEmpty)

        // Reyes's, of the same ids, occurred as early: kept, nothing counted.
        #expect(try await resolver.refused(Events.admitted(Events.issued("W-1", agency: "MO-CIRCUIT7", subject: Events.reyes, caseNumber: "CR-7"))).isEmpty)
        #expect(try await resolver.notifications(Events.admitted(Events.scheduled("R-9", subject: Events.reyes))).count == 2)
        let reyesDetainer = try await resolver.refusals(Events.admitted(Events.lodged("D-9", subject: Events.reyes, warrantId: "W-1")))
        #expect(reyesDetainer.notifications.count == 1 && reyesDetainer.refused.isEmpty)
        #expect(try await check(resolver, "R-9")?.status == "hold")
        var recalled = Events.recalled("W-2", id: "recalled-reyes")
        recalled.subject = Events.reyes
        #expect(try await resolver.refused(Events.admitted(recalled)).isEmpty)
        let kept = try await resolver.write { db, _ in
            try db.fetchAll("SELECT warrant_id, issuing_agency_id, state_id, status FROM warrants ORDER BY warrant_id").map {
                [try $0.get("warrant_id", as: String.self), try $0.get("issuing_agency_id", as: String?.self) ?? "-",
                 try $0.get("state_id", as: String?.self) ?? "-", try $0.get("status", as: String.self)]
            }
        }
        #expect(kept == [["W-1", "MO-CIRCUIT7", "MO1234567", "active"], ["W-2", "-", "MO1234567", "recalled"]])
        #expect(try await resolver.count("detainers") == 1)
        #expect(try await tablesNaming(["MO7654321"], resolver).isEmpty)
    }

    /// A removed warrant is remembered by the person's numbers the resolver knew. Hill's W-1
    /// and W-2 (case CR-1) carry his state ID alone, as does the order removing them: the
    /// resolver never learned his FBI number. A late recall of W-1 and a detainer lodged on W-2
    /// naming an FBI number alone (both occurred before the order) say no more whose they are
    /// than an event naming no number: refused, nothing of them stored. An event naming a
    /// number of a kind the person had, and none of theirs, is another person's: a recall of
    /// W-1 naming Reyes's state ID alone is kept, and so is a recall of Reyes's removed W-9
    /// (it carried both his numbers) naming another FBI number alone.
    @Test func aLateEventNamingOnlyAKindOfNumberThePersonWasNotKnownByIsRefused() async throws {
        let resolver = try await resolver()
        try await resolver.notifications(Events.admitted(Events.issued("W-1", caseNumber: "CR-1")))
        try await resolver.notifications(Events.admitted(Events.issued("W-2", caseNumber: "CR-1")))
        try await resolver.notifications(Events.admitted(Events.issued("W-9", subject: Events.reyes, caseNumber: "CR-9")))
        _ = try await seal(resolver, try Events.sealingOrder(Events.hill, cases: ["CR-1"], at: Self.orderTime))
        _ = try await seal(resolver, try Events.sealingOrder(Events.reyes, cases: ["CR-9"], at: Self.orderTime, id: "order-reyes"))
        #expect(try await warrantIds(resolver).isEmpty)

        // Hill's, by an FBI number alone: refused.
        try await expectLateRecallAndLodgingByFbiNumberAloneRefused(resolver)
        #expect(try await warrantIds(resolver).isEmpty)
        #expect(try await resolver.count("detainers") == 0)
        #expect(try await tablesNaming(["481205MA9", "D-3"], resolver).isEmpty)

        // Another person's: kept.
        var reyesRecall = Events.recalled("W-1", id: "recalled-by-reyes-state-id")
        reyesRecall.subject = SubjectIdentifiers(stateId: Events.reyes.stateId, name: Events.reyes.name)
        try await resolver.notifications(Events.admitted(reyesRecall))
        var otherRecall = Events.recalled("W-9", id: "recalled-by-another-fbi-number")
        otherRecall.subject = Self.hillByFbiNumber
        try await resolver.notifications(Events.admitted(otherRecall))
        let kept = try await resolver.write { db, _ in
            try db.fetchAll("SELECT warrant_id, state_id, fbi_number, status FROM warrants ORDER BY warrant_id").map {
                [try $0.get("warrant_id", as: String.self), try $0.get("state_id", as: String?.self) ?? "-",
                 try $0.get("fbi_number", as: String?.self) ?? "-", try $0.get("status", as: String.self)]
            }
        }
        #expect(kept == [["W-1", "MO1234567", "-", "recalled"], ["W-9", "-", "481205MA9", "recalled"]])
    }

    /// An order for all records remembers the warrants and detainers it removes as a listed-case
    /// order does. Hill's W-1 and W-2 (MO-CIRCUIT16) and his detainer D-1 carry his state ID
    /// alone, as does the order: the resolver never paired an FBI number with him, and neither
    /// does the runtime, which knows him by the order's numbers. A late recall of W-1, a
    /// detainer lodged on W-2, and D-1's lifting and its lodging sent again, each naming an FBI
    /// number alone (all occurred before the order), pass the runtime's check of their subject
    /// and are refused here: nothing of them is stored; each refusal is counted with the digest
    /// that matched (so is a late issue of W-5, first seen recalled). Another person's events
    /// about the same ids are kept, and not counted: a recall of W-1 naming Reyes's state ID,
    /// MO-CIRCUIT7's W-2 issued for him and his detainer lodged on it.
    @Test func anAllRecordsOrderRemembersTheWarrantsAndDetainersItRemoves() async throws {
        let resolver = try await resolver()
        try await resolver.notifications(Events.admitted(Events.issued("W-1")))
        try await resolver.notifications(Events.admitted(Events.issued("W-2")))
        try await resolver.notifications(Events.admitted(Events.lodged("D-1")))
        try await resolver.notifications(Events.admitted(Events.recalled("W-5", id: "recalled-first")))
        let tally = try await seal(resolver, try Events.sealingOrder(Events.hill, at: Self.orderTime))
        #expect(tally.rowsByTable["warrants"] == 3 && tally.rowsByTable["detainers"] == 1)
        #expect(tally.pairedFbiNumbers.isEmpty)
        #expect(try await warrantIds(resolver).isEmpty)

        // Hill's, by an FBI number alone, read late: refused.
        try await expectLateRecallAndLodgingByFbiNumberAloneRefused(resolver)
        let byFbiNumber = Self.hillByFbiNumber
        #expect(try await resolver.refused(Events.admitted(Events.lifted("D-1", subject: byFbiNumber))) == ["record_kind=detainer reason=record_id"])
        #expect(try await resolver.refused(Events.admitted(Events.lodged("D-1", subject: byFbiNumber, id: "lodged-again")))
            == ["record_kind=detainer reason=record_id"])
        // W-5, first seen recalled (its agency never learned), is remembered by its id alone:
        // a late issue of it is refused so; one naming Hill's state ID is refused before, as of
        // a record the order removed from the person index.
        #expect(try await resolver.refused(Events.admitted(Events.issued("W-5", subject: byFbiNumber, id: "issued-late")))
            == ["record_kind=warrant reason=id_alone"])
        #expect(try await resolver.refused(Events.admitted(Events.issued("W-5", id: "issued-late-hill"))) == ["record_kind=warrant reason=index_record"])
        #expect(try await warrantIds(resolver).isEmpty)
        #expect(try await resolver.count("detainers") == 0)
        #expect(try await tablesNaming(["481205MA9", "MO7654321", "D-1", "D-3"], resolver).isEmpty)

        // Another person's: kept, nothing counted.
        var reyesRecall = Events.recalled("W-1", id: "recalled-by-reyes-state-id")
        reyesRecall.subject = SubjectIdentifiers(stateId: Events.reyes.stateId, name: Events.reyes.name)
        #expect(try await resolver.refused(Events.admitted(reyesRecall)).isEmpty)
        #expect(try await resolver.refused(Events.admitted(Events.issued("W-2", agency: "MO-CIRCUIT7", subject: Events.reyes, caseNumber: "CR-7"))).isEmpty)
        #expect(try await resolver.refused(Events.admitted(Events.lodged("D-9", subject: Events.reyes, warrantId: "W-2"))).isEmpty)
        let kept = try await resolver.write { db, _ in
            try db.fetchAll("SELECT warrant_id, issuing_agency_id, state_id, status FROM warrants ORDER BY warrant_id").map {
                [try $0.get("warrant_id", as: String.self), try $0.get("issuing_agency_id", as: String?.self) ?? "-",
                 try $0.get("state_id", as: String?.self) ?? "-", try $0.get("status", as: String.self)]
            }
        }
        #expect(kept == [["W-1", "-", "MO1234567", "recalled"], ["W-2", "MO-CIRCUIT7", "MO1234567", "active"]])
        #expect(try await resolver.count("detainers") == 1)
    }

    /// An order for all records remembers the releases whose checks it removes, as it does the
    /// warrants and detainers. Hill's release R-1 (pending on his W-1) carries his state ID
    /// alone, as does the order: the resolver never paired an FBI number with him. A late
    /// schedule of R-1, a change of it and its completion, each naming an FBI number alone (all
    /// occurred before the order), pass the runtime's check of their subject and are refused
    /// here: R-1's check is not opened again, and no table names the number or R-1. Reyes's
    /// release R-9, scheduled and completed as late, is kept.
    @Test func anAllRecordsOrderRemembersTheReleasesItRemoves() async throws {
        let resolver = try await resolver()
        try await resolver.notifications(Events.admitted(Events.issued("W-1")))
        #expect(try await resolver.notifications(Events.admitted(Events.scheduled("R-1"))).count == 2)
        let tally = try await seal(resolver, try Events.sealingOrder(Events.hill, at: Self.orderTime))
        #expect(tally.rowsByTable["warrant_checks"] == 1 && tally.rowsByTable["warrants"] == 1)
        #expect(tally.pairedFbiNumbers.isEmpty)
        #expect(try await check(resolver, "R-1") == nil)

        // Hill's, by an FBI number alone, read late: refused.
        let byFbiNumber = Self.hillByFbiNumber
        let removedRelease = ["record_kind=release reason=record_id"]
        #expect(try await resolver.refused(Events.admitted(Events.scheduled("R-1", subject: byFbiNumber, id: "scheduled-by-fbi-number"))) == removedRelease)
        var changed = Events.changed("R-1", to: Events.independence, id: "changed-by-fbi-number")
        changed.subject = byFbiNumber
        #expect(try await resolver.refused(Events.admitted(changed)) == removedRelease)
        #expect(try await resolver.refused(Events.admitted(Events.completed("R-1", at: Events.now, subject: byFbiNumber))) == removedRelease)
        #expect(try await check(resolver, "R-1") == nil)
        #expect(try await resolver.count("warrant_checks") == 0)
        #expect(try await tablesNaming(["481205MA9", "MO7654321", "R-1"], resolver).isEmpty)

        // Another person's release: kept.
        try await resolver.notifications(Events.admitted(Events.scheduled("R-9", subject: Events.reyes)))
        try await resolver.notifications(Events.admitted(Events.completed("R-9", at: Events.now, subject: Events.reyes)))
        let kept = try await resolver.write { db, _ in
            try db.fetchAll("SELECT release_id, state_id FROM warrant_checks ORDER BY release_id").map {
                [try $0.get("release_id", as: String.self), try $0.get("state_id", as: String?.self) ?? "-"]
            }
        }
        #expect(kept == [["R-9", "MO1234567"]])
        #expect(try await check(resolver, "R-9")?.closed == true)
    }

    /// Who was told of the detainers a listed-case order removes goes with them: the holding
    /// agencies' hold, lifting and escalation, the facility's lifting (no lifted detainer left),
    /// and the escalation kept in `notifications_sent` for the holding agency (it names W-2, not
    /// the sealed case's warrant, recalled before); counted. What the check still lists keeps
    /// its rows: the facility's and the other court's escalation (W-2 is still pending).
    @Test func whoWasToldOfRemovedDetainersGoesWithThem() async throws {
        let resolver = try await resolver()
        try await resolver.notifications(Events.admitted(Events.described(Events.agency("MO-JCSO", .sheriff))))
        try await resolver.notifications(Events.admitted(Events.issued("W-1", agency: "MO-CIRCUIT16", caseNumber: "CR-1")))
        try await resolver.notifications(Events.admitted(Events.issued("W-2", agency: "MO-CIRCUIT7", caseNumber: "CR-2")))
        try await resolver.notifications(Events.admitted(Events.lodged("D-1", warrantId: "W-1")))
        try await resolver.notifications(Events.admitted(Events.lodged("D-2", holder: "MO-JCSO", warrantId: "W-1")))
        #expect(try await resolver.notifications(Events.admitted(Events.scheduled("R-1"))).count == 5)
        #expect(try await resolver.notifications(Events.admitted(Events.lifted("D-2", holder: "MO-JCSO"))).count == 2)
        // W-1 recalled: the escalation names W-2 and D-1, not the warrant of the sealed case.
        #expect(try await resolver.notifications(Events.admitted(Events.recalled("W-1"))).isEmpty)
        let escalated = try await resolver.notifications(Events.admitted(Events.tick(daysBeforeRelease: 29)))
            .map { try BusNotification.decode($0.value).recipient.description }
        #expect(escalated == ["agency:MO-CIRCUIT7", "agency:KS-JOCO-SO", "facility:MO-DOC-WERDCC"])
        let told = { try await resolver.write { db, _ in try WarrantStore(db).told("R-1").map { "\($0.recipient) \($0.rule)" } } }
        let toldBefore = try await told()
        #expect(toldBefore.filter { $0.contains("JOCO") || $0.contains("JCSO") || $0.contains("facility") }.count == 6, "\(toldBefore)")

        let tally = try await seal(resolver, try Events.sealingOrder(Events.hill, cases: ["CR-1"], at: Self.orderTime))
        #expect(tally.rowsByTable["warrant_check_told"] == 5)
        #expect(try await told() == [
            "agency:MO-CIRCUIT16 warrant-check-pending", "agency:MO-CIRCUIT7 warrant-check-escalation", "agency:MO-CIRCUIT7 warrant-check-pending",
            "agency:MO-KCPD release-warrant-pending", "facility:MO-DOC-WERDCC warrant-check-escalation",
        ])
        #expect(try await sent(resolver).filter { ["agency:KS-JOCO-SO", "agency:MO-JCSO"].contains($0.recipient) }.isEmpty)
        #expect(try await check(resolver, "R-1")?.status == "pending")
    }

    /// A detainer carrying Hill's state ID and, by mistake, Reyes's FBI number holds Reyes's
    /// release too. An order for all of Hill's records removes it: Reyes's check, left with no
    /// detainer, is pending again on his warrant, who was told of the hold and the escalation is
    /// forgotten, and so are the hold notice and the holding agency's escalation kept in
    /// `notifications_sent` (filed under Reyes's state ID, which no number of the order reaches,
    /// not even paired: detainers pair none); Reyes's pending notices and the escalations due
    /// for W-9 stay. Counted.
    @Test func anAllRecordsOrderSettlesAnotherPersonsCheckThatListedTheRemovedDetainer() async throws {
        try await anAllRecordsOrderSettlesAnotherPersonsCheck(releasedAs: Events.reyes)
    }

    /// The same with the other person's release known by the FBI number alone: its notices are
    /// filed under that number, which the removal must follow too.
    @Test func anAllRecordsOrderSettlesAnotherPersonsCheckKnownByTheFBINumberAlone() async throws {
        try await anAllRecordsOrderSettlesAnotherPersonsCheck(
            releasedAs: SubjectIdentifiers(fbiNumber: Events.reyes.fbiNumber, name: Events.reyes.name))
    }

    func anAllRecordsOrderSettlesAnotherPersonsCheck(releasedAs releaseSubject: SubjectIdentifiers) async throws {
        let resolver = try await resolver()
        try await resolver.notifications(Events.admitted(Events.issued("W-9", subject: Events.reyes, caseNumber: "CR-9")))
        #expect(try await resolver.notifications(Events.admitted(Events.scheduled("R-9", subject: releaseSubject))).count == 2)
        let pending = Set(try await sent(resolver).map(\.id))
        let mixed = SubjectIdentifiers(stateId: Events.hill.stateId, fbiNumber: Events.reyes.fbiNumber, name: Events.hill.name)
        #expect(try await resolver.notifications(Events.admitted(Events.lodged("D-5", subject: mixed))).count == 1)
        #expect(try await check(resolver, "R-9")?.status == "hold")
        #expect(try await sent(resolver).filter { $0.derives(from: "detainerId", "D-5") }.map(\.recipient) == ["agency:KS-JOCO-SO"])
        let escalated = try await resolver.notifications(Events.admitted(Events.tick(daysBeforeRelease: 29)))
            .map { try BusNotification.decode($0.value).recipient.description }
        #expect(escalated.contains("agency:KS-JOCO-SO") && escalated.count > 1, "\(escalated)")
        let before = try await sent(resolver)
        let kept = Set(before.filter { $0.recipient != "agency:KS-JOCO-SO" }.map(\.id))
        #expect(kept.isSuperset(of: pending) && kept.count == before.count - 2)

        let tally = try await seal(resolver, try Events.sealingOrder(Events.hill, at: Self.orderTime))
        #expect(tally.rowsByTable["detainers"] == 1 && tally.rowsByTable["warrant_check_told"] == 2)
        #expect(tally.rowsByTable["notifications_sent"] == 2)
        #expect(try await check(resolver, "R-9")?.status == "pending")
        let told = try await resolver.write { db, _ in try WarrantStore(db).told("R-9").map(\.recipient) }
        #expect(!told.contains("agency:KS-JOCO-SO"))
        // The hold notice and the holding agency's escalation go; Reyes's pending notices and
        // the escalations due for W-9 stay.
        #expect(Set(try await sent(resolver).map(\.id)) == kept)
    }
}

/// The same on PostgreSQL 15 (a fresh database per test in the suite's private cluster);
/// skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct WarrantResolverSealingPostgresTests {
    @Test func allRecordsRemovesEveryRowOfThePersonAndNoOneElses() async throws {
        try await WarrantResolverSealingTests().allRecordsRemovesEveryRowOfThePersonAndNoOneElses()
    }
    @Test func listedCasesRemoveOnlyTheirWarrantsAndWhatNamesThem() async throws {
        try await WarrantResolverSealingTests().listedCasesRemoveOnlyTheirWarrantsAndWhatNamesThem()
    }
    @Test func anOrderNamingTheStateIdFindsTheCheckOfAReleaseUnderTheFBINumberAlone() async throws {
        try await WarrantResolverSealingTests().anOrderNamingTheStateIdFindsTheCheckOfAReleaseUnderTheFBINumberAlone()
    }
    @Test func allRecordsRemovesThePersonsDetainers() async throws {
        try await WarrantResolverSealingTests().allRecordsRemovesThePersonsDetainers()
    }
    @Test func listedCasesRemoveTheDetainersLodgedOnTheirWarrantsAndALateOneStaysOut() async throws {
        try await WarrantResolverSealingTests().listedCasesRemoveTheDetainersLodgedOnTheirWarrantsAndALateOneStaysOut()
    }
    @Test func aCheckLeftWithoutWarrantClearsSilentlyAndLateEventsDoNotBringTheWarrantBack() async throws {
        try await WarrantResolverSealingTests().aCheckLeftWithoutWarrantClearsSilentlyAndLateEventsDoNotBringTheWarrantBack()
    }
    @Test func aDetainerRefusedAsASealedCasesRefusesEveryLaterEventAboutIt() async throws {
        try await WarrantResolverSealingTests().aDetainerRefusedAsASealedCasesRefusesEveryLaterEventAboutIt()
    }
    @Test func aSealedWarrantIsRememberedWithItsAgencyAndPersonNotByItsIdAlone() async throws {
        try await WarrantResolverSealingTests().aSealedWarrantIsRememberedWithItsAgencyAndPersonNotByItsIdAlone()
    }
    @Test func aLateEventNamingOnlyAKindOfNumberThePersonWasNotKnownByIsRefused() async throws {
        try await WarrantResolverSealingTests().aLateEventNamingOnlyAKindOfNumberThePersonWasNotKnownByIsRefused()
    }
    @Test func anAllRecordsOrderRemembersTheWarrantsAndDetainersItRemoves() async throws {
        try await WarrantResolverSealingTests().anAllRecordsOrderRemembersTheWarrantsAndDetainersItRemoves()
    }
    @Test func anAllRecordsOrderRemembersTheReleasesItRemoves() async throws {
        try await WarrantResolverSealingTests().anAllRecordsOrderRemembersTheReleasesItRemoves()
    }
    @Test func whoWasToldOfRemovedDetainersGoesWithThem() async throws {
        try await WarrantResolverSealingTests().whoWasToldOfRemovedDetainersGoesWithThem()
    }
    @Test func anAllRecordsOrderSettlesAnotherPersonsCheckThatListedTheRemovedDetainer() async throws {
        try await WarrantResolverSealingTests().anAllRecordsOrderSettlesAnotherPersonsCheckThatListedTheRemovedDetainer()
    }
    @Test func anAllRecordsOrderSettlesAnotherPersonsCheckKnownByTheFBINumberAlone() async throws {
        try await WarrantResolverSealingTests().anAllRecordsOrderSettlesAnotherPersonsCheckKnownByTheFBINumberAlone()
    }
}
