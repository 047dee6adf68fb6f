import Contracts
import Directory
import Notifications
import Testing

@testable import Warrants

/// The resolver's rules as plain functions.
@Suite struct WarrantCheckRulesTests {
    let directory = AgencyDirectory(entries: Events.directory)
    let w1 = Warrant(warrantId: "W-1", kind: "bench", issuingAgencyId: "MO-CIRCUIT16")
    let w2 = Warrant(warrantId: "W-2", kind: "arrest", issuingAgencyId: "MO-CIRCUIT7")

    @Test func aScheduledReleaseWithWarrantsOpensAPendingCheckAndWithoutAClearOne() {
        let scheduled = Events.scheduled()
        let pending = WarrantCheckRules.check(for: scheduled, activeWarrants: [w1], identified: true)
        #expect(pending.status == "pending" && pending.scheduled && !pending.closed)
        #expect(pending.releaseAt == "2025-08-14T15:06:40Z")
        #expect(WarrantCheckRules.check(for: scheduled, activeWarrants: [], identified: true).status == "clear")
        // Nothing found for a person known by neither number is not "clear".
        #expect(WarrantCheckRules.check(for: scheduled, activeWarrants: [], identified: false).status == "unconfirmed")
        #expect(WarrantCheckRules.check(for: scheduled, activeWarrants: [w1], identified: false).status == "pending")
        let unscheduled = WarrantCheckRules.check(for: Events.completed(), activeWarrants: [w1], identified: true)
        #expect(unscheduled.status == "pending" && !unscheduled.scheduled && unscheduled.closed)
    }

    @Test func aPendingCheckAsksEachIssuingAgencyThenTellsThePolice() {
        let check = WarrantCheckRules.check(for: Events.scheduled(), activeWarrants: [w1, w2], identified: true)
        let notifications = WarrantCheckRules.pendingNotifications(check, warrants: [w1, w2], source: .init(Events.scheduled()), directory: directory)
        #expect(notifications.map(\.recipient) == [.agency("MO-CIRCUIT16"), .agency("MO-CIRCUIT7"), .agency("MO-KCPD")])
        #expect(notifications.map(\.reason.rule) == ["warrant-check-pending", "warrant-check-pending", "release-warrant-pending"])
        // Each court hears of its own warrant; the police of every one.
        #expect(notifications[0].summary.contains("W-1 (bench)") && !notifications[0].summary.contains("W-2"))
        #expect(notifications[2].summary.contains("W-1 (bench); W-2 (arrest)"))
        #expect(notifications[2].reason.matched.last == MatchedIdentifier("city", "Kansas City, MO"))
    }

    @Test func withoutDestinationOnlyTheCourtsHear() {
        let check = WarrantCheckRules.check(for: Events.scheduled(to: nil), activeWarrants: [w1], identified: true)
        let notifications = WarrantCheckRules.pendingNotifications(check, warrants: [w1], source: .init(Events.scheduled(to: nil)), directory: directory)
        #expect(notifications.map(\.recipient) == [.agency("MO-CIRCUIT16")])
    }

    @Test func noWarrantNoNotification() {
        let check = WarrantCheckRules.check(for: Events.scheduled(), activeWarrants: [], identified: true)
        #expect(WarrantCheckRules.pendingNotifications(check, warrants: [], source: .init(Events.scheduled()), directory: directory).isEmpty)
        #expect(WarrantCheckRules.unscheduledReleaseNotifications(Events.completed(), warrants: [], directory: directory).isEmpty)
    }

    @Test func aResolutionDependsOnTheWarrantsStoredStatus() {
        #expect(WarrantCheckRules.resolution(previousStatus: nil) == .recordResolved)
        #expect(WarrantCheckRules.resolution(previousStatus: "active") == .resolve)
        #expect(WarrantCheckRules.resolution(previousStatus: "recalled") == .ignore)
        #expect(WarrantCheckRules.issueJoinsOpenChecks(previousStatus: nil))
        #expect(!WarrantCheckRules.issueJoinsOpenChecks(previousStatus: "active"))
        #expect(!WarrantCheckRules.issueJoinsOpenChecks(previousStatus: "served"))
    }

