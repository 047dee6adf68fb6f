import Foundation
import PersonIndex
import Storage

/// The person index's state on a database (SQLite or PostgreSQL, one DDL): the records, the
/// person each belongs to, the links between records (with what decided each), the pairs
/// waiting for review, and every human decision (the history, and the latest per pair).
///
/// Records arrive one at a time: each is compared only with the records its blocking keys
/// reach (stored beside the records), never with the whole store. Every operation runs in the
/// caller's transaction and returns the `bus.identity` events it implies, for the caller's
/// outbox. A human decision always wins over the model: a model link never joins persons
/// holding a pair a human called distinct (the pair goes to review instead), and `distinct`
/// undoes the model's links that held the two records together (an explicit split).
///
/// Person ids follow `PersonClusters`' survivor rule: a person's id is its smallest record id,
/// so a merge keeps the smaller of the two ids and a split leaves the original id with the part
/// that holds that record.
public struct PersonIndexStore: Sendable {
    /// The configuration and the model the index starts with: its m and u until it learns
    /// its own (``learning``), its prior always.
    public var matcher: IncrementalMatcher
    /// When the index learns m and u from its records (``ModelLearning``).
    public var learning: ModelLearning
    /// The stored model last read, decoded (shared by copies of this store).
    let decodedModel = DecodedModelCache()
    /// Stored records prepared for comparison by earlier calls (shared by copies of this store).
    let preparedRecords = PreparedRecordCache()

    public init(matcher: IncrementalMatcher = IncrementalMatcher(), learning: ModelLearning = ModelLearning()) {
        self.matcher = matcher
        self.learning = learning
    }

    public static let migrations: [StorageMigration] = [
        .script("person-index-v1", """
            CREATE TABLE person_index_records (
                record_id TEXT NOT NULL PRIMARY KEY,
                source TEXT NOT NULL,
                record_json TEXT NOT NULL,
                person_id TEXT NOT NULL,
                added_seq BIGINT NOT NULL
            );
            CREATE INDEX person_index_records_by_person ON person_index_records (person_id);
            CREATE TABLE person_index_blocking_keys (
                block_key TEXT NOT NULL,
                record_id TEXT NOT NULL,
                PRIMARY KEY (block_key, record_id)
            );
            CREATE TABLE person_index_links (
                a TEXT NOT NULL,
                b TEXT NOT NULL,
                decided_by TEXT NOT NULL,
                score DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (a, b)
            );
            CREATE INDEX person_index_links_by_b ON person_index_links (b);
            CREATE TABLE person_index_reviews (
                a TEXT NOT NULL,
                b TEXT NOT NULL,
                score DOUBLE PRECISION NOT NULL,
                reasons TEXT NOT NULL,
                requested_seq BIGINT NOT NULL,
                PRIMARY KEY (a, b)
            );
            CREATE TABLE person_index_decisions (
                seq BIGINT NOT NULL PRIMARY KEY,
                a TEXT NOT NULL,
                b TEXT NOT NULL,
                decision TEXT NOT NULL,
                decided_by TEXT NOT NULL,
                decided_at_ms BIGINT NOT NULL
            );
            CREATE INDEX person_index_decisions_by_pair ON person_index_decisions (a, b);
            CREATE TABLE person_index_pair_decisions (
                a TEXT NOT NULL,
                b TEXT NOT NULL,
                decision TEXT NOT NULL,
                seq BIGINT NOT NULL,
                PRIMARY KEY (a, b)
            );
            CREATE TABLE person_index_counters (
                name TEXT NOT NULL PRIMARY KEY,
                value BIGINT NOT NULL
            );
            INSERT INTO person_index_counters (name, value) VALUES ('events', 0);
            INSERT INTO person_index_counters (name, value) VALUES ('records', 0);
            INSERT INTO person_index_counters (name, value) VALUES ('decisions', 0)
            """),
        // A record linked on a bare initial looks for reviews its candidate's person waits in.
        .script("person-index-v2", "CREATE INDEX person_index_reviews_by_b ON person_index_reviews (b)"),
        // Why each pair was held (`ReviewHold`): its cause and up to two other records named by
        // it; NULL for the pairs held before (the reviewer's tools then infer it from the pair).
        // Indexed, so that removing a sealed record finds the holds naming it without a scan.
        .script("person-index-v3", """
            ALTER TABLE person_index_reviews ADD COLUMN held_because TEXT;
            ALTER TABLE person_index_reviews ADD COLUMN held_by_a TEXT;
            ALTER TABLE person_index_reviews ADD COLUMN held_by_b TEXT;
            CREATE INDEX person_index_reviews_by_held_by_a ON person_index_reviews (held_by_a);
            CREATE INDEX person_index_reviews_by_held_by_b ON person_index_reviews (held_by_b)
            """),
        // The m and u the index learnt from its records (`ModelLearning`): one row, none before.
        modelMigration,
        // How many of the records a learning read carry each name (`NameCounts`).
        nameCountsMigration,
        // Today's blocking keys for the records stored before the passes grew.
        blockingPassesMigration,
        // And again for the address pass.
        addressBlockingMigration,
        // Which model links were made unless the persons' sexes disagree.
        sexesDoubtMigration,
    ]

