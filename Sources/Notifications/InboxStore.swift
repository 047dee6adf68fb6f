import Contracts
import Foundation
import Storage
import ServiceKit

/// The inbox's database (`<data-dir>/inbox.sqlite`): its migrations, the one transaction
/// (store a notification once per id) and the queries by recipient. The only SQL of the inbox.
///
/// The inbox is the read model itself: its rows are what recipients read, so they are not
/// pruned by a retention window.
public enum InboxStore {
    /// The inbox's steps. v1–v2 shipped on SQLite alone and stay literal there; PostgreSQL
    /// creates the v2 shape in v1.
    static let migrations: [StorageMigration] = [
        .script("inbox-v1", sqlite: """
            CREATE TABLE inbox (
                id TEXT PRIMARY KEY NOT NULL,
                recipient TEXT NOT NULL,
                priority TEXT NOT NULL,
                occurred_at TEXT NOT NULL,
                summary TEXT NOT NULL,
                body BLOB NOT NULL,
                produced_at_ms INTEGER
            ) WITHOUT ROWID;
            CREATE INDEX inbox_by_recipient ON inbox (recipient, occurred_at);
            """,
            postgres: """
            CREATE TABLE inbox (
                id TEXT NOT NULL UNIQUE,
                recipient TEXT NOT NULL,
                priority TEXT NOT NULL,
                occurred_at TEXT NOT NULL,
                summary TEXT NOT NULL,
                body BYTEA NOT NULL,
                produced_at_ms BIGINT
            );
            CREATE INDEX inbox_by_recipient ON inbox (recipient, occurred_at);
            """),
        // v2: a rowid table with the id in a unique index (rows of ~1 KiB inserted at random
        // keys split pages; see NotificationOutbox's notifications-v2).
        StorageMigration("inbox-v2") { transaction in
            guard transaction.dialect == .sqlite else { return }
            try transaction.rebuildTable(
                "inbox",
                definition: """
                    id TEXT NOT NULL UNIQUE,
                    recipient TEXT NOT NULL,
                    priority TEXT NOT NULL,
                    occurred_at TEXT NOT NULL,
                    summary TEXT NOT NULL,
                    body BLOB NOT NULL,
                    produced_at_ms INTEGER
                    """,
                columns: ["id", "recipient", "priority", "occurred_at", "summary", "body", "produced_at_ms"], order: "id")
            try transaction.executeScript("CREATE INDEX inbox_by_recipient ON inbox (recipient, occurred_at)")
        },
        // v3: whom each notification is about, as a digest (`NotificationSubject`), so that a
        // sealing order removes the person's notifications; rows stored before get theirs from
        // their body.
        StorageMigration("inbox-v3") { transaction in
            try NotificationSubject.addDigestColumn(to: "inbox", index: "inbox_by_subject", transaction)
        },
        // v4: each notification's arrival number, the order the inbox stored them in, which the
        // channels that push follow (`arrivals(for:after:limit:_:)`): a notification that
        // occurred long ago but arrives now is after every position handed out before. Rows
        // stored before are numbered in the order they occurred.
        StorageMigration("inbox-v4") { transaction in
            try transaction.executeScript("ALTER TABLE inbox ADD COLUMN arrival BIGINT")
            var next: Int64 = 1
            var after: (occurredAt: String, id: String) = ("", "")
            while true {
                let rows = try transaction.fetchAll(
                    """
                    SELECT occurred_at, id FROM inbox WHERE occurred_at > $1 OR (occurred_at = $2 AND id > $3)
                    ORDER BY occurred_at, id LIMIT 500
                    """,
                    [.text(after.occurredAt), .text(after.occurredAt), .text(after.id)])
                for row in rows {
                    after = (try row.get("occurred_at"), try row.get("id"))
                    _ = try transaction.execute("UPDATE inbox SET arrival = $1 WHERE id = $2", [.integer(next), .text(after.id)])
                    next += 1
                }
                if rows.count < 500 { break }
            }
            try transaction.executeScript("""
                CREATE UNIQUE INDEX inbox_by_arrival ON inbox (arrival);
                CREATE INDEX inbox_by_recipient_arrival ON inbox (recipient, arrival);
                CREATE TABLE inbox_arrivals (next BIGINT NOT NULL);
                """)
            _ = try transaction.execute("INSERT INTO inbox_arrivals (next) VALUES ($1)", [.integer(next)])
        },
        // v5: a notification about a person known by no state ID is filed under the FBI number
        // it matched (`NotificationSubject`), and every notification that matched an FBI number
        // carries that number's digest too (`subject_fbi_digest`), so that an order naming the
        // FBI number finds the state IDs it pairs with. Rows stored before get both from their
        // body.
        StorageMigration("inbox-v5") { transaction in
            try NotificationSubject.rewrite("inbox", column: "subject_digest", where: "subject_digest IS NULL", from: NotificationSubject.digest(ofBody:), transaction)
            try transaction.executeScript("ALTER TABLE inbox ADD COLUMN subject_fbi_digest TEXT")
            try NotificationSubject.rewrite("inbox", column: "subject_fbi_digest", from: NotificationSubject.fbiDigest(ofBody:), transaction)
            try transaction.executeScript("CREATE INDEX inbox_by_subject_fbi ON inbox (subject_fbi_digest) WHERE subject_fbi_digest IS NOT NULL")
        },
        // v6: the people a notification names besides its subject (the person police met in a
        // contact with the subject's household member or associate), filed by the digests of
        // their numbers (`inbox_mentions`, `NotificationMention`), so that an order for such a
        // person takes them out of the notification. Rows stored before are filed under what
        // their bodies carry: only notifications the router wrote with the numbers (routed by
        // an upgraded router before this inbox was upgraded); earlier contact notifications
        // name the person by name only and are not found (README).
        StorageMigration("inbox-v6") { transaction in
            try NotificationMention.createTable(transaction)
        },
    ]

