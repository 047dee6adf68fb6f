import Contracts
import Directory
import Foundation
import Notifications
import PropertyBased
import ServiceKit
import Testing
import Timers
import TestSupport

@testable import Routing

/// Kafka orders a partition, never the topics between each other: the router may read a case
/// before or after the arrests, contacts or releases that concern it, and may read an event twice.
/// Whatever the interleaving, it must send the same notifications — no more, no fewer — once the
/// clock has ticked past every event.
@Suite("The router's notifications do not depend on how its topics interleave")
struct InterleavingPropertyTests {
    let key = NotificationSigningKey.random()

    @Test("any interleaving of the topics, with redeliveries, sends the notifications of the topics read one after the other")
    func notificationsDoNotDependOnInterleaving() async throws {
        let scenario = try RouterScenario.mixed()
        let expected = try await notifications(applying: scenario.inTopicOrder())
        #expect(!expected.isEmpty, "the scenario must route something for the property to mean anything")
        await expectEveryInterleaving(of: scenario, sends: expected, count: 25)
    }

    @Test("the police-event rules too: bookings, contacts, incidents, investigations, subscriptions, a reassignment")
    func policeEventNotificationsDoNotDependOnInterleaving() async throws {
        let scenario = try RouterScenario.policeEvents()
        let expected = try await notifications(applying: scenario.inTopicOrder())
        #expect(Set(expected.map(\.rule)).isSuperset(of: [
            "supervisee-arrested", "supervisee-booked", "supervisee-police-contact", "supervisee-victim", "supervisee-suspect",
            "investigation-named-supervisee", "subscription-investigations",
        ]), "\(expected)")
        await expectEveryInterleaving(of: scenario, sends: expected, count: 20)
    }

    @Test("the release, pre-release and bulletin rules too, with ticks of the clock among the events")
    func releaseNotificationsDoNotDependOnInterleaving() async throws {
        let scenario = try RouterScenario.releases()
        let expected = try await notifications(applying: scenario.inTopicOrder())
        #expect(Set(expected.map(\.rule)).isSuperset(of: [
            "supervisee-release", "release-into-jurisdiction", "short-notice-release", "high-risk-release-60-days", "mental-health-bulletin",
        ]), "\(expected)")
        await expectEveryInterleaving(of: scenario, sends: expected, count: 20)
    }

    @Test("the resident and issuing-court rules too: warrants, a detainer, a move, arrests, a case ending")
    func residentNotificationsDoNotDependOnInterleaving() async throws {
        let scenario = try RouterScenario.residents()
        let expected = try await notifications(applying: scenario.inTopicOrder())
        #expect(Set(expected.map(\.rule)).isSuperset(of: [
            "resident-supervision-started", "resident-moved-in", "resident-moved-out", "resident-supervision-ended", "resident-warrant",
            "issued-warrant-resolved", "issued-warrant-subject-arrested", "issued-warrant-subject-supervised",
        ]), "\(expected)")
        await expectEveryInterleaving(of: scenario, sends: expected, count: 20)
    }

    /// Checks, over `count` random interleavings of `scenario`'s topics with random redeliveries,
    /// that the router sends exactly `expected`.
    private func expectEveryInterleaving(of scenario: RouterScenario, sends expected: Set<RoutedNotice>, count: Int) async {
        await propertyCheck(count: count, input: Gen.shuffled(scenario.slots), Gen.bool.array(of: scenario.eventCount)) { slots, redeliver in
            do {
                let sent = try await notifications(applying: scenario.interleaved(slots, redelivering: redeliver))
                #expect(sent == expected, "missing \(expected.subtracting(sent).sorted { $0.description < $1.description }), extra \(sent.subtracting(expected).sorted { $0.description < $1.description })")
            } catch {
                Issue.record(error)
            }
        }
    }

    /// Applies `events` one transaction each to a fresh router; the notifications it sent, by
    /// id with recipient and rule.
    private func notifications(applying events: [AdmittedEvent]) async throws -> Set<RoutedNotice> {
        let router = try ProjectionHarness(RouterProjection(signingKey: key))
        var sent: Set<RoutedNotice> = []
        for event in events {
            for message in try await router.apply(event) where message.topic == NotificationOutbox.topic {
                let notification = try BusNotification.decode(message.value)
                sent.insert(RoutedNotice(id: notification.id, recipient: notification.recipient.description, rule: notification.reason.rule))
            }
        }
        return sent
    }
}