    /// 2026-12-07: each link says whether the model made it unless the persons' sexes disagree
    /// (`PairComparison.linkUnlessSexesDisagree`: given names only close, a record without the
    /// sex), 1 or 0. A person holding such a link keeps a later model link to a person whose
    /// records give another sex waiting for review (`hold`): judged as records arrive, the
    /// store must remember, across restarts, how a person was joined, and the links are where
    /// it keeps that. Links made before say 0: they are judged as before until the index is
    /// rebuilt (`reentrybus replay person-index`), as `person-index-v6` leaves new pairs.
    static let sexesDoubtMigration = StorageMigration.script(
        "person-index-v8", "ALTER TABLE person_index_links ADD COLUMN unless_sexes_disagree BIGINT NOT NULL DEFAULT 0")

    // MARK: - Records

    /// Adds records in order, each compared with the records already stored that share a
    /// blocking key with it (and with those added before it here): links, merges and review
    /// requests, as events. A record id stored before with the same contents is skipped (a
    /// redelivery); with other contents it is refused.
    ///
    /// Decides with the m and u the index learnt last (``ModelLearning``), and learns again
    /// when a record added here is one it learns at: the records after it are decided with
    /// what it learnt. `learnt` is told what each learning did, in this transaction (the
    /// service counts it and checks its population again).
    public func add(
        _ records: [PersonRecord], at: Date, _ transaction: any StorageTransaction, learnt: (LearningOutcome) throws -> Void = { _ in }
    ) throws -> [IdentityEvent] {
        let session = Session(transaction: transaction, at: at, preparedRecords: preparedRecords)
        var store = try deciding(transaction)
        var events: [IdentityEvent] = []
        for record in records {
            let (added, recordEvents) = try store.add(record, session)
            events += recordEvents
            if let added, learning.isDue(afterAdding: added) {
                let outcome: LearningOutcome
                (store, outcome) = try store.learn(atRecord: added, session)
                try learnt(outcome)
            }
        }
        return events
    }

    /// Adds one record: its number among the records added (nil for a redelivery) and the events.
    private func add(_ record: PersonRecord, _ session: Session) throws -> (added: Int64?, events: [IdentityEvent]) {
        let json = try record.jsonLine()
        if let stored = try session.transaction.fetchOne(
            "SELECT record_json FROM person_index_records WHERE record_id = $1", [.text(record.recordId)]) {
            guard try stored.get("record_json", as: String.self) == json else { throw PersonIndexStoreError(.conflictingRecord(record.recordId)) }
            return (nil, [])
        }
        let keys = matcher.blockingKeys(record)
        let candidateIds = try candidates(sharing: keys, session)
        let added = try session.next("records")
        _ = try session.transaction.execute(
            "INSERT INTO person_index_records (record_id, source, record_json, person_id, added_seq) VALUES ($1, $2, $3, $1, $4)",
            [.text(record.recordId), .text(record.source), .text(json), .integer(added)])
        // The record's keys (a dozen or so) in one statement: one round trip on PostgreSQL.
        for chunk in MultiRowStatement.paddedChunks(of: keys) {
            try session.transaction.send(
                Self.insertKeys.sql(rows: chunk.count), chunk.flatMap { [.text($0), .text(record.recordId)] })
        }
        let prepared = PreparedRecord(record)

        var decided: [(candidate: String, comparison: PairComparison)] = []
        let names = try session.nameCounts
        let sortedCandidates = candidateIds.sorted()
        try session.prepare(sortedCandidates)
        for candidateId in sortedCandidates {
            let comparison = try matcher.compare(prepared, try session.prepared(candidateId), names: names)
            if comparison.decision != .distinct { decided.append((candidateId, comparison)) }
        }
        // Links before reviews (a review between records a link has joined is moot), strong
        // identifiers first, links that wait on the persons' sexes after the other model links
        // (as a batch makes them), then by score; ties by record id, so the result is reproducible.
        decided.sort { x, y in
            let rank = { (c: PairComparison) in c.decision == .link ? (c.byIdentifier ? 0 : c.linkUnlessSexesDisagree ? 2 : 1) : 3 }
            if rank(x.comparison) != rank(y.comparison) { return rank(x.comparison) < rank(y.comparison) }
            if x.comparison.score != y.comparison.score { return x.comparison.score > y.comparison.score }
            return x.candidate < y.candidate
        }
        var events: [IdentityEvent] = []
        for (candidate, comparison) in decided {
            if let hold = try hold(record.recordId, candidate, comparison, decided: decided, session) {
                events += try requestReview(record.recordId, candidate, comparison, hold: hold, session)
            } else {
                let source: IdentityEvent.DecisionSource = comparison.byIdentifier ? .strongIdentifier : .model
                events += try link(
                    record.recordId, to: candidate, source: source, comparison: comparison, by: nil,
                    newRecord: record.recordId, session)
            }
        }
        return (added, events)
    }