    /// Stores a notification unless one with its id is there; returns whether it was new.
    public static func insert(_ notification: BusNotification, receivedAtMilliseconds: Int64?, _ transaction: any StorageTransaction) throws -> Bool {
        try insert(notification, body: try notification.encoded(), receivedAtMilliseconds: receivedAtMilliseconds, transaction)
    }

    /// Stores a notification with `body`, its JSON bytes as received (the exact bytes its
    /// signature covers, so they are not encoded again), unless one with its id is there;
    /// returns whether it was new.
    static func insert(_ notification: BusNotification, body: [UInt8], receivedAtMilliseconds: Int64?, _ transaction: any StorageTransaction) throws -> Bool {
        guard try transaction.fetchOne("SELECT id FROM inbox WHERE id = $1", [.text(notification.id)]) == nil else { return false }
        // The next arrival number. On PostgreSQL the UPDATE locks the counter's row until this
        // transaction ends, so inbox writers commit in the order of their numbers: a reader
        // that sees number n has seen every number before it (the followers rely on it).
        // A duplicate that raced past the check above leaves a gap, which readers skip.
        guard let counter = try transaction.fetchOne("UPDATE inbox_arrivals SET next = next + 1 RETURNING next - 1 AS arrival", []) else {
            throw StorageError(.typeMismatch(column: "inbox_arrivals.next", expected: "one row", found: "none"))
        }
        let arrival: Int64 = try counter.get("arrival")
        try NotificationMention.file(notification.id, mentions: NotificationMention.mentions(in: notification.reason.matched), transaction)
        return try transaction.execute(
            """
            INSERT INTO inbox (id, recipient, priority, occurred_at, summary, body, produced_at_ms, subject_digest, arrival, subject_fbi_digest)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING
            """,
            [.text(notification.id), .text(notification.recipient.description), .text(notification.priority.rawValue),
             .text(EventCodec.formatInstant(notification.occurredAt)), .text(notification.summary),
             .bytes(body), receivedAtMilliseconds.map(SQLValue.integer) ?? .null, NotificationSubject.digest(notification),
             .integer(arrival), NotificationSubject.fbiDigest(notification)]) > 0
    }

