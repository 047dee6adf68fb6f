import Storage
import Testing

@testable import ServiceKit

/// A batch's time is told apart by stage (``BatchStages``): what a projection's own code takes
/// counts as its rules, what its statements take as statements, and the body's stages fit in the
/// transaction's time.
@Suite struct BatchStagesTests {
    let directory = TemporaryDirectory()

    /// Applies arrests the way a test asks: busy in its own code for `spinning` an event, then
    /// one row inserted; or, with `counting`, a statement that works for a while (counting to
    /// 300,000) instead of the spin.
    struct TimedProjection: EventProjection {
        let name = "timed"
        let topics = ["police.arrests"]
        var spinning: Duration = .zero
        var counting = false

        let migrations: [StorageMigration] = [
            .script("timed-v1", "CREATE TABLE timed_applied (event_id TEXT PRIMARY KEY NOT NULL)"),
        ]

        func handles(eventType: String) -> Bool { eventType == "police.arrest.made" }

        func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
            let started = ContinuousClock.now
            while ContinuousClock.now - started < spinning {}
            if counting {
                _ = try transaction.storage.fetchOne("""
                    WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 300000) SELECT count(*) AS n FROM c
                    """)
            }
            try transaction.storage.execute("INSERT INTO timed_applied (event_id) VALUES ($1)", [.text(event.eventId)])
        }
    }

    func stages(of projection: TimedProjection, events: Int = 3) async throws -> BatchStages {
        let service = try makeService(projection, directory: directory)
        let outcome = try await service.apply((0..<events).map { TestArrest().consumed(offset: Int64($0)) })
        #expect(outcome.applied == events)
        return outcome.stages
    }

    /// 20 ms an event in the projection's own code: three events' 60 ms are its rules, not its
    /// statements, which took what three single-row inserts take.
    @Test func aProjectionsOwnCodeCountsAsItsRules() async throws {
        let stages = try await stages(of: TimedProjection(spinning: .milliseconds(20)))
        #expect(stages.batches == 1 && stages.messages == 3)
        #expect(stages.applyingRules >= .milliseconds(60))
        #expect(stages.applyingStatements < stages.applyingRules / 3)
    }

    /// A projection whose time goes to a long statement: that time is its statements'.
    @Test func aProjectionsStatementsCountAsStatements() async throws {
        let stages = try await stages(of: TimedProjection(counting: true))
        #expect(stages.applyingStatements > stages.applyingRules)
        #expect(stages.statements >= stages.applyingStatements)
    }

    /// Every stage took time in a batch that did each thing (admission read contracts, ids were
    /// recorded, offsets written), and the transaction, measured around the body, holds them all.
    @Test func theStagesFitInTheTransaction() async throws {
        let stages = try await stages(of: TimedProjection(), events: 50)
        #expect(stages.messages == 50)
        for stage in [stages.preparing, stages.admitting, stages.recordingIds, stages.applying, stages.finishing] {
            #expect(stage > .zero)
        }
        #expect(stages.beginningAndCommitting > .zero)
        let body = stages.preparing + stages.admitting + stages.recordingIds + stages.applying + stages.finishing
        #expect(stages.transaction > body)
        #expect(stages.statements <= body)
        #expect(stages.named.map(\.stage) == [
            "preparing", "admitting", "recording_ids", "applying_rules", "applying_statements", "finishing",
            "beginning_and_committing",
        ])
    }

    /// Summing batches adds every stage and count.
    @Test func batchesAddUp() async throws {
        let service = try makeService(TimedProjection(), directory: directory)
        let first = try await service.apply((0..<4).map { TestArrest().consumed(offset: Int64($0)) }).stages
        let second = try await service.apply((4..<6).map { TestArrest().consumed(offset: Int64($0)) }).stages
        var total = first
        total += second
        #expect(total.batches == 2 && total.messages == 6)
        #expect(total.transaction == first.transaction + second.transaction)
        #expect(total.applyingStatements == first.applyingStatements + second.applyingStatements)
        #expect(total.statements == first.statements + second.statements)
        // At least each event's own insert, and the batch's statements besides.
        #expect(first.statementCount > 4 && second.statementCount > 2)
        #expect(total.statementCount == first.statementCount + second.statementCount)
        #expect(total.statementsPerMessage == Double(total.statementCount) / 6)
        // And what a running total added since an earlier reading is the batches in between.
        #expect(total - first == second)
    }
}

/// The line `reentrybus replay` prints: each stage in µs a message, the largest first.
@Test func theSummaryListsTheStagesLargestFirstPerMessage() {
    var stages = BatchStages()
    stages.batches = 2
    stages.messages = 1_000
    stages.preparing = .milliseconds(1)
    stages.admitting = .milliseconds(12)
    stages.recordingIds = .milliseconds(7)
    stages.applying = .milliseconds(90)
    stages.applyingStatements = .milliseconds(40)
    stages.finishing = .microseconds(300)
    stages.transaction = .milliseconds(116)
    stages.statementCount = 2_950
    #expect(stages.summary == """
        applying_rules 50, applying_statements 40, admitting 12, recording_ids 7, beginning_and_committing 6, \
        preparing 1, finishing 0 (transaction 116 µs a message over 1000 messages, 3.0 statements a message)
        """)
}
