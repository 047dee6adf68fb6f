import ServiceKit
import Storage

/// Which of the index's records were read from an event about another person: the person a
/// police contact with a supervisee was with, recorded by the contact's subject. A sealing order
/// for the subject covers that event, so it takes those records out of the index too (their
/// person keeps the rest). The subject is kept as its sealing digest (`SealingDigest`), never
/// its numbers. The person-index service's own table; the only SQL on it.
struct DerivedRecords {
    let transaction: any StorageTransaction

    static let migrations: [StorageMigration] = [
        .script("person-index-derived-v1", """
            CREATE TABLE person_index_derived_records (
                subject_digest TEXT NOT NULL,
                record_id TEXT NOT NULL,
                PRIMARY KEY (subject_digest, record_id)
            );
            CREATE INDEX person_index_derived_records_by_record ON person_index_derived_records (record_id)
            """),
    ]

    /// Notes that `recordId` was read from an event about the person with these numbers.
    func note(_ recordId: String, subjectStateId: String?, subjectFbiNumber: String?) throws {
        for digest in Self.digests(stateId: subjectStateId, fbiNumber: subjectFbiNumber) {
            _ = try transaction.execute(
                "INSERT INTO person_index_derived_records (subject_digest, record_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                [.text(digest), .text(recordId)])
        }
    }

    /// The records read from events about the person with these numbers, ascending.
    func records(subjectStateId: String?, subjectFbiNumber: String?) throws -> [String] {
        var ids = Set<String>()
        for digest in Self.digests(stateId: subjectStateId, fbiNumber: subjectFbiNumber) {
            for row in try transaction.fetchAll("SELECT record_id FROM person_index_derived_records WHERE subject_digest = $1", [.text(digest)]) {
                ids.insert(try row.get("record_id", as: String.self))
            }
        }
        return ids.sorted()
    }

    /// Forgets these records (removed from the index); returns the rows deleted.
    func forget(_ recordIds: [String]) throws -> Int {
        var rows = 0
        for id in recordIds {
            rows += try transaction.execute("DELETE FROM person_index_derived_records WHERE record_id = $1", [.text(id)])
        }
        return rows
    }

    static func digests(stateId: String?, fbiNumber: String?) -> [String] {
        [stateId.flatMap { $0.isEmpty ? nil : SealingDigest.stateId($0) }, fbiNumber.flatMap { $0.isEmpty ? nil : SealingDigest.fbiNumber($0) }]
            .compactMap { $0 }
    }
}