    /// Removes the notifications a sealing order covers; returns how many, as table `inbox`.
    ///
    /// - `all_records`: every notification about the person, by digest (`NotificationSubject`):
    ///   filed under a state ID or, for a person known by no state ID, an FBI number
    ///   (`BusNotification.subjectFbiNumber`): the order's own, and those the inbox's own
    ///   notifications pair with them, one step as the views pair numbers — the FBI numbers
    ///   that notifications filed under the order's state ID matched (a routing service that
    ///   matched a case by FBI number names it), and the state IDs of the notifications that
    ///   matched the order's FBI number (`subject_fbi_digest`). The numbers so paired are
    ///   reported (`SealingTally`), so that a late notification naming them is not stored either.
    /// - `listed_cases`: the person's notifications routed for a listed case
    ///   (``BusNotification/isRouted(forScope:)``): the router's arrest notifications, routed
    ///   for the supervision case they matched. The warrant resolver's are routed for a release
    ///   and name warrants, not the court case they belong to, which the inbox cannot learn:
    ///   they stay (the resolver removes its own record of them).
    ///
    /// Under `all_records`, a notification about someone else that names the person besides its
    /// subject (the person police met in a contact, `NotificationMention`) is rewritten without
    /// them, or removed when it cannot be (``withdrawMentions(of:_:_:)``). A listed-cases order
    /// leaves those: a contact is a record of no case.
    ///
    /// Notifications about the person that occurred before an `all_records` order and arrive
    /// after it are not stored (the runtime's check on `subjectStateId`, else the matched FBI
    /// number). A notification routed for a listed case that arrives after the order (it was
    /// still in its service's outbox) is stored: nothing in it names the case.
    public static func remove(covering order: SealingOrder, _ transaction: any StorageTransaction) throws -> SealingTally {
        let derived: ((BusNotification) -> Bool)? = switch order.scope {
        case .allRecords: nil
        case .listedCases: { notification in order.caseNumbers.contains(where: notification.isRouted(forScope:)) }
        }
        var tally = SealingTally()
        var stateIds = Set(order.stateId.map { [$0] } ?? [])
        var fbiNumbers = Set(order.fbiNumber.map { [$0] } ?? [])
        if order.scope == .allRecords {
            let (pairedStateIds, pairedFbiNumbers) = try pairedNumbers(stateId: order.stateId, fbiNumber: order.fbiNumber, transaction)
            for stateId in pairedStateIds.subtracting(stateIds).sorted() { tally.notePaired(stateId: stateId, fbiNumber: nil) }
            for fbiNumber in pairedFbiNumbers.subtracting(fbiNumbers).sorted() { tally.notePaired(stateId: nil, fbiNumber: fbiNumber) }
            stateIds.formUnion(pairedStateIds)
            fbiNumbers.formUnion(pairedFbiNumbers)
        }
        tally.add(try NotificationSubject.remove(
            from: "inbox", about: stateIds, fbiNumbers: fbiNumbers, columns: "id, body",
            reading: { row in try BusNotification.decode(try row.get("body", as: [UInt8].self)) }, derived: derived, transaction), from: "inbox")
        if order.scope == .allRecords {
            tally.merge(try withdrawMentions(of: stateIds, fbiNumbers, transaction))
        }
        tally.add(try NotificationMention.removeOrphans(transaction), from: "inbox_mentions")
        return tally
    }

    /// Takes the person known by `stateIds` and `fbiNumbers` out of the notifications about
    /// someone else that name them (`NotificationMention`): each is rewritten without them
    /// (`ContactMention.withdrawing(_:from:)`: counted as `inbox.person_mentioned`), or, when
    /// that cannot be done safely, removed (counted as `inbox`). Their filing under the person
    /// goes either way (`inbox_mentions`).
    ///
    /// The inbox keeps no signature with a row: a notification's signature is checked once,
    /// when it is admitted (`InboxProjection.admit`), and the bytes it covered are what the
    /// inbox stores; nothing reads them as signed later, so a rewritten row needs none.
    static func withdrawMentions(
        of stateIds: Set<String>, _ fbiNumbers: Set<String>, _ transaction: any StorageTransaction
    ) throws -> SealingTally {
        var tally = SealingTally()
        for id in try NotificationMention.notifications(mentioning: stateIds, fbiNumbers, transaction) {
            tally.add(try NotificationMention.unfile(id, stateIds: stateIds, fbiNumbers: fbiNumbers, transaction), from: "inbox_mentions")
            guard let row = try transaction.fetchOne("SELECT body FROM inbox WHERE id = $1", [.text(id)]) else { continue }
            let notification = try? BusNotification.decode(try row.get("body", as: [UInt8].self))
            let mentions = notification.map { NotificationMention.covered(
                in: NotificationMention.mentions(in: $0.reason.matched), stateIds: stateIds, fbiNumbers: fbiNumbers) } ?? []
            if let notification, let rewritten = ContactMention.withdrawing(mentions, from: notification) {
                tally.add(try transaction.execute(
                    "UPDATE inbox SET body = $1, summary = $2 WHERE id = $3",
                    [.bytes(try rewritten.encoded()), .text(rewritten.summary), .text(id)]), from: "inbox.person_mentioned")
            } else {
                tally.add(try transaction.execute("DELETE FROM inbox WHERE id = $1", [.text(id)]), from: "inbox")
            }
        }
        return tally
    }

