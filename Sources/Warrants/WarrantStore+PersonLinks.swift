import Contracts
import Notifications
import PersonLinks
import ServiceKit
import Storage

/// The resolver's copy of the person index's links (`bus.identity`, kept by `PersonLinks` in
/// tables of its own) and what it matched through them: the record of each release's, warrant's
/// and detainer's subject (named as the index names them, `PersonRecordIds`), which warrants
/// and detainers joined a check through a link rather than a shared state ID or FBI number,
/// and the notifications that told someone of such a warrant or detainer (so that an unlink
/// retracts them, once). SQL only; the rules are in `WarrantResolverProjection+PersonLinks`.
extension WarrantStore {
    /// The tables `warrants-v6` created for the mapping.
    static let personLinkTables = PersonLinks.Tables(
        records: "warrant_person_records", merges: "warrant_person_merges", sealed: "warrant_sealed_person_records")

    /// The resolver's copy of the index's mapping.
    var identity: PersonLinks { PersonLinks(transaction, tables: Self.personLinkTables) }

    /// What a subject record belongs to.
    enum SubjectKind: String, Sendable, CaseIterable {
        case release, warrant, detainer
    }

    /// A warrant or detainer listed on a check through a link.
    struct LinkedItem: Sendable, Hashable {
        var releaseId: String
        var kind: SubjectKind
        var itemId: String
    }

    // MARK: Subject records

    /// Remembers the record of a release's subject; the first one read stays (a release's
    /// completion may describe the person otherwise). Warrants and detainers:
    /// ``restateRecord(_:of:_:)``.
    func setRecord(_ recordId: String, of kind: SubjectKind, _ id: String) throws {
        try transaction.send(
            "INSERT INTO warrant_subject_records (item_kind, item_id, record_id) VALUES ($1, $2, $3) ON CONFLICT (item_kind, item_id) DO NOTHING",
            [.text(kind.rawValue), .text(id), .text(recordId)])
    }

    /// Sets the record of a warrant's or detainer's subject as its latest issue (lodging)
    /// states it, removing it when that names nobody the index keeps (`record` nil). A re-issue
    /// under the same id with another subject rewrites the row's state ID and FBI number
    /// (`saveIssued`, `saveLodged`); the record follows, so that a sealing order, which finds
    /// the person's records through the rows matching its numbers, is not led to the person of
    /// an earlier subject.
    func restateRecord(_ recordId: String?, of kind: SubjectKind, _ id: String) throws {
        guard let recordId else {
            try transaction.send(
                "DELETE FROM warrant_subject_records WHERE item_kind = $1 AND item_id = $2", [.text(kind.rawValue), .text(id)])
            return
        }
        try transaction.send(
            """
            INSERT INTO warrant_subject_records (item_kind, item_id, record_id) VALUES ($1, $2, $3)
            ON CONFLICT (item_kind, item_id) DO UPDATE SET record_id = excluded.record_id
            """,
            [.text(kind.rawValue), .text(id), .text(recordId)])
    }

    func record(of kind: SubjectKind, _ id: String) throws -> String? {
        try transaction.fetchOne(
            "SELECT record_id FROM warrant_subject_records WHERE item_kind = $1 AND item_id = $2", [.text(kind.rawValue), .text(id)]
        )?.get("record_id")
    }

    /// The ids of the releases (warrants, detainers) whose subject is one of `recordIds`, ascending.
    func ids(of kind: SubjectKind, withRecords recordIds: [String]) throws -> [String] {
        var ids = Set<String>()
        for record in recordIds {
            for row in try transaction.fetchAll(
                "SELECT item_id FROM warrant_subject_records WHERE item_kind = $1 AND record_id = $2", [.text(kind.rawValue), .text(record)]) {
                ids.insert(try row.get("item_id"))
            }
        }
        return ids.sorted()
    }