    @Test func aDetainerHoldsWhateverTheWarrantsAWarrantMakesPendingNothingIsClear() {
        let detainer = Detainer(detainerId: "D-1", kind: "federal", holdingAgencyId: "US-USMS")
        for identified in [true, false] {
            #expect(WarrantCheckRules.status(warrants: [w1], detainers: [detainer], identified: identified) == "hold")
            #expect(WarrantCheckRules.status(warrants: [], detainers: [detainer], identified: identified) == "hold")
            #expect(WarrantCheckRules.status(warrants: [w1], detainers: [], identified: identified) == "pending")
        }
        #expect(WarrantCheckRules.status(warrants: [], detainers: [], identified: true) == "clear")
        #expect(WarrantCheckRules.status(warrants: [], detainers: [], identified: false) == "unconfirmed")
    }

    @Test func escalationStagesAreDueAt30And7And1DaysAndATickSendsTheNearestDue() {
        let day = CheckEscalation.day
        let release: Int64 = 100 * day
        #expect(CheckEscalation.nextDue(expectedAt: release, escalatedDays: nil) == 70 * day)
        #expect(CheckEscalation.nextDue(expectedAt: release, escalatedDays: 30) == 93 * day)
        #expect(CheckEscalation.nextDue(expectedAt: release, escalatedDays: 7) == 99 * day)
        #expect(CheckEscalation.nextDue(expectedAt: release, escalatedDays: 1) == nil)
        #expect(CheckEscalation.stageDue(expectedAt: release, escalatedDays: nil, now: 70 * day - 1) == nil)
        #expect(CheckEscalation.stageDue(expectedAt: release, escalatedDays: nil, now: 70 * day) == 30)
        #expect(CheckEscalation.stageDue(expectedAt: release, escalatedDays: 30, now: 92 * day) == nil)
        // Opened (or the scheduler back) 5 days before: the 7-day stage only.
        #expect(CheckEscalation.stageDue(expectedAt: release, escalatedDays: nil, now: 95 * day) == 7)
        #expect(CheckEscalation.stageDue(expectedAt: release, escalatedDays: 7, now: 101 * day) == 1)
        #expect(CheckEscalation.stageDue(expectedAt: release, escalatedDays: 1, now: 101 * day) == nil)
    }

    @Test func aClearCheckTellsTheFacilityAndThePolice() {
        let check = WarrantCheckRules.check(for: Events.scheduled(), activeWarrants: [w1], identified: true)
        let notifications = WarrantCheckRules.clearNotifications(check, warrantId: "W-1", status: "recalled", source: .init(Events.recalled()),
                                                                 directory: directory)
        #expect(notifications.map(\.recipient) == [.facility("MO-DOC-WERDCC"), .agency("MO-KCPD")])
        #expect(notifications.allSatisfy { $0.priority == .routine && $0.reason.rule == "warrant-check-clear" })
        #expect(notifications[0].reason.explanation == "Your facility is releasing this person; the last active warrant on the check was recalled.")
    }

    @Test func aCityTheDirectoryDoesNotListGoesToTheFallbackAddress() {
        let check = WarrantCheckRules.check(for: Events.scheduled(), activeWarrants: [w1], identified: true)
        let notifications = WarrantCheckRules.pendingNotifications(check, warrants: [w1], source: .init(Events.scheduled()),
                                                                   directory: AgencyDirectory())
        #expect(notifications.map(\.recipient) == [.agency("MO-CIRCUIT16"), .agency("police:MO:Kansas City")])
        #expect(DestinationPolice.isFallback(notifications[1].recipient))
        #expect(!DestinationPolice.isFallback(.agency("MO-KCPD")))
    }

    @Test func anUnscheduledReleaseIsUrgentForThePoliceAndEachIssuingAgency() {
        let notifications = WarrantCheckRules.unscheduledReleaseNotifications(Events.completed(), warrants: [w1, w2], directory: directory)
        #expect(notifications.map(\.recipient) == [.agency("MO-IPD"), .agency("MO-CIRCUIT16"), .agency("MO-CIRCUIT7")])
        #expect(notifications.allSatisfy { $0.priority == .urgent && $0.reason.rule == "unscheduled-release-active-warrant" })
        #expect(notifications[0].reason.matched.map(\.value) == ["MO7654321", "W-1", "W-2", "Independence, MO"])
        #expect(notifications[1].reason.matched.map(\.value) == ["MO7654321", "W-1"])
    }
}
