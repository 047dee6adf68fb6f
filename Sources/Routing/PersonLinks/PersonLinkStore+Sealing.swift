import Contracts
import PersonLinks
import ServiceKit
import Storage

/// What a sealing order removes from the person-link family's tables. Record ids name the
/// person by an agency's own number (`MO-DOC/doc/1198734`), so they are personal data like the
/// rest: every row naming one of the person's records goes.
extension PersonLinkStore {
    /// `all_records`: the records of the person's cases (`caseIds`, from the router's cases),
    /// `otherRecords` (those of the releases matching the order's numbers, and of assessments
    /// kept under its FBI number: `ReleaseStore.records(matching:)`), of the kept arrests naming
    /// the order's FBI number, and every record the index put with them (the persons they
    /// belong to) — with the kept arrests of those records, the notices sent through them, the
    /// cases' record rows, the assessments kept under them, and the merges naming those
    /// persons. A release kept under one of those records (no state ID or FBI number: the
    /// release rules cannot find it by the order's numbers) goes too, with what the release
    /// rules keep of it.
    ///
    /// Every record and person id removed is remembered as a digest with the order's time
    /// (`router_sealed_person_records`), so that an identity event or an arrest about them that
    /// occurred before the order but is read after it (a late delivery, a replay) is not kept.
    func sealPerson(caseIds: [String], otherRecords: Set<String>, fbiNumber: String?, orderedAtMilliseconds: Int64) throws -> SealingTally {
        var records = otherRecords
        for caseId in caseIds { if let record = try record(ofCase: caseId) { records.insert(record) } }
        if let fbiNumber {
            for row in try transaction.fetchAll("SELECT record_id FROM router_unmatched_arrests WHERE fbi_number = $1", [.text(fbiNumber)]) {
                records.insert(try row.get("record_id"))
            }
        }
        var persons = Set<String>()
        for record in records { if let person = try link(of: record)?.personId { persons.insert(person) } }
        for person in persons { records.formUnion(try self.records(of: person)) }

        var tally = SealingTally()
        func delete(_ table: String, _ condition: String, _ value: String) throws {
            tally.add(try transaction.execute("DELETE FROM \(table) WHERE \(condition)", [.text(value)]), from: table)
        }
        for record in records.sorted() {
            for row in try transaction.fetchAll("SELECT event_id, event_type, event FROM router_unmatched_arrests WHERE record_id = $1", [.text(record)]) {
                try delete("router_linked_notices", "arrest_event_id = $1", try row.get("event_id"))
                if ReleaseEvents.eventTypes.contains(try row.get("event_type", as: String.self)) {
                    let notice = try EventCodec.decodeJSON(ReleaseNotice.self, from: try row.get("event", as: [UInt8].self))
                    tally.merge(try ReleaseStore(transaction).removeRelease(notice.releaseId))
                }
            }
            try delete("router_unmatched_arrests", "record_id = $1", record)
            try delete("router_case_records", "record_id = $1", record)
        }
        tally.merge(try ReleaseStore(transaction).removeLinkedAssessments(records: records))
        for caseId in caseIds {
            try delete("router_linked_notices", "case_id = $1", caseId)
            try delete("router_case_records", "case_id = $1", caseId)
        }
        for person in persons.sorted() { try delete("router_linked_notices", "person_id = $1", person) }
        // The mapping rows, the merges naming the person by any of its records, the digests.
        tally.merge(try identity.remove(records: records, ids: records.union(persons), orderedAtMilliseconds: orderedAtMilliseconds))
        return tally
    }

    func noteSealed(_ ids: Set<String>, orderedAtMilliseconds: Int64) throws {
        try identity.noteSealed(ids, orderedAtMilliseconds: orderedAtMilliseconds)
    }

    func sealedAfter(_ ids: [String], occurredAtMilliseconds: Int64) throws -> Int64? {
        try identity.sealedAfter(ids, occurredAtMilliseconds: occurredAtMilliseconds)
    }

    /// `listed_cases`: the listed cases' record rows and the notices sent through a link for
    /// them (the outbox removes the notifications themselves). The person's records stay: they
    /// belong to no one case.
    func sealCases(_ caseIds: [String]) throws -> SealingTally {
        var tally = SealingTally()
        for caseId in caseIds {
            tally.add(try transaction.execute("DELETE FROM router_linked_notices WHERE case_id = $1", [.text(caseId)]), from: "router_linked_notices")
            tally.add(try transaction.execute("DELETE FROM router_case_records WHERE case_id = $1", [.text(caseId)]), from: "router_case_records")
        }
        return tally
    }
}
