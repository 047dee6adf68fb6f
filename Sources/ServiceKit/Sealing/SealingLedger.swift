import Storage

/// The sealing orders a service has applied, and what it needs to keep applying them: the
/// only SQL on `kit_sealing_orders` and `kit_sealed_keys`.
///
/// - `kit_sealing_orders`: one row per order: id, kind, scope, issuing court, dates, how many
///   cases it listed and how many rows it removed from which table. Never the removed data, never
///   the person's numbers.
/// - `kit_sealed_keys`: digests (``SealingDigest``) of the person's state ID and FBI number, and
///   of each listed case, with the time of the order; and digests of records a listed-case order
///   removed that other records rest on (a warrant, with its person's numbers:
///   ``noteRemoved(warrant:stateIds:fbiNumbers:orderId:orderedAtMilliseconds:)``). A record about the person that occurred
///   before the order but is read after it (a late delivery, or a replay reading topics in
///   another order) is covered by it: ``covers(stateId:fbiNumber:caseNumber:occurredAtMilliseconds:)``
///   says so, and the record is not kept. That is how a replay from the beginning of the topics
///   does not bring sealed data back.
public struct SealingLedger {
    let transaction: any StorageTransaction

    public init(_ transaction: any StorageTransaction) {
        self.transaction = transaction
    }

    /// The tables' steps (part of every service's own, after `ServiceDatabase.runtimeMigrations`' own).
    static let migrations: [StorageMigration] = [
        .script("servicekit-sealing-v1", """
            CREATE TABLE kit_sealing_orders (
                order_id TEXT PRIMARY KEY NOT NULL,
                kind TEXT NOT NULL,
                scope TEXT NOT NULL,
                issuing_court_id TEXT NOT NULL,
                ordered_on TEXT NOT NULL,
                ordered_at_ms BIGINT NOT NULL,
                event_id TEXT NOT NULL,
                case_count BIGINT NOT NULL,
                rows_removed BIGINT NOT NULL,
                removed TEXT NOT NULL
            );
            CREATE TABLE kit_sealed_keys (
                key_digest TEXT NOT NULL,
                case_digest TEXT NOT NULL,
                order_id TEXT NOT NULL,
                ordered_at_ms BIGINT NOT NULL,
                PRIMARY KEY (key_digest, case_digest, order_id)
            );
            ALTER TABLE kit_outbox ADD COLUMN subject_digest TEXT;
            ALTER TABLE kit_outbox_failed ADD COLUMN subject_digest TEXT;
            CREATE INDEX kit_outbox_by_subject ON kit_outbox (subject_digest) WHERE subject_digest IS NOT NULL;
            """),
        // v2: the people a waiting message names besides its subject (the person police met in
        // a contact notification), filed by digest (``OutboxMentions``); rows waiting when it
        // runs get theirs from their bodies.
        OutboxMentions.migration(),
        // v3: the failed outbox's rows that name someone besides their subject, found through
        // an index as the outbox's are: an order for all of a person's records otherwise read
        // the whole failed outbox, which keeps every message that could not be sent.
        .script("servicekit-sealing-v3", "CREATE INDEX kit_outbox_failed_by_mention ON kit_outbox_failed (seq) WHERE mention_digests IS NOT NULL"),
    ]

    /// Applies `order` as the runtime does, in the batch's transaction: the projection's
    /// removals (``EventProjection/seal(_:in:)``), then the outbox's
    /// (``removeFromOutbox(_:paired:withdrawing:)``, rewriting through
    /// ``EventProjection/withdrawingMentions(of:from:)`` what still fits the producer's largest
    /// message), then the order recorded with what was removed; returns that.
    func apply(_ order: SealingOrder, by projection: any EventProjection, in transaction: ProjectionTransaction) throws -> SealingTally {
        var removed = try projection.seal(order, in: transaction)
        try transaction.flushOutbox()
        let maxMessageBytes = transaction.maxMessageBytes
        removed.merge(try removeFromOutbox(order, paired: removed) { digests, message in
            // A projection's rewrite that throws, or would not fit, cannot go out: the message is removed.
            guard let rewritten = try? projection.withdrawingMentions(of: digests, from: message),
                  rewritten.wireSize <= maxMessageBytes
            else { return nil }
            return rewritten
        })
        try record(order, removed: removed)
        return removed
    }

