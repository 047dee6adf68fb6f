import Contracts
import ServiceKit
import Storage

/// The court and prosecutor view (`court-view`): the warrants a court issued that are still
/// active, and the scheduled releases they block. Queries: ``warrants(courtId:asOf:in:)`` and
/// ``blockedReleases(courtId:asOf:in:)``.
///
/// A court is the warrant's issuing agency (`issuingAgencyId`, e.g. `MO-CIRCUIT16`).
/// Warrants are kept as ``WarrantLedger`` keeps them (detainers are not: they are the
/// requesting agency's), releases as ``ReleaseLedger``. A release is blocked by a warrant when
/// both are about the same person (same state ID or same FBI number), the warrant is active
/// and the release pending at the moment asked about, whichever topic was read first.
/// An event without a state ID or FBI number is a `PoisonMessage`, refused before anything
/// is written.
public struct CourtStore: ReadModelStore {
    public static let warrantsTopic = "courts.warrants"
    public static let releasesTopic = "custody.releases"

    public let name = "court-view"
    public let topics = [Self.warrantsTopic, Self.releasesTopic]
    public var migrations: [StorageMigration] { Self.migrationSteps }

    static let warrants = WarrantLedger.views.warrantsOnly
    static let releases = ReleaseLedger.views

    public init() {}

    public func handles(eventType: String) -> Bool {
        Self.warrants.handles(eventType: eventType) || Self.releases.handles(eventType: eventType)
    }

    public func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        if Self.warrants.handles(eventType: event.eventType) {
            try Self.warrants.apply(event, in: transaction)
        } else if Self.releases.handles(eventType: event.eventType) {
            try Self.releases.apply(event, in: transaction)
        }
    }

    /// The court's tables, in the shared dialect: the shared ledgers' (``WarrantLedger``,
    /// ``ReleaseLedger``) under the prefix `court`, since `court-v2` and `-v3` the ledgers every
    /// view shares (the court keeps no table of its own). Shipped steps are never edited: add one.
    static let migrationSteps: [StorageMigration] = [
        .script(
            "court-v1",
            [WarrantLedger(prefix: "court", keepsDetainers: false).schema, ReleaseLedger(prefix: "court").schema].joined(separator: ";\n")),
        ReleaseLedger.sharedStep,
        ReleaseLedger.movedStep(from: ReleaseLedger(prefix: "court"), id: "court-v2"),
        WarrantLedger.sharedStep,
        WarrantLedger.movedStep(from: WarrantLedger(prefix: "court", keepsDetainers: false), id: "court-v3"),
    ]
}
