import Contracts
import Storage

/// The people a message waiting in the outbox names besides its subject, as the outbox files
/// it for sealing orders: `kit_outbox.mention_digests` (and `kit_outbox_failed`'s), the digests
/// (`SealingDigest.stateId`/`fbiNumber`) its JSON body carries among `reason.matched` under
/// ``identifier``, sorted, one space between; NULL when it carries none (nearly every message).
///
/// Today that is a contact notification naming the person police met (the router's
/// `ContactNotification`, `NotificationMention` in the notifications' module, which depends on
/// this one and takes the name from here). An order for all the records of that person finds
/// the message by this column and has the projection rewrite it without them, or removes it
/// (``SealingLedger/removeFromOutbox(_:paired:withdrawing:)``): the subject's notification
/// still goes out, the other person's name does not.
///
/// Filled when a message is queued, from its body: a byte search for the identifier first, so
/// a message naming nobody else (every other one) is not parsed.
public enum OutboxMentions {
    /// The name `reason.matched` gives the digest of a number of a person a notification names
    /// besides its subject (`NotificationMention.identifier`).
    public static let identifier = "mentionedPersonDigest"

    /// The identifier as it ends in JSON: a message without these bytes names nobody else. (Its
    /// first byte, `m`, is rarer in a body than a quotation mark, where the scan stops to compare.)
    private static let marker = Array("\(identifier)\"".utf8)

    /// The digests `value` carries among `reason.matched` under ``identifier``, sorted, without
    /// repeats or empty values; none when it carries none or is not JSON.
    static func digests(in value: [UInt8]) -> [String] {
        guard contains(marker, in: value), let document = try? JSONValue(parsing: value),
              case .array(let matched)? = document["reason"]?["matched"]
        else { return [] }
        var digests: Set<String> = []
        for entry in matched {
            guard case .string(identifier)? = entry["name"], case .string(let digest)? = entry["value"], !digest.isEmpty else { continue }
            digests.insert(digest)
        }
        return digests.sorted()
    }

    /// The column's value for `value`'s mentions.
    static func column(of value: [UInt8]) -> SQLValue {
        let digests = digests(in: value)
        return digests.isEmpty ? .null : .text(digests.joined(separator: " "))
    }

    /// The digests a column value holds.
    static func digests(ofColumn text: String?) -> Set<String> {
        Set((text ?? "").split(separator: " ").map(String.init))
    }

    /// servicekit-sealing-v2: the column on both outbox tables, filled for the rows waiting
    /// there from their bodies (in pages of `pageSize` by sequence number), and a partial index
    /// of the rows that have one.
    static func migration(pageSize: Int = 500) -> StorageMigration {
        StorageMigration("servicekit-sealing-v2") { transaction in
            try addColumn(pageSize: pageSize, transaction)
        }
    }

    static func addColumn(pageSize: Int = 500, _ transaction: any StorageTransaction) throws {
        for table in ["kit_outbox", "kit_outbox_failed"] {
            try transaction.executeScript("ALTER TABLE \(table) ADD COLUMN mention_digests TEXT")
            var after: Int64 = .min
            while true {
                let rows = try transaction.fetchAll(
                    "SELECT seq, value FROM \(table) WHERE seq > $1 ORDER BY seq LIMIT $2", [.integer(after), .integer(Int64(pageSize))])
                for row in rows {
                    let seq: Int64 = try row.get("seq")
                    let column = column(of: try row.get("value", as: [UInt8].self))
                    if column != .null {
                        try transaction.send("UPDATE \(table) SET mention_digests = $1 WHERE seq = $2", [column, .integer(seq)])
                    }
                    after = seq
                }
                if rows.count < pageSize { break }
            }
        }
        try transaction.executeScript("CREATE INDEX kit_outbox_by_mention ON kit_outbox (seq) WHERE mention_digests IS NOT NULL")
    }

    /// Whether `needle` occurs in `haystack`.
    /// (Glibc's `memmem` is not exported to Swift: a scan from each occurrence of the first byte.)
    private static func contains(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return needle.isEmpty }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                let last = hay.count - pin.count
                var index = 0
                while index <= last {
                    if hay[index] == first {
                        var matched = 1
                        while matched < pin.count, hay[index + matched] == pin[matched] { matched += 1 }
                        if matched == pin.count { return true }
                    }
                    index += 1
                }
                return false
            }
        }
    }
}