    /// Records that `order` was applied and removed `removed`; a second copy of an order keeps
    /// the first record (its removals were already done).
    public func record(_ order: SealingOrder, removed: SealingTally) throws(StorageError) {
        try transaction.send(
            """
            INSERT INTO kit_sealing_orders
                (order_id, kind, scope, issuing_court_id, ordered_on, ordered_at_ms, event_id, case_count, rows_removed, removed)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (order_id) DO NOTHING
            """,
            [.text(order.orderId), .text(order.kind.rawValue), .text(order.scope.rawValue), .text(order.issuingCourtId),
             .text(order.orderedOn.description), .integer(order.orderedAtMilliseconds), .text(order.eventId),
             .integer(Int64(order.caseNumbers.count)), .integer(Int64(removed.total)), .text(removed.description)])
        transaction.scratch.store(true, for: Self.ordersAppliedKey)
        let caseDigests = order.scope == .allRecords ? [""] : order.caseNumbers.map(SealingDigest.caseNumber)
        var keyDigests = Self.keyDigests(stateId: order.stateId, fbiNumber: order.fbiNumber)
        keyDigests += removed.pairedStateIds.sorted().map(SealingDigest.stateId)
        keyDigests += removed.pairedFbiNumbers.sorted().map(SealingDigest.fbiNumber)
        for keyDigest in keyDigests {
            for caseDigest in caseDigests {
                try transaction.send(
                    """
                    INSERT INTO kit_sealed_keys (key_digest, case_digest, order_id, ordered_at_ms) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (key_digest, case_digest, order_id) DO NOTHING
                    """,
                    [.text(keyDigest), .text(caseDigest), .text(order.orderId), .integer(order.orderedAtMilliseconds)])
            }
        }
    }

    /// Whether any order has been applied (when none has, nothing needs checking).
    ///
    /// Read once a transaction and kept in its scratch: the views ask it for every incident and
    /// investigation they keep, a round trip each on PostgreSQL. ``record(_:removed:)`` makes
    /// it true; a true kept after the savepoint that recorded an order was rolled back only
    /// costs checks that find nothing.
    public func hasOrders() throws(StorageError) -> Bool {
        if let known = transaction.scratch.value(Self.ordersAppliedKey, as: Bool.self) { return known }
        let applied = try transaction.fetchOne("SELECT 1 AS found FROM kit_sealed_keys LIMIT 1") != nil
        transaction.scratch.store(applied, for: Self.ordersAppliedKey)
        return applied
    }

    private static let ordersAppliedKey = "sealing-orders-applied"


    /// Whether an order applied here covers a record about the person known by these numbers,
    /// of case `caseNumber` (nil: of no case), that occurred at `occurredAtMilliseconds`:
    /// an order naming the person, recorded after the record occurred, for all their records or
    /// for that case.
    public func covers(
        stateId: String?, fbiNumber: String?, caseNumber: String? = nil, occurredAtMilliseconds: Int64
    ) throws(StorageError) -> Bool {
        let keys = Self.keyDigests(stateId: stateId, fbiNumber: fbiNumber)
        guard let first = keys.first else { return false }
        let caseDigest = SealingOrder.nonEmpty(caseNumber).map(SealingDigest.caseNumber) ?? ""
        return try transaction.fetchOne(
            """
            SELECT 1 AS found FROM kit_sealed_keys
            WHERE key_digest IN ($1, $2) AND case_digest IN ('', $3) AND ordered_at_ms > $4
            LIMIT 1
            """,
            [.text(first), .text(keys.last ?? first), .text(caseDigest), .integer(occurredAtMilliseconds)]) != nil
    }

    /// Whether an order applied here for all the records of the person whose number has
    /// `personDigest` (``SealingDigest/stateId(_:)`` or ``SealingDigest/fbiNumber(_:)``) was
    /// recorded after `occurredAtMilliseconds`: what a row that keeps only the digest of a
    /// person it names (a notification's mention of someone besides its subject) is judged by.
    public func covers(personDigest: String, occurredAtMilliseconds: Int64) throws(StorageError) -> Bool {
        try transaction.fetchOne(
            "SELECT 1 AS found FROM kit_sealed_keys WHERE key_digest = $1 AND case_digest = '' AND ordered_at_ms > $2 LIMIT 1",
            [.text(personDigest), .integer(occurredAtMilliseconds)]) != nil
    }

