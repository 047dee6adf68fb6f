/// Which database a transaction talks to, and how SQL is written once for both.
///
/// Stores write one SQL text for both databases, following these rules (the conformance tests
/// in Tests/StorageTests check each of them on both):
///
/// - **Placeholders** are `$1`, `$2`, … (PostgreSQL's form). SQLite also reads `$1` as a
///   parameter, but as a *named* one numbered by first appearance, so the SQLite backend binds
///   each by its name: `$2` before `$1` in the text, or `$1` used twice, binds as written.
///   Never `?`: PostgreSQL does not accept it.
/// - **Types**: `BIGINT` for integers (booleans as 0/1, times as milliseconds since 1970),
///   `DOUBLE PRECISION`, `TEXT`, `BYTEA` for bytes (SQLite stores a blob in a BYTEA column as
///   is). No `BOOLEAN`, `TIMESTAMP`, `JSON`, `UUID` or `NUMERIC` columns, no `STRICT` tables.
/// - **Conflicts**: `INSERT … ON CONFLICT (columns) DO NOTHING` and `ON CONFLICT (columns) DO
///   UPDATE SET c = excluded.c` (both). Never `INSERT OR IGNORE` / `INSERT OR REPLACE`
///   (SQLite only), nor `WITHOUT ROWID`.
/// - **Unique constraints** are a `PRIMARY KEY`, a `UNIQUE` column or table constraint, or a
///   named `CREATE UNIQUE INDEX`: a violation then names the same constraint on both (see
///   ``StorageError/Kind/uniqueViolation(constraint:)``). A named `CONSTRAINT x UNIQUE` is not
///   used: SQLite forgets that name.
/// - **Names** are lower case and unquoted (PostgreSQL folds them; SQLite keeps them).
/// - **What differs** is asked of ``StorageTransaction/dialect``: auto-incremented keys
///   (`INTEGER PRIMARY KEY AUTOINCREMENT` against `BIGINT GENERATED ALWAYS AS IDENTITY`), the
///   two-argument scalar `max(a, b)` against `GREATEST(a, b)`, `PRAGMA`s.
/// - **Errors** end the transaction or the savepoint (see ``StorageTransaction``).
public enum StorageDialect: String, Sendable, Hashable {
    case sqlite
    case postgres
}
