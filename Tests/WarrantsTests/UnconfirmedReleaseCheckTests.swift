import Contracts
import Foundation
import Kafka
import PersonIndexStore
import ServiceKit
import Testing
import TestSupport

@testable import Warrants

/// A release under a jail's booking number only (`custody.releases` version 2, issue 19 item
/// 4): warrants are matched on the state ID and the FBI number, so finding none says nothing.
/// The check is `unconfirmed` (version 2 of `bus.warrant-checks`), never `clear`, until the
/// person index links the release's subject to a record that carries a number; it does not
/// escalate (nothing is listed to resolve), and a release while unconfirmed is
/// `released_unconfirmed`, not an URGENT alert.
@Suite struct UnconfirmedReleaseCheckTests {
    /// Hill, booked at the county jail before his fingerprints gave a state ID.
    static let booked = SubjectIdentifiers(
        bookingNumber: "2025-004412", name: PersonName(given: "Marcus", family: "Hill"), dateOfBirth: CalendarDate("1985-02-03"))

    static let validator = Result { EventValidator(catalog: try TopicCatalog.load(from: WarrantCheckEventContractTests.topics)) }

    /// Every check event of `output` passes the topic's contract (version 2 included).
    private func expectValid(_ output: ResolverOutput) throws {
        let validator = try Self.validator.get()
        for message in output.checkMessages {
            let headers = Dictionary(uniqueKeysWithValues: message.headers.map { ($0.key, $0.value.map { String(decoding: $0, as: UTF8.self) } ?? "") })
            _ = try validator.validateMessage(topic: message.topic, key: Array(message.key.utf8), value: message.value, headers: headers)
        }
    }

    /// The index links `record` to `to` (a model decision).
    private func linked(_ record: String, to other: String, id: String) throws -> AdmittedEvent {
        try LinkedWarrantCheckTests.identity("bus.identity.linked", id: id, [
            "personId": min(record, other), "recordId": record, "linkedTo": other, "decisionSource": "model",
            "score": 0.991, "agreed": ["givenName", "familyName", "dateOfBirth"],
        ])
    }

    private func record(_ event: EventEnvelope<some EventPayload>) throws -> String {
        try #require(try PersonRecordIds.subject(of: Events.admitted(event)))
    }

    @Test func aReleaseUnderABookingNumberIsUnconfirmedDoesNotEscalateAndIsReleasedUnconfirmed() async throws {
        let resolver = try await ResolverUnderTest()
        // Hill's active warrant, under his state ID: no number in common with the booking.
        try await resolver.apply(Events.issued("W-1"))
        let scheduled = Events.scheduled(subject: Self.booked)
        #expect(scheduled.schemaVersion == 2)

        let opened = try await resolver.apply(scheduled)
        #expect(opened.notifications.isEmpty)
        #expect(opened.checkEvents.map(\.status) == ["unconfirmed"] && opened.checkVersions == ["2"])
        #expect(opened.checkEvents.first?.warrants.isEmpty == true && opened.checkEvents.first?.stateId == nil)
        try expectValid(opened)

        // Six days before the release nothing escalates: nobody has anything to resolve.
        let tick = try await resolver.tick(Events.tick(daysBeforeRelease: 6))
        #expect(tick.notifications.isEmpty && tick.checkEvents.isEmpty)

        let released = try await resolver.apply(Events.completed("R-1", at: Events.releaseAt, subject: Self.booked))
        #expect(released.notifications.isEmpty)
        #expect(released.checkEvents.map(\.outcome) == [.releasedUnconfirmed] && released.checkVersions == ["2"])
        try expectValid(released)
    }

    /// A check of a release with the state ID stays version 1: readers of version 1 see no change.
    @Test func aReleaseWithTheStateIdKeepsVersionOne() async throws {
        let resolver = try await ResolverUnderTest()
        let opened = try await resolver.apply(Events.scheduled())
        #expect(opened.checkEvents.map(\.status) == ["clear"] && opened.checkVersions == ["1"])
    }

    @Test func aLinkToTheSubjectOfAnActiveWarrantMakesItPending() async throws {
        let resolver = try await ResolverUnderTest()
        let scheduled = Events.scheduled(subject: Self.booked)
        let warrant = Events.issued("W-7", agency: "MO-CIRCUIT7")
        try await resolver.apply(scheduled)
        #expect(try await resolver.apply(warrant).checkEvents.isEmpty)

        let joined = try await resolver.apply(try linked(try record(scheduled), to: try record(warrant), id: "00000000-0000-8000-8000-000000000401"))
        #expect(joined.summary == LinkedWarrantCheckTests.pendingToCircuit7)
        #expect(joined.checkEvents.map(\.status) == ["pending"] && joined.checkEvents.first?.warrants.map(\.warrantId) == ["W-7"])
        #expect(joined.checkVersions == ["2"])
        try expectValid(joined)
        #expect(try await resolver.check()?.status == "pending")
    }