    /// The kind a warrant is remembered under by its id alone
    /// (``noteRemoved(recordOf:_:orderId:orderedAtMilliseconds:)``).
    public static let warrantRecord = "warrant"

    /// What `case_digest` holds on the row of a warrant's id-alone digest
    /// (``SealingDigest/record(_:_:)``) that ``noteRemoved(warrant:stateIds:fbiNumbers:orderId:orderedAtMilliseconds:)``
    /// writes beside the person's: not a case's digest, a label saying the warrant is also
    /// remembered with its person, so that ``coveringReason(warrant:stateId:fbiNumber:occurredAtMilliseconds:)``
    /// passes it over (only the id-alone check, ``covers(recordOf:_:occurredAtMilliseconds:)``,
    /// reads it). `kit_sealed_keys` constrains its columns to be present, nothing more: no
    /// migration was needed.
    public static let rememberedWithPerson = "warrant-remembered-with-person"

    /// Remembers that an order (`orderId`, made at `orderedAtMilliseconds`) removed the record
    /// `id` of kind `kind` by its id alone, a digest (``SealingDigest/record(_:_:)``) that
    /// ``covers(recordOf:_:occurredAtMilliseconds:)`` finds for every event about the id,
    /// whoever's and whichever agency's; ``coveringReason(warrant:stateId:fbiNumber:occurredAtMilliseconds:)``
    /// consults it too. What the runtime and the views wrote for a warrant before they
    /// remembered it with its person (those rows keep their meaning: an upgrade refuses what it
    /// refused before); a warrant is now remembered with
    /// ``noteRemoved(warrant:stateIds:fbiNumbers:orderId:orderedAtMilliseconds:)``.
    public func noteRemoved(recordOf kind: String, _ id: String, orderId: String, orderedAtMilliseconds: Int64) throws(StorageError) {
        try insertKey(SealingDigest.record(kind, id), case: "", orderId: orderId, orderedAtMilliseconds: orderedAtMilliseconds)
    }

    /// Whether an order recorded after `occurredAtMilliseconds` removed the record `id` of kind
    /// `kind`, by its id alone: any digest of it, whoever's it was (the `warrant` record of
    /// ``noteRemoved(recordOf:_:orderId:orderedAtMilliseconds:)``, and the one
    /// ``noteRemoved(warrant:stateIds:fbiNumbers:orderId:orderedAtMilliseconds:)`` writes beside
    /// the person's for this check). Legacy: it refuses another person's detainer on a warrant
    /// of the same id too, so nothing that judges a detainer asks it any more (the views and the
    /// warrant resolver ask ``coveringReason(warrant:stateId:fbiNumber:occurredAtMilliseconds:)``, the
    /// person's); kept for the runtime's tests of what rows say, and with it the id-alone row
    /// ``noteRemoved(warrant:stateIds:fbiNumbers:orderId:orderedAtMilliseconds:)`` writes beside
    /// (both can go together).
    public func covers(recordOf kind: String, _ id: String, occurredAtMilliseconds: Int64) throws(StorageError) -> Bool {
        try transaction.fetchOne(
            "SELECT 1 AS found FROM kit_sealed_keys WHERE key_digest = $1 AND ordered_at_ms > $2 LIMIT 1",
            [.text(SealingDigest.record(kind, id)), .integer(occurredAtMilliseconds)]) != nil
    }

