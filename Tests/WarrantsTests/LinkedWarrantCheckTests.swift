import Contracts
import Foundation
import Kafka
import Notifications
import PersonIndexStore
import ServiceKit
import Storage
import TestSupport
import Testing

@testable import Warrants

/// Issue 19, item 3: the warrant resolver matches a release's subject to a warrant's (or
/// detainer's) through the person index's links (`bus.identity`), whichever of release,
/// warrant and link is read last; an unlink takes the warrant off the check and retracts, once,
/// what each recipient was told of it.
///
/// The court's warrant names Hill with two digits of his state ID swapped (`MO7654312`): no
/// number in common with the release, but the index links the two records by the model.
@Suite struct LinkedWarrantCheckTests {
    static let mistyped = SubjectIdentifiers(
        stateId: "MO7654312", name: PersonName(given: "Marcus", family: "Hill"), dateOfBirth: CalendarDate("1985-02-03"))

    /// W-7, issued by MO-CIRCUIT7 (served by the prosecutor MO-CCPO) against the mistyped subject.
    private var warrant: EventEnvelope<WarrantIssued> { Events.issued("W-7", agency: "MO-CIRCUIT7", subject: Self.mistyped) }

    private func records() throws -> (release: String, warrant: String) {
        (try #require(try PersonRecordIds.subject(of: Events.admitted(Events.scheduled()))),
         try #require(try PersonRecordIds.subject(of: Events.admitted(warrant))))
    }

    /// A `bus.identity` message as the person index writes it.
    static func identity(_ type: String, id: String, at: String = "2025-06-15T16:00:00Z", _ members: [String: Any]) throws -> AdmittedEvent {
        try IdentityMessages.admitted(type, id: id, at: at, timestampMilliseconds: Events.nowMilliseconds, members)
    }

    /// The index links the warrant's record to the release's (scored by the model).
    private func linked() throws -> AdmittedEvent {
        let (release, warrant) = try records()
        return try Self.identity("bus.identity.linked", id: "00000000-0000-8000-8000-000000000101", [
            "personId": min(release, warrant), "recordId": warrant, "linkedTo": release, "decisionSource": "model",
            "score": 0.987, "agreed": ["givenName", "familyName", "dateOfBirth"],
        ])
    }

    /// A reviewer decided they are different people. The person keeps its id, the smallest of
    /// its records (the court's: `MO-CIRCUIT7/…` sorts before `MO-DOC/…`), so the release's
    /// record is the one that leaves, named by itself.
    private func unlinked() throws -> AdmittedEvent {
        let (release, warrant) = try records()
        #expect(warrant < release)
        return try Self.identity("bus.identity.unlinked", id: "00000000-0000-8000-8000-000000000102", at: "2025-06-15T17:00:00Z", [
            "personId": warrant, "recordId": release, "newPersonId": release, "reason": "human_distinct", "decidedBy": "analyst.reyes",
        ])
    }

    static let pendingToCircuit7 = [
        "agency:MO-CIRCUIT7 high warrant-check-pending", "agency:MO-CCPO high warrant-check-prosecutor", "agency:MO-KCPD high release-warrant-pending",
    ]

    /// Every notification of `output` states the match, as the index decided it.
    private func expectMatchStated(_ output: ResolverOutput) {
        for notification in output.notifications {
            #expect(notification.reason.matched.contains(MatchedIdentifier("personIndex", "model")), "\(notification.reason.rule)")
            #expect(notification.facts.contains(NotificationFact("match", "warrant W-7: model score 0.987; agreed: givenName, familyName, dateOfBirth")))
            #expect(notification.reason.explanation.contains("the person index linked their records"))
            // The fields' names, never the values compared.
            #expect(!notification.facts.contains { $0.label == "match" && $0.value.contains("1985") })
        }
    }

    @Test func aLinkReadAfterReleaseAndWarrantJoinsTheWarrantAndNotifiesAsANumberWould() async throws {
        let resolver = try await ResolverUnderTest()
        let opened = try await resolver.apply(Events.scheduled())
        #expect(opened.notifications.isEmpty && opened.checkEvents.map(\.status) == ["clear"])
        // No number in common: nothing yet.
        let issued = try await resolver.apply(warrant)
        #expect(issued.notifications.isEmpty && issued.checkEvents.isEmpty)

        let joined = try await resolver.apply(try linked())
        #expect(joined.summary == Self.pendingToCircuit7)
        expectMatchStated(joined)
        #expect(joined.checkEventTypes == ["bus.warrant-check.updated"])
        #expect(joined.checkEvents.first?.status == "pending" && joined.checkEvents.first?.warrants.map(\.warrantId) == ["W-7"])
        #expect(joined.checkEvents.first?.cause.eventType == "bus.identity.linked")
        #expect(try await resolver.check()?.status == "pending")

        // A redelivered link sends nothing, and publishes no new revision.
        let again = try await resolver.apply(try linked())
        #expect(again.notifications.isEmpty && again.checkEvents.isEmpty)
    }

    @Test func aLinkReadBeforeTheReleaseOpensThePendingCheck() async throws {
        let resolver = try await ResolverUnderTest()
        #expect(try await resolver.apply(warrant).notifications.isEmpty)
        #expect(try await resolver.apply(try linked()).notifications.isEmpty)
        let opened = try await resolver.apply(Events.scheduled())
        #expect(opened.summary == Self.pendingToCircuit7)
        expectMatchStated(opened)
        #expect(opened.checkEvents.map(\.status) == ["pending"] && opened.checkEvents.first?.warrants.map(\.warrantId) == ["W-7"])
        // A re-sent schedule changes nothing.
        #expect(try await resolver.apply(Events.scheduled()).notifications.isEmpty)
    }

    @Test func aLinkReadBeforeTheWarrantJoinsItOnIssue() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.scheduled())
        let link = try await resolver.apply(try linked())
        #expect(link.notifications.isEmpty && link.checkEvents.isEmpty)
        let issued = try await resolver.apply(warrant)
        #expect(issued.summary == Self.pendingToCircuit7)
        expectMatchStated(issued)
        #expect(issued.checkEvents.first?.warrants.map(\.warrantId) == ["W-7"])
        #expect(try await resolver.apply(warrant).notifications.isEmpty)
    }

    /// Release, warrant and link in each of the six orders: the same check, and the same
    /// recipients told under the same rules (the source event, hence the ids, is whichever came last).
    @Test func everyOrderOfReleaseWarrantAndLinkEndsTheSame() async throws {
        let events = [try Events.admitted(Events.scheduled()), try Events.admitted(warrant), try linked()]
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
        for order in orders {
            let resolver = try await ResolverUnderTest()
            var told: [String] = []
            for index in order { told += try await resolver.apply(events[index]).summary }
            #expect(told.sorted() == Self.pendingToCircuit7.sorted(), "\(order)")
            #expect(try await resolver.check()?.status == "pending", "\(order)")
        }
    }

    /// A split (the person's records parted into two persons) separates them as an unlink does.
    @Test func aSplitSeparatesAsAnUnlinkDoes() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.scheduled())
        try await resolver.apply(warrant)
        try await resolver.apply(try linked())
        let (release, warrantRecord) = try records()
        let split = try await resolver.apply(try Self.identity("bus.identity.split", id: "00000000-0000-8000-8000-000000000104", at: "2025-06-15T17:00:00Z", [
            "personId": warrantRecord, "persons": [["personId": warrantRecord, "recordIds": [warrantRecord]], ["personId": release, "recordIds": [release]]],
        ]))
        #expect(Set(split.summary) == [
            "agency:MO-CIRCUIT7 high warrant-check-retracted", "agency:MO-CCPO high warrant-check-retracted", "agency:MO-KCPD high warrant-check-retracted",
        ])
        #expect(split.checkEvents.map(\.status) == ["clear"])
    }

    @Test func anUnscheduledReleaseOfALinkedPersonWithAnActiveWarrantIsUrgent() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(warrant)
        try await resolver.apply(try linked())
        let released = try await resolver.apply(Events.completed("R-1", at: Events.now))
        #expect(released.summary == [
            "agency:MO-KCPD urgent unscheduled-release-active-warrant", "agency:MO-CIRCUIT7 urgent unscheduled-release-active-warrant",
            "agency:MO-CCPO urgent unscheduled-release-active-warrant",
        ])
        expectMatchStated(released)
    }

    /// The unlink takes W-7 off the check; W-1, matched by the state ID, stays: the check is
    /// still pending. Everyone told of W-7 (its court, that court's prosecutor, and the police,
    /// whose notice listed it) gets one retraction naming what they were told; W-1's court hears nothing.
    @Test func anUnlinkTakesTheWarrantOffTheCheckAndRetractsOnceToThoseTold() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.issued("W-1"))
        try await resolver.apply(Events.scheduled())
        try await resolver.apply(warrant)
        let joined = try await resolver.apply(try linked())
        #expect(joined.summary == Self.pendingToCircuit7)

        let separated = try await resolver.apply(try unlinked())
        #expect(Set(separated.summary) == [
            "agency:MO-CIRCUIT7 high warrant-check-retracted", "agency:MO-CCPO high warrant-check-retracted", "agency:MO-KCPD high warrant-check-retracted",
        ])
        #expect(separated.notifications.count == 3)
        for retraction in separated.notifications {
            let earlier = try #require(joined.notifications.first { $0.recipient == retraction.recipient })
            #expect(retraction.summary == "Retraction: the earlier notice about warrant W-7 on release R-1 concerned a different person")
            #expect(retraction.facts.filter { $0.label == "retracts" } == [NotificationFact("retracts", earlier.id)])
            #expect(retraction.facts.contains(NotificationFact("check", "pending")))
            // Nothing about the person: no name, no date of birth, no state ID.
            #expect(!retraction.summary.contains("Hill") && !retraction.facts.contains { $0.value.contains("Hill") || $0.value.contains("MO765") })
        }
        #expect(separated.checkEventTypes == ["bus.warrant-check.updated"])
        #expect(separated.checkEvents.first?.status == "pending" && separated.checkEvents.first?.warrants.map(\.warrantId) == ["W-1"])

        // Redelivered: nothing again.
        let again = try await resolver.apply(try unlinked())
        #expect(again.notifications.isEmpty && again.checkEvents.isEmpty)
    }

    @Test func anUnlinkOfTheOnlyWarrantClearsTheCheck() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.scheduled())
        try await resolver.apply(warrant)
        try await resolver.apply(try linked())
        let separated = try await resolver.apply(try unlinked())
        #expect(Set(separated.summary) == [
            "agency:MO-CIRCUIT7 high warrant-check-retracted", "agency:MO-CCPO high warrant-check-retracted", "agency:MO-KCPD high warrant-check-retracted",
        ])
        #expect(separated.notifications.allSatisfy { $0.facts.contains(NotificationFact("check", "clear")) })
        #expect(separated.checkEvents.first?.status == "clear" && separated.checkEvents.first?.warrants == [])
        #expect(try await resolver.check()?.status == "clear")
        // A later tick does not escalate a check that no longer lists the warrant.
        #expect(try await resolver.tick(Events.tick(daysBeforeRelease: 30)).notifications.isEmpty)
    }

    @Test func aLinkedDetainerHoldsTheRelease() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.scheduled())
        try await resolver.apply(Events.lodged("D-7", subject: Self.mistyped))
        let (release, _) = try records()
        let detainerRecord = try #require(try PersonRecordIds.subject(of: Events.admitted(Events.lodged("D-7", subject: Self.mistyped))))
        let held = try await resolver.apply(try Self.identity("bus.identity.linked", id: "00000000-0000-8000-8000-000000000103", [
            "personId": min(release, detainerRecord), "recordId": detainerRecord, "linkedTo": release, "decisionSource": "human", "score": 1,
            "agreed": [String](),
        ]))
        #expect(held.summary == ["agency:KS-JOCO-SO high warrant-check-hold"])
        #expect(held.notifications.first?.facts.contains(NotificationFact("match", "detainer D-7: decided by a reviewer")) == true)
        #expect(held.checkEvents.first?.status == "hold" && held.checkEvents.first?.detainers.map(\.detainerId) == ["D-7"])
    }

    /// An expungement of Hill removes the link rows of his person (the release's record and the
    /// warrant's record the index put with it), the items listed through the link and the
    /// notifications kept for their retraction; the link read again later (a replay) is not kept.
    @Test func anExpungementRemovesThePersonsLinksAndALateLinkIsNotKept() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.scheduled())
        try await resolver.apply(warrant)
        #expect(try await resolver.apply(try linked()).notifications.count == 3)
        let tables = ["warrant_person_records", "warrant_subject_records", "warrant_check_linked", "warrant_linked_notices"]
        for table in tables { #expect(try await resolver.harness.count(table) > 0, "\(table)") }

        let order = try Events.sealingOrder(expunged: true, at: Events.now.addingTimeInterval(7_200))
        let projection = resolver.harness.projection
        let tally = try await resolver.harness.write { _, transaction in try projection.seal(order, in: transaction) }
        for table in tables {
            #expect(try await resolver.harness.count(table) == 0, "\(table)")
            #expect(tally.rowsByTable[table, default: 0] > 0, "\(table)")
        }
        // The link, read again (it was made before the order), leaves nothing and sends nothing.
        let late = try await resolver.apply(try linked())
        #expect(late.notifications.isEmpty && late.checkEvents.isEmpty)
        #expect(try await resolver.harness.count("warrant_person_records") == 0)
        // The digests name no one.
        let found = try await resolver.harness.write { db, _ in try findOccurrences(of: ["MO-DOC/p/", "MO-CIRCUIT7/p/"], in: db) }
        #expect(found.isEmpty, "\(found)")
    }

    // MARK: Rows found only through a link, on an expungement

    /// A link as the index writes it: `record` joins `to`, both named as the person `person`.
    private func link(_ record: String, to other: String, person: String, id: String) throws -> AdmittedEvent {
        try Self.identity("bus.identity.linked", id: id, [
            "personId": person, "recordId": record, "linkedTo": other, "decisionSource": "model", "score": 0.987,
            "agreed": ["givenName", "familyName", "dateOfBirth"],
        ])
    }

    private func rows(_ resolver: ResolverUnderTest, _ sql: String) async throws -> [String] {
        try await resolver.harness.write { db, _ in
            try db.fetchAll(sql).map { row in
                row.values.map { value in
                    switch value {
                    case .text(let text): text
                    case .integer(let integer): String(integer)
                    case .null: "NULL"
                    default: value.typeName
                    }
                }.joined(separator: " ")
            }
        }
    }

    /// Hill's release R-1 carries his state ID; the court's warrant W-7, the sheriff's detainer
    /// D-7 and a second release R-2 carry the mistyped one (R-2 lists W-7 and D-7 by that
    /// number). The index puts all four records with Hill. Reyes (another person) has a
    /// warrant and a release of his own. Hill's expungement removes every row of the four —
    /// W-7, D-7 and R-2 although they carry none of the order's numbers — what derives from
    /// them (check items and detainers, who was told, every notification about them), and
    /// counts each in the tally; Reyes's rows stay, exactly.
    @Test func anExpungementRemovesRowsFoundOnlyThroughALinkAndWhatDerivesFromThem() async throws {
        let resolver = try await ResolverUnderTest()
        let reyesSent = try await resolver.apply(Events.issued("W-9", subject: Events.reyes)).notifications.count
            + (try await resolver.apply(Events.scheduled("R-9", subject: Events.reyes)).notifications.count)
        #expect(reyesSent == 3)

        let second = Events.scheduled("R-2", subject: Self.mistyped)
        let detainer = Events.lodged("D-7", subject: Self.mistyped)
        try await resolver.apply(Events.scheduled())
        try await resolver.apply(warrant)
        try await resolver.apply(detainer)
        #expect(try await resolver.apply(second).summary == [
            "agency:MO-CIRCUIT7 high warrant-check-pending", "agency:MO-CCPO high warrant-check-prosecutor",
            "agency:MO-KCPD high release-warrant-pending", "agency:KS-JOCO-SO high warrant-check-hold",
        ])
        let (release, warrantRecord) = try records()
        let detainerRecord = try #require(try PersonRecordIds.subject(of: Events.admitted(detainer)))
        let secondRecord = try #require(try PersonRecordIds.subject(of: Events.admitted(second)))
        let person = [release, warrantRecord, detainerRecord, secondRecord].min()!
        let links = [
            try link(warrantRecord, to: release, person: person, id: "00000000-0000-8000-8000-000000000201"),
            try link(detainerRecord, to: release, person: person, id: "00000000-0000-8000-8000-000000000202"),
            try link(secondRecord, to: release, person: person, id: "00000000-0000-8000-8000-000000000203"),
        ]
        var toldThroughLinks: [String] = []
        for event in links { toldThroughLinks += try await resolver.apply(event).summary }
        #expect(toldThroughLinks == Self.pendingToCircuit7 + ["agency:KS-JOCO-SO high warrant-check-hold"])
        #expect(try await resolver.check("R-1")?.status == "hold")
        let sentBefore = try await resolver.harness.count("notifications_sent")
        #expect(sentBefore == reyesSent + 4 + 4)

        let order = try Events.sealingOrder(expunged: true, at: Events.now.addingTimeInterval(7_200))
        let projection = resolver.harness.projection
        let tally = try await resolver.harness.write { _, transaction in try projection.seal(order, in: transaction) }

        // Reyes's rows, and nothing else.
        #expect(try await rows(resolver, "SELECT warrant_id FROM warrants ORDER BY warrant_id") == ["W-9"])
        #expect(try await rows(resolver, "SELECT release_id FROM warrant_checks ORDER BY release_id") == ["R-9"])
        #expect(try await rows(resolver, "SELECT release_id, warrant_id FROM warrant_check_items ORDER BY release_id") == ["R-9 W-9"])
        for table in ["detainers", "warrant_check_detainers", "warrant_check_linked", "warrant_linked_notices", "warrant_person_records"] {
            #expect(try await resolver.harness.count(table) == 0, "\(table)")
        }
        let reyesRecords = ["release R-9", "warrant W-9"]
        #expect(try await rows(resolver, "SELECT item_kind, item_id FROM warrant_subject_records ORDER BY item_kind, item_id") == reyesRecords)
        #expect(try await rows(resolver, "SELECT DISTINCT release_id FROM warrant_check_told") == ["R-9"])
        let left = try await resolver.harness.write { db, _ in try NotificationOutbox.sent(db) }
        #expect(left.count == reyesSent && left.allSatisfy { $0.isAbout(stateId: Events.reyes.stateId!) })

        // The tally counts them (R-1 by its number; R-2, W-7 and D-7 through the link).
        #expect(tally.rowsByTable["warrant_checks"] == 2)
        #expect(tally.rowsByTable["warrants"] == 1)
        #expect(tally.rowsByTable["detainers"] == 1)
        // R-1: W-7 (linked); R-2: W-7 (by number).
        #expect(tally.rowsByTable["warrant_check_items"] == 2)
        // R-1: D-7 (linked); R-2: D-7 (by number).
        #expect(tally.rowsByTable["warrant_check_detainers"] == 2)
        #expect(tally.rowsByTable["notifications_sent"] == sentBefore - reyesSent)
        #expect(tally.rowsByTable["warrant_check_told"] == 8)
        // The mistyped number is not paired with Hill's: it may be another person's.
        #expect(tally.pairedStateIds.isEmpty)

        // Redelivered or replayed (each occurred before the order): nothing comes back, nothing is sent, nothing is refused.
        let late: [AdmittedEvent] = [
            try Events.admitted(warrant), try Events.admitted(detainer), try Events.admitted(second),
            try Events.admitted(Events.recalled("W-7")), try Events.admitted(Events.lifted("D-7", subject: Self.mistyped)),
            try Events.admitted(Events.changed("R-2", expectedAt: Events.releaseAt.addingTimeInterval(86_400))),
            try Events.admitted(Events.completed("R-2", at: Events.now, subject: Self.mistyped)),
            try Events.admitted(Events.scheduled()),
        ] + links
        for event in late {
            let output = try await resolver.apply(event)
            #expect(output.notifications.isEmpty && output.checkEvents.isEmpty, "\(event.eventType)")
        }
        #expect(try await rows(resolver, "SELECT warrant_id FROM warrants ORDER BY warrant_id") == ["W-9"])
        #expect(try await rows(resolver, "SELECT release_id FROM warrant_checks ORDER BY release_id") == ["R-9"])
        for table in ["detainers", "warrant_check_detainers", "warrant_check_linked", "warrant_person_records"] {
            #expect(try await resolver.harness.count(table) == 0, "\(table)")
        }
        #expect(try await rows(resolver, "SELECT item_kind, item_id FROM warrant_subject_records ORDER BY item_kind, item_id") == reyesRecords)
        #expect(try await resolver.harness.count("notifications_sent") == reyesSent)
        // Neither number, nor the name, is left in the resolver's tables (the runtime's outbox,
        // `kit_outbox`, is emptied of the person's messages by the runtime's own sealing step,
        // which this test does not run).
        let found = try await resolver.harness.write { db, _ in try findOccurrences(of: ["MO7654312", "MO7654321", "Hill"], in: db) }
        #expect(found.filter { !$0.table.hasPrefix("kit_") }.isEmpty, "\(found)")
    }

    /// The notices kept about the checks an expungement reaches only through the index are
    /// found under the number each notification is filed under: the state ID, else the FBI
    /// number. The sheriff's detainer D-7 carries the mistyped state ID and, by mistake, Reyes's
    /// FBI number, so it holds Reyes's release R-9 too (listed by that number); the court's
    /// warrant W-7 and a second release R-2 name Hill by an FBI number alone (mistyped:
    /// `611042FB7`), and R-2 lists W-7 by it. The index puts D-7, W-7 and R-2 with Hill's
    /// release R-1. Hill's expungement removes them with every notification about R-2 (filed
    /// under the FBI number: no state ID to file them by) and, of Reyes's, the hold notice and
    /// the holding agency's escalation, told only of D-7 (filed under Reyes's state ID, which
    /// no number of the order or of the removed rows reaches); Reyes's pending notices and the
    /// escalations due for W-9 stay. Counted.
    @Test func anExpungementThroughALinkRemovesTheNoticesOfEveryCheckThatListedWhatItRemoved() async throws {
        try await anExpungementThroughALinkRemovesTheNotices(reyesReleasedAs: Events.reyes)
    }

    /// The same with Reyes's release known by the FBI number alone: his notices are filed
    /// under that number.
    @Test func anExpungementThroughALinkRemovesTheNoticesOfACheckKnownByTheFBINumberAlone() async throws {
        try await anExpungementThroughALinkRemovesTheNotices(
            reyesReleasedAs: SubjectIdentifiers(fbiNumber: Events.reyes.fbiNumber, name: Events.reyes.name))
    }

    func anExpungementThroughALinkRemovesTheNotices(reyesReleasedAs reyesSubject: SubjectIdentifiers) async throws {
        let resolver = try await ResolverUnderTest()
        var sent: [BusNotification] = []
        sent += try await resolver.apply(Events.issued("W-9", subject: Events.reyes)).notifications
        sent += try await resolver.apply(Events.scheduled("R-9", subject: reyesSubject)).notifications
        let mixed = SubjectIdentifiers(
            stateId: Self.mistyped.stateId, fbiNumber: Events.reyes.fbiNumber, name: Self.mistyped.name, dateOfBirth: Self.mistyped.dateOfBirth)
        let byFbiNumber = SubjectIdentifiers(fbiNumber: "611042FB7", name: Self.mistyped.name, dateOfBirth: Self.mistyped.dateOfBirth)
        let detainer = Events.lodged("D-7", subject: mixed)
        let warrant = Events.issued("W-7", agency: "MO-CIRCUIT7", subject: byFbiNumber)
        let second = Events.scheduled("R-2", subject: byFbiNumber)
        sent += try await resolver.apply(Events.scheduled()).notifications
        let held = try await resolver.apply(detainer).notifications
        #expect(held.map(\.recipient.description) == ["agency:KS-JOCO-SO"])
        sent += held
        sent += try await resolver.apply(warrant).notifications
        sent += try await resolver.apply(second).notifications
        #expect(try await resolver.check("R-9")?.status == "hold")
        #expect(try await resolver.check("R-2")?.status == "pending")

        let release = try #require(try PersonRecordIds.subject(of: Events.admitted(Events.scheduled())))
        let others = [
            try #require(try PersonRecordIds.subject(of: Events.admitted(detainer))),
            try #require(try PersonRecordIds.subject(of: Events.admitted(warrant))),
            try #require(try PersonRecordIds.subject(of: Events.admitted(second))),
        ]
        let person = (others + [release]).min()!
        for (index, record) in others.enumerated() {
            sent += try await resolver.apply(try link(record, to: release, person: person, id: "00000000-0000-8000-8000-00000000050\(index)")).notifications
        }
        // The number a notification is filed under (`NotificationSubject`).
        let filedUnder = { (notification: BusNotification) in notification.subjectStateId ?? notification.subjectFbiNumber }
        let reyes = reyesSubject.stateId ?? reyesSubject.fbiNumber
        let escalated = try await resolver.tick(Events.tick(daysBeforeRelease: 29)).notifications
        #expect(escalated.contains { $0.recipient.description == "agency:KS-JOCO-SO" && filedUnder($0) == reyes })
        sent += escalated
        let sentBefore = try await resolver.harness.count("notifications_sent")
        #expect(sentBefore == sent.count)
        // Reyes's notices but the holding agency's (hold, escalation: told only of D-7).
        let kept = Set(sent.filter { filedUnder($0) == reyes && $0.recipient.description != "agency:KS-JOCO-SO" }.map(\.id))
        #expect(sent.filter { filedUnder($0) == reyes && $0.recipient.description == "agency:KS-JOCO-SO" }.count == 2)
        #expect(sent.contains { filedUnder($0) == byFbiNumber.fbiNumber })

        let order = try Events.sealingOrder(expunged: true, at: Events.now.addingTimeInterval(7_200))
        let projection = resolver.harness.projection
        let tally = try await resolver.harness.write { _, transaction in try projection.seal(order, in: transaction) }
        #expect(try await rows(resolver, "SELECT release_id FROM warrant_checks ORDER BY release_id") == ["R-9"])
        #expect(try await rows(resolver, "SELECT warrant_id FROM warrants ORDER BY warrant_id") == ["W-9"])
        #expect(try await resolver.harness.count("detainers") == 0)
        #expect(try await resolver.check("R-9")?.status == "pending")
        let left = try await resolver.harness.write { db, _ in try NotificationOutbox.sent(db) }
        #expect(Set(left.map(\.id)) == kept, "\(left.map { "\($0.recipient) \($0.rule)" })")
        #expect(tally.rowsByTable["notifications_sent"] == sentBefore - kept.count)
    }

    /// A warrant id issued first against Hill, then (a correction, or a number reused by
    /// mistake) against Reyes: the warrant's record follows its latest subject, so Reyes's
    /// expungement, which finds his records through the rows carrying his numbers, is not led
    /// to Hill's person. Hill's check stays (cleared silently: it lost the warrant), as do his
    /// records in the resolver's copy of the index.
    @Test func aWarrantReissuedForAnotherPersonDoesNotLeadAnExpungementToTheFirst() async throws {
        let resolver = try await ResolverUnderTest()
        let hillsIssue = Events.issued("W-1")
        try await resolver.apply(hillsIssue)
        #expect(try await resolver.apply(Events.scheduled()).notifications.count == 3)
        let (release, _) = try records()
        let hillsWarrant = try #require(try PersonRecordIds.subject(of: Events.admitted(hillsIssue)))
        try await resolver.apply(try link(hillsWarrant, to: release, person: min(hillsWarrant, release), id: "00000000-0000-8000-8000-000000000401"))
        try await resolver.apply(Events.issued("W-1", subject: Events.reyes, id: "issued-W-1-again"))

        let order = try Events.sealingOrder(Events.reyes, expunged: true, at: Events.now.addingTimeInterval(7_200))
        let projection = resolver.harness.projection
        let tally = try await resolver.harness.write { _, transaction in try projection.seal(order, in: transaction) }
        #expect(tally.rowsByTable["warrants"] == 1 && tally.rowsByTable["warrant_checks"] == nil)
        #expect(try await resolver.check()?.status == "clear")
        #expect(try await rows(resolver, "SELECT item_kind, item_id FROM warrant_subject_records") == ["release R-1"])
        #expect(try await resolver.harness.count("warrant_person_records") == 2)
        // Hill's records are not remembered as sealed: his release read again is his, still.
        let again = try await resolver.apply(Events.completed("R-1", at: Events.releaseAt))
        #expect(again.checkEvents.map(\.status) == ["clear"])
    }

    // MARK: What is kept for a retraction

    /// The notice kept for a retraction names the notification, its recipient and rule, never
    /// the body; it is forgotten with the notification (the link event's Kafka time plus the
    /// retention), at most `limit` per pass. An unlink read after that takes the warrant off the
    /// check and retracts nothing: nobody is remembered as told.
    @Test func noticesKeptForARetractionHoldNoBodyAndAreForgottenWithTheNotification() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.scheduled())
        try await resolver.apply(warrant)
        let joined = try await resolver.apply(try linked())
        #expect(joined.summary == Self.pendingToCircuit7)
        let forgetAfter = Events.nowMilliseconds + WarrantResolverProjection.defaultNotificationRetention.milliseconds
        let kept = try await rows(resolver, "SELECT notification_id, recipient, rule, forget_after_ms FROM warrant_linked_notices ORDER BY recipient")
        #expect(kept == joined.notifications.sorted { $0.recipient.description < $1.recipient.description }.map {
            "\($0.id) \($0.recipient.description) \($0.reason.rule) \(forgetAfter)"
        })
        let personal = try await resolver.harness.write { db, _ in try findOccurrences(of: ["Hill", "MO765", "1985"], in: db) }
        #expect(!personal.contains { $0.table == "warrant_linked_notices" }, "\(personal)")

        let projection = resolver.harness.projection
        let forget = { @Sendable (now: Int64, limit: Int) async throws in
            try await resolver.harness.write { _, transaction in try projection.forget(before: now, limit: limit, in: transaction) }
        }
        try await forget(forgetAfter, 10)  // not before its time
        #expect(try await resolver.harness.count("warrant_linked_notices") == 3)
        try await forget(forgetAfter + 1, 2)  // bounded per pass
        #expect(try await resolver.harness.count("warrant_linked_notices") == 1)
        #expect(try await resolver.harness.count("notifications_sent") == 1)
        try await forget(forgetAfter + 1, 2)
        #expect(try await resolver.harness.count("warrant_linked_notices") == 0)

        let separated = try await resolver.apply(try unlinked())
        #expect(separated.notifications.isEmpty)
        #expect(separated.checkEvents.map(\.status) == ["clear"])
    }

    // MARK: A link read after the release

    /// The release happened while the check was clear; the index then links Hill to W-7,
    /// still active. The court, its prosecutor and the destination's police are told, URGENT,
    /// with the match stated; the closed check keeps its status and publishes nothing. A
    /// redelivered link says nothing again; an unlink retracts the alert to each of the three.
    @Test func aLinkReadAfterTheReleaseAlertsOnceAndAnUnlinkRetractsIt() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.scheduled())
        try await resolver.apply(warrant)
        let released = try await resolver.apply(Events.completed("R-1", at: Events.releaseAt))
        #expect(released.notifications.isEmpty && released.checkEvents.map(\.status) == ["clear"])

        let alerted = try await resolver.apply(try linked())
        #expect(alerted.summary == [
            "agency:MO-CIRCUIT7 urgent released-person-linked-to-active-warrant", "agency:MO-CCPO urgent released-person-linked-to-active-warrant",
            "agency:MO-KCPD urgent released-person-linked-to-active-warrant",
        ])
        expectMatchStated(alerted)
        #expect(alerted.notifications.allSatisfy { $0.reason.matched.contains(MatchedIdentifier("warrantId", "W-7")) })
        #expect(alerted.notifications.last?.reason.matched.contains(MatchedIdentifier("city", "Kansas City, MO")) == true)
        #expect(alerted.checkEvents.isEmpty)
        let closed = try #require(try await resolver.check())
        #expect(closed.status == "clear" && closed.closed)

        #expect(try await resolver.apply(try linked()).notifications.isEmpty)

        let separated = try await resolver.apply(try unlinked())
        #expect(Set(separated.summary) == [
            "agency:MO-CIRCUIT7 high warrant-check-retracted", "agency:MO-CCPO high warrant-check-retracted", "agency:MO-KCPD high warrant-check-retracted",
        ])
        for retraction in separated.notifications {
            let earlier = try #require(alerted.notifications.first { $0.recipient == retraction.recipient })
            #expect(retraction.facts.filter { $0.label == "retracts" } == [NotificationFact("retracts", earlier.id)])
        }
    }

    /// Released more than the notification retention (365 days) before the link was decided:
    /// nothing is said and the check is unchanged. A cancelled release is never alerted.
    @Test func aLinkLongAfterTheReleaseOrAfterACancellationSaysNothing() async throws {
        let late = try await ResolverUnderTest()
        try await late.apply(Events.scheduled())
        try await late.apply(warrant)
        try await late.apply(Events.completed("R-1", at: Events.now))
        let (release, warrantRecord) = try records()
        let yearLater = try await late.apply(try Self.identity("bus.identity.linked", id: "00000000-0000-8000-8000-000000000301", at: "2026-06-16T16:00:00Z", [
            "personId": min(release, warrantRecord), "recordId": warrantRecord, "linkedTo": release, "decisionSource": "model", "score": 0.987,
            "agreed": ["givenName"],
        ]))
        #expect(yearLater.notifications.isEmpty && yearLater.checkEvents.isEmpty)
        #expect(try await late.harness.count("warrant_check_items") == 0)

        let cancelled = try await ResolverUnderTest()
        try await cancelled.apply(Events.scheduled())
        try await cancelled.apply(warrant)
        try await cancelled.apply(Events.cancelled())
        let output = try await cancelled.apply(try linked())
        #expect(output.notifications.isEmpty && output.checkEvents.isEmpty)
    }
}

