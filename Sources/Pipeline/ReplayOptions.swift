/// How `Replay` waits for the service and for the broker.
public struct ReplayOptions: Sendable {
    /// How long the swap waits for the service to stop (for nobody else to have its state open:
    /// a running `serve`, a `view` or `inbox` reading it). Meanwhile the rebuild keeps catching
    /// up with what the running service applies. Past it the replay fails and removes what it
    /// built. Zero: refuse at once when the service runs. Default: 10 minutes.
    public var stopTimeout: Duration
    /// How long reading may make no progress (no message, not caught up) before the broker
    /// counts as gone and the replay fails. Default: 60 seconds.
    public var stallTimeout: Duration
    /// How often, while waiting for the service to stop, the replay looks again. Default: 1 second.
    public var checkInterval: Duration
    /// How often, while waiting for the service to stop, the rebuild catches up with what the
    /// service applied meanwhile, so that the last catch-up after the stop is short.
    /// Default: 10 seconds.
    public var catchUpInterval: Duration
    /// How many messages may wait to be applied in timestamp order across partitions (the order
    /// the running service met them in); past it the earliest goes anyway. Default: 50,000.
    public var mergeWindow: Int
    /// How many events one transaction of the rebuild applies, where the reader has them
    /// (a running service applies what each fetch brings, up to 1,000). Larger transactions
    /// write each page the events share once: `bench replay`, 100,000 events on SQLite,
    /// 7,850–7,930 events/s with 1,000 an event transaction, 8,780–9,170 with 5,000 (PostgreSQL,
    /// whose time goes to a round trip a statement, 1,070–1,120 against 1,100–1,130). The state
    /// is the same either way: each event is applied by the service's own transaction, in the
    /// same order. Default: 5,000.
    public var eventsPerTransaction: Int
    /// The SQLite page cache of the rebuild's writer, in MiB. A rebuild writes a whole history
    /// into a fresh file, its tables keyed by random ids, so each event lands on leaf pages
    /// all over the file; a running service's 16 MiB holds a fraction of them and the rest are
    /// read back from the file. `bench replay`, 300,000 events on SQLite, five alternated pairs
    /// of 16 and 256 MiB: 5,660–7,160 against 7,040–7,980 events/s (64 MiB between). Memory the
    /// replay takes beside the running service; not used on PostgreSQL. Default: 256.
    public var sqliteCacheMebibytes: Int

    public init(
        stopTimeout: Duration = .seconds(600), stallTimeout: Duration = .seconds(60),
        checkInterval: Duration = .seconds(1), catchUpInterval: Duration = .seconds(10), mergeWindow: Int = 50_000,
        eventsPerTransaction: Int = 5_000, sqliteCacheMebibytes: Int = 256
    ) {
        self.stopTimeout = max(stopTimeout, .zero)
        self.stallTimeout = max(stallTimeout, .milliseconds(100))
        self.checkInterval = max(checkInterval, .milliseconds(10))
        self.catchUpInterval = max(catchUpInterval, self.checkInterval)
        self.mergeWindow = max(1, mergeWindow)
        self.eventsPerTransaction = max(1, eventsPerTransaction)
        self.sqliteCacheMebibytes = max(1, sqliteCacheMebibytes)
    }
}
