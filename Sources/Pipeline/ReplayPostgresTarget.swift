import Kafka
import Logging
import ServiceKit
import Storage
import Synchronization

/// A replay into the schema `<schema>_replay` beside the service's `<schema>`, swapped in by
/// one transaction: `ALTER SCHEMA <s> RENAME TO <s>_old; ALTER SCHEMA <s>_replay RENAME TO <s>;
/// DROP SCHEMA <s>_old CASCADE`.
///
/// "Nobody else has the schema open" is read from `pg_stat_activity`: every connection the
/// storage layer makes names its schema in `application_name` (`reentrybus:<schema>`). The
/// swap's transaction first locks the current `kit_offsets` (a service starting meanwhile
/// waits), then checks that nobody has the schema open and that its offsets are those the
/// new state reached, and renames only then. The replay's own connections are `reentrybus`
/// (checks and swap, schema-qualified) and `reentrybus:<schema>_replay` (the new state).
final class ReplayPostgresTarget: ReplayTarget {
    let schema: String
    let replaySchema: String
    let oldSchema: String
    private let server: PostgresStorage.Configuration
    private let logger: Logger
    /// Checks and the swap: no schema of its own.
    private let control: PostgresStorage
    /// The new state's connection, while it is open.
    private let replay = Mutex<PostgresStorage?>(nil)
    private let created = Mutex(false)

    /// - Parameter server: the database, without a schema.
    init(server: PostgresStorage.Configuration, schema: String, logger: Logger) throws {
        // Checked as a schema name here: `_replay` and `_old` keep it one.
        _ = try server.inSchema(schema + "_replay")
        self.schema = schema
        self.replaySchema = schema + "_replay"
        self.oldSchema = schema + "_old"
        self.server = server
        self.logger = logger
        control = PostgresStorage(configuration: server, logger: logger)
    }

    var location: String { "\(server.location) (schema \(schema))" }
    var replayLocation: String { "\(server.location) (schema \(replaySchema))" }

    func currentOffsets() async throws -> [TopicPartition: KafkaOffset] {
        let (schema, table) = (self.schema, "\(self.schema).kit_offsets")
        return try await control.write { transaction in
            guard try !transaction.columns(of: "kit_offsets", inSchema: schema).isEmpty else { throw ReplayFailure(.noCurrentState) }
            return try ReplayOffsets.read(transaction, table: table)
        }
    }

    func openFresh(migrations: [StorageMigration]) async throws -> ServiceDatabase {
        let replaySchema = self.replaySchema
        try await control.write { transaction in
            guard try Self.sessions(of: replaySchema, transaction) == 0 else { throw ReplayFailure(.anotherReplay) }
            try transaction.execute("DROP SCHEMA IF EXISTS \(replaySchema) CASCADE")
            try transaction.execute("CREATE SCHEMA \(replaySchema)")
        }
        created.withLock { $0 = true }
        return try await reopen(migrations: migrations)
    }

    func reopen(migrations: [StorageMigration]) async throws -> ServiceDatabase {
        let storage = PostgresStorage(configuration: try server.inSchema(replaySchema), logger: logger)
        replay.withLock { $0 = storage }
        return try await ServiceDatabase.open(postgres: storage, migrations: migrations)
    }

    func isInUse() async throws -> Bool {
        let schema = self.schema
        return try await control.write { try Self.sessions(of: schema, $0) > 0 }
    }

    func swap(expecting goal: [TopicPartition: KafkaOffset], topics: Set<String>, carry: @escaping ReplayCarry.Step) async throws -> ReplaySwapOutcome {
        try await closeReplayConnection()
        let (schema, replaySchema, oldSchema) = (self.schema, self.replaySchema, self.oldSchema)
        let outcome: ReplaySwapOutcome
        let carried: ServiceDatabase.CarriedOutbox?
        do {
            (outcome, carried) = try await control.write { transaction -> (ReplaySwapOutcome, ServiceDatabase.CarriedOutbox?) in
                // A service that starts now waits for this transaction, and then sees the new state.
                try transaction.execute("SET LOCAL lock_timeout = '5s'")
                try transaction.execute("LOCK TABLE \(schema).kit_offsets IN ACCESS EXCLUSIVE MODE")
                guard try Self.sessions(of: schema, transaction) == 0 else { return (.inUse, nil) }
                let current = try ReplayOffsets.read(transaction, table: "\(schema).kit_offsets", topics: topics)
                guard current == goal else { return (.moved, nil) }
                guard try transaction.fetchOne(
                    "SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = $1", [.text(oldSchema)]
                )?.get("n", as: Int.self) == 0 else {
                    throw ReplayFailure(.swapRefused("the schema \(oldSchema), which the swap renames the current state to, exists: drop or rename it"))
                }
                // What the current state committed and never delivered goes with the swap.
                let carried = try ServiceDatabase.carryOutbox(from: schema, into: replaySchema, transaction)
                try carry(schema, replaySchema, transaction)
                try transaction.execute("ALTER SCHEMA \(schema) RENAME TO \(oldSchema)")
                try transaction.execute("ALTER SCHEMA \(replaySchema) RENAME TO \(schema)")
                try transaction.execute("DROP SCHEMA \(oldSchema) CASCADE")
                return (.swapped, carried)
            }
        } catch let error as StorageError where error.kind == .other(code: "SQLSTATE 55P03") {
            // lock_not_available: somebody holds the current offsets (a service's batch).
            return .inUse
        }
        if outcome == .swapped { created.withLock { $0 = false } }
        if let carried { ReplayCarry.log(carried, into: location, logger) }
        return outcome
    }

    func discard() async -> Bool {
        do {
            try await closeReplayConnection()
        } catch {
            logger.warning("Closing the new state's connection failed", metadata: ["database": "\(replayLocation)", "error": "\(error)"])
        }
        guard created.withLock({ $0 }) else { return true }
        let replaySchema = self.replaySchema
        do {
            _ = try await control.write { try $0.execute("DROP SCHEMA IF EXISTS \(replaySchema) CASCADE") }
            return true
        } catch {
            logger.error("Could not drop the partly built schema", metadata: ["database": "\(replayLocation)", "error": "\(error)"])
            return false
        }
    }

    private func closeReplayConnection() async throws {
        let storage = replay.withLock { current in
            defer { current = nil }
            return current
        }
        try await storage?.close()
    }

    func close() async {
        do {
            try await closeReplayConnection()
            try await control.close()
        } catch {
            logger.debug("Closing the replay's connections failed", metadata: ["error": "\(error)"])
        }
    }

    /// Connections other than this one that have `schema` open (by their `application_name`).
    static func sessions(of schema: String, _ transaction: any StorageTransaction) throws -> Int {
        try transaction.fetchOne(
            """
            SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()
            """,
            [.text(PostgresStorage.Configuration.applicationName(forSchema: schema))]
        )?.get("n", as: Int.self) ?? 0
    }
}