    /// Whether any of these releases (warrants, detainers) names its person by state ID or FBI
    /// number (an event of version 2 may name neither).
    func anyNumbered(_ kind: SubjectKind, _ ids: [String]) throws -> Bool {
        let (table, key) = switch kind {
        case .release: ("warrant_checks", "release_id")
        case .warrant: ("warrants", "warrant_id")
        case .detainer: ("detainers", "detainer_id")
        }
        for id in ids where try transaction.fetchOne(
            """
            SELECT 1 AS found FROM \(table)
            WHERE \(key) = $1 AND ((state_id IS NOT NULL AND state_id <> '') OR (fbi_number IS NOT NULL AND fbi_number <> ''))
            """, [.text(id)]) != nil {
            return true
        }
        return false
    }

    /// The active warrants among `warrantIds`, by id.
    func activeWarrants(withIds warrantIds: [String]) throws -> [Warrant] {
        try warrantIds.sorted().compactMap { id in
            try transaction.fetchOne(
                "SELECT warrant_id, warrant_kind, issuing_agency_id FROM warrants WHERE warrant_id = $1 AND status = 'active'", [.text(id)]
            ).map { row in
                Warrant(warrantId: try row.get("warrant_id"), kind: try row.get("warrant_kind", as: String?.self) ?? "unknown",
                        issuingAgencyId: try row.get("issuing_agency_id", as: String?.self) ?? "unknown")
            }
        }
    }

    /// The active detainers among `detainerIds`, by id.
    func activeDetainers(withIds detainerIds: [String]) throws -> [Detainer] {
        try detainerIds.sorted().compactMap { id in
            guard try detainerStatus(id) == "active" else { return nil }
            return try detainer(id)
        }
    }

    /// Whether the check lists the warrant (active or not).
    func lists(_ releaseId: String, warrant warrantId: String) throws -> Bool {
        try transaction.fetchOne(
            "SELECT 1 AS found FROM warrant_check_items WHERE release_id = $1 AND warrant_id = $2", [.text(releaseId), .text(warrantId)]) != nil
    }

    /// Whether the check lists the detainer (active or not).
    func lists(_ releaseId: String, detainer detainerId: String) throws -> Bool {
        try transaction.fetchOne(
            "SELECT 1 AS found FROM warrant_check_detainers WHERE release_id = $1 AND detainer_id = $2", [.text(releaseId), .text(detainerId)]) != nil
    }

    // MARK: Items listed through a link

    /// Notes that the check lists the item because the index links the two subjects.
    func markLinked(_ item: LinkedItem) throws {
        try transaction.send(
            "INSERT INTO warrant_check_linked (release_id, item_kind, item_id) VALUES ($1, $2, $3) ON CONFLICT (release_id, item_kind, item_id) DO NOTHING",
            [.text(item.releaseId), .text(item.kind.rawValue), .text(item.itemId)])
    }

    /// The items the check lists through a link.
    func linkedItems(on releaseId: String) throws -> [LinkedItem] {
        try transaction.fetchAll(
            "SELECT release_id, item_kind, item_id FROM warrant_check_linked WHERE release_id = $1 ORDER BY item_kind, item_id", [.text(releaseId)]
        ).map(Self.linkedItem(row:))
    }

    /// Every item listed through a link, by release.
    func linkedItems() throws -> [LinkedItem] {
        try transaction.fetchAll("SELECT release_id, item_kind, item_id FROM warrant_check_linked ORDER BY release_id, item_kind, item_id")
            .map(Self.linkedItem(row:))
    }

    private static func linkedItem(row: StorageRow) throws -> LinkedItem {
        LinkedItem(releaseId: try row.get("release_id"), kind: SubjectKind(rawValue: try row.get("item_kind")) ?? .warrant, itemId: try row.get("item_id"))
    }