struct RoutedNotice: Hashable, CustomStringConvertible {
    var id: String
    var recipient: String
    var rule: String
    var description: String { "\(rule) → \(recipient)" }
}

/// Events of several topics, each topic's in the order its partition keeps them, and the final
/// tick of the bus's clock, after every event.
struct RouterScenario {
    /// Read before anything else, as the runtime reads reference state at start (the directory).
    var prelude: [AdmittedEvent] = []
    /// One stream per topic (in partition order).
    var streams: [[AdmittedEvent]]
    var finalTick: AdmittedEvent

    var eventCount: Int { streams.reduce(0) { $0 + $1.count } }

    /// One slot per event, naming its stream: a shuffle of the slots is an interleaving that
    /// keeps each stream's order.
    var slots: [Int] { streams.indices.flatMap { Array(repeating: $0, count: streams[$0].count) } }

    func inTopicOrder() -> [AdmittedEvent] { prelude + streams.flatMap { $0 } + [finalTick] }

    /// The events in the order `slots` picks streams; where `redeliver[i]` is set, the i-th event
    /// read is read again right away (a redelivery after a rebalance).
    func interleaved(_ slots: [Int], redelivering redeliver: [Bool]) -> [AdmittedEvent] {
        var next = Array(repeating: 0, count: streams.count)
        var events: [AdmittedEvent] = prelude
        for (index, stream) in slots.enumerated() {
            let event = streams[stream][next[stream]]
            next[stream] += 1
            events.append(event)
            if index < redeliver.count, redeliver[index] { events.append(event) }
        }
        return events + [finalTick]
    }

    /// Two supervisees and one person nobody supervises: cases (one reassigned, one ended),
    /// arrests during, before and after cases.
    static func mixed() throws -> RouterScenario {
        let cases = RouterProjection.casesTopic
        let arrests = RouterProjection.arrestsTopic
        let caseStream: [AdmittedEvent] = [
            try Events.admitted(Events.caseStarted(Events.reyes, caseId: "CASE-1", start: Events.day(-30), id: "p-case-1"), topic: cases),
            try Events.admitted(Events.officerAssigned(Events.lee, caseId: "CASE-1", id: "p-assigned"), topic: cases),
            try Events.admitted(Events.caseStarted(Events.hill, caseId: "CASE-2", start: Events.day(-10), id: "p-case-2"), topic: cases),
        ]
        let arrestStream: [AdmittedEvent] = [
            try Events.admitted(Events.arrest(Events.reyes, at: Events.now.addingTimeInterval(-3_600), id: "p-arrest-1"), topic: arrests),
            try Events.admitted(Events.arrest(Events.hill, at: Events.now.addingTimeInterval(-20 * 86_400), id: "p-arrest-before"), topic: arrests),
            try Events.admitted(Events.arrest(Events.hill, at: Events.now.addingTimeInterval(-7_200), id: "p-arrest-2"), topic: arrests),
            try Events.admitted(Events.arrest(SubjectIdentifiers(stateId: "MO5550001"), at: Events.now, id: "p-arrest-stranger"), topic: arrests),
        ]
        return RouterScenario(streams: [caseStream, arrestStream], finalTick: try Self.tick(at: Events.now.addingTimeInterval(3_600)))
    }

