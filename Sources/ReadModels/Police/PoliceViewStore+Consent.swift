import Contracts
import Directory
import Foundation
import Storage

extension PoliceViewStore {
    /// The consent of bulletin `bulletinId` when it is in force at `asOf` (from its grant day
    /// through its expiry day, UTC), the bulletin was not withdrawn, and its scope includes the
    /// asking agency `agencyId`; nil otherwise, or when the view never read it. Whether the
    /// scope includes the agency is decided as ``bulletins(for:in:asOf:in:)`` decides it
    /// (`BulletinConsentScope`, read against the agency directory in `transaction`: a scope
    /// naming agencies includes only them, one speaking of police in general any police or
    /// sheriff agency, one holding a negation none); an agency the directory does not know is
    /// included by no scope.
    ///
    /// What the gateway asks before it shows a bulletin's health information to anyone: the
    /// consent was given for some agencies, not for every reader the notification reaches.
    public func consentInForce(
        bulletinId: String, for agencyId: String, asOf: Date, in transaction: any StorageTransaction
    ) throws -> BulletinConsent? {
        try consentsInForce(bulletinIds: [bulletinId], for: agencyId, asOf: asOf, in: transaction)[bulletinId]
    }

    /// ``consentInForce(bulletinId:for:asOf:in:)`` for several bulletins at once (an inbox page
    /// naming several): the bulletins in one query, the agency directory read once, and only
    /// when one of them is in force. The bulletins whose consent is in force for `agencyId`,
    /// each with its consent.
    public func consentsInForce(
        bulletinIds: Set<String>, for agencyId: String, asOf: Date, in transaction: any StorageTransaction
    ) throws -> [String: BulletinConsent] {
        guard !bulletinIds.isEmpty else { return [:] }
        let ids = bulletinIds.sorted()
        let placeholders = ids.indices.map { "$\($0 + 2)" }.joined(separator: ", ")
        let rows = try transaction.fetchAll(
            """
            SELECT b.bulletin_id, b.granted_at, b.expires_at, b.scope FROM \(bulletinLedger.bulletinsTable) b
            WHERE b.bulletin_id IN (\(placeholders)) AND \(bulletinLedger.inForceCondition("b", asOf: "$1"))
            """,
            [.integer(ViewTime.milliseconds(asOf))] + ids.map(SQLValue.text))
        guard !rows.isEmpty else { return [:] }
        let directory = try DirectoryStore(transaction).all()
        guard let agency = directory.agency(agencyId) else { return [:] }
        var inForce: [String: BulletinConsent] = [:]
        for row in rows {
            let consent = BulletinConsent(
                grantedOn: try StoredColumn.day("granted_at", in: row), expiresOn: try StoredColumn.day("expires_at", in: row),
                scope: try row.get("scope"))
            if BulletinConsentScope.includes(consent.scope, agencyId: agency.agencyId, kind: agency.kind, directory: directory) {
                inForce[try row.get("bulletin_id", as: String.self)] = consent
            }
        }
        return inForce
    }
}
