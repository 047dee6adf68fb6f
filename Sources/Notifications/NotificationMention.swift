import Contracts
import Storage
import ServiceKit

/// A person a notification names besides its subject — today the person police met in a
/// contact with the subject's household member or associate (`ContactMention`) — filed by the
/// digest of a number the routing service knew them by, so that a sealing order for that
/// person finds the notification about someone else and takes them out of it.
///
/// The router writes each digest among what matched (`reason.matched`, version 1 of
/// `bus.notification.routed` admits any name) as ``identifier``: the digest
/// (`SealingDigest.stateId`/`fbiNumber`), never the number, so the recipient learns nothing it
/// was not told before (least data: the officer needs whom police met, not that person's state
/// ID). The inbox files the notification under each digest in `inbox_mentions`, one row a
/// person, so an order finds it by index. A person named by name alone (no number in the
/// event) cannot be found by an order, which names people by number.
///
/// The SQL here is the inbox's, on `inbox_mentions` only.
public enum NotificationMention {
    /// The name `reason.matched` gives the digest of a number of a person the notification
    /// names besides its subject. It is not what matched the recipient (explanations leave it
    /// out, the web UI's card does not show it).
    /// The runtime's outbox files a waiting message under the same name (`OutboxMentions`).
    public static let identifier = OutboxMentions.identifier

    /// The mention of a person known here by `stateId`.
    public static func mention(stateId: String) -> MatchedIdentifier {
        MatchedIdentifier(identifier, SealingDigest.stateId(stateId))
    }

    /// The mention of a person known here by `fbiNumber`.
    public static func mention(fbiNumber: String) -> MatchedIdentifier {
        MatchedIdentifier(identifier, SealingDigest.fbiNumber(fbiNumber))
    }

    /// The mentions among `matched`, in order.
    public static func mentions(in matched: [MatchedIdentifier]) -> [MatchedIdentifier] {
        matched.filter { $0.name == identifier && !$0.value.isEmpty }
    }

    /// The digest a mention is filed under: its value.
    static func digest(_ mention: MatchedIdentifier) -> String { mention.value }

    /// The mentions an order for the person known by `stateIds` and `fbiNumbers` covers.
    static func covered(in mentions: [MatchedIdentifier], stateIds: Set<String>, fbiNumbers: Set<String>) -> [MatchedIdentifier] {
        let digests = Set(SealingDigest.subjects(stateIds: stateIds, fbiNumbers: fbiNumbers))
        return mentions.filter { digests.contains($0.value) }
    }

    // MARK: The inbox's table

    /// The step creating `inbox_mentions` and filing the rows stored before under the mentions
    /// their bodies carry, read as JSON in pages of `pageSize` rows by id. Rows whose body names
    /// no mention (every notification routed before the router wrote them: a contact's person
    /// named by name only in the `met` fact) get none, and no order finds them.
    static func createTable(pageSize: Int = 500, _ transaction: any StorageTransaction) throws {
        try transaction.executeScript("""
            CREATE TABLE inbox_mentions (
                notification_id TEXT NOT NULL,
                mention_digest TEXT NOT NULL,
                PRIMARY KEY (notification_id, mention_digest)
            );
            CREATE INDEX inbox_mentions_by_digest ON inbox_mentions (mention_digest);
            """)
        var after = ""
        while true {
            let rows = try transaction.fetchAll(
                "SELECT id, body FROM inbox WHERE id > $1 ORDER BY id LIMIT $2", [.text(after), .integer(Int64(pageSize))])
            for row in rows {
                let id: String = try row.get("id")
                try file(id, mentions: mentions(ofBody: try row.get("body", as: [UInt8].self)), transaction)
                after = id
            }
            if rows.count < pageSize { break }
        }
    }

    /// The mentions a stored body carries; none when it is not JSON or carries none.
    static func mentions(ofBody body: [UInt8]) -> [MatchedIdentifier] {
        guard let document = try? JSONValue(parsing: body), case .array(let matched)? = document["reason"]?["matched"] else { return [] }
        return mentions(in: matched.compactMap { identifier in
            guard case .string(let name)? = identifier["name"], case .string(let value)? = identifier["value"] else { return nil }
            return MatchedIdentifier(name, value)
        })
    }

    /// Files notification `id` under `mentions`' digests.
    static func file(_ id: String, mentions: [MatchedIdentifier], _ transaction: any StorageTransaction) throws {
        for digest in Set(mentions.map(digest(_:))).sorted() {
            try transaction.send(
                "INSERT INTO inbox_mentions (notification_id, mention_digest) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                [.text(id), .text(digest)])
        }
    }

    /// The ids of the notifications filed under a mention of the person known by `stateIds`
    /// and `fbiNumbers`, sorted.
    static func notifications(mentioning stateIds: Set<String>, _ fbiNumbers: Set<String>, _ transaction: any StorageTransaction) throws -> [String] {
        var ids: Set<String> = []
        for digest in SealingDigest.subjects(stateIds: stateIds, fbiNumbers: fbiNumbers) {
            for row in try transaction.fetchAll("SELECT notification_id FROM inbox_mentions WHERE mention_digest = $1", [.text(digest)]) {
                ids.insert(try row.get("notification_id"))
            }
        }
        return ids.sorted()
    }

    /// Removes the filing of notification `id` under the person known by `stateIds` and
    /// `fbiNumbers`; returns how many rows.
    static func unfile(_ id: String, stateIds: Set<String>, fbiNumbers: Set<String>, _ transaction: any StorageTransaction) throws -> Int {
        var removed = 0
        for digest in SealingDigest.subjects(stateIds: stateIds, fbiNumbers: fbiNumbers) {
            removed += try transaction.execute(
                "DELETE FROM inbox_mentions WHERE notification_id = $1 AND mention_digest = $2", [.text(id), .text(digest)])
        }
        return removed
    }

    /// Removes the filings of notifications the inbox no longer holds; returns how many.
    static func removeOrphans(_ transaction: any StorageTransaction) throws -> Int {
        try transaction.execute("DELETE FROM inbox_mentions WHERE notification_id NOT IN (SELECT id FROM inbox)")
    }
}