    /// Reyes (registered address, household, reassigned to Lee an hour after his arrest) and Hill,
    /// under supervision; an arrest, a booking, three contacts, an incident naming both, an
    /// investigation opened and updated, and a task force's Part 23 subscription.
    static func policeEvents() throws -> RouterScenario {
        let arrests = PoliceEventRules.arrestsTopic
        let caseStream: [AdmittedEvent] = [
            try Events.admitted(Events.caseWithAddress(id: "pe-case-1"), topic: RouterProjection.casesTopic),
            try Events.admitted(Events.addressChanged(id: "pe-moved"), topic: RouterProjection.casesTopic),
            try Events.admitted(Events.officerAssigned(Events.lee, id: "pe-assigned"), topic: RouterProjection.casesTopic),
            try Events.admitted(Events.caseStarted(Events.hill, caseId: "CASE-2", start: Events.day(-60), id: "pe-case-2"), topic: RouterProjection.casesTopic),
        ]
        let arrestStream: [AdmittedEvent] = [
            try Events.admitted(Events.arrest(at: Events.now.addingTimeInterval(-3_600), id: "pe-arrest"), topic: arrests),
            try Events.admitted(Events.booking(at: Events.now.addingTimeInterval(-3_000), id: "pe-booking"), topic: arrests),
            try Events.admitted(Events.booking(Events.hill, at: Events.now.addingTimeInterval(-2 * 86_400), id: "pe-booking-hill"), topic: arrests),
        ]
        let contactStream: [AdmittedEvent] = [
            try Events.admitted(Events.contact(id: "pe-contact-self"), topic: PoliceEventRules.contactsTopic),
            try Events.admitted(Events.contact(.householdMember, met: InvolvedPerson(name: Events.angela.name), id: "pe-contact-mother"),
                                topic: PoliceEventRules.contactsTopic),
            try Events.admitted(Events.contact(.associate, met: InvolvedPerson(name: PersonName(given: "Kim", family: "Park")), id: "pe-contact-associate"),
                                topic: PoliceEventRules.contactsTopic),
        ]
        let incidentStream = [
            try Events.admitted(Events.incident(victims: [Events.reyesInvolved], suspects: [Events.hillInvolved], id: "pe-incident"),
                                topic: PoliceEventRules.incidentsTopic),
        ]
        let investigationStream = [
            try Events.admitted(Events.investigationOpened(id: "pe-opened"), topic: PoliceEventRules.investigationsTopic),
            try Events.admitted(Events.investigationUpdated(persons: [Events.reyesInvolved, Events.hillInvolved], id: "pe-updated"),
                                topic: PoliceEventRules.investigationsTopic),
        ]
        let subscriptionStream = [
            try Events.admitted(Events.subscription(kinds: [.investigations, .contacts], id: "pe-task-force"), topic: RouterProjection.subscriptionsTopic),
        ]
        return RouterScenario(
            streams: [caseStream, arrestStream, contactStream, incidentStream, investigationStream, subscriptionStream],
            finalTick: try Self.tick(at: Events.now.addingTimeInterval(3_600)))
    }

