import Contracts
import Directory
import Foundation
import Storage
import ServiceKit
import Timers

/// The inbox's acknowledgements and escalation chains: the only SQL on `inbox_acks`,
/// `inbox_escalations` (one chain per URGENT notification held here) and
/// `inbox_escalation_steps` (each escalation this instance sent, or saw come back on
/// `bus.notifications`).
///
/// Acknowledgements are read in full by every instance, while each instance holds the
/// notifications of its recipients' partitions: an acknowledgement of a notification this
/// instance does not hold (yet) is kept `pending` and judged when the notification arrives.
///
/// A pending acknowledgement is forgotten once its notification can no longer arrive
/// (`InboxProjection.pendingAcknowledgementMemory` after the acknowledgement's Kafka timestamp,
/// the retention of `bus.notifications`): one of a notification another instance holds, or
/// one a sealing order removed before the acknowledgement came, would otherwise keep its note
/// (which may name the person) for ever. A judged one (accepted or refused) is kept with its
/// notification, and goes with it.
public enum EscalationStore {
    /// The tables' steps, applied after the inbox's own.
    static let migrations: [StorageMigration] = [
        .script("escalation-v1", """
            CREATE TABLE inbox_acks (
                ack_id TEXT PRIMARY KEY NOT NULL,
                notification_id TEXT NOT NULL,
                by_recipient TEXT NOT NULL,
                acknowledged_at TEXT NOT NULL,
                note TEXT,
                status TEXT NOT NULL CHECK (status IN ('accepted', 'pending', 'refused')),
                reason TEXT
            );
            CREATE INDEX inbox_acks_by_notification ON inbox_acks (notification_id, status);
            CREATE TABLE inbox_escalations (
                notification_id TEXT PRIMARY KEY NOT NULL,
                agency_id TEXT NOT NULL,
                routed_at_ms BIGINT NOT NULL,
                reached BIGINT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'done'))
            );
            CREATE INDEX inbox_escalations_open ON inbox_escalations (state, routed_at_ms);
            CREATE TABLE inbox_escalation_steps (
                escalation_id TEXT PRIMARY KEY NOT NULL,
                notification_id TEXT NOT NULL,
                step BIGINT NOT NULL,
                recipient TEXT NOT NULL,
                escalated_at TEXT NOT NULL
            );
            CREATE INDEX inbox_escalation_steps_by_notification ON inbox_escalation_steps (notification_id);
            """),
        // v2: when a pending acknowledgement is forgotten (`forget_after_ms`; null once judged).
        // Pending rows stored before get theirs from when they were acknowledged.
        StorageMigration("escalation-v2") { transaction in
            try transaction.executeScript("""
                ALTER TABLE inbox_acks ADD COLUMN forget_after_ms BIGINT;
                CREATE INDEX inbox_acks_by_forget_time ON inbox_acks (forget_after_ms) WHERE forget_after_ms IS NOT NULL;
                """)
            for row in try transaction.fetchAll("SELECT ack_id, acknowledged_at FROM inbox_acks WHERE status = 'pending'") {
                let at = EventCodec.parseInstant(try row.get("acknowledged_at")).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
                _ = try transaction.execute(
                    "UPDATE inbox_acks SET forget_after_ms = $2 WHERE ack_id = $1",
                    [.text(try row.get("ack_id")), .integer(InboxProjection.pendingAcknowledgementMemory.forgetAfter(at) ?? 0)])
            }
        },
        // v3: who acted for the recipient (version 2 of the acknowledgement: the signed-in
        // subject). Acknowledgements stored before name none.
        StorageMigration("escalation-v3") { transaction in
            try transaction.executeScript("ALTER TABLE inbox_acks ADD COLUMN actor TEXT")
        },
    ]

    /// The counter of URGENT notifications that escalate to nobody (no `recipientAgencyId`).
    public static let withoutAgencyMetric = "reentrybus_escalations_without_agency_total"
    /// The counter of acknowledgements refused (by someone not entitled), by where it was judged.
    public static let refusedMetric = "reentrybus_acknowledgements_refused_total"

    /// Why an acknowledgement is refused (names no value).
    static let notEntitled = "bus.notification.acknowledged: $.by is neither the notification's recipient nor a recipient of one of its escalations"

    // MARK: Notifications arriving

