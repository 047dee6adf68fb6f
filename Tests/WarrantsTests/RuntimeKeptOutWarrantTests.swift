import Contracts
import Foundation
import LocalPostgres
import Notifications
import ServiceKit
import Testing
import TestSupport

@testable import Warrants

/// A warrant the runtime kept out under a listed-case order (a replay applies the orders before
/// the warrants, so the resolver never stored it) is remembered in the runtime's ledger with its
/// person (`SealingLedger.noteRemoved(warrant:stateIds:fbiNumbers:…)`). A detainer lodged on it
/// before the order and read after it is refused when it names that person, no number, or only a
/// kind of number the person was not known by, and counted (`SealedRecordRefusal`, with the
/// digest that matched); another person's detainer on another court's warrant of the same id,
/// naming a number of a kind the person had, is theirs: stored, it holds their release, and
/// nothing is counted.
@Suite struct RuntimeKeptOutWarrantTests {
    let key = NotificationSigningKey.random()
    static let orderTime = Events.now.addingTimeInterval(3_600)

    func aDetainerOnAnotherPersonsWarrantOfTheSameIdIsKept() async throws {
        let resolver = try await ProjectionHarness.onCurrentDatabase(WarrantResolverProjection(signingKey: key))
        for entry in Events.directory { try await resolver.notifications(Events.admitted(Events.described(entry))) }
        // Hill's W-7 (a listed case), kept out by the runtime: only its note in the ledger.
        try await resolver.write { db, _ in
            try SealingLedger(db).noteRemoved(
                warrant: "W-7", stateIds: [Events.hill.stateId], fbiNumbers: [], orderId: "ORDER-replayed",
                orderedAtMilliseconds: SealingOrder.milliseconds(Self.orderTime))
        }
        // Reyes's W-7 of another court, and his release: his detainer on it is his.
        try await resolver.notifications(Events.admitted(Events.issued("W-7", agency: "MO-CIRCUIT7", subject: Events.reyes, caseNumber: "CR-7")))
        #expect(try await resolver.notifications(Events.admitted(Events.scheduled("R-9", subject: Events.reyes))).count == 2)
        let reyesDetainer = try await resolver.refusals(Events.admitted(Events.lodged("D-9", subject: Events.reyes, warrantId: "W-7")))
        #expect(reyesDetainer.notifications.count == 1 && reyesDetainer.refused.isEmpty, "kept, and not counted")
        #expect(try await resolver.write { db, _ in try WarrantResolverProjection.check("R-9", db)?.status } == "hold")

        // Hill's, one naming no number, and one naming an FBI number alone (Hill was known by
        // no FBI number: it may be anyone's, his included): refused, nothing stored; each
        // counted with the ledger's digest that matched.
        var unnumbered = Events.hill
        unnumbered.stateId = nil
        let byFbiNumber = SubjectIdentifiers(fbiNumber: "118822LB7", name: PersonName(given: "Ana", family: "Lindqvist"))
        for (detainerId, subject, reason) in [("D-3", Events.hill, "person"), ("D-4", unnumbered, "unnumbered"), ("D-5", byFbiNumber, "unknown_number_kind")] {
            #expect(try await resolver.refused(Events.admitted(Events.lodged(detainerId, subject: subject, warrantId: "W-7"))) == [
                "record_kind=detainer reason=\(reason)",
            ])
        }
        let detainers = try await resolver.write { db, _ in
            try db.fetchAll("SELECT detainer_id FROM detainers ORDER BY detainer_id").map { try $0.get("detainer_id", as: String.self) }
        }
        #expect(detainers == ["D-9"])
    }

    @Test func onSQLite() async throws { try await aDetainerOnAnotherPersonsWarrantOfTheSameIdIsKept() }
}

@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct RuntimeKeptOutWarrantPostgresTests {
    @Test func onPostgres() async throws { try await RuntimeKeptOutWarrantTests().aDetainerOnAnotherPersonsWarrantOfTheSameIdIsKept() }
}