    /// Remembers that an order (`orderId`, made at `orderedAtMilliseconds`) removed the warrant
    /// `warrantId` of a listed case, of the person known by `stateIds` and `fbiNumbers` (the
    /// order's numbers and the removed row's, or the event's; nil and empty ones are not
    /// numbers), so that a detainer lodged on it before the order and read after it is
    /// recognised (``coveringReason(warrant:stateId:fbiNumber:occurredAtMilliseconds:)``), and another
    /// person's detainer on another court's warrant of the same id is not. A warrant id is unique
    /// only within its issuing court, and a detainer names the warrant and the person, not the
    /// court; so, as the warrant resolver remembers the warrants it removes
    /// (`WarrantStore.noteSealed`), digests (``SealingDigest``) of:
    ///
    /// - the id with each of the person's numbers: a detainer naming one of them is the person's;
    /// - the id alone, unnumbered: a detainer naming no number says nothing of whose it is, and
    ///   is refused rather than risk keeping the sealed case's;
    /// - the id with each kind of number (state ID, FBI number) of which none was known for the
    ///   person: a detainer naming only numbers of that kind cannot be told from the person's
    ///   (they may have one nobody here paired with theirs), and is refused the same way.
    ///
    /// A detainer naming a number of a kind the person had, and none of theirs, is another
    /// person's. And the id-alone digest (``SealingDigest/record(_:_:)``, `case_digest`
    /// ``rememberedWithPerson``) for the legacy ``covers(recordOf:_:occurredAtMilliseconds:)``,
    /// which nothing that judges a detainer asks any more; it can go with it.
    public func noteRemoved(
        warrant warrantId: String, stateIds: [String?], fbiNumbers: [String?], orderId: String, orderedAtMilliseconds: Int64
    ) throws(StorageError) {
        let stateIds = Set(stateIds.compactMap(SealingOrder.nonEmpty)).sorted()
        let fbiNumbers = Set(fbiNumbers.compactMap(SealingOrder.nonEmpty)).sorted()
        var digests = stateIds.map { SealingDigest.warrant(warrantId, of: .stateId, $0) }
        digests += fbiNumbers.map { SealingDigest.warrant(warrantId, of: .fbiNumber, $0) }
        digests.append(SealingDigest.warrant(unnumbered: warrantId))
        if stateIds.isEmpty { digests.append(SealingDigest.warrant(warrantId, unknownNumberKind: .stateId)) }
        if fbiNumbers.isEmpty { digests.append(SealingDigest.warrant(warrantId, unknownNumberKind: .fbiNumber)) }
        for digest in digests {
            try insertKey(digest, case: "", orderId: orderId, orderedAtMilliseconds: orderedAtMilliseconds)
        }
        try insertKey(
            SealingDigest.record(Self.warrantRecord, warrantId), case: Self.rememberedWithPerson, orderId: orderId,
            orderedAtMilliseconds: orderedAtMilliseconds)
    }

    /// Why an order recorded after `occurredAtMilliseconds` removed the warrant `warrantId` of
    /// the person an event about it names by `stateId` and `fbiNumber` (a detainer lodged on
    /// it), for the count of refusals (``SealedRecordRefusal``); nil when no order covers it.
    /// Covered: a digest ``noteRemoved(warrant:stateIds:fbiNumbers:orderId:orderedAtMilliseconds:)``
    /// wrote of the id with one of these numbers (`person`, looked at first); with no number, the
    /// unnumbered one (`unnumbered`); with numbers of one kind alone, the one of a person known
    /// by no number of that kind (`unknown_number_kind`). And the id-alone digest written before
    /// warrants were remembered with their person (`case_digest` empty:
    /// ``noteRemoved(recordOf:_:orderId:orderedAtMilliseconds:)``, `id_alone`), which covers
    /// every event about the id as it did; not the one written beside the person's
    /// (``rememberedWithPerson``).
    public func coveringReason(
        warrant warrantId: String, stateId: String?, fbiNumber: String?, occurredAtMilliseconds: Int64
    ) throws(StorageError) -> SealedRecordRefusal.Reason? {
        let stateId = SealingOrder.nonEmpty(stateId), fbiNumber = SealingOrder.nonEmpty(fbiNumber)
        let idAlone = SealingDigest.record(Self.warrantRecord, warrantId)
        // The id-alone digest first: $1 below.
        var digests: [(digest: String, reason: SealedRecordRefusal.Reason)] = [(idAlone, .idAlone)]
        if let stateId { digests.append((SealingDigest.warrant(warrantId, of: .stateId, stateId), .person)) }
        if let fbiNumber { digests.append((SealingDigest.warrant(warrantId, of: .fbiNumber, fbiNumber), .person)) }
        switch (stateId, fbiNumber) {
        case (nil, nil): digests.append((SealingDigest.warrant(unnumbered: warrantId), .unnumbered))
        case (_?, nil): digests.append((SealingDigest.warrant(warrantId, unknownNumberKind: .stateId), .unknownNumberKind))
        case (nil, _?): digests.append((SealingDigest.warrant(warrantId, unknownNumberKind: .fbiNumber), .unknownNumberKind))
        case (_?, _?): break  // the person had a number of one of these kinds (the order named one)
        }
        // $1 is the id-alone digest: only its rows of no case (written before) count.
        let placeholders = digests.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
        let matched = try transaction.fetchAll(
            """
            SELECT DISTINCT key_digest FROM kit_sealed_keys
            WHERE key_digest IN (\(placeholders)) AND (key_digest <> $1 OR case_digest = '') AND ordered_at_ms > $\(digests.count + 1)
            """,
            digests.map { SQLValue.text($0.digest) } + [.integer(occurredAtMilliseconds)]
        ).map { row throws(StorageError) in try row.get("key_digest", as: String.self) }
        let reasons = Set(digests.filter { matched.contains($0.digest) }.map(\.reason))
        return [SealedRecordRefusal.Reason.person, .unnumbered, .unknownNumberKind, .idAlone].first(where: reasons.contains)
    }

