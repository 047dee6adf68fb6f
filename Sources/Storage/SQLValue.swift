/// One SQL value as both backends store it. Shared SQL uses only these storage classes:
/// `BIGINT` (integers, booleans as 0/1, times as milliseconds), `DOUBLE PRECISION`, `TEXT` and
/// `BYTEA` (bytes), each possibly NULL; see ``StorageDialect`` for the rest of the rules.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case bytes([UInt8])

    /// The storage class's name, for errors.
    public var typeName: String {
        switch self {
        case .null: "NULL"
        case .integer: "integer"
        case .real: "real"
        case .text: "text"
        case .bytes: "bytes"
        }
    }
}

extension SQLValue: ExpressibleByNilLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral {
    public init(nilLiteral: ()) { self = .null }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(stringLiteral value: String) { self = .text(value) }
}

/// A Swift type that is stored as one ``SQLValue`` and read back from one.
public protocol StorageValue {
    /// The name used in errors (`Int64`, `String`, …).
    static var storageTypeName: String { get }
    var sqlValue: SQLValue { get }
    /// The value, or nil when `value` is of another storage class.
    init?(sqlValue value: SQLValue)
}

extension Int64: StorageValue {
    public static var storageTypeName: String { "Int64" }
    public var sqlValue: SQLValue { .integer(self) }
    public init?(sqlValue value: SQLValue) {
        guard case .integer(let integer) = value else { return nil }
        self = integer
    }
}

extension Int: StorageValue {
    public static var storageTypeName: String { "Int" }
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public init?(sqlValue value: SQLValue) {
        guard case .integer(let integer) = value, let exact = Int(exactly: integer) else { return nil }
        self = exact
    }
}

/// Kafka partition numbers and other 32-bit values; a stored integer out of range is a mismatch.
extension Int32: StorageValue {
    public static var storageTypeName: String { "Int32" }
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public init?(sqlValue value: SQLValue) {
        guard case .integer(let integer) = value, let exact = Int32(exactly: integer) else { return nil }
        self = exact
    }
}

/// Stored as the integer 0 or 1 (`BIGINT`): SQLite has no boolean type, so shared SQL uses none.
extension Bool: StorageValue {
    public static var storageTypeName: String { "Bool" }
    public var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    public init?(sqlValue value: SQLValue) {
        switch value {
        case .integer(0): self = false
        case .integer(1): self = true
        default: return nil
        }
    }
}

extension Double: StorageValue {
    public static var storageTypeName: String { "Double" }
    public var sqlValue: SQLValue { .real(self) }
    public init?(sqlValue value: SQLValue) {
        switch value {
        case .real(let real): self = real
        // SQLite stores a whole REAL as an integer only in INTEGER columns; accept it anyway.
        case .integer(let integer): self = Double(integer)
        default: return nil
        }
    }
}

extension String: StorageValue {
    public static var storageTypeName: String { "String" }
    public var sqlValue: SQLValue { .text(self) }
    public init?(sqlValue value: SQLValue) {
        guard case .text(let text) = value else { return nil }
        self = text
    }
}

extension Array: StorageValue where Element == UInt8 {
    public static var storageTypeName: String { "[UInt8]" }
    public var sqlValue: SQLValue { .bytes(self) }
    public init?(sqlValue value: SQLValue) {
        guard case .bytes(let bytes) = value else { return nil }
        self = bytes
    }
}

/// NULL reads as nil; any other value must be a `Wrapped`.
extension Optional: StorageValue where Wrapped: StorageValue {
    public static var storageTypeName: String { "\(Wrapped.storageTypeName)?" }
    // Not `map(\.sqlValue)`: a key path in a generic context is built by the runtime at every
    // call, which was 5 % of a views replay (every optional column of every row).
    public var sqlValue: SQLValue {
        switch self {
        case .some(let wrapped): wrapped.sqlValue
        case .none: .null
        }
    }
    public init?(sqlValue value: SQLValue) {
        if case .null = value {
            self = .none
            return
        }
        guard let wrapped = Wrapped(sqlValue: value) else { return nil }
        self = .some(wrapped)
    }
}

extension SQLValue {
    /// `value` as stored, or NULL when there is none: for optional columns.
    public static func optional<T: StorageValue>(_ value: T?) -> SQLValue { value?.sqlValue ?? .null }
}