    /// The stored records that share one of `keys`, in one query (one round trip on PostgreSQL):
    /// at most one more than the largest block compared is read a key (each key's own `LIMIT`),
    /// and a block holding more stored records than that maximum (a placeholder value shared by
    /// thousands) is not compared.
    private func candidates(sharing keys: [String], _ session: Session) throws -> Set<String> {
        let limit = matcher.configuration.maximumBlockSize
        var blocks: [String: Set<String>] = [:]
        for chunk in MultiRowStatement.paddedChunks(of: keys) {
            let rows: [StorageRow]
            switch session.transaction.dialect {
            case .sqlite:
                rows = try session.transaction.fetchAll(
                    Self.blockMembers.sql(rows: chunk.count), chunk.flatMap { [.text($0), .integer(Int64(limit) + 1)] })
            case .postgres:
                rows = try session.transaction.fetchAll(
                    Self.blockMembersLateral.sql(rows: chunk.count), [.integer(Int64(limit) + 1)] + chunk.map { .text($0) })
            }
            for row in rows { blocks[try row.get("block_key", as: String.self), default: []].insert(try row.get("record_id", as: String.self)) }
        }
        var candidateIds = Set<String>()
        for members in blocks.values where members.count <= limit { candidateIds.formUnion(members) }
        return candidateIds
    }

    /// Blocking keys, a chunk at a time (``MultiRowStatement``: a few forms in the statement
    /// cache): a record's as it is added, every record's in `person-index-v6` and `-v7`; a key repeated to
    /// fill a chunk, or already stored, is inserted once.
    static let insertKeys = MultiRowStatement(
        "INSERT INTO person_index_blocking_keys (block_key, record_id) VALUES ", row: { "($\($0), $\($0 + 1))" }, parametersPerRow: 2,
        " ON CONFLICT (block_key, record_id) DO NOTHING")

    /// The members of several blocks, each read up to its `LIMIT`, on PostgreSQL: the keys as a
    /// `VALUES` list joined `LATERAL` to one limited read each (`$1` the limit, then a key a
    /// row), a plan of one loop however many keys (the `UNION ALL` below, planned anew at each
    /// record, made the store slower there than a query a key).
    static let blockMembersLateral = MultiRowStatement(
        "SELECT k.key AS block_key, b.record_id FROM (VALUES ", row: { "($\($0 + 1))" }, parametersPerRow: 1,
        """
        ) AS k(key) CROSS JOIN LATERAL (
            SELECT record_id FROM person_index_blocking_keys WHERE block_key = k.key LIMIT $1
        ) AS b
        """)

    /// The members of several blocks, each read up to its `LIMIT`, on SQLite (no `LATERAL`):
    /// a limited read a key, joined by `UNION ALL` (a key and the limit a row).
    static let blockMembers = MultiRowStatement(
        "",
        row: { "SELECT block_key, record_id FROM (SELECT block_key, record_id FROM person_index_blocking_keys WHERE block_key = $\($0) LIMIT $\($0 + 1)) AS block" },
        parametersPerRow: 2, separator: " UNION ALL ")