    /// Called for each notification newly stored in the inbox, routed at `routedAtMilliseconds`
    /// (its Kafka timestamp): records an escalation that came back, opens the chain of an
    /// URGENT notification, and judges the acknowledgements that were waiting for it.
    /// A retraction of a notice already escalated also tells each recipient it was escalated
    /// to (`Escalation.retractionForwarded`), signed with `key`.
    static func stored(
        _ notification: BusNotification, routedAtMilliseconds: Int64, signedWith key: NotificationSigningKey, in transaction: ProjectionTransaction
    ) throws {
        let storage = transaction.storage
        if Escalation.isEscalation(notification), let step = Escalation.step(of: notification) {
            try record(step: step, escalation: notification, storage)
        }
        if Escalation.escalates(notification) {
            if let agencyId = notification.recipientAgencyId {
                // An escalation seen before its original (a replay's interleaving) counts, and
                // so does an acknowledgement of it accepted meanwhile: the chain opens closed.
                let reached = try reachedStep(of: notification.id, storage)
                let state = try escalationAcknowledged(of: notification.id, storage) ? "acknowledged" : reached == .supervisor ? "done" : "open"
                try storage.send(
                    """
                    INSERT INTO inbox_escalations (notification_id, agency_id, routed_at_ms, reached, state)
                    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (notification_id) DO NOTHING
                    """,
                    [.text(notification.id), .text(agencyId), .integer(routedAtMilliseconds), .integer(Int64(reached?.rawValue ?? 0)),
                     .text(state)])
            } else {
                // Nobody to escalate to: counted (no personal data in the labels).
                transaction.countOnCommit(withoutAgencyMetric, dimensions: [(name: "rule", value: notification.reason.rule)])
            }
        }
        for retracted in Escalation.retracted(by: notification) {
            // Only the recipient's own notice: a retraction goes to whoever was told.
            guard let original = try InboxStore.notification(retracted, storage), original.recipient == notification.recipient else { continue }
            try storage.send("UPDATE inbox_escalations SET state = 'done' WHERE notification_id = $1 AND state = 'open'", [.text(retracted)])
            try forwardRetraction(of: original, retraction: notification, signedWith: key, in: transaction)
        }
        try judgePending(of: notification, storage, transaction)
    }

    /// Whether an acknowledgement of one of the escalations of `notificationId` recorded here
    /// was accepted.
    private static func escalationAcknowledged(of notificationId: String, _ storage: any StorageTransaction) throws -> Bool {
        try storage.fetchOne(
            """
            SELECT 1 AS found FROM inbox_acks a JOIN inbox_escalation_steps s ON s.escalation_id = a.notification_id
            WHERE s.notification_id = $1 AND a.status = 'accepted' LIMIT 1
            """, [.text(notificationId)]) != nil
    }

    /// Records that `escalation` (step `step` of its original) exists, and accepts the
    /// acknowledgements of the original by its recipient that were waiting for it.
    static func record(step: Escalation.Step, escalation: BusNotification, _ storage: any StorageTransaction) throws {
        let original = escalation.sourceEventId
        try storage.send(
            """
            INSERT INTO inbox_escalation_steps (escalation_id, notification_id, step, recipient, escalated_at)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (escalation_id) DO NOTHING
            """,
            [.text(escalation.id), .text(original), .integer(Int64(step.rawValue)), .text(escalation.recipient.description),
             .text(EventCodec.formatInstant(escalation.occurredAt))])
        try storage.send(
            "UPDATE inbox_escalations SET reached = $2 WHERE notification_id = $1 AND reached < $2",
            [.text(original), .integer(Int64(step.rawValue))])
        try storage.send(
            "UPDATE inbox_escalations SET state = 'done' WHERE notification_id = $1 AND state = 'open' AND reached >= $2",
            [.text(original), .integer(Int64(Escalation.Step.supervisor.rawValue))])
        // Acknowledgements by its recipient waiting for it, of the original or of the escalation
        // itself (read before the escalation came back: a replay reads acknowledgements first).
        // (One of the original made before the escalation reached its maker is accepted here
        // too, though live it was refused: the acknowledger's clock and the bus's are not one,
        // so `at` cannot tell which came first.)
        let accepted = try storage.execute(
            """
            UPDATE inbox_acks SET status = 'accepted', forget_after_ms = NULL
            WHERE notification_id IN ($1, $2) AND status = 'pending' AND by_recipient = $3
            """,
            [.text(original), .text(escalation.id), .text(escalation.recipient.description)])
        if accepted > 0 { try close(original, storage) }
    }

