/// The outcome of ``AuditLedger/verify()``: how many entries were found in order, the chain's
/// head, and the first bad entry if any.
public struct AuditVerification: Sendable, Hashable {
    /// Entries checked and found good, from the first.
    public var verifiedEntries: Int64
    /// The last good entry's sequence and hash: keep it elsewhere to detect, later, the removal
    /// of the entries after it.
    public var head: (sequence: Int64, hash: String)? {
        headSequence.map { ($0, headHash) }
    }
    var headSequence: Int64?
    var headHash: String
    /// The first bad entry; nil when the chain is whole.
    public var problem: AuditChainProblem?

    public var isIntact: Bool { problem == nil }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.verifiedEntries == rhs.verifiedEntries && lhs.headSequence == rhs.headSequence && lhs.headHash == rhs.headHash && lhs.problem == rhs.problem
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(verifiedEntries)
        hasher.combine(headSequence)
        hasher.combine(problem)
    }
}

/// The first entry at which the chain breaks, and how.
public struct AuditChainProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The entry's bytes are not those it was appended with (they do not hash to the stored
        /// hash, do not decode, or the next entry chained other bytes).
        case changed
        /// The entry is not there: the sequence jumps past it.
        case removed
        /// The entry stands in another's place (it says it is entry N at place M).
        case reordered
    }

    /// The bad entry's sequence number.
    public var sequence: Int64
    public var kind: Kind
    public var detail: String

    public var description: String { "entry \(sequence) \(kind.rawValue): \(detail)" }
}

/// Walks rows in sequence order and says where the chain first breaks.
struct ChainVerifier {
    var expected: Int64 = 1
    var previousHash = AuditEntry.genesisHash
    var verified: Int64 = 0

    mutating func check(_ row: AuditStore.StoredRow) -> AuditChainProblem? {
        guard row.sequence == expected else {
            let missing = row.sequence > expected ? "missing; the next entry is \(row.sequence)" : "appears twice"
            return AuditChainProblem(sequence: expected, kind: row.sequence > expected ? .removed : .reordered, detail: missing)
        }
        let hash = AuditEntry.hash(row.body)
        guard hash == row.hash else {
            return AuditChainProblem(sequence: row.sequence, kind: .changed, detail: "its content does not match its hash")
        }
        let entry: AuditEntry
        do {
            entry = try AuditEntry.decode(row.body)
        } catch {
            // The bytes hash right but do not decode: written by something other than this ledger.
            return AuditChainProblem(sequence: row.sequence, kind: .changed, detail: "its content is not an audit entry")
        }
        guard entry.sequence == row.sequence else {
            return AuditChainProblem(sequence: row.sequence, kind: .reordered, detail: "it holds entry \(entry.sequence)")
        }
        guard entry.previousHash == previousHash else {
            // This entry hashes right, so it is as appended: the one before was replaced by other
            // bytes with a matching stored hash.
            return AuditChainProblem(
                sequence: row.sequence - 1, kind: .changed,
                detail: "entry \(row.sequence) was chained to other content than this entry now has")
        }
        previousHash = hash
        expected += 1
        verified += 1
        return nil
    }

    func result(problem: AuditChainProblem?) -> AuditVerification {
        AuditVerification(verifiedEntries: verified, headSequence: verified > 0 ? verified : nil, headHash: previousHash, problem: problem)
    }
}