    /// Why the record being added is not linked to `candidate` (nil: link them). A pair the
    /// model scored for review is linked only when what held it is resolved by the other
    /// records (no rival for a bare initial, a rare misspelled given name or a missing date of
    /// birth, dates not confirmed
    /// apart); any link, a shared strong identifier's included, waits for a human when a
    /// reviewer decided the two persons distinct, and a model link when the persons' records
    /// carry different numbers, or, for close given names beside a missing sex, give different
    /// sexes (`PairComparison.linkUnlessSexesDisagree`: twins Mark and Mary). Judged as each
    /// record is added, that alone catches twins only when a record with the other sex is
    /// stored before the sexless one: stored Mary, a sexless Mark, then Mark with the sex, the
    /// sexless Mark joins Mary and Mark then joins him by equal names. So a model link waits too
    /// when either person was joined through such a link (`unless_sexes_disagree`, kept with
    /// the links) and the persons' records give different sexes: the link that joined the
    /// sexless record may be the wrong one, and a reviewer sees which (the batch, judging after
    /// every confident link, keeps them apart in any order).
    private func hold(
        _ recordId: String, _ candidate: String, _ comparison: PairComparison, decided: [(candidate: String, comparison: PairComparison)],
        _ session: Session
    ) throws -> ReviewHold? {
        if comparison.decision != .link {
            if let shared = comparison.formalNamesLeftOpen {
                if let hold = try namedRival(recordId, candidate, sharing: shared, decided: decided, session) { return hold }
            } else if comparison.linkableWhenUnambiguous {
                if let rival = try rival(recordId, candidate, comparison, decided: decided, session) {
                    return ReviewHold(.anotherPersonPlausible, records: [rival])
                }
            } else if comparison.linkableUnlessDatesConfirmedApart {
                if try datesConfirmedApart(recordId, candidate, session) { return ReviewHold(.datesConfirmedApart) }
            } else {
                return ReviewHold(comparison.score < matcher.configuration.linkThreshold ? .belowLinkThreshold : .fields)
            }
        }
        let mine = try person(of: recordId, session), theirs = try person(of: candidate, session)
        if !comparison.byIdentifier, let (x, y) = try identifiersConflict(mine, theirs, session) {
            return ReviewHold(.personsCarryDifferentNumbers, records: [x, y])
        }
        if !comparison.byIdentifier,
            try comparison.linkUnlessSexesDisagree || (mine != theirs && session.joinedUnlessSexesDisagree(mine, theirs)),
            let (x, y) = try sexesDisagree(mine, theirs, session)
        {
            return ReviewHold(.anotherPersonPlausible, records: [x, y].filter { $0 != recordId && $0 != candidate })
        }
        if let (x, y) = try session.distinctPairBetween(mine, theirs) { return ReviewHold(.decidedDistinct, records: [x, y]) }
        return nil
    }

    /// The record that makes linking the record being added to `candidate` on a bare initial,
    /// a rare misspelled given name or without a date of birth a guess (nil: none), judged as `PersonResolver` judges a batch
    /// (`PlausiblePartners.hasRival`): the new record has another plausible partner in a third
    /// person, or the candidate's person waits in review with a third person, or a record of the
    /// new record's person and one of the candidate's contradict each other (given names or sexes
    /// disagreeing outright, dates of birth far apart: twins, whatever their pair scored). A
    /// partner of the new record, or a review of the candidate's person, whose pair contradicts
    /// is no rival (a brother named otherwise at the same address), nor, for an undated pair,
    /// one that weighs `undatedRivalMargin` bits less (a namesake elsewhere).
    private func rival(
        _ recordId: String, _ candidate: String, _ comparison: PairComparison, decided: [(candidate: String, comparison: PairComparison)],
        _ session: Session
    ) throws -> String? {
        let mine = try person(of: recordId, session), theirs = try person(of: candidate, session)
        let undated = !comparison.reasons.contains { $0.field == .dateOfBirth }
        let margin = undated ? matcher.configuration.undatedRivalMargin : nil
        for other in decided where other.candidate != candidate && !other.comparison.contradictsOnePerson {
            if let margin, other.comparison.weight <= comparison.weight - margin { continue }
            let person = try person(of: other.candidate, session)
            if person != mine && person != theirs { return other.candidate }
        }
        // The reviews the candidate's person waits in with third persons, in one statement;
        // judged by the same two rules as the new record's partners, on the pair compared again.
        for row in try reviews(ofPerson: theirs, session) {
            let person = try row.get("other", as: String.self)
            guard person != mine && person != theirs else { continue }
            let review = try matcher.compare(
                try session.prepared(try row.get("a", as: String.self)), try session.prepared(try row.get("b", as: String.self)),
                names: try session.nameCounts)
            if review.contradictsOnePerson { continue }
            if let margin, review.weight <= comparison.weight - margin { continue }
            return try row.get("other_record", as: String.self)
        }
        let theirRecords = try session.members(theirs).map { ($0, try session.prepared($0)) }
        for member in try session.members(mine) {
            let record = try session.prepared(member)
            for (id, other) in theirRecords where matcher.compare(record, other).contradictsOnePerson { return id }
        }
        return nil
    }

    /// The reviews a person's records wait in, in one statement, in the order of the other
    /// record's id (so the record a hold names is the same on every database): each row names
    /// the other record (`other_record`), its person (`other`) and the pair (`a`, `b`).
    private func reviews(ofPerson person: String, _ session: Session) throws -> [StorageRow] {
        try session.transaction.fetchAll(
            """
            SELECT o.person_id AS other, o.record_id AS other_record, r.a AS a, r.b AS b FROM person_index_reviews r
            JOIN person_index_records m ON m.record_id = r.b JOIN person_index_records o ON o.record_id = r.a
            WHERE m.person_id = $1
            UNION ALL
            SELECT o.person_id AS other, o.record_id AS other_record, r.a AS a, r.b AS b FROM person_index_reviews r
            JOIN person_index_records m ON m.record_id = r.a JOIN person_index_records o ON o.record_id = r.b
            WHERE m.person_id = $1
            ORDER BY other_record, a, b
            """, [.text(person)])
    }

