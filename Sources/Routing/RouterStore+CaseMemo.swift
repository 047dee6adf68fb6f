import Contracts
import Storage

/// A person's cases, remembered for the rest of the transaction until the router's cases
/// change: one event runs several rule families that each ask for the cases of the same person
/// (a case started: releases, warrants, residents, police facts), and so do the events of one
/// person in a batch. On PostgreSQL each lookup is a round trip.
///
/// Every statement that writes `router_cases` or `router_officer_assignments` goes through a
/// method of ``RouterStore`` that calls ``casesChanged()`` first, which forgets every lookup;
/// a savepoint rolled back forgets them too (``TransactionScratch/remembered(_:key:read:)``).
extension RouterStore {
    private static let caseLookups = "router-case-lookups"

    /// The person's cases from this transaction's memory, or read (and remembered) now.
    func rememberedCases(of stateId: String?, _ fbiNumber: String?, read: () throws -> [SupervisionCase]) throws -> [SupervisionCase] {
        try transaction.scratch.remembered(Self.caseLookups, key: "person\u{0}\(stateId ?? "")\u{0}\(fbiNumber ?? "")", read: read)
    }

    /// The case `caseId` from this transaction's memory, or read (and remembered) now.
    func rememberedCase(id caseId: String, read: () throws -> SupervisionCase?) throws -> SupervisionCase? {
        try transaction.scratch.remembered(Self.caseLookups, key: "case\u{0}\(caseId)", read: read)
    }

    /// Forgets every remembered lookup: called before any statement that writes the cases or
    /// their officer assignments.
    func casesChanged() {
        transaction.scratch.forget(Self.caseLookups)
    }
}