    /// Judges the acknowledgements of `notification` that arrived before it: accepted when by
    /// its recipient or a recipient of one of its escalations recorded here; kept pending when
    /// by a recipient an escalation could still reach (its agency's duty desk or supervisors);
    /// refused otherwise (counted; the acknowledgement was read long before, so it is not
    /// dead-lettered now).
    private static func judgePending(of notification: BusNotification, _ storage: any StorageTransaction, _ transaction: ProjectionTransaction) throws {
        let pending = try storage.fetchAll(
            "SELECT ack_id, by_recipient FROM inbox_acks WHERE notification_id = $1 AND status = 'pending' ORDER BY ack_id",
            [.text(notification.id)])
        guard !pending.isEmpty else { return }
        let entitled = try entitledAcknowledgers(of: notification, storage)
        let reachable: Set<String> = notification.recipientAgencyId.map { agency in
            Set(Escalation.Step.allCases.map { $0.recipient(agencyId: agency).description })
        } ?? []
        for row in pending {
            let ackId: String = try row.get("ack_id")
            let by: String = try row.get("by_recipient")
            if entitled.contains(by) {
                try storage.send("UPDATE inbox_acks SET status = 'accepted', forget_after_ms = NULL WHERE ack_id = $1", [.text(ackId)])
                try stopChains(acknowledging: notification, storage)
            } else if !(Escalation.escalates(notification) && reachable.contains(by)) {
                try storage.send(
                    "UPDATE inbox_acks SET status = 'refused', reason = $2, forget_after_ms = NULL WHERE ack_id = $1",
                    [.text(ackId), .text(notEntitled)])
                transaction.countOnCommit(refusedMetric, dimensions: [(name: "judged", value: "on-arrival")])
            }
        }
    }

    // MARK: Acknowledgements

    /// Records `ack`. When this instance holds the notification (or sent the escalation it
    /// names), an ack by someone not entitled is refused: `PoisonMessage` naming why (the
    /// runtime dead-letters it). An ack of a notification unknown here is kept pending until
    /// `InboxProjection.pendingAcknowledgementMemory` after `receivedAtMilliseconds` (its Kafka
    /// timestamp; without one, when it was acknowledged).
    ///
    /// An accepted acknowledgement made before escalations of its notification went out (the
    /// inbox read the tick first: ticks and acknowledgements travel on separate topics) stands
    /// each of those escalations down: its recipient is told no one needs to act
    /// (`Escalation.standDown`), so the outcome does not hang on which topic was read first.
    static func acknowledge(
        _ ack: NotificationAcknowledgement, receivedAtMilliseconds: Int64?, signedWith key: NotificationSigningKey,
        in transaction: ProjectionTransaction
    ) throws {
        let storage = transaction.storage
        let by = ack.by.description
        let status: String
        if let notification = try InboxStore.notification(ack.notificationId, storage) {
            guard try entitledAcknowledgers(of: notification, storage).contains(by) else {
                throw PoisonMessage(reason: notEntitled)
            }
            status = "accepted"
            try stopChains(acknowledging: notification, storage)
            try standDownEscalations(of: notification, sentAfter: ack, signedWith: key, in: transaction)
        } else if let step = try storage.fetchOne(
            "SELECT notification_id, recipient, step FROM inbox_escalation_steps WHERE escalation_id = $1", [.text(ack.notificationId)]) {
            // An escalation this instance sent, held in another instance's inbox: that one judges
            // who acknowledged it; this one stops the chain when it was its recipient.
            if try step.get("recipient", as: String.self) == by {
                status = "accepted"
                let originalId: String = try step.get("notification_id")
                try close(originalId, storage)
                // This instance holds the original (it sent the escalation): the later steps it
                // sent after the acknowledgement are stood down here.
                if let original = try InboxStore.notification(originalId, storage),
                    let step = Escalation.Step(rawValue: Int(try step.get("step", as: Int64.self)))
                {
                    try standDownEscalations(of: original, after: step, sentAfter: ack, signedWith: key, in: transaction)
                }
            } else {
                status = "pending"
            }
        } else {
            status = "pending"
        }
        let received = receivedAtMilliseconds ?? Int64((ack.at.timeIntervalSince1970 * 1000).rounded())
        let forgetAfter = status == "pending" ? InboxProjection.pendingAcknowledgementMemory.forgetAfter(received).map(SQLValue.integer) : nil
        try storage.send(
            """
            INSERT INTO inbox_acks (ack_id, notification_id, by_recipient, acknowledged_at, note, status, forget_after_ms, actor)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (ack_id) DO NOTHING
            """,
            [.text(ack.id), .text(ack.notificationId), .text(by), .text(EventCodec.formatInstant(ack.at)),
             ack.note.map(SQLValue.text) ?? .null, .text(status), forgetAfter ?? .null, ack.actor.map(SQLValue.text) ?? .null])
    }