    /// Why linking the record being added to `candidate`, whose given names leave the formal
    /// name open (`GivenNameDoubt`; `shared`: the formal names both may stand for), would be a
    /// guess (nil: it would not), judged as `PersonResolver` judges a batch
    /// (`PlausiblePartners.hasNamedRival`): a partner of the new record, or a review of the
    /// candidate's person, in a third person, whose given name stands for another formal name
    /// (`GivenNameDoubt.isRival`), or a record of either person contradicting one of the
    /// other's or naming formal names none of which it shares — the other person plausible,
    /// naming that record; the pair's own two names (Christina and Christine): its fields.
    private func namedRival(
        _ recordId: String, _ candidate: String, sharing shared: Set<String>, decided: [(candidate: String, comparison: PairComparison)],
        _ session: Session
    ) throws -> ReviewHold? {
        let mine = try person(of: recordId, session), theirs = try person(of: candidate, session)
        let own = try session.prepared(recordId).formalGivenNames
        for other in decided where other.candidate != candidate && !other.comparison.contradictsOnePerson {
            let person = try person(of: other.candidate, session)
            guard person != mine && person != theirs else { continue }
            if GivenNameDoubt.isRival(partner: try session.prepared(other.candidate).formalGivenNames, own: own, shared: shared) {
                return ReviewHold(.anotherPersonPlausible, records: [other.candidate])
            }
        }
        let candidateNames = try session.prepared(candidate).formalGivenNames
        for row in try reviews(ofPerson: theirs, session) {
            let person = try row.get("other", as: String.self)
            guard person != mine && person != theirs else { continue }
            let rival = try row.get("other_record", as: String.self)
            guard GivenNameDoubt.isRival(partner: try session.prepared(rival).formalGivenNames, own: candidateNames, shared: shared) else { continue }
            // A review whose pair contradicts (a brother named otherwise) is no rival, as in `rival`.
            let review = try matcher.compare(
                try session.prepared(try row.get("a", as: String.self)), try session.prepared(try row.get("b", as: String.self)),
                names: try session.nameCounts)
            if !review.contradictsOnePerson { return ReviewHold(.anotherPersonPlausible, records: [rival]) }
        }
        let theirRecords = try session.members(theirs).map { id in
            let record = try session.prepared(id)
            return (id, record, record.formalGivenNames)
        }
        for member in try session.members(mine) {
            let record = try session.prepared(member)
            let names = record.formalGivenNames
            for (id, other, otherNames) in theirRecords
            where matcher.compare(record, other).contradictsOnePerson || GivenNameDoubt.nameTwoPeople(names, otherNames) {
                let named = [member, id].filter { $0 != recordId && $0 != candidate }
                return ReviewHold(named.isEmpty ? .fields : .anotherPersonPlausible, records: named)
            }
        }
        return nil
    }

    /// A record of each person carrying different numbers of a kind one person has one of, which
    /// keeps a model link from joining them (`ResolverConfiguration.conflictingIdentifiersBlockLinks`),
    /// or nil.
    private func identifiersConflict(_ mine: String, _ theirs: String, _ session: Session) throws -> (String, String)? {
        guard matcher.configuration.conflictingIdentifiersBlockLinks, mine != theirs else { return nil }
        let identified = { (person: String) in
            try session.members(person).map { ($0, StrongIdentifier.all(of: try session.record($0))) }.filter { !$0.1.isEmpty }
        }
        let ours = try identified(mine)
        guard !ours.isEmpty else { return nil }
        let others = try identified(theirs)
        for (x, xs) in ours {
            for (y, ys) in others where StrongIdentifier.disagree(xs, ys) { return (x, y) }
        }
        return nil
    }

    /// A record of each person giving different sexes, or nil (as `PersonResolver.sexesDisagree`).
    private func sexesDisagree(_ mine: String, _ theirs: String, _ session: Session) throws -> (String, String)? {
        guard mine != theirs else { return nil }
        let sexed = { (person: String) in
            try session.members(person).compactMap { id in try session.record(id).sex.flatMap { $0.isInformative ? (id, $0) : nil } }
        }
        let ours = try sexed(mine)
        guard !ours.isEmpty else { return nil }
        let others = try sexed(theirs)
        for (x, sex) in ours {
            if let (y, _) = others.first(where: { $0.1 != sex }) { return (x, y) }
        }
        return nil
    }