    /// The numbers the inbox's notifications pair with an order's (one step): the FBI numbers
    /// matched by notifications filed under `stateId`, the state IDs of notifications that
    /// matched `fbiNumber`. Read from the rows' bodies (only those rows).
    private static func pairedNumbers(
        stateId: String?, fbiNumber: String?, _ transaction: any StorageTransaction
    ) throws -> (stateIds: Set<String>, fbiNumbers: Set<String>) {
        var stateIds = Set<String>(), fbiNumbers = Set<String>()
        var rows: [StorageRow] = []
        if let stateId {
            rows += try transaction.fetchAll("SELECT body FROM inbox WHERE subject_digest = $1", [NotificationSubject.digest(stateId: stateId)])
        }
        if let fbiNumber {
            rows += try transaction.fetchAll(
                "SELECT body FROM inbox WHERE subject_fbi_digest = $1", [.text(SealingDigest.fbiNumber(fbiNumber))])
        }
        for row in rows {
            guard let notification = try? BusNotification.decode(try row.get("body", as: [UInt8].self)) else { continue }
            if let paired = notification.subjectStateId, !paired.isEmpty { stateIds.insert(paired) }
            for matched in notification.reason.matched where matched.name == BusNotification.fbiNumberIdentifier && !matched.value.isEmpty {
                fbiNumbers.insert(matched.value)
            }
        }
        return (stateIds, fbiNumbers)
    }

    /// A recipient's notifications, oldest first. `recipient` is `kind:id`, or a bare id that
    /// matches any kind.
    public static func notifications(for recipient: String, _ transaction: any StorageTransaction) throws -> [BusNotification] {
        let rows: [StorageRow]
        if Recipient(recipient) != nil {
            rows = try transaction.fetchAll("SELECT body FROM inbox WHERE recipient = $1 ORDER BY occurred_at, id", [.text(recipient)])
        } else {
            // The id after the kind's colon; SQLite calls the position function instr, PostgreSQL strpos.
            let position = transaction.dialect == .sqlite ? "instr(recipient, ':')" : "strpos(recipient, ':')"
            rows = try transaction.fetchAll(
                "SELECT body FROM inbox WHERE substr(recipient, \(position) + 1) = $1 ORDER BY occurred_at, id", [.text(recipient)])
        }
        return try rows.map { try BusNotification.decode(try $0.get("body", as: [UInt8].self)) }
    }

    /// A page of the notifications of any of `recipients` (each `kind:id`), ordered by when
    /// they occurred then by id, strictly after `after` (the last row of the previous page) when
    /// given: a position that stays valid however many notifications arrive meanwhile.
    public static func page(
        for recipients: [String], after: (occurredAt: String, id: String)?, limit: Int, _ transaction: any StorageTransaction
    ) throws -> [(occurredAt: String, notification: BusNotification)] {
        try page(for: recipients, from: after, newestFirst: false, limit: limit, transaction)
    }

    /// A page of the notifications of any of `recipients` (each `kind:id`), newest first: by
    /// when they occurred, then by id, both descending, strictly before `before` (the last row
    /// of the previous page) when given. What a reader opens every morning reads the newest
    /// without walking the whole inbox; the position stays valid however many arrive meanwhile
    /// (those are above it, for the live stream to bring).
    public static func pageNewestFirst(
        for recipients: [String], before: (occurredAt: String, id: String)?, limit: Int, _ transaction: any StorageTransaction
    ) throws -> [(occurredAt: String, notification: BusNotification)] {
        try page(for: recipients, from: before, newestFirst: true, limit: limit, transaction)
    }

    /// `page` in either direction: strictly past `position` (after it ascending, before it
    /// descending), ordered by when they occurred, then by id.
    private static func page(
        for recipients: [String], from position: (occurredAt: String, id: String)?, newestFirst: Bool, limit: Int,
        _ transaction: any StorageTransaction
    ) throws -> [(occurredAt: String, notification: BusNotification)] {
        guard !recipients.isEmpty, limit > 0 else { return [] }
        var arguments = recipients.map(SQLValue.text)
        var sql = "SELECT occurred_at, body FROM inbox WHERE recipient IN (\(placeholders(recipients.count)))"
        let past = newestFirst ? "<" : ">"
        if let position {
            let time = arguments.count + 1
            sql += " AND (occurred_at \(past) $\(time) OR (occurred_at = $\(time + 1) AND id \(past) $\(time + 2)))"
            arguments += [.text(position.occurredAt), .text(position.occurredAt), .text(position.id)]
        }
        sql += newestFirst ? " ORDER BY occurred_at DESC, id DESC LIMIT \(limit)" : " ORDER BY occurred_at, id LIMIT \(limit)"
        return try transaction.fetchAll(sql, arguments).map { row in
            (try row.get("occurred_at", as: String.self), try BusNotification.decode(try row.get("body", as: [UInt8].self)))
        }
    }

