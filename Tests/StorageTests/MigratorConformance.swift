import Storage
import Testing

/// The migration runner on either database: steps apply once, in order, all or nothing; a
/// database written by a newer version is refused untouched.
enum MigratorConformance {
    static let steps: [StorageMigration] = [
        .script("people-v1", "CREATE TABLE person (id TEXT PRIMARY KEY)"),
        .script("people-v2", "ALTER TABLE person ADD COLUMN age BIGINT"),
    ]

    static func applied(_ database: any StorageDatabase) async throws -> [String] {
        try await database.read { transaction in
            try transaction.fetchAll("SELECT id FROM kit_migrations ORDER BY id").map { try $0.get("id", as: String.self) }
        }
    }

    /// The first run applies every step in order; the second finds nothing to do; a step added
    /// later is applied alone.
    static func appliesEachStepOnce(_ database: any StorageDatabase) async throws {
        let first = try await database.write { try StorageMigrator.migrate(Array(steps.prefix(1)), in: $0) }
        #expect(first == ["people-v1"])
        let second = try await database.write { try StorageMigrator.migrate(steps, in: $0) }
        #expect(second == ["people-v2"])
        let third = try await database.write { try StorageMigrator.migrate(steps, in: $0) }
        #expect(third.isEmpty)
        try await database.write { try $0.execute("INSERT INTO person (id, age) VALUES ($1, $2)", ["p-1", 40]) }
        #expect(try await applied(database) == ["people-v1", "people-v2"])
    }

    /// A step that fails leaves neither its own changes nor the earlier steps of the same run:
    /// a later run applies them all again (the `CREATE TABLE` would fail were the table kept).
    static func aFailingStepLeavesNothing(_ database: any StorageDatabase) async throws {
        let broken = steps + [.script("people-v3", "ALTER TABLE nowhere ADD COLUMN x BIGINT")]
        await #expect(throws: StorageError.self) {
            try await database.write { try StorageMigrator.migrate(broken, in: $0) }
        }
        let again = try await database.write { try StorageMigrator.migrate(steps, in: $0) }
        #expect(again == ["people-v1", "people-v2"])
    }

    /// Steps recorded that this program does not know: refused, nothing applied.
    static func aNewerSchemaIsRefusedUntouched(_ database: any StorageDatabase) async throws {
        try await database.write { try StorageMigrator.migrate(steps, in: $0) }
        try await database.write { try $0.execute("INSERT INTO kit_migrations (id) VALUES ($1)", ["people-v9"]) }
        let more = steps + [.script("people-v3", "ALTER TABLE person ADD COLUMN note TEXT")]
        let error = await #expect(throws: StorageError.self) {
            try await database.write { try StorageMigrator.migrate(more, in: $0) }
        }
        #expect(error?.kind == .schemaFromNewerVersion(unknownMigrations: ["people-v9"]))
        #expect(error?.description.contains("people-v9") == true)
        #expect(try await applied(database) == ["people-v1", "people-v2", "people-v9"])
    }

    /// Two steps with one id are a programming error, found before anything runs.
    static func duplicateIdsAreRefused(_ database: any StorageDatabase) async throws {
        let error = await #expect(throws: StorageError.self) {
            try await database.write { try StorageMigrator.migrate(steps + [steps[0]], in: $0) }
        }
        #expect(error?.kind == .invalidConfiguration(field: "migrations", reason: "two steps are named people-v1"))
    }
}