    /// Whether the persons of the record being added and of `candidate` each have a date of
    /// birth two of their records agree on, and the two differ (`DateOfBirth.confirmedApart`).
    /// Links come before reviews, so the new record has joined its own person's records by then.
    private func datesConfirmedApart(_ recordId: String, _ candidate: String, _ session: Session) throws -> Bool {
        func dates(_ person: String) throws -> [DateOfBirth?] { try session.members(person).map { try session.record($0).dateOfBirth } }
        return DateOfBirth.confirmedApart(try dates(person(of: recordId, session)), try dates(person(of: candidate, session)))
    }

    /// The person `recordId` belongs to, or nil when the index does not hold it.
    public func personId(of recordId: String, _ transaction: any StorageTransaction) throws -> String? {
        try transaction.fetchOne("SELECT person_id FROM person_index_records WHERE record_id = $1", [.text(recordId)])?
            .get("person_id", as: String.self)
    }

    /// The state ID and the FBI number a message about `recordIds` and `personIds` waiting in an
    /// outbox is filed under, so that a sealing order naming the person drops it: the first of
    /// each among the records, then among every record of the persons (a booking without either
    /// number, linked to a case that has them, is about the case's person). Nil where no record
    /// carries one; records the index does not hold are passed over.
    public func subjectNumbers(
        records recordIds: [String], persons personIds: [String], _ transaction: any StorageTransaction
    ) throws -> (stateId: String?, fbiNumber: String?) {
        let session = Session(transaction: transaction, at: Date(timeIntervalSince1970: 0))
        var candidates = recordIds
        for person in personIds { candidates += try session.members(person) }
        var stateId: String?, fbiNumber: String?
        var seen = Set<String>()
        for recordId in candidates where seen.insert(recordId).inserted && stateId == nil {
            guard try personId(of: recordId, transaction) != nil else { continue }
            let identifiers = try session.record(recordId).identifiers
            if let number = identifiers.stateId, !number.isEmpty { stateId = number }
            if fbiNumber == nil, let number = identifiers.fbiNumber, !number.isEmpty { fbiNumber = number }
        }
        return (stateId, fbiNumber)
    }

    /// The record ids of a person, ascending.
    public func records(ofPerson personId: String, _ transaction: any StorageTransaction) throws -> [String] {
        try Session(transaction: transaction, at: Date(timeIntervalSince1970: 0)).members(personId)
    }

    // MARK: - Review

    /// The reviews still pending (`r`, with their records `ra` and `rb`): those whose records
    /// are still two persons. Shared by `pendingReviews` and `statistics`.
    static let pendingReviewsSource = """
        FROM person_index_reviews r
        JOIN person_index_records ra ON ra.record_id = r.a
        JOIN person_index_records rb ON rb.record_id = r.b
        WHERE ra.person_id <> rb.person_id
        """

    /// Pairs waiting for a human, oldest request first; pairs whose records have since come
    /// to one person another way are left out (they come back if a split parts them again).
    public func pendingReviews(limit: Int, _ transaction: any StorageTransaction) throws -> [PendingReview] {
        let session = Session(transaction: transaction, at: Date(timeIntervalSince1970: 0))
        let rows = try transaction.fetchAll(
            """
            SELECT r.a AS a, r.b AS b, r.score AS score, r.reasons AS reasons, ra.person_id AS a_person, rb.person_id AS b_person,
                r.held_because AS held_because, r.held_by_a AS held_by_a, r.held_by_b AS held_by_b
            \(Self.pendingReviewsSource)
            ORDER BY r.requested_seq, r.a, r.b
            LIMIT $1
            """, [.integer(Int64(max(0, limit)))])
        return try rows.map { row in
            let reasons = try JSONDecoder().decode([IdentityEvent.Reason].self, from: Data(try row.get("reasons", as: String.self).utf8))
            let a = try row.get("a", as: String.self), b = try row.get("b", as: String.self)
            let hold = try Self.hold(row)
            // Named records a sealing order removed are gone from the hold already; any other
            // the index no longer holds is passed over.
            let named = try (hold?.records ?? []).filter { $0 != a && $0 != b }.filter { try personId(of: $0, transaction) != nil }
            return PendingReview(
                a: try session.record(a), b: try session.record(b),
                aPersonId: try row.get("a_person", as: String.self), bPersonId: try row.get("b_person", as: String.self),
                score: try row.get("score", as: Double.self), reasons: reasons, hold: hold,
                heldByRecords: try named.map { try session.record($0) })
        }
    }