    private func insertKey(_ keyDigest: String, case caseDigest: String, orderId: String, orderedAtMilliseconds: Int64) throws(StorageError) {
        try transaction.send(
            """
            INSERT INTO kit_sealed_keys (key_digest, case_digest, order_id, ordered_at_ms) VALUES ($1, $2, $3, $4)
            ON CONFLICT (key_digest, case_digest, order_id) DO NOTHING
            """,
            [.text(keyDigest), .text(caseDigest), .text(orderId), .integer(orderedAtMilliseconds)])
        transaction.scratch.store(true, for: Self.ordersAppliedKey)
    }

    /// The latest order that ``covers(stateId:fbiNumber:caseNumber:occurredAtMilliseconds:)``
    /// a record; nil when none does.
    func coveringOrder(
        stateId: String?, fbiNumber: String?, caseNumber: String?, occurredAtMilliseconds: Int64
    ) throws(StorageError) -> (orderId: String, orderedAtMilliseconds: Int64)? {
        let keys = Self.keyDigests(stateId: stateId, fbiNumber: fbiNumber)
        guard let first = keys.first else { return nil }
        let caseDigest = SealingOrder.nonEmpty(caseNumber).map(SealingDigest.caseNumber) ?? ""
        guard let row = try transaction.fetchOne(
            """
            SELECT order_id, ordered_at_ms FROM kit_sealed_keys
            WHERE key_digest IN ($1, $2) AND case_digest IN ('', $3) AND ordered_at_ms > $4
            ORDER BY ordered_at_ms DESC, order_id LIMIT 1
            """,
            [.text(first), .text(keys.last ?? first), .text(caseDigest), .integer(occurredAtMilliseconds)])
        else { return nil }
        return (try row.get("order_id"), try row.get("ordered_at_ms"))
    }

    /// The orders applied, oldest first (for operators and tests: no personal data).
    public func orders() throws(StorageError) -> [AppliedSealingOrder] {
        try transaction.fetchAll(
            """
            SELECT order_id, kind, scope, case_count, rows_removed, removed FROM kit_sealing_orders
            ORDER BY ordered_at_ms, order_id
            """
        ).map { row throws(StorageError) in
            AppliedSealingOrder(
                orderId: try row.get("order_id"), kind: try row.get("kind"), scope: try row.get("scope"),
                caseCount: try row.get("case_count"), rowsRemoved: try row.get("rows_removed"), removed: try row.get("removed"))
        }
    }

