import Contracts
import Storage

/// The cases of a person, remembered for the rest of the transaction until the router's cases
/// change: one event runs several rule families that each ask for the cases of the same person
/// (a case started: releases, warrants, residents, police facts), and so do the events of one
/// person in a batch. On PostgreSQL each lookup is a round trip.
///
/// Every statement that writes `router_cases` or `router_officer_assignments` goes through a
/// method of ``RouterStore`` that calls ``casesChanged()`` first, which forgets every lookup;
/// a savepoint rolled back (``TransactionScratch/rollbacks``) forgets them too.
struct CaseLookups {
    static let key = "router-case-lookups"

    /// Bumped by each write to the cases; lookups remembered under another generation are gone.
    var generation = 0
    var rollbacks = 0
    var bySubject: [String: [SupervisionCase]] = [:]
}

extension RouterStore {
    /// The person's cases from this transaction's memory, or read (and remembered) now.
    func rememberedCases(of stateId: String?, _ fbiNumber: String?, read: () throws -> [SupervisionCase]) throws -> [SupervisionCase] {
        var lookups = transaction.scratch.value(CaseLookups.key, as: CaseLookups.self) ?? CaseLookups()
        if lookups.rollbacks != transaction.scratch.rollbacks {
            lookups = CaseLookups(generation: lookups.generation, rollbacks: transaction.scratch.rollbacks)
        }
        let subject = "\(stateId ?? "")\u{0}\(fbiNumber ?? "")"
        if let known = lookups.bySubject[subject] { return known }
        let cases = try read()
        lookups.bySubject[subject] = cases
        transaction.scratch.store(lookups, for: CaseLookups.key)
        return cases
    }

    /// Forgets every remembered lookup: called before any statement that writes the cases or
    /// their officer assignments.
    func casesChanged() {
        let generation = (transaction.scratch.value(CaseLookups.key, as: CaseLookups.self)?.generation ?? 0) + 1
        transaction.scratch.store(CaseLookups(generation: generation, rollbacks: transaction.scratch.rollbacks), for: CaseLookups.key)
    }
}
