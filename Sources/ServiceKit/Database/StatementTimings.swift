import Foundation
import GRDB
import Storage
import Synchronization

/// The time a service's writer spends in each SQL statement, summed by statement text: the tool
/// that finds which query a replay's time goes to (`bench replay --statements`, `bench
/// pipeline --statements`). It found the router reading every scheduled release for each case
/// started, a query plan no CPU profile pointed at.
///
/// SQLite times each call to the millisecond (its profile hook), so a figure is a sum over many
/// calls, a statement's share of the time rather than one call's duration: divided by the calls
/// it gives a mean that is right on average, not per call.
///
/// Only the statements' text is kept, with their `$n` placeholders, never the values bound to
/// them (personal data). A `Mutex` guards the sums: the writer's thread adds, a benchmark reads.
public final class StatementTimings: Sendable {
    /// One statement's sums.
    public struct Entry: Sendable, Equatable {
        /// The SQL, as the store wrote it (placeholders, no values).
        public var sql: String
        public var calls: Int
        public var seconds: Double
    }

    private let sums = Mutex<[String: (calls: Int, seconds: Double)]>([:])

    init() {}

    func record(_ sql: String, seconds: Double) {
        sums.withLock { sums in
            sums[sql, default: (0, 0)].calls += 1
            sums[sql, default: (0, 0)].seconds += seconds
        }
    }

    /// The `count` statements that took the most time in all, longest first.
    public func slowest(_ count: Int) -> [Entry] {
        sums.withLock { sums in
            sums.map { Entry(sql: $0.key, calls: $0.value.calls, seconds: $0.value.seconds) }
                .sorted { ($0.seconds, $1.sql) > ($1.seconds, $0.sql) }
                .prefix(count).map { $0 }
        }
    }

    /// Time in all statements so far, in seconds.
    public var totalSeconds: Double { sums.withLock { $0.values.reduce(0) { $0 + $1.seconds } } }
}

extension ServiceDatabase {
    /// Starts timing every statement the writer runs from now on (SQLite's profile hook on the
    /// writer's connection; it costs a clock reading and a locked sum per statement). Nil on
    /// PostgreSQL, whose server keeps such figures itself (`pg_stat_statements`).
    public func timeStatements() async throws -> StatementTimings? {
        guard let sqlite = storage as? SQLiteStorage else { return nil }
        let timings = StatementTimings()
        try await sqlite.writer.writeWithoutTransaction { db in
            db.trace(options: .profile) { event in
                if case let .profile(statement, duration) = event { timings.record(statement.sql, seconds: duration) }
            }
        }
        return timings
    }
}
