import Contracts
import Foundation
import Policy
import Storage

/// The audit ledger: every disclosure of people's data, appended to a hash-chained store
/// (SQLite or PostgreSQL, through `Storage`) and queued in the same transaction for `bus.audit`
/// (``AuditPublisher`` sends the queue), so an entry is never lost while the broker is away.
///
/// Append before (or as) the data leaves: an entry that could not be written means the
/// disclosure must not happen. A value; share it between tasks freely. The database serialises
/// appends (SQLite's single writer; a table lock on PostgreSQL), so several appenders, even in
/// several processes, make one chain.
public struct AuditLedger: Sendable {
    public let storage: any StorageDatabase
    /// The ledger's name, in each entry and as the `bus.audit` message key.
    public let name: String

    /// The name every opener of the bus's audit store uses (the gateway and the CLI write one
    /// chain): one store, one name, so the chain is one partition of `bus.audit`.
    public static let defaultName = "bus"
    /// Where the ledger lives: `<data-dir>/audit.sqlite`, or the schema `audit` of PostgreSQL.
    public static let storeName = "audit"

    /// How many rows `verify` reads per transaction.
    static let pageSize = 1_000

    private init(storage: any StorageDatabase, name: String) {
        self.storage = storage
        self.name = name
    }

    /// Opens the ledger in `storage`, creating or upgrading its tables.
    ///
    /// - Parameter name: the ledger's name: lower-case letters, digits, `.`, `_`, `-`, at most
    ///   64; the same for every opener of one store.
    /// - Throws: ``AuditError/invalidLedgerName(_:)``; ``StorageError`` from the database.
    public static func open(storage: any StorageDatabase, name: String = defaultName) async throws -> AuditLedger {
        guard name.range(of: "^[a-z0-9][a-z0-9._-]{0,63}$", options: .regularExpression) != nil else {
            throw AuditError.invalidLedgerName(name)
        }
        _ = try await storage.write { try StorageMigrator.migrate(AuditStore.migrations, in: $0) }
        return AuditLedger(storage: storage, name: name)
    }

    /// Appends `disclosure` as the next entry of the chain and queues it for `bus.audit`, in one
    /// transaction; returns the entry.
    ///
    /// - Throws: ``AuditError/invalidDisclosure(field:reason:)`` for a disclosure the `bus.audit`
    ///   contract would refuse; ``StorageError`` from the database (nothing is then appended).
    @discardableResult
    public func append(_ disclosure: Disclosure) async throws -> AuditEntry {
        try Self.check(disclosure)
        let name = self.name
        let id = UUID().uuidString.lowercased()
        return try await storage.write { transaction in
            let head = try AuditStore.head(transaction)
            let entry = AuditEntry(
                disclosure, id: id, ledger: name, sequence: (head?.sequence ?? 0) + 1, previousHash: head?.hash ?? AuditEntry.genesisHash)
            let body = try entry.encoded()
            try AuditStore.insert(entry, body: body, hash: AuditEntry.hash(body), transaction)
            return entry
        }
    }

    /// Checks the whole chain from the first entry: each entry present (no gap in the
    /// sequence), in its place, unchanged (its bytes hash to the stored hash), and chained to
    /// the one before. Stops at the first bad entry.
    ///
    /// What it cannot see alone: the last entries removed together, or every entry after a
    /// change rewritten with new hashes. Compare ``AuditVerification/head`` with a copy kept
    /// elsewhere (`bus.audit`, a printed receipt) for that.
    public func verify() async throws -> AuditVerification {
        var verifier = ChainVerifier()
        var after: Int64 = 0
        while true {
            let page = try await storage.read { [after] in try AuditStore.rows(after: after, limit: Self.pageSize, $0) }
            guard let last = page.last else { break }
            for row in page {
                if let problem = verifier.check(row) { return verifier.result(problem: problem) }
            }
            after = last.sequence
        }
        return verifier.result(problem: nil)
    }

