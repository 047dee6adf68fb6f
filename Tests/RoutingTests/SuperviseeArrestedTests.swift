import Contracts
import Notifications
import Testing

@testable import Routing

/// Rule `supervisee-arrested` as a plain function: an arrest and the cases of its person in,
/// notifications out.
@Suite struct SuperviseeArrestedTests {
    private func supervision(
        officer: String? = "PP-KC-118", start: CalendarDate = Events.day(-30), end: CalendarDate? = nil,
        stateId: String? = "MO1234567", fbi: String? = "734591KA2"
    ) -> SupervisionCase {
        SupervisionCase(caseId: "CASE-1", stateId: stateId, fbiNumber: fbi, supervisionType: "parole", agencyId: "MO-DOC-PP",
                        officerId: officer, officerName: nil, startDate: start.description, endDate: end?.description, subject: Events.reyes)
    }

    @Test func anArrestDuringACaseGoesToItsOfficer() throws {
        let arrest = Events.arrest()
        let notifications = SuperviseeArrested.notifications(for: arrest, cases: [supervision()])
        let notification = try #require(notifications.first)
        #expect(notifications.count == 1)
        #expect(notification.recipient == .officer("PP-KC-118"))
        #expect(notification.priority == .high)
        #expect(notification.id == BusNotification.id(sourceEventId: arrest.eventId.uuidString.lowercased(), rule: "supervisee-arrested",
                                                      scope: "CASE-1", recipient: .officer("PP-KC-118")))
        #expect(notification.summary == "Your supervisee Darnell Reyes (MO1234567) was arrested by MO-KCPD at 3100 Prospect Ave, Kansas City, MO 64128: Unlawful use of a weapon (felony)")
        #expect(notification.reason.matched == [MatchedIdentifier("stateId", "MO1234567"), MatchedIdentifier("fbiNumber", "734591KA2")])
    }

    @Test func anArrestBeforeTheCaseStartsNotifiesNobody() {
        #expect(SuperviseeArrested.notifications(for: Events.arrest(at: Events.now.addingTimeInterval(-40 * 86_400)), cases: [supervision()]).isEmpty)
    }

    @Test func anArrestAfterTheCaseEndedNotifiesNobody() {
        #expect(SuperviseeArrested.notifications(for: Events.arrest(), cases: [supervision(end: Events.day(-2))]).isEmpty)
        // The end day itself is still covered.
        let onTheLastDay = Events.arrest(at: Events.now)
        #expect(SuperviseeArrested.notifications(for: onTheLastDay, cases: [supervision(end: Events.day(0))]).count == 1)
    }

    @Test func aCaseWithoutOfficerSendsToTheAgency() {
        #expect(SuperviseeArrested.notifications(for: Events.arrest(), cases: [supervision(officer: nil)]).map(\.recipient) == [.agency("MO-DOC-PP")])
    }

    @Test func aMatchOnTheFBINumberAloneSaysSo() {
        let arrest = Events.arrest(SubjectIdentifiers(fbiNumber: "734591KA2", name: PersonName(given: "D.", family: "Reyes")))
        let notifications = SuperviseeArrested.notifications(for: arrest, cases: [supervision()])
        #expect(notifications.map(\.reason.matched) == [[MatchedIdentifier("fbiNumber", "734591KA2")]])
        #expect(notifications.first?.reason.explanation.hasSuffix("matched on fbiNumber.") == true)
    }

    @Test func noCaseNoNotification() {
        #expect(SuperviseeArrested.notifications(for: Events.arrest(), cases: []).isEmpty)
    }
}