    /// Linked to an earlier release that names Hill by state ID (he has no warrant): the bus
    /// can now say there is none, so the check becomes `clear`.
    @Test func aLinkToARecordWithTheStateIdAndNoWarrantMakesItClear() async throws {
        let resolver = try await ResolverUnderTest()
        let earlier = Events.completed("R-0", at: Events.now)
        try await resolver.apply(earlier)
        let scheduled = Events.scheduled(subject: Self.booked)
        #expect(try await resolver.apply(scheduled).checkEvents.map(\.status) == ["unconfirmed"])

        let confirmed = try await resolver.apply(try linked(try record(scheduled), to: try record(earlier), id: "00000000-0000-8000-8000-000000000402"))
        #expect(confirmed.notifications.isEmpty)
        #expect(confirmed.checkEventTypes == ["bus.warrant-check.updated"] && confirmed.checkEvents.map(\.status) == ["clear"])
        try expectValid(confirmed)
    }

    /// A warrant issued on a name and a date of birth with the records system's number only
    /// (`courts.warrants` version 2) matches no release by number; linked by the index to the
    /// subject of Hill's release (state ID), it joins the check as any linked warrant does.
    @Test func aWarrantWithoutNumbersJoinsTheCheckThroughTheLink() async throws {
        let resolver = try await ResolverUnderTest()
        let scheduled = Events.scheduled()
        let unnumbered = SubjectIdentifiers(rmsNumber: "C7-2025-0091", name: PersonName(given: "Marcus", family: "Hill"), dateOfBirth: CalendarDate("1985-02-03"))
        let warrant = Events.issued("W-9", agency: "MO-CIRCUIT7", subject: unnumbered)
        #expect(warrant.schemaVersion == 2)
        #expect(try await resolver.apply(scheduled).checkEvents.map(\.status) == ["clear"])
        let issued = try await resolver.apply(warrant)
        #expect(issued.notifications.isEmpty && issued.checkEvents.isEmpty)
        let joined = try await resolver.apply(try linked(try record(warrant), to: try record(scheduled), id: "00000000-0000-8000-8000-000000000404"))
        #expect(joined.summary == LinkedWarrantCheckTests.pendingToCircuit7)
        #expect(joined.checkEvents.map(\.status) == ["pending"] && joined.checkEvents.first?.warrants.map(\.warrantId) == ["W-9"])
        #expect(joined.checkVersions == ["1"])  // the release names Hill by state ID
    }

    /// An unconfirmed release linked only to a warrant that names nobody by number either (and
    /// is no longer active) stays unconfirmed: the link says nothing about warrants under Hill's
    /// state ID.
    @Test func aLinkToAnUnnumberedWarrantConfirmsNothing() async throws {
        let resolver = try await ResolverUnderTest()
        let unnumbered = SubjectIdentifiers(rmsNumber: "C7-2025-0091", name: PersonName(given: "Marcus", family: "Hill"), dateOfBirth: CalendarDate("1985-02-03"))
        let warrant = Events.issued("W-9", agency: "MO-CIRCUIT7", subject: unnumbered)
        try await resolver.apply(warrant)
        try await resolver.apply(Events.recalled("W-9", by: "MO-CIRCUIT7"))
        let scheduled = Events.scheduled(subject: Self.booked)
        try await resolver.apply(scheduled)
        let link = try await resolver.apply(try linked(try record(scheduled), to: try record(warrant), id: "00000000-0000-8000-8000-000000000405"))
        #expect(link.checkEvents.isEmpty && link.notifications.isEmpty)
        #expect(try await resolver.check()?.status == "unconfirmed")
    }

    /// A link between two records neither of which carries a number confirms nothing.
    @Test func aLinkToAnotherUnnumberedRecordLeavesItUnconfirmed() async throws {
        let resolver = try await ResolverUnderTest()
        let first = Events.completed("R-0", at: Events.now, subject: Self.booked)
        try await resolver.apply(first)
        let again = SubjectIdentifiers(bookingNumber: "2025-004519", name: PersonName(given: "Marcus", family: "Hill"), dateOfBirth: CalendarDate("1985-02-03"))
        let scheduled = Events.scheduled(subject: again)
        try await resolver.apply(scheduled)
        let link = try await resolver.apply(try linked(try record(scheduled), to: try record(first), id: "00000000-0000-8000-8000-000000000403"))
        #expect(link.checkEvents.isEmpty && link.notifications.isEmpty)
        #expect(try await resolver.check()?.status == "unconfirmed")
    }
}

/// The same on PostgreSQL 15 (its `warrants-v7` step replaces the status constraint); skipped,
/// saying why, where it is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct UnconfirmedReleaseCheckPostgresTests {
    typealias T = UnconfirmedReleaseCheckTests
    @Test func aReleaseUnderABookingNumberIsUnconfirmedDoesNotEscalateAndIsReleasedUnconfirmed() async throws {
        try await T().aReleaseUnderABookingNumberIsUnconfirmedDoesNotEscalateAndIsReleasedUnconfirmed()
    }
    @Test func aLinkToTheSubjectOfAnActiveWarrantMakesItPending() async throws { try await T().aLinkToTheSubjectOfAnActiveWarrantMakesItPending() }
    @Test func aLinkToARecordWithTheStateIdAndNoWarrantMakesItClear() async throws { try await T().aLinkToARecordWithTheStateIdAndNoWarrantMakesItClear() }
    @Test func aWarrantWithoutNumbersJoinsTheCheckThroughTheLink() async throws { try await T().aWarrantWithoutNumbersJoinsTheCheckThroughTheLink() }
    @Test func aLinkToAnUnnumberedWarrantConfirmsNothing() async throws { try await T().aLinkToAnUnnumberedWarrantConfirmsNothing() }
}
