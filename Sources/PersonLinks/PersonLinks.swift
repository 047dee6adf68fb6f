import Contracts
import Foundation
import ServiceKit
import Storage

/// A service's own copy of the person index's decisions (`bus.identity`): which person each
/// record belongs to, with the decision that linked it, the merges (for links read after the
/// merge that absorbed their person), and the digests of the records a sealing order removed.
/// The router and the warrant resolver each keep one, in tables of their own (`Tables`), and
/// read `bus.identity` in full as a reference topic: it is keyed by person id, unrelated to the
/// keys of what they match, so every instance keeps the whole mapping (a row a record).
///
/// `apply(_:)` is the only writer of the mapping. Each row keeps the version (time, then event
/// id) of the decision that wrote it and an older decision never overwrites a newer one, so the
/// mapping is a function of the events read, not of the order their partitions interleaved in.
///
/// Table names come from the owning service's code (`Tables`), never from input; every value is
/// a bound parameter.
public struct PersonLinks {
    /// The three tables of one service's copy; their columns are the same for every service
    /// (see the router's `router-person-links-v1` and the resolver's `warrants-v6`).
    public struct Tables: Sendable, Hashable {
        /// `record_id` (key), `person_id`, `decision_source`, `score`, `agreed`, `at_ms`, `event_id`.
        public var records: String
        /// `merged_person_id` (key), `survivor_id`, `at_ms`, `event_id`.
        public var merges: String
        /// `record_digest` (key), `ordered_at_ms`.
        public var sealed: String

        public init(records: String, merges: String, sealed: String) {
            self.records = records
            self.merges = merges
            self.sealed = sealed
        }
    }

    public let transaction: any StorageTransaction
    public let tables: Tables

    public init(_ transaction: any StorageTransaction, tables: Tables) {
        self.transaction = transaction
        self.tables = tables
    }

    /// How a record came to its person: the `bus.identity.linked` decision about it.
    public struct Link: Sendable, Hashable {
        public var personId: String
        public var decisionSource: String?
        public var score: Double?
        public var agreed: [String]

        public init(personId: String, decisionSource: String?, score: Double?, agreed: [String]) {
            self.personId = personId
            self.decisionSource = decisionSource
            self.score = score
            self.agreed = agreed
        }

        /// How sure the index was and why, never a value: `a shared strong identifier`,
        /// `model score 0.987; agreed: familyName, dateOfBirth`, `decided by a reviewer`.
        public var confidence: String {
            let source = switch decisionSource {
            case "strong_identifier": "a shared strong identifier"
            case "model": "model score \(score.map { String(format: "%.3f", $0) } ?? "unknown")"
            case "human": "decided by a reviewer"
            default: "linked by the person index"
            }
            return agreed.isEmpty ? source : "\(source); agreed: \(agreed.joined(separator: ", "))"
        }
    }

    /// Where an identity event stands among the index's decisions: its time (`at`, in
    /// milliseconds) and, between events of the same millisecond, its id. A service reads
    /// `bus.identity`'s partitions in whatever interleaving the broker gives (a person's events
    /// share a partition; a merge or a split moves records across persons, hence partitions), so
    /// each row keeps the version that wrote it and an older event never overwrites a newer
    /// one.
    public struct Version: Sendable, Hashable, Comparable {
        public var atMilliseconds: Int64
        public var eventId: String

        public init(atMilliseconds: Int64, eventId: String) {
            self.atMilliseconds = atMilliseconds
            self.eventId = eventId
        }

        public static func < (lhs: Version, rhs: Version) -> Bool {
            (lhs.atMilliseconds, lhs.eventId) < (rhs.atMilliseconds, rhs.eventId)
        }
    }

    // MARK: Applying an identity event

    /// What an identity event did to the mapping.
    public enum Change: Sendable, Hashable {
        /// A link or merge: records now belong to `person` (the person after any merge read earlier).
        case joined(person: String)
        /// An unlink or split: records may have left their person.
        case separated
        /// Nothing the service acts on: a decision about a removed (sealed) record.
        case ignored
    }