    /// Every human decision about the pair, oldest first (the last one is in force).
    public func decisions(_ a: String, _ b: String, _ transaction: any StorageTransaction) throws -> [HumanDecision] {
        let (low, high) = Self.ordered(a, b)
        return try transaction.fetchAll(
            "SELECT a, b, decision, decided_by, decided_at_ms FROM person_index_decisions WHERE a = $1 AND b = $2 ORDER BY seq",
            [.text(low), .text(high)]
        ).map { row in
            HumanDecision(
                a: try row.get("a", as: String.self), b: try row.get("b", as: String.self),
                kind: HumanDecision.Kind(rawValue: try row.get("decision", as: String.self)) ?? .distinct,
                decidedBy: try row.get("decided_by", as: String.self), atMilliseconds: try row.get("decided_at_ms", as: Int64.self))
        }
    }

    /// Records a human's decision about records `a` and `b`: kept in the history beside any
    /// earlier one about the pair; the latest wins. `link` joins their persons; `distinct`
    /// splits their person when the model's links held them together.
    ///
    /// - Throws: ``PersonIndexStoreError``: an unknown record id (named), the same record
    ///   twice, a malformed operator id, a `distinct` that only undoing strong-identifier or
    ///   human links could satisfy, a `link` that would join a pair decided distinct. Nothing
    ///   is changed then.
    public func decide(
        _ kind: HumanDecision.Kind, _ a: String, _ b: String, by operatorId: String, at: Date, _ transaction: any StorageTransaction
    ) throws -> [IdentityEvent] {
        guard PersonIndexStoreError.isOperatorId(operatorId) else { throw PersonIndexStoreError(.invalidOperator) }
        guard a != b else { throw PersonIndexStoreError(.sameRecord(a)) }
        let session = Session(transaction: transaction, at: at)
        for id in [a, b] where try personId(of: id, transaction) == nil { throw PersonIndexStoreError(.unknownRecord(id)) }
        let (low, high) = Self.ordered(a, b)
        let previous = try transaction.fetchOne("SELECT decision FROM person_index_pair_decisions WHERE a = $1 AND b = $2", [.text(low), .text(high)])
            .map { try $0.get("decision", as: String.self) }
        let lowPerson = try person(of: low, session), highPerson = try person(of: high, session)

        var consequences: [IdentityEvent] = []
        var record: () throws -> Void = {}
        switch kind {
        case .link:
            if lowPerson != highPerson, let conflict = try session.distinctPairBetween(lowPerson, highPerson, excluding: (low, high)) {
                throw PersonIndexStoreError(.conflictsWithDecision(a: conflict.0, b: conflict.1))
            }
            record = {
                consequences = try self.link(
                    high, to: low, source: .human,
                    comparison: try self.deciding(transaction).matcher.compare(
                        try session.prepared(low), try session.prepared(high), names: try session.nameCounts),
                    by: operatorId, newRecord: nil, session)
            }
        case .distinct:
            if lowPerson == highPerson {
                let plan = try splitPlan(person: lowPerson, parting: (low, high), session)
                record = { consequences = try self.apply(plan, person: lowPerson, by: operatorId, session) }
            }
        }
        // The decision's event comes first, so its id comes first too; its person once known.
        var decided = try session.event(.decided, personId: low)
        let sequence = try session.next("decisions")
        _ = try transaction.execute(
            "INSERT INTO person_index_decisions (seq, a, b, decision, decided_by, decided_at_ms) VALUES ($1, $2, $3, $4, $5, $6)",
            [.integer(sequence), .text(low), .text(high), .text(kind.rawValue), .text(operatorId), .integer(session.atMilliseconds)])
        _ = try transaction.execute(
            """
            INSERT INTO person_index_pair_decisions (a, b, decision, seq) VALUES ($1, $2, $3, $4)
            ON CONFLICT (a, b) DO UPDATE SET decision = excluded.decision, seq = excluded.seq
            """, [.text(low), .text(high), .text(kind.rawValue), .integer(sequence)])
        _ = try transaction.execute("DELETE FROM person_index_reviews WHERE a = $1 AND b = $2", [.text(low), .text(high)])
        try record()

        decided.personId = try person(of: low, session)
        decided.a = low
        decided.b = high
        decided.decision = kind.rawValue
        decided.decidedBy = operatorId
        decided.supersedes = previous
        return [decided] + consequences
    }

    // MARK: - Links and persons