    /// Tells the recipient of each escalation of `notification` (of its original, when it is an
    /// escalation) that went out after `ack` was made that no one needs to act on it (not the
    /// acknowledged escalation itself: the acknowledgement was made after it).
    private static func standDownEscalations(
        of notification: BusNotification, sentAfter ack: NotificationAcknowledgement, signedWith key: NotificationSigningKey,
        in transaction: ProjectionTransaction
    ) throws {
        // An escalation acknowledged stands down its original's later steps sent after it.
        if Escalation.isEscalation(notification) {
            guard let original = try InboxStore.notification(notification.sourceEventId, transaction.storage),
                let step = Escalation.step(of: notification)
            else { return }
            return try standDownEscalations(of: original, after: step, sentAfter: ack, signedWith: key, in: transaction)
        }
        try standDownEscalations(of: notification, after: nil, sentAfter: ack, signedWith: key, in: transaction)
    }

    /// Stands down the escalations of `original` past `acknowledgedStep` (all, when the original
    /// itself was acknowledged) that went out after `ack` was made.
    private static func standDownEscalations(
        of original: BusNotification, after acknowledgedStep: Escalation.Step?, sentAfter ack: NotificationAcknowledgement,
        signedWith key: NotificationSigningKey, in transaction: ProjectionTransaction
    ) throws {
        guard !Escalation.isEscalation(original), let agencyId = original.recipientAgencyId else { return }
        for row in try transaction.storage.fetchAll(
            "SELECT escalation_id, recipient, escalated_at, step FROM inbox_escalation_steps WHERE notification_id = $1 ORDER BY step",
            [.text(original.id)])
        {
            let step = Escalation.Step(rawValue: Int(try row.get("step", as: Int64.self)))
            guard acknowledgedStep.map({ acknowledged in step.map { $0 > acknowledged } ?? false }) ?? true,
                let escalatedAt = EventCodec.parseInstant(try row.get("escalated_at")), escalatedAt > ack.at,
                let recipient = Recipient(try row.get("recipient", as: String.self))
            else { continue }
            _ = try NotificationOutbox.emit(
                Escalation.standDown(
                    escalationId: try row.get("escalation_id"), recipient: recipient, agencyId: agencyId, original: original, acknowledgement: ack),
                signedWith: key, forgetAfterMilliseconds: nil, in: transaction)
        }
    }

    /// Tells each recipient `original` was escalated to (its steps recorded here) that it was
    /// retracted: before, the chain stopped but a duty desk already asked kept the notice as
    /// if it stood.
    private static func forwardRetraction(
        of original: BusNotification, retraction: BusNotification, signedWith key: NotificationSigningKey, in transaction: ProjectionTransaction
    ) throws {
        guard !Escalation.isEscalation(original), let agencyId = original.recipientAgencyId else { return }
        for row in try transaction.storage.fetchAll(
            "SELECT escalation_id, recipient FROM inbox_escalation_steps WHERE notification_id = $1 ORDER BY step", [.text(original.id)])
        {
            guard let recipient = Recipient(try row.get("recipient", as: String.self)) else { continue }
            _ = try NotificationOutbox.emit(
                Escalation.retractionForwarded(
                    escalationId: try row.get("escalation_id"), recipient: recipient, agencyId: agencyId, original: original, retraction: retraction),
                signedWith: key, forgetAfterMilliseconds: nil, in: transaction)
        }
    }

    /// Who may acknowledge `notification`: its recipient and the recipients of its escalations
    /// recorded here.
    private static func entitledAcknowledgers(of notification: BusNotification, _ storage: any StorageTransaction) throws -> Set<String> {
        var entitled: Set<String> = [notification.recipient.description]
        for row in try storage.fetchAll("SELECT recipient FROM inbox_escalation_steps WHERE notification_id = $1", [.text(notification.id)]) {
            entitled.insert(try row.get("recipient"))
        }
        return entitled
    }

