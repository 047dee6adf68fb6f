import Contracts
import Kafka
import Storage
import TestSupport
import Testing

@testable import ServiceKit

/// A batch is applied whole, without a savepoint an event; a poison message that a projection
/// finds after writing part of its changes fails that attempt, and the batch is applied again
/// event by event, so that only the poison's changes go (`EventConsumerService.EventIsolation`).
@Suite struct PoisonIsolationTests {
    let directory = TemporaryDirectory()

    @Test func aBatchWithoutPoisonIsAppliedWhole() async throws {
        let service = try makeProbeService(directory: directory, poisonAfterWriting: true)
        let arrests = [TestArrest(), TestArrest(), TestArrest()]
        let outcome = try await service.apply(arrests.enumerated().map { $1.consumed(offset: Int64($0)) })
        #expect(outcome.applied == 3 && outcome.deadLettered == 0)
        let isolated = outcome.isolatedEachEvent
        #expect(!isolated)
        #expect(try await service.count("probe_applied") == 3)
    }

    @Test func aPoisonFoundAfterWritingLeavesNothingAndTheOthersAreApplied() async throws {
        let service = try makeProbeService(directory: directory, poisonAfterWriting: true)
        try await PoisonIsolationCheck.run(service)
    }

    /// A poison message found before the projection runs (here: not the contract) has written
    /// nothing: the batch is not applied twice for it.
    @Test func aPoisonRefusedAtAdmissionNeedsNoSecondAttempt() async throws {
        let service = try makeProbeService(directory: directory, poisonAfterWriting: true)
        let good = TestArrest()
        let outcome = try await service.apply([
            good.consumed(offset: 0), TestArrest().consumed(offset: 1, value: Array(#"{"not":"an arrest"}"#.utf8)),
        ])
        #expect(outcome.applied == 1 && outcome.deadLettered == 1)
        let isolated = outcome.isolatedEachEvent
        #expect(!isolated)
    }
}

/// The same on PostgreSQL, where a failed statement aborts the whole transaction until it is
/// rolled back. Skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)))
struct PoisonIsolationPostgresTests {
    let directory = TemporaryDirectory()

    @Test func aPoisonFoundAfterWritingLeavesNothingAndTheOthersAreApplied() async throws {
        try await PostgresCluster.with { cluster in
            let url = cluster.url(database: try await cluster.createDatabase())
            let storage = PostgresStorage(configuration: try PostgresStorage.Configuration(url: url).inSchema("probe"), logger: testLogger)
            let service = try makeProbeService(directory: directory, postgres: storage, poisonAfterWriting: true)
            try await PoisonIsolationCheck.run(service)
            try await storage.close()
        }
    }
}

enum PoisonIsolationCheck {
    /// Three arrests, the middle one poison after writing its row and its message.
    static func run(_ service: EventConsumerService) async throws {
        let before = TestArrest(), poison = TestArrest(stateId: ProbeProjection.poisonStateId), after = TestArrest()
        let outcome = try await service.apply([before.consumed(offset: 0), poison.consumed(offset: 1), after.consumed(offset: 2)])
        let isolated = outcome.isolatedEachEvent
        #expect(isolated, "the batch was applied again event by event")
        #expect(outcome.applied == 2 && outcome.deadLettered == 1)
        #expect(outcome.deadLetters.map(\.reason) == ["the probe's poison, found after writing"])

        let applied = try await service.database.read { transaction in
            try transaction.fetchAll("SELECT event_id FROM probe_applied").map { try $0.get("event_id", as: String.self) }
        }
        #expect(Set(applied) == [before.eventId, after.eventId], "the poison's row is gone, the others' kept once")
        let outbox = outcome.outbox.map(\.message.topic)
        #expect(outbox.filter { $0 == "probe.out" }.count == 2, "\(outbox)")
        #expect(outbox.filter { $0 == BusTopic.deadLetters }.count == 1, "\(outbox)")
        let offsets = try await service.database.storedOffsets()
        #expect(offsets[TopicPartition(topic: "police.arrests", partition: 0)] == KafkaOffset(3))

        // The batch after one whose projection found poison starts event by event (a stream
        // with poison in most batches is not applied twice a batch); after a clean one, whole.
        let next = try await service.apply([TestArrest().consumed(offset: 3)])
        let nextIsolated = next.isolatedEachEvent
        #expect(next.applied == 1 && nextIsolated, "started event by event after the poison")
        let later = try await service.apply([TestArrest().consumed(offset: 4)])
        let laterIsolated = later.isolatedEachEvent
        #expect(later.applied == 1 && !laterIsolated, "whole again after a clean batch")

        // Delivered again, nothing changes: the poison's id was recorded with the dead letter.
        let again = try await service.apply([before.consumed(offset: 0), poison.consumed(offset: 1), after.consumed(offset: 2)])
        #expect(again.applied == 0 && again.deadLettered == 0 && again.skipped == 3)
    }
}
