import Contracts
import Foundation
import Subscriptions
import Testing

/// The subscription's value and the bus.subscriptions contract agree: every kind of subject
/// the rules admit encodes to an event the contract accepts, and reads back equal.
@Suite struct SubscriptionContractTests {
    typealias F = Fixtures

    @Test(arguments: [
        Subscription.Subject.person(stateId: "MO1234567", fbiNumber: "734591KA2"), .person(stateId: nil, fbiNumber: "734591KA2"),
        .place(state: "MO", place: "Kansas City"), .county(state: "MO", county: "Jackson"), .agencyFeed(agencyId: "MO-JCSO"),
    ])
    func anAdmittedSubscriptionPassesTheContract(_ subject: Subscription.Subject) throws {
        let admitted = try F.rules.admit(F.request(subject: subject, basis: LegalBasis(basis: .other, text: "Local rule")), id: UUID())
        let renewed = try SubscriptionRules(moment: F.at(days: 100), directory: F.directory).renew(admitted, by: "officer:PP-KC-118")
        let cancelled = try F.rules.cancel(renewed, by: "operator:bus-ops-1", reason: "done")
        let validator = EventValidator(catalog: F.catalog)
        for subscription in [admitted, renewed, cancelled] {
            let event = EventEnvelope(
                occurredAt: F.now, recordedAt: F.now, source: SourceAgency(agencyId: "MO-DOC-PP", agencyKind: .communitySupervision),
                subject: nil, payload: subscription.recorded)
            let validated = try validator.validate(bytes: try EventCodec.encode(event), topic: BusTopic.subscriptions)
            #expect(validated.key == subscription.id)
            let decoded = try EventCodec.decode(SubscriptionRecorded.self, from: validated.document)
            #expect(try Subscription(decoded.payload) == subscription)
        }
    }

    @Test func theContractsExamplesReadAsSubscriptions() throws {
        let contract = try #require(F.catalog.event(type: SubscriptionRecorded.eventType, version: 1))
        var subjects: [String] = []
        for example in contract.validExamples {
            let event = try EventCodec.decode(SubscriptionRecorded.self, from: Array(example.description.utf8))
            let subscription = try Subscription(event.payload)
            var sorted = event.payload
            sorted.eventKinds = Set(sorted.eventKinds).sorted()  // the value keeps each kind once, in code order
            #expect(subscription.recorded == sorted)
            subjects.append(subscription.subject.description)
        }
        #expect(subjects == ["person MO1234567 / FBI 734591KA2", "place Kansas City, MO", "person MO7654321", "feed of MO-JCSO", "county Jackson, MO"])
    }

    @Test func aSubjectOfNoneOrTwoThingsIsRefused() {
        #expect(throws: SubscriptionError.invalidSubject("exactly one of person, place and agencyFeed")) {
            try Subscription.Subject(SubscriptionSubject())
        }
        let noNumber = SubscriptionError.invalidSubject("a person needs a state ID or an FBI number (a value such as UNKNOWN or zeros says there is none)")
        #expect(throws: noNumber) { try Subscription.Subject(SubscriptionSubject(person: SubscribedPerson())) }
        // As read from the topic: "UNKNOWN" and zeros are no numbers.
        let placeholders = try? EventCodec.decodeJSON(SubscribedPerson.self, from: Array(#"{"stateId": "UNKNOWN", "fbiNumber": "000000000"}"#.utf8))
        #expect(throws: noNumber) { try Subscription.Subject(SubscriptionSubject(person: placeholders)) }
        #expect(throws: SubscriptionError.invalidSubject("a place needs exactly one of place and county")) {
            try Subscription.Subject(SubscriptionSubject(place: SubscribedPlace(state: "MO", place: "Kansas City", county: "Jackson")))
        }
        #expect(SubscriptionError.invalidSubject("x").field == "subject")
    }
}