    /// Applies a `bus.identity` event of `IdentityDecision.eventTypes`.
    ///
    /// - linked / merged: the named record takes the decision, the record it was linked to the
    ///   person, the merged person's records the survivor. A link or merge naming a record a
    ///   sealing order removed joins the sealed person: its other side was theirs too when the
    ///   order came; every id it names is remembered as removed, and nothing else changes.
    /// - unlinked / split: the parts are different people; a removed record is left out.
    public func apply(_ event: AdmittedEvent) throws -> Change {
        let (decision, version) = try Self.decode(event)
        switch event.eventType {
        case IdentityDecision.linked, IdentityDecision.merged:
            let named = [decision.personId, decision.recordId, decision.linkedTo, decision.mergedPersonId].compactMap { $0 }
            if let orderedAt = try sealedAfter(named, occurredAtMilliseconds: version.atMilliseconds) {
                try noteSealed(Set(named), orderedAtMilliseconds: orderedAt)
                return .ignored
            }
            if let record = decision.recordId {
                try setPerson(decision.personId, of: record, decision: Link(
                    personId: decision.personId, decisionSource: decision.decisionSource, score: decision.score, agreed: decision.agreed ?? []),
                    version: version)
            }
            if let other = decision.linkedTo { try setPerson(decision.personId, of: other, version: version) }
            if let merged = decision.mergedPersonId { try merge(merged, into: decision.personId, version: version) }
            // The person the records now belong to (a merge read earlier may have absorbed it).
            return .joined(person: try decision.recordId.flatMap { try link(of: $0)?.personId } ?? decision.personId)
        case IdentityDecision.unlinked, IdentityDecision.split:
            func sealed(_ id: String) throws -> Bool { try sealedAfter([id], occurredAtMilliseconds: version.atMilliseconds) != nil }
            if let record = decision.recordId, let newPerson = decision.newPersonId, try !sealed(record), try !sealed(newPerson) {
                try setPerson(newPerson, of: record, version: version)
            }
            for part in decision.persons ?? [] {
                guard try !sealed(part.personId) else { continue }
                for record in part.recordIds {
                    if try !sealed(record) { try setPerson(part.personId, of: record, version: version) }
                }
            }
            return .separated
        default:
            return .ignored
        }
    }

    /// The decision an identity event carries and where it stands; a malformed one is poison
    /// (named by field, never by value).
    public static func decode(_ event: AdmittedEvent) throws(PoisonMessage) -> (IdentityDecision, Version) {
        let decision: IdentityDecision
        do {
            decision = try EventCodec.decodeJSON(IdentityDecision.self, from: event.value)
        } catch {
            throw PoisonMessage(reason: "bus.identity: personId, recordId, linkedTo, persons or at malformed")
        }
        guard let at = RFC3339.parse(decision.at) else { throw PoisonMessage(reason: "bus.identity: at is not an RFC 3339 time") }
        return (decision, Version(atMilliseconds: Int64((at.timeIntervalSince1970 * 1_000).rounded()), eventId: event.eventId))
    }

    // MARK: Links

    public func link(of recordId: String) throws -> Link? {
        try transaction.fetchOne(
            "SELECT person_id, decision_source, score, agreed FROM \(tables.records) WHERE record_id = $1", [.text(recordId)]
        ).map { row in
            Link(personId: try row.get("person_id"), decisionSource: try row.get("decision_source"), score: try row.get("score"),
                 agreed: (try row.get("agreed", as: String?.self)).map { $0.split(separator: ",").map(String.init) } ?? [])
        }
    }

    /// The records of `personId`, ascending.
    public func records(of personId: String) throws -> [String] {
        try transaction.fetchAll("SELECT record_id FROM \(tables.records) WHERE person_id = $1 ORDER BY record_id", [.text(personId)])
            .map { try $0.get("record_id") }
    }

    /// `recordId` and every record of its person, ascending; `[recordId]` when no link names it.
    public func records(samePersonAs recordId: String) throws -> [String] {
        guard let person = try link(of: recordId)?.personId else { return [recordId] }
        return Array(Set(try records(of: person) + [recordId])).sorted()
    }

    /// Whether two records belong to one person now.
    public func samePerson(_ a: String, _ b: String) throws -> Bool {
        if a == b { return true }
        guard let person = try link(of: a)?.personId else { return false }
        return try link(of: b)?.personId == person
    }

    /// How sure the index is that `a` and `b` are one person: the decision that linked `a`,
    /// else the one that linked `b` (a record named only as the other side of a link has none).
    public func confidence(_ a: String, _ b: String) throws -> Link? {
        let first = try link(of: a)
        if first?.decisionSource != nil { return first }
        return try link(of: b) ?? first
    }

    /// `recordId` belongs to `personId` as of `version` — unless the row holds a newer decision.
    /// The person is first followed through the merges made at or after `version` (a merge read
    /// before the link it absorbs). The decision is replaced when given; a record named only as
    /// the other side of a link keeps the decision it had.
    func setPerson(_ personId: String, of recordId: String, decision: Link? = nil, version: Version) throws {
        if let stored = try self.version(of: recordId), version < stored { return }
        let person = try resolve(personId, since: version.atMilliseconds)
        let arguments: [SQLValue] = [.text(recordId), .text(person), .integer(version.atMilliseconds), .text(version.eventId)]
        if let decision {
            _ = try transaction.execute(
                """
                INSERT INTO \(tables.records) (record_id, person_id, at_ms, event_id, decision_source, score, agreed)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (record_id) DO UPDATE SET person_id = excluded.person_id, at_ms = excluded.at_ms, event_id = excluded.event_id,
                    decision_source = excluded.decision_source, score = excluded.score, agreed = excluded.agreed
                """,
                arguments + [.optional(decision.decisionSource), decision.score.map(SQLValue.real) ?? .null, .text(decision.agreed.joined(separator: ","))])
        } else {
            _ = try transaction.execute(
                """
                INSERT INTO \(tables.records) (record_id, person_id, at_ms, event_id) VALUES ($1, $2, $3, $4)
                ON CONFLICT (record_id) DO UPDATE SET person_id = excluded.person_id, at_ms = excluded.at_ms, event_id = excluded.event_id
                """, arguments)
        }
    }