    /// Removes the outbox's messages about the order's person that have not been delivered (or
    /// could not be): a notification about a sealed record must not go out after the order.
    /// Messages carry their subject's digest (`OutgoingMessage.subjectDigest`: the state ID's,
    /// else the FBI number's); the person is the order's numbers and those the projection's
    /// removed rows paired with them (`paired`). An order under `listed_cases` removes the
    /// person's notifications routed for a listed case (``RoutedScope``: the router's, routed
    /// for the supervision case an arrest matched); other messages do not say which case they
    /// came from, and stay.
    ///
    /// An `all_records` order also finds the messages about someone else that name the person
    /// besides their subject (``OutboxMentions``: the person police met in a contact
    /// notification, filed under the digest of their number): each is replaced by what
    /// `withdrawing` makes of it (the projection's message without the person, signed again;
    /// counted as `<table>.person_mentioned`), or removed when it makes nothing of it, or what
    /// it makes still carries one of their digests, or its stored headers cannot be read
    /// (counted as the table). The subject's notification still goes out, in its place in the
    /// outbox; the person does not.
    func removeFromOutbox(
        _ order: SealingOrder, paired: SealingTally = SealingTally(),
        withdrawing: (Set<String>, OutgoingMessage) -> OutgoingMessage? = { _, _ in nil }
    ) throws(StorageError) -> SealingTally {
        var tally = SealingTally()
        let digests = SealingDigest.subjects(
            stateIds: [order.stateId].compactMap { $0 } + paired.pairedStateIds,
            fbiNumbers: [order.fbiNumber].compactMap { $0 } + paired.pairedFbiNumbers)
        guard order.scope == .allRecords else {
            for digest in digests {
                for table in ["kit_outbox", "kit_outbox_failed"] {
                    for row in try transaction.fetchAll("SELECT seq, value FROM \(table) WHERE subject_digest = $1 ORDER BY seq", [.text(digest)]) {
                        guard RoutedScope.isNotification(try row.get("value"), routedForAnyOf: order.caseNumbers) else { continue }
                        tally.add(try transaction.execute("DELETE FROM \(table) WHERE seq = $1", [.integer(try row.get("seq"))]), from: table)
                    }
                }
            }
            return tally
        }
        for digest in digests {
            tally.add(try transaction.execute("DELETE FROM kit_outbox WHERE subject_digest = $1", [.text(digest)]), from: "kit_outbox")
            tally.add(
                try transaction.execute("DELETE FROM kit_outbox_failed WHERE subject_digest = $1", [.text(digest)]),
                from: "kit_outbox_failed")
        }
        tally.merge(try withdrawMentions(of: Set(digests), withdrawing))
        return tally
    }

    /// The messages of both outbox tables that name a person filed under `digests` besides
    /// their subject, rewritten by `withdrawing` or removed (``removeFromOutbox(_:paired:withdrawing:)``).
    private func withdrawMentions(
        of digests: Set<String>, _ withdrawing: (Set<String>, OutgoingMessage) -> OutgoingMessage?
    ) throws(StorageError) -> SealingTally {
        var tally = SealingTally()
        for table in ["kit_outbox", "kit_outbox_failed"] {
            // The rows naming anyone besides their subject: few (contact notifications waiting to go out).
            for filed in try transaction.fetchAll(
                "SELECT seq, mention_digests FROM \(table) WHERE mention_digests IS NOT NULL ORDER BY seq", []) {
                let covered = OutboxMentions.digests(ofColumn: try filed.get("mention_digests", as: String?.self)).intersection(digests)
                guard !covered.isEmpty else { continue }
                let seq: Int64 = try filed.get("seq")
                guard let row = try transaction.fetchOne(
                    "SELECT topic, key, value, headers, header_bytes FROM \(table) WHERE seq = $1", [.integer(seq)])
                else { continue }
                let headers = try? ServiceDatabase.headers(of: row)
                let message = OutgoingMessage(topic: try row.get("topic"), key: try row.get("key"), value: try row.get("value"), headers: headers ?? [])
                if headers != nil, let rewritten = withdrawing(covered, message),
                   OutboxMentions.digests(in: rewritten.value).allSatisfy({ !covered.contains($0) }) {
                    tally.add(try transaction.execute(
                        "UPDATE \(table) SET value = $1, headers = '', header_bytes = $2, mention_digests = $3 WHERE seq = $4",
                        [.bytes(rewritten.value), .bytes(OutboxHeaders.encode(rewritten.headers)), OutboxMentions.column(of: rewritten.value),
                         .integer(seq)]), from: "\(table).person_mentioned")
                } else {
                    tally.add(try transaction.execute("DELETE FROM \(table) WHERE seq = $1", [.integer(seq)]), from: table)
                }
            }
        }
        return tally
    }

    /// The digests of the numbers present (one or two).
    static func keyDigests(stateId: String?, fbiNumber: String?) -> [String] {
        var digests: [String] = []
        if let stateId = SealingOrder.nonEmpty(stateId) { digests.append(SealingDigest.stateId(stateId)) }
        if let fbiNumber = SealingOrder.nonEmpty(fbiNumber) { digests.append(SealingDigest.fbiNumber(fbiNumber)) }
        return digests
    }
}

/// One applied order as recorded: what was removed, counted, never the data.
public struct AppliedSealingOrder: Sendable, Hashable {
    public var orderId: String
    public var kind: String
    public var scope: String
    public var caseCount: Int64
    public var rowsRemoved: Int64
    /// `table=rows` pairs (``SealingTally``).
    public var removed: String
}
