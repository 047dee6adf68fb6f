import Foundation
import PersonIndex
import Storage

extension PersonIndexStore {
    /// What ``removePersons(holding:_:)`` removed: the records (by id, for the caller's own
    /// bookkeeping, never to be logged above debug) and how many rows left each table.
    public struct Removal: Sendable, Hashable {
        public var recordIds: [String] = []
        public var rowsByTable: [String: Int] = [:]
        /// The state IDs and FBI numbers the removed records held (normalised as the index
        /// compares them), so the caller can recognise a late record naming the person by the
        /// other number.
        public var stateIds: Set<String> = []
        public var fbiNumbers: Set<String> = []
    }

    /// Removes every person holding a record with one of `identifiers` (a court's order sealing
    /// or expunging that person's records): all their records, wherever they came from, with
    /// the records' blocking keys, the links between them, the pairs waiting for review and the
    /// human decisions naming any of them. Other persons' records stay; a review pair between
    /// a removed record and another person's record goes with the removed one.
    ///
    /// Records are found through their strong identifiers (the blocking keys the matcher stored
    /// beside them), so the identifiers are compared as the index compares them ("12-345 a" =
    /// "12345A"). No event is returned: `bus.identity` has no event for a forgotten person, and
    /// publishing one would name the person again.
    public func removePersons(holding identifiers: PersonIdentifiers, _ transaction: any StorageTransaction) throws -> Removal {
        let probe = PersonRecord(recordId: "", source: "", identifiers: identifiers)
        let keys = StrongIdentifier.all(of: probe).map(\.description)
        var persons = Set<String>()
        for key in matcher.blockingKeys(probe) where keys.contains(where: { key.hasSuffix("|\($0)") }) {
            for row in try transaction.fetchAll(
                """
                SELECT r.person_id AS person_id FROM person_index_blocking_keys k
                JOIN person_index_records r ON r.record_id = k.record_id
                WHERE k.block_key = $1
                """, [.text(key)])
            {
                persons.insert(try row.get("person_id", as: String.self))
            }
        }
        var members: [String] = []
        for person in persons.sorted() {
            members += try transaction.fetchAll(
                "SELECT record_id FROM person_index_records WHERE person_id = $1 ORDER BY record_id", [.text(person)]
            ).map { try $0.get("record_id", as: String.self) }
        }
        return try removeRecords(members, transaction)
    }

    /// Removes these records (ids the index does not hold are ignored) with their blocking keys
    /// and every link, review and human decision naming them (a review of two other records
    /// that names one as what held it keeps its pair and loses the name): records derived from a sealed
    /// person's event that name someone else (the person a contact was with). The rest of
    /// their persons stay as they are, under the same person ids. Each removed record also
    /// leaves the records this store keeps prepared in memory.
    public func removeRecords(_ recordIds: [String], _ transaction: any StorageTransaction) throws -> Removal {
        var removal = Removal()
        let session = Session(transaction: transaction, at: Date(timeIntervalSince1970: 0))
        for recordId in recordIds where try personId(of: recordId, transaction) != nil {
            for identifier in StrongIdentifier.all(of: try session.record(recordId)) {
                switch identifier {
                case .stateId(let value): removal.stateIds.insert(value)
                case .fbiNumber(let value): removal.fbiNumbers.insert(value)
                default: break
                }
            }
            func delete(_ table: String, _ condition: String) throws {
                let rows = try transaction.execute("DELETE FROM \(table) WHERE \(condition)", [.text(recordId)])
                if rows > 0 { removal.rowsByTable[table, default: 0] += rows }
            }
            try delete("person_index_blocking_keys", "record_id = $1")
            try delete("person_index_links", "a = $1 OR b = $1")
            try delete("person_index_reviews", "a = $1 OR b = $1")
            // Other pairs' holds may name the record (the rival, the record whose number
            // differed): the pair stays for review, the reference to the removed record goes.
            for column in ["held_by_a", "held_by_b"] {
                let rows = try transaction.execute("UPDATE person_index_reviews SET \(column) = NULL WHERE \(column) = $1", [.text(recordId)])
                if rows > 0 { removal.rowsByTable["person_index_reviews.\(column)", default: 0] += rows }
            }
            try delete("person_index_decisions", "a = $1 OR b = $1")
            try delete("person_index_pair_decisions", "a = $1 OR b = $1")
            let added = try transaction.fetchOne("SELECT added_seq FROM person_index_records WHERE record_id = $1", [.text(recordId)])?
                .get("added_seq", as: Int64.self) ?? 0
            let namesGone = try session.uncount(try session.prepared(recordId), added: added)
            if namesGone > 0 { removal.rowsByTable["person_index_name_counts", default: 0] += namesGone }
            if let stored = try transaction.fetchOne("SELECT record_json FROM person_index_records WHERE record_id = $1", [.text(recordId)]) {
                preparedRecords.forget(storedAs: try stored.get("record_json", as: String.self))
            }
            try delete("person_index_records", "record_id = $1")
            removal.recordIds.append(recordId)
        }
        return removal
    }
}
