import Foundation
import GRDB

/// PostgreSQL's name for the unique constraint a SQLite error reports, so that a duplicate key
/// is the same ``StorageError`` on both backends.
///
/// SQLite says only "UNIQUE constraint failed: table.a, table.b"; the name comes from the
/// table's unique indexes (`PRAGMA index_list`): a primary key is `<table>_pkey`, a `UNIQUE`
/// constraint `<table>_<a>_<b>_key` (PostgreSQL's default names), a `CREATE UNIQUE INDEX` its
/// own name. Reading the pragmas after a failed statement is allowed in SQLite.
enum UniqueConstraintName {
    static func resolve(_ error: DatabaseError, in db: Database) -> String? {
        guard let message = error.message, let range = message.range(of: "constraint failed: ") else { return nil }
        let qualified = message[range.upperBound...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let table = qualified.first?.split(separator: ".").first.map(String.init) else { return nil }
        let columns = qualified.compactMap { $0.split(separator: ".").last.map(String.init) }
        if error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY { return "\(table)_pkey" }
        do {
            for index in try Row.fetchAll(db, sql: "SELECT name, \"unique\", origin FROM pragma_index_list(?)", arguments: [table]) {
                let name: String = index["name"]
                guard index["unique"] as Int == 1 else { continue }
                let indexed = try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info(?) ORDER BY seqno", arguments: [name])
                guard indexed == columns else { continue }
                switch index["origin"] as String {
                case "pk": return "\(table)_pkey"
                case "u": return ([table] + columns).joined(separator: "_") + "_key"
                default: return name
                }
            }
        } catch {
            return nil  // the caller names the constraint "unknown"; the violation itself is reported
        }
        return nil
    }
}
