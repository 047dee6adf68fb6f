import Contracts
import ServiceKit
import Storage

/// How the resolver remembers the warrants a sealing order removed (`warrants_sealed`), so that
/// an event about one read after the order does not store it again.
///
/// A warrant id is unique only within its issuing agency (a court numbers its own warrants), and
/// of the events about a warrant only the issue names that agency: a resolution, and a detainer
/// lodged on the warrant, name the id and the person. So each removed warrant is remembered by
/// several SHA-256 digests, each with a domain tag of its own, never the id, the agency or the
/// numbers themselves (column `digest_scope`, since `warrants-v11`):
///
/// - `agency`: issuing agency and id — what an issue is looked up by. Another agency's warrant
///   of the same id is another warrant, and is stored.
/// - `person`: one of the person's numbers (state ID or FBI number: those the removed row
///   carried and the order's) and id — what a resolution or a lodging naming a number is looked
///   up by. Another person's resolution of, or detainer on, a warrant of the same id is theirs.
/// - `unnumbered`: the id alone, for a resolution or a lodging that names neither number
///   (version 2 of `courts.warrants`: a booking number only). Nothing in such an event says
///   whose warrant it is; it is refused rather than risk storing the sealed one again. And the
///   id with each kind of number (state ID, FBI number) of which the resolver knew none for the
///   person (neither the row nor the order carried one), for an event naming only numbers of
///   that kind: an FBI number alone, when the warrant and the order had the state ID alone, says
///   no more whose warrant it is than no number does (the court may know the person by both;
///   the resolver never paired them), and is refused the same way. An event naming a number of
///   a kind the person had, and none of the person's numbers, is another person's (a state ID
///   that differs from theirs, with or without an FBI number the resolver never saw).
/// - `warrant-id`: the id alone, matching every event about the id, whoever's and whichever
///   agency's. The digests stored before `warrants-v11` are of this kind (they cannot be told
///   apart again: the removed rows are gone), and keep meaning what they meant; an order writes
///   one now only for a warrant whose issuing agency the resolver never learned (first seen
///   resolved), in place of the `agency` digest.
extension WarrantStore {
    /// A warrant as its row stood before an order removed it.
    struct RemovedWarrant: Sendable, Hashable {
        var warrantId: String
        /// Nil when the resolver never read its issue.
        var issuingAgencyId: String?
        var stateId: String?
        var fbiNumber: String?
    }

    /// The stored row of `warrantId` (before it is removed); nil when there is none.
    func removedWarrant(_ warrantId: String) throws -> RemovedWarrant? {
        try removedWarrants(where: "warrant_id = $1", [.text(warrantId)]).first
    }

    /// The stored rows of the warrants `condition` selects (before they are removed), by id.
    func removedWarrants(where condition: String, _ arguments: [SQLValue]) throws -> [RemovedWarrant] {
        try transaction.fetchAll(
            "SELECT warrant_id, issuing_agency_id, state_id, fbi_number FROM warrants WHERE \(condition) ORDER BY warrant_id", arguments
        ).map { row in
            RemovedWarrant(
                warrantId: try row.get("warrant_id"), issuingAgencyId: try row.get("issuing_agency_id"), stateId: try row.get("state_id"),
                fbiNumber: try row.get("fbi_number"))
        }
    }

    /// Remembers `warrant` as removed by `order` (see the overview for the digests written; a
    /// later order keeps the later time).
    func noteSealed(_ warrant: RemovedWarrant, by order: SealingOrder) throws {
        let id = warrant.warrantId
        var digests: [(digest: String, scope: String)] = []
        if let agency = Self.nonEmpty(warrant.issuingAgencyId) {
            digests.append((Self.sealedWarrantDigest(agency: agency, warrantId: id), "agency"))
        } else {
            digests.append((Self.sealedDigest(.warrant, id), "warrant-id"))
        }
        let stateIds = [warrant.stateId, order.stateId], fbiNumbers = [warrant.fbiNumber, order.fbiNumber]
        let numbers = Self.personNumbers(stateIds: stateIds, fbiNumbers: fbiNumbers)
        for number in numbers { digests.append((Self.sealedWarrantDigest(person: number, warrantId: id), "person")) }
        digests.append((Self.sealedWarrantDigest(unnumbered: id), "unnumbered"))
        // The kinds of number the person had none of: an event naming only such numbers cannot
        // be told from the person's (see the overview).
        if stateIds.allSatisfy({ Self.nonEmpty($0) == nil }) {
            digests.append((Self.sealedWarrantDigest(unnumbered: id, naming: .stateId), "unnumbered"))
        }
        if fbiNumbers.allSatisfy({ Self.nonEmpty($0) == nil }) {
            digests.append((Self.sealedWarrantDigest(unnumbered: id, naming: .fbiNumber), "unnumbered"))
        }
        for (digest, scope) in digests {
            try transaction.send(
                """
                INSERT INTO warrants_sealed (warrant_digest, ordered_at_ms, digest_scope) VALUES ($1, $2, $3)
                ON CONFLICT (warrant_digest) DO UPDATE SET ordered_at_ms = excluded.ordered_at_ms
                    WHERE excluded.ordered_at_ms > warrants_sealed.ordered_at_ms
                """,
                [.text(digest), .integer(order.orderedAtMilliseconds), .text(scope)])
        }
    }

