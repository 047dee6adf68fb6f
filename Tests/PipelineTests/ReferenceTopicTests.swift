import Contracts
import Demo
import Foundation
import Notifications
import Pipeline
import ServiceKit
import TestSupport
import Testing

/// Reference topics are read in full by every instance of a service, not shared out by the
/// consumer group: two warrant resolvers in one group each know the whole agency directory.
@Suite("Reference topics on every instance")
struct ReferenceTopicTests {
    /// The directory (one partition) is published before either instance starts; releases to
    /// Kansas City spread over both instances. Each instance's notices name Kansas City's police
    /// from the directory; none falls back to the address-derived recipient, which an instance
    /// without the directory's partition would use.
    @Test func twoResolversInOneGroupEachKnowTheWholeDirectory() async throws {
        let bus = try await TestBus()
        let secondDirectory = temporaryDirectory("reentrybus-second-resolver")
        defer { try? FileManager.default.removeItem(at: secondDirectory) }
        try await bus.publish(try DemoScenario.directory.map { try DemoScenario.agencyDescribed($0, now: scenarioNow, id: UUID()) })
        // Each person has an active warrant, so each release's check is pending and tells the
        // destination's police. A person's warrant and release share a key, hence a partition
        // number, hence an instance (both topics have 12 partitions; the range assignor).
        let subjects = (0..<24).map { index in
            SubjectIdentifiers(stateId: "MO\(7_000_000 + index)", name: PersonName(given: "Person", family: "Number\(index)"))
        }
        let warrants = try subjects.enumerated().map { index, subject in
            try DemoScenario.warrantIssued(
                subject, warrantId: "W-\(index)", kind: .failureToAppear, agency: "MO-CIRCUIT16", now: scenarioNow, id: UUID())
        }
        let releases = try subjects.enumerated().map { index, subject in
            try DemoScenario.releaseScheduled(
                subject, releaseId: "R-\(index)", facility: DemoScenario.werdcc, at: scenarioNow.addingTimeInterval(60 * 86_400),
                to: DemoScenario.kansasCity, now: scenarioNow, id: UUID())
        }
        try await within(.seconds(90), "two resolvers to handle every release") {
            let first = try bus.start(.warrantResolver)
            let second = try bus.start(.warrantResolver, dataDirectory: secondDirectory)
            // Both members of the group before the releases, so the releases are shared out.
            let entries = Int64(DemoScenario.directory.count)
            for instance in [first, second] {
                await instance.service.progress.wait { !$0.assigned.isEmpty && $0.consumed("reference.agencies") >= entries }
            }
            try await bus.publish(warrants)
            await waitUntil(first, second) { $0.consumed("courts.warrants") + $1.consumed("courts.warrants") >= 24 }
            try await bus.publish(releases)
            await waitUntil(first, second) { $0.consumed("custody.releases") + $1.consumed("custody.releases") >= 24 }
            let applied = [first, second].map { $0.service.progress.snapshot.consumed("custody.releases") }
            #expect(applied.allSatisfy { $0 > 0 }, "each instance handled some releases: \(applied)")
            try await first.stop()
            try await second.stop()
        }
        var police: [SentNotification] = []
        for directory in [bus.configuration.dataDirectory, secondDirectory] {
            let database = try ServiceDatabase.openReadOnly(path: directory.appendingPathComponent("warrant-resolver.sqlite").path)
            police += try database.readBlocking { try NotificationOutbox.sent($0) }
                .filter { $0.recipient == "agency:MO-KCPD" || $0.recipient.hasPrefix("agency:police:") }
        }
        // One notice per release, as the receiver counts them: by id. An instance that takes
        // over a partition in a rebalance before the other committed its offsets applies those
        // releases again and sends their notices again, with the same ids (derived from the
        // release's event, the rule and the recipient), which the receivers deduplicate; on a
        // loaded machine one run had 15 of 24 sent by both instances.
        #expect(Set(police.map(\.id)).count == 24, "one notice to Kansas City's police per release")
        #expect(Set(police.map(\.sourceEventId)).count == 24)
        #expect(Set(police.map(\.recipient)) == ["agency:MO-KCPD"], "\(Set(police.map(\.recipient)))")
    }

    /// A service told to stop while its reference reader is still catching up (a SIGTERM right
    /// after start) stops cleanly: no "client closed" failure, and nothing of its group topics
    /// applied without the reference state.
    @Test func aShutdownDuringTheReferenceCatchUpStopsCleanly() async throws {
        let bus = try await TestBus()
        let entries = 30_000
        let base = DemoScenario.directory[0]
        try await bus.publish(try (0..<entries).map { index in
            var entry = base
            entry.agencyId = "MO-PD\(index)"
            return try DemoScenario.agencyDescribed(entry, now: scenarioNow, id: UUID())
        })
        try await within(.seconds(90), "the resolver to stop during its catch-up") {
            let resolver = try bus.start(.warrantResolver)
            await resolver.service.progress.wait { $0.consumed("reference.agencies") > 0 }
            try await resolver.stop()  // throws if the service failed
            let read = resolver.service.progress.snapshot.consumed("reference.agencies")
            #expect(read < Int64(entries), "stopped after the catch-up (\(read) of \(entries)): the test did not exercise it")
        }
    }
}

/// Returns once `ready` holds for the two services' progress together, re-checked each time
/// either of them commits a batch (no polling).
func waitUntil(
    _ first: RunningService, _ second: RunningService,
    _ ready: @escaping @Sendable (ServiceProgress.Snapshot, ServiceProgress.Snapshot) -> Bool
) async {
    while true {
        let (a, b) = (first.service.progress.snapshot, second.service.progress.snapshot)
        if ready(a, b) || Task.isCancelled { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await first.service.progress.wait { $0.batches > a.batches } }
            group.addTask { await second.service.progress.wait { $0.batches > b.batches } }
            await group.next()
            group.cancelAll()
        }
    }

}
