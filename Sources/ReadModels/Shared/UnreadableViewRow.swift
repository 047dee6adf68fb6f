/// A stored view row that cannot be read back as its type: a code outside its enumeration, a
/// JSON column that does not decode, a required value that is NULL. Names the table, the
/// column and why, never the value (it may be personal data). Only a database written by
/// another version (or edited by hand) has one.
public struct UnreadableViewRow: Error, Sendable, Hashable, CustomStringConvertible {
    public var table: String
    public var column: String
    public var reason: String

    public init(table: String, column: String, reason: String) {
        self.table = table
        self.column = column
        self.reason = reason
    }

    public var description: String { "\(table).\(column): \(reason)" }
}