    /// Why an issue of the warrant `warrantId` of agency `issuingAgencyId` that occurred at
    /// `occurredAtMilliseconds` is refused: an order removed the warrant after it, and a late
    /// issue must not store it again (the runtime refuses one of a listed case by its case
    /// number, but an order found some warrants through a link, and the issue may carry none).
    /// The reason is the digest of the latest order (`agency`, or the legacy `warrant-id`:
    /// `id_alone`); nil when none covers it.
    func sealedIssue(of warrantId: String, by issuingAgencyId: String, occurredAtMilliseconds: Int64) throws -> SealedRecordRefusal.Reason? {
        guard let sealed = try latestOrder([
            (Self.sealedWarrantDigest(agency: issuingAgencyId, warrantId: warrantId), .agency), (Self.sealedDigest(.warrant, warrantId), .idAlone),
        ]), sealed.orderedAtMilliseconds > occurredAtMilliseconds
        else { return nil }
        return sealed.reason
    }

    /// The latest order that removed the warrant `warrantId` of the person `subject` names (its
    /// time, and the digest that matched: `person`, `unnumbered`, `unknown_number_kind`, or the
    /// legacy `id_alone`); nil when none did. For the events that name the warrant but not its
    /// agency: a resolution (read late, it must not store the warrant again) and a detainer
    /// lodged on it (lodged before the order, it is the sealed case's too). A subject naming one
    /// kind of number alone also matches a warrant removed whose person the resolver knew by no
    /// number of that kind (see the overview).
    func sealing(ofWarrant warrantId: String, namedBy subject: SubjectIdentifiers?) throws -> SealedWarrantOrder? {
        let stateId = Self.nonEmpty(subject?.stateId), fbiNumber = Self.nonEmpty(subject?.fbiNumber)
        let numbers = Self.personNumbers(stateIds: [stateId], fbiNumbers: [fbiNumber])
        var digests: [(String, SealedRecordRefusal.Reason)] = numbers.map { (Self.sealedWarrantDigest(person: $0, warrantId: warrantId), .person) }
        switch (stateId, fbiNumber) {
        case (nil, nil): digests.append((Self.sealedWarrantDigest(unnumbered: warrantId), .unnumbered))
        case (_?, nil): digests.append((Self.sealedWarrantDigest(unnumbered: warrantId, naming: .stateId), .unknownNumberKind))
        case (nil, _?): digests.append((Self.sealedWarrantDigest(unnumbered: warrantId, naming: .fbiNumber), .unknownNumberKind))
        case (_?, _?): break  // the order named a number, so the person had one of a kind named here
        }
        digests.append((Self.sealedDigest(.warrant, warrantId), .idAlone))
        return try latestOrder(digests)
    }

    /// An order's time as `warrants_sealed` keeps it, and the digest it was found by.
    struct SealedWarrantOrder: Sendable, Hashable {
        var orderedAtMilliseconds: Int64
        var reason: SealedRecordRefusal.Reason
    }

    /// The latest order time among `digests` in `warrants_sealed`, with the reason of the digest
    /// it was found by (of several of that time, the first in `digests`); nil when none is there.
    private func latestOrder(_ digests: [(digest: String, reason: SealedRecordRefusal.Reason)]) throws -> SealedWarrantOrder? {
        let placeholders = digests.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
        let rows = try transaction.fetchAll(
            "SELECT warrant_digest, ordered_at_ms FROM warrants_sealed WHERE warrant_digest IN (\(placeholders))",
            digests.map { SQLValue.text($0.digest) })
        var times: [String: Int64] = [:]
        for row in rows { times[try row.get("warrant_digest")] = try row.get("ordered_at_ms", as: Int64.self) }
        guard let latest = times.values.max() else { return nil }
        guard let found = digests.first(where: { times[$0.digest] == latest }) else { return nil }
        return SealedWarrantOrder(orderedAtMilliseconds: latest, reason: found.reason)
    }

    /// A person's number, named for its kind (a state ID and an FBI number of the same text are
    /// different numbers).
    private static func personNumbers(stateIds: [String?], fbiNumbers: [String?]) -> [String] {
        let numbers = stateIds.compactMap(nonEmpty).map { "stateId:\($0)" } + fbiNumbers.compactMap(nonEmpty).map { "fbiNumber:\($0)" }
        return Array(Set(numbers)).sorted()
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }

    /// The `agency` digest of a removed warrant.
    static func sealedWarrantDigest(agency: String, warrantId: String) -> String {
        SHA256.hex("reentrybus/sealing/warrant/v2\u{0}\(agency)\u{0}\(warrantId)")
    }

    /// The `person` digest of a removed warrant (`number` as ``personNumbers(stateIds:fbiNumbers:)`` names it).
    static func sealedWarrantDigest(person number: String, warrantId: String) -> String {
        SHA256.hex("reentrybus/sealing/warrant-of-person/v1\u{0}\(number)\u{0}\(warrantId)")
    }

    /// The `unnumbered` digest of a removed warrant.
    static func sealedWarrantDigest(unnumbered warrantId: String) -> String {
        SHA256.hex("reentrybus/sealing/warrant-unnumbered/v1\u{0}\(warrantId)")
    }

    /// A kind of a person's number.
    enum NumberKind: String, Sendable {
        case stateId
        case fbiNumber
    }

    /// The `unnumbered` digest of a removed warrant whose person the resolver knew by no number
    /// of `kind`: what an event naming only a number of that kind is looked up by.
    static func sealedWarrantDigest(unnumbered warrantId: String, naming kind: NumberKind) -> String {
        SHA256.hex("reentrybus/sealing/warrant-unknown-number-kind/v1\u{0}\(kind.rawValue)\u{0}\(warrantId)")
    }
}