    /// Takes the item off its check: the subjects are no longer one person.
    func removeLinked(_ item: LinkedItem) throws {
        let arguments: [SQLValue] = [.text(item.releaseId), .text(item.itemId)]
        switch item.kind {
        case .warrant: try transaction.execute("DELETE FROM warrant_check_items WHERE release_id = $1 AND warrant_id = $2", arguments)
        case .detainer: try transaction.execute("DELETE FROM warrant_check_detainers WHERE release_id = $1 AND detainer_id = $2", arguments)
        case .release: return
        }
        try transaction.send(
            "DELETE FROM warrant_check_linked WHERE release_id = $1 AND item_kind = $2 AND item_id = $3",
            [.text(item.releaseId), .text(item.kind.rawValue), .text(item.itemId)])
    }

    // MARK: Notices about an item listed through a link

    /// What is kept of a notification that told its recipient of an item listed through a link:
    /// enough to retract it (who was told, by which notification, under which rule), never its
    /// body — the body names the person, and a retraction names nothing but the ids.
    struct LinkedNotice: Sendable, Hashable {
        var notificationId: String
        var recipient: Recipient
        var recipientAgencyId: String?
        var rule: String
    }

    /// Keeps what a retraction of `notification` needs, until `forgetAfterMilliseconds` (the
    /// time `notifications_sent` forgets it; nil: kept).
    func noteLinkedNotice(_ notification: BusNotification, about item: LinkedItem, forgetAfterMilliseconds: Int64?) throws {
        try transaction.send(
            """
            INSERT INTO warrant_linked_notices (notification_id, release_id, item_kind, item_id, recipient, recipient_agency_id, rule, forget_after_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (notification_id, item_kind, item_id) DO NOTHING
            """,
            [.text(notification.id), .text(item.releaseId), .text(item.kind.rawValue), .text(item.itemId),
             .text(notification.recipient.description), .optional(notification.recipientAgencyId), .text(notification.reason.rule),
             forgetAfterMilliseconds.map(SQLValue.integer) ?? .null])
    }

    /// The notifications that told of the item (and are not forgotten), by id. A row whose
    /// recipient no longer parses is an error (a damaged row), not a retraction to nobody.
    func linkedNotices(about item: LinkedItem) throws -> [LinkedNotice] {
        try transaction.fetchAll(
            """
            SELECT notification_id, recipient, recipient_agency_id, rule FROM warrant_linked_notices
            WHERE release_id = $1 AND item_kind = $2 AND item_id = $3 ORDER BY notification_id
            """,
            [.text(item.releaseId), .text(item.kind.rawValue), .text(item.itemId)]
        ).map { row in
            let recipient: String = try row.get("recipient")
            guard let parsed = Recipient(recipient) else { throw LinkedNoticeDamaged(column: "recipient") }
            return LinkedNotice(
                notificationId: try row.get("notification_id"), recipient: parsed,
                recipientAgencyId: try row.get("recipient_agency_id"), rule: try row.get("rule"))
        }
    }

    /// Forgets the notifications about the item (retracted, or sealed).
    func forgetLinkedNotices(about item: LinkedItem) throws -> Int {
        try transaction.execute(
            "DELETE FROM warrant_linked_notices WHERE release_id = $1 AND item_kind = $2 AND item_id = $3",
            [.text(item.releaseId), .text(item.kind.rawValue), .text(item.itemId)])
    }

    /// Forgets at most `limit` kept notices whose time to be forgotten is before
    /// `nowMilliseconds` (event clock); returns how many. An unlink read after that still takes
    /// the item off its check, and retracts nothing: the service no longer remembers having
    /// told anyone (as `notifications_sent` no longer does).
    @discardableResult
    func forgetLinkedNotices(before nowMilliseconds: Int64, limit: Int) throws -> Int {
        try transaction.forgetDue("warrant_linked_notices", key: "(notification_id, item_kind, item_id)", before: nowMilliseconds, limit: limit)
    }
}

/// A kept notice whose column no longer reads (`column` names it; no value is shown).
struct LinkedNoticeDamaged: Error, CustomStringConvertible {
    var column: String
    var description: String { "warrant_linked_notices.\(column): the stored value does not parse" }
}
