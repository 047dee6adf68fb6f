/// Why the person index refused an operation. Nothing was changed. Descriptions name record
/// ids (the operator needs them) and never a record's personal data.
public struct PersonIndexStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// A decision names a record the index does not hold.
        case unknownRecord(String)
        /// A decision names the same record twice.
        case sameRecord(String)
        /// A record id already stored with other contents (records are never edited).
        case conflictingRecord(String)
        /// The operator id is not 1–80 letters, digits and `._@-`, starting with a letter or digit.
        case invalidOperator
        /// `distinct` about two records that a shared strong identifier or other human links
        /// hold together: undoing the model's links cannot separate them.
        case boundByStrongerEvidence(a: String, b: String)
        /// `link` would join two persons holding records a human decided are different people.
        case conflictsWithDecision(a: String, b: String)
        /// A stored record could not be read back (the database was edited by hand).
        case unreadableRecord(String)
        /// The model the index learnt (`person_index_model`) cannot be read back or lacks a
        /// level: the database was edited by hand or written by a newer build.
        case unreadableModel
    }

    public var reason: Reason

    public init(_ reason: Reason) {
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .unknownRecord(let id): "no record \(id) in the person index"
        case .sameRecord(let id): "a decision needs two different records, not \(id) twice"
        case .conflictingRecord(let id): "record \(id) is already in the person index with other contents; records are never edited"
        case .invalidOperator: "the operator id must be 1 to 80 letters, digits, '.', '_', '@' or '-', starting with a letter or digit"
        case .boundByStrongerEvidence(let a, let b):
            "records \(a) and \(b) are held together by a shared strong identifier or by human links; "
                + "undo those links (persons distinct on the human-linked pairs) before deciding these are different people"
        case .conflictsWithDecision(let a, let b):
            "linking them would join records \(a) and \(b), which a human decided are different people; "
                + "record persons link \(a) \(b) first if that decision was wrong"
        case .unreadableRecord(let id): "stored record \(id) cannot be read back"
        case .unreadableModel:
            "the model the person index learnt (table person_index_model) cannot be read back; "
                + "rebuild the index (reentrybus replay person-index) to learn it again"
        }
    }

    /// Whether `text` is a valid operator id (see ``Reason/invalidOperator``).
    public static func isOperatorId(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...80).contains(bytes.count) else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool {
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
        }
        guard alphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "@") || $0 == UInt8(ascii: "-") }
    }
}
