import Dispatch
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// The storage interface over one PostgreSQL connection (postgres-nio).
///
/// Threading: stores are synchronous (a batch's projection runs inside one closure), while
/// postgres-nio answers with futures on its event loop. Each ``write(_:)`` therefore runs on
/// this database's own serial dispatch queue, and each statement there *blocks that queue's
/// thread* until the event loop has the answer (`EventLoopFuture.wait()`). That thread is
/// neither a NIO event loop (which must never block) nor the cooperative pool (the caller only
/// awaits a continuation). One transaction runs at a time, as with SQLite's single writer.
///
/// The connection is opened on first use and again after it was lost: when PostgreSQL stops,
/// the transaction in progress fails with `.unavailable` (nothing of it committed, unless the
/// connection was lost during its COMMIT, which may have committed it all) and the
/// next ``write(_:)`` reconnects, so the caller's retry with backoff is all that is needed.
public final class PostgresStorage: StorageDatabase {
    public let configuration: Configuration
    public var dialect: StorageDialect { .postgres }
    public var location: String { configuration.location }
    private let logger: Logger
    private let queue = DispatchQueue(label: "reentrybus.storage.postgres")
    /// Touched only on `queue`; the mutex makes that checkable, it never waits.
    private let connection = Mutex<PostgresConnection?>(nil)
    private let nextConnectionId = Atomic<Int>(1)
    /// The forms of the inserts its transactions send (``HeldInserts``).
    private let insertForms = InsertForms()

    /// Connects lazily: nothing is opened until the first ``write(_:)``.
    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    deinit {
        // Nobody can await this close; a failure to close a connection being dropped is moot.
        // The closure keeps the connection alive until it is closed (postgres-nio asserts that).
        if let open = connection.withLock({ $0 }) { open.close().whenComplete { _ in _ = open } }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StorageTransaction) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.runTransaction(body) })
            }
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StorageTransaction) throws -> T) async throws -> T {
        try await write(body)
    }

    public func readBlocking<T>(_ body: (any StorageTransaction) throws -> T) throws -> T {
        try writeBlocking(body)
    }

    /// ``write(_:)``, blocking the calling thread until it is done (on the connection's
    /// queue): for start-up work (migrations, as SQLite's opening does) and a service's own
    /// thread (``StorageDatabase/writeBlocking(_:)``).
    public func writeBlocking<T>(_ body: (any StorageTransaction) throws -> T) throws -> T {
        try queue.sync { try runTransaction(body) }
    }

    /// Closes the connection (a later ``write(_:)`` opens a new one).
    public func close() async throws {
        let open: PostgresConnection? = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.connection.withLock { current in
                defer { current = nil }
                return current
            }) }
        }
        guard let open else { return }
        do {
            try await open.close()
        } catch {
            throw PostgresTransaction.storageError(error, location: location) ?? error
        }
    }

    /// On `queue`: BEGIN, the body, COMMIT; ROLLBACK when anything failed.
    private func runTransaction<T>(_ body: (any StorageTransaction) throws -> T) throws -> T {
        let transaction = PostgresTransaction(try openConnection(), location: location, logger: logger, forms: insertForms)
        do {
            try transaction.control("BEGIN")
            let result = try body(transaction)
            try transaction.settle()
            if transaction.aborted { throw StorageError(.transactionAborted, database: location) }
            try transaction.control("COMMIT")
            return result
        } catch {
            let mapped = PostgresTransaction.storageError(error, location: location)
            if mapped?.kind == .unavailable {
                dropConnection()
            } else {
                do {
                    try transaction.control("ROLLBACK")
                } catch {
                    // The original error is what the caller needs; the connection is suspect.
                    logger.warning("rollback failed; reconnecting", metadata: ["database": "\(location)", "error": "\(error)"])
                    dropConnection()
                }
            }
            throw mapped ?? error
        }
    }

    private func openConnection() throws(StorageError) -> PostgresConnection {
        if let open = connection.withLock({ $0 }), !open.isClosed { return open }
        var postgres = PostgresConnection.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username,
            password: configuration.password, database: configuration.database, tls: .disable)
        postgres.options.additionalStartupParameters = [("application_name", configuration.applicationName)]
        postgres.options.connectTimeout = TimeAmount.nanoseconds(
            Int64(configuration.connectTimeout.components.seconds) * 1_000_000_000
                + configuration.connectTimeout.components.attoseconds / 1_000_000_000)
        let id = nextConnectionId.add(1, ordering: .relaxed).oldValue
        do {
            let open = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: postgres, id: id, logger: logger
            ).wait()
            if let schema = configuration.schema {
                // `inSchema` admits only plain identifiers, so the name can be written as is.
                let setup = PostgresTransaction(open, location: location, logger: logger)
                try setup.control("CREATE SCHEMA IF NOT EXISTS \(schema)")
                try setup.control("SET search_path TO \(schema)")
            }
            connection.withLock { $0 = open }
            return open
        } catch {
            // Whatever stopped the connection (refused, timed out, authentication): unavailable.
            throw PostgresTransaction.storageError(error, location: location)
                ?? StorageError(.unavailable, database: location, detail: "\(error)")
        }
    }

    private func dropConnection() {
        if let open = connection.withLock({ current in
            defer { current = nil }
            return current
        }) {
            // Already broken: its close failing tells nothing new. The closure keeps the
            // connection alive until it is closed (postgres-nio asserts that).
            open.close().whenComplete { _ in _ = open }
        }
    }
}
