import Contracts
import Storage

/// Columns the views store in a form other than one plain value, and how they read back: a
/// glossary code as its enumeration, and composite values (an address, a name, conditions,
/// charges, contacts) as JSON text in the events' stable encoding, so the same value always
/// gives the same text. Reading throws ``UnreadableViewRow`` naming the column, never the value.
enum StoredColumn {
    /// JSON text of `value` (sorted members, as events are encoded).
    static func json<T: Encodable>(_ value: T) throws -> SQLValue {
        .text(String(decoding: try EventCodec.encodeJSON(value), as: UTF8.self))
    }

    /// JSON text of `value`, or NULL when it is nil.
    static func optionalJSON<T: Encodable>(_ value: T?) throws -> SQLValue {
        guard let value else { return .null }
        return try json(value)
    }

    /// The JSON text of `column` decoded as `T`; a NULL is unreadable.
    static func json<T: Decodable>(_ type: T.Type, _ column: String, in row: StorageRow, table: String) throws -> T {
        guard let value = try optionalJSON(type, column, in: row, table: table) else {
            throw UnreadableViewRow(table: table, column: column, reason: "is NULL where a \(T.self) is required")
        }
        return value
    }

    /// The JSON text of `column` decoded as `T`, or nil when the column is NULL.
    static func optionalJSON<T: Decodable>(_ type: T.Type, _ column: String, in row: StorageRow, table: String) throws -> T? {
        guard let text = try row.get(column, as: String?.self) else { return nil }
        do {
            return try EventCodec.decodeJSON(type, from: Array(text.utf8))
        } catch {
            throw UnreadableViewRow(table: table, column: column, reason: "does not decode as \(T.self)")
        }
    }

    /// The code in `column` as its enumeration; a NULL is unreadable.
    static func code<T: RawRepresentable>(_ type: T.Type, _ column: String, in row: StorageRow, table: String) throws -> T
    where T.RawValue == String {
        guard let value = try optionalCode(type, column, in: row, table: table) else {
            throw UnreadableViewRow(table: table, column: column, reason: "is NULL where a \(T.self) is required")
        }
        return value
    }

    /// The code in `column` as its enumeration, or nil when the column is NULL.
    static func optionalCode<T: RawRepresentable>(_ type: T.Type, _ column: String, in row: StorageRow, table: String) throws -> T?
    where T.RawValue == String {
        guard let raw = try row.get(column, as: String?.self) else { return nil }
        guard let value = T(rawValue: raw) else {
            throw UnreadableViewRow(table: table, column: column, reason: "holds a code that is not a \(T.self)")
        }
        return value
    }

    /// The day stored in `column` (its 00:00 UTC, see ``ViewTime``).
    static func day(_ column: String, in row: StorageRow) throws -> CalendarDate {
        ViewTime.day(try row.get(column, as: Int64.self))
    }

    /// The day stored in `column`, or nil when the column is NULL.
    static func optionalDay(_ column: String, in row: StorageRow) throws -> CalendarDate? {
        try row.get(column, as: Int64?.self).map(ViewTime.day)
    }
}