/// The same on PostgreSQL 15; skipped, saying why, where it is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct LinkedWarrantCheckPostgresTests {
    @Test func aLinkReadAfterReleaseAndWarrantJoinsTheWarrantAndNotifiesAsANumberWould() async throws { try await LinkedWarrantCheckTests().aLinkReadAfterReleaseAndWarrantJoinsTheWarrantAndNotifiesAsANumberWould() }
    @Test func aLinkReadBeforeTheReleaseOpensThePendingCheck() async throws { try await LinkedWarrantCheckTests().aLinkReadBeforeTheReleaseOpensThePendingCheck() }
    @Test func aLinkReadBeforeTheWarrantJoinsItOnIssue() async throws { try await LinkedWarrantCheckTests().aLinkReadBeforeTheWarrantJoinsItOnIssue() }
    @Test func everyOrderOfReleaseWarrantAndLinkEndsTheSame() async throws { try await LinkedWarrantCheckTests().everyOrderOfReleaseWarrantAndLinkEndsTheSame() }
    @Test func aSplitSeparatesAsAnUnlinkDoes() async throws { try await LinkedWarrantCheckTests().aSplitSeparatesAsAnUnlinkDoes() }
    @Test func anUnscheduledReleaseOfALinkedPersonWithAnActiveWarrantIsUrgent() async throws { try await LinkedWarrantCheckTests().anUnscheduledReleaseOfALinkedPersonWithAnActiveWarrantIsUrgent() }
    @Test func anUnlinkTakesTheWarrantOffTheCheckAndRetractsOnceToThoseTold() async throws { try await LinkedWarrantCheckTests().anUnlinkTakesTheWarrantOffTheCheckAndRetractsOnceToThoseTold() }
    @Test func anUnlinkOfTheOnlyWarrantClearsTheCheck() async throws { try await LinkedWarrantCheckTests().anUnlinkOfTheOnlyWarrantClearsTheCheck() }
    @Test func aLinkedDetainerHoldsTheRelease() async throws { try await LinkedWarrantCheckTests().aLinkedDetainerHoldsTheRelease() }
    @Test func anExpungementRemovesThePersonsLinksAndALateLinkIsNotKept() async throws { try await LinkedWarrantCheckTests().anExpungementRemovesThePersonsLinksAndALateLinkIsNotKept() }
    @Test func anExpungementRemovesRowsFoundOnlyThroughALinkAndWhatDerivesFromThem() async throws { try await LinkedWarrantCheckTests().anExpungementRemovesRowsFoundOnlyThroughALinkAndWhatDerivesFromThem() }
    @Test func aWarrantReissuedForAnotherPersonDoesNotLeadAnExpungementToTheFirst() async throws { try await LinkedWarrantCheckTests().aWarrantReissuedForAnotherPersonDoesNotLeadAnExpungementToTheFirst() }
    @Test func anExpungementThroughALinkRemovesTheNoticesOfEveryCheckThatListedWhatItRemoved() async throws { try await LinkedWarrantCheckTests().anExpungementThroughALinkRemovesTheNoticesOfEveryCheckThatListedWhatItRemoved() }
    @Test func anExpungementThroughALinkRemovesTheNoticesOfACheckKnownByTheFBINumberAlone() async throws { try await LinkedWarrantCheckTests().anExpungementThroughALinkRemovesTheNoticesOfACheckKnownByTheFBINumberAlone() }
    @Test func noticesKeptForARetractionHoldNoBodyAndAreForgottenWithTheNotification() async throws { try await LinkedWarrantCheckTests().noticesKeptForARetractionHoldNoBodyAndAreForgottenWithTheNotification() }
    @Test func aLinkReadAfterTheReleaseAlertsOnceAndAnUnlinkRetractsIt() async throws { try await LinkedWarrantCheckTests().aLinkReadAfterTheReleaseAlertsOnceAndAnUnlinkRetractsIt() }
    @Test func aLinkLongAfterTheReleaseOrAfterACancellationSaysNothing() async throws { try await LinkedWarrantCheckTests().aLinkLongAfterTheReleaseOrAfterACancellationSaysNothing() }
}
