import Directory
import Notifications
import Storage

/// Who was told of the detainers a sealing order removes (`warrant_check_told`, and the kept
/// rows of the notifications that told them, `notifications_sent`).
///
/// A row of who was told names a release, a recipient and a rule, not the detainer: that the
/// holding agency was told of a release says that it held the person. The rows are judged by the
/// rules that sent them (`WarrantCheckRules`): a removed detainer's holding agency was told
/// `warrant-check-hold` and `warrant-check-hold-lifted` only for its detainers, and was among the
/// recipients of `warrant-check-escalation` and `released-with-unresolved-warrant` for them
/// too; the facility was told `warrant-check-hold-lifted` for a lifted detainer. A row goes
/// when nothing the check still lists gives its recipient that rule: no detainer left on the
/// check held by that agency (for the escalation and the release, also no warrant of that
/// agency, none whose court that agency prosecutes, and neither the supervising agency nor the
/// destination's police is that agency); for the facility, no lifted detainer left on the check.
extension WarrantStore {
    /// A detainer about to be removed: its holding agency and the checks that list it.
    struct RemovedDetainer: Sendable, Hashable {
        var holdingAgencyId: String?
        var releaseIds: Set<String>
    }

    /// A recipient told of a check (`recipient` as `Recipient.description` writes it).
    struct Telling: Sendable, Hashable {
        var releaseId: String
        var recipient: String
    }

    /// What ``removeTellings(of:)`` removed.
    struct RemovedTellings {
        var rows = 0
        /// The escalations and release alerts no longer due to their recipient: the
        /// notifications kept of them go too (``toldOnlyOfRemoved(_:)``).
        var unresolved: Set<Telling> = []
    }

    /// The detainer `detainerId` before it is removed; nil when there is none.
    func removedDetainer(_ detainerId: String) throws -> RemovedDetainer? {
        guard let row = try transaction.fetchOne("SELECT holding_agency_id FROM detainers WHERE detainer_id = $1", [.text(detainerId)]) else {
            return nil
        }
        let releases = try transaction.fetchAll("SELECT release_id FROM warrant_check_detainers WHERE detainer_id = $1", [.text(detainerId)])
        return RemovedDetainer(
            holdingAgencyId: try row.get("holding_agency_id"), releaseIds: Set(try releases.map { try $0.get("release_id", as: String.self) }))
    }

    /// Removes who was told of `removed` (as the overview says), once the detainers and their
    /// places on checks are gone. Checks that are gone too are left (their rows went with them).
    func removeTellings(of removed: [RemovedDetainer]) throws -> RemovedTellings {
        var holders: [String: Set<String>] = [:]
        for detainer in removed {
            for releaseId in detainer.releaseIds { holders[releaseId, default: []].formUnion([detainer.holdingAgencyId].compactMap { $0 }) }
        }
        var result = RemovedTellings()
        for (releaseId, agencies) in holders.sorted(by: { $0.key < $1.key }) {
            guard let check = try check(releaseId) else { continue }
            let left = try transaction.fetchAll(
                """
                SELECT d.holding_agency_id, d.status FROM warrant_check_detainers i JOIN detainers d ON d.detainer_id = i.detainer_id
                WHERE i.release_id = $1
                """,
                [.text(releaseId)])
            let holding = Set(try left.compactMap { try $0.get("holding_agency_id", as: String?.self) })
            if try !left.contains(where: { try $0.get("status", as: String.self) == "lifted" }) {
                result.rows += try forget(releaseId, Recipient.facility(check.facilityId).description, rules: [WarrantCheckRules.holdLifted])
            }
            let resolvers = try stillTold(check)
            for agency in agencies.sorted() where !holding.contains(agency) {
                let recipient = Recipient.agency(agency).description
                result.rows += try forget(releaseId, recipient, rules: [WarrantCheckRules.hold, WarrantCheckRules.holdLifted])
                guard !resolvers.contains(agency) else { continue }
                result.rows += try forget(releaseId, recipient, rules: [WarrantCheckRules.escalation, WarrantCheckRules.releasedUnresolved])
                result.unresolved.insert(Telling(releaseId: releaseId, recipient: recipient))
            }
        }
        return result
    }

    /// Whether `notification` is an escalation or a release alert ``removeTellings(of:)`` found
    /// no longer due to its recipient (`unresolved`).
    static func toldOnlyOfRemoved(_ notification: SentNotification, _ unresolved: Set<Telling>) -> Bool {
        guard !unresolved.isEmpty, [WarrantCheckRules.escalation, WarrantCheckRules.releasedUnresolved].contains(notification.rule) else { return false }
        return notification.derivesFrom.contains { derivation in
            (derivation.name == SentNotification.releaseFact || derivation.name == "releaseId")
                && unresolved.contains(Telling(releaseId: derivation.value, recipient: notification.recipient))
        }
    }

    /// The agencies (ids) told of `check`'s escalations and release alerts for what it still
    /// lists: holding agencies of its detainers, courts of its warrants and their prosecutors,
    /// its supervising agency and its destination's police.
    private func stillTold(_ check: WarrantCheck) throws -> Set<String> {
        let releaseId: [SQLValue] = [.text(check.releaseId)]
        var agencies = Set(try transaction.fetchAll(
            """
            SELECT d.holding_agency_id AS agency_id FROM warrant_check_detainers i JOIN detainers d ON d.detainer_id = i.detainer_id
            WHERE i.release_id = $1
            """,
            releaseId
        ).compactMap { try $0.get("agency_id", as: String?.self) })
        let courts = Set(try transaction.fetchAll(
            "SELECT w.issuing_agency_id AS agency_id FROM warrant_check_items i JOIN warrants w ON w.warrant_id = i.warrant_id WHERE i.release_id = $1",
            releaseId
        ).compactMap { try $0.get("agency_id", as: String?.self) })
        agencies.formUnion(courts)
        let directory = DirectoryStore(transaction)
        for court in courts.sorted() {
            if let prosecutor = try directory.directory(forCourt: court).prosecutor(servingCourt: court) { agencies.insert(prosecutor.agencyId) }
        }
        if let supervising = check.supervisingAgencyId { agencies.insert(supervising) }
        if let destination = check.destination {
            let police = DestinationPolice.recipient(for: destination, in: try directory.directory(forPlace: destination.city, in: destination.state))
            agencies.insert(police.id)
        }
        return agencies
    }

    /// Removes the rows of who was told `recipient` of `releaseId` by `rules`; returns how many.
    private func forget(_ releaseId: String, _ recipient: String, rules: [String]) throws -> Int {
        var removed = 0
        for rule in rules {
            removed += try transaction.execute(
                "DELETE FROM warrant_check_told WHERE release_id = $1 AND recipient = $2 AND rule = $3",
                [.text(releaseId), .text(recipient), .text(rule)])
        }
        return removed
    }
}
