import Audit
import Contracts
import Foundation
import Policy

/// Reads the audit ledger by person: who saw that person's data. A seam beside
/// `DisclosureRecorder` (the same ledger); the gateway's `LedgerDisclosureRecorder` is one.
public protocol AuditSearching: Sendable {
    /// Every entry about the person with an identifier equal to `person`, oldest first.
    func search(person: String) async throws -> [AuditEntry]
}

extension LedgerDisclosureRecorder: AuditSearching {
    public func search(person: String) async throws -> [AuditEntry] {
        try await ledger.search(person: person)
    }
}

extension Gateway {
    /// The audit resource a search of the ledger is recorded under.
    public static let auditSearchResource = "audit.search"

    /// What an audit search shows of each entry, recorded as the search's disclosed fields:
    /// who (their subject, agency, roles are personal data of staff), when, and what they saw
    /// of the person (criminal justice information by itself).
    static let auditSearchFields: [DisclosedField] = [
        DisclosedField(field: "entries.at", classifications: [.public]),
        DisclosedField(field: "entries.channel", classifications: [.public]),
        DisclosedField(field: "entries.denialReason", classifications: [.public]),
        DisclosedField(field: "entries.disclosed", classifications: [.cji]),
        DisclosedField(field: "entries.outcome", classifications: [.cji]),
        DisclosedField(field: "entries.purpose", classifications: [.cji]),
        DisclosedField(field: "entries.requester", classifications: [.pii]),
        DisclosedField(field: "entries.resource", classifications: [.cji]),
        DisclosedField(field: "entries.withheld", classifications: [.public]),
    ]

    /// Who saw the person `stateId`'s data, when, through which channel, and whether it was
    /// disclosed or refused: the audit ledger's entries about them, oldest first.
    ///
    /// Only a caller with the `auditor` role may search (``auditEntries(_:visibleTo:)`` says
    /// across which agencies); anyone else is a refusal recorded in the ledger (`role_not_allowed`,
    /// naming the person asked about), then `Problem` 403. The search is itself a disclosure of
    /// audit data about that person: recorded (resource `audit.search`) before this returns,
    /// so the next search shows it.
    ///
    /// - Throws: `Problem` 400 when `stateId` is not 1 to 40 letters, digits or dashes (nothing
    ///   is read or recorded); 403 as said; 503 when the ledger cannot be searched or the search
    ///   not recorded.
    public func auditSearch(stateId: String, for caller: Caller, requestId: String) async throws(Problem) -> [AuditEntry] {
        guard Self.isPersonIdentifier(stateId) else {
            throw Problem.badRequest("A state ID is 1 to 40 letters, digits or dashes, and not a value that says there is none (UNKNOWN, zeros).")
        }
        let person = PersonIdentifier(identifier: "stateId", value: stateId)
        guard caller.has(.auditor) else {
            try await refuseAuditSearch(for: caller, stateId: stateId, requestId: requestId)
            throw Problem.forbidden("Only auditors may search the audit ledger.")
        }
        guard let ledger = recorder as? any AuditSearching else {
            throw Problem.unavailable("The audit ledger cannot be searched here.")
        }
        let requester = try await placedRequester(for: caller)
        let entries: [AuditEntry]
        do {
            entries = Self.auditEntries(try await ledger.search(person: stateId), visibleTo: requester)
        } catch {
            logger.error("Audit ledger unreadable", metadata: ["error-type": "\(type(of: error))"])
            throw Problem.unavailable("The audit ledger cannot be read right now.")
        }
        try await record(Disclosure(
            requester: requester, requestId: requestId, channel: .api, resource: Self.auditSearchResource, persons: [person],
            disclosed: entries.isEmpty ? [] : Self.auditSearchFields, at: now()))
        return entries
    }

    /// The entries an auditor may see of those about a person. An entry says what an agency
    /// learnt of the person (its resource, purpose and fields), so deny unless it is theirs to
    /// audit:
    /// - an auditor at an agency that is not a criminal justice agency (reentry services) sees
    ///   its own agency's entries only: the others' are criminal justice information;
    /// - an auditor at a criminal justice agency sees every agency's entries (who saw a person
    ///   across the agencies sharing the bus), except another agency's entries that carried
    ///   health information or answered a crisis call (a health field disclosed or withheld, purpose
    ///   `crisis_response`, or the mental-health bulletins view): that the person has a
    ///   bulletin is health information, shared under the person's consent with the police it
    ///   names, not with another agency's auditor; and, alike, another agency's entries that
    ///   carried criminal intelligence (disclosed, or withheld for want of a 28 CFR Part 23
    ///   basis): that the person is named in an agency's intelligence is that agency's to
    ///   disclose, on a need and a right to know, never an auditor's finding elsewhere.
    static func auditEntries(_ entries: [AuditEntry], visibleTo requester: Requester) -> [AuditEntry] {
        let own = { (entry: AuditEntry) in requester.agencyId != nil && entry.requester.agencyId == requester.agencyId }
        guard let kind = requester.agencyKind.flatMap(AgencyKind.init(rawValue:)), kind != .reentryServices else {
            return entries.filter(own)
        }
        let confined: Set<FieldClassification> = [.health, .criminalIntelligence]
        return entries.filter { entry in
            own(entry)
                || !(entry.purpose == .crisisResponse || entry.resource.hasPrefix("view.police.bulletins")
                    || entry.disclosed.contains { $0.classifications.contains(where: confined.contains) }
                    || entry.withheld.contains { $0.classifications.contains(where: confined.contains) })
        }
    }

    /// Records that `caller` was refused the audit search (`role_not_allowed`), naming the
    /// person asked about when `stateId` is one: what a page that non-auditors open records
    /// before it says no.
    ///
    /// - Throws: `Problem` 503 when the refusal cannot be recorded.
    public func refuseAuditSearch(for caller: Caller, stateId: String?, requestId: String) async throws(Problem) {
        let requester = try await placedRequester(for: caller)
        let persons = stateId.flatMap { Self.isPersonIdentifier($0) ? $0 : nil }
            .map { [PersonIdentifier(identifier: "stateId", value: $0)] } ?? []
        try await record(.denial(
            requester: requester, requestId: requestId, resource: Self.auditSearchResource, reason: .roleNotAllowed, persons: persons, at: now()))
    }
}