    /// An acknowledgement of a notification stops its chain, and, for an escalation, its
    /// original's.
    private static func stopChains(acknowledging notification: BusNotification, _ storage: any StorageTransaction) throws {
        try close(notification.id, storage)
        if Escalation.isEscalation(notification) { try close(notification.sourceEventId, storage) }
    }

    private static func close(_ notificationId: String, _ storage: any StorageTransaction) throws {
        try storage.send(
            "UPDATE inbox_escalations SET state = 'acknowledged' WHERE notification_id = $1 AND state = 'open'", [.text(notificationId)])
    }

    private static func isOpen(_ notificationId: String, _ storage: any StorageTransaction) throws -> Bool {
        try storage.fetchOne(
            "SELECT 1 AS found FROM inbox_escalations WHERE notification_id = $1 AND state = 'open'", [.text(notificationId)]) != nil
    }

    private static func reachedStep(of notificationId: String, _ storage: any StorageTransaction) throws -> Escalation.Step? {
        let row = try storage.fetchOne(
            "SELECT max(step) AS reached FROM inbox_escalation_steps WHERE notification_id = $1", [.text(notificationId)])
        return try row?.get("reached", as: Int64?.self).flatMap { Escalation.Step(rawValue: Int($0)) }
    }

    // MARK: Ticks

    /// At the tick `tick`: every open chain whose next steps are due gets them, each a signed
    /// notification through the outbox (`NotificationOutbox`: each id once). Returns how many
    /// escalations were queued.
    @discardableResult
    static func escalate(at tick: TimerTick, signedWith key: NotificationSigningKey, in transaction: ProjectionTransaction) throws -> Int {
        let storage = transaction.storage
        let now = tick.atMilliseconds
        let chains = try storage.fetchAll(
            """
            SELECT notification_id, agency_id, routed_at_ms, reached FROM inbox_escalations
            WHERE state = 'open' AND routed_at_ms <= $1 ORDER BY routed_at_ms, notification_id
            """,
            [.integer(now)])
        let directory = DirectoryStore(storage)
        var queued = 0
        for chain in chains {
            let id: String = try chain.get("notification_id")
            let agencyId: String = try chain.get("agency_id")
            let routedAt: Int64 = try chain.get("routed_at_ms")
            let reached = Escalation.Step(rawValue: Int(try chain.get("reached", as: Int64.self)))
            let entry = try directory.entry(agencyId)
            let due = Escalation.dueSteps(
                reached: reached, routedAtMilliseconds: routedAt, tickMilliseconds: now, delays: entry?.escalation ?? .standard)
            guard !due.isEmpty, let original = try InboxStore.notification(id, storage) else { continue }
            for step in due {
                let escalation = Escalation.notification(
                    for: original, agencyId: agencyId, step: step, routedAtMilliseconds: routedAt, tickAt: tick.at,
                    dutyContact: entry?.dutyContact)
                if try NotificationOutbox.emit(escalation, signedWith: key, forgetAfterMilliseconds: nil, in: transaction) { queued += 1 }
                try record(step: step, escalation: escalation, storage)
                // An acknowledgement waiting for this step (read before it) closes the chain:
                // the next step is not sent.
                guard try isOpen(id, storage) else { break }
            }
        }
        return queued
    }

    // MARK: Reads

    /// An acknowledgement as the inbox shows it.
    public struct Acknowledgement: Sendable, Hashable {
        /// The recipient it was acknowledged for (`duty:MO-KCPD`).
        public var by: String
        /// Who acted for that recipient (the signed-in subject); nil when the acknowledgement
        /// names no one (version 1).
        public var actor: String?
        public var at: String
        public var note: String?
        public var status: String
    }

    /// The acknowledgements recorded for a notification (accepted, pending or refused), oldest first.
    public static func acknowledgements(of notificationId: String, _ storage: any StorageTransaction) throws -> [Acknowledgement] {
        try storage.fetchAll(
            """
            SELECT by_recipient, actor, acknowledged_at, note, status FROM inbox_acks WHERE notification_id = $1
            ORDER BY acknowledged_at, ack_id
            """,
            [.text(notificationId)]
        ).map { row in
            Acknowledgement(
                by: try row.get("by_recipient"), actor: try row.get("actor"), at: try row.get("acknowledged_at"), note: try row.get("note"),
                status: try row.get("status"))
        }
    }

