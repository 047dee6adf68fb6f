import Contracts
import ServiceKit
import Storage

/// One audience's read model: its tables and how each event changes them, written once over
/// the storage seam so the same code runs on SQLite and PostgreSQL.
///
/// A store knows nothing of Kafka or of the runtime: the service that hosts it (a projection)
/// calls ``apply(_:in:)`` inside the batch's transaction, which also records the consumed
/// offsets, so a view is never ahead of or behind its progress. `apply` is deterministic in the
/// event and the tables (no clock, no randomness): a replay rebuilds the same rows. Queries take
/// the moment they are asked about (`asOf`) as an argument for the same reason.
public protocol ReadModelStore: Sendable {
    /// Names the view's service, its database and its consumer group (e.g. `caseload-view`).
    var name: String { get }
    /// The topics it reads.
    var topics: [String] { get }
    /// Its tables, in the shared dialect. Never edit a shipped step: add one.
    var migrations: [StorageMigration] { get }
    /// Whether events of this type concern it; others only advance the offset.
    func handles(eventType: String) -> Bool
    /// Applies one admitted event. Throws `PoisonMessage` for an event that breaks the view's
    /// rules (its changes are rolled back, it is dead-lettered with the reason, the view goes
    /// on); any other error stops the service with its offsets where they were.
    func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws
}