    /// `$1, $2, …, $count`.
    private static func placeholders(_ count: Int) -> String {
        (1...count).map { "$\($0)" }.joined(separator: ", ")
    }

    /// Gives each notification of the rebuilt inbox (schema `new`) the arrival number it had in
    /// the inbox a replay replaces (schema `old`), and the counter its value there; a
    /// notification only the rebuilt inbox holds is numbered after them all, in its rebuilt
    /// order. The live inbox numbers notifications in the order its fetches brought them; a
    /// rebuild, in the order of their Kafka timestamps across partitions: renumbered, a gateway
    /// cursor (a webhook's, a stream's resume point) would skip a notification that moved below
    /// it and send again one that moved above.
    static func carryArrivals(from old: String, into new: String, _ transaction: any StorageTransaction) throws {
        // An inbox from before inbox-v4 numbered nothing: no cursor can point into it.
        guard try !transaction.columns(of: "inbox_arrivals", inSchema: old).isEmpty else { return }
        // Out of the way of the unique index first: -1 - n keeps each number apart.
        try transaction.execute("UPDATE \(new).inbox SET arrival = -1 - arrival")
        try transaction.execute("""
            UPDATE \(new).inbox AS target SET arrival = source.arrival FROM \(old).inbox AS source
            WHERE source.id = target.id AND source.arrival IS NOT NULL
            """)
        try transaction.execute("""
            UPDATE \(new).inbox SET arrival = (SELECT next FROM \(old).inbox_arrivals) - 1 - arrival WHERE arrival < 0
            """)
        try transaction.execute("""
            UPDATE \(new).inbox_arrivals SET next = (
                SELECT CASE WHEN m IS NULL OR m < n THEN n ELSE m + 1 END
                FROM (SELECT (SELECT next FROM \(old).inbox_arrivals) AS n, (SELECT max(arrival) FROM \(new).inbox) AS m) AS counters)
            """)
    }

    /// The arrival number of the last notification stored for any of `recipients`; nil when
    /// none is. A page that shows the inbox reads this first: a follower of `arrivals` from
    /// there brings whatever the page could not have shown.
    public static func latestArrival(for recipients: [String], _ transaction: any StorageTransaction) throws -> Int64? {
        guard !recipients.isEmpty else { return nil }
        return try transaction.fetchOne(
            "SELECT MAX(arrival) AS latest FROM inbox WHERE recipient IN (\(placeholders(recipients.count)))", recipients.map(SQLValue.text)
        )?.get("latest", as: Int64?.self)
    }

    /// A page of the notifications of any of `recipients` (each `kind:id`) in the order the
    /// inbox stored them, strictly after arrival number `after` when given. Unlike `page`'s
    /// occurrence order, a notification stored later is always after a position read earlier,
    /// so a follower that keeps the last number it read misses nothing.
    public static func arrivals(
        for recipients: [String], after: Int64?, limit: Int, _ transaction: any StorageTransaction
    ) throws -> [(arrival: Int64, notification: BusNotification)] {
        guard !recipients.isEmpty, limit > 0 else { return [] }
        return try transaction.fetchAll(
            """
            SELECT arrival, body FROM inbox WHERE recipient IN (\(placeholders(recipients.count))) AND arrival > $\(recipients.count + 1)
            ORDER BY arrival LIMIT \(limit)
            """,
            recipients.map(SQLValue.text) + [.integer(after ?? 0)]
        ).map { row in
            (try row.get("arrival", as: Int64.self), try BusNotification.decode(try row.get("body", as: [UInt8].self)))
        }
    }

    /// The notification with `id`, if this inbox holds it.
    public static func notification(_ id: String, _ transaction: any StorageTransaction) throws -> BusNotification? {
        try transaction.fetchOne("SELECT body FROM inbox WHERE id = $1", [.text(id.lowercased())]).map {
            try BusNotification.decode(try $0.get("body", as: [UInt8].self))
        }
    }

    /// Every notification, ordered by id.
    public static func all(_ transaction: any StorageTransaction) throws -> [BusNotification] {
        try transaction.fetchAll("SELECT body FROM inbox ORDER BY id").map { try BusNotification.decode(try $0.get("body", as: [UInt8].self)) }
    }

    /// SHA-256 over every stored notification's bytes in id order.
    public static func checksum(_ transaction: any StorageTransaction) throws -> String {
        var hash = SHA256()
        for row in try transaction.fetchAll("SELECT id, body FROM inbox ORDER BY id") {
            hash.update(try row.get("id", as: String.self).utf8)
            hash.update(try row.get("body", as: [UInt8].self))
        }
        return hash.finalize().hexString
    }
}