    /// Every entry about the person with an identifier equal to `person` (a state ID, an FBI
    /// number, …), oldest first: who saw that person's data, when, why, which fields.
    public func search(person: String) async throws -> [AuditEntry] {
        let bodies = try await storage.read { try AuditStore.bodies(about: person, $0) }
        return try bodies.map(AuditEntry.decode)
    }

    /// At most `limit` entries after `sequence`, in chain order: what a reviewer pages through
    /// (refusals included).
    public func entries(after sequence: Int64 = 0, limit: Int = 1_000) async throws -> [AuditEntry] {
        let rows = try await storage.read { try AuditStore.rows(after: sequence, limit: limit, $0) }
        return try rows.map { try AuditEntry.decode($0.body) }
    }

    /// How many entries still wait for the broker's acknowledgement on `bus.audit`.
    public func pendingPublicationCount() async throws -> Int {
        try await storage.read { try AuditStore.pendingCount($0) }
    }

    /// At most `limit` entries still to publish, oldest first, with their stored bytes.
    func pendingPublication(limit: Int) async throws -> [(sequence: Int64, id: String, body: [UInt8])] {
        let rows = try await storage.read { try AuditStore.pending(limit: limit, $0) }
        return try rows.map { row in (row.sequence, try AuditEntry.decode(row.body).id, row.body) }
    }

    /// Forgets the queue up to `sequence`, once the broker acknowledged it.
    func markPublished(through sequence: Int64) async throws {
        try await storage.write { try AuditStore.removeFromOutbox(through: sequence, $0) }
    }

    /// What the `bus.audit` contract requires of a disclosure that the types do not.
    static func check(_ disclosure: Disclosure) throws(AuditError) {
        func require(_ condition: Bool, _ field: String, _ reason: String) throws(AuditError) {
            if !condition { throw .invalidDisclosure(field: field, reason: reason) }
        }
        try require(!disclosure.requester.subject.isEmpty && disclosure.requester.subject.count <= 200, "requester.subject", "must be 1 to 200 characters")
        try require(!disclosure.requestId.isEmpty && disclosure.requestId.count <= 200, "requestId", "must be 1 to 200 characters")
        try require(
            disclosure.resource.range(of: "^[a-z][a-z0-9.-]{0,127}$", options: .regularExpression) != nil,
            "resource", "must be lower-case letters, digits, dots and dashes, starting with a letter")
        if let agencyId = disclosure.requester.agencyId {
            try require(
                agencyId.count <= 40 && agencyId.range(of: "^[A-Z]{2}-[A-Z0-9]+(-[A-Z0-9]+)*$", options: .regularExpression) != nil,
                "requester.agencyId", "must be an agency id such as MO-KCPD")
        }
        if let kind = disclosure.requester.agencyKind {
            try require(AgencyKind(rawValue: kind) != nil, "requester.agencyKind", "must be a code of the glossary's agencyKind")
        }
        try require(disclosure.persons.count <= 500, "persons", "at most 500 per entry")
        for person in disclosure.persons {
            try require(PersonIdentifier.kinds.contains(person.identifier), "persons.identifier", "must be one of \(PersonIdentifier.kinds.joined(separator: ", "))")
            try require(!person.value.isEmpty && person.value.count <= 40, "persons.value", "must be 1 to 40 characters")
        }
        try require((disclosure.outcome == .denied) == (disclosure.denialReason != nil), "denialReason", "is given exactly when the outcome is denied")
        try require(disclosure.outcome == .disclosed || (disclosure.disclosed.isEmpty && disclosure.withheld.isEmpty), "disclosed", "must be empty for a denial")
        try require(disclosure.disclosed.count <= 500 && disclosure.withheld.count <= 500, "disclosed", "at most 500 fields per entry")
    }
}

/// Why the ledger refused an operation. Names fields, never values.
public enum AuditError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidLedgerName(String)
    case invalidDisclosure(field: String, reason: String)

    public var description: String {
        switch self {
        case .invalidLedgerName: "ledger name: must be lower-case letters, digits, '.', '_' or '-', 1 to 64, starting with a letter or digit"
        case .invalidDisclosure(let field, let reason): "disclosure \(field): \(reason)"
        }
    }
}
