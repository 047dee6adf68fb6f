import GRDB
import Notifications
import Routing
import ServiceKit
import Testing
import TestSupport
import Warrants

/// Databases written by an earlier version keep their rows when the tables holding ~1 KiB rows
/// become rowid tables (notifications-v2, router-v2, inbox-v2, warrants-v2), and ids stay unique.
@Suite struct MigrationTests {
    /// Migrates `db` with `projection`'s migrations up to `identifier`.
    private func migrate(_ db: DatabaseQueue, _ projection: any EventProjection, upTo identifier: String? = nil) throws {
        let all = projection.migrations
        let last = identifier.flatMap { id in all.firstIndex { $0.id == id } } ?? all.count - 1
        try db.migrate(Array(all[...last]))
    }

    private func isRowidTable(_ table: String, _ db: DatabaseQueue) throws -> Bool {
        // A WITHOUT ROWID table has no rowid column to select.
        (try? db.read { try Int.fetchOne($0, sql: "SELECT rowid FROM \(table) LIMIT 1") }) != nil
    }

    @Test func routerTablesKeepTheirRows() throws {
        let db = try DatabaseQueue()
        try migrate(db, RouterProjection(signingKey: .random()), upTo: "notifications-v1")
        try db.write { db in
            try db.execute(sql: "INSERT INTO notifications_sent VALUES ('n-1', 'officer:PO-1', 'high', 'rule', 'e-1', x'7b7d')")
        }
        try migrate(db, RouterProjection(signingKey: .random()), upTo: "router-v1")
        try db.write { db in
            try db.execute(sql: "INSERT INTO router_arrests VALUES ('e-1', 'MO1', NULL, '2025-06-15', x'7b7d')")
        }
        #expect(try !isRowidTable("router_arrests", db))
        try migrate(db, RouterProjection(signingKey: .random()))

        #expect(try isRowidTable("notifications_sent", db))
        #expect(try isRowidTable("router_arrests", db))
        try db.write { db in
            #expect(try String.fetchAll(db, sql: "SELECT recipient FROM notifications_sent WHERE id = 'n-1'") == ["officer:PO-1"])
            #expect(try String.fetchAll(db, sql: "SELECT event_id FROM router_arrests WHERE state_id = 'MO1'") == ["e-1"])
            try db.execute(sql: "INSERT OR IGNORE INTO notifications_sent (id, recipient, priority, rule, source_event_id) VALUES ('n-1', 'officer:PO-2', 'high', 'rule', 'e-2')")
            #expect(db.changesCount == 0)
            try db.execute(sql: "INSERT OR IGNORE INTO router_arrests (event_id, state_id, fbi_number, arrest_day, event) VALUES ('e-1', 'MO2', NULL, '2025-06-16', x'7b7d')")
            #expect(db.changesCount == 0)
        }
    }

    @Test func inboxKeepsItsRowsAndIndex() throws {
        let db = try DatabaseQueue()
        let inbox = InboxProjection(verifyingKeys: [], signingKey: .random())
        try migrate(db, inbox, upTo: "inbox-v1")
        try db.write { db in
            try db.execute(sql: "INSERT INTO inbox VALUES ('n-1', 'officer:PO-1', 'high', '2025-06-15T14:06:40Z', 'summary', x'7b7d', NULL)")
        }
        try migrate(db, inbox)

        #expect(try isRowidTable("inbox", db))
        try db.write { db in
            #expect(try String.fetchAll(db, sql: "SELECT summary FROM inbox WHERE recipient = 'officer:PO-1'") == ["summary"])
            #expect(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'inbox_by_recipient'").count == 1)
            try db.execute(sql: "INSERT OR IGNORE INTO inbox (id, recipient, priority, occurred_at, summary, body, produced_at_ms) VALUES ('n-1', 'officer:PO-2', 'high', '2025-06-16T00:00:00Z', 'other', x'7b7d', NULL)")
            #expect(db.changesCount == 0)
        }
    }

    @Test("inbox-v4 numbers the rows stored before in the order they occurred, and the counter goes on after them")
    func inboxArrivalNumbersExistingRows() throws {
        let db = try DatabaseQueue()
        let inbox = InboxProjection(verifyingKeys: [], signingKey: .random())
        try migrate(db, inbox, upTo: "inbox-v3")
        try db.write { db in
            try db.execute(sql: """
                INSERT INTO inbox (id, recipient, priority, occurred_at, summary, body, produced_at_ms)
                VALUES ('n-b', 'officer:PO-1', 'high', '2025-06-15T14:00:00Z', 's', x'7b7d', NULL),
                       ('n-a', 'officer:PO-1', 'high', '2025-06-16T09:00:00Z', 's', x'7b7d', NULL),
                       ('n-c', 'officer:PO-1', 'high', '2025-06-15T14:00:00Z', 's', x'7b7d', NULL)
                """)
        }
        try migrate(db, inbox)
        try db.read { db throws in
            #expect(try String.fetchAll(db, sql: "SELECT id FROM inbox ORDER BY arrival") == ["n-b", "n-c", "n-a"])
            #expect(try Int64.fetchAll(db, sql: "SELECT arrival FROM inbox ORDER BY arrival") == [1, 2, 3])
            #expect(try Int64.fetchOne(db, sql: "SELECT next FROM inbox_arrivals") == 4)
        }
    }

    @Test func warrantTablesKeepTheirRowsAndReferences() throws {
        let db = try DatabaseQueue()
        try migrate(db, WarrantResolverProjection(signingKey: .random()), upTo: "warrants-v1")
        try db.write { db in
            try db.execute(sql: """
                INSERT INTO warrants (warrant_id, state_id, status) VALUES ('W-1', 'MO1', 'active');
                INSERT INTO warrant_checks (release_id, state_id, status, scheduled, facility_id, facility_name, release_at, release_type, subject)
                    VALUES ('R-1', 'MO1', 'pending', 1, 'F', 'Facility', '2026-01-01T00:00:00Z', 'parole', x'7b7d');
                INSERT INTO warrant_check_items (release_id, warrant_id) VALUES ('R-1', 'W-1');
                """)
        }
        try migrate(db, WarrantResolverProjection(signingKey: .random()))

        #expect(try isRowidTable("warrants", db))
        #expect(try isRowidTable("warrant_checks", db))
        try db.write { db in
            #expect(try String.fetchAll(db, sql: "SELECT warrant_id FROM warrants WHERE state_id = 'MO1'") == ["W-1"])
            #expect(try String.fetchAll(db, sql: """
                SELECT c.status FROM warrant_checks c JOIN warrant_check_items i ON i.release_id = c.release_id WHERE i.warrant_id = 'W-1'
                """) == ["pending"])
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            try db.execute(sql: "INSERT OR IGNORE INTO warrants (warrant_id, status) VALUES ('W-1', 'recalled')")
            #expect(db.changesCount == 0)
        }
    }
}
