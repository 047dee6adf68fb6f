import Notifications
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
        try transaction.personNumbers("state_id", in: ["warrants", "warrant_checks"], where: Self.person, personArguments(order))
    }

    /// The FBI numbers the person's warrants and checks carry: an order naming the state ID
    /// alone is applied again with each (`WarrantResolverProjection.seal`), reaching what the
    /// resolver filed under the FBI number alone.
    func fbiNumbers(of order: SealingOrder) throws -> Set<String> {
        try transaction.personNumbers("fbi_number", in: ["warrants", "warrant_checks"], where: Self.person, personArguments(order))
    }

    /// What ``removePerson(_:)`` removed, for the notifications sent about another person's
    /// check that listed one of the person's detainers (numbers shared by mistake): they are
    /// filed under that person's state ID, which no number of the order reaches.
    struct PersonRemoval {
        var tally = SealingTally()
        /// The removed detainers' ids: a notification naming one (`detainerId`) derives from it.
        var detainerIds: Set<String> = []
        /// Escalations and release alerts told only of the removed detainers (`WarrantStore+SealedTellings`).
        var toldOnlyOfRemoved: Set<Telling> = []
        /// The state IDs of the checks that listed a removed detainer and stay (another person's).
        var otherStateIds: Set<String> = []
        /// The FBI numbers of such checks known by no state ID (their notifications are filed
        /// under the FBI number).
        var otherFbiNumbers: Set<String> = []
    }

    /// Removes every warrant, detainer and check of the order's person, every check item
    /// listing any of them, and who was told about the checks (`all_records`). Another person's
    /// check that listed one of the warrants or detainers (numbers shared by mistake) is settled
    /// as the type's overview says, and who was told of the detainers there is forgotten
    /// (`WarrantStore+SealedTellings`); the removal says which notifications about that check
    /// go with them (``PersonRemoval``). Each removed warrant and detainer is remembered as
    /// ``removeListedCases(_:)`` remembers its own (``noteSealed(_:by:)``, a digest of the
    /// detainer's id), and each removed check's release as ``removeLinkedOnly(_:order:)``
    /// remembers its own (a digest of the release's id), so that a resolution of a warrant, a
    /// detainer's lodging or lifting, or a release's scheduling, change or completion, that
    /// occurred before the order and names only a number the order never paired with the person
    /// (which the runtime's check of its subject lets through) does not store it again.
    func removePerson(_ order: SealingOrder) throws -> PersonRemoval {
        let arguments = personArguments(order)
        let warrants = try removedWarrants(where: Self.person, arguments)
        let releases = try releaseIds("SELECT release_id FROM warrant_checks WHERE \(Self.person)", arguments)
        var others = try releaseIds(
            """
            SELECT DISTINCT i.release_id FROM warrant_check_items i JOIN warrants w ON w.warrant_id = i.warrant_id
            WHERE (w.state_id IS NOT NULL AND w.state_id = $1) OR (w.fbi_number IS NOT NULL AND w.fbi_number = $2)
            """,
            arguments)
        // The person's detainers as another person's checks listed them (numbers shared by
        // mistake): those checks are settled, and who was told of the detainers forgotten.
        var removal = PersonRemoval()
        var detainers: [RemovedDetainer] = []
        for row in try transaction.fetchAll("SELECT detainer_id FROM detainers WHERE \(Self.person)", arguments) {
            let detainerId: String = try row.get("detainer_id")
            removal.detainerIds.insert(detainerId)
            if let detainer = try removedDetainer(detainerId) { detainers.append(detainer) }
        }
        for detainer in detainers { others.formUnion(detainer.releaseIds) }
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
        for warrant in warrants { try noteSealed(warrant, by: order) }
        for detainerId in removal.detainerIds.sorted() {
            try noteSealed(.detainer, detainerId, orderedAtMilliseconds: order.orderedAtMilliseconds)
        }
        for releaseId in releases.sorted() {
            try noteSealed(.release, releaseId, orderedAtMilliseconds: order.orderedAtMilliseconds)
        }
        let tellings = try removeTellings(of: detainers)
        tally.add(tellings.rows, from: "warrant_check_told")
        removal.toldOnlyOfRemoved = tellings.unresolved
        for releaseId in Set(detainers.flatMap(\.releaseIds)).sorted() {
            // The person's own checks are gone: what stays is another person's.
            guard let check = try transaction.fetchOne("SELECT state_id, fbi_number FROM warrant_checks WHERE release_id = $1", [.text(releaseId)])
            else { continue }
            if let stateId = try check.get("state_id", as: String?.self) {
                removal.otherStateIds.insert(stateId)
            } else if let fbiNumber = try check.get("fbi_number", as: String?.self) {
                removal.otherFbiNumbers.insert(fbiNumber)
            }
        }
        try settleChecks(others)
        removal.tally = tally
        return removal
    }

    /// The releases, warrants and detainers whose subject's record the index put with the
    /// order's person, whether or not they carry one of the order's numbers.
    struct PersonItems: Sendable, Hashable {
        var releases: Set<String> = []
        var warrants: Set<String> = []
        var detainers: Set<String> = []

        var isEmpty: Bool { releases.isEmpty && warrants.isEmpty && detainers.isEmpty }
    }

    /// Removes what the resolver keeps of the person through the index (`all_records`): the
    /// records of the person's releases, warrants and detainers (matched on state ID or FBI
    /// number) and every record the index put with them — their mapping rows and the merges
    /// naming them (remembered as digests with the order's time, so an identity event read late
    /// does not bring them back: `PersonLinks.remove`), the subject-record rows, the items
    /// listed through a link and the notifications kept for their retraction. Called before
    /// ``removePerson(_:)``, which removes the rows it finds them by. Returns the releases,
    /// warrants and detainers of those records, for ``removeLinkedOnly(_:order:)``.
    func removePersonLinks(_ order: SealingOrder) throws -> (tally: SealingTally, items: PersonItems) {
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
        var items = PersonItems()
        for kind in SubjectKind.allCases {
            let ids = try ids(of: kind, withRecords: records.sorted())
            switch kind {
            case .release: items.releases = Set(ids)
            case .warrant: items.warrants = Set(ids)
            case .detainer: items.detainers = Set(ids)
            }
            for id in ids {
                let (condition, values): (String, [SQLValue]) = kind == .release
                    ? ("release_id = $1", [.text(id)]) : ("item_kind = $1 AND item_id = $2", [.text(kind.rawValue), .text(id)])
                tally.add(try transaction.execute("DELETE FROM warrant_linked_notices WHERE \(condition)", values), from: "warrant_linked_notices")
                tally.add(try transaction.execute("DELETE FROM warrant_check_linked WHERE \(condition)", values), from: "warrant_check_linked")
                tally.add(try transaction.execute(
                    "DELETE FROM warrant_subject_records WHERE item_kind = $1 AND item_id = $2", [.text(kind.rawValue), .text(id)]), from: "warrant_subject_records")
            }
        }
        tally.merge(try identity.remove(records: records, ids: records.union(persons), orderedAtMilliseconds: order.orderedAtMilliseconds))
        return (tally, items)
    }

    /// What ``removeLinkedOnly(_:order:)`` removed, for the notifications about it.
    struct LinkedOnlyRemoval {
        var tally = SealingTally()
        /// The rows removed (those left by ``removePerson(_:)``: none carried the order's numbers).
        var items = PersonItems()
        /// The state IDs those rows carried, and those of the checks that listed one of the
        /// removed warrants or detainers and stay (another person's, numbers shared by mistake):
        /// the notifications about them are found by theirs.
        var stateIds: Set<String> = []
        /// The FBI numbers of such rows and checks that carry no state ID: the notifications
        /// about a person known by no state ID are filed under the FBI number.
        var fbiNumbers: Set<String> = []
        /// Escalations and release alerts told only of the removed detainers (`WarrantStore+SealedTellings`).
        var toldOnlyOfRemoved: Set<Telling> = []

        /// Notes the number a row's notifications are filed under: its state ID, else its FBI
        /// number (`NotificationSubject`).
        mutating func noteNumbers(of row: StorageRow) throws {
            if let stateId = try row.get("state_id", as: String?.self), !stateId.isEmpty {
                stateIds.insert(stateId)
            } else if let fbiNumber = try row.get("fbi_number", as: String?.self), !fbiNumber.isEmpty {
                fbiNumbers.insert(fbiNumber)
            }
        }
    }

    /// Removes the releases' checks, warrants and detainers the index put with the order's
    /// person that carry none of the order's numbers (`items`, from
    /// ``removePersonLinks(_:)``, less what ``removePerson(_:)`` already removed; called after
    /// it): their rows, the check items and detainers listing them or listed on their checks,
    /// who was told about those checks; another check that listed one of the warrants or
    /// detainers is settled as for ``removePerson(_:)``, and its numbers returned with the
    /// removed rows' (``LinkedOnlyRemoval``), for its notices naming them. Each removed id is remembered as a digest with the
    /// order's time (``sealedItem(_:_:occurredAtMilliseconds:)``), so that an event about it that
    /// occurred before the order — a warrant's resolution, a detainer's lifting, a release's
    /// change, which name no record the index keeps — does not store it again.
    ///
    /// The index's link is taken as the court's word on whose the record is: a warrant whose
    /// subject's state ID was mistyped is the sealed person's, whatever number it carries.
    func removeLinkedOnly(_ items: PersonItems, order: SealingOrder) throws -> LinkedOnlyRemoval {
        var removal = LinkedOnlyRemoval()
        for (table, key, ids) in [("warrant_checks", "release_id", items.releases), ("warrants", "warrant_id", items.warrants),
                                  ("detainers", "detainer_id", items.detainers)] {
            for id in ids.sorted() {
                guard let row = try transaction.fetchOne("SELECT state_id, fbi_number FROM \(table) WHERE \(key) = $1", [.text(id)])
                else { continue }
                switch table {
                case "warrant_checks": removal.items.releases.insert(id)
                case "warrants": removal.items.warrants.insert(id)
                default: removal.items.detainers.insert(id)
                }
                try removal.noteNumbers(of: row)
            }
        }
        var others: Set<String> = []
        for warrantId in removal.items.warrants.sorted() {
            let removed = try removedWarrant(warrantId)
            others.formUnion(try releaseIds("SELECT release_id FROM warrant_check_items WHERE warrant_id = $1", [.text(warrantId)]))
            removal.tally.add(try transaction.execute("DELETE FROM warrant_check_items WHERE warrant_id = $1", [.text(warrantId)]), from: "warrant_check_items")
            removal.tally.add(try transaction.execute("DELETE FROM warrants WHERE warrant_id = $1", [.text(warrantId)]), from: "warrants")
            if let removed { try noteSealed(removed, by: order) }
        }
        var detainers: [RemovedDetainer] = []
        for detainerId in removal.items.detainers.sorted() {
            if let detainer = try removedDetainer(detainerId) { detainers.append(detainer) }
            others.formUnion(try releaseIds("SELECT release_id FROM warrant_check_detainers WHERE detainer_id = $1", [.text(detainerId)]))
            removal.tally.add(try transaction.execute(
                "DELETE FROM warrant_check_detainers WHERE detainer_id = $1", [.text(detainerId)]), from: "warrant_check_detainers")
            removal.tally.add(try transaction.execute("DELETE FROM detainers WHERE detainer_id = $1", [.text(detainerId)]), from: "detainers")
            try noteSealed(.detainer, detainerId, orderedAtMilliseconds: order.orderedAtMilliseconds)
        }
        for releaseId in removal.items.releases.sorted() {
            let release: [SQLValue] = [.text(releaseId)]
            for table in ["warrant_check_items", "warrant_check_detainers", "warrant_check_told", "warrant_checks"] {
                removal.tally.add(try transaction.execute("DELETE FROM \(table) WHERE release_id = $1", release), from: table)
            }
            try noteSealed(.release, releaseId, orderedAtMilliseconds: order.orderedAtMilliseconds)
        }
        let tellings = try removeTellings(of: detainers)
        removal.tally.add(tellings.rows, from: "warrant_check_told")
        removal.toldOnlyOfRemoved = tellings.unresolved
        let stay = others.subtracting(removal.items.releases)
        for releaseId in stay.sorted() {
            // Another person's check that listed a removed warrant or detainer: its notices
            // naming them are filed under that person's numbers.
            if let check = try transaction.fetchOne("SELECT state_id, fbi_number FROM warrant_checks WHERE release_id = $1", [.text(releaseId)]) {
                try removal.noteNumbers(of: check)
            }
        }
        try settleChecks(stay)
        return removal
    }

    /// Whether `notification` is about one of `items`: it names a removed release (its
    /// `releaseId`, its `release` fact, or the scope its id was derived from), warrant or
    /// detainer. Used on the notifications of the state IDs the removed rows carried, which
    /// may also be another person's.
    static func concerns(_ notification: SentNotification, _ items: PersonItems) -> Bool {
        for derivation in notification.derivesFrom {
            switch derivation.name {
            case "releaseId" where items.releases.contains(derivation.value): return true
            case SentNotification.releaseFact where items.releases.contains(derivation.value): return true
            case WarrantCheckRules.warrantIdentifier where items.warrants.contains(derivation.value): return true
            case "detainerId" where items.detainers.contains(derivation.value): return true
            default: continue
            }
        }
        return items.releases.contains { notification.isRouted(forScope: $0) }
    }

    /// Removes the person's warrants of the listed cases (`case_number`; warrants stored before
    /// the column existed have none and stay) and the check items listing them, the person's
    /// detainers lodged on one of them (`warrant_id`, since `warrants-v9`) and their places on
    /// checks, settles the checks that listed them (a check whose hold rested on such a
    /// detainer alone is pending again, or clear, telling no one), and remembers each removed
    /// warrant (its digests, with the order's time: `WarrantStore+SealedWarrants`) and detainer
    /// (a digest of its id: ``sealedItem(_:_:occurredAtMilliseconds:)``), and forgets who was
    /// told of those detainers (`WarrantStore+SealedTellings`). Checks belong to a release, not
    /// to a case: they stay. Returns the tally, the removed warrants' and detainers' ids, and
    /// the escalations and release alerts told only of the removed detainers.
    func removeListedCases(
        _ order: SealingOrder
    ) throws -> (tally: SealingTally, warrantIds: Set<String>, detainerIds: Set<String>, toldOnlyOfRemoved: Set<Telling>) {
        let arguments = personArguments(order)
        var warrants: [String: RemovedWarrant] = [:]
        for caseNumber in order.caseNumbers {
            for warrant in try removedWarrants(where: "\(Self.person) AND case_number = $3", arguments + [.text(caseNumber)]) {
                warrants[warrant.warrantId] = warrant
            }
        }
        let warrantIds = Set(warrants.keys)
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
            if let warrant = warrants[warrantId] { try noteSealed(warrant, by: order) }
        }
        var detainerIds: Set<String> = []
        for warrantId in warrantIds.sorted() {
            let rows = try transaction.fetchAll(
                "SELECT detainer_id FROM detainers WHERE \(Self.person) AND warrant_id = $3", arguments + [.text(warrantId)])
            for row in rows { detainerIds.insert(try row.get("detainer_id", as: String.self)) }
        }
        var detainers: [RemovedDetainer] = []
        for detainerId in detainerIds.sorted() {
            if let removed = try removedDetainer(detainerId) { detainers.append(removed) }
            let detainer: [SQLValue] = [.text(detainerId)]
            checks.formUnion(try releaseIds("SELECT release_id FROM warrant_check_detainers WHERE detainer_id = $1", detainer))
            tally.add(try transaction.execute("DELETE FROM warrant_check_detainers WHERE detainer_id = $1", detainer), from: "warrant_check_detainers")
            tally.add(try transaction.execute("DELETE FROM detainers WHERE detainer_id = $1", detainer), from: "detainers")
            let item: [SQLValue] = [.text(SubjectKind.detainer.rawValue), .text(detainerId)]
            for table in ["warrant_subject_records", "warrant_check_linked", "warrant_linked_notices"] {
                tally.add(try transaction.execute("DELETE FROM \(table) WHERE item_kind = $1 AND item_id = $2", item), from: table)
            }
            try noteSealed(.detainer, detainerId, orderedAtMilliseconds: order.orderedAtMilliseconds)
        }
        let tellings = try removeTellings(of: detainers)
        tally.add(tellings.rows, from: "warrant_check_told")
        try settleChecks(checks)
        return (tally, warrantIds, detainerIds, tellings.unresolved)
    }

    /// Why an event about the release (detainer) `id` that occurred at `occurredAtMilliseconds`
    /// is refused: an order removed it after then (`record_id`; `warrant_sealed_items`; warrants
    /// are remembered in `warrants_sealed`, `WarrantStore+SealedWarrants`), or it is a detainer
    /// refused as a sealed case's (``noteRefused(detainer:orderedAtMilliseconds:)``), sealed for
    /// an event of any time (`refused_before`); nil when it is not.
    func sealedItem(_ kind: SubjectKind, _ id: String, occurredAtMilliseconds: Int64) throws -> SealedRecordRefusal.Reason? {
        precondition(kind != .warrant, "warrants are looked up by WarrantStore+SealedWarrants")
        guard let row = try transaction.fetchOne(
            "SELECT every_event FROM warrant_sealed_items WHERE item_digest = $1 AND (ordered_at_ms > $2 OR every_event = 1)",
            [.text(Self.sealedDigest(kind, id)), .integer(occurredAtMilliseconds)])
        else { return nil }
        return try row.get("every_event", as: Int64.self) == 1 ? .refusedBefore : .recordId
    }

    /// Remembers a detainer whose lodging was refused as a sealed case's (lodged on a warrant an
    /// order removed, or of a record an order removed, and read after that order), as a digest
    /// of its id: every later event about it — its lifting, a lodging sent again — is refused
    /// too, whenever it occurred, for the detainer rests on the sealed record and the resolver
    /// keeps nothing of it to tell a later event from an earlier one by. `orderedAtMilliseconds`:
    /// the order's time when known, else the lodging's (kept for the operator; not compared).
    func noteRefused(detainer detainerId: String, orderedAtMilliseconds: Int64) throws {
        try transaction.send(
            """
            INSERT INTO warrant_sealed_items (item_digest, ordered_at_ms, every_event) VALUES ($1, $2, 1)
            ON CONFLICT (item_digest) DO UPDATE SET every_event = 1, ordered_at_ms = CASE
                WHEN excluded.ordered_at_ms > warrant_sealed_items.ordered_at_ms THEN excluded.ordered_at_ms
                ELSE warrant_sealed_items.ordered_at_ms END
            """,
            [.text(Self.sealedDigest(.detainer, detainerId)), .integer(orderedAtMilliseconds)])
    }

    /// Remembers the release (detainer) `id` as removed by an order made at
    /// `orderedAtMilliseconds` (a later order keeps the later time). Warrants:
    /// ``noteSealed(_:by:)``.
    func noteSealed(_ kind: SubjectKind, _ id: String, orderedAtMilliseconds: Int64) throws {
        precondition(kind != .warrant, "warrants are remembered by WarrantStore+SealedWarrants")
        try transaction.send(
            """
            INSERT INTO warrant_sealed_items (item_digest, ordered_at_ms) VALUES ($1, $2)
            ON CONFLICT (item_digest) DO UPDATE SET ordered_at_ms = excluded.ordered_at_ms
                WHERE excluded.ordered_at_ms > warrant_sealed_items.ordered_at_ms
            """,
            [.text(Self.sealedDigest(kind, id)), .integer(orderedAtMilliseconds)])
    }

    /// A `pending` check with no active warrant left becomes `clear`, silently (see the
    /// type's overview); a check that is gone, or still has an active warrant, is left. A
    /// `hold` check with no active detainer left is `pending` while it lists an active warrant,
    /// else `clear`, as silently.
    private func settleChecks(_ releaseIds: Set<String>) throws {
        for releaseId in releaseIds.sorted() {
            try transaction.send(
                """
                UPDATE warrant_checks SET status = CASE WHEN EXISTS (
                    SELECT 1 FROM warrant_check_items i JOIN warrants w ON w.warrant_id = i.warrant_id
                    WHERE i.release_id = $1 AND w.status = 'active') THEN 'pending' ELSE 'clear' END
                WHERE release_id = $1 AND status = 'hold' AND NOT EXISTS (
                    SELECT 1 FROM warrant_check_detainers i JOIN detainers d ON d.detainer_id = i.detainer_id
                    WHERE i.release_id = $1 AND d.status = 'active')
                """,
                [.text(releaseId)])
            try transaction.send(
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

    /// A removed release's, warrant's or detainer's id as the resolver remembers it: a SHA-256
    /// digest with each kind's own domain tag (like `SealingDigest`'s), never the id. A
    /// warrant's is the `warrant-id` digest `warrants-v3` used (`WarrantStore+SealedWarrants`).
    static func sealedDigest(_ kind: SubjectKind, _ id: String) -> String {
        SHA256.hex("reentrybus/sealing/\(kind.rawValue)/v1\u{0}\(id)")
    }
}
