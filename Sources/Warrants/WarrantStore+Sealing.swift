import Storage
import ServiceKit

/// What a sealing order removes from the resolver's own tables
/// (`WarrantResolverProjection.seal(_:in:)` says what it removes in all). The person is matched
/// on state ID or FBI number, like every read of the resolver.
///
/// A check that loses a warrant to an order no longer lists it. When no active warrant is left
/// on it, a `pending` check becomes `clear` without a `warrant-check-clear` notification: that
/// notification would name the sealed warrant, and would tell the facility and the police that
/// it was resolved, which it was not. The pending notifications already sent about it are
/// removed from `notifications_sent` (see `NotificationOutbox.removeSent`).
extension WarrantStore {
    /// The rows of the order's person, as SQL: `$1` its state ID, `$2` its FBI number.
    private static let person = "((state_id IS NOT NULL AND state_id = $1) OR (fbi_number IS NOT NULL AND fbi_number = $2))"

    private func personArguments(_ order: SealingOrder) -> [SQLValue] {
        [.optional(order.stateId), .optional(order.fbiNumber)]
    }

    /// The state IDs the person's warrants and checks carry: a row matched by FBI number may
    /// carry one the order does not name, and the notifications about it are found by theirs.
    func stateIds(of order: SealingOrder) throws -> Set<String> {
        let rows = try transaction.fetchAll(
            """
            SELECT state_id FROM warrants WHERE \(Self.person) AND state_id IS NOT NULL
            UNION SELECT state_id FROM warrant_checks WHERE \(Self.person) AND state_id IS NOT NULL
            """,
            personArguments(order))
        return Set(try rows.map { try $0.get("state_id", as: String.self) })
    }

    /// Removes every warrant, detainer and check of the order's person, every check item
    /// listing any of them, and who was told about the checks (`all_records`). Another person's check that listed one of the warrants (numbers
    /// shared by mistake) is settled as the type's overview says.
    func removePerson(_ order: SealingOrder) throws -> SealingTally {
        let arguments = personArguments(order)
        let others = try releaseIds(
            """
            SELECT DISTINCT i.release_id FROM warrant_check_items i JOIN warrants w ON w.warrant_id = i.warrant_id
            WHERE (w.state_id IS NOT NULL AND w.state_id = $1) OR (w.fbi_number IS NOT NULL AND w.fbi_number = $2)
            """,
            arguments)
        var tally = SealingTally()
        tally.add(
            try transaction.execute(
                """
                DELETE FROM warrant_check_items
                WHERE release_id IN (SELECT release_id FROM warrant_checks WHERE \(Self.person))
                    OR warrant_id IN (SELECT warrant_id FROM warrants WHERE \(Self.person))
                """,
                arguments),
            from: "warrant_check_items")
        tally.add(try transaction.execute(
            """
            DELETE FROM warrant_check_detainers
            WHERE release_id IN (SELECT release_id FROM warrant_checks WHERE \(Self.person))
                OR detainer_id IN (SELECT detainer_id FROM detainers WHERE \(Self.person))
            """,
            arguments), from: "warrant_check_detainers")
        tally.add(try transaction.execute(
            "DELETE FROM warrant_check_told WHERE release_id IN (SELECT release_id FROM warrant_checks WHERE \(Self.person))", arguments),
            from: "warrant_check_told")
        tally.add(try transaction.execute("DELETE FROM detainers WHERE \(Self.person)", arguments), from: "detainers")
        tally.add(try transaction.execute("DELETE FROM warrant_checks WHERE \(Self.person)", arguments), from: "warrant_checks")
        tally.add(try transaction.execute("DELETE FROM warrants WHERE \(Self.person)", arguments), from: "warrants")
        try settleChecks(others)
        return tally
    }

    /// Removes what the resolver keeps of the person through the index (`all_records`): the
    /// records of the person's releases, warrants and detainers (matched on state ID or FBI
    /// number) and every record the index put with them — their mapping rows and the merges
    /// naming them (remembered as digests with the order's time, so an identity event read late
    /// does not bring them back: `PersonLinks.remove`), the subject-record rows, the items
    /// listed through a link and the notifications kept for their retraction. Called before
    /// ``removePerson(_:)``, which removes the rows it finds them by.
    func removePersonLinks(_ order: SealingOrder) throws -> SealingTally {
        let arguments = personArguments(order)
        var records = Set<String>()
        for (kind, sql) in [
            (SubjectKind.release, "SELECT release_id AS id FROM warrant_checks WHERE \(Self.person)"),
            (.warrant, "SELECT warrant_id AS id FROM warrants WHERE \(Self.person)"),
            (.detainer, "SELECT detainer_id AS id FROM detainers WHERE \(Self.person)"),
        ] {
            for row in try transaction.fetchAll(sql, arguments) {
                if let record = try record(of: kind, try row.get("id")) { records.insert(record) }
            }
        }
        var persons = Set<String>()
        for record in records { if let person = try identity.link(of: record)?.personId { persons.insert(person) } }
        for person in persons { records.formUnion(try identity.records(of: person)) }

        var tally = SealingTally()
        for kind in SubjectKind.allCases {
            for id in try ids(of: kind, withRecords: records.sorted()) {
                let (condition, values): (String, [SQLValue]) = kind == .release
                    ? ("release_id = $1", [.text(id)]) : ("item_kind = $1 AND item_id = $2", [.text(kind.rawValue), .text(id)])
                tally.add(try transaction.execute("DELETE FROM warrant_linked_notices WHERE \(condition)", values), from: "warrant_linked_notices")
                tally.add(try transaction.execute("DELETE FROM warrant_check_linked WHERE \(condition)", values), from: "warrant_check_linked")
                tally.add(try transaction.execute(
                    "DELETE FROM warrant_subject_records WHERE item_kind = $1 AND item_id = $2", [.text(kind.rawValue), .text(id)]), from: "warrant_subject_records")
            }
        }
        tally.merge(try identity.remove(records: records, ids: records.union(persons), orderedAtMilliseconds: order.orderedAtMilliseconds))
        return tally
    }

