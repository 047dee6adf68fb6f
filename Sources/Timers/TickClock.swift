import Storage

/// The latest minute tick (`bus.timers`) a service's rules acted on, in a table of the
/// service's own schema with a row a clock (`clock` primary key, `at_ms`): a redelivered or
/// older tick is seen as such, and a replay reads the same times. Rules read it at several
/// events of a batch and write it only at a tick, so the read is remembered for the
/// transaction (one round trip fewer an event on PostgreSQL) and forgotten when a tick is
/// recorded. The router's release and bulletin rules and the warrant resolver each keep one.
public struct TickClock {
    /// The clock's table: a name from the service's code, never from input.
    public let table: String
    private let transaction: any StorageTransaction

    public init(table: String, in transaction: any StorageTransaction) {
        self.table = table
        self.transaction = transaction
    }

    /// The latest tick recorded (ms since 1970); nil before the first.
    public func last() throws -> Int64? {
        try transaction.scratch.remembered(family, key: TimerTick.minuteClock) {
            try transaction.fetchOne("SELECT at_ms FROM \(table) WHERE clock = $1", [.text(TimerTick.minuteClock)])?.get("at_ms", as: Int64.self)
        }
    }

    /// Records a tick as the latest (the caller has checked it is later than `last()`).
    public func record(_ atMilliseconds: Int64) throws {
        transaction.scratch.forget(family)
        try transaction.send(
            "INSERT INTO \(table) (clock, at_ms) VALUES ($1, $2) ON CONFLICT (clock) DO UPDATE SET at_ms = excluded.at_ms",
            [.text(TimerTick.minuteClock), .integer(atMilliseconds)])
    }

    /// The family of the remembered reads (`TransactionScratch.remembered`), one a table.
    private var family: String { "tick-clock:\(table)" }
}