    /// The accepted acknowledgements of each of `notificationIds` (those with none are absent),
    /// oldest first: what a page of the inbox shows beside each notification, in one query.
    public static func acceptedAcknowledgements(of notificationIds: [String], _ storage: any StorageTransaction) throws -> [String: [Acknowledgement]] {
        guard !notificationIds.isEmpty else { return [:] }
        let placeholders = (1...notificationIds.count).map { "$\($0)" }.joined(separator: ", ")
        var acknowledgements: [String: [Acknowledgement]] = [:]
        for row in try storage.fetchAll(
            """
            SELECT notification_id, by_recipient, actor, acknowledged_at, note, status FROM inbox_acks
            WHERE notification_id IN (\(placeholders)) AND status = 'accepted' ORDER BY acknowledged_at, ack_id
            """,
            notificationIds.map(SQLValue.text)
        ) {
            acknowledgements[try row.get("notification_id"), default: []].append(Acknowledgement(
                by: try row.get("by_recipient"), actor: try row.get("actor"), at: try row.get("acknowledged_at"), note: try row.get("note"),
                status: try row.get("status")))
        }
        return acknowledgements
    }

    /// Whom a notification was escalated to (recorded here), by step.
    public static func escalatedTo(_ notificationId: String, _ storage: any StorageTransaction) throws -> [String] {
        try storage.fetchAll(
            "SELECT recipient FROM inbox_escalation_steps WHERE notification_id = $1 ORDER BY step", [.text(notificationId)]
        ).map { try $0.get("recipient") }
    }

    /// The chain's state (`open`, `acknowledged`, `done`) and the step reached; nil without one.
    public static func chain(_ notificationId: String, _ storage: any StorageTransaction) throws -> (state: String, reached: Int)? {
        guard let row = try storage.fetchOne(
            "SELECT state, reached FROM inbox_escalations WHERE notification_id = $1", [.text(notificationId)]) else { return nil }
        return (try row.get("state"), Int(try row.get("reached", as: Int64.self)))
    }

    /// Forgets at most `limit` pending acknowledgements due before `now` (see the type's
    /// comment); returns how many.
    static func forgetPending(before now: Int64, limit: Int, _ storage: any StorageTransaction) throws -> Int {
        try storage.forgetDue("inbox_acks", key: "ack_id", before: now, limit: limit)
    }

    // MARK: Sealing

    /// After a sealing order removed notifications from `inbox`: removes their chains, steps
    /// and acknowledgements (a note may name the person) — accepted or refused ones, and the
    /// pending ones the inbox ties to them: of a removed notification with a chain (the only
    /// kind a held notification keeps pending: by whom its escalation could still reach), and
    /// of an escalation this instance sent about one. Other pending acknowledgements name a
    /// notification the inbox cannot tie to anyone; they are forgotten with time.
    static func removeOrphans(_ storage: any StorageTransaction) throws -> SealingTally {
        var tally = SealingTally()
        tally.add(try storage.execute(
            """
            DELETE FROM inbox_acks WHERE status = 'pending' AND (
                notification_id IN (SELECT notification_id FROM inbox_escalations WHERE notification_id NOT IN (SELECT id FROM inbox))
                OR notification_id IN (
                    SELECT escalation_id FROM inbox_escalation_steps
                    WHERE notification_id NOT IN (SELECT id FROM inbox) AND escalation_id NOT IN (SELECT id FROM inbox)))
            """), from: "inbox_acks")
        tally.add(try storage.execute(
            "DELETE FROM inbox_escalations WHERE notification_id NOT IN (SELECT id FROM inbox)"), from: "inbox_escalations")
        tally.add(try storage.execute(
            """
            DELETE FROM inbox_escalation_steps WHERE notification_id NOT IN (SELECT id FROM inbox)
                AND escalation_id NOT IN (SELECT id FROM inbox)
            """), from: "inbox_escalation_steps")
        tally.add(try storage.execute(
            "DELETE FROM inbox_acks WHERE status <> 'pending' AND notification_id NOT IN (SELECT id FROM inbox)"), from: "inbox_acks")
        return tally
    }
}