    /// Stores the link between `recordId` and `other` and moves `recordId`'s person into
    /// `other`'s (or the reverse: the smaller id survives). `newRecord` is the record being
    /// added, whose own one-record person is no person anyone knew: absorbing it is no merge.
    private func link(
        _ recordId: String, to other: String, source: IdentityEvent.DecisionSource, comparison: PairComparison, by operatorId: String?,
        newRecord: String?, _ session: Session
    ) throws -> [IdentityEvent] {
        let (low, high) = Self.ordered(recordId, other)
        // A human's link or a shared number is no guess about the sexes, whatever the pair's names.
        let unlessSexesDisagree = source == .model && comparison.linkUnlessSexesDisagree
        _ = try session.transaction.execute(
            """
            INSERT INTO person_index_links (a, b, decided_by, score, unless_sexes_disagree) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (a, b) DO UPDATE SET decided_by = excluded.decided_by, score = excluded.score,
                unless_sexes_disagree = excluded.unless_sexes_disagree
            """, [.text(low), .text(high), .text(source.rawValue), .real(comparison.score), .integer(unlessSexesDisagree ? 1 : 0)])
        let mine = try person(of: recordId, session), theirs = try person(of: other, session)
        guard mine != theirs || source == .human else { return [] }  // already one person: the link only strengthens it
        let survivor = min(mine, theirs), absorbed = max(mine, theirs)
        var events: [IdentityEvent] = []
        var linked = try session.event(.linked, personId: survivor)
        linked.recordId = recordId
        linked.source = try session.source(of: recordId)
        linked.linkedTo = other
        linked.decisionSource = source
        linked.score = Self.rounded(comparison.score, places: 6)
        linked.agreed = comparison.agreedFields
        linked.decidedBy = operatorId
        events.append(linked)
        guard mine != theirs else { return events }
        _ = try session.transaction.execute(
            "UPDATE person_index_records SET person_id = $1 WHERE person_id = $2", [.text(survivor), .text(absorbed)])
        if source == .human {
            // A reviewer joined the two persons as they stand: the close-names links within them
            // are no longer guesses for a later record of another sex to doubt (`hold`).
            _ = try session.transaction.execute(
                """
                UPDATE person_index_links SET unless_sexes_disagree = 0
                WHERE unless_sexes_disagree = 1 AND a IN (SELECT record_id FROM person_index_records WHERE person_id = $1)
                """, [.text(survivor)])
        }
        if absorbed != newRecord {
            var merged = try session.event(.merged, personId: survivor)
            merged.mergedPersonId = absorbed
            merged.decisionSource = source
            merged.decidedBy = operatorId
            events.append(merged)
        }
        return events
    }

    private func requestReview(
        _ recordId: String, _ other: String, _ comparison: PairComparison, hold: ReviewHold, _ session: Session
    ) throws -> [IdentityEvent] {
        let (low, high) = Self.ordered(recordId, other)
        let lowPerson = try person(of: low, session), highPerson = try person(of: high, session)
        guard lowPerson != highPerson else { return [] }
        let reasons = comparison.reasons.map {
            IdentityEvent.Reason(field: $0.field.description, level: $0.levelName, weight: Self.rounded($0.weight, places: 3))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let sequence = try session.next("events")
        _ = try session.transaction.execute(
            """
            INSERT INTO person_index_reviews (a, b, score, reasons, requested_seq, held_because, held_by_a, held_by_b)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (a, b) DO UPDATE SET score = excluded.score, reasons = excluded.reasons, requested_seq = excluded.requested_seq,
                held_because = excluded.held_because, held_by_a = excluded.held_by_a, held_by_b = excluded.held_by_b
            """,
            [
                .text(low), .text(high), .real(comparison.score), .text(String(decoding: try encoder.encode(reasons), as: UTF8.self)),
                .integer(sequence), .text(hold.cause.rawValue), hold.records.first.map { .text($0) } ?? .null,
                hold.records.dropFirst().first.map { .text($0) } ?? .null,
            ])
        var event = IdentityEvent(kind: .reviewRequested, sequence: sequence, personId: lowPerson, at: session.at)
        event.a = low
        event.b = high
        event.bPersonId = highPerson
        event.score = Self.rounded(comparison.score, places: 6)
        event.reasons = reasons
        event.heldBecause = hold.cause
        event.heldBy = hold.records.isEmpty ? nil : hold.records
        return [event]
    }

    /// The hold stored with a review row (`held_because`, `held_by_a`, `held_by_b`), nil for a
    /// row written before holds were stored or with a cause this build does not know.
    static func hold(_ row: StorageRow) throws -> ReviewHold? {
        guard let cause = try row.get("held_because", as: String?.self).flatMap(ReviewHold.Cause.init(rawValue:)) else { return nil }
        let records = [try row.get("held_by_a", as: String?.self), try row.get("held_by_b", as: String?.self)].compactMap { $0 }
        return ReviewHold(cause, records: records)
    }

    private func person(of recordId: String, _ session: Session) throws -> String {
        guard let person = try personId(of: recordId, session.transaction) else { throw PersonIndexStoreError(.unknownRecord(recordId)) }
        return person
    }

    static func ordered(_ a: String, _ b: String) -> (String, String) { a < b ? (a, b) : (b, a) }

    static func rounded(_ value: Double, places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }
}
