import TestSupport
import Contracts
import Directory
import Foundation
import GRDB
import Notifications
import Testing

@testable import ServiceKit
@testable import Warrants

/// The warrant resolver asking the agency directory it keeps from `reference.agencies`: who
/// the police of a destination are, whatever order the topics are read in.
@Suite struct WarrantResolverDirectoryTests {
    let key = NotificationSigningKey.random()

    /// Applies `event` as the runtime does; returns the recipients told and what was counted.
    @discardableResult
    private func apply(
        _ resolver: ProjectionHarness, _ event: EventEnvelope<some EventPayload>
    ) async throws -> (recipients: [String], counted: [String]) {
        let admitted = try Events.admitted(event)
        let projection = resolver.projection
        return try await resolver.database.write { db in
            let before = try ServiceDatabase.outbox(db).last?.seq ?? 0
            let transaction = ProjectionTransaction(storage: db, maxMessageBytes: 1_000_000)
            try projection.apply(admitted, in: transaction)
            try transaction.flushOutbox()
            let recipients = try ServiceDatabase.outbox(after: before, db).filter { $0.message.topic == BusTopic.notifications }.map {
                try BusNotification.decode($0.message.value).recipient.description
            }
            let counted = transaction.counts.filter { $0.label == DestinationPolice.missLabel }.map { count in
                count.dimensions.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
            }
            return (recipients, counted)
        }
    }

    /// A resolver that knows the two courts the warrants name (a warrant of an unknown court is
    /// refused) and no police agency.
    private func resolver() async throws -> ProjectionHarness {
        let resolver = try await ProjectionHarness.onCurrentDatabase(WarrantResolverProjection(signingKey: key))
        for court in ["MO-CIRCUIT16", "MO-CIRCUIT7"] { try await apply(resolver, Events.described(Events.agency(court, .court))) }
        return resolver
    }

    @Test func aReleaseReadBeforeItsPoliceEntryStillNotifiesAtTheFallbackAndIsCounted() async throws {
        let resolver = try await resolver()
        try await apply(resolver, Events.issued())
        let early = try await apply(resolver, Events.scheduled("R-1"))
        #expect(early.recipients == ["agency:MO-CIRCUIT16", "agency:police:MO:Kansas City"])
        #expect(early.counted == ["rule=release-warrant-pending,kind=police"])
        // The entry read afterwards sends nothing again; the next release reaches the agency.
        #expect(try await apply(resolver, Events.described(Events.police("MO-KCPD", places: ["Kansas City"]))).recipients.isEmpty)
        let later = try await apply(resolver, Events.scheduled("R-2"))
        #expect(later.recipients == ["agency:MO-CIRCUIT16", "agency:MO-KCPD"])
        #expect(later.counted.isEmpty)
    }

    @Test func theCityIsMatchedWhateverItsSpelling() async throws {
        let resolver = try await resolver()
        try await apply(resolver, Events.described(Events.police("MO-SLMPD", places: ["St. Louis"])))
        try await apply(resolver, Events.issued())
        let stLouis = Address(line1: "1200 Clark Ave", city: "SAINT LOUIS", state: "mo", postalCode: "63103")
        #expect(try await apply(resolver, Events.scheduled("R-1", to: stLouis)).recipients == ["agency:MO-CIRCUIT16", "agency:MO-SLMPD"])
    }

    @Test func aRetiredAgencyIsNoLongerToldAndAMovedPlaceGoesToItsNewAgency() async throws {
        let resolver = try await resolver()
        try await apply(resolver, Events.described(Events.police("MO-KCPD", places: ["Kansas City"])))
        try await apply(resolver, Events.described(Events.police("MO-IPD", places: ["Independence"])))
        try await apply(resolver, Events.issued("W-1"))
        try await apply(resolver, Events.issued("W-2", agency: "MO-CIRCUIT7"))
        #expect(try await apply(resolver, Events.scheduled("R-1")).recipients.contains("agency:MO-KCPD"))
        // Kansas City moves to another agency's entry before the check clears: the clear notice goes there.
        try await apply(resolver, Events.described(Events.police("MO-KCPD", places: ["Grandview"]), id: "kcpd-moved"))
        try await apply(resolver, Events.described(Events.police("MO-KCMPD", places: ["Kansas City"])))
        try await apply(resolver, Events.recalled("W-1"))
        #expect(try await apply(resolver, Events.served("W-2")).recipients == ["facility:MO-DOC-WERDCC", "agency:MO-KCMPD"])
        // Independence's agency retired: an unscheduled release there goes to the fallback, counted.
        try await apply(resolver, Events.retired("MO-IPD"))
        try await apply(resolver, Events.issued("W-3", agency: "MO-CIRCUIT7"))
        let released = try await apply(resolver, Events.completed("JAIL-1"))
        #expect(released.recipients == ["agency:police:MO:Independence", "agency:MO-CIRCUIT7"])
        #expect(released.counted == ["rule=unscheduled-release-active-warrant,kind=police"])
        let stored = try await resolver.write { db, _ in try DirectoryStore(db).status("MO-IPD") }
        #expect(stored == "retired")
    }
}

/// The same directory rules on PostgreSQL 15; skipped, saying why, where it is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct WarrantResolverDirectoryPostgresTests {
    @Test func aReleaseReadBeforeItsPoliceEntryStillNotifiesAtTheFallbackAndIsCounted() async throws { try await WarrantResolverDirectoryTests().aReleaseReadBeforeItsPoliceEntryStillNotifiesAtTheFallbackAndIsCounted() }
    @Test func theCityIsMatchedWhateverItsSpelling() async throws { try await WarrantResolverDirectoryTests().theCityIsMatchedWhateverItsSpelling() }
    @Test func aRetiredAgencyIsNoLongerToldAndAMovedPlaceGoesToItsNewAgency() async throws { try await WarrantResolverDirectoryTests().aRetiredAgencyIsNoLongerToldAndAMovedPlaceGoesToItsNewAgency() }
}