    /// Removes the person's warrants of the listed cases (`case_number`; warrants stored before
    /// the column existed have none and stay) and the check items listing them, settles the
    /// checks that listed them, and remembers each removed warrant (a digest of its id, with
    /// the order's time: ``isSealed(_:occurredAtMilliseconds:)``). Checks belong to a release,
    /// not to a case: they stay. Returns the tally and the removed warrants' ids.
    func removeListedCases(_ order: SealingOrder) throws -> (tally: SealingTally, warrantIds: Set<String>) {
        let arguments = personArguments(order)
        var warrantIds: Set<String> = []
        for caseNumber in order.caseNumbers {
            let rows = try transaction.fetchAll(
                "SELECT warrant_id FROM warrants WHERE \(Self.person) AND case_number = $3", arguments + [.text(caseNumber)])
            for row in rows { warrantIds.insert(try row.get("warrant_id", as: String.self)) }
        }
        var tally = SealingTally()
        var checks: Set<String> = []
        for warrantId in warrantIds.sorted() {
            checks.formUnion(try releaseIds("SELECT release_id FROM warrant_check_items WHERE warrant_id = $1", [.text(warrantId)]))
            tally.add(try transaction.execute("DELETE FROM warrant_check_items WHERE warrant_id = $1", [.text(warrantId)]), from: "warrant_check_items")
            tally.add(try transaction.execute("DELETE FROM warrants WHERE warrant_id = $1", [.text(warrantId)]), from: "warrants")
            // What the person index's part kept of it: its subject's record, the checks that
            // listed it through a link and the notices kept for their retraction.
            let item: [SQLValue] = [.text(SubjectKind.warrant.rawValue), .text(warrantId)]
            for table in ["warrant_subject_records", "warrant_check_linked", "warrant_linked_notices"] {
                tally.add(try transaction.execute("DELETE FROM \(table) WHERE item_kind = $1 AND item_id = $2", item), from: table)
            }
            try transaction.execute(
                """
                INSERT INTO warrants_sealed (warrant_digest, ordered_at_ms) VALUES ($1, $2)
                ON CONFLICT (warrant_digest) DO UPDATE SET ordered_at_ms = excluded.ordered_at_ms
                    WHERE excluded.ordered_at_ms > warrants_sealed.ordered_at_ms
                """,
                [.text(Self.sealedDigest(warrantId)), .integer(order.orderedAtMilliseconds)])
        }
        try settleChecks(checks)
        return (tally, warrantIds)
    }

    /// Whether a listed-case order removed `warrantId` after an event about it that occurred at
    /// `occurredAtMilliseconds`: such an event (an issue or a resolution read late: a resolution
    /// names no case, so the runtime cannot tell it is sealed) must not store the warrant again.
    func isSealed(_ warrantId: String, occurredAtMilliseconds: Int64) throws -> Bool {
        try transaction.fetchOne(
            "SELECT 1 AS found FROM warrants_sealed WHERE warrant_digest = $1 AND ordered_at_ms > $2",
            [.text(Self.sealedDigest(warrantId)), .integer(occurredAtMilliseconds)]) != nil
    }

    /// A `pending` check with no active warrant left becomes `clear`, silently (see the
    /// type's overview); a check that is gone, or still has an active warrant, is left.
    private func settleChecks(_ releaseIds: Set<String>) throws {
        for releaseId in releaseIds.sorted() {
            try transaction.execute(
                """
                UPDATE warrant_checks SET status = 'clear'
                WHERE release_id = $1 AND status = 'pending' AND NOT EXISTS (
                    SELECT 1 FROM warrant_check_items i JOIN warrants w ON w.warrant_id = i.warrant_id
                    WHERE i.release_id = $1 AND w.status = 'active')
                """,
                [.text(releaseId)])
        }
    }

    private func releaseIds(_ sql: String, _ arguments: [SQLValue]) throws -> Set<String> {
        Set(try transaction.fetchAll(sql, arguments).map { try $0.get("release_id", as: String.self) })
    }

    /// A removed warrant's id as the resolver remembers it: a SHA-256 digest with a domain tag
    /// of its own (like `SealingDigest`'s), never the id.
    static func sealedDigest(_ warrantId: String) -> String {
        SHA256.hex("reentrybus/sealing/warrant/v1\u{0}\(warrantId)")
    }
}
