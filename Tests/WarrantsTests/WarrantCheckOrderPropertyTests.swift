import Contracts
import Foundation
import Notifications
import PropertyBased
import ServiceKit
import Testing
import TestSupport
import Timers

@testable import Warrants

/// Kafka orders a partition, never the topics between each other: the resolver may read a
/// person's warrants and detainers before or after the release they concern, and may read an
/// event twice. Whatever the interleaving, once the clock has ticked past every event, each
/// check ends with the same status and items, and the same agencies have been told the same
/// things (rule, recipient, release and the warrant or detainer it was about).
///
/// The events are those whose effect does not depend on time: warrants issued, detainers
/// lodged, releases scheduled and moved to a new date. A resolution, a new destination or a
/// completion read before or after the schedule does legitimately differ (a warrant recalled
/// before the check opened was never on it: nobody is told it cleared); those paths have their
/// own tests (`WarrantCheckPathsTests`).
@Suite("The warrant checks do not depend on how courts.warrants and custody.releases interleave")
struct WarrantCheckOrderPropertyTests {
    /// One told thing: a notification's rule, recipient, release and one item it names.
    struct Told: Hashable, CustomStringConvertible {
        var rule: String
        var recipient: String
        var releaseId: String
        var item: String
        var description: String { "\(rule) → \(recipient) (\(releaseId), \(item))" }
    }

    struct Outcome: Equatable {
        var told: Set<Told>
        /// Release id → "status: items".
        var checks: [String: String]
    }

    @Test("any interleaving, with redeliveries, gives the final statuses and notifications of the topics read one after the other")
    func statusesAndNotificationsDoNotDependOnOrder() async throws {
        let streams = try Self.streams()
        let expected = try await outcome(applying: streams.flatMap { $0 })
        #expect(expected.checks == ["R-1": "hold: D-1, W-1, W-2", "R-2": "pending: W-9"], "\(expected.checks)")
        #expect(Set(expected.told.map(\.rule)) == [
            "warrant-check-pending", "warrant-check-prosecutor", "release-warrant-pending", "warrant-check-hold", "warrant-check-escalation",
        ])
        let slots = streams.indices.flatMap { Array(repeating: $0, count: streams[$0].count) }
        let eventCount = slots.count
        await propertyCheck(count: 25, input: Gen.shuffled(slots), Gen.bool.array(of: eventCount)) { order, redeliver in
            do {
                var next = Array(repeating: 0, count: streams.count)
                var events: [AdmittedEvent] = []
                for (index, stream) in order.enumerated() {
                    let event = streams[stream][next[stream]]
                    next[stream] += 1
                    events.append(event)
                    if redeliver[index] { events.append(event) }
                }
                let sent = try await outcome(applying: events)
                #expect(sent.checks == expected.checks)
                #expect(sent.told == expected.told,
                        "missing \(expected.told.subtracting(sent.told).map(\.description).sorted()), extra \(sent.told.subtracting(expected.told).map(\.description).sorted())")
            } catch {
                Issue.record(error)
            }
        }
    }

    /// With resolutions too (a warrant recalled, one served, a detainer lifted), who was told
    /// may differ by design (see above), but the state each check ends in may not: a release
    /// scheduled before or after its person's warrant was recalled ends with the same status and
    /// items.
    @Test("any interleaving with resolutions, with redeliveries, gives the final statuses of the topics read one after the other")
    func finalStatusesWithResolutionsDoNotDependOnOrder() async throws {
        var streams = try Self.streams()
        var reyesServed = Events.served("W-9")
        reyesServed.subject = Events.reyes
        streams[0] += [try Events.admitted(Events.recalled("W-2", by: "MO-CIRCUIT7")), try Events.admitted(Events.lifted("D-1")), try Events.admitted(reyesServed)]
        let expected = try await outcome(applying: streams.flatMap { $0 })
        #expect(expected.checks == ["R-1": "pending: W-1", "R-2": "clear: "], "\(expected.checks)")
        let slots = streams.indices.flatMap { Array(repeating: $0, count: streams[$0].count) }
        await propertyCheck(count: 25, input: Gen.shuffled(slots), Gen.bool.array(of: slots.count)) { order, redeliver in
            do {
                var next = Array(repeating: 0, count: streams.count)
                var events: [AdmittedEvent] = []
                for (index, stream) in order.enumerated() {
                    events.append(streams[stream][next[stream]])
                    if redeliver[index] { events.append(streams[stream][next[stream]]) }
                    next[stream] += 1
                }
                #expect(try await outcome(applying: events).checks == expected.checks)
            } catch {
                Issue.record(error)
            }
        }
    }

    /// Hill's and Reyes's warrants and detainers (one stream, partition order), their releases
    /// (another), each release moved to a later date. The final tick, 5 days before Hill's new
    /// date, is applied after all of them.
    static func streams() throws -> [[AdmittedEvent]] {
        let later = Events.releaseAt.addingTimeInterval(10 * 86_400)
        let courts: [AdmittedEvent] = [
            try Events.admitted(Events.issued("W-1")),
            try Events.admitted(Events.lodged("D-1")),
            try Events.admitted(Events.issued("W-9", agency: "MO-CIRCUIT7", subject: Events.reyes)),
            try Events.admitted(Events.issued("W-2", agency: "MO-CIRCUIT7")),
        ]
        var reyesChanged = Events.changed("R-2", expectedAt: later, id: "changed-R-2")
        reyesChanged.subject = Events.reyes
        let releases: [AdmittedEvent] = [
            try Events.admitted(Events.scheduled("R-1")),
            try Events.admitted(Events.scheduled("R-2", to: Events.independence, subject: Events.reyes)),
            try Events.admitted(Events.changed("R-1", expectedAt: later)),
            try Events.admitted(reyesChanged),
        ]
        return [courts, releases]
    }

    /// Applies the directory, `events`, then the final tick to a fresh resolver.
    private func outcome(applying events: [AdmittedEvent]) async throws -> Outcome {
        let resolver = try await ResolverUnderTest()
        var told: Set<Told> = []
        let finalTick = TimerTick(minuteOf: Events.releaseAt.addingTimeInterval(5 * 86_400))
        for event in events + [Events.admitted(finalTick)] {
            for notification in try await resolver.apply(event).notifications {
                let release = notification.facts.first { $0.label == "release" }?.value.split(separator: " ").first.map(String.init) ?? "?"
                let items = notification.reason.matched.filter { $0.name == "warrantId" || $0.name == "detainerId" }.map(\.value)
                for item in items.isEmpty ? ["-"] : items {
                    told.insert(Told(rule: notification.reason.rule, recipient: notification.recipient.description, releaseId: release, item: item))
                }
            }
        }
        var checks: [String: String] = [:]
        for releaseId in ["R-1", "R-2"] {
            let (check, items) = try await resolver.harness.write { db, _ in
                (try WarrantResolverProjection.check(releaseId, db),
                 try WarrantResolverProjection.activeWarrants(on: releaseId, db).map(\.warrantId)
                    + WarrantResolverProjection.activeDetainers(on: releaseId, db).map(\.detainerId))
            }
            checks[releaseId] = "\(check?.status ?? "none"): \(items.sorted().joined(separator: ", "))"
        }
        return Outcome(told: told, checks: checks)
    }
}