    private func version(of recordId: String) throws -> Version? {
        try transaction.fetchOne("SELECT at_ms, event_id FROM \(tables.records) WHERE record_id = $1", [.text(recordId)]).map { row in
            Version(atMilliseconds: try row.get("at_ms"), eventId: try row.get("event_id"))
        }
    }

    /// The person `personId` became through the merges made at or after `atMilliseconds`
    /// (a bounded walk: survivors are smaller ids, so a chain ends).
    private func resolve(_ personId: String, since atMilliseconds: Int64) throws -> String {
        var person = personId
        var since = atMilliseconds
        for _ in 0..<64 {
            guard let row = try transaction.fetchOne(
                "SELECT survivor_id, at_ms FROM \(tables.merges) WHERE merged_person_id = $1 AND at_ms >= $2", [.text(person), .integer(since)])
            else { break }
            person = try row.get("survivor_id")
            since = try row.get("at_ms")
        }
        return person
    }

    /// Every record of `merged` assigned at or before the merge now belongs to `survivor`; the
    /// merge is kept (the newest per absorbed person) for links of `merged` read after it.
    func merge(_ merged: String, into survivor: String, version: Version) throws {
        _ = try transaction.execute(
            """
            INSERT INTO \(tables.merges) (merged_person_id, survivor_id, at_ms, event_id) VALUES ($1, $2, $3, $4)
            ON CONFLICT (merged_person_id) DO UPDATE SET survivor_id = excluded.survivor_id, at_ms = excluded.at_ms, event_id = excluded.event_id
            WHERE \(tables.merges).at_ms < excluded.at_ms
               OR (\(tables.merges).at_ms = excluded.at_ms AND \(tables.merges).event_id < excluded.event_id)
            """, [.text(merged), .text(survivor), .integer(version.atMilliseconds), .text(version.eventId)])
        _ = try transaction.execute(
            "UPDATE \(tables.records) SET person_id = $1 WHERE person_id = $2 AND at_ms <= $3",
            [.text(try resolve(survivor, since: version.atMilliseconds)), .text(merged), .integer(version.atMilliseconds)])
    }

    // MARK: Sealing

    /// Removes the mapping rows of `records` and the merges naming any of `ids` (person ids are
    /// record ids: a person is named by its smallest record, so a merge may name it by any of
    /// its records), and remembers `ids` as removed at `orderedAtMilliseconds`.
    public func remove(records: Set<String>, ids: Set<String>, orderedAtMilliseconds: Int64) throws -> SealingTally {
        var tally = SealingTally()
        for record in records.sorted() {
            tally.add(try transaction.execute("DELETE FROM \(tables.records) WHERE record_id = $1", [.text(record)]), from: tables.records)
        }
        for id in ids.sorted() {
            tally.add(try transaction.execute("DELETE FROM \(tables.merges) WHERE merged_person_id = $1 OR survivor_id = $1", [.text(id)]), from: tables.merges)
        }
        try noteSealed(ids, orderedAtMilliseconds: orderedAtMilliseconds)
        return tally
    }

    /// Remembers `ids` (records, or persons named by a record) as removed by an order made at
    /// `orderedAtMilliseconds`; a later order for the same id keeps the later time.
    public func noteSealed(_ ids: Set<String>, orderedAtMilliseconds: Int64) throws {
        for id in ids.sorted() {
            _ = try transaction.execute(
                """
                INSERT INTO \(tables.sealed) (record_digest, ordered_at_ms) VALUES ($1, $2)
                ON CONFLICT (record_digest) DO UPDATE SET ordered_at_ms = excluded.ordered_at_ms
                    WHERE excluded.ordered_at_ms > \(tables.sealed).ordered_at_ms
                """, [.text(Self.sealedDigest(id)), .integer(orderedAtMilliseconds)])
        }
    }

    /// The time of the latest order that removed one of `ids` after `occurredAtMilliseconds`
    /// (nil: none did): something that happened before the order and names a removed record
    /// is the sealed person's, and is not kept. Something that happened after it is new.
    public func sealedAfter(_ ids: [String], occurredAtMilliseconds: Int64) throws -> Int64? {
        var latest: Int64?
        for id in Set(ids).sorted() {
            guard let row = try transaction.fetchOne(
                "SELECT ordered_at_ms FROM \(tables.sealed) WHERE record_digest = $1 AND ordered_at_ms > $2",
                [.text(Self.sealedDigest(id)), .integer(occurredAtMilliseconds)])
            else { continue }
            let orderedAt: Int64 = try row.get("ordered_at_ms")
            latest = max(latest ?? orderedAt, orderedAt)
        }
        return latest
    }

    /// A removed record's id as a service remembers it: a SHA-256 digest with a domain tag of
    /// its own (like `SealingDigest`'s), never the id, which holds an agency's number.
    public static func sealedDigest(_ recordId: String) -> String {
        SHA256.hex("reentrybus/sealing/person-record/v1\u{0}\(recordId)")
    }
}
