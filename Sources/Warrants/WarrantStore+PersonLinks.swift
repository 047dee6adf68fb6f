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

    /// Remembers the record of a release's, warrant's or detainer's subject; the first one read
    /// stays (a warrant's resolution or a release's completion may describe the person otherwise).
    func setRecord(_ recordId: String, of kind: SubjectKind, _ id: String) throws {
        try transaction.execute(
            "INSERT INTO warrant_subject_records (item_kind, item_id, record_id) VALUES ($1, $2, $3) ON CONFLICT (item_kind, item_id) DO NOTHING",
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
        try transaction.execute(
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
        try transaction.execute(
            "DELETE FROM warrant_check_linked WHERE release_id = $1 AND item_kind = $2 AND item_id = $3",
            [.text(item.releaseId), .text(item.kind.rawValue), .text(item.itemId)])
    }

    // MARK: Notices about an item listed through a link

    /// Keeps a notification that told its recipient of an item listed through a link.
    func noteLinkedNotice(_ notification: BusNotification, about item: LinkedItem) throws {
        try transaction.execute(
            """
            INSERT INTO warrant_linked_notices (notification_id, release_id, item_kind, item_id, notice) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (notification_id, item_kind, item_id) DO NOTHING
            """,
            [.text(notification.id), .text(item.releaseId), .text(item.kind.rawValue), .text(item.itemId), .bytes(try notification.encoded())])
    }

    /// The notifications that told of the item, by id.
    func linkedNotices(about item: LinkedItem) throws -> [BusNotification] {
        try transaction.fetchAll(
            "SELECT notice FROM warrant_linked_notices WHERE release_id = $1 AND item_kind = $2 AND item_id = $3 ORDER BY notification_id",
            [.text(item.releaseId), .text(item.kind.rawValue), .text(item.itemId)]
        ).map { try BusNotification.decode(try $0.get("notice", as: [UInt8].self)) }
    }

    /// Forgets the notifications about the item (retracted, or sealed).
    func forgetLinkedNotices(about item: LinkedItem) throws -> Int {
        try transaction.execute(
            "DELETE FROM warrant_linked_notices WHERE release_id = $1 AND item_kind = $2 AND item_id = $3",
            [.text(item.releaseId), .text(item.kind.rawValue), .text(item.itemId)])
    }
}
