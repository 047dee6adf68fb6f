import Contracts
import Foundation
import Storage

extension PoliceViewStore {
    /// The consent of bulletin `bulletinId` when it is in force at `asOf` (from its grant day
    /// through its expiry day, UTC) and the bulletin was not withdrawn; nil otherwise, or when
    /// the view never read it. A stored bulletin's scope may include police
    /// (`BulletinConsentRule`: one that cannot is refused on arrival), but not necessarily the
    /// asker's agency: ``bulletins(for:in:asOf:in:)`` decides which agency may see it.
    ///
    /// What the gateway asks before it shows a bulletin's health information to anyone.
    public func consentInForce(bulletinId: String, asOf: Date, in transaction: any StorageTransaction) throws -> BulletinConsent? {
        let table = bulletinLedger.bulletinsTable
        guard let row = try transaction.fetchOne(
            "SELECT b.granted_at, b.expires_at, b.scope FROM \(table) b WHERE b.bulletin_id = $1 AND \(bulletinLedger.inForceCondition("b", asOf: "$2"))",
            [.text(bulletinId), .integer(ViewTime.milliseconds(asOf))])
        else { return nil }
        return BulletinConsent(
            grantedOn: try StoredColumn.day("granted_at", in: row), expiresOn: try StoredColumn.day("expires_at", in: row),
            scope: try row.get("scope"))
    }
}