    /// Reyes, supervised (reassigned) and assessed high risk, scheduled for release into Kansas
    /// City in 30 days; Hill released from jail without notice; a violent incident, a mental-health
    /// bulletin, and ticks of the clock a day before and an hour after.
    static func releases() throws -> RouterScenario {
        let releases = ReleaseRules.releasesTopic
        return RouterScenario(
            prelude: [
                try Events.admitted(Events.kcpdEntry, topic: DirectoryStore.topic),
                try Events.admitted(Events.kcReentryEntry, topic: DirectoryStore.topic),
            ],
            streams: [
                [try Events.admitted(Events.caseStarted(address: Events.kansasCity, id: "re-case"), topic: RouterProjection.casesTopic),
                 try Events.admitted(Events.officerAssigned(Events.lee, id: "re-assigned"), topic: RouterProjection.casesTopic)],
                // Scheduled an hour before the reassignment. (Not here, as they do depend on the order:
                // an event that happened after a reassignment but is read before it reaches the
                // previous officer too; a date that moved before the assessment was read has its
                // own 60-day notice only if the assessment was read first. See the README.)
                [try Events.admitted(Events.releaseScheduled(
                    expected: Events.at(days: 30), occurredAt: Events.now.addingTimeInterval(-3_600), supervisingAgencyId: "MO-DOC-PP",
                    id: "re-scheduled"), topic: releases),
                 try Events.admitted(Events.releaseCompleted(Events.hill, releaseId: "R-HILL", id: "re-hill-out"), topic: releases)],
                [try Events.admitted(Events.assessment(risk: .high, id: "re-assessment"), topic: ReleaseRules.assessmentsTopic)],
                [try Events.admitted(Events.incident(victim: "MO1234567", at: Events.at(days: -100), id: "re-incident"), topic: ReleaseRules.incidentsTopic)],
                [try Events.admitted(Events.bulletinPublished(id: "re-bulletin"), topic: BulletinRules.bulletinsTopic)],
                [Events.tick(Events.at(days: -1))],
            ],
            finalTick: try Self.tick(at: Events.now.addingTimeInterval(3_600)))
    }

    /// Reyes, supervised in Kansas City, moving to Independence yesterday and his case ending
    /// today; a warrant issued before his case and one during it, served by KCPD; a detainer; his
    /// arrest while the warrant was active; Hill, unsupervised, wanted and arrested. (Every
    /// warrant event is dated before the move, and no resolution after an arrest: those depend
    /// on the order, see the README.)
    static func residents() throws -> RouterScenario {
        let warrants = ResidentRules.warrantsTopic
        let cases = RouterProjection.casesTopic
        return RouterScenario(
            prelude: [
                try Events.admitted(Events.kcpdEntry, topic: DirectoryStore.topic),
                try Events.admitted(Events.independencePDEntry, topic: DirectoryStore.topic),
            ],
            streams: [
                [try Events.admitted(Events.caseStarted(address: Events.kansasCity, id: "rs-case"), topic: cases),
                 try Events.admitted(Events.movedToIndependence(on: Events.day(-1), id: "rs-moved"), topic: cases),
                 try Events.admitted(Events.caseEnded(on: Events.day(0), id: "rs-ended"), topic: cases)],
                [try Events.admitted(Events.warrantIssued(warrantId: "W-OLD", on: Events.day(-40), id: "rs-issued-old"), topic: warrants),
                 try Events.admitted(Events.warrantIssued(id: "rs-issued"), topic: warrants),
                 try Events.admitted(Events.warrantServed(at: Events.at(days: -5), id: "rs-served"), topic: warrants),
                 try Events.admitted(Events.detainerLodged(id: "rs-detainer"), topic: warrants),
                 try Events.admitted(Events.warrantIssued(Events.hill, warrantId: "W-HILL", id: "rs-issued-hill"), topic: warrants)],
                [try Events.admitted(Events.arrest(at: Events.at(days: -6), id: "rs-arrest"), topic: RouterProjection.arrestsTopic),
                 try Events.admitted(Events.arrest(Events.hill, at: Events.at(days: -2), id: "rs-arrest-hill"), topic: RouterProjection.arrestsTopic)],
            ],
            finalTick: try Self.tick(at: Events.now.addingTimeInterval(3_600)))
    }

    /// A tick of the bus's clock at `instant`'s minute, as the runtime hands it over.
    static func tick(at instant: Date) throws -> AdmittedEvent {
        let tick = TimerTick(minuteOf: instant)
        return AdmittedEvent(
            topicPartition: .init(topic: TimerTick.topic, partition: 0), offset: .init(0), key: TimerTick.minuteClock,
            eventType: TimerTick.eventType, schemaVersion: TimerTick.schemaVersion, eventId: tick.id, value: tick.encoded(),
            timestampMilliseconds: tick.atMilliseconds)
    }
}
