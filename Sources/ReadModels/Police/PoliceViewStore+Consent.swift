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
        let table = bulletinLedger.bulletinsTable
        guard let row = try transaction.fetchOne(
            "SELECT b.granted_at, b.expires_at, b.scope FROM \(table) b WHERE b.bulletin_id = $1 AND \(bulletinLedger.inForceCondition("b", asOf: "$2"))",
            [.text(bulletinId), .integer(ViewTime.milliseconds(asOf))])
        else { return nil }
        let consent = BulletinConsent(
            grantedOn: try StoredColumn.day("granted_at", in: row), expiresOn: try StoredColumn.day("expires_at", in: row),
            scope: try row.get("scope"))
        let directory = try DirectoryStore(transaction).all()
        guard let agency = directory.agency(agencyId),
              BulletinConsentScope.includes(consent.scope, agencyId: agency.agencyId, kind: agency.kind, directory: directory)
        else { return nil }
        return consent
    }
}
