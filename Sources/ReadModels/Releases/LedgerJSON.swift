import Contracts

/// Composite values (an address, a subject's identifiers, conditions, contacts) kept in one
/// `TEXT` column as the bus's stable JSON, and read back as the same Swift type.
enum LedgerJSON {
    static func text<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try EventCodec.encodeJSON(value), as: UTF8.self)
    }

    static func optionalText<T: Encodable>(_ value: T?) throws -> String? {
        guard let value else { return nil }
        return try text(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, table: String, column: String) throws(StoredValueError) -> T {
        do {
            return try EventCodec.decodeJSON(type, from: Array(text.utf8))
        } catch {
            throw StoredValueError(table: table, column: column)
        }
    }

    static func decodeIfPresent<T: Decodable>(_ type: T.Type, _ text: String?, table: String, column: String) throws(StoredValueError) -> T? {
        guard let text else { return nil }
        return try decode(type, text, table: table, column: column)
    }
}

/// A view's stored value could not be read back (a row written by a different version, or
/// changed by hand). Names the table and column, never the value.
public struct StoredValueError: Error, Sendable, Hashable, CustomStringConvertible {
    public var table: String
    public var column: String

    public var description: String { "\(table).\(column) holds a value this version cannot read" }
}
